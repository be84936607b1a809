/*
 * web_city_dup.c: the city's Duplikat (the records of a NIK registered more than once side by
 * side, the fields that differ marked, the operator choosing the one that stays) and KPJ (one
 * worker's, or BPJS's file of them).
 */
#include <microhttpd.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "web.h"
#include "web_city.h"

#define DUP_GROUPS_SHOWN 50

/* ---- Duplikat ---- */

#define DUP_FIELDS 10 /* the last: when and by whom the record was last changed */
struct dup_rec {
	char *id, *owner, *v[DUP_FIELDS];
};
struct dup_group {
	char nik[24];
	struct dup_rec *rec;    /* every record of the NIK */
	int n, cap;
};
struct dup_page {
	struct dup_group *g;
	int n, cap;
	int64_t total;           /* NIKs, the ones shown and the others */
	char last[24];           /* the NIK of the last record read */
	const char *only;
};

static int dup_collect(void *payload, const struct sk_duplicate *d)
{
	struct dup_page *p = payload;
	struct dup_group *g;
	if (p->only && strcmp(p->only, web_nz(d->nik)))
		return 0;
	if (strcmp(p->last, web_nz(d->nik))) {
		snprintf(p->last, sizeof(p->last), "%s", web_nz(d->nik));
		p->total++;
		if (p->n >= DUP_GROUPS_SHOWN)
			return 0;
		if (p->n == p->cap) {
			p->cap = p->cap ? 2 * p->cap : 16;
			p->g = sk_realloc(p->g, (size_t)p->cap * sizeof(*p->g));
		}
		g = &p->g[p->n++];
		memset(g, 0, sizeof(*g));
		snprintf(g->nik, sizeof(g->nik), "%s", web_nz(d->nik));
	}
	if (p->total > p->n)
		return 0; /* a NIK past the ones shown */
	g = &p->g[p->n - 1];
	if (g->n == g->cap) {
		g->cap = g->cap ? 2 * g->cap : 2;
		g->rec = sk_realloc(g->rec, (size_t)g->cap * sizeof(*g->rec));
	}
	{
		struct dup_rec *x = &g->rec[g->n++];
		const char *v[DUP_FIELDS] = {d->district, d->name, d->birth_date, d->sex, d->kelurahan, d->phone, d->occupation, d->enrolments, NULL, NULL};
		x->id = sk_strdup(d->id);
		x->owner = sk_strdup(web_nz(d->owner));
		for (int i = 0; i < DUP_FIELDS; i++)
			x->v[i] = sk_strdup(web_nz(v[i]));
	}
	return 0;
}

static void dup_free(struct dup_page *p)
{
	for (int i = 0; i < p->n; i++)
		for (int j = 0; j < p->g[i].n; j++) {
			free(p->g[i].rec[j].id);
			free(p->g[i].rec[j].owner);
			for (int k = 0; k < DUP_FIELDS; k++)
				free(p->g[i].rec[j].v[k]);
		}
	for (int i = 0; i < p->n; i++)
		free(p->g[i].rec);
	free(p->g);
}

/* The latest of a row's cell clocks, read from its _sk as the engine writes it (a format byte,
 * a flags byte, the row hash when flag 1 is set, the count of the distinct clocks, then each
 * clock and its origin as varints): 0 when the row was never sealed or applied. */
static int last_clock(const unsigned char *p, size_t n, uint64_t *hlc, uint64_t *origin)
{
	const unsigned char *end = p + n;
	uint64_t k, h, o;
	*hlc = *origin = 0;
	if (!p || n < 2 || (p[0] != 1 && p[0] != 2))
		return 0;
	p += 2 + ((p[1] & 1) ? SK_HASH_SIZE : 0);
	if (p > end || sk_get_varint(&k, &p, end) < 0)
		return 0;
	for (uint64_t i = 0; i < k; i++) {
		if (sk_get_varint(&h, &p, end) < 0 || sk_get_varint(&o, &p, end) < 0)
			return 0;
		if (h > *hlc || (h == *hlc && o > *origin))
			*hlc = h, *origin = o;
	}
	return *hlc != 0;
}

/* "31-12-2024 09:15, Sorong Barat (96.71.02)": when the record was last changed and the
 * district (or the city) whose change it was; an origin is its region code's digits */
static char *last_change(sqlite3_stmt *region, const unsigned char *sk, size_t n)
{
	uint64_t hlc, origin;
	char when[40], *s;
	if (!last_clock(sk, n, &hlc, &origin))
		return sk_strdup("");
	web_fmt_time(when, sizeof(when), SK_HLC_MS(hlc));
	sqlite3_reset(region);
	sqlite3_bind_int64(region, 1, (sqlite3_int64)origin);
	if (sqlite3_step(region) == SQLITE_ROW)
		s = sk_printf("%s, %s (%s)", when, (const char *)sqlite3_column_text(region, 0), (const char *)sqlite3_column_text(region, 1));
	else
		s = sk_printf("%s, %llu", when, (unsigned long long)origin);
	return s;
}

/* the KPJ, and the values as the office writes them: the kelurahan by name, Laki-laki or
 * Perempuan, the date as 31-12-1980; and the record's last change */
static void dup_kpj(struct web_req *r, struct dup_group *g)
{
	sqlite3_stmt *st, *region;
	if (sqlite3_prepare_v2(web_rdb(r->srv), "SELECT kpj, (SELECT name FROM regions WHERE code = w.kelurahan), _sk FROM workers w WHERE id = ?",
			       -1, &st, NULL) != SQLITE_OK)
		return;
	if (sqlite3_prepare_v2(web_rdb(r->srv), "SELECT name, code FROM regions WHERE level <> 'kelurahan' AND "
						 "CAST(replace(code, '.', '') AS INTEGER) = ?1 LIMIT 1", -1, &region, NULL) != SQLITE_OK) {
		sqlite3_finalize(st);
		return;
	}
	for (int j = 0; j < g->n; j++) {
		char **v = g->rec[j].v;
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, g->rec[j].id, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW) {
			if (sqlite3_column_text(st, 0)) {
				free(v[8]);
				v[8] = sk_strdup((const char *)sqlite3_column_text(st, 0));
			}
			if (sqlite3_column_text(st, 1)) {
				free(v[4]);
				v[4] = sk_strdup((const char *)sqlite3_column_text(st, 1));
			}
			free(v[9]);
			v[9] = last_change(region, sqlite3_column_blob(st, 2), (size_t)sqlite3_column_bytes(st, 2));
		}
		if (!strcmp(v[3], "L") || !strcmp(v[3], "P")) {
			char *sex = sk_strdup(!strcmp(v[3], "L") ? "Laki-laki" : "Perempuan");
			free(v[3]);
			v[3] = sex;
		}
		if (strlen(v[2]) == 10 && v[2][4] == '-') {
			char *d = sk_printf("%.2s-%.2s-%.4s", v[2] + 8, v[2] + 5, v[2]);
			free(v[2]);
			v[2] = d;
		}
	}
	sqlite3_finalize(region);
	sqlite3_finalize(st);
}

/* ---- what the page shows, kept until the data changes ----
 * Finding the NIKs registered more than once reads the whole index of active records (a
 * quarter of a million at a city), so the groups the page shows, with their values as written
 * above, are kept under the signature of the data like the Beranda's districts: values only,
 * NUL-terminated, never a form (each form carries its session's token). */

static void put_str(struct sk_buf *b, const char *s)
{
	sk_buf_put(b, s, strlen(s) + 1);
}

static void dup_pack(struct sk_buf *b, const struct dup_page *p)
{
	sk_buf_printf(b, "%lld", (long long)p->total);
	sk_buf_putc(b, 0);
	sk_buf_printf(b, "%d", p->n);
	sk_buf_putc(b, 0);
	for (int i = 0; i < p->n; i++) {
		const struct dup_group *g = &p->g[i];
		put_str(b, g->nik);
		sk_buf_printf(b, "%d", g->n);
		sk_buf_putc(b, 0);
		for (int j = 0; j < g->n; j++) {
			put_str(b, g->rec[j].id);
			put_str(b, g->rec[j].owner);
			for (int k = 0; k < DUP_FIELDS; k++)
				put_str(b, g->rec[j].v[k]);
		}
	}
}

/* the next string of what dup_pack wrote; "" past its end */
static const char *next_str(const char **at, const char *end)
{
	const char *s = *at;
	if (s >= end)
		return "";
	*at += strlen(s) + 1;
	return s;
}

static void dup_unpack(struct dup_page *p, const struct sk_buf *b)
{
	const char *at = (const char *)b->ptr, *end = at + b->len;
	p->total = atoll(next_str(&at, end));
	p->n = p->cap = atoi(next_str(&at, end));
	p->g = sk_calloc((size_t)(p->n ? p->n : 1), sizeof(*p->g));
	for (int i = 0; i < p->n; i++) {
		struct dup_group *g = &p->g[i];
		snprintf(g->nik, sizeof(g->nik), "%s", next_str(&at, end));
		g->n = g->cap = atoi(next_str(&at, end));
		g->rec = sk_calloc((size_t)(g->n ? g->n : 1), sizeof(*g->rec));
		for (int j = 0; j < g->n; j++) {
			g->rec[j].id = sk_strdup(next_str(&at, end));
			g->rec[j].owner = sk_strdup(next_str(&at, end));
			for (int k = 0; k < DUP_FIELDS; k++)
				g->rec[j].v[k] = sk_strdup(next_str(&at, end));
		}
	}
}

/* the groups the page shows, from what is kept or from the engine; -1 (nothing kept) on error */
static int dup_load(struct web_req *r, struct sk_db *db, struct dup_page *p)
{
	char *sig = web_city_signature(r), *key = sig ? sk_printf("duplicates %s %s", sk_db_code(db), sig) : NULL;
	struct sk_buf kept = SK_BUF_INIT;
	int rc = 0;
	if (web_city_cache_get(key, &kept, NULL, 0)) {
		dup_unpack(p, &kept);
	} else if ((rc = sk_duplicates_each(db, dup_collect, p)) == 0) {
		for (int i = 0; i < p->n; i++)
			dup_kpj(r, &p->g[i]);
		dup_pack(&kept, p);
		web_city_cache_put(key, kept.ptr, kept.len);
	}
	sk_buf_release(&kept);
	free(sig);
	free(key);
	return rc;
}

static void duplicates_page(struct web_req *r, const char *ok, const char *err)
{
	static const char *const labels[DUP_FIELDS] = {N_("District"), N_("Name"), N_("Date of birth"), N_("Sex"), N_("Kelurahan"),
						       N_("Phone"), N_("Occupation"), N_("Enrolments"), N_("KPJ"),
						       N_("Last change")};
	struct sk_db *db = web_engine(r);
	struct dup_page p = {NULL, 0, 0, 0, "", NULL};
	web_page_begin(r, N_("Duplicates"));
	if (ok)
		web_ok_box(r, ok);
	if (err)
		web_error_box(r, err);
	if (db && dup_load(r, db, &p) < 0)
		web_error_box(r, sk_error_last());
	web_put(r, "<p>%D %t</p>", p.total, N_("NIK(s) are registered more than once. Compare the records, choose the one that stays: the others are marked as its duplicate in their districts at the next sync."));
	for (int i = 0; i < p.n; i++) {
		struct dup_group *g = &p.g[i];
		web_put(r, "<form method=\"post\" action=\"/kota/duplikat\" class=\"card dup\" id=\"nik-%a\"><h2>NIK %h</h2>", g->nik, g->nik);
		web_csrf_field(r);
		web_put(r, "<input type=\"hidden\" name=\"nik\" value=\"%a\"><div class=\"table-wrap\"><table class=\"compare\"><thead><tr><th></th>",
			g->nik);
		for (int j = 0; j < g->n; j++)
			web_put(r, "<th><label><input type=\"radio\" name=\"keep\" value=\"%a\"%s> %t</label><br><a href=\"/pekerja/%u\"><small>%h</small></a></th>",
				g->rec[j].id, j ? "" : " required", N_("keep this one"), g->rec[j].id, g->rec[j].id);
		web_put(r, "</tr></thead><tbody>");
		for (int k = 0; k < DUP_FIELDS; k++) {
			int differ = 0;
			/* the record's fields; when each was last changed is not one of them */
			for (int j = 1; j < g->n && k < DUP_FIELDS - 1; j++)
				differ |= strcmp(g->rec[j].v[k], g->rec[0].v[k]) != 0;
			web_put(r, "<tr%s><th>%t</th>", differ ? " class=\"differs\"" : "", labels[k]);
			for (int j = 0; j < g->n; j++)
				web_put(r, "<td>%h</td>", g->rec[j].v[k]);
			web_put(r, "</tr>");
		}
		web_put(r, "</tbody></table></div><p><button type=\"submit\">%t</button></p></form>", N_("Decide: the chosen record stays"));
	}
	if (p.total > p.n)
		web_put(r, "<p class=\"more\" role=\"status\">%D %t %D %t; %D %t. %t</p>", (int64_t)p.n, N_("of"), (int64_t)p.total, N_("shown"),
			(int64_t)(p.total - p.n), N_("not shown on this page"), N_("Only the first 50 are shown: decide these and the next ones appear."));
	dup_free(&p);
	web_page_end(r);
}

void web_city_page_duplicates(struct web_req *r)
{
	const char *nik = web_arg(r, "nik"), *keep = web_arg(r, "keep");
	struct sk_db *db;
	size_t marked = 0;
	char msg[300];
	if (!r->post) {
		duplicates_page(r, NULL, NULL);
		return;
	}
	if (!web_city_may_decide(r))
		return;
	if (!nik || !keep || !*keep) {
		r->status = 422;
		duplicates_page(r, NULL, _("choose the record that stays"));
		return;
	}
	if (!(db = web_engine(r)) || sk_duplicate_decide(db, nik, keep, &marked) < 0) {
		r->status = 422;
		duplicates_page(r, NULL, sk_error_last());
		return;
	}
	web_city_note(r, "duplicate", nik, keep);
	snprintf(msg, sizeof(msg), _("NIK %s: %s stays; %zu other record(s) marked as its duplicate, sent to their districts with the next sync."),
		 nik, keep, marked);
	duplicates_page(r, msg, NULL);
}

/* ---- KPJ ---- */

void web_city_worker_kpj(struct web_req *r, const char *id, const char *kpj)
{
	web_put(r, "<form method=\"post\" action=\"/kota/kpj\" class=\"inline\" id=\"set-kpj\">");
	web_csrf_field(r);
	web_put(r, "<input type=\"hidden\" name=\"key\" value=\"%a\"><label>%t<input name=\"kpj\" inputmode=\"numeric\" value=\"%a\"></label>"
		   "<button type=\"submit\">%t</button></form>",
		id, N_("KPJ number from BPJS"), web_nz(kpj), N_("Set KPJ"));
}

struct kpj_rows {
	struct web_req *r;
	struct sk_buf refused, unknown;
	int nrefused, nunknown;
};

static void kpj_unmatched(void *payload, long line, const char *nik, const char *kpj, const char *why)
{
	struct kpj_rows *k = payload;
	int taken = why && strstr(why, "already belongs");
	char *t = i18n_tr_msg(why);
	struct sk_buf *b = taken ? &k->refused : &k->unknown;
	char *row = sk_printf("%ld", line);
	struct web_req fake;
	/* the row written escaped, into the list it belongs to */
	memset(&fake, 0, sizeof(fake));
	fake.out = *b;
	web_put(&fake, "<tr><td data-label=\"%a\">%h</td><td data-label=\"NIK\">%h</td><td data-label=\"KPJ\">%h</td><td data-label=\"%a\">%h</td></tr>",
		_("Line"), row, web_nz(nik), web_nz(kpj), _("Why"), t);
	*b = fake.out;
	taken ? k->nrefused++ : k->nunknown++;
	free(row);
	free(t);
}

static void kpj_form(struct web_req *r)
{
	web_put(r, "<section class=\"card\"><h2>%t</h2><form method=\"post\" action=\"/kota/kpj\" enctype=\"multipart/form-data\">",
		N_("BPJS's file (NIK and KPJ)"));
	web_csrf_field(r);
	web_put(r, "<label>%t<input type=\"file\" name=\"file\" accept=\".csv,text/csv\" required></label><button type=\"submit\">%t</button></form></section>",
		N_("File (CSV)"), N_("Read the file"));
	web_put(r, "<section class=\"card\"><h2>%t</h2><form method=\"post\" action=\"/kota/kpj\" class=\"inline\">", N_("One worker"));
	web_csrf_field(r);
	web_put(r, "<label>%t<input name=\"key\" inputmode=\"numeric\" required></label><label>%t<input name=\"kpj\" inputmode=\"numeric\" required></label>"
		   "<button type=\"submit\">%t</button></form></section>",
		N_("NIK"), N_("KPJ number from BPJS"), N_("Set KPJ"));
}

void web_city_page_kpj(struct web_req *r)
{
	const struct web_field *f = web_file(r, "file");
	const char *key = web_arg(r, "key"), *kpj = web_arg(r, "kpj");
	struct sk_db *db;

	if (!r->post) {
		web_page_begin(r, N_("KPJ"));
		web_put(r, "<p>%t</p>", N_("BPJS gives each registered worker a KPJ number. Enter it for one worker, or read the file BPJS sends back."));
		kpj_form(r);
		web_page_end(r);
		return;
	}
	if (!web_city_may_decide(r))
		return;
	db = web_engine(r);
	if (!f) {
		int rc = db && key ? sk_worker_set_city_field(db, key, "kpj", kpj) : -1;
		web_page_begin(r, N_("KPJ"));
		if (rc < 0) {
			r->status = 422;
			web_error_box(r, sk_error_last());
		} else {
			char msg[200];
			web_city_note(r, "kpj", key, kpj);
			snprintf(msg, sizeof(msg), _("KPJ %s set for %s: it reaches the district at the next sync."), web_nz(kpj), key);
			web_ok_box(r, msg);
			web_put(r, "<p><a href=\"/pekerja/%u\">%t</a></p>", key, N_("Open the worker's page"));
		}
		kpj_form(r);
		web_page_end(r);
		return;
	}
	/* the upload, through the same engine as `sinkron worker kpj --file` */
	{
		char dir[] = "/tmp/sinkron-kpj-XXXXXX", *path = NULL;
		struct sk_kpj_result res;
		struct kpj_rows k = {r, SK_BUF_INIT, SK_BUF_INIT, 0, 0};
		FILE *out;
		int rc = -1;
		memset(&res, 0, sizeof(res));
		if (mkdtemp(dir)) {
			path = sk_printf("%s/kpj.csv", dir);
			if ((out = fopen(path, "wb"))) {
				fwrite(f->value.ptr, 1, f->value.len, out);
				if (fclose(out) == 0)
					rc = sk_kpj_import(db, path, &res, kpj_unmatched, &k);
			}
			unlink(path);
			rmdir(dir);
			free(path);
		}
		web_page_begin(r, N_("KPJ"));
		if (rc < 0) {
			r->status = 422;
			web_error_box(r, sk_error_last());
		} else {
			web_city_note(r, "kpj-file", f->filename, NULL);
			web_put(r, "<section class=\"cards\" id=\"kpj-result\"><div class=\"card\"><div class=\"big\" id=\"kpj-set\">%D</div>%t</div>"
				   "<div class=\"card\"><div class=\"big\" id=\"kpj-unchanged\">%D</div>%t</div>"
				   "<div class=\"card\"><div class=\"big\" id=\"kpj-unknown\">%d</div>%t</div>"
				   "<div class=\"card\"><div class=\"big\" id=\"kpj-refused\">%d</div>%t</div></section>",
				(int64_t)res.set, N_("matched and set"), (int64_t)res.unchanged, N_("already set"), k.nunknown, N_("not matched"),
				k.nrefused, N_("refused: the KPJ is on another worker"));
			web_put(r, "<h2>%t</h2><div class=\"table-wrap\"><table class=\"list\" id=\"kpj-unknown-rows\"><thead><tr><th>%t</th><th>NIK</th>"
				   "<th>KPJ</th><th>%t</th></tr></thead><tbody>",
				N_("Not matched"), N_("Line"), N_("Why"));
			if (k.unknown.len)
				sk_buf_put(&r->out, k.unknown.ptr, k.unknown.len);
			web_put(r, "</tbody></table></div><h2>%t</h2><div class=\"table-wrap\"><table class=\"list\" id=\"kpj-refused-rows\"><thead><tr>"
				   "<th>%t</th><th>NIK</th><th>KPJ</th><th>%t</th></tr></thead><tbody>",
				N_("Refused"), N_("Line"), N_("Why"));
			if (k.refused.len)
				sk_buf_put(&r->out, k.refused.ptr, k.refused.len);
			web_put(r, "</tbody></table></div>");
		}
		sk_buf_release(&k.refused);
		sk_buf_release(&k.unknown);
		kpj_form(r);
		web_page_end(r);
	}
}

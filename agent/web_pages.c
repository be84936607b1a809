/*
 * web_pages.c: the clerk's pages: Beranda, Pekerja (search and list), a worker's page (heirs,
 * enrolments, history), Daftar baru, Ubah, Akhiri kepesertaan, Impor, Kirim sekarang.  Reads
 * come from the thread's own connection; every write goes through the engine (sync.h), like
 * the command line's, recorded as made by the logged-in account.
 */
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "web.h"

#define PAGE_SIZE 25

/* ---- the lists the forms offer: one function each, so they can come from tables later ---- */

struct choice {
	const char *value, *label;
};

static void choices_free(struct choice *v, size_t n);

struct funder_choices {
	struct choice *v;
	size_t n, cap;
};

static int add_funder_choice(void *payload, const struct sk_funder *f)
{
	struct funder_choices *l = payload;
	if (!f->active)
		return 0;
	if (l->n + 2 > l->cap) {
		l->cap = l->cap ? 2 * l->cap : 8;
		l->v = sk_realloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n].value = sk_strdup(f->name);
	l->v[l->n].label = sk_strdup(f->name);
	l->n++;
	l->v[l->n] = (struct choice){NULL, NULL};
	return 0;
}

/* who pays an enrolment: the funders list of the database (sk_funder_each), the active ones;
 * released with choices_free(v, *n_out) */
static struct choice *web_funders(struct web_req *r, size_t *n_out)
{
	struct funder_choices l = {sk_calloc(1, sizeof(struct choice)), 0, 1};
	struct sk_db *db = web_engine(r);
	if (db)
		sk_funder_each(db, add_funder_choice, &l);
	*n_out = l.n;
	return l.v;
}

/* why an enrolment ends: the engine's list (sk_end_reasons), as offices write it */
static struct choice end_reason_choices[16];
static void end_reasons_fill(void)
{
	const char *const *v = sk_end_reasons();
	for (size_t i = 0; v[i] && i + 1 < sizeof(end_reason_choices) / sizeof(end_reason_choices[0]); i++)
		end_reason_choices[i] = (struct choice){v[i], v[i]};
}
static const struct choice *web_end_reasons(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, end_reasons_fill);
	return end_reason_choices;
}
#define REASON_DIED "meninggal dunia"

static const struct choice *web_relationships(void)
{
	static const struct choice v[] = {{"istri", "istri"}, {"suami", "suami"}, {"anak", "anak kandung"}, {"ayah", "ayah"},
					  {"ibu", "ibu"}, {"orang tua", "orang tua"}, {"saudara kandung", "saudara kandung"},
					  {"kakek", "kakek"}, {"nenek", "nenek"}, {"cucu", "cucu"}, {"mertua", "mertua"},
					  {"pihak lain", "pihak lain"}, {NULL, NULL}};
	return v;
}

static const struct choice *web_sexes(void)
{
	static const struct choice v[] = {{"L", "Laki-laki"}, {"P", "Perempuan"}, {NULL, NULL}};
	return v;
}

static const struct choice *web_occupations(void)
{
	static const struct choice v[] = {
		{"Pedagang pasar", "Pedagang pasar"}, {"Mama-Mama Papua penjual pinang", "Mama-Mama Papua penjual pinang"},
		{"Tukang ojek", "Tukang ojek"}, {"Nelayan", "Nelayan"}, {"Petani", "Petani"}, {"Buruh harian", "Buruh harian"},
		{"Tukang bangunan", "Tukang bangunan"}, {"Sopir angkot", "Sopir angkot"}, {"Pendamping PKH", "Pendamping PKH"},
		{"Tenaga honorer", "Tenaga honorer"}, {NULL, NULL}};
	return v;
}

static const char *choice_label(const struct choice *c, const char *value)
{
	for (; value && c->value; c++)
		if (!strcasecmp(c->value, value))
			return c->label;
	return value ? value : "";
}

/* ---- small helpers ---- */

static const char *nz(const char *s) { return s ? s : ""; }

static void fmt_time(char *out, size_t n, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(out, n, "%d-%m-%Y %H:%M", &tm);
}

/* "1980-12-31" as the office writes it: 31-12-1980 */
static void fmt_date(char *out, size_t n, const char *iso)
{
	if (iso && strlen(iso) == 10 && iso[4] == '-')
		snprintf(out, n, "%.2s-%.2s-%.4s", iso + 8, iso + 5, iso);
	else
		snprintf(out, n, "%s", nz(iso));
}

static char *setting(struct web_req *r, const char *key)
{
	sqlite3_stmt *st;
	char *v = NULL;
	if (sqlite3_prepare_v2(web_rdb(r->srv), "SELECT value FROM settings WHERE key = ?", -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		v = sk_strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return v;
}

static const char *mark_class[] = {"mark-unsent", "mark-sent", "mark-received"};
static const char *mark_msgid[] = {N_("not yet sent"), N_("sent"), N_("received by the city")};

static void put_mark(struct web_req *r, struct sk_db *db, const char *id)
{
	int m = SK_MARK_UNSENT;
	if (!db || sk_worker_mark(db, id, &m) < 0)
		m = SK_MARK_UNSENT;
	web_put(r, "<span class=\"mark %s\">%t</span>", mark_class[m], mark_msgid[m]);
}

static void put_error_box(struct web_req *r, const char *engine_msg)
{
	char *t = i18n_tr_msg(engine_msg);
	web_put(r, "<p class=\"error\" role=\"alert\">%h</p>", t);
	free(t);
}

static void select_field(struct web_req *r, const char *name, const char *label_msgid, const struct choice *c,
			 const char *current, int with_empty)
{
	web_put(r, "<label>%t<select name=\"%a\">", label_msgid, name);
	if (with_empty)
		web_put(r, "<option value=\"\">%t</option>", N_("(choose)"));
	for (; c->value; c++)
		web_put(r, "<option value=\"%a\"%s>%h</option>", c->value, current && !strcasecmp(current, c->value) ? " selected" : "",
			c->label);
	web_put(r, "</select></label>");
}

/* the district's kelurahan, by name */
static struct choice *kelurahan_list(struct web_req *r, size_t *n_out)
{
	sqlite3_stmt *st;
	struct choice *v = sk_calloc(200, sizeof(*v));
	size_t n = 0;
	char *code = setting(r, "code");
	if (!code) {
		sqlite3_stmt *s2;
		if (sqlite3_prepare_v2(web_rdb(r->srv), "SELECT value FROM sk_state WHERE key = 'code'", -1, &s2, NULL) == SQLITE_OK) {
			if (sqlite3_step(s2) == SQLITE_ROW && sqlite3_column_text(s2, 0))
				code = sk_strdup((const char *)sqlite3_column_text(s2, 0));
			sqlite3_finalize(s2);
		}
	}
	if (sqlite3_prepare_v2(web_rdb(r->srv), "SELECT code, name FROM regions WHERE level = 'kelurahan' AND code LIKE ?1 || '.%' "
						 "ORDER BY name", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, nz(code), -1, SQLITE_STATIC);
		while (n < 199 && sqlite3_step(st) == SQLITE_ROW) {
			v[n].value = sk_strdup((const char *)sqlite3_column_text(st, 0));
			v[n].label = sk_strdup((const char *)sqlite3_column_text(st, 1));
			n++;
		}
		sqlite3_finalize(st);
	}
	free(code);
	*n_out = n;
	return v;
}

static void choices_free(struct choice *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free((char *)v[i].value);
		free((char *)v[i].label);
	}
	free(v);
}

static char *kelurahan_name(struct web_req *r, const char *code)
{
	sqlite3_stmt *st;
	char *v = NULL;
	if (sqlite3_prepare_v2(web_rdb(r->srv), "SELECT name FROM regions WHERE code = ?", -1, &st, NULL) != SQLITE_OK)
		return sk_strdup(nz(code));
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sk_strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return v ? v : sk_strdup(nz(code));
}

/* ---- the frame ---- */

void web_page_begin(struct web_req *r, const char *title_msgid)
{
	web_put(r, "<!doctype html><html lang=\"%a\"><head><meta charset=\"utf-8\">"
		   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
		   "<title>%t · sinkron</title><link rel=\"stylesheet\" href=\"/assets/style.css\"></head><body>",
		i18n_lang(), title_msgid);
	if (r->logged_in) {
		web_put(r, "<header><nav><a href=\"/\" class=\"brand\"><img src=\"/assets/icon.svg\" alt=\"\" width=\"16\" height=\"16\"> sinkron</a>");
		if (web_is_city(r->srv))
			web_city_nav(r);
		else
			web_put(r, "<a href=\"/\">%t</a><a href=\"/pekerja\">%t</a><a href=\"/daftar\">%t</a>"
				   "<a href=\"/impor\">%t</a><a href=\"/kirim\">%t</a>",
				N_("Home"), N_("Workers"), N_("Register"), N_("Import"), N_("Send now"));
		if (web_role_manages_accounts(r->role))
			web_put(r, "<a href=\"/akun\">%t</a>", N_("Accounts"));
		web_put(r, "<form method=\"post\" action=\"/logout\" class=\"logout\"><span class=\"who\">%h (%h)</span>", r->user,
			r->role);
		web_csrf_field(r);
		web_put(r, "<button type=\"submit\" class=\"link\">%t</button></form></nav></header>", N_("Log out"));
	}
	web_put(r, "<main><h1>%t</h1>", title_msgid);
}

void web_page_end(struct web_req *r)
{
	web_put(r, "</main></body></html>");
}

/* ---- Beranda ---- */

static void page_home(struct web_req *r)
{
	struct sk_db *db = web_engine(r);
	struct sk_counts c;
	struct sk_pending_info p;
	struct sk_receipt rec;
	char when[40], *last_ok, *last_err, *last_err_at, *next;
	sqlite3_stmt *st;

	web_page_begin(r, N_("Home"));
	if (!db) {
		put_error_box(r, sk_error_last());
		web_page_end(r);
		return;
	}
	web_put(r, "<p class=\"office\">%t %h (%h)</p>", N_("District"), sk_db_name(db), sk_db_code(db));
	memset(&c, 0, sizeof(c));
	sk_counts(db, &c);
	web_put(r, "<section class=\"cards\"><div class=\"card\"><div class=\"big\">%D</div>%t</div>"
		   "<div class=\"card\"><div class=\"big\">%D</div>%t</div>"
		   "<div class=\"card\"><div class=\"big\">%D</div>%t</div></section>",
		c.active, N_("active workers"), c.ended, N_("ended"), c.heirs, N_("heirs registered"));

	memset(&p, 0, sizeof(p));
	sk_pending(db, &p);
	web_put(r, "<section class=\"card\" id=\"pending\"><h2>%t</h2>", N_("Not yet sent to the city"));
	if (p.outbox_rows || p.unsent) {
		web_put(r, "<p class=\"warn\">");
		if (p.outbox_rows)
			web_put(r, "<strong>%D</strong> %t", (int64_t)p.outbox_rows, N_("changed records waiting to be sent"));
		if (p.oldest_ms) {
			fmt_time(when, sizeof(when), p.oldest_ms);
			web_put(r, ", %t %h", N_("since"), when);
		}
		if (p.outbox_rows && p.unsent)
			web_put(r, "; ");
		if (p.unsent)
			web_put(r, "<strong>%D</strong> %t", (int64_t)p.unsent, N_("packages ready, not yet at the city"));
		web_put(r, ".</p>");
	} else {
		web_put(r, "<p class=\"ok\">%t</p>", N_("Every change made here has been sent."));
	}
	last_ok = setting(r, "status.last_ok");
	last_err = setting(r, "status.last_error");
	last_err_at = setting(r, "status.last_error_at");
	next = setting(r, "status.next_attempt");
	if (last_err && last_err_at && (!last_ok || atoll(last_err_at) > atoll(last_ok))) {
		char *t = i18n_tr_msg(last_err);
		fmt_time(when, sizeof(when), atoll(last_err_at));
		web_put(r, "<p class=\"error\">%t (%h): %h</p>", N_("The last sync failed"), when, t);
		free(t);
	} else if (last_ok) {
		fmt_time(when, sizeof(when), atoll(last_ok));
		web_put(r, "<p>%t %h.</p>", N_("The last sync worked at"), when);
	} else {
		web_put(r, "<p>%t</p>", N_("No sync has been made yet."));
	}
	if (next) {
		fmt_time(when, sizeof(when), atoll(next));
		web_put(r, "<p>%t %h.</p>", N_("The next try is at"), when);
	}
	free(last_ok), free(last_err), free(last_err_at), free(next);
	web_put(r, "<form method=\"post\" action=\"/kirim\">");
	web_csrf_field(r);
	web_put(r, "<button type=\"submit\">%t</button></form></section>", N_("Send now"));

	web_put(r, "<section class=\"card\" id=\"city\"><h2>%t</h2>", N_("What the city has"));
	if (sk_receipt_get(db, &rec) == 0 && rec.have) {
		fmt_time(when, sizeof(when), rec.consolidated_at);
		if (rec.last_number >= (int64_t)p.sealed && !p.outbox_rows)
			web_put(r, "<p class=\"ok\">%t (%h).</p>", N_("The city has everything from this office"), when);
		else
			web_put(r, "<p class=\"warn\">%t %D %t %D (%h).</p>", N_("The city has received change-set"), rec.last_number,
				N_("of"), (int64_t)p.sealed, when);
		if (rec.matches == 0)
			web_put(r, "<p class=\"error\">%t</p>", N_("The city's copy of this office's data differs from ours: tell the city's IT staff."));
	} else {
		web_put(r, "<p>%t</p>", N_("The city has not confirmed anything from this office yet."));
	}
	web_put(r, "</section>");

	/* what the city decided about this office's records */
	web_put(r, "<section class=\"card\" id=\"decisions\"><h2>%t</h2><ul>", N_("Decisions of the city"));
	int any = 0;
	if (sqlite3_prepare_v2(web_rdb(r->srv),
			       "SELECT w.id, w.name, w.nik, w.duplicate_of, w.kpj FROM workers w WHERE w.duplicate_of IS NOT NULL "
			       "OR w.kpj IS NOT NULL ORDER BY w.duplicate_of IS NULL, w.name LIMIT 20",
			       -1, &st, NULL) == SQLITE_OK) {
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *id = (const char *)sqlite3_column_text(st, 0), *name = (const char *)sqlite3_column_text(st, 1);
			const char *dup = (const char *)sqlite3_column_text(st, 3), *kpj = (const char *)sqlite3_column_text(st, 4);
			any = 1;
			if (dup)
				web_put(r, "<li><a href=\"/pekerja/%u\">%h</a>: %t <a href=\"/pekerja/%u\">%h</a></li>", id, nz(name),
					N_("registered twice; the city keeps record"), dup, dup);
			else
				web_put(r, "<li><a href=\"/pekerja/%u\">%h</a>: %t %h</li>", id, nz(name), N_("KPJ number set by the city:"), kpj);
		}
		sqlite3_finalize(st);
	}
	if (!any)
		web_put(r, "<li>%t</li>", N_("No decision of the city concerns this office."));
	web_put(r, "</ul></section>");
	web_page_end(r);
}

/* ---- Pekerja ---- */

static void page_workers(struct web_req *r)
{
	const char *q = web_arg(r, "q"), *kel = web_arg(r, "kel"), *occ = web_arg(r, "occ"), *status = web_arg(r, "status");
	const char *pg = web_arg(r, "page");
	int page = pg ? atoi(pg) : 1, nrows = 0;
	int64_t total = 0;
	sqlite3_stmt *st;
	sqlite3 *h = web_rdb(r->srv);
	struct sk_db *db = web_engine(r);
	size_t nk;
	struct choice *kels = kelurahan_list(r, &nk);
	struct choice statuses[] = {{"active", _("active")}, {"ended", _("ended")}, {"all", _("all")}, {NULL, NULL}};
	struct sk_buf where = SK_BUF_INIT;
	char *sql;

	if (q && !*q)
		q = NULL;
	if (kel && !*kel)
		kel = NULL;
	if (occ && !*occ)
		occ = NULL;
	if (!status || !*status)
		status = "active";
	if (page < 1)
		page = 1;
	/* only the conditions asked for, so each can use its index: the list's order and status
	 * (web_workers_list), a NIK's or KPJ's digits (workers_nik), a name scanned in the index */
	sk_buf_puts(&where, strcmp(status, "all") ? "WHERE w.status = ?4 " : "WHERE ?4 = 'all' ");
	if (q && strspn(q, "0123456789") == strlen(q))
		sk_buf_puts(&where, "AND (w.nik >= ?1 AND w.nik < ?1 || ':' OR w.kpj = ?1) ");
	else if (q)
		sk_buf_puts(&where, "AND fold(w.name) LIKE '%' || fold(?1) || '%' ");
	if (kel)
		sk_buf_puts(&where, "AND w.kelurahan = ?2 ");
	if (occ)
		sk_buf_puts(&where, "AND w.occupation = ?3 ");
	web_page_begin(r, N_("Workers"));
	web_put(r, "<form method=\"get\" action=\"/pekerja\" class=\"filters\">"
		   "<label>%t<input name=\"q\" type=\"search\" value=\"%a\" placeholder=\"%a\"></label>",
		N_("Search"), nz(q), _("name, NIK or KPJ"));
	web_put(r, "<label>%t<select name=\"kel\"><option value=\"\">%t</option>", N_("Kelurahan"), N_("(all)"));
	for (size_t i = 0; i < nk; i++)
		web_put(r, "<option value=\"%a\"%s>%h</option>", kels[i].value, kel && !strcmp(kel, kels[i].value) ? " selected" : "",
			kels[i].label);
	web_put(r, "</select></label><label>%t<select name=\"occ\"><option value=\"\">%t</option>", N_("Occupation"), N_("(all)"));
	if (sqlite3_prepare_v2(h, "SELECT DISTINCT occupation FROM workers WHERE occupation IS NOT NULL ORDER BY 1 LIMIT 100", -1, &st,
			       NULL) == SQLITE_OK) {
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *o = (const char *)sqlite3_column_text(st, 0);
			web_put(r, "<option value=\"%a\"%s>%h</option>", o, occ && !strcmp(occ, o) ? " selected" : "", o);
		}
		sqlite3_finalize(st);
	}
	web_put(r, "</select></label>");
	select_field(r, "status", N_("Status"), statuses, status, 0);
	web_put(r, "<button type=\"submit\">%t</button></form>", N_("Search"));

	sql = sk_printf("SELECT count(*) FROM workers w %s", (const char *)where.ptr);
	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, q, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, kel, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, occ, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, status, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			total = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	free(sql);
	web_put(r, "<p class=\"count\">%D %t</p>", total, N_("workers found"));
	sql = sk_printf("SELECT w.id, w.name, w.nik, w.kpj, r.name, w.occupation, w.status FROM workers w "
			"LEFT JOIN regions r ON r.code = w.kelurahan %s ORDER BY w.name COLLATE NOCASE, w.id LIMIT %d OFFSET %d",
			(const char *)where.ptr, PAGE_SIZE, (page - 1) * PAGE_SIZE);
	web_put(r, "<div class=\"table-wrap\"><table class=\"list\"><thead><tr><th>%t</th><th>%t</th><th>%t</th><th>%t</th>"
		   "<th>%t</th></tr></thead><tbody>",
		N_("Name"), N_("NIK"), N_("Kelurahan"), N_("Occupation"), N_("Sync"));
	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, q, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, kel, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, occ, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, status, -1, SQLITE_STATIC);
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *id = (const char *)sqlite3_column_text(st, 0);
			nrows++;
			web_put(r, "<tr><td data-label=\"%a\"><a href=\"/pekerja/%u\">%h</a>", _("Name"), id,
				nz((const char *)sqlite3_column_text(st, 1)));
			if (!strcmp(nz((const char *)sqlite3_column_text(st, 6)), "ended"))
				web_put(r, " <span class=\"ended\">(%t)</span>", N_("ended"));
			web_put(r, "</td><td data-label=\"%a\">%h</td>"
				   "<td data-label=\"%a\">%h</td><td data-label=\"%a\">%h</td><td data-label=\"%a\">",
				_("NIK"), nz((const char *)sqlite3_column_text(st, 2)), _("Kelurahan"),
				nz((const char *)sqlite3_column_text(st, 4)), _("Occupation"), nz((const char *)sqlite3_column_text(st, 5)),
				_("Sync"));
			put_mark(r, db, id);
			web_put(r, "</td></tr>");
		}
		sqlite3_finalize(st);
	}
	free(sql);
	web_put(r, "</tbody></table></div>");
	if (!nrows)
		web_put(r, "<p>%t</p>", N_("No worker matches."));
	web_put(r, "<nav class=\"pages\">");
	if (page > 1)
		web_put(r, "<a href=\"/pekerja?q=%u&amp;kel=%u&amp;occ=%u&amp;status=%u&amp;page=%d\">&larr; %t</a> ", nz(q), nz(kel), nz(occ),
			status, page - 1, N_("previous"));
	if ((int64_t)page * PAGE_SIZE < total)
		web_put(r, "<a href=\"/pekerja?q=%u&amp;kel=%u&amp;occ=%u&amp;status=%u&amp;page=%d\">%t &rarr;</a>", nz(q), nz(kel), nz(occ),
			status, page + 1, N_("next"));
	web_put(r, "</nav>");
	choices_free(kels, nk);
	sk_buf_release(&where);
	web_page_end(r);
}

/* ---- a worker's page ---- */

struct list_ctx {
	struct web_req *r;
	int n;
	struct sk_buf seen;  /* the history: rows already shown, "\n"-separated */
};

static int put_heir(void *payload, const struct sk_heir *h)
{
	struct list_ctx *c = payload;
	c->n++;
	web_put(c->r, "<li>%h, %h%s%h%s%s%h</li>", nz(h->name), choice_label(web_relationships(), h->relationship), h->nik ? ", NIK " : "",
		nz(h->nik), "", h->phone ? ", HP " : "", nz(h->phone));
	return 0;
}

static int put_enrolment(void *payload, const struct sk_enrolment *e)
{
	struct list_ctx *c = payload;
	char a[16], b[16];
	fmt_date(a, sizeof(a), e->start_on);
	fmt_date(b, sizeof(b), e->end_on);
	c->n++;
	web_put(c->r, "<li>%h, %h, %t %h", nz(e->program), nz(e->funder), N_("from"), a);
	if (e->end_on)
		web_put(c->r, " %t %h", N_("until"), b);
	web_put(c->r, "</li>");
	return 0;
}

static const char *table_msgid(const char *t)
{
	static const char *tbls[][2] = {{"workers", N_("worker")}, {"heirs", N_("heir")}, {"enrolments", N_("enrolment")}};
	for (int i = 0; i < 3; i++)
		if (!strcmp(t, tbls[i][0]))
			return tbls[i][1];
	return t;
}

/* a column's name as the clerk knows it */
static const char *column_label(const char *col)
{
	static const char *cols[][2] = {
		{"nik", N_("NIK")}, {"kk", N_("No KK")}, {"name", N_("Name")}, {"birth_place", N_("Place of birth")},
		{"birth_date", N_("Date of birth")}, {"sex", N_("Sex")}, {"address", N_("Address")}, {"kelurahan", N_("Kelurahan")},
		{"phone", N_("Phone")}, {"occupation", N_("Occupation")}, {"workplace", N_("Workplace")},
		{"income", N_("Monthly income (Rp)")}, {"status", N_("Status")}, {"ended_on", N_("ended on")},
		{"end_reason", N_("Reason")}, {"kpj", N_("KPJ")}, {"verified", N_("verified by the city")},
		{"duplicate_of", N_("registered twice")}, {"relationship", N_("Relationship")}, {"program", N_("programme")},
		{"funder", N_("Paid by")}, {"start_on", N_("from")}, {"end_on", N_("until")}, {"worker_id", N_("worker")},
		{"decree", N_("decree")}};
	for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
		if (!strcmp(col, cols[i][0]))
			return _(cols[i][1]);
	return col;
}

static int put_history(void *payload, const struct sk_history_entry *e)
{
	struct list_ctx *c = payload;
	char when[40];
	struct sk_buf f = SK_BUF_INIT;
	const char *p = e->fields;
	/* "phone, address" in the clerk's words */
	while (p && *p) {
		const char *end = strstr(p, ", ");
		char *col = end ? sk_strndup(p, (size_t)(end - p)) : sk_strdup(p);
		sk_buf_printf(&f, "%s%s", f.len ? ", " : "", column_label(col));
		free(col);
		p = end ? end + 2 : NULL;
	}
	fmt_time(when, sizeof(when), e->at);
	c->n++;
	/* the first change-set that carries a row made it (this office's come first, oldest first) */
	char *key = sk_printf("\n%s\n", e->pk);
	int first = !strstr((const char *)c->seen.ptr, key);
	if (first)
		sk_buf_puts(&c->seen, key + 1); /* seen starts with "\n": each pk between two */
	free(key);
	web_put(c->r, "<li>%h: %t %t %t %h", when, table_msgid(e->table),
		e->deleted ? N_("removed") : first ? N_("added") : N_("changed"), N_("by"),
		e->operator_name ? e->operator_name : _("(outside sinkron)"));
	if (strchr(e->origin, '.') == strrchr(e->origin, '.'))
		web_put(c->r, " (%t)", N_("the city"));
	if (f.len && !first)
		web_put(c->r, ": %h", (const char *)f.ptr);
	web_put(c->r, "</li>");
	sk_buf_release(&f);
	return c->n >= 200;
}

static void history(struct web_req *r, struct sk_db *db, const char *id)
{
	sqlite3_stmt *st;
	struct list_ctx lc = {r, 0, SK_BUF_INIT};
	sk_buf_puts(&lc.seen, "\n");
	web_put(r, "<section class=\"card\" id=\"history\"><h2>%t</h2><ul>", N_("History"));
	/* what the change-sets carried, then what is not yet sealed (the outbox) */
	sk_worker_history(db, id, put_history, &lc);
	if (sqlite3_prepare_v2(web_rdb(r->srv),
			       "SELECT o.at, o.operator, o.op, t.name FROM sk_outbox o "
			       "JOIN sk_tables t ON t.id = o.tbl WHERE o.pk = ?1 OR o.pk IN (SELECT id FROM heirs WHERE worker_id = ?1) "
			       "OR o.pk IN (SELECT id FROM enrolments WHERE worker_id = ?1) ORDER BY o.seq LIMIT 50",
			       -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		while (sqlite3_step(st) == SQLITE_ROW) {
			char when[40];
			static const char *ops[] = {"", N_("added"), N_("changed"), N_("removed")};
			int op = sqlite3_column_int(st, 2);
			const char *who = (const char *)sqlite3_column_text(st, 1);
			fmt_time(when, sizeof(when), sqlite3_column_int64(st, 0));
			web_put(r, "<li>%h: %t %t %t %h <span class=\"mark mark-unsent\">%t</span></li>", when,
				table_msgid((const char *)sqlite3_column_text(st, 3)), op >= 1 && op <= 3 ? ops[op] : "", N_("by"),
				who ? who : _("(outside sinkron)"), N_("not yet sent"));
			lc.n++;
		}
		sqlite3_finalize(st);
	}
	if (!lc.n)
		web_put(r, "<li>%t</li>", N_("No change recorded yet."));
	web_put(r, "</ul></section>");
	sk_buf_release(&lc.seen);
}

static void page_worker(struct web_req *r)
{
	const char *id = r->path + strlen("/pekerja/");
	struct sk_db *db = web_engine(r);
	struct sk_worker w;
	struct list_ctx lc = {r, 0, SK_BUF_INIT};
	char bd[16], *kel;
	int active;

	if (!db || sk_worker_get(db, &w, id) < 0) {
		r->status = MHD_HTTP_NOT_FOUND;
		web_page_begin(r, N_("Worker not found"));
		put_error_box(r, sk_error_last());
		web_page_end(r);
		return;
	}
	active = !w.status || strcmp(w.status, "ended");
	kel = kelurahan_name(r, w.kelurahan);
	fmt_date(bd, sizeof(bd), w.birth_date);
	web_page_begin(r, N_("Worker"));
	if (web_arg(r, "saved"))
		web_put(r, "<p class=\"ok\" role=\"status\">%t</p>", N_("Saved. It will be sent to the city at the next sync."));
	if (web_arg(r, "warn"))
		web_put(r, "<p class=\"warn\" role=\"status\">%t</p>", N_("Saved with the warnings you confirmed."));
	web_put(r, "<h2 class=\"name\">%h</h2><p>", nz(w.name));
	put_mark(r, db, w.id);
	if (!active)
		web_put(r, " <span class=\"ended\">%t %h: %h</span>", N_("ended on"), nz(w.ended_on), nz(w.end_reason));
	web_put(r, "</p><dl class=\"fields\">");
	web_put(r, "<dt>%t</dt><dd>%h</dd><dt>%t</dt><dd>%h</dd><dt>%t</dt><dd>%h</dd>", N_("NIK"), nz(w.nik), N_("No KK"), nz(w.kk),
		N_("KPJ"), w.kpj ? w.kpj : _("(not yet from the city)"));
	web_put(r, "<dt>%t</dt><dd>%h, %h</dd><dt>%t</dt><dd>%h</dd>", N_("Place and date of birth"), nz(w.birth_place), bd, N_("Sex"),
		choice_label(web_sexes(), w.sex));
	web_put(r, "<dt>%t</dt><dd>%h</dd><dt>%t</dt><dd>%h</dd><dt>%t</dt><dd>%h</dd>", N_("Address"), nz(w.address), N_("Kelurahan"), kel,
		N_("Phone"), nz(w.phone));
	web_put(r, "<dt>%t</dt><dd>%h</dd><dt>%t</dt><dd>%h</dd></dl>", N_("Occupation"), nz(w.occupation), N_("Workplace"), nz(w.workplace));
	if (web_is_city(r->srv)) {
		if (active)
			web_city_worker_kpj(r, w.id, w.kpj);
	} else if (active)
		web_put(r, "<p class=\"actions\"><a class=\"button\" href=\"/ubah?id=%u\">%t</a> "
			   "<a class=\"button danger\" href=\"/akhiri?id=%u\">%t</a></p>",
			w.id, N_("Correct"), w.id, N_("End enrolment"));

	web_put(r, "<section class=\"card\" id=\"heirs\"><h2>%t</h2><ul>", N_("Heirs"));
	sk_heir_each(db, w.id, put_heir, &lc);
	if (!lc.n)
		web_put(r, "<li>%t</li>", N_("No heir registered: the JKM benefit (Rp42.000.000) goes to the heir."));
	web_put(r, "</ul><p><a class=\"button\" href=\"/ahli-waris?id=%u\">%t</a></p></section>", w.id, N_("Add heir"));

	lc.n = 0;
	web_put(r, "<section class=\"card\" id=\"enrolments\"><h2>%t</h2><ul>", N_("Enrolments"));
	sk_enrolment_each(db, w.id, put_enrolment, &lc);
	if (!lc.n)
		web_put(r, "<li>%t</li>", N_("Not enrolled."));
	web_put(r, "</ul>");
	if (active) {
		web_put(r, "<form method=\"post\" action=\"/kepesertaan\" class=\"inline\">");
		web_csrf_field(r);
		web_put(r, "<input type=\"hidden\" name=\"id\" value=\"%a\">", w.id);
		size_t nf;
		struct choice *funders = web_funders(r, &nf);
		select_field(r, "funder", N_("Paid by"), funders, "APBD Kota", 0);
		choices_free(funders, nf);
		web_put(r, "<label>%t<input name=\"start\" type=\"month\" placeholder=\"2024-03\"></label>"
			   "<button type=\"submit\">%t</button></form>",
			N_("First month"), N_("Enrol in JKK and JKM"));
	}
	web_put(r, "</section>");
	history(r, db, w.id);
	free(kel);
	sk_worker_release(&w);
	web_page_end(r);
}

/* ---- Daftar baru and Ubah ---- */

struct form_field {
	const char *name;         /* the form's name */
	const char *issue_field;  /* the field name the engine's issues use */
	const char *label;        /* msgid */
	const char *type;         /* input type, or "sex", "kel", "occ" for the lists */
	int required;
};

static const struct form_field worker_fields[] = {
	{"nik", "NIK", N_("NIK"), "text", 1},
	{"name", "Nama", N_("Name"), "text", 1},
	{"birth_place", "Tempat Lahir", N_("Place of birth"), "text", 0},
	{"birth_date", "Tanggal Lahir", N_("Date of birth"), "text", 1},
	{"sex", "Jenis Kelamin", N_("Sex"), "sex", 1},
	{"kk", "No KK", N_("No KK"), "text", 0},
	{"address", "Alamat", N_("Address"), "text", 0},
	{"kelurahan", "Kelurahan", N_("Kelurahan"), "kel", 1},
	{"phone", "No HP", N_("Phone"), "tel", 0},
	{"occupation", "Pekerjaan", N_("Occupation"), "occ", 0},
	{"workplace", "Tempat Kerja", N_("Workplace"), "text", 0},
	{"income", "Penghasilan", N_("Monthly income (Rp)"), "text", 0},
	{NULL, NULL, NULL, NULL, 0},
};

static void put_issues_for(struct web_req *r, const struct sk_issues *is, const char *field)
{
	for (int i = 0; is && i < is->n; i++) {
		char *t;
		if (strcmp(is->v[i].field, field))
			continue;
		t = i18n_tr_msg(is->v[i].reason);
		web_put(r, "<span class=\"%s\" role=\"alert\">%h</span>", is->v[i].error ? "field-error" : "field-warn", t);
		free(t);
	}
}

/* issues whose field is not on the form */
static void put_other_issues(struct web_req *r, const struct sk_issues *is)
{
	for (int i = 0; is && i < is->n; i++) {
		int known = 0;
		for (const struct form_field *f = worker_fields; f->name; f++)
			known |= !strcmp(f->issue_field, is->v[i].field);
		if (!known) {
			char *t = i18n_tr_msg(is->v[i].reason);
			web_put(r, "<p class=\"%s\" role=\"alert\">%h: %h</p>", is->v[i].error ? "error" : "warn", is->v[i].field, t);
			free(t);
		}
	}
}

static void worker_form(struct web_req *r, const char *action, const char *id, const char *const vals[], const struct sk_issues *is,
			int ask_confirm, int with_funder)
{
	size_t nk;
	struct choice *kels = kelurahan_list(r, &nk);
	int i = 0;
	if (is && sk_issues_errors(is))
		web_put(r, "<p class=\"error\" role=\"alert\">%t</p>", N_("Nothing was saved: correct the fields marked below."));
	put_other_issues(r, is);
	web_put(r, "<form method=\"post\" action=\"%a\" class=\"card form\" novalidate>", action);
	web_csrf_field(r);
	if (id)
		web_put(r, "<input type=\"hidden\" name=\"id\" value=\"%a\">", id);
	for (const struct form_field *f = worker_fields; f->name; f++, i++) {
		const char *v = vals ? vals[i] : NULL;
		web_put(r, "<div class=\"field\" id=\"f-%a\">", f->name);
		if (!strcmp(f->type, "sex")) {
			select_field(r, f->name, f->label, web_sexes(), v, 1);
		} else if (!strcmp(f->type, "kel")) {
			web_put(r, "<label>%t<select name=\"kelurahan\"><option value=\"\">%t</option>", f->label, N_("(choose)"));
			for (size_t k = 0; k < nk; k++)
				web_put(r, "<option value=\"%a\"%s>%h</option>", kels[k].value,
					v && (!strcmp(v, kels[k].value) || !strcasecmp(v, kels[k].label)) ? " selected" : "", kels[k].label);
			web_put(r, "</select></label>");
		} else if (!strcmp(f->type, "occ")) {
			web_put(r, "<label>%t<input name=\"occupation\" list=\"occupations\" value=\"%a\"></label><datalist id=\"occupations\">",
				f->label, nz(v));
			for (const struct choice *c = web_occupations(); c->value; c++)
				web_put(r, "<option value=\"%a\">", c->value);
			web_put(r, "</datalist>");
		} else {
			web_put(r, "<label>%t%s<input name=\"%a\" type=\"%a\" value=\"%a\"%s%s></label>", f->label,
				f->required ? " <abbr title=\"wajib\">*</abbr>" : "", f->name, f->type, nz(v),
				!strcmp(f->name, "nik") || !strcmp(f->name, "kk") ? " inputmode=\"numeric\" maxlength=\"20\"" : "",
				!strcmp(f->name, "birth_date") ? " placeholder=\"31-12-1980\"" : "");
		}
		put_issues_for(r, is, f->issue_field);
		web_put(r, "</div>");
	}
	if (with_funder) {
		web_put(r, "<div class=\"field\">");
		size_t nf;
		struct choice *funders = web_funders(r, &nf);
		select_field(r, "funder", N_("Enrol in JKK and JKM, paid by"), funders, vals ? web_arg(r, "funder") : "APBD Kota", 1);
		choices_free(funders, nf);
		web_put(r, "</div>");
	}
	if (ask_confirm)
		web_put(r, "<p class=\"warn\"><label class=\"check\"><input type=\"checkbox\" name=\"confirm\" value=\"1\"> %t</label></p>",
			N_("I have checked the warnings above: save anyway"));
	web_put(r, "<p><button type=\"submit\">%t</button></p></form>", N_("Save"));
	choices_free(kels, nk);
}

static void input_from_form(struct web_req *r, struct sk_worker_input *in, const char *vals[])
{
	int i = 0;
	for (const struct form_field *f = worker_fields; f->name; f++, i++)
		vals[i] = web_arg(r, f->name);
	memset(in, 0, sizeof(*in));
	in->nik = vals[0], in->name = vals[1], in->birth_place = vals[2], in->birth_date = vals[3], in->sex = vals[4];
	in->kk = vals[5], in->address = vals[6], in->kelurahan = vals[7], in->phone = vals[8], in->occupation = vals[9];
	in->workplace = vals[10], in->income = vals[11];
}

static void page_register(struct web_req *r)
{
	const char *vals[16] = {0};
	struct sk_worker_input in;
	struct sk_issues is;
	struct sk_db *db;
	char *id = NULL;
	int rc;

	if (!r->post) {
		web_page_begin(r, N_("Register a worker"));
		worker_form(r, "/daftar", NULL, NULL, NULL, 0, 1);
		web_page_end(r);
		return;
	}
	input_from_form(r, &in, vals);
	db = web_engine(r);
	memset(&is, 0, sizeof(is));
	rc = db ? sk_worker_check(db, &is, &in) : SK_ERROR;
	if (rc < 0 || (is.n && !web_arg(r, "confirm"))) {
		r->status = rc < 0 ? MHD_HTTP_UNPROCESSABLE_CONTENT : MHD_HTTP_OK;
		web_page_begin(r, N_("Register a worker"));
		if (rc < 0 && !is.n)
			put_error_box(r, sk_error_last());
		worker_form(r, "/daftar", NULL, vals, &is, rc == 0, 1);
		web_page_end(r);
		return;
	}
	rc = sk_worker_add(db, &id, &is, &in);
	if (rc < 0) {
		r->status = MHD_HTTP_UNPROCESSABLE_CONTENT;
		web_page_begin(r, N_("Register a worker"));
		put_error_box(r, sk_error_last());
		worker_form(r, "/daftar", NULL, vals, &is, 0, 1);
		web_page_end(r);
		return;
	}
	{
		const char *funder = web_arg(r, "funder");
		if (funder && *funder) {
			char *eid = NULL;
			if (sk_enrol(db, &eid, id, "JKK+JKM", funder, NULL, NULL, 0) < 0) {
				char *t = i18n_tr_msg(sk_error_last());
				free(t);
			}
			free(eid);
		}
	}
	{
		char *loc = sk_printf("/pekerja/%s?saved=1%s", id, is.n ? "&warn=1" : "");
		web_redirect(r, loc);
		free(loc);
	}
	free(id);
}

static void page_edit(struct web_req *r)
{
	const char *id = web_arg(r, "id");
	struct sk_db *db = web_engine(r);
	struct sk_worker w;
	struct sk_issues is;
	int changed = 0, rc;

	if (!id || !db || sk_worker_get(db, &w, id) < 0) {
		r->status = MHD_HTTP_NOT_FOUND;
		web_page_begin(r, N_("Worker not found"));
		put_error_box(r, sk_error_last());
		web_page_end(r);
		return;
	}
	if (!r->post) {
		char bd[16], inc[32] = "";
		fmt_date(bd, sizeof(bd), w.birth_date);
		if (w.income)
			snprintf(inc, sizeof(inc), "%lld", (long long)w.income);
		const char *vals[] = {w.nik, w.name, w.birth_place, bd, w.sex, w.kk, w.address, w.kelurahan, w.phone, w.occupation,
				      w.workplace, inc};
		web_page_begin(r, N_("Correct a worker"));
		web_put(r, "<p><a href=\"/pekerja/%u\">&larr; %h</a></p>", w.id, nz(w.name));
		worker_form(r, "/ubah", w.id, vals, NULL, 0, 0);
		web_page_end(r);
		sk_worker_release(&w);
		return;
	}
	{
		const char *vals[16] = {0};
		struct sk_worker_input in;
		input_from_form(r, &in, vals);
		memset(&is, 0, sizeof(is));
		rc = sk_worker_edit(db, w.id, &is, &in, &changed);
		if (rc < 0) {
			r->status = MHD_HTTP_UNPROCESSABLE_CONTENT;
			web_page_begin(r, N_("Correct a worker"));
			if (!sk_issues_errors(&is))
				put_error_box(r, sk_error_last());
			worker_form(r, "/ubah", w.id, vals, &is, 0, 0);
			web_page_end(r);
		} else {
			char *loc = sk_printf("/pekerja/%s?saved=1%s", w.id, is.n ? "&warn=1" : "");
			web_redirect(r, loc);
			free(loc);
		}
	}
	sk_worker_release(&w);
}

/* ---- Akhiri kepesertaan, Ahli waris, Kepesertaan ---- */

static int count_heir(void *payload, const struct sk_heir *h)
{
	(void)h;
	(*(int *)payload)++;
	return 0;
}

static void page_end(struct web_req *r)
{
	const char *id = web_arg(r, "id");
	struct sk_db *db = web_engine(r);
	struct sk_worker w;

	if (!id || !db || sk_worker_get(db, &w, id) < 0) {
		r->status = MHD_HTTP_NOT_FOUND;
		web_page_begin(r, N_("Worker not found"));
		put_error_box(r, sk_error_last());
		web_page_end(r);
		return;
	}
	char *err = NULL;
	if (r->post) {
		const char *reason = web_arg(r, "reason"), *date = web_arg(r, "date");
		int known = 0, heirs = 0;
		for (const struct choice *c = web_end_reasons(); reason && c->value; c++)
			known |= !strcmp(c->value, reason);
		r->status = MHD_HTTP_UNPROCESSABLE_CONTENT;
		if (!known) {
			err = sk_strdup(_("choose the reason from the list"));
		} else if (sk_worker_end(db, w.id, date && *date ? date : NULL, reason) < 0) {
			err = i18n_tr_msg(sk_error_last());
		} else {
			char *loc;
			sk_heir_each(db, w.id, count_heir, &heirs);
			if (!strcmp(reason, REASON_DIED) && !heirs)
				loc = sk_printf("/ahli-waris?id=%s&died=1", w.id);
			else
				loc = sk_printf("/pekerja/%s?saved=1", w.id);
			web_redirect(r, loc);
			free(loc);
			sk_worker_release(&w);
			return;
		}
	}
	web_page_begin(r, N_("End enrolment"));
	web_put(r, "<p><a href=\"/pekerja/%u\">&larr; %h</a> (NIK %h)</p>", w.id, nz(w.name), nz(w.nik));
	if (err)
		web_put(r, "<p class=\"error\" role=\"alert\">%h</p>", err);
	free(err);
	web_put(r, "<form method=\"post\" action=\"/akhiri\" class=\"card form\">");
	web_csrf_field(r);
	web_put(r, "<input type=\"hidden\" name=\"id\" value=\"%a\">", w.id);
	select_field(r, "reason", N_("Reason"), web_end_reasons(), web_arg(r, "reason"), 1);
	web_put(r, "<label>%t<input name=\"date\" placeholder=\"31-12-2024\" value=\"%a\"></label>"
		   "<p class=\"hint\">%t</p><p><button type=\"submit\" class=\"danger\">%t</button></p></form>",
		N_("Date (empty: today)"), r->post ? nz(web_arg(r, "date")) : "",
		N_("Ending closes the worker's enrolments on that date. If the worker died, the heir receives the JKM benefit."),
		N_("End enrolment"));
	web_page_end(r);
	sk_worker_release(&w);
}

static void page_heir(struct web_req *r)
{
	const char *id = web_arg(r, "id");
	struct sk_db *db = web_engine(r);
	struct sk_worker w;
	struct sk_issues is;
	int rc = 0;

	if (!id || !db || sk_worker_get(db, &w, id) < 0) {
		r->status = MHD_HTTP_NOT_FOUND;
		web_page_begin(r, N_("Worker not found"));
		put_error_box(r, sk_error_last());
		web_page_end(r);
		return;
	}
	memset(&is, 0, sizeof(is));
	if (r->post) {
		char *hid = NULL;
		rc = sk_heir_add(db, &hid, &is, w.id, web_arg(r, "name"), web_arg(r, "nik"), web_arg(r, "relationship"), web_arg(r, "phone"));
		free(hid);
		if (rc == 0) {
			char *loc = sk_printf("/pekerja/%s?saved=1", w.id);
			web_redirect(r, loc);
			free(loc);
			sk_worker_release(&w);
			return;
		}
		r->status = MHD_HTTP_UNPROCESSABLE_CONTENT;
	}
	web_page_begin(r, N_("Add heir"));
	web_put(r, "<p><a href=\"/pekerja/%u\">&larr; %h</a></p>", w.id, nz(w.name));
	if (web_arg(r, "died"))
		web_put(r, "<p class=\"warn\" role=\"status\">%t</p>",
			N_("The worker died and has no heir registered: register the heir, who receives the JKM benefit of Rp42.000.000."));
	if (rc < 0) {
		if (sk_issues_errors(&is))
			web_put(r, "<p class=\"error\" role=\"alert\">%t</p>", N_("Nothing was saved: correct the fields marked below."));
		else
			put_error_box(r, sk_error_last());
	}
	web_put(r, "<form method=\"post\" action=\"/ahli-waris\" class=\"card form\">");
	web_csrf_field(r);
	web_put(r, "<input type=\"hidden\" name=\"id\" value=\"%a\">", w.id);
	web_put(r, "<div class=\"field\"><label>%t <abbr title=\"wajib\">*</abbr><input name=\"name\" value=\"%a\"></label>", N_("Heir's name"),
		nz(web_arg(r, "name")));
	put_issues_for(r, &is, "Nama Ahli Waris");
	web_put(r, "</div><div class=\"field\">");
	select_field(r, "relationship", N_("Relationship"), web_relationships(), web_arg(r, "relationship"), 1);
	put_issues_for(r, &is, "Hubungan");
	web_put(r, "</div><div class=\"field\"><label>%t<input name=\"nik\" inputmode=\"numeric\" value=\"%a\"></label>", N_("Heir's NIK"),
		nz(web_arg(r, "nik")));
	put_issues_for(r, &is, "NIK");
	web_put(r, "</div><div class=\"field\"><label>%t<input name=\"phone\" type=\"tel\" value=\"%a\"></label>", N_("Phone"),
		nz(web_arg(r, "phone")));
	put_issues_for(r, &is, "No HP");
	web_put(r, "</div><p><button type=\"submit\">%t</button></p></form>", N_("Save"));
	web_page_end(r);
	sk_worker_release(&w);
}

static void page_enrol(struct web_req *r)
{
	const char *id = web_arg(r, "id"), *funder = web_arg(r, "funder"), *start = web_arg(r, "start");
	struct sk_db *db = web_engine(r);
	char *eid = NULL;
	int known = 0;
	size_t nf;
	struct choice *funders = web_funders(r, &nf);
	for (const struct choice *c = funders; funder && c->value; c++)
		known |= !strcmp(c->value, funder);
	choices_free(funders, nf);
	if (!db || !id || !known || sk_enrol(db, &eid, id, "JKK+JKM", funder, NULL, start && *start ? start : NULL, 0) < 0) {
		r->status = MHD_HTTP_UNPROCESSABLE_CONTENT;
		web_page_begin(r, N_("Enrolments"));
		if (!known)
			web_put(r, "<p class=\"error\" role=\"alert\">%t</p>", N_("choose who pays from the list"));
		else
			put_error_box(r, sk_error_last());
		web_put(r, "<p><a href=\"/pekerja/%u\">%t</a></p>", nz(id), N_("Back to the worker"));
		web_page_end(r);
		return;
	}
	free(eid);
	char *loc = sk_printf("/pekerja/%s?saved=1", id);
	web_redirect(r, loc);
	free(loc);
}

const struct web_route web_routes[] = {
	{"GET", "/", page_home, 0},
	{"GET", "/pekerja", page_workers, 0},
	{"GET", "/pekerja/", page_worker, 1},
	{"GET", "/daftar", page_register, 0},
	{"POST", "/daftar", page_register, 0},
	{"GET", "/ubah", page_edit, 0},
	{"POST", "/ubah", page_edit, 0},
	{"GET", "/akhiri", page_end, 0},
	{"POST", "/akhiri", page_end, 0},
	{"GET", "/ahli-waris", page_heir, 0},
	{"POST", "/ahli-waris", page_heir, 0},
	{"POST", "/kepesertaan", page_enrol, 0},
	{"GET", "/akun", web_page_accounts, 0},
	{"POST", "/akun", web_page_accounts, 0},
	{NULL, NULL, NULL, 0},
};

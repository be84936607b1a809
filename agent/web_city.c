/*
 * web_city.c: the city's desk, served when the database is the city's: the districts at a
 * glance (Beranda), Karantina and the city's table of pages.  The other rooms: web_city_dup.c
 * (Duplikat, KPJ), web_city_money.c (Tagihan & laporan), web_city_history.c (Riwayat); what
 * they share is in web_city_common.c.  Every decision goes through the engine functions the
 * command line calls, recorded as made by the logged-in account; only an operator kota decides
 * (a pemantau is refused every form in web_server.c's dispatch).  Called by the server
 * (web_server.c) through its table of pages; it calls the rooms, web_city_common.c, the page
 * frame and the request layer.
 */
#include <microhttpd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent.h"
#include "web.h"
#include "web_city.h"

#define SILENT_DAYS 7

/* "3 jam yang lalu", "9 hari yang lalu" */
static void put_ago(struct web_req *r, int64_t ms)
{
	int64_t s = (web_city_now_ms() - ms) / 1000;
	if (s < 0)
		s = 0;
	if (s < 3600)
		web_put(r, "%D %t", s / 60, N_("minutes ago"));
	else if (s < 2 * 86400)
		web_put(r, "%D %t", s / 3600, N_("hours ago"));
	else
		web_put(r, "%D %t", s / 86400, N_("days ago"));
}

/* The office's forms (register, correct, end, heirs, enrolments, import) write a district's
 * records: the city decides about them but never edits them, whatever the account's role */
static void page_office_form(struct web_req *r)
{
	web_refuse(r, MHD_HTTP_FORBIDDEN,
		   N_("the city does not change a district's records: that form is the district office's; nothing was changed"));
}

/* ---- Beranda: the districts at a glance ---- */


static struct district *district_of(struct districts *d, const char *code)
{
	for (int i = 0; code && i < d->n; i++)
		if (!strcmp(d->v[i].code, code))
			return &d->v[i];
	return NULL;
}

static int count_held(void *payload, const struct sk_quarantined *q)
{
	struct district *x = district_of(payload, q->origin);
	if (x)
		x->held++;
	return 0;
}

struct dup_count {
	struct districts *d;
	char nik[24];
	int64_t groups;
};

static int count_dup(void *payload, const struct sk_duplicate *q)
{
	struct dup_count *c = payload;
	struct district *x = district_of(c->d, q->owner);
	if (x)
		x->dups++;
	if (strcmp(c->nik, web_nz(q->nik))) {
		snprintf(c->nik, sizeof(c->nik), "%s", web_nz(q->nik));
		c->groups++;
	}
	return 0;
}

static int64_t districts_load(struct web_req *r, struct sk_db *db, struct districts *d)
{
	sqlite3 *h = web_rdb(r->srv);
	sqlite3_stmt *st;
	struct dup_count dc = {d, "", 0};

	d->n = 0;
	if (sqlite3_prepare_v2(h, "SELECT code, name FROM regions WHERE level = 'district' AND code LIKE ?1 || '.%' ORDER BY code", -1,
			       &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, sk_db_code(db), -1, SQLITE_STATIC);
		while (sqlite3_step(st) == SQLITE_ROW) {
			struct district *x;
			d->v = sk_realloc(d->v, (size_t)(d->n + 1) * sizeof(*d->v));
			x = &d->v[d->n++];
			memset(x, 0, sizeof(*x));
			snprintf(x->code, sizeof(x->code), "%s", (const char *)sqlite3_column_text(st, 0));
			snprintf(x->name, sizeof(x->name), "%s", (const char *)sqlite3_column_text(st, 1));
			x->match = -1;
		}
		sqlite3_finalize(st);
	}
	if (sqlite3_prepare_v2(h, "SELECT owner, count(*) FILTER (WHERE status IS NOT 'ended'), count(*) FILTER (WHERE status = 'ended') "
				  "FROM workers GROUP BY owner", -1, &st, NULL) == SQLITE_OK) {
		while (sqlite3_step(st) == SQLITE_ROW) {
			struct district *x = district_of(d, (const char *)sqlite3_column_text(st, 0));
			if (x)
				x->active = sqlite3_column_int64(st, 1), x->ended = sqlite3_column_int64(st, 2);
		}
		sqlite3_finalize(st);
	}
	if (sqlite3_prepare_v2(h, "SELECT origin, max(number), max(at) FROM sk_changesets WHERE local = 0 GROUP BY origin", -1, &st,
			       NULL) == SQLITE_OK) {
		while (sqlite3_step(st) == SQLITE_ROW) {
			struct district *x = district_of(d, (const char *)sqlite3_column_text(st, 0));
			if (x)
				x->last_number = sqlite3_column_int64(st, 1), x->last_at = sqlite3_column_int64(st, 2);
		}
		sqlite3_finalize(st);
	}
	/* the city's copy after the last change-set it applied against what the district recorded */
	if (sqlite3_prepare_v2(h, "SELECT r.owner, lower(r.digest) = lower(c.digest) FROM receipts r "
				  "JOIN sk_changesets c ON c.origin = r.owner AND c.number = r.last_number",
			       -1, &st, NULL) == SQLITE_OK) {
		while (sqlite3_step(st) == SQLITE_ROW) {
			struct district *x = district_of(d, (const char *)sqlite3_column_text(st, 0));
			if (x)
				x->match = sqlite3_column_int(st, 1);
		}
		sqlite3_finalize(st);
	}
	sk_quarantine_each(db, 0, count_held, d);
	sk_duplicates_each(db, count_dup, &dc);
	return dc.groups;
}

static int silent(const struct district *x)
{
	return !x->last_at || web_city_now_ms() - x->last_at > (int64_t)SILENT_DAYS * 86400 * 1000;
}

static void page_city_home(struct web_req *r)
{
	struct sk_db *db = web_engine(r);
	struct districts *d;
	int64_t groups;
	int year, month, nsilent = 0;
	char when[40];

	web_page_begin(r, N_("Home"));
	if (!db) {
		web_error_box(r, sk_error_last());
		web_page_end(r);
		return;
	}
	d = sk_calloc(1, sizeof(*d));
	{
		/* kept as the groups, then the districts' structs */
		char *sig = web_city_signature(r), *key = sig ? sk_printf("districts %s %s", sk_db_code(db), sig) : NULL;
		struct sk_buf kept = SK_BUF_INIT;
		if (web_city_cache_get(key, &kept, NULL, 0) && kept.len >= sizeof(groups) &&
		    (kept.len - sizeof(groups)) % sizeof(*d->v) == 0) {
			memcpy(&groups, kept.ptr, sizeof(groups));
			d->n = (int)((kept.len - sizeof(groups)) / sizeof(*d->v));
			d->v = sk_malloc(kept.len - sizeof(groups) + 1);
			memcpy(d->v, kept.ptr + sizeof(groups), kept.len - sizeof(groups));
		} else {
			groups = districts_load(r, db, d);
			kept.len = 0;
			sk_buf_put(&kept, &groups, sizeof(groups));
			sk_buf_put(&kept, d->v, (size_t)d->n * sizeof(*d->v));
			web_city_cache_put(key, kept.ptr, kept.len);
		}
		sk_buf_release(&kept);
		free(sig);
		free(key);
	}
	web_put(r, "<p class=\"office\">%h (%h)</p>", sk_db_name(db), sk_db_code(db));
	for (int i = 0; i < d->n; i++)
		nsilent += silent(&d->v[i]);
	if (nsilent)
		web_put(r, "<p class=\"warn\" role=\"status\" id=\"silent-note\"><strong>%d</strong> %t</p>", nsilent,
			N_("district(s) have sent nothing for a week or more: call them first."));
	web_put(r, "<section class=\"card\"><h2>%t</h2><div class=\"table-wrap\"><table class=\"list\" id=\"districts\"><thead><tr>"
		   "<th>%t</th><th>%t</th><th>%t</th><th>%t</th><th>%t</th><th>%t</th><th>%t</th></tr></thead><tbody>",
		N_("Districts"), N_("District"), N_("Active workers"), N_("Ended"), N_("Last received"), N_("City's copy"),
		N_("In quarantine"), N_("Duplicates waiting"));
	/* the silent ones first */
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < d->n; i++) {
			struct district *x = &d->v[i];
			if (silent(x) != !pass)
				continue;
			web_put(r, "<tr id=\"d-%a\" class=\"%s\"><td data-label=\"%a\">%h <small>%h</small></td>", x->code, silent(x) ? "silent" : "",
				_("District"), x->name, x->code);
			web_put(r, "<td data-label=\"%a\">%D</td><td data-label=\"%a\">%D</td><td data-label=\"%a\">", _("Active workers"), x->active,
				_("Ended"), x->ended, _("Last received"));
			if (x->last_at) {
				web_fmt_time(when, sizeof(when), x->last_at);
				web_put(r, "%t %D, %h (", N_("package"), x->last_number, when);
				put_ago(r, x->last_at);
				web_put(r, ")");
			} else {
				web_put(r, "%t", N_("nothing received yet"));
			}
			if (silent(x))
				web_put(r, " <strong class=\"error\">%t</strong>", N_("silent"));
			web_put(r, "</td><td data-label=\"%a\">%s%t</span></td>", _("City's copy"),
				x->match == 1 ? "<span class=\"ok\">" : x->match == 0 ? "<span class=\"error\">" : "<span>",
				x->match == 1 ? N_("same as the district's") : x->match == 0 ? N_("differs from the district's") : N_("nothing to compare yet"));
			web_put(r, "<td data-label=\"%a\">%s%D%s</td><td data-label=\"%a\">%s%D%s</td></tr>", _("In quarantine"),
				x->held ? "<a href=\"/kota/karantina\">" : "", x->held, x->held ? "</a>" : "", _("Duplicates waiting"),
				x->dups ? "<a href=\"/kota/duplikat\">" : "", x->dups, x->dups ? "</a>" : "");
		}
	web_put(r, "</tbody></table></div>");
	web_put(r, "<p>%D %t</p></section>", groups, N_("NIK(s) registered more than once wait for a decision."));
	web_city_this_month(&year, &month);
	web_put(r, "<section class=\"card\" id=\"money\"><h2>%t</h2>", N_("This month's bill against the budget"));
	web_city_budgets(r, db, year, month);
	web_put(r, "</section>");
	free(d->v);
	free(d);
	web_page_end(r);
}

/* ---- Karantina ---- */

struct qlist {
	struct web_req *r;
	int n;
	const char *only; /* an id prefix, or NULL */
};

static void district_name(struct web_req *r, const char *code, char *out, size_t n)
{
	sqlite3_stmt *st;
	snprintf(out, n, "%s", web_nz(code));
	if (sqlite3_prepare_v2(web_rdb(r->srv), "SELECT name FROM regions WHERE code = ?", -1, &st, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(out, n, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

static int quarantine_row(void *payload, const struct sk_quarantined *q)
{
	struct qlist *l = payload;
	struct web_req *r = l->r;
	char when[40], dname[64], *reason;
	if (l->only && strncmp(q->id, l->only, strlen(l->only)))
		return 0;
	l->n++;
	web_fmt_time(when, sizeof(when), q->at);
	district_name(r, q->origin, dname, sizeof(dname));
	reason = i18n_tr_msg(q->reason);
	web_put(r, "<article class=\"card held\" id=\"q-%a\"><h2>%h <small>%h</small></h2><dl class=\"fields\">", q->id, dname, q->origin);
	web_put(r, "<dt>%t</dt><dd>%D</dd><dt>%t</dt><dd>%h</dd><dt>%t</dt><dd class=\"reason\">%h</dd><dt>%t</dt><dd><code>%h</code></dd>",
		N_("Package number"), q->number, N_("Held since"), when, N_("Why it is held"), reason, N_("Code"), q->id);
	free(reason);
	if (strcmp(q->state, "held")) {
		web_put(r, "<dt>%t</dt><dd>%t %h</dd></dl></article>", N_("Decision"), !strcmp(q->state, "released") ? N_("released by") : N_("rejected by"),
			web_nz(q->decided_by));
		return 0;
	}
	web_put(r, "</dl><form method=\"post\" action=\"/kota/karantina\" class=\"form\">");
	web_csrf_field(r);
	web_put(r, "<input type=\"hidden\" name=\"id\" value=\"%a\"><label>%t<textarea name=\"note\" rows=\"2\"></textarea></label>"
		   "<p class=\"actions\"><button type=\"submit\" name=\"do\" value=\"release\">%t</button> "
		   "<button type=\"submit\" name=\"do\" value=\"reject\" class=\"danger\">%t</button></p></form></article>",
		q->id, N_("Note (why you decide so)"), N_("Release…"), N_("Reject…"));
	return 0;
}

static void put_consolidate_form(struct web_req *r)
{
	web_put(r, "<form method=\"post\" action=\"/kota/gabung\" class=\"inline\">");
	web_csrf_field(r);
	web_put(r, "<button type=\"submit\">%t</button></form>", N_("Consolidate what the districts sent now"));
}

static void quarantine_list(struct web_req *r, const char *msg, int all)
{
	struct sk_db *db = web_engine(r);
	struct qlist l = {r, 0, NULL};
	web_page_begin(r, N_("Quarantine"));
	if (msg)
		web_ok_box(r, msg);
	web_put(r, "<p>%t</p>", N_("A package held here came from a district but was not taken into the city's data: it could not be read, "
				    "its clock was wrong, or it changed records another district owns. The district's later packages wait "
				    "behind it. Release it to take it in, or reject it to skip it."));
	if (db)
		sk_quarantine_each(db, all, quarantine_row, &l);
	if (!l.n)
		web_put(r, "<p class=\"ok\" id=\"none-held\">%t</p>", N_("No package is held in quarantine."));
	web_put(r, "<p><a href=\"/kota/karantina?semua=1\">%t</a></p>", N_("Show decided packages too"));
	put_consolidate_form(r);
	web_page_end(r);
}

static void page_quarantine(struct web_req *r)
{
	const char *id = web_arg(r, "id"), *what = web_arg(r, "do"), *note = web_arg(r, "note"), *sure = web_arg(r, "confirm");
	struct sk_db *db;
	char msg[600];
	int release;

	if (!r->post) {
		quarantine_list(r, NULL, web_arg(r, "semua") != NULL);
		return;
	}
	if (!web_city_may_decide(r))
		return;
	if (!id || !what || (strcmp(what, "release") && strcmp(what, "reject"))) {
		r->status = 422;
		quarantine_list(r, NULL, 0);
		return;
	}
	release = !strcmp(what, "release");
	if (!sure) {
		/* the confirmation: what the decision does, the note carried over */
		struct qlist l = {r, 0, id};
		web_page_begin(r, release ? N_("Release the package?") : N_("Reject the package?"));
		if ((db = web_engine(r)))
			sk_quarantine_each(db, 0, quarantine_row, &l);
		web_put(r, "<section class=\"card confirm\"><p>%t</p><form method=\"post\" action=\"/kota/karantina\">",
			release ? N_("Released, the package is taken into the city's data at the next consolidation, without the checks that held it.")
				: N_("Rejected, the package is skipped for good: its changes do not reach the city's data; the district's next packages go on."));
		web_csrf_field(r);
		web_put(r, "<input type=\"hidden\" name=\"id\" value=\"%a\"><input type=\"hidden\" name=\"do\" value=\"%a\">"
			   "<input type=\"hidden\" name=\"confirm\" value=\"1\"><label>%t<textarea name=\"note\" rows=\"2\">%h</textarea></label>"
			   "<p class=\"actions\"><button type=\"submit\" id=\"confirm\"%s>%t</button> <a href=\"/kota/karantina\">%t</a></p></form></section>",
			id, what, N_("Note (why you decide so)"), web_nz(note), release ? "" : " class=\"danger\"",
			release ? N_("Yes, release") : N_("Yes, reject"), N_("Cancel"));
		web_page_end(r);
		return;
	}
	if (!(db = web_engine(r)) || sk_quarantine_decide(db, id, release) < 0) {
		r->status = 422;
		web_page_begin(r, N_("Quarantine"));
		web_error_box(r, sk_error_last());
		web_page_end(r);
		return;
	}
	web_city_note(r, release ? "release" : "reject", id, note);
	snprintf(msg, sizeof(msg), "%s", release ? _("Released. The next consolidation takes it in; the district has nothing to do.")
						  : _("Rejected. The district must check the changes in that package and make them again if they were right; "
						      "its next packages are taken in as usual."));
	quarantine_list(r, msg, 0);
}

static void page_consolidate(struct web_req *r)
{
	struct sk_db *db;
	struct sk_consolidate_result res = {0};
	struct sk_seal_result s;
	char msg[300];
	int rc;
	if (!web_city_may_decide(r))
		return;
	db = web_engine(r);
	rc = db ? sk_consolidate(db, NULL, &res, NULL, NULL) : -1;
	if (rc < 0 && rc != SK_ECONFLICT) {
		r->status = 500;
		web_page_begin(r, N_("Quarantine"));
		web_error_box(r, sk_error_last());
		web_page_end(r);
		sk_consolidate_result_free(&res);
		return;
	}
	sk_seal(db, 0, &s, NULL, NULL);
	snprintf(msg, sizeof(msg), _("%zu package(s) taken in from %zu district(s); %zu held now."), res.changesets, res.districts,
		 res.nquarantined);
	sk_consolidate_result_free(&res);
	quarantine_list(r, msg, 0);
}


const struct web_route web_city_routes[] = {
	{"GET", "/", page_city_home, 0},
	{"GET", "/kota/karantina", page_quarantine, 0},
	{"POST", "/kota/karantina", page_quarantine, 0},
	{"POST", "/kota/gabung", page_consolidate, 0},
	{"GET", "/kota/duplikat", web_city_page_duplicates, 0},
	{"POST", "/kota/duplikat", web_city_page_duplicates, 0},
	{"GET", "/kota/kpj", web_city_page_kpj, 0},
	{"POST", "/kota/kpj", web_city_page_kpj, 0},
	{"GET", "/kota/tagihan", web_city_page_bill, 0},
	{"GET", "/kota/tagihan.xlsx", web_city_page_bill_xlsx, 0},
	{"GET", "/kota/tagihan.csv", web_city_page_bill_csv, 0},
	{"GET", "/kota/laporan", web_city_page_report, 0},
	{"GET", "/kota/laporan.xlsx", web_city_page_report_xlsx, 0},
	{"POST", "/kota/anggaran", web_city_page_budget, 0},
	{"GET", "/kota/riwayat", web_city_page_history, 0},
	/* the office's pages that write to districts' records: the city decides, never edits */
	{"GET", "/daftar", page_office_form, 0},
	{"POST", "/daftar", page_office_form, 0},
	{"GET", "/ubah", page_office_form, 0},
	{"POST", "/ubah", page_office_form, 0},
	{"GET", "/akhiri", page_office_form, 0},
	{"POST", "/akhiri", page_office_form, 0},
	{"GET", "/ahli-waris", page_office_form, 0},
	{"POST", "/ahli-waris", page_office_form, 0},
	{"POST", "/kepesertaan", page_office_form, 0},
	{"GET", "/impor", page_office_form, 0},
	{"POST", "/impor", page_office_form, 0},
	{"GET", "/impor/periksa", page_office_form, 0},
	{"POST", "/impor/simpan", page_office_form, 0},
	{"GET", "/impor/tolak", page_office_form, 0},
	{NULL, NULL, NULL, 0},
};

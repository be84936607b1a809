/*
 * web_city_history.c: the city's Riwayat: who changed a worker's record and when, the packages
 * received, the city's own decisions with their notes, a worker's record as it was on a date
 * (restored into a private temporary file, never the live one) and two dates compared.
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

/* ---- Riwayat: who changed what and when; a worker as on a date; two dates compared ---- */

struct hist {
	struct web_req *r;
	const char *officer;
	int64_t from, to; /* ms, 0: open */
	int64_t first;    /* the entries before the page asked for */
	int64_t n, shown; /* entries in the range, those of them on the page */
};

/* entries of each list on a page */
#define HIST_PAGE 200

/* "2024-02-28" as the start (or, with end, the end) of that local day, ms; 0 when empty */
static int64_t day_ms(const char *d, int end)
{
	struct tm tm;
	if (!d || strlen(d) != 10 || d[4] != '-' || d[7] != '-')
		return 0;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = atoi(d) - 1900;
	tm.tm_mon = atoi(d + 5) - 1;
	tm.tm_mday = atoi(d + 8) + (end ? 1 : 0);
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm) * 1000 - (end ? 1 : 0);
}

static int in_range(const struct hist *h, int64_t at)
{
	return (!h->from || at >= h->from) && (!h->to || at <= h->to);
}

static int hist_worker_row(void *payload, const struct sk_history_entry *e)
{
	struct hist *h = payload;
	char when[40];
	if (!in_range(h, e->at) || (h->officer && *h->officer && strcmp(h->officer, web_nz(e->operator_name))))
		return 0;
	web_fmt_time(when, sizeof(when), e->at);
	web_put(h->r, "<tr><td data-label=\"%a\">%h</td><td data-label=\"%a\">%h</td><td data-label=\"%a\">%h</td><td data-label=\"%a\">%h%s%h</td></tr>",
		_("When"), when, _("Officer"), web_nz(e->operator_name), _("District"), web_nz(e->origin), _("What changed"), web_nz(e->table),
		e->deleted ? " ✕ " : ": ", e->deleted ? "" : web_nz(e->fields));
	h->n++;
	return 0;
}

static int hist_log_row(void *payload, const struct sk_log_entry *e)
{
	struct hist *h = payload;
	char when[40];
	if (!in_range(h, e->at) || h->n++ < h->first || h->shown >= HIST_PAGE)
		return 0;
	h->shown++;
	web_fmt_time(when, sizeof(when), e->at);
	web_put(h->r, "<tr><td data-label=\"%a\">%h</td><td data-label=\"%a\">%h %t %D</td><td data-label=\"%a\">%D</td><td data-label=\"%a\">%h</td></tr>",
		_("When"), when, _("District"), e->origin, N_("package"), (int64_t)e->number, _("Records"), (int64_t)e->rows, _("What changed"),
		web_nz(e->summary));
	return 0;
}

/* the page's filters, for the links to another page of one of its lists (then name=N) */
#define HIST_URL "/kota/riwayat?distrik=%u&amp;pekerja=%u&amp;akun=%u&amp;dari=%u&amp;sampai=%u&amp;"
#define HIST_URL_ARGS(r) web_nz(web_arg(r, "distrik")), web_nz(web_arg(r, "pekerja")), web_nz(web_arg(r, "akun")), \
	web_nz(web_arg(r, "dari")), web_nz(web_arg(r, "sampai"))

static void history_notes(struct web_req *r, struct hist *hs, const char *subject)
{
	static const char where[] = "FROM web_city_notes WHERE (?1 IS NULL OR ?1 = '' OR account = ?1) "
				    "AND (?2 IS NULL OR ?2 = '' OR subject LIKE ?2 || '%') AND at >= ?3 AND at <= ?4";
	int page = web_page_arg(r, "hal-keputusan");
	int64_t total = 0;
	char *sql;
	static const char *const actions[][2] = {{"release", N_("released from quarantine")}, {"reject", N_("rejected in quarantine")},
						 {"duplicate", N_("decided a duplicate")}, {"kpj", N_("set a KPJ")},
						 {"kpj-file", N_("read BPJS's KPJ file")}, {"budget", N_("set a budget")}};
	sqlite3 *h = web_rdb(r->srv);
	sqlite3_stmt *st;
	int n = 0;
	web_put(r, "<section class=\"card\" id=\"city-decisions\"><h2>%t</h2><div class=\"table-wrap\"><table class=\"list\" id=\"decisions\"><thead><tr><th>%t</th>"
		   "<th>%t</th><th>%t</th><th>%t</th><th>%t</th></tr></thead><tbody>",
		N_("Decisions of the city"), N_("When"), N_("Officer"), N_("Decision"), N_("About"), N_("Note"));
	sql = sk_printf("SELECT count(*) %s", where);
	if (h && web_city_notes_ensure(h) == 0 && sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, hs->officer, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, subject, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, hs->from);
		sqlite3_bind_int64(st, 4, hs->to ? hs->to : INT64_MAX);
		if (sqlite3_step(st) == SQLITE_ROW)
			total = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	free(sql);
	sql = sk_printf("SELECT at, account, action, subject, note %s ORDER BY at DESC, rowid DESC LIMIT %d OFFSET %lld", where, HIST_PAGE,
			(long long)(page - 1) * HIST_PAGE);
	if (h && total && sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, hs->officer, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, subject, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, hs->from);
		sqlite3_bind_int64(st, 4, hs->to ? hs->to : INT64_MAX);
		while (sqlite3_step(st) == SQLITE_ROW) {
			char when[40];
			const char *a = (const char *)sqlite3_column_text(st, 2), *label = a;
			for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
				if (!strcmp(actions[i][0], a))
					label = _(actions[i][1]);
			web_fmt_time(when, sizeof(when), sqlite3_column_int64(st, 0));
			web_put(r, "<tr><td data-label=\"%a\">%h</td><td data-label=\"%a\">%h</td><td data-label=\"%a\">%h</td><td data-label=\"%a\">%h</td>"
				   "<td data-label=\"%a\">%h</td></tr>",
				_("When"), when, _("Officer"), (const char *)sqlite3_column_text(st, 1), _("Decision"), label, _("About"),
				(const char *)sqlite3_column_text(st, 3), _("Note"), web_nz((const char *)sqlite3_column_text(st, 4)));
			n++;
		}
		sqlite3_finalize(st);
	}
	free(sql);
	if (!n)
		web_put(r, "<tr><td colspan=\"5\">%t</td></tr>", N_("No decision recorded yet."));
	web_put(r, "</tbody></table></div>");
	web_put_pages(r, page, HIST_PAGE, n, total, "hal-keputusan", HIST_URL "hal=%d&amp;", HIST_URL_ARGS(r), web_page_arg(r, "hal"));
	web_put(r, "</section>");
}

/* the worker's row as restored at a point, read from the restored file (never the live one) */
static void worker_at(struct web_req *r, const char *id, const char *at)
{
	static const char *const cols[][2] = {{"nik", N_("NIK")}, {"name", N_("Name")}, {"birth_date", N_("Date of birth")},
					      {"kelurahan", N_("Kelurahan")}, {"phone", N_("Phone")}, {"occupation", N_("Occupation")},
					      {"status", N_("Status")}, {"kpj", N_("KPJ")}};
	char dir[] = "/tmp/sinkron-at-XXXXXX", *path = NULL, owner[32] = "";
	struct sk_restore_opts o;
	struct sk_restore_result *res = sk_calloc(1, sizeof(*res));
	sqlite3 *h = NULL;
	sqlite3_stmt *st;
	int rc = -1;

	if (sqlite3_prepare_v2(web_rdb(r->srv), "SELECT owner FROM workers WHERE id = ?1 OR nik = ?1 LIMIT 1", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
			snprintf(owner, sizeof(owner), "%s", (const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
	}
	web_put(r, "<section class=\"card\" id=\"worker-at\"><h2>%t %h</h2>", N_("The worker's record as it was at"), at);
	if (!owner[0]) {
		web_put(r, "<p class=\"error\">%t</p></section>", N_("no worker with that id or NIK"));
		free(res);
		return;
	}
	if (mkdtemp(dir)) {
		memset(&o, 0, sizeof(o));
		path = sk_printf("%s/at.db", dir);
		o.at = at;
		o.out = path;
		o.district = owner;
		rc = sk_restore(web_db_path(r->srv), &o, res);
	}
	if (rc < 0) {
		web_error_box(r, sk_error_last());
	} else if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
		   sqlite3_prepare_v2(h, "SELECT nik, name, birth_date, kelurahan, phone, occupation, status, kpj FROM workers WHERE id = ?1 OR nik = ?1 "
					 "ORDER BY id = ?1 DESC LIMIT 1", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW) {
			web_put(r, "<dl class=\"fields\">");
			for (int i = 0; i < 8; i++)
				web_put(r, "<dt>%t</dt><dd class=\"f-%a\">%h</dd>", cols[i][1], cols[i][0], web_nz((const char *)sqlite3_column_text(st, i)));
			web_put(r, "</dl>");
		} else {
			web_put(r, "<p>%t</p>", N_("The worker was not registered yet at that point."));
		}
		sqlite3_finalize(st);
		web_put(r, "<p><small>%h</small></p>", res->point);
	}
	sqlite3_close(h);
	if (path) {
		char *side;
		unlink(path);
		/* whatever the restore left beside its file */
		side = sk_printf("%s-wal", path), unlink(side), free(side);
		side = sk_printf("%s-shm", path), unlink(side), free(side);
		rmdir(dir);
	}
	free(path);
	sk_restore_result_release(res);
	free(res);
	web_put(r, "</section>");
}

struct diff_ctx {
	struct web_req *r;
	int64_t first, n, shown; /* before the page, all, on it */
};

#define DIFF_PAGE 500

static int diff_row(void *payload, const struct sk_diff_entry *e)
{
	struct diff_ctx *d = payload;
	static const char *const what[][2] = {{"added", N_("added")}, {"changed", N_("changed")}, {"ended", N_("ended")}, {"removed", N_("removed")}};
	const char *label = e->what;
	for (size_t i = 0; i < 4; i++)
		if (!strcmp(what[i][0], e->what))
			label = _(what[i][1]);
	if (d->n++ < d->first || d->shown >= DIFF_PAGE)
		return 0;
	d->shown++;
	web_put(d->r, "<tr><td data-label=\"%a\">%h</td><td data-label=\"%a\"><a href=\"/pekerja/%u\">%h</a></td><td data-label=\"%a\">%h</td>"
		      "<td data-label=\"%a\">%h</td></tr>",
		_("What changed"), label, _("Name"), web_nz(e->id), web_nz(e->name), _("District"), web_nz(e->owner), _("Fields"), web_nz(e->fields));
	return 0;
}

static void dates_diff(struct web_req *r, const char *a, const char *b, const char *district)
{
	struct sk_diff_result *res = sk_calloc(1, sizeof(*res));
	int page = web_page_arg(r, "hal-beda");
	struct diff_ctx d = {r, (int64_t)(page - 1) * DIFF_PAGE, 0, 0};
	web_put(r, "<section class=\"card\" id=\"diff\"><h2>%t %h — %h</h2><div class=\"table-wrap\"><table class=\"list\"><thead><tr><th>%t</th>"
		   "<th>%t</th><th>%t</th><th>%t</th></tr></thead><tbody>",
		N_("Differences between"), a, b, N_("What changed"), N_("Name"), N_("District"), N_("Fields"));
	if (sk_diff(web_db_path(r->srv), a, b, district && *district ? district : NULL, diff_row, &d, res) < 0) {
		web_put(r, "</tbody></table></div>");
		web_error_box(r, sk_error_last());
	} else {
		web_put(r, "</tbody></table></div><p>%D %t, %D %t, %D %t, %D %t</p>", (int64_t)res->added, N_("added"), (int64_t)res->changed,
			N_("changed"), (int64_t)res->ended, N_("ended"), (int64_t)res->removed, N_("removed"));
		web_put_pages(r, page, DIFF_PAGE, d.shown, d.n, "hal-beda", "/kota/riwayat?distrik=%u&amp;a=%u&amp;b=%u&amp;", web_nz(district), a, b);
	}
	web_put(r, "</section>");
	sk_diff_result_release(res);
	free(res);
}

void web_city_page_history(struct web_req *r)
{
	const char *district = web_arg(r, "distrik"), *worker = web_arg(r, "pekerja"), *officer = web_arg(r, "akun");
	const char *from = web_arg(r, "dari"), *to = web_arg(r, "sampai"), *at = web_arg(r, "pada");
	const char *a = web_arg(r, "a"), *b = web_arg(r, "b");
	struct sk_db *db = web_engine(r);
	int page = web_page_arg(r, "hal");
	struct hist hs = {r, officer, day_ms(from, 0), day_ms(to, 1), (int64_t)(page - 1) * HIST_PAGE, 0, 0};
	sqlite3_stmt *st;

	web_page_begin(r, N_("History"));
	web_put(r, "<form method=\"get\" action=\"/kota/riwayat\" class=\"filters\"><label>%t<select name=\"distrik\"><option value=\"\">%t</option>",
		N_("District"), N_("(all)"));
	/* every district of the city: a city has tens of them */
	if (db && sqlite3_prepare_v2(web_rdb(r->srv), "SELECT code, name FROM regions WHERE level = 'district' AND code LIKE ?1 || '.%' ORDER BY code",
				     -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, sk_db_code(db), -1, SQLITE_STATIC);
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *code = (const char *)sqlite3_column_text(st, 0);
			web_put(r, "<option value=\"%a\"%s>%h</option>", code, district && !strcmp(district, code) ? " selected" : "",
				(const char *)sqlite3_column_text(st, 1));
		}
		sqlite3_finalize(st);
	}
	web_put(r, "</select></label><label>%t<input name=\"pekerja\" value=\"%a\"></label><label>%t<input name=\"akun\" value=\"%a\"></label>"
		   "<label>%t<input type=\"date\" name=\"dari\" value=\"%a\"></label><label>%t<input type=\"date\" name=\"sampai\" value=\"%a\"></label>"
		   "<button type=\"submit\">%t</button></form>",
		N_("Worker (id or NIK)"), web_nz(worker), N_("Officer"), web_nz(officer), N_("From"), web_nz(from), N_("Until"), web_nz(to), N_("Show"));

	if (worker && *worker && db) {
		struct sk_worker w;
		web_put(r, "<section class=\"card\"><h2>%t</h2><div class=\"table-wrap\"><table class=\"list\" id=\"changes\"><thead><tr><th>%t</th><th>%t</th>"
			   "<th>%t</th><th>%t</th></tr></thead><tbody>",
			N_("Who changed the worker's record"), N_("When"), N_("Officer"), N_("District"), N_("What changed"));
		if (sk_worker_get(db, &w, worker) == 0)
			sk_worker_history(db, w.id, hist_worker_row, &hs);
		if (!hs.n)
			web_put(r, "<tr><td colspan=\"4\">%t</td></tr>", N_("No change recorded yet."));
		web_put(r, "</tbody></table></div></section>");
	} else if (db) {
		web_put(r, "<section class=\"card\"><h2>%t</h2><div class=\"table-wrap\"><table class=\"list\" id=\"changes\"><thead><tr><th>%t</th><th>%t</th>"
			   "<th>%t</th><th>%t</th></tr></thead><tbody>",
			N_("Packages received"), N_("When"), N_("District"), N_("Records"), N_("What changed"));
		sk_log(db, district && *district ? district : NULL, hist_log_row, &hs);
		if (!hs.shown)
			web_put(r, "<tr><td colspan=\"4\">%t</td></tr>", N_("No change recorded yet."));
		web_put(r, "</tbody></table></div>");
		web_put_pages(r, page, HIST_PAGE, hs.shown, hs.n, "hal", HIST_URL "hal-keputusan=%d&amp;", HIST_URL_ARGS(r),
			      web_page_arg(r, "hal-keputusan"));
		web_put(r, "</section>");
	}
	history_notes(r, &hs, worker);

	web_put(r, "<form method=\"get\" action=\"/kota/riwayat\" class=\"card form\" id=\"at-form\"><h2>%t</h2>"
		   "<label>%t<input name=\"pekerja\" value=\"%a\" required></label><label>%t<input name=\"pada\" value=\"%a\" placeholder=\"2024-02-28\" required></label>"
		   "<p><button type=\"submit\">%t</button></p></form>",
		N_("A worker's record on a date"), N_("Worker (id or NIK)"), web_nz(worker), N_("Date (and time)"), web_nz(at), N_("Show"));
	if (at && *at && worker && *worker)
		worker_at(r, worker, at);
	web_put(r, "<form method=\"get\" action=\"/kota/riwayat\" class=\"card form\" id=\"diff-form\"><h2>%t</h2><input type=\"hidden\" name=\"distrik\" value=\"%a\">"
		   "<label>%t<input name=\"a\" value=\"%a\" placeholder=\"2024-01-31\" required></label><label>%t<input name=\"b\" value=\"%a\" placeholder=\"2024-02-29\" required></label>"
		   "<p><button type=\"submit\">%t</button></p></form>",
		N_("Differences between two dates"), web_nz(district), N_("First date"), web_nz(a), N_("Second date"), web_nz(b), N_("Compare"));
	if (a && *a && b && *b)
		dates_diff(r, a, b, district);
	web_page_end(r);
}

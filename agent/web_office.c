/*
 * web_office.c: the clerk's Beranda (what was sent, what the city has and decided) and Pekerja
 * (search and list), and the office's table of pages.  Reads come from the thread's own
 * connection, a name search and the occupations from the index in memory (web_search.c); every
 * write goes through the engine (sync.h), like the command line's.
 */
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "agent.h"
#include "web.h"

#define PAGE_SIZE 25
#define DECISIONS_PAGE 20

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
		web_error_box(r, sk_error_last());
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
			web_fmt_time(when, sizeof(when), p.oldest_ms);
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
	last_ok = web_setting(r, "status.last_ok");
	last_err = web_setting(r, "status.last_error");
	last_err_at = web_setting(r, "status.last_error_at");
	next = web_setting(r, "status.next_attempt");
	if (last_err && last_err_at && (!last_ok || atoll(last_err_at) > atoll(last_ok))) {
		char *t = i18n_tr_msg(last_err);
		web_fmt_time(when, sizeof(when), atoll(last_err_at));
		web_put(r, "<p class=\"error\">%t (%h): %h</p>", N_("The last sync failed"), when, t);
		free(t);
	} else if (last_ok) {
		web_fmt_time(when, sizeof(when), atoll(last_ok));
		web_put(r, "<p>%t %h.</p>", N_("The last sync worked at"), when);
	} else {
		web_put(r, "<p>%t</p>", N_("No sync has been made yet."));
	}
	if (next) {
		web_fmt_time(when, sizeof(when), atoll(next));
		web_put(r, "<p>%t %h.</p>", N_("The next try is at"), when);
	}
	free(last_ok), free(last_err), free(last_err_at), free(next);
	web_put(r, "<form method=\"post\" action=\"/kirim\">");
	web_csrf_field(r);
	web_put(r, "<button type=\"submit\">%t</button></form></section>", N_("Send now"));

	web_put(r, "<section class=\"card\" id=\"city\"><h2>%t</h2>", N_("What the city has"));
	if (sk_receipt_get(db, &rec) == 0 && rec.have) {
		web_fmt_time(when, sizeof(when), rec.consolidated_at);
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
	sk_receipt_release(&rec);
	web_put(r, "</section>");

	/* what the city decided about this office's records, a page of them at a time */
	web_put(r, "<section class=\"card\" id=\"decisions\"><h2>%t</h2><ul>", N_("Decisions of the city"));
	int any = 0, page = web_page_arg(r, "hal");
	int64_t total = 0;
	if (sqlite3_prepare_v2(web_rdb(r->srv), "SELECT count(*) FROM workers WHERE duplicate_of IS NOT NULL OR kpj IS NOT NULL", -1, &st,
			       NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			total = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	if (total && sqlite3_prepare_v2(web_rdb(r->srv),
			       "SELECT w.id, w.name, w.nik, w.duplicate_of, w.kpj FROM workers w WHERE w.duplicate_of IS NOT NULL "
			       "OR w.kpj IS NOT NULL ORDER BY w.duplicate_of IS NULL, w.name, w.id LIMIT ?1 OFFSET ?2",
			       -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int(st, 1, DECISIONS_PAGE);
		sqlite3_bind_int64(st, 2, (int64_t)(page - 1) * DECISIONS_PAGE);
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *id = (const char *)sqlite3_column_text(st, 0), *name = (const char *)sqlite3_column_text(st, 1);
			const char *dup = (const char *)sqlite3_column_text(st, 3), *kpj = (const char *)sqlite3_column_text(st, 4);
			any++;
			if (dup)
				web_put(r, "<li><a href=\"/pekerja/%u\">%h</a>: %t <a href=\"/pekerja/%u\">%h</a></li>", id, web_nz(name),
					N_("registered twice; the city keeps record"), dup, dup);
			else
				web_put(r, "<li><a href=\"/pekerja/%u\">%h</a>: %t %h</li>", id, web_nz(name), N_("KPJ number set by the city:"), kpj);
		}
		sqlite3_finalize(st);
	}
	if (!total)
		web_put(r, "<li>%t</li>", N_("No decision of the city concerns this office."));
	web_put(r, "</ul>");
	web_put_pages(r, page, DECISIONS_PAGE, any, total, "hal", "/?");
	web_put(r, "</section>");
	web_page_end(r);
}

/* ---- Pekerja ---- */

/* a row of the list: these columns, then WHERE ... */
#define LIST_ROW "SELECT w.id, w.name, w.nik, w.kpj, r.name, w.occupation, w.status FROM workers w " \
		 "LEFT JOIN regions r ON r.code = w.kelurahan"

/* sql prepared with the list's arguments bound (?1 q, ?2 kelurahan, ?3 occupation, ?4 status) */
static sqlite3_stmt *list_query(sqlite3 *h, const char *sql, const char *q, const char *kel, const char *occ, const char *status)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_text(st, 1, q, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, kel, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, occ, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, status, -1, SQLITE_STATIC);
	return st;
}

/* the LIST_ROW st is on, as a row of the table; 1 */
static int put_worker_row(struct web_req *r, struct sk_db *db, sqlite3_stmt *st)
{
	const char *id = (const char *)sqlite3_column_text(st, 0);
	web_put(r, "<tr><td data-label=\"%a\"><a href=\"/pekerja/%u\">%h</a>", _("Name"), id, web_nz((const char *)sqlite3_column_text(st, 1)));
	if (!strcmp(web_nz((const char *)sqlite3_column_text(st, 6)), "ended"))
		web_put(r, " <span class=\"ended\">(%t)</span>", N_("ended"));
	web_put(r, "</td><td data-label=\"%a\">%h</td>"
		   "<td data-label=\"%a\">%h</td><td data-label=\"%a\">%h</td><td data-label=\"%a\">",
		_("NIK"), web_nz((const char *)sqlite3_column_text(st, 2)), _("Kelurahan"), web_nz((const char *)sqlite3_column_text(st, 4)),
		_("Occupation"), web_nz((const char *)sqlite3_column_text(st, 5)), _("Sync"));
	web_put_mark(r, db, id);
	web_put(r, "</td></tr>");
	return 1;
}

static void page_workers(struct web_req *r)
{
	const char *q = web_arg(r, "q"), *kel = web_arg(r, "kel"), *occ = web_arg(r, "occ"), *status = web_arg(r, "status");
	const char *pg = web_arg(r, "page");
	int page = pg ? atoi(pg) : 1, nrows = 0, nids = 0, name_search;
	int64_t first, total = 0;
	char *ids[PAGE_SIZE];
	sqlite3_stmt *st;
	sqlite3 *h = web_rdb(r->srv);
	struct sk_db *db = web_engine(r);
	size_t nk;
	struct web_choice *kels = web_kelurahan_list(r, &nk);
	struct web_choice statuses[] = {{"active", _("active")}, {"ended", _("ended")}, {"all", _("all")}, {NULL, NULL}};
	struct sk_buf where = SK_BUF_INIT;
	char *sql, **occs;
	size_t nocc;

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
	first = (int64_t)(page - 1) * PAGE_SIZE;
	name_search = q && strspn(q, "0123456789") != strlen(q);
	/* only the conditions asked for, so each can use its index: the list's order and status
	 * (web_workers_list), a NIK's or KPJ's digits (workers_nik), a name scanned in the index */
	sk_buf_puts(&where, strcmp(status, "all") ? "WHERE w.status = ?4 " : "WHERE ?4 = 'all' ");
	if (q && strspn(q, "0123456789") == strlen(q))
		sk_buf_puts(&where, "AND (w.nik >= ?1 AND w.nik < ?1 || ':' OR w.kpj = ?1) ");
	else if (name_search)
		sk_buf_puts(&where, "AND fold(w.name) LIKE '%' || fold(?1) || '%' ");
	if (kel)
		sk_buf_puts(&where, "AND w.kelurahan = ?2 ");
	if (occ)
		sk_buf_puts(&where, "AND w.occupation = ?3 ");
	web_page_begin(r, N_("Workers"));
	web_put(r, "<form method=\"get\" action=\"/pekerja\" class=\"filters\">"
		   "<label>%t<input name=\"q\" type=\"search\" value=\"%a\" placeholder=\"%a\"></label>",
		N_("Search"), web_nz(q), _("name, NIK or KPJ"));
	web_put(r, "<label>%t<select name=\"kel\"><option value=\"\">%t</option>", N_("Kelurahan"), N_("(all)"));
	for (size_t i = 0; i < nk; i++)
		web_put(r, "<option value=\"%a\"%s>%h</option>", kels[i].value, kel && !strcmp(kel, kels[i].value) ? " selected" : "",
			kels[i].label);
	web_put(r, "</select></label><label>%t<select name=\"occ\"><option value=\"\">%t</option>", N_("Occupation"), N_("(all)"));
	/* every occupation the district's workers have: the filter offers them all (kept in memory
	 * until the database changes, rather than read from every worker at every page) */
	if (web_search_occupations(web_search_of(r->srv), &occs, &nocc) == 0) {
		for (size_t i = 0; i < nocc; i++) {
			web_put(r, "<option value=\"%a\"%s>%h</option>", occs[i], occ && !strcmp(occ, occs[i]) ? " selected" : "", occs[i]);
			free(occs[i]);
		}
		free(occs);
	}
	web_put(r, "</select></label>");
	web_select(r, "status", N_("Status"), statuses, status, 0);
	web_put(r, "<button type=\"submit\">%t</button></form>", N_("Search"));

	/* a name: the index in memory counts the matches and picks the page's ids in the list's
	 * order (web_search.c), then the page's rows are read by id */
	if (name_search && (total = web_search_names(web_search_of(r->srv), q, strcmp(status, "all") ? status : NULL, kel, occ, first,
						     PAGE_SIZE, ids, &nids)) < 0) {
		/* a pattern with LIKE's own % or _: one pass over the list's index counts the
		 * matches and picks the page's ids */
		total = 0;
		sql = sk_printf("SELECT w.id FROM workers w %s ORDER BY w.name COLLATE NOCASE, w.id", (const char *)where.ptr);
		if ((st = list_query(h, sql, q, kel, occ, status))) {
			while (sqlite3_step(st) == SQLITE_ROW) {
				if (total >= first && total < first + PAGE_SIZE)
					ids[nids++] = sk_strdup((const char *)sqlite3_column_text(st, 0));
				total++;
			}
			sqlite3_finalize(st);
		}
		free(sql);
	} else if (!name_search) {
		/* an index answers the count alone (the status, a NIK's digits) or each match's row is
		 * read anyway: the count, then the page in the list's order */
		sql = sk_printf("SELECT count(*) FROM workers w %s", (const char *)where.ptr);
		if ((st = list_query(h, sql, q, kel, occ, status))) {
			if (sqlite3_step(st) == SQLITE_ROW)
				total = sqlite3_column_int64(st, 0);
			sqlite3_finalize(st);
		}
		free(sql);
	}
	web_put(r, "<p class=\"count\">%D %t</p>", total, N_("workers found"));
	web_put(r, "<div class=\"table-wrap\"><table class=\"list\"><thead><tr><th>%t</th><th>%t</th><th>%t</th><th>%t</th>"
		   "<th>%t</th></tr></thead><tbody>",
		N_("Name"), N_("NIK"), N_("Kelurahan"), N_("Occupation"), N_("Sync"));
	if (name_search) {
		if (nids && sqlite3_prepare_v2(h, LIST_ROW " WHERE w.id = ?1", -1, &st, NULL) == SQLITE_OK) {
			for (int i = 0; i < nids; i++) {
				sqlite3_reset(st);
				sqlite3_bind_text(st, 1, ids[i], -1, SQLITE_STATIC);
				if (sqlite3_step(st) == SQLITE_ROW)
					nrows += put_worker_row(r, db, st);
			}
			sqlite3_finalize(st);
		}
	} else {
		sql = sk_printf(LIST_ROW " %s ORDER BY w.name COLLATE NOCASE, w.id LIMIT %d OFFSET %lld", (const char *)where.ptr, PAGE_SIZE,
				(long long)first);
		if ((st = list_query(h, sql, q, kel, occ, status))) {
			while (sqlite3_step(st) == SQLITE_ROW)
				nrows += put_worker_row(r, db, st);
			sqlite3_finalize(st);
		}
		free(sql);
	}
	for (int i = 0; i < nids; i++)
		free(ids[i]);
	web_put(r, "</tbody></table></div>");
	if (!nrows)
		web_put(r, "<p>%t</p>", N_("No worker matches."));
	web_put(r, "<nav class=\"pages\">");
	if (page > 1)
		web_put(r, "<a href=\"/pekerja?q=%u&amp;kel=%u&amp;occ=%u&amp;status=%u&amp;page=%d\">&larr; %t</a> ", web_nz(q), web_nz(kel), web_nz(occ),
			status, page - 1, N_("previous"));
	if ((int64_t)page * PAGE_SIZE < total)
		web_put(r, "<a href=\"/pekerja?q=%u&amp;kel=%u&amp;occ=%u&amp;status=%u&amp;page=%d\">%t &rarr;</a>", web_nz(q), web_nz(kel), web_nz(occ),
			status, page + 1, N_("next"));
	web_put(r, "</nav>");
	web_choices_free(kels, nk);
	sk_buf_release(&where);
	web_page_end(r);
}


const struct web_route web_routes[] = {
	{"GET", "/", page_home, 0},
	{"GET", "/pekerja", page_workers, 0},
	{"GET", "/pekerja/", web_page_worker, 1},
	{"GET", "/daftar", web_page_register, 0},
	{"POST", "/daftar", web_page_register, 0},
	{"GET", "/ubah", web_page_edit, 0},
	{"POST", "/ubah", web_page_edit, 0},
	{"GET", "/akhiri", web_page_end_enrolment, 0},
	{"POST", "/akhiri", web_page_end_enrolment, 0},
	{"GET", "/ahli-waris", web_page_heir, 0},
	{"POST", "/ahli-waris", web_page_heir, 0},
	{"POST", "/kepesertaan", web_page_enrol, 0},
	{"GET", "/akun", web_page_accounts, 0},
	{"POST", "/akun", web_page_accounts, 0},
	{NULL, NULL, NULL, 0},
};

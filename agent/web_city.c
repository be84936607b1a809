/*
 * web_city.c: the city's desk, served when the database is the city's: the districts at a
 * glance (Beranda), Karantina, Duplikat, KPJ, Tagihan & laporan (bill, report, budgets, .xlsx and
 * CSV), Riwayat.  Every decision goes through the engine functions the command line calls,
 * recorded as made by the logged-in account; only an operator kota decides (a pemantau is
 * refused every form in web_server.c's dispatch).
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

#define SILENT_DAYS 7
#define DUP_GROUPS_SHOWN 50

static const char *nz(const char *s) { return s ? s : ""; }

static void fmt_time(char *out, size_t n, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(out, n, "%d-%m-%Y %H:%M", &tm);
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* "3 jam yang lalu", "9 hari yang lalu" */
static void put_ago(struct web_req *r, int64_t ms)
{
	int64_t s = (now_ms() - ms) / 1000;
	if (s < 0)
		s = 0;
	if (s < 3600)
		web_put(r, "%D %t", s / 60, N_("minutes ago"));
	else if (s < 2 * 86400)
		web_put(r, "%D %t", s / 3600, N_("hours ago"));
	else
		web_put(r, "%D %t", s / 86400, N_("days ago"));
}

static void put_error_box(struct web_req *r, const char *engine_msg)
{
	char *t = i18n_tr_msg(engine_msg);
	web_put(r, "<p class=\"error\" role=\"alert\">%h</p>", t);
	free(t);
}

static void put_ok(struct web_req *r, const char *text)
{
	web_put(r, "<p class=\"ok\" role=\"status\">%h</p>", text);
}

/* Only an operator kota decides; 1 when r may, else the page says why (403) */
static int may_decide(struct web_req *r)
{
	if (!strcmp(r->role, "operator"))
		return 1;
	r->status = MHD_HTTP_FORBIDDEN;
	web_page_begin(r, N_("Refused"));
	web_put(r, "<p class=\"error\" role=\"alert\">%t</p><p><a href=\"/\">%t</a></p>",
		N_("only an operator kota account decides: nothing was changed"), N_("Back to Beranda"));
	web_page_end(r);
	return 0;
}

/* the decisions' notes: kept in the city's database beside the accounts, never synced */
static int notes_ensure(sqlite3 *h)
{
	return sqlite3_exec(h, "CREATE TABLE IF NOT EXISTS web_city_notes (at INTEGER NOT NULL, account TEXT NOT NULL, "
			       "action TEXT NOT NULL, subject TEXT NOT NULL, note TEXT)",
			    NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

static void note_add(struct web_req *r, const char *action, const char *subject, const char *note)
{
	sqlite3 *h = web_rdb(r->srv);
	sqlite3_stmt *st;
	if (!h || notes_ensure(h) < 0 ||
	    sqlite3_prepare_v2(h, "INSERT INTO web_city_notes VALUES (?, ?, ?, ?, ?)", -1, &st, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_int64(st, 1, now_ms());
	sqlite3_bind_text(st, 2, r->user, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, subject, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, note && *note ? note : NULL, -1, SQLITE_STATIC);
	sqlite3_step(st);
	sqlite3_finalize(st);
}

/* ---- what the money and the districts cost to compute, kept until the data changes ----
 * The bill prices every enrolment in force (seconds for a city of 250,000), so the pages keep
 * what they computed under a signature of the data it came from: the change-sets applied or
 * sealed, the changes captured but not sealed, the budgets, the quarantine's states.  Any of
 * those changing makes a new signature; what is kept holds catalogue words and figures only,
 * nothing of an account, so every session may be shown it. */

#define CACHE_SLOTS 16
static struct {
	char *key;
	void *data;
	size_t len;
	unsigned long used;
} cache[CACHE_SLOTS];
static unsigned long cache_clock;
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

static char *data_signature(struct web_req *r)
{
	sqlite3_stmt *st;
	char *sig = NULL;
	if (sqlite3_prepare_v2(web_rdb(r->srv),
			       "SELECT (SELECT count(*) || '.' || ifnull(max(at), 0) FROM sk_changesets) || '|' || "
			       "(SELECT count(*) || '.' || ifnull(max(rowid), 0) FROM sk_outbox) || '|' || "
			       "(SELECT ifnull(group_concat(key || '=' || value), '') FROM settings WHERE key LIKE 'budget.%') || '|' || "
			       "(SELECT count(*) || '.' || ifnull(max(decided_at), 0) || '.' || ifnull(sum(state = 'held'), 0) FROM sk_quarantine)",
			       -1, &st, NULL) != SQLITE_OK)
		return NULL;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		sig = sk_strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return sig;
}

/* the kept copy of what key names, appended to out (or copied into a struct of len bytes) */
static int cache_get(const char *key, struct sk_buf *out, void *copy, size_t len)
{
	int hit = 0;
	if (!key)
		return 0;
	pthread_mutex_lock(&cache_lock);
	for (int i = 0; i < CACHE_SLOTS; i++)
		if (cache[i].key && !strcmp(cache[i].key, key)) {
			if (out)
				sk_buf_put(out, cache[i].data, cache[i].len);
			else if (cache[i].len == len)
				memcpy(copy, cache[i].data, len);
			cache[i].used = ++cache_clock;
			hit = 1;
			break;
		}
	pthread_mutex_unlock(&cache_lock);
	return hit;
}

static void cache_put(const char *key, const void *data, size_t len)
{
	int slot = 0;
	if (!key)
		return;
	pthread_mutex_lock(&cache_lock);
	for (int i = 1; i < CACHE_SLOTS; i++)
		if (cache[i].used < cache[slot].used)
			slot = i;
	free(cache[slot].key);
	free(cache[slot].data);
	cache[slot].key = sk_strdup(key);
	cache[slot].data = sk_malloc(len ? len : 1);
	memcpy(cache[slot].data, data, len);
	cache[slot].len = len;
	cache[slot].used = ++cache_clock;
	pthread_mutex_unlock(&cache_lock);
}

void web_city_nav(struct web_req *r)
{
	web_put(r, "<a href=\"/\">%t</a><a href=\"/kota/karantina\">%t</a><a href=\"/kota/duplikat\">%t</a>"
		   "<a href=\"/kota/kpj\">%t</a><a href=\"/kota/tagihan\">%t</a><a href=\"/kota/riwayat\">%t</a>"
		   "<a href=\"/pekerja\">%t</a>",
		N_("Home"), N_("Quarantine"), N_("Duplicates"), N_("KPJ"), N_("Bill and report"), N_("History"), N_("Workers"));
}

/* ---- Beranda: the districts at a glance ---- */

struct district {
	char code[24], name[64];
	int64_t active, ended, last_number, last_at, held, dups;
	int match; /* 1 equal, 0 differs, -1 nothing to compare */
};

struct districts {
	struct district v[64];
	int n;
};

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
	if (strcmp(c->nik, nz(q->nik))) {
		snprintf(c->nik, sizeof(c->nik), "%s", nz(q->nik));
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
		while (d->n < 64 && sqlite3_step(st) == SQLITE_ROW) {
			struct district *x = &d->v[d->n++];
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
	return !x->last_at || now_ms() - x->last_at > (int64_t)SILENT_DAYS * 86400 * 1000;
}

static void put_budgets(struct web_req *r, struct sk_db *db, int year, int month)
{
	struct sk_report *rep = NULL;
	static const char *const months[] = {N_("January"), N_("February"), N_("March"), N_("April"), N_("May"), N_("June"),
					     N_("July"), N_("August"), N_("September"), N_("October"), N_("November"), N_("December")};
	char *sig = data_signature(r), *key = sig ? sk_printf("budgets %d-%d %s", year, month, sig) : NULL;
	size_t start = r->out.len;
	free(sig);
	if (cache_get(key, &r->out, NULL, 0)) {
		free(key);
		return;
	}
	if (sk_report_build(&rep, db, year, month) < 0) {
		put_error_box(r, sk_error_last());
		free(key);
		return;
	}
	web_put(r, "<div class=\"table-wrap\"><table class=\"list\" id=\"budgets\"><thead><tr><th>%t</th><th>%t</th><th>%t</th><th>%t</th>"
		   "<th>%t</th></tr></thead><tbody>",
		N_("Funder"), N_("This month's bill"), N_("Budget for the year"), N_("Billed this year"), N_("The budget"));
	for (size_t i = 0; i < rep->nbills; i++) {
		const struct sk_report_funder *f = &rep->bills[i];
		web_put(r, "<tr><td data-label=\"%a\">%h</td><td data-label=\"%a\">%R</td><td data-label=\"%a\">", _("Funder"), f->funder,
			_("This month's bill"), f->total[month - 1], _("Budget for the year"));
		if (f->has_budget)
			web_put(r, "%R", f->budget);
		else
			web_put(r, "%t", N_("not set"));
		web_put(r, "</td><td data-label=\"%a\">%R</td><td data-label=\"%a\">", _("Billed this year"), f->year_total, _("The budget"));
		if (!f->has_budget)
			web_put(r, "<a href=\"/kota/tagihan#anggaran\">%t</a>", N_("enter the budget"));
		else if (f->runs_out)
			web_put(r, "<span class=\"error\">%t %t %d</span>", N_("runs out in"), months[f->runs_out - 1], rep->year);
		else
			web_put(r, "<span class=\"ok\">%t</span>", N_("lasts the year"));
		web_put(r, "</td></tr>");
	}
	if (!rep->nbills)
		web_put(r, "<tr><td colspan=\"5\">%t</td></tr>", N_("No enrolment is billed this month."));
	web_put(r, "</tbody></table></div>");
	sk_report_free(rep);
	cache_put(key, r->out.ptr + start, r->out.len - start);
	free(key);
}

static void this_month(int *year, int *month)
{
	time_t t = time(NULL);
	struct tm tm;
	localtime_r(&t, &tm);
	*year = tm.tm_year + 1900;
	*month = tm.tm_mon + 1;
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
		put_error_box(r, sk_error_last());
		web_page_end(r);
		return;
	}
	d = sk_calloc(1, sizeof(*d));
	{
		char *sig = data_signature(r), *key = sig ? sk_printf("districts %s %s", sk_db_code(db), sig) : NULL;
		struct {
			struct districts d;
			int64_t groups;
		} *kept = sk_calloc(1, sizeof(*kept));
		if (cache_get(key, NULL, kept, sizeof(*kept))) {
			*d = kept->d;
			groups = kept->groups;
		} else {
			groups = districts_load(r, db, d);
			kept->d = *d;
			kept->groups = groups;
			cache_put(key, kept, sizeof(*kept));
		}
		free(kept);
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
				fmt_time(when, sizeof(when), x->last_at);
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
	this_month(&year, &month);
	web_put(r, "<section class=\"card\" id=\"money\"><h2>%t</h2>", N_("This month's bill against the budget"));
	put_budgets(r, db, year, month);
	web_put(r, "</section>");
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
	snprintf(out, n, "%s", nz(code));
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
	fmt_time(when, sizeof(when), q->at);
	district_name(r, q->origin, dname, sizeof(dname));
	reason = i18n_tr_msg(q->reason);
	web_put(r, "<article class=\"card held\" id=\"q-%a\"><h2>%h <small>%h</small></h2><dl class=\"fields\">", q->id, dname, q->origin);
	web_put(r, "<dt>%t</dt><dd>%D</dd><dt>%t</dt><dd>%h</dd><dt>%t</dt><dd class=\"reason\">%h</dd><dt>%t</dt><dd><code>%h</code></dd>",
		N_("Package number"), q->number, N_("Held since"), when, N_("Why it is held"), reason, N_("Code"), q->id);
	free(reason);
	if (strcmp(q->state, "held")) {
		web_put(r, "<dt>%t</dt><dd>%t %h</dd></dl></article>", N_("Decision"), !strcmp(q->state, "released") ? N_("released by") : N_("rejected by"),
			nz(q->decided_by));
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
		put_ok(r, msg);
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
	if (!may_decide(r))
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
			id, what, N_("Note (why you decide so)"), nz(note), release ? "" : " class=\"danger\"",
			release ? N_("Yes, release") : N_("Yes, reject"), N_("Cancel"));
		web_page_end(r);
		return;
	}
	if (!(db = web_engine(r)) || sk_quarantine_decide(db, id, release) < 0) {
		r->status = 422;
		web_page_begin(r, N_("Quarantine"));
		put_error_box(r, sk_error_last());
		web_page_end(r);
		return;
	}
	note_add(r, release ? "release" : "reject", id, note);
	snprintf(msg, sizeof(msg), "%s", release ? _("Released. The next consolidation takes it in; the district has nothing to do.")
						  : _("Rejected. The district must check the changes in that package and make them again if they were right; "
						      "its next packages are taken in as usual."));
	quarantine_list(r, msg, 0);
}

static void page_consolidate(struct web_req *r)
{
	struct sk_db *db;
	struct sk_consolidate_result res;
	struct sk_seal_result s;
	char msg[300];
	int rc;
	if (!may_decide(r))
		return;
	db = web_engine(r);
	rc = db ? sk_consolidate(db, NULL, &res, NULL, NULL) : -1;
	if (rc < 0 && rc != SK_ECONFLICT) {
		r->status = 500;
		web_page_begin(r, N_("Quarantine"));
		put_error_box(r, sk_error_last());
		web_page_end(r);
		return;
	}
	sk_seal(db, 0, &s, NULL, NULL);
	snprintf(msg, sizeof(msg), _("%zu package(s) taken in from %zu district(s); %zu held now."), res.changesets, res.districts,
		 res.nquarantined);
	quarantine_list(r, msg, 0);
}

/* ---- Duplikat ---- */

#define DUP_FIELDS 9
struct dup_rec {
	char *id, *owner, *v[DUP_FIELDS];
};
struct dup_group {
	char nik[24];
	struct dup_rec rec[8];
	int n;
};
struct dup_page {
	struct dup_group *g;
	int n, cap;
	int64_t total;
	const char *only;
};

static int dup_collect(void *payload, const struct sk_duplicate *d)
{
	struct dup_page *p = payload;
	struct dup_group *g;
	if (p->only && strcmp(p->only, nz(d->nik)))
		return 0;
	if (!p->n || strcmp(p->g[p->n - 1].nik, nz(d->nik))) {
		p->total++;
		if (p->n >= DUP_GROUPS_SHOWN)
			return 0;
		if (p->n == p->cap) {
			p->cap = p->cap ? 2 * p->cap : 16;
			p->g = sk_realloc(p->g, (size_t)p->cap * sizeof(*p->g));
		}
		g = &p->g[p->n++];
		memset(g, 0, sizeof(*g));
		snprintf(g->nik, sizeof(g->nik), "%s", nz(d->nik));
	}
	g = &p->g[p->n - 1];
	if (g->n < 8) {
		struct dup_rec *x = &g->rec[g->n++];
		const char *v[DUP_FIELDS] = {d->district, d->name, d->birth_date, d->sex, d->kelurahan, d->phone, d->occupation, d->enrolments, NULL};
		x->id = sk_strdup(d->id);
		x->owner = sk_strdup(nz(d->owner));
		for (int i = 0; i < DUP_FIELDS; i++)
			x->v[i] = sk_strdup(nz(v[i]));
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
	free(p->g);
}

/* the KPJ, and the values as the office writes them: the kelurahan by name, Laki-laki or
 * Perempuan, the date as 31-12-1980 */
static void dup_kpj(struct web_req *r, struct dup_group *g)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(web_rdb(r->srv), "SELECT kpj, (SELECT name FROM regions WHERE code = w.kelurahan) FROM workers w WHERE id = ?",
			       -1, &st, NULL) != SQLITE_OK)
		return;
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
	sqlite3_finalize(st);
}

static void duplicates_page(struct web_req *r, const char *ok, const char *err)
{
	static const char *const labels[DUP_FIELDS] = {N_("District"), N_("Name"), N_("Date of birth"), N_("Sex"), N_("Kelurahan"),
						       N_("Phone"), N_("Occupation"), N_("Enrolments"), N_("KPJ")};
	struct sk_db *db = web_engine(r);
	struct dup_page p = {NULL, 0, 0, 0, NULL};
	web_page_begin(r, N_("Duplicates"));
	if (ok)
		put_ok(r, ok);
	if (err)
		put_error_box(r, err);
	if (db && sk_duplicates_each(db, dup_collect, &p) < 0)
		put_error_box(r, sk_error_last());
	web_put(r, "<p>%D %t</p>", p.total, N_("NIK(s) are registered more than once. Compare the records, choose the one that stays: the others are marked as its duplicate in their districts at the next sync."));
	for (int i = 0; i < p.n; i++) {
		struct dup_group *g = &p.g[i];
		dup_kpj(r, g);
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
			for (int j = 1; j < g->n; j++)
				differ |= strcmp(g->rec[j].v[k], g->rec[0].v[k]) != 0;
			web_put(r, "<tr%s><th>%t</th>", differ ? " class=\"differs\"" : "", labels[k]);
			for (int j = 0; j < g->n; j++)
				web_put(r, "<td>%h</td>", g->rec[j].v[k]);
			web_put(r, "</tr>");
		}
		web_put(r, "</tbody></table></div><p><button type=\"submit\">%t</button></p></form>", N_("Decide: the chosen record stays"));
	}
	if (p.total > p.n)
		web_put(r, "<p>%t</p>", N_("Only the first 50 are shown: decide these and the next ones appear."));
	dup_free(&p);
	web_page_end(r);
}

static void page_duplicates(struct web_req *r)
{
	const char *nik = web_arg(r, "nik"), *keep = web_arg(r, "keep");
	struct sk_db *db;
	size_t marked = 0;
	char msg[300];
	if (!r->post) {
		duplicates_page(r, NULL, NULL);
		return;
	}
	if (!may_decide(r))
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
	note_add(r, "duplicate", nik, keep);
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
		id, N_("KPJ number from BPJS"), nz(kpj), N_("Set KPJ"));
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
		_("Line"), row, nz(nik), nz(kpj), _("Why"), t);
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

static void page_kpj(struct web_req *r)
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
	if (!may_decide(r))
		return;
	db = web_engine(r);
	if (!f) {
		int rc = db && key ? sk_worker_set_city_field(db, key, "kpj", kpj) : -1;
		web_page_begin(r, N_("KPJ"));
		if (rc < 0) {
			r->status = 422;
			put_error_box(r, sk_error_last());
		} else {
			char msg[200];
			note_add(r, "kpj", key, kpj);
			snprintf(msg, sizeof(msg), _("KPJ %s set for %s: it reaches the district at the next sync."), nz(kpj), key);
			put_ok(r, msg);
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
			put_error_box(r, sk_error_last());
		} else {
			note_add(r, "kpj-file", f->filename, NULL);
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

/* ---- Tagihan & laporan ---- */

static int month_arg(struct web_req *r, char out[8], int *year, int *month)
{
	const char *m = web_arg(r, "bulan");
	this_month(year, month);
	if (m && strlen(m) == 7 && m[4] == '-' && atoi(m) >= 2000 && atoi(m) <= 2100 && atoi(m + 5) >= 1 && atoi(m + 5) <= 12) {
		*year = atoi(m);
		*month = atoi(m + 5);
	}
	snprintf(out, 8, "%04d-%02d", *year, *month);
	return 0;
}

struct bill_ctx {
	struct web_req *r;
	int64_t people, amount;
	int n;
};

static int bill_row(void *payload, const struct sk_bill_line *l)
{
	struct bill_ctx *b = payload;
	b->n++;
	b->people += l->people;
	b->amount += l->amount;
	web_put(b->r, "<tr><td data-label=\"%a\">%h</td><td data-label=\"%a\">%h</td><td data-label=\"%a\">%D</td><td data-label=\"%a\">%R</td></tr>",
		_("Funder"), l->funder, _("Programme"), l->program, _("Workers"), l->people, _("Premium"), l->amount);
	return 0;
}

static int budget_row(void *payload, int year, const char *funder, int64_t amount)
{
	struct web_req *r = payload;
	web_put(r, "<tr><td data-label=\"%a\">%d</td><td data-label=\"%a\">%h</td><td data-label=\"%a\">%R</td></tr>", _("Year"), year,
		_("Funder"), funder, _("Budget"), amount);
	return 0;
}

static void bill_page(struct web_req *r, const char *ok, const char *err)
{
	struct sk_db *db = web_engine(r);
	struct bill_ctx b = {r, 0, 0, 0};
	char mon[8];
	int year, month;
	month_arg(r, mon, &year, &month);
	web_page_begin(r, N_("Bill and report"));
	if (ok)
		put_ok(r, ok);
	if (err)
		put_error_box(r, err);
	web_put(r, "<form method=\"get\" action=\"/kota/tagihan\" class=\"filters\"><label>%t<input type=\"month\" name=\"bulan\" value=\"%a\"></label>"
		   "<button type=\"submit\">%t</button></form>",
		N_("Month"), mon, N_("Show"));
	web_put(r, "<section class=\"card\"><h2>%t %h</h2><div class=\"table-wrap\"><table class=\"list\" id=\"bill\"><thead><tr><th>%t</th><th>%t</th>"
		   "<th>%t</th><th>%t</th></tr></thead><tbody>",
		N_("The bill of"), mon, N_("Funder"), N_("Programme"), N_("Workers"), N_("Premium"));
	{
		char *sig = data_signature(r), *key = sig ? sk_printf("bill %s %s", mon, sig) : NULL;
		size_t start = r->out.len;
		if (!cache_get(key, &r->out, NULL, 0)) {
			if (db && sk_bill(db, mon, bill_row, &b) < 0) {
				put_error_box(r, sk_error_last());
				free(key);
				key = NULL;
			}
			web_put(r, "</tbody><tfoot><tr><th colspan=\"2\">%t</th><th>%D</th><th id=\"bill-total\">%R</th></tr></tfoot></table></div>",
				N_("Total"), b.people, b.amount);
			cache_put(key, r->out.ptr + start, r->out.len - start);
		}
		free(sig);
		free(key);
	}
	web_put(r, "<p class=\"actions\"><a class=\"button\" id=\"bill-xlsx\" href=\"/kota/tagihan.xlsx?bulan=%u\">%t</a> "
		   "<a class=\"button\" id=\"bill-csv\" href=\"/kota/tagihan.csv?bulan=%u\">%t</a> "
		   "<a class=\"button\" href=\"/kota/laporan?bulan=%u\">%t</a> <a class=\"button\" href=\"/kota/laporan.xlsx?bulan=%u\">%t</a></p></section>",
		mon, N_("Download the bill (.xlsx)"), mon, N_("Download the bill (CSV)"), mon, N_("The year's report"), mon,
		N_("Download the year's report (.xlsx)"));
	web_put(r, "<section class=\"card\"><h2>%t</h2>", N_("The budget against the bill"));
	if (db)
		put_budgets(r, db, year, month);
	web_put(r, "</section><section class=\"card\" id=\"anggaran\"><h2>%t</h2><div class=\"table-wrap\"><table class=\"list\"><thead><tr>"
		   "<th>%t</th><th>%t</th><th>%t</th></tr></thead><tbody>",
		N_("Budgets"), N_("Year"), N_("Funder"), N_("Budget"));
	if (db)
		sk_budget_each(db, budget_row, r);
	web_put(r, "</tbody></table></div><form method=\"post\" action=\"/kota/anggaran\" class=\"form\">");
	web_csrf_field(r);
	web_put(r, "<label>%t<input name=\"year\" inputmode=\"numeric\" value=\"%d\" required></label><label>%t<input name=\"funder\" value=\"APBD Kota\" required></label>"
		   "<label>%t<input name=\"amount\" placeholder=\"2,2 miliar\" required></label><p><button type=\"submit\">%t</button></p></form></section>",
		N_("Year"), year, N_("Funder"), N_("Budget (Rp)"), N_("Save the budget"));
	web_page_end(r);
}

static void page_bill(struct web_req *r)
{
	bill_page(r, NULL, NULL);
}

static void page_budget(struct web_req *r)
{
	const char *y = web_arg(r, "year"), *funder = web_arg(r, "funder"), *amount = web_arg(r, "amount");
	struct sk_db *db;
	int64_t v = 0;
	char name[64], msg[200];
	if (!may_decide(r))
		return;
	db = web_engine(r);
	if (!db || !y || atoi(y) < 2000 || atoi(y) > 2100) {
		r->status = 422;
		bill_page(r, NULL, _("the year must be between 2000 and 2100"));
		return;
	}
	if (sk_funder_resolve(db, name, sizeof(name), nz(funder)) < 0 || sk_rupiah_parse(&v, nz(amount)) < 0 ||
	    sk_budget_set(db, atoi(y), name, v) < 0) {
		r->status = 422;
		bill_page(r, NULL, sk_error_last());
		return;
	}
	note_add(r, "budget", name, amount);
	snprintf(msg, sizeof(msg), _("The budget of %s for %d is saved."), name, atoi(y));
	bill_page(r, msg, NULL);
}

/* a file written by the engine into a private temporary folder, sent, removed */
static void send_file(struct web_req *r, const char *path, const char *ctype, const char *filename)
{
	FILE *f = fopen(path, "rb");
	char chunk[8192];
	size_t n;
	if (!f) {
		r->status = 500;
		return;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		sk_buf_put(&r->out, chunk, n);
	fclose(f);
	r->ctype = ctype;
	free(r->disposition);
	r->disposition = filename ? sk_printf("attachment; filename=\"%s\"", filename) : NULL;
}

static void download_failed(struct web_req *r)
{
	r->status = 500;
	r->out.len = 0;
	r->ctype = NULL;
	free(r->disposition);
	r->disposition = NULL;
	web_page_begin(r, N_("Bill and report"));
	put_error_box(r, sk_error_last());
	web_page_end(r);
}

enum download { BILL_XLSX, REPORT_XLSX, REPORT_HTML };

static void download(struct web_req *r, enum download what)
{
	struct sk_db *db = web_engine(r);
	char mon[8], dir[] = "/tmp/sinkron-web-XXXXXX", *path, *name;
	int year, month, rc = -1;
	struct sk_report *rep = NULL;
	month_arg(r, mon, &year, &month);
	if (!db || !mkdtemp(dir)) {
		download_failed(r);
		return;
	}
	path = sk_printf("%s/out", dir);
	if (what == BILL_XLSX) {
		rc = sk_bill_write_xlsx(db, mon, path);
	} else if ((rc = sk_report_build(&rep, db, year, month)) == 0) {
		rc = what == REPORT_XLSX ? sk_report_write_xlsx(rep, path) : sk_report_write_html(rep, path);
		sk_report_free(rep);
	}
	if (rc < 0) {
		download_failed(r);
	} else if (what == REPORT_HTML) {
		send_file(r, path, "text/html; charset=utf-8", NULL);
		/* the report's own styles and inline charts; no script at all */
		r->csp = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";
	} else {
		name = what == BILL_XLSX ? sk_printf("tagihan-%s.xlsx", mon) : sk_printf("laporan-%d.xlsx", year);
		send_file(r, path, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", name);
		free(name);
	}
	unlink(path);
	rmdir(dir);
	free(path);
}

static void page_bill_xlsx(struct web_req *r) { download(r, BILL_XLSX); }
static void page_report_xlsx(struct web_req *r) { download(r, REPORT_XLSX); }
static void page_report(struct web_req *r) { download(r, REPORT_HTML); }

static int csv_row(void *payload, const struct sk_bill_line *l)
{
	struct bill_ctx *b = payload;
	struct sk_buf *o = &b->r->out;
	/* a funder's name is the city's own list: quoted, its quotes doubled, never a formula */
	sk_buf_putc(o, '"');
	for (const char *p = l->funder; *p; p++) {
		if (p == l->funder && strchr("=+-@", *p))
			sk_buf_putc(o, '\'');
		if (*p == '"')
			sk_buf_putc(o, '"');
		sk_buf_putc(o, *p);
	}
	sk_buf_printf(o, "\",%s,%lld,%lld\r\n", l->program, (long long)l->people, (long long)l->amount);
	b->people += l->people;
	b->amount += l->amount;
	return 0;
}

static void page_bill_csv(struct web_req *r)
{
	struct sk_db *db = web_engine(r);
	struct bill_ctx b = {r, 0, 0, 0};
	char mon[8];
	int year, month;
	month_arg(r, mon, &year, &month);
	sk_buf_puts(&r->out, "Pemberi dana,Program,Peserta,Iuran (Rp)\r\n");
	if (!db || sk_bill(db, mon, csv_row, &b) < 0) {
		download_failed(r);
		return;
	}
	sk_buf_printf(&r->out, "Jumlah,,%lld,%lld\r\n", (long long)b.people, (long long)b.amount);
	r->ctype = "text/csv; charset=utf-8";
	free(r->disposition);
	r->disposition = sk_printf("attachment; filename=\"tagihan-%s.csv\"", mon);
}

/* ---- Riwayat: who changed what and when; a worker as on a date; two dates compared ---- */

struct hist {
	struct web_req *r;
	const char *officer;
	int64_t from, to; /* ms, 0: open */
	int n;
};

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
	if (!in_range(h, e->at) || (h->officer && *h->officer && strcmp(h->officer, nz(e->operator_name))))
		return 0;
	fmt_time(when, sizeof(when), e->at);
	web_put(h->r, "<tr><td data-label=\"%a\">%h</td><td data-label=\"%a\">%h</td><td data-label=\"%a\">%h</td><td data-label=\"%a\">%h%s%h</td></tr>",
		_("When"), when, _("Officer"), nz(e->operator_name), _("District"), nz(e->origin), _("What changed"), nz(e->table),
		e->deleted ? " ✕ " : ": ", e->deleted ? "" : nz(e->fields));
	h->n++;
	return 0;
}

static int hist_log_row(void *payload, const struct sk_log_entry *e)
{
	struct hist *h = payload;
	char when[40];
	if (!in_range(h, e->at) || h->n >= 200)
		return 0;
	fmt_time(when, sizeof(when), e->at);
	web_put(h->r, "<tr><td data-label=\"%a\">%h</td><td data-label=\"%a\">%h %t %D</td><td data-label=\"%a\">%D</td><td data-label=\"%a\">%h</td></tr>",
		_("When"), when, _("District"), e->origin, N_("package"), (int64_t)e->number, _("Records"), (int64_t)e->rows, _("What changed"),
		nz(e->summary));
	h->n++;
	return 0;
}

static void history_notes(struct web_req *r, struct hist *hs, const char *subject)
{
	static const char *const actions[][2] = {{"release", N_("released from quarantine")}, {"reject", N_("rejected in quarantine")},
						 {"duplicate", N_("decided a duplicate")}, {"kpj", N_("set a KPJ")},
						 {"kpj-file", N_("read BPJS's KPJ file")}, {"budget", N_("set a budget")}};
	sqlite3 *h = web_rdb(r->srv);
	sqlite3_stmt *st;
	int n = 0;
	web_put(r, "<section class=\"card\"><h2>%t</h2><div class=\"table-wrap\"><table class=\"list\" id=\"decisions\"><thead><tr><th>%t</th>"
		   "<th>%t</th><th>%t</th><th>%t</th><th>%t</th></tr></thead><tbody>",
		N_("Decisions of the city"), N_("When"), N_("Officer"), N_("Decision"), N_("About"), N_("Note"));
	if (h && notes_ensure(h) == 0 &&
	    sqlite3_prepare_v2(h, "SELECT at, account, action, subject, note FROM web_city_notes WHERE (?1 IS NULL OR ?1 = '' OR account = ?1) "
				  "AND (?2 IS NULL OR ?2 = '' OR subject LIKE ?2 || '%') AND at >= ?3 AND at <= ?4 ORDER BY at DESC LIMIT 200",
			       -1, &st, NULL) == SQLITE_OK) {
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
			fmt_time(when, sizeof(when), sqlite3_column_int64(st, 0));
			web_put(r, "<tr><td data-label=\"%a\">%h</td><td data-label=\"%a\">%h</td><td data-label=\"%a\">%h</td><td data-label=\"%a\">%h</td>"
				   "<td data-label=\"%a\">%h</td></tr>",
				_("When"), when, _("Officer"), (const char *)sqlite3_column_text(st, 1), _("Decision"), label, _("About"),
				(const char *)sqlite3_column_text(st, 3), _("Note"), nz((const char *)sqlite3_column_text(st, 4)));
			n++;
		}
		sqlite3_finalize(st);
	}
	if (!n)
		web_put(r, "<tr><td colspan=\"5\">%t</td></tr>", N_("No decision recorded yet."));
	web_put(r, "</tbody></table></div></section>");
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
		put_error_box(r, sk_error_last());
	} else if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
		   sqlite3_prepare_v2(h, "SELECT nik, name, birth_date, kelurahan, phone, occupation, status, kpj FROM workers WHERE id = ?1 OR nik = ?1 "
					 "ORDER BY id = ?1 DESC LIMIT 1", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW) {
			web_put(r, "<dl class=\"fields\">");
			for (int i = 0; i < 8; i++)
				web_put(r, "<dt>%t</dt><dd class=\"f-%a\">%h</dd>", cols[i][1], cols[i][0], nz((const char *)sqlite3_column_text(st, i)));
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
	int n;
};

static int diff_row(void *payload, const struct sk_diff_entry *e)
{
	struct diff_ctx *d = payload;
	static const char *const what[][2] = {{"added", N_("added")}, {"changed", N_("changed")}, {"ended", N_("ended")}, {"removed", N_("removed")}};
	const char *label = e->what;
	for (size_t i = 0; i < 4; i++)
		if (!strcmp(what[i][0], e->what))
			label = _(what[i][1]);
	if (d->n++ >= 500)
		return 0;
	web_put(d->r, "<tr><td data-label=\"%a\">%h</td><td data-label=\"%a\"><a href=\"/pekerja/%u\">%h</a></td><td data-label=\"%a\">%h</td>"
		      "<td data-label=\"%a\">%h</td></tr>",
		_("What changed"), label, _("Name"), nz(e->id), nz(e->name), _("District"), nz(e->owner), _("Fields"), nz(e->fields));
	return 0;
}

static void dates_diff(struct web_req *r, const char *a, const char *b, const char *district)
{
	struct sk_diff_result *res = sk_calloc(1, sizeof(*res));
	struct diff_ctx d = {r, 0};
	web_put(r, "<section class=\"card\" id=\"diff\"><h2>%t %h — %h</h2><div class=\"table-wrap\"><table class=\"list\"><thead><tr><th>%t</th>"
		   "<th>%t</th><th>%t</th><th>%t</th></tr></thead><tbody>",
		N_("Differences between"), a, b, N_("What changed"), N_("Name"), N_("District"), N_("Fields"));
	if (sk_diff(web_db_path(r->srv), a, b, district && *district ? district : NULL, diff_row, &d, res) < 0) {
		web_put(r, "</tbody></table></div>");
		put_error_box(r, sk_error_last());
	} else {
		web_put(r, "</tbody></table></div><p>%D %t, %D %t, %D %t, %D %t</p>", (int64_t)res->added, N_("added"), (int64_t)res->changed,
			N_("changed"), (int64_t)res->ended, N_("ended"), (int64_t)res->removed, N_("removed"));
	}
	web_put(r, "</section>");
	sk_diff_result_release(res);
	free(res);
}

static void page_history(struct web_req *r)
{
	const char *district = web_arg(r, "distrik"), *worker = web_arg(r, "pekerja"), *officer = web_arg(r, "akun");
	const char *from = web_arg(r, "dari"), *to = web_arg(r, "sampai"), *at = web_arg(r, "pada");
	const char *a = web_arg(r, "a"), *b = web_arg(r, "b");
	struct sk_db *db = web_engine(r);
	struct hist hs = {r, officer, day_ms(from, 0), day_ms(to, 1), 0};
	struct districts *ds = sk_calloc(1, sizeof(*ds));
	sqlite3_stmt *st;

	web_page_begin(r, N_("History"));
	if (db && sqlite3_prepare_v2(web_rdb(r->srv), "SELECT code, name FROM regions WHERE level = 'district' AND code LIKE ?1 || '.%' ORDER BY code",
				     -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, sk_db_code(db), -1, SQLITE_STATIC);
		while (ds->n < 64 && sqlite3_step(st) == SQLITE_ROW) {
			snprintf(ds->v[ds->n].code, sizeof(ds->v[0].code), "%s", (const char *)sqlite3_column_text(st, 0));
			snprintf(ds->v[ds->n].name, sizeof(ds->v[0].name), "%s", (const char *)sqlite3_column_text(st, 1));
			ds->n++;
		}
		sqlite3_finalize(st);
	}
	web_put(r, "<form method=\"get\" action=\"/kota/riwayat\" class=\"filters\"><label>%t<select name=\"distrik\"><option value=\"\">%t</option>",
		N_("District"), N_("(all)"));
	for (int i = 0; i < ds->n; i++)
		web_put(r, "<option value=\"%a\"%s>%h</option>", ds->v[i].code, district && !strcmp(district, ds->v[i].code) ? " selected" : "", ds->v[i].name);
	web_put(r, "</select></label><label>%t<input name=\"pekerja\" value=\"%a\"></label><label>%t<input name=\"akun\" value=\"%a\"></label>"
		   "<label>%t<input type=\"date\" name=\"dari\" value=\"%a\"></label><label>%t<input type=\"date\" name=\"sampai\" value=\"%a\"></label>"
		   "<button type=\"submit\">%t</button></form>",
		N_("Worker (id or NIK)"), nz(worker), N_("Officer"), nz(officer), N_("From"), nz(from), N_("Until"), nz(to), N_("Show"));

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
		if (!hs.n)
			web_put(r, "<tr><td colspan=\"4\">%t</td></tr>", N_("No change recorded yet."));
		web_put(r, "</tbody></table></div></section>");
	}
	history_notes(r, &hs, worker);

	web_put(r, "<form method=\"get\" action=\"/kota/riwayat\" class=\"card form\" id=\"at-form\"><h2>%t</h2>"
		   "<label>%t<input name=\"pekerja\" value=\"%a\" required></label><label>%t<input name=\"pada\" value=\"%a\" placeholder=\"2024-02-28\" required></label>"
		   "<p><button type=\"submit\">%t</button></p></form>",
		N_("A worker's record on a date"), N_("Worker (id or NIK)"), nz(worker), N_("Date (and time)"), nz(at), N_("Show"));
	if (at && *at && worker && *worker)
		worker_at(r, worker, at);
	web_put(r, "<form method=\"get\" action=\"/kota/riwayat\" class=\"card form\" id=\"diff-form\"><h2>%t</h2><input type=\"hidden\" name=\"distrik\" value=\"%a\">"
		   "<label>%t<input name=\"a\" value=\"%a\" placeholder=\"2024-01-31\" required></label><label>%t<input name=\"b\" value=\"%a\" placeholder=\"2024-02-29\" required></label>"
		   "<p><button type=\"submit\">%t</button></p></form>",
		N_("Differences between two dates"), nz(district), N_("First date"), nz(a), N_("Second date"), nz(b), N_("Compare"));
	if (a && *a && b && *b)
		dates_diff(r, a, b, district);
	free(ds);
	web_page_end(r);
}

const struct web_route web_city_routes[] = {
	{"GET", "/", page_city_home, 0},
	{"GET", "/kota/karantina", page_quarantine, 0},
	{"POST", "/kota/karantina", page_quarantine, 0},
	{"POST", "/kota/gabung", page_consolidate, 0},
	{"GET", "/kota/duplikat", page_duplicates, 0},
	{"POST", "/kota/duplikat", page_duplicates, 0},
	{"GET", "/kota/kpj", page_kpj, 0},
	{"POST", "/kota/kpj", page_kpj, 0},
	{"GET", "/kota/tagihan", page_bill, 0},
	{"GET", "/kota/tagihan.xlsx", page_bill_xlsx, 0},
	{"GET", "/kota/tagihan.csv", page_bill_csv, 0},
	{"GET", "/kota/laporan", page_report, 0},
	{"GET", "/kota/laporan.xlsx", page_report_xlsx, 0},
	{"POST", "/kota/anggaran", page_budget, 0},
	{"GET", "/kota/riwayat", page_history, 0},
	/* the office's pages that write to districts' records: the city decides, never edits */
	{NULL, NULL, NULL, 0},
};

/*
 * web_city_common.c: what the rooms of the city's desk share: who may decide, the decisions'
 * notes, what is kept until the data changes, and the month's bill per funder against its
 * budget.  Called by the rooms (web_city.c, web_city_dup.c, web_city_money.c,
 * web_city_history.c); it calls only the page frame (web_pages.c), the request layer
 * (web_http.c) and the catalogue.
 */
#include <microhttpd.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "web.h"
#include "web_city.h"

int64_t web_city_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int web_city_may_decide(struct web_req *r)
{
	if (!strcmp(r->role, "operator"))
		return 1;
	web_refuse(r, MHD_HTTP_FORBIDDEN, N_("only an operator kota account decides: nothing was changed"));
	return 0;
}

int web_city_notes_ensure(sqlite3 *h)
{
	return sqlite3_exec(h, "CREATE TABLE IF NOT EXISTS web_city_notes (at INTEGER NOT NULL, account TEXT NOT NULL, "
			       "action TEXT NOT NULL, subject TEXT NOT NULL, note TEXT)",
			    NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

void web_city_note(struct web_req *r, const char *action, const char *subject, const char *note)
{
	sqlite3 *h = web_rdb(r->srv);
	sqlite3_stmt *st;
	if (!h || web_city_notes_ensure(h) < 0 ||
	    sqlite3_prepare_v2(h, "INSERT INTO web_city_notes VALUES (?, ?, ?, ?, ?)", -1, &st, NULL) != SQLITE_OK)
		return;
	sqlite3_bind_int64(st, 1, web_city_now_ms());
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

char *web_city_signature(struct web_req *r)
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
int web_city_cache_get(const char *key, struct sk_buf *out, void *copy, size_t len)
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

void web_city_cache_put(const char *key, const void *data, size_t len)
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

void web_city_budgets(struct web_req *r, struct sk_db *db, int year, int month)
{
	struct sk_report *rep = NULL;
	static const char *const months[] = {N_("January"), N_("February"), N_("March"), N_("April"), N_("May"), N_("June"),
					     N_("July"), N_("August"), N_("September"), N_("October"), N_("November"), N_("December")};
	char *sig = web_city_signature(r), *key = sig ? sk_printf("budgets %d-%d %s", year, month, sig) : NULL;
	size_t start = r->out.len;
	free(sig);
	if (web_city_cache_get(key, &r->out, NULL, 0)) {
		free(key);
		return;
	}
	if (sk_report_build(&rep, db, year, month) < 0) {
		web_error_box(r, sk_error_last());
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
	web_city_cache_put(key, r->out.ptr + start, r->out.len - start);
	free(key);
}

void web_city_this_month(int *year, int *month)
{
	time_t t = time(NULL);
	struct tm tm;
	localtime_r(&t, &tm);
	*year = tm.tm_year + 1900;
	*month = tm.tm_mon + 1;
}

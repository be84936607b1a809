/*
 * web_city.h: what the rooms of the city's desk share (web_city_common.c): who may decide, the
 * decisions' notes, what is kept until the data changes, the budgets; the districts of the city;
 * and each room's pages for the city's table of pages (web_city.c).
 */
#ifndef SK_WEB_CITY_H
#define SK_WEB_CITY_H

#include "web.h"

/* now, in ms since the epoch */
int64_t web_city_now_ms(void);
/* Only an operator kota decides; 1 when r may, else the page says why (403) */
int web_city_may_decide(struct web_req *r);
/* the decisions' notes: kept in the city's database beside the accounts, never synced */
int web_city_notes_ensure(sqlite3 *h);
void web_city_note(struct web_req *r, const char *action, const char *subject, const char *note);

/* What is kept until the data changes, under a signature of the data (owned by the caller,
 * NULL on error): web_city_cache_get appends the kept bytes of key to out, or copies them into
 * a struct of len bytes (out NULL); 1 when found.  A NULL key is never kept. */
char *web_city_signature(struct web_req *r);
int web_city_cache_get(const char *key, struct sk_buf *out, void *copy, size_t len);
void web_city_cache_put(const char *key, const void *data, size_t len);

/* the city's districts, from the regions table */
struct district {
	char code[24], name[64];
	int64_t active, ended, last_number, last_at, held, dups;
	int match; /* 1 equal, 0 differs, -1 nothing to compare */
};
/* every district of the city (a city has tens of them): v holds n, freed by the caller */
struct districts {
	struct district *v;
	int n;
};

void web_city_this_month(int *year, int *month);
/* the month's bill per funder against its budget (kept until the data changes) */
void web_city_budgets(struct web_req *r, struct sk_db *db, int year, int month);

/* the rooms' pages */
void web_city_page_duplicates(struct web_req *r); /* web_city_dup.c */
void web_city_page_kpj(struct web_req *r);
void web_city_page_bill(struct web_req *r);       /* web_city_money.c */
void web_city_page_budget(struct web_req *r);
void web_city_page_bill_xlsx(struct web_req *r);
void web_city_page_bill_csv(struct web_req *r);
void web_city_page_report(struct web_req *r);
void web_city_page_report_xlsx(struct web_req *r);
void web_city_page_history(struct web_req *r);    /* web_city_history.c */

#endif

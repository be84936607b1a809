/*
 * registry.h: inside sync/register/, what the register's writers share: the workers
 * (registry.c), their heirs and enrolments (enrolment.c), the import (import.c) and the marks.
 */
#ifndef SK_REGISTRY_H
#define SK_REGISTRY_H

#include "db.h"
#include "pricing.h"
#include "validate.h"
#include "api/files.h"

/* The district's kelurahan (all of them, owned) and the validation context that points at
 * them; loaded by sk_ctx_load(), emptied by sk_ctx_release(). */
struct sk_ctx_store {
	struct sk_kelurahan *kel;
	size_t n;
	struct sk_validate_ctx ctx;
};
int sk_ctx_load(struct sk_db *db, struct sk_ctx_store *s);
void sk_ctx_release(struct sk_ctx_store *s);

/* Inserts w (checked) as a new active worker owned by this district; caller holds the transaction. */
int sk_worker_insert(struct sk_db *db, const struct sk_worker *w, char **id_out);
/* Writes the entry fields of w that differ from the stored old; caller holds the transaction. */
int sk_worker_update(struct sk_db *db, const struct sk_worker *old, const struct sk_worker *w, int *changed);

/* SK_EINVALID when db is the city's: workers are registered at a district office. */
int sk_refuse_at_city(struct sk_db *db);
/* Binds s to parameter i of st, NULL when s is NULL or empty. */
void sk_bind_opt(sqlite3_stmt *st, int i, const char *s);
/* Column i of the row as a new string, or NULL for SQL NULL. */
char *sk_col_dup(sqlite3_stmt *st, int i);

/* Inside the caller's transaction: the open enrolments of w in program (NULL: all) are paid by
 * funder (NULL: the same) at bracket income (0: the scheme's, else the declared income) from
 * `from`; an older one ends the day before and a new record carries on, so the history is
 * kept.  *changed counts the enrolments changed. */
int sk_enrolments_change_open(struct sk_db *db, const struct sk_pricing *pr, const struct sk_worker *w,
			      const char *program, const char *from, const char *funder, int64_t income,
			      const char *decision, size_t *changed);
/* An end date into day: today when date is empty; SK_EINVALID if malformed or in the future. */
int sk_end_date(char day[SK_DATE_SIZE], const char *date);

/* A funder's scheme checks for worker w enrolled in progs from day (YYYY-MM-DD): the
 * programmes it pays, the ages it covers, how far back a start may go without a decision. */
int sk_scheme_check(const struct sk_funder *sch, const struct sk_worker *w, const char progs[][4], int np,
		    const char *day, const char *decision, struct sk_issues *is);
/* An end reason as the list spells it; SK_EINVALID naming the list. */
int sk_end_reason(char *out, size_t n, const char *reason);

#endif

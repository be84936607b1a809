/*
 * registry.h: inside sync/, what the registry and the import share (registry.c, import.c).
 */
#ifndef SK_REGISTRY_H
#define SK_REGISTRY_H

#include "db.h"
#include "validate.h"

/* The district's kelurahan and the validation context that points at them. */
struct sk_ctx_store {
	struct sk_kelurahan kel[128];
	size_t n;
	struct sk_validate_ctx ctx;
};
int sk_ctx_load(struct sk_db *db, struct sk_ctx_store *s);
void sk_ctx_release(struct sk_ctx_store *s);

/* Inserts w (checked) as a new active worker owned by this district; caller holds the transaction. */
int sk_worker_insert(struct sk_db *db, const struct sk_worker *w, char **id_out);
/* Writes the entry fields of w that differ from the stored old; caller holds the transaction. */
int sk_worker_update(struct sk_db *db, const struct sk_worker *old, const struct sk_worker *w, int *changed);

/* A funder's scheme checks for worker w enrolled in progs from day (YYYY-MM-DD): the
 * programmes it pays, the ages it covers, how far back a start may go without a decision. */
int sk_scheme_check(const struct sk_funder *sch, const struct sk_worker *w, const char progs[][4], int np,
		    const char *day, const char *decision, struct sk_issues *is);
/* An end reason as the list spells it; SK_EINVALID naming the list. */
int sk_end_reason(char *out, size_t n, const char *reason);

#endif

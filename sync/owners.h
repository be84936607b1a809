/* owners.h: per-owner digests collected during a seal or an apply (owners.c). */
#ifndef SK_OWNERS_H
#define SK_OWNERS_H

#include "db.h"
#include "api/consolidate.h"

struct sk_owner_sum {
	char owner[24];
	unsigned char add[SK_HASH_SIZE], sub[SK_HASH_SIZE];
};
struct sk_owner_sums {
	int n;
	struct sk_owner_sum v[32];
};
/* Counts hash in (add) or out of the digest of the row's owner.  -1 when the table of owners
 * is full: flush and call again. */
int sk_owner_sums_change(struct sk_owner_sums *s, const struct sk_value *owner, const unsigned char *hash, int add);
/* Writes the collected changes to sk_digests and empties s. */
int sk_owner_sums_flush(struct sk_db *db, struct sk_owner_sums *s);
/* 1 when change-set cs (the city's) names a row of district code (or of every district) in a
 * table of db's digest, which then changes that district's digest; 0 when it does not. */
int sk_owner_touched(struct sk_db *db, const struct sk_changeset *cs, const char *code);

#endif

/*
 * api/consolidate.h: the city consolidating its districts, quarantine, owners' digests.
 * Part of sinkron's public API (gathered by sync.h), implemented by the engine layer.
 */
#ifndef SK_API_CONSOLIDATE_H
#define SK_API_CONSOLIDATE_H

#include "history.h"

/* ---- the city ---- */
struct sk_consolidate_result {
	size_t changesets, rows;  /* applied now */
	size_t districts;         /* districts with something new (a receipt was written) */
	int city_clock_behind;    /* districts' clocks agree the city's own clock is behind */
	size_t waiting;           /* branches waiting behind a held change-set */
	size_t nquarantined;      /* refused now */
	char **quarantined;       /* each, in words: nquarantined of them */
	size_t nskipped;
	char **skipped;           /* branches that are not a district of this city, nskipped */
};
/* Applies every district branch of `from` (NULL: what the last sync fetched) to the city's
 * database, checking each change-set; refused ones are quarantined (SK_ECONFLICT when any
 * was, after committing the rest).  Writes a receipt per district with something new. */
int sk_consolidate(struct sk_db *db, const char *from, struct sk_consolidate_result *res,
		   sk_progress_fn progress, void *payload);
/* Frees the lists sk_consolidate() filled into res (not res itself); a zeroed res is fine. */
void sk_consolidate_result_free(struct sk_consolidate_result *res);

struct sk_quarantined {
	const char *id, *origin, *commit, *reason, *state, *decided_by;
	int64_t number, at;
};
/* Quarantined change-sets: held ones, or all with all set. */
int sk_quarantine_each(struct sk_db *db, int all, int (*fn)(void *payload, const struct sk_quarantined *q), void *payload);
/* Releases (applied at the next consolidation without the clock and digest checks) or rejects
 * (skipped for good) the held change-set whose id starts with id. */
int sk_quarantine_decide(struct sk_db *db, const char *id, int release);

/* The digest of the rows owned by the district `code` in this database. */
int sk_owner_digest(struct sk_db *db, const char *code, unsigned char out[SK_HASH_SIZE]);

#endif

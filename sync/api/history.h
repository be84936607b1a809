/*
 * api/history.h: sealing, applying, verifying, the local history.
 * Part of sinkron's public API (gathered by sync.h), implemented by the engine layer.
 */
#ifndef SK_API_HISTORY_H
#define SK_API_HISTORY_H

#include "changeset.h"

/* ---- sealing, applying, the local history ---- */
struct sk_seal_result {
	size_t changesets;  /* change-sets written */
	size_t rows;        /* row changes in them */
	size_t bytes;       /* their encoded size */
	uint32_t flags;     /* SK_CSF_* seen while sealing */
	size_t aside;       /* changes left in the outbox: their record's id cannot travel */
	char aside_first[200]; /* the first of them, in words */
};


/* Seals the pending changes into change-sets of at most max_bytes (0: 32 KiB) on this
 * office's branch of the local repository beside the database ("office.db" -> "office.git"). */
int sk_seal(struct sk_db *db, size_t max_bytes, struct sk_seal_result *res, sk_progress_fn progress, void *payload);

struct sk_apply_result {
	size_t changesets, rows;  /* applied now */
	size_t skipped;           /* already there */
	size_t nrefused;          /* branches stopped at a change-set that was refused */
	char **refused;           /* each, "branch: why": nrefused of them */
};
/* Applies change-sets from the repository `from` (NULL: the local one) on the branch `what`
 * ("96.71.01", "district/96.71.01", "central", a full ref or a commit id; NULL: every district
 * branch and central).  A refused change-set stops its branch (the others go on) and the
 * call returns its error after committing what was applied. */
int sk_apply(struct sk_db *db, const char *from, const char *what, struct sk_apply_result *res,
	     sk_progress_fn progress, void *payload);
/* Frees the list sk_apply() filled into res (not res itself); a zeroed res is fine. */
void sk_apply_result_free(struct sk_apply_result *res);

struct sk_verify_result {
	int ok;
	size_t rows, pending;     /* pending: changed since the last seal, checked at the next */
	size_t nbad;
	char **bad;               /* each row found wrong, "table id: why": nbad of them */
	char digest[2 * SK_HASH_SIZE + 1], recomputed[2 * SK_HASH_SIZE + 1];
};
/* Recomputes the state digest from every row and compares it with the one kept.  res is
 * filled even when it fails: released by the caller in both cases. */
int sk_verify(struct sk_db *db, struct sk_verify_result *res);
/* Frees the list sk_verify() filled into res (not res itself); a zeroed res is fine. */
void sk_verify_result_free(struct sk_verify_result *res);

struct sk_log_entry {
	const char *id, *origin, *commit, *digest;
	const char *summary; /* what it changed, in words, or NULL */
	uint64_t number, hlc_max;
	size_t rows, bytes;
	int64_t at;   /* sealed or applied here, ms */
	int local;    /* 1 sealed here */
};
/* Calls fn for every change-set this database holds (of `origin`, or all when NULL). */
int sk_log(struct sk_db *db, const char *origin, int (*fn)(void *payload, const struct sk_log_entry *e), void *payload);

struct sk_pending_info {
	size_t outbox_entries, outbox_rows; /* changes not yet sealed */
	int64_t oldest_ms;
	size_t sealed, pushed;              /* numbers of the last sealed and last pushed change-set */
	size_t unsent, unsent_bytes;        /* sealed, not yet in the central repository */
};
int sk_pending(struct sk_db *db, struct sk_pending_info *out);

#endif

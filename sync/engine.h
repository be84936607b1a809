/*
 * engine.h: sealing and applying, inside sync/.  Sealing writes each change-set through a
 * sink (the local git repository in production, memory in tests) while the caller holds the
 * database transaction, so the database and the repository can be reconciled after a crash:
 * the database records the commit it sealed, and the branch is moved to it after COMMIT.
 */
#ifndef SK_ENGINE_H
#define SK_ENGINE_H

#include "db.h"
#include "api/changeset.h"
#include "api/remote.h"
#include "api/history.h"
#include "api/consolidate.h"
#include "api/restore.h"

struct sk_sink {
	/* Stores one change-set durably and gives back its blob and commit ids (40 hex).
	 * parent is the previous commit of this office's branch ("" for the first). */
	int (*write)(void *payload, const struct sk_changeset *cs, const unsigned char *data, size_t len,
		     const char *manifest, const char *message, const char *parent, char blob[41], char commit[41]);
	void *payload;
};

/* Seals the outbox into change-sets of at most max_bytes each (a single row larger than that
 * travels alone); the caller holds a write transaction. */
int sk_seal_tx(struct sk_db *db, const struct sk_sink *sink, size_t max_bytes, struct sk_seal_result *res,
	       sk_progress_fn progress, void *payload);

/* Applies one decoded change-set whose bytes have the git blob id `id` inside the caller's write
 * transaction, which it never ends.  Already applied: 0 with *applied 0.  Unknown tables or
 * columns, values of the wrong type: SK_EINVALID; records the origin does not own:
 * SK_ECONFLICT; damaged bookkeeping: SK_ECORRUPT.  Such a refusal (sk_apply_refused) leaves the
 * database as before the call: the rows are checked before the first write, or, for a
 * change-set naming a row twice, written under a savepoint of its own that is rolled back.
 * Any other error may leave part of the change-set written: the caller must roll its
 * transaction back. */
int sk_apply_tx(struct sk_db *db, const struct sk_changeset *cs, const char *id, const char *commit,
		size_t bytes, int *applied);

/* Whether an error of sk_apply_tx is a refusal of the change-set, which left nothing written
 * (the caller's transaction may go on), rather than a failure to write it. */
static inline int sk_apply_refused(int rc)
{
	return rc == SK_EINVALID || rc == SK_ECONFLICT || rc == SK_ECORRUPT;
}

/* The uncompressed header of a change-set (sync/FORMAT.md), read without decompressing its
 * body: what choosing among many change-sets needs. */
struct sk_cs_header {
	char origin[24];
	uint64_t number, seq_first, seq_last;
	uint64_t hlc_min, hlc_max, hlc_seen;
	uint32_t flags;
	unsigned char digest[SK_HASH_SIZE];
	uint64_t ntables, nrows, ulen, clen; /* tables, rows, body bytes, compressed body bytes */
	size_t len;                          /* the header's bytes: the compressed body follows */
};
/* Reads and checks the header of the change-set data: magic, version, origin, the limits
 * (lim NULL: the defaults), the length and the checksum of the whole.  SK_ECORRUPT or
 * SK_EINVALID as sk_changeset_decode says them; sk_changeset_decode begins with it. */
int sk_changeset_peek(struct sk_cs_header *out, const void *data, size_t len, const struct sk_cs_limits *lim);

/* Text from sk_state, or NULL. */
char *sk_state_text(struct sk_db *db, const char *key);
int sk_state_set_text(struct sk_db *db, const char *key, const char *v);

/* The git blob id of data, as 40 hex digits. */
void sk_blob_id(char out[41], const void *data, size_t len);

#endif

/*
 * row.h: a synced row as the sealer and the applier handle it: its values, the per-cell clocks
 * and the row hash kept in the hidden column _sk, and the canonical row hash the state digest
 * is the sum of.
 */
#ifndef SK_ROW_H
#define SK_ROW_H

#include "db.h"

/* The clock of one cell: the change that last set it.  hlc 0: never set. */
struct sk_cell {
	uint64_t hlc;
	uint32_t origin;
};

/* What _sk holds.  has_hash is 0 for a row never sealed or applied (written by a clerk and not
 * yet sealed): such a row is not yet part of the digest. */
struct sk_meta {
	int has_hash;
	unsigned char hash[SK_HASH_SIZE];
	int ncols;
	struct sk_cell cell[SK_MAX_COLS];
};

/* A cell clock compared with another: by clock, then by origin. */
static inline int sk_cell_cmp(uint64_t h1, uint32_t o1, uint64_t h2, uint32_t o2)
{
	if (h1 != h2)
		return h1 < h2 ? -1 : 1;
	if (o1 != o2)
		return o1 < o2 ? -1 : 1;
	return 0;
}

/* Reads _sk; NULL or empty gives an empty meta.  SK_ECORRUPT when malformed. */
int sk_meta_decode(struct sk_meta *m, int ncols, const void *blob, size_t n);
/* Writes _sk into out (reset first). */
void sk_meta_encode(struct sk_buf *out, const struct sk_meta *m);

/* The hash of a row: its table, id and non-NULL columns in name order (so a column added
 * later, NULL in old rows, does not change their hash). */
void sk_row_hash(unsigned char out[SK_HASH_SIZE], const struct sk_table *t, const char *pk,
		 const struct sk_value *vals);

/* Reads value i of a statement's row into v, the bytes copied with sk_malloc into *keep
 * (freed by the caller with free()). */
void sk_value_from_column(struct sk_value *v, sqlite3_stmt *st, int col);
void sk_value_bind(sqlite3_stmt *st, int idx, const struct sk_value *v);
int sk_value_equal(const struct sk_value *a, const struct sk_value *b);

/* Prepared statements over one synced table, kept on the connection (sk_stmt_get). */
struct sk_rowio {
	struct sk_db *db;
	const struct sk_table *t;
	sqlite3_stmt *get;    /* SELECT cols..., _sk FROM t WHERE id = ? */
	sqlite3_stmt *insert; /* INSERT INTO t (id, cols..., _sk) VALUES (...) */
	sqlite3_stmt *update; /* UPDATE t SET cols... = ?, _sk = ? WHERE id = ? */
	sqlite3_stmt *setmeta;/* UPDATE t SET _sk = ? WHERE id = ? */
	sqlite3_stmt *del;    /* DELETE FROM t WHERE id = ? */
};
int sk_rowio_init(struct sk_rowio *io, struct sk_db *db, const struct sk_table *t);
void sk_rowio_release(struct sk_rowio *io);
/* Loads the row pk: 1 found (vals owned by the statement until the next call: copy what you
 * keep), 0 not found, negative on error. */
int sk_rowio_get(struct sk_rowio *io, const char *pk, struct sk_value *vals, struct sk_meta *meta);

/* Records in the outbox each row of t whose values are not those its _sk recorded and that no
 * pending change names (it changed without capture): as changed in every column, or as
 * inserted when it was never sealed.  Adds their number to *rescanned; inside the caller's
 * write transaction. */
int sk_row_rescan(struct sk_db *db, const struct sk_table *t, size_t *rescanned);

#endif

/*
 * db.h: the database handle shared inside sync/ (never by agent/), the bottom of the store: the
 * SQLite connection, the office's identity, the synced tables' column lists, write
 * transactions, the statement cache, the sk_state table, and the helpers that translate SQLite
 * errors into sk_error messages.
 */
#ifndef SK_DB_H
#define SK_DB_H

#include <sqlite3.h>

#include "common.h"
#include "api/store.h"

#define SK_MAX_COLS 64
/* The longest text a synced column may hold, in characters (at most 4 bytes each): a row of
 * 64 such values still fits a change-set (sync/FORMAT.md: 1 MiB a value, 4 MiB compressed). */
#define SK_MAX_TEXT_CHARS 8192

/* A synced table as the triggers, the sealer and the applier see it: its columns in
 * PRAGMA table_info order without `id` and `_sk`; bit i of a mask is cols[i]. */
struct sk_table {
	int id;
	char *name;
	int ncols;
	char *cols[SK_MAX_COLS];
	int types[SK_MAX_COLS];  /* SK_TEXT or SK_INT: the declared type; values must match it */
	int order[SK_MAX_COLS];  /* column indexes sorted by name: the canonical order */
	int owner_col;           /* index of `owner` */
	uint64_t city_mask;      /* the city's columns (sk_city_columns): only the city writes them */
	uint64_t text_mask;      /* the columns declared TEXT (TEXT affinity: they store no number) */
	int in_digest;           /* its rows count in the state digest (receipts do not) */
};

struct sk_db {
	sqlite3 *h;
	char *path;
	char *code;      /* region code of this office: 96.71.01, or 96.71 for a city */
	char *name;      /* its name: Sorong, Kota Sorong */
	char *city;      /* the city code: 96.71 */
	int is_city;
	uint32_t origin; /* the code's digits as a number: the tie-breaker of equal clocks */
	char *operator_name;
	int ntables;
	struct sk_table *tables; /* ntables of them, owned: every row of sk_tables */
	int in_tx;       /* between sk_db_begin() and its commit or rollback */
	int64_t id_ms;   /* the last id's time part, inside a write transaction */
	int id_dirty;
	int migrated;    /* sinkron changed the schema or its triggers at this open */
	char *problem;   /* capture cannot be trusted: why (NULL: intact) */
	enum sk_remedy problem_remedy; /* and what to do about it */
};

/* SK_ERROR with "what: sqlite's message". */
int sk_db_fail(struct sk_db *db, const char *what);
int sk_db_exec(struct sk_db *db, const char *sql);
int sk_db_prepare(struct sk_db *db, sqlite3_stmt **out, const char *sql);
/* A prepared statement of sql kept on the connection for the next caller (found again by its
 * text; finalized when the database is closed), and its return: reset, bindings cleared.  For
 * statements run once per change-set, whose preparing (with the capture triggers compiled in)
 * would cost more than running them. */
int sk_stmt_get(struct sk_db *db, sqlite3_stmt **out, const char *sql);
void sk_stmt_put(sqlite3_stmt *st);

/* BEGIN IMMEDIATE with the operator recorded for the capture triggers; commit clears it.  The
 * caller that begins a transaction ends it, with sk_db_commit() or sk_db_rollback(); nothing it
 * calls ends it instead.  A failed commit rolls back; rollback is harmless when SQLite has
 * already ended the transaction itself (a full disk, say). */
int sk_db_begin(struct sk_db *db);
int sk_db_commit(struct sk_db *db);
void sk_db_rollback(struct sk_db *db);

/* A value from sk_state, the engine's own key-value table (the tip sealed, the capture
 * fingerprint, the id clock): an integer (dflt when absent), a blob of exactly n bytes
 * (SK_ENOTFOUND otherwise, out zeroed) or text (NULL when absent; the caller frees it). */
int64_t sk_state_int(struct sk_db *db, const char *key, int64_t dflt);
int sk_state_set_int(struct sk_db *db, const char *key, int64_t v);
int sk_state_blob(struct sk_db *db, const char *key, unsigned char *out, size_t n);
int sk_state_set_blob(struct sk_db *db, const char *key, const unsigned char *v, size_t n);
char *sk_state_text(struct sk_db *db, const char *key);
int sk_state_set_text(struct sk_db *db, const char *key, const char *v);

/* The mask of every column of t. */
static inline uint64_t sk_table_all(const struct sk_table *t)
{
	return t->ncols == 64 ? ~0ULL : (1ULL << t->ncols) - 1;
}

const struct sk_table *sk_db_table(const struct sk_db *db, const char *name);
const struct sk_table *sk_db_table_id(const struct sk_db *db, int id);

/* The region code "96.71.01" as the number 967101 (0 if malformed). */
uint32_t sk_origin_of(const char *code);
/* The dots in a region code: 1 a city, 2 a district, 3 a kelurahan. */
int sk_code_dots(const char *code);
/* 1 for a city's code ("96.71"), 2 for a district's ("96.71.01"), -1 for anything an office
 * cannot own. */
int sk_code_shape(const char *code);
/* A new globally unique row id (the office's digits and a never-repeating millisecond
 * count); only inside a write transaction begun with sk_db_begin(). */
char *sk_new_id(struct sk_db *db);

#endif

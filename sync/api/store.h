/*
 * api/store.h: values, the hybrid logical clock, the database.
 * Part of sinkron's public API (gathered by sync.h), implemented by the store layer.
 */
#ifndef SK_API_STORE_H
#define SK_API_STORE_H

#include "base.h"

/* ---- values ----
 * What a column holds, as the change-sets carry it. */
enum sk_type { SK_NULL = 0, SK_INT = 1, SK_REAL = 2, SK_TEXT = 3, SK_BLOB = 4 };
struct sk_value {
	int type;
	int64_t i;
	double r;
	const unsigned char *p; /* SK_TEXT (not NUL-terminated necessarily) and SK_BLOB */
	size_t n;
};

/* ---- hybrid logical clock ----
 * 64 bits: milliseconds since the Unix epoch << 16 | a 16-bit counter.  Ties between equal
 * clocks are broken by the origin code. */
#define SK_HLC_MS(h) ((int64_t)((h) >> 16))
#define SK_HLC_MAKE(ms, c) (((uint64_t)(ms) << 16) | ((uint64_t)(c) & 0xffff))

/* ---- the database ---- */
struct sk_db;

/* Opens an existing sinkron database at path, migrating its schema forward.  SK_ENOTFOUND when
 * the file does not exist; SK_EINVALID when it is not a sinkron database. */
int sk_db_open(struct sk_db **out, const char *path);
/* Creates a new database at path (refused if the file exists) for the region code `code`: a
 * district (96.71.01) or with `city` set a city (96.71).  The file is created readable by its
 * owner only.  central may be NULL. */
int sk_db_create(struct sk_db **out, const char *path, const char *code, int city, const char *central);
void sk_db_free(struct sk_db *db);

/* Who the following changes are recorded as made by (NULL: the login name). */
void sk_db_set_operator(struct sk_db *db, const char *name);
const char *sk_db_code(const struct sk_db *db);   /* "96.71.01" */
const char *sk_db_name(const struct sk_db *db);   /* "Sorong" */
int sk_db_is_city(const struct sk_db *db);
/* Why capture cannot be trusted (a synced table or a capture trigger changed outside sinkron),
 * or NULL; checked at every open.  Seal refuses while it is set.  _remedy: what to do about it. */
const char *sk_db_problem(const struct sk_db *db);
enum sk_remedy sk_db_problem_remedy(const struct sk_db *db);
/* A bounded PRAGMA quick_check (at most budget_ms; a bigger database is checked in part):
 * SK_ECORRUPT with what is damaged and what to do, 0 otherwise. */
int sk_db_health(struct sk_db *db, int budget_ms);
/* Makes the capture and guard triggers again and records, as changed in every column, each row
 * whose values differ from what its bookkeeping recorded (*rescanned: how many).  Refused
 * (SK_EINVALID) when a table's columns were changed: that is undone by hand. */
int sk_db_repair_capture(struct sk_db *db, size_t *rescanned);
const char *sk_db_path(const struct sk_db *db);
/* A setting from the database (central URL, ...) or NULL; freed by the caller. */
char *sk_db_setting(struct sk_db *db, const char *key);
int sk_db_set_setting(struct sk_db *db, const char *key, const char *value);

/* ---- for the web pages ---- */
/* For a connection that shares the database with others in the same process (the web pages'
 * threads): waits up to busy_ms for another connection's write lock instead of failing at once,
 * so a clerk's save made while a sync writes waits for it (WAL lets readers go on), and keeps a
 * page cache of cache_kib KiB instead of the engine's 32 MiB. */
void sk_db_share(struct sk_db *db, int busy_ms, int cache_kib);

#endif

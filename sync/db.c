/*
 * db.c: the connection to a sinkron database, below everything else that touches it: SQLite's
 * errors turned into sk_error messages, write transactions, the statement cache, the sk_state
 * and settings tables, the synced tables' lookup, new row ids, the file's health check and the
 * settings of a connection shared with other threads.
 * Opening and migrating are in schema.c, the capture triggers in capture.c.
 */
#include <assert.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"

int sk_db_fail(struct sk_db *db, const char *what)
{
	return sk_error(SK_ERROR, "%s: %s", what, sqlite3_errmsg(db->h));
}

int sk_db_exec(struct sk_db *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db->h, sql, NULL, NULL, &msg) != SQLITE_OK) {
		int busy = sqlite3_errcode(db->h) == SQLITE_BUSY;
		sk_error_set("database '%s': %s", db->path, msg ? msg : sqlite3_errmsg(db->h));
		sqlite3_free(msg);
		return busy ? SK_ECONFLICT : SK_ERROR;
	}
	return 0;
}

int sk_db_prepare(struct sk_db *db, sqlite3_stmt **out, const char *sql)
{
	if (sqlite3_prepare_v2(db->h, sql, -1, out, NULL) != SQLITE_OK)
		return sk_error(SK_ERROR, "database '%s': %s", db->path, sqlite3_errmsg(db->h));
	return 0;
}

static int set_operator(struct sk_db *db, const char *name)
{
	sqlite3_stmt *st;
	int rc;
	if ((rc = sk_db_prepare(db, &st, "UPDATE sk_ctx SET operator = ?")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : sk_db_fail(db, "cannot record the operator");
	sqlite3_finalize(st);
	return rc;
}

int sk_db_begin(struct sk_db *db)
{
	int rc;
	if ((rc = sk_db_exec(db, "BEGIN IMMEDIATE")) < 0)
		return rc;
	db->in_tx = 1;
	db->id_ms = sk_state_int(db, "id_ms", 0);
	db->id_dirty = 0;
	if ((rc = set_operator(db, db->operator_name)) < 0) {
		sk_db_rollback(db);
		return rc;
	}
	return 0;
}

int sk_db_commit(struct sk_db *db)
{
	int rc;
	/* writes made later through other tools must not be recorded under this operator */
	if ((db->id_dirty && (rc = sk_state_set_int(db, "id_ms", db->id_ms)) < 0) ||
	    (rc = set_operator(db, NULL)) < 0 || (rc = sk_db_exec(db, "COMMIT")) < 0) {
		sk_db_rollback(db);
		return rc;
	}
	db->in_tx = 0;
	return 0;
}

void sk_db_rollback(struct sk_db *db)
{
	if (!sqlite3_get_autocommit(db->h))
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
	db->in_tx = 0;
}

int sk_stmt_get(struct sk_db *db, sqlite3_stmt **out, const char *sql)
{
	static const char mark[] = "/* kept */ ";
	sqlite3_stmt *st = NULL;
	char *text;
	int rc = 0;

	/* the connection's statements are few: a scan finds a kept one; the mark keeps it from
	 * being taken for a statement of the same text that someone else holds */
	while ((st = sqlite3_next_stmt(db->h, st))) {
		const char *s = sqlite3_sql(st);
		if (s && !strncmp(s, mark, sizeof(mark) - 1) && !strcmp(s + sizeof(mark) - 1, sql) && !sqlite3_stmt_busy(st)) {
			*out = st;
			return 0;
		}
	}
	text = sk_printf("%s%s", mark, sql);
	if (sqlite3_prepare_v3(db->h, text, -1, SQLITE_PREPARE_PERSISTENT, out, NULL) != SQLITE_OK)
		rc = sk_error(SK_ERROR, "database '%s': %s", db->path, sqlite3_errmsg(db->h));
	free(text);
	return rc;
}

void sk_stmt_put(sqlite3_stmt *st)
{
	if (!st)
		return;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

int64_t sk_state_int(struct sk_db *db, const char *key, int64_t dflt)
{
	sqlite3_stmt *st;
	int64_t v = dflt;
	if (sk_stmt_get(db, &st, "SELECT value FROM sk_state WHERE key = ?") < 0)
		return dflt;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sk_stmt_put(st);
	return v;
}

int sk_state_set_int(struct sk_db *db, const char *key, int64_t v)
{
	sqlite3_stmt *st;
	int rc;
	if ((rc = sk_stmt_get(db, &st, "INSERT OR REPLACE INTO sk_state (key, value) VALUES (?, ?)")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, v);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : sk_db_fail(db, "cannot update the state");
	sk_stmt_put(st);
	return rc;
}

int sk_state_blob(struct sk_db *db, const char *key, unsigned char *out, size_t n)
{
	sqlite3_stmt *st;
	int rc = SK_ENOTFOUND;
	memset(out, 0, n);
	if (sk_stmt_get(db, &st, "SELECT value FROM sk_state WHERE key = ?") < 0)
		return SK_ERROR;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && (size_t)sqlite3_column_bytes(st, 0) == n) {
		memcpy(out, sqlite3_column_blob(st, 0), n);
		rc = 0;
	}
	sk_stmt_put(st);
	return rc;
}

int sk_state_set_blob(struct sk_db *db, const char *key, const unsigned char *v, size_t n)
{
	sqlite3_stmt *st;
	int rc;
	if ((rc = sk_stmt_get(db, &st, "INSERT OR REPLACE INTO sk_state (key, value) VALUES (?, ?)")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, v, (int)n, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : sk_db_fail(db, "cannot update the state");
	sk_stmt_put(st);
	return rc;
}

char *sk_state_text(struct sk_db *db, const char *key)
{
	sqlite3_stmt *st;
	char *v = NULL;
	if (sk_stmt_get(db, &st, "SELECT value FROM sk_state WHERE key = ?") < 0)
		return NULL;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_TEXT)
		v = sk_strdup((const char *)sqlite3_column_text(st, 0));
	sk_stmt_put(st);
	return v;
}

int sk_state_set_text(struct sk_db *db, const char *key, const char *v)
{
	sqlite3_stmt *st;
	int rc;
	if ((rc = sk_stmt_get(db, &st, "INSERT OR REPLACE INTO sk_state (key, value) VALUES (?, ?)")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, v, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : sk_db_fail(db, "cannot update the state");
	sk_stmt_put(st);
	return rc;
}

const struct sk_table *sk_db_table(const struct sk_db *db, const char *name)
{
	for (int i = 0; i < db->ntables; i++)
		if (!strcmp(db->tables[i].name, name))
			return &db->tables[i];
	return NULL;
}

const struct sk_table *sk_db_table_id(const struct sk_db *db, int id)
{
	for (int i = 0; i < db->ntables; i++)
		if (db->tables[i].id == id)
			return &db->tables[i];
	return NULL;
}

uint32_t sk_origin_of(const char *code)
{
	uint32_t v = 0;
	int digits = 0;
	for (const char *p = code; p && *p; p++) {
		if (*p >= '0' && *p <= '9') {
			v = v * 10 + (uint32_t)(*p - '0');
			if (++digits > 9)
				return 0;
		} else if (*p != '.') {
			return 0;
		}
	}
	return v;
}

char *sk_new_id(struct sk_db *db)
{
	int64_t ms = sk_wall_ms();

	/* Ids are made inside write transactions, which SQLite runs one at a time, from the
	 * office's digits and a millisecond count kept in sk_state that never repeats: unique
	 * without random bits, so short, because every change of a row carries its id. */
	assert(db->in_tx);
	if (ms <= db->id_ms)
		ms = db->id_ms + 1;
	db->id_ms = ms;
	db->id_dirty = 1;
	return sk_printf("%u-%llx", db->origin, (unsigned long long)ms);
}

int sk_code_dots(const char *code)
{
	int n = 0;
	for (; *code; code++)
		n += *code == '.';
	return n;
}

int sk_code_shape(const char *code)
{
	int dots = sk_code_dots(code);
	size_t l = strlen(code);
	if (sk_origin_of(code) == 0)
		return -1;
	if (dots == 1 && l == 5 && code[2] == '.')
		return 1;
	if (dots == 2 && l == 8 && code[2] == '.' && code[5] == '.')
		return 2;
	return -1;
}

struct budget {
	int64_t until;
};

static int over_budget(void *payload)
{
	return sk_wall_ms() > ((struct budget *)payload)->until;
}

int sk_db_health(struct sk_db *db, int budget_ms)
{
	struct budget b = {sk_wall_ms() + budget_ms};
	struct sk_buf msg = SK_BUF_INIT;
	sqlite3_stmt *st;
	int rc, interrupted = 0, n = 0;

	/* a quick_check bounded in time: a big database gets a partial look rather than a slow verb */
	sqlite3_progress_handler(db->h, 10000, over_budget, &b);
	rc = sqlite3_prepare_v2(db->h, "PRAGMA quick_check(5)", -1, &st, NULL);
	if (rc == SQLITE_OK) {
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			const char *line = (const char *)sqlite3_column_text(st, 0);
			if (!line || !strcmp(line, "ok"))
				continue;
			for (const char *l = line; *l; l += strcspn(l, "\n"), l += *l == '\n') {
				size_t k = strcspn(l, "\n");
				if (k && strncmp(l, "*** in database", 15))
					sk_buf_printf(&msg, "%s%.*s", n++ ? "; " : "", (int)k, l);
			}
		}
		interrupted = rc == SQLITE_INTERRUPT;
		if (rc != SQLITE_DONE && !interrupted && !n)
			sk_buf_printf(&msg, "%s", sqlite3_errmsg(db->h));
		sqlite3_finalize(st);
	} else if (rc != SQLITE_INTERRUPT) {
		sk_buf_printf(&msg, "%s", sqlite3_errmsg(db->h));
	}
	sqlite3_progress_handler(db->h, 0, NULL, NULL);
	rc = 0;
	if (msg.len)
		rc = sk_error_do(SK_ECORRUPT, SK_DO_REBUILD_DAMAGED, NULL, "the database '%s' is damaged (%s)", db->path,
				 (const char *)msg.ptr);
	sk_buf_release(&msg);
	return rc;
}

const char *sk_db_problem(const struct sk_db *db)
{
	return db->problem;
}

enum sk_remedy sk_db_problem_remedy(const struct sk_db *db)
{
	return db->problem ? db->problem_remedy : SK_DO_NOTHING;
}

void sk_db_share(struct sk_db *db, int busy_ms, int cache_kib)
{
	char sql[64];
	sqlite3_busy_timeout(db->h, busy_ms);
	snprintf(sql, sizeof(sql), "PRAGMA cache_size = -%d", cache_kib);
	sqlite3_exec(db->h, sql, NULL, NULL, NULL);
}

void sk_db_free(struct sk_db *db)
{
	if (!db)
		return;
	for (int i = 0; i < db->ntables; i++) {
		for (int c = 0; c < db->tables[i].ncols; c++)
			free(db->tables[i].cols[c]);
		free(db->tables[i].name);
	}
	free(db->tables);
	if (db->h) {
		sqlite3_stmt *st;
		/* statements kept for reuse (sk_stmt_get) end with the connection */
		while ((st = sqlite3_next_stmt(db->h, NULL)))
			sqlite3_finalize(st);
		sqlite3_close_v2(db->h);
	}
	free(db->path);
	free(db->code);
	free(db->name);
	free(db->city);
	free(db->operator_name);
	free(db->problem);
	free(db);
}

void sk_db_set_operator(struct sk_db *db, const char *name)
{
	free(db->operator_name);
	if (!name || !*name) {
		struct passwd *pw = getpwuid(getuid());
		name = getenv("LOGNAME");
		if ((!name || !*name) && pw)
			name = pw->pw_name;
		if (!name || !*name)
			name = "unknown";
	}
	db->operator_name = sk_strdup(name);
}

const char *sk_db_code(const struct sk_db *db)
{
	return db->code;
}

const char *sk_db_name(const struct sk_db *db)
{
	return db->name;
}

int sk_db_is_city(const struct sk_db *db)
{
	return db->is_city;
}

const char *sk_db_path(const struct sk_db *db)
{
	return db->path;
}

char *sk_db_setting(struct sk_db *db, const char *key)
{
	sqlite3_stmt *st;
	char *v = NULL;
	if (sqlite3_prepare_v2(db->h, "SELECT value FROM settings WHERE key = ?", -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = sk_strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return v;
}

int sk_db_set_setting(struct sk_db *db, const char *key, const char *value)
{
	sqlite3_stmt *st;
	int rc;
	if ((rc = sk_db_prepare(db, &st, "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : sk_db_fail(db, "cannot store a setting");
	sqlite3_finalize(st);
	return rc;
}


/*
 * db.c: opening, creating and migrating a sinkron database.  The schema is the embedded
 * schema/NNN-*.sql files, applied in order and counted by PRAGMA user_version; after every
 * migration the capture triggers are generated again from the synced tables' definitions, so a
 * new table or column is captured without new code.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db.h"
#include "embedded.h"
#include "row.h"

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

/* ---- reference data ---- */

struct region_row {
	char code[32];
	char name[96];
};

/* Walks the embedded wilayah_kota.csv; fn returns non-zero to stop. */
static int each_region(int (*fn)(const struct region_row *r, void *payload), void *payload)
{
	size_t len;
	const unsigned char *p = sk_embedded_find("wilayah_kota.csv", &len), *end;
	int first = 1;
	if (!p)
		return sk_error(SK_ERROR, "the region codes are missing from this build");
	end = p + len;
	while (p < end) {
		const unsigned char *nl = memchr(p, '\n', (size_t)(end - p)), *comma;
		struct region_row r;
		size_t n;
		if (!nl)
			nl = end;
		comma = memchr(p, ',', (size_t)(nl - p));
		if (comma && !first) {
			n = (size_t)(comma - p);
			if (n >= sizeof(r.code))
				n = sizeof(r.code) - 1;
			memcpy(r.code, p, n);
			r.code[n] = '\0';
			n = (size_t)(nl - comma - 1);
			if (n && comma[n] == '\r')
				n--;
			if (n >= sizeof(r.name))
				n = sizeof(r.name) - 1;
			memcpy(r.name, comma + 1, n);
			r.name[n] = '\0';
			if (fn(&r, payload))
				return 1;
		}
		first = 0;
		p = nl + 1;
	}
	return 0;
}

static int count_dots(const char *s)
{
	int n = 0;
	for (; *s; s++)
		n += *s == '.';
	return n;
}

struct find_region {
	const char *code;
	char name[96];
	int found;
};

static int find_region_cb(const struct region_row *r, void *payload)
{
	struct find_region *f = payload;
	if (strcmp(r->code, f->code))
		return 0;
	snprintf(f->name, sizeof(f->name), "%s", r->name);
	f->found = 1;
	return 1;
}

struct load_regions {
	struct sk_db *db;
	sqlite3_stmt *st;
	const char *prefix;
	size_t plen;
	int rc;
};

static int load_region_cb(const struct region_row *r, void *payload)
{
	struct load_regions *l = payload;
	int dots = count_dots(r->code);
	if (strncmp(r->code, l->prefix, l->plen) || (r->code[l->plen] && r->code[l->plen] != '.'))
		return 0;
	sqlite3_reset(l->st);
	sqlite3_bind_text(l->st, 1, r->code, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(l->st, 2, r->name, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(l->st, 3, dots == 1 ? "city" : dots == 2 ? "district" : "kelurahan", -1, SQLITE_STATIC);
	if (sqlite3_step(l->st) != SQLITE_DONE) {
		l->rc = sk_db_fail(l->db, "cannot store the region codes");
		return 1;
	}
	return 0;
}

/* ---- schema, migrations, triggers ---- */

/* Which columns are the city's (absent before schema 003: none), and which tables the digest
 * covers (all before schema 004). */
static int load_city_columns(struct sk_db *db)
{
	sqlite3_stmt *st;
	for (int i = 0; i < db->ntables; i++)
		db->tables[i].in_digest = 1;
	if (sqlite3_prepare_v2(db->h, "SELECT name FROM sk_tables WHERE in_digest = 0", -1, &st, NULL) == SQLITE_OK) {
		while (sqlite3_step(st) == SQLITE_ROW)
			for (int i = 0; i < db->ntables; i++)
				if (!strcmp(db->tables[i].name, (const char *)sqlite3_column_text(st, 0)))
					db->tables[i].in_digest = 0;
		sqlite3_finalize(st);
	}
	if (sqlite3_prepare_v2(db->h, "SELECT tbl, col FROM sk_city_columns", -1, &st, NULL) != SQLITE_OK)
		return 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *tn = (const char *)sqlite3_column_text(st, 0), *cn = (const char *)sqlite3_column_text(st, 1);
		for (int i = 0; i < db->ntables; i++) {
			struct sk_table *t = &db->tables[i];
			if (strcmp(t->name, tn))
				continue;
			for (int c = 0; c < t->ncols; c++)
				if (!strcmp(cn, "*") || !strcmp(cn, t->cols[c]))
					t->city_mask |= 1ULL << c;
		}
	}
	sqlite3_finalize(st);
	return 0;
}

static int load_tables(struct sk_db *db)
{
	sqlite3_stmt *st = NULL, *ti = NULL;
	int rc = 0;

	for (int i = 0; i < db->ntables; i++)
		for (int c = 0; c < db->tables[i].ncols; c++)
			free(db->tables[i].cols[c]);
	for (int i = 0; i < db->ntables; i++)
		free(db->tables[i].name);
	db->ntables = 0;
	if ((rc = sk_db_prepare(db, &st, "SELECT id, name FROM sk_tables ORDER BY id")) < 0)
		return rc;
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct sk_table *t;
		if (db->ntables == (int)SK_ARRAY_SIZE(db->tables)) {
			rc = sk_error(SK_EINVALID, "too many synced tables");
			goto done;
		}
		t = &db->tables[db->ntables++];
		memset(t, 0, sizeof(*t));
		t->id = sqlite3_column_int(st, 0);
		t->name = sk_strdup((const char *)sqlite3_column_text(st, 1));
		t->owner_col = -1;
		if ((rc = sk_db_prepare(db, &ti, "SELECT name, type FROM pragma_table_info(?) ORDER BY cid")) < 0)
			goto done;
		sqlite3_bind_text(ti, 1, t->name, -1, SQLITE_STATIC);
		while (sqlite3_step(ti) == SQLITE_ROW) {
			const char *cn = (const char *)sqlite3_column_text(ti, 0);
			const char *ty = (const char *)sqlite3_column_text(ti, 1);
			if (!strcmp(cn, "id") || !strcmp(cn, "_sk"))
				continue;
			if (t->ncols == SK_MAX_COLS) {
				rc = sk_error(SK_EINVALID, "table '%s' has more than %d columns", t->name, SK_MAX_COLS);
				goto done;
			}
			if (!strcmp(cn, "owner"))
				t->owner_col = t->ncols;
			t->types[t->ncols] = ty && !strcasecmp(ty, "INTEGER") ? SK_INT : SK_TEXT;
			t->cols[t->ncols++] = sk_strdup(cn);
		}
		sqlite3_finalize(ti);
		ti = NULL;
		/* canonical order: by name, an insertion sort over at most 64 columns */
		for (int i = 0; i < t->ncols; i++) {
			int j = i;
			t->order[i] = i;
			while (j > 0 && strcmp(t->cols[t->order[j - 1]], t->cols[i]) > 0) {
				t->order[j] = t->order[j - 1];
				j--;
			}
			t->order[j] = i;
		}
		if (t->ncols == 0) {
			rc = sk_error(SK_EINVALID, "synced table '%s' does not exist", t->name);
			goto done;
		}
	}
	rc = load_city_columns(db);
done:
	sqlite3_finalize(ti);
	sqlite3_finalize(st);
	return rc;
}

/* The capture triggers of one table, generated from its column list.  Each statement reads
 * sk_ctx once, as the source of its SELECT (whether sinkron is applying, and the operator),
 * rather than through a WHEN subquery and a second subquery for the operator: one lookup of
 * that one-row table per captured row instead of two, which matters at bulk-import rates. */
static int make_triggers(struct sk_db *db, const struct sk_table *t)
{
	struct sk_buf sql = SK_BUF_INIT;
	const char *now = "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)";
	int rc;

	sk_buf_printf(&sql,
		"DROP TRIGGER IF EXISTS sk_capture_%1$s_insert;"
		"DROP TRIGGER IF EXISTS sk_capture_%1$s_update;"
		"DROP TRIGGER IF EXISTS sk_capture_%1$s_delete;", t->name);
	sk_buf_printf(&sql,
		"CREATE TRIGGER sk_capture_%1$s_insert AFTER INSERT ON \"%1$s\" BEGIN "
		"INSERT INTO sk_outbox (tbl, pk, op, cols, at, operator) "
		"SELECT %2$d, NEW.id, 1, NULL, %3$s, operator FROM sk_ctx WHERE applying = 0; END;",
		t->name, t->id, now);
	sk_buf_printf(&sql, "CREATE TRIGGER sk_capture_%s_update AFTER UPDATE OF id", t->name);
	for (int i = 0; i < t->ncols; i++)
		sk_buf_printf(&sql, ", \"%s\"", t->cols[i]);
	sk_buf_printf(&sql, " ON \"%s\" BEGIN ", t->name);
	/* a changed id is the old row deleted and a new one inserted */
	sk_buf_printf(&sql,
		"INSERT INTO sk_outbox (tbl, pk, op, cols, at, operator, old) "
		"SELECT %1$d, OLD.id, 3, NULL, %2$s, operator, OLD._sk FROM sk_ctx WHERE applying = 0 AND NEW.id IS NOT OLD.id; "
		"INSERT INTO sk_outbox (tbl, pk, op, cols, at, operator) "
		"SELECT %1$d, NEW.id, 1, NULL, %2$s, operator FROM sk_ctx WHERE applying = 0 AND NEW.id IS NOT OLD.id; "
		"INSERT INTO sk_outbox (tbl, pk, op, cols, at, operator, old) "
		"SELECT %1$d, NEW.id, 2, m, %2$s, operator, ",
		t->id, now);
	/* an update keeps the row's values before it (as SQL literals, computed only for an
	 * update that changed something): sealing checks with them that nothing changed around
	 * capture since the row was last sealed (seal.c) */
	for (int i = 0; i < t->ncols; i++)
		sk_buf_printf(&sql, "%squote(OLD.\"%s\")", i ? " || ',' || " : "", t->cols[i]);
	sk_buf_puts(&sql, " FROM sk_ctx, (SELECT 0");
	for (int i = 0; i < t->ncols; i++)
		sk_buf_printf(&sql, " | ((NEW.\"%s\" IS NOT OLD.\"%s\") << %d)", t->cols[i], t->cols[i], i);
	sk_buf_printf(&sql, " AS m) WHERE applying = 0 AND m != 0 AND NEW.id IS OLD.id; END;");
	sk_buf_printf(&sql,
		"CREATE TRIGGER sk_capture_%1$s_delete AFTER DELETE ON \"%1$s\" BEGIN "
		"INSERT INTO sk_outbox (tbl, pk, op, cols, at, operator, old) "
		"SELECT %2$d, OLD.id, 3, NULL, %3$s, operator, OLD._sk FROM sk_ctx WHERE applying = 0; END;",
		t->name, t->id, now);
	rc = sk_db_exec(db, (const char *)sql.ptr);
	sk_buf_release(&sql);
	return rc;
}

static int schema_files(const char ***out, int *n)
{
	static const char *names[64];
	int count = 0;
	for (size_t i = 0; i < sk_embedded_count; i++) {
		const char *nm = sk_embedded_files[i].name;
		size_t l = strlen(nm);
		if (l > 4 && !strcmp(nm + l - 4, ".sql") && nm[0] >= '0' && nm[0] <= '9' && count < 64)
			names[count++] = nm;
	}
	/* the Makefile embeds them sorted; keep that order */
	*out = names;
	*n = count;
	return 0;
}

static int migrate(struct sk_db *db)
{
	const char **files;
	int nfiles, version = 0, rc = 0, changed = 0;
	sqlite3_stmt *st;

	if ((rc = sk_db_prepare(db, &st, "PRAGMA user_version")) < 0)
		return rc;
	if (sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	schema_files(&files, &nfiles);
	if (version > nfiles)
		return sk_error(SK_EINVALID, "database '%s' has schema version %d, newer than this sinkron (%d): "
				"upgrade sinkron", db->path, version, nfiles);
	if (version == nfiles)
		return load_tables(db);
	if ((rc = sk_db_exec(db, "BEGIN IMMEDIATE")) < 0)
		return rc;
	for (int i = version; i < nfiles; i++) {
		size_t len;
		const unsigned char *sql = sk_embedded_find(files[i], &len);
		char *text = sk_strndup((const char *)sql, len), pragma[64];
		rc = sk_db_exec(db, text);
		free(text);
		if (rc < 0) {
			sk_error_set("schema migration '%s' failed: %s", files[i], sk_error_last() + 0);
			goto fail;
		}
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", i + 1);
		if ((rc = sk_db_exec(db, pragma)) < 0)
			goto fail;
		changed = 1;
	}
	if ((rc = load_tables(db)) < 0)
		goto fail;
	for (int i = 0; changed && i < db->ntables; i++)
		if ((rc = make_triggers(db, &db->tables[i])) < 0)
			goto fail;
	if ((rc = sk_db_exec(db, "COMMIT")) < 0)
		goto fail;
	db->migrated = 1;
	return 0;
fail:
	sk_db_rollback(db);
	return rc;
}

static int busy_wait(void *payload, int count)
{
	(void)payload;
	if (count > 300) /* about 30 s: then report the lock instead of hanging */
		return 0;
	usleep(100 * 1000);
	return 1;
}

static int db_connect(struct sk_db **out, const char *path, int create)
{
	struct sk_db *db = sk_calloc(1, sizeof(*db));
	/* one connection is used by one thread: no mutex around each call */
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
	int rc;

	db->path = sk_strdup(path);
	if (sqlite3_open_v2(path, &db->h, flags, NULL) != SQLITE_OK) {
		rc = sk_error(SK_ERROR, "cannot open '%s': %s", path, db->h ? sqlite3_errmsg(db->h) : "out of memory");
		goto fail;
	}
	sqlite3_extended_result_codes(db->h, 0);
	sqlite3_busy_handler(db->h, busy_wait, NULL);
	/* WAL with full sync: a committed write survives a power cut, and the clerk's own SQLite
	 * tool can read while the agent writes */
	if ((rc = sk_db_exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; "
				 "PRAGMA foreign_keys = OFF; PRAGMA cache_size = -32768")) < 0)
		goto fail;
	*out = db;
	return 0;
fail:
	sk_db_free(db);
	return rc;
}

/* Guard triggers: outside sinkron's own apply, a district's database refuses writes to the
 * city's columns and the city's database refuses writes to a district's, whoever writes (a
 * clerk's SQLite tool included), so no office holds data the other side can never receive. */
/* Guards made by another build are made again (the schema files and the guards' own version). */
#define GUARDS_VERSION ((int64_t)sk_embedded_count * 100 + 6)
/* The capture triggers' generation: a new one makes them again in existing databases. */
#define CAPTURE_VERSION 3

static int make_guards(struct sk_db *db, const struct sk_table *t)
{
	struct sk_buf sql = SK_BUF_INIT, cols = SK_BUF_INIT, changed = SK_BUF_INIT, set = SK_BUF_INIT;
	int n = 0, rc;
	uint64_t all = sk_table_all(t);
	uint64_t guarded = db->is_city ? all & ~t->city_mask : t->city_mask;

	for (int i = 0; i < t->ncols; i++) {
		if (!(guarded >> i & 1))
			continue;
		sk_buf_printf(&cols, "%s\"%s\"", n ? ", " : "", t->cols[i]);
		sk_buf_printf(&changed, "%sNEW.\"%s\" IS NOT OLD.\"%s\"", n ? " OR " : "", t->cols[i], t->cols[i]);
		sk_buf_printf(&set, "%sNEW.\"%s\" IS NOT NULL", n ? " OR " : "", t->cols[i]);
		n++;
	}
	sk_buf_printf(&sql, "DROP TRIGGER IF EXISTS sk_guard_%1$s_update; DROP TRIGGER IF EXISTS sk_guard_%1$s_insert;"
			    "DROP TRIGGER IF EXISTS sk_guard_types_%1$s_update; DROP TRIGGER IF EXISTS sk_guard_types_%1$s_insert;", t->name);
	/* A value of the wrong type (text in a number column, say), a key or a text the change-set
	 * format cannot carry (sync/FORMAT.md) would make a change-set that every receiver
	 * refuses, or that cannot be sealed at all, stopping the office's branch: refused here, at
	 * the write.  AFTER triggers see the values as stored, after the column's type conversion.
	 * All checks share the one WHEN, so a write that passes them costs one evaluation. */
	{
		struct sk_buf bad = SK_BUF_INIT, of = SK_BUF_INIT, big = SK_BUF_INIT, key = SK_BUF_INIT, body = SK_BUF_INIT;
		struct sk_buf own = SK_BUF_INIT;
		char ctl[40];
		int k = 0;
		for (int c = 1; c < 32; c++)
			ctl[k++] = (char)c;
		ctl[k++] = 127;
		ctl[k] = '\0';
		for (int i = 0; i < t->ncols; i++) {
			sk_buf_printf(&bad, "%stypeof(NEW.\"%s\") NOT IN ('null', '%s')", i ? " OR " : "", t->cols[i],
				      t->types[i] == SK_INT ? "integer" : "text");
			sk_buf_printf(&of, "%s\"%s\"", i ? ", " : "UPDATE OF id, ", t->cols[i]);
			if (t->types[i] != SK_INT)
				sk_buf_printf(&big, "%slength(NEW.\"%s\") > %d", big.len ? " OR " : "", t->cols[i], SK_MAX_TEXT_CHARS);
		}
		/* a key: text of 1 to 255 bytes without control characters */
		sk_buf_printf(&key, "typeof(NEW.id) IS NOT 'text' OR length(CAST(NEW.id AS BLOB)) NOT BETWEEN 1 AND 255 "
				    "OR NEW.id GLOB '*[%s]*' OR instr(CAST(NEW.id AS BLOB), x'00') > 0", ctl);
		/* a district creates and changes only its own records (the city hands them over); at
		 * the city an owner is where a row is sent, so it must read as a region code */
		if (!db->is_city && t->owner_col >= 0 && t->city_mask != sk_table_all(t))
			sk_buf_printf(&own, "NEW.owner IS NOT '%s'", db->code);
		else if (db->is_city && t->owner_col >= 0)
			sk_buf_puts(&own, "(NEW.owner IS NOT NULL AND (NEW.owner NOT GLOB '[0-9]*.[0-9]*' OR NEW.owner GLOB "
					  "'*[^0-9.]*' OR length(NEW.owner) > 23))");
		sk_buf_printf(&body, "SELECT RAISE(ABORT, '%s: a value of the wrong type (text in a number column, or a number or "
				     "blob where text belongs): sinkron could not send it') WHERE %s; ", t->name, (const char *)bad.ptr);
		sk_buf_printf(&body, "SELECT RAISE(ABORT, '%s: the id must be text of 1 to 255 bytes without tabs, line breaks or "
				     "other control characters: sinkron could not send it') WHERE %s; ", t->name, (const char *)key.ptr);
		if (big.len)
			sk_buf_printf(&body, "SELECT RAISE(ABORT, '%s: a text longer than %d characters: sinkron could not send it') "
					     "WHERE %s; ", t->name, SK_MAX_TEXT_CHARS, (const char *)big.ptr);
		for (int u = 0; u < 2; u++) {
			const char *upd = u && !db->is_city ? "OLD.owner IS NOT NEW.owner OR " : "";
			sk_buf_printf(&sql, "CREATE TRIGGER sk_guard_types_%s_%s AFTER %s ON \"%s\" WHEN (SELECT applying FROM sk_ctx) = 0 "
					    "AND (%s OR %s%s%s%s%s%s) BEGIN %s",
				      t->name, u ? "update" : "insert", u ? (const char *)of.ptr : "INSERT", t->name,
				      (const char *)bad.ptr, (const char *)key.ptr, big.len ? " OR " : "", big.len ? (const char *)big.ptr : "",
				      own.len ? " OR " : "", own.len ? upd : "", own.len ? (const char *)own.ptr : "", (const char *)body.ptr);
			if (own.len && db->is_city)
				sk_buf_printf(&sql, "SELECT RAISE(ABORT, '%s: the owner must be a district''s region code, such as "
						    "96.71.01') WHERE %s; ", t->name, (const char *)own.ptr);
			else if (own.len)
				sk_buf_printf(&sql, "SELECT RAISE(ABORT, '%s: this office (%s) may only %s records it owns, with owner ''%s'': "
						    "the city hands a record over to another district') WHERE %s%s; ",
					      t->name, db->code, u ? "change" : "create", db->code, upd, (const char *)own.ptr);
			sk_buf_puts(&sql, "END;");
		}
		sk_buf_release(&bad);
		sk_buf_release(&of);
		sk_buf_release(&big);
		sk_buf_release(&key);
		sk_buf_release(&body);
		sk_buf_release(&own);
	}
	if (n) {
		const char *msg = db->is_city ? "this is the city''s database: a district''s records are changed at the district"
					      : "these fields are set by the city, not at a district office";
		sk_buf_printf(&sql, "CREATE TRIGGER sk_guard_%s_update BEFORE UPDATE OF %s ON \"%s\" "
				    "WHEN (SELECT applying FROM sk_ctx) = 0 AND (%s) BEGIN SELECT RAISE(ABORT, '%s: %s'); END;",
			      t->name, (const char *)cols.ptr, t->name, (const char *)changed.ptr, msg, (const char *)cols.ptr);
		sk_buf_printf(&sql, "CREATE TRIGGER sk_guard_%s_insert BEFORE INSERT ON \"%s\" "
				    "WHEN (SELECT applying FROM sk_ctx) = 0 AND (%s) BEGIN SELECT RAISE(ABORT, '%s: %s'); END;",
			      t->name, t->name, (const char *)set.ptr, msg, (const char *)cols.ptr);
	}
	rc = sk_db_exec(db, (const char *)sql.ptr);
	sk_buf_release(&sql);
	sk_buf_release(&cols);
	sk_buf_release(&changed);
	sk_buf_release(&set);
	return rc;
}

static int load_identity(struct sk_db *db)
{
	sqlite3_stmt *st;
	int have = 0, want = 0;

	db->code = sk_db_setting(db, "code");
	db->name = sk_db_setting(db, "name");
	db->city = sk_db_setting(db, "city");
	if (!db->code || !db->name || !db->city)
		return sk_error(SK_EINVALID, "'%s' is not a sinkron database (no office code): run 'sinkron init'", db->path);
	db->is_city = !strcmp(db->code, db->city);
	db->origin = sk_origin_of(db->code);
	/* the guards depend on which side this is: made once it is known, again after a migration */
	for (int i = 0; i < db->ntables; i++)
		want += db->tables[i].city_mask != 0;
	if (sqlite3_prepare_v2(db->h, "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND name LIKE 'sk_guard_%'",
			       -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			have = sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
	}
	if (want && (have == 0 || sk_state_int(db, "guards", 0) != GUARDS_VERSION)) {
		int rc = sk_db_exec(db, "BEGIN IMMEDIATE");
		for (int i = 0; rc == 0 && i < db->ntables; i++)
			rc = make_guards(db, &db->tables[i]);
		if (rc == 0)
			rc = sk_state_set_int(db, "guards", GUARDS_VERSION);
		if (rc == 0)
			rc = sk_db_exec(db, "COMMIT");
		else
			sk_db_rollback(db);
		if (rc < 0)
			return rc;
		db->migrated = 1;
	}
	return 0;
}

static int code_shape(const char *code);

/* ---- is capture intact? ----
 * Capture is only as good as its triggers and the columns they were made from.  A trigger
 * dropped or altered with another SQLite tool loses writes silently; a column added by hand
 * travels to a city that does not know it.  So the synced tables' columns and the text of
 * every capture and guard trigger are recorded when sinkron makes them, and compared at
 * every open (a few rows of sqlite_schema): a difference is reported by status and refused
 * by seal until it is undone or repaired (sk_db_repair_capture). */

/* "workers:owner,nik,...,income#,...;heirs:..." (# an INTEGER column) */
static void columns_text(const struct sk_db *db, struct sk_buf *out)
{
	for (int i = 0; i < db->ntables; i++) {
		const struct sk_table *t = &db->tables[i];
		sk_buf_printf(out, "%s%s:", i ? ";" : "", t->name);
		for (int c = 0; c < t->ncols; c++)
			sk_buf_printf(out, "%s%s%s", c ? "," : "", t->cols[c], t->types[c] == SK_INT ? "#" : "");
	}
}

static void triggers_hash(struct sk_db *db, char out[2 * SK_HASH_SIZE + 1])
{
	struct sk_sha256_ctx c;
	unsigned char h[SK_HASH_SIZE];
	sqlite3_stmt *st;
	sk_sha256_init(&c);
	/* every trigger: one added by hand (on sk_outbox, say) can undo capture as surely */
	if (sqlite3_prepare_v2(db->h, "SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' ORDER BY name", -1, &st,
			       NULL) == SQLITE_OK) {
		while (sqlite3_step(st) == SQLITE_ROW) {
			sk_sha256_update(&c, sqlite3_column_text(st, 0), (size_t)sqlite3_column_bytes(st, 0) + 1);
			sk_sha256_update(&c, sqlite3_column_text(st, 1), (size_t)sqlite3_column_bytes(st, 1) + 1);
		}
		sqlite3_finalize(st);
	}
	sk_sha256_final(&c, h);
	sk_hex(out, h, SK_HASH_SIZE);
}

static int fingerprint_store(struct sk_db *db)
{
	struct sk_buf cols = SK_BUF_INIT;
	char hex[2 * SK_HASH_SIZE + 1];
	int rc;
	columns_text(db, &cols);
	triggers_hash(db, hex);
	if ((rc = sk_state_set_text(db, "schema_columns", (const char *)cols.ptr)) == 0 &&
	    (rc = sk_state_set_text(db, "capture_triggers", hex)) == 0)
		rc = sk_state_set_int(db, "capture_version", CAPTURE_VERSION);
	sk_buf_release(&cols);
	return rc;
}

/* Whether column `col` of table `tbl` appears in a columns_text() list. */
static int list_has(const char *list, const char *tbl, const char *col)
{
	size_t tl = strlen(tbl), cl = strlen(col);
	const char *p = list;
	while (p && *p) {
		const char *end = strchr(p, ';');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		if (n > tl && !strncmp(p, tbl, tl) && p[tl] == ':') {
			const char *q = p + tl + 1;
			while (q < p + n) {
				size_t k = strcspn(q, ",;");
				size_t kk = k && q[k - 1] == '#' ? k - 1 : k;
				if (kk == cl && !strncmp(q, col, cl))
					return 1;
				q += k + 1;
			}
			return 0;
		}
		p = end ? end + 1 : NULL;
	}
	return 0;
}

/* sk_ctx.applying is set only inside sinkron's own apply transactions, which never hold a seal
 * or an open: seen set, it was switched on by hand and capture is off. */
static int applying_set(struct sk_db *db)
{
	sqlite3_stmt *st;
	int on = 0;
	if (sqlite3_prepare_v2(db->h, "SELECT applying FROM sk_ctx", -1, &st, NULL) == SQLITE_OK) {
		on = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) != 0;
		sqlite3_finalize(st);
	}
	return on;
}

void sk_db_check_capture(struct sk_db *db)
{
	struct sk_buf cols = SK_BUF_INIT, msg = SK_BUF_INIT;
	char *want_cols = sk_state_text(db, "schema_columns"), *want_trig = sk_state_text(db, "capture_triggers");
	char hex[2 * SK_HASH_SIZE + 1];

	free(db->problem);
	db->problem = NULL;
	columns_text(db, &cols);
	if (code_shape(db->code) < 0 || strncmp(db->code, db->city, strlen(db->city))) {
		sk_buf_printf(&msg, "the office code in the settings table was changed to '%.40s' outside sinkron: set it back "
				    "with the sqlite3 shell (UPDATE settings SET value = 'CODE' WHERE key = 'code') to the code this "
				    "office was made with ('sinkron log' shows it)", db->code);
	} else if (want_cols && strcmp(want_cols, (const char *)cols.ptr)) {
		/* name the columns added (what a clerk's tool does) or removed */
		for (int i = 0; i < db->ntables; i++) {
			const struct sk_table *t = &db->tables[i];
			for (int c = 0; c < t->ncols; c++)
				if (!list_has(want_cols, t->name, t->cols[c]))
					sk_buf_printf(&msg, "%scolumn '%s' was added to table '%s' outside sinkron (undo it with the "
							    "sqlite3 shell: ALTER TABLE %s DROP COLUMN %s)", msg.len ? "; " : "",
						      t->cols[c], t->name, t->name, t->cols[c]);
		}
		if (!msg.len)
			sk_buf_puts(&msg, "the synced tables were changed outside sinkron (a column removed or its type changed): "
					  "rebuild the database with 'sinkron restore --at LATEST --replace'");
		sk_buf_puts(&msg, "; the city could not read change-sets with a column it does not know, so nothing is sealed "
				  "until then (a new column is a new sinkron version, for every office and the city)");
	} else if (applying_set(db)) {
		sk_buf_puts(&msg, "capture is switched off (sk_ctx.applying was set with another SQLite tool): changes made "
				  "since may not have been recorded for the city; run 'sinkron verify --repair' to switch it on "
				  "again and record every difference");
	} else if (want_trig && (triggers_hash(db, hex), strcmp(want_trig, hex))) {
		sqlite3_stmt *st;
		int missing = 0;
		for (int i = 0; i < db->ntables; i++)
			for (int k = 0; k < 3; k++) {
				static const char *ops[] = {"insert", "update", "delete"};
				char name[128];
				snprintf(name, sizeof(name), "sk_capture_%s_%s", db->tables[i].name, ops[k]);
				if (sqlite3_prepare_v2(db->h, "SELECT 1 FROM sqlite_schema WHERE type = 'trigger' AND name = ?", -1,
						       &st, NULL) != SQLITE_OK)
					continue;
				sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
				if (sqlite3_step(st) != SQLITE_ROW)
					sk_buf_printf(&msg, "%s'%s'", missing++ ? ", " : "", name);
				sqlite3_finalize(st);
			}
		if (missing) {
			sk_buf_puts(&msg, missing > 1 ? " are missing" : " is missing");
		} else if (sqlite3_prepare_v2(db->h, "SELECT group_concat(name, ', ') FROM sqlite_schema WHERE type = 'trigger' AND "
						     "name NOT GLOB 'sk_capture_*' AND name NOT GLOB 'sk_guard_*'", -1, &st, NULL) == SQLITE_OK) {
			if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
				sk_buf_printf(&msg, "trigger(s) %s, not sinkron's, were added", (const char *)sqlite3_column_text(st, 0));
			else
				sk_buf_puts(&msg, "sinkron's capture or guard triggers were changed");
			sqlite3_finalize(st);
		}
		sk_buf_puts(&msg, " (dropped or changed outside sinkron): changes made since may not have been recorded for the "
				  "city; run 'sinkron verify --repair' to make them again and record every difference");
	}
	if (msg.len)
		db->problem = sk_strdup((const char *)msg.ptr);
	free(want_cols);
	free(want_trig);
	sk_buf_release(&cols);
	sk_buf_release(&msg);
}

/* Made again by a sinkron whose capture triggers differ (CAPTURE_VERSION), recorded after any
 * change sinkron made, checked otherwise. */
static int capture_open(struct sk_db *db)
{
	int rc = 0;
	if (sk_state_int(db, "capture_version", 0) != CAPTURE_VERSION) {
		if ((rc = sk_db_exec(db, "BEGIN IMMEDIATE")) < 0)
			return rc;
		for (int i = 0; rc == 0 && i < db->ntables; i++)
			rc = make_triggers(db, &db->tables[i]);
		if (rc == 0)
			rc = fingerprint_store(db);
		if (rc == 0)
			rc = sk_db_exec(db, "COMMIT");
		else
			sk_db_rollback(db);
		return rc;
	}
	{
		char *have = sk_state_text(db, "capture_triggers");
		int none = !have;
		free(have);
		if (none)
			db->migrated = 1;
	}
	if (db->migrated) {
		if ((rc = sk_db_exec(db, "BEGIN IMMEDIATE")) < 0)
			return rc;
		if ((rc = fingerprint_store(db)) == 0)
			rc = sk_db_exec(db, "COMMIT");
		else
			sk_db_rollback(db);
		return rc;
	}
	sk_db_check_capture(db);
	return 0;
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
		rc = sk_error(SK_ECORRUPT, "the database '%s' is damaged (%s): stop the agent, keep a copy of the file, and "
			      "rebuild it from the office's history with 'sinkron restore --at DATE --replace' (see 'sinkron help "
			      "restore')", db->path, (const char *)msg.ptr);
	sk_buf_release(&msg);
	return rc;
}

const char *sk_db_problem(const struct sk_db *db)
{
	return db->problem;
}

int sk_db_repair_capture(struct sk_db *db, size_t *rescanned)
{
	int rc;
	*rescanned = 0;
	sk_db_check_capture(db);
	if (db->problem && !strstr(db->problem, "verify --repair"))
		return sk_error(SK_EINVALID, "%s", db->problem);
	if ((rc = sk_db_exec(db, "BEGIN IMMEDIATE")) < 0)
		return rc;
	rc = sk_db_exec(db, "UPDATE sk_ctx SET applying = 0");
	{
		/* triggers that are not sinkron's go: they could undo capture */
		struct sk_buf drop = SK_BUF_INIT;
		sqlite3_stmt *st;
		if (rc == 0 && (rc = sk_db_prepare(db, &st, "SELECT name FROM sqlite_schema WHERE type = 'trigger' AND name NOT GLOB "
							    "'sk_capture_*' AND name NOT GLOB 'sk_guard_*'")) == 0) {
			while (sqlite3_step(st) == SQLITE_ROW)
				sk_buf_printf(&drop, "DROP TRIGGER \"%s\";", (const char *)sqlite3_column_text(st, 0));
			sqlite3_finalize(st);
			if (drop.len)
				rc = sk_db_exec(db, (const char *)drop.ptr);
		}
		sk_buf_release(&drop);
	}
	for (int i = 0; rc == 0 && i < db->ntables; i++)
		if ((rc = make_triggers(db, &db->tables[i])) == 0)
			rc = make_guards(db, &db->tables[i]);
	/* every row whose values are not those its bookkeeping recorded, and that no pending
	 * change names, changed without capture */
	for (int i = 0; rc == 0 && i < db->ntables; i++)
		rc = sk_row_rescan(db, &db->tables[i], rescanned);
	if (rc == 0)
		rc = fingerprint_store(db);
	if (rc == 0 && (rc = sk_db_exec(db, "COMMIT")) == 0) {
		free(db->problem);
		db->problem = NULL;
		return 0;
	}
	sk_db_rollback(db);
	return rc;
}

int sk_db_open(struct sk_db **out, const char *path)
{
	struct sk_db *db = NULL;
	sqlite3_stmt *st;
	int rc, is_ours = 0;

	if (access(path, F_OK) != 0)
		return sk_error(SK_ENOTFOUND, "database '%s' does not exist: create it with 'sinkron init DISTRICT'", path);
	if ((rc = db_connect(&db, path, 0)) < 0)
		return rc;
	if (sqlite3_prepare_v2(db->h, "SELECT 1 FROM sqlite_schema WHERE name = 'sk_ctx'", -1, &st, NULL) != SQLITE_OK) {
		rc = sk_error(SK_EINVALID, "'%s' is not a sinkron database: %s", path, sqlite3_errmsg(db->h));
		goto fail;
	}
	is_ours = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	if (!is_ours) {
		rc = sk_error(SK_EINVALID, "'%s' is not a sinkron database", path);
		goto fail;
	}
	if ((rc = migrate(db)) < 0 || (rc = load_identity(db)) < 0 || (rc = capture_open(db)) < 0)
		goto fail;
	*out = db;
	return 0;
fail:
	sk_db_free(db);
	return rc;
}

/* "96.71.01" for a district, "96.71" for a city: anything else is not a code we can own */
static int code_shape(const char *code)
{
	int dots = count_dots(code);
	size_t l = strlen(code);
	if (sk_origin_of(code) == 0)
		return -1;
	if (dots == 1 && l == 5 && code[2] == '.')
		return 1;
	if (dots == 2 && l == 8 && code[2] == '.' && code[5] == '.')
		return 2;
	return -1;
}

int sk_db_create(struct sk_db **out, const char *path, const char *code, int city, const char *central)
{
	struct sk_db *db = NULL;
	struct find_region f = {code, "", 0};
	struct load_regions l;
	char citycode[8];
	int fd, rc, shape = code_shape(code);

	if (shape < 0)
		return sk_error(SK_EINVALID, "'%s' is not a region code: a district looks like 96.71.01, a city like 96.71", code);
	if (city && shape != 1)
		return sk_error(SK_EINVALID, "'%s' is a district code: a city looks like 96.71", code);
	if (!city && shape != 2)
		return sk_error(SK_EINVALID, "'%s' is a city code: use 'sinkron init --city %s', or give a district such as %s.01",
				code, code, code);
	each_region(find_region_cb, &f);
	if (!f.found)
		return sk_error(SK_EINVALID, "region code '%s' is not in the reference data (Kota Sorong 96.71, Kota Ambon 81.71, "
				"Kota Pekalongan 33.75 and their districts)", code);
	/* the file is created here, owner-only, so the database never exists readable by others;
	 * ":memory:" is SQLite's in-memory database, used by tests */
	if (strcmp(path, ":memory:")) {
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0) {
			if (errno == EEXIST)
				return sk_error(SK_ECONFLICT, "'%s' already exists: sinkron does not overwrite a database", path);
			return sk_error(SK_ERROR, "cannot create '%s': %s", path, strerror(errno));
		}
		close(fd);
	}
	if ((rc = db_connect(&db, path, 1)) < 0 || (rc = migrate(db)) < 0)
		goto fail;
	snprintf(citycode, sizeof(citycode), "%.5s", code);
	if ((rc = sk_db_exec(db, "BEGIN IMMEDIATE")) < 0)
		goto fail;
	l.db = db;
	l.prefix = citycode;
	l.plen = strlen(citycode);
	l.rc = 0;
	if ((rc = sk_db_prepare(db, &l.st, "INSERT OR REPLACE INTO regions (code, name, level) VALUES (?, ?, ?)")) < 0)
		goto fail;
	each_region(load_region_cb, &l);
	sqlite3_finalize(l.st);
	if ((rc = l.rc) < 0)
		goto fail;
	db->code = sk_strdup(code);
	if ((rc = sk_db_set_setting(db, "code", code)) < 0 || (rc = sk_db_set_setting(db, "name", f.name)) < 0 ||
	    (rc = sk_db_set_setting(db, "city", citycode)) < 0 ||
	    (central && (rc = sk_db_set_setting(db, "central", central)) < 0))
		goto fail;
	if ((rc = sk_db_exec(db, "COMMIT")) < 0)
		goto fail;
	free(db->code);
	db->code = NULL;
	if ((rc = load_identity(db)) < 0 || (rc = capture_open(db)) < 0)
		goto fail;
	*out = db;
	return 0;
fail:
	if (db)
		sk_db_rollback(db);
	sk_db_free(db);
	if (strcmp(path, ":memory:"))
		unlink(path);
	return rc;
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

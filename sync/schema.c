/*
 * schema.c: opening, creating and migrating a sinkron database.  The schema is the embedded
 * schema/NNN-*.sql files, applied in order and counted by PRAGMA user_version; after every
 * migration the capture triggers are generated again from the synced tables' definitions, so a
 * new table or column is captured without new code.  A new database takes its office's name
 * and region codes from the embedded reference data.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "embedded.h"

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
	int dots = sk_code_dots(r->code);
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

/* ---- schema and migrations ---- */

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
		db->tables = sk_realloc(db->tables, (size_t)(db->ntables + 1) * sizeof(*db->tables));
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
			if (ty && !strcasecmp(ty, "TEXT"))
				t->text_mask |= 1ULL << t->ncols;
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

/* The schema files, NNN-*.sql, in the order the Makefile embeds them (sorted); the caller frees
 * *out. */
static void schema_files(const char ***out, int *n)
{
	const char **names = sk_calloc(sk_embedded_count ? sk_embedded_count : 1, sizeof(*names));
	int count = 0;
	for (size_t i = 0; i < sk_embedded_count; i++) {
		const char *nm = sk_embedded_files[i].name;
		size_t l = strlen(nm);
		if (l > 4 && !strcmp(nm + l - 4, ".sql") && nm[0] >= '0' && nm[0] <= '9')
			names[count++] = nm;
	}
	*out = names;
	*n = count;
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
	if (version > nfiles) {
		rc = sk_error(SK_EINVALID, "database '%s' has schema version %d, newer than this sinkron (%d): "
			      "upgrade sinkron", db->path, version, nfiles);
		goto done;
	}
	if (version == nfiles) {
		rc = load_tables(db);
		goto done;
	}
	if ((rc = sk_db_exec(db, "BEGIN IMMEDIATE")) < 0)
		goto done;
	for (int i = version; i < nfiles; i++) {
		size_t len;
		const unsigned char *sql = sk_embedded_find(files[i], &len);
		char *text = sk_strndup((const char *)sql, len), pragma[64];
		rc = sk_db_exec(db, text);
		free(text);
		if (rc < 0) {
			sk_error_set("schema migration '%s' failed: %s", files[i], sk_error_last() + 0);
			goto done;
		}
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", i + 1);
		if ((rc = sk_db_exec(db, pragma)) < 0)
			goto done;
		changed = 1;
	}
	if ((rc = load_tables(db)) < 0)
		goto done;
	for (int i = 0; changed && i < db->ntables; i++)
		if ((rc = sk_capture_triggers(db, &db->tables[i])) < 0)
			goto done;
	if ((rc = sk_db_exec(db, "COMMIT")) < 0)
		goto done;
	db->migrated = 1;
done:
	if (rc < 0)
		sk_db_rollback(db);
	free(files);
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

static int load_identity(struct sk_db *db)
{
	db->code = sk_db_setting(db, "code");
	db->name = sk_db_setting(db, "name");
	db->city = sk_db_setting(db, "city");
	if (!db->code || !db->name || !db->city)
		return sk_error_do(SK_EINVALID, SK_DO_INIT, NULL, "'%s' is not a sinkron database (no office code)", db->path);
	db->is_city = !strcmp(db->code, db->city);
	db->origin = sk_origin_of(db->code);
	/* the guards depend on which side this is: made once it is known, again after a migration */
	return sk_capture_guards_open(db);
}

int sk_db_open(struct sk_db **out, const char *path)
{
	struct sk_db *db = NULL;
	sqlite3_stmt *st;
	int rc, is_ours = 0;

	if (access(path, F_OK) != 0)
		return sk_error_do(SK_ENOTFOUND, SK_DO_INIT_DISTRICT, NULL, "database '%s' does not exist", path);
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
	if ((rc = migrate(db)) < 0 || (rc = load_identity(db)) < 0 || (rc = sk_capture_open(db)) < 0)
		goto fail;
	*out = db;
	return 0;
fail:
	sk_db_free(db);
	return rc;
}

int sk_db_create(struct sk_db **out, const char *path, const char *code, int city, const char *central)
{
	struct sk_db *db = NULL;
	struct find_region f = {code, "", 0};
	struct load_regions l;
	char citycode[8];
	int fd, rc, shape = sk_code_shape(code);

	if (shape < 0)
		return sk_error(SK_EINVALID, "'%s' is not a region code: a district looks like 96.71.01, a city like 96.71", code);
	if (city && shape != 1)
		return sk_error(SK_EINVALID, "'%s' is a district code: a city looks like 96.71", code);
	if (!city && shape != 2)
		return sk_error_do(SK_EINVALID, SK_DO_INIT_CITY, code, "'%s' is a city code", code);
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
	if ((rc = load_identity(db)) < 0 || (rc = sk_capture_open(db)) < 0)
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

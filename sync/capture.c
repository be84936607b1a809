/*
 * capture.c: the triggers that record every write to a synced table in sk_outbox (capture)
 * and refuse the writes this office may not make (guards), generated from the tables' column
 * lists; and whether capture is intact: its fingerprint, the check at every open and seal,
 * and the repair that makes the triggers again and records what changed without them.
 */
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "embedded.h"
#include "row.h"

/* Guards: outside sinkron's own apply, a write this office may not make, or one carrying a value
 * the change-set format cannot (sync/FORMAT.md), is refused at the write, whoever writes (a
 * clerk's SQLite tool included), so no office holds data the other side can never receive:
 * - a value of the wrong type (the receiver refuses it), an id that is not 1 to 255 bytes of
 *   text without control characters, a text longer than SK_MAX_TEXT_CHARS;
 * - at a district, a record another district owns; at the city, an owner that is no region code;
 * - a district's write to the city's columns, the city's to a district's.
 * They are WHEN arms of one CASE inside the capture triggers' own statements, not triggers of
 * their own: each trigger costs a sub-program frame per written row, and the checks are read
 * in sk_ctx's row already read for capture.  The arms test the stored values (AFTER triggers
 * see them after the column's type conversion), cheapest first where the order is free: a
 * column declared TEXT stores no number, so only a blob is wrong there, and a blob sorts after
 * every text (NEW.c >= x''). */
static void guard_case(const struct sk_db *db, const struct sk_table *t, int upd, struct sk_buf *out)
{
	struct sk_buf bad = SK_BUF_INIT, big = SK_BUF_INIT, city = SK_BUF_INIT, own = SK_BUF_INIT;
	uint64_t guarded = db->is_city ? sk_table_all(t) & ~t->city_mask : t->city_mask;
	const char *upd_own = upd && !db->is_city ? "OLD.owner IS NOT NEW.owner OR " : "";
	int n = 0;

	for (int i = 0; i < t->ncols; i++) {
		const char *c = t->cols[i];
		if (t->text_mask >> i & 1)
			sk_buf_printf(&bad, "%sNEW.\"%s\" >= x''", bad.len ? " OR " : "", c);
		else
			sk_buf_printf(&bad, "%stypeof(NEW.\"%s\") NOT IN ('null', '%s')", bad.len ? " OR " : "", c,
				      t->types[i] == SK_INT ? "integer" : "text");
		if (t->types[i] != SK_INT)
			sk_buf_printf(&big, "%slength(NEW.\"%s\") > %d", big.len ? " OR " : "", c, SK_MAX_TEXT_CHARS);
		if (guarded >> i & 1) {
			sk_buf_printf(&city, upd ? "%sNEW.\"%s\" IS NOT OLD.\"%s\"" : "%sNEW.\"%s\" IS NOT NULL", n ? " OR " : "", c, c);
			n++;
		}
	}
	/* a district creates and changes only its own records (the city hands them over); at the
	 * city an owner is where a row is sent, so it must read as a region code */
	if (!db->is_city && t->owner_col >= 0 && t->city_mask != sk_table_all(t))
		sk_buf_printf(&own, "NEW.owner IS NOT '%s'", db->code);
	else if (db->is_city && t->owner_col >= 0)
		sk_buf_puts(&own, "(NEW.owner IS NOT NULL AND (NEW.owner NOT GLOB '[0-9]*.[0-9]*' OR NEW.owner GLOB "
				  "'*[^0-9.]*' OR length(NEW.owner) > 23))");

	sk_buf_puts(out, "CASE WHEN applying IS NOT 0 THEN 0 ");
	if (n) {
		const char *cols_msg = db->is_city ? "this is the city''s database: a district''s records are changed at the district"
						   : "these fields are set by the city, not at a district office";
		sk_buf_printf(out, "WHEN %s THEN RAISE(ABORT, '%s: %s: ", (const char *)city.ptr, t->name, cols_msg);
		for (int i = 0, k = 0; i < t->ncols; i++)
			if (guarded >> i & 1)
				sk_buf_printf(out, "%s\"%s\"", k++ ? ", " : "", t->cols[i]);
		sk_buf_puts(out, "') ");
	}
	sk_buf_printf(out, "WHEN %s THEN RAISE(ABORT, '%s: a value of the wrong type (text in a number column, or a number "
			   "or blob where text belongs): sinkron could not send it') ", (const char *)bad.ptr, t->name);
	/* a key: text of 1 to 255 bytes without control characters (bytes 01-1f and 7f as a
	 * range, two comparisons a character; NUL apart, since GLOB reads a C string) */
	sk_buf_printf(out, "WHEN typeof(NEW.id) IS NOT 'text' OR length(CAST(NEW.id AS BLOB)) NOT BETWEEN 1 AND 255 OR "
			   "NEW.id GLOB '*[%c-%c%c]*' OR instr(CAST(NEW.id AS BLOB), x'00') > 0 THEN RAISE(ABORT, '%s: the id must "
			   "be text of 1 to 255 bytes without tabs, line breaks or other control characters: sinkron could not "
			   "send it') ", 1, 31, 127, t->name);
	if (big.len)
		sk_buf_printf(out, "WHEN %s THEN RAISE(ABORT, '%s: a text longer than %d characters: sinkron could not send it') ",
			      (const char *)big.ptr, t->name, SK_MAX_TEXT_CHARS);
	if (own.len && db->is_city)
		sk_buf_printf(out, "WHEN %s THEN RAISE(ABORT, '%s: the owner must be a district''s region code, such as 96.71.01') ",
			      (const char *)own.ptr, t->name);
	else if (own.len)
		sk_buf_printf(out, "WHEN %s%s THEN RAISE(ABORT, '%s: this office (%s) may only %s records it owns, with owner "
				   "''%s'': the city hands a record over to another district') ",
			      upd_own, (const char *)own.ptr, t->name, db->code, upd ? "change" : "create", db->code);
	sk_buf_puts(out, "ELSE 1 END");
	sk_buf_release(&bad);
	sk_buf_release(&big);
	sk_buf_release(&city);
	sk_buf_release(&own);
}

/* The capture triggers of one table, generated from its column list, with its guards once the
 * office's identity is known (not yet while a new database's schema is made).  Each statement
 * reads sk_ctx once, as the source of its SELECT (whether sinkron is applying, and the
 * operator), rather than through a WHEN subquery and a second subquery for the operator: one
 * lookup of that one-row table per captured row instead of two, which matters at bulk-import
 * rates.  The guard's CASE names `applying` itself, so it is evaluated for sk_ctx's row, never
 * hoisted out as a constant, and an apply (applying 1) passes it untested. */
int sk_capture_triggers(struct sk_db *db, const struct sk_table *t)
{
	struct sk_buf sql = SK_BUF_INIT, ins = SK_BUF_INIT, upd = SK_BUF_INIT;
	const char *now = "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)";
	int rc;

	if (db->code) {
		guard_case(db, t, 0, &ins);
		guard_case(db, t, 1, &upd);
	}
	sk_buf_printf(&sql,
		"DROP TRIGGER IF EXISTS sk_capture_%1$s_insert;"
		"DROP TRIGGER IF EXISTS sk_capture_%1$s_update;"
		"DROP TRIGGER IF EXISTS sk_capture_%1$s_delete;"
		/* the guards' own triggers of earlier versions */
		"DROP TRIGGER IF EXISTS sk_guard_%1$s_update; DROP TRIGGER IF EXISTS sk_guard_%1$s_insert;"
		"DROP TRIGGER IF EXISTS sk_guard_types_%1$s_update; DROP TRIGGER IF EXISTS sk_guard_types_%1$s_insert;", t->name);
	sk_buf_printf(&sql,
		"CREATE TRIGGER sk_capture_%1$s_insert AFTER INSERT ON \"%1$s\" BEGIN "
		"INSERT INTO sk_outbox (tbl, pk, op, cols, at, operator) "
		"SELECT %2$d, NEW.id, 1, NULL, %3$s, operator FROM sk_ctx WHERE %4$s; END;",
		t->name, t->id, now, ins.len ? (const char *)ins.ptr : "applying = 0");
	sk_buf_printf(&sql, "CREATE TRIGGER sk_capture_%s_update AFTER UPDATE OF id", t->name);
	for (int i = 0; i < t->ncols; i++)
		sk_buf_printf(&sql, ", \"%s\"", t->cols[i]);
	sk_buf_printf(&sql, " ON \"%s\" BEGIN ", t->name);
	if (upd.len)
		sk_buf_printf(&sql, "SELECT %s FROM sk_ctx WHERE applying = 0; ", (const char *)upd.ptr);
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
	sk_buf_release(&ins);
	sk_buf_release(&upd);
	return rc;
}

/* Triggers made by another build, or before the office's identity was known, are made again
 * (the schema files and the guards' own version). */
#define GUARDS_VERSION ((int64_t)sk_embedded_count * 100 + 7)
/* The capture triggers' generation: a new one makes them again in existing databases. */
#define CAPTURE_VERSION 4

int sk_capture_guards_open(struct sk_db *db)
{
	if (sk_state_int(db, "guards", 0) != GUARDS_VERSION) {
		int rc = sk_db_exec(db, "BEGIN IMMEDIATE");
		for (int i = 0; rc == 0 && i < db->ntables; i++)
			rc = sk_capture_triggers(db, &db->tables[i]);
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

/* ---- is capture intact? ----
 * Capture is only as good as its triggers and the columns they were made from.  A trigger
 * dropped or altered with another SQLite tool loses writes silently; a column added by hand
 * travels to a city that does not know it.  So the synced tables' columns and the text of
 * every trigger are recorded when sinkron makes them, and compared at
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
	db->problem_remedy = SK_DO_NOTHING;
	columns_text(db, &cols);
	if (sk_code_shape(db->code) < 0 || strncmp(db->code, db->city, strlen(db->city))) {
		sk_buf_printf(&msg, "the office code in the settings table was changed to '%.40s' outside sinkron: set it back "
				    "with the sqlite3 shell (UPDATE settings SET value = 'CODE' WHERE key = 'code') to the code this "
				    "office was made with", db->code);
		db->problem_remedy = SK_DO_SHOW_CODE;
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
		if (!msg.len) {
			sk_buf_puts(&msg, "the synced tables were changed outside sinkron (a column removed or its type changed)");
			db->problem_remedy = SK_DO_REBUILD_LATEST;
		}
		sk_buf_puts(&msg, "; the city could not read change-sets with a column it does not know, so nothing is sealed "
				  "until then (a new column is a new sinkron version, for every office and the city)");
	} else if (applying_set(db)) {
		sk_buf_puts(&msg, "capture is switched off (sk_ctx.applying was set with another SQLite tool): changes made "
				  "since may not have been recorded for the city");
		db->problem_remedy = SK_DO_REPAIR_CAPTURE;
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
				  "city");
		db->problem_remedy = SK_DO_REPAIR_TRIGGERS;
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
int sk_capture_open(struct sk_db *db)
{
	int rc = 0;
	if (sk_state_int(db, "capture_version", 0) != CAPTURE_VERSION) {
		if ((rc = sk_db_exec(db, "BEGIN IMMEDIATE")) < 0)
			return rc;
		for (int i = 0; rc == 0 && i < db->ntables; i++)
			rc = sk_capture_triggers(db, &db->tables[i]);
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

int sk_db_repair_capture(struct sk_db *db, size_t *rescanned)
{
	int rc;
	*rescanned = 0;
	sk_db_check_capture(db);
	if (db->problem && db->problem_remedy != SK_DO_REPAIR_CAPTURE && db->problem_remedy != SK_DO_REPAIR_TRIGGERS)
		return sk_error_do(SK_EINVALID, db->problem_remedy, NULL, "%s", db->problem);
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
		rc = sk_capture_triggers(db, &db->tables[i]);
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

/*
 * apply.c: merges a change-set into a database.  Per column, the value with the higher clock
 * wins (ties by origin); a delete is a tombstone that no later change brings back.  This merge
 * is commutative, associative and idempotent, so any order and any repetition of delivery ends
 * in the same rows, which the state digest shows.
 */
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "hlc.h"
#include "owners.h"
#include "row.h"

char *sk_state_text(struct sk_db *db, const char *key)
{
	sqlite3_stmt *st;
	char *v = NULL;
	if (sk_db_prepare(db, &st, "SELECT value FROM sk_state WHERE key = ?") < 0)
		return NULL;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_TEXT)
		v = sk_strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return v;
}

int sk_state_set_text(struct sk_db *db, const char *key, const char *v)
{
	sqlite3_stmt *st;
	int rc;
	if ((rc = sk_db_prepare(db, &st, "INSERT OR REPLACE INTO sk_state (key, value) VALUES (?, ?)")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, v, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : sk_db_fail(db, "cannot update the state");
	sqlite3_finalize(st);
	return rc;
}

struct applier {
	struct sk_owner_sums owners;
	struct sk_db *db;
	const struct sk_changeset *cs;
	uint32_t origin;
	int origin_is_city;
	unsigned char digest[SK_HASH_SIZE];
	sqlite3_stmt *tomb_get, *tomb_put;
	sqlite3_stmt *deleted_here; /* NULL when the outbox holds no delete */
	struct sk_buf meta;
};

static int is_tombstoned(struct applier *a, int tbl, const char *pk, int *out)
{
	int rc;
	sqlite3_reset(a->tomb_get);
	sqlite3_bind_int(a->tomb_get, 1, tbl);
	sqlite3_bind_text(a->tomb_get, 2, pk, -1, SQLITE_STATIC);
	rc = sqlite3_step(a->tomb_get);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sk_db_fail(a->db, "cannot read the deleted rows");
	*out = rc == SQLITE_ROW;
	return 0;
}

/* A row deleted here and not sealed yet is as good as dead: a change applied before the seal
 * must not bring it back, since the delete wins wherever it arrives. */
static int is_deleted_here(struct applier *a, int tbl, const char *pk, int *out)
{
	int rc;
	sqlite3_reset(a->deleted_here);
	sqlite3_bind_int(a->deleted_here, 1, tbl);
	sqlite3_bind_text(a->deleted_here, 2, pk, -1, SQLITE_STATIC);
	rc = sqlite3_step(a->deleted_here);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sk_db_fail(a->db, "cannot read the outbox");
	*out = rc == SQLITE_ROW;
	return 0;
}

static int put_tombstone(struct applier *a, int tbl, const struct sk_cs_row *r)
{
	sqlite3_reset(a->tomb_put);
	sqlite3_bind_int(a->tomb_put, 1, tbl);
	sqlite3_bind_text(a->tomb_put, 2, r->pk, -1, SQLITE_STATIC);
	sqlite3_bind_int64(a->tomb_put, 3, (int64_t)r->hlc);
	sqlite3_bind_text(a->tomb_put, 4, a->cs->origin, -1, SQLITE_STATIC);
	if (sqlite3_step(a->tomb_put) != SQLITE_DONE)
		return sk_db_fail(a->db, "cannot record a deleted row");
	return 0;
}

/* Counts a row hash in or out of its owner's digest. */
static int owner_change(struct applier *a, const struct sk_value *owner, const unsigned char *h, int add)
{
	int rc;
	if (sk_owner_sums_change(&a->owners, owner, h, add) < 0) {
		if ((rc = sk_owner_sums_flush(a->db, &a->owners)) < 0)
			return rc;
		sk_owner_sums_change(&a->owners, owner, h, add);
	}
	return 0;
}

static int text_is(const struct sk_value *v, const char *s)
{
	return v->type == SK_TEXT && v->n == strlen(s) && !memcmp(v->p, s, v->n);
}

static uint64_t all_columns(const struct sk_table *t)
{
	return t->ncols == 64 ? ~0ULL : (1ULL << t->ncols) - 1;
}

static int apply_table(struct applier *a, const struct sk_cs_table *ct)
{
	const struct sk_table *t = sk_db_table(a->db, ct->name);
	int map[SK_MAX_COLS];
	struct sk_rowio io;
	int rc;

	if (!t)
		return sk_error(SK_EINVALID, "change-set %s #%llu: unknown table '%s'", a->cs->origin,
				(unsigned long long)a->cs->number, ct->name);
	if (ct->ncols > SK_MAX_COLS)
		return sk_error(SK_EINVALID, "change-set %s #%llu: too many columns in '%s'", a->cs->origin,
				(unsigned long long)a->cs->number, ct->name);
	for (int j = 0; j < ct->ncols; j++) {
		map[j] = -1;
		for (int i = 0; i < t->ncols; i++)
			if (!strcmp(ct->cols[j], t->cols[i]))
				map[j] = i;
		if (map[j] < 0)
			return sk_error(SK_EINVALID, "change-set %s #%llu: unknown column '%s' in table '%s'",
					a->cs->origin, (unsigned long long)a->cs->number, ct->cols[j], ct->name);
		for (int k = 0; k < j; k++)
			if (map[k] == map[j])
				return sk_error(SK_EINVALID, "change-set %s #%llu: column '%s' twice in table '%s'",
						a->cs->origin, (unsigned long long)a->cs->number, ct->cols[j], ct->name);
	}
	if ((rc = sk_rowio_init(&io, a->db, t)) < 0)
		return rc;

	for (size_t ri = 0; ri < ct->nrows; ri++) {
		const struct sk_cs_row *r = &ct->rows[ri];
		struct sk_value cur[SK_MAX_COLS], in[SK_MAX_COLS], old_owner;
		struct sk_meta meta;
		int found, dead = 0, changed = 0;

		if (!r->pk || !r->pk[0]) {
			rc = sk_error(SK_EINVALID, "change-set %s #%llu: a row without an id", a->cs->origin,
				      (unsigned long long)a->cs->number);
			goto done;
		}
		/* the city sends each district what is for it */
		if (r->dest && !a->db->is_city && strcmp(r->dest, a->db->code))
			continue;
		if ((rc = is_tombstoned(a, t->id, r->pk, &dead)) < 0)
			goto done;
		if ((found = sk_rowio_get(&io, r->pk, cur, &meta)) < 0) {
			rc = found;
			goto done;
		}
		/* a district writes only what it owns: the owner it gives and the owner stored */
		if (!a->origin_is_city) {
			const struct sk_value *own = found && t->owner_col >= 0 ? &cur[t->owner_col] : NULL;
			if (own && own->type != SK_NULL && !text_is(own, a->cs->origin)) {
				rc = sk_error(SK_ECONFLICT, "change-set %s #%llu changes %s '%s', which belongs to %.*s",
					      a->cs->origin, (unsigned long long)a->cs->number, ct->name, r->pk,
					      (int)own->n, (const char *)own->p);
				goto done;
			}
		}
		if (r->op == SK_OP_DELETE) {
			if (a->origin_is_city && t->city_mask != all_columns(t)) {
				rc = sk_error(SK_ECONFLICT, "change-set %s #%llu deletes %s '%s': only its district may",
					      a->cs->origin, (unsigned long long)a->cs->number, ct->name, r->pk);
				goto done;
			}
			if (found) {
				if (meta.has_hash) {
					sk_digest_sub(a->digest, meta.hash);
					if (t->owner_col >= 0 && (rc = owner_change(a, &cur[t->owner_col], meta.hash, 0)) < 0)
						goto done;
				}
				sqlite3_reset(io.del);
				sqlite3_bind_text(io.del, 1, r->pk, -1, SQLITE_STATIC);
				if (sqlite3_step(io.del) != SQLITE_DONE) {
					rc = sk_db_fail(a->db, "cannot delete a row");
					goto done;
				}
			}
			if (!dead && (rc = put_tombstone(a, t->id, r)) < 0)
				goto done;
			continue;
		}
		if (r->op != SK_OP_UPSERT) {
			rc = sk_error(SK_EINVALID, "change-set %s #%llu: unknown operation %d", a->cs->origin,
				      (unsigned long long)a->cs->number, r->op);
			goto done;
		}
		if (!found && !dead && a->deleted_here && (rc = is_deleted_here(a, t->id, r->pk, &dead)) < 0)
			goto done;
		if (dead)
			continue;
		if (!found) {
			memset(cur, 0, sizeof(cur));
			memset(&meta, 0, sizeof(meta));
			meta.ncols = t->ncols;
		}
		old_owner = t->owner_col >= 0 ? cur[t->owner_col] : (struct sk_value){0};
		for (int j = 0; j < ct->ncols; j++) {
			int i = map[j];
			const struct sk_value *v;
			if (!(r->mask >> j & 1))
				continue;
			v = &r->vals[j];
			if (v->type != SK_NULL && v->type != t->types[i]) {
				rc = sk_error(SK_EINVALID, "change-set %s #%llu: column '%s' of '%s' holds a value of the wrong type",
					      a->cs->origin, (unsigned long long)a->cs->number, t->cols[i], ct->name);
				goto done;
			}
			/* the city's fields are written by the city alone, the rest by the district */
			if (a->origin_is_city != (int)(t->city_mask >> i & 1)) {
				rc = sk_error(SK_ECONFLICT, a->origin_is_city ? "change-set %s #%llu changes '%s' of %s '%s', which only its district may change"
									  : "change-set %s #%llu sets '%s' of %s '%s', which only the city may set",
					      a->cs->origin, (unsigned long long)a->cs->number, t->cols[i], ct->name, r->pk);
				goto done;
			}
			if (!a->origin_is_city && i == t->owner_col && !text_is(v, a->cs->origin)) {
				rc = sk_error(SK_ECONFLICT, "change-set %s #%llu gives %s '%s' to another owner",
					      a->cs->origin, (unsigned long long)a->cs->number, ct->name, r->pk);
				goto done;
			}
			if (sk_cell_cmp(r->hlc, a->origin, meta.cell[i].hlc, meta.cell[i].origin) <= 0)
				continue;
			in[i] = *v;
			meta.cell[i].hlc = r->hlc;
			meta.cell[i].origin = a->origin;
			if (!sk_value_equal(&cur[i], v))
				cur[i] = *v;
			changed = 1;
		}
		(void)in;
		if (!changed)
			continue;
		if (meta.has_hash) {
			sk_digest_sub(a->digest, meta.hash);
			if (t->owner_col >= 0 && (rc = owner_change(a, &old_owner, meta.hash, 0)) < 0)
				goto done;
		}
		sk_row_hash(meta.hash, t, r->pk, cur);
		meta.has_hash = 1;
		sk_digest_add(a->digest, meta.hash);
		if (t->owner_col >= 0 && (rc = owner_change(a, &cur[t->owner_col], meta.hash, 1)) < 0)
			goto done;
		sk_meta_encode(&a->meta, &meta);
		{
			sqlite3_stmt *st = found ? io.update : io.insert;
			int base = found ? 1 : 2;
			sqlite3_reset(st);
			/* values in cur may point into the get statement's row: bind before it moves */
			for (int i = 0; i < t->ncols; i++)
				sk_value_bind(st, base + i, &cur[i]);
			sqlite3_bind_blob(st, base + t->ncols, a->meta.ptr, (int)a->meta.len, SQLITE_STATIC);
			sqlite3_bind_text(st, found ? t->ncols + 2 : 1, r->pk, -1, SQLITE_STATIC);
			rc = sqlite3_step(st);
			sqlite3_reset(io.get);
			if (rc != SQLITE_DONE) {
				rc = sk_db_fail(a->db, "cannot write a row");
				goto done;
			}
		}
	}
	rc = 0;
done:
	sk_rowio_release(&io);
	return rc;
}

int sk_apply_tx(struct sk_db *db, const struct sk_changeset *cs, const char *id, const char *commit,
		size_t bytes, int *applied)
{
	struct applier a;
	sqlite3_stmt *st = NULL;
	char hex[2 * SK_HASH_SIZE + 1];
	int rc, known;

	*applied = 0;
	if ((rc = sk_db_prepare(db, &st, "SELECT id FROM sk_changesets WHERE id = ? OR (origin = ? AND number = ?)")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, cs->origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (int64_t)cs->number);
	known = sqlite3_step(st) == SQLITE_ROW;
	if (known && strcmp((const char *)sqlite3_column_text(st, 0), id)) {
		rc = sk_error(SK_ECONFLICT, "change-set %s #%llu differs from the one already applied with that number "
			      "(was the office's database restored from an old copy?)", cs->origin,
			      (unsigned long long)cs->number);
		sqlite3_finalize(st);
		return rc;
	}
	sqlite3_finalize(st);
	if (known)
		return 0;
	if (!cs->origin[0] || !sk_origin_of(cs->origin))
		return sk_error(SK_EINVALID, "change-set with an invalid origin '%s'", cs->origin);

	memset(&a, 0, sizeof(a));
	a.db = db;
	a.cs = cs;
	a.origin = sk_origin_of(cs->origin);
	a.origin_is_city = !strcmp(cs->origin, db->city);
	a.meta = (struct sk_buf)SK_BUF_INIT;
	/* The savepoint keeps a refused change-set from leaving half its rows behind.  Its
	 * rollback journal lives in memory: on disk it would write out again every page a
	 * previous change-set of the same transaction touched (most of them, for a backlog),
	 * which made that file the biggest cost of applying.  Durability is unchanged: the
	 * sub-journal is never needed after a crash, only to roll back inside a transaction.
	 * The setting cannot change once the connection's TEMP database is open (it then
	 * stays as it was): that only costs speed. */
	sqlite3_exec(db->h, "PRAGMA temp_store = MEMORY", NULL, NULL, NULL);
	if ((rc = sk_db_exec(db, "SAVEPOINT sk_apply; UPDATE sk_ctx SET applying = 1")) < 0)
		return rc;
	sk_state_blob(db, "digest", a.digest, SK_HASH_SIZE);
	if ((rc = sk_db_prepare(db, &a.tomb_get, "SELECT 1 FROM sk_tombstones WHERE tbl = ? AND pk = ?")) < 0 ||
	    (rc = sk_db_prepare(db, &a.tomb_put, "INSERT OR IGNORE INTO sk_tombstones (tbl, pk, hlc, origin) VALUES (?, ?, ?, ?)")) < 0 ||
	    (rc = sk_db_prepare(db, &st, "SELECT 1 FROM sk_outbox WHERE op = 3 LIMIT 1")) < 0)
		goto fail;
	rc = sqlite3_step(st) == SQLITE_ROW; /* some delete waits to be sealed */
	sqlite3_finalize(st);
	st = NULL;
	if (rc &&
	    (rc = sk_db_prepare(db, &a.deleted_here, "SELECT 1 FROM sk_outbox WHERE tbl = ? AND pk = ? AND op = 3 LIMIT 1")) < 0)
		goto fail;
	for (size_t i = 0; i < cs->ntables; i++) {
		for (size_t k = 0; k < i; k++)
			if (!strcmp(cs->tables[k].name, cs->tables[i].name)) {
				rc = sk_error(SK_EINVALID, "change-set %s #%llu: table '%s' twice", cs->origin,
					      (unsigned long long)cs->number, cs->tables[i].name);
				goto fail;
			}
		if ((rc = apply_table(&a, &cs->tables[i])) < 0)
			goto fail;
	}
	sk_hex(hex, cs->digest, SK_HASH_SIZE);
	if ((rc = sk_db_prepare(db, &st, "INSERT INTO sk_changesets (id, origin, number, commit_id, hlc_max, rows, bytes, digest, at, local) "
				      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0)")) < 0)
		goto fail;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, cs->origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (int64_t)cs->number);
	sqlite3_bind_text(st, 4, commit, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, (int64_t)cs->hlc_max);
	sqlite3_bind_int64(st, 6, (int64_t)sk_changeset_rows(cs));
	sqlite3_bind_int64(st, 7, (int64_t)bytes);
	sqlite3_bind_text(st, 8, hex, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, sk_wall_ms());
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : sk_db_fail(db, "cannot record an applied change-set");
	sqlite3_finalize(st);
	st = NULL;
	if (rc < 0)
		goto fail;
	sk_hlc_observe(db, cs->hlc_max);
	if ((rc = sk_state_set_blob(db, "digest", a.digest, SK_HASH_SIZE)) < 0 ||
	    (rc = sk_owner_sums_flush(db, &a.owners)) < 0 ||
	    (rc = sk_db_exec(db, "UPDATE sk_ctx SET applying = 0; RELEASE sk_apply")) < 0)
		goto fail;
	sqlite3_finalize(a.tomb_get);
	sqlite3_finalize(a.tomb_put);
	sqlite3_finalize(a.deleted_here);
	sk_buf_release(&a.meta);
	*applied = 1;
	return 0;
fail:
	sqlite3_finalize(st);
	sqlite3_finalize(a.tomb_get);
	sqlite3_finalize(a.tomb_put);
	sqlite3_finalize(a.deleted_here);
	sk_buf_release(&a.meta);
	sqlite3_exec(db->h, "ROLLBACK TO sk_apply; RELEASE sk_apply", NULL, NULL, NULL);
	return rc;
}

/*
 * apply.c: merges a change-set into a database.  Per column, the value with the higher clock
 * wins (ties by origin); a delete is a tombstone that no later change brings back.  This merge
 * is commutative, associative and idempotent, so any order and any repetition of delivery ends
 * in the same rows, which the state digest shows.
 *
 * A change-set is applied in two passes: the first reads what it needs and makes every check
 * (unknown columns, wrong types, ownership), writing nothing; the second writes.  So a refused
 * change-set leaves nothing behind without a savepoint around it: a savepoint would make SQLite
 * journal again, for every row's statement (the capture triggers give each one a statement
 * journal), the pages earlier rows of the change-set touched, which cost more than the rows.
 * While it writes, the connection's triggers are off when they are only sinkron's (capture,
 * with its guards), which do nothing while applying (sk_ctx.applying): they would still cost a
 * call and a statement journal per row.
 */
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "hlc.h"
#include "owners.h"
#include "row.h"

struct applier {
	struct sk_owner_sums owners;
	struct sk_db *db;
	const struct sk_changeset *cs;
	uint32_t origin;
	int origin_is_city;
	unsigned char digest[SK_HASH_SIZE];
	sqlite3_stmt *tomb_get, *tomb_put;
	sqlite3_stmt *deleted_here; /* NULL when the outbox holds no delete */
	int any_tomb;               /* sk_tombstones holds a row: probe it */
	struct sk_buf meta;
};

/* What the first pass learnt about a row, for the second: whether it is stored, and whether it
 * is dead (a tombstone, or a delete waiting to be sealed). */
enum { ROW_UNKNOWN, ROW_ABSENT, ROW_PRESENT };
struct hint {
	unsigned char stored, dead;
};

static int is_tombstoned(struct applier *a, int tbl, const char *pk, int *out)
{
	int rc;
	if (!a->any_tomb) {
		*out = 0;
		return 0;
	}
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
	a->any_tomb = 1;
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

/* A row names its id.  1 when it is for another district (the city sends each district what is
 * for it): passed over here; 0 when it is for this database. */
static int check_row(struct applier *a, const struct sk_cs_row *r)
{
	if (!r->pk || !r->pk[0])
		return sk_error(SK_EINVALID, "change-set %s #%llu: a row without an id", a->cs->origin,
				(unsigned long long)a->cs->number);
	return r->dest && !a->db->is_city && strcmp(r->dest, a->db->code) ? 1 : 0;
}

/* A row is an upsert or a delete. */
static int check_op(struct applier *a, const struct sk_cs_row *r)
{
	if (r->op == SK_OP_UPSERT || r->op == SK_OP_DELETE)
		return 0;
	return sk_error(SK_EINVALID, "change-set %s #%llu: unknown operation %d", a->cs->origin,
			(unsigned long long)a->cs->number, r->op);
}

/* A district writes only the rows it owns: own is the owner stored. */
static int check_owner(struct applier *a, const struct sk_cs_table *ct, const struct sk_cs_row *r, const struct sk_value *own)
{
	if (text_is(own, a->cs->origin))
		return 0;
	return sk_error(SK_ECONFLICT, "change-set %s #%llu changes %s '%s', which belongs to %.*s", a->cs->origin,
			(unsigned long long)a->cs->number, ct->name, r->pk, (int)own->n, (const char *)own->p);
}

/* The city deletes only rows of its own tables: a district's record is removed by its district. */
static int check_delete(struct applier *a, const struct sk_table *t, const struct sk_cs_table *ct, const struct sk_cs_row *r)
{
	if (!a->origin_is_city || t->city_mask == sk_table_all(t))
		return 0;
	return sk_error(SK_ECONFLICT, "change-set %s #%llu deletes %s '%s': only its district may", a->cs->origin,
			(unsigned long long)a->cs->number, ct->name, r->pk);
}

/* Maps the change-set's columns of ct to the table's (map[j]: index in t of column j). */
static int map_columns(struct applier *a, const struct sk_cs_table *ct, const struct sk_table **tout, int *map)
{
	const struct sk_table *t = sk_db_table(a->db, ct->name);

	*tout = t;
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
	return 0;
}

/* The checks of one upsert's values, which do not depend on what is stored. */
static int check_values(struct applier *a, const struct sk_cs_table *ct, const struct sk_table *t, const int *map,
			const struct sk_cs_row *r)
{
	for (int j = 0; j < ct->ncols; j++) {
		int i = map[j];
		const struct sk_value *v;
		if (!(r->mask >> j & 1))
			continue;
		v = &r->vals[j];
		if (v->type != SK_NULL && v->type != t->types[i])
			return sk_error(SK_EINVALID, "change-set %s #%llu: column '%s' of '%s' holds a value of the wrong type",
					a->cs->origin, (unsigned long long)a->cs->number, t->cols[i], ct->name);
		/* the city's fields are written by the city alone, the rest by the district */
		if (a->origin_is_city != (int)(t->city_mask >> i & 1))
			return sk_error(SK_ECONFLICT, a->origin_is_city ? "change-set %s #%llu changes '%s' of %s '%s', which only its district may change"
								: "change-set %s #%llu sets '%s' of %s '%s', which only the city may set",
					a->cs->origin, (unsigned long long)a->cs->number, t->cols[i], ct->name, r->pk);
		if (!a->origin_is_city && i == t->owner_col && !text_is(v, a->cs->origin))
			return sk_error(SK_ECONFLICT, "change-set %s #%llu gives %s '%s' to another owner",
					a->cs->origin, (unsigned long long)a->cs->number, ct->name, r->pk);
	}
	return 0;
}

/* Rows [from, to) of ct, ascending keys: 1 when the table stores none of the keys between the
 * first and the last, 0 when it stores some. */
#define SPAN_ROWS 32
static int span_absent(struct applier *a, sqlite3_stmt *span, const struct sk_cs_table *ct, size_t from, size_t to)
{
	int rc;
	if (!ct->rows[from].pk || !ct->rows[to - 1].pk)
		return 0;
	sqlite3_reset(span);
	sqlite3_bind_text(span, 1, ct->rows[from].pk, -1, SQLITE_STATIC);
	sqlite3_bind_text(span, 2, ct->rows[to - 1].pk, -1, SQLITE_STATIC);
	rc = sqlite3_step(span);
	sqlite3_reset(span);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sk_db_fail(a->db, "cannot read a row");
	return rc == SQLITE_DONE;
}

/* Pass one over a table: every check the writing pass makes, in the same order, reading only
 * what they need; hints[ri] gets what was learnt of row ri.  Writes nothing. */
static int check_table(struct applier *a, const struct sk_cs_table *ct, const struct sk_table *t, const int *map,
		       struct hint *hints)
{
	sqlite3_stmt *own = NULL, *span = NULL;
	struct sk_buf q = SK_BUF_INIT;
	size_t span_end = 0, probe_at = 0; /* rows before span_end are known absent */
	int rc = 0;

	/* a district writes only what it owns: the stored owner of each row it names; and a row
	 * deleted here counts as dead only when it was not stored again since */
	if (!a->origin_is_city || a->deleted_here) {
		if (t->owner_col >= 0 && !a->origin_is_city)
			sk_buf_printf(&q, "SELECT \"%s\" FROM \"%s\" WHERE id = ?", t->cols[t->owner_col], t->name);
		else
			sk_buf_printf(&q, "SELECT NULL FROM \"%s\" WHERE id = ?", t->name);
		rc = sk_stmt_get(a->db, &own, (const char *)q.ptr);
		sk_buf_release(&q);
		if (rc < 0)
			return rc;
		q.len = 0;
		sk_buf_printf(&q, "SELECT 1 FROM \"%s\" WHERE id BETWEEN ? AND ? LIMIT 1", t->name);
		rc = sk_stmt_get(a->db, &span, (const char *)q.ptr);
		sk_buf_release(&q);
		if (rc < 0)
			goto done;
	}
	for (size_t ri = 0; ri < ct->nrows; ri++) {
		const struct sk_cs_row *r = &ct->rows[ri];
		struct hint *h = &hints[ri];
		int dead = 0;

		/* Keys come in ascending order: one probe of a span of them finds most new rows
		 * absent together (a backlog of new workers, a database built from nothing), where a
		 * lookup per row would double the index searches of the writing pass. */
		if (span && ri == probe_at && ri + 1 < ct->nrows) {
			size_t end = ri == 0 ? ct->nrows : ri + SPAN_ROWS < ct->nrows ? ri + SPAN_ROWS : ct->nrows;
			if ((rc = span_absent(a, span, ct, ri, end)) < 0)
				goto done;
			if (!rc && ri == 0 && ct->nrows > SPAN_ROWS) {
				end = SPAN_ROWS; /* not all absent: the first block alone */
				if ((rc = span_absent(a, span, ct, ri, end)) < 0)
					goto done;
			}
			span_end = rc ? end : ri;
			probe_at = end; /* when some are stored, each row of the block is looked up */
		}

		h->stored = ROW_UNKNOWN;
		h->dead = 0;
		if ((rc = check_row(a, r)) < 0)
			goto done;
		if (rc)
			continue;
		if ((rc = is_tombstoned(a, t->id, r->pk, &dead)) < 0)
			goto done;
		h->dead = (unsigned char)dead;
		if (own && ri < span_end) {
			h->stored = ROW_ABSENT;
		} else if (own) {
			sqlite3_reset(own);
			sqlite3_bind_text(own, 1, r->pk, -1, SQLITE_STATIC);
			rc = sqlite3_step(own);
			if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
				rc = sk_db_fail(a->db, "cannot read a row");
				goto done;
			}
			h->stored = rc == SQLITE_ROW ? ROW_PRESENT : ROW_ABSENT;
			if (rc == SQLITE_ROW && !a->origin_is_city && sqlite3_column_type(own, 0) != SQLITE_NULL) {
				struct sk_value v;
				sk_value_from_column(&v, own, 0);
				if ((rc = check_owner(a, ct, r, &v)) < 0)
					goto done;
			}
		}
		if (r->op == SK_OP_DELETE) {
			if ((rc = check_delete(a, t, ct, r)) < 0)
				goto done;
			continue;
		}
		if ((rc = check_op(a, r)) < 0)
			goto done;
		if (!dead && h->stored == ROW_ABSENT && a->deleted_here) {
			if ((rc = is_deleted_here(a, t->id, r->pk, &dead)) < 0)
				goto done;
			h->dead = (unsigned char)dead;
		}
		if (dead)
			continue;
		if ((rc = check_values(a, ct, t, map, r)) < 0)
			goto done;
	}
	rc = 0;
done:
	sk_stmt_put(own);
	sk_stmt_put(span);
	return rc;
}

/* Pass two over a table (or the only pass, hints NULL): merges and writes each row. */
static int apply_table(struct applier *a, const struct sk_cs_table *ct, const struct sk_table *t, const int *map,
		       const struct hint *hints)
{
	struct sk_rowio io;
	int rc;

	if ((rc = sk_rowio_init(&io, a->db, t)) < 0)
		return rc;

	for (size_t ri = 0; ri < ct->nrows; ri++) {
		const struct sk_cs_row *r = &ct->rows[ri];
		struct sk_value cur[SK_MAX_COLS], old_owner;
		struct sk_meta meta;
		int found, dead = 0, changed = 0;

		if ((rc = check_row(a, r)) < 0)
			goto done;
		if (rc)
			continue;
		if (hints)
			dead = hints[ri].dead;
		else if ((rc = is_tombstoned(a, t->id, r->pk, &dead)) < 0)
			goto done;
		if (hints && (hints[ri].stored == ROW_ABSENT || (dead && r->op == SK_OP_UPSERT)))
			found = 0; /* the first pass looked: not there (or dead: skipped below) */
		else if ((found = sk_rowio_get(&io, r->pk, cur, &meta)) < 0) {
			rc = found;
			goto done;
		}
		/* a district writes only what it owns: the owner it gives and the owner stored */
		if (!a->origin_is_city && found && t->owner_col >= 0 && cur[t->owner_col].type != SK_NULL &&
		    (rc = check_owner(a, ct, r, &cur[t->owner_col])) < 0)
			goto done;
		if (r->op == SK_OP_DELETE) {
			if ((rc = check_delete(a, t, ct, r)) < 0)
				goto done;
			if (found) {
				if (meta.has_hash && t->in_digest) {
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
		if ((rc = check_op(a, r)) < 0)
			goto done;
		if (!hints && !found && !dead && a->deleted_here && (rc = is_deleted_here(a, t->id, r->pk, &dead)) < 0)
			goto done;
		if (dead)
			continue;
		if (!found) {
			/* only the table's columns: the arrays are sized for the widest table */
			memset(cur, 0, (size_t)t->ncols * sizeof(cur[0]));
			memset(meta.cell, 0, (size_t)t->ncols * sizeof(meta.cell[0]));
			meta.has_hash = 0;
			meta.ncols = t->ncols;
		}
		old_owner = t->owner_col >= 0 ? cur[t->owner_col] : (struct sk_value){0};
		if (!hints && (rc = check_values(a, ct, t, map, r)) < 0)
			goto done;
		for (int j = 0; j < ct->ncols; j++) {
			int i = map[j];
			const struct sk_value *v;
			if (!(r->mask >> j & 1))
				continue;
			v = &r->vals[j];
			if (sk_cell_cmp(r->hlc, a->origin, meta.cell[i].hlc, meta.cell[i].origin) <= 0)
				continue;
			meta.cell[i].hlc = r->hlc;
			meta.cell[i].origin = a->origin;
			if (!sk_value_equal(&cur[i], v))
				cur[i] = *v;
			changed = 1;
		}
		if (!changed)
			continue;
		if (meta.has_hash && t->in_digest) {
			sk_digest_sub(a->digest, meta.hash);
			if (t->owner_col >= 0 && (rc = owner_change(a, &old_owner, meta.hash, 0)) < 0)
				goto done;
		}
		sk_row_hash(meta.hash, t, r->pk, cur);
		meta.has_hash = 1;
		if (t->in_digest) {
			sk_digest_add(a->digest, meta.hash);
			if (t->owner_col >= 0 && (rc = owner_change(a, &cur[t->owner_col], meta.hash, 1)) < 0)
				goto done;
		}
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

/* Rows of each table in strictly increasing key order, as sealing writes them: then no row is
 * named twice, and the two passes see what one pass would. */
static int keys_ascending(const struct sk_cs_table *ct)
{
	for (size_t ri = 1; ri < ct->nrows; ri++)
		if (!ct->rows[ri - 1].pk || !ct->rows[ri].pk || strcmp(ct->rows[ri - 1].pk, ct->rows[ri].pk) >= 0)
			return 0;
	return 1;
}

/* "230 workers, 10 enrolments, 1 heirs deleted": what a received change-set carries, for the log. */
static void summarize(struct sk_buf *out, const struct sk_changeset *cs)
{
	for (size_t t = 0; t < cs->ntables; t++) {
		size_t up = 0, del = 0;
		for (size_t r = 0; r < cs->tables[t].nrows; r++) {
			if (cs->tables[t].rows[r].op == SK_OP_DELETE)
				del++;
			else
				up++;
		}
		if (up)
			sk_buf_printf(out, "%s%zu %s", out->len ? ", " : "", up, cs->tables[t].name);
		if (del)
			sk_buf_printf(out, "%s%zu %s deleted", out->len ? ", " : "", del, cs->tables[t].name);
	}
	if (!out->len)
		sk_buf_puts(out, "nothing");
}

int sk_apply_tx(struct sk_db *db, const struct sk_changeset *cs, const char *id, const char *commit,
		size_t bytes, int *applied)
{
	struct sk_buf summary = SK_BUF_INIT;
	struct applier a;
	sqlite3_stmt *st = NULL;
	char hex[2 * SK_HASH_SIZE + 1];
	const struct sk_table **tabs = NULL;
	int (*maps)[SK_MAX_COLS] = NULL;
	struct hint **hints = NULL;
	int rc, known, two_pass = 1, savepoint = 0, writing = 0, triggers_off = 0;

	*applied = 0;
	if (sqlite3_get_autocommit(db->h))
		return sk_error(SK_ERROR, "change-set %s #%llu: applying needs a transaction", cs->origin,
				(unsigned long long)cs->number);
	if ((rc = sk_stmt_get(db, &st, "SELECT id FROM sk_changesets WHERE id = ? OR (origin = ? AND number = ?)")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, cs->origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (int64_t)cs->number);
	known = sqlite3_step(st) == SQLITE_ROW;
	if (known && strcmp((const char *)sqlite3_column_text(st, 0), id)) {
		rc = sk_error(SK_ECONFLICT, "change-set %s #%llu differs from the one already applied with that number "
			      "(was the office's database restored from an old copy?)", cs->origin,
			      (unsigned long long)cs->number);
		sk_stmt_put(st);
		return rc;
	}
	sk_stmt_put(st);
	st = NULL;
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
	sk_state_blob(db, "digest", a.digest, SK_HASH_SIZE);
	if ((rc = sk_stmt_get(db, &a.tomb_get, "SELECT 1 FROM sk_tombstones WHERE tbl = ? AND pk = ?")) < 0 ||
	    (rc = sk_stmt_get(db, &a.tomb_put, "INSERT OR IGNORE INTO sk_tombstones (tbl, pk, hlc, origin) VALUES (?, ?, ?, ?)")) < 0 ||
	    (rc = sk_stmt_get(db, &st, "SELECT EXISTS (SELECT 1 FROM sk_outbox WHERE op = 3), EXISTS (SELECT 1 FROM sk_tombstones)")) < 0)
		goto fail;
	rc = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0); /* some delete waits to be sealed */
	a.any_tomb = sqlite3_column_int(st, 1);
	sk_stmt_put(st);
	st = NULL;
	if (rc &&
	    (rc = sk_db_prepare(db, &a.deleted_here, "SELECT 1 FROM sk_outbox WHERE tbl = ? AND pk = ? AND op = 3 LIMIT 1")) < 0)
		goto fail;
	tabs = sk_calloc(cs->ntables ? cs->ntables : 1, sizeof(*tabs));
	maps = sk_calloc(cs->ntables ? cs->ntables : 1, sizeof(*maps));
	hints = sk_calloc(cs->ntables ? cs->ntables : 1, sizeof(*hints));
	for (size_t i = 0; i < cs->ntables; i++) {
		for (size_t k = 0; k < i; k++)
			if (!strcmp(cs->tables[k].name, cs->tables[i].name)) {
				rc = sk_error(SK_EINVALID, "change-set %s #%llu: table '%s' twice", cs->origin,
					      (unsigned long long)cs->number, cs->tables[i].name);
				goto fail;
			}
		if ((rc = map_columns(&a, &cs->tables[i], &tabs[i], maps[i])) < 0)
			goto fail;
		if (!keys_ascending(&cs->tables[i]))
			two_pass = 0;
	}
	if (two_pass) {
		for (size_t i = 0; i < cs->ntables; i++) {
			hints[i] = sk_malloc((cs->tables[i].nrows ? cs->tables[i].nrows : 1) * sizeof(**hints));
			if ((rc = check_table(&a, &cs->tables[i], tabs[i], maps[i], hints[i])) < 0)
				goto fail;
		}
	} else {
		/* a row named twice (not from sinkron's sealer): one pass, undone by a savepoint */
		if ((rc = sk_db_exec(db, "SAVEPOINT sk_apply")) < 0)
			goto fail;
		savepoint = 1;
	}
	writing = 1;
	if ((rc = sk_stmt_get(db, &st, "UPDATE sk_ctx SET applying = 1")) < 0)
		goto fail;
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : sk_db_fail(db, "cannot mark the database as applying");
	sk_stmt_put(st);
	st = NULL;
	if (rc < 0)
		goto fail;
	if ((rc = sk_stmt_get(db, &st, "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND "
				       "name NOT LIKE 'sk\\_capture\\_%' ESCAPE '\\' AND name NOT LIKE 'sk\\_guard\\_%' ESCAPE '\\'")) < 0)
		goto fail;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 0)
		triggers_off = sqlite3_db_config(db->h, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, (int *)NULL) == SQLITE_OK;
	sk_stmt_put(st);
	st = NULL;
	for (size_t i = 0; i < cs->ntables; i++)
		if ((rc = apply_table(&a, &cs->tables[i], tabs[i], maps[i], hints[i])) < 0)
			goto fail;
	sk_hex(hex, cs->digest, SK_HASH_SIZE);
	if ((rc = sk_stmt_get(db, &st, "INSERT INTO sk_changesets (id, origin, number, commit_id, hlc_max, rows, bytes, digest, at, local, summary) "
				     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)")) < 0)
		goto fail;
	summarize(&summary, cs);
	sqlite3_bind_text(st, 10, (const char *)summary.ptr, (int)summary.len, SQLITE_TRANSIENT);
	sk_buf_release(&summary);
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
	sk_stmt_put(st);
	st = NULL;
	if (rc < 0)
		goto fail;
	sk_hlc_observe(db, cs->hlc_max);
	if ((rc = sk_state_set_blob(db, "digest", a.digest, SK_HASH_SIZE)) < 0 ||
	    (rc = sk_owner_sums_flush(db, &a.owners)) < 0 ||
	    (rc = sk_stmt_get(db, &st, "UPDATE sk_ctx SET applying = 0")) < 0)
		goto fail;
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : sk_db_fail(db, "cannot mark the database as applied");
	sk_stmt_put(st);
	st = NULL;
	if (rc < 0 || (savepoint && (rc = sk_db_exec(db, "RELEASE sk_apply")) < 0))
		goto fail;
	*applied = 1;
	rc = 0;
	goto done;
fail:
	if (triggers_off) {
		sqlite3_db_config(db->h, SQLITE_DBCONFIG_ENABLE_TRIGGER, 1, (int *)NULL);
		triggers_off = 0;
	}
	if (savepoint) {
		sqlite3_exec(db->h, "ROLLBACK TO sk_apply; RELEASE sk_apply", NULL, NULL, NULL);
	} else if (writing) {
		/* The checks passed and a write failed (the disk, not the change-set): part of it is
		 * written, with no savepoint to undo it.  Not a refusal, so the caller, which began
		 * the transaction, rolls it back whole (sk_apply_refused): nothing of this run is
		 * committed, and applying it again later does it all. */
		char *why = sk_strdup(sk_error_last());
		sk_error_set("%s (the whole transaction was rolled back)", why);
		free(why);
		rc = sk_apply_refused(rc) ? SK_ERROR : rc;
	}
done:
	if (triggers_off)
		sqlite3_db_config(db->h, SQLITE_DBCONFIG_ENABLE_TRIGGER, 1, (int *)NULL);
	sk_stmt_put(st); /* every statement here is a kept one */
	sk_stmt_put(a.tomb_get);
	sk_stmt_put(a.tomb_put);
	sqlite3_finalize(a.deleted_here);
	sk_buf_release(&a.meta);
	for (size_t i = 0; hints && i < cs->ntables; i++)
		free(hints[i]);
	free(hints);
	free(maps);
	free(tabs);
	return rc;
}

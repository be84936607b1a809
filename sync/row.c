/*
 * row.c: the per-row bookkeeping of synced tables: the _sk encoding (row hash and per-cell
 * clocks), the canonical row hash, and the prepared statements that read and write rows.
 *
 * _sk layout: version byte 1 or 2; flags byte (bit 0: hash present); 32-byte hash if
 * present; varint k, the number of distinct cell clocks; k times (varint hlc, varint origin);
 * then varint ncols and, in version 1, one byte per column: index into the clock list, or 255
 * for never set.  Version 2, written when k <= 1, has instead a bitmap of (ncols + 7) / 8
 * bytes, bit c (byte c / 8, bit c % 8) set when column c carries the one clock.  Most rows
 * are written by one change, so they carry one clock and a few bytes of bitmap.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "row.h"

int sk_meta_decode(struct sk_meta *m, int ncols, const void *blob, size_t n)
{
	const unsigned char *p = blob, *end = p + n;
	uint64_t k, nc, h, o;
	struct sk_cell clocks[SK_MAX_COLS];
	int version;

	memset(m, 0, sizeof(*m));
	m->ncols = ncols;
	if (!blob || n == 0)
		return 0;
	if (n < 2 || (p[0] != 1 && p[0] != 2))
		return sk_error(SK_ECORRUPT, "row bookkeeping (_sk) has an unknown format");
	version = p[0];
	m->has_hash = p[1] & 1;
	p += 2;
	if (m->has_hash) {
		if ((size_t)(end - p) < SK_HASH_SIZE)
			return sk_error(SK_ECORRUPT, "row bookkeeping (_sk) is truncated");
		memcpy(m->hash, p, SK_HASH_SIZE);
		p += SK_HASH_SIZE;
	}
	if (sk_get_varint(&k, &p, end) < 0 || k > SK_MAX_COLS)
		return sk_error(SK_ECORRUPT, "row bookkeeping (_sk) is damaged");
	for (uint64_t i = 0; i < k; i++) {
		if (sk_get_varint(&h, &p, end) < 0 || sk_get_varint(&o, &p, end) < 0 || o > UINT32_MAX)
			return sk_error(SK_ECORRUPT, "row bookkeeping (_sk) is damaged");
		clocks[i].hlc = h;
		clocks[i].origin = (uint32_t)o;
	}
	if (sk_get_varint(&nc, &p, end) < 0 || nc > SK_MAX_COLS)
		return sk_error(SK_ECORRUPT, "row bookkeeping (_sk) is damaged");
	if (version == 2) {
		if (k > 1 || (size_t)(end - p) < (nc + 7) / 8)
			return sk_error(SK_ECORRUPT, "row bookkeeping (_sk) is damaged");
		for (uint64_t c = 0; c < nc; c++)
			if (p[c / 8] >> (c % 8) & 1) {
				if (k == 0)
					return sk_error(SK_ECORRUPT, "row bookkeeping (_sk) is damaged");
				if ((int)c < ncols)
					m->cell[c] = clocks[0];
			}
		return 0;
	}
	if ((size_t)(end - p) < nc)
		return sk_error(SK_ECORRUPT, "row bookkeeping (_sk) is damaged");
	/* a table that gained columns since: the new ones were never set */
	for (uint64_t c = 0; c < nc && (int)c < ncols; c++) {
		unsigned idx = p[c];
		if (idx == 255)
			continue;
		if (idx >= k)
			return sk_error(SK_ECORRUPT, "row bookkeeping (_sk) is damaged");
		m->cell[c] = clocks[idx];
	}
	return 0;
}

void sk_meta_encode(struct sk_buf *out, const struct sk_meta *m)
{
	struct sk_cell clocks[SK_MAX_COLS];
	unsigned char idx[SK_MAX_COLS];
	int k = 0;

	out->len = 0;
	sk_buf_putc(out, 0); /* the version, once the clocks are counted */
	sk_buf_putc(out, m->has_hash ? 1 : 0);
	if (m->has_hash)
		sk_buf_put(out, m->hash, SK_HASH_SIZE);
	for (int c = 0; c < m->ncols; c++) {
		int j;
		if (!m->cell[c].hlc) {
			idx[c] = 255;
			continue;
		}
		for (j = 0; j < k; j++)
			if (clocks[j].hlc == m->cell[c].hlc && clocks[j].origin == m->cell[c].origin)
				break;
		if (j == k)
			clocks[k++] = m->cell[c];
		idx[c] = (unsigned char)j;
	}
	sk_buf_put_varint(out, (uint64_t)k);
	for (int j = 0; j < k; j++) {
		sk_buf_put_varint(out, clocks[j].hlc);
		sk_buf_put_varint(out, clocks[j].origin);
	}
	sk_buf_put_varint(out, (uint64_t)m->ncols);
	if (k <= 1) {
		unsigned char bits[(SK_MAX_COLS + 7) / 8] = {0};
		for (int c = 0; c < m->ncols; c++)
			if (idx[c] == 0)
				bits[c / 8] |= (unsigned char)(1u << (c % 8));
		out->ptr[0] = 2;
		sk_buf_put(out, bits, (size_t)(m->ncols + 7) / 8);
		return;
	}
	out->ptr[0] = 1;
	sk_buf_put(out, idx, (size_t)m->ncols);
}

/* The bytes a value is hashed as: its type; for numbers 8 bytes big-endian (a real's IEEE bits,
 * every NaN the same); for text and blobs the length, 8 bytes, then the bytes; nothing more for
 * NULL.  Returns the bytes written at p (at most 9 + n). */
static size_t hash_value(unsigned char *p, const struct sk_value *v)
{
	p[0] = (unsigned char)v->type;
	switch (v->type) {
	case SK_INT:
		sk_put_u64(p + 1, (uint64_t)v->i);
		return 9;
	case SK_REAL: {
		uint64_t bits;
		double r = isnan(v->r) ? NAN : v->r;
		memcpy(&bits, &r, 8);
		sk_put_u64(p + 1, bits);
		return 9;
	}
	case SK_TEXT:
	case SK_BLOB:
		sk_put_u64(p + 1, (uint64_t)v->n);
		if (v->n)
			memcpy(p + 9, v->p, v->n);
		return 9 + v->n;
	default:
		return 1;
	}
}

/* The canonical row hash: SHA-256 of the table's name and the key, each with its NUL, then, for
 * each column that is not NULL in the order of their names, the name with its NUL and the
 * value.  The bytes are laid out once and hashed in one call: a row is a few hundred bytes. */
void sk_row_hash(unsigned char out[SK_HASH_SIZE], const struct sk_table *t, const char *pk,
		 const struct sk_value *vals)
{
	unsigned char stack[2048], *buf = stack, *p;
	size_t tn = strlen(t->name) + 1, kn = strlen(pk) + 1, need = tn + kn;
	size_t names[SK_MAX_COLS];

	for (int k = 0; k < t->ncols; k++) {
		int i = t->order[k];
		if (vals[i].type == SK_NULL)
			continue;
		names[i] = strlen(t->cols[i]) + 1;
		need += names[i] + 9 + (vals[i].type == SK_TEXT || vals[i].type == SK_BLOB ? vals[i].n : 0);
	}
	if (need > sizeof(stack))
		buf = sk_malloc(need);
	p = buf;
	memcpy(p, t->name, tn);
	p += tn;
	memcpy(p, pk, kn);
	p += kn;
	for (int k = 0; k < t->ncols; k++) {
		int i = t->order[k];
		if (vals[i].type == SK_NULL)
			continue;
		memcpy(p, t->cols[i], names[i]);
		p += names[i];
		p += hash_value(p, &vals[i]);
	}
	sk_sha256(out, buf, (size_t)(p - buf));
	if (buf != stack)
		free(buf);
}

void sk_value_from_column(struct sk_value *v, sqlite3_stmt *st, int col)
{
	memset(v, 0, sizeof(*v));
	switch (sqlite3_column_type(st, col)) {
	case SQLITE_INTEGER:
		v->type = SK_INT;
		v->i = sqlite3_column_int64(st, col);
		break;
	case SQLITE_FLOAT:
		v->type = SK_REAL;
		v->r = sqlite3_column_double(st, col);
		break;
	case SQLITE_TEXT:
		v->type = SK_TEXT;
		v->p = sqlite3_column_text(st, col);
		v->n = (size_t)sqlite3_column_bytes(st, col);
		break;
	case SQLITE_BLOB:
		v->type = SK_BLOB;
		v->p = sqlite3_column_blob(st, col);
		v->n = (size_t)sqlite3_column_bytes(st, col);
		break;
	default:
		v->type = SK_NULL;
	}
}

void sk_value_bind(sqlite3_stmt *st, int idx, const struct sk_value *v)
{
	switch (v->type) {
	case SK_INT:
		sqlite3_bind_int64(st, idx, v->i);
		break;
	case SK_REAL:
		sqlite3_bind_double(st, idx, v->r);
		break;
	case SK_TEXT:
		sqlite3_bind_text(st, idx, (const char *)v->p, (int)v->n, SQLITE_STATIC);
		break;
	case SK_BLOB:
		sqlite3_bind_blob(st, idx, v->p, (int)v->n, SQLITE_STATIC);
		break;
	default:
		sqlite3_bind_null(st, idx);
	}
}

int sk_value_equal(const struct sk_value *a, const struct sk_value *b)
{
	if (a->type != b->type)
		return 0;
	switch (a->type) {
	case SK_INT:
		return a->i == b->i;
	case SK_REAL:
		return a->r == b->r || (isnan(a->r) && isnan(b->r));
	case SK_TEXT:
	case SK_BLOB:
		return a->n == b->n && (!a->n || !memcmp(a->p, b->p, a->n));
	default:
		return 1;
	}
}

int sk_rowio_init(struct sk_rowio *io, struct sk_db *db, const struct sk_table *t)
{
	struct sk_buf q = SK_BUF_INIT;
	int rc;

	memset(io, 0, sizeof(*io));
	io->db = db;
	io->t = t;
	sk_buf_puts(&q, "SELECT ");
	for (int i = 0; i < t->ncols; i++)
		sk_buf_printf(&q, "\"%s\", ", t->cols[i]);
	sk_buf_printf(&q, "_sk FROM \"%s\" WHERE id = ?", t->name);
	if ((rc = sk_stmt_get(db, &io->get, (const char *)q.ptr)) < 0)
		goto done;
	q.len = 0;
	sk_buf_printf(&q, "INSERT INTO \"%s\" (id", t->name);
	for (int i = 0; i < t->ncols; i++)
		sk_buf_printf(&q, ", \"%s\"", t->cols[i]);
	sk_buf_puts(&q, ", _sk) VALUES (?");
	for (int i = 0; i <= t->ncols; i++)
		sk_buf_puts(&q, ", ?");
	sk_buf_puts(&q, ")");
	if ((rc = sk_stmt_get(db, &io->insert, (const char *)q.ptr)) < 0)
		goto done;
	q.len = 0;
	sk_buf_printf(&q, "UPDATE \"%s\" SET ", t->name);
	for (int i = 0; i < t->ncols; i++)
		sk_buf_printf(&q, "\"%s\" = ?%d, ", t->cols[i], i + 1);
	sk_buf_printf(&q, "_sk = ?%d WHERE id = ?%d", t->ncols + 1, t->ncols + 2);
	if ((rc = sk_stmt_get(db, &io->update, (const char *)q.ptr)) < 0)
		goto done;
	q.len = 0;
	sk_buf_printf(&q, "UPDATE \"%s\" SET _sk = ? WHERE id = ?", t->name);
	if ((rc = sk_stmt_get(db, &io->setmeta, (const char *)q.ptr)) < 0)
		goto done;
	q.len = 0;
	sk_buf_printf(&q, "DELETE FROM \"%s\" WHERE id = ?", t->name);
	rc = sk_stmt_get(db, &io->del, (const char *)q.ptr);
done:
	sk_buf_release(&q);
	if (rc < 0)
		sk_rowio_release(io);
	return rc;
}

void sk_rowio_release(struct sk_rowio *io)
{
	sk_stmt_put(io->get);
	sk_stmt_put(io->insert);
	sk_stmt_put(io->update);
	sk_stmt_put(io->setmeta);
	sk_stmt_put(io->del);
	memset(io, 0, sizeof(*io));
}

int sk_rowio_get(struct sk_rowio *io, const char *pk, struct sk_value *vals, struct sk_meta *meta)
{
	int rc;
	sqlite3_reset(io->get);
	sqlite3_bind_text(io->get, 1, pk, -1, SQLITE_STATIC);
	rc = sqlite3_step(io->get);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return sk_db_fail(io->db, "cannot read a row");
	for (int i = 0; i < io->t->ncols; i++)
		sk_value_from_column(&vals[i], io->get, i);
	if (meta && (rc = sk_meta_decode(meta, io->t->ncols, sqlite3_column_blob(io->get, io->t->ncols),
				       (size_t)sqlite3_column_bytes(io->get, io->t->ncols))) < 0)
		return rc;
	return 1;
}

int sk_row_rescan(struct sk_db *db, const struct sk_table *t, size_t *rescanned)
{
	struct sk_buf q = SK_BUF_INIT;
	sqlite3_stmt *st = NULL, *ins = NULL;
	int rc;

	sk_buf_puts(&q, "SELECT id, _sk");
	for (int c = 0; c < t->ncols; c++)
		sk_buf_printf(&q, ", \"%s\"", t->cols[c]);
	sk_buf_printf(&q, " FROM \"%s\" WHERE id NOT IN (SELECT pk FROM sk_outbox WHERE tbl = %d)", t->name, t->id);
	rc = sk_db_prepare(db, &st, (const char *)q.ptr);
	sk_buf_release(&q);
	if (rc < 0 ||
	    (rc = sk_db_prepare(db, &ins, "INSERT INTO sk_outbox (tbl, pk, op, cols, at, operator) VALUES (?, ?, ?, ?, ?, NULL)")) < 0)
		goto done;
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		struct sk_value v[SK_MAX_COLS];
		struct sk_meta m;
		unsigned char h[SK_HASH_SIZE];
		const char *pk = (const char *)sqlite3_column_text(st, 0);
		if (sk_meta_decode(&m, t->ncols, sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1)) < 0)
			m.has_hash = 0;
		for (int c = 0; c < t->ncols; c++)
			sk_value_from_column(&v[c], st, 2 + c);
		sk_row_hash(h, t, pk, v);
		if (m.has_hash && !memcmp(h, m.hash, SK_HASH_SIZE))
			continue;
		sqlite3_reset(ins);
		sqlite3_bind_int(ins, 1, t->id);
		sqlite3_bind_text(ins, 2, pk, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(ins, 3, m.has_hash ? 2 : 1);
		if (m.has_hash)
			sqlite3_bind_int64(ins, 4, (int64_t)sk_table_all(t));
		else
			sqlite3_bind_null(ins, 4);
		sqlite3_bind_int64(ins, 5, sk_wall_ms());
		if (sqlite3_step(ins) != SQLITE_DONE)
			rc = sk_db_fail(db, "cannot record a change");
		else
			(*rescanned)++;
	}
done:
	sqlite3_finalize(st);
	sqlite3_finalize(ins);
	return rc;
}

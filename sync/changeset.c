/*
 * changeset.c: the change-set codec (byte format in sync/FORMAT.md): a canonical encoder and a
 * decoder for untrusted bytes that checks every length against what is really there and
 * against sk_cs_limits before it allocates.  Also the printable form of a clock.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "arena.h"
#include "engine.h"
#include "hashtab.h"

#define CS_MAGIC "SKCS"
#define CS_CHECKSUM 16     /* leading bytes of SHA-256 kept as the checksum */
#define CS_ZLEVEL 9        /* fixed, like the strategy and the block cuts: one encoding */
#define CS_ZSTRATEGY Z_FILTERED /* fewer short matches: cheaper on keys and phone numbers */
#define CS_BLOCK_MIN 256   /* a field run shorter than this shares its deflate block */
#define CS_MAX_TABLES 256
#define CS_MAX_COLS 64
#define CS_MAX_NAME 64     /* table and column names */
#define CS_MAX_PK 255
#define CS_MAX_STR 255     /* operator names and destinations */
#define CS_MAX_ORIGIN 23   /* fits sk_changeset.origin with its NUL */
#define CS_MIN_ROW 8       /* bytes a row takes in the body at least: bounds allocations */
#define CS_NAN 0x7ff8000000000000ull
#define CS_ARENA_CHUNK 65536 /* the arena that owns a decoded change-set */
/* value slots (ncols of every row that carries values) a change-set may make the decoder
 * allocate: memory stays proportional to the body limit whatever the body claims */
#define CS_MAX_CELLS(lim) ((lim)->max_uncompressed / 16)

/* ---- what both directions agree on ---- */

static uint64_t zigzag(uint64_t v)
{
	return (v << 1) ^ (0 - (v >> 63));
}

static uint64_t unzigzag(uint64_t v)
{
	return (v >> 1) ^ (0 - (v & 1));
}

static uint64_t real_bits(double r)
{
	uint64_t u;
	if (isnan(r))
		return CS_NAN;
	memcpy(&u, &r, sizeof(u));
	return u;
}

static int valid_name(const unsigned char *s, size_t n)
{
	if (n == 0 || n > CS_MAX_NAME || (s[0] >= '0' && s[0] <= '9'))
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
			return 0;
	}
	return 1;
}

static int valid_region(const unsigned char *s, size_t n)
{
	if (n == 0 || n > CS_MAX_ORIGIN)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-' || c == '_'))
			return 0;
	}
	return 1;
}


static uint64_t col_mask(int ncols)
{
	return ncols >= 64 ? ~(uint64_t)0 : (((uint64_t)1 << ncols) - 1);
}

/* ---- encoding ---- */

/* The per-change-set string table: operator names and destinations, in order of first use. */
struct strtab {
	const char **v;
	size_t n, alloc;
	struct sk_hashtab index;
};

static uint64_t strtab_hash(void *ctx, size_t i)
{
	return sk_hash_str(SK_HASH_SEED, ((struct strtab *)ctx)->v[i]);
}

static int strtab_equal(void *ctx, size_t i, const void *key)
{
	return !strcmp(((struct strtab *)ctx)->v[i], key);
}

static uint64_t strtab_index(struct strtab *t, const char *s)
{
	uint64_t h = sk_hash_str(SK_HASH_SEED, s);
	long i = sk_hashtab_find(&t->index, h, s);
	if (i >= 0)
		return (uint64_t)i;
	if (t->n == t->alloc) {
		t->alloc = t->alloc ? 2 * t->alloc : 16;
		t->v = sk_realloc(t->v, t->alloc * sizeof(*t->v));
	}
	t->v[t->n++] = s;
	return sk_hashtab_add(&t->index, h);
}

static void strtab_release(struct strtab *t)
{
	free(t->v);
	sk_hashtab_release(&t->index);
}

static const char *row_operator(const struct sk_cs_row *r)
{
	return r->operator_name ? r->operator_name : "";
}

/* Refuses, before writing anything, what the decoder (with the default limits) would refuse,
 * so that whatever is sealed can be read back. */
static int check_changeset(const struct sk_changeset *cs)
{
	static const struct sk_cs_limits lim = SK_CS_LIMITS_DEFAULT;
	size_t rows = 0, cells = 0, keybytes = 0;

	if (cs->version != 0 && cs->version != SK_CS_VERSION)
		return sk_error(SK_EINVALID, "change-set version %u not supported (this sinkron writes %d)",
				(unsigned)cs->version, SK_CS_VERSION);
	if (!valid_region((const unsigned char *)cs->origin, strnlen(cs->origin, sizeof(cs->origin))))
		return sk_error(SK_EINVALID, "change-set origin '%.*s' is not a region code",
				(int)strnlen(cs->origin, sizeof(cs->origin)), cs->origin);
	if (cs->ntables > CS_MAX_TABLES)
		return sk_error(SK_EINVALID, "change-set has %zu tables, more than the limit of %d",
				cs->ntables, CS_MAX_TABLES);
	for (size_t t = 0; t < cs->ntables; t++) {
		const struct sk_cs_table *tb = &cs->tables[t];
		if (!tb->name || !valid_name((const unsigned char *)tb->name, strlen(tb->name)))
			return sk_error(SK_EINVALID, "change-set table name '%s' is not a valid name",
					tb->name ? tb->name : "(null)");
		for (size_t u = 0; u < t; u++)
			if (!strcmp(cs->tables[u].name, tb->name))
				return sk_error(SK_EINVALID, "change-set has table '%s' twice", tb->name);
		if (tb->ncols < 0 || tb->ncols > CS_MAX_COLS)
			return sk_error(SK_EINVALID, "table '%s' has %d columns, not 0 to %d", tb->name,
					tb->ncols, CS_MAX_COLS);
		for (int c = 0; c < tb->ncols; c++) {
			if (!tb->cols[c] || !valid_name((const unsigned char *)tb->cols[c], strlen(tb->cols[c])))
				return sk_error(SK_EINVALID, "table '%s': column name '%s' is not a valid name",
						tb->name, tb->cols[c] ? tb->cols[c] : "(null)");
			for (int d = 0; d < c; d++)
				if (!strcmp(tb->cols[d], tb->cols[c]))
					return sk_error(SK_EINVALID, "table '%s' has column '%s' twice",
							tb->name, tb->cols[c]);
		}
		rows += tb->nrows;
		if (rows > lim.max_rows)
			return sk_error(SK_EINVALID, "change-set has more than %zu rows", lim.max_rows);
		for (size_t i = 0; i < tb->nrows; i++) {
			const struct sk_cs_row *r = &tb->rows[i];
			const char *op = row_operator(r);
			if (r->op != SK_OP_UPSERT && r->op != SK_OP_DELETE)
				return sk_error(SK_EINVALID, "table '%s': row %zu has unknown op %d", tb->name, i, r->op);
			if (!r->pk || !*r->pk || strlen(r->pk) > CS_MAX_PK ||
			    !sk_utf8_valid((const unsigned char *)r->pk, strlen(r->pk), 0))
				return sk_error(SK_EINVALID, "table '%s': row %zu has an empty, overlong or non-UTF-8 key",
						tb->name, i);
			if (r->mask & ~col_mask(tb->ncols))
				return sk_error(SK_EINVALID, "table '%s': row '%s' carries columns past its %d",
						tb->name, r->pk, tb->ncols);
			if (strlen(op) > CS_MAX_STR || !sk_utf8_valid((const unsigned char *)op, strlen(op), 0))
				return sk_error(SK_EINVALID, "table '%s': row '%s' has an overlong or non-UTF-8 operator name",
						tb->name, r->pk);
			if (r->dest && !valid_region((const unsigned char *)r->dest, strlen(r->dest)))
				return sk_error(SK_EINVALID, "table '%s': row '%s' has destination '%s', not a region code",
						tb->name, r->pk, r->dest);
			keybytes += strlen(r->pk);
			if (keybytes > lim.max_uncompressed)
				return sk_error(SK_EINVALID, "change-set keys take more than %zu bytes", lim.max_uncompressed);
			if (!r->mask)
				continue;
			cells += (size_t)tb->ncols;
			if (cells > CS_MAX_CELLS(&lim))
				return sk_error(SK_EINVALID, "change-set carries more than %zu row values",
						CS_MAX_CELLS(&lim));
			for (int c = 0; c < tb->ncols; c++) {
				const struct sk_value *v = &r->vals[c];
				if (!(r->mask >> c & 1))
					continue;
				if (v->type < SK_NULL || v->type > SK_BLOB)
					return sk_error(SK_EINVALID, "table '%s': row '%s': column '%s' has unknown type %d",
							tb->name, r->pk, tb->cols[c], v->type);
				if ((v->type == SK_TEXT || v->type == SK_BLOB) && v->n > lim.max_value)
					return sk_error(SK_EINVALID, "table '%s': row '%s': column '%s' has %zu bytes, more than the limit of %zu",
							tb->name, r->pk, tb->cols[c], v->n, lim.max_value);
			}
		}
	}
	return 0;
}

static int put_bytes(struct sk_buf *b, const void *p, size_t n)
{
	int rc;
	if ((rc = sk_buf_put_varint(b, n)) < 0)
		return rc;
	return sk_buf_put(b, p, n);
}

static int put_value(struct sk_buf *b, const struct sk_value *v)
{
	unsigned char tmp[8];
	int rc;
	if ((rc = sk_buf_putc(b, v->type)) < 0)
		return rc;
	switch (v->type) {
	case SK_INT:
		return sk_buf_put_varint(b, zigzag((uint64_t)v->i));
	case SK_REAL:
		sk_put_u64(tmp, real_bits(v->r));
		return sk_buf_put(b, tmp, 8);
	case SK_TEXT:
	case SK_BLOB:
		return put_bytes(b, v->n ? v->p : (const unsigned char *)"", v->n);
	default:
		return 0;
	}
}

/* Offsets in the body where one kind of field ends and the next begins: the compressor starts a
 * new deflate block there, so that keys, clocks and each column get Huffman codes of their own. */
struct cuts {
	size_t *v;
	size_t n, alloc;
};

static void cut(struct cuts *c, const struct sk_buf *b)
{
	if (c->n == c->alloc) {
		c->alloc = c->alloc ? 2 * c->alloc : 64;
		c->v = sk_realloc(c->v, c->alloc * sizeof(*c->v));
	}
	c->v[c->n++] = b->len;
}

static int encode_table(struct sk_buf *b, const struct sk_cs_table *tb, struct strtab *st, uint64_t *prev_hlc,
			struct cuts *cuts)
{
	const char *prev_pk = "";
	int rc;

	if ((rc = put_bytes(b, tb->name, strlen(tb->name))) < 0 || (rc = sk_buf_put_varint(b, (uint64_t)tb->ncols)) < 0)
		return rc;
	for (int c = 0; c < tb->ncols; c++)
		if ((rc = put_bytes(b, tb->cols[c], strlen(tb->cols[c]))) < 0)
			return rc;
	if ((rc = sk_buf_put_varint(b, tb->nrows)) < 0)
		return rc;
	for (size_t i = 0; i < tb->nrows; i++)
		if ((rc = sk_buf_putc(b, tb->rows[i].op | (tb->rows[i].dest ? 4 : 0))) < 0)
			return rc;
	cut(cuts, b);
	for (size_t i = 0; i < tb->nrows; i++) {
		const char *pk = tb->rows[i].pk;
		size_t n = strlen(pk), shared = 0;
		while (pk[shared] && pk[shared] == prev_pk[shared])
			shared++;
		if ((rc = sk_buf_put_varint(b, shared)) < 0 || (rc = put_bytes(b, pk + shared, n - shared)) < 0)
			return rc;
		prev_pk = pk;
	}
	cut(cuts, b);
	for (size_t i = 0; i < tb->nrows; i++) {
		uint64_t h = tb->rows[i].hlc;
		if ((rc = sk_buf_put_varint(b, zigzag((h >> 16) - (*prev_hlc >> 16)))) < 0 ||
		    (rc = sk_buf_put_varint(b, h & 0xffff)) < 0)
			return rc;
		*prev_hlc = h;
	}
	cut(cuts, b);
	for (size_t i = 0; i < tb->nrows; i++)
		if ((rc = sk_buf_put_varint(b, tb->rows[i].mask)) < 0)
			return rc;
	cut(cuts, b);
	/* column by column, so that like values sit together for deflate */
	for (int c = 0; c < tb->ncols; c++) {
		for (size_t i = 0; i < tb->nrows; i++)
			if ((tb->rows[i].mask >> c & 1) && (rc = put_value(b, &tb->rows[i].vals[c])) < 0)
				return rc;
		cut(cuts, b);
	}
	for (size_t i = 0; i < tb->nrows; i++)
		if ((rc = sk_buf_put_varint(b, strtab_index(st, row_operator(&tb->rows[i])))) < 0)
			return rc;
	for (size_t i = 0; i < tb->nrows; i++)
		if ((rc = sk_buf_put_varint(b, zigzag((uint64_t)tb->rows[i].at - (tb->rows[i].hlc >> 16)))) < 0)
			return rc;
	for (size_t i = 0; i < tb->nrows; i++)
		if (tb->rows[i].dest && (rc = sk_buf_put_varint(b, strtab_index(st, tb->rows[i].dest))) < 0)
			return rc;
	return 0;
}

static int deflate_body(struct sk_buf *out, const unsigned char *p, size_t n, const struct cuts *cuts, size_t shift)
{
	z_stream z;
	uLong bound;
	size_t at = 0, block = 0;
	int rc, zrc = Z_OK;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, CS_ZLEVEL, Z_DEFLATED, -15, 9, CS_ZSTRATEGY) != Z_OK)
		return sk_error(SK_ERROR, "cannot start zlib compression");
	/* each block ended early may cost a stored block's header on top of the bound */
	bound = deflateBound(&z, (uLong)n) + 8 * (cuts->n + 1);
	if ((rc = sk_buf_grow(out, bound)) < 0)
		goto done;
	z.next_in = (Bytef *)p;
	z.next_out = out->ptr + out->len;
	z.avail_out = (uInt)bound;
	for (size_t i = 0; i <= cuts->n && zrc == Z_OK; i++) {
		size_t end = i < cuts->n ? cuts->v[i] + shift : n;
		int flush = i == cuts->n ? Z_FINISH : Z_BLOCK;
		if (flush == Z_BLOCK && end - block < CS_BLOCK_MIN)
			continue;
		z.avail_in = (uInt)(end - at);
		zrc = deflate(&z, flush);
		at = block = end;
	}
	if (zrc != Z_STREAM_END) {
		rc = sk_error(SK_ERROR, "zlib compression failed (%d)", zrc);
		goto done;
	}
	out->len += z.total_out;
	out->ptr[out->len] = '\0';
	rc = 0;
done:
	deflateEnd(&z);
	return rc;
}

int sk_changeset_encode(struct sk_buf *out, const struct sk_changeset *cs)
{
	static const struct sk_cs_limits lim = SK_CS_LIMITS_DEFAULT;
	struct sk_buf body, strs, comp;
	struct strtab st = {NULL, 0, 0, SK_HASHTAB_INIT(64, strtab_hash, strtab_equal, NULL)};
	struct cuts cuts = {0};
	size_t start = out->len, olen, rows;
	uint64_t prev_hlc = cs->hlc_min;
	unsigned char fixed[8], sum[SK_HASH_SIZE];
	int rc;

	st.index.ctx = &st;
	sk_buf_init(&body, lim.max_uncompressed);
	sk_buf_init(&strs, lim.max_uncompressed);
	sk_buf_init(&comp, 0);
	if ((rc = check_changeset(cs)) < 0)
		goto done;
	olen = strlen(cs->origin);
	rows = sk_changeset_rows(cs);

	for (size_t t = 0; t < cs->ntables; t++)
		if ((rc = encode_table(&body, &cs->tables[t], &st, &prev_hlc, &cuts)) < 0)
			goto done;
	/* the string table goes first in the body but is known only now */
	if ((rc = sk_buf_put_varint(&strs, st.n)) < 0)
		goto done;
	for (size_t i = 0; i < st.n; i++)
		if ((rc = put_bytes(&strs, st.v[i], strlen(st.v[i]))) < 0)
			goto done;
	if ((rc = sk_buf_put(&strs, body.ptr, body.len)) < 0) {
		rc = sk_error(SK_EINVALID, "change-set body larger than the limit of %zu bytes", lim.max_uncompressed);
		goto done;
	}
	if ((rc = deflate_body(&comp, strs.ptr, strs.len, &cuts, strs.len - body.len)) < 0)
		goto done;
	if (comp.len > lim.max_compressed) {
		rc = sk_error(SK_EINVALID, "change-set of %zu compressed bytes exceeds the limit of %zu",
			      comp.len, lim.max_compressed);
		goto done;
	}

	sk_put_u64(fixed, cs->hlc_min);
	if ((rc = sk_buf_put(out, CS_MAGIC, 4)) < 0 || (rc = sk_buf_putc(out, SK_CS_VERSION)) < 0 ||
	    (rc = sk_buf_putc(out, (int)olen)) < 0 || (rc = sk_buf_put(out, cs->origin, olen)) < 0 ||
	    (rc = sk_buf_put_varint(out, cs->number)) < 0 ||
	    (rc = sk_buf_put_varint(out, cs->seq_first)) < 0 ||
	    (rc = sk_buf_put_varint(out, cs->seq_last - cs->seq_first)) < 0 ||
	    (rc = sk_buf_put(out, fixed, 8)) < 0 ||
	    (rc = sk_buf_put_varint(out, cs->hlc_max - cs->hlc_min)) < 0 ||
	    (rc = sk_buf_put_varint(out, zigzag(cs->hlc_seen - cs->hlc_max))) < 0 ||
	    (rc = sk_buf_put_varint(out, cs->flags)) < 0 ||
	    (rc = sk_buf_put(out, cs->digest, SK_HASH_SIZE)) < 0 ||
	    (rc = sk_buf_put_varint(out, cs->ntables)) < 0 || (rc = sk_buf_put_varint(out, rows)) < 0 ||
	    (rc = sk_buf_put_varint(out, strs.len)) < 0 || (rc = sk_buf_put_varint(out, comp.len)) < 0 ||
	    (rc = sk_buf_put(out, comp.ptr, comp.len)) < 0)
		goto done;
	sk_sha256(sum, out->ptr + start, out->len - start);
	rc = sk_buf_put(out, sum, CS_CHECKSUM);
done:
	if (rc < 0 && out->ptr) {
		out->len = start;
		out->ptr[start] = '\0';
	}
	strtab_release(&st);
	free(cuts.v);
	sk_buf_release(&body);
	sk_buf_release(&strs);
	sk_buf_release(&comp);
	return rc;
}

/* ---- decoding ---- */

struct reader {
	const unsigned char *p, *start, *end;
};

/* Errors inside the inflated body name the offset in the body. */
static int body_error(const struct reader *r, const char *what)
{
	return sk_error(SK_ECORRUPT, "change-set body corrupt at byte %zu: %s", (size_t)(r->p - r->start), what);
}

/* 0, 1 at the end of input, 2 past 64 bits; does not move r on failure. */
static int read_varint(struct reader *r, uint64_t *out)
{
	const unsigned char *p = r->p;
	uint64_t v = 0;
	for (unsigned shift = 0; p < r->end; shift += 7) {
		unsigned char c = *p++;
		if (shift == 63 && c > 1)
			return 2;
		v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*out = v;
			r->p = p;
			return 0;
		}
		if (shift == 63)
			return 2;
	}
	return 1;
}

static int body_varint(struct reader *r, uint64_t *out, const char *what)
{
	int e = read_varint(r, out);
	char msg[160];
	if (!e)
		return 0;
	snprintf(msg, sizeof(msg), "%s %s", what, e == 1 ? "runs past the end" : "is a varint over 64 bits");
	return body_error(r, msg);
}

/* A length-prefixed byte string of at most max bytes, pointing into the body.  Longer is
 * corrupt, or with `limit` set a limit exceeded (SK_EINVALID). */
static int body_bytes(struct reader *r, const unsigned char **p, size_t *n, size_t max, int limit,
		      const char *what)
{
	uint64_t len;
	char msg[160];
	int rc;
	if ((rc = body_varint(r, &len, what)) < 0)
		return rc;
	if (len > max) {
		if (limit)
			return sk_error(SK_EINVALID, "change-set %s of %llu bytes exceeds the limit of %zu", what,
					(unsigned long long)len, max);
		snprintf(msg, sizeof(msg), "%s of %llu bytes is longer than %zu", what, (unsigned long long)len, max);
		return body_error(r, msg);
	}
	if (len > (size_t)(r->end - r->p)) {
		snprintf(msg, sizeof(msg), "%s of %llu bytes runs past the end", what, (unsigned long long)len);
		return body_error(r, msg);
	}
	*p = r->p;
	*n = (size_t)len;
	r->p += len;
	return 0;
}

struct decoder {
	struct reader r;
	struct sk_arena *a;
	const struct sk_cs_limits *lim;
	const char **strs;
	size_t nstrs;
	size_t rows_left; /* from the header */
	size_t cells, keybytes;
	uint64_t prev_hlc;
};

static int read_value(struct decoder *d, struct sk_value *v)
{
	struct reader *r = &d->r;
	const unsigned char *p;
	uint64_t u;
	size_t n;
	int rc;

	if (r->p == r->end)
		return body_error(r, "value runs past the end");
	v->type = *r->p++;
	switch (v->type) {
	case SK_NULL:
		return 0;
	case SK_INT:
		if ((rc = body_varint(r, &u, "integer")) < 0)
			return rc;
		v->i = (int64_t)unzigzag(u);
		return 0;
	case SK_REAL:
		if (r->end - r->p < 8)
			return body_error(r, "real runs past the end");
		u = sk_get_u64(r->p);
		r->p += 8;
		memcpy(&v->r, &u, sizeof(v->r));
		if (isnan(v->r))
			v->r = NAN;
		return 0;
	case SK_TEXT:
	case SK_BLOB:
		if ((rc = body_bytes(r, &p, &n, d->lim->max_value, 1, v->type == SK_TEXT ? "text value" : "blob value")) < 0)
			return rc;
		v->p = (const unsigned char *)sk_arena_strndup(d->a, p, n);
		v->n = n;
		return 0;
	default:
		r->p--;
		return body_error(r, "unknown value type");
	}
}

static int read_table(struct decoder *d, struct sk_changeset *cs, size_t t)
{
	struct reader *r = &d->r;
	struct sk_cs_table *tb = &cs->tables[t];
	struct sk_value *nulls = NULL;
	const unsigned char *p;
	const char *prev_pk = "";
	size_t n, prev_n = 0;
	uint64_t u;
	int rc;

	if ((rc = body_bytes(r, &p, &n, CS_MAX_NAME, 0, "table name")) < 0)
		return rc;
	if (!valid_name(p, n))
		return body_error(r, "table name is not a valid name");
	tb->name = sk_arena_strndup(d->a, p, n);
	for (size_t i = 0; i < t; i++)
		if (!strcmp(cs->tables[i].name, tb->name))
			return body_error(r, "table name appears twice");
	if ((rc = body_varint(r, &u, "column count")) < 0)
		return rc;
	if (u > CS_MAX_COLS)
		return body_error(r, "more than 64 columns");
	tb->ncols = (int)u;
	tb->cols = sk_arena_alloc(d->a, (size_t)tb->ncols * sizeof(*tb->cols));
	for (int c = 0; c < tb->ncols; c++) {
		if ((rc = body_bytes(r, &p, &n, CS_MAX_NAME, 0, "column name")) < 0)
			return rc;
		if (!valid_name(p, n))
			return body_error(r, "column name is not a valid name");
		tb->cols[c] = sk_arena_strndup(d->a, p, n);
		for (int e = 0; e < c; e++)
			if (!strcmp(tb->cols[e], tb->cols[c]))
				return body_error(r, "column name appears twice in a table");
	}

	if ((rc = body_varint(r, &u, "row count")) < 0)
		return rc;
	if (u > d->rows_left)
		return body_error(r, "more rows than the header declares");
	if (u > (uint64_t)(r->end - r->p) / CS_MIN_ROW)
		return body_error(r, "more rows than the body can hold");
	tb->nrows = (size_t)u;
	d->rows_left -= tb->nrows;
	tb->rows = sk_arena_zalloc(d->a, tb->nrows * sizeof(*tb->rows));

	for (size_t i = 0; i < tb->nrows; i++) {
		if (r->p == r->end)
			return body_error(r, "row ops run past the end");
		if ((*r->p & 3) != SK_OP_UPSERT && (*r->p & 3) != SK_OP_DELETE)
			return body_error(r, "unknown row op");
		if (*r->p & ~7)
			return body_error(r, "unknown row flags");
		tb->rows[i].op = *r->p & 3;
		tb->rows[i].dest = (*r->p & 4) ? "" : NULL; /* filled in below */
		r->p++;
	}
	for (size_t i = 0; i < tb->nrows; i++) {
		char *pk;
		if ((rc = body_varint(r, &u, "key prefix")) < 0)
			return rc;
		if (u > prev_n)
			return body_error(r, "key prefix longer than the previous key");
		if ((rc = body_bytes(r, &p, &n, CS_MAX_PK - (size_t)u, 0, "key")) < 0)
			return rc;
		if (u + n == 0)
			return body_error(r, "empty key");
		d->keybytes += (size_t)u + n;
		if (d->keybytes > d->lim->max_uncompressed)
			return sk_error(SK_EINVALID, "change-set keys take more than %zu bytes", d->lim->max_uncompressed);
		pk = sk_arena_alloc(d->a, (size_t)u + n + 1);
		memcpy(pk, prev_pk, (size_t)u);
		memcpy(pk + u, p, n);
		pk[u + n] = '\0';
		if (!sk_utf8_valid((const unsigned char *)pk, (size_t)u + n, 0))
			return body_error(r, "key is not UTF-8 text without control characters");
		tb->rows[i].pk = prev_pk = pk;
		prev_n = (size_t)u + n;
	}
	for (size_t i = 0; i < tb->nrows; i++) {
		uint64_t ms, counter;
		if ((rc = body_varint(r, &u, "clock")) < 0 || (rc = body_varint(r, &counter, "clock counter")) < 0)
			return rc;
		ms = (d->prev_hlc >> 16) + unzigzag(u);
		if (ms >> 48 || counter > 0xffff)
			return body_error(r, "clock out of range");
		d->prev_hlc = tb->rows[i].hlc = ms << 16 | counter;
	}
	for (size_t i = 0; i < tb->nrows; i++) {
		struct sk_cs_row *row = &tb->rows[i];
		if ((rc = body_varint(r, &row->mask, "column mask")) < 0)
			return rc;
		if (row->mask & ~col_mask(tb->ncols))
			return body_error(r, "column mask names columns the table does not have");
		if (!row->mask) {
			/* rows that carry nothing (deletes) share one array, so they cost no memory */
			if (!nulls)
				nulls = sk_arena_zalloc(d->a, (size_t)tb->ncols * sizeof(*nulls));
			row->vals = nulls;
			continue;
		}
		d->cells += (size_t)tb->ncols;
		if (d->cells > CS_MAX_CELLS(d->lim))
			return sk_error(SK_EINVALID, "change-set carries more than %zu row values",
					CS_MAX_CELLS(d->lim));
		row->vals = sk_arena_zalloc(d->a, (size_t)tb->ncols * sizeof(*row->vals));
	}
	for (int c = 0; c < tb->ncols; c++)
		for (size_t i = 0; i < tb->nrows; i++)
			if ((tb->rows[i].mask >> c & 1) && (rc = read_value(d, &tb->rows[i].vals[c])) < 0)
				return rc;
	for (size_t i = 0; i < tb->nrows; i++) {
		if ((rc = body_varint(r, &u, "operator")) < 0)
			return rc;
		if (u >= d->nstrs)
			return body_error(r, "operator is not in the string table");
		tb->rows[i].operator_name = d->strs[u];
	}
	for (size_t i = 0; i < tb->nrows; i++) {
		if ((rc = body_varint(r, &u, "edit time")) < 0)
			return rc;
		tb->rows[i].at = (int64_t)((tb->rows[i].hlc >> 16) + unzigzag(u));
	}
	for (size_t i = 0; i < tb->nrows; i++) {
		if (!tb->rows[i].dest)
			continue;
		if ((rc = body_varint(r, &u, "destination")) < 0)
			return rc;
		if (u >= d->nstrs)
			return body_error(r, "destination is not in the string table");
		if (!valid_region((const unsigned char *)d->strs[u], strlen(d->strs[u])))
			return body_error(r, "destination is not a region code");
		tb->rows[i].dest = d->strs[u];
	}
	return 0;
}

static int read_body(struct decoder *d, struct sk_changeset *cs)
{
	struct reader *r = &d->r;
	uint64_t u;
	int rc;

	if ((rc = body_varint(r, &u, "string count")) < 0)
		return rc;
	/* an encoder writes only the strings rows use: an operator each and perhaps a destination */
	if (u > (uint64_t)(r->end - r->p) || u > 2 * (uint64_t)d->rows_left)
		return body_error(r, "more strings than the rows can use");
	d->nstrs = (size_t)u;
	d->strs = sk_arena_alloc(d->a, d->nstrs * sizeof(*d->strs));
	for (size_t i = 0; i < d->nstrs; i++) {
		const unsigned char *p;
		size_t n;
		if ((rc = body_bytes(r, &p, &n, CS_MAX_STR, 0, "string")) < 0)
			return rc;
		if (!sk_utf8_valid(p, n, 0))
			return body_error(r, "string is not UTF-8 text without control characters");
		d->strs[i] = sk_arena_strndup(d->a, p, n);
	}
	for (size_t t = 0; t < cs->ntables; t++)
		if ((rc = read_table(d, cs, t)) < 0)
			return rc;
	if (d->rows_left)
		return body_error(r, "fewer rows than the header declares");
	if (r->p != r->end)
		return body_error(r, "bytes after the last table");
	return 0;
}

/* Inflates exactly ulen bytes from exactly clen; the output buffer grows with what really comes
 * out, so a header that claims a large body costs nothing until the stream delivers it. */
static int inflate_body(unsigned char **out, const unsigned char *p, size_t clen, size_t ulen)
{
	z_stream z;
	unsigned char *buf = NULL;
	size_t alloc = ulen < 65536 + 4 * clen ? ulen : 65536 + 4 * clen;
	int rc, zrc;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, -15) != Z_OK)
		return sk_error(SK_ERROR, "cannot start zlib decompression");
	buf = sk_malloc(alloc + 1);
	z.next_in = (Bytef *)p;
	z.avail_in = (uInt)clen;
	for (;;) {
		z.next_out = buf + z.total_out;
		z.avail_out = (uInt)(alloc + 1 - z.total_out);
		zrc = inflate(&z, Z_FINISH);
		if (z.total_out > ulen) {
			rc = sk_error(SK_ECORRUPT, "change-set body inflates past its declared %zu bytes", ulen);
			goto done;
		}
		if (zrc == Z_STREAM_END)
			break;
		if (zrc == Z_BUF_ERROR && z.avail_out == 0 && alloc < ulen) {
			alloc = alloc * 2 < ulen ? alloc * 2 : ulen;
			buf = sk_realloc(buf, alloc + 1);
			continue;
		}
		rc = sk_error(SK_ECORRUPT, "change-set body does not decompress: %s",
			      zrc == Z_BUF_ERROR ? "stream ends early" : z.msg ? z.msg : "bad data");
		goto done;
	}
	if (z.total_out != ulen) {
		rc = sk_error(SK_ECORRUPT, "change-set body inflates to %lu bytes, not its declared %zu",
			      z.total_out, ulen);
		goto done;
	}
	if (z.avail_in) {
		rc = sk_error(SK_ECORRUPT, "change-set body has %u bytes after its compressed stream", z.avail_in);
		goto done;
	}
	*out = buf;
	buf = NULL;
	rc = 0;
done:
	inflateEnd(&z);
	free(buf);
	return rc;
}

static int header_varint(struct reader *r, uint64_t *out, size_t len)
{
	int e = read_varint(r, out);
	if (e == 1)
		return sk_error(SK_ECORRUPT, "change-set truncated at byte %zu (in its header)", len);
	if (e == 2)
		return sk_error(SK_ECORRUPT, "change-set header corrupt at byte %zu: varint over 64 bits",
				(size_t)(r->p - r->start));
	return 0;
}

static void arena_free(struct sk_arena *a)
{
	if (a) {
		sk_arena_release(a);
		free(a);
	}
}

int sk_changeset_peek(struct sk_cs_header *out, const void *data, size_t len, const struct sk_cs_limits *lim)
{
	static const struct sk_cs_limits defaults = SK_CS_LIMITS_DEFAULT;
	struct reader r = {data, data, (const unsigned char *)data + len};
	unsigned char sum[SK_HASH_SIZE];
	uint64_t seq_span, hlc_span, seen, flags;
	size_t olen, total;
	const unsigned char *origin;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!lim)
		lim = &defaults;
	if (len < 4 && (len == 0 || !memcmp(data, CS_MAGIC, len)))
		return sk_error(SK_ECORRUPT, "change-set truncated at byte %zu (in its header)", len);
	if (len < 4 || memcmp(data, CS_MAGIC, 4))
		return sk_error(SK_ECORRUPT, "not a sinkron change-set (bad magic)");
	r.p += 4;
	if (r.p == r.end)
		return sk_error(SK_ECORRUPT, "change-set truncated at byte %zu (in its header)", len);
	if (*r.p != SK_CS_VERSION)
		return sk_error(SK_EINVALID, "change-set version %u not supported (this sinkron reads %d)", *r.p, SK_CS_VERSION);
	r.p++;
	if (r.p == r.end)
		return sk_error(SK_ECORRUPT, "change-set truncated at byte %zu (in its header)", len);
	olen = *r.p++;
	if ((size_t)(r.end - r.p) < olen)
		return sk_error(SK_ECORRUPT, "change-set truncated at byte %zu (in its header)", len);
	origin = r.p;
	r.p += olen;
	if (!valid_region(origin, olen))
		return sk_error(SK_ECORRUPT, "change-set origin is not a region code");
	memcpy(out->origin, origin, olen);
	if ((rc = header_varint(&r, &out->number, len)) < 0 || (rc = header_varint(&r, &out->seq_first, len)) < 0 ||
	    (rc = header_varint(&r, &seq_span, len)) < 0)
		return rc;
	if (r.end - r.p < 8)
		return sk_error(SK_ECORRUPT, "change-set truncated at byte %zu (in its header)", len);
	out->hlc_min = sk_get_u64(r.p);
	r.p += 8;
	if ((rc = header_varint(&r, &hlc_span, len)) < 0 || (rc = header_varint(&r, &seen, len)) < 0 ||
	    (rc = header_varint(&r, &flags, len)) < 0)
		return rc;
	if (flags > UINT32_MAX)
		return sk_error(SK_ECORRUPT, "change-set header corrupt: flags out of range");
	if (r.end - r.p < SK_HASH_SIZE)
		return sk_error(SK_ECORRUPT, "change-set truncated at byte %zu (in its header)", len);
	memcpy(out->digest, r.p, SK_HASH_SIZE);
	r.p += SK_HASH_SIZE;
	if ((rc = header_varint(&r, &out->ntables, len)) < 0 || (rc = header_varint(&r, &out->nrows, len)) < 0 ||
	    (rc = header_varint(&r, &out->ulen, len)) < 0 || (rc = header_varint(&r, &out->clen, len)) < 0)
		return rc;
	out->seq_last = out->seq_first + seq_span;
	out->hlc_max = out->hlc_min + hlc_span;
	out->hlc_seen = out->hlc_max + unzigzag(seen);
	out->flags = (uint32_t)flags;
	out->len = (size_t)(r.p - r.start);

	if (out->ntables > CS_MAX_TABLES)
		return sk_error(SK_EINVALID, "change-set has %llu tables, more than the limit of %d",
				(unsigned long long)out->ntables, CS_MAX_TABLES);
	if (out->nrows > lim->max_rows)
		return sk_error(SK_EINVALID, "change-set has %llu rows, more than the limit of %zu",
				(unsigned long long)out->nrows, lim->max_rows);
	if (out->ulen > lim->max_uncompressed)
		return sk_error(SK_EINVALID, "change-set body of %llu bytes exceeds the limit of %zu",
				(unsigned long long)out->ulen, lim->max_uncompressed);
	if (out->clen > lim->max_compressed)
		return sk_error(SK_EINVALID, "change-set of %llu compressed bytes exceeds the limit of %zu",
				(unsigned long long)out->clen, lim->max_compressed);
	total = out->len + (size_t)out->clen + CS_CHECKSUM;
	if (len < total)
		return sk_error(SK_ECORRUPT, "change-set truncated at byte %zu of %zu", len, total);
	if (len > total)
		return sk_error(SK_ECORRUPT, "change-set has %zu bytes after its end at byte %zu", len - total, total);
	sk_sha256(sum, data, total - CS_CHECKSUM);
	if (memcmp(sum, (const unsigned char *)data + total - CS_CHECKSUM, CS_CHECKSUM))
		return sk_error(SK_ECORRUPT, "change-set checksum mismatch");
	return 0;
}

int sk_changeset_decode(struct sk_changeset **out, const void *data, size_t len,
			const struct sk_cs_limits *lim)
{
	static const struct sk_cs_limits defaults = SK_CS_LIMITS_DEFAULT;
	struct sk_cs_header h;
	struct decoder d;
	struct sk_changeset *cs = NULL;
	struct sk_arena *a = NULL;
	unsigned char *body = NULL;
	int rc;

	if (!lim)
		lim = &defaults;
	if ((rc = sk_changeset_peek(&h, data, len, lim)) < 0)
		goto done;
	if ((rc = inflate_body(&body, (const unsigned char *)data + h.len, (size_t)h.clen, (size_t)h.ulen)) < 0)
		goto done;

	a = sk_calloc(1, sizeof(*a));
	a->chunk_size = CS_ARENA_CHUNK;
	cs = sk_arena_zalloc(a, sizeof(*cs));
	cs->arena = a;
	cs->version = SK_CS_VERSION;
	memcpy(cs->origin, h.origin, sizeof(h.origin));
	cs->number = h.number;
	cs->seq_first = h.seq_first;
	cs->seq_last = h.seq_last;
	cs->hlc_min = h.hlc_min;
	cs->hlc_max = h.hlc_max;
	cs->hlc_seen = h.hlc_seen;
	cs->flags = h.flags;
	memcpy(cs->digest, h.digest, SK_HASH_SIZE);
	cs->ntables = (size_t)h.ntables;
	cs->tables = sk_arena_zalloc(a, cs->ntables * sizeof(*cs->tables));

	memset(&d, 0, sizeof(d));
	d.r.p = d.r.start = body;
	d.r.end = body + h.ulen;
	d.a = a;
	d.lim = lim;
	d.rows_left = (size_t)h.nrows;
	d.prev_hlc = h.hlc_min;
	if ((rc = read_body(&d, cs)) < 0)
		goto done;
	*out = cs;
	cs = NULL;
	a = NULL;
	rc = 0;
done:
	free(body);
	arena_free(a);
	return rc;
}

void sk_changeset_free(struct sk_changeset *cs)
{
	if (cs)
		arena_free(cs->arena);
}

size_t sk_changeset_rows(const struct sk_changeset *cs)
{
	size_t n = 0;
	for (size_t t = 0; t < cs->ntables; t++)
		n += cs->tables[t].nrows;
	return n;
}

void sk_hlc_format(char *out, size_t n, uint64_t hlc)
{
	int64_t ms = SK_HLC_MS(hlc);
	time_t secs = (time_t)(ms / 1000);
	struct tm tm;
	if (!n)
		return;
	if (!gmtime_r(&secs, &tm)) {
		snprintf(out, n, "%lld+%u", (long long)ms, (unsigned)(hlc & 0xffff));
		return;
	}
	snprintf(out, n, "%04d-%02d-%02d %02d:%02d:%02d.%03d+%u", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms % 1000), (unsigned)(hlc & 0xffff));
}

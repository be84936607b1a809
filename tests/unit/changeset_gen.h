/*
 * changeset_gen.h: what test_changeset's cases build on: a seeded generator of random change-sets
 * with their comparison and round trip, and change-set frames written by hand from FORMAT.md.
 * Static, like testhelp.h: one test program includes it.
 */
#ifndef SK_CHANGESET_GEN_H
#define SK_CHANGESET_GEN_H

#include <stdint.h>
#include <zlib.h>

#include "sync.h"
#include "common.h"
#include "testhelp.h"

/* ---- helpers ---- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* splitmix64: small, seedable, good enough to pick test data */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t seed_from_env(uint64_t dflt)
{
	const char *s = getenv("SK_SEED");
	return s && *s ? strtoull(s, NULL, 0) : dflt;
}

static void hexof(char *out, const void *p, size_t n)
{
	sk_hex(out, p, n);
}

static int sha_is(const void *data, size_t n, const char *want)
{
	unsigned char h[32];
	char hex[65];
	sk_sha256(h, data, n);
	hexof(hex, h, 32);
	return !strcmp(hex, want);
}

static int value_eq(const struct sk_value *a, const struct sk_value *b)
{
	if (a->type != b->type)
		return 0;
	switch (a->type) {
	case SK_INT:
		return a->i == b->i;
	case SK_REAL:
		if (isnan(a->r) || isnan(b->r))
			return isnan(a->r) && isnan(b->r);
		return !memcmp(&a->r, &b->r, sizeof(double));
	case SK_TEXT:
	case SK_BLOB:
		return a->n == b->n && (!a->n || !memcmp(a->p, b->p, a->n));
	default:
		return 1;
	}
}

static int str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return !strcmp(a, b);
}

/* Deep equality of what a change-set means (NULL operator reads back as ""). */
static int cs_eq(const struct sk_changeset *a, const struct sk_changeset *b)
{
	if (strcmp(a->origin, b->origin) || a->number != b->number || a->seq_first != b->seq_first ||
	    a->seq_last != b->seq_last || a->hlc_min != b->hlc_min || a->hlc_max != b->hlc_max ||
	    a->hlc_seen != b->hlc_seen || a->flags != b->flags || memcmp(a->digest, b->digest, 32) ||
	    a->ntables != b->ntables)
		return 0;
	for (size_t t = 0; t < a->ntables; t++) {
		const struct sk_cs_table *x = &a->tables[t], *y = &b->tables[t];
		if (strcmp(x->name, y->name) || x->ncols != y->ncols || x->nrows != y->nrows)
			return 0;
		for (int c = 0; c < x->ncols; c++)
			if (strcmp(x->cols[c], y->cols[c]))
				return 0;
		for (size_t i = 0; i < x->nrows; i++) {
			const struct sk_cs_row *r = &x->rows[i], *s = &y->rows[i];
			if (r->op != s->op || strcmp(r->pk, s->pk) || r->hlc != s->hlc || r->mask != s->mask ||
			    strcmp(r->operator_name ? r->operator_name : "", s->operator_name ? s->operator_name : "") ||
			    r->at != s->at || !str_eq(r->dest, s->dest))
				return 0;
			for (int c = 0; c < x->ncols; c++)
				if ((r->mask >> c & 1) && !value_eq(&r->vals[c], &s->vals[c]))
					return 0;
		}
	}
	return 1;
}

/* A change-set built in the test, owning its memory through one list of allocations. */
struct owned {
	struct sk_changeset cs;
	void *allocs[4096];
	size_t nallocs;
};

static void *own(struct owned *o, size_t n)
{
	void *p = sk_calloc(1, n);
	if (o->nallocs < SK_ARRAY_SIZE(o->allocs))
		o->allocs[o->nallocs++] = p;
	else
		abort();
	return p;
}

static char *own_str(struct owned *o, const char *s)
{
	char *p = own(o, strlen(s) + 1);
	memcpy(p, s, strlen(s));
	return p;
}

static void owned_free(struct owned *o)
{
	for (size_t i = 0; i < o->nallocs; i++)
		free(o->allocs[i]);
	free(o);
}

static struct owned *owned_new(const char *origin)
{
	struct owned *o = sk_calloc(1, sizeof(*o));
	snprintf(o->cs.origin, sizeof(o->cs.origin), "%s", origin);
	o->cs.version = SK_CS_VERSION;
	return o;
}

static void random_value(struct owned *o, struct sk_value *v)
{
	static const double reals[] = {0.0, -0.0, 1.5, -2.25e300, 1e-310, INFINITY, -INFINITY};
	size_t n;
	unsigned char *p;
	memset(v, 0, sizeof(*v));
	v->type = (int)(rnd() % 5);
	switch (v->type) {
	case SK_INT:
		switch (rnd() % 4) {
		case 0: v->i = INT64_MIN; break;
		case 1: v->i = INT64_MAX; break;
		case 2: v->i = -(int64_t)(rnd() % 1000); break;
		default: v->i = (int64_t)(rnd() % 100000000); break;
		}
		break;
	case SK_REAL:
		v->r = rnd() % 4 == 0 ? NAN : reals[rnd() % SK_ARRAY_SIZE(reals)];
		break;
	case SK_TEXT:
	case SK_BLOB:
		n = rnd() % 4 == 0 ? 0 : (size_t)(rnd() % 40);
		p = own(o, n + 1);
		for (size_t i = 0; i < n; i++)
			p[i] = v->type == SK_TEXT ? (unsigned char)('a' + rnd() % 26) : (unsigned char)(rnd() % 4 ? 0 : rnd());
		v->p = p;
		v->n = n;
		break;
	}
}

static int cmp_pk(const void *a, const void *b)
{
	return strcmp(((const struct sk_cs_row *)a)->pk, ((const struct sk_cs_row *)b)->pk);
}

/* A random change-set of the given shape; rows sorted by key like a sealer would. */
static struct owned *random_cs(size_t ntables, int maxcols, size_t maxrows)
{
	static const char *ops[] = {"budi", "siti.rahayu", "admin", "", "yohanes"};
	static const char *dests[] = {"96.71.01", "96.71.02", "96.71.10"};
	struct owned *o = owned_new(rnd() % 2 ? "96.71.01" : "96.71");
	struct sk_changeset *cs = &o->cs;
	uint64_t base = SK_HLC_MAKE(1719800000000ull + rnd() % 100000000, 0);
	char buf[64];

	cs->number = 1 + rnd() % 500;
	cs->seq_first = rnd() % 10000;
	cs->seq_last = cs->seq_first + rnd() % 300;
	cs->hlc_min = cs->hlc_max = base;
	cs->flags = (uint32_t)(rnd() % 4);
	for (int i = 0; i < 32; i++)
		cs->digest[i] = (unsigned char)rnd();
	cs->ntables = ntables;
	cs->tables = own(o, ntables * sizeof(*cs->tables) + 1);
	for (size_t t = 0; t < ntables; t++) {
		struct sk_cs_table *tb = &cs->tables[t];
		snprintf(buf, sizeof(buf), "t%02zu_%s", t, rnd() % 2 ? "worker" : "enrolment");
		tb->name = own_str(o, buf);
		tb->ncols = (int)(rnd() % (uint64_t)(maxcols + 1));
		tb->cols = own(o, (size_t)tb->ncols * sizeof(char *) + 1);
		for (int c = 0; c < tb->ncols; c++) {
			snprintf(buf, sizeof(buf), "col_%d", c);
			tb->cols[c] = own_str(o, buf);
		}
		tb->nrows = maxrows ? (size_t)(rnd() % (maxrows + 1)) : 0;
		tb->rows = own(o, tb->nrows * sizeof(*tb->rows) + 1);
		for (size_t i = 0; i < tb->nrows; i++) {
			struct sk_cs_row *r = &tb->rows[i];
			snprintf(buf, sizeof(buf), "967101-%012llx-%08x", (unsigned long long)(0x0190d3a1f2c4ull + rnd() % 100000),
				 (unsigned)rnd());
			r->pk = own_str(o, buf);
			r->op = rnd() % 5 ? SK_OP_UPSERT : SK_OP_DELETE;
			r->hlc = base + rnd() % (1ull << 30);
			if (r->hlc > cs->hlc_max)
				cs->hlc_max = r->hlc;
			r->vals = own(o, (size_t)tb->ncols * sizeof(*r->vals) + 1);
			for (int c = 0; c < tb->ncols; c++) {
				if (r->op == SK_OP_UPSERT && rnd() % 3) {
					r->mask |= (uint64_t)1 << c;
					random_value(o, &r->vals[c]);
				}
			}
			r->operator_name = rnd() % 10 ? ops[rnd() % SK_ARRAY_SIZE(ops)] : NULL;
			r->at = SK_HLC_MS(r->hlc) - (int64_t)(rnd() % 3);
			r->dest = cs->origin[5] == 0 && rnd() % 2 ? dests[rnd() % SK_ARRAY_SIZE(dests)] : NULL;
		}
		qsort(tb->rows, tb->nrows, sizeof(*tb->rows), cmp_pk);
	}
	cs->hlc_seen = cs->hlc_max - rnd() % 1000;
	return o;
}

/* Encodes, decodes, checks meaning and bytes survive; returns the encoded length. */
static size_t round_trip(const struct sk_changeset *cs)
{
	struct sk_buf a = SK_BUF_INIT, b = SK_BUF_INIT;
	struct sk_changeset *d = NULL;
	size_t n = 0;
	int rc = sk_changeset_encode(&a, cs);
	CHECK_MSG(rc == 0, "encode: %s", sk_error_last());
	if (rc)
		goto done;
	rc = sk_changeset_decode(&d, a.ptr, a.len, NULL);
	CHECK_MSG(rc == 0, "decode: %s", sk_error_last());
	if (rc)
		goto done;
	CHECK(cs_eq(cs, d));
	CHECK(sk_changeset_rows(cs) == sk_changeset_rows(d));
	CHECK(sk_changeset_encode(&b, d) == 0);
	CHECK(a.len == b.len && !memcmp(a.ptr, b.ptr, a.len));
	n = a.len;
done:
	sk_changeset_free(d);
	sk_buf_release(&a);
	sk_buf_release(&b);
	return n;
}

/* ---- hand-made frames, written from FORMAT.md ---- */

/* The header with the given counts and lengths around body compressed at `level` (0: stored
 * deflate blocks), then the checksum.  ulen_claim (when not -1) replaces the true length. */
static void frame(struct sk_buf *out, uint64_t ntables, uint64_t nrows, const void *body, size_t blen,
		  int64_t ulen_claim, int level)
{
	unsigned char comp[1 << 16], sum[32], fixed[8] = {0};
	z_stream z;
	size_t start = out->len;
	memset(&z, 0, sizeof(z));
	deflateInit2(&z, level, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY);
	z.next_in = (Bytef *)body;
	z.avail_in = (uInt)blen;
	z.next_out = comp;
	z.avail_out = sizeof(comp);
	if (deflate(&z, Z_FINISH) != Z_STREAM_END)
		abort();
	sk_buf_put(out, "SKCS\x01\x08" "96.71.01", 14);
	sk_buf_put_varint(out, 7);  /* number */
	sk_buf_put_varint(out, 70); /* seq_first */
	sk_buf_put_varint(out, 2);  /* seq_last - seq_first */
	sk_put_u64(fixed, SK_HLC_MAKE(1719800000000ull, 0));
	sk_buf_put(out, fixed, 8);
	sk_buf_put_varint(out, 0); /* hlc_max - hlc_min */
	sk_buf_put_varint(out, 0); /* zigzag(hlc_seen - hlc_max) */
	sk_buf_put_varint(out, 0); /* flags */
	sk_buf_put(out, "0123456789abcdef0123456789abcdef", 32);
	sk_buf_put_varint(out, ntables);
	sk_buf_put_varint(out, nrows);
	sk_buf_put_varint(out, ulen_claim >= 0 ? (uint64_t)ulen_claim : blen);
	sk_buf_put_varint(out, z.total_out);
	sk_buf_put(out, comp, z.total_out);
	deflateEnd(&z);
	sk_sha256(sum, out->ptr + start, out->len - start);
	sk_buf_put(out, sum, 16);
}

static void put_str(struct sk_buf *b, const char *s)
{
	sk_buf_put_varint(b, strlen(s));
	sk_buf_puts(b, s);
}

/* A body of one table `t` with columns (c, d) and one row; each field can be spoiled. */
struct body_opts {
	const char *table2;  /* a second table (with no columns and rows) */
	uint64_t ncols;      /* 2 unless set */
	int rowflags;        /* 1 unless set */
	const char *pk;      /* "k1" unless set */
	uint64_t mask;       /* 1 unless set */
	int vtype;           /* 3 unless set */
	uint64_t vlen;       /* real length unless set */
	int long_varint;     /* the clock as an 11-byte varint */
	uint64_t op_index;
};

static void make_body(struct sk_buf *b, const struct body_opts *o)
{
	uint64_t ncols = o->ncols ? o->ncols : 2;
	const char *pk = o->pk ? o->pk : "k1";
	const char *val = "+62 812-3456-7890";
	sk_buf_put_varint(b, 1);
	put_str(b, "budi");
	put_str(b, "t");
	sk_buf_put_varint(b, ncols);
	for (uint64_t c = 0; c < ncols; c++) {
		char name[16];
		snprintf(name, sizeof(name), "c%u", (unsigned)c);
		put_str(b, name);
	}
	sk_buf_put_varint(b, 1);
	sk_buf_putc(b, o->rowflags ? o->rowflags : 1);
	sk_buf_put_varint(b, 0);
	put_str(b, pk);
	if (o->long_varint)
		sk_buf_put(b, "\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01", 11);
	else
		sk_buf_put_varint(b, 0);
	sk_buf_put_varint(b, 0);
	sk_buf_put_varint(b, o->mask ? o->mask : 1);
	sk_buf_putc(b, o->vtype ? o->vtype : 3);
	sk_buf_put_varint(b, o->vlen ? o->vlen : strlen(val));
	sk_buf_puts(b, val);
	sk_buf_put_varint(b, o->op_index);
	sk_buf_put_varint(b, 0);
	if (o->table2) {
		put_str(b, o->table2);
		sk_buf_put_varint(b, 0);
		sk_buf_put_varint(b, 0);
	}
}

static int decode_frame(const struct body_opts *o, const struct sk_cs_limits *lim)
{
	struct sk_buf body = SK_BUF_INIT, f = SK_BUF_INIT;
	struct sk_changeset *cs = NULL;
	int rc;
	make_body(&body, o);
	frame(&f, o->table2 ? 2 : 1, 1, body.ptr, body.len, -1, 9);
	rc = sk_changeset_decode(&cs, f.ptr, f.len, lim);
	sk_changeset_free(cs);
	sk_buf_release(&body);
	sk_buf_release(&f);
	return rc;
}

#endif

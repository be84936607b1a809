/*
 * seal.c: turns the outbox into change-sets.  Outbox entries are folded per row (a row changed
 * five times since the last seal travels once, with the columns that changed), stamped with
 * the clock, and cut into change-sets of bounded size; each one is handed to the sink (the
 * local git repository) inside the caller's transaction, which also records it, updates the
 * per-row bookkeeping and the digest, and empties the outbox.  The outbox is read as it is
 * sealed, and a row leaves memory once its change-set is written: memory does not grow with the
 * backlog.
 */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "capture.h"
#include "engine.h"
#include "hlc.h"
#include "owners.h"
#include "row.h"

/* One row's pending change, folded from its outbox entries. */
struct entry {
	int tbl;
	char *pk;
	uint64_t mask;
	int inserted;
	int64_t at;
	char *operator_name;
	uint64_t seq_min, seq_max;
	unsigned char *old; /* _sk of the row as last replicated, from a delete entry */
	size_t old_len;
	int has_old;
	const char *before;  /* the row's values before its first update since the last seal,
				  as SQL literals (quote()), or NULL */
};

/* A row change ready to encode, with what it does to the digest. */
struct prepared {
	int tbl;
	struct sk_cs_row row;
	int has_old, has_new, added;
	unsigned char old_hash[SK_HASH_SIZE], new_hash[SK_HASH_SIZE];
	size_t raw;
	uint64_t seq_min, seq_max;
	void *mem;              /* what row points to, in one block freed once it is written */
};

/* The operator name as a change-set can carry it (sync/FORMAT.md: 0-255 bytes of UTF-8 text
 * without control characters): a name set with --operator, $SINKRON_OPERATOR or by hand in
 * sk_ctx is stored as given, so it is cleaned here rather than refused at a seal, which would
 * stop the office's branch for good.  Control characters become spaces, bytes that are not
 * UTF-8 '?', and a longer name is cut at a character boundary. */
static char *operator_clean(struct sk_arena *a, const char *name)
{
	size_t n = strlen(name), i = 0, o = 0;
	char *out;
	if (n <= 255 && sk_utf8_valid((const unsigned char *)name, n, 0))
		return (char *)name;
	out = sk_arena_alloc(a, 256);
	while (i < n) {
		unsigned char c = (unsigned char)name[i];
		size_t k = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
		if (k > n - i || (c >= 0x80 && !sk_utf8_valid((const unsigned char *)name + i, k, 1)))
			k = 0; /* not a character: one byte replaced */
		if (o + (k ? k : 1) > 255)
			break;
		if (!k) {
			out[o++] = '?';
			i++;
		} else if (k == 1 && (c < 0x20 || c == 0x7f)) {
			out[o++] = ' ';
			i++;
		} else {
			memcpy(out + o, name + i, k);
			o += k;
			i += k;
		}
	}
	out[o] = '\0';
	return out;
}

/* ---- folding the outbox ---- */

/* The outbox read one row at a time, its entries grouped per row in the order each row first
 * appears (the order a change-set's seq range follows), so that a row's folded change is whole
 * when it is read and memory does not grow with the backlog: SQLite sorts on disk.
 * The outbox's seq restarts at 1 once a seal empties it (no AUTOINCREMENT, which costs a
 * write of sqlite_sequence per captured row): the seq a change-set carries is the outbox's
 * plus seq_base in sk_state, the last one sealed, so it keeps growing from seal to seal. */
struct outbox {
	sqlite3_stmt *st;
	int row;                /* the last sqlite3_step's result: SQLITE_ROW, st stands on a row not folded */
	uint64_t base;
	uint64_t seq_max;       /* the largest seq (plus base) of a synced row */
	int64_t last;           /* the largest outbox seq read */
};

/* SQLite gives a sort as much memory as the page cache may hold (cache_size, 32 MiB): the
 * outbox is sorted with a small cache instead, and spills to disk early.  *saved: the cache
 * size to set back with cache_restore, 0 when it was small already. */
#define SORT_CACHE_KIB 1024 /* as set below */

static int cache_lower(struct sk_db *db, int64_t *saved)
{
	sqlite3_stmt *st;
	int64_t cache = 0;
	int rc;
	*saved = 0;
	if ((rc = sk_db_prepare(db, &st, "PRAGMA cache_size")) < 0)
		return rc;
	if (sqlite3_step(st) == SQLITE_ROW)
		cache = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (!cache || (cache < 0 ? -cache : cache * 4) <= SORT_CACHE_KIB)
		return 0;
	if ((rc = sk_db_exec(db, "PRAGMA cache_size = -1024")) < 0)
		return rc;
	*saved = cache;
	return 0;
}

static int cache_restore(struct sk_db *db, int64_t *saved)
{
	char set[64];
	if (!*saved)
		return 0;
	snprintf(set, sizeof(set), "PRAGMA cache_size = %lld", (long long)*saved);
	*saved = 0;
	return sk_db_exec(db, set);
}

/* Opens the outbox: its first step sorts it. */
static int outbox_open(struct sk_db *db, struct outbox *o)
{
	int rc;
	memset(o, 0, sizeof(*o));
	o->base = (uint64_t)sk_state_int(db, "seq_base", 0);
	if ((rc = sk_db_prepare(db, &o->st, "SELECT seq, tbl, pk, op, cols, at, operator, old, "
				"min(seq) OVER (PARTITION BY tbl, CAST(pk AS TEXT)) AS first "
				"FROM sk_outbox ORDER BY first, seq")) < 0)
		return rc;
	o->row = sqlite3_step(o->st);
	return 0;
}

static void outbox_close(struct outbox *o)
{
	sqlite3_finalize(o->st);
	o->st = NULL;
}

/* How many rows the outbox holds changes of (those of synced tables). */
static int outbox_count(struct sk_db *db, size_t *n)
{
	sqlite3_stmt *st;
	int rc;
	*n = 0;
	if ((rc = sk_db_prepare(db, &st, "SELECT tbl, count(DISTINCT CAST(pk AS TEXT)) FROM sk_outbox "
				"WHERE pk IS NOT NULL GROUP BY tbl")) < 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (sk_db_table_id(db, sqlite3_column_int(st, 0)))
			*n += (size_t)sqlite3_column_int64(st, 1);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : sk_db_fail(db, "cannot read the outbox");
}

/* Folds the next row's outbox entries into *e, its text taken from a: 1 when there was one,
 * 0 at the end. */
static int outbox_next(struct sk_db *db, struct outbox *o, struct sk_arena *a, struct entry *e)
{
	sqlite3_stmt *st = o->st;
	int64_t first = 0;
	int have = 0;

	memset(e, 0, sizeof(*e));
	while (o->row == SQLITE_ROW) {
		int64_t raw = sqlite3_column_int64(st, 0);
		uint64_t seq = o->base + (uint64_t)raw;
		int tbl = sqlite3_column_int(st, 1), op = sqlite3_column_int(st, 3);
		const char *pk = (const char *)sqlite3_column_text(st, 2);
		const char *oper = (const char *)sqlite3_column_text(st, 6);
		if (raw > o->last)
			o->last = raw;
		if (!pk || !sk_db_table_id(db, tbl)) {
			o->row = sqlite3_step(st); /* a table no longer synced: nothing to send */
			continue;
		}
		if (have && sqlite3_column_int64(st, 8) != first)
			return 1; /* the next row's: read again by the next call */
		if (!have) {
			have = 1;
			first = sqlite3_column_int64(st, 8);
			e->tbl = tbl;
			e->pk = sk_arena_strndup(a, pk, strlen(pk));
			e->seq_min = seq;
		}
		e->seq_max = seq;
		e->at = sqlite3_column_int64(st, 5);
		e->operator_name = oper ? operator_clean(a, sk_arena_strndup(a, oper, strlen(oper))) : NULL;
		if (op == 1) {
			e->inserted = 1;
		} else if (op == 2) {
			if (!e->mask && !e->inserted && !e->has_old && sqlite3_column_type(st, 7) == SQLITE_TEXT)
				e->before = sk_arena_strndup(a, (const char *)sqlite3_column_text(st, 7), (size_t)sqlite3_column_bytes(st, 7));
			e->mask |= (uint64_t)sqlite3_column_int64(st, 4);
		} else if (op == 3) {
			/* the first delete sees the row as it was last replicated: later
			 * re-inserts are new rows written by a clerk, never sealed */
			if (!e->has_old) {
				int n = sqlite3_column_bytes(st, 7);
				e->has_old = 1;
				e->old_len = (size_t)n;
				e->old = n ? sk_arena_alloc(a, (size_t)n) : NULL;
				if (n)
					memcpy(e->old, sqlite3_column_blob(st, 7), (size_t)n);
			}
			e->inserted = 0;
			e->mask = 0;
			e->before = NULL;
		}
		if (seq > o->seq_max)
			o->seq_max = seq;
		o->row = sqlite3_step(st);
	}
	if (o->row != SQLITE_DONE)
		return sk_db_fail(db, "cannot read the outbox");
	return have;
}

/* ---- preparing rows ---- */

struct sealer {
	struct sk_db *db;
	const struct sk_sink *sink;
	size_t max_bytes;
	struct sk_arena arena;  /* the row being prepared: emptied for each */
	struct sk_rowio *io;    /* one per synced table, as db->tables */
	sqlite3_stmt *tomb, *record;
	uint64_t hlc;           /* last clock issued */
	uint32_t flags;
	unsigned char digest[SK_HASH_SIZE];
	char tip[41];
	uint64_t number;
	struct sk_buf meta, enc;
	size_t last_len;        /* bytes of the change-set written last */
	struct sk_seal_result *res;
	struct sk_owner_sums owners;
};

static struct sk_rowio *io_for(struct sealer *s, int tbl)
{
	for (int i = 0; i < s->db->ntables; i++)
		if (s->db->tables[i].id == tbl)
			return &s->io[i];
	return NULL;
}

static const char *operator_or_unknown(const char *name)
{
	/* rows written with another SQLite tool, outside sinkron, carry no operator */
	return name ? name : "(outside sinkron)";
}

/* Counts a row hash in or out of its owner's digest (a district's own rows when owner is NULL). */
static int owner_change(struct sealer *s, const struct sk_value *owner, const unsigned char *h, int add)
{
	struct sk_value own;
	int rc;
	if (!owner || owner->type != SK_TEXT) {
		if (s->db->is_city)
			return 0;
		memset(&own, 0, sizeof(own));
		own.type = SK_TEXT;
		own.p = (const unsigned char *)s->db->code;
		own.n = strlen(s->db->code);
		owner = &own;
	}
	if (sk_owner_sums_change(&s->owners, owner, h, add) < 0) {
		if ((rc = sk_owner_sums_flush(s->db, &s->owners)) < 0)
			return rc;
		sk_owner_sums_change(&s->owners, owner, h, add);
	}
	return 0;
}

/* Reads the SQL literals quote() wrote (NULL, integers, 'text' with '' doubled) into
 * vals; 0 when the list is whole and has n values. */
static int parse_literals(struct sk_arena *a, const char *s, struct sk_value *vals, int n)
{
	for (int i = 0; i < n; i++) {
		struct sk_value *v = &vals[i];
		memset(v, 0, sizeof(*v));
		if (i && *s++ != ',')
			return -1;
		if (!strncmp(s, "NULL", 4)) {
			v->type = SK_NULL;
			s += 4;
		} else if (*s == '\'') {
			char *out = sk_arena_alloc(a, strlen(s) + 1);
			size_t k = 0;
			for (s++;; s++) {
				if (!*s)
					return -1;
				if (*s == '\'' && s[1] != '\'')
					break;
				if (*s == '\'')
					s++;
				out[k++] = *s;
			}
			s++;
			v->type = SK_TEXT;
			v->p = (const unsigned char *)out;
			v->n = k;
		} else if (*s == 'X' || *s == 'x') {
			return -1; /* a blob: the guards refuse them, not checked */
		} else {
			char *end;
			v->type = SK_INT;
			v->i = strtoll(s, &end, 10);
			if (end == s || (*end && *end != ','))
				return -1; /* a real, or anything else: not checked */
			s = end;
		}
	}
	return *s ? -1 : 0;
}

/* Whether the row changed outside capture since it was last sealed: its values before its first
 * captured update must be those it was sealed with (their hash is the one recorded), and the
 * columns no captured update touched must still hold them.  Such a difference is carried, never
 * folded silently into the digest: the receiver would hold other values under the same digest. */
static int changed_around_capture(struct sealer *s, const struct entry *e, const struct sk_table *t,
				  const struct sk_meta *rep, const struct sk_value *cur)
{
	struct sk_value before[SK_MAX_COLS];
	unsigned char h[SK_HASH_SIZE];
	if (!e->before || parse_literals(&s->arena, e->before, before, t->ncols) < 0)
		return 0;
	sk_row_hash(h, t, e->pk, before);
	if (memcmp(h, rep->hash, SK_HASH_SIZE))
		return 1;
	for (int i = 0; i < t->ncols; i++)
		if (!(e->mask >> i & 1) && !sk_value_equal(&before[i], &cur[i]))
			return 1;
	return 0;
}

/* Copies what p's row points to (its id, operator, the values sent, the district it is for)
 * into one block of its own, p->mem, so that the row outlives the entry and the row read. */
static void own_row(struct prepared *p, size_t ncols, const struct sk_value *dest)
{
	size_t pk = strlen(p->row.pk) + 1, op = strlen(p->row.operator_name) + 1, need = pk + op;
	struct sk_value *vals = NULL;
	unsigned char *m;

	if (ncols) {
		need += sizeof(*vals) * ncols;
		for (size_t i = 0; i < ncols; i++)
			if ((p->row.mask >> i & 1) && (p->row.vals[i].type == SK_TEXT || p->row.vals[i].type == SK_BLOB))
				need += p->row.vals[i].n + 1;
	}
	if (dest)
		need += dest->n + 1;
	m = p->mem = sk_malloc(need);
	if (ncols) {
		vals = memcpy(m, p->row.vals, sizeof(*vals) * ncols);
		m += sizeof(*vals) * ncols;
		for (size_t i = 0; i < ncols; i++)
			if ((p->row.mask >> i & 1) && (vals[i].type == SK_TEXT || vals[i].type == SK_BLOB)) {
				memcpy(m, vals[i].p, vals[i].n);
				m[vals[i].n] = '\0';
				vals[i].p = m;
				m += vals[i].n + 1;
			}
	}
	p->row.vals = vals;
	p->row.pk = memcpy(m, p->row.pk, pk);
	m += pk;
	p->row.operator_name = memcpy(m, p->row.operator_name, op);
	m += op;
	if (dest) {
		memcpy(m, dest->p, dest->n);
		m[dest->n] = '\0';
		p->row.dest = (const char *)m;
	}
}

/* Fills p from entry e and the row as it is now; 0 when there is nothing to send. */
static int prepare(struct sealer *s, const struct entry *e, struct prepared *p)
{
	struct sk_rowio *io = io_for(s, e->tbl);
	const struct sk_table *t = io->t;
	struct sk_value cur[SK_MAX_COLS], vals[SK_MAX_COLS];
	const struct sk_value *dest = NULL;
	struct sk_meta rep, now;
	int found, rc;
	uint64_t hlc = s->hlc + 1;

	memset(p, 0, sizeof(*p));
	if ((found = sk_rowio_get(io, e->pk, cur, &now)) < 0)
		return found;
	if (e->has_old) {
		if ((rc = sk_meta_decode(&rep, t->ncols, e->old, e->old_len)) < 0)
			return rc;
	} else if (found) {
		rep = now;
	} else {
		return 0; /* deleted by a change applied since, which took it out of the digest */
	}
	p->tbl = e->tbl;
	p->seq_min = e->seq_min;
	p->seq_max = e->seq_max;
	p->row.pk = e->pk;
	p->row.operator_name = operator_or_unknown(e->operator_name);
	p->row.at = e->at;
	p->has_old = rep.has_hash && t->in_digest;
	memcpy(p->old_hash, rep.hash, SK_HASH_SIZE);
	p->raw = strlen(e->pk) + 24;

	if (!found) {
		if (!rep.has_hash)
			return 0; /* made and removed between two seals: nobody else ever saw it */
		if (s->db->is_city && t->city_mask != sk_table_all(t))
			return 0; /* a district's record: only its district removes it */
		if (!s->db->is_city && t->in_digest && (rc = owner_change(s, NULL, rep.hash, 0)) < 0)
			return rc;
		p->row.op = SK_OP_DELETE;
		p->row.hlc = hlc;
		s->hlc = hlc;
		sqlite3_reset(s->tomb);
		sqlite3_bind_int(s->tomb, 1, e->tbl);
		sqlite3_bind_text(s->tomb, 2, e->pk, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s->tomb, 3, (int64_t)hlc);
		sqlite3_bind_text(s->tomb, 4, s->db->code, -1, SQLITE_STATIC);
		if (sqlite3_step(s->tomb) != SQLITE_DONE)
			return sk_db_fail(s->db, "cannot record a deleted row");
		own_row(p, 0, NULL);
		return 1;
	}

	uint64_t mask = e->inserted || !rep.has_hash ? sk_table_all(t) : e->mask;
	if (mask != sk_table_all(t) && changed_around_capture(s, e, t, &rep, cur))
		mask = sk_table_all(t);
	/* the city sends only its own columns, a district never sends them */
	mask &= s->db->is_city ? t->city_mask : ~t->city_mask;
	if (!rep.has_hash) {
		/* a row nobody else has seen: its NULL cells are what a receiver has without them, so
		 * they do not travel (smaller, and a receiver one schema version behind is not stopped
		 * by a column that is still empty); at least one cell goes, or the row would not */
		uint64_t set = 0;
		for (int i = 0; i < t->ncols; i++)
			if (cur[i].type != SK_NULL)
				set |= 1ULL << i;
		if (mask & set)
			mask &= set;
	}
	/* a cell is stamped above its previous clock, whoever set it, so this edit supersedes
	 * what the clerk saw even if that came from a clock running ahead; but a stamp raised
	 * that far stays this row's: the clock goes on from the wall clock for every other row,
	 * so a corrected clock's error is not carried into every later change (the city accepts
	 * a stamp from the future only where it supersedes one it already holds) */
	for (int i = 0; i < t->ncols; i++)
		if ((mask >> i & 1) && rep.cell[i].hlc >= hlc)
			hlc = rep.cell[i].hlc + 1;
	s->hlc = SK_HLC_MS(hlc) > sk_wall_ms() + sk_hlc_skew_bound_ms() ? s->hlc + 1 : hlc;
	p->row.op = SK_OP_UPSERT;
	p->row.hlc = hlc;
	p->row.mask = mask;
	p->row.vals = vals;
	for (int i = 0; i < t->ncols; i++) {
		struct sk_value *v = &vals[i];
		if (!(mask >> i & 1)) {
			memset(v, 0, sizeof(*v));
			continue;
		}
		*v = cur[i];
		if (v->type == SK_TEXT || v->type == SK_BLOB) {
			p->raw += v->n;
		}
		p->raw += 3;
	}
	p->added = !rep.has_hash;
	sk_row_hash(p->new_hash, t, e->pk, cur);
	p->has_new = t->in_digest;
	if (s->db->is_city && t->owner_col >= 0 && cur[t->owner_col].type == SK_TEXT)
		dest = &cur[t->owner_col];
	if (t->in_digest &&
	    ((rep.has_hash && (rc = owner_change(s, t->owner_col >= 0 ? &cur[t->owner_col] : NULL, rep.hash, 0)) < 0) ||
	     (rc = owner_change(s, t->owner_col >= 0 ? &cur[t->owner_col] : NULL, p->new_hash, 1)) < 0))
		return rc;

	now = rep;
	now.has_hash = 1;
	memcpy(now.hash, p->new_hash, SK_HASH_SIZE);
	for (int i = 0; i < t->ncols; i++)
		if (mask >> i & 1) {
			now.cell[i].hlc = hlc;
			now.cell[i].origin = s->db->origin;
		}
	sk_meta_encode(&s->meta, &now);
	sqlite3_reset(io->setmeta);
	sqlite3_bind_blob(io->setmeta, 1, s->meta.ptr, (int)s->meta.len, SQLITE_STATIC);
	sqlite3_bind_text(io->setmeta, 2, e->pk, -1, SQLITE_STATIC);
	if (sqlite3_step(io->setmeta) != SQLITE_DONE)
		return sk_db_fail(s->db, "cannot update a row's bookkeeping");
	if (mask == 0) {
		/* only columns this office may not send changed (a city field edited at a
		 * district): the digest takes the row in as it is, nothing travels */
		if (p->has_old)
			sk_digest_sub(s->digest, p->old_hash);
		if (p->has_new)
			sk_digest_add(s->digest, p->new_hash);
		return 0;
	}
	own_row(p, (size_t)t->ncols, dest);
	return 1;
}

/* ---- encoding a chunk ---- */

static int cmp_prepared(const void *a, const void *b)
{
	const struct prepared *x = *(const struct prepared *const *)a, *y = *(const struct prepared *const *)b;
	return strcmp(x->row.pk, y->row.pk);
}

static int cmp_table_name(const void *a, const void *b)
{
	return strcmp(((const struct sk_cs_table *)a)->name, ((const struct sk_cs_table *)b)->name);
}

/* Builds the change-set of rows p[0..n) (digest given) and encodes it into s->enc. */
static int encode_chunk(struct sealer *s, struct prepared *p, size_t n, const unsigned char *digest,
			struct sk_changeset *cs, struct sk_cs_table *tabs)
{
	struct prepared **order = sk_malloc(sizeof(*order) * (n ? n : 1));
	struct sk_cs_row *rows = sk_malloc(sizeof(*rows) * (n ? n : 1));
	size_t nt = 0, at = 0;
	int rc;

	memset(cs, 0, sizeof(*cs));
	cs->version = SK_CS_VERSION;
	snprintf(cs->origin, sizeof(cs->origin), "%s", s->db->code);
	cs->number = s->number + 1;
	cs->seq_first = UINT64_MAX;
	cs->hlc_min = UINT64_MAX;
	cs->hlc_seen = (uint64_t)sk_state_int(s->db, "hlc_seen", 0);
	cs->flags = s->flags;
	memcpy(cs->digest, digest, SK_HASH_SIZE);
	for (size_t i = 0; i < n; i++) {
		order[i] = &p[i];
		if (p[i].seq_min < cs->seq_first)
			cs->seq_first = p[i].seq_min;
		if (p[i].seq_max > cs->seq_last)
			cs->seq_last = p[i].seq_max;
		if (p[i].row.hlc < cs->hlc_min)
			cs->hlc_min = p[i].row.hlc;
		if (p[i].row.hlc > cs->hlc_max)
			cs->hlc_max = p[i].row.hlc;
	}
	if (!n)
		cs->seq_first = cs->hlc_min = 0;
	for (int ti = 0; ti < s->db->ntables; ti++) {
		const struct sk_table *t = &s->db->tables[ti];
		size_t first = at;
		for (size_t i = 0; i < n; i++)
			if (order[i]->tbl == t->id)
				rows[at++] = order[i]->row;
		if (at == first)
			continue;
		/* rows in pk order: canonical bytes */
		{
			struct prepared **sub = sk_malloc(sizeof(*sub) * (at - first));
			size_t k = 0;
			for (size_t i = 0; i < n; i++)
				if (order[i]->tbl == t->id)
					sub[k++] = order[i];
			qsort(sub, k, sizeof(*sub), cmp_prepared);
			for (size_t i = 0; i < k; i++)
				rows[first + i] = sub[i]->row;
			free(sub);
		}
		tabs[nt].name = t->name;
		tabs[nt].ncols = t->ncols;
		tabs[nt].cols = (const char **)t->cols;
		tabs[nt].nrows = at - first;
		tabs[nt].rows = rows + first;
		nt++;
	}
	qsort(tabs, nt, sizeof(*tabs), cmp_table_name);
	cs->ntables = nt;
	cs->tables = tabs;
	s->enc.len = 0;
	rc = sk_changeset_encode(&s->enc, cs);
	free(order);
	cs->arena = rows; /* freed by the caller through finish_chunk */
	return rc;
}

static void describe(struct sealer *s, const struct sk_changeset *cs, const struct prepared *p, size_t n,
		     struct sk_buf *manifest, struct sk_buf *msg)
{
	char hex[2 * SK_HASH_SIZE + 1], c1[64], c2[64], *tip = sk_state_text(s->db, "central_applied");
	size_t added[8] = {0}, changed[8] = {0}, deleted[8] = {0};
	const char *ops[4] = {0};
	int nops = 0;

	for (size_t i = 0; i < n; i++) {
		int ti = 0;
		while (ti < s->db->ntables && s->db->tables[ti].id != p[i].tbl)
			ti++;
		if (p[i].row.op == SK_OP_DELETE)
			deleted[ti]++;
		else if (p[i].added)
			added[ti]++;
		else
			changed[ti]++;
		for (int k = 0; k < nops; k++)
			if (!strcmp(ops[k], p[i].row.operator_name))
				goto seen;
		if (nops < 4)
			ops[nops++] = p[i].row.operator_name;
seen:;
	}
	sk_hex(hex, cs->digest, SK_HASH_SIZE);
	sk_hlc_format(c1, sizeof(c1), cs->hlc_min);
	sk_hlc_format(c2, sizeof(c2), cs->hlc_max);
	manifest->len = 0;
	sk_buf_printf(manifest,
		"format: sinkron-changeset %u\norigin: %s\nname: %s\nnumber: %llu\nseq: %llu-%llu\n"
		"clock: %s / %s\nrows: %zu\n",
		SK_CS_VERSION, s->db->code, s->db->name, (unsigned long long)cs->number,
		(unsigned long long)cs->seq_first, (unsigned long long)cs->seq_last, c1, c2, n);
	for (int ti = 0; ti < s->db->ntables; ti++)
		if (added[ti] + changed[ti] + deleted[ti])
			sk_buf_printf(manifest, "table: %s +%zu ~%zu -%zu\n", s->db->tables[ti].name,
				      added[ti], changed[ti], deleted[ti]);
	sk_buf_printf(manifest, "digest: %s\n", hex);
	if (tip)
		sk_buf_printf(manifest, "central: %s\n", tip);
	if (cs->flags & SK_CSF_CLOCK_AHEAD)
		sk_buf_puts(manifest, "warning: the office clock is more than a day ahead of the city\n");
	if (cs->flags & SK_CSF_CLOCK_BEHIND)
		sk_buf_puts(manifest, "warning: the office clock was set back by more than a day\n");
	free(tip);

	msg->len = 0;
	sk_buf_printf(msg, "%s %s #%llu:", s->db->code, s->db->name, (unsigned long long)cs->number);
	for (int ti = 0, first = 1; ti < s->db->ntables; ti++) {
		const char *tn = s->db->tables[ti].name;
		if (added[ti]) {
			sk_buf_printf(msg, "%s %zu %s added", first ? "" : ",", added[ti], tn);
			first = 0;
		}
		if (changed[ti]) {
			sk_buf_printf(msg, "%s %zu %s changed", first ? "" : ",", changed[ti], tn);
			first = 0;
		}
		if (deleted[ti]) {
			sk_buf_printf(msg, "%s %zu %s deleted", first ? "" : ",", deleted[ti], tn);
			first = 0;
		}
	}
	sk_buf_puts(msg, "\n\nBy ");
	for (int k = 0; k < nops; k++)
		sk_buf_printf(msg, "%s%s", k ? ", " : "", ops[k]);
	sk_buf_printf(msg, ".\n\n%s", (const char *)manifest->ptr);
}

static int finish_chunk(struct sealer *s, struct prepared *p, size_t n, struct sk_changeset *cs)
{
	struct sk_buf manifest = SK_BUF_INIT, msg = SK_BUF_INIT;
	char blob[41], commit[41], hex[2 * SK_HASH_SIZE + 1];
	int rc;

	describe(s, cs, p, n, &manifest, &msg);
	if ((rc = s->sink->write(s->sink->payload, cs, s->enc.ptr, s->enc.len, (const char *)manifest.ptr,
				 (const char *)msg.ptr, s->tip, blob, commit)) < 0)
		goto done;
	sk_hex(hex, cs->digest, SK_HASH_SIZE);
	sqlite3_reset(s->record);
	sqlite3_bind_text(s->record, 1, blob, -1, SQLITE_STATIC);
	sqlite3_bind_text(s->record, 2, s->db->code, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s->record, 3, (int64_t)cs->number);
	sqlite3_bind_text(s->record, 4, commit, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s->record, 5, (int64_t)cs->hlc_max);
	sqlite3_bind_int64(s->record, 6, (int64_t)n);
	sqlite3_bind_int64(s->record, 7, (int64_t)s->enc.len);
	sqlite3_bind_text(s->record, 8, hex, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s->record, 9, sk_wall_ms());
	{
		/* the message's first line after "code name #n: " says what changed */
		const char *m = strstr((const char *)msg.ptr, ": "), *nl;
		m = m ? m + 2 : "";
		nl = strchr(m, '\n');
		sqlite3_bind_text(s->record, 10, m, nl ? (int)(nl - m) : -1, SQLITE_TRANSIENT);
	}
	if (sqlite3_step(s->record) != SQLITE_DONE) {
		rc = sk_db_fail(s->db, "cannot record a sealed change-set");
		goto done;
	}
	memcpy(s->tip, commit, 41);
	s->number = cs->number;
	s->res->changesets++;
	s->res->rows += n;
	s->res->bytes += s->enc.len;
done:
	sk_buf_release(&manifest);
	sk_buf_release(&msg);
	return rc;
}

/* Cuts prepared rows into change-sets no larger than max_bytes and writes them. */
static int emit(struct sealer *s, struct prepared *p, size_t n, int final, size_t *consumed)
{
	struct sk_changeset cs;
	struct sk_cs_table tabs[8];
	unsigned char digest[SK_HASH_SIZE];
	size_t take = n;
	int rc;

	*consumed = 0;
	while (take > 0) {
		memcpy(digest, s->digest, SK_HASH_SIZE);
		for (size_t i = 0; i < take; i++) {
			if (p[i].has_old)
				sk_digest_sub(digest, p[i].old_hash);
			if (p[i].has_new)
				sk_digest_add(digest, p[i].new_hash);
		}
		rc = encode_chunk(s, p, take, digest, &cs, tabs);
		if (rc < 0 || (s->enc.len > s->max_bytes && take > 1)) {
			free(cs.arena);
			if (rc < 0)
				return rc;
			take = (size_t)((double)take * (double)s->max_bytes / (double)s->enc.len * 0.92);
			if (!take)
				take = 1;
			continue;
		}
		/* not full yet: wait for more rows unless these are the last */
		if (!final && take == n && s->enc.len < s->max_bytes * 3 / 4) {
			free(cs.arena);
			return 0;
		}
		/* s->enc holds these rows encoded: written as they are, not compressed again */
		rc = finish_chunk(s, p, take, &cs);
		s->last_len = s->enc.len;
		free(cs.arena);
		if (rc < 0)
			return rc;
		memcpy(s->digest, digest, SK_HASH_SIZE);
		*consumed += take;
		p += take;
		n -= take;
		take = n;
		if (!final)
			return 0;
	}
	return 0;
}

/* A change whose row id no change-set can carry, put back in the outbox after the seal. */
struct aside {
	int tbl, inserted;
	uint64_t mask;
	int64_t at;
	char *pk, *operator_name;
};

/* Puts the changes set aside back in the (emptied) outbox, in the order they were read. */
static int keep_aside(struct sk_db *db, const struct aside *v, size_t n)
{
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		sqlite3_stmt *keep;
		if ((rc = sk_db_prepare(db, &keep, "INSERT INTO sk_outbox (tbl, pk, op, cols, at, operator) VALUES (?, ?, ?, ?, ?, ?)")) < 0)
			break;
		sqlite3_bind_int(keep, 1, v[i].tbl);
		sqlite3_bind_text(keep, 2, v[i].pk, -1, SQLITE_STATIC);
		sqlite3_bind_int(keep, 3, v[i].inserted ? 1 : 2);
		if (v[i].inserted)
			sqlite3_bind_null(keep, 4);
		else
			sqlite3_bind_int64(keep, 4, (int64_t)v[i].mask);
		sqlite3_bind_int64(keep, 5, v[i].at);
		if (v[i].operator_name)
			sqlite3_bind_text(keep, 6, v[i].operator_name, -1, SQLITE_STATIC);
		rc = sqlite3_step(keep) == SQLITE_DONE ? 0 : sk_db_fail(db, "cannot keep a change in the outbox");
		sqlite3_finalize(keep);
	}
	return rc;
}

/* Frees the memory of prepared rows p[0..n). */
static void release_rows(struct prepared *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(p[i].mem);
}

int sk_seal_tx(struct sk_db *db, const struct sk_sink *sink, size_t max_bytes, struct sk_seal_result *res,
	       sk_progress_fn progress, void *payload)
{
	struct sealer s;
	struct outbox o;
	struct entry e;
	struct prepared *pend = NULL;
	struct aside *aside = NULL;
	size_t npend = 0, apend = 0, naside = 0, aaside = 0, raw = 0, target, total, done = 0;
	int64_t cache = 0;
	char *tip;
	int rc;

	memset(&s, 0, sizeof(s));
	memset(&o, 0, sizeof(o));
	memset(res, 0, sizeof(*res));
	s.arena.chunk_size = 16 * 1024;
	s.db = db;
	s.sink = sink;
	s.max_bytes = max_bytes ? max_bytes : 32 * 1024;
	s.res = res;
	s.meta = (struct sk_buf)SK_BUF_INIT;
	s.enc = (struct sk_buf)SK_BUF_INIT;
	s.io = sk_calloc(db->ntables ? (size_t)db->ntables : 1, sizeof(*s.io));
	target = s.max_bytes * 3;

	/* checked again at every seal: an agent keeps its database open for days */
	sk_db_check_capture(db);
	if (db->problem) {
		rc = sk_error_do(SK_EINVALID, db->problem_remedy, NULL, "nothing was sealed: %s", db->problem);
		goto done;
	}
	if ((rc = cache_lower(db, &cache)) < 0 || (rc = outbox_count(db, &total)) < 0)
		goto done;
	if (total == 0)
		goto done; /* nothing at all, or only changes of tables no longer synced */
	if (total < 4096)
		progress = NULL; /* a big backlog only: say how far */
	for (int i = 0; i < db->ntables; i++)
		if ((rc = sk_rowio_init(&s.io[i], db, &db->tables[i])) < 0)
			goto done;
	if ((rc = sk_db_prepare(db, &s.tomb, "INSERT OR REPLACE INTO sk_tombstones (tbl, pk, hlc, origin) VALUES (?, ?, ?, ?)")) < 0 ||
	    (rc = sk_db_prepare(db, &s.record, "INSERT INTO sk_changesets (id, origin, number, commit_id, hlc_max, rows, bytes, digest, at, local, summary) "
					       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)")) < 0)
		goto done;
	s.hlc = sk_hlc_start(db, &s.flags) - 1;
	res->flags = s.flags;
	sk_state_blob(db, "digest", s.digest, SK_HASH_SIZE);
	tip = sk_state_text(db, "tip");
	snprintf(s.tip, sizeof(s.tip), "%s", tip ? tip : "");
	free(tip);
	s.number = (uint64_t)sk_state_int(db, "number", 0);
	if ((rc = outbox_open(db, &o)) < 0 || (rc = cache_restore(db, &cache)) < 0)
		goto done;

	for (;; done++) {
		size_t used;
		sk_arena_release(&s.arena);
		if ((rc = outbox_next(db, &o, &s.arena, &e)) < 0)
			goto done;
		if (rc == 0)
			break;
		if (progress && done % 2048 == 0)
			progress(payload, "sealing", done, total);
		if (npend == apend) {
			apend = apend ? apend * 2 : 1024;
			pend = sk_realloc(pend, apend * sizeof(*pend));
		}
		if (!sk_utf8_valid((const unsigned char *)e.pk, strlen(e.pk), 0) || strlen(e.pk) > 255) {
			/* an id no change-set can carry (written around the guards, not UTF-8): the
			 * rest is sealed, this change stays in the outbox and is named; one deleted
			 * since was never sealed, so nobody else holds it: nothing to keep */
			if (!e.inserted && (e.has_old || !e.mask))
				continue;
			if (!res->aside++)
				snprintf(res->aside_first, sizeof(res->aside_first), "%.40s record '%.60s'",
					 sk_db_table_id(db, e.tbl)->name, operator_clean(&s.arena, e.pk));
			if (naside == aaside) {
				aaside = aaside ? aaside * 2 : 16;
				aside = sk_realloc(aside, aaside * sizeof(*aside));
			}
			aside[naside].tbl = e.tbl;
			aside[naside].inserted = e.inserted;
			aside[naside].mask = e.mask;
			aside[naside].at = e.at;
			aside[naside].pk = sk_strndup(e.pk, strlen(e.pk));
			aside[naside].operator_name = e.operator_name ? sk_strndup(e.operator_name, strlen(e.operator_name)) : NULL;
			naside++;
			continue;
		}
		if ((rc = prepare(&s, &e, &pend[npend])) <= 0) {
			free(pend[npend].mem);
			if (rc < 0)
				goto done;
			continue;
		}
		raw += pend[npend].raw;
		npend++;
		if (raw < target)
			continue;
		if ((rc = emit(&s, pend, npend, 0, &used)) < 0)
			goto done;
		if (used) {
			/* learn how much raw data fills a change-set */
			size_t used_raw = 0;
			for (size_t k = 0; k < used; k++)
				used_raw += pend[k].raw;
			/* aim a little under the bound, so that the first try
			 * usually fits and the rows are compressed once */
			target = (size_t)((double)used_raw * (double)s.max_bytes * 0.96 / (double)(s.last_len ? s.last_len : s.max_bytes));
			release_rows(pend, used);
			memmove(pend, pend + used, (npend - used) * sizeof(*pend));
			npend -= used;
			raw -= used_raw;
		} else {
			target = raw + raw / 4;
		}
	}
	if (npend) {
		size_t used;
		if ((rc = emit(&s, pend, npend, 1, &used)) < 0)
			goto done;
	}
	if (progress)
		progress(payload, "sealing", total, total);
	outbox_close(&o);
	{
		sqlite3_stmt *del;
		if ((rc = sk_db_prepare(db, &del, "DELETE FROM sk_outbox WHERE seq <= ?")) < 0)
			goto done;
		sqlite3_bind_int64(del, 1, o.last);
		rc = sqlite3_step(del) == SQLITE_DONE ? 0 : sk_db_fail(db, "cannot empty the outbox");
		sqlite3_finalize(del);
		if (rc == 0)
			rc = keep_aside(db, aside, naside);
		if (rc < 0 || (rc = sk_state_set_int(db, "seq_base", (int64_t)o.seq_max)) < 0)
			goto done;
	}
	if ((rc = sk_owner_sums_flush(db, &s.owners)) < 0)
		goto done;
	if ((rc = sk_hlc_store(db, s.hlc)) < 0 || (rc = sk_state_set_blob(db, "digest", s.digest, SK_HASH_SIZE)) < 0 ||
	    (rc = sk_state_set_int(db, "number", (int64_t)s.number)) < 0 ||
	    (s.tip[0] && (rc = sk_state_set_text(db, "tip", s.tip)) < 0))
		goto done;
	rc = 0;
done:
	outbox_close(&o);
	cache_restore(db, &cache);
	for (int i = 0; i < db->ntables; i++)
		sk_rowio_release(&s.io[i]);
	free(s.io);
	sqlite3_finalize(s.tomb);
	sqlite3_finalize(s.record);
	sk_buf_release(&s.meta);
	sk_buf_release(&s.enc);
	release_rows(pend, npend);
	free(pend);
	for (size_t i = 0; i < naside; i++) {
		free(aside[i].pk);
		free(aside[i].operator_name);
	}
	free(aside);
	sk_arena_release(&s.arena);
	return rc;
}

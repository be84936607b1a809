/*
 * converge_world.h: the world test_converge's cases run in: the city and ten districts as
 * in-memory databases, a seeded random source and a virtual wall clock, the change-sets kept as a
 * repository would, what clerks and the city write through plain SQL, and the checks that two
 * replicas agree.  Static, like testhelp.h: one test program includes it.
 */
#ifndef SK_CONVERGE_WORLD_H
#define SK_CONVERGE_WORLD_H

#include <inttypes.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"
#include "hlc.h"
#include "row.h"
#include "testhelp.h"

#define NDIST 10
#define NREP (NDIST + 1)   /* replica 0 is the city, 1..10 the districts */
#define MAXCS 512
#define YEAR_S "31536000"

/* ---- random numbers: splitmix64, seeded ---- */

static uint64_t rng;
static int trace; /* TRACE=1: print every step */

static uint64_t rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static unsigned below(unsigned n)
{
	return n ? (unsigned)(rnd() % n) : 0;
}

/* ---- a virtual wall clock, so a seed replays exactly ----
 * The engine reads the time through clock_gettime(CLOCK_REALTIME) (sk_wall_ms); this
 * definition takes its place in this program.  Steps advance it by 0-2 ms, so changes made in
 * the same millisecond, where the counter and the origin decide, are common. */
static int64_t vclock_ms; /* 0: the real clock */

int clock_gettime(clockid_t id, struct timespec *ts)
{
	if (id == CLOCK_REALTIME && vclock_ms) {
		ts->tv_sec = (time_t)(vclock_ms / 1000);
		ts->tv_nsec = (long)(vclock_ms % 1000) * 1000000;
		return 0;
	}
	return (int)syscall(SYS_clock_gettime, id, ts);
}

/* SQLite's own clock (julianday('now') in the capture triggers, whose time travels in
 * change-sets and so decides how they are cut) follows the same virtual clock. */
static sqlite3_vfs vfs, *base_vfs;

static int vfs_time(sqlite3_vfs *v, sqlite3_int64 *out)
{
	(void)v;
	if (vclock_ms) {
		*out = vclock_ms + 210866760000000LL; /* the Unix epoch as a Julian day, in ms */
		return SQLITE_OK;
	}
	return base_vfs->xCurrentTimeInt64(base_vfs, out);
}

static void vclock_install(void)
{
	if (base_vfs)
		return;
	base_vfs = sqlite3_vfs_find(NULL);
	vfs = *base_vfs;
	vfs.zName = "sk-test-vclock";
	vfs.xCurrentTimeInt64 = vfs_time;
	sqlite3_vfs_register(&vfs, 1);
}

/* ---- change-sets kept in memory, as a repository would ---- */

struct stored {
	char id[41], commit[41], origin[24];
	uint64_t number, hlc_min, hlc_max;
	uint32_t flags;
	unsigned char digest[SK_HASH_SIZE];
	unsigned char *data;
	size_t len;
	unsigned char held[MAXCS / 8]; /* what its origin held right after sealing it */
};

static struct stored store[MAXCS];
static size_t nstore;

struct replica {
	struct sk_db *db;
	unsigned char held[MAXCS / 8];
	int district;    /* 0: the city */
	unsigned nextid;
};

static struct replica reps[NREP];
static struct replica *sealing; /* whose seal the sink is writing */

static int sink_write(void *payload, const struct sk_changeset *cs, const unsigned char *data, size_t len,
		      const char *manifest, const char *message, const char *parent, char blob[41], char commit[41])
{
	struct stored *s;
	struct sk_buf b = SK_BUF_INIT;
	(void)payload;
	(void)manifest;
	if (nstore == MAXCS)
		return sk_error(SK_ERROR, "test store full");
	s = &store[nstore];
	memset(s, 0, sizeof(*s));
	if (trace)
		printf("#     sink %s #%" PRIu64 " %zu bytes, %zu rows, hlc %" PRIu64 "-%" PRIu64 " seen %" PRIu64 "\n", cs->origin,
		       cs->number, len, sk_changeset_rows(cs), cs->hlc_min, cs->hlc_max, cs->hlc_seen);
	sk_blob_id(blob, data, len);
	sk_buf_printf(&b, "%s\n%s\n%s", blob, parent, message);
	sk_blob_id(commit, b.ptr, b.len);
	sk_buf_release(&b);
	memcpy(s->id, blob, 41);
	memcpy(s->commit, commit, 41);
	snprintf(s->origin, sizeof(s->origin), "%s", cs->origin);
	s->number = cs->number;
	s->flags = cs->flags;
	s->hlc_min = cs->hlc_min;
	s->hlc_max = cs->hlc_max;
	memcpy(s->digest, cs->digest, SK_HASH_SIZE);
	s->data = sk_malloc(len);
	memcpy(s->data, data, len);
	s->len = len;
	if (sealing) {
		sealing->held[nstore / 8] |= (unsigned char)(1u << (nstore % 8));
		memcpy(s->held, sealing->held, sizeof(s->held));
	}
	nstore++;
	return 0;
}

static void store_reset(void)
{
	for (size_t i = 0; i < nstore; i++)
		free(store[i].data);
	nstore = 0;
}

static int held(const unsigned char *set, size_t i)
{
	return set[i / 8] >> (i % 8) & 1;
}

/* ---- database helpers ---- */

static const char *dcode(int d)
{
	static const char *codes[NREP] = {"96.71", "96.71.01", "96.71.02", "96.71.03", "96.71.04", "96.71.05",
					  "96.71.06", "96.71.07", "96.71.08", "96.71.09", "96.71.10"};
	return codes[d];
}

static struct sk_db *create(const char *code, int city)
{
	struct sk_db *db = NULL;
	if (sk_db_create(&db, ":memory:", code, city, NULL) < 0) {
		printf("# cannot create %s: %s\n", code, sk_error_last());
		abort();
	}
	return db;
}

/* Creating a database parses the schema and loads the region codes: a few milliseconds,
 * which thousands of replicas feel.  A new replica is a copy of one made once per code. */
static struct sk_db *templates[NREP];

static char *dup_or_null(const char *s)
{
	return s ? sk_strdup(s) : NULL;
}

static struct sk_db *newdb(int d)
{
	struct sk_db *t, *db;
	sqlite3_backup *b;
	if (!templates[d])
		templates[d] = create(dcode(d), d == 0);
	t = templates[d];
	db = sk_malloc(sizeof(*db));
	memcpy(db, t, sizeof(*db));
	db->path = dup_or_null(t->path);
	db->code = dup_or_null(t->code);
	db->name = dup_or_null(t->name);
	db->city = dup_or_null(t->city);
	db->operator_name = dup_or_null(t->operator_name);
	db->tables = sk_malloc((size_t)t->ntables * sizeof(*db->tables));
	memcpy(db->tables, t->tables, (size_t)t->ntables * sizeof(*db->tables));
	for (int i = 0; i < t->ntables; i++) {
		db->tables[i].name = sk_strdup(t->tables[i].name);
		for (int c = 0; c < t->tables[i].ncols; c++)
			db->tables[i].cols[c] = sk_strdup(t->tables[i].cols[c]);
	}
	if (sqlite3_open(":memory:", &db->h) != SQLITE_OK || !(b = sqlite3_backup_init(db->h, "main", t->h, "main")) ||
	    sqlite3_backup_step(b, -1) != SQLITE_DONE || sqlite3_backup_finish(b) != SQLITE_OK) {
		printf("# cannot copy a database: %s\n", sqlite3_errmsg(db->h));
		abort();
	}
	return db;
}

static void templates_free(void)
{
	for (int d = 0; d < NREP; d++) {
		sk_db_free(templates[d]);
		templates[d] = NULL;
	}
}

static int sql(struct sk_db *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int sql(struct sk_db *db, const char *fmt, ...)
{
	va_list ap;
	char *q, *err = NULL;
	int rc;
	va_start(ap, fmt);
	q = sqlite3_vmprintf(fmt, ap);
	va_end(ap);
	if (trace)
		printf("#     %s: %s\n", db->code, q);
	rc = sqlite3_exec(db->h, q, NULL, NULL, &err);
	if (rc != SQLITE_OK)
		printf("# sql failed: %s: %s\n", q, err ? err : "?");
	sqlite3_free(err);
	sqlite3_free(q);
	return rc == SQLITE_OK ? 0 : -1;
}

static int64_t sql_count(struct sk_db *db, const char *q)
{
	sqlite3_stmt *st;
	int64_t v = -1;
	if (sqlite3_prepare_v2(db->h, q, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Every row of the synced tables (of one owner, unless NULL), hidden column included, in id
 * order, as SQL literals. */
static void dump(struct sk_db *db, const char *owner, struct sk_buf *out)
{
	out->len = 0;
	for (int ti = 0; ti < db->ntables; ti++) {
		const struct sk_table *t = &db->tables[ti];
		struct sk_buf q = SK_BUF_INIT;
		sqlite3_stmt *st;
		int n = t->ncols + 2;
		sk_buf_puts(&q, "SELECT quote(id)");
		for (int i = 0; i < t->ncols; i++)
			sk_buf_printf(&q, ", quote(\"%s\")", t->cols[i]);
		sk_buf_printf(&q, ", quote(_sk) FROM \"%s\" WHERE ?1 IS NULL OR owner = ?1 ORDER BY id", t->name);
		if (sqlite3_prepare_v2(db->h, (const char *)q.ptr, -1, &st, NULL) != SQLITE_OK)
			abort();
		sqlite3_bind_text(st, 1, owner, -1, SQLITE_STATIC);
		sk_buf_release(&q);
		while (sqlite3_step(st) == SQLITE_ROW) {
			sk_buf_printf(out, "%s", t->name);
			for (int i = 0; i < n; i++)
				sk_buf_printf(out, "|%s", (const char *)sqlite3_column_text(st, i));
			sk_buf_putc(out, '\n');
		}
		sqlite3_finalize(st);
	}
}

static void digest_of(struct sk_db *db, unsigned char out[SK_HASH_SIZE])
{
	sk_state_blob(db, "digest", out, SK_HASH_SIZE);
}

/* The first line where two dumps differ, for the failure message. */
static void show_diff(const struct sk_buf *a, const struct sk_buf *b)
{
	const char *p = (const char *)a->ptr, *q = (const char *)b->ptr;
	while (*p && *q) {
		const char *pe = strchr(p, '\n'), *qe = strchr(q, '\n');
		if (!pe || !qe)
			break;
		if (pe - p != qe - q || memcmp(p, q, (size_t)(pe - p))) {
			printf("#   < %.*s\n#   > %.*s\n", (int)(pe - p), p, (int)(qe - q), q);
			return;
		}
		p = pe + 1;
		q = qe + 1;
	}
	printf("#   < %.200s\n#   > %.200s\n", p, q);
}

/* Applies stored change-set i to r inside a transaction; 0 or the error. */
static int deliver(struct replica *r, size_t i)
{
	struct sk_changeset *cs = NULL;
	int rc, applied = 0;
	if ((rc = sk_changeset_decode(&cs, store[i].data, store[i].len, NULL)) < 0)
		return rc;
	if (trace)
		printf("#   %s applies %s #%" PRIu64 "%s\n", r->db->code, store[i].origin, store[i].number,
		       held(r->held, i) ? " again" : "");
	if ((rc = sk_db_begin(r->db)) < 0)
		goto done;
	if ((rc = sk_apply_tx(r->db, cs, store[i].id, store[i].commit, store[i].len, &applied)) < 0) {
		sk_db_rollback(r->db);
		goto done;
	}
	rc = sk_db_commit(r->db);
	if (rc == 0)
		r->held[i / 8] |= (unsigned char)(1u << (i % 8));
done:
	sk_changeset_free(cs);
	return rc;
}

static struct sk_sink memsink = {sink_write, NULL};

static int seal(struct replica *r, size_t max_bytes, struct sk_seal_result *res)
{
	int rc;
	struct sk_seal_result tmp;
	if (!res)
		res = &tmp;
	sealing = r;
	if ((rc = sk_db_begin(r->db)) < 0)
		goto done;
	if ((rc = sk_seal_tx(r->db, &memsink, max_bytes, res, NULL, NULL)) < 0) {
		sk_db_rollback(r->db);
		goto done;
	}
	rc = sk_db_commit(r->db);
done:
	sealing = NULL;
	if (trace)
		printf("#   %s seals: %zu change-sets, %zu rows (store %zu)\n", r->db->code, res->changesets, res->rows, nstore);
	return rc;
}

/* ---- what clerks and the city do, through plain SQL ---- */

static const char *names[] = {"Yohanis Kambu", "Maria Wonda", "Siti Rahma", "Agus Mandacan", "Ruth Kareth",
			      "Budi Santoso", "Frans Sapulete", "Ani Yikwa", NULL};

static void rnd_text(char *out, size_t n, const char *prefix)
{
	snprintf(out, n, "%s%u", prefix, below(1000));
}

/* A random existing row of table tbl in r (its own rows when own), or "" */
static void pick_row(struct replica *r, const char *tbl, int own, char *out, size_t n)
{
	sqlite3_stmt *st;
	char *q;
	int64_t cnt;
	out[0] = '\0';
	q = sqlite3_mprintf("SELECT count(*) FROM \"%w\"%s", tbl, own ? " WHERE owner = ?1" : "");
	if (sqlite3_prepare_v2(r->db->h, q, -1, &st, NULL) != SQLITE_OK)
		abort();
	sqlite3_free(q);
	sqlite3_bind_text(st, 1, dcode(r->district), -1, SQLITE_STATIC);
	cnt = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	if (cnt <= 0)
		return;
	q = sqlite3_mprintf("SELECT id FROM \"%w\"%s ORDER BY id LIMIT 1 OFFSET %d", tbl,
			    own ? " WHERE owner = ?1" : "", (int)below((unsigned)cnt));
	if (sqlite3_prepare_v2(r->db->h, q, -1, &st, NULL) != SQLITE_OK)
		abort();
	sqlite3_free(q);
	sqlite3_bind_text(st, 1, dcode(r->district), -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(out, n, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

static const char *tables[] = {"workers", "heirs", "enrolments"};

/* The city's columns of table t (sk_city_columns): only the city writes them, and it writes
 * nothing else of a district's record. */
static uint64_t city_mask(struct sk_db *db, const struct sk_table *t)
{
	uint64_t m = 0;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db->h, "SELECT col FROM sk_city_columns WHERE tbl = ?", -1, &st, NULL) != SQLITE_OK) {
		/* a schema without it: KPJ and verification */
		for (int i = 0; i < t->ncols; i++)
			if (!strcmp(t->name, "workers") && (!strcmp(t->cols[i], "kpj") || !strcmp(t->cols[i], "verified")))
				m |= 1ULL << i;
		return m;
	}
	sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *c = (const char *)sqlite3_column_text(st, 0);
		for (int i = 0; i < t->ncols; i++)
			if (!strcmp(c, "*") || !strcmp(c, t->cols[i]))
				m |= 1ULL << i;
	}
	sqlite3_finalize(st);
	return m;
}

/* One statement that changes random columns of row id in tbl: a district's own columns
 * (never id or owner), or the city's. */
static int update_row(struct replica *r, const char *tbl, const char *id, int city)
{
	const struct sk_table *t = sk_db_table(r->db, tbl);
	uint64_t cm = city_mask(r->db, t), allowed = 0;
	int cols[SK_MAX_COLS], ncols = 0, n = 1 + (int)below(3), rc;
	struct sk_buf q = SK_BUF_INIT;
	for (int i = 0; i < t->ncols; i++)
		if (i != t->owner_col && (int)(cm >> i & 1) == city)
			cols[ncols++] = i, allowed |= 1ULL << i;
	if (!ncols)
		return 0;
	sk_buf_printf(&q, "UPDATE \"%s\" SET ", tbl);
	for (int k = 0; k < n; k++) {
		int c = cols[below((unsigned)ncols)];
		char v[32];
		if (t->types[c] == SK_INT) {
			if (below(8) == 0)
				sk_buf_printf(&q, "%s\"%s\" = NULL", k ? ", " : "", t->cols[c]);
			else
				sk_buf_printf(&q, "%s\"%s\" = %u", k ? ", " : "", t->cols[c], 500000 + below(8) * 250000);
		} else {
			rnd_text(v, sizeof(v), city ? "c" : "d");
			if (below(10) == 0)
				sk_buf_printf(&q, "%s\"%s\" = NULL", k ? ", " : "", t->cols[c]);
			else
				sk_buf_printf(&q, "%s\"%s\" = '%s'", k ? ", " : "", t->cols[c], v);
		}
	}
	sk_buf_printf(&q, " WHERE id = '%s'", id);
	rc = sql(r->db, "%s", (const char *)q.ptr);
	sk_buf_release(&q);
	return rc;
}

static int district_write(struct replica *r)
{
	const char *own = dcode(r->district);
	uint32_t origin = sk_origin_of(own);
	int nops = 1 + (int)below(3), rc = 0;
	char id[64], wid[64];

	if (sql(r->db, "BEGIN") < 0)
		return -1;
	for (int k = 0; k < nops && rc == 0; k++) {
		unsigned what = below(10);
		const char *tbl = tables[below(3)];
		if (what < 4) {
			snprintf(id, sizeof(id), "%u-%04u", origin, r->nextid++);
			if (!strcmp(tbl, "workers") || (pick_row(r, "workers", 1, wid, sizeof(wid)), !wid[0])) {
				rc = sql(r->db, "INSERT INTO workers (id, owner, nik, name, sex, income, status) "
					 "VALUES ('%s', '%s', '9171%012u', '%s', '%c', %u, 'active')", id, own,
					 below(1000000000u), names[below(8)], below(2) ? 'L' : 'P', 1000000 + below(4) * 500000);
			} else if (!strcmp(tbl, "heirs")) {
				rc = sql(r->db, "INSERT INTO heirs (id, owner, worker_id, name, relationship) "
					 "VALUES ('%s', '%s', '%s', '%s', 'anak')", id, own, wid, names[below(8)]);
			} else {
				rc = sql(r->db, "INSERT INTO enrolments (id, owner, worker_id, program, funder, start_on, income) "
					 "VALUES ('%s', '%s', '%s', '%s', 'APBD Kota', '2024-0%u-01', %u)", id, own, wid,
					 below(2) ? "JKK" : "JKM", 1 + below(9), 1000000 + below(4) * 500000);
			}
			if (rc == 0 && below(6) == 0) /* changed again before any seal */
				rc = update_row(r, !strcmp(tbl, "workers") || !wid[0] ? "workers" : tbl, id, 0);
		} else if (what < 8) {
			pick_row(r, tbl, 1, id, sizeof(id));
			if (id[0])
				rc = update_row(r, tbl, id, 0);
		} else {
			pick_row(r, tbl, 1, id, sizeof(id));
			if (id[0])
				rc = sql(r->db, "DELETE FROM \"%s\" WHERE id = '%s'", tbl, id);
		}
	}
	if (rc < 0) {
		sql(r->db, "ROLLBACK");
		return rc;
	}
	return sql(r->db, "COMMIT");
}

/* The city: KPJ numbers, verification and the like of districts' records, its own columns. */
static int city_write(struct replica *r)
{
	char id[64];
	pick_row(r, "workers", 0, id, sizeof(id));
	if (!id[0])
		return 0;
	return update_row(r, "workers", id, 1);
}

/* Who receives what: the city (and a fresh city database) everything; a district the city's
 * change-sets and its own. */
static int receives(const struct replica *r, size_t i)
{
	return r->district == 0 || !strcmp(store[i].origin, dcode(0)) || !strcmp(store[i].origin, dcode(r->district));
}

static int district_of(const char *code)
{
	for (int d = 0; d < NREP; d++)
		if (!strcmp(dcode(d), code))
			return d;
	abort();
}

/* ---- checks ---- */

static uint64_t cur_seed;
static int scenario_failed;

#define SCHECK(cond, ...) do { \
	if (cond) th_passed++; \
	else { th_failed++; scenario_failed = 1; \
		printf("not ok - %s: seed %" PRIu64 " (replay: SEED=%" PRIu64 " build/tests/test_converge converge): %s:%d: %s: ", \
		       th_case, cur_seed, cur_seed, __FILE__, __LINE__, #cond); \
		printf(__VA_ARGS__); printf("\n"); } \
} while (0)

static void check_verify(struct sk_db *db, const char *who)
{
	struct sk_verify_result v;
	int rc = sk_verify(db, &v);
	SCHECK(rc == 0 && v.ok, "sk_verify of %s: rc %d ok %d pending %zu bad %zu %s (kept %s recomputed %s)", who, rc,
	       v.ok, v.pending, v.nbad, v.nbad ? v.bad[0] : "", v.digest, v.recomputed);
}

/* Two replicas holding the same change-sets: the same digest (unless owner is given) and the
 * same rows and clocks (of that owner). */
static void check_rows(struct sk_db *a, const char *an, struct sk_db *b, const char *bn, const char *owner)
{
	unsigned char da[SK_HASH_SIZE], dbb[SK_HASH_SIZE];
	struct sk_buf x = SK_BUF_INIT, y = SK_BUF_INIT;
	if (!owner) {
		digest_of(a, da);
		digest_of(b, dbb);
		SCHECK(!memcmp(da, dbb, SK_HASH_SIZE), "digests of %s and %s differ", an, bn);
	}
	dump(a, owner, &x);
	dump(b, owner, &y);
	/* (two empty dumps have no buffer to compare) */
	SCHECK(x.len == y.len && (!x.len || !memcmp(x.ptr, y.ptr, x.len)), "rows of %s and %s differ", an, bn);
	if (x.len != y.len || (x.len && memcmp(x.ptr, y.ptr, x.len)))
		show_diff(&x, &y);
	sk_buf_release(&x);
	sk_buf_release(&y);
}

static void check_same(struct sk_db *a, const char *an, struct sk_db *b, const char *bn)
{
	check_rows(a, an, b, bn, NULL);
}

/* Delivers every change-set of set (all when NULL) that r receives, in random order, some twice. */
static void deliver_set(struct replica *r, const unsigned char *set, const char *who)
{
	size_t order[MAXCS * 2], n = 0;
	for (size_t i = 0; i < nstore; i++) {
		if ((set && !held(set, i)) || !receives(r, i))
			continue;
		order[n++] = i;
		if (below(4) == 0)
			order[n++] = i;
	}
	for (size_t i = n; i > 1; i--) {
		size_t j = below((unsigned)i), t = order[i - 1];
		order[i - 1] = order[j];
		order[j] = t;
	}
	for (size_t i = 0; i < n; i++) {
		int rc = deliver(r, order[i]);
		SCHECK(rc == 0, "%s: applying %s #%" PRIu64 ": %s", who, store[order[i]].origin, store[order[i]].number,
		       sk_error_last());
	}
}

#endif

/*
 * test_converge.c: invariants 2 (convergence), 3 (reproducible history) and 6 (bad input
 * changes nothing) over the real engine, in memory: seeded random scenarios of ten districts
 * and the city writing through plain SQL, sealing and receiving in random order with
 * duplicates; the clock skew rule; hostile change-sets given to apply.
 * SEED=n replays one scenario; SCENARIOS=n changes how many run (default 1000).
 */
#include <inttypes.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"
#include "hlc.h"
#include "row.h"
#include "testhelp.h"
#include "converge_world.h"

/* ---- the scenarios ---- */

static void scenario(uint64_t seed)
{
	int steps;
	size_t max_bytes;
	char who[64];

	cur_seed = seed;
	rng = seed;
	steps = 12 + (int)below(24);
	max_bytes = below(4) ? 0 : 250 + below(400); /* sometimes several change-sets per seal */
	vclock_ms = 1717200000000LL + (int64_t)below(1000000);
	scenario_failed = 0;
	store_reset();
	for (int d = 0; d < NREP; d++) {
		memset(&reps[d], 0, sizeof(reps[d]));
		reps[d].db = newdb(d);
		reps[d].district = d;
	}
	for (int s = 0; s < steps && !scenario_failed; s++) {
		/* a few busy districts make races likelier */
		int d = below(3) ? (int)below(4) : (int)below(NREP);
		struct replica *r = &reps[d];
		unsigned what = below(10);
		int rc;
		vclock_ms += below(3);
		if (trace) {
			unsigned char dg[SK_HASH_SIZE];
			char hx[65];
			digest_of(r->db, dg);
			sk_hex(hx, dg, 8);
			printf("# step %d at %s %" PRId64 " digest %s hlc %" PRId64 "\n", s, dcode(d), vclock_ms, hx,
			       sk_state_int(r->db, "hlc_last", 0));
		}
		if (what < 5) {
			rc = d ? district_write(r) : city_write(r);
			SCHECK(rc == 0, "write at %s", dcode(d));
		} else if (what < 7) {
			rc = seal(r, max_bytes, NULL);
			SCHECK(rc == 0, "seal at %s: %s", dcode(d), sk_error_last());
		} else if (nstore) {
			int k = 1 + (int)below(3);
			while (k--) {
				size_t i = below((unsigned)nstore);
				if (!receives(r, i))
					continue;
				rc = deliver(r, i);
				SCHECK(rc == 0, "%s applying %s #%" PRIu64 ": %s", dcode(d), store[i].origin, store[i].number,
				       sk_error_last());
			}
		}
	}
	/* everything written is sealed: each replica's rows are now those of what it holds */
	for (int d = 0; d < NREP && !scenario_failed; d++) {
		SCHECK(seal(&reps[d], max_bytes, NULL) == 0, "final seal at %s: %s", dcode(d), sk_error_last());
		check_verify(reps[d].db, dcode(d));
	}
	if (!scenario_failed) {
		/* a fresh database given exactly what one replica holds ends like it */
		int d = (int)below(NREP);
		struct replica fresh = {0};
		fresh.db = newdb(d);
		fresh.district = d;
		snprintf(who, sizeof(who), "fresh copy of %s", dcode(d));
		deliver_set(&fresh, reps[d].held, who);
		check_same(reps[d].db, dcode(d), fresh.db, who);
		check_verify(fresh.db, who);
		sk_db_free(fresh.db);
	}
	if (!scenario_failed && nstore) {
		/* invariant 3: what the origin held when it sealed a change-set reproduces its digest */
		size_t i = below((unsigned)nstore);
		struct replica fresh = {0};
		unsigned char d[SK_HASH_SIZE];
		fresh.district = district_of(store[i].origin);
		fresh.db = newdb(fresh.district);
		snprintf(who, sizeof(who), "restore of %s #%" PRIu64, store[i].origin, store[i].number);
		deliver_set(&fresh, store[i].held, who);
		digest_of(fresh.db, d);
		SCHECK(!memcmp(d, store[i].digest, SK_HASH_SIZE), "%s: digest differs from the recorded one", who);
		check_verify(fresh.db, who);
		sk_db_free(fresh.db);
	}
	if (!scenario_failed) {
		/* everyone gets everything meant for it, in its own order: the city and a fresh city
		 * are equal, and each district's records are the same at the district and the city */
		struct replica fresh = {0};
		fresh.db = newdb(0);
		deliver_set(&fresh, NULL, "fresh city");
		check_verify(fresh.db, "fresh city");
		for (int d = 0; d < NREP && !scenario_failed; d++) {
			deliver_set(&reps[d], NULL, dcode(d));
			check_verify(reps[d].db, dcode(d));
			if (d == 0)
				check_same(fresh.db, "fresh city", reps[d].db, dcode(d));
			else
				check_rows(fresh.db, "fresh city", reps[d].db, dcode(d), dcode(d));
		}
		sk_db_free(fresh.db);
	}
	for (int d = 0; d < NREP; d++)
		sk_db_free(reps[d].db);
}

TEST(converge)
{
	const char *s = getenv("SEED"), *n = getenv("SCENARIOS");
	uint64_t base = 0x5eed0000;
	int count = n && *n ? atoi(n) : 1000, failures = 0;
	trace = getenv("TRACE") != NULL;
	vclock_install();
	if (s && *s) {
		scenario(strtoull(s, NULL, 0));
		store_reset();
		templates_free();
		return;
	}
	for (int i = getenv("FIRST") ? atoi(getenv("FIRST")) : 0; i < count && failures < 5; i++) {
		scenario(base + (uint64_t)i);
		failures += scenario_failed;
	}
	store_reset();
	templates_free();
	vclock_ms = 0;
	printf("# %d scenarios, %d failed\n", count, failures);
}

/* ---- invariant 3: an origin's history replays to the digests it recorded ---- */

TEST(history)
{
	struct replica d = {0}, fresh = {0}, back = {0};
	unsigned char dg[SK_HASH_SIZE];
	size_t n;

	rng = 0x417;
	cur_seed = rng;
	vclock_ms = 1717300000000LL;
	store_reset();
	d.db = newdb(1);
	d.district = 1;
	for (int round = 0; round < 12; round++) {
		for (int k = 0; k < 3; k++)
			CHECK(district_write(&d) == 0);
		vclock_ms += 7;
		CHECK(seal(&d, round % 3 ? 0 : 300, NULL) == 0);
	}
	n = nstore;
	CHECK(n >= 12);
	check_verify(d.db, "the district");
	fresh.db = newdb(0);
	for (size_t i = 0; i < n; i++) {
		CHECK(deliver(&fresh, i) == 0);
		digest_of(fresh.db, dg);
		CHECK_MSG(!memcmp(dg, store[i].digest, SK_HASH_SIZE), "after %s #%" PRIu64 " the digest is not the one recorded",
			  store[i].origin, store[i].number);
		check_verify(fresh.db, "the restore");
	}
	check_same(d.db, "the district", fresh.db, "its restore");
	/* newest first ends the same */
	back.db = newdb(0);
	for (size_t i = n; i-- > 0;)
		CHECK(deliver(&back, i) == 0);
	check_same(fresh.db, "in order", back.db, "newest first");
	sk_db_free(d.db);
	sk_db_free(fresh.db);
	sk_db_free(back.db);
	store_reset();
	vclock_ms = 0;
}

/* ---- clocks that are wrong (sync/hlc.c, prepare() in sync/seal.c) ----
 * The rule: a change-set is flagged CLOCK_AHEAD when its origin's wall clock is more than a
 * day past the highest clock it has received; a clock received from more than a day in the
 * future is not adopted; an office whose own last clock is more than a day past its wall clock
 * flags CLOCK_BEHIND and starts again from the wall clock; sealing stamps every cell above the
 * clock it had, so an edit made after seeing a value always supersedes it. */

static void text_of(struct sk_db *db, const char *q, char *out, size_t n)
{
	sqlite3_stmt *st;
	out[0] = '\0';
	if (sqlite3_prepare_v2(db->h, q, -1, &st, NULL) != SQLITE_OK)
		return;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(out, n, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

static void deliver_all_new(struct replica *r)
{
	for (size_t i = 0; i < nstore; i++)
		if (!held(r->held, i) && receives(r, i))
			CHECK_MSG(deliver(r, i) == 0, "%s applying %s #%" PRIu64 ": %s", r->db->code, store[i].origin,
				  store[i].number, sk_error_last());
}

#define FAST(stmt) do { setenv("SINKRON_CLOCK_OFFSET", YEAR_S, 1); stmt; unsetenv("SINKRON_CLOCK_OFFSET"); } while (0)

TEST(skew)
{
	struct replica city = {0}, d1 = {0}, d2 = {0}, fresh = {0};
	struct sk_seal_result res;
	const int64_t day = sk_hlc_skew_bound_ms(), year = 31536000000LL;
	size_t first_fast, c_name;
	char v[64];
	int rc;

	store_reset();
	vclock_ms = 1717400000000LL;
	city.db = newdb(0);
	d1.db = newdb(1);
	d1.district = 1;
	d2.db = newdb(2);
	d2.district = 2;

	/* the city hears from a district with a right clock and writes a KPJ number */
	CHECK(sql(d2.db, "INSERT INTO workers (id, owner, name) VALUES ('967102-1', '96.71.02', 'Ruth')") == 0);
	CHECK(seal(&d2, 0, NULL) == 0);
	deliver_all_new(&city);
	vclock_ms += 60000;
	CHECK(sql(city.db, "UPDATE workers SET kpj = '24010001' WHERE id = '967102-1'") == 0);
	CHECK(seal(&city, 0, &res) == 0 && res.changesets == 1);

	/* district 1's clock is a year fast: not flagged before it has heard from anyone */
	vclock_ms += 60000;
	CHECK(sql(d1.db, "INSERT INTO workers (id, owner, name, address) VALUES ('967101-1', '96.71.01', 'Yan', 'Jl. A')") == 0);
	first_fast = nstore;
	FAST(rc = seal(&d1, 0, &res));
	CHECK(rc == 0 && res.changesets == 1);
	CHECK(!(store[first_fast].flags & SK_CSF_CLOCK_AHEAD));
	/* once it has, its change-sets say so */
	FAST(deliver_all_new(&d1));
	CHECK(sk_state_int(d1.db, "hlc_seen", 0) > 0 && SK_HLC_MS((uint64_t)sk_state_int(d1.db, "hlc_seen", 0)) < vclock_ms);
	vclock_ms += 1000;
	CHECK(sql(d1.db, "UPDATE workers SET name = 'Yanto' WHERE id = '967101-1'") == 0);
	FAST(rc = seal(&d1, 0, &res));
	CHECK(rc == 0 && (res.flags & SK_CSF_CLOCK_AHEAD) && (store[nstore - 1].flags & SK_CSF_CLOCK_AHEAD));
	CHECK(SK_HLC_MS(store[nstore - 1].hlc_max) > vclock_ms + year - day);

	/* the others are not dragged a year ahead by what they receive */
	vclock_ms += 1000;
	deliver_all_new(&city);
	deliver_all_new(&d2);
	CHECK(SK_HLC_MS((uint64_t)sk_state_int(city.db, "hlc_seen", 0)) <= vclock_ms + day);
	CHECK(SK_HLC_MS((uint64_t)sk_state_int(city.db, "hlc_last", 0)) <= vclock_ms + day);
	CHECK(SK_HLC_MS((uint64_t)sk_state_int(d2.db, "hlc_seen", 0)) <= vclock_ms + day);
	CHECK(SK_HLC_MS((uint64_t)sk_state_int(d2.db, "hlc_last", 0)) <= vclock_ms + day);

	/* the city's own columns of that record are the city's alone: its KPJ number, written
	 * after the fast change-sets arrived, and a later correction of it, hold everywhere */
	vclock_ms += 60000;
	CHECK(sql(city.db, "UPDATE workers SET kpj = '24010002' WHERE id = '967101-1'") == 0);
	CHECK(seal(&city, 0, &res) == 0 && res.changesets == 1);
	CHECK(!(res.flags & (SK_CSF_CLOCK_AHEAD | SK_CSF_CLOCK_BEHIND)));
	CHECK(SK_HLC_MS(store[nstore - 1].hlc_max) <= vclock_ms);
	vclock_ms += 60000;
	CHECK(sql(city.db, "UPDATE workers SET kpj = '24010003' WHERE id = '967101-1'") == 0);
	CHECK(seal(&city, 0, &res) == 0 && res.changesets == 1);
	c_name = nstore - 1;

	/* district 1's clock is put right: its next change-set says the clock was set back, and
	 * cells it had never set carry the true time */
	vclock_ms += 60000;
	deliver_all_new(&d1);
	text_of(d1.db, "SELECT kpj FROM workers WHERE id = '967101-1'", v, sizeof(v));
	CHECK_MSG(!strcmp(v, "24010003"), "district 1 has KPJ '%s'", v);
	CHECK(sql(d1.db, "INSERT INTO workers (id, owner, name) VALUES ('967101-2', '96.71.01', 'Tina')") == 0);
	CHECK(seal(&d1, 0, &res) == 0 && res.changesets == 1);
	CHECK(res.flags & SK_CSF_CLOCK_BEHIND);
	CHECK(!(res.flags & SK_CSF_CLOCK_AHEAD));
	CHECK(SK_HLC_MS(store[nstore - 1].hlc_min) <= vclock_ms);
	CHECK(SK_HLC_MS(store[nstore - 1].hlc_min) > vclock_ms - 1000);

	/* the converse: an edit made after the correction, of a cell set while the clock was
	 * fast, is stamped above what the office saw, so it wins everywhere instead of losing
	 * to its own past for a year */
	vclock_ms += 60000;
	CHECK(sql(d1.db, "UPDATE workers SET name = 'Yanto Corrected' WHERE id = '967101-1'") == 0);
	CHECK(seal(&d1, 0, &res) == 0 && res.changesets == 1);
	CHECK(store[nstore - 1].hlc_max > store[first_fast + 1].hlc_max);

	/* everyone, and a fresh database, ends the same */
	fresh.db = newdb(0);
	for (int round = 0; round < 2; round++) {
		deliver_all_new(&city);
		deliver_all_new(&d1);
		deliver_all_new(&fresh);
	}
	text_of(fresh.db, "SELECT name || '|' || address || '|' || kpj FROM workers WHERE id = '967101-1'", v, sizeof(v));
	CHECK_MSG(!strcmp(v, "Yanto Corrected|Jl. A|24010003"), "fresh has '%s'", v);
	text_of(d1.db, "SELECT name FROM workers WHERE id = '967101-1'", v, sizeof(v));
	CHECK_MSG(!strcmp(v, "Yanto Corrected"), "district 1 has '%s'", v);
	text_of(fresh.db, "SELECT kpj FROM workers WHERE id = '967102-1'", v, sizeof(v));
	CHECK(!strcmp(v, "24010001"));
	check_same(fresh.db, "fresh", city.db, "the city");
	check_rows(fresh.db, "fresh", d1.db, "district 1", "96.71.01");
	check_rows(fresh.db, "fresh", d2.db, "district 2", "96.71.02");
	check_verify(fresh.db, "fresh");
	check_verify(d1.db, "district 1");
	check_verify(city.db, "the city");
	(void)c_name;

	sk_db_free(city.db);
	sk_db_free(d1.db);
	sk_db_free(d2.db);
	sk_db_free(fresh.db);
	store_reset();
	vclock_ms = 0;
}

/* ---- invariant 6: hostile change-sets are refused and change nothing ---- */

struct hostile {
	const char *what, *origin, *table, *col, *pk;
	int op, type, want;
	const char *text;
	int64_t i;
};

/* Encodes cs, decodes it and applies it to db in a transaction committed whatever the outcome, so
 * a refused change-set must have written nothing: the apply's result (SK_ERROR when the commit
 * fails). */
static int encode_apply(struct sk_db *db, const struct sk_changeset *cs)
{
	struct sk_changeset *dec = NULL;
	struct sk_buf enc = SK_BUF_INIT;
	char id[41];
	int rc, applied = 0;

	if ((rc = sk_changeset_encode(&enc, cs)) < 0)
		goto done;
	if ((rc = sk_changeset_decode(&dec, enc.ptr, enc.len, NULL)) < 0)
		goto done;
	sk_blob_id(id, enc.ptr, enc.len);
	if ((rc = sk_db_begin(db)) < 0)
		goto done;
	rc = sk_apply_tx(db, dec, id, id, enc.len, &applied);
	if (sk_db_commit(db) < 0)
		rc = SK_ERROR;
done:
	sk_changeset_free(dec);
	sk_buf_release(&enc);
	return rc;
}

/* Encodes a change-set of one row with one column, decodes it and applies it to db. */
static int apply_hostile(struct sk_db *db, const struct hostile *h, uint64_t number, const struct sk_changeset *also)
{
	struct sk_changeset cs;
	struct sk_cs_table tabs[2];
	struct sk_cs_row row;
	struct sk_value val;
	const char *cols[1] = {h->col};

	memset(&cs, 0, sizeof(cs));
	memset(&row, 0, sizeof(row));
	memset(&val, 0, sizeof(val));
	cs.version = SK_CS_VERSION;
	snprintf(cs.origin, sizeof(cs.origin), "%s", h->origin);
	cs.number = number;
	cs.seq_first = cs.seq_last = 1;
	cs.hlc_min = cs.hlc_max = SK_HLC_MAKE(vclock_ms + 1000, 0);
	val.type = h->type;
	val.i = h->i;
	if (h->text) {
		val.p = (const unsigned char *)h->text;
		val.n = strlen(h->text);
	}
	row.op = h->op;
	row.pk = h->pk;
	row.hlc = cs.hlc_max;
	row.mask = h->op == SK_OP_UPSERT ? 1 : 0;
	row.vals = &val;
	row.operator_name = "mallory";
	row.at = vclock_ms;
	cs.ntables = 0;
	if (also) { /* a good table first, so a refusal must undo it */
		tabs[cs.ntables++] = also->tables[0];
	}
	tabs[cs.ntables].name = h->table;
	tabs[cs.ntables].ncols = 1;
	tabs[cs.ntables].cols = cols;
	tabs[cs.ntables].nrows = 1;
	tabs[cs.ntables].rows = &row;
	cs.ntables++;
	cs.tables = tabs;
	return encode_apply(db, &cs);
}

TEST(hostile)
{
	struct replica d1 = {0}, d2 = {0}, city = {0};
	struct sk_changeset *good = NULL;
	struct sk_buf before = SK_BUF_INIT, after = SK_BUF_INIT;
	unsigned char dg0[SK_HASH_SIZE], dg1[SK_HASH_SIZE];
	static const struct hostile cases[] = {
		{"unknown table", "96.71.01", "payments", "amount", "967101-1", SK_OP_UPSERT, SK_INT, SK_EINVALID, NULL, 5},
		{"unknown column", "96.71.01", "workers", "salary", "967101-1", SK_OP_UPSERT, SK_INT, SK_EINVALID, NULL, 5},
		{"text in an integer column", "96.71.01", "workers", "income", "967101-1", SK_OP_UPSERT, SK_TEXT, SK_EINVALID, "lots", 0},
		{"integer in a text column", "96.71.01", "workers", "name", "967101-1", SK_OP_UPSERT, SK_INT, SK_EINVALID, NULL, 7},
		{"real in an integer column", "96.71.01", "workers", "income", "967101-1", SK_OP_UPSERT, SK_REAL, SK_EINVALID, NULL, 0},
		{"blob in a text column", "96.71.01", "heirs", "name", "967101-2", SK_OP_UPSERT, SK_BLOB, SK_EINVALID, "\x01\x02", 0},
		{"another district's row changed", "96.71.02", "workers", "name", "967101-1", SK_OP_UPSERT, SK_TEXT, SK_ECONFLICT, "Mallory", 0},
		{"another district's row deleted", "96.71.02", "workers", "name", "967101-1", SK_OP_DELETE, SK_NULL, SK_ECONFLICT, NULL, 0},
		{"another district's heir changed", "96.71.02", "heirs", "phone", "967101-2", SK_OP_UPSERT, SK_TEXT, SK_ECONFLICT, "0812", 0},
		{"a row given to another owner", "96.71.01", "workers", "owner", "967101-1", SK_OP_UPSERT, SK_TEXT, SK_ECONFLICT, "96.71.02", 0},
		{"a new row made for another owner", "96.71.01", "workers", "owner", "967101-99", SK_OP_UPSERT, SK_TEXT, SK_ECONFLICT, "96.71.02", 0},
		{"a district setting the city's column", "96.71.01", "workers", "kpj", "967101-1", SK_OP_UPSERT, SK_TEXT, SK_ECONFLICT, "999", 0},
		{"the city changing a district's column", "96.71", "workers", "name", "967101-1", SK_OP_UPSERT, SK_TEXT, SK_ECONFLICT, "Kota", 0},
		{"the city deleting a district's row", "96.71", "workers", "name", "967101-1", SK_OP_DELETE, SK_NULL, SK_ECONFLICT, NULL, 0},
	};
	struct replica *targets[3] = {&city, &d1, &d2};

	store_reset();
	vclock_ms = 1717500000000LL;
	city.db = newdb(0);
	d1.db = newdb(1);
	d1.district = 1;
	d2.db = newdb(2);
	d2.district = 2;
	CHECK(sql(d1.db, "INSERT INTO workers (id, owner, name, income) VALUES ('967101-1', '96.71.01', 'Yan', 1000000);"
		  "INSERT INTO heirs (id, owner, worker_id, name) VALUES ('967101-2', '96.71.01', '967101-1', 'Ina')") == 0);
	CHECK(seal(&d1, 0, NULL) == 0);
	CHECK(sql(d2.db, "INSERT INTO workers (id, owner, name) VALUES ('967102-1', '96.71.02', 'Ruth')") == 0);
	CHECK(seal(&d2, 0, NULL) == 0);
	for (size_t i = 0; i < nstore; i++) {
		CHECK(deliver(&city, i) == 0);
		CHECK(deliver(&d2, i) == 0); /* d2 holds d1's rows too: it must refuse for them as well */
	}
	/* a good change-set of district 2, put in front of a bad table to see it undone */
	CHECK(sql(d2.db, "UPDATE workers SET name = 'Ruth K' WHERE id = '967102-1'") == 0);
	CHECK(seal(&d2, 0, NULL) == 0);
	CHECK(sk_changeset_decode(&good, store[nstore - 1].data, store[nstore - 1].len, NULL) == 0);

	for (size_t c = 0; c < SK_ARRAY_SIZE(cases); c++) {
		for (int k = 0; k < 3; k++) {
			struct sk_db *db = targets[k]->db;
			int64_t n0 = sk_state_int(db, "hlc_last", 0);
			int rc;
			digest_of(db, dg0);
			dump(db, NULL, &before);
			rc = apply_hostile(db, &cases[c], 900 + c, NULL);
			CHECK_MSG(rc == cases[c].want, "%s, at %s: %d (%s), wanted %d", cases[c].what, db->code, rc, sk_error_last(),
				  cases[c].want);
			digest_of(db, dg1);
			dump(db, NULL, &after);
			CHECK_MSG(!memcmp(dg0, dg1, SK_HASH_SIZE), "%s, at %s: digest changed", cases[c].what, db->code);
			CHECK_MSG(before.len == after.len && !memcmp(before.ptr, after.ptr, before.len), "%s, at %s: rows changed",
				  cases[c].what, db->code);
			CHECK_MSG(sk_state_int(db, "hlc_last", 0) == n0, "%s, at %s: the clock moved", cases[c].what, db->code);
			CHECK(sql_count(db, "SELECT count(*) FROM sk_changesets WHERE number >= 900") == 0);
			CHECK(sql_count(db, "SELECT applying FROM sk_ctx") == 0);
		}
		/* the same behind a good table of district 2 (its own name change): all or nothing */
		if (!strcmp(cases[c].origin, "96.71.02") && strcmp(cases[c].table, good->tables[0].name)) {
			struct hostile h = cases[c];
			digest_of(city.db, dg0);
			dump(city.db, NULL, &before);
			CHECK(apply_hostile(city.db, &h, 950 + c, good) == h.want);
			digest_of(city.db, dg1);
			dump(city.db, NULL, &after);
			CHECK(!memcmp(dg0, dg1, SK_HASH_SIZE));
			CHECK(before.len == after.len && !memcmp(before.ptr, after.ptr, before.len));
		}
	}
	/* a second change-set numbered like one applied: refused */
	{
		struct hostile h = {"renumbered", "96.71.01", "workers", "name", "967101-1", SK_OP_UPSERT, SK_TEXT, SK_ECONFLICT, "Again", 0};
		digest_of(city.db, dg0);
		CHECK(apply_hostile(city.db, &h, 1, NULL) == SK_ECONFLICT);
		digest_of(city.db, dg1);
		CHECK(!memcmp(dg0, dg1, SK_HASH_SIZE));
	}
	/* and the databases still work: writes are captured, good change-sets apply */
	CHECK(sql(d1.db, "UPDATE workers SET name = 'Yanto' WHERE id = '967101-1'") == 0);
	CHECK(sql_count(d1.db, "SELECT count(*) FROM sk_outbox") == 1);
	CHECK(seal(&d1, 0, NULL) == 0);
	deliver_all_new(&city);
	check_verify(city.db, "the city");
	check_verify(d1.db, "district 1");
	check_verify(d2.db, "district 2");
	check_rows(city.db, "the city", d1.db, "district 1", "96.71.01");
	sk_changeset_free(good);
	sk_buf_release(&before);
	sk_buf_release(&after);
	sk_db_free(city.db);
	sk_db_free(d1.db);
	sk_db_free(d2.db);
	store_reset();
	vclock_ms = 0;
}

/* A change-set of origin naming n workers by id (ascending), setting each one's name. */
static int apply_names(struct sk_db *db, const char *origin, uint64_t number, char (*ids)[16], size_t n, const char *name)
{
	struct sk_changeset cs;
	struct sk_cs_table tab;
	struct sk_cs_row rows[100];
	struct sk_value val;
	const char *cols[1] = {"name"};

	memset(&cs, 0, sizeof(cs));
	memset(&tab, 0, sizeof(tab));
	memset(rows, 0, sizeof(rows));
	memset(&val, 0, sizeof(val));
	cs.version = SK_CS_VERSION;
	snprintf(cs.origin, sizeof(cs.origin), "%s", origin);
	cs.number = number;
	cs.seq_first = 1;
	cs.seq_last = n;
	cs.hlc_min = cs.hlc_max = SK_HLC_MAKE(vclock_ms + 1000 + (int64_t)number, 0);
	val.type = SK_TEXT;
	val.p = (const unsigned char *)name;
	val.n = strlen(name);
	for (size_t i = 0; i < n; i++) {
		rows[i].op = SK_OP_UPSERT;
		rows[i].pk = ids[i];
		rows[i].hlc = cs.hlc_max;
		rows[i].mask = 1;
		rows[i].vals = &val;
		rows[i].operator_name = "clerk";
		rows[i].at = vclock_ms;
	}
	tab.name = "workers";
	tab.ncols = 1;
	tab.cols = cols;
	tab.nrows = n;
	tab.rows = rows;
	cs.ntables = 1;
	cs.tables = &tab;
	return encode_apply(db, &cs);
}

/*
 * Apply finds the rows a change-set names that are not stored yet by probing spans of its
 * (ascending) keys at once.  Another district's row anywhere in a long change-set, at the edges
 * of the spans too, is still found and refused; rows of the district's own, stored between
 * new ones, are merged, not inserted again.
 */
TEST(spans)
{
	static const size_t at[] = {0, 1, 30, 31, 32, 33, 63, 64, 65, 98, 99};
	char ids[100][16];
	struct sk_buf before = SK_BUF_INIT, after = SK_BUF_INIT;
	unsigned char dg0[SK_HASH_SIZE], dg1[SK_HASH_SIZE];

	vclock_ms = 1717500000000LL;
	for (size_t i = 0; i < 100; i++)
		snprintf(ids[i], sizeof(ids[i]), "967102-%03zu", i);
	for (size_t k = 0; k < SK_ARRAY_SIZE(at); k++) {
		struct replica d1 = {0}, city = {0};
		char q[200];
		store_reset();
		city.db = newdb(0);
		d1.db = newdb(1);
		d1.district = 1;
		/* district 1's worker, with an id among those district 2 is about to send */
		snprintf(q, sizeof(q), "INSERT INTO workers (id, owner, name) VALUES ('%s', '96.71.01', 'Yan')", ids[at[k]]);
		CHECK(sql(d1.db, "%s", q) == 0);
		CHECK(seal(&d1, 0, NULL) == 0);
		CHECK(deliver(&city, 0) == 0);
		digest_of(city.db, dg0);
		dump(city.db, NULL, &before);
		CHECK_MSG(apply_names(city.db, "96.71.02", 1, ids, 100, "Mallory") == SK_ECONFLICT,
			  "district 1's row at %zu of 100: %s", at[k], sk_error_last());
		CHECK(strstr(sk_error_last(), ids[at[k]]) != NULL);
		digest_of(city.db, dg1);
		dump(city.db, NULL, &after);
		CHECK_MSG(!memcmp(dg0, dg1, SK_HASH_SIZE) && before.len == after.len && !memcmp(before.ptr, after.ptr, before.len),
			  "district 1's row at %zu: the city changed", at[k]);
		/* the same change-set without the foreign id goes in whole */
		{
			char rest[99][16];
			size_t n = 0;
			for (size_t i = 0; i < 100; i++)
				if (i != at[k])
					memcpy(rest[n++], ids[i], sizeof(rest[0]));
			CHECK(apply_names(city.db, "96.71.02", 2, rest, n, "Ruth") == 0);
			CHECK(sql_count(city.db, "SELECT count(*) FROM workers WHERE name = 'Ruth'") == 99);
			CHECK(sql_count(city.db, "SELECT count(*) FROM workers WHERE name = 'Yan'") == 1);
		}
		check_verify(city.db, "the city");
		sk_db_free(city.db);
		sk_db_free(d1.db);
	}
	/* district 2's own rows stored here and there: merged in place, the rest inserted */
	{
		struct replica city = {0};
		char some[6][16];
		static const size_t own[] = {0, 31, 32, 50, 64, 99};
		store_reset();
		city.db = newdb(0);
		for (size_t i = 0; i < SK_ARRAY_SIZE(own); i++)
			memcpy(some[i], ids[own[i]], sizeof(some[0]));
		CHECK(apply_names(city.db, "96.71.02", 1, some, SK_ARRAY_SIZE(own), "Old") == 0);
		CHECK(apply_names(city.db, "96.71.02", 2, ids, 100, "New") == 0);
		CHECK(sql_count(city.db, "SELECT count(*) FROM workers") == 100);
		CHECK(sql_count(city.db, "SELECT count(*) FROM workers WHERE name = 'New'") == 100);
		check_verify(city.db, "the city");
		sk_db_free(city.db);
	}
	sk_buf_release(&before);
	sk_buf_release(&after);
	store_reset();
	vclock_ms = 0;
}

/* The row bookkeeping (_sk): what is encoded decodes to the same clocks, in both layouts; the
 * first layout, kept in databases written before the second, still reads; damage is refused. */
TEST(meta)
{
	struct sk_meta m, d;
	struct sk_buf b = SK_BUF_INIT;

	rng = 7;

	for (int trial = 0; trial < 2000; trial++) {
		int ncols = 1 + (int)(rnd() % SK_MAX_COLS), nclocks = (int)(rnd() % 4);
		memset(&m, 0, sizeof(m));
		m.ncols = ncols;
		m.has_hash = (int)(rnd() & 1);
		for (int i = 0; m.has_hash && i < SK_HASH_SIZE; i++)
			m.hash[i] = (unsigned char)rnd();
		for (int c = 0; c < ncols && nclocks; c++) {
			uint64_t pick = rnd() % (uint64_t)(nclocks + 1);
			if (pick) {
				m.cell[c].hlc = SK_HLC_MAKE(1717500000000LL + (int64_t)pick * 977, (unsigned)pick);
				m.cell[c].origin = (uint32_t)pick * 3;
			}
		}
		sk_meta_encode(&b, &m);
		CHECK_MSG(sk_meta_decode(&d, ncols, b.ptr, b.len) == 0 && !memcmp(&m, &d, sizeof(m)),
			  "trial %d: %d columns, up to %d clocks, %zu bytes", trial, ncols, nclocks, b.len);
		/* a row of one clock takes a bitmap, not a byte per column */
		{
			unsigned seen = 0, k = 0;
			for (int c = 0; c < ncols; c++)
				if (m.cell[c].hlc)
					seen |= 1u << m.cell[c].origin / 3;
			for (; seen; seen &= seen - 1)
				k++;
			CHECK_MSG(b.ptr[0] == (k <= 1 ? 2 : 1), "%u clocks: layout %d", k, b.ptr[0]);
			if (k <= 1)
				CHECK(b.len <= 2u + (m.has_hash ? SK_HASH_SIZE : 0) + 1 + 20 + 1 + (unsigned)(ncols + 7) / 8);
		}
		/* any cut short is refused, never read past */
		for (size_t cut = 1; cut < b.len; cut += 1 + b.len / 7)
			CHECK(sk_meta_decode(&d, ncols, b.ptr, cut) == SK_ECORRUPT);
	}
	/* the first layout: two columns on one clock, one never set */
	{
		static const unsigned char v1[] = {1, 0, 1, 0x85, 0x01, 0x07, 3, 0, 255, 0};
		CHECK(sk_meta_decode(&d, 3, v1, sizeof(v1)) == 0);
		CHECK(d.cell[0].hlc == 0x85 && d.cell[0].origin == 7 && d.cell[1].hlc == 0 && d.cell[2].hlc == 0x85);
		memset(&m, 0, sizeof(m));
		m.ncols = 3;
		m.cell[0] = m.cell[2] = d.cell[0];
		sk_meta_encode(&b, &m);
		CHECK(b.len == 8 && b.ptr[0] == 2 && b.ptr[7] == 5); /* columns 0 and 2: bits 0b101 */
	}
	/* a bitmap naming a clock that is not there */
	{
		static const unsigned char bad[] = {2, 0, 0, 3, 1};
		CHECK(sk_meta_decode(&d, 3, bad, sizeof(bad)) == SK_ECORRUPT);
	}
	sk_buf_release(&b);
}

TEST_MAIN(TC(history), TC(skew), TC(hostile), TC(spans), TC(meta), TC(converge))

/*
 * consolidate.c: the city's database built, and kept up to date, from every district branch.
 * Each change-set is checked before it counts: it decodes within bounds, it comes from the
 * district whose branch carries it, it continues that district's chain, its clock is not from
 * the future, it touches only what the district owns (apply.c), and the district's data at the
 * city then has the digest the district recorded.  One that fails is quarantined with the
 * reason; that district's later change-sets wait behind it; every other district goes on.
 * Afterwards the city writes a receipt per district, which its next seal sends back.
 */
#include <stdlib.h>
#include <string.h>

#include "owners.h"
#include "repo.h"
#include "hlc.h"
#include "row.h"

struct district_state {
	const char *code;
	char branch[128];
	int64_t expected;         /* the number the next change-set must have */
	int64_t applied_now;
	int64_t last_number;
	char last_commit[41];
	int64_t last_sealed_ms;
	int stopped;
};

#define REDO 2 /* returned by the walk: undo the run, hold c->redo, run again */

struct consolidator {
	struct {
		char blob[41], commit[41], origin[24], reason[700];
		int64_t number;
	} redo;
	char **redone;         /* quarantined by a digest check, before the run was done again */
	size_t nredone;
	struct sk_db *db;
	struct sk_repo *repo;
	struct sk_repo *local;    /* the city's own repository, holding its branch; NULL: repo is it */
	struct sk_consolidate_result *res;
	struct district_state *d;
	const struct sk_cs_limits *lim;
	sqlite3_stmt *known, *quar_get, *quar_put;
	int city_behind;          /* two districts or more are ahead of the city: its clock is behind */
	sk_progress_fn progress;
	void *payload;
};

static int64_t last_number_of(struct sk_db *db, const char *origin)
{
	sqlite3_stmt *st;
	int64_t n = 0;
	if (sk_db_prepare(db, &st, "SELECT max(n) FROM (SELECT max(number) AS n FROM sk_changesets WHERE origin = ?1 "
				   "UNION ALL SELECT max(number) FROM sk_quarantine WHERE origin = ?1 AND state = 'rejected')") < 0)
		return 0;
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static int quarantine(struct consolidator *c, const struct sk_repo_entry *e, const char *origin, int64_t number,
		      const char *reason)
{
	sqlite3_reset(c->quar_put);
	sqlite3_bind_text(c->quar_put, 1, e->blob, -1, SQLITE_STATIC);
	sqlite3_bind_text(c->quar_put, 2, origin, -1, SQLITE_STATIC);
	if (number > 0)
		sqlite3_bind_int64(c->quar_put, 3, number);
	else
		sqlite3_bind_null(c->quar_put, 3);
	sqlite3_bind_text(c->quar_put, 4, e->commit, -1, SQLITE_STATIC);
	sqlite3_bind_text(c->quar_put, 5, reason, -1, SQLITE_STATIC);
	sqlite3_bind_int64(c->quar_put, 6, sk_wall_ms());
	if (sqlite3_step(c->quar_put) != SQLITE_DONE)
		return sk_db_fail(c->db, "cannot record a quarantined change-set");
	sk_strs_push(&c->res->quarantined, &c->res->nquarantined, sk_printf("%s #%lld: %s", origin, (long long)number, reason));
	c->d->stopped = 1;
	return 1; /* stops this district's walk */
}

struct dest_scan {
	struct sk_db *db;
	const char *code;
	int touched;
	const struct sk_cs_limits *lim;
};

static int scan_dest(void *payload, const struct sk_repo_entry *e)
{
	struct dest_scan *s = payload;
	struct sk_changeset *cs = NULL;
	if (sk_changeset_decode(&cs, e->data, e->len, s->lim) < 0)
		return 0;
	s->touched = sk_owner_touched(s->db, cs, s->code);
	sk_changeset_free(cs);
	return s->touched;
}

/* Whether the district, when it sealed, had applied every change the city made to its records:
 * only then must the digests agree.  marker: the central commit it had applied ("" none).
 * What the city wrote is on its own branch, in its own repository: a repository brought in
 * with --from may hold none of it (a USB stick with the districts' branches only). */
static int digest_comparable(struct consolidator *c, const char *code, const char *marker)
{
	struct sk_repo *own = c->local ? c->local : c->repo;
	struct dest_scan s = {c->db, code, 0, c->lim};
	sqlite3_stmt *st;
	char tip[41];
	int rejected = 0;

	/* after a rejected change-set the district holds what the city refused: its data and the
	 * city's differ by that for good, and receipts show it */
	if (sk_db_prepare(c->db, &st, "SELECT 1 FROM sk_quarantine WHERE origin = ? AND state = 'rejected' LIMIT 1") == 0) {
		sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
		rejected = sqlite3_step(st) == SQLITE_ROW;
		sqlite3_finalize(st);
	}
	if (rejected)
		return 0;
	if (sk_repo_ref(own, SK_REF_CENTRAL, tip) < 0)
		return 1; /* the city has written nothing */
	if (marker[0] && !strcmp(marker, tip))
		return 1;
	if (sk_repo_walk_range(own, tip, marker[0] ? marker : NULL, scan_dest, &s) < 0)
		return 0;
	return !s.touched;
}

/* A clock from the future is accepted where it only supersedes one the city already holds: an
 * office whose clock ran ahead and was corrected stamps an edit of a cell above that cell's
 * clock (seal.c), and nothing else of its change-set goes past the bound.  So the error of a
 * clock that was fast is never released by hand change-set after change-set. */
static int supersedes_only(struct consolidator *c, const struct sk_changeset *cs)
{
	int64_t bound = sk_wall_ms() + sk_hlc_skew_bound_ms();
	int ok = 1;
	for (size_t ti = 0; ok && ti < cs->ntables; ti++) {
		const struct sk_cs_table *ct = &cs->tables[ti];
		const struct sk_table *t = sk_db_table(c->db, ct->name);
		struct sk_rowio io;
		if (!t || sk_rowio_init(&io, c->db, t) < 0)
			return 0;
		for (size_t i = 0; ok && i < ct->nrows; i++) {
			const struct sk_cs_row *r = &ct->rows[i];
			struct sk_value cur[SK_MAX_COLS];
			struct sk_meta m;
			uint64_t top = 0;
			if (SK_HLC_MS(r->hlc) <= bound)
				continue;
			if (sk_rowio_get(&io, r->pk, cur, &m) != 1) {
				ok = 0;
				break;
			}
			for (int k = 0; k < ct->ncols; k++) {
				int col = -1;
				for (int j = 0; j < t->ncols; j++)
					if (!strcmp(t->cols[j], ct->cols[k]))
						col = j;
				if (col >= 0 && (r->op == SK_OP_DELETE || (r->mask >> k & 1)) && m.cell[col].hlc > top)
					top = m.cell[col].hlc;
			}
			/* the sealer stamps one above the cell; a second before it is plenty */
			ok = top && r->hlc > top && r->hlc - top <= SK_HLC_MAKE(1000, 0);
		}
		sk_rowio_release(&io);
	}
	return ok;
}

/* Whether another district's change-sets are ahead of the city's clock by more than the bound too
 * (held for it, or accepted while released): then the city's own clock is behind. */
static int others_ahead(struct consolidator *c, const char *code)
{
	sqlite3_stmt *st;
	int n = 0;
	if (sk_db_prepare(c->db, &st, "SELECT count(DISTINCT origin) FROM (SELECT origin FROM sk_quarantine WHERE state = 'held' AND "
				      "reason LIKE '%clock is wrong%' AND origin != ?1 UNION ALL SELECT origin FROM sk_changesets "
				      "WHERE local = 0 AND origin != ?1 AND origin LIKE '%.%.%' AND (hlc_max >> 16) > ?2)") < 0)
		return 0;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, sk_wall_ms() + sk_hlc_skew_bound_ms());
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n > 0;
}

static int consolidate_entry(void *payload, const struct sk_repo_entry *e)
{
	struct consolidator *c = payload;
	struct district_state *d = c->d;
	struct sk_changeset *cs = NULL;
	const char *state = NULL;
	char reason[700], marker[64];
	unsigned char have[SK_HASH_SIZE];
	int rc, applied = 0, released = 0;

	sqlite3_reset(c->known);
	sqlite3_bind_text(c->known, 1, e->blob, -1, SQLITE_STATIC);
	if (sqlite3_step(c->known) == SQLITE_ROW)
		return 0;
	sqlite3_reset(c->quar_get);
	sqlite3_bind_text(c->quar_get, 1, e->blob, -1, SQLITE_STATIC);
	if (sqlite3_step(c->quar_get) == SQLITE_ROW)
		state = (const char *)sqlite3_column_text(c->quar_get, 0);
	if (state && !strcmp(state, "rejected"))
		return 0;
	if (state && !strcmp(state, "held")) {
		d->stopped = 1;
		c->res->waiting++;
		return 1;
	}
	released = state && !strcmp(state, "released");

	if ((rc = sk_changeset_decode(&cs, e->data, e->len, c->lim)) < 0) {
		snprintf(reason, sizeof(reason), "cannot be read: %s", sk_error_last());
		return quarantine(c, e, d->code, 0, reason);
	}
	if (strcmp(cs->origin, d->code)) {
		snprintf(reason, sizeof(reason), "change-set #%llu on the branch of %s says it comes from %s",
			 (unsigned long long)cs->number, d->code, cs->origin);
		rc = quarantine(c, e, d->code, (int64_t)cs->number, reason);
		goto done;
	}
	if ((int64_t)cs->number != d->expected) {
		if ((int64_t)cs->number < d->expected)
			snprintf(reason, sizeof(reason), "change-set #%llu differs from the #%llu already applied "
				 "(was the office's database restored from an old copy?)",
				 (unsigned long long)cs->number, (unsigned long long)cs->number);
		else
			snprintf(reason, sizeof(reason), "change-set #%llu arrived but #%lld is missing",
				 (unsigned long long)cs->number, (long long)d->expected);
		rc = quarantine(c, e, d->code, (int64_t)cs->number, reason);
		goto done;
	}
	if (!released && !c->city_behind && SK_HLC_MS(cs->hlc_max) > sk_wall_ms() + sk_hlc_skew_bound_ms() &&
	    !supersedes_only(c, cs)) {
		char when[64], ours[64];
		if (others_ahead(c, d->code)) {
			/* a second office ahead by as much: the city's clock is the one behind */
			c->city_behind = 1;
			c->res->city_clock_behind = 1;
		} else {
			sk_hlc_format(when, sizeof(when), cs->hlc_max);
			sk_hlc_format(ours, sizeof(ours), SK_HLC_MAKE(sk_wall_ms(), 0));
			snprintf(reason, sizeof(reason), "the district's clock is wrong: its change-set is stamped %s, more than a day "
				 "ahead of the city's clock (%s); set the date and time of the district's computer right: its next "
				 "change-sets are then accepted, and this one can be released", when, ours);
			rc = quarantine(c, e, d->code, (int64_t)cs->number, reason);
			goto done;
		}
	}
	/* a refused change-set leaves nothing behind (apply checks before it writes), so no
	 * savepoint per change-set: that would copy every page again for each one; any other
	 * failure ends the run, and the transaction is rolled back whole (sk_consolidate) */
	rc = sk_apply_tx(c->db, cs, e->blob, e->commit, e->len, &applied);
	if (sk_apply_refused(rc)) {
		snprintf(reason, sizeof(reason), "%s", sk_error_last());
		rc = quarantine(c, e, d->code, (int64_t)cs->number, reason);
		goto done;
	}
	if (rc < 0)
		goto done;
	sk_manifest_value(marker, sizeof(marker), e->manifest, "central");
	if (!released && sk_owner_digest(c->db, d->code, have) == 0 && memcmp(have, cs->digest, SK_HASH_SIZE) &&
	    digest_comparable(c, d->code, marker)) {
		char h1[2 * SK_HASH_SIZE + 1], h2[2 * SK_HASH_SIZE + 1];
		sk_hex(h1, cs->digest, SK_HASH_SIZE);
		sk_hex(h2, have, SK_HASH_SIZE);
		snprintf(reason, sizeof(reason), "after it the district's data at the city has digest %.16s, but the district "
			 "recorded %.16s: its database and its change-sets disagree", h2, h1);
		/* it is applied already: the whole run is undone and done again with this
		 * change-set held (rare, so cheaper than a savepoint for every one) */
		snprintf(c->redo.blob, sizeof(c->redo.blob), "%s", e->blob);
		snprintf(c->redo.commit, sizeof(c->redo.commit), "%s", e->commit);
		snprintf(c->redo.origin, sizeof(c->redo.origin), "%s", d->code);
		snprintf(c->redo.reason, sizeof(c->redo.reason), "%s", reason);
		c->redo.number = (int64_t)cs->number;
		rc = REDO;
		goto done;
	}
	/* a released one stays in sk_quarantine, 'released' with who decided: the audit trail
	 * ('quarantine --all'); being applied now, it is never looked up there again */
	d->expected++;
	d->applied_now++;
	d->last_number = (int64_t)cs->number;
	snprintf(d->last_commit, sizeof(d->last_commit), "%s", e->commit);
	d->last_sealed_ms = e->time * 1000;
	c->res->changesets++;
	c->res->rows += sk_changeset_rows(cs);
	sk_pause_point("consolidate-applied"); /* inside the consolidation's transaction */
	if (c->progress)
		c->progress(c->payload, "consolidating", c->res->changesets, 0);
	rc = 0;
done:
	sk_changeset_free(cs);
	return rc;
}

static int write_receipt(struct consolidator *c, const struct district_state *d)
{
	unsigned char dg[SK_HASH_SIZE];
	char hex[2 * SK_HASH_SIZE + 1];
	sqlite3_stmt *st;
	int rc;

	if (sk_owner_digest(c->db, d->code, dg) < 0)
		memset(dg, 0, sizeof(dg));
	sk_hex(hex, dg, SK_HASH_SIZE);
	if ((rc = sk_db_prepare(c->db, &st, "INSERT INTO receipts (id, owner, last_number, last_commit, sealed_at, digest, "
					    "consolidated_at) VALUES (?1, ?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (id) DO UPDATE SET "
					    "last_number = ?2, last_commit = ?3, sealed_at = ?4, digest = ?5, consolidated_at = ?6")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, d->code, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, d->last_number);
	sqlite3_bind_text(st, 3, d->last_commit, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, d->last_sealed_ms);
	sqlite3_bind_text(st, 5, hex, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, sk_wall_ms());
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : sk_db_fail(c->db, "cannot write a receipt");
	sqlite3_finalize(st);
	return rc;
}

/* What the city refuses of a district goes in its receipt, in words: the change-set held (its
 * later ones wait behind it) or, failing that, the last one rejected.  Written only when it
 * changed, so a quiet round sends nothing.  1 when the receipt changed. */
static int write_refusal(struct consolidator *c, const struct district_state *d)
{
	sqlite3_stmt *st;
	int64_t number = 0;
	char state[16] = "", *reason = NULL;
	int rc, changed = 0;

	if ((rc = sk_db_prepare(c->db, &st, "SELECT number, state, reason FROM sk_quarantine WHERE origin = ? AND state IN "
					    "('held', 'rejected') ORDER BY state = 'held' DESC, number DESC LIMIT 1")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, d->code, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		number = sqlite3_column_int64(st, 0);
		snprintf(state, sizeof(state), "%s", (const char *)sqlite3_column_text(st, 1));
		reason = sk_strdup((const char *)sqlite3_column_text(st, 2));
	}
	sqlite3_finalize(st);
	if (!state[0])
		rc = sk_db_prepare(c->db, &st, "UPDATE receipts SET refused_number = NULL, refused_state = NULL, refused_reason = NULL "
					       "WHERE id = ?1 AND refused_state IS NOT NULL");
	else
		rc = sk_db_prepare(c->db, &st, "INSERT INTO receipts (id, owner, refused_number, refused_state, refused_reason) "
					       "VALUES (?1, ?1, ?2, ?3, ?4) ON CONFLICT (id) DO UPDATE SET refused_number = ?2, "
					       "refused_state = ?3, refused_reason = ?4 WHERE refused_number IS NOT ?2 OR "
					       "refused_state IS NOT ?3 OR refused_reason IS NOT ?4");
	if (rc < 0)
		goto done;
	sqlite3_bind_text(st, 1, d->code, -1, SQLITE_STATIC);
	if (state[0]) {
		sqlite3_bind_int64(st, 2, number);
		sqlite3_bind_text(st, 3, state, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, reason, -1, SQLITE_STATIC);
	}
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : sk_db_fail(c->db, "cannot write a receipt");
	changed = sqlite3_changes(c->db->h) > 0;
	sqlite3_finalize(st);
done:
	free(reason);
	return rc < 0 ? rc : changed;
}

int sk_consolidate(struct sk_db *db, const char *from, struct sk_consolidate_result *res,
		   sk_progress_fn progress, void *payload)
{
	struct sk_cs_limits lim = SK_CS_LIMITS_DEFAULT;
	struct consolidator c;
	struct district_state *ds = NULL;
	char **refs = NULL;
	size_t nrefs = 0;
	int rc;

	memset(res, 0, sizeof(*res));
	memset(&c, 0, sizeof(c));
	if (!db->is_city)
		return sk_error(SK_EINVALID, "%s is a district's database: consolidation is done by the city", db->name);
	if (from) {
		rc = sk_repo_open(&c.repo, from, 0);
		if (rc == 0 && (rc = sk_local_open(db, &c.local)) < 0)
			sk_repo_free(c.repo);
	} else {
		rc = sk_local_open(db, &c.repo);
	}
	if (rc < 0)
		return rc;
	if ((rc = sk_repo_refs(c.repo, from ? SK_REF_DISTRICT "*" : SK_REF_REMOTE_DISTRICT "*", &refs, &nrefs)) < 0)
		goto out;
	c.db = db;
	c.res = res;
	c.lim = &lim;
	c.progress = progress;
	c.payload = payload;
	ds = sk_calloc(nrefs ? nrefs : 1, sizeof(*ds));
	if ((rc = sk_db_prepare(db, &c.known, "SELECT 1 FROM sk_changesets WHERE id = ?")) < 0 ||
	    (rc = sk_db_prepare(db, &c.quar_get, "SELECT state FROM sk_quarantine WHERE id = ?")) < 0 ||
	    (rc = sk_db_prepare(db, &c.quar_put, "INSERT OR REPLACE INTO sk_quarantine (id, origin, number, commit_id, reason, at, state) "
						 "VALUES (?, ?, ?, ?, ?, ?, 'held')")) < 0)
		goto out;
	/* change-sets of two districts or more held as ahead of the city: the city's clock is the
	 * one behind; they are released, and the run checks no clock against it */
	{
		sqlite3_stmt *st;
		if ((rc = sk_db_prepare(db, &st, "SELECT count(DISTINCT origin), count(held) FROM (SELECT origin, 1 AS held FROM "
						 "sk_quarantine WHERE state = 'held' AND reason LIKE '%clock is wrong%' UNION ALL "
						 "SELECT origin, NULL FROM sk_changesets WHERE local = 0 AND origin LIKE '%.%.%' AND "
						 "(hlc_max >> 16) > ?)")) < 0)
			goto out;
		sqlite3_bind_int64(st, 1, sk_wall_ms() + sk_hlc_skew_bound_ms());
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) >= 2 && sqlite3_column_int(st, 1) >= 1)
			c.city_behind = 1;
		sqlite3_finalize(st);
		if (c.city_behind && (rc = sk_db_exec(db, "UPDATE sk_quarantine SET state = 'released', decided_by = "
						       "'(sinkron: the city''s clock is behind, not theirs)', decided_at = "
						       "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) WHERE state = 'held' "
						       "AND reason LIKE '%clock is wrong%'")) < 0)
			goto out;
	}
again:
	memset(ds, 0, sizeof(*ds) * (nrefs ? nrefs : 1));
	sk_consolidate_result_free(res);
	memset(res, 0, sizeof(*res));
	res->city_clock_behind = c.city_behind;
	for (size_t k = 0; k < c.nredone; k++)
		sk_strs_push(&res->quarantined, &res->nquarantined, sk_strdup(c.redone[k]));
	if ((rc = sk_db_begin(db)) < 0)
		goto out;
	for (size_t i = 0; i < nrefs; i++) {
		const char *code = strrchr(refs[i], '/') + 1;
		struct district_state *d = &ds[i];
		sqlite3_stmt *st;
		int known_district = 0;

		d->code = code;
		snprintf(d->branch, sizeof(d->branch), "%s", refs[i]);
		if (sk_db_prepare(db, &st, "SELECT 1 FROM regions WHERE code = ? AND level = 'district'") == 0) {
			sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
			known_district = sqlite3_step(st) == SQLITE_ROW;
			sqlite3_finalize(st);
		}
		if (!known_district) {
			sk_strs_push(&res->skipped, &res->nskipped, sk_printf("%s: not a district of %s", refs[i], db->name));
			continue;
		}
		d->expected = last_number_of(db, code) + 1;
		c.d = d;
		rc = sk_repo_walk(c.repo, refs[i], consolidate_entry, &c);
		if (rc == REDO) {
			struct sk_repo_entry e;
			sk_db_rollback(db);
			memset(&e, 0, sizeof(e));
			memcpy(e.blob, c.redo.blob, sizeof(e.blob));
			memcpy(e.commit, c.redo.commit, sizeof(e.commit));
			c.d = d;
			if ((rc = sk_db_begin(db)) < 0)
				goto out;
			if ((rc = quarantine(&c, &e, c.redo.origin, c.redo.number, c.redo.reason)) < 0 || (rc = sk_db_commit(db)) < 0)
				goto fail;
			sk_strs_push(&c.redone, &c.nredone, sk_printf("%s #%lld: %.300s", c.redo.origin, (long long)c.redo.number,
								     c.redo.reason));
			goto again;
		}
		if (rc < 0 && rc != SK_ECORRUPT)
			goto fail;
		if (rc == SK_ECORRUPT) {
			/* a damaged object: say which, and go on with the other districts */
			sk_strs_push(&res->quarantined, &res->nquarantined, sk_printf("%s: %s", code, sk_error_last()));
		}
		if (d->applied_now && (rc = write_receipt(&c, d)) < 0)
			goto fail;
		if ((rc = write_refusal(&c, d)) < 0)
			goto fail;
		if (d->applied_now || rc)
			res->districts++;
	}
	if ((rc = sk_db_commit(db)) < 0)
		goto out;
	rc = res->nquarantined ? SK_ECONFLICT : 0;
	if (rc)
		sk_error_set("%zu change-set(s) quarantined: %s", res->nquarantined, res->quarantined[0]);
	goto out;
fail:
	sk_db_rollback(db);
out:
	sqlite3_finalize(c.known);
	sqlite3_finalize(c.quar_get);
	sqlite3_finalize(c.quar_put);
	for (size_t i = 0; i < nrefs; i++)
		free(refs[i]);
	free(refs);
	free(ds);
	sk_strs_free(c.redone, c.nredone);
	sk_repo_free(c.repo);
	sk_repo_free(c.local);
	return rc;
}

void sk_consolidate_result_free(struct sk_consolidate_result *res)
{
	sk_strs_free(res->quarantined, res->nquarantined);
	sk_strs_free(res->skipped, res->nskipped);
	res->quarantined = res->skipped = NULL;
	res->nquarantined = res->nskipped = 0;
}

int sk_quarantine_each(struct sk_db *db, int all, int (*fn)(void *payload, const struct sk_quarantined *q), void *payload)
{
	sqlite3_stmt *st;
	int rc;
	if ((rc = sk_db_prepare(db, &st, "SELECT id, origin, number, commit_id, reason, at, state, decided_by FROM sk_quarantine "
					 "WHERE ? OR state = 'held' ORDER BY origin, number")) < 0)
		return rc;
	sqlite3_bind_int(st, 1, all);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct sk_quarantined q;
		q.id = (const char *)sqlite3_column_text(st, 0);
		q.origin = (const char *)sqlite3_column_text(st, 1);
		q.number = sqlite3_column_int64(st, 2);
		q.commit = (const char *)sqlite3_column_text(st, 3);
		q.reason = (const char *)sqlite3_column_text(st, 4);
		q.at = sqlite3_column_int64(st, 5);
		q.state = (const char *)sqlite3_column_text(st, 6);
		q.decided_by = (const char *)sqlite3_column_text(st, 7);
		if ((rc = fn(payload, &q)) != 0)
			break;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : rc;
}

int sk_quarantine_decide(struct sk_db *db, const char *id, int release)
{
	sqlite3_stmt *st;
	char *like = sk_printf("%s%%", id);
	int rc, n = 0;

	if (strlen(id) < 6) {
		free(like);
		return sk_error(SK_EINVALID, "give at least 6 characters of the change-set id");
	}
	if ((rc = sk_db_begin(db)) < 0) {
		free(like);
		return rc;
	}
	if ((rc = sk_db_prepare(db, &st, "UPDATE sk_quarantine SET state = ?, decided_by = ?, decided_at = ? "
					 "WHERE id LIKE ? AND state = 'held'")) < 0)
		goto fail;
	sqlite3_bind_text(st, 1, release ? "released" : "rejected", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, db->operator_name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, sk_wall_ms());
	sqlite3_bind_text(st, 4, like, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : sk_db_fail(db, "cannot decide on the change-set");
	n = sqlite3_changes(db->h);
	sqlite3_finalize(st);
	if (rc < 0)
		goto fail;
	if (n != 1) {
		if (n)
			rc = sk_error(SK_EINVALID, "'%s' matches %d quarantined change-sets: give more of the id", id, n);
		else
			rc = sk_error_do(SK_ENOTFOUND, SK_DO_QUARANTINE_LIST, NULL, "no held change-set with id '%s'", id);
		goto fail;
	}
	free(like);
	return sk_db_commit(db);
fail:
	free(like);
	sk_db_rollback(db);
	return rc;
}

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
	char redone[8][400];   /* quarantined by a digest check, before the run was done again */
	int nredone;
	struct sk_db *db;
	struct sk_repo *repo;
	struct sk_repo *local;    /* the city's own repository, holding its branch; NULL: repo is it */
	struct sk_consolidate_result *res;
	struct district_state *d;
	const struct sk_cs_limits *lim;
	sqlite3_stmt *known, *quar_get, *quar_put;
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
	if (c->res->nquarantined < SK_ARRAY_SIZE(c->res->quarantined))
		snprintf(c->res->quarantined[c->res->nquarantined], sizeof(c->res->quarantined[0]), "%s #%lld: %s", origin,
			 (long long)number, reason);
	c->res->nquarantined++;
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
	if (sk_repo_ref(own, "refs/heads/central", tip) < 0)
		return 1; /* the city has written nothing */
	if (marker[0] && !strcmp(marker, tip))
		return 1;
	if (sk_repo_walk_range(own, tip, marker[0] ? marker : NULL, scan_dest, &s) < 0)
		return 0;
	return !s.touched;
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
	if (!released && SK_HLC_MS(cs->hlc_max) > sk_wall_ms() + sk_hlc_skew_bound_ms()) {
		char when[64];
		sk_hlc_format(when, sizeof(when), cs->hlc_max);
		snprintf(reason, sizeof(reason), "its clock (%s) is more than a day ahead of the city's: "
			 "check the office's date, then release it", when);
		rc = quarantine(c, e, d->code, (int64_t)cs->number, reason);
		goto done;
	}
	/* a refused change-set leaves nothing behind (apply checks before it writes), so no
	 * savepoint per change-set: that would copy every page again for each one */
	rc = sk_apply_tx(c->db, cs, e->blob, e->commit, e->len, &applied);
	if (rc == SK_EINVALID || rc == SK_ECONFLICT || rc == SK_ECORRUPT) {
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
	if ((rc = sk_repo_refs(c.repo, from ? "refs/heads/district/*" : "refs/remotes/central/district/*", &refs, &nrefs)) < 0)
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
again:
	memset(ds, 0, sizeof(*ds) * (nrefs ? nrefs : 1));
	memset(res, 0, sizeof(*res));
	for (int k = 0; k < c.nredone && (size_t)k < SK_ARRAY_SIZE(res->quarantined); k++)
		snprintf(res->quarantined[k], sizeof(res->quarantined[0]), "%s", c.redone[k]);
	res->nquarantined = (size_t)c.nredone;
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
			if (res->nskipped < SK_ARRAY_SIZE(res->skipped))
				snprintf(res->skipped[res->nskipped], sizeof(res->skipped[0]), "%s: not a district of %s", refs[i], db->name);
			res->nskipped++;
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
			if (c.nredone < (int)SK_ARRAY_SIZE(c.redone))
				snprintf(c.redone[c.nredone++], sizeof(c.redone[0]), "%s #%lld: %.300s", c.redo.origin,
					 (long long)c.redo.number, c.redo.reason);
			goto again;
		}
		if (rc < 0 && rc != SK_ECORRUPT)
			goto fail;
		if (rc == SK_ECORRUPT) {
			/* a damaged object: say which, and go on with the other districts */
			if (res->nquarantined < SK_ARRAY_SIZE(res->quarantined))
				snprintf(res->quarantined[res->nquarantined], sizeof(res->quarantined[0]), "%s: %s", code, sk_error_last());
			res->nquarantined++;
		}
		if (d->applied_now) {
			res->districts++;
			if ((rc = write_receipt(&c, d)) < 0)
				goto fail;
		}
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
	sk_repo_free(c.repo);
	sk_repo_free(c.local);
	return rc;
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
		rc = sk_error(n ? SK_EINVALID : SK_ENOTFOUND, n ? "'%s' matches %d quarantined change-sets: give more of the id"
					: "no held change-set with id '%s' ('sinkron quarantine' lists them)", id, n);
		goto fail;
	}
	free(like);
	return sk_db_commit(db);
fail:
	free(like);
	sk_db_rollback(db);
	return rc;
}

/*
 * local.c: the verbs over a database and its local repository: seal, apply, verify, log, repair.
 * Each starts by reconciling the two (the database is the truth: after a crash between the
 * database COMMIT and the branch update, the branch is moved to what the database recorded).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "owners.h"
#include "repo.h"
#include "row.h"

int sk_seal(struct sk_db *db, size_t max_bytes, struct sk_seal_result *res, sk_progress_fn progress, void *payload)
{
	struct sk_repo *repo = NULL;
	struct sk_sink sink;
	char *branch = sk_local_branch(db), *tip = NULL;
	int rc;

	memset(res, 0, sizeof(*res));
	if ((rc = sk_local_open(db, &repo)) < 0)
		goto done;
	sink.write = sk_repo_sink_write;
	sink.payload = repo;
	if ((rc = sk_db_begin(db)) < 0)
		goto done;
	if ((rc = sk_seal_tx(db, &sink, max_bytes, res, progress, payload)) < 0) {
		sk_db_rollback(db);
		goto done;
	}
	if ((rc = sk_db_commit(db)) < 0)
		goto done;
	sk_pause_point("seal-committed");
	/* only now may the branch show it: a crash before this line is repaired at the next open */
	if (res->changesets && (tip = sk_state_text(db, "tip")))
		rc = sk_repo_set_ref(repo, branch, tip);
done:
	free(tip);
	free(branch);
	sk_repo_free(repo);
	return rc;
}

struct applying {
	struct sk_db *db;
	struct sk_apply_result *res;
	const struct sk_cs_limits *lim;
	sk_progress_fn progress;
	void *payload;
	sqlite3_stmt *known;
	const char *branch;
	char last[41];   /* the last commit of the branch applied or already here */
};

static int apply_entry(void *payload, const struct sk_repo_entry *e)
{
	struct applying *a = payload;
	struct sk_changeset *cs = NULL;
	int rc, applied = 0, known;

	sqlite3_reset(a->known);
	sqlite3_bind_text(a->known, 1, e->blob, -1, SQLITE_STATIC);
	known = sqlite3_step(a->known) == SQLITE_ROW;
	if (known) {
		a->res->skipped++;
		memcpy(a->last, e->commit, sizeof(a->last));
		return 0;
	}
	if ((rc = sk_changeset_decode(&cs, e->data, e->len, a->lim)) < 0) {
		sk_error_set("change-set %s (commit %s on %s): %s", e->blob, e->commit, a->branch, sk_error_last());
		return rc;
	}
	rc = sk_apply_tx(a->db, cs, e->blob, e->commit, e->len, &applied);
	if (rc == 0)
		memcpy(a->last, e->commit, sizeof(a->last));
	if (rc == 0 && applied)
		sk_pause_point("apply-applied"); /* inside the apply's transaction */
	if (rc == 0 && applied) {
		a->res->changesets++;
		a->res->rows += sk_changeset_rows(cs);
		if (a->progress)
			a->progress(a->payload, "applying", a->res->changesets, 0);
	} else if (rc == 0) {
		a->res->skipped++;
	}
	sk_changeset_free(cs);
	return rc;
}

int sk_apply(struct sk_db *db, const char *from, const char *what, struct sk_apply_result *res,
	     sk_progress_fn progress, void *payload)
{
	struct sk_repo *repo = NULL;
	struct sk_cs_limits lim = SK_CS_LIMITS_DEFAULT;
	struct applying a;
	char **refs = NULL, *single = NULL;
	size_t nrefs = 0;
	int rc, failed = 0;

	memset(res, 0, sizeof(*res));
	memset(&a, 0, sizeof(a));
	if (from) {
		if ((rc = sk_repo_open(&repo, from, 0)) < 0)
			return sk_error(SK_ENOTFOUND, "'%s' is not a git repository: give the folder of the central repository "
					"(such as central.git on a USB stick) or of an office's repository (office.git)", from);
	} else if ((rc = sk_local_open(db, &repo)) < 0) {
		return rc;
	}
	if (what) {
		if (!strncmp(what, "refs/", 5) || strlen(what) == 40)
			single = sk_strdup(what);
		else if (!strcmp(what, "central") || !strncmp(what, "district/", 9))
			single = sk_printf(SK_REF_HEADS "%s", what);
		else
			single = sk_printf(SK_REF_DISTRICT "%s", what);
		refs = sk_malloc(sizeof(*refs));
		refs[0] = single;
		nrefs = 1;
	} else {
		/* from another repository: its branches; from the local one: what was fetched */
		const char *dglob = from ? SK_REF_DISTRICT "*" : SK_REF_REMOTE_DISTRICT "*";
		const char *cglob = from ? SK_REF_CENTRAL : SK_REF_REMOTE_CENTRAL;
		char **d = NULL, **c = NULL;
		size_t nd = 0, nc = 0;
		if ((rc = sk_repo_refs(repo, dglob, &d, &nd)) < 0 || (rc = sk_repo_refs(repo, cglob, &c, &nc)) < 0)
			goto done;
		refs = sk_realloc(d, (nd + nc + 1) * sizeof(*refs));
		for (size_t i = 0; i < nc; i++)
			refs[nd + i] = c[i];
		free(c);
		nrefs = nd + nc;
	}
	a.db = db;
	a.res = res;
	a.lim = &lim;
	a.progress = progress;
	a.payload = payload;
	if ((rc = sk_db_prepare(db, &a.known, "SELECT 1 FROM sk_changesets WHERE id = ?")) < 0)
		goto done;
	if ((rc = sk_db_begin(db)) < 0)
		goto done;
	for (size_t i = 0; i < nrefs; i++) {
		a.branch = refs[i];
		a.last[0] = '\0';
		rc = sk_repo_walk(repo, refs[i], apply_entry, &a);
		/* a write failed, not a refusal (sk_apply_tx): part of a change-set may be written, so
		 * the transaction goes whole and nothing of this run is recorded or goes on */
		if (rc < 0 && !sk_apply_refused(rc)) {
			sk_db_rollback(db);
			goto done;
		}
		/* what of the city's a district has applied: its next change-sets name it
		 * ("central:" in the manifest), so the city knows which digests must agree */
		if (!db->is_city && a.last[0] && !strcmp(refs[i] + strlen(refs[i]) - 8, "/central") &&
		    sk_state_set_text(db, "central_applied", a.last) < 0) {
			sk_db_rollback(db);
			rc = SK_ERROR;
			goto done;
		}
		if (rc < 0) {
			/* this branch stops at the change-set that failed; the others go on */
			sk_strs_push(&res->refused, &res->nrefused, sk_printf("%s: %s", refs[i], sk_error_last()));
			failed = rc;
		}
	}
	if ((rc = sk_db_commit(db)) < 0)
		goto done;
	rc = failed;
	if (failed)
		sk_error_set("%s", res->refused[0]);
done:
	sqlite3_finalize(a.known);
	for (size_t i = 0; i < nrefs; i++)
		free(refs[i]);
	free(refs);
	sk_repo_free(repo);
	return rc;
}

void sk_apply_result_free(struct sk_apply_result *res)
{
	sk_strs_free(res->refused, res->nrefused);
	res->refused = NULL;
	res->nrefused = 0;
}

int sk_verify(struct sk_db *db, struct sk_verify_result *res)
{
	unsigned char stored[SK_HASH_SIZE], sum[SK_HASH_SIZE], h[SK_HASH_SIZE];
	int rc = 0;

	memset(res, 0, sizeof(*res));
	memset(sum, 0, sizeof(sum));
	sk_state_blob(db, "digest", stored, SK_HASH_SIZE);
	if ((rc = sk_db_exec(db, "BEGIN")) < 0)
		return rc;
	for (int ti = 0; ti < db->ntables; ti++) {
		const struct sk_table *t = &db->tables[ti];
		struct sk_buf q = SK_BUF_INIT;
		sqlite3_stmt *st;
		sk_buf_puts(&q, "SELECT id, _sk, id IN (SELECT pk FROM sk_outbox WHERE tbl = ?)");
		for (int i = 0; i < t->ncols; i++)
			sk_buf_printf(&q, ", \"%s\"", t->cols[i]);
		sk_buf_printf(&q, " FROM \"%s\"", t->name);
		rc = sk_db_prepare(db, &st, (const char *)q.ptr);
		sk_buf_release(&q);
		if (rc < 0)
			goto done;
		sqlite3_bind_int(st, 1, t->id);
		while (sqlite3_step(st) == SQLITE_ROW) {
			struct sk_value v[SK_MAX_COLS];
			struct sk_meta m;
			const char *pk = (const char *)sqlite3_column_text(st, 0);
			res->rows++;
			if (sk_meta_decode(&m, t->ncols, sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1)) < 0) {
				sk_strs_push(&res->bad, &res->nbad, sk_printf("%s %s: damaged bookkeeping", t->name, pk));
				continue;
			}
			if (!m.has_hash || sqlite3_column_int(st, 2)) {
				/* changed since the last seal: the digest will take it in then */
				res->pending++;
				if (m.has_hash && t->in_digest)
					sk_digest_add(sum, m.hash);
				continue;
			}
			for (int i = 0; i < t->ncols; i++)
				sk_value_from_column(&v[i], st, 3 + i);
			sk_row_hash(h, t, pk, v);
			if (memcmp(h, m.hash, SK_HASH_SIZE)) {
				sk_strs_push(&res->bad, &res->nbad,
					     sk_printf("%s %s: its contents changed without being captured", t->name, pk));
			}
			if (t->in_digest)
				sk_digest_add(sum, h);
		}
		sqlite3_finalize(st);
	}
	/* a replicated row deleted since the last seal is still in the digest until that seal:
	 * its hash is in the outbox entry of its first delete */
	{
		sqlite3_stmt *st;
		if ((rc = sk_db_prepare(db, &st, "SELECT tbl, old FROM sk_outbox o WHERE op = 3 AND old IS NOT NULL AND seq = "
						 "(SELECT min(seq) FROM sk_outbox i WHERE i.tbl = o.tbl AND i.pk = o.pk AND i.op = 3)")) < 0)
			goto done;
		while (sqlite3_step(st) == SQLITE_ROW) {
			const struct sk_table *t = sk_db_table_id(db, sqlite3_column_int(st, 0));
			struct sk_meta m;
			if (!t || !t->in_digest ||
			    sk_meta_decode(&m, t->ncols, sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1)) < 0 ||
			    !m.has_hash)
				continue;
			res->pending++;
			sk_digest_add(sum, m.hash);
		}
		sqlite3_finalize(st);
	}
	sk_hex(res->digest, stored, SK_HASH_SIZE);
	sk_hex(res->recomputed, sum, SK_HASH_SIZE);
	res->ok = !memcmp(stored, sum, SK_HASH_SIZE) && res->nbad == 0;
done:
	sqlite3_exec(db->h, "COMMIT", NULL, NULL, NULL);
	return rc;
}

void sk_verify_result_free(struct sk_verify_result *res)
{
	sk_strs_free(res->bad, res->nbad);
	res->bad = NULL;
	res->nbad = 0;
}

int sk_log(struct sk_db *db, const char *origin, int (*fn)(void *payload, const struct sk_log_entry *e), void *payload)
{
	sqlite3_stmt *st;
	int rc;
	if ((rc = sk_db_prepare(db, &st, "SELECT id, origin, number, commit_id, hlc_max, rows, bytes, digest, at, local, summary "
					 "FROM sk_changesets WHERE ?1 IS NULL OR origin = ?1 ORDER BY at, origin, number")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, origin, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct sk_log_entry e;
		e.id = (const char *)sqlite3_column_text(st, 0);
		e.origin = (const char *)sqlite3_column_text(st, 1);
		e.number = (uint64_t)sqlite3_column_int64(st, 2);
		e.commit = (const char *)sqlite3_column_text(st, 3);
		e.hlc_max = (uint64_t)sqlite3_column_int64(st, 4);
		e.rows = (size_t)sqlite3_column_int64(st, 5);
		e.bytes = (size_t)sqlite3_column_int64(st, 6);
		e.digest = (const char *)sqlite3_column_text(st, 7);
		e.at = sqlite3_column_int64(st, 8);
		e.local = sqlite3_column_int(st, 9);
		e.summary = (const char *)sqlite3_column_text(st, 10);
		if ((rc = fn(payload, &e)) != 0)
			break;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : rc;
}

int sk_pending(struct sk_db *db, struct sk_pending_info *out)
{
	sqlite3_stmt *st;
	int rc;
	memset(out, 0, sizeof(*out));
	if ((rc = sk_db_prepare(db, &st, "SELECT count(*), count(DISTINCT tbl || ' ' || pk), min(at) FROM sk_outbox")) < 0)
		return rc;
	if (sqlite3_step(st) == SQLITE_ROW) {
		out->outbox_entries = (size_t)sqlite3_column_int64(st, 0);
		out->outbox_rows = (size_t)sqlite3_column_int64(st, 1);
		out->oldest_ms = sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	if ((rc = sk_db_prepare(db, &st, "SELECT count(*), coalesce(sum(bytes), 0), coalesce(max(number), 0) FROM sk_changesets "
					 "WHERE local = 1 AND number > coalesce((SELECT value FROM sk_state WHERE key = 'pushed'), 0)")) < 0)
		return rc;
	if (sqlite3_step(st) == SQLITE_ROW) {
		out->unsent = (size_t)sqlite3_column_int64(st, 0);
		out->unsent_bytes = (size_t)sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	out->sealed = (size_t)sk_state_int(db, "number", 0);
	out->pushed = (size_t)sk_state_int(db, "pushed", 0);
	return 0;
}

/* The change-sets after `number` (hlc_max `hlc`) are gone: the rows this office changed since
 * go back into the outbox, and the database forgets that they were sealed. */
static int requeue_after(struct sk_db *db, int64_t number, uint64_t hlc, const char *tip, size_t *requeued)
{
	unsigned char digest[SK_HASH_SIZE];
	struct sk_owner_sums sums;
	sqlite3_stmt *ins = NULL, *st = NULL;
	int rc;

	memset(&sums, 0, sizeof(sums));
	sk_state_blob(db, "digest", digest, SK_HASH_SIZE);
	if ((rc = sk_db_prepare(db, &ins, "INSERT INTO sk_outbox (tbl, pk, op, cols, at, operator, old) "
					  "VALUES (?, ?, ?, ?, ?, 'sinkron repair', ?)")) < 0)
		return rc;
	for (int ti = 0; ti < db->ntables && rc == 0; ti++) {
		const struct sk_table *t = &db->tables[ti];
		char *q = sk_printf("SELECT id, _sk FROM \"%s\"", t->name);
		rc = sk_db_prepare(db, &st, q);
		free(q);
		if (rc < 0)
			break;
		while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
			struct sk_meta m;
			int mine = 0;
			if (sk_meta_decode(&m, t->ncols, sqlite3_column_blob(st, 1), (size_t)sqlite3_column_bytes(st, 1)) < 0)
				continue;
			for (int i = 0; i < t->ncols; i++)
				if (m.cell[i].hlc > hlc && m.cell[i].origin == db->origin)
					mine = 1;
			if (!mine)
				continue;
			sqlite3_reset(ins);
			sqlite3_bind_int(ins, 1, t->id);
			sqlite3_bind_text(ins, 2, (const char *)sqlite3_column_text(st, 0), -1, SQLITE_TRANSIENT);
			sqlite3_bind_int(ins, 3, 2);
			sqlite3_bind_int64(ins, 4, (int64_t)sk_table_all(t));
			sqlite3_bind_int64(ins, 5, sk_wall_ms());
			sqlite3_bind_null(ins, 6);
			if (sqlite3_step(ins) != SQLITE_DONE)
				rc = sk_db_fail(db, "cannot put a row back into the outbox");
			(*requeued)++;
		}
		sqlite3_finalize(st);
		st = NULL;
	}
	/* rows this office deleted since: a delete travels with the row's last hash, which the
	 * seal takes out of the digest; the row is gone, so a stand-in hash is put in first */
	if (rc == 0 && (rc = sk_db_prepare(db, &st, "SELECT tbl, pk FROM sk_tombstones WHERE origin = ? AND hlc > ?")) == 0) {
		sqlite3_bind_text(st, 1, db->code, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, (int64_t)hlc);
		while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
			const struct sk_table *t = sk_db_table_id(db, sqlite3_column_int(st, 0));
			const char *pk = (const char *)sqlite3_column_text(st, 1);
			struct sk_buf b = SK_BUF_INIT;
			struct sk_meta m;
			char *seed;
			if (!t)
				continue;
			memset(&m, 0, sizeof(m));
			m.ncols = t->ncols;
			m.has_hash = 1;
			seed = sk_printf("sinkron repair %d %s", t->id, pk);
			sk_sha256(m.hash, seed, strlen(seed));
			free(seed);
			if (t->in_digest) {
				struct sk_value own;
				sk_digest_add(digest, m.hash);
				memset(&own, 0, sizeof(own));
				own.type = SK_TEXT;
				own.p = (const unsigned char *)db->code;
				own.n = strlen(db->code);
				if (!db->is_city && sk_owner_sums_change(&sums, &own, m.hash, 1) < 0 &&
				    ((rc = sk_owner_sums_flush(db, &sums)) < 0 || sk_owner_sums_change(&sums, &own, m.hash, 1) < 0))
					break;
			}
			sk_meta_encode(&b, &m);
			sqlite3_reset(ins);
			sqlite3_bind_int(ins, 1, t->id);
			sqlite3_bind_text(ins, 2, pk, -1, SQLITE_TRANSIENT);
			sqlite3_bind_int(ins, 3, 3);
			sqlite3_bind_null(ins, 4);
			sqlite3_bind_int64(ins, 5, sk_wall_ms());
			sqlite3_bind_blob(ins, 6, b.ptr, (int)b.len, SQLITE_TRANSIENT);
			if (sqlite3_step(ins) != SQLITE_DONE)
				rc = sk_db_fail(db, "cannot put a deleted row back into the outbox");
			sk_buf_release(&b);
			(*requeued)++;
		}
		sqlite3_finalize(st);
	}
	sqlite3_finalize(ins);
	if (rc == 0)
		rc = sk_owner_sums_flush(db, &sums);
	if (rc == 0)
		rc = sk_state_set_blob(db, "digest", digest, SK_HASH_SIZE);
	if (rc == 0) {
		char *q = sk_printf("DELETE FROM sk_changesets WHERE local = 1 AND origin = '%s' AND number > %lld", db->code,
				    (long long)number);
		rc = sk_db_exec(db, q);
		free(q);
	}
	if (rc == 0)
		rc = sk_state_set_int(db, "number", number);
	if (rc == 0 && sk_state_int(db, "pushed", 0) > number)
		rc = sk_state_set_int(db, "pushed", number);
	if (rc == 0)
		rc = tip ? sk_state_set_text(db, "tip", tip) : sk_db_exec(db, "DELETE FROM sk_state WHERE key = 'tip'");
	return rc;
}

int sk_repair(struct sk_db *db, const struct sk_remote *r, struct sk_repair_result *res)
{
	char *path = sk_repo_path_for_db(db->path), *branch = sk_local_branch(db), *tip = NULL, central[41] = "";
	struct sk_repo *repo = NULL;
	sqlite3_stmt *st = NULL;
	int64_t number = sk_state_int(db, "number", 0), whole = 0;
	char whole_commit[41] = "";
	uint64_t whole_hlc = 0;
	int rc, fd = -1;

	memset(res, 0, sizeof(*res));
	{
		char stamp[32];
		time_t now = time(NULL);
		struct tm tm;
		localtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
		res->kept = sk_printf("%s.damaged-%s", path, stamp);
	}
	if (access(path, F_OK) == 0 && rename(path, res->kept) < 0) {
		rc = sk_error(SK_ERROR, "cannot move the damaged repository '%s' aside: %s", path, strerror(errno));
		free(res->kept);
		res->kept = NULL;
		goto done;
	}
	if (access(res->kept, F_OK) != 0) {
		free(res->kept);
		res->kept = NULL;
	}
	if ((rc = sk_repo_open(&repo, path, 1)) < 0)
		goto done;
	/* the central's copy first, into the empty repository: a fetch takes a commit found here
	 * for one whose files are here too, which a salvaged commit need not be */
	if (r && r->url) {
		if ((rc = sk_fetch_own(db, r, path, &res->fetched)) < 0)
			goto done;
		res->central = 1;
		if (sk_repo_ref(repo, SK_REF_CENTRAL_OWN, central) < 0)
			central[0] = '\0';
	}
	if (res->kept && (rc = sk_repo_salvage(repo, res->kept, &res->salvaged, &res->unreadable)) < 0)
		goto done;
	/* the central's copy must be a part of what this database sealed */
	if (central[0]) {
		if ((rc = sk_db_prepare(db, &st, "SELECT 1 FROM sk_changesets WHERE local = 1 AND commit_id = ?")) < 0)
			goto done;
		sqlite3_bind_text(st, 1, central, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_ROW) {
			rc = sk_error_do(SK_ECONFLICT, SK_DO_RESTORE_REPLACE, NULL, "the central repository holds change-set %.12s "
					 "of this office, which this database does not know: it is an older copy", central);
			goto done;
		}
		sqlite3_finalize(st);
		st = NULL;
	}
	/* the last change-set sealed here that is whole, with all before it */
	if ((rc = sk_db_prepare(db, &st, "SELECT number, commit_id, hlc_max FROM sk_changesets WHERE local = 1 AND origin = ? "
					 "ORDER BY number DESC")) < 0)
		goto done;
	sqlite3_bind_text(st, 1, db->code, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *c = (const char *)sqlite3_column_text(st, 1);
		if (c && sk_repo_complete(repo, c)) {
			whole = sqlite3_column_int64(st, 0);
			snprintf(whole_commit, sizeof(whole_commit), "%s", c);
			whole_hlc = (uint64_t)sqlite3_column_int64(st, 2);
			break;
		}
	}
	sqlite3_finalize(st);
	st = NULL;
	res->whole = (size_t)whole;
	res->lost = (size_t)(number - whole);
	if (whole < number) {
		if ((rc = sk_db_begin(db)) < 0)
			goto done;
		if ((rc = requeue_after(db, whole, whole_hlc, whole ? whole_commit : NULL, &res->requeued)) < 0) {
			sk_db_rollback(db);
			goto done;
		}
		if ((rc = sk_db_commit(db)) < 0)
			goto done;
	}
	if (whole && (rc = sk_repo_set_ref(repo, branch, whole_commit)) < 0)
		goto done;
	/* the fetched copy has served: the next round fetches as usual */
	if (sk_repo_guard(path, SK_GUARD_NET, &fd) == 0) {
		char *ref = sk_printf("%s/" SK_REF_CENTRAL_OWN, path);
		unlink(ref);
		free(ref);
		sk_repo_unguard(fd);
	}
	rc = 0;
done:
	sqlite3_finalize(st);
	sk_repo_free(repo);
	free(tip);
	free(branch);
	free(path);
	return rc;
}

void sk_repair_result_free(struct sk_repair_result *res)
{
	free(res->kept);
	res->kept = NULL;
}

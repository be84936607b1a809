/*
 * restore.c: a district, or the whole city, rebuilt as it was at a past point from the local
 * repository alone and checked against the digests the change-sets recorded; the restored
 * database adopted as the live one (--replace); undo of a district's recent changes as new
 * change-sets.  README.md "Restoring" gives the rules (which clock a date is read by, what a
 * checkpoint is).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "history.h"
#include "owners.h"
#include "row.h"

#define CHECKPOINT_EVERY 200   /* change-sets applied between two checkpoints, at least */
#define CHECKPOINTS_PER_HISTORY 200

/* ---- building ---- */

static int apply_item(struct sk_hist *r, struct sk_db *db, struct sk_hist_branch *b)
{
	struct sk_hist_item *it = &b->v[b->have];
	struct sk_cs_limits lim = SK_CS_LIMITS_DEFAULT;
	struct sk_changeset *cs = NULL;
	int rc, applied;
	if ((rc = sk_hist_item_load(r, b, b->have)) < 0)
		return rc;
	if ((rc = sk_changeset_decode(&cs, it->data, it->len, &lim)) < 0)
		return sk_error(rc, "change-set %s (commit %s on %s): %s", it->blob, it->commit, b->ref, sk_error_last());
	rc = sk_apply_tx(db, cs, it->blob, it->commit, it->len, &applied);
	sk_hist_cp_note(r, sk_changeset_rows(cs));
	sk_changeset_free(cs);
	if (rc < 0)
		return sk_error(rc, "cannot apply change-set %s #%llu (commit %s): %s", b->origin,
				(unsigned long long)it->number, it->commit, sk_error_last());
	b->have++;
	r->res->applied++;
	r->since_checkpoint++;
	if (r->o->progress)
		r->o->progress(r->o->payload, "restoring", r->res->applied + r->res->from_checkpoint, 0);
	return 0;
}

static int checkpoint_now(struct sk_hist *r, struct sk_db *db)
{
	int rc;
	if (!r->checkpoints || r->since_checkpoint < r->every)
		return 0;
	if ((rc = sk_db_commit(db)) < 0)
		return rc;
	sk_hist_cp_write(r, db);
	r->since_checkpoint = 0;
	return sk_db_begin(db);
}

static int digest_is(struct sk_db *db, const unsigned char *want)
{
	unsigned char have[SK_HASH_SIZE];
	sk_state_blob(db, "digest", have, SK_HASH_SIZE);
	return !memcmp(have, want, SK_HASH_SIZE);
}

/* A district as it recorded itself: its change-sets in order, each after the city's change-sets
 * it had applied by then, the digest checked after each one. */
static int build_district(struct sk_hist *r, struct sk_db *db)
{
	struct sk_hist_branch *own = &r->b[r->own], *cen = r->central >= 0 ? &r->b[r->central] : NULL;
	int rc;
	while (own->have < own->target) {
		struct sk_hist_item *it = &own->v[own->have];
		if (it->central[0]) {
			long k = cen ? sk_hist_find_commit(cen, it->central) : -1;
			if (k < 0)
				return sk_error(SK_ENOTFOUND, "change-set %s #%llu was sealed after the city's change-set %.12s, which "
						"the local repository '%s' does not hold", own->origin,
						(unsigned long long)it->number, it->central, sk_repo_dir(r->repo));
			while (cen->have < (size_t)k + 1)
				if ((rc = apply_item(r, db, cen)) < 0)
					return rc;
		}
		if ((rc = apply_item(r, db, own)) < 0)
			return rc;
		if (!digest_is(db, it->digest) && !it->central[0] && cen) {
			/* sealed without naming what it had of the city's: the first prefix of the
			 * city's change-sets that gives the recorded digest is what it had */
			while (cen->have < cen->n && !digest_is(db, it->digest))
				if ((rc = apply_item(r, db, cen)) < 0)
					return rc;
		}
		if (!digest_is(db, it->digest)) {
			if (!r->first_bad)
				r->first_bad = own->have;
			continue;
		}
		if (!r->first_bad && (rc = checkpoint_now(r, db)) < 0)
			return rc;
	}
	return 0;
}

struct step {
	uint64_t eff;
	int b;
	size_t i;
};

static int cmp_step(const void *x, const void *y)
{
	const struct step *a = x, *b = y;
	if (a->eff != b->eff)
		return a->eff < b->eff ? -1 : 1;
	if (a->b != b->b)
		return a->b < b->b ? -1 : 1;
	return a->i < b->i ? -1 : a->i > b->i;
}

/* The city: every branch's wanted change-sets in date order (which makes the checkpoints
 * written on the way useful to any later date). */
static int build_city(struct sk_hist *r, struct sk_db *db)
{
	struct step *s;
	size_t n = 0, k = 0;
	int rc = 0;
	for (int i = 0; i < r->nb; i++)
		if (r->b[i].target > r->b[i].have)
			n += r->b[i].target - r->b[i].have;
	s = sk_malloc(sizeof(*s) * (n ? n : 1));
	for (int i = 0; i < r->nb; i++)
		for (size_t j = r->b[i].have; j < r->b[i].target; j++) {
			s[k].eff = r->b[i].v[j].eff;
			s[k].b = i;
			s[k].i = j;
			k++;
		}
	qsort(s, n, sizeof(*s), cmp_step);
	for (k = 0; k < n; k++) {
		if ((rc = apply_item(r, db, &r->b[s[k].b])) < 0)
			break;
		if (k + 1 < n && s[k + 1].eff != s[k].eff && (rc = checkpoint_now(r, db)) < 0)
			break;
	}
	free(s);
	return rc;
}

/* ---- checks ---- */

static int central_touches(struct sk_db *db, const struct sk_hist_item *it, const char *code)
{
	struct sk_cs_limits lim = SK_CS_LIMITS_DEFAULT;
	struct sk_changeset *cs = NULL;
	int touched;
	if (sk_changeset_decode(&cs, it->data, it->len, &lim) < 0)
		return 1;
	touched = sk_owner_touched(db, cs, code);
	sk_changeset_free(cs);
	return touched;
}

/* The digest of the rows a district owns in db. */
static int owner_digest(struct sk_db *db, const char *code, unsigned char out[SK_HASH_SIZE])
{
	memset(out, 0, SK_HASH_SIZE);
	for (int ti = 0; ti < db->ntables; ti++) {
		const struct sk_table *t = &db->tables[ti];
		sqlite3_stmt *st;
		char *q;
		if (!t->in_digest)
			continue;
		q = sk_printf("SELECT _sk FROM \"%s\" WHERE owner = ?", t->name);
		int rc = sk_db_prepare(db, &st, q);
		free(q);
		if (rc < 0)
			return rc;
		sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
		while (sqlite3_step(st) == SQLITE_ROW) {
			struct sk_meta m;
			if (sk_meta_decode(&m, t->ncols, sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0)) == 0 &&
			    m.has_hash)
				sk_digest_add(out, m.hash);
		}
		sqlite3_finalize(st);
	}
	return 0;
}

/* The city: each district's rows against the digest it recorded, wherever the city's own
 * change-sets in between touched none of them (otherwise nothing was recorded to compare). */
static int check_city(struct sk_hist *r, struct sk_db *db)
{
	struct sk_hist_branch *cen = r->central >= 0 ? &r->b[r->central] : NULL;
	for (int i = 0; i < r->nb; i++) {
		struct sk_hist_branch *b = &r->b[i];
		struct sk_hist_item *it;
		unsigned char have[SK_HASH_SIZE];
		size_t from = 0, to = cen ? cen->have : 0;
		int comparable = 1, rc;
		if (b->is_central || !b->have)
			continue;
		it = &b->v[b->have - 1];
		if (it->central[0]) {
			long k = cen ? sk_hist_find_commit(cen, it->central) : -1;
			if (k < 0 || (size_t)k >= to)
				comparable = 0;
			else
				from = (size_t)k + 1;
		}
		for (size_t j = from; comparable && j < to; j++) {
			if ((rc = sk_hist_item_load(r, cen, j)) < 0)
				return rc;
			if (central_touches(db, &cen->v[j], b->origin))
				comparable = 0;
		}
		if (!comparable)
			continue;
		if ((rc = owner_digest(db, b->origin, have)) < 0)
			return rc;
		r->res->checked++;
		if (memcmp(have, it->digest, SK_HASH_SIZE)) {
			char h1[2 * SK_HASH_SIZE + 1], h2[2 * SK_HASH_SIZE + 1];
			sk_hex(h1, have, SK_HASH_SIZE);
			sk_hex(h2, it->digest, SK_HASH_SIZE);
			return sk_error(SK_ECORRUPT, "DIGEST MISMATCH: district %s's rows restored to its change-set #%llu have digest "
					"%.16s, but that change-set recorded %.16s", b->origin, (unsigned long long)it->number, h1, h2);
		}
	}
	return 0;
}

/* PRAGMA integrity_check of the database at path, on a connection of its own, so that it can
 * run beside the digest's recomputation (sk_verify) on another core. */
struct integrity {
	const char *path;
	int ok;
	pthread_t thread;
	int started;
};

static void *integrity_run(void *payload)
{
	struct integrity *c = payload;
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	c->ok = 0;
	if (sqlite3_open_v2(c->path, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		c->ok = !strcmp((const char *)sqlite3_column_text(st, 0), "ok");
	sqlite3_finalize(st);
	sqlite3_close(h);
	return NULL;
}

static void integrity_start(struct integrity *c, const char *path)
{
	c->path = path;
	c->ok = 0;
	c->started = sqlite3_threadsafe() && pthread_create(&c->thread, NULL, integrity_run, c) == 0;
}

/* 1 when the check said ok (run here if no thread was started) */
static int integrity_result(struct integrity *c)
{
	if (c->started)
		pthread_join(c->thread, NULL);
	else
		integrity_run(c);
	c->started = 0;
	return c->ok;
}

/* ---- the restore ---- */

void sk_hist_release(struct sk_hist *r)
{
	for (int i = 0; i < r->nb; i++)
		sk_hist_branch_release(&r->b[i]);
	r->nb = 0;
	sk_repo_free(r->repo);
	r->repo = NULL;
}

/* Who the office is: from its database, else (lost or damaged) from its repository. */
static int identify(struct sk_hist *r)
{
	struct sk_db *db = NULL;
	char **refs = NULL;
	size_t n = 0;
	char tip[41];
	int rc;
	if (sk_db_open(&db, r->dbpath) == 0) {
		snprintf(r->code, sizeof(r->code), "%s", sk_db_code(db));
		snprintf(r->city, sizeof(r->city), "%s", db->city);
		r->is_city = sk_db_is_city(db);
		sk_db_free(db);
		return 0;
	}
	sk_error_clear();
	if ((rc = sk_repo_refs(r->repo, SK_REF_DISTRICT "*", &refs, &n)) < 0)
		return rc;
	if (n == 1) {
		snprintf(r->code, sizeof(r->code), "%s", refs[0] + strlen(SK_REF_DISTRICT));
		snprintf(r->city, sizeof(r->city), "%.5s", r->code);
	} else if (sk_repo_ref(r->repo, SK_REF_CENTRAL, tip) == 0) {
		int idx;
		if ((rc = sk_hist_load_branch(r, SK_REF_CENTRAL, 1, &idx)) == 0) {
			snprintf(r->code, sizeof(r->code), "%s", r->b[idx].origin);
			snprintf(r->city, sizeof(r->city), "%s", r->code);
			r->is_city = 1;
		}
		sk_hist_branch_release(&r->b[idx]);
		r->nb = 0;
	}
	for (size_t i = 0; i < n; i++)
		free(refs[i]);
	free(refs);
	if (!r->code[0])
		return sk_error(SK_ENOTFOUND, "cannot tell which office '%s' belongs to: its database cannot be opened and "
				"its repository names no single office", r->dbpath);
	return 0;
}

int sk_hist_open(struct sk_hist *r, const char *dbpath)
{
	char *path = sk_repo_path_for_db(dbpath);
	size_t n;
	int rc;
	r->dbpath = dbpath;
	r->own = r->central = -1;
	rc = sk_repo_open(&r->repo, path, 0);
	n = strlen(path);
	snprintf(r->cpdir, sizeof(r->cpdir), "%.*s.checkpoints", (int)(n > 4 ? n - 4 : n), path);
	free(path);
	if (rc < 0)
		return sk_error(rc, "%s (restore reads the office's repository beside its database)", sk_error_last());
	return identify(r);
}

/* The database of the point, built into tmp (created), checked; *out open on success. */
static int build(struct sk_hist *r, const char *tmp, struct sk_db **out)
{
	struct sk_db *db = NULL;
	struct sk_verify_result vr;
	struct integrity ic = {0};
	int rc, used = 0;

	*out = NULL;
	for (int i = 0; i < r->nb; i++)
		r->b[i].have = 0;
	r->cp_base[0] = r->cp_root[0] = '\0';
	if (r->checkpoints && (used = sk_hist_cp_use(r, tmp))) {
		char *txt = sk_printf("%s.txt", r->cp_used), line[200];
		unsigned char want[SK_HASH_SIZE];
		FILE *f = fopen(txt, "r");
		int good = 0;
		free(txt);
		if (f) {
			while (fgets(line, sizeof(line), f))
				if (!strncmp(line, "digest: ", 8)) {
					line[strcspn(line, "\n")] = '\0';
					good = sk_unhex(want, SK_HASH_SIZE, line + 8) == 0;
				}
			fclose(f);
		}
		if (!good || sk_db_open(&db, tmp) < 0 || !digest_is(db, want)) {
			/* a damaged checkpoint is thrown away, and the restore starts from nothing */
			sk_db_free(db);
			db = NULL;
			unlink(tmp);
			sk_hist_cp_discard(r->cp_used);
			if (r->cp_root[0]) {
				/* the full checkpoint its chain of deltas starts from may be what is damaged */
				char *root = sk_printf("%s/%s", r->cpdir, r->cp_root);
				sk_hist_cp_discard(root);
				free(root);
			}
			r->cp_used[0] = r->cp_base[0] = r->cp_root[0] = '\0';
			r->res->from_checkpoint = 0;
			for (int i = 0; i < r->nb; i++)
				r->b[i].have = 0;
			used = 0;
		}
	}
	if (!used && (rc = sk_db_create(&db, tmp, r->build_code, r->build_city, NULL)) < 0)
		return rc;
	sqlite3_exec(db->h, "PRAGMA synchronous = OFF", NULL, NULL, NULL);
	sk_hist_cp_track(r, db); /* the rows written from here on make the next checkpoint a delta */
	if ((rc = sk_db_begin(db)) < 0)
		goto fail;
	rc = r->mode == MODE_DISTRICT ? build_district(r, db) : build_city(r, db);
	if (rc < 0) {
		sk_db_rollback(db);
		goto fail;
	}
	if ((rc = sk_db_commit(db)) < 0)
		goto fail;
	integrity_start(&ic, tmp);
	if ((rc = sk_verify(db, &vr)) == 0) {
		snprintf(r->res->digest, sizeof(r->res->digest), "%s", vr.recomputed);
		r->res->rows = vr.rows;
		if (!vr.ok)
			rc = sk_error(SK_ECORRUPT, "DIGEST MISMATCH: the restored rows add up to %.16s but their bookkeeping "
				      "says %.16s%s", vr.recomputed, vr.digest, vr.nbad ? vr.bad[0] : "");
	}
	sk_verify_result_free(&vr);
	if (rc < 0)
		goto fail;
	if (r->mode == MODE_DISTRICT) {
		struct sk_hist_branch *own = &r->b[r->own];
		struct sk_hist_item *it = &own->v[own->target - 1];
		sk_hex(r->res->recorded, it->digest, SK_HASH_SIZE);
		r->res->checked = 1;
		if (strcmp(r->res->recorded, r->res->digest) || r->first_bad) {
			rc = sk_error(SK_ECORRUPT, "DIGEST MISMATCH: district %s restored at its change-set #%llu has digest %.16s, "
				      "but that change-set recorded %.16s%s", own->origin, (unsigned long long)it->number,
				      r->res->digest, r->res->recorded, r->first_bad ? " (the first to differ: #" : "");
			if (r->first_bad)
				sk_error_set("%s%zu)", sk_error_last(), r->first_bad);
			goto fail;
		}
		r->res->verified = 1;
	} else {
		if ((rc = check_city(r, db)) < 0)
			goto fail;
		if (r->mode == MODE_SNAPSHOT) {
			sk_hex(r->res->recorded, r->snap_digest, SK_HASH_SIZE);
			r->res->checked++;
			if (strcmp(r->res->recorded, r->res->digest)) {
				rc = sk_error(SK_ECORRUPT, "DIGEST MISMATCH: the snapshot recorded digest %.16s, the restore gives %.16s",
					      r->res->recorded, r->res->digest);
				goto fail;
			}
		}
		r->res->verified = r->res->checked > 0;
	}
	if (!integrity_result(&ic)) {
		rc = sk_error(SK_ECORRUPT, "the restored database fails PRAGMA integrity_check");
		goto fail;
	}
	/* the final state is a checkpoint too when much was applied to reach it (beyond the
	 * spacing: a point between two checkpoints is already near one) */
	if (r->since_checkpoint >= r->every)
		sk_hist_cp_write(r, db);
	sk_hist_cp_untrack(r);
	*out = db;
	return 0;
fail:
	if (ic.started)
		integrity_result(&ic);
	sk_hist_cp_untrack(r);
	sk_db_free(db);
	return rc;
}

static void fill_branches(struct sk_hist *r)
{
	free(r->res->branch);
	r->res->branch = r->nb ? sk_calloc((size_t)r->nb, sizeof(*r->res->branch)) : NULL;
	r->res->nbranches = 0;
	for (int i = 0; i < r->nb; i++) {
		struct sk_hist_branch *b = &r->b[i];
		struct sk_restore_branch *o = &r->res->branch[r->res->nbranches];
		if (r->mode == MODE_DISTRICT && i != r->own && i != r->central)
			continue;
		memset(o, 0, sizeof(*o));
		snprintf(o->origin, sizeof(o->origin), "%s", b->origin);
		o->total = b->n;
		o->number = b->have;
		if (b->have) {
			struct sk_hist_item *it = &b->v[b->have - 1];
			memcpy(o->commit, it->commit, 41);
			o->clock = it->clock;
			o->time = it->time;
			o->flags = it->flags;
		}
		r->res->nbranches++;
	}
}

static int fsync_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;
	if (fd < 0)
		return 0;
	if (fsync(fd) < 0)
		rc = sk_error(SK_ERROR, "cannot write '%s': %s", path, strerror(errno));
	close(fd);
	return rc;
}

/* The half-built copies (out.restoring-PID) of restores that were killed: copies of the
 * register, removed once their process is gone (a live one's is left alone). */
static void clear_killed_restores(const char *out)
{
	const char *slash = strrchr(out, '/');
	char *dir = slash ? sk_strndup(out, (size_t)(slash - out)) : sk_strdup(".");
	char *prefix = sk_printf("%s.restoring-", slash ? slash + 1 : out);
	size_t pl = strlen(prefix);
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		char *end, *path;
		long pid;
		if (strncmp(e->d_name, prefix, pl))
			continue;
		pid = strtol(e->d_name + pl, &end, 10);
		if (pid <= 0 || *end || pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		path = sk_printf("%s/%s", dir, e->d_name);
		sk_hist_unlink_db(path);
		free(path);
	}
	if (d)
		closedir(d);
	free(prefix);
	free(dir);
}

static int same_file(const char *a, const char *b)
{
	struct stat x, y;
	if (stat(a, &x) < 0 || stat(b, &y) < 0)
		return !strcmp(a, b);
	return x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

/* The restored database becomes the office's live one: its own change-sets count as sealed
 * here and its clock, row ids and settings go on from the database it replaces. */
static int adopt(struct sk_hist *r, struct sk_db *db, const char *live)
{
	struct sk_hist_branch *own = NULL;
	uint64_t clock = 0;
	int rc;
	char *q;
	for (int i = 0; i < r->nb; i++)
		if (!strcmp(r->b[i].origin, r->code))
			own = &r->b[i];
	if ((rc = sk_db_begin(db)) < 0)
		return rc;
	for (int i = 0; i < r->nb; i++)
		if (r->b[i].have && r->b[i].v[r->b[i].have - 1].clock > clock)
			clock = r->b[i].v[r->b[i].have - 1].clock;
	q = sk_printf("UPDATE sk_changesets SET local = 1 WHERE origin = '%s'", r->code);
	rc = sk_db_exec(db, q);
	free(q);
	if (rc == 0 && own && own->have) {
		rc = sk_state_set_int(db, "number", (int64_t)own->have);
		if (rc == 0)
			rc = sk_state_set_text(db, "tip", own->v[own->have - 1].commit);
	}
	if (rc == 0 && (int64_t)clock > sk_state_int(db, "hlc_last", 0))
		rc = sk_state_set_int(db, "hlc_last", (int64_t)clock);
	if (rc == 0 && access(live, F_OK) == 0) {
		/* settings (the central's address, budgets) and the id counter from the old file */
		sqlite3_stmt *st;
		if (sk_db_prepare(db, &st, "ATTACH ? AS old") == 0) {
			sqlite3_bind_text(st, 1, live, -1, SQLITE_STATIC);
			if (sqlite3_step(st) == SQLITE_DONE) {
				sqlite3_exec(db->h, "INSERT OR REPLACE INTO main.settings SELECT * FROM old.settings; "
						    "INSERT OR REPLACE INTO main.sk_state SELECT * FROM old.sk_state "
						    "WHERE key IN ('id_ms', 'pushed', 'hlc_seen') AND "
						    "value > coalesce((SELECT value FROM main.sk_state m WHERE m.key = old.sk_state.key), 0)",
					     NULL, NULL, NULL);
			}
			sqlite3_finalize(st);
		}
	}
	if (rc == 0 && own && sk_state_int(db, "pushed", 0) > (int64_t)own->have)
		rc = sk_state_set_int(db, "pushed", (int64_t)own->have);
	if (rc == 0 && sk_state_int(db, "id_ms", 0) < sk_wall_ms())
		rc = sk_state_set_int(db, "id_ms", sk_wall_ms());
	if (rc < 0) {
		sk_db_rollback(db);
		return rc;
	}
	rc = sk_db_commit(db);
	sqlite3_exec(db->h, "DETACH old", NULL, NULL, NULL);
	return rc;
}

/* Prepares the restore: repository, branches and the point. */
static int plan(struct sk_hist *r, const char *dbpath, const struct sk_restore_opts *o, struct sk_restore_result *res)
{
	int rc;
	memset(r, 0, sizeof(*r));
	r->o = o;
	r->res = res;
	r->checkpoints = !o->no_checkpoints && !getenv("SINKRON_NO_CHECKPOINTS");
	/* $SINKRON_CHECKPOINT_EVERY: tests make small histories */
	r->every = getenv("SINKRON_CHECKPOINT_EVERY") ? (size_t)atol(getenv("SINKRON_CHECKPOINT_EVERY")) : CHECKPOINT_EVERY;
	if (r->every < 2)
		r->every = 2;
	if ((rc = sk_hist_open(r, dbpath)) < 0)
		return rc;
	if (o->district && !r->is_city && strcmp(o->district, r->code))
		return sk_error(SK_EINVALID, "this is district %s's database: it holds no history of %s", r->code, o->district);
	if (!r->is_city || o->district) {
		const char *code = o->district ? o->district : r->code;
		r->mode = MODE_DISTRICT;
		if ((rc = sk_hist_load_district(r, code)) < 0)
			return rc;
	} else {
		r->mode = MODE_CITY;
		if ((rc = sk_hist_load_city(r)) < 0)
			return rc;
		if (!r->nb)
			return sk_error(SK_ENOTFOUND, "the city's repository '%s' holds no change-set: sync first",
					sk_repo_dir(r->repo));
	}
	if ((rc = sk_hist_choose(r, o->at, o->district)) < 0)
		return rc;
	if (!getenv("SINKRON_CHECKPOINT_EVERY")) {
		/* about two hundred per full history (most of them small deltas, each of the rows
		 * written since the one before), so that none is far from any point */
		size_t total = 0;
		for (int i = 0; i < r->nb; i++)
			total += r->b[i].n;
		if (total / CHECKPOINTS_PER_HISTORY > r->every)
			r->every = total / CHECKPOINTS_PER_HISTORY;
	}
	if (r->mode == MODE_DISTRICT) {
		snprintf(r->build_code, sizeof(r->build_code), "%s", r->b[r->own].origin);
		r->build_city = 0;
		snprintf(r->kind, sizeof(r->kind), "district %s", r->build_code);
		for (int i = 0; i < r->nb; i++)
			if (i != r->own)
				r->b[i].target = r->b[i].n; /* only what the district named is taken */
	} else {
		snprintf(r->build_code, sizeof(r->build_code), "%s", r->city[0] ? r->city : r->code);
		r->build_city = 1;
		snprintf(r->kind, sizeof(r->kind), "city %s", r->build_code);
	}
	return 0;
}

/* An index entry did not match the repository: the branches are walked again (the index
 * was discarded and is written anew) and the restore starts over. */
static int replan(struct sk_hist *r, const char *dbpath, const struct sk_restore_opts *o, struct sk_restore_result *res,
		  const char *tmp, struct sk_db **out)
{
	int rc;
	sk_hist_unlink_db(tmp);
	sk_hist_release(r);
	sk_restore_result_release(res);
	res->index_rebuilt = 1;
	if ((rc = plan(r, dbpath, o, res)) < 0)
		return rc;
	res->index_rebuilt = 1;
	return build(r, tmp, out);
}

void sk_restore_result_release(struct sk_restore_result *res)
{
	if (!res)
		return;
	free(res->point);
	free(res->branch);
	free(res->kept);
	memset(res, 0, sizeof(*res));
}

void sk_undo_result_release(struct sk_undo_result *res)
{
	if (res)
		sk_restore_result_release(&res->restore);
}

int sk_restore(const char *dbpath, const struct sk_restore_opts *o, struct sk_restore_result *res)
{
	struct sk_hist r;
	struct sk_db *db = NULL;
	char *tmp = NULL;
	int rc, live;

	memset(res, 0, sizeof(*res));
	live = same_file(o->out, dbpath);
	if (live && !o->replace)
		return sk_error_do(SK_EINVALID, SK_DO_REPLACE_LIVE, NULL, "'%s' is the live database", o->out);
	if (!live && access(o->out, F_OK) == 0)
		return sk_error(SK_EINVALID, "'%s' already exists: restore never writes over a file", o->out);
	if ((rc = plan(&r, dbpath, o, res)) < 0)
		goto done;
	if (o->replace) {
		/* history is never rewritten: the live database may only go back to the tip of the
		 * office's own branch (rebuilding a lost or damaged file); going back further is
		 * --undo-to, recorded as new change-sets */
		for (int i = 0; i < r.nb; i++)
			if (!strcmp(r.b[i].origin, r.code) && r.b[i].target != r.b[i].n) {
				rc = sk_error_do(SK_EINVALID, SK_DO_UNDO_TO, NULL, "--replace puts back the office's latest state (#%zu) "
						 "only; #%zu would make the next change-sets clash with ones the city already has",
						 r.b[i].n, r.b[i].target);
				goto done;
			}
		if (r.mode == MODE_DISTRICT && strcmp(r.build_code, r.code)) {
			rc = sk_error(SK_EINVALID, "--replace with --district would put a district's database in the city's place");
			goto done;
		}
	}
	clear_killed_restores(o->out);
	tmp = sk_printf("%s.restoring-%d", o->out, (int)getpid());
	sk_hist_unlink_db(tmp);
	rc = build(&r, tmp, &db);
	if (rc < 0 && r.index_bad)
		rc = replan(&r, dbpath, o, res, tmp, &db);
	if (rc < 0 && r.cp_used[0]) {
		/* once more from the beginning, without the checkpoint that was used: a damaged one
		 * can fail a check or make a change-set fail to apply.  When that comes out right,
		 * the checkpoint was what went wrong, and it goes with the full one it was built on */
		char used[4400], root[sizeof(r.cp_root)];
		snprintf(used, sizeof(used), "%s", r.cp_used);
		snprintf(root, sizeof(root), "%s", r.cp_root);
		sk_hist_unlink_db(tmp);
		res->applied = res->from_checkpoint = 0;
		r.first_bad = 0;
		r.cp_used[0] = '\0';
		r.checkpoints = 0;
		if ((rc = build(&r, tmp, &db)) == 0) {
			sk_hist_cp_discard(used);
			if (root[0]) {
				char *b = sk_printf("%s/%s", r.cpdir, root);
				sk_hist_cp_discard(b);
				free(b);
			}
		}
	}
	fill_branches(&r);
	if (rc < 0)
		goto done;
	if (o->replace && (rc = adopt(&r, db, dbpath)) < 0)
		goto done;
	sqlite3_exec(db->h, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
	sk_db_free(db);
	db = NULL;
	/* a copy can be made again: only the live database waits for the disk */
	if (o->replace && (rc = fsync_path(tmp)) < 0)
		goto done;
	if (live && access(dbpath, F_OK) == 0) {
		/* the current file is kept first, whole (its WAL folded in), beside it (a lost one
		 * has nothing to keep) */
		struct sk_db *old = NULL;
		char stamp[32];
		time_t now = time(NULL);
		struct tm tm;
		localtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
		res->kept = sk_printf("%s.before-restore-%s", dbpath, stamp);
		if (sk_db_open(&old, dbpath) == 0) {
			sqlite3_exec(old->h, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
			sk_db_free(old);
		}
		if ((rc = sk_hist_copy_file(dbpath, res->kept)) < 0 || (rc = fsync_path(res->kept)) < 0) {
			unlink(res->kept);
			free(res->kept);
			res->kept = NULL;
			goto done;
		}
		{
			char *w = sk_printf("%s-wal", dbpath), *s = sk_printf("%s-shm", dbpath);
			unlink(w);
			unlink(s);
			free(w);
			free(s);
		}
	}
	if (rename(tmp, o->out) < 0) {
		rc = sk_error(SK_ERROR, "cannot write '%s': %s", o->out, strerror(errno));
		goto done;
	}
done:
	if (rc < 0 && tmp)
		sk_hist_unlink_db(tmp);
	else if (tmp) {
		char *w = sk_printf("%s-wal", tmp), *s = sk_printf("%s-shm", tmp);
		unlink(w);
		unlink(s);
		free(w);
		free(s);
	}
	sk_db_free(db);
	free(tmp);
	sk_hist_release(&r);
	return rc;
}

/* ---- undo ---- */

static int count_changes(struct sk_db *db, int64_t *out)
{
	sqlite3_stmt *st;
	int rc;
	*out = 0;
	if ((rc = sk_db_prepare(db, &st, "SELECT changes()")) < 0)
		return rc;
	if (sqlite3_step(st) == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return 0;
}

int sk_restore_undo(const char *dbpath, const char *at, const char *operator_name, struct sk_undo_result *res)
{
	struct sk_restore_opts o;
	struct sk_db *db = NULL;
	struct sk_seal_result sr;
	char *past = NULL, *prefix = NULL;
	int rc, attached = 0;

	memset(res, 0, sizeof(*res));
	if ((rc = sk_db_open(&db, dbpath)) < 0)
		return rc;
	sk_db_set_operator(db, operator_name);
	if (db->is_city) {
		rc = sk_error_do(SK_EINVALID, SK_DO_UNDO_AT_DISTRICT, NULL, "undo runs at the district office: only a district "
				 "changes its own records (the city would be refused as their owner)");
		goto done;
	}
	/* what is pending is sealed first, so the undo is measured against a recorded state */
	if ((rc = sk_seal(db, 0, &sr, NULL, NULL)) < 0)
		goto done;
	memset(&o, 0, sizeof(o));
	o.at = at;
	past = sk_printf("%s.undo-%d.db", dbpath, (int)getpid());
	o.out = past;
	sk_hist_unlink_db(past);
	if ((rc = sk_restore(dbpath, &o, &res->restore)) < 0)
		goto done;
	{
		sqlite3_stmt *st;
		if ((rc = sk_db_prepare(db, &st, "ATTACH ? AS past")) < 0)
			goto done;
		sqlite3_bind_text(st, 1, past, -1, SQLITE_STATIC);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : sk_db_fail(db, "cannot read the restored copy");
		sqlite3_finalize(st);
		if (rc < 0)
			goto done;
		attached = 1;
	}
	{
		/* rows this office made carry its digits: those made since the point go */
		char digits[24];
		size_t k = 0;
		for (const char *p = db->code; *p && k + 1 < sizeof(digits); p++)
			if (*p != '.')
				digits[k++] = *p;
		digits[k] = '\0';
		prefix = sk_printf("%s-%%", digits);
	}
	if ((rc = sk_db_begin(db)) < 0)
		goto done;
	for (int ti = 0; ti < db->ntables; ti++) {
		const struct sk_table *t = &db->tables[ti];
		struct sk_buf q = SK_BUF_INIT;
		sqlite3_stmt *st;
		int64_t n;
		/* rows still ours that differ from the past: their columns as they were */
		sk_buf_printf(&q, "UPDATE main.\"%s\" AS m SET (", t->name);
		for (int i = 0; i < t->ncols; i++)
			sk_buf_printf(&q, "%s\"%s\"", i ? ", " : "", t->cols[i]);
		sk_buf_puts(&q, ") = (SELECT ");
		for (int i = 0; i < t->ncols; i++)
			sk_buf_printf(&q, "%sp.\"%s\"", i ? ", " : "", t->cols[i]);
		sk_buf_printf(&q, " FROM past.\"%s\" p WHERE p.id = m.id) WHERE m.owner = ?1 AND EXISTS (SELECT 1 FROM past.\"%s\" p "
			      "WHERE p.id = m.id AND p.owner = ?1 AND (0", t->name, t->name);
		for (int i = 0; i < t->ncols; i++)
			sk_buf_printf(&q, " OR p.\"%s\" IS NOT m.\"%s\"", t->cols[i], t->cols[i]);
		sk_buf_puts(&q, "))");
		rc = sk_db_prepare(db, &st, (const char *)q.ptr);
		sk_buf_release(&q);
		if (rc < 0)
			break;
		sqlite3_bind_text(st, 1, db->code, -1, SQLITE_STATIC);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : sk_db_fail(db, "cannot bring rows back");
		sqlite3_finalize(st);
		if (rc < 0 || (rc = count_changes(db, &n)) < 0)
			break;
		res->changed += (size_t)n;
		/* rows this office made since the point: removed */
		q = (struct sk_buf)SK_BUF_INIT;
		sk_buf_printf(&q, "DELETE FROM main.\"%s\" WHERE owner = ?1 AND id LIKE ?2 AND id NOT IN (SELECT id FROM past.\"%s\")",
			      t->name, t->name);
		rc = sk_db_prepare(db, &st, (const char *)q.ptr);
		sk_buf_release(&q);
		if (rc < 0)
			break;
		sqlite3_bind_text(st, 1, db->code, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, prefix, -1, SQLITE_STATIC);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : sk_db_fail(db, "cannot remove rows made since the point");
		sqlite3_finalize(st);
		if (rc < 0 || (rc = count_changes(db, &n)) < 0)
			break;
		res->removed += (size_t)n;
		/* rows deleted since: a delete is final, they are only counted */
		q = (struct sk_buf)SK_BUF_INIT;
		sk_buf_printf(&q, "SELECT count(*) FROM past.\"%s\" p WHERE p.owner = ?1 AND p.id NOT IN (SELECT id FROM main.\"%s\")",
			      t->name, t->name);
		rc = sk_db_prepare(db, &st, (const char *)q.ptr);
		sk_buf_release(&q);
		if (rc < 0)
			break;
		sqlite3_bind_text(st, 1, db->code, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			res->lost += (size_t)sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	if (rc < 0) {
		sk_db_rollback(db);
		goto done;
	}
	if ((rc = sk_db_commit(db)) < 0)
		goto done;
	sqlite3_exec(db->h, "DETACH past", NULL, NULL, NULL);
	attached = 0;
	if ((rc = sk_seal(db, 0, &sr, NULL, NULL)) < 0)
		goto done;
	res->changesets = sr.changesets;
done:
	if (attached)
		sqlite3_exec(db->h, "DETACH past", NULL, NULL, NULL);
	sk_db_free(db);
	if (past)
		sk_hist_unlink_db(past);
	free(past);
	free(prefix);
	return rc;
}

/*
 * snapshot.c: named snapshots, annotated tags refs/tags/snapshot/NAME whose message lists
 * every branch's last change-set and the office's digest; taken and listed here.
 */
#include <stdlib.h>
#include <string.h>

#include "history.h"

/* ---- snapshots ---- */

int sk_snapshot_create(const char *dbpath, const char *name, const char *note, const char *operator_name,
		       char *(*summary)(void *payload, struct sk_db *db), void *payload, char **message_out)
{
	struct sk_db *db = NULL;
	struct sk_seal_result sr;
	struct sk_hist r;
	struct sk_restore_result dummy;
	struct sk_restore_opts o;
	struct sk_buf msg = SK_BUF_INIT;
	sqlite3_stmt *st = NULL;
	unsigned char digest[SK_HASH_SIZE];
	char hex[2 * SK_HASH_SIZE + 1], when[64], target[41] = "", tip[41], *refname = NULL;
	int rc, missing = 0;

	*message_out = NULL;
	memset(&o, 0, sizeof(o));
	memset(&r, 0, sizeof(r));
	refname = sk_printf(SK_REF_SNAPSHOT "%s", name);
	if (!sk_repo_ref_name_valid(refname) || strchr(name, ' ')) {
		rc = sk_error(SK_EINVALID, "'%s' cannot be a snapshot name: use letters, digits, '-', '_' and '.'", name);
		goto done;
	}
	if ((rc = sk_db_open(&db, dbpath)) < 0)
		goto done;
	sk_db_set_operator(db, operator_name);
	/* what is pending would not be in it: sealed first */
	if ((rc = sk_seal(db, 0, &sr, NULL, NULL)) < 0)
		goto done;
	r.o = &o;
	r.res = &dummy;
	if ((rc = sk_hist_open(&r, dbpath)) < 0)
		goto done;
	if (sk_repo_ref(r.repo, refname, tip) == 0) {
		rc = sk_error(SK_ECONFLICT, "a snapshot named '%s' exists already: snapshots are never moved", name);
		goto done;
	}
	sk_state_blob(db, "digest", digest, SK_HASH_SIZE);
	sk_hex(hex, digest, SK_HASH_SIZE);
	sk_hist_describe_ms(when, sizeof(when), sk_wall_ms());
	sk_buf_printf(&msg, "snapshot %s of %s %s (%s)\n\n", name, db->is_city ? "city" : "distrik", sk_db_name(db), sk_db_code(db));
	if (note && *note)
		sk_buf_printf(&msg, "%s\n\n", note);
	sk_buf_printf(&msg, "taken: %s\noffice: %s\ndigest: %s\n", when, sk_db_code(db), hex);
	if (summary) {
		char *line = summary(payload, db);
		if (line)
			sk_buf_puts(&msg, line);
		free(line);
	}
	if ((rc = sk_db_prepare(db, &st, "SELECT origin, max(number), count(*), (SELECT commit_id FROM sk_changesets c2 WHERE "
					 "c2.origin = c.origin ORDER BY number DESC LIMIT 1), (SELECT digest FROM sk_changesets c3 "
					 "WHERE c3.origin = c.origin ORDER BY number DESC LIMIT 1) FROM sk_changesets c GROUP BY origin "
					 "ORDER BY origin")) < 0)
		goto done;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *origin = (const char *)sqlite3_column_text(st, 0);
		const char *commit = (const char *)sqlite3_column_text(st, 3);
		int64_t num = sqlite3_column_int64(st, 1), cnt = sqlite3_column_int64(st, 2);
		if (!commit)
			commit = "";
		sk_buf_printf(&msg, "\nbranch %s %lld %s %s", origin, (long long)num, commit,
			      (const char *)sqlite3_column_text(st, 4));
		if (cnt != num)
			missing++;
		if (!target[0] || !strcmp(origin, sk_db_code(db)))
			snprintf(target, sizeof(target), "%s", commit);
	}
	sqlite3_finalize(st);
	st = NULL;
	sk_buf_puts(&msg, "\n");
	if (!target[0]) {
		rc = sk_error(SK_ENOTFOUND, "nothing to take a snapshot of: this database holds no change-set yet");
		goto done;
	}
	if (missing) {
		rc = sk_error(SK_ECONFLICT, "this database holds change-sets with gaps in their numbers: its state is not one "
			      "a restore can rebuild");
		goto done;
	}
	sk_error_clear();
	{
		char who[128];
		const char *tagname = refname + strlen(SK_REF_TAGS);
		snprintf(who, sizeof(who), "sinkron %s", sk_db_code(db));
		rc = sk_repo_tag_create(r.repo, tagname, target, db->operator_name ? db->operator_name : who, "snapshot@sinkron",
					(const char *)msg.ptr);
		if (rc == SK_ENOTFOUND)
			rc = sk_error(SK_ENOTFOUND, "commit %s is not in the local repository '%s': sync first", target,
				      sk_repo_dir(r.repo));
		else if (rc == SK_ECONFLICT)
			rc = sk_error(SK_ECONFLICT, "a snapshot named '%s' exists already: snapshots are never moved", name);
		if (rc < 0)
			goto done;
	}
	*message_out = sk_strdup((const char *)msg.ptr);
	rc = 0;
done:
	sqlite3_finalize(st);
	sk_buf_release(&msg);
	sk_db_free(db);
	free(refname);
	sk_hist_release(&r);
	return rc;
}

struct listing {
	int (*fn)(void *payload, const struct sk_snapshot *s);
	void *payload;
};

static int list_one(void *payload, const struct sk_repo_tag *t)
{
	struct listing *l = payload;
	struct sk_snapshot s;
	const char *p = t->message;
	char dg[80];
	memset(&s, 0, sizeof(s));
	s.name = t->name;
	s.message = t->message;
	s.tagger = t->tagger;
	s.time = t->time;
	sk_manifest_value(dg, sizeof(dg), t->message, "digest");
	s.digest = dg;
	while ((p = strstr(p, "\nbranch "))) {
		s.branches++;
		p++;
	}
	s.commit = t->commit;
	return l->fn(l->payload, &s);
}

int sk_snapshot_each(const char *dbpath, int (*fn)(void *payload, const struct sk_snapshot *s), void *payload)
{
	struct sk_hist r;
	struct sk_restore_result dummy;
	struct sk_restore_opts o;
	struct listing l = {fn, payload};
	int rc;

	memset(&r, 0, sizeof(r));
	memset(&o, 0, sizeof(o));
	r.o = &o;
	r.res = &dummy;
	if ((rc = sk_hist_open(&r, dbpath)) == 0 && (rc = sk_repo_tags(r.repo, SK_REF_SNAPSHOT, list_one, &l)) > 0)
		rc = 0;
	sk_hist_release(&r);
	return rc;
}

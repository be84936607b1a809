/*
 * snapshot.c: named snapshots, annotated tags refs/tags/snapshot/NAME whose message lists
 * every branch's last change-set and the office's digest; taken and listed here.
 */
#include <stdlib.h>
#include <string.h>

#include "history.h"

/* ---- snapshots ---- */

int sk_snapshot_create(const char *dbpath, const char *name, const char *note, const char *operator_name,
		       char **message_out)
{
	struct sk_db *db = NULL;
	struct sk_seal_result sr;
	struct sk_hist r;
	struct sk_restore_result dummy;
	struct sk_restore_opts o;
	struct sk_buf msg = SK_BUF_INIT;
	sqlite3_stmt *st = NULL;
	unsigned char digest[SK_HASH_SIZE];
	char hex[2 * SK_HASH_SIZE + 1], when[64], target[41] = "", *refname = NULL;
	git_oid oid, tid;
	git_object *obj = NULL;
	git_signature *sig = NULL;
	int rc, missing = 0;

	*message_out = NULL;
	memset(&o, 0, sizeof(o));
	memset(&r, 0, sizeof(r));
	refname = sk_printf("refs/tags/snapshot/%s", name);
	sk_hist_git_init();
	{
		int valid = 0;
		if (git_reference_name_is_valid(&valid, refname) < 0 || !valid || strchr(name, ' ')) {
			rc = sk_error(SK_EINVALID, "'%s' cannot be a snapshot name: use letters, digits, '-', '_' and '.'", name);
			goto done;
		}
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
	if ((rc = sk_hist_open_git(&r)) < 0)
		goto done;
	if (git_reference_lookup((git_reference **)&obj, r.git, refname) == 0) {
		git_reference_free((git_reference *)obj);
		obj = NULL;
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
	{
		struct sk_counts c;
		if (sk_counts(db, &c) == 0)
			sk_buf_printf(&msg, "workers: %lld active, %lld ended; enrolments: %lld active\n", (long long)c.active,
				      (long long)c.ended, (long long)c.enrolments);
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
	if (git_oid_fromstr(&oid, target) < 0 || git_object_lookup(&obj, r.git, &oid, GIT_OBJECT_COMMIT) < 0) {
		rc = sk_error(SK_ENOTFOUND, "commit %s is not in the local repository '%s': sync first", target,
			      sk_repo_dir(r.repo));
		goto done;
	}
	{
		char who[128];
		snprintf(who, sizeof(who), "sinkron %s", sk_db_code(db));
		if (git_signature_new(&sig, db->operator_name ? db->operator_name : who, "snapshot@sinkron",
				      sk_wall_ms() / 1000, 0) < 0) {
			rc = sk_hist_git_fail(SK_ERROR, "cannot sign the snapshot");
			goto done;
		}
	}
	{
		char *tagname = sk_printf("snapshot/%s", name);
		int fd, e;
		/* tags are refs: written under the refs lock, which clears what a killed writer left */
		if ((rc = sk_repo_guard(sk_repo_dir(r.repo), SK_GUARD_REFS, &fd)) < 0) {
			free(tagname);
			goto done;
		}
		e = git_tag_create(&tid, r.git, tagname, obj, sig, (const char *)msg.ptr, 0);
		sk_repo_unguard(fd);
		free(tagname);
		if (e == GIT_EEXISTS) {
			rc = sk_error(SK_ECONFLICT, "a snapshot named '%s' exists already: snapshots are never moved", name);
			goto done;
		}
		if (e < 0) {
			rc = sk_hist_git_fail(SK_ERROR, "cannot write the snapshot tag");
			goto done;
		}
	}
	*message_out = sk_strdup((const char *)msg.ptr);
	rc = 0;
done:
	sqlite3_finalize(st);
	git_signature_free(sig);
	git_object_free(obj);
	sk_buf_release(&msg);
	sk_db_free(db);
	free(refname);
	sk_hist_release(&r);
	return rc;
}

int sk_snapshot_each(const char *dbpath, int (*fn)(void *payload, const struct sk_snapshot *s), void *payload)
{
	struct sk_hist r;
	struct sk_restore_result dummy;
	struct sk_restore_opts o;
	git_strarray names = {0};
	int rc;

	memset(&r, 0, sizeof(r));
	memset(&o, 0, sizeof(o));
	r.o = &o;
	r.res = &dummy;
	if ((rc = sk_hist_open(&r, dbpath)) < 0 || (rc = sk_hist_open_git(&r)) < 0)
		goto done;
	if (git_tag_list_match(&names, "snapshot/*", r.git) < 0) {
		rc = sk_hist_git_fail(SK_ERROR, "cannot list the snapshots");
		goto done;
	}
	for (size_t i = 0; i < names.count && rc == 0; i++) {
		git_reference *ref = NULL;
		git_object *obj = NULL;
		struct sk_snapshot s;
		char *refname = sk_printf("refs/tags/%s", names.strings[i]), dg[80], commit[41] = "";
		memset(&s, 0, sizeof(s));
		s.name = names.strings[i] + strlen("snapshot/");
		if (git_reference_lookup(&ref, r.git, refname) == 0 && git_reference_target(ref) &&
		    git_object_lookup(&obj, r.git, git_reference_target(ref), GIT_OBJECT_ANY) == 0) {
			if (git_object_type(obj) == GIT_OBJECT_TAG) {
				const git_tag *t = (const git_tag *)obj;
				const git_signature *sig = git_tag_tagger(t);
				s.message = git_tag_message(t);
				s.tagger = sig ? sig->name : "";
				s.time = sig ? (int64_t)sig->when.time : 0;
				git_oid_tostr(commit, sizeof(commit), git_tag_target_id(t));
			}
		}
		if (s.message) {
			const char *p = s.message;
			sk_manifest_value(dg, sizeof(dg), s.message, "digest");
			s.digest = dg;
			while ((p = strstr(p, "\nbranch "))) {
				s.branches++;
				p++;
			}
			s.commit = commit;
			rc = fn(payload, &s);
		}
		git_object_free(obj);
		git_reference_free(ref);
		free(refname);
	}
	if (rc > 0)
		rc = 0;
done:
	git_strarray_dispose(&names);
	sk_hist_release(&r);
	return rc;
}

/*
 * repo.c: the local repository through libgit2.  A change-set commit's tree holds two files,
 * `changeset` (the bytes, sync/FORMAT.md) and `manifest` (readable key: value lines); its
 * message says in words what changed.  Objects are written with fsync before the database
 * records them, so after a power cut the database never names a commit that is not there.
 */
#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <git2.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "repo.h"

struct sk_repo {
	git_repository *r;
	char *path;
};

/* libgit2's message in words a clerk can act on: a full disk and a lock file held by another
 * program are said as such (libgit2 says "unknown" or gives an empty reason for them). */
static int git_fail_at(const char *where, const char *what)
{
	const git_error *e = git_error_last();
	const char *msg = e && e->message ? e->message : "";
	const char *lock = strstr(msg, "failed to lock file '");
	int err = errno;

	if (err == ENOSPC || err == EDQUOT || strstr(msg, "No space left") || strstr(msg, "quota exceeded"))
		return sk_error(SK_ERROR, "%s: the disk holding '%s' is full: free some space on it, then try again", what,
				where ? where : ".");
	if (lock) {
		const char *name = lock + strlen("failed to lock file '"), *end = strchr(name, '\'');
		return sk_error(SK_ERROR, "%s: another program is writing to the repository (its lock file '%.*s' exists); "
				"if no git command is running there, remove that file", what, end ? (int)(end - name) : 200, name);
	}
	return sk_error(SK_ERROR, "%s: %s", what, *msg ? msg : "unknown git error");
}

static int git_fail(const char *what)
{
	return git_fail_at(NULL, what);
}

void sk_repo_git_init(void)
{
	static int done;
	if (done)
		return;
	git_libgit2_init();
	git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 1);
	/* a repository owned by another user (the service account) is still ours to read */
	git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 0);
	done = 1;
}

char *sk_repo_branch_of(int is_city, const char *code)
{
	return is_city ? sk_strdup(SK_REF_CENTRAL) : sk_printf(SK_REF_DISTRICT "%s", code);
}

char *sk_repo_path_for_db(const char *dbpath)
{
	size_t n = strlen(dbpath);
	if (n > 3 && !strcmp(dbpath + n - 3, ".db"))
		return sk_printf("%.*s.git", (int)(n - 3), dbpath);
	return sk_printf("%s.git", dbpath);
}

int sk_repo_open(struct sk_repo **out, const char *path, int create)
{
	struct sk_repo *repo = sk_calloc(1, sizeof(*repo));
	sk_repo_git_init();
	if (git_repository_open_bare(&repo->r, path) < 0) {
		if (!create) {
			free(repo);
			return sk_error(SK_ENOTFOUND, "no repository at '%s'", path);
		}
		if (sk_repo_init_private(&repo->r, path) < 0) {
			free(repo);
			return git_fail_at(path, "cannot create the local repository");
		}
	}
	sk_repo_tighten(path);
	repo->path = sk_strdup(path);
	*out = repo;
	return 0;
}

int sk_repo_init_private(git_repository **out, const char *path)
{
	mode_t old = umask(077);
	int e = git_repository_init(out, path, 1);
	umask(old | 077);
	if (e == 0)
		sk_repo_tighten(path);
	return e;
}

void sk_repo_tighten(const char *path)
{
	struct stat st;
	/* its history holds every NIK and name: the owner only, like the database (a closed
	 * directory closes everything in it, whatever the modes of the objects inside) */
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 077) && st.st_uid == geteuid())
		chmod(path, st.st_mode & 0700);
}

/* Removes the files named *.lock (or, with packs, libgit2's unfinished packs) under dir. */
static void clear_stale(const char *dir, int packs)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	if (!d)
		return;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		char *p;
		struct stat st;
		if (e->d_name[0] == '.')
			continue;
		p = sk_printf("%s/%s", dir, e->d_name);
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode) && !packs)
			clear_stale(p, 0);
		else if (S_ISREG(st.st_mode) && ((!packs && n > 5 && !strcmp(e->d_name + n - 5, ".lock")) ||
						  (packs && (!strncmp(e->d_name, "pack_git2_", 10) ||
							     !strncmp(e->d_name, "tmp_pack_", 9)))))
			unlink(p);
		free(p);
	}
	closedir(d);
}

int sk_repo_guard(const char *repo_path, enum sk_guard which, int *fd_out)
{
	static const char *const files[] = {"sinkron-refs.lock", "sinkron-net.lock"};
	char *p = sk_printf("%s/%s", repo_path, files[which]);
	int fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	*fd_out = -1;
	if (fd < 0) {
		int rc = sk_error(SK_ERROR, "cannot open the lock '%s': %s", p, strerror(errno));
		free(p);
		return rc;
	}
	free(p);
	/* a caught signal (SIGTERM to the agent) ends the wait: the process is asked to stop */
	if (flock(fd, LOCK_EX) < 0) {
		int e = errno;
		close(fd);
		if (e == EINTR)
			return sk_error(SK_ENETWORK, "stopped while waiting for another sinkron process working on '%s'",
					repo_path);
		return sk_error(SK_ERROR, "cannot lock the repository '%s': %s", repo_path, strerror(e));
	}
	/* held: every lock file in this lock's part of the repository is a dead writer's */
	if (which == SK_GUARD_REFS) {
		const char *dirs[] = {"refs/heads", "refs/tags"};
		for (size_t i = 0; i < SK_ARRAY_SIZE(dirs); i++) {
			p = sk_printf("%s/%s", repo_path, dirs[i]);
			clear_stale(p, 0);
			free(p);
		}
	} else {
		const char *dirs[] = {"refs/sinkron", "refs/remotes"};
		for (size_t i = 0; i < SK_ARRAY_SIZE(dirs); i++) {
			p = sk_printf("%s/%s", repo_path, dirs[i]);
			clear_stale(p, 0);
			free(p);
		}
		p = sk_printf("%s/objects/pack", repo_path);
		clear_stale(p, 1);
		free(p);
	}
	*fd_out = fd;
	return 0;
}

void sk_repo_unguard(int fd)
{
	if (fd >= 0)
		close(fd); /* and with it the flock */
}

void sk_repo_free(struct sk_repo *repo)
{
	if (!repo)
		return;
	git_repository_free(repo->r);
	free(repo->path);
	free(repo);
}

const char *sk_repo_dir(const struct sk_repo *repo)
{
	return repo->path;
}

int sk_repo_sink_write(void *payload, const struct sk_changeset *cs, const unsigned char *data, size_t len,
		       const char *manifest, const char *message, const char *parent, char blob[41], char commit[41])
{
	struct sk_repo *repo = payload;
	git_oid blob_id, man_id, tree_id, commit_id, parent_id;
	git_treebuilder *tb = NULL;
	git_tree *tree = NULL;
	git_commit *pc = NULL;
	git_signature *sig = NULL;
	char name[64], email[64];
	int rc = 0;

	if (git_blob_create_from_buffer(&blob_id, repo->r, data, len) < 0 ||
	    git_blob_create_from_buffer(&man_id, repo->r, manifest, strlen(manifest)) < 0) {
		rc = git_fail_at(repo->path, "cannot write a change-set");
		goto done;
	}
	if (git_treebuilder_new(&tb, repo->r, NULL) < 0 ||
	    git_treebuilder_insert(NULL, tb, "changeset", &blob_id, GIT_FILEMODE_BLOB) < 0 ||
	    git_treebuilder_insert(NULL, tb, "manifest", &man_id, GIT_FILEMODE_BLOB) < 0 ||
	    git_treebuilder_write(&tree_id, tb) < 0 || git_tree_lookup(&tree, repo->r, &tree_id) < 0) {
		rc = git_fail_at(repo->path, "cannot write a change-set tree");
		goto done;
	}
	if (parent && parent[0]) {
		if (git_oid_fromstr(&parent_id, parent) < 0 || git_commit_lookup(&pc, repo->r, &parent_id) < 0) {
			rc = sk_error(SK_ECORRUPT, "the last change-set commit %s is missing from '%s'", parent, repo->path);
			goto done;
		}
	}
	snprintf(name, sizeof(name), "sinkron %s", cs->origin);
	snprintf(email, sizeof(email), "%s@sinkron", cs->origin);
	if (git_signature_new(&sig, name, email, sk_wall_ms() / 1000, 0) < 0) {
		rc = git_fail("cannot sign a change-set commit");
		goto done;
	}
	{
		const git_commit *parents[1] = {pc};
		if (git_commit_create(&commit_id, repo->r, NULL, sig, sig, "UTF-8", message, tree, pc ? 1 : 0, parents) < 0) {
			rc = git_fail_at(repo->path, "cannot write a change-set commit");
			goto done;
		}
	}
	git_oid_tostr(blob, 41, &blob_id);
	git_oid_tostr(commit, 41, &commit_id);
	sk_pause_point("seal-written"); /* inside the seal's transaction */
done:
	git_signature_free(sig);
	git_commit_free(pc);
	git_tree_free(tree);
	git_treebuilder_free(tb);
	return rc;
}

int sk_repo_ref(struct sk_repo *repo, const char *refname, char out[41])
{
	git_oid id;
	int e = git_reference_name_to_id(&id, repo->r, refname);
	if (e == GIT_ENOTFOUND)
		return SK_ENOTFOUND;
	if (e < 0)
		return git_fail("cannot read a branch");
	git_oid_tostr(out, 41, &id);
	return 0;
}

int sk_repo_set_ref(struct sk_repo *repo, const char *refname, const char *commit)
{
	git_oid id;
	git_reference *ref = NULL;
	int fd, rc;

	if (git_oid_fromstr(&id, commit) < 0)
		return sk_error(SK_EINVALID, "'%s' is not a commit id", commit);
	if ((rc = sk_repo_guard(repo->path, SK_GUARD_REFS, &fd)) < 0)
		return rc;
	if (git_reference_create(&ref, repo->r, refname, &id, 1, "sinkron") < 0)
		rc = git_fail_at(repo->path, "cannot move a branch");
	git_reference_free(ref);
	sk_repo_unguard(fd);
	return rc;
}

int sk_repo_refs(struct sk_repo *repo, const char *glob, char ***out, size_t *n)
{
	git_reference_iterator *it = NULL;
	const char *name;
	size_t cnt = 0, alloc = 0;
	char **v = NULL;

	*out = NULL;
	*n = 0;
	if (git_reference_iterator_glob_new(&it, repo->r, glob) < 0)
		return git_fail("cannot list branches");
	while (git_reference_next_name(&name, it) == 0) {
		if (cnt == alloc) {
			alloc = alloc ? alloc * 2 : 16;
			v = sk_realloc(v, alloc * sizeof(*v));
		}
		v[cnt++] = sk_strdup(name);
	}
	git_reference_iterator_free(it);
	*out = v;
	*n = cnt;
	return 0;
}

static int resolve(struct sk_repo *repo, const char *start, git_oid *id)
{
	git_object *obj = NULL;
	if (git_oid_fromstr(id, start) == 0 && strlen(start) == 40)
		return 0;
	if (git_reference_name_to_id(id, repo->r, start) == 0)
		return 0;
	if (git_revparse_single(&obj, repo->r, start) == 0) {
		git_object *c = NULL;
		int e = git_object_peel(&c, obj, GIT_OBJECT_COMMIT);
		if (e == 0)
			*id = *git_object_id(c);
		git_object_free(c);
		git_object_free(obj);
		if (e == 0)
			return 0;
	}
	return sk_error(SK_ENOTFOUND, "no branch, tag or commit '%s' in '%s'", start, repo->path);
}

/* The first commit along the (linear) history from tip that cannot be read, as hex. */
static void find_damaged(struct sk_repo *repo, const git_oid *tip, char out[41])
{
	git_oid id = *tip;
	git_oid_tostr(out, 41, &id);
	for (;;) {
		git_commit *c = NULL;
		if (git_commit_lookup(&c, repo->r, &id) < 0) {
			git_oid_tostr(out, 41, &id);
			return;
		}
		if (git_commit_parentcount(c) == 0) {
			git_commit_free(c);
			return;
		}
		id = *git_commit_parent_id(c, 0);
		git_commit_free(c);
	}
}

/* Reads the change-set commit cid and calls fn with it. */
static int entry_read(struct sk_repo *repo, const git_oid *cid, int (*fn)(void *payload, const struct sk_repo_entry *e),
		      void *payload)
{
	git_commit *c = NULL;
	git_tree *tree = NULL;
	git_blob *blob = NULL, *man = NULL;
	const git_tree_entry *te, *me;
	struct sk_repo_entry e;
	char *mtext = NULL;
	int rc;

	memset(&e, 0, sizeof(e));
	git_oid_tostr(e.commit, sizeof(e.commit), cid);
	if (git_commit_lookup(&c, repo->r, cid) < 0 || git_commit_tree(&tree, c) < 0) {
		rc = sk_error(SK_ECORRUPT, "commit %s in '%s' cannot be read: %s", e.commit, repo->path,
			      git_error_last() ? git_error_last()->message : "damaged object");
		goto next;
	}
	if (!(te = git_tree_entry_byname(tree, "changeset"))) {
		rc = sk_error(SK_ECORRUPT, "commit %s in '%s' holds no change-set", e.commit, repo->path);
		goto next;
	}
	git_oid_tostr(e.blob, sizeof(e.blob), git_tree_entry_id(te));
	if (git_blob_lookup(&blob, repo->r, git_tree_entry_id(te)) < 0) {
		rc = sk_error(SK_ECORRUPT, "change-set object %s of commit %s in '%s' cannot be read: %s", e.blob,
			      e.commit, repo->path, git_error_last() ? git_error_last()->message : "damaged object");
		goto next;
	}
	if ((me = git_tree_entry_byname(tree, "manifest")) && git_blob_lookup(&man, repo->r, git_tree_entry_id(me)) == 0)
		mtext = sk_strndup(git_blob_rawcontent(man), (size_t)git_blob_rawsize(man));
	e.data = git_blob_rawcontent(blob);
	e.len = (size_t)git_blob_rawsize(blob);
	e.manifest = mtext ? mtext : "";
	e.time = (int64_t)git_commit_time(c);
	e.parents = git_commit_parentcount(c);
	if (e.parents)
		git_oid_tostr(e.parent, sizeof(e.parent), git_commit_parent_id(c, 0));
	rc = fn(payload, &e);
next:
	free(mtext);
	git_blob_free(man);
	git_blob_free(blob);
	git_tree_free(tree);
	git_commit_free(c);
	return rc;
}

int sk_repo_walk(struct sk_repo *repo, const char *start,
		 int (*fn)(void *payload, const struct sk_repo_entry *e), void *payload)
{
	return sk_repo_walk_range(repo, start, NULL, fn, payload);
}

int sk_repo_walk_range(struct sk_repo *repo, const char *start, const char *after,
		       int (*fn)(void *payload, const struct sk_repo_entry *e), void *payload)
{
	git_revwalk *walk = NULL;
	git_oid id, cid, hide;
	int rc = 0;

	if ((rc = resolve(repo, start, &id)) < 0)
		return rc;
	if (after && (rc = resolve(repo, after, &hide)) < 0)
		return rc;
	if (git_revwalk_new(&walk, repo->r) < 0 || git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE) < 0 ||
	    git_revwalk_push(walk, &id) < 0 || (after && git_revwalk_hide(walk, &hide) < 0)) {
		char hex[41];
		git_oid_tostr(hex, sizeof(hex), &id);
		rc = sk_error(SK_ECORRUPT, "cannot walk the history from %s in '%s': %s", hex, repo->path,
			      git_error_last() ? git_error_last()->message : "damaged repository");
		goto done;
	}
	while (rc == 0) {
		int e_next = git_revwalk_next(&cid, walk);
		if (e_next == GIT_ITEROVER)
			break;
		if (e_next < 0) {
			/* a damaged commit somewhere in the history: never skip the branch silently */
			char bad[41];
			const char *why = git_error_last() ? git_error_last()->message : "damaged object";
			char *msg = sk_strdup(why);
			find_damaged(repo, &id, bad);
			rc = sk_error(SK_ECORRUPT, "the history of '%s' in '%s' cannot be read: commit %s is damaged (%s)", start,
				      repo->path, bad, msg);
			free(msg);
			break;
		}
		rc = entry_read(repo, &cid, fn, payload);
	}
done:
	git_revwalk_free(walk);
	return rc;
}

int sk_repo_read(struct sk_repo *repo, const char *commit, int (*fn)(void *payload, const struct sk_repo_entry *e),
		 void *payload)
{
	git_oid id;
	if (git_oid_fromstr(&id, commit) < 0)
		return sk_error(SK_EINVALID, "'%s' is not a commit id", commit);
	return entry_read(repo, &id, fn, payload);
}

int sk_repo_tag_find(struct sk_repo *repo, const char *at, char commit[41], char **message)
{
	char *names[3];
	int n = 0, found = 0;
	*message = NULL;
	commit[0] = '\0';
	if (!strncmp(at, "refs/", 5))
		names[n++] = sk_strdup(at);
	names[n++] = sk_printf(SK_REF_SNAPSHOT "%s", at);
	names[n++] = sk_printf(SK_REF_TAGS "%s", at);
	for (int i = 0; i < n && !found; i++) {
		git_reference *ref = NULL;
		git_object *obj = NULL, *c = NULL;
		if (git_reference_lookup(&ref, repo->r, names[i]) < 0)
			continue;
		if (git_reference_target(ref) && git_object_lookup(&obj, repo->r, git_reference_target(ref), GIT_OBJECT_ANY) == 0) {
			if (git_object_type(obj) == GIT_OBJECT_TAG)
				*message = sk_strdup(git_tag_message((git_tag *)obj));
			git_object_free(obj);
		}
		if (git_reference_peel(&c, ref, GIT_OBJECT_COMMIT) == 0) {
			git_oid_tostr(commit, 41, git_object_id(c));
			git_object_free(c);
		}
		git_reference_free(ref);
		found = 1;
	}
	for (int i = 0; i < n; i++)
		free(names[i]);
	return found;
}

int sk_repo_ref_name_valid(const char *refname)
{
	int valid = 0;
	sk_repo_git_init();
	return git_reference_name_is_valid(&valid, refname) == 0 && valid;
}

int sk_repo_tag_create(struct sk_repo *repo, const char *name, const char *commit, const char *tagger,
		       const char *email, const char *message)
{
	git_oid oid, tid;
	git_object *obj = NULL;
	git_signature *sig = NULL;
	int fd, e, rc = 0;

	if (git_oid_fromstr(&oid, commit) < 0 || git_object_lookup(&obj, repo->r, &oid, GIT_OBJECT_COMMIT) < 0)
		return sk_error(SK_ENOTFOUND, "commit %s is not in '%s'", commit, repo->path);
	if (git_signature_new(&sig, tagger, email, sk_wall_ms() / 1000, 0) < 0) {
		rc = git_fail("cannot sign the tag");
		goto done;
	}
	/* tags are refs: written under the refs lock, which clears what a killed writer left */
	if ((rc = sk_repo_guard(repo->path, SK_GUARD_REFS, &fd)) < 0)
		goto done;
	e = git_tag_create(&tid, repo->r, name, obj, sig, message, 0);
	sk_repo_unguard(fd);
	if (e == GIT_EEXISTS)
		rc = sk_error(SK_ECONFLICT, "a tag named '%s' exists already", name);
	else if (e < 0)
		rc = git_fail_at(repo->path, "cannot write the tag");
done:
	git_signature_free(sig);
	git_object_free(obj);
	return rc;
}

int sk_repo_tags(struct sk_repo *repo, const char *prefix, int (*fn)(void *payload, const struct sk_repo_tag *t),
		 void *payload)
{
	git_strarray names = {0};
	size_t skip = strlen(prefix) - strlen(SK_REF_TAGS);
	char *pattern;
	int rc = 0;

	assert(!strncmp(prefix, SK_REF_TAGS, strlen(SK_REF_TAGS)));
	pattern = sk_printf("%s*", prefix + strlen(SK_REF_TAGS));
	rc = git_tag_list_match(&names, pattern, repo->r);
	free(pattern);
	if (rc < 0)
		return git_fail("cannot list the tags");
	for (size_t i = 0; i < names.count && rc == 0; i++) {
		git_reference *ref = NULL;
		git_object *obj = NULL;
		char *refname = sk_printf(SK_REF_TAGS "%s", names.strings[i]);
		if (git_reference_lookup(&ref, repo->r, refname) == 0 && git_reference_target(ref) &&
		    git_object_lookup(&obj, repo->r, git_reference_target(ref), GIT_OBJECT_ANY) == 0 &&
		    git_object_type(obj) == GIT_OBJECT_TAG) {
			const git_tag *tag = (const git_tag *)obj;
			const git_signature *sig = git_tag_tagger(tag);
			struct sk_repo_tag t;
			memset(&t, 0, sizeof(t));
			t.name = names.strings[i] + skip;
			t.message = git_tag_message(tag);
			t.tagger = sig ? sig->name : "";
			t.time = sig ? (int64_t)sig->when.time : 0;
			git_oid_tostr(t.commit, sizeof(t.commit), git_tag_target_id(tag));
			if (t.message)
				rc = fn(payload, &t);
		}
		git_object_free(obj);
		git_reference_free(ref);
		free(refname);
	}
	git_strarray_dispose(&names);
	return rc;
}

void sk_blob_id(char out[41], const void *data, size_t len)
{
	git_oid id;
	sk_repo_git_init();
	git_odb_hash(&id, data, len, GIT_OBJECT_BLOB);
	git_oid_tostr(out, 41, &id);
}

void sk_manifest_value(char *out, size_t n, const char *manifest, const char *key)
{
	size_t kl = strlen(key);
	const char *p = manifest;
	out[0] = '\0';
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (len > kl + 1 && !strncmp(p, key, kl) && p[kl] == ':') {
			const char *v = p + kl + 1;
			while (*v == ' ')
				v++;
			snprintf(out, n, "%.*s", (int)(len - (size_t)(v - p)), v);
			return;
		}
		p = nl ? nl + 1 : NULL;
	}
}

/* Copies one object of from into to's object database; 0 when it was read whole and written. */
static int copy_object(git_odb *from, git_odb *to, const git_oid *id)
{
	git_odb_object *o = NULL;
	git_oid out;
	int e;
	if (git_odb_exists(to, id))
		return 0;
	if ((e = git_odb_read(&o, from, id)) < 0)
		return e;
	e = git_odb_write(&out, to, git_odb_object_data(o), git_odb_object_size(o), git_odb_object_type(o));
	if (e == 0 && !git_oid_equal(&out, id))
		e = -1;
	git_odb_object_free(o);
	return e;
}

struct salvage {
	git_odb *from, *to;
	size_t copied, bad;
};

static int salvage_one(const git_oid *id, void *payload)
{
	struct salvage *s = payload;
	if (copy_object(s->from, s->to, id) == 0)
		s->copied++;
	else
		s->bad++;
	return 0;
}

int sk_repo_salvage(struct sk_repo *repo, const char *damaged, size_t *copied, size_t *bad)
{
	git_repository *old = NULL;
	struct salvage s = {0};
	int rc = 0;

	*copied = *bad = 0;
	sk_repo_git_init();
	if (git_repository_open_bare(&old, damaged) < 0)
		return 0; /* nothing readable: the central's copy is all there is */
	if (git_repository_odb(&s.from, old) == 0 && git_repository_odb(&s.to, repo->r) == 0) {
		/* every object that still reads whole, checked against its id as it is read */
		git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 1);
		git_odb_foreach(s.from, salvage_one, &s);
	} else {
		rc = git_fail_at(repo->path, "cannot read the damaged repository");
	}
	*copied = s.copied;
	*bad = s.bad;
	git_odb_free(s.from);
	git_odb_free(s.to);
	git_repository_free(old);
	return rc;
}

int sk_repo_complete(struct sk_repo *repo, const char *commit)
{
	git_oid id;
	if (git_oid_fromstr(&id, commit) < 0)
		return 0;
	for (;;) {
		git_commit *c = NULL;
		git_tree *t = NULL;
		git_odb *odb = NULL;
		int ok = git_commit_lookup(&c, repo->r, &id) == 0 && git_commit_tree(&t, c) == 0 &&
			 git_repository_odb(&odb, repo->r) == 0;
		for (size_t i = 0; ok && i < git_tree_entrycount(t); i++) {
			git_odb_object *o = NULL;
			ok = git_odb_read(&o, odb, git_tree_entry_id(git_tree_entry_byindex(t, i))) == 0;
			git_odb_object_free(o);
		}
		if (ok && git_commit_parentcount(c) > 0)
			id = *git_commit_parent_id(c, 0);
		else if (ok)
			ok = 2; /* the root: all of it is there */
		git_odb_free(odb);
		git_tree_free(t);
		git_commit_free(c);
		if (ok != 1)
			return ok == 2;
	}
}

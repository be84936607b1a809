/*
 * repo.h: the local git repository beside a database (repo.c), through libgit2: change-set
 * commits written as objects first and the branch moved after the database has committed,
 * and walks over a branch's change-sets, oldest first.
 */
#ifndef SK_REPO_H
#define SK_REPO_H

#include <git2.h>

#include "engine.h"

struct sk_repo;

/* The ref layout, the one place it is written: each district's branch, the city's, their
 * copies as fetched from the central repository, snapshots and other tags. */
#define SK_REF_HEADS "refs/heads/"
#define SK_REF_DISTRICT SK_REF_HEADS "district/"                /* + code */
#define SK_REF_CENTRAL SK_REF_HEADS "central"
#define SK_REF_REMOTE_DISTRICT "refs/remotes/central/district/" /* + code: as fetched */
#define SK_REF_REMOTE_CENTRAL "refs/remotes/central/central"
#define SK_REF_PUSH "refs/sinkron/push"                /* what a push sends */
#define SK_REF_CENTRAL_OWN "refs/sinkron/central-own"  /* the central's copy of the office's branch */
#define SK_REF_TAGS "refs/tags/"
/* SK_REF_SNAPSHOT (refs/tags/snapshot/ + name) is in sync.h: the command line names it. */

/* The office's own branch: the city's central, or district/CODE. */
char *sk_repo_branch_of(int is_city, const char *code);

/* libgit2 initialised once, as every libgit2 user in the engine needs it (fsync of objects
 * and refs, repositories owned by another user readable). */
void sk_repo_git_init(void);

/* The repository of the database at dbpath: "office.db" -> "office.git". */
char *sk_repo_path_for_db(const char *dbpath);
/* Opens the bare repository at path, creating it when create is set. */
int sk_repo_open(struct sk_repo **out, const char *path, int create);
void sk_repo_free(struct sk_repo *repo);
const char *sk_repo_dir(const struct sk_repo *repo);

/* The sink that writes change-set commits into repo (payload: the repo). */
int sk_repo_sink_write(void *payload, const struct sk_changeset *cs, const unsigned char *data, size_t len,
		       const char *manifest, const char *message, const char *parent, char blob[41], char commit[41]);

/* Creates a bare repository at path that only its owner can read (libgit2's own modes are 0755
 * and 0444); a libgit2 error code. */
int sk_repo_init_private(git_repository **out, const char *path);
/* Takes group and other access away from the repository at path (it holds personal data). */
void sk_repo_tighten(const char *path);

/*
 * Several sinkron processes write one repository: a seal from the command line beside the
 * agent's round, whose transfers run in a child.  Each kind of write holds an advisory lock
 * (flock, which the system releases when its holder dies, however it dies) on a file of its own:
 *   SK_GUARD_REFS  sinkron-refs.lock: branches and tags (refs/heads, refs/tags);
 *   SK_GUARD_NET   sinkron-net.lock: a transfer's refs (refs/sinkron, refs/remotes) and packs.
 * git's lock files (X.lock beside a ref) are created there only under the matching lock, so one
 * found by its holder was left by a writer killed mid-write: sk_repo_guard removes them.  It
 * waits for a live holder.  The fd is released with sk_repo_unguard (and by a child's exit).
 */
enum sk_guard { SK_GUARD_REFS, SK_GUARD_NET };
int sk_repo_guard(const char *repo_path, enum sk_guard which, int *fd_out);
void sk_repo_unguard(int fd);

/* The commit a ref points at, 40 hex; SK_ENOTFOUND when the ref does not exist. */
int sk_repo_ref(struct sk_repo *repo, const char *refname, char out[41]);
/* Points refname at commit (creating it), clearing a lock file left by a killed process. */
int sk_repo_set_ref(struct sk_repo *repo, const char *refname, const char *commit);
/* Names of refs matching a glob such as "refs/heads/district/ *" (without the space). */
int sk_repo_refs(struct sk_repo *repo, const char *glob, char ***out, size_t *n);

struct sk_repo_entry {
	char commit[41];
	char blob[41];
	const unsigned char *data; /* the change-set bytes */
	size_t len;
	const char *manifest;      /* NUL-terminated text, or "" */
	int64_t time;              /* commit time, seconds */
	unsigned parents;          /* how many parents the commit has */
	char parent[41];           /* the first one ("" none) */
};
/* Calls fn for each change-set commit reachable from `start` (a ref name or a commit id),
 * oldest first; fn returns non-zero to stop (that value is returned).  A commit whose tree
 * has no readable change-set, or a damaged object, gives SK_ECORRUPT naming the object. */
int sk_repo_walk(struct sk_repo *repo, const char *start,
		 int (*fn)(void *payload, const struct sk_repo_entry *e), void *payload);

/* The same for the commits reachable from start but not from after (a commit id or ref). */
int sk_repo_walk_range(struct sk_repo *repo, const char *start, const char *after,
		       int (*fn)(void *payload, const struct sk_repo_entry *e), void *payload);

/* Calls fn for the one change-set commit commit (40 hex); SK_ECORRUPT when it cannot be read. */
int sk_repo_read(struct sk_repo *repo, const char *commit, int (*fn)(void *payload, const struct sk_repo_entry *e),
		 void *payload);

/* A tag by name: at itself when it starts with refs/, else a snapshot's name, else any tag's.
 * 1 when found, with the commit it names and (an annotated tag) its message, owned by the
 * caller; 0 when there is none. */
int sk_repo_tag_find(struct sk_repo *repo, const char *at, char commit[41], char **message);
/* 1 when git accepts refname as a ref's name. */
int sk_repo_ref_name_valid(const char *refname);
/* Writes the annotated tag name ("snapshot/x") on commit, never moving one: SK_ECONFLICT when
 * it exists, SK_ENOTFOUND when the commit is not in repo. */
int sk_repo_tag_create(struct sk_repo *repo, const char *name, const char *commit, const char *tagger,
		       const char *email, const char *message);
struct sk_repo_tag {
	const char *name, *message, *tagger; /* name: after the prefix asked for */
	int64_t time;              /* when tagged, s */
	char commit[41];
};
/* Calls fn for each annotated tag whose ref starts with prefix (SK_REF_SNAPSHOT), t->name
 * being the rest; fn returns non-zero to stop (that value is returned). */
int sk_repo_tags(struct sk_repo *repo, const char *prefix, int (*fn)(void *payload, const struct sk_repo_tag *t),
		 void *payload);

/* The value of "key: " in a manifest (or a tag message), copied into out ("" when absent). */
void sk_manifest_value(char *out, size_t n, const char *manifest, const char *key);

/* Opens the local repository of db and moves its branch to the change-set the database last
 * recorded (repairing a crash between the database commit and the branch update). */
int sk_local_open(struct sk_db *db, struct sk_repo **out);
/* The branch of db's own change-sets in its local repository (the caller frees it). */
char *sk_local_branch(const struct sk_db *db);

/* Copies into repo every object of the repository at damaged that still reads whole. */
int sk_repo_salvage(struct sk_repo *repo, const char *damaged, size_t *copied, size_t *bad);
/* 1 when commit and every commit before it, with their files, can be read in repo. */
int sk_repo_complete(struct sk_repo *repo, const char *commit);

/* Fetches the central repository's copy of this office's own branch into the repository at
 * repo_path as refs/sinkron/central-own (absent when the central has none); bytes received. */
int sk_fetch_own(struct sk_db *db, const struct sk_remote *r, const char *repo_path, uint64_t *bytes);

#endif

/*
 * restore.c: a district, or the whole city, rebuilt as it was at a past point from the local
 * repository alone and checked against the digests the change-sets recorded; checkpoints so
 * that a restore applies only what came after the nearest one; undo of a district's recent
 * changes as new change-sets; named snapshots (annotated tags) and the difference of two points.
 * README.md "Restoring" gives the rules (which clock a date is read by, what a checkpoint is).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <git2.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"
#include "owners.h"
#include "repo.h"
#include "row.h"

#define MAX_BRANCHES 40
#define CHECKPOINT_EVERY 200   /* change-sets applied between two checkpoints */
#define CHECKPOINTS_KEPT 12    /* per kind (a district, the city) */

/* One change-set commit of a branch, as the restore needs it. */
struct item {
	char commit[41], blob[41];
	char central[41];        /* the manifest's central: line ("" none) */
	uint64_t number, clock;  /* clock: hlc_max */
	uint64_t eff;            /* the least clock of this and every later item: date order */
	uint32_t flags;
	int64_t time;
	unsigned char digest[SK_HASH_SIZE];
	unsigned char *data;
	size_t len;
};

struct branch {
	char ref[160], origin[24];
	int is_central;
	struct item *v;
	size_t n, alloc;
	size_t target;           /* the prefix wanted */
	size_t have;             /* the prefix in the database being built */
};

enum { MODE_DISTRICT = 1, MODE_CITY, MODE_SNAPSHOT };

struct rs {
	const char *dbpath;
	char code[24], city[24];
	int is_city;             /* the office whose repository this is */
	struct sk_repo *repo;
	git_repository *git;
	struct branch b[MAX_BRANCHES];
	int nb;
	int own, central;        /* branch indexes, -1 none */
	int mode;
	char kind[64];           /* "district 96.71.01", "city 96.71" */
	char build_code[24];
	int build_city;
	unsigned char snap_digest[SK_HASH_SIZE];
	int64_t date_ms;         /* MODE_CITY: the point; INT64_MAX none */
	const struct sk_restore_opts *o;
	struct sk_restore_result *res;
	size_t first_bad;        /* district mode: 1 + the first change-set whose digest differed */
	char cpdir[4096];
	int checkpoints;
	size_t since_checkpoint;
	size_t every;            /* change-sets between checkpoints */
	char cp_used[4400];
	int index_bad;           /* an index entry did not match the repository: plan again */
};

/* ---- small helpers ---- */

static void git_init_once(void)
{
	static int done;
	if (!done) {
		git_libgit2_init();
		git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, 0);
		done = 1;
	}
}

static int git_fail(int code, const char *what)
{
	const git_error *e = git_error_last();
	return sk_error(code, "%s: %s", what, e && e->message ? e->message : "unknown git error");
}

/* Reads the uncompressed header of a change-set (sync/FORMAT.md): enough to choose without
 * decompressing anything. */
static int peek(struct item *it, char origin[24], const unsigned char *d, size_t n)
{
	const unsigned char *p = d, *end = d + n;
	uint64_t seq, span, hspan, seen, flags;
	size_t ol;
	if (n < 6 || memcmp(d, "SKCS", 4) || d[4] != SK_CS_VERSION)
		return SK_ECORRUPT;
	ol = d[5];
	p = d + 6;
	if (ol == 0 || ol > 23 || (size_t)(end - p) < ol)
		return SK_ECORRUPT;
	memcpy(origin, p, ol);
	origin[ol] = '\0';
	p += ol;
	if (sk_get_varint(&it->number, &p, end) < 0 || sk_get_varint(&seq, &p, end) < 0 ||
	    sk_get_varint(&span, &p, end) < 0 || end - p < 8)
		return SK_ECORRUPT;
	it->clock = sk_get_u64(p);
	p += 8;
	if (sk_get_varint(&hspan, &p, end) < 0 || sk_get_varint(&seen, &p, end) < 0 ||
	    sk_get_varint(&flags, &p, end) < 0 || end - p < SK_HASH_SIZE)
		return SK_ECORRUPT;
	it->clock += hspan;
	it->flags = (uint32_t)flags;
	memcpy(it->digest, p, SK_HASH_SIZE);
	return 0;
}

static int open_git(struct rs *r);
static void unlink_db(const char *path);
static void cp_discard(const char *base);

/* ---- loading branches ---- */

struct collecting {
	struct branch *b;
	const char *dir;
};

static int collect(void *payload, const struct sk_repo_entry *e)
{
	struct collecting *c = payload;
	struct branch *b = c->b;
	struct item *it;
	char origin[24];

	if (b->n == b->alloc) {
		b->alloc = b->alloc ? b->alloc * 2 : 64;
		b->v = sk_realloc(b->v, b->alloc * sizeof(*b->v));
	}
	it = &b->v[b->n];
	memset(it, 0, sizeof(*it));
	if (peek(it, origin, e->data, e->len) < 0)
		return sk_error(SK_ECORRUPT, "change-set object %s of commit %s in '%s' is damaged", e->blob, e->commit, c->dir);
	if (!b->origin[0])
		snprintf(b->origin, sizeof(b->origin), "%s", origin);
	if (strcmp(origin, b->origin) || it->number != b->n + 1)
		return sk_error(SK_ECORRUPT, "commit %s on %s in '%s' carries change-set %s #%llu where %s #%zu belongs",
				e->commit, b->ref, c->dir, origin, (unsigned long long)it->number, b->origin, b->n + 1);
	memcpy(it->commit, e->commit, 41);
	memcpy(it->blob, e->blob, 41);
	sk_manifest_value(it->central, sizeof(it->central), e->manifest, "central");
	it->time = e->time;
	it->data = sk_malloc(e->len ? e->len : 1);
	memcpy(it->data, e->data, e->len);
	it->len = e->len;
	b->n++;
	return 0;
}

static void branch_release(struct branch *b)
{
	for (size_t i = 0; i < b->n; i++)
		free(b->v[i].data);
	free(b->v);
	memset(b, 0, sizeof(*b));
}

static void branch_eff(struct branch *b)
{
	uint64_t m = UINT64_MAX;
	for (size_t i = b->n; i-- > 0;) {
		if (b->v[i].clock < m)
			m = b->v[i].clock;
		b->v[i].eff = m;
	}
}

/* ---- the branch index ----
 * A file per branch beside the checkpoints (office.checkpoints/index-REF.idx) holding, per
 * change-set, what choosing a point needs: commit, change-set blob, the manifest's central:
 * line, clock, commit time, flags and recorded digest.  With it, loading a branch of 50,000
 * change-sets reads one small file instead of every commit, tree and blob.  It is a help,
 * never the truth: the file ends with the SHA-256 of what precedes it (a damaged file is
 * rebuilt by a walk); it is only taken when its last commit is the branch's tip or an
 * ancestor of it (new change-sets are walked and appended); and every change-set a restore
 * applies is read from the repository and checked against its entry (item_load). */

#define IDX_MAGIC "SKIDX 1\n"
#define IDX_HEAD 40     /* magic 8, origin 24, count 8 */
#define IDX_REC 136     /* commit 20, blob 20, central 40, clock 8, time 8, flags 4, digest 32, length 4 */

static char *index_path(struct rs *r, const char *ref)
{
	char name[200];
	size_t k = 0;
	for (const char *p = ref; *p && k + 1 < sizeof(name); p++)
		name[k++] = (*p == '/' || *p == '\\') ? '_' : *p;
	name[k] = '\0';
	return sk_printf("%s/index-%s.idx", r->cpdir, name);
}

static void index_put(unsigned char *p, const struct item *it)
{
	git_oid id;
	memset(p, 0, IDX_REC);
	if (git_oid_fromstr(&id, it->commit) == 0)
		memcpy(p, id.id, 20);
	if (git_oid_fromstr(&id, it->blob) == 0)
		memcpy(p + 20, id.id, 20);
	memcpy(p + 40, it->central, strnlen(it->central, 40));
	sk_put_u64(p + 80, it->clock);
	sk_put_u64(p + 88, (uint64_t)it->time);
	p[96] = (unsigned char)(it->flags >> 24);
	p[97] = (unsigned char)(it->flags >> 16);
	p[98] = (unsigned char)(it->flags >> 8);
	p[99] = (unsigned char)it->flags;
	memcpy(p + 100, it->digest, SK_HASH_SIZE);
	p[132] = (unsigned char)(it->len >> 24);
	p[133] = (unsigned char)(it->len >> 16);
	p[134] = (unsigned char)(it->len >> 8);
	p[135] = (unsigned char)it->len;
}

static void index_get(struct item *it, const unsigned char *p, uint64_t number)
{
	git_oid id;
	memset(it, 0, sizeof(*it));
	memcpy(id.id, p, 20);
	git_oid_tostr(it->commit, sizeof(it->commit), &id);
	memcpy(id.id, p + 20, 20);
	git_oid_tostr(it->blob, sizeof(it->blob), &id);
	memcpy(it->central, p + 40, 40);
	it->central[40] = '\0';
	it->number = number;
	it->clock = sk_get_u64(p + 80);
	it->time = (int64_t)sk_get_u64(p + 88);
	it->flags = (uint32_t)p[96] << 24 | (uint32_t)p[97] << 16 | (uint32_t)p[98] << 8 | p[99];
	memcpy(it->digest, p + 100, SK_HASH_SIZE);
	it->len = (size_t)p[132] << 24 | (size_t)p[133] << 16 | (size_t)p[134] << 8 | p[135];
}

/* Reads the index of ref into b (entries without their bytes); 0 when it was whole, 1 when
 * there is none, -1 when it is damaged. */
static int index_read(struct rs *r, struct branch *b, const char *ref)
{
	char *path = index_path(r, ref);
	unsigned char *buf = NULL, sum[SK_HASH_SIZE];
	struct stat st;
	uint64_t count;
	size_t len;
	int fd, rc = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	free(path);
	if (fd < 0)
		return 1;
	if (fstat(fd, &st) < 0 || st.st_size < IDX_HEAD + SK_HASH_SIZE)
		goto done;
	len = (size_t)st.st_size;
	buf = sk_malloc(len);
	if (read(fd, buf, len) != (ssize_t)len || memcmp(buf, IDX_MAGIC, 8))
		goto done;
	count = sk_get_u64(buf + 32);
	if (count > (len - IDX_HEAD - SK_HASH_SIZE) / IDX_REC || IDX_HEAD + count * IDX_REC + SK_HASH_SIZE != len)
		goto done;
	sk_sha256(sum, buf, len - SK_HASH_SIZE);
	if (memcmp(sum, buf + len - SK_HASH_SIZE, SK_HASH_SIZE) || !buf[8] || buf[8 + 23])
		goto done;
	snprintf(b->origin, sizeof(b->origin), "%s", (const char *)buf + 8);
	b->alloc = count + 64;
	b->v = sk_realloc(b->v, b->alloc * sizeof(*b->v));
	for (uint64_t i = 0; i < count; i++)
		index_get(&b->v[i], buf + IDX_HEAD + i * IDX_REC, i + 1);
	b->n = (size_t)count;
	rc = 0;
done:
	free(buf);
	close(fd);
	return rc;
}

/* Writes the index of ref from b (a help: a failure is ignored). */
static void index_write(struct rs *r, const struct branch *b, const char *ref)
{
	char *path, *tmp;
	size_t len = IDX_HEAD + b->n * IDX_REC + SK_HASH_SIZE;
	unsigned char *buf;
	int fd;

	if (!b->n || (mkdir(r->cpdir, 0700) < 0 && errno != EEXIST))
		return;
	path = index_path(r, ref);
	tmp = sk_printf("%s.tmp%d", path, (int)getpid());
	buf = sk_calloc(1, len);
	memcpy(buf, IDX_MAGIC, 8);
	memcpy(buf + 8, b->origin, strnlen(b->origin, 23));
	sk_put_u64(buf + 32, b->n);
	for (size_t i = 0; i < b->n; i++)
		index_put(buf + IDX_HEAD + i * IDX_REC, &b->v[i]);
	sk_sha256(buf + len - SK_HASH_SIZE, buf, len - SK_HASH_SIZE);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) >= 0) {
		int ok = write(fd, buf, len) == (ssize_t)len;
		if (close(fd) == 0 && ok && rename(tmp, path) == 0)
			r->res->index_written++;
	}
	unlink(tmp);
	free(buf);
	free(tmp);
	free(path);
}

static void index_discard(struct rs *r, const char *ref)
{
	char *path = index_path(r, ref);
	unlink(path);
	free(path);
}

/* The branch from ref through its index: the entries it holds, and the change-sets sealed
 * since walked from the repository and appended.  Anything that does not fit (a damaged file,
 * a rewritten branch) makes it a full walk, and the index is written again. */
static int index_load(struct rs *r, struct branch *b, struct collecting *c, const char *ref)
{
	char tip[41];
	int rc, got;
	if (strncmp(ref, "refs/", 5) || sk_repo_ref(r->repo, ref, tip) < 0)
		return sk_repo_walk(r->repo, ref, collect, c);
	if ((got = index_read(r, b, ref)) == 0 && b->n) {
		size_t had = b->n;
		if (!strcmp(b->v[had - 1].commit, tip))
			return 0;
		rc = sk_repo_walk_range(r->repo, tip, b->v[had - 1].commit, collect, c);
		if (rc == 0 && b->n > had) {
			index_write(r, b, ref);
			return 0;
		}
		sk_error_clear();
	}
	/* no index, or one that does not fit this branch: the whole walk */
	if (b->n || got < 0)
		r->res->index_rebuilt++;
	for (size_t i = 0; i < b->n; i++)
		free(b->v[i].data);
	b->n = 0;
	b->origin[0] = '\0';
	if ((rc = sk_repo_walk(r->repo, tip, collect, c)) < 0)
		return rc;
	index_write(r, b, ref);
	return 0;
}

/* The bytes of change-set i of b, read from the repository when they came from the index,
 * and checked against the entry: the commit carries that blob and the manifest's central:
 * line, its parent is the previous entry's commit, and the change-set's own header gives the
 * same office, number, clock, flags and digest.  A difference is SK_ECORRUPT and marks the
 * index bad (the restore then walks the branch again). */
static int item_load(struct rs *r, struct branch *b, size_t i)
{
	struct item *it = &b->v[i], chk;
	git_oid id;
	git_commit *c = NULL;
	git_tree *tree = NULL;
	git_blob *blob = NULL, *man = NULL;
	const git_tree_entry *te, *me;
	char hex[41], origin[24], central[41] = "";
	int rc = 0, fits = 0;

	if (it->data)
		return 0;
	if ((rc = open_git(r)) < 0)
		return rc;
	if (git_oid_fromstr(&id, it->commit) < 0 || git_commit_lookup(&c, r->git, &id) < 0 || git_commit_tree(&tree, c) < 0 ||
	    !(te = git_tree_entry_byname(tree, "changeset")) || git_blob_lookup(&blob, r->git, git_tree_entry_id(te)) < 0)
		goto done;
	git_oid_tostr(hex, sizeof(hex), git_tree_entry_id(te));
	if (strcmp(hex, it->blob))
		goto done;
	if (i == 0 ? git_commit_parentcount(c) != 0
		   : git_commit_parentcount(c) != 1 ||
			     (git_oid_tostr(hex, sizeof(hex), git_commit_parent_id(c, 0)), strcmp(hex, b->v[i - 1].commit)))
		goto done;
	if ((me = git_tree_entry_byname(tree, "manifest")) && git_blob_lookup(&man, r->git, git_tree_entry_id(me)) == 0) {
		char *mtext = sk_strndup(git_blob_rawcontent(man), (size_t)git_blob_rawsize(man));
		sk_manifest_value(central, sizeof(central), mtext, "central");
		free(mtext);
	}
	memset(&chk, 0, sizeof(chk));
	if (strcmp(central, it->central) || (int64_t)git_commit_time(c) != it->time ||
	    peek(&chk, origin, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob)) < 0 || strcmp(origin, b->origin) ||
	    chk.number != i + 1 || chk.clock != it->clock || chk.flags != it->flags ||
	    memcmp(chk.digest, it->digest, SK_HASH_SIZE))
		goto done;
	it->len = (size_t)git_blob_rawsize(blob);
	it->data = sk_malloc(it->len ? it->len : 1);
	memcpy(it->data, git_blob_rawcontent(blob), it->len);
	fits = 1;
done:
	if (!fits) {
		r->index_bad = 1;
		index_discard(r, b->ref);
		rc = sk_error(SK_ECORRUPT, "the index of %s in '%s' does not match change-set #%zu (commit %.12s): it is rebuilt",
			      b->ref, r->cpdir, i + 1, it->commit);
	}
	git_blob_free(man);
	git_blob_free(blob);
	git_tree_free(tree);
	git_commit_free(c);
	return rc;
}

/* Loads the branch from start (a ref or commit) into a new slot. */
static int load_branch(struct rs *r, const char *start, int is_central, int *idx)
{
	struct collecting c;
	struct branch *b;
	int rc;
	if (r->nb == MAX_BRANCHES)
		return sk_error(SK_ERROR, "too many branches in '%s'", sk_repo_dir(r->repo));
	b = &r->b[r->nb];
	memset(b, 0, sizeof(*b));
	snprintf(b->ref, sizeof(b->ref), "%s", start);
	b->is_central = is_central;
	c.b = b;
	c.dir = sk_repo_dir(r->repo);
	if ((rc = index_load(r, b, &c, start)) < 0) {
		branch_release(b);
		return rc;
	}
	branch_eff(b);
	*idx = r->nb++;
	return 0;
}

static int find_origin(struct rs *r, const char *origin)
{
	for (int i = 0; i < r->nb; i++)
		if (!strcmp(r->b[i].origin, origin))
			return i;
	return -1;
}

static long find_commit(const struct branch *b, const char *commit)
{
	size_t n = strlen(commit);
	for (size_t i = 0; i < b->n; i++)
		if (!strncmp(b->v[i].commit, commit, n))
			return (long)i;
	return -1;
}

/* Every district branch the city holds (fetched, or its own copies) and central. */
static int load_city(struct rs *r)
{
	const char *globs[2] = {"refs/remotes/central/district/*", "refs/heads/district/*"};
	char tip[41];
	int rc, idx;
	for (int g = 0; g < 2; g++) {
		char **refs = NULL;
		size_t n = 0;
		if ((rc = sk_repo_refs(r->repo, globs[g], &refs, &n)) < 0)
			return rc;
		for (size_t i = 0; i < n && rc == 0; i++) {
			int prev;
			rc = load_branch(r, refs[i], 0, &idx);
			if (rc == 0 && r->b[idx].n == 0) {
				branch_release(&r->b[idx]);
				r->nb--;
				continue;
			}
			if (rc == 0 && (prev = find_origin(r, r->b[idx].origin)) != idx) {
				/* both a fetched and a local copy: keep the longer */
				if (r->b[idx].n > r->b[prev].n) {
					struct branch t = r->b[prev];
					r->b[prev] = r->b[idx];
					r->b[idx] = t;
				}
				branch_release(&r->b[idx]);
				r->nb--;
			}
		}
		for (size_t i = 0; i < n; i++)
			free(refs[i]);
		free(refs);
		if (rc < 0)
			return rc;
	}
	if (sk_repo_ref(r->repo, "refs/heads/central", tip) == 0) {
		if ((rc = load_branch(r, "refs/heads/central", 1, &idx)) < 0)
			return rc;
		r->central = idx;
	}
	return 0;
}

/* A district's own branch as this repository holds it, and the city's central as fetched. */
static int load_district(struct rs *r, const char *code)
{
	char ref[128], tip[41];
	const char *cands[2];
	int rc, idx;
	char r1[128], r2[128];
	snprintf(r1, sizeof(r1), "refs/heads/district/%s", code);
	snprintf(r2, sizeof(r2), "refs/remotes/central/district/%s", code);
	cands[0] = r->is_city ? r2 : r1;
	cands[1] = r->is_city ? r1 : r2;
	ref[0] = '\0';
	for (int i = 0; i < 2 && !ref[0]; i++)
		if (sk_repo_ref(r->repo, cands[i], tip) == 0)
			snprintf(ref, sizeof(ref), "%s", cands[i]);
	if (!ref[0])
		return sk_error(SK_ENOTFOUND, "the repository '%s' holds no change-set of district %s", sk_repo_dir(r->repo), code);
	if ((rc = load_branch(r, ref, 0, &idx)) < 0)
		return rc;
	r->own = idx;
	if (!r->b[idx].n)
		return sk_error(SK_ENOTFOUND, "district %s has sealed no change-set yet", code);
	{
		const char *cref = r->is_city ? "refs/heads/central" : "refs/remotes/central/central";
		if (sk_repo_ref(r->repo, cref, tip) == 0) {
			if ((rc = load_branch(r, cref, 1, &idx)) < 0)
				return rc;
			r->central = idx;
		}
	}
	return 0;
}

/* ---- the point ---- */

/* "2024-02-28", "2024-02-28 14:00", "2024-02-28T14:00:05", "@1709100000": the end of the day,
 * minute or second given, in the computer's time zone, as ms since the epoch; ISO 8601 with a
 * zone ("2026-12-05T23:02:17Z", "...+09:00", a fraction of a second) in that zone. */
static int parse_date(const char *s, int64_t *out)
{
	struct tm tm;
	int y, mo, d, h = 23, mi = 59, sec = 59, n = 0, got, zoned = 0, offset = 0;
	char sep;
	if (s[0] == '@') {
		char *end;
		long long v = strtoll(s + 1, &end, 10);
		if (end == s + 1 || *end)
			return -1;
		*out = v * 1000 + 999;
		return 0;
	}
	got = sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n);
	if (got != 3 || n != 10)
		return -1;
	if (s[n]) {
		int n2 = 0;
		sep = s[n];
		if (sep != ' ' && sep != 'T')
			return -1;
		if (sscanf(s + n + 1, "%2d:%2d%n", &h, &mi, &n2) != 2 || n2 != 5)
			return -1;
		n += 1 + n2;
		if (s[n] == ':') {
			int n3 = 0;
			if (sscanf(s + n + 1, "%2d%n", &sec, &n3) != 1 || n3 != 2)
				return -1;
			n += 1 + n3;
			if (s[n] == '.' || s[n] == ',') /* a fraction of the second: within that second */
				for (n++; s[n] >= '0' && s[n] <= '9'; n++)
					;
		}
		/* ISO 8601's zone, as sinkron's own log lines write it: Z, +09:00, +0900, -03 */
		if (s[n] == 'Z' && !s[n + 1]) {
			zoned = 1;
			n++;
		} else if ((s[n] == '+' || s[n] == '-') && s[n + 1]) {
			int zh = 0, zm = 0, k = 0;
			if (sscanf(s + n + 1, "%2d%n", &zh, &k) != 1 || k != 2)
				return -1;
			k += n + 1;
			if (s[k] == ':')
				k++;
			if (s[k]) {
				int k2 = 0;
				if (sscanf(s + k, "%2d%n", &zm, &k2) != 1 || k2 != 2)
					return -1;
				k += k2;
			}
			if (zh > 14 || zm > 59)
				return -1;
			offset = (zh * 60 + zm) * 60 * (s[n] == '-' ? -1 : 1);
			zoned = 1;
			n = k;
		}
		if (s[n])
			return -1;
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	tm.tm_isdst = -1;
	if (zoned) {
		tm.tm_isdst = 0;
		*out = ((int64_t)timegm(&tm) - offset) * 1000 + 999;
	} else {
		*out = (int64_t)mktime(&tm) * 1000 + 999;
	}
	return 0;
}

static void describe_ms(char *out, size_t n, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(out, n, "%Y-%m-%d %H:%M:%S %Z", &tm);
}

/* The last change-set of b at or before ms by its clock: the prefix wanted. */
static size_t prefix_at(const struct branch *b, int64_t ms)
{
	size_t k = 0;
	for (size_t i = 0; i < b->n; i++)
		if (SK_HLC_MS(b->v[i].clock) <= ms)
			k = i + 1;
	return k;
}

static int open_git(struct rs *r)
{
	if (r->git)
		return 0;
	git_init_once();
	if (git_repository_open_bare(&r->git, sk_repo_dir(r->repo)) < 0)
		return git_fail(SK_ERROR, "cannot open the local repository");
	return 0;
}

/* A tag: an annotated snapshot tag sets every branch; another tag names a commit. */
static int resolve_tag(struct rs *r, const char *at, char commit[41], char **message)
{
	char names[3][300];
	git_reference *ref = NULL;
	int rc, n = 0;
	*message = NULL;
	commit[0] = '\0';
	if ((rc = open_git(r)) < 0)
		return rc;
	if (!strncmp(at, "refs/", 5))
		snprintf(names[n++], sizeof(names[0]), "%s", at);
	snprintf(names[n++], sizeof(names[0]), "refs/tags/snapshot/%s", at);
	snprintf(names[n++], sizeof(names[0]), "refs/tags/%s", at);
	for (int i = 0; i < n; i++) {
		git_object *obj = NULL, *c = NULL;
		if (git_reference_lookup(&ref, r->git, names[i]) < 0)
			continue;
		if (git_reference_target(ref) &&
		    git_object_lookup(&obj, r->git, git_reference_target(ref), GIT_OBJECT_ANY) == 0) {
			if (git_object_type(obj) == GIT_OBJECT_TAG)
				*message = sk_strdup(git_tag_message((git_tag *)obj));
			git_object_free(obj);
		}
		if (git_reference_peel(&c, ref, GIT_OBJECT_COMMIT) == 0) {
			git_oid_tostr(commit, 41, git_object_id(c));
			git_object_free(c);
		}
		git_reference_free(ref);
		return 1;
	}
	return 0;
}

/* Sets the targets from the point; fills res->point and mode. */
static int choose(struct rs *r, const char *at, const char *district)
{
	int64_t ms;
	char commit[41], *msg = NULL;
	int rc;

	r->date_ms = INT64_MAX;
	if (parse_date(at, &ms) == 0) {
		char when[64];
		describe_ms(when, sizeof(when), ms);
		snprintf(r->res->point, sizeof(r->res->point), "as at %s (by each office's change-set clock)", when);
		if (r->mode == MODE_DISTRICT) {
			struct branch *b = &r->b[r->own];
			b->target = prefix_at(b, ms);
			if (!b->target) {
				char first[64];
				describe_ms(first, sizeof(first), SK_HLC_MS(b->v[0].clock));
				return sk_error(SK_ENOTFOUND, "district %s had sealed nothing by %s (its first change-set is from %s)",
						b->origin, when, first);
			}
			return 0;
		}
		r->date_ms = ms;
		for (int i = 0; i < r->nb; i++)
			r->b[i].target = prefix_at(&r->b[i], ms);
		return 0;
	}
	if ((rc = resolve_tag(r, at, commit, &msg)) < 0)
		return rc;
	if (rc == 1 && msg && strstr(msg, "\nbranch ")) {
		/* a snapshot: every branch exactly as listed */
		const char *p = msg;
		if (r->mode == MODE_DISTRICT) {
			free(msg);
			return sk_error(SK_EINVALID, "'%s' is a snapshot of the whole office: restore it without --district", at);
		}
		r->mode = MODE_SNAPSHOT;
		for (int i = 0; i < r->nb; i++)
			r->b[i].target = 0;
		while ((p = strstr(p, "\nbranch "))) {
			char origin[24], cm[41], dg[65];
			unsigned long long num;
			int bi;
			long k;
			p += 8;
			if (sscanf(p, "%23s %llu %40s %64s", origin, &num, cm, dg) != 4)
				continue;
			if ((bi = find_origin(r, origin)) < 0 || (k = find_commit(&r->b[bi], cm)) < 0) {
				rc = sk_error(SK_ENOTFOUND, "snapshot '%s' names change-set %s #%llu (commit %.12s), which the local "
					      "repository '%s' does not hold: sync first", at, origin, num, cm, sk_repo_dir(r->repo));
				free(msg);
				return rc;
			}
			r->b[bi].target = (size_t)k + 1;
		}
		{
			char dg[80];
			sk_manifest_value(dg, sizeof(dg), msg, "digest");
			if (sk_unhex(r->snap_digest, SK_HASH_SIZE, dg) < 0) {
				free(msg);
				return sk_error(SK_ECORRUPT, "snapshot '%s' records no digest", at);
			}
		}
		free(msg);
		snprintf(r->res->point, sizeof(r->res->point), "snapshot %s", at);
		return 0;
	}
	free(msg);
	if (rc == 0) {
		size_t n = strlen(at);
		if (n < 7 || n > 40 || strspn(at, "0123456789abcdef") != n)
			return sk_error(SK_EINVALID, "'%s' is neither a date (2024-02-28, \"2024-02-28 14:00\"), a commit nor a tag", at);
		snprintf(commit, sizeof(commit), "%s", at);
	}
	/* a commit: find its branch */
	for (int i = 0; i < r->nb; i++) {
		long k = find_commit(&r->b[i], commit);
		if (k < 0)
			continue;
		if (r->mode == MODE_DISTRICT) {
			if (i != r->own)
				return sk_error(SK_EINVALID, "commit %s is the city's: give a change-set of district %s", at,
						r->b[r->own].origin);
			r->b[i].target = (size_t)k + 1;
		} else if (!r->b[i].is_central) {
			/* a district's commit at the city: that district as it had itself */
			r->mode = MODE_DISTRICT;
			r->own = i;
			r->b[i].target = (size_t)k + 1;
		} else {
			int64_t ms2 = SK_HLC_MS(r->b[i].v[k].clock);
			r->date_ms = ms2;
			for (int j = 0; j < r->nb; j++)
				r->b[j].target = prefix_at(&r->b[j], ms2);
			r->b[i].target = (size_t)k + 1;
		}
		snprintf(r->res->point, sizeof(r->res->point), "change-set %s #%llu (commit %.12s)", r->b[i].origin,
			 (unsigned long long)r->b[i].v[k].number, r->b[i].v[k].commit);
		return 0;
	}
	(void)district;
	return sk_error(SK_ENOTFOUND, "no change-set commit or tag '%s' in '%s'", at, sk_repo_dir(r->repo));
}

/* ---- checkpoints ---- */

static void cp_text(struct rs *r, struct sk_buf *t, int with_digest, const unsigned char *digest)
{
	sk_buf_printf(t, "kind: %s\n", r->kind);
	if (with_digest) {
		char hex[2 * SK_HASH_SIZE + 1];
		sk_hex(hex, digest, SK_HASH_SIZE);
		sk_buf_printf(t, "digest: %s\n", hex);
	}
	for (int i = 0; i < r->nb; i++)
		if (r->b[i].have)
			sk_buf_printf(t, "branch %s %zu %s\n", r->b[i].origin, r->b[i].have, r->b[i].v[r->b[i].have - 1].commit);
}

static int copy_file(const char *from, const char *to)
{
	int in = open(from, O_RDONLY | O_CLOEXEC), out;
	char *buf;
	ssize_t n;
	int rc = 0;
	if (in < 0)
		return sk_error(SK_ERROR, "cannot read '%s': %s", from, strerror(errno));
	if ((out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
		close(in);
		return sk_error(errno == EEXIST ? SK_ECONFLICT : SK_ERROR, "cannot create '%s': %s", to, strerror(errno));
	}
	buf = sk_malloc(1 << 20);
	while ((n = read(in, buf, 1 << 20)) > 0)
		if (write(out, buf, (size_t)n) != n) {
			rc = sk_error(SK_ERROR, "cannot write '%s': %s", to, strerror(errno));
			break;
		}
	if (n < 0)
		rc = sk_error(SK_ERROR, "cannot read '%s': %s", from, strerror(errno));
	free(buf);
	close(in);
	if (close(out) < 0 && rc == 0)
		rc = sk_error(SK_ERROR, "cannot write '%s': %s", to, strerror(errno));
	return rc;
}

/* ---- delta checkpoints ----
 * Most checkpoints are small: the rows that differ from an earlier full checkpoint (the base),
 * found by SQL (each table's rows EXCEPT the base's), in a SQLite file NAME.delta whose .txt
 * says "delta: BASE" and the SHA-256 of the file.  A restore copies the base, deletes the
 * rows that changed or went and inserts their new versions (with the triggers off: this is
 * bookkeeping, not a clerk's write), then checks the digest as for any checkpoint; the
 * final checks of the restore catch anything else, and the restore then starts over. */

#define CP_FULL_EVERY 5        /* one checkpoint in five is a full copy; the others deltas */
#define CP_DELTAS_KEPT 60

static int cp_is_rowid_table(sqlite3 *h, const char *schema, const char *t)
{
	sqlite3_stmt *st = NULL;
	char *q = sqlite3_mprintf("SELECT rowid FROM %s.\"%w\" LIMIT 0", schema, t);
	int ok = sqlite3_prepare_v2(h, q, -1, &st, NULL) == SQLITE_OK;
	sqlite3_finalize(st);
	sqlite3_free(q);
	return ok;
}

/* The table's columns, quoted, comma-separated (pk_only: its primary key's). */
static void cp_columns(sqlite3 *h, const char *schema, const char *t, int pk_only, struct sk_buf *out)
{
	sqlite3_stmt *st = NULL;
	char *q = sqlite3_mprintf("SELECT name FROM pragma_table_info(%Q, %Q) %s", t, schema,
				  pk_only ? "WHERE pk > 0 ORDER BY pk" : "ORDER BY cid");
	int n = 0;
	if (sqlite3_prepare_v2(h, q, -1, &st, NULL) == SQLITE_OK)
		while (sqlite3_step(st) == SQLITE_ROW) {
			char *c = sqlite3_mprintf("%s\"%w\"", n++ ? ", " : "", (const char *)sqlite3_column_text(st, 0));
			sk_buf_puts(out, c);
			sqlite3_free(c);
		}
	sqlite3_finalize(st);
	sqlite3_free(q);
}

static int cp_sql(sqlite3 *h, const char *q)
{
	return sqlite3_exec(h, q, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

static int cp_file_sha(const char *path, char hex[2 * SK_HASH_SIZE + 1])
{
	struct sk_sha256_ctx c;
	unsigned char buf[65536], sum[SK_HASH_SIZE];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	sk_sha256_init(&c);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		sk_sha256_update(&c, buf, (size_t)n);
	close(fd);
	sk_sha256_final(&c, sum);
	if (n < 0)
		return -1;
	sk_hex(hex, sum, SK_HASH_SIZE);
	return 0;
}

/* The "key: value" line of a checkpoint's .txt ("" when absent). */
static void cp_txt_value(const char *base, const char *key, char *out, size_t n)
{
	char *txt = sk_printf("%s.txt", base), line[400];
	size_t kl = strlen(key);
	FILE *f = fopen(txt, "r");
	free(txt);
	out[0] = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, kl) && line[kl] == ':' && line[kl + 1] == ' ') {
			line[strcspn(line, "\n")] = '\0';
			snprintf(out, n, "%s", line + kl + 2);
			break;
		}
	fclose(f);
}

/* The full checkpoint of this kind that the database being built descends from, with most
 * change-sets: its name (the 20 hex digits) in key, and how many change-sets it holds. */
static size_t cp_delta_base(struct rs *r, char key[21])
{
	DIR *d = opendir(r->cpdir);
	struct dirent *de;
	size_t best = 0;
	key[0] = '\0';
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name), score = 0;
		char file[4400], line[400], kind[80] = "", *dbf;
		int ok = 1, delta = 0;
		FILE *f;
		if (len != 24 || strcmp(de->d_name + 20, ".txt"))
			continue;
		snprintf(file, sizeof(file), "%s/%s", r->cpdir, de->d_name);
		if (!(f = fopen(file, "r")))
			continue;
		while (ok && fgets(line, sizeof(line), f)) {
			char origin[24], cm[41];
			size_t k;
			int bi;
			line[strcspn(line, "\n")] = '\0';
			if (!strncmp(line, "kind: ", 6))
				snprintf(kind, sizeof(kind), "%.79s", line + 6);
			else if (!strncmp(line, "delta: ", 7))
				delta = 1;
			else if (!strncmp(line, "branch ", 7)) {
				if (sscanf(line + 7, "%23s %zu %40s", origin, &k, cm) != 3 || (bi = find_origin(r, origin)) < 0 ||
				    k == 0 || k > r->b[bi].have || strcmp(r->b[bi].v[k - 1].commit, cm))
					ok = 0;
				else
					score += k;
			}
		}
		fclose(f);
		if (!ok || delta || strcmp(kind, r->kind) || score <= best)
			continue;
		dbf = sk_printf("%.*s.db", (int)(strlen(file) - 4), file);
		if (access(dbf, R_OK) == 0) {
			best = score;
			snprintf(key, 21, "%.20s", de->d_name);
		}
		free(dbf);
	}
	closedir(d);
	return best;
}

/* Writes base.delta and base.txt for the database being built when a full checkpoint it
 * descends from is near enough; 1 when written, 0 when a full checkpoint should be. */
static int cp_delta_write(struct rs *r, struct sk_db *db, const char *base, const unsigned char *digest)
{
	char key[21], *basedb = NULL, *tmp = NULL, *dst = NULL, *txt = NULL, *ttmp = NULL, sha[2 * SK_HASH_SIZE + 1];
	size_t have = 0, from;
	sqlite3_stmt *st = NULL;
	struct sk_buf t = SK_BUF_INIT;
	int fd, attached = 0, written = 0, ok = 1;
	FILE *f;

	for (int i = 0; i < r->nb; i++)
		have += r->b[i].have;
	if (!(from = cp_delta_base(r, key)) || have - from >= r->every * CP_FULL_EVERY)
		return 0;
	basedb = sk_printf("%s/%s.db", r->cpdir, key);
	tmp = sk_printf("%s.delta.tmp%d", base, (int)getpid());
	dst = sk_printf("%s.delta", base);
	txt = sk_printf("%s.txt", base);
	ttmp = sk_printf("%s.txt.tmp%d", base, (int)getpid());
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
		goto done;
	close(fd);
	{
		char *q = sqlite3_mprintf("ATTACH %Q AS cpbase; ATTACH %Q AS cpdelta; PRAGMA cpdelta.journal_mode = OFF", basedb, tmp);
		ok = cp_sql(db->h, q) == 0;
		sqlite3_free(q);
		if (!ok)
			goto done;
		attached = 1;
	}
	ok = cp_sql(db->h, "BEGIN") == 0 &&
	     sqlite3_prepare_v2(db->h, "SELECT name FROM main.sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' "
				       "ESCAPE '\\'", -1, &st, NULL) == SQLITE_OK;
	while (ok && sqlite3_step(st) == SQLITE_ROW) {
		const char *tn = (const char *)sqlite3_column_text(st, 0);
		struct sk_buf pk = SK_BUF_INIT;
		char *q;
		if (cp_is_rowid_table(db->h, "main", tn))
			q = sqlite3_mprintf("CREATE TABLE cpdelta.\"a:%w\" AS SELECT rowid AS _k, * FROM main.\"%w\" EXCEPT "
					    "SELECT rowid, * FROM cpbase.\"%w\"; CREATE TABLE cpdelta.\"g:%w\" AS SELECT _k FROM "
					    "(SELECT rowid AS _k, * FROM cpbase.\"%w\" EXCEPT SELECT rowid, * FROM main.\"%w\")",
					    tn, tn, tn, tn, tn, tn);
		else {
			cp_columns(db->h, "main", tn, 1, &pk);
			q = sqlite3_mprintf("CREATE TABLE cpdelta.\"a:%w\" AS SELECT * FROM main.\"%w\" EXCEPT SELECT * FROM "
					    "cpbase.\"%w\"; CREATE TABLE cpdelta.\"g:%w\" AS SELECT %s FROM (SELECT * FROM "
					    "cpbase.\"%w\" EXCEPT SELECT * FROM main.\"%w\")",
					    tn, tn, tn, tn, pk.len ? (const char *)pk.ptr : "NULL", tn, tn);
		}
		ok = pk.len || cp_is_rowid_table(db->h, "main", tn) ? cp_sql(db->h, q) == 0 : 0;
		sqlite3_free(q);
		sk_buf_release(&pk);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (cp_sql(db->h, ok ? "COMMIT" : "ROLLBACK") < 0)
		ok = 0;
	cp_sql(db->h, "DETACH cpdelta; DETACH cpbase");
	attached = 0;
	if (!ok || cp_file_sha(tmp, sha) < 0)
		goto done;
	cp_text(r, &t, 1, digest);
	sk_buf_printf(&t, "delta: %s\ndelta-sha256: %s\n", key, sha);
	if ((fd = open(ttmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0 || !(f = fdopen(fd, "w")))
		goto done;
	fwrite(t.ptr, 1, t.len, f);
	if (fclose(f) != 0 || rename(tmp, dst) < 0 || rename(ttmp, txt) < 0)
		goto done;
	written = 1;
done:
	if (attached) {
		cp_sql(db->h, "ROLLBACK");
		cp_sql(db->h, "DETACH cpdelta; DETACH cpbase");
	}
	if (!written) {
		unlink(tmp);
		unlink(ttmp);
	}
	sk_buf_release(&t);
	free(basedb);
	free(tmp);
	free(dst);
	free(txt);
	free(ttmp);
	return written;
}

/* The database of a delta checkpoint at path: its base copied there and the delta applied. */
static int cp_delta_apply(struct rs *r, const char *base, const char *path)
{
	char key[80], want[80], sha[2 * SK_HASH_SIZE + 1];
	char *delta = sk_printf("%s.delta", base), *basedb = NULL;
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	int ok = 0;

	cp_txt_value(base, "delta", key, sizeof(key));
	cp_txt_value(base, "delta-sha256", want, sizeof(want));
	if (strlen(key) != 20 || strspn(key, "0123456789abcdef") != 20 || cp_file_sha(delta, sha) < 0 || strcmp(sha, want))
		goto done;
	basedb = sk_printf("%s/%s.db", r->cpdir, key);
	if (copy_file(basedb, path) < 0) {
		sk_error_clear();
		goto done;
	}
	if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
	    sqlite3_db_config(h, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, (int *)NULL) != SQLITE_OK)
		goto done;
	{
		char *q = sqlite3_mprintf("ATTACH %Q AS cpdelta", delta);
		ok = cp_sql(h, q) == 0 && cp_sql(h, "BEGIN") == 0;
		sqlite3_free(q);
	}
	if (ok && sqlite3_prepare_v2(h, "SELECT substr(name, 3) FROM cpdelta.sqlite_schema WHERE type = 'table' AND name "
				       "LIKE 'a:%'", -1, &st, NULL) != SQLITE_OK)
		ok = 0;
	while (ok && sqlite3_step(st) == SQLITE_ROW) {
		const char *tn = (const char *)sqlite3_column_text(st, 0);
		struct sk_buf cols = SK_BUF_INIT, pk = SK_BUF_INIT;
		char *q;
		cp_columns(h, "main", tn, 0, &cols);
		if (!cols.len) {
			ok = 0;
		} else if (cp_is_rowid_table(h, "main", tn)) {
			q = sqlite3_mprintf("DELETE FROM main.\"%w\" WHERE rowid IN (SELECT _k FROM cpdelta.\"g:%w\"); INSERT INTO "
					    "main.\"%w\"(rowid, %s) SELECT * FROM cpdelta.\"a:%w\"", tn, tn, tn, (const char *)cols.ptr, tn);
			ok = cp_sql(h, q) == 0;
			sqlite3_free(q);
		} else {
			cp_columns(h, "main", tn, 1, &pk);
			q = sqlite3_mprintf("DELETE FROM main.\"%w\" WHERE (%s) IN (SELECT * FROM cpdelta.\"g:%w\"); INSERT INTO "
					    "main.\"%w\"(%s) SELECT * FROM cpdelta.\"a:%w\"", tn, pk.len ? (const char *)pk.ptr : "NULL",
					    tn, tn, (const char *)cols.ptr, tn);
			ok = pk.len && cp_sql(h, q) == 0;
			sqlite3_free(q);
		}
		sk_buf_release(&cols);
		sk_buf_release(&pk);
	}
	sqlite3_finalize(st);
	if (cp_sql(h, ok ? "COMMIT" : "ROLLBACK") < 0)
		ok = 0;
done:
	sqlite3_close(h);
	if (!ok)
		unlink_db(path);
	free(delta);
	free(basedb);
	return ok ? 0 : -1;
}

/* The checkpoint that covers most of the targets, copied to path; 1 when one was used. */
static int cp_use(struct rs *r, const char *path)
{
	DIR *d;
	struct dirent *de;
	char best[4400] = "";
	size_t best_score = 0;
	size_t best_have[MAX_BRANCHES];

	if (!r->checkpoints || !(d = opendir(r->cpdir)))
		return 0;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name), score = 0, have[MAX_BRANCHES];
		char *p, file[4400], kind[80];
		FILE *f;
		int ok = 1;
		if (len < 5 || strcmp(de->d_name + len - 4, ".txt"))
			continue;
		snprintf(file, sizeof(file), "%s/%s", r->cpdir, de->d_name);
		if (!(f = fopen(file, "r")))
			continue;
		memset(have, 0, sizeof(have));
		kind[0] = '\0';
		{
			char line[400];
			while (ok && fgets(line, sizeof(line), f)) {
				char origin[24], cm[41];
				size_t k;
				int bi;
				if ((p = strchr(line, '\n')))
					*p = '\0';
				if (!strncmp(line, "kind: ", 6)) {
					snprintf(kind, sizeof(kind), "%.79s", line + 6);
				} else if (!strncmp(line, "branch ", 7)) {
					if (sscanf(line + 7, "%23s %zu %40s", origin, &k, cm) != 3 || (bi = find_origin(r, origin)) < 0 ||
					    k == 0 || k > r->b[bi].target || strcmp(r->b[bi].v[k - 1].commit, cm)) {
						ok = 0;
						break;
					}
					have[bi] = k;
					score += k;
				}
			}
		}
		fclose(f);
		if (!ok || strcmp(kind, r->kind) || score <= best_score)
			continue;
		best_score = score;
		memcpy(best_have, have, sizeof(have));
		snprintf(best, sizeof(best), "%.*s", (int)(strlen(file) - 4), file);
	}
	closedir(d);
	if (!best[0])
		return 0;
	{
		char *dbf = sk_printf("%s.db", best);
		int rc = access(dbf, F_OK) == 0 ? copy_file(dbf, path) : cp_delta_apply(r, best, path);
		free(dbf);
		if (rc < 0) {
			/* a delta whose base went or that is damaged: thrown away, the next best tried */
			sk_error_clear();
			unlink(path);
			cp_discard(best);
			return cp_use(r, path);
		}
	}
	for (int i = 0; i < r->nb; i++)
		r->b[i].have = best_have[i];
	snprintf(r->cp_used, sizeof(r->cp_used), "%s", best);
	r->res->from_checkpoint = best_score;
	return 1;
}

static void cp_discard(const char *base)
{
	char *a = sk_printf("%s.db", base), *b = sk_printf("%s.txt", base), *c = sk_printf("%s.delta", base);
	unlink(a);
	unlink(b);
	unlink(c);
	free(a);
	free(b);
	free(c);
}

/* Keeps at most CHECKPOINTS_KEPT full checkpoints of this kind and CP_DELTAS_KEPT deltas: the
 * oldest go first, and a delta goes with its base. */
static void cp_prune(struct rs *r)
{
	for (;;) {
		DIR *d = opendir(r->cpdir);
		struct dirent *de;
		char oldest[2][4400] = {"", ""}, orphan[4400] = "";
		time_t ot[2] = {0, 0};
		int count[2] = {0, 0};
		if (!d)
			return;
		while ((de = readdir(d))) {
			size_t len = strlen(de->d_name);
			char file[4400], line[200] = "", key[80];
			struct stat st;
			int delta;
			FILE *f;
			if (len < 5 || strcmp(de->d_name + len - 4, ".txt"))
				continue;
			snprintf(file, sizeof(file), "%s/%s", r->cpdir, de->d_name);
			if (!(f = fopen(file, "r")))
				continue;
			if (!fgets(line, sizeof(line), f))
				line[0] = '\0';
			fclose(f);
			line[strcspn(line, "\n")] = '\0';
			if (strncmp(line, "kind: ", 6) || strcmp(line + 6, r->kind) || stat(file, &st) < 0)
				continue;
			file[strlen(file) - 4] = '\0';
			cp_txt_value(file, "delta", key, sizeof(key));
			delta = key[0] != '\0';
			if (delta) {
				char *b = sk_printf("%s/%.20s.db", r->cpdir, key);
				if (access(b, F_OK) < 0)
					snprintf(orphan, sizeof(orphan), "%s", file);
				free(b);
			}
			count[delta]++;
			if (!oldest[delta][0] || st.st_mtime < ot[delta]) {
				ot[delta] = st.st_mtime;
				snprintf(oldest[delta], sizeof(oldest[delta]), "%s", file);
			}
		}
		closedir(d);
		if (orphan[0])
			cp_discard(orphan);
		else if (count[0] > CHECKPOINTS_KEPT && oldest[0][0])
			cp_discard(oldest[0]);
		else if (count[1] > CP_DELTAS_KEPT && oldest[1][0])
			cp_discard(oldest[1]);
		else
			return;
	}
}

/* Copies the database being built (its transaction committed) into the checkpoints. */
static int cp_write(struct rs *r, struct sk_db *db)
{
	struct sk_buf t = SK_BUF_INIT;
	unsigned char digest[SK_HASH_SIZE], key[SK_HASH_SIZE];
	char hex[2 * SK_HASH_SIZE + 1], *base = NULL, *tmp = NULL, *dbf = NULL, *txt = NULL, *ttmp = NULL;
	sqlite3 *to = NULL;
	sqlite3_backup *bk;
	int fd, rc = 0;
	FILE *f;

	if (!r->checkpoints)
		return 0;
	if (mkdir(r->cpdir, 0700) < 0 && errno != EEXIST)
		return 0; /* a checkpoint is a help, never a reason to fail */
	sk_repo_tighten(r->cpdir); /* copies of the register: its owner's only */
	cp_text(r, &t, 0, NULL);
	sk_sha256(key, t.ptr, t.len);
	sk_hex(hex, key, SK_HASH_SIZE);
	base = sk_printf("%s/%.20s", r->cpdir, hex);
	dbf = sk_printf("%s.db", base);
	txt = sk_printf("%s.txt", base);
	tmp = sk_printf("%s.db.tmp%d", base, (int)getpid());
	ttmp = sk_printf("%s.txt.tmp%d", base, (int)getpid());
	if (access(txt, F_OK) == 0)
		goto done;
	sk_state_blob(db, "digest", digest, SK_HASH_SIZE);
	if (cp_delta_write(r, db, base, digest) == 1) {
		r->res->checkpoints_written++;
		cp_prune(r);
		goto done;
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
		goto done;
	close(fd);
	if (sqlite3_open(tmp, &to) != SQLITE_OK)
		goto fail;
	if (!(bk = sqlite3_backup_init(to, "main", db->h, "main")))
		goto fail;
	sqlite3_backup_step(bk, -1);
	if (sqlite3_backup_finish(bk) != SQLITE_OK)
		goto fail;
	sqlite3_exec(to, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL);
	sqlite3_close(to);
	to = NULL;
	t.len = 0;
	cp_text(r, &t, 1, digest);
	if ((fd = open(ttmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0 || !(f = fdopen(fd, "w")))
		goto fail;
	fwrite(t.ptr, 1, t.len, f);
	if (fclose(f) != 0)
		goto fail;
	if (rename(tmp, dbf) < 0 || rename(ttmp, txt) < 0)
		goto fail;
	r->res->checkpoints_written++;
	cp_prune(r);
	goto done;
fail:
	sqlite3_close(to);
	unlink(tmp);
	unlink(ttmp);
done:
	sk_buf_release(&t);
	free(base);
	free(dbf);
	free(txt);
	free(tmp);
	free(ttmp);
	return rc;
}

/* ---- building ---- */

static int apply_item(struct rs *r, struct sk_db *db, struct branch *b)
{
	struct item *it = &b->v[b->have];
	struct sk_cs_limits lim = SK_CS_LIMITS_DEFAULT;
	struct sk_changeset *cs = NULL;
	int rc, applied;
	if ((rc = item_load(r, b, b->have)) < 0)
		return rc;
	if ((rc = sk_changeset_decode(&cs, it->data, it->len, &lim)) < 0)
		return sk_error(rc, "change-set %s (commit %s on %s): %s", it->blob, it->commit, b->ref, sk_error_last());
	rc = sk_apply_tx(db, cs, it->blob, it->commit, it->len, &applied);
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

static int checkpoint_now(struct rs *r, struct sk_db *db)
{
	int rc;
	if (!r->checkpoints || r->since_checkpoint < r->every)
		return 0;
	if ((rc = sk_db_commit(db)) < 0)
		return rc;
	cp_write(r, db);
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
static int build_district(struct rs *r, struct sk_db *db)
{
	struct branch *own = &r->b[r->own], *cen = r->central >= 0 ? &r->b[r->central] : NULL;
	int rc;
	while (own->have < own->target) {
		struct item *it = &own->v[own->have];
		if (it->central[0]) {
			long k = cen ? find_commit(cen, it->central) : -1;
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
static int build_city(struct rs *r, struct sk_db *db)
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

static int central_touches(struct sk_db *db, const struct item *it, const char *code)
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
static int check_city(struct rs *r, struct sk_db *db)
{
	struct branch *cen = r->central >= 0 ? &r->b[r->central] : NULL;
	for (int i = 0; i < r->nb; i++) {
		struct branch *b = &r->b[i];
		struct item *it;
		unsigned char have[SK_HASH_SIZE];
		size_t from = 0, to = cen ? cen->have : 0;
		int comparable = 1, rc;
		if (b->is_central || !b->have)
			continue;
		it = &b->v[b->have - 1];
		if (it->central[0]) {
			long k = cen ? find_commit(cen, it->central) : -1;
			if (k < 0 || (size_t)k >= to)
				comparable = 0;
			else
				from = (size_t)k + 1;
		}
		for (size_t j = from; comparable && j < to; j++) {
			if ((rc = item_load(r, cen, j)) < 0)
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

static int integrity_ok(struct sk_db *db)
{
	sqlite3_stmt *st;
	int ok = 0;
	if (sk_db_prepare(db, &st, "PRAGMA integrity_check") < 0)
		return 0;
	if (sqlite3_step(st) == SQLITE_ROW)
		ok = !strcmp((const char *)sqlite3_column_text(st, 0), "ok");
	sqlite3_finalize(st);
	return ok;
}

/* ---- the restore ---- */

static void rs_release(struct rs *r)
{
	for (int i = 0; i < r->nb; i++)
		branch_release(&r->b[i]);
	r->nb = 0;
	git_repository_free(r->git);
	r->git = NULL;
	sk_repo_free(r->repo);
	r->repo = NULL;
}

/* Who the office is: from its database, else (lost or damaged) from its repository. */
static int identify(struct rs *r)
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
	if ((rc = sk_repo_refs(r->repo, "refs/heads/district/*", &refs, &n)) < 0)
		return rc;
	if (n == 1) {
		snprintf(r->code, sizeof(r->code), "%s", refs[0] + strlen("refs/heads/district/"));
		snprintf(r->city, sizeof(r->city), "%.5s", r->code);
	} else if (sk_repo_ref(r->repo, "refs/heads/central", tip) == 0) {
		int idx;
		if ((rc = load_branch(r, "refs/heads/central", 1, &idx)) == 0) {
			snprintf(r->code, sizeof(r->code), "%s", r->b[idx].origin);
			snprintf(r->city, sizeof(r->city), "%s", r->code);
			r->is_city = 1;
		}
		branch_release(&r->b[idx]);
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

static int office_open(struct rs *r, const char *dbpath)
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
static int build(struct rs *r, const char *tmp, struct sk_db **out)
{
	struct sk_db *db = NULL;
	struct sk_verify_result vr;
	int rc, used = 0;

	*out = NULL;
	for (int i = 0; i < r->nb; i++)
		r->b[i].have = 0;
	if (r->checkpoints && (used = cp_use(r, tmp))) {
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
			cp_discard(r->cp_used);
			r->cp_used[0] = '\0';
			r->res->from_checkpoint = 0;
			for (int i = 0; i < r->nb; i++)
				r->b[i].have = 0;
			used = 0;
		}
	}
	if (!used && (rc = sk_db_create(&db, tmp, r->build_code, r->build_city, NULL)) < 0)
		return rc;
	sqlite3_exec(db->h, "PRAGMA synchronous = OFF", NULL, NULL, NULL);
	if ((rc = sk_db_begin(db)) < 0)
		goto fail;
	rc = r->mode == MODE_DISTRICT ? build_district(r, db) : build_city(r, db);
	if (rc < 0) {
		sk_db_rollback(db);
		goto fail;
	}
	if ((rc = sk_db_commit(db)) < 0)
		goto fail;
	if ((rc = sk_verify(db, &vr)) < 0)
		goto fail;
	snprintf(r->res->digest, sizeof(r->res->digest), "%s", vr.recomputed);
	r->res->rows = vr.rows;
	if (!vr.ok) {
		rc = sk_error(SK_ECORRUPT, "DIGEST MISMATCH: the restored rows add up to %.16s but their bookkeeping says %.16s%s",
			      vr.recomputed, vr.digest, vr.nbad ? vr.bad[0] : "");
		goto fail;
	}
	if (r->mode == MODE_DISTRICT) {
		struct branch *own = &r->b[r->own];
		struct item *it = &own->v[own->target - 1];
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
	if (!integrity_ok(db)) {
		rc = sk_error(SK_ECORRUPT, "the restored database fails PRAGMA integrity_check");
		goto fail;
	}
	/* the final state is a checkpoint too when much was applied to reach it (beyond the
	 * spacing: a point between two checkpoints is already near one) */
	if (r->since_checkpoint >= r->every)
		cp_write(r, db);
	*out = db;
	return 0;
fail:
	if (used && r->cp_used[0] && rc == SK_ECORRUPT && !r->index_bad)
		cp_discard(r->cp_used); /* it may be what went wrong: the next try starts clean */
	sk_db_free(db);
	return rc;
}

static void fill_branches(struct rs *r)
{
	r->res->nbranches = 0;
	for (int i = 0; i < r->nb && r->res->nbranches < SK_ARRAY_SIZE(r->res->branch); i++) {
		struct branch *b = &r->b[i];
		struct sk_restore_branch *o = &r->res->branch[r->res->nbranches];
		if (r->mode == MODE_DISTRICT && i != r->own && i != r->central)
			continue;
		memset(o, 0, sizeof(*o));
		snprintf(o->origin, sizeof(o->origin), "%s", b->origin);
		o->total = b->n;
		o->number = b->have;
		if (b->have) {
			struct item *it = &b->v[b->have - 1];
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

static void unlink_db(const char *path)
{
	char *w = sk_printf("%s-wal", path), *s = sk_printf("%s-shm", path), *j = sk_printf("%s-journal", path);
	unlink(path);
	unlink(w);
	unlink(s);
	unlink(j);
	free(w);
	free(s);
	free(j);
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
		unlink_db(path);
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
static int adopt(struct rs *r, struct sk_db *db, const char *live)
{
	struct branch *own = NULL;
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
static int plan(struct rs *r, const char *dbpath, const struct sk_restore_opts *o, struct sk_restore_result *res)
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
	if ((rc = office_open(r, dbpath)) < 0)
		return rc;
	if (o->district && !r->is_city && strcmp(o->district, r->code))
		return sk_error(SK_EINVALID, "this is district %s's database: it holds no history of %s", r->code, o->district);
	if (!r->is_city || o->district) {
		const char *code = o->district ? o->district : r->code;
		r->mode = MODE_DISTRICT;
		if ((rc = load_district(r, code)) < 0)
			return rc;
	} else {
		r->mode = MODE_CITY;
		if ((rc = load_city(r)) < 0)
			return rc;
		if (!r->nb)
			return sk_error(SK_ENOTFOUND, "the city's repository '%s' holds no change-set: sync first",
					sk_repo_dir(r->repo));
	}
	if ((rc = choose(r, o->at, o->district)) < 0)
		return rc;
	if (!getenv("SINKRON_CHECKPOINT_EVERY")) {
		/* about fifty per full history (most of them small deltas), so that the kept ones
		 * stay spread over all of it and none is far from any point */
		size_t total = 0;
		for (int i = 0; i < r->nb; i++)
			total += r->b[i].n;
		if (total / 50 > r->every)
			r->every = total / 50;
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
static int replan(struct rs *r, const char *dbpath, const struct sk_restore_opts *o, struct sk_restore_result *res,
		  const char *tmp, struct sk_db **out)
{
	int rc;
	unlink_db(tmp);
	rs_release(r);
	memset(res, 0, sizeof(*res));
	res->index_rebuilt = 1;
	if ((rc = plan(r, dbpath, o, res)) < 0)
		return rc;
	res->index_rebuilt = 1;
	return build(r, tmp, out);
}

int sk_restore(const char *dbpath, const struct sk_restore_opts *o, struct sk_restore_result *res)
{
	struct rs r;
	struct sk_db *db = NULL;
	char *tmp = NULL;
	int rc, live;

	memset(res, 0, sizeof(*res));
	live = same_file(o->out, dbpath);
	if (live && !o->replace)
		return sk_error(SK_EINVALID, "'%s' is the live database: restore writes over it only with --replace", o->out);
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
				rc = sk_error(SK_EINVALID, "--replace puts back the office's latest state (#%zu) only; #%zu would make "
					      "the next change-sets clash with ones the city already has: use 'sinkron restore "
					      "--undo-to' to bring records back to that point", r.b[i].n, r.b[i].target);
				goto done;
			}
		if (r.mode == MODE_DISTRICT && strcmp(r.build_code, r.code)) {
			rc = sk_error(SK_EINVALID, "--replace with --district would put a district's database in the city's place");
			goto done;
		}
	}
	clear_killed_restores(o->out);
	tmp = sk_printf("%s.restoring-%d", o->out, (int)getpid());
	unlink_db(tmp);
	rc = build(&r, tmp, &db);
	if (rc < 0 && r.index_bad)
		rc = replan(&r, dbpath, o, res, tmp, &db);
	if (rc == SK_ECORRUPT && r.cp_used[0]) {
		/* once more from the beginning, without the checkpoint that was used */
		unlink_db(tmp);
		memset(res->branch, 0, sizeof(res->branch));
		res->applied = res->from_checkpoint = 0;
		r.first_bad = 0;
		r.cp_used[0] = '\0';
		r.checkpoints = 0;
		rc = build(&r, tmp, &db);
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
		snprintf(res->kept, sizeof(res->kept), "%s.before-restore-%s", dbpath, stamp);
		if (sk_db_open(&old, dbpath) == 0) {
			sqlite3_exec(old->h, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
			sk_db_free(old);
		}
		if ((rc = copy_file(dbpath, res->kept)) < 0 || (rc = fsync_path(res->kept)) < 0) {
			unlink(res->kept);
			res->kept[0] = '\0';
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
		unlink_db(tmp);
	else if (tmp) {
		char *w = sk_printf("%s-wal", tmp), *s = sk_printf("%s-shm", tmp);
		unlink(w);
		unlink(s);
		free(w);
		free(s);
	}
	sk_db_free(db);
	free(tmp);
	rs_release(&r);
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
		rc = sk_error(SK_EINVALID, "undo runs at the district office: only a district changes its own records "
			      "(the city would be refused as their owner); run 'sinkron restore --undo-to' there");
		goto done;
	}
	/* what is pending is sealed first, so the undo is measured against a recorded state */
	if ((rc = sk_seal(db, 0, &sr, NULL, NULL)) < 0)
		goto done;
	memset(&o, 0, sizeof(o));
	o.at = at;
	past = sk_printf("%s.undo-%d.db", dbpath, (int)getpid());
	o.out = past;
	unlink_db(past);
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
		unlink_db(past);
	free(past);
	free(prefix);
	return rc;
}

/* ---- snapshots ---- */

int sk_snapshot_create(const char *dbpath, const char *name, const char *note, const char *operator_name,
		       char **message_out)
{
	struct sk_db *db = NULL;
	struct sk_seal_result sr;
	struct rs r;
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
	git_init_once();
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
	if ((rc = office_open(&r, dbpath)) < 0)
		goto done;
	if ((rc = open_git(&r)) < 0)
		goto done;
	if (git_reference_lookup((git_reference **)&obj, r.git, refname) == 0) {
		git_reference_free((git_reference *)obj);
		obj = NULL;
		rc = sk_error(SK_ECONFLICT, "a snapshot named '%s' exists already: snapshots are never moved", name);
		goto done;
	}
	sk_state_blob(db, "digest", digest, SK_HASH_SIZE);
	sk_hex(hex, digest, SK_HASH_SIZE);
	describe_ms(when, sizeof(when), sk_wall_ms());
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
			rc = git_fail(SK_ERROR, "cannot sign the snapshot");
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
			rc = git_fail(SK_ERROR, "cannot write the snapshot tag");
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
	rs_release(&r);
	return rc;
}

int sk_snapshot_each(const char *dbpath, int (*fn)(void *payload, const struct sk_snapshot *s), void *payload)
{
	struct rs r;
	struct sk_restore_result dummy;
	struct sk_restore_opts o;
	git_strarray names = {0};
	int rc;

	memset(&r, 0, sizeof(r));
	memset(&o, 0, sizeof(o));
	r.o = &o;
	r.res = &dummy;
	if ((rc = office_open(&r, dbpath)) < 0 || (rc = open_git(&r)) < 0)
		goto done;
	if (git_tag_list_match(&names, "snapshot/*", r.git) < 0) {
		rc = git_fail(SK_ERROR, "cannot list the snapshots");
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
	rs_release(&r);
	return rc;
}

/* ---- diff ---- */

int sk_diff(const char *dbpath, const char *a, const char *b, const char *district,
	    int (*fn)(void *payload, const struct sk_diff_entry *e), void *payload, struct sk_diff_result *res)
{
	struct sk_restore_opts o;
	char *pa = NULL, *pb = NULL, *dir = NULL;
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	const char *cols[] = {"nik", "kk", "name", "birth_place", "birth_date", "sex", "address", "kelurahan", "phone",
			      "occupation", "workplace", "income", "status", "ended_on", "end_reason", "kpj", "verified", "owner"};
	struct sk_buf q = SK_BUF_INIT;
	int rc, n = (int)SK_ARRAY_SIZE(cols);

	memset(res, 0, sizeof(*res));
	memset(&o, 0, sizeof(o));
	o.district = district;
	pa = sk_printf("%s.diff-%d-a.db", dbpath, (int)getpid());
	pb = sk_printf("%s.diff-%d-b.db", dbpath, (int)getpid());
	unlink_db(pa);
	unlink_db(pb);
	o.at = a;
	o.out = pa;
	if ((rc = sk_restore(dbpath, &o, &res->a)) < 0) {
		sk_error_set("%s: %s", a, sk_error_last());
		goto done;
	}
	o.at = b;
	o.out = pb;
	if ((rc = sk_restore(dbpath, &o, &res->b)) < 0) {
		sk_error_set("%s: %s", b, sk_error_last());
		goto done;
	}
	if (sqlite3_open_v2(pb, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		rc = sk_error(SK_ERROR, "cannot read '%s'", pb);
		goto done;
	}
	{
		char *att = sqlite3_mprintf("ATTACH %Q AS a", pa);
		int e = sqlite3_exec(h, att, NULL, NULL, NULL);
		sqlite3_free(att);
		if (e != SQLITE_OK) {
			rc = sk_error(SK_ERROR, "cannot read '%s': %s", pa, sqlite3_errmsg(h));
			goto done;
		}
	}
	/* one row per worker that differs: what it was and is, and which fields changed */
	sk_buf_puts(&q, "SELECT coalesce(b.id, a.id), coalesce(b.owner, a.owner), coalesce(b.nik, a.nik), coalesce(b.name, a.name), "
			"a.id IS NULL, b.id IS NULL, coalesce(a.status, '') != 'ended' AND b.status = 'ended', ''");
	for (int i = 0; i < n; i++)
		sk_buf_printf(&q, " || CASE WHEN a.\"%s\" IS NOT b.\"%s\" THEN ', %s' ELSE '' END", cols[i], cols[i], cols[i]);
	sk_buf_puts(&q, " FROM main.workers b LEFT JOIN a.workers a ON a.id = b.id UNION ALL "
			"SELECT a.id, a.owner, a.nik, a.name, 0, 1, 0, '' FROM a.workers a WHERE a.id NOT IN (SELECT id FROM main.workers) "
			"ORDER BY 2, 4");
	if (sqlite3_prepare_v2(h, (const char *)q.ptr, -1, &st, NULL) != SQLITE_OK) {
		rc = sk_error(SK_ERROR, "cannot compare: %s", sqlite3_errmsg(h));
		goto done;
	}
	rc = 0;
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		struct sk_diff_entry e;
		const char *fields = (const char *)sqlite3_column_text(st, 7);
		int added = sqlite3_column_int(st, 4), gone = sqlite3_column_int(st, 5), ended = sqlite3_column_int(st, 6);
		memset(&e, 0, sizeof(e));
		e.id = (const char *)sqlite3_column_text(st, 0);
		e.owner = (const char *)sqlite3_column_text(st, 1);
		e.nik = (const char *)sqlite3_column_text(st, 2);
		e.name = (const char *)sqlite3_column_text(st, 3);
		if (added) {
			e.what = "added";
			res->added++;
		} else if (gone) {
			e.what = "removed";
			res->removed++;
		} else if (ended) {
			e.what = "ended";
			e.fields = fields && *fields ? fields + 2 : "";
			res->ended++;
		} else if (fields && *fields) {
			e.what = "changed";
			e.fields = fields + 2;
			res->changed++;
		} else {
			continue;
		}
		rc = fn(payload, &e);
	}
	if (rc > 0)
		rc = 0;
done:
	sqlite3_finalize(st);
	sqlite3_close(h);
	sk_buf_release(&q);
	if (pa)
		unlink_db(pa);
	if (pb)
		unlink_db(pb);
	free(pa);
	free(pb);
	free(dir);
	return rc;
}

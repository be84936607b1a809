/*
 * branch.c: a branch of the local repository loaded for a restore: every change-set commit with
 * what choosing a point needs (number, clock, time, flags, recorded digest), read through the
 * branch index beside the checkpoints so that a long branch costs one small file, not a walk.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "history.h"

/* What choosing needs of a change-set's header (sync/FORMAT.md), checked by the codec. */
static int peek(struct sk_hist_item *it, char origin[24], const unsigned char *d, size_t n)
{
	struct sk_cs_header h;
	int rc;
	if ((rc = sk_changeset_peek(&h, d, n, NULL)) < 0)
		return rc;
	memcpy(origin, h.origin, sizeof(h.origin));
	it->number = h.number;
	it->clock = h.hlc_max;
	it->flags = h.flags;
	memcpy(it->digest, h.digest, SK_HASH_SIZE);
	return 0;
}

/* ---- loading branches ---- */

struct collecting {
	struct sk_hist_branch *b;
	const char *dir;
};

static int collect(void *payload, const struct sk_repo_entry *e)
{
	struct collecting *c = payload;
	struct sk_hist_branch *b = c->b;
	struct sk_hist_item *it;
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

void sk_hist_branch_release(struct sk_hist_branch *b)
{
	for (size_t i = 0; i < b->n; i++)
		free(b->v[i].data);
	free(b->v);
	memset(b, 0, sizeof(*b));
}

static void branch_eff(struct sk_hist_branch *b)
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

static char *index_path(struct sk_hist *r, const char *ref)
{
	char name[200];
	size_t k = 0;
	for (const char *p = ref; *p && k + 1 < sizeof(name); p++)
		name[k++] = (*p == '/' || *p == '\\') ? '_' : *p;
	name[k] = '\0';
	return sk_printf("%s/index-%s.idx", r->cpdir, name);
}

static void index_put(unsigned char *p, const struct sk_hist_item *it)
{
	unsigned char id[20];
	memset(p, 0, IDX_REC);
	if (sk_unhex(id, 20, it->commit) == 0)
		memcpy(p, id, 20);
	if (sk_unhex(id, 20, it->blob) == 0)
		memcpy(p + 20, id, 20);
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

static void index_get(struct sk_hist_item *it, const unsigned char *p, uint64_t number)
{
	memset(it, 0, sizeof(*it));
	sk_hex(it->commit, p, 20);
	sk_hex(it->blob, p + 20, 20);
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
static int index_read(struct sk_hist *r, struct sk_hist_branch *b, const char *ref)
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
static void index_write(struct sk_hist *r, const struct sk_hist_branch *b, const char *ref)
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

static void index_discard(struct sk_hist *r, const char *ref)
{
	char *path = index_path(r, ref);
	unlink(path);
	free(path);
}

/* The branch from ref through its index: the entries it holds, and the change-sets sealed
 * since walked from the repository and appended.  Anything that does not fit (a damaged file,
 * a rewritten branch) makes it a full walk, and the index is written again. */
static int index_load(struct sk_hist *r, struct sk_hist_branch *b, struct collecting *c, const char *ref)
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
struct loading {
	struct sk_hist_branch *b;
	size_t i;
	int fits;
};

static int load_one(void *payload, const struct sk_repo_entry *e)
{
	struct loading *l = payload;
	struct sk_hist_branch *b = l->b;
	struct sk_hist_item *it = &b->v[l->i], chk;
	char origin[24], central[41];

	if (strcmp(e->blob, it->blob))
		return 0;
	if (l->i == 0 ? e->parents != 0 : e->parents != 1 || strcmp(e->parent, b->v[l->i - 1].commit))
		return 0;
	sk_manifest_value(central, sizeof(central), e->manifest, "central");
	memset(&chk, 0, sizeof(chk));
	if (strcmp(central, it->central) || e->time != it->time || peek(&chk, origin, e->data, e->len) < 0 ||
	    strcmp(origin, b->origin) || chk.number != l->i + 1 || chk.clock != it->clock || chk.flags != it->flags ||
	    memcmp(chk.digest, it->digest, SK_HASH_SIZE))
		return 0;
	it->len = e->len;
	it->data = sk_malloc(it->len ? it->len : 1);
	memcpy(it->data, e->data, it->len);
	l->fits = 1;
	return 0;
}

int sk_hist_item_load(struct sk_hist *r, struct sk_hist_branch *b, size_t i)
{
	struct sk_hist_item *it = &b->v[i];
	struct loading l = {b, i, 0};

	if (it->data)
		return 0;
	if (sk_repo_read(r->repo, it->commit, load_one, &l) < 0 || !l.fits) {
		r->index_bad = 1;
		index_discard(r, b->ref);
		return sk_error(SK_ECORRUPT, "the index of %s in '%s' does not match change-set #%zu (commit %.12s): it is rebuilt",
				b->ref, r->cpdir, i + 1, it->commit);
	}
	return 0;
}

/* Loads the branch from start (a ref or commit) into a new slot. */
int sk_hist_load_branch(struct sk_hist *r, const char *start, int is_central, int *idx)
{
	struct collecting c;
	struct sk_hist_branch *b;
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
		sk_hist_branch_release(b);
		return rc;
	}
	branch_eff(b);
	*idx = r->nb++;
	return 0;
}

int sk_hist_find_origin(struct sk_hist *r, const char *origin)
{
	for (int i = 0; i < r->nb; i++)
		if (!strcmp(r->b[i].origin, origin))
			return i;
	return -1;
}

long sk_hist_find_commit(const struct sk_hist_branch *b, const char *commit)
{
	size_t n = strlen(commit);
	for (size_t i = 0; i < b->n; i++)
		if (!strncmp(b->v[i].commit, commit, n))
			return (long)i;
	return -1;
}

/* Every district branch the city holds (fetched, or its own copies) and central. */
int sk_hist_load_city(struct sk_hist *r)
{
	const char *globs[2] = {SK_REF_REMOTE_DISTRICT "*", SK_REF_DISTRICT "*"};
	char tip[41];
	int rc, idx;
	for (int g = 0; g < 2; g++) {
		char **refs = NULL;
		size_t n = 0;
		if ((rc = sk_repo_refs(r->repo, globs[g], &refs, &n)) < 0)
			return rc;
		for (size_t i = 0; i < n && rc == 0; i++) {
			int prev;
			rc = sk_hist_load_branch(r, refs[i], 0, &idx);
			if (rc == 0 && r->b[idx].n == 0) {
				sk_hist_branch_release(&r->b[idx]);
				r->nb--;
				continue;
			}
			if (rc == 0 && (prev = sk_hist_find_origin(r, r->b[idx].origin)) != idx) {
				/* both a fetched and a local copy: keep the longer */
				if (r->b[idx].n > r->b[prev].n) {
					struct sk_hist_branch t = r->b[prev];
					r->b[prev] = r->b[idx];
					r->b[idx] = t;
				}
				sk_hist_branch_release(&r->b[idx]);
				r->nb--;
			}
		}
		for (size_t i = 0; i < n; i++)
			free(refs[i]);
		free(refs);
		if (rc < 0)
			return rc;
	}
	if (sk_repo_ref(r->repo, SK_REF_CENTRAL, tip) == 0) {
		if ((rc = sk_hist_load_branch(r, SK_REF_CENTRAL, 1, &idx)) < 0)
			return rc;
		r->central = idx;
	}
	return 0;
}

/* A district's own branch as this repository holds it, and the city's central as fetched. */
int sk_hist_load_district(struct sk_hist *r, const char *code)
{
	char ref[128], tip[41];
	const char *cands[2];
	int rc, idx;
	char r1[128], r2[128];
	snprintf(r1, sizeof(r1), SK_REF_DISTRICT "%s", code);
	snprintf(r2, sizeof(r2), SK_REF_REMOTE_DISTRICT "%s", code);
	cands[0] = r->is_city ? r2 : r1;
	cands[1] = r->is_city ? r1 : r2;
	ref[0] = '\0';
	for (int i = 0; i < 2 && !ref[0]; i++)
		if (sk_repo_ref(r->repo, cands[i], tip) == 0)
			snprintf(ref, sizeof(ref), "%s", cands[i]);
	if (!ref[0])
		return sk_error(SK_ENOTFOUND, "the repository '%s' holds no change-set of district %s", sk_repo_dir(r->repo), code);
	if ((rc = sk_hist_load_branch(r, ref, 0, &idx)) < 0)
		return rc;
	r->own = idx;
	if (!r->b[idx].n)
		return sk_error(SK_ENOTFOUND, "district %s has sealed no change-set yet", code);
	{
		const char *cref = r->is_city ? SK_REF_CENTRAL : SK_REF_REMOTE_CENTRAL;
		if (sk_repo_ref(r->repo, cref, tip) == 0) {
			if ((rc = sk_hist_load_branch(r, cref, 1, &idx)) < 0)
				return rc;
			r->central = idx;
		}
	}
	return 0;
}

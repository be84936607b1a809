/*
 * checkpoint.c: copies of databases built on the way to a point (office.checkpoints/), full
 * ones and deltas against a full one, so that a restore applies only what came after the
 * nearest; chosen, checked, written and pruned here.
 */
#define SQLITE_ENABLE_SESSION 1 /* the session extension of the system's SQLite (Debian builds it) */
#define SQLITE_ENABLE_PREUPDATE_HOOK 1
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "history.h"

/* ---- checkpoints ---- */

static void cp_text(struct sk_hist *r, struct sk_buf *t, int with_digest, const unsigned char *digest)
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

int sk_hist_copy_file(const char *from, const char *to)
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

void sk_hist_unlink_db(const char *path)
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

/* ---- delta checkpoints ----
 * Most checkpoints are small: the rows that changed since the checkpoint before them (their
 * base, a full checkpoint or another delta), in a SQLite file NAME.delta whose .txt says
 * "delta: BASE" and the SHA-256 of the file.  The rows are known without comparing tables:
 * an SQLite session on the database being built records every row written since the base
 * (by primary key), and the delta holds, per table, those keys ("g:T", the rows to take out)
 * and the rows as they are now ("a:T", to put in; a rowid table's with their rowid).  A
 * restore copies the full checkpoint at the root of the chain, applies each delta in turn
 * (with the triggers off: this is bookkeeping, not a clerk's write), then checks the digest
 * as for any checkpoint; the final checks of the restore catch anything else, and the
 * restore then starts over.  Deltas of older versions (against a full checkpoint, "g:T" of a
 * rowid table holding rowids) are chains of one. */

#define CHECKPOINTS_KEPT 12    /* full ones per kind (a district, the city) */
#define CP_FULL_EVERY 20       /* one checkpoint in twenty is a full copy; the others deltas */
#define CP_DELTAS_KEPT 240
#define CP_CHAIN_MAX 64        /* deltas between a full checkpoint and one to use, at most */
#define CP_DELTA_ROWS 50000    /* rows written since the base past which a full copy is made */
#define CP_CHAIN_BYTES (8 << 20) /* deltas' bytes after a full checkpoint, at most: what a restore
				    applies row by row */

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

static int cp_int(sqlite3 *h, const char *q)
{
	sqlite3_stmt *st = NULL;
	int v = -1;
	if (sqlite3_prepare_v2(h, q, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
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

/* ---- the checkpoints of this kind, read from their .txt files ---- */

struct cp_entry {
	char name[21], base[21]; /* base: a delta's, "" for a full one */
	size_t score;            /* change-sets it holds */
	size_t have[MAX_BRANCHES];
	int fits;                /* every branch line a prefix of the targets */
	int whole;               /* a full one: its .db is there; a delta: its .delta */
	time_t mtime;
};

struct cp_list {
	struct cp_entry *v;
	size_t n;
};

static int cp_name_ok(const char *s)
{
	return strlen(s) == 20 && strspn(s, "0123456789abcdef") == 20;
}

static void cp_list_read(struct sk_hist *r, struct cp_list *l)
{
	DIR *d = opendir(r->cpdir);
	struct dirent *de;
	size_t alloc = 0;
	l->v = NULL;
	l->n = 0;
	if (!d)
		return;
	while ((de = readdir(d))) {
		struct cp_entry e;
		char file[4400], line[400], kind[80] = "";
		struct stat st;
		FILE *f;
		int ok = 1;
		if (strlen(de->d_name) != 24 || strcmp(de->d_name + 20, ".txt"))
			continue;
		memset(&e, 0, sizeof(e));
		snprintf(e.name, sizeof(e.name), "%.20s", de->d_name);
		if (!cp_name_ok(e.name))
			continue;
		snprintf(file, sizeof(file), "%s/%s", r->cpdir, de->d_name);
		if (!(f = fopen(file, "r")))
			continue;
		e.fits = 1;
		while (fgets(line, sizeof(line), f)) {
			char origin[24], cm[41];
			size_t k;
			int bi;
			line[strcspn(line, "\n")] = '\0';
			if (!strncmp(line, "kind: ", 6))
				snprintf(kind, sizeof(kind), "%.79s", line + 6);
			else if (!strncmp(line, "delta: ", 7))
				snprintf(e.base, sizeof(e.base), "%.20s", line + 7);
			else if (ok && !strncmp(line, "branch ", 7)) {
				if (sscanf(line + 7, "%23s %zu %40s", origin, &k, cm) != 3 || (bi = sk_hist_find_origin(r, origin)) < 0 ||
				    k == 0 || k > r->b[bi].n || strcmp(r->b[bi].v[k - 1].commit, cm)) {
					ok = 0; /* another history's, or one this repository no longer holds */
				} else {
					if (k > r->b[bi].target)
						e.fits = 0;
					e.have[bi] = k;
					e.score += k;
				}
			}
		}
		fclose(f);
		if (strcmp(kind, r->kind) || stat(file, &st) < 0)
			continue;
		if (!ok)
			e.fits = 0;
		e.mtime = st.st_mtime;
		snprintf(file, sizeof(file), "%s/%s.%s", r->cpdir, e.name, e.base[0] ? "delta" : "db");
		e.whole = access(file, R_OK) == 0 && (!e.base[0] || cp_name_ok(e.base));
		if (l->n == alloc) {
			alloc = alloc ? alloc * 2 : 64;
			l->v = sk_realloc(l->v, alloc * sizeof(*l->v));
		}
		l->v[l->n++] = e;
	}
	closedir(d);
}

static struct cp_entry *cp_find(struct cp_list *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].name, name))
			return &l->v[i];
	return NULL;
}

/* How many deltas lie between e and the full checkpoint at the root of its chain; -1 when
 * the chain is broken (a file gone, a loop, too long). */
static int cp_links(struct cp_list *l, struct cp_entry *e)
{
	int n = 0;
	while (e && e->whole && e->base[0] && n <= CP_CHAIN_MAX) {
		e = cp_find(l, e->base);
		n++;
	}
	return e && e->whole && !e->base[0] && n <= CP_CHAIN_MAX ? n : -1;
}

static void cp_prune(struct sk_hist *r);

/* The size of the deltas from the full checkpoint at the root of e's chain to e. */
static uint64_t cp_chain_bytes(struct sk_hist *r, struct cp_list *l, struct cp_entry *e)
{
	uint64_t n = 0;
	for (int k = 0; e && e->base[0] && k <= CP_CHAIN_MAX; e = cp_find(l, e->base), k++) {
		char *f = sk_printf("%s/%s.delta", r->cpdir, e->name);
		struct stat st;
		if (stat(f, &st) == 0)
			n += (uint64_t)st.st_size;
		free(f);
	}
	return n;
}

/* ---- tracking the rows written since the base ---- */

/* Starts recording the rows the database being built changes from now on: the state it is
 * in now is the checkpoint r->cp_base (or none). */
void sk_hist_cp_track(struct sk_hist *r, struct sk_db *db)
{
	sqlite3_session *s = NULL;
	if (r->cp_session) {
		sqlite3session_delete(r->cp_session);
		r->cp_session = NULL;
	}
	r->cp_rows = 0;
	if (!r->checkpoints || !r->cp_base[0])
		return; /* no checkpoint to make a delta against: the next one is full */
	/* the session ignores a table without a primary key: then every checkpoint is full */
	if (cp_int(db->h, "SELECT count(*) FROM main.sqlite_schema s WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' "
			  "ESCAPE '\\' AND NOT EXISTS (SELECT 1 FROM pragma_table_info(s.name, 'main') WHERE pk > 0)") != 0)
		return;
	if (sqlite3session_create(db->h, "main", &s) != SQLITE_OK || sqlite3session_attach(s, NULL) != SQLITE_OK) {
		if (s)
			sqlite3session_delete(s);
		return;
	}
	r->cp_session = s;
	r->cp_schema = cp_int(db->h, "PRAGMA main.schema_version");
}

void sk_hist_cp_note(struct sk_hist *r, size_t rows)
{
	r->cp_rows += rows;
	if (r->cp_session && r->cp_rows > CP_DELTA_ROWS)
		sk_hist_cp_untrack(r); /* the session holds every row it saw: its memory stays bounded */
}

void sk_hist_cp_untrack(struct sk_hist *r)
{
	if (r->cp_session)
		sqlite3session_delete(r->cp_session);
	r->cp_session = NULL;
}

/* The keys of the rows changed since the base, per table, into cpdelta."g:T", and those rows
 * as they are now into cpdelta."a:T". */
static int cp_delta_fill(sqlite3 *h, sqlite3_changeset_iter *it)
{
	sqlite3_stmt *put = NULL;
	char table[256] = "";
	int rc, ok = 1, npk = 0;
	while (ok && (rc = sqlite3changeset_next(it)) == SQLITE_ROW) {
		const char *tn;
		int ncol, op, ind;
		unsigned char *pk;
		int nk = 0;
		if (sqlite3changeset_op(it, &tn, &ncol, &op, &ind) != SQLITE_OK || sqlite3changeset_pk(it, &pk, &ncol) != SQLITE_OK) {
			ok = 0;
			break;
		}
		if (strcmp(tn, table)) {
			struct sk_buf pkc = SK_BUF_INIT, marks = SK_BUF_INIT;
			char *q;
			sqlite3_finalize(put);
			put = NULL;
			snprintf(table, sizeof(table), "%s", tn);
			if (strlen(tn) >= sizeof(table) - 1) {
				ok = 0;
				break;
			}
			cp_columns(h, "main", tn, 1, &pkc);
			npk = 0;
			for (int i = 0; i < ncol; i++)
				if (pk[i])
					sk_buf_printf(&marks, "%s?", npk++ ? ", " : "");
			if (!pkc.len || !npk) {
				ok = 0;
			} else {
				q = sqlite3_mprintf("CREATE TABLE cpdelta.\"g:%w\" AS SELECT %s FROM main.\"%w\" LIMIT 0", tn,
						    (const char *)pkc.ptr, tn);
				ok = cp_sql(h, q) == 0;
				sqlite3_free(q);
				q = sqlite3_mprintf("INSERT INTO cpdelta.\"g:%w\" VALUES (%s)", tn, (const char *)marks.ptr);
				ok = ok && sqlite3_prepare_v2(h, q, -1, &put, NULL) == SQLITE_OK;
				sqlite3_free(q);
			}
			sk_buf_release(&pkc);
			sk_buf_release(&marks);
			if (!ok)
				break;
		}
		for (int i = 0; i < ncol; i++) {
			sqlite3_value *v = NULL;
			if (!pk[i])
				continue;
			if ((op == SQLITE_INSERT ? sqlite3changeset_new(it, i, &v) : sqlite3changeset_old(it, i, &v)) != SQLITE_OK || !v) {
				ok = 0;
				break;
			}
			sqlite3_bind_value(put, ++nk, v);
		}
		if (ok && (nk != npk || sqlite3_step(put) != SQLITE_DONE))
			ok = 0;
		sqlite3_reset(put);
	}
	sqlite3_finalize(put);
	if (ok && rc != SQLITE_DONE)
		ok = 0;
	return ok ? 0 : -1;
}

/* The rows as they are now of every table with a "g:T", into "a:T". */
static int cp_delta_rows(sqlite3 *h)
{
	sqlite3_stmt *st = NULL;
	int ok = sqlite3_prepare_v2(h, "SELECT substr(name, 3) FROM cpdelta.sqlite_schema WHERE type = 'table' AND name LIKE 'g:%'",
				    -1, &st, NULL) == SQLITE_OK;
	while (ok && sqlite3_step(st) == SQLITE_ROW) {
		const char *tn = (const char *)sqlite3_column_text(st, 0);
		struct sk_buf pk = SK_BUF_INIT;
		char *q;
		cp_columns(h, "main", tn, 1, &pk);
		q = sqlite3_mprintf("CREATE TABLE cpdelta.\"a:%w\" AS SELECT %s* FROM main.\"%w\" WHERE (%s) IN (SELECT * FROM "
				    "cpdelta.\"g:%w\")", tn, cp_is_rowid_table(h, "main", tn) ? "rowid AS _k, " : "", tn,
				    pk.len ? (const char *)pk.ptr : "NULL", tn);
		ok = pk.len && cp_sql(h, q) == 0;
		sqlite3_free(q);
		sk_buf_release(&pk);
	}
	sqlite3_finalize(st);
	return ok ? 0 : -1;
}

/* Writes base.delta and base.txt for the database being built: the rows changed since the
 * checkpoint it was last equal to; 1 when written, 0 when a full checkpoint should be. */
static int cp_delta_write(struct sk_hist *r, struct sk_db *db, const char *base, const unsigned char *digest)
{
	char *tmp = NULL, *dst = NULL, *txt = NULL, *ttmp = NULL, sha[2 * SK_HASH_SIZE + 1];
	sqlite3_changeset_iter *it = NULL;
	void *cs = NULL;
	int ncs = 0;
	struct sk_buf t = SK_BUF_INIT;
	int fd, attached = 0, written = 0, ok = 1;
	FILE *f;

	if (!r->cp_session || !r->cp_base[0] || r->cp_base_links + 1 >= CP_FULL_EVERY ||
	    cp_int(db->h, "PRAGMA main.schema_version") != r->cp_schema)
		return 0;
	{
		/* the base must still be there, whole, for the delta to be of use */
		char *b = sk_printf("%s/%s.%s", r->cpdir, r->cp_base, r->cp_base_links ? "delta" : "db");
		ok = access(b, R_OK) == 0;
		free(b);
		if (!ok)
			return 0;
	}
	if (sqlite3session_changeset(r->cp_session, &ncs, &cs) != SQLITE_OK)
		return 0;
	tmp = sk_printf("%s.delta.tmp%d", base, (int)getpid());
	dst = sk_printf("%s.delta", base);
	txt = sk_printf("%s.txt", base);
	ttmp = sk_printf("%s.txt.tmp%d", base, (int)getpid());
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
		goto done;
	close(fd);
	{
		char *q = sqlite3_mprintf("ATTACH %Q AS cpdelta; PRAGMA cpdelta.journal_mode = OFF; PRAGMA cpdelta.synchronous = OFF", tmp);
		ok = cp_sql(db->h, q) == 0;
		sqlite3_free(q);
		if (!ok)
			goto done;
		attached = 1;
	}
	ok = cp_sql(db->h, "BEGIN") == 0 && sqlite3changeset_start(&it, ncs, cs) == SQLITE_OK && cp_delta_fill(db->h, it) == 0;
	if (it)
		sqlite3changeset_finalize(it);
	ok = ok && cp_delta_rows(db->h) == 0;
	if (cp_sql(db->h, ok ? "COMMIT" : "ROLLBACK") < 0)
		ok = 0;
	cp_sql(db->h, "DETACH cpdelta");
	attached = 0;
	if (!ok || cp_file_sha(tmp, sha) < 0)
		goto done;
	{
		/* a chain heavier than a restore should apply row by row (a history of imports, each
		 * delta as large as what it added): a full copy instead */
		struct stat st;
		uint64_t sum;
		if (stat(tmp, &st) < 0)
			goto done;
		sum = r->cp_chain_bytes + (uint64_t)st.st_size;
		if (sum > CP_CHAIN_BYTES)
			goto done;
		r->cp_chain_bytes = sum;
	}
	cp_text(r, &t, 1, digest);
	sk_buf_printf(&t, "delta: %s\ndelta-sha256: %s\n", r->cp_base, sha);
	if ((fd = open(ttmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0 || !(f = fdopen(fd, "w")))
		goto done;
	fwrite(t.ptr, 1, t.len, f);
	if (fclose(f) != 0 || rename(tmp, dst) < 0 || rename(ttmp, txt) < 0)
		goto done;
	written = 1;
done:
	if (attached) {
		cp_sql(db->h, "ROLLBACK");
		cp_sql(db->h, "DETACH cpdelta");
	}
	if (!written) {
		unlink(tmp);
		unlink(ttmp);
	}
	sqlite3_free(cs);
	sk_buf_release(&t);
	free(tmp);
	free(dst);
	free(txt);
	free(ttmp);
	return written;
}

/* Whether the delta file of checkpoint NAME is whole (its SHA-256 as its .txt says). */
static int cp_delta_whole(struct sk_hist *r, const char *name)
{
	char want[400], sha[2 * SK_HASH_SIZE + 1];
	char *base = sk_printf("%s/%s", r->cpdir, name), *delta = sk_printf("%s.delta", base);
	int ok;
	cp_txt_value(base, "delta-sha256", want, sizeof(want));
	ok = cp_file_sha(delta, sha) == 0 && !strcmp(sha, want);
	free(base);
	free(delta);
	return ok;
}

/* Applies the delta attached to h as schema s: per table, the rows named in "g:T" go and
 * those of "a:T" come in. */
static int cp_delta_apply(sqlite3 *h, const char *s)
{
	sqlite3_stmt *st = NULL;
	char *q = sqlite3_mprintf("SELECT substr(name, 3) FROM \"%w\".sqlite_schema WHERE type = 'table' AND name LIKE 'a:%%'", s);
	int ok = sqlite3_prepare_v2(h, q, -1, &st, NULL) == SQLITE_OK;
	sqlite3_free(q);
	while (ok && sqlite3_step(st) == SQLITE_ROW) {
		const char *tn = (const char *)sqlite3_column_text(st, 0);
		struct sk_buf cols = SK_BUF_INIT, pk = SK_BUF_INIT;
		char *gk;
		cp_columns(h, "main", tn, 0, &cols);
		cp_columns(h, "main", tn, 1, &pk);
		/* a "g:T" of rowids (the older deltas' form for a rowid table) or of primary keys */
		q = sqlite3_mprintf("SELECT count(*) FROM pragma_table_info('g:%q', %Q) WHERE name = '_k'", tn, s);
		gk = cp_int(h, q) == 1 ? sqlite3_mprintf("rowid IN (SELECT _k FROM \"%w\".\"g:%w\")", s, tn)
		     : pk.len ? sqlite3_mprintf("(%s) IN (SELECT * FROM \"%w\".\"g:%w\")", (const char *)pk.ptr, s, tn) : NULL;
		sqlite3_free(q);
		if (!cols.len || !gk) {
			ok = 0;
		} else {
			int rowid = cp_is_rowid_table(h, "main", tn);
			q = sqlite3_mprintf("DELETE FROM main.\"%w\" WHERE %s; INSERT INTO main.\"%w\"(%s%s) SELECT * FROM \"%w\".\"a:%w\"",
					    tn, gk, tn, rowid ? "rowid, " : "", (const char *)cols.ptr, s, tn);
			ok = cp_sql(h, q) == 0;
			sqlite3_free(q);
		}
		sqlite3_free(gk);
		sk_buf_release(&cols);
		sk_buf_release(&pk);
	}
	sqlite3_finalize(st);
	return ok ? 0 : -1;
}

#define CP_ATTACH_BATCH 8      /* deltas applied in one transaction (SQLite attaches ten at most) */

/* The database of checkpoint e at path: the full checkpoint at the root of its chain copied
 * there and each delta applied in turn; on failure, bad names the part that failed. */
static int cp_materialize(struct sk_hist *r, struct cp_list *l, struct cp_entry *e, const char *path, char bad[21])
{
	const char *chain[CP_CHAIN_MAX + 2];
	int n = 0, ok = 1;
	sqlite3 *h = NULL;
	char *root;
	for (struct cp_entry *x = e; x && n < CP_CHAIN_MAX + 2; x = x->base[0] ? cp_find(l, x->base) : NULL)
		chain[n++] = x->name;
	snprintf(bad, 21, "%s", chain[n - 1]);
	root = sk_printf("%s/%s.db", r->cpdir, chain[n - 1]);
	if (sk_hist_copy_file(root, path) < 0) {
		sk_error_clear();
		free(root);
		return -1;
	}
	free(root);
	if (n > 1) {
		/* a scratch copy (removed on failure): no journal on disk, and room in memory for
		 * the pages the deltas change, written once per batch */
		ok = sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
		     sqlite3_db_config(h, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, (int *)NULL) == SQLITE_OK &&
		     cp_sql(h, "PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF; PRAGMA cache_size = -131072") == 0;
		for (int i = n - 2; ok && i >= 0;) {
			int k = 0;
			for (; k < CP_ATTACH_BATCH && i - k >= 0; k++) {
				char *q, *f;
				if (!cp_delta_whole(r, chain[i - k])) {
					snprintf(bad, 21, "%s", chain[i - k]);
					ok = 0;
					break;
				}
				f = sk_printf("%s/%s.delta", r->cpdir, chain[i - k]);
				q = sqlite3_mprintf("ATTACH %Q AS cpd%d", f, k);
				free(f);
				if (cp_sql(h, q) < 0) {
					snprintf(bad, 21, "%s", chain[i - k]);
					ok = 0;
				}
				sqlite3_free(q);
				if (!ok)
					break;
			}
			if (ok && cp_sql(h, "BEGIN") < 0)
				ok = 0;
			for (int j = 0; ok && j < k; j++) {
				char s[16];
				snprintf(s, sizeof(s), "cpd%d", j);
				if (cp_delta_apply(h, s) < 0) {
					snprintf(bad, 21, "%s", chain[i - j]);
					ok = 0;
				}
			}
			if (cp_sql(h, ok ? "COMMIT" : "ROLLBACK") < 0)
				ok = 0;
			for (int j = 0; j < k; j++) {
				char q[32];
				snprintf(q, sizeof(q), "DETACH cpd%d", j);
				cp_sql(h, q);
			}
			i -= k;
		}
		if (ok)
			ok = cp_sql(h, "PRAGMA journal_mode = DELETE") == 0;
		sqlite3_close(h);
	}
	if (!ok)
		sk_hist_unlink_db(path);
	return ok ? 0 : -1;
}

/* The checkpoint that covers most of the targets, copied to path; 1 when one was used. */
int sk_hist_cp_use(struct sk_hist *r, const char *path)
{
	struct cp_list l;
	struct cp_entry *best = NULL;
	int best_links = -1;
	char bad[21];

	if (!r->checkpoints)
		return 0;
	cp_list_read(r, &l);
	for (size_t i = 0; i < l.n; i++)
		if (cp_links(&l, &l.v[i]) < 0) {
			/* a part gone (a file removed by hand, a disk that filled up): what cannot be
			 * used any more goes now, and a build passing there writes it again */
			free(l.v);
			cp_prune(r);
			cp_list_read(r, &l);
			break;
		}
	for (size_t i = 0; i < l.n; i++) {
		struct cp_entry *e = &l.v[i];
		int links;
		if (!e->fits || (best && e->score <= best->score) || (links = cp_links(&l, e)) < 0)
			continue;
		best = e;
		best_links = links;
	}
	if (!best) {
		free(l.v);
		return 0;
	}
	if (cp_materialize(r, &l, best, path, bad) < 0) {
		/* a delta whose chain is broken or damaged: the part that failed is thrown away with
		 * what was built on it, and the next best tried */
		char *b = sk_printf("%s/%s", r->cpdir, bad);
		sk_hist_cp_discard(b);
		free(b);
		free(l.v);
		cp_prune(r);
		return sk_hist_cp_use(r, path);
	}
	for (int i = 0; i < r->nb; i++)
		r->b[i].have = best->have[i];
	snprintf(r->cp_used, sizeof(r->cp_used), "%s/%s", r->cpdir, best->name);
	snprintf(r->cp_base, sizeof(r->cp_base), "%s", best->name);
	r->cp_base_links = best_links;
	r->cp_chain_bytes = cp_chain_bytes(r, &l, best);
	for (struct cp_entry *x = best; x; x = x->base[0] ? cp_find(&l, x->base) : NULL)
		snprintf(r->cp_root, sizeof(r->cp_root), "%s", x->name);
	r->res->from_checkpoint = best->score;
	free(l.v);
	return 1;
}

void sk_hist_cp_discard(const char *base)
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
 * oldest go first; one whose file is gone, or whose chain lost a part, goes too. */
static void cp_prune(struct sk_hist *r)
{
	for (;;) {
		struct cp_list l;
		struct cp_entry *oldest[2] = {NULL, NULL};
		size_t count[2] = {0, 0}, gone = 0;
		cp_list_read(r, &l);
		for (size_t i = 0; i < l.n; i++) {
			struct cp_entry *e = &l.v[i];
			int delta = e->base[0] != '\0';
			if (cp_links(&l, e) < 0) {
				char *b = sk_printf("%s/%s", r->cpdir, e->name);
				sk_hist_cp_discard(b);
				free(b);
				gone++;
				continue;
			}
			count[delta]++;
			if (!oldest[delta] || e->mtime < oldest[delta]->mtime)
				oldest[delta] = e;
		}
		if (!gone && count[0] > CHECKPOINTS_KEPT)
			oldest[1] = NULL;
		else if (!gone && count[1] > CP_DELTAS_KEPT)
			oldest[0] = NULL;
		else
			oldest[0] = oldest[1] = NULL;
		for (int k = 0; k < 2; k++)
			if (oldest[k]) {
				char *b = sk_printf("%s/%s", r->cpdir, oldest[k]->name);
				sk_hist_cp_discard(b);
				free(b);
				gone++;
			}
		free(l.v);
		if (!gone)
			return;
	}
}

/* Copies the database being built (its transaction committed) into the checkpoints. */
int sk_hist_cp_write(struct sk_hist *r, struct sk_db *db)
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
	if (access(txt, F_OK) == 0) {
		/* this state is a checkpoint already: the next delta is made against it */
		struct cp_list l;
		struct cp_entry *e;
		int links;
		hex[20] = '\0';
		cp_list_read(r, &l);
		e = cp_find(&l, hex);
		if ((links = e ? cp_links(&l, e) : -1) >= 0)
			r->cp_chain_bytes = cp_chain_bytes(r, &l, e);
		free(l.v);
		if (links >= 0) {
			snprintf(r->cp_base, sizeof(r->cp_base), "%.20s", hex);
			r->cp_base_links = links;
			sk_hist_cp_track(r, db);
			goto done;
		}
		sk_hist_cp_discard(base); /* not usable (a part of it gone): written anew */
	}
	sk_state_blob(db, "digest", digest, SK_HASH_SIZE);
	if (cp_delta_write(r, db, base, digest) == 1) {
		r->res->checkpoints_written++;
		snprintf(r->cp_base, sizeof(r->cp_base), "%.20s", hex);
		r->cp_base_links++;
		sk_hist_cp_track(r, db);
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
	snprintf(r->cp_base, sizeof(r->cp_base), "%.20s", hex);
	r->cp_base_links = 0;
	r->cp_chain_bytes = 0;
	sk_hist_cp_track(r, db);
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

/*
 * checkpoint.c: copies of databases built on the way to a point (office.checkpoints/), full
 * ones and deltas against a full one, so that a restore applies only what came after the
 * nearest; chosen, checked, written and pruned here.
 */
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
 * Most checkpoints are small: the rows that differ from an earlier full checkpoint (the base),
 * found by SQL (each table's rows EXCEPT the base's), in a SQLite file NAME.delta whose .txt
 * says "delta: BASE" and the SHA-256 of the file.  A restore copies the base, deletes the
 * rows that changed or went and inserts their new versions (with the triggers off: this is
 * bookkeeping, not a clerk's write), then checks the digest as for any checkpoint; the
 * final checks of the restore catch anything else, and the restore then starts over. */

#define CHECKPOINTS_KEPT 12    /* per kind (a district, the city) */
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
static size_t cp_delta_base(struct sk_hist *r, char key[21])
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
				if (sscanf(line + 7, "%23s %zu %40s", origin, &k, cm) != 3 || (bi = sk_hist_find_origin(r, origin)) < 0 ||
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
static int cp_delta_write(struct sk_hist *r, struct sk_db *db, const char *base, const unsigned char *digest)
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
static int cp_delta_apply(struct sk_hist *r, const char *base, const char *path)
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
	if (sk_hist_copy_file(basedb, path) < 0) {
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
		sk_hist_unlink_db(path);
	free(delta);
	free(basedb);
	return ok ? 0 : -1;
}

/* The checkpoint that covers most of the targets, copied to path; 1 when one was used. */
int sk_hist_cp_use(struct sk_hist *r, const char *path)
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
					if (sscanf(line + 7, "%23s %zu %40s", origin, &k, cm) != 3 || (bi = sk_hist_find_origin(r, origin)) < 0 ||
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
		int rc = access(dbf, F_OK) == 0 ? sk_hist_copy_file(dbf, path) : cp_delta_apply(r, best, path);
		free(dbf);
		if (rc < 0) {
			/* a delta whose base went or that is damaged: thrown away, the next best tried */
			sk_error_clear();
			unlink(path);
			sk_hist_cp_discard(best);
			return sk_hist_cp_use(r, path);
		}
	}
	for (int i = 0; i < r->nb; i++)
		r->b[i].have = best_have[i];
	snprintf(r->cp_used, sizeof(r->cp_used), "%s", best);
	r->res->from_checkpoint = best_score;
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
 * oldest go first, and a delta goes with its base. */
static void cp_prune(struct sk_hist *r)
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
			sk_hist_cp_discard(orphan);
		else if (count[0] > CHECKPOINTS_KEPT && oldest[0][0])
			sk_hist_cp_discard(oldest[0]);
		else if (count[1] > CP_DELTAS_KEPT && oldest[1][0])
			sk_hist_cp_discard(oldest[1]);
		else
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

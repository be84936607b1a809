/*
 * bench_apply.c: applying change-sets into an empty city database against a plain INSERT of
 * the same rows into a plain table of the same shape (same columns, same index), side by side.
 * The change-sets are read and decoded from the repository first; each repetition times
 * sk_apply_tx of all of them in one transaction, and the plain inserts of all their rows in
 * one transaction, both with COMMIT, alternating.  Prints medians, their ratio, peak RSS.
 * Usage: bench_apply REPO [REF] [REPS] [DIR]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "benchhelp.h"
#include "engine.h"
#include "repo.h"

struct item {
	struct sk_changeset *cs;
	char blob[41], commit[41];
	size_t len;
};
static struct item *items;
static size_t nitems, alloc;

static double last_cpu;

static int collect(void *payload, const struct sk_repo_entry *e)
{
	struct item *it;
	(void)payload;
	if (nitems == alloc) {
		alloc = alloc ? alloc * 2 : 256;
		items = sk_realloc(items, alloc * sizeof(*items));
	}
	it = &items[nitems];
	if (sk_changeset_decode(&it->cs, e->data, e->len, NULL) < 0)
		return -1;
	memcpy(it->blob, e->blob, 41);
	memcpy(it->commit, e->commit, 41);
	it->len = e->len;
	nitems++;
	return 0;
}

static void die(const char *what)
{
	fprintf(stderr, "bench_apply: %s: %s\n", what, sk_error_last());
	exit(1);
}

static double run_apply(const char *dir, int rep, size_t *rows)
{
	char path[512];
	struct sk_db *db;
	double t0;
	snprintf(path, sizeof(path), "%s/apply-sk-%d.db", dir, rep);
	rm_db(path);
	if (sk_db_create(&db, path, "96.71", 1, NULL) < 0)
		die("create");
	sk_db_set_operator(db, "bench");
	t0 = now_s();
	last_cpu = cpu_s();
	if (sk_db_begin(db) < 0)
		die("begin");
	*rows = 0;
	for (size_t i = 0; i < nitems; i++) {
		int applied;
		if (sk_apply_tx(db, items[i].cs, items[i].blob, items[i].commit, items[i].len, &applied) < 0)
			die("apply");
		*rows += applied ? sk_changeset_rows(items[i].cs) : 0;
	}
	if (sk_db_commit(db) < 0)
		die("commit");
	t0 = now_s() - t0;
	last_cpu = cpu_s() - last_cpu;
	sk_db_free(db);
	rm_db(path);
	return t0;
}

/* The plain side: the synced tables as created by the schema, without _sk, in a database with
 * the same settings (WAL, synchronous FULL, the same cache, no mutex), rows inserted by one prepared
 * statement per table. */
static double run_plain(const char *dir, int rep)
{
	char path[512];
	struct sk_db *tmpl;
	sqlite3 *h;
	sqlite3_stmt *st;
	double t0;
	struct sk_buf q = SK_BUF_INIT;

	snprintf(path, sizeof(path), "%s/apply-tmpl-%d.db", dir, rep);
	rm_db(path);
	if (sk_db_create(&tmpl, path, "96.71", 1, NULL) < 0)
		die("create");
	snprintf(path, sizeof(path), "%s/apply-plain-%d.db", dir, rep);
	rm_db(path);
	if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
	    sqlite3_exec(h, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA cache_size = -32768", 0, 0, 0) != SQLITE_OK) {
		fprintf(stderr, "bench_apply: %s\n", sqlite3_errmsg(h));
		exit(1);
	}
	/* the same tables and indexes, the bookkeeping column left out */
	sk_db_prepare(tmpl, &st, "SELECT sql FROM sqlite_schema WHERE sql IS NOT NULL AND type IN ('table', 'index') AND "
				 "(tbl_name IN (SELECT name FROM sk_tables)) ORDER BY type DESC");
	while (sqlite3_step(st) == SQLITE_ROW) {
		char *sql = sk_strdup((const char *)sqlite3_column_text(st, 0)), *p;
		if ((p = strstr(sql, ",\n\t_sk         BLOB")) || (p = strstr(sql, ",\n\t_sk          BLOB")))
			memmove(p, strchr(p, 'B') + 4, strlen(strchr(p, 'B') + 4) + 1);
		if (sqlite3_exec(h, sql, 0, 0, 0) != SQLITE_OK) {
			fprintf(stderr, "bench_apply: %s: %s\n", sql, sqlite3_errmsg(h));
			exit(1);
		}
		free(sql);
	}
	sqlite3_finalize(st);
	sk_db_free(tmpl);
	snprintf(path, sizeof(path), "%s/apply-tmpl-%d.db", dir, rep);
	rm_db(path);

	t0 = now_s();
	last_cpu = cpu_s();
	sqlite3_exec(h, "BEGIN IMMEDIATE", 0, 0, 0);
	for (size_t i = 0; i < nitems; i++) {
		const struct sk_changeset *cs = items[i].cs;
		for (size_t k = 0; k < cs->ntables; k++) {
			const struct sk_cs_table *t = &cs->tables[k];
			/* one statement per table of the change-set, as an applier reusing it would */
			q.len = 0;
			sk_buf_printf(&q, "INSERT INTO \"%s\" (id", t->name);
			for (int c = 0; c < t->ncols; c++)
				sk_buf_printf(&q, ", \"%s\"", t->cols[c]);
			sk_buf_puts(&q, ") VALUES (?");
			for (int c = 0; c < t->ncols; c++)
				sk_buf_puts(&q, ", ?");
			sk_buf_puts(&q, ")");
			if (sqlite3_prepare_v2(h, (const char *)q.ptr, -1, &st, NULL) != SQLITE_OK) {
				fprintf(stderr, "bench_apply: %s\n", sqlite3_errmsg(h));
				exit(1);
			}
			for (size_t r = 0; r < t->nrows; r++) {
				const struct sk_cs_row *row = &t->rows[r];
				sqlite3_reset(st);
				sqlite3_bind_text(st, 1, row->pk, -1, SQLITE_STATIC);
				for (int c = 0; c < t->ncols; c++) {
					const struct sk_value *v = &row->vals[c];
					if (!(row->mask >> c & 1) || v->type == SK_NULL)
						sqlite3_bind_null(st, c + 2);
					else if (v->type == SK_INT)
						sqlite3_bind_int64(st, c + 2, v->i);
					else if (v->type == SK_REAL)
						sqlite3_bind_double(st, c + 2, v->r);
					else if (v->type == SK_TEXT)
						sqlite3_bind_text(st, c + 2, (const char *)v->p, (int)v->n, SQLITE_STATIC);
					else
						sqlite3_bind_blob(st, c + 2, v->p, (int)v->n, SQLITE_STATIC);
				}
				if (sqlite3_step(st) != SQLITE_DONE) {
					fprintf(stderr, "bench_apply: plain insert: %s\n", sqlite3_errmsg(h));
					exit(1);
				}
			}
			sqlite3_finalize(st);
		}
	}
	if (sqlite3_exec(h, "COMMIT", 0, 0, 0) != SQLITE_OK) {
		fprintf(stderr, "bench_apply: %s\n", sqlite3_errmsg(h));
		exit(1);
	}
	t0 = now_s() - t0;
	last_cpu = cpu_s() - last_cpu;
	sqlite3_close(h);
	sk_buf_release(&q);
	rm_db(path);
	return t0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	const char *ref = argc > 2 ? argv[2] : "refs/heads/district/96.71.01";
	int reps = argc > 3 ? atoi(argv[3]) : 3;
	const char *dir = argc > 4 ? argv[4] : ".";
	struct sk_repo *repo;
	struct rusage ru;
	double *ta, *tp, *ca, *cp, t0;
	size_t rows = 0;

	if (argc < 2 || reps <= 0 || reps > 50) {
		fprintf(stderr, "usage: bench_apply REPO [REF] [REPS] [DIR]\n");
		return 2;
	}
	t0 = now_s();
	if (sk_repo_open(&repo, argv[1], 0) < 0 || sk_repo_walk(repo, ref, collect, NULL) < 0)
		die("reading the change-sets");
	sk_repo_free(repo);
	t0 = now_s() - t0;
	ta = malloc(sizeof(double) * (size_t)reps);
	tp = malloc(sizeof(double) * (size_t)reps);
	ca = malloc(sizeof(double) * (size_t)reps);
	cp = malloc(sizeof(double) * (size_t)reps);
	for (int k = 0; k < reps; k++) {
		if (k % 2 == 0) {
			ta[k] = run_apply(dir, k, &rows);
			ca[k] = last_cpu;
			tp[k] = run_plain(dir, k);
			cp[k] = last_cpu;
		} else {
			tp[k] = run_plain(dir, k);
			cp[k] = last_cpu;
			ta[k] = run_apply(dir, k, &rows);
			ca[k] = last_cpu;
		}
		fprintf(stderr, "bench_apply: rep %d: apply %.3f s (cpu %.3f s), plain insert %.3f s (cpu %.3f s)\n", k + 1,
			ta[k], ca[k], tp[k], cp[k]);
	}
	/* each repetition's own ratio (its two sides ran back to back), for the spread */
	printf("rep_ratios");
	for (int k = 0; k < reps; k++)
		printf(" %.2f", ta[k] / tp[k]);
	printf("\ncpu_rep_ratios");
	for (int k = 0; k < reps; k++)
		printf(" %.2f", ca[k] / cp[k]);
	printf("\n");
	qsort(ta, (size_t)reps, sizeof(double), cmp_double);
	qsort(tp, (size_t)reps, sizeof(double), cmp_double);
	qsort(ca, (size_t)reps, sizeof(double), cmp_double);
	qsort(cp, (size_t)reps, sizeof(double), cmp_double);
	getrusage(RUSAGE_SELF, &ru);
	printf("changesets %zu\nrows %zu\nread_decode_s %.3f\nreps %d\napply_s %.3f\nplain_s %.3f\nratio %.2f\n"
	       "apply_cpu_s %.3f\nplain_cpu_s %.3f\ncpu_ratio %.2f\nmaxrss_kb %ld\n",
	       nitems, rows, t0, reps, ta[reps / 2], tp[reps / 2], ta[reps / 2] / tp[reps / 2], ca[reps / 2], cp[reps / 2],
	       ca[reps / 2] / cp[reps / 2], ru.ru_maxrss);
	for (size_t i = 0; i < nitems; i++)
		sk_changeset_free(items[i].cs);
	free(items);
	free(ta);
	free(tp);
	free(ca);
	free(cp);
	return 0;
}

/*
 * bench_capture.c: the whole cost of a write to a synced table.  Fresh district databases, as
 * sinkron makes them and with some of its triggers dropped or replaced (the variants below);
 * the same realistic ~300-byte worker rows inserted into each with one prepared statement in
 * one transaction (COMMIT included), the variants' order rotating from one repetition to the
 * next; prints each variant's median, its runs, the size of its insert program and its ratio
 * to the trigger-free table.  Usage: bench_capture [ROWS] [REPS] [DIR]; for the sqlite3 shell's
 * figure (scripts/bench), `bench_capture sql ROWS` prints the same rows as one SQL script and
 * `bench_capture make VARIANT PATH` makes one variant's database; `bench_capture one VARIANT ROWS
 * DIR` runs one variant once, for a profiler.  $BENCH_ONLY picks variants, $BENCH_CPU=1 times CPU.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "benchhelp.h"
#include "sync.h"
#include "db.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

static const char *first[] = {"Yohanes", "Maria", "Paulus", "Siti", "Yakobus", "Agustina", "La Ode",
			      "Wa Ode", "Markus", "Fransina", "Abdul", "Ruth", "Daniel", "Novita"};
static const char *last[] = {"Yumte", "Kambu", "Malak", "Mayor", "Rumbiak", "Wonda", "Sawaki",
			     "Hamid", "Ismail", "Kaisiepo", "Wanma", "Fatem", "Osok", "Mobalen"};
static const char *jobs[][2] = {
	{"Pedagang Pasar", "Pasar Remu Blok B Los Sayur"},
	{"Tukang Ojek", "Pangkalan Ojek Malanu Jalan Basuki Rahmat"},
	{"Nelayan", "Tempat Pendaratan Ikan Jembatan Puri"},
	{"Petani", "Kebun Sayur Klasaman Jalur Dua"},
	{"Mama-Mama Papua Penjual Pinang", "Pasar Boswesen Lapak Pinang"},
};
static const char *streets[] = {"Jl. Basuki Rahmat", "Jl. Kanal Victory", "Jl. Malibela", "Jl. Sungai Maruni",
				"Jl. Ahmad Yani", "Jl. Frans Kaisiepo"};

struct row {
	char id[40], nik[24], kk[24], name[48], place[16], date[16], sex[2], addr[128], kel[24], phone[24];
	const char *job, *work;
	int64_t income;
};

static void make_row(struct row *r, int i)
{
	snprintf(r->id, sizeof(r->id), "967101-%012llx-%08x", 0x190d3a1f2c4ULL + (unsigned long long)i * 7, rnd());
	snprintf(r->nik, sizeof(r->nik), "967101%02u%02u%02u%04u", rnd() % 28 + 1, rnd() % 12 + 1, rnd() % 50 + 50,
		 rnd() % 10000);
	snprintf(r->kk, sizeof(r->kk), "967101%010u", rnd() % 1000000000u);
	snprintf(r->name, sizeof(r->name), "%s %s", first[rnd() % 14], last[rnd() % 14]);
	snprintf(r->place, sizeof(r->place), "%s", rnd() % 2 ? "Sorong" : "Manokwari");
	snprintf(r->date, sizeof(r->date), "19%02u-%02u-%02u", rnd() % 50 + 50, rnd() % 12 + 1, rnd() % 28 + 1);
	snprintf(r->sex, sizeof(r->sex), "%s", rnd() % 2 ? "L" : "P");
	snprintf(r->addr, sizeof(r->addr), "%s No. %u RT %02u/RW %02u, Kelurahan Remu Utara, Distrik Sorong, Kota Sorong", streets[rnd() % 6],
		 rnd() % 120 + 1, rnd() % 9 + 1, rnd() % 5 + 1);
	snprintf(r->kel, sizeof(r->kel), "96.71.01.10%02u", rnd() % 8 + 1);
	snprintf(r->phone, sizeof(r->phone), "+62 8%02u-%04u-%04u", rnd() % 100, rnd() % 10000, rnd() % 10000);
	r->job = jobs[rnd() % 5][0];
	r->work = jobs[rnd() % 5][1];
	r->income = 1000000 + (int64_t)(rnd() % 5) * 500000;
}

static struct row *rows;
static int nrows;

#define INSERT_SQL                                                                                                        \
	"INSERT INTO workers (id, owner, nik, kk, name, birth_place, birth_date, sex, address, kelurahan, phone, "       \
	"occupation, workplace, income, status) VALUES (?, '96.71.01', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active')"

enum { KEEP, DROP_ALL, STRIP, STRICT };

/* What each database is: as sinkron makes it (capture triggers holding the guards as arms of one
 * CASE), with no trigger at all, with capture alone (the CASE taken out), without one arm each
 * (to rank their costs), and rebuilt by hand as a STRICT table (sinkron's schema is not changed)
 * whose types SQLite enforces, so the types arm goes. */
static const struct variant {
	const char *tag, *what;
	int how;
	const char *arm; /* STRIP, STRICT: the arm taken out (by its message), NULL for the whole CASE */
} variants[] = {
	{"full", "capture with its guards, as sinkron makes it", KEEP, NULL},
	{"bare", "no trigger on any synced table", DROP_ALL, NULL},
	{"capture", "capture alone (the guards' CASE taken out)", STRIP, NULL},
	{"no_types", "full without the types arm", STRIP, "a value of the wrong type"},
	{"no_id", "full without the id arm", STRIP, "the id must be"},
	{"no_len", "full without the lengths arm", STRIP, "a text longer than"},
	{"no_city", "full without the city's columns arm", STRIP, "these fields are set by the city"},
	{"strict", "a STRICT table (SQLite enforces the types), full without the types arm, by hand", STRICT,
	 "a value of the wrong type"},
};
#define NVARIANTS ((int)(sizeof(variants) / sizeof(variants[0])))
#define BARE 1

/* $BENCH_ONLY, a comma-separated list of variants, runs those and the first three alone. */
static int wanted(int v)
{
	const char *only = getenv("BENCH_ONLY"), *p;
	size_t n = strlen(variants[v].tag);
	if (v < 3 || !only || !*only)
		return 1;
	for (p = only; (p = strstr(p, variants[v].tag)); p += n)
		if ((p == only || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return 1;
	return 0;
}

static void die(const char *what)
{
	fprintf(stderr, "bench_capture: %s: %s\n", what, sk_error_last());
	exit(1);
}

/* Appends each row's first column of SQL to a buffer, as statements. */
static void collect(struct sk_db *db, struct sk_buf *out, const char *sql, const char *fmt)
{
	sqlite3_stmt *st;
	if (sk_db_prepare(db, &st, sql) < 0)
		die("collect");
	while (sqlite3_step(st) == SQLITE_ROW)
		sk_buf_printf(out, fmt, (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
}

/* The insert trigger of workers made again without one arm of its guard (the WHEN ... THEN
 * RAISE(...) whose message holds `arm`), or without the whole CASE (arm NULL). */
static void strip(struct sk_db *db, const char *arm)
{
	struct sk_buf sql = SK_BUF_INIT, out = SK_BUF_INIT;
	const char *t, *from, *to;
	collect(db, &sql, "SELECT sql FROM sqlite_schema WHERE name = 'sk_capture_workers_insert'", "%s");
	t = (const char *)sql.ptr;
	if (!arm) {
		from = strstr(t, "CASE WHEN applying IS NOT 0");
		to = from ? strstr(from, "ELSE 1 END") : NULL;
		if (to)
			to += strlen("ELSE 1 END");
	} else {
		const char *m = strstr(t, arm);
		from = to = NULL;
		for (const char *w = t; m && (w = strstr(w, " WHEN ")) && w < m; w++)
			from = w + 1;
		to = m ? strstr(m, "') ") : NULL;
		if (to)
			to += 3;
	}
	if (!from || !to) {
		fprintf(stderr, "bench_capture: no guard '%s' in the insert trigger\n", arm ? arm : "CASE");
		exit(1);
	}
	sk_buf_printf(&out, "DROP TRIGGER sk_capture_workers_insert; %.*s%s%s", (int)(from - t), t, arm ? "" : "applying = 0", to);
	if (sk_db_exec(db, (const char *)out.ptr) < 0)
		die("strip");
	sk_buf_release(&sql);
	sk_buf_release(&out);
}

/* workers made again (it is empty) as a STRICT table with its indexes and triggers. */
static void make_strict(struct sk_db *db)
{
	struct sk_buf sql = SK_BUF_INIT, trig = SK_BUF_INIT;
	collect(db, &trig, "SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = 'workers'", "%s;");
	collect(db, &sql, "SELECT name FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = 'workers'", "DROP TRIGGER \"%s\";");
	sk_buf_puts(&sql, "DROP TABLE workers;");
	collect(db, &sql, "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'workers'", "%s STRICT;");
	collect(db, &sql, "SELECT sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'workers' AND sql IS NOT NULL", "%s;");
	sk_buf_puts(&sql, (const char *)trig.ptr);
	if (sk_db_exec(db, (const char *)sql.ptr) < 0)
		die("strict");
	sk_buf_release(&sql);
	sk_buf_release(&trig);
}

static struct sk_db *open_db(const char *dir, const struct variant *v, int rep)
{
	struct sk_db *db;
	struct sk_buf sql = SK_BUF_INIT;
	char path[512];

	snprintf(path, sizeof(path), "%s/capture-%s-%d.db", dir, v->tag, rep);
	rm_db(path);
	if (sk_db_create(&db, path, "96.71.01", 0, NULL) < 0)
		die("create");
	sk_db_set_operator(db, "bench");
	if (v->how == DROP_ALL) {
		for (int i = 0; i < db->ntables; i++) {
			sqlite3_stmt *st;
			if (sk_db_prepare(db, &st, "SELECT name FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = ?") < 0)
				die("triggers");
			sqlite3_bind_text(st, 1, db->tables[i].name, -1, SQLITE_STATIC);
			while (sqlite3_step(st) == SQLITE_ROW)
				sk_buf_printf(&sql, "DROP TRIGGER \"%s\";", (const char *)sqlite3_column_text(st, 0));
			sqlite3_finalize(st);
		}
		if (sql.len && sk_db_exec(db, (const char *)sql.ptr) < 0)
			die(v->tag);
	}
	if (v->how == STRICT)
		make_strict(db);
	if (v->how == STRIP || v->how == STRICT)
		strip(db, v->arm);
	sk_buf_release(&sql);
	return db;
}

/* The number of VDBE instructions of the insert, its trigger programs included. */
static int program_size(struct sk_db *db)
{
	sqlite3_stmt *st;
	int n = 0;
	if (sk_db_prepare(db, &st, "EXPLAIN " INSERT_SQL) < 0)
		die("explain");
	while (sqlite3_step(st) == SQLITE_ROW)
		n++;
	sqlite3_finalize(st);
	return n;
}

static int outbox_count(struct sk_db *db)
{
	sqlite3_stmt *st;
	int n = -1;
	if (sk_db_prepare(db, &st, "SELECT count(*) FROM sk_outbox") == 0 && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* $BENCH_CPU=1: each run's CPU time instead of the clock's */
static double clock_s(void)
{
	static int cpu = -1;
	if (cpu < 0)
		cpu = getenv("BENCH_CPU") && strcmp(getenv("BENCH_CPU"), "1") == 0;
	return cpu ? cpu_s() : now_s();
}

static double run(struct sk_db *db)
{
	sqlite3_stmt *st;
	double t0 = clock_s();
	if (sk_db_begin(db) < 0 || sk_db_prepare(db, &st, INSERT_SQL) < 0)
		die("insert");
	for (int i = 0; i < nrows; i++) {
		const struct row *r = &rows[i];
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, r->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, r->nik, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, r->kk, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, r->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, r->place, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, r->date, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 7, r->sex, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 8, r->addr, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 9, r->kel, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 10, r->phone, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 11, r->job, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 12, r->work, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 13, r->income);
		if (sqlite3_step(st) != SQLITE_DONE) {
			fprintf(stderr, "bench_capture: insert: %s\n", sqlite3_errmsg(db->h));
			exit(1);
		}
	}
	sqlite3_finalize(st);
	if (sk_db_commit(db) < 0)
		die("commit");
	return clock_s() - t0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(const double *runs, int n)
{
	double s[50];
	memcpy(s, runs, sizeof(double) * (size_t)n);
	qsort(s, (size_t)n, sizeof(double), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static void make_rows(double *bytes)
{
	rows = malloc(sizeof(*rows) * (size_t)nrows);
	for (int i = 0; i < nrows; i++) {
		const struct row *r = &rows[i];
		make_row(&rows[i], i);
		*bytes += (double)(strlen(r->id) + 8 + 16 + 16 + strlen(r->name) + strlen(r->place) + 10 + 1 +
				   strlen(r->addr) + strlen(r->kel) + strlen(r->phone) + strlen(r->job) + strlen(r->work) + 7 + 6);
	}
}

/* The rows as one script for the sqlite3 shell, which prepares each statement again (and so
 * compiles the triggers into each): what a clerk's tool or a hand-written import costs. */
static void print_sql(void)
{
	printf("BEGIN;\n");
	for (int i = 0; i < nrows; i++) {
		const struct row *r = &rows[i];
		char *q = sqlite3_mprintf("INSERT INTO workers (id, owner, nik, kk, name, birth_place, birth_date, sex, address, "
					  "kelurahan, phone, occupation, workplace, income, status) VALUES (%Q, '96.71.01', %Q, %Q, "
					  "%Q, %Q, %Q, %Q, %Q, %Q, %Q, %Q, %Q, %lld, 'active');",
					  r->id, r->nik, r->kk, r->name, r->place, r->date, r->sex, r->addr, r->kel, r->phone, r->job,
					  r->work, (long long)r->income);
		puts(q);
		sqlite3_free(q);
	}
	printf("COMMIT;\n");
}

int main(int argc, char **argv)
{
	int reps = argc > 2 ? atoi(argv[2]) : 3;
	const char *dir = argc > 3 ? argv[3] : ".";
	double t[NVARIANTS][50], med[NVARIANTS], bytes = 0;
	int ops[NVARIANTS];

	if (argc == 3 && strcmp(argv[1], "sql") == 0 && (nrows = atoi(argv[2])) > 0) {
		make_rows(&bytes);
		print_sql();
		free(rows);
		return 0;
	}
	if (argc == 4 && strcmp(argv[1], "make") == 0) {
		char dirbuf[512], *slash;
		for (int v = 0; v < NVARIANTS; v++) {
			if (strcmp(argv[2], variants[v].tag) == 0) {
				/* open_db names the file after the variant: make it there, then move it */
				char made[600];
				snprintf(dirbuf, sizeof(dirbuf), "%s", argv[3]);
				slash = strrchr(dirbuf, '/');
				if (slash)
					*slash = '\0';
				else
					snprintf(dirbuf, sizeof(dirbuf), ".");
				sk_db_free(open_db(dirbuf, &variants[v], 99));
				snprintf(made, sizeof(made), "%s/capture-%s-99.db", dirbuf, variants[v].tag);
				rm_db(argv[3]);
				if (rename(made, argv[3]) < 0) {
					perror("bench_capture: rename");
					return 1;
				}
				return 0;
			}
		}
		fprintf(stderr, "bench_capture: no variant '%s'\n", argv[2]);
		return 2;
	}
	if (argc == 5 && strcmp(argv[1], "one") == 0 && (nrows = atoi(argv[3])) > 0) {
		/* one variant, once: for a profiler (valgrind --tool=callgrind --toggle-collect=run) */
		for (int v = 0; v < NVARIANTS; v++) {
			if (strcmp(argv[2], variants[v].tag) == 0) {
				struct sk_db *db = open_db(argv[4], &variants[v], 0);
				/* $BENCH_SQL: run after the variant is made (to try a trigger by hand) */
				if (getenv("BENCH_SQL") && sk_db_exec(db, getenv("BENCH_SQL")) < 0)
					die("BENCH_SQL");
				make_rows(&bytes);
				printf("%s %.3f s\n", variants[v].tag, run(db));
				sk_db_free(db);
				free(rows);
				return 0;
			}
		}
		fprintf(stderr, "bench_capture: no variant '%s'\n", argv[2]);
		return 2;
	}
	nrows = argc > 1 ? atoi(argv[1]) : 100000;
	if (nrows <= 0 || reps <= 0 || reps > 50) {
		fprintf(stderr, "usage: bench_capture [ROWS] [REPS] [DIR]\n"
				"       bench_capture sql ROWS\n"
				"       bench_capture make VARIANT PATH\n"
				"       bench_capture one VARIANT ROWS DIR\n");
		return 2;
	}
	make_rows(&bytes);
	for (int k = 0; k < reps; k++) {
		struct sk_db *db[NVARIANTS];
		for (int v = 0; v < NVARIANTS; v++)
			db[v] = wanted(v) ? open_db(dir, &variants[v], k) : NULL;
		/* the order rotates, so no variant always meets the same cache or neighbour's load */
		for (int j = 0; j < NVARIANTS; j++) {
			int v = (j + k) % NVARIANTS;
			if (db[v])
				t[v][k] = run(db[v]);
		}
		fprintf(stderr, "bench_capture: rep %d:", k + 1);
		for (int v = 0; v < NVARIANTS; v++) {
			const struct variant *x = &variants[v];
			if (!db[v])
				continue;
			int want = x->how == DROP_ALL ? 0 : nrows;
			if (outbox_count(db[v]) != want) {
				fprintf(stderr, "\nbench_capture: %s: the outbox holds %d entries, not %d\n", variants[v].tag,
					outbox_count(db[v]), want);
				return 1;
			}
			if (k == 0)
				ops[v] = program_size(db[v]);
			fprintf(stderr, " %s %.3f s", variants[v].tag, t[v][k]);
			sk_db_free(db[v]);
			{
				char path[512];
				snprintf(path, sizeof(path), "%s/capture-%s-%d.db", dir, variants[v].tag, k);
				rm_db(path);
			}
		}
		fprintf(stderr, "\n");
	}
	printf("rows %d\nrow_bytes %.0f\nreps %d\n", nrows, bytes / nrows, reps);
	for (int v = 0; v < NVARIANTS; v++)
		med[v] = median(t[v], reps);
	for (int v = 0; v < NVARIANTS; v++) {
		if (!wanted(v))
			continue;
		printf("%s_s %.3f\n%s_runs", variants[v].tag, med[v], variants[v].tag);
		for (int k = 0; k < reps; k++)
			printf(" %.3f", t[v][k]);
		/* each repetition's own ratio too: under a changing load, the median of those is
		 * steadier than the ratio of the medians */
		{
			double r[50];
			printf("\n%s_rep_ratios", variants[v].tag);
			for (int k = 0; k < reps; k++)
				printf(" %.2f", r[k] = t[v][k] / t[BARE][k]);
			printf("\n%s_rep_ratio %.2f", variants[v].tag, median(r, reps));
		}
		printf("\n%s_ops %d\n%s_ratio %.2f\n%s_what %s\n", variants[v].tag, ops[v], variants[v].tag, med[v] / med[BARE],
		       variants[v].tag, variants[v].what);
	}
	printf("ratio %.2f\n", med[0] / med[BARE]);
	free(rows);
	return 0;
}

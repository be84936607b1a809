/*
 * bench_capture.c: the cost of the capture triggers.  Two fresh district databases, one with
 * the sk_capture_* triggers dropped; the same realistic ~300-byte worker rows inserted into
 * each with one prepared statement in one transaction (COMMIT included), alternating, several
 * times; prints the medians and their ratio.  Usage: bench_capture [ROWS] [REPS] [DIR]
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

static int open_db(struct sk_db **out, const char *dir, const char *tag, int rep, int triggers)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/capture-%s-%d.db", dir, tag, rep);
	unlink(path);
	if (sk_db_create(out, path, "96.71.01", 0, NULL) < 0) {
		fprintf(stderr, "bench_capture: %s\n", sk_error_last());
		return -1;
	}
	sk_db_set_operator(*out, "bench");
	if (!triggers && sk_db_exec(*out, "DROP TRIGGER sk_capture_workers_insert; DROP TRIGGER sk_capture_workers_update; "
					  "DROP TRIGGER sk_capture_workers_delete") < 0) {
		fprintf(stderr, "bench_capture: %s\n", sk_error_last());
		return -1;
	}
	return 0;
}

static double run(struct sk_db *db)
{
	sqlite3_stmt *st;
	double t0 = now_s();
	if (sk_db_begin(db) < 0 ||
	    sk_db_prepare(db, &st, "INSERT INTO workers (id, owner, nik, kk, name, birth_place, birth_date, sex, address, "
				   "kelurahan, phone, occupation, workplace, income, status) "
				   "VALUES (?, '96.71.01', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active')") < 0) {
		fprintf(stderr, "bench_capture: %s\n", sk_error_last());
		exit(1);
	}
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
	if (sk_db_commit(db) < 0) {
		fprintf(stderr, "bench_capture: %s\n", sk_error_last());
		exit(1);
	}
	return now_s() - t0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int reps = argc > 2 ? atoi(argv[2]) : 3;
	const char *dir = argc > 3 ? argv[3] : ".";
	double *with, *without, bytes = 0;

	nrows = argc > 1 ? atoi(argv[1]) : 250000;
	if (nrows <= 0 || reps <= 0 || reps > 50) {
		fprintf(stderr, "usage: bench_capture [ROWS] [REPS] [DIR]\n");
		return 2;
	}
	rows = malloc(sizeof(*rows) * (size_t)nrows);
	with = malloc(sizeof(double) * (size_t)reps);
	without = malloc(sizeof(double) * (size_t)reps);
	for (int i = 0; i < nrows; i++) {
		const struct row *r = &rows[i];
		make_row(&rows[i], i);
		bytes += (double)(strlen(r->id) + 8 + 16 + 16 + strlen(r->name) + strlen(r->place) + 10 + 1 +
				  strlen(r->addr) + strlen(r->kel) + strlen(r->phone) + strlen(r->job) + strlen(r->work) + 7 + 6);
	}
	for (int k = 0; k < reps; k++) {
		struct sk_db *a, *b;
		if (open_db(&a, dir, "with", k, 1) < 0 || open_db(&b, dir, "without", k, 0) < 0)
			return 1;
		/* alternate which goes first, so neither always meets a warm or cold cache */
		if (k % 2 == 0) {
			with[k] = run(a);
			without[k] = run(b);
		} else {
			without[k] = run(b);
			with[k] = run(a);
		}
		fprintf(stderr, "bench_capture: rep %d: with triggers %.3f s, without %.3f s\n", k + 1, with[k], without[k]);
		{
			sqlite3_stmt *st;
			if (sk_db_prepare(a, &st, "SELECT count(*) FROM sk_outbox") == 0 && sqlite3_step(st) == SQLITE_ROW &&
			    sqlite3_column_int(st, 0) != nrows) {
				fprintf(stderr, "bench_capture: the outbox holds %d entries, not %d\n", sqlite3_column_int(st, 0), nrows);
				return 1;
			}
			sqlite3_finalize(st);
		}
		sk_db_free(a);
		sk_db_free(b);
		for (int j = 0; j < 2; j++) {
			char path[512];
			snprintf(path, sizeof(path), "%s/capture-%s-%d.db", dir, j ? "with" : "without", k);
			rm_db(path);
		}
	}
	qsort(with, (size_t)reps, sizeof(double), cmp_double);
	qsort(without, (size_t)reps, sizeof(double), cmp_double);
	printf("rows %d\nrow_bytes %.0f\nreps %d\nwith_s %.3f\nwithout_s %.3f\nratio %.2f\n", nrows, bytes / nrows, reps,
	       with[reps / 2], without[reps / 2], with[reps / 2] / without[reps / 2]);
	free(rows);
	free(with);
	free(without);
	return 0;
}

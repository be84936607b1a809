/*
 * bench_city_plain.c: the plain side of the city benchmark (scripts/bench-city): the rows of the
 * synced tables of some district databases (every column but _sk), inserted into a fresh SQLite
 * database holding the same tables and indexes without _sk, with the settings sinkron uses (WAL,
 * synchronous FULL, 32 MiB cache), one prepared statement per table, values bound, one
 * transaction, COMMIT included.  The rows are read into memory first and not timed.
 * Usage: bench_city_plain TEMPLATE_DB OUT_DB DISTRICT_DB...   (TEMPLATE_DB: a city database)
 * Prints: rows, seconds, peak RSS.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "benchhelp.h"

struct table {
	char name[64];
	char *select, *insert;
	int ncols;
	sqlite3_value **vals; /* nrows * ncols */
	size_t nrows, alloc;
};

static struct table tables[8];
static int ntables;

static void die(sqlite3 *h, const char *what)
{
	fprintf(stderr, "bench_city_plain: %s: %s\n", what, h ? sqlite3_errmsg(h) : "failed");
	exit(1);
}

/* The synced tables of the template (the district-owned ones: workers, heirs, enrolments), their
 * CREATE statements without _sk, and the column lists for reading and inserting. */
static void schema(sqlite3 *tmpl, sqlite3 *out)
{
	sqlite3_stmt *st, *ci;
	if (sqlite3_prepare_v2(tmpl, "SELECT name FROM sk_tables WHERE name IN ('workers', 'heirs', 'enrolments') ORDER BY id",
			       -1, &st, NULL) != SQLITE_OK)
		die(tmpl, "sk_tables");
	while (sqlite3_step(st) == SQLITE_ROW && ntables < 8) {
		struct table *t = &tables[ntables++];
		char create[8192], cols[4096], qs[2048];
		size_t cl = 0, ql = 0;
		snprintf(t->name, sizeof(t->name), "%s", (const char *)sqlite3_column_text(st, 0));
		if (sqlite3_prepare_v2(tmpl, "SELECT name, type, pk FROM pragma_table_info(?) WHERE name <> '_sk' ORDER BY cid", -1,
				       &ci, NULL) != SQLITE_OK)
			die(tmpl, "table_info");
		sqlite3_bind_text(ci, 1, t->name, -1, SQLITE_STATIC);
		cols[0] = qs[0] = '\0';
		snprintf(create, sizeof(create), "CREATE TABLE \"%s\" (", t->name);
		while (sqlite3_step(ci) == SQLITE_ROW) {
			const char *n = (const char *)sqlite3_column_text(ci, 0), *ty = (const char *)sqlite3_column_text(ci, 1);
			size_t l = strlen(create);
			snprintf(create + l, sizeof(create) - l, "%s\"%s\" %s%s", t->ncols ? ", " : "", n, ty,
				 sqlite3_column_int(ci, 2) ? " PRIMARY KEY" : "");
			cl += (size_t)snprintf(cols + cl, sizeof(cols) - cl, "%s\"%s\"", t->ncols ? ", " : "", n);
			ql += (size_t)snprintf(qs + ql, sizeof(qs) - ql, "%s?", t->ncols ? ", " : "");
			t->ncols++;
		}
		sqlite3_finalize(ci);
		strcat(create, ")");
		if (sqlite3_exec(out, create, 0, 0, 0) != SQLITE_OK)
			die(out, create);
		t->select = malloc(strlen(cols) + 128);
		sprintf(t->select, "SELECT %s FROM \"%s\"", cols, t->name);
		t->insert = malloc(strlen(cols) + strlen(qs) + 128);
		sprintf(t->insert, "INSERT INTO \"%s\" (%s) VALUES (%s)", t->name, cols, qs);
	}
	sqlite3_finalize(st);
	/* the same secondary indexes */
	if (sqlite3_prepare_v2(tmpl, "SELECT sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL AND "
				     "tbl_name IN ('workers', 'heirs', 'enrolments')", -1, &st, NULL) != SQLITE_OK)
		die(tmpl, "indexes");
	while (sqlite3_step(st) == SQLITE_ROW)
		if (sqlite3_exec(out, (const char *)sqlite3_column_text(st, 0), 0, 0, 0) != SQLITE_OK)
			die(out, "create index");
	sqlite3_finalize(st);
}

static void load(const char *path)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		die(h, path);
	for (int k = 0; k < ntables; k++) {
		struct table *t = &tables[k];
		if (sqlite3_prepare_v2(h, t->select, -1, &st, NULL) != SQLITE_OK)
			die(h, t->select);
		while (sqlite3_step(st) == SQLITE_ROW) {
			if (t->nrows == t->alloc) {
				t->alloc = t->alloc ? t->alloc * 2 : 4096;
				t->vals = realloc(t->vals, t->alloc * (size_t)t->ncols * sizeof(*t->vals));
			}
			for (int c = 0; c < t->ncols; c++)
				t->vals[t->nrows * (size_t)t->ncols + (size_t)c] = sqlite3_value_dup(sqlite3_column_value(st, c));
			t->nrows++;
		}
		sqlite3_finalize(st);
	}
	sqlite3_close(h);
}

int main(int argc, char **argv)
{
	sqlite3 *tmpl, *out;
	sqlite3_stmt *st;
	struct rusage ru;
	size_t rows = 0;
	double t0;

	if (argc < 4) {
		fprintf(stderr, "usage: bench_city_plain TEMPLATE_DB OUT_DB DISTRICT_DB...\n");
		return 2;
	}
	rm_db(argv[2]);
	if (sqlite3_open_v2(argv[1], &tmpl, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		die(tmpl, argv[1]);
	if (sqlite3_open_v2(argv[2], &out, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
	    sqlite3_exec(out, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA cache_size = -32768", 0, 0, 0) != SQLITE_OK)
		die(out, argv[2]);
	schema(tmpl, out);
	sqlite3_close(tmpl);
	for (int i = 3; i < argc; i++)
		load(argv[i]);

	t0 = now_s();
	if (sqlite3_exec(out, "BEGIN IMMEDIATE", 0, 0, 0) != SQLITE_OK)
		die(out, "begin");
	for (int k = 0; k < ntables; k++) {
		struct table *t = &tables[k];
		if (sqlite3_prepare_v2(out, t->insert, -1, &st, NULL) != SQLITE_OK)
			die(out, t->insert);
		for (size_t r = 0; r < t->nrows; r++) {
			sqlite3_reset(st);
			for (int c = 0; c < t->ncols; c++)
				sqlite3_bind_value(st, c + 1, t->vals[r * (size_t)t->ncols + (size_t)c]);
			if (sqlite3_step(st) != SQLITE_DONE)
				die(out, "insert");
		}
		sqlite3_finalize(st);
		rows += t->nrows;
	}
	if (sqlite3_exec(out, "COMMIT", 0, 0, 0) != SQLITE_OK)
		die(out, "commit");
	t0 = now_s() - t0;
	sqlite3_close(out);
	getrusage(RUSAGE_SELF, &ru);
	for (int k = 0; k < ntables; k++) {
		printf("table %s %zu\n", tables[k].name, tables[k].nrows);
		for (size_t i = 0; i < tables[k].nrows * (size_t)tables[k].ncols; i++)
			sqlite3_value_free(tables[k].vals[i]);
		free(tables[k].vals);
		free(tables[k].insert);
		free(tables[k].select);
	}
	printf("rows %zu\nplain_s %.3f\nmaxrss_kb %ld\n", rows, t0, ru.ru_maxrss);
	return 0;
}

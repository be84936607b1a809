/*
 * bench_history.c: a long history for the restore benchmark, made quickly: a district database
 * (already made and imported) gets COUNT small change-sets, each a clerk's few phone-number
 * edits sealed at once, as an office that syncs after every few edits does.  Writes are not
 * fsync'ed (this is a benchmark's own scratch history); everything else is sinkron's seal.
 * Usage: bench_history DB COUNT [EDITS] [SEED]
 */
#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchhelp.h"
#include "sync.h"
#include "db.h"

static uint64_t rng = 88172645463325252ULL;
static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static void die(const char *what)
{
	fprintf(stderr, "bench_history: %s: %s\n", what, sk_error_last());
	exit(1);
}

int main(int argc, char **argv)
{
	struct sk_db *db;
	struct sk_seal_result res;
	sqlite3_stmt *upd, *cnt;
	long count = argc > 2 ? atol(argv[2]) : 0, edits = argc > 3 ? atol(argv[3]) : 3;
	int64_t total;
	double t0 = now_s();

	if (argc < 3 || count <= 0 || edits <= 0) {
		fprintf(stderr, "usage: bench_history DB COUNT [EDITS] [SEED]\n");
		return 2;
	}
	if (argc > 4)
		rng ^= strtoull(argv[4], NULL, 10) * 0x9e3779b97f4a7c15ULL;
	if (sk_db_open(&db, argv[1]) < 0)
		die("cannot open the database");
	sk_db_set_operator(db, "clerk");
	if (sk_seal(db, 0, &res, NULL, NULL) < 0)
		die("cannot seal");
	/* the first seal set libgit2 up; a scratch history needs no fsync */
	git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 0);
	sqlite3_exec(db->h, "PRAGMA synchronous = OFF", NULL, NULL, NULL);
	if (sk_db_prepare(db, &cnt, "SELECT count(*) FROM workers") < 0 || sqlite3_step(cnt) != SQLITE_ROW)
		die("cannot count the workers");
	total = sqlite3_column_int64(cnt, 0);
	sqlite3_finalize(cnt);
	if (total <= 0) {
		fprintf(stderr, "bench_history: the database holds no worker\n");
		return 1;
	}
	if (sk_db_prepare(db, &upd, "UPDATE workers SET phone = ? WHERE rowid = ?") < 0)
		die("cannot prepare the edit");
	for (long i = 0; i < count; i++) {
		if (sk_db_begin(db) < 0)
			die("cannot begin");
		for (long e = 0; e < edits; e++) {
			char phone[24];
			snprintf(phone, sizeof(phone), "0812%08u", rnd() % 100000000u);
			sqlite3_bind_text(upd, 1, phone, -1, SQLITE_TRANSIENT);
			sqlite3_bind_int64(upd, 2, 1 + (int64_t)(rnd() % (uint32_t)total));
			if (sqlite3_step(upd) != SQLITE_DONE)
				die("cannot edit");
			sqlite3_reset(upd);
		}
		if (sk_db_commit(db) < 0)
			die("cannot commit");
		if (sk_seal(db, 0, &res, NULL, NULL) < 0)
			die("cannot seal");
		if (isatty(2) && (i + 1) % 500 == 0)
			fprintf(stderr, "\r%ld/%ld change-sets", i + 1, count);
	}
	if (isatty(2))
		fprintf(stderr, "\n");
	sqlite3_finalize(upd);
	sk_db_free(db);
	printf("%ld change-sets of %ld edit(s) in %.1f s\n", count, edits, now_s() - t0);
	return 0;
}

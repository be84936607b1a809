/*
 * bench_size.c: the size of a change-set for 100 single-column updates (phone numbers) made by
 * one clerk in one transaction on an imported district database, sealed by sinkron, beside
 * SQLite's own session changeset of the same updates compressed with zlib.
 * Usage: bench_size DB [N] [SEED]  (DB is changed: pass a copy with nothing pending)
 */
/* the session extension is compiled into Debian's libsqlite3; its declarations need these */
#define SQLITE_ENABLE_SESSION 1
#define SQLITE_ENABLE_PREUPDATE_HOOK 1
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

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

static size_t zsize(const void *p, size_t n)
{
	uLongf out = compressBound((uLong)n);
	unsigned char *buf = malloc(out);
	if (compress2(buf, &out, p, (uLong)n, 9) != Z_OK)
		out = 0;
	free(buf);
	return (size_t)out;
}

int main(int argc, char **argv)
{
	struct sk_db *db;
	struct sk_seal_result res;
	sqlite3_session *sess = NULL;
	sqlite3_stmt *pick, *upd;
	void *cset = NULL;
	int ncset = 0, n = argc > 2 ? atoi(argv[2]) : 100, done = 0;

	if (argc < 2 || n <= 0) {
		fprintf(stderr, "usage: bench_size DB [N] [SEED]\n");
		return 2;
	}
	if (argc > 3)
		rng ^= strtoull(argv[3], NULL, 10) * 0x9e3779b97f4a7c15ULL;
	if (sk_db_open(&db, argv[1]) < 0) {
		fprintf(stderr, "bench_size: %s\n", sk_error_last());
		return 1;
	}
	sk_db_set_operator(db, "clerk");
	/* anything pending would travel in the same change-set */
	if (sk_seal(db, 0, &res, NULL, NULL) < 0) {
		fprintf(stderr, "bench_size: %s\n", sk_error_last());
		return 1;
	}
	if (sqlite3session_create(db->h, "main", &sess) != SQLITE_OK || sqlite3session_attach(sess, "workers") != SQLITE_OK) {
		fprintf(stderr, "bench_size: cannot start a session: %s\n", sqlite3_errmsg(db->h));
		return 1;
	}
	if (sk_db_begin(db) < 0 ||
	    sk_db_prepare(db, &pick, "SELECT id FROM workers ORDER BY id LIMIT 1 OFFSET ?") < 0 ||
	    sk_db_prepare(db, &upd, "UPDATE workers SET phone = ? WHERE id = ? AND phone IS NOT ?") < 0) {
		fprintf(stderr, "bench_size: %s\n", sk_error_last());
		return 1;
	}
	{
		int total;
		sqlite3_stmt *cnt;
		sk_db_prepare(db, &cnt, "SELECT count(*) FROM workers");
		sqlite3_step(cnt);
		total = sqlite3_column_int(cnt, 0);
		sqlite3_finalize(cnt);
		if (total < n) {
			fprintf(stderr, "bench_size: only %d workers\n", total);
			return 1;
		}
		for (int tries = 0; done < n && tries < 100 * n; tries++) {
			char phone[32], id[128];
			sqlite3_reset(pick);
			sqlite3_bind_int(pick, 1, (int)(rnd() % (uint32_t)total));
			if (sqlite3_step(pick) != SQLITE_ROW)
				continue;
			snprintf(id, sizeof(id), "%s", (const char *)sqlite3_column_text(pick, 0));
			snprintf(phone, sizeof(phone), "08%02u%04u%04u", 11 + rnd() % 80, rnd() % 10000, rnd() % 10000);
			sqlite3_reset(upd);
			sqlite3_bind_text(upd, 1, phone, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(upd, 2, id, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(upd, 3, phone, -1, SQLITE_TRANSIENT);
			if (sqlite3_step(upd) != SQLITE_DONE) {
				fprintf(stderr, "bench_size: update: %s\n", sqlite3_errmsg(db->h));
				return 1;
			}
			done += sqlite3_changes(db->h);
		}
	}
	sqlite3_finalize(pick);
	sqlite3_finalize(upd);
	if (sqlite3session_changeset(sess, &ncset, &cset) != SQLITE_OK) {
		fprintf(stderr, "bench_size: no changeset: %s\n", sqlite3_errmsg(db->h));
		return 1;
	}
	if (sk_db_commit(db) < 0 || sk_seal(db, 0, &res, NULL, NULL) < 0) {
		fprintf(stderr, "bench_size: %s\n", sk_error_last());
		return 1;
	}
	printf("updates %d\nsinkron_changesets %zu\nsinkron_rows %zu\nsinkron_bytes %zu\n"
	       "session_bytes %d\nsession_zlib_bytes %zu\n",
	       done, res.changesets, res.rows, res.bytes, ncset, zsize(cset, (size_t)ncset));
	sqlite3_free(cset);
	sqlite3session_delete(sess);
	sk_db_free(db);
	return 0;
}

/*
 * mark.c: how far a worker's record has travelled, for the mark a clerk sees beside it: not yet
 * sent (a change still in the outbox, or sealed but not pushed), sent (in the central
 * repository), or received by the city (covered by the city's receipt).  Read from the cells'
 * clocks: the record's last change made here is in the first change-set of this office whose
 * highest clock reaches it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"
#include "row.h"

void sk_db_share(struct sk_db *db, int busy_ms, int cache_kib)
{
	char sql[64];
	sqlite3_busy_timeout(db->h, busy_ms);
	snprintf(sql, sizeof(sql), "PRAGMA cache_size = -%d", cache_kib);
	sqlite3_exec(db->h, sql, NULL, NULL, NULL);
}

/* The highest clock of a cell written by this office in the rows of table `tname` selected by
 * `where` (bound to id); 0 when none. */
static int own_clock(struct sk_db *db, const char *tname, const char *where, const char *id, uint64_t *max)
{
	const struct sk_table *t = sk_db_table(db, tname);
	sqlite3_stmt *st;
	char *sql;
	int rc;
	if (!t)
		return 0;
	sql = sk_printf("SELECT _sk FROM %s WHERE %s", tname, where);
	rc = sk_db_prepare(db, &st, sql);
	free(sql);
	if (rc < 0)
		return rc;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct sk_meta m;
		if (sk_meta_decode(&m, t->ncols, sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0)) < 0)
			continue;
		for (int i = 0; i < m.ncols; i++)
			if (m.cell[i].origin == db->origin && m.cell[i].hlc > *max)
				*max = m.cell[i].hlc;
	}
	sqlite3_finalize(st);
	return 0;
}

int sk_worker_mark(struct sk_db *db, const char *id, int *out)
{
	sqlite3_stmt *st;
	uint64_t max = 0;
	int64_t number = 0;
	int rc, pending;
	struct sk_receipt rec;

	*out = SK_MARK_UNSENT;
	if ((rc = sk_db_prepare(db, &st, "SELECT EXISTS (SELECT 1 FROM sk_outbox WHERE pk = ?1 OR pk IN "
					 "(SELECT id FROM heirs WHERE worker_id = ?1) OR pk IN "
					 "(SELECT id FROM enrolments WHERE worker_id = ?1))")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	pending = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (pending)
		return 0;
	if ((rc = own_clock(db, "workers", "id = ?1", id, &max)) < 0 ||
	    (rc = own_clock(db, "heirs", "worker_id = ?1", id, &max)) < 0 ||
	    (rc = own_clock(db, "enrolments", "worker_id = ?1", id, &max)) < 0)
		return rc;
	if (!max) {
		/* nothing of it was written here: it came from the city */
		*out = SK_MARK_RECEIVED;
		return 0;
	}
	if ((rc = sk_db_prepare(db, &st, "SELECT min(number) FROM sk_changesets WHERE local = 1 AND origin = ? AND hlc_max >= ?")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, db->code, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	if (sqlite3_step(st) == SQLITE_ROW)
		number = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (!number || number > sk_state_int(db, "pushed", 0))
		return 0;
	*out = SK_MARK_SENT;
	if (sk_receipt_get(db, &rec) == 0 && rec.have && rec.last_number >= number)
		*out = SK_MARK_RECEIVED;
	return 0;
}

int sk_worker_check(struct sk_db *db, struct sk_issues *is, const struct sk_worker_input *in)
{
	struct sk_ctx_store cs;
	struct sk_worker w;
	int rc;
	memset(is, 0, sizeof(*is));
	memset(&w, 0, sizeof(w));
	if ((rc = sk_ctx_load(db, &cs)) < 0)
		return rc;
	rc = sk_worker_from_input(&w, is, in, &cs.ctx);
	sk_worker_release(&w);
	sk_ctx_release(&cs);
	return rc;
}

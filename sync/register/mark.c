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
#include "repo.h"
#include "row.h"

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
	sk_receipt_release(&rec);
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

/* ---- a worker's history, from the change-sets ---- */

struct history_walk {
	struct sk_db *db;
	char **ids;
	size_t nids;
	int (*fn)(void *payload, const struct sk_history_entry *e);
	void *payload;
	int stopped;
};

static int wanted(const struct history_walk *w, const char *pk)
{
	for (size_t i = 0; i < w->nids; i++)
		if (!strcmp(w->ids[i], pk))
			return 1;
	return 0;
}

static int history_entry(void *payload, const struct sk_repo_entry *e)
{
	struct history_walk *w = payload;
	struct sk_changeset *cs = NULL;
	int rc = 0;
	if (sk_changeset_decode(&cs, e->data, e->len, NULL) < 0)
		return 0; /* a change-set this office cannot read says nothing of the record */
	for (size_t t = 0; t < cs->ntables && !rc; t++) {
		const struct sk_cs_table *tb = &cs->tables[t];
		for (size_t r = 0; r < tb->nrows && !rc; r++) {
			const struct sk_cs_row *row = &tb->rows[r];
			struct sk_buf fields = SK_BUF_INIT;
			struct sk_history_entry h;
			if (!wanted(w, row->pk))
				continue;
			for (int c = 0; c < tb->ncols; c++)
				if (row->mask & (1ull << c) && strcmp(tb->cols[c], "owner"))
					sk_buf_printf(&fields, "%s%s", fields.len ? ", " : "", tb->cols[c]);
			memset(&h, 0, sizeof(h));
			h.pk = row->pk;
			h.at = row->at;
			h.operator_name = row->operator_name;
			h.origin = cs->origin;
			h.table = tb->name;
			h.deleted = row->op == SK_OP_DELETE;
			h.fields = fields.ptr ? (const char *)fields.ptr : "";
			h.number = cs->number;
			rc = w->fn(w->payload, &h);
			sk_buf_release(&fields);
		}
	}
	sk_changeset_free(cs);
	return rc;
}

int sk_worker_history(struct sk_db *db, const char *id, int (*fn)(void *payload, const struct sk_history_entry *e),
		      void *payload)
{
	struct history_walk w = {db, NULL, 0, fn, payload, 0};
	struct sk_repo *repo = NULL;
	sqlite3_stmt *st;
	char *path, *own, tip[41];
	int rc;

	if ((rc = sk_db_prepare(db, &st, "SELECT ?1 UNION ALL SELECT id FROM heirs WHERE worker_id = ?1 "
					 "UNION ALL SELECT id FROM enrolments WHERE worker_id = ?1")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		w.ids = sk_realloc(w.ids, (w.nids + 1) * sizeof(*w.ids));
		w.ids[w.nids++] = sk_strdup((const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
	path = sk_repo_path_for_db(db->path);
	rc = sk_repo_open(&repo, path, 0);
	free(path);
	if (rc == 0) {
		/* at the city, first the owning district's change-sets as fetched */
		if (db->is_city && sk_db_prepare(db, &st, "SELECT owner FROM workers WHERE id = ?") == 0) {
			char *ref = NULL;
			sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
			if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
				ref = sk_printf(SK_REF_REMOTE_DISTRICT "%s", (const char *)sqlite3_column_text(st, 0));
			sqlite3_finalize(st);
			if (ref && sk_repo_ref(repo, ref, tip) == 0)
				rc = sk_repo_walk(repo, ref, history_entry, &w);
			free(ref);
		}
		/* this office's own change-sets, then what the city sent it */
		own = sk_repo_branch_of(db->is_city, db->code);
		if (rc == 0 && sk_repo_ref(repo, own, tip) == 0)
			rc = sk_repo_walk(repo, own, history_entry, &w);
		if (rc == 0 && !db->is_city && sk_repo_ref(repo, SK_REF_REMOTE_CENTRAL, tip) == 0)
			rc = sk_repo_walk(repo, SK_REF_REMOTE_CENTRAL, history_entry, &w);
		free(own);
		sk_repo_free(repo);
	} else {
		rc = 0; /* no repository yet: nothing was sealed */
	}
	for (size_t i = 0; i < w.nids; i++)
		free(w.ids[i]);
	free(w.ids);
	return rc < 0 ? rc : 0;
}

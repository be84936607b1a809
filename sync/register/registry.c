/*
 * registry.c: what a district clerk does to the register's workers: register, correct
 * and end them, and count them (reading them: worker.c; heirs, enrolments and the bill:
 * enrolment.c).  Every write goes
 * through the capture triggers like any other, so it is synced; the checks here are the ones
 * that need the database (a NIK already active, a kelurahan of this district).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "db.h"
#include "pricing.h"
#include "registry.h"
#include "row.h"

static int active_nik(struct sk_db *db, const char *nik, const char *except_id, char **out_id, char **out_name)
{
	sqlite3_stmt *st;
	int found;
	if (sk_db_prepare(db, &st, "SELECT id, name FROM workers WHERE nik = ? AND status = 'active' AND id IS NOT ? LIMIT 1") < 0)
		return -1;
	sqlite3_bind_text(st, 1, nik, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, except_id, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	if (found) {
		if (out_id)
			*out_id = sk_col_dup(st, 0);
		if (out_name)
			*out_name = sk_col_dup(st, 1);
	}
	sqlite3_finalize(st);
	return found;
}

int sk_worker_insert(struct sk_db *db, const struct sk_worker *w, char **id_out)
{
	sqlite3_stmt *st;
	char *id = sk_new_id(db);
	int rc;
	/* kept on the connection: an import inserts thousands, and preparing this statement
	 * compiles the capture and guard triggers each time */
	if ((rc = sk_stmt_get(db, &st, "INSERT INTO workers (id, owner, nik, kk, name, birth_place, birth_date, sex, address, "
					 "kelurahan, phone, occupation, workplace, income, status) "
					 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active')")) < 0) {
		free(id);
		return rc;
	}
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, db->code, -1, SQLITE_STATIC);
	sk_bind_opt(st, 3, w->nik);
	sk_bind_opt(st, 4, w->kk);
	sk_bind_opt(st, 5, w->name);
	sk_bind_opt(st, 6, w->birth_place);
	sk_bind_opt(st, 7, w->birth_date);
	sk_bind_opt(st, 8, w->sex);
	sk_bind_opt(st, 9, w->address);
	sk_bind_opt(st, 10, w->kelurahan);
	sk_bind_opt(st, 11, w->phone);
	sk_bind_opt(st, 12, w->occupation);
	sk_bind_opt(st, 13, w->workplace);
	if (w->income)
		sqlite3_bind_int64(st, 14, w->income);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : sk_db_fail(db, "cannot register the worker");
	sk_stmt_put(st);
	if (rc == 0 && id_out)
		*id_out = id;
	else
		free(id);
	return rc;
}

static int same(const char *a, const char *b)
{
	if (!a || !*a)
		return !b || !*b;
	return b && !strcmp(a, b);
}

/* Writes into the stored worker `old` the entry fields of `w` that differ; *changed counts them. */
int sk_worker_update(struct sk_db *db, const struct sk_worker *old, const struct sk_worker *w, int *changed)
{
	static const char *names[] = {"nik", "kk", "name", "birth_place", "birth_date", "sex", "address",
				      "kelurahan", "phone", "occupation", "workplace"};
	const char *oldv[] = {old->nik, old->kk, old->name, old->birth_place, old->birth_date, old->sex,
			      old->address, old->kelurahan, old->phone, old->occupation, old->workplace};
	const char *newv[] = {w->nik, w->kk, w->name, w->birth_place, w->birth_date, w->sex,
			      w->address, w->kelurahan, w->phone, w->occupation, w->workplace};
	struct sk_buf q = SK_BUF_INIT;
	sqlite3_stmt *st;
	int n = 0, rc, k = 1;

	*changed = 0;
	sk_buf_puts(&q, "UPDATE workers SET ");
	for (size_t i = 0; i < SK_ARRAY_SIZE(names); i++)
		if (!same(oldv[i], newv[i]))
			sk_buf_printf(&q, "%s%s = ?", n++ ? ", " : "", names[i]);
	if (old->income != w->income)
		sk_buf_printf(&q, "%sincome = ?", n++ ? ", " : "");
	if (!n) {
		sk_buf_release(&q);
		return 0;
	}
	sk_buf_puts(&q, " WHERE id = ?");
	rc = sk_db_prepare(db, &st, (const char *)q.ptr);
	sk_buf_release(&q);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < SK_ARRAY_SIZE(names); i++)
		if (!same(oldv[i], newv[i]))
			sk_bind_opt(st, k++, newv[i]);
	if (old->income != w->income) {
		if (w->income)
			sqlite3_bind_int64(st, k++, w->income);
		else
			sqlite3_bind_null(st, k++);
	}
	sqlite3_bind_text(st, k, old->id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : sk_db_fail(db, "cannot change the worker");
	sqlite3_finalize(st);
	if (rc == 0)
		*changed = n;
	return rc;
}

int sk_worker_add(struct sk_db *db, char **id_out, struct sk_issues *is, const struct sk_worker_input *in)
{
	struct sk_ctx_store cs;
	struct sk_worker w = {0};
	char *other = NULL, *oname = NULL;
	int rc;

	memset(is, 0, sizeof(*is));
	if ((rc = sk_refuse_at_city(db)) < 0)
		return rc;
	if ((rc = sk_ctx_load(db, &cs)) < 0)
		return rc;
	if ((rc = sk_worker_from_input(&w, is, in, &cs.ctx)) < 0)
		goto done;
	if ((rc = sk_db_begin(db)) < 0)
		goto done;
	if (active_nik(db, w.nik, NULL, &other, &oname) > 0) {
		sk_db_rollback(db);
		rc = sk_error_do(SK_ECONFLICT, SK_DO_EDIT_WORKER, other, "NIK %s is already registered in %s as %s (id %s): correct that record",
			      w.nik, db->name, oname ? oname : "?", other);
		goto done;
	}
	if ((rc = sk_worker_insert(db, &w, id_out)) < 0) {
		sk_db_rollback(db);
		goto done;
	}
	rc = sk_db_commit(db);
done:
	free(other);
	free(oname);
	sk_worker_release(&w);
	sk_ctx_release(&cs);
	return rc;
}

static const char *or_old(const char *n, const char *o)
{
	return n ? n : o;
}

/* A new declared income moves the open enrolments priced on the declared bracket to it from
 * the first of this month (the history is kept); a scheme with a bracket of its own keeps it,
 * and the clerk is told either way. */
static int follow_income(struct sk_db *db, const struct sk_worker *old, const struct sk_worker *w, struct sk_issues *is)
{
	struct sk_pricing *pr = NULL;
	struct sk_worker cur = *w;
	char from[SK_DATE_SIZE], rp[32];
	size_t n = 0;
	int rc;

	cur.id = old->id;
	sk_date_month_start(from, sk_date_today(), 0);
	if ((rc = sk_pricing_load(&pr, db)) < 0)
		return rc;
	rc = sk_enrolments_change_open(db, pr, &cur, NULL, from, NULL, w->income, NULL, &n);
	sk_pricing_free(pr);
	if (rc < 0)
		return rc;
	sk_rupiah_format(rp, sizeof(rp), w->income);
	if (n)
		sk_issues_add(is, 0, SK_F_INCOME, "%zu enrolment(s) are billed at the new bracket %s from %s", n, rp, from);
	else
		sk_issues_add(is, 0, SK_F_INCOME, "the enrolments keep their bracket: their funder's scheme pays at a bracket of its own");
	return 0;
}

int sk_worker_edit(struct sk_db *db, const char *key, struct sk_issues *is, const struct sk_worker_input *in, int *changed)
{
	struct sk_ctx_store cs;
	struct sk_worker old = {0}, w = {0};
	struct sk_worker_input merged;
	char income[32], *other = NULL;
	int rc;

	memset(is, 0, sizeof(*is));
	*changed = 0;
	if ((rc = sk_refuse_at_city(db)) < 0)
		return rc;
	if ((rc = sk_worker_get(db, &old, key)) < 0)
		return rc;
	if (old.owner && strcmp(old.owner, db->code)) {
		rc = sk_error(SK_ECONFLICT, "worker %s belongs to %s: only that district can change it", old.id, old.owner);
		goto done;
	}
	snprintf(income, sizeof(income), "%lld", (long long)old.income);
	memset(&merged, 0, sizeof(merged));
	merged.nik = or_old(in->nik, old.nik);
	merged.kk = or_old(in->kk, old.kk);
	merged.name = or_old(in->name, old.name);
	merged.birth_place = or_old(in->birth_place, old.birth_place);
	merged.birth_date = or_old(in->birth_date, old.birth_date);
	merged.sex = or_old(in->sex, old.sex);
	merged.address = or_old(in->address, old.address);
	merged.kelurahan = or_old(in->kelurahan, old.kelurahan);
	merged.phone = or_old(in->phone, old.phone);
	merged.occupation = or_old(in->occupation, old.occupation);
	merged.workplace = or_old(in->workplace, old.workplace);
	merged.income = or_old(in->income, income);
	if ((rc = sk_ctx_load(db, &cs)) < 0)
		goto done;
	rc = sk_worker_from_input(&w, is, &merged, &cs.ctx);
	sk_ctx_release(&cs);
	if (rc < 0)
		goto done;
	if ((rc = sk_db_begin(db)) < 0)
		goto done;
	if (old.status && !strcmp(old.status, "active") && active_nik(db, w.nik, old.id, &other, NULL) > 0) {
		sk_db_rollback(db);
		rc = sk_error(SK_ECONFLICT, "NIK %s is already registered in %s (id %s)", w.nik, db->name, other);
		goto done;
	}
	if ((rc = sk_worker_update(db, &old, &w, changed)) < 0) {
		sk_db_rollback(db);
		goto done;
	}
	if (in->income && w.income != old.income && (rc = follow_income(db, &old, &w, is)) < 0) {
		sk_db_rollback(db);
		goto done;
	}
	rc = sk_db_commit(db);
done:
	free(other);
	sk_worker_release(&old);
	sk_worker_release(&w);
	return rc;
}

int sk_worker_end(struct sk_db *db, const char *key, const char *date, const char *reason_text)
{
	struct sk_worker w;
	sqlite3_stmt *st = NULL;
	char day[SK_DATE_SIZE], reason[64];
	int rc;

	if ((rc = sk_refuse_at_city(db)) < 0)
		return rc;
	if ((rc = sk_end_reason(reason, sizeof(reason), reason_text)) < 0 || (rc = sk_end_date(day, date)) < 0)
		return rc;
	if ((rc = sk_worker_get(db, &w, key)) < 0)
		return rc;
	if (w.owner && strcmp(w.owner, db->code)) {
		rc = sk_error(SK_ECONFLICT, "worker %s belongs to %s: only that district can end it", w.id, w.owner);
		goto done;
	}
	if (w.status && !strcmp(w.status, "ended")) {
		rc = sk_error(SK_ECONFLICT, "worker %s (%s) already ended on %s", w.id, w.name, w.ended_on ? w.ended_on : "?");
		goto done;
	}
	if ((rc = sk_db_begin(db)) < 0)
		goto done;
	if ((rc = sk_db_prepare(db, &st, "UPDATE workers SET status = 'ended', ended_on = ?1, end_reason = ?2 WHERE id = ?3")) < 0)
		goto fail;
	sqlite3_bind_text(st, 1, day, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, w.id, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = sk_db_fail(db, "cannot end the worker");
		goto fail;
	}
	sqlite3_finalize(st);
	if ((rc = sk_db_prepare(db, &st, "UPDATE enrolments SET end_on = ?1, end_reason = ?3 "
					 "WHERE worker_id = ?2 AND end_on IS NULL")) < 0)
		goto fail;
	sqlite3_bind_text(st, 1, day, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, w.id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, reason, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = sk_db_fail(db, "cannot end the enrolments");
		goto fail;
	}
	sqlite3_finalize(st);
	st = NULL;
	rc = sk_db_commit(db);
	goto done;
fail:
	sqlite3_finalize(st);
	sk_db_rollback(db);
done:
	sk_worker_release(&w);
	return rc;
}

/* ---- counts ---- */

int sk_counts(struct sk_db *db, struct sk_counts *out)
{
	sqlite3_stmt *st;
	int rc;
	memset(out, 0, sizeof(*out));
	if ((rc = sk_db_prepare(db, &st, "SELECT (SELECT count(*) FROM workers WHERE status = 'active'), "
					 "(SELECT count(*) FROM workers WHERE status IS NOT 'active'), (SELECT count(*) FROM heirs), "
					 "(SELECT count(*) FROM enrolments WHERE end_on IS NULL)")) < 0)
		return rc;
	if (sqlite3_step(st) == SQLITE_ROW) {
		out->active = sqlite3_column_int64(st, 0);
		out->ended = sqlite3_column_int64(st, 1);
		out->heirs = sqlite3_column_int64(st, 2);
		out->enrolments = sqlite3_column_int64(st, 3);
	}
	sqlite3_finalize(st);
	return 0;
}

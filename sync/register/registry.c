/*
 * registry.c: what a district clerk does to the register's workers: register, read, correct
 * and end them, and count them (heirs, enrolments and the bill: enrolment.c).  Every write goes
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

void sk_worker_release(struct sk_worker *w)
{
	if (!w)
		return;
	free(w->id);
	free(w->owner);
	free(w->nik);
	free(w->kk);
	free(w->name);
	free(w->birth_place);
	free(w->birth_date);
	free(w->sex);
	free(w->address);
	free(w->kelurahan);
	free(w->phone);
	free(w->occupation);
	free(w->workplace);
	free(w->status);
	free(w->ended_on);
	free(w->end_reason);
	free(w->kpj);
	free(w->verified);
	memset(w, 0, sizeof(*w));
}

int sk_issues_errors(const struct sk_issues *is)
{
	int n = 0;
	for (int i = 0; i < is->n; i++)
		n += is->v[i].error;
	return n;
}

/* ---- the district's kelurahan, for validation ---- */

int sk_ctx_load(struct sk_db *db, struct sk_ctx_store *s)
{
	sqlite3_stmt *st;
	char *like = sk_printf("%s.%%", db->code);
	size_t cap = 0;
	int rc;

	memset(s, 0, sizeof(*s));
	if ((rc = sk_db_prepare(db, &st, "SELECT code, name FROM regions WHERE level = 'kelurahan' AND code LIKE ? ORDER BY code")) < 0) {
		free(like);
		return rc;
	}
	sqlite3_bind_text(st, 1, like, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (s->n == cap) {
			cap = cap ? 2 * cap : 64;
			s->kel = sk_realloc(s->kel, cap * sizeof(*s->kel));
		}
		s->kel[s->n].code = sk_strdup((const char *)sqlite3_column_text(st, 0));
		s->kel[s->n].name = sk_strdup((const char *)sqlite3_column_text(st, 1));
		s->n++;
	}
	rc = rc == SQLITE_DONE ? 0 : sk_db_fail(db, "cannot read the kelurahan");
	sqlite3_finalize(st);
	free(like);
	if (rc < 0) {
		sk_ctx_release(s);
		return rc;
	}
	s->ctx.kel = s->kel;
	s->ctx.nkel = s->n;
	s->ctx.distrik = db->name;
	s->ctx.today = sk_date_today();
	return 0;
}

void sk_ctx_release(struct sk_ctx_store *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free((char *)s->kel[i].code);
		free((char *)s->kel[i].name);
	}
	free(s->kel);
	memset(s, 0, sizeof(*s));
}

/* ---- reading workers ---- */

#define WORKER_COLS "id, owner, nik, kk, name, birth_place, birth_date, sex, address, kelurahan, phone, " \
		    "occupation, workplace, income, status, ended_on, end_reason, kpj, verified"

static char *col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? sk_strdup((const char *)t) : NULL;
}

static void worker_from_row(struct sk_worker *w, sqlite3_stmt *st)
{
	memset(w, 0, sizeof(*w));
	w->id = col_dup(st, 0);
	w->owner = col_dup(st, 1);
	w->nik = col_dup(st, 2);
	w->kk = col_dup(st, 3);
	w->name = col_dup(st, 4);
	w->birth_place = col_dup(st, 5);
	w->birth_date = col_dup(st, 6);
	w->sex = col_dup(st, 7);
	w->address = col_dup(st, 8);
	w->kelurahan = col_dup(st, 9);
	w->phone = col_dup(st, 10);
	w->occupation = col_dup(st, 11);
	w->workplace = col_dup(st, 12);
	w->income = sqlite3_column_int64(st, 13);
	w->status = col_dup(st, 14);
	w->ended_on = col_dup(st, 15);
	w->end_reason = col_dup(st, 16);
	w->kpj = col_dup(st, 17);
	w->verified = col_dup(st, 18);
}

/* A worker by id or by NIK (the active one, else the latest). */
int sk_worker_get(struct sk_db *db, struct sk_worker *out, const char *key)
{
	sqlite3_stmt *st;
	int rc;
	memset(out, 0, sizeof(*out));
	if ((rc = sk_db_prepare(db, &st, "SELECT " WORKER_COLS " FROM workers WHERE id = ?1 OR nik = ?1 "
					 "ORDER BY id = ?1 DESC, status = 'active' DESC, rowid DESC LIMIT 1")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		worker_from_row(out, st);
		rc = 0;
	} else {
		rc = sk_error(SK_ENOTFOUND, "no worker with id or NIK '%s' in %s", key, db->name);
	}
	sqlite3_finalize(st);
	return rc;
}

int sk_worker_each(struct sk_db *db, const char *query, int all,
		   int (*fn)(void *payload, const struct sk_worker *w), void *payload)
{
	sqlite3_stmt *st;
	char *like = NULL;
	int rc;
	if (query) {
		/* the text as typed: % and _ are letters to look for, not wildcards */
		struct sk_buf b = SK_BUF_INIT;
		sk_buf_putc(&b, '%');
		for (const char *p = query; *p; p++) {
			if (*p == '%' || *p == '_' || *p == '\\')
				sk_buf_putc(&b, '\\');
			sk_buf_putc(&b, *p);
		}
		sk_buf_putc(&b, '%');
		like = (char *)b.ptr;
	}
	if ((rc = sk_db_prepare(db, &st, "SELECT " WORKER_COLS " FROM workers WHERE (?1 IS NULL OR name LIKE ?1 ESCAPE '\\' "
					 "OR nik LIKE ?1 ESCAPE '\\' OR phone LIKE ?1 ESCAPE '\\' OR kpj LIKE ?1 ESCAPE '\\' OR kelurahan IN "
					 "(SELECT code FROM regions WHERE name LIKE ?1 ESCAPE '\\')) AND (?2 OR status = 'active') "
					 "ORDER BY name COLLATE NOCASE, id")) < 0) {
		free(like);
		return rc;
	}
	sqlite3_bind_text(st, 1, like, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, all);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct sk_worker w;
		worker_from_row(&w, st);
		rc = fn(payload, &w);
		sk_worker_release(&w);
		if (rc)
			break;
	}
	sqlite3_finalize(st);
	free(like);
	return rc == SQLITE_DONE ? 0 : rc < 0 ? rc : 0;
}

/* ---- writing workers ---- */

int sk_refuse_at_city(struct sk_db *db)
{
	if (db->is_city)
		return sk_error(SK_EINVALID, "%s is the city's database: workers are registered at a district office", db->name);
	return 0;
}

/* The active worker of this district with nik, other than except_id; 1 found (id in out). */
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
			*out_id = col_dup(st, 0);
		if (out_name)
			*out_name = col_dup(st, 1);
	}
	sqlite3_finalize(st);
	return found;
}

void sk_bind_opt(sqlite3_stmt *st, int i, const char *s)
{
	if (s && *s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
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
		rc = sk_error(SK_ECONFLICT, "NIK %s is already registered in %s as %s (id %s): correct that record",
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

/*
 * worker.c: reading the register's workers, and what every write of the register shares: a
 * worker's record read or listed, the district's kelurahan as the checks need them, the
 * refusal of a clerk's write at the city, the issues' count of errors.  Below registry.c
 * (register, correct, end) and enrolment.c (heirs, enrolments), which both use it.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "db.h"
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

char *sk_col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? sk_strdup((const char *)t) : NULL;
}

static void worker_from_row(struct sk_worker *w, sqlite3_stmt *st)
{
	memset(w, 0, sizeof(*w));
	w->id = sk_col_dup(st, 0);
	w->owner = sk_col_dup(st, 1);
	w->nik = sk_col_dup(st, 2);
	w->kk = sk_col_dup(st, 3);
	w->name = sk_col_dup(st, 4);
	w->birth_place = sk_col_dup(st, 5);
	w->birth_date = sk_col_dup(st, 6);
	w->sex = sk_col_dup(st, 7);
	w->address = sk_col_dup(st, 8);
	w->kelurahan = sk_col_dup(st, 9);
	w->phone = sk_col_dup(st, 10);
	w->occupation = sk_col_dup(st, 11);
	w->workplace = sk_col_dup(st, 12);
	w->income = sqlite3_column_int64(st, 13);
	w->status = sk_col_dup(st, 14);
	w->ended_on = sk_col_dup(st, 15);
	w->end_reason = sk_col_dup(st, 16);
	w->kpj = sk_col_dup(st, 17);
	w->verified = sk_col_dup(st, 18);
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
void sk_bind_opt(sqlite3_stmt *st, int i, const char *s)
{
	if (s && *s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

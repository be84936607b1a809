/*
 * registry.c: what a district clerk does to the registry: register, correct and end workers,
 * add heirs and enrolments, and the monthly premium bill.  Every write goes through the
 * capture triggers like any other, so it is synced; the checks here are the ones that need
 * the database (a NIK already active, a kelurahan of this district).
 */
#include <stdlib.h>
#include <string.h>

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
	int rc;

	memset(s, 0, sizeof(*s));
	if ((rc = sk_db_prepare(db, &st, "SELECT code, name FROM regions WHERE level = 'kelurahan' AND code LIKE ? ORDER BY code")) < 0) {
		free(like);
		return rc;
	}
	sqlite3_bind_text(st, 1, like, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW && s->n < SK_ARRAY_SIZE(s->kel)) {
		s->kel[s->n].code = sk_strdup((const char *)sqlite3_column_text(st, 0));
		s->kel[s->n].name = sk_strdup((const char *)sqlite3_column_text(st, 1));
		s->n++;
	}
	sqlite3_finalize(st);
	free(like);
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
	char *like = query ? sk_printf("%%%s%%", query) : NULL;
	int rc;
	if ((rc = sk_db_prepare(db, &st, "SELECT " WORKER_COLS " FROM workers WHERE (?1 IS NULL OR name LIKE ?1 "
					 "OR nik LIKE ?1 OR phone LIKE ?1 OR kpj LIKE ?1 OR kelurahan IN "
					 "(SELECT code FROM regions WHERE name LIKE ?1)) AND (?2 OR status = 'active') "
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

static int refuse_at_city(struct sk_db *db)
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

static void bind_opt(sqlite3_stmt *st, int i, const char *s)
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
	bind_opt(st, 3, w->nik);
	bind_opt(st, 4, w->kk);
	bind_opt(st, 5, w->name);
	bind_opt(st, 6, w->birth_place);
	bind_opt(st, 7, w->birth_date);
	bind_opt(st, 8, w->sex);
	bind_opt(st, 9, w->address);
	bind_opt(st, 10, w->kelurahan);
	bind_opt(st, 11, w->phone);
	bind_opt(st, 12, w->occupation);
	bind_opt(st, 13, w->workplace);
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
			bind_opt(st, k++, newv[i]);
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
	if ((rc = refuse_at_city(db)) < 0)
		return rc;
	if ((rc = sk_ctx_load(db, &cs)) < 0)
		return rc;
	if ((rc = sk_worker_from_input(&w, is, in, &cs.ctx)) < 0)
		goto done;
	if ((rc = sk_db_begin(db)) < 0)
		goto done;
	if (active_nik(db, w.nik, NULL, &other, &oname) > 0) {
		sk_db_rollback(db);
		rc = sk_error(SK_ECONFLICT, "NIK %s is already registered in %s as %s (id %s): correct that record with 'sinkron worker edit %s'",
			      w.nik, db->name, oname ? oname : "?", other, other);
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

int sk_worker_edit(struct sk_db *db, const char *key, struct sk_issues *is, const struct sk_worker_input *in, int *changed)
{
	struct sk_ctx_store cs;
	struct sk_worker old = {0}, w = {0};
	struct sk_worker_input merged;
	char income[32], *other = NULL;
	int rc;

	memset(is, 0, sizeof(*is));
	*changed = 0;
	if ((rc = refuse_at_city(db)) < 0)
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
	rc = sk_db_commit(db);
done:
	free(other);
	sk_worker_release(&old);
	sk_worker_release(&w);
	return rc;
}

int sk_worker_end(struct sk_db *db, const char *key, const char *date, const char *reason)
{
	struct sk_worker w;
	sqlite3_stmt *st = NULL;
	char day[SK_DATE_SIZE], why[200];
	int rc, two;

	if ((rc = refuse_at_city(db)) < 0)
		return rc;
	if (!reason || !*reason)
		return sk_error(SK_EINVALID, "say why the enrolment ends with --reason (meninggal, pindah, mampu, ...)");
	if (date && *date) {
		if (sk_parse_date(day, &two, date, sk_date_today(), why, sizeof(why)) < 0)
			return sk_error(SK_EINVALID, "end date: %s", why);
	} else {
		int y, m, d;
		sk_civil_from_days(sk_date_today(), &y, &m, &d);
		snprintf(day, sizeof(day), "%04d-%02d-%02d", y, m, d);
	}
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
	if ((rc = sk_db_prepare(db, &st, "UPDATE enrolments SET end_on = ?1 WHERE worker_id = ?2 AND end_on IS NULL")) < 0)
		goto fail;
	sqlite3_bind_text(st, 1, day, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, w.id, -1, SQLITE_STATIC);
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

/* ---- heirs and enrolments ---- */

static const char *const relationships[] = {"suami", "istri", "anak", "ayah", "ibu", "orang tua", "saudara kandung",
					    "kakek", "nenek", "cucu", "mertua", "pihak lain", NULL};

int sk_heir_add(struct sk_db *db, char **id_out, struct sk_issues *is, const char *worker, const char *name,
		const char *nik, const char *relationship, const char *phone)
{
	struct sk_worker w;
	char *clean = NULL, nikv[SK_NIK_SIZE] = "", ph[SK_PHONE_SIZE] = "", *id = NULL;
	sqlite3_stmt *st = NULL;
	int rc, known = 0;

	memset(is, 0, sizeof(*is));
	if ((rc = refuse_at_city(db)) < 0)
		return rc;
	sk_check_name(is, "Nama Ahli Waris", &clean, name);
	if (nik && *nik)
		sk_check_nik(is, nikv, nik);
	sk_check_phone(is, ph, phone);
	for (int i = 0; relationship && relationships[i]; i++)
		known |= !strcasecmp(relationship, relationships[i]);
	if (!known)
		sk_issues_add(is, 1, "Hubungan", "relationship '%s' is not one of: suami, istri, anak, ayah, ibu, orang tua, "
			      "saudara kandung, kakek, nenek, cucu, mertua, pihak lain", relationship ? relationship : "");
	if (sk_issues_errors(is)) {
		free(clean);
		for (int i = 0; i < is->n; i++)
			if (is->v[i].error)
				return sk_error(SK_EINVALID, "%s: %s", is->v[i].field, is->v[i].reason);
	}
	if ((rc = sk_worker_get(db, &w, worker)) < 0) {
		free(clean);
		return rc;
	}
	if ((rc = sk_db_begin(db)) < 0)
		goto done;
	id = sk_new_id(db);
	if ((rc = sk_db_prepare(db, &st, "INSERT INTO heirs (id, owner, worker_id, name, nik, relationship, phone) VALUES (?, ?, ?, ?, ?, lower(?), ?)")) < 0)
		goto fail;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, db->code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, w.id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, clean, -1, SQLITE_STATIC);
	bind_opt(st, 5, nikv);
	sqlite3_bind_text(st, 6, relationship, -1, SQLITE_STATIC);
	bind_opt(st, 7, ph);
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = sk_db_fail(db, "cannot add the heir");
		goto fail;
	}
	sqlite3_finalize(st);
	st = NULL;
	if ((rc = sk_db_commit(db)) == 0 && id_out) {
		*id_out = id;
		id = NULL;
	}
	goto done;
fail:
	sqlite3_finalize(st);
	sk_db_rollback(db);
done:
	free(id);
	free(clean);
	sk_worker_release(&w);
	return rc;
}

/* "2024-03", "2024-03-01", "01/03/2024": the first day of that month or the day given */
static int parse_start(char out[SK_DATE_SIZE], const char *text)
{
	char why[200];
	int two;
	if (!text || !*text) {
		/* no --start: this month */
		int y, m, d;
		sk_civil_from_days(sk_date_today(), &y, &m, &d);
		snprintf(out, SK_DATE_SIZE, "%04d-%02d-01", y, m);
		return 0;
	}
	if (strlen(text) == 7 && text[4] == '-') {
		int y = atoi(text), m = atoi(text + 5);
		if (y < 2000 || y > 2100 || m < 1 || m > 12)
			return sk_error(SK_EINVALID, "start month '%s' is not a month like 2024-03", text);
		snprintf(out, SK_DATE_SIZE, "%04d-%02d-01", y, m);
		return 0;
	}
	/* a start date may lie in the future (next month's enrolment), so parse without that check */
	if (sk_parse_date(out, &two, text, sk_date_today() + 3660, why, sizeof(why)) < 0)
		return sk_error(SK_EINVALID, "start date: %s", why);
	return 0;
}

/* program is one programme or several joined by '+' (JKK+JKM): they are enrolled in one
 * transaction, all or none; *id_out gets their ids, one a line */
int sk_enrol(struct sk_db *db, char **id_out, const char *worker, const char *program, const char *funder,
	     const char *decree, const char *start, int64_t income)
{
	struct sk_worker w;
	struct sk_buf ids = SK_BUF_INIT;
	sqlite3_stmt *st = NULL;
	char day[SK_DATE_SIZE], progs[3][4], *id = NULL;
	const char *p = program;
	int rc, np = 0;

	if ((rc = refuse_at_city(db)) < 0)
		return rc;
	if (!p || !*p)
		return sk_error(SK_EINVALID, "program '' is not JKK, JKM or JHT");
	for (;;) {
		size_t len = strcspn(p, "+");
		char one[4];
		if (len != 3 || np == 3)
			return sk_error(SK_EINVALID, "program '%s' is not JKK, JKM, JHT or a sum of them like JKK+JKM", program);
		for (int i = 0; i < 3; i++)
			one[i] = (char)(p[i] & ~0x20);
		one[3] = '\0';
		if (strcmp(one, "JKK") && strcmp(one, "JKM") && strcmp(one, "JHT"))
			return sk_error(SK_EINVALID, "program '%.3s' is not JKK, JKM or JHT", p);
		for (int i = 0; i < np; i++)
			if (!strcmp(progs[i], one))
				return sk_error(SK_EINVALID, "program '%s' names %s twice", program, one);
		memcpy(progs[np++], one, 4);
		if (!p[len])
			break;
		p += len + 1;
	}
	if (!funder || !*funder)
		return sk_error(SK_EINVALID, "say who pays with --funder (APBD Kota, APBD Provinsi, CSR:<name>, Mandiri)");
	if (income < 0 || income >= 100000000)
		return sk_error(SK_EINVALID, "income bracket %lld is out of range", (long long)income);
	if ((rc = parse_start(day, start)) < 0)
		return rc;
	if ((rc = sk_worker_get(db, &w, worker)) < 0)
		return rc;
	if (!w.status || strcmp(w.status, "active")) {
		rc = sk_error(SK_ECONFLICT, "worker %s (%s) has ended: enrol an active worker", w.id, w.name);
		goto done;
	}
	if ((rc = sk_db_begin(db)) < 0)
		goto done;
	for (int k = 0; k < np; k++) {
		/* one active enrolment per programme per NIK in the district */
		if ((rc = sk_db_prepare(db, &st, "SELECT w.id, w.name FROM enrolments e JOIN workers w ON w.id = e.worker_id "
						 "WHERE w.nik = ? AND e.program = ? AND e.end_on IS NULL LIMIT 1")) < 0)
			goto fail;
		sqlite3_bind_text(st, 1, w.nik, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, progs[k], -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW) {
			rc = sk_error(SK_ECONFLICT, "NIK %s already has an active %s enrolment (worker %s): one per person%s",
				      w.nik, progs[k], (const char *)sqlite3_column_text(st, 0),
				      np > 1 ? "; nothing was enrolled" : "");
			goto fail;
		}
		sqlite3_finalize(st);
		id = sk_new_id(db);
		if ((rc = sk_db_prepare(db, &st, "INSERT INTO enrolments (id, owner, worker_id, program, funder, decree, start_on, income) "
						 "VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) < 0)
			goto fail;
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, db->code, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, w.id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, progs[k], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, funder, -1, SQLITE_STATIC);
		bind_opt(st, 6, decree);
		sqlite3_bind_text(st, 7, day, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 8, income ? income : (w.income ? w.income : 1000000));
		if (sqlite3_step(st) != SQLITE_DONE) {
			rc = sk_db_fail(db, "cannot enrol the worker");
			goto fail;
		}
		sqlite3_finalize(st);
		st = NULL;
		sk_buf_printf(&ids, "%s%s", k ? "\n" : "", id);
		free(id);
		id = NULL;
	}
	if ((rc = sk_db_commit(db)) == 0 && id_out)
		*id_out = sk_strdup((const char *)ids.ptr);
	goto done;
fail:
	sqlite3_finalize(st);
	sk_db_rollback(db);
done:
	free(id);
	sk_buf_release(&ids);
	sk_worker_release(&w);
	return rc;
}

int sk_enrolment_each(struct sk_db *db, const char *worker_id, int (*fn)(void *payload, const struct sk_enrolment *e), void *payload)
{
	sqlite3_stmt *st;
	int rc;
	if ((rc = sk_db_prepare(db, &st, "SELECT id, program, funder, decree, start_on, end_on, income FROM enrolments "
					 "WHERE worker_id = ? ORDER BY start_on, program")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, worker_id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct sk_enrolment e;
		e.id = (const char *)sqlite3_column_text(st, 0);
		e.program = (const char *)sqlite3_column_text(st, 1);
		e.funder = (const char *)sqlite3_column_text(st, 2);
		e.decree = (const char *)sqlite3_column_text(st, 3);
		e.start_on = (const char *)sqlite3_column_text(st, 4);
		e.end_on = (const char *)sqlite3_column_text(st, 5);
		e.income = sqlite3_column_int64(st, 6);
		if ((rc = fn(payload, &e)) != 0)
			break;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : rc;
}

int sk_heir_each(struct sk_db *db, const char *worker_id, int (*fn)(void *payload, const struct sk_heir *h), void *payload)
{
	sqlite3_stmt *st;
	int rc;
	if ((rc = sk_db_prepare(db, &st, "SELECT id, name, nik, relationship, phone FROM heirs WHERE worker_id = ? ORDER BY name")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, worker_id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct sk_heir h;
		h.id = (const char *)sqlite3_column_text(st, 0);
		h.name = (const char *)sqlite3_column_text(st, 1);
		h.nik = (const char *)sqlite3_column_text(st, 2);
		h.relationship = (const char *)sqlite3_column_text(st, 3);
		h.phone = (const char *)sqlite3_column_text(st, 4);
		if ((rc = fn(payload, &h)) != 0)
			break;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : rc;
}

/* ---- the bill ---- */

int sk_bill(struct sk_db *db, const char *month, int (*fn)(void *payload, const struct sk_bill_line *l), void *payload)
{
	sqlite3_stmt *st;
	char first[SK_DATE_SIZE], last[SK_DATE_SIZE];
	int y, m, rc, any = 0;
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (!month || strlen(month) != 7 || month[4] != '-' || (y = atoi(month)) < 2000 || y > 2100 ||
	    (m = atoi(month + 5)) < 1 || m > 12)
		return sk_error(SK_EINVALID, "month '%s' is not a month like 2024-03", month ? month : "");
	snprintf(first, sizeof(first), "%04d-%02d-01", y, m);
	snprintf(last, sizeof(last), "%04d-%02d-%02d", y, m,
		 mdays[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100) || y % 400 == 0)));
	/* an enrolment is billed for a month it covers on any day; the rate is the one in force
	 * on the first of that month */
	if ((rc = sk_db_prepare(db, &st,
		"SELECT e.funder, e.program, count(DISTINCT w.nik), "
		"sum(CASE r.basis WHEN 'percent' THEN (coalesce(e.income, w.income, 1000000) * r.value) / 10000 ELSE r.value END), "
		"count(*) - count(r.program) "
		"FROM enrolments e JOIN workers w ON w.id = e.worker_id "
		"LEFT JOIN rates r ON r.program = e.program AND r.valid_from <= ?1 AND (r.valid_to IS NULL OR r.valid_to >= ?1) "
		"WHERE e.start_on <= ?2 AND (e.end_on IS NULL OR e.end_on >= ?1) AND w.duplicate_of IS NULL "
		"GROUP BY e.funder, e.program ORDER BY e.funder, e.program")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, first, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, last, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct sk_bill_line l;
		snprintf(l.funder, sizeof(l.funder), "%s", sqlite3_column_text(st, 0) ? (const char *)sqlite3_column_text(st, 0) : "(none)");
		snprintf(l.program, sizeof(l.program), "%s", (const char *)sqlite3_column_text(st, 1));
		l.people = sqlite3_column_int64(st, 2);
		l.amount = sqlite3_column_int64(st, 3);
		l.unrated = sqlite3_column_int64(st, 4);
		any = 1;
		if ((rc = fn(payload, &l)) != 0)
			break;
	}
	sqlite3_finalize(st);
	(void)any;
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : sk_db_fail(db, "cannot compute the bill");
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

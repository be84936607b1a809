/*
 * enrolment.c: a worker's heirs and enrolments: enrol in JKK/JKM (checked against the
 * funder's scheme), change who pays an open enrolment, end enrolments with a reason from the
 * list, and the monthly premium bill.  Every write goes through the capture triggers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "db.h"
#include "pricing.h"
#include "registry.h"
#include "row.h"

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
	if ((rc = sk_refuse_at_city(db)) < 0)
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
	sk_bind_opt(st, 5, nikv);
	sqlite3_bind_text(st, 6, relationship, -1, SQLITE_STATIC);
	sk_bind_opt(st, 7, ph);
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
		sk_date_month_start(out, sk_date_today(), 0);
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

/* "JKK+JKM" into progs; SK_EINVALID unless JKK, JKM, JHT each at most once */
static int parse_programs(char progs[3][4], int *np, const char *program)
{
	const char *p = program;
	*np = 0;
	if (!p || !*p)
		return sk_error(SK_EINVALID, "program '' is not JKK, JKM or JHT");
	for (;;) {
		size_t len = strcspn(p, "+");
		char one[4];
		if (len != 3 || *np == 3)
			return sk_error(SK_EINVALID, "program '%s' is not JKK, JKM, JHT or a sum of them like JKK+JKM", program);
		for (int i = 0; i < 3; i++)
			one[i] = (char)(p[i] & ~0x20);
		one[3] = '\0';
		if (strcmp(one, "JKK") && strcmp(one, "JKM") && strcmp(one, "JHT"))
			return sk_error(SK_EINVALID, "program '%.3s' is not JKK, JKM or JHT", p);
		for (int i = 0; i < *np; i++)
			if (!strcmp(progs[i], one))
				return sk_error(SK_EINVALID, "program '%s' names %s twice", program, one);
		memcpy(progs[(*np)++], one, 4);
		if (!p[len])
			break;
		p += len + 1;
	}
	return 0;
}

static int scheme_pays(const struct sk_funder *s, const char *program)
{
	const char *q = s->programs;
	while (*q) {
		size_t len = strcspn(q, "+");
		if (len == 3 && !strncmp(q, program, 3))
			return 1;
		q += len;
		if (*q)
			q++;
	}
	return 0;
}

/* Whole years between birth ("YYYY-MM-DD") and day; -1 when the birth date is unknown. */
static int age_on(const char *birth, const char *day)
{
	int by, bm, bd, y, m, d;
	if (!birth || sscanf(birth, "%d-%d-%d", &by, &bm, &bd) != 3 || sscanf(day, "%d-%d-%d", &y, &m, &d) != 3)
		return -1;
	return sk_date_years(by, bm, bd, y, m, d);
}

/* The checks of a funder's scheme for worker w enrolled in progs from day: what it pays, the
 * ages it covers, how far back a start may go.  Warnings go to is (may be NULL). */
int sk_scheme_check(const struct sk_funder *sch, const struct sk_worker *w, const char progs[][4], int np,
		    const char *day, const char *decision, struct sk_issues *is)
{
	char earliest[SK_DATE_SIZE];
	int age;
	for (int k = 0; k < np; k++)
		if (!scheme_pays(sch, progs[k]))
			return sk_error(SK_EINVALID, "the %s scheme pays %s only, not %s: enrol in %s, or choose another funder",
					sch->name, sch->programs, progs[k], sch->programs);
	age = age_on(w->birth_date, day);
	if (age >= 0 && ((sch->age_min && age < sch->age_min) || (sch->age_max && age > sch->age_max))) {
		if (!sch->age_warn)
			return sk_error(SK_EINVALID, "%s is %d years old on %s: the %s scheme covers ages %d to %d; "
					"choose another funder", w->name ? w->name : w->id, age, day, sch->name,
					sch->age_min, sch->age_max);
		if (is)
			sk_issues_add(is, 0, "Umur", "%s is %d years old on %s, outside the ages %d to %d of the %s scheme",
				      w->name ? w->name : w->id, age, day, sch->age_min, sch->age_max, sch->name);
	}
	sk_date_month_start(earliest, sk_date_today(), sch->backdate_months);
	if (strcmp(day, earliest) < 0 && (!decision || !*decision))
		return sk_error_do(SK_EINVALID, SK_DO_GIVE_DECISION, NULL, "start %s lies before %s: the %s scheme does not "
				   "pay past months unless a decision allows it", day, earliest, sch->name);
	return 0;
}

/* program is one programme or several joined by '+' (JKK+JKM): they are enrolled in one
 * transaction, all or none; *id_out gets their ids, one a line */
int sk_enrolment_add(struct sk_db *db, char **id_out, struct sk_issues *is, const struct sk_enrol_input *in)
{
	struct sk_worker w;
	struct sk_buf ids = SK_BUF_INIT;
	struct sk_pricing *pr = NULL;
	const struct sk_funder *sch;
	sqlite3_stmt *st = NULL;
	char day[SK_DATE_SIZE], progs[3][4], *id = NULL, funder[128];
	int64_t bracket;
	int rc, np = 0;

	if (is)
		memset(is, 0, sizeof(*is));
	if ((rc = sk_refuse_at_city(db)) < 0)
		return rc;
	if ((rc = parse_programs(progs, &np, in->program)) < 0)
		return rc;
	if (!in->funder || !*in->funder)
		return sk_error_do(SK_EINVALID, SK_DO_GIVE_FUNDER, NULL, "no funder given");
	if (in->income < 0 || in->income >= 100000000)
		return sk_error(SK_EINVALID, "income bracket %lld is out of range", (long long)in->income);
	if ((rc = parse_start(day, in->start)) < 0)
		return rc;
	if ((rc = sk_funder_resolve(db, funder, sizeof(funder), in->funder)) < 0)
		return rc;
	if ((rc = sk_pricing_load(&pr, db)) < 0)
		return rc;
	sch = sk_pricing_scheme(pr, funder);
	if ((rc = sk_worker_get(db, &w, in->worker)) < 0) {
		sk_pricing_free(pr);
		return rc;
	}
	if (!w.status || strcmp(w.status, "active")) {
		rc = sk_error(SK_ECONFLICT, "worker %s (%s) has ended: enrol an active worker", w.id, w.name);
		goto done;
	}
	if (sch && (rc = sk_scheme_check(sch, &w, (const char (*)[4])progs, np, day, in->decision, is)) < 0)
		goto done;
	/* the bracket the enrolment records: the scheme's own when it has one */
	bracket = sch && sch->bracket > 0 ? sch->bracket : in->income ? in->income : (w.income ? w.income : 1000000);
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
		if ((rc = sk_db_prepare(db, &st, "INSERT INTO enrolments (id, owner, worker_id, program, funder, decree, start_on, income, decision) "
						 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) < 0)
			goto fail;
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, db->code, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, w.id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, progs[k], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, funder, -1, SQLITE_STATIC);
		sk_bind_opt(st, 6, in->decree);
		sqlite3_bind_text(st, 7, day, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 8, bracket);
		sk_bind_opt(st, 9, in->decision);
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
	sk_pricing_free(pr);
	return rc;
}

int sk_enrol(struct sk_db *db, char **id_out, const char *worker, const char *program, const char *funder,
	     const char *decree, const char *start, int64_t income)
{
	struct sk_enrol_input in = {worker, program, funder, decree, start, NULL, income};
	return sk_enrolment_add(db, id_out, NULL, &in);
}

/* The day before day ("YYYY-MM-DD"). */
static void day_before(char out[SK_DATE_SIZE], const char *day)
{
	int y, m, d;
	sscanf(day, "%d-%d-%d", &y, &m, &d);
	sk_civil_from_days(sk_days_from_civil(y, m, d) - 1, &y, &m, &d);
	sk_date_format(out, y, m, d);
}

/* Inside the caller's transaction: the open enrolments of w in program (NULL: all) are paid by
 * funder (NULL: the same) at bracket (0: the scheme's, else the declared income) from `from`.
 * One that starts on or after from is changed in place; an older one ends the day before and a
 * new record carries on, so the history is kept. */
int sk_enrolments_change_open(struct sk_db *db, const struct sk_pricing *pr, const struct sk_worker *w, const char *program,
		       const char *from, const char *funder, int64_t income, const char *decision, size_t *changed)
{
	sqlite3_stmt *st = NULL, *up = NULL;
	char before[SK_DATE_SIZE];
	int rc;

	day_before(before, from);
	if ((rc = sk_db_prepare(db, &st, "SELECT id, program, funder, decree, start_on, income FROM enrolments "
					 "WHERE worker_id = ?1 AND end_on IS NULL AND (?2 IS NULL OR program = ?2) ORDER BY program")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, w->id, -1, SQLITE_STATIC);
	sk_bind_opt(st, 2, program);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *eid = (const char *)sqlite3_column_text(st, 0), *prog = (const char *)sqlite3_column_text(st, 1);
		const char *ofunder = (const char *)sqlite3_column_text(st, 2), *decree = (const char *)sqlite3_column_text(st, 3);
		const char *start = (const char *)sqlite3_column_text(st, 4);
		const char *nf = funder ? funder : ofunder;
		const struct sk_funder *sch = sk_pricing_scheme(pr, nf);
		int64_t bracket = sch && sch->bracket > 0 ? sch->bracket : income ? income : (w->income ? w->income : 1000000);
		char progs[1][4];
		snprintf(progs[0], 4, "%s", prog ? prog : "");
		if (funder && sch && (rc = sk_scheme_check(sch, w, (const char (*)[4])progs, 1, from, decision, NULL)) < 0)
			goto done;
		if (sqlite3_column_int64(st, 5) == bracket && ofunder && nf && !strcmp(ofunder, nf))
			continue;
		if (!funder && sch) {
			/* a new bracket from a past month changes bills already raised: a decision too */
			char earliest[SK_DATE_SIZE];
			const char *eff = start && strcmp(start, from) > 0 ? start : from;
			sk_date_month_start(earliest, sk_date_today(), sch->backdate_months);
			if (strcmp(eff, earliest) < 0 && (!decision || !*decision)) {
				rc = sk_error_do(SK_EINVALID, SK_DO_GIVE_DECISION, NULL, "a change from %s lies before %s: the %s "
						 "scheme does not change past "
					      "months unless a decision allows it", eff, earliest, sch->name);
				goto done;
			}
		}
		if (start && strcmp(start, from) >= 0) {
			if ((rc = sk_db_prepare(db, &up, "UPDATE enrolments SET funder = ?1, income = ?2 WHERE id = ?3")) < 0)
				goto done;
			sqlite3_bind_text(up, 1, nf, -1, SQLITE_STATIC);
			sqlite3_bind_int64(up, 2, bracket);
			sqlite3_bind_text(up, 3, eid, -1, SQLITE_STATIC);
		} else {
			char *nid;
			if ((rc = sk_db_prepare(db, &up, "UPDATE enrolments SET end_on = ?1, end_reason = 'diganti' WHERE id = ?2")) < 0)
				goto done;
			sqlite3_bind_text(up, 1, before, -1, SQLITE_STATIC);
			sqlite3_bind_text(up, 2, eid, -1, SQLITE_STATIC);
			if (sqlite3_step(up) != SQLITE_DONE) {
				rc = sk_db_fail(db, "cannot change the enrolment");
				goto done;
			}
			sqlite3_finalize(up);
			nid = sk_new_id(db);
			if ((rc = sk_db_prepare(db, &up, "INSERT INTO enrolments (id, owner, worker_id, program, funder, decree, "
							 "start_on, income, decision) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) < 0) {
				free(nid);
				goto done;
			}
			sqlite3_bind_text(up, 1, nid, -1, SQLITE_TRANSIENT);
			free(nid);
			sqlite3_bind_text(up, 2, db->code, -1, SQLITE_STATIC);
			sqlite3_bind_text(up, 3, w->id, -1, SQLITE_STATIC);
			sqlite3_bind_text(up, 4, prog, -1, SQLITE_STATIC);
			sqlite3_bind_text(up, 5, nf, -1, SQLITE_STATIC);
			sk_bind_opt(up, 6, decree);
			sqlite3_bind_text(up, 7, from, -1, SQLITE_STATIC);
			sqlite3_bind_int64(up, 8, bracket);
			sk_bind_opt(up, 9, decision);
		}
		if (sqlite3_step(up) != SQLITE_DONE) {
			rc = sk_db_fail(db, "cannot change the enrolment");
			goto done;
		}
		sqlite3_finalize(up);
		up = NULL;
		(*changed)++;
	}
	rc = rc == SQLITE_DONE ? 0 : sk_db_fail(db, "cannot read the enrolments");
done:
	sqlite3_finalize(up);
	sqlite3_finalize(st);
	return rc;
}

int sk_enrolment_change(struct sk_db *db, const char *worker, const char *program, const char *from,
			const char *funder, int64_t income, const char *decision, size_t *changed)
{
	struct sk_worker w;
	struct sk_pricing *pr = NULL;
	char day[SK_DATE_SIZE], fname[128], progs[3][4];
	int rc, np;

	*changed = 0;
	if ((rc = sk_refuse_at_city(db)) < 0)
		return rc;
	if (program && (rc = parse_programs(progs, &np, program)) < 0)
		return rc;
	if (program && np != 1)
		return sk_error_do(SK_EINVALID, SK_DO_ONE_PROGRAMME, NULL,
				   "a change of who pays concerns one programme or all of them, not %s", program);
	if (!from || !*from)
		return sk_error_do(SK_EINVALID, SK_DO_GIVE_FROM, NULL,
				   "no day given from when the change holds (a month like 2025-01, or a date)");
	if ((rc = parse_start(day, from)) < 0)
		return rc;
	if (income < 0 || income >= 100000000)
		return sk_error(SK_EINVALID, "income bracket %lld is out of range", (long long)income);
	if (funder && (rc = sk_funder_resolve(db, fname, sizeof(fname), funder)) < 0)
		return rc;
	if ((rc = sk_worker_get(db, &w, worker)) < 0)
		return rc;
	if ((rc = sk_pricing_load(&pr, db)) < 0)
		goto done;
	if ((rc = sk_db_begin(db)) < 0)
		goto done;
	if ((rc = sk_enrolments_change_open(db, pr, &w, program ? progs[0] : NULL, day, funder ? fname : NULL, income, decision, changed)) < 0) {
		sk_db_rollback(db);
		goto done;
	}
	rc = sk_db_commit(db);
done:
	sk_pricing_free(pr);
	sk_worker_release(&w);
	return rc;
}

static const char *const end_reasons[] = {"meninggal dunia", "pindah domisili", "tidak memenuhi syarat", "mengundurkan diri",
					  "usia di atas batas", "terdaftar ganda", "beralih ke penerima upah", "diganti", NULL};

const char *const *sk_end_reasons(void)
{
	/* the last, "diganti", is written by an enrolment change, never chosen */
	static const char *const chosen[] = {"meninggal dunia", "pindah domisili", "tidak memenuhi syarat", "mengundurkan diri",
					     "usia di atas batas", "terdaftar ganda", "beralih ke penerima upah", NULL};
	return chosen;
}

/* The reason as the list spells it ("meninggal" and "pindah" are read as the full words);
 * SK_EINVALID naming the list. */
int sk_end_reason(char *out, size_t n, const char *reason)
{
	struct sk_buf list = SK_BUF_INIT;
	int rc;
	if (reason && *reason) {
		size_t len = strlen(reason);
		for (int i = 0; end_reasons[i]; i++)
			if (!strncasecmp(end_reasons[i], reason, len) && (!end_reasons[i][len] || end_reasons[i][len] == ' ')) {
				snprintf(out, n, "%s", end_reasons[i]);
				return 0;
			}
	}
	for (int i = 0; end_reasons[i]; i++)
		if (strcmp(end_reasons[i], "diganti"))
			sk_buf_printf(&list, "%s'%s'", list.len ? ", " : "", end_reasons[i]);
	rc = sk_error_do(SK_EINVALID, SK_DO_GIVE_REASON, NULL, "the reason for an end is one of: %s", (const char *)list.ptr);
	sk_buf_release(&list);
	return rc;
}

/* An end date: today when empty; never in the future. */
int sk_end_date(char day[SK_DATE_SIZE], const char *date)
{
	char why[200];
	int two;
	long today = sk_date_today();
	if (date && *date) {
		int y, m, d;
		if (sk_parse_date(day, &two, date, today, why, sizeof(why)) < 0)
			return sk_error(SK_EINVALID, "end date: %s", why);
		sscanf(day, "%d-%d-%d", &y, &m, &d);
		if (sk_days_from_civil(y, m, d) > today)
			return sk_error(SK_EINVALID, "end date %s is in the future: record an end once it has happened", day);
	} else {
		int y, m, d;
		sk_civil_from_days(today, &y, &m, &d);
		sk_date_format(day, y, m, d);
	}
	return 0;
}

int sk_enrolment_end(struct sk_db *db, const char *worker, const char *program, const char *date, const char *reason)
{
	struct sk_worker w;
	sqlite3_stmt *st = NULL;
	char day[SK_DATE_SIZE], why[64], progs[3][4];
	int rc, np;

	if ((rc = sk_refuse_at_city(db)) < 0)
		return rc;
	if ((rc = parse_programs(progs, &np, program)) < 0)
		return rc;
	if ((rc = sk_end_reason(why, sizeof(why), reason)) < 0 || (rc = sk_end_date(day, date)) < 0)
		return rc;
	if ((rc = sk_worker_get(db, &w, worker)) < 0)
		return rc;
	if ((rc = sk_db_begin(db)) < 0)
		goto done;
	for (int k = 0; k < np; k++) {
		if ((rc = sk_db_prepare(db, &st, "UPDATE enrolments SET end_on = ?1, end_reason = ?2 "
						 "WHERE worker_id = ?3 AND program = ?4 AND end_on IS NULL")) < 0)
			goto fail;
		sqlite3_bind_text(st, 1, day, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, why, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, w.id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, progs[k], -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			rc = sk_db_fail(db, "cannot end the enrolment");
			goto fail;
		}
		if (sqlite3_changes(db->h) == 0) {
			rc = sk_error(SK_ENOTFOUND, "%s (%s) has no open %s enrolment", w.name ? w.name : "?", w.id, progs[k]);
			goto fail;
		}
		sqlite3_finalize(st);
		st = NULL;
	}
	rc = sk_db_commit(db);
	goto done;
fail:
	sqlite3_finalize(st);
	sk_db_rollback(db);
done:
	sk_worker_release(&w);
	return rc;
}

int sk_enrolment_each(struct sk_db *db, const char *worker_id, int (*fn)(void *payload, const struct sk_enrolment *e), void *payload)
{
	sqlite3_stmt *st;
	int rc;
	if ((rc = sk_db_prepare(db, &st, "SELECT id, program, funder, decree, start_on, end_on, income, decision, end_reason FROM enrolments "
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
		e.decision = (const char *)sqlite3_column_text(st, 7);
		e.end_reason = (const char *)sqlite3_column_text(st, 8);
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
	sqlite3_stmt *st = NULL;
	struct sk_pricing *pr = NULL;
	char first[11], last[11];
	int y, m, rc;

	if (!month || strlen(month) != 7 || month[4] != '-' || (y = atoi(month)) < 2000 || y > 2100 ||
	    (m = atoi(month + 5)) < 1 || m > 12)
		return sk_error(SK_EINVALID, "month '%s' is not a month like 2024-03", month ? month : "");
	sk_month_bounds(first, last, y, m);
	if ((rc = sk_pricing_load(&pr, db)) < 0 || (rc = sk_pricing_register(db, pr)) < 0)
		goto done;
	/* the pricing rule (pricing.c): months covered on any day, the scheme's bracket, the rate
	 * in force on the month's first day; a duplicate-marked record is not billed */
	if ((rc = sk_db_prepare(db, &st,
		"SELECT " SK_FUNDER_SQL " AS fu, e.program, count(DISTINCT w.nik), sum(" SK_PREMIUM_SQL "), "
		"count(*) - count(" SK_PREMIUM_SQL ") "
		"FROM enrolments e JOIN workers w ON w.id = e.worker_id "
		"WHERE " SK_IN_FORCE_SQL " GROUP BY fu, e.program ORDER BY fu, e.program")) < 0)
		goto done;
	sqlite3_bind_text(st, 2, first, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, last, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct sk_bill_line l;
		const unsigned char *program = sqlite3_column_text(st, 1);
		l.funder = (const char *)sqlite3_column_text(st, 0);
		l.program = program ? (const char *)program : "";
		l.people = sqlite3_column_int64(st, 2);
		l.amount = sqlite3_column_int64(st, 3);
		l.unrated = sqlite3_column_int64(st, 4);
		if ((rc = fn(payload, &l)) != 0)
			break;
	}
	rc = rc == SQLITE_DONE || rc == SQLITE_ROW || rc > 0 ? 0 : rc < 0 ? rc : sk_db_fail(db, "cannot compute the bill");
done:
	sqlite3_finalize(st);
	sk_pricing_free(pr);
	return rc;
}

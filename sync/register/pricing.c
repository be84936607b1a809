/*
 * pricing.c: the one pricing rule (what an enrolment costs in a month) and the funders' schemes
 * it reads.  sk_bill(), the report's tables and the year's bill behind the budget projection all
 * price through sk_price(), from C or through the SQL function sk_premium().
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dates.h"
#include "pricing.h"

static const char *col_str(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);
	return t ? (const char *)t : "";
}

int sk_month_bounds(char first[11], char last[11], int y, int m)
{
	if (y < 1900 || y > 2200 || m < 1 || m > 12)
		return sk_error(SK_EINVALID, "month %d-%02d is not a month", y, m);
	snprintf(first, 11, "%04d-%02d-01", y, m);
	snprintf(last, 11, "%04d-%02d-%02d", y, m, sk_days_in_month(y, m));
	return 0;
}

static void scheme_from_row(struct sk_funder *f, sqlite3_stmt *st)
{
	f->name = sk_strdup(col_str(st, 0));
	f->kind = sk_strdup(col_str(st, 1));
	f->programs = sk_strdup(col_str(st, 2));
	f->bracket = sqlite3_column_int64(st, 3);
	f->age_min = sqlite3_column_int(st, 4);
	f->age_max = sqlite3_column_int(st, 5);
	f->age_warn = !strcmp(col_str(st, 6), "warn");
	f->backdate_months = sqlite3_column_int(st, 7);
	f->regulation = sqlite3_column_type(st, 8) == SQLITE_NULL ? NULL : sk_strdup(col_str(st, 8));
	f->active = sqlite3_column_int(st, 9);
}

static void scheme_release(struct sk_funder *f)
{
	free((char *)f->name);
	free((char *)f->kind);
	free((char *)f->programs);
	free((char *)f->regulation);
}

#define FUNDER_COLS "name, kind, programs, bracket, age_min, age_max, age_rule, backdate_months, regulation, active"

int sk_pricing_load(struct sk_pricing **out, struct sk_db *db)
{
	struct sk_pricing *p = sk_calloc(1, sizeof(*p));
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	if ((rc = sk_db_prepare(db, &st, "SELECT program, basis, value, valid_from, coalesce(valid_to, ''), "
					 "coalesce(min_base, 0) FROM rates ORDER BY program, valid_from")) < 0)
		goto fail;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct sk_rate *x;
		p->rates = sk_realloc(p->rates, (p->nrates + 1) * sizeof(*p->rates));
		x = &p->rates[p->nrates++];
		snprintf(x->program, sizeof(x->program), "%s", col_str(st, 0));
		x->percent = !strcmp(col_str(st, 1), "percent");
		x->value = sqlite3_column_int64(st, 2);
		snprintf(x->from, sizeof(x->from), "%s", col_str(st, 3));
		snprintf(x->to, sizeof(x->to), "%s", col_str(st, 4));
		x->min_base = sqlite3_column_int64(st, 5);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		rc = sk_db_fail(db, "cannot read the rates");
		goto fail;
	}
	if ((rc = sk_db_prepare(db, &st, "SELECT " FUNDER_COLS " FROM funders ORDER BY name")) < 0)
		goto fail;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		p->schemes = sk_realloc(p->schemes, (p->nschemes + 1) * sizeof(*p->schemes));
		scheme_from_row(&p->schemes[p->nschemes++], st);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		rc = sk_db_fail(db, "cannot read the funders");
		goto fail;
	}
	*out = p;
	return 0;
fail:
	sk_pricing_free(p);
	return rc;
}

void sk_pricing_free(struct sk_pricing *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nschemes; i++)
		scheme_release(&p->schemes[i]);
	free(p->schemes);
	free(p->rates);
	free(p);
}

const struct sk_funder *sk_pricing_scheme(const struct sk_pricing *p, const char *funder)
{
	for (size_t i = 0; funder && i < p->nschemes; i++)
		if (!strcasecmp(p->schemes[i].name, funder))
			return &p->schemes[i];
	return NULL;
}

/* "JKK" in "JKK+JKM" */
static int scheme_pays(const struct sk_funder *s, const char *program)
{
	size_t n = strlen(program);
	for (const char *q = s->programs; *q;) {
		size_t len = strcspn(q, "+");
		if (len == n && !strncasecmp(q, program, n))
			return 1;
		q += len;
		if (*q)
			q++;
	}
	return 0;
}

int64_t sk_pricing_bracket(const struct sk_funder *scheme, int64_t enrol_income, int64_t worker_income, int64_t min_base)
{
	int64_t b;
	if (scheme && scheme->bracket > 0)
		b = scheme->bracket;
	else if (enrol_income > 0)
		b = enrol_income;
	else
		b = worker_income;
	return b < min_base ? min_base : b;
}

int sk_price(const struct sk_pricing *p, int64_t *amount, const char *funder, const char *program,
	     int64_t enrol_income, int64_t worker_income, const char *first)
{
	const struct sk_funder *s = sk_pricing_scheme(p, funder);
	*amount = 0;
	if (!program || (s && !scheme_pays(s, program)))
		return 1;
	for (size_t i = 0; i < p->nrates; i++) {
		const struct sk_rate *x = &p->rates[i];
		if (strcmp(x->program, program) || strcmp(x->from, first) > 0 || (x->to[0] && strcmp(x->to, first) < 0))
			continue;
		if (x->percent) {
			/* a rate with no minimum of its own still never goes below the lowest bracket */
			int64_t min = x->min_base > 0 ? x->min_base : 1000000;
			*amount = sk_pricing_bracket(s, enrol_income, worker_income, min) * x->value / 10000;
		} else {
			*amount = x->value;
		}
		return 0;
	}
	return 1;
}

static void premium_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const struct sk_pricing *p = sqlite3_user_data(ctx);
	int64_t amount;
	(void)argc;
	if (sk_price(p, &amount, (const char *)sqlite3_value_text(argv[0]), (const char *)sqlite3_value_text(argv[1]),
		     sqlite3_value_int64(argv[2]), sqlite3_value_int64(argv[3]), (const char *)sqlite3_value_text(argv[4])) == 0)
		sqlite3_result_int64(ctx, amount);
	else
		sqlite3_result_null(ctx);
}

int sk_pricing_register(struct sk_db *db, const struct sk_pricing *p)
{
	if (sqlite3_create_function(db->h, "sk_premium", 5, SQLITE_UTF8 | SQLITE_DETERMINISTIC, (void *)p, premium_fn,
				    NULL, NULL) != SQLITE_OK)
		return sk_db_fail(db, "cannot set up the pricing");
	return 0;
}

/* ---- the funders list ---- */

int sk_funder_each(struct sk_db *db, int (*fn)(void *payload, const struct sk_funder *f), void *payload)
{
	sqlite3_stmt *st;
	int rc;
	if ((rc = sk_db_prepare(db, &st, "SELECT " FUNDER_COLS " FROM funders ORDER BY active DESC, name")) < 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct sk_funder f;
		scheme_from_row(&f, st);
		rc = fn(payload, &f);
		scheme_release(&f);
		if (rc)
			break;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : rc < 0 ? rc : 0;
}

static int valid_programs(const char *s)
{
	if (!s || !*s)
		return 0;
	for (const char *q = s; *q;) {
		size_t len = strcspn(q, "+");
		if (len != 3 || (strncmp(q, "JKK", 3) && strncmp(q, "JKM", 3) && strncmp(q, "JHT", 3)))
			return 0;
		q += len;
		if (*q && !*++q)
			return 0;
	}
	return 1;
}

int sk_funder_set(struct sk_db *db, const struct sk_funder *f)
{
	sqlite3_stmt *st;
	const char *kind = f->kind && *f->kind ? f->kind : "other";
	int rc;

	if (!f->name || !*f->name || strlen(f->name) > 60)
		return sk_error(SK_EINVALID, "a funder needs a name of at most 60 characters");
	if (!valid_programs(f->programs))
		return sk_error(SK_EINVALID, "programs '%s' is not JKK, JKM, JHT or a sum of them like JKK+JKM",
				f->programs ? f->programs : "");
	if (strcmp(kind, "apbd") && strcmp(kind, "csr") && strcmp(kind, "self") && strcmp(kind, "other"))
		return sk_error(SK_EINVALID, "kind '%s' is not one of: apbd, csr, self, other", kind);
	if (f->bracket < 0 || f->bracket >= 100000000)
		return sk_error(SK_EINVALID, "bracket %lld is out of range", (long long)f->bracket);
	if (f->age_min < 0 || f->age_max < 0 || f->age_min > 120 || f->age_max > 120 ||
	    (f->age_max && f->age_min > f->age_max))
		return sk_error(SK_EINVALID, "ages %d to %d are not a range of ages", f->age_min, f->age_max);
	if (f->backdate_months < 0 || f->backdate_months > 120)
		return sk_error(SK_EINVALID, "a start may go back 0 to 120 months, not %d", f->backdate_months);
	if ((rc = sk_db_prepare(db, &st, "INSERT INTO funders (" FUNDER_COLS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
					 "ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, programs = excluded.programs, "
					 "bracket = excluded.bracket, age_min = excluded.age_min, age_max = excluded.age_max, "
					 "age_rule = excluded.age_rule, backdate_months = excluded.backdate_months, "
					 "regulation = excluded.regulation, active = excluded.active")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, f->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, f->programs, -1, SQLITE_STATIC);
	if (f->bracket)
		sqlite3_bind_int64(st, 4, f->bracket);
	if (f->age_min)
		sqlite3_bind_int(st, 5, f->age_min);
	if (f->age_max)
		sqlite3_bind_int(st, 6, f->age_max);
	sqlite3_bind_text(st, 7, f->age_warn ? "warn" : "refuse", -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 8, f->backdate_months);
	if (f->regulation && *f->regulation)
		sqlite3_bind_text(st, 9, f->regulation, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 10, f->active);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : sk_db_fail(db, "cannot save the funder");
	sqlite3_finalize(st);
	return rc;
}

int sk_funder_resolve(struct sk_db *db, char *out, size_t n, const char *name)
{
	sqlite3_stmt *st;
	struct sk_buf list = SK_BUF_INIT;
	int rc;
	if ((rc = sk_db_prepare(db, &st, "SELECT name, active FROM funders WHERE name = ?")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, name ? name : "", -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 1)) {
		if ((size_t)snprintf(out, n, "%s", col_str(st, 0)) >= n)
			rc = sk_error(SK_EINVALID, "funder name '%s' is longer than %zu bytes", col_str(st, 0), n - 1);
		sqlite3_finalize(st);
		return rc;
	}
	sqlite3_finalize(st);
	if ((rc = sk_db_prepare(db, &st, "SELECT name FROM funders WHERE active ORDER BY name")) < 0)
		return rc;
	while (sqlite3_step(st) == SQLITE_ROW)
		sk_buf_printf(&list, "%s'%s'", list.len ? ", " : "", col_str(st, 0));
	sqlite3_finalize(st);
	rc = sk_error_do(SK_ENOTFOUND, SK_DO_CHOOSE_FUNDER, NULL, "funder '%s' is not in the list of funders (%s)",
		      name ? name : "", list.ptr ? (const char *)list.ptr : "none");
	sk_buf_release(&list);
	return rc;
}

/*
 * report.c: the city's report built: enrolment counted by district, kelurahan, occupation and
 * funder, and each funder's monthly bill over a year against its budget (kept in the settings
 * table), with the month the budget runs out, and the sentences that conclude it.  Written out
 * by report_out.c (text, CSV, .xlsx) and report_html.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "csv.h"
#include "db.h"
#include "pricing.h"
#include "report.h"

const char *const sk_month_names[12] = {"January", "February", "March", "April", "May", "June",
					"July", "August", "September", "October", "November", "December"};

const char *sk_report_word(const struct sk_report *r, const char *english)
{
	const char *w = r->word ? r->word(english) : NULL;
	return w ? w : english;
}

const char *sk_report_month(const struct sk_report *r, int m)
{
	return sk_report_word(r, sk_month_names[m - 1]);
}

/* An enrolment is in force in a month it covers on any day (?2 first day, ?3 last day), and is
 * priced by the one pricing rule (pricing.c), like sk_bill(). */
#define IN_FORCE SK_IN_FORCE_SQL

/* ---- budgets ---- */

int sk_budget_set(struct sk_db *db, int year, const char *funder, int64_t amount)
{
	sqlite3_stmt *st;
	char *key, name[128];
	int rc;

	if (year < 2000 || year > 2100)
		return sk_error(SK_EINVALID, "year '%d' is not a year like 2024", year);
	if (!funder || !*funder || strlen(funder) > 200)
		return sk_error(SK_EINVALID, "funder '%s' is not a funder's name", funder ? funder : "");
	if (amount < 0)
		return sk_error(SK_EINVALID, "a budget cannot be negative");
	/* a budget belongs to a funder of the list, spelt as the list spells it */
	if (amount > 0 && (rc = sk_funder_resolve(db, name, sizeof(name), funder)) < 0)
		return rc;
	if (amount > 0)
		funder = name;
	key = sk_printf("budget.%04d.%s", year, funder);
	if (amount == 0) {
		if ((rc = sk_db_prepare(db, &st, "DELETE FROM settings WHERE key = ?")) < 0)
			goto done;
		sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : sk_db_fail(db, "cannot remove the budget");
		if (rc == 0 && sqlite3_changes(db->h) == 0)
			rc = sk_error(SK_ENOTFOUND, "no budget set for '%s' in %d", funder, year);
		sqlite3_finalize(st);
	} else {
		char v[32];
		snprintf(v, sizeof(v), "%lld", (long long)amount);
		rc = sk_db_set_setting(db, key, v);
	}
done:
	free(key);
	return rc;
}

int sk_budget_each(struct sk_db *db, int (*fn)(void *payload, int year, const char *funder, int64_t amount),
		   void *payload)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = sk_db_prepare(db, &st, "SELECT key, value FROM settings WHERE key GLOB 'budget.[0-9][0-9][0-9][0-9].?*' ORDER BY key")) < 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(st, 0);
		const char *v = (const char *)sqlite3_column_text(st, 1);
		if (!v)
			continue;
		if ((rc = fn(payload, atoi(k + 7), k + 12, strtoll(v, NULL, 10))) != 0)
			break;
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return 0;
	return rc == SQLITE_ROW ? 0 : rc < 0 ? rc : sk_db_fail(db, "cannot read the budgets");
}
/* ---- building the report ---- */

static void row_release(struct sk_report_row *row)
{
	free(row->key);
	free(row->name);
	free(row->parent);
}

static void table_release(struct sk_report_table *t)
{
	for (size_t i = 0; i < t->n; i++)
		row_release(&t->rows[i]);
	free(t->rows);
	row_release(&t->total);
	memset(t, 0, sizeof(*t));
}

void sk_report_free(struct sk_report *r)
{
	if (!r)
		return;
	free(r->code);
	free(r->name);
	table_release(&r->districts);
	table_release(&r->kelurahan);
	table_release(&r->occupations);
	table_release(&r->funders);
	for (size_t i = 0; i < r->nbills; i++)
		free(r->bills[i].funder);
	free(r->bills);
	free(r);
}

static const char *col_text(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);
	return s ? s : "";
}

static int program_index(struct sk_report *r, const char *program)
{
	for (int i = 0; i < r->nprograms; i++)
		if (!strcmp(r->programs[i], program))
			return i;
	return -1;
}

static struct sk_report_row *table_row(struct sk_report_table *t, const char *key)
{
	struct sk_report_row *row;
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->rows[i].key, key))
			return &t->rows[i];
	t->rows = sk_realloc(t->rows, (t->n + 1) * sizeof(*t->rows));
	row = &t->rows[t->n++];
	memset(row, 0, sizeof(*row));
	row->key = sk_strdup(key);
	return row;
}

static void bind_month(sqlite3_stmt *st, const char *first, const char *last)
{
	if (sqlite3_bind_parameter_count(st) >= 3) {
		sqlite3_bind_text(st, 2, first, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, last, -1, SQLITE_TRANSIENT);
	}
}

/*
 * One enrolment table.  key/name/parent are SQL expressions over workers w (and enrolments e
 * when by_funder); the workers column counts active workers, or for funders the distinct
 * workers with an enrolment of theirs in force.
 */
static int count_table(struct sk_db *db, struct sk_report *r, struct sk_report_table *t, const char *key,
		       const char *name, const char *parent, int by_funder, const char *first, const char *last)
{
	sqlite3_stmt *st = NULL;
	char *sql;
	int rc;

	if (by_funder)
		sql = sk_printf("SELECT k, n, p, count(DISTINCT wid) FROM (SELECT %s AS k, %s AS n, %s AS p, w.id AS wid "
				"FROM enrolments e JOIN workers w ON w.id = e.worker_id WHERE " IN_FORCE ") GROUP BY k",
				key, name, parent);
	else
		sql = sk_printf("SELECT k, n, p, count(*) FROM (SELECT %s AS k, %s AS n, %s AS p FROM workers w "
				"WHERE w.status = 'active') GROUP BY k", key, name, parent);
	rc = sk_db_prepare(db, &st, sql);
	free(sql);
	if (rc < 0)
		return rc;
	bind_month(st, first, last);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct sk_report_row *row = table_row(t, col_text(st, 0));
		if (!row->name)
			row->name = sk_strdup(col_text(st, 1));
		if (!row->parent && sqlite3_column_type(st, 2) != SQLITE_NULL)
			row->parent = sk_strdup(col_text(st, 2));
		row->workers = sqlite3_column_int64(st, 3);
		t->total.workers += row->workers;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return sk_db_fail(db, "cannot count the workers");

	sql = sk_printf("SELECT k, n, p, program, count(*), sum(price) FROM (SELECT %s AS k, %s AS n, %s AS p, "
			"e.program AS program, " SK_PREMIUM_SQL " AS price FROM enrolments e JOIN workers w ON w.id = e.worker_id "
			"WHERE " IN_FORCE ") GROUP BY k, program", key, name, parent);
	rc = sk_db_prepare(db, &st, sql);
	free(sql);
	if (rc < 0)
		return rc;
	bind_month(st, first, last);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct sk_report_row *row = table_row(t, col_text(st, 0));
		int p = program_index(r, col_text(st, 3));
		if (!row->name)
			row->name = sk_strdup(col_text(st, 1));
		if (!row->parent && sqlite3_column_type(st, 2) != SQLITE_NULL)
			row->parent = sk_strdup(col_text(st, 2));
		if (p >= 0) {
			row->enrolled[p] += sqlite3_column_int64(st, 4);
			t->total.enrolled[p] += sqlite3_column_int64(st, 4);
		}
		row->premium += sqlite3_column_int64(st, 5);
		t->total.premium += sqlite3_column_int64(st, 5);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return sk_db_fail(db, "cannot count the enrolments");
	return 0;
}

static int cmp_key(const void *a, const void *b)
{
	return strcmp(((const struct sk_report_row *)a)->key, ((const struct sk_report_row *)b)->key);
}

static int cmp_workers(const void *a, const void *b)
{
	const struct sk_report_row *x = a, *y = b;
	int64_t wx = x->workers, wy = y->workers;
	if (wx != wy)
		return wx > wy ? -1 : 1;
	if (x->enrolled[0] != y->enrolled[0])
		return x->enrolled[0] > y->enrolled[0] ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* An occupation is typed freely ("Petani", "PETANI", "petani "): rows are grouped by the lower
 * case and named by the spelling most workers have. */
static int name_occupations(struct sk_db *db, struct sk_report_table *t)
{
	sqlite3_stmt *st;
	char *seen = NULL;
	int rc;

	if ((rc = sk_db_prepare(db, &st, "SELECT lower(trim(occupation)), trim(occupation), count(*) FROM workers "
					 "WHERE trim(occupation) <> '' GROUP BY 1, 2 ORDER BY 1, 3 DESC, 2")) < 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *k = col_text(st, 0);
		if (seen && !strcmp(seen, k))
			continue;
		free(seen);
		seen = sk_strdup(k);
		for (size_t i = 0; i < t->n; i++)
			if (!strcmp(t->rows[i].key, k)) {
				free(t->rows[i].name);
				t->rows[i].name = sk_strdup(col_text(st, 1));
			}
	}
	free(seen);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : sk_db_fail(db, "cannot name the occupations");
}

static struct sk_report_funder *bill_of(struct sk_report *r, const char *funder)
{
	struct sk_report_funder *f;
	for (size_t i = 0; i < r->nbills; i++)
		if (!strcasecmp(r->bills[i].funder, funder))
			return &r->bills[i];
	r->bills = sk_realloc(r->bills, (r->nbills + 1) * sizeof(*r->bills));
	f = &r->bills[r->nbills++];
	memset(f, 0, sizeof(*f));
	f->funder = sk_strdup(funder);
	return f;
}

/*
 * The year's bill in one pass over the enrolments touching it, sorted by funder and NIK so that
 * a person is counted once a month however many programmes (or districts) bill them.  The rule
 * is sk_bill()'s: every enrolment covering a month on any day, priced by each rate of its
 * programme in force on the month's first day.
 */
static int bill_year(struct sk_db *db, struct sk_report *r, const struct sk_pricing *pr)
{
	sqlite3_stmt *st = NULL;
	char first[12][16], last[12][16], ystart[16], yend[16];
	char *cur_funder = NULL, *cur_nik = NULL;
	unsigned person = 0;        /* months the current person is billed in */
	int seen[12][SK_REPORT_PROGRAMS];
	struct sk_report_funder *f = NULL;
	int rc;

	for (int m = 0; m < 12; m++)
		sk_month_bounds(first[m], last[m], r->year, m + 1);
	snprintf(ystart, sizeof(ystart), "%s", first[0]);
	snprintf(yend, sizeof(yend), "%s", last[11]);
	if ((rc = sk_db_prepare(db, &st,
		"SELECT " SK_FUNDER_SQL ", coalesce(w.nik, ''), e.program, e.start_on, e.end_on, "
		"coalesce(e.income, 0), coalesce(w.income, 0), e.funder FROM enrolments e JOIN workers w ON w.id = e.worker_id "
		"WHERE e.start_on <= ?2 AND (e.end_on IS NULL OR e.end_on >= ?1) AND w.duplicate_of IS NULL ORDER BY 1, 2")) < 0)
		goto done;
	sqlite3_bind_text(st, 1, ystart, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, yend, -1, SQLITE_STATIC);
	memset(seen, 0, sizeof(seen));
	for (;;) {
		const char *funder, *nik, *program, *start, *end;
		int p, is_new;
		int64_t income, declared;

		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			funder = col_text(st, 0);
			nik = col_text(st, 1);
		} else {
			funder = nik = NULL;
		}
		is_new = !cur_funder || !funder || strcmp(cur_funder, funder) || strcmp(cur_nik, nik);
		if (is_new && f) {
			/* the person before is done */
			for (int m = 0; m < 12; m++) {
				f->people[m] += (person >> m) & 1;
				for (int k = 0; k < r->nprograms; k++)
					f->doubled[m] += seen[m][k] > 1 ? seen[m][k] - 1 : 0;
			}
			person = 0;
			memset(seen, 0, sizeof(seen));
		}
		if (rc != SQLITE_ROW)
			break;
		if (is_new) {
			if (!cur_funder || strcmp(cur_funder, funder)) {
				free(cur_funder);
				cur_funder = sk_strdup(funder);
				f = bill_of(r, funder);
			}
			free(cur_nik);
			cur_nik = sk_strdup(nik);
		}
		program = col_text(st, 2);
		start = (const char *)sqlite3_column_text(st, 3);
		end = (const char *)sqlite3_column_text(st, 4);
		income = sqlite3_column_int64(st, 5);
		declared = sqlite3_column_int64(st, 6);
		p = program_index(r, program);
		for (int m = 0; m < 12; m++) {
			int rated = 0;
			if (!start || strcmp(start, last[m]) > 0 || (end && strcmp(end, first[m]) < 0))
				continue;
			person |= 1u << m;
			if (p >= 0)
				seen[m][p]++;
			{
				int64_t amount;
				if (sk_price(pr, &amount, col_text(st, 7), program, income, declared, first[m]) == 0) {
					rated = 1;
					if (p >= 0)
						f->amount[m][p] += amount;
					f->total[m] += amount;
				}
			}
			r->unrated += !rated;
		}
	}
	rc = rc == SQLITE_DONE ? 0 : sk_db_fail(db, "cannot compute the bill");
done:
	sqlite3_finalize(st);
	free(cur_funder);
	free(cur_nik);
	return rc;
}

static int add_budget(void *payload, int year, const char *funder, int64_t amount)
{
	struct sk_report *r = payload;
	struct sk_report_funder *f;
	if (year != r->year)
		return 0;
	f = bill_of(r, funder);
	f->has_budget = 1;
	f->budget = amount;
	return 0;
}

static int cmp_funder(const void *a, const void *b)
{
	return strcmp(((const struct sk_report_funder *)a)->funder, ((const struct sk_report_funder *)b)->funder);
}

static void bill_conclude(struct sk_report *r, struct sk_report_funder *f)
{
	int64_t cum = 0;
	for (int m = 0; m < 12; m++) {
		cum += f->total[m];
		f->cumulative[m] = cum;
		f->person_months += f->people[m];
		if (f->total[m] > 0) {
			f->months_billed++;
			if (f->has_budget && !f->runs_out) {
				if (cum <= f->budget)
					f->months_paid++;
				else
					f->runs_out = m + 1;
			}
		}
	}
	f->year_total = cum;
	f->rate = f->total[r->month - 1];
}

static int load_programs(struct sk_db *db, struct sk_report *r)
{
	sqlite3_stmt *st;
	int rc;
	/* the programmes enrolled in, else those with rates; JKK and JKM first as BPJS lists them */
	if ((rc = sk_db_prepare(db, &st,
		"SELECT program FROM (SELECT DISTINCT program FROM enrolments WHERE program IS NOT NULL "
		"UNION SELECT program FROM rates WHERE NOT EXISTS (SELECT 1 FROM enrolments)) "
		"ORDER BY program NOT IN ('JKK', 'JKM'), program = 'JHT', program")) < 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *p = col_text(st, 0);
		/* a column per programme: one that does not fit is refused, never left out of the totals */
		if (r->nprograms == SK_REPORT_PROGRAMS || strlen(p) >= sizeof(r->programs[0])) {
			rc = sk_error(SK_EINVALID, "programme '%s' does not fit the report: at most %d programmes of up to %zu characters",
				      p, SK_REPORT_PROGRAMS, sizeof(r->programs[0]) - 1);
			sqlite3_finalize(st);
			return rc;
		}
		snprintf(r->programs[r->nprograms++], sizeof(r->programs[0]), "%s", p);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : sk_db_fail(db, "cannot read the programmes");
}

int sk_report_build(struct sk_report **out, struct sk_db *db, int year, int month)
{
	struct sk_report *r;
	struct sk_pricing *pr = NULL;
	char first[16], last[16];
	time_t now = time(NULL);
	struct tm tm;
	int rc;

	*out = NULL;
	if (year < 2000 || year > 2100)
		return sk_error(SK_EINVALID, "year '%d' is not a year like 2024", year);
	if (month < 1 || month > 12)
		return sk_error(SK_EINVALID, "month '%d' is not a month from 1 to 12", month);
	r = sk_calloc(1, sizeof(*r));
	r->year = year;
	r->month = month;
	r->code = sk_strdup(db->code);
	r->name = sk_strdup(db->name);
	r->is_city = db->is_city;
	localtime_r(&now, &tm);
	strftime(r->generated, sizeof(r->generated), "%Y-%m-%d %H:%M %Z", &tm);
	sk_month_bounds(first, last, year, month);

	/* one read transaction: every table sees the same state while the agent applies */
	if ((rc = sk_db_exec(db, "BEGIN")) < 0)
		goto done;
	if ((rc = sk_pricing_load(&pr, db)) < 0 || (rc = sk_pricing_register(db, pr)) < 0)
		goto done;
	if ((rc = load_programs(db, r)) < 0)
		goto done;
	if ((rc = count_table(db, r, &r->districts, "coalesce(w.owner, '')",
			      "coalesce((SELECT name FROM regions WHERE code = w.owner), w.owner, '(none)')", "NULL", 0, first, last)) < 0 ||
	    (rc = count_table(db, r, &r->kelurahan, "coalesce(w.kelurahan, '')",
			      "coalesce((SELECT name FROM regions WHERE code = w.kelurahan), nullif(w.kelurahan, ''), '(not given)')",
			      "coalesce((SELECT name FROM regions WHERE code = w.owner), w.owner)", 0, first, last)) < 0 ||
	    (rc = count_table(db, r, &r->occupations, "coalesce(lower(trim(w.occupation)), '')",
			      "coalesce(nullif(trim(w.occupation), ''), '(not given)')", "NULL", 0, first, last)) < 0 ||
	    (rc = count_table(db, r, &r->funders, SK_FUNDER_SQL, SK_FUNDER_SQL,
			      "NULL", 1, first, last)) < 0 ||
	    (rc = name_occupations(db, &r->occupations)) < 0)
		goto done;
	if ((rc = bill_year(db, r, pr)) < 0 || (rc = sk_budget_each(db, add_budget, r)) < 0)
		goto done;

	/* the funders' total counts each worker once however many funders pay for them */
	{
		sqlite3_stmt *st;
		if ((rc = sk_db_prepare(db, &st, "SELECT count(DISTINCT e.worker_id) FROM enrolments e JOIN workers w "
						 "ON w.id = e.worker_id WHERE " IN_FORCE "")) < 0)
			goto done;
		bind_month(st, first, last);
		if (sqlite3_step(st) == SQLITE_ROW)
			r->funders.total.workers = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	qsort(r->districts.rows, r->districts.n, sizeof(struct sk_report_row), cmp_key);
	qsort(r->kelurahan.rows, r->kelurahan.n, sizeof(struct sk_report_row), cmp_key);
	qsort(r->occupations.rows, r->occupations.n, sizeof(struct sk_report_row), cmp_workers);
	qsort(r->funders.rows, r->funders.n, sizeof(struct sk_report_row), cmp_key);
	if (r->nbills)
		qsort(r->bills, r->nbills, sizeof(*r->bills), cmp_funder);
	for (size_t i = 0; i < r->nbills; i++)
		bill_conclude(r, &r->bills[i]);
	rc = 0;
done:
	if (!sqlite3_get_autocommit(db->h))
		sqlite3_exec(db->h, "COMMIT", NULL, NULL, NULL);
	sk_pricing_free(pr);
	if (rc < 0) {
		sk_report_free(r);
		return rc;
	}
	*out = r;
	return 0;
}
/* ---- the conclusion ---- */

void sk_report_conclusion(char *out, size_t n, const struct sk_report *r, const struct sk_report_funder *f)
{
	char left[48];
	if (!f->has_budget) {
		char bill[48];
		sk_rupiah_format(bill, sizeof(bill), f->year_total);
		snprintf(out, n, "no budget set for %s in %d; the bill for the year is %s", f->funder, r->year, bill);
	} else if (!f->months_billed) {
		sk_rupiah_format(left, sizeof(left), f->budget);
		snprintf(out, n, "the %s budget for %d: nothing billed, %s left", f->funder, r->year, left);
	} else if (f->runs_out) {
		snprintf(out, n, "the %s budget for %d runs out in %s %d: %d month%s of %d paid", f->funder, r->year,
			 sk_report_month(r, f->runs_out), r->year, f->months_paid, f->months_paid == 1 ? "" : "s",
			 f->months_billed);
	} else {
		sk_rupiah_format(left, sizeof(left), f->budget - f->year_total);
		snprintf(out, n, "the %s budget for %d lasts the year: %d month%s of %d paid, %s left", f->funder,
			 r->year, f->months_paid, f->months_paid == 1 ? "" : "s", f->months_billed, left);
	}
}

/* "at the present rate of Rp391,975,000 a month (December 2024) the budget lasts 5.6 months" */
void sk_report_rate_line(char *out, size_t n, const struct sk_report *r, const struct sk_report_funder *f)
{
	char rate[48];
	sk_rupiah_format(rate, sizeof(rate), f->rate);
	if (!f->has_budget || f->rate <= 0) {
		snprintf(out, n, "billed %s in %s %d", rate, sk_report_month(r, r->month), r->year);
		return;
	}
	snprintf(out, n, "at the present rate, %s a month (%s %d), the budget lasts %.1f months", rate,
		 sk_report_month(r, r->month), r->year, (double)f->budget / (double)f->rate);
}

/* "58 enrolments are billed twice in December 2024: ..." or nothing (returns 0) */
int sk_report_doubled_line(char *out, size_t n, const struct sk_report *r, const struct sk_report_funder *f)
{
	int64_t d = f->doubled[r->month - 1];
	if (d <= 0)
		return 0;
	snprintf(out, n, "%lld enrolment%s billed twice in %s %d: the same NIK enrolled in two districts "
		 "(see 'sinkron duplicates')", (long long)d, d == 1 ? " is" : "s are", sk_report_month(r, r->month), r->year);
	return 1;
}

/* Display width of UTF-8 text: code points, not bytes. */
int sk_text_width(const char *s)
{
	int w = 0;
	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

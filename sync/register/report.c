/*
 * report.c: the city's reports: enrolment counted by district, kelurahan, occupation and funder,
 * and each funder's monthly bill over a year against its budget (kept in the settings table),
 * with the month the budget runs out.  Written as text, as CSV files, or as one HTML page whose
 * charts are inline SVG, so that it opens from a USB stick with no network.
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
#include "xlsxout.h"

static const char *const month_names[12] = {"January", "February", "March", "April", "May", "June",
					    "July", "August", "September", "October", "November", "December"};

/* An enrolment is in force in a month it covers on any day (?2 first day, ?3 last day), and is
 * priced by the one pricing rule (pricing.c), like sk_bill(). */
#define IN_FORCE SK_IN_FORCE_SQL

/* ---- rupiah ---- */

void sk_rupiah_format(char *out, size_t n, int64_t v)
{
	char digits[32], tmp[48];
	int len, k = 0;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	len = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)u);
	for (int i = 0; i < len; i++) {
		if (i && (len - i) % 3 == 0)
			tmp[k++] = ',';
		tmp[k++] = digits[i];
	}
	tmp[k] = '\0';
	snprintf(out, n, "%sRp%s", v < 0 ? "-" : "", tmp);
}

static void format_count(char *out, size_t n, int64_t v)
{
	char rp[48];
	sk_rupiah_format(rp, sizeof(rp), v);
	/* the same grouping without the currency */
	snprintf(out, n, "%s%s", v < 0 ? "-" : "", rp + (v < 0 ? 3 : 2));
}

/* "2.200.000.000" and "2,200,000,000" group thousands; a single separator not followed by
 * exactly three digits ("2,2 miliar", "2.5 juta") is a decimal mark, as is the last of two kinds
 * ("1.234,5 juta"). */
int sk_rupiah_parse(int64_t *out, const char *text)
{
	static const struct { const char *w; int64_t m; } words[] = {
		{"miliar", 1000000000}, {"milyar", 1000000000}, {"billion", 1000000000}, {"juta", 1000000},
		{"million", 1000000}, {"jt", 1000000}};
	const char *p = text, *end, *dec = NULL, *q;
	int64_t mult = 1, v = 0, frac = 0, fdiv = 1;
	int ndot = 0, ncomma = 0;

	if (!text)
		return sk_error(SK_EINVALID, "no amount given");
	while (*p == ' ')
		p++;
	if (!strncasecmp(p, "Rp", 2))
		p += 2;
	while (*p == ' ' || *p == '.')
		p++;
	end = p + strlen(p);
	while (end > p && end[-1] == ' ')
		end--;
	for (size_t i = 0; i < SK_ARRAY_SIZE(words); i++) {
		size_t wl = strlen(words[i].w);
		if ((size_t)(end - p) > wl && !strncasecmp(end - wl, words[i].w, wl)) {
			mult = words[i].m;
			for (end -= wl; end > p && end[-1] == ' '; end--)
				;
			break;
		}
	}
	if (end <= p || *p < '0' || *p > '9' || end[-1] < '0' || end[-1] > '9')
		goto bad;
	for (q = p; q < end; q++) {
		if (*q == '.')
			ndot++;
		else if (*q == ',')
			ncomma++;
		else if ((*q < '0' || *q > '9') && *q != ' ' && *q != '_')
			goto bad;
	}
	if (ndot && ncomma) {
		char last = 0;
		for (q = p; q < end; q++)
			if (*q == '.' || *q == ',')
				last = *q, dec = q;
		if ((last == '.' ? ndot : ncomma) != 1)
			goto bad;
	} else if (ndot + ncomma == 1) {
		for (q = p; *q != '.' && *q != ','; q++)
			;
		if (end - q - 1 != 3)
			dec = q;
	}
	for (q = p; q < (dec ? dec : end); q++) {
		if (*q < '0' || *q > '9')
			continue;
		if (v > (INT64_MAX - 9) / 10)
			goto bad;
		v = v * 10 + (*q - '0');
	}
	for (q = dec ? dec + 1 : end; q < end; q++) {
		if (*q < '0' || *q > '9' || fdiv >= 1000000000)
			goto bad;
		frac = frac * 10 + (*q - '0');
		fdiv *= 10;
	}
	if (v > (int64_t)1000000000000000 / mult || (frac * mult) % fdiv)
		goto bad; /* too large, or not whole rupiah */
	v = v * mult + frac * mult / fdiv;
	if (v <= 0 || v > (int64_t)1000000000000000)
		goto bad;
	*out = v;
	return 0;
bad:
	return sk_error(SK_EINVALID, "'%s' is not an amount of rupiah like 2200000000, Rp2.200.000.000 or '2,2 miliar'", text);
}

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
		if (r->nprograms < SK_REPORT_PROGRAMS && strlen(p) < sizeof(r->programs[0]))
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
			 month_names[f->runs_out - 1], r->year, f->months_paid, f->months_paid == 1 ? "" : "s",
			 f->months_billed);
	} else {
		sk_rupiah_format(left, sizeof(left), f->budget - f->year_total);
		snprintf(out, n, "the %s budget for %d lasts the year: %d month%s of %d paid, %s left", f->funder,
			 r->year, f->months_paid, f->months_paid == 1 ? "" : "s", f->months_billed, left);
	}
}

/* "at the present rate of Rp391,975,000 a month (December 2024) the budget lasts 5.6 months" */
static void rate_line(char *out, size_t n, const struct sk_report *r, const struct sk_report_funder *f)
{
	char rate[48];
	sk_rupiah_format(rate, sizeof(rate), f->rate);
	if (!f->has_budget || f->rate <= 0) {
		snprintf(out, n, "billed %s in %s %d", rate, month_names[r->month - 1], r->year);
		return;
	}
	snprintf(out, n, "at the present rate, %s a month (%s %d), the budget lasts %.1f months", rate,
		 month_names[r->month - 1], r->year, (double)f->budget / (double)f->rate);
}

/* "58 enrolments are billed twice in December 2024: ..." or nothing (returns 0) */
static int doubled_line(char *out, size_t n, const struct sk_report *r, const struct sk_report_funder *f)
{
	int64_t d = f->doubled[r->month - 1];
	if (d <= 0)
		return 0;
	snprintf(out, n, "%lld enrolment%s billed twice in %s %d: the same NIK enrolled in two districts "
		 "(see 'sinkron duplicates')", (long long)d, d == 1 ? " is" : "s are", month_names[r->month - 1], r->year);
	return 1;
}

/* ---- text ---- */

/* Display width of UTF-8 text: code points, not bytes. */
static int text_width(const char *s)
{
	int w = 0;
	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

static void put_cell(FILE *f, const char *s, int width, int right)
{
	int pad = width - text_width(s);
	if (right)
		fprintf(f, "%*s%s", pad > 0 ? pad : 0, "", s);
	else
		fprintf(f, "%s%*s", s, pad > 0 ? pad : 0, "");
}

static int col_max(const struct sk_report_table *t, int which, int min)
{
	int w = min;
	for (size_t i = 0; i < t->n; i++) {
		const char *s = which == 0 ? t->rows[i].key : which == 1 ? t->rows[i].name : t->rows[i].parent;
		if (s && text_width(s) > w)
			w = text_width(s);
	}
	return w > 40 ? 40 : w;
}

static void text_row(FILE *f, const struct sk_report *r, const char *const *labels, const int *widths, int nlabels,
		     const struct sk_report_row *row)
{
	char num[48];
	fputs("  ", f);
	for (int i = 0; i < nlabels; i++) {
		put_cell(f, labels[i] ? labels[i] : "", widths[i], 0);
		fputs("  ", f);
	}
	format_count(num, sizeof(num), row->workers);
	put_cell(f, num, 9, 1);
	for (int p = 0; p < r->nprograms; p++) {
		format_count(num, sizeof(num), row->enrolled[p]);
		fputs("  ", f);
		put_cell(f, num, 9, 1);
	}
	sk_rupiah_format(num, sizeof(num), row->premium);
	fputs("  ", f);
	put_cell(f, num, 18, 1);
	fputc('\n', f);
}

static void text_table(FILE *f, const struct sk_report *r, const char *title, const struct sk_report_table *t,
		       const char *const *heads, const int *which, int nlabels)
{
	int widths[3];
	char prem[64];
	const char *labels[3];

	fprintf(f, "\n%s\n", title);
	for (int i = 0; i < nlabels; i++)
		widths[i] = col_max(t, which[i], text_width(heads[i]));
	fputs("  ", f);
	for (int i = 0; i < nlabels; i++) {
		put_cell(f, heads[i], widths[i], 0);
		fputs("  ", f);
	}
	put_cell(f, "workers", 9, 1);
	for (int p = 0; p < r->nprograms; p++) {
		fputs("  ", f);
		put_cell(f, r->programs[p], 9, 1);
	}
	snprintf(prem, sizeof(prem), "premium %.3s %d", month_names[r->month - 1], r->year);
	fputs("  ", f);
	put_cell(f, prem, 18, 1);
	fputc('\n', f);
	for (size_t i = 0; i < t->n; i++) {
		const struct sk_report_row *row = &t->rows[i];
		for (int k = 0; k < nlabels; k++)
			labels[k] = which[k] == 0 ? row->key : which[k] == 1 ? row->name : row->parent;
		text_row(f, r, labels, widths, nlabels, row);
	}
	labels[0] = "total";
	for (int k = 1; k < nlabels; k++)
		labels[k] = "";
	text_row(f, r, labels, widths, nlabels, &t->total);
}

int sk_report_write_text(const struct sk_report *r, FILE *f)
{
	char line[512], a[48], b[48], c[48];
	static const char *const h_district[] = {"code", "distrik"}, *const h_kel[] = {"code", "kelurahan", "distrik"};
	static const char *const h_occ[] = {"occupation"}, *const h_fund[] = {"funder"};
	static const int w_district[] = {0, 1}, w_kel[] = {0, 1, 2}, w_name[] = {1};
	const char *mon = month_names[r->month - 1];

	fprintf(f, "%s%s (%s): enrolment and premium, %d\n", r->is_city ? "" : "Distrik ", r->name, r->code, r->year);
	fprintf(f, "Workers: active in the register now.  Enrolments and premium: in force in %s %d.\n", mon, r->year);
	fprintf(f, "Generated %s.\n", r->generated);

	fprintf(f, "\nBUDGET %d\n", r->year);
	if (!r->nbills)
		fprintf(f, "  nothing billed in %d and no budget set\n", r->year);
	for (size_t i = 0; i < r->nbills; i++) {
		const struct sk_report_funder *b = &r->bills[i];
		sk_report_conclusion(line, sizeof(line), r, b);
		fprintf(f, "  %s\n", line);
		if (b->has_budget) {
			char bill[48], diff[48], pm[48];
			sk_rupiah_format(a, sizeof(a), b->budget);
			sk_rupiah_format(bill, sizeof(bill), b->year_total);
			sk_rupiah_format(diff, sizeof(diff), b->year_total > b->budget ? b->year_total - b->budget
										   : b->budget - b->year_total);
			format_count(pm, sizeof(pm), b->person_months);
			fprintf(f, "    budget %s, bill for the year %s (%s person-months): %s %s\n", a, bill, pm, diff,
				b->year_total > b->budget ? "short" : "left");
		}
		rate_line(line, sizeof(line), r, b);
		fprintf(f, "    %s\n", line);
		if (doubled_line(line, sizeof(line), r, b))
			fprintf(f, "    %s\n", line);
	}
	if (r->unrated)
		fprintf(f, "  warning: %lld enrolment-month(s) have no rate in force and are not priced\n",
			(long long)r->unrated);

	snprintf(line, sizeof(line), "ENROLMENT BY DISTRICT");
	text_table(f, r, line, &r->districts, h_district, w_district, 2);
	text_table(f, r, "ENROLMENT BY KELURAHAN", &r->kelurahan, h_kel, w_kel, 3);
	text_table(f, r, "ENROLMENT BY OCCUPATION", &r->occupations, h_occ, w_name, 1);
	text_table(f, r, "ENROLMENT BY FUNDER (workers: with an enrolment of the funder in force)", &r->funders, h_fund,
		   w_name, 1);

	for (size_t i = 0; i < r->nbills; i++) {
		const struct sk_report_funder *bf = &r->bills[i];
		if (bf->has_budget)
			sk_rupiah_format(a, sizeof(a), bf->budget);
		fprintf(f, "\nMONTHLY BILL %d: %s (%s%s)\n", r->year, bf->funder, bf->has_budget ? "budget " : "no budget set",
			bf->has_budget ? a : "");
		fprintf(f, "  %-15s  %9s", "month", "people");
		for (int p = 0; p < r->nprograms; p++)
			fprintf(f, "  %16s", r->programs[p]);
		fprintf(f, "  %16s  %16s  %16s\n", "total", "cumulative", bf->has_budget ? "budget left" : "");
		for (int m = 0; m < 12; m++) {
			char mname[32];
			snprintf(mname, sizeof(mname), "%s %d", month_names[m], r->year);
			format_count(b, sizeof(b), bf->people[m]);
			fprintf(f, "  %-15s  %9s", mname, b);
			for (int p = 0; p < r->nprograms; p++) {
				sk_rupiah_format(c, sizeof(c), bf->amount[m][p]);
				fprintf(f, "  %16s", c);
			}
			sk_rupiah_format(b, sizeof(b), bf->total[m]);
			sk_rupiah_format(c, sizeof(c), bf->cumulative[m]);
			fprintf(f, "  %16s  %16s", b, c);
			if (bf->has_budget) {
				sk_rupiah_format(c, sizeof(c), bf->budget - bf->cumulative[m]);
				fprintf(f, "  %16s", c);
				if (bf->runs_out == m + 1)
					fputs("  << the budget runs out", f);
			}
			fputc('\n', f);
		}
		format_count(b, sizeof(b), bf->person_months);
		fprintf(f, "  %-15s  %9s", "year", b);
		for (int p = 0; p < r->nprograms; p++) {
			int64_t s = 0;
			for (int m = 0; m < 12; m++)
				s += bf->amount[m][p];
			sk_rupiah_format(c, sizeof(c), s);
			fprintf(f, "  %16s", c);
		}
		sk_rupiah_format(c, sizeof(c), bf->year_total);
		fprintf(f, "  %16s\n", c);
	}
	fflush(f);
	return ferror(f) ? sk_error(SK_ERROR, "cannot write the report: %s", strerror(errno)) : 0;
}

/* ---- files: written beside, then renamed, readable by the owner only ---- */

/* A report table goes to a file of its own (CSV, or the HTML page), or to a sheet of one
 * workbook (.xlsx). */
struct out_file {
	struct sk_private_file pf;
	FILE *f;
	struct sk_xlsx_out *x;
};

static int out_open(struct out_file *o, const char *path)
{
	int rc = sk_private_open(&o->pf, path);
	o->f = o->pf.f;
	return rc;
}

static int out_close(struct out_file *o, int ok)
{
	if (o->x)
		return 0; /* the workbook is closed once, after its last sheet */
	return sk_private_close(&o->pf, ok);
}

/* The table's file in dir, or its sheet in book (named after the file without .csv). */
static int table_open(struct out_file *o, const char *dir, struct sk_xlsx_out *book, const char *file)
{
	char *path;
	int rc;
	if (book) {
		char sheet[32];
		snprintf(sheet, sizeof(sheet), "%.*s", (int)strcspn(file, "."), file);
		o->x = book;
		return sk_xlsx_sheet(book, sheet);
	}
	path = sk_printf("%s/%s", dir, file);
	rc = out_open(o, path);
	free(path);
	return rc;
}

/* ---- CSV ---- */

/* A row of a report table: in a workbook, text cells; in CSV, the dialect the office's Excel
 * reads (';', UTF-8 with a BOM, CRLF), the BOM before the first. */
static int report_row(struct out_file *o, const char *const *fields, size_t n)
{
	static const struct sk_csv_style excel = SK_CSV_EXCEL_ID;
	int rc;
	if (o->x)
		return sk_xlsx_row(o->x, fields, n);
	if (ftell(o->f) == 0 && (rc = sk_csv_write_start(o->f, &excel)) < 0)
		return rc;
	return sk_csv_write(o->f, &excel, fields, n);
}

static int csv_table(const struct sk_report *r, const char *dir, struct sk_xlsx_out *book, const char *file,
		     const struct sk_report_table *t, const char *const *heads, int nlabels)
{
	struct out_file o = {0};
	char *num[3 + 1 + SK_REPORT_PROGRAMS + 1];
	const char *fields[3 + 1 + SK_REPORT_PROGRAMS + 1 + 1];
	char premium[40];
	int rc, n = 0;

	rc = table_open(&o, dir, book, file);
	if (rc < 0)
		return rc;
	for (int i = 0; i < nlabels; i++)
		fields[n++] = heads[i];
	fields[n++] = "workers";
	for (int p = 0; p < r->nprograms; p++)
		fields[n++] = r->programs[p];
	snprintf(premium, sizeof(premium), "premium_%04d_%02d", r->year, r->month);
	fields[n++] = premium;
	if ((rc = report_row(&o, fields, (size_t)n)) < 0)
		goto done;
	for (size_t i = 0; i <= t->n; i++) {
		const struct sk_report_row *row = i < t->n ? &t->rows[i] : &t->total;
		int k = 0;
		n = 0;
		for (int c = 0; c < nlabels; c++) {
			const char *v = c == 0 ? row->key : c == 1 ? row->name : row->parent;
			fields[n++] = i < t->n ? v : c == 0 ? "total" : "";
		}
		num[k] = sk_printf("%lld", (long long)row->workers);
		fields[n++] = num[k++];
		for (int p = 0; p < r->nprograms; p++) {
			num[k] = sk_printf("%lld", (long long)row->enrolled[p]);
			fields[n++] = num[k++];
		}
		num[k] = sk_printf("%lld", (long long)row->premium);
		fields[n++] = num[k++];
		rc = report_row(&o, fields, (size_t)n);
		for (int j = 0; j < k; j++)
			free(num[j]);
		if (rc < 0)
			goto done;
	}
done:
	{
		int rc2 = out_close(&o, rc == 0);
		return rc < 0 ? rc : rc2;
	}
}

static int csv_bill(const struct sk_report *r, const char *dir, struct sk_xlsx_out *book)
{
	struct out_file o = {0};
	char file[32], month[16];
	const char *fields[8 + SK_REPORT_PROGRAMS];
	char num[8 + SK_REPORT_PROGRAMS][32];
	int rc, n = 0;

	snprintf(file, sizeof(file), "bill-%04d.csv", r->year);
	rc = table_open(&o, dir, book, file);
	if (rc < 0)
		return rc;
	fields[n++] = "month";
	fields[n++] = "funder";
	fields[n++] = "people";
	for (int p = 0; p < r->nprograms; p++)
		fields[n++] = r->programs[p];
	fields[n++] = "total";
	fields[n++] = "cumulative";
	fields[n++] = "budget";
	fields[n++] = "budget_left";
	if ((rc = report_row(&o, fields, (size_t)n)) < 0)
		goto done;
	for (size_t i = 0; i < r->nbills; i++) {
		const struct sk_report_funder *b = &r->bills[i];
		for (int m = 0; m < 12; m++) {
			int k = 0;
			n = 0;
			snprintf(month, sizeof(month), "%04d-%02d", r->year, m + 1);
			fields[n++] = month;
			fields[n++] = b->funder;
			snprintf(num[k], sizeof(num[k]), "%lld", (long long)b->people[m]);
			fields[n++] = num[k++];
			for (int p = 0; p < r->nprograms; p++) {
				snprintf(num[k], sizeof(num[k]), "%lld", (long long)b->amount[m][p]);
				fields[n++] = num[k++];
			}
			snprintf(num[k], sizeof(num[k]), "%lld", (long long)b->total[m]);
			fields[n++] = num[k++];
			snprintf(num[k], sizeof(num[k]), "%lld", (long long)b->cumulative[m]);
			fields[n++] = num[k++];
			if (b->has_budget) {
				snprintf(num[k], sizeof(num[k]), "%lld", (long long)b->budget);
				fields[n++] = num[k++];
				snprintf(num[k], sizeof(num[k]), "%lld", (long long)(b->budget - b->cumulative[m]));
				fields[n++] = num[k++];
			} else {
				fields[n++] = NULL;
				fields[n++] = NULL;
			}
			if ((rc = report_row(&o, fields, (size_t)n)) < 0)
				goto done;
		}
	}
done:
	{
		int rc2 = out_close(&o, rc == 0);
		return rc < 0 ? rc : rc2;
	}
}

static int csv_budget(const struct sk_report *r, const char *dir, struct sk_xlsx_out *book)
{
	static const char *const heads[] = {"funder", "year", "budget", "bill_year", "person_months", "months_billed",
					    "months_paid", "runs_out", "present_rate", "conclusion"};
	struct out_file o = {0};
	char file[32], num[8][32], line[512];
	const char *fields[10];
	int rc;

	snprintf(file, sizeof(file), "budget-%04d.csv", r->year);
	rc = table_open(&o, dir, book, file);
	if (rc < 0)
		return rc;
	if ((rc = report_row(&o, heads, 10)) < 0)
		goto done;
	for (size_t i = 0; i < r->nbills; i++) {
		const struct sk_report_funder *b = &r->bills[i];
		fields[0] = b->funder;
		snprintf(num[0], 32, "%d", r->year);
		snprintf(num[1], 32, "%lld", (long long)b->budget);
		snprintf(num[2], 32, "%lld", (long long)b->year_total);
		snprintf(num[3], 32, "%lld", (long long)b->person_months);
		snprintf(num[4], 32, "%d", b->months_billed);
		snprintf(num[5], 32, "%d", b->months_paid);
		if (b->runs_out)
			snprintf(num[6], 32, "%04d-%02d", r->year, b->runs_out);
		else
			num[6][0] = '\0';
		snprintf(num[7], 32, "%lld", (long long)b->rate);
		for (int k = 0; k < 8; k++)
			fields[k + 1] = num[k];
		if (!b->has_budget)
			fields[2] = fields[6] = NULL;
		sk_report_conclusion(line, sizeof(line), r, b);
		fields[9] = line;
		if ((rc = report_row(&o, fields, 10)) < 0)
			goto done;
	}
done:
	{
		int rc2 = out_close(&o, rc == 0);
		return rc < 0 ? rc : rc2;
	}
}

/* Every table, as files in dir or as sheets of book. */
static int write_tables(const struct sk_report *r, const char *dir, struct sk_xlsx_out *book)
{
	static const char *const h_district[] = {"code", "distrik"}, *const h_kel[] = {"code", "kelurahan", "distrik"};
	static const char *const h_occ[] = {"occupation_key", "occupation"}, *const h_fund[] = {"funder"};
	int rc;
	if ((rc = csv_budget(r, dir, book)) < 0 || (rc = csv_bill(r, dir, book)) < 0 ||
	    (rc = csv_table(r, dir, book, "districts.csv", &r->districts, h_district, 2)) < 0 ||
	    (rc = csv_table(r, dir, book, "kelurahan.csv", &r->kelurahan, h_kel, 3)) < 0 ||
	    (rc = csv_table(r, dir, book, "occupations.csv", &r->occupations, h_occ, 2)) < 0 ||
	    (rc = csv_table(r, dir, book, "funders.csv", &r->funders, h_fund, 1)) < 0)
		return rc;
	return 0;
}

int sk_report_write_xlsx(const struct sk_report *r, const char *path)
{
	struct sk_xlsx_out *book;
	int rc;
	if ((rc = sk_xlsx_open(&book, path, NULL)) < 0)
		return rc;
	rc = write_tables(r, NULL, book);
	{
		int rc2 = sk_xlsx_close(book, rc == 0);
		return rc < 0 ? rc : rc2;
	}
}

int sk_report_write_csv(const struct sk_report *r, const char *dir)
{
	struct stat sb;
	int rc;

	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return sk_error(SK_ERROR, "cannot create '%s': %s", dir, strerror(errno));
	if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
		return sk_error(SK_EINVALID, "'%s' is not a folder", dir);
	if ((rc = write_tables(r, dir, NULL)) < 0)
		return rc;
	return 0;
}

/* ---- HTML ---- */

static void esc(struct sk_buf *b, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': sk_buf_puts(b, "&amp;"); break;
		case '<': sk_buf_puts(b, "&lt;"); break;
		case '>': sk_buf_puts(b, "&gt;"); break;
		case '"': sk_buf_puts(b, "&quot;"); break;
		case '\'': sk_buf_puts(b, "&#39;"); break;
		default: sk_buf_putc(b, *s);
		}
	}
}

/* s cut to at most max characters (code points), with an ellipsis when cut. */
static void esc_cut(struct sk_buf *b, const char *s, int max)
{
	int w = 0;
	const char *p = s;
	if (text_width(s) <= max) {
		esc(b, s);
		return;
	}
	for (; *p; p++) {
		if (((unsigned char)*p & 0xc0) != 0x80 && ++w > max - 1)
			break;
	}
	{
		char *cut = sk_strndup(s, (size_t)(p - s));
		esc(b, cut);
		free(cut);
	}
	sk_buf_puts(b, "\xe2\x80\xa6");
}

/* Short amounts for chart axes and labels: Rp2.2 bn, Rp390 mn, Rp12.5 mn, Rp500k. */
static void short_rupiah(char *out, size_t n, int64_t v)
{
	static const struct { int64_t unit; const char *name; } units[] = {
		{1000000000, " bn"}, {1000000, " mn"}, {1000, "k"}};
	for (size_t i = 0; i < SK_ARRAY_SIZE(units); i++) {
		int64_t u = units[i].unit;
		if (v < u)
			continue;
		if (v % u == 0 || v >= 100 * u)
			snprintf(out, n, "Rp%.0f%s", (double)v / (double)u, units[i].name);
		else
			snprintf(out, n, "Rp%.1f%s", (double)v / (double)u, units[i].name);
		return;
	}
	sk_rupiah_format(out, n, v);
}

/* A round step for about `parts` grid lines up to max. */
static int64_t nice_step(int64_t max, int parts)
{
	int64_t raw = max / parts, p = 1;
	if (raw < 1)
		return 1;
	while (p * 10 <= raw)
		p *= 10;
	if (raw <= p)
		return p;
	if (raw <= 2 * p)
		return 2 * p;
	if (raw <= 5 * p)
		return 5 * p;
	return 10 * p;
}

struct bar {
	const char *label;
	int64_t value;
};

/* Horizontal bars with the label above each bar: drawn 400 units wide, the chart keeps its
 * text readable when a phone shrinks it to its screen. */
static void svg_bars(struct sk_buf *b, const char *what, const struct bar *bars, size_t n, int rupiah, const char *color)
{
	const int W = 400, row = 38, top = 4, vw = 64;
	int64_t max = 1;
	char num[48];

	for (size_t i = 0; i < n; i++)
		if (bars[i].value > max)
			max = bars[i].value;
	sk_buf_printf(b, "<svg viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"", W, top * 2 + row * (int)n);
	esc(b, what);
	sk_buf_puts(b, "\" class=\"chart bars\">\n");
	for (size_t i = 0; i < n; i++) {
		int y = top + row * (int)i;
		double w = (double)(W - vw - 2) * (double)bars[i].value / (double)max;
		if (rupiah)
			sk_rupiah_format(num, sizeof(num), bars[i].value);
		else
			format_count(num, sizeof(num), bars[i].value);
		sk_buf_puts(b, "<g><title>");
		esc(b, bars[i].label);
		sk_buf_printf(b, ": %s</title>", num);
		sk_buf_printf(b, "<text x=\"2\" y=\"%d\" class=\"lbl\">", y + 13);
		esc_cut(b, bars[i].label, 48);
		sk_buf_printf(b, "</text><rect x=\"2\" y=\"%d\" width=\"%.1f\" height=\"15\" rx=\"3\" fill=\"%s\"/>", y + 18,
			      w < 1 && bars[i].value ? 1.0 : w, color);
		sk_buf_printf(b, "<text x=\"%.1f\" y=\"%d\" class=\"val\">%s</text></g>\n", w + 8, y + 30, num);
	}
	sk_buf_puts(b, "</svg>\n");
}

/* The cumulative bill month by month against the budget: where the line crosses it, the money
 * is gone.  The bars under it are each month's bill. */
static void svg_budget(struct sk_buf *b, const struct sk_report *r, const struct sk_report_funder *f)
{
	const int W = 400, H = 250, ml = 62, mr = 8, mt = 22, mb = 22;
	const double pw = W - ml - mr, ph = H - mt - mb, slot = pw / 12;
	int64_t top = f->cumulative[11], step;
	char num[48];

	if (f->has_budget && f->budget > top)
		top = f->budget;
	if (top <= 0)
		top = 1;
	step = nice_step(top, 4);
	top = (top + step - 1) / step * step;
#define Y(v) (mt + ph - ph * (double)(v) / (double)top)
	sk_buf_printf(b, "<svg viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"cumulative bill of ", W, H);
	esc(b, f->funder);
	sk_buf_printf(b, " against its budget, %d\" class=\"chart line\">\n", r->year);
	for (int64_t v = 0; v <= top; v += step) {
		short_rupiah(num, sizeof(num), v);
		sk_buf_printf(b, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" class=\"grid\"/>"
			      "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" class=\"axis\">%s</text>\n",
			      ml, W - mr, Y(v), Y(v), ml - 4, Y(v) + 4, num);
	}
	for (int m = 0; m < 12; m++) {
		double x = ml + slot * m;
		sk_buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" class=\"month%s\"><title>%s %d: %s</title></rect>",
			      x + slot * 0.18, Y(f->total[m]), slot * 0.64, ph - (Y(f->total[m]) - mt),
			      f->runs_out && m + 1 >= f->runs_out ? " unpaid" : "", month_names[m], r->year,
			      (sk_rupiah_format(num, sizeof(num), f->total[m]), num));
		/* three letters, or one on a phone where the chart is small (the CSS picks) */
		sk_buf_printf(b, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" class=\"axis m3\">%.3s</text>"
			      "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" class=\"axis m1\">%.1s</text>\n",
			      x + slot / 2, H - 6, month_names[m], x + slot / 2, H - 4, month_names[m]);
	}
	if (f->has_budget) {
		short_rupiah(num, sizeof(num), f->budget);
		sk_buf_printf(b, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" class=\"budget\"/>"
			      "<text x=\"%d\" y=\"%.1f\" class=\"budgetlbl\">budget %s</text>\n",
			      ml, W - mr, Y(f->budget), Y(f->budget), ml + 4, Y(f->budget) - 5, num);
	}
	sk_buf_puts(b, "<polyline class=\"cum\" points=\"");
	sk_buf_printf(b, "%d,%.1f ", ml, Y(0));
	for (int m = 0; m < 12; m++)
		sk_buf_printf(b, "%.1f,%.1f ", ml + slot * (m + 1), Y(f->cumulative[m]));
	sk_buf_puts(b, "\"/>\n");
	for (int m = 0; m < 12; m++) {
		int over = f->has_budget && f->cumulative[m] > f->budget;
		sk_rupiah_format(num, sizeof(num), f->cumulative[m]);
		sk_buf_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" class=\"%s\"><title>spent by the end of %s: %s</title></circle>\n",
			      ml + slot * (m + 1), Y(f->cumulative[m]), over ? "pt over" : "pt", month_names[m], num);
	}
	if (f->runs_out) {
		double x = ml + slot * (f->runs_out - 1) + slot / 2;
		sk_buf_printf(b, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%.1f\" class=\"out\"/>"
			      "<text x=\"%.1f\" y=\"%d\" text-anchor=\"%s\" class=\"outlbl\">runs out in %s</text>\n",
			      x, x, mt - 8, mt + ph, x + (f->runs_out > 7 ? -4 : 4), mt - 10 + 12, f->runs_out > 7 ? "end" : "start",
			      month_names[f->runs_out - 1]);
	}
	sk_buf_puts(b, "</svg>\n");
#undef Y
}

static void html_table(struct sk_buf *b, const struct sk_report *r, const struct sk_report_table *t,
		       const char *const *heads, const int *which, int nlabels)
{
	char num[48];
	sk_buf_puts(b, "<div class=\"scroll\"><table>\n<thead><tr>");
	for (int i = 0; i < nlabels; i++) {
		sk_buf_puts(b, "<th class=\"l\">");
		esc(b, heads[i]);
		sk_buf_puts(b, "</th>");
	}
	sk_buf_puts(b, "<th>workers</th>");
	for (int p = 0; p < r->nprograms; p++) {
		sk_buf_puts(b, "<th>");
		esc(b, r->programs[p]);
		sk_buf_puts(b, "</th>");
	}
	sk_buf_printf(b, "<th>premium, %.3s %d</th></tr></thead>\n<tbody>\n", month_names[r->month - 1], r->year);
	for (size_t i = 0; i <= t->n; i++) {
		const struct sk_report_row *row = i < t->n ? &t->rows[i] : &t->total;
		sk_buf_puts(b, i < t->n ? "<tr>" : "</tbody>\n<tfoot><tr class=\"total\">");
		for (int c = 0; c < nlabels; c++) {
			const char *v = which[c] == 0 ? row->key : which[c] == 1 ? row->name : row->parent;
			sk_buf_puts(b, "<td class=\"l\">");
			esc(b, i < t->n ? v : c == 0 ? "total" : "");
			sk_buf_puts(b, "</td>");
		}
		format_count(num, sizeof(num), row->workers);
		sk_buf_printf(b, "<td>%s</td>", num);
		for (int p = 0; p < r->nprograms; p++) {
			format_count(num, sizeof(num), row->enrolled[p]);
			sk_buf_printf(b, "<td>%s</td>", num);
		}
		sk_rupiah_format(num, sizeof(num), row->premium);
		sk_buf_printf(b, "<td>%s</td></tr>\n", num);
	}
	sk_buf_puts(b, "</tfoot></table></div>\n");
}

static void html_bill(struct sk_buf *b, const struct sk_report *r, const struct sk_report_funder *f)
{
	char num[48];
	sk_buf_puts(b, "<div class=\"scroll\"><table>\n<thead><tr><th class=\"l\">month</th><th>people</th>");
	for (int p = 0; p < r->nprograms; p++) {
		sk_buf_puts(b, "<th>");
		esc(b, r->programs[p]);
		sk_buf_puts(b, "</th>");
	}
	sk_buf_printf(b, "<th>total</th><th>cumulative</th>%s</tr></thead>\n<tbody>\n",
		      f->has_budget ? "<th>budget left</th>" : "");
	for (int m = 0; m < 12; m++) {
		int over = f->has_budget && f->cumulative[m] > f->budget;
		format_count(num, sizeof(num), f->people[m]);
		sk_buf_printf(b, "<tr%s><td class=\"l\">%s %d%s</td><td>%s</td>", over ? " class=\"over\"" : "",
			      month_names[m], r->year, f->runs_out == m + 1 ? " &#9888;" : "", num);
		for (int p = 0; p < r->nprograms; p++) {
			sk_rupiah_format(num, sizeof(num), f->amount[m][p]);
			sk_buf_printf(b, "<td>%s</td>", num);
		}
		sk_rupiah_format(num, sizeof(num), f->total[m]);
		sk_buf_printf(b, "<td>%s</td>", num);
		sk_rupiah_format(num, sizeof(num), f->cumulative[m]);
		sk_buf_printf(b, "<td>%s</td>", num);
		if (f->has_budget) {
			sk_rupiah_format(num, sizeof(num), f->budget - f->cumulative[m]);
			sk_buf_printf(b, "<td>%s</td>", num);
		}
		sk_buf_puts(b, "</tr>\n");
	}
	format_count(num, sizeof(num), f->person_months);
	sk_buf_printf(b, "</tbody>\n<tfoot><tr class=\"total\"><td class=\"l\">year</td><td>%s</td>", num);
	for (int p = 0; p < r->nprograms; p++) {
		int64_t s = 0;
		for (int m = 0; m < 12; m++)
			s += f->amount[m][p];
		sk_rupiah_format(num, sizeof(num), s);
		sk_buf_printf(b, "<td>%s</td>", num);
	}
	sk_rupiah_format(num, sizeof(num), f->year_total);
	sk_buf_printf(b, "<td>%s</td><td></td>%s</tr></tfoot></table></div>\n", num, f->has_budget ? "<td></td>" : "");
	sk_buf_puts(b, "<p class=\"muted\">people: persons (NIK) billed in the month; a person enrolled for part of the year "
		       "is billed only for the months their enrolment covers.</p>\n");
}

static const char html_style[] =
	"*{box-sizing:border-box}"
	"body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans',Arial,sans-serif;margin:0;color:#1d2329;"
	"background:#f3f5f7;line-height:1.45;font-size:16px}"
	"header{background:#0b4f6c;color:#fff;padding:1rem}"
	"header p{margin:.2rem 0 0;opacity:.9;font-size:.9rem}"
	"main{max-width:62rem;margin:0 auto;padding:.5rem 1rem 2rem}"
	"h1{font-size:1.35rem;margin:0;max-width:62rem}"
	"header div{max-width:62rem;margin:0 auto}"
	"h2{font-size:1.15rem;margin:1.6rem 0 .5rem;padding-bottom:.2rem;border-bottom:2px solid #0b4f6c}"
	"h3{font-size:1rem;margin:1rem 0 .3rem}"
	".card{background:#fff;border-radius:8px;padding:.8rem 1rem;margin:.7rem 0;box-shadow:0 1px 3px rgba(0,0,0,.15)}"
	".card.bad{border-left:8px solid #c62828}.card.good{border-left:8px solid #2e7d32}.card.none{border-left:8px solid #888}"
	".big{font-size:1.2rem;font-weight:650;margin:0 0 .3rem}"
	".card p{margin:.2rem 0}"
	".muted{color:#555;font-size:.85rem}"
	".scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;margin:.4rem 0}"
	"table{border-collapse:collapse;width:100%;font-size:.88rem;background:#fff}"
	"th,td{padding:.3rem .55rem;border-bottom:1px solid #dfe3e8;text-align:right;white-space:nowrap;"
	"font-variant-numeric:tabular-nums}"
	"th{background:#e8eef2;position:sticky;top:0}"
	".l{text-align:left}"
	"tr.total td{font-weight:700;border-top:2px solid #333}"
	"tr.over td{color:#b71c1c}"
	"svg.chart{width:100%;height:auto;display:block;background:#fff;border-radius:8px;margin:.4rem 0;padding:.3rem}"
	"svg.line{max-width:44rem}svg.bars{max-width:32rem}"
	"svg text{font-family:inherit}"
	".lbl,.val{font-size:13px;fill:#1d2329}.val{font-weight:600}.axis{fill:#555;font-size:11px}"
	".grid{stroke:#e3e6ea}.month{fill:#9cc3d5}.month.unpaid{fill:#ef9a9a}"
	".budget{stroke:#c62828;stroke-width:2;stroke-dasharray:7 5}.budgetlbl{fill:#c62828;font-size:12px;font-weight:600}"
	".cum{fill:none;stroke:#0b4f6c;stroke-width:2.5}.pt{fill:#0b4f6c}.pt.over{fill:#c62828}"
	".out{stroke:#c62828;stroke-width:1.5}.outlbl{fill:#c62828;font-size:12px;font-weight:600}"
	".legend{font-size:.85rem;color:#333}.legend span{display:inline-block;margin-right:1rem}"
	".sw{display:inline-block;width:1.4em;height:.7em;vertical-align:middle;margin-right:.3em}"
	"footer{color:#555;font-size:.8rem;max-width:62rem;margin:0 auto;padding:0 1rem 2rem}"
	".m1{display:none}"
	"@media (max-width:600px){body{font-size:15px}th,td{padding:.25rem .4rem}.big{font-size:1.05rem}"
	".axis{font-size:12px}.budgetlbl,.outlbl{font-size:14px}.m3{display:none}.m1{display:inline}.card{padding:.6rem .7rem}}"
	"@media print{body{background:#fff}.card,svg.chart{box-shadow:none;border:1px solid #ccc}th{position:static}}";

static void html_bars_of(struct sk_buf *b, const char *what, const struct sk_report_table *t, int limit, int by_name,
			 const char *color)
{
	size_t n = t->n, shown = limit > 0 && n > (size_t)limit ? (size_t)limit - 1 : n;
	struct bar *bars = sk_calloc(shown + 1, sizeof(*bars));
	char other[64];
	for (size_t i = 0; i < shown; i++) {
		bars[i].label = by_name ? t->rows[i].name : t->rows[i].name;
		bars[i].value = t->rows[i].workers;
	}
	if (shown < n) {
		snprintf(other, sizeof(other), "%zu others", n - shown);
		bars[shown].label = other;
		for (size_t i = shown; i < n; i++)
			bars[shown].value += t->rows[i].workers;
	}
	svg_bars(b, what, bars, shown + (shown < n), 0, color);
	free(bars);
}

int sk_report_write_html(const struct sk_report *r, const char *path)
{
	static const char *const h_district[] = {"code", "distrik"}, *const h_kel[] = {"code", "kelurahan", "distrik"};
	static const char *const h_occ[] = {"occupation"}, *const h_fund[] = {"funder"};
	static const int w_district[] = {0, 1}, w_kel[] = {0, 1, 2}, w_name[] = {1};
	struct sk_buf b;
	struct out_file o = {0};
	char line[512], num[48], num2[48];
	const char *mon = month_names[r->month - 1];
	int rc;

	sk_buf_init(&b, 0);
	sk_buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
			"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
	esc(&b, r->name);
	sk_buf_printf(&b, ": JKK/JKM enrolment and premium %d</title>\n<style>%s</style>\n</head>\n<body>\n", r->year, html_style);
	sk_buf_puts(&b, "<header><div><h1>");
	if (!r->is_city)
		sk_buf_puts(&b, "Distrik ");
	esc(&b, r->name);
	sk_buf_printf(&b, " (%s): BPJS Ketenagakerjaan JKK/JKM, %d</h1>\n", r->code, r->year);
	sk_buf_printf(&b, "<p>Enrolment and premium in force in %s %d &middot; monthly bill and budget for %d &middot; made %s</p>"
			  "</div></header>\n<main>\n", mon, r->year, r->year, r->generated);

	sk_buf_printf(&b, "<h2 id=\"budget\">Budget %d</h2>\n", r->year);
	if (!r->nbills)
		sk_buf_printf(&b, "<div class=\"card none\"><p class=\"big\">Nothing billed in %d and no budget set.</p></div>\n", r->year);
	for (size_t i = 0; i < r->nbills; i++) {
		const struct sk_report_funder *f = &r->bills[i];
		sk_report_conclusion(line, sizeof(line), r, f);
		sk_buf_printf(&b, "<div class=\"card %s\"><p class=\"big conclusion\">",
			      !f->has_budget ? "none" : f->runs_out ? "bad" : "good");
		esc(&b, line);
		sk_buf_puts(&b, "</p>\n");
		if (f->has_budget) {
			sk_rupiah_format(num, sizeof(num), f->budget);
			sk_rupiah_format(num2, sizeof(num2), f->year_total);
			sk_buf_printf(&b, "<p>Budget <b>%s</b>; bill for the year <b>%s</b>", num, num2);
			sk_rupiah_format(num, sizeof(num), f->year_total > f->budget ? f->year_total - f->budget : f->budget - f->year_total);
			format_count(num2, sizeof(num2), f->person_months);
			sk_buf_printf(&b, " (%s person-months): <b>%s %s</b>.</p>\n", num2, num,
				      f->year_total > f->budget ? "short" : "left");
		}
		rate_line(line, sizeof(line), r, f);
		sk_buf_puts(&b, "<p class=\"muted\">");
		esc(&b, line);
		sk_buf_puts(&b, ".</p>\n");
		if (doubled_line(line, sizeof(line), r, f)) {
			sk_buf_puts(&b, "<p class=\"muted\">");
			esc(&b, line);
			sk_buf_puts(&b, ".</p>\n");
		}
		if (f->months_billed) {
			svg_budget(&b, r, f);
			sk_buf_puts(&b, "<p class=\"legend\"><span><i class=\"sw\" style=\"background:#0b4f6c\"></i>spent so far</span>"
					"<span><i class=\"sw\" style=\"background:#9cc3d5\"></i>bill of the month</span>");
			if (f->has_budget)
				sk_buf_puts(&b, "<span><i class=\"sw\" style=\"border-top:3px dashed #c62828;height:0\"></i>budget</span>"
						"<span><i class=\"sw\" style=\"background:#ef9a9a\"></i>months not paid in full</span>");
			sk_buf_puts(&b, "</p>\n");
		}
		sk_buf_puts(&b, "</div>\n");
	}
	if (r->unrated)
		sk_buf_printf(&b, "<p class=\"card bad\">%lld enrolment-month(s) have no rate in force and are not priced.</p>\n",
			      (long long)r->unrated);

	sk_buf_puts(&b, "<h2 id=\"district\">Workers by district</h2>\n");
	if (r->districts.n > 1 || !r->kelurahan.n)
		html_bars_of(&b, "active workers by district", &r->districts, 0, 1, "#2a7ab0");
	else
		html_bars_of(&b, "active workers by kelurahan", &r->kelurahan, 0, 1, "#2a7ab0");
	html_table(&b, r, &r->districts, h_district, w_district, 2);

	sk_buf_puts(&b, "<h2 id=\"occupation\">Workers by occupation</h2>\n");
	html_bars_of(&b, "active workers by occupation", &r->occupations, 15, 1, "#e08a1e");
	html_table(&b, r, &r->occupations, h_occ, w_name, 1);

	sk_buf_puts(&b, "<h2 id=\"kelurahan\">Workers by kelurahan</h2>\n");
	html_table(&b, r, &r->kelurahan, h_kel, w_kel, 3);

	sk_buf_puts(&b, "<h2 id=\"funder\">Enrolment by funder</h2>\n");
	html_table(&b, r, &r->funders, h_fund, w_name, 1);
	sk_buf_puts(&b, "<p class=\"muted\">workers: with an enrolment of the funder in force in the month.</p>\n");

	for (size_t i = 0; i < r->nbills; i++) {
		sk_buf_printf(&b, "<h2>Monthly bill %d: ", r->year);
		esc(&b, r->bills[i].funder);
		sk_buf_puts(&b, "</h2>\n");
		html_bill(&b, r, &r->bills[i]);
	}
	sk_buf_printf(&b, "</main>\n<footer>Workers: active in the register. Enrolments and premium: in force in %s %d. "
			  "Each month is billed for every enrolment covering it on any day, priced by the rate in force on its "
			  "first day (the rates table: JKK a percentage of the income bracket, JKM a flat amount); months after "
			  "today are billed from the enrolments as they stand. Made by sinkron from ", mon, r->year);
	esc(&b, r->name);
	sk_buf_printf(&b, " (%s), %s.</footer>\n</body>\n</html>\n", r->code, r->generated);

	if ((rc = out_open(&o, path)) < 0)
		goto done;
	fwrite(b.ptr, 1, b.len, o.f);
	rc = out_close(&o, 1);
done:
	sk_buf_release(&b);
	return rc;
}

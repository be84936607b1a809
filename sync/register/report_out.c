/*
 * report_out.c: the city's report written out: as text for a terminal, as CSV files in a
 * folder (the dialect the office's Excel reads), or as one .xlsx workbook with a sheet per
 * table.  Files are written beside, then renamed, readable by the owner only.
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
#include "report.h"
#include "xlsxout.h"

/* ---- text ---- */


static void put_cell(FILE *f, const char *s, int width, int right)
{
	int pad = width - sk_text_width(s);
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
		if (s && sk_text_width(s) > w)
			w = sk_text_width(s);
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
	sk_count_format(num, sizeof(num), row->workers);
	put_cell(f, num, 9, 1);
	for (int p = 0; p < r->nprograms; p++) {
		sk_count_format(num, sizeof(num), row->enrolled[p]);
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
		widths[i] = col_max(t, which[i], sk_text_width(sk_report_word(r, heads[i])));
	fputs("  ", f);
	for (int i = 0; i < nlabels; i++) {
		put_cell(f, sk_report_word(r, heads[i]), widths[i], 0);
		fputs("  ", f);
	}
	put_cell(f, sk_report_word(r, "workers"), 9, 1);
	for (int p = 0; p < r->nprograms; p++) {
		fputs("  ", f);
		put_cell(f, r->programs[p], 9, 1);
	}
	snprintf(prem, sizeof(prem), "%s %.3s %d", sk_report_word(r, "premium"), sk_report_month(r, r->month), r->year);
	fputs("  ", f);
	put_cell(f, prem, 18, 1);
	fputc('\n', f);
	for (size_t i = 0; i < t->n; i++) {
		const struct sk_report_row *row = &t->rows[i];
		for (int k = 0; k < nlabels; k++)
			labels[k] = which[k] == 0 ? row->key : which[k] == 1 ? row->name : row->parent;
		text_row(f, r, labels, widths, nlabels, row);
	}
	labels[0] = sk_report_word(r, "total");
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
	const char *mon = sk_report_month(r, r->month);

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
			sk_count_format(pm, sizeof(pm), b->person_months);
			fprintf(f, "    budget %s, bill for the year %s (%s person-months): %s %s\n", a, bill, pm, diff,
				b->year_total > b->budget ? "short" : "left");
		}
		sk_report_rate_line(line, sizeof(line), r, b);
		fprintf(f, "    %s\n", line);
		if (sk_report_doubled_line(line, sizeof(line), r, b))
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
		fprintf(f, "  %-15s  %9s", sk_report_word(r, "month"), sk_report_word(r, "people"));
		for (int p = 0; p < r->nprograms; p++)
			fprintf(f, "  %16s", r->programs[p]);
		fprintf(f, "  %16s  %16s  %16s\n", sk_report_word(r, "total"), sk_report_word(r, "cumulative"),
			bf->has_budget ? sk_report_word(r, "budget left") : "");
		for (int m = 0; m < 12; m++) {
			char mname[32];
			snprintf(mname, sizeof(mname), "%s %d", sk_report_month(r, m + 1), r->year);
			sk_count_format(b, sizeof(b), bf->people[m]);
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
					fprintf(f, "  %s", sk_report_word(r, "<< the budget runs out"));
			}
			fputc('\n', f);
		}
		sk_count_format(b, sizeof(b), bf->person_months);
		fprintf(f, "  %-15s  %9s", sk_report_word(r, "year"), b);
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

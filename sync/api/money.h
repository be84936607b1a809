/*
 * api/money.h: funders, bills, deaths, counts, reports and budgets.
 * Part of sinkron's public API (gathered by sync.h), implemented by the register layer.
 */
#ifndef SK_API_MONEY_H
#define SK_API_MONEY_H

#include "store.h"

/* ---- funders and their schemes ----
 * Who pays (APBD Kota, APBD Provinsi, APBD Kabupaten, a company's CSR, the worker), on what
 * terms: a list the command line and the forms choose from, kept as data (table funders). */
struct sk_funder {
	const char *name;       /* "APBD Kota"; compared without case */
	const char *kind;       /* apbd, csr, self, other */
	const char *programs;   /* the programmes the scheme pays: "JKK+JKM" */
	int64_t bracket;        /* the income bracket it pays at, rupiah; 0: the worker's declared one */
	int age_min, age_max;   /* ages covered (0: no limit) */
	int age_warn;           /* outside those ages: 1 a warning, 0 the enrolment is refused */
	int backdate_months;    /* months before the current one a start may lie in without a decision */
	const char *regulation; /* what it rests on, or NULL */
	int active;             /* 0: kept for history, no new enrolments */
};
/* Calls fn for each funder by name (inactive ones too); fn returns non-zero to stop. */
int sk_funder_each(struct sk_db *db, int (*fn)(void *payload, const struct sk_funder *f), void *payload);
/* Adds the funder f->name, or changes it when it exists (same name without case).  SK_EINVALID
 * for a programme list that is not JKK, JKM, JHT joined by '+', a kind not in the list, ages
 * out of order. */
int sk_funder_set(struct sk_db *db, const struct sk_funder *f);
/* The funder's name as the list spells it, into out; SK_ENOTFOUND (naming the list) when no
 * funder of that name exists or it is inactive. */
int sk_funder_resolve(struct sk_db *db, char *out, size_t n, const char *name);

struct sk_bill_line {
	const char *funder, *program; /* valid during the callback only */
	int64_t people;   /* distinct NIKs billed */
	int64_t amount;   /* rupiah for the month */
	int64_t unrated;  /* enrolments with no rate in force that month */
};
/* The premium for month ("2024-03") per funder and programme, from the rates in force then. */
int sk_bill(struct sk_db *db, const char *month, int (*fn)(void *payload, const struct sk_bill_line *l), void *payload);
/* The bill of month as an .xlsx at path (a personal-data file): one sheet "Tagihan", a line per
 * funder and programme (people, rupiah, every cell text) and the total last (citydesk.c). */
int sk_bill_write_xlsx(struct sk_db *db, const char *month, const char *path);

/* One death of the month: a worker ended with the reason "meninggal dunia". */
struct sk_death {
	const char *id, *owner, *district, *nik, *name, *died_on, *kpj;
	int nheirs;          /* 0: no heir registered, the JKM benefit cannot be claimed yet */
	const char *heirs;   /* "Maria Kambu (istri, NIK ..., 0812...); ..." or NULL */
	int jkm;             /* enrolled in JKM when they died */
};
/* The deaths of month ("2024-03") by district, never a record marked as a duplicate. */
int sk_deaths_each(struct sk_db *db, const char *month, int (*fn)(void *payload, const struct sk_death *d), void *payload);

struct sk_counts { int64_t active, ended, heirs, enrolments; };
int sk_counts(struct sk_db *db, struct sk_counts *out);

/* ---- reports ----
 * What the city admin reads (a district can read its own): enrolment counted by district,
 * kelurahan, occupation and funder, and each funder's monthly bill over a year set against the
 * budget set for it, as text, CSV files or one self-contained HTML page.  Budgets are kept in
 * the settings table (not synced) under the key "budget.YEAR.FUNDER". */

/* Reads an amount of rupiah as people write it: 2200000000, Rp2.200.000.000, 2,200,000,000,
 * "2,2 miliar", "2.2 miliar", "750 juta".  SK_EINVALID unless a whole amount above zero. */
int sk_rupiah_parse(int64_t *out, const char *text);
/* Writes v as "Rp1,234,567" into out (n bytes; 32 are enough), or "Rp1.234.567" once this
 * thread's grouping is '.'. */
void sk_rupiah_format(char *out, size_t n, int64_t v);
/* The thousands' separator of the amounts and counts this thread writes: ',' (the default, as
 * English writes them) or '.' (as Indonesian does); the program sets it with the reader's language. */
void sk_money_grouping(char sep);

/* Sets the budget of funder for year (amount > 0), or removes it (amount 0). */
int sk_budget_set(struct sk_db *db, int year, const char *funder, int64_t amount);
/* Calls fn for every budget set, by year then funder; fn returns non-zero to stop. */
int sk_budget_each(struct sk_db *db, int (*fn)(void *payload, int year, const char *funder, int64_t amount),
		   void *payload);

#define SK_REPORT_PROGRAMS 6
struct sk_report_row {
	char *key;        /* district or kelurahan code, occupation in lower case, funder */
	char *name;       /* what people call it */
	char *parent;     /* kelurahan: the name of its district; else NULL */
	int64_t workers;  /* active workers (funders: workers with an enrolment of theirs in force) */
	int64_t enrolled[SK_REPORT_PROGRAMS]; /* enrolments in force in the month, per programme */
	int64_t premium;  /* the premium of those enrolments for the month, rupiah */
};
struct sk_report_table {
	size_t n;
	struct sk_report_row *rows;
	struct sk_report_row total;  /* workers summed over rows; funders: distinct workers */
};
/* One funder's year: months are 0 (January) to 11. */
struct sk_report_funder {
	char *funder;
	int64_t people[12];                      /* distinct NIKs billed in the month */
	int64_t amount[12][SK_REPORT_PROGRAMS];  /* the month's premium per programme */
	int64_t total[12], cumulative[12];
	int64_t year_total, person_months;
	int has_budget;
	int64_t budget;
	int months_billed;     /* months of the year with a bill (M) */
	int months_paid;       /* of those, the ones the budget pays in full (N) */
	int runs_out;          /* 1-12: the month whose bill the budget can no longer pay; 0: it lasts */
	int64_t rate;          /* the bill of the report's month: the present rate */
	int64_t doubled[12];   /* enrolments billed on top of the first for the same NIK and
				* programme (a NIK enrolled in two districts): see sinkron duplicates */
};
struct sk_report {
	int year, month;       /* the year billed; the month (1-12) enrolments are counted in */
	char *code, *name;     /* the database's region: "96.71", "Kota Sorong" */
	int is_city;
	char generated[40];    /* local time the report was made */
	int nprograms;
	char programs[SK_REPORT_PROGRAMS][8];   /* JKK, JKM, JHT as enrolled */
	struct sk_report_table districts, kelurahan, occupations, funders;
	size_t nbills;
	struct sk_report_funder *bills;         /* by funder name; funders with a budget included */
	int64_t unrated;       /* enrolment-months with no rate in force: not priced */
	/* Set by the caller that writes the text: gives, for an English word of its tables (a
	 * column's heading, "total", a month's name), that word in the reader's language; the
	 * sentences and headings on lines of their own stay English.  NULL: English. */
	const char *(*word)(const char *english);
};

/* Computes the report of db for year (2000-2100), counting enrolments in force in month (1-12)
 * of it.  Each month of the year is billed like sk_bill(): every enrolment covering the month on
 * any day, priced by the rate in force on its first day; later months of the current year are
 * billed from the enrolments as they stand, so the run-out month is at the present rate.
 * *out is freed with sk_report_free(). */
int sk_report_build(struct sk_report **out, struct sk_db *db, int year, int month);
void sk_report_free(struct sk_report *r);
/* One funder's conclusion, one line: "the APBD Kota budget for 2024 runs out in June 2024: 5
 * months of 12 paid", "... lasts the year: 12 months of 12 paid", "no budget set for ...". */
void sk_report_conclusion(char *out, size_t n, const struct sk_report *r, const struct sk_report_funder *f);
/* The report as readable text tables. */
int sk_report_write_text(const struct sk_report *r, FILE *f);
/* One CSV per table (districts, kelurahan, occupations, funders, bill-YEAR, budget-YEAR .csv)
 * in dir, which is created when missing; files are readable by their owner only. */
int sk_report_write_csv(const struct sk_report *r, const char *dir);
/* The same tables as the sheets of one .xlsx workbook at path, every cell text. */
int sk_report_write_xlsx(const struct sk_report *r, const char *path);
/* One self-contained HTML page with inline SVG charts, nothing loaded from elsewhere, readable
 * by its owner only; written to a temporary file and renamed over path. */
int sk_report_write_html(const struct sk_report *r, const char *path);

#endif

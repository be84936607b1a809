/*
 * cmd_report.c: the city admin's verbs report (enrolment, the year's bill per funder against its
 * budget: text, CSV, HTML) and budget (set, remove and list the budgets).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "agent.h"
#include "i18n.h"

#define DEFAULT_FUNDER "APBD Kota"

static int parse_year(const char *s)
{
	if (!s || strlen(s) != 4 || strspn(s, "0123456789") != 4 || atoi(s) < 2000 || atoi(s) > 2100)
		return 0;
	return atoi(s);
}

/* The report as text on standard output; in Indonesian the tables' words (headings, month
 * names) are the catalogue's as the engine lays them out, then each line the catalogue knows
 * (the budget's conclusion, the titles) is put in its words, the tables' figures as they are.
 * The files (CSV, .xlsx, HTML) are written after, with the engine's English. */
static int write_text(struct sk_report *r)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int rc;
	if (strcmp(i18n_lang(), "id"))
		return sk_report_write_text(r, stdout);
	r->word = i18n_tr;
	if (!(f = open_memstream(&text, &len))) {
		rc = sk_report_write_text(r, stdout);
		r->word = NULL;
		return rc;
	}
	rc = sk_report_write_text(r, f);
	r->word = NULL;
	fclose(f);
	for (char *line = text, *end; rc >= 0 && line && *line; line = end ? end + 1 : NULL) {
		size_t indent = strspn(line, " ");
		char *t;
		if ((end = strchr(line, '\n')))
			*end = '\0';
		t = i18n_tr_msg(line + indent);
		printf("%.*s%s%s", (int)indent, line, t, end ? "\n" : "");
		free(t);
	}
	free(text);
	return rc;
}

/* "2024-03" -> year and month; 0 when it is not a month like that */
static int parse_month(const char *s, int *year, int *month)
{
	if (!s || strlen(s) != 7 || s[4] != '-' || strspn(s, "0123456789") != 4 || strspn(s + 5, "0123456789") != 2)
		return 0;
	*year = atoi(s);
	*month = atoi(s + 5);
	return *year >= 2000 && *year <= 2100 && *month >= 1 && *month <= 12;
}

int cmd_report(int argc, char **argv)
{
	struct args a;
	struct sk_db *db;
	struct sk_report *r = NULL;
	const char *year_s, *month_s, *csv, *html, *xlsx;
	int year = 0, month = 0, y2, rc;
	time_t now = time(NULL);
	struct tm tm;

	args_init(&a, argc, argv);
	year_s = arg_value(&a, "--year");
	month_s = arg_value(&a, "--month");
	csv = arg_value(&a, "--csv");
	html = arg_value(&a, "--html");
	xlsx = arg_value(&a, "--xlsx");
	arg_operands(&a, "report", NULL, 0);
	if (year_s && !(year = parse_year(year_s)))
		return usage_error("report", "year '%s' is not a year like 2024", year_s);
	if (month_s) {
		if (!parse_month(month_s, &y2, &month))
			return usage_error("report", "month '%s' is not a month like 2024-03", month_s);
		if (year && y2 != year)
			return usage_error("report", "month %s is not in the year %d", month_s, year);
		year = y2;
	}
	localtime_r(&now, &tm);
	if (!year)
		year = tm.tm_year + 1900;
	if (!month) /* this month in this year; the year's last month for a past year; its first for a later one */
		month = year == tm.tm_year + 1900 ? tm.tm_mon + 1 : year < tm.tm_year + 1900 ? 12 : 1;

	db = open_db();
	rc = sk_report_build(&r, db, year, month);
	sk_db_free(db);
	if (rc < 0)
		return fail(rc, "report");
	if ((rc = write_text(r)) < 0)
		goto done;
	if (csv) {
		if ((rc = sk_report_write_csv(r, csv)) < 0)
			goto done;
		say("wrote the tables as CSV files in %s\n", csv);
	}
	if (xlsx) {
		if ((rc = sk_report_write_xlsx(r, xlsx)) < 0)
			goto done;
		say("wrote the tables as the sheets of %s\n", xlsx);
	}
	if (html) {
		if ((rc = sk_report_write_html(r, html)) < 0)
			goto done;
		say("wrote %s: open it in any browser, no network needed\n", html);
	}
	if (r->unrated)
		fprintf(stderr, _("sinkron: warning: %lld enrolment-month(s) in %d have no rate in force and are not priced; "
				"add the rate to the rates table\n"), (long long)r->unrated, year);
done:
	sk_report_free(r);
	return rc < 0 ? fail(rc, "report") : EXIT_OK;
}

static int print_budget(void *payload, int year, const char *funder, int64_t amount)
{
	char rp[32];
	int *n = payload;
	if (!(*n)++)
		puts(_("year   funder                                 budget"));
	sk_rupiah_format(rp, sizeof(rp), amount);
	printf("%-6d %-24s %20s\n", year, funder, rp);
	return 0;
}

int cmd_budget(int argc, char **argv)
{
	struct args a;
	struct sk_db *db;
	char *ops[3];
	const char *funder;
	char rp[32];
	int n, year, rc, listed = 0;
	int64_t amount = 0;

	args_init(&a, argc, argv);
	funder = arg_value(&a, "--funder");
	n = arg_operands(&a, "budget", ops, 3);
	if (n == 0 || (n == 1 && !strcmp(ops[0], "list"))) {
		if (funder)
			return usage_error("budget", "--funder goes with 'set' or 'remove'");
		db = open_db();
		rc = sk_budget_each(db, print_budget, &listed);
		sk_db_free(db);
		if (rc < 0)
			return fail(rc, "budget");
		if (!listed)
			say("no budget set: 'sinkron budget set 2024 2200000000' sets the APBD Kota budget for 2024\n");
		return EXIT_OK;
	}
	if (!funder)
		funder = DEFAULT_FUNDER;
	if (!strcmp(ops[0], "set")) {
		if (n != 3)
			return usage_error("budget", "give the year and the amount: budget set 2024 2200000000");
	} else if (!strcmp(ops[0], "remove")) {
		if (n != 2)
			return usage_error("budget", "give the year: budget remove 2024");
	} else {
		return usage_error("budget", "no 'budget %s': use set, remove or list", ops[0]);
	}
	if (!(year = parse_year(ops[1])))
		return usage_error("budget", "year '%s' is not a year like 2024", ops[1]);
	if (n == 3 && sk_rupiah_parse(&amount, ops[2]) < 0)
		return usage_error("budget", "%s", sk_error_last());
	if (!*funder)
		return usage_error("budget", "--funder needs a funder's name, e.g. 'APBD Kota'");

	db = open_db();
	if ((rc = sk_budget_set(db, year, funder, amount)) < 0) {
		sk_db_free(db);
		return fail(rc, "budget");
	}
	if (amount) {
		struct sk_report *r = NULL;
		int known = 0;
		sk_rupiah_format(rp, sizeof(rp), amount);
		printf(_("budget of %s for %d: %s\n"), funder, year, rp);
		/* a funder typed differently from the enrolments ("APBD kota") would never be billed */
		if (sk_report_build(&r, db, year, 1) == 0) {
			for (size_t i = 0; i < r->nbills; i++)
				if (!strcasecmp(r->bills[i].funder, funder)) {
					known = r->bills[i].months_billed > 0;
					if (known) {
						char line[512];
						r->word = i18n_tr;
						sk_report_conclusion(line, sizeof(line), r, &r->bills[i]);
						printf("%s\n", tr_msg(line));
					}
				}
			if (!known)
				fprintf(stderr, _("sinkron: warning: no enrolment paid by '%s' is billed in %d; "
						"check the funder's name with 'sinkron report --year %d'\n"), funder, year, year);
		}
		sk_report_free(r);
	} else {
		printf(_("budget of %s for %d removed\n"), funder, year);
	}
	sk_db_free(db);
	return EXIT_OK;
}

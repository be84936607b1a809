/*
 * report.h: inside sync/register/, what the rooms of the city's report share: the report is
 * built in report.c, written as text, CSV and .xlsx in report_out.c and as an HTML page in
 * report_html.c; rupiah.c writes amounts and counts the way all of them print.
 */
#ifndef SK_REPORT_H
#define SK_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "api/money.h"

/* "January" .. "December", as the report names the months. */
extern const char *const sk_month_names[12];
/* english through r->word (english itself when it is NULL); the name of month m (1-12) so. */
const char *sk_report_word(const struct sk_report *r, const char *english);
const char *sk_report_month(const struct sk_report *r, int m);

/* v with thousands grouped like sk_rupiah_format(), without the currency: "1,234,567". */
void sk_count_format(char *out, size_t n, int64_t v);
/* Display width of UTF-8 text: code points, not bytes. */
int sk_text_width(const char *s);

/* "at the present rate, Rp391,975,000 a month (December 2024), the budget lasts 5.6 months" */
void sk_report_rate_line(char *out, size_t n, const struct sk_report *r, const struct sk_report_funder *f);
/* The enrolments of f billed twice in the report's month, as a sentence; 0 (and nothing
 * written) when there are none. */
int sk_report_doubled_line(char *out, size_t n, const struct sk_report *r, const struct sk_report_funder *f);

#endif

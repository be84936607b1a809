/*
 * dates.h: inside sync/, calendar arithmetic on days counted from 1970-01-01 (proleptic
 * Gregorian): the length of a month, conversions between a day count and year-month-day,
 * today by the office clock, and dates written as "YYYY-MM-DD".  No database, no messages.
 */
#ifndef SK_DATES_H
#define SK_DATES_H

#define SK_DATE_SIZE 11 /* YYYY-MM-DD and NUL */

long sk_days_from_civil(int y, int m, int d);
void sk_civil_from_days(long days, int *y, int *m, int *d);
/* Days in month m (1-12) of year y, 29 for a leap February. */
int sk_days_in_month(int y, int m);
int sk_date_valid(int y, int m, int d); /* 1 if a real calendar date */
/* Today by the office clock (sk_wall_ms(), so $SINKRON_CLOCK_OFFSET applies) in the computer's
 * time zone, as reports and restore dates read it (an office in Papua sets Asia/Jayapura, WIT). */
long sk_date_today(void);

/* y-m-d written as "YYYY-MM-DD" into out. */
void sk_date_format(char out[SK_DATE_SIZE], int y, int m, int d);
/* The first day of the month `months` before the month of day (0: that month), as "YYYY-MM-01". */
void sk_date_month_start(char out[SK_DATE_SIZE], long day, int months);
/* Whole years from the day by-bm-bd to y-m-d (an age). */
int sk_date_years(int by, int bm, int bd, int y, int m, int d);

#endif

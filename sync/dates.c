/*
 * dates.c: the calendar arithmetic of dates.h.  The conversions are Howard Hinnant's
 * days_from_civil and civil_from_days, exact over the whole proleptic Gregorian calendar.
 */
#include <stdio.h>
#include <time.h>

#include "common.h"
#include "dates.h"

long sk_days_from_civil(int y, int m, int d)
{
	long yy = y - (m <= 2);
	long era = (yy >= 0 ? yy : yy - 399) / 400;
	long yoe = yy - era * 400;
	long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void sk_civil_from_days(long z, int *y, int *m, int *d)
{
	z += 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

int sk_days_in_month(int y, int m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 ? 28 + leap : days[m - 1];
}

int sk_date_valid(int y, int m, int d)
{
	return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= sk_days_in_month(y, m);
}

long sk_date_today(void)
{
	time_t t = (time_t)(sk_wall_ms() / 1000);
	struct tm tm;
	localtime_r(&t, &tm);
	return sk_days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

void sk_date_format(char out[SK_DATE_SIZE], int y, int m, int d)
{
	snprintf(out, SK_DATE_SIZE, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u, (unsigned)d % 100u);
}

void sk_date_month_start(char out[SK_DATE_SIZE], long day, int months)
{
	int y, m, d;
	sk_civil_from_days(day, &y, &m, &d);
	m -= months;
	while (m < 1) {
		m += 12;
		y--;
	}
	sk_date_format(out, y, m, 1);
}

int sk_date_years(int by, int bm, int bd, int y, int m, int d)
{
	return y - by - (m < bm || (m == bm && d < bd));
}

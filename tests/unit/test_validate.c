/*
 * test_validate.c: the field checks (sync/register/validate.c) and the CSV import mapping
 * (sync/register/importmap.c), table-driven: what a clerk may type, what must be refused, what is only
 * a warning; and every row of generated files (tests/data/workers-*.csv from
 * scripts/gen-workers: --bad 0 rows must pass, --bad 1 rows must each be refused).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "csv.h"
#include "register/validate.h"
#include "testhelp.h"

/* the tests' today, so they never depend on the clock */
#define TODAY sk_days_from_civil(2026, 6, 15)

static const struct sk_kelurahan sorong[] = {
	{"96.71.01.1001", "Remu Utara"},
	{"96.71.01.1002", "Klademak"},
	{"96.71.01.1003", "Kofkerbu"},
	{"96.71.01.1004", "Remu"},
};
static const struct sk_validate_ctx ctx = {sorong, 4, "Sorong", 0};

static struct sk_validate_ctx test_ctx(void)
{
	struct sk_validate_ctx c = ctx;
	c.today = TODAY;
	return c;
}

static void worker_free_fields(struct sk_worker *w)
{
	char **f[] = {&w->id, &w->owner, &w->nik, &w->kk, &w->name, &w->birth_place, &w->birth_date,
		      &w->sex, &w->address, &w->kelurahan, &w->phone, &w->occupation, &w->workplace,
		      &w->status, &w->ended_on, &w->end_reason, &w->kpj, &w->verified};
	for (size_t i = 0; i < SK_ARRAY_SIZE(f); i++) {
		free(*f[i]);
		*f[i] = NULL;
	}
}

static int nerrors(const struct sk_issues *is)
{
	int n = 0;
	for (int i = 0; i < is->n; i++)
		n += is->v[i].error;
	return n;
}

/* All reasons as "E field: reason; W field: reason" for messages. */
static const char *issues_str(const struct sk_issues *is)
{
	static char buf[4096];
	size_t k = 0;
	buf[0] = '\0';
	for (int i = 0; i < is->n && k < sizeof(buf) - 1; i++)
		k += (size_t)snprintf(buf + k, sizeof(buf) - k, "%s%c %s: %s", i ? "; " : "",
				      is->v[i].error ? 'E' : 'W', is->v[i].field, is->v[i].reason);
	return buf;
}

/* expect: 'E' an error whose reason holds `sub`, 'W' only warnings (one holding sub),
 * '.' no issue at all; `want` is the normalised value where it matters. */
struct vcase {
	const char *in;
	char expect;
	const char *want;
	const char *sub;
};

static int matches(const struct sk_issues *is, char expect, const char *sub)
{
	int e = nerrors(is);
	if (expect == '.')
		return is->n == 0;
	if ((expect == 'E') != (e > 0) || (expect == 'W' && is->n == 0))
		return 0;
	if (!sub)
		return 1;
	for (int i = 0; i < is->n; i++)
		if (strstr(is->v[i].reason, sub))
			return 1;
	return 0;
}

#define RUN_TABLE(table, call, outexpr)                                                       \
	for (size_t i = 0; i < SK_ARRAY_SIZE(table); i++) {                                   \
		struct sk_issues is = {0};                                                    \
		const struct vcase *t = &table[i];                                            \
		int r = call;                                                                 \
		CHECK_MSG(r == (t->expect == 'E'), "'%s': returned %d; %s", t->in, r, issues_str(&is)); \
		CHECK_MSG(matches(&is, t->expect, t->sub), "'%s': want %c '%s', got %s", t->in, \
			  t->expect, t->sub ? t->sub : "", issues_str(&is));                  \
		if (t->want)                                                                  \
			CHECK_MSG(!strcmp(outexpr, t->want), "'%s': got '%s' want '%s'", t->in, \
				  outexpr, t->want);                                          \
		for (int j = 0; j < is.n; j++)                                                \
			CHECK(is.v[j].field != NULL);                                         \
	}

static const struct vcase nik_cases[] = {
	{"9671011208850001", '.', "9671011208850001", NULL},
	{"9271011208850001", '.', "9271011208850001", NULL},  /* Kota Sorong before 2022 */
	{"3175011208850001", '.', "3175011208850001", NULL},  /* a migrant from Jakarta Timur */
	{"9671015208850002", '.', "9671015208850002", NULL},  /* a woman */
	{"9671014101000001", '.', NULL, NULL},                /* day 41: the 1st, a woman */
	{"9671017112990001", '.', NULL, NULL},                /* day 71: the 31st */
	{"9671012902840001", '.', NULL, NULL},                /* 29 February of a leap year */
	{"9671012902000001", '.', NULL, NULL},                /* 2000 was a leap year */
	{" 9671 0112 0885 0001 ", '.', "9671011208850001", NULL},
	{"'9671011208850001", '.', "9671011208850001", NULL},
	{"967101120885001", 'E', "", "NIK must have 16 digits, has 15"},
	{"96710112088500011", 'E', "", "NIK must have 16 digits, has 17"},
	{"96710", 'E', "", "has 5"},
	{"96710112O8850001", 'E', "", "NIK must contain only digits, has 'O' at position 9"},
	{"967101l208850001", 'E', "", "has 'l' at position 7"},
	{"9671-0112-0885-0001", 'E', "", "only digits"},
	{"9999011208850001", 'E', "", "NIK starts with 9999, which is not a regency or city code"},
	{"0000011208850001", 'E', "", "starts with 0000"},
	{"9600011208850001", 'E', "", "starts with 9600"},
	{"9671001208850001", 'E', "", "district 00"},
	{"9671010008850001", 'E', "", "birth day 00"},
	{"9671013208850001", 'E', "", "birth day 32"},
	{"9671014008850001", 'E', "", "birth day 40"},
	{"9671017208850001", 'E', "", "birth day 72"},
	{"9671019908850001", 'E', "", "birth day 99"},
	{"9671011200850001", 'E', "", "birth month 00"},
	{"9671011213850001", 'E', "", "birth month 13"},
	{"9671013102850001", 'E', "", "31/02/85 (digits 7-12), which does not exist"},
	{"9671017102850001", 'E', "", "31/02/85"},
	{"9671013104900001", 'E', "", "31/04/90"},
	{"9671012902850001", 'E', "", "29/02/85"},
	{"9671011208850000", 'E', "", "serial 0000"},
	{"9.67101E+15", 'E', "", "turned into a number by the spreadsheet"},
	{"9,67101E+15", 'E', "", "turned into a number"},
	{"", 'E', "", "NIK is required"},
	{"   ", 'E', "", "NIK is required"},
	{NULL, 'E', "", "NIK is required"},
};

TEST(nik)
{
	char out[SK_NIK_SIZE];
	RUN_TABLE(nik_cases, sk_check_nik(&is, out, t->in), out);
	/* several structural faults are all reported, under the field NIK */
	struct sk_issues is = {0};
	CHECK(sk_check_nik(&is, out, "9999003213850000") == 1);
	CHECK_MSG(is.n == 4, "%s", issues_str(&is));
	CHECK(!strcmp(is.v[0].field, "NIK"));
}

static const struct vcase kk_cases[] = {
	{"", '.', "", NULL},
	{NULL, '.', "", NULL},
	{"-", '.', "", NULL},
	{"9671011502070600", '.', "9671011502070600", NULL},
	{"9271010101200001", '.', "9271010101200001", NULL},
	{"9671012902040001", '.', NULL, NULL},
	{"967101150207060", 'E', "", "No KK must have 16 digits, has 15"},
	{"96710115020706001", 'E', "", "has 17"},
	{"9671011502", 'E', "", "has 10"},
	{"96710115O2070600", 'E', "", "No KK must contain only digits, has 'O'"},
	{"9999011502070600", 'E', "", "No KK starts with 9999"},
	{"9671013202070600", 'E', "", "issue date 32/02/07"},
	{"9671011513070600", 'E', "", "issue date 15/13/07"},
	{"9671010000000600", 'E', "", "issue date 00/00/00"},
	{"9671012902050600", 'E', "", "29/02/05"},
	{"9671011502070000", 'E', "", "serial 0000"},
	{"1.23E+15", 'E', "", "No KK '1.23E+15' was turned into a number"},
};

TEST(kk)
{
	char out[SK_NIK_SIZE];
	RUN_TABLE(kk_cases, sk_check_kk(&is, out, t->in), out);
	struct sk_issues is = {0};
	sk_check_kk(&is, out, "12");
	CHECK(is.n == 1 && !strcmp(is.v[0].field, "No KK"));
}

TEST(nik_match)
{
	static const struct {
		const char *nik, *date, *sex;
		int warnings;
		const char *sub;
	} m[] = {
		{"9671011208850001", "1985-08-12", "L", 0, NULL},
		{"9671015208850002", "1985-08-12", "P", 0, NULL},
		{"9671015208850002", "1885-08-12", "P", 0, NULL}, /* the century is not in a NIK */
		{"9671011308850001", "1985-08-12", "L", 1, "NIK says born 13/08/85 but Tanggal Lahir is 12/08/1985"},
		{"9671011209850001", "1985-08-12", "L", 1, "born 12/09/85"},
		{"9671011208860001", "1985-08-12", "L", 1, "born 12/08/86"},
		{"9671011208850001", "1985-08-12", "P", 1, "NIK says male (birth day 12) but Jenis Kelamin is P"},
		{"9671015208850002", "1985-08-12", "L", 1, "NIK says female (birth day 52)"},
		{"9671015308850002", "1985-08-12", "L", 2, NULL},
		{"9671015308850002", NULL, NULL, 0, NULL},
		{"9671015308850002", "", "", 0, NULL},
		{"96710153", "1985-08-12", "L", 0, NULL},
		{NULL, "1985-08-12", "L", 0, NULL},
	};
	for (size_t i = 0; i < SK_ARRAY_SIZE(m); i++) {
		struct sk_issues is = {0};
		CHECK(sk_check_nik_match(&is, m[i].nik, m[i].date, m[i].sex) == 0);
		CHECK_MSG(is.n == m[i].warnings && nerrors(&is) == 0, "case %zu: %s", i, issues_str(&is));
		if (m[i].sub)
			CHECK_MSG(is.n && strstr(is.v[0].reason, m[i].sub) && !strcmp(is.v[0].field, "NIK"),
				  "case %zu: %s", i, issues_str(&is));
	}
}

static const struct vcase date_cases[] = {
	{"12/08/1985", '.', "1985-08-12", NULL},
	{"12-08-1985", '.', "1985-08-12", NULL},
	{"2/8/1985", '.', "1985-08-02", NULL},
	{"02/08/1985", '.', "1985-08-02", NULL},
	{"1985-08-12", '.', "1985-08-12", NULL},
	{"1985/8/2", '.', "1985-08-02", NULL},
	{"12.08.1985", '.', "1985-08-12", NULL},
	{" 12 / 08 / 1985 ", '.', "1985-08-12", NULL},
	{"12 Agustus 1985", '.', "1985-08-12", NULL},
	{"12 agustus 1985", '.', "1985-08-12", NULL},
	{"12 AGUSTUS 1985", '.', "1985-08-12", NULL},
	{"12 Agu 1985", '.', "1985-08-12", NULL},
	{"12 Agt 1985", '.', "1985-08-12", NULL},
	{"12-Agu-1985", '.', "1985-08-12", NULL},
	{"1 Januari 1990", '.', "1990-01-01", NULL},
	{"1 Februari 1990", '.', "1990-02-01", NULL},
	{"1 Pebruari 1990", '.', "1990-02-01", NULL},
	{"1 Maret 1990", '.', "1990-03-01", NULL},
	{"1 April 1990", '.', "1990-04-01", NULL},
	{"1 Mei 1990", '.', "1990-05-01", NULL},
	{"1 Juni 1990", '.', "1990-06-01", NULL},
	{"1 Juli 1990", '.', "1990-07-01", NULL},
	{"1 September 1990", '.', "1990-09-01", NULL},
	{"1 Oktober 1990", '.', "1990-10-01", NULL},
	{"1 Okt 1990", '.', "1990-10-01", NULL},
	{"1 November 1990", '.', "1990-11-01", NULL},
	{"1 Nopember 1990", '.', "1990-11-01", NULL},
	{"1 Desember 1990", '.', "1990-12-01", NULL},
	{"1 Des 1990", '.', "1990-12-01", NULL},
	{"12 August 1985", '.', "1985-08-12", NULL},
	{"12-Aug-1985", '.', "1985-08-12", NULL},
	{"August 12, 1985", '.', "1985-08-12", NULL},
	{"Dec 1, 1990", '.', "1990-12-01", NULL},
	{"1 May 1990", '.', "1990-05-01", NULL},
	{"1 Oct 1990", '.', "1990-10-01", NULL},
	{"12/08/85", '.', "1985-08-12", NULL},
	{"12/08/26", '.', "1926-08-12", NULL}, /* two digits never make a future date */
	{"10/06/26", '.', "2026-06-10", NULL},
	{"10/06/00", '.', "2000-06-10", NULL},
	{"1985-08-12 00:00:00", '.', "1985-08-12", NULL},
	{"12/08/1985 0:00", '.', "1985-08-12", NULL},
	{"29/02/1988", '.', "1988-02-29", NULL},
	{"29/02/2000", '.', "2000-02-29", NULL},
	{"15/06/2026", '.', "2026-06-15", NULL},  /* today */
	{"16/06/2026", 'E', "", "2026-06-16 is in the future"},
	{"1/1/2030", 'E', "", "in the future"},
	{"29/02/1989", 'E', "", "'29/02/1989' does not exist: Februari 1989 has 28 days"},
	{"29/02/1900", 'E', "", "does not exist"},
	{"31/02/1990", 'E', "", "does not exist"},
	{"31/04/1990", 'E', "", "April 1990 has 30 days"},
	{"32/01/1990", 'E', "", "does not exist"},
	{"00/01/1990", 'E', "", "does not exist"},
	{"12/13/1985", 'E', "", "month 13"},
	{"08/31/1985", 'E', "", "is it month/day/year?"},
	{"12/00/1985", 'E', "", "month 0"},
	{"0000-00-00", 'E', "", NULL},
	{"abc", 'E', "", "cannot read 'abc' as a date; write DD/MM/YYYY"},
	{"1985", 'E', "", "cannot read"},
	{"31000", 'E', "", "cannot read"},
	{"12//1985", 'E', "", "cannot read"},
	{"-", 'E', "", "cannot read"},
	{"12 Foo 1985", 'E', "", "cannot read"},
	{"12/08/19856", 'E', "", "cannot read"},
	{"12/08/985", 'E', "", "cannot read"},
	{"1985-08-123", 'E', "", "cannot read"},
	{"12 Agustus", 'E', "", "cannot read"},
	{"1/2/3/4", 'E', "", "cannot read"},
	{"I2/08/1985", 'E', "", "cannot read"},
	{"Agustus Agustus 1985", 'E', "", "cannot read"},
	{"", 'E', "", "Tanggal Lahir is required"},
};

TEST(dates)
{
	char out[SK_DATE_SIZE];
	RUN_TABLE(date_cases, sk_check_date(&is, SK_F_BIRTH_DATE, out, t->in, TODAY, 1), out);
	struct sk_issues is = {0};
	CHECK(sk_check_date(&is, "Tanggal Mulai", out, "", TODAY, 0) == 0 && is.n == 0 && !*out);
	CHECK(sk_check_date(&is, "Tanggal Mulai", out, "x", TODAY, 0) == 1 &&
	      !strcmp(is.v[0].field, "Tanggal Mulai"));
}

static const struct vcase birth_cases[] = {
	{"15/06/2011", '.', "2011-06-15", NULL},   /* 15 today */
	{"16/06/2011", 'E', "", "born 2011-06-16 is 14 years old; workers must be 15 to 100"},
	{"01/01/2020", 'E', "", "is 6 years old"},
	{"15/06/1926", '.', "1926-06-15", NULL},   /* 100 today */
	{"14/06/1925", 'E', "", "is 101 years old"},
	{"01/01/1900", 'E', "", "is 126 years old"},
	{"12/08/85", 'W', "1985-08-12", "two-digit year read as 1985"},
	{"12/08/10", 'W', "2010-08-12", "read as 2010"},
	{"12/08/20", 'E', "", "(two-digit year) is 5 years old"},
	{"12/08/2085", 'E', "", "in the future"},
	{"12 Agustus 1985", '.', "1985-08-12", NULL},
	{"", 'E', "", "Tanggal Lahir is required"},
	{"x", 'E', "", "cannot read"},
};

TEST(birth_date)
{
	char out[SK_DATE_SIZE];
	RUN_TABLE(birth_cases, sk_check_birth_date(&is, out, t->in, TODAY), out);
}

TEST(calendar)
{
	int ok = 1;
	for (long d = sk_days_from_civil(1800, 1, 1); d < sk_days_from_civil(2200, 1, 1); d += 7) {
		int y, m, dd;
		sk_civil_from_days(d, &y, &m, &dd);
		ok &= sk_days_from_civil(y, m, dd) == d && sk_date_valid(y, m, dd);
	}
	CHECK(ok);
	CHECK(sk_days_from_civil(1970, 1, 1) == 0);
	CHECK(sk_days_from_civil(2000, 3, 1) - sk_days_from_civil(2000, 2, 28) == 2);
	CHECK(!sk_date_valid(2023, 2, 29) && sk_date_valid(2024, 2, 29) && !sk_date_valid(2100, 2, 29));
	long today = sk_date_today();
	CHECK(today > sk_days_from_civil(2024, 1, 1) && today < sk_days_from_civil(2200, 1, 1));
}

static const struct vcase sex_cases[] = {
	{"L", '.', "L", NULL}, {"l", '.', "L", NULL}, {"P", '.', "P", NULL}, {"p", '.', "P", NULL},
	{"Laki-laki", '.', "L", NULL}, {"LAKI-LAKI", '.', "L", NULL}, {"Laki Laki", '.', "L", NULL},
	{"laki laki", '.', "L", NULL}, {"Lakilaki", '.', "L", NULL}, {"Pria", '.', "L", NULL},
	{"PRIA", '.', "L", NULL}, {"M", '.', "L", NULL}, {"Male", '.', "L", NULL},
	{"male", '.', "L", NULL}, {" L ", '.', "L", NULL},
	{"Perempuan", '.', "P", NULL}, {"PEREMPUAN", '.', "P", NULL}, {"Wanita", '.', "P", NULL},
	{"wanita", '.', "P", NULL}, {"F", '.', "P", NULL}, {"f", '.', "P", NULL},
	{"Female", '.', "P", NULL}, {"FEMALE", '.', "P", NULL},
	{"X", 'E', "", "Jenis Kelamin 'X' is not L (laki-laki) or P (perempuan)"},
	{"LP", 'E', "", "'LP'"}, {"L/P", 'E', "", "'L/P'"}, {"-", 'E', "", "'-'"},
	{"?", 'E', "", NULL}, {"0", 'E', "", NULL}, {"Laki", '.', "L", NULL},
	{"", 'E', "", "Jenis Kelamin is required"},
};

TEST(sex)
{
	char out[2];
	RUN_TABLE(sex_cases, sk_check_sex(&is, out, t->in), out);
}

static const struct vcase phone_cases[] = {
	{"081234567890", '.', "081234567890", NULL},
	{"0812-3456-7890", '.', "081234567890", NULL},
	{"0812 3456 7890", '.', "081234567890", NULL},
	{"0812.3456.789", '.', "08123456789", NULL},
	{"+62 812 3456 7890", '.', "081234567890", NULL},
	{"+6281234567890", '.', "081234567890", NULL},
	{"6281234567890", '.', "081234567890", NULL},
	{"62 812-3456-7890", '.', "081234567890", NULL},
	{"+62 (0)812 3456 7890", '.', "081234567890", NULL},
	{"(0951) 321456", '.', "0951321456", NULL},
	{"081234567", '.', "081234567", NULL},        /* 9 digits */
	{"0812345678901", '.', "0812345678901", NULL}, /* 13 digits */
	{"", '.', "", NULL},
	{NULL, '.', "", NULL},
	{"81234567890", 'W', "081234567890", "lost its leading 0"},
	{"08123456", 'E', "", "No HP '08123456' must be 9-13 digits starting with 0"},
	{"08123456789012", 'E', "", "9-13 digits"},
	{"12345678901", 'E', "", "starting with 0"},
	{"0812abc4567", 'E', "", "No HP '0812abc4567' must contain only digits, has 'a'"},
	{"08124410587I", 'E', "", "has 'I'"},
	{"081244105871 (WA)", 'E', "", "only digits"},
	{"081244105871x", 'E', "", "only digits"},
	{"0812/0813", 'E', "", "only digits"},
	{"+1 555 1234567", 'E', "", "only digits"},
};

TEST(phone)
{
	char out[SK_PHONE_SIZE];
	RUN_TABLE(phone_cases, sk_check_phone(&is, out, t->in), out);
}

static const struct vcase income_cases[] = {
	{"1500000", '.', "1500000", NULL},
	{"Rp 1.500.000", '.', "1500000", NULL},
	{"Rp1.500.000", '.', "1500000", NULL},
	{"Rp. 1.500.000", '.', "1500000", NULL},
	{"RP 1.500.000,00", '.', "1500000", NULL},
	{"Rp 1.500.000,-", '.', "1500000", NULL},
	{"1,500,000", '.', "1500000", NULL},
	{"1,500,000.00", '.', "1500000", NULL},
	{"IDR 2,000,000", '.', "2000000", NULL},
	{"1 500 000", '.', "1500000", NULL},
	{"1 jt", '.', "1000000", NULL},
	{"1jt", '.', "1000000", NULL},
	{"1,5 juta", '.', "1500000", NULL},
	{"1.5 Juta", '.', "1500000", NULL},
	{"Rp 2,25 jt", '.', "2250000", NULL},
	{"500 rb", '.', "500000", NULL},
	{"750 ribu", '.', "750000", NULL},
	{"500k", '.', "500000", NULL},
	{"0", '.', "0", NULL},
	{"1.5", 'W', "1", "is Rp1 a month: is it in millions?"},
	{"9999", 'W', "9999", "in millions"},
	{"10000", '.', "10000", NULL},
	{"", '.', "0", NULL},
	{"99999999", '.', "99999999", NULL},
	{"99.999.999", '.', "99999999", NULL},
	{"100000000", 'E', "0", "Penghasilan '100000000' is not below Rp100.000.000 a month"},
	{"100 juta", 'E', "0", "not below"},
	{"99999999999999999999", 'E', "0", "cannot read"},
	{"-5", 'E', "0", "is negative"},
	{"Rp -1.000.000", 'E', "0", "negative"},
	{"abc", 'E', "0", "cannot read Penghasilan 'abc' as rupiah per month"},
	{"1.50.000", 'E', "0", "cannot read"},
	{"1.5000.000", 'E', "0", "cannot read"},
	{"1..000", 'E', "0", "cannot read"},
	{"1 jt 500", 'E', "0", "cannot read"},
	{"juta", 'E', "0", "cannot read"},
};

TEST(income)
{
	int64_t v;
	char got[32];
	for (size_t i = 0; i < SK_ARRAY_SIZE(income_cases); i++) {
		struct sk_issues is = {0};
		const struct vcase *t = &income_cases[i];
		int r = sk_check_income(&is, &v, t->in);
		snprintf(got, sizeof(got), "%lld", (long long)v);
		CHECK_MSG(r == (t->expect == 'E') && matches(&is, t->expect, t->sub) && !strcmp(got, t->want),
			  "'%s': %d %s %s", t->in, r, got, issues_str(&is));
		CHECK(is.n == 0 || !strcmp(is.v[0].field, "Penghasilan"));
	}
}

TEST(names)
{
	static char long_name[200], max_name[200];
	memset(long_name, 'a', 101);
	memset(max_name, 'a', 100);
	const struct vcase names[] = {
		{"Budi Santoso", '.', "Budi Santoso", NULL},
		{"  Budi    Santoso  ", '.', "Budi Santoso", NULL},
		{"budi\tsantoso", '.', "budi santoso", NULL},
		{"YOHANIS MAMBRASAR", '.', "YOHANIS MAMBRASAR", NULL},
		{"Nur'aini", '.', "Nur'aini", NULL},
		{"Drs. H. Muh. Ali, S.Pd", '.', "Drs. H. Muh. Ali, S.Pd", NULL},
		{"Wa Ode Séla", '.', "Wa Ode Séla", NULL},
		{max_name, '.', max_name, NULL},
		{"", 'E', NULL, "Nama is required"},
		{"   ", 'E', NULL, "Nama is required"},
		{NULL, 'E', NULL, "Nama is required"},
		{"Budi 2", 'E', NULL, "Nama 'Budi 2' contains a digit"},
		{"B0di", 'E', NULL, "contains a digit"},
		{long_name, 'E', NULL, "Nama is 101 characters long, more than 100"},
		{"Budi\x01", 'E', NULL, "control character"},
		{"Jos\xe9", 'E', NULL, "Nama is not valid UTF-8 text"},
		{"\xc0\xaf", 'E', NULL, "not valid UTF-8"},
		{"\xed\xa0\x80", 'E', NULL, "not valid UTF-8"},
		{"\xe2\x82", 'E', NULL, "not valid UTF-8"},
		{"Wa Ode \xf0\x9f\x98\x80", '.', "Wa Ode \xf0\x9f\x98\x80", NULL},
	};
	for (size_t i = 0; i < SK_ARRAY_SIZE(names); i++) {
		struct sk_issues is = {0};
		const struct vcase *t = &names[i];
		char *out = (char *)"sentinel";
		int r = sk_check_name(&is, SK_F_NAME, &out, t->in);
		CHECK_MSG(r == (t->expect == 'E') && matches(&is, t->expect, t->sub), "'%s': %s", t->in,
			  issues_str(&is));
		CHECK_MSG(t->want ? out && !strcmp(out, t->want) : !out, "'%s': '%s'", t->in, out ? out : "(null)");
		free(out);
	}
	/* characters, not bytes: 100 two-byte letters are allowed */
	char wide[256] = "";
	for (int i = 0; i < 100; i++)
		strcat(wide, "é");
	struct sk_issues is = {0};
	char *out = NULL;
	CHECK(sk_check_name(&is, "Nama Ahli Waris", &out, wide) == 0 && out);
	free(out);
	strcat(wide, "é");
	CHECK(sk_check_name(&is, "Nama Ahli Waris", &out, wide) == 1 && !out &&
	      !strcmp(is.v[0].field, "Nama Ahli Waris"));

	/* free text */
	struct sk_issues is2 = {0};
	CHECK(sk_check_text(&is2, SK_F_ADDRESS, &out, "  Jl.  Mawar No. 5\nRT 01 ", 200, 0) == 0);
	CHECK(out && !strcmp(out, "Jl. Mawar No. 5 RT 01"));
	free(out);
	CHECK(sk_check_text(&is2, SK_F_ADDRESS, &out, "", 200, 0) == 0 && !out && is2.n == 0);
	CHECK(sk_check_text(&is2, SK_F_ADDRESS, &out, "", 200, 1) == 1 && !out && is2.n == 1);
	CHECK(sk_check_text(&is2, SK_F_ADDRESS, &out, "abcdef", 5, 0) == 1 && !out && is2.n == 2);
}

static const struct vcase kel_cases[] = {
	{"96.71.01.1001", '.', "Remu Utara", NULL},
	{"9671011001", '.', "Remu Utara", NULL},
	{"1001", '.', "Remu Utara", NULL},
	{"1004", '.', "Remu", NULL},
	{"Remu Utara", '.', "Remu Utara", NULL},
	{"REMU UTARA", '.', "Remu Utara", NULL},
	{"remu  utara", '.', "Remu Utara", NULL},
	{"RemuUtara", '.', "Remu Utara", NULL},
	{"Kel. Remu Utara", '.', "Remu Utara", NULL},
	{"kel remu utara", '.', "Remu Utara", NULL},
	{"Kelurahan Remu Utara", '.', "Remu Utara", NULL},
	{"KELURAHAN KLADEMAK", '.', "Klademak", NULL},
	{"Remu", '.', "Remu", NULL},
	{"kofkerbu", '.', "Kofkerbu", NULL},
	{"Klawalu", 'E', NULL, "kelurahan 'Klawalu' is not in distrik Sorong (Klawalu is in distrik Sorong Timur)"},
	{"96.71.02.1001", 'E', NULL, "not in distrik Sorong (Klawalu is in distrik Sorong Timur)"},
	{"96.71.01.1055", 'E', NULL, "kelurahan '96.71.01.1055' is not in distrik Sorong"},
	{"Remu Utra", 'E', NULL, "did you mean 'Remu Utara'?"},
	{"Kladmak", 'E', NULL, "did you mean 'Klademak'?"},
	{"Medono", 'E', NULL, "not in distrik Sorong"},   /* Pekalongan: another city */
	{"Jakarta", 'E', NULL, "kelurahan 'Jakarta' is not in distrik Sorong"},
	{"1099", 'E', NULL, "not in distrik"},
	{"100", 'E', NULL, "not in distrik"},
	{"", 'E', NULL, "Kelurahan is required"},
};

TEST(kelurahan)
{
	for (size_t i = 0; i < SK_ARRAY_SIZE(kel_cases); i++) {
		struct sk_issues is = {0};
		const struct vcase *t = &kel_cases[i];
		const struct sk_kelurahan *k = (const struct sk_kelurahan *)1;
		int r = sk_check_kelurahan(&is, &k, t->in, sorong, 4, "Sorong");
		CHECK_MSG(r == (t->expect == 'E') && matches(&is, t->expect, t->sub), "'%s': %s", t->in,
			  issues_str(&is));
		CHECK_MSG(t->want ? k && !strcmp(k->name, t->want) : !k, "'%s'", t->in);
		CHECK(is.n == 0 || !strcmp(is.v[0].field, "Kelurahan"));
	}
	/* "Medono" must not be blamed on a distrik of Sorong, nor suggest anything */
	struct sk_issues is = {0};
	const struct sk_kelurahan *k;
	sk_check_kelurahan(&is, &k, "Medono", sorong, 4, "Sorong");
	CHECK_MSG(!strchr(is.v[0].reason, '(') && !strstr(is.v[0].reason, "mean"), "%s", is.v[0].reason);
}

TEST(issues_full)
{
	struct sk_issues is = {0};
	for (int i = 0; i < SK_MAX_ISSUES + 5; i++)
		sk_issues_add(&is, 0, "NIK", "warning %d", i);
	CHECK(is.n == SK_MAX_ISSUES && nerrors(&is) == 0 && is.dropped == 5);
	sk_issues_add(&is, 1, "Nama", "an error %d", 1);
	CHECK(is.n == SK_MAX_ISSUES && nerrors(&is) == 1 && is.dropped == 6);
	for (int i = 0; i < SK_MAX_ISSUES + 5; i++)
		sk_issues_add(&is, 1, "Nama", "error %d", i);
	/* what is left out is counted, never lost without a word */
	CHECK(nerrors(&is) == SK_MAX_ISSUES && is.dropped == 6 + SK_MAX_ISSUES + 5);
}

/* ---- import mapping ---- */

static const struct {
	const char *header;
	int col;
} header_cases[] = {
	{"NIK", SK_COL_NIK}, {"No NIK", SK_COL_NIK}, {"No. NIK", SK_COL_NIK}, {"nik", SK_COL_NIK},
	{"Nomor Induk Kependudukan", SK_COL_NIK}, {"NIK KTP", SK_COL_NIK}, {"NIK_KTP", SK_COL_NIK},
	{"No KTP", SK_COL_NIK}, {" NIK* ", SK_COL_NIK},
	{"No KK", SK_COL_KK}, {"Nomor KK", SK_COL_KK}, {"No. Kartu Keluarga", SK_COL_KK},
	{"KK", SK_COL_KK}, {"no_kk", SK_COL_KK}, {"NO.KK", SK_COL_KK},
	{"Nama", SK_COL_NAME}, {"Nama Lengkap", SK_COL_NAME}, {"Nama Peserta", SK_COL_NAME},
	{"Name", SK_COL_NAME}, {"Full Name", SK_COL_NAME}, {"NAMA_LENGKAP", SK_COL_NAME},
	{"full_name", SK_COL_NAME},
	{"Tempat Lahir", SK_COL_BIRTH_PLACE}, {"Place of Birth", SK_COL_BIRTH_PLACE},
	{"Tanggal Lahir", SK_COL_BIRTH_DATE}, {"Tgl Lahir", SK_COL_BIRTH_DATE},
	{"Tgl. Lahir", SK_COL_BIRTH_DATE}, {"Date of Birth", SK_COL_BIRTH_DATE},
	{"DOB", SK_COL_BIRTH_DATE}, {"Birth Date", SK_COL_BIRTH_DATE},
	{"Tanggal Lahir (DD/MM/YYYY)", SK_COL_BIRTH_DATE}, {"tgl_lahir", SK_COL_BIRTH_DATE},
	{"Jenis Kelamin", SK_COL_SEX}, {"JK", SK_COL_SEX}, {"L/P", SK_COL_SEX}, {"Sex", SK_COL_SEX},
	{"Gender", SK_COL_SEX}, {"Jenis Kelamin (L/P)", SK_COL_SEX},
	{"Alamat", SK_COL_ADDRESS}, {"Address", SK_COL_ADDRESS},
	{"Kelurahan", SK_COL_KELURAHAN}, {"Kel", SK_COL_KELURAHAN}, {"Kel.", SK_COL_KELURAHAN},
	{"Desa/Kelurahan", SK_COL_KELURAHAN}, {"Village", SK_COL_KELURAHAN},
	{"No HP", SK_COL_PHONE}, {"No. HP", SK_COL_PHONE}, {"Nomor HP", SK_COL_PHONE},
	{"HP", SK_COL_PHONE}, {"No Telp", SK_COL_PHONE}, {"Telepon", SK_COL_PHONE},
	{"Phone", SK_COL_PHONE}, {"Mobile", SK_COL_PHONE}, {"WA", SK_COL_PHONE},
	{"No HP/WA", SK_COL_PHONE}, {"no_hp", SK_COL_PHONE},
	{"Pekerjaan", SK_COL_OCCUPATION}, {"Jenis Pekerjaan", SK_COL_OCCUPATION},
	{"Occupation", SK_COL_OCCUPATION}, {"Job", SK_COL_OCCUPATION},
	{"Tempat Kerja", SK_COL_WORKPLACE}, {"Lokasi Kerja", SK_COL_WORKPLACE},
	{"Lokasi Usaha", SK_COL_WORKPLACE}, {"Workplace", SK_COL_WORKPLACE},
	{"Penghasilan", SK_COL_INCOME}, {"Upah", SK_COL_INCOME},
	{"Penghasilan per Bulan", SK_COL_INCOME}, {"Income", SK_COL_INCOME},
	{"Penghasilan (Rp)", SK_COL_INCOME},
	{"TTL", SK_COL_TTL}, {"Tempat/Tanggal Lahir", SK_COL_TTL}, {"Tempat, Tgl Lahir", SK_COL_TTL},
	{"No", -1}, {"Catatan", -1}, {"", -1}, {"Nama Ibu", -1}, {"NIKAH", -1},
};

TEST(header_aliases)
{
	for (size_t i = 0; i < SK_ARRAY_SIZE(header_cases); i++)
		CHECK_MSG(sk_import_column(header_cases[i].header) == header_cases[i].col, "'%s': %d",
			  header_cases[i].header, sk_import_column(header_cases[i].header));
}

TEST(header_map)
{
	static const char *const tmpl[] = {
		"NIK", "No KK", "Nama Lengkap", "Tempat Lahir", "Tanggal Lahir", "Jenis Kelamin",
		"Alamat", "Kelurahan", "No HP", "Pekerjaan", "Tempat Kerja", "Penghasilan",
	};
	static const char *const odd[] = {"No", "nama", "Catatan", "L/P", "Kel.", "DOB", "NIK KTP", "", "TTL"};
	static const char *const missing[] = {"No", "Nama", "Alamat", "Kelurahan"};
	static const char *const dup[] = {"NIK", "Nama", "No KTP", "Tgl Lahir", "JK", "Kelurahan"};
	static const char *const ttl_only[] = {"NIK", "Nama", "TTL", "JK", "Kelurahan"};
	struct sk_import_map m;

	CHECK(sk_import_map_header(&m, tmpl, SK_ARRAY_SIZE(tmpl)) == 0);
	for (int i = 0; i < SK_COL_TTL; i++)
		CHECK(m.col[i] == i);
	CHECK(m.col[SK_COL_TTL] == -1 && m.nunknown == 0 && m.ncols == 12);
	sk_import_map_release(&m);

	CHECK(sk_import_map_header(&m, odd, SK_ARRAY_SIZE(odd)) == 0);
	CHECK(m.col[SK_COL_NIK] == 6 && m.col[SK_COL_NAME] == 1 && m.col[SK_COL_SEX] == 3 &&
	      m.col[SK_COL_KELURAHAN] == 4 && m.col[SK_COL_BIRTH_DATE] == 5 && m.col[SK_COL_TTL] == 8 &&
	      m.col[SK_COL_KK] == -1 && m.col[SK_COL_PHONE] == -1);
	CHECK(m.nunknown == 2 && !strcmp(m.unknown[0], "No") && !strcmp(m.unknown[1], "Catatan"));
	sk_import_map_release(&m);

	CHECK(sk_import_map_header(&m, missing, SK_ARRAY_SIZE(missing)) == SK_EINVALID);
	CHECK_MSG(strstr(sk_error_last(), "the header lacks the columns NIK, Tanggal Lahir, Jenis Kelamin"),
		  "%s", sk_error_last());
	sk_import_map_release(&m);

	CHECK(sk_import_map_header(&m, dup, SK_ARRAY_SIZE(dup)) == SK_EINVALID);
	CHECK_MSG(strstr(sk_error_last(), "columns 1 ('NIK') and 3 ('No KTP') both give NIK"), "%s",
		  sk_error_last());
	sk_import_map_release(&m);

	CHECK(sk_import_map_header(&m, ttl_only, SK_ARRAY_SIZE(ttl_only)) == 0);
	sk_import_map_release(&m);

	/* a semicolon file read with the wrong delimiter is one column: every column missing */
	static const char *const one[] = {"NIK;Nama;Tanggal Lahir;JK;Kelurahan"};
	CHECK(sk_import_map_header(&m, one, 1) == SK_EINVALID);
	CHECK(strstr(sk_error_last(), "NIK, Nama, Tanggal Lahir, Jenis Kelamin, Kelurahan") != NULL);
	sk_import_map_release(&m);
}

/* Reads a CSV text through the import mapping; returns the rows' issue summaries. */
struct row_result {
	int rc;
	int errors, warnings;
	char first[300];
	struct sk_worker w;
};

static int import_text(struct row_result *res, size_t max, const char *csv)
{
	struct sk_csv *c;
	struct sk_import_map m;
	struct sk_validate_ctx vc = test_ctx();
	char **f;
	size_t n, k = 0;
	long line;

	sk_csv_open_mem(&c, csv, strlen(csv));
	if (sk_csv_next(c, &f, &n, &line) != 1 ||
	    sk_import_map_header(&m, (const char *const *)f, n) < 0) {
		sk_import_map_release(&m);
		sk_csv_free(c);
		return -1;
	}
	while (k < max && sk_csv_next(c, &f, &n, &line) == 1) {
		struct sk_issues is = {0};
		memset(&res[k], 0, sizeof(res[k]));
		res[k].rc = sk_import_row(&res[k].w, &is, &m, &vc, (const char *const *)f, n);
		res[k].errors = nerrors(&is);
		res[k].warnings = is.n - res[k].errors;
		snprintf(res[k].first, sizeof(res[k].first), "%s", issues_str(&is));
		k++;
	}
	sk_import_map_release(&m);
	sk_csv_free(c);
	return (int)k;
}

TEST(import_rows)
{
	static const char csv[] =
		"\xef\xbb\xbfNo;NIK;Nama Lengkap;TTL;L/P;Alamat;Kel.;No. HP;Upah;Catatan\r\n"
		"1;9671015208850002;  Maria   Kambu ;Sorong, 12 Agustus 1985;Perempuan;\"Jl. Mawar; RT 01\";remu utara;+62 812-4410-5871;Rp 1.500.000;\r\n"
		"2;9671011208850001;Budi;Sorong 12-08-1985;L;;1002;;;x\r\n"
		"3;9671011308850001;Budi;Sorong, 12/08/1985;P;;Klademak;;;\r\n"
		"4;967101120885001;Budi;Sorong, 12/08/1985;L;;Klawalu;;;\r\n"
		"5;9671011208850001;Budi;Sorong, 12/08/1985;L;;Klademak;;;;extra\r\n"
		"6;9671011208850001;;;X;;;0812abc;abc;\r\n";
	struct row_result r[8];
	int n = import_text(r, 8, csv);

	CHECK(n == 6);
	if (n != 6)
		return;
	/* a good row, fields normalised; TTL gives place and date */
	CHECK_MSG(r[0].rc == 0 && r[0].errors == 0 && r[0].warnings == 0, "%s", r[0].first);
	CHECK(!strcmp(r[0].w.nik, "9671015208850002") && !strcmp(r[0].w.name, "Maria Kambu") &&
	      !strcmp(r[0].w.birth_place, "Sorong") && !strcmp(r[0].w.birth_date, "1985-08-12") &&
	      !strcmp(r[0].w.sex, "P") && !strcmp(r[0].w.address, "Jl. Mawar; RT 01") &&
	      !strcmp(r[0].w.kelurahan, "96.71.01.1001") && !strcmp(r[0].w.phone, "081244105871") &&
	      r[0].w.income == 1500000 && !r[0].w.kk && !r[0].w.occupation && !r[0].w.id);
	CHECK_MSG(r[1].rc == 0 && r[1].errors == 0, "%s", r[1].first);
	CHECK(!strcmp(r[1].w.kelurahan, "96.71.01.1002") && !strcmp(r[1].w.birth_place, "Sorong") &&
	      r[1].w.income == 0 && !r[1].w.phone);
	/* NIK date and sex disagree: warnings, the row is accepted */
	CHECK_MSG(r[2].rc == 0 && r[2].errors == 0 && r[2].warnings == 2, "%s", r[2].first);
	CHECK(r[3].rc == SK_EINVALID && r[3].errors == 2);
	CHECK(strstr(r[3].first, "has 15") && strstr(r[3].first, "Sorong Timur"));
	CHECK_MSG(r[4].rc == SK_EINVALID && r[4].errors == 1 && strstr(r[4].first, "E Baris: the row has 11 cells but the header 10"),
		  "%s", r[4].first);
	CHECK_MSG(r[5].rc == SK_EINVALID && r[5].errors == 6, "%s", r[5].first);
	CHECK(strstr(sk_error_last(), "Nama: Nama is required") != NULL ||
	      strstr(sk_error_last(), "Tanggal Lahir") != NULL);
	for (int i = 0; i < n; i++)
		worker_free_fields(&r[i].w);
}

TEST(import_row_error_message)
{
	static const char *const header[] = {"NIK", "Nama", "Tanggal Lahir", "JK", "Kelurahan"};
	static const char *const row[] = {"9671011208850001", "Budi", "12/08/1985", "L", "Klawalu"};
	struct sk_import_map m;
	struct sk_issues is = {0};
	struct sk_worker w = {0};
	struct sk_validate_ctx vc = test_ctx();

	CHECK(sk_import_map_header(&m, header, 5) == 0);
	CHECK(sk_import_row(&w, &is, &m, &vc, row, 5) == SK_EINVALID);
	CHECK_MSG(!strcmp(sk_error_last(), "Kelurahan: kelurahan 'Klawalu' is not in distrik Sorong "
			  "(Klawalu is in distrik Sorong Timur)"), "%s", sk_error_last());
	CHECK(w.nik && !w.kelurahan);
	worker_free_fields(&w);
	/* a short row: the missing cells are empty */
	memset(&is, 0, sizeof(is));
	CHECK(sk_import_row(&w, &is, &m, &vc, row, 2) == SK_EINVALID);
	CHECK(nerrors(&is) == 3);
	worker_free_fields(&w);
	sk_import_map_release(&m);
}

TEST(template)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct sk_csv *c;
	struct sk_import_map m;
	char **fields;
	size_t n;
	long line;

	CHECK(sk_import_template(f) == 0);
	fclose(f);
	CHECK(!strcmp(buf, "NIK,No KK,Nama Lengkap,Tempat Lahir,Tanggal Lahir,Jenis Kelamin,Alamat,"
		      "Kelurahan,No HP,Pekerjaan,Tempat Kerja,Penghasilan\r\n"));
	/* and the importer reads it back */
	sk_csv_open_mem(&c, buf, len);
	CHECK(sk_csv_next(c, &fields, &n, &line) == 1);
	CHECK(sk_import_map_header(&m, (const char *const *)fields, n) == 0 && m.nunknown == 0);
	sk_import_map_release(&m);
	CHECK(sk_csv_next(c, &fields, &n, &line) == 0);
	sk_csv_free(c);
	free(buf);
}

/* tests/data/NAME under $SINKRON_SRCDIR, else under the current directory or a parent of it */
static char *data_path(const char *name)
{
	const char *dir = getenv("SINKRON_SRCDIR");
	char *p;
	if (dir)
		return sk_printf("%s/tests/data/%s", dir, name);
	for (int up = 0; up < 5; up++) {
		struct sk_buf b = SK_BUF_INIT;
		for (int i = 0; i < up; i++)
			sk_buf_puts(&b, "../");
		sk_buf_printf(&b, "tests/data/%s", name);
		p = (char *)b.ptr;
		if (!access(p, R_OK))
			return p;
		free(p);
	}
	return sk_printf("tests/data/%s", name);
}

/* Every row of a generated file: with bad = 0 none may have an error; with bad = 1 each must. */
static void generated(const char *name, int bad)
{
	char *path = data_path(name);
	struct sk_csv *c = NULL;
	struct sk_import_map m;
	struct sk_validate_ctx vc = test_ctx();
	char **f;
	size_t n;
	long line;
	int rows = 0, wrong = 0, warned = 0, rc;

	CHECK_MSG(sk_csv_open(&c, path) == 0, "%s (run from the top of the tree, or set "
		  "SINKRON_SRCDIR)", sk_error_last());
	free(path);
	if (!c)
		return;
	CHECK(sk_csv_next(c, &f, &n, &line) == 1);
	CHECK(sk_import_map_header(&m, (const char *const *)f, n) == 0 && m.nunknown == 0);
	while ((rc = sk_csv_next(c, &f, &n, &line)) == 1) {
		struct sk_issues is = {0};
		struct sk_worker w = {0};
		int r = sk_import_row(&w, &is, &m, &vc, (const char *const *)f, n);
		rows++;
		warned += nerrors(&is) == 0 && is.n > 0;
		if ((r < 0) != bad || (nerrors(&is) > 0) != bad) {
			wrong++;
			printf("# %s line %ld: %s\n", name, line, is.n ? issues_str(&is) : "no issue");
		}
		worker_free_fields(&w);
	}
	CHECK(rc == 0);
	CHECK(rows == 300);
	CHECK(wrong == 0);
	if (!bad)
		CHECK_MSG(warned > 0, "the generator's NIK mismatches should give warnings");
	sk_import_map_release(&m);
	sk_csv_free(c);
}

TEST(generated_good)
{
	generated("workers-good.csv", 0);
}

TEST(generated_bad)
{
	generated("workers-bad.csv", 1);
}

static uint64_t rng_state;
static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state % n);
}

/* Random text through every check: nothing crashes, and a value that passed passes again
 * unchanged when checked in its normalised form. */
TEST(random_idempotent)
{
	static const char *const parts[] = {
		"0", "1", "2", "9", "12", "29", "41", "96", "71", "2008", "1985", "/", "-", ".", ",", " ",
		"+62", "8", "Rp", "jt", "juta", "rb", "Agustus", "Mei", "Kel.", "Remu", "Utara", "L",
		"P", "a", "O", "\xc3\xa9", "'", "E+15", "\t", "9671011208850001",
	};
	const char *env = getenv("SEED");
	uint64_t seed = env ? strtoull(env, NULL, 10) : 7;
	int ok = 1, passed = 0;

	rng_state = seed ? seed : 1;
	for (int iter = 0; iter < 20000; iter++) {
		char in[200] = "", a[SK_NIK_SIZE], b[SK_NIK_SIZE], d1[SK_DATE_SIZE], d2[SK_DATE_SIZE];
		char p1[SK_PHONE_SIZE], p2[SK_PHONE_SIZE], s1[2], s2[2], *n1 = NULL, *n2 = NULL;
		const struct sk_kelurahan *k1, *k2;
		int64_t i1, i2;
		char num[32];
		struct sk_issues is = {0}, is2 = {0};
		int parts_n = 1 + (int)rnd(7);
		for (int i = 0; i < parts_n; i++)
			strcat(in, parts[rnd(SK_ARRAY_SIZE(parts))]);

		if (!sk_check_nik(&is, a, in))
			ok &= !sk_check_nik(&is2, b, a) && !strcmp(a, b), passed++;
		if (!sk_check_kk(&is, a, in))
			ok &= !sk_check_kk(&is2, b, a) && !strcmp(a, b);
		if (!sk_check_birth_date(&is, d1, in, TODAY))
			ok &= !sk_check_birth_date(&is2, d2, d1, TODAY) && !strcmp(d1, d2), passed++;
		if (!sk_check_phone(&is, p1, in))
			ok &= !sk_check_phone(&is2, p2, p1) && !strcmp(p1, p2);
		if (!sk_check_sex(&is, s1, in))
			ok &= !sk_check_sex(&is2, s2, s1) && !strcmp(s1, s2);
		if (!sk_check_income(&is, &i1, in)) {
			snprintf(num, sizeof(num), "%lld", (long long)i1);
			ok &= !sk_check_income(&is2, &i2, num) && i1 == i2;
		}
		if (!sk_check_name(&is, SK_F_NAME, &n1, in)) {
			ok &= !sk_check_name(&is2, SK_F_NAME, &n2, n1) && !strcmp(n1, n2);
			free(n2);
		}
		free(n1);
		if (!sk_check_kelurahan(&is, &k1, in, sorong, 4, "Sorong"))
			ok &= !sk_check_kelurahan(&is2, &k2, k1->code, sorong, 4, "Sorong") && k1 == k2;
		if (!ok) {
			printf("# input '%s'\n", in);
			break;
		}
	}
	CHECK_MSG(ok, "seed %llu (rerun with SEED=%llu)", (unsigned long long)seed, (unsigned long long)seed);
	CHECK(passed > 0);
}

TEST_MAIN(TC(nik), TC(kk), TC(nik_match), TC(dates), TC(birth_date), TC(calendar), TC(sex),
	  TC(phone), TC(income), TC(names), TC(kelurahan), TC(issues_full), TC(header_aliases),
	  TC(header_map), TC(import_rows), TC(import_row_error_message), TC(template),
	  TC(generated_good), TC(generated_bad), TC(random_idempotent))

/*
 * test_pricing: the one pricing rule (sync/register/pricing.c) that the bill, the report and the budget
 * projection share: the scheme's bracket, the minimum bracket, the rate in force on a month's
 * first day; and, through sk_bill() on a database, the months an enrolment covers at a month's
 * edges and in a leap February.
 */
#include "testhelp.h"

#include "register/pricing.h"
#include "register/registry.h"

static struct sk_funder apbd = {"APBD Kota", "apbd", "JKK+JKM", 1000000, 18, 65, 0, 0, NULL, 1};
static struct sk_funder self = {"Mandiri", "self", "JKK+JKM+JHT", 0, 15, 65, 1, 0, NULL, 1};

static struct sk_rate rates[] = {
	{"JKK", "2015-07-01", "", 1, 100, 1000000},
	{"JKM", "2015-07-01", "2025-12-31", 0, 6800, 0},
	{"JKM", "2026-01-01", "2026-03-14", 0, 7000, 0},  /* a change on the 1st of a month */
	{"JKM", "2026-03-15", "", 0, 7200, 0},            /* and one in the middle of a month */
	{"JHT", "2015-07-01", "", 1, 200, 1000000},
};

static struct sk_pricing pricing(void)
{
	static struct sk_funder schemes[2];
	struct sk_pricing p = {rates, SK_ARRAY_SIZE(rates), schemes, 2};
	schemes[0] = apbd;
	schemes[1] = self;
	return p;
}

static int64_t price(const char *funder, const char *program, int64_t e_income, int64_t w_income, const char *first)
{
	struct sk_pricing p = pricing();
	int64_t amount = -1;
	if (sk_price(&p, &amount, funder, program, e_income, w_income, first) != 0)
		return -1;
	return amount;
}

TEST(apbd_pays_the_lowest_bracket)
{
	/* whatever the worker declared: JKK 1 % of Rp1,000,000 and JKM Rp6,800 = Rp16,800 */
	CHECK(price("APBD Kota", "JKK", 3000000, 3000000, "2024-12-01") == 10000);
	CHECK(price("APBD Kota", "JKK", 0, 2500000, "2024-12-01") == 10000);
	CHECK(price("APBD kota", "JKK", 0, 800000, "2024-12-01") == 10000); /* names without case */
	CHECK(price("APBD Kota", "JKM", 0, 5000000, "2024-12-01") == 6800);
	CHECK(price("APBD Kota", "JKK", 0, 0, "2024-12-01") + price("APBD Kota", "JKM", 0, 0, "2024-12-01") == 16800);
	/* JHT is not part of the scheme: not priced */
	CHECK(price("APBD Kota", "JHT", 0, 1000000, "2024-12-01") == -1);
}

TEST(declared_bracket_never_below_the_minimum)
{
	CHECK(price("Mandiri", "JKK", 0, 800000, "2024-12-01") == 10000);   /* Rp800,000 declared */
	CHECK(price("Mandiri", "JKK", 0, 0, "2024-12-01") == 10000);        /* none declared */
	CHECK(price("Mandiri", "JKK", 2500000, 800000, "2024-12-01") == 25000); /* the enrolment's bracket */
	CHECK(price("Mandiri", "JKK", 0, 1500000, "2024-12-01") == 15000);
	CHECK(price("Mandiri", "JHT", 0, 700000, "2024-12-01") == 20000);   /* JHT 2 %, same minimum */
	/* a funder with no scheme (typed freely before the list): the declared bracket, never below */
	CHECK(price("CSR lama", "JKK", 0, 900000, "2024-12-01") == 10000);
	CHECK(sk_pricing_bracket(&apbd, 5000000, 5000000, 1000000) == 1000000);
	CHECK(sk_pricing_bracket(&self, 0, 0, 1000000) == 1000000);
	CHECK(sk_pricing_bracket(NULL, 0, 1200000, 1000000) == 1200000);
}

TEST(rate_changes)
{
	/* in force on the month's first day */
	CHECK(price("APBD Kota", "JKM", 0, 0, "2025-12-01") == 6800);
	CHECK(price("APBD Kota", "JKM", 0, 0, "2026-01-01") == 7000);
	/* a rate from the 15th applies from the next month */
	CHECK(price("APBD Kota", "JKM", 0, 0, "2026-03-01") == 7000);
	CHECK(price("APBD Kota", "JKM", 0, 0, "2026-04-01") == 7200);
	/* before any rate: not priced */
	CHECK(price("APBD Kota", "JKK", 0, 0, "2015-06-01") == -1);
}

TEST(month_bounds)
{
	char f[11], l[11];
	CHECK(sk_month_bounds(f, l, 2024, 2) == 0 && !strcmp(f, "2024-02-01") && !strcmp(l, "2024-02-29"));
	CHECK(sk_month_bounds(f, l, 2023, 2) == 0 && !strcmp(l, "2023-02-28"));
	CHECK(sk_month_bounds(f, l, 2000, 2) == 0 && !strcmp(l, "2000-02-29"));
	CHECK(sk_month_bounds(f, l, 2100, 2) == 0 && !strcmp(l, "2100-02-28"));
	CHECK(sk_month_bounds(f, l, 2024, 12) == 0 && !strcmp(l, "2024-12-31"));
	CHECK(sk_month_bounds(f, l, 2024, 13) == SK_EINVALID);
}

TEST(days_in_month)
{
	CHECK(sk_days_in_month(2024, 2) == 29 && sk_days_in_month(2023, 2) == 28);
	CHECK(sk_days_in_month(2000, 2) == 29 && sk_days_in_month(1900, 2) == 28);
	CHECK(sk_days_in_month(2024, 1) == 31 && sk_days_in_month(2024, 4) == 30 && sk_days_in_month(2024, 12) == 31);
}

/* The one rupiah writer the bill, the report and the command line print with. */
TEST(rupiah_format)
{
	char rp[32];
	sk_rupiah_format(rp, sizeof(rp), 0);
	CHECK(!strcmp(rp, "Rp0"));
	sk_rupiah_format(rp, sizeof(rp), 999);
	CHECK(!strcmp(rp, "Rp999"));
	sk_rupiah_format(rp, sizeof(rp), 1000);
	CHECK(!strcmp(rp, "Rp1,000"));
	sk_rupiah_format(rp, sizeof(rp), 2200000000);
	CHECK(!strcmp(rp, "Rp2,200,000,000"));
	sk_rupiah_format(rp, sizeof(rp), -16800);
	CHECK(!strcmp(rp, "-Rp16,800"));
	sk_rupiah_format(rp, sizeof(rp), INT64_MAX);
	CHECK(!strcmp(rp, "Rp9,223,372,036,854,775,807"));
	/* the most negative amount has no positive twin: it must not be negated as a signed number */
	sk_rupiah_format(rp, sizeof(rp), INT64_MIN);
	CHECK(!strcmp(rp, "-Rp9,223,372,036,854,775,808"));
	sk_rupiah_format(rp, 8, 1234567);
	CHECK(!strcmp(rp, "Rp1,234"));
}

/* ---- on a database: which months sk_bill() charges ---- */

struct total { int64_t amount, people; };

static int add_line(void *payload, const struct sk_bill_line *l)
{
	struct total *t = payload;
	t->amount += l->amount;
	if (!strcmp(l->program, "JKM"))
		t->people += l->people;
	return 0;
}

static int64_t bill(struct sk_db *db, const char *month)
{
	struct total t = {0, 0};
	if (sk_bill(db, month, add_line, &t) < 0) {
		printf("# bill %s: %s\n", month, sk_error_last());
		return -1;
	}
	return t.amount;
}

static char *worker(struct sk_db *db, const char *nik, const char *name)
{
	struct sk_worker_input in;
	struct sk_issues is;
	char *id = NULL;
	memset(&in, 0, sizeof(in));
	in.nik = nik;
	in.name = name;
	in.birth_date = "01/01/1990";
	in.sex = "L";
	in.kelurahan = "Remu";
	in.income = "3000000";
	if (sk_worker_add(db, &id, &is, &in) < 0)
		printf("# worker %s: %s\n", nik, sk_error_last());
	return id;
}

static int enrol(struct sk_db *db, const char *id, const char *start)
{
	struct sk_enrol_input in = {id, "JKK+JKM", "APBD Kota", NULL, start, "SK test", 0};
	char *ids = NULL;
	int rc = sk_enrolment_add(db, &ids, NULL, &in);
	if (rc < 0)
		printf("# enrol %s: %s\n", id, sk_error_last());
	free(ids);
	return rc;
}

TEST(month_edges)
{
	struct sk_db *db = NULL;
	char *a, *b, *c;
	CHECK(sk_db_create(&db, ":memory:", "96.71.01", 0, NULL) == 0);
	if (!db)
		return;
	/* a starts on the last day of January: billed for January */
	a = worker(db, "9671010101900001", "Anton Kambu");
	CHECK(enrol(db, a, "31/01/2024") == 0);
	CHECK(bill(db, "2023-12") == 0);
	CHECK(bill(db, "2024-01") == 16800);
	/* b starts on 29 February of a leap year, and ends on 1 April: February, March, April */
	b = worker(db, "9671010202900002", "Budi Kambu");
	CHECK(enrol(db, b, "29/02/2024") == 0);
	CHECK(bill(db, "2024-02") == 2 * 16800);
	CHECK(sk_enrolment_end(db, b, "JKK+JKM", "01/04/2024", "pindah") == 0);
	CHECK(bill(db, "2024-04") == 2 * 16800);
	CHECK(bill(db, "2024-05") == 16800);
	/* c ends on 29 February: billed for February, not March */
	c = worker(db, "9671010303900003", "Cici Kambu");
	CHECK(enrol(db, c, "2024-02") == 0);
	CHECK(sk_enrolment_end(db, c, "JKK+JKM", "29/02/2024", "mengundurkan") == 0);
	CHECK(bill(db, "2024-02") == 3 * 16800);
	CHECK(bill(db, "2024-03") == 2 * 16800);
	/* a new JKM rate from 1 January 2025 (data): December at the old one, January at the new */
	CHECK(sqlite3_exec(db->h, "UPDATE rates SET valid_to = '2024-12-31' WHERE program = 'JKM' AND valid_to IS NULL; "
			   "INSERT INTO rates (program, basis, value, valid_from, regulation) VALUES ('JKM', 'flat', 7000, '2025-01-01', 'test')",
			   NULL, NULL, NULL) == SQLITE_OK);
	CHECK(bill(db, "2024-12") == 16800);
	CHECK(bill(db, "2025-01") == 17000);
	/* a record the city marked as a duplicate is not billed (written as an apply would) */
	CHECK(sqlite3_exec(db->h, "UPDATE sk_ctx SET applying = 1; UPDATE workers SET duplicate_of = 'x' WHERE nik = '9671010101900001'; "
			   "UPDATE sk_ctx SET applying = 0", NULL, NULL, NULL) == SQLITE_OK);
	CHECK(bill(db, "2025-01") == 0);
	free(a);
	free(b);
	free(c);
	sk_db_free(db);
}

TEST(scheme_checks)
{
	struct sk_db *db = NULL;
	struct sk_enrol_input in;
	char *id, *ids = NULL;
	CHECK(sk_db_create(&db, ":memory:", "96.71.01", 0, NULL) == 0);
	if (!db)
		return;
	id = worker(db, "9671010101900001", "Anton Kambu");
	memset(&in, 0, sizeof(in));
	in.worker = id;
	in.program = "JKK+JKM";
	in.funder = "APBD Kota";
	in.start = "2024-01";
	/* a past month without a decision: refused, saying a decision is what allows it */
	CHECK(sk_enrolment_add(db, &ids, NULL, &in) == SK_EINVALID && strstr(sk_error_last(), "unless a decision allows it"));
	/* JHT under APBD: refused */
	in.decision = "SK 1/2024";
	in.program = "JHT";
	CHECK(sk_enrolment_add(db, &ids, NULL, &in) == SK_EINVALID && strstr(sk_error_last(), "pays JKK+JKM only"));
	/* a funder outside the list: refused */
	in.program = "JKK";
	in.funder = "APBD Kabupaten Sorong";
	CHECK(sk_enrolment_add(db, &ids, NULL, &in) == SK_ENOTFOUND);
	in.funder = "apbd KOTA";
	CHECK(sk_enrolment_add(db, &ids, NULL, &in) == 0);
	free(ids);
	free(id);
	sk_db_free(db);
}

TEST_MAIN(TC(apbd_pays_the_lowest_bracket), TC(declared_bracket_never_below_the_minimum), TC(rate_changes),
	  TC(month_bounds), TC(days_in_month), TC(rupiah_format), TC(month_edges), TC(scheme_checks))

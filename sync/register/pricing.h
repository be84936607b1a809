/*
 * pricing.h: inside sync/register/, the one pricing rule that the bill, the report and the budget
 * projection share: which months an enrolment is billed for, the bracket its scheme pays at,
 * and the rate in force.  Rates and schemes are data (tables rates and funders).
 */
#ifndef SK_PRICING_H
#define SK_PRICING_H

#include "db.h"
#include "api/money.h"

/* An enrolment (alias e) is billed for every month it covers on any day: ?2 is the month's
 * first day, ?3 its last (YYYY-MM-DD).  A record the city marked as a duplicate of another
 * (worker alias w) is never billed. */
#define SK_IN_FORCE_SQL "e.start_on <= ?3 AND (e.end_on IS NULL OR e.end_on >= ?2) AND w.duplicate_of IS NULL"
/* The funder's name as the funders table spells it (so "APBD kota" is billed as "APBD Kota"). */
#define SK_FUNDER_SQL "coalesce((SELECT fn.name FROM funders fn WHERE fn.name = e.funder), e.funder, '(none)')"
/* The premium of enrolment e for the month whose first day is ?2, NULL when not priced. */
#define SK_PREMIUM_SQL "sk_premium(e.funder, e.program, e.income, w.income, ?2)"

struct sk_rate {
	char program[8], from[11], to[11]; /* to "" while in force */
	int percent;                      /* value is hundredths of a percent of the bracket */
	int64_t value, min_base;          /* min_base: the lowest bracket a percentage applies to */
};

struct sk_pricing {
	struct sk_rate *rates;
	size_t nrates;
	struct sk_funder *schemes;        /* strings owned here */
	size_t nschemes;
};

/* Reads the rates and funders tables; freed with sk_pricing_free(). */
int sk_pricing_load(struct sk_pricing **out, struct sk_db *db);
void sk_pricing_free(struct sk_pricing *p);
/* The scheme of funder (compared without case), or NULL. */
const struct sk_funder *sk_pricing_scheme(const struct sk_pricing *p, const char *funder);
/* The bracket an enrolment is priced on: the scheme's own, else the enrolment's, else the
 * worker's declared income, else the lowest; never below min_base. */
int64_t sk_pricing_bracket(const struct sk_funder *scheme, int64_t enrol_income, int64_t worker_income,
			   int64_t min_base);
/* The premium of one enrolment for the month whose first day is `first` (YYYY-MM-01), priced
 * by the rate of its programme in force on that day.  0 priced; 1 not priced: no rate in force,
 * or a programme the funder's scheme does not pay. */
int sk_price(const struct sk_pricing *p, int64_t *amount, const char *funder, const char *program,
	     int64_t enrol_income, int64_t worker_income, const char *first);
/* Makes the SQL function sk_premium(funder, program, enrol_income, worker_income, first) of
 * SK_PREMIUM_SQL available on db's connection, priced by p (which must outlive its use). */
int sk_pricing_register(struct sk_db *db, const struct sk_pricing *p);

/* A month "2024-03" (or a date in it) as its first and last days; SK_EINVALID if malformed. */
int sk_month_bounds(char first[11], char last[11], int y, int m);

#endif

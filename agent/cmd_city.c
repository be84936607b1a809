/*
 * cmd_city.c: the city's verbs: consolidate, quarantine, duplicates.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent.h"
#include "i18n.h"

int cmd_consolidate(int argc, char **argv)
{
	struct args a;
	struct sk_db *db;
	struct sk_consolidate_result r;
	struct sk_seal_result s;
	const char *from;
	int rc, rc2;

	args_init(&a, argc, argv);
	from = arg_value(&a, "--from");
	arg_operands(&a, "consolidate", NULL, 0);
	db = open_db();
	rc = sk_consolidate(db, from, &r, progress_cb, NULL);
	progress_done();
	if (rc < 0 && rc != SK_ECONFLICT) {
		sk_consolidate_result_free(&r);
		sk_db_free(db);
		return fail(rc, "consolidate");
	}
	printf(_("applied %zu change-set(s), %zu row change(s), from %zu district(s)\n"), r.changesets, r.rows, r.districts);
	for (size_t i = 0; i < r.nquarantined; i++)
		printf(_("quarantined: %s\n"), tr_msg(r.quarantined[i]));
	if (r.city_clock_behind)
		printf(_("warning: the city's clock is behind: districts agree it is more than a day ahead of this computer's; "
		       "set this computer's date and time right\n"));
	if (r.waiting)
		printf(_("%zu district(s) wait behind a quarantined change-set: 'sinkron quarantine' lists them\n"), r.waiting);
	for (size_t i = 0; i < r.nskipped; i++)
		printf(_("skipped: %s\n"), tr_msg(r.skipped[i]));
	sk_consolidate_result_free(&r);
	/* the receipts just written go out with the city's next change-set: seal it now */
	if ((rc2 = sk_seal(db, 0, &s, NULL, NULL)) < 0)
		fprintf(stderr, _("sinkron: the receipts could not be sealed: %s\n"), cli_error());
	else if (s.changesets)
		printf(_("receipts and city decisions sealed into %zu change-set(s) for the districts\n"), s.changesets);
	sk_db_free(db);
	if (rc < 0 || r.waiting)
		return EXIT_FAILED;
	return rc2 < 0 ? EXIT_FAILED : EXIT_OK;
}

static int quarantine_line(void *payload, const struct sk_quarantined *q)
{
	size_t *n = payload;
	char when[32];
	time_t t = (time_t)(q->at / 1000);
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
	printf("%.12s  %-8s #%-5lld %-9s %s  %s%s%s%s\n", q->id, q->origin, (long long)q->number, q->state, when, tr_msg(q->reason),
	       q->decided_by ? "  (by " : "", q->decided_by ? q->decided_by : "", q->decided_by ? ")" : "");
	(*n)++;
	return 0;
}

int cmd_quarantine(int argc, char **argv)
{
	struct args a;
	struct sk_db *db;
	char *ops[2];
	size_t n = 0;
	int k, rc, all;

	args_init(&a, argc, argv);
	all = arg_flag(&a, "--all");
	k = arg_operands(&a, "quarantine", ops, 2);
	db = open_db();
	if (k == 0) {
		rc = sk_quarantine_each(db, all, quarantine_line, &n);
		if (rc == 0 && n == 0)
			say("no change-set is held in quarantine\n");
	} else if (k == 2 && (!strcmp(ops[0], "release") || !strcmp(ops[0], "reject"))) {
		rc = sk_quarantine_decide(db, ops[1], !strcmp(ops[0], "release"));
		if (rc == 0)
			printf("%s %s: %s\n", !strcmp(ops[0], "release") ? _("released") : _("rejected"), ops[1],
			       !strcmp(ops[0], "release") ? _("the next consolidation applies it")
							 : _("it will be skipped; the district's next change-sets go on"));
	} else {
		sk_db_free(db);
		return usage_error("quarantine", "say 'release ID' or 'reject ID'");
	}
	sk_db_free(db);
	return rc < 0 ? fail(rc, "quarantine") : EXIT_OK;
}

struct dup_state {
	char nik[24]; /* copied: the record's strings live only until the next row */
	size_t groups, records;
};

static int dup_line(void *payload, const struct sk_duplicate *d)
{
	struct dup_state *s = payload;
	if (strcmp(s->nik, d->nik ? d->nik : "")) {
		printf("%sNIK %s\n", s->groups ? "\n" : "", d->nik);
		s->groups++;
	}
	snprintf(s->nik, sizeof(s->nik), "%s", d->nik ? d->nik : "");
	s->records++;
	printf("  %-22s %-8s %-18s %-28s %-10s %s  %s  %s  [%s]\n", d->id, d->owner ? d->owner : "", d->district ? d->district : "",
	       d->name ? d->name : "", d->birth_date ? d->birth_date : "", d->sex ? d->sex : "", d->kelurahan ? d->kelurahan : "",
	       d->phone ? d->phone : "", d->enrolments ? d->enrolments : _("no active enrolment"));
	return 0;
}

int cmd_duplicates(int argc, char **argv)
{
	struct args a;
	struct sk_db *db;
	const char *keep;
	char *ops[2];
	int k, rc;

	args_init(&a, argc, argv);
	keep = arg_value(&a, "--keep");
	k = arg_operands(&a, "duplicates", ops, 2);
	db = open_db();
	if (k == 0) {
		struct dup_state s = {"", 0, 0};
		/* the names point into the statement's rows: print as they come */
		rc = sk_duplicates_each(db, dup_line, &s);
		if (rc == 0)
			say(_("%zu NIK(s) registered more than once (%zu records)%s\n"), s.groups, s.records,
			    s.groups ? _(": decide with 'sinkron duplicates decide NIK --keep ID'") : "");
	} else if (k == 2 && !strcmp(ops[0], "decide") && keep) {
		size_t marked = 0;
		rc = sk_duplicate_decide(db, ops[1], keep, &marked);
		if (rc == 0)
			printf(_("NIK %s: %s stays; %zu other record(s) marked as its duplicate, sent to their districts with the next sync\n"),
			       ops[1], keep, marked);
	} else {
		sk_db_free(db);
		return usage_error("duplicates", "say 'decide NIK --keep ID'");
	}
	sk_db_free(db);
	return rc < 0 ? fail(rc, "duplicates") : EXIT_OK;
}

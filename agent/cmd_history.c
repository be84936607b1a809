/*
 * cmd_history.c: the verbs over change-sets and the local history: status, seal, log,
 * verify, apply.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent.h"

static void local_time(char *out, size_t n, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(out, n, "%Y-%m-%d %H:%M", &tm);
}

int cmd_status(int argc, char **argv)
{
	struct args a;
	struct sk_db *db;
	struct sk_pending_info p;
	struct sk_counts c;
	int json, rc;

	args_init(&a, argc, argv);
	json = arg_flag(&a, "--json");
	arg_operands(&a, "status", NULL, 0);
	db = open_db();
	if ((rc = sk_pending(db, &p)) < 0 || (rc = sk_counts(db, &c)) < 0) {
		sk_db_free(db);
		return fail(rc, "status");
	}
	if (json) {
		printf("{\"office\":\"%s\",\"name\":\"%s\",\"city\":%s,\"workers_active\":%lld,\"workers_ended\":%lld,"
		       "\"enrolments_active\":%lld,\"heirs\":%lld,\"pending_changes\":%zu,\"pending_rows\":%zu,"
		       "\"oldest_pending_ms\":%lld,\"sealed\":%zu,\"pushed\":%zu,\"unsent_changesets\":%zu,\"unsent_bytes\":%zu}\n",
		       sk_db_code(db), sk_db_name(db), sk_db_is_city(db) ? "true" : "false", (long long)c.active,
		       (long long)c.ended, (long long)c.enrolments, (long long)c.heirs, p.outbox_entries, p.outbox_rows,
		       (long long)p.oldest_ms, p.sealed, p.pushed, p.unsent, p.unsent_bytes);
	} else {
		char when[32];
		printf("%s %s (%s): %lld active worker(s), %lld ended, %lld active enrolment(s)\n",
		       sk_db_is_city(db) ? "City" : "Distrik", sk_db_name(db), sk_db_code(db), (long long)c.active,
		       (long long)c.ended, (long long)c.enrolments);
		if (p.outbox_entries) {
			local_time(when, sizeof(when), p.oldest_ms);
			printf("%zu change(s) to %zu record(s) not yet sealed, the oldest from %s\n", p.outbox_entries,
			       p.outbox_rows, when);
		}
		if (p.unsent)
			printf("%zu change-set(s), %zu bytes, sealed and waiting to be sent to the city\n", p.unsent, p.unsent_bytes);
		if (!p.outbox_entries && !p.unsent)
			printf("nothing waits to be sent: every change is sealed%s\n", p.sealed ? " and sent" : "");
	}
	sk_db_free(db);
	return EXIT_OK;
}

int cmd_seal(int argc, char **argv)
{
	struct args a;
	struct sk_db *db;
	struct sk_seal_result res;
	const char *mb;
	long max = 0;
	int rc;

	args_init(&a, argc, argv);
	if ((mb = arg_value(&a, "--max-bytes"))) {
		char *end;
		max = strtol(mb, &end, 10);
		if (*end || max < 1024)
			return usage_error("seal", "--max-bytes '%s' must be a number of bytes, at least 1024", mb);
	}
	arg_operands(&a, "seal", NULL, 0);
	db = open_db();
	rc = sk_seal(db, (size_t)max, &res);
	sk_db_free(db);
	if (rc < 0)
		return fail(rc, "seal");
	if (res.changesets)
		printf("sealed %zu change(s) into %zu change-set(s), %zu bytes\n", res.rows, res.changesets, res.bytes);
	else
		printf("nothing to seal\n");
	if (res.flags & SK_CSF_CLOCK_AHEAD)
		say("warning: this computer's clock is more than a day ahead of the last time heard from the city: check the date\n");
	if (res.flags & SK_CSF_CLOCK_BEHIND)
		say("warning: this computer's clock was set back by more than a day: check the date\n");
	return EXIT_OK;
}

struct log_state {
	long limit, shown;
};

static int log_line(void *payload, const struct sk_log_entry *e)
{
	struct log_state *s = payload;
	char when[32];
	if (s->limit && s->shown >= s->limit)
		return 1;
	local_time(when, sizeof(when), e->at);
	printf("%s  %-8s #%-5llu %6zu row(s) %7zu bytes  %s  %.12s  digest %.16s\n", when, e->origin,
	       (unsigned long long)e->number, e->rows, e->bytes, e->local ? "sealed " : "applied", e->commit ? e->commit : "",
	       e->digest);
	s->shown++;
	return 0;
}

int cmd_log(int argc, char **argv)
{
	struct args a;
	struct sk_db *db;
	struct log_state s = {0, 0};
	const char *origin, *limit;
	int rc;

	args_init(&a, argc, argv);
	origin = arg_value(&a, "--origin");
	if ((limit = arg_value(&a, "--limit")))
		s.limit = atol(limit);
	arg_operands(&a, "log", NULL, 0);
	db = open_db();
	rc = sk_log(db, origin, log_line, &s);
	sk_db_free(db);
	if (rc < 0)
		return fail(rc, "log");
	if (!s.shown)
		say("no change-sets yet\n");
	return EXIT_OK;
}

int cmd_verify(int argc, char **argv)
{
	struct args a;
	struct sk_db *db;
	struct sk_verify_result r;
	int rc;

	args_init(&a, argc, argv);
	arg_operands(&a, "verify", NULL, 0);
	db = open_db();
	rc = sk_verify(db, &r);
	sk_db_free(db);
	if (rc < 0)
		return fail(rc, "verify");
	for (size_t i = 0; i < r.nbad && i < 8; i++)
		fprintf(stderr, "%s\n", r.bad[i]);
	printf("%zu row(s), %zu changed since the last seal\n", r.rows, r.pending);
	printf("digest kept       %s\ndigest recomputed %s\n", r.digest, r.recomputed);
	if (!r.ok) {
		printf("MISMATCH: the database was changed outside sinkron's capture, or is damaged\n");
		return EXIT_FAILED;
	}
	printf("ok\n");
	return EXIT_OK;
}

int cmd_apply(int argc, char **argv)
{
	struct args a;
	struct sk_db *db;
	struct sk_apply_result r;
	const char *from;
	char *ops[16];
	int n, rc = 0;

	args_init(&a, argc, argv);
	from = arg_value(&a, "--from");
	n = arg_operands(&a, "apply", ops, 16);
	db = open_db();
	if (n == 0) {
		rc = sk_apply(db, from, NULL, &r, progress_cb, NULL);
		progress_done();
		printf("applied %zu change-set(s), %zu row change(s); %zu already here\n", r.changesets, r.rows, r.skipped);
	}
	for (int i = 0; i < n; i++) {
		int rc1 = sk_apply(db, from, ops[i], &r, progress_cb, NULL);
		progress_done();
		printf("%s: applied %zu change-set(s), %zu row change(s); %zu already here\n", ops[i], r.changesets, r.rows,
		       r.skipped);
		if (rc1 < 0)
			rc = rc1;
	}
	sk_db_free(db);
	if (rc < 0) {
		for (size_t i = 0; i < r.nrefused && i < 8; i++)
			fprintf(stderr, "sinkron: refused: %s\n", r.refused[i]);
		return rc == SK_EINVALID || rc == SK_ECONFLICT || rc == SK_ECORRUPT ? EXIT_FAILED : exit_code(rc);
	}
	return EXIT_OK;
}

/*
 * cmd_history.c: the verbs over change-sets and the local history: status, seal, log,
 * verify, apply.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent.h"
#include "config.h"
#include "i18n.h"

static void local_time(char *out, size_t n, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(out, n, "%Y-%m-%d %H:%M", &tm);
}

static int64_t setting_ms(struct sk_db *db, const char *key)
{
	char *v = sk_db_setting(db, key);
	int64_t ms = v ? atoll(v) : 0;
	free(v);
	return ms;
}

static void json_str(const char *key, const char *v, int comma)
{
	printf("\"%s\":", key);
	if (!v) {
		printf("null");
	} else {
		putchar('"');
		for (const char *p = v; *p; p++) {
			if (*p == '"' || *p == '\\')
				printf("\\%c", *p);
			else if ((unsigned char)*p < 0x20)
				printf("\\u%04x", *p);
			else
				putchar(*p);
		}
		putchar('"');
	}
	if (comma)
		putchar(',');
}

int cmd_status(int argc, char **argv)
{
	struct args a;
	struct sk_db *db;
	struct sk_pending_info p;
	struct sk_counts c;
	struct sk_receipt r;
	char *central, *last_error, *quarantine, *agent_pid;
	int64_t last_push, last_fetch, last_ok, last_error_at, next_attempt;
	char *problem = NULL, todo[300];
	int json, rc, all_sent, refused;

	args_init(&a, argc, argv);
	json = arg_flag(&a, "--json");
	arg_operands(&a, "status", NULL, 0);
	db = open_db();
	if ((rc = sk_db_health(db, 500)) < 0) {
		sk_db_free(db);
		return fail(rc, "status");
	}
	if ((rc = sk_pending(db, &p)) < 0 || (rc = sk_counts(db, &c)) < 0 || (rc = sk_receipt_get(db, &r)) < 0) {
		sk_db_free(db);
		return fail(rc, "status");
	}
	central = sk_db_setting(db, "central");
	if (!central) {
		/* the agent reads its central repository from office.conf before the database */
		struct config cf;
		char *cpath = config_default_path(g_opts.db_path);
		if (config_load(&cf, cpath, 0) == 0) {
			if (cf.central)
				central = sk_strdup(cf.central);
			config_release(&cf);
		}
		free(cpath);
	}
	last_error = sk_db_setting(db, "status.last_error");
	quarantine = sk_db_setting(db, "status.last_quarantine");
	agent_pid = sk_db_setting(db, "status.agent_pid");
	last_push = setting_ms(db, "status.last_push");
	last_fetch = setting_ms(db, "status.last_fetch");
	last_ok = setting_ms(db, "status.last_ok");
	last_error_at = setting_ms(db, "status.last_error_at");
	next_attempt = setting_ms(db, "status.next_attempt");
	if (sk_db_problem(db)) {
		what_to_do(todo, sizeof(todo), sk_db_problem_remedy(db), NULL);
		problem = sk_printf("%s%s", sk_db_problem(db), todo);
	}
	/* a change-set held at the city, or one rejected while the copies still differ */
	refused = r.refused_state[0] && (!strcmp(r.refused_state, "held") || r.matches != 1);
	/* with capture in doubt, or a change-set the city refused, nothing is known to be in step */
	all_sent = !p.outbox_entries && !p.unsent && !problem && !refused;
	if (json) {
		printf("{");
		json_str("office", sk_db_code(db), 1);
		json_str("name", sk_db_name(db), 1);
		printf("\"city\":%s,\"workers_active\":%lld,\"workers_ended\":%lld,\"enrolments_active\":%lld,\"heirs\":%lld,"
		       "\"pending_changes\":%zu,\"pending_rows\":%zu,\"oldest_pending_ms\":%lld,\"sealed\":%zu,\"pushed\":%zu,"
		       "\"unsent_changesets\":%zu,\"unsent_bytes\":%zu,\"everything_sent\":%s,",
		       sk_db_is_city(db) ? "true" : "false", (long long)c.active, (long long)c.ended, (long long)c.enrolments,
		       (long long)c.heirs, p.outbox_entries, p.outbox_rows, (long long)p.oldest_ms, p.sealed, p.pushed, p.unsent,
		       p.unsent_bytes, all_sent ? "true" : "false");
		printf("\"last_push_ms\":%lld,\"last_fetch_ms\":%lld,\"last_ok_ms\":%lld,\"last_error_ms\":%lld,"
		       "\"next_attempt_ms\":%lld,", (long long)last_push, (long long)last_fetch, (long long)last_ok,
		       (long long)last_error_at, (long long)next_attempt);
		json_str("last_error", last_error, 1);
		json_str("agent_pid", agent_pid, 1);
		json_str("problem", problem, 1);
		if (r.have)
			printf("\"receipt\":{\"last_number\":%lld,\"sealed_ms\":%lld,\"consolidated_ms\":%lld,\"digest\":\"%s\","
			       "\"matches\":%s,\"city_has_everything\":%s}",
			       (long long)r.last_number, (long long)r.sealed_at, (long long)r.consolidated_at, r.digest,
			       r.matches < 0 ? "null" : r.matches ? "true" : "false",
			       all_sent && (size_t)r.last_number == p.sealed ? "true" : "false");
		else
			printf("\"receipt\":null");
		if (refused) {
			printf(",\"refused\":{\"number\":%lld,", (long long)r.refused_number);
			json_str("state", r.refused_state, 1);
			json_str("reason", r.refused_reason, 0);
			putchar('}');
		} else {
			printf(",\"refused\":null");
		}
		printf("}\n");
	} else {
		char when[32], when2[32], which[64];
		printf(_("%s %s (%s): %lld active worker(s), %lld ended, %lld active enrolment(s)\n"),
		       sk_db_is_city(db) ? _("City") : _("Distrik"), sk_db_name(db), sk_db_code(db), (long long)c.active,
		       (long long)c.ended, (long long)c.enrolments);
		if (p.outbox_entries) {
			local_time(when, sizeof(when), p.oldest_ms);
			printf(_("%zu change(s) to %zu record(s) not yet sealed, the oldest from %s\n"), p.outbox_entries,
			       p.outbox_rows, when);
		}
		if (p.unsent)
			printf(_("%zu change-set(s), %zu bytes, sealed and waiting to be sent to the city\n"), p.unsent, p.unsent_bytes);
		if (problem)
			printf(_("NOT IN STEP: %s\n"), tr_msg(problem));
		/* "change-set #12": a msgid ending in a number would match the engine's messages that begin so */
		if (refused && r.refused_number)
			snprintf(which, sizeof(which), "%s #%lld", _("change-set"), (long long)r.refused_number);
		else if (refused)
			snprintf(which, sizeof(which), "%s", _("a change-set"));
		if (refused && !strcmp(r.refused_state, "held"))
			printf(_("NOT IN STEP: the city holds %s of this office in quarantine: %s;\n"
			       "  this office's later change-sets wait behind it. Tell the city: after checking, it releases\n"
			       "  or rejects it ('sinkron quarantine'); %s\n"), which, tr_msg(r.refused_reason),
			       strstr(r.refused_reason, "clock") ? _("and check this computer's date and time")
								 : _("nothing needs to be done again here until then"));
		else if (refused)
			printf(_("NOT IN STEP: the city rejected %s of this office: %s;\n"
			       "  what it carried is not at the city, and the city's copy of this office's data differs from ours.\n"
			       "  Undo here what the city refused (a record of another office: delete it), then make the other\n"
			       "  changes it carried again ('sinkron log' lists them), so they are sent anew\n"),
			       which, tr_msg(r.refused_reason));
		if (!sk_db_is_city(db)) {
			if (r.have && (size_t)r.last_number == p.sealed && all_sent) {
				local_time(when, sizeof(when), r.sealed_at);
				local_time(when2, sizeof(when2), r.consolidated_at);
				printf(_("the city has everything: every change-set up to #%lld (sealed %s), applied at the city %s\n"),
				       (long long)r.last_number, when, when2);
			} else if (r.have && (size_t)r.last_number >= p.sealed && !problem && !refused) {
				local_time(when, sizeof(when), r.sealed_at);
				printf(_("the city has every change-set sealed so far, up to #%lld (sealed %s); the changes made since "
				       "go with the next sync\n"), (long long)r.last_number, when);
			} else if (r.have && (size_t)r.last_number < p.sealed && !refused) {
				local_time(when, sizeof(when), r.sealed_at);
				printf(_("the city has everything up to #%lld (sealed %s); #%lld to #%zu %s\n"), (long long)r.last_number,
				       when, (long long)r.last_number + 1, p.sealed,
				       p.pushed > (size_t)r.last_number ? _("reached the central repository and wait for the city to consolidate")
									: _("are not yet at the central repository"));
			} else if (p.sealed && !refused) {
				printf(_("no receipt from the city yet: it has not confirmed any change-set of this office\n"));
			}
			if (r.have && r.matches == 1 && !refused)
				printf(_("the city's copy of this office's data matches ours at #%lld\n"), (long long)r.last_number);
			else if (r.have && r.matches == 0 && !refused)
				printf(_("note: the city's copy of this office's data at #%lld differs from ours then; this is expected\n"
				       "  when the city changed these records (KPJ, duplicates) at the same time; if it persists, run\n"
				       "  'sinkron verify' and tell the city\n"), (long long)r.last_number);
		}
		if (all_sent && !r.have && sk_db_is_city(db))
			printf(_("nothing waits to be sent\n"));
		if (last_ok) {
			local_time(when, sizeof(when), last_ok);
			printf(_("last successful sync: %s"), when);
			if (last_push && last_push != last_ok) {
				local_time(when2, sizeof(when2), last_push);
				printf(_(" (last push %s"), when2);
				local_time(when2, sizeof(when2), last_fetch);
				printf(_(", last fetch %s)"), when2);
			}
			putchar('\n');
		} else if (last_push || last_fetch) {
			local_time(when, sizeof(when), last_push);
			local_time(when2, sizeof(when2), last_fetch);
			printf(_("last push %s, last fetch %s\n"), last_push ? when : _("never"), last_fetch ? when2 : _("never"));
		}
		if (last_error && last_error_at >= last_ok) {
			local_time(when, sizeof(when), last_error_at);
			printf(_("last error (%s): %s\n"), when, tr_msg(last_error));
		}
		if (next_attempt && agent_pid) {
			local_time(when, sizeof(when), next_attempt);
			printf(_("the agent (pid %s) tries again at %s\n"), agent_pid, when);
		} else if (!agent_pid) {
			printf(_("no agent is running for this database%s\n"), central || last_ok ? "" : _(", and no central repository is set"));
		}
		if (quarantine && sk_db_is_city(db))
			printf(_("last quarantined: %s ('sinkron quarantine')\n"), tr_msg(quarantine));
	}
	free(central);
	free(last_error);
	free(problem);
	sk_receipt_release(&r);
	free(quarantine);
	free(agent_pid);
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
	rc = sk_seal(db, (size_t)max, &res, progress_cb, NULL);
	progress_done();
	sk_db_free(db);
	if (rc < 0)
		return fail(rc, "seal");
	if (res.changesets)
		printf(_("sealed %zu change(s) into %zu change-set(s), %zu bytes\n"), res.rows, res.changesets, res.bytes);
	else
		printf(_("nothing to seal\n"));
	if (res.aside)
		fprintf(stderr, _("sinkron: seal: %zu change(s) could not be sealed, the first to %s: its id is not UTF-8 text "
			"(written with another SQLite tool); give the record a proper id or delete it\n"), res.aside, res.aside_first);
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
	printf(_("%s  %-8s #%-5llu %6zu row(s) %7zu bytes  %s  %.12s  digest %.16s\n"), when, e->origin,
	       (unsigned long long)e->number, e->rows, e->bytes, e->local ? _("sealed ") : _("applied"), e->commit ? e->commit : "",
	       e->digest);
	if (e->summary && *e->summary)
		printf("    %s\n", e->summary);
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
	int rc, repair;

	args_init(&a, argc, argv);
	repair = arg_flag(&a, "--repair");
	arg_operands(&a, "verify", NULL, 0);
	db = open_db();
	if (repair) {
		size_t n;
		if ((rc = sk_db_repair_capture(db, &n)) < 0) {
			sk_db_free(db);
			return fail(rc, "verify --repair");
		}
		printf(_("capture triggers made again; %zu record(s) changed without capture are now recorded, to be sealed and sent\n"), n);
	}
	rc = sk_verify(db, &r);
	sk_db_free(db);
	if (rc < 0) {
		sk_verify_result_free(&r);
		return fail(rc, "verify");
	}
	for (size_t i = 0; i < r.nbad; i++)
		fprintf(stderr, "%s\n", tr_msg(r.bad[i]));
	sk_verify_result_free(&r);
	printf(_("%zu row(s), %zu changed since the last seal\n"), r.rows, r.pending);
	printf(_("digest kept       %s\ndigest recomputed %s\n"), r.digest, r.recomputed);
	if (!r.ok) {
		printf(_("MISMATCH: the database was changed outside sinkron's capture, or is damaged\n"));
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
		if (rc == SK_ENOTFOUND && from) {
			sk_apply_result_free(&r);
			sk_db_free(db);
			fprintf(stderr, _("sinkron: apply: %s\n"), cli_error());
			return EXIT_USAGE;
		}
		printf(_("applied %zu change-set(s), %zu row change(s); %zu already here\n"), r.changesets, r.rows, r.skipped);
	}
	for (int i = 0; i < n; i++) {
		int rc1;
		if (i)
			sk_apply_result_free(&r);
		rc1 = sk_apply(db, from, ops[i], &r, progress_cb, NULL);
		progress_done();
		printf(_("%s: applied %zu change-set(s), %zu row change(s); %zu already here\n"), ops[i], r.changesets, r.rows,
		       r.skipped);
		if (rc1 < 0)
			rc = rc1;
	}
	sk_db_free(db);
	if (rc < 0) {
		for (size_t i = 0; i < r.nrefused; i++)
			fprintf(stderr, _("sinkron: refused: %s\n"), tr_msg(r.refused[i]));
		sk_apply_result_free(&r);
		return rc == SK_EINVALID || rc == SK_ECONFLICT || rc == SK_ECORRUPT ? EXIT_FAILED : exit_code(rc);
	}
	sk_apply_result_free(&r);
	return EXIT_OK;
}

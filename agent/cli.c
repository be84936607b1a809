/*
 * cli.c: what every verb of the command line uses: the global options, the argument reader,
 * opening the database, messages and exit codes, progress on a terminal.  Called by main.c,
 * the verbs (cmd_*.c) and the web server's and accounts' verbs (web_server.c, web_user.c); it
 * calls nothing of agent/ but the engine (sync.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "i18n.h"

struct opts g_opts;
const struct cmd *cli_verbs;

const struct cmd *cli_verb(const char *name)
{
	for (const struct cmd *c = cli_verbs; c && c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

void args_init(struct args *a, int argc, char **argv)
{
	memset(a, 0, sizeof(*a));
	a->argc = argc > 64 ? 64 : argc;
	a->argv = argv;
	a->used[0] = 1;
}

const char *arg_value(struct args *a, const char *name)
{
	size_t n = strlen(name);
	for (int i = 1; i < a->argc; i++) {
		if (a->used[i])
			continue;
		if (!strcmp(a->argv[i], "--"))
			break;
		if (!strcmp(a->argv[i], name)) {
			if (i + 1 >= a->argc) {
				fprintf(stderr, _("sinkron %s: %s needs a value\n"), a->argv[0], name);
				exit(EXIT_USAGE);
			}
			a->used[i] = a->used[i + 1] = 1;
			return a->argv[i + 1];
		}
		if (!strncmp(a->argv[i], name, n) && a->argv[i][n] == '=') {
			a->used[i] = 1;
			return a->argv[i] + n + 1;
		}
	}
	return NULL;
}

int arg_flag(struct args *a, const char *name)
{
	for (int i = 1; i < a->argc; i++)
		if (!a->used[i] && !strcmp(a->argv[i], name)) {
			a->used[i] = 1;
			return 1;
		}
	return 0;
}

int arg_operands(struct args *a, const char *verb, char **out, int max)
{
	int n = 0, dashdash = 0;
	for (int i = 1; i < a->argc; i++) {
		if (a->used[i])
			continue;
		if (!dashdash && !strcmp(a->argv[i], "--")) {
			dashdash = 1;
			continue;
		}
		if (!dashdash && a->argv[i][0] == '-' && a->argv[i][1]) {
			usage_error(verb, "unknown option '%s'", a->argv[i]);
			exit(EXIT_USAGE);
		}
		if (n == max) {
			usage_error(verb, "too many arguments ('%s')", a->argv[i]);
			exit(EXIT_USAGE);
		}
		out[n++] = a->argv[i];
	}
	return n;
}

int usage_error(const char *verb, const char *fmt, ...)
{
	const struct cmd *c = cli_verb(verb);
	va_list ap;
	fprintf(stderr, "sinkron %s: ", verb);
	va_start(ap, fmt);
	vfprintf(stderr, _(fmt), ap);
	va_end(ap);
	fputc('\n', stderr);
	if (c) {
		const char *help = _(c->help), *end = strstr(help, "\n\n");
		fprintf(stderr, "%.*s\n", end ? (int)(end - help) : (int)strlen(help), help);
	}
	return EXIT_USAGE;
}

int exit_code(int rc)
{
	if (rc >= 0)
		return EXIT_OK;
	return rc == SK_EINVALID ? EXIT_USAGE : EXIT_FAILED;
}

/* The engine says what went wrong and, beside it, what can be done (enum sk_remedy); on the
 * command line these words say which verb or flag does it.  "%s" is the remedy's subject. */
static const char *const remedy_words[] = {
	[SK_DO_INIT] = ": run 'sinkron init'",
	[SK_DO_INIT_DISTRICT] = ": create it with 'sinkron init DISTRICT'",
	[SK_DO_INIT_CITY] = ": use 'sinkron init --city %1$s', or give a district such as %1$s.01",
	[SK_DO_SHOW_CODE] = " ('sinkron log' shows it)",
	[SK_DO_REPAIR_CAPTURE] = "; run 'sinkron verify --repair' to switch it on again and record every difference",
	[SK_DO_REPAIR_TRIGGERS] = "; run 'sinkron verify --repair' to make them again and record every difference",
	[SK_DO_REBUILD_LATEST] = "; rebuild the database with 'sinkron restore --at LATEST --replace'",
	[SK_DO_REBUILD_DAMAGED] = ": stop the agent, keep a copy of the file, and rebuild it from the office's history "
				  "with 'sinkron restore --at DATE --replace' (see 'sinkron help restore')",
	[SK_DO_RESTORE_REPLACE] = "; 'sinkron restore --replace' brings the office back from the central repository instead",
	[SK_DO_REPLACE_LIVE] = ": restore writes over it only with --replace",
	[SK_DO_RESTORE_WHOLE] = ": restore it without --district",
	[SK_DO_UNDO_TO] = ": use 'sinkron restore --undo-to' to bring records back to that point",
	[SK_DO_UNDO_AT_DISTRICT] = "; run 'sinkron restore --undo-to' there",
	[SK_DO_QUARANTINE_LIST] = " ('sinkron quarantine' lists them)",
	[SK_DO_DUPLICATES_LIST] = " ('sinkron duplicates' lists them)",
	[SK_DO_EDIT_WORKER] = " with 'sinkron worker edit %1$s'",
	[SK_DO_GIVE_DECISION] = "; give its number with --decision",
	[SK_DO_GIVE_FUNDER] = ": say who pays with --funder, one of the list 'sinkron funder list' shows",
	[SK_DO_CHOOSE_FUNDER] = ": choose one, or the city adds it with 'sinkron funder add'",
	[SK_DO_ONE_PROGRAMME] = "; change one programme at a time, or leave --program out for all of them",
	[SK_DO_GIVE_FROM] = "; say from when with --from",
	[SK_DO_GIVE_REASON] = "; say why with --reason",
	[SK_DO_GIVE_SINCE] = "; say since when with --since (a date)",
	[SK_DO_OTHER_REJECT_FILE] = ": give --reject another name",
	[SK_DO_IMPORT_TEMPLATE] = " (see 'sinkron import --template')",
	[SK_DO_IMPORT_COLUMNS] = ", as `sinkron import --template` writes them",
	[SK_DO_EXPORT_COLUMNS] = ": see 'sinkron export --columns'",
};

void what_to_do(char *out, size_t n, enum sk_remedy remedy, const char *subject)
{
	const char *words = (size_t)remedy < sizeof(remedy_words) / sizeof(remedy_words[0]) ? remedy_words[remedy] : NULL;
	*out = '\0';
	if (!words || (strstr(words, "%1$s") && (!subject || !*subject)))
		return;
	snprintf(out, n, words, subject ? subject : "");
}

const char *cli_error(void)
{
	static char *text;
	char todo[300];
	what_to_do(todo, sizeof(todo), sk_error_remedy(), sk_error_remedy_subject());
	free(text);
	text = sk_printf("%s%s", tr_msg(sk_error_last()), tr_msg(todo));
	return text;
}

int fail(int rc, const char *what)
{
	if (what)
		fprintf(stderr, "sinkron: %s: %s\n", what, cli_error());
	else
		fprintf(stderr, "sinkron: %s\n", cli_error());
	return exit_code(rc);
}

const char *tr_msg(const char *msg)
{
	static char *kept[8];
	static unsigned next;
	char **slot = &kept[next++ % 8];
	free(*slot);
	*slot = i18n_tr_msg(msg);
	return *slot;
}

void say(const char *fmt, ...)
{
	va_list ap;
	if (g_opts.quiet)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, _(fmt), ap);
	va_end(ap);
}

void print_issues(const struct sk_issues *is, long line)
{
	for (int i = 0; i < is->n; i++) {
		char *reason = i18n_tr_msg(is->v[i].reason);
		if (line > 0)
			fprintf(stderr, _("line %ld: "), line);
		fprintf(stderr, "%s: %s: %s\n", is->v[i].error ? _("error") : _("warning"), is->v[i].field, reason);
		free(reason);
	}
	if (is->dropped) {
		if (line > 0)
			fprintf(stderr, _("line %ld: "), line);
		fprintf(stderr, _("%d more issue(s) not shown\n"), is->dropped);
	}
}

static int progress_shown;

/* The engine names its step in English; the catalogue has them all: N_("applying"),
 * N_("consolidating"), N_("importing"), N_("receiving"), N_("restoring"), N_("sealing"),
 * N_("sending"). */
void progress_cb(void *payload, const char *what, uint64_t done, uint64_t total)
{
	(void)payload;
	if (g_opts.quiet || !isatty(2))
		return;
	if (total) {
		int pct = (int)(done * 100 / total), bars = pct / 4;
		fprintf(stderr, "\r%-10s [%-25.*s] %3d%%", _(what), bars, "#########################", pct);
	} else {
		fprintf(stderr, "\r%-10s %llu", _(what), (unsigned long long)done);
	}
	progress_shown = 1;
}

void progress_done(void)
{
	if (progress_shown)
		fputc('\n', stderr);
	progress_shown = 0;
}

struct sk_db *open_db(void)
{
	struct sk_db *db = NULL;
	int rc = sk_db_open(&db, g_opts.db_path);
	if (rc < 0)
		exit(fail(rc, NULL));
	sk_db_set_operator(db, g_opts.operator_name);
	return db;
}

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
		const char *end = strstr(c->help, "\n\n");
		fprintf(stderr, "%.*s\n", end ? (int)(end - c->help) : (int)strlen(c->help), c->help);
	}
	return EXIT_USAGE;
}

int exit_code(int rc)
{
	if (rc >= 0)
		return EXIT_OK;
	return rc == SK_EINVALID ? EXIT_USAGE : EXIT_FAILED;
}

/* The engine says what went wrong; on the command line these say which verb or flag puts it
 * right.  An entry applies to a message that starts with head, holds has and ends with tail
 * (each NULL: any); its words are added at the end. */
static const struct {
	const char *head, *has, *tail, *todo;
} todos[] = {
	{"no active record ", NULL, NULL, " ('sinkron duplicates' lists them)"},
	{NULL, NULL, "unless a decision allows it", "; give its number with --decision"},
	{"no funder given", NULL, "no funder given", ": say who pays with --funder, one of the list 'sinkron funder list' shows"},
	{"a change of who pays concerns one programme", NULL, NULL,
	 "; change one programme at a time, or leave --program out for all of them"},
	{"no day given from when the change holds", NULL, NULL, "; say from when with --from"},
	{"the reason for an end is one of: ", NULL, NULL, "; say why with --reason"},
	{"the reject file '", NULL, "' is the file being imported", ": give --reject another name"},
	{NULL, NULL, "' is empty: it needs a header line", " (see 'sinkron import --template')"},
	{"no day given from which the ends and deaths", NULL, NULL, "; say since when with --since (a date)"},
	{"the export column '", NULL, "which sinkron does not know", ": see 'sinkron export --columns'"},
	{NULL, "the header lacks the column", ": the first line must name the columns",
	 ", as `sinkron import --template` writes them"},
	{"funder '", "' is not in the list of funders (", ")", ": choose one, or the city adds it with 'sinkron funder add'"},
	{"NIK ", " is already registered in ", ": correct that record", NULL}, /* names the record: below */
};

/* What to do about the engine's message msg, into out ("" when the message says it all). */
static void what_to_do(char *out, size_t n, const char *msg)
{
	size_t len = strlen(msg);
	*out = '\0';
	for (size_t i = 0; i < sizeof(todos) / sizeof(todos[0]); i++) {
		const char *head = todos[i].head, *has = todos[i].has, *tail = todos[i].tail;
		if ((head && strncmp(msg, head, strlen(head))) || (has && !strstr(msg, has)) ||
		    (tail && (len < strlen(tail) || strcmp(msg + len - strlen(tail), tail))))
			continue;
		if (todos[i].todo) {
			snprintf(out, n, "%s", todos[i].todo);
		} else {
			/* the record already registered: "... (id ID): correct that record" */
			const char *id = strstr(msg, " (id ");
			const char *end = id ? strstr(id, "):") : NULL;
			if (id && end)
				snprintf(out, n, " with 'sinkron worker edit %.*s'", (int)(end - id - 5), id + 5);
		}
		return;
	}
}

int fail(int rc, const char *what)
{
	const char *msg = sk_error_last();
	char todo[200];
	what_to_do(todo, sizeof(todo), msg);
	char *m = i18n_tr_msg(msg), *t = i18n_tr_msg(todo);
	if (what)
		fprintf(stderr, "sinkron: %s: %s%s\n", what, m, t);
	else
		fprintf(stderr, "sinkron: %s%s\n", m, t);
	free(m);
	free(t);
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

/*
 * cli.h: what the verbs of the sinkron program share (cli.c): the options every verb takes,
 * the argument reader, progress on a terminal, and the exit codes (0 done, 1 the operation
 * failed, 2 bad usage or bad input).
 */
#ifndef SK_CLI_H
#define SK_CLI_H

#include "sync.h"

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2 };

struct opts {
	const char *db_path;
	const char *operator_name;
	int verbose, quiet;
};
extern struct opts g_opts;

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
	const char *help;
};
/* The verb table (main.c's), set by main() before a verb runs: usage_error() prints a verb's
 * usage from it; cli_verb() finds a verb by name (NULL when unknown). */
extern const struct cmd *cli_verbs;
const struct cmd *cli_verb(const char *name);

/* Argument reading: flags are "--name value" or "--name=value"; what is left are operands. */
struct args {
	int argc;
	char **argv;
	int used[64];
};
void args_init(struct args *a, int argc, char **argv);
/* The value of --name (NULL when absent); a flag given without its value exits 2. */
const char *arg_value(struct args *a, const char *name);
int arg_flag(struct args *a, const char *name);
/* The operands left, in order; an unknown --flag left over exits 2 with the verb's usage. */
int arg_operands(struct args *a, const char *verb, char **out, int max);

/* Opens the database of --db / $SINKRON_DB / ./sinkron.db, or exits with a message. */
struct sk_db *open_db(void);
/* Prints "sinkron: <what>: <sk_error_last()>" and returns the exit code for rc. */
int fail(int rc, const char *what);
/* The words that say on the command line what to do about an engine's error (sk_error_remedy,
 * its subject), into out; "" when the message says it all. */
void what_to_do(char *out, size_t n, enum sk_remedy remedy, const char *subject);
/* The engine's last message with those words, in the language LANG asks for (until the next
 * call). */
const char *cli_error(void);
int exit_code(int rc);
/* The engine's message msg in the language in force (LANG), valid until eight more calls. */
const char *tr_msg(const char *msg);
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));   /* stderr unless -q */
void print_issues(const struct sk_issues *is, long line);
/* A progress bar on stderr when it is a terminal and not -q. */
void progress_cb(void *payload, const char *what, uint64_t done, uint64_t total);
void progress_done(void);
int usage_error(const char *verb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif

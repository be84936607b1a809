/*
 * web_user.c: the accounts of the web pages and `sinkron user add|list|disable|enable|passwd`.
 * Accounts live in the office's own database, in a table that is not synced (not in
 * sk_tables): the city never sees them.  Passwords are hashed with Argon2id (libsodium's
 * crypto_pwhash_str) and read from the terminal or standard input, never from the command line.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "web.h"

/* Argon2id at OWASP's recommended minimum (19 MiB, 2 passes): a login costs a fraction of a
 * second and 19 MiB for that moment, so the server stays small on an office PC */
#define PW_OPS 2
#define PW_MEM ((size_t)19 << 20)

#define ACCOUNTS_TABLE(name)                                                                               \
	"CREATE TABLE " name " ("                                                                          \
	" name     TEXT PRIMARY KEY,"                                                                      \
	" hash     TEXT NOT NULL,"                                                                         \
	" role     TEXT NOT NULL CHECK (role IN ('petugas', 'kepala', 'operator', 'pemantau', 'admin')),"  \
	" disabled INTEGER NOT NULL DEFAULT 0,"                                                            \
	" created  INTEGER NOT NULL,"                                                                      \
	" changed  INTEGER NOT NULL) WITHOUT ROWID"

/* The table of accounts; one made before the city's roles existed (its CHECK names the office's
 * two alone) is rebuilt with the same rows, in one transaction. */
int web_accounts_ensure(sqlite3 *h)
{
	sqlite3_stmt *st;
	int old = 0, rc;
	sqlite3_busy_timeout(h, 10000);
	if (sqlite3_prepare_v2(h, "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'web_accounts'", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *sql = (const char *)sqlite3_column_text(st, 0);
		old = sql && !strstr(sql, "'pemantau'") ? 1 : -1;
	}
	sqlite3_finalize(st);
	if (old < 0)
		return 0;
	if (!old)
		return sqlite3_exec(h, ACCOUNTS_TABLE("IF NOT EXISTS web_accounts"), NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
	rc = sqlite3_exec(h, "BEGIN IMMEDIATE;" ACCOUNTS_TABLE("web_accounts_new") ";"
			     "INSERT INTO web_accounts_new SELECT name, hash, role, disabled, created, changed FROM web_accounts;"
			     "DROP TABLE web_accounts; ALTER TABLE web_accounts_new RENAME TO web_accounts; COMMIT",
			  NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
	return rc == SQLITE_OK ? 0 : -1;
}

/* The worker list's order and filters read from indexes (the engine never needs them; they change
 * no row, so nothing of them is synced or digested).  At the city the list's index leaves the
 * status out, so that the duplicates' query (status = 'active') reads its own partial index, and
 * the districts at a glance count each district's workers from (owner, status). */
int web_indexes_ensure(sqlite3 *h, int city)
{
	sqlite3_busy_timeout(h, 10000);
	if (city)
		return sqlite3_exec(h, "DROP INDEX IF EXISTS web_workers_list;"
				       "CREATE INDEX IF NOT EXISTS web_workers_name ON workers(name COLLATE NOCASE, id);"
				       "CREATE INDEX IF NOT EXISTS web_workers_occupation ON workers(occupation);"
				       "CREATE INDEX IF NOT EXISTS web_workers_owner ON workers(owner, status);"
				       "CREATE INDEX IF NOT EXISTS web_workers_dup ON workers(nik) WHERE status = 'active' AND duplicate_of IS NULL;",
				    NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
	return sqlite3_exec(h, "CREATE INDEX IF NOT EXISTS web_workers_list ON workers(status, name COLLATE NOCASE, id);"
			       "CREATE INDEX IF NOT EXISTS web_workers_occupation ON workers(occupation);",
			    NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

/* A dummy hash to verify against when the name is unknown, so the answer takes as long */
static char dummy_hash[crypto_pwhash_STRBYTES];

int web_account_check(sqlite3 *h, const char *name, const char *password, char role[16])
{
	sqlite3_stmt *st;
	int ok = 0, found = 0, disabled = 0;
	char hash[crypto_pwhash_STRBYTES] = "";
	if (sqlite3_prepare_v2(h, "SELECT hash, role, disabled FROM web_accounts WHERE name = ?", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		found = 1;
		snprintf(hash, sizeof(hash), "%s", (const char *)sqlite3_column_text(st, 0));
		snprintf(role, 16, "%s", (const char *)sqlite3_column_text(st, 1));
		disabled = sqlite3_column_int(st, 2);
	}
	sqlite3_finalize(st);
	if (!found) {
		if (!dummy_hash[0] &&
		    crypto_pwhash_str(dummy_hash, "-", 1, PW_OPS, PW_MEM) != 0)
			return 0;
		if (crypto_pwhash_str_verify(dummy_hash, password, strlen(password)) == 0)
			return 0;
		return 0;
	}
	ok = crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
	return ok && !disabled;
}

int web_account_active(sqlite3 *h, const char *name, char role[16])
{
	sqlite3_stmt *st;
	int ok = 0;
	if (sqlite3_prepare_v2(h, "SELECT role FROM web_accounts WHERE name = ? AND disabled = 0", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(role, 16, "%s", (const char *)sqlite3_column_text(st, 0));
		ok = 1;
	}
	sqlite3_finalize(st);
	return ok;
}

/* ---- the command line ---- */

static int read_line(char *buf, size_t n, const char *prompt)
{
	struct termios old, quiet;
	int tty = isatty(0), got;
	size_t len;
	if (tty) {
		fprintf(stderr, "%s", prompt);
		tcgetattr(0, &old);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(0, TCSAFLUSH, &quiet);
	}
	got = fgets(buf, (int)n, stdin) != NULL;
	if (tty) {
		tcsetattr(0, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	if (!got)
		return -1;
	len = strlen(buf);
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		buf[--len] = '\0';
	return 0;
}

/* The new password, from the terminal (asked twice) or the first line of standard input */
static int read_password(char out[crypto_pwhash_STRBYTES])
{
	char pw[256], again[256];
	char *hash = out;
	if (read_line(pw, sizeof(pw), _("New password: ")) < 0) {
		fprintf(stderr, "sinkron user: %s\n", _("no password given on standard input"));
		return -1;
	}
	if (isatty(0)) {
		if (read_line(again, sizeof(again), _("Again: ")) < 0 || strcmp(pw, again)) {
			fprintf(stderr, "sinkron user: %s\n", _("the two passwords differ: nothing was changed"));
			sodium_memzero(pw, sizeof(pw));
			sodium_memzero(again, sizeof(again));
			return -1;
		}
		sodium_memzero(again, sizeof(again));
	}
	if (strlen(pw) < 8) {
		fprintf(stderr, "sinkron user: %s\n", _("the password must have at least 8 characters: nothing was changed"));
		sodium_memzero(pw, sizeof(pw));
		return -1;
	}
	if (crypto_pwhash_str(hash, pw, strlen(pw), PW_OPS, PW_MEM) != 0) {
		sodium_memzero(pw, sizeof(pw));
		fprintf(stderr, "sinkron user: %s\n", _("not enough memory to hash the password"));
		return -1;
	}
	sodium_memzero(pw, sizeof(pw));
	return 0;
}

static int valid_name(const char *n)
{
	size_t len = strlen(n);
	if (len < 2 || len > 40)
		return 0;
	for (const char *p = n; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' || *p == '_'))
			return 0;
	return 1;
}

static int db_city; /* the database opened by open_accounts() is the city's */

static sqlite3 *open_accounts(void)
{
	sqlite3 *h = NULL;
	struct sk_db *db = open_db(); /* checks it is a sinkron database, migrates it */
	db_city = sk_db_is_city(db);
	sk_db_free(db);
	if (sqlite3_open_v2(g_opts.db_path, &h, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK || web_accounts_ensure(h) < 0) {
		fprintf(stderr, "sinkron user: cannot open '%s': %s\n", g_opts.db_path, h ? sqlite3_errmsg(h) : "");
		sqlite3_close(h);
		exit(EXIT_FAILED);
	}
	sqlite3_busy_timeout(h, 10000);
	return h;
}

static int exec_changed(sqlite3 *h, const char *sql, const char *a1, const char *a2, const char *a3)
{
	sqlite3_stmt *st;
	int rc;
	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (a1)
		sqlite3_bind_text(st, 1, a1, -1, SQLITE_STATIC);
	if (a2)
		sqlite3_bind_text(st, 2, a2, -1, SQLITE_STATIC);
	if (a3)
		sqlite3_bind_text(st, 3, a3, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)time(NULL));
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return rc == SQLITE_CONSTRAINT ? -2 : -1;
	return sqlite3_changes(h);
}

int cmd_user(int argc, char **argv)
{
	struct args a;
	char *ops[2] = {NULL, NULL}, hash[crypto_pwhash_STRBYTES];
	const char *role;
	int n, rc = EXIT_OK;
	sqlite3 *h;

	i18n_from_env();
	args_init(&a, argc, argv);
	role = arg_value(&a, "--role");
	n = arg_operands(&a, "user", ops, 2);
	if (n < 1)
		return usage_error("user", "%s", _("say what to do: add, list, disable, enable or passwd"));
	if (sodium_init() < 0)
		return EXIT_FAILED;
	if (!strcmp(ops[0], "list")) {
		sqlite3_stmt *st;
		h = open_accounts();
		sqlite3_prepare_v2(h, "SELECT name, role, disabled FROM web_accounts ORDER BY name", -1, &st, NULL);
		while (sqlite3_step(st) == SQLITE_ROW)
			printf("%-20s %-9s %s\n", sqlite3_column_text(st, 0), sqlite3_column_text(st, 1),
			       sqlite3_column_int(st, 2) ? _("disabled") : _("active"));
		sqlite3_finalize(st);
		sqlite3_close(h);
		return EXIT_OK;
	}
	if (n < 2)
		return usage_error("user", _("'%s' needs an account name"), ops[0]);
	if (!valid_name(ops[1]))
		return usage_error("user", _("account name '%s' must be 2-40 lower-case letters, digits, '.', '-' or '_'"), ops[1]);
	if (!strcmp(ops[0], "add")) {
		h = open_accounts();
		if (!role)
			role = db_city ? "operator" : "petugas";
		if (!web_role_valid(role, db_city)) {
			sqlite3_close(h);
			if (db_city)
				return usage_error("user", _("role '%s' is not operator (city officer), pemantau (inspector, reads only) or admin (accounts)"), role);
			return usage_error("user", _("role '%s' is not petugas (clerk) or kepala (head of office)"), role);
		}
		if (read_password(hash) < 0) {
			sqlite3_close(h);
			return EXIT_USAGE;
		}
		n = exec_changed(h, "INSERT INTO web_accounts (name, hash, role, created, changed) VALUES (?1, ?2, ?3, ?4, ?4)", ops[1], hash, role);
		if (n == -2) {
			fprintf(stderr, _("sinkron user: account '%s' already exists: change its password with 'sinkron user passwd %s'\n"), ops[1], ops[1]);
			rc = EXIT_USAGE;
		} else if (n < 0) {
			fprintf(stderr, "sinkron user: %s\n", sqlite3_errmsg(h));
			rc = EXIT_FAILED;
		} else {
			printf(_("account '%s' (%s) added\n"), ops[1], role);
		}
	} else if (!strcmp(ops[0], "passwd")) {
		h = open_accounts();
		if (read_password(hash) < 0) {
			sqlite3_close(h);
			return EXIT_USAGE;
		}
		n = exec_changed(h, "UPDATE web_accounts SET hash = ?2, changed = ?4 WHERE name = ?1", ops[1], hash, NULL);
		if (n == 0) {
			fprintf(stderr, _("sinkron user: no account '%s': 'sinkron user list' shows them\n"), ops[1]);
			rc = EXIT_USAGE;
		} else {
			printf(_("password of '%s' changed\n"), ops[1]);
		}
	} else if (!strcmp(ops[0], "disable") || !strcmp(ops[0], "enable")) {
		int dis = !strcmp(ops[0], "disable");
		h = open_accounts();
		n = exec_changed(h, dis ? "UPDATE web_accounts SET disabled = 1, changed = ?4 WHERE name = ?1"
					: "UPDATE web_accounts SET disabled = 0, changed = ?4 WHERE name = ?1",
				 ops[1], NULL, NULL);
		if (n == 0) {
			fprintf(stderr, _("sinkron user: no account '%s': 'sinkron user list' shows them\n"), ops[1]);
			rc = EXIT_USAGE;
		} else {
			printf(dis ? _("account '%s' disabled: it is logged out at its next request\n") : _("account '%s' enabled\n"), ops[1]);
		}
	} else {
		return usage_error("user", _("'%s' is not add, list, disable, enable or passwd"), ops[0]);
	}
	sodium_memzero(hash, sizeof(hash));
	sqlite3_close(h);
	return rc;
}

/* ---- the head of office's page: the accounts (kepala only) ---- */

static int exec_changed(sqlite3 *h, const char *sql, const char *a1, const char *a2, const char *a3);

static void accounts_page(struct web_req *r, const char *ok, const char *err)
{
	sqlite3_stmt *st;
	web_page_begin(r, N_("Accounts"));
	if (ok)
		web_put(r, "<p class=\"ok\" role=\"status\">%h</p>", ok);
	if (err)
		web_put(r, "<p class=\"error\" role=\"alert\">%h</p>", err);
	web_put(r, "<div class=\"table-wrap\"><table class=\"list\" id=\"accounts\"><thead><tr><th>%t</th><th>%t</th><th>%t</th><th></th>"
		   "</tr></thead><tbody>",
		N_("Account name"), N_("Role"), N_("Status"));
	if (sqlite3_prepare_v2(web_rdb(r->srv), "SELECT name, role, disabled FROM web_accounts ORDER BY name", -1, &st, NULL) == SQLITE_OK) {
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *name = (const char *)sqlite3_column_text(st, 0);
			int dis = sqlite3_column_int(st, 2);
			web_put(r, "<tr><td data-label=\"%a\">%h</td><td data-label=\"%a\">%h</td><td data-label=\"%a\">%t</td><td>",
				_("Account name"), name, _("Role"), (const char *)sqlite3_column_text(st, 1), _("Status"),
				dis ? N_("disabled") : N_("active"));
			if (strcmp(name, r->user)) {
				web_put(r, "<form method=\"post\" action=\"/akun\">");
				web_csrf_field(r);
				web_put(r, "<input type=\"hidden\" name=\"name\" value=\"%a\"><input type=\"hidden\" name=\"do\" value=\"%s\">"
					   "<button type=\"submit\"%s>%t</button></form>",
					name, dis ? "enable" : "disable", dis ? "" : " class=\"danger\"", dis ? N_("Enable") : N_("Disable"));
			}
			web_put(r, "</td></tr>");
		}
		sqlite3_finalize(st);
	}
	web_put(r, "</tbody></table></div><form method=\"post\" action=\"/akun\" class=\"card form\"><h2>%t</h2>", N_("New account"));
	web_csrf_field(r);
	web_put(r, "<input type=\"hidden\" name=\"do\" value=\"add\"><label>%t<input name=\"name\" autocomplete=\"off\"></label>"
		   "<label>%t<select name=\"role\">%s</select></label>"
		   "<label>%t<input name=\"password\" type=\"password\" autocomplete=\"new-password\"></label>"
		   "<p><button type=\"submit\">%t</button></p></form>",
		N_("Account name"), N_("Role"),
		web_is_city(r->srv) ? "<option value=\"operator\">operator kota</option><option value=\"pemantau\">pemantau</option>"
				      "<option value=\"admin\">admin</option>"
				    : "<option value=\"petugas\">petugas</option><option value=\"kepala\">kepala</option>",
		N_("Password (at least 8 characters)"), N_("Add account"));
	web_page_end(r);
}

void web_page_accounts(struct web_req *r)
{
	const char *what = web_arg(r, "do"), *name = web_arg(r, "name");
	char msg[200];
	sqlite3 *h = web_rdb(r->srv);
	if (!web_role_manages_accounts(r->role)) {
		r->status = 403;
		web_page_begin(r, N_("Accounts"));
		web_put(r, "<p class=\"error\" role=\"alert\">%t</p>",
			web_is_city(r->srv) ? N_("only an admin account manages the city's accounts")
					    : N_("only the head of office (kepala) manages accounts"));
		web_page_end(r);
		return;
	}
	if (!r->post) {
		accounts_page(r, NULL, NULL);
		return;
	}
	if (!name || !valid_name(name)) {
		r->status = 422;
		snprintf(msg, sizeof(msg), _("account name '%s' must be 2-40 lower-case letters, digits, '.', '-' or '_'"), name ? name : "");
		accounts_page(r, NULL, msg);
		return;
	}
	if (what && !strcmp(what, "add")) {
		const char *pw = web_arg(r, "password"), *role = web_arg(r, "role");
		char hash[crypto_pwhash_STRBYTES];
		int n;
		if (!web_role_valid(role, web_is_city(r->srv))) {
			r->status = 422;
			accounts_page(r, NULL, _("choose the role from the list"));
			return;
		}
		if (!pw || strlen(pw) < 8) {
			r->status = 422;
			accounts_page(r, NULL, _("the password must have at least 8 characters: nothing was changed"));
			return;
		}
		if (crypto_pwhash_str(hash, pw, strlen(pw), PW_OPS, PW_MEM) != 0) {
			r->status = 500;
			accounts_page(r, NULL, _("not enough memory to hash the password"));
			return;
		}
		n = exec_changed(h, "INSERT INTO web_accounts (name, hash, role, created, changed) VALUES (?1, ?2, ?3, ?4, ?4)", name, hash, role);
		sodium_memzero(hash, sizeof(hash));
		if (n < 0) {
			r->status = 422;
			snprintf(msg, sizeof(msg), _("account '%s' already exists"), name);
			accounts_page(r, NULL, msg);
			return;
		}
		snprintf(msg, sizeof(msg), _("account '%s' (%s) added"), name, role);
		accounts_page(r, msg, NULL);
		return;
	}
	if (what && (!strcmp(what, "disable") || !strcmp(what, "enable")) && strcmp(name, r->user)) {
		int dis = !strcmp(what, "disable");
		exec_changed(h, dis ? "UPDATE web_accounts SET disabled = 1, changed = ?4 WHERE name = ?1"
				    : "UPDATE web_accounts SET disabled = 0, changed = ?4 WHERE name = ?1",
			     name, NULL, NULL);
		snprintf(msg, sizeof(msg), dis ? _("account '%s' disabled: it is logged out at its next request") : _("account '%s' enabled"), name);
		accounts_page(r, msg, NULL);
		return;
	}
	r->status = 422;
	accounts_page(r, NULL, _("you cannot disable your own account"));
}

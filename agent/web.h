/*
 * web.h: the office's and the city's web pages (sinkron serve, or the agent with `serve =
 * ADDR:PORT`): the server and its sessions (web_server.c), the office's pages (web_office.c,
 * web_worker.c, web_forms.c, web_tasks.c), the accounts (web_user.c), the city's pages
 * (web_city*.c, their own parts in web_city.h), what the pages share (web_pages.c), the name
 * search's index (web_search.c), and the request and response under them all (web_http.c).  Each calls only those after it in this
 * list.  Every page is written through web_put(), whose conversions escape by context at output.
 */
#ifndef SK_WEB_H
#define SK_WEB_H

#include <pthread.h>
#include <stdarg.h>
#include <sqlite3.h>

#include "sync.h"
#include "i18n.h"

struct web_options {
	const char *listen;      /* ADDR:PORT; loopback by default */
	const char *cert, *key;  /* TLS: PEM files (required off loopback) */
	size_t upload_limit;     /* bytes of a request body (a spreadsheet): 8 MiB by default */
	int idle_timeout;        /* seconds a connection may stay silent: 30 by default */
	int session_idle;        /* seconds a session may stay unused: 1800 by default */
	int max_connections;     /* 256 by default */
	const char *config;      /* the sync configuration (Kirim sekarang); NULL: beside the db */
};

/* Reads --listen, --cert, --key, ... from the command line into o (defaults first). */
int web_options_parse(struct web_options *o, int argc, char **argv);

struct web_server;
/* Starts serving db_path in threads of its own; refuses (message printed, -1) an address off
 * loopback without TLS. */
int web_start(struct web_server **out, const char *db_path, const struct web_options *o);
void web_stop(struct web_server *s);
/* Set by the agent (web_http.c holds it): Kirim sekarang then asks the running agent for a round instead of
 * starting one (the agent holds the database's sync lock). */
extern void (*web_agent_sync_now)(void);

/* ---- a request, as pages see it (web_http.c) ---- */
struct web_field {
	char *name;
	struct sk_buf value;
	char *filename;          /* an uploaded file's name, else NULL */
};
#define WEB_MAX_FIELDS 48
struct web_req {
	struct web_server *srv;
	void *conn;              /* struct MHD_Connection */
	const char *method, *path;
	int post;
	int nfields;
	struct web_field fields[WEB_MAX_FIELDS];
	size_t body_bytes;
	int too_big;
	void *pp;                /* struct MHD_PostProcessor */
	/* the session */
	char user[64], role[16], csrf[65];
	int logged_in;
	/* the response */
	struct sk_buf out;
	int status;
	const char *ctype;
	char *location, *cookie, *disposition;
	const char *csp;         /* a Content-Security-Policy of its own (a literal), else the pages' */
};

/* Writes to the response: fmt's %h is text put in HTML (escaped), %a text put in an attribute
 * value (escaped, quotes too), %u text put in a URL's query or path segment (percent-encoded),
 * %t a msgid translated then escaped as HTML text, %d an int, %D an int64_t, %R an int64_t as
 * rupiah, %s trusted markup written as is (literals of the program only), %% a percent sign. */
void web_put(struct web_req *r, const char *fmt, ...);
void web_vput(struct web_req *r, const char *fmt, va_list ap);
/* A query argument (GET) or form field (POST), NULL when absent; form values are NUL-terminated. */
const char *web_arg(struct web_req *r, const char *name);
const struct web_field *web_file(struct web_req *r, const char *name);
void web_redirect(struct web_req *r, const char *location);
/* The page's frame (web_pages.c): head, navigation (with the user and a logout form), title. */
void web_page_begin(struct web_req *r, const char *title_msgid);
void web_page_end(struct web_req *r);
/* The refusal page: msgid (a sentence saying that nothing was changed) and the way back */
void web_refuse(struct web_req *r, int status, const char *msgid);
/* A form's hidden CSRF field */
void web_csrf_field(struct web_req *r);

/* ---- the database, as the pages use it (web_http.c) ---- */
/* This thread's own reading connection (and the accounts', which are never synced). */
sqlite3 *web_rdb(struct web_server *s);
/* The engine's connection for writes, recorded as made by the request's account; released by
 * web_engine_release().  One write at a time. */
struct sk_db *web_engine(struct web_req *r);
void web_engine_release(struct web_req *r);
/* fold(text) in the pages' SQL, registered on h: lower case without accents ("José": "jose") */
int web_fold_register(sqlite3 *h);
/* s folded as fold() folds it, owned by the caller; NULL for NULL */
char *web_fold(const char *s);
/* the server's index of the workers' names (web_search.c) */
struct web_search *web_search_of(struct web_server *s);
const char *web_db_path(struct web_server *s);
const struct web_options *web_opts(struct web_server *s);
/* 1 when the database served is the city's: the city's desk (web_city.c) answers */
int web_is_city(struct web_server *s);

/* ---- the name search, answered from memory (web_search.c) ---- */
/* One per server, read from db_path on first use; web_search_free() accepts NULL. */
struct web_search;
int web_search_new(struct web_search **out, const char *db_path);
void web_search_free(struct web_search *ix);
/* The workers the list's name search finds: fold(name) LIKE '%' || fold(q) || '%', with
 * status = status, kelurahan = kel, occupation = occ for each that is not NULL, in the list's
 * order (name COLLATE NOCASE, id).  Returns how many, and the ids of those from the first-th
 * (0-based) on, at most size of them, into ids (*nids of them, each owned by the caller);
 * -1 when it cannot answer (q holds LIKE's % or _, q or a name is not well-formed UTF-8, the
 * database cannot be read): ask SQL. */
int64_t web_search_names(struct web_search *ix, const char *q, const char *status, const char *kel, const char *occ, int64_t first,
			 int size, char **ids, int *nids);
/* The occupations the workers have, as SELECT DISTINCT occupation ... ORDER BY 1: *n_out
 * copies in *out (each, and the array, owned by the caller); -1 when the database cannot be read */
int web_search_occupations(struct web_search *ix, char ***out, size_t *n_out);

/* ---- accounts (web_user.c) ---- */
int web_accounts_ensure(sqlite3 *h);
int web_indexes_ensure(sqlite3 *h, int city);
/* the head of office's page of accounts (/akun) */
void web_page_accounts(struct web_req *r);
/* 1 when name/password are right and the account is enabled (role copied), 0 otherwise, -1 error */
int web_account_check(sqlite3 *h, const char *name, const char *password, char role[16]);
/* 1 when the account exists and is enabled (role copied) */
int web_account_active(sqlite3 *h, const char *name, char role[16]);

/* ---- what the pages share (web_pages.c) ---- */
/* 1 when role is one of the office's (petugas, kepala) or, with city, the city's (operator,
 * pemantau, admin): each database holds its own kind of accounts only */
int web_role_valid(const char *role, int city);
int web_role_manages_accounts(const char *role);
/* s, or "" for NULL */
const char *web_nz(const char *s);
/* ms since the epoch as the office reads it, local time: 31-12-2024 09:15 */
void web_fmt_time(char *out, size_t n, int64_t ms);
/* "1980-12-31" as the office writes it: 31-12-1980 (anything else copied as it is) */
void web_fmt_date(char *out, size_t n, const char *iso);
/* a value of the settings table, owned by the caller; NULL when absent */
char *web_setting(struct web_req *r, const char *key);
/* an engine message translated, in an alert box; a sentence already in words, in a status box */
void web_error_box(struct web_req *r, const char *engine_msg);
void web_ok_box(struct web_req *r, const char *text);
/* The page number a list's argument `name` asks for: 1 when absent or wrong */
int web_page_arg(struct web_req *r, const char *name);
/* Under a list cut into pages of size entries, the page-th of them holding shown of total: how
 * many are shown and how many are not, and links to the previous and next page, each the URL
 * that fmt (web_put's conversions; the page's path and its filters, ending in '?' or "&amp;")
 * makes followed by name=N.  Nothing when the whole list is shown. */
void web_put_pages(struct web_req *r, int page, int size, int64_t shown, int64_t total, const char *name, const char *fmt, ...);
/* how far the worker's record has travelled (not yet sent, sent, received by the city) */
void web_put_mark(struct web_req *r, struct sk_db *db, const char *id);

/* an entry of a list the forms offer; lists end with {NULL, NULL} */
struct web_choice {
	const char *value, *label;
};
/* a <select> of c, current selected, with_empty: a first "(choose)" entry */
void web_select(struct web_req *r, const char *name, const char *label_msgid, const struct web_choice *c,
		const char *current, int with_empty);
/* c's label of value (compared without case), value itself when it is not on the list */
const char *web_choice_label(const struct web_choice *c, const char *value);
/* the district's kelurahan by name, and the active funders (sk_funder_each): n entries and the
 * end, each released with web_choices_free(v, n) */
struct web_choice *web_kelurahan_list(struct web_req *r, size_t *n_out);
struct web_choice *web_funders(struct web_req *r, size_t *n_out);
void web_choices_free(struct web_choice *v, size_t n);
/* a kelurahan's name (its code when unknown), owned by the caller */
char *web_kelurahan_name(struct web_req *r, const char *code);
/* the fixed lists: why an enrolment ends (sk_end_reasons), heirs' relationships, sexes, occupations */
const struct web_choice *web_end_reasons(void);
const struct web_choice *web_relationships(void);
const struct web_choice *web_sexes(void);
const struct web_choice *web_occupations(void);

/* ---- the pages ---- */
struct web_route {
	const char *method, *path;
	void (*fn)(struct web_req *r);
	int prefix;              /* path is a prefix */
};
extern const struct web_route web_routes[];    /* web_office.c */
extern const struct web_route web_task_routes[]; /* web_tasks.c */
extern const struct web_route web_city_routes[]; /* web_city.c: first, for the city's database */
/* a worker's page (web_worker.c) */
void web_page_worker(struct web_req *r);
/* the office's writes (web_forms.c): Daftar baru, Ubah, Akhiri, Ahli waris, Kepesertaan */
void web_page_register(struct web_req *r);
void web_page_edit(struct web_req *r);
void web_page_end_enrolment(struct web_req *r);
void web_page_heir(struct web_req *r);
void web_page_enrol(struct web_req *r);
/* On a worker's page at the city: the form that sets the KPJ */
void web_city_worker_kpj(struct web_req *r, const char *id, const char *kpj);

#endif

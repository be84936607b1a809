/*
 * web_http.c: the request and response under every page: web_put(), where all output is
 * escaped by context, the request's arguments and uploaded files, redirects, the CSRF field,
 * the database connections of the server's threads, and what the server serves (its database,
 * its options, office or city).  Called by the pages (web_*.c), the page frame (web_pages.c) and
 * the server (web_server.c); it calls nothing of agent/ but the catalogue (i18n.c).
 */
#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"
#include "web_server.h"

void (*web_agent_sync_now)(void);

const char *web_db_path(struct web_server *s) { return s->db_path; }
const struct web_options *web_opts(struct web_server *s) { return &s->o; }
int web_is_city(struct web_server *s) { return s->city; }
struct web_search *web_search_of(struct web_server *s) { return s->search; }

/* ---- output, escaped by context ---- */

static void put_html(struct sk_buf *b, const char *s, int attr)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': sk_buf_puts(b, "&amp;"); break;
		case '<': sk_buf_puts(b, "&lt;"); break;
		case '>': sk_buf_puts(b, "&gt;"); break;
		case '"': sk_buf_puts(b, attr ? "&quot;" : "\""); break;
		case '\'': sk_buf_puts(b, attr ? "&#39;" : "'"); break;
		default: sk_buf_putc(b, *s);
		}
	}
}

static void put_url(struct sk_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("-._~", *p)) {
			sk_buf_putc(b, *p);
		} else {
			sk_buf_putc(b, '%');
			sk_buf_putc(b, hex[*p >> 4]);
			sk_buf_putc(b, hex[*p & 15]);
		}
	}
}

void web_vput(struct web_req *r, const char *fmt, va_list ap)
{
	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			sk_buf_putc(&r->out, *p);
			continue;
		}
		switch (*++p) {
		case 'h': put_html(&r->out, va_arg(ap, const char *), 0); break;
		case 'a': put_html(&r->out, va_arg(ap, const char *), 1); break;
		case 'u': put_url(&r->out, va_arg(ap, const char *)); break;
		case 't': put_html(&r->out, _(va_arg(ap, const char *)), 0); break;
		case 's': sk_buf_puts(&r->out, va_arg(ap, const char *)); break;
		case 'd': sk_buf_printf(&r->out, "%d", va_arg(ap, int)); break;
		case 'D': sk_buf_printf(&r->out, "%lld", (long long)va_arg(ap, int64_t)); break;
		case 'R': {
			char m[40];
			int64_t v = va_arg(ap, int64_t);
			/* grouped as the request's language writes it (dispatch sets Indonesian: Rp16.800) */
			sk_rupiah_format(m, sizeof(m), v);
			put_html(&r->out, m, 0);
			break;
		}
		case '%': sk_buf_putc(&r->out, '%'); break;
		default:
			abort(); /* a conversion the program does not know is a bug */
		}
	}
}

void web_put(struct web_req *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	web_vput(r, fmt, ap);
	va_end(ap);
}

const char *web_arg(struct web_req *r, const char *name)
{
	for (int i = 0; i < r->nfields; i++)
		if (!strcmp(r->fields[i].name, name) && !r->fields[i].filename)
			return r->fields[i].value.ptr ? (const char *)r->fields[i].value.ptr : "";
	if (!r->post)
		return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
	return NULL;
}

const struct web_field *web_file(struct web_req *r, const char *name)
{
	for (int i = 0; i < r->nfields; i++)
		if (!strcmp(r->fields[i].name, name) && r->fields[i].filename)
			return &r->fields[i];
	return NULL;
}

void web_redirect(struct web_req *r, const char *location)
{
	r->status = MHD_HTTP_SEE_OTHER;
	free(r->location);
	r->location = sk_strdup(location);
}

void web_csrf_field(struct web_req *r)
{
	web_put(r, "<input type=\"hidden\" name=\"csrf\" value=\"%a\">", r->csrf);
}

/* ---- database connections, one pair per server thread ---- */

static int ascii_fold(unsigned c0, unsigned c1)
{
	/* UTF-8 two-byte Latin-1 letters with accents, to their base letter */
	static const char map[] = "AAAAAAACEEEEIIIIDNOOOOOxOUUUUYTsaaaaaaaceeeeiiiidnooooo/ouuuuyty";
	unsigned cp = ((c0 & 0x1f) << 6) | (c1 & 0x3f);
	if (cp >= 0xc0 && cp <= 0xff)
		return map[cp - 0xc0];
	return 0;
}

/* s's n bytes folded into out (n + 1 bytes): k bytes and a NUL */
static size_t fold_into(char *out, const unsigned char *s, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned c = s[i];
		int f;
		if (c >= 0xc0 && c < 0xe0 && i + 1 < n && (f = ascii_fold(c, s[i + 1]))) {
			c = (unsigned)f;
			i++;
		}
		out[k++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	out[k] = '\0';
	return k;
}

char *web_fold(const char *s)
{
	char *out;
	if (!s)
		return NULL;
	out = sk_malloc(strlen(s) + 1);
	fold_into(out, (const unsigned char *)s, strlen(s));
	return out;
}

/* fold(text): lower case without accents, so "josé" finds "JOSE" and "Jose" */
static void sql_fold(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const unsigned char *s = sqlite3_value_text(argv[0]);
	char *out;
	size_t n, k;
	(void)argc;
	if (!s) {
		sqlite3_result_null(ctx);
		return;
	}
	n = strlen((const char *)s);
	out = sk_malloc(n + 1);
	k = fold_into(out, s, n);
	sqlite3_result_text(ctx, out, (int)k, free);
}

int web_fold_register(sqlite3 *h)
{
	return sqlite3_create_function(h, "fold", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, sql_fold, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

struct thread_dbs {
	struct web_server *srv;
	sqlite3 *rdb;
	struct sk_db *eng;
};
static _Thread_local struct thread_dbs tdb;

sqlite3 *web_rdb(struct web_server *s)
{
	if (tdb.rdb && tdb.srv == s)
		return tdb.rdb;
	tdb.srv = s;
	if (sqlite3_open_v2(s->db_path, &tdb.rdb, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		sqlite3_close(tdb.rdb);
		tdb.rdb = NULL;
		return NULL;
	}
	sqlite3_busy_timeout(tdb.rdb, 10000);
	sqlite3_exec(tdb.rdb, "PRAGMA cache_size = -4096", NULL, NULL, NULL);
	web_fold_register(tdb.rdb);
	return tdb.rdb;
}

struct sk_db *web_engine(struct web_req *r)
{
	if (!tdb.eng || tdb.srv != r->srv) {
		tdb.srv = r->srv;
		if (sk_db_open(&tdb.eng, r->srv->db_path) < 0)
			return NULL;
		sk_db_share(tdb.eng, 10000, 2048);
	}
	sk_db_set_operator(tdb.eng, r->user[0] ? r->user : NULL);
	return tdb.eng;
}

void web_engine_release(struct web_req *r)
{
	(void)r;
}

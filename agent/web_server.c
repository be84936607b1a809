/*
 * web_server.c: the HTTP server of the office's pages on libmicrohttpd: the listen address
 * (plain HTTP on loopback only, TLS anywhere else), connection limits and timeouts, the
 * request body with its cap, sessions (random tokens, idle expiry), the CSRF check of every
 * form, login throttling, embedded assets, the dispatch to the pages' tables, and the `serve`
 * verb.  Called by main.c (cmd_serve) and the agent (cmd_sync.c); it calls the pages, the
 * accounts (web_user.c), the page frame, the name search's index (web_search.c), the request
 * layer (web_http.c) and cli.c.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "web.h"
#include "web_server.h"
#include "webassets.h"

#define THROTTLE_FREE 5     /* failed logins of one account name before the wait starts */
#define THROTTLE_FREE_IP 20 /* from one address: an office's PCs may share one behind its router */

/* ---- options ---- */

int web_options_parse(struct web_options *o, int argc, char **argv)
{
	struct args a;
	const char *v;
	memset(o, 0, sizeof(*o));
	o->listen = "127.0.0.1:8080";
	o->upload_limit = 8u << 20;
	o->idle_timeout = 30;
	o->session_idle = 1800;
	o->max_connections = 256;
	args_init(&a, argc, argv);
	if ((v = arg_value(&a, "--listen")))
		o->listen = v;
	o->cert = arg_value(&a, "--cert");
	o->key = arg_value(&a, "--key");
	o->config = arg_value(&a, "--config");
	if ((v = arg_value(&a, "--upload-limit")))
		o->upload_limit = (size_t)strtoull(v, NULL, 10);
	if ((v = arg_value(&a, "--idle-timeout")))
		o->idle_timeout = atoi(v);
	if ((v = arg_value(&a, "--session-idle")))
		o->session_idle = atoi(v);
	if ((v = arg_value(&a, "--max-connections")))
		o->max_connections = atoi(v);
	arg_operands(&a, argv[0], NULL, 0);
	if (o->upload_limit < 1024 || o->idle_timeout < 1 || o->session_idle < 1 || o->max_connections < 4)
		return usage_error(argv[0], "%s", _("a limit is too small (upload at least 1024 bytes, timeouts at least 1 s, at least 4 connections)"));
	if ((o->cert != NULL) != (o->key != NULL))
		return usage_error(argv[0], "%s", _("give both --cert and --key, or neither"));
	return 0;
}

/* ---- sessions ---- */

static void random_hex(char out[65])
{
	unsigned char raw[32];
	randombytes_buf(raw, sizeof(raw));
	sk_hex(out, raw, sizeof(raw));
}

static struct session *session_find(struct web_server *s, const char *token)
{
	time_t now = time(NULL);
	if (!token || strlen(token) != 64)
		return NULL;
	for (int i = 0; i < MAX_SESSIONS; i++) {
		struct session *x = &s->sessions[i];
		if (!x->used)
			continue;
		if (now - x->last > s->o.session_idle) {
			sodium_memzero(x, sizeof(*x));
			continue;
		}
		if (sodium_memcmp(x->token, token, 64) == 0)
			return x;
	}
	return NULL;
}

static void session_new(struct web_server *s, struct web_req *r, const char *user, const char *role)
{
	struct session *slot = NULL;
	pthread_mutex_lock(&s->lock);
	for (int i = 0; i < MAX_SESSIONS; i++) {
		struct session *x = &s->sessions[i];
		if (!x->used || time(NULL) - x->last > s->o.session_idle) {
			slot = x;
			break;
		}
		if (!slot || x->last < slot->last)
			slot = x; /* full: the least recently used goes */
	}
	for (int i = 0; i < MAX_SESSIONS; i++)
		if (!slot)
			slot = &s->sessions[i];
	memset(slot, 0, sizeof(*slot));
	slot->used = 1;
	random_hex(slot->token);
	random_hex(slot->csrf);
	snprintf(slot->user, sizeof(slot->user), "%s", user);
	snprintf(slot->role, sizeof(slot->role), "%s", role);
	slot->last = time(NULL);
	free(r->cookie);
	r->cookie = sk_printf("sk_session=%s; Path=/; HttpOnly; SameSite=Strict%s", slot->token, s->tls ? "; Secure" : "");
	snprintf(r->user, sizeof(r->user), "%s", user);
	snprintf(r->role, sizeof(r->role), "%s", role);
	snprintf(r->csrf, sizeof(r->csrf), "%s", slot->csrf);
	r->logged_in = 1;
	pthread_mutex_unlock(&s->lock);
}

static void session_end(struct web_server *s, struct web_req *r, const char *token)
{
	pthread_mutex_lock(&s->lock);
	struct session *x = session_find(s, token);
	if (x)
		sodium_memzero(x, sizeof(*x));
	pthread_mutex_unlock(&s->lock);
	free(r->cookie);
	r->cookie = sk_printf("sk_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0%s", s->tls ? "; Secure" : "");
	r->logged_in = 0;
}

/* ---- login throttling: after THROTTLE_FREE wrong passwords for a name or from an address,
 * (THROTTLE_FREE_IP from one address) each further try waits 30 s, doubling to 15 minutes ---- */

static struct throttle *throttle_get(struct web_server *s, const char *key, int create)
{
	struct throttle *old = NULL;
	for (int i = 0; i < MAX_THROTTLE; i++) {
		struct throttle *t = &s->throttle[i];
		if (t->key[0] && !strcmp(t->key, key))
			return t;
		if (!old || t->last < old->last)
			old = t;
	}
	if (!create)
		return NULL;
	memset(old, 0, sizeof(*old));
	snprintf(old->key, sizeof(old->key), "%s", key);
	return old;
}

/* seconds left before key may try again; 0 now */
static int throttle_wait(struct web_server *s, const char *key)
{
	struct throttle *t = throttle_get(s, key, 0);
	time_t now = time(NULL);
	return t && t->until > now ? (int)(t->until - now) : 0;
}

static void throttle_fail(struct web_server *s, const char *key, int allowed)
{
	struct throttle *t = throttle_get(s, key, 1);
	time_t now = time(NULL);
	t->fails++;
	t->last = now;
	if (t->fails >= allowed) {
		int64_t d = 30;
		for (int i = allowed; i < t->fails && d < 900; i++)
			d *= 2;
		t->until = now + (d > 900 ? 900 : d);
	}
}

static void throttle_clear(struct web_server *s, const char *key)
{
	struct throttle *t = throttle_get(s, key, 0);
	if (t)
		memset(t, 0, sizeof(*t));
}

static void client_addr(struct web_req *r, char *out, size_t n)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	snprintf(out, n, "ip:?");
	if (ci && ci->client_addr) {
		char host[INET6_ADDRSTRLEN] = "";
		if (ci->client_addr->sa_family == AF_INET)
			inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)ci->client_addr)->sin_addr, host, sizeof(host));
		else if (ci->client_addr->sa_family == AF_INET6)
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)(void *)ci->client_addr)->sin6_addr, host, sizeof(host));
		snprintf(out, n, "ip:%s", host);
	}
}

/* ---- the login page ---- */

static void login_form(struct web_req *r, const char *msg, const char *name)
{
	web_page_begin(r, N_("Log in"));
	if (msg)
		web_put(r, "<p class=\"error\" role=\"alert\">%h</p>", msg);
	web_put(r, "<form method=\"post\" action=\"/login\" class=\"card narrow\">"
		   "<label>%t<input name=\"name\" autocomplete=\"username\" required value=\"%a\"></label>"
		   "<label>%t<input name=\"password\" type=\"password\" autocomplete=\"current-password\" required></label>"
		   "<button type=\"submit\">%t</button></form>",
		N_("Account name"), name ? name : "", N_("Password"), N_("Log in"));
	web_page_end(r);
}

static void do_login(struct web_req *r)
{
	struct web_server *s = r->srv;
	const char *name = web_arg(r, "name"), *pw = web_arg(r, "password");
	char ip[80], nkey[96], role[16] = "", msg[300];
	int wait, ok;
	sqlite3 *h = web_rdb(s);

	if (!r->post) {
		login_form(r, NULL, NULL);
		return;
	}
	client_addr(r, ip, sizeof(ip));
	snprintf(nkey, sizeof(nkey), "user:%.80s", name ? name : "");
	pthread_mutex_lock(&s->lock);
	wait = throttle_wait(s, nkey);
	if (throttle_wait(s, ip) > wait)
		wait = throttle_wait(s, ip);
	pthread_mutex_unlock(&s->lock);
	if (wait) {
		r->status = MHD_HTTP_TOO_MANY_REQUESTS;
		snprintf(msg, sizeof(msg), _("too many wrong passwords: wait %d seconds and try again"), wait);
		login_form(r, msg, name);
		return;
	}
	ok = h && name && pw ? web_account_check(h, name, pw, role) : 0;
	pthread_mutex_lock(&s->lock);
	if (ok == 1) {
		throttle_clear(s, nkey);
		throttle_clear(s, ip);
	} else {
		throttle_fail(s, nkey, THROTTLE_FREE);
		throttle_fail(s, ip, THROTTLE_FREE_IP);
	}
	pthread_mutex_unlock(&s->lock);
	if (ok != 1) {
		r->status = MHD_HTTP_FORBIDDEN;
		login_form(r, _("wrong account name or password, or the account is disabled"), name);
		return;
	}
	session_new(s, r, name, role);
	web_redirect(r, "/");
}

static void do_logout(struct web_req *r, const char *token)
{
	session_end(r->srv, r, token);
	web_redirect(r, "/login");
}

/* ---- the request ---- */

static const char *mime_of(const char *name)
{
	const char *dot = strrchr(name, '.');
	if (!dot)
		return NULL;
	if (!strcmp(dot, ".css"))
		return "text/css; charset=utf-8";
	if (!strcmp(dot, ".js"))
		return "text/javascript; charset=utf-8";
	if (!strcmp(dot, ".svg"))
		return "image/svg+xml";
	return NULL; /* the catalogue and anything else embedded is not served */
}

static const struct sk_embedded *asset_find(const char *name)
{
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '.'))
			return NULL;
	if (name[0] == '.' || !mime_of(name))
		return NULL;
	for (size_t i = 0; i < web_assets_count; i++)
		if (!strcmp(web_assets[i].name, name))
			return &web_assets[i];
	return NULL;
}

static void not_found(struct web_req *r)
{
	r->status = MHD_HTTP_NOT_FOUND;
	web_page_begin(r, N_("Not found"));
	web_put(r, "<p>%t</p><p><a href=\"/\">%t</a></p>", N_("This page does not exist."), N_("Back to Beranda"));
	web_page_end(r);
}

static void dispatch(struct web_req *r)
{
	struct web_server *s = r->srv;
	const char *token = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, "sk_session");
	const char *path = r->path;

	i18n_set_lang("id");
	if (r->too_big) {
		char msg[200];
		r->status = MHD_HTTP_CONTENT_TOO_LARGE;
		web_page_begin(r, N_("File too large"));
		snprintf(msg, sizeof(msg), _("the file is larger than %zu KB: nothing was imported; split it into smaller files"),
			 s->o.upload_limit / 1024);
		web_put(r, "<p class=\"error\" role=\"alert\">%h</p><p><a href=\"/impor\">%t</a></p>", msg, N_("Back to Impor"));
		web_page_end(r);
		return;
	}
	/* the login page and its stylesheet are all that is served without a session */
	if (!strcmp(path, "/assets/style.css")) {
		const struct sk_embedded *a = asset_find("style.css");
		sk_buf_put(&r->out, a->data, a->len);
		r->ctype = mime_of("style.css");
		return;
	}
	if (!strcmp(path, "/login")) {
		do_login(r);
		return;
	}
	pthread_mutex_lock(&s->lock);
	struct session *x = session_find(s, token);
	if (x) {
		x->last = time(NULL);
		snprintf(r->user, sizeof(r->user), "%s", x->user);
		snprintf(r->role, sizeof(r->role), "%s", x->role);
		snprintf(r->csrf, sizeof(r->csrf), "%s", x->csrf);
		r->logged_in = 1;
	}
	pthread_mutex_unlock(&s->lock);
	if (!r->logged_in) {
		if (r->post) {
			web_refuse(r, MHD_HTTP_FORBIDDEN, N_("your session has ended: log in again"));
			return;
		}
		web_redirect(r, "/login");
		return;
	}
	/* an account disabled (or whose role changed) since it logged in: checked at every request */
	{
		char role[16];
		sqlite3 *h = web_rdb(s);
		if (!h || web_account_active(h, r->user, role) != 1 || !web_role_valid(role, s->city)) {
			session_end(s, r, token);
			web_redirect(r, "/login");
			return;
		}
		snprintf(r->role, sizeof(r->role), "%s", role);
	}
	if (r->post) {
		const char *c = web_arg(r, "csrf");
		if (!c || strlen(c) != 64 || sodium_memcmp(c, r->csrf, 64) != 0) {
			web_refuse(r, MHD_HTTP_FORBIDDEN, N_("this form has expired or did not come from these pages: open the page again and repeat"));
			return;
		}
	}
	if (!strcmp(path, "/logout") && r->post) {
		do_logout(r, token);
		return;
	}
	/* an inspector or auditor sees everything and changes nothing: every form refused here */
	if (r->post && !strcmp(r->role, "pemantau")) {
		web_refuse(r, MHD_HTTP_FORBIDDEN, N_("a pemantau account can read but not change anything: nothing was changed"));
		return;
	}
	if (!strncmp(path, "/assets/", 8)) {
		const struct sk_embedded *a = asset_find(path + 8);
		if (!a) {
			not_found(r);
			return;
		}
		sk_buf_put(&r->out, a->data, a->len);
		r->ctype = mime_of(a->name);
		return;
	}
	for (int t = s->city ? 0 : 1; t < 3; t++)
		for (const struct web_route *rt = t == 0 ? web_city_routes : t == 1 ? web_routes : web_task_routes; rt->path; rt++) {
			if (strcmp(rt->method, r->post ? "POST" : "GET"))
				continue;
			if (rt->prefix ? !strncmp(path, rt->path, strlen(rt->path)) : !strcmp(path, rt->path)) {
				rt->fn(r);
				return;
			}
		}
	not_found(r);
}

static enum MHD_Result post_iter(void *cls, enum MHD_ValueKind kind, const char *key, const char *filename,
				 const char *content_type, const char *transfer_encoding, const char *data, uint64_t off,
				 size_t size)
{
	struct web_req *r = cls;
	struct web_field *f = NULL;
	(void)kind, (void)content_type, (void)transfer_encoding;
	if (r->nfields && !strcmp(r->fields[r->nfields - 1].name, key) && off > 0)
		f = &r->fields[r->nfields - 1];
	if (!f) {
		if (r->nfields >= WEB_MAX_FIELDS)
			return MHD_YES;
		f = &r->fields[r->nfields++];
		f->name = sk_strdup(key);
		f->filename = filename ? sk_strdup(filename) : NULL;
		sk_buf_init(&f->value, r->srv->o.upload_limit + 1);
		sk_buf_puts(&f->value, "");
	}
	if (size && sk_buf_put(&f->value, data, size) < 0)
		r->too_big = 1;
	return MHD_YES;
}

static void req_free(struct web_req *r)
{
	if (!r)
		return;
	if (r->pp)
		MHD_destroy_post_processor(r->pp);
	for (int i = 0; i < r->nfields; i++) {
		free(r->fields[i].name);
		free(r->fields[i].filename);
		sk_buf_release(&r->fields[i].value);
	}
	sk_buf_release(&r->out);
	free(r->location);
	free(r->cookie);
	free(r->disposition);
	free((char *)r->path);
	free(r);
}

static enum MHD_Result respond(struct MHD_Connection *c, struct web_req *r)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	resp = MHD_create_response_from_buffer(r->out.len, r->out.ptr ? r->out.ptr : (void *)"", MHD_RESPMEM_MUST_COPY);
	MHD_add_response_header(resp, "Content-Type", r->ctype ? r->ctype : "text/html; charset=utf-8");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "Content-Security-Policy", r->csp ? r->csp :
				"default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
				"form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
	if (r->srv->tls)
		MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
	if (r->location)
		MHD_add_response_header(resp, "Location", r->location);
	if (r->cookie)
		MHD_add_response_header(resp, "Set-Cookie", r->cookie);
	if (r->disposition)
		MHD_add_response_header(resp, "Content-Disposition", r->disposition);
	ret = MHD_queue_response(c, (unsigned)(r->status ? r->status : MHD_HTTP_OK), resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
			       const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct web_server *s = cls;
	struct web_req *r = *con_cls;
	(void)version;
	if (!r) {
		const char *len;
		r = sk_calloc(1, sizeof(*r));
		r->srv = s;
		r->conn = c;
		r->method = method;
		r->path = sk_strdup(url);
		r->post = !strcmp(method, "POST");
		sk_buf_init(&r->out, 0);
		*con_cls = r;
		if (r->post) {
			len = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
			if (len && strtoull(len, NULL, 10) > s->o.upload_limit)
				r->too_big = 1;
			r->pp = MHD_create_post_processor(c, 16 * 1024, post_iter, r);
		} else if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
			return MHD_NO;
		}
		return MHD_YES;
	}
	if (*upload_data_size) {
		r->body_bytes += *upload_data_size;
		if (r->body_bytes > s->o.upload_limit)
			r->too_big = 1;
		if (!r->too_big && r->pp)
			MHD_post_process(r->pp, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	dispatch(r);
	return respond(c, r);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	(void)cls, (void)c, (void)toe;
	req_free(*con_cls);
	*con_cls = NULL;
}

/* ---- start and stop ---- */

static char *read_file(const char *path)
{
	struct sk_buf b;
	char chunk[4096];
	size_t n;
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	sk_buf_init(&b, 1 << 20);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (sk_buf_put(&b, chunk, n) < 0)
			break;
	fclose(f);
	return (char *)b.ptr;
}

static int is_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)(const void *)sa)->sin_addr.s_addr) >> 24) == 127;
	if (sa->sa_family == AF_INET6)
		return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr);
	return 0;
}

int web_start(struct web_server **out, const char *db_path, const struct web_options *o)
{
	struct web_server *s;
	struct addrinfo hints, *ai = NULL;
	char host[256], *colon;
	const char *port;
	unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
	int rc;

	*out = NULL;
	if (sodium_init() < 0) {
		fprintf(stderr, "sinkron: %s\n", _("cannot start the random number generator"));
		return -1;
	}
	snprintf(host, sizeof(host), "%s", o->listen);
	colon = strrchr(host, ':');
	if (!colon || !colon[1]) {
		fprintf(stderr, _("sinkron serve: '%s' is not an address like 127.0.0.1:8080\n"), o->listen);
		return -1;
	}
	*colon = '\0';
	port = colon + 1;
	if (host[0] == '[' && colon[-1] == ']') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = '\0';
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
	if ((rc = getaddrinfo(host[0] ? host : NULL, port, &hints, &ai)) != 0) {
		fprintf(stderr, _("sinkron serve: cannot use the address '%s': %s\n"), o->listen, gai_strerror(rc));
		return -1;
	}
	s = sk_calloc(1, sizeof(*s));
	s->o = *o;
	s->db_path = sk_strdup(db_path);
	pthread_mutex_init(&s->lock, NULL);
	web_search_new(&s->search, db_path);
	if (o->cert) {
		s->cert_pem = read_file(o->cert);
		s->key_pem = read_file(o->key);
		if (!s->cert_pem || !s->key_pem) {
			fprintf(stderr, _("sinkron serve: cannot read the certificate '%s' or its key '%s'\n"), o->cert, o->key);
			goto fail;
		}
		if (!MHD_is_feature_supported(MHD_FEATURE_TLS)) {
			fprintf(stderr, "sinkron serve: %s\n", _("this libmicrohttpd was built without TLS"));
			goto fail;
		}
		s->tls = 1;
		flags |= MHD_USE_TLS;
	} else if (!is_loopback(ai->ai_addr)) {
		fprintf(stderr, _("sinkron serve: '%s' is not on this computer alone (loopback): the office network needs TLS; "
				  "give --cert FILE --key FILE (scripts/web-cert makes them for the office), or listen on 127.0.0.1\n"),
			o->listen);
		goto fail;
	}
	{
		struct sk_db *db = NULL;
		if (sk_db_open(&db, db_path) == 0)
			s->city = sk_db_is_city(db);
		sk_db_free(db);
	}
	/* the accounts' tables, before the first request */
	{
		sqlite3 *h = NULL;
		if (sqlite3_open_v2(db_path, &h, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK || web_accounts_ensure(h) < 0 ||
		    web_indexes_ensure(h, s->city) < 0) {
			fprintf(stderr, _("sinkron serve: cannot open the database '%s': %s\n"), db_path, h ? sqlite3_errmsg(h) : "");
			sqlite3_close(h);
			goto fail;
		}
		sqlite3_close(h);
	}
	if (s->tls)
		s->d = MHD_start_daemon(flags, 0, NULL, NULL, handler, s, MHD_OPTION_SOCK_ADDR, ai->ai_addr,
					MHD_OPTION_THREAD_POOL_SIZE, 4u, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)o->idle_timeout,
					MHD_OPTION_CONNECTION_LIMIT, (unsigned)o->max_connections,
					MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)128 * 1024, MHD_OPTION_NOTIFY_COMPLETED, completed, s,
					MHD_OPTION_HTTPS_MEM_CERT, s->cert_pem, MHD_OPTION_HTTPS_MEM_KEY, s->key_pem, MHD_OPTION_END);
	else
		s->d = MHD_start_daemon(flags, 0, NULL, NULL, handler, s, MHD_OPTION_SOCK_ADDR, ai->ai_addr,
					MHD_OPTION_THREAD_POOL_SIZE, 4u, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)o->idle_timeout,
					MHD_OPTION_CONNECTION_LIMIT, (unsigned)o->max_connections,
					MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)128 * 1024, MHD_OPTION_NOTIFY_COMPLETED, completed, s,
					MHD_OPTION_END);
	if (!s->d) {
		fprintf(stderr, _("sinkron serve: cannot listen on '%s': %s (is another program using that port?)\n"), o->listen,
			strerror(errno));
		goto fail;
	}
	freeaddrinfo(ai);
	*out = s;
	return 0;
fail:
	freeaddrinfo(ai);
	web_stop(s);
	return -1;
}

void web_stop(struct web_server *s)
{
	if (!s)
		return;
	if (s->d)
		MHD_stop_daemon(s->d);
	free(s->cert_pem);
	if (s->key_pem)
		sodium_memzero(s->key_pem, strlen(s->key_pem));
	free(s->key_pem);
	web_search_free(s->search);
	free(s->db_path);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

/* ---- sinkron serve ---- */

int cmd_serve(int argc, char **argv)
{
	struct web_options o;
	struct web_server *s;
	sigset_t set;
	int sig;

	i18n_from_env();
	if (web_options_parse(&o, argc, argv) < 0)
		return EXIT_USAGE;
	if (access(g_opts.db_path, F_OK) < 0) {
		fprintf(stderr, _("sinkron serve: no database '%s': create it with 'sinkron init', or give --db PATH\n"), g_opts.db_path);
		return EXIT_USAGE;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL); /* the server's threads inherit the mask */
	if (web_start(&s, g_opts.db_path, &o) < 0)
		return EXIT_USAGE;
	fprintf(stderr, _("sinkron serve: the office's pages are at %s://%s/\n"), o.cert ? "https" : "http", o.listen);
	for (;;) {
		if (sigwait(&set, &sig) == 0 && sig != SIGHUP)
			break;
	}
	web_stop(s);
	return EXIT_OK;
}

/*
 * web_pages.c: what every page shares, the office's and the city's: the frame (head, the
 * office's or the city's navigation, title), the refusal page, what each role may do, the
 * helpers that write values as the office reads them (dates, times, the sync mark, an engine
 * error in words, a list to choose from) and the lists the forms offer.  Called by the pages
 * (web_office.c, web_worker.c, web_forms.c, web_tasks.c, web_user.c, web_city*.c) and the
 * server (web_server.c); it calls only the request layer (web_http.c) and the catalogue.
 */
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "agent.h"
#include "web.h"

/* ---- the lists the forms offer: one function each, so they can come from tables later ---- */

/* a list of choices that grows; it always ends with {NULL, NULL} */
struct choice_list {
	struct web_choice *v;
	size_t n, cap;
};

static void choice_add(struct choice_list *l, const char *value, const char *label)
{
	if (l->n + 2 > l->cap) {
		l->cap = l->cap ? 2 * l->cap : 8;
		l->v = sk_realloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n].value = sk_strdup(value);
	l->v[l->n].label = sk_strdup(label);
	l->n++;
	l->v[l->n] = (struct web_choice){NULL, NULL};
}

static int add_funder_choice(void *payload, const struct sk_funder *f)
{
	if (f->active)
		choice_add(payload, f->name, f->name);
	return 0;
}

/* who pays an enrolment: the funders list of the database (sk_funder_each), the active ones;
 * released with web_choices_free(v, *n_out) */
struct web_choice *web_funders(struct web_req *r, size_t *n_out)
{
	struct choice_list l = {sk_calloc(1, sizeof(struct web_choice)), 0, 1};
	struct sk_db *db = web_engine(r);
	if (db)
		sk_funder_each(db, add_funder_choice, &l);
	*n_out = l.n;
	return l.v;
}

/* why an enrolment ends: the engine's list (sk_end_reasons), as offices write it, all of it */
static struct web_choice *end_reason_choices;
static void end_reasons_fill(void)
{
	const char *const *v = sk_end_reasons();
	size_t n = 0;
	while (v[n])
		n++;
	end_reason_choices = sk_calloc(n + 1, sizeof(*end_reason_choices));
	for (size_t i = 0; i < n; i++)
		end_reason_choices[i] = (struct web_choice){v[i], v[i]};
}
const struct web_choice *web_end_reasons(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, end_reasons_fill);
	return end_reason_choices;
}

const struct web_choice *web_relationships(void)
{
	static const struct web_choice v[] = {{"istri", "istri"}, {"suami", "suami"}, {"anak", "anak kandung"}, {"ayah", "ayah"},
					  {"ibu", "ibu"}, {"orang tua", "orang tua"}, {"saudara kandung", "saudara kandung"},
					  {"kakek", "kakek"}, {"nenek", "nenek"}, {"cucu", "cucu"}, {"mertua", "mertua"},
					  {"pihak lain", "pihak lain"}, {NULL, NULL}};
	return v;
}

const struct web_choice *web_sexes(void)
{
	static const struct web_choice v[] = {{"L", "Laki-laki"}, {"P", "Perempuan"}, {NULL, NULL}};
	return v;
}

const struct web_choice *web_occupations(void)
{
	static const struct web_choice v[] = {
		{"Pedagang pasar", "Pedagang pasar"}, {"Mama-Mama Papua penjual pinang", "Mama-Mama Papua penjual pinang"},
		{"Tukang ojek", "Tukang ojek"}, {"Nelayan", "Nelayan"}, {"Petani", "Petani"}, {"Buruh harian", "Buruh harian"},
		{"Tukang bangunan", "Tukang bangunan"}, {"Sopir angkot", "Sopir angkot"}, {"Pendamping PKH", "Pendamping PKH"},
		{"Tenaga honorer", "Tenaga honorer"}, {NULL, NULL}};
	return v;
}

const char *web_choice_label(const struct web_choice *c, const char *value)
{
	for (; value && c->value; c++)
		if (!strcasecmp(c->value, value))
			return c->label;
	return value ? value : "";
}

/* ---- small helpers ---- */

const char *web_nz(const char *s) { return s ? s : ""; }

void web_fmt_time(char *out, size_t n, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(out, n, "%d-%m-%Y %H:%M", &tm);
}

/* "1980-12-31" as the office writes it: 31-12-1980 */
void web_fmt_date(char *out, size_t n, const char *iso)
{
	if (iso && strlen(iso) == 10 && iso[4] == '-')
		snprintf(out, n, "%.2s-%.2s-%.4s", iso + 8, iso + 5, iso);
	else
		snprintf(out, n, "%s", web_nz(iso));
}

char *web_setting(struct web_req *r, const char *key)
{
	sqlite3_stmt *st;
	char *v = NULL;
	if (sqlite3_prepare_v2(web_rdb(r->srv), "SELECT value FROM settings WHERE key = ?", -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		v = sk_strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return v;
}

void web_ok_box(struct web_req *r, const char *text)
{
	web_put(r, "<p class=\"ok\" role=\"status\">%h</p>", text);
}

static const char *mark_class[] = {"mark-unsent", "mark-sent", "mark-received"};
static const char *mark_msgid[] = {N_("not yet sent"), N_("sent"), N_("received by the city")};

void web_put_mark(struct web_req *r, struct sk_db *db, const char *id)
{
	int m = SK_MARK_UNSENT;
	if (!db || sk_worker_mark(db, id, &m) < 0)
		m = SK_MARK_UNSENT;
	web_put(r, "<span class=\"mark %s\">%t</span>", mark_class[m], mark_msgid[m]);
}

void web_error_box(struct web_req *r, const char *engine_msg)
{
	char *t = i18n_tr_msg(engine_msg);
	web_put(r, "<p class=\"error\" role=\"alert\">%h</p>", t);
	free(t);
}

void web_select(struct web_req *r, const char *name, const char *label_msgid, const struct web_choice *c,
			 const char *current, int with_empty)
{
	web_put(r, "<label>%t<select name=\"%a\">", label_msgid, name);
	if (with_empty)
		web_put(r, "<option value=\"\">%t</option>", N_("(choose)"));
	for (; c->value; c++)
		web_put(r, "<option value=\"%a\"%s>%h</option>", c->value, current && !strcasecmp(current, c->value) ? " selected" : "",
			c->label);
	web_put(r, "</select></label>");
}

/* the district's kelurahan, by name: every one of them */
struct web_choice *web_kelurahan_list(struct web_req *r, size_t *n_out)
{
	sqlite3_stmt *st;
	struct choice_list l = {sk_calloc(1, sizeof(struct web_choice)), 0, 1};
	char *code = web_setting(r, "code");
	if (!code) {
		sqlite3_stmt *s2;
		if (sqlite3_prepare_v2(web_rdb(r->srv), "SELECT value FROM sk_state WHERE key = 'code'", -1, &s2, NULL) == SQLITE_OK) {
			if (sqlite3_step(s2) == SQLITE_ROW && sqlite3_column_text(s2, 0))
				code = sk_strdup((const char *)sqlite3_column_text(s2, 0));
			sqlite3_finalize(s2);
		}
	}
	if (sqlite3_prepare_v2(web_rdb(r->srv), "SELECT code, name FROM regions WHERE level = 'kelurahan' AND code LIKE ?1 || '.%' "
						 "ORDER BY name", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, web_nz(code), -1, SQLITE_STATIC);
		while (sqlite3_step(st) == SQLITE_ROW)
			choice_add(&l, (const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1));
		sqlite3_finalize(st);
	}
	free(code);
	*n_out = l.n;
	return l.v;
}

void web_choices_free(struct web_choice *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free((char *)v[i].value);
		free((char *)v[i].label);
	}
	free(v);
}

char *web_kelurahan_name(struct web_req *r, const char *code)
{
	sqlite3_stmt *st;
	char *v = NULL;
	if (sqlite3_prepare_v2(web_rdb(r->srv), "SELECT name FROM regions WHERE code = ?", -1, &st, NULL) != SQLITE_OK)
		return sk_strdup(web_nz(code));
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sk_strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return v ? v : sk_strdup(web_nz(code));
}

/* ---- roles: what each account may do ---- */

int web_role_valid(const char *role, int city)
{
	static const char *const office[] = {"petugas", "kepala", NULL}, *const town[] = {"operator", "pemantau", "admin", NULL};
	for (const char *const *p = city ? town : office; role && *p; p++)
		if (!strcmp(*p, role))
			return 1;
	return 0;
}

int web_role_manages_accounts(const char *role)
{
	return !strcmp(role, "kepala") || !strcmp(role, "admin");
}

/* ---- the frame ---- */

/* the city's navigation */
static void city_nav(struct web_req *r)
{
	web_put(r, "<a href=\"/\">%t</a><a href=\"/kota/karantina\">%t</a><a href=\"/kota/duplikat\">%t</a>"
		   "<a href=\"/kota/kpj\">%t</a><a href=\"/kota/tagihan\">%t</a><a href=\"/kota/riwayat\">%t</a>"
		   "<a href=\"/pekerja\">%t</a>",
		N_("Home"), N_("Quarantine"), N_("Duplicates"), N_("KPJ"), N_("Bill and report"), N_("History"), N_("Workers"));
}

void web_page_begin(struct web_req *r, const char *title_msgid)
{
	web_put(r, "<!doctype html><html lang=\"%a\"><head><meta charset=\"utf-8\">"
		   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
		   "<title>%t · sinkron</title><link rel=\"stylesheet\" href=\"/assets/style.css\"></head><body>",
		i18n_lang(), title_msgid);
	if (r->logged_in) {
		web_put(r, "<header><nav><a href=\"/\" class=\"brand\"><img src=\"/assets/icon.svg\" alt=\"\" width=\"16\" height=\"16\"> sinkron</a>");
		if (web_is_city(r->srv))
			city_nav(r);
		else
			web_put(r, "<a href=\"/\">%t</a><a href=\"/pekerja\">%t</a><a href=\"/daftar\">%t</a>"
				   "<a href=\"/impor\">%t</a><a href=\"/kirim\">%t</a>",
				N_("Home"), N_("Workers"), N_("Register"), N_("Import"), N_("Send now"));
		if (web_role_manages_accounts(r->role))
			web_put(r, "<a href=\"/akun\">%t</a>", N_("Accounts"));
		web_put(r, "<form method=\"post\" action=\"/logout\" class=\"logout\"><span class=\"who\">%h (%h)</span>", r->user,
			r->role);
		web_csrf_field(r);
		web_put(r, "<button type=\"submit\" class=\"link\">%t</button></form></nav></header>", N_("Log out"));
	}
	web_put(r, "<main><h1>%t</h1>", title_msgid);
}

void web_page_end(struct web_req *r)
{
	web_put(r, "</main></body></html>");
}

void web_refuse(struct web_req *r, int status, const char *msgid)
{
	r->status = status;
	web_page_begin(r, N_("Refused"));
	web_put(r, "<p class=\"error\" role=\"alert\">%t</p><p><a href=\"/\">%t</a></p>", msgid, N_("Back to Beranda"));
	web_page_end(r);
}

int web_page_arg(struct web_req *r, const char *name)
{
	const char *v = web_arg(r, name);
	long n = v ? strtol(v, NULL, 10) : 1;
	return n >= 1 && n <= 1000000 ? (int)n : 1;
}

static void put_page_link(struct web_req *r, const char *fmt, va_list ap, const char *name, int page)
{
	va_list aq;
	va_copy(aq, ap);
	web_put(r, "<a href=\"");
	web_vput(r, fmt, aq);
	web_put(r, "%h=%d\"", name, page);
	va_end(aq);
}

void web_put_pages(struct web_req *r, int page, int size, int64_t shown, int64_t total, const char *name, const char *fmt, ...)
{
	int64_t first = (int64_t)(page - 1) * size;
	va_list ap;
	if (page <= 1 && shown >= total)
		return;
	va_start(ap, fmt);
	if (shown)
		web_put(r, "<p class=\"more\" role=\"status\">%D–%D %t %D %t; %D %t</p>", first + 1, first + shown, N_("of"), total,
			N_("shown"), total - shown, N_("not shown on this page"));
	else
		web_put(r, "<p class=\"more\" role=\"status\">%t %D</p>", N_("Nothing on this page; the whole list has"), total);
	web_put(r, "<nav class=\"pages\">");
	if (page > 1) {
		put_page_link(r, fmt, ap, name, page - 1);
		web_put(r, " rel=\"prev\">&larr; %t</a>", N_("Previous"));
	}
	if (first + shown < total) {
		put_page_link(r, fmt, ap, name, page + 1);
		web_put(r, " rel=\"next\">%t &rarr;</a>", N_("Next"));
	}
	web_put(r, "</nav>");
	va_end(ap);
}

/*
 * web_worker.c: a worker's page: the record, its heirs and enrolments, and its history (what
 * the change-sets carried, then what waits in the outbox), with the actions the office (or, at
 * the city, the KPJ form) offers on it.
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

/* ---- a worker's page ---- */

struct list_ctx {
	struct web_req *r;
	int n;
	struct sk_buf seen;  /* the history: rows already met, "\n"-separated */
	int64_t first, shown; /* the history: entries before the page asked for, those on it */
};

/* entries of a worker's history on a page */
#define HISTORY_PAGE 200

static int put_heir(void *payload, const struct sk_heir *h)
{
	struct list_ctx *c = payload;
	c->n++;
	web_put(c->r, "<li>%h, %h%s%h%s%s%h</li>", web_nz(h->name), web_choice_label(web_relationships(), h->relationship), h->nik ? ", NIK " : "",
		web_nz(h->nik), "", h->phone ? ", HP " : "", web_nz(h->phone));
	return 0;
}

static int put_enrolment(void *payload, const struct sk_enrolment *e)
{
	struct list_ctx *c = payload;
	char a[16], b[16];
	web_fmt_date(a, sizeof(a), e->start_on);
	web_fmt_date(b, sizeof(b), e->end_on);
	c->n++;
	web_put(c->r, "<li>%h, %h, %t %h", web_nz(e->program), web_nz(e->funder), N_("from"), a);
	if (e->end_on)
		web_put(c->r, " %t %h", N_("until"), b);
	web_put(c->r, "</li>");
	return 0;
}

static const char *table_msgid(const char *t)
{
	static const char *tbls[][2] = {{"workers", N_("worker")}, {"heirs", N_("heir")}, {"enrolments", N_("enrolment")}};
	for (int i = 0; i < 3; i++)
		if (!strcmp(t, tbls[i][0]))
			return tbls[i][1];
	return t;
}

/* a column's name as the clerk knows it */
static const char *column_label(const char *col)
{
	static const char *cols[][2] = {
		{"nik", N_("NIK")}, {"kk", N_("No KK")}, {"name", N_("Name")}, {"birth_place", N_("Place of birth")},
		{"birth_date", N_("Date of birth")}, {"sex", N_("Sex")}, {"address", N_("Address")}, {"kelurahan", N_("Kelurahan")},
		{"phone", N_("Phone")}, {"occupation", N_("Occupation")}, {"workplace", N_("Workplace")},
		{"income", N_("Monthly income (Rp)")}, {"status", N_("Status")}, {"ended_on", N_("ended on")},
		{"end_reason", N_("Reason")}, {"kpj", N_("KPJ")}, {"verified", N_("verified by the city")},
		{"duplicate_of", N_("registered twice")}, {"relationship", N_("Relationship")}, {"program", N_("programme")},
		{"funder", N_("Paid by")}, {"start_on", N_("from")}, {"end_on", N_("until")}, {"worker_id", N_("worker")},
		{"decree", N_("decree")}};
	for (size_t i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
		if (!strcmp(col, cols[i][0]))
			return _(cols[i][1]);
	return col;
}

static int put_history(void *payload, const struct sk_history_entry *e)
{
	struct list_ctx *c = payload;
	char when[40];
	struct sk_buf f = SK_BUF_INIT;
	const char *p = e->fields;
	/* the first change-set that carries a row made it (this office's come first, oldest first):
	 * told apart on every page, so the entries before it are read too */
	char *key = sk_printf("\n%s\n", e->pk);
	int first = !strstr((const char *)c->seen.ptr, key);
	if (first)
		sk_buf_puts(&c->seen, key + 1); /* seen starts with "\n": each pk between two */
	free(key);
	if (c->n++ < c->first || c->shown >= HISTORY_PAGE)
		return 0;
	c->shown++;
	/* "phone, address" in the clerk's words */
	while (p && *p) {
		const char *end = strstr(p, ", ");
		char *col = end ? sk_strndup(p, (size_t)(end - p)) : sk_strdup(p);
		sk_buf_printf(&f, "%s%s", f.len ? ", " : "", column_label(col));
		free(col);
		p = end ? end + 2 : NULL;
	}
	web_fmt_time(when, sizeof(when), e->at);
	web_put(c->r, "<li>%h: %t %t %t %h", when, table_msgid(e->table),
		e->deleted ? N_("removed") : first ? N_("added") : N_("changed"), N_("by"),
		e->operator_name ? e->operator_name : _("(outside sinkron)"));
	if (strchr(e->origin, '.') == strrchr(e->origin, '.'))
		web_put(c->r, " (%t)", N_("the city"));
	if (f.len && !first)
		web_put(c->r, ": %h", (const char *)f.ptr);
	web_put(c->r, "</li>");
	sk_buf_release(&f);
	return 0;
}

#define OUTBOX_OF_WORKER "FROM sk_outbox o JOIN sk_tables t ON t.id = o.tbl WHERE o.pk = ?1 " \
	"OR o.pk IN (SELECT id FROM heirs WHERE worker_id = ?1) OR o.pk IN (SELECT id FROM enrolments WHERE worker_id = ?1)"

static void history(struct web_req *r, struct sk_db *db, const char *id)
{
	sqlite3_stmt *st;
	int page = web_page_arg(r, "hal");
	struct list_ctx lc = {r, 0, SK_BUF_INIT, (int64_t)(page - 1) * HISTORY_PAGE, 0};
	int64_t nsealed, nout = 0;
	sk_buf_puts(&lc.seen, "\n");
	web_put(r, "<section class=\"card\" id=\"history\"><h2>%t</h2><ul>", N_("History"));
	/* what the change-sets carried, then what is not yet sealed (the outbox): one list, in pages */
	sk_worker_history(db, id, put_history, &lc);
	nsealed = lc.n;
	if (sqlite3_prepare_v2(web_rdb(r->srv), "SELECT count(*) " OUTBOX_OF_WORKER, -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			nout = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	if (lc.shown < HISTORY_PAGE && nout &&
	    sqlite3_prepare_v2(web_rdb(r->srv), "SELECT o.at, o.operator, o.op, t.name " OUTBOX_OF_WORKER " ORDER BY o.seq LIMIT ?2 OFFSET ?3", -1,
			       &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, HISTORY_PAGE - lc.shown);
		sqlite3_bind_int64(st, 3, lc.first > nsealed ? lc.first - nsealed : 0);
		while (sqlite3_step(st) == SQLITE_ROW) {
			char when[40];
			static const char *ops[] = {"", N_("added"), N_("changed"), N_("removed")};
			int op = sqlite3_column_int(st, 2);
			const char *who = (const char *)sqlite3_column_text(st, 1);
			web_fmt_time(when, sizeof(when), sqlite3_column_int64(st, 0));
			web_put(r, "<li>%h: %t %t %t %h <span class=\"mark mark-unsent\">%t</span></li>", when,
				table_msgid((const char *)sqlite3_column_text(st, 3)), op >= 1 && op <= 3 ? ops[op] : "", N_("by"),
				who ? who : _("(outside sinkron)"), N_("not yet sent"));
			lc.shown++;
		}
		sqlite3_finalize(st);
	}
	if (!nsealed && !nout)
		web_put(r, "<li>%t</li>", N_("No change recorded yet."));
	web_put(r, "</ul>");
	web_put_pages(r, page, HISTORY_PAGE, lc.shown, nsealed + nout, "hal", "/pekerja/%u?", id);
	web_put(r, "</section>");
	sk_buf_release(&lc.seen);
}

void web_page_worker(struct web_req *r)
{
	const char *id = r->path + strlen("/pekerja/");
	struct sk_db *db = web_engine(r);
	struct sk_worker w;
	struct list_ctx lc = {r, 0, SK_BUF_INIT, 0, 0};
	char bd[16], *kel;
	int active, city;

	if (!db || sk_worker_get(db, &w, id) < 0) {
		r->status = MHD_HTTP_NOT_FOUND;
		web_page_begin(r, N_("Worker not found"));
		web_error_box(r, sk_error_last());
		web_page_end(r);
		return;
	}
	active = !w.status || strcmp(w.status, "ended");
	city = web_is_city(r->srv);
	kel = web_kelurahan_name(r, w.kelurahan);
	web_fmt_date(bd, sizeof(bd), w.birth_date);
	web_page_begin(r, N_("Worker"));
	if (web_arg(r, "saved"))
		web_put(r, "<p class=\"ok\" role=\"status\">%t</p>", N_("Saved. It will be sent to the city at the next sync."));
	if (web_arg(r, "warn"))
		web_put(r, "<p class=\"warn\" role=\"status\">%t</p>", N_("Saved with the warnings you confirmed."));
	web_put(r, "<h2 class=\"name\">%h</h2><p>", web_nz(w.name));
	web_put_mark(r, db, w.id);
	if (!active)
		web_put(r, " <span class=\"ended\">%t %h: %h</span>", N_("ended on"), web_nz(w.ended_on), web_nz(w.end_reason));
	web_put(r, "</p><dl class=\"fields\">");
	web_put(r, "<dt>%t</dt><dd>%h</dd><dt>%t</dt><dd>%h</dd><dt>%t</dt><dd>%h</dd>", N_("NIK"), web_nz(w.nik), N_("No KK"), web_nz(w.kk),
		N_("KPJ"), w.kpj ? w.kpj : _("(not yet from the city)"));
	web_put(r, "<dt>%t</dt><dd>%h, %h</dd><dt>%t</dt><dd>%h</dd>", N_("Place and date of birth"), web_nz(w.birth_place), bd, N_("Sex"),
		web_choice_label(web_sexes(), w.sex));
	web_put(r, "<dt>%t</dt><dd>%h</dd><dt>%t</dt><dd>%h</dd><dt>%t</dt><dd>%h</dd>", N_("Address"), web_nz(w.address), N_("Kelurahan"), kel,
		N_("Phone"), web_nz(w.phone));
	web_put(r, "<dt>%t</dt><dd>%h</dd><dt>%t</dt><dd>%h</dd></dl>", N_("Occupation"), web_nz(w.occupation), N_("Workplace"), web_nz(w.workplace));
	if (city) {
		if (active)
			web_city_worker_kpj(r, w.id, w.kpj);
	} else if (active)
		web_put(r, "<p class=\"actions\"><a class=\"button\" href=\"/ubah?id=%u\">%t</a> "
			   "<a class=\"button danger\" href=\"/akhiri?id=%u\">%t</a></p>",
			w.id, N_("Correct"), w.id, N_("End enrolment"));

	web_put(r, "<section class=\"card\" id=\"heirs\"><h2>%t</h2><ul>", N_("Heirs"));
	sk_heir_each(db, w.id, put_heir, &lc);
	if (!lc.n)
		web_put(r, "<li>%t</li>", N_("No heir registered: the JKM benefit (Rp42.000.000) goes to the heir."));
	web_put(r, "</ul>");
	/* the city reads a district's record: only the office adds heirs and enrolments */
	if (!city)
		web_put(r, "<p><a class=\"button\" href=\"/ahli-waris?id=%u\">%t</a></p>", w.id, N_("Add heir"));
	web_put(r, "</section>");

	lc.n = 0;
	web_put(r, "<section class=\"card\" id=\"enrolments\"><h2>%t</h2><ul>", N_("Enrolments"));
	sk_enrolment_each(db, w.id, put_enrolment, &lc);
	if (!lc.n)
		web_put(r, "<li>%t</li>", N_("Not enrolled."));
	web_put(r, "</ul>");
	if (active && !city) {
		web_put(r, "<form method=\"post\" action=\"/kepesertaan\" class=\"inline\">");
		web_csrf_field(r);
		web_put(r, "<input type=\"hidden\" name=\"id\" value=\"%a\">", w.id);
		size_t nf;
		struct web_choice *funders = web_funders(r, &nf);
		web_select(r, "funder", N_("Paid by"), funders, "APBD Kota", 0);
		web_choices_free(funders, nf);
		web_put(r, "<label>%t<input name=\"start\" type=\"month\" placeholder=\"2024-03\"></label>"
			   "<button type=\"submit\">%t</button></form>",
			N_("First month"), N_("Enrol in JKK and JKM"));
	}
	web_put(r, "</section>");
	history(r, db, w.id);
	free(kel);
	sk_worker_release(&w);
	web_page_end(r);
}

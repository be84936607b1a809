/*
 * web_city_money.c: the city's Tagihan & laporan: the month's bill per funder and programme,
 * the budgets against it, and the downloads (the bill as .xlsx and CSV, the year's report as a
 * page and as .xlsx), written by the engine the command line uses.
 */
#include <microhttpd.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "web.h"
#include "web_city.h"

/* ---- Tagihan & laporan ---- */

static int month_arg(struct web_req *r, char out[8], int *year, int *month)
{
	const char *m = web_arg(r, "bulan");
	web_city_this_month(year, month);
	if (m && strlen(m) == 7 && m[4] == '-' && atoi(m) >= 2000 && atoi(m) <= 2100 && atoi(m + 5) >= 1 && atoi(m + 5) <= 12) {
		*year = atoi(m);
		*month = atoi(m + 5);
	}
	snprintf(out, 8, "%04d-%02d", *year, *month);
	return 0;
}

struct bill_ctx {
	struct web_req *r;
	int64_t people, amount;
	int n;
};

static int bill_row(void *payload, const struct sk_bill_line *l)
{
	struct bill_ctx *b = payload;
	b->n++;
	b->people += l->people;
	b->amount += l->amount;
	web_put(b->r, "<tr><td data-label=\"%a\">%h</td><td data-label=\"%a\">%h</td><td data-label=\"%a\">%D</td><td data-label=\"%a\">%R</td></tr>",
		_("Funder"), l->funder, _("Programme"), l->program, _("Workers"), l->people, _("Premium"), l->amount);
	return 0;
}

static int budget_row(void *payload, int year, const char *funder, int64_t amount)
{
	struct web_req *r = payload;
	web_put(r, "<tr><td data-label=\"%a\">%d</td><td data-label=\"%a\">%h</td><td data-label=\"%a\">%R</td></tr>", _("Year"), year,
		_("Funder"), funder, _("Budget"), amount);
	return 0;
}

static void bill_page(struct web_req *r, const char *ok, const char *err)
{
	struct sk_db *db = web_engine(r);
	struct bill_ctx b = {r, 0, 0, 0};
	char mon[8];
	int year, month;
	month_arg(r, mon, &year, &month);
	web_page_begin(r, N_("Bill and report"));
	if (ok)
		web_ok_box(r, ok);
	if (err)
		web_error_box(r, err);
	web_put(r, "<form method=\"get\" action=\"/kota/tagihan\" class=\"filters\"><label>%t<input type=\"month\" name=\"bulan\" value=\"%a\"></label>"
		   "<button type=\"submit\">%t</button></form>",
		N_("Month"), mon, N_("Show"));
	web_put(r, "<section class=\"card\"><h2>%t %h</h2><div class=\"table-wrap\"><table class=\"list\" id=\"bill\"><thead><tr><th>%t</th><th>%t</th>"
		   "<th>%t</th><th>%t</th></tr></thead><tbody>",
		N_("The bill of"), mon, N_("Funder"), N_("Programme"), N_("Workers"), N_("Premium"));
	{
		char *sig = web_city_signature(r), *key = sig ? sk_printf("bill %s %s", mon, sig) : NULL;
		size_t start = r->out.len;
		if (!web_city_cache_get(key, &r->out, NULL, 0)) {
			if (db && sk_bill(db, mon, bill_row, &b) < 0) {
				web_error_box(r, sk_error_last());
				free(key);
				key = NULL;
			}
			web_put(r, "</tbody><tfoot><tr><th colspan=\"2\">%t</th><th>%D</th><th id=\"bill-total\">%R</th></tr></tfoot></table></div>",
				N_("Total"), b.people, b.amount);
			web_city_cache_put(key, r->out.ptr + start, r->out.len - start);
		}
		free(sig);
		free(key);
	}
	web_put(r, "<p class=\"actions\"><a class=\"button\" id=\"bill-xlsx\" href=\"/kota/tagihan.xlsx?bulan=%u\">%t</a> "
		   "<a class=\"button\" id=\"bill-csv\" href=\"/kota/tagihan.csv?bulan=%u\">%t</a> "
		   "<a class=\"button\" href=\"/kota/laporan?bulan=%u\">%t</a> <a class=\"button\" href=\"/kota/laporan.xlsx?bulan=%u\">%t</a></p></section>",
		mon, N_("Download the bill (.xlsx)"), mon, N_("Download the bill (CSV)"), mon, N_("The year's report"), mon,
		N_("Download the year's report (.xlsx)"));
	web_put(r, "<section class=\"card\"><h2>%t</h2>", N_("The budget against the bill"));
	if (db)
		web_city_budgets(r, db, year, month);
	web_put(r, "</section><section class=\"card\" id=\"anggaran\"><h2>%t</h2><div class=\"table-wrap\"><table class=\"list\"><thead><tr>"
		   "<th>%t</th><th>%t</th><th>%t</th></tr></thead><tbody>",
		N_("Budgets"), N_("Year"), N_("Funder"), N_("Budget"));
	if (db)
		sk_budget_each(db, budget_row, r);
	web_put(r, "</tbody></table></div><form method=\"post\" action=\"/kota/anggaran\" class=\"form\">");
	web_csrf_field(r);
	web_put(r, "<label>%t<input name=\"year\" inputmode=\"numeric\" value=\"%d\" required></label><label>%t<input name=\"funder\" value=\"APBD Kota\" required></label>"
		   "<label>%t<input name=\"amount\" placeholder=\"2,2 miliar\" required></label><p><button type=\"submit\">%t</button></p></form></section>",
		N_("Year"), year, N_("Funder"), N_("Budget (Rp)"), N_("Save the budget"));
	web_page_end(r);
}

void web_city_page_bill(struct web_req *r)
{
	bill_page(r, NULL, NULL);
}

void web_city_page_budget(struct web_req *r)
{
	const char *y = web_arg(r, "year"), *funder = web_arg(r, "funder"), *amount = web_arg(r, "amount");
	struct sk_db *db;
	int64_t v = 0;
	char name[64], msg[200];
	if (!web_city_may_decide(r))
		return;
	db = web_engine(r);
	if (!db || !y || atoi(y) < 2000 || atoi(y) > 2100) {
		r->status = 422;
		bill_page(r, NULL, _("the year must be between 2000 and 2100"));
		return;
	}
	if (sk_funder_resolve(db, name, sizeof(name), web_nz(funder)) < 0 || sk_rupiah_parse(&v, web_nz(amount)) < 0 ||
	    sk_budget_set(db, atoi(y), name, v) < 0) {
		r->status = 422;
		bill_page(r, NULL, sk_error_last());
		return;
	}
	web_city_note(r, "budget", name, amount);
	snprintf(msg, sizeof(msg), _("The budget of %s for %d is saved."), name, atoi(y));
	bill_page(r, msg, NULL);
}

/* a file written by the engine into a private temporary folder, sent, removed */
static void send_file(struct web_req *r, const char *path, const char *ctype, const char *filename)
{
	FILE *f = fopen(path, "rb");
	char chunk[8192];
	size_t n;
	if (!f) {
		r->status = 500;
		return;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		sk_buf_put(&r->out, chunk, n);
	fclose(f);
	r->ctype = ctype;
	free(r->disposition);
	r->disposition = filename ? sk_printf("attachment; filename=\"%s\"", filename) : NULL;
}

static void download_failed(struct web_req *r)
{
	r->status = 500;
	r->out.len = 0;
	r->ctype = NULL;
	free(r->disposition);
	r->disposition = NULL;
	web_page_begin(r, N_("Bill and report"));
	web_error_box(r, sk_error_last());
	web_page_end(r);
}

enum download { BILL_XLSX, REPORT_XLSX, REPORT_HTML };

static void download(struct web_req *r, enum download what)
{
	struct sk_db *db = web_engine(r);
	char mon[8], dir[] = "/tmp/sinkron-web-XXXXXX", *path, *name;
	int year, month, rc = -1;
	struct sk_report *rep = NULL;
	month_arg(r, mon, &year, &month);
	if (!db || !mkdtemp(dir)) {
		download_failed(r);
		return;
	}
	path = sk_printf("%s/out", dir);
	if (what == BILL_XLSX) {
		rc = sk_bill_write_xlsx(db, mon, path);
	} else if ((rc = sk_report_build(&rep, db, year, month)) == 0) {
		rc = what == REPORT_XLSX ? sk_report_write_xlsx(rep, path) : sk_report_write_html(rep, path);
		sk_report_free(rep);
	}
	if (rc < 0) {
		download_failed(r);
	} else if (what == REPORT_HTML) {
		send_file(r, path, "text/html; charset=utf-8", NULL);
		/* the report's own styles and inline charts; no script at all */
		r->csp = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";
	} else {
		name = what == BILL_XLSX ? sk_printf("tagihan-%s.xlsx", mon) : sk_printf("laporan-%d.xlsx", year);
		send_file(r, path, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", name);
		free(name);
	}
	unlink(path);
	rmdir(dir);
	free(path);
}

void web_city_page_bill_xlsx(struct web_req *r) { download(r, BILL_XLSX); }
void web_city_page_report_xlsx(struct web_req *r) { download(r, REPORT_XLSX); }
void web_city_page_report(struct web_req *r) { download(r, REPORT_HTML); }

static int csv_row(void *payload, const struct sk_bill_line *l)
{
	struct bill_ctx *b = payload;
	struct sk_buf *o = &b->r->out;
	/* a funder's name is the city's own list: quoted, its quotes doubled, never a formula */
	sk_buf_putc(o, '"');
	for (const char *p = l->funder; *p; p++) {
		if (p == l->funder && strchr("=+-@", *p))
			sk_buf_putc(o, '\'');
		if (*p == '"')
			sk_buf_putc(o, '"');
		sk_buf_putc(o, *p);
	}
	sk_buf_printf(o, "\",%s,%lld,%lld\r\n", l->program, (long long)l->people, (long long)l->amount);
	b->people += l->people;
	b->amount += l->amount;
	return 0;
}

void web_city_page_bill_csv(struct web_req *r)
{
	struct sk_db *db = web_engine(r);
	struct bill_ctx b = {r, 0, 0, 0};
	char mon[8];
	int year, month;
	month_arg(r, mon, &year, &month);
	sk_buf_puts(&r->out, "Pemberi dana,Program,Peserta,Iuran (Rp)\r\n");
	if (!db || sk_bill(db, mon, csv_row, &b) < 0) {
		download_failed(r);
		return;
	}
	sk_buf_printf(&r->out, "Jumlah,,%lld,%lld\r\n", (long long)b.people, (long long)b.amount);
	r->ctype = "text/csv; charset=utf-8";
	free(r->disposition);
	r->disposition = sk_printf("attachment; filename=\"tagihan-%s.csv\"", mon);
}

/*
 * report_html.c: the city's report as one HTML page whose charts are inline SVG (enrolment by
 * district, kelurahan, occupation and funder; each funder's bill against its budget), so that
 * it opens from a USB stick with no network.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "report.h"

/* ---- HTML ---- */

static void esc(struct sk_buf *b, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': sk_buf_puts(b, "&amp;"); break;
		case '<': sk_buf_puts(b, "&lt;"); break;
		case '>': sk_buf_puts(b, "&gt;"); break;
		case '"': sk_buf_puts(b, "&quot;"); break;
		case '\'': sk_buf_puts(b, "&#39;"); break;
		default: sk_buf_putc(b, *s);
		}
	}
}

/* s cut to at most max characters (code points), with an ellipsis when cut. */
static void esc_cut(struct sk_buf *b, const char *s, int max)
{
	int w = 0;
	const char *p = s;
	if (sk_text_width(s) <= max) {
		esc(b, s);
		return;
	}
	for (; *p; p++) {
		if (((unsigned char)*p & 0xc0) != 0x80 && ++w > max - 1)
			break;
	}
	{
		char *cut = sk_strndup(s, (size_t)(p - s));
		esc(b, cut);
		free(cut);
	}
	sk_buf_puts(b, "\xe2\x80\xa6");
}

/* Short amounts for chart axes and labels: Rp2.2 bn, Rp390 mn, Rp12.5 mn, Rp500k. */
static void short_rupiah(char *out, size_t n, int64_t v)
{
	static const struct { int64_t unit; const char *name; } units[] = {
		{1000000000, " bn"}, {1000000, " mn"}, {1000, "k"}};
	for (size_t i = 0; i < SK_ARRAY_SIZE(units); i++) {
		int64_t u = units[i].unit;
		if (v < u)
			continue;
		if (v % u == 0 || v >= 100 * u)
			snprintf(out, n, "Rp%.0f%s", (double)v / (double)u, units[i].name);
		else
			snprintf(out, n, "Rp%.1f%s", (double)v / (double)u, units[i].name);
		return;
	}
	sk_rupiah_format(out, n, v);
}

/* A round step for about `parts` grid lines up to max. */
static int64_t nice_step(int64_t max, int parts)
{
	int64_t raw = max / parts, p = 1;
	if (raw < 1)
		return 1;
	while (p * 10 <= raw)
		p *= 10;
	if (raw <= p)
		return p;
	if (raw <= 2 * p)
		return 2 * p;
	if (raw <= 5 * p)
		return 5 * p;
	return 10 * p;
}

struct bar {
	const char *label;
	int64_t value;
};

/* Horizontal bars with the label above each bar: drawn 400 units wide, the chart keeps its
 * text readable when a phone shrinks it to its screen. */
static void svg_bars(struct sk_buf *b, const char *what, const struct bar *bars, size_t n, int rupiah, const char *color)
{
	const int W = 400, row = 38, top = 4, vw = 64;
	int64_t max = 1;
	char num[48];

	for (size_t i = 0; i < n; i++)
		if (bars[i].value > max)
			max = bars[i].value;
	sk_buf_printf(b, "<svg viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"", W, top * 2 + row * (int)n);
	esc(b, what);
	sk_buf_puts(b, "\" class=\"chart bars\">\n");
	for (size_t i = 0; i < n; i++) {
		int y = top + row * (int)i;
		double w = (double)(W - vw - 2) * (double)bars[i].value / (double)max;
		if (rupiah)
			sk_rupiah_format(num, sizeof(num), bars[i].value);
		else
			sk_count_format(num, sizeof(num), bars[i].value);
		sk_buf_puts(b, "<g><title>");
		esc(b, bars[i].label);
		sk_buf_printf(b, ": %s</title>", num);
		sk_buf_printf(b, "<text x=\"2\" y=\"%d\" class=\"lbl\">", y + 13);
		esc_cut(b, bars[i].label, 48);
		sk_buf_printf(b, "</text><rect x=\"2\" y=\"%d\" width=\"%.1f\" height=\"15\" rx=\"3\" fill=\"%s\"/>", y + 18,
			      w < 1 && bars[i].value ? 1.0 : w, color);
		sk_buf_printf(b, "<text x=\"%.1f\" y=\"%d\" class=\"val\">%s</text></g>\n", w + 8, y + 30, num);
	}
	sk_buf_puts(b, "</svg>\n");
}

/* The cumulative bill month by month against the budget: where the line crosses it, the money
 * is gone.  The bars under it are each month's bill. */
static void svg_budget(struct sk_buf *b, const struct sk_report *r, const struct sk_report_funder *f)
{
	const int W = 400, H = 250, ml = 62, mr = 8, mt = 22, mb = 22;
	const double pw = W - ml - mr, ph = H - mt - mb, slot = pw / 12;
	int64_t top = f->cumulative[11], step;
	char num[48];

	if (f->has_budget && f->budget > top)
		top = f->budget;
	if (top <= 0)
		top = 1;
	step = nice_step(top, 4);
	top = (top + step - 1) / step * step;
#define Y(v) (mt + ph - ph * (double)(v) / (double)top)
	sk_buf_printf(b, "<svg viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"cumulative bill of ", W, H);
	esc(b, f->funder);
	sk_buf_printf(b, " against its budget, %d\" class=\"chart line\">\n", r->year);
	for (int64_t v = 0; v <= top; v += step) {
		short_rupiah(num, sizeof(num), v);
		sk_buf_printf(b, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" class=\"grid\"/>"
			      "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" class=\"axis\">%s</text>\n",
			      ml, W - mr, Y(v), Y(v), ml - 4, Y(v) + 4, num);
	}
	for (int m = 0; m < 12; m++) {
		double x = ml + slot * m;
		sk_buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" class=\"month%s\"><title>%s %d: %s</title></rect>",
			      x + slot * 0.18, Y(f->total[m]), slot * 0.64, ph - (Y(f->total[m]) - mt),
			      f->runs_out && m + 1 >= f->runs_out ? " unpaid" : "", sk_month_names[m], r->year,
			      (sk_rupiah_format(num, sizeof(num), f->total[m]), num));
		/* three letters, or one on a phone where the chart is small (the CSS picks) */
		sk_buf_printf(b, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" class=\"axis m3\">%.3s</text>"
			      "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" class=\"axis m1\">%.1s</text>\n",
			      x + slot / 2, H - 6, sk_month_names[m], x + slot / 2, H - 4, sk_month_names[m]);
	}
	if (f->has_budget) {
		short_rupiah(num, sizeof(num), f->budget);
		sk_buf_printf(b, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" class=\"budget\"/>"
			      "<text x=\"%d\" y=\"%.1f\" class=\"budgetlbl\">budget %s</text>\n",
			      ml, W - mr, Y(f->budget), Y(f->budget), ml + 4, Y(f->budget) - 5, num);
	}
	sk_buf_puts(b, "<polyline class=\"cum\" points=\"");
	sk_buf_printf(b, "%d,%.1f ", ml, Y(0));
	for (int m = 0; m < 12; m++)
		sk_buf_printf(b, "%.1f,%.1f ", ml + slot * (m + 1), Y(f->cumulative[m]));
	sk_buf_puts(b, "\"/>\n");
	for (int m = 0; m < 12; m++) {
		int over = f->has_budget && f->cumulative[m] > f->budget;
		sk_rupiah_format(num, sizeof(num), f->cumulative[m]);
		sk_buf_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" class=\"%s\"><title>spent by the end of %s: %s</title></circle>\n",
			      ml + slot * (m + 1), Y(f->cumulative[m]), over ? "pt over" : "pt", sk_month_names[m], num);
	}
	if (f->runs_out) {
		double x = ml + slot * (f->runs_out - 1) + slot / 2;
		sk_buf_printf(b, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%.1f\" class=\"out\"/>"
			      "<text x=\"%.1f\" y=\"%d\" text-anchor=\"%s\" class=\"outlbl\">runs out in %s</text>\n",
			      x, x, mt - 8, mt + ph, x + (f->runs_out > 7 ? -4 : 4), mt - 10 + 12, f->runs_out > 7 ? "end" : "start",
			      sk_month_names[f->runs_out - 1]);
	}
	sk_buf_puts(b, "</svg>\n");
#undef Y
}

static void html_table(struct sk_buf *b, const struct sk_report *r, const struct sk_report_table *t,
		       const char *const *heads, const int *which, int nlabels)
{
	char num[48];
	sk_buf_puts(b, "<div class=\"scroll\"><table>\n<thead><tr>");
	for (int i = 0; i < nlabels; i++) {
		sk_buf_puts(b, "<th class=\"l\">");
		esc(b, heads[i]);
		sk_buf_puts(b, "</th>");
	}
	sk_buf_puts(b, "<th>workers</th>");
	for (int p = 0; p < r->nprograms; p++) {
		sk_buf_puts(b, "<th>");
		esc(b, r->programs[p]);
		sk_buf_puts(b, "</th>");
	}
	sk_buf_printf(b, "<th>premium, %.3s %d</th></tr></thead>\n<tbody>\n", sk_month_names[r->month - 1], r->year);
	for (size_t i = 0; i <= t->n; i++) {
		const struct sk_report_row *row = i < t->n ? &t->rows[i] : &t->total;
		sk_buf_puts(b, i < t->n ? "<tr>" : "</tbody>\n<tfoot><tr class=\"total\">");
		for (int c = 0; c < nlabels; c++) {
			const char *v = which[c] == 0 ? row->key : which[c] == 1 ? row->name : row->parent;
			sk_buf_puts(b, "<td class=\"l\">");
			esc(b, i < t->n ? v : c == 0 ? "total" : "");
			sk_buf_puts(b, "</td>");
		}
		sk_count_format(num, sizeof(num), row->workers);
		sk_buf_printf(b, "<td>%s</td>", num);
		for (int p = 0; p < r->nprograms; p++) {
			sk_count_format(num, sizeof(num), row->enrolled[p]);
			sk_buf_printf(b, "<td>%s</td>", num);
		}
		sk_rupiah_format(num, sizeof(num), row->premium);
		sk_buf_printf(b, "<td>%s</td></tr>\n", num);
	}
	sk_buf_puts(b, "</tfoot></table></div>\n");
}

static void html_bill(struct sk_buf *b, const struct sk_report *r, const struct sk_report_funder *f)
{
	char num[48];
	sk_buf_puts(b, "<div class=\"scroll\"><table>\n<thead><tr><th class=\"l\">month</th><th>people</th>");
	for (int p = 0; p < r->nprograms; p++) {
		sk_buf_puts(b, "<th>");
		esc(b, r->programs[p]);
		sk_buf_puts(b, "</th>");
	}
	sk_buf_printf(b, "<th>total</th><th>cumulative</th>%s</tr></thead>\n<tbody>\n",
		      f->has_budget ? "<th>budget left</th>" : "");
	for (int m = 0; m < 12; m++) {
		int over = f->has_budget && f->cumulative[m] > f->budget;
		sk_count_format(num, sizeof(num), f->people[m]);
		sk_buf_printf(b, "<tr%s><td class=\"l\">%s %d%s</td><td>%s</td>", over ? " class=\"over\"" : "",
			      sk_month_names[m], r->year, f->runs_out == m + 1 ? " &#9888;" : "", num);
		for (int p = 0; p < r->nprograms; p++) {
			sk_rupiah_format(num, sizeof(num), f->amount[m][p]);
			sk_buf_printf(b, "<td>%s</td>", num);
		}
		sk_rupiah_format(num, sizeof(num), f->total[m]);
		sk_buf_printf(b, "<td>%s</td>", num);
		sk_rupiah_format(num, sizeof(num), f->cumulative[m]);
		sk_buf_printf(b, "<td>%s</td>", num);
		if (f->has_budget) {
			sk_rupiah_format(num, sizeof(num), f->budget - f->cumulative[m]);
			sk_buf_printf(b, "<td>%s</td>", num);
		}
		sk_buf_puts(b, "</tr>\n");
	}
	sk_count_format(num, sizeof(num), f->person_months);
	sk_buf_printf(b, "</tbody>\n<tfoot><tr class=\"total\"><td class=\"l\">year</td><td>%s</td>", num);
	for (int p = 0; p < r->nprograms; p++) {
		int64_t s = 0;
		for (int m = 0; m < 12; m++)
			s += f->amount[m][p];
		sk_rupiah_format(num, sizeof(num), s);
		sk_buf_printf(b, "<td>%s</td>", num);
	}
	sk_rupiah_format(num, sizeof(num), f->year_total);
	sk_buf_printf(b, "<td>%s</td><td></td>%s</tr></tfoot></table></div>\n", num, f->has_budget ? "<td></td>" : "");
	sk_buf_puts(b, "<p class=\"muted\">people: persons (NIK) billed in the month; a person enrolled for part of the year "
		       "is billed only for the months their enrolment covers.</p>\n");
}

static const char html_style[] =
	"*{box-sizing:border-box}"
	"body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans',Arial,sans-serif;margin:0;color:#1d2329;"
	"background:#f3f5f7;line-height:1.45;font-size:16px}"
	"header{background:#0b4f6c;color:#fff;padding:1rem}"
	"header p{margin:.2rem 0 0;opacity:.9;font-size:.9rem}"
	"main{max-width:62rem;margin:0 auto;padding:.5rem 1rem 2rem}"
	"h1{font-size:1.35rem;margin:0;max-width:62rem}"
	"header div{max-width:62rem;margin:0 auto}"
	"h2{font-size:1.15rem;margin:1.6rem 0 .5rem;padding-bottom:.2rem;border-bottom:2px solid #0b4f6c}"
	"h3{font-size:1rem;margin:1rem 0 .3rem}"
	".card{background:#fff;border-radius:8px;padding:.8rem 1rem;margin:.7rem 0;box-shadow:0 1px 3px rgba(0,0,0,.15)}"
	".card.bad{border-left:8px solid #c62828}.card.good{border-left:8px solid #2e7d32}.card.none{border-left:8px solid #888}"
	".big{font-size:1.2rem;font-weight:650;margin:0 0 .3rem}"
	".card p{margin:.2rem 0}"
	".muted{color:#555;font-size:.85rem}"
	".scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;margin:.4rem 0}"
	"table{border-collapse:collapse;width:100%;font-size:.88rem;background:#fff}"
	"th,td{padding:.3rem .55rem;border-bottom:1px solid #dfe3e8;text-align:right;white-space:nowrap;"
	"font-variant-numeric:tabular-nums}"
	"th{background:#e8eef2;position:sticky;top:0}"
	".l{text-align:left}"
	"tr.total td{font-weight:700;border-top:2px solid #333}"
	"tr.over td{color:#b71c1c}"
	"svg.chart{width:100%;height:auto;display:block;background:#fff;border-radius:8px;margin:.4rem 0;padding:.3rem}"
	"svg.line{max-width:44rem}svg.bars{max-width:32rem}"
	"svg text{font-family:inherit}"
	".lbl,.val{font-size:13px;fill:#1d2329}.val{font-weight:600}.axis{fill:#555;font-size:11px}"
	".grid{stroke:#e3e6ea}.month{fill:#9cc3d5}.month.unpaid{fill:#ef9a9a}"
	".budget{stroke:#c62828;stroke-width:2;stroke-dasharray:7 5}.budgetlbl{fill:#c62828;font-size:12px;font-weight:600}"
	".cum{fill:none;stroke:#0b4f6c;stroke-width:2.5}.pt{fill:#0b4f6c}.pt.over{fill:#c62828}"
	".out{stroke:#c62828;stroke-width:1.5}.outlbl{fill:#c62828;font-size:12px;font-weight:600}"
	".legend{font-size:.85rem;color:#333}.legend span{display:inline-block;margin-right:1rem}"
	".sw{display:inline-block;width:1.4em;height:.7em;vertical-align:middle;margin-right:.3em}"
	"footer{color:#555;font-size:.8rem;max-width:62rem;margin:0 auto;padding:0 1rem 2rem}"
	".m1{display:none}"
	"@media (max-width:600px){body{font-size:15px}th,td{padding:.25rem .4rem}.big{font-size:1.05rem}"
	".axis{font-size:12px}.budgetlbl,.outlbl{font-size:14px}.m3{display:none}.m1{display:inline}.card{padding:.6rem .7rem}}"
	"@media print{body{background:#fff}.card,svg.chart{box-shadow:none;border:1px solid #ccc}th{position:static}}";

static void html_bars_of(struct sk_buf *b, const char *what, const struct sk_report_table *t, int limit, int by_name,
			 const char *color)
{
	size_t n = t->n, shown = limit > 0 && n > (size_t)limit ? (size_t)limit - 1 : n;
	struct bar *bars = sk_calloc(shown + 1, sizeof(*bars));
	char other[64];
	for (size_t i = 0; i < shown; i++) {
		bars[i].label = by_name ? t->rows[i].name : t->rows[i].name;
		bars[i].value = t->rows[i].workers;
	}
	if (shown < n) {
		snprintf(other, sizeof(other), "%zu others", n - shown);
		bars[shown].label = other;
		for (size_t i = shown; i < n; i++)
			bars[shown].value += t->rows[i].workers;
	}
	svg_bars(b, what, bars, shown + (shown < n), 0, color);
	free(bars);
}

int sk_report_write_html(const struct sk_report *r, const char *path)
{
	static const char *const h_district[] = {"code", "distrik"}, *const h_kel[] = {"code", "kelurahan", "distrik"};
	static const char *const h_occ[] = {"occupation"}, *const h_fund[] = {"funder"};
	static const int w_district[] = {0, 1}, w_kel[] = {0, 1, 2}, w_name[] = {1};
	struct sk_buf b;
	struct sk_private_file pf;
	char line[512], num[48], num2[48];
	const char *mon = sk_month_names[r->month - 1];
	int rc;

	sk_buf_init(&b, 0);
	sk_buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
			"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
	esc(&b, r->name);
	sk_buf_printf(&b, ": JKK/JKM enrolment and premium %d</title>\n<style>%s</style>\n</head>\n<body>\n", r->year, html_style);
	sk_buf_puts(&b, "<header><div><h1>");
	if (!r->is_city)
		sk_buf_puts(&b, "Distrik ");
	esc(&b, r->name);
	sk_buf_printf(&b, " (%s): BPJS Ketenagakerjaan JKK/JKM, %d</h1>\n", r->code, r->year);
	sk_buf_printf(&b, "<p>Enrolment and premium in force in %s %d &middot; monthly bill and budget for %d &middot; made %s</p>"
			  "</div></header>\n<main>\n", mon, r->year, r->year, r->generated);

	sk_buf_printf(&b, "<h2 id=\"budget\">Budget %d</h2>\n", r->year);
	if (!r->nbills)
		sk_buf_printf(&b, "<div class=\"card none\"><p class=\"big\">Nothing billed in %d and no budget set.</p></div>\n", r->year);
	for (size_t i = 0; i < r->nbills; i++) {
		const struct sk_report_funder *f = &r->bills[i];
		sk_report_conclusion(line, sizeof(line), r, f);
		sk_buf_printf(&b, "<div class=\"card %s\"><p class=\"big conclusion\">",
			      !f->has_budget ? "none" : f->runs_out ? "bad" : "good");
		esc(&b, line);
		sk_buf_puts(&b, "</p>\n");
		if (f->has_budget) {
			sk_rupiah_format(num, sizeof(num), f->budget);
			sk_rupiah_format(num2, sizeof(num2), f->year_total);
			sk_buf_printf(&b, "<p>Budget <b>%s</b>; bill for the year <b>%s</b>", num, num2);
			sk_rupiah_format(num, sizeof(num), f->year_total > f->budget ? f->year_total - f->budget : f->budget - f->year_total);
			sk_count_format(num2, sizeof(num2), f->person_months);
			sk_buf_printf(&b, " (%s person-months): <b>%s %s</b>.</p>\n", num2, num,
				      f->year_total > f->budget ? "short" : "left");
		}
		sk_report_rate_line(line, sizeof(line), r, f);
		sk_buf_puts(&b, "<p class=\"muted\">");
		esc(&b, line);
		sk_buf_puts(&b, ".</p>\n");
		if (sk_report_doubled_line(line, sizeof(line), r, f)) {
			sk_buf_puts(&b, "<p class=\"muted\">");
			esc(&b, line);
			sk_buf_puts(&b, ".</p>\n");
		}
		if (f->months_billed) {
			svg_budget(&b, r, f);
			sk_buf_puts(&b, "<p class=\"legend\"><span><i class=\"sw\" style=\"background:#0b4f6c\"></i>spent so far</span>"
					"<span><i class=\"sw\" style=\"background:#9cc3d5\"></i>bill of the month</span>");
			if (f->has_budget)
				sk_buf_puts(&b, "<span><i class=\"sw\" style=\"border-top:3px dashed #c62828;height:0\"></i>budget</span>"
						"<span><i class=\"sw\" style=\"background:#ef9a9a\"></i>months not paid in full</span>");
			sk_buf_puts(&b, "</p>\n");
		}
		sk_buf_puts(&b, "</div>\n");
	}
	if (r->unrated)
		sk_buf_printf(&b, "<p class=\"card bad\">%lld enrolment-month(s) have no rate in force and are not priced.</p>\n",
			      (long long)r->unrated);

	sk_buf_puts(&b, "<h2 id=\"district\">Workers by district</h2>\n");
	if (r->districts.n > 1 || !r->kelurahan.n)
		html_bars_of(&b, "active workers by district", &r->districts, 0, 1, "#2a7ab0");
	else
		html_bars_of(&b, "active workers by kelurahan", &r->kelurahan, 0, 1, "#2a7ab0");
	html_table(&b, r, &r->districts, h_district, w_district, 2);

	sk_buf_puts(&b, "<h2 id=\"occupation\">Workers by occupation</h2>\n");
	html_bars_of(&b, "active workers by occupation", &r->occupations, 15, 1, "#e08a1e");
	html_table(&b, r, &r->occupations, h_occ, w_name, 1);

	sk_buf_puts(&b, "<h2 id=\"kelurahan\">Workers by kelurahan</h2>\n");
	html_table(&b, r, &r->kelurahan, h_kel, w_kel, 3);

	sk_buf_puts(&b, "<h2 id=\"funder\">Enrolment by funder</h2>\n");
	html_table(&b, r, &r->funders, h_fund, w_name, 1);
	sk_buf_puts(&b, "<p class=\"muted\">workers: with an enrolment of the funder in force in the month.</p>\n");

	for (size_t i = 0; i < r->nbills; i++) {
		sk_buf_printf(&b, "<h2>Monthly bill %d: ", r->year);
		esc(&b, r->bills[i].funder);
		sk_buf_puts(&b, "</h2>\n");
		html_bill(&b, r, &r->bills[i]);
	}
	sk_buf_printf(&b, "</main>\n<footer>Workers: active in the register. Enrolments and premium: in force in %s %d. "
			  "Each month is billed for every enrolment covering it on any day, priced by the rate in force on its "
			  "first day (the rates table: JKK a percentage of the income bracket, JKM a flat amount); months after "
			  "today are billed from the enrolments as they stand. Made by sinkron from ", mon, r->year);
	esc(&b, r->name);
	sk_buf_printf(&b, " (%s), %s.</footer>\n</body>\n</html>\n", r->code, r->generated);

	if ((rc = sk_private_open(&pf, path)) < 0)
		goto done;
	fwrite(b.ptr, 1, b.len, pf.f);
	rc = sk_private_close(&pf, 1);
done:
	sk_buf_release(&b);
	return rc;
}

/*
 * web_forms.c: the office's writes: Daftar baru, Ubah, Akhiri kepesertaan, Ahli waris and
 * Kepesertaan.  Each form checks through the engine first (warnings to confirm, errors to
 * correct beside their field), then writes through it, recorded as made by the logged-in
 * account.  The city never serves them (web_city.c refuses them).
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

#define REASON_DIED "meninggal dunia"

/* ---- Daftar baru and Ubah ---- */

struct form_field {
	const char *name;         /* the form's name */
	const char *issue_field;  /* the field name the engine's issues use */
	const char *label;        /* msgid */
	const char *type;         /* input type, or "sex", "kel", "occ" for the lists */
	int required;
};

static const struct form_field worker_fields[] = {
	{"nik", "NIK", N_("NIK"), "text", 1},
	{"name", "Nama", N_("Name"), "text", 1},
	{"birth_place", "Tempat Lahir", N_("Place of birth"), "text", 0},
	{"birth_date", "Tanggal Lahir", N_("Date of birth"), "text", 1},
	{"sex", "Jenis Kelamin", N_("Sex"), "sex", 1},
	{"kk", "No KK", N_("No KK"), "text", 0},
	{"address", "Alamat", N_("Address"), "text", 0},
	{"kelurahan", "Kelurahan", N_("Kelurahan"), "kel", 1},
	{"phone", "No HP", N_("Phone"), "tel", 0},
	{"occupation", "Pekerjaan", N_("Occupation"), "occ", 0},
	{"workplace", "Tempat Kerja", N_("Workplace"), "text", 0},
	{"income", "Penghasilan", N_("Monthly income (Rp)"), "text", 0},
	{NULL, NULL, NULL, NULL, 0},
};

static void put_issues_for(struct web_req *r, const struct sk_issues *is, const char *field)
{
	for (int i = 0; is && i < is->n; i++) {
		char *t;
		if (strcmp(is->v[i].field, field))
			continue;
		t = i18n_tr_msg(is->v[i].reason);
		web_put(r, "<span class=\"%s\" role=\"alert\">%h</span>", is->v[i].error ? "field-error" : "field-warn", t);
		free(t);
	}
}

/* issues whose field is not on the form */
static void put_other_issues(struct web_req *r, const struct sk_issues *is)
{
	for (int i = 0; is && i < is->n; i++) {
		int known = 0;
		for (const struct form_field *f = worker_fields; f->name; f++)
			known |= !strcmp(f->issue_field, is->v[i].field);
		if (!known) {
			char *t = i18n_tr_msg(is->v[i].reason);
			web_put(r, "<p class=\"%s\" role=\"alert\">%h: %h</p>", is->v[i].error ? "error" : "warn", is->v[i].field, t);
			free(t);
		}
	}
}

static void worker_form(struct web_req *r, const char *action, const char *id, const char *const vals[], const struct sk_issues *is,
			int ask_confirm, int with_funder)
{
	size_t nk;
	struct web_choice *kels = web_kelurahan_list(r, &nk);
	int i = 0;
	if (is && sk_issues_errors(is))
		web_put(r, "<p class=\"error\" role=\"alert\">%t</p>", N_("Nothing was saved: correct the fields marked below."));
	put_other_issues(r, is);
	web_put(r, "<form method=\"post\" action=\"%a\" class=\"card form\" novalidate>", action);
	web_csrf_field(r);
	if (id)
		web_put(r, "<input type=\"hidden\" name=\"id\" value=\"%a\">", id);
	for (const struct form_field *f = worker_fields; f->name; f++, i++) {
		const char *v = vals ? vals[i] : NULL;
		web_put(r, "<div class=\"field\" id=\"f-%a\">", f->name);
		if (!strcmp(f->type, "sex")) {
			web_select(r, f->name, f->label, web_sexes(), v, 1);
		} else if (!strcmp(f->type, "kel")) {
			web_put(r, "<label>%t<select name=\"kelurahan\"><option value=\"\">%t</option>", f->label, N_("(choose)"));
			for (size_t k = 0; k < nk; k++)
				web_put(r, "<option value=\"%a\"%s>%h</option>", kels[k].value,
					v && (!strcmp(v, kels[k].value) || !strcasecmp(v, kels[k].label)) ? " selected" : "", kels[k].label);
			web_put(r, "</select></label>");
		} else if (!strcmp(f->type, "occ")) {
			web_put(r, "<label>%t<input name=\"occupation\" list=\"occupations\" value=\"%a\"></label><datalist id=\"occupations\">",
				f->label, web_nz(v));
			for (const struct web_choice *c = web_occupations(); c->value; c++)
				web_put(r, "<option value=\"%a\">", c->value);
			web_put(r, "</datalist>");
		} else {
			web_put(r, "<label>%t%s<input name=\"%a\" type=\"%a\" value=\"%a\"%s%s></label>", f->label,
				f->required ? " <abbr title=\"wajib\">*</abbr>" : "", f->name, f->type, web_nz(v),
				!strcmp(f->name, "nik") || !strcmp(f->name, "kk") ? " inputmode=\"numeric\" maxlength=\"20\"" : "",
				!strcmp(f->name, "birth_date") ? " placeholder=\"31-12-1980\"" : "");
		}
		put_issues_for(r, is, f->issue_field);
		web_put(r, "</div>");
	}
	if (with_funder) {
		web_put(r, "<div class=\"field\">");
		size_t nf;
		struct web_choice *funders = web_funders(r, &nf);
		web_select(r, "funder", N_("Enrol in JKK and JKM, paid by"), funders, vals ? web_arg(r, "funder") : "APBD Kota", 1);
		web_choices_free(funders, nf);
		web_put(r, "</div>");
	}
	if (ask_confirm)
		web_put(r, "<p class=\"warn\"><label class=\"check\"><input type=\"checkbox\" name=\"confirm\" value=\"1\"> %t</label></p>",
			N_("I have checked the warnings above: save anyway"));
	web_put(r, "<p><button type=\"submit\">%t</button></p></form>", N_("Save"));
	web_choices_free(kels, nk);
}

static void input_from_form(struct web_req *r, struct sk_worker_input *in, const char *vals[])
{
	int i = 0;
	for (const struct form_field *f = worker_fields; f->name; f++, i++)
		vals[i] = web_arg(r, f->name);
	memset(in, 0, sizeof(*in));
	in->nik = vals[0], in->name = vals[1], in->birth_place = vals[2], in->birth_date = vals[3], in->sex = vals[4];
	in->kk = vals[5], in->address = vals[6], in->kelurahan = vals[7], in->phone = vals[8], in->occupation = vals[9];
	in->workplace = vals[10], in->income = vals[11];
}

void web_page_register(struct web_req *r)
{
	const char *vals[16] = {0};
	struct sk_worker_input in;
	struct sk_issues is;
	struct sk_db *db;
	char *id = NULL;
	int rc;

	if (!r->post) {
		web_page_begin(r, N_("Register a worker"));
		worker_form(r, "/daftar", NULL, NULL, NULL, 0, 1);
		web_page_end(r);
		return;
	}
	input_from_form(r, &in, vals);
	db = web_engine(r);
	memset(&is, 0, sizeof(is));
	rc = db ? sk_worker_check(db, &is, &in) : SK_ERROR;
	if (rc < 0 || (is.n && !web_arg(r, "confirm"))) {
		r->status = rc < 0 ? MHD_HTTP_UNPROCESSABLE_CONTENT : MHD_HTTP_OK;
		web_page_begin(r, N_("Register a worker"));
		if (rc < 0 && !is.n)
			web_error_box(r, sk_error_last());
		worker_form(r, "/daftar", NULL, vals, &is, rc == 0, 1);
		web_page_end(r);
		return;
	}
	rc = sk_worker_add(db, &id, &is, &in);
	if (rc < 0) {
		r->status = MHD_HTTP_UNPROCESSABLE_CONTENT;
		web_page_begin(r, N_("Register a worker"));
		web_error_box(r, sk_error_last());
		worker_form(r, "/daftar", NULL, vals, &is, 0, 1);
		web_page_end(r);
		return;
	}
	{
		const char *funder = web_arg(r, "funder");
		if (funder && *funder) {
			char *eid = NULL;
			if (sk_enrol(db, &eid, id, "JKK+JKM", funder, NULL, NULL, 0) < 0) {
				char *t = i18n_tr_msg(sk_error_last());
				free(t);
			}
			free(eid);
		}
	}
	{
		char *loc = sk_printf("/pekerja/%s?saved=1%s", id, is.n ? "&warn=1" : "");
		web_redirect(r, loc);
		free(loc);
	}
	free(id);
}

void web_page_edit(struct web_req *r)
{
	const char *id = web_arg(r, "id");
	struct sk_db *db = web_engine(r);
	struct sk_worker w;
	struct sk_issues is;
	int changed = 0, rc;

	if (!id || !db || sk_worker_get(db, &w, id) < 0) {
		r->status = MHD_HTTP_NOT_FOUND;
		web_page_begin(r, N_("Worker not found"));
		web_error_box(r, sk_error_last());
		web_page_end(r);
		return;
	}
	if (!r->post) {
		char bd[16], inc[32] = "";
		web_fmt_date(bd, sizeof(bd), w.birth_date);
		if (w.income)
			snprintf(inc, sizeof(inc), "%lld", (long long)w.income);
		const char *vals[] = {w.nik, w.name, w.birth_place, bd, w.sex, w.kk, w.address, w.kelurahan, w.phone, w.occupation,
				      w.workplace, inc};
		web_page_begin(r, N_("Correct a worker"));
		web_put(r, "<p><a href=\"/pekerja/%u\">&larr; %h</a></p>", w.id, web_nz(w.name));
		worker_form(r, "/ubah", w.id, vals, NULL, 0, 0);
		web_page_end(r);
		sk_worker_release(&w);
		return;
	}
	{
		const char *vals[16] = {0};
		struct sk_worker_input in;
		input_from_form(r, &in, vals);
		memset(&is, 0, sizeof(is));
		rc = sk_worker_edit(db, w.id, &is, &in, &changed);
		if (rc < 0) {
			r->status = MHD_HTTP_UNPROCESSABLE_CONTENT;
			web_page_begin(r, N_("Correct a worker"));
			if (!sk_issues_errors(&is))
				web_error_box(r, sk_error_last());
			worker_form(r, "/ubah", w.id, vals, &is, 0, 0);
			web_page_end(r);
		} else {
			char *loc = sk_printf("/pekerja/%s?saved=1%s", w.id, is.n ? "&warn=1" : "");
			web_redirect(r, loc);
			free(loc);
		}
	}
	sk_worker_release(&w);
}

/* ---- Akhiri kepesertaan, Ahli waris, Kepesertaan ---- */

static int count_heir(void *payload, const struct sk_heir *h)
{
	(void)h;
	(*(int *)payload)++;
	return 0;
}

void web_page_end_enrolment(struct web_req *r)
{
	const char *id = web_arg(r, "id");
	struct sk_db *db = web_engine(r);
	struct sk_worker w;

	if (!id || !db || sk_worker_get(db, &w, id) < 0) {
		r->status = MHD_HTTP_NOT_FOUND;
		web_page_begin(r, N_("Worker not found"));
		web_error_box(r, sk_error_last());
		web_page_end(r);
		return;
	}
	char *err = NULL;
	if (r->post) {
		const char *reason = web_arg(r, "reason"), *date = web_arg(r, "date");
		int known = 0, heirs = 0;
		for (const struct web_choice *c = web_end_reasons(); reason && c->value; c++)
			known |= !strcmp(c->value, reason);
		r->status = MHD_HTTP_UNPROCESSABLE_CONTENT;
		if (!known) {
			err = sk_strdup(_("choose the reason from the list"));
		} else if (sk_worker_end(db, w.id, date && *date ? date : NULL, reason) < 0) {
			err = i18n_tr_msg(sk_error_last());
		} else {
			char *loc;
			sk_heir_each(db, w.id, count_heir, &heirs);
			if (!strcmp(reason, REASON_DIED) && !heirs)
				loc = sk_printf("/ahli-waris?id=%s&died=1", w.id);
			else
				loc = sk_printf("/pekerja/%s?saved=1", w.id);
			web_redirect(r, loc);
			free(loc);
			sk_worker_release(&w);
			return;
		}
	}
	web_page_begin(r, N_("End enrolment"));
	web_put(r, "<p><a href=\"/pekerja/%u\">&larr; %h</a> (NIK %h)</p>", w.id, web_nz(w.name), web_nz(w.nik));
	if (err)
		web_put(r, "<p class=\"error\" role=\"alert\">%h</p>", err);
	free(err);
	web_put(r, "<form method=\"post\" action=\"/akhiri\" class=\"card form\">");
	web_csrf_field(r);
	web_put(r, "<input type=\"hidden\" name=\"id\" value=\"%a\">", w.id);
	web_select(r, "reason", N_("Reason"), web_end_reasons(), web_arg(r, "reason"), 1);
	web_put(r, "<label>%t<input name=\"date\" placeholder=\"31-12-2024\" value=\"%a\"></label>"
		   "<p class=\"hint\">%t</p><p><button type=\"submit\" class=\"danger\">%t</button></p></form>",
		N_("Date (empty: today)"), r->post ? web_nz(web_arg(r, "date")) : "",
		N_("Ending closes the worker's enrolments on that date. If the worker died, the heir receives the JKM benefit."),
		N_("End enrolment"));
	web_page_end(r);
	sk_worker_release(&w);
}

void web_page_heir(struct web_req *r)
{
	const char *id = web_arg(r, "id");
	struct sk_db *db = web_engine(r);
	struct sk_worker w;
	struct sk_issues is;
	int rc = 0;

	if (!id || !db || sk_worker_get(db, &w, id) < 0) {
		r->status = MHD_HTTP_NOT_FOUND;
		web_page_begin(r, N_("Worker not found"));
		web_error_box(r, sk_error_last());
		web_page_end(r);
		return;
	}
	memset(&is, 0, sizeof(is));
	if (r->post) {
		char *hid = NULL;
		rc = sk_heir_add(db, &hid, &is, w.id, web_arg(r, "name"), web_arg(r, "nik"), web_arg(r, "relationship"), web_arg(r, "phone"));
		free(hid);
		if (rc == 0) {
			char *loc = sk_printf("/pekerja/%s?saved=1", w.id);
			web_redirect(r, loc);
			free(loc);
			sk_worker_release(&w);
			return;
		}
		r->status = MHD_HTTP_UNPROCESSABLE_CONTENT;
	}
	web_page_begin(r, N_("Add heir"));
	web_put(r, "<p><a href=\"/pekerja/%u\">&larr; %h</a></p>", w.id, web_nz(w.name));
	if (web_arg(r, "died"))
		web_put(r, "<p class=\"warn\" role=\"status\">%t</p>",
			N_("The worker died and has no heir registered: register the heir, who receives the JKM benefit of Rp42.000.000."));
	if (rc < 0) {
		if (sk_issues_errors(&is))
			web_put(r, "<p class=\"error\" role=\"alert\">%t</p>", N_("Nothing was saved: correct the fields marked below."));
		else
			web_error_box(r, sk_error_last());
	}
	web_put(r, "<form method=\"post\" action=\"/ahli-waris\" class=\"card form\">");
	web_csrf_field(r);
	web_put(r, "<input type=\"hidden\" name=\"id\" value=\"%a\">", w.id);
	web_put(r, "<div class=\"field\"><label>%t <abbr title=\"wajib\">*</abbr><input name=\"name\" value=\"%a\"></label>", N_("Heir's name"),
		web_nz(web_arg(r, "name")));
	put_issues_for(r, &is, "Nama Ahli Waris");
	web_put(r, "</div><div class=\"field\">");
	web_select(r, "relationship", N_("Relationship"), web_relationships(), web_arg(r, "relationship"), 1);
	put_issues_for(r, &is, "Hubungan");
	web_put(r, "</div><div class=\"field\"><label>%t<input name=\"nik\" inputmode=\"numeric\" value=\"%a\"></label>", N_("Heir's NIK"),
		web_nz(web_arg(r, "nik")));
	put_issues_for(r, &is, "NIK");
	web_put(r, "</div><div class=\"field\"><label>%t<input name=\"phone\" type=\"tel\" value=\"%a\"></label>", N_("Phone"),
		web_nz(web_arg(r, "phone")));
	put_issues_for(r, &is, "No HP");
	web_put(r, "</div><p><button type=\"submit\">%t</button></p></form>", N_("Save"));
	web_page_end(r);
	sk_worker_release(&w);
}

void web_page_enrol(struct web_req *r)
{
	const char *id = web_arg(r, "id"), *funder = web_arg(r, "funder"), *start = web_arg(r, "start");
	struct sk_db *db = web_engine(r);
	char *eid = NULL;
	int known = 0;
	size_t nf;
	struct web_choice *funders = web_funders(r, &nf);
	for (const struct web_choice *c = funders; funder && c->value; c++)
		known |= !strcmp(c->value, funder);
	web_choices_free(funders, nf);
	if (!db || !id || !known || sk_enrol(db, &eid, id, "JKK+JKM", funder, NULL, start && *start ? start : NULL, 0) < 0) {
		r->status = MHD_HTTP_UNPROCESSABLE_CONTENT;
		web_page_begin(r, N_("Enrolments"));
		if (!known)
			web_put(r, "<p class=\"error\" role=\"alert\">%t</p>", N_("choose who pays from the list"));
		else
			web_error_box(r, sk_error_last());
		web_put(r, "<p><a href=\"/pekerja/%u\">%t</a></p>", web_nz(id), N_("Back to the worker"));
		web_page_end(r);
		return;
	}
	free(eid);
	char *loc = sk_printf("/pekerja/%s?saved=1", id);
	web_redirect(r, loc);
	free(loc);
}

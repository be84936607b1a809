/*
 * gen-workers-rows.c: a person written as a clerk types the row (spellings, formats, the
 * kelurahan), with the deliberate defects, and the row written as RFC 4180 CSV.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen-workers.h"

/* ---- rows ---- */

enum { C_NIK, C_KK, C_NAME, C_PLACE, C_DATE, C_SEX, C_ADDR, C_KEL, C_HP, C_JOB, C_WORK, C_INCOME };

static void format_date(struct gen *g, char *out, size_t n, int y, int m, int d)
{
	int x = (int)rng_below(&g->rng, 100);
	if (x < 75)
		snprintf(out, n, "%02d/%02d/%04d", d, m, y);
	else if (x < 90)
		snprintf(out, n, "%02d-%02d-%04d", d, m, y);
	else
		snprintf(out, n, "%04d-%02d-%02d", y, m, d);
}

static void format_income(struct gen *g, char *out, size_t n, int income)
{
	if (rng_pm(&g->rng, 60))
		snprintf(out, n, "%d.%03d.%03d", income / 1000000, income / 1000 % 1000, income % 1000);
	else
		snprintf(out, n, "%d", income);
}

/* expands %K (kelurahan), %D (distrik) and %C (city) in a place template */
static void expand(char *out, size_t n, const char *tmpl, const char *kel, const char *dis, const char *city)
{
	size_t o = 0;
	for (const char *s = tmpl; *s && o + 1 < n; s++) {
		const char *v = NULL;
		if (*s == '%' && s[1] == 'K')
			v = kel;
		else if (*s == '%' && s[1] == 'D')
			v = dis;
		else if (*s == '%' && s[1] == 'C')
			v = city;
		if (v) {
			o += (size_t)snprintf(out + o, n - o, "%s", v);
			if (o >= n)
				o = n - 1;
			s++;
		} else {
			out[o++] = *s;
		}
	}
	out[o] = '\0';
}

static void make_work(struct gen *g, const struct person *p, const struct place *kel, const struct distrik *ds,
		      char *job, char *work)
{
	struct rng *r = &g->rng;
	const struct profile *pr = g->prof;
	const char *j = "", *w = "";
	switch (p->job) {
	case J_PASAR: {
		static const char *const t[] = {"Pedagang Pasar", "Pedagang Pasar", "Pedagang Pasar", "Pedagang Sayur", "Pedagang Ikan", "Pedagang Sembako", "Pedagang Pakaian"};
		j = PICK(r, t);
		w = list_pick(r, &pr->markets);
		break;
	}
	case J_PKL: j = "Pedagang Kaki Lima"; w = list_pick(r, &pr->vendors); break;
	case J_MAMA: {
		static const char *const t[] = {"Mama-Mama Papua Penjual Pinang", "Mama-Mama Papua Penjual Pinang", "Mama-Mama Papua Penjual Sayur", "Mama-Mama Papua Penjual Ikan", "Mama-Mama Papua Penjual Noken"};
		j = PICK(r, t);
		w = rng_pm(r, 750) ? list_pick(r, &pr->markets) : list_pick(r, &pr->vendors);
		break;
	}
	case J_OJEK: j = rng_pm(r, 800) ? "Pengemudi Ojek" : "Tukang Ojek"; w = list_pick(r, &pr->ojek); break;
	case J_NELAYAN: j = rng_pm(r, 850) ? "Nelayan" : "Nelayan Tradisional"; w = list_pick(r, &pr->fish); break;
	case J_PETANI: j = rng_pm(r, 800) ? "Petani" : "Petani Sayur"; w = list_pick(r, &pr->farms); break;
	case J_HONORER:
		if (rng_pm(r, 450)) {
			j = "Honorer Kelurahan";
			w = "Kantor Kelurahan %K";
		} else {
			static const char *const t[] = {"Kantor Distrik %D", "Kantor Kelurahan %K", "Puskesmas %K", "Dinas Sosial %C", "SD Negeri %K"};
			j = "Tenaga Honorer";
			w = PICK(r, t);
		}
		break;
	case J_BANGUNAN: {
		static const char *const t[] = {"Buruh Bangunan", "Buruh Bangunan", "Tukang Bangunan", "Tukang Kayu"};
		static const char *const s[] = {"Proyek Perumahan", "Borongan", "Proyek Jalan", "Tidak Tetap", ""};
		j = PICK(r, t);
		w = PICK(r, s);
		break;
	}
	case J_PARKIR: j = "Juru Parkir"; w = list_pick(r, &pr->parking); break;
	case J_BERSIH: {
		j = "Petugas Kebersihan";
		int x = (int)rng_below(r, 3);
		w = x == 0 ? pr->dinas : x == 1 ? "Kantor Kelurahan %K" : list_pick(r, &pr->markets);
		break;
	}
	default:
		if (p->muslim) {
			j = "Marbot";
			w = list_pick(r, &pr->mosques);
		} else {
			j = rng_pm(r, 500) ? "Guru Injil" : "Pengurus Gereja";
			w = list_pick(r, &pr->churches);
		}
		break;
	}
	snprintf(job, FIELD, "%s", j);
	expand(work, FIELD, w, kel->name, ds->p->name, g->city->name);
	if (!p->upper && rng_pm(r, 150))
		str_upper(job);
}

static void make_address(struct gen *g, char *out, const struct person *p)
{
	struct rng *r = &g->rng;
	const char *st = list_pick(r, &g->prof->streets);
	char head[128];
	if (!strcmp(st, "Jl. Basuki Rahmat") && rng_pm(r, 700))
		snprintf(head, sizeof(head), "%s Km %d", st, rng_range(r, 7, 14));
	else if (!strncmp(st, "Kompleks", 8))
		snprintf(head, sizeof(head), "%s Blok %c No. %d", st, 'A' + rng_below(r, 6), rng_range(r, 1, 40));
	else if (rng_pm(r, 600))
		snprintf(head, sizeof(head), "%s No. %d", st, rng_range(r, 1, 120));
	else
		snprintf(head, sizeof(head), "%s", st);
	int rt = rng_range(r, 1, 12), rw = rng_range(r, 1, 6);
	switch (rng_below(r, 4)) {
	case 0: snprintf(out, FIELD, "%s, RT %03d/RW %03d", head, rt, rw); break;
	case 1: snprintf(out, FIELD, "%s RT %02d/RW %02d", head, rt, rw); break;
	case 2: snprintf(out, FIELD, "%s RT.%03d RW.%03d", head, rt, rw); break;
	default: snprintf(out, FIELD, "%s", head); break;
	}
	if (p->upper && rng_pm(r, 400))
		str_upper(out);
}

static void make_kelurahan(struct gen *g, char *out, const struct place *kel)
{
	struct rng *r = &g->rng;
	int x = (int)rng_below(r, 100);
	snprintf(out, FIELD, "%s", x < 12 ? kel->code : kel->name);
	if (x >= 12 && x < 50)
		str_upper(out);
	else if (x >= 50 && x < 54)
		str_lower(out);
}

/* a kelurahan (name or code) that is not in ds */
static void bad_kelurahan(struct gen *g, char *out, const struct distrik *ds)
{
	struct rng *r = &g->rng;
	for (;;) {
		int x = (int)rng_below(r, 100);
		if (x < 15) {
			snprintf(out, FIELD, "%s.%d", ds->p->code, rng_range(r, 1050, 1099));
			if (!distrik_has_code(ds, out))
				return;
			continue;
		}
		const struct place *k;
		if (x < 90 && g->ndis > 1) {
			const struct distrik *o = &g->dis[rng_below(r, (uint32_t)g->ndis)];
			if (o == ds || !o->nkel)
				continue;
			k = o->kel[rng_below(r, (uint32_t)o->nkel)];
		} else {
			k = &g->data->v[rng_below(r, (uint32_t)g->data->n)];
			if (k->level != 3 || !strncmp(k->code, ds->p->code, strlen(ds->p->code)))
				continue;
		}
		if (x < 40) {
			snprintf(out, FIELD, "%s", k->code);
		} else {
			if (distrik_has_name(ds, k->name))
				continue;
			snprintf(out, FIELD, "%s", k->name);
			if (rng_pm(r, 500))
				str_upper(out);
		}
		return;
	}
}

/* puts a letter in place of a digit, the way a 0, 1, 5 or 8 gets typed as O, l, S or B */
static void letter_for_digit(struct gen *g, char *s, size_t lo, size_t hi)
{
	static const char from[] = "0158", *const to[] = {"Oo", "lI", "S", "B"};
	size_t len = strlen(s);
	if (hi > len)
		hi = len;
	for (int tries = 0; tries < 40; tries++) {
		size_t i = lo + rng_below(&g->rng, (uint32_t)(hi - lo));
		const char *k = strchr(from, s[i]);
		if (k && s[i]) {
			const char *t = to[k - from];
			s[i] = t[rng_below(&g->rng, (uint32_t)strlen(t))];
			return;
		}
	}
	s[lo + rng_below(&g->rng, (uint32_t)(hi - lo))] = 'O';
}

static void apply_defect(struct gen *g, struct row *w, const struct person *p, const struct distrik *ds, enum defect d)
{
	struct rng *r = &g->rng;
	char *f = w->f[d == D_NAME ? C_NAME : C_NIK];
	switch (d) {
	case D_NIK15: { /* a digit left out */
		size_t i = rng_below(r, 16);
		memmove(f + i, f + i + 1, 16 - i);
		break;
	}
	case D_NIK17: { /* a digit typed twice */
		size_t i = rng_below(r, 16);
		memmove(f + i + 1, f + i, 17 - i);
		break;
	}
	case D_NIKALPHA: letter_for_digit(g, f, 0, 16); break;
	case D_NIKREG: {
		int c;
		do {
			int x = (int)rng_below(r, 3);
			c = x == 0 ? (int)(p->nik[0] - '0') * 1000 + (p->nik[1] - '0') * 100 + rng_range(r, 30, 69)
			  : x == 1 ? rng_range(r, 0, 10) * 100 + rng_range(r, 0, 99)
				   : rng_range(r, 1000, 9999);
		} while (g->data->regency[c]);
		char pre[8];
		snprintf(pre, sizeof(pre), "%04d", c);
		memcpy(f, pre, 4);
		break;
	}
	case D_NIKDATE: {
		char dd[16], mm[16];
		int x = (int)rng_below(r, 5);
		snprintf(dd, sizeof(dd), "%.2s", f + 6);
		snprintf(mm, sizeof(mm), "%.2s", f + 8);
		if (x == 0)
			snprintf(dd, sizeof(dd), "00");
		else if (x == 1)
			snprintf(dd, sizeof(dd), "%02d", rng_range(r, 32, 40));
		else if (x == 2)
			snprintf(dd, sizeof(dd), "%02d", rng_range(r, 72, 99));
		else
			snprintf(mm, sizeof(mm), "%s", x == 3 ? "00" : "13");
		memcpy(f + 6, dd, 2);
		memcpy(f + 8, mm, 2);
		break;
	}
	case D_NAME: f[0] = '\0'; break;
	case D_DATEBAD: {
		char *o = w->f[C_DATE];
		switch (rng_below(r, 8)) {
		case 0: snprintf(o, FIELD, "%d/02/%04d", rng_range(r, 30, 31), p->by); break;
		case 1: snprintf(o, FIELD, "%02d/13/%04d", p->bd, p->by); break;
		case 2: snprintf(o, FIELD, "%02d/%02d/%04d", rng_range(r, 32, 39), p->bm, p->by); break;
		case 3: snprintf(o, FIELD, "%04d", p->by); break;
		case 4: snprintf(o, FIELD, "%s", rng_pm(r, 500) ? "0000-00-00" : "-"); break;
		case 5: snprintf(o, FIELD, "%02d/%02d/%04d", p->bd, p->bm, p->by); letter_for_digit(g, o, 0, 5); break;
		case 6: snprintf(o, FIELD, "%d", rng_range(r, 20000, 39000)); break; /* a spreadsheet serial */
		default: snprintf(o, FIELD, "%02d//%04d", p->bd, p->by); break;
		}
		break;
	}
	case D_DATEFUTURE: {
		/* 2085 for 1985 and the like; a real date, decades ahead */
		int y = 2000 + p->by % 100;
		if (y < 2040)
			y = 2040 + rng_range(r, 0, 59);
		int day = p->bd > days_in_month(y, p->bm) ? days_in_month(y, p->bm) : p->bd;
		format_date(g, w->f[C_DATE], FIELD, y, p->bm, day);
		break;
	}
	case D_SEX: {
		static const char *const s[] = {"X", "X", "-", "?", "0", "LP", "L/P"};
		snprintf(w->f[C_SEX], FIELD, "%s", PICK(r, s));
		break;
	}
	case D_KEL: bad_kelurahan(g, w->f[C_KEL], ds); break;
	case D_KKLEN: {
		char *k = w->f[C_KK];
		snprintf(k, FIELD, "%s", p->kk);
		int x = (int)rng_below(r, 3);
		if (x == 0)
			k[15] = '\0';
		else if (x == 1)
			snprintf(k + 16, FIELD - 16, "%d", (int)rng_below(r, 10));
		else
			k[rng_range(r, 10, 14)] = '\0';
		break;
	}
	case D_KKALPHA:
		snprintf(w->f[C_KK], FIELD, "%s", p->kk);
		letter_for_digit(g, w->f[C_KK], 0, 16);
		break;
	case D_PHONE: {
		char *h = w->f[C_HP];
		if (!h[0] || h[0] == '+' || strchr(h, '-'))
			snprintf(h, FIELD, "%s", p->phone[0] == '0' && !strchr(p->phone, '-') ? p->phone : "081244105871");
		if (rng_pm(r, 200))
			strcat(h, rng_pm(r, 500) ? " (WA)" : "x");
		else
			letter_for_digit(g, h, 2, strlen(h));
		break;
	}
	default: break;
	}
}

void build_row(struct gen *g, struct row *w, const struct person *p, const struct distrik *ds, enum defect d)
{
	struct rng *r = &g->rng;
	const struct place *kel = ds->kel[rng_below(r, (uint32_t)ds->nkel)];

	snprintf(w->f[C_NIK], FIELD, "%s", p->nik);
	snprintf(w->f[C_KK], FIELD, "%s", rng_pm(r, 50) ? "" : p->kk);
	snprintf(w->f[C_NAME], FIELD, "%s", p->name);
	if (p->job == J_HONORER && rng_pm(r, 200)) {
		static const char *const deg[] = {", S.Pd", ", S.Sos", ", A.Md", ", S.E", ", S.Kom"};
		strncat(w->f[C_NAME], PICK(r, deg), 16);
	} else if (rng_pm(r, 60)) {
		/* the name people know them by, in quotes, as some clerks note it */
		static const char *const nick[][2] = {
			{"Yohanis", "Anis"}, {"Hasanuddin", "Udin"}, {"Syamsuddin", "Udin"}, {"Baharuddin", "Udin"},
			{"Christina", "Tina"}, {"Agustina", "Tina"}, {"Yakomina", "Mina"}, {"Petronela", "Nela"},
			{"Benyamin", "Ben"}, {"Yulianus", "Yuli"}, {"Frederika", "Rika"}, {"Dominggus", "Minggus"},
			{"Abdul Rahman", "Maman"}, {"Nurhayati", "Yati"}, {"Elisabeth", "Lisa"}, {"Rosalina", "Lina"},
			{"Kornelis", "Nelis"}, {"Septinus", "Tinus"}, {"Agustinus", "Tinus"}, {"Fransiskus", "Frans"},
		};
		for (size_t i = 0; i < NELEM(nick); i++) {
			size_t len = strlen(nick[i][0]);
			if (!strncmp(p->name, nick[i][0], len) && p->name[len] == ' ') {
				char tmp[FIELD];
				snprintf(tmp, sizeof(tmp), "%s \"%s\"%s", nick[i][0], nick[i][1], p->name + len);
				memcpy(w->f[C_NAME], tmp, sizeof(tmp));
				break;
			}
		}
	}
	if (p->upper)
		str_upper(w->f[C_NAME]);
	snprintf(w->f[C_PLACE], FIELD, "%s", p->place);
	if (p->upper && rng_pm(r, 800))
		str_upper(w->f[C_PLACE]);
	format_date(g, w->f[C_DATE], FIELD, p->by, p->bm, p->bd);
	if (rng_pm(r, 40))
		snprintf(w->f[C_SEX], FIELD, "%s", p->sex == SEX_L ? "Laki-laki" : "Perempuan");
	else
		snprintf(w->f[C_SEX], FIELD, "%s", p->sex == SEX_L ? "L" : "P");
	make_address(g, w->f[C_ADDR], p);
	make_kelurahan(g, w->f[C_KEL], kel);
	snprintf(w->f[C_HP], FIELD, "%s", rng_pm(r, 100) ? "" : p->phone);
	make_work(g, p, kel, ds, w->f[C_JOB], w->f[C_WORK]);
	format_income(g, w->f[C_INCOME], FIELD, p->income);
	if (d != D_NONE)
		apply_defect(g, w, p, ds, d);
}

static void write_field(FILE *out, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, out);
		return;
	}
	putc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			putc('"', out);
		putc(*s, out);
	}
	putc('"', out);
}

void write_row(FILE *out, const struct row *w)
{
	for (int i = 0; i < NCOL; i++) {
		if (i)
			putc(',', out);
		write_field(out, w->f[i]);
	}
	fputs("\r\n", out);
}

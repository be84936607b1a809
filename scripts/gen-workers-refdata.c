/*
 * gen-workers-refdata.c: gen-workers' small utilities, its random numbers (xoshiro256** seeded by
 * splitmix64, the same on every platform) and the reference data it reads: regions and regencies.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen-workers.h"

/* ---- small utilities ---- */

void die(int status, const char *fmt, ...)
{
	va_list ap;
	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (status == 2)
		fputs("try '" PROG " --help'\n", stderr);
	exit(status);
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		die(1, "out of memory");
	return q;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(xrealloc(NULL, n), s, n);
}

int is_digit(int c) { return c >= '0' && c <= '9'; }
static int to_upper(int c) { return c >= 'a' && c <= 'z' ? c - 32 : c; }
static int to_lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

void str_upper(char *s)
{
	for (; *s; s++)
		*s = (char)to_upper((unsigned char)*s);
}

void str_lower(char *s)
{
	for (; *s; s++)
		*s = (char)to_lower((unsigned char)*s);
}

/* capitals at the start of each word, the rest lower case: "KAB. MERAUKE" -> "Kab. Merauke" */
void str_title(char *s)
{
	int start = 1;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		*s = (char)(start ? to_upper(c) : to_lower(c));
		start = c == ' ' || c == '-' || c == '.' || c == '/' || c == '(';
	}
}

static int str_ieq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (to_lower((unsigned char)*a) != to_lower((unsigned char)*b))
			return 0;
	return *a == *b;
}

/* copies s into out (size n), replacing the first occurrence of from by to; 0 when from is absent */
int str_replace1(char *out, size_t n, const char *s, const char *from, const char *to)
{
	const char *at = strstr(s, from);
	if (!at)
		return 0;
	snprintf(out, n, "%.*s%s%s", (int)(at - s), s, to, at + strlen(from));
	return 1;
}

int days_in_month(int y, int m)
{
	static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dim[m - 1];
}

/* ---- random numbers: xoshiro256** seeded by splitmix64, identical on every platform ---- */

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void rng_seed(struct rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

/* uniform in 0..n-1 without modulo bias (Lemire) */
uint32_t rng_below(struct rng *r, uint32_t n)
{
	uint64_t m = (rng_next(r) >> 32) * n;
	uint32_t low = (uint32_t)m;
	if (low < n) {
		uint32_t t = (0u - n) % n;
		while (low < t) {
			m = (rng_next(r) >> 32) * n;
			low = (uint32_t)m;
		}
	}
	return (uint32_t)(m >> 32);
}

int rng_range(struct rng *r, int lo, int hi) { return lo + (int)rng_below(r, (uint32_t)(hi - lo + 1)); }

/* true with probability permille/1000 */
int rng_pm(struct rng *r, int permille) { return (int)rng_below(r, 1000) < permille; }

int rng_weighted(struct rng *r, const int *w, int n)
{
	int total = 0, i;
	for (i = 0; i < n; i++)
		total += w[i];
	int x = (int)rng_below(r, (uint32_t)total);
	for (i = 0; i < n - 1; i++) {
		if (x < w[i])
			return i;
		x -= w[i];
	}
	return n - 1;
}

const char *list_pick(struct rng *r, const struct list *l) { return l->v[rng_below(r, (uint32_t)l->n)]; }

/* ---- reference data ---- */

static int split_line(char *line, char **code, char **name)
{
	size_t n = strlen(line);
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' '))
		line[--n] = '\0';
	char *comma = strchr(line, ',');
	if (!comma)
		return 0;
	*comma = '\0';
	*code = line;
	char *nm = comma + 1;
	if (*nm == '"') {
		char *w = nm, *s = nm + 1;
		for (; *s; s++) {
			if (*s == '"' && s[1] == '"')
				*w++ = *s++;
			else if (*s != '"')
				*w++ = *s;
		}
		*w = '\0';
	}
	*name = nm;
	return 1;
}

static FILE *open_data(const char *dir, const char *file)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	FILE *f = fopen(path, "r");
	if (!f)
		die(1, "cannot open '%s': %s", path, strerror(errno));
	return f;
}

void data_load(struct data *d, const char *dir)
{
	char line[512], *code, *name;
	size_t cap = 0;
	FILE *f = open_data(dir, "wilayah_kota.csv");
	while (fgets(line, sizeof(line), f)) {
		if (!split_line(line, &code, &name) || !is_digit((unsigned char)code[0]))
			continue;
		int dots = 0;
		for (const char *c = code; *c; c++)
			dots += *c == '.';
		if (dots < 1 || dots > 3 || strlen(code) >= sizeof(d->v->code))
			continue;
		if (d->n == cap) {
			cap = cap ? 2 * cap : 256;
			d->v = xrealloc(d->v, cap * sizeof(*d->v));
		}
		struct place *p = &d->v[d->n++];
		snprintf(p->code, sizeof(p->code), "%s", code);
		snprintf(p->name, sizeof(p->name), "%s", name);
		p->level = dots;
	}
	fclose(f);

	f = open_data(dir, "kabupaten_kota.csv");
	while (fgets(line, sizeof(line), f)) {
		if (!split_line(line, &code, &name))
			continue;
		if (strlen(code) != 4 || !is_digit(code[0]) || !is_digit(code[1]) || !is_digit(code[2]) ||
		    !is_digit(code[3]))
			continue;
		int c = atoi(code);
		if (d->regency[c])
			continue;
		d->regency[c] = 1;
		d->regname[c] = xstrdup(name);
		d->prov_codes[c / 100][d->prov_n[c / 100]++] = c;
	}
	fclose(f);
	if (!d->n)
		die(1, "no region codes in '%s/wilayah_kota.csv'", dir);
	if (!d->prov_n[92] && !d->prov_n[73])
		die(1, "too few regency codes in '%s/kabupaten_kota.csv'", dir);
}

const struct place *data_find(const struct data *d, const char *code, int level)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].level == level && !strcmp(d->v[i].code, code))
			return &d->v[i];
	return NULL;
}

/* the kelurahan of distrik p, in file order */
void distrik_init(struct distrik *ds, const struct data *d, const struct place *p)
{
	size_t len = strlen(p->code);
	ds->p = p;
	ds->num = atoi(p->code + len - 2);
	ds->kel = NULL;
	ds->nkel = 0;
	for (size_t i = 0; i < d->n; i++) {
		const struct place *k = &d->v[i];
		if (k->level == 3 && !strncmp(k->code, p->code, len) && k->code[len] == '.') {
			ds->kel = xrealloc(ds->kel, (ds->nkel + 1) * sizeof(*ds->kel));
			ds->kel[ds->nkel++] = k;
		}
	}
}

int distrik_has_name(const struct distrik *ds, const char *name)
{
	for (size_t i = 0; i < ds->nkel; i++)
		if (str_ieq(ds->kel[i]->name, name))
			return 1;
	return 0;
}

int distrik_has_code(const struct distrik *ds, const char *code)
{
	for (size_t i = 0; i < ds->nkel; i++)
		if (!strcmp(ds->kel[i]->code, code))
			return 1;
	return 0;
}

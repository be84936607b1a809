/*
 * gen-workers: a seeded generator of realistic import CSVs of informal workers ("pekerja rentan")
 * for sinkron's district offices, with deliberate defects and cross-district duplicates on request.
 * Same seed, same bytes. Streaming: rows go out as they are made; memory holds only the NIKs used.
 *
 * usage: gen-workers [--district CODE | --city CODE] [--count N] [--seed S] [--bad FRACTION]
 *                    [--dup FRACTION] [--out FILE|DIR] [--data DIR]
 *
 *   --district 96.71.01  one CSV for that distrik (default 1934 rows) to --out FILE, or stdout
 *   --city 96.71         the default: one CSV per distrik, DIR/workers-<distrik>.csv (DIR from --out,
 *                        default ".", created if missing), 19336 rows in total spread over the distrik
 *                        with seeded uneven weights; 81.71 (Ambon) and 33.75 (Pekalongan) work too
 *   --seed S             unsigned integer, default 1; "gen-workers: seed S" and one summary line per
 *                        file go to stderr
 *   --bad FRACTION       share of rows (0..1, default 0) with exactly one defect each, drawn from:
 *                        NIK of 15 or 17 digits, NIK with a letter, NIK whose first 4 digits are no
 *                        regency code, NIK with an impossible date, empty name, birth date unparseable
 *                        or in the future, sex not L/P, kelurahan not of this distrik, No KK of wrong
 *                        length or with a letter, phone number with letters
 *   --dup FRACTION       city mode only (0..1, default 0.003): share of rows that repeat a worker of
 *                        another distrik's file with the same NIK (the name may be spelt differently)
 *   --data DIR           reference data (wilayah_kota.csv, kabupaten_kota.csv); default SK_DATA_DIR
 *
 * The CSV is what an office spreadsheet saves: comma separated, RFC 4180 quoting, CRLF, UTF-8, header
 *   NIK,No KK,Nama Lengkap,Tempat Lahir,Tanggal Lahir,Jenis Kelamin,Alamat,Kelurahan,No HP,Pekerjaan,
 *   Tempat Kerja,Penghasilan
 * About 2 % of the valid rows carry a NIK whose date or sex disagrees with the recorded birth date or
 * sex (a warning, not an error: a NIK never changes when a birth date is corrected).
 * Ages are 17-70 around 2026 (birth years 1957-2008), fixed so that output never depends on the clock.
 * Exit status: 0 done, 1 reference data unreadable or output not writable, 2 bad usage.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gen-workers.h"

#ifndef SK_DATA_DIR
#define SK_DATA_DIR "schema/data"
#endif

#define DEFAULT_DISTRICT_COUNT 1934
#define DEFAULT_CITY_COUNT 19336
#define MAX_COUNT 10000000UL

static const char header[] = "NIK,No KK,Nama Lengkap,Tempat Lahir,Tanggal Lahir,Jenis Kelamin,Alamat,"
			     "Kelurahan,No HP,Pekerjaan,Tempat Kerja,Penghasilan";

/* ---- files ---- */

/* a worker who appears in two files: the person, the file they first appear in and the second one */
struct dup {
	struct person p;
	size_t a, b;
};

struct plan {
	size_t rows;     /* rows of this file */
	size_t *special; /* dup indices, shuffled; + ndup for the second appearance */
	size_t nspecial;
};

struct summary {
	size_t rows, bad, dups;
};

static void write_file(struct gen *g, FILE *out, size_t di, const struct plan *pl, const struct dup *dups, size_t ndup,
		       double bad, struct summary *sum)
{
	const struct distrik *ds = &g->dis[di];
	struct row w;
	struct person p;
	size_t fresh = pl->rows - pl->nspecial, nbad = (size_t)((double)pl->rows * bad + 0.5), next = 0;
	if (nbad > fresh)
		nbad = fresh;
	memset(sum, 0, sizeof(*sum));
	fputs(header, out);
	fputs("\r\n", out);
	for (size_t i = 0; i < pl->rows; i++) {
		size_t left = pl->rows - i, sp_left = pl->nspecial - next;
		if (sp_left && rng_below(&g->rng, (uint32_t)left) < sp_left) {
			size_t k = pl->special[next++];
			p = dups[k % ndup].p;
			if (k >= ndup) {
				respell(g, &p);
				p.job = pick_job(g, &p, ds);
				sum->dups++;
			}
			build_row(g, &w, &p, ds, D_NONE);
		} else {
			size_t fresh_left = left - sp_left;
			int is_bad = rng_below(&g->rng, (uint32_t)fresh_left) < nbad;
			enum defect d = is_bad ? (enum defect)rng_below(&g->rng, NDEFECT) : D_NONE;
			if (is_bad) {
				nbad--;
				sum->bad++;
			}
			make_person(g, &p, ds, !is_bad && rng_pm(&g->rng, 20));
			build_row(g, &w, &p, ds, d);
		}
		write_row(out, &w);
	}
	sum->rows = pl->rows;
}

static void mkdir_p(const char *dir)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s", dir);
	for (char *s = path + 1;; s++) {
		if (*s == '/' || !*s) {
			char c = *s;
			*s = '\0';
			if (mkdir(path, 0777) && errno != EEXIST)
				die(1, "cannot create '%s': %s", path, strerror(errno));
			if (!c)
				break;
			*s = c;
		}
	}
	struct stat st;
	if (stat(dir, &st) || !S_ISDIR(st.st_mode))
		die(1, "'%s' is not a directory", dir);
}

static void finish_file(FILE *f, const char *path)
{
	if (fflush(f) || ferror(f) || (f != stdout && fclose(f)))
		die(1, "cannot write '%s': %s", path, strerror(errno));
}

static void report(const char *path, const struct summary *s, int city)
{
	if (city)
		fprintf(stderr, PROG ": %s: %zu rows, %zu bad, %zu duplicates of another distrik\n", path, s->rows, s->bad, s->dups);
	else
		fprintf(stderr, PROG ": %s: %zu rows, %zu bad\n", path, s->rows, s->bad);
}

static void gen_release(struct gen *g)
{
	for (size_t i = 0; i < g->ndis; i++)
		free(g->dis[i].kel);
	free(g->dis);
	free(g->seen.v);
}

static void data_release(struct data *d)
{
	free(d->v);
	for (int i = 0; i < 10000; i++)
		free(d->regname[i]);
}

/* ---- command line ---- */

static void usage(FILE *f)
{
	fputs("usage: " PROG " [--district CODE | --city CODE] [--count N] [--seed S] [--bad FRACTION]\n"
	      "                   [--dup FRACTION] [--out FILE|DIR] [--data DIR]\n"
	      "\n"
	      "Writes realistic, seeded CSV files of informal workers to import into sinkron.\n"
	      "\n"
	      "  --district CODE  one file for that distrik (e.g. 96.71.01), to --out FILE or stdout;\n"
	      "                   default count 1934\n"
	      "  --city CODE      the default (96.71): one file per distrik of the city (96.71, 81.71, 33.75),\n"
	      "                   DIR/workers-<distrik>.csv with DIR from --out (default ., created if\n"
	      "                   missing); default count 19336 in total, spread unevenly over the distrik\n"
	      "  --count N        rows (in city mode: in total)\n"
	      "  --seed S         unsigned integer, default 1; the same seed gives the same bytes\n"
	      "  --bad FRACTION   share of rows (0..1, default 0) with exactly one defect each: NIK of 15 or\n"
	      "                   17 digits, NIK with a letter, NIK with an unknown regency code or an\n"
	      "                   impossible date, empty name, birth date unparseable or in the future, sex\n"
	      "                   not L/P, kelurahan not of this distrik, No KK of wrong length or with a\n"
	      "                   letter, phone number with letters\n"
	      "  --dup FRACTION   city mode: share of rows (0..1, default 0.003) repeating, with the same\n"
	      "                   NIK, a worker of another distrik's file (these rows are never bad)\n"
	      "  --out FILE|DIR   output file (--district; '-' or none: stdout) or directory (--city)\n"
	      "  --data DIR       reference data directory (default " SK_DATA_DIR ")\n"
	      "  --help           this text\n"
	      "\n"
	      "Header: NIK,No KK,Nama Lengkap,Tempat Lahir,Tanggal Lahir,Jenis Kelamin,Alamat,Kelurahan,\n"
	      "        No HP,Pekerjaan,Tempat Kerja,Penghasilan (CRLF, RFC 4180 quoting, UTF-8)\n"
	      "About 2% of valid rows have a NIK whose date or sex disagrees with the recorded ones (a warning).\n"
	      "The seed and one line per file (rows, bad rows) go to stderr.\n"
	      "Exit status: 0 done, 1 data unreadable or output not writable, 2 bad usage.\n",
	      f);
}

static unsigned long long parse_uint(const char *opt, const char *s, unsigned long long max)
{
	char *end;
	if (!is_digit((unsigned char)*s))
		die(2, "%s: '%s' is not a number", opt, s);
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (*end)
		die(2, "%s: '%s' is not a number", opt, s);
	if (errno == ERANGE)
		die(2, "%s: %s is too large", opt, s);
	if (v > max)
		die(2, "%s: %s is too large (at most %llu)", opt, s, max);
	return v;
}

static double parse_fraction(const char *opt, const char *s)
{
	char *end;
	double v = strtod(s, &end);
	if (!*s || *end || !(v >= 0.0 && v <= 1.0))
		die(2, "%s: '%s' is not a fraction between 0 and 1", opt, s);
	return v;
}

static int valid_code(const char *s, int parts)
{
	/* NN.NN or NN.NN.NN */
	size_t len = strlen(s);
	if (len != (size_t)(parts * 3 - 1))
		return 0;
	for (size_t i = 0; i < len; i++)
		if (i % 3 == 2 ? s[i] != '.' : !is_digit((unsigned char)s[i]))
			return 0;
	return 1;
}

int main(int argc, char **argv)
{
	const char *district = NULL, *city = NULL, *out = NULL, *datadir = SK_DATA_DIR;
	unsigned long long count = 0, seed = 1;
	int have_count = 0, have_dup = 0;
	double bad = 0.0, dupf = 0.003;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val = NULL;
		char opt[32];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		}
		if (strncmp(a, "--", 2))
			die(2, "unexpected argument '%s'", a);
		const char *eq = strchr(a, '=');
		snprintf(opt, sizeof(opt), "%.*s", eq ? (int)(eq - a) : (int)strlen(a), a);
		static const char *const known[] = {"--district", "--city", "--count", "--seed", "--bad", "--dup", "--out", "--data"};
		size_t k;
		for (k = 0; k < NELEM(known) && strcmp(opt, known[k]); k++)
			;
		if (k == NELEM(known))
			die(2, "unknown option '%s'", opt);
		if (eq)
			val = eq + 1;
		else if (i + 1 < argc)
			val = argv[++i];
		else
			die(2, "option '%s' needs a value", opt);
		switch (k) {
		case 0: district = val; break;
		case 1: city = val; break;
		case 2: count = parse_uint(opt, val, MAX_COUNT); have_count = 1; break;
		case 3: seed = parse_uint(opt, val, UINT64_MAX); break;
		case 4: bad = parse_fraction(opt, val); break;
		case 5: dupf = parse_fraction(opt, val); have_dup = 1; break;
		case 6: out = val; break;
		default: datadir = val; break;
		}
	}
	if (district && city)
		die(2, "give --district or --city, not both");
	if (district && have_dup)
		die(2, "--dup applies to --city only");
	if (district && !valid_code(district, 3))
		die(2, "'%s' is not a distrik code like 96.71.01", district);
	if (city && !valid_code(city, 2))
		die(2, "'%s' is not a city code like 96.71", city);
	if (!district && !city)
		city = "96.71";

	static struct data data;
	data_load(&data, datadir);

	struct gen g;
	memset(&g, 0, sizeof(g));
	g.data = &data;
	char city_code[8];
	snprintf(city_code, sizeof(city_code), "%.5s", district ? district : city);
	g.city = data_find(&data, city_code, 1);
	if (district && !data_find(&data, district, 2))
		die(2, "unknown distrik code '%s' (not in '%s/wilayah_kota.csv')", district, datadir);
	if (!g.city)
		die(2, "unknown city code '%s' (not in '%s/wilayah_kota.csv')", city_code, datadir);
	g.local = atoi(city_code) * 100 + atoi(city_code + 3);
	for (g.prof = profiles; g.prof->city && strcmp(g.prof->city, city_code); g.prof++)
		;
	for (size_t i = 0; i < data.n; i++)
		if (data.v[i].level == 2 && !strncmp(data.v[i].code, city_code, 5)) {
			g.dis = xrealloc(g.dis, (g.ndis + 1) * sizeof(*g.dis));
			distrik_init(&g.dis[g.ndis], &data, &data.v[i]);
			if (g.dis[g.ndis].nkel)
				g.ndis++;
		}
	if (!g.ndis)
		die(1, "no distrik with kelurahan for '%s' in '%s/wilayah_kota.csv'", city_code, datadir);
	rng_seed(&g.rng, seed);
	fprintf(stderr, PROG ": seed %llu\n", seed);

	struct summary sum;
	if (district) {
		size_t di;
		for (di = 0; di < g.ndis && strcmp(g.dis[di].p->code, district); di++)
			;
		if (di == g.ndis)
			die(2, "distrik '%s' has no kelurahan in '%s/wilayah_kota.csv'", district, datadir);
		struct plan pl = {have_count ? (size_t)count : DEFAULT_DISTRICT_COUNT, NULL, 0};
		char path[4096];
		FILE *f = stdout;
		struct stat st;
		if (!out || !strcmp(out, "-")) {
			snprintf(path, sizeof(path), "<stdout>");
		} else {
			if (!stat(out, &st) && S_ISDIR(st.st_mode))
				snprintf(path, sizeof(path), "%s/workers-%s.csv", out, district);
			else
				snprintf(path, sizeof(path), "%s", out);
			if (!(f = fopen(path, "wb")))
				die(1, "cannot open '%s': %s", path, strerror(errno));
		}
		setvbuf(f, NULL, _IOFBF, 1 << 16);
		write_file(&g, f, di, &pl, NULL, 0, bad, &sum);
		finish_file(f, path);
		report(path, &sum, 0);
		gen_release(&g);
		data_release(&data);
		return 0;
	}

	/* city: uneven shares of the total, by largest remainder */
	size_t total = have_count ? (size_t)count : DEFAULT_CITY_COUNT, nd = g.ndis, given = 0;
	struct plan *plans = xrealloc(NULL, nd * sizeof(*plans));
	uint64_t wsum = 0, *wt = xrealloc(NULL, nd * sizeof(*wt)), *rem = xrealloc(NULL, nd * sizeof(*rem));
	for (size_t i = 0; i < nd; i++)
		wsum += wt[i] = 40 + rng_below(&g.rng, 120);
	for (size_t i = 0; i < nd; i++) {
		plans[i] = (struct plan){(size_t)(total * wt[i] / wsum), NULL, 0};
		rem[i] = total * wt[i] % wsum;
		given += plans[i].rows;
	}
	for (; given < total; given++) {
		size_t best = 0;
		for (size_t i = 1; i < nd; i++)
			if (rem[i] > rem[best])
				best = i;
		plans[best].rows++;
		rem[best] = 0;
	}

	/* duplicates: made first (their NIKs are taken), placed at random rows of two different files */
	size_t ndup = nd > 1 ? (size_t)((double)total * dupf + 0.5) : 0;
	struct dup *dups = xrealloc(NULL, (ndup ? ndup : 1) * sizeof(*dups));
	size_t *cap = xrealloc(NULL, nd * sizeof(*cap)), made = 0;
	int *wa = xrealloc(NULL, nd * sizeof(*wa));
	for (size_t i = 0; i < nd; i++) {
		cap[i] = plans[i].rows;
		plans[i].special = xrealloc(NULL, (plans[i].rows ? plans[i].rows : 1) * sizeof(size_t));
	}
	for (size_t k = 0; k < ndup; k++) {
		size_t a, b, free_files = 0;
		for (size_t i = 0; i < nd; i++)
			free_files += cap[i] > 0;
		if (free_files < 2)
			break;
		for (size_t i = 0; i < nd; i++)
			wa[i] = (int)cap[i];
		a = (size_t)rng_weighted(&g.rng, wa, (int)nd);
		wa[a] = 0;
		b = (size_t)rng_weighted(&g.rng, wa, (int)nd);
		cap[a]--, cap[b]--;
		dups[made].a = a, dups[made].b = b;
		make_person(&g, &dups[made].p, &g.dis[a], rng_pm(&g.rng, 20));
		made++;
	}
	for (size_t k = 0; k < made; k++) {
		plans[dups[k].a].special[plans[dups[k].a].nspecial++] = k;
		plans[dups[k].b].special[plans[dups[k].b].nspecial++] = k + made;
	}
	for (size_t i = 0; i < nd; i++) /* Fisher-Yates, so the first and second appearances mix */
		for (size_t j = plans[i].nspecial; j > 1; j--) {
			size_t r = rng_below(&g.rng, (uint32_t)j), t = plans[i].special[j - 1];
			plans[i].special[j - 1] = plans[i].special[r];
			plans[i].special[r] = t;
		}

	const char *dir = out ? out : ".";
	mkdir_p(dir);
	for (size_t i = 0; i < nd; i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/workers-%s.csv", dir, g.dis[i].p->code);
		FILE *f = fopen(path, "wb");
		if (!f)
			die(1, "cannot open '%s': %s", path, strerror(errno));
		setvbuf(f, NULL, _IOFBF, 1 << 16);
		write_file(&g, f, i, &plans[i], dups, made, bad, &sum);
		finish_file(f, path);
		report(path, &sum, 1);
	}
	for (size_t i = 0; i < nd; i++)
		free(plans[i].special);
	free(plans);
	free(wt);
	free(rem);
	free(dups);
	free(cap);
	free(wa);
	gen_release(&g);
	data_release(&data);
	return 0;
}

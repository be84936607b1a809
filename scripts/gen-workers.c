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

#ifndef SK_DATA_DIR
#define SK_DATA_DIR "schema/data"
#endif

#define PROG "gen-workers"
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define DEFAULT_DISTRICT_COUNT 1934
#define DEFAULT_CITY_COUNT 19336
#define MAX_COUNT 10000000UL
#define REF_YEAR 2026            /* ages are reckoned at 1 January of this year */
#define NCOL 12
#define FIELD 256

static const char header[] = "NIK,No KK,Nama Lengkap,Tempat Lahir,Tanggal Lahir,Jenis Kelamin,Alamat,"
			     "Kelurahan,No HP,Pekerjaan,Tempat Kerja,Penghasilan";

/* ---- small utilities ---- */

static void die(int status, const char *fmt, ...)
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

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		die(1, "out of memory");
	return q;
}

static char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(xrealloc(NULL, n), s, n);
}

static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int to_upper(int c) { return c >= 'a' && c <= 'z' ? c - 32 : c; }
static int to_lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

static void str_upper(char *s)
{
	for (; *s; s++)
		*s = (char)to_upper((unsigned char)*s);
}

static void str_lower(char *s)
{
	for (; *s; s++)
		*s = (char)to_lower((unsigned char)*s);
}

/* capitals at the start of each word, the rest lower case: "KAB. MERAUKE" -> "Kab. Merauke" */
static void str_title(char *s)
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
static int str_replace1(char *out, size_t n, const char *s, const char *from, const char *to)
{
	const char *at = strstr(s, from);
	if (!at)
		return 0;
	snprintf(out, n, "%.*s%s%s", (int)(at - s), s, to, at + strlen(from));
	return 1;
}

static int days_in_month(int y, int m)
{
	static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dim[m - 1];
}

/* ---- random numbers: xoshiro256** seeded by splitmix64, identical on every platform ---- */

struct rng {
	uint64_t s[4];
};

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed)
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
static uint32_t rng_below(struct rng *r, uint32_t n)
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

static int rng_range(struct rng *r, int lo, int hi) { return lo + (int)rng_below(r, (uint32_t)(hi - lo + 1)); }

/* true with probability permille/1000 */
static int rng_pm(struct rng *r, int permille) { return (int)rng_below(r, 1000) < permille; }

static int rng_weighted(struct rng *r, const int *w, int n)
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

#define PICK(r, a) ((a)[rng_below((r), (uint32_t)NELEM(a))])

struct list {
	const char *const *v;
	size_t n;
};
#define LIST(a) {(a), NELEM(a)}

static const char *list_pick(struct rng *r, const struct list *l) { return l->v[rng_below(r, (uint32_t)l->n)]; }

/* ---- reference data ---- */

struct place {
	char code[24]; /* 96.71, 96.71.01 or 96.71.01.1001 */
	char name[80];
	int level;     /* 1 city, 2 distrik, 3 kelurahan */
};

struct distrik {
	const struct place *p;
	int num;                    /* the last two digits, as in a NIK */
	const struct place **kel;
	size_t nkel;
};

struct data {
	struct place *v;
	size_t n;
	unsigned char regency[10000]; /* 1 for every 4-digit code in kabupaten_kota.csv */
	char *regname[10000];
	int prov_codes[100][100];     /* regency codes of each province */
	int prov_n[100];
};

/* splits "kode,nama" (nama maybe quoted); 0 when the line has no comma */
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

static void data_load(struct data *d, const char *dir)
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

static const struct place *data_find(const struct data *d, const char *code, int level)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].level == level && !strcmp(d->v[i].code, code))
			return &d->v[i];
	return NULL;
}

/* the kelurahan of distrik p, in file order */
static void distrik_init(struct distrik *ds, const struct data *d, const struct place *p)
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

static int distrik_has_name(const struct distrik *ds, const char *name)
{
	for (size_t i = 0; i < ds->nkel; i++)
		if (str_ieq(ds->kel[i]->name, name))
			return 1;
	return 0;
}

static int distrik_has_code(const struct distrik *ds, const char *code)
{
	for (size_t i = 0; i < ds->nkel; i++)
		if (!strcmp(ds->kel[i]->code, code))
			return 1;
	return 0;
}

/* ---- who lives where: origin groups, their names and home regions ---- */

enum group { G_PAPUA, G_BUGIS, G_BUTON, G_JAWA, G_AMBON, G_TORAJA, G_BATAK, G_NTT, NGROUP };

static const char *const papua_m[] = {
	"Marthen", "Origenes", "Benyamin", "Yulianus", "Frans", "Yohanis", "Markus", "Yakob", "Petrus",
	"Daniel", "Hendrik", "Obed", "Simon", "Yance", "Zakarias", "Nikolas", "Karel", "Abner", "Demianus",
	"Lukas", "Otniel", "Elias", "Septinus", "Alfons", "Yunus", "Paulus", "Melkias", "Agustinus", "Hans",
	"Robert", "Lambertus", "Soleman", "Izak", "Nataniel", "Yermias", "Musa", "Yosias", "Derek",
};
static const char *const papua_f[] = {
	"Yohana", "Petronela", "Yakomina", "Agustina", "Nelce", "Marice", "Dorkas", "Ribka", "Selfina",
	"Yuliana", "Martha", "Sarlota", "Naomi", "Debora", "Frederika", "Yosina", "Adolfina", "Elisabeth",
	"Rosalina", "Ester", "Orpa", "Mince", "Lea", "Yustina", "Novita", "Lince", "Margaretha", "Hermina",
	"Welmina", "Antoneta", "Yulita", "Kristina",
};
static const char *const papua_fam[] = {
	"Kambu", "Sapisa", "Mayor", "Rumbiak", "Wanma", "Kalami", "Malak", "Mambrasar", "Rumbewas", "Yoku",
	"Ayamiseba", "Korwa", "Sawaki", "Fonataba", "Mandacan", "Ullo", "Howay", "Momot", "Sagrim", "Kareth",
	"Bleskadit", "Klagilit", "Osok", "Kalasuat", "Mobalen", "Kambuaya", "Kocu", "Fatem", "Yumte", "Sawor",
	"Rumbino", "Mansawan", "Rumaropen", "Krey", "Wamafma", "Ansaka", "Msen", "Kafiar", "Rumere",
	"Baransano", "Sanadi", "Idie", "Mambor", "Rumbekwan", "Salosa", "Karubaba", "Awom", "Womsiwor",
};
static const char *const bugis_m[] = {
	"Muhammad Arif", "Abdul Rahman", "Syamsuddin", "Hasanuddin", "Arifin", "Ridwan", "Baharuddin",
	"Jumadi", "Haris", "Muh. Ilham", "Irwan", "Syahrir", "Muhammad Yusuf", "Rahmat", "Sudirman",
	"Amiruddin", "Nasrullah", "Suardi", "Ismail", "Hamzah", "Kamaruddin", "Darwis", "Ahmad Yani",
	"Abd. Kadir", "Mustafa", "Basri", "Syarifuddin", "Jamaluddin", "Muhammad Nur", "Akbar",
};
static const char *const bugis_f[] = {
	"Nurhayati", "Sitti Rahma", "Hasnawati", "Rosmiati", "Nurjannah", "Hasnah", "Sumarni", "Rahmawati",
	"Marlina", "Nurhaedah", "St. Aminah", "Haslinda", "Ratna", "Sahariah", "Nurmiati", "Hj. Nurlaela",
	"Sitti Hawa", "Jumriah", "Rusmini", "Nur'aini", "Fatmawati", "Hasmiah",
};
static const char *const andi_m[] = {"Baso", "Ridwan", "Muhammad Syukur", "Amir", "Fadli", "Arman"};
static const char *const andi_f[] = {"Ratnasari", "Nurul Fitri", "Tenri", "Megawati", "Sitti Aisyah"};
static const char *const laode_m[] = {
	"Muhammad Rahman", "Ahmad", "Abdul Gafur", "Kamaluddin", "Zulkarnain", "Rusdin", "Safaruddin",
	"Hasan", "Muh. Arsyad", "Ma'ruf", "Sahlan", "Yusran",
};
static const char *const la_m[] = {"Ali", "Hamid", "Udu", "Sabara", "Rasidi", "Ane", "Rusi", "Ima", "Jaya", "Nuru"};
static const char *const waode_f[] = {"Nurhayati", "Asma", "Siti Rahmah", "Farida", "Sartina", "Nur'aini", "Hasmia"};
static const char *const wa_f[] = {"Rina", "Ima", "Asia", "Nani", "Nuri", "Sina", "Ode Hamna", "Tia"};
static const char *const jawa_m1[] = {
	"Sugeng", "Slamet", "Budi", "Joko", "Agus", "Eko", "Bambang", "Heru", "Teguh", "Dwi", "Tri", "Ahmad",
	"Imam", "Bayu", "Hadi", "Rudi", "Wahyu", "Yusuf", "Muhammad",
};
static const char *const jawa_m2[] = {
	"Riyadi", "Santoso", "Susilo", "Setiawan", "Prasetyo", "Sutrisno", "Purnomo", "Wibowo", "Cahyono",
	"Fauzi", "Syafi'i", "Hidayat", "Nugroho", "Kurniawan", "Saputro", "Ma'ruf",
};
static const char *const jawa_m[] = {"Suparman", "Supriyadi", "Sutrisno", "Wahyudi", "Paiman", "Sukirno", "Mulyono"};
static const char *const jawa_f1[] = {"Sri", "Siti", "Endang", "Tri", "Dwi", "Puji", "Rini", "Yuli", "Dewi", "Nur", "Eka"};
static const char *const jawa_f2[] = {
	"Wahyuni", "Aminah", "Lestari", "Wulandari", "Handayani", "Rahayu", "Astuti", "Khotimah", "Susanti",
	"Fatimah", "Ningsih", "Purwanti", "Setyowati", "Aini",
};
static const char *const jawa_f[] = {"Sumarni", "Suharti", "Sulastri", "Wahyuningsih", "Suminah", "Painem", "Nur'aini"};
static const char *const ambon_cm[] = {
	"Yohanis", "Jacob", "Johny", "Marthen", "Dominggus", "Pieter", "Abraham", "Semuel", "Rudy",
	"Frederik", "Hendrik", "Ferry", "Stevanus", "Melky",
};
static const char *const ambon_cf[] = {
	"Maria", "Yolanda", "Christina", "Magdalena", "Ribka", "Nona", "Olivia", "Sarah", "Febe", "Merlin",
	"Jeane", "Helena",
};
static const char *const ambon_cfam[] = {
	"Pattiasina", "Tuhumury", "Latuihamallo", "Sahetapy", "Matulessy", "Leiwakabessy", "Pattiradjawane",
	"Souisa", "Tuanakotta", "Lewerissa", "Wattimena", "Pelupessy", "Sopacua", "Lekatompessy", "Manuhutu",
	"Siahaya", "Titaley",
};
static const char *const ambon_mm[] = {"Abdullah", "Hasan", "Ahmad", "Umar", "Ali", "Rizal", "Fadli", "Ismail", "Rusdi", "Saleh"};
static const char *const ambon_mf[] = {"Fatima", "Nurlela", "Saida", "Halima", "Aisyah", "Rosdiana", "Fauziah", "Nur'aini"};
static const char *const ambon_mfam[] = {
	"Latuconsina", "Tuasikal", "Ohorella", "Marasabessy", "Tuanaya", "Lessy", "Sangadji", "Wailissa",
};
static const char *const toraja_m[] = {"Yohanis", "Yulius", "Marthen", "Daniel", "Petrus", "Simon", "Kornelius", "Samuel", "Matius"};
static const char *const toraja_f[] = {"Agustina", "Yuliana", "Maria", "Ester", "Dorce", "Lince", "Rosmina", "Marlin"};
static const char *const toraja_fam[] = {
	"Paembonan", "Palimbong", "Pakiding", "Tandirerung", "Tangdilintin", "Sarira", "Rante Allo", "Sampe",
	"Pasolang", "Lembang", "Kalua", "Tandi",
};
static const char *const batak_m[] = {"Robert", "Hotman", "Jhonson", "Lamhot", "Maruli", "Parlindungan", "Saut", "Togar", "Poltak", "Binsar", "Sahat"};
static const char *const batak_f[] = {"Rosmawati", "Tiurma", "Tiarma", "Rosdiana", "Lasmaria", "Rumondang", "Nurmala", "Hotmaida", "Dame"};
static const char *const batak_fam[] = {
	"Simanjuntak", "Siregar", "Hutapea", "Sinaga", "Nainggolan", "Pardede", "Situmorang", "Manurung",
	"Silalahi", "Sitompul", "Panjaitan", "Simatupang", "Hutagalung", "Napitupulu", "Tampubolon", "Sihombing",
};
static const char *const ntt_m[] = {
	"Yosef", "Fransiskus", "Yohanes", "Agustinus", "Kornelis", "Dominggus", "Yakobus", "Anselmus",
	"Benediktus", "Ferdinandus", "Aloysius", "Gabriel", "Stefanus", "Melkianus", "Yeremias",
};
static const char *const ntt_f[] = {
	"Maria", "Maria Goreti", "Yuliana", "Theresia", "Veronika", "Maria Yasinta", "Yustina", "Imelda",
	"Katarina", "Bernadeta", "Florentina", "Agnes",
};
static const char *const ntt_fam[] = {
	"Fanggidae", "Ndun", "Bessie", "Manafe", "Tanone", "Radja", "Koten", "Mau", "Lake", "Da Costa",
	"Fernandez", "Bria", "Nenobais", "Neno", "Kolo", "Tefa", "Seran", "Nahak", "Bere",
};

/* towns people name as birth place, by regency; other regencies use the regency's own name */
static const struct {
	int code;
	const char *town;
} towns[] = {
	{9101, "Merauke"}, {9102, "Wamena"}, {9103, "Sentani"}, {9104, "Nabire"}, {9105, "Serui"},
	{9106, "Biak"}, {9109, "Timika"}, {9171, "Jayapura"}, {9201, "Sorong"}, {9202, "Manokwari"},
	{9203, "Fakfak"}, {9204, "Teminabuan"}, {9205, "Raja Ampat"}, {9206, "Bintuni"}, {9207, "Wasior"},
	{9208, "Kaimana"}, {9209, "Sausapor"}, {9210, "Ayamaru"}, {9271, "Sorong"}, {9401, "Nabire"},
	{9404, "Timika"}, {9501, "Wamena"}, {9601, "Aimas"}, {9602, "Teminabuan"}, {9603, "Waisai"},
	{9604, "Sausapor"}, {9605, "Ayamaru"}, {9671, "Sorong"}, {7371, "Makassar"}, {7308, "Bone"},
	{7313, "Sengkang"}, {7372, "Parepare"}, {7314, "Sidrap"}, {7315, "Pinrang"}, {7302, "Bulukumba"},
	{7306, "Gowa"}, {7309, "Maros"}, {7373, "Palopo"}, {7318, "Makale"}, {7326, "Rantepao"},
	{7404, "Pasarwajo"}, {7472, "Baubau"}, {7403, "Raha"}, {7407, "Wakatobi"}, {7471, "Kendari"},
	{7410, "Buton"}, {7413, "Muna"}, {7414, "Buton"}, {7415, "Buton"},
	{8171, "Ambon"}, {8101, "Masohi"}, {8172, "Tual"}, {8104, "Namlea"}, {8106, "Piru"},
	{8102, "Langgur"}, {8271, "Ternate"}, {8272, "Tidore"}, {8204, "Labuha"}, {3578, "Surabaya"},
	{3573, "Malang"}, {3571, "Kediri"}, {3506, "Kediri"}, {3510, "Banyuwangi"}, {3509, "Jember"},
	{3505, "Blitar"}, {3572, "Blitar"}, {3374, "Semarang"}, {3372, "Solo"}, {3375, "Pekalongan"},
	{3326, "Pekalongan"}, {3376, "Tegal"}, {3328, "Tegal"}, {3310, "Klaten"}, {5371, "Kupang"},
	{5301, "Kupang"}, {5308, "Ende"}, {5307, "Maumere"}, {5304, "Atambua"}, {5306, "Larantuka"},
	{5310, "Ruteng"}, {5302, "Soe"}, {5311, "Waingapu"}, {5305, "Kalabahi"}, {1271, "Medan"},
	{1272, "Pematangsiantar"}, {1202, "Tarutung"}, {1212, "Balige"}, {1273, "Sibolga"},
};

static const char *const papua_towns[] = {
	"Sorong", "Aimas", "Manokwari", "Teminabuan", "Raja Ampat", "Fakfak", "Ayamaru", "Biak", "Serui",
	"Kaimana", "Bintuni", "Jayapura", "Makbon", "Klamono", "Sausapor", "Waisai",
};

static const int buton_codes[] = {7404, 7472, 7403, 7407, 7410, 7413, 7414, 7415};
static const int toraja_codes[] = {7318, 7326};
static const int batak_codes[] = {1202, 1212, 1216, 1217, 1208, 1272, 1271, 1273, 1206, 1211};

/* ---- per-city flavour: where people come from, streets, markets ---- */

struct weight {
	int prov, w;
};

struct profile {
	const char *city;        /* NULL: the fallback for a city without its own profile */
	const char *place;       /* birth place of people born in the city */
	const char *old_prefix;  /* regency code before a split (9271 for Kota Sorong), or NULL */
	int old_pct, new_pct;    /* shares of NIKs with the old and the current code; the rest migrants */
	int local_group[NGROUP]; /* origins of people with a local NIK */
	const struct weight *migr;
	size_t nmigr;
	struct list streets, markets, vendors, ojek, fish, farms, parking, churches, mosques;
	const char *dinas;       /* municipal cleaning service */
	const char *coastal;     /* distrik numbers where fishing is common, e.g. "04 10" */
	const char *rural;       /* distrik numbers where farming is common */
	int mama_papua;          /* Mama-Mama Papua sellers */
};

static const struct weight sorong_migr[] = {
	{73, 22}, {74, 14}, {81, 12}, {82, 5}, {33, 9}, {35, 10}, {53, 9}, {91, 4},
	{92, 6}, {94, 2}, {95, 1}, {96, 3}, {12, 2}, {72, 1},
};
static const char *const sorong_streets[] = {
	"Jl. Basuki Rahmat", "Jl. Sungai Maruni", "Jl. Ahmad Yani", "Jl. Jenderal Sudirman",
	"Jl. Sam Ratulangi", "Jl. Yos Sudarso", "Jl. Selat Sagawin", "Jl. Pendidikan", "Jl. Kalimantan",
	"Jl. Danau Ayamaru", "Jl. Frans Kaisiepo", "Jl. Arfak", "Jl. Cenderawasih", "Jl. Kasuari",
	"Jl. Merpati", "Jl. Sungai Kamundan", "Jl. Sungai Mamberamo", "Jl. Victory", "Jl. Malibela",
	"Jl. Pramuka", "Jl. Kanal Victory", "Jl. Bubara", "Jl. Rajawali", "Jl. Trikora", "Jl. Baru",
	"Kompleks Pasar Remu", "Kompleks Perumnas", "Kompleks Bambu Kuning", "Kompleks Pelabuhan",
};
static const char *const sorong_markets[] = {"Pasar Remu", "Pasar Boswesen", "Pasar Modern Rufei", "Pasar Sentral Remu"};
static const char *const sorong_vendors[] = {"Tembok Berlin", "Depan Pasar Remu", "Terminal Remu", "Jl. Ahmad Yani", "Pinggir Jl. Basuki Rahmat"};
static const char *const sorong_ojek[] = {
	"Pangkalan Ojek Pasar Remu", "Pangkalan Ojek Terminal Remu", "Pangkalan Ojek Bandara DEO",
	"Pangkalan Ojek Pelabuhan Sorong", "Pangkalan Ojek Km 10", "Pangkalan Ojek Km 12",
	"Pangkalan Ojek Rufei", "Pangkalan Ojek Boswesen", "Pangkalan Ojek Malanu",
};
static const char *const sorong_fish[] = {
	"Pelabuhan Perikanan Nusantara Sorong", "Tempat Pendaratan Ikan Jembatan Puri",
	"Tempat Pendaratan Ikan Klademak", "Tempat Pendaratan Ikan Rufei", "Pesisir Pulau Doom",
	"Pelabuhan Perikanan Sorong",
};
static const char *const sorong_farms[] = {"Kebun Sendiri", "Kebun Km 12", "Kebun Klasabi", "Kebun Malaingkedi", "Kebun Klablim", "Ladang Sendiri"};
static const char *const sorong_parking[] = {
	"Parkiran Pasar Remu", "Parkiran Pasar Boswesen", "Parkiran Jl. Ahmad Yani", "Parkiran Pelabuhan Sorong",
	"Parkiran Tembok Berlin",
};
static const char *const sorong_churches[] = {
	"Gereja GKI Maranatha", "Gereja GKI Imanuel", "Gereja GKI Betlehem", "Gereja GKI Elim",
	"Gereja Katolik Santo Yosep", "Gereja Bethel Indonesia",
};
static const char *const common_mosques[] = {"Masjid Al-Ikhlas", "Masjid Nurul Huda", "Masjid At-Taqwa", "Masjid Al-Falah", "Masjid Baitul Rahman"};

static const struct weight ambon_migr[] = {
	{74, 25}, {73, 20}, {82, 15}, {81, 15}, {33, 8}, {35, 7}, {53, 5}, {92, 3}, {91, 2},
};
static const char *const ambon_streets[] = {
	"Jl. A.Y. Patty", "Jl. Sultan Hairun", "Jl. Dr. Latumeten", "Jl. Jenderal Sudirman", "Jl. Pattimura",
	"Jl. Said Perintah", "Jl. Diponegoro", "Jl. Tulukabessy", "Jl. Kapitan Ulupaha", "Jl. Laksdya Leo Wattimena",
};
static const char *const ambon_markets[] = {"Pasar Mardika", "Pasar Batu Merah", "Pasar Passo"};
static const char *const ambon_vendors[] = {"Depan Pasar Mardika", "Terminal Mardika", "Jl. A.Y. Patty", "Pantai Losari Ambon"};
static const char *const ambon_ojek[] = {"Pangkalan Ojek Mardika", "Pangkalan Ojek Batu Merah", "Pangkalan Ojek Passo", "Pangkalan Ojek Galala"};
static const char *const ambon_fish[] = {"Pelabuhan Perikanan Nusantara Ambon", "Tempat Pendaratan Ikan Eri", "Pesisir Latuhalat", "Tempat Pendaratan Ikan Galala"};
static const char *const ambon_farms[] = {"Kebun Sendiri", "Kebun Soya", "Dusun Hutumury", "Kebun Naku"};
static const char *const ambon_parking[] = {"Parkiran Pasar Mardika", "Parkiran Jl. A.Y. Patty", "Parkiran Pelabuhan Yos Sudarso"};
static const char *const ambon_churches[] = {"Gereja Protestan Maluku Silo", "Gereja Protestan Maluku Rehoboth", "Gereja Katolik Santo Fransiskus Xaverius"};

static const struct weight pkl_migr[] = {{33, 55}, {35, 12}, {32, 12}, {31, 6}, {34, 6}, {36, 4}, {73, 3}, {12, 2}};
static const char *const pkl_streets[] = {
	"Jl. Hayam Wuruk", "Jl. Dr. Wahidin", "Jl. Merdeka", "Jl. KH Mansyur", "Jl. Gajah Mada",
	"Jl. Sultan Agung", "Jl. Jlamprang", "Jl. Pattimura", "Jl. Sriwijaya",
};
static const char *const pkl_markets[] = {"Pasar Banjarsari", "Pasar Grogolan", "Pasar Podosugih", "Pasar Kraton"};
static const char *const pkl_vendors[] = {"Alun-Alun Pekalongan", "Depan Stasiun Pekalongan", "Jl. Hayam Wuruk"};
static const char *const pkl_ojek[] = {"Pangkalan Ojek Stasiun Pekalongan", "Pangkalan Ojek Pasar Banjarsari", "Pangkalan Ojek Terminal Pekalongan"};
static const char *const pkl_fish[] = {"Pelabuhan Perikanan Nusantara Pekalongan", "Tempat Pelelangan Ikan Pekalongan", "Pesisir Panjang Wetan"};
static const char *const pkl_farms[] = {"Sawah Sendiri", "Sawah Degayu", "Sawah Kuripan"};
static const char *const pkl_parking[] = {"Parkiran Pasar Banjarsari", "Parkiran Alun-Alun", "Parkiran Jl. Hayam Wuruk"};
static const char *const pkl_churches[] = {"Gereja Kristen Jawa Pekalongan", "Gereja Katolik Santo Petrus"};

static const struct profile profiles[] = {
	{"96.71", "Sorong", "9271", 45, 35, {50, 14, 10, 12, 6, 3, 2, 3}, sorong_migr, NELEM(sorong_migr),
	 LIST(sorong_streets), LIST(sorong_markets), LIST(sorong_vendors), LIST(sorong_ojek), LIST(sorong_fish),
	 LIST(sorong_farms), LIST(sorong_parking), LIST(sorong_churches), LIST(common_mosques),
	 "Dinas Lingkungan Hidup Kota Sorong", "03 04 07 10", "02 08 09", 1},
	{"81.71", "Ambon", NULL, 0, 80, {0, 8, 14, 3, 72, 1, 1, 1}, ambon_migr, NELEM(ambon_migr),
	 LIST(ambon_streets), LIST(ambon_markets), LIST(ambon_vendors), LIST(ambon_ojek), LIST(ambon_fish),
	 LIST(ambon_farms), LIST(ambon_parking), LIST(ambon_churches), LIST(common_mosques),
	 "Dinas Lingkungan Hidup dan Persampahan Kota Ambon", "01 04", "03 05", 0},
	{"33.75", "Pekalongan", NULL, 0, 82, {0, 0, 0, 100, 0, 0, 0, 0}, pkl_migr, NELEM(pkl_migr),
	 LIST(pkl_streets), LIST(pkl_markets), LIST(pkl_vendors), LIST(pkl_ojek), LIST(pkl_fish),
	 LIST(pkl_farms), LIST(pkl_parking), LIST(pkl_churches), LIST(common_mosques),
	 "Dinas Lingkungan Hidup Kota Pekalongan", "03", "04", 0},
	{NULL, NULL, NULL, 0, 80, {50, 14, 10, 12, 6, 3, 2, 3}, sorong_migr, NELEM(sorong_migr),
	 LIST(sorong_streets), LIST(sorong_markets), LIST(sorong_vendors), LIST(sorong_ojek), LIST(sorong_fish),
	 LIST(sorong_farms), LIST(sorong_parking), LIST(sorong_churches), LIST(common_mosques),
	 "Dinas Lingkungan Hidup", "", "", 0},
};

/* ---- jobs ---- */

enum job { J_PASAR, J_PKL, J_MAMA, J_OJEK, J_NELAYAN, J_PETANI, J_HONORER, J_BANGUNAN, J_PARKIR, J_BERSIH, J_RELIGI, NJOB };
static const int job_weight[NJOB] = {22, 5, 10, 20, 10, 8, 9, 6, 4, 4, 2};

/* ---- the generator ---- */

struct nikset {
	uint64_t *v;
	size_t cap, n;
};

static uint64_t hash64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

/* adds nik (non-zero); 0 when it was there already */
static int nikset_add(struct nikset *s, uint64_t nik)
{
	if (2 * (s->n + 1) > s->cap) {
		struct nikset old = *s;
		s->cap = old.cap ? 2 * old.cap : 1 << 15;
		s->v = calloc(s->cap, sizeof(*s->v));
		if (!s->v)
			die(1, "out of memory");
		s->n = 0;
		for (size_t i = 0; i < old.cap; i++)
			if (old.v[i])
				nikset_add(s, old.v[i]);
		free(old.v);
	}
	size_t i = (size_t)hash64(nik) & (s->cap - 1);
	for (; s->v[i]; i = (i + 1) & (s->cap - 1))
		if (s->v[i] == nik)
			return 0;
	s->v[i] = nik;
	s->n++;
	return 1;
}

struct gen {
	struct rng rng;
	const struct data *data;
	const struct profile *prof;
	const struct place *city;
	struct distrik *dis;
	size_t ndis;
	int local;              /* the city's regency code, e.g. 9671 */
	struct nikset seen;
};

enum { SEX_L, SEX_P };

struct person {
	char nik[64];
	char kk[64];
	char name[112];         /* title case, as the name is; the row decides the case it is typed in */
	char place[48];
	int nik_y, nik_m, nik_d, nik_sex; /* as coded in the NIK */
	int by, bm, bd, sex;    /* as recorded: differs from the NIK for the warning cases */
	enum group group;
	int muslim, upper;
	enum job job;
	char phone[24];
	int income;
	int origin_distrik;     /* for duplicates: index of the first file */
};

static const char *town_of(const struct data *d, int code, char *buf, size_t n)
{
	for (size_t i = 0; i < NELEM(towns); i++)
		if (towns[i].code == code)
			return towns[i].town;
	const char *nm = d->regname[code] ? d->regname[code] : "Sorong";
	static const char *const strip[] = {"Kabupaten Administrasi ", "Kota Administrasi ", "Kabupaten ", "Kota ", "KAB. ", "KOTA "};
	for (size_t i = 0; i < NELEM(strip); i++)
		if (!strncmp(nm, strip[i], strlen(strip[i]))) {
			nm += strlen(strip[i]);
			break;
		}
	snprintf(buf, n, "%s", nm);
	str_title(buf);
	return buf;
}

/* a regency of province prov, never the city's own codes */
static int pick_regency(struct gen *g, int prov)
{
	const struct data *d = g->data;
	if (!d->prov_n[prov])
		prov = 73;
	for (int tries = 0; tries < 50; tries++) {
		int c = d->prov_codes[prov][rng_below(&g->rng, (uint32_t)d->prov_n[prov])];
		if (c != g->local && !(g->prof->old_prefix && c == atoi(g->prof->old_prefix)))
			return c;
	}
	return d->prov_codes[prov][0];
}

static int pick_code(struct gen *g, const int *codes, size_t n)
{
	for (int tries = 0; tries < 20; tries++) {
		int c = codes[rng_below(&g->rng, (uint32_t)n)];
		if (g->data->regency[c] && c != g->local)
			return c;
	}
	return pick_regency(g, codes[0] / 100);
}

/* a home regency for someone of group gr */
static int group_regency(struct gen *g, enum group gr)
{
	static const int papua[] = {92, 92, 92, 96, 96, 91, 94, 95};
	static const int bugis[] = {73, 73, 73, 73, 74, 72};
	static const int jawa[] = {33, 35, 35, 32};
	switch (gr) {
	case G_PAPUA: return pick_regency(g, PICK(&g->rng, papua));
	case G_BUGIS: {
		int c;
		do
			c = pick_regency(g, PICK(&g->rng, bugis));
		while (c == 7318 || c == 7326);
		return c;
	}
	case G_BUTON: return pick_code(g, buton_codes, NELEM(buton_codes));
	case G_JAWA: return pick_regency(g, PICK(&g->rng, jawa));
	case G_AMBON: return pick_regency(g, 81);
	case G_TORAJA: return pick_code(g, toraja_codes, NELEM(toraja_codes));
	case G_BATAK: return pick_code(g, batak_codes, NELEM(batak_codes));
	case G_NTT: return pick_regency(g, 53);
	default: return pick_regency(g, 73);
	}
}

/* the origin group of a migrant registered in regency code */
static enum group group_of_regency(struct gen *g, int code)
{
	int prov = code / 100, x = (int)rng_below(&g->rng, 100);
	switch (prov) {
	case 73: return code == 7318 || code == 7326 ? G_TORAJA : G_BUGIS;
	case 74: return x < 65 ? G_BUTON : G_BUGIS;
	case 81: return x < 75 ? G_AMBON : G_BUTON;
	case 82: return x < 40 ? G_AMBON : x < 70 ? G_BUTON : G_BUGIS;
	case 53: return G_NTT;
	case 12: return G_BATAK;
	case 72: return G_BUGIS;
	case 91: case 92: case 94: case 95: case 96: return G_PAPUA;
	default: return G_JAWA;
	}
}

static void make_name(struct gen *g, struct person *p)
{
	struct rng *r = &g->rng;
	int f = p->sex == SEX_P;
	char *o = p->name;
	size_t n = sizeof(p->name);
	switch (p->group) {
	case G_PAPUA: {
		const char *given = f ? PICK(r, papua_f) : PICK(r, papua_m), *fam = PICK(r, papua_fam);
		int x = (int)rng_below(r, 10);
		if (x < 6)
			snprintf(o, n, "%s %s", given, fam);
		else if (x < 8) {
			const char *second;
			do
				second = f ? PICK(r, papua_f) : PICK(r, papua_m);
			while (second == given);
			snprintf(o, n, "%s %s %s", given, second, fam);
		}
		else
			snprintf(o, n, "%s %c. %s", given, "ABDEFHJKLMNOPRSWY"[rng_below(r, 17)], fam);
		break;
	}
	case G_BUGIS:
		if (rng_pm(r, 150))
			snprintf(o, n, "Andi %s", f ? PICK(r, andi_f) : PICK(r, andi_m));
		else
			snprintf(o, n, "%s", f ? PICK(r, bugis_f) : PICK(r, bugis_m));
		break;
	case G_BUTON:
		if (rng_pm(r, 550))
			snprintf(o, n, "%s %s", f ? "Wa Ode" : "La Ode", f ? PICK(r, waode_f) : PICK(r, laode_m));
		else
			snprintf(o, n, "%s %s", f ? "Wa" : "La", f ? PICK(r, wa_f) : PICK(r, la_m));
		break;
	case G_JAWA:
		if (rng_pm(r, 300))
			snprintf(o, n, "%s", f ? PICK(r, jawa_f) : PICK(r, jawa_m));
		else
			snprintf(o, n, "%s %s", f ? PICK(r, jawa_f1) : PICK(r, jawa_m1), f ? PICK(r, jawa_f2) : PICK(r, jawa_m2));
		break;
	case G_AMBON:
		if (p->muslim)
			snprintf(o, n, "%s %s", f ? PICK(r, ambon_mf) : PICK(r, ambon_mm), PICK(r, ambon_mfam));
		else
			snprintf(o, n, "%s %s", f ? PICK(r, ambon_cf) : PICK(r, ambon_cm), PICK(r, ambon_cfam));
		break;
	case G_TORAJA:
		snprintf(o, n, "%s %s", f ? PICK(r, toraja_f) : PICK(r, toraja_m), PICK(r, toraja_fam));
		break;
	case G_BATAK:
		snprintf(o, n, "%s %s", f ? PICK(r, batak_f) : PICK(r, batak_m), PICK(r, batak_fam));
		break;
	default:
		snprintf(o, n, "%s %s", f ? PICK(r, ntt_f) : PICK(r, ntt_m), PICK(r, ntt_fam));
		break;
	}
	/* phones autocorrect the apostrophe in Ma'ruf or Nur'aini now and then */
	char *q = strchr(o, '\'');
	if (q && rng_pm(r, 250) && strlen(o) + 3 < n) {
		memmove(q + 3, q + 1, strlen(q + 1) + 1);
		memcpy(q, "\xE2\x80\x99", 3);
	}
}

/* the NIK's last ten digits' worth: registered district, birth date, serial; unique across all files */
static void make_nik(struct gen *g, struct person *p, int prefix, int district)
{
	for (int tries = 0;; tries++) {
		int serial = rng_pm(&g->rng, 700) ? rng_range(&g->rng, 1, 300) : rng_range(&g->rng, 1, 9999);
		if (tries > 100) { /* this date is crowded: another day of the month will do */
			if (p->bd == p->nik_d && p->bm == p->nik_m && p->by == p->nik_y)
				p->bd = p->nik_d = rng_range(&g->rng, 1, days_in_month(p->nik_y, p->nik_m));
			else
				p->nik_d = rng_range(&g->rng, 1, days_in_month(p->nik_y, p->nik_m));
		}
		snprintf(p->nik, sizeof(p->nik), "%04d%02d%02d%02d%02d%04d", prefix, district,
			 p->nik_d + (p->nik_sex == SEX_P ? 40 : 0), p->nik_m, p->nik_y % 100, serial);
		if (nikset_add(&g->seen, strtoull(p->nik, NULL, 10)))
			return;
	}
}

static enum job pick_job(struct gen *g, const struct person *p, const struct distrik *ds)
{
	int w[NJOB];
	char num[4];
	memcpy(w, job_weight, sizeof(w));
	snprintf(num, sizeof(num), "%02d", ds->num);
	if (strstr(g->prof->coastal, num))
		w[J_NELAYAN] *= 2;
	if (strstr(g->prof->rural, num))
		w[J_PETANI] *= 2;
	if (!g->prof->mama_papua || p->group != G_PAPUA || p->sex != SEX_P)
		w[J_MAMA] = 0;
	else
		w[J_MAMA] *= 3;
	if (p->sex == SEX_P)
		w[J_OJEK] = w[J_BANGUNAN] = w[J_NELAYAN] = 0, w[J_PARKIR] /= 2;
	return (enum job)rng_weighted(&g->rng, w, NJOB);
}

static void make_phone(struct gen *g, char *out, size_t n)
{
	static const char *const tsel[] = {"0811", "0812", "0813", "0821", "0822", "0823", "0852", "0853", "0851"};
	static const char *const other[] = {"0814", "0815", "0856", "0857", "0817", "0818", "0819", "0859", "0877", "0878", "0895", "0896", "0881"};
	struct rng *r = &g->rng;
	const char *pre = rng_pm(r, 800) ? PICK(r, tsel) : PICK(r, other);
	char rest[12];
	int len = rng_pm(r, 600) ? 8 : rng_pm(r, 500) ? 7 : 9;
	for (int i = 0; i < len; i++)
		rest[i] = (char)('0' + rng_below(r, 10));
	rest[len] = '\0';
	int x = (int)rng_below(r, 100);
	if (x < 85)
		snprintf(out, n, "%s%s", pre, rest);
	else if (x < 91)
		snprintf(out, n, "+62%s%s", pre + 1, rest);
	else if (x < 95)
		snprintf(out, n, "+62 %.3s %.4s %s", pre + 1, rest, rest + 4);
	else
		snprintf(out, n, "%s-%.4s-%s", pre, rest, rest + 4);
}

/*
 * A new, valid worker living in distrik ds; warn adds the NIK/birth date or NIK/sex mismatch that is
 * only a warning.
 */
static void make_person(struct gen *g, struct person *p, const struct distrik *ds, int warn)
{
	struct rng *r = &g->rng;
	const struct profile *pr = g->prof;
	char buf[64];
	int prefix, district, x = (int)rng_below(r, 100);

	memset(p, 0, sizeof(*p));
	p->sex = rng_pm(r, 560) ? SEX_L : SEX_P;
	if (x < pr->old_pct + pr->new_pct) {
		prefix = x < pr->old_pct ? atoi(pr->old_prefix) : g->local;
		district = rng_pm(r, 700) ? ds->num : g->dis[rng_below(r, (uint32_t)g->ndis)].num;
		p->group = (enum group)rng_weighted(r, pr->local_group, NGROUP);
		if (rng_pm(r, p->group == G_PAPUA ? 700 : 550))
			snprintf(p->place, sizeof(p->place), "%s", pr->place);
		else if (p->group == G_PAPUA)
			snprintf(p->place, sizeof(p->place), "%s", PICK(r, papua_towns));
		else
			snprintf(p->place, sizeof(p->place), "%s", town_of(g->data, group_regency(g, p->group), buf, sizeof(buf)));
	} else {
		int pw[32];
		for (size_t i = 0; i < pr->nmigr; i++)
			pw[i] = pr->migr[i].w;
		int prov = pr->migr[rng_weighted(r, pw, (int)pr->nmigr)].prov;
		prefix = prov == 12 ? pick_code(g, batak_codes, NELEM(batak_codes)) : pick_regency(g, prov);
		district = rng_pm(r, 600) ? rng_range(r, 1, 8) : rng_range(r, 1, 20);
		p->group = group_of_regency(g, prefix);
		if (rng_pm(r, 850))
			snprintf(p->place, sizeof(p->place), "%s", town_of(g->data, prefix, buf, sizeof(buf)));
		else
			snprintf(p->place, sizeof(p->place), "%s", town_of(g->data, group_regency(g, p->group), buf, sizeof(buf)));
	}
	switch (p->group) {
	case G_BUGIS: case G_BUTON: p->muslim = 1; break;
	case G_JAWA: p->muslim = rng_pm(r, 900); break;
	case G_AMBON: p->muslim = rng_pm(r, 450); break;
	default: p->muslim = 0; break;
	}

	/* ages 18-69 on 1 January REF_YEAR, most of them 25-55 */
	int age = 18 + (int)((rng_below(r, 52) + rng_below(r, 52)) / 2);
	p->by = REF_YEAR - age;
	if (pr->old_prefix && prefix == atoi(pr->old_prefix) && p->by > 2004) /* old Kota Sorong code: registered (aged 17) before 2022 */
		p->by = rng_range(r, 1960, 2004);
	p->bm = rng_range(r, 1, 12);
	p->bd = rng_range(r, 1, days_in_month(p->by, p->bm));
	p->nik_y = p->by, p->nik_m = p->bm, p->nik_d = p->bd, p->nik_sex = p->sex;
	if (warn) {
		if (rng_pm(r, 300)) {
			p->sex = !p->sex; /* the clerk's record, not the NIK */
		} else {
			/* a birth date corrected after the NIK was issued */
			int y = p->by, m = p->bm, d = p->bd;
			switch (rng_below(r, 3)) {
			case 0: y += rng_pm(r, 500) ? rng_range(r, 1, 3) : -rng_range(r, 1, 3); break;
			case 1: m = m % 12 + 1; break;
			default: d = d % 28 + 1; break;
			}
			if (y > REF_YEAR - 18)
				y = REF_YEAR - 19;
			if (d > days_in_month(y, m))
				d = days_in_month(y, m);
			if (y == p->by && m == p->bm && d == p->bd)
				y--;
			p->by = y, p->bm = m, p->bd = d;
		}
	}
	make_nik(g, p, prefix, district);
	make_name(g, p);

	/* family card: issued where they live now, or brought from home */
	int region, iy = rng_range(r, 2005, 2025), im = rng_range(r, 1, 12);
	if (x < pr->old_pct && rng_pm(r, 700)) {
		region = prefix * 100 + ds->num; /* a card from before the split */
		iy = rng_range(r, 2005, 2021);
	} else if (x < pr->old_pct + pr->new_pct || rng_pm(r, 600)) {
		region = g->local * 100 + ds->num;
	} else {
		region = prefix * 100 + district;
	}
	snprintf(p->kk, sizeof(p->kk), "%06d%02d%02d%02d%04d", region, rng_range(r, 1, days_in_month(iy, im)), im,
		 iy % 100, rng_pm(r, 800) ? rng_range(r, 1, 999) : rng_range(r, 1000, 9999));

	p->upper = rng_pm(r, 760);
	p->job = pick_job(g, p, ds);
	make_phone(g, p->phone, sizeof(p->phone));
	static const int incomes[] = {1000000, 1500000, 2000000, 2500000, 3000000, 3500000, 4000000, 5000000};
	static const int income_w[] = {72, 8, 8, 4, 4, 1, 2, 1};
	p->income = incomes[rng_weighted(r, income_w, (int)NELEM(income_w))];
	if (p->job == J_HONORER && p->income < 1500000 && rng_pm(r, 300))
		p->income = 1500000;
}

/* the same person registered again elsewhere: the name typed differently, another phone perhaps */
static void respell(struct gen *g, struct person *p)
{
	static const char *const subst[][2] = {
		{"Yoh", "Joh"}, {"Yul", "Jul"}, {"Yak", "Jak"}, {"Yos", "Jos"}, {"Yus", "Jus"}, {"th", "t"},
		{"Muhammad", "Muhamad"}, {"Muhammad", "Moh."}, {"Sitti", "Siti"}, {"Siti", "Sitti"}, {"dj", "j"},
		{"Petronela", "Petronella"}, {"Nelce", "Nelci"}, {"uddin", "udin"}, {"Agustin", "Augustin"},
		{"Ch", "K"}, {"Abd.", "Abdul"}, {"Muh.", "Muhammad"}, {"St.", "Sitti"}, {"ss", "s"}, {"ie", "i"},
	};
	struct rng *r = &g->rng;
	char tmp[sizeof(p->name)];
	if (rng_pm(r, 650)) {
		size_t start = rng_below(r, (uint32_t)NELEM(subst));
		for (size_t i = 0; i < NELEM(subst); i++) {
			const char *const *s = subst[(start + i) % NELEM(subst)];
			if (str_replace1(tmp, sizeof(tmp), p->name, s[0], s[1])) {
				memcpy(p->name, tmp, sizeof(tmp));
				break;
			}
		}
	}
	if (rng_pm(r, 400))
		p->upper = !p->upper;
	if (rng_pm(r, 400))
		make_phone(g, p->phone, sizeof(p->phone));
}

/* ---- rows ---- */

enum defect {
	D_NONE = -1,
	D_NIK15, D_NIK17, D_NIKALPHA, D_NIKREG, D_NIKDATE, D_NAME, D_DATEBAD, D_DATEFUTURE, D_SEX, D_KEL,
	D_KKLEN, D_KKALPHA, D_PHONE, NDEFECT
};

struct row {
	char f[NCOL][FIELD];
};

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

static void build_row(struct gen *g, struct row *w, const struct person *p, const struct distrik *ds, enum defect d)
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

static void write_row(FILE *out, const struct row *w)
{
	for (int i = 0; i < NCOL; i++) {
		if (i)
			putc(',', out);
		write_field(out, w->f[i]);
	}
	fputs("\r\n", out);
}

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

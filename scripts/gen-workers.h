/*
 * gen-workers.h: what gen-workers' files share: the seeded random source, the reference data
 * (places, distrik, regency codes), the per-city profiles, a person and a row as they are made.
 */
#ifndef GEN_WORKERS_H
#define GEN_WORKERS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PROG "gen-workers"
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define REF_YEAR 2026            /* ages are reckoned at 1 January of this year */
#define NCOL 12
#define FIELD 256

struct rng {
	uint64_t s[4];
};

#define PICK(r, a) ((a)[rng_below((r), (uint32_t)NELEM(a))])

struct list {
	const char *const *v;
	size_t n;
};
#define LIST(a) {(a), NELEM(a)}

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

enum group { G_PAPUA, G_BUGIS, G_BUTON, G_JAWA, G_AMBON, G_TORAJA, G_BATAK, G_NTT, NGROUP };

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


enum job { J_PASAR, J_PKL, J_MAMA, J_OJEK, J_NELAYAN, J_PETANI, J_HONORER, J_BANGUNAN, J_PARKIR, J_BERSIH, J_RELIGI, NJOB };

struct nikset {
	uint64_t *v;
	size_t cap, n;
};

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

enum defect {
	D_NONE = -1,
	D_NIK15, D_NIK17, D_NIKALPHA, D_NIKREG, D_NIKDATE, D_NAME, D_DATEBAD, D_DATEFUTURE, D_SEX, D_KEL,
	D_KKLEN, D_KKALPHA, D_PHONE, NDEFECT
};

struct row {
	char f[NCOL][FIELD];
};

/* gen-workers-refdata.c: small utilities, random numbers, the reference data */
void die(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
int is_digit(int c);
void str_upper(char *s);
void str_lower(char *s);
void str_title(char *s);
int str_replace1(char *out, size_t n, const char *s, const char *from, const char *to);
int days_in_month(int y, int m);
void rng_seed(struct rng *r, uint64_t seed);
uint32_t rng_below(struct rng *r, uint32_t n);
int rng_range(struct rng *r, int lo, int hi);
int rng_pm(struct rng *r, int permille);
int rng_weighted(struct rng *r, const int *w, int n);
const char *list_pick(struct rng *r, const struct list *l);
void data_load(struct data *d, const char *dir);
const struct place *data_find(const struct data *d, const char *code, int level);
void distrik_init(struct distrik *ds, const struct data *d, const struct place *p);
int distrik_has_name(const struct distrik *ds, const char *name);
int distrik_has_code(const struct distrik *ds, const char *code);

/* gen-workers-people.c: who a worker is: origin, name, NIK, birth, job, phone, income */
extern const struct profile profiles[]; /* the last one, city NULL, is the fallback */
enum job pick_job(struct gen *g, const struct person *p, const struct distrik *ds);
void make_person(struct gen *g, struct person *p, const struct distrik *ds, int warn);
void respell(struct gen *g, struct person *p);

/* gen-workers-rows.c: a person as the row a clerk typed, defects included, and the row as CSV */
void build_row(struct gen *g, struct row *w, const struct person *p, const struct distrik *ds, enum defect d);
void write_row(FILE *out, const struct row *w);

#endif

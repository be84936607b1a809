/*
 * sync.h: the one public header of sinkron's engine.  The agent (agent/) includes this and
 * nothing else of sync/.  Conventions: functions return 0 or a negative SK_E* code with the
 * message in sk_error_last(); output parameters come first and are named out; whoever
 * receives an object through **out owns it and frees it with the matching *_free(), which
 * accepts NULL.
 */
#ifndef SK_SYNC_H
#define SK_SYNC_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- errors ---- */
enum {
	SK_OK = 0,
	SK_ERROR = -1,     /* anything else: I/O, SQLite, libgit2 */
	SK_ENOTFOUND = -2, /* no such worker, file, commit, ... */
	SK_ECONFLICT = -3, /* refused by a rule: ownership, one active enrolment, a lock held */
	SK_ENETWORK = -4,  /* the central repository could not be reached in time */
	SK_ECORRUPT = -5,  /* stored or received data fails its checks */
	SK_EINVALID = -6,  /* bad input from a person or a file */
};

const char *sk_error_last(void);
void sk_error_set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void sk_error_clear(void);

/* ---- memory: these abort on out-of-memory, so callers never check for NULL ---- */
void *sk_malloc(size_t n);
void *sk_calloc(size_t nmemb, size_t size);
void *sk_realloc(void *p, size_t n);
char *sk_strdup(const char *s); /* NULL gives NULL */
char *sk_strndup(const char *s, size_t n);
char *sk_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A growable byte buffer with a size cap, so data from a file or the network cannot grow it
 * without bound.  Always NUL-terminated past len.  Growing past cap gives SK_EINVALID. */
struct sk_buf {
	unsigned char *ptr;
	size_t len, alloc, cap;
};
#define SK_BUF_INIT {NULL, 0, 0, (size_t)-1 / 2}
void sk_buf_init(struct sk_buf *b, size_t cap); /* cap 0: unlimited */
void sk_buf_release(struct sk_buf *b);
int sk_buf_grow(struct sk_buf *b, size_t extra);
int sk_buf_put(struct sk_buf *b, const void *data, size_t n);
int sk_buf_puts(struct sk_buf *b, const char *s);
int sk_buf_putc(struct sk_buf *b, int c);
int sk_buf_printf(struct sk_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int sk_buf_put_varint(struct sk_buf *b, uint64_t v); /* LEB128, unsigned */
/* Reads one LEB128 varint at *p (advanced) not past end; SK_ECORRUPT when truncated or > 64 bits. */
int sk_get_varint(uint64_t *out, const unsigned char **p, const unsigned char *end);

/* ---- hashing and the state digest ---- */
#define SK_HASH_SIZE 32
void sk_sha256(unsigned char out[SK_HASH_SIZE], const void *data, size_t len);
/* _init allocates the context and _final, which every _init must reach, frees it. */
struct sk_sha256_ctx {
	struct evp_md_ctx_st *evp; /* libcrypto's EVP_MD_CTX */
};
void sk_sha256_init(struct sk_sha256_ctx *c);
void sk_sha256_update(struct sk_sha256_ctx *c, const void *data, size_t len);
void sk_sha256_final(struct sk_sha256_ctx *c, unsigned char out[SK_HASH_SIZE]);

/* The state digest is the sum modulo 2^256 of the hashes of all rows (read as little-endian
 * 256-bit numbers): order-independent and updated by adding a row's new hash and subtracting
 * its old one. */
void sk_digest_add(unsigned char acc[SK_HASH_SIZE], const unsigned char h[SK_HASH_SIZE]);
void sk_digest_sub(unsigned char acc[SK_HASH_SIZE], const unsigned char h[SK_HASH_SIZE]);
void sk_hex(char *out, const unsigned char *data, size_t n); /* out holds 2n+1 */
int sk_unhex(unsigned char *out, size_t n, const char *hex);  /* SK_EINVALID unless 2n hex digits */

/* ---- values and change-sets ----
 * A change-set is what one commit of a district's (or the city's) branch carries: the changes
 * to rows, per table, with a hybrid logical clock per row change.  The byte format is
 * specified in sync/FORMAT.md; encoding is canonical (the same change-set gives the same bytes). */
enum sk_type { SK_NULL = 0, SK_INT = 1, SK_REAL = 2, SK_TEXT = 3, SK_BLOB = 4 };
struct sk_value {
	int type;
	int64_t i;
	double r;
	const unsigned char *p; /* SK_TEXT (not NUL-terminated necessarily) and SK_BLOB */
	size_t n;
};

enum sk_op { SK_OP_UPSERT = 1, SK_OP_DELETE = 2 };

struct sk_cs_row {
	int op;
	const char *pk;     /* the row's globally unique id */
	uint64_t hlc;       /* clock of this change (see hlc below) */
	uint64_t mask;      /* bit i set: column i of the table's column list is carried in vals[i] */
	struct sk_value *vals; /* ncols entries; those not in mask are SK_NULL and meaningless */
	const char *operator_name; /* who made the change: login or --operator */
	int64_t at;         /* wall clock of the office, ms since epoch, of the latest edit */
	const char *dest;   /* city change-sets only: the district the change is for; else NULL */
};

struct sk_cs_table {
	const char *name;
	int ncols;          /* at most 64 */
	const char **cols;  /* column names, not including the id or hidden columns */
	size_t nrows;
	struct sk_cs_row *rows;
};

#define SK_CS_VERSION 1
struct sk_changeset {
	uint32_t version;
	char origin[24];       /* region code of the writer: "96.71.01", or the city "96.71" */
	uint64_t number;       /* 1, 2, 3 ... along the origin's branch */
	uint64_t seq_first, seq_last; /* the origin's outbox sequence numbers covered */
	uint64_t hlc_min, hlc_max;
	uint64_t hlc_seen;     /* highest clock the origin had received from others when sealing */
	uint32_t flags;        /* SK_CSF_* */
	unsigned char digest[SK_HASH_SIZE]; /* the origin's state digest after this change-set */
	size_t ntables;
	struct sk_cs_table *tables;
	void *arena;           /* owns every string and array above when decoded */
};
#define SK_CSF_CLOCK_AHEAD 1u  /* the origin's wall clock ran ahead of what it had seen */
#define SK_CSF_CLOCK_BEHIND 2u /* the origin's wall clock was set back behind its own clock */

/* Limits the decoder enforces on untrusted input. */
struct sk_cs_limits {
	size_t max_compressed;   /* default 4 MiB */
	size_t max_uncompressed; /* default 64 MiB */
	size_t max_rows;         /* default 1,000,000 */
	size_t max_value;        /* default 1 MiB */
};
#define SK_CS_LIMITS_DEFAULT {4u << 20, 64u << 20, 1000000u, 1u << 20}

/* Encodes cs (tables and rows in the order given: callers sort them canonically, tables by
 * name, rows by pk) into out: header, zlib-compressed body, checksum. */
int sk_changeset_encode(struct sk_buf *out, const struct sk_changeset *cs);
/* Decodes untrusted bytes; SK_ECORRUPT (truncated, bad checksum, bad compression, bomb) or
 * SK_EINVALID (unknown version, limits exceeded) with a message; *out is set only on success
 * and freed with sk_changeset_free().  lim may be NULL for the defaults. */
int sk_changeset_decode(struct sk_changeset **out, const void *data, size_t len,
			const struct sk_cs_limits *lim);
void sk_changeset_free(struct sk_changeset *cs);
/* Total rows of all tables. */
size_t sk_changeset_rows(const struct sk_changeset *cs);

/* ---- hybrid logical clock ----
 * 64 bits: milliseconds since the Unix epoch << 16 | a 16-bit counter.  Ties between equal
 * clocks are broken by the origin code. */
#define SK_HLC_MS(h) ((int64_t)((h) >> 16))
#define SK_HLC_MAKE(ms, c) (((uint64_t)(ms) << 16) | ((uint64_t)(c) & 0xffff))
void sk_hlc_format(char *out, size_t n, uint64_t hlc); /* "2024-02-28 09:15:02.123+5" UTC */

/* Progress of long work: done out of total (total 0: unknown). */
typedef void (*sk_progress_fn)(void *payload, const char *what, uint64_t done, uint64_t total);

/* ---- the database ---- */
struct sk_db;

/* Opens an existing sinkron database at path, migrating its schema forward.  SK_ENOTFOUND when
 * the file does not exist; SK_EINVALID when it is not a sinkron database. */
int sk_db_open(struct sk_db **out, const char *path);
/* Creates a new database at path (refused if the file exists) for the region code `code`: a
 * district (96.71.01) or with `city` set a city (96.71).  The file is created readable by its
 * owner only.  central may be NULL. */
int sk_db_create(struct sk_db **out, const char *path, const char *code, int city, const char *central);
void sk_db_free(struct sk_db *db);

/* Who the following changes are recorded as made by (NULL: the login name). */
void sk_db_set_operator(struct sk_db *db, const char *name);
const char *sk_db_code(const struct sk_db *db);   /* "96.71.01" */
const char *sk_db_name(const struct sk_db *db);   /* "Sorong" */
int sk_db_is_city(const struct sk_db *db);
/* Why capture cannot be trusted (a synced table or a capture trigger changed outside sinkron),
 * with what to do, or NULL; checked at every open.  Seal refuses while it is set. */
const char *sk_db_problem(const struct sk_db *db);
/* A bounded PRAGMA quick_check (at most budget_ms; a bigger database is checked in part):
 * SK_ECORRUPT with what is damaged and what to do, 0 otherwise. */
int sk_db_health(struct sk_db *db, int budget_ms);
/* Makes the capture and guard triggers again and records, as changed in every column, each row
 * whose values differ from what its bookkeeping recorded (*rescanned: how many).  Refused
 * (SK_EINVALID) when a table's columns were changed: that is undone by hand. */
int sk_db_repair_capture(struct sk_db *db, size_t *rescanned);
const char *sk_db_path(const struct sk_db *db);
/* A setting from the database (central URL, ...) or NULL; freed by the caller. */
char *sk_db_setting(struct sk_db *db, const char *key);
int sk_db_set_setting(struct sk_db *db, const char *key, const char *value);

/* ---- the registry (what clerks do) ---- */
struct sk_worker {
	char *id, *owner, *nik, *kk, *name, *birth_place, *birth_date, *sex, *address;
	char *kelurahan, *phone, *occupation, *workplace, *status, *ended_on, *end_reason;
	char *kpj, *verified;
	int64_t income;     /* declared monthly income bracket in rupiah; 0 unknown */
};
void sk_worker_release(struct sk_worker *w);

/* One problem found in a record: a field name as the clerk knows it ("NIK") and a reason. */
struct sk_issue {
	int error;          /* 1 error (record refused), 0 warning */
	const char *field;
	char reason[200];
};
#define SK_MAX_ISSUES 16
struct sk_issues {
	int n;
	struct sk_issue v[SK_MAX_ISSUES];
	int dropped;        /* issues left out once v was full: warnings first, an error takes a warning's place */
};
int sk_issues_errors(const struct sk_issues *is);

/* A worker's entry fields as typed or read from a CSV row; NULL means empty. */
struct sk_worker_input {
	const char *nik, *kk, *name, *birth_place, *birth_date, *sex, *address, *kelurahan;
	const char *phone, *occupation, *workplace, *income;
	const char *ttl; /* "Sorong, 12-08-1985": used for place and date when those are empty */
};

/* Registers a new worker at this district after every check (sync/register/validate.h); on success
 * *id_out (owned by the caller) is the new id.  SK_EINVALID with the issues in *is;
 * SK_ECONFLICT when the NIK is already active in the district. */
int sk_worker_add(struct sk_db *db, char **id_out, struct sk_issues *is, const struct sk_worker_input *in);
/* Changes the fields of in that are not NULL on the worker `key` (id or NIK); *changed counts
 * the columns that really changed (0: nothing to do). */
int sk_worker_edit(struct sk_db *db, const char *key, struct sk_issues *is, const struct sk_worker_input *in, int *changed);
/* The reasons an end may give, as a form lists them (NULL-terminated). */
const char *const *sk_end_reasons(void);
/* Ends the worker and its open enrolments on date (NULL: today, never in the future), for reason
 * (one of sk_end_reasons(); its first word is enough). */
int sk_worker_end(struct sk_db *db, const char *key, const char *date, const char *reason);
/* The worker with id or NIK key; released with sk_worker_release(). */
int sk_worker_get(struct sk_db *db, struct sk_worker *out, const char *key);
/* Calls fn for each worker matching query (name, NIK, phone, KPJ or kelurahan name; NULL:
 * all), active ones only unless all; fn returns non-zero to stop. */
int sk_worker_each(struct sk_db *db, const char *query, int all,
		   int (*fn)(void *payload, const struct sk_worker *w), void *payload);

struct sk_heir { const char *id, *name, *nik, *relationship, *phone; };
int sk_heir_add(struct sk_db *db, char **id_out, struct sk_issues *is, const char *worker, const char *name,
		const char *nik, const char *relationship, const char *phone);
int sk_heir_each(struct sk_db *db, const char *worker_id, int (*fn)(void *payload, const struct sk_heir *h), void *payload);

struct sk_enrolment { const char *id, *program, *funder, *decree, *start_on, *end_on; int64_t income;
	const char *decision, *end_reason; };
/* Enrols worker in program (JKK, JKM, JHT) paid by funder from start ("2024-03" or a date);
 * income 0 takes the worker's bracket.  One active enrolment per programme per NIK.  The same
 * as sk_enrolment_add() without a decision and without warnings. */
int sk_enrol(struct sk_db *db, char **id_out, const char *worker, const char *program, const char *funder,
	     const char *decree, const char *start, int64_t income);

struct sk_enrol_input {
	const char *worker;    /* id or NIK */
	const char *program;   /* JKK, JKM, JHT or a sum: JKK+JKM */
	const char *funder;    /* a name from the funders list (sk_funder_each) */
	const char *decree;    /* the decree (SK) that funds it, or NULL */
	const char *start;     /* "2024-03" or a date; NULL: this month */
	const char *decision;  /* the recorded decision that allows a start further back than the
				* scheme allows (a decree number, a minute), or NULL */
	int64_t income;        /* bracket; 0: the scheme's, else the worker's declared one */
};
/* Enrols after the checks of the funder's scheme: the programmes it pays, the ages it covers
 * (outside: refused, or a warning in *is, per scheme), how far back the start may go (further
 * needs in->decision).  *id_out gets the new ids, one a line.  SK_EINVALID with the reason;
 * is may be NULL. */
int sk_enrolment_add(struct sk_db *db, char **id_out, struct sk_issues *is, const struct sk_enrol_input *in);
/* From date `from` ("2024-03" or a date) the worker's enrolments in program (NULL: every open
 * one) are paid by funder (NULL: the same) at bracket income (0: as the scheme says): each open
 * enrolment ends the day before and a new one starts on that day, so the history is kept.
 * *changed counts the enrolments replaced. */
int sk_enrolment_change(struct sk_db *db, const char *worker, const char *program, const char *from,
			const char *funder, int64_t income, const char *decision, size_t *changed);
/* Ends the worker's open enrolment in program on date (NULL: today) for reason; the worker
 * stays registered.  A date in the future is refused. */
int sk_enrolment_end(struct sk_db *db, const char *worker, const char *program, const char *date,
		     const char *reason);
int sk_enrolment_each(struct sk_db *db, const char *worker_id, int (*fn)(void *payload, const struct sk_enrolment *e), void *payload);

/* ---- funders and their schemes ----
 * Who pays (APBD Kota, APBD Provinsi, APBD Kabupaten, a company's CSR, the worker), on what
 * terms: a list the command line and the forms choose from, kept as data (table funders). */
struct sk_funder {
	const char *name;       /* "APBD Kota"; compared without case */
	const char *kind;       /* apbd, csr, self, other */
	const char *programs;   /* the programmes the scheme pays: "JKK+JKM" */
	int64_t bracket;        /* the income bracket it pays at, rupiah; 0: the worker's declared one */
	int age_min, age_max;   /* ages covered (0: no limit) */
	int age_warn;           /* outside those ages: 1 a warning, 0 the enrolment is refused */
	int backdate_months;    /* months before the current one a start may lie in without a decision */
	const char *regulation; /* what it rests on, or NULL */
	int active;             /* 0: kept for history, no new enrolments */
};
/* Calls fn for each funder by name (inactive ones too); fn returns non-zero to stop. */
int sk_funder_each(struct sk_db *db, int (*fn)(void *payload, const struct sk_funder *f), void *payload);
/* Adds the funder f->name, or changes it when it exists (same name without case).  SK_EINVALID
 * for a programme list that is not JKK, JKM, JHT joined by '+', a kind not in the list, ages
 * out of order. */
int sk_funder_set(struct sk_db *db, const struct sk_funder *f);
/* The funder's name as the list spells it, into out; SK_ENOTFOUND (naming the list) when no
 * funder of that name exists or it is inactive. */
int sk_funder_resolve(struct sk_db *db, char *out, size_t n, const char *name);

struct sk_bill_line {
	const char *funder, *program; /* valid during the callback only */
	int64_t people;   /* distinct NIKs billed */
	int64_t amount;   /* rupiah for the month */
	int64_t unrated;  /* enrolments with no rate in force that month */
};
/* The premium for month ("2024-03") per funder and programme, from the rates in force then. */
int sk_bill(struct sk_db *db, const char *month, int (*fn)(void *payload, const struct sk_bill_line *l), void *payload);
/* The bill of month as an .xlsx at path (a personal-data file): one sheet "Tagihan", a line per
 * funder and programme (people, rupiah, every cell text) and the total last (citydesk.c). */
int sk_bill_write_xlsx(struct sk_db *db, const char *month, const char *path);

/* One death of the month: a worker ended with the reason "meninggal dunia". */
struct sk_death {
	const char *id, *owner, *district, *nik, *name, *died_on, *kpj;
	int nheirs;          /* 0: no heir registered, the JKM benefit cannot be claimed yet */
	const char *heirs;   /* "Maria Kambu (istri, NIK ..., 0812...); ..." or NULL */
	int jkm;             /* enrolled in JKM when they died */
};
/* The deaths of month ("2024-03") by district, never a record marked as a duplicate. */
int sk_deaths_each(struct sk_db *db, const char *month, int (*fn)(void *payload, const struct sk_death *d), void *payload);

struct sk_counts { int64_t active, ended, heirs, enrolments; };
int sk_counts(struct sk_db *db, struct sk_counts *out);

/* ---- the central repository ---- */
struct sk_remote {
	const char *url;          /* a path, file://, git://, http(s)://, ssh:// */
	const char *username, *password; /* HTTP(S) basic authentication; ssh user */
	const char *ssh_key, *ssh_pubkey; /* ssh: key files (NULL: the ssh agent) */
	const char *ca_file;      /* HTTPS: the CA certificate(s) to trust, e.g. the city's own */
	int deadline_ms;          /* for each network operation; 0: 60 s */
	size_t push_limit;        /* bytes one push may carry; 0: 64 KiB */
};
struct sk_push_result {
	size_t changesets;  /* change-sets that reached the central now */
	int pushes;         /* bounded pushes made */
	uint64_t bytes;     /* bytes sent */
};
/* Sends this office's sealed change-sets (the city: its own) to the central repository in
 * bounded pushes, each with a deadline; progress (may be NULL) hears after each push how many
 * of the change-sets waiting at the start have arrived.  SK_ENETWORK when the central cannot
 * be reached in time (what was pushed before stays pushed); SK_ECONFLICT when it refuses. */
int sk_push(struct sk_db *db, const struct sk_remote *r, struct sk_push_result *res, sk_progress_fn progress,
	    void *payload);
struct sk_fetch_result {
	uint64_t bytes, objects;
};
/* Fetches into the local repository what the others wrote: a district the city's branch
 * (refs/remotes/central/central), the city every district's (refs/remotes/central/district/...).
 * Its deadline is for a link that stops, not a slow one; progress (may be NULL) hears how many
 * objects of the pack have arrived. */
int sk_fetch(struct sk_db *db, const struct sk_remote *r, struct sk_fetch_result *res, sk_progress_fn progress,
	     void *payload);

/* A flag the transfers watch: when a signal handler sets it, a network operation under way is
 * abandoned (its child process killed) and returns SK_ENETWORK. */
#include <signal.h>
void sk_transport_set_stop_flag(volatile sig_atomic_t *flag);

/* ---- the city ---- */
struct sk_consolidate_result {
	size_t changesets, rows;  /* applied now */
	size_t districts;         /* districts with something new (a receipt was written) */
	int city_clock_behind;    /* districts' clocks agree the city's own clock is behind */
	size_t waiting;           /* branches waiting behind a held change-set */
	size_t nquarantined;      /* refused now */
	char **quarantined;       /* each, in words: nquarantined of them */
	size_t nskipped;
	char **skipped;           /* branches that are not a district of this city, nskipped */
};
/* Applies every district branch of `from` (NULL: what the last sync fetched) to the city's
 * database, checking each change-set; refused ones are quarantined (SK_ECONFLICT when any
 * was, after committing the rest).  Writes a receipt per district with something new. */
int sk_consolidate(struct sk_db *db, const char *from, struct sk_consolidate_result *res,
		   sk_progress_fn progress, void *payload);
/* Frees the lists sk_consolidate() filled into res (not res itself); a zeroed res is fine. */
void sk_consolidate_result_free(struct sk_consolidate_result *res);

struct sk_quarantined {
	const char *id, *origin, *commit, *reason, *state, *decided_by;
	int64_t number, at;
};
/* Quarantined change-sets: held ones, or all with all set. */
int sk_quarantine_each(struct sk_db *db, int all, int (*fn)(void *payload, const struct sk_quarantined *q), void *payload);
/* Releases (applied at the next consolidation without the clock and digest checks) or rejects
 * (skipped for good) the held change-set whose id starts with id. */
int sk_quarantine_decide(struct sk_db *db, const char *id, int release);
/* The city sets a city field ("kpj" or "verified") of the worker key (id or NIK). */
int sk_worker_set_city_field(struct sk_db *db, const char *key, const char *field, const char *value);
/* A KPJ (BPJS participant number) as BPJS gives it: 11 digits.  SK_EINVALID saying why. */
int sk_kpj_check(const char *kpj);
struct sk_kpj_result {
	size_t rows, set, unchanged, unmatched;
};
/* At the city: sets the KPJ of each active worker whose NIK is on a row of the file BPJS
 * returns after a registration (CSV, a NIK and a KPJ column under any title lines), in one
 * transaction.  A row that matches no active worker, has a bad KPJ, or a KPJ another person
 * holds is passed to unmatched (may be NULL) with its line and the reason, and counted. */
int sk_kpj_import(struct sk_db *db, const char *path, struct sk_kpj_result *res,
		  void (*unmatched)(void *payload, long line, const char *nik, const char *kpj, const char *why),
		  void *payload);

struct sk_duplicate {
	const char *id, *owner, *district, *nik, *name, *birth_date, *sex, *kelurahan, *phone, *occupation;
	const char *enrolments; /* "JKK APBD Kota from 2024-01-01; ..." or NULL */
};
/* Every active record whose NIK is active more than once (in two districts or twice in one)
 * and not yet decided, grouped by NIK. */
int sk_duplicates_each(struct sk_db *db, int (*fn)(void *payload, const struct sk_duplicate *d), void *payload);
/* The city keeps keep_id for nik: the other active records get duplicate_of = keep_id, which
 * reaches their districts through the city's next change-set.  *marked counts them. */
int sk_duplicate_decide(struct sk_db *db, const char *nik, const char *keep_id, size_t *marked);

struct sk_receipt {
	int have;                 /* the city has sent one */
	int64_t last_number;      /* the last change-set of this office the city applied */
	int64_t sealed_at, consolidated_at; /* ms: when this office sealed it; when the city applied it */
	char digest[2 * SK_HASH_SIZE + 1];  /* this office's data at the city then */
	int matches;              /* 1 it equals the digest this office recorded for that change-set,
	                           * 0 it differs, -1 nothing to compare */
	int64_t refused_number;   /* a change-set of this office the city refused, 0 none */
	char refused_state[16];   /* "held" (the later ones wait behind it) or "rejected" */
	char refused_reason[700]; /* why, in words */
};
/* The city's last receipt for this district. */
int sk_receipt_get(struct sk_db *db, struct sk_receipt *out);

/* The digest of the rows owned by the district `code` in this database. */
int sk_owner_digest(struct sk_db *db, const char *code, unsigned char out[SK_HASH_SIZE]);

/* ---- files of personal data ----
 * Created beside their path under a fresh name with O_EXCL (never through a symlink, never
 * over an existing file), readable by the owner only, and renamed over the path when complete
 * (sk_private_close with ok), else removed. */
struct sk_private_file {
	FILE *f;
	char *path, *tmp;
};
int sk_private_open(struct sk_private_file *pf, const char *path);
int sk_private_close(struct sk_private_file *pf, int ok);
/* 1 when both paths name the same existing file. */
int sk_same_file(const char *a, const char *b);

/* ---- CSV import and export ---- */
struct sk_import_opts {
	const char *path;        /* the CSV */
	const char *reject_path; /* NULL: beside it, NAME.rejected.csv */
	const char *funder;      /* enrol each new worker in JKK and JKM paid by this funder; NULL: do not enrol */
	const char *start;       /* first month of those enrolments (NULL: this month) */
	const char *decision;    /* the recorded decision that allows a start further back than the
				    funder's scheme allows, or NULL */
	int dry_run;             /* check and report, change nothing */
	/* each problem found: line of the file, the issue (warning or error) */
	void (*report)(void *payload, long line, const struct sk_issue *issue);
	sk_progress_fn progress;
	void *payload;
};
struct sk_import_result {
	size_t rows, added, updated, unchanged, rejected, warnings, enrolled;
	size_t not_enrolled;     /* registered, but outside the ages the funder's scheme covers */
	char reject_path[4096];  /* "" when no row was rejected */
	int recoded;             /* some rows were read as Windows-1252 */
};
/* Imports the CSV: good rows are added (or, when the NIK is already active in the district,
 * its changed fields are updated), bad rows are reported and written to the reject file,
 * all in one transaction.  Importing the same file again changes nothing. */
int sk_import(struct sk_db *db, const struct sk_import_opts *o, struct sk_import_result *res);
/* Writes the empty template. */
int sk_import_write_template(FILE *f);
/* Writes the CSV for BPJS bulk registration of the active enrolled workers to f (mode all,
 * comma-separated). */
int sk_export(struct sk_db *db, FILE *f, size_t *rows);

/* What goes to BPJS: new (active, not a duplicate, no KPJ yet: to register), ended (enrolments
 * ended, deaths included, from `since` to today: to deregister), all (every active enrolled
 * worker).  A record the city marked as a duplicate never goes.  One row per worker and
 * funder, the heirs with each, in the columns of the table export_columns. */
enum { SK_EXPORT_ALL = 0, SK_EXPORT_NEW = 1, SK_EXPORT_ENDED = 2 };
struct sk_export_opts {
	int mode;
	const char *since;   /* ended: YYYY-MM-DD */
	int comma;           /* CSV with ',' and no BOM; else the Indonesian Excel dialect (';', BOM, CRLF) */
};
/* Where rows go: the heading row first. */
struct sk_export_sink {
	int (*row)(struct sk_export_sink *s, const char *const *v, size_t n);
};
int sk_export_rows(struct sk_db *db, const struct sk_export_opts *o, struct sk_export_sink *sink, size_t *rows);
int sk_export_csv(struct sk_db *db, const struct sk_export_opts *o, FILE *f, size_t *rows);
/* The same as an .xlsx at path (a personal-data file), every cell text. */
int sk_export_xlsx(struct sk_db *db, const struct sk_export_opts *o, const char *path, size_t *rows);
/* The layout's columns in order; the fields a column may name (NULL-terminated). */
int sk_export_columns_each(struct sk_db *db, int (*fn)(void *payload, int pos, const char *header, const char *field),
			   void *payload);
const char *const *sk_export_fields(void);

/* ---- sealing, applying, the local history ---- */
struct sk_seal_result {
	size_t changesets;  /* change-sets written */
	size_t rows;        /* row changes in them */
	size_t bytes;       /* their encoded size */
	uint32_t flags;     /* SK_CSF_* seen while sealing */
	size_t aside;       /* changes left in the outbox: their record's id cannot travel */
	char aside_first[200]; /* the first of them, in words */
};


/* Seals the pending changes into change-sets of at most max_bytes (0: 32 KiB) on this
 * office's branch of the local repository beside the database ("office.db" -> "office.git"). */
int sk_seal(struct sk_db *db, size_t max_bytes, struct sk_seal_result *res, sk_progress_fn progress, void *payload);

struct sk_apply_result {
	size_t changesets, rows;  /* applied now */
	size_t skipped;           /* already there */
	size_t nrefused;          /* branches stopped at a change-set that was refused */
	char **refused;           /* each, "branch: why": nrefused of them */
};
/* Applies change-sets from the repository `from` (NULL: the local one) on the branch `what`
 * ("96.71.01", "district/96.71.01", "central", a full ref or a commit id; NULL: every district
 * branch and central).  A refused change-set stops its branch (the others go on) and the
 * call returns its error after committing what was applied. */
int sk_apply(struct sk_db *db, const char *from, const char *what, struct sk_apply_result *res,
	     sk_progress_fn progress, void *payload);
/* Frees the list sk_apply() filled into res (not res itself); a zeroed res is fine. */
void sk_apply_result_free(struct sk_apply_result *res);

struct sk_verify_result {
	int ok;
	size_t rows, pending;     /* pending: changed since the last seal, checked at the next */
	size_t nbad;
	char bad[8][200];
	char digest[2 * SK_HASH_SIZE + 1], recomputed[2 * SK_HASH_SIZE + 1];
};
/* Recomputes the state digest from every row and compares it with the one kept. */
int sk_verify(struct sk_db *db, struct sk_verify_result *res);

struct sk_log_entry {
	const char *id, *origin, *commit, *digest;
	const char *summary; /* what it changed, in words, or NULL */
	uint64_t number, hlc_max;
	size_t rows, bytes;
	int64_t at;   /* sealed or applied here, ms */
	int local;    /* 1 sealed here */
};
/* Calls fn for every change-set this database holds (of `origin`, or all when NULL). */
int sk_log(struct sk_db *db, const char *origin, int (*fn)(void *payload, const struct sk_log_entry *e), void *payload);

struct sk_pending_info {
	size_t outbox_entries, outbox_rows; /* changes not yet sealed */
	int64_t oldest_ms;
	size_t sealed, pushed;              /* numbers of the last sealed and last pushed change-set */
	size_t unsent, unsent_bytes;        /* sealed, not yet in the central repository */
};
int sk_pending(struct sk_db *db, struct sk_pending_info *out);

/* ---- reports ----
 * What the city admin reads (a district can read its own): enrolment counted by district,
 * kelurahan, occupation and funder, and each funder's monthly bill over a year set against the
 * budget set for it, as text, CSV files or one self-contained HTML page.  Budgets are kept in
 * the settings table (not synced) under the key "budget.YEAR.FUNDER". */

/* Reads an amount of rupiah as people write it: 2200000000, Rp2.200.000.000, 2,200,000,000,
 * "2,2 miliar", "2.2 miliar", "750 juta".  SK_EINVALID unless a whole amount above zero. */
int sk_rupiah_parse(int64_t *out, const char *text);
/* Writes v as "Rp1,234,567" into out (n bytes; 32 are enough). */
void sk_rupiah_format(char *out, size_t n, int64_t v);

/* Sets the budget of funder for year (amount > 0), or removes it (amount 0). */
int sk_budget_set(struct sk_db *db, int year, const char *funder, int64_t amount);
/* Calls fn for every budget set, by year then funder; fn returns non-zero to stop. */
int sk_budget_each(struct sk_db *db, int (*fn)(void *payload, int year, const char *funder, int64_t amount),
		   void *payload);

#define SK_REPORT_PROGRAMS 6
struct sk_report_row {
	char *key;        /* district or kelurahan code, occupation in lower case, funder */
	char *name;       /* what people call it */
	char *parent;     /* kelurahan: the name of its district; else NULL */
	int64_t workers;  /* active workers (funders: workers with an enrolment of theirs in force) */
	int64_t enrolled[SK_REPORT_PROGRAMS]; /* enrolments in force in the month, per programme */
	int64_t premium;  /* the premium of those enrolments for the month, rupiah */
};
struct sk_report_table {
	size_t n;
	struct sk_report_row *rows;
	struct sk_report_row total;  /* workers summed over rows; funders: distinct workers */
};
/* One funder's year: months are 0 (January) to 11. */
struct sk_report_funder {
	char *funder;
	int64_t people[12];                      /* distinct NIKs billed in the month */
	int64_t amount[12][SK_REPORT_PROGRAMS];  /* the month's premium per programme */
	int64_t total[12], cumulative[12];
	int64_t year_total, person_months;
	int has_budget;
	int64_t budget;
	int months_billed;     /* months of the year with a bill (M) */
	int months_paid;       /* of those, the ones the budget pays in full (N) */
	int runs_out;          /* 1-12: the month whose bill the budget can no longer pay; 0: it lasts */
	int64_t rate;          /* the bill of the report's month: the present rate */
	int64_t doubled[12];   /* enrolments billed on top of the first for the same NIK and
				* programme (a NIK enrolled in two districts): see sinkron duplicates */
};
struct sk_report {
	int year, month;       /* the year billed; the month (1-12) enrolments are counted in */
	char *code, *name;     /* the database's region: "96.71", "Kota Sorong" */
	int is_city;
	char generated[40];    /* local time the report was made */
	int nprograms;
	char programs[SK_REPORT_PROGRAMS][8];   /* JKK, JKM, JHT as enrolled */
	struct sk_report_table districts, kelurahan, occupations, funders;
	size_t nbills;
	struct sk_report_funder *bills;         /* by funder name; funders with a budget included */
	int64_t unrated;       /* enrolment-months with no rate in force: not priced */
};

/* Computes the report of db for year (2000-2100), counting enrolments in force in month (1-12)
 * of it.  Each month of the year is billed like sk_bill(): every enrolment covering the month on
 * any day, priced by the rate in force on its first day; later months of the current year are
 * billed from the enrolments as they stand, so the run-out month is at the present rate.
 * *out is freed with sk_report_free(). */
int sk_report_build(struct sk_report **out, struct sk_db *db, int year, int month);
void sk_report_free(struct sk_report *r);
/* One funder's conclusion, one line: "the APBD Kota budget for 2024 runs out in June 2024: 5
 * months of 12 paid", "... lasts the year: 12 months of 12 paid", "no budget set for ...". */
void sk_report_conclusion(char *out, size_t n, const struct sk_report *r, const struct sk_report_funder *f);
/* The report as readable text tables. */
int sk_report_write_text(const struct sk_report *r, FILE *f);
/* One CSV per table (districts, kelurahan, occupations, funders, bill-YEAR, budget-YEAR .csv)
 * in dir, which is created when missing; files are readable by their owner only. */
int sk_report_write_csv(const struct sk_report *r, const char *dir);
/* The same tables as the sheets of one .xlsx workbook at path, every cell text. */
int sk_report_write_xlsx(const struct sk_report *r, const char *path);
/* One self-contained HTML page with inline SVG charts, nothing loaded from elsewhere, readable
 * by its owner only; written to a temporary file and renamed over path. */
int sk_report_write_html(const struct sk_report *r, const char *path);

/* ---- restore ----
 * Any district, or the whole city, rebuilt as it was at a past point from the local repository
 * alone, and checked against the state digests the change-sets recorded (README.md,
 * "Restoring").  A point is a date ("2024-02-28": the end of that day; "2024-02-28 14:00": the
 * end of that minute; "@SECONDS" since the epoch) read against each change-set's clock, a
 * commit id (7 to 40 hex digits), or a tag (a snapshot's NAME, or refs/tags/...).  These take
 * the path of the office's database; its repository is beside it (office.db -> office.git)
 * and checkpoints are kept in office.checkpoints/. */
struct sk_restore_opts {
	const char *at;          /* the point */
	const char *out;         /* the file written: refused when it exists, unless it is the
				    live database and replace is set */
	const char *district;    /* at the city: that district alone, as it recorded itself */
	int replace;             /* out may be the live database: kept first as
				    OUT.before-restore-YYYYmmdd-HHMMSS; only the office's latest state */
	int no_checkpoints;      /* neither use nor write checkpoints (also $SINKRON_NO_CHECKPOINTS) */
	sk_progress_fn progress;
	void *payload;
};
struct sk_restore_branch {
	char origin[24], commit[41];
	uint64_t number, total;  /* the last change-set taken (0: none), of total on the branch */
	uint64_t clock;          /* its clock */
	int64_t time;            /* its commit time (the office's wall clock), s */
	uint32_t flags;          /* its SK_CSF_* */
};
struct sk_restore_result {
	int verified;            /* 1: the digest equals every recorded digest compared */
	size_t checked;          /* recorded digests compared (the city: one per district) */
	char digest[2 * SK_HASH_SIZE + 1];   /* recomputed from the restored rows */
	char recorded[2 * SK_HASH_SIZE + 1]; /* a district or a snapshot: the recorded one */
	char *point;             /* the point as understood, in words */
	size_t nbranches;
	struct sk_restore_branch *branch; /* the branches taken, nbranches of them */
	size_t rows;
	size_t applied;          /* change-sets applied now */
	size_t from_checkpoint;  /* change-sets that came already applied in a checkpoint */
	size_t checkpoints_written;
	size_t index_written;    /* branch indexes written (new, grown or rebuilt) */
	size_t index_rebuilt;    /* branch indexes found damaged or stale and made again */
	char *kept;              /* replace: where the previous file was kept (NULL none) */
};
/* Frees what a restore result owns (point, branch, kept) and empties it; NULL is ignored. */
void sk_restore_result_release(struct sk_restore_result *res);
/* Writes the office (a district: itself; the city: every district it fetched and its own
 * branch, or o->district alone) as at o->at into o->out, through a temporary file renamed
 * when every check passed.  SK_ECORRUPT: a damaged object (named) or a digest that differs
 * from the recorded one ("DIGEST MISMATCH"); no file is left.  SK_ENOTFOUND: nothing at that
 * point; SK_EINVALID: bad point, existing output, --replace not at the latest state. */
int sk_restore(const char *dbpath, const struct sk_restore_opts *o, struct sk_restore_result *res);
/* res is filled even when the restore fails (what it reached): released by the caller in both cases. */

/* Rebuilds a damaged local repository (objects lost, a pack corrupted) without losing anything:
 * the old one is kept aside as DB.git.damaged-YYYYmmdd-HHMMSS; the new one takes every object of
 * it that still reads whole and the central repository's copy of this office's branch (r may be
 * NULL: no fetch).  When the change-set the database last sealed is then whole, the branch goes
 * back to it.  Otherwise the change-sets after the last whole one, never received by the city,
 * are sealed again: their rows (the office's own edits since) go back into the outbox, so the
 * next seal carries them under the same numbers.  SK_ECONFLICT when the central holds
 * change-sets of this office that the database does not know (an old copy: restore --replace). */
struct sk_repair_result {
	char kept[600];       /* where the damaged repository was put */
	size_t salvaged;      /* objects copied from it */
	size_t unreadable;    /* objects of it that could not be read */
	int central;          /* the central's copy of the branch was fetched */
	uint64_t fetched;     /* bytes received */
	size_t whole;         /* change-sets of this office whole in the new repository */
	size_t lost;          /* change-sets lost, to be sealed again */
	size_t requeued;      /* row changes put back into the outbox */
};
int sk_repair(struct sk_db *db, const struct sk_remote *r, struct sk_repair_result *res);

struct sk_undo_result {
	size_t changed;          /* rows brought back to their values at the point */
	size_t removed;          /* rows this office made after the point, removed */
	size_t lost;             /* rows deleted after the point: a delete is final */
	size_t changesets;       /* new change-sets sealed with the undo */
	struct sk_restore_result restore;
};
/* At a district: brings the rows it owns back to what they were at the point, as ordinary
 * changes that are captured and sealed as new change-sets (history is never rewritten).
 * SK_EINVALID at the city. */
int sk_restore_undo(const char *dbpath, const char *at, const char *operator_name, struct sk_undo_result *res);
void sk_undo_result_release(struct sk_undo_result *res);

/* Where snapshots live in a repository: SK_REF_SNAPSHOT + NAME. */
#define SK_REF_SNAPSHOT "refs/tags/snapshot/"
struct sk_snapshot {
	const char *name, *tagger, *message, *commit, *digest;
	int64_t time;            /* when taken, s */
	size_t branches;
};
/* Seals what is pending, then tags the office's state as refs/tags/snapshot/NAME: an
 * annotated tag whose message lists every branch's last change-set and digest, and the
 * office's digest, after the lines summary (may be NULL) returns for the database (an owned
 * string of whole lines, or NULL for none).  *message_out (owned by the caller) is that
 * message.  SK_ECONFLICT when the name is taken; SK_EINVALID for a name git refuses. */
int sk_snapshot_create(const char *dbpath, const char *name, const char *note, const char *operator_name,
		       char *(*summary)(void *payload, struct sk_db *db), void *payload, char **message_out);
int sk_snapshot_each(const char *dbpath, int (*fn)(void *payload, const struct sk_snapshot *s), void *payload);

struct sk_diff_entry {
	const char *what;        /* "added", "changed", "ended", "removed" */
	const char *id, *owner, *nik, *name;
	const char *fields;      /* changed and ended: "phone, address" */
};
struct sk_diff_result {
	size_t added, changed, ended, removed;
	struct sk_restore_result a, b;
};
/* Restores points a and b into temporary files and calls fn for each worker that differs. */
int sk_diff(const char *dbpath, const char *a, const char *b, const char *district,
	    int (*fn)(void *payload, const struct sk_diff_entry *e), void *payload, struct sk_diff_result *res);
void sk_diff_result_release(struct sk_diff_result *res);

/* ---- for the web pages ---- */
/* For a connection that shares the database with others in the same process (the web pages'
 * threads): waits up to busy_ms for another connection's write lock instead of failing at once,
 * so a clerk's save made while a sync writes waits for it (WAL lets readers go on), and keeps a
 * page cache of cache_kib KiB instead of the engine's 32 MiB. */
void sk_db_share(struct sk_db *db, int busy_ms, int cache_kib);
enum { SK_MARK_UNSENT = 0, SK_MARK_SENT = 1, SK_MARK_RECEIVED = 2 };
/* How far the worker id's record (with its heirs and enrolments) has travelled: a change not
 * yet in the central repository, all of it there, or all of it applied by the city. */
int sk_worker_mark(struct sk_db *db, const char *id, int *out);
/* The checks sk_worker_add makes of in, changing nothing: the issues in *is; SK_EINVALID when
 * one is an error.  So a form can show warnings for the clerk to confirm before saving. */
int sk_worker_check(struct sk_db *db, struct sk_issues *is, const struct sk_worker_input *in);
struct sk_history_entry {
	const char *pk;            /* the row: the worker's id, or one of its heirs or enrolments */
	int64_t at;                /* when the change was made, ms (the office's clock) */
	const char *operator_name; /* who made it */
	const char *origin;        /* the office (or the city) whose change-set carries it */
	const char *table;         /* workers, heirs, enrolments */
	const char *fields;        /* the columns it set: "phone, address" */
	int deleted;
	uint64_t number;           /* the change-set's number along its branch */
};
/* Calls fn for each change to the worker id (and its heirs and enrolments) carried by the
 * change-sets of the local repository: this office's, oldest first, then the city's to it (at the
 * city: the owning district's as fetched, then the city's own).
 * Changes not yet sealed are in the outbox, not here.  fn returns non-zero to stop. */
int sk_worker_history(struct sk_db *db, const char *id, int (*fn)(void *payload, const struct sk_history_entry *e),
		      void *payload);

#endif

/*
 * validate.h: turning what clerks type and what spreadsheets hold into validated worker
 * fields, with issues a clerk can act on (validate.c), and mapping the columns of an
 * imported CSV onto a worker (importmap.c).  Pure functions: no database.  Internal to the
 * register's domain, sync/register/; calendar arithmetic is dates.h's.
 *
 * Every sk_check_* takes the text as typed (NULL is treated as ""), writes the normalised
 * value to its out parameter, adds issues to `is` under the field name a clerk knows, and
 * returns 1 if it added an error, 0 otherwise (warnings included).  Issues follow
 * data/README.md: NIK structure is an error; a NIK whose date or sex disagree with the
 * record is a warning.
 */
#ifndef SK_VALIDATE_H
#define SK_VALIDATE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dates.h"
#include "api/registry.h"

/* Field names as clerks know them; issues point at these exact strings. */
#define SK_F_NIK "NIK"
#define SK_F_KK "No KK"
#define SK_F_NAME "Nama"
#define SK_F_BIRTH_PLACE "Tempat Lahir"
#define SK_F_BIRTH_DATE "Tanggal Lahir"
#define SK_F_SEX "Jenis Kelamin"
#define SK_F_ADDRESS "Alamat"
#define SK_F_KELURAHAN "Kelurahan"
#define SK_F_PHONE "No HP"
#define SK_F_OCCUPATION "Pekerjaan"
#define SK_F_WORKPLACE "Tempat Kerja"
#define SK_F_INCOME "Penghasilan"
#define SK_F_ROW "Baris" /* the row as a whole: more cells than the header has */

#define SK_NIK_SIZE 17   /* 16 digits and NUL */
#define SK_PHONE_SIZE 16 /* up to 13 digits and NUL */
#define SK_NAME_MAX 100  /* characters (not bytes) of a name */
#define SK_TEXT_MAX 200  /* characters of an address, place, occupation */
#define SK_INCOME_MAX 100000000 /* exclusive, rupiah per month */
#define SK_AGE_MIN 15
#define SK_AGE_MAX 100

/* Adds an issue (reason formatted like printf).  When the list is full a warning is dropped;
 * an error replaces a warning if there is one, so an error is never lost silently; what is
 * left out is counted in is->dropped. */
void sk_issues_add(struct sk_issues *is, int error, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* ---- dates as people write them (calendar arithmetic: dates.h); functions below take
 * `today` as an argument so tests can fix it ---- */

/* Parses a date as people write it, into out "YYYY-MM-DD": DD/MM/YYYY, DD-MM-YYYY, D/M/YYYY,
 * DD.MM.YYYY, YYYY-MM-DD, "12 Agustus 1985", "12 Agu 1985", "12-Aug-1985", "August 12, 1985"
 * (Indonesian and English month names, full or short, any case); a trailing time
 * ("00:00:00") is ignored.  A two-digit year is read in the century that puts the date
 * latest but not after today.
 * Returns 0, or SK_EINVALID with the reason in why (e.g. "31/02/1990 does not exist").
 * Not checked here: future dates. *two_digit is set to 1 when the year had two digits. */
int sk_parse_date(char out[SK_DATE_SIZE], int *two_digit, const char *text, long today,
		  char *why, size_t whylen);

/* ---- field checks ---- */
/* NIK: 16 digits (spaces and a leading apostrophe are dropped), regency code of the first 4
 * digits in the embedded kabupaten_kota.csv, district 01-99, birth date DDMMYY with the day
 * +40 for women, serial not 0000.  A NIK a spreadsheet turned into a number ("9.67101E+15")
 * gets its own reason.  out is "" unless valid. */
int sk_check_nik(struct sk_issues *is, char out[SK_NIK_SIZE], const char *text);
/* No KK: empty allowed (out ""); else 16 digits, regency code, digits 7-12 an issue date
 * DDMMYY, serial not 0000. */
int sk_check_kk(struct sk_issues *is, char out[SK_NIK_SIZE], const char *text);
/* Warnings only, under "NIK": the NIK's date (day, month, two-digit year) against birth_date
 * ("YYYY-MM-DD") and the NIK's sex (day > 40: female) against sex ("L"/"P").  Any argument
 * NULL or empty skips its comparison.  Returns 0. */
int sk_check_nik_match(struct sk_issues *is, const char *nik, const char *birth_date, const char *sex);
/* A date under `field` (not in the future); out "" unless valid.  Empty is an error when
 * required, else out "" and no issue. */
int sk_check_date(struct sk_issues *is, const char *field, char out[SK_DATE_SIZE],
		  const char *text, long today, int required);
/* Tanggal Lahir: a required date, not in the future, age SK_AGE_MIN..SK_AGE_MAX on today;
 * a two-digit year gives a warning saying how it was read. */
int sk_check_birth_date(struct sk_issues *is, char out[SK_DATE_SIZE], const char *text, long today);
/* Jenis Kelamin: L, P, Laki-laki, Laki Laki, Pria, Perempuan, Wanita, M, F, Male, Female
 * (any case) to "L" or "P". */
int sk_check_sex(struct sk_issues *is, char out[2], const char *text);
/* No HP: spaces, dashes, dots and parentheses dropped, +62/62 read as 0, then 9-13 digits
 * starting with 0; empty allowed (out "").  A number a spreadsheet stripped of its leading
 * zero (812...) is repaired with a warning. */
int sk_check_phone(struct sk_issues *is, char out[SK_PHONE_SIZE], const char *text);
/* Penghasilan: "1500000", "Rp 1.500.000", "1,500,000", "Rp1.500.000,00", "1,5 juta", "1 jt",
 * "500 rb"; 0 <= income < SK_INCOME_MAX; empty gives 0 (unknown). */
int sk_check_income(struct sk_issues *is, int64_t *out, const char *text);
/* Nama (or another person's name under `field`): trimmed, inner spaces collapsed, required,
 * no digits or control characters, at most SK_NAME_MAX characters; case kept.  *out is
 * malloc'ed (NULL on error) and owned by the caller. */
int sk_check_name(struct sk_issues *is, const char *field, char **out, const char *text);
/* Free text (Alamat, Tempat Lahir, ...): trimmed, inner spaces collapsed, no control
 * characters, at most max characters; empty is an error only when required.  *out is
 * malloc'ed, NULL when empty or on error. */
int sk_check_text(struct sk_issues *is, const char *field, char **out, const char *text,
		  size_t max, int required);

/* A kelurahan of the district, as the caller reads it from its database. */
struct sk_kelurahan {
	const char *code; /* "96.71.01.1001" */
	const char *name; /* "Remu Utara" */
};
/* Kelurahan: a full code (96.71.01.1001), the code without dots (9671011001), its last four
 * digits (1001) or the name, ignoring case, spaces and a "Kel."/"Kelurahan" prefix.  *out
 * points into list (NULL on error).  Not found: "kelurahan 'X' is not in distrik <name>",
 * with the closest name suggested, or the distrik it does belong to when it is a kelurahan
 * of the same city in the embedded wilayah_kota.csv. */
int sk_check_kelurahan(struct sk_issues *is, const struct sk_kelurahan **out, const char *text,
		       const struct sk_kelurahan *list, size_t n, const char *distrik);

/* ---- a whole worker ---- */
struct sk_validate_ctx {
	const struct sk_kelurahan *kel; /* the district's kelurahan */
	size_t nkel;
	const char *distrik;  /* its name, for messages: "Sorong" */
	long today;           /* sk_date_today() */
};

/* struct sk_worker_input, a worker's entry fields as typed, is public: sync.h. */

/* Checks every field of in and fills out's entry fields (nik, kk, name, birth_place,
 * birth_date, sex, address, kelurahan (the code), phone, occupation, workplace: malloc'ed,
 * NULL when empty or invalid; income).  out must be zeroed by the caller; its other fields
 * (id, owner, status, ...) are left alone.  Returns 0, or SK_EINVALID when `is` holds an
 * error, with the first one in sk_error_last().  Either way the caller releases out. */
int sk_worker_from_input(struct sk_worker *out, struct sk_issues *is,
			 const struct sk_worker_input *in, const struct sk_validate_ctx *ctx);

/* ---- CSV import: columns to fields (sync/register/importmap.c) ---- */
enum sk_col {
	SK_COL_NIK, SK_COL_KK, SK_COL_NAME, SK_COL_BIRTH_PLACE, SK_COL_BIRTH_DATE, SK_COL_SEX,
	SK_COL_ADDRESS, SK_COL_KELURAHAN, SK_COL_PHONE, SK_COL_OCCUPATION, SK_COL_WORKPLACE,
	SK_COL_INCOME, SK_COL_TTL,
	SK_COL_COUNT
};

struct sk_import_map {
	int col[SK_COL_COUNT]; /* index of the CSV column holding each field, -1 when absent */
	size_t ncols;          /* columns in the header */
	size_t nunknown;
	char **unknown;        /* header texts of the columns ignored, for a warning */
};

/* Maps a header row: each header, normalised (case, spaces, dots, underscores, commas, '/'
 * and '-' ignored, and a note in brackets: "Tanggal Lahir (DD/MM/YYYY)"), is looked up among the Indonesian and English aliases of a field.  Unknown
 * columns are listed in out->unknown.  SK_EINVALID when required columns are missing (NIK,
 * Nama, Tanggal Lahir or TTL, Jenis Kelamin, Kelurahan: all named in the message) or one field
 * has two columns.  out is released with sk_import_map_release() whatever the result. */
int sk_import_map_header(struct sk_import_map *out, const char *const *header, size_t n);
void sk_import_map_release(struct sk_import_map *m);
/* The field of one header text, or -1. */
int sk_import_column(const char *header);

/* Maps one CSV record through m and checks it as sk_worker_from_input() does; a record with
 * non-empty cells beyond the header's columns is an error under SK_F_ROW (a delimiter inside
 * an unquoted value shifts the columns).  Same return and ownership as sk_worker_from_input(). */
int sk_import_row(struct sk_worker *out, struct sk_issues *is, const struct sk_import_map *m,
		  const struct sk_validate_ctx *ctx, const char *const *fields, size_t n);

/* Writes the empty import template: the header line
 * NIK,No KK,Nama Lengkap,Tempat Lahir,Tanggal Lahir,Jenis Kelamin,Alamat,Kelurahan,No HP,
 * Pekerjaan,Tempat Kerja,Penghasilan and CRLF.  SK_ERROR if the write fails. */
int sk_import_template(FILE *f);

#endif

/*
 * csv.h: a streaming CSV reader for the spreadsheets field officers bring back (Excel,
 * LibreOffice, Google Sheets) and the writer used by export and the import template.
 * Internal to sync/.
 *
 * Reader: RFC 4180 quoting (delimiters, doubled quotes and line ends inside quotes); CRLF, LF
 * or CR line ends; a UTF-8 byte order mark skipped; the delimiter detected from the header
 * line (',' ';' or tab, the most frequent outside quotes; an Excel "sep=;" first line is
 * obeyed and skipped); every field trimmed of surrounding spaces and tabs, quoted or not;
 * rows whose fields are all empty (blank lines, ",,,," rows) skipped.
 *
 * Encoding: a record that is not valid UTF-8 is read as Windows-1252 (what Excel's "CSV
 * (Comma delimited)" writes on an Indonesian Windows) and converted to UTF-8;
 * sk_csv_recoded() says so, so the caller can warn.  With sk_csv_set_strict() such a record is
 * an error instead.  A NUL byte, or a byte Windows-1252 leaves undefined, is always an error.
 */
#ifndef SK_CSV_H
#define SK_CSV_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SK_CSV_MAX_RECORD (64u << 10) /* bytes of one record, default */
#define SK_CSV_MAX_FIELD (8u << 10)   /* bytes of one field, default */

struct sk_csv;

/* Opens the file at path for reading.  An Excel workbook (.xlsx, .xls) is read too: the rows of
 * its first sheet are the records (sheet.h).  SK_ENOTFOUND if it does not exist, SK_ERROR if it
 * cannot be read.  Free with sk_csv_free(). */
int sk_csv_open(struct sk_csv **out, const char *path);
/* Reads from an open stream (stdin, say), which stays the caller's; name is for messages. */
int sk_csv_open_fp(struct sk_csv **out, FILE *f, const char *name);
/* Reads from memory, which must outlive the reader. */
int sk_csv_open_mem(struct sk_csv **out, const void *data, size_t len);
void sk_csv_free(struct sk_csv *c);

/* Limits on one field and one record in bytes (0 keeps the current one); call before the
 * first sk_csv_next(). */
void sk_csv_set_limits(struct sk_csv *c, size_t max_field, size_t max_record);
/* strict != 0: a record that is not valid UTF-8 is an error rather than read as Windows-1252. */
void sk_csv_set_strict(struct sk_csv *c, int strict);

/* Reads the next record.  Returns 1 with *fields (an array of *n NUL-terminated UTF-8
 * strings) and *line (the physical line, from 1, where the record starts); 0 at the end of
 * the input; SK_EINVALID for a bad record (longer than a limit, a quote left open or followed
 * by other text, bad encoding) with a message naming the line, after which the reader has
 * skipped that record and the next call goes on with the following one (*line is set too);
 * SK_ERROR on a read error, after which the reader is done.  Input that is no CSV text at
 * all (an .xlsx/.ods/.xls workbook, UTF-16 text) gives SK_EINVALID saying so on the first call,
 * then the end.  The fields belong to the reader
 * and stay valid until the next call or sk_csv_free(); the caller may modify the strings in
 * place but must not free them.  The first record is the header. */
int sk_csv_next(struct sk_csv *c, char ***fields, size_t *n, long *line);

/* The delimiter in use: ',' ';' or '\t' (known after the first sk_csv_next()). */
int sk_csv_delimiter(const struct sk_csv *c);
/* 1 if the record last returned was converted from Windows-1252. */
int sk_csv_recoded(const struct sk_csv *c);
/* Progress: bytes consumed so far and the input's size (0 when unknown, as for a pipe). */
void sk_csv_progress(const struct sk_csv *c, uint64_t *done, uint64_t *total);

/* How a CSV file is written: the delimiter, a UTF-8 byte order mark first, CRLF line ends, and
 * Windows-1252 instead of UTF-8.  An Indonesian Excel opens {';', 1, 1, 0} as columns with the
 * names intact (its list separator is ';'). */
struct sk_csv_style {
	int delim, bom, crlf, cp1252;
	int xlsx;   /* the input was a workbook: write an .xlsx */
};
#define SK_CSV_EXCEL_ID {';', 1, 1, 0, 0}
/* The dialect and encoding of the input read so far (after the first record), so a reject file
 * can be written as the office's spreadsheet program wrote the input. */
void sk_csv_style_of(const struct sk_csv *c, struct sk_csv_style *out);
/* The byte order mark, when the style has one: call once before the first row. */
int sk_csv_write_start(FILE *f, const struct sk_csv_style *st);
/* One record in style st (NULL: comma, CRLF, UTF-8).  Quoting as below; a field a spreadsheet
 * would run as a formula (starting with =, +, -, @, a tab or CR, and not a plain number) is
 * written behind an apostrophe, so Excel shows it as text and never runs it. */
int sk_csv_write(FILE *f, const struct sk_csv_style *st, const char *const *fields, size_t n);
/* Writes one record of n fields to f, comma-separated, ended by CRLF, formulas neutralised.  A field is quoted when
 * it holds a comma, semicolon, quote, CR, LF or tab, or starts or ends with a space (which the
 * reader would trim); quotes inside are doubled.  NULL fields are written empty.  SK_ERROR
 * with a message if the write fails. */
int sk_csv_write_row(FILE *f, const char *const *fields, size_t n);

#endif

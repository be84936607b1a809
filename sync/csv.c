/*
 * csv.c: the streaming CSV reader and writer of csv.h.  The reader is a byte-at-a-time state
 * machine over a 64 KiB window of the input, so memory stays bounded by the record limit
 * whatever the file holds; a bad record is consumed to its end so the next one can be read.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "common.h"
#include "csv.h"
#include "sheet.h"

#define WINDOW (64u << 10)

struct sk_csv {
	FILE *f;
	int own_f;
	char *name;
	const unsigned char *data; /* the window: iobuf, or the caller's memory */
	unsigned char *iobuf;
	size_t pos, len;
	int eof, ioerr;
	uint64_t consumed, total;
	long line;                 /* physical line of the next byte */
	int delim, started, strict, recoded;
	int bom, crlf, recoded_any;             /* the input began with a UTF-8 BOM; its first line ended CRLF */
	int utf8;                  /* the input is UTF-8 (a BOM, or mostly valid multi-byte text):
				      a record that is not is refused rather than read as Windows-1252 */
	const char *not_csv;       /* why the input is no CSV text at all, or NULL */
	size_t max_field, max_record;
	struct sk_buf rec;         /* the record's fields, each NUL-terminated */
	size_t *offs;
	size_t noffs, aoffs;
	char **fields;
	size_t afields;
	struct sk_buf conv;        /* the record converted from Windows-1252 */
	struct sk_rows *table;     /* a workbook's sheet, read whole within bounds; NULL for CSV */
	size_t ti;                 /* its next row */
};

static struct sk_csv *csv_new(const char *name)
{
	struct sk_csv *c = sk_calloc(1, sizeof(*c));
	c->name = sk_strdup(name);
	c->line = 1;
	c->max_field = SK_CSV_MAX_FIELD;
	c->max_record = SK_CSV_MAX_RECORD;
	sk_buf_init(&c->rec, 0);
	sk_buf_init(&c->conv, 0);
	return c;
}

static void csv_size(struct sk_csv *c)
{
	struct stat st;
	int fd = fileno(c->f);
	if (fd >= 0 && !fstat(fd, &st) && S_ISREG(st.st_mode))
		c->total = (uint64_t)st.st_size;
}

int sk_csv_open(struct sk_csv **out, const char *path)
{
	FILE *f = fopen(path, "rb");
	struct sk_csv *c;
	unsigned char magic[8] = {0};
	if (!f)
		return sk_error(errno == ENOENT ? SK_ENOTFOUND : SK_ERROR, "cannot open '%s': %s",
				path, strerror(errno));
	/* an Excel workbook: its first sheet, read whole within bounds, rows as records */
	if (fread(magic, 1, sizeof(magic), f) >= 4 &&
	    (!memcmp(magic, "PK\x03\x04", 4) || !memcmp(magic, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8))) {
		struct sk_rows *rows = NULL;
		int rc;
		fclose(f);
		rc = magic[0] == 'P' ? sk_xlsx_read(&rows, path) : sk_xls_read(&rows, path);
		if (rc < 0)
			return rc;
		c = csv_new(path);
		c->table = rows;
		c->started = 1;
		c->utf8 = 1;
		c->total = rows->n;
		*out = c;
		return 0;
	}
	rewind(f);
	c = csv_new(path);
	c->f = f;
	c->own_f = 1;
	c->iobuf = sk_malloc(WINDOW);
	c->data = c->iobuf;
	csv_size(c);
	*out = c;
	return 0;
}

int sk_csv_open_fp(struct sk_csv **out, FILE *f, const char *name)
{
	struct sk_csv *c = csv_new(name ? name : "-");
	c->f = f;
	c->iobuf = sk_malloc(WINDOW);
	c->data = c->iobuf;
	csv_size(c);
	*out = c;
	return 0;
}

int sk_csv_open_mem(struct sk_csv **out, const void *data, size_t len)
{
	struct sk_csv *c = csv_new("(memory)");
	c->data = data;
	c->len = len;
	c->eof = 1;
	c->total = len;
	*out = c;
	return 0;
}

void sk_csv_free(struct sk_csv *c)
{
	if (!c)
		return;
	if (c->own_f)
		fclose(c->f);
	sk_rows_free(c->table);
	free(c->name);
	free(c->iobuf);
	free(c->offs);
	free(c->fields);
	sk_buf_release(&c->rec);
	sk_buf_release(&c->conv);
	free(c);
}

void sk_csv_set_limits(struct sk_csv *c, size_t max_field, size_t max_record)
{
	if (max_field)
		c->max_field = max_field;
	if (max_record)
		c->max_record = max_record;
}

void sk_csv_set_strict(struct sk_csv *c, int strict)
{
	c->strict = strict;
}

int sk_csv_delimiter(const struct sk_csv *c)
{
	return c->delim ? c->delim : ',';
}

int sk_csv_recoded(const struct sk_csv *c)
{
	return c->recoded;
}

void sk_csv_progress(const struct sk_csv *c, uint64_t *done, uint64_t *total)
{
	if (done)
		*done = c->consumed;
	if (total)
		*total = c->total;
}

/* Moves what is left of the window to its start and reads more behind it. */
static void fill(struct sk_csv *c)
{
	size_t got;
	if (c->eof || !c->f)
		return;
	if (c->pos) {
		memmove(c->iobuf, c->iobuf + c->pos, c->len - c->pos);
		c->len -= c->pos;
		c->pos = 0;
	}
	if (c->len == WINDOW)
		return;
	got = fread(c->iobuf + c->len, 1, WINDOW - c->len, c->f);
	c->len += got;
	if (got == 0) {
		c->eof = 1;
		if (ferror(c->f))
			c->ioerr = errno ? errno : EIO;
	}
}

static int peekc(struct sk_csv *c)
{
	if (c->pos == c->len) {
		fill(c);
		if (c->pos == c->len)
			return EOF;
	}
	return c->data[c->pos];
}

static int getc_(struct sk_csv *c)
{
	int ch = peekc(c);
	if (ch != EOF) {
		c->pos++;
		c->consumed++;
	}
	return ch;
}

/* Consumes a line end whose first byte was ch (CR, LF or CRLF). */
static void end_line(struct sk_csv *c, int ch)
{
	if (ch == '\r' && peekc(c) == '\n')
		getc_(c);
	c->line++;
}

/* Reads the header's first line into the window (it fits unless longer than the window) and
 * picks the delimiter that occurs most often in it outside quotes. */
/* Whether a file is UTF-8 text: more valid multi-byte sequences than bytes that are not UTF-8.
 * A regular file is read through once (then put back where it was); otherwise the window. */
static int scan_utf8(struct sk_csv *c)
{
	unsigned char buf[1 << 16];
	size_t good = 0, bad = 0, carry = 0, got;
	long back;
	const unsigned char *p = c->data + c->pos, *end = c->data + c->len;

	if (!c->f || c->total == 0 || (back = ftell(c->f)) < 0) {
		for (; p < end; p++)
			if (*p >= 0x80) {
				size_t k = (size_t)(end - p) < 4 ? (size_t)(end - p) : 4;
				size_t len = (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 : (*p & 0xf8) == 0xf0 ? 4 : 0;
				if (len && len <= k && sk_utf8_valid(p, len, 0)) {
					good++;
					p += len - 1;
				} else {
					bad++;
				}
			}
		return good > bad;
	}
	if (fseek(c->f, 0, SEEK_SET) != 0)
		return 0;
	while ((got = fread(buf + carry, 1, sizeof(buf) - carry, c->f)) > 0) {
		size_t n = carry + got, i = 0;
		carry = 0;
		while (i < n) {
			unsigned char b = buf[i];
			size_t len;
			if (b < 0x80) {
				i++;
				continue;
			}
			len = (b & 0xe0) == 0xc0 ? 2 : (b & 0xf0) == 0xe0 ? 3 : (b & 0xf8) == 0xf0 ? 4 : 0;
			if (len && i + len > n && !feof(c->f)) {
				/* a sequence cut by the buffer: carried into the next read */
				carry = n - i;
				memmove(buf, buf + i, carry);
				break;
			}
			if (len && i + len <= n && sk_utf8_valid(buf + i, len, 0)) {
				good++;
				i += len;
			} else {
				bad++;
				i++;
			}
		}
	}
	clearerr(c->f);
	if (fseek(c->f, back, SEEK_SET) != 0)
		c->ioerr = 1;
	return good > bad;
}

static void detect(struct sk_csv *c)
{
	static const char bom[] = "\xef\xbb\xbf";
	size_t i, n[3] = {0, 0, 0};
	int inq = 0;

	c->started = 1;
	for (;;) {
		const unsigned char *nl = memchr(c->data + c->pos, '\n', c->len - c->pos);
		const unsigned char *cr = memchr(c->data + c->pos, '\r', c->len - c->pos);
		if (nl || cr || c->eof || c->len - c->pos == WINDOW)
			break;
		size_t before = c->len;
		fill(c);
		if (c->len == before)
			break;
	}
	/* what clerks pick instead of CSV: refused as a whole, with what to do */
	if (c->len - c->pos >= 2 && (!memcmp(c->data + c->pos, "\xff\xfe", 2) ||
				     !memcmp(c->data + c->pos, "\xfe\xff", 2)))
		c->not_csv = "the file is UTF-16 text (Excel \"Unicode Text\"); save it as \"CSV UTF-8\"";
	else if (c->len - c->pos >= 4 && !memcmp(c->data + c->pos, "PK\x03\x04", 4))
		c->not_csv = "the file is a workbook (.xlsx or .ods), not CSV; save it as \"CSV UTF-8\"";
	else if (c->len - c->pos >= 8 && !memcmp(c->data + c->pos, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8))
		c->not_csv = "the file is an old Excel workbook (.xls), not CSV; save it as \"CSV UTF-8\"";
	if (c->not_csv) {
		c->consumed += c->len - c->pos;
		c->pos = c->len;
		c->total = c->total ? c->total : c->consumed;
		return;
	}
	if (c->len - c->pos >= 3 && !memcmp(c->data + c->pos, bom, 3)) {
		c->pos += 3;
		c->consumed += 3;
		c->bom = c->utf8 = 1;
	} else {
		c->utf8 = scan_utf8(c);
	}
	for (i = c->pos; i < c->len; i++)
		if (c->data[i] == '\n' || c->data[i] == '\r') {
			c->crlf = c->data[i] == '\r' && i + 1 < c->len && c->data[i + 1] == '\n';
			break;
		}
	/* Excel writes and obeys a first line "sep=;" naming the delimiter */
	if (c->len - c->pos >= 5 && !strncasecmp((const char *)c->data + c->pos, "sep=", 4) &&
	    (c->len - c->pos == 5 || c->data[c->pos + 5] == '\r' || c->data[c->pos + 5] == '\n')) {
		int d = c->data[c->pos + 4];
		if (d == ',' || d == ';' || d == '\t' || d == '|') {
			c->delim = d;
			c->pos += 5;
			c->consumed += 5;
			if (peekc(c) != EOF)
				end_line(c, getc_(c));
			return;
		}
	}
	/* the most a single line of the first ones has of each: a sheet may start with title lines
	 * that have no delimiter, or a comma in a sentence, above its header */
	{
		size_t cur[3] = {0, 0, 0};
		int lines = 0;
		for (i = c->pos; i < c->len && lines < 20; i++) {
			unsigned char ch = c->data[i];
			if (ch == '"') {
				inq = !inq;
			} else if (!inq && (ch == '\n' || ch == '\r')) {
				for (int k = 0; k < 3; k++) {
					if (cur[k] > n[k])
						n[k] = cur[k];
					cur[k] = 0;
				}
				lines++;
			} else if (!inq && ch == ',') {
				cur[0]++;
			} else if (!inq && ch == ';') {
				cur[1]++;
			} else if (!inq && ch == '\t') {
				cur[2]++;
			}
		}
		for (int k = 0; k < 3; k++)
			if (cur[k] > n[k])
				n[k] = cur[k];
	}
	c->delim = ',';
	if (n[1] > n[0] && n[1] >= n[2])
		c->delim = ';';
	else if (n[2] > n[0] && n[2] > n[1])
		c->delim = '\t';
}

static int is_blank(int ch, int delim)
{
	return ch == ' ' || (ch == '\t' && delim != '\t');
}


/* Windows-1252 bytes 0x80-0x9f; 0 marks the five it leaves undefined. */
static const uint16_t cp1252[32] = {
	0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0,
	0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
};

static void put_utf8(struct sk_buf *b, uint32_t cp)
{
	unsigned char t[3];
	if (cp < 0x80) {
		sk_buf_putc(b, (int)cp);
	} else if (cp < 0x800) {
		t[0] = (unsigned char)(0xc0 | (cp >> 6));
		t[1] = (unsigned char)(0x80 | (cp & 0x3f));
		sk_buf_put(b, t, 2);
	} else {
		t[0] = (unsigned char)(0xe0 | (cp >> 12));
		t[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		t[2] = (unsigned char)(0x80 | (cp & 0x3f));
		sk_buf_put(b, t, 3);
	}
}

/* Makes the record's fields valid UTF-8, converting from Windows-1252 if they are not. */
static int check_encoding(struct sk_csv *c, long line)
{
	c->recoded = 0;
	if (sk_utf8_valid(c->rec.ptr, c->rec.len, 1))
		return 0;
	/* the first offending byte, for the message */
	size_t i;
	for (i = 0; i < c->rec.len && c->rec.ptr[i] < 0x80; i++)
		;
	if (c->strict)
		return sk_error(SK_EINVALID, "line %ld: not valid UTF-8 (byte 0x%02x); save the file as "
				"\"CSV UTF-8\"", line, i < c->rec.len ? c->rec.ptr[i] : 0);
	if (c->utf8)
		return sk_error(SK_EINVALID, "line %ld: the file is UTF-8 but this line holds a byte that is not "
				"(0x%02x): retype the damaged letters of this line", line, i < c->rec.len ? c->rec.ptr[i] : 0);
	c->conv.len = 0;
	for (i = 0; i < c->rec.len; i++) {
		unsigned char b = c->rec.ptr[i];
		if (b < 0x80) {
			sk_buf_putc(&c->conv, b);
		} else if (b >= 0xa0) {
			put_utf8(&c->conv, b);
		} else if (cp1252[b - 0x80]) {
			put_utf8(&c->conv, cp1252[b - 0x80]);
		} else {
			return sk_error(SK_EINVALID, "line %ld: byte 0x%02x is neither UTF-8 nor "
					"Windows-1252; save the file as \"CSV UTF-8\"", line, b);
		}
	}
	/* the field offsets move with the conversion: recompute them from the NULs */
	c->rec.len = 0;
	sk_buf_put(&c->rec, c->conv.ptr, c->conv.len);
	size_t k = 0;
	c->offs[k++] = 0;
	for (i = 0; i < c->rec.len && k < c->noffs; i++)
		if (c->rec.ptr[i] == '\0')
			c->offs[k++] = i + 1;
	c->recoded = c->recoded_any = 1;
	return 0;
}

enum { F_START, F_UNQUOTED, F_QUOTED, F_QUOTE, F_AFTER };

struct rec_state {
	size_t field_start;  /* offset in rec of the current field */
	size_t field_len;    /* bytes of the field seen, stored or not */
	size_t nfield;
	int too_long;        /* 1 record, 2 field */
	size_t long_field;
	int after_quote;     /* text after a closing quote, in field n */
	size_t bad_field;
	int nul;
	long quote_line;
};

static void field_begin(struct sk_csv *c, struct rec_state *s)
{
	if (c->noffs == c->aoffs) {
		c->aoffs = c->aoffs ? 2 * c->aoffs : 32;
		c->offs = sk_realloc(c->offs, c->aoffs * sizeof(*c->offs));
	}
	s->field_start = c->rec.len;
	s->field_len = 0;
	c->offs[c->noffs++] = c->rec.len;
}

static void field_put(struct sk_csv *c, struct rec_state *s, int ch)
{
	s->field_len++;
	if (s->too_long)
		return;
	if (s->field_len > c->max_field) {
		s->too_long = 2;
		s->long_field = c->noffs;
		return;
	}
	if (ch == 0)
		s->nul = 1;
	sk_buf_putc(&c->rec, ch);
}

/* Ends the field: trims its surrounding blanks and NUL-terminates it. */
static void field_end(struct sk_csv *c, struct rec_state *s)
{
	size_t a = s->field_start, b = c->rec.len;
	while (b > a && is_blank(c->rec.ptr[b - 1], c->delim))
		b--;
	while (a < b && is_blank(c->rec.ptr[a], c->delim))
		a++;
	if (a > s->field_start)
		memmove(c->rec.ptr + s->field_start, c->rec.ptr + a, b - a);
	c->rec.len = s->field_start + (b - a);
	sk_buf_putc(&c->rec, '\0');
}

/* Reads one record into c->rec and c->offs; 1 read, 0 at the end, negative on error (the
 * record consumed). */
static int read_record(struct sk_csv *c, long *line)
{
	struct rec_state s;
	uint64_t start = c->consumed;
	int state = F_START, ch;

	memset(&s, 0, sizeof(s));
	c->rec.len = 0;
	c->noffs = 0;
	if (peekc(c) == EOF)
		goto eof;
	*line = c->line;
	field_begin(c, &s);
	for (;;) {
		ch = getc_(c);
		if (!s.too_long && c->consumed - start > c->max_record)
			s.too_long = 1;
		if (ch == EOF) {
			if (state == F_QUOTED)
				goto eof;
			field_end(c, &s);
			break;
		}
		if (state == F_QUOTED) {
			if (ch == '"')
				state = F_QUOTE;
			else
				field_put(c, &s, ch);
			if (ch == '\n' || (ch == '\r' && peekc(c) != '\n'))
				c->line++;
			continue;
		}
		if (state == F_QUOTE && ch == '"') {
			field_put(c, &s, ch);
			state = F_QUOTED;
			continue;
		}
		if (ch == c->delim || ch == '\n' || ch == '\r') {
			field_end(c, &s);
			if (ch != c->delim) {
				end_line(c, ch);
				break;
			}
			field_begin(c, &s);
			state = F_START;
			continue;
		}
		switch (state) {
		case F_START:
			if (ch == '"') {
				state = F_QUOTED;
				s.quote_line = c->line;
			} else if (!is_blank(ch, c->delim)) {
				field_put(c, &s, ch);
				state = F_UNQUOTED;
			}
			break;
		case F_UNQUOTED:
			field_put(c, &s, ch);
			break;
		case F_QUOTE:
		case F_AFTER:
			if (!is_blank(ch, c->delim) && !s.after_quote) {
				s.after_quote = 1;
				s.bad_field = c->noffs;
			}
			state = F_AFTER;
			break;
		}
	}
	if (c->ioerr)
		goto eof;
	if (s.too_long == 1)
		return sk_error(SK_EINVALID, "line %ld: record is longer than %zu bytes", *line,
				c->max_record);
	if (s.too_long == 2)
		return sk_error(SK_EINVALID, "line %ld: field %zu is longer than %zu bytes", *line,
				s.long_field, c->max_field);
	if (s.after_quote)
		return sk_error(SK_EINVALID, "line %ld: field %zu has text after its closing quote",
				*line, s.bad_field);
	if (s.nul)
		return sk_error(SK_EINVALID, "line %ld: a NUL byte (is this a spreadsheet saved as "
				"CSV?)", *line);
	return 1;

eof:
	if (c->ioerr)
		return sk_error(SK_ERROR, "cannot read '%s': %s", c->name, strerror(c->ioerr));
	if (state == F_QUOTED)
		return sk_error(SK_EINVALID, "line %ld: quote opened here is never closed",
				s.quote_line);
	return 0;
}

int sk_csv_next(struct sk_csv *c, char ***fields, size_t *n, long *line)
{
	long ln = 0;
	int rc;

	if (c->table) {
		char **row;
		size_t k;
		if (c->ti >= c->table->n)
			return 0;
		row = c->table->rows[c->ti];
		*n = c->table->ncols[c->ti];
		if (line)
			*line = c->table->lines[c->ti];
		c->ti++;
		c->consumed = c->ti;
		/* as a CSV field: trimmed of surrounding spaces */
		for (k = 0; k < *n; k++) {
			char *v = row[k];
			size_t len = strlen(v), b = strspn(v, " \t");
			while (len > b && (v[len - 1] == ' ' || v[len - 1] == '\t'))
				len--;
			memmove(v, v + b, len - b);
			v[len - b] = '\0';
			if (len - b > c->max_field)
				return sk_error(SK_EINVALID, "row %ld: a cell is longer than %zu bytes", c->table->lines[c->ti - 1],
						c->max_field);
		}
		*fields = row;
		return 1;
	}
	if (!c->started) {
		detect(c);
		if (c->not_csv) {
			if (line)
				*line = 1;
			return sk_error(SK_EINVALID, "%s", c->not_csv);
		}
	}
	c->recoded = 0;
	if (c->not_csv)
		return 0;
	for (;;) {
		size_t i;
		int blank = 1;
		if ((rc = read_record(c, &ln)) <= 0)
			break;
		for (i = 0; i < c->noffs && blank; i++)
			blank = c->rec.ptr[c->offs[i]] == '\0';
		if (!blank)
			break;
	}
	if (line)
		*line = ln;
	if (rc <= 0)
		return rc;
	if ((rc = check_encoding(c, ln)) < 0)
		return rc;
	if (c->afields < c->noffs) {
		c->afields = c->noffs;
		c->fields = sk_realloc(c->fields, c->afields * sizeof(*c->fields));
	}
	for (size_t i = 0; i < c->noffs; i++)
		c->fields[i] = (char *)c->rec.ptr + c->offs[i];
	*fields = c->fields;
	*n = c->noffs;
	return 1;
}

/* A field a spreadsheet would run as a formula (=, +, -, @, or a tab or CR first), unless it
 * is a plain number: written behind an apostrophe, which Excel and LibreOffice read as "text". */
static int formula_like(const char *s)
{
	const char *p = s;
	if (!strchr("=+-@\t\r", *s) || !*s)
		return 0;
	if (*p == '-' || *p == '+')
		p++;
	if (*p && strspn(p, "0123456789.,") == strlen(p) && strchr("0123456789", *p))
		return 0;
	return 1;
}

/* One character of UTF-8 at *s as Windows-1252 ('?' when it has none); advances *s. */
static int to_cp1252(const unsigned char **s)
{
	const unsigned char *p = *s;
	unsigned cp;
	if (p[0] < 0x80) {
		*s += 1;
		return p[0];
	}
	if ((p[0] & 0xe0) == 0xc0 && p[1]) {
		cp = (unsigned)(p[0] & 0x1f) << 6 | (p[1] & 0x3f);
		*s += 2;
	} else if ((p[0] & 0xf0) == 0xe0 && p[1] && p[2]) {
		cp = (unsigned)(p[0] & 0x0f) << 12 | (unsigned)(p[1] & 0x3f) << 6 | (p[2] & 0x3f);
		*s += 3;
	} else {
		*s += 1;
		while (**s && (**s & 0xc0) == 0x80)
			*s += 1;
		return '?';
	}
	if (cp >= 0xa0 && cp <= 0xff)
		return (int)cp;
	for (int i = 0; i < 32; i++)
		if (cp1252[i] == cp)
			return 0x80 + i;
	return '?';
}

static void put_text(FILE *f, const char *s, int cp)
{
	if (!cp) {
		fputs(s, f);
		return;
	}
	for (const unsigned char *p = (const unsigned char *)s; *p;)
		fputc(to_cp1252(&p), f);
}

int sk_csv_write(FILE *f, const struct sk_csv_style *st, const char *const *fields, size_t n)
{
	char delim = st && st->delim ? (char)st->delim : ',';
	for (size_t i = 0; i < n; i++) {
		const char *s = fields[i] ? fields[i] : "";
		size_t len = strlen(s);
		int neutral = formula_like(s);
		int quote = strpbrk(s, ",;\"\r\n\t|") != NULL || (len && (s[0] == ' ' || s[len - 1] == ' '));
		if (i)
			fputc(delim, f);
		if (quote)
			fputc('"', f);
		if (neutral)
			fputc('\'', f);
		if (!quote) {
			put_text(f, s, st && st->cp1252);
		} else {
			for (; *s; s++) {
				if (*s == '"')
					fputc('"', f);
				if ((unsigned char)*s < 0x80 || !(st && st->cp1252)) {
					fputc(*s, f);
				} else {
					const unsigned char *p = (const unsigned char *)s;
					fputc(to_cp1252(&p), f);
					s = (const char *)p - 1;
				}
			}
			fputc('"', f);
		}
	}
	fputs(!st || st->crlf ? "\r\n" : "\n", f);
	if (ferror(f))
		return sk_error(SK_ERROR, "cannot write CSV: %s", strerror(errno));
	return 0;
}

int sk_csv_write_start(FILE *f, const struct sk_csv_style *st)
{
	if (st && st->bom && !st->cp1252)
		fputs("\xef\xbb\xbf", f);
	return ferror(f) ? sk_error(SK_ERROR, "cannot write CSV: %s", strerror(errno)) : 0;
}

int sk_csv_write_row(FILE *f, const char *const *fields, size_t n)
{
	static const struct sk_csv_style comma = {',', 0, 1, 0, 0};
	return sk_csv_write(f, &comma, fields, n);
}

void sk_csv_style_of(const struct sk_csv *c, struct sk_csv_style *out)
{
	out->xlsx = c->table != NULL;
	out->delim = c->delim ? c->delim : ',';
	out->bom = c->bom;
	out->crlf = c->crlf;
	out->cp1252 = !c->utf8 && c->recoded_any;
}

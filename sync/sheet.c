/*
 * sheet.c: the first worksheet of an Excel workbook as rows of text, for the import: .xlsx (a
 * zip of XML, read with libzip and expat, streamed) and the older .xls (libfreexl).  A workbook
 * is untrusted input: the XML read is capped, a document type declaration (the door to entity
 * expansion) is refused, and so is a sheet of more rows or cells than a register could have,
 * so a truncated zip, a zip bomb or a million empty rows ends in a clear error, in bounded
 * memory and time, before anything is imported.
 */
#include <expat.h>
#include <freexl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "common.h"
#include "dates.h"
#include "sheet.h"

#define MAX_XML (96u << 20)        /* bytes of XML read from one part of the zip */
#define MAX_ROWS 300000u           /* rows of the sheet, empty ones included */
#define MAX_COLS 200u              /* columns of one row */
#define MAX_TEXT (64u << 20)       /* bytes of all cell text kept */
#define MAX_STRINGS 2000000u       /* shared strings */

void sk_rows_free(struct sk_rows *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++) {
		for (size_t k = 0; k < r->ncols[i]; k++)
			free(r->rows[i][k]);
		free(r->rows[i]);
	}
	free(r->rows);
	free(r->ncols);
	free(r->lines);
	free(r);
}

/* ---- the parts of an .xlsx ---- */

struct xml_job {
	XML_Parser p;
	const char *part;
	char *why;                  /* the first error, owned */
	size_t text_bytes;
	/* shared strings */
	char **strings;
	size_t nstrings, astrings;
	/* styles: which cell formats are dates */
	unsigned char *xf_date;
	size_t nxf;
	int custom_date[512];       /* numFmtId < 512 that is a date (custom formats) */
	int in_cellxfs;
	/* workbook: the first sheet's relationship id; rels: its target */
	char *first_rid, *sheet_target;
	/* the sheet */
	struct sk_rows *rows;
	long row_no;                /* r of the current <row> */
	size_t nrow_elems;
	char **cur;
	size_t ncur;
	int col;                    /* column of the current cell */
	char ctype[16];
	int cstyle;
	int in_v, in_t, in_si;
	struct sk_buf text;         /* the text of the current <v>/<t>/<si> */
};

static void job_fail(struct xml_job *j, const char *fmt, const char *arg)
{
	if (!j->why)
		j->why = sk_printf(fmt, arg);
	XML_StopParser(j->p, XML_FALSE);
}

static const char *local(const char *name)
{
	const char *c = strrchr(name, ':');
	return c ? c + 1 : name;
}

static const char *attr(const char **a, const char *name)
{
	for (; a && *a; a += 2)
		if (!strcmp(local(a[0]), name))
			return a[1];
	return NULL;
}

static void XMLCALL on_doctype(void *ud, const XML_Char *name, const XML_Char *sys, const XML_Char *pub, int has_internal)
{
	(void)name, (void)sys, (void)pub, (void)has_internal;
	job_fail(ud, "'%s' holds a document type declaration, which no spreadsheet writes: the file is damaged or made to harm",
		 ((struct xml_job *)ud)->part);
}

static void XMLCALL on_entity(void *ud, const XML_Char *name, int pe, const XML_Char *v, int vlen, const XML_Char *base,
			      const XML_Char *sys, const XML_Char *pub, const XML_Char *notation)
{
	(void)name, (void)pe, (void)v, (void)vlen, (void)base, (void)sys, (void)pub, (void)notation;
	job_fail(ud, "'%s' declares XML entities, which no spreadsheet writes: the file is damaged or made to harm",
		 ((struct xml_job *)ud)->part);
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
	struct xml_job *j = ud;
	if (!(j->in_v || j->in_t))
		return;
	if (sk_buf_put(&j->text, s, (size_t)len) < 0)
		job_fail(j, "a cell of '%s' is longer than a register's cell can be", j->part);
}

/* Column letters of "AB12" as 0-based index; -1 when there are none. */
static int col_of(const char *ref)
{
	int c = 0, any = 0;
	for (; ref && *ref >= 'A' && *ref <= 'Z'; ref++) {
		c = c * 26 + (*ref - 'A' + 1);
		any = 1;
		if (c > 100000)
			return -1;
	}
	return any ? c - 1 : -1;
}

/* A custom number format that shows a date: d, m or y outside quotes and brackets. */
static int format_is_date(const char *f)
{
	int q = 0, b = 0, d = 0;
	for (; *f; f++) {
		if (*f == '"')
			q = !q;
		else if (!q && *f == '[')
			b = 1;
		else if (!q && *f == ']')
			b = 0;
		else if (!q && !b && *f == '\\' && f[1])
			f++;
		else if (!q && !b && strchr("dDyY", *f))
			d = 1;
	}
	return d;
}

static void XMLCALL styles_start(void *ud, const XML_Char *name, const XML_Char **a)
{
	struct xml_job *j = ud;
	const char *n = local(name);
	if (!strcmp(n, "numFmt")) {
		const char *id = attr(a, "numFmtId"), *code = attr(a, "formatCode");
		int k = id ? atoi(id) : -1;
		if (k >= 0 && k < 512 && code)
			j->custom_date[k] = format_is_date(code);
	} else if (!strcmp(n, "cellXfs")) {
		j->in_cellxfs = 1;
	} else if (j->in_cellxfs && !strcmp(n, "xf")) {
		const char *id = attr(a, "numFmtId");
		int k = id ? atoi(id) : 0;
		if (j->nxf >= 65536)
			return;
		j->xf_date = sk_realloc(j->xf_date, j->nxf + 1);
		j->xf_date[j->nxf++] = (k >= 14 && k <= 22) || (k >= 45 && k <= 47) || (k < 512 && k >= 0 && j->custom_date[k]);
	}
}

static void XMLCALL styles_end(void *ud, const XML_Char *name)
{
	struct xml_job *j = ud;
	if (!strcmp(local(name), "cellXfs"))
		j->in_cellxfs = 0;
}

static void XMLCALL strings_start(void *ud, const XML_Char *name, const XML_Char **a)
{
	struct xml_job *j = ud;
	const char *n = local(name);
	(void)a;
	if (!strcmp(n, "si")) {
		j->in_si = 1;
		j->text.len = 0;
	} else if (j->in_si && !strcmp(n, "t")) {
		j->in_t = 1;
	} else if (j->in_si && !strcmp(n, "rPh")) {
		j->in_si = 2; /* phonetic runs are not the text */
	}
}

static void XMLCALL strings_end(void *ud, const XML_Char *name)
{
	struct xml_job *j = ud;
	const char *n = local(name);
	if (!strcmp(n, "t")) {
		j->in_t = 0;
	} else if (!strcmp(n, "rPh")) {
		j->in_si = 1;
	} else if (!strcmp(n, "si")) {
		j->in_si = 0;
		if (j->nstrings >= MAX_STRINGS || (j->text_bytes += j->text.len) > MAX_TEXT) {
			job_fail(j, "'%s' holds more text than a register could", j->part);
			return;
		}
		if (j->nstrings == j->astrings) {
			j->astrings = j->astrings ? j->astrings * 2 : 1024;
			j->strings = sk_realloc(j->strings, j->astrings * sizeof(*j->strings));
		}
		j->strings[j->nstrings++] = sk_strndup(j->text.ptr ? (const char *)j->text.ptr : "", j->text.len);
	}
}

static void XMLCALL strings_text(void *ud, const XML_Char *s, int len)
{
	struct xml_job *j = ud;
	if (j->in_si == 1 && j->in_t && sk_buf_put(&j->text, s, (size_t)len) < 0)
		job_fail(j, "a cell of '%s' is longer than a register's cell can be", j->part);
}

static void XMLCALL book_start(void *ud, const XML_Char *name, const XML_Char **a)
{
	struct xml_job *j = ud;
	if (!strcmp(local(name), "sheet") && !j->first_rid) {
		const char *rid = attr(a, "id");
		j->first_rid = sk_strdup(rid ? rid : "");
	}
}

static void XMLCALL rels_start(void *ud, const XML_Char *name, const XML_Char **a)
{
	struct xml_job *j = ud;
	const char *id = attr(a, "Id"), *target = attr(a, "Target");
	if (!strcmp(local(name), "Relationship") && id && target && j->first_rid && !strcmp(id, j->first_rid) &&
	    !j->sheet_target)
		j->sheet_target = sk_strdup(target);
}

static void row_done(struct xml_job *j)
{
	struct sk_rows *r = j->rows;
	size_t n = j->ncur;
	/* trailing empty cells are not part of the row; an empty row is not kept */
	while (n && (!j->cur[n - 1] || !*j->cur[n - 1])) {
		free(j->cur[n - 1]);
		n--;
	}
	if (!n) {
		free(j->cur);
		j->cur = NULL;
		j->ncur = 0;
		return;
	}
	r->rows = sk_realloc(r->rows, (r->n + 1) * sizeof(*r->rows));
	r->ncols = sk_realloc(r->ncols, (r->n + 1) * sizeof(*r->ncols));
	r->lines = sk_realloc(r->lines, (r->n + 1) * sizeof(*r->lines));
	for (size_t k = 0; k < n; k++)
		if (!j->cur[k])
			j->cur[k] = sk_strdup("");
	r->rows[r->n] = j->cur;
	r->ncols[r->n] = n;
	r->lines[r->n] = j->row_no;
	r->n++;
	j->cur = NULL;
	j->ncur = 0;
}

static void XMLCALL sheet_start(void *ud, const XML_Char *name, const XML_Char **a)
{
	struct xml_job *j = ud;
	const char *n = local(name);
	if (!strcmp(n, "row")) {
		const char *r = attr(a, "r");
		if (++j->nrow_elems > MAX_ROWS) {
			job_fail(j, "the sheet '%s' has more than 300,000 rows: no register is that long; remove the empty "
				    "rows below the data", j->part);
			return;
		}
		j->row_no = r ? atol(r) : j->row_no + 1;
		j->col = 0;
	} else if (!strcmp(n, "c")) {
		const char *ref = attr(a, "r"), *t = attr(a, "t"), *s = attr(a, "s");
		int c = col_of(ref);
		j->col = c >= 0 ? c : j->col;
		snprintf(j->ctype, sizeof(j->ctype), "%s", t ? t : "n");
		j->cstyle = s ? atoi(s) : 0;
		j->text.len = 0;
	} else if (!strcmp(n, "v")) {
		j->in_v = 1;
	} else if (!strcmp(n, "t")) {
		j->in_t = 1;
	}
}

/* An Excel serial day (1900 date system) as YYYY-MM-DD. */
static char *serial_date(double v)
{
	long days = (long)floor(v);
	int y, m, d;
	/* day 60 is the 29 February 1900 that never was; 25569 is 1970-01-01 */
	sk_civil_from_days(days - 25569 + (days < 60 ? 1 : 0), &y, &m, &d);
	return sk_printf("%04d-%02d-%02d", y, m, d);
}

static char *number_text(const char *v, int is_date)
{
	char *end;
	double d = strtod(v, &end);
	if (*end || v == end)
		return sk_strdup(v);
	if (is_date && d > 0 && d < 2958466)
		return serial_date(d);
	/* a whole number as digits (a phone or an income), never 1.5E+6 */
	if (fabs(d) < 1e15 && d == floor(d))
		return sk_printf("%.0f", d);
	return sk_strdup(v);
}

static void XMLCALL sheet_end(void *ud, const XML_Char *name)
{
	struct xml_job *j = ud;
	const char *n = local(name);
	if (!strcmp(n, "v")) {
		j->in_v = 0;
	} else if (!strcmp(n, "t")) {
		j->in_t = 0;
	} else if (!strcmp(n, "c")) {
		char *v = NULL;
		const char *txt = j->text.ptr ? (const char *)j->text.ptr : "";
		if (j->text.len == 0)
			return;
		if ((size_t)j->col >= MAX_COLS) {
			job_fail(j, "the sheet '%s' has more than 200 columns: no register is that wide", j->part);
			return;
		}
		if (!strcmp(j->ctype, "s")) {
			size_t k = (size_t)strtoul(txt, NULL, 10);
			if (k >= j->nstrings) {
				job_fail(j, "the sheet '%s' names a text that is not in the workbook: the file is damaged", j->part);
				return;
			}
			v = sk_strdup(j->strings[k]);
		} else if (!strcmp(j->ctype, "n")) {
			v = number_text(txt, (size_t)j->cstyle < j->nxf && j->xf_date[j->cstyle]);
		} else if (!strcmp(j->ctype, "b")) {
			v = sk_strdup(txt[0] == '1' ? "TRUE" : "FALSE");
		} else {
			v = sk_strndup(txt, j->text.len);   /* str, inlineStr, e */
		}
		if ((j->text_bytes += strlen(v)) > MAX_TEXT) {
			free(v);
			job_fail(j, "the sheet '%s' holds more text than a register could", j->part);
			return;
		}
		if ((size_t)j->col >= j->ncur) {
			j->cur = sk_realloc(j->cur, ((size_t)j->col + 1) * sizeof(*j->cur));
			memset(j->cur + j->ncur, 0, ((size_t)j->col + 1 - j->ncur) * sizeof(*j->cur));
			j->ncur = (size_t)j->col + 1;
		}
		free(j->cur[j->col]);
		j->cur[j->col] = v;
		j->col++;
	} else if (!strcmp(n, "row")) {
		row_done(j);
	}
}

/* Streams one part of the zip through expat with the job's handlers; the bytes read are capped
 * whatever the zip declares.  SK_ENOTFOUND when the part is missing and optional. */
static int parse_part(zip_t *z, const char *path, const char *name, struct xml_job *j, XML_StartElementHandler s,
		      XML_EndElementHandler e, XML_CharacterDataHandler t, int optional)
{
	zip_file_t *zf;
	char buf[1 << 16];
	zip_int64_t got;
	size_t total = 0;
	int rc = 0;

	if (!(zf = zip_fopen(z, name, 0))) {
		if (optional)
			return SK_ENOTFOUND;
		return sk_error(SK_EINVALID, "'%s' is not an Excel workbook (.xlsx): it has no '%s'; save it again from "
				"Excel or LibreOffice", path, name);
	}
	j->p = XML_ParserCreate("UTF-8");
	j->part = name;
	XML_SetUserData(j->p, j);
	XML_SetElementHandler(j->p, s, e);
	XML_SetCharacterDataHandler(j->p, t);
	XML_SetStartDoctypeDeclHandler(j->p, on_doctype);
	XML_SetEntityDeclHandler(j->p, on_entity);
	while ((got = zip_fread(zf, buf, sizeof(buf))) > 0) {
		total += (size_t)got;
		if (total > MAX_XML) {
			rc = sk_error(SK_EINVALID, "'%s' unpacks to more than 96 MiB of '%s': no register is that big; "
				      "the file is damaged or made to harm", path, name);
			goto done;
		}
		if (XML_Parse(j->p, buf, (int)got, 0) != XML_STATUS_OK)
			break;
	}
	if (got < 0) {
		rc = sk_error(SK_EINVALID, "'%s' is damaged (%s in '%s'): save it again from Excel or LibreOffice", path,
			      zip_file_strerror(zf), name);
		goto done;
	}
	if (!j->why && XML_GetErrorCode(j->p) == XML_ERROR_NONE && XML_Parse(j->p, "", 0, 1) == XML_STATUS_OK)
		goto done;
	if (j->why)
		rc = sk_error(SK_EINVALID, "'%s': %s", path, j->why);
	else
		rc = sk_error(SK_EINVALID, "'%s' is damaged: '%s' line %lu: %s; save it again from Excel or LibreOffice", path,
			      name, (unsigned long)XML_GetCurrentLineNumber(j->p), XML_ErrorString(XML_GetErrorCode(j->p)));
done:
	XML_ParserFree(j->p);
	j->p = NULL;
	zip_fclose(zf);
	return rc;
}

int sk_xlsx_read(struct sk_rows **out, const char *path)
{
	struct xml_job j;
	zip_t *z;
	int err = 0, rc;
	char *sheet = NULL;

	*out = NULL;
	memset(&j, 0, sizeof(j));
	sk_buf_init(&j.text, SK_CELL_MAX);
	if (!(z = zip_open(path, ZIP_RDONLY | ZIP_CHECKCONS, &err))) {
		zip_error_t ze;
		zip_error_init_with_code(&ze, err);
		rc = sk_error(SK_EINVALID, "'%s' is not a readable workbook (%s): it may be cut short; copy it again or "
			      "save it again from Excel or LibreOffice", path, zip_error_strerror(&ze));
		zip_error_fini(&ze);
		return rc;
	}
	if ((rc = parse_part(z, path, "xl/workbook.xml", &j, book_start, NULL, NULL, 0)) < 0)
		goto done;
	if ((rc = parse_part(z, path, "xl/_rels/workbook.xml.rels", &j, rels_start, NULL, NULL, 0)) < 0)
		goto done;
	if (!j.sheet_target) {
		rc = sk_error(SK_EINVALID, "'%s' has no worksheet", path);
		goto done;
	}
	sheet = j.sheet_target[0] == '/' ? sk_strdup(j.sheet_target + 1) : sk_printf("xl/%s", j.sheet_target);
	if ((rc = parse_part(z, path, "xl/sharedStrings.xml", &j, strings_start, strings_end, strings_text, 1)) < 0 &&
	    rc != SK_ENOTFOUND)
		goto done;
	if ((rc = parse_part(z, path, "xl/styles.xml", &j, styles_start, styles_end, NULL, 1)) < 0 && rc != SK_ENOTFOUND)
		goto done;
	j.rows = sk_calloc(1, sizeof(*j.rows));
	if ((rc = parse_part(z, path, sheet, &j, sheet_start, sheet_end, on_text, 0)) < 0)
		goto done;
	*out = j.rows;
	j.rows = NULL;
	rc = 0;
done:
	zip_discard(z);
	sk_rows_free(j.rows);
	for (size_t i = 0; i < j.nstrings; i++)
		free(j.strings[i]);
	free(j.strings);
	for (size_t i = 0; i < j.ncur; i++)
		free(j.cur[i]);
	free(j.cur);
	free(j.xf_date);
	free(j.first_rid);
	free(j.sheet_target);
	free(j.why);
	free(sheet);
	sk_buf_release(&j.text);
	return rc;
}

/* ---- .xls ---- */

int sk_xls_read(struct sk_rows **out, const char *path)
{
	const void *h = NULL;
	unsigned int nrows = 0;
	unsigned short ncols = 0;
	struct sk_rows *r;
	size_t text = 0;
	int rc;

	*out = NULL;
	if ((rc = freexl_open(path, &h)) != FREEXL_OK) {
		if (h)
			freexl_close(h);
		return sk_error(SK_EINVALID, "'%s' is not a readable Excel 97-2003 workbook (.xls, error %d): save it "
				"again from Excel or LibreOffice", path, rc);
	}
	if (freexl_select_active_worksheet(h, 0) != FREEXL_OK || freexl_worksheet_dimensions(h, &nrows, &ncols) != FREEXL_OK) {
		freexl_close(h);
		return sk_error(SK_EINVALID, "'%s' has no readable worksheet", path);
	}
	if (nrows > MAX_ROWS || ncols > MAX_COLS) {
		freexl_close(h);
		return sk_error(SK_EINVALID, "the sheet of '%s' has %u rows and %u columns: no register is that big; remove "
				"the empty rows and columns around the data", path, nrows, (unsigned)ncols);
	}
	r = sk_calloc(1, sizeof(*r));
	for (unsigned int i = 0; i < nrows; i++) {
		char **row = sk_calloc(ncols ? ncols : 1, sizeof(*row));
		size_t n = 0;
		for (unsigned short c = 0; c < ncols; c++) {
			FreeXL_CellValue v;
			char *s = NULL;
			if (freexl_get_cell_value(h, i, c, &v) != FREEXL_OK)
				v.type = FREEXL_CELL_NULL;
			switch (v.type) {
			case FREEXL_CELL_INT:
				s = sk_printf("%d", v.value.int_value);
				break;
			case FREEXL_CELL_DOUBLE:
				s = fabs(v.value.double_value) < 1e15 && v.value.double_value == floor(v.value.double_value)
					    ? sk_printf("%.0f", v.value.double_value)
					    : sk_printf("%.15g", v.value.double_value);
				break;
			case FREEXL_CELL_TEXT:
			case FREEXL_CELL_SST_TEXT:
			case FREEXL_CELL_DATE:
			case FREEXL_CELL_DATETIME:
			case FREEXL_CELL_TIME:
				s = sk_strdup(v.value.text_value ? v.value.text_value : "");
				break;
			default:
				s = sk_strdup("");
			}
			text += strlen(s);
			row[c] = s;
			if (*s)
				n = (size_t)c + 1;
		}
		for (size_t k = n; k < ncols; k++) {
			free(row[k]);
			row[k] = NULL;
		}
		if (!n || text > MAX_TEXT) {
			for (size_t k = 0; k < n; k++)
				free(row[k]);
			free(row);
			if (text > MAX_TEXT) {
				sk_rows_free(r);
				freexl_close(h);
				return sk_error(SK_EINVALID, "'%s' holds more text than a register could", path);
			}
			continue;
		}
		r->rows = sk_realloc(r->rows, (r->n + 1) * sizeof(*r->rows));
		r->ncols = sk_realloc(r->ncols, (r->n + 1) * sizeof(*r->ncols));
		r->lines = sk_realloc(r->lines, (r->n + 1) * sizeof(*r->lines));
		r->rows[r->n] = row;
		r->ncols[r->n] = n;
		r->lines[r->n] = (long)i + 1;
		r->n++;
	}
	freexl_close(h);
	*out = r;
	return 0;
}

/*
 * xlsxout.c: .xlsx files written with libxlsxwriter (exports, rejected rows), every cell as
 * text, so nothing in a register is ever a formula a spreadsheet runs and a NIK keeps its 16
 * digits.  libxlsxwriter writes to a path it opens itself: that path is inside a fresh private
 * directory, and the finished file is then copied into a personal-data file (privfile.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "common.h"
#include "xlsxout.h"

struct sk_xlsx_out {
	char *path, *dir, *tmp;
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *text, *head;
	lxw_row_t row;
};

int sk_xlsx_open(struct sk_xlsx_out **out, const char *path, const char *sheet)
{
	struct sk_xlsx_out *x = sk_calloc(1, sizeof(*x));
	const char *tmpdir = getenv("TMPDIR");
	*out = NULL;
	x->path = sk_strdup(path);
	x->dir = sk_printf("%s/sinkron-xlsx-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	if (!mkdtemp(x->dir)) {
		int e = errno;
		free(x->path);
		free(x->dir);
		free(x);
		return sk_error(SK_ERROR, "cannot write '%s': no temporary folder (%s)", path, strerror(e));
	}
	x->tmp = sk_printf("%s/book.xlsx", x->dir);
	{
		lxw_workbook_options opt = {.constant_memory = LXW_TRUE, .tmpdir = x->dir};
		x->wb = workbook_new_opt(x->tmp, &opt);
	}
	if (!x->wb || (sheet && !(x->ws = workbook_add_worksheet(x->wb, sheet)))) {
		sk_xlsx_close(x, 0);
		return sk_error(SK_ERROR, "cannot write '%s'", path);
	}
	x->text = workbook_add_format(x->wb);
	format_set_num_format(x->text, "@");
	x->head = workbook_add_format(x->wb);
	format_set_num_format(x->head, "@");
	format_set_bold(x->head);
	*out = x;
	return 0;
}

int sk_xlsx_sheet(struct sk_xlsx_out *x, const char *name)
{
	if (!(x->ws = workbook_add_worksheet(x->wb, name)))
		return sk_error(SK_ERROR, "cannot write '%s': a sheet '%s'", x->path, name);
	x->row = 0;
	return 0;
}

int sk_xlsx_row(struct sk_xlsx_out *x, const char *const *v, size_t n)
{
	for (size_t i = 0; i < n && i < 16384; i++) {
		lxw_error e;
		if (!v[i] || !*v[i])
			continue;
		/* a string cell: shown as typed, never evaluated */
		e = worksheet_write_string(x->ws, x->row, (lxw_col_t)i, v[i], x->row ? x->text : x->head);
		if (e != LXW_NO_ERROR)
			return sk_error(SK_ERROR, "cannot write '%s': %s", x->path, lxw_strerror(e));
	}
	x->row++;
	return 0;
}

static int copy_into(const char *from, const char *to)
{
	struct sk_private_file pf;
	char buf[1 << 16];
	size_t got;
	FILE *in = fopen(from, "rb");
	int rc;
	if (!in)
		return sk_error(SK_ERROR, "cannot write '%s': %s", to, strerror(errno));
	if ((rc = sk_private_open(&pf, to)) < 0) {
		fclose(in);
		return rc;
	}
	while ((got = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, got, pf.f) != got)
			break;
	rc = sk_private_close(&pf, !ferror(in) && !ferror(pf.f));
	fclose(in);
	return rc;
}

int sk_xlsx_close(struct sk_xlsx_out *x, int ok)
{
	int rc = 0;
	if (!x)
		return 0;
	if (x->wb) {
		lxw_error e = workbook_close(x->wb);
		if (e != LXW_NO_ERROR && ok)
			ok = 0, rc = sk_error(SK_ERROR, "cannot write '%s': %s", x->path, lxw_strerror(e));
	}
	if (ok)
		rc = copy_into(x->tmp, x->path);
	unlink(x->tmp);
	rmdir(x->dir);
	free(x->tmp);
	free(x->dir);
	free(x->path);
	free(x);
	return rc;
}

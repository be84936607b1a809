/*
 * sheet.h: inside sync/, the first worksheet of an Excel workbook (.xlsx, .xls) as rows of
 * text, read within bounds (sheet.c).
 */
#ifndef SK_SHEET_H
#define SK_SHEET_H

#include <stddef.h>

#define SK_CELL_MAX (8u << 10)   /* bytes of one cell */

struct sk_rows {
	char ***rows;    /* rows[i][k]: cell k of the i-th non-empty row, UTF-8 */
	size_t *ncols;
	long *lines;     /* the sheet's row number of each */
	size_t n;
};
void sk_rows_free(struct sk_rows *r);
/* SK_EINVALID with what is wrong and what to do: not a workbook, cut short, too big, hostile. */
int sk_xlsx_read(struct sk_rows **out, const char *path);
int sk_xls_read(struct sk_rows **out, const char *path);

#endif

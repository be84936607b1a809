/*
 * xlsxout.h: inside sync/, an .xlsx written row by row, every cell text (xlsxout.c).
 */
#ifndef SK_XLSXOUT_H
#define SK_XLSXOUT_H

#include <stddef.h>

struct sk_xlsx_out;
/* A new workbook, to be written to path (a personal-data file), with a first sheet named sheet
 * (NULL: none yet, add them with sk_xlsx_sheet). */
int sk_xlsx_open(struct sk_xlsx_out **out, const char *path, const char *sheet);
/* A new sheet: the rows that follow go to it. */
int sk_xlsx_sheet(struct sk_xlsx_out *x, const char *name);
/* The next row; the first is written bold, as a heading. */
int sk_xlsx_row(struct sk_xlsx_out *x, const char *const *v, size_t n);
/* Finishes and writes the file when ok, else discards it; frees x. */
int sk_xlsx_close(struct sk_xlsx_out *x, int ok);

#endif

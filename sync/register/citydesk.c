/*
 * citydesk.c: what the city's pages need of the engine beyond the command line's verbs: the
 * month's bill as a workbook of its own (one sheet, the funders' lines and their total), so the
 * budget office opens the file and reads the bill on its first sheet.
 */
#include <stdio.h>
#include <string.h>

#include "api/money.h"
#include "xlsxout.h"

struct bill_sheet {
	struct sk_xlsx_out *x;
	int64_t people, amount;
	int rc;
};

static int bill_row(void *payload, const struct sk_bill_line *l)
{
	struct bill_sheet *b = payload;
	char people[32], amount[32];
	const char *v[4] = {l->funder, l->program, people, amount};
	snprintf(people, sizeof(people), "%lld", (long long)l->people);
	snprintf(amount, sizeof(amount), "%lld", (long long)l->amount);
	b->people += l->people;
	b->amount += l->amount;
	if ((b->rc = sk_xlsx_row(b->x, v, 4)) < 0)
		return 1;
	return 0;
}

int sk_bill_write_xlsx(struct sk_db *db, const char *month, const char *path)
{
	static const char *const head[4] = {"Pemberi dana", "Program", "Peserta", "Iuran (Rp)"};
	struct bill_sheet b = {NULL, 0, 0, 0};
	char people[32], amount[32];
	const char *total[4] = {"Jumlah", "", people, amount};
	int rc;

	if ((rc = sk_xlsx_open(&b.x, path, "Tagihan")) < 0)
		return rc;
	if ((rc = sk_xlsx_row(b.x, head, 4)) < 0)
		goto done;
	if ((rc = sk_bill(db, month, bill_row, &b)) < 0 || (rc = b.rc) < 0)
		goto done;
	snprintf(people, sizeof(people), "%lld", (long long)b.people);
	snprintf(amount, sizeof(amount), "%lld", (long long)b.amount);
	rc = sk_xlsx_row(b.x, total, 4);
done:
	{
		int rc2 = sk_xlsx_close(b.x, rc >= 0);
		return rc < 0 ? rc : rc2;
	}
}

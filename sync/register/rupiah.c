/*
 * rupiah.c: amounts of money as people write them and read them: "Rp1,234,567" out (or
 * "Rp1.234.567" for an Indonesian reader), and in whatever a clerk types ("Rp2.200.000.000",
 * "2,2 miliar", "750 juta"); counts grouped by thousands the same way.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common.h"
#include "report.h"

/* the thousands' separator of this thread's amounts and counts: English writes Rp1,234,567,
 * Indonesian Rp1.234.567 (set from the reader's language by the program) */
static _Thread_local char group_sep = ',';

void sk_money_grouping(char sep)
{
	group_sep = sep == '.' ? '.' : ',';
}

void sk_rupiah_format(char *out, size_t n, int64_t v)
{
	char digits[32], tmp[48];
	int len, k = 0;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	len = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)u);
	for (int i = 0; i < len; i++) {
		if (i && (len - i) % 3 == 0)
			tmp[k++] = group_sep;
		tmp[k++] = digits[i];
	}
	tmp[k] = '\0';
	snprintf(out, n, "%sRp%s", v < 0 ? "-" : "", tmp);
}


/* "2.200.000.000" and "2,200,000,000" group thousands; a single separator not followed by
 * exactly three digits ("2,2 miliar", "2.5 juta") is a decimal mark, as is the last of two kinds
 * ("1.234,5 juta"). */
int sk_rupiah_parse(int64_t *out, const char *text)
{
	static const struct { const char *w; int64_t m; } words[] = {
		{"miliar", 1000000000}, {"milyar", 1000000000}, {"billion", 1000000000}, {"juta", 1000000},
		{"million", 1000000}, {"jt", 1000000}};
	const char *p = text, *end, *dec = NULL, *q;
	int64_t mult = 1, v = 0, frac = 0, fdiv = 1;
	int ndot = 0, ncomma = 0;

	if (!text)
		return sk_error(SK_EINVALID, "no amount given");
	while (*p == ' ')
		p++;
	if (!strncasecmp(p, "Rp", 2))
		p += 2;
	while (*p == ' ' || *p == '.')
		p++;
	end = p + strlen(p);
	while (end > p && end[-1] == ' ')
		end--;
	for (size_t i = 0; i < SK_ARRAY_SIZE(words); i++) {
		size_t wl = strlen(words[i].w);
		if ((size_t)(end - p) > wl && !strncasecmp(end - wl, words[i].w, wl)) {
			mult = words[i].m;
			for (end -= wl; end > p && end[-1] == ' '; end--)
				;
			break;
		}
	}
	if (end <= p || *p < '0' || *p > '9' || end[-1] < '0' || end[-1] > '9')
		goto bad;
	for (q = p; q < end; q++) {
		if (*q == '.')
			ndot++;
		else if (*q == ',')
			ncomma++;
		else if ((*q < '0' || *q > '9') && *q != ' ' && *q != '_')
			goto bad;
	}
	if (ndot && ncomma) {
		char last = 0;
		for (q = p; q < end; q++)
			if (*q == '.' || *q == ',')
				last = *q, dec = q;
		if ((last == '.' ? ndot : ncomma) != 1)
			goto bad;
	} else if (ndot + ncomma == 1) {
		for (q = p; *q != '.' && *q != ','; q++)
			;
		if (end - q - 1 != 3)
			dec = q;
	}
	for (q = p; q < (dec ? dec : end); q++) {
		if (*q < '0' || *q > '9')
			continue;
		if (v > (INT64_MAX - 9) / 10)
			goto bad;
		v = v * 10 + (*q - '0');
	}
	for (q = dec ? dec + 1 : end; q < end; q++) {
		if (*q < '0' || *q > '9' || fdiv >= 1000000000)
			goto bad;
		frac = frac * 10 + (*q - '0');
		fdiv *= 10;
	}
	if (v > (int64_t)1000000000000000 / mult || (frac * mult) % fdiv)
		goto bad; /* too large, or not whole rupiah */
	v = v * mult + frac * mult / fdiv;
	if (v <= 0 || v > (int64_t)1000000000000000)
		goto bad;
	*out = v;
	return 0;
bad:
	return sk_error(SK_EINVALID, "'%s' is not an amount of rupiah like 2200000000, Rp2.200.000.000 or '2,2 miliar'", text);
}

void sk_count_format(char *out, size_t n, int64_t v)
{
	char rp[48];
	sk_rupiah_format(rp, sizeof(rp), v);
	/* the same grouping without the currency */
	snprintf(out, n, "%s%s", v < 0 ? "-" : "", rp + (v < 0 ? 3 : 2));
}

/*
 * validate.c: the field checks of validate.h (NIK, No KK, dates, sex, phone, income, names,
 * kelurahan) and the check of a whole worker.  Reasons are written for the clerk who typed
 * the value: they quote it and say what would be right.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <strings.h>

#include "common.h"
#include "dates.h"
#include "validate.h"

void sk_issues_add(struct sk_issues *is, int error, const char *field, const char *fmt, ...)
{
	struct sk_issue *slot = NULL;
	va_list ap;

	if (is->n < SK_MAX_ISSUES) {
		slot = &is->v[is->n++];
	} else {
		is->dropped++; /* this issue, or the warning an error takes the place of */
		for (int i = SK_MAX_ISSUES - 1; error && i >= 0 && !slot; i--)
			if (!is->v[i].error)
				slot = &is->v[i];
	}
	if (!slot)
		return;
	slot->error = error;
	slot->field = field;
	va_start(ap, fmt);
	vsnprintf(slot->reason, sizeof(slot->reason), fmt, ap);
	va_end(ap);
}

static int count_errors(const struct sk_issues *is)
{
	int n = 0;
	for (int i = 0; i < is->n; i++)
		n += is->v[i].error != 0;
	return n;
}

/* ---- text helpers ---- */

/* Bytes of the UTF-8 sequence starting with b (1 for a stray byte). */
static size_t u8len(unsigned char b)
{
	return b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
}

/* Well-formed UTF-8 (the CSV reader converts files; typed text arrives as the terminal sent it). */
static int u8valid(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	while (*s) {
		size_t k = *s < 0x80 ? 0 : *s >= 0xc2 && *s <= 0xdf ? 1 : *s >= 0xe0 && *s <= 0xef ? 2 :
			   *s >= 0xf0 && *s <= 0xf4 ? 3 : 9;
		uint32_t cp = k == 1 ? *s & 0x1fu : k == 2 ? *s & 0x0fu : *s & 0x07u;
		if (k == 9)
			return 0;
		for (size_t j = 1; j <= k; j++) {
			if ((s[j] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[j] & 0x3fu);
		}
		if ((k == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (k == 3 && (cp < 0x10000 || cp > 0x10ffff)))
			return 0;
		s += k + 1;
	}
	return 1;
}

static size_t u8chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* A copy of s trimmed, with every run of blanks (space, tab, CR, LF, no-break space) made one
 * space. */
static char *squeeze(const char *s)
{
	char *out = sk_malloc(strlen(s ? s : "") + 1), *o = out;
	int space = 0;
	for (const char *p = s ? s : ""; *p; p++) {
		int blank = *p == ' ' || *p == '\t' || *p == '\r' || *p == '\n';
		if ((unsigned char)p[0] == 0xc2 && (unsigned char)p[1] == 0xa0) {
			blank = 1;
			p++;
		}
		if (blank) {
			space = o != out;
			continue;
		}
		if (space)
			*o++ = ' ';
		space = 0;
		*o++ = *p;
	}
	*o = '\0';
	return out;
}

/* s lower-cased (ASCII) with the bytes of `drop` removed, into out of size n. */
static void fold(char *out, size_t n, const char *s, const char *drop)
{
	size_t k = 0;
	for (; s && *s && k + 1 < n; s++) {
		if (strchr(drop, *s))
			continue;
		out[k++] = (char)tolower((unsigned char)*s);
	}
	out[k] = '\0';
}

static const struct {
	const char *name;
	int month;
} month_names[] = {
	{"januari", 1}, {"january", 1}, {"jan", 1},
	{"februari", 2}, {"pebruari", 2}, {"february", 2}, {"feb", 2}, {"peb", 2},
	{"maret", 3}, {"march", 3}, {"mar", 3},
	{"april", 4}, {"apr", 4},
	{"mei", 5}, {"may", 5},
	{"juni", 6}, {"june", 6}, {"jun", 6},
	{"juli", 7}, {"july", 7}, {"jul", 7},
	{"agustus", 8}, {"august", 8}, {"agu", 8}, {"agt", 8}, {"ags", 8}, {"aug", 8}, {"agust", 8},
	{"september", 9}, {"sep", 9}, {"sept", 9},
	{"oktober", 10}, {"october", 10}, {"okt", 10}, {"oct", 10},
	{"november", 11}, {"nopember", 11}, {"nov", 11}, {"nop", 11},
	{"desember", 12}, {"december", 12}, {"des", 12}, {"dec", 12},
};

static int month_of(const char *word)
{
	for (size_t i = 0; i < SK_ARRAY_SIZE(month_names); i++)
		if (!strcasecmp(word, month_names[i].name))
			return month_names[i].month;
	return 0;
}

static const char *const month_id[12] = {
	"Januari", "Februari", "Maret", "April", "Mei", "Juni",
	"Juli", "Agustus", "September", "Oktober", "November", "Desember",
};

#define WHY(...) (snprintf(why, whylen, __VA_ARGS__), SK_EINVALID)

int sk_parse_date(char out[SK_DATE_SIZE], int *two_digit, const char *text, long today,
		  char *why, size_t whylen)
{
	char buf[64], *tok[6], *p, *save = NULL;
	int ntok = 0, num[3], nlen[3], word = -1, y, m, d, ylen, ty, tm, td;
	char *s = squeeze(text);
	int rc = 0;

	out[0] = '\0';
	if (two_digit)
		*two_digit = 0;
	if (strlen(s) >= sizeof(buf)) {
		rc = WHY("cannot read '%.40s...' as a date; write DD/MM/YYYY", s);
		goto done;
	}
	strcpy(buf, s);
	for (p = strtok_r(buf, " ,/-.", &save); p && ntok < 6; p = strtok_r(NULL, " ,/-.", &save)) {
		/* a time a spreadsheet appended ("00:00:00", "0:00 AM") ends the date */
		if (strchr(p, ':'))
			break;
		tok[ntok++] = p;
	}
	if (ntok != 3) {
		rc = WHY("cannot read '%s' as a date; write DD/MM/YYYY", s);
		goto done;
	}
	for (int i = 0; i < 3; i++) {
		size_t len = strlen(tok[i]);
		int digits = len > 0 && strspn(tok[i], "0123456789") == len;
		if (digits && len <= 4) {
			num[i] = atoi(tok[i]);
			nlen[i] = (int)len;
		} else if (!digits && word < 0 && month_of(tok[i])) {
			word = i;
			num[i] = month_of(tok[i]);
			nlen[i] = 2;
		} else {
			rc = WHY("cannot read '%s' as a date; write DD/MM/YYYY", s);
			goto done;
		}
	}
	if (word == 0) {            /* August 12, 1985 */
		m = num[0], d = num[1], y = num[2], ylen = nlen[2];
		if (nlen[1] > 2)
			goto unreadable;
	} else if (nlen[0] == 4 && word != 2) { /* 1985-08-12 */
		y = num[0], m = num[1], d = num[2], ylen = 4;
		if (nlen[1] > 2 || nlen[2] > 2)
			goto unreadable;
	} else if (word < 0 || word == 1) { /* 12/08/1985, 12 Agustus 1985 */
		d = num[0], m = num[1], y = num[2], ylen = nlen[2];
		if (nlen[0] > 2 || nlen[1] > 2)
			goto unreadable;
	} else {
		goto unreadable;
	}
	if (ylen != 4 && ylen != 2)
		goto unreadable;
	sk_civil_from_days(today, &ty, &tm, &td);
	if (ylen == 2) {
		y += ty / 100 * 100;
		if (y > ty || (y == ty && m >= 1 && m <= 12 && d >= 1 && d <= 31 &&
			       (m > tm || (m == tm && d > td))))
			y -= 100;
		if (two_digit)
			*two_digit = 1;
	}
	if (m < 1 || m > 12) {
		if (word < 0 && nlen[0] != 4 && d >= 1 && d <= 12 && m <= 31)
			rc = WHY("'%s' has month %d: is it month/day/year? write DD/MM/YYYY", s, m);
		else
			rc = WHY("'%s' has month %d, which does not exist", s, m);
		goto done;
	}
	if (y < 1 || d < 1 || d > sk_days_in_month(y, m)) {
		rc = WHY("'%s' does not exist: %s %d has %d days", s, month_id[m - 1], y,
			 sk_days_in_month(y, m));
		goto done;
	}
	snprintf(out, SK_DATE_SIZE, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
		 (unsigned)d % 100u);
	goto done;

unreadable:
	rc = WHY("cannot read '%s' as a date; write DD/MM/YYYY", s);
done:
	free(s);
	return rc;
}

static int iso_split(const char *iso, int *y, int *m, int *d)
{
	return iso && strlen(iso) == 10 && sscanf(iso, "%4d-%2d-%2d", y, m, d) == 3;
}

static int date_check(struct sk_issues *is, const char *field, char out[SK_DATE_SIZE],
		      int *two_digit, const char *text, long today, int required)
{
	char why[200];
	char *s = squeeze(text);
	int y, m, d, rc = 0;

	out[0] = '\0';
	if (!*s) {
		if (required)
			rc = (sk_issues_add(is, 1, field, "%s is required", field), 1);
		goto done;
	}
	if (sk_parse_date(out, two_digit, s, today, why, sizeof(why)) < 0) {
		rc = (sk_issues_add(is, 1, field, "%s", why), 1);
		goto done;
	}
	iso_split(out, &y, &m, &d);
	if (sk_days_from_civil(y, m, d) > today) {
		sk_issues_add(is, 1, field, "%s is in the future", out);
		out[0] = '\0';
		rc = 1;
	}
done:
	free(s);
	return rc;
}

int sk_check_date(struct sk_issues *is, const char *field, char out[SK_DATE_SIZE],
		  const char *text, long today, int required)
{
	return date_check(is, field, out, NULL, text, today, required);
}

int sk_check_birth_date(struct sk_issues *is, char out[SK_DATE_SIZE], const char *text, long today)
{
	int two = 0, y, m, d, ty, tm, td, age;

	if (date_check(is, SK_F_BIRTH_DATE, out, &two, text, today, 1))
		return 1;
	iso_split(out, &y, &m, &d);
	sk_civil_from_days(today, &ty, &tm, &td);
	age = sk_date_years(y, m, d, ty, tm, td);
	if (age < SK_AGE_MIN || age > SK_AGE_MAX) {
		sk_issues_add(is, 1, SK_F_BIRTH_DATE, "born %s%s is %d years old; workers must be "
			      "%d to %d", out, two ? " (two-digit year)" : "", age, SK_AGE_MIN,
			      SK_AGE_MAX);
		out[0] = '\0';
		return 1;
	}
	if (two)
		sk_issues_add(is, 0, SK_F_BIRTH_DATE, "two-digit year read as %d", y);
	return 0;
}

/* ---- NIK and No KK ---- */

/* The embedded kabupaten_kota.csv as a table of 10,000 flags, read once: every NIK and No KK
 * of an import is checked against it. */
static int regency_known(const char *four)
{
	static unsigned char known[10000];
	static int loaded;
	int code = 0;

	if (!loaded) {
		size_t len;
		const unsigned char *p = sk_embedded_find("kabupaten_kota.csv", &len), *end = p ? p + len : NULL;
		while (p && p + 5 <= end) {
			if (p[0] >= '0' && p[0] <= '9' && p[1] >= '0' && p[1] <= '9' && p[2] >= '0' && p[2] <= '9' &&
			    p[3] >= '0' && p[3] <= '9' && p[4] == ',')
				known[(p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0')] = 1;
			p = memchr(p, '\n', (size_t)(end - p));
			p = p ? p + 1 : NULL;
		}
		loaded = 1;
	}
	for (int i = 0; i < 4; i++) {
		if (four[i] < '0' || four[i] > '9')
			return 0;
		code = code * 10 + (four[i] - '0');
	}
	return known[code];
}

/* The 16 digits of a NIK or KK into out, or an error under field. */
static int id_digits(struct sk_issues *is, const char *field, char out[SK_NIK_SIZE], const char *text)
{
	char *s = squeeze(text), *p = s;
	size_t k = 0;
	int rc = 1;

	out[0] = '\0';
	if (*p == '\'') /* what people type to keep a spreadsheet from making it a number */
		p++;
	if (!*p) {
		sk_issues_add(is, 1, field, "%s is required", field);
		goto done;
	}
	if (strpbrk(p, "Ee") && strchr(p, '+') && strspn(p, "0123456789.,") > 0 &&
	    strspn(p, "0123456789.,Ee+ ") == strlen(p)) {
		sk_issues_add(is, 1, field, "%s '%s' was turned into a number by the spreadsheet and "
			      "lost digits; format the column as Text and type it again", field, p);
		goto done;
	}
	for (size_t i = 0; p[i]; i++) {
		if (p[i] == ' ')
			continue;
		if (!isdigit((unsigned char)p[i])) {
			sk_issues_add(is, 1, field, "%s must contain only digits, has '%.*s' at "
				      "position %zu", field, (int)u8len((unsigned char)p[i]), p + i, k + 1);
			goto done;
		}
		if (k < 16)
			out[k] = p[i];
		k++;
	}
	if (k != 16) {
		sk_issues_add(is, 1, field, "%s must have 16 digits, has %zu", field, k);
		out[0] = '\0';
		goto done;
	}
	out[16] = '\0';
	rc = 0;
done:
	free(s);
	return rc;
}

static int two(const char *p)
{
	return (p[0] - '0') * 10 + (p[1] - '0');
}

int sk_check_nik(struct sk_issues *is, char out[SK_NIK_SIZE], const char *text)
{
	char nik[SK_NIK_SIZE];
	int bad = 0, dd, mm, yy, day;

	out[0] = '\0';
	if (id_digits(is, SK_F_NIK, nik, text))
		return 1;
	if (!regency_known(nik)) {
		sk_issues_add(is, 1, SK_F_NIK, "NIK starts with %.4s, which is not a regency or city "
			      "code", nik);
		bad = 1;
	}
	if (two(nik + 4) == 0) {
		sk_issues_add(is, 1, SK_F_NIK, "NIK has district 00 (digits 5-6), which is not a "
			      "district code");
		bad = 1;
	}
	dd = two(nik + 6), mm = two(nik + 8), yy = two(nik + 10);
	day = dd > 40 ? dd - 40 : dd;
	if (dd == 0 || (dd > 31 && dd < 41) || dd > 71) {
		sk_issues_add(is, 1, SK_F_NIK, "NIK has birth day %02d (digits 7-8): must be 01-31, "
			      "or 41-71 for women", dd);
		bad = 1;
	} else if (mm < 1 || mm > 12) {
		sk_issues_add(is, 1, SK_F_NIK, "NIK has birth month %02d (digits 9-10): must be "
			      "01-12", mm);
		bad = 1;
	} else if (!sk_date_valid(2000 + yy, mm, day)) {
		/* 2000+yy is a leap year exactly when 1900+yy or 2000+yy is */
		sk_issues_add(is, 1, SK_F_NIK, "NIK has birth date %02d/%02d/%02d (digits 7-12), "
			      "which does not exist", day, mm, yy);
		bad = 1;
	}
	if (!strcmp(nik + 12, "0000")) {
		sk_issues_add(is, 1, SK_F_NIK, "NIK ends with serial 0000, which is never issued");
		bad = 1;
	}
	if (!bad)
		memcpy(out, nik, SK_NIK_SIZE);
	return bad;
}

int sk_check_kk(struct sk_issues *is, char out[SK_NIK_SIZE], const char *text)
{
	char kk[SK_NIK_SIZE], *s = squeeze(text);
	int bad = 0, empty = !*s || !strcmp(s, "'") || !strcmp(s, "-");

	free(s);
	out[0] = '\0';
	if (empty)
		return 0;
	if (id_digits(is, SK_F_KK, kk, text))
		return 1;
	if (!regency_known(kk)) {
		sk_issues_add(is, 1, SK_F_KK, "No KK starts with %.4s, which is not a regency or "
			      "city code", kk);
		bad = 1;
	}
	if (!sk_date_valid(2000 + two(kk + 10), two(kk + 8), two(kk + 6))) {
		sk_issues_add(is, 1, SK_F_KK, "No KK has issue date %.2s/%.2s/%.2s (digits 7-12), "
			      "which does not exist", kk + 6, kk + 8, kk + 10);
		bad = 1;
	}
	if (!strcmp(kk + 12, "0000")) {
		sk_issues_add(is, 1, SK_F_KK, "No KK ends with serial 0000, which is never issued");
		bad = 1;
	}
	if (!bad)
		memcpy(out, kk, SK_NIK_SIZE);
	return bad;
}

int sk_check_nik_match(struct sk_issues *is, const char *nik, const char *birth_date, const char *sex)
{
	int dd, mm, yy, y, m, d;

	if (!nik || strlen(nik) != 16 || strspn(nik, "0123456789") != 16)
		return 0;
	dd = two(nik + 6), mm = two(nik + 8), yy = two(nik + 10);
	if (iso_split(birth_date, &y, &m, &d) && (dd % 40 != d || mm != m || yy != y % 100))
		sk_issues_add(is, 0, SK_F_NIK, "NIK says born %02d/%02d/%02d but Tanggal Lahir is "
			      "%02d/%02d/%04d", dd % 40, mm, yy, d, m, y);
	if (sex && (!strcmp(sex, "L") || !strcmp(sex, "P")) && (dd > 40) != (sex[0] == 'P'))
		sk_issues_add(is, 0, SK_F_NIK, "NIK says %s (birth day %02d) but Jenis Kelamin is %s",
			      dd > 40 ? "female" : "male", dd, sex);
	return 0;
}

/* ---- sex, phone, income ---- */

int sk_check_sex(struct sk_issues *is, char out[2], const char *text)
{
	static const char *const male[] = {"l", "lk", "laki", "lakilaki", "pria", "m", "male", "man"};
	static const char *const female[] = {"p", "pr", "perempuan", "wanita", "f", "female", "woman"};
	char key[32];
	char *s = squeeze(text);
	int rc = 1;

	out[0] = '\0';
	fold(key, sizeof(key), s, " -.");
	if (!*s) {
		sk_issues_add(is, 1, SK_F_SEX, "Jenis Kelamin is required");
		goto done;
	}
	for (size_t i = 0; i < SK_ARRAY_SIZE(male) && rc; i++)
		if (!strcmp(key, male[i]))
			strcpy(out, "L"), rc = 0;
	for (size_t i = 0; i < SK_ARRAY_SIZE(female) && rc; i++)
		if (!strcmp(key, female[i]))
			strcpy(out, "P"), rc = 0;
	if (rc)
		sk_issues_add(is, 1, SK_F_SEX, "Jenis Kelamin '%.60s' is not L (laki-laki) or P "
			      "(perempuan)", s);
done:
	free(s);
	return rc;
}

int sk_check_phone(struct sk_issues *is, char out[SK_PHONE_SIZE], const char *text)
{
	char *s = squeeze(text), buf[64], *p = buf + 1;
	size_t k = 1; /* buf[0] is room for a 0 put in front */
	int rc = 1;

	out[0] = '\0';
	for (const char *q = s; *q && k + 2 < sizeof(buf); q++)
		if (!strchr(" -.()", *q))
			buf[k++] = *q;
	buf[k] = '\0';
	if (k == 1) {
		rc = 0;
		goto done;
	}
	if (!strncmp(p, "+62", 3) || !strncmp(p, "62", 2)) {
		p += p[0] == '+' ? 3 : 2;
		if (*p != '0')
			*--p = '0';
	}
	for (const char *q = p; *q; q++) {
		if (!isdigit((unsigned char)*q)) {
			sk_issues_add(is, 1, SK_F_PHONE, "No HP '%.40s' must contain only digits, has "
				      "'%.*s'", s, (int)u8len((unsigned char)*q), q);
			goto done;
		}
	}
	if (p[0] == '8' && strlen(p) >= 8 && strlen(p) <= 12) {
		*--p = '0';
		sk_issues_add(is, 0, SK_F_PHONE, "No HP '%.40s' had lost its leading 0 (a spreadsheet "
			      "number?); read as %s", s, p);
	}
	if (p[0] != '0' || strlen(p) < 9 || strlen(p) > 13) {
		sk_issues_add(is, 1, SK_F_PHONE, "No HP '%.40s' must be 9-13 digits starting with 0 "
			      "(or +62)", s);
		goto done;
	}
	strcpy(out, p);
	rc = 0;
done:
	free(s);
	return rc;
}

/* Digits with optional thousands separators and decimals: "1.500.000", "1,500,000.00",
 * "1500000", "1.500.000,-"; -1 when it is none of them. */
static int64_t plain_amount(const char *s)
{
	char digits[32];
	size_t k = 0, group = 0, ngroups = 0;
	const char *last = NULL;
	int64_t v = 0;

	for (const char *p = s; *p; p++)
		if (*p == '.' || *p == ',')
			last = p;
	/* one or two digits after the last separator are cents, which the bracket ignores */
	size_t tail = last ? strlen(last + 1) : 0;
	const char *end = s + strlen(s);
	if (last && tail >= 1 && tail <= 2 && strspn(last + 1, "0123456789") == tail)
		end = last;
	for (const char *p = s; p < end; p++) {
		if (*p == '.' || *p == ',') {
			if ((ngroups == 0 && (group < 1 || group > 3)) || (ngroups > 0 && group != 3))
				return -1;
			ngroups++;
			group = 0;
			continue;
		}
		if (!isdigit((unsigned char)*p) || k + 1 >= sizeof(digits) || k >= 15)
			return -1;
		digits[k++] = *p;
		group++;
	}
	if (!k || (ngroups > 0 && group != 3))
		return -1;
	for (size_t i = 0; i < k; i++)
		v = v * 10 + (digits[i] - '0');
	return v;
}

/* "1,5" or "1.5" times mult (juta, ribu); -1 when not a number. */
static int64_t scaled_amount(const char *s, int64_t mult)
{
	int64_t whole = 0, frac = 0, scale = 1;
	const char *p = s;
	int nd = 0;

	for (; isdigit((unsigned char)*p); p++, nd++)
		if (nd < 12)
			whole = whole * 10 + (*p - '0');
	if (*p == '.' || *p == ',') {
		p++;
		for (; isdigit((unsigned char)*p); p++)
			if (scale < 1000000)
				frac = frac * 10 + (*p - '0'), scale *= 10;
	}
	if (*p || !nd || nd > 12)
		return -1;
	return whole * mult + frac * mult / scale;
}

static void rupiah(char *out, size_t n, int64_t v)
{
	char d[32];
	size_t len, k = 0;
	snprintf(d, sizeof(d), "%lld", (long long)v);
	len = strlen(d);
	k += (size_t)snprintf(out, n, "Rp");
	for (size_t i = 0; i < len && k + 2 < n; i++) {
		if (i && (len - i) % 3 == 0)
			out[k++] = '.';
		out[k++] = d[i];
	}
	out[k] = '\0';
}

int sk_check_income(struct sk_issues *is, int64_t *out, const char *text)
{
	static const struct {
		const char *suffix;
		int64_t mult;
	} units[] = {
		{"juta", 1000000}, {"jt", 1000000}, {"ribu", 1000}, {"rb", 1000}, {"k", 1000},
	};
	char key[64], *s = squeeze(text), *p, money[40];
	int64_t v = -1, mult = 0;
	size_t len;
	int rc = 1;

	*out = 0;
	fold(key, sizeof(key), s, " ");
	p = key;
	if (!*p) {
		rc = 0;
		goto done;
	}
	if (!strncmp(p, "rp", 2))
		p += 2;
	else if (!strncmp(p, "idr", 3))
		p += 3;
	if (*p == '.')
		p++;
	len = strlen(p);
	if (len >= 2 && (!strcmp(p + len - 2, ",-") || !strcmp(p + len - 2, ".-")))
		p[len -= 2] = '\0';
	for (size_t i = 0; i < SK_ARRAY_SIZE(units) && !mult; i++) {
		size_t sl = strlen(units[i].suffix);
		if (len > sl && !strcmp(p + len - sl, units[i].suffix)) {
			mult = units[i].mult;
			p[len - sl] = '\0';
		}
	}
	if (*p == '-') {
		sk_issues_add(is, 1, SK_F_INCOME, "Penghasilan '%.40s' is negative", s);
		goto done;
	}
	v = mult ? scaled_amount(p, mult) : plain_amount(p);
	if (v < 0) {
		sk_issues_add(is, 1, SK_F_INCOME, "cannot read Penghasilan '%.40s' as rupiah per "
			      "month; write 1500000 or Rp1.500.000", s);
		goto done;
	}
	if (v >= SK_INCOME_MAX) {
		rupiah(money, sizeof(money), SK_INCOME_MAX);
		sk_issues_add(is, 1, SK_F_INCOME, "Penghasilan '%.40s' is not below %s a month", s, money);
		goto done;
	}
	if (v > 0 && v < 10000)
		sk_issues_add(is, 0, SK_F_INCOME, "Penghasilan '%.40s' is Rp%lld a month: is it in "
			      "millions? write 1500000 or 1,5 juta", s, (long long)v);
	*out = v;
	rc = 0;
done:
	free(s);
	return rc;
}

/* ---- names and text ---- */

static int text_check(struct sk_issues *is, const char *field, char **out, const char *text,
		      size_t max, int required, int name)
{
	char *s = squeeze(text);
	int rc = 1;

	*out = NULL;
	if (!*s) {
		rc = required;
		if (required)
			sk_issues_add(is, 1, field, "%s is required", field);
		goto done;
	}
	if (!u8valid(s)) {
		sk_issues_add(is, 1, field, "%s is not valid UTF-8 text", field);
		goto done;
	}
	for (const char *p = s; *p; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			sk_issues_add(is, 1, field, "%s contains a control character", field);
			goto done;
		}
		if (name && isdigit((unsigned char)*p)) {
			sk_issues_add(is, 1, field, "%s '%.60s' contains a digit", field, s);
			goto done;
		}
	}
	if (u8chars(s) > max) {
		sk_issues_add(is, 1, field, "%s is %zu characters long, more than %zu", field,
			      u8chars(s), max);
		goto done;
	}
	*out = s;
	s = NULL;
	rc = 0;
done:
	free(s);
	return rc;
}

int sk_check_name(struct sk_issues *is, const char *field, char **out, const char *text)
{
	return text_check(is, field, out, text, SK_NAME_MAX, 1, 1);
}

int sk_check_text(struct sk_issues *is, const char *field, char **out, const char *text,
		  size_t max, int required)
{
	return text_check(is, field, out, text, max, required, 0);
}

/* ---- kelurahan ---- */

/* A kelurahan name folded for comparison: lower case, no spaces, dots or dashes, without a
 * "Kel."/"Kelurahan" prefix. */
static void kel_key(char *out, size_t n, const char *s)
{
	while (*s == ' ')
		s++;
	if (!strncasecmp(s, "kelurahan", 9))
		s += 9;
	else if (!strncasecmp(s, "kel.", 4) || !strncasecmp(s, "kel ", 4))
		s += 4;
	fold(out, n, s, " .-'");
}

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[65];
	if (la > 64 || lb > 64)
		return (size_t)-1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[lb];
}

/* Looks up a kelurahan of the same city outside the district in the embedded wilayah list:
 * by folded name (key) or by code digits; writes "Name in distrik X" into hint. */
static int kel_elsewhere(char *hint, size_t n, const char *key, const char *digits, const char *city)
{
	size_t len, cl = strlen(city);
	const char *data = (const char *)sk_embedded_find("wilayah_kota.csv", &len);
	const char *p, *end, *distrik = NULL;
	size_t dlen = 0;

	if (!data)
		return 0;
	for (p = data, end = data + len; p < end; ) {
		const char *eol = memchr(p, '\n', (size_t)(end - p)), *comma;
		if (!eol)
			eol = end;
		comma = memchr(p, ',', (size_t)(eol - p));
		if (comma && (size_t)(comma - p) > cl && !strncmp(p, city, cl)) {
			size_t codelen = (size_t)(comma - p), nlen = (size_t)(eol - comma - 1);
			char code[32], name[128], k[128], d[32];
			if (nlen && comma[nlen] == '\r')
				nlen--;
			snprintf(code, sizeof(code), "%.*s", (int)codelen, p);
			snprintf(name, sizeof(name), "%.*s", (int)nlen, comma + 1);
			if (codelen == 8) {
				distrik = comma + 1;
				dlen = nlen;
			} else if (codelen == 13 && distrik) {
				kel_key(k, sizeof(k), name);
				fold(d, sizeof(d), code, ".");
				if ((key && *key && !strcmp(k, key)) || (digits && !strcmp(d, digits))) {
					snprintf(hint, n, "%s is in distrik %.*s", name, (int)dlen, distrik);
					return 1;
				}
			}
		}
		p = eol + 1;
	}
	return 0;
}

int sk_check_kelurahan(struct sk_issues *is, const struct sk_kelurahan **out, const char *text,
		       const struct sk_kelurahan *list, size_t n, const char *distrik)
{
	char *s = squeeze(text), key[128], digits[32], code[32], hint[200];
	int is_code;
	size_t best = (size_t)-1, bi = 0;

	*out = NULL;
	if (!*s) {
		sk_issues_add(is, 1, SK_F_KELURAHAN, "Kelurahan is required");
		free(s);
		return 1;
	}
	kel_key(key, sizeof(key), s);
	is_code = strspn(s, "0123456789.") == strlen(s);
	fold(digits, sizeof(digits), s, ".");
	for (size_t i = 0; i < n && !*out; i++) {
		char k[128];
		size_t cl;
		fold(code, sizeof(code), list[i].code, ".");
		cl = strlen(code);
		if (is_code) {
			if (!strcmp(digits, code) || (strlen(digits) == 4 && cl >= 4 &&
						      !strcmp(digits, code + cl - 4)))
				*out = &list[i];
			continue;
		}
		kel_key(k, sizeof(k), list[i].name);
		if (!strcmp(k, key)) {
			*out = &list[i];
		} else {
			size_t dist = edit_distance(k, key);
			if (dist < best)
				best = dist, bi = i;
		}
	}
	if (*out) {
		free(s);
		return 0;
	}
	hint[0] = '\0';
	{
		char city[8] = "", more[180];
		if (n && strlen(list[0].code) >= 5)
			snprintf(city, sizeof(city), "%.5s", list[0].code);
		if (*city && kel_elsewhere(more, sizeof(more), is_code ? NULL : key,
					   is_code ? digits : NULL, city))
			snprintf(hint, sizeof(hint), " (%s)", more);
		else if (!is_code && n && best <= (strlen(key) > 6 ? strlen(key) / 3 : 2))
			snprintf(hint, sizeof(hint), "; did you mean '%s'?", list[bi].name);
	}
	sk_issues_add(is, 1, SK_F_KELURAHAN, "kelurahan '%.60s' is not in distrik %s%s", s,
		      distrik ? distrik : "", hint);
	free(s);
	return 1;
}

/* ---- a whole worker ---- */

/* Splits a TTL value "Sorong, 12-08-1985" (or "Sorong 12 Agustus 1985") into place and date. */
static void split_ttl(char **place, char **date, const char *ttl)
{
	const char *comma = strchr(ttl, ','), *digit = strpbrk(ttl, "0123456789");
	const char *cut = comma ? comma : digit;
	if (!cut) {
		*place = sk_strdup(ttl);
		*date = sk_strdup("");
		return;
	}
	*place = sk_strndup(ttl, (size_t)(cut - ttl));
	*date = sk_strdup(cut + (cut == comma));
}

static char *dup_nonempty(const char *s)
{
	return s && *s ? sk_strdup(s) : NULL;
}

int sk_worker_from_input(struct sk_worker *out, struct sk_issues *is,
			 const struct sk_worker_input *in, const struct sk_validate_ctx *ctx)
{
	char nik[SK_NIK_SIZE], kk[SK_NIK_SIZE], date[SK_DATE_SIZE], sex[2], phone[SK_PHONE_SIZE];
	char *ttl_place = NULL, *ttl_date = NULL;
	const char *place = in->birth_place, *bdate = in->birth_date;
	const struct sk_kelurahan *kel = NULL;
	int rc = 0;

	if (in->ttl && (!place || !*place || !bdate || !*bdate)) {
		split_ttl(&ttl_place, &ttl_date, in->ttl);
		if (!place || !*place)
			place = ttl_place;
		if (!bdate || !*bdate)
			bdate = ttl_date;
	}
	sk_check_nik(is, nik, in->nik);
	out->nik = dup_nonempty(nik);
	sk_check_kk(is, kk, in->kk);
	out->kk = dup_nonempty(kk);
	sk_check_name(is, SK_F_NAME, &out->name, in->name);
	sk_check_text(is, SK_F_BIRTH_PLACE, &out->birth_place, place, SK_TEXT_MAX, 0);
	sk_check_birth_date(is, date, bdate, ctx->today);
	out->birth_date = dup_nonempty(date);
	sk_check_sex(is, sex, in->sex);
	out->sex = dup_nonempty(sex);
	sk_check_text(is, SK_F_ADDRESS, &out->address, in->address, SK_TEXT_MAX, 0);
	sk_check_kelurahan(is, &kel, in->kelurahan, ctx->kel, ctx->nkel, ctx->distrik);
	out->kelurahan = kel ? sk_strdup(kel->code) : NULL;
	sk_check_phone(is, phone, in->phone);
	out->phone = dup_nonempty(phone);
	sk_check_text(is, SK_F_OCCUPATION, &out->occupation, in->occupation, SK_TEXT_MAX, 0);
	sk_check_text(is, SK_F_WORKPLACE, &out->workplace, in->workplace, SK_TEXT_MAX, 0);
	sk_check_income(is, &out->income, in->income);
	if (*nik)
		sk_check_nik_match(is, nik, date, sex);
	if (count_errors(is)) {
		for (int i = 0; i < is->n; i++) {
			if (is->v[i].error) {
				rc = sk_error(SK_EINVALID, "%s: %s", is->v[i].field, is->v[i].reason);
				break;
			}
		}
	}
	free(ttl_place);
	free(ttl_date);
	return rc;
}

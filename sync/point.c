/*
 * point.c: the point a restore goes to, read from a date, a commit id or a tag (a snapshot
 * sets every branch): each branch's target, the prefix of its change-sets to apply.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "history.h"

/* ---- the point ---- */

/* "2024-02-28", "2024-02-28 14:00", "2024-02-28T14:00:05", "@1709100000": the end of the day,
 * minute or second given, in the computer's time zone, as ms since the epoch; ISO 8601 with a
 * zone ("2026-12-05T23:02:17Z", "...+09:00", a fraction of a second) in that zone. */
static int parse_date(const char *s, int64_t *out)
{
	struct tm tm;
	int y, mo, d, h = 23, mi = 59, sec = 59, n = 0, got, zoned = 0, offset = 0;
	char sep;
	if (s[0] == '@') {
		char *end;
		long long v = strtoll(s + 1, &end, 10);
		if (end == s + 1 || *end)
			return -1;
		*out = v * 1000 + 999;
		return 0;
	}
	got = sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n);
	if (got != 3 || n != 10)
		return -1;
	if (s[n]) {
		int n2 = 0;
		sep = s[n];
		if (sep != ' ' && sep != 'T')
			return -1;
		if (sscanf(s + n + 1, "%2d:%2d%n", &h, &mi, &n2) != 2 || n2 != 5)
			return -1;
		n += 1 + n2;
		if (s[n] == ':') {
			int n3 = 0;
			if (sscanf(s + n + 1, "%2d%n", &sec, &n3) != 1 || n3 != 2)
				return -1;
			n += 1 + n3;
			if (s[n] == '.' || s[n] == ',') /* a fraction of the second: within that second */
				for (n++; s[n] >= '0' && s[n] <= '9'; n++)
					;
		}
		/* ISO 8601's zone, as sinkron's own log lines write it: Z, +09:00, +0900, -03 */
		if (s[n] == 'Z' && !s[n + 1]) {
			zoned = 1;
			n++;
		} else if ((s[n] == '+' || s[n] == '-') && s[n + 1]) {
			int zh = 0, zm = 0, k = 0;
			if (sscanf(s + n + 1, "%2d%n", &zh, &k) != 1 || k != 2)
				return -1;
			k += n + 1;
			if (s[k] == ':')
				k++;
			if (s[k]) {
				int k2 = 0;
				if (sscanf(s + k, "%2d%n", &zm, &k2) != 1 || k2 != 2)
					return -1;
				k += k2;
			}
			if (zh > 14 || zm > 59)
				return -1;
			offset = (zh * 60 + zm) * 60 * (s[n] == '-' ? -1 : 1);
			zoned = 1;
			n = k;
		}
		if (s[n])
			return -1;
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	tm.tm_isdst = -1;
	if (zoned) {
		tm.tm_isdst = 0;
		*out = ((int64_t)timegm(&tm) - offset) * 1000 + 999;
	} else {
		*out = (int64_t)mktime(&tm) * 1000 + 999;
	}
	return 0;
}

void sk_hist_describe_ms(char *out, size_t n, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(out, n, "%Y-%m-%d %H:%M:%S %Z", &tm);
}

/* The last change-set of b at or before ms by its clock: the prefix wanted. */
static size_t prefix_at(const struct sk_hist_branch *b, int64_t ms)
{
	size_t k = 0;
	for (size_t i = 0; i < b->n; i++)
		if (SK_HLC_MS(b->v[i].clock) <= ms)
			k = i + 1;
	return k;
}

static void set_point(struct sk_hist *r, char *words)
{
	free(r->res->point);
	r->res->point = words;
}

/* Sets the targets from the point; fills res->point and mode. */
int sk_hist_choose(struct sk_hist *r, const char *at, const char *district)
{
	int64_t ms;
	char commit[41], *msg = NULL;
	int rc;

	r->date_ms = INT64_MAX;
	if (parse_date(at, &ms) == 0) {
		char when[64];
		sk_hist_describe_ms(when, sizeof(when), ms);
		set_point(r, sk_printf("as at %s (by each office's change-set clock)", when));
		if (r->mode == MODE_DISTRICT) {
			struct sk_hist_branch *b = &r->b[r->own];
			b->target = prefix_at(b, ms);
			if (!b->target) {
				char first[64];
				sk_hist_describe_ms(first, sizeof(first), SK_HLC_MS(b->v[0].clock));
				return sk_error(SK_ENOTFOUND, "district %s had sealed nothing by %s (its first change-set is from %s)",
						b->origin, when, first);
			}
			return 0;
		}
		r->date_ms = ms;
		for (int i = 0; i < r->nb; i++)
			r->b[i].target = prefix_at(&r->b[i], ms);
		return 0;
	}
	rc = sk_repo_tag_find(r->repo, at, commit, &msg);
	if (rc == 1 && msg && strstr(msg, "\nbranch ")) {
		/* a snapshot: every branch exactly as listed */
		const char *p = msg;
		if (r->mode == MODE_DISTRICT) {
			free(msg);
			return sk_error_do(SK_EINVALID, SK_DO_RESTORE_WHOLE, NULL, "'%s' is a snapshot of the whole office", at);
		}
		r->mode = MODE_SNAPSHOT;
		for (int i = 0; i < r->nb; i++)
			r->b[i].target = 0;
		while ((p = strstr(p, "\nbranch "))) {
			char origin[24], cm[41], dg[65];
			unsigned long long num;
			int bi;
			long k;
			p += 8;
			if (sscanf(p, "%23s %llu %40s %64s", origin, &num, cm, dg) != 4)
				continue;
			if ((bi = sk_hist_find_origin(r, origin)) < 0 || (k = sk_hist_find_commit(&r->b[bi], cm)) < 0) {
				rc = sk_error(SK_ENOTFOUND, "snapshot '%s' names change-set %s #%llu (commit %.12s), which the local "
					      "repository '%s' does not hold: sync first", at, origin, num, cm, sk_repo_dir(r->repo));
				free(msg);
				return rc;
			}
			r->b[bi].target = (size_t)k + 1;
		}
		{
			char dg[80];
			sk_manifest_value(dg, sizeof(dg), msg, "digest");
			if (sk_unhex(r->snap_digest, SK_HASH_SIZE, dg) < 0) {
				free(msg);
				return sk_error(SK_ECORRUPT, "snapshot '%s' records no digest", at);
			}
		}
		free(msg);
		set_point(r, sk_printf("snapshot %s", at));
		return 0;
	}
	free(msg);
	if (rc == 0) {
		size_t n = strlen(at);
		if (n < 7 || n > 40 || strspn(at, "0123456789abcdef") != n)
			return sk_error(SK_EINVALID, "'%s' is neither a date (2024-02-28, \"2024-02-28 14:00\"), a commit nor a tag", at);
		snprintf(commit, sizeof(commit), "%s", at);
	}
	/* a commit: find its branch */
	for (int i = 0; i < r->nb; i++) {
		long k = sk_hist_find_commit(&r->b[i], commit);
		if (k < 0)
			continue;
		if (r->mode == MODE_DISTRICT) {
			if (i != r->own)
				return sk_error(SK_EINVALID, "commit %s is the city's: give a change-set of district %s", at,
						r->b[r->own].origin);
			r->b[i].target = (size_t)k + 1;
		} else if (!r->b[i].is_central) {
			/* a district's commit at the city: that district as it had itself */
			r->mode = MODE_DISTRICT;
			r->own = i;
			r->b[i].target = (size_t)k + 1;
		} else {
			int64_t ms2 = SK_HLC_MS(r->b[i].v[k].clock);
			r->date_ms = ms2;
			for (int j = 0; j < r->nb; j++)
				r->b[j].target = prefix_at(&r->b[j], ms2);
			r->b[i].target = (size_t)k + 1;
		}
		set_point(r, sk_printf("change-set %s #%llu (commit %.12s)", r->b[i].origin,
			 (unsigned long long)r->b[i].v[k].number, r->b[i].v[k].commit));
		return 0;
	}
	(void)district;
	return sk_error(SK_ENOTFOUND, "no change-set commit or tag '%s' in '%s'", at, sk_repo_dir(r->repo));
}

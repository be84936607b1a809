/*
 * diff.c: the workers that differ between two points, each restored into a temporary file.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "history.h"

/* ---- diff ---- */

void sk_diff_result_release(struct sk_diff_result *res)
{
	if (!res)
		return;
	sk_restore_result_release(&res->a);
	sk_restore_result_release(&res->b);
}

int sk_diff(const char *dbpath, const char *a, const char *b, const char *district,
	    int (*fn)(void *payload, const struct sk_diff_entry *e), void *payload, struct sk_diff_result *res)
{
	struct sk_restore_opts o;
	char *pa = NULL, *pb = NULL, *dir = NULL;
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	const char *cols[] = {"nik", "kk", "name", "birth_place", "birth_date", "sex", "address", "kelurahan", "phone",
			      "occupation", "workplace", "income", "status", "ended_on", "end_reason", "kpj", "verified", "owner"};
	struct sk_buf q = SK_BUF_INIT;
	int rc, n = (int)SK_ARRAY_SIZE(cols);

	memset(res, 0, sizeof(*res));
	memset(&o, 0, sizeof(o));
	o.district = district;
	pa = sk_printf("%s.diff-%d-a.db", dbpath, (int)getpid());
	pb = sk_printf("%s.diff-%d-b.db", dbpath, (int)getpid());
	sk_hist_unlink_db(pa);
	sk_hist_unlink_db(pb);
	o.at = a;
	o.out = pa;
	if ((rc = sk_restore(dbpath, &o, &res->a)) < 0) {
		sk_error_set("%s: %s", a, sk_error_last());
		goto done;
	}
	o.at = b;
	o.out = pb;
	if ((rc = sk_restore(dbpath, &o, &res->b)) < 0) {
		sk_error_set("%s: %s", b, sk_error_last());
		goto done;
	}
	if (sqlite3_open_v2(pb, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		rc = sk_error(SK_ERROR, "cannot read '%s'", pb);
		goto done;
	}
	{
		char *att = sqlite3_mprintf("ATTACH %Q AS a", pa);
		int e = sqlite3_exec(h, att, NULL, NULL, NULL);
		sqlite3_free(att);
		if (e != SQLITE_OK) {
			rc = sk_error(SK_ERROR, "cannot read '%s': %s", pa, sqlite3_errmsg(h));
			goto done;
		}
	}
	/* one row per worker that differs: what it was and is, and which fields changed */
	sk_buf_puts(&q, "SELECT coalesce(b.id, a.id), coalesce(b.owner, a.owner), coalesce(b.nik, a.nik), coalesce(b.name, a.name), "
			"a.id IS NULL, b.id IS NULL, coalesce(a.status, '') != 'ended' AND b.status = 'ended', ''");
	for (int i = 0; i < n; i++)
		sk_buf_printf(&q, " || CASE WHEN a.\"%s\" IS NOT b.\"%s\" THEN ', %s' ELSE '' END", cols[i], cols[i], cols[i]);
	sk_buf_puts(&q, " FROM main.workers b LEFT JOIN a.workers a ON a.id = b.id UNION ALL "
			"SELECT a.id, a.owner, a.nik, a.name, 0, 1, 0, '' FROM a.workers a WHERE a.id NOT IN (SELECT id FROM main.workers) "
			"ORDER BY 2, 4");
	if (sqlite3_prepare_v2(h, (const char *)q.ptr, -1, &st, NULL) != SQLITE_OK) {
		rc = sk_error(SK_ERROR, "cannot compare: %s", sqlite3_errmsg(h));
		goto done;
	}
	rc = 0;
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		struct sk_diff_entry e;
		const char *fields = (const char *)sqlite3_column_text(st, 7);
		int added = sqlite3_column_int(st, 4), gone = sqlite3_column_int(st, 5), ended = sqlite3_column_int(st, 6);
		memset(&e, 0, sizeof(e));
		e.id = (const char *)sqlite3_column_text(st, 0);
		e.owner = (const char *)sqlite3_column_text(st, 1);
		e.nik = (const char *)sqlite3_column_text(st, 2);
		e.name = (const char *)sqlite3_column_text(st, 3);
		if (added) {
			e.what = "added";
			res->added++;
		} else if (gone) {
			e.what = "removed";
			res->removed++;
		} else if (ended) {
			e.what = "ended";
			e.fields = fields && *fields ? fields + 2 : "";
			res->ended++;
		} else if (fields && *fields) {
			e.what = "changed";
			e.fields = fields + 2;
			res->changed++;
		} else {
			continue;
		}
		rc = fn(payload, &e);
	}
	if (rc > 0)
		rc = 0;
done:
	sqlite3_finalize(st);
	sqlite3_close(h);
	sk_buf_release(&q);
	if (pa)
		sk_hist_unlink_db(pa);
	if (pb)
		sk_hist_unlink_db(pb);
	free(pa);
	free(pb);
	free(dir);
	return rc;
}

/*
 * deaths.c: the month's deaths, with the heirs of each, for the JKM claims (Rp42,000,000 each)
 * the city helps families file; a death with no heir registered is listed as such.
 */
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "pricing.h"

int sk_deaths_each(struct sk_db *db, const char *month, int (*fn)(void *payload, const struct sk_death *d), void *payload)
{
	sqlite3_stmt *st;
	char first[11], last[11];
	int y, m, rc;

	if (!month || strlen(month) != 7 || month[4] != '-' || (y = atoi(month)) < 2000 || y > 2100 ||
	    (m = atoi(month + 5)) < 1 || m > 12)
		return sk_error(SK_EINVALID, "month '%s' is not a month like 2024-03", month ? month : "");
	sk_month_bounds(first, last, y, m);
	/* a record the city marked as a duplicate is the same person as the one kept */
	if ((rc = sk_db_prepare(db, &st,
		"SELECT w.id, w.owner, coalesce((SELECT name FROM regions WHERE code = w.owner), w.owner), w.nik, w.name, "
		"w.ended_on, w.kpj, (SELECT count(*) FROM heirs h WHERE h.worker_id = w.id), "
		"(SELECT group_concat(h.name || ' (' || h.relationship || coalesce(', NIK ' || h.nik, '') || "
		"coalesce(', ' || h.phone, '') || ')', '; ') FROM heirs h WHERE h.worker_id = w.id), "
		"(SELECT group_concat(DISTINCT e.program) FROM enrolments e WHERE e.worker_id = w.id AND e.program = 'JKM' "
		"AND e.start_on <= w.ended_on) "
		"FROM workers w WHERE w.status = 'ended' AND w.end_reason = 'meninggal dunia' AND w.ended_on BETWEEN ?1 AND ?2 "
		"AND w.duplicate_of IS NULL ORDER BY 3, w.ended_on, w.name")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, first, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, last, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct sk_death d;
		d.id = (const char *)sqlite3_column_text(st, 0);
		d.owner = (const char *)sqlite3_column_text(st, 1);
		d.district = (const char *)sqlite3_column_text(st, 2);
		d.nik = (const char *)sqlite3_column_text(st, 3);
		d.name = (const char *)sqlite3_column_text(st, 4);
		d.died_on = (const char *)sqlite3_column_text(st, 5);
		d.kpj = (const char *)sqlite3_column_text(st, 6);
		d.nheirs = sqlite3_column_int(st, 7);
		d.heirs = (const char *)sqlite3_column_text(st, 8);
		d.jkm = sqlite3_column_type(st, 9) != SQLITE_NULL;
		if ((rc = fn(payload, &d)) != 0)
			break;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE || rc > 0 ? 0 : rc < 0 ? rc : sk_db_fail(db, "cannot list the deaths");
}

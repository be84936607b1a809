/*
 * city.c: what only the city decides about a district's record: the BPJS participant number
 * (KPJ) once BPJS returns it, the verification status, and which record stays when the same
 * person was registered twice.  These are the city's columns (sk_city_columns): written here,
 * sealed on the city's branch and applied by the record's district.
 */
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "db.h"
#include "validate.h"

#define SK_KPJ_DIGITS 11

int sk_kpj_check(const char *kpj)
{
	size_t n = kpj ? strlen(kpj) : 0;
	for (size_t i = 0; i < n; i++)
		if (kpj[i] < '0' || kpj[i] > '9')
			return sk_error(SK_EINVALID, "KPJ '%s' must be digits only: copy it from the card or BPJS's list", kpj);
	if (n != SK_KPJ_DIGITS)
		return sk_error(SK_EINVALID, "KPJ '%s' has %zu digits, a KPJ has %d: check it against the card", kpj ? kpj : "",
				n, SK_KPJ_DIGITS);
	return 0;
}

/* A worker other than the person with nik who holds kpj: SK_ECONFLICT naming them; 0 none. */
static int kpj_free(struct sk_db *db, const char *kpj, const char *nik)
{
	sqlite3_stmt *st;
	int rc;
	if ((rc = sk_db_prepare(db, &st, "SELECT w.id, w.name, w.nik, coalesce((SELECT name FROM regions WHERE code = w.owner), w.owner) "
					 "FROM workers w WHERE w.kpj = ?1 AND w.nik IS NOT ?2 LIMIT 1")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, kpj, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, nik, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		rc = sk_error(SK_ECONFLICT, "KPJ %s already belongs to %s (NIK %s, id %s, %s): a KPJ is one person's; "
			      "check the number BPJS gave", kpj, (const char *)sqlite3_column_text(st, 1),
			      (const char *)sqlite3_column_text(st, 2), (const char *)sqlite3_column_text(st, 0),
			      (const char *)sqlite3_column_text(st, 3));
	sqlite3_finalize(st);
	return rc;
}

static int refuse_at_district(struct sk_db *db, const char *what)
{
	if (!db->is_city)
		return sk_error(SK_EINVALID, "%s is decided by the city: run it on the city's database", what);
	return 0;
}

int sk_worker_set_city_field(struct sk_db *db, const char *key, const char *field, const char *value)
{
	struct sk_worker w;
	sqlite3_stmt *st;
	char *sql;
	int rc;

	if ((rc = refuse_at_district(db, field)) < 0)
		return rc;
	if (strcmp(field, "kpj") && strcmp(field, "verified"))
		return sk_error(SK_EINVALID, "'%s' is not a field the city sets (kpj, verified)", field);
	if (!strcmp(field, "kpj") && value && *value && (rc = sk_kpj_check(value)) < 0)
		return rc;
	if ((rc = sk_worker_get(db, &w, key)) < 0)
		return rc;
	if ((rc = sk_db_begin(db)) < 0)
		goto done;
	if (!strcmp(field, "kpj") && value && *value && (rc = kpj_free(db, value, w.nik)) < 0) {
		sk_db_rollback(db);
		goto done;
	}
	sql = sk_printf("UPDATE workers SET %s = ? WHERE id = ?", field);
	rc = sk_db_prepare(db, &st, sql);
	free(sql);
	if (rc < 0) {
		sk_db_rollback(db);
		goto done;
	}
	if (value && *value)
		sqlite3_bind_text(st, 1, value, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 1);
	sqlite3_bind_text(st, 2, w.id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : sk_db_fail(db, "cannot set the field");
	sqlite3_finalize(st);
	if (rc < 0) {
		sk_db_rollback(db);
		goto done;
	}
	rc = sk_db_commit(db);
done:
	sk_worker_release(&w);
	return rc;
}

#define DUP_COLS "w.id, w.owner, w.nik, w.name, w.birth_date, w.sex, w.kelurahan, w.phone, w.occupation, " \
		 "(SELECT name FROM regions WHERE code = w.owner), (SELECT group_concat(program || ' ' || funder || ' from ' || " \
		 "start_on, '; ') FROM enrolments e WHERE e.worker_id = w.id AND e.end_on IS NULL)"

int sk_duplicates_each(struct sk_db *db, int (*fn)(void *payload, const struct sk_duplicate *d), void *payload)
{
	sqlite3_stmt *st;
	int rc;
	/* the same NIK active more than once, and not yet decided */
	if ((rc = sk_db_prepare(db, &st, "SELECT " DUP_COLS " FROM workers w WHERE w.status = 'active' AND w.duplicate_of IS NULL "
					 "AND w.nik IN (SELECT nik FROM workers WHERE status = 'active' AND duplicate_of IS NULL "
					 "GROUP BY nik HAVING count(*) > 1) ORDER BY w.nik, w.owner, w.id")) < 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct sk_duplicate d;
		d.id = (const char *)sqlite3_column_text(st, 0);
		d.owner = (const char *)sqlite3_column_text(st, 1);
		d.nik = (const char *)sqlite3_column_text(st, 2);
		d.name = (const char *)sqlite3_column_text(st, 3);
		d.birth_date = (const char *)sqlite3_column_text(st, 4);
		d.sex = (const char *)sqlite3_column_text(st, 5);
		d.kelurahan = (const char *)sqlite3_column_text(st, 6);
		d.phone = (const char *)sqlite3_column_text(st, 7);
		d.occupation = (const char *)sqlite3_column_text(st, 8);
		d.district = (const char *)sqlite3_column_text(st, 9);
		d.enrolments = (const char *)sqlite3_column_text(st, 10);
		if ((rc = fn(payload, &d)) != 0)
			break;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : sk_db_fail(db, "cannot list duplicates");
}

int sk_duplicate_decide(struct sk_db *db, const char *nik, const char *keep_id, size_t *marked)
{
	sqlite3_stmt *st = NULL;
	char *owner = NULL, *note = NULL;
	int rc;

	*marked = 0;
	if ((rc = refuse_at_district(db, "a duplicate")) < 0)
		return rc;
	if ((rc = sk_db_begin(db)) < 0)
		return rc;
	if ((rc = sk_db_prepare(db, &st, "SELECT owner FROM workers WHERE id = ? AND nik = ? AND status = 'active'")) < 0)
		goto fail;
	sqlite3_bind_text(st, 1, keep_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, nik, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = sk_error_do(SK_ENOTFOUND, SK_DO_DUPLICATES_LIST, NULL, "no active record %s with NIK %s", keep_id, nik);
		goto fail;
	}
	owner = sk_strdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	note = sk_printf("duplicate: the city keeps %s (%s)", keep_id, owner ? owner : "?");
	if ((rc = sk_db_prepare(db, &st, "UPDATE workers SET duplicate_of = ?1, verified = ?2 WHERE nik = ?3 AND id <> ?1 "
					 "AND status = 'active' AND duplicate_of IS NULL")) < 0)
		goto fail;
	sqlite3_bind_text(st, 1, keep_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, note, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, nik, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		rc = sk_db_fail(db, "cannot record the decision");
		goto fail;
	}
	*marked = (size_t)sqlite3_changes(db->h);
	sqlite3_finalize(st);
	st = NULL;
	if (*marked == 0) {
		rc = sk_error(SK_ENOTFOUND, "NIK %s has no other active record to mark", nik);
		goto fail;
	}
	free(owner);
	free(note);
	return sk_db_commit(db);
fail:
	sqlite3_finalize(st);
	sk_db_rollback(db);
	free(owner);
	free(note);
	return rc;
}

int sk_receipt_get(struct sk_db *db, struct sk_receipt *out)
{
	sqlite3_stmt *st;
	int rc;
	memset(out, 0, sizeof(*out));
	out->matches = -1;
	if ((rc = sk_db_prepare(db, &st, "SELECT r.last_number, r.sealed_at, r.consolidated_at, r.digest, c.digest, r.refused_number, "
					 "r.refused_state, r.refused_reason FROM receipts r "
					 "LEFT JOIN sk_changesets c ON c.origin = r.id AND c.number = r.last_number AND c.local = 1 "
					 "WHERE r.id = ?")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, db->code, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *mine = (const char *)sqlite3_column_text(st, 4);
		const char *theirs = (const char *)sqlite3_column_text(st, 3);
		if (sqlite3_column_type(st, 5) != SQLITE_NULL && sqlite3_column_text(st, 6)) {
			out->refused_number = sqlite3_column_int64(st, 5);
			snprintf(out->refused_state, sizeof(out->refused_state), "%s", (const char *)sqlite3_column_text(st, 6));
			out->refused_reason = sk_strdup(sqlite3_column_text(st, 7) ? (const char *)sqlite3_column_text(st, 7) : "");
		}
		out->have = sqlite3_column_type(st, 0) != SQLITE_NULL;
		out->last_number = sqlite3_column_int64(st, 0);
		out->sealed_at = sqlite3_column_int64(st, 1);
		out->consolidated_at = sqlite3_column_int64(st, 2);
		snprintf(out->digest, sizeof(out->digest), "%s", theirs ? theirs : "");
		if (mine && theirs)
			out->matches = !strcasecmp(mine, theirs);
	}
	sqlite3_finalize(st);
	return 0;
}

void sk_receipt_release(struct sk_receipt *r)
{
	free(r->refused_reason);
	r->refused_reason = NULL;
}

/* ---- KPJ numbers in bulk, from the file BPJS returns after a registration ---- */

static int header_is(const char *h, const char *const *names)
{
	for (int i = 0; names[i]; i++)
		if (!strcasecmp(h, names[i]))
			return 1;
	return 0;
}

int sk_kpj_import(struct sk_db *db, const char *path, struct sk_kpj_result *res,
		  void (*unmatched)(void *payload, long line, const char *nik, const char *kpj, const char *why),
		  void *payload)
{
	static const char *const nik_names[] = {"NIK", "No KTP", "No. KTP", "Nomor KTP", "Nomor Identitas", "No Identitas",
						"NIK KTP", NULL};
	static const char *const kpj_names[] = {"KPJ", "No KPJ", "No. KPJ", "Nomor KPJ", "No Peserta", "No. Peserta",
						"Nomor Peserta", "Nomor Kartu", "No Kartu", NULL};
	struct sk_csv *csv = NULL;
	sqlite3_stmt *find = NULL, *set = NULL;
	char **f;
	size_t n;
	long line;
	int rc, nik_col = -1, kpj_col = -1, in_tx = 0;

	memset(res, 0, sizeof(*res));
	if ((rc = refuse_at_district(db, "a KPJ")) < 0)
		return rc;
	if ((rc = sk_csv_open(&csv, path)) < 0)
		return rc;
	/* the header: the first line with a NIK and a KPJ column (title lines above it are skipped) */
	while ((rc = sk_csv_next(csv, &f, &n, &line)) != 0) {
		if (rc < 0)
			goto done;
		for (size_t i = 0; i < n; i++) {
			if (nik_col < 0 && header_is(f[i], nik_names))
				nik_col = (int)i;
			else if (kpj_col < 0 && header_is(f[i], kpj_names))
				kpj_col = (int)i;
		}
		if (nik_col >= 0 && kpj_col >= 0)
			break;
		nik_col = kpj_col = -1;
		if (line > 20)
			break;
	}
	if (nik_col < 0 || kpj_col < 0) {
		rc = sk_error(SK_EINVALID, "'%s' has no header line with a NIK and a KPJ column: the file BPJS returns "
			      "lists each NIK with its KPJ", path);
		goto done;
	}
	if ((rc = sk_db_begin(db)) < 0)
		goto done;
	in_tx = 1;
	if ((rc = sk_db_prepare(db, &find, "SELECT id, kpj FROM workers WHERE nik = ? AND status = 'active' AND duplicate_of IS NULL")) < 0 ||
	    (rc = sk_db_prepare(db, &set, "UPDATE workers SET kpj = ? WHERE id = ?")) < 0)
		goto done;
	while ((rc = sk_csv_next(csv, &f, &n, &line)) != 0) {
		char nik[SK_NIK_SIZE], kpj[32], why[300] = "";
		const char *rawnik = rc > 0 && (size_t)nik_col < n ? f[nik_col] : "";
		const char *rawkpj = rc > 0 && (size_t)kpj_col < n ? f[kpj_col] : "";
		size_t k = 0;
		if (rc == SK_ERROR)
			goto done;
		res->rows++;
		/* a NIK or KPJ a spreadsheet kept as text may carry an apostrophe or spaces */
		for (const char *p = rawnik; *p && k + 1 < sizeof(nik); p++)
			if (*p != ' ' && *p != '\'')
				nik[k++] = *p;
		nik[k] = '\0';
		k = 0;
		for (const char *p = rawkpj; *p && k + 1 < sizeof(kpj); p++)
			if (*p != ' ' && *p != '\'' && *p != '-' && *p != '.')
				kpj[k++] = *p;
		kpj[k] = '\0';
		if (rc < 0) {
			snprintf(why, sizeof(why), "%s", sk_error_last());
		} else if (sk_kpj_check(kpj) < 0) {
			snprintf(why, sizeof(why), "%s", sk_error_last());
		} else {
			sqlite3_reset(find);
			sqlite3_bind_text(find, 1, nik, -1, SQLITE_TRANSIENT);
			if (sqlite3_step(find) != SQLITE_ROW) {
				snprintf(why, sizeof(why), "no active worker with NIK %s in the register", nik);
			} else if (sqlite3_column_text(find, 1) && !strcmp((const char *)sqlite3_column_text(find, 1), kpj)) {
				res->unchanged++;
			} else if (kpj_free(db, kpj, nik) < 0) {
				snprintf(why, sizeof(why), "%s", sk_error_last());
			} else {
				int nset = 0;
				do {
					sqlite3_reset(set);
					sqlite3_bind_text(set, 1, kpj, -1, SQLITE_TRANSIENT);
					sqlite3_bind_text(set, 2, (const char *)sqlite3_column_text(find, 0), -1, SQLITE_TRANSIENT);
					if (sqlite3_step(set) != SQLITE_DONE) {
						rc = sk_db_fail(db, "cannot set the KPJ");
						goto done;
					}
					nset++;
				} while (sqlite3_step(find) == SQLITE_ROW);
				res->set += (size_t)(nset > 0);
			}
			sqlite3_reset(find);
		}
		if (*why) {
			res->unmatched++;
			if (unmatched)
				unmatched(payload, line, rawnik, rawkpj, why);
		}
	}
	rc = sk_db_commit(db);
	in_tx = 0;
done:
	if (in_tx)
		sk_db_rollback(db);
	sqlite3_finalize(find);
	sqlite3_finalize(set);
	sk_csv_free(csv);
	return rc;
}

/*
 * import.c: the spreadsheets field officers bring back, and the CSV the city sends BPJS.
 * An import is one transaction: every good row goes in (a NIK already active in the district
 * is updated where it differs, so the same file twice changes nothing), every bad row is
 * reported with its line, field and reason and copied to a reject file beside the input.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csv.h"
#include "hashtab.h"
#include "pricing.h"
#include "registry.h"
#include "xlsxout.h"

int sk_import_write_template(FILE *f)
{
	return sk_import_template(f);
}

struct seen_nik {
	char nik[SK_NIK_SIZE];
	long line;
};

/* NIKs already taken by an earlier line of the same file */
struct nikset {
	struct seen_nik *v;
	size_t n, alloc;
	struct sk_hashtab index;
};

static uint64_t nikset_hash(void *ctx, size_t i)
{
	return sk_hash_str(SK_HASH_SEED, ((struct nikset *)ctx)->v[i].nik);
}

static int nikset_equal(void *ctx, size_t i, const void *key)
{
	return !strcmp(((struct nikset *)ctx)->v[i].nik, key);
}

static long nikset_add(struct nikset *s, const char *nik, long line)
{
	uint64_t h = sk_hash_str(SK_HASH_SEED, nik);
	long i = sk_hashtab_find(&s->index, h, nik);
	if (i >= 0)
		return s->v[i].line;
	if (s->n == s->alloc) {
		s->alloc = s->alloc ? s->alloc * 2 : 4096;
		s->v = sk_realloc(s->v, s->alloc * sizeof(*s->v));
	}
	snprintf(s->v[s->n].nik, SK_NIK_SIZE, "%s", nik);
	s->v[s->n].line = line;
	s->n++;
	sk_hashtab_add(&s->index, h);
	return 0;
}

/* The reject file: beside the input (NAME.rejected.csv) unless given, in the input's own
 * dialect and encoding, every original column kept, the line first and the reason last. */
struct reject_file {
	struct sk_private_file pf;   /* CSV */
	struct sk_xlsx_out *x;       /* a workbook came in: a workbook goes out */
};

static int reject_row(struct reject_file *rf, const struct sk_csv_style *style, const char **row, size_t n)
{
	return rf->x ? sk_xlsx_row(rf->x, row, n) : sk_csv_write(rf->pf.f, style, row, n);
}

static int write_reject(struct reject_file *rf, struct sk_csv *csv, struct sk_import_result *res,
			char **header, size_t nh, char **fields, size_t n, long line,
			const struct sk_issues *is)
{
	struct sk_csv_style style;
	char reason[1024] = "", lbuf[24];
	const char **row;
	size_t len = 0;
	int rc;

	sk_csv_style_of(csv, &style);
	if (!rf->pf.f && !rf->x) {
		if (style.xlsx)
			rc = sk_xlsx_open(&rf->x, res->reject_path, "Ditolak");
		else
			rc = sk_private_open(&rf->pf, res->reject_path);
		if (rc < 0)
			return rc;
		row = sk_malloc(sizeof(*row) * (nh + 2));
		row[0] = "Baris";
		for (size_t i = 0; i < nh; i++)
			row[i + 1] = header[i];
		row[nh + 1] = "Alasan";
		if (rf->x || (rc = sk_csv_write_start(rf->pf.f, &style)) == 0)
			rc = reject_row(rf, &style, row, nh + 2);
		free(row);
		if (rc < 0)
			return rc;
	}
	for (int i = 0; i < is->n; i++)
		if (is->v[i].error && len < sizeof(reason) - 1)
			len += (size_t)snprintf(reason + len, sizeof(reason) - len, "%s%s: %s", len ? "; " : "",
						is->v[i].field, is->v[i].reason);
	snprintf(lbuf, sizeof(lbuf), "%ld", line);
	{
		size_t cols = n > nh ? n : nh;
		row = sk_calloc(cols + 2, sizeof(*row));
		row[0] = lbuf;
		for (size_t i = 0; i < n; i++)
			row[i + 1] = fields[i];
		row[cols + 1] = reason;
		rc = reject_row(rf, &style, row, cols + 2);
		free(row);
	}
	return rc;
}

/* A cell this program wrote behind an apostrophe so a spreadsheet would not run it ("'=1+1",
 * "'+62..."): read back as it was. */
static void unneutralise(char **fields, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fields[i][0] == '\'' && fields[i][1] && strchr("=+-@", fields[i][1]))
			memmove(fields[i], fields[i] + 1, strlen(fields[i]));
}

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *s)
{
	if (s && *s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static int enrol_new(struct sk_db *db, sqlite3_stmt *st, const char *worker_id, const char *program,
		     const char *funder, const char *start, int64_t income, const char *decision)
{
	char *id = sk_new_id(db);
	int rc;
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, db->code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, worker_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, program, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, funder, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, start, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, income ? income : 1000000);
	bind_text_or_null(st, 8, decision);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : sk_db_fail(db, "cannot enrol an imported worker");
	free(id);
	return rc;
}

static void keep_one(char **neu, const char *old)
{
	if ((!*neu || !**neu) && old && *old) {
		free(*neu);
		*neu = sk_strdup(old);
	}
}

/* An import fills in and corrects a registered worker, it never erases: a column the file
 * does not have, or an empty cell, keeps what is stored (a file with fewer columns than the
 * last one must not wipe phone numbers or addresses). */
static void keep_absent(struct sk_worker *w, const struct sk_worker *old)
{
	keep_one(&w->kk, old->kk);
	keep_one(&w->birth_place, old->birth_place);
	keep_one(&w->address, old->address);
	keep_one(&w->phone, old->phone);
	keep_one(&w->occupation, old->occupation);
	keep_one(&w->workplace, old->workplace);
	if (!w->income)
		w->income = old->income;
}

int sk_import(struct sk_db *db, const struct sk_import_opts *o, struct sk_import_result *res)
{
	struct sk_csv *csv = NULL;
	struct sk_import_map map;
	struct sk_ctx_store cs;
	struct nikset seen = {NULL, 0, 0, SK_HASHTAB_INIT(4096, nikset_hash, nikset_equal, NULL)};
	sqlite3_stmt *find = NULL, *enrol = NULL;
	struct sk_pricing *pr = NULL;
	const struct sk_funder *sch = NULL;
	char funder[128] = "";
	struct reject_file rf = {{0}, NULL};
	char **fields, **header = NULL, start[SK_DATE_SIZE];
	size_t n, nh = 0;
	long line;
	int rc, len, in_tx = 0;

	seen.index.ctx = &seen;
	memset(res, 0, sizeof(*res));
	memset(&map, 0, sizeof(map));
	memset(&cs, 0, sizeof(cs));
	if (db->is_city)
		return sk_error(SK_EINVALID, "%s is the city's database: import at a district office", db->name);
	if (o->start && *o->start) {
		int y = atoi(o->start), m = strlen(o->start) >= 7 ? atoi(o->start + 5) : 0;
		if (y < 2000 || y > 2100 || m < 1 || m > 12)
			return sk_error(SK_EINVALID, "start month '%s' is not a month like 2024-03", o->start);
		snprintf(start, sizeof(start), "%04d-%02d-01", y, m);
	} else {
		sk_date_month_start(start, sk_date_today(), 0);
	}
	if (o->funder) {
		/* the funder from the list, its scheme checked once for the start month */
		struct sk_worker none = {0};
		static const char progs[2][4] = {"JKK", "JKM"};
		if ((rc = sk_funder_resolve(db, funder, sizeof(funder), o->funder)) < 0 ||
		    (rc = sk_pricing_load(&pr, db)) < 0)
			goto done;
		sch = sk_pricing_scheme(pr, funder);
		none.name = (char *)"";
		if (sch && (rc = sk_scheme_check(sch, &none, progs, 2, start, o->decision, NULL)) < 0)
			goto done;
	}
	if ((rc = sk_csv_open(&csv, o->path)) < 0)
		goto done;
	if (o->reject_path)
		len = snprintf(res->reject_path, sizeof(res->reject_path), "%s", o->reject_path);
	else {
		const char *dot = strrchr(o->path, '.');
		const char *slash = strrchr(o->path, '/');
		struct sk_csv_style style;
		size_t stem = dot && (!slash || dot > slash) ? (size_t)(dot - o->path) : strlen(o->path);
		sk_csv_style_of(csv, &style);
		len = snprintf(res->reject_path, sizeof(res->reject_path), "%.*s.rejected.%s", (int)stem, o->path,
			       style.xlsx ? "xlsx" : "csv");
	}
	if (len < 0 || (size_t)len >= sizeof(res->reject_path)) {
		res->reject_path[0] = '\0';
		rc = sk_error(SK_EINVALID, "the reject file's path is longer than %zu bytes", sizeof(res->reject_path) - 1);
		goto done;
	}
	/* the rows a clerk corrects go to another file than the one being read */
	if (!strcmp(res->reject_path, o->path) || sk_same_file(res->reject_path, o->path)) {
		rc = sk_error_do(SK_EINVALID, SK_DO_OTHER_REJECT_FILE, NULL, "the reject file '%s' is the file being imported",
			      res->reject_path);
		res->reject_path[0] = '\0';
		goto done;
	}
	/* the header: the first line that names the columns; a sheet may have title lines above it
	 * ("DAFTAR PEKERJA RENTAN ...", a date, an empty line) */
	{
		char *first_why = NULL;
		enum sk_remedy first_do = SK_DO_NOTHING;
		long first_line = 0;
		for (;;) {
			rc = sk_csv_next(csv, &fields, &n, &line);
			if (rc <= 0) {
				if (rc == 0 && first_why)
					rc = sk_error_do(SK_EINVALID, first_do, NULL, "%s line %ld: %s", o->path, first_line,
							 first_why);
				else if (rc == 0)
					rc = sk_error_do(SK_EINVALID, SK_DO_IMPORT_TEMPLATE, NULL,
							 "'%s' is empty: it needs a header line", o->path);
				free(first_why);
				goto done;
			}
			header = sk_malloc(sizeof(*header) * n);
			for (size_t i = 0; i < n; i++)
				header[i] = sk_strdup(fields[i]);
			nh = n;
			if ((rc = sk_import_map_header(&map, (const char *const *)header, nh)) == 0)
				break;
			/* sk_error_last() is the buffer sk_error_set writes into: copy it first */
			if (!first_why) {
				first_why = sk_strdup(sk_error_last());
				first_do = sk_error_remedy();
				first_line = line;
			}
			sk_import_map_release(&map);
			memset(&map, 0, sizeof(map));
			for (size_t i = 0; i < nh; i++)
				free(header[i]);
			free(header);
			header = NULL;
			nh = 0;
			if (line >= 20) {
				rc = sk_error_do(SK_EINVALID, first_do, NULL, "%s line %ld: %s", o->path, first_line, first_why);
				free(first_why);
				goto done;
			}
		}
		free(first_why);
	}
	for (size_t i = 0; i < map.nunknown && o->report; i++) {
		struct sk_issue is = {0, "header", ""};
		snprintf(is.reason, sizeof(is.reason), "column '%s' is not a field sinkron knows: ignored", map.unknown[i]);
		o->report(o->payload, line, &is);
		res->warnings++;
	}
	if ((rc = sk_ctx_load(db, &cs)) < 0)
		goto done;
	if ((rc = sk_db_begin(db)) < 0)
		goto done;
	in_tx = 1;
	if ((rc = sk_db_prepare(db, &find, "SELECT id, owner, nik, kk, name, birth_place, birth_date, sex, address, kelurahan, "
					   "phone, occupation, workplace, income FROM workers WHERE nik = ? AND status = 'active' "
					   "ORDER BY rowid LIMIT 1")) < 0 ||
	    (rc = sk_db_prepare(db, &enrol, "INSERT INTO enrolments (id, owner, worker_id, program, funder, start_on, income, decision) "
					    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) < 0)
		goto done;

	for (;;) {
		struct sk_issues is;
		struct sk_worker w = {0};
		long dup;

		rc = sk_csv_next(csv, &fields, &n, &line);
		if (rc == 0)
			break;
		if (rc == SK_ERROR)
			goto done;
		res->rows++;
		if ((res->rows & 255) == 0)
			sk_pause_point("import-rows"); /* inside the import's transaction */
		if (o->progress && (res->rows & 255) == 0) {
			uint64_t d, t;
			sk_csv_progress(csv, &d, &t);
			o->progress(o->payload, "importing", d, t);
		}
		memset(&is, 0, sizeof(is));
		if (rc < 0) {
			/* a record the reader could not take: report it and go on */
			sk_issues_add(&is, 1, SK_F_ROW, "%s", sk_error_last());
			fields = NULL;
			n = 0;
		} else {
			unneutralise(fields, n);
			sk_import_row(&w, &is, &map, &cs.ctx, (const char *const *)fields, n);
			if (sk_csv_recoded(csv))
				res->recoded = 1;
		}
		if (!sk_issues_errors(&is) && w.nik && (dup = nikset_add(&seen, w.nik, line)) > 0)
			sk_issues_add(&is, 1, SK_F_NIK, "NIK %s is also on line %ld of this file", w.nik, dup);
		for (int i = 0; i < is.n && o->report; i++)
			o->report(o->payload, line, &is.v[i]);
		if (is.dropped && o->report) {
			struct sk_issue more = {0, SK_F_ROW, ""};
			snprintf(more.reason, sizeof(more.reason), "%d more issue(s) in this row not shown", is.dropped);
			o->report(o->payload, line, &more);
		}
		if (sk_issues_errors(&is)) {
			res->rejected++;
			/* a dry run writes no file either */
			rc = o->dry_run ? 0 : write_reject(&rf, csv, res, header, nh, fields, n, line, &is);
			sk_worker_release(&w);
			if (rc < 0)
				goto done;
			continue;
		}
		res->warnings += (size_t)is.n;
		sqlite3_reset(find);
		sqlite3_bind_text(find, 1, w.nik, -1, SQLITE_TRANSIENT);
		if (sqlite3_step(find) == SQLITE_ROW) {
			struct sk_worker old = {0};
			int changed = 0;
			old.id = sk_strdup((const char *)sqlite3_column_text(find, 0));
			old.owner = sk_strdup((const char *)sqlite3_column_text(find, 1));
			old.nik = sk_strdup((const char *)sqlite3_column_text(find, 2));
#define COL(i) (sqlite3_column_text(find, i) ? sk_strdup((const char *)sqlite3_column_text(find, i)) : NULL)
			old.kk = COL(3);
			old.name = COL(4);
			old.birth_place = COL(5);
			old.birth_date = COL(6);
			old.sex = COL(7);
			old.address = COL(8);
			old.kelurahan = COL(9);
			old.phone = COL(10);
			old.occupation = COL(11);
			old.workplace = COL(12);
#undef COL
			old.income = sqlite3_column_int64(find, 13);
			sqlite3_reset(find);
			keep_absent(&w, &old);
			rc = sk_worker_update(db, &old, &w, &changed);
			sk_worker_release(&old);
			if (rc < 0) {
				sk_worker_release(&w);
				goto done;
			}
			if (changed)
				res->updated++;
			else
				res->unchanged++;
		} else {
			char *id = NULL;
			sqlite3_reset(find);
			if ((rc = sk_worker_insert(db, &w, &id)) < 0) {
				sk_worker_release(&w);
				goto done;
			}
			res->added++;
			if (o->funder) {
				static const char progs[2][4] = {"JKK", "JKM"};
				struct sk_issues es;
				int64_t bracket = sch && sch->bracket > 0 ? sch->bracket : w.income;
				memset(&es, 0, sizeof(es));
				if (sch && sk_scheme_check(sch, &w, progs, 2, start, o->decision, &es) < 0) {
					/* the worker is registered; the scheme does not take them */
					struct sk_issue one = {0, "Umur", ""};
					snprintf(one.reason, sizeof(one.reason), "registered but not enrolled: %s", sk_error_last());
					if (o->report)
						o->report(o->payload, line, &one);
					res->warnings++;
					res->not_enrolled++;
				} else if ((rc = enrol_new(db, enrol, id, "JKK", funder, start, bracket, o->decision)) < 0 ||
					   (rc = enrol_new(db, enrol, id, "JKM", funder, start, bracket, o->decision)) < 0) {
					free(id);
					sk_worker_release(&w);
					goto done;
				} else {
					res->enrolled++;
				}
				for (int i = 0; i < es.n && o->report; i++)
					o->report(o->payload, line, &es.v[i]);
				res->warnings += (size_t)es.n;
			}
			free(id);
		}
		sk_worker_release(&w);
	}
	if (o->progress) {
		uint64_t d, t;
		sk_csv_progress(csv, &d, &t);
		o->progress(o->payload, "importing", t ? t : d, t);
	}
	if (o->dry_run) {
		sk_db_rollback(db);
		in_tx = 0;
		rc = 0;
		goto done;
	}
	rc = sk_db_commit(db);
	in_tx = 0;
done:
	if (in_tx)
		sk_db_rollback(db);
	if (rf.pf.f || rf.x) {
		int rc2 = rf.x ? sk_xlsx_close(rf.x, rc == 0) : sk_private_close(&rf.pf, rc == 0);
		if (rc == 0)
			rc = rc2;
	}
	if (!res->rejected)
		res->reject_path[0] = '\0';
	sqlite3_finalize(find);
	sqlite3_finalize(enrol);
	sk_import_map_release(&map);
	sk_ctx_release(&cs);
	for (size_t i = 0; i < nh; i++)
		free(header[i]);
	free(header);
	free(seen.v);
	sk_hashtab_release(&seen.index);
	sk_csv_free(csv);
	sk_pricing_free(pr);
	return rc;
}

static void dmy(char out[11], const char *iso)
{
	/* BPJS's forms take DD-MM-YYYY */
	if (iso && strlen(iso) == 10)
		snprintf(out, 11, "%.2s-%.2s-%.4s", iso + 8, iso + 5, iso);
	else
		snprintf(out, 11, "%s", iso ? iso : "");
}

/* Every field a column of export_columns may name: the query's column aliases. */
#define EXPORT_FIELDS \
	"w.nik AS nik, w.kk AS kk, w.name AS name, w.birth_place AS birth_place, w.birth_date AS birth_date, " \
	"w.sex AS sex, w.address AS address, kel.name AS kelurahan, dis.name AS kecamatan, city.name AS city, " \
	"w.phone AS phone, w.occupation AS occupation, w.workplace AS workplace, coalesce(w.income, 1000000) AS income, " \
	"group_concat(e.program, '+') AS program, min(e.start_on) AS start, e.funder AS funder, w.kpj AS kpj, " \
	"(SELECT h.name FROM heirs h WHERE h.worker_id = w.id ORDER BY h.rowid LIMIT 1) AS heir_name, " \
	"(SELECT h.nik FROM heirs h WHERE h.worker_id = w.id ORDER BY h.rowid LIMIT 1) AS heir_nik, " \
	"(SELECT h.relationship FROM heirs h WHERE h.worker_id = w.id ORDER BY h.rowid LIMIT 1) AS heir_relationship, " \
	"(SELECT h.phone FROM heirs h WHERE h.worker_id = w.id ORDER BY h.rowid LIMIT 1) AS heir_phone, " \
	"(SELECT group_concat(h.name || ' (' || h.relationship || coalesce(', NIK ' || h.nik, '') || ')', '; ') FROM " \
	"(SELECT * FROM heirs h WHERE h.worker_id = w.id ORDER BY h.rowid LIMIT -1 OFFSET 1) h) AS heirs_other, " \
	"max(e.end_on) AS end_date, coalesce(max(e.end_reason), w.end_reason) AS end_reason, w.id AS worker_id "
#define EXPORT_JOINS \
	"LEFT JOIN regions kel ON kel.code = w.kelurahan " \
	"LEFT JOIN regions dis ON dis.code = substr(w.kelurahan, 1, 8) " \
	"LEFT JOIN regions city ON city.code = substr(w.kelurahan, 1, 5) "

static const char *const export_known[] = {"nik", "kk", "name", "birth_place", "birth_date", "sex", "address",
					   "kelurahan", "kecamatan", "city", "phone", "occupation", "workplace",
					   "income", "program", "start", "funder", "kpj", "heir_name", "heir_nik",
					   "heir_relationship", "heir_phone", "heirs_other", "end_date", "end_reason",
					   "worker_id", NULL};

int sk_export_columns_each(struct sk_db *db, int (*fn)(void *payload, int pos, const char *header, const char *field),
			   void *payload)
{
	sqlite3_stmt *st;
	int rc;
	if ((rc = sk_db_prepare(db, &st, "SELECT pos, header, field FROM export_columns ORDER BY pos")) < 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((rc = fn(payload, sqlite3_column_int(st, 0), (const char *)sqlite3_column_text(st, 1),
			     (const char *)sqlite3_column_text(st, 2))) != 0)
			break;
	sqlite3_finalize(st);
	return rc == SQLITE_DONE || rc > 0 ? 0 : rc < 0 ? rc : sk_db_fail(db, "cannot read the export columns");
}

const char *const *sk_export_fields(void)
{
	return export_known;
}

struct export_col {
	char *header;
	int index;        /* column of the query */
	int date;         /* written DD-MM-YYYY */
};

int sk_export_rows(struct sk_db *db, const struct sk_export_opts *o, struct sk_export_sink *sink, size_t *rows)
{
	sqlite3_stmt *st = NULL, *cols = NULL;
	struct export_col *c = NULL;
	size_t nc = 0;
	const char **v = NULL;
	char (*dates)[11] = NULL;
	char today[11];
	int rc, mode = o->mode;

	*rows = 0;
	{
		int y, m, d;
		sk_civil_from_days(sk_date_today(), &y, &m, &d);
		sk_date_format(today, y, m, d);
	}
	if (mode == SK_EXPORT_ENDED && (!o->since || strlen(o->since) != 10))
		return sk_error_do(SK_EINVALID, SK_DO_GIVE_SINCE, NULL, "no day given from which the ends and deaths are exported");
	/* a record the city marked as a duplicate of another never goes to BPJS */
	if (mode == SK_EXPORT_ENDED)
		rc = sk_db_prepare(db, &st, "SELECT " EXPORT_FIELDS "FROM workers w JOIN enrolments e ON e.worker_id = w.id "
					   "AND e.end_on >= ?1 AND e.end_on <= ?2 AND e.end_reason IS NOT 'diganti' " EXPORT_JOINS
					   "WHERE w.duplicate_of IS NULL GROUP BY w.id, e.funder ORDER BY dis.name, w.name");
	else
		rc = sk_db_prepare(db, &st, "SELECT " EXPORT_FIELDS "FROM workers w JOIN (SELECT * FROM enrolments ORDER BY program) e "
					   "ON e.worker_id = w.id AND e.end_on IS NULL " EXPORT_JOINS
					   "WHERE w.status = 'active' AND w.duplicate_of IS NULL AND (?3 = 0 OR coalesce(w.kpj, '') = '') "
					   "GROUP BY w.id, e.funder ORDER BY dis.name, w.name");
	if (rc < 0)
		return rc;
	if (mode == SK_EXPORT_ENDED) {
		sqlite3_bind_text(st, 1, o->since, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, today, -1, SQLITE_STATIC);
	} else {
		sqlite3_bind_int(st, 3, mode == SK_EXPORT_NEW);
	}
	/* the layout: export_columns, each field found among the query's columns */
	if ((rc = sk_db_prepare(db, &cols, "SELECT header, field FROM export_columns ORDER BY pos")) < 0)
		goto done;
	while (sqlite3_step(cols) == SQLITE_ROW) {
		const char *field = (const char *)sqlite3_column_text(cols, 1);
		int k = -1;
		for (int i = 0; i < sqlite3_column_count(st); i++)
			if (field && !strcmp(sqlite3_column_name(st, i), field))
				k = i;
		if (k < 0) {
			rc = sk_error_do(SK_EINVALID, SK_DO_EXPORT_COLUMNS, NULL, "the export column '%s' names the field '%s', which "
					 "sinkron does not know", (const char *)sqlite3_column_text(cols, 0), field ? field : "");
			goto done;
		}
		c = sk_realloc(c, (nc + 1) * sizeof(*c));
		c[nc].header = sk_strdup((const char *)sqlite3_column_text(cols, 0));
		c[nc].index = k;
		c[nc].date = !strcmp(field, "birth_date") || !strcmp(field, "start") || !strcmp(field, "end_date");
		nc++;
	}
	v = sk_calloc(nc + 1, sizeof(*v));
	dates = sk_calloc(nc + 1, sizeof(*dates));
	for (size_t i = 0; i < nc; i++)
		v[i] = c[i].header;
	if ((rc = sink->row(sink, v, nc)) < 0)
		goto done;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (size_t i = 0; i < nc; i++) {
			v[i] = (const char *)sqlite3_column_text(st, c[i].index);
			if (c[i].date) {
				dmy(dates[i], v[i]);
				v[i] = dates[i];
			}
		}
		if ((rc = sink->row(sink, v, nc)) < 0)
			break;
		(*rows)++;
	}
	rc = rc == SQLITE_DONE ? 0 : rc < 0 ? rc : sk_db_fail(db, "cannot export");
done:
	for (size_t i = 0; i < nc; i++)
		free(c[i].header);
	free(c);
	free(v);
	free(dates);
	sqlite3_finalize(cols);
	sqlite3_finalize(st);
	return rc;
}

struct csv_sink {
	struct sk_export_sink base;
	FILE *f;
	struct sk_csv_style style;
};

static int csv_sink_row(struct sk_export_sink *s, const char *const *v, size_t n)
{
	struct csv_sink *c = (struct csv_sink *)s;
	return sk_csv_write(c->f, &c->style, v, n);
}

int sk_export_csv(struct sk_db *db, const struct sk_export_opts *o, FILE *f, size_t *rows)
{
	struct csv_sink s;
	struct sk_csv_style excel = SK_CSV_EXCEL_ID, comma = {',', 0, 1, 0, 0};
	int rc;
	s.base.row = csv_sink_row;
	s.f = f;
	s.style = o->comma ? comma : excel;
	if ((rc = sk_csv_write_start(f, &s.style)) < 0)
		return rc;
	return sk_export_rows(db, o, &s.base, rows);
}

struct xlsx_sink {
	struct sk_export_sink base;
	struct sk_xlsx_out *x;
};

static int xlsx_sink_row(struct sk_export_sink *s, const char *const *v, size_t n)
{
	return sk_xlsx_row(((struct xlsx_sink *)s)->x, v, n);
}

int sk_export_xlsx(struct sk_db *db, const struct sk_export_opts *o, const char *path, size_t *rows)
{
	struct xlsx_sink s;
	int rc;
	s.base.row = xlsx_sink_row;
	if ((rc = sk_xlsx_open(&s.x, path, o->mode == SK_EXPORT_ENDED ? "Berhenti" : "Peserta")) < 0)
		return rc;
	rc = sk_export_rows(db, o, &s.base, rows);
	{
		int rc2 = sk_xlsx_close(s.x, rc == 0);
		return rc < 0 ? rc : rc2;
	}
}

int sk_export(struct sk_db *db, FILE *f, size_t *rows)
{
	struct sk_export_opts o = {SK_EXPORT_ALL, NULL, 1};
	return sk_export_csv(db, &o, f, rows);
}

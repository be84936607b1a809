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
#include "registry.h"

/* A file for personal data: created readable by its owner only. */
static FILE *open_private(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	FILE *f;
	if (fd < 0)
		return NULL;
	fchmod(fd, 0600); /* an existing file keeps its mode on O_CREAT: tighten it */
	if (!(f = fdopen(fd, "w")))
		close(fd);
	return f;
}

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
	size_t *slots, nslots;
};

static uint64_t nik_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static long nikset_add(struct nikset *s, const char *nik, long line)
{
	size_t i;
	if ((s->n + 1) * 2 > s->nslots) {
		size_t n = s->nslots ? s->nslots * 2 : 4096;
		free(s->slots);
		s->slots = sk_calloc(n, sizeof(*s->slots));
		s->nslots = n;
		for (size_t k = 0; k < s->n; k++) {
			i = nik_hash(s->v[k].nik) & (n - 1);
			while (s->slots[i])
				i = (i + 1) & (n - 1);
			s->slots[i] = k + 1;
		}
	}
	i = nik_hash(nik) & (s->nslots - 1);
	while (s->slots[i]) {
		struct seen_nik *e = &s->v[s->slots[i] - 1];
		if (!strcmp(e->nik, nik))
			return e->line;
		i = (i + 1) & (s->nslots - 1);
	}
	if (s->n == s->alloc) {
		s->alloc = s->alloc ? s->alloc * 2 : 4096;
		s->v = sk_realloc(s->v, s->alloc * sizeof(*s->v));
	}
	snprintf(s->v[s->n].nik, SK_NIK_SIZE, "%s", nik);
	s->v[s->n].line = line;
	s->slots[i] = ++s->n;
	return 0;
}

static int write_reject(FILE **rf, const struct sk_import_opts *o, struct sk_import_result *res,
			char **header, size_t nh, char **fields, size_t n, long line, const struct sk_issues *is)
{
	char reason[1024] = "", lbuf[24];
	const char **row;
	size_t len = 0;

	if (!*rf) {
		if (o->reject_path)
			snprintf(res->reject_path, sizeof(res->reject_path), "%s", o->reject_path);
		else {
			const char *dot = strrchr(o->path, '.');
			const char *slash = strrchr(o->path, '/');
			size_t stem = dot && (!slash || dot > slash) ? (size_t)(dot - o->path) : strlen(o->path);
			snprintf(res->reject_path, sizeof(res->reject_path), "%.*s.rejected.csv", (int)stem, o->path);
		}
		if (!(*rf = open_private(res->reject_path)))
			return sk_error(SK_ERROR, "cannot create '%s': %s", res->reject_path, strerror(errno));
		row = sk_malloc(sizeof(*row) * (nh + 2));
		row[0] = "Baris";
		for (size_t i = 0; i < nh; i++)
			row[i + 1] = header[i];
		row[nh + 1] = "Alasan";
		sk_csv_write_row(*rf, row, nh + 2);
		free(row);
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
		sk_csv_write_row(*rf, row, cols + 2);
		free(row);
	}
	return 0;
}

static int enrol_new(struct sk_db *db, sqlite3_stmt *st, const char *worker_id, const char *program,
		     const char *funder, const char *start, int64_t income)
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
	struct nikset seen = {0};
	sqlite3_stmt *find = NULL, *enrol = NULL;
	FILE *rf = NULL;
	char **fields, **header = NULL, start[SK_DATE_SIZE];
	size_t n, nh = 0;
	long line;
	int rc, in_tx = 0;

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
		int y, m, d;
		sk_civil_from_days(sk_date_today(), &y, &m, &d);
		snprintf(start, sizeof(start), "%04d-%02d-01", y, m);
	}
	if ((rc = sk_csv_open(&csv, o->path)) < 0)
		return rc;
	rc = sk_csv_next(csv, &fields, &n, &line);
	if (rc <= 0) {
		if (rc == 0)
			rc = sk_error(SK_EINVALID, "'%s' is empty: it needs a header line (see 'sinkron import --template')", o->path);
		goto done;
	}
	header = sk_malloc(sizeof(*header) * n);
	for (size_t i = 0; i < n; i++)
		header[i] = sk_strdup(fields[i]);
	nh = n;
	if ((rc = sk_import_map_header(&map, (const char *const *)header, nh)) < 0) {
		/* sk_error_last() is the buffer sk_error_set writes into: copy it first */
		char *why = sk_strdup(sk_error_last());
		sk_error_set("%s line %ld: %s", o->path, line, why);
		free(why);
		goto done;
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
	    (rc = sk_db_prepare(db, &enrol, "INSERT INTO enrolments (id, owner, worker_id, program, funder, start_on, income) "
					    "VALUES (?, ?, ?, ?, ?, ?, ?)")) < 0)
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
			sk_import_row(&w, &is, &map, &cs.ctx, (const char *const *)fields, n);
			if (sk_csv_recoded(csv))
				res->recoded = 1;
		}
		if (!sk_issues_errors(&is) && w.nik && (dup = nikset_add(&seen, w.nik, line)) > 0)
			sk_issues_add(&is, 1, SK_F_NIK, "NIK %s is also on line %ld of this file", w.nik, dup);
		for (int i = 0; i < is.n && o->report; i++)
			o->report(o->payload, line, &is.v[i]);
		if (sk_issues_errors(&is)) {
			res->rejected++;
			/* a dry run writes no file either */
			rc = o->dry_run ? 0 : write_reject(&rf, o, res, header, nh, fields, n, line, &is);
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
			if (o->funder && ((rc = enrol_new(db, enrol, id, "JKK", o->funder, start, w.income)) < 0 ||
					  (rc = enrol_new(db, enrol, id, "JKM", o->funder, start, w.income)) < 0)) {
				free(id);
				sk_worker_release(&w);
				goto done;
			}
			if (o->funder)
				res->enrolled++;
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
	if (rf && fclose(rf) != 0 && rc == 0)
		rc = sk_error(SK_ERROR, "cannot write '%s': %s", res->reject_path, strerror(errno));
	sqlite3_finalize(find);
	sqlite3_finalize(enrol);
	sk_import_map_release(&map);
	sk_ctx_release(&cs);
	for (size_t i = 0; i < nh; i++)
		free(header[i]);
	free(header);
	free(seen.v);
	free(seen.slots);
	sk_csv_free(csv);
	return rc;
}

static void dmy(char out[11], const char *iso)
{
	/* BPJS's bulk form takes DD-MM-YYYY */
	if (iso && strlen(iso) == 10)
		snprintf(out, 11, "%.2s-%.2s-%.4s", iso + 8, iso + 5, iso);
	else
		snprintf(out, 11, "%s", iso ? iso : "");
}

int sk_export(struct sk_db *db, FILE *f, size_t *rows)
{
	static const char *head[] = {"NIK", "No KK", "Nama Lengkap", "Tempat Lahir", "Tanggal Lahir", "Jenis Kelamin",
				     "Alamat", "Kelurahan", "Kecamatan", "Kabupaten/Kota", "No HP", "Pekerjaan",
				     "Lokasi Kerja", "Penghasilan", "Program", "Tanggal Mulai", "Sumber Dana", "KPJ"};
	sqlite3_stmt *st;
	int rc;

	*rows = 0;
	if ((rc = sk_csv_write_row(f, head, SK_ARRAY_SIZE(head))) < 0)
		return rc;
	if ((rc = sk_db_prepare(db, &st,
		"SELECT w.nik, w.kk, w.name, w.birth_place, w.birth_date, w.sex, w.address, kel.name, dis.name, city.name, "
		"w.phone, w.occupation, w.workplace, coalesce(w.income, 1000000), "
		"group_concat(e.program, '+'), min(e.start_on), e.funder, w.kpj "
		"FROM workers w JOIN (SELECT * FROM enrolments ORDER BY program) e ON e.worker_id = w.id AND e.end_on IS NULL "
		"LEFT JOIN regions kel ON kel.code = w.kelurahan "
		"LEFT JOIN regions dis ON dis.code = substr(w.kelurahan, 1, 8) "
		"LEFT JOIN regions city ON city.code = substr(w.kelurahan, 1, 5) "
		"WHERE w.status = 'active' GROUP BY w.id, e.funder ORDER BY dis.name, w.name")) < 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *v[18];
		char bd[11], sd[11], inc[24];
		for (int i = 0; i < 18; i++)
			v[i] = (const char *)sqlite3_column_text(st, i);
		dmy(bd, v[4]);
		dmy(sd, v[15]);
		snprintf(inc, sizeof(inc), "%lld", (long long)sqlite3_column_int64(st, 13));
		v[4] = bd;
		v[15] = sd;
		v[13] = inc;
		if ((rc = sk_csv_write_row(f, v, 18)) < 0)
			break;
		(*rows)++;
	}
	sqlite3_finalize(st);
	if (rc < 0)
		return rc;
	return rc == SQLITE_DONE ? 0 : sk_db_fail(db, "cannot export");
}

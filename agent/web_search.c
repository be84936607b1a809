/*
 * web_search.c: the worker list's name search answered from memory: every named worker's name
 * folded as fold() folds it, with its id, status, kelurahan and occupation, in the list's order,
 * and the occupations the list's filter offers.  Each is read again, on a connection of its own,
 * only when PRAGMA data_version says another connection committed since it was read (a clerk's
 * form, the command line, a sync), so a write is seen by the next search; nothing is added to
 * the database.  Shared by the server's threads.  Calls the request layer (web_http.c: fold).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "web.h"

#define NONE UINT32_MAX

/* the text values of a column, each once: an entry holds its value's number */
struct values {
	struct sk_buf text;      /* the values, each followed by a NUL */
	uint32_t *at, *len;      /* where each starts, its length */
	uint32_t n, alloc;
	uint32_t *slot, nslots;  /* open addressing: a value's number + 1, 0 for an empty slot */
};

/* one reading of the workers, never changed once made; shared by reference */
struct names {
	int refs;
	int64_t version;         /* PRAGMA data_version of the reading */
	uint32_t n;
	struct sk_buf text;      /* the folded names in the list's order, each followed by a NUL */
	struct sk_buf ids;       /* their ids, each followed by a NUL */
	uint32_t *at;            /* n + 1: where each name starts, then the end */
	uint32_t *id_at;
	uint32_t *status, *kel, *occ;   /* NONE when the value is not text (NULL) */
	struct values vals;      /* the three columns' values, together */
	int exact;               /* every name is UTF-8 as SQLite's LIKE reads it (utf8_exact) */
};

struct web_search {
	pthread_mutex_t lock;    /* all of the below, and the connection */
	char *db_path;
	sqlite3 *h;
	sqlite3_stmt *version;
	struct names *names;
	int64_t occ_version;
	int occ_valid;
	char **occs;
	size_t nocc;
};

int web_search_new(struct web_search **out, const char *db_path)
{
	struct web_search *ix = sk_calloc(1, sizeof(*ix));
	pthread_mutex_init(&ix->lock, NULL);
	ix->db_path = sk_strdup(db_path);
	*out = ix;
	return 0;
}

static void values_release(struct values *v)
{
	sk_buf_release(&v->text);
	free(v->at);
	free(v->len);
	free(v->slot);
}

static void names_unref(struct names *nm)
{
	if (!nm || --nm->refs > 0)
		return;
	sk_buf_release(&nm->text);
	sk_buf_release(&nm->ids);
	free(nm->at);
	free(nm->id_at);
	free(nm->status);
	free(nm->kel);
	free(nm->occ);
	values_release(&nm->vals);
	free(nm);
}

static void occs_clear(struct web_search *ix)
{
	for (size_t i = 0; i < ix->nocc; i++)
		free(ix->occs[i]);
	free(ix->occs);
	ix->occs = NULL;
	ix->nocc = 0;
	ix->occ_valid = 0;
}

void web_search_free(struct web_search *ix)
{
	if (!ix)
		return;
	names_unref(ix->names);
	occs_clear(ix);
	sqlite3_finalize(ix->version);
	sqlite3_close(ix->h);
	pthread_mutex_destroy(&ix->lock);
	free(ix->db_path);
	free(ix);
}

static uint32_t hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

/* the number of the value s (n bytes), NONE when it is not there; *slot_out: where it is or goes */
static uint32_t values_find(const struct values *v, const char *s, size_t n, uint32_t *slot_out)
{
	uint32_t i = hash(s, n) & (v->nslots - 1);
	for (;; i = (i + 1) & (v->nslots - 1)) {
		uint32_t k = v->slot[i];
		if (!k || (v->len[k - 1] == n && !memcmp(v->text.ptr + v->at[k - 1], s, n))) {
			if (slot_out)
				*slot_out = i;
			return k ? k - 1 : NONE;
		}
	}
}

/* the number of the value s (n bytes), added when new; NONE for NULL */
static uint32_t values_add(struct values *v, const char *s, size_t n)
{
	uint32_t slot, k;
	if (!s)
		return NONE;
	if (2 * (v->n + 1) > v->nslots) {
		uint32_t old = v->nslots, *was = v->slot;
		v->nslots = old ? 2 * old : 64;
		v->slot = sk_calloc(v->nslots, sizeof(*v->slot));
		for (uint32_t i = 0; i < old; i++)
			if (was[i]) {
				k = was[i] - 1;
				values_find(v, (const char *)v->text.ptr + v->at[k], v->len[k], &slot);
				v->slot[slot] = k + 1;
			}
		free(was);
	}
	if ((k = values_find(v, s, n, &slot)) != NONE)
		return k;
	if (v->n == v->alloc) {
		v->alloc = v->alloc ? 2 * v->alloc : 64;
		v->at = sk_realloc(v->at, v->alloc * sizeof(*v->at));
		v->len = sk_realloc(v->len, v->alloc * sizeof(*v->len));
	}
	v->at[v->n] = (uint32_t)v->text.len;
	v->len[v->n] = (uint32_t)n;
	sk_buf_put(&v->text, s, n);
	sk_buf_putc(&v->text, 0);
	v->slot[slot] = v->n + 1;
	return v->n++;
}

/* the value of column i as the filters compare it (w.x = ?: text only, bytes equal) */
static uint32_t column_value(struct values *v, sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) != SQLITE_TEXT)
		return NONE;
	return values_add(v, (const char *)sqlite3_column_text(st, i), (size_t)sqlite3_column_bytes(st, i));
}

/* 1 when s (n bytes) is well-formed UTF-8 without U+FFFE or U+FFFF, which SQLite's LIKE reads
 * character by character as it is written: then a substring of its bytes is a substring of its
 * characters, and memmem() finds what LIKE '%...%' finds */
static int utf8_exact(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned c = s[i], len, min;
		uint32_t cp;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c < 0xe0)
			len = 2, min = 0x80, cp = c & 0x1f;
		else if (c >= 0xe0 && c < 0xf0)
			len = 3, min = 0x800, cp = c & 0x0f;
		else if (c >= 0xf0 && c < 0xf5)
			len = 4, min = 0x10000, cp = c & 0x07;
		else
			return 0;
		if (i + len > n)
			return 0;
		for (unsigned k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000) || (cp & 0xfffe) == 0xfffe)
			return 0;
		i += len;
	}
	return 1;
}

/* a worker as read, before the list's order: where its texts are in the reading's buffer */
struct row {
	uint32_t name, name_len, folded, folded_len, id, id_len;
	uint32_t status, kel, occ;
};

/* ORDER BY name COLLATE NOCASE, id as SQLite compares text: NOCASE is sqlite3_strnicmp() over
 * the shorter length, then the shorter first (nocaseCollatingFunc); BINARY is memcmp(), then
 * the shorter first (binCollFunc) */
static int row_cmp(const void *pa, const void *pb, void *text)
{
	const struct row *a = pa, *b = pb;
	const char *t = text;
	int r = sqlite3_strnicmp(t + a->name, t + b->name, (int)(a->name_len < b->name_len ? a->name_len : b->name_len));
	if (r)
		return r;
	if (a->name_len != b->name_len)
		return a->name_len < b->name_len ? -1 : 1;
	r = memcmp(t + a->id, t + b->id, a->id_len < b->id_len ? a->id_len : b->id_len);
	if (r)
		return r;
	return a->id_len == b->id_len ? 0 : a->id_len < b->id_len ? -1 : 1;
}

/* column i's text into b: where it starts and its length */
static void put_text(struct sk_buf *b, sqlite3_stmt *st, int i, uint32_t *at, uint32_t *len)
{
	const unsigned char *s = sqlite3_column_text(st, i);
	*len = (uint32_t)sqlite3_column_bytes(st, i);
	*at = (uint32_t)b->len;
	sk_buf_put(b, s ? s : (const unsigned char *)"", *len);
	sk_buf_putc(b, 0);
}

/* The named workers (a NULL name matches no search) into *rows (*n of them), their texts into
 * text; with sql_order, in the list's order already.  0, 1 when a name or an id is not text
 * (only SQLite knows where those go), -1 on an error */
static int rows_read(sqlite3 *h, int sql_order, struct values *vals, struct sk_buf *text, struct row **rows, uint32_t *n)
{
	sqlite3_stmt *st;
	uint32_t alloc = 0;
	int rc;
	if (sqlite3_prepare_v2(h, sql_order ? "SELECT id, name, fold(name), status, kelurahan, occupation FROM workers "
					      "WHERE name IS NOT NULL ORDER BY name COLLATE NOCASE, id"
					    : "SELECT id, name, fold(name), status, kelurahan, occupation FROM workers WHERE name IS NOT NULL",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct row *w;
		if (!sql_order && (sqlite3_column_type(st, 0) != SQLITE_TEXT || sqlite3_column_type(st, 1) != SQLITE_TEXT)) {
			sqlite3_finalize(st);
			return 1;
		}
		if (*n == alloc) {
			alloc = alloc ? 2 * alloc : 1024;
			*rows = sk_realloc(*rows, alloc * sizeof(**rows));
		}
		w = &(*rows)[(*n)++];
		put_text(text, st, 0, &w->id, &w->id_len);
		if (!sql_order)
			put_text(text, st, 1, &w->name, &w->name_len);
		put_text(text, st, 2, &w->folded, &w->folded_len);
		w->status = column_value(vals, st, 3);
		w->kel = column_value(vals, st, 4);
		w->occ = column_value(vals, st, 5);
		if (text->len >= UINT32_MAX / 2) {
			rc = SQLITE_NOMEM;
			break;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Reads every named worker and puts them in the list's order: read as they are stored, then
 * sorted here, which costs a third of SQLite's sorter */
static struct names *names_read(sqlite3 *h, int64_t version)
{
	struct names *nm = sk_calloc(1, sizeof(*nm));
	struct sk_buf text;
	struct row *rows = NULL;
	uint32_t n = 0;
	int rc;

	nm->refs = 1;
	nm->version = version;
	nm->exact = 1;
	sk_buf_init(&nm->text, 0);
	sk_buf_init(&nm->ids, 0);
	sk_buf_init(&nm->vals.text, 0);
	sk_buf_init(&text, 0);
	if ((rc = rows_read(h, 0, &nm->vals, &text, &rows, &n)) == 1) {
		n = 0;
		text.len = 0;
		rc = rows_read(h, 1, &nm->vals, &text, &rows, &n);
	} else if (rc == 0) {
		qsort_r(rows, n, sizeof(*rows), row_cmp, text.ptr);
	}
	if (rc < 0) {
		free(rows);
		sk_buf_release(&text);
		names_unref(nm);
		return NULL;
	}
	nm->n = n;
	nm->at = sk_malloc((n + 1) * sizeof(*nm->at));
	nm->id_at = sk_malloc((n ? n : 1) * sizeof(*nm->id_at));
	nm->status = sk_malloc((n ? n : 1) * sizeof(*nm->status));
	nm->kel = sk_malloc((n ? n : 1) * sizeof(*nm->kel));
	nm->occ = sk_malloc((n ? n : 1) * sizeof(*nm->occ));
	for (uint32_t i = 0; i < n; i++) {
		const struct row *w = &rows[i];
		nm->at[i] = (uint32_t)nm->text.len;
		sk_buf_put(&nm->text, text.ptr + w->folded, (size_t)w->folded_len + 1);
		if (nm->exact && !utf8_exact(text.ptr + w->folded, w->folded_len))
			nm->exact = 0;
		nm->id_at[i] = (uint32_t)nm->ids.len;
		sk_buf_put(&nm->ids, text.ptr + w->id, (size_t)w->id_len + 1);
		nm->status[i] = w->status;
		nm->kel[i] = w->kel;
		nm->occ[i] = w->occ;
	}
	nm->at[n] = (uint32_t)nm->text.len;
	free(rows);
	sk_buf_release(&text);
	return nm;
}

static int occs_read(struct web_search *ix, int64_t version)
{
	sqlite3_stmt *st;
	size_t alloc = 0;
	int rc;
	occs_clear(ix);
	if (sqlite3_prepare_v2(ix->h, "SELECT DISTINCT occupation FROM workers WHERE occupation IS NOT NULL ORDER BY 1", -1, &st, NULL) !=
	    SQLITE_OK)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (ix->nocc == alloc) {
			alloc = alloc ? 2 * alloc : 64;
			ix->occs = sk_realloc(ix->occs, alloc * sizeof(*ix->occs));
		}
		ix->occs[ix->nocc++] = sk_strdup((const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		occs_clear(ix);
		return -1;
	}
	ix->occ_version = version;
	ix->occ_valid = 1;
	return 0;
}

/* With ix->lock held: the names (want_names) and the occupations read again when another
 * connection committed since they were read; the version and the readings are taken in one
 * read transaction, so they are the same state of the database */
static int refresh(struct web_search *ix, int want_names, int want_occs)
{
	int64_t version;
	int rc = -1;
	if (!ix->h) {
		/* used under ix->lock alone: SQLite's own locking of each call is not needed */
		if (sqlite3_open_v2(ix->db_path, &ix->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
		    web_fold_register(ix->h) < 0 ||
		    sqlite3_prepare_v2(ix->h, "PRAGMA data_version", -1, &ix->version, NULL) != SQLITE_OK) {
			sqlite3_finalize(ix->version);
			sqlite3_close(ix->h);
			ix->h = NULL;
			ix->version = NULL;
			return -1;
		}
		sqlite3_busy_timeout(ix->h, 10000);
		sqlite3_exec(ix->h, "PRAGMA cache_size = -1024", NULL, NULL, NULL);
	}
	if (sqlite3_exec(ix->h, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(ix->version) != SQLITE_ROW)
		goto done;
	version = sqlite3_column_int64(ix->version, 0);
	sqlite3_reset(ix->version);
	if (want_names && (!ix->names || ix->names->version != version)) {
		struct names *nm = names_read(ix->h, version);
		if (!nm)
			goto done;
		names_unref(ix->names);
		ix->names = nm;
	}
	if (want_occs && (!ix->occ_valid || ix->occ_version != version) && occs_read(ix, version) < 0)
		goto done;
	rc = 0;
done:
	sqlite3_reset(ix->version);
	sqlite3_exec(ix->h, "COMMIT", NULL, NULL, NULL);
	return rc;
}

/* the first of at[lo..hi] greater than off, less one: the entry whose name holds off */
static uint32_t entry_at(const uint32_t *at, uint32_t lo, uint32_t hi, size_t off)
{
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (at[mid] <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo - 1;
}

/* the number of value s, NONE when no entry has it */
static uint32_t filter_value(const struct values *v, const char *s)
{
	if (!v->nslots)
		return NONE;
	return values_find(v, s, strlen(s), NULL);
}

int64_t web_search_names(struct web_search *ix, const char *q, const char *status, const char *kel, const char *occ, int64_t first,
			 int size, char **ids, int *nids)
{
	struct names *nm;
	char *pat = web_fold(q);
	size_t plen = strlen(pat);
	int64_t total = 0;
	uint32_t fs = NONE, fk = NONE, fo = NONE;

	*nids = 0;
	/* LIKE's own wildcards, or bytes LIKE reads otherwise: the SQL answers */
	if (strpbrk(pat, "%_") || !utf8_exact((const unsigned char *)pat, plen)) {
		free(pat);
		return -1;
	}
	pthread_mutex_lock(&ix->lock);
	if (refresh(ix, 1, 0) < 0) {
		pthread_mutex_unlock(&ix->lock);
		free(pat);
		return -1;
	}
	nm = ix->names;
	if (!nm->exact) {
		pthread_mutex_unlock(&ix->lock);
		free(pat);
		return -1;
	}
	nm->refs++;
	pthread_mutex_unlock(&ix->lock);

	if ((status && (fs = filter_value(&nm->vals, status)) == NONE) || (kel && (fk = filter_value(&nm->vals, kel)) == NONE) ||
	    (occ && (fo = filter_value(&nm->vals, occ)) == NONE))
		goto done; /* a value no worker has: none matches */
	{
		const char *base = (const char *)nm->text.ptr, *end = base + nm->text.len, *p = base, *m;
		uint32_t i = 0;
		while (p < end && (m = plen ? memmem(p, (size_t)(end - p), pat, plen) : p)) {
			i = entry_at(nm->at, i, nm->n + 1, (size_t)(m - base));
			if ((!status || nm->status[i] == fs) && (!kel || nm->kel[i] == fk) && (!occ || nm->occ[i] == fo)) {
				if (total >= first && total < first + size)
					ids[(*nids)++] = sk_strdup((const char *)nm->ids.ptr + nm->id_at[i]);
				total++;
			}
			p = base + nm->at[++i];
		}
	}
done:
	pthread_mutex_lock(&ix->lock);
	names_unref(nm);
	pthread_mutex_unlock(&ix->lock);
	free(pat);
	return total;
}

int web_search_occupations(struct web_search *ix, char ***out, size_t *n_out)
{
	int rc;
	*out = NULL;
	*n_out = 0;
	pthread_mutex_lock(&ix->lock);
	if ((rc = refresh(ix, 0, 1)) == 0) {
		*out = sk_calloc(ix->nocc + 1, sizeof(**out));
		for (size_t i = 0; i < ix->nocc; i++)
			(*out)[i] = sk_strdup(ix->occs[i]);
		*n_out = ix->nocc;
	}
	pthread_mutex_unlock(&ix->lock);
	return rc;
}

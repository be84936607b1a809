/*
 * owners.c: the digest of each owner's rows (sk_digests), beside the total digest.  Sealing
 * and applying collect the changes per owner in memory and write them once per change-set.
 */
#include <string.h>

#include "owners.h"
#include "row.h"

static struct sk_owner_sum *slot(struct sk_owner_sums *s, const struct sk_value *owner)
{
	char code[24];
	if (!owner || owner->type != SK_TEXT || owner->n == 0 || owner->n >= sizeof(code))
		return NULL;
	memcpy(code, owner->p, owner->n);
	code[owner->n] = '\0';
	for (int i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].owner, code))
			return &s->v[i];
	if (s->n == (int)SK_ARRAY_SIZE(s->v))
		return NULL;
	memset(&s->v[s->n], 0, sizeof(s->v[0]));
	memcpy(s->v[s->n].owner, code, owner->n + 1);
	return &s->v[s->n++];
}

int sk_owner_sums_change(struct sk_owner_sums *s, const struct sk_value *owner, const unsigned char *hash, int add)
{
	struct sk_owner_sum *o = slot(s, owner);
	if (!o)
		return owner && owner->type == SK_TEXT && owner->n > 0 && owner->n < 24 ? -1 : 0;
	if (add)
		sk_digest_add(o->add, hash);
	else
		sk_digest_add(o->sub, hash);
	return 0;
}

int sk_owner_sums_flush(struct sk_db *db, struct sk_owner_sums *s)
{
	sqlite3_stmt *get = NULL, *put = NULL;
	int rc = 0;
	if (!s->n)
		return 0;
	if ((rc = sk_stmt_get(db, &get, "SELECT digest FROM sk_digests WHERE owner = ?")) < 0 ||
	    (rc = sk_stmt_get(db, &put, "INSERT OR REPLACE INTO sk_digests (owner, digest) VALUES (?, ?)")) < 0)
		goto done;
	for (int i = 0; i < s->n; i++) {
		unsigned char d[SK_HASH_SIZE] = {0};
		sqlite3_reset(get);
		sqlite3_bind_text(get, 1, s->v[i].owner, -1, SQLITE_STATIC);
		if (sqlite3_step(get) == SQLITE_ROW && sqlite3_column_bytes(get, 0) == SK_HASH_SIZE)
			memcpy(d, sqlite3_column_blob(get, 0), SK_HASH_SIZE);
		sk_digest_add(d, s->v[i].add);
		sk_digest_sub(d, s->v[i].sub);
		sqlite3_reset(put);
		sqlite3_bind_text(put, 1, s->v[i].owner, -1, SQLITE_STATIC);
		sqlite3_bind_blob(put, 2, d, SK_HASH_SIZE, SQLITE_STATIC);
		if (sqlite3_step(put) != SQLITE_DONE) {
			rc = sk_db_fail(db, "cannot update a district's digest");
			goto done;
		}
	}
	s->n = 0;
done:
	sk_stmt_put(get);
	sk_stmt_put(put);
	return rc;
}

int sk_owner_digest(struct sk_db *db, const char *code, unsigned char out[SK_HASH_SIZE])
{
	sqlite3_stmt *st;
	int rc;
	memset(out, 0, SK_HASH_SIZE);
	if ((rc = sk_db_prepare(db, &st, "SELECT digest FROM sk_digests WHERE owner = ?")) < 0)
		return rc;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == SK_HASH_SIZE)
		memcpy(out, sqlite3_column_blob(st, 0), SK_HASH_SIZE);
	sqlite3_finalize(st);
	return 0;
}

int sk_owner_touched(struct sk_db *db, const struct sk_changeset *cs, const char *code)
{
	for (size_t t = 0; t < cs->ntables; t++) {
		const struct sk_table *tab = sk_db_table(db, cs->tables[t].name);
		if (tab && !tab->in_digest)
			continue; /* receipts: not in any digest */
		for (size_t r = 0; r < cs->tables[t].nrows; r++)
			if (!cs->tables[t].rows[r].dest || !strcmp(cs->tables[t].rows[r].dest, code))
				return 1;
	}
	return 0;
}

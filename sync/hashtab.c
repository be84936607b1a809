/*
 * hashtab.c: the hash index: at most half full, doubled (and every entry placed again through
 * the caller's hash) before it would be more.
 */
#include <stdlib.h>

#include "common.h"
#include "hashtab.h"

uint64_t sk_hash_str(uint64_t seed, const char *s)
{
	uint64_t h = seed;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static size_t place(const struct sk_hashtab *t, uint64_t h)
{
	size_t s = (size_t)h & (t->nslots - 1);
	while (t->slots[s])
		s = (s + 1) & (t->nslots - 1);
	return s;
}

static void grow(struct sk_hashtab *t)
{
	size_t n = t->nslots ? t->nslots * 2 : t->min_slots ? t->min_slots : 64;
	free(t->slots);
	t->slots = sk_calloc(n, sizeof(*t->slots));
	t->nslots = n;
	for (size_t i = 0; i < t->n; i++)
		t->slots[place(t, t->hash(t->ctx, i))] = i + 1;
}

long sk_hashtab_find(struct sk_hashtab *t, uint64_t h, const void *key)
{
	size_t s;
	if ((t->n + 1) * 2 > t->nslots)
		grow(t);
	for (s = (size_t)h & (t->nslots - 1); t->slots[s]; s = (s + 1) & (t->nslots - 1))
		if (t->equal(t->ctx, t->slots[s] - 1, key))
			return (long)(t->slots[s] - 1);
	t->free_slot = s;
	return -1;
}

size_t sk_hashtab_add(struct sk_hashtab *t, uint64_t h)
{
	size_t s = t->free_slot;
	if ((t->n + 1) * 2 > t->nslots || t->slots[s]) {
		grow(t);
		s = place(t, h);
	}
	t->slots[s] = ++t->n;
	return t->n - 1;
}

void sk_hashtab_release(struct sk_hashtab *t)
{
	free(t->slots);
	t->slots = NULL;
	t->nslots = t->n = 0;
}

/*
 * hashtab.h: the hash index (hashtab.c): open addressing with linear probing over entries the
 * caller keeps in its own array, in order of insertion, so that iteration order never depends
 * on the hashing.  The caller says how to hash an entry (for growing) and how to compare one.
 */
#ifndef SK_HASHTAB_H
#define SK_HASHTAB_H

#include <stddef.h>
#include <stdint.h>

struct sk_hashtab {
	size_t *slots;          /* entry index + 1; 0 empty */
	size_t nslots, n;       /* slots (a power of two), entries indexed */
	size_t min_slots;       /* slots at first use (a power of two) */
	uint64_t (*hash)(void *ctx, size_t i);              /* the hash of entry i */
	int (*equal)(void *ctx, size_t i, const void *key);  /* entry i holds key */
	void *ctx;
	size_t free_slot;       /* where sk_hashtab_find stopped: the new entry's slot */
};
#define SK_HASHTAB_INIT(min_slots, hash, equal, ctx) {NULL, 0, 0, (min_slots), (hash), (equal), (ctx), 0}

/* FNV-1a over the string s, from seed (SK_HASH_SEED, or mixed with another part of the key). */
#define SK_HASH_SEED 1469598103934665603ULL
uint64_t sk_hash_str(uint64_t seed, const char *s);

/* The index of the entry holding key (whose hash is h), or -1 when there is none. */
long sk_hashtab_find(struct sk_hashtab *t, uint64_t h, const void *key);
/* Indexes the caller's next entry (index t->n, hash h: just looked for and not found);
 * returns its index. */
size_t sk_hashtab_add(struct sk_hashtab *t, uint64_t h);
void sk_hashtab_release(struct sk_hashtab *t);

#endif

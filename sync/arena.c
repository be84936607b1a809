/*
 * arena.c: the region allocator: blocks carved from chunks of a fixed size, a large block in a
 * chunk of its own (so the current chunk keeps its free space), all freed together.
 */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "common.h"

struct sk_arena_chunk {
	struct sk_arena_chunk *next;
	size_t used, size;
};
#define CHUNK_HDR ((sizeof(struct sk_arena_chunk) + 15) & ~(size_t)15)

void *sk_arena_alloc(struct sk_arena *a, size_t n)
{
	struct sk_arena_chunk *c = a->head;
	void *p;
	n = (n + 15) & ~(size_t)15;
	if (n > a->chunk_size / 4) {
		c = sk_malloc(CHUNK_HDR + n);
		c->used = c->size = n;
		if (a->head) {
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = NULL;
			a->head = c;
		}
		return (unsigned char *)c + CHUNK_HDR;
	}
	if (!c || c->size - c->used < n) {
		c = sk_malloc(CHUNK_HDR + a->chunk_size);
		c->next = a->head;
		c->used = 0;
		c->size = a->chunk_size;
		a->head = c;
	}
	p = (unsigned char *)c + CHUNK_HDR + c->used;
	c->used += n;
	return p;
}

void *sk_arena_zalloc(struct sk_arena *a, size_t n)
{
	void *p = sk_arena_alloc(a, n);
	memset(p, 0, n);
	return p;
}

char *sk_arena_strndup(struct sk_arena *a, const void *s, size_t n)
{
	char *p = sk_arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void sk_arena_release(struct sk_arena *a)
{
	struct sk_arena_chunk *c, *next;
	for (c = a->head; c; c = next) {
		next = c->next;
		free(c);
	}
	a->head = NULL;
}

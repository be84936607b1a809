/*
 * arena.h: the region allocator (arena.c): many small blocks that live and die together (a
 * decoded change-set, a seal's folded outbox) taken from large chunks and freed at once.
 * Allocation aborts on out-of-memory, like sk_malloc.
 */
#ifndef SK_ARENA_H
#define SK_ARENA_H

#include <stddef.h>

struct sk_arena_chunk;
struct sk_arena {
	struct sk_arena_chunk *head;
	size_t chunk_size;      /* bytes per chunk; a block over a quarter of it gets its own */
};
#define SK_ARENA_INIT(chunk_size) {NULL, (chunk_size)}

/* n bytes aligned to 16, owned by the arena. */
void *sk_arena_alloc(struct sk_arena *a, size_t n);
/* The same, zeroed. */
void *sk_arena_zalloc(struct sk_arena *a, size_t n);
/* A NUL-terminated copy of the n bytes at s. */
char *sk_arena_strndup(struct sk_arena *a, const void *s, size_t n);
/* Frees every block; the arena can be used again. */
void sk_arena_release(struct sk_arena *a);

#endif

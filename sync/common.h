/*
 * common.h: what every module of sync/ shares and nothing outside sync/ includes: the error
 * setter, the allocator that aborts on out-of-memory, the capped growable buffer, little
 * byte helpers.  The public API is sync.h.
 */
#ifndef SK_COMMON_H
#define SK_COMMON_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "api/base.h"

#define SK_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Formats the message read back by sk_error_last(); returns `code` so callers can write
 * `return sk_error(SK_EINVALID, "...")`. */
int sk_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same, with what a person can do about it (sk_error_remedy) and what that applies to
 * (subject: NULL or "" for nothing in particular). */
int sk_error_do(int code, enum sk_remedy remedy, const char *subject, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Well-formed UTF-8 (no overlong forms, surrogates or code points past U+10FFFF); with
 * controls 0 also without control characters (what may go into a key or an operator name). */
int sk_utf8_valid(const unsigned char *s, size_t n, int controls);

/* Little-endian and varint helpers for the binary formats. */
void sk_put_u32(unsigned char *p, uint32_t v);
void sk_put_u64(unsigned char *p, uint64_t v);
uint32_t sk_get_u32(const unsigned char *p);
uint64_t sk_get_u64(const unsigned char *p);

/* Wall clock in milliseconds since the epoch, with the offset of $SINKRON_CLOCK_OFFSET (seconds)
 * applied: how tests and demos play an office PC whose clock is wrong. */
int64_t sk_wall_ms(void);

/* A point where a test may stop the process to kill it there: with $SINKRON_PAUSE_AT set to NAME
 * (or NAME:N, the N-th time it is reached), says "sinkron: paused at NAME (pid P)" on stderr and
 * stops itself (SIGSTOP), so that a crash test kills at a known step, never at a guessed moment. */
void sk_pause_point(const char *name);

/* Appends s, taken over, to the list *v of *n strings (the room doubles as it fills). */
void sk_strs_push(char ***v, size_t *n, char *s);
/* Frees the n strings of v and v itself; NULL is fine. */
void sk_strs_free(char **v, size_t n);

/* The embedded file NAME (a schema .sql or reference .csv, by base name), or NULL. */
const unsigned char *sk_embedded_find(const char *name, size_t *len);

#endif

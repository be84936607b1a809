/*
 * util.c: errors, allocation that aborts on out-of-memory (redis zmalloc), the capped growable
 * buffer (curl dynbuf, git strbuf), byte helpers and the wall clock.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "embedded.h"

static _Thread_local char error_msg[1024];
static _Thread_local enum sk_remedy error_remedy;
static _Thread_local char error_subject[128];

const char *sk_error_last(void)
{
	return error_msg[0] ? error_msg : "unknown error";
}

enum sk_remedy sk_error_remedy(void)
{
	return error_remedy;
}

const char *sk_error_remedy_subject(void)
{
	return error_subject;
}

void sk_error_clear(void)
{
	error_msg[0] = '\0';
	error_remedy = SK_DO_NOTHING;
	error_subject[0] = '\0';
}

/* Formatted through a copy, so the previous message may be one of the arguments:
 * sk_error_set("cannot apply: %s", sk_error_last()); such a message keeps the previous one's
 * remedy. */
static void set_message(const char *fmt, va_list ap)
{
	char tmp[sizeof(error_msg)];
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	if (!error_msg[0] || !strstr(tmp, error_msg)) {
		error_remedy = SK_DO_NOTHING;
		error_subject[0] = '\0';
	}
	memcpy(error_msg, tmp, sizeof(tmp));
}

void sk_error_set(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set_message(fmt, ap);
	va_end(ap);
}

int sk_error(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set_message(fmt, ap);
	va_end(ap);
	return code;
}

int sk_error_do(int code, enum sk_remedy remedy, const char *subject, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set_message(fmt, ap);
	va_end(ap);
	error_remedy = remedy;
	snprintf(error_subject, sizeof(error_subject), "%s", subject ? subject : "");
	return code;
}

static void oom(size_t n)
{
	fprintf(stderr, "sinkron: out of memory allocating %zu bytes\n", n);
	abort();
}

void *sk_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *sk_calloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
	if (!p)
		oom(nmemb * size);
	return p;
}

void *sk_realloc(void *ptr, size_t n)
{
	void *p = realloc(ptr, n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

char *sk_strdup(const char *s)
{
	size_t n;
	char *p;
	if (!s)
		return NULL;
	n = strlen(s) + 1;
	p = sk_malloc(n);
	memcpy(p, s, n);
	return p;
}

char *sk_strndup(const char *s, size_t n)
{
	char *p = sk_malloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *sk_printf(const char *fmt, ...)
{
	va_list ap, aq;
	int n;
	char *p;
	va_start(ap, fmt);
	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	p = sk_malloc((size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, aq);
	va_end(aq);
	return p;
}

void sk_buf_init(struct sk_buf *b, size_t cap)
{
	b->ptr = NULL;
	b->len = 0;
	b->alloc = 0;
	b->cap = cap ? cap : SIZE_MAX / 2;
}

void sk_buf_release(struct sk_buf *b)
{
	free(b->ptr);
	b->ptr = NULL;
	b->len = b->alloc = 0;
}

int sk_buf_grow(struct sk_buf *b, size_t extra)
{
	size_t want;
	if (extra > b->cap || b->len > b->cap - extra)
		return sk_error(SK_EINVALID, "data larger than the limit of %zu bytes", b->cap);
	want = b->len + extra + 1;
	if (want > b->alloc) {
		size_t n = b->alloc ? b->alloc : 256;
		while (n < want)
			n *= 2;
		b->ptr = sk_realloc(b->ptr, n);
		b->alloc = n;
	}
	return 0;
}

int sk_buf_put(struct sk_buf *b, const void *data, size_t n)
{
	int rc;
	if ((rc = sk_buf_grow(b, n)) < 0)
		return rc;
	if (n)
		memcpy(b->ptr + b->len, data, n);
	b->len += n;
	b->ptr[b->len] = '\0';
	return 0;
}

int sk_buf_puts(struct sk_buf *b, const char *s)
{
	return sk_buf_put(b, s, strlen(s));
}

int sk_buf_putc(struct sk_buf *b, int c)
{
	unsigned char ch = (unsigned char)c;
	return sk_buf_put(b, &ch, 1);
}

int sk_buf_printf(struct sk_buf *b, const char *fmt, ...)
{
	va_list ap, aq;
	int n, rc;
	va_start(ap, fmt);
	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if ((rc = sk_buf_grow(b, (size_t)n)) < 0) {
		va_end(aq);
		return rc;
	}
	vsnprintf((char *)b->ptr + b->len, (size_t)n + 1, fmt, aq);
	va_end(aq);
	b->len += (size_t)n;
	return 0;
}

int sk_buf_put_varint(struct sk_buf *b, uint64_t v)
{
	unsigned char tmp[10];
	size_t n = 0;
	do {
		tmp[n] = (unsigned char)(v & 0x7f);
		v >>= 7;
		if (v)
			tmp[n] |= 0x80;
		n++;
	} while (v);
	return sk_buf_put(b, tmp, n);
}

int sk_get_varint(uint64_t *out, const unsigned char **p, const unsigned char *end)
{
	uint64_t v = 0;
	unsigned shift = 0;
	while (*p < end) {
		unsigned char c = *(*p)++;
		if (shift == 63 && (c & 0x7e))
			return SK_ECORRUPT;
		v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*out = v;
			return 0;
		}
		shift += 7;
		if (shift > 63)
			return SK_ECORRUPT;
	}
	return SK_ECORRUPT;
}

void sk_put_u32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

void sk_put_u64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

uint32_t sk_get_u32(const unsigned char *p)
{
	uint32_t v = 0;
	for (int i = 3; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

uint64_t sk_get_u64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

int64_t sk_wall_ms(void)
{
	struct timespec ts;
	const char *off = getenv("SINKRON_CLOCK_OFFSET");
	int64_t ms;
	clock_gettime(CLOCK_REALTIME, &ts);
	ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	if (off && *off)
		ms += (int64_t)(strtod(off, NULL) * 1000.0);
	return ms;
}

void sk_pause_point(const char *name)
{
	static unsigned long reached;
	const char *at = getenv("SINKRON_PAUSE_AT"), *colon;
	size_t n = strlen(name);
	char msg[160];
	int len;

	if (!at || strncmp(at, name, n) || (at[n] != '\0' && at[n] != ':'))
		return;
	colon = at + n;
	if (*colon == ':' && ++reached < strtoul(colon + 1, NULL, 10))
		return;
	len = snprintf(msg, sizeof(msg), "sinkron: paused at %s (pid %d)\n", name, (int)getpid());
	if (len > 0 && write(2, msg, (size_t)len) < 0)
		return;
	raise(SIGSTOP);
}

const unsigned char *sk_embedded_find(const char *name, size_t *len)
{
	for (size_t i = 0; i < sk_embedded_count; i++) {
		if (!strcmp(sk_embedded_files[i].name, name)) {
			if (len)
				*len = sk_embedded_files[i].len;
			return sk_embedded_files[i].data;
		}
	}
	return NULL;
}

int sk_utf8_valid(const unsigned char *s, size_t n, int controls)
{
	size_t i = 0;
	while (i < n) {
		unsigned char c = s[i];
		size_t k;
		uint32_t cp;
		if (c < 0x80) {
			if (!controls && (c < 0x20 || c == 0x7f))
				return 0;
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			k = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			k = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			k = 3;
			cp = c & 0x07;
		} else {
			return 0;
		}
		if (n - i <= k)
			return 0;
		for (size_t j = 1; j <= k; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + j] & 0x3f);
		}
		if ((k == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (k == 3 && (cp < 0x10000 || cp > 0x10ffff)))
			return 0;
		i += k + 1;
	}
	return 1;
}

void sk_strs_push(char ***v, size_t *n, char *s)
{
	/* the room doubles each time n reaches a power of two */
	if (*n == 0 || (*n & (*n - 1)) == 0)
		*v = sk_realloc(*v, (*n ? 2 * *n : 1) * sizeof(**v));
	(*v)[(*n)++] = s;
}

void sk_strs_free(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

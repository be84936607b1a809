/*
 * digest.c: SHA-256 through libcrypto (OpenSSL 3, which uses the CPU's SHA instructions where it
 * has them: sealing and restoring hash every row of a district's database), the order-independent
 * state digest (a sum of row hashes modulo 2^256) and hex conversion.
 */
/* OpenSSL 3's interface without the deprecated names (its sk_* stack macros would shadow ours) */
#define OPENSSL_API_COMPAT 30000
#define OPENSSL_NO_DEPRECATED
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include <openssl/evp.h>

#include "common.h"

static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;
static EVP_MD *sha256_md;
/* each thread's context for sk_sha256(), made once: a row's hash costs no allocation */
static pthread_key_t sha256_key;

/* libcrypto fails here only when out of memory or without its default provider: like sk_malloc. */
static void sha256_die(const char *what)
{
	fprintf(stderr, "sinkron: libcrypto's SHA-256 failed in %s\n", what);
	abort();
}

static void thread_ctx_free(void *ctx)
{
	EVP_MD_CTX_free(ctx);
}

static void sha256_start(void)
{
	/* fetched once: EVP_sha256() would look the implementation up again at every init */
	if (!(sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL)))
		sha256_die("EVP_MD_fetch");
	if (pthread_key_create(&sha256_key, thread_ctx_free) != 0)
		sha256_die("pthread_key_create");
}

static void evp_init(EVP_MD_CTX *ctx)
{
	pthread_once(&sha256_once, sha256_start);
	if (EVP_DigestInit_ex2(ctx, sha256_md, NULL) != 1)
		sha256_die("EVP_DigestInit_ex2");
}

void sk_sha256_init(struct sk_sha256_ctx *c)
{
	if (!(c->evp = EVP_MD_CTX_new()))
		sha256_die("EVP_MD_CTX_new");
	evp_init(c->evp);
}

void sk_sha256_update(struct sk_sha256_ctx *c, const void *data, size_t len)
{
	if (EVP_DigestUpdate(c->evp, data, len) != 1)
		sha256_die("EVP_DigestUpdate");
}

void sk_sha256_final(struct sk_sha256_ctx *c, unsigned char out[SK_HASH_SIZE])
{
	if (EVP_DigestFinal_ex(c->evp, out, NULL) != 1)
		sha256_die("EVP_DigestFinal_ex");
	EVP_MD_CTX_free(c->evp);
	c->evp = NULL;
}

void sk_sha256(unsigned char out[SK_HASH_SIZE], const void *data, size_t len)
{
	EVP_MD_CTX *ctx;
	pthread_once(&sha256_once, sha256_start);
	if (!(ctx = pthread_getspecific(sha256_key))) {
		if (!(ctx = EVP_MD_CTX_new()) || pthread_setspecific(sha256_key, ctx) != 0)
			sha256_die("EVP_MD_CTX_new");
	}
	evp_init(ctx);
	if (EVP_DigestUpdate(ctx, data, len) != 1 || EVP_DigestFinal_ex(ctx, out, NULL) != 1)
		sha256_die("sk_sha256");
}

void sk_digest_add(unsigned char acc[SK_HASH_SIZE], const unsigned char h[SK_HASH_SIZE])
{
	unsigned carry = 0;
	for (int i = 0; i < SK_HASH_SIZE; i++) {
		unsigned s = (unsigned)acc[i] + h[i] + carry;
		acc[i] = (unsigned char)s;
		carry = s >> 8;
	}
}

void sk_digest_sub(unsigned char acc[SK_HASH_SIZE], const unsigned char h[SK_HASH_SIZE])
{
	unsigned borrow = 0;
	for (int i = 0; i < SK_HASH_SIZE; i++) {
		unsigned d = (unsigned)acc[i] - h[i] - borrow;
		acc[i] = (unsigned char)d;
		borrow = (d >> 8) & 1;
	}
}

void sk_hex(char *out, const unsigned char *data, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[data[i] >> 4];
		out[2 * i + 1] = digits[data[i] & 15];
	}
	out[2 * n] = '\0';
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int sk_unhex(unsigned char *out, size_t n, const char *hex)
{
	for (size_t i = 0; i < n; i++) {
		int hi, lo;
		if ((hi = hexval((unsigned char)hex[2 * i])) < 0 || (lo = hexval((unsigned char)hex[2 * i + 1])) < 0)
			return sk_error(SK_EINVALID, "'%s' is not %zu hex digits", hex, 2 * n);
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	if (hex[2 * n] != '\0')
		return sk_error(SK_EINVALID, "'%s' is not %zu hex digits", hex, 2 * n);
	return 0;
}

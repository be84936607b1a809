/*
 * sha256.c: SHA-256 (FIPS 180-4), the order-independent state digest (a sum of row hashes
 * modulo 2^256) and hex conversion.  The compression function is unrolled because sealing and
 * restoring hash every row of a district's database.
 */
#include <stdlib.h>
#include <string.h>

#include "common.h"

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))
#define S0(x) (ROR(x, 2) ^ ROR(x, 13) ^ ROR(x, 22))
#define S1(x) (ROR(x, 6) ^ ROR(x, 11) ^ ROR(x, 25))
#define G0(x) (ROR(x, 7) ^ ROR(x, 18) ^ ((x) >> 3))
#define G1(x) (ROR(x, 17) ^ ROR(x, 19) ^ ((x) >> 10))
#define CH(x, y, z) (((x) & ((y) ^ (z))) ^ (z))
#define MAJ(x, y, z) (((x) & (y)) | ((z) & ((x) | (y))))

/* The message schedule lives in a 16-word ring, so W(i) for i >= 16 is computed in place. */
#define W(i) (w[(i) & 15] += G1(w[((i) - 2) & 15]) + w[((i) - 7) & 15] + G0(w[((i) - 15) & 15]))

/* One round with the working variables renamed instead of shifted. */
#define R(a, b, c, d, e, f, g, h, i, wi) do { \
	uint32_t t1_ = h + S1(e) + CH(e, f, g) + K[i] + (wi); \
	d += t1_; \
	h = t1_ + S0(a) + MAJ(a, b, c); \
} while (0)

#define R8(i, WX) do { \
	R(a, b, c, d, e, f, g, h, (i) + 0, WX((i) + 0)); \
	R(h, a, b, c, d, e, f, g, (i) + 1, WX((i) + 1)); \
	R(g, h, a, b, c, d, e, f, (i) + 2, WX((i) + 2)); \
	R(f, g, h, a, b, c, d, e, (i) + 3, WX((i) + 3)); \
	R(e, f, g, h, a, b, c, d, (i) + 4, WX((i) + 4)); \
	R(d, e, f, g, h, a, b, c, (i) + 5, WX((i) + 5)); \
	R(c, d, e, f, g, h, a, b, (i) + 6, WX((i) + 6)); \
	R(b, c, d, e, f, g, h, a, (i) + 7, WX((i) + 7)); \
} while (0)

#define W0(i) w[i]

static void compress_c(uint32_t st[8], const unsigned char *p)
{
	uint32_t w[16];
	uint32_t a = st[0], b = st[1], c = st[2], d = st[3];
	uint32_t e = st[4], f = st[5], g = st[6], h = st[7];

	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
	R8(0, W0);
	R8(8, W0);
	R8(16, W);
	R8(24, W);
	R8(32, W);
	R8(40, W);
	R8(48, W);
	R8(56, W);
	st[0] += a;
	st[1] += b;
	st[2] += c;
	st[3] += d;
	st[4] += e;
	st[5] += f;
	st[6] += g;
	st[7] += h;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <immintrin.h>

/* The same compression with the CPU's SHA instructions (Intel SHA extensions), where the CPU has
 * them: row hashing is a fifth of applying a change-set.  The state is kept as the instructions
 * want it (ABEF, CDGH); each of the 16 steps does four rounds and extends the message schedule
 * in place. */
__attribute__((target("sha,sse4.1,ssse3")))
static void compress_ni(uint32_t st[8], const unsigned char *p)
{
	const __m128i swap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
	__m128i s0, s1, tmp, msg, m[4], abef, cdgh;

	tmp = _mm_loadu_si128((const __m128i *)&st[0]);
	s1 = _mm_loadu_si128((const __m128i *)&st[4]);
	tmp = _mm_shuffle_epi32(tmp, 0xB1);
	s1 = _mm_shuffle_epi32(s1, 0x1B);
	s0 = _mm_alignr_epi8(tmp, s1, 8);
	s1 = _mm_blend_epi16(s1, tmp, 0xF0);
	abef = s0;
	cdgh = s1;
	for (int g = 0; g < 16; g++) {
		if (g < 4)
			m[g] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * g)), swap);
		else
			m[g & 3] = _mm_sha256msg2_epu32(_mm_add_epi32(_mm_sha256msg1_epu32(m[g & 3], m[(g + 1) & 3]),
								      _mm_alignr_epi8(m[(g + 3) & 3], m[(g + 2) & 3], 4)),
							m[(g + 3) & 3]);
		msg = _mm_add_epi32(m[g & 3], _mm_loadu_si128((const __m128i *)&K[4 * g]));
		s1 = _mm_sha256rnds2_epu32(s1, s0, msg);
		msg = _mm_shuffle_epi32(msg, 0x0E);
		s0 = _mm_sha256rnds2_epu32(s0, s1, msg);
	}
	s0 = _mm_add_epi32(s0, abef);
	s1 = _mm_add_epi32(s1, cdgh);
	tmp = _mm_shuffle_epi32(s0, 0x1B);
	s1 = _mm_shuffle_epi32(s1, 0xB1);
	s0 = _mm_blend_epi16(tmp, s1, 0xF0);
	s1 = _mm_alignr_epi8(s1, tmp, 8);
	_mm_storeu_si128((__m128i *)&st[0], s0);
	_mm_storeu_si128((__m128i *)&st[4], s1);
}

static int have_sha_ni(void)
{
	unsigned a, b, c, d;
	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_SSE4_1) || !(c & bit_SSSE3))
		return 0;
	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
		return 0;
	return (b >> 29) & 1;
}

static void compress(uint32_t st[8], const unsigned char *p)
{
	static int use = -1;
	if (use < 0)
		use = have_sha_ni() && !getenv("SINKRON_NO_SHA_NI");
	if (use)
		compress_ni(st, p);
	else
		compress_c(st, p);
}
#else
#define compress compress_c
#endif

void sk_sha256_init(struct sk_sha256_ctx *c)
{
	static const uint32_t iv[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};
	memcpy(c->h, iv, sizeof(iv));
	c->total = 0;
	c->used = 0;
}

void sk_sha256_update(struct sk_sha256_ctx *c, const void *data, size_t len)
{
	const unsigned char *p = data;
	c->total += len;
	if (c->used) {
		size_t take = 64 - c->used < len ? 64 - c->used : len;
		memcpy(c->block + c->used, p, take);
		c->used += take;
		p += take;
		len -= take;
		if (c->used < 64)
			return;
		compress(c->h, c->block);
		c->used = 0;
	}
	for (; len >= 64; p += 64, len -= 64)
		compress(c->h, p);
	if (len) {
		memcpy(c->block, p, len);
		c->used = len;
	}
}

void sk_sha256_final(struct sk_sha256_ctx *c, unsigned char out[SK_HASH_SIZE])
{
	uint64_t bits = c->total * 8;
	c->block[c->used++] = 0x80;
	if (c->used > 56) {
		memset(c->block + c->used, 0, 64 - c->used);
		compress(c->h, c->block);
		c->used = 0;
	}
	memset(c->block + c->used, 0, 56 - c->used);
	for (int i = 0; i < 8; i++)
		c->block[56 + i] = (unsigned char)(bits >> (56 - 8 * i));
	compress(c->h, c->block);
	for (int i = 0; i < 8; i++) {
		out[4 * i] = (unsigned char)(c->h[i] >> 24);
		out[4 * i + 1] = (unsigned char)(c->h[i] >> 16);
		out[4 * i + 2] = (unsigned char)(c->h[i] >> 8);
		out[4 * i + 3] = (unsigned char)c->h[i];
	}
	memset(c, 0, sizeof(*c));
}

void sk_sha256(unsigned char out[SK_HASH_SIZE], const void *data, size_t len)
{
	struct sk_sha256_ctx c;
	sk_sha256_init(&c);
	sk_sha256_update(&c, data, len);
	sk_sha256_final(&c, out);
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

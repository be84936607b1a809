/*
 * bench_sha256.c: SHA-256 throughput of the engine's sk_sha256_* beside libcrypto's EVP interface
 * and libsodium's crypto_hash_sha256, over the same bytes: one stream fed in 4 KiB and in 64-byte
 * pieces (a file, a trigger list) and 64-byte messages hashed one by one (rows).
 * Usage: bench_sha256 [MIB] [RUNS]  (256 MiB and 3 runs unless told; prints MB/s, 10^6 bytes)
 */
/* OpenSSL 3's interface without the deprecated names (its sk_* stack macros would shadow the engine's) */
#define OPENSSL_API_COMPAT 30000
#define OPENSSL_NO_DEPRECATED
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <sodium.h>

#include "benchhelp.h"
#include "sync.h"

enum mode { STREAM_4K, STREAM_64, ROWS_64 };
static const char *const mode_name[] = {"stream, 4 KiB pieces", "stream, 64-byte pieces", "64-byte messages"};

static EVP_MD *evp_md;
static volatile unsigned sink; /* the results, kept so no hashing is optimised away */

/* Hashes total bytes of buf (cycled) as the mode says; returns a byte of the result. */
static unsigned run_sinkron(enum mode m, const unsigned char *buf, size_t bufsz, size_t total)
{
	unsigned char h[SK_HASH_SIZE];
	unsigned acc = 0;
	size_t piece = m == STREAM_4K ? 4096 : 64;
	if (m == ROWS_64) {
		for (size_t off = 0; off < total; off += piece) {
			sk_sha256(h, buf + off % bufsz, piece);
			acc += h[0];
		}
		return acc;
	}
	struct sk_sha256_ctx c;
	sk_sha256_init(&c);
	for (size_t off = 0; off < total; off += piece)
		sk_sha256_update(&c, buf + off % bufsz, piece);
	sk_sha256_final(&c, h);
	return h[0];
}

static unsigned run_libcrypto(enum mode m, const unsigned char *buf, size_t bufsz, size_t total)
{
	unsigned char h[SK_HASH_SIZE];
	unsigned acc = 0;
	size_t piece = m == STREAM_4K ? 4096 : 64;
	if (m == ROWS_64) {
		for (size_t off = 0; off < total; off += piece) {
			EVP_Digest(buf + off % bufsz, piece, h, NULL, evp_md, NULL);
			acc += h[0];
		}
		return acc;
	}
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	EVP_DigestInit_ex2(c, evp_md, NULL);
	for (size_t off = 0; off < total; off += piece)
		EVP_DigestUpdate(c, buf + off % bufsz, piece);
	EVP_DigestFinal_ex(c, h, NULL);
	EVP_MD_CTX_free(c);
	return h[0];
}

static unsigned run_libsodium(enum mode m, const unsigned char *buf, size_t bufsz, size_t total)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	unsigned acc = 0;
	size_t piece = m == STREAM_4K ? 4096 : 64;
	if (m == ROWS_64) {
		for (size_t off = 0; off < total; off += piece) {
			crypto_hash_sha256(h, buf + off % bufsz, piece);
			acc += h[0];
		}
		return acc;
	}
	crypto_hash_sha256_state c;
	crypto_hash_sha256_init(&c);
	for (size_t off = 0; off < total; off += piece)
		crypto_hash_sha256_update(&c, buf + off % bufsz, piece);
	crypto_hash_sha256_final(&c, h);
	return h[0];
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		unsigned (*run)(enum mode, const unsigned char *, size_t, size_t);
	} impl[] = {{"sinkron sk_sha256", run_sinkron}, {"libcrypto EVP", run_libcrypto}, {"libsodium", run_libsodium}};
	size_t total = (size_t)(argc > 1 ? atoi(argv[1]) : 256) << 20;
	int runs = argc > 2 ? atoi(argv[2]) : 3;
	size_t bufsz = 1 << 20;
	unsigned char *buf = malloc(bufsz);

	if (!buf || total == 0 || runs < 1 || sodium_init() < 0 || !(evp_md = EVP_MD_fetch(NULL, "SHA256", NULL))) {
		fprintf(stderr, "bench_sha256: cannot start\n");
		return 1;
	}
	for (size_t i = 0; i < bufsz; i++)
		buf[i] = (unsigned char)(i * 2654435761u >> 13);
	printf("SHA-256 over %zu MiB, MB/s per run\n", total >> 20);
	for (int m = STREAM_4K; m <= ROWS_64; m++) {
		printf("%s\n", mode_name[m]);
		for (size_t k = 0; k < sizeof(impl) / sizeof(impl[0]); k++) {
			printf("  %-18s", impl[k].name);
			for (int r = 0; r < runs; r++) {
				double t0 = now_s();
				sink += impl[k].run((enum mode)m, buf, bufsz, total);
				printf(" %8.0f", (double)total / 1e6 / (now_s() - t0));
				fflush(stdout);
			}
			printf("\n");
		}
	}
	EVP_MD_free(evp_md);
	free(buf);
	return 0;
}

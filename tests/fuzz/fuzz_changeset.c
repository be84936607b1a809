/*
 * fuzz_changeset.c: libFuzzer target for the change-set decoder.  Whatever decodes must encode,
 * decode again and encode to the same bytes.  Each input is tried twice: as given, and with its
 * last 16 bytes replaced by the right checksum, so that mutations get past the checksum and
 * reach the header limits, the inflater and the body parser.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sync.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_one(const uint8_t *data, size_t size)
{
	/* small limits, so that the fuzzer reaches them rather than exhausting memory */
	static const struct sk_cs_limits lim = {1u << 20, 8u << 20, 100000u, 1u << 16};
	struct sk_changeset *a = NULL, *b = NULL;
	struct sk_buf e1 = SK_BUF_INIT, e2 = SK_BUF_INIT;
	int rc = sk_changeset_decode(&a, data, size, &lim);

	if (rc == 0) {
		if (sk_changeset_encode(&e1, a) != 0)
			abort();
		if (sk_changeset_decode(&b, e1.ptr, e1.len, NULL) != 0)
			abort();
		if (sk_changeset_rows(a) != sk_changeset_rows(b))
			abort();
		if (sk_changeset_encode(&e2, b) != 0)
			abort();
		if (e1.len != e2.len || memcmp(e1.ptr, e2.ptr, e1.len))
			abort();
	} else if (rc != SK_ECORRUPT && rc != SK_EINVALID) {
		abort();
	} else if (!sk_error_last()[0]) {
		abort();
	}
	sk_changeset_free(a);
	sk_changeset_free(b);
	sk_buf_release(&e1);
	sk_buf_release(&e2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char sum[SK_HASH_SIZE];
	uint8_t *copy;

	check_one(data, size);
	if (size < 16 + 6)
		return 0;
	copy = malloc(size);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	sk_sha256(sum, copy, size - 16);
	memcpy(copy + size - 16, sum, 16);
	check_one(copy, size);
	free(copy);
	return 0;
}

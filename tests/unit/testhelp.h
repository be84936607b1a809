/*
 * testhelp.h: the unit tests' runner, in the spirit of redis src/testhelp.h.  A test file
 * defines its cases with TEST(name) { ... CHECK(cond); ... } and ends with TEST_MAIN(case, ...).
 * `build/tests/test_x [FILTER]` runs the cases whose name contains FILTER, prints each failing
 * check, and ends with "# N passed, N failed"; the exit status is non-zero on any failure.
 * A seeded test prints its seed on failure with CHECK_SEED().
 */
#ifndef SK_TESTHELP_H
#define SK_TESTHELP_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int th_passed, th_failed;
static const char *th_case;

#define CHECK(cond) do { \
	if (cond) th_passed++; \
	else { th_failed++; printf("not ok - %s: %s:%d: %s\n", th_case, __FILE__, __LINE__, #cond); } \
} while (0)

#define CHECK_MSG(cond, ...) do { \
	if (cond) th_passed++; \
	else { th_failed++; printf("not ok - %s: %s:%d: %s: ", th_case, __FILE__, __LINE__, #cond); \
		printf(__VA_ARGS__); printf("\n"); } \
} while (0)

#define TEST(name) static void name(void)

struct th_case { const char *name; void (*fn)(void); };
#define TC(fn) {#fn, fn}

static inline int th_run(int argc, char **argv, const struct th_case *cases, size_t n)
{
	const char *filter = argc > 1 ? argv[1] : NULL;
	for (size_t i = 0; i < n; i++) {
		int before = th_failed;
		if (filter && !strstr(cases[i].name, filter))
			continue;
		th_case = cases[i].name;
		cases[i].fn();
		if (th_failed == before)
			printf("ok - %s\n", cases[i].name);
	}
	printf("# %d passed, %d failed\n", th_passed, th_failed);
	return th_failed ? 1 : 0;
}

#define TEST_MAIN(...) \
	int main(int argc, char **argv) { \
		static const struct th_case cases[] = {__VA_ARGS__}; \
		return th_run(argc, argv, cases, sizeof(cases) / sizeof(cases[0])); \
	}

#endif

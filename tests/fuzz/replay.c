/*
 * replay.c: runs the fuzz target over saved inputs without libFuzzer, so that `make test`
 * replays the corpus (and every crash found so far) with any compiler.  Arguments are files
 * or directories; the default is tests/fuzz/corpus.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	long n;
	if (!f) {
		fprintf(stderr, "replay: cannot open '%s'\n", path);
		return -1;
	}
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fprintf(stderr, "replay: cannot read '%s'\n", path);
		fclose(f);
		return -1;
	}
	/* an exact-size copy, so that a read past the end shows under a sanitizer */
	buf = malloc(n ? (size_t)n : 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "replay: cannot read '%s'\n", path);
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)n);
	free(buf);
	return 0;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replays path (a file, or the files of a directory in name order); counts into *passed. */
static int replay(const char *path, int *passed, int *failed)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, alloc = 0;

	if (stat(path, &st)) {
		fprintf(stderr, "replay: cannot open '%s'\n", path);
		(*failed)++;
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		if (replay_file(path))
			(*failed)++;
		else
			(*passed)++;
		return 0;
	}
	if (!(d = opendir(path))) {
		fprintf(stderr, "replay: cannot open '%s'\n", path);
		(*failed)++;
		return -1;
	}
	while ((e = readdir(d))) {
		size_t len;
		if (e->d_name[0] == '.')
			continue;
		if (n == alloc) {
			alloc = alloc ? 2 * alloc : 64;
			names = realloc(names, alloc * sizeof(*names));
			if (!names)
				abort();
		}
		len = strlen(path) + strlen(e->d_name) + 2;
		names[n] = malloc(len);
		if (!names[n])
			abort();
		snprintf(names[n], len, "%s/%s", path, e->d_name);
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp);
	for (size_t i = 0; i < n; i++) {
		if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
			if (replay_file(names[i]))
				(*failed)++;
			else
				(*passed)++;
		}
		free(names[i]);
	}
	free(names);
	return 0;
}

int main(int argc, char **argv)
{
	int passed = 0, failed = 0;
	if (argc < 2)
		replay("tests/fuzz/corpus", &passed, &failed);
	for (int i = 1; i < argc; i++)
		replay(argv[i], &passed, &failed);
	printf("# %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}

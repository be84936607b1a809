/*
 * privfile.c: files of personal data (exports, reject files, report tables) written safely: a
 * fresh file beside the target made with O_EXCL (so neither a symlink nor an existing file is
 * followed or written through), readable by its owner only, renamed over the target once whole.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"

int sk_private_open(struct sk_private_file *pf, const char *path)
{
	int fd;
	mode_t old;
	memset(pf, 0, sizeof(*pf));
	pf->path = sk_strdup(path);
	pf->tmp = sk_printf("%s.XXXXXX", path);
	old = umask(077);
	fd = mkostemp(pf->tmp, O_CLOEXEC); /* O_CREAT | O_EXCL: never through a link */
	umask(old);
	if (fd < 0 || fchmod(fd, 0600) != 0 || !(pf->f = fdopen(fd, "w"))) {
		int e = errno;
		if (fd >= 0) {
			close(fd);
			unlink(pf->tmp);
		}
		free(pf->path);
		free(pf->tmp);
		memset(pf, 0, sizeof(*pf));
		return sk_error(e == ENOENT ? SK_ENOTFOUND : SK_ERROR, "cannot create '%s': %s", path, strerror(e));
	}
	return 0;
}

int sk_private_close(struct sk_private_file *pf, int ok)
{
	int rc = 0;
	if (!pf->f)
		return 0;
	if (fflush(pf->f) != 0 || ferror(pf->f) || fsync(fileno(pf->f)) != 0)
		ok = 0, rc = sk_error(SK_ERROR, "cannot write '%s': %s", pf->path, strerror(errno));
	if (fclose(pf->f) != 0 && ok)
		ok = 0, rc = sk_error(SK_ERROR, "cannot write '%s': %s", pf->path, strerror(errno));
	pf->f = NULL;
	/* rename replaces a link at the target, never what it points to */
	if (ok && rename(pf->tmp, pf->path) != 0)
		ok = 0, rc = sk_error(SK_ERROR, "cannot write '%s': %s", pf->path, strerror(errno));
	if (!ok)
		unlink(pf->tmp);
	free(pf->path);
	free(pf->tmp);
	pf->path = pf->tmp = NULL;
	return ok ? 0 : rc < 0 ? rc : SK_ERROR;
}

int sk_same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	if (stat(a, &sa) != 0 || stat(b, &sb) != 0)
		return 0;
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

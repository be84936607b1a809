/*
 * lsrefs.c: git's ls-refs over git:// (protocol version 2), in pkt-lines: a request naming the
 * repository and the version, the daemon's capabilities, then the refs under one prefix.
 */
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine.h"
#include "lsrefs.h"

#define PKT_MAX 65520

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int read_all(int fd, char *p, size_t n)
{
	while (n > 0) {
		ssize_t r = read(fd, p, n);
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* One pkt-line of n bytes (n 0: the special packet named by special, "0000" or "0001"). */
static int pkt_write(int fd, const char *s, size_t n, const char *special)
{
	char head[8];
	if (n == 0)
		return write_all(fd, special, 4);
	if (n + 4 > PKT_MAX)
		return -1;
	snprintf(head, sizeof(head), "%04x", (unsigned)(n + 4));
	return write_all(fd, head, 4) < 0 ? -1 : write_all(fd, s, n);
}

/* Reads one pkt-line into buf (NUL-terminated): its length, 0 for a flush or delimiter, -1 on error. */
static long pkt_read(int fd, char *buf)
{
	char head[5] = {0};
	long n;
	if (read_all(fd, head, 4) < 0 || sscanf(head, "%4lx", &n) != 1)
		return -1;
	if (n < 4)
		return n == 0 || n == 1 ? 0 : -1;
	n -= 4;
	if (n > PKT_MAX || read_all(fd, buf, (size_t)n) < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

/* git://host[:port]/path: host, port and path; -1 when url is not that. */
static int parse_url(const char *url, char *host, size_t hn, char *port, size_t pn, const char **path)
{
	const char *h, *end, *colon;
	if (strncmp(url, "git://", 6))
		return -1;
	h = url + 6;
	if (!(*path = strchr(h, '/')))
		return -1;
	end = *path;
	if (*h == '[') { /* [ipv6]:port */
		const char *close = memchr(h, ']', (size_t)(end - h));
		if (!close)
			return -1;
		snprintf(host, hn, "%.*s", (int)(close - h - 1), h + 1);
		colon = close[1] == ':' ? close + 1 : NULL;
	} else {
		colon = memchr(h, ':', (size_t)(end - h));
		snprintf(host, hn, "%.*s", (int)((colon ? colon : end) - h), h);
	}
	snprintf(port, pn, "%.*s", colon ? (int)(end - colon - 1) : 4, colon ? colon + 1 : "9418");
	return host[0] && port[0] ? 0 : -1;
}

static int dial(const char *host, const char *port)
{
	struct addrinfo hints = {0}, *res = NULL, *a;
	int fd = -1;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, port, &hints, &res) != 0)
		return -1;
	for (a = res; a && fd < 0; a = a->ai_next) {
		if ((fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol)) < 0)
			continue;
		if (connect(fd, a->ai_addr, a->ai_addrlen) < 0) {
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	return fd;
}

/* "<oid> <name>[ ...]" (version 2) or "<oid> <name>\0caps" (version 0): kept when under prefix. */
static int add_ref(struct sk_lsrefs *out, size_t *alloc, char *line, const char *prefix)
{
	char *name, *end;
	git_oid oid;
	if (strlen(line) < 42 || line[40] != ' ' || git_oid_fromstrn(&oid, line, 40) < 0)
		return -1;
	name = line + 41;
	end = name + strcspn(name, " \n");
	*end = '\0';
	if (strncmp(name, prefix, strlen(prefix)))
		return 0;
	if (out->n == *alloc) {
		*alloc = *alloc ? *alloc * 2 : 8;
		out->heads = sk_realloc(out->heads, *alloc * sizeof(*out->heads));
	}
	memset(&out->heads[out->n], 0, sizeof(out->heads[out->n]));
	out->heads[out->n].oid = oid;
	out->heads[out->n].name = sk_strdup(name);
	out->n++;
	return 0;
}

int sk_lsrefs(const char *url, const char *prefix, struct sk_lsrefs *out)
{
	char host[256], port[16], req[1200], *buf = NULL;
	const char *path;
	size_t alloc = 0;
	long n;
	int fd, len, rc = -1;

	memset(out, 0, sizeof(*out));
	if (parse_url(url, host, sizeof(host), port, sizeof(port), &path) < 0)
		return -1;
	/* git-upload-pack PATH\0host=HOST[:PORT]\0\0version=2\0, the host as the address gives it */
	len = snprintf(req, sizeof(req), "git-upload-pack %s%chost=%.*s%c%cversion=2%c", path, 0, (int)(path - url - 6),
		       url + 6, 0, 0, 0);
	if (len <= 0 || (size_t)len >= sizeof(req) || (fd = dial(host, port)) < 0)
		return -1;
	buf = sk_malloc(PKT_MAX + 1);
	if (pkt_write(fd, req, (size_t)len, NULL) < 0 || (n = pkt_read(fd, buf)) <= 0)
		goto done;
	if (!strcmp(buf, "version 2\n")) {
		char *line;
		while ((n = pkt_read(fd, buf)) > 0) /* the capabilities */
			;
		line = sk_printf("ref-prefix %s\n", prefix);
		n = n < 0 || pkt_write(fd, "command=ls-refs\n", 16, NULL) < 0 || pkt_write(fd, NULL, 0, "0001") < 0 ||
			    pkt_write(fd, line, strlen(line), NULL) < 0 || pkt_write(fd, NULL, 0, "0000") < 0 ? -1 : 0;
		free(line);
		if (n < 0)
			goto done;
		while ((n = pkt_read(fd, buf)) > 0)
			if (add_ref(out, &alloc, buf, prefix) < 0)
				goto done;
	} else { /* version 0: the refs came first; a flush ends the exchange */
		do
			if (add_ref(out, &alloc, buf, prefix) < 0)
				goto done;
		while ((n = pkt_read(fd, buf)) > 0);
		if (n == 0 && pkt_write(fd, NULL, 0, "0000") < 0)
			goto done;
	}
	rc = n == 0 ? 0 : -1;
done:
	close(fd);
	free(buf);
	if (rc < 0)
		sk_lsrefs_free(out);
	return rc;
}

void sk_lsrefs_free(struct sk_lsrefs *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->heads[i].name);
	free(l->heads);
	memset(l, 0, sizeof(*l));
}

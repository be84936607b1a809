/*
 * login.c: the office's login at the central repository, read from its configuration and
 * address, and given only to the configured host.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "login.h"

/* The authority of a URL (what lies between "://" and the path): *p its start, the return its
 * end; NULL for a path. */
static const char *url_authority(const char *url, const char **p)
{
	const char *s = url ? strstr(url, "://") : NULL;
	if (!s)
		return NULL;
	*p = s + 3;
	return *p + strcspn(*p, "/?#");
}

/* The host (and port) of a URL such as http://user@host:port/path, without the user; "" for a path. */
static void url_host(char *out, size_t n, const char *url)
{
	const char *p, *end = url_authority(url, &p), *at;
	out[0] = '\0';
	if (!end)
		return;
	at = memchr(p, '@', (size_t)(end - p));
	if (at)
		p = at + 1;
	snprintf(out, n, "%.*s", (int)(end - p), p);
	for (char *c = out; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
}

/* The user named in a URL (http://96.71.02@host/...), "" when none. */
static void url_user(char *out, size_t n, const char *url)
{
	const char *p, *end = url_authority(url, &p), *at;
	out[0] = '\0';
	if (!end)
		return;
	if (!(at = memchr(p, '@', (size_t)(end - p))))
		return;
	snprintf(out, n, "%.*s", (int)strcspn(p, ":@"), p);
}

const char *sk_login_user(const struct sk_remote *r, char *buf, size_t n)
{
	if (r->username)
		return r->username;
	url_user(buf, n, r->url);
	return buf[0] ? buf : NULL;
}

int sk_login_host_is_central(const struct sk_remote *r, const char *url)
{
	char want[256], asked[256];
	url_host(want, sizeof(want), r->url);
	url_host(asked, sizeof(asked), url);
	return !strcmp(want, asked);
}

char *sk_login_http_header(const struct sk_remote *r)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char ubuf[128], *plain, *out, *o;
	const char *user = sk_login_user(r, ubuf, sizeof(ubuf));
	size_t n;

	if (!r->url || (strncmp(r->url, "http://", 7) && strncmp(r->url, "https://", 8)) || !user || !r->password)
		return NULL;
	plain = sk_printf("%s:%s", user, r->password);
	n = strlen(plain);
	out = sk_malloc(sizeof("Authorization: Basic ") + (n + 2) / 3 * 4);
	o = out + sprintf(out, "Authorization: Basic ");
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned char)plain[i] << 16 | (i + 1 < n ? (unsigned char)plain[i + 1] << 8 : 0) |
			     (i + 2 < n ? (unsigned char)plain[i + 2] : 0);
		*o++ = b64[v >> 18 & 63];
		*o++ = b64[v >> 12 & 63];
		*o++ = i + 1 < n ? b64[v >> 6 & 63] : '=';
		*o++ = i + 2 < n ? b64[v & 63] : '=';
	}
	*o = '\0';
	memset(plain, 0, n);
	free(plain);
	return out;
}

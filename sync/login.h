/*
 * login.h: the office's login at the central repository (login.c): whose it is, the one host it
 * is given to, and HTTP's Basic authorization header that carries it.
 */
#ifndef SK_LOGIN_H
#define SK_LOGIN_H

#include <stddef.h>

#include "engine.h"

/* The login's user: the configuration's, else the one the URL names (http://96.71.02@host/...);
 * NULL when neither.  buf holds the URL's. */
const char *sk_login_user(const struct sk_remote *r, char *buf, size_t n);
/* Whether url is on the configured central's host (and port): the only one the login goes to. */
int sk_login_host_is_central(const struct sk_remote *r, const char *url);
/* "Authorization: Basic ..." for the login over HTTP(S), owned; NULL when the central is not
 * http(s):// or no user and password are configured. */
char *sk_login_http_header(const struct sk_remote *r);

#endif

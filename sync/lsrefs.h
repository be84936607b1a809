/*
 * lsrefs.h: asking a git daemon (git://) which refs under one prefix it holds, in git's protocol
 * version 2 (lsrefs.c), so that a fetch which would bring nothing need not be made: the
 * daemon's answer names only the refs asked for, where libgit2's fetch (protocol version 0)
 * hears every branch of the central repository first.
 */
#ifndef SK_LSREFS_H
#define SK_LSREFS_H

#include <git2.h>
#include <stddef.h>

struct sk_lsrefs {
	git_remote_head *heads; /* the refs the daemon named, owned */
	size_t n;
};

/* Lists the refs of the git:// url whose names start with prefix; the connection blocks (the
 * caller runs it under a deadline).  An older daemon answering in version 0 is read as well
 * (it names every ref; those outside prefix are left out).  0, or -1 when the address is not
 * git:// or the daemon did not answer as expected (then nothing is known). */
int sk_lsrefs(const char *url, const char *prefix, struct sk_lsrefs *out);
void sk_lsrefs_free(struct sk_lsrefs *l);

#endif

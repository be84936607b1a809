/*
 * api/remote.h: the central repository: push and fetch.
 * Part of sinkron's public API (gathered by sync.h), implemented by the engine layer.
 */
#ifndef SK_API_REMOTE_H
#define SK_API_REMOTE_H

#include <signal.h>
#include "store.h"

/* ---- the central repository ---- */
struct sk_remote {
	const char *url;          /* a path, file://, git://, http(s)://, ssh:// */
	const char *username, *password; /* HTTP(S) basic authentication; ssh user */
	const char *ssh_key, *ssh_pubkey; /* ssh: key files (NULL: the ssh agent) */
	const char *ca_file;      /* HTTPS: the CA certificate(s) to trust, e.g. the city's own */
	int deadline_ms;          /* for each network operation; 0: 60 s */
	size_t push_limit;        /* bytes one push may carry; 0: 64 KiB */
};
struct sk_push_result {
	size_t changesets;  /* change-sets that reached the central now */
	int pushes;         /* bounded pushes made */
	uint64_t bytes;     /* bytes sent */
};
/* Sends this office's sealed change-sets (the city: its own) to the central repository in
 * bounded pushes, each with a deadline; progress (may be NULL) hears after each push how many
 * of the change-sets waiting at the start have arrived.  SK_ENETWORK when the central cannot
 * be reached in time (what was pushed before stays pushed); SK_ECONFLICT when it refuses. */
int sk_push(struct sk_db *db, const struct sk_remote *r, struct sk_push_result *res, sk_progress_fn progress,
	    void *payload);
struct sk_fetch_result {
	uint64_t bytes, objects;
};
/* Fetches into the local repository what the others wrote: a district the city's branch
 * (refs/remotes/central/central), the city every district's (refs/remotes/central/district/...).
 * Its deadline is for a link that stops, not a slow one; progress (may be NULL) hears how many
 * objects of the pack have arrived. */
int sk_fetch(struct sk_db *db, const struct sk_remote *r, struct sk_fetch_result *res, sk_progress_fn progress,
	     void *payload);

/* A flag the transfers watch: when a signal handler sets it, a network operation under way is
 * abandoned (its child process killed) and returns SK_ENETWORK. */
void sk_transport_set_stop_flag(volatile sig_atomic_t *flag);

#endif

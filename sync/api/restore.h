/*
 * api/restore.h: restore, repair, undo, snapshots, the difference of two points.
 * Part of sinkron's public API (gathered by sync.h), implemented by the engine layer.
 */
#ifndef SK_API_RESTORE_H
#define SK_API_RESTORE_H

#include "remote.h"

/* ---- restore ----
 * Any district, or the whole city, rebuilt as it was at a past point from the local repository
 * alone, and checked against the state digests the change-sets recorded (README.md,
 * "Restoring").  A point is a date ("2024-02-28": the end of that day; "2024-02-28 14:00": the
 * end of that minute; "@SECONDS" since the epoch) read against each change-set's clock, a
 * commit id (7 to 40 hex digits), or a tag (a snapshot's NAME, or refs/tags/...).  These take
 * the path of the office's database; its repository is beside it (office.db -> office.git)
 * and checkpoints are kept in office.checkpoints/. */
struct sk_restore_opts {
	const char *at;          /* the point */
	const char *out;         /* the file written: refused when it exists, unless it is the
				    live database and replace is set */
	const char *district;    /* at the city: that district alone, as it recorded itself */
	int replace;             /* out may be the live database: kept first as
				    OUT.before-restore-YYYYmmdd-HHMMSS; only the office's latest state */
	int no_checkpoints;      /* neither use nor write checkpoints (also $SINKRON_NO_CHECKPOINTS) */
	sk_progress_fn progress;
	void *payload;
};
struct sk_restore_branch {
	char origin[24], commit[41];
	uint64_t number, total;  /* the last change-set taken (0: none), of total on the branch */
	uint64_t clock;          /* its clock */
	int64_t time;            /* its commit time (the office's wall clock), s */
	uint32_t flags;          /* its SK_CSF_* */
};
struct sk_restore_result {
	int verified;            /* 1: the digest equals every recorded digest compared */
	size_t checked;          /* recorded digests compared (the city: one per district) */
	char digest[2 * SK_HASH_SIZE + 1];   /* recomputed from the restored rows */
	char recorded[2 * SK_HASH_SIZE + 1]; /* a district or a snapshot: the recorded one */
	char *point;             /* the point as understood, in words */
	size_t nbranches;
	struct sk_restore_branch *branch; /* the branches taken, nbranches of them */
	size_t rows;
	size_t applied;          /* change-sets applied now */
	size_t from_checkpoint;  /* change-sets that came already applied in a checkpoint */
	size_t checkpoints_written;
	size_t index_written;    /* branch indexes written (new, grown or rebuilt) */
	size_t index_rebuilt;    /* branch indexes found damaged or stale and made again */
	char *kept;              /* replace: where the previous file was kept (NULL none) */
};
/* Frees what a restore result owns (point, branch, kept) and empties it; NULL is ignored. */
void sk_restore_result_release(struct sk_restore_result *res);
/* Writes the office (a district: itself; the city: every district it fetched and its own
 * branch, or o->district alone) as at o->at into o->out, through a temporary file renamed
 * when every check passed.  SK_ECORRUPT: a damaged object (named) or a digest that differs
 * from the recorded one ("DIGEST MISMATCH"); no file is left.  SK_ENOTFOUND: nothing at that
 * point; SK_EINVALID: bad point, existing output, --replace not at the latest state. */
int sk_restore(const char *dbpath, const struct sk_restore_opts *o, struct sk_restore_result *res);
/* res is filled even when the restore fails (what it reached): released by the caller in both cases. */

/* Rebuilds a damaged local repository (objects lost, a pack corrupted) without losing anything:
 * the old one is kept aside as DB.git.damaged-YYYYmmdd-HHMMSS; the new one takes every object of
 * it that still reads whole and the central repository's copy of this office's branch (r may be
 * NULL: no fetch).  When the change-set the database last sealed is then whole, the branch goes
 * back to it.  Otherwise the change-sets after the last whole one, never received by the city,
 * are sealed again: their rows (the office's own edits since) go back into the outbox, so the
 * next seal carries them under the same numbers.  SK_ECONFLICT when the central holds
 * change-sets of this office that the database does not know (an old copy: restore --replace). */
struct sk_repair_result {
	char *kept;           /* where the damaged repository was put, or NULL */
	size_t salvaged;      /* objects copied from it */
	size_t unreadable;    /* objects of it that could not be read */
	int central;          /* the central's copy of the branch was fetched */
	uint64_t fetched;     /* bytes received */
	size_t whole;         /* change-sets of this office whole in the new repository */
	size_t lost;          /* change-sets lost, to be sealed again */
	size_t requeued;      /* row changes put back into the outbox */
};
/* res is filled even when the repair fails (what it reached): released by the caller in both cases. */
int sk_repair(struct sk_db *db, const struct sk_remote *r, struct sk_repair_result *res);
/* Frees what sk_repair() filled into res (not res itself); a zeroed res is fine. */
void sk_repair_result_free(struct sk_repair_result *res);

struct sk_undo_result {
	size_t changed;          /* rows brought back to their values at the point */
	size_t removed;          /* rows this office made after the point, removed */
	size_t lost;             /* rows deleted after the point: a delete is final */
	size_t changesets;       /* new change-sets sealed with the undo */
	struct sk_restore_result restore;
};
/* At a district: brings the rows it owns back to what they were at the point, as ordinary
 * changes that are captured and sealed as new change-sets (history is never rewritten).
 * SK_EINVALID at the city. */
int sk_restore_undo(const char *dbpath, const char *at, const char *operator_name, struct sk_undo_result *res);
void sk_undo_result_release(struct sk_undo_result *res);

/* Where snapshots live in a repository: SK_REF_SNAPSHOT + NAME. */
#define SK_REF_SNAPSHOT "refs/tags/snapshot/"
struct sk_snapshot {
	const char *name, *tagger, *message, *commit, *digest;
	int64_t time;            /* when taken, s */
	size_t branches;
};
/* Seals what is pending, then tags the office's state as refs/tags/snapshot/NAME: an
 * annotated tag whose message lists every branch's last change-set and digest, and the
 * office's digest, after the lines summary (may be NULL) returns for the database (an owned
 * string of whole lines, or NULL for none).  *message_out (owned by the caller) is that
 * message.  SK_ECONFLICT when the name is taken; SK_EINVALID for a name git refuses. */
int sk_snapshot_create(const char *dbpath, const char *name, const char *note, const char *operator_name,
		       char *(*summary)(void *payload, struct sk_db *db), void *payload, char **message_out);
int sk_snapshot_each(const char *dbpath, int (*fn)(void *payload, const struct sk_snapshot *s), void *payload);

struct sk_diff_entry {
	const char *what;        /* "added", "changed", "ended", "removed" */
	const char *id, *owner, *nik, *name;
	const char *fields;      /* changed and ended: "phone, address" */
};
struct sk_diff_result {
	size_t added, changed, ended, removed;
	struct sk_restore_result a, b;
};
/* Restores points a and b into temporary files and calls fn for each worker that differs. */
int sk_diff(const char *dbpath, const char *a, const char *b, const char *district,
	    int (*fn)(void *payload, const struct sk_diff_entry *e), void *payload, struct sk_diff_result *res);
void sk_diff_result_release(struct sk_diff_result *res);

#endif

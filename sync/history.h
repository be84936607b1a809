/*
 * history.h: the rooms of the history side, inside sync/: a branch loaded from the local
 * repository and its index (branch.c), the point chosen (point.c), checkpoints (checkpoint.c),
 * the restore that builds, checks and adopts a past state (restore.c), snapshots (snapshot.c)
 * and the difference of two points (diff.c).  README.md "Restoring" gives the rules.
 */
#ifndef SK_HISTORY_H
#define SK_HISTORY_H

#include "engine.h"
#include "repo.h"

#define MAX_BRANCHES 40

/* One change-set commit of a branch, as the restore needs it. */
struct sk_hist_item {
	char commit[41], blob[41];
	char central[41];        /* the manifest's central: line ("" none) */
	uint64_t number, clock;  /* clock: hlc_max */
	uint64_t eff;            /* the least clock of this and every later item: date order */
	uint32_t flags;
	int64_t time;
	unsigned char digest[SK_HASH_SIZE];
	unsigned char *data;
	size_t len;
};

struct sk_hist_branch {
	char ref[160], origin[24];
	int is_central;
	struct sk_hist_item *v;
	size_t n, alloc;
	size_t target;           /* the prefix wanted */
	size_t have;             /* the prefix in the database being built */
};

enum { MODE_DISTRICT = 1, MODE_CITY, MODE_SNAPSHOT };

struct sk_hist {
	const char *dbpath;
	char code[24], city[24];
	int is_city;             /* the office whose repository this is */
	struct sk_repo *repo;
	struct sk_hist_branch b[MAX_BRANCHES];
	int nb;
	int own, central;        /* branch indexes, -1 none */
	int mode;
	char kind[64];           /* "district 96.71.01", "city 96.71" */
	char build_code[24];
	int build_city;
	unsigned char snap_digest[SK_HASH_SIZE];
	int64_t date_ms;         /* MODE_CITY: the point; INT64_MAX none */
	const struct sk_restore_opts *o;
	struct sk_restore_result *res;
	size_t first_bad;        /* district mode: 1 + the first change-set whose digest differed */
	char cpdir[4096];
	int checkpoints;
	size_t since_checkpoint;
	size_t every;            /* change-sets between checkpoints */
	char cp_used[4400];
	char cp_root[21];        /* the full checkpoint the one used was built from */
	char cp_base[21];        /* the checkpoint the database being built is equal to, "" none */
	int cp_base_links;       /* deltas between it and a full checkpoint */
	void *cp_session;        /* sqlite3_session: the rows written since cp_base */
	int cp_schema;           /* schema_version when the session began */
	size_t cp_rows;          /* rows written since then */
	uint64_t cp_chain_bytes; /* the size of the deltas from a full checkpoint to cp_base */
	int index_bad;           /* an index entry did not match the repository: plan again */
};

/* ---- branch.c ---- */
/* Loads the branch from start (a ref or commit) into a new slot, through its index. */
int sk_hist_load_branch(struct sk_hist *r, const char *start, int is_central, int *idx);
void sk_hist_branch_release(struct sk_hist_branch *b);
/* Every district branch the city holds and central / a district's own and central. */
int sk_hist_load_city(struct sk_hist *r);
int sk_hist_load_district(struct sk_hist *r, const char *code);
/* The bytes of change-set i of b, read and checked against its index entry. */
int sk_hist_item_load(struct sk_hist *r, struct sk_hist_branch *b, size_t i);
/* The branch of that origin, or -1; the change-set whose commit starts with commit, or -1. */
int sk_hist_find_origin(struct sk_hist *r, const char *origin);
long sk_hist_find_commit(const struct sk_hist_branch *b, const char *commit);

/* ---- point.c ---- */
/* Sets each branch's target from the point at; fills r->res->point and r->mode. */
int sk_hist_choose(struct sk_hist *r, const char *at, const char *district);
/* ms since the epoch as local time, "2024-02-28 14:00:05 WIT". */
void sk_hist_describe_ms(char *out, size_t n, int64_t ms);

/* ---- checkpoint.c ---- */
/* The checkpoint that covers most of the targets, copied to path; 1 when one was used. */
int sk_hist_cp_use(struct sk_hist *r, const char *path);
/* Copies the database being built (its transaction committed) into the checkpoints: a delta
 * against the checkpoint it last equalled (r->cp_base) when it can, else a full copy. */
int sk_hist_cp_write(struct sk_hist *r, struct sk_db *db);
/* Records, from now on, the rows the database being built writes (for the next delta). */
void sk_hist_cp_track(struct sk_hist *r, struct sk_db *db);
void sk_hist_cp_untrack(struct sk_hist *r);
/* Counts rows written; past what a delta is worth, the recording stops (the next is full). */
void sk_hist_cp_note(struct sk_hist *r, size_t rows);
/* Removes the checkpoint base (.db, .txt, .delta). */
void sk_hist_cp_discard(const char *base);
/* Copies from to the new file to; SK_ECONFLICT when it exists. */
int sk_hist_copy_file(const char *from, const char *to);
/* Removes a database file with its -wal, -shm and -journal. */
void sk_hist_unlink_db(const char *path);

/* ---- restore.c ---- */
/* Opens the office of the database at dbpath: its repository, code and kind. */
int sk_hist_open(struct sk_hist *r, const char *dbpath);
void sk_hist_release(struct sk_hist *r);

#endif

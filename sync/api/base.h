/*
 * api/base.h: errors, memory, hashing and the state digest, progress, files of personal data.
 * Part of sinkron's public API (gathered by sync.h), implemented by the utilities layer.
 */
#ifndef SK_API_BASE_H
#define SK_API_BASE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- errors ---- */
enum {
	SK_OK = 0,
	SK_ERROR = -1,     /* anything else: I/O, SQLite, libgit2 */
	SK_ENOTFOUND = -2, /* no such worker, file, commit, ... */
	SK_ECONFLICT = -3, /* refused by a rule: ownership, one active enrolment, a lock held */
	SK_ENETWORK = -4,  /* the central repository could not be reached in time */
	SK_ECORRUPT = -5,  /* stored or received data fails its checks */
	SK_EINVALID = -6,  /* bad input from a person or a file */
};

const char *sk_error_last(void);
void sk_error_set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void sk_error_clear(void);

/* What a person can do about the last error, set beside its message: the message says what
 * went wrong, and the program puts the remedy in its own words (the command line names a verb
 * or a flag).  A message that quotes the previous one keeps its remedy; any other message, and
 * sk_error_clear, clears it. */
enum sk_remedy {
	SK_DO_NOTHING = 0,          /* the message says it all */
	SK_DO_INIT,                 /* the file is not a database of sinkron's: make one */
	SK_DO_INIT_DISTRICT,        /* no database there: make one for a district */
	SK_DO_INIT_CITY,            /* a city code was given for a district: subject, the code */
	SK_DO_SHOW_CODE,            /* the history shows the code the office was made with */
	SK_DO_REPAIR_CAPTURE,       /* capture was switched off: switch it on, record what changed */
	SK_DO_REPAIR_TRIGGERS,      /* capture's triggers changed: make them again, record what changed */
	SK_DO_REBUILD_LATEST,       /* rebuild the live database at the office's latest state */
	SK_DO_REBUILD_DAMAGED,      /* a damaged file: keep a copy, rebuild it from the history */
	SK_DO_RESTORE_REPLACE,      /* bring the office back from the central repository */
	SK_DO_REPLACE_LIVE,         /* writing over the live database must be asked for */
	SK_DO_RESTORE_WHOLE,        /* a snapshot of the whole office: not for one district */
	SK_DO_UNDO_TO,              /* going back is an undo, recorded as new change-sets */
	SK_DO_UNDO_AT_DISTRICT,     /* the undo runs at the district office */
	SK_DO_QUARANTINE_LIST,      /* the held change-sets are listed */
	SK_DO_DUPLICATES_LIST,      /* the records sharing a NIK are listed */
	SK_DO_EDIT_WORKER,          /* correct the record already registered: subject, its id */
	SK_DO_GIVE_DECISION,        /* a decision's number allows it */
	SK_DO_GIVE_FUNDER,          /* say who pays, one of the funders */
	SK_DO_CHOOSE_FUNDER,        /* choose a funder of the list, or the city adds one */
	SK_DO_ONE_PROGRAMME,        /* a change of who pays: one programme, or all */
	SK_DO_GIVE_FROM,            /* say from when a change holds */
	SK_DO_GIVE_REASON,          /* say why a record ends */
	SK_DO_GIVE_SINCE,           /* say since when */
	SK_DO_OTHER_REJECT_FILE,    /* the reject file needs another name */
	SK_DO_IMPORT_TEMPLATE,      /* a file to import needs the header the template has */
	SK_DO_IMPORT_COLUMNS,       /* the first line must name the columns as the template does */
	SK_DO_EXPORT_COLUMNS,       /* the columns an export knows are listed */
};
enum sk_remedy sk_error_remedy(void);
/* What the remedy applies to (a record's id, a code), "" for nothing in particular. */
const char *sk_error_remedy_subject(void);

/* ---- memory: these abort on out-of-memory, so callers never check for NULL ---- */
void *sk_malloc(size_t n);
void *sk_calloc(size_t nmemb, size_t size);
void *sk_realloc(void *p, size_t n);
char *sk_strdup(const char *s); /* NULL gives NULL */
char *sk_strndup(const char *s, size_t n);
char *sk_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A growable byte buffer with a size cap, so data from a file or the network cannot grow it
 * without bound.  Always NUL-terminated past len.  Growing past cap gives SK_EINVALID. */
struct sk_buf {
	unsigned char *ptr;
	size_t len, alloc, cap;
};
#define SK_BUF_INIT {NULL, 0, 0, (size_t)-1 / 2}
void sk_buf_init(struct sk_buf *b, size_t cap); /* cap 0: unlimited */
void sk_buf_release(struct sk_buf *b);
int sk_buf_grow(struct sk_buf *b, size_t extra);
int sk_buf_put(struct sk_buf *b, const void *data, size_t n);
int sk_buf_puts(struct sk_buf *b, const char *s);
int sk_buf_putc(struct sk_buf *b, int c);
int sk_buf_printf(struct sk_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int sk_buf_put_varint(struct sk_buf *b, uint64_t v); /* LEB128, unsigned */
/* Reads one LEB128 varint at *p (advanced) not past end; SK_ECORRUPT when truncated or > 64 bits. */
int sk_get_varint(uint64_t *out, const unsigned char **p, const unsigned char *end);

/* ---- hashing and the state digest ---- */
#define SK_HASH_SIZE 32
void sk_sha256(unsigned char out[SK_HASH_SIZE], const void *data, size_t len);
/* _init allocates the context and _final, which every _init must reach, frees it. */
struct sk_sha256_ctx {
	struct evp_md_ctx_st *evp; /* libcrypto's EVP_MD_CTX */
};
void sk_sha256_init(struct sk_sha256_ctx *c);
void sk_sha256_update(struct sk_sha256_ctx *c, const void *data, size_t len);
void sk_sha256_final(struct sk_sha256_ctx *c, unsigned char out[SK_HASH_SIZE]);

/* The state digest is the sum modulo 2^256 of the hashes of all rows (read as little-endian
 * 256-bit numbers): order-independent and updated by adding a row's new hash and subtracting
 * its old one. */
void sk_digest_add(unsigned char acc[SK_HASH_SIZE], const unsigned char h[SK_HASH_SIZE]);
void sk_digest_sub(unsigned char acc[SK_HASH_SIZE], const unsigned char h[SK_HASH_SIZE]);
void sk_hex(char *out, const unsigned char *data, size_t n); /* out holds 2n+1 */
int sk_unhex(unsigned char *out, size_t n, const char *hex);  /* SK_EINVALID unless 2n hex digits */

/* ---- progress ---- */
/* Progress of long work: done out of total (total 0: unknown). */
typedef void (*sk_progress_fn)(void *payload, const char *what, uint64_t done, uint64_t total);

/* ---- files of personal data ----
 * Created beside their path under a fresh name with O_EXCL (never through a symlink, never
 * over an existing file), readable by the owner only, and renamed over the path when complete
 * (sk_private_close with ok), else removed. */
struct sk_private_file {
	FILE *f;
	char *path, *tmp;
};
int sk_private_open(struct sk_private_file *pf, const char *path);
int sk_private_close(struct sk_private_file *pf, int ok);
/* 1 when both paths name the same existing file. */
int sk_same_file(const char *a, const char *b);

#endif

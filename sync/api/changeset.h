/*
 * api/changeset.h: change-sets: the records one commit carries, their codec.
 * Part of sinkron's public API (gathered by sync.h), implemented by the engine layer.
 */
#ifndef SK_API_CHANGESET_H
#define SK_API_CHANGESET_H

#include "store.h"

/* ---- values and change-sets ----
 * A change-set is what one commit of a district's (or the city's) branch carries: the changes
 * to rows, per table, with a hybrid logical clock per row change.  The byte format is
 * specified in sync/FORMAT.md; encoding is canonical (the same change-set gives the same bytes). */
enum sk_op { SK_OP_UPSERT = 1, SK_OP_DELETE = 2 };

struct sk_cs_row {
	int op;
	const char *pk;     /* the row's globally unique id */
	uint64_t hlc;       /* clock of this change (see hlc below) */
	uint64_t mask;      /* bit i set: column i of the table's column list is carried in vals[i] */
	struct sk_value *vals; /* ncols entries; those not in mask are SK_NULL and meaningless */
	const char *operator_name; /* who made the change: login or --operator */
	int64_t at;         /* wall clock of the office, ms since epoch, of the latest edit */
	const char *dest;   /* city change-sets only: the district the change is for; else NULL */
};

struct sk_cs_table {
	const char *name;
	int ncols;          /* at most 64 */
	const char **cols;  /* column names, not including the id or hidden columns */
	size_t nrows;
	struct sk_cs_row *rows;
};

#define SK_CS_VERSION 1
struct sk_changeset {
	uint32_t version;
	char origin[24];       /* region code of the writer: "96.71.01", or the city "96.71" */
	uint64_t number;       /* 1, 2, 3 ... along the origin's branch */
	uint64_t seq_first, seq_last; /* the origin's outbox sequence numbers covered */
	uint64_t hlc_min, hlc_max;
	uint64_t hlc_seen;     /* highest clock the origin had received from others when sealing */
	uint32_t flags;        /* SK_CSF_* */
	unsigned char digest[SK_HASH_SIZE]; /* the origin's state digest after this change-set */
	size_t ntables;
	struct sk_cs_table *tables;
	void *arena;           /* owns every string and array above when decoded */
};
#define SK_CSF_CLOCK_AHEAD 1u  /* the origin's wall clock ran ahead of what it had seen */
#define SK_CSF_CLOCK_BEHIND 2u /* the origin's wall clock was set back behind its own clock */

/* Limits the decoder enforces on untrusted input. */
struct sk_cs_limits {
	size_t max_compressed;   /* default 4 MiB */
	size_t max_uncompressed; /* default 64 MiB */
	size_t max_rows;         /* default 1,000,000 */
	size_t max_value;        /* default 1 MiB */
};
#define SK_CS_LIMITS_DEFAULT {4u << 20, 64u << 20, 1000000u, 1u << 20}

/* Encodes cs (tables and rows in the order given: callers sort them canonically, tables by
 * name, rows by pk) into out: header, zlib-compressed body, checksum. */
int sk_changeset_encode(struct sk_buf *out, const struct sk_changeset *cs);
/* Decodes untrusted bytes; SK_ECORRUPT (truncated, bad checksum, bad compression, bomb) or
 * SK_EINVALID (unknown version, limits exceeded) with a message; *out is set only on success
 * and freed with sk_changeset_free().  lim may be NULL for the defaults. */
int sk_changeset_decode(struct sk_changeset **out, const void *data, size_t len,
			const struct sk_cs_limits *lim);
void sk_changeset_free(struct sk_changeset *cs);
/* Total rows of all tables. */
size_t sk_changeset_rows(const struct sk_changeset *cs);

void sk_hlc_format(char *out, size_t n, uint64_t hlc); /* "2024-02-28 09:15:02.123+5" UTC */

#endif

/*
 * api/files.h: CSV import and the exports for BPJS.
 * Part of sinkron's public API (gathered by sync.h), implemented by the register layer.
 */
#ifndef SK_API_FILES_H
#define SK_API_FILES_H

#include "registry.h"

/* ---- CSV import and export ---- */
struct sk_import_opts {
	const char *path;        /* the CSV */
	const char *reject_path; /* NULL: beside it, NAME.rejected.csv */
	const char *funder;      /* enrol each new worker in JKK and JKM paid by this funder; NULL: do not enrol */
	const char *start;       /* first month of those enrolments (NULL: this month) */
	const char *decision;    /* the recorded decision that allows a start further back than the
				    funder's scheme allows, or NULL */
	int dry_run;             /* check and report, change nothing */
	/* each problem found: line of the file, the issue (warning or error) */
	void (*report)(void *payload, long line, const struct sk_issue *issue);
	sk_progress_fn progress;
	void *payload;
};
struct sk_import_result {
	size_t rows, added, updated, unchanged, rejected, warnings, enrolled;
	size_t not_enrolled;     /* registered, but outside the ages the funder's scheme covers */
	char reject_path[4096];  /* "" when no row was rejected */
	int recoded;             /* some rows were read as Windows-1252 */
};
/* Imports the CSV: good rows are added (or, when the NIK is already active in the district,
 * its changed fields are updated), bad rows are reported and written to the reject file,
 * all in one transaction.  Importing the same file again changes nothing. */
int sk_import(struct sk_db *db, const struct sk_import_opts *o, struct sk_import_result *res);
/* Writes the empty template. */
int sk_import_write_template(FILE *f);
/* Writes the CSV for BPJS bulk registration of the active enrolled workers to f (mode all,
 * comma-separated). */
int sk_export(struct sk_db *db, FILE *f, size_t *rows);

/* What goes to BPJS: new (active, not a duplicate, no KPJ yet: to register), ended (enrolments
 * ended, deaths included, from `since` to today: to deregister), all (every active enrolled
 * worker).  A record the city marked as a duplicate never goes.  One row per worker and
 * funder, the heirs with each, in the columns of the table export_columns. */
enum { SK_EXPORT_ALL = 0, SK_EXPORT_NEW = 1, SK_EXPORT_ENDED = 2 };
struct sk_export_opts {
	int mode;
	const char *since;   /* ended: YYYY-MM-DD */
	int comma;           /* CSV with ',' and no BOM; else the Indonesian Excel dialect (';', BOM, CRLF) */
};
/* Where rows go: the heading row first. */
struct sk_export_sink {
	int (*row)(struct sk_export_sink *s, const char *const *v, size_t n);
};
int sk_export_rows(struct sk_db *db, const struct sk_export_opts *o, struct sk_export_sink *sink, size_t *rows);
int sk_export_csv(struct sk_db *db, const struct sk_export_opts *o, FILE *f, size_t *rows);
/* The same as an .xlsx at path (a personal-data file), every cell text. */
int sk_export_xlsx(struct sk_db *db, const struct sk_export_opts *o, const char *path, size_t *rows);
/* The layout's columns in order; the fields a column may name (NULL-terminated). */
int sk_export_columns_each(struct sk_db *db, int (*fn)(void *payload, int pos, const char *header, const char *field),
			   void *payload);
const char *const *sk_export_fields(void);

#endif

/*
 * api/registry.h: workers, heirs, enrolments; the city's desk; what the web pages ask.
 * Part of sinkron's public API (gathered by sync.h), implemented by the register layer.
 */
#ifndef SK_API_REGISTRY_H
#define SK_API_REGISTRY_H

#include "store.h"

/* ---- the registry (what clerks do) ---- */
struct sk_worker {
	char *id, *owner, *nik, *kk, *name, *birth_place, *birth_date, *sex, *address;
	char *kelurahan, *phone, *occupation, *workplace, *status, *ended_on, *end_reason;
	char *kpj, *verified;
	int64_t income;     /* declared monthly income bracket in rupiah; 0 unknown */
};
void sk_worker_release(struct sk_worker *w);

/* One problem found in a record: a field name as the clerk knows it ("NIK") and a reason. */
struct sk_issue {
	int error;          /* 1 error (record refused), 0 warning */
	const char *field;
	char reason[200];
};
#define SK_MAX_ISSUES 16
struct sk_issues {
	int n;
	struct sk_issue v[SK_MAX_ISSUES];
	int dropped;        /* issues left out once v was full: warnings first, an error takes a warning's place */
};
int sk_issues_errors(const struct sk_issues *is);

/* A worker's entry fields as typed or read from a CSV row; NULL means empty. */
struct sk_worker_input {
	const char *nik, *kk, *name, *birth_place, *birth_date, *sex, *address, *kelurahan;
	const char *phone, *occupation, *workplace, *income;
	const char *ttl; /* "Sorong, 12-08-1985": used for place and date when those are empty */
};

/* Registers a new worker at this district after every check (sync/register/validate.h); on success
 * *id_out (owned by the caller) is the new id.  SK_EINVALID with the issues in *is;
 * SK_ECONFLICT when the NIK is already active in the district. */
int sk_worker_add(struct sk_db *db, char **id_out, struct sk_issues *is, const struct sk_worker_input *in);
/* Changes the fields of in that are not NULL on the worker `key` (id or NIK); *changed counts
 * the columns that really changed (0: nothing to do). */
int sk_worker_edit(struct sk_db *db, const char *key, struct sk_issues *is, const struct sk_worker_input *in, int *changed);
/* The reasons an end may give, as a form lists them (NULL-terminated). */
const char *const *sk_end_reasons(void);
/* Ends the worker and its open enrolments on date (NULL: today, never in the future), for reason
 * (one of sk_end_reasons(); its first word is enough). */
int sk_worker_end(struct sk_db *db, const char *key, const char *date, const char *reason);
/* The worker with id or NIK key; released with sk_worker_release(). */
int sk_worker_get(struct sk_db *db, struct sk_worker *out, const char *key);
/* Calls fn for each worker matching query (name, NIK, phone, KPJ or kelurahan name; NULL:
 * all), active ones only unless all; fn returns non-zero to stop. */
int sk_worker_each(struct sk_db *db, const char *query, int all,
		   int (*fn)(void *payload, const struct sk_worker *w), void *payload);

struct sk_heir { const char *id, *name, *nik, *relationship, *phone; };
int sk_heir_add(struct sk_db *db, char **id_out, struct sk_issues *is, const char *worker, const char *name,
		const char *nik, const char *relationship, const char *phone);
int sk_heir_each(struct sk_db *db, const char *worker_id, int (*fn)(void *payload, const struct sk_heir *h), void *payload);

struct sk_enrolment { const char *id, *program, *funder, *decree, *start_on, *end_on; int64_t income;
	const char *decision, *end_reason; };
/* Enrols worker in program (JKK, JKM, JHT) paid by funder from start ("2024-03" or a date);
 * income 0 takes the worker's bracket.  One active enrolment per programme per NIK.  The same
 * as sk_enrolment_add() without a decision and without warnings. */
int sk_enrol(struct sk_db *db, char **id_out, const char *worker, const char *program, const char *funder,
	     const char *decree, const char *start, int64_t income);

struct sk_enrol_input {
	const char *worker;    /* id or NIK */
	const char *program;   /* JKK, JKM, JHT or a sum: JKK+JKM */
	const char *funder;    /* a name from the funders list (sk_funder_each) */
	const char *decree;    /* the decree (SK) that funds it, or NULL */
	const char *start;     /* "2024-03" or a date; NULL: this month */
	const char *decision;  /* the recorded decision that allows a start further back than the
				* scheme allows (a decree number, a minute), or NULL */
	int64_t income;        /* bracket; 0: the scheme's, else the worker's declared one */
};
/* Enrols after the checks of the funder's scheme: the programmes it pays, the ages it covers
 * (outside: refused, or a warning in *is, per scheme), how far back the start may go (further
 * needs in->decision).  *id_out gets the new ids, one a line.  SK_EINVALID with the reason;
 * is may be NULL. */
int sk_enrolment_add(struct sk_db *db, char **id_out, struct sk_issues *is, const struct sk_enrol_input *in);
/* From date `from` ("2024-03" or a date) the worker's enrolments in program (NULL: every open
 * one) are paid by funder (NULL: the same) at bracket income (0: as the scheme says): each open
 * enrolment ends the day before and a new one starts on that day, so the history is kept.
 * *changed counts the enrolments replaced. */
int sk_enrolment_change(struct sk_db *db, const char *worker, const char *program, const char *from,
			const char *funder, int64_t income, const char *decision, size_t *changed);
/* Ends the worker's open enrolment in program on date (NULL: today) for reason; the worker
 * stays registered.  A date in the future is refused. */
int sk_enrolment_end(struct sk_db *db, const char *worker, const char *program, const char *date,
		     const char *reason);
int sk_enrolment_each(struct sk_db *db, const char *worker_id, int (*fn)(void *payload, const struct sk_enrolment *e), void *payload);

/* ---- the city's desk ---- */
/* The city sets a city field ("kpj" or "verified") of the worker key (id or NIK). */
int sk_worker_set_city_field(struct sk_db *db, const char *key, const char *field, const char *value);
/* A KPJ (BPJS participant number) as BPJS gives it: 11 digits.  SK_EINVALID saying why. */
int sk_kpj_check(const char *kpj);
struct sk_kpj_result {
	size_t rows, set, unchanged, unmatched;
};
/* At the city: sets the KPJ of each active worker whose NIK is on a row of the file BPJS
 * returns after a registration (CSV, a NIK and a KPJ column under any title lines), in one
 * transaction.  A row that matches no active worker, has a bad KPJ, or a KPJ another person
 * holds is passed to unmatched (may be NULL) with its line and the reason, and counted. */
int sk_kpj_import(struct sk_db *db, const char *path, struct sk_kpj_result *res,
		  void (*unmatched)(void *payload, long line, const char *nik, const char *kpj, const char *why),
		  void *payload);

struct sk_duplicate {
	const char *id, *owner, *district, *nik, *name, *birth_date, *sex, *kelurahan, *phone, *occupation;
	const char *enrolments; /* "JKK APBD Kota from 2024-01-01; ..." or NULL */
};
/* Every active record whose NIK is active more than once (in two districts or twice in one)
 * and not yet decided, grouped by NIK. */
int sk_duplicates_each(struct sk_db *db, int (*fn)(void *payload, const struct sk_duplicate *d), void *payload);
/* The city keeps keep_id for nik: the other active records get duplicate_of = keep_id, which
 * reaches their districts through the city's next change-set.  *marked counts them. */
int sk_duplicate_decide(struct sk_db *db, const char *nik, const char *keep_id, size_t *marked);

struct sk_receipt {
	int have;                 /* the city has sent one */
	int64_t last_number;      /* the last change-set of this office the city applied */
	int64_t sealed_at, consolidated_at; /* ms: when this office sealed it; when the city applied it */
	char digest[2 * SK_HASH_SIZE + 1];  /* this office's data at the city then */
	int matches;              /* 1 it equals the digest this office recorded for that change-set,
	                           * 0 it differs, -1 nothing to compare */
	int64_t refused_number;   /* a change-set of this office the city refused, 0 none */
	char refused_state[16];   /* "held" (the later ones wait behind it) or "rejected" */
	char *refused_reason;     /* why, in words (NULL when none is refused) */
};
/* The city's last receipt for this district: released by the caller with sk_receipt_release. */
int sk_receipt_get(struct sk_db *db, struct sk_receipt *out);
/* Frees what sk_receipt_get() filled into r (not r itself); a zeroed r is fine. */
void sk_receipt_release(struct sk_receipt *r);

/* ---- for the web pages ---- */
enum { SK_MARK_UNSENT = 0, SK_MARK_SENT = 1, SK_MARK_RECEIVED = 2 };
/* How far the worker id's record (with its heirs and enrolments) has travelled: a change not
 * yet in the central repository, all of it there, or all of it applied by the city. */
int sk_worker_mark(struct sk_db *db, const char *id, int *out);
/* The checks sk_worker_add makes of in, changing nothing: the issues in *is; SK_EINVALID when
 * one is an error.  So a form can show warnings for the clerk to confirm before saving. */
int sk_worker_check(struct sk_db *db, struct sk_issues *is, const struct sk_worker_input *in);
struct sk_history_entry {
	const char *pk;            /* the row: the worker's id, or one of its heirs or enrolments */
	int64_t at;                /* when the change was made, ms (the office's clock) */
	const char *operator_name; /* who made it */
	const char *origin;        /* the office (or the city) whose change-set carries it */
	const char *table;         /* workers, heirs, enrolments */
	const char *fields;        /* the columns it set: "phone, address" */
	int deleted;
	uint64_t number;           /* the change-set's number along its branch */
};
/* Calls fn for each change to the worker id (and its heirs and enrolments) carried by the
 * change-sets of the local repository: this office's, oldest first, then the city's to it (at the
 * city: the owning district's as fetched, then the city's own).
 * Changes not yet sealed are in the outbox, not here.  fn returns non-zero to stop. */
int sk_worker_history(struct sk_db *db, const char *id, int (*fn)(void *payload, const struct sk_history_entry *e),
		      void *payload);

#endif

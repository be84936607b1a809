/*
 * capture.h: the capture and guard triggers of the synced tables and the check that they are
 * intact, inside sync/ (sync.h has the repair the agent calls).
 */
#ifndef SK_CAPTURE_H
#define SK_CAPTURE_H

#include "db.h"

/* Makes again the capture triggers of t (its inserts, updates and deletes recorded in
 * sk_outbox); inside the caller's write transaction. */
int sk_capture_triggers(struct sk_db *db, const struct sk_table *t);
/* Makes the guard triggers when a table has city columns and they are missing or were made by
 * another build, in a transaction of its own; needs db's identity (which side it is). */
int sk_capture_guards_open(struct sk_db *db);
/* At open: makes the capture triggers again when this build's differ, records the fingerprint
 * after sinkron changed the schema (db->migrated), and otherwise checks it. */
int sk_capture_open(struct sk_db *db);
/* Compares the synced tables' columns and the triggers with what sinkron recorded when it made
 * them, and sets or clears db->problem (a few rows of sqlite_schema: cheap enough for every seal). */
void sk_db_check_capture(struct sk_db *db);

#endif

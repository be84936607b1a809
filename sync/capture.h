/*
 * capture.h: the capture triggers of the synced tables, with their guards, and the check that
 * they are intact, inside sync/ (sync.h has the repair the agent calls).
 */
#ifndef SK_CAPTURE_H
#define SK_CAPTURE_H

#include "db.h"

/* Makes again the capture triggers of t (its inserts, updates and deletes recorded in
 * sk_outbox, with the guards once db's identity is known); inside the caller's write transaction. */
int sk_capture_triggers(struct sk_db *db, const struct sk_table *t);
/* Makes every table's capture triggers again, with their guards, when they were made by another
 * build or before the office's identity was known (the guards depend on which side this is), in
 * a transaction of its own. */
int sk_capture_guards_open(struct sk_db *db);
/* At open: makes the capture triggers again when this build's differ, records the fingerprint
 * after sinkron changed the schema (db->migrated), and otherwise checks it. */
int sk_capture_open(struct sk_db *db);
/* Compares the synced tables' columns and the triggers with what sinkron recorded when it made
 * them, and sets or clears db->problem (a few rows of sqlite_schema: cheap enough for every seal). */
void sk_db_check_capture(struct sk_db *db);

#endif

/*
 * agent.h: the verbs of the sinkron program (one file per group, cmd_*.c, called by main.c's
 * verb table) and, through cli.h, what they share.
 */
#ifndef SK_AGENT_H
#define SK_AGENT_H

#include "cli.h"

extern const struct cmd commands[]; /* main.c: the verb table */

int cmd_help(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_worker(int argc, char **argv);
int cmd_heir(int argc, char **argv);
int cmd_enrol(int argc, char **argv);
int cmd_funder(int argc, char **argv);
int cmd_deaths(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_bill(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_seal(int argc, char **argv);
int cmd_log(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_apply(int argc, char **argv);
int cmd_sync(int argc, char **argv);
int cmd_consolidate(int argc, char **argv);
int cmd_quarantine(int argc, char **argv);
int cmd_duplicates(int argc, char **argv);
int cmd_agent(int argc, char **argv);
int cmd_restore(int argc, char **argv);
int cmd_repair(int argc, char **argv);
int cmd_snapshot(int argc, char **argv);
int cmd_snapshots(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_budget(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_user(int argc, char **argv);

#endif

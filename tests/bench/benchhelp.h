/*
 * benchhelp.h: what the benchmark drivers share: a monotonic clock and the process's CPU time in seconds, and removing a
 * database file with the WAL files beside it.
 */
#ifndef SINKRON_BENCHHELP_H
#define SINKRON_BENCHHELP_H

#include <stdio.h>
#include <time.h>
#include <unistd.h>

static inline double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The process's CPU time (user and system) in seconds: steadier than the clock on a busy machine. */
static inline double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline void rm_db(const char *path)
{
	char p[600];
	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

#endif

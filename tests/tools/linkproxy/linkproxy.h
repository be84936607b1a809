/*
 * linkproxy.h: what linkproxy's files share: its command-line options, the faults it injects,
 * and the exits on a runtime failure (status 1) and on bad usage (status 2).
 */
#ifndef LINKPROXY_H
#define LINKPROXY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MSS 1448                /* rate-limited data is timed in packets of this size */

enum fault { FAULT_NONE, FAULT_CUT, FAULT_RESET, FAULT_HOLE };

struct options {
	char *listen_host, *listen_port;
	char *target_host, *target_port;
	uint64_t rate;                  /* bit/s; 0 is unlimited */
	int64_t delay_us, jitter_us;
	bool cut_given;
	uint64_t cut_min, cut_max;
	double cut_prob;
	bool cut_prob_given;
	uint64_t fault_min, fault_max;
	double reset_prob, hole_prob;
	double up_secs, down_secs;      /* fixed schedule when up_secs > 0 */
	double down_fraction, period;   /* random schedule when down_fraction > 0 */
	size_t buffer;
	unsigned max_conns;
	uint64_t seed;
	bool seed_given;
	const char *log_path, *stats_path;
};

/* Fills o from the command line, exiting with status 2 and a message on bad usage (0 after
 * --help); options_release frees the strings it made. */
void parse_args(struct options *o, int argc, char **argv);
void options_release(struct options *o);

void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void *xcalloc(size_t n, size_t size);

#endif

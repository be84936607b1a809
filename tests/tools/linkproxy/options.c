/*
 * options.c: linkproxy's command line: the usage text, the parsing of sizes, rates, durations,
 * ranges and schedules, and the checks between options.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linkproxy.h"

static const char usage_text[] =
"usage: linkproxy --target HOST:PORT [--listen [HOST:]PORT] [options]\n"
"\n"
"A TCP proxy that simulates a bad link between a client and a server on loopback.\n"
"\n"
"  --listen [HOST:]PORT   where to accept clients (default 127.0.0.1:0); port 0 picks a free\n"
"                         port; the port in use is printed on stdout as one line\n"
"  --target HOST:PORT     the server to forward to (required)\n"
"\n"
"Link shape (each direction separately):\n"
"  --rate BITS            bandwidth in bit/s, suffix k (1000) or M (1000000): 256k, 2M\n"
"  --delay MS             one-way latency; --delay 300 gives a 600 ms round trip\n"
"  --jitter MS            each packet waits an extra 0..MS; byte order is always kept\n"
"  --buffer BYTES         bytes held per direction before reading pauses (default 256k)\n"
"\n"
"Faults (at most one per connection, drawn from the seed when it opens; it fires when the\n"
"bytes forwarded in both directions together reach its offset):\n"
"  --reset-prob P         share of connections ended with a TCP RST to both ends\n"
"  --blackhole-prob P     share of connections that go silent: both sockets stay open, nothing\n"
"                         is forwarded any more; closed only when the client closes\n"
"  --fault-after MIN-MAX  where resets and black holes happen (default 0-64k); a connection\n"
"                         that reaches end of stream first gets its fault there instead\n"
"  --cut-after MIN-MAX    close cleanly after MIN..MAX bytes (e.g. 10k-200k); a connection that\n"
"                         ends sooner is not cut\n"
"  --cut-prob P           share of the connections neither reset nor black-holed that get cut\n"
"                         (default 1 with --cut-after)\n"
"\n"
"Outages (while down, new connections are accepted and reset at once; open ones are cut):\n"
"  --schedule up=SECS,down=SECS      up, then down, repeating, starting up\n"
"  --down-fraction F [--period SECS] random up and down spells, down F of the time on\n"
"                                    average, one up+down cycle per SECS (default 60)\n"
"  SIGUSR1 forces the link down until SIGUSR2; SIGUSR2 brings it up and restarts the schedule\n"
"\n"
"Other:\n"
"  --seed N               seed for every random choice (default: from the clock); always\n"
"                         printed to stderr as `linkproxy: seed N`\n"
"  --max-conns N          connections proxied at once (default 256); more are reset\n"
"  --log FILE             one line per event (default stderr) and a summary on exit\n"
"  --stats FILE           rewritten after every connection: connections, bytes_up, bytes_down\n"
"                         (connections accepted, refused ones included; up is client to\n"
"                         server; bytes counted as delivered)\n"
"  --help                 this text\n"
"\n"
"Sizes in bytes take k (1024) or M (1048576). SIGTERM or SIGINT: close everything, write the\n"
"summary and exit 0. Exit 1 on a runtime failure, 2 on bad usage.\n";

static char *xstrndup(const char *s, size_t n)
{
	char *p = xcalloc(1, n + 1);
	memcpy(p, s, n);
	return p;
}

/* ---- argument parsing ---- */

static bool parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

/* A byte count with an optional k (KiB) or M (MiB) suffix. */
static bool parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	uint64_t mult = 1;
	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return false;
	if (*end == 'k' || *end == 'K')
		mult = 1024, end++;
	else if (*end == 'M')
		mult = 1024 * 1024, end++;
	if (*end || v > UINT64_MAX / mult)
		return false;
	*out = v * mult;
	return true;
}

static bool parse_double(const char *s, double lo, double hi, double *out)
{
	char *end;
	double v;
	if (!*s)
		return false;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !(v >= lo && v <= hi))
		return false;
	*out = v;
	return true;
}

/* Bits per second; k and M are decimal, as link speeds are quoted. */
static bool parse_rate(const char *s, uint64_t *out)
{
	char *end;
	double v, mult = 1;
	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtod(s, &end);
	if (errno)
		return false;
	if (*end == 'k' || *end == 'K')
		mult = 1e3, end++;
	else if (*end == 'M')
		mult = 1e6, end++;
	else if (*end == 'G')
		mult = 1e9, end++;
	v *= mult;
	if (*end || !(v >= 1 && v <= 1e12))
		return false;
	*out = (uint64_t)v;
	return true;
}

static bool parse_ms(const char *s, int64_t *out_us)
{
	double ms;
	if (!parse_double(s, 0, 3600e3, &ms))
		return false;
	*out_us = (int64_t)(ms * 1000);
	return true;
}

static bool parse_range(const char *s, uint64_t *lo, uint64_t *hi)
{
	const char *dash = strchr(s, '-');
	char *first;
	bool ok;
	if (!dash)
		return parse_size(s, lo) && (*hi = *lo, true);
	first = xstrndup(s, (size_t)(dash - s));
	ok = parse_size(first, lo) && parse_size(dash + 1, hi) && *lo <= *hi;
	free(first);
	return ok;
}

/* "[HOST:]PORT", "HOST:PORT" or "[v6addr]:PORT"; host stays NULL when absent. */
static bool parse_hostport(const char *s, char **host, char **port)
{
	const char *colon;
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (!close || close[1] != ':' || !close[2])
			return false;
		*host = xstrndup(s + 1, (size_t)(close - s - 1));
		*port = xstrndup(close + 2, strlen(close + 2));
		return true;
	}
	colon = strrchr(s, ':');
	if (!colon) {
		*host = NULL;
		*port = xstrndup(s, strlen(s));
		return *s != '\0';
	}
	if (colon == s || !colon[1])
		return false;
	*host = xstrndup(s, (size_t)(colon - s));
	*port = xstrndup(colon + 1, strlen(colon + 1));
	return true;
}

static bool parse_schedule(const char *s, double *up, double *down)
{
	char *copy = xstrndup(s, strlen(s)), *tok, *save = NULL;
	bool have_up = false, have_down = false, ok = true;
	for (tok = strtok_r(copy, ",", &save); tok && ok; tok = strtok_r(NULL, ",", &save)) {
		if (!strncmp(tok, "up=", 3))
			ok = parse_double(tok + 3, 0.001, 1e7, up), have_up = true;
		else if (!strncmp(tok, "down=", 5))
			ok = parse_double(tok + 5, 0.001, 1e7, down), have_down = true;
		else
			ok = false;
	}
	free(copy);
	return ok && have_up && have_down;
}

static bool is_option(const char *name)
{
	static const char *const names[] = {
		"--listen", "--target", "--rate", "--delay", "--jitter", "--buffer", "--cut-after",
		"--cut-prob", "--reset-prob", "--blackhole-prob", "--fault-after", "--schedule",
		"--down-fraction", "--period", "--seed", "--max-conns", "--log", "--stats",
	};
	size_t i;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

void options_release(struct options *o)
{
	free(o->listen_host);
	free(o->listen_port);
	free(o->target_host);
	free(o->target_port);
}

void parse_args(struct options *o, int argc, char **argv)
{
	bool fault_given = false, period_given = false;
	const char *listen = "127.0.0.1:0";
	int i;

	o->buffer = 256 * 1024;
	o->max_conns = 256;
	o->fault_min = 0;
	o->fault_max = 64 * 1024;
	o->period = 60;

	for (i = 1; i < argc; i++) {
		const char *arg = argv[i], *val = NULL, *eq;
		char name[32];
		uint64_t u;

		if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
			fputs(usage_text, stdout);
			exit(0);
		}
		if (strncmp(arg, "--", 2))
			usage_error("unexpected argument '%s'", arg);
		eq = strchr(arg, '=');
		snprintf(name, sizeof(name), "%.*s", eq ? (int)(eq - arg) : (int)strlen(arg), arg);
		if (!is_option(name))
			usage_error("unknown option '%s'", name);
		if (eq)
			val = eq + 1;
		else if (i + 1 < argc)
			val = argv[++i];
		else
			usage_error("option '%s' needs a value", name);

		if (!strcmp(name, "--listen")) {
			listen = val;
		} else if (!strcmp(name, "--target")) {
			free(o->target_host);
			free(o->target_port);
			if (!parse_hostport(val, &o->target_host, &o->target_port) || !o->target_host)
				usage_error("bad --target '%s', want HOST:PORT", val);
		} else if (!strcmp(name, "--rate")) {
			if (!parse_rate(val, &o->rate))
				usage_error("bad --rate '%s', want bits per second such as 64000, 256k or 2M", val);
		} else if (!strcmp(name, "--delay")) {
			if (!parse_ms(val, &o->delay_us))
				usage_error("bad --delay '%s', want milliseconds", val);
		} else if (!strcmp(name, "--jitter")) {
			if (!parse_ms(val, &o->jitter_us))
				usage_error("bad --jitter '%s', want milliseconds", val);
		} else if (!strcmp(name, "--buffer")) {
			if (!parse_size(val, &u) || u < MSS || u > 64 * 1024 * 1024)
				usage_error("bad --buffer '%s', want %d bytes to 64M", val, MSS);
			o->buffer = (size_t)u;
		} else if (!strcmp(name, "--cut-after")) {
			if (!parse_range(val, &o->cut_min, &o->cut_max))
				usage_error("bad --cut-after '%s', want MIN-MAX bytes", val);
			o->cut_given = true;
		} else if (!strcmp(name, "--cut-prob")) {
			if (!parse_double(val, 0, 1, &o->cut_prob))
				usage_error("bad --cut-prob '%s', want a number from 0 to 1", val);
			o->cut_prob_given = true;
		} else if (!strcmp(name, "--reset-prob")) {
			if (!parse_double(val, 0, 1, &o->reset_prob))
				usage_error("bad --reset-prob '%s', want a number from 0 to 1", val);
		} else if (!strcmp(name, "--blackhole-prob")) {
			if (!parse_double(val, 0, 1, &o->hole_prob))
				usage_error("bad --blackhole-prob '%s', want a number from 0 to 1", val);
		} else if (!strcmp(name, "--fault-after")) {
			if (!parse_range(val, &o->fault_min, &o->fault_max))
				usage_error("bad --fault-after '%s', want MIN-MAX bytes", val);
			fault_given = true;
		} else if (!strcmp(name, "--schedule")) {
			if (!parse_schedule(val, &o->up_secs, &o->down_secs))
				usage_error("bad --schedule '%s', want up=SECS,down=SECS", val);
		} else if (!strcmp(name, "--down-fraction")) {
			if (!parse_double(val, 0, 0.999, &o->down_fraction))
				usage_error("bad --down-fraction '%s', want a number from 0 to below 1", val);
		} else if (!strcmp(name, "--period")) {
			if (!parse_double(val, 0.01, 1e7, &o->period))
				usage_error("bad --period '%s', want seconds", val);
			period_given = true;
		} else if (!strcmp(name, "--seed")) {
			if (!parse_u64(val, &o->seed))
				usage_error("bad --seed '%s', want a non-negative integer", val);
			o->seed_given = true;
		} else if (!strcmp(name, "--max-conns")) {
			if (!parse_u64(val, &u) || u < 1 || u > 4096)
				usage_error("bad --max-conns '%s', want 1 to 4096", val);
			o->max_conns = (unsigned)u;
		} else if (!strcmp(name, "--log")) {
			o->log_path = val;
		} else if (!strcmp(name, "--stats")) {
			o->stats_path = val;
		} else {
			usage_error("unknown option '%s'", name);
		}
	}

	if (!parse_hostport(listen, &o->listen_host, &o->listen_port))
		usage_error("bad --listen '%s', want [HOST:]PORT", listen);
	if (!o->target_host)
		usage_error("--target HOST:PORT is required");
	if (o->cut_prob_given && !o->cut_given)
		usage_error("--cut-prob needs --cut-after");
	if (o->cut_given && !o->cut_prob_given)
		o->cut_prob = 1;
	if (fault_given && o->reset_prob == 0 && o->hole_prob == 0)
		usage_error("--fault-after needs --reset-prob or --blackhole-prob");
	if (o->up_secs > 0 && o->down_fraction > 0)
		usage_error("--schedule and --down-fraction exclude each other");
	if (o->reset_prob + o->hole_prob > 1)
		usage_error("--reset-prob and --blackhole-prob add up to more than 1");
	if (period_given && o->down_fraction == 0)
		usage_error("--period needs --down-fraction");
}

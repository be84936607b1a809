/*
 * netprobe: the servers and clients the end-to-end tests need on a machine that may have no netcat
 * or python: a sink, a source and an echo server, and clients that report bytes moved, time taken
 * and how the connection ended, one key=value line on stdout. Data follows a fixed pattern, so a
 * client also notices bytes that arrive out of order. Usage: netprobe --help.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define PATTERN 251             /* byte k of a stream is k % 251: a prime, so shifts show */

static const char usage_text[] =
"usage: netprobe serve [--listen [HOST:]PORT] (--sink | --echo | --source BYTES)\n"
"       netprobe recv HOST:PORT [--expect BYTES] [--timeout SECS]\n"
"       netprobe send HOST:PORT BYTES [--timeout SECS]\n"
"       netprobe ping HOST:PORT [--count N] [--timeout SECS]\n"
"\n"
"serve   accept connections (one process each) and sink, echo, or send BYTES then close;\n"
"        prints the port on stdout first (port 0 picks one), then per connection\n"
"        `conn received=N sent=N`\n"
"recv    read until the server closes\n"
"send    send BYTES, close the sending side, read until the server closes (an echo server\n"
"        sends them back)\n"
"ping    one-byte round trips through an echo server, N times (default 3)\n"
"\n"
"Clients print `sent=N received=N secs=S bps=R result=R` (ping adds rtt_min_ms, rtt_max_ms)\n"
"where R is ok, eof (closed early), reset, timeout, refused, short (fewer than --expect),\n"
"corrupt (bytes out of order) or error. --timeout is the longest wait with no progress\n"
"(default 30). Exit 0 when the result is ok, 1 otherwise, 2 on bad usage.\n";

struct result {
	uint64_t sent, received;
	double secs;
	const char *how;
	double rtt_min, rtt_max;
	bool ping;
};

static void usage_error(const char *fmt, ...)
{
	va_list ap;
	fputs("netprobe: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\ntry 'netprobe --help'\n", stderr);
	exit(2);
}

static void die(const char *fmt, ...)
{
	va_list ap;
	fputs("netprobe: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static double now_secs(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t parse_count(const char *s, const char *what)
{
	char *end;
	unsigned long long v;
	if (*s < '0' || *s > '9')
		usage_error("bad %s '%s'", what, s);
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		usage_error("bad %s '%s'", what, s);
	return v;
}

static void split_hostport(const char *s, char *host, size_t hsize, char *port, size_t psize)
{
	const char *colon = strrchr(s, ':');
	if (!colon) {
		snprintf(host, hsize, "127.0.0.1");
		snprintf(port, psize, "%s", s);
		return;
	}
	snprintf(host, hsize, "%.*s", (int)(colon - s), s);
	if (host[0] == '[') {
		memmove(host, host + 1, strlen(host));
		host[strcspn(host, "]")] = '\0';
	}
	snprintf(port, psize, "%s", colon + 1);
	if (!host[0] || !port[0])
		usage_error("bad address '%s', want HOST:PORT", s);
}

static void fill_pattern(unsigned char *buf, size_t n, uint64_t offset)
{
	size_t i;
	for (i = 0; i < n; i++)
		buf[i] = (unsigned char)((offset + i) % PATTERN);
}

static bool check_pattern(const unsigned char *buf, size_t n, uint64_t offset)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (buf[i] != (unsigned char)((offset + i) % PATTERN))
			return false;
	return true;
}

/* ---- server ---- */

static void serve_conn(int fd, const char *mode, uint64_t source_bytes)
{
	unsigned char buf[65536];
	uint64_t received = 0, sent = 0;
	ssize_t r;

	alarm(300);     /* a stuck peer (a black-holed test) must not keep this process for ever */
	if (!strcmp(mode, "source")) {
		while (sent < source_bytes) {
			size_t n = source_bytes - sent < sizeof(buf) ? (size_t)(source_bytes - sent) : sizeof(buf);
			fill_pattern(buf, n, sent);
			r = send(fd, buf, n, MSG_NOSIGNAL);
			if (r <= 0)
				break;
			sent += (uint64_t)r;
		}
		shutdown(fd, SHUT_WR);
	}
	for (;;) {
		r = recv(fd, buf, sizeof(buf), 0);
		if (r <= 0)
			break;
		received += (uint64_t)r;
		if (!strcmp(mode, "echo")) {
			ssize_t off = 0;
			while (off < r) {
				ssize_t w = send(fd, buf + off, (size_t)(r - off), MSG_NOSIGNAL);
				if (w <= 0)
					goto done;
				off += w;
			}
			sent += (uint64_t)r;
		}
	}
	if (!strcmp(mode, "echo"))
		shutdown(fd, SHUT_WR);
done:
	printf("conn received=%" PRIu64 " sent=%" PRIu64 "\n", received, sent);
	fflush(stdout);
	close(fd);
}

static int serve(int argc, char **argv)
{
	const char *listen_at = "127.0.0.1:0", *mode = NULL;
	char host[256], port[32];
	uint64_t source_bytes = 0;
	struct addrinfo hints = { 0 }, *res;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int i, fd, one = 1, err;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--listen") && i + 1 < argc)
			listen_at = argv[++i];
		else if (!strcmp(argv[i], "--sink"))
			mode = "sink";
		else if (!strcmp(argv[i], "--echo"))
			mode = "echo";
		else if (!strcmp(argv[i], "--source") && i + 1 < argc)
			mode = "source", source_bytes = parse_count(argv[++i], "--source");
		else
			usage_error("serve: unexpected argument '%s'", argv[i]);
	}
	if (!mode)
		usage_error("serve needs --sink, --echo or --source BYTES");
	split_hostport(listen_at, host, sizeof(host), port, sizeof(port));

	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	if ((err = getaddrinfo(host, port, &hints, &res)))
		usage_error("cannot resolve '%s': %s", listen_at, gai_strerror(err));
	fd = socket(res->ai_family, res->ai_socktype, res->ai_protocol);
	if (fd < 0)
		die("cannot create a socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, res->ai_addr, res->ai_addrlen) || listen(fd, 128))
		die("cannot listen on '%s': %s", listen_at, strerror(errno));
	freeaddrinfo(res);
	if (getsockname(fd, (struct sockaddr *)&ss, &sl))
		die("cannot read listening address: %s", strerror(errno));
	printf("%u\n", ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
		: ((struct sockaddr_in *)&ss)->sin_port));
	fflush(stdout);

	signal(SIGCHLD, SIG_IGN);       /* children are never waited for */
	signal(SIGPIPE, SIG_IGN);
	for (;;) {
		int c = accept(fd, NULL, NULL);
		pid_t pid;
		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			die("cannot accept: %s", strerror(errno));
		}
		pid = fork();
		if (pid == 0) {
			close(fd);
			serve_conn(c, mode, source_bytes);
			_exit(0);
		}
		if (pid < 0)
			fprintf(stderr, "netprobe: cannot fork: %s\n", strerror(errno));
		close(c);
	}
}

/* ---- clients ---- */

static const char *errno_how(int err)
{
	if (err == ECONNRESET || err == EPIPE)
		return "reset";
	if (err == ECONNREFUSED)
		return "refused";
	if (err == ETIMEDOUT)
		return "timeout";
	return "error";
}

static int dial(const char *addr, struct result *res)
{
	char host[256], port[32];
	struct addrinfo hints = { 0 }, *ai;
	int fd, err, one = 1;

	split_hostport(addr, host, sizeof(host), port, sizeof(port));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((err = getaddrinfo(host, port, &hints, &ai)))
		usage_error("cannot resolve '%s': %s", addr, gai_strerror(err));
	fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
	if (fd < 0)
		die("cannot create a socket: %s", strerror(errno));
	if (connect(fd, ai->ai_addr, ai->ai_addrlen)) {
		res->how = errno_how(errno);
		close(fd);
		fd = -1;
	} else {
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	}
	freeaddrinfo(ai);
	return fd;
}

/*
 * Send `to_send` pattern bytes (then half-close) while reading everything the server sends, until
 * it closes, fails, or stays silent for `timeout` seconds.
 */
static void transfer(int fd, uint64_t to_send, bool half_close, double timeout, struct result *res)
{
	unsigned char out[16384], in[65536];
	bool shut = !half_close;
	double last = now_secs();

	for (;;) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		int wait_ms;
		ssize_t r;

		if (res->sent < to_send)
			pfd.events |= POLLOUT;
		else if (!shut) {
			shutdown(fd, SHUT_WR);
			shut = true;
		}
		wait_ms = (int)((last + timeout - now_secs()) * 1000) + 1;
		if (wait_ms <= 0 || poll(&pfd, 1, wait_ms) == 0) {
			res->how = "timeout";
			return;
		}
		if (pfd.revents & POLLOUT) {
			size_t n = to_send - res->sent < sizeof(out) ? (size_t)(to_send - res->sent) : sizeof(out);
			fill_pattern(out, n, res->sent);
			r = send(fd, out, n, MSG_NOSIGNAL);
			if (r < 0 && errno != EAGAIN && errno != EINTR) {
				res->how = errno_how(errno);
				return;
			}
			if (r > 0) {
				res->sent += (uint64_t)r;
				last = now_secs();
			}
		}
		if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) {
			r = recv(fd, in, sizeof(in), 0);
			if (r == 0) {
				res->how = "ok";
				return;
			}
			if (r < 0) {
				if (errno == EAGAIN || errno == EINTR)
					continue;
				res->how = errno_how(errno);
				return;
			}
			if (!check_pattern(in, (size_t)r, res->received)) {
				res->how = "corrupt";
				return;
			}
			res->received += (uint64_t)r;
			last = now_secs();
		}
	}
}

static void ping(int fd, uint64_t count, double timeout, struct result *res)
{
	uint64_t i;
	res->ping = true;
	res->rtt_min = 1e9;
	for (i = 0; i < count; i++) {
		unsigned char b = (unsigned char)(i % PATTERN), back;
		struct pollfd pfd = { fd, POLLIN, 0 };
		double t0 = now_secs(), rtt;
		ssize_t r;
		if (send(fd, &b, 1, MSG_NOSIGNAL) != 1) {
			res->how = errno_how(errno);
			return;
		}
		res->sent++;
		if (poll(&pfd, 1, (int)(timeout * 1000)) == 0) {
			res->how = "timeout";
			return;
		}
		r = recv(fd, &back, 1, 0);
		if (r <= 0) {
			res->how = r == 0 ? "eof" : errno_how(errno);
			return;
		}
		if (back != b) {
			res->how = "corrupt";
			return;
		}
		res->received++;
		rtt = (now_secs() - t0) * 1000;
		if (rtt < res->rtt_min)
			res->rtt_min = rtt;
		if (rtt > res->rtt_max)
			res->rtt_max = rtt;
	}
	res->how = "ok";
}

static int client(const char *verb, int argc, char **argv)
{
	struct result res = { 0 };
	const char *addr = NULL;
	uint64_t bytes = 0, count = 3, expect = 0;
	bool have_bytes = false, have_expect = false;
	double timeout = 30, t0;
	int i, fd;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--timeout") && i + 1 < argc) {
			char *end;
			timeout = strtod(argv[++i], &end);
			if (*end || !(timeout > 0))
				usage_error("bad --timeout '%s'", argv[i]);
		} else if (!strcmp(argv[i], "--count") && i + 1 < argc && !strcmp(verb, "ping")) {
			count = parse_count(argv[++i], "--count");
		} else if (!strcmp(argv[i], "--expect") && i + 1 < argc && !strcmp(verb, "recv")) {
			expect = parse_count(argv[++i], "--expect");
			have_expect = true;
		} else if (argv[i][0] == '-') {
			usage_error("%s: unexpected argument '%s'", verb, argv[i]);
		} else if (!addr) {
			addr = argv[i];
		} else if (!strcmp(verb, "send") && !have_bytes) {
			bytes = parse_count(argv[i], "BYTES");
			have_bytes = true;
		} else {
			usage_error("%s: unexpected argument '%s'", verb, argv[i]);
		}
	}
	if (!addr || (!strcmp(verb, "send") && !have_bytes))
		usage_error("%s: missing arguments", verb);

	signal(SIGPIPE, SIG_IGN);
	t0 = now_secs();
	fd = dial(addr, &res);
	if (fd >= 0) {
		if (!strcmp(verb, "ping"))
			ping(fd, count, timeout, &res);
		else
			transfer(fd, bytes, !strcmp(verb, "send"), timeout, &res);
		close(fd);
	}
	res.secs = now_secs() - t0;
	if (!strcmp(res.how, "ok") && have_expect && res.received < expect)
		res.how = "short";
	printf("sent=%" PRIu64 " received=%" PRIu64 " secs=%.3f bps=%.0f", res.sent, res.received,
		res.secs, res.secs > 0 ? (double)res.received * 8 / res.secs : 0.0);
	if (res.ping && res.received)
		printf(" rtt_min_ms=%.1f rtt_max_ms=%.1f", res.rtt_min, res.rtt_max);
	printf(" result=%s\n", res.how);
	return strcmp(res.how, "ok") ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		usage_error("missing command");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (!strcmp(argv[1], "serve"))
		return serve(argc - 2, argv + 2);
	if (!strcmp(argv[1], "recv") || !strcmp(argv[1], "send") || !strcmp(argv[1], "ping"))
		return client(argv[1], argc - 2, argv + 2);
	usage_error("unknown command '%s'", argv[1]);
	return 2;
}

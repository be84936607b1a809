/*
 * linkproxy: a TCP proxy that behaves like a bad wide-area link, for end-to-end tests and demos:
 * limited rate, latency with jitter, connections cut, reset or black-holed part-way, a link that
 * goes down on a schedule or on a signal. One thread, one poll() loop; every random choice comes
 * from a printed seed, so `--seed N` replays a run. Usage: linkproxy --help.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
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

#include "linkproxy/linkproxy.h"

#define QUEUE_US 50000          /* how far a direction may read ahead of its simulated wire */
#define SEG_MAX 512             /* timed segments queued per direction; reading pauses when full */
#define ACCEPT_BURST 64
#define NEVER INT64_MAX

static const char *const fault_names[] = { "none", "cut", "reset", "blackhole" };

struct seg {
	size_t len;
	int64_t due;                    /* when these bytes may be written to the destination */
};

/* One direction of a connection: bytes read from the source, waiting for their time to be written. */
struct dir {
	unsigned char *buf;
	size_t cap, head, len;
	struct seg segs[SEG_MAX];
	unsigned seg_head, seg_count;
	int64_t wire_free;              /* when the simulated wire has sent everything it holds */
	int64_t last_due;
	int64_t eof_due;
	uint64_t delivered;
	bool eof, shut, hup;
};

struct conn {
	unsigned id;
	int cfd, sfd;
	bool connecting, holed, server_gone, dead;
	struct dir up, down;            /* up: client to server */
	enum fault fault;
	uint64_t fault_at;
	uint64_t jitter_rng;
	int64_t opened;
};

struct proxy {
	struct options opt;
	struct addrinfo *target;
	int lfd;
	FILE *log;
	int64_t start;
	struct conn **conns;
	unsigned nconns;
	bool link_up, forced_down;
	int64_t next_switch;            /* NEVER without a schedule */
	uint64_t sched_rng;
	int64_t accept_pause_until;
	uint64_t accepted, refused, cuts, resets, holes, failed, closed;
	uint64_t bytes_up, bytes_down;
};

static volatile sig_atomic_t got_term, got_down, got_up;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		got_down = 1;
	else if (sig == SIGUSR2)
		got_up = 1;
	else
		got_term = 1;
}

void die(const char *fmt, ...)
{
	va_list ap;
	fputs("linkproxy: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

void usage_error(const char *fmt, ...)
{
	va_list ap;
	fputs("linkproxy: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\ntry 'linkproxy --help'\n", stderr);
	exit(2);
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);
	if (!p)
		die("out of memory");
	return p;
}

static int64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double rng_unit(uint64_t *state)
{
	return (double)(splitmix64(state) >> 11) * (1.0 / 9007199254740992.0);
}

static uint64_t rng_range(uint64_t *state, uint64_t lo, uint64_t hi)
{
	uint64_t r = splitmix64(state);
	if (hi <= lo)
		return lo;
	if (hi - lo == UINT64_MAX)
		return r;
	return lo + r % (hi - lo + 1);
}

/* ---- logging and counters ---- */

static void plog(struct proxy *p, const char *fmt, ...)
{
	va_list ap;
	if (p->log == stderr)
		fputs("linkproxy: ", stderr);
	fprintf(p->log, "%.3f ", (double)(now_us() - p->start) / 1e6);
	va_start(ap, fmt);
	vfprintf(p->log, fmt, ap);
	va_end(ap);
	fputc('\n', p->log);
	fflush(p->log);
}

/* Written to a temporary name and renamed, so a reader never sees half a file. */
static void stats_write(struct proxy *p)
{
	char tmp[4096];
	FILE *f;
	if (!p->opt.stats_path)
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp", p->opt.stats_path);
	f = fopen(tmp, "w");
	if (!f) {
		plog(p, "cannot write '%s': %s", tmp, strerror(errno));
		return;
	}
	fprintf(f, "connections %" PRIu64 "\nbytes_up %" PRIu64 "\nbytes_down %" PRIu64 "\n",
		p->accepted, p->bytes_up, p->bytes_down);
	if (fclose(f) || rename(tmp, p->opt.stats_path))
		plog(p, "cannot write '%s': %s", p->opt.stats_path, strerror(errno));
}

static void summary(struct proxy *p)
{
	plog(p, "summary connections=%" PRIu64 " refused=%" PRIu64 " closed=%" PRIu64 " cut=%" PRIu64
		" reset=%" PRIu64 " blackhole=%" PRIu64 " failed=%" PRIu64 " bytes_up=%" PRIu64
		" bytes_down=%" PRIu64, p->accepted, p->refused, p->closed, p->cuts, p->resets, p->holes,
		p->failed, p->bytes_up, p->bytes_down);
}

/* ---- sockets ---- */

static void set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, fl | O_NONBLOCK);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
}

static void set_nodelay(int fd)
{
	int one = 1;
	/* Nagle would add its own delays on top of the ones simulated here. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static void close_rst(int fd)
{
	struct linger lg = { 1, 0 };
	if (fd < 0)
		return;
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
}

static void close_clean(int fd)
{
	char junk[16384];
	int i;
	if (fd < 0)
		return;
	/* Unread data at close() makes the kernel send RST; a cut must look like a clean FIN. */
	for (i = 0; i < 64; i++)
		if (recv(fd, junk, sizeof(junk), MSG_DONTWAIT) <= 0)
			break;
	shutdown(fd, SHUT_RDWR);
	close(fd);
}

static void addr_text(const struct sockaddr *sa, char *out, size_t size)
{
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		port = ntohs(in->sin_port);
		snprintf(out, size, "%s:%u", host, port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		port = ntohs(in6->sin6_port);
		snprintf(out, size, "[%s]:%u", host, port);
	} else {
		snprintf(out, size, "?");
	}
}

static int listen_socket(const char *host, const char *port, unsigned *out_port)
{
	struct addrinfo hints = { 0 }, *res, *ai;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int fd = -1, err, one = 1, saved = 0;

	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	err = getaddrinfo(host ? host : "127.0.0.1", port, &hints, &res);
	if (err)
		usage_error("cannot resolve listen address '%s': %s", host ? host : "127.0.0.1", gai_strerror(err));
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd < 0) {
			saved = errno;
			continue;
		}
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (!bind(fd, ai->ai_addr, ai->ai_addrlen) && !listen(fd, 128))
			break;
		saved = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		die("cannot listen on '%s:%s': %s", host ? host : "127.0.0.1", port, strerror(saved));
	set_nonblock(fd);
	if (getsockname(fd, (struct sockaddr *)&ss, &sl))
		die("cannot read listening address: %s", strerror(errno));
	*out_port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
		: ((struct sockaddr_in *)&ss)->sin_port);
	return fd;
}

/* ---- one direction ---- */

static void dir_init(struct dir *d, size_t cap)
{
	d->buf = xcalloc(1, cap);
	d->cap = cap;
}

static struct seg *dir_seg(struct dir *d, unsigned i)
{
	return &d->segs[(d->seg_head + i) % SEG_MAX];
}

/* How many bytes the direction may read now; 0 pauses reading, so the sender feels backpressure. */
static size_t dir_room(const struct dir *d, const struct options *o, int64_t now)
{
	size_t room;
	int64_t backlog;
	if (d->eof || d->seg_count >= SEG_MAX - 1)
		return 0;
	room = d->cap - d->len;
	if (o->rate) {
		/* Reading only just ahead of the wire leaves the rest queued in the sender's kernel. */
		backlog = d->wire_free > now ? d->wire_free - now : 0;
		if (backlog >= QUEUE_US)
			return 0;
		size_t ahead = (size_t)((double)(QUEUE_US - backlog) * (double)o->rate / 8e6) + MSS;
		if (ahead < room)
			room = ahead;
	}
	return room;
}

static void dir_push_seg(struct dir *d, size_t len, int64_t due, int64_t now)
{
	struct seg *last = d->seg_count ? dir_seg(d, d->seg_count - 1) : NULL;
	if (due < d->last_due)
		due = d->last_due;      /* order within a connection is kept whatever the jitter */
	d->last_due = due;
	if (last && (last->due == due || (last->due <= now && due <= now))) {
		last->len += len;
		return;
	}
	d->segs[(d->seg_head + d->seg_count) % SEG_MAX] = (struct seg){ len, due };
	d->seg_count++;
}

/* Time n fresh bytes: serialised on the wire at the rate, then the latency and a jitter draw. */
static void dir_arrive(struct dir *d, const struct options *o, uint64_t *rng, size_t n, int64_t now)
{
	while (n > 0) {
		size_t len = o->rate && n > MSS ? MSS : n;
		int64_t done = now, jitter = 0;
		if (o->rate) {
			int64_t start = d->wire_free > now ? d->wire_free : now;
			done = start + (int64_t)((double)len * 8e6 / (double)o->rate);
			d->wire_free = done;
		}
		if (o->jitter_us)
			jitter = (int64_t)rng_range(rng, 0, (uint64_t)o->jitter_us);
		dir_push_seg(d, len, done + o->delay_us + jitter, now);
		n -= len;
	}
}

static size_t dir_due_bytes(const struct dir *d, int64_t now)
{
	size_t n = 0;
	unsigned i;
	for (i = 0; i < d->seg_count; i++) {
		const struct seg *s = &d->segs[(d->seg_head + i) % SEG_MAX];
		if (s->due > now)
			break;
		n += s->len;
	}
	return n;
}

static void dir_consume(struct dir *d, size_t n)
{
	d->head += n;
	d->len -= n;
	d->delivered += n;
	while (n > 0) {
		struct seg *s = dir_seg(d, 0);
		size_t take = s->len < n ? s->len : n;
		s->len -= take;
		n -= take;
		if (s->len == 0) {
			d->seg_head = (d->seg_head + 1) % SEG_MAX;
			d->seg_count--;
		}
	}
	if (d->len == 0)
		d->head = 0;
}

static void dir_drop(struct dir *d)
{
	d->head = d->len = 0;
	d->seg_head = d->seg_count = 0;
}

static void dir_release(struct dir *d)
{
	free(d->buf);
	d->buf = NULL;
}

/* ---- connections ---- */

static uint64_t conn_total(const struct conn *c)
{
	return c->up.delivered + c->down.delivered;
}

static void conn_end(struct proxy *p, struct conn *c, const char *how, bool rst)
{
	if (c->dead)
		return;
	if (rst) {
		close_rst(c->cfd);
		close_rst(c->sfd);
	} else {
		close_clean(c->cfd);
		close_clean(c->sfd);
	}
	c->cfd = c->sfd = -1;
	c->dead = true;
	p->closed++;
	plog(p, "#%u close how=%s up=%" PRIu64 " down=%" PRIu64 " secs=%.3f", c->id, how,
		c->up.delivered, c->down.delivered, (double)(now_us() - c->opened) / 1e6);
	stats_write(p);
}

static void conn_error(struct proxy *p, struct conn *c, const char *what, int err)
{
	plog(p, "#%u error %s: %s", c->id, what, strerror(err));
	/* An error on one side reaches the other as a reset, as it would across a real network. */
	conn_end(p, c, "error", true);
}

static void conn_fire(struct proxy *p, struct conn *c)
{
	plog(p, "#%u %s at=%" PRIu64 " up=%" PRIu64 " down=%" PRIu64, c->id, fault_names[c->fault],
		c->fault_at, c->up.delivered, c->down.delivered);
	switch (c->fault) {
	case FAULT_CUT:
		p->cuts++;
		conn_end(p, c, "cut", false);
		break;
	case FAULT_RESET:
		p->resets++;
		conn_end(p, c, "reset", true);
		break;
	case FAULT_HOLE:
		p->holes++;
		c->holed = true;
		dir_drop(&c->up);
		dir_drop(&c->down);
		break;
	case FAULT_NONE:
		break;
	}
}

/*
 * The fault is drawn at open from the connection's own stream, so timing never shifts a replay.
 * Reset and black hole exclude each other and come first, so their shares are what was asked for.
 */
static void conn_plan(struct proxy *p, struct conn *c)
{
	const struct options *o = &p->opt;
	uint64_t rng = o->seed ^ ((uint64_t)c->id * 0xd1b54a32d192ed03ULL);
	double u_fate = rng_unit(&rng), u_cut = rng_unit(&rng);
	uint64_t at_fault = rng_range(&rng, o->fault_min, o->fault_max);
	uint64_t at_cut = rng_range(&rng, o->cut_min, o->cut_max);

	c->jitter_rng = splitmix64(&rng);
	c->fault = FAULT_NONE;
	c->fault_at = UINT64_MAX;
	if (u_fate < o->reset_prob)
		c->fault = FAULT_RESET, c->fault_at = at_fault;
	else if (u_fate < o->reset_prob + o->hole_prob)
		c->fault = FAULT_HOLE, c->fault_at = at_fault;
	else if (o->cut_given && u_cut < o->cut_prob)
		c->fault = FAULT_CUT, c->fault_at = at_cut;
}

static void conn_open(struct proxy *p, int cfd, const struct sockaddr *peer, unsigned id, int64_t now)
{
	struct conn *c = xcalloc(1, sizeof(*c));
	const struct addrinfo *t = p->target;
	char from[80], plan[64];

	c->id = id;
	c->cfd = cfd;
	c->opened = now;
	dir_init(&c->up, p->opt.buffer);
	dir_init(&c->down, p->opt.buffer);
	conn_plan(p, c);
	addr_text(peer, from, sizeof(from));
	if (c->fault == FAULT_NONE)
		snprintf(plan, sizeof(plan), "none");
	else
		snprintf(plan, sizeof(plan), "%s@%" PRIu64, fault_names[c->fault], c->fault_at);
	plog(p, "#%u open from=%s plan=%s", id, from, plan);
	p->conns[p->nconns++] = c;
	set_nodelay(cfd);

	c->sfd = socket(t->ai_family, t->ai_socktype, t->ai_protocol);
	if (c->sfd < 0) {
		p->failed++;
		conn_error(p, c, "socket", errno);
		return;
	}
	set_nonblock(c->sfd);
	set_nodelay(c->sfd);
	if (connect(c->sfd, t->ai_addr, t->ai_addrlen) == 0)
		return;
	if (errno == EINPROGRESS) {
		c->connecting = true;
		return;
	}
	p->failed++;
	conn_error(p, c, "connect to target", errno);
}

static void conn_connected(struct proxy *p, struct conn *c)
{
	int err = 0;
	socklen_t len = sizeof(err);
	if (getsockopt(c->sfd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err == EINPROGRESS || err == EALREADY)
		return;
	if (err) {
		p->failed++;
		conn_error(p, c, "connect to target", err);
		return;
	}
	c->connecting = false;
}

static void conn_read(struct proxy *p, struct conn *c, struct dir *d, int fd, int64_t now)
{
	size_t room = dir_room(d, &p->opt, now), tail;
	ssize_t r;

	if (room == 0 || c->dead)
		return;
	tail = d->cap - d->head - d->len;
	if (tail < room && tail < 4096) {
		memmove(d->buf, d->buf + d->head, d->len);
		d->head = 0;
		tail = d->cap - d->len;
	}
	if (room > tail)
		room = tail;
	r = recv(fd, d->buf + d->head + d->len, room, MSG_DONTWAIT);
	if (r > 0) {
		d->len += (size_t)r;
		dir_arrive(d, &p->opt, &c->jitter_rng, (size_t)r, now);
	} else if (r == 0) {
		d->eof = true;
		/* The FIN travels the same link, behind the last byte. */
		d->eof_due = now + p->opt.delay_us > d->last_due ? now + p->opt.delay_us : d->last_due;
	} else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
		conn_error(p, c, fd == c->cfd ? "reading from client" : "reading from server", errno);
	}
}

static int dir_flush(struct proxy *p, struct conn *c, struct dir *d, int fd, int64_t now)
{
	size_t n = dir_due_bytes(d, now);
	ssize_t w;
	if (c->fault != FAULT_NONE && n > c->fault_at - conn_total(c))
		n = (size_t)(c->fault_at - conn_total(c));
	if (n == 0)
		return 0;
	w = send(fd, d->buf + d->head, n, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (w < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -errno;
	dir_consume(d, (size_t)w);
	if (d == &c->up)
		p->bytes_up += (uint64_t)w;
	else
		p->bytes_down += (uint64_t)w;
	return 0;
}

/* Pass a FIN on once its time has come; returns true when the direction is finished. */
static bool dir_finish(struct proxy *p, struct conn *c, struct dir *d, int fd, int64_t now)
{
	if (d->shut)
		return true;
	if (!d->eof || d->len > 0 || now < d->eof_due)
		return false;
	if (c->fault == FAULT_RESET || c->fault == FAULT_HOLE) {
		/* Otherwise a fault planned beyond a short exchange would never happen. */
		c->fault_at = conn_total(c);
		conn_fire(p, c);
		return false;
	}
	shutdown(fd, SHUT_WR);
	d->shut = true;
	return true;
}

/* Move whatever is due; called every loop turn for every connection. */
static void conn_pump(struct proxy *p, struct conn *c, int64_t now)
{
	int err;
	bool up_done, down_done;

	if (c->dead || c->holed)
		return;
	if (c->fault != FAULT_NONE && conn_total(c) >= c->fault_at) {
		conn_fire(p, c);
		return;
	}
	if (c->connecting)
		return;
	if ((err = dir_flush(p, c, &c->up, c->sfd, now)) < 0) {
		conn_error(p, c, "writing to server", -err);
		return;
	}
	if ((err = dir_flush(p, c, &c->down, c->cfd, now)) < 0) {
		conn_error(p, c, "writing to client", -err);
		return;
	}
	if (c->fault != FAULT_NONE && conn_total(c) >= c->fault_at) {
		conn_fire(p, c);
		return;
	}
	up_done = dir_finish(p, c, &c->up, c->sfd, now);
	if (c->dead || c->holed)
		return;
	down_done = dir_finish(p, c, &c->down, c->cfd, now);
	if (c->dead || c->holed)
		return;
	if (up_done && down_done)
		conn_end(p, c, "eof", false);
}

/* The earliest moment this connection needs attention without any socket event. */
static int64_t conn_deadline(const struct proxy *p, const struct conn *c, int64_t now)
{
	const struct dir *dirs[2] = { &c->up, &c->down };
	int64_t t = NEVER;
	int i;
	if (c->dead || c->holed || c->connecting)
		return NEVER;
	for (i = 0; i < 2; i++) {
		const struct dir *d = dirs[i];
		if (d->seg_count && d->segs[d->seg_head].due > now && d->segs[d->seg_head].due < t)
			t = d->segs[d->seg_head].due;
		if (d->eof && !d->shut && d->len == 0 && d->eof_due > now && d->eof_due < t)
			t = d->eof_due;
		if (!d->eof && p->opt.rate && d->wire_free - now >= QUEUE_US && d->wire_free - QUEUE_US + 1 < t)
			t = d->wire_free - QUEUE_US + 1;
	}
	return t;
}

static void conn_poll_fds(const struct proxy *p, const struct conn *c, struct pollfd *cp, struct pollfd *sp,
	int64_t now)
{
	cp->fd = c->cfd;
	sp->fd = c->sfd;
	cp->events = sp->events = 0;
	cp->revents = sp->revents = 0;
	if (c->dead) {
		cp->fd = sp->fd = -1;
		return;
	}
	if (c->holed) {
		cp->events = POLLRDHUP;
		if (c->server_gone)
			sp->fd = -1;
		else
			sp->events = POLLRDHUP;
		return;
	}
	if (dir_room(&c->up, &p->opt, now))
		cp->events |= POLLIN;
	if (c->connecting) {
		sp->events = POLLOUT;
		return;
	}
	if (dir_room(&c->down, &p->opt, now))
		sp->events |= POLLIN;
	/* Due bytes still held after this turn's write attempt mean the socket was full. */
	if (dir_due_bytes(&c->up, now))
		sp->events |= POLLOUT;
	if (dir_due_bytes(&c->down, now))
		cp->events |= POLLOUT;
	/* A hung-up socket reports POLLHUP for ever; ignore it while there is nothing to read into. */
	if (c->up.hup && !(cp->events & POLLIN))
		cp->fd = -1;
	if (c->down.hup && !(sp->events & POLLIN))
		sp->fd = -1;
}

/* A reset from one peer must reach the other even when neither direction is reading or writing. */
static bool conn_sock_error(struct proxy *p, struct conn *c, int fd, const char *who)
{
	int err = 0;
	socklen_t len = sizeof(err);
	char what[32];
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err == 0)
		return false;
	snprintf(what, sizeof(what), "from %s", who);
	conn_error(p, c, what, err);
	return true;
}

static void conn_events(struct proxy *p, struct conn *c, short cre, short sre, int64_t now)
{
	if (c->dead)
		return;
	if (c->holed) {
		if (cre & (POLLRDHUP | POLLHUP | POLLERR))
			conn_end(p, c, "blackhole", false);
		else if (sre & (POLLRDHUP | POLLHUP | POLLERR))
			c->server_gone = true;
		return;
	}
	if (c->connecting && sre) {
		conn_connected(p, c);
		sre = 0;
		if (c->dead)
			return;
	}
	if ((cre & POLLERR) && conn_sock_error(p, c, c->cfd, "client"))
		return;
	if ((sre & POLLERR) && conn_sock_error(p, c, c->sfd, "server"))
		return;
	if (cre & POLLHUP)
		c->up.hup = true;
	if (sre & POLLHUP)
		c->down.hup = true;
	if (cre & (POLLIN | POLLHUP | POLLERR))
		conn_read(p, c, &c->up, c->cfd, now);
	if (!c->dead && !c->connecting && (sre & (POLLIN | POLLHUP | POLLERR)))
		conn_read(p, c, &c->down, c->sfd, now);
}

static void conn_free(struct conn *c)
{
	if (!c)
		return;
	dir_release(&c->up);
	dir_release(&c->down);
	free(c);
}

/* ---- the link's up and down spells ---- */

static double exp_draw(uint64_t *rng, double mean)
{
	double u = rng_unit(rng);
	double v = -mean * log(1.0 - u);
	return v < 0.1 ? 0.1 : v;       /* a spell shorter than a poll turn would be noise */
}

static void schedule_next(struct proxy *p, int64_t now)
{
	const struct options *o = &p->opt;
	double secs;
	if (p->forced_down) {
		p->next_switch = NEVER;
		return;
	}
	if (o->up_secs > 0)
		secs = p->link_up ? o->up_secs : o->down_secs;
	else if (o->down_fraction > 0)
		secs = exp_draw(&p->sched_rng, (p->link_up ? 1 - o->down_fraction : o->down_fraction) * o->period);
	else {
		p->next_switch = NEVER;
		return;
	}
	p->next_switch = now + (int64_t)(secs * 1e6);
}

static void link_set(struct proxy *p, bool up, const char *why, int64_t now)
{
	unsigned i;
	bool was = p->link_up;
	p->link_up = up;
	schedule_next(p, now);
	if (was == up)
		return;
	plog(p, "link %s reason=%s", up ? "up" : "down", why);
	if (up)
		return;
	for (i = 0; i < p->nconns; i++)
		conn_end(p, p->conns[i], "down", false);
}

/* ---- the loop ---- */

static void accept_clients(struct proxy *p, int64_t now)
{
	int i;
	for (i = 0; i < ACCEPT_BURST; i++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		char from[80];
		unsigned id;
		int fd = accept(p->lfd, (struct sockaddr *)&ss, &sl);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
				plog(p, "cannot accept: %s", strerror(errno));
				p->accept_pause_until = now + 100000;
			}
			return;
		}
		set_nonblock(fd);
		id = (unsigned)++p->accepted;
		if (!p->link_up || p->nconns >= p->opt.max_conns) {
			addr_text((struct sockaddr *)&ss, from, sizeof(from));
			plog(p, "#%u refused from=%s reason=%s", id, from, p->link_up ? "busy" : "down");
			p->refused++;
			/* A reset, not a FIN, so a client cannot take an empty answer for a good one. */
			close_rst(fd);
			stats_write(p);
			continue;
		}
		conn_open(p, fd, (struct sockaddr *)&ss, id, now);
	}
}

static void reap(struct proxy *p)
{
	unsigned i, j = 0;
	for (i = 0; i < p->nconns; i++) {
		if (p->conns[i]->dead)
			conn_free(p->conns[i]);
		else
			p->conns[j++] = p->conns[i];
	}
	p->nconns = j;
}

static void install_signals(sigset_t *out_old)
{
	struct sigaction sa;
	sigset_t block;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	/* Blocked outside ppoll(), so a signal can never slip in between the flag checks and the wait. */
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGUSR2);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, out_old);
}

static void run(struct proxy *p, const sigset_t *waitmask)
{
	struct pollfd *pfds = xcalloc(1 + 2 * (size_t)p->opt.max_conns, sizeof(*pfds));

	while (!got_term) {
		int64_t now = now_us(), deadline = p->next_switch;
		struct timespec ts, *tsp = NULL;
		unsigned i, n;
		int r;

		if (got_down) {
			got_down = 0;
			p->forced_down = true;
			link_set(p, false, "signal", now);
		}
		if (got_up) {
			got_up = 0;
			p->forced_down = false;
			p->link_up = false;     /* so the schedule restarts with a full up spell */
			link_set(p, true, "signal", now);
		}
		if (now >= p->next_switch)
			link_set(p, !p->link_up, "schedule", now);

		for (i = 0; i < p->nconns; i++)
			conn_pump(p, p->conns[i], now);
		reap(p);

		n = p->nconns;
		pfds[0].fd = p->lfd;
		pfds[0].events = POLLIN;
		pfds[0].revents = 0;
		if (now < p->accept_pause_until) {
			pfds[0].fd = -1;
			if (p->accept_pause_until < deadline)
				deadline = p->accept_pause_until;
		}
		for (i = 0; i < n; i++) {
			int64_t t = conn_deadline(p, p->conns[i], now);
			if (t < deadline)
				deadline = t;
			conn_poll_fds(p, p->conns[i], &pfds[1 + 2 * i], &pfds[2 + 2 * i], now);
		}
		if (deadline != NEVER) {
			int64_t wait = deadline > now ? deadline - now : 0;
			ts.tv_sec = wait / 1000000;
			ts.tv_nsec = (long)(wait % 1000000) * 1000;
			tsp = &ts;
		}

		r = ppoll(pfds, 1 + 2 * (nfds_t)n, tsp, waitmask);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			die("poll failed: %s", strerror(errno));
		}
		if (r == 0)
			continue;
		now = now_us();
		for (i = 0; i < n; i++)
			conn_events(p, p->conns[i], pfds[1 + 2 * i].revents, pfds[2 + 2 * i].revents, now);
		if (pfds[0].revents & POLLIN)
			accept_clients(p, now);
	}
	free(pfds);
}

int main(int argc, char **argv)
{
	struct proxy p;
	struct addrinfo hints = { 0 };
	sigset_t waitmask;
	unsigned port, i;
	int err;

	memset(&p, 0, sizeof(p));
	parse_args(&p.opt, argc, argv);
	if (!p.opt.seed_given) {
		uint64_t s = (uint64_t)time(NULL) ^ ((uint64_t)now_us() << 20) ^ (uint64_t)getpid();
		p.opt.seed = splitmix64(&s) % 1000000000;
	}
	fprintf(stderr, "linkproxy: seed %" PRIu64 "\n", p.opt.seed);
	p.sched_rng = p.opt.seed ^ 0x5ced5ced5ced5cedULL;

	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	err = getaddrinfo(p.opt.target_host, p.opt.target_port, &hints, &p.target);
	if (err)
		usage_error("cannot resolve target '%s:%s': %s", p.opt.target_host, p.opt.target_port,
			gai_strerror(err));

	p.log = stderr;
	if (p.opt.log_path) {
		p.log = fopen(p.opt.log_path, "w");
		if (!p.log)
			die("cannot open '%s': %s", p.opt.log_path, strerror(errno));
	}
	p.lfd = listen_socket(p.opt.listen_host, p.opt.listen_port, &port);
	p.conns = xcalloc(p.opt.max_conns, sizeof(*p.conns));
	p.start = now_us();
	p.link_up = true;
	install_signals(&waitmask);
	schedule_next(&p, p.start);

	printf("%u\n", port);
	fflush(stdout);
	plog(&p, "seed %" PRIu64 " listen=%u target=%s:%s", p.opt.seed, port, p.opt.target_host,
		p.opt.target_port);
	stats_write(&p);

	run(&p, &waitmask);

	for (i = 0; i < p.nconns; i++)
		conn_end(&p, p.conns[i], "exit", false);
	reap(&p);
	close(p.lfd);
	summary(&p);
	stats_write(&p);
	if (p.log != stderr)
		fclose(p.log);
	freeaddrinfo(p.target);
	free(p.conns);
	options_release(&p.opt);
	return 0;
}

/*
 * cmd_sync.c: exchanging change-sets with the central repository: `sinkron sync` (one round in
 * the foreground) and `sinkron agent` (rounds for ever, with backoff after failures).  A round
 * is: seal what is pending, push it in bounded pieces, fetch what the others wrote, apply it.
 * Signal handlers only set flags; a network operation under way is abandoned on SIGTERM.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "config.h"
#include "i18n.h"
#include "web.h"

static volatile sig_atomic_t stop_requested, reload_requested, sync_now_requested;

/* Kirim sekarang on the agent's own pages: the next round starts at once */
static void request_sync_now(void)
{
	sync_now_requested = 1;
}

static void on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void on_hup(int sig)
{
	(void)sig;
	reload_requested = 1;
}

/* ---- log ---- */

static FILE *log_file;
static int log_syslog, log_level = LOG_LEVEL_INFO;

static void log_open(const struct config *c, int daemon)
{
	if (log_file && log_file != stderr)
		fclose(log_file);
	log_file = NULL;
	log_syslog = 0;
	log_level = c->log_level;
	if (c->log && !strcmp(c->log, "syslog")) {
		openlog("sinkron", LOG_PID, LOG_DAEMON);
		log_syslog = 1;
	} else if (c->log && strcmp(c->log, "stderr")) {
		int fd = open(c->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (fd >= 0)
			log_file = fdopen(fd, "a");
		if (!log_file)
			fprintf(stderr, _("sinkron: cannot open the log '%s': %s\n"), c->log, strerror(errno));
	}
	if (!log_file && !log_syslog && !daemon)
		log_file = stderr;
}

static void logf_(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(int level, const char *fmt, ...)
{
	static const char *names[] = {"debug", "info", "warning", "error"};
	static const int prio[] = {LOG_DEBUG, LOG_INFO, LOG_WARNING, LOG_ERR};
	char msg[1200], when[32];
	va_list ap;
	time_t t;
	struct tm tm;

	if (level < log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (log_syslog) {
		syslog(prio[level], "%s", msg);
		return;
	}
	if (!log_file)
		return;
	t = time(NULL);
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(log_file, "%s %s[%d] %s: %s\n", when, "sinkron", (int)getpid(), names[level], msg);
	fflush(log_file);
}

/* ---- one round ---- */

struct round {
	struct sk_seal_result seal;
	struct sk_push_result push;
	struct sk_fetch_result fetch;
	struct sk_apply_result apply;
	struct sk_consolidate_result consolidate;
	const char *failed_step;
	int rc;
	char error[800];
};

static void note(struct sk_db *db, const char *key, const char *value)
{
	sk_db_set_setting(db, key, value);
}

static void note_time(struct sk_db *db, const char *key, int64_t ms)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%lld", (long long)ms);
	note(db, key, buf);
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int do_round(struct sk_db *db, const struct config *c, struct round *r)
{
	struct sk_remote remote;
	char *central = sk_db_setting(db, "central");
	int rc;

	memset(r, 0, sizeof(*r));
	config_remote(c, &remote, central);
	if (!remote.url) {
		free(central);
		r->failed_step = "configuration";
		snprintf(r->error, sizeof(r->error), "no central repository: set 'central = URL' in %s", c->path);
		return r->rc = SK_EINVALID;
	}
	rc = sk_seal(db, c->max_bytes, &r->seal, progress_cb, NULL);
	progress_done();
	if (rc < 0) {
		r->failed_step = "seal";
		goto fail;
	}
	rc = sk_push(db, &remote, &r->push, progress_cb, NULL);
	progress_done();
	if (rc < 0) {
		r->failed_step = "push";
		goto fail;
	}
	note_time(db, "status.last_push", now_ms());
	rc = sk_fetch(db, &remote, &r->fetch, progress_cb, NULL);
	progress_done();
	if (rc < 0) {
		r->failed_step = "fetch";
		goto fail;
	}
	note_time(db, "status.last_fetch", now_ms());
	if (sk_db_is_city(db)) {
		/* the city checks what the districts sent, then answers with receipts at once */
		rc = sk_consolidate(db, NULL, &r->consolidate, NULL, NULL);
		r->apply.changesets = r->consolidate.changesets;
		r->apply.rows = r->consolidate.rows;
		if (rc < 0 && rc != SK_ECONFLICT) {
			r->failed_step = "consolidate";
			goto fail;
		}
		if (r->consolidate.nquarantined)
			note(db, "status.last_quarantine", r->consolidate.quarantined[0]);
		if (r->consolidate.districts) {
			struct sk_seal_result s2;
			struct sk_push_result p2;
			if ((rc = sk_seal(db, c->max_bytes, &s2, NULL, NULL)) < 0 || (rc = sk_push(db, &remote, &p2, NULL, NULL)) < 0) {
				r->failed_step = "push";
				goto fail;
			}
			r->push.changesets += p2.changesets;
			r->push.bytes += p2.bytes;
			r->push.pushes += p2.pushes;
			r->seal.changesets += s2.changesets;
			r->seal.rows += s2.rows;
		}
	} else if ((rc = sk_apply(db, NULL, NULL, &r->apply, NULL, NULL)) < 0) {
		r->failed_step = "apply";
		goto fail;
	}
	free(central);
	note(db, "status.last_error", NULL);
	note_time(db, "status.last_ok", now_ms());
	return r->rc = 0;
fail:
	free(central);
	snprintf(r->error, sizeof(r->error), "%s", cli_error());
	note(db, "status.last_error", r->error);
	note_time(db, "status.last_error_at", now_ms());
	return r->rc = rc;
}

static void describe_round(const struct round *r, char *out, size_t n)
{
	snprintf(out, n, _("sealed %zu change-set(s) (%zu rows); pushed %zu change-set(s) in %d push(es), %llu bytes; "
		 "fetched %llu bytes; applied %zu change-set(s) (%zu rows)"),
		 r->seal.changesets, r->seal.rows, r->push.changesets, r->push.pushes, (unsigned long long)r->push.bytes,
		 (unsigned long long)r->fetch.bytes, r->apply.changesets, r->apply.rows);
}

/* One agent per database: an exclusive lock on office.lock, held while the process lives. */
static int take_lock(const char *db_path, int *fd_out)
{
	char *path = sk_printf("%s.lock", db_path);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		fprintf(stderr, _("sinkron: cannot open the lock '%s': %s\n"), path, strerror(errno));
		free(path);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		char pid[32] = "";
		ssize_t n = pread(fd, pid, sizeof(pid) - 1, 0);
		if (n > 0)
			pid[n] = '\0';
		if (n > 0 && pid[n - 1] == '\n')
			pid[n - 1] = '\0';
		fprintf(stderr, _("sinkron: another sinkron agent or sync is working on %s%s%s%s: wait for it, or stop it\n"),
			db_path, pid[0] ? " (pid " : "", pid, pid[0] ? ")" : "");
		close(fd);
		free(path);
		return -2;
	}
	if (ftruncate(fd, 0) == 0) {
		char buf[32];
		int n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
		ssize_t w = pwrite(fd, buf, (size_t)n, 0);
		(void)w;
	}
	free(path);
	*fd_out = fd;
	return 0;
}

static void install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
	sk_transport_set_stop_flag(&stop_requested);
}

/* A one-round verb's start: the office's configuration (cfg, else the one beside the database)
 * loaded into *c, the office's process lock taken (*lockfd) and the signal handlers set; 0, or
 * the exit status the verb returns (nothing held then) */
static int lock_office(struct config *c, const char *cfg, int *lockfd)
{
	char *cpath = cfg ? sk_strdup(cfg) : config_default_path(g_opts.db_path);
	int rc = config_load(c, cpath, cfg != NULL);
	free(cpath);
	if (rc < 0)
		return EXIT_USAGE;
	if ((rc = take_lock(g_opts.db_path, lockfd)) < 0) {
		config_release(c);
		return rc == -2 ? EXIT_FAILED : EXIT_USAGE;
	}
	install_signals();
	return 0;
}

int cmd_sync(int argc, char **argv)
{
	struct args a;
	struct sk_db *db;
	struct config c;
	struct round r;
	const char *cfg;
	char line[600];
	int lockfd = -1, rc;

	args_init(&a, argc, argv);
	cfg = arg_value(&a, "--config");
	arg_operands(&a, "sync", NULL, 0);
	if ((rc = lock_office(&c, cfg, &lockfd)) != 0)
		return rc;
	db = open_db();
	if ((rc = sk_db_health(db, 1000)) < 0) {
		fprintf(stderr, _("sinkron: sync: %s\n"), cli_error());
		sk_db_free(db);
		config_release(&c);
		close(lockfd);
		return EXIT_FAILED;
	}
	rc = do_round(db, &c, &r);
	describe_round(&r, line, sizeof(line));
	if (rc < 0) {
		fprintf(stderr, _("sinkron: sync: %s failed: %s\n"), r.failed_step, tr_msg(r.error));
		if (r.seal.changesets || r.push.changesets)
			printf("%s\n", line);
		/* no agent runs now: it would hold the lock this sync holds */
		printf(_("not everything reached the city; run 'sinkron sync' again, or start the agent "
		       "('sinkron agent --daemon'), which retries by itself\n"));
	} else {
		printf("%s\n", line);
		printf(_("everything sealed here has reached the central repository\n"));
		for (size_t i = 0; i < r.consolidate.nquarantined; i++)
			printf(_("quarantined: %s\n"), tr_msg(r.consolidate.quarantined[i]));
		if (r.consolidate.city_clock_behind)
			printf(_("warning: the city's clock is behind: districts agree it is more than a day ahead of this computer's; "
			       "set this computer's date and time right\n"));
		if (r.consolidate.nquarantined || r.consolidate.waiting) {
			printf(_("some districts' change-sets are held in quarantine: 'sinkron quarantine' lists them\n"));
			rc = SK_ECONFLICT;
		}
		if (!sk_db_is_city(db)) {
			/* reaching the central repository is not being in step: say what the city refused */
			struct sk_receipt rc_;
			if (sk_receipt_get(db, &rc_) == 0 && !strcmp(rc_.refused_state, "held")) {
				printf(_("but the city holds a change-set of this office in quarantine: %s ('sinkron status' says more)\n"),
				       tr_msg(rc_.refused_reason));
				rc = SK_ECONFLICT;
			}
			sk_receipt_release(&rc_);
		}
	}
	sk_apply_result_free(&r.apply);
	sk_consolidate_result_free(&r.consolidate);
	sk_db_free(db);
	config_release(&c);
	close(lockfd);
	if (rc == SK_EINVALID)
		return EXIT_USAGE;
	return rc < 0 ? EXIT_FAILED : EXIT_OK;
}

static void sleep_until(int64_t when_ms)
{
	while (!stop_requested && !reload_requested && !sync_now_requested) {
		int64_t left = when_ms - now_ms();
		struct timespec ts;
		if (left <= 0)
			return;
		if (left > 200)
			left = 200;
		ts.tv_sec = left / 1000;
		ts.tv_nsec = (left % 1000) * 1000000;
		nanosleep(&ts, NULL);
	}
}

static int daemonize(void)
{
	pid_t pid = fork();
	int fd;
	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	setsid();
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(0);
	if ((fd = open("/dev/null", O_RDWR)) >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	return 0;
}

int cmd_agent(int argc, char **argv)
{
	struct args a;
	struct sk_db *db;
	struct config c;
	const char *cfg;
	char *cpath, *abs_db = NULL;
	int daemon_mode, lockfd = -1, rc, failures = 0;
	struct web_server *web = NULL;
	unsigned seed = (unsigned)getpid() ^ (unsigned)now_ms();

	args_init(&a, argc, argv);
	cfg = arg_value(&a, "--config");
	daemon_mode = arg_flag(&a, "--daemon");
	arg_operands(&a, "agent", NULL, 0);
	cpath = cfg ? sk_strdup(cfg) : config_default_path(g_opts.db_path);
	if (config_load(&c, cpath, cfg != NULL) < 0) {
		free(cpath);
		return EXIT_USAGE;
	}
	if (daemon_mode) {
		/* the daemon keeps no terminal: its log goes to a file unless configured */
		abs_db = realpath(g_opts.db_path, NULL);
		if (!c.log)
			c.log = sk_printf("%s.log", abs_db ? abs_db : g_opts.db_path);
		if (abs_db)
			g_opts.db_path = abs_db;
		if (daemonize() < 0) {
			fprintf(stderr, _("sinkron: cannot start in the background: %s\n"), strerror(errno));
			return EXIT_FAILED;
		}
	}
	if ((rc = take_lock(g_opts.db_path, &lockfd)) < 0) {
		config_release(&c);
		free(cpath);
		return rc == -2 ? EXIT_FAILED : EXIT_USAGE;
	}
	install_signals();
	log_open(&c, daemon_mode);
	db = open_db();
	if (c.serve) {
		/* the office's pages from the same service (sinkron serve's options from the configuration) */
		struct web_options wo;
		char *wargv[] = {(char *)"agent", NULL};
		web_options_parse(&wo, 1, wargv);
		wo.listen = c.serve, wo.cert = c.serve_cert, wo.key = c.serve_key, wo.config = cpath;
		if (web_start(&web, g_opts.db_path, &wo) < 0)
			logf_(LOG_LEVEL_ERROR, _("the web pages could not start on %s"), c.serve);
		else
			web_agent_sync_now = request_sync_now;
	}
	logf_(LOG_LEVEL_INFO, _("agent started for %s %s (%s), central %s"), sk_db_is_city(db) ? "city" : "distrik",
	      sk_db_name(db), sk_db_code(db), c.central ? c.central : "from the database");
	{
		char pid[16];
		snprintf(pid, sizeof(pid), "%d", (int)getpid());
		note(db, "status.agent_pid", pid);
	}
	while (!stop_requested) {
		struct round r;
		char line[600];
		int64_t next;

		if (reload_requested) {
			struct config nc;
			reload_requested = 0;
			if (config_load(&nc, cpath, cfg != NULL) == 0) {
				config_release(&c);
				c = nc;
				log_open(&c, daemon_mode);
				logf_(LOG_LEVEL_INFO, _("configuration reloaded from %s"), cpath);
			} else {
				config_release(&nc);
				logf_(LOG_LEVEL_ERROR, _("configuration %s has errors: keeping the previous one"), cpath);
			}
		}
		sync_now_requested = 0;
		rc = do_round(db, &c, &r);
		describe_round(&r, line, sizeof(line));
		sk_apply_result_free(&r.apply);
		sk_consolidate_result_free(&r.consolidate);
		if (rc == 0) {
			if (r.seal.changesets || r.push.changesets || r.apply.changesets)
				logf_(LOG_LEVEL_INFO, _("round done: %s"), line);
			else
				logf_(LOG_LEVEL_DEBUG, _("round done: nothing new"));
			failures = 0;
			next = now_ms() + c.interval_ms;
		} else if (stop_requested) {
			logf_(LOG_LEVEL_INFO, _("stopping during %s"), r.failed_step);
			break;
		} else {
			/* exponential backoff with jitter: the first retry within seconds, at most the cap */
			int64_t d = c.backoff_first_ms;
			for (int i = 0; i < failures && d < c.backoff_cap_ms; i++)
				d *= 2;
			if (d > c.backoff_cap_ms)
				d = c.backoff_cap_ms;
			d = d / 2 + (int64_t)(rand_r(&seed) % (unsigned)(d / 2 + 1));
			failures++;
			next = now_ms() + d;
			logf_(rc == SK_ENETWORK ? LOG_LEVEL_WARNING : LOG_LEVEL_ERROR, _("%s failed (%d in a row): %s; next try in %.1f s%s%s"),
			      r.failed_step, failures, tr_msg(r.error), (double)d / 1000, r.push.changesets ? _("; before that: ") : "",
			      r.push.changesets ? line : "");
		}
		note_time(db, "status.next_attempt", next);
		sleep_until(next);
	}
	web_agent_sync_now = NULL;
	web_stop(web);
	note(db, "status.agent_pid", NULL);
	note(db, "status.next_attempt", NULL);
	logf_(LOG_LEVEL_INFO, _("agent stopped"));
	sk_db_free(db);
	config_release(&c);
	free(cpath);
	free(abs_db);
	close(lockfd);
	return EXIT_OK;
}

/* `sinkron repair`: the local repository rebuilt from what is left of it, the central
 * repository and the database (sk_repair), under the office's lock; then one round sends
 * what was sealed again. */
int cmd_repair(int argc, char **argv)
{
	struct args a;
	struct sk_db *db;
	struct config c;
	struct sk_remote remote;
	struct sk_repair_result res = {0};
	const char *cfg;
	char *central;
	int lockfd = -1, rc, offline;

	args_init(&a, argc, argv);
	cfg = arg_value(&a, "--config");
	offline = arg_flag(&a, "--offline");
	arg_operands(&a, "repair", NULL, 0);
	if ((rc = lock_office(&c, cfg, &lockfd)) != 0)
		return rc;
	db = open_db();
	central = sk_db_setting(db, "central");
	config_remote(&c, &remote, central);
	if (!remote.url && !offline) {
		fprintf(stderr, _("sinkron: repair: no central repository is set: set 'central = URL' in the configuration, "
			"or repair from what is left here alone with --offline\n"));
		rc = SK_EINVALID;
		goto done;
	}
	rc = sk_repair(db, offline ? NULL : &remote, &res);
	if (res.kept)
		printf(_("the damaged repository was kept as %s (%zu object(s) copied from it, %zu unreadable)\n"), res.kept,
		       res.salvaged, res.unreadable);
	if (rc < 0) {
		fprintf(stderr, _("sinkron: repair FAILED: %s\n"), cli_error());
		goto done;
	}
	if (res.central)
		printf(_("received this office's change-sets from the central repository (%llu bytes)\n"),
		       (unsigned long long)res.fetched);
	printf(_("%zu change-set(s) whole in the new repository\n"), res.whole);
	if (res.lost) {
		struct sk_seal_result s;
		printf(_("%zu change-set(s) sealed here had not reached the city and were lost with the repository: their "
		       "%zu row change(s) are back in the outbox\n"), res.lost, res.requeued);
		if ((rc = sk_seal(db, c.max_bytes, &s, progress_cb, NULL)) < 0) {
			progress_done();
			fprintf(stderr, _("sinkron: repair: sealing them again failed: %s\n"), cli_error());
			goto done;
		}
		progress_done();
		printf(_("sealed again: %zu change-set(s), %zu row(s); 'sinkron sync' sends them\n"), s.changesets, s.rows);
	} else {
		printf(_("nothing was lost\n"));
	}
done:
	sk_repair_result_free(&res);
	free(central);
	sk_db_free(db);
	config_release(&c);
	close(lockfd);
	if (rc == SK_EINVALID)
		return EXIT_USAGE;
	return rc < 0 ? EXIT_FAILED : EXIT_OK;
}

/*
 * transport.c: pushing this office's change-sets to the central repository and fetching what
 * others wrote, through libgit2 (a local path or USB stick, git://, http(s)://, ssh://).
 *
 * libgit2 1.5 sets no timeout on its sockets, so a connection that goes silent would hang it
 * forever.  Each network operation therefore runs in a child process that the parent kills
 * when its deadline passes; the child only touches the git repository, whose writes are
 * atomic (objects by rename, refs by lock file), so a kill loses at most that operation's
 * bytes.  Pushes are bounded: one push carries the change-sets that fit in push_limit bytes
 * (at least one), so a short link window still makes progress and a cut costs little.
 */
#include <dirent.h>
#include <errno.h>
#include <git2.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "login.h"
#include "lsrefs.h"
#include "repo.h"

struct net_result {
	int rc;
	char msg[600];
	char commit[41];     /* push: the commit now at the central's branch */
	char remote_tip[41]; /* push: what the central had before ("" none) */
	uint64_t bytes;      /* bytes sent (push) or received (fetch) */
	int more;            /* push: change-sets remain after this one */
	int asked_login;     /* the HTTP server asked for the login */
	int listed;          /* push: the central's refs were listed (fetch_known says what they showed) */
	int fetch_known;     /* push: its advertisement showed every ref the round's fetch takes
			      * already where this office has it (a fetch would bring nothing) */
	uint64_t objects;
};

/* What the child says while it transfers, so that a link that is slow but moving is not taken
 * for one that is down.  Messages on the pipe, each shorter than PIPE_BUF so that two threads'
 * never mix: 'b' + struct net_beat (libgit2's progress), 'p' + uint64_t (how often the child's
 * TCP connections were seen moving), and last 'r' + struct net_result. */
struct net_beat {
	uint64_t bytes, objects, total_objects;
};

struct net_job {
	const struct sk_remote *r;
	const char *repo_path;
	const char *branch;      /* push: refs/heads/district/<code> */
	const char *refspec;     /* fetch; push: the round's fetch, checked against the advertisement */
	int ask_first;           /* fetch: ask (git://) whether it would bring anything first */
	size_t limit;
	struct net_result *res;
	int auth_tries;
	char remote_said[400];
	int beat_fd;             /* in the child: the pipe to the parent */
	int64_t beat_at;         /* when the last beat was sent */
	sk_progress_fn progress; /* in the parent: hears the beats (NULL: nobody) */
	void *payload;
	const char *what;
	int shown;               /* progress heard something */
};

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *j_repo_path; /* in the child: the local repository, for messages */

static int child_fail(struct net_result *res, int rc, const char *what)
{
	const git_error *e = git_error_last();
	res->rc = rc;
	if (e && e->klass == GIT_ERROR_HTTP && strstr(e->message, "401")) {
		snprintf(res->msg, sizeof(res->msg), "%s: the central repository refused this office's login "
			 "(check username and password in the configuration)", what);
		res->rc = SK_ECONFLICT;
		return res->rc;
	}
	if (e && e->klass == GIT_ERROR_SSH && e->message && strstr(e->message, "hostkey")) {
		/* libgit2 checks the server against ~/.ssh/known_hosts: a key it does not find there
		 * may be a first connection, or someone in the middle */
		const char *home = getenv("HOME");
		snprintf(res->msg, sizeof(res->msg), "%s: its SSH host key is unknown here or has changed: check the key's "
			 "fingerprint with the city's IT staff, then put it in %s/.ssh/known_hosts (ssh-keyscan gives the line)",
			 what, home && *home ? home : "~");
		return rc;
	}
	if (e && e->message && strstr(e->message, "failed to lock file '")) {
		const char *name = strstr(e->message, "failed to lock file '") + 21, *end = strchr(name, '\'');
		snprintf(res->msg, sizeof(res->msg), "%s: another program is writing to the local repository (its lock "
			 "file '%.*s' exists); if no git command is running there, remove that file", what,
			 end ? (int)(end - name) : 300, name);
		return rc;
	}
	if (e && e->message && strstr(e->message, "No space left")) {
		snprintf(res->msg, sizeof(res->msg), "%s: the disk holding '%s' is full: free some space on it, then "
			 "try again", what, j_repo_path ? j_repo_path : ".");
		return rc;
	}
	if (e && e->message && strstr(e->message, "redirect")) {
		snprintf(res->msg, sizeof(res->msg), "%s: it sent this office to another address, which sinkron does not "
			 "follow (the login would go there too); if the city has moved the central repository, set its new "
			 "address in the configuration", what);
		res->rc = SK_ECONFLICT;
		return res->rc;
	}
	snprintf(res->msg, sizeof(res->msg), "%s: %s", what, e && e->message ? e->message : "unknown error");
	return rc;
}

/* After the credentials were asked for twice, libgit2's own message is misleading: say what
 * happened instead. */
static int auth_failed(struct net_job *j)
{
	if (j->auth_tries < 2)
		return 0;
	j->res->rc = SK_ECONFLICT;
	if (j->r->url && !strncmp(j->r->url, "ssh://", 6))
		snprintf(j->res->msg, sizeof(j->res->msg), "the central repository refused this office's SSH key%s%s: "
			 "check ssh_key and ssh_pubkey in the configuration, and that the city has the public key",
			 j->r->ssh_key ? " " : " (none configured: the ssh agent's keys were tried)", j->r->ssh_key ? j->r->ssh_key : "");
	else
		snprintf(j->res->msg, sizeof(j->res->msg), "the central repository refused the login%s%s%s: check username "
			 "and password in the configuration", j->r->username ? " '" : "", j->r->username ? j->r->username : "",
			 j->r->username ? "'" : "");
	return SK_ECONFLICT;
}

static int credentials(git_credential **out, const char *url, const char *user_from_url, unsigned int allowed,
		       void *payload)
{
	struct net_job *j = payload;
	char ubuf[128];
	const char *user = sk_login_user(j->r, ubuf, sizeof(ubuf));

	/* the login is for the configured host only, never for one a server redirected to */
	if (!sk_login_host_is_central(j->r, url)) {
		git_error_set_str(GIT_ERROR_NET, "redirected to another host: the login is not given there");
		return GIT_EUSER;
	}
	/* one try each: a wrong password must fail, not loop */
	if (j->auth_tries++ > 0)
		return GIT_EUSER;
	if ((allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT) && user && j->r->password) {
		j->res->asked_login = 1;
		return git_credential_userpass_plaintext_new(out, user, j->r->password);
	}
	if (allowed & GIT_CREDENTIAL_SSH_KEY) {
		const char *user = user_from_url ? user_from_url : j->r->username ? j->r->username : "git";
		if (j->r->ssh_key)
			return git_credential_ssh_key_new(out, user, j->r->ssh_pubkey, j->r->ssh_key, NULL);
		return git_credential_ssh_key_from_agent(out, user);
	}
	if (allowed & GIT_CREDENTIAL_USERNAME)
		return git_credential_username_new(out, j->r->username ? j->r->username : "git");
	return GIT_PASSTHROUGH;
}

/* In the child: tells the parent how far the transfer is, at most every 200 ms. */
static void beat(struct net_job *j, uint64_t bytes, uint64_t objects, uint64_t total_objects)
{
	unsigned char msg[1 + sizeof(struct net_beat)];
	struct net_beat b = {bytes, objects, total_objects};
	int64_t now = mono_ms();
	ssize_t w;

	if (j->beat_fd < 0 || now - j->beat_at < 200)
		return;
	j->beat_at = now;
	msg[0] = 'b';
	memcpy(msg + 1, &b, sizeof(b));
	w = write(j->beat_fd, msg, sizeof(msg)); /* less than PIPE_BUF: whole or not at all */
	(void)w;
}

static int push_progress(unsigned int current, unsigned int total, size_t bytes, void *payload)
{
	struct net_job *j = payload;
	j->res->bytes = bytes;
	beat(j, bytes, current, total);
	return 0;
}

static int fetch_progress(const git_indexer_progress *stats, void *payload)
{
	struct net_job *j = payload;
	j->res->bytes = stats->received_bytes;
	j->res->objects = stats->received_objects;
	beat(j, stats->received_bytes, stats->received_objects, stats->total_objects);
	return 0;
}

/* The server's refusal of a ref reaches libgit2 as a per-ref status. */
static int push_status(const char *ref, const char *msg, void *payload)
{
	struct net_job *j = payload;
	if (msg && j->res->rc == 0) {
		j->res->rc = SK_ECONFLICT;
		snprintf(j->res->msg, sizeof(j->res->msg), "the central repository refused %s: %s%s%s", ref, msg,
			 j->remote_said[0] ? "; it said: " : "", j->remote_said);
	}
	return 0;
}

/* What the server prints ("remote: sinkron: ..."): kept to explain a refusal. */
static int sideband(const char *str, int len, void *payload)
{
	struct net_job *j = payload;
	size_t have = strlen(j->remote_said);
	while (len > 0 && (str[len - 1] == '\n' || str[len - 1] == '\r'))
		len--;
	if (len > 0 && have + (size_t)len + 3 < sizeof(j->remote_said))
		snprintf(j->remote_said + have, sizeof(j->remote_said) - have, "%s%.*s", have ? " | " : "", len, str);
	return 0;
}

/* After each ref a fetch moved: where a crash test may stop a fetch between two refs. */
static int fetched_tip(const char *refname, const git_oid *a, const git_oid *b, void *payload)
{
	(void)refname, (void)a, (void)b, (void)payload;
	sk_pause_point("fetch-tip");
	return 0;
}

/* The central (URL and login header) whose HTTP server asked for the login and took it, earlier in
 * this process: later connections give it at once rather than after a refused first request. */
static char *login_taken_url, *login_taken_header;

/* In the child: the headers for a connection to the central, the login among them when it was
 * asked for before.  header holds it (owned) until the connection ends. */
static git_strarray login_headers(const struct net_job *j, char **header)
{
	git_strarray h = {NULL, 0};
	*header = login_taken_url && !strcmp(login_taken_url, j->r->url) ? sk_login_http_header(j->r) : NULL;
	if (*header && !strcmp(*header, login_taken_header)) {
		h.strings = header;
		h.count = 1;
	}
	return h;
}

static void setup_callbacks(git_remote_callbacks *cb, struct net_job *j)
{
	git_remote_init_callbacks(cb, GIT_REMOTE_CALLBACKS_VERSION);
	cb->credentials = credentials;
	cb->push_update_reference = push_status;
	cb->sideband_progress = sideband;
	cb->push_transfer_progress = push_progress;
	cb->transfer_progress = fetch_progress;
	cb->update_tips = fetched_tip;
	cb->payload = j;
}

/* The size a change-set commit adds to a pack: its change-set bytes and a few small objects. */
static size_t commit_weight(git_repository *repo, const git_oid *id)
{
	git_commit *c = NULL;
	git_tree *t = NULL;
	size_t w = 700;
	if (git_commit_lookup(&c, repo, id) == 0 && git_commit_tree(&t, c) == 0) {
		const git_tree_entry *e = git_tree_entry_byname(t, "changeset");
		git_odb *odb = NULL;
		size_t len;
		git_object_t type;
		if (e && git_repository_odb(&odb, repo) == 0 && git_odb_read_header(&len, &type, odb, git_tree_entry_id(e)) == 0)
			w += len;
		git_odb_free(odb);
	}
	git_tree_free(t);
	git_commit_free(c);
	return w;
}

/* The bytes a change-set commit holds: the commit, its tree and the tree's files. */
static uint64_t commit_bytes(git_repository *repo, const git_oid *id)
{
	git_commit *c = NULL;
	git_tree *t = NULL;
	git_odb *odb = NULL;
	uint64_t sum = 0;
	size_t len;
	git_object_t type;

	if (git_repository_odb(&odb, repo) < 0)
		return 0;
	if (git_odb_read_header(&len, &type, odb, id) == 0)
		sum += len;
	if (git_commit_lookup(&c, repo, id) == 0 && git_commit_tree(&t, c) == 0) {
		if (git_odb_read_header(&len, &type, odb, git_tree_id(t)) == 0)
			sum += len;
		for (size_t i = 0; i < git_tree_entrycount(t); i++)
			if (git_odb_read_header(&len, &type, odb, git_tree_entry_id(git_tree_entry_byindex(t, i))) == 0)
				sum += len;
	}
	git_tree_free(t);
	git_commit_free(c);
	git_odb_free(odb);
	return sum;
}

/* Points refs/sinkron/push at target.  Through a transaction, so that its lock is taken, held
 * and released at points of our own: a kill while it is held is what SINKRON_PAUSE_AT=
 * push-ref-locked reproduces (the lock file is cleared by the next transfer's sk_repo_guard). */
static int set_push_ref(git_repository *repo, const git_oid *target)
{
	git_transaction *tx = NULL;
	int e;
	if ((e = git_transaction_new(&tx, repo)) == 0 && (e = git_transaction_lock_ref(tx, SK_REF_PUSH)) == 0 &&
	    (e = git_transaction_set_target(tx, SK_REF_PUSH, target, NULL, "sinkron push")) == 0) {
		sk_pause_point("push-ref-locked");
		e = git_transaction_commit(tx);
	}
	git_transaction_free(tx);
	return e;
}

/* Whether the refs a fetch with refspec would take are, in the advertisement, all where the local
 * repository already has them: then that fetch would bring nothing. */
static int advertised_known(git_repository *repo, const git_remote_head **heads, size_t nheads, const char *refspec)
{
	git_refspec *spec = NULL;
	int known = 1;

	if (!refspec || git_refspec_parse(&spec, refspec, 1) < 0)
		return 0;
	for (size_t i = 0; i < nheads && known; i++) {
		git_buf local = GIT_BUF_INIT;
		git_oid have;
		if (!git_refspec_src_matches(spec, heads[i]->name))
			continue;
		if (git_refspec_transform(&local, spec, heads[i]->name) < 0 ||
		    git_reference_name_to_id(&have, repo, local.ptr) < 0 || !git_oid_equal(&have, &heads[i]->oid))
			known = 0;
		git_buf_dispose(&local);
	}
	git_refspec_free(spec);
	return known;
}

static int child_push(struct net_job *j)
{
	struct net_result *res = j->res;
	git_repository *repo = NULL;
	git_remote *remote = NULL;
	git_remote_callbacks cb;
	git_push_options po;
	const git_remote_head **heads;
	size_t nheads;
	git_oid local, remote_id, target, *chain = NULL;
	git_revwalk *walk = NULL;
	int have_remote = 0, rc = 0;
	size_t n = 0, alloc = 0, weight = 0, take;
	char spec[256];
	git_strarray specs;
	char *specp = spec, *login = NULL;
	git_strarray headers = login_headers(j, &login);

	if (git_repository_open_bare(&repo, j->repo_path) < 0)
		return child_fail(res, SK_ERROR, "cannot open the local repository");
	if (git_reference_name_to_id(&local, repo, j->branch) < 0) {
		res->rc = 0; /* nothing sealed yet: nothing to push */
		goto done;
	}
	setup_callbacks(&cb, j);
	if (git_remote_create_anonymous(&remote, repo, j->r->url) < 0) {
		rc = child_fail(res, SK_EINVALID, "bad central repository address");
		goto done;
	}
	{
		git_remote_connect_options co;
		git_remote_connect_options_init(&co, GIT_REMOTE_CONNECT_OPTIONS_VERSION);
		co.callbacks = cb;
		co.follow_redirects = GIT_REMOTE_REDIRECT_NONE;
		co.custom_headers = headers;
		rc = git_remote_connect_ext(remote, GIT_DIRECTION_PUSH, &co);
	}
	if (rc < 0) {
		rc = auth_failed(j) ? auth_failed(j) : child_fail(res, SK_ENETWORK, "cannot reach the central repository");
		goto done;
	}
	if (git_remote_ls(&heads, &nheads, remote) < 0) {
		rc = child_fail(res, SK_ENETWORK, "cannot list the central repository");
		goto done;
	}
	for (size_t i = 0; i < nheads; i++)
		if (!strcmp(heads[i]->name, j->branch)) {
			remote_id = heads[i]->oid;
			have_remote = 1;
			git_oid_tostr(res->remote_tip, sizeof(res->remote_tip), &remote_id);
		}
	res->fetch_known = advertised_known(repo, heads, nheads, j->refspec);
	res->listed = 1;
	if (have_remote && git_oid_equal(&remote_id, &local)) {
		git_oid_tostr(res->commit, sizeof(res->commit), &local);
		goto done; /* the city has everything */
	}
	/* the change-sets the central lacks, oldest first */
	if (git_revwalk_new(&walk, repo) < 0 || git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE) < 0 ||
	    git_revwalk_push(walk, &local) < 0) {
		rc = child_fail(res, SK_ERROR, "cannot walk the local history");
		goto done;
	}
	if (have_remote) {
		git_object *o = NULL;
		if (git_object_lookup(&o, repo, &remote_id, GIT_OBJECT_COMMIT) < 0) {
			res->rc = rc = SK_ECONFLICT;
			snprintf(res->msg, sizeof(res->msg),
				 "the central repository's %s holds change-sets this office does not have "
				 "(was this database restored from an old copy?)", j->branch);
			goto done;
		}
		git_object_free(o);
		git_revwalk_hide(walk, &remote_id);
	}
	{
		git_oid id;
		while (git_revwalk_next(&id, walk) == 0) {
			if (n == alloc) {
				alloc = alloc ? alloc * 2 : 64;
				chain = sk_realloc(chain, alloc * sizeof(*chain));
			}
			chain[n++] = id;
		}
	}
	if (have_remote) {
		int ahead = git_graph_descendant_of(repo, &local, &remote_id);
		if (ahead != 1) {
			res->rc = rc = SK_ECONFLICT;
			snprintf(res->msg, sizeof(res->msg),
				 "the central repository's %s has diverged from this office's history "
				 "(was this database restored from an old copy?)", j->branch);
			goto done;
		}
	}
	if (n == 0)
		goto done;
	for (take = 0; take < n; take++) {
		size_t w = commit_weight(repo, &chain[take]);
		if (take > 0 && weight + w > j->limit)
			break;
		weight += w;
	}
	target = chain[take - 1];
	res->more = take < n;
	if (set_push_ref(repo, &target) < 0) {
		rc = child_fail(res, SK_ERROR, "cannot prepare the push");
		goto done;
	}
	snprintf(spec, sizeof(spec), SK_REF_PUSH ":%s", j->branch);
	specs.strings = &specp;
	specs.count = 1;
	git_push_options_init(&po, GIT_PUSH_OPTIONS_VERSION);
	po.callbacks = cb;
	po.pb_parallelism = 1;
	po.follow_redirects = GIT_REMOTE_REDIRECT_NONE;
	po.custom_headers = headers;
	if (git_remote_upload(remote, &specs, &po) < 0) {
		if (res->rc == 0)
			rc = child_fail(res, j->remote_said[0] ? SK_ECONFLICT : SK_ENETWORK, "push to the central repository failed");
		if (j->remote_said[0] && strlen(res->msg) + 12 < sizeof(res->msg))
			snprintf(res->msg + strlen(res->msg), sizeof(res->msg) - strlen(res->msg), "; it said: %s", j->remote_said);
		goto done;
	}
	if (res->rc < 0)
		goto done;
	sk_pause_point("push-sent");
	/* over a path libgit2 copies objects and counts no bytes: count what was sent */
	if (res->bytes < 64) {
		res->bytes = 0;
		for (size_t i = 0; i < take; i++)
			res->bytes += commit_bytes(repo, &chain[i]);
	}
	git_oid_tostr(res->commit, sizeof(res->commit), &target);
done:
	free(login);
	free(chain);
	git_revwalk_free(walk);
	if (remote)
		git_remote_disconnect(remote);
	git_remote_free(remote);
	git_repository_free(repo);
	if (rc < 0 && res->rc == 0)
		res->rc = rc;
	return res->rc;
}

/* Over git://, a question in git's protocol version 2 for the refs the fetch takes: its answer is
 * a few hundred bytes where libgit2's fetch hears every branch first.  1 when those refs are all
 * where this office has them; 0 when they are not, or nothing could be learnt that way. */
static int fetch_would_bring_nothing(struct net_job *j, git_repository *repo)
{
	struct sk_lsrefs l;
	const git_remote_head **heads;
	char prefix[256];
	const char *src = j->refspec + (j->refspec[0] == '+');
	int known;

	if (!j->ask_first || strncmp(j->r->url, "git://", 6))
		return 0;
	snprintf(prefix, sizeof(prefix), "%.*s", (int)strcspn(src, ":*"), src);
	if (sk_lsrefs(j->r->url, prefix, &l) < 0)
		return 0;
	heads = sk_malloc((l.n ? l.n : 1) * sizeof(*heads));
	for (size_t i = 0; i < l.n; i++)
		heads[i] = &l.heads[i];
	known = advertised_known(repo, heads, l.n, j->refspec);
	free(heads);
	sk_lsrefs_free(&l);
	return known;
}

static int child_fetch(struct net_job *j)
{
	struct net_result *res = j->res;
	git_repository *repo = NULL;
	git_remote *remote = NULL;
	git_fetch_options fo;
	char *specp = (char *)j->refspec, *login = NULL;
	git_strarray specs = {&specp, 1};

	if (git_repository_open_bare(&repo, j->repo_path) < 0)
		return child_fail(res, SK_ERROR, "cannot open the local repository");
	if (fetch_would_bring_nothing(j, repo))
		goto done;
	if (git_remote_create_anonymous(&remote, repo, j->r->url) < 0) {
		child_fail(res, SK_EINVALID, "bad central repository address");
		goto done;
	}
	git_fetch_options_init(&fo, GIT_FETCH_OPTIONS_VERSION);
	setup_callbacks(&fo.callbacks, j);
	fo.prune = GIT_FETCH_NO_PRUNE;
	fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
	fo.update_fetchhead = 0;
	fo.follow_redirects = GIT_REMOTE_REDIRECT_NONE;
	fo.custom_headers = login_headers(j, &login);
	if (git_remote_fetch(remote, &specs, &fo, "sinkron fetch") < 0 && !auth_failed(j))
		child_fail(res, SK_ENETWORK, "fetch from the central repository failed");
done:
	free(login);
	git_remote_free(remote);
	git_repository_free(repo);
	return res->rc;
}

static volatile sig_atomic_t *stop_flag;

void sk_transport_set_stop_flag(volatile sig_atomic_t *flag)
{
	stop_flag = flag;
}

/* In the child: the bytes its TCP connections have received and had acknowledged so far, summed
 * over its open sockets (Linux TCP_INFO), whatever the transport (git://, http(s), ssh). */
static uint64_t tcp_moved(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	uint64_t sum = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		struct tcp_info ti;
		socklen_t len = sizeof(ti);
		int fd;
		if (e->d_name[0] < '0' || e->d_name[0] > '9' || (fd = atoi(e->d_name)) == dirfd(d))
			continue;
		memset(&ti, 0, sizeof(ti));
		if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0 &&
		    len >= offsetof(struct tcp_info, tcpi_bytes_received) + sizeof(ti.tcpi_bytes_received))
			sum += ti.tcpi_bytes_acked + ti.tcpi_bytes_received;
	}
	closedir(d);
	return sum;
}

/* In the child, a thread of its own: every 250 ms, a count of the samples in which its
 * connections had moved bytes (libgit2's own progress comes only every 100 KB or whole object:
 * too rarely on 64 kbit/s).  A count, not the sum: the sum falls when a connection closes. */
static void *pulse(void *arg)
{
	struct net_job *j = arg;
	uint64_t last = 0, moving = 0;
	for (;;) {
		struct timespec ts = {0, 250 * 1000 * 1000};
		unsigned char msg[1 + sizeof(uint64_t)];
		uint64_t now;
		ssize_t w;
		nanosleep(&ts, NULL);
		if ((now = tcp_moved()) == last)
			continue;
		last = now;
		moving++;
		msg[0] = 'p';
		memcpy(msg + 1, &moving, sizeof(moving));
		w = write(j->beat_fd, msg, sizeof(msg));
		(void)w;
	}
	return NULL;
}

/*
 * Runs fn in a child process; the child reports through a pipe.  The deadline is for a link
 * that stops: it starts again whenever the child's connections have moved more bytes, so a slow
 * link that keeps moving finishes a long transfer and a silent one is given up after deadline_ms.
 */
static int run_with_deadline(struct net_job *j, int (*fn)(struct net_job *), int deadline_ms)
{
	int fds[2], status, done = 0;
	pid_t pid;
	int64_t end = mono_ms() + deadline_ms;
	uint64_t moved = 0, pulsed = 0;
	pid_t parent = getpid();
	unsigned char msg[1 + sizeof(struct net_result)];
	size_t have = 0, want = 1;
	struct net_result *res = j->res;

	memset(res, 0, sizeof(*res));
	if (pipe(fds) < 0)
		return sk_error(SK_ERROR, "cannot start the transfer: %s", strerror(errno));
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return sk_error(SK_ERROR, "cannot start the transfer: %s", strerror(errno));
	}
	if (pid == 0) {
		ssize_t w;
		close(fds[0]);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGPIPE, SIG_IGN);
		/* if the parent dies (kill -9, OOM), nobody kills this child at the deadline, and it
		 * holds the office's lock (inherited) for as long as it lives: it goes with the parent */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
		j->beat_fd = fds[1];
		j->beat_at = mono_ms();
		j_repo_path = j->repo_path;
		{
			pthread_t t;
			pthread_attr_t at;
			pthread_attr_init(&at);
			pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
			/* if it cannot start, libgit2's own progress still counts */
			(void)pthread_create(&t, &at, pulse, j);
			pthread_attr_destroy(&at);
		}
		sk_repo_git_init();
		if (j->r->ca_file)
			git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, j->r->ca_file, NULL);
		fn(j);
		msg[0] = 'r';
		memcpy(msg + 1, res, sizeof(*res));
		w = write(fds[1], msg, sizeof(msg));
		(void)w;
		_exit(0);
	}
	close(fds[1]);
	while (!done) {
		struct pollfd p = {fds[0], POLLIN, 0};
		int64_t left = end - mono_ms();
		ssize_t r;
		if (left <= 0 || (stop_flag && *stop_flag)) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			close(fds[0]);
			if (stop_flag && *stop_flag)
				return sk_error(SK_ENETWORK, "stopped");
			return sk_error(SK_ENETWORK, "no answer from the central repository within %d s: the link may be down",
					deadline_ms / 1000);
		}
		if (poll(&p, 1, left > 500 ? 500 : (int)left) <= 0)
			continue;
		r = read(fds[0], msg + have, want - have);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		have += (size_t)r;
		if (have < want)
			continue;
		if (want == 1) { /* a message's tag: then its body */
			if (msg[0] != 'b' && msg[0] != 'p' && msg[0] != 'r')
				break;
			want = 1 + (msg[0] == 'b' ? sizeof(struct net_beat) : msg[0] == 'p' ? sizeof(uint64_t) : sizeof(*res));
			continue;
		}
		if (msg[0] == 'p') {
			uint64_t n;
			memcpy(&n, msg + 1, sizeof(n));
			if (n > pulsed) {
				pulsed = n;
				end = mono_ms() + deadline_ms; /* moving: the deadline starts again */
			}
		} else if (msg[0] == 'b') {
			struct net_beat b;
			memcpy(&b, msg + 1, sizeof(b));
			if (b.bytes > moved) {
				moved = b.bytes;
				end = mono_ms() + deadline_ms;
			}
			if (j->progress && b.total_objects) {
				j->progress(j->payload, j->what, b.objects, b.total_objects);
				j->shown = 1;
			}
		} else {
			memcpy(res, msg + 1, sizeof(*res));
			done = 1;
		}
		have = 0;
		want = 1;
	}
	close(fds[0]);
	waitpid(pid, &status, 0);
	if (!done)
		return sk_error(SK_ERROR, "the transfer process died (status %d)", status);
	if (res->rc < 0)
		return sk_error(res->rc, "%s", res->msg);
	if (res->asked_login && (!login_taken_url || strcmp(login_taken_url, j->r->url))) {
		char *header = sk_login_http_header(j->r);
		free(login_taken_url);
		free(login_taken_header);
		login_taken_url = header ? sk_strdup(j->r->url) : NULL;
		login_taken_header = header;
	}
	return 0;
}

/* A central repository on a path (a folder, a USB stick) that is not there: say so plainly,
 * rather than libgit2's "unsupported URL protocol". */
static int check_local_path(const struct sk_remote *r)
{
	const char *path = r->url;
	if (!path)
		return sk_error(SK_EINVALID, "no central repository is set");
	if (strstr(path, "://") && strncmp(path, "file://", 7))
		return 0;
	if (!strncmp(path, "file://", 7))
		path += 7;
	if (access(path, F_OK) != 0)
		return sk_error(SK_ENETWORK, "the central repository '%s' is not there: is the USB stick or network "
				"folder connected?", path);
	return 0;
}

static int fetch_into(struct sk_db *db, const struct sk_remote *r, const char *repo_path, struct sk_fetch_result *out,
		      sk_progress_fn progress, void *payload, const char *refspec, int ask_first);

/* What the round's fetch takes: a district the city's branch; the city every district's. */
static const char *round_refspec(const struct sk_db *db)
{
	return db->is_city ? "+" SK_REF_DISTRICT "*:" SK_REF_REMOTE_DISTRICT "*" : "+" SK_REF_CENTRAL ":" SK_REF_REMOTE_CENTRAL;
}

/* The last sk_push's word on the fetch that follows it in a round: its connection's ref
 * advertisement showed whether the fetch would bring anything, so the fetch need not connect to
 * learn that.  Kept for the next sk_fetch of the same repository and central only, and only
 * briefly: any sk_push clears it first, so a round whose push does not connect asks again. */
static struct {
	char *repo_path, *url;
	int64_t at;
	int known; /* 1: the fetch would bring nothing; 0: it would */
} pushed_saw;
#define PUSHED_SAW_MS 30000

static void pushed_saw_clear(void)
{
	free(pushed_saw.repo_path);
	free(pushed_saw.url);
	memset(&pushed_saw, 0, sizeof(pushed_saw));
}

/* What the last push saw of the fetch into repo_path from r (1 nothing to bring, 0 something,
 * -1 no word); clears it. */
static int pushed_saw_take(const char *repo_path, const struct sk_remote *r)
{
	int said = pushed_saw.repo_path && !strcmp(pushed_saw.repo_path, repo_path) && r->url &&
			   !strcmp(pushed_saw.url, r->url) && mono_ms() - pushed_saw.at < PUSHED_SAW_MS
		   ? pushed_saw.known
		   : -1;
	pushed_saw_clear();
	return said;
}

int sk_push(struct sk_db *db, const struct sk_remote *r, struct sk_push_result *out, sk_progress_fn progress,
	    void *payload)
{
	char *repo_path = sk_repo_path_for_db(db->path), *branch;
	struct sk_repo *repo = NULL;
	struct net_result res;
	struct net_job j;
	uint64_t total;
	int rc, guard = -1;

	memset(out, 0, sizeof(*out));
	pushed_saw_clear();
	if ((rc = check_local_path(r)) < 0) {
		free(repo_path);
		return rc;
	}
	/* Nothing unsent: no connection at all (its ref advertisement alone costs a kilobyte),
	 * except once a day, to see that the central repository still has everything. */
	if (sk_state_int(db, "pushed", 0) >= sk_state_int(db, "number", 0) &&
	    sk_wall_ms() - sk_state_int(db, "push_checked", 0) < 24LL * 3600 * 1000) {
		free(repo_path);
		return 0;
	}
	/* the branch must show everything the database recorded before it is pushed */
	if ((rc = sk_local_open(db, &repo)) < 0) {
		free(repo_path);
		return rc;
	}
	sk_repo_free(repo);
	/* the transfers' own refs, held until the last child is gone; clears a killed one's lock files */
	if ((rc = sk_repo_guard(repo_path, SK_GUARD_NET, &guard)) < 0) {
		free(repo_path);
		return rc;
	}
	branch = sk_repo_branch_of(db->is_city, db->code);
	memset(&j, 0, sizeof(j));
	j.r = r;
	j.repo_path = repo_path;
	j.branch = branch;
	j.refspec = round_refspec(db);
	j.limit = r->push_limit ? r->push_limit : 64 * 1024;
	j.res = &res;
	{
		int64_t waiting = sk_state_int(db, "number", 0) - sk_state_int(db, "pushed", 0);
		/* a long send (a first sync on a slow link) says how far it is, push by push */
		if (waiting < 8)
			progress = NULL;
		total = waiting > 0 ? (uint64_t)waiting : 0;
	}
	do {
		if (progress)
			progress(payload, "sending", out->changesets, total);
		rc = run_with_deadline(&j, child_push, r->deadline_ms > 0 ? r->deadline_ms : 60000);
		if (rc < 0)
			break;
		out->bytes += res.bytes;
		if (res.commit[0]) {
			sqlite3_stmt *st;
			/* record how far the central has this office's change-sets */
			if (sk_db_prepare(db, &st, "SELECT number FROM sk_changesets WHERE commit_id = ? AND local = 1") == 0) {
				sqlite3_bind_text(st, 1, res.commit, -1, SQLITE_STATIC);
				if (sqlite3_step(st) == SQLITE_ROW) {
					int64_t num = sqlite3_column_int64(st, 0);
					if (num > sk_state_int(db, "pushed", 0)) {
						out->changesets += (size_t)(num - sk_state_int(db, "pushed", 0));
						sk_state_set_int(db, "pushed", num);
					}
				}
				sqlite3_finalize(st);
			}
			if (strcmp(res.commit, res.remote_tip))
				out->pushes++;
		}
	} while (res.more);
	if (progress && rc == 0)
		progress(payload, "sending", total, total);
	if (rc == 0)
		sk_state_set_int(db, "push_checked", sk_wall_ms());
	if (rc == 0 && res.listed) {
		pushed_saw.repo_path = sk_strdup(repo_path);
		pushed_saw.url = sk_strdup(r->url);
		pushed_saw.at = mono_ms();
		pushed_saw.known = res.fetch_known;
	}
	sk_repo_unguard(guard);
	free(branch);
	free(repo_path);
	return rc;
}

int sk_fetch(struct sk_db *db, const struct sk_remote *r, struct sk_fetch_result *out, sk_progress_fn progress,
	     void *payload)
{
	char *repo_path = sk_repo_path_for_db(db->path);
	struct sk_repo *repo = NULL;
	int rc, said;

	memset(out, 0, sizeof(*out));
	if ((rc = check_local_path(r)) < 0) {
		free(repo_path);
		return rc;
	}
	if ((rc = sk_local_open(db, &repo)) < 0) {
		free(repo_path);
		return rc;
	}
	sk_repo_free(repo);
	/* the push just now saw every ref this fetch takes where this office has it, or saw one moved */
	if ((said = pushed_saw_take(repo_path, r)) == 1) {
		free(repo_path);
		return 0;
	}
	rc = fetch_into(db, r, repo_path, out, progress, payload, NULL, said < 0);
	free(repo_path);
	return rc;
}

int sk_fetch_own(struct sk_db *db, const struct sk_remote *r, const char *repo_path, uint64_t *bytes)
{
	struct sk_fetch_result out;
	char *spec = db->is_city ? sk_strdup("+" SK_REF_CENTRAL ":" SK_REF_CENTRAL_OWN)
				 : sk_printf("+" SK_REF_DISTRICT "%s:" SK_REF_CENTRAL_OWN, db->code);
	int rc;
	if ((rc = check_local_path(r)) < 0) {
		free(spec);
		return rc;
	}
	rc = fetch_into(db, r, repo_path, &out, NULL, NULL, spec, 0);
	*bytes = out.bytes;
	free(spec);
	return rc;
}

/* Fetches into the repository at repo_path, with the round's refspec or the one given; ask_first:
 * over git://, asks in a few bytes whether the fetch would bring anything before making it. */
static int fetch_into(struct sk_db *db, const struct sk_remote *r, const char *repo_path, struct sk_fetch_result *out,
		      sk_progress_fn progress, void *payload, const char *refspec, int ask_first)
{
	struct net_result res;
	struct net_job j;
	int rc, guard = -1;

	memset(out, 0, sizeof(*out));
	if ((rc = sk_repo_guard(repo_path, SK_GUARD_NET, &guard)) < 0)
		return rc;
	memset(&j, 0, sizeof(j));
	j.r = r;
	j.repo_path = repo_path;
	j.refspec = refspec ? refspec : round_refspec(db);
	j.ask_first = ask_first;
	j.res = &res;
	j.progress = progress;
	j.payload = payload;
	j.what = "receiving";
	rc = run_with_deadline(&j, child_fetch, r->deadline_ms > 0 ? r->deadline_ms : 60000);
	if (rc == 0) {
		out->bytes = res.bytes;
		out->objects = res.objects;
		if (j.shown)
			progress(payload, "receiving", res.objects, res.objects);
	}
	sk_repo_unguard(guard);
	return rc;
}

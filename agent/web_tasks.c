/*
 * web_tasks.c: the pages that run the engine's longer work: Impor (upload, a preview made by
 * the import itself in a transaction it rolls back, confirm, download the rejected rows) and
 * Kirim sekarang (one sync round: the same `sinkron sync` a clerk's IT staff would run, as a
 * child process, its progress and result shown in words).
 */
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <signal.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "web.h"


/* ---- Impor ---- */

static char *upload_dir(struct web_req *r)
{
	char *d = sk_printf("%s.uploads", web_db_path(r->srv));
	mkdir(d, 0700);
	return d;
}

static int token_ok(const char *t)
{
	if (!t || strlen(t) != 64)
		return 0;
	for (const char *p = t; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return 0;
	return 1;
}

/* the file's rejected rows and warnings on a page of the preview */
#define ISSUES_PAGE 200

struct issue_list {
	struct web_req *r;
	int64_t first, n, shown; /* before the page asked for, all, on it */
};

static void collect_issue(void *payload, long line, const struct sk_issue *is)
{
	struct issue_list *l = payload;
	char *t;
	if (l->n++ < l->first || l->shown >= ISSUES_PAGE)
		return;
	l->shown++;
	t = i18n_tr_msg(is->reason);
	web_put(l->r, "<tr class=\"%s\"><td data-label=\"%a\">%D</td><td data-label=\"%a\">%t</td><td data-label=\"%a\">%h</td>"
		      "<td data-label=\"%a\">%h</td></tr>",
		is->error ? "error" : "warn", _("Line"), (int64_t)line, _("Kind"), is->error ? N_("rejected") : N_("warning"),
		_("Field"), is->field, _("Reason"), t);
	free(t);
}

static int put_funder_option(void *payload, const struct sk_funder *f)
{
	if (f->active)
		web_put(payload, "<option value=\"%a\">%h</option>", f->name, f->name);
	return 0;
}

static void upload_form(struct web_req *r)
{
	struct sk_db *db = web_engine(r);
	web_put(r, "<form method=\"post\" action=\"/impor\" enctype=\"multipart/form-data\" class=\"card form\">");
	web_csrf_field(r);
	web_put(r, "<label>%t<input type=\"file\" name=\"file\" accept=\".csv,.xlsx,.xls,text/csv\" required></label>"
		   "<label>%t<select name=\"funder\"><option value=\"\">%t</option>",
		N_("Spreadsheet (Excel .xlsx or .xls, or CSV)"), N_("Enrol new workers in JKK and JKM, paid by"), N_("(do not enrol)"));
	if (db)
		sk_funder_each(db, put_funder_option, r);
	web_put(r, "</select></label><p class=\"hint\">%t</p><p><button type=\"submit\">%t</button></p></form>",
		N_("Nothing is saved yet: you first see what the file would change."), N_("Check the file"));
}

/* the kinds of spreadsheet the import reads, by the uploaded file's name: the engine reads a
 * workbook by its name, and writes its rejected rows in the same kind */
static const char *const upload_kinds[] = {"xlsx", "xls", "csv", NULL};
static const char *upload_kind(const char *filename)
{
	const char *dot = filename ? strrchr(filename, '.') : NULL;
	for (size_t i = 0; dot && upload_kinds[i]; i++)
		if (!strcasecmp(dot + 1, upload_kinds[i]))
			return upload_kinds[i];
	return "csv";
}

/* the upload kept for token t, or NULL (the caller frees it) */
static char *upload_path(const char *dir, const char *t)
{
	for (size_t i = 0; upload_kinds[i]; i++) {
		char *p = sk_printf("%s/%s.%s", dir, t, upload_kinds[i]);
		if (access(p, R_OK) == 0)
			return p;
		free(p);
	}
	return NULL;
}

/* What the upload kept under token (at path) would change, the page-th page of its issues, and
 * the form that saves it: the import itself, in a transaction it rolls back. */
static void import_preview(struct web_req *r, const char *path, const char *token, const char *filename, const char *funder, int page)
{
	struct sk_import_opts o;
	struct sk_import_result res;
	struct issue_list l = {r, (int64_t)(page - 1) * ISSUES_PAGE, 0, 0};
	struct sk_db *db;
	int rc;

	memset(&o, 0, sizeof(o));
	memset(&res, 0, sizeof(res));
	o.path = path;
	o.dry_run = 1;
	o.funder = funder && *funder ? funder : NULL;
	o.report = collect_issue;
	o.payload = &l;
	web_put(r, "<p>%t <strong>%h</strong></p>", N_("File:"), web_nz(filename));
	web_put(r, "<div class=\"table-wrap\"><table class=\"list\" id=\"issues\"><thead><tr><th>%t</th><th>%t</th><th>%t</th><th>%t</th></tr></thead><tbody>",
		N_("Line"), N_("Kind"), N_("Field"), N_("Reason"));
	db = web_engine(r);
	rc = db ? sk_import(db, &o, &res) : SK_ERROR;
	web_put(r, "</tbody></table></div>");
	if (rc < 0) {
		char *t = i18n_tr_msg(sk_error_last());
		r->status = MHD_HTTP_UNPROCESSABLE_CONTENT;
		web_put(r, "<p class=\"error\" role=\"alert\">%h</p>", t);
		free(t);
		unlink(path);
		upload_form(r);
		return;
	}
	web_put_pages(r, page, ISSUES_PAGE, l.shown, l.n, "hal", "/impor/periksa?t=%u&amp;funder=%u&amp;nama=%u&amp;", token, web_nz(o.funder),
		      web_nz(filename));
	web_put(r, "<section class=\"cards\" id=\"preview\"><div class=\"card\"><div class=\"big\">%D</div>%t</div>"
		   "<div class=\"card\"><div class=\"big\">%D</div>%t</div><div class=\"card\"><div class=\"big\">%D</div>%t</div>"
		   "<div class=\"card\"><div class=\"big\">%D</div>%t</div></section>",
		(int64_t)res.added, N_("to add"), (int64_t)res.updated, N_("to update"), (int64_t)res.unchanged, N_("unchanged"),
		(int64_t)res.rejected, N_("rejected"));
	if (res.recoded)
		web_put(r, "<p class=\"warn\">%t</p>", N_("The file was not UTF-8: it was read as Windows-1252 (Excel's \"CSV\")."));
	web_put(r, "<form method=\"post\" action=\"/impor/simpan\" class=\"card\">");
	web_csrf_field(r);
	web_put(r, "<input type=\"hidden\" name=\"t\" value=\"%a\"><input type=\"hidden\" name=\"funder\" value=\"%a\">", token, web_nz(o.funder));
	web_put(r, "<p>%t</p><button type=\"submit\">%t</button> <a href=\"/impor\">%t</a></form>",
		res.rejected ? N_("The rejected rows are not imported; after saving you can download them to correct them.")
			     : N_("Every row can be imported."),
		N_("Save the import"), N_("Cancel"));
}

static void page_import(struct web_req *r)
{
	const struct web_field *f;
	char *dir, *path, token[65];
	unsigned char raw[32];
	int fd;

	web_page_begin(r, N_("Import"));
	if (!r->post) {
		upload_form(r);
		web_page_end(r);
		return;
	}
	f = web_file(r, "file");
	if (!f || !f->value.len) {
		r->status = MHD_HTTP_UNPROCESSABLE_CONTENT;
		web_put(r, "<p class=\"error\" role=\"alert\">%t</p>", N_("choose the file to import"));
		upload_form(r);
		web_page_end(r);
		return;
	}
	randombytes_buf(raw, sizeof(raw));
	sk_hex(token, raw, sizeof(raw));
	dir = upload_dir(r);
	path = sk_printf("%s/%s.%s", dir, token, upload_kind(f->filename));
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, f->value.ptr, f->value.len) != (ssize_t)f->value.len) {
		if (fd >= 0)
			close(fd);
		web_put(r, "<p class=\"error\">%t</p>", N_("cannot keep the uploaded file: is the disk full?"));
	} else {
		close(fd);
		import_preview(r, path, token, f->filename, web_arg(r, "funder"), 1);
	}
	free(dir);
	free(path);
	web_page_end(r);
}

/* another page of the preview of an upload not yet saved */
static void page_import_check(struct web_req *r)
{
	const char *t = web_arg(r, "t");
	char *dir = upload_dir(r), *path = NULL;

	web_page_begin(r, N_("Import"));
	if (!token_ok(t) || !(path = upload_path(dir, t))) {
		r->status = MHD_HTTP_NOT_FOUND;
		web_put(r, "<p class=\"error\" role=\"alert\">%t</p>", N_("this import was already saved or has expired: upload the file again"));
	} else {
		import_preview(r, path, t, web_arg(r, "nama"), web_arg(r, "funder"), web_page_arg(r, "hal"));
	}
	free(dir);
	free(path);
	web_page_end(r);
}

static void page_import_save(struct web_req *r)
{
	const char *t = web_arg(r, "t"), *funder = web_arg(r, "funder");
	struct sk_import_opts o;
	struct sk_import_result res;
	char *dir = upload_dir(r), *path = NULL;
	struct sk_db *db;
	int rc;

	web_page_begin(r, N_("Import"));
	if (!token_ok(t) || !(path = upload_path(dir, t))) {
		r->status = MHD_HTTP_NOT_FOUND;
		web_put(r, "<p class=\"error\" role=\"alert\">%t</p>", N_("this import was already saved or has expired: upload the file again"));
		goto done;
	}
	memset(&o, 0, sizeof(o));
	memset(&res, 0, sizeof(res));
	o.path = path;
	o.reject_path = NULL; /* beside it: TOKEN.rejected.xlsx for a workbook, .csv for a CSV */
	o.funder = funder && *funder ? funder : NULL;
	db = web_engine(r);
	rc = db ? sk_import(db, &o, &res) : SK_ERROR;
	if (rc < 0) {
		char *m = i18n_tr_msg(sk_error_last());
		r->status = MHD_HTTP_UNPROCESSABLE_CONTENT;
		web_put(r, "<p class=\"error\" role=\"alert\">%h</p>", m);
		free(m);
		goto done;
	}
	unlink(path);
	web_put(r, "<p class=\"ok\" role=\"status\" id=\"result\">%t %D %t, %D %t, %D %t, %D %t.</p>", N_("Saved:"), (int64_t)res.added,
		N_("added"), (int64_t)res.updated, N_("updated"), (int64_t)res.unchanged, N_("unchanged"), (int64_t)res.rejected,
		N_("rejected"));
	if (res.enrolled)
		web_put(r, "<p>%D %t</p>", (int64_t)res.enrolled, N_("new workers enrolled in JKK and JKM."));
	if (res.rejected)
		web_put(r, "<p><a class=\"button\" id=\"rejects\" href=\"/impor/tolak?t=%u\" download>%t</a></p><p class=\"hint\">%t</p>", t,
			N_("Download the rejected rows"),
			N_("Each rejected row has its reason in the column \"Alasan\": correct the rows and import that file."));
	web_put(r, "<p><a href=\"/pekerja\">%t</a></p>", N_("See the workers"));
done:
	free(dir);
	free(path);
	web_page_end(r);
}

static void page_import_rejects(struct web_req *r)
{
	const char *t = web_arg(r, "t");
	char *dir = upload_dir(r), *path = NULL;
	int xlsx = 0;
	FILE *f = NULL;
	if (token_ok(t)) {
		path = sk_printf("%s/%s.rejected.xlsx", dir, t);
		if ((f = fopen(path, "rb")))
			xlsx = 1;
		else {
			free(path);
			path = sk_printf("%s/%s.rejected.csv", dir, t);
			f = fopen(path, "rb");
		}
	}
	if (!f) {
		r->status = MHD_HTTP_NOT_FOUND;
		web_page_begin(r, N_("Import"));
		web_put(r, "<p class=\"error\">%t</p>", N_("there is no file of rejected rows for this import"));
		web_page_end(r);
	} else {
		char chunk[8192];
		size_t n;
		while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
			sk_buf_put(&r->out, chunk, n);
		fclose(f);
		r->ctype = xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" : "text/csv; charset=utf-8";
		r->disposition = sk_strdup(xlsx ? "attachment; filename=\"baris-ditolak.xlsx\"" : "attachment; filename=\"baris-ditolak.csv\"");
	}
	free(dir);
	free(path);
}

/* ---- Kirim sekarang ---- */

static pthread_mutex_t send_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	int running, done, rc;
	pid_t pid;
	time_t started, finished;
	char by[64];
	struct sk_buf out;
} job;

static void *send_reader(void *arg)
{
	int fd = (int)(intptr_t)arg, st = 0;
	char buf[1024];
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		pthread_mutex_lock(&send_lock);
		sk_buf_put(&job.out, buf, (size_t)n);
		pthread_mutex_unlock(&send_lock);
	}
	close(fd);
	waitpid(job.pid, &st, 0);
	pthread_mutex_lock(&send_lock);
	job.running = 0;
	job.done = 1;
	job.rc = WIFEXITED(st) ? WEXITSTATUS(st) : 1;
	job.finished = time(NULL);
	pthread_mutex_unlock(&send_lock);
	return NULL;
}

/* Starts `sinkron --db DB --operator USER sync` with its output in a pipe; 0 started */
static int send_start(struct web_req *r)
{
	int p[2];
	pid_t pid;
	pthread_t th;
	const struct web_options *o = web_opts(r->srv);
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		dup2(p[1], 1);
		dup2(p[1], 2);
		for (int fd = 3; fd < 1024; fd++)
			close(fd);
		setenv("LANG", "C", 1);
		if (o->config)
			execl("/proc/self/exe", "sinkron", "--db", web_db_path(r->srv), "--operator", r->user, "sync", "--config", o->config,
			      (char *)NULL);
		else
			execl("/proc/self/exe", "sinkron", "--db", web_db_path(r->srv), "--operator", r->user, "sync", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	sk_buf_release(&job.out);
	sk_buf_init(&job.out, 1 << 16);
	job.running = 1;
	job.done = 0;
	job.pid = pid;
	job.started = time(NULL);
	snprintf(job.by, sizeof(job.by), "%s", r->user);
	if (pthread_create(&th, NULL, send_reader, (void *)(intptr_t)p[0]) != 0) {
		close(p[0]);
		return -1;
	}
	pthread_detach(th);
	return 0;
}

static void page_send(struct web_req *r)
{
	char when[40];
	struct tm tm;
	if (r->post) {
		pthread_mutex_lock(&send_lock);
		if (web_agent_sync_now) {
			web_agent_sync_now();
		} else if (!job.running && send_start(r) < 0) {
			pthread_mutex_unlock(&send_lock);
			web_page_begin(r, N_("Send now"));
			web_put(r, "<p class=\"error\">%t</p>", N_("cannot start sending: try again"));
			web_page_end(r);
			return;
		}
		pthread_mutex_unlock(&send_lock);
		web_redirect(r, "/kirim");
		return;
	}
	pthread_mutex_lock(&send_lock);
	int running = job.running, done = job.done, rc = job.rc;
	time_t started = job.started, finished = job.finished;
	char *out = job.out.ptr ? sk_strdup((const char *)job.out.ptr) : sk_strdup("");
	pthread_mutex_unlock(&send_lock);

	if (running) {
		/* a page that reloads itself every two seconds while the round runs */
		web_put(r, "<!doctype html><html lang=\"id\"><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"2\">"
			   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>%t · sinkron</title>"
			   "<link rel=\"stylesheet\" href=\"/assets/style.css\"></head><body><main><h1>%t</h1>",
			N_("Send now"), N_("Send now"));
		localtime_r(&started, &tm);
		strftime(when, sizeof(when), "%H:%M:%S", &tm);
		web_put(r, "<p class=\"warn\" role=\"status\" id=\"progress\">%t %h. %t</p>", N_("Sending to the city, started at"), when,
			N_("This page refreshes by itself; you can keep working in another tab."));
		web_put(r, "</main></body></html>");
		free(out);
		return;
	}
	web_page_begin(r, N_("Send now"));
	if (web_agent_sync_now)
		web_put(r, "<p class=\"ok\">%t</p>", N_("The agent was asked to send now: the Beranda shows when it is done."));
	if (done) {
		localtime_r(&finished, &tm);
		strftime(when, sizeof(when), "%d-%m-%Y %H:%M:%S", &tm);
		if (rc == 0) {
			web_put(r, "<p class=\"ok\" role=\"status\" id=\"result\">%t (%h).</p>",
				N_("Sent: everything saved here has reached the city's repository"), when);
		} else if (strstr(out, "another sinkron agent or sync is working")) {
			web_put(r, "<p class=\"warn\" role=\"status\" id=\"result\">%t (%h).</p>",
				N_("The agent is sending right now: the Beranda shows when it is done"), when);
		} else {
			/* the engine's reason, in words, from the line "sinkron: sync: STEP failed: REASON" */
			char *line = strstr(out, " failed: "), *t;
			if (line) {
				char *end = strchr(line, '\n');
				if (end)
					*end = '\0';
				line += 9;
			}
			t = i18n_tr_msg(line ? line : "");
			web_put(r, "<p class=\"error\" role=\"status\" id=\"result\">%t (%h). %t</p><p>%h</p>",
				N_("Not sent: the city could not be reached"), when,
				N_("Nothing is lost: the changes stay here and go out at the next try."), t);
			free(t);
		}
	}
	web_put(r, "<form method=\"post\" action=\"/kirim\" class=\"card\">");
	web_csrf_field(r);
	web_put(r, "<p>%t</p><button type=\"submit\" id=\"send\">%t</button></form>",
		N_("Sends every change made here to the city now and fetches what the city decided."), N_("Send now"));
	free(out);
	web_page_end(r);
}

const struct web_route web_task_routes[] = {
	{"GET", "/impor", page_import, 0},
	{"POST", "/impor", page_import, 0},
	{"GET", "/impor/periksa", page_import_check, 0},
	{"POST", "/impor/simpan", page_import_save, 0},
	{"GET", "/impor/tolak", page_import_rejects, 0},
	{"GET", "/kirim", page_send, 0},
	{"POST", "/kirim", page_send, 0},
	{NULL, NULL, NULL, 0},
};

/*
 * cmd_registry.c: the clerk's verbs: init, worker, heir, enrol, import, export, bill.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "i18n.h"

int cmd_init(int argc, char **argv)
{
	struct args a;
	struct sk_db *db = NULL;
	char *ops[1];
	const char *city, *central;
	int n, rc;

	args_init(&a, argc, argv);
	city = arg_value(&a, "--city");
	central = arg_value(&a, "--central");
	n = arg_operands(&a, "init", ops, 1);
	if ((city && n) || (!city && n != 1))
		return usage_error("init", "give one region code: a district (96.71.01) or --city CODE (96.71)");
	{
		/* a repository beside a missing database is an office's history: a new database would
		 * start a second history from #1 over it, which the central repository refuses for good */
		size_t len = strlen(g_opts.db_path);
		char *git = len > 3 && !strcmp(g_opts.db_path + len - 3, ".db") ?
				    sk_printf("%.*s.git/HEAD", (int)(len - 3), g_opts.db_path) : sk_printf("%s.git/HEAD", g_opts.db_path);
		struct stat st;
		int office = access(g_opts.db_path, F_OK) != 0 && stat(git, &st) == 0;
		git[strlen(git) - 5] = '\0'; /* the repository itself */
		if (office) {
			char day[16];
			time_t t = time(NULL) + 24 * 3600; /* tomorrow: after every change-set sealed today */
			struct tm tm;
			localtime_r(&t, &tm);
			strftime(day, sizeof(day), "%Y-%m-%d", &tm);
			fprintf(stderr, _("sinkron: init: '%s' holds the history of an office whose database '%s' is missing: "
				"to bring the database back from it and the central repository, run 'sinkron --db %s restore "
				"--at %s --replace'; to start a new office instead, move '%s' away first\n"), git, g_opts.db_path,
				g_opts.db_path, day, git);
			free(git);
			return EXIT_USAGE;
		}
		free(git);
	}
	rc = sk_db_create(&db, g_opts.db_path, city ? city : ops[0], city != NULL, central);
	if (rc < 0)
		return fail(rc, NULL);
	printf(_("created %s for %s %s (%s)\n"), g_opts.db_path, sk_db_is_city(db) ? _("city") : _("distrik"),
	       sk_db_name(db), sk_db_code(db));
	if (!central)
		say("no central repository yet: set one with 'sinkron init' --central URL, or in the agent's configuration\n");
	sk_db_free(db);
	return EXIT_OK;
}

/* ---- worker ---- */

static void read_fields(struct args *a, struct sk_worker_input *in)
{
	memset(in, 0, sizeof(*in));
	in->nik = arg_value(a, "--nik");
	in->kk = arg_value(a, "--kk");
	in->name = arg_value(a, "--name");
	in->birth_place = arg_value(a, "--birth-place");
	in->birth_date = arg_value(a, "--birth-date");
	in->sex = arg_value(a, "--sex");
	in->address = arg_value(a, "--address");
	in->kelurahan = arg_value(a, "--kelurahan");
	in->phone = arg_value(a, "--phone");
	in->occupation = arg_value(a, "--occupation");
	in->workplace = arg_value(a, "--workplace");
	in->income = arg_value(a, "--income");
}

static void print_kv(const char *k, const char *v)
{
	if (v && *v)
		printf("%-14s %s\n", k, v);
}

static int print_enrolment(void *payload, const struct sk_enrolment *e)
{
	char rp[32];
	(void)payload;
	sk_rupiah_format(rp, sizeof(rp), e->income);
	printf(_("  %-4s %-22s from %s%s%s  bracket %s%s%s%s%s%s%s\n"), e->program, e->funder ? e->funder : "",
	       e->start_on ? e->start_on : "?", e->end_on ? _(" to ") : "", e->end_on ? e->end_on : "", rp,
	       e->decree ? "  SK " : "", e->decree ? e->decree : "", e->end_reason ? _("  ended: ") : "",
	       e->end_reason ? e->end_reason : "", e->decision ? _("  decision ") : "", e->decision ? e->decision : "");
	return 0;
}

static int print_heir(void *payload, const struct sk_heir *h)
{
	(void)payload;
	printf("  %s (%s)%s%s%s%s\n", h->name, h->relationship, h->nik ? "  NIK " : "", h->nik ? h->nik : "",
	       h->phone ? "  " : "", h->phone ? h->phone : "");
	return 0;
}

static int count_heir(void *payload, const struct sk_heir *h)
{
	(void)h;
	(*(size_t *)payload)++;
	return 0;
}

static void show_worker(struct sk_db *db, const struct sk_worker *w)
{
	char inc[32];
	print_kv("id", w->id);
	print_kv("NIK", w->nik);
	print_kv("No KK", w->kk);
	print_kv("Nama", w->name);
	print_kv("Tempat Lahir", w->birth_place);
	print_kv("Tanggal Lahir", w->birth_date);
	print_kv("Jenis Kelamin", w->sex);
	print_kv("Alamat", w->address);
	print_kv("Kelurahan", w->kelurahan);
	print_kv("No HP", w->phone);
	print_kv("Pekerjaan", w->occupation);
	print_kv("Tempat Kerja", w->workplace);
	if (w->income) {
		sk_rupiah_format(inc, sizeof(inc), w->income);
		print_kv("Penghasilan", inc);
	}
	print_kv("Status", w->status ? _(w->status) : NULL);
	print_kv("Berakhir", w->ended_on);
	print_kv("Alasan", w->end_reason);
	print_kv("KPJ", w->kpj);
	print_kv("Verifikasi", w->verified);
	print_kv("Pemilik", w->owner);
	printf(_("enrolments:\n"));
	sk_enrolment_each(db, w->id, print_enrolment, NULL);
	printf(_("heirs:\n"));
	sk_heir_each(db, w->id, print_heir, NULL);
}

static int list_line(void *payload, const struct sk_worker *w)
{
	size_t *n = payload;
	printf("%-28s %-16s %-32s %-10s %s\n", w->id, w->nik ? w->nik : "", w->name ? w->name : "",
	       w->birth_date ? w->birth_date : "", w->status ? _(w->status) : "");
	(*n)++;
	return 0;
}

static void kpj_unmatched(void *payload, long line, const char *nik, const char *kpj, const char *why)
{
	(void)payload;
	printf(_("line %ld: NIK %s, KPJ %s: %s\n"), line, nik, kpj, tr_msg(why));
}

int cmd_worker(int argc, char **argv)
{
	struct args a;
	struct sk_db *db;
	struct sk_worker_input in;
	struct sk_issues is;
	char *ops[2];
	const char *sub = argc > 1 ? argv[1] : NULL;
	int n, rc, code = EXIT_OK;

	if (!sub)
		return usage_error("worker", "say what to do: add, edit, end, show, list or search");
	args_init(&a, argc - 1, argv + 1);
	if (!strcmp(sub, "add")) {
		char *id = NULL;
		read_fields(&a, &in);
		arg_operands(&a, "worker", ops, 0);
		db = open_db();
		rc = sk_worker_add(db, &id, &is, &in);
		print_issues(&is, 0);
		if (rc < 0) {
			code = is.n ? EXIT_USAGE : fail(rc, "worker add");
			if (is.n)
				fprintf(stderr, _("sinkron: the worker was not registered\n"));
		} else {
			printf("%s\n", id);
			say("registered %s in %s\n", in.name, sk_db_name(db));
		}
		free(id);
	} else if (!strcmp(sub, "edit")) {
		int changed = 0;
		read_fields(&a, &in);
		if ((n = arg_operands(&a, "worker", ops, 1)) != 1)
			return usage_error("worker", "edit needs the worker's id or NIK");
		db = open_db();
		rc = sk_worker_edit(db, ops[0], &is, &in, &changed);
		print_issues(&is, 0);
		if (rc < 0)
			code = is.n && sk_issues_errors(&is) ? EXIT_USAGE : fail(rc, "worker edit");
		else
			say(changed ? "changed %d field(s)\n" : "nothing to change\n", changed);
	} else if (!strcmp(sub, "end")) {
		const char *reason = arg_value(&a, "--reason"), *date = arg_value(&a, "--date");
		if ((n = arg_operands(&a, "worker", ops, 1)) != 1)
			return usage_error("worker", "end needs the worker's id or NIK");
		db = open_db();
		if ((rc = sk_worker_end(db, ops[0], date, reason)) < 0) {
			code = fail(rc, "worker end");
		} else {
			struct sk_worker w;
			size_t heirs = 0;
			say("ended\n");
			if (sk_worker_get(db, &w, ops[0]) == 0) {
				sk_heir_each(db, w.id, count_heir, &heirs);
				if (w.end_reason && !strcmp(w.end_reason, "meninggal dunia") && !heirs)
					fprintf(stderr, _("sinkron: warning: %s died with no heir registered: the JKM benefit "
						"(Rp42,000,000) needs one; add it with 'sinkron heir add %s'\n"), w.name ? w.name : w.id, w.id);
				sk_worker_release(&w);
			}
		}
	} else if (!strcmp(sub, "show")) {
		struct sk_worker w;
		if ((n = arg_operands(&a, "worker", ops, 1)) != 1)
			return usage_error("worker", "show needs the worker's id or NIK");
		db = open_db();
		if ((rc = sk_worker_get(db, &w, ops[0])) < 0) {
			code = fail(rc, NULL);
		} else {
			show_worker(db, &w);
			sk_worker_release(&w);
		}
	} else if (!strcmp(sub, "list") || !strcmp(sub, "search")) {
		int all = arg_flag(&a, "--all");
		size_t count = 0;
		n = arg_operands(&a, "worker", ops, 1);
		if (!strcmp(sub, "search") && n != 1)
			return usage_error("worker", "search needs a text: part of a name, NIK, phone or kelurahan");
		db = open_db();
		if ((rc = sk_db_health(db, 500)) < 0 || (rc = sk_worker_each(db, n ? ops[0] : NULL, all, list_line, &count)) < 0)
			code = fail(rc, NULL);
		else
			say("%zu worker(s)\n", count);
	} else if (!strcmp(sub, "kpj") && argc > 2 && !strncmp(argv[2], "--file", 6)) {
		const char *file = arg_value(&a, "--file");
		struct sk_kpj_result kr;
		arg_operands(&a, "worker", NULL, 0);
		if (!file)
			return usage_error("worker", "kpj --file needs the file BPJS returned (NIK and KPJ columns)");
		db = open_db();
		if ((rc = sk_kpj_import(db, file, &kr, kpj_unmatched, NULL)) < 0) {
			code = fail(rc, "worker kpj");
		} else {
			printf(_("%s: %zu row(s): %zu KPJ set, %zu already set, %zu not matched\n"), file, kr.rows, kr.set,
			       kr.unchanged, kr.unmatched);
			if (kr.unmatched) {
				printf(_("the rows not matched are listed above: nothing was set for them\n"));
				code = EXIT_USAGE;
			}
		}
	} else if (!strcmp(sub, "kpj") || !strcmp(sub, "verified")) {
		if ((n = arg_operands(&a, "worker", ops, 2)) != 2)
			return usage_error("worker", "%s needs the worker's id or NIK and the value", sub);
		db = open_db();
		if ((rc = sk_worker_set_city_field(db, ops[0], sub, ops[1])) < 0)
			code = fail(rc, NULL);
		else
			say("set; it reaches the worker's district with the next sync\n");
	} else {
		return usage_error("worker", "unknown action '%s'", sub);
	}
	sk_db_free(db);
	return code;
}

int cmd_heir(int argc, char **argv)
{
	struct args a;
	struct sk_db *db;
	struct sk_issues is;
	char *ops[1], *id = NULL;
	const char *name, *nik, *rel, *phone;
	int rc, code = EXIT_OK;

	if (argc < 2 || strcmp(argv[1], "add"))
		return usage_error("heir", "say 'heir add WORKER ...'");
	args_init(&a, argc - 1, argv + 1);
	name = arg_value(&a, "--name");
	nik = arg_value(&a, "--nik");
	rel = arg_value(&a, "--relationship");
	phone = arg_value(&a, "--phone");
	if (arg_operands(&a, "heir", ops, 1) != 1)
		return usage_error("heir", "give the worker's id or NIK");
	db = open_db();
	rc = sk_heir_add(db, &id, &is, ops[0], name, nik, rel, phone);
	print_issues(&is, 0);
	if (rc < 0 && sk_issues_errors(&is)) {
		fprintf(stderr, _("sinkron: the heir was not added\n"));
		code = EXIT_USAGE;
	} else if (rc < 0)
		code = fail(rc, "heir add");
	else
		printf("%s\n", id);
	free(id);
	sk_db_free(db);
	return code;
}

static int parse_income(const char *text, long long *out)
{
	char *endp;
	*out = 0;
	if (!text)
		return 0;
	*out = strtoll(text, &endp, 10);
	return *endp || *out < 0 ? -1 : 0;
}

/* sinkron enrol WORKER ... | enrol change WORKER ... | enrol end WORKER ... */
int cmd_enrol(int argc, char **argv)
{
	struct args a;
	struct sk_db *db;
	struct sk_issues is;
	char *ops[1], *id = NULL;
	const char *sub = argc > 1 && (!strcmp(argv[1], "change") || !strcmp(argv[1], "end")) ? argv[1] : NULL;
	long long inc = 0;
	int rc = 0, code = EXIT_OK;

	if (sub)
		args_init(&a, argc - 1, argv + 1);
	else
		args_init(&a, argc, argv);
	if (sub && !strcmp(sub, "end")) {
		const char *program = arg_value(&a, "--program"), *date = arg_value(&a, "--date"), *reason = arg_value(&a, "--reason");
		if (arg_operands(&a, "enrol", ops, 1) != 1 || !program)
			return usage_error("enrol", "end needs the worker's id or NIK and --program");
		db = open_db();
		if ((rc = sk_enrolment_end(db, ops[0], program, date, reason)) < 0)
			code = fail(rc, "enrol end");
		else
			say("ended the %s enrolment; the worker stays registered\n", program);
		sk_db_free(db);
		return code;
	}
	if (sub) {
		const char *program = arg_value(&a, "--program"), *from = arg_value(&a, "--from");
		const char *funder = arg_value(&a, "--funder"), *decision = arg_value(&a, "--decision");
		size_t changed = 0;
		if (parse_income(arg_value(&a, "--income"), &inc) < 0)
			return usage_error("enrol", "--income is not an amount in rupiah");
		if (arg_operands(&a, "enrol", ops, 1) != 1 || !from || (!funder && !inc))
			return usage_error("enrol", "change needs the worker's id or NIK, --from and --funder or --income");
		db = open_db();
		if ((rc = sk_enrolment_change(db, ops[0], program, from, funder, inc, decision, &changed)) < 0)
			code = fail(rc, "enrol change");
		else
			say(changed ? "%zu enrolment(s) changed; the earlier terms stay in the history\n" : "nothing to change\n",
			    changed);
		sk_db_free(db);
		return code;
	}
	{
		struct sk_enrol_input in;
		memset(&in, 0, sizeof(in));
		in.program = arg_value(&a, "--program");
		in.funder = arg_value(&a, "--funder");
		in.decree = arg_value(&a, "--decree");
		in.start = arg_value(&a, "--start");
		in.decision = arg_value(&a, "--decision");
		if (parse_income(arg_value(&a, "--income"), &inc) < 0)
			return usage_error("enrol", "--income is not an amount in rupiah");
		if (arg_operands(&a, "enrol", ops, 1) != 1)
			return usage_error("enrol", "give the worker's id or NIK");
		if (!in.program)
			return usage_error("enrol", "give --program JKK, JKM, JHT or JKK+JKM");
		in.income = inc;
		in.worker = ops[0];
		db = open_db();
		rc = sk_enrolment_add(db, &id, &is, &in);
		print_issues(&is, 0);
		if (rc < 0)
			code = fail(rc, "enrol");
		else
			printf("%s\n", id);
	}
	free(id);
	sk_db_free(db);
	return code;
}

/* ---- funders ---- */

static int print_funder(void *payload, const struct sk_funder *f)
{
	char br[32];
	(void)payload;
	snprintf(br, sizeof(br), "%s", _("declared income"));
	if (f->bracket)
		sk_rupiah_format(br, sizeof(br), f->bracket);
	printf(_("%-24s %-6s %-12s bracket %-16s ages %d-%d (%s)  back %d month(s)%s%s%s\n"), f->name, f->kind, f->programs,
	       br, f->age_min, f->age_max, f->age_warn ? _("warn") : _("refuse"), f->backdate_months,
	       f->regulation ? "  " : "", f->regulation ? f->regulation : "", f->active ? "" : _("  (inactive)"));
	return 0;
}

/* sinkron funder list | funder add|set NAME --programs JKK+JKM [--kind apbd] [--bracket RUPIAH] ... */
int cmd_funder(int argc, char **argv)
{
	struct args a;
	struct sk_db *db;
	const char *sub = argc > 1 ? argv[1] : "list";
	char *ops[1];
	int rc, code = EXIT_OK;

	args_init(&a, argc > 1 ? argc - 1 : argc, argc > 1 ? argv + 1 : argv);
	if (!strcmp(sub, "list")) {
		arg_operands(&a, "funder", NULL, 0);
		db = open_db();
		if ((rc = sk_funder_each(db, print_funder, NULL)) < 0)
			code = fail(rc, NULL);
	} else if (!strcmp(sub, "add") || !strcmp(sub, "set")) {
		struct sk_funder f;
		const char *bracket = arg_value(&a, "--bracket"), *ages = arg_value(&a, "--ages");
		const char *back = arg_value(&a, "--backdate-months");
		long long br = 0;
		memset(&f, 0, sizeof(f));
		f.kind = arg_value(&a, "--kind");
		f.programs = arg_value(&a, "--programs");
		f.regulation = arg_value(&a, "--regulation");
		f.age_warn = arg_flag(&a, "--ages-warn");
		f.active = !arg_flag(&a, "--inactive");
		if (bracket && parse_income(bracket, &br) < 0)
			return usage_error("funder", "--bracket '%s' is not an amount in rupiah", bracket);
		f.bracket = br;
		if (ages && sscanf(ages, "%d-%d", &f.age_min, &f.age_max) != 2)
			return usage_error("funder", "--ages '%s' is not a range like 18-65", ages);
		f.backdate_months = back ? atoi(back) : 0;
		if (arg_operands(&a, "funder", ops, 1) != 1)
			return usage_error("funder", "%s needs the funder's name", sub);
		f.name = ops[0];
		db = open_db();
		if ((rc = sk_funder_set(db, &f)) < 0)
			code = fail(rc, "funder");
		else
			say("saved funder '%s'\n", f.name);
	} else {
		return usage_error("funder", "unknown action '%s': list, add or set", sub);
	}
	sk_db_free(db);
	return code;
}

/* ---- import and export ---- */

struct import_report {
	size_t shown, limit;
};

static void import_report(void *payload, long line, const struct sk_issue *issue)
{
	struct import_report *r = payload;
	if (g_opts.quiet && !issue->error)
		return;
	if (r->shown++ < r->limit || g_opts.verbose) {
		progress_done();
		fprintf(stderr, _("line %ld: "), line);
		fprintf(stderr, "%s: %s: %s\n", issue->error ? _("error") : _("warning"), issue->field, tr_msg(issue->reason));
	} else if (r->shown == r->limit + 1) {
		fprintf(stderr, _("(more problems not shown: run with -v to list them all)\n"));
	}
}

int cmd_import(int argc, char **argv)
{
	struct args a;
	struct sk_db *db;
	struct sk_import_opts o;
	struct sk_import_result res;
	struct import_report rep = {0, 50};
	char *ops[1];
	int n, rc;

	args_init(&a, argc, argv);
	memset(&o, 0, sizeof(o));
	if (arg_flag(&a, "--template")) {
		FILE *f = stdout;
		n = arg_operands(&a, "import", ops, 1);
		if (n && !(f = fopen(ops[0], "wx"))) {
			fprintf(stderr, _("sinkron: cannot create '%s': %s\n"), ops[0], strerror(errno));
			return EXIT_FAILED;
		}
		rc = sk_import_write_template(f);
		if (f != stdout && fclose(f) != 0)
			rc = -1;
		return rc < 0 ? fail(rc, "template") : EXIT_OK;
	}
	o.funder = arg_value(&a, "--funder");
	o.start = arg_value(&a, "--start");
	o.decision = arg_value(&a, "--decision");
	o.reject_path = arg_value(&a, "--reject");
	o.dry_run = arg_flag(&a, "--dry-run");
	if (arg_operands(&a, "import", ops, 1) != 1)
		return usage_error("import", "give the CSV file to import");
	o.path = ops[0];
	o.report = import_report;
	o.progress = progress_cb;
	o.payload = &rep;
	db = open_db();
	rc = sk_import(db, &o, &res);
	progress_done();
	sk_db_free(db);
	if (rc < 0)
		return fail(rc, "import");
	printf(_("%s: %zu row(s): %zu added, %zu updated, %zu unchanged, %zu rejected%s\n"), o.path, res.rows, res.added,
	       res.updated, res.unchanged, res.rejected, o.dry_run ? _(" (dry run: nothing was changed)") : "");
	if (res.enrolled)
		printf(_("%zu new worker(s) enrolled in JKK and JKM, funder %s\n"), res.enrolled, o.funder);
	if (res.not_enrolled)
		printf(_("%zu new worker(s) registered but not enrolled: outside the ages the %s scheme covers\n"),
		       res.not_enrolled, o.funder);
	if (res.recoded)
		say("note: some rows were not UTF-8 and were read as Windows-1252 (Excel's 'CSV (Comma delimited)')\n");
	if (res.rejected && o.dry_run) {
		printf(_("%zu row(s) would be rejected: correct them before importing\n"), res.rejected);
		return EXIT_USAGE;
	}
	if (res.rejected) {
		printf(_("rejected rows, with the reason, are in %s: correct them there and import that file\n"), res.reject_path);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

static int print_export_column(void *payload, int pos, const char *header, const char *field)
{
	(void)payload;
	printf("%3d  %-24s %s\n", pos, header, field);
	return 0;
}

int cmd_export(int argc, char **argv)
{
	struct args a;
	struct sk_db *db;
	struct sk_export_opts o;
	struct sk_private_file pf = {0};
	const char *mode, *since;
	char *ops[1], day[16];
	FILE *f = stdout;
	size_t rows = 0;
	int n, rc, columns;

	args_init(&a, argc, argv);
	memset(&o, 0, sizeof(o));
	mode = arg_value(&a, "--mode");
	since = arg_value(&a, "--since");
	o.comma = arg_flag(&a, "--comma");
	columns = arg_flag(&a, "--columns");
	n = arg_operands(&a, "export", ops, 1);
	if (!mode || !strcmp(mode, "all"))
		o.mode = SK_EXPORT_ALL;
	else if (!strcmp(mode, "new"))
		o.mode = SK_EXPORT_NEW;
	else if (!strcmp(mode, "ended"))
		o.mode = SK_EXPORT_ENDED;
	else
		return usage_error("export", "--mode '%s' is not new, ended or all", mode);
	if (o.mode == SK_EXPORT_ENDED) {
		int y, m, d;
		if (!since || sscanf(since, "%4d-%2d-%2d", &y, &m, &d) != 3)
			return usage_error("export", "--mode ended needs --since YYYY-MM-DD: the ends and deaths from that day on");
		snprintf(day, sizeof(day), "%04d-%02d-%02d", y, m, d);
		o.since = day;
	}
	db = open_db();
	if (columns) {
		const char *const *k = sk_export_fields();
		rc = sk_export_columns_each(db, print_export_column, NULL);
		printf(_("fields a column may hold:"));
		for (; *k; k++)
			printf(" %s", *k);
		printf("\n");
		sk_db_free(db);
		return rc < 0 ? fail(rc, "export") : EXIT_OK;
	}
	if (n && strlen(ops[0]) > 5 && !strcasecmp(ops[0] + strlen(ops[0]) - 5, ".xlsx")) {
		rc = sk_export_xlsx(db, &o, ops[0], &rows);
		sk_db_free(db);
		if (rc < 0)
			return fail(rc, "export");
		say("%zu line(s) exported to %s\n", rows, ops[0]);
		return EXIT_OK;
	}
	if (n) {
		if ((rc = sk_private_open(&pf, ops[0])) < 0) {
			sk_db_free(db);
			return fail(rc, "export");
		}
		f = pf.f;
	}
	rc = sk_export_csv(db, &o, f, &rows);
	if (n) {
		int rc2 = sk_private_close(&pf, rc == 0);
		if (rc == 0)
			rc = rc2;
	}
	sk_db_free(db);
	if (rc < 0)
		return fail(rc, "export");
	say("%zu line(s) exported%s%s\n", rows, n ? " to " : "", n ? ops[0] : "");
	return EXIT_OK;
}

struct bill_sum {
	int csv;
	int64_t people, amount, unrated;
	char funder[64];
	int64_t fpeople, famount;
};

static int bill_line(void *payload, const struct sk_bill_line *l)
{
	struct bill_sum *s = payload;
	char rp[32];
	if (s->csv) {
		printf("%s,%s,%lld,%lld\n", l->funder, l->program, (long long)l->people, (long long)l->amount);
	} else {
		sk_rupiah_format(rp, sizeof(rp), l->amount);
		printf(_("%-24s %-4s %8lld people %20s\n"), l->funder, l->program, (long long)l->people, rp);
	}
	s->amount += l->amount;
	s->unrated += l->unrated;
	return 0;
}

int cmd_bill(int argc, char **argv)
{
	struct args a;
	struct sk_db *db;
	struct bill_sum s;
	const char *month;
	char rp[32];
	int rc;

	memset(&s, 0, sizeof(s));
	args_init(&a, argc, argv);
	month = arg_value(&a, "--month");
	s.csv = arg_flag(&a, "--csv");
	arg_operands(&a, "bill", NULL, 0);
	if (!month)
		return usage_error("bill", "give --month YYYY-MM");
	if (strlen(month) != 7 || month[4] != '-' || strspn(month, "0123456789") != 4 ||
	    strspn(month + 5, "0123456789") != 2 || atoi(month + 5) < 1 || atoi(month + 5) > 12)
		return usage_error("bill", "month '%s' is not a month like 2024-03", month);
	db = open_db();
	if (s.csv)
		printf("funder,program,people,amount\n");
	else
		printf(_("Premium for %s, %s (%s)\n"), month, sk_db_name(db), sk_db_code(db));
	rc = sk_bill(db, month, bill_line, &s);
	sk_db_free(db);
	if (rc < 0)
		return fail(rc, "bill");
	if (!s.csv) {
		sk_rupiah_format(rp, sizeof(rp), s.amount);
		printf("%-24s %-4s %15s %20s\n", _("total"), "", "", rp);
	}
	if (s.unrated)
		fprintf(stderr, _("sinkron: warning: %lld enrolment(s) have no rate in force in %s and are not priced\n"),
			(long long)s.unrated, month);
	return EXIT_OK;
}

/* ---- deaths ---- */

struct deaths_out {
	int csv;
	size_t n, orphan;
};

static int death_line(void *payload, const struct sk_death *d)
{
	struct deaths_out *o = payload;
	o->n++;
	if (!d->nheirs)
		o->orphan++;
	printf("%-10s %-14s %-16s %-28s %-11s %-6s ", d->died_on, d->district ? d->district : "", d->nik ? d->nik : "",
	       d->name ? d->name : "", d->kpj ? d->kpj : "-", d->jkm ? "JKM" : "no JKM");
	if (d->nheirs)
		printf(_("heirs: %s\n"), d->heirs);
	else
		printf(_("NO HEIR REGISTERED: add one with 'sinkron heir add %s' at its district\n"), d->id);
	return 0;
}

/* sinkron deaths --month YYYY-MM */
int cmd_deaths(int argc, char **argv)
{
	struct args a;
	struct sk_db *db;
	struct deaths_out o;
	const char *month;
	int rc;

	memset(&o, 0, sizeof(o));
	args_init(&a, argc, argv);
	month = arg_value(&a, "--month");
	arg_operands(&a, "deaths", NULL, 0);
	if (!month)
		return usage_error("deaths", "give --month YYYY-MM");
	db = open_db();
	printf(_("Deaths in %s, %s (%s): the JKM benefit is Rp42,000,000 for each death enrolled in JKM\n"), month,
	       sk_db_name(db), sk_db_code(db));
	rc = sk_deaths_each(db, month, death_line, &o);
	sk_db_free(db);
	if (rc < 0)
		return fail(rc, "deaths");
	say("%zu death(s); %zu with no heir registered\n", o.n, o.orphan);
	return EXIT_OK;
}

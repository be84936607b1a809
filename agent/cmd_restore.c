/*
 * cmd_restore.c: the verbs over the past: restore (a copy as at a point, the live database
 * rebuilt, or a district's recent changes undone), snapshot, snapshots, diff.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent.h"
#include "i18n.h"

static void when_text(char *out, size_t n, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(out, n, "%Y-%m-%d %H:%M:%S", &tm);
}

static void print_point(const struct sk_restore_result *r)
{
	printf(_("point: %s\n"), r->point ? r->point : "");
	for (size_t i = 0; i < r->nbranches; i++) {
		const struct sk_restore_branch *b = &r->branch[i];
		char clock[32], sealed[32];
		if (!b->number) {
			printf(_("  %-9s nothing taken (%llu change-set(s) on the branch, all later)\n"), b->origin,
			       (unsigned long long)b->total);
			continue;
		}
		when_text(clock, sizeof(clock), (int64_t)(b->clock >> 16));
		when_text(sealed, sizeof(sealed), b->time * 1000);
		printf(_("  %-9s up to #%llu of %llu  clock %s  commit %.12s%s\n"), b->origin, (unsigned long long)b->number,
		       (unsigned long long)b->total, clock, b->commit,
		       b->flags & SK_CSF_CLOCK_AHEAD ? "  (its clock ran ahead: the date may be off)" :
		       b->flags & SK_CSF_CLOCK_BEHIND ? "  (its clock had been set back)" : "");
		(void)sealed;
	}
}

static void print_check(const struct sk_restore_result *r)
{
	printf(_("%zu row(s); %zu change-set(s) applied"), r->rows, r->applied);
	if (r->from_checkpoint)
		printf(_(", %zu taken from a checkpoint"), r->from_checkpoint);
	if (r->index_rebuilt)
		printf(_("; the index of the history did not match the repository and was made again"));
	printf("\ndigest   %s\n", r->digest);
	if (r->recorded[0])
		printf(_("recorded %s\n"), r->recorded);
	if (r->verified)
		printf(_("digest check: ok (%zu recorded digest(s) compared)\n"), r->checked);
	else
		printf(_("digest check: none recorded for this combination of points; rows and bookkeeping agree\n"));
}

static int do_undo(const char *at)
{
	struct sk_undo_result u;
	int rc = sk_restore_undo(g_opts.db_path, at, g_opts.operator_name, &u);
	progress_done();
	if (rc < 0) {
		sk_undo_result_release(&u);
		return fail(rc, "restore --undo-to");
	}
	print_point(&u.restore);
	printf(_("brought back %zu row(s), removed %zu row(s) made after the point"), u.changed, u.removed);
	if (u.lost)
		printf(_("; %zu row(s) deleted since cannot come back (a delete is final)"), u.lost);
	printf(_("\nsealed %zu new change-set(s): the city receives them at the next sync\n"), u.changesets);
	sk_undo_result_release(&u);
	return EXIT_OK;
}

int cmd_restore(int argc, char **argv)
{
	struct args a;
	struct sk_restore_opts o;
	struct sk_restore_result r;
	const char *undo;
	int rc;

	args_init(&a, argc, argv);
	memset(&o, 0, sizeof(o));
	o.at = arg_value(&a, "--at");
	o.out = arg_value(&a, "--out");
	o.district = arg_value(&a, "--district");
	undo = arg_value(&a, "--undo-to");
	o.replace = arg_flag(&a, "--replace");
	o.no_checkpoints = arg_flag(&a, "--no-checkpoints");
	arg_operands(&a, "restore", NULL, 0);
	if (undo) {
		if (o.at || o.out || o.district || o.replace)
			return usage_error("restore", "--undo-to goes alone: it changes this district's own database");
		return do_undo(undo);
	}
	if (!o.at)
		return usage_error("restore", "--at DATE|COMMIT|TAG is needed");
	if (!o.out) {
		if (!o.replace)
			return usage_error("restore", "--out FILE is needed (or --replace, to rebuild the live database)");
		o.out = g_opts.db_path;
	}
	o.progress = progress_cb;
	rc = sk_restore(g_opts.db_path, &o, &r);
	progress_done();
	if (rc < 0) {
		if (r.nbranches)
			print_point(&r);
		fprintf(stderr, _("sinkron: restore FAILED: %s\n"), cli_error());
		fprintf(stderr, _("sinkron: no file was written\n"));
		sk_restore_result_release(&r);
		return exit_code(rc);
	}
	print_point(&r);
	print_check(&r);
	if (r.kept)
		printf(_("the previous database was kept as %s\n"), r.kept);
	printf(_("written to %s (integrity check ok)\n"), o.out);
	sk_restore_result_release(&r);
	return EXIT_OK;
}

/* The snapshot's message says what the register held then. */
static char *snapshot_counts(void *payload, struct sk_db *db)
{
	struct sk_counts c;
	(void)payload;
	if (sk_counts(db, &c) < 0)
		return NULL;
	return sk_printf("workers: %lld active, %lld ended; enrolments: %lld active\n", (long long)c.active,
			 (long long)c.ended, (long long)c.enrolments);
}

int cmd_snapshot(int argc, char **argv)
{
	struct args a;
	const char *note;
	char *ops[1], *msg = NULL;
	int rc;

	args_init(&a, argc, argv);
	note = arg_value(&a, "--note");
	if (arg_operands(&a, "snapshot", ops, 1) != 1)
		return usage_error("snapshot", "a NAME is needed");
	rc = sk_snapshot_create(g_opts.db_path, ops[0], note, g_opts.operator_name, snapshot_counts, NULL, &msg);
	if (rc < 0)
		return fail(rc, "snapshot");
	printf(_("snapshot '%s' taken (%s%s)\n\n%s"), ops[0], SK_REF_SNAPSHOT, ops[0], msg);
	free(msg);
	return EXIT_OK;
}

static int snapshot_line(void *payload, const struct sk_snapshot *s)
{
	char when[32];
	int *n = payload;
	const char *p = s->message, *title_end;
	when_text(when, sizeof(when), s->time * 1000);
	/* the note is the paragraph after the title, when there is one */
	title_end = strstr(p, "\n\n");
	printf(_("%-20s %s  by %-12s %zu branch(es)  digest %.16s"), s->name, when, s->tagger, s->branches,
	       s->digest ? s->digest : "");
	if (title_end && strncmp(title_end + 2, "taken:", 6)) {
		const char *e = strchr(title_end + 2, '\n');
		printf("  %.*s", e ? (int)(e - title_end - 2) : 60, title_end + 2);
	}
	putchar('\n');
	(*n)++;
	return 0;
}

int cmd_snapshots(int argc, char **argv)
{
	struct args a;
	int rc, n = 0;
	args_init(&a, argc, argv);
	arg_operands(&a, "snapshots", NULL, 0);
	rc = sk_snapshot_each(g_opts.db_path, snapshot_line, &n);
	if (rc < 0)
		return fail(rc, "snapshots");
	if (!n)
		say("no snapshots yet: 'sinkron snapshot NAME' takes one\n");
	return EXIT_OK;
}

static int diff_line(void *payload, const struct sk_diff_entry *e)
{
	(void)payload;
	printf("%-8s %-9s %-22s %-16s %s", e->what, e->owner ? e->owner : "", e->id, e->nik ? e->nik : "",
	       e->name ? e->name : "");
	if (e->fields && *e->fields)
		printf("  [%s]", e->fields);
	putchar('\n');
	return 0;
}

int cmd_diff(int argc, char **argv)
{
	struct args a;
	struct sk_diff_result r;
	const char *district;
	char *ops[2];
	int rc;

	args_init(&a, argc, argv);
	district = arg_value(&a, "--district");
	if (arg_operands(&a, "diff", ops, 2) != 2)
		return usage_error("diff", "two points are needed: A and B");
	rc = sk_diff(g_opts.db_path, ops[0], ops[1], district, diff_line, NULL, &r);
	if (rc < 0) {
		sk_diff_result_release(&r);
		return fail(rc, "diff");
	}
	printf(_("from %s\n  to %s\n"), r.a.point, r.b.point);
	printf(_("%zu added, %zu changed, %zu ended, %zu removed\n"), r.added, r.changed, r.ended, r.removed);
	sk_diff_result_release(&r);
	return EXIT_OK;
}

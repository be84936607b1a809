/*
 * main.c: the sinkron program: global options, the verb table and help.  The top of agent/:
 * it calls the verbs (cmd_*.c, cmd_serve in web_server.c, cmd_user in web_user.c) and the
 * command-line helpers of cli.c; nothing calls it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent.h"
#include "i18n.h"

static const char *const general_help = N_(
	"usage: sinkron [-C DIR] [--db PATH] [--operator NAME] [-v|-q] VERB [ARGS]\n"
	"\n"
	"sinkron keeps a district office's register of informal workers enrolled in BPJS\n"
	"Ketenagakerjaan (JKK, JKM) and sends every change to the city when a link is up.\n"
	"\n"
	"The database is --db PATH, else $SINKRON_DB, else ./sinkron.db; -C DIR runs in DIR.\n"
	"Every change is recorded with the operator: --operator, else $SINKRON_OPERATOR, else\n"
	"the login name.\n"
	"\n"
	"Verbs:\n");

static const char *const exit_help = N_(
	"\n"
	"Exit status: 0 done; 1 the operation failed (nothing reached the city, a change-set was\n"
	"refused, a check failed); 2 bad usage or bad input (nothing was changed).\n"
	"'sinkron help VERB' or 'sinkron VERB --help' tells more about a verb.\n");

const struct cmd commands[] = {
	{"init", cmd_init, N_("create the database of a district office (or of the city)"),
	 N_("usage: sinkron init DISTRICT [--central URL]\n"
	 "       sinkron init --city CITY [--central URL]\n"
	 "\n"
	 "Creates the database (readable by its owner only) for a district by its region code,\n"
	 "e.g. 96.71.01 for distrik Sorong of Kota Sorong, or for a city with --city 96.71.\n"
	 "The codes known are those of Kota Sorong (96.71), Kota Ambon (81.71) and Kota\n"
	 "Pekalongan (33.75) and their districts.  An existing file is never overwritten.\n"
	 "--central is where the city's repository is: a folder or USB stick, git://,\n"
	 "http(s):// or ssh://.\n")},
	{"worker", cmd_worker, N_("register, correct, end, show, list and search workers"),
	 N_("usage: sinkron worker add --nik NIK --name NAME --birth-date DATE --sex L|P --kelurahan KEL\n"
	 "                          [--kk NO] [--birth-place PLACE] [--address TEXT] [--phone NO]\n"
	 "                          [--occupation TEXT] [--workplace TEXT] [--income RUPIAH]\n"
	 "       sinkron worker edit ID|NIK [--FIELD VALUE]...   (the same fields as add)\n"
	 "       sinkron worker end ID|NIK --reason TEXT [--date DATE]\n"
	 "       sinkron worker show ID|NIK\n"
	 "       sinkron worker list [--all]\n"
	 "       sinkron worker search TEXT [--all]\n"
	 "       sinkron worker kpj ID|NIK NUMBER        (the city: the BPJS participant number)\n"
	 "       sinkron worker kpj --file FILE          (the city: NIK -> KPJ from BPJS's file)\n"
	 "       sinkron worker verified ID|NIK STATUS   (the city: its verification status)\n"
	 "\n"
	 "Dates as 31/12/1980, 31-12-1980 or 1980-12-31.  KEL is the kelurahan's name or code.\n"
	 "A NIK with a wrong structure is refused, naming the reason; a NIK whose birth date or sex\n"
	 "differs from the record is accepted with a warning (a NIK never changes).  One active\n"
	 "record per NIK in the district.  'end' closes the worker's enrolments too; --reason is one\n"
	 "of: meninggal dunia, pindah domisili, tidak memenuhi syarat, mengundurkan diri, usia di\n"
	 "atas batas, terdaftar ganda, beralih ke penerima upah (the first word is enough); a date\n"
	 "in the future is refused; a death with no heir registered is warned.  list and search\n"
	 "show active workers unless --all.  A KPJ has 11 digits and belongs to one person: a\n"
	 "second worker with the same KPJ is refused, naming its holder.  --file reads the file\n"
	 "BPJS returns after a registration (a NIK and a KPJ column, title lines above allowed),\n"
	 "sets every KPJ that matches an active worker, and lists the rows that did not (exit 2).\n")},
	{"heir", cmd_heir, N_("add an heir (ahli waris) of a worker"),
	 N_("usage: sinkron heir add WORKER --name NAME --relationship REL [--nik NIK] [--phone NO]\n"
	 "\n"
	 "REL: suami, istri, anak, ayah, ibu, orang tua, saudara kandung, kakek, nenek, cucu,\n"
	 "mertua, pihak lain.  The heir receives the JKM death benefit (Rp42,000,000).\n")},
	{"enrol", cmd_enrol, N_("enrol a worker in JKK, JKM or JHT; change or end an enrolment"),
	 N_("usage: sinkron enrol WORKER --program JKK|JKM|JHT|JKK+JKM --funder FUNDER\n"
	 "                    [--decree NO] [--start 2024-03] [--income RUPIAH] [--decision NO]\n"
	 "       sinkron enrol change WORKER --from 2025-01 [--program P] [--funder FUNDER] [--income RUPIAH]\n"
	 "       sinkron enrol end WORKER --program P --reason REASON [--date DATE]\n"
	 "\n"
	 "FUNDER: one of the list 'sinkron funder list' shows (APBD Kota, APBD Provinsi, APBD\n"
	 "Kabupaten, Mandiri, and those the city adds).  Its scheme decides the programmes it\n"
	 "pays (APBD: JKK and JKM only), the bracket (APBD: Rp1,000,000 whatever the income), the\n"
	 "ages it covers (APBD: 18 to 65) and how far back --start may go: a start in a past month\n"
	 "needs --decision, the number of the decision that allows it, which is recorded.\n"
	 "--start is the first month covered (default: this month).  One active enrolment per\n"
	 "programme per NIK.  'change' ends the open enrolments the day before --from and carries\n"
	 "them on with the new funder or bracket, so the history is kept.  'end' closes one\n"
	 "programme (reasons as for 'worker end'); an end date in the future is refused.\n")},
	{"funder", cmd_funder, N_("the funders and their schemes"),
	 N_("usage: sinkron funder list\n"
	 "       sinkron funder add|set NAME --programs JKK+JKM [--kind apbd|csr|self|other]\n"
	 "                    [--bracket RUPIAH] [--ages 18-65] [--ages-warn] [--backdate-months N]\n"
	 "                    [--regulation TEXT] [--inactive]\n"
	 "\n"
	 "Who pays and on what terms, kept as data: the programmes the scheme pays, the income\n"
	 "bracket it pays at (none: the worker's declared bracket, never below Rp1,000,000), the\n"
	 "ages it covers (outside them an enrolment is refused, or only warned with --ages-warn),\n"
	 "and how many months before the current one a start may lie without a decision.  Names\n"
	 "are compared without case: 'APBD kota' is 'APBD Kota'.\n")},
	{"import", cmd_import, N_("import a spreadsheet (CSV) of workers"),
	 N_("usage: sinkron import FILE.csv [--funder FUNDER [--start 2024-03] [--decision NO]] [--dry-run] [--reject FILE]\n"
	 "       sinkron import --template [FILE]\n"
	 "\n"
	 "Reads a CSV saved by Excel, LibreOffice or Google Sheets (comma or semicolon), with a\n"
	 "header line in Bahasa Indonesia or English in any order: NIK, No KK, Nama, Tempat Lahir,\n"
	 "Tanggal Lahir, Jenis Kelamin (L/P), Alamat, Kelurahan, No HP, Pekerjaan, Tempat Kerja,\n"
	 "Penghasilan.  Good rows are added; a NIK already registered is updated where it\n"
	 "differs, so importing the same file twice changes nothing.  Each bad row is reported\n"
	 "(line, field, reason) and copied, with the reason, to FILE.rejected.csv beside the\n"
	 "input: correct it there and import that file.  --funder also enrols each new worker in\n"
	 "JKK and JKM.  --dry-run checks without changing anything.  --template writes an empty\n"
	 "file with the header.  Exit 0 when every row went in, 2 when some were rejected.\n")},
	{"export", cmd_export, N_("write the file for BPJS: whom to register, whom to deregister"),
	 N_("usage: sinkron export [FILE] [--mode new|ended|all] [--since YYYY-MM-DD] [--comma]\n"
	 "       sinkron export --columns\n"
	 "\n"
	 "--mode new: the active workers with an enrolment and no KPJ yet (to register); ended:\n"
	 "the enrolments ended (deaths included) from --since to today (to deregister); all (the\n"
	 "default): every active enrolled worker.  A record the city marked as a duplicate of\n"
	 "another is never exported.  One line per worker and funder, with the heirs.  Written to\n"
	 "FILE (readable by its owner only; never through a symlink) or standard output, as the\n"
	 "Indonesian Excel reads CSV: ';' between fields, UTF-8 with a BOM, CRLF (--comma: ',' and\n"
	 "no BOM).  A cell starting with =, +, -, @ is written behind an apostrophe so no\n"
	 "spreadsheet runs it.  The columns are the rows of the table export_columns, which the\n"
	 "city may change; --columns lists them and the fields known.\n")},
	{"deaths", cmd_deaths, N_("the month's deaths with their heirs, for the JKM claims"),
	 N_("usage: sinkron deaths --month YYYY-MM\n"
	 "\n"
	 "Lists the workers ended with the reason 'meninggal dunia' in the month, by district: NIK,\n"
	 "name, KPJ, whether they were enrolled in JKM (the benefit is Rp42,000,000) and their heirs\n"
	 "with relationship, NIK and phone; a death with no heir registered is marked so, with\n"
	 "what to do.  At the city it covers every district.\n")},
	{"bill", cmd_bill, N_("the premium of a month per funder"),
	 N_("usage: sinkron bill --month YYYY-MM [--csv]\n"
	 "\n"
	 "Counts the enrolments covering the month and prices them with the rates in force on\n"
	 "its first day (JKK 1% of the income bracket, JKM Rp6,800: kept as data in the rates\n"
	 "table with the regulation they come from), per funder and programme.\n")},
	{"status", cmd_status, N_("what waits to be sent, in plain words"),
	 N_("usage: sinkron status [--json]\n"
	 "\n"
	 "Says how many changes are not yet sealed, how many change-sets wait to reach the city,\n"
	 "and the size of the register.  --json prints the same for programs.\n")},
	{"seal", cmd_seal, N_("turn pending changes into change-sets (the agent does this itself)"),
	 N_("usage: sinkron seal [--max-bytes N]\n"
	 "\n"
	 "Writes every change not yet sealed as change-sets, each at most N bytes compressed\n"
	 "(default 32768), as commits on this office's branch of the local repository beside\n"
	 "the database (office.db -> office.git).\n")},
	{"log", cmd_log, N_("the history of change-sets"),
	 N_("usage: sinkron log [--origin CODE] [--limit N]\n"
	 "\n"
	 "Lists the change-sets this database holds, sealed here or received: when, from which\n"
	 "office, how many rows, and the state digest after each.\n")},
	{"verify", cmd_verify, N_("recompute the state digest and compare"),
	 N_("usage: sinkron verify [--repair]\n"
	 "\n"
	 "Recomputes the digest of every row and compares it with the one kept up to date;\n"
	 "exit 1 when they differ, naming the rows that changed without being captured.\n"
	 "--repair makes sinkron's capture triggers again (dropped or changed with another SQLite\n"
	 "tool) and records every row whose values differ from what was last sealed, so the next\n"
	 "seal sends them.\n")},
	{"apply", cmd_apply, N_("apply change-sets from a repository"),
	 N_("usage: sinkron apply [--from REPO] [BRANCH]...\n"
	 "\n"
	 "Applies the change-sets on BRANCH (a district code such as 96.71.01, 'central', or a\n"
	 "ref) of REPO; without BRANCH, every district branch and central of REPO, or, without\n"
	 "--from, what the last sync fetched from the central repository.\n"
	 "Change-sets already applied are skipped; one that is refused stops its branch and is\n"
	 "reported (exit 1) while the other branches go on.\n")},
	{"sync", cmd_sync, N_("one round with the central repository, in the foreground"),
	 N_("usage: sinkron sync [--config FILE]\n"
	 "\n"
	 "Seals what is pending, sends this office's change-sets to the central repository in\n"
	 "bounded pushes (64 KiB each by default, so a short link window still makes progress),\n"
	 "fetches what the city (for the city: the districts) wrote, applies it, and says what it\n"
	 "did.  A transfer that moves no byte for its deadline (60 s by default) is given up: a link\n"
	 "that drops or goes silent costs at most that operation, and the next sync goes on from\n"
	 "the last change-set that arrived whole; a slow link that keeps moving is not cut.  Exit 1\n"
	 "when the central repository could not be reached.\n"
	 "\n"
	 "The configuration is FILE, else $SINKRON_CONFIG, else the database's name with .conf\n"
	 "(office.db -> office.conf).  It must be readable by its owner only (chmod 600): it holds\n"
	 "the office's login.  Settings, 'key = value' lines:\n"
	 "  central = URL          a path or USB stick, git://, http(s)://, ssh:// (else the one\n"
	 "                         given to 'sinkron init --central')\n"
	 "  username, password     the office's login on the city's web server\n"
	 "  ca_file = FILE         the CA certificate of the city's own HTTPS server\n"
	 "  ssh_key, ssh_pubkey    key files for ssh:// (else the ssh agent); the server's host\n"
	 "                         key must be in ~/.ssh/known_hosts (ssh-keyscan gives the line)\n"
	 "  deadline = 60          seconds a transfer may go without moving a byte\n"
	 "  push_limit = 65536     bytes one push may carry\n"
	 "  changeset_bytes = 32768  bytes one change-set may hold, compressed\n"
	 "  interval = 300         seconds between rounds when all is well (agent)\n"
	 "  serve = 127.0.0.1:8080 the office's web pages from the agent itself (see 'sinkron help serve');\n"
	 "  serve_cert, serve_key  its TLS certificate and key (PEM), needed off loopback\n"
	 "  backoff_first = 2, backoff_cap = 900   seconds before retrying after a failure (agent)\n"
	 "  log = FILE | syslog | stderr, log_level = debug | info | warning | error (agent)\n")},
	{"agent", cmd_agent, N_("sync in the background for as long as it runs"),
	 N_("usage: sinkron agent [--config FILE] [--daemon]\n"
	 "\n"
	 "Runs rounds like 'sinkron sync' for ever: after a success the next round comes after\n"
	 "'interval'; after a failure it retries with exponential backoff and jitter, first within\n"
	 "seconds, at most every 15 minutes, and starts again from the last change-set that\n"
	 "arrived whole.  One agent per database (office.lock).  SIGTERM ends the current step\n"
	 "cleanly and stops; SIGHUP reloads the configuration.  --daemon detaches from the\n"
	 "terminal and logs to the configured log (default office.log).  scripts/sinkron-agent.service\n"
	 "runs it under systemd.  'sinkron status' shows how far it got.\n")},
	{"consolidate", cmd_consolidate, N_("the city: apply every district's change-sets, checked"),
	 N_("usage: sinkron consolidate [--from REPO]\n"
	 "\n"
	 "Brings the city's database up to date with every district branch fetched by the last\n"
	 "sync (or of REPO, e.g. a USB stick brought in by hand).  Each change-set is checked first:\n"
	 "it must decode within bounds, come from the district whose branch carries it, follow\n"
	 "that district's previous one, carry no clock more than a day ahead of the city's, touch\n"
	 "only that district's records and none of the city's fields, and leave the district's data\n"
	 "with the digest the district recorded.  One that fails is quarantined with the reason and\n"
	 "that district's later change-sets wait behind it; the other districts go on.  Then each\n"
	 "district gets a receipt (its last change-set applied, the digest of its data here),\n"
	 "sealed for the next sync.  Exit 1 when something was quarantined or waits.\n")},
	{"quarantine", cmd_quarantine, N_("the city: change-sets held back, and decisions on them"),
	 N_("usage: sinkron quarantine [--all]\n"
	 "       sinkron quarantine release ID\n"
	 "       sinkron quarantine reject ID\n"
	 "\n"
	 "Lists the change-sets consolidation refused (--all: also those decided), with the reason.\n"
	 "'release' applies it at the next consolidation without the clock and digest checks (after\n"
	 "the office's date was checked, say); the format and ownership checks always apply.\n"
	 "'reject' skips it for good and lets the district's later change-sets through.  ID: the\n"
	 "first characters of the id shown.\n")},
	{"duplicates", cmd_duplicates, N_("the city: people registered twice (same NIK)"),
	 N_("usage: sinkron duplicates\n"
	 "       sinkron duplicates decide NIK --keep ID\n"
	 "\n"
	 "Lists every NIK active in two districts, or twice in one, with the records side by side\n"
	 "(district, name, birth date, kelurahan, phone, enrolments).  They are never merged or\n"
	 "overwritten silently: 'decide' keeps the record ID and marks the others as its duplicates\n"
	 "(the city's field duplicate_of, shown by 'sinkron worker show' as Verifikasi); the\n"
	 "districts receive the decision with their next sync, and the district that holds a\n"
	 "duplicate ends it there ('sinkron worker end ID --reason duplikat').  Duplicates are not\n"
	 "billed from the moment of the decision.\n")},
	{"report", cmd_report, N_("enrolment, the monthly bill and the budget: text, CSV, HTML"),
	 N_("usage: sinkron report [--year YYYY] [--month YYYY-MM] [--csv DIR] [--xlsx FILE] [--html FILE]\n"
	 "\n"
	 "What the city admin asks, from this database (the city's, or a district's own):\n"
	 "- how many workers are active and enrolled, by district, kelurahan, occupation and\n"
	 "  funder (enrolments in force in --month, with their premium for that month);\n"
	 "- what each funder pays month by month over --year, and whether its budget lasts:\n"
	 "  'the APBD Kota budget for 2024 runs out in June 2024: 5 months of 12 paid'.\n"
	 "Each month is billed for every enrolment covering it on any day (a worker enrolled\n"
	 "for part of the year is paid for only those months), at the rate in force on the\n"
	 "month's first day, from the rates table.  Months still to come are billed from the\n"
	 "enrolments as they stand: the month the budget runs out is at the present rate.\n"
	 "Set budgets with 'sinkron budget set'.\n"
	 "\n"
	 "--year defaults to this year (or that of --month); --month to this month, or for\n"
	 "another year its December (past) or January (future).  The text goes to standard\n"
	 "output; --csv DIR also writes one CSV per table (districts, kelurahan, occupations,\n"
	 "funders, bill-YEAR, budget-YEAR; amounts in whole rupiah; ';', UTF-8 with a BOM, CRLF, as\n"
	 "the Indonesian Excel reads them), --xlsx FILE the same tables as the sheets of one\n"
	 "workbook, and --html FILE one page with charts that any browser opens from a USB stick\n"
	 "with no network.  The files are\n"
	 "readable by their owner only: they hold the city's figures.\n")},
	{"budget", cmd_budget, N_("set or list a funder's budget for a year"),
	 N_("usage: sinkron budget set YEAR AMOUNT [--funder FUNDER]\n"
	 "       sinkron budget remove YEAR [--funder FUNDER]\n"
	 "       sinkron budget [list]\n"
	 "\n"
	 "The money a funder has for the premiums of a year, which 'sinkron report' sets against\n"
	 "the monthly bill.  FUNDER defaults to 'APBD Kota' and must be written as in the\n"
	 "enrolments (a warning says when nothing of that funder is billed in YEAR).  AMOUNT in\n"
	 "rupiah: 2200000000, Rp2.200.000.000, 2,200,000,000 or '2,2 miliar'.  Setting it again\n"
	 "replaces it (e.g. after the APBD-P revision).  Budgets stay in this database: they are\n"
	 "not sent to the districts.\n")},
	{"repair", cmd_repair, N_("rebuild a damaged local repository without losing anything"),
	 N_("usage: sinkron repair [--offline] [--config FILE]\n"
	 "\n"
	 "For an office whose sync fails every time because its repository (office.git beside\n"
	 "office.db) is damaged: objects missing, a pack corrupted.  Stop the agent first.  repair\n"
	 "moves the damaged repository aside (office.git.damaged-YYYYmmdd-HHMMSS, kept for the\n"
	 "IT staff), makes a new one, copies into it every object of the old one that still reads\n"
	 "whole, and fetches from the central repository this office's own branch (all it ever\n"
	 "sent).  If the last change-set the database sealed is then whole, nothing was lost and\n"
	 "the branch goes back to it.  If change-sets sealed here never reached the city and\n"
	 "cannot be read any more, their contents are still in the database: the rows this office\n"
	 "changed since the last whole change-set go back into the outbox and are sealed again at\n"
	 "once, under the same numbers; the next 'sinkron sync' sends them.  --offline repairs from\n"
	 "what is left here alone (no central repository); it may then seal again more than was\n"
	 "lost, never less.  If the central repository holds change-sets of this office that the\n"
	 "database does not know (the database is an older copy), repair refuses: 'sinkron restore\n"
	 "--replace' is the way back then.  Exit 0 repaired, 1 failed (nothing in the database\n"
	 "changed), 2 bad usage.\n")},
	{"restore", cmd_restore, N_("a district or the city as it was at a past point, checked"),
	 N_("usage: sinkron restore --at DATE|COMMIT|TAG --out FILE [--district CODE]\n"
	 "       sinkron restore --at DATE|COMMIT|TAG --replace\n"
	 "       sinkron restore --undo-to DATE|COMMIT\n"
	 "\n"
	 "Writes a new database FILE holding the records as they were at the point, from this\n"
	 "office's own repository (office.db -> office.git): no link is needed.  A district\n"
	 "restores itself; the city restores every district it has received and its own changes,\n"
	 "or with --district CODE that district alone, exactly as the district had it.\n"
	 "\n"
	 "The point: a date, 2024-02-28 (the end of that day) or \"2024-02-28 14:00\" (the end of\n"
	 "that minute), in this computer's time zone; or a change-set's commit (see 'sinkron log');\n"
	 "or a snapshot's NAME (see 'sinkron snapshots').  For a date each office's history is\n"
	 "taken up to its last change-set stamped at or before it by the office's change-set\n"
	 "clock (its computer's clock, moved forward past anything it had received from the city,\n"
	 "so a change made after seeing the city's never counts as earlier); a change-set sealed\n"
	 "while that clock ran more than a day ahead is marked in the output.\n"
	 "\n"
	 "The restored copy's digest is recomputed from its rows and compared with the digest the\n"
	 "office recorded at that point (the city: each district's, where the city changed none of\n"
	 "its records in between; a snapshot: the one it recorded); the output says which.  If\n"
	 "they differ, or a repository object is damaged, restore says so loudly, names the\n"
	 "change-set or object, exits 1 and leaves no file.  FILE must not exist.\n"
	 "\n"
	 "--replace rebuilds the live database itself (lost or damaged) at the office's latest\n"
	 "change-set, after keeping the current file as DB.before-restore-YYYYmmdd-HHMMSS; stop\n"
	 "the agent first.  It refuses an earlier point: that would make the office's next\n"
	 "change-sets clash with ones the city already has.\n"
	 "\n"
	 "--undo-to DATE|COMMIT (at a district) brings this district's records back to what they\n"
	 "were at the point, for example after yesterday's bad import: records changed since get\n"
	 "their old values back, records this office added since are removed, records deleted\n"
	 "since stay deleted (a delete is final).  Nothing in the history is rewritten: the undo is\n"
	 "ordinary changes, sealed at once as new change-sets, so the city sees this district\n"
	 "changing and removing those records at the next sync, by the operator who ran the undo,\n"
	 "and 'sinkron diff' shows them.  Other districts' records are never touched; the city\n"
	 "cannot run it, since a district's records are changed only by that district.\n"
	 "\n"
	 "Restores keep checkpoints (copies of restored states, checked by their digest) in\n"
	 "office.checkpoints/ beside the database, so the next restore applies only what came\n"
	 "after the nearest one; --no-checkpoints neither uses nor writes them.\n")},
	{"snapshot", cmd_snapshot, N_("name the present state (e.g. the one a bill was computed from)"),
	 N_("usage: sinkron snapshot NAME [--note TEXT]\n"
	 "\n"
	 "Seals what is pending, then records the present state under NAME as an annotated git tag\n"
	 SK_REF_SNAPSHOT "NAME in the local repository: the date, who took it, the note, the\n"
	 "digest of the whole database, and for every office the last change-set it holds and its\n"
	 "digest.  'sinkron restore --at NAME' rebuilds exactly that state and proves it by the\n"
	 "digest.  A name is never reused or moved.  Example: sinkron snapshot bill-2024-03\n"
	 "--note \"APBD bill for March\"\n")},
	{"snapshots", cmd_snapshots, N_("list the named snapshots"),
	 N_("usage: sinkron snapshots\n"
	 "\n"
	 "Lists the snapshots in the local repository: name, when and by whom it was taken, how\n"
	 "many offices it covers, its digest and its note.\n")},
	{"diff", cmd_diff, N_("which workers were added, changed or ended between two points"),
	 N_("usage: sinkron diff A B [--district CODE]\n"
	 "\n"
	 "A and B are points as for restore: dates, commits or snapshot names.  Restores both into\n"
	 "temporary files (checked as restore checks them) and lists each worker that differs:\n"
	 "added, changed (with the fields that changed), ended (status became ended), or removed;\n"
	 "then the counts.  At the city --district CODE compares that district alone.\n")},
	{"serve", cmd_serve, N_("the office's web pages (clerks log in with their own accounts)"),
	 N_("usage: sinkron serve [--listen ADDR:PORT] [--cert FILE --key FILE] [--config FILE]\n"
	 "                     [--upload-limit BYTES] [--idle-timeout SECONDS] [--session-idle SECONDS]\n"
	 "                     [--max-connections N]\n"
	 "\n"
	 "Serves the office's pages, in Bahasa Indonesia, to a browser: Beranda, Pekerja, Daftar\n"
	 "baru, Ubah, Akhiri kepesertaan, Ahli waris, Kepesertaan, Impor and Kirim sekarang.\n"
	 "--listen defaults to 127.0.0.1:8080.  Plain HTTP only on this computer (loopback); any\n"
	 "other address needs TLS: --cert and --key (PEM files; scripts/web-cert makes them for the\n"
	 "office).  Each clerk logs in with an account of their own ('sinkron user add'), and every\n"
	 "change is recorded with that account's name.  An upload (a spreadsheet) may hold at most\n"
	 "--upload-limit bytes (8 MiB); a connection that sends nothing for --idle-timeout seconds\n"
	 "(30) is closed; a session unused for --session-idle seconds (1800) ends.  The agent serves\n"
	 "the same pages when its configuration has 'serve = ADDR:PORT' (and 'serve_cert',\n"
	 "'serve_key' off loopback).  SIGTERM or Ctrl-C stops it.\n")},
	{"user", cmd_user, N_("accounts for the web pages, kept in this database only"),
	 N_("usage: sinkron user add NAME [--role petugas|kepala]\n"
	 "       sinkron user list\n"
	 "       sinkron user disable NAME | enable NAME\n"
	 "       sinkron user passwd NAME\n"
	 "\n"
	 "Accounts of the clerks (petugas) and the head of office (kepala) who use 'sinkron serve'.\n"
	 "They stay in this office's database and are never sent to the city.  The password is\n"
	 "asked on the terminal (twice), or read from the first line of standard input, never\n"
	 "from the command line; at least 8 characters; stored hashed with Argon2id.  A disabled\n"
	 "account is logged out at its next request.\n")},
	{"help", cmd_help, N_("help on a verb"), N_("usage: sinkron help [VERB]\n")},
	{NULL, NULL, NULL, NULL},
};

int cmd_help(int argc, char **argv)
{
	const struct cmd *c;
	if (argc > 1) {
		if (!(c = cli_verb(argv[1]))) {
			fprintf(stderr, _("sinkron: no verb '%s'; 'sinkron help' lists them\n"), argv[1]);
			return EXIT_USAGE;
		}
		fputs(_(c->help), stdout);
		fputs(_(exit_help), stdout);
		return EXIT_OK;
	}
	fputs(_(general_help), stdout);
	for (c = commands; c->name; c++)
		printf("  %-9s %s\n", c->name, _(c->summary));
	fputs(_(exit_help), stdout);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	const struct cmd *c;
	int i = 1;

	/* what sinkron writes (databases, repositories, checkpoints, exports, logs) holds personal
	 * data: its owner's only, whatever the umask of the shell or service that started it */
	umask(umask(077) | 077);
	i18n_from_env();
	cli_verbs = commands;
	g_opts.db_path = getenv("SINKRON_DB");
	if (!g_opts.db_path || !*g_opts.db_path)
		g_opts.db_path = "sinkron.db";
	g_opts.operator_name = getenv("SINKRON_OPERATOR");
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-C") || !strcmp(a, "--db") || !strcmp(a, "--operator")) {
			if (i + 1 >= argc) {
				fprintf(stderr, _("sinkron: %s needs a value\n"), a);
				return EXIT_USAGE;
			}
			if (!strcmp(a, "-C")) {
				if (chdir(argv[i + 1]) < 0) {
					fprintf(stderr, _("sinkron: cannot change to '%s': %s\n"), argv[i + 1], strerror(errno));
					return EXIT_USAGE;
				}
			} else if (!strcmp(a, "--db")) {
				g_opts.db_path = argv[i + 1];
			} else {
				g_opts.operator_name = argv[i + 1];
			}
			i++;
		} else if (!strncmp(a, "--db=", 5)) {
			g_opts.db_path = a + 5;
		} else if (!strncmp(a, "--operator=", 11)) {
			g_opts.operator_name = a + 11;
		} else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			g_opts.verbose++;
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			g_opts.quiet = 1;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			return cmd_help(1, argv);
		} else if (!strcmp(a, "--version")) {
			printf("sinkron 0.1\n");
			return EXIT_OK;
		} else {
			fprintf(stderr, _("sinkron: unknown option '%s'; 'sinkron help' lists the options\n"), a);
			return EXIT_USAGE;
		}
	}
	if (i >= argc)
		return cmd_help(1, argv), EXIT_USAGE;
	if (!(c = cli_verb(argv[i]))) {
		fprintf(stderr, _("sinkron: no verb '%s'; 'sinkron help' lists them\n"), argv[i]);
		return EXIT_USAGE;
	}
	for (int k = i + 1; k < argc; k++) {
		if (!strcmp(argv[k], "--"))
			break;
		if (!strcmp(argv[k], "--help") || !strcmp(argv[k], "-h")) {
			char help[] = "help", *hv[2] = {help, argv[i]};
			return cmd_help(2, hv);
		}
	}
	return c->fn(argc - i, argv + i);
}

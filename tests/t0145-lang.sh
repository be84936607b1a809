#!/bin/bash
# t0145-lang: the command line speaks the language LANG asks for: under LANG=id_ID.UTF-8 status,
# an engine's error, an import's summary and its rejects, a usage error and help's list of verbs
# are in Indonesian; under LANG=C they are the English of always; the exit codes and the CSV are
# the same in both.  And every message the command line marks for the catalogue is in po/id.po,
# translated.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
unset LANGUAGE LC_ALL LC_MESSAGES
ID="env LANG=id_ID.UTF-8"
EN="env LANG=C"

$EN $SINKRON init 96.71.01 >out 2>err
check "init in English" 'grep -q "^created sinkron.db for distrik Sorong (96.71.01)" out'
rm -f sinkron.db
$ID $SINKRON init 96.71.01 >out 2>err
check "init in Indonesian" 'grep -q "^sinkron.db dibuat untuk distrik Sorong (96.71.01)" out && grep -q "repositori pusat belum ada" err'

$EN $SINKRON status >en 2>&1
$ID $SINKRON status >id 2>&1
check "status in English" 'grep -q "^Distrik Sorong (96.71.01): 0 active worker(s), 0 ended, 0 active enrolment(s)$" en && grep -q "^no agent is running for this database, and no central repository is set$" en'
check "status in Indonesian" 'grep -q "^Distrik Sorong (96.71.01): 0 pekerja aktif, 0 berakhir, 0 kepesertaan aktif$" id && grep -q "^tidak ada agen yang berjalan untuk database ini, dan repositori pusat belum diatur$" id'
check "status --json is the same in both" '[ "$($EN $SINKRON status --json)" = "$($ID $SINKRON status --json)" ]'

# an error the engine makes, with its values put into the translation
$EN $SINKRON worker show 7405174309810093 >out 2>en; ren=$?
$ID $SINKRON worker show 7405174309810093 >out 2>id; rid=$?
check "an engine's error in English" 'grep -q "^sinkron: no worker with id or NIK .7405174309810093. in Sorong$" en'
check "an engine's error in Indonesian" 'grep -q "^sinkron: tidak ada pekerja dengan id atau NIK .7405174309810093. di Sorong$" id'
check "... the same exit code" '[ $ren -eq 1 ] && [ $rid -eq 1 ]'

# an import's summary and its rejects
cp "$TOP/tests/data/workers-bad.csv" bad.csv
$EN $SINKRON import bad.csv >en 2>enerr; ren=$?
cp bad.rejected.csv en.rejected.csv
$ID $SINKRON import bad.csv >id 2>iderr; rid=$?
check "import's summary in English" 'grep -q "^bad.csv: 300 row(s): 0 added, 0 updated, 0 unchanged, 300 rejected$" en && grep -q "^rejected rows, with the reason, are in bad.rejected.csv" en'
check "import's summary in Indonesian" 'grep -q "^bad.csv: 300 baris: 0 ditambahkan, 0 diperbarui, 0 tidak berubah, 300 ditolak$" id && grep -q "^baris yang ditolak, dengan alasannya, ada di bad.rejected.csv" id'
check "import's rejects in English" 'grep -q "^line 50: error: NIK: NIK has birth month 13" enerr && grep -q "^(more problems not shown" enerr'
check "import's rejects in Indonesian" 'grep -q "^baris 50: kesalahan: NIK: NIK berbulan lahir 13" iderr && grep -q "^(masalah lain tidak ditampilkan" iderr'
check "... the same exit code (2) and the same reject file" '[ $ren -eq 2 ] && [ $rid -eq 2 ] && cmp -s en.rejected.csv bad.rejected.csv'
$EN $SINKRON import "$TOP/tests/data/workers-good.csv" --dry-run >en 2>/dev/null
$ID $SINKRON import "$TOP/tests/data/workers-good.csv" --dry-run >id 2>/dev/null
check "a dry run in both" 'grep -q "300 added.*(dry run: nothing was changed)$" en && grep -q "300 ditambahkan.*(uji coba: tidak ada yang diubah)$" id'

# a usage error: the message and the verb's usage in the language, the flags as they are
$EN $SINKRON bill --month 2026-13 >out 2>en; ren=$?
$ID $SINKRON bill --month 2026-13 >out 2>id; rid=$?
check "a usage error in English" 'grep -q "^sinkron bill: month .2026-13. is not a month like 2024-03$" en && grep -q "^usage: sinkron bill" en'
check "a usage error in Indonesian" 'grep -q "^sinkron bill: bulan .2026-13. bukan bulan seperti 2024-03$" id && grep -q "^pemakaian: sinkron bill --month TTTT-BB" id'
check "... exit 2 in both" '[ $ren -eq 2 ] && [ $rid -eq 2 ]'
$ID $SINKRON status --frob >out 2>id
check "an unknown option in Indonesian" 'grep -q "^sinkron status: opsi .--frob. tidak dikenal$" id'
$ID $SINKRON frobnicate >out 2>id; rid=$?
check "an unknown verb in Indonesian, exit 2" '[ $rid -eq 2 ] && grep -q "^sinkron: tidak ada perintah .frobnicate." id'

# help's list of verbs
$EN $SINKRON help >en
$ID $SINKRON help >id
check "help in English" 'grep -q "^  status    what waits to be sent, in plain words$" en && grep -q "^Exit status: 0 done" en'
check "help in Indonesian" 'grep -q "^  status    apa yang menunggu dikirim, dalam kata-kata biasa$" id && grep -q "^Status keluar: 0 selesai" id'
check "LANG=id alone, LC_ALL and LC_MESSAGES choose Indonesian too" \
	'env LANG=id $SINKRON help | grep -q "^Perintah:" && env LANG=C LC_ALL=id_ID.UTF-8 $SINKRON help | grep -q "^Perintah:" && env LANG=C LC_MESSAGES=id_ID.UTF-8 $SINKRON help | grep -q "^Perintah:"'
check "another language is English" 'env LANG=fr_FR.UTF-8 $SINKRON help | grep -q "^Verbs:"'

# each verb's help: under Indonesian no line of it is the English one, the usage keeps the flags
verbs=$($EN $SINKRON help | sed -n 's/^  \([a-z]*\) .*/\1/p')
nv=0; english=; bare=
for v in $verbs; do
	nv=$((nv + 1))
	$EN $SINKRON help "$v" >en
	$ID $SINKRON help "$v" >id
	grep -v '^$' en | grep -Fx -f - id >same
	[ -s same ] && english="$english $v"
	{ head -n 1 id | grep -q "^pemakaian: sinkron $v" && [ "$($ID $SINKRON "$v" --help)" = "$(cat id)" ]; } || bare="$bare $v"
done
check "the verbs are read from help ($nv)" '[ "$nv" -ge 29 ]'
check "no verb's help has an English line in Indonesian (${english:-none})" '[ -z "$english" ]'
check "... each begins 'pemakaian: sinkron VERB' and is VERB --help too (${bare:-all do})" '[ -z "$bare" ]'
check "help worker in Indonesian: its words and its flags" '$ID $SINKRON help worker >id; grep -q "^Tanggal ditulis 31/12/1980" id && grep -q -- "--nik NIK --name NAMA --birth-date TANGGAL" id && grep -q "kepesertaan pekerja itu" id'
check "help worker in English as always" '$EN $SINKRON help worker >en; grep -q "^usage: sinkron worker add --nik NIK --name NAME --birth-date DATE" en && grep -q "^Dates as 31/12/1980" en'

# the report's conclusion: the engine's English lines, read in the catalogue's words
mkdir city && (cd city && $EN $SINKRON init --city 96.71 && $EN $SINKRON budget set 2026 2200000000) >/dev/null 2>&1
(cd city && $EN $SINKRON report --year 2026 >../en 2>&1; $ID $SINKRON report --year 2026 >../id 2>&1)
check "report's conclusion in English" 'grep -q "^  the APBD Kota budget for 2026: nothing billed, Rp2,200,000,000 left$" en && grep -q "^BUDGET 2026$" en'
check "report's conclusion in Indonesian" 'grep -q "^  anggaran APBD Kota untuk 2026: belum ada tagihan, sisa Rp2\.200\.000\.000$" id && grep -q "^ANGGARAN 2026$" id'
# the report's tables: their headings and the months in the reader's language, laid out as in English
(cd city && $EN $SINKRON report --month 2026-05 >../en 2>&1; $ID $SINKRON report --month 2026-05 >../id 2>&1)
months_en="January February March April May June July August September October November December"
months_id="Januari Februari Maret April Mei Juni Juli Agustus September Oktober November Desember"
every() { local w; for w in $2; do grep -q "^  $w 2026 " "$1" || return 1; done; }
check "report's tables in English" 'grep -q "in force in May 2026\.$" en && grep -q "^  code  *distrik  *workers  .*premium May 2026$" en && grep -q "^MONTHLY BILL 2026: APBD Kota (budget Rp2,200,000,000)$" en && grep -q "^  month  *people  .*total  *cumulative  *budget left$" en && every en "$months_en" && grep -q "^  year  " en'
check "report's tables in Indonesian" 'grep -q "yang berlaku pada Mei 2026\.$" id && grep -q "^KEPESERTAAN PER DISTRIK$" id && grep -q "^  kode  *distrik  *pekerja  .*iuran Mei 2026$" id && grep -q "^TAGIHAN BULANAN 2026: APBD Kota (anggaran Rp2\.200\.000\.000)$" id && grep -q "^  bulan  *orang  .*jumlah  *kumulatif  *sisa anggaran$" id && every id "$months_id" && grep -q "^  setahun  " id'
check "... and no English month or heading left" '! grep -E "January|February|March|June|July|August|October|December|May|premium|workers|ENROLMENT|MONTHLY|cumulative" id'
check "... the same figures in both, grouped as each language writes them" '[ -n "$(grep -o "Rp[0-9,]*" en)" ] && [ "$(grep -Eo "Rp[0-9]+(,[0-9]{3})*" en | tr , .)" = "$(grep -Eo "Rp[0-9]+(\.[0-9]{3})*" id)" ] && ! grep -q "Rp[0-9]*,[0-9]" id'
(cd city && $EN $SINKRON budget >../en; $ID $SINKRON budget >../id)
check "budget list's heading in both, its amounts grouped as each language writes them" 'head -n 1 en | grep -q "^year   funder  *budget$" && head -n 1 id | grep -q "^tahun  pemberi dana  *anggaran$" && [ "$(sed 1d en | tr , .)" = "$(sed 1d id)" ]'
$EN $SINKRON funder list >en; $ID $SINKRON funder list >id
check "funder list's rows in both" 'grep -q "^APBD Kota  *apbd   JKK+JKM      bracket Rp1,000,000      ages 18-65 (refuse)  back 0 month(s)  " en && grep -q "^APBD Kota  *apbd   JKK+JKM      dasar iuran Rp1\.000\.000  *usia 18-65 (di luar: ditolak)  boleh mundur 0 bulan  " id'

# the bill's CSV is for programs: the same in both languages
check "bill --csv is the same in both" '[ "$($EN $SINKRON bill --month 2026-01 --csv)" = "$($ID $SINKRON bill --month 2026-01 --csv)" ]'

# the catalogue: nothing untranslated, and every message the command line marks is in it
stats=$(msgfmt --check-format --statistics -o /dev/null "$TOP/po/id.po" 2>&1)
check "po/id.po compiles with every entry translated ($stats)" '[[ "$stats" =~ ^[0-9]+\ translated\ messages\.$ ]]'
cat >pocheck.pl <<'PERL'
# pocheck.pl PO FILE...: prints each message of the program (the argument of _() and N_(), the
# format of say() and usage_error()) that PO lacks as a translated msgid; exits 1 if any.
use strict; use warnings;
my ($po, @src) = @ARGV;
my (%tr, $which, $id, $str);
open my $p, '<', $po or die "$po: $!";
sub done { $tr{$id} = $str if defined $id && $id ne ''; }
while (<$p>) {
	if (/^msgid "(.*)"$/) { done(); ($id, $str, $which) = ($1, '', 'id'); }
	elsif (/^msgstr "(.*)"$/) { ($str, $which) = ($1, 'str'); }
	elsif (/^"(.*)"$/) { if ($which eq 'id') { $id .= $1 } else { $str .= $1 } }
}
done();
my $lit = qr/"(?:[^"\\]|\\.)*"/;
my $bad = 0;
for my $f (@src) {
	open my $s, '<', $f or die "$f: $!";
	local $/; my $text = <$s>;
	while ($text =~ /(?:\bN?_\(|\bsay\(|\busage_error\([^,()]+,)\s*((?:$lit\s*)+)[,)]/g) {
		my $m = join '', map { substr($_, 1, -1) } ($1 =~ /($lit)/g);
		next if $m eq '%s';
		if (!exists $tr{$m} || $tr{$m} eq '') { print "$f: \"$m\"\n"; $bad = 1; }
	}
}
exit $bad;
PERL
perl pocheck.pl "$TOP/po/id.po" "$TOP"/agent/*.c >missing; rc=$?
check "every message marked in agent/*.c is a translated msgid of po/id.po" '[ $rc -eq 0 ] && [ ! -s missing ]' || sed 's/^/#   /' missing
n=$(grep -c '_("' "$TOP"/agent/cmd_*.c | awk -F: '{s += $2} END {print s}')
check "... and the check sees the verbs' messages ($n)" '[ "$n" -gt 100 ]'
printf '%s\n' 'static void f(void) { puts(_("a message nobody translated")); }' >fake.c
check "... and finds one missing" '! perl pocheck.pl "$TOP/po/id.po" fake.c >/dev/null'

out=$(LANG=id_ID.UTF-8 "$SINKRON" --db nowhere.db init 96.71 2>&1)
want="adalah kode kota: gunakan 'sinkron init --city 96.71'"
check "an engine message and the remedy the command line adds to it, both in Indonesian" '[[ "$out" == *"$want"* ]]'
finish

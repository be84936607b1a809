#!/bin/bash
# t0120-import: `sinkron import` reads spreadsheets as Indonesian offices save them: Indonesian or
# English headers in any order, case and spacing, comma or semicolon, DD/MM/YYYY, DD-MM-YYYY or ISO
# dates, kelurahan by name or code.  Good rows go in; each bad row is reported as
# "line N: error: FIELD: reason" and copied with the reason to NAME.rejected.csv (0600) beside the
# input; exit 2.  The same file twice changes nothing; --dry-run changes nothing; --funder enrols;
# --template; duplicate NIKs in one file; a generated file of 19,336 rows (its time is printed).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

q() { sqlite3 sinkron.db "$1"; }
dump() { sqlite3 sinkron.db "SELECT * FROM workers ORDER BY id; SELECT * FROM heirs ORDER BY id; SELECT * FROM enrolments ORDER BY id; SELECT count(*) FROM sk_outbox"; }
bit() { q "SELECT 1 << (count(*) - 1) FROM pragma_table_info('workers') WHERE cid <= (SELECT cid FROM pragma_table_info('workers') WHERE name = '$1') AND name NOT IN ('id', '_sk')"; }
worker() { q "SELECT $2 FROM workers WHERE nik = '$1' AND status = 'active'"; }

$SINKRON init 96.71.01 >/dev/null 2>&1 || skip_all "init failed"

# Indonesian headers in another order, odd case and spacing, CRLF, DD/MM/YYYY, kelurahan by name
printf '%s\r\n' \
	'  nama LENGKAP ,Jenis_Kelamin,TGL. LAHIR,kelurahan,NIK,No. HP,Alamat,PEKERJAAN,Penghasilan (Rp)' \
	'Yakobus Mambrasar,L,31/12/1980,Remu Utara,9671013112800001,081234567890,"Jl. Sungai Maruni, RT 01",Tukang Ojek,1500000' \
	'"Mama Dorkas ""Oca"" Kambuaya",P,15/05/1985,KOFKERBU,9271015505850002,,Jl. Basuki Rahmat,Mama-Mama Papua Penjual Pinang,' >id.csv
out=$($SINKRON import id.csv 2>err); rc=$?
check "Indonesian headers in any order: exit 0" '[ $rc -eq 0 ]'
check "... the summary: 2 added" '[[ "$out" == *"2 row(s): 2 added, 0 updated, 0 unchanged, 0 rejected"* ]]'
check "... no warning" '[ ! -s err ]'
check "... every field where it belongs" '[ "$(worker 9671013112800001 "name, sex, birth_date, kelurahan, phone, address, occupation, income")" = "Yakobus Mambrasar|L|1980-12-31|96.71.01.1001|081234567890|Jl. Sungai Maruni, RT 01|Tukang Ojek|1500000" ]'
check "... quotes inside a quoted name" '[ "$(worker 9271015505850002 "name || \"/\" || kelurahan || \"/\" || typeof(phone) || \"/\" || typeof(income)")" = "Mama Dorkas \"Oca\" Kambuaya/96.71.01.1003/null/null" ]'
check "... no reject file when every row went in" '[ ! -e id.rejected.csv ]'
check "... the imports are captured with the operator" '[ "$(q "SELECT count(*) FROM sk_outbox WHERE op = 1 AND tbl = 1 AND operator = \"test\"")" = 2 ]'

# English headers, semicolons, DD-MM-YYYY and ISO dates, kelurahan by code; a UTF-8 BOM
printf '\xef\xbb\xbfDate of Birth;Full Name;Sex;Village;NIK;Phone;Occupation\r\n01-01-1990;Anton Kambu;L;96.71.01.1004;9671010101900001;081211112222;Nelayan\r\n1991-02-02;Budi Santoso;l;96.71.01.1002;9671010202910002;;Petani\r\n' >en.csv
out=$($SINKRON import en.csv 2>err); rc=$?
check "English headers, ';', BOM: exit 0, 2 added" '[ $rc -eq 0 ] && [[ "$out" == *"2 added"* ]]'
check "... DD-MM-YYYY and ISO dates, kelurahan codes, sex in lower case" '[ "$(worker 9671010101900001 "birth_date || kelurahan || sex")$(worker 9671010202910002 "birth_date || kelurahan || sex")" = "1990-01-0196.71.01.1004L1991-02-0296.71.01.1002L" ]'

# the same file twice changes nothing: rows, outbox, status
rows() { q "SELECT count(*) FROM workers"; }
st0=$($SINKRON status); d0=$(dump)
out=$($SINKRON import id.csv 2>/dev/null); rc=$?
check "the same file again: exit 0, 2 unchanged" '[ $rc -eq 0 ] && [[ "$out" == *"0 added, 0 updated, 2 unchanged, 0 rejected"* ]]'
check "... no row and no outbox entry changed" '[ "$(dump)" = "$d0" ]'
check "... sinkron status is the same" '[ "$($SINKRON status)" = "$st0" ]'

# a file with fewer columns updates what differs and keeps the rest
printf 'NIK,Nama,Jenis Kelamin,Tanggal Lahir,Kelurahan,No HP\n9671013112800001,Yakobus Mambrasar,L,1980-12-31,96.71.01.1001,081299998888\n9271015505850002,Mama Dorkas "Oca" Kambuaya,P,15/05/1985,Kofkerbu,\n' >few.csv
n0=$(q "SELECT max(seq) FROM sk_outbox")
out=$($SINKRON import few.csv 2>/dev/null); rc=$?
check "a changed phone: 1 updated, 1 unchanged" '[ $rc -eq 0 ] && [[ "$out" == *"0 added, 1 updated, 1 unchanged"* ]]'
check "... op 2 with the phone bit only" '[ "$(q "SELECT op, cols FROM sk_outbox WHERE seq > $n0")" = "2|$(bit phone)" ]'
check "... the columns the file lacks are kept (address, occupation, income)" '[ "$(worker 9671013112800001 "phone, address, occupation, income")" = "081299998888|Jl. Sungai Maruni, RT 01|Tukang Ojek|1500000" ]'

# a file with bad rows, made by hand so every line is known
cat >bad.csv <<'CSV'
NIK,Nama Lengkap,Tanggal Lahir,Jenis Kelamin,Kelurahan,No HP,No KK
9671014303920003,Carolina Womsiwor,03/03/1992,P,Remu,081233330003,
967101030392004,Lima Belas,03/03/1992,L,Remu,,
9671010404930005,Dorus Kareth,04/04/1993,L,Klawalu,,
96710105059X0006,Huruf Di NIK,05/05/1995,L,Remu,,
9999010606960007,Prefix Salah,06/06/1996,L,Remu,,
9671013102970008,Tanggal Mustahil,31/02/1997,L,Remu,,
9671010707980009,Robert Kambu,07/07/1998,L,Klademak,,
9671010808990010,Tanggal Kabur,1999,L,Remu,,
9671010909000011,Kelamin Salah,09/09/2000,X,Remu,,
9671011010010012,No KK Pendek,10/10/2001,L,Remu,,96710112
9671011111020013,Hp Huruf,11/11/2002,L,Remu,0812abc,
9671013112800001,Yakobus Mambrasar,31/12/1980,L,Remu Utara,081299998888,
9671010707980009,Robert Kambu Dua,07/07/1998,L,Klademak,,
CSV
d0=$(dump)
out=$($SINKRON import bad.csv 2>err); rc=$?
check "a file with bad rows: exit 2" '[ $rc -eq 2 ]'
check "... the summary: 13 rows, 2 added, 1 unchanged, 10 rejected" '[[ "$out" == *"13 row(s): 2 added, 0 updated, 1 unchanged, 10 rejected"* ]]'
check "... names the reject file" '[[ "$out" == *"bad.rejected.csv"* ]]'
expect() { local re="^line $1: error: $2"; check "line $1 reported: $2" 'grep -Eq "$re" err'; }
expect 3 "NIK: .*16 digits"
expect 4 "Kelurahan: .*Klawalu.*not in distrik Sorong"
expect 5 "NIK: .*only digits"
expect 6 "NIK: .*9999"
expect 7 "NIK: .*does not exist"
expect 9 "Tanggal Lahir: .*1999"
expect 10 "Jenis Kelamin: "
expect 11 "No KK: "
expect 12 "No HP: "
expect 14 "NIK: .*also on line 8"
check "... errors on exactly 10 lines, no warning" '[ "$(grep "error" err | cut -d: -f1 | sort -u | wc -l)" = 10 ] && ! grep -q warning err'
check "... every message is 'line N: error: FIELD: reason'" '[ "$(grep -Evc "^line [0-9]+: error: [A-Za-z ]+: .+" err)" = 0 ]'
check "... line 7 gets both its reasons (NIK date and Tanggal Lahir)" 'grep -q "^line 7: error: NIK: " err && grep -q "^line 7: error: Tanggal Lahir: " err'
check "... the good rows are in" '[ "$(worker 9671014303920003 name)" = "Carolina Womsiwor" ] && [ "$(worker 9671010707980009 name)" = "Robert Kambu" ]'
check "... no bad row is in" '[ "$(q "SELECT count(*) FROM workers WHERE name IN (\"Lima Belas\",\"Dorus Kareth\",\"Huruf Di NIK\",\"Prefix Salah\",\"Tanggal Mustahil\",\"Tanggal Kabur\",\"Kelamin Salah\",\"No KK Pendek\",\"Hp Huruf\",\"Robert Kambu Dua\")")" = 0 ]'
check "... 2 workers more, 2 outbox entries more" '[ "$(q "SELECT count(*) FROM workers")" = 6 ] && [ "$(q "SELECT count(*) FROM sk_outbox")" = $(( $(echo "$d0" | tail -1) + 2 )) ]'
check "the reject file is beside the input, mode 0600" '[ -f bad.rejected.csv ] && [ "$(stat -c %a bad.rejected.csv)" = 600 ]'
check "... its header: Baris, the input's columns, Alasan" '[ "$(head -1 bad.rejected.csv | tr -d "\r")" = "Baris,NIK,Nama Lengkap,Tanggal Lahir,Jenis Kelamin,Kelurahan,No HP,No KK,Alasan" ]'
check "... one line per rejected row" '[ "$(tail -n +2 bad.rejected.csv | wc -l)" = 10 ]'
check "... the rows as they were, with their line and reason" 'grep -q "^3,967101030392004,Lima Belas,03/03/1992,L,Remu,,,\"\\?NIK: NIK must have 16 digits" bad.rejected.csv'
check "... the duplicate's reason names the first line" 'grep -q "^14,9671010707980009,Robert Kambu Dua,.*also on line 8" bad.rejected.csv'
chmod 644 bad.rejected.csv
d1=$(dump)
$SINKRON import bad.csv >/dev/null 2>&1; rc=$?
check "the bad file again: exit 2, nothing changed" '[ $rc -eq 2 ] && [ "$(dump)" = "$d1" ]'
check "... the reject file rewritten, mode 0600 again" '[ "$(stat -c %a bad.rejected.csv)" = 600 ] && [ "$(tail -n +2 bad.rejected.csv | wc -l)" = 10 ]'
# the reject file, corrected, imports cleanly (its Baris and Alasan columns are no news)
sed -i 's/^3,967101030392004,/3,9671010303920004,/' bad.rejected.csv
out=$($SINKRON import bad.rejected.csv 2>err); rc=$?
check "the reject file can be imported: the corrected row goes in" '[ $rc -eq 2 ] && [[ "$out" == *"1 added, 1 updated, 0 unchanged, 8 rejected"* ]] && [ "$(worker 9671010303920004 name)" = "Lima Belas" ]'
check "... its Baris and Alasan columns bring no warning" '! grep -q "header" err'

# a generated file with a share of bad rows: exactly those are rejected
"$TOP/scripts/gen-workers" --district 96.71.01 --count 300 --seed 5 --bad 0.1 --out gen.csv 2>gen.err
nbad=$(sed -nE 's/.*: 300 rows, ([0-9]+) bad.*/\1/p' gen.err)
out=$($SINKRON import gen.csv 2>err); rc=$?
check "gen-workers --bad 0.1: exit 2, the $nbad bad rows rejected, the rest added" '[ $rc -eq 2 ] && [ "$nbad" -gt 10 ] && [[ "$out" == *"300 row(s): $((300 - nbad)) added, 0 updated, 0 unchanged, $nbad rejected"* ]]'
check "... each error 'line N: error: FIELD: reason', on $nbad lines" '[ "$(grep ": error: " err | cut -d: -f1 | sort -u | wc -l)" = "$nbad" ] && [ "$(grep -Ev "^line [0-9]+: (error|warning): [A-Za-z ]+: .+" err | grep -vc "^(more")" = 0 ]'
check "... gen.rejected.csv has the $nbad rows, mode 0600" '[ "$(tail -n +2 gen.rejected.csv | wc -l)" = "$nbad" ] && [ "$(stat -c %a gen.rejected.csv)" = 600 ]'

# --reject FILE
$SINKRON import bad.csv --reject elsewhere.csv >/dev/null 2>&1
check "--reject FILE writes the rejects there, 0600" '[ -f elsewhere.csv ] && [ "$(stat -c %a elsewhere.csv)" = 600 ]'

# a bad header, an empty file, a missing file: nothing changes
d1=$(dump)
printf 'NIK,Nama,Kelurahan\n9671011212030014,Tanpa Lahir,Remu\n' >nohdr.csv
$SINKRON import nohdr.csv >/dev/null 2>err; rc=$?
check "a header without Tanggal Lahir and Jenis Kelamin: exit 2" '[ $rc -eq 2 ]'
check "... the message names the missing columns once" 'grep -q "lacks the columns Tanggal Lahir, Jenis Kelamin" err && [ "$(grep -o "nohdr.csv line 1" err | wc -l)" = 1 ]'
printf 'NIK,Nama,No KTP,Tanggal Lahir,Jenis Kelamin,Kelurahan\n' >twice.csv
check_exit "two columns for NIK: exit 2" 2 $SINKRON import twice.csv
: >empty.csv
check_exit "an empty file: exit 2" 2 $SINKRON import empty.csv
check_exit "a missing file: exit 1" 1 $SINKRON import no-such.csv
check_exit "no file: exit 2" 2 $SINKRON import
check "... nothing changed" '[ "$(dump)" = "$d1" ]'

# --dry-run
"$TOP/scripts/gen-workers" --district 96.71.01 --count 60 --seed 11 --bad 0.2 --out dry.csv 2>/dev/null
d1=$(dump); st0=$($SINKRON status)
out=$($SINKRON import --dry-run dry.csv 2>/dev/null); rc=$?
check "--dry-run: reports (exit 2: some rows are bad)" '[ $rc -eq 2 ] && [[ "$out" == *"60 row(s)"*"dry run"* ]]'
check "--dry-run: no row, no outbox entry, status the same" '[ "$(dump)" = "$d1" ] && [ "$($SINKRON status)" = "$st0" ]'
check "--dry-run: no reject file written" '[ ! -e dry.rejected.csv ]'
added=$(printf '%s\n' "$out" | sed -nE 's/.*: ([0-9]+) added.*/\1/p')
out=$($SINKRON import dry.csv 2>/dev/null)
check "the real import adds what the dry run said" '[[ "$out" == *": $added added"* ]] && [ "$added" -gt 30 ]'

# --funder enrols each new worker in JKK and JKM, as the funder's scheme says
printf 'NIK,Nama,Jenis Kelamin,Tanggal Lahir,Kelurahan,Penghasilan\n9671014101040015,Fransina Sapulete,P,01/01/2004,Remu,2000000\n9671014303920003,Carolina Womsiwor,P,03/03/1992,Remu,\n9671010101100016,Yance Rumbiak,L,01/01/2010,Remu,\n' >fund.csv
before=$(sqlite3 sinkron.db "SELECT count(*) FROM workers; SELECT count(*) FROM enrolments")
out=$($SINKRON import fund.csv --funder "APBD Kota" --start 2026-02 2>err); rc=$?
check "--funder with a start in a past month and no decision: refused before anything is imported" '[ $rc -eq 2 ] && grep -q "give its number with --decision" err && [ "$(sqlite3 sinkron.db "SELECT count(*) FROM workers; SELECT count(*) FROM enrolments")" = "$before" ]'
out=$($SINKRON import fund.csv --funder "APBD Kota" --start 2026-02 --decision "SK 561/7/2026" 2>err); rc=$?
check "--funder: exit 0, 2 added, 1 enrolled" '[ $rc -eq 0 ] && [[ "$out" == *"2 added"* ]] && [[ "$out" == *"1 new worker(s) enrolled in JKK and JKM, funder APBD Kota"* ]]'
check "... a worker of 16 is registered, not enrolled, and the line says why" '[[ "$out" == *"1 new worker(s) registered but not enrolled"* ]] && grep -q "^line 4: warning: Umur: registered but not enrolled: Yance Rumbiak is 16 years old on 2026-02-01: the APBD Kota scheme covers ages 18 to 65" err'
fid=$(worker 9671014101040015 id)
check "... JKK and JKM from 2026-02-01 at the scheme's bracket, the decision recorded" '[ "$(q "SELECT group_concat(program || \"/\" || funder || \"/\" || start_on || \"/\" || income || \"/\" || decision, \" \") FROM (SELECT * FROM enrolments WHERE worker_id = \"$fid\" ORDER BY program)")" = "JKK/APBD Kota/2026-02-01/1000000/SK 561/7/2026 JKM/APBD Kota/2026-02-01/1000000/SK 561/7/2026" ]'
check "... the worker already registered is not enrolled" '[ "$(q "SELECT count(*) FROM enrolments e JOIN workers w ON w.id = e.worker_id WHERE w.nik = \"9671014303920003\"")" = 0 ]'
check "... billed: JKK 10,000 + JKM 6,800 (the declared Rp2,000,000 does not count under APBD)" '[ "$($SINKRON bill --month 2026-02 --csv | tail -n +2 | tr "\n" " ")" = "APBD Kota,JKK,1,10000 APBD Kota,JKM,1,6800 " ]'
check_exit "--start without a month shape: exit 2" 2 $SINKRON import fund.csv --funder "APBD Kota" --start maret

# --template
check_exit "--template FILE" 0 $SINKRON import --template tpl.csv
check "the template is the header line only" '[ "$(tr -d "\r" <tpl.csv)" = "NIK,No KK,Nama Lengkap,Tempat Lahir,Tanggal Lahir,Jenis Kelamin,Alamat,Kelurahan,No HP,Pekerjaan,Tempat Kerja,Penghasilan" ]'
check "--template to stdout gives the same" '[ "$($SINKRON import --template)" = "$(cat tpl.csv)" ]'
check_exit "--template over an existing file: refused" 1 $SINKRON import --template tpl.csv
printf '9671011212030016,,Yohanis Rumbiak,Sorong,12/12/2003,L,Jl. Ahmad Yani,Remu,081200001111,Nelayan,Pelabuhan,1000000\n' >>tpl.csv
out=$($SINKRON import tpl.csv 2>/dev/null); rc=$?
check "the filled-in template imports" '[ $rc -eq 0 ] && [[ "$out" == *"1 added"* ]] && [ "$(worker 9671011212030016 occupation)" = Nelayan ]'

# 19,336 generated rows (Kota Sorong's budgeted number), then again
"$TOP/scripts/gen-workers" --district 96.71.02 --count 19336 --seed 2024 --out big.csv 2>/dev/null
$SINKRON --db big.db init 96.71.02 >/dev/null 2>&1
t0=$(date +%s.%N)
out=$($SINKRON --db big.db import big.csv 2>/dev/null); rc=$?
t1=$(date +%s.%N)
echo "# 19336 rows imported in $(awk -v a="$t0" -v b="$t1" "BEGIN { printf \"%.2f\", b - a }")s"
check "19,336 generated rows: exit 0, all added" '[ $rc -eq 0 ] && [[ "$out" == *"19336 row(s): 19336 added, 0 updated, 0 unchanged, 0 rejected"* ]]'
check "... 19,336 workers and 19,336 outbox inserts" '[ "$(sqlite3 big.db "SELECT count(*) FROM workers")" = 19336 ] && [ "$(sqlite3 big.db "SELECT count(*) FROM sk_outbox WHERE op = 1")" = 19336 ]'
out=$($SINKRON --db big.db import big.csv 2>/dev/null); rc=$?
check "... again: all unchanged, no new outbox entry" '[ $rc -eq 0 ] && [[ "$out" == *"0 added, 0 updated, 19336 unchanged"* ]] && [ "$(sqlite3 big.db "SELECT count(*) FROM sk_outbox")" = 19336 ]'

# progress bars: on a terminal (script(1) gives the command one), never into a file or a pipe
if need_pkg script bsdutils; then
	$SINKRON --db tty.db init 96.71.02 >/dev/null 2>&1
	script -qec "$SINKRON --db tty.db import big.csv" /dev/null </dev/null >tty.out 2>&1
	tr '\r' '\n' <tty.out >tty.lines
	check "import on a terminal draws a progress bar that ends at 100 %" \
		'grep -q "^importing  \[" tty.lines && grep -q "importing  \[#########################\] 100%" tty.lines && [ "$(grep -c "^importing" tty.lines)" -ge 3 ]'
	script -qec "$SINKRON --db tty.db seal" /dev/null </dev/null >seal.out 2>&1
	tr '\r' '\n' <seal.out >seal.lines
	check "sealing a big backlog on a terminal draws one too" \
		'grep -q "sealing    \[#########################\] 100%" seal.lines && grep -q "sealed 19336 change(s)" seal.lines'
	$SINKRON --db tty2.db init 96.71.02 >/dev/null 2>&1
	$SINKRON --db tty2.db import big.csv >pipe.out 2>pipe.err
	$SINKRON --db tty2.db seal >>pipe.out 2>>pipe.err
	check "... and none when the output is a file" '! grep -q "importing\|sealing" pipe.err && ! grep -q $'"'"'\r'"'"' pipe.out pipe.err'
	script -qec "$SINKRON -q --db tty2.db import big.csv" /dev/null </dev/null >quiet.out 2>&1
	check "... nor with -q (the summary still said)" '! grep -q "importing" quiet.out && grep -q "19336 unchanged" quiet.out'
else
	check "script(1) is there to give the progress bars a terminal" false
fi
finish

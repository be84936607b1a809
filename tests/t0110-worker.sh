#!/bin/bash
# t0110-worker: `sinkron worker add|edit|end|show|list|search`: a valid worker is stored; NIK structure
# errors are refused with exit 2 naming the field and the reason and store nothing; a NIK whose date or
# sex differs is a warning and the record is stored; a kelurahan of another distrik and a second
# active record of one NIK are refused; edit writes only the columns that changed (outbox op 2 with
# only their bits); end closes the enrolments; the operator of each change is recorded.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

q() { sqlite3 sinkron.db "$1"; }
dump() { sqlite3 sinkron.db "SELECT * FROM workers ORDER BY id; SELECT * FROM heirs ORDER BY id; SELECT * FROM enrolments ORDER BY id; SELECT count(*) FROM sk_outbox"; }
# the bit of a workers column in sk_outbox.cols: PRAGMA table_info order, id and _sk left out
bit() { q "SELECT 1 << (count(*) - 1) FROM pragma_table_info('workers') WHERE cid <= (SELECT cid FROM pragma_table_info('workers') WHERE name = '$1') AND name NOT IN ('id', '_sk')"; }
outbox_n() { q "SELECT count(*) FROM sk_outbox"; }

$SINKRON init 96.71.01 >/dev/null 2>&1 || skip_all "init failed"

# NIKs: 9671 01, born 31/12/1980 (male); 9271 01, born 15/05/1985, female (day 15+40 = 55)
NIK1=9671013112800001
NIK2=9271015505850002
out=$($SINKRON worker add --nik $NIK1 --name "Yakobus Mambrasar" --birth-date 31/12/1980 --sex L \
	--kelurahan "Remu Utara" --kk 9671011001090001 --birth-place Sorong --address "Jl. Sungai Maruni" \
	--phone 081234567890 --occupation "Tukang ojek" --workplace "Pangkalan Remu" --income 1500000 2>err); rc=$?
check "worker add: a valid worker exits 0" '[ $rc -eq 0 ]'
ID1=$out
check "worker add prints the new id" '[[ "$ID1" =~ ^967101-[0-9a-f-]+$ ]]'
check "worker add warns about nothing for a consistent record" '! grep -q "warning" err'
check "the row is stored with every field, dates in ISO, kelurahan as its code" \
	'[ "$(q "SELECT owner,nik,kk,name,birth_place,birth_date,sex,address,kelurahan,phone,occupation,workplace,income,status FROM workers WHERE id=\"$ID1\"")" = "96.71.01|$NIK1|9671011001090001|Yakobus Mambrasar|Sorong|1980-12-31|L|Jl. Sungai Maruni|96.71.01.1001|081234567890|Tukang ojek|Pangkalan Remu|1500000|active" ]'
check "the insert is in the outbox: op 1, operator from \$SINKRON_OPERATOR (test)" \
	'[ "$(q "SELECT tbl,pk,op,coalesce(cols,\"null\"),operator FROM sk_outbox")" = "1|$ID1|1|null|test" ]'

# dates in the three formats, kelurahan by code and by name in any case
check_exit "birth date DD-MM-YYYY, kelurahan by code" 0 $SINKRON worker add --nik 9671010101900001 --name "Anton Kambu" --birth-date 01-01-1990 --sex L --kelurahan 96.71.01.1004
check_exit "birth date ISO, kelurahan name in upper case" 0 $SINKRON worker add --nik 9671010202910002 --name "Budi Santoso" --birth-date 1991-02-02 --sex l --kelurahan KLADEMAK
check "both are stored with ISO dates and kelurahan codes" '[ "$(q "SELECT group_concat(birth_date || \"@\" || kelurahan || \"@\" || sex, \" \") FROM (SELECT * FROM workers WHERE nik IN (\"9671010101900001\",\"9671010202910002\") ORDER BY nik)")" = "1990-01-01@96.71.01.1004@L 1991-02-02@96.71.01.1002@L" ]'

# NIK structure errors: exit 2, the field and the reason named, nothing stored
before=$(dump)
try_bad() { # DESC NIK REASON-REGEX [other flags]
	local desc=$1 nik=$2 re=$3; shift 3
	$SINKRON worker add --nik "$nik" --name "Salah Satu" --birth-date 31/12/1980 --sex L --kelurahan Remu "$@" >out 2>err; rc=$?
	check "$desc: exit 2" '[ $rc -eq 2 ]'
	check "$desc: 'error: FIELD: reason' names the reason" 'grep -Eq "$re" err'
	check "$desc: no id on stdout" '[ ! -s out ]'
}
try_bad "15-digit NIK" 967101311280001 "error: NIK: .*16 digits, has 15"
try_bad "17-digit NIK" 96710131128000011 "error: NIK: .*16 digits, has 17"
try_bad "NIK with a letter" 96710131128O0001 "error: NIK: .*only digits"
try_bad "NIK with an unknown regency prefix" 9999013112800001 "error: NIK: .*9999.*not a regency"
try_bad "NIK with an impossible date (31 Feb)" 9671013102800001 "error: NIK: .*does not exist"
try_bad "NIK with month 13" 9671011513800001 "error: NIK: .*month 13"
try_bad "NIK with serial 0000" 9671013112800000 "error: NIK: .*0000"
try_bad "an empty NIK" "" "error: NIK: .*required"
try_bad "No KK with 15 digits" 9671013112800009 "error: No KK: .*16 digits" --kk 967101100109000
try_bad "phone with letters" 9671013112800009 "error: No HP: " --phone 0812ABC45678
$SINKRON worker add --nik 9671013112800009 --name "Salah" --birth-date 31/12/2099 --sex L --kelurahan Remu >/dev/null 2>err; rc=$?
check "a birth date in the future: exit 2, named" '[ $rc -eq 2 ] && grep -q "error: Tanggal Lahir: .*future" err'
$SINKRON worker add --nik 9671013112800009 --name "Salah" --birth-date 31/12/1980 --sex X --kelurahan Remu >/dev/null 2>err; rc=$?
check "sex X: exit 2, named" '[ $rc -eq 2 ] && grep -q "error: Jenis Kelamin: " err'
$SINKRON worker add --nik 9671013112800009 --birth-date 31/12/1980 --sex L --kelurahan Remu >/dev/null 2>err; rc=$?
check "no name: exit 2, named" '[ $rc -eq 2 ] && grep -q "error: Nama.*: .*required" err'
$SINKRON worker add --nik 9671013112800009 --name "Salah" --birth-date 31/12/1980 --sex L --kelurahan Klawalu >/dev/null 2>err; rc=$?
check "a kelurahan of another distrik (Klawalu, Sorong Timur): exit 2" '[ $rc -eq 2 ]'
check "... the message names the kelurahan, this distrik and where it is" 'grep -q "error: Kelurahan: .*Klawalu.*not in distrik Sorong" err && grep -q "Sorong Timur" err'
$SINKRON worker add --nik 9671013112800009 --name "Salah" --birth-date 31/12/1980 --sex L --kelurahan 96.71.02.1001 >/dev/null 2>&1; rc=$?
check "a kelurahan code of another distrik: exit 2" '[ $rc -eq 2 ]'
$SINKRON worker add --nik 9671013112800009 --name "Salah" --birth-date 31/12/1980 --sex L --kelurahan Nowhere >/dev/null 2>&1; rc=$?
check "an unknown kelurahan: exit 2" '[ $rc -eq 2 ]'
check "none of the refused records changed the database (rows and outbox)" '[ "$(dump)" = "$before" ]'

# the same active NIK twice is refused
$SINKRON worker add --nik $NIK1 --name "Yakobus M" --birth-date 31/12/1980 --sex L --kelurahan Remu >out 2>err; rc=$?
check "the same NIK again: refused" '[ $rc -ne 0 ] && [ ! -s out ]'
check "... saying it is registered, with the other record's id" 'grep -q "already registered" err && grep -q "$ID1" err'
check "... and nothing stored" '[ "$(dump)" = "$before" ]'

# a NIK whose date or sex differs from the record: a warning, and the record is stored
out=$($SINKRON worker add --nik $NIK2 --name "Mama Dorkas Kambuaya" --birth-date 16/05/1985 --sex L --kelurahan Kofkerbu 2>err); rc=$?
check "NIK date and sex mismatch: exit 0" '[ $rc -eq 0 ] && [ -n "$out" ]'
ID2=$out
check "... warns about the date" 'grep -q "warning: NIK: .*15/05/85.*16/05/1985" err'
check "... warns about the sex" 'grep -q "warning: NIK: .*female.*L" err'
check "... and stores the record as given" '[ "$(q "SELECT birth_date, sex FROM workers WHERE id=\"$ID2\"")" = "1985-05-16|L" ]'
check "a NIK with the old prefix 9271 is accepted (never required to match the district)" '[ "$(q "SELECT nik FROM workers WHERE id=\"$ID2\"")" = $NIK2 ]'
check_exit "a migrant's NIK (Makassar 7371) is accepted" 0 $SINKRON worker add --nik 7371014107920003 --name "Hasmiah" --birth-date 01/07/1992 --sex P --kelurahan Remu

# edit: only what changed
n0=$(outbox_n)
$SINKRON worker edit $NIK1 --phone 081299998888 --occupation Nelayan >/dev/null 2>err; rc=$?
check "edit phone and occupation: exit 0" '[ $rc -eq 0 ] && grep -q "changed 2 field" err'
check "edit: the row has the new values, the others unchanged" '[ "$(q "SELECT phone, occupation, name, income FROM workers WHERE id=\"$ID1\"")" = "081299998888|Nelayan|Yakobus Mambrasar|1500000" ]'
want=$(( $(bit phone) | $(bit occupation) ))
check "edit: one outbox entry, op 2, cols = bits of phone and occupation only ($want)" \
	'[ "$(q "SELECT pk, op, cols, operator FROM sk_outbox WHERE seq > (SELECT max(seq) - 1 FROM sk_outbox)")" = "$ID1|2|$want|test" ] && [ $(outbox_n) -eq $((n0 + 1)) ]'
n0=$(outbox_n); before=$(dump)
$SINKRON worker edit $NIK1 --phone 081299998888 --name "Yakobus Mambrasar" --kelurahan 96.71.01.1001 --birth-date 1980-12-31 >/dev/null 2>err; rc=$?
check "edit with identical values: exit 0, 'nothing to change'" '[ $rc -eq 0 ] && grep -q "nothing to change" err'
check "edit with identical values: no outbox entry, no row change" '[ "$(dump)" = "$before" ]'
$SINKRON worker edit $ID1 --income 2000000 >/dev/null 2>&1
check "edit by id: income alone, op 2 with the income bit" '[ "$(q "SELECT op, cols FROM sk_outbox ORDER BY seq DESC LIMIT 1")" = "2|$(bit income)" ] && [ "$(q "SELECT income FROM workers WHERE id=\"$ID1\"")" = 2000000 ]'
$SINKRON worker edit $NIK1 --kelurahan Klademak >/dev/null 2>&1
check "edit kelurahan by name: the kelurahan bit only" '[ "$(q "SELECT op, cols FROM sk_outbox ORDER BY seq DESC LIMIT 1")" = "2|$(bit kelurahan)" ] && [ "$(q "SELECT kelurahan FROM workers WHERE id=\"$ID1\"")" = 96.71.01.1002 ]'
before=$(dump)
$SINKRON worker edit $NIK1 --nik 96710131128 >/dev/null 2>err; rc=$?
check "edit to a bad NIK: exit 2, named, nothing changed" '[ $rc -eq 2 ] && grep -q "error: NIK: " err && [ "$(dump)" = "$before" ]'
$SINKRON worker edit $NIK1 --kelurahan Klawalu >/dev/null 2>err; rc=$?
check "edit to another distrik's kelurahan: exit 2, nothing changed" '[ $rc -eq 2 ] && grep -q "error: Kelurahan: " err && [ "$(dump)" = "$before" ]'
$SINKRON worker edit $NIK1 --nik 9671010101900001 >/dev/null 2>err; rc=$?
check "edit to another active worker's NIK: refused, nothing changed" '[ $rc -ne 0 ] && grep -q "already registered" err && [ "$(dump)" = "$before" ]'
$SINKRON worker edit $NIK1 --income lots >/dev/null 2>err; rc=$?
check "edit to an unreadable income: exit 2, nothing changed" '[ $rc -eq 2 ] && grep -q "error: Penghasilan: " err && [ "$(dump)" = "$before" ]'
check_exit "edit of an unknown worker fails" 1 $SINKRON worker edit 9671019999999999 --phone 081200000000
check_exit "edit without a worker exits 2" 2 $SINKRON worker edit --phone 081200000000
check_exit "edit with an unknown flag exits 2" 2 $SINKRON worker edit $NIK1 --colour blue
check "... nothing changed" '[ "$(dump)" = "$before" ]'
# editing a worker that has no income must not invent one
n0=$(outbox_n)
$SINKRON worker edit 9671010101900001 --address "Jl. Basuki Rahmat" >/dev/null 2>&1
check "edit of a worker without income: only the address bit, income stays NULL" '[ "$(q "SELECT op, cols FROM sk_outbox ORDER BY seq DESC LIMIT 1")" = "2|$(bit address)" ] && [ "$(q "SELECT typeof(income) FROM workers WHERE nik=\"9671010101900001\"")" = null ]'

# the operator: --operator, $SINKRON_OPERATOR, else the login name
$SINKRON --operator siti worker edit $NIK1 --phone 081211110001 >/dev/null 2>&1
check "--operator siti is recorded" '[ "$(q "SELECT operator FROM sk_outbox ORDER BY seq DESC LIMIT 1")" = siti ]'
SINKRON_OPERATOR=ani $SINKRON worker edit $NIK1 --phone 081211110002 >/dev/null 2>&1
check "\$SINKRON_OPERATOR=ani is recorded" '[ "$(q "SELECT operator FROM sk_outbox ORDER BY seq DESC LIMIT 1")" = ani ]'
SINKRON_OPERATOR=ani $SINKRON --operator=siti worker edit $NIK1 --phone 081211110003 >/dev/null 2>&1
check "--operator wins over \$SINKRON_OPERATOR" '[ "$(q "SELECT operator FROM sk_outbox ORDER BY seq DESC LIMIT 1")" = siti ]'
me=$(id -un)
(unset SINKRON_OPERATOR; $SINKRON worker edit $NIK1 --phone 081211110004 >/dev/null 2>&1)
check "neither: the login name ($me)" '[ "$(q "SELECT operator FROM sk_outbox ORDER BY seq DESC LIMIT 1")" = "${LOGNAME:-$me}" ]'
check "the operator is not left behind in sk_ctx after a write" '[ "$(q "SELECT coalesce(operator, \"null\") FROM sk_ctx")" = null ]'

# show, list, search
out=$($SINKRON worker show $NIK1 2>&1); rc=$?
check "show by NIK: exit 0" '[ $rc -eq 0 ]'
check "show: id, NIK, name, birth date, kelurahan, status" '[[ "$out" == *"$ID1"* && "$out" == *"$NIK1"* && "$out" == *"Yakobus Mambrasar"* && "$out" == *"1980-12-31"* && "$out" == *"96.71.01.1002"* && "$out" == *"active"* ]]'
check "show: the income in rupiah" '[[ "$out" == *"Rp2,000,000"* ]]'
check "show by id gives the same" '[ "$($SINKRON worker show $ID1 2>&1)" = "$out" ]'
check_exit "show an unknown worker: exit 1" 1 $SINKRON worker show 9671019999999999
check_exit "show with no worker: exit 2" 2 $SINKRON worker show
out=$($SINKRON worker list 2>err)
check "list: the 5 active workers, one line each" '[ "$(printf "%s\n" "$out" | wc -l)" -eq 5 ] && grep -q "5 worker" err'
check "list: sorted by name" '[ "$(printf "%s\n" "$out" | awk "{print \$2}" | tr "\n" " ")" = "9671010101900001 9671010202910002 7371014107920003 9271015505850002 $NIK1 " ]'
check "search by part of a name (case-insensitive)" '[ "$($SINKRON worker search dorkas 2>/dev/null | awk "{print \$1}")" = "$ID2" ]'
check "search by part of a NIK" '[ "$($SINKRON worker search 73710141 2>/dev/null | awk "{print \$2}")" = 7371014107920003 ]'
check "search by phone" '[ "$($SINKRON worker search 081211110004 2>/dev/null | awk "{print \$1}")" = "$ID1" ]'
check "search by kelurahan name (Klademak: Budi and Yakobus)" '[ "$($SINKRON worker search klademak 2>/dev/null | wc -l)" -eq 2 ]'
check "search with no match prints nothing, exit 0" '[ -z "$($SINKRON worker search zzzz 2>/dev/null)" ]'
check_exit "search without text exits 2" 2 $SINKRON worker search

# end: status, date, reason; enrolments closed
$SINKRON enrol $NIK1 --program JKK+JKM --funder "APBD Kota" --start 2026-01 --decision "SK 1/2026" >/dev/null 2>&1
check "two open enrolments before end" '[ "$(q "SELECT count(*) FROM enrolments WHERE worker_id=\"$ID1\" AND end_on IS NULL")" = 2 ]'
n0=$(outbox_n)
$SINKRON worker end $NIK1 --reason meninggal --date 15/03/2026 >/dev/null 2>err; rc=$?
check "end: exit 0" '[ $rc -eq 0 ]'
check "end: status ended, ended_on, end_reason (as the list of reasons spells it)" '[ "$(q "SELECT status, ended_on, end_reason FROM workers WHERE id=\"$ID1\"")" = "ended|2026-03-15|meninggal dunia" ]'
check "a death with no heir registered is warned, saying what to do" 'grep -q "died with no heir registered: the JKM benefit (Rp42,000,000) needs one; add it with .sinkron heir add $ID1." err'
check "end: both enrolments closed on that day" '[ "$(q "SELECT group_concat(end_on) FROM enrolments WHERE worker_id=\"$ID1\"")" = "2026-03-15,2026-03-15" ]'
want=$(( $(bit status) | $(bit ended_on) | $(bit end_reason) ))
check "end: outbox has the worker (status, ended_on, end_reason bits) and 2 enrolment updates" \
	'[ "$(q "SELECT cols FROM sk_outbox WHERE seq > $n0 AND tbl = 1")" = $want ] && [ "$(q "SELECT count(*) FROM sk_outbox WHERE seq > $n0 AND tbl = 3 AND op = 2")" = 2 ]'
out=$($SINKRON deaths --month 2026-03 2>&1)
check "deaths --month 2026-03: the death listed, with JKM, and marked as having no heir" 'printf "%s\n" "$out" | grep -q "^2026-03-15 .*$NIK1 .*JKM .*NO HEIR REGISTERED: add one with .sinkron heir add $ID1. at its district"'
$SINKRON heir add $ID1 --name "Maria Mambrasar" --relationship istri --phone 081244445555 >/dev/null 2>&1
check "... once an heir is added, the list names them for the claim" '$SINKRON deaths --month 2026-03 | grep -q "^2026-03-15 .*$NIK1 .*heirs: Maria Mambrasar (istri, 081244445555)"'
check "... and April has none" '! $SINKRON deaths --month 2026-04 2>/dev/null | grep -q "$NIK1"'
check "end: list leaves the ended worker out, list --all shows it" '! $SINKRON worker list 2>/dev/null | grep -q $NIK1 && $SINKRON worker list --all 2>/dev/null | grep -q "$NIK1.*ended"'
check "show of an ended worker says why and when" '$SINKRON worker show $NIK1 | grep -q "meninggal" && $SINKRON worker show $NIK1 | grep -q 2026-03-15'
check_exit "ending it again fails" 1 $SINKRON worker end $NIK1 --reason pindah
check_exit "end without --reason exits 2" 2 $SINKRON worker end 9671010101900001
check_exit "end with a bad date exits 2" 2 $SINKRON worker end 9671010101900001 --reason pindah --date 32/13/2026
check "the refused ends changed nothing" '[ "$(q "SELECT status FROM workers WHERE nik=\"9671010101900001\"")" = active ]'
$SINKRON worker end 9671010101900001 --reason mengundurkan >/dev/null 2>&1
check "end without --date: today" '[ "$(q "SELECT ended_on FROM workers WHERE nik=\"9671010101900001\"")" = "$(date +%F)" ]'
# the NIK of an ended worker may be registered again
out=$($SINKRON worker add --nik $NIK1 --name "Yakobus Mambrasar" --birth-date 31/12/1980 --sex L --kelurahan Remu 2>/dev/null); rc=$?
check "a NIK whose record has ended can be registered again" '[ $rc -eq 0 ] && [ "$out" != "$ID1" ]'
check "show NIK then shows the active record" '$SINKRON worker show $NIK1 | grep -q "^id  *$out"'

# usage
check_exit "worker with no action exits 2" 2 $SINKRON worker
check_exit "worker frobnicate exits 2" 2 $SINKRON worker frobnicate
check_exit "worker add with a flag missing its value exits 2" 2 $SINKRON worker add --nik
check_exit "worker add with a stray operand exits 2" 2 $SINKRON worker add extra --nik $NIK2
finish

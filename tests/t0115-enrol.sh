#!/bin/bash
# t0115-enrol: heirs, enrolments (JKK, JKM, JKK+JKM, all or nothing; one active JKK/JKM per NIK), the
# monthly bill with rupiah figures worked out by hand from the rates (JKK 1 % of the bracket, JKM
# Rp6,800 flat; an enrolment is billed for every month it covers), a rate change kept as data, and
# the export CSV for BPJS (its columns, only active enrolled workers, mode 0600).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

q() { sqlite3 sinkron.db "$1"; }
dump() { sqlite3 sinkron.db "SELECT * FROM workers ORDER BY id; SELECT * FROM heirs ORDER BY id; SELECT * FROM enrolments ORDER BY id; SELECT count(*) FROM sk_outbox"; }

$SINKRON init 96.71.01 >/dev/null 2>&1 || skip_all "init failed"
add() { $SINKRON worker add --nik "$1" --name "$2" --birth-date "$3" --sex "$4" --kelurahan Remu ${5:+--income $5} 2>/dev/null; }
W1=$(add 9671010101900001 "Anton Kambu" 01/01/1990 L 1500000)
W2=$(add 9671014202910002 "Mama Yohana Fakdawer" 02/02/1991 P)
W3=$(add 9671010303920003 "Budi Santoso" 03/03/1992 L 3000000)
W4=$(add 9271010404930004 "La Ode Hamid" 04/04/1993 L 1000000)
W5=$(add 7371014505940005 "Hasnawati" 05/05/1994 P 2000000)
check "five workers registered" '[ "$(q "SELECT count(*) FROM workers")" = 5 ] && [ -n "$W5" ]'

# heirs
out=$($SINKRON heir add 9671010101900001 --name "Maria Kambu" --relationship istri --nik 9671015506920001 --phone 081233334444 2>err); rc=$?
check "heir add: exit 0, prints the heir's id" '[ $rc -eq 0 ] && [ -n "$out" ]'
check "heir stored with the worker's id, relationship and phone" '[ "$(q "SELECT worker_id, name, nik, relationship, phone, owner FROM heirs")" = "$W1|Maria Kambu|9671015506920001|istri|081233334444|96.71.01" ]'
check "heir insert captured: tbl 2, op 1, operator test" '[ "$(q "SELECT tbl, op, operator FROM sk_outbox WHERE pk=\"$out\"")" = "2|1|test" ]'
check_exit "heir add by worker id, relationship in capitals" 0 $SINKRON heir add "$W1" --name "Yosua Kambu" --relationship ANAK
check "the relationship is stored in lower case" '[ "$(q "SELECT relationship FROM heirs WHERE name=\"Yosua Kambu\"")" = anak ]'
check "show lists both heirs" '[ "$($SINKRON worker show $W1 | grep -c "Kambu (")" = 2 ]'
before=$(dump)
$SINKRON heir add $W1 --name "Pacar" --relationship pacar >/dev/null 2>err; rc=$?
check "heir with an unknown relationship: exit 2, named" '[ $rc -eq 2 ] && grep -q "error: Hubungan: .*pacar" err'
check "... reported once" '[ "$(grep -c "pacar" err)" = 1 ]'
$SINKRON heir add $W1 --name "Salah" --relationship anak --nik 12345 >/dev/null 2>err; rc=$?
check "heir with a 5-digit NIK: exit 2, named" '[ $rc -eq 2 ] && grep -q "error: NIK: " err'
$SINKRON heir add $W1 --relationship anak >/dev/null 2>err; rc=$?
check "heir without a name: exit 2" '[ $rc -eq 2 ]'
check_exit "heir of an unknown worker: exit 1" 1 $SINKRON heir add 9671019999999999 --name "Siapa" --relationship anak
check_exit "heir without a worker: exit 2" 2 $SINKRON heir add --name "Siapa" --relationship anak
check_exit "heir list (no such action): exit 2" 2 $SINKRON heir list
check "the refused heirs stored nothing" '[ "$(dump)" = "$before" ]'

# enrolments
out=$($SINKRON enrol 9671010101900001 --program JKK+JKM --funder "APBD Kota" --start 2026-01 --decree 560/123/2026 2>err); rc=$?
check "enrol JKK+JKM: exit 0, two ids" '[ $rc -eq 0 ] && [ "$(printf "%s\n" "$out" | wc -l)" = 2 ]'
check "... two rows, income = the worker's bracket, start the 1st, decree kept" '[ "$(q "SELECT group_concat(program || \"/\" || income || \"/\" || start_on || \"/\" || decree || \"/\" || funder, \" \") FROM (SELECT * FROM enrolments WHERE worker_id=\"$W1\" ORDER BY program)")" = "JKK/1500000/2026-01-01/560/123/2026/APBD Kota JKM/1500000/2026-01-01/560/123/2026/APBD Kota" ]'
check_exit "enrol JKK+JKM, no income: bracket Rp1,000,000" 0 $SINKRON enrol $W2 --program JKK+JKM --funder "APBD Provinsi" --start 2026-03
check "... stored with income 1000000" '[ "$(q "SELECT group_concat(income) FROM enrolments WHERE worker_id=\"$W2\"")" = "1000000,1000000" ]'
check_exit "enrol JKK alone with --income 2500000 (overrides the worker's 3,000,000)" 0 $SINKRON enrol $W3 --program JKK --funder "CSR:Bank Papua" --start 2026-02 --income 2500000
check_exit "enrol JKM alone, start given as a date" 0 $SINKRON enrol $W4 --program jkm --funder "APBD Kota" --start 01/02/2026
check "... stored as JKM from 2026-02-01" '[ "$(q "SELECT program, start_on FROM enrolments WHERE worker_id=\"$W4\"")" = "JKM|2026-02-01" ]'
check_exit "enrol JKK+JKM starting May" 0 $SINKRON enrol $W5 --program JKK+JKM --funder "APBD Kota" --start 2026-05
check_exit "enrol without --start: this month" 0 $SINKRON enrol $W3 --program JKM --funder "CSR:Bank Papua"
check "... the first of this month" '[ "$(q "SELECT start_on FROM enrolments WHERE worker_id=\"$W3\" AND program=\"JKM\"")" = "$(date +%Y-%m)-01" ]'
q "DELETE FROM enrolments WHERE worker_id='$W3' AND program='JKM'"   # keep the bill below simple
before=$(dump)
$SINKRON enrol $W1 --program JKK --funder "APBD Kota" >/dev/null 2>err; rc=$?
check "a second active JKK for a NIK: refused" '[ $rc -ne 0 ] && grep -q "already has an active JKK" err'
$SINKRON enrol $W4 --program JKK+JKM --funder "APBD Kota" >/dev/null 2>err; rc=$?
check "JKK+JKM when JKM is active: refused" '[ $rc -ne 0 ] && grep -q "already has an active JKM" err'
check "... and JKK was not enrolled either (all or nothing)" '[ "$(dump)" = "$before" ]'
check_exit "an unknown programme: exit 2" 2 $SINKRON enrol $W4 --program JKX --funder "APBD Kota"
check_exit "JKK+JKK: exit 2" 2 $SINKRON enrol $W4 --program JKK+JKK --funder "APBD Kota"
check_exit "no --program: exit 2" 2 $SINKRON enrol $W4 --funder "APBD Kota"
check_exit "no --funder: exit 2" 2 $SINKRON enrol $W4 --program JKK
check_exit "a bad --start: exit 2" 2 $SINKRON enrol $W4 --program JKK --funder "APBD Kota" --start 2026-13
check_exit "a bad --income: exit 2" 2 $SINKRON enrol $W4 --program JKK --funder "APBD Kota" --income 1,5jt
check_exit "an unknown worker: exit 1" 1 $SINKRON enrol 9671019999999999 --program JKK --funder "APBD Kota"
check "none of the refused enrolments stored anything" '[ "$(dump)" = "$before" ]'

# W4 ends on 10 March: still billed for March, not for April
$SINKRON worker end $W4 --reason pindah --date 10/03/2026 >/dev/null 2>&1
check_exit "enrolling an ended worker fails" 1 $SINKRON enrol $W4 --program JKK --funder "APBD Kota"

# the bill, by hand:
#   W1 JKK+JKM APBD Kota from 2026-01, bracket 1,500,000: JKK 15,000, JKM 6,800
#   W2 JKK+JKM APBD Provinsi from 2026-03, bracket 1,000,000: JKK 10,000, JKM 6,800
#   W3 JKK CSR:Bank Papua from 2026-02, bracket 2,500,000: JKK 25,000
#   W4 JKM APBD Kota from 2026-02, ended 2026-03-10: JKM 6,800 (Feb, Mar)
#   W5 JKK+JKM APBD Kota from 2026-05, bracket 2,000,000: JKK 20,000, JKM 6,800
bill() { $SINKRON bill --month "$1" --csv 2>/dev/null | tail -n +2 | tr '\n' ' '; }
check "bill 2025-12 --csv: nothing" '[ -z "$(bill 2025-12)" ]'
check "bill 2026-01: W1 only (21,800)" '[ "$(bill 2026-01)" = "APBD Kota,JKK,1,15000 APBD Kota,JKM,1,6800 " ]'
check "bill 2026-02: W1, W3, W4" '[ "$(bill 2026-02)" = "APBD Kota,JKK,1,15000 APBD Kota,JKM,2,13600 CSR:Bank Papua,JKK,1,25000 " ]'
check "bill 2026-03: W1, W2, W3, W4 (ended in March)" '[ "$(bill 2026-03)" = "APBD Kota,JKK,1,15000 APBD Kota,JKM,2,13600 APBD Provinsi,JKK,1,10000 APBD Provinsi,JKM,1,6800 CSR:Bank Papua,JKK,1,25000 " ]'
check "bill 2026-04: W4 no longer" '[ "$(bill 2026-04)" = "APBD Kota,JKK,1,15000 APBD Kota,JKM,1,6800 APBD Provinsi,JKK,1,10000 APBD Provinsi,JKM,1,6800 CSR:Bank Papua,JKK,1,25000 " ]'
check "bill 2026-05: W5 joins" '[ "$(bill 2026-05)" = "APBD Kota,JKK,2,35000 APBD Kota,JKM,2,13600 APBD Provinsi,JKK,1,10000 APBD Provinsi,JKM,1,6800 CSR:Bank Papua,JKK,1,25000 " ]'
out=$($SINKRON bill --month 2026-03 2>&1); rc=$?
check "bill 2026-03 (table): exit 0" '[ $rc -eq 0 ]'
check "... names the month and the distrik" '[[ "$out" == *"2026-03"*"Sorong (96.71.01)"* ]]'
check "... APBD Kota JKM 2 people Rp13,600" 'printf "%s\n" "$out" | grep -Eq "^APBD Kota +JKM +2 people +Rp13,600$"'
check "... total Rp70,400 (15,000 + 13,600 + 10,000 + 6,800 + 25,000)" 'printf "%s\n" "$out" | grep -Eq "^total +Rp70,400$"'
check "bill 2026-05 total Rp90,400" '$SINKRON bill --month 2026-05 | grep -Eq "^total +Rp90,400$"'
# a new JKM rate from June 2026, as data
q "UPDATE rates SET valid_to = '2026-05-31' WHERE program = 'JKM' AND valid_to IS NULL; INSERT INTO rates VALUES ('JKM', 'flat', 7000, '2026-06-01', NULL, 'a later regulation')"
check "a new JKM rate (Rp7,000 from June): June uses it" '[ "$(bill 2026-06)" = "APBD Kota,JKK,2,35000 APBD Kota,JKM,2,14000 APBD Provinsi,JKK,1,10000 APBD Provinsi,JKM,1,7000 CSR:Bank Papua,JKK,1,25000 " ]'
check "... and May keeps the old one" '[ "$(bill 2026-05)" = "APBD Kota,JKK,2,35000 APBD Kota,JKM,2,13600 APBD Provinsi,JKK,1,10000 APBD Provinsi,JKM,1,6800 CSR:Bank Papua,JKK,1,25000 " ]'
check_exit "bill without --month: exit 2" 2 $SINKRON bill
for m in 2026-13 2026-1 26-03 2026/03 abcd-ef; do
	$SINKRON bill --month $m >out 2>err; rc=$?
	check "bill --month $m: exit 2, nothing on stdout" '[ $rc -eq 2 ] && [ ! -s out ] && grep -q "$m" err'
done

# export
check_exit "export FILE: exit 0" 0 $SINKRON export bpjs.csv
check "the export is mode 0600" '[ "$(stat -c %a bpjs.csv)" = 600 ]'
check "the export header: BPJS's bulk registration columns" '[ "$(head -1 bpjs.csv | tr -d "\r")" = "NIK,No KK,Nama Lengkap,Tempat Lahir,Tanggal Lahir,Jenis Kelamin,Alamat,Kelurahan,Kecamatan,Kabupaten/Kota,No HP,Pekerjaan,Lokasi Kerja,Penghasilan,Program,Tanggal Mulai,Sumber Dana,KPJ" ]'
check "one line per active enrolled worker and funder (W1, W2, W3, W5; not W4, ended)" '[ "$(tail -n +2 bpjs.csv | cut -d, -f1 | sort | tr "\n" " ")" = "7371014505940005 9671010101900001 9671010303920003 9671014202910002 " ]'
line=$(grep "^9671010101900001," bpjs.csv | tr -d '\r')
check "W1's line: DD-MM-YYYY dates, kelurahan, kecamatan, city names, programmes, funder" '[ "$line" = "9671010101900001,,Anton Kambu,,01-01-1990,L,,Remu,Sorong,Kota Sorong,,,,1500000,JKK+JKM,01-01-2026,APBD Kota," ]'
check "export to stdout gives the same" '[ "$($SINKRON export 2>/dev/null)" = "$(cat bpjs.csv)" ]'
echo secret >old.csv; chmod 644 old.csv
$SINKRON export old.csv 2>/dev/null
check "export over an existing 0644 file leaves it 0600" '[ "$(stat -c %a old.csv)" = 600 ]'
check_exit "export to an unwritable place fails" 1 $SINKRON export /nonexistent/dir/x.csv
finish

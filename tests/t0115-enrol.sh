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

# enrolments.  The APBD schemes pay JKK + JKM at the lowest bracket (Rp1,000,000) whatever the worker
# declared, for ages 18 to 65, and no start in a past month without a recorded decision; a company's
# CSR scheme added here pays at the declared bracket and allows starts a year back.
check_exit "a CSR funder added with its scheme" 0 $SINKRON funder add "CSR Bank Papua" --kind csr --programs JKK+JKM --backdate-months 12 --ages 18-65
check "funder list shows the seeded schemes and the new one" '$SINKRON funder list | grep -q "^APBD Kota .*JKK+JKM .*Rp1,000,000 .*18-65 (refuse)" && $SINKRON funder list | grep -q "^CSR Bank Papua .*csr .*declared income"'
$SINKRON enrol 9671010101900001 --program JKK+JKM --funder "APBD Kota" --start 2026-01 --decree 560/123/2026 >/dev/null 2>err; rc=$?
check "a start in a past month without a decision: refused, saying what to give" '[ $rc -eq 2 ] && grep -q "does not pay past months unless a decision allows it; give its number with --decision" err && [ "$(q "SELECT count(*) FROM enrolments")" = 0 ]'
out=$($SINKRON enrol 9671010101900001 --program JKK+JKM --funder "APBD kota" --start 2026-01 --decree 560/123/2026 --decision "SK 561/7/2026" 2>err); rc=$?
check "enrol JKK+JKM: exit 0, two ids" '[ $rc -eq 0 ] && [ "$(printf "%s\n" "$out" | wc -l)" = 2 ]'
check "... two rows at the scheme's bracket (not the declared 1,500,000), start the 1st, decree and decision kept, funder spelt as the list" '[ "$(q "SELECT group_concat(program || \"/\" || income || \"/\" || start_on || \"/\" || decree || \"/\" || decision || \"/\" || funder, \" \") FROM (SELECT * FROM enrolments WHERE worker_id=\"$W1\" ORDER BY program)")" = "JKK/1000000/2026-01-01/560/123/2026/SK 561/7/2026/APBD Kota JKM/1000000/2026-01-01/560/123/2026/SK 561/7/2026/APBD Kota" ]'
check_exit "enrol JKK+JKM, no income: bracket Rp1,000,000" 0 $SINKRON enrol $W2 --program JKK+JKM --funder "APBD Provinsi" --start 2026-03 --decision "SK 9/2026"
check "... stored with income 1000000" '[ "$(q "SELECT group_concat(income) FROM enrolments WHERE worker_id=\"$W2\"")" = "1000000,1000000" ]'
check_exit "enrol JKK alone with --income 2500000 (overrides the worker's 3,000,000), CSR allows the start without a decision" 0 $SINKRON enrol $W3 --program JKK --funder "CSR Bank Papua" --start 2026-02 --income 2500000
check_exit "enrol JKM alone, start given as a date" 0 $SINKRON enrol $W4 --program jkm --funder "APBD Kota" --start 01/02/2026 --decision "SK 561/7/2026"
check "... stored as JKM from 2026-02-01" '[ "$(q "SELECT program, start_on FROM enrolments WHERE worker_id=\"$W4\"")" = "JKM|2026-02-01" ]'
check_exit "enrol JKK+JKM starting May" 0 $SINKRON enrol $W5 --program JKK+JKM --funder "APBD Kota" --start 2026-05 --decision "SK 561/7/2026"
check_exit "enrol without --start: this month" 0 $SINKRON enrol $W3 --program JKM --funder "CSR Bank Papua"
check "... the first of this month" '[ "$(q "SELECT start_on FROM enrolments WHERE worker_id=\"$W3\" AND program=\"JKM\"")" = "$(date +%Y-%m)-01" ]'
q "DELETE FROM enrolments WHERE worker_id='$W3' AND program='JKM'"   # keep the bill below simple
OLD=$(add 9671010101500009 "Opa Yakob" 01/01/1950 L)
before=$(dump)
$SINKRON enrol $W1 --program JKK --funder "APBD Kota" >/dev/null 2>err; rc=$?
check "a second active JKK for a NIK: refused" '[ $rc -ne 0 ] && grep -q "already has an active JKK" err'
$SINKRON enrol $W4 --program JKK+JKM --funder "APBD Kota" >/dev/null 2>err; rc=$?
check "JKK+JKM when JKM is active: refused" '[ $rc -ne 0 ] && grep -q "already has an active JKM" err'
check "... and JKK was not enrolled either (all or nothing)" '[ "$(dump)" = "$before" ]'
$SINKRON enrol $W2 --program JHT --funder "APBD Kota" >/dev/null 2>err; rc=$?
check "JHT paid by APBD Kota: refused, the scheme named" '[ $rc -eq 2 ] && grep -q "the APBD Kota scheme pays JKK+JKM only, not JHT" err'
$SINKRON enrol $W2 --program JKK --funder "APBD Kota Sorong" >/dev/null 2>err; rc=$?
check "a funder not in the list: refused, the list named" '[ $rc -eq 1 ] && grep -q "funder .APBD Kota Sorong. is not in the list of funders (.APBD Kabupaten., .APBD Kota." err'
$SINKRON enrol $OLD --program JKK+JKM --funder "APBD Kota" >/dev/null 2>err; rc=$?
check "a worker of 76 under APBD Kota (ages 18 to 65): refused with the age" '[ $rc -eq 2 ] && grep -q "Opa Yakob is 76 years old on .*: the APBD Kota scheme covers ages 18 to 65" err'
check_exit "an unknown programme: exit 2" 2 $SINKRON enrol $W4 --program JKX --funder "APBD Kota"
check_exit "JKK+JKK: exit 2" 2 $SINKRON enrol $W4 --program JKK+JKK --funder "APBD Kota"
check_exit "no --program: exit 2" 2 $SINKRON enrol $W4 --funder "APBD Kota"
check_exit "no --funder: exit 2" 2 $SINKRON enrol $W4 --program JKK
check_exit "a bad --start: exit 2" 2 $SINKRON enrol $W4 --program JKK --funder "APBD Kota" --start 2026-13
check_exit "a bad --income: exit 2" 2 $SINKRON enrol $W4 --program JKK --funder "APBD Kota" --income 1,5jt
check_exit "an unknown worker: exit 1" 1 $SINKRON enrol 9671019999999999 --program JKK --funder "APBD Kota"
check "none of the refused enrolments stored anything" '[ "$(dump)" = "$before" ]'

# ends: a reason from the list, never a date in the future
$SINKRON worker end $W4 --reason "bosan" --date 10/03/2026 >/dev/null 2>err; rc=$?
check "an end reason not in the list: exit 2, the list named" '[ $rc -eq 2 ] && grep -q "one of: .meninggal dunia., .pindah domisili., .tidak memenuhi syarat., .mengundurkan diri." err'
$SINKRON worker end $W4 --reason pindah --date "$(date -d "+3 days" +%d/%m/%Y)" >/dev/null 2>err; rc=$?
check "an end date in the future: exit 2" '[ $rc -eq 2 ] && grep -q "is in the future" err'
# W4 ends on 10 March: still billed for March, not for April
$SINKRON worker end $W4 --reason pindah --date 10/03/2026 >/dev/null 2>&1
check "the reason is stored as the list spells it, on the worker and its enrolment" '[ "$(q "SELECT w.end_reason, e.end_reason, e.end_on FROM workers w JOIN enrolments e ON e.worker_id = w.id WHERE w.id=\"$W4\"")" = "pindah domisili|pindah domisili|2026-03-10" ]'
check_exit "enrolling an ended worker fails" 1 $SINKRON enrol $W4 --program JKK --funder "APBD Kota"

# the bill, by hand (the APBD schemes at the Rp1,000,000 bracket, the CSR one at the declared one):
#   W1 JKK+JKM APBD Kota from 2026-01 (declared 1,500,000): JKK 10,000, JKM 6,800
#   W2 JKK+JKM APBD Provinsi from 2026-03: JKK 10,000, JKM 6,800
#   W3 JKK CSR Bank Papua from 2026-02, bracket 2,500,000: JKK 25,000
#   W4 JKM APBD Kota from 2026-02, ended 2026-03-10: JKM 6,800 (Feb, Mar)
#   W5 JKK+JKM APBD Kota from 2026-05 (declared 2,000,000): JKK 10,000, JKM 6,800
bill() { $SINKRON bill --month "$1" --csv 2>/dev/null | tail -n +2 | tr '\n' ' '; }
check "bill 2025-12 --csv: nothing" '[ -z "$(bill 2025-12)" ]'
check "bill 2026-01: W1 only (16,800)" '[ "$(bill 2026-01)" = "APBD Kota,JKK,1,10000 APBD Kota,JKM,1,6800 " ]'
check "bill 2026-02: W1, W3, W4" '[ "$(bill 2026-02)" = "APBD Kota,JKK,1,10000 APBD Kota,JKM,2,13600 CSR Bank Papua,JKK,1,25000 " ]'
check "bill 2026-03: W1, W2, W3, W4 (ended in March)" '[ "$(bill 2026-03)" = "APBD Kota,JKK,1,10000 APBD Kota,JKM,2,13600 APBD Provinsi,JKK,1,10000 APBD Provinsi,JKM,1,6800 CSR Bank Papua,JKK,1,25000 " ]'
check "bill 2026-04: W4 no longer" '[ "$(bill 2026-04)" = "APBD Kota,JKK,1,10000 APBD Kota,JKM,1,6800 APBD Provinsi,JKK,1,10000 APBD Provinsi,JKM,1,6800 CSR Bank Papua,JKK,1,25000 " ]'
check "bill 2026-05: W5 joins at Rp16,800 like everyone under APBD Kota" '[ "$(bill 2026-05)" = "APBD Kota,JKK,2,20000 APBD Kota,JKM,2,13600 APBD Provinsi,JKK,1,10000 APBD Provinsi,JKM,1,6800 CSR Bank Papua,JKK,1,25000 " ]'
out=$($SINKRON bill --month 2026-03 2>&1); rc=$?
check "bill 2026-03 (table): exit 0" '[ $rc -eq 0 ]'
check "... names the month and the distrik" '[[ "$out" == *"2026-03"*"Sorong (96.71.01)"* ]]'
check "... APBD Kota JKM 2 people Rp13,600" 'printf "%s\n" "$out" | grep -Eq "^APBD Kota +JKM +2 people +Rp13,600$"'
check "... total Rp65,400 (10,000 + 13,600 + 10,000 + 6,800 + 25,000)" 'printf "%s\n" "$out" | grep -Eq "^total +Rp65,400$"'
check "bill 2026-05 total Rp75,400" '$SINKRON bill --month 2026-05 | grep -Eq "^total +Rp75,400$"'
# a new JKM rate from June 2026, as data
q "UPDATE rates SET valid_to = '2026-05-31' WHERE program = 'JKM' AND valid_to IS NULL; INSERT INTO rates (program, basis, value, valid_from, valid_to, regulation) VALUES ('JKM', 'flat', 7000, '2026-06-01', NULL, 'a later regulation')"
check "a new JKM rate (Rp7,000 from June): June uses it" '[ "$(bill 2026-06)" = "APBD Kota,JKK,2,20000 APBD Kota,JKM,2,14000 APBD Provinsi,JKK,1,10000 APBD Provinsi,JKM,1,7000 CSR Bank Papua,JKK,1,25000 " ]'
check "... and May keeps the old one" '[ "$(bill 2026-05)" = "APBD Kota,JKK,2,20000 APBD Kota,JKM,2,13600 APBD Provinsi,JKK,1,10000 APBD Provinsi,JKM,1,6800 CSR Bank Papua,JKK,1,25000 " ]'

# enrolments as records of their own: a change of funder from a date keeps the history
check_exit "W5 paid by the province from August (a decision, the month being past)" 0 $SINKRON enrol change $W5 --from 2026-08 --funder "APBD Provinsi" --decision "SK 12/2026"
check "... the APBD Kota records end on 31 July, new ones start on 1 August" '[ "$(q "SELECT group_concat(program || \"/\" || funder || \"/\" || start_on || \"/\" || coalesce(end_on, \"-\"), \" \") FROM (SELECT * FROM enrolments WHERE worker_id=\"$W5\" ORDER BY start_on, program)")" = "JKK/APBD Kota/2026-05-01/2026-07-31 JKM/APBD Kota/2026-05-01/2026-07-31 JKK/APBD Provinsi/2026-08-01/- JKM/APBD Provinsi/2026-08-01/-" ]'
check "... July is billed to APBD Kota, August to APBD Provinsi" 'bill 2026-07 | grep -q "APBD Kota,JKK,2,20000" && bill 2026-08 | grep -q "APBD Kota,JKK,1,10000 .*APBD Provinsi,JKK,2,20000"'
check_exit "end one programme: W3's JKK on 15 September" 0 $SINKRON enrol end $W3 --program JKK --reason "tidak memenuhi syarat" --date 15/09/2026
check "... billed for September, not October; the worker stays active" 'bill 2026-09 | grep -q "CSR Bank Papua,JKK,1,25000" && ! bill 2026-10 | grep -q "CSR Bank Papua" && [ "$(q "SELECT status FROM workers WHERE id=\"$W3\"")" = active ]'
# a worker on the declared bracket: a new income moves the enrolment from this month, history kept
check_exit "a self-paid (Mandiri) JKK from June for the worker of 76, by decision (the age only warned)" 0 $SINKRON enrol $OLD --program JKK --funder Mandiri --start 2026-06 --decision "BA 3/2026"
$SINKRON enrol change $OLD --from 2026-09 --income 3000000 >/dev/null 2>err; rc=$?
check "a new bracket from a past month without a decision: refused" '[ $rc -eq 2 ] && grep -q "does not change past months unless a decision allows it" err'
check_exit "... with one: the bracket changes from September" 0 $SINKRON enrol change $OLD --from 2026-09 --income 3000000 --decision "BA 4/2026"
check "... June to August at the old bracket, from September at the new, both kept" '[ "$(q "SELECT group_concat(start_on || \"/\" || coalesce(end_on, \"-\") || \"/\" || income, \" \") FROM (SELECT * FROM enrolments WHERE worker_id=\"$OLD\" ORDER BY start_on)")" = "2026-06-01/2026-08-31/1000000 2026-09-01/-/3000000" ]'
check_exit "W3 enrolled in JKK+JKM by the CSR scheme this month" 0 $SINKRON enrol $W3 --program JKK+JKM --funder "CSR Bank Papua" --start 2026-11
$SINKRON worker edit $W3 --income 4000000 >/dev/null 2>err
check "worker edit --income: the enrolments follow from this month, and the clerk is told" 'grep -q "2 enrolment(s) are billed at the new bracket Rp4,000,000 from $(date +%Y-%m)-01" err && [ "$(q "SELECT count(*) FROM enrolments WHERE worker_id=\"$W3\" AND end_on IS NULL AND income = 4000000")" = 2 ]'
$SINKRON worker edit $W1 --income 2500000 >/dev/null 2>err
check "... under APBD Kota the bracket stays, and the clerk is told why" 'grep -q "keep their bracket: their funder.s scheme pays at a bracket of its own" err && [ "$(q "SELECT count(*) FROM enrolments WHERE worker_id=\"$W1\"")" = 2 ]'
check_exit "bill without --month: exit 2" 2 $SINKRON bill
for m in 2026-13 2026-1 26-03 2026/03 abcd-ef; do
	$SINKRON bill --month $m >out 2>err; rc=$?
	check "bill --month $m: exit 2, nothing on stdout" '[ $rc -eq 2 ] && [ ! -s out ] && grep -q "$m" err'
done

# export: the Indonesian Excel dialect (';', UTF-8 with a BOM, CRLF), the heirs with each worker
check_exit "export FILE: exit 0" 0 $SINKRON export bpjs.csv
check "the export is mode 0600" '[ "$(stat -c %a bpjs.csv)" = 600 ]'
check "the export starts with a UTF-8 BOM and ends its lines with CRLF" '[ "$(head -c 3 bpjs.csv | od -An -tx1 | tr -d " ")" = efbbbf ] && [ "$(head -1 bpjs.csv | tail -c 2 | od -An -tx1 | tr -d " ")" = 0d0a ]'
check "the export header: the columns of export_columns, ';' between them" '[ "$(head -1 bpjs.csv | sed "s/^\xef\xbb\xbf//" | tr -d "\r")" = "NIK;No KK;Nama Lengkap;Tempat Lahir;Tanggal Lahir;Jenis Kelamin;Alamat;Kelurahan;Kecamatan;Kabupaten/Kota;No HP;Pekerjaan;Lokasi Kerja;Penghasilan;Program;Tanggal Mulai;Sumber Dana;KPJ;Nama Ahli Waris;NIK Ahli Waris;Hubungan Ahli Waris;No HP Ahli Waris;Ahli Waris Lain;Tanggal Berakhir;Alasan Berakhir" ]'
check "one line per active enrolled worker and funder (W1, W2, W3, W5, the self-paid worker of 76; not W4, ended)" '[ "$(tail -n +2 bpjs.csv | cut -d";" -f1 | sort | tr "\n" " ")" = "7371014505940005 9671010101500009 9671010101900001 9671010303920003 9671014202910002 " ]'
line=$(grep "^9671010101900001;" bpjs.csv | tr -d '\r')
check "W1's line: DD-MM-YYYY dates, kelurahan, kecamatan, city names, programmes, funder, both heirs" '[ "$line" = "9671010101900001;;Anton Kambu;;01-01-1990;L;;Remu;Sorong;Kota Sorong;;;;2500000;JKK+JKM;01-01-2026;APBD Kota;;Maria Kambu;9671015506920001;istri;081233334444;Yosua Kambu (anak);;" ]'
check "export to stdout gives the same" '[ "$($SINKRON export 2>/dev/null)" = "$(cat bpjs.csv)" ]'
check "--comma: the same with ',' and no BOM" '$SINKRON export --comma 2>/dev/null | head -1 | grep -q "^NIK,No KK,Nama Lengkap,"'
echo secret >old.csv; chmod 644 old.csv
$SINKRON export old.csv 2>/dev/null
check "export over an existing 0644 file leaves it 0600" '[ "$(stat -c %a old.csv)" = 600 ]'
check_exit "export to an unwritable place fails" 1 $SINKRON export /nonexistent/dir/x.csv
# a path that is a symlink: the link is replaced, its target never written
echo "keep me" >target.txt; ln -s target.txt link.csv
check_exit "export to a symlink: exit 0" 0 $SINKRON export link.csv
check "... the symlink's target is untouched and the export is a file of its own, 0600" '[ "$(cat target.txt)" = "keep me" ] && [ ! -L link.csv ] && [ "$(stat -c %a link.csv)" = 600 ] && grep -q "^9671010101900001;" link.csv'
# a cell a spreadsheet would run as a formula goes out as text
$SINKRON worker edit $W2 --occupation "=HYPERLINK(\"http://x\")" >/dev/null 2>&1
$SINKRON worker edit $W5 --address "@SUM(1+1)" >/dev/null 2>&1
$SINKRON export f.csv 2>/dev/null
check "cells starting with = and @ are written behind an apostrophe" 'grep "^9671014202910002;" f.csv | grep -qF ";\"'"'"'=HYPERLINK(\"\"http://x\"\")\";" && grep "^7371014505940005;" f.csv | grep -qF ";'"'"'@SUM(1+1);"'
# the modes: new (no KPJ yet), ended (since a date), never a record marked as a duplicate
q "UPDATE sk_ctx SET applying = 1; UPDATE workers SET kpj = '24010000002' WHERE id = '$W2'; UPDATE workers SET duplicate_of = '$W1' WHERE id = '$W5'; UPDATE sk_ctx SET applying = 0"
check "--mode new: active, enrolled, no KPJ yet, not a duplicate (W1, W3, the worker of 76)" '[ "$($SINKRON export --mode new 2>/dev/null | tail -n +2 | cut -d";" -f1 | sort | tr "\n" " ")" = "9671010101500009 9671010101900001 9671010303920003 " ]'
check "--mode all: never the record marked as a duplicate (W5)" '[ "$($SINKRON export 2>/dev/null | tail -n +2 | cut -d";" -f1 | sort | tr "\n" " ")" = "9671010101500009 9671010101900001 9671010303920003 9671014202910002 " ]'
ended=$($SINKRON export --mode ended --since 2026-03-01 2>/dev/null | tail -n +2 | tr -d '\r' | awk -F';' '{print $1 "/" $15 "/" $24 "/" $25}' | sort | tr '\n' ' ')
check "--mode ended since 1 March: W4 (moved) and W3's JKK (not eligible), not W5's change of funder" '[ "$ended" = "9271010404930004/JKM/10-03-2026/pindah domisili 9671010303920003/JKK/15-09-2026/tidak memenuhi syarat " ]'
check_exit "--mode ended without --since: exit 2" 2 $SINKRON export --mode ended
check "--columns lists the layout and the fields" '$SINKRON export --columns | grep -q "^ *19  Nama Ahli Waris  *heir_name" && $SINKRON export --columns | grep -q "fields a column may hold: nik kk"'
q "UPDATE export_columns SET header = 'NAMA' WHERE field = 'name'; DELETE FROM export_columns WHERE pos > 18"
check "the city's own layout from the table" '$SINKRON export --comma 2>/dev/null | head -1 | tr -d "\r" | grep -qx "NIK,No KK,NAMA,Tempat Lahir,Tanggal Lahir,Jenis Kelamin,Alamat,Kelurahan,Kecamatan,Kabupaten/Kota,No HP,Pekerjaan,Lokasi Kerja,Penghasilan,Program,Tanggal Mulai,Sumber Dana,KPJ"'
finish

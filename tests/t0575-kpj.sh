#!/usr/bin/env bash
# t0575-kpj: the BPJS participant number.  One KPJ per person city-wide (a second worker with the same
# KPJ refused, its holder named), digits only and 11 of them; set in bulk at the city from the file BPJS
# returns after a registration (NIK -> KPJ, title lines above the header), with the rows that matched no
# worker listed; a district's export --mode new then leaves out those who have one.
. "$(dirname "$0")/lib.sh"

S=$SINKRON
q() { sqlite3 -batch -noheader "$@"; }
"$S" -q --db d1.db init 96.71.01 >/dev/null
"$S" -q --db d3.db init 96.71.03 >/dev/null
"$S" -q --db city.db init --city 96.71 >/dev/null
kel() { q "$1" "SELECT name FROM regions WHERE level = 'kelurahan' AND code LIKE '$2.%' ORDER BY code LIMIT 1"; }
W1=$("$S" --db d1.db worker add --nik 9671010101900001 --name "Anton Kambu" --birth-date 01/01/1990 --sex L --kelurahan "$(kel d1.db 96.71.01)" 2>/dev/null)
W2=$("$S" --db d1.db worker add --nik 9671010202900002 --name "Budi Kambu" --birth-date 02/02/1990 --sex L --kelurahan "$(kel d1.db 96.71.01)" 2>/dev/null)
W3=$("$S" --db d3.db worker add --nik 9671030303900003 --name "Cici Rumbiak" --birth-date 03/03/1990 --sex L --kelurahan "$(kel d3.db 96.71.03)" 2>/dev/null)
for d in d1 d3; do "$S" -q --db $d.db import /dev/null >/dev/null 2>&1; done
"$S" -q --db d1.db enrol "$W1" --program JKK+JKM --funder "APBD Kota" >/dev/null
"$S" -q --db d1.db enrol "$W2" --program JKK+JKM --funder "APBD Kota" >/dev/null
"$S" -q --db d3.db enrol "$W3" --program JKK+JKM --funder "APBD Kota" >/dev/null
for d in 96.71.01:d1 96.71.03:d3; do
	"$S" -q --db ${d#*:}.db seal >/dev/null
	"$S" -q --db city.db apply --from ${d#*:}.git ${d%:*} >/dev/null
done
check "the city holds the three workers" '[ "$(q city.db "SELECT count(*) FROM workers")" = 3 ]'

check_exit "a KPJ for Anton Kambu" 0 "$S" --db city.db worker kpj "$W1" 24010000001
"$S" --db city.db worker kpj "$W3" 24010000001 >out 2>err; rc=$?
check "the same KPJ for another person (another district): refused, the holder named" '[ $rc -eq 1 ] && grep -q "KPJ 24010000001 already belongs to Anton Kambu (NIK 9671010101900001, id $W1, Sorong)" err && [ -z "$(q city.db "SELECT kpj FROM workers WHERE id = '"'$W3'"'")" ]'
check_exit "a KPJ with letters: exit 2" 2 "$S" --db city.db worker kpj "$W3" 2401000000A
"$S" --db city.db worker kpj "$W3" 2401000001 >out 2>err; rc=$?
check "a KPJ of 10 digits: exit 2, saying a KPJ has 11" '[ $rc -eq 2 ] && grep -q "has 10 digits, a KPJ has 11" err'

# the file BPJS returns: title lines, then NIK and KPJ among other columns
printf 'DAFTAR PESERTA BPU PEMDA KOTA SORONG\r\nPeriode Desember 2026\r\n\r\nNo;NIK;Nama;No KPJ\r\n1;9671010202900002;Budi Kambu;24010000002\r\n2;9671030303900003;Cici Rumbiak;24010000003\r\n3;9999999999999999;Tidak Ada;24010000009\r\n4;9671010101900001;Anton Kambu;2401-0000-001\r\n5;9671010202900002;Budi Kambu;24010000001\r\n6;9671030303900003;Cici Rumbiak;240100000\r\n' >kpj.csv
"$S" --db city.db worker kpj --file kpj.csv >out 2>err; rc=$?
check "worker kpj --file: exit 2 when some rows match no worker" '[ $rc -eq 2 ] && grep -q "kpj.csv: 6 row(s): 2 KPJ set, 1 already set, 3 not matched" out'
check "... the rows not matched are listed with their line and reason" 'grep -q "^line 7: NIK 9999999999999999, KPJ 24010000009: no active worker with NIK 9999999999999999" out && grep -q "^line 9: NIK 9671010202900002, KPJ 24010000001: KPJ 24010000001 already belongs to Anton Kambu" out && grep -q "^line 10: NIK 9671030303900003, KPJ 240100000: KPJ .240100000. has 9 digits" out'
check "... the KPJ of the rows that matched are set" '[ "$(q city.db "SELECT group_concat(nik || \"=\" || kpj, \" \") FROM (SELECT * FROM workers ORDER BY nik)")" = "9671010101900001=24010000001 9671010202900002=24010000002 9671030303900003=24010000003" ]'
check_exit "a file with no NIK and KPJ columns: exit 2" 2 "$S" --db city.db worker kpj --file /dev/null
"$S" --db d1.db worker kpj --file kpj.csv >out 2>err; rc=$?
check "at a district: refused" '[ $rc -eq 2 ] && grep -q "decided by the city" err'

# the city's answer reaches the district; its export of whom to register leaves them out
"$S" -q --db city.db seal >/dev/null
"$S" -q --db d1.db apply --from city.git central >/dev/null
check "the district holds the KPJ the city set" '[ "$(q d1.db "SELECT count(*) FROM workers WHERE kpj IS NOT NULL")" = 2 ]'
W4=$("$S" --db d1.db worker add --nik 9671010404900004 --name "Dina Kambu" --birth-date 04/04/1990 --sex P --kelurahan "$(kel d1.db 96.71.01)" 2>/dev/null)
"$S" -q --db d1.db enrol "$W4" --program JKK+JKM --funder "APBD Kota" >/dev/null
check "export --mode new: only the worker with no KPJ yet" '[ "$("$S" --db d1.db export --mode new 2>/dev/null | tail -n +2 | cut -d";" -f1 | tr "\n" " ")" = "9671010404900004 " ]'
finish

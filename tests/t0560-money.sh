#!/usr/bin/env bash
# t0560-money: the seeds' own arithmetic, from the data.  Kota Sorong's 19,336 workers (the demo's
# generator and seed, no bad rows, no duplicates) enrolled by its 10 distrik under the APBD Kota
# scheme from January 2024, a budget of Rp2.2 billion for 2024: the bill is the number of people
# times JKK at the scheme's bracket plus JKM (Rp16,800, read from the rates and funders tables), the
# same in `bill`, the report and its projection, and the budget lasts 2.2e9 / (19,336 x 16,800) =
# 6.8 months.
. "$(dirname "$0")/lib.sh"

S=$SINKRON
command -v sqlite3 >/dev/null || need_pkg sqlite3 sqlite3 || skip_all "no sqlite3 shell"
q() { sqlite3 -batch -noheader city.db "$@"; }
group() { echo "$1" | sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/;ta'; }

gen-workers --city 96.71 --seed 1 --bad 0 --dup 0 --out csv 2>/dev/null
rows=$(for f in csv/workers-*.csv; do tail -n +2 "$f"; done | wc -l)
check "the generator gives the seeds' 19,336 workers over 10 distrik" '[ "$rows" -eq 19336 ] && [ "$(ls csv/workers-*.csv | wc -l)" -eq 10 ]'
"$S" -q --db city.db init --city 96.71 >/dev/null
# the city's scheme as the seeds give it: JKK + JKM at Rp1,000,000 for ages 18 to 65; this city
# enrols people outside those ages with a warning instead of refusing them (a choice per scheme)
for db in city $(ls csv | sed -n 's/^workers-\(96\.71\.[0-9]*\)\.csv$/\1/p'); do
	[ "$db" = city ] || "$S" -q --db "$db.db" init "$db" >/dev/null
	"$S" -q --db "$db.db" funder set "APBD Kota" --kind apbd --programs JKK+JKM --bracket 1000000 --ages 18-65 --ages-warn >/dev/null
	[ "$db" = city ] && continue
	"$S" -v --db "$db.db" import "csv/workers-$db.csv" --funder "APBD Kota" --start 2024-01 --decision "SK Walikota 2024" >>import.out 2>>import.err
	"$S" -q --db "$db.db" seal >/dev/null
	"$S" -q --db city.db apply --from "$db.git" "$db" >/dev/null
done
check "every worker registered and consolidated at the city" '[ "$(q "SELECT count(*) FROM workers")" -eq 19336 ]'
outside=$(q "SELECT count(*) FROM workers WHERE 2024 - CAST(substr(birth_date, 1, 4) AS INTEGER) - (substr(birth_date, 6) > '01-01') NOT BETWEEN 18 AND 65")
check "the workers outside the scheme's ages were warned ($outside of them), and enrolled" '[ "$(grep -c "outside the ages 18 to 65 of the APBD Kota scheme" import.err)" -eq "$outside" ] && [ "$outside" -gt 0 ]'
n=$(q "SELECT count(DISTINCT w.nik) FROM enrolments e JOIN workers w ON w.id = e.worker_id WHERE e.funder = 'APBD Kota' AND e.program = 'JKM'")
check "19,336 people under APBD Kota" '[ "$n" -eq 19336 ]'
# a person's month from the data: JKK's percentage of the scheme's bracket plus JKM's flat amount
per=$(q "SELECT (SELECT max(f.bracket, r.min_base) * r.value / 10000 FROM rates r, funders f WHERE r.program = 'JKK' AND r.valid_to IS NULL AND f.name = 'APBD Kota')
	     + (SELECT value FROM rates WHERE program = 'JKM' AND valid_to IS NULL)")
check "a person costs Rp16,800 a month under the scheme" '[ "$per" -eq 16800 ]'
month=$((n * per))
check "bill --month 2024-12: people x Rp16,800" '"$S" --db city.db bill --month 2024-12 | grep -Eq "^total +Rp$(group $month)$"'
check "... per programme: JKK Rp10,000 and JKM Rp6,800 a person" '[ "$("$S" --db city.db bill --month 2024-12 --csv | tail -n +2 | tr "\n" " ")" = "APBD Kota,JKK,$n,$((n * 10000)) APBD Kota,JKM,$n,$((n * 6800)) " ]'
"$S" -q --db city.db budget set 2024 "Rp2.200.000.000" --funder "apbd kota" >/dev/null
check "the budget is kept under the funder's name as the list spells it" '[ "$(q "SELECT count(*) FROM settings WHERE key = '\''budget.2024.APBD Kota'\''")" = 1 ]'
"$S" --db city.db report --year 2024 --month 2024-12 --csv rcsv >report.txt 2>/dev/null
lasts=$(awk -v b=2200000000 -v m="$month" 'BEGIN { printf "%.1f", b / m }')
check "the seed arithmetic: Rp2.2 billion lasts $lasts months" '[ "$lasts" = 6.8 ] && grep -qF "at the present rate, Rp$(group $month) a month (December 2024), the budget lasts 6.8 months" report.txt'
full=$((2200000000 / month))
check "... runs out in July: $full months of 12 paid in full" '[ "$full" -eq 6 ] && grep -qF "the APBD Kota budget for 2024 runs out in July 2024: 6 months of 12 paid" report.txt'
check "the report's funder table prices the month like bill" 'tr -d "\r" <rcsv/funders.csv | grep -q "^APBD Kota;.*;$month$"'
check "the year's bill is 12 such months" 'grep -qF "bill for the year Rp$(group $((12 * month)))" report.txt'
finish

#!/usr/bin/env bash
# t0550-report: the city's report from a small consolidated city: enrolment counts, the monthly
# bill per funder (months paid per person, rates by validity date) against the budget and the
# month it runs out, all checked against figures computed here with the sqlite3 shell; the CSV
# files; the HTML page loaded in headless Chromium (charts in the DOM, a screenshot), with no
# network reference in it and the database's text escaped.
. "$(dirname "$0")/lib.sh"

S=$SINKRON
command -v sqlite3 >/dev/null || need_pkg sqlite3 sqlite3 || skip_all "no sqlite3 shell"
q() { sqlite3 -batch -noheader city.db "$@"; }
# 1234567 -> 1,234,567 and Rp1,234,567
group() { echo "$1" | sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/;ta'; }
rp() { local v=$1; if [ "${v#-}" != "$v" ]; then echo "-Rp$(group "${v#-}")"; else echo "Rp$(group "$v")"; fi; }
# the field N (from 1) of a text table row, columns being separated by two spaces or more
field() { awk -F'  +' -v n="$2" '{sub(/^ +/, ""); print $n}' <<<"$1"; }

SEED=550
echo "# seed $SEED"
odd_funder='CSR:Bank <Mitra> & "Papua"'

# three districts: 96.71.01 enrolled from January, 96.71.03 from January with one worker leaving
# in May, 96.71.07 from April; a few of 96.71.01 paid by a CSR funder whose name needs escaping
gen-workers --district 96.71.01 --count 40 --seed $SEED --out d1.csv 2>/dev/null
gen-workers --district 96.71.03 --count 30 --seed $((SEED + 1)) --out d3.csv 2>/dev/null
gen-workers --district 96.71.07 --count 25 --seed $((SEED + 2)) --out d7.csv 2>/dev/null
head -n 1 d1.csv >csr.csv
tail -n 5 d1.csv >>csr.csv
head -n 36 d1.csv >d1a.csv   # 35 workers; the other 5 are csr.csv
"$S" -q --db 96.71.01.db init 96.71.01 >/dev/null
"$S" -q --db 96.71.03.db init 96.71.03 >/dev/null
"$S" -q --db 96.71.07.db init 96.71.07 >/dev/null
# the CSR funder and its scheme (the declared bracket), at the district that enrols and at the city that bills
for d in 96.71.01 city; do
	[ $d = city ] && "$S" -q --db city.db init --city 96.71 >/dev/null
	"$S" -q --db $d.db funder add "$odd_funder" --kind csr --programs JKK+JKM --backdate-months 60 >/dev/null
done
check_cmd "import 96.71.01 (APBD Kota from 2024-01)" "$S" -q --db 96.71.01.db import d1a.csv --funder "APBD Kota" --start 2024-01 --decision "SK 100/2024"
check_cmd "import 96.71.01 (a CSR funder from 2024-03)" "$S" -q --db 96.71.01.db import csr.csv --funder "$odd_funder" --start 2024-03
check_cmd "import 96.71.03 (APBD Kota from 2024-01)" "$S" -q --db 96.71.03.db import d3.csv --funder "APBD Kota" --start 2024-01 --decision "SK 100/2024"
check_cmd "import 96.71.07 (APBD Kota from 2024-04)" "$S" -q --db 96.71.07.db import d7.csv --funder "APBD Kota" --start 2024-04 --decision "SK 100/2024"
leaver=$(sqlite3 96.71.03.db "SELECT nik FROM workers ORDER BY nik LIMIT 1")
check_cmd "a worker of 96.71.03 leaves in May" "$S" -q --db 96.71.03.db worker end "$leaver" --reason pindah --date 2024-05-15

for d in 96.71.01 96.71.03 96.71.07; do
	"$S" -q --db $d.db seal >/dev/null
	check_cmd "the city applies $d" "$S" -q --db city.db apply --from $d.git $d
done
# JKM's rate changes on 1 July (a made-up regulation): the report must bill by validity date
q "UPDATE rates SET valid_to = '2024-06-30' WHERE program = 'JKM' AND valid_to IS NULL;
   INSERT INTO rates (program, basis, value, valid_from, valid_to, regulation) VALUES ('JKM', 'flat', 7500, '2024-07-01', NULL, 'test');"
check "the city holds the three districts' workers" '[ "$(q "SELECT count(*) FROM workers")" -eq 95 ]'

# ---- the bill, computed here independently: month by month, enrolment by enrolment ----
month_bill() { # FUNDER MONTH(1-12) -> rupiah
	local first last
	first=$(printf '2024-%02d-01' "$2")
	last=$(q "SELECT date('$first', '+1 month', '-1 day')")
	# the scheme's bracket, else the declared one, never below the rate's lowest bracket
	q "SELECT coalesce(sum(CASE r.basis WHEN 'percent' THEN max(coalesce(f.bracket, nullif(e.income, 0), w.income, 0), r.min_base) * r.value / 10000 ELSE r.value END), 0)
	   FROM enrolments e JOIN workers w ON w.id = e.worker_id LEFT JOIN funders f ON f.name = e.funder
	   JOIN rates r ON r.program = e.program AND r.valid_from <= '$first' AND coalesce(r.valid_to, '9999') >= '$first'
	   WHERE e.funder = '$(sed "s/'/''/g" <<<"$1")' AND e.start_on <= '$last' AND (e.end_on IS NULL OR e.end_on >= '$first')"
}
month_people() {
	local first last
	first=$(printf '2024-%02d-01' "$2")
	last=$(q "SELECT date('$first', '+1 month', '-1 day')")
	q "SELECT count(DISTINCT w.nik) FROM enrolments e JOIN workers w ON w.id = e.worker_id
	   WHERE e.funder = '$1' AND e.start_on <= '$last' AND (e.end_on IS NULL OR e.end_on >= '$first')"
}
declare -a bill cum
total=0
for m in $(seq 1 12); do
	bill[m]=$(month_bill "APBD Kota" "$m")
	total=$((total + bill[m]))
	cum[m]=$total
done
check "January is billed for 96.71.01 (35) and 96.71.03 (30) only" '[ "$(month_people "APBD Kota" 1)" -eq 65 ]'
check "April adds the 25 of 96.71.07" '[ "$(month_people "APBD Kota" 4)" -eq 90 ]'
check "June has one person fewer (left in May)" '[ "$(month_people "APBD Kota" 6)" -eq 89 ]'
# a budget that pays January to July in full and part of August
budget=$((cum[7] + bill[8] / 2))
check_cmd "budget set" "$S" --db city.db budget set 2024 "$budget"
check_exit "a budget that is no amount is refused" 2 "$S" --db city.db budget set 2024 "banyak"
check_exit "a budget for no year is refused" 2 "$S" --db city.db budget set 24 1000
check_cmd "budget set in words (2,5 miliar) for another year" "$S" --db city.db budget set 2025 "2,5 miliar"
check "budget list shows both" '"$S" --db city.db budget | grep -q "^2025 .*APBD Kota .*Rp2,500,000,000" && "$S" --db city.db budget | grep -q "^2024 .*$(rp $budget)"'
check_cmd "budget remove" "$S" --db city.db budget remove 2025
check "the budget is kept in settings" '[ "$(q "SELECT value FROM settings WHERE key = '\''budget.2024.APBD Kota'\''")" = "$budget" ]'

# ---- the text report ----
check_exit "report with a bad month is refused" 2 "$S" --db city.db report --month 2024-13
check_exit "report with a month outside --year is refused" 2 "$S" --db city.db report --year 2024 --month 2023-12
"$S" --db city.db report --year 2024 --month 2024-06 --csv csv --html report.html >report.txt 2>report.err
rc=$?
check "report exits 0" '[ $rc -eq 0 ]'
check "the conclusion: the budget runs out in August, 7 months of 12 paid" \
	'grep -qx "  the APBD Kota budget for 2024 runs out in August 2024: 7 months of 12 paid" report.txt'
check "the CSR funder has no budget" 'grep -qF "no budget set for $odd_funder in 2024" report.txt'
short=$((total - budget))
check "budget, year bill and shortfall" 'grep -qF "budget $(rp $budget), bill for the year $(rp $total)" report.txt && grep -qF ": $(rp $short) short" report.txt'
rate6=${bill[6]}
lasts=$(awk -v b="$budget" -v r="$rate6" 'BEGIN { printf "%.1f", b / r }')
check "the present rate (June) and how long the budget lasts at it" 'grep -qF "at the present rate, $(rp $rate6) a month (June 2024), the budget lasts $lasts months" report.txt'

sed -n '/^MONTHLY BILL 2024: APBD Kota/,/^  year/p' report.txt >bill.txt
ok=1
for m in $(seq 1 12); do
	name=$(date -d "2024-$m-01" +%B)
	line=$(grep "^  $name 2024 " bill.txt)
	[ "$(field "$line" 2)" = "$(group "$(month_people "APBD Kota" "$m")")" ] || { ok=0; echo "# people $name: $line"; }
	[ "$(field "$line" 5)" = "$(rp "${bill[m]}")" ] || { ok=0; echo "# bill $name: $line, want $(rp "${bill[m]}")"; }
	[ "$(field "$line" 6)" = "$(rp "${cum[m]}")" ] || { ok=0; echo "# cumulative $name: $line"; }
	[ "$(field "$line" 7)" = "$(rp $((budget - cum[m])))" ] || { ok=0; echo "# left $name: $line"; }
done
check "every month's people, bill, cumulative and budget left match" '[ $ok -eq 1 ]'
check "JKM is priced Rp6,800 to June and Rp7,500 from July" \
	'[ "$(field "$(grep "^  June 2024 " bill.txt)" 4)" = "$(rp $((6800 * 89)))" ] && [ "$(field "$(grep "^  July 2024 " bill.txt)" 4)" = "$(rp $((7500 * 89)))" ]'
check "the run-out month is marked" 'grep "^  August 2024 " bill.txt | grep -q "runs out"'
check "the bill of a month agrees with sinkron bill" \
	'[ "$("$S" --db city.db bill --month 2024-09 | grep "^APBD Kota *JKK" | awk "{print \$NF}")" = "$(field "$(grep "^  September 2024 " bill.txt)" 3)" ]'

ok=1
for d in 96.71.01 96.71.03 96.71.07; do
	line=$(sed -n '/^ENROLMENT BY DISTRICT/,/^$/p' report.txt | grep "^  $d ")
	w=$(q "SELECT count(*) FROM workers WHERE owner = '$d' AND status = 'active'")
	jkk=$(q "SELECT count(*) FROM enrolments WHERE owner = '$d' AND program = 'JKK' AND start_on <= '2024-06-30' AND (end_on IS NULL OR end_on >= '2024-06-01')")
	[ "$(field "$line" 3)" = "$w" ] && [ "$(field "$line" 4)" = "$jkk" ] || { ok=0; echo "# $d: $line (want $w workers, $jkk JKK)"; }
done
check "district rows: active workers and JKK enrolments in force in June" '[ $ok -eq 1 ]'
check "distrik names from the regions table" 'grep -q "^  96.71.07  Sorong Kota " report.txt'
kel=$(q "SELECT kelurahan FROM workers WHERE status = 'active' GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
kn=$(q "SELECT count(*) FROM workers WHERE status = 'active' AND kelurahan = '$kel'")
kname=$(q "SELECT name FROM regions WHERE code = '$kel'")
line=$(sed -n '/^ENROLMENT BY KELURAHAN/,/^$/p' report.txt | grep "^  $kel ")
check "a kelurahan row: its name and count" '[ "$(field "$line" 2)" = "$kname" ] && [ "$(field "$line" 4)" = "$kn" ]'
occ=$(q "SELECT lower(trim(occupation)) FROM workers WHERE status = 'active' GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
on=$(q "SELECT count(*) FROM workers WHERE status = 'active' AND lower(trim(occupation)) = '$occ'")
line=$(sed -n '/^ENROLMENT BY OCCUPATION/,/^$/p' report.txt | sed -n 3p)
check "the first occupation is the commonest, counted across spellings" '[ "$(field "$line" 1 | tr "[:upper:]" "[:lower:]")" = "$occ" ] && [ "$(field "$line" 2)" = "$on" ]'
line=$(sed -n '/^ENROLMENT BY FUNDER/,/^$/p' report.txt | grep "^  CSR:")
check "the CSR funder's row: 5 workers, 5 JKK, 5 JKM in June" '[ "$(field "$line" 2)" = 5 ] && [ "$(field "$line" 3)" = 5 ] && [ "$(field "$line" 4)" = 5 ]'
check "the CSR funder is billed from March only" \
	'[ "$(field "$(sed -n "/^MONTHLY BILL 2024: CSR/,/^  year/p" report.txt | grep "^  February 2024 ")" 2)" = 0 ] &&
	 [ "$(field "$(sed -n "/^MONTHLY BILL 2024: CSR/,/^  year/p" report.txt | grep "^  March 2024 ")" 2)" = 5 ]'
check "no warning about unpriced enrolments" '! grep -q "no rate" report.err'

# ---- CSV ----
check "one CSV per table, readable by the owner only" \
	'for f in districts kelurahan occupations funders bill-2024 budget-2024; do [ "$(stat -c %a csv/$f.csv)" = 600 ] || exit 1; done'
check "the CSV files are as the Indonesian Excel reads them: a UTF-8 BOM, ';', CRLF" '[ "$(head -c 3 csv/districts.csv | od -An -tx1 | tr -d " ")" = efbbbf ] && head -n 1 csv/districts.csv | grep -q ";workers;.*"$'"'"'\r'"'"'"$"'
# the rest reads them as plain comma-separated text
for f in csv/*.csv; do sed '1s/^\xef\xbb\xbf//; s/\r$//' "$f" | tr ';' ',' >"$f.plain"; done
check "districts.csv: header and a row" 'head -n 1 csv/districts.csv.plain | grep -q "^code,distrik,workers,JKK,JKM,premium_2024_06" && grep -q "^96.71.07,Sorong Kota,25,25,25," csv/districts.csv.plain'
check "bill-2024.csv: 12 months per funder" '[ "$(grep -c "^2024-" csv/bill-2024.csv.plain)" -eq 24 ]'
check "bill-2024.csv: August's figures" \
	'grep -q "^2024-08,APBD Kota,89,[0-9]*,[0-9]*,${bill[8]},${cum[8]},$budget,$((budget - cum[8]))" csv/bill-2024.csv.plain'
check "budget-2024.csv: runs out 2024-08, 7 of 12" 'grep -q "^APBD Kota,2024,$budget,$total,[0-9]*,12,7,2024-08," csv/budget-2024.csv.plain'
check "the CSR funder's name is quoted in CSV" 'grep -qF "\"CSR:Bank <Mitra> & \"\"Papua\"\"\"" csv/funders.csv.plain'

# ---- HTML ----
check "report.html is readable by the owner only" '[ "$(stat -c %a report.html)" = 600 ]'
check "no network reference in the page" '! grep -Eiq "https?:|<script[^>]*src|@import|url\(" report.html'
check "no script at all" '! grep -qi "<script" report.html'
check "the funder's name is escaped" 'grep -qF "CSR:Bank &lt;Mitra&gt; &amp; &quot;Papua&quot;" report.html && ! grep -qF "<Mitra>" report.html'
check "three kinds of chart" '[ "$(grep -c "<svg" report.html)" -ge 4 ] && grep -q "class=\"chart line\"" report.html && grep -q "by district" report.html && grep -q "by occupation" report.html'
check "a viewport for small screens" 'grep -q "name=\"viewport\"" report.html'

if [ "$(id -u)" -eq 0 ] && need_pkg chromium chromium; then
	chrome() {
		timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
			--disable-background-networking --disable-component-update --disable-sync \
			--user-data-dir="$(mktemp -d "$TMP/chrome.XXXXXX")" "$@" "file://$TMP/report.html" 2>chrome.err
	}
	chrome --dump-dom >dom.html
	check "Chromium renders the page" '[ -s dom.html ] && grep -q "</html>" dom.html'
	check "the DOM holds the charts" '[ "$(grep -o "<svg" dom.html | wc -l)" -ge 4 ] && grep -q "<polyline" dom.html && grep -q "<rect" dom.html'
	check "the DOM holds the conclusion and figures" \
		'grep -qF "the APBD Kota budget for 2024 runs out in August 2024: 7 months of 12 paid" dom.html && grep -qF "$(rp $total)" dom.html && grep -qF "$(rp "${cum[8]}")" dom.html'
	chrome --screenshot="$TMP/shot.png" --window-size=1280,2000 >/dev/null
	check "the screenshot is a PNG of 1280 x 2000" \
		'[ "$(head -c 8 shot.png | od -An -tx1 | tr -d " ")" = 89504e470d0a1a0a ] &&
		 [ "$(od -An -tu1 -j16 -N8 shot.png | awk "{print \$3*256+\$4, \$7*256+\$8}")" = "1280 2000" ]'
	check "the screenshot is not blank (more than 40 KB)" '[ "$(stat -c %s shot.png)" -gt 40000 ]'
	chrome --screenshot="$TMP/phone.png" --window-size=390,1600 >/dev/null
	check "a phone-sized screenshot too" '[ "$(stat -c %s phone.png)" -gt 20000 ]'
	[ -n "${KEEP_SHOTS:-}" ] && cp shot.png phone.png "$KEEP_SHOTS"/
else
	check "headless Chromium is available (as root, through apt-get)" false
fi

# ---- a district's own report ----
"$S" --db 96.71.07.db report --year 2024 >d7.txt
check "a district database reports itself" 'grep -q "^Distrik Sorong Kota (96.71.07)" d7.txt && grep -q "no budget set for APBD Kota in 2024" d7.txt'
check "report --help answers" '"$S" report --help | grep -q "runs out"'
check "budget --help answers" '"$S" budget --help | grep -q "miliar"'

finish

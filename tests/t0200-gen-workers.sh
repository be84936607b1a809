#!/bin/bash
# t0200-gen-workers: scripts/gen-workers writes seeded, realistic import CSVs: the same seed gives the
# same bytes; the header, NIKs, dates and kelurahan of valid rows are right; --bad gives that share of
# rows with exactly one recognisable defect each; --city writes one file per distrik with the --dup
# share of workers registered in two distrik; bad arguments exit 2.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

GEN="$TOP/scripts/gen-workers"
DATA="$TOP/schema/data"
HEADER='NIK,No KK,Nama Lengkap,Tempat Lahir,Tanggal Lahir,Jenis Kelamin,Alamat,Kelurahan,No HP,Pekerjaan,Tempat Kerja,Penghasilan'

# validate.awk: reads kabupaten_kota.csv, wilayah_kota.csv, then generated files named
# workers-<distrik>.csv; checks every row on its own and prints "key value" totals.
cat >validate.awk <<'AWK'
function parse(s,    n, i, c, f, q, len) {
	if (index(s, "\"") == 0) return split(s, F, ",")
	n = 0; f = ""; q = 0; len = length(s)
	for (i = 1; i <= len; i++) {
		c = substr(s, i, 1)
		if (q) {
			if (c == "\"") { if (substr(s, i + 1, 1) == "\"") { f = f "\""; i++ } else q = 0 }
			else f = f c
		} else if (c == "\"") { q = 1; quoted++ }
		else if (c == ",") { F[++n] = f; f = "" }
		else f = f c
	}
	F[++n] = f
	return n
}
function leap(y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }
function dim(y, m) { return m == 2 ? 28 + leap(y) : (m == 4 || m == 6 || m == 9 || m == 11) ? 30 : 31 }
function okdate(y, m, d) { return m >= 1 && m <= 12 && d >= 1 && d <= dim(y, m) }
function digits(s) { return s ~ /^[0-9]+$/ }
function kind(k) { defects++; K[k]++; last = k }
# sets BY, BM, BD from a recorded birth date; 0 when it is none of the three formats or no date
function pdate(s) {
	if (s ~ /^[0-9][0-9][\/-][0-9][0-9][\/-][0-9][0-9][0-9][0-9]$/ && substr(s, 3, 1) == substr(s, 6, 1)) {
		BD = substr(s, 1, 2) + 0; BM = substr(s, 4, 2) + 0; BY = substr(s, 7, 4) + 0
	} else if (s ~ /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]$/) {
		BY = substr(s, 1, 4) + 0; BM = substr(s, 6, 2) + 0; BD = substr(s, 9, 2) + 0
	} else return 0
	return okdate(BY, BM, BD)
}
FILENAME ~ /kabupaten_kota\.csv$/ { sub(/\r$/, ""); split($0, a, ","); if (a[1] ~ /^[0-9][0-9][0-9][0-9]$/) KAB[a[1]] = 1; next }
FILENAME ~ /wilayah_kota\.csv$/ {
	sub(/\r$/, ""); split($0, a, ",")
	if (a[1] ~ /^[0-9][0-9]\.[0-9][0-9]\.[0-9][0-9]\.[0-9][0-9][0-9][0-9]$/) {
		dis = substr(a[1], 1, 8); KELCODE[a[1]] = dis; KELNAME[dis SUBSEP toupper(a[2])] = 1
	}
	next
}
FNR == 1 {
	files++
	if ($0 != header "\r") badheader++
	dis = FILENAME; sub(/^.*workers-/, "", dis); sub(/\.csv$/, "", dis)
	next
}
{
	rows++
	if (substr($0, length($0), 1) != "\r") nocr++
	else $0 = substr($0, 1, length($0) - 1)
	defects = 0
	if (parse($0) != 12) { kind("fields"); nbad++; next }
	nik = F[1]; kk = F[2]; name = F[3]; date = F[5]; sex = F[6]; kel = F[8]; hp = F[9]
	# NIK: 16 digits, a regency code, a possible date (day + 40 for women), district and serial not 0
	if (digits(nik) && length(nik) == 15) kind("nik15")
	else if (digits(nik) && length(nik) == 17) kind("nik17")
	else if (length(nik) == 16 && nik ~ /[A-Za-z]/ && nik ~ /^[0-9A-Za-z]+$/) kind("nikalpha")
	else if (!digits(nik) || length(nik) != 16) kind("nikother")
	else if (!(substr(nik, 1, 4) in KAB)) kind("nikreg")
	else {
		nd = substr(nik, 7, 2) + 0; nm = substr(nik, 9, 2) + 0; ny = substr(nik, 11, 2) + 0
		nf = nd > 40; if (nf) nd -= 40
		if (!okdate(ny < 30 ? 2000 + ny : 1900 + ny, nm, nd)) kind("nikdate")
		else if (substr(nik, 5, 2) == "00" || substr(nik, 13, 4) == "0000") kind("nikother")
	}
	t = name; gsub(/ /, "", t); if (t == "") kind("name")
	if (!pdate(date)) kind("dateparse")
	else if (BY * 10000 + BM * 100 + BD > today) kind("datefuture")
	else if (BY < 1955 || BY > 2009) kind("dateage")
	if (sex != "L" && sex != "P" && sex != "Laki-laki" && sex != "Perempuan") kind("sex")
	if (kel ~ /^[0-9][0-9]\.[0-9][0-9]\.[0-9][0-9]\.[0-9]+$/) { if (KELCODE[kel] != dis) kind("kel") }
	else if (!((dis SUBSEP toupper(kel)) in KELNAME)) kind("kel")
	if (kk != "" && kk !~ /^[0-9]+$/) kind("kkalpha")
	else if (kk != "" && length(kk) != 16) kind("kklen")
	if (hp ~ /[A-Za-z]/) kind("phone")
	else if (hp != "") {
		t = hp; gsub(/[ -]/, "", t); sub(/^\+62/, "0", t)
		if (t !~ /^08[0-9]+$/ || length(t) < 10 || length(t) > 13) kind("phoneother")
	}
	if (F[4] == "" || F[7] == "" || F[10] == "") kind("emptyfield")
	if (F[12] !~ /^[1-9][0-9]*$/ && F[12] !~ /^[1-9][0-9]?[0-9]?(\.[0-9][0-9][0-9])+$/) kind("income")
	if (defects) { nbad++; if (defects > 1) multi++; next }

	valid++
	p = substr(nik, 1, 4)
	if (p == "9271") p9271++; else if (p == "9671") p9671++; else {
		pother++
		if (p ~ /^(73|74|81|82|53|91|92|94|95|96)/) peast++
	}
	female = sex == "P" || sex == "Perempuan"
	if (nd != BD || nm != BM || ny != BY % 100 || nf != female) warn++
	key = dis SUBSEP nik
	if (key in SEEN) withindup++
	SEEN[key] = 1
	if (!(nik in NFILES)) { NFILES[nik] = 0; BIRTH[nik] = BY "-" BM "-" BD "-" female }
	else if (BIRTH[nik] != BY "-" BM "-" BD "-" female) dupdiffer++
	NFILES[nik]++
}
END {
	for (n in NFILES) { if (NFILES[n] == 2) crossdup++; if (NFILES[n] > 2) crossdup3++ }
	printf "files %d\nrows %d\nbad %d\nmulti %d\nvalid %d\nwarn %d\n", files, rows, nbad, multi, valid, warn
	printf "badheader %d\nnocr %d\nquoted %d\nwithindup %d\ncrossdup %d\ncrossdup3 %d\ndupdiffer %d\n", \
		badheader, nocr, quoted, withindup, crossdup, crossdup3, dupdiffer
	printf "p9271 %d\np9671 %d\npother %d\npeast %d\n", p9271, p9671, pother, peast
	for (k in K) printf "kind_%s %d\n", k, K[k]
}
AWK

# validate FILE...: the report of validate.awk for the files, into report.txt
validate() { awk -v header="$HEADER" -v today="$(date +%Y%m%d)" -f validate.awk "$DATA/kabupaten_kota.csv" "$DATA/wilayah_kota.csv" "$@" >report.txt; }
# val KEY: a number from report.txt (0 when absent)
val() { awk -v k="$1" '$1 == k { print $2; f = 1 } END { if (!f) print 0 }' report.txt; }
# between X LO HI: LO <= X <= HI
between() { [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; }

# --- the wrapper builds the generator and shows its usage
check_cmd "wrapper builds and runs build/gen-workers" "$GEN" --help
check "the binary is there and not older than its source" '[ -x "$TOP/build/gen-workers" ] && [ ! "$TOP/scripts/gen-workers.c" -nt "$TOP/build/gen-workers" ]'
"$GEN" --help >help.txt 2>&1
check "--help shows the usage" 'grep -q -- "--district CODE | --city CODE" help.txt && grep -q -- "--dup FRACTION" help.txt'

# --- one distrik: defaults, determinism, the header, valid rows
"$GEN" --district 96.71.01 --out d1.csv 2>d1.err
check "district default: 1934 rows plus the header" '[ "$(wc -l <d1.csv)" -eq 1935 ]'
check "the seed and a summary go to stderr" 'grep -qx "gen-workers: seed 1" d1.err && grep -q "1934 rows, 0 bad" d1.err'
check "header exactly as specified, CRLF" '[ "$(head -n 1 d1.csv)" = "$HEADER"$'"'\r'"' ]'
"$GEN" --district 96.71.01 >d1-stdout.csv 2>/dev/null
check "stdout and --out give the same bytes" 'cmp -s d1.csv d1-stdout.csv'
"$GEN" --district 96.71.01 --seed 42 --bad 0.1 >s42a.csv 2>/dev/null
"$GEN" --district 96.71.01 --seed 42 --bad 0.1 >s42b.csv 2>/dev/null
"$GEN" --district 96.71.01 --seed 43 --bad 0.1 >s43.csv 2>/dev/null
check "same seed, same bytes" 'cmp -s s42a.csv s42b.csv'
check "different seed, different bytes" '! cmp -s s42a.csv s43.csv'

cp d1.csv workers-96.71.01.csv
validate workers-96.71.01.csv
check "every line ends in CRLF" '[ "$(val nocr)" -eq 0 ] && [ "$(val badheader)" -eq 0 ]'
check "every row has 12 fields, some quoted (RFC 4180)" '[ "$(val kind_fields)" -eq 0 ] && [ "$(val quoted)" -gt 0 ]'
check "--bad 0: all 1934 rows valid (NIK 16 digits, regency code, possible date; kelurahan of 96.71.01; ...)" \
	'[ "$(val rows)" -eq 1934 ] && [ "$(val valid)" -eq 1934 ] && [ "$(val bad)" -eq 0 ]'
check "NIKs unique within the file" '[ "$(val withindup)" -eq 0 ]'
check "about 2 % of valid rows: NIK date or sex disagrees with the record (warning) [$(val warn)]" 'between "$(val warn)" 10 97'
check "some rows write the kelurahan as its code, some as its name" 'grep -q ",96\.71\.01\.10[0-9][0-9]," d1.csv && grep -qi ",remu utara," d1.csv'
check "Mama-Mama Papua sellers, ojek drivers, fishermen and honorary staff are there" \
	'grep -q "Mama-Mama Papua Penjual" d1.csv && grep -q "Pengemudi Ojek,Pangkalan Ojek" d1.csv && grep -q ",Nelayan" d1.csv && grep -q "Honorer" d1.csv'

# --- --bad: the share and every kind of defect, each bad row with exactly one
"$GEN" --district 96.71.05 --count 19336 --bad 0.1 --seed 5 --out workers-96.71.05.csv 2>bad.err
validate workers-96.71.05.csv
check "--bad 0.1 at 19336 rows: about 10 % bad [$(val bad)]" 'between "$(val bad)" 1837 2031'
check "stderr counts the bad rows the file has" 'grep -q "19336 rows, $(val bad) bad" bad.err'
check "each bad row has exactly one defect" '[ "$(val multi)" -eq 0 ]'
missing=""
for k in nik15 nik17 nikalpha nikreg nikdate name dateparse datefuture sex kel kklen kkalpha phone; do
	[ "$(val kind_$k)" -ge 40 ] || missing="$missing $k($(val kind_$k))"
done
check "all 13 defect kinds appear (40+ each)${missing:+, missing:$missing}" '[ -z "$missing" ]'
check "no defect outside the specified kinds" \
	'[ "$(( $(val kind_nikother) + $(val kind_dateage) + $(val kind_phoneother) + $(val kind_emptyfield) + $(val kind_income) + $(val kind_fields) ))" -eq 0 ]'

# --- a whole city: 10 files, uneven, duplicates across distrik, the prefix mix
start=$(date +%s%N)
"$GEN" --city 96.71 --out city 2>city.err
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "19336 rows in ${elapsed_ms} ms (well under a second; 2 s allowed on a loaded machine)" '[ "$elapsed_ms" -lt 2000 ]'
check "--city 96.71 writes 10 files workers-96.71.01..10.csv" \
	'[ "$(ls city | wc -l)" -eq 10 ] && for i in 01 02 03 04 05 06 07 08 09 10; do [ -s city/workers-96.71.$i.csv ] || exit 1; done'
validate city/workers-*.csv
check "19336 rows in total, all valid" '[ "$(val rows)" -eq 19336 ] && [ "$(val valid)" -eq 19336 ] && [ "$(val files)" -eq 10 ]'
check "every kelurahan belongs to its file's distrik; NIKs unique in each file" '[ "$(val kind_kel)" -eq 0 ] && [ "$(val withindup)" -eq 0 ]'
sizes=$(for f in city/*.csv; do echo $(( $(wc -l <"$f") - 1 )); done | sort -n)
check "distrik get uneven shares ($(echo $sizes))" '[ "$(echo "$sizes" | tail -n 1)" -gt "$(( $(echo "$sizes" | head -n 1) * 6 / 5 ))" ]'
check "about 0.3 % of workers registered in two distrik [$(val crossdup)]" 'between "$(val crossdup)" 29 87'
check "duplicates are the same person (birth date and sex) and in two files only" '[ "$(val dupdiffer)" -eq 0 ] && [ "$(val crossdup3)" -eq 0 ]'
v=$(val valid)
check "prefix mix: 9271 about 45 % [$(val p9271)]" 'between "$(( $(val p9271) * 100 / v ))" 40 50'
check "prefix mix: 9671 about 35 % [$(val p9671)]" 'between "$(( $(val p9671) * 100 / v ))" 30 40'
check "prefix mix: migrants about 20 %, mostly from eastern Indonesia [$(val pother), $(val peast)]" \
	'between "$(( $(val pother) * 100 / v ))" 15 25 && [ "$(( $(val peast) * 100 / $(val pother) ))" -ge 60 ]'
check "a summary line per file on stderr" '[ "$(grep -c "workers-96\.71\.[01][0-9]\.csv: [0-9]* rows, 0 bad" city.err)" -eq 10 ]'
"$GEN" --city 96.71 --out city2 2>/dev/null
check "city: same seed, same bytes" 'diff -r city city2 >/dev/null'
"$GEN" --out city3 --dup 0 --count 3000 2>/dev/null
validate city3/workers-*.csv
check "city is the default; --dup 0 gives no cross-distrik duplicates" '[ "$(val files)" -eq 10 ] && [ "$(val rows)" -eq 3000 ] && [ "$(val crossdup)" -eq 0 ]'

# --- the other cities in the reference data
"$GEN" --city 81.71 --count 600 --out ambon --bad 0.05 2>/dev/null
validate ambon/workers-*.csv
check "--city 81.71: 5 files, valid apart from the bad ones [$(val bad)]" \
	'[ "$(val files)" -eq 5 ] && [ "$(val rows)" -eq 600 ] && between "$(val bad)" 25 35 && [ "$(val multi)" -eq 0 ]'
"$GEN" --city 33.75 --count 400 --out pkl 2>/dev/null
validate pkl/workers-*.csv
check "--city 33.75: 4 files, all valid" '[ "$(val files)" -eq 4 ] && [ "$(val valid)" -eq 400 ]'

# --- bad arguments: a message and exit 2
check_exit "unknown distrik" 2 "$GEN" --district 96.71.11
check_exit "unknown city" 2 "$GEN" --city 99.99
check_exit "malformed code" 2 "$GEN" --district 9671
check_exit "count not a number" 2 "$GEN" --district 96.71.01 --count 12x
check_exit "negative count" 2 "$GEN" --district 96.71.01 --count -5
check_exit "--bad above 1" 2 "$GEN" --district 96.71.01 --bad 1.5
check_exit "--bad not a number" 2 "$GEN" --district 96.71.01 --bad lots
check_exit "--dup below 0" 2 "$GEN" --dup -0.1
check_exit "--district and --city together" 2 "$GEN" --district 96.71.01 --city 96.71
check_exit "unknown option" 2 "$GEN" --frobnicate
check_exit "option without its value" 2 "$GEN" --district 96.71.01 --count
"$GEN" --count abc >/dev/null 2>err.txt
check "the message says what is wrong" 'grep -q "count.*abc.*not a number" err.txt'

finish

#!/bin/bash
# t7300-city-web: the city's desk in a real browser (Playwright's core driving Debian's chromium
# against `sinkron serve` on the city's database), with a real central repository (git
# http-backend behind lighttpd on loopback, one login per office): a district that never sent
# anything flagged first; two hostile change-sets written into the central repository (a clock ten
# days ahead, a record of another district) held in quarantine, one released and one rejected with
# a note; a duplicate decided and shown on the district's Beranda after it syncs; BPJS's KPJ file
# with an unknown NIK and a KPJ already taken; the month's bill downloaded as .xlsx and read back
# with LibreOffice headless; a pemantau account refused every write (curl, with a valid session
# and CSRF token), and the office's forms neither offered nor taken at the city, whatever the role.
# Every district listed, and Riwayat's packages and decisions paged with the count of the others.
# Screenshots at 1280 and 390 px in build/test-logs/city-web/.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$TOP/tests/servers.sh"
. "$TOP/tests/web/webhelp.sh"

[ -x /usr/bin/chromium ] || need_pkg /usr/bin/chromium chromium || skip_all "chromium is missing (scripts/install-deps installs it)"
command -v node >/dev/null || skip_all "node is missing (scripts/install-deps installs it)"
command -v soffice >/dev/null || need_pkg soffice libreoffice-calc-nogui || skip_all "LibreOffice is missing (scripts/install-deps installs it)"
need_pkg sqlite3 sqlite3 || skip_all "sqlite3 is not installed and cannot be"
if [ ! -d "$TOP/tests/web/node_modules/playwright-core" ]; then
	(cd "$TOP/tests/web" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund >/dev/null 2>&1) ||
		skip_all "playwright-core is missing: run 'npm ci' in tests/web"
fi
export HOME="$TMP/home" GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0
unset SINKRON_CLOCK_OFFSET
mkdir -p "$HOME"

sk() { "$SINKRON" "$@"; }
q() { sqlite3 -batch -noheader "$@"; }
first() { q "$1" "SELECT id FROM workers ORDER BY id LIMIT 1 OFFSET ${2:-0}"; }

mkdir -p srv
central-setup "$TMP/srv/central.git" >/dev/null || skip_all "central-setup failed"
http_add_user 96.71 sandi-kota
for n in 01 02; do http_add_user 96.71.$n sandi-$n; done
start_http srv || skip_all "cannot start lighttpd"
CENTRAL="http://127.0.0.1:$HTTP_PORT/git/central.git"

sk --db city.db init --city 96.71 --central "$CENTRAL" >/dev/null 2>&1 || skip_all "city init failed"
login city.db 96.71 sandi-kota
for n in 01 02; do
	sk --db d$n.db init 96.71.$n --central "$CENTRAL" >/dev/null 2>&1
	login d$n.db 96.71.$n sandi-$n
	gen-workers --district 96.71.$n --count 12 --seed $((10#$n)) --out w$n.csv 2>/dev/null
	sk --db d$n.db import w$n.csv --funder "APBD Kota" >/dev/null 2>&1
done
# the same person registered in both districts
NIK=9671015203850001
kel() { q "$1" "SELECT kelurahan FROM workers ORDER BY id LIMIT 1"; }
DW1=$(sk --db d01.db worker add --nik $NIK --name "Yosina Kambu" --birth-date 12/03/1985 --sex P --kelurahan "$(kel d01.db)" 2>/dev/null)
DW2=$(sk --db d02.db worker add --nik $NIK --name "Yosina M. Kambu" --birth-date 12/03/1985 --sex P --kelurahan "$(kel d02.db)" --phone 081344556677 2>/dev/null)
for n in 01 02; do sk --db d$n.db sync >/dev/null 2>&1; done
check_exit "the city consolidates the two districts" 0 sk --db city.db sync
check "the duplicate is waiting at the city" 'sk --db city.db duplicates 2>/dev/null | grep -q "^NIK $NIK"'

# a change of 96.71.02's after a point in time (the next second: restore points are seconds)
T0=$(date +%s)
while [ "$(date +%s)" -le "$T0" ]; do sleep 0.1; done
W2p=$(first d02.db 1)
OLDPHONE=$(q d02.db "SELECT phone FROM workers WHERE id = '$W2p'")
sk --db d02.db worker edit "$W2p" --phone 081299990000 >/dev/null 2>&1
sk --db d02.db sync >/dev/null 2>&1
sk --db city.db sync >/dev/null 2>&1
T1=$(date +%s)
while [ "$(date +%s)" -le "$T1" ]; do sleep 0.1; done
check "the change reached the city" '[ "$(q city.db "SELECT phone FROM workers WHERE id = '"'$W2p'"'")" = 081299990000 ]'

# ---- two hostile change-sets through the central repository ----
# 96.71.01 ten days ahead of the city's clock
W1c=$(first d01.db 2)
SINKRON_CLOCK_OFFSET=864000 sk --db d01.db worker edit "$W1c" --phone 081200000111 >/dev/null 2>&1
SINKRON_CLOCK_OFFSET=864000 sk --db d01.db sync >/dev/null 2>&1
# 96.71.02 writing a record 96.71.01 owns, behind sinkron's back: its database refuses that write,
# so the guard is taken away around it and put back exactly as it was
FOREIGN=967101-1a2000000001
around_guards d02.db workers insert "INSERT INTO workers (id, owner, nik, name, birth_date, sex, kelurahan, status) VALUES
	('$FOREIGN', '96.71.01', '9671014506900001', 'Bukan Warga Kami', '1990-06-05', 'P', '$(kel d01.db)', 'active')"
sk --db d02.db sync >/dev/null 2>&1
sk --db city.db sync >/dev/null 2>&1
check "two change-sets are held in quarantine" '[ "$(q city.db "SELECT count(*) FROM sk_quarantine WHERE state = '"'held'"'")" = 2 ]'
QAHEAD=$(q city.db "SELECT id FROM sk_quarantine WHERE origin = '96.71.01' AND state = 'held'")
QOWN=$(q city.db "SELECT id FROM sk_quarantine WHERE origin = '96.71.02' AND state = 'held'")

# ---- accounts of the city (the city's roles only) ----
echo 'rahasia-op1' | sk --db city.db user add opr --role operator >/dev/null
echo 'rahasia-pm1' | sk --db city.db user add pantau --role pemantau >/dev/null
echo 'rahasia-ad1' | sk --db city.db user add adm --role admin >/dev/null
check_exit "an office role is refused in the city's database (exit 2)" 2 sh -c "echo rahasia-xx1 | '$SINKRON' --db city.db user add kep --role kepala"
check_exit "a city role is refused in an office's database (exit 2)" 2 sh -c "echo rahasia-xx1 | '$SINKRON' --db d01.db user add op --role operator"
# an office's accounts table as it was made before the city's roles: rebuilt once, its rows kept
q d02.db "CREATE TABLE web_accounts (name TEXT PRIMARY KEY, hash TEXT NOT NULL,
	role TEXT NOT NULL CHECK (role IN ('petugas', 'kepala')), disabled INTEGER NOT NULL DEFAULT 0,
	created INTEGER NOT NULL, changed INTEGER NOT NULL) WITHOUT ROWID;
	INSERT INTO web_accounts VALUES ('lama', 'x', 'kepala', 0, 1, 1)"
check_exit "an office database made before the city's roles takes a new account" 0 sh -c "echo rahasia-kep1 | '$SINKRON' --db d02.db user add kep --role kepala"
check "... its table rebuilt with the old account kept" '[ "$(q d02.db "SELECT group_concat(name || \":\" || role) FROM web_accounts")" = "kep:kepala,lama:kepala" ] && q d02.db "SELECT sql FROM sqlite_master WHERE name = '"'web_accounts'"'" | grep -q pemantau'
echo 'rahasia-ani' | sk --db d02.db user add ani >/dev/null
check "the office's account is a petugas" '[ "$(q d02.db "SELECT role FROM web_accounts WHERE name = '"'ani'"'")" = petugas ]'

# KPJ file from BPJS: one matches, one NIK unknown, one KPJ already on another worker
K1=$(q city.db "SELECT nik FROM workers WHERE owner = '96.71.01' AND nik <> '$NIK' ORDER BY id LIMIT 1")
K2=$(q city.db "SELECT nik FROM workers WHERE owner = '96.71.02' AND nik <> '$NIK' ORDER BY id LIMIT 1")
K3=$(q city.db "SELECT nik FROM workers WHERE owner = '96.71.02' AND nik <> '$NIK' ORDER BY id LIMIT 1 OFFSET 1")
sk --db city.db worker kpj "$K3" 24010000077 >/dev/null 2>&1
printf 'No;NIK;Nama;No KPJ\r\n1;%s;A;24010000001\r\n2;9999999999999999;Tidak Ada;24010000002\r\n3;%s;B;24010000077\r\n' "$K1" "$K2" >kpj.csv

P=$(free_port)
web_serve city "http://127.0.0.1:$P" --db city.db serve --listen "127.0.0.1:$P" || skip_all "serve did not start"
P=$WEB_PORT
CITY_URL=$WEB_URL
P2=$(free_port)
web_serve office "http://127.0.0.1:$P2" --db d02.db serve --listen "127.0.0.1:$P2" || skip_all "the office's serve did not start"
P2=$WEB_PORT
OFFICE_URL=$WEB_URL
WEB_URL=$CITY_URL

SHOTS="$TOP/build/test-logs/city-web"
rm -rf "$SHOTS"
out=$(cd "$TOP/tests/web" && WEB_URL="$CITY_URL" OFFICE_URL="$OFFICE_URL" SHOTS="$SHOTS" TMP="$TMP" KPJ="$TMP/kpj.csv" NIK=$NIK \
	DW1="$DW1" QAHEAD="$QAHEAD" QOWN="$QOWN" \
	CITY_SYNC="'$SINKRON' --db '$TMP/city.db' sync" OFFICE_SYNC="'$SINKRON' --db '$TMP/d02.db' sync" node city.mjs 2>&1)
echo "$out" | grep -v '^# [0-9]* passed'
_passed=$((_passed + $(echo "$out" | grep -c '^ok - ')))
_failed=$((_failed + $(echo "$out" | grep -c '^not ok - ')))
echo "$out" | grep -q '^# [0-9]* passed' || { echo "not ok - the browser script ended early"; _failed=$((_failed + 1)); }

# ---- what the engine recorded ----
check "the release is recorded with the officer's account" '[ "$(q city.db "SELECT state || \" \" || decided_by FROM sk_quarantine WHERE id = '"'$QAHEAD'"'")" = "released opr" ]'
check "the rejection too" '[ "$(q city.db "SELECT state || \" \" || decided_by FROM sk_quarantine WHERE id = '"'$QOWN'"'")" = "rejected opr" ]'
check "the released change-set was applied" '[ "$(q city.db "SELECT phone FROM workers WHERE id = '"'$W1c'"'")" = 081200000111 ]'
check "the rejected record is not at the city" '[ "$(q city.db "SELECT count(*) FROM workers WHERE id = '"'$FOREIGN'"'")" = 0 ]'
check "the notes are kept with the account" '[ "$(q city.db "SELECT count(*) FROM web_city_notes WHERE account = '"'opr'"' AND note LIKE '"'%jam kantor%'"'")" = 1 ]'
check "the KPJ that matched is set, the taken one not moved" '[ "$(q city.db "SELECT kpj FROM workers WHERE nik = '"'$K1'"'")" = 24010000001 ] && [ "$(q city.db "SELECT kpj FROM workers WHERE nik = '"'$K3'"'")" = 24010000077 ] && [ -z "$(q city.db "SELECT kpj FROM workers WHERE nik = '"'$K2'"'")" ]'

# ---- a pemantau reads and changes nothing: each form refused with a valid session and token ----
JAR=$TMP/pantau.jar
check "the pemantau logs in" '[ "$(web_login "$JAR" pantau rahasia-pm1)" = 303 ]'
check "the pemantau reads the Beranda" '[ "$(web_status "$JAR" /)" = 200 ]'
T=$(web_csrf "$JAR")
check "the pemantau's session has a CSRF token" '[ ${#T} = 64 ]'
before=$(q city.db "SELECT count(*) FROM web_city_notes")
for form in "/kota/karantina do=release&id=$QAHEAD&confirm=1" "/kota/gabung x=1" "/kota/duplikat nik=$NIK&keep=$DW1" \
	"/kota/kpj key=$K2&kpj=24010000055" "/kota/anggaran year=2026&funder=APBD+Kota&amount=1000000" \
	"/akun do=add&name=baru&role=operator&password=rahasia-baru" "/kirim x=1" "/daftar nik=9671010101010101&name=X"; do
	path=${form%% *}
	code=$(curl -s -b "$JAR" -o refused.html -w '%{http_code}' --data "csrf=$T&${form#* }" "$CITY_URL$path")
	check "pemantau: POST $path refused (403, in Indonesian)" '[ "$code" = 403 ] && grep -q "pemantau hanya dapat membaca" refused.html'
done
check "nothing changed by the pemantau" '[ "$(q city.db "SELECT count(*) FROM web_city_notes")" = "$before" ] && [ -z "$(q city.db "SELECT kpj FROM workers WHERE nik = '"'$K2'"'")" ]'
code=$(curl -s -b "$JAR" -o /dev/null -w '%{http_code}' --data "csrf=$T" "$CITY_URL/logout")
check "the pemantau may still log out" '[ "$code" = 303 ]'

# ---- the same protections as the office's pages on every new route ----
for path in / /kota/karantina /kota/duplikat /kota/kpj /kota/tagihan /kota/tagihan.xlsx /kota/tagihan.csv /kota/laporan /kota/laporan.xlsx /kota/riwayat; do
	check "no session: GET $path goes to the login" '[ "$(curl -s -o /dev/null -w "%{http_code} %{redirect_url}" "$CITY_URL$path")" = "303 $CITY_URL/login" ]'
done
JAR2=$TMP/op.jar
web_login "$JAR2" opr rahasia-op1 >/dev/null
for path in /kota/karantina /kota/gabung /kota/duplikat /kota/kpj /kota/anggaran; do
	check "operator: POST $path without the CSRF token refused" '[ "$(curl -s -b "$JAR2" -o /dev/null -w "%{http_code}" --data "x=1" "$CITY_URL$path")" = 403 ]'
done
check "an admin cannot decide (only an operator kota)" '
	web_login "$TMP/adm.jar" adm rahasia-ad1 >/dev/null; TA=$(web_csrf "$TMP/adm.jar");
	[ "$(curl -s -b "$TMP/adm.jar" -o /dev/null -w "%{http_code}" --data "csrf=$TA&nik=$NIK&keep=x" "$CITY_URL/kota/duplikat")" = 403 ]'
check "an admin manages the city's accounts" '[ "$(web_status "$TMP/adm.jar" /akun)" = 200 ] && web_get "$TMP/adm.jar" /akun | grep -q "value=\"pemantau\""'
T2=$(web_csrf "$JAR2")
# ---- the office's forms are the district's: the city's pages neither offer nor take them ----
nw=$(q city.db "SELECT count(*) || '.' || ifnull(sum(length(name)), 0) FROM workers")
nh=$(q city.db "SELECT (SELECT count(*) FROM heirs) || '.' || (SELECT count(*) FROM enrolments) || '.' || (SELECT count(*) FROM sk_outbox)")
for form in "/daftar nik=9671010101010101&name=X&birth_date=01-01-1990&sex=P&kelurahan=$(kel d01.db)&confirm=1" \
	"/ubah id=$DW1&name=Diubah+Kota&confirm=1" "/akhiri id=$DW1&reason=pindah" "/ahli-waris id=$DW1&name=Ahli+Kota&relationship=anak" \
	"/kepesertaan id=$DW1&funder=APBD+Kota" "/impor x=1" "/impor/simpan t=0"; do
	path=${form%% *}
	code=$(curl -s -b "$JAR2" -o office-form.html -w '%{http_code}' --data "csrf=$T2&${form#* }" "$CITY_URL$path")
	check "operator kota: POST $path of the office refused (403, in Indonesian)" '[ "$code" = 403 ] && grep -q "kota tidak mengubah data distrik" office-form.html'
done
for path in /daftar "/ubah?id=$DW1" "/akhiri?id=$DW1" "/ahli-waris?id=$DW1" /impor; do
	check "operator kota: GET $path of the office refused" '[ "$(web_status "$JAR2" "$path")" = 403 ]'
done
check "... nothing of the districts' records changed at the city" '[ "$(q city.db "SELECT count(*) || '"'.'"' || ifnull(sum(length(name)), 0) FROM workers")" = "$nw" ] && [ "$(q city.db "SELECT (SELECT count(*) FROM heirs) || '"'.'"' || (SELECT count(*) FROM enrolments) || '"'.'"' || (SELECT count(*) FROM sk_outbox)")" = "$nh" ]'
web_get "$JAR2" "/pekerja/$DW1" >cityworker.html
check "a worker's page at the city offers no office form (heirs, enrolments, correct, end)" '! grep -q "ahli-waris\|/kepesertaan\|/ubah\|/akhiri" cityworker.html && grep -q "set-kpj" cityworker.html'
# a note with markup comes back escaped on Riwayat
q city.db "INSERT INTO web_city_notes VALUES (1, 'opr', 'budget', '<b>x</b>', '\"><script>alert(1)</script>')"
check "a note is escaped on Riwayat" 'web_get "$JAR2" /kota/riwayat >riw.html; grep -q "&gt;&lt;script&gt;alert(1)&lt;/script&gt;" riw.html && ! grep -q "<script>alert" riw.html'
# ---- Riwayat: who changed a worker, the record on a date (restore, read-only), two dates compared ----
web_get "$JAR2" "/kota/riwayat?pekerja=$W2p" >hist.html
check "Riwayat: the worker's change, by district and field" 'grep -q "96.71.02" hist.html && grep -q "phone" hist.html'
web_get "$JAR2" "/kota/riwayat?pekerja=$W2p&pada=%40$T0" >at0.html
web_get "$JAR2" "/kota/riwayat?pekerja=$W2p&pada=%40$T1" >at1.html
check "the record as it was before the change (restore engine)" 'grep -q "class=\"f-phone\">$OLDPHONE<" at0.html'
check "... and after it" 'grep -q "class=\"f-phone\">081299990000<" at1.html'
check "the live database was not changed by it" '[ "$(q city.db "SELECT phone FROM workers WHERE id = '"'$W2p'"'")" = 081299990000 ]'
web_get "$JAR2" "/kota/riwayat?distrik=96.71.02&a=%40$T0&b=%40$T1" >diff.html
check "the differences between the two points name the worker and the field" 'grep -q "$W2p" diff.html && grep -A3 "$W2p" diff.html | grep -q "phone"'
check "the bill as CSV: totals line" 'web_get "$JAR2" "/kota/tagihan.csv" | grep -q "^Jumlah,,"'
check "the bill's page writes amounts as Indonesian does (Rp16.800), none with commas" 'web_get "$JAR2" /kota/tagihan >bill.html &&
	grep -Eq "id=\"bill-total\">Rp[0-9]{1,3}(\.[0-9]{3})+<" bill.html && ! grep -Eq "Rp[0-9]+,[0-9]{3}" bill.html'
# ---- lists longer than a page: every district shown, the rest of a long list counted and a page away ----
q city.db "WITH RECURSIVE k(i) AS (SELECT 20 UNION ALL SELECT i + 1 FROM k WHERE i < 89)
	INSERT INTO regions SELECT printf('96.71.%02d', i), printf('Distrik Uji %02d', i), 'district' FROM k;
	WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 250)
	INSERT INTO sk_changesets (id, origin, number, commit_id, hlc_max, rows, bytes, digest, at, local, summary)
	SELECT printf('uji%04d', i), '96.71.01', 100000 + i, NULL, 0, 1, 1, 'x', 4102444800000 + i, 0, 'uji' FROM k;
	WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 250)
	INSERT INTO web_city_notes SELECT i * 1000, 'opr', 'budget', printf('uji %03d', i), NULL FROM k"
nd=$(q city.db "SELECT count(*) FROM regions WHERE level = 'district' AND code LIKE '96.71.%'")
check "the Beranda lists every district of the city ($nd), none left out" '[ "$nd" -gt 64 ] && [ "$(web_get "$JAR2" / | grep -o "<tr id=\"d-96\.71\.[0-9]*\"" | wc -l)" = "$nd" ]'
web_get "$JAR2" /kota/riwayat >long.html
check "... and so does Riwayat's district filter" '[ "$(grep -o "<option value=\"96\.71\.[0-9]*\"" long.html | wc -l)" = "$nd" ]'
np=$(q city.db "SELECT count(*) FROM sk_changesets")
# the rows of the section whose element has that id (a page is one line of HTML)
sec() { sed "s/.*id=\"$1\"//; s/<\/section>.*//" "$2" | grep -o "<tr><td" | wc -l; }
check "Riwayat's packages: 200 of $np shown, the $((np - 200)) others counted, a next page" '[ "$(sec changes long.html)" = 200 ] && grep -q "1–200 dari $np ditampilkan; $((np - 200)) tidak ditampilkan di halaman ini" long.html && grep -q "hal=2\" rel=\"next\">Berikutnya" long.html'
web_get "$JAR2" "/kota/riwayat?distrik=&pekerja=&akun=&dari=&sampai=&hal-keputusan=1&hal=2" >long2.html
check "... whose page shows them, the last package among them" '[ "$(sec changes long2.html)" = $((np - 200)) ] && grep -q "paket 100250" long2.html'
nn=$(q city.db "SELECT count(*) FROM web_city_notes")
check "Riwayat's decisions: 200 of $nn shown, the $((nn - 200)) others counted, a next page" '[ "$(sec city-decisions long.html)" = 200 ] && grep -q "1–200 dari $nn ditampilkan; $((nn - 200)) tidak ditampilkan di halaman ini" long.html && grep -q "hal-keputusan=2\" rel=\"next\"" long.html'
web_get "$JAR2" "/kota/riwayat?distrik=&pekerja=&akun=&dari=&sampai=&hal=1&hal-keputusan=2" >long3.html
check "... whose page shows them, the oldest decision among them" '[ "$(sec city-decisions long3.html)" = $((nn - 200)) ] && grep -q ">uji 001<" long3.html'
check "screenshots at 1280 and 390 px kept" '[ "$(ls "$SHOTS"/*-1280.png | wc -l)" -ge 6 ] && [ "$(ls "$SHOTS"/*-390.png | wc -l)" -ge 6 ]'
finish

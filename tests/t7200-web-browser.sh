#!/bin/bash
# t7200-web-browser: a clerk's day in a real browser: Playwright's core (npm, pinned by
# tests/web/package-lock.json) drives Debian's chromium against `sinkron serve`: log in, register,
# a bad NIK refused next to its field, correct, import a file with a bad row and download the
# rejects, end a worker who died and add the heir, Kirim sekarang to a real central repository
# (git http-backend behind lighttpd on loopback, one login per office), and the marks turning from "terkirim" to "diterima kota" after the city
# consolidates, and the KPJ number the city set shown on the Beranda.  Screenshots of every page at 1280 and 390 px go to build/test-logs/web/; no page
# scrolls sideways at 390 px.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$TOP/tests/servers.sh"
. "$TOP/tests/web/webhelp.sh"

[ -x /usr/bin/chromium ] || need_pkg /usr/bin/chromium chromium || skip_all "chromium is missing (scripts/install-deps installs it)"
command -v node >/dev/null || skip_all "node is missing (scripts/install-deps installs it)"
if [ ! -d "$TOP/tests/web/node_modules/playwright-core" ]; then
	(cd "$TOP/tests/web" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund >/dev/null 2>&1) ||
		skip_all "playwright-core is missing: run 'npm ci' in tests/web"
fi

mkdir -p srv
central-setup "$TMP/srv/central.git" >/dev/null || skip_all "central-setup failed"
http_add_user 96.71 sandi-kota
http_add_user 96.71.01 sandi-01
start_http srv || skip_all "cannot start lighttpd"
CENTRAL="http://127.0.0.1:$HTTP_PORT/git/central.git"
$SINKRON --db office.db init 96.71.01 --central "$CENTRAL" >/dev/null 2>&1 || skip_all "init failed"
login office.db 96.71.01 sandi-01
$SINKRON --db city.db init --city 96.71 --central "$CENTRAL" >/dev/null 2>&1 || skip_all "city init failed"
login city.db 96.71 sandi-kota
echo 'rahasia-ani' | $SINKRON --db office.db user add ani >/dev/null

printf '%s\n' 'NIK,Nama,Tanggal Lahir,Jenis Kelamin,Kelurahan,Pekerjaan' \
	'9671012002900005,Petrus Kalami,20/02/1990,L,Klademak,Nelayan' \
	'9671016606850004,Dorkas Kambuaya,26/06/1985,P,Remu,Mama-Mama Papua penjual pinang' \
	'9671016606850007,Natalia Salah,26/06/1985,X,Remu,Petani' >lapangan.csv

P=$(free_port)
web_serve office "http://127.0.0.1:$P" --db office.db serve --listen "127.0.0.1:$P" || skip_all "serve did not start"
P=$WEB_PORT
SHOTS="$TOP/build/test-logs/web"
rm -rf "$SHOTS"
out=$(cd "$TOP/tests/web" && WEB_USER=ani WEB_PASS=rahasia-ani SHOTS="$SHOTS" CSV="$TMP/lapangan.csv" \
	CITY_SYNC="'$SINKRON' --db '$TMP/city.db' sync" CITY="'$SINKRON' --db '$TMP/city.db'" node office.mjs 2>&1)
echo "$out" | grep -v '^# [0-9]* passed'
_passed=$((_passed + $(echo "$out" | grep -c '^ok - ')))
_failed=$((_failed + $(echo "$out" | grep -c '^not ok - ')))
echo "$out" | grep -q '^# [0-9]* passed' || { echo "not ok - the browser script ended early"; _failed=$((_failed + 1)); }
check "the operator the city sees is the clerk's account" '[ "$($SINKRON --db city.db log 2>/dev/null | head -0; sqlite3 office.db "SELECT count(*) FROM sk_outbox")" = 0 ] && git --git-dir=srv/central.git log --format=%B district/96.71.01 | grep -q "ani"'
check "screenshots at 1280 and 390 px kept" '[ "$(ls "$SHOTS"/*-1280.png | wc -l)" -ge 10 ] && [ "$(ls "$SHOTS"/*-390.png | wc -l)" -ge 10 ]'
finish

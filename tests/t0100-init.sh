#!/bin/bash
# t0100-init: `sinkron init` makes a district's (or the city's) database from a region code of the
# shipped reference data (Kota Sorong, Kota Ambon, Kota Pekalongan), refuses unknown codes with exit 2,
# never overwrites a file, honours -C, --db and $SINKRON_DB, creates the file owner-only (0600) and
# loads the regions and the premium rates.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

mode() { stat -c %a "$1"; }
q() { sqlite3 "$1" "$2"; }

# a district by its code, to ./sinkron.db
out=$($SINKRON init 96.71.01 2>err); rc=$?
check "init 96.71.01 exits 0" '[ $rc -eq 0 ]'
check "init names the district" '[[ "$out" == *"Sorong"*"96.71.01"* ]]'
check "the default database is ./sinkron.db" '[ -f sinkron.db ]'
check "the database is mode 0600" '[ "$(mode sinkron.db)" = 600 ]'
for f in sinkron.db-wal sinkron.db-shm; do
	[ -e "$f" ] && check "$f is mode 0600" '[ "$(mode $f)" = 600 ]'
done
check "settings: code, name, city" '[ "$(q sinkron.db "SELECT group_concat(key || \"=\" || value, \";\") FROM (SELECT * FROM settings WHERE key IN (\"code\",\"name\",\"city\") ORDER BY key)")" = "city=96.71;code=96.71.01;name=Sorong" ]'
check "regions: the city, its 10 distrik and 41 kelurahan" '[ "$(q sinkron.db "SELECT count(*) FROM regions WHERE level=\"city\"")/$(q sinkron.db "SELECT count(*) FROM regions WHERE level=\"district\"")/$(q sinkron.db "SELECT count(*) FROM regions WHERE level=\"kelurahan\"")" = 1/10/41 ]'
check "regions: the 4 kelurahan of distrik Sorong" '[ "$(q sinkron.db "SELECT group_concat(name, \",\") FROM (SELECT name FROM regions WHERE code LIKE \"96.71.01.%\" ORDER BY code)")" = "Remu Utara,Klademak,Kofkerbu,Remu" ]'
check "regions: no other city is loaded" '[ "$(q sinkron.db "SELECT count(*) FROM regions WHERE code NOT LIKE \"96.71%\"")" = 0 ]'
check "rates: JKK 1 % (100 hundredths), JKM Rp6,800 flat, JHT 2 %" '[ "$(q sinkron.db "SELECT group_concat(program || \":\" || basis || \":\" || value, \" \") FROM (SELECT * FROM rates WHERE valid_to IS NULL ORDER BY program)")" = "JHT:percent:200 JKK:percent:100 JKM:flat:6800" ]'
check "rates carry their regulation" '[ "$(q sinkron.db "SELECT count(*) FROM rates WHERE regulation LIKE \"%PP 44/2015%\"")" = 2 ]'
check "the capture triggers exist (3 per synced table)" '[ "$(q sinkron.db "SELECT count(*) FROM sqlite_schema WHERE type=\"trigger\" AND name LIKE \"sk_capture_%\"")" = "$(q sinkron.db "SELECT 3 * count(*) FROM sk_tables")" ] && [ "$(q sinkron.db "SELECT count(*) FROM sk_tables")" -ge 3 ]'
check "a new database has an empty outbox" '[ "$(q sinkron.db "SELECT count(*) FROM sk_outbox")" = 0 ]'
check "status works on it" '$SINKRON status | grep -q "Sorong (96.71.01): 0 active"'

# never overwrite an existing file
sum=$(sha256sum sinkron.db)
check_exit "init over an existing database fails" 1 $SINKRON init 96.71.02
check "the existing database is unchanged" '[ "$(sha256sum sinkron.db)" = "$sum" ] && [ "$(q sinkron.db "SELECT value FROM settings WHERE key=\"code\"")" = 96.71.01 ]'
$SINKRON init 96.71.02 2>err; true
check "the refusal says so" 'grep -q "already exists" err'
echo "not a database, but my notes" >notes.txt
cp notes.txt notes.orig
$SINKRON --db notes.txt init 96.71.01 2>/dev/null; rc=$?
check "init over any existing file fails (exit 1 or 2)" '[ $rc -eq 1 ] || [ $rc -eq 2 ]'
check "that file is unchanged" 'cmp -s notes.txt notes.orig'

# the city, Ambon and Pekalongan
out=$($SINKRON --db city.db init --city 96.71 2>/dev/null); rc=$?
check "init --city 96.71 exits 0" '[ $rc -eq 0 ] && [[ "$out" == *"city Kota Sorong"* ]]'
check "the city database is mode 0600" '[ "$(mode city.db)" = 600 ]'
check "the city's code is 96.71" '[ "$(q city.db "SELECT value FROM settings WHERE key=\"code\"")" = 96.71 ]'
check "the city has all 41 kelurahan" '[ "$(q city.db "SELECT count(*) FROM regions WHERE level=\"kelurahan\"")" = 41 ]'
check_exit "init 81.71.01 (Ambon, Nusaniwe)" 0 $SINKRON --db ambon.db init 81.71.01
check "Ambon: name Nusaniwe, Ambon's regions only" '[ "$(q ambon.db "SELECT value FROM settings WHERE key=\"name\"")" = Nusaniwe ] && [ "$(q ambon.db "SELECT count(*) FROM regions WHERE code NOT LIKE \"81.71%\"")" = 0 ] && [ "$(q ambon.db "SELECT count(*) FROM regions")" -gt 10 ]'
check_exit "init 33.75.01 (Pekalongan Barat)" 0 $SINKRON --db pkl.db init 33.75.01
check "Pekalongan: name Pekalongan Barat" '[ "$(q pkl.db "SELECT value FROM settings WHERE key=\"name\"")" = "Pekalongan Barat" ]'
check_exit "init --city 81.71 (Kota Ambon)" 0 $SINKRON --db ambon-city.db init --city 81.71
check_exit "init --city 33.75 (Kota Pekalongan)" 0 $SINKRON --db pkl-city.db init --city 33.75

# unknown or malformed codes: exit 2, a clear message, no file left behind
for code in 96.71.99 12.34.56 garbage 96.71.1 96.71.01.1001 ""; do
	rm -f bad.db err
	$SINKRON --db bad.db init "$code" 2>err; rc=$?
	check "init '$code' exits 2" '[ $rc -eq 2 ]'
	check "init '$code' leaves no file" '[ ! -e bad.db ]'
done
$SINKRON --db bad.db init 96.71.99 2>err
check "an unknown code: the message names it and the known cities" 'grep -q "96.71.99" err && grep -q "not in the reference data" err && grep -q "Kota Sorong" err'
$SINKRON --db bad.db init garbage 2>err
check "garbage: the message says it is not a region code" 'grep -q "garbage.*not a region code" err'
check_exit "a city code without --city exits 2" 2 $SINKRON --db bad.db init 96.71
$SINKRON --db bad.db init 96.71 2>err
check "... and suggests --city" 'grep -q -- "--city 96.71" err'
check_exit "--city with a district code exits 2" 2 $SINKRON --db bad.db init --city 96.71.01
check_exit "--city 12.34 (unknown city) exits 2" 2 $SINKRON --db bad.db init --city 12.34
check_exit "init with no code exits 2" 2 $SINKRON --db bad.db init
check_exit "init with two codes exits 2" 2 $SINKRON --db bad.db init 96.71.01 96.71.02
check_exit "init with an unknown flag exits 2" 2 $SINKRON --db bad.db init 96.71.01 --bogus
check "none of those left a file" '[ ! -e bad.db ]'

# -C DIR, --db, $SINKRON_DB
mkdir office
check_exit "-C office init 96.71.03" 0 $SINKRON -C office init 96.71.03
check "-C: the database is office/sinkron.db, mode 0600" '[ -f office/sinkron.db ] && [ "$(mode office/sinkron.db)" = 600 ]'
check "-C: it is distrik Sorong Barat" '[ "$(q office/sinkron.db "SELECT value FROM settings WHERE key=\"name\"")" = "Sorong Barat" ]'
check "-C office status reads it" '$SINKRON -C office status | grep -q "Sorong Barat (96.71.03)"'
check_exit "-C to a missing directory exits 2" 2 $SINKRON -C no-such-dir status
check_exit "--db=PATH form" 0 $SINKRON --db=eq.db init 96.71.04
check "--db=PATH created eq.db" '[ -f eq.db ] && [ "$(q eq.db "SELECT value FROM settings WHERE key=\"code\"")" = 96.71.04 ]'
SINKRON_DB=$TMP/env.db $SINKRON init 96.71.05 >/dev/null 2>&1; rc=$?
check "\$SINKRON_DB: init creates that file" '[ $rc -eq 0 ] && [ -f env.db ] && [ "$(mode env.db)" = 600 ]'
check "\$SINKRON_DB: status reads it" 'SINKRON_DB=$TMP/env.db $SINKRON status | grep -q "Sorong Utara (96.71.05)"'
check "--db wins over \$SINKRON_DB" 'SINKRON_DB=$TMP/env.db $SINKRON --db eq.db status | grep -q "96.71.04"'
mkdir sub
check "without --db or \$SINKRON_DB, ./sinkron.db is used" '(cd office && $SINKRON status | grep -q 96.71.03)'
check_exit "a verb on a missing database exits non-zero" 1 $SINKRON --db missing.db status
check "... and creates nothing" '[ ! -e missing.db ]'

# --central is stored
check_exit "init with --central" 0 $SINKRON --db central.db init 96.71.06 --central "$TMP/central.git"
check "--central is kept in the settings" '[ "$(q central.db "SELECT value FROM settings WHERE key=\"central\"")" = "$TMP/central.git" ]'

# a database written to keeps its mode; the WAL files are owner-only too
$SINKRON worker add --nik 9671013112800001 --name "Yakobus Mambrasar" --birth-date 31/12/1980 --sex L --kelurahan "Remu Utara" >/dev/null 2>&1
sqlite3 sinkron.db "PRAGMA journal_mode" >/dev/null
check "the database is still mode 0600 after a write" '[ "$(mode sinkron.db)" = 600 ]'
# hold a reader open so the -wal and -shm files exist, then look at their modes
# (the reader says when it holds the database, and holds it until told: no guessed delay)
sqlite3 sinkron.db "BEGIN; SELECT count(*) FROM workers;" ".shell touch held; while [ ! -e release ]; do sleep 0.05; done" \
	"COMMIT;" >/dev/null 2>&1 &
reader=$!
for _ in $(seq 1 600); do [ -e held ] && break; sleep 0.05; done
$SINKRON worker edit 9671013112800001 --phone 081234567890 >/dev/null 2>&1
for f in sinkron.db-wal sinkron.db-shm; do
	check "$f exists while the reader holds the database, and is mode 0600" '[ -e $f ] && [ "$(mode $f)" = 600 ]'
done
touch release
wait "$reader"
finish

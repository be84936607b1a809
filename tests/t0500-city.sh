#!/bin/bash
# t0500-city: the city (96.71) and three of its districts against a real central repository on
# loopback: lighttpd + git http-backend with logins (the city, 96.71.01, 96.71.02) and git daemon
# (96.71.03, anonymous).  Consolidation, duplicates across districts, the city's fields (KPJ,
# verification, duplicate_of) reaching the owning district only, a district that may not set them,
# receipts in `sinkron status`, and the city's database equal to the districts' own.

. "$(dirname "$0")/lib.sh"
. "$TOP/tests/servers.sh"

export HOME="$TMP/home" GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0 GIT_ASKPASS=/bin/false
mkdir -p "$HOME"
need_pkg git git || skip_all "git is not installed and cannot be"
need_pkg sqlite3 sqlite3 || skip_all "sqlite3 is not installed and cannot be"

SEED=${SEED:-7}
echo "# seed $SEED"

mkdir srv
central-setup "$TMP/srv/central.git" >/dev/null || skip_all "central-setup failed"
http_add_user 96.71 sandi-kota
http_add_user 96.71.01 sandi-01
http_add_user 96.71.02 sandi-02
start_http srv || skip_all "cannot start lighttpd"
start_git_daemon srv || skip_all "cannot start git daemon"
HTTP="http://127.0.0.1:$HTTP_PORT/git/central.git"
GITD="git://127.0.0.1:$GIT_DAEMON_PORT/central.git"

sk() { "$SINKRON" "$@"; }
q() { sqlite3 -batch -noheader "$@"; }

sk --db city.db init --city 96.71 --central "$HTTP" >/dev/null
login city.db 96.71 sandi-kota
sk --db d01.db init 96.71.01 --central "$HTTP" >/dev/null
login d01.db 96.71.01 sandi-01
sk --db d02.db init 96.71.02 --central "$HTTP" >/dev/null
login d02.db 96.71.02 sandi-02
sk --db d03.db init 96.71.03 --central "$GITD" >/dev/null
DISTRICTS="01 02 03"

# ---- the districts' registers ---------------------------------------------------------------------
gen-workers --city 96.71 --count 400 --seed "$SEED" --out csv 2>/dev/null
for n in $DISTRICTS; do
	sk --db d$n.db import csv/workers-96.71.$n.csv --funder "APBD Kota" >/dev/null 2>&1
done
check "the generated files were imported" '[ "$(q d01.db "SELECT count(*) FROM workers")" -gt 10 ] && [ "$(q d03.db "SELECT count(*) FROM workers")" -gt 10 ]'

# the same person registered in 96.71.01 and in 96.71.02
NIK=9671015203850001
kel() { q "$1" "SELECT kelurahan FROM workers ORDER BY id LIMIT 1"; }
W1=$(sk --db d01.db worker add --nik $NIK --name "Yosina Kambu" --birth-date 12/03/1985 --sex P --kelurahan "$(kel d01.db)" 2>/dev/null)
W2=$(sk --db d02.db worker add --nik $NIK --name "Yosina M. Kambu" --birth-date 12/03/1985 --sex P --kelurahan "$(kel d02.db)" --phone 081344556677 2>/dev/null)
check "the same NIK registered in two districts" '[ -n "$W1" ] && [ -n "$W2" ] && [ "$W1" != "$W2" ]'
sk --db d01.db enrol "$W1" --program JKK+JKM --funder "APBD Kota" >/dev/null 2>&1
sk --db d02.db enrol "$W2" --program JKK+JKM --funder "APBD Kota" >/dev/null 2>&1

for n in $DISTRICTS; do
	check_exit "96.71.$n syncs" 0 sk --db d$n.db sync
done
check "96.71.03 pushed over git:// (anonymous)" 'git --git-dir=srv/central.git rev-parse --verify -q refs/heads/district/96.71.03 >/dev/null'
check "no receipt yet at 96.71.01" 'sk --db d01.db status | grep -q "no receipt from the city yet"'

# ---- consolidation by the city's sync -------------------------------------------------------------
check_exit "the city syncs: fetches, consolidates, answers with receipts" 0 sk --db city.db sync
for n in $DISTRICTS; do
	check "the city holds 96.71.$n's workers" '[ "$(q city.db "SELECT count(*) FROM workers WHERE owner = '"'96.71.$n'"'")" = "$(q d$n.db "SELECT count(*) FROM workers")" ]'
done
check "the city wrote a receipt per district" '[ "$(q city.db "SELECT count(*) FROM receipts")" = 3 ]'
check "and pushed them on refs/heads/central" 'git --git-dir=srv/central.git rev-parse --verify -q refs/heads/central >/dev/null'
check_exit "consolidating again is a no-op (exit 0)" 0 sk --db city.db consolidate
check "nothing applied twice" 'sk --db city.db consolidate 2>/dev/null | grep -q "^applied 0 change-set"'

# ---- duplicates -------------------------------------------------------------------------------------
sk --db city.db duplicates >dups.out 2>dups.err
check "duplicates lists the NIK" 'grep -q "^NIK $NIK" dups.out'
check "with both records side by side (ids, districts, names)" 'grep -q "$W1 *96.71.01 .*Yosina Kambu " dups.out && grep -q "$W2 *96.71.02 .*Yosina M. Kambu" dups.out'
check "with their enrolments" '[ "$(grep -A2 "^NIK $NIK" dups.out | grep -c "JK[KM] APBD Kota")" = 2 ]'
check "and says how to decide" 'grep -q "duplicates decide NIK --keep ID" dups.err'
check_exit "duplicates decide at a district is refused (exit 2)" 2 sk --db d01.db duplicates decide $NIK --keep "$W1"
check_exit "duplicates decide with an unknown id fails" 1 sk --db city.db duplicates decide $NIK --keep 967101-nope
check_exit "duplicates decide NIK --keep (96.71.01's record)" 0 sk --db city.db duplicates decide $NIK --keep "$W1"
check "the NIK is no longer listed" '! sk --db city.db duplicates 2>/dev/null | grep -q "$NIK"'
check "the city marked 96.71.02's record, not merged" '[ "$(q city.db "SELECT duplicate_of FROM workers WHERE id = '"'$W2'"'")" = "$W1" ] && [ -z "$(q city.db "SELECT duplicate_of FROM workers WHERE id = '"'$W1'"'")" ]'

# ---- the city's fields ------------------------------------------------------------------------------
W3=$(q d03.db "SELECT id FROM workers ORDER BY id LIMIT 1")
check_exit "worker kpj at the city" 0 sk --db city.db worker kpj "$W1" 12000000001
check_exit "worker verified at the city" 0 sk --db city.db worker verified "$W1" "terverifikasi Dukcapil"
check_exit "worker kpj for 96.71.03's worker" 0 sk --db city.db worker kpj "$W3" 12000000003
check_exit "a KPJ with letters is bad input" 2 sk --db city.db worker kpj "$W1" 12AB0000001
check_exit "worker kpj at a district is refused (exit 2)" 2 sk --db d01.db worker kpj "$W1" 12000000009
check_exit "worker verified at a district is refused (exit 2)" 2 sk --db d02.db worker verified "$W2" ok
check "and changed nothing there" '[ -z "$(q d01.db "SELECT kpj FROM workers WHERE id = '"'$W1'"'")" ] && [ "$(q d01.db "SELECT count(*) FROM sk_outbox")" = 0 ]'

check_exit "the city syncs its decisions out" 0 sk --db city.db sync
for n in $DISTRICTS; do
	check_exit "96.71.$n syncs" 0 sk --db d$n.db sync
done
check "KPJ and verification reached 96.71.01" '[ "$(q d01.db "SELECT kpj || \"|\" || verified FROM workers WHERE id = '"'$W1'"'")" = "12000000001|terverifikasi Dukcapil" ]'
check "KPJ reached 96.71.03" '[ "$(q d03.db "SELECT kpj FROM workers WHERE id = '"'$W3'"'")" = 12000000003 ]'
check "96.71.02 got the duplicate decision" '[ "$(q d02.db "SELECT duplicate_of FROM workers WHERE id = '"'$W2'"'")" = "$W1" ]'
sk --db d02.db worker show "$W2" >show.out 2>&1
check "worker show at 96.71.02 says Verifikasi ... duplicate" 'grep -q "^Verifikasi .*duplicate.*$W1" show.out'
check "both records still exist, names unchanged, nothing merged" '[ "$(q d01.db "SELECT name FROM workers WHERE id = '"'$W1'"'")" = "Yosina Kambu" ] && [ "$(q d02.db "SELECT name || \"|\" || phone FROM workers WHERE id = '"'$W2'"'")" = "Yosina M. Kambu|081344556677" ] && [ "$(q city.db "SELECT count(*) FROM workers WHERE nik = '"'$NIK'"'")" = 2 ]'
check "the districts got only their own records: no foreign row at 96.71.01" '[ "$(q d01.db "SELECT count(*) FROM workers WHERE owner <> '"'96.71.01'"'")" = 0 ]'
check "none at 96.71.02" '[ "$(q d02.db "SELECT count(*) FROM workers WHERE owner <> '"'96.71.02'"'")" = 0 ]'
check "none at 96.71.03, and not 96.71.01's KPJ" '[ "$(q d03.db "SELECT count(*) FROM workers WHERE owner <> '"'96.71.03'"' OR id = '"'$W1'"'")" = 0 ]'
check "no receipt of another district at a district" '[ "$(q d01.db "SELECT group_concat(id) FROM receipts")" = 96.71.01 ]'

# a district's own SQLite tool setting a city field: refused by the database itself, nothing changes
W1B=$(q d01.db "SELECT id FROM workers WHERE id <> '$W1' ORDER BY id LIMIT 1")
before=$(git --git-dir=d01.git rev-parse district/96.71.01)
outbox=$(q d01.db "SELECT count(*) FROM sk_outbox")
check "the sqlite3 shell cannot set kpj at a district" '! q d01.db "UPDATE workers SET kpj = '"'77777777777'"' WHERE id = '"'$W1B'"'" 2>err.txt && grep -q "set by the city" err.txt'
check "nor insert a worker with one" '! q d01.db "INSERT INTO workers (id, owner, name, kpj) VALUES ('"'967101-ffff'"', '"'96.71.01'"', '"'X'"', '"'1'"')" 2>/dev/null'
check "and nothing changed or was captured" '[ -z "$(q d01.db "SELECT kpj FROM workers WHERE id = '"'$W1B'"'")" ] && [ "$(q d01.db "SELECT count(*) FROM sk_outbox")" = "$outbox" ]'
check "the city's database refuses a change of a district's field" '! q city.db "UPDATE workers SET phone = '"'0811'"' WHERE id = '"'$W1B'"'" 2>err.txt && grep -q "changed at the district" err.txt'
q d01.db "UPDATE workers SET phone = '081299990000' WHERE id = '$W1B'"
check_exit "a phone change at the district: sealed" 0 sk --db d01.db seal
check "the change-set carries the worker's change" 'git --git-dir=d01.git show district/96.71.01:manifest | grep -q "^table: workers +0 ~1 -0"'
check_exit "96.71.01 syncs" 0 sk --db d01.db sync
sk --db city.db sync >cons.out 2>&1
check "the city took the phone" '[ "$(q city.db "SELECT phone FROM workers WHERE id = '"'$W1B'"'")" = 081299990000 ]'
check "nothing quarantined" '! sk --db city.db quarantine --all 2>&1 | grep -q "#"'

# ---- receipts ---------------------------------------------------------------------------------------
# a round in which every district has applied the city's latest, then one where its change-set
# is consolidated: the digests then compare
sk --db city.db sync >/dev/null 2>&1
for n in $DISTRICTS; do sk --db d$n.db sync >/dev/null 2>&1; done
sk --db d02.db worker edit "$W2" --phone 081344556688 >/dev/null 2>&1
check_exit "96.71.02 syncs a new change" 0 sk --db d02.db sync
N2=$(q d02.db "SELECT max(number) FROM sk_changesets WHERE local = 1")
sk --db d02.db status >st.out 2>&1
check "before the city consolidates, status says #$N2 is on its way" 'grep -q "#$N2 to #$N2 reached the central repository and wait for the city to consolidate" st.out'
check "status --json: the city does not have everything yet" 'sk --db d02.db status --json | grep -q "\"city_has_everything\":false"'
check_exit "the city syncs" 0 sk --db city.db sync
for n in $DISTRICTS; do sk --db d$n.db sync >/dev/null 2>&1; done
for n in $DISTRICTS; do
	last=$(q d$n.db "SELECT max(number) FROM sk_changesets WHERE local = 1")
	sk --db d$n.db status >st$n.out 2>&1
	sk --db d$n.db status --json >st$n.json 2>&1
	check "96.71.$n: status says the city has everything up to #$last" 'grep -q "the city has everything: every change-set up to #$last " st$n.out'
	check "96.71.$n: status --json city_has_everything" 'grep -q "\"receipt\":{\"last_number\":$last,.*\"city_has_everything\":true" st$n.json'
done
check "96.71.02 (a change after the city's decisions): receipt matches" 'grep -q "\"matches\":true" st02.json && grep -q "matches ours at #$N2" st02.out'

# ---- the city's database equals the districts' --------------------------------------------------
cols() { q "$1" "SELECT group_concat(name, ', ') FROM pragma_table_info('$2') WHERE name <> '_sk'"; }
for n in $DISTRICTS; do
	for t in workers heirs enrolments receipts; do
		c=$(cols d$n.db $t)
		q d$n.db "SELECT $c FROM $t WHERE owner = '96.71.$n' ORDER BY id" >mine.$n.$t
		q city.db "SELECT $c FROM $t WHERE owner = '96.71.$n' ORDER BY id" >city.$n.$t
		check "96.71.$n's $t at the city equal its own ($(wc -l <mine.$n.$t) rows)" 'cmp -s mine.$n.$t city.$n.$t'
	done
	check "96.71.$n holds no other district's rows" '[ "$(q d$n.db "SELECT (SELECT count(*) FROM workers WHERE owner <> '"'96.71.$n'"') + (SELECT count(*) FROM enrolments WHERE owner <> '"'96.71.$n'"')")" = 0 ]'
done
for db in d01 d02 d03 city; do
	check_exit "sinkron verify at $db" 0 sk --db $db.db verify
done
check "the central branches are whole (git fsck)" 'git --git-dir=srv/central.git fsck --no-progress >/dev/null 2>&1'

finish

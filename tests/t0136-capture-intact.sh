#!/bin/bash
# t0136-capture-intact: sinkron notices, at every open, a capture trigger dropped or changed and a
# synced table changed with another SQLite tool; then status says the office is not in step (text and
# --json), seal and sync refuse and say what to do; `verify --repair` makes the triggers again and
# records what changed meanwhile, and the city ends with the same data (digests equal).  A column
# added by hand is named, with how to undo it; once undone the office seals again.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need_pkg git git || skip_all "git is not installed and cannot be"
need_pkg sqlite3 sqlite3 || skip_all "sqlite3 is not installed and cannot be"
q() { sqlite3 -batch -noheader "$@"; }
sk() { "$SINKRON" "$@"; }

central-setup "$TMP/central.git" >/dev/null || skip_all "central-setup failed"
sk --db city.db init --city 96.71 --central "$TMP/central.git" >/dev/null 2>&1
sk --db d01.db init 96.71.01 --central "$TMP/central.git" >/dev/null 2>&1
gen-workers --district 96.71.01 --count 5 --seed 3 --out w.csv 2>/dev/null
sk --db d01.db import w.csv --funder "APBD Kota" >/dev/null 2>&1
sk --db d01.db sync >/dev/null 2>&1; sk --db city.db sync >/dev/null 2>&1; sk --db d01.db sync >/dev/null 2>&1
check "in step to begin with" 'sk --db d01.db status | grep -q "the city has everything"'
W=$(q d01.db "SELECT id FROM workers ORDER BY id LIMIT 1")
W2=$(q d01.db "SELECT id FROM workers ORDER BY id LIMIT 1 OFFSET 1")

# ---- a capture trigger dropped ----
q d01.db "DROP TRIGGER sk_capture_workers_update"
q d01.db "UPDATE workers SET phone = '081299990001' WHERE id = '$W'"
out=$(sk --db d01.db status 2>&1)
check "status: not in step, naming the missing trigger and the repair" 'printf "%s\n" "$out" | grep -q "NOT IN STEP: .sk_capture_workers_update. is missing.*verify --repair"'
check "status never says the city has everything" '! printf "%s\n" "$out" | grep -q "the city has everything"'
check "status --json: a problem, everything_sent false" 'sk --db d01.db status --json | grep -q "\"everything_sent\":false.*\"problem\":\"'"'"'sk_capture_workers_update'"'"' is missing"'
check_exit "seal refuses" 2 sk --db d01.db seal
check "sync fails and says why" '! sk --db d01.db sync >sync.out 2>&1 && grep -q "sk_capture_workers_update" sync.out'
out=$(sk --db d01.db verify --repair 2>&1); rc=$?
check "verify --repair: triggers made again, one record recorded, ok" '[ $rc -eq 0 ] && printf "%s\n" "$out" | grep -q "1 record(s) changed without capture" && printf "%s\n" "$out" | grep -qx ok'
check "the trigger is back" '[ "$(q d01.db "SELECT count(*) FROM sqlite_schema WHERE name = '"'sk_capture_workers_update'"'")" = 1 ]'
q d01.db "UPDATE workers SET phone = '081299990002' WHERE id = '$W2'"
check "... and captures again" '[ "$(q d01.db "SELECT count(*) FROM sk_outbox WHERE pk = '"'$W2'"'")" = 1 ]'
sk --db d01.db sync >/dev/null 2>&1; sk --db city.db sync >/dev/null 2>&1; sk --db d01.db sync >/dev/null 2>&1
check "the uncaptured change reached the city" '[ "$(q city.db "SELECT phone FROM workers WHERE id = '"'$W'"'")" = 081299990001 ]'
check "nothing quarantined" '[ "$(q city.db "SELECT count(*) FROM sk_quarantine")" = 0 ]'
check "in step again, with equal digests" 'sk --db d01.db status | grep -q "the city has everything" && sk --db d01.db status | grep -q "matches ours"'

# ---- a capture trigger changed (made to capture nothing) ----
body=$(q d01.db "SELECT sql FROM sqlite_schema WHERE name = 'sk_capture_heirs_insert'")
q d01.db "DROP TRIGGER sk_capture_heirs_insert; CREATE TRIGGER sk_capture_heirs_insert AFTER INSERT ON heirs BEGIN SELECT 1; END"
check "a changed trigger: status says so" 'sk --db d01.db status | grep -q "NOT IN STEP: .*changed"'
check_exit "seal refuses" 2 sk --db d01.db seal
check_cmd "verify --repair" sk --db d01.db verify --repair
check "the trigger is sinkron's again" '[ "$(q d01.db "SELECT sql FROM sqlite_schema WHERE name = '"'sk_capture_heirs_insert'"'")" = "$body" ]'
check "status: no problem" '! sk --db d01.db status | grep -q "NOT IN STEP"'

# ---- capture switched off through sk_ctx, or undone by a trigger of one's own ----
q d01.db "UPDATE sk_ctx SET applying = 1"
q d01.db "UPDATE workers SET phone = '081299990006' WHERE id = '$W2'"
check "capture switched off in sk_ctx: status says so" 'sk --db d01.db status | grep -q "NOT IN STEP: capture is switched off"'
check_exit "seal refuses" 2 sk --db d01.db seal
check_cmd "verify --repair" sk --db d01.db verify --repair
check "capture is on again, and the change is recorded" '[ "$(q d01.db "SELECT applying FROM sk_ctx")" = 0 ] && [ "$(q d01.db "SELECT count(*) FROM sk_outbox WHERE pk = '"'$W2'"'")" = 1 ]'
q d01.db "CREATE TRIGGER eat AFTER INSERT ON sk_outbox BEGIN DELETE FROM sk_outbox WHERE seq = NEW.seq; END"
check "a trigger of one's own: status names it" 'sk --db d01.db status | grep -q "NOT IN STEP: trigger(s) eat, not sinkron.s, were added"'
check_cmd "verify --repair removes it" sk --db d01.db verify --repair
check "gone" '[ "$(q d01.db "SELECT count(*) FROM sqlite_schema WHERE name = '"'eat'"'")" = 0 ] && ! sk --db d01.db status | grep -q "NOT IN STEP"'

# ---- an agent that keeps the database open notices a trigger dropped while it runs ----
(umask 077; printf 'central = %s\nlog = %s\ninterval = 0.2\nbackoff_first = 0.2\nbackoff_cap = 0.5\n' "$TMP/central.git" "$TMP/agent.log" >d01.conf)
"$SINKRON" --db d01.db agent >/dev/null 2>&1 &
agent_pid=$!
at_exit "kill $agent_pid 2>/dev/null"
for _ in $(seq 1 100); do grep -qs "agent started" agent.log && break; sleep 0.1; done
q -cmd ".timeout 10000" d01.db "DROP TRIGGER sk_capture_enrolments_update"
for _ in $(seq 1 150); do grep -qs "sk_capture_enrolments_update. is missing" agent.log && break; sleep 0.1; done
kill -TERM $agent_pid; wait $agent_pid
check "the running agent's next seal refused, and its log says why" 'grep -q "seal failed .*sk_capture_enrolments_update. is missing" agent.log'
check_cmd "verify --repair" sk --db d01.db verify --repair
rm -f d01.conf

# ---- a column added by hand ----
q d01.db "ALTER TABLE workers ADD COLUMN nickname TEXT"
q d01.db "UPDATE workers SET nickname = 'Yan', phone = '081299990003' WHERE id = '$W'"
out=$(sk --db d01.db status 2>&1)
check "status names the column and the undo" 'printf "%s\n" "$out" | grep -q "column .nickname. was added to table .workers. outside sinkron.*ALTER TABLE workers DROP COLUMN nickname"'
check_exit "seal refuses" 2 sk --db d01.db seal
check "nothing reached the central repository" '[ "$(git --git-dir=central.git rev-parse district/96.71.01)" = "$(git --git-dir=d01.git rev-parse district/96.71.01)" ]'
check "repair refuses too (a column is undone by hand)" '! sk --db d01.db verify --repair >/dev/null 2>&1'
q d01.db "ALTER TABLE workers DROP COLUMN nickname"
check "undone: no problem" '! sk --db d01.db status | grep -q "NOT IN STEP"'
sk --db d01.db sync >/dev/null 2>&1; sk --db city.db sync >/dev/null 2>&1; sk --db d01.db sync >/dev/null 2>&1
check "the edit made meanwhile reached the city" '[ "$(q city.db "SELECT phone FROM workers WHERE id = '"'$W'"'")" = 081299990003 ]'
check "in step, digests equal" 'sk --db d01.db status | grep -q "matches ours"'

# ---- a value changed without capture, then an ordinary edit of the same row ----
W3=$(q d01.db "SELECT id FROM workers ORDER BY id LIMIT 1 OFFSET 2")
W4=$(q d01.db "SELECT id FROM workers ORDER BY id LIMIT 1 OFFSET 3")
around() { q d01.db "UPDATE sk_ctx SET applying = 1; $1; UPDATE sk_ctx SET applying = 0"; }
around "UPDATE workers SET name = 'Diam-diam Sebelum' WHERE id = '$W3'"
sk --db d01.db worker edit "$W3" --phone 081299990004 >/dev/null 2>&1
sk --db d01.db worker edit "$W4" --phone 081299990005 >/dev/null 2>&1
around "UPDATE workers SET name = 'Diam-diam Sesudah' WHERE id = '$W4'"
check_cmd "seal" sk --db d01.db seal
check_cmd "verify at the district: ok" sk --db d01.db verify
sk --db d01.db sync >/dev/null 2>&1; sk --db city.db sync >/dev/null 2>&1; sk --db d01.db sync >/dev/null 2>&1
check "nothing quarantined at the city" '[ "$(q city.db "SELECT count(*) FROM sk_quarantine")" = 0 ]'
check "the change made before the edit was carried with it" '[ "$(q city.db "SELECT name || phone FROM workers WHERE id = '"'$W3'"'")" = "Diam-diam Sebelum081299990004" ]'
check "the change made after the edit was carried with it" '[ "$(q city.db "SELECT name || phone FROM workers WHERE id = '"'$W4'"'")" = "Diam-diam Sesudah081299990005" ]'
check "the city's copy matches" 'sk --db d01.db status | grep -q "matches ours"'

# ---- a damaged database is noticed by status, worker list and sync ----
mkdir big && cd big
sk init 96.71.01 --central "$TMP/central.git" >/dev/null 2>&1
gen-workers --district 96.71.01 --count 400 --seed 5 --out w.csv 2>/dev/null
sk import w.csv --funder "APBD Kota" >/dev/null 2>&1
check_exit "status of the sound database" 0 sk status
q sinkron.db "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
pg=$(q sinkron.db "SELECT pageno FROM dbstat WHERE name = 'workers_nik' AND pagetype = 'leaf' LIMIT 1 OFFSET 1")
ps=$(q sinkron.db "PRAGMA page_size")
printf '%0200d' 0 | dd of=sinkron.db bs=1 seek=$(( (pg - 1) * ps + 300 )) conv=notrunc 2>/dev/null
check "the damage is real (sqlite3's quick_check sees it)" '[ "$(q sinkron.db "PRAGMA quick_check" | head -1)" != ok ]'
out=$(sk status 2>&1); rc=$?
check "status: exit 1, says the database is damaged and how to rebuild it" '[ $rc -eq 1 ] && printf "%s\n" "$out" | grep -q "database .sinkron.db. is damaged.*restore --at DATE --replace"'
out=$(sk worker list 2>&1); rc=$?
check "worker list: exit 1, says so" '[ $rc -eq 1 ] && printf "%s\n" "$out" | grep -q "is damaged"'
out=$(sk sync 2>&1); rc=$?
check "sync: exit 1, says so" '[ $rc -eq 1 ] && printf "%s\n" "$out" | grep -q "is damaged"'
cd ..

# ---- status before the first sync reads the central repository from office.conf ----
mkdir conf && cd conf
sk --db office.db init 96.71.01 >/dev/null 2>&1
check "no central anywhere: status says none is set" 'sk --db office.db status | grep -q "no central repository is set"'
(umask 077; echo "central = $TMP/central.git" >office.conf)
check "central set in office.conf: status does not say none is set" '! sk --db office.db status | grep -q "no central repository is set"'
cd ..
finish

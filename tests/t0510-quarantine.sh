#!/bin/bash
# t0510-quarantine: what the city refuses, whichever way it came (DESIGN.md invariants 4 and 6).
# A central repository behind lighttpd + git http-backend with logins, and USB sticks (bare
# repositories used with `consolidate --from`).  Hostile change-sets made with plain git plumbing:
# garbage pushed with a district's own login, a truncated one on a USB stick; a change-set from a
# clock 10 days ahead; a district inserting a record owned by another district with sqlite3, and
# deleting one.
# Each is quarantined with its reason, that district's later change-sets wait, the others go on;
# `quarantine reject` and `release` let them through as consolidate.c's numbering rule allows.

. "$(dirname "$0")/lib.sh"
. "$TOP/tests/servers.sh"

export HOME="$TMP/home" GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0 GIT_ASKPASS=/bin/false
export GIT_AUTHOR_NAME=intruder GIT_AUTHOR_EMAIL=x@sinkron.invalid GIT_COMMITTER_NAME=intruder GIT_COMMITTER_EMAIL=x@sinkron.invalid
unset SINKRON_CLOCK_OFFSET
mkdir -p "$HOME"
need_pkg git git || skip_all "git is not installed and cannot be"
need_pkg sqlite3 sqlite3 || skip_all "sqlite3 is not installed and cannot be"

mkdir srv
central-setup "$TMP/srv/central.git" >/dev/null || skip_all "central-setup failed"
http_add_user 96.71 sandi-kota
for n in 01 02 03; do http_add_user 96.71.$n sandi-$n; done
start_http srv || skip_all "cannot start lighttpd"
HTTP="http://127.0.0.1:$HTTP_PORT/git/central.git"

sk() { "$SINKRON" "$@"; }
q() { sqlite3 -batch -noheader "$@"; }
# qid PATTERN: the id of the held change-set whose line matches PATTERN
qid() { sk --db city.db quarantine 2>/dev/null | grep -- "$1" | head -1 | cut -d' ' -f1; }
# at_city ID: the phone the city holds for worker ID
at_city() { q city.db "SELECT phone FROM workers WHERE id = '$1'"; }
first() { q "$1" "SELECT id FROM workers ORDER BY id LIMIT 1 OFFSET ${2:-0}"; }

sk --db city.db init --city 96.71 --central "$HTTP" >/dev/null
login city.db 96.71 sandi-kota
for n in 01 02 03; do
	sk --db d$n.db init 96.71.$n --central "$HTTP" >/dev/null
	login d$n.db 96.71.$n sandi-$n
	gen-workers --district 96.71.$n --count 15 --seed $((10#$n)) --out w$n.csv 2>/dev/null
	sk --db d$n.db import w$n.csv --funder "APBD Kota" >/dev/null 2>&1
	sk --db d$n.db sync >/dev/null 2>&1
done
check_exit "the city syncs the three districts" 0 sk --db city.db sync
check "the city holds 45 workers" '[ "$(q city.db "SELECT count(*) FROM workers")" = 45 ]'
for n in 01 02 03; do sk --db d$n.db sync >/dev/null 2>&1; done

# ---- 1. garbage pushed on 96.71.02's branch with 96.71.02's own login -----------------------------
git init -q --bare evil.git
G() { git --git-dir="$TMP/evil.git" "$@"; }
U02="http://96.71.02:sandi-02@127.0.0.1:$HTTP_PORT/git/central.git"
G fetch -q "$U02" "refs/heads/district/96.71.02:refs/heads/p"
P=$(G rev-parse p)
N2=$(q d02.db "SELECT max(number) FROM sk_changesets WHERE local = 1")
# the district's next real change-set, sealed but not sent
W2=$(first d02.db)
sk --db d02.db worker edit "$W2" --phone 081200000002 >/dev/null 2>&1
sk --db d02.db seal >/dev/null 2>&1
G fetch -q "$TMP/d02.git" "refs/heads/district/96.71.02:refs/heads/real"
garbage=$(head -c 3000 /dev/urandom | G hash-object -w --stdin)
man=$(printf 'format: sinkron-changeset 1\norigin: 96.71.02\nname: Sorong Timur\nnumber: %d\nrows: 1\n' $((N2 + 1)) | G hash-object -w --stdin)
tree=$(printf '100644 blob %s\tchangeset\n100644 blob %s\tmanifest\n' "$garbage" "$man" | G mktree)
H=$(G commit-tree "$tree" -p "$P" -m "96.71.02 #$((N2 + 1))")
V=$(G commit-tree "$(G rev-parse real^{tree})" -p "$H" -m "$(G log -1 --format=%B real)")
check_cmd "the garbage and a valid change-set after it are pushed with 96.71.02's login (the hook reads manifests only)" \
	G push -q "$U02" "$V:refs/heads/district/96.71.02"
# another district goes on meanwhile
W1=$(first d01.db)
sk --db d01.db worker edit "$W1" --phone 081200000001 >/dev/null 2>&1
sk --db d01.db sync >/dev/null 2>&1
sk --db city.db sync >sync1.out 2>&1
sk --db city.db quarantine >quar1.out 2>&1
check "sinkron quarantine lists the garbage with its reason" 'grep -q "^${garbage:0:12} *96.71.02 .*held .*cannot be read" quar1.out'
check "the valid change-set after it was not applied" '[ "$(at_city "$W2")" != 081200000002 ]'
check "96.71.01's change went on" '[ "$(at_city "$W1")" = 081200000001 ]'
check_exit "sinkron consolidate exits 1 while 96.71.02 waits" 1 sk --db city.db consolidate
check "and says that a district waits" 'sk --db city.db consolidate 2>&1 | grep -q "1 district(s) wait behind a quarantined change-set"'
check_exit "quarantine reject with too short an id is bad usage" 2 sk --db city.db quarantine reject "${garbage:0:4}"
check_exit "quarantine reject of an unknown id fails" 1 sk --db city.db quarantine reject 0123456789ab
check_exit "quarantine frobnicate is bad usage" 2 sk --db city.db quarantine frobnicate x
check_exit "quarantine reject the garbage" 0 sk --db city.db quarantine reject "${garbage:0:12}"
check_exit "the city syncs" 0 sk --db city.db sync
check "the garbage had no number: the next one (#$((N2 + 1))) follows on and is applied" '[ "$(at_city "$W2")" = 081200000002 ]'
check "quarantine lists nothing held" 'sk --db city.db quarantine 2>&1 | grep -q "no change-set is held"'
# 96.71.02's own history now differs from its branch at the central repository (the intruder's
# commits are on it): its next push cannot be a fast-forward and is refused, plainly
sk --db d02.db sync >d02sync.out 2>&1
rc=$?
check "96.71.02's own sync then fails (exit 1) rather than rewrite the branch" '[ $rc = 1 ]'
echo "# 96.71.02 says: $(grep -m1 "failed" d02sync.out)"
check "quarantine --all shows it rejected, by whom" 'sk --db city.db quarantine --all | grep -q "^${garbage:0:12} .*rejected .*by test"'

# ---- 2. a truncated change-set on a USB stick -------------------------------------------------------
W3=$(first d03.db)
W3b=$(first d03.db 1)
sk --db d03.db worker edit "$W3" --phone 081200000003 >/dev/null 2>&1
sk --db d03.db seal >/dev/null 2>&1
sk --db d03.db worker edit "$W3b" --phone 081200000033 >/dev/null 2>&1
sk --db d03.db seal >/dev/null 2>&1
N3=$(q d03.db "SELECT max(number) FROM sk_changesets WHERE local = 1")
git init -q --bare usb.git
U() { git --git-dir="$TMP/usb.git" "$@"; }
git --git-dir=d03.git push -q "$TMP/usb.git" refs/heads/district/96.71.03
real1=$(U rev-parse district/96.71.03~1)
blob1=$(U rev-parse "$real1:changeset")
size1=$(U cat-file -s "$blob1")
short=$(U cat-file blob "$blob1" | head -c $((size1 / 2)) | U hash-object -w --stdin)
tree=$(printf '100644 blob %s\tchangeset\n100644 blob %s\tmanifest\n' "$short" "$(U rev-parse "$real1:manifest")" | U mktree)
H3=$(U commit-tree "$tree" -p "$(U rev-parse district/96.71.03~2)" -m "$(U log -1 --format=%B "$real1")")
V3=$(U commit-tree "$(U rev-parse district/96.71.03^{tree})" -p "$H3" -m "$(U log -1 --format=%B district/96.71.03)")
U update-ref refs/heads/district/96.71.03 "$V3"
# and 96.71.01's branch on the same stick, with a new change
W1b=$(first d01.db 1)
sk --db d01.db worker edit "$W1b" --phone 081200000011 >/dev/null 2>&1
sk --db d01.db seal >/dev/null 2>&1
git --git-dir=d01.git push -q "$TMP/usb.git" refs/heads/district/96.71.01
sk --db city.db consolidate --from "$TMP/usb.git" >usb1.out 2>&1
rc=$?
check "consolidate --from the stick exits 1" '[ $rc = 1 ]'
check "it names the truncated change-set" 'grep -q "^quarantined: 96.71.03 .*cannot be read" usb1.out'
check "quarantine lists it with the reason" 'sk --db city.db quarantine | grep -q "^${short:0:12} *96.71.03 .*cannot be read"'
check "#$N3 after it waits" '[ "$(at_city "$W3b")" != 081200000033 ] && [ "$(at_city "$W3")" != 081200000003 ]'
check "96.71.01's change from the same stick went on" '[ "$(at_city "$W1b")" = 081200000011 ]'
check_exit "reject the truncated one" 0 sk --db city.db quarantine reject "${short:0:12}"
sk --db city.db consolidate --from "$TMP/usb.git" >usb2.out 2>&1
rc=$?
check "consolidate again exits 1: the numbering does not allow #$N3 yet" '[ $rc = 1 ]'
check "#$N3 is quarantined: #$((N3 - 1)) is missing" 'grep -q "96.71.03 #$N3: change-set #$N3 arrived but #$((N3 - 1)) is missing" usb2.out'
check "so #$N3 is still not applied" '[ "$(at_city "$W3b")" != 081200000033 ]'
# the office's real history, brought on a second stick
git init -q --bare usb2.git
git --git-dir=d03.git push -q "$TMP/usb2.git" refs/heads/district/96.71.03
sk --db city.db consolidate --from "$TMP/usb2.git" >usb3.out 2>&1
rc=$?
check "from the real history the real #$((N3 - 1)) is applied" '[ "$(at_city "$W3")" = 081200000003 ]'
check "#$N3 (the same change-set) waits behind its own quarantine entry: exit 1" '[ $rc = 1 ] && [ "$(at_city "$W3b")" != 081200000033 ]'
check_exit "release #$N3" 0 sk --db city.db quarantine release "$(qid "96.71.03 #$N3")"
check_exit "consolidate --from the real history now goes through (exit 0)" 0 sk --db city.db consolidate --from "$TMP/usb2.git"
check "#$N3 applied" '[ "$(at_city "$W3b")" = 081200000033 ]'
check "the released entry is gone from the list" 'sk --db city.db quarantine 2>&1 | grep -q "no change-set is held"'
# the central branch still carries the district's real history: the sync path agrees
sk --db d03.db sync >/dev/null 2>&1
check_exit "the city's own sync afterwards is clean" 0 sk --db city.db sync
check_exit "consolidate from central: nothing waits (exit 0)" 0 sk --db city.db consolidate

# ---- 3. a clock 10 days ahead ---------------------------------------------------------------------
for n in 01 03; do sk --db d$n.db sync >/dev/null 2>&1; done
W1c=$(first d01.db 2)
SINKRON_CLOCK_OFFSET=864000 sk --db d01.db worker edit "$W1c" --phone 081200000111 >/dev/null 2>&1
SINKRON_CLOCK_OFFSET=864000 sk --db d01.db sync >ahead.out 2>&1
check "the office 10 days ahead still sends (exit of its sync)" 'grep -q "everything sealed here has reached" ahead.out'
W3c=$(first d03.db 2)
sk --db d03.db worker edit "$W3c" --phone 081200000333 >/dev/null 2>&1
sk --db d03.db sync >/dev/null 2>&1
sk --db city.db sync >/dev/null 2>&1
check "quarantined for its clock, with the reason naming the district's clock" 'sk --db city.db quarantine | grep -q "96.71.01 .*held .*the district.s clock is wrong: .* more than a day ahead of the city.s clock"'
check "not applied" '[ "$(at_city "$W1c")" != 081200000111 ]'
check "96.71.03 went on" '[ "$(at_city "$W3c")" = 081200000333 ]'
check_exit "consolidate exits 1 while it is held" 1 sk --db city.db consolidate
# the office's clock is put right, and it makes another change meanwhile: it waits too
W1d=$(first d01.db 3)
sk --db d01.db worker edit "$W1d" --phone 081200001111 >/dev/null 2>&1
sk --db d01.db sync >/dev/null 2>&1
sk --db city.db sync >/dev/null 2>&1
check "the office's next change-set waits behind it" '[ "$(at_city "$W1d")" != 081200001111 ]'
check_exit "release it" 0 sk --db city.db quarantine release "$(qid "96.71.01 .*ahead")"
check_exit "the city syncs" 0 sk --db city.db sync
check "after release it is applied" '[ "$(at_city "$W1c")" = 081200000111 ]'
check "and the one after it" '[ "$(at_city "$W1d")" = 081200001111 ]'
check_exit "consolidate: nothing waits (exit 0)" 0 sk --db city.db consolidate
check "the city did not adopt the clock from the future" '[ "$(q city.db "SELECT value FROM sk_state WHERE key = '"'hlc_last'"'")" -lt $(( ($(date +%s) + 86400) * 1000 * 65536 )) ]'
# the clock is right again: editing what was stamped in the future, and anything else, needs no release
nq=$(q city.db "SELECT count(*) FROM sk_quarantine")
sk --db d01.db worker edit "$W1c" --phone 081200000112 >/dev/null 2>&1
sk --db d01.db worker edit "$W1d" --phone 081200001112 >/dev/null 2>&1
sk --db d01.db sync >/dev/null 2>&1
sk --db d01.db worker edit "$W1c" --phone 081200000113 >/dev/null 2>&1
sk --db d01.db sync >/dev/null 2>&1
check_exit "the city syncs: nothing held" 0 sk --db city.db sync
check "nothing more was quarantined" '[ "$(q city.db "SELECT count(*) FROM sk_quarantine")" = "$nq" ]'
check "both edits of the cell stamped in the future are applied" '[ "$(at_city "$W1c")" = 081200000113 ] && [ "$(at_city "$W1d")" = 081200001112 ]'
check "the district's clock went back to the wall clock" '[ "$(q d01.db "SELECT value FROM sk_state WHERE key = '"'hlc_last'"'")" -lt $(( ($(date +%s) + 86400) * 1000 * 65536 )) ]'

# ---- 3b. the city's own clock 10 days behind ---------------------------------------------------------
for n in 01 03; do sk --db d$n.db sync >/dev/null 2>&1; done
nq=$(q city.db "SELECT count(*) FROM sk_quarantine WHERE state = 'held'")
sk --db d01.db worker edit "$(first d01.db 5)" --phone 081200000121 >/dev/null 2>&1
sk --db d03.db worker edit "$(first d03.db 5)" --phone 081200000323 >/dev/null 2>&1
for n in 01 03; do sk --db d$n.db sync >/dev/null 2>&1; done
SINKRON_CLOCK_OFFSET=-864000 sk --db city.db sync >behind.out 2>&1
SINKRON_CLOCK_OFFSET=-864000 sk --db city.db sync >>behind.out 2>&1
check "the city's sync says its own clock is behind" 'grep -q "the city.s clock is behind" behind.out'
check "both districts' changes are applied without a person releasing anything" '[ "$(at_city "$(first d01.db 5)")" = 081200000121 ] && [ "$(at_city "$(first d03.db 5)")" = 081200000323 ]'
check "nothing is held" '[ "$(q city.db "SELECT count(*) FROM sk_quarantine WHERE state = '"'held'"'")" = "$nq" ]'

# ---- 4. a district writing another district's record ------------------------------------------------
sk --db d01.db sync >/dev/null 2>&1
FOREIGN=967102-1a2000000001
ins_foreign="INSERT INTO workers (id, owner, nik, name, birth_date, sex, kelurahan, status) VALUES
	('$FOREIGN', '96.71.02', '9671024506900001', 'Bukan Warga Kami', '1990-06-05', 'P', '96.71.02.1002', 'active')"
check "the office's database refuses the write itself" '! q d01.db "$ins_foreign" 2>/dev/null'
# a determined office goes around its guard and puts it back exactly as it was: the city still refuses
around_guards d01.db workers insert "$ins_foreign"
check_cmd "96.71.01 seals and sends it (the central hook reads no rows)" sk --db d01.db sync
W1e=$(first d01.db 4)
sk --db d01.db worker edit "$W1e" --phone 081200011111 >/dev/null 2>&1
sk --db d01.db sync >/dev/null 2>&1
W3d=$(first d03.db 3)
sk --db d03.db worker edit "$W3d" --phone 081200000044 >/dev/null 2>&1
sk --db d03.db sync >/dev/null 2>&1
sk --db city.db sync >/dev/null 2>&1
sk --db city.db quarantine >own.out 2>&1
check "quarantined with a reason naming the record" 'grep -q "^[0-9a-f]* *96.71.01 .*held .*workers .$FOREIGN." own.out'
check "the reason says it belongs to another owner" 'grep "$FOREIGN" own.out | grep -q "another owner\|belongs to 96.71.02"'
check "the record is not at the city" '[ "$(q city.db "SELECT count(*) FROM workers WHERE id = '"'$FOREIGN'"'")" = 0 ]'
check "96.71.01's next change-set waits" '[ "$(at_city "$W1e")" != 081200011111 ]'
check "96.71.03 went on" '[ "$(at_city "$W3d")" = 081200000044 ]'
check_exit "consolidate exits 1" 1 sk --db city.db consolidate
sk --db city.db sync >/dev/null 2>&1
sk --db d03.db sync >/dev/null 2>&1
check "no other district received the record" '[ "$(q d03.db "SELECT count(*) FROM workers WHERE id = '"'$FOREIGN'"'")" = 0 ]'
sk --db d01.db sync >sy.out 2>&1; rc=$?
check "the district's sync: exit 1, the city holds a change-set of this office" '[ $rc -eq 1 ] && grep -q "the city holds a change-set of this office in quarantine: .*another owner" sy.out'
sk --db d01.db status >st.out 2>&1
check "the district's status: the city holds its change-set, with the reason in words" 'grep -q "NOT IN STEP: the city holds change-set #[0-9]* of this office in quarantine: .*another owner" st.out'
check "... and never that the city has everything" '! grep -q "the city has every" st.out'
check "status --json: refused, held, with the reason; not everything sent" 'sk --db d01.db status --json | grep -q "\"everything_sent\":false.*\"refused\":{\"number\":[0-9]*,\"state\":\"held\",\"reason\":\"[^\"]*another owner"'
check_exit "reject it" 0 sk --db city.db quarantine reject "$(qid "$FOREIGN")"
check_exit "the city syncs" 0 sk --db city.db sync
check "the rejected change-set had a number: the next one follows on and is applied" '[ "$(at_city "$W1e")" = 081200011111 ]'
check "the record is still not at the city" '[ "$(q city.db "SELECT count(*) FROM workers WHERE id = '"'$FOREIGN'"'")" = 0 ]'
sk --db d01.db sync >/dev/null 2>&1
sk --db d01.db status >st.out 2>&1
check "the district's status: the city rejected its change-set, and what to do" 'grep -q "NOT IN STEP: the city rejected change-set #[0-9]* of this office: .*another owner" st.out && grep -q "delete it" st.out'
check "... and never that the city has everything" '! grep -q "the city has every" st.out'
# the office deletes the record it may not hold (a delete is its own to make) and sends it
q d01.db "DELETE FROM workers WHERE id = '$FOREIGN'"
sk --db d01.db sync >/dev/null 2>&1; sk --db city.db sync >/dev/null 2>&1; sk --db d01.db sync >/dev/null 2>&1
check "once the copies agree again, the district is in step" 'sk --db d01.db status | grep -q "the city has everything" && sk --db d01.db status | grep -q "matches ours"'

# ---- 5. what was applied is whole ----------------------------------------------------------------------
check_exit "sinkron verify at the city" 0 sk --db city.db verify
check "quarantine --all keeps every decision, released ones too, on one line each" '[ "$(sk --db city.db quarantine --all | grep -c "\(rejected\|released\) .*(by test)$")" = 5 ]'

# ---- 6. a district deleting a record another district owns ------------------------------------------
# 96.71.01 holds a copy of a record of 96.71.03, the city's own row with its bookkeeping (written as
# sinkron's apply writes), and deletes it with the sqlite3 shell: the delete is captured and sent,
# and the city refuses it
W3x=$(first d03.db 5)
q d01.db "ATTACH 'city.db' AS c; UPDATE sk_ctx SET applying = 1; INSERT INTO workers SELECT * FROM c.workers WHERE id = '$W3x';
	UPDATE sk_ctx SET applying = 0; DETACH c; DELETE FROM workers WHERE id = '$W3x'"
sk --db d01.db sync >/dev/null 2>&1; sk --db city.db sync >/dev/null 2>&1
sk --db city.db quarantine >del.out 2>&1
check "a district's delete of another district's record is held at the city, naming the owner" 'grep "96.71.01" del.out | grep -q "$W3x.*belongs to 96.71.03"'
check "... and the record stays at the city" '[ "$(q city.db "SELECT count(*) FROM workers WHERE id = '"'$W3x'"'")" = 1 ]'

finish

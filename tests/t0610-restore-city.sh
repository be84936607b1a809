#!/usr/bin/env bash
# t0610-restore-city: restoring by date across districts whose clocks disagree (each office's
# history is taken by its own change-set clock, always as a prefix, even after its clock was set
# back); the whole city at a point, checked against each district's recorded digest; undo of a
# district's bad import as new change-sets the city receives; snapshot, snapshots, diff.
. "$(dirname "$0")/lib.sh"
S=$SINKRON
A=96.71.01 B=96.71.02
export SINKRON_CHECKPOINT_EVERY=4

words=(nol satu dua tiga empat lima enam tujuh delapan sembilan)
add() { # add DB N NAME KELURAHAN: a worker with a made-up NIK; names carry no digits
	$S -q --db "$1" worker add --nik "$(printf '9171010101%02d%04d' 90 "$2")" --name "$3 ${words[$2]}" \
		--birth-date 01/01/1990 --sex L --kelurahan "$4" >/dev/null 2>&1 || echo "# cannot add worker $2" >&2
}
seal() { $S -q --db "$1" seal >/dev/null; }
count_upto() { # count_upto OUTPUT CODE: the number of change-sets a restore took of CODE
	sed -n "s/^  $2 *up to #\([0-9]*\) of.*/\1/p; s/^  $2 *nothing taken.*/0/p" "$1"
}

# A's clock runs 2 hours ahead, B's 2 hours behind
export SINKRON_CLOCK_OFFSET=7200
$S -q --db a.db init $A >/dev/null
for i in 1 2 3; do add a.db $i "Ahead" "Remu Utara"; done; seal a.db
export SINKRON_CLOCK_OFFSET=-7200
$S -q --db b.db init $B >/dev/null
for i in 4 5 6; do add b.db $i "Behind" "Klawuyuk"; done; seal b.db
sleep 1.2
X=$(date +%s)
sleep 1.2
export SINKRON_CLOCK_OFFSET=7200
add a.db 7 "Ahead" "Remu Utara"; seal a.db
export SINKRON_CLOCK_OFFSET=-7200
add b.db 8 "Behind" "Klawuyuk"; seal b.db
# A's clock is then set back by 3 hours: its next change-set's commit time falls before its first
export SINKRON_CLOCK_OFFSET=-10800
add a.db 9 "Ahead" "Remu Utara"; seal a.db
unset SINKRON_CLOCK_OFFSET

# the city holds both branches, fetched
$S -q --db city.db init --city 96.71 >/dev/null
[ -d city.git ] || git init -q --bare city.git
for d in a b; do git --git-dir city.git fetch -q "$d.git" 'refs/heads/district/*:refs/remotes/central/district/*'; done
$S -q --db city.db apply >/dev/null

# by date: each office by its own clock.  What git shows as commit times agrees while a clock
# only moves forward; A's set-back commit shows why the change-set clock is the one to use.
ct() { git --git-dir "$1.git" log --reverse --format=%ct "refs/heads/district/$2"; }
echo "# A commit times: $(ct a $A | tr '\n' ' ') B: $(ct b $B | tr '\n' ' ') X=$X"
for pt in $((X - 7200 - 1)) $((X - 3600)) $((X + 7200 - 1)) $((X + 3 * 7200)); do
	rm -f c.db
	$S --db city.db restore --at "@$pt" --out c.db >c.txt 2>&1; rc=$?
	wantA=$(ct a $A | head -n 2 | awk -v x="$pt" '$1 <= x' | wc -l)   # A's first two (before its clock went back)
	[ "$(ct a $A | tail -n 1)" -le "$pt" ] && [ "$wantA" -eq 2 ] && wantA=3
	wantB=$(ct b $B | awk -v x="$pt" '$1 <= x' | wc -l)
	if [ "$wantA" -eq 0 ] && [ "$wantB" -eq 0 ]; then
		check "@$pt: nothing sealed anywhere yet (exit 1)" '[ "$rc" -eq 1 ]'
		continue
	fi
	check "city @$pt: exit 0" '[ "$rc" -eq 0 ]'
	check "city @$pt: $A takes $wantA change-set(s) by its clock" '[ "$(count_upto c.txt $A)" = "$wantA" ]'
	check "city @$pt: $B takes $wantB change-set(s) by its clock" '[ "$(count_upto c.txt $B)" = "$wantB" ]'
	check "city @$pt: each district's recorded digest checked" 'grep -q "^digest check: ok" c.txt'
	[ "$(sqlite3 c.db 'PRAGMA integrity_check')" = ok ] || check "integrity_check @$pt" false
done
# the set-back change-set (#3 of A) has a commit time before #1's, yet it is never taken without them
t3=$(ct a $A | tail -n 1); t1=$(ct a $A | head -n 1)
check "A's clock went back: its #3 has a commit time before its #1" '[ "$t3" -lt "$t1" ]'
rm -f c.db
$S --db city.db restore --at "@$t3" --out c.db >c.txt 2>&1
check "at #3's commit time, A contributes nothing (a prefix, never #3 alone)" '[ "$(count_upto c.txt $A)" = 0 ]'

# one district at the city, exactly as it recorded itself
bc=$(git --git-dir city.git rev-parse "refs/remotes/central/district/$B~1")
rm -f d.db
$S --db city.db restore --at "$bc" --out d.db >d.txt 2>&1
check "the city restores one district at its commit, digest checked" 'grep -q "^digest check: ok" d.txt'
check_exit "a district cannot restore another: exit 2" 2 $S --db a.db restore --at 2099-01-01 --district $B --out x.db

# snapshot, then a bad import at B, then its undo
check_cmd "snapshot before" $S --db city.db snapshot before-import --note "tagihan Maret"
check_exit "a snapshot name is never reused" 1 $S --db city.db snapshot before-import
good=$(git --git-dir b.git rev-parse refs/heads/district/$B)
gen-workers --district $B --count 25 --seed 7 --out bad.csv 2>/dev/null
$S -q --db b.db import bad.csv >/dev/null 2>&1
sqlite3 b.db "UPDATE workers SET phone = '0800000000' WHERE name LIKE 'Behind%'"
seal b.db
git --git-dir city.git fetch -q b.git 'refs/heads/district/*:refs/remotes/central/district/*'
$S -q --db city.db apply >/dev/null
check_cmd "snapshot after" $S --db city.db snapshot after-import
$S --db city.db snapshots >snaps.txt
check "snapshots lists both" 'grep -q "^before-import" snaps.txt && grep -q "^after-import" snaps.txt && grep -q "tagihan Maret" snaps.txt'
rm -f s.db
$S --db city.db restore --at before-import --out s.db >s.txt 2>&1
check "restore at a snapshot reproduces its digest" 'grep -q "^digest check: ok" s.txt && grep -q "^recorded" s.txt'
$S --db city.db diff before-import after-import >diff.txt 2>&1
check "diff: the import's workers added" 'grep -q "^25 added, 4 changed, 0 ended, 0 removed" diff.txt'
check "diff: the changed field named" 'grep "^changed" diff.txt | grep -q "\[phone\]"'

n0=$(sqlite3 b.db "SELECT count(*) FROM sk_changesets WHERE local = 1")
check_exit "undo at the city is refused (exit 2)" 2 $S --db city.db restore --undo-to "$good"
$S --db b.db restore --undo-to "$good" >u.txt 2>&1; rc=$?
check "undo at the district: exit 0" '[ "$rc" -eq 0 ]'
n1=$(sqlite3 b.db "SELECT count(*) FROM sk_changesets WHERE local = 1")
check "the undo was sealed as new change-sets" '[ "$n1" -gt "$n0" ]'
rm -f p.db
$S --db b.db restore --at "$good" --out p.db >/dev/null 2>&1
q="SELECT id, name, phone, status FROM workers ORDER BY id"
check "B's records are as they were before the import" '[ "$(sqlite3 b.db "$q" | md5sum)" = "$(sqlite3 p.db "$q" | md5sum)" ]'
check "history was not rewritten" 'git --git-dir b.git merge-base --is-ancestor "$good" refs/heads/district/$B'
git --git-dir city.git fetch -q b.git 'refs/heads/district/*:refs/remotes/central/district/*'
$S -q --db city.db apply >/dev/null
check "the city receives the undo: B's rows there equal B's" \
	'[ "$(sqlite3 city.db "SELECT id, name, phone, status FROM workers WHERE owner = '"'$B'"' ORDER BY id" | md5sum)" = "$(sqlite3 b.db "$q" | md5sum)" ]'
check "A's rows at the city untouched" '[ "$(sqlite3 city.db "SELECT count(*) FROM workers WHERE owner = '"'$A'"'")" -eq 5 ]'
$S --db city.db diff after-import 2099-01-01 >diff2.txt 2>&1
check "diff after the undo: the imported workers removed, phones changed back" \
	'grep -q "^0 added, 4 changed, 0 ended, 25 removed" diff2.txt'
rm -f w.db
$S --db b.db restore --at 2099-01-01 --out w.db >w.txt 2>&1
check "B restored after the undo reproduces its digest" 'grep -q "^digest check: ok" w.txt'
finish

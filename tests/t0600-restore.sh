#!/usr/bin/env bash
# t0600-restore: invariant 3, reproducible history.  A seeded random history of a district;
# restoring at every commit reproduces the digest recorded there and passes integrity_check;
# checkpoints (used, damaged); a damaged repository object fails loudly naming it and leaves no
# file; --out never overwrites, --replace keeps the old file and lets the office go on.
. "$(dirname "$0")/lib.sh"
SEED=${SEED:-$(( $(date +%s) % 100000 ))}
echo "# seed $SEED (SEED=$SEED tests/t0600-restore.sh replays it)"
RANDOM=$SEED
S=$SINKRON
export SINKRON_CHECKPOINT_EVERY=8

# ---- a random history: an import cut into small change-sets, then rounds of edits ----
gen-workers --district 96.71.01 --count 150 --seed "$SEED" --out w.csv 2>/dev/null
$S -q --db d.db init 96.71.01 >/dev/null
$S -q --db d.db import w.csv --funder "APBD Kota" >/dev/null 2>&1
$S -q --db d.db seal --max-bytes 1024 >/dev/null
for round in $(seq 1 12); do
	case $((RANDOM % 4)) in
	0) sqlite3 d.db "UPDATE workers SET phone = '0812$((RANDOM % 100000))' WHERE abs(random()) % 5 = 0" ;;
	1) sqlite3 d.db "UPDATE workers SET status = 'ended', ended_on = '2024-0$((RANDOM % 9 + 1))-01', end_reason = 'pindah' \
		WHERE id IN (SELECT id FROM workers WHERE status = 'active' ORDER BY random() LIMIT $((RANDOM % 4 + 1)))" ;;
	2) sqlite3 d.db "DELETE FROM heirs WHERE id IN (SELECT id FROM heirs ORDER BY random() LIMIT 1);
		UPDATE enrolments SET funder = 'APBD Provinsi' WHERE abs(random()) % 9 = 0" ;;
	3) $S -q --db d.db worker add --nik "9171$(printf '%02d' $((RANDOM % 28 + 1)))0101900$(printf '%03d' $((round)))" \
		--name "Tambahan $round" --birth-date 01/01/1990 --sex L --kelurahan "Remu Utara" >/dev/null 2>&1 ;;
	esac
	$S -q --db d.db seal --max-bytes $((1024 + RANDOM % 4096)) >/dev/null
done
commits=$(git --git-dir d.git rev-list --reverse refs/heads/district/96.71.01)
n=$(echo "$commits" | wc -l)
check "a history of many change-sets ($n)" '[ "$n" -ge 20 ]'

# ---- every commit reproduces its recorded digest ----
bad=0; i=0
for c in $commits; do
	i=$((i + 1))
	rm -f at.db
	if ! $S --db d.db restore --at "$c" --out at.db >out.txt 2>&1 || ! grep -q '^digest check: ok' out.txt; then
		bad=$((bad + 1)); echo "# restore at #$i ($c) failed:"; sed 's/^/#   /' out.txt | tail -5
		continue
	fi
	want=$(git --git-dir d.git show "$c:manifest" | sed -n 's/^digest: //p')
	got=$(sed -n 's/^digest   //p' out.txt)
	[ "$want" = "$got" ] || { bad=$((bad + 1)); echo "# #$i: manifest $want, restored $got"; }
	if [ $((i % 7)) -eq 0 ] || [ "$i" -eq "$n" ]; then
		[ "$(sqlite3 at.db 'PRAGMA integrity_check')" = ok ] || { bad=$((bad + 1)); echo "# #$i: integrity_check failed"; }
		$S --db at.db verify >/dev/null 2>&1 || { bad=$((bad + 1)); echo "# #$i: verify failed"; }
	fi
done
check "restoring at each of the $n commits reproduces the recorded digest (and integrity_check, verify)" '[ "$bad" -eq 0 ]'
check "checkpoints were written (a full copy and deltas)" \
	'[ "$(ls d.checkpoints/*.db 2>/dev/null | wc -l)" -ge 1 ] && [ "$(ls d.checkpoints/*.txt 2>/dev/null | wc -l)" -ge 2 ]'

# the same point with and without checkpoints: the same rows
last=$(echo "$commits" | tail -n 1)
mid=$(echo "$commits" | sed -n "$((n / 2))p")
rm -f a.db b.db
$S --db d.db restore --at "$mid" --out a.db >a.txt 2>&1
$S --db d.db restore --at "$mid" --out b.db --no-checkpoints >b.txt 2>&1
check "a restore uses a checkpoint" 'grep -q "taken from a checkpoint" a.txt'
check "with or without checkpoints, the same rows" \
	'[ "$(sqlite3 a.db "SELECT id, phone, status FROM workers ORDER BY id" | md5sum)" = "$(sqlite3 b.db "SELECT id, phone, status FROM workers ORDER BY id" | md5sum)" ]'
# a damaged checkpoint is noticed and thrown away; the restore still comes out right
for f in d.checkpoints/*.db; do printf 'garbage' | dd of="$f" bs=1 seek=4096 conv=notrunc 2>/dev/null; sqlite3 "$f" "UPDATE sk_state SET value = randomblob(32) WHERE key = 'digest'" 2>/dev/null; done
rm -f c.db
check_cmd "damaged checkpoints: the restore still succeeds" $S --db d.db restore --at "$last" --out c.db
check "and matches the live database" '[ "$(sqlite3 c.db "SELECT id, phone, status FROM workers ORDER BY id" | md5sum)" = "$(sqlite3 d.db "SELECT id, phone, status FROM workers ORDER BY id" | md5sum)" ]'

# ---- by date ----
d1=$(date +%Y-%m-%d)
rm -f t.db
check_cmd "restore --at today" $S --db d.db restore --at "$d1" --out t.db
check_exit "a date before any change-set: nothing there (exit 1)" 1 $S --db d.db restore --at 2001-01-01 --out t2.db
check "  and no file" '[ ! -e t2.db ]'
check_exit "a point that is neither date, commit nor tag: exit 2" 2 $S --db d.db restore --at yesterdayish --out t3.db

# ---- never over a file ----
check_exit "--out an existing file: exit 2" 2 $S --db d.db restore --at "$last" --out t.db
check_exit "--out the live database without --replace: exit 2" 2 $S --db d.db restore --at "$last" --out d.db
check_exit "--replace at an earlier point is refused (exit 2)" 2 $S --db d.db restore --at "$mid" --replace

# ---- a damaged object: loud, named, no file ----
cp -r d.git e.git; cp d.db e.db
blob=$(git --git-dir e.git rev-parse "$mid:changeset")
obj="e.git/objects/${blob:0:2}/${blob:2}"
chmod u+w "$obj"; printf 'not a zlib stream' >"$obj"
$S --db e.db restore --at "$last" --out f.db >f.txt 2>&1; rc=$?
check "a damaged object: exit 1" '[ "$rc" -eq 1 ]'
check "  the message names the object" "grep -q '$blob' f.txt"
check "  no output file and no temporary left" '[ ! -e f.db ] && [ -z "$(ls | grep restoring)" ]'

# ---- --replace ----
before=$(sqlite3 d.db "SELECT value FROM sk_state WHERE key = 'number'")
check_cmd "--replace at the latest point" $S --db d.db restore --at "$last" --replace
check "  the previous file is kept" '[ -n "$(ls d.db.before-restore-* 2>/dev/null)" ]'
check_cmd "  the rebuilt database verifies" $S --db d.db verify
$S -q --db d.db worker add --nik 9171010101900999 --name "Setelah Pulih" --birth-date 01/01/1990 --sex P --kelurahan "Remu Utara" >/dev/null 2>&1
$S -q --db d.db seal >/dev/null
after=$(sqlite3 d.db "SELECT value FROM sk_state WHERE key = 'number'")
check "  the office goes on: the next change-set is #$((before + 1))" '[ "$after" -eq $((before + 1)) ]'
check "  its branch continues the old one" 'git --git-dir d.git merge-base --is-ancestor "$last" refs/heads/district/96.71.01'
c2=$(git --git-dir d.git rev-parse refs/heads/district/96.71.01)
rm -f g.db
$S --db d.db restore --at "$c2" --out g.db >g.txt 2>&1
check "  and restoring after it still reproduces the digest" 'grep -q "^digest check: ok" g.txt'
finish

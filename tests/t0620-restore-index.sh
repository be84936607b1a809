#!/usr/bin/env bash
# t0620-restore-index: the index of a branch that restore keeps beside the checkpoints.  It is
# written by the first restore, grows by the change-sets sealed since, and gives the same
# points and digests as a restore without it; a damaged index (bytes changed, a well-formed
# file with a wrong entry, one left from another history, one cut short) is noticed, made
# again, and the restore still comes out right.
. "$(dirname "$0")/lib.sh"
SEED=${SEED:-$(( $(date +%s) % 100000 ))}
echo "# seed $SEED (SEED=$SEED tests/t0620-restore-index.sh replays it)"
RANDOM=$SEED
S=$SINKRON
export SINKRON_CHECKPOINT_EVERY=6
ref=refs/heads/district/96.71.01
idx=d.checkpoints/index-refs_heads_district_96.71.01.idx

gen-workers --district 96.71.01 --count 80 --seed "$SEED" --out w.csv 2>/dev/null
$S -q --db d.db init 96.71.01 >/dev/null
$S -q --db d.db import w.csv --funder "APBD Kota" >/dev/null 2>&1
$S -q --db d.db seal --max-bytes 1024 >/dev/null
for round in $(seq 1 10); do
	sqlite3 d.db "UPDATE workers SET phone = '0812$((RANDOM % 100000))' WHERE abs(random()) % 4 = 0"
	$S -q --db d.db seal --max-bytes 2048 >/dev/null
done
n=$(git --git-dir d.git rev-list --count $ref)
check "a history of $n change-sets" '[ "$n" -ge 15 ]'

# restore at every commit and by date: the output without the index (a fresh walk each time)
# is what the index must reproduce
points=$(git --git-dir d.git rev-list --reverse $ref; for c in "$ref" "$ref~3"; do echo "@$(git --git-dir d.git log -1 --format=%ct "$c")"; done)
filt() { grep -E '^(point|  96|digest|recorded)' | sed 's/ of [0-9]* / /'; }  # the branch's length grows later
same() { # restores at each point with what is in d.checkpoints; 0 when every output equals the reference
	local bad=0 i=0 p
	for p in $points; do
		i=$((i + 1)); rm -f x.db
		$S --db d.db restore --at "$p" --out x.db 2>&1 | filt >got.$i
		cmp -s ref.$i got.$i || { bad=1; echo "# at $p:"; diff ref.$i got.$i | sed 's/^/#   /'; }
	done
	return $bad
}
i=0
for p in $points; do
	i=$((i + 1)); rm -f x.db
	$S --db d.db restore --at "$p" --out x.db --no-checkpoints 2>&1 | filt >ref.$i
	rm -rf d.checkpoints
done
check "every reference restore is checked" '[ "$(cat ref.* | grep -c "^recorded")" -eq "$i" ]'

rm -f x.db
$S --db d.db restore --at "$(git --git-dir d.git rev-parse $ref)" --out x.db >/dev/null 2>&1
check "the first restore writes the index" '[ -s "$idx" ]'
check "  one record per change-set (40 + 136 n + 32 bytes)" '[ "$(stat -c %s "$idx")" -eq $((40 + 136 * n + 32)) ]'
check "  owner-only" '[ "$(stat -c %a "$idx")" = 600 ]'
cp "$idx" good.idx
check "with the index (and checkpoints), every commit and date gives the same point and digest" same

# change-sets sealed later are walked and appended
sqlite3 d.db "UPDATE workers SET phone = '0899$((RANDOM % 100000))' WHERE abs(random()) % 3 = 0"
$S -q --db d.db seal --max-bytes 1024 >/dev/null
n2=$(git --git-dir d.git rev-list --count $ref)
rm -f x.db
$S --db d.db restore --at "$(git --git-dir d.git rev-parse $ref)" --out x.db >new.txt 2>&1
check "new change-sets ($n -> $n2): the restore at the new tip is checked" 'grep -q "^digest check: ok" new.txt'
check "  the index grew by them" '[ "$(stat -c %s "$idx")" -eq $((40 + 136 * n2 + 32)) ]'
check "  and still starts with the records it held" 'cmp -s -i 40 -n $((136 * n)) "$idx" good.idx'
cp "$idx" good.idx

# a byte changed anywhere: the checksum fails, the index is made again from the repository
damage() { printf '\xff\xfe' | dd of="$idx" bs=1 seek="$1" conv=notrunc 2>/dev/null; }
damage $((40 + 136 * 3 + 85))
rm -f x.db
$S --db d.db restore --at "$(git --git-dir d.git rev-parse "$ref~2")" --out x.db >dmg.txt 2>&1
check "a damaged index: the restore still succeeds and is checked" 'grep -q "^digest check: ok" dmg.txt'
check "  it says the index was made again" 'grep -q "index of the history did not match" dmg.txt'
check "  the index is whole again" 'cmp -s "$idx" good.idx'
check "  and every point still gives the same result" same

# a well-formed file (checksum made again) with a wrong entry: caught when that change-set is
# read from the repository, and the restore starts over from a fresh walk
fix_sum() { local len; len=$(( $(stat -c %s "$idx") - 32 ))
	printf "$(head -c $len "$idx" | sha256sum | cut -c1-64 | sed 's/../\\x&/g')" | dd of="$idx" bs=1 seek=$len conv=notrunc 2>/dev/null; }
k=$((n2 - 2))
damage $((40 + 136 * k + 81))   # the clock of change-set #$((k + 1))
fix_sum
rm -rf d.checkpoints/*.db d.checkpoints/*.txt x.db
$S --db d.db restore --at "$(git --git-dir d.git rev-parse $ref)" --out x.db >wrong.txt 2>&1
check "an index with a wrong clock: the restore still succeeds and is checked" 'grep -q "^digest check: ok" wrong.txt'
check "  it says the index was made again" 'grep -q "index of the history did not match" wrong.txt'
check "  the index is whole again" 'cmp -s "$idx" good.idx'
cp "$idx" good.idx
damage $((40 + 136 * 2 + 21))   # the change-set blob of #3
fix_sum
rm -rf d.checkpoints/*.db d.checkpoints/*.txt x.db
$S --db d.db restore --at "$(git --git-dir d.git rev-parse "$ref~1")" --out x.db >wrong2.txt 2>&1
check "an index naming another blob: the restore still succeeds and is checked" 'grep -q "^digest check: ok" wrong2.txt'
check "  the index is whole again" 'cmp -s "$idx" good.idx'

# cut short (a disk that filled up), and an index of another history (a branch made again)
head -c 100 good.idx >"$idx"
rm -f x.db
check_cmd "an index cut short: the restore succeeds" $S --db d.db restore --at 2099-01-01 --out x.db
check "  the index is whole again" 'cmp -s "$idx" good.idx'
mkdir other && (cd other &&
	gen-workers --district 96.71.01 --count 30 --seed $((SEED + 1)) --out w.csv 2>/dev/null &&
	$S -q --db o.db init 96.71.01 >/dev/null && $S -q --db o.db import w.csv --funder "APBD Kota" >/dev/null 2>&1;
	$S -q --db o.db seal --max-bytes 1024 >/dev/null && $S -q --db o.db restore --at 2099-01-01 --out x.db >/dev/null 2>&1)
cp other/o.checkpoints/index-refs_heads_district_96.71.01.idx "$idx"
rm -f x.db
$S --db d.db restore --at 2099-01-01 --out x.db >other.txt 2>&1
check "an index of another history: the restore succeeds and is checked" 'grep -q "^digest check: ok" other.txt'
check "  the index is this branch's again" 'cmp -s "$idx" good.idx'
check "and after all this, every point still gives the same result" same
# ---- delta checkpoints: most checkpoints are the rows that differ from a full one ----
rm -rf d.checkpoints x.db
$S --db d.db restore --at 2099-01-01 --out x.db --no-checkpoints >/dev/null 2>&1; rm -f x.db
$S --db d.db restore --at "$(git --git-dir d.git rev-parse $ref~1)" --out x.db >/dev/null 2>&1
check "checkpoints are written as full copies and deltas" '[ "$(ls d.checkpoints/*.db | wc -l)" -ge 1 ] && [ "$(ls d.checkpoints/*.delta | wc -l)" -ge 1 ]'
check "  a delta is smaller than a full copy" '[ "$(ls -S d.checkpoints/*.delta | tail -1 | xargs stat -c %s)" -lt "$(ls -S d.checkpoints/*.db | head -1 | xargs stat -c %s)" ]'
check "  deltas are owner-only" '[ -z "$(find d.checkpoints -name "*.delta" ! -perm 600)" ]'
check "with deltas, every commit and date gives the same point and digest" same
for f in d.checkpoints/*.delta; do printf 'garbage' | dd of="$f" bs=1 seek=2000 conv=notrunc 2>/dev/null; done
nd=$(ls d.checkpoints/*.delta | wc -l)
rm -f x.db
$S --db d.db restore --at "$(git --git-dir d.git rev-parse $ref~1)" --out x.db >dd.txt 2>&1
check "damaged deltas: the restore still succeeds and is checked" 'grep -q "^digest check: ok" dd.txt'
deltas_whole() { local f; for f in d.checkpoints/*.delta; do
	[ "$(sha256sum <"$f" | cut -c1-64)" = "$(sed -n 's/^delta-sha256: //p' "${f%.delta}.txt")" ] || return 1; done; }
check "  the damaged deltas it tried were thrown away (what is left is whole)" 'deltas_whole'
check "  the checkpoint it started from was whole" 'grep -q "taken from a checkpoint" dd.txt'
check "  before, the damage was there to see" '[ "$nd" -ge 1 ]'
check "  every point still gives the same result" same
rm -rf d.checkpoints/*.db d.checkpoints/*.delta d.checkpoints/*.txt x.db
$S --db d.db restore --at 2099-01-01 --out x.db --no-checkpoints >/dev/null 2>&1; rm -f x.db
$S --db d.db restore --at "$(git --git-dir d.git rev-parse $ref~1)" --out x.db >/dev/null 2>&1
rm -f d.checkpoints/*.db x.db
$S --db d.db restore --at "$(git --git-dir d.git rev-parse $ref~1)" --out x.db >nb.txt 2>&1
check "deltas whose full checkpoint is gone: the restore still succeeds and is checked" 'grep -q "^digest check: ok" nb.txt'
check "  every point still gives the same result" same
# ---- chains: each delta holds the rows written since the checkpoint before it ----
export SINKRON_CHECKPOINT_EVERY=2
nn=$(git --git-dir d.git rev-list --count $ref)
commit_at() { git --git-dir d.git rev-parse "$ref~$((nn - $1))"; }
cps() { local f b; for f in d.checkpoints/*.txt; do b=${f##*/}
	echo "$(sed -n 's/^branch 96.71.01 \([0-9]*\) .*/\1/p' "$f") ${b%.txt} $(sed -n 's/^delta: //p' "$f")"; done | sort -n; }
rows_of() { local t; for t in $(sqlite3 "$1" "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite%'"); do
	case $t in # when a change-set was applied is the only thing that differs between two builds
	sk_changesets) sqlite3 "$1" "SELECT '$t', id, origin, number, commit_id, hlc_max, rows, bytes, digest, local, summary FROM $t" ;;
	*) sqlite3 "$1" "SELECT '$t', * FROM \"$t\"" ;; esac; done | sort | md5sum; }
new_chain() { rm -rf d.checkpoints/*.db d.checkpoints/*.delta d.checkpoints/*.txt x.db
	$S --db d.db restore --at 2099-01-01 --out x.db >/dev/null 2>&1; rm -f x.db; cps >chain.txt; }
from_cp() { sed -n 's/.*; \([0-9]*\) change-set(s) applied, \([0-9]*\) taken from a checkpoint.*/\1 \2/p' "$1"; }
new_chain
last=$(awk 'END {print $1}' chain.txt)
check "one restore writes a full checkpoint and a chain of deltas" \
	'[ "$(ls d.checkpoints/*.db | wc -l)" -eq 1 ] && [ "$(ls d.checkpoints/*.delta | wc -l)" -ge 5 ]'
check "  the full one first, each delta against the checkpoint before it" \
	'awk "NR == 1 && \$3 != \"\" || NR > 1 && \$3 != prev {bad = 1} {prev = \$2} END {exit bad}" chain.txt'
rm -f ref.db x.db
$S --db d.db restore --at "$(commit_at "$last")" --out ref.db --no-checkpoints >/dev/null 2>&1
$S --db d.db restore --at "$(commit_at "$last")" --out x.db >chain.out 2>&1
check "a restore at the last of the chain applies nothing after it" '[ "$(from_cp chain.out)" = "0 $last" ]'
check "  and gives every table's rows as a restore without checkpoints does" '[ "$(rows_of x.db)" = "$(rows_of ref.db)" ]'
check "with a chain, every commit and date gives the same point and digest" same

# a link of the chain damaged, missing, or whole with wrong rows: never used, thrown away with
# what was built on it, and the restore still comes out right
k=$(( $(wc -l <chain.txt) / 2 + 1 ))
bad=$(awk -v k=$k 'NR == k {print $2}' chain.txt); before=$(awk -v k=$k 'NR == k - 1 {print $1}' chain.txt)
sqlite3 "d.checkpoints/$bad.delta" "UPDATE \"a:workers\" SET phone = '1111'" # a well-formed file: only its SHA-256 tells
rm -f x.db
$S --db d.db restore --at "$(commit_at "$last")" --out x.db >dmg.out 2>&1
check "a damaged link: the restore starts from the checkpoint before it (#$before)" \
	'grep -q "^digest check: ok" dmg.out && [ "$(from_cp dmg.out | cut -d" " -f2)" = "$before" ]'
check "  and gives every table's rows as without checkpoints" '[ "$(rows_of x.db)" = "$(rows_of ref.db)" ]'
chains_whole() { local f b n; for f in d.checkpoints/*.delta; do b=${f%.delta}
	[ "$(sha256sum <"$f" | cut -c1-64)" = "$(sed -n 's/^delta-sha256: //p' "$b.txt")" ] || return 1
	n=0; while [ -e "$b.delta" ] && [ $n -lt 100 ]; do b=d.checkpoints/$(sed -n 's/^delta: //p' "$b.txt"); n=$((n + 1)); done
	[ -e "$b.db" ] || return 1; done; }
check "  what is left is whole: each delta as its SHA-256 says, each chain reaching the full checkpoint" chains_whole
check "  the links before the damaged one are kept" \
	'[ -z "$(awk -v k=$k "NR < k {print \$2}" chain.txt | while read -r c; do [ -e "d.checkpoints/$c.txt" ] || echo "$c"; done)" ]'
new_chain
bad=$(awk -v k=$k 'NR == k {print $2}' chain.txt)
rm -f "d.checkpoints/$bad.delta" x.db
$S --db d.db restore --at "$(commit_at "$last")" --out x.db >miss.out 2>&1
check "a missing link: the restore starts from the checkpoint before it (#$before)" \
	'grep -q "^digest check: ok" miss.out && [ "$(from_cp miss.out | cut -d" " -f2)" = "$before" ]'
check "  and gives every table's rows as without checkpoints" '[ "$(rows_of x.db)" = "$(rows_of ref.db)" ]'
check "  what is left is whole" chains_whole
new_chain
bad=$(awk 'END {print $2}' chain.txt)
nw=$(sqlite3 "d.checkpoints/$bad.delta" 'SELECT count(*) FROM "a:workers"' 2>/dev/null)
sqlite3 "d.checkpoints/$bad.delta" "UPDATE \"a:workers\" SET phone = '0000'"
sed -i "s/^delta-sha256: .*/delta-sha256: $(sha256sum <"d.checkpoints/$bad.delta" | cut -c1-64)/" "d.checkpoints/$bad.txt"
rm -f x.db
$S --db d.db restore --at "$(commit_at "$last")" --out x.db >rows.out 2>&1
check "a link whole but with wrong rows ($nw workers' phones): the restore is checked and comes out right" \
	'[ "$nw" -ge 1 ] && grep -q "^digest check: ok" rows.out && [ "$(rows_of x.db)" = "$(rows_of ref.db)" ]'
check "  the link is thrown away" '[ ! -e "d.checkpoints/$bad.delta" ]'

# a delta as older versions wrote it (the rows differing from a full checkpoint, found by
# EXCEPT; "g:T" of a rowid table holding rowids) is still used, and new deltas are made on it
new_chain
full=$(awk 'NR == 1 {print $2}' chain.txt); kk=$(awk 'NR == 4 {print $1}' chain.txt)
rm -f d.checkpoints/*.delta; for f in d.checkpoints/*.txt; do [ "$f" = "d.checkpoints/$full.txt" ] || rm -f "$f"; done
rm -f y.db; $S --db d.db restore --at "$(commit_at "$kk")" --out y.db --no-checkpoints >/dev/null 2>&1
q=""
for t in $(sqlite3 y.db "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite%'"); do
	if sqlite3 y.db "SELECT rowid FROM \"$t\" LIMIT 0" >/dev/null 2>&1; then
		q="$q CREATE TABLE o.\"a:$t\" AS SELECT rowid AS _k, * FROM main.\"$t\" EXCEPT SELECT rowid, * FROM b.\"$t\";
		CREATE TABLE o.\"g:$t\" AS SELECT _k FROM (SELECT rowid AS _k, * FROM b.\"$t\" EXCEPT SELECT rowid, * FROM main.\"$t\");"
	else
		pk=$(sqlite3 y.db "SELECT group_concat('\"' || name || '\"', ', ') FROM (SELECT name FROM pragma_table_info('$t') WHERE pk > 0 ORDER BY pk)")
		q="$q CREATE TABLE o.\"a:$t\" AS SELECT * FROM main.\"$t\" EXCEPT SELECT * FROM b.\"$t\";
		CREATE TABLE o.\"g:$t\" AS SELECT $pk FROM (SELECT * FROM b.\"$t\" EXCEPT SELECT * FROM main.\"$t\");"
	fi
done
old=0123456789abcdef0123
sqlite3 y.db "ATTACH 'd.checkpoints/$full.db' AS b; ATTACH 'd.checkpoints/$old.delta' AS o; $q"
{ echo "kind: district 96.71.01"; echo "digest: $(sqlite3 y.db "SELECT lower(hex(value)) FROM sk_state WHERE key = 'digest'")"
  echo "branch 96.71.01 $kk $(commit_at "$kk")"; echo "delta: $full"
  echo "delta-sha256: $(sha256sum <"d.checkpoints/$old.delta" | cut -c1-64)"; } >"d.checkpoints/$old.txt"
rm -f x.db
$S --db d.db restore --at "$(commit_at "$kk")" --out x.db >old.out 2>&1
check "an older version's delta (#$kk against the full #$(awk 'NR == 1 {print $1}' chain.txt)) is used" \
	'grep -q "^digest check: ok" old.out && [ "$(from_cp old.out)" = "0 $kk" ]'
check "  and gives every table's rows as without checkpoints" '[ "$(rows_of x.db)" = "$(rows_of y.db)" ]'
rm -f x.db
$S --db d.db restore --at 2099-01-01 --out x.db >/dev/null 2>&1
check "  new deltas are made on it" 'cps | grep -q " $old$"'
check "  and every commit and date still gives the same point and digest" same
# a full checkpoint whose index disagrees with its table: its digest and every row's hash are
# right, only PRAGMA integrity_check (run beside the digest's recomputation) tells
new_chain
full=$(awk 'NR == 1 {print $2}' chain.txt); kf=$(awk 'NR == 1 {print $1}' chain.txt)
sqlite3 "d.checkpoints/$full.db" "PRAGMA writable_schema = ON; UPDATE sqlite_schema SET sql = 'CREATE INDEX workers_nik ON workers(kk)' WHERE name = 'workers_nik'"
check "  (the damage is there to see)" '[ "$(sqlite3 "d.checkpoints/$full.db" "PRAGMA integrity_check" | head -1)" != ok ]'
rm -f x.db ref2.db
$S --db d.db restore --at "$(commit_at "$kf")" --out ref2.db --no-checkpoints >/dev/null 2>&1
$S --db d.db restore --at "$(commit_at "$kf")" --out x.db >ix.out 2>&1
check "a checkpoint that fails integrity_check (#$kf): the restore is checked and comes out right" \
	'grep -q "^digest check: ok" ix.out && [ "$(sqlite3 x.db "PRAGMA integrity_check")" = ok ] && [ "$(rows_of x.db)" = "$(rows_of ref2.db)" ]'
check "  it was thrown away" '[ ! -e "d.checkpoints/$full.db" ]'
# and one that makes a change-set after it fail to apply
new_chain
full=$(awk 'NR == 1 {print $2}' chain.txt)
sqlite3 "d.checkpoints/$full.db" "PRAGMA writable_schema = ON; UPDATE sqlite_schema SET sql = 'CREATE INDEX workers_nik ON workers(kk)' WHERE name = 'workers_nik'"
rm -f x.db
$S --db d.db restore --at "$(commit_at "$last")" --out x.db >ix2.out 2>&1
check "a checkpoint that makes a change-set fail to apply: the restore starts over without it and comes out right" \
	'grep -q "^digest check: ok" ix2.out && [ "$(rows_of x.db)" = "$(rows_of ref.db)" ] && [ ! -e "d.checkpoints/$full.db" ]'

finish

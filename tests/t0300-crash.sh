#!/usr/bin/env bash
# t0300-crash: invariant 1 (no loss) under kill -9.  `sinkron seal` of a backlog, `sinkron apply`
# of a district's repository into a city database and `sinkron import` are each stopped at a step
# the program itself reports (SINKRON_PAUSE_AT: after the K-th change-set written inside the
# seal's transaction, between the seal's commit and the branch move, after the K-th change-set
# applied, after K*256 rows imported; K drawn from the seed: SEED=n replays, TRIALS=n sets the
# number of seal trials) and killed there with kill -9, so every kill lands mid-way whatever the
# machine's speed; each is restarted and finished, then: PRAGMA integrity_check is ok, `git fsck
# --strict` is ok, `sinkron verify` is ok, and applying the repository into an empty city
# database gives exactly the district's rows and the digest the district recorded, each
# change-set once.  Sync steps are killed in t0320-sync-crash.
. "$(dirname "$0")/lib.sh"

need_pkg sqlite3 sqlite3 || skip_all "no sqlite3 shell"
SEED=${SEED:-$(( $(date +%s) % 100000 ))}
TRIALS=${TRIALS:-100}
APPLY_TRIALS=${APPLY_TRIALS:-40}
IMPORT_TRIALS=${IMPORT_TRIALS:-12}
echo "# seed $SEED (replay: SEED=$SEED bash tests/t0300-crash.sh)"
RANDOM=$SEED

# The trials write a lot and are killed, not the machine: memory is as good as disk for them
# and much faster, so they run under /dev/shm when it is there.
W=$TMP
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
	W=$(mktemp -d /dev/shm/sinkron-t0300.XXXXXX) && at_exit "rm -rf '$W'"
fi
# a copy of the program, so a rebuild while this runs cannot pull it away
cp "$SINKRON" "$W/sinkron" && S="$W/sinkron"
export SINKRON_OPERATOR=crash

# canonical rows of the district's records, without the bookkeeping column
dump() {
	sqlite3 "$1" "SELECT 'w', id, owner, nik, kk, name, birth_place, birth_date, sex, address, kelurahan, phone,
		occupation, workplace, income, status, ended_on, end_reason FROM workers WHERE owner = '96.71.01' ORDER BY id;
		SELECT 'h', id, owner, worker_id, name, nik, relationship, phone FROM heirs WHERE owner = '96.71.01' ORDER BY id;
		SELECT 'e', id, owner, worker_id, program, funder, decree, start_on, end_on, income FROM enrolments
		WHERE owner = '96.71.01' ORDER BY id;"
}
digest() { sqlite3 "$1" "SELECT lower(hex(value)) FROM sk_state WHERE key = 'digest'"; }
q() { sqlite3 "$1" "$2"; }
wait_for() { local end=$((SECONDS + $1)); shift; until eval "$@"; do [ "$SECONDS" -lt "$end" ] || return 1; sleep 0.05; done; }
# kill_at POINT ERRFILE CMD...: CMD run until it stops at POINT (SINKRON_PAUSE_AT), then kill -9;
# prints "killed" when it was stopped there, "missed" when it ended or hung before reaching it
kill_at() {
	local point=$1 err=$2 pid st; shift 2
	# emptied here, before the child starts: the child's own redirection truncates the file only
	# once it runs, and the wait below must never read the previous trial's "paused at"
	: >"$err"
	SINKRON_PAUSE_AT=$point "$@" >/dev/null 2>"$err" &
	pid=$!
	wait_for 600 'grep -q "paused at" "$err" || ! kill -0 $pid 2>/dev/null'
	if grep -q "paused at ${point%%:*} " "$err"; then echo killed; else echo missed; fi
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	st=$?
	grep -q "paused at" "$err" || echo "(it ended with exit status $st)" >>"$err"
}

# ---- the prepared backlog: a sealed history, then a big import and edits not yet sealed ----
mkdir -p "$W/prep" && cd "$W/prep" || exit 1
gen-workers --district 96.71.01 --count 300 --seed "$SEED" --out first.csv 2>/dev/null
gen-workers --district 96.71.01 --count 500 --seed "$((SEED + 1))" --out backlog.csv 2>/dev/null
check_cmd "init the district" "$S" -q --db d.db init 96.71.01
check_cmd "import a first file" "$S" -q --db d.db import first.csv --funder "APBD Kota"
"$S" -q --db d.db seal >/dev/null 2>&1
check "a sealed history" '[ "$(q d.db "SELECT count(*) FROM sk_changesets")" -ge 1 ]'
"$S" -q --db d.db import backlog.csv --funder "APBD Kota" >/dev/null 2>&1
check "the backlog is imported" '[ "$(q d.db "SELECT count(*) FROM workers")" -eq 800 ]'
q d.db "UPDATE workers SET phone = '0812' || (rowid * 7919 % 100000) WHERE rowid % 3 = 0;
	DELETE FROM heirs WHERE rowid % 5 = 0;
	UPDATE enrolments SET decree = 'SK-' || rowid WHERE rowid % 4 = 0;
	DELETE FROM enrolments WHERE rowid % 11 = 0;
	UPDATE workers SET status = 'ended', ended_on = '2024-05-01' WHERE rowid % 13 = 0;" >/dev/null
q d.db "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
pending=$(q d.db "SELECT count(*) FROM sk_outbox")
check "a backlog of thousands of changes waits ($pending)" '[ "$pending" -gt 2000 ]'
want_rows=$(dump d.db | md5sum)
cp -r d.db d.git "$W/"
# how many change-sets the backlog makes: the kill points are drawn among them
before=$(q "$W/d.db" "SELECT count(*) FROM sk_changesets")
(cd "$W" && "$S" -q --db d.db seal --max-bytes 4096 >/dev/null 2>&1)
backlog_cs=$(( $(q "$W/d.db" "SELECT count(*) FROM sk_changesets") - before ))
echo "# the backlog makes $backlog_cs change-sets"
check "the backlog makes several change-sets ($backlog_cs)" '[ "$backlog_cs" -ge 4 ]'
rm -rf "$W/d.db" "$W/d.git"

# After a seal is finished: the database, the repository, and a city built from it agree.
check_sealed() { # DIR TRIAL
	local d=$1 t=$2 bad="" n c
	[ "$(q "$d/d.db" "PRAGMA integrity_check")" = ok ] || bad="$bad integrity_check"
	git --git-dir="$d/d.git" fsck --strict >/dev/null 2>"$d/fsck.err" || bad="$bad fsck($(head -c 200 "$d/fsck.err"))"
	"$S" -q --db "$d/d.db" verify >/dev/null 2>&1 || bad="$bad verify"
	[ "$(q "$d/d.db" "SELECT count(*) FROM sk_outbox")" = 0 ] || bad="$bad outbox-not-empty"
	n=$(q "$d/d.db" "SELECT count(*) || ' ' || max(number) FROM sk_changesets WHERE local = 1")
	[ "${n% *}" = "${n#* }" ] || bad="$bad numbers($n)"
	[ "$(git --git-dir="$d/d.git" rev-list --count refs/heads/district/96.71.01 2>/dev/null)" = "${n% *}" ] || bad="$bad branch-length"
	[ "$(git --git-dir="$d/d.git" show refs/heads/district/96.71.01:manifest 2>/dev/null | sed -n 's/^digest: //p')" = "$(digest "$d/d.db")" ] ||
		bad="$bad tip-digest"
	"$S" -q --db "$d/c.db" init --city 96.71 >/dev/null 2>&1
	"$S" -q --db "$d/c.db" apply --from "$d/d.git" >/dev/null 2>"$d/apply.err" || bad="$bad apply($(head -c 200 "$d/apply.err"))"
	c=$(q "$d/c.db" "SELECT count(*) FROM sk_changesets")
	[ "$c" = "${n% *}" ] || bad="$bad applied($c of ${n% *})"
	[ "$(digest "$d/c.db")" = "$(digest "$d/d.db")" ] || bad="$bad city-digest"
	[ "$(dump "$d/c.db" | md5sum)" = "$want_rows" ] || bad="$bad rows"
	[ "$(dump "$d/d.db" | md5sum)" = "$want_rows" ] || bad="$bad district-rows"
	if [ -n "$bad" ]; then
		echo "#   seal trial $t (seed $SEED):$bad"
		cp -r "$d" "$TMP/failed-seal-$t" 2>/dev/null
		return 1
	fi
	rm -f "$d/c.db"* 
	return 0
}

# ---- kill -9 during seal ----
# the points are drawn here, from the seed: one trial in eight between the database's commit
# and the branch move, the others after the K-th change-set written; two lanes side by side
points=()
for t in $(seq 1 "$TRIALS"); do
	if [ $((RANDOM % 8)) = 0 ]; then points[t]=seal-committed
	else points[t]=seal-written:$((1 + RANDOM % backlog_cs)); fi
done
seal_lane() { # LANE: trials LANE, LANE+2, ...; prints "killed" per kill and "fail" per failure
	local lane=$1 t d point
	for ((t = lane; t <= TRIALS; t += 2)); do
		d="$W/s$lane"; rm -rf "$d"; mkdir "$d"
		cp -r "$W/prep/d.db" "$W/prep/d.git" "$d/"
		point=${points[t]}
		kill_at "$point" "$d/kill.err" "$S" -q --db "$d/d.db" seal --max-bytes 4096
		if ! "$S" -q --db "$d/d.db" seal --max-bytes 4096 >/dev/null 2>"$d/reseal.err"; then
			echo "#   seal trial $t (seed $SEED, $point): restart failed: $(head -c 300 "$d/reseal.err")"
			cp -r "$d" "$TMP/failed-seal-$t"
			echo fail
			continue
		fi
		check_sealed "$d" "$t" || echo fail
	done
}
seal_lane 1 >"$W/lane1.out" 2>&1 &
lane1=$!
seal_lane 2 >"$W/lane2.out" 2>&1
wait "$lane1"
grep '^#' "$W/lane1.out" "$W/lane2.out" | cut -d: -f2-
killed=$(cat "$W/lane1.out" "$W/lane2.out" | grep -c '^killed$')
fails=$(cat "$W/lane1.out" "$W/lane2.out" | grep -c '^fail$')
check "$TRIALS seal trials killed at a step the seal reported ($killed killed there), each restarted: nothing lost or doubled" '[ "$fails" -eq 0 ]'
check "every seal trial was killed at its step, inside the seal" '[ "$killed" -eq "$TRIALS" ]'

# ---- kill -9 during apply into a city database ----
d="$W/a0"; mkdir "$d"
cp -r "$W/prep/d.db" "$W/prep/d.git" "$d/"
"$S" -q --db "$d/d.db" seal --max-bytes 4096 >/dev/null 2>&1
"$S" -q --db "$d/c0.db" init --city 96.71 >/dev/null 2>&1
q "$d/c0.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
want_digest=$(digest "$d/d.db")
ncs=$(q "$d/d.db" "SELECT count(*) FROM sk_changesets")
fails=0 killed=0
for t in $(seq 1 "$APPLY_TRIALS"); do
	rm -f "$d"/c.db*
	cp "$d/c0.db" "$d/c.db"
	bad=""
	# a bounded retry: an apply that ended before its step (seen on a loaded machine) is run
	# again from the same copy with a new step, so that every trial is a kill inside the apply
	for attempt in 1 2 3; do
		point=apply-applied:$((1 + RANDOM % ncs))
		[ "$(kill_at "$point" "$d/kill.err" "$S" -q --db "$d/c.db" apply --from "$d/d.git")" = killed ] && break
		echo "#   apply trial $t: attempt $attempt ended before $point: $(head -c 200 "$d/kill.err")"
		rm -f "$d"/c.db*
		cp "$d/c0.db" "$d/c.db"
		point=""
	done
	[ -n "$point" ] && killed=$((killed + 1)) || bad="$bad not-killed"
	[ "$(q "$d/c.db" "PRAGMA integrity_check")" = ok ] || bad="$bad integrity_check-after-kill"
	"$S" -q --db "$d/c.db" apply --from "$d/d.git" >/dev/null 2>"$d/apply.err" || bad="$bad apply($(head -c 200 "$d/apply.err"))"
	[ "$(q "$d/c.db" "PRAGMA integrity_check")" = ok ] || bad="$bad integrity_check"
	"$S" -q --db "$d/c.db" verify >/dev/null 2>&1 || bad="$bad verify"
	[ "$(q "$d/c.db" "SELECT count(*) FROM sk_changesets")" = "$ncs" ] || bad="$bad changesets"
	[ "$(digest "$d/c.db")" = "$want_digest" ] || bad="$bad digest"
	[ "$(dump "$d/c.db" | md5sum)" = "$want_rows" ] || bad="$bad rows"
	if [ -n "$bad" ]; then
		echo "#   apply trial $t (seed $SEED, $point):$bad"
		cp "$d/c.db" "$TMP/failed-apply-$t.db"
		fails=$((fails + 1))
	fi
done
check "$APPLY_TRIALS apply trials killed inside the apply's transaction ($killed), each restarted: every change-set once" '[ "$fails" -eq 0 ] && [ "$killed" -eq "$APPLY_TRIALS" ]'
check "git fsck --strict of the district's repository" 'git --git-dir="$d/d.git" fsck --strict >/dev/null 2>&1'

# ---- kill -9 during import: all or nothing ----
# each trial is stopped after K*256 rows read, inside the import's one transaction, and killed
# there: nothing of it may remain; importing again completes
d="$W/i"; mkdir "$d"
gen-workers --district 96.71.01 --count 1200 --seed "$((SEED + 2))" --out "$d/w.csv" 2>/dev/null
"$S" -q --db "$d/i0.db" init 96.71.01 >/dev/null 2>&1
cp "$d/i0.db" "$d/it.db" && "$S" -q --db "$d/it.db" import "$d/w.csv" --funder "APBD Kota" >/dev/null 2>&1
full=$(q "$d/it.db" "SELECT count(*) FROM workers")
echo "# the file holds $full workers"
fails=0 killed=0
for t in $(seq 1 "$IMPORT_TRIALS"); do
	rm -f "$d"/x.db*
	cp "$d/i0.db" "$d/x.db"
	point=import-rows:$((1 + RANDOM % 4))
	bad=""
	[ "$(kill_at "$point" "$d/kill.err" "$S" -q --db "$d/x.db" import "$d/w.csv" --funder "APBD Kota")" = killed ] &&
		killed=$((killed + 1)) || bad="$bad not-killed-at-$point"
	n=$(q "$d/x.db" "SELECT count(*) FROM workers")
	o=$(q "$d/x.db" "SELECT count(*) FROM sk_outbox")
	[ "$(q "$d/x.db" "PRAGMA integrity_check")" = ok ] || bad="$bad integrity_check"
	[ "$n" = 0 ] && [ "$o" = 0 ] || bad="$bad partial($n workers, $o outbox)"
	"$S" -q --db "$d/x.db" verify >/dev/null 2>&1 || bad="$bad verify"
	"$S" -q --db "$d/x.db" import "$d/w.csv" --funder "APBD Kota" >/dev/null 2>&1
	[ "$(q "$d/x.db" "SELECT count(*) FROM workers")" = "$full" ] || bad="$bad reimport"
	if [ -n "$bad" ]; then
		echo "#   import trial $t (seed $SEED, $point):$bad"
		fails=$((fails + 1))
	fi
done
check "$IMPORT_TRIALS import trials killed inside the import's transaction ($killed): nothing of it remains, and importing again completes" \
	'[ "$fails" -eq 0 ] && [ "$killed" -eq "$IMPORT_TRIALS" ]'
finish

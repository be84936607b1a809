#!/usr/bin/env bash
# t0320-sync-crash: invariants 1 and 5 when a sync dies.  Two districts and the city sync over
# smart HTTP (lighttpd + git http-backend); each `sinkron sync` (and the agent) is stopped at a step
# the program itself reports (SINKRON_PAUSE_AT: inside the seal's transaction, with the push's ref
# lock held, after the push reached the central, between the refs of a fetch, inside an apply or a
# consolidation) and killed there with kill -9 (or the agent with a plain SIGTERM); the next round
# must succeed by itself.  The lock-file states a kill leaves (git's X.lock beside a ref, an
# unfinished pack) are also made by hand: sinkron clears them, but never while a live sinkron
# process holds the repository's lock.  At the end everything reaches the city, digests equal.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/servers.sh"

export HOME="$TMP/home" GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0
mkdir -p "$HOME"
need_pkg sqlite3 sqlite3 || skip_all "no sqlite3 shell"
need_pkg /usr/bin/flock util-linux || skip_all "no flock(1)"

mkdir srv
central-setup "$TMP/srv/central.git" >/dev/null || skip_all "central-setup failed"
http_add_user 96.71 sandi-kota
http_add_user 96.71.01 sandi-01
http_add_user 96.71.02 sandi-02
start_http srv || skip_all "cannot start lighttpd"
HTTP="http://127.0.0.1:$HTTP_PORT/git/central.git"

sk() { "$SINKRON" "$@"; }
q() { sqlite3 -batch -noheader "$@"; }
digest() { q "$1" "SELECT lower(hex(value)) FROM sk_state WHERE key = 'digest'"; }
wait_for() { local end=$((SECONDS + $1)); shift; until eval "$@"; do [ "$SECONDS" -lt "$end" ] || return 1; sleep 0.1; done; }
rows() { q "$1" "SELECT id, owner, nik, name, phone, status FROM workers WHERE owner = '$2' ORDER BY id"; }

sk --db city.db init --city 96.71 --central "$HTTP" >/dev/null
login city.db 96.71 sandi-kota
for n in 01 02; do
	sk --db d$n.db init 96.71.$n --central "$HTTP" >/dev/null
	login d$n.db 96.71.$n sandi-$n
done
gen-workers --city 96.71 --count 300 --seed 3 --out csv 2>/dev/null
for n in 01 02; do sk --db d$n.db import csv/workers-96.71.$n.csv --funder "APBD Kota" >/dev/null 2>&1; done
edits=0
# edit NAME: one more change at office NAME, so that the next round has something to carry
edit() { edits=$((edits + 1)); q "$1.db" "UPDATE workers SET phone = '0812$edits' WHERE id = (SELECT id FROM workers ORDER BY id LIMIT 1 OFFSET $((edits % 20)))"; }

# kill_at NAME POINT [VERB] [SIGNAL]: `sinkron VERB` (sync) of NAME.db stopped at POINT, where the program
# says it is, then killed with SIGNAL (KILL); fails when the round ends (or 10 minutes pass) first
kill_at() {
	local n=$1 point=$2 verb=${3:-sync} sig=${4:-KILL} pid
	# emptied here, before the child starts: the child's own redirection truncates them only once
	# it runs, and the wait below must never read the previous kill's "paused at"
	: >"$TMP/pause.out"
	: >"$TMP/pause.err"
	SINKRON_PAUSE_AT=$point "$SINKRON" --db "$n.db" "$verb" >"$TMP/pause.out" 2>"$TMP/pause.err" &
	pid=$!
	wait_for 600 'grep -q "paused at" "$TMP/pause.err" || ! kill -0 $pid 2>/dev/null'
	if grep -q "paused at ${point%%:*} " "$TMP/pause.err"; then
		kill -"$sig" "$pid"
		wait "$pid" 2>/dev/null
		# a child stopped at the point dies with its parent (PR_SET_PDEATHSIG)
		wait_for 120 '! pgrep -f "$SINKRON --db $n.db" >/dev/null'
		return 0
	fi
	kill -0 "$pid" 2>/dev/null && echo "#   still running after 600 s: $(ps -o pid,stat,wchan:20,args --ppid "$pid" -p "$pid" | tr '\n' '|')"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	echo "#   $n: $verb never reached $point (exit $?): $(head -c 300 "$TMP/pause.err") $(head -c 300 "$TMP/pause.out")"
	return 1
}
# recovers NAME WHAT: the next plain round of NAME succeeds by itself
recovers() {
	local n=$1
	check_exit "$n recovers by itself after $2" 0 sk --db "$n.db" sync
}

check_exit "96.71.01 first sync" 0 sk --db d01.db sync
check_exit "96.71.02 first sync" 0 sk --db d02.db sync
check_exit "the city's first sync" 0 sk --db city.db sync

# ---- lock files a killed writer leaves, made by hand --------------------------------------------
mkdir -p d01.git/refs/sinkron d01.git/refs/remotes/central
: >d01.git/refs/sinkron/push.lock
: >d01.git/refs/remotes/central/central.lock
: >d01.git/refs/heads/district/96.71.01.lock
: >d01.git/objects/pack/pack_git2_Xq3vTz
edit d01
check_exit "sync with push.lock, a fetch's ref lock, a branch lock and an unfinished pack left behind" 0 sk --db d01.db sync
check "each was cleared" '[ -z "$(find d01.git -name "*.lock" ! -name "sinkron-*" -o -name "pack_git2_*" | head -1)" ]'
mkdir -p city.git/refs/remotes/central/district
: >city.git/refs/remotes/central/district/96.71.02.lock
edit d02
sk --db d02.db sync >/dev/null 2>&1
check_exit "the city syncs with a district's fetch lock left behind" 0 sk --db city.db sync
check "it was cleared" '[ ! -e city.git/refs/remotes/central/district/96.71.02.lock ]'

# ---- a live holder is never overridden ----------------------------------------------------------
: >d01.git/refs/sinkron/push.lock
edit d01
exec 8>d01.git/sinkron-net.lock
flock 8
sk --db d01.db sync >live.out 2>live.err 8>&- &
spid=$!
# the sync waits for the lock: /proc/locks shows it blocked behind ours ("->")
ino=$(stat -c %i d01.git/sinkron-net.lock)
check "a sync waits while another process holds the repository's transfer lock" \
	'wait_for 300 "grep -q \"^[0-9]*: -> FLOCK.*:$ino \" /proc/locks"'
check "the lock file it guards is left alone meanwhile" '[ -e d01.git/refs/sinkron/push.lock ]'
exec 8>&-
wait "$spid"
src=$?
check "once the holder has gone the sync completes (exit $src) and clears the stale lock" '[ $src = 0 ] && [ ! -e d01.git/refs/sinkron/push.lock ]'
: >d01.git/refs/heads/district/96.71.01.lock
exec 8>d01.git/sinkron-refs.lock
flock 8
edit d01
sk --db d01.db seal >live.out 2>live.err 8>&- &
spid=$!
ino=$(stat -c %i d01.git/sinkron-refs.lock)
check "a seal waits while another process moves a branch" 'wait_for 300 "grep -q \"^[0-9]*: -> FLOCK.*:$ino \" /proc/locks"'
check "that process's branch lock is left alone meanwhile" '[ -e d01.git/refs/heads/district/96.71.01.lock ]'
exec 8>&-
wait "$spid"
src=$?
check "then the seal completes (exit $src)" '[ $src = 0 ] && [ ! -e d01.git/refs/heads/district/96.71.01.lock ]'

# ---- kill -9 at the steps of a district's round --------------------------------------------------
for point in seal-written seal-committed push-ref-locked push-sent fetch-tip apply-applied; do
	edit d01
	# the city has something new for the district to fetch and apply
	if [ "$point" = fetch-tip ] || [ "$point" = apply-applied ]; then
		edit d02
		sk --db d02.db sync >/dev/null 2>&1
		sk --db city.db sync >/dev/null 2>&1
	fi
	if kill_at d01 "$point"; then
		[ "$point" = push-ref-locked ] &&
			check "the kill left refs/sinkron/push.lock behind, as the soak saw" '[ -e d01.git/refs/sinkron/push.lock ]'
		recovers d01 "kill -9 at $point"
	else
		check "96.71.01's sync reached $point" false
	fi
done
# the agent's plain SIGTERM kills its transfer child at once: the same lock is left
edit d01
if kill_at d01 push-ref-locked agent TERM; then
	check "SIGTERM to the agent with its push under way left push.lock behind" '[ -e d01.git/refs/sinkron/push.lock ]'
	recovers d01 "SIGTERM to the agent"
else
	check "the agent reached push-ref-locked" false
fi

# ---- kill -9 at the steps of the city's round ----------------------------------------------------
for point in fetch-tip consolidate-applied seal-written push-ref-locked push-sent; do
	edit d02
	sk --db d02.db sync >d02.out 2>&1 || echo "#   96.71.02's sync failed: $(cat d02.out)"
	if kill_at city "$point"; then
		recovers city "kill -9 at $point"
	else
		check "the city's sync reached $point" false
	fi
done

# ---- everything reached the city, once --------------------------------------------------------
for n in 01 02; do sk --db d$n.db sync >/dev/null 2>&1; done
check_exit "the city's last round" 0 sk --db city.db sync
for n in 01 02; do
	sk --db d$n.db sync >/dev/null 2>&1
	check "96.71.$n: the city holds its rows as the district does" '[ "$(rows city.db 96.71.$n | md5sum)" = "$(rows d$n.db 96.71.$n | md5sum)" ]'
	check "96.71.$n: the city received every change-set it sealed, once" \
		'[ "$(q city.db "SELECT count(*) FROM sk_changesets WHERE origin = '"'96.71.$n'"'")" = "$(q d$n.db "SELECT count(*) FROM sk_changesets WHERE local = 1")" ]'
	check "96.71.$n: verify is ok" 'sk --db d$n.db verify >/dev/null 2>&1'
	check "96.71.$n: its status says the city has everything" 'sk --db d$n.db status --json | grep -q "\"unsent_changesets\":0,"'
done
check "city: verify is ok" 'sk --db city.db verify >/dev/null 2>&1'
check "git fsck of each repository" 'for r in d01.git d02.git city.git srv/central.git; do git --git-dir=$r fsck >/dev/null 2>&1 || exit 1; done'
finish

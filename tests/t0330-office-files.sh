#!/usr/bin/env bash
# t0330-office-files: what an office keeps on disk and what it gives away.  Repositories and
# checkpoints are its owner's only (stat), also an old repository made readable to all; `init`
# over an office whose database is gone refuses and names `restore --replace`, which brings it
# back; `apply --from` a folder that is no repository says so (exit 2); a push to a path counts
# its real bytes; a full disk while sealing is named as such (a small tmpfs); the login is never
# sent to the server a redirect names (another port, another host: a recording server on
# loopback); the URL form with the user in it (http://96.71.02@HOST/...) logs in.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/servers.sh"

export HOME="$TMP/home" GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0
mkdir -p "$HOME"
need_pkg sqlite3 sqlite3 || skip_all "no sqlite3 shell"
sk() { "$SINKRON" "$@"; }
q() { sqlite3 -batch -noheader "$@"; }
mode() { stat -c %a "$1"; }
wait_for() { local end=$((SECONDS + $1)); shift; until eval "$@"; do [ "$SECONDS" -lt "$end" ] || return 1; sleep 0.1; done; }

gen-workers --city 96.71 --count 200 --seed 5 --out csv 2>/dev/null
mkdir srv
central-setup "$TMP/srv/central.git" >/dev/null || skip_all "central-setup failed"

# ---- owner only, even under a permissive umask --------------------------------------------------
(umask 022 && sk --db d01.db init 96.71.01 --central "$TMP/srv/central.git" >/dev/null &&
	sk --db d01.db import csv/workers-96.71.01.csv --funder "APBD Kota" >/dev/null 2>&1 &&
	sk --db d01.db seal --max-bytes 1024 >/dev/null)
check "office.git is created 0700 (got $(mode d01.git))" '[ "$(mode d01.git)" = 700 ]'
check "no file or folder in it is open to group or others" '[ -z "$(find d01.git -perm /077 | head -1)" ]'
(umask 022 && SINKRON_CHECKPOINT_EVERY=1 sk --db d01.db restore --at "$(date -d tomorrow +%F)" --out copy.db >/dev/null 2>&1)
check "the checkpoints folder is its owner's only" '[ -d d01.checkpoints ] && [ -z "$(find d01.checkpoints copy.db -perm /077 | head -1)" ]'
# what a killed restore left (its half-built copy of the register) goes at the next restore; a
# live restore's is left alone
sleep 0 & dead=$!
wait $dead
: >copy2.db.restoring-$dead
: >copy2.db.restoring-$$
SINKRON_NO_CHECKPOINTS=1 sk --db d01.db restore --at "$(date -d tomorrow +%F)" --out copy2.db >/dev/null 2>&1
check "a killed restore's half-built copy is removed by the next restore" '[ ! -e copy2.db.restoring-$dead ] && [ -e copy2.db ]'
check "a live one's is not" '[ -e copy2.db.restoring-$$ ]'
chmod 755 d01.git
sk --db d01.db seal >/dev/null
check "an old repository open to all is closed when sinkron opens it (got $(mode d01.git))" '[ "$(mode d01.git)" = 700 ]'

# ---- a push to a path counts what it sent --------------------------------------------------------
run_sync=$(sk --db d01.db sync 2>&1)
bytes=$(printf '%s\n' "$run_sync" | sed -n 's/.* in [0-9]* push(es), \([0-9]*\) bytes.*/\1/p')
check "a push to a path reports its real size ($bytes bytes for $(q d01.db "SELECT sum(bytes) FROM sk_changesets") bytes of change-sets)" \
	'[ "${bytes:-0}" -ge "$(q d01.db "SELECT sum(bytes) FROM sk_changesets")" ]'

# ---- a sync that failed, with no agent running, does not promise one ------------------------------
sk --db d02.db init 96.71.02 --central "$TMP/srv/no-such.git" >/dev/null
sk --db d02.db sync >sync2.out 2>&1
check "no agent runs: the failed sync does not say that it will retry" '! grep -q "agent will retry" sync2.out && grep -q "sinkron sync" sync2.out'

# ---- init over an office whose database is gone ---------------------------------------------------
want=$(q d01.db "SELECT count(*) FROM workers")
mv d01.db d01.db.lost
rm -f d01.db-wal d01.db-shm
sk --db d01.db init 96.71.01 >init.out 2>&1
rc=$?
check "init beside office.git with the database gone refuses (exit $rc)" '[ $rc = 2 ] && [ ! -e d01.db ]'
check "and points to restore --replace" 'grep -q "restore --at $(date -d tomorrow +%F) --replace" init.out'
check_exit "which brings the office back from its repository" 0 sk --db d01.db restore --at "$(date -d tomorrow +%F)" --replace
check "with every worker ($want)" '[ "$(q d01.db "SELECT count(*) FROM workers")" = "$want" ]'

# ---- apply --from a folder that is not a repository ----------------------------------------------
mkdir notrepo
sk --db d01.db apply --from notrepo >apply.out 2>&1
rc=$?
check "apply --from a folder that is not a repository: exit 2 (got $rc), and says so" \
	'[ $rc = 2 ] && grep -q "is not a git repository" apply.out && ! grep -q "^applied" apply.out'

# ---- a full disk while sealing -------------------------------------------------------------------
# the repository on a small disk of its own (a tmpfs), the database beside it on another
mkdir d03.git
if mount -t tmpfs -o size=400k,mode=0700 tmpfs d03.git 2>/dev/null; then
	at_exit "umount '$TMP/d03.git'"
	sk --db d03.db init 96.71.03 >/dev/null
	q d03.db "SELECT 1" >/dev/null
	sk --db d03.db seal >/dev/null 2>&1
	sk --db d03.db import csv/workers-96.71.03.csv --funder "APBD Kota" >/dev/null 2>&1
	dd if=/dev/zero of=d03.git/fill bs=4k >/dev/null 2>&1
	sk --db d03.db seal >seal.out 2>&1
	rc=$?
	check "sealing on a full disk fails (exit $rc) saying the disk is full, and where" \
		'[ $rc != 0 ] && grep -q "disk holding .*d03.git. is full" seal.out'
	rm -f d03.git/fill
	check_exit "with space again the seal completes" 0 sk --db d03.db seal
	check "and verify is ok" 'sk --db d03.db verify >/dev/null 2>&1'
	umount "$TMP/d03.git"
else
	echo "ok - # skip: a full disk needs a tmpfs mount, which this user may not make"
fi

# ---- the login never follows a redirect ------------------------------------------------------------
# other: a server that records what it gets and asks for a login; front: redirects to it
start_redirector() { # NAME ARGS...: sets PORT_NAME
	local n=$1; shift
	: >"$TMP/$n.port" # emptied before it starts: never an earlier port
	"$TOOLS/redirector" --log "$TMP/$n.log" "$@" >"$TMP/$n.port" &
	at_exit "kill $!"
	wait_for 10 '[ -s "$TMP/$n.port" ]'
	eval "PORT_$n=$(cat "$TMP/$n.port")"
}
start_redirector other --listen 127.0.0.1
start_redirector other2 --listen 127.0.0.2
start_redirector front --to "http://127.0.0.1:$PORT_other"
start_redirector front2 --to "http://127.0.0.2:$PORT_other2"
for f in front front2; do
	eval "port=\$PORT_$f"
	sk --db r$f.db init 96.71.01 --central "http://127.0.0.1:$port/git/central.git" >/dev/null
	login r$f.db 96.71.01 rahasia-01
	sk --db r$f.db import csv/workers-96.71.01.csv --funder "APBD Kota" >/dev/null 2>&1
	sk --db r$f.db sync >r$f.out 2>&1
done
check "the central answered with a redirect to another port: the request reached that server" '[ -s other.log ]'
check "it never got the login" '! grep -qi "^authorization" other.log'
check "nor did another host (if the request reached it at all)" '! grep -qis "^authorization" other2.log'
check "the sync fails and says why" 'grep -q "another address" rfront.out && grep -q "another address" rfront2.out'

# ---- the user in the URL, the password in the configuration ------------------------------------
http_add_user 96.71.02 sandi-02
start_http srv || skip_all "cannot start lighttpd"
sk --db u.db init 96.71.02 --central "http://96.71.02@127.0.0.1:$HTTP_PORT/git/central.git" >/dev/null
printf 'password = sandi-02\ndeadline = 30\n' >u.conf
chmod 600 u.conf
sk --db u.db import csv/workers-96.71.02.csv --funder "APBD Kota" >/dev/null 2>&1
check_exit "http://96.71.02@HOST/... with the password in the configuration logs in and syncs" 0 sk --db u.db sync
check "its change-sets are at the central" 'git --git-dir=srv/central.git rev-parse -q --verify refs/heads/district/96.71.02 >/dev/null'
finish

#!/bin/bash
# t4200-sync: `sinkron sync` and `sinkron agent` end to end, the real binary against real servers on
# loopback (DESIGN.md invariants 1, 4 and 5): a local path, a USB stick carried to the city and back,
# git daemon, lighttpd + git http-backend with one login per district, HTTPS with and without the
# city's CA; the ownership hook seen through sinkron; credentials kept out of ps, logs and status;
# deadlines against a silent link; bounded pushes cut midway and resumed; the agent's signals, lock,
# daemon mode and backoff; status before and after; the city's round trip.  SEED= replays the cuts.

. "$(dirname "$0")/lib.sh"
. "$TOP/tests/servers.sh"

export HOME="$TMP/home" GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0 GIT_ASKPASS=/bin/false SSH_ASKPASS=/bin/false
unset GIT_SSL_NO_VERIFY GIT_SSL_CAINFO GIT_SSL_CAPATH REMOTE_USER SINKRON_DISTRICT SINKRON_CONFIG
mkdir -p "$HOME"
SEED=${SEED:-$(($(date +%s) % 100000))}
echo "# seed $SEED (SEED=$SEED replays the link faults)"
RANDOM=$SEED

need_pkg git git || skip_all "git is not installed and cannot be"
need_pkg sqlite3 sqlite3 || skip_all "sqlite3 is not installed and cannot be"

mkdir srv
CENTRAL="$TMP/srv/central.git"
central-setup "$CENTRAL" >/dev/null || skip_all "central-setup failed"
g() { git --git-dir="$CENTRAL" "$@"; }

# ---- helpers ------------------------------------------------------------------------------------
# office NAME CODE [init options]: NAME.db for office CODE (a district, or --city 96.71)
office() { local n=$1; shift; sinkron --db "$n.db" init "$@" >/dev/null 2>"$TMP/.init" || cat "$TMP/.init" >&2; }
# conf NAME LINE...: NAME.conf (the default configuration of NAME.db), mode 600
conf() { local n=$1; shift; printf '%s\n' "$@" >"$n.conf"; chmod 600 "$n.conf"; }
# add NAME CODE COUNT SEED: COUNT generated workers imported into NAME.db
add() { gen-workers --district "$2" --count "$3" --seed "$4" --out "$1-$4.csv" 2>/dev/null &&
	sinkron --db "$1.db" import "$1-$4.csv" >/dev/null 2>&1; }
# js NAME KEY: one number of `status --json`
js() { sinkron --db "$1.db" status --json | grep -o "\"$2\":[0-9]*" | cut -d: -f2; }
# idle NAME: one `status --json` says nothing is pending and nothing unsent
idle() { sinkron --db "$1.db" status --json | grep -q '"pending_changes":0,.*"unsent_changesets":0,'; }
# run NAME ARGS...: sinkron on NAME.db; sets rc, out, err
run() { local n=$1; shift; sinkron --db "$n.db" "$@" >"$TMP/.out" 2>"$TMP/.err"; rc=$?; out=$(cat "$TMP/.out"); err=$(cat "$TMP/.err"); }
# tip GITDIR CODE: the commit of district/CODE (or of central), "none" when missing
tip() { local r=refs/heads/district/$2; [ "$2" = central ] && r=refs/heads/central; git --git-dir="$1" rev-parse -q --verify "$r" 2>/dev/null || echo none; }
count() { local r=refs/heads/district/$2; [ "$2" = central ] && r=refs/heads/central; git --git-dir="$1" rev-list --count "$r" 2>/dev/null || echo 0; }
# dump DB OWNER: the canonical rows of OWNER (workers, heirs, enrolments; every column but _sk)
dump() {
	local t cols
	for t in workers heirs enrolments; do
		cols=$(sqlite3 "$1" "SELECT group_concat('\"' || name || '\"', ',') FROM pragma_table_info('$t') WHERE name <> '_sk'")
		sqlite3 "$1" "SELECT '$t', $cols FROM $t WHERE owner = '$2' ORDER BY id"
	done
}
# wait_for SECONDS CONDITION: poll CONDITION (eval) every 0.1 s
wait_for() { local end=$((SECONDS + $1)); shift; until eval "$@"; do [ "$SECONDS" -lt "$end" ] || return 1; sleep 0.1; done; }
# ms: milliseconds on the monotonic-enough wall clock
ms() { echo $(($(date +%s%N) / 1000000)); }
# proxy NAME OPTIONS...: a linkproxy in front of the git daemon; sets PORT_<NAME>, PID_<NAME>
proxy() {
	local n=$1; shift
	: >"$TMP/$n.port" # emptied before the proxy starts: a port file of an earlier proxy of this name is never read
	"$TOOLS/linkproxy" --target "127.0.0.1:$GIT_DAEMON_PORT" --log "$TMP/$n.proxy.log" "$@" >"$TMP/$n.port" 2>>"$TMP/$n.proxy.err" &
	eval "PID_$n=$!"
	at_exit "kill $! 2>/dev/null"
	# the port, as a whole line (linkproxy prints it once it listens)
	wait_for 10 '[ "$(wc -l <"$TMP/$n.port" 2>/dev/null)" -ge 1 ] 2>/dev/null' || return 1
	eval "PORT_$n=$(head -1 "$TMP/$n.port")"
	eval "[ -n \"\$PORT_$n\" ]"
}

# ---- a local path ---------------------------------------------------------------------------------
office l1 96.71.01 --central "$CENTRAL"
add l1 96.71.01 30 1
check "status: changes pending, no change-set yet" '[ "$(js l1 pending_changes)" -ge 30 ] && [ "$(js l1 unsent_changesets)" = 0 ] && [ "$(js l1 sealed)" = 0 ]'
sinkron --db l1.db seal >/dev/null
check "status after seal: nothing pending, one change-set unsent" '[ "$(js l1 pending_changes)" = 0 ] && [ "$(js l1 unsent_changesets)" = 1 ] && [ "$(js l1 unsent_bytes)" -gt 0 ]'
check "status says in words what waits" 'sinkron --db l1.db status | grep -q "1 change-set(s), .* bytes, sealed and waiting to be sent to the city"'
conf l1 "central = $CENTRAL"
chmod 644 l1.conf
run l1 sync
check "a configuration others can read is refused (exit 2, says chmod 600)" '[ $rc = 2 ] && grep -q "can be read by others.*chmod 600" <<<"$err"'
check "and nothing was sent" '[ "$(tip "$CENTRAL" 96.71.01)" = none ]'
chmod 600 l1.conf
run l1 sync
check "sync over a local path: exit 0, says so" '[ $rc = 0 ] && grep -q "everything sealed here has reached the central repository" <<<"$out"'
check "the central branch is the office's" '[ "$(tip "$CENTRAL" 96.71.01)" = "$(tip l1.git 96.71.01)" ] && [ "$(count "$CENTRAL" 96.71.01)" = 1 ]'
check "status after sync: nothing pending, nothing unsent, sealed = pushed" \
	'[ "$(js l1 pending_changes),$(js l1 unsent_changesets),$(js l1 sealed),$(js l1 pushed)" = 0,0,1,1 ]'
check "status says nothing waits (text and --json)" 'sinkron --db l1.db status --json | grep -q "\"everything_sent\":true" && ! sinkron --db l1.db status | grep -q "waiting to be sent\|not yet sealed"'
id=$(sqlite3 l1.db "SELECT id FROM workers ORDER BY id LIMIT 1")
sinkron --db l1.db worker edit "$id" --phone 081200000001 >/dev/null 2>&1
sqlite3 l1.db "UPDATE workers SET address = 'Jl. Sqlite 1' WHERE id = (SELECT id FROM workers ORDER BY id DESC LIMIT 1)"
check "status counts a sinkron edit and a sqlite3 shell edit" '[ "$(js l1 pending_rows)" = 2 ]'
run l1 sync
check "a second sync sends only the new change-set" '[ $rc = 0 ] && grep -q "sealed 1 change-set(s) (2 rows); pushed 1 change-set(s) in 1 push(es)" <<<"$out" && [ "$(count "$CENTRAL" 96.71.01)" = 2 ]'
run l1 sync
check "a third sync has nothing to do" '[ $rc = 0 ] && grep -q "sealed 0 change-set(s) (0 rows); pushed 0 change-set(s) in 0 push(es)" <<<"$out"'

# ---- a long send on a terminal ------------------------------------------------------------------
central-setup "$TMP/prog.git" >/dev/null
office pg 96.71.01 --central "$TMP/prog.git"
conf pg "central = $TMP/prog.git" "push_limit = 4096" "changeset_bytes = 2048"
add pg 96.71.01 300 3
script -qec "sinkron --db pg.db sync" /dev/null </dev/null >pg.tty 2>&1
tr '\r' '\n' <pg.tty >pg.lines
check "a long send on a terminal says how far it is, push by push, up to 100 %" \
	'grep -q "^sending    \[" pg.lines && grep -q "sending    \[#########################\] 100%" pg.lines && [ "$(grep -c "^sending" pg.lines)" -ge 3 ]'
check "... and everything arrived" 'grep -q "everything sealed here has reached the central repository" pg.lines && [ "$(tip prog.git 96.71.01)" = "$(tip pg.git 96.71.01)" ]'

# ---- a USB stick carried between a district and the city -----------------------------------------
mkdir stick citypc
central-setup stick/central.git >/dev/null
office u6 96.71.06 --central "$TMP/stick/central.git"
office ucity --city 96.71 --central "$TMP/citypc/stick/central.git"
add u6 96.71.06 20 2
run u6 sync
check "the district syncs to the stick" '[ $rc = 0 ] && [ "$(tip stick/central.git 96.71.06)" = "$(tip u6.git 96.71.06)" ]'
cp -a stick citypc/ # carried to the city
run ucity sync
check "the city syncs from the stick and applies the district's change-set" '[ $rc = 0 ] && grep -q "applied 1 change-set(s) (20 rows)" <<<"$out"'
check "the city holds the district's rows" '[ "$(dump ucity.db 96.71.06)" = "$(dump u6.db 96.71.06)" ] && [ -n "$(dump u6.db 96.71.06)" ]'
run ucity sync
check "delivering the same stick again applies nothing twice" '[ $rc = 0 ] && grep -q "applied 0 change-set(s)" <<<"$out" && [ "$(dump ucity.db 96.71.06)" = "$(dump u6.db 96.71.06)" ]'
id6=$(sqlite3 u6.db "SELECT id FROM workers ORDER BY id LIMIT 1")
sqlite3 ucity.db "UPDATE workers SET verified = 'ok', kpj = '16000000006' WHERE id = '$id6'"
run ucity sync
check "the city's answer goes onto the stick" '[ $rc = 0 ] && [ "$(tip citypc/stick/central.git central)" != none ]'
cp -a stick stick.old # an older copy of the stick, kept by the district
rm -rf stick && cp -a citypc/stick . # carried back
run u6 sync
check "the district takes the city's answer from the stick" '[ $rc = 0 ] && [ "$(sqlite3 u6.db "SELECT verified, kpj FROM workers WHERE id = '"'$id6'"'")" = "ok|16000000006" ]'
add u6 96.71.06 5 3
run u6 sync
check "the district's next change-set goes onto the stick" '[ $rc = 0 ] && [ "$(count stick/central.git 96.71.06)" = 2 ]'
# the stick is lost; the older copy travels instead: the push resumes from what that copy holds
rm -rf stick && mv stick.old stick
sinkron --db u6.db worker edit "$id6" --phone 081200000006 >/dev/null 2>&1
run u6 sync
check "on an older copy of the stick the sync sends what it lacks" '[ $rc = 0 ] && [ "$(count stick/central.git 96.71.06)" = 3 ] && [ "$(tip stick/central.git 96.71.06)" = "$(tip u6.git 96.71.06)" ]'
rm -rf citypc/stick && cp -a stick citypc/
run ucity sync
check "and the city ends with every row of the district" '[ $rc = 0 ] && [ "$(dump ucity.db 96.71.06)" = "$(dump u6.db 96.71.06)" ]'
check_cmd "the stick's repository is sound (git fsck --strict)" git --git-dir=stick/central.git fsck --strict

# ---- git:// (git daemon) ---------------------------------------------------------------------------
start_git_daemon srv || skip_all "cannot start git daemon"
GITD="git://127.0.0.1:$GIT_DAEMON_PORT/central.git"
office g3 96.71.03
conf g3 "central = $GITD"
add g3 96.71.03 25 4
run g3 sync
check "sync over git://: exit 0" '[ $rc = 0 ] && [ "$(tip "$CENTRAL" 96.71.03)" = "$(tip g3.git 96.71.03)" ]'

# ---- smart HTTP with one login per district ----------------------------------------------------------
PW1='sandi-01-Kx9q'
PW4='sandi-04-Rb7w'
PW5='sandi-05-Lm2z'
http_add_user 96.71.01 "$PW1"
http_add_user 96.71.04 "$PW4"
http_add_user 96.71.05 "$PW5"
http_add_user 96.71.07 sandi-07
start_http srv || skip_all "cannot start lighttpd"
HTTPURL="http://127.0.0.1:$HTTP_PORT/git/central.git"
office h4 96.71.04
conf h4 "central = $HTTPURL" "username = 96.71.04" "password = $PW4" "log = $TMP/h4.log" "log_level = debug"
add h4 96.71.04 25 5
run h4 sync
check "sync over HTTP with the office's login: exit 0" '[ $rc = 0 ] && [ "$(tip "$CENTRAL" 96.71.04)" = "$(tip h4.git 96.71.04)" ]'
leak="$out $err"

# an agent gives the login at once to the server that asked for it earlier in the same process:
# its later rounds make no first request that the server refuses
"$TOOLS/linkproxy" --target "127.0.0.1:$HTTP_PORT" --log "$TMP/hl.proxy.log" >"$TMP/hl.port" 2>/dev/null &
at_exit "kill $! 2>/dev/null"
wait_for 10 '[ -s "$TMP/hl.port" ]' || skip_all "cannot start linkproxy"
conf h4 "central = http://127.0.0.1:$(head -1 "$TMP/hl.port")/git/central.git" "username = 96.71.04" "password = $PW4" \
	"interval = 0.3" "log = $TMP/h4a.log"
sinkron --db h4.db agent >/dev/null 2>&1 &
hapid=$!
wait_for 60 '[ "$(grep -c " close " "$TMP/hl.proxy.log")" -ge 3 ]'
kill -TERM $hapid
wait $hapid
downs=$(awk '$3 == "close" { for (i = 4; i <= NF; i++) if ($i ~ /^down=/) print substr($i, 6) }' "$TMP/hl.proxy.log" | head -3 | tr '\n' ' ')
check "the agent's later rounds over HTTP give the login at once (bytes down per round: $downs)" \
	'set -- $downs; [ $# = 3 ] && [ "$2" -lt "$1" ] && [ "$3" -lt "$1" ] && ! grep -q "failed" "$TMP/h4a.log"'
conf h4 "central = $HTTPURL" "username = 96.71.04" "password = $PW4" "log = $TMP/h4.log" "log_level = debug"

office h5 96.71.05
conf h5 "central = $HTTPURL" "username = 96.71.05" "password = wrong-$PW5" "log = $TMP/h5.log" "log_level = debug"
add h5 96.71.05 5 6
run h5 sync
check "a wrong password: exit 1 and a clear message" '[ $rc = 1 ] && grep -q "refused .*login.*check username and password" <<<"$err"'
echo "#   $err" | head -2
check "and nothing was sent" '[ "$(tip "$CENTRAL" 96.71.05)" = none ] && [ "$(js h5 unsent_changesets)" = 1 ]'
leak="$leak $out $err"

office h2 96.71.02
conf h2 "central = $HTTPURL" "username = 96.71.01" "password = $PW1"
add h2 96.71.02 5 7
run h2 sync
check "an office with another district's login is refused by the central's hook (exit 1)" '[ $rc = 1 ]'
check "and the hook's reason reaches sync's stderr" 'grep -q "96\.71\.01 may not update refs/heads/district/96\.71\.02" <<<"$err"'
echo "#   $err" | head -2
check "nothing reached 96.71.02's branch" '[ "$(tip "$CENTRAL" 96.71.02)" = none ] && [ "$(tip "$CENTRAL" 96.71.01)" = "$(tip l1.git 96.71.01)" ]'
leak="$leak $out $err"

# credentials: never in a command line (ps, sampled while a slow sync runs), the log, status, --json
"$TOOLS/linkproxy" --target "127.0.0.1:$HTTP_PORT" --rate 64k --delay 150 >"$TMP/slow.port" 2>/dev/null &
slow_pid=$!
at_exit "kill $slow_pid 2>/dev/null"
wait_for 10 '[ -s "$TMP/slow.port" ]'
conf h4 "central = http://127.0.0.1:$(cat "$TMP/slow.port")/git/central.git" "username = 96.71.04" "password = $PW4" \
	"log = $TMP/h4.log" "log_level = debug" "interval = 0.2"
add h4 96.71.04 60 8
sinkron --db h4.db agent >/dev/null 2>&1 &
agent_pid=$!
: >ps.samples
for _ in $(seq 1 150); do
	ps -eo pid,args >>ps.samples
	grep -qs "round done" h4.log && break
	sleep 0.1
done
kill -TERM "$agent_pid"; wait "$agent_pid"
check "the slow sync ran while ps was sampled" 'grep -q "sinkron --db h4.db agent" ps.samples && [ "$(tip "$CENTRAL" 96.71.04)" = "$(tip h4.git 96.71.04)" ]'
sinkron --db h5.db agent >/dev/null 2>&1 &
agent_pid=$!
for _ in $(seq 1 100); do
	ps -eo pid,args >>ps.samples
	grep -qs "refused .*login" h5.log && break
	sleep 0.1
done
kill -TERM "$agent_pid"; wait "$agent_pid"
check "the agent logged its rounds and the refused login" 'grep -q "round done" h4.log && grep -q "refused .*login" h5.log'
status_all=$(for n in h4 h5 h2; do sinkron --db $n.db status; sinkron --db $n.db status --json; sinkron --db $n.db log; done 2>&1)
for pw in "$PW4" "$PW5" "$PW1"; do
	check "the password '${pw:0:7}...' is in no ps line" '! grep -qF -- "$pw" ps.samples'
	check "... in no log file" '! grep -qF -- "$pw" h4.log h5.log'
	check "... in no status, status --json or log output" '! grep -qF -- "$pw" <<<"$status_all"'
	check "... in nothing sync printed" '! grep -qF -- "$pw" <<<"$leak"'
done

# ---- HTTPS with the city's own CA ---------------------------------------------------------------------
start_https srv || skip_all "cannot start lighttpd with TLS"
office s7 96.71.07
conf s7 "central = https://localhost:$HTTPS_PORT/git/central.git" "username = 96.71.07" "password = sandi-07" "ca_file = $HTTPS_CA"
add s7 96.71.07 10 9
run s7 sync
check "sync over HTTPS with ca_file: exit 0" '[ $rc = 0 ] && [ "$(tip "$CENTRAL" 96.71.07)" = "$(tip s7.git 96.71.07)" ]'
conf s7 "central = https://localhost:$HTTPS_PORT/git/central.git" "username = 96.71.07" "password = sandi-07"
add s7 96.71.07 3 10
before=$(tip "$CENTRAL" 96.71.07)
run s7 sync
check "without ca_file the certificate is not trusted: exit 1, says so" '[ $rc = 1 ] && grep -qi "certificate" <<<"$err" && [ "$(tip "$CENTRAL" 96.71.07)" = "$before" ]'
echo "#   $err" | head -2
conf s7 "central = https://localhost:$HTTPS_PORT/git/central.git" "username = 96.71.07" "password = sandi-07" "ca_file = $HTTPS_CA"
run s7 sync
check "with ca_file back the change-set goes through" '[ $rc = 0 ] && [ "$(tip "$CENTRAL" 96.71.07)" = "$(tip s7.git 96.71.07)" ] && idle s7'

# ---- a deadline against a link that goes silent --------------------------------------------------------
proxy hole --blackhole-prob 1 --fault-after 60-150 --seed "$SEED" || skip_all "cannot start linkproxy"
office b9 96.71.09
conf b9 "central = git://127.0.0.1:$PORT_hole/central.git" "deadline = 3"
add b9 96.71.09 10 11
t0=$(ms)
run b9 sync
took=$(($(ms) - t0))
check "through a black hole, sync gives up after its deadline (${took} ms, exit $rc)" '[ $rc = 1 ] && [ $took -ge 2900 ] && [ $took -le 6500 ]'
check "and says why" 'grep -q "no answer from the central repository within 3 s" <<<"$err"'
check "no transfer process is left behind" '! running_here "sinkron --db b9.db sync"'
conf b9 "central = $GITD" "deadline = 3"
run b9 sync
check "the next sync, without the black hole, completes" '[ $rc = 0 ] && [ "$(tip "$CENTRAL" 96.71.09)" = "$(tip b9.git 96.71.09)" ]'

# ---- bounded pushes, cut midway, resumed ----------------------------------------------------------------
g config core.logAllRefUpdates always # every push that moves a branch leaves a reflog entry
proxy cut --cut-after 1k-6k --cut-prob 0.5 --seed "$SEED" || skip_all "cannot start linkproxy"
office p8 96.71.08
conf p8 "central = git://127.0.0.1:$PORT_cut/central.git" "push_limit = 4096" "changeset_bytes = 2048" "deadline = 10"
add p8 96.71.08 300 12
midway=0 failed=0 bad=0 pushed_sum=0 backlogs=1
for i in $(seq 1 60); do
	before=$(count "$CENTRAL" 96.71.08)
	run p8 sync
	after=$(count "$CENTRAL" 96.71.08)
	n=$(grep -o "pushed [0-9]* change-set" <<<"$out" | grep -o "[0-9]*")
	pushed_sum=$((pushed_sum + ${n:-0}))
	[ "$after" -lt "$before" ] && bad=1
	t=$(tip "$CENTRAL" 96.71.08)
	[ "$t" = none ] || git --git-dir="$CENTRAL" cat-file -e "$t:changeset" 2>/dev/null || bad=1
	if [ $rc != 0 ]; then
		failed=$((failed + 1))
		[ "$after" -gt "$before" ] && midway=$((midway + 1))
		grep -q "no answer\|failed" <<<"$err" || bad=1
	fi
	# the cuts are drawn per connection from the seed: when a whole backlog went through before any
	# sync was cut after a push, the office types another backlog and the link is tried again
	if [ $rc = 0 ]; then
		[ $midway -ge 1 ] || [ $backlogs -ge 5 ] && break
		backlogs=$((backlogs + 1))
		add p8 96.71.08 300 $((20 + backlogs))
	fi
done
sealed=$(js p8 sealed)
echo "# $sealed change-sets from $backlogs backlog(s), $i syncs, $failed cut, $midway of them after some pushes went through"
check "a backlog is sealed into many small change-sets" '[ "$sealed" -ge 10 ]'
check "cut syncs fail (exit 1), and some were cut midway after whole pushes had arrived" '[ $failed -ge 1 ] && [ $midway -ge 1 ]'
check "the central branch only ever moved forward, to whole change-sets" '[ $bad = 0 ]'
check "a sync after the cuts completes with every change-set" '[ $rc = 0 ] && [ "$(count "$CENTRAL" 96.71.08)" = "$sealed" ] && [ "$(tip "$CENTRAL" 96.71.08)" = "$(tip p8.git 96.71.08)" ]'
check "each change-set was counted as sent once" '[ "$pushed_sum" = "$sealed" ] && [ "$(js p8 unsent_changesets)" = 0 ]'
nums=$(g log --format=%s refs/heads/district/96.71.08 | grep -o "#[0-9]*" | sort | uniq -d)
check "each change-set is on the central branch once" '[ -z "$nums" ] && [ "$(g log --format=%s refs/heads/district/96.71.08 | grep -o "#[0-9]*" | sort -u | wc -l)" = "$sealed" ]'
# the reflog: one entry per push; a push carries more than one change-set only within push_limit
over=0 npush=0
while read -r old new; do
	npush=$((npush + 1))
	case $old in 0000000*) continue ;; esac
	w=0 k=0
	for c in $(g rev-list "$old..$new"); do k=$((k + 1)); w=$((w + 700 + $(g cat-file -s "$c:changeset"))); done
	[ $k -gt 1 ] && [ $w -gt 4096 ] && over=$((over + 1))
done < <(g reflog show --format='%H' refs/heads/district/96.71.08 2>/dev/null | tac | awk 'NR > 1 { print prev, $1 } { prev = $1 }')
npush=$(g reflog show refs/heads/district/96.71.08 | wc -l)
check "the backlog went in several pushes ($npush), none over push_limit" '[ "$npush" -ge 5 ] && [ $over = 0 ]'
check_cmd "the central repository is sound (git fsck --strict)" git --git-dir="$CENTRAL" fsck --strict

# ---- a slow link is not a dead one: a fetch that keeps moving outlasts its deadline ---------------------
central-setup "$TMP/srv/slow.git" >/dev/null
office sd 96.71.02 --central "$TMP/srv/slow.git"
conf sd "central = $TMP/srv/slow.git"
add sd 96.71.02 1000 21
run sd sync
proxy crawl --rate 64k --delay 300 --seed "$SEED" || skip_all "cannot start linkproxy"
office scity --city 96.71
conf scity "central = git://127.0.0.1:$PORT_crawl/slow.git" "deadline = 2"
t0=$(ms)
script -qec "sinkron --db scity.db sync" /dev/null </dev/null >scity.tty 2>&1
rc=$?
took=$(($(ms) - t0))
tr '\r' '\n' <scity.tty >scity.lines
# (the city's answer, pushed anonymously over git://, is refused by the hook: that is not this test's)
check "the city's first fetch of a district through 64 kbit/s outlasts its 2 s deadline (${took} ms) and completes" \
	'[ $took -gt 4000 ] && ! grep -q "fetch failed\|no answer" scity.lines && [ "$(sqlite3 scity.db "SELECT count(*) FROM workers")" = 1000 ]'
check "... showing on a terminal how far it is" 'grep -q "^receiving  \[" scity.lines && grep -q "receiving  \[#########################\] 100%" scity.lines'
grep -v "^receiving\|^sending\|^$" scity.lines | sed 's/^/#   /' | head -3

# ---- the agent -------------------------------------------------------------------------------------------
proxy link --seed "$SEED" || skip_all "cannot start linkproxy"
office a10 96.71.10
conf a10 "central = git://127.0.0.1:$PORT_link/central.git" "interval = 0.3" "log = $TMP/a10.log" "log_level = debug" \
	"backoff_first = 0.2" "backoff_cap = 2" "deadline = 5"
sinkron --db a10.db agent >agent.out 2>&1 &
apid=$!
check "the agent starts in the foreground" 'wait_for 10 "grep -qs \"agent started for distrik\" a10.log"'
add a10 96.71.10 15 13
check "the agent sends new work: status shows nothing pending or unsent" 'wait_for 20 "idle a10 && [ \"\$(tip \"\$CENTRAL\" 96.71.10)\" = \"\$(tip a10.git 96.71.10)\" ]"'
check "the round is in the log" 'wait_for 10 "grep -q \"round done: sealed 1 change-set(s) (15 rows); pushed 1 change-set(s)\" a10.log"'
run a10 agent
check "a second agent on the same database is refused (exit 1)" '[ $rc = 1 ] && grep -q "another sinkron agent or sync is working on a10.db (pid $apid)" <<<"$err"'
run a10 sync
check "so is sync while the agent runs" '[ $rc = 1 ] && grep -q "another sinkron agent or sync is working" <<<"$err"'
kill -HUP $apid
check "SIGHUP reloads the configuration (log line)" 'wait_for 5 "grep -q \"configuration reloaded from\" a10.log"'
# backoff: the link goes down; failures come at growing delays up to the cap
kill -USR1 "$PID_link"
add a10 96.71.10 3 14
# until enough failures were seen to show the backoff growing to its cap, however slow the machine
wait_for 120 'grep -q "failed (7 in a row)" a10.log'
kill -USR2 "$PID_link"
delays=$(grep "failed (" a10.log | grep -o "next try in [0-9.]* s" | grep -o "[0-9.]*" | tr '\n' ' ')
echo "# backoff delays: $delays"
nd=$(wc -w <<<"$delays")
first=$(awk '{ print $1 }' <<<"$delays")
max=$(tr ' ' '\n' <<<"$delays" | sort -g | tail -1)
last2=$(awk '{ print ($(NF) + $(NF-1)) / 2 }' <<<"$delays")
check "failures are logged with their count in a row" 'grep -q "failed (4 in a row)" a10.log'
check "backoff: first within 0.2 s, growing, never above the cap of 2 s" \
	'[ "$nd" -ge 5 ] && awk -v f="$first" -v m="$max" -v l="$last2" "BEGIN { exit !(f <= 0.2 && m <= 2.0 && l > f * 3) }"'
check "when the link is back the agent catches up" 'wait_for 15 "idle a10 && [ \"\$(tip \"\$CENTRAL\" 96.71.10)\" = \"\$(tip a10.git 96.71.10)\" ]"'
kill -TERM $apid
wait $apid
arc=$?
check "SIGTERM stops the agent cleanly (exit 0, logged)" '[ $arc = 0 ] && tail -1 a10.log | grep -q "agent stopped"'
# --daemon: detaches at once and logs to office.db.log by default
conf a10 "central = $GITD" "interval = 0.3"
t0=$(ms)
run a10 agent --daemon
took=$(($(ms) - t0))
check "agent --daemon returns at once (exit 0, ${took} ms)" '[ $rc = 0 ] && [ $took -lt 3000 ] && [ -z "$out$err" ]'
check "the daemon logs to a10.db.log" 'wait_for 10 "grep -qs \"agent started\" a10.db.log"'
dpid=$(tr -d '\n' <a10.db.lock)
check "the daemon runs detached, in its own session" '[ -n "$dpid" ] && kill -0 "$dpid" && [ "$(ps -o sid= -p "$dpid" | tr -d " ")" != "$(ps -o sid= -p $$ | tr -d " ")" ]'
add a10 96.71.10 4 15
check "the daemon sends new work" 'wait_for 15 "idle a10"'
run a10 agent
check "a second agent is refused while the daemon runs" '[ $rc = 1 ] && grep -q "(pid $dpid)" <<<"$err"'
kill -TERM "$dpid"
check "the daemon stops on SIGTERM and logs it" 'wait_for 10 "! kill -0 $dpid 2>/dev/null" && tail -1 a10.db.log | grep -q "agent stopped"'

# ---- the city: every district's branch in, its own answer out ----------------------------------------
office city --city 96.71 --central "$CENTRAL"
run city sync
check "the city's sync fetches and applies every district branch" '[ $rc = 0 ] && grep -q "everything sealed here" <<<"$out"'
for pair in l1:96.71.01 g3:96.71.03 h4:96.71.04 s7:96.71.07 p8:96.71.08 b9:96.71.09 a10:96.71.10; do
	n=${pair%%:*} code=${pair#*:}
	check "the city holds exactly $code's rows (as sent)" '[ "$(dump city.db $code)" = "$(dump $n.db $code)" ]'
done
check "the city holds nothing of the refused offices" '[ -z "$(dump city.db 96.71.02)" ] && [ -z "$(dump city.db 96.71.05)" ]'
check_cmd "the city's digest verifies" sinkron --db city.db verify
id3=$(sqlite3 g3.db "SELECT id FROM workers ORDER BY id LIMIT 1")
sqlite3 city.db "UPDATE workers SET verified = 'ok', kpj = '16000000003' WHERE id = '$id3'"
run city sync
check "the city's change goes out on refs/heads/central" '[ $rc = 0 ] && [ "$(tip "$CENTRAL" central)" = "$(tip city.git central)" ]'
run g3 sync
check "the district fetches the city's branch and applies it" '[ $rc = 0 ] && [ "$(sqlite3 g3.db "SELECT verified, kpj FROM workers WHERE id = '"'$id3'"'")" = "ok|16000000003" ]'
check "the district and the city agree on the district's rows" '[ "$(dump city.db 96.71.03)" = "$(dump g3.db 96.71.03)" ]'
check "after the city's answer, the district's status says the city has everything" \
	'sinkron --db g3.db status | grep -q "the city has everything" && sinkron --db g3.db status --json | grep -q "\"city_has_everything\":true"'
# ---- a round fetches only when its push shows that the city's branch moved --------------------------
proxy count --seed "$SEED" || skip_all "cannot start linkproxy"
conns() { grep -c " open " "$TMP/count.proxy.log"; }
conf g3 "central = git://127.0.0.1:$PORT_count/central.git"
add g3 96.71.03 2 30
run g3 sync
check "a round whose push shows central where the district has it makes no fetch connection ($(conns))" \
	'[ $rc = 0 ] && [ "$(conns)" = 1 ] && [ "$(tip "$CENTRAL" 96.71.03)" = "$(tip g3.git 96.71.03)" ] && grep -q "fetched 0 bytes" <<<"$out$err"'
id3b=$(sqlite3 g3.db "SELECT id FROM workers ORDER BY id LIMIT 1 OFFSET 1")
sqlite3 city.db "UPDATE workers SET verified = 'ok', kpj = '16000000004' WHERE id = '$id3b'"
run city sync
add g3 96.71.03 2 31
run g3 sync
check "a round whose push shows central moved fetches ($(conns) connections in all) and applies the city's change" \
	'[ $rc = 0 ] && [ "$(conns)" = 3 ] && [ "$(sqlite3 g3.db "SELECT verified, kpj FROM workers WHERE id = '"'$id3b'"'")" = "ok|16000000004" ]'
run g3 sync
check "a round with nothing to send asks whether central moved, in one connection ($(conns) in all)" \
	'[ $rc = 0 ] && [ "$(conns)" = 4 ] && [ "$(git --git-dir=g3.git rev-parse refs/remotes/central/central)" = "$(tip "$CENTRAL" central)" ]'
sqlite3 city.db "UPDATE workers SET kpj = '16000000005' WHERE id = '$id3b'"
run city sync
run g3 sync
check "... and when it did, fetches ($(conns) connections in all) and applies the city's change" \
	'[ $rc = 0 ] && [ "$(conns)" = 6 ] && [ "$(sqlite3 g3.db "SELECT kpj FROM workers WHERE id = '"'$id3b'"'")" = 16000000005 ]'

check_cmd "the central repository is sound at the end (git fsck --strict)" git --git-dir="$CENTRAL" fsck --strict
for n in l1 u6 ucity g3 h4 s7 b9 p8 a10 city; do
	check "PRAGMA integrity_check: $n.db" '[ "$(sqlite3 $n.db "PRAGMA integrity_check")" = ok ]'
done

finish

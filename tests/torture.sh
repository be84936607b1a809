# tests/torture.sh: the torture scenario of DESIGN.md invariants 1 and 5, shared by tests/t4300-torture.sh
# (in `make test`) and tests/soak (`make soak`, as long as asked).  Source it after tests/lib.sh and
# tests/servers.sh, set SEED, then:
#   torture_setup            the central repository behind git daemon; 10 district offices, each with
#                            its own linkproxy on the bad-link profile and an agent configuration
#   torture_run SECONDS      agents on, random edits at every office (sinkron worker/heir/enrol/import
#                            and sqlite3 shell writes) while agents are killed with kill -9 and restarted
#   torture_heal             links without faults, fresh agents; waits until every office has sent all
#   torture_verify           central == each office's own rows, exactly once; digests; fsck; integrity
# Every random choice comes from SEED (printed); timing still differs between runs, so a replay repeats
# the same edits, link faults and kill order, not the same interleaving.

: "${TMP:?source tests/lib.sh first}"
SEED=${SEED:-$(($(date +%s) % 100000))}
TORTURE_OFFICES=${TORTURE_OFFICES:-10}
TORTURE_HEAL_TIMEOUT=${TORTURE_HEAL_TIMEOUT:-120}
TORTURE_KILL_EVERY=${TORTURE_KILL_EVERY:-1.2} # seconds between two kill -9, on average
TORTURE_PROGRESS=${TORTURE_PROGRESS:-30}    # seconds between two progress lines
CITY=96.71
T_NAMES=(YOHANIS MARTHA AGUSTINA YAKOBUS SITI LA WA DANIEL RIBKA PETRUS NAOMI HENDRIK)
T_CENTRAL="$TMP/srv/central.git"
export HOME="$TMP/home" GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0
unset SINKRON_CONFIG SINKRON_DB
mkdir -p "$HOME" "$TMP/srv" "$TMP/t"
# copies of the programs, so that a rebuild during a long soak cannot pull them away mid-run
mkdir -p "$TMP/bin"
cp "$TOP/build/sinkron" "$TOP/build/gen-workers" "$TMP/bin/" 2>/dev/null
cp -r "$TOP/build/tools" "$TMP/bin/tools" 2>/dev/null
PATH="$TMP/bin:$PATH"
SINKRON="$TMP/bin/sinkron"
TOOLS="$TMP/bin/tools"

t_code() { printf '%s.%02d' "$CITY" "$1"; }
t_db() { printf '%s/d%02d.db' "$TMP" "$1"; }
t_sk() { local i=$1; shift; sinkron --db "$(t_db "$i")" "$@"; }
# t_rand LO HI: an integer in [LO, HI] from the shell's seeded RANDOM
t_rand() { echo $(($1 + RANDOM % ($2 - $1 + 1))); }
# t_frac LO HI: a decimal in [LO, HI] with two digits (LO, HI in hundredths)
t_frac() { local v; v=$(t_rand "$1" "$2"); printf '%d.%02d' $((v / 100)) $((v % 100)); }
t_idle() { t_sk "$1" status --json 2>/dev/null | grep -q '"pending_changes":0,.*"unsent_changesets":0,'; }
t_tip() { git --git-dir="$1" rev-parse -q --verify "refs/heads/district/$2" 2>/dev/null || echo none; }
t_alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }
# t_dump DB OWNER: OWNER's rows of workers, heirs, enrolments, every column but _sk, in id order
t_dump() {
	local t cols
	for t in workers heirs enrolments; do
		cols=$(sqlite3 "$1" "SELECT group_concat('\"' || name || '\"', ',') FROM pragma_table_info('$t') WHERE name <> '_sk'")
		sqlite3 "$1" "SELECT '$t', $cols FROM $t WHERE owner = '$2' ORDER BY id"
	done
}

# t_proxy I FAULTY: (re)start office I's link; the same port every time
t_proxy() {
	local i=$1 faulty=$2 port=${T_PORT[$1]:-0} args
	args=(--listen "127.0.0.1:$port" --target "127.0.0.1:$GIT_DAEMON_PORT" --rate 256k --delay 300
		--log "$TMP/t/link$i.log" --seed $((SEED * 100 + i)))
	if [ "$faulty" = 1 ]; then
		args+=(--cut-after 512-48k --cut-prob 0.3 --down-fraction 0.33 --period 4)
	fi
	: >"$TMP/t/link$i.port"
	"$TOOLS/linkproxy" "${args[@]}" >"$TMP/t/link$i.port" 2>>"$TMP/t/link$i.err" &
	T_PROXY[$i]=$!
	at_exit "kill ${T_PROXY[$i]} 2>/dev/null"
	local end=$((SECONDS + 10))
	until [ -s "$TMP/t/link$i.port" ]; do
		[ "$SECONDS" -lt "$end" ] && t_alive "${T_PROXY[$i]}" || { echo "# cannot start linkproxy $i" >&2; cat "$TMP/t/link$i.err" >&2; return 1; }
		sleep 0.05
	done
	T_PORT[$i]=$(head -1 "$TMP/t/link$i.port")
}

torture_setup() {
	local i code
	RANDOM=$SEED
	echo "# seed $SEED (SEED=$SEED replays it)"
	need_pkg git git || skip_all "git is not installed and cannot be"
	need_pkg sqlite3 sqlite3 || skip_all "sqlite3 is not installed and cannot be"
	central-setup "$T_CENTRAL" >/dev/null || skip_all "central-setup failed"
	start_git_daemon "$TMP/srv" || skip_all "cannot start git daemon"
	T_PORT=() T_PROXY=() T_AGENT=()
	for i in $(seq 1 "$TORTURE_OFFICES"); do
		code=$(t_code "$i")
		t_proxy "$i" 1 || skip_all "cannot start linkproxy"
		sinkron --db "$(t_db "$i")" init "$code" >/dev/null 2>&1 || skip_all "cannot init $code"
		printf '%s\n' "central = git://127.0.0.1:${T_PORT[$i]}/central.git" "interval = $(t_frac 20 50)" \
			"backoff_first = 0.1" "backoff_cap = 2" "deadline = $(t_rand 3 5)" "push_limit = 16384" \
			"changeset_bytes = 4096" "log = $TMP/t/agent$i.log" >"$TMP/d$(printf %02d "$i").conf"
		chmod 600 "$TMP/d$(printf %02d "$i").conf"
		# the office's pool of new workers: generated rows as tab-separated fields (sqlite3 parses the CSV)
		gen-workers --district "$code" --count 2000 --seed $((SEED * 10 + i)) --out "$TMP/t/pool$i.csv" 2>/dev/null
		sqlite3 :memory: -cmd ".mode csv" -cmd ".import $TMP/t/pool$i.csv p" -cmd ".mode list" -cmd ".separator |" \
			"SELECT * FROM p" >"$TMP/t/pool$i.txt"
		: >"$TMP/t/done$i" ; echo 0 >"$TMP/t/kills$i"
	done
	echo "# ${TORTURE_OFFICES} offices, central git://127.0.0.1:$GIT_DAEMON_PORT/central.git, links 256 kbit/s, 600 ms RTT, cuts, down a third of the time"
}

# t_start_agent I: an agent for office I, a child of the calling shell; its pid in T_LAST_PID
t_start_agent() {
	sinkron --db "$(t_db "$1")" agent >>"$TMP/t/agent$1.out" 2>&1 &
	T_LAST_PID=$!
}

# t_pick DB SQL: one random line of the query's result ("" when none)
t_pick() {
	local rows
	mapfile -t rows < <(sqlite3 -cmd ".timeout 10000" "$1" "$2" 2>/dev/null)
	[ ${#rows[@]} -gt 0 ] && printf '%s' "${rows[RANDOM % ${#rows[@]}]}"
}

# t_editor I: random edits at office I until $TMP/t/stop exists; one line per edit in done<I>: "OP RC"
t_editor() {
	local i=$1 db code next=1 op rc w args line nik kk name bplace bdate sex addr kel phone occ wp income n
	db=$(t_db "$i")
	code=$(t_code "$i")
	RANDOM=$((SEED * 1000 + i))
	export SINKRON_OPERATOR="clerk$i"
	while [ ! -e "$TMP/t/stop" ]; do
		sleep "$(t_frac 10 60)"
		op=$((RANDOM % 100))
		rc=0
		if [ $op -lt 30 ]; then
			op=add
			line=$(sed -n "${next}p" "$TMP/t/pool$i.txt")
			next=$((next + 1))
			IFS='|' read -r nik kk name bplace bdate sex addr kel phone occ wp income <<<"$line"
			args=(worker add --nik "$nik" --name "$name" --birth-date "$bdate" --sex "$sex" --kelurahan "$kel")
			[ -n "$kk" ] && args+=(--kk "$kk")
			[ -n "$bplace" ] && args+=(--birth-place "$bplace")
			[ -n "$addr" ] && args+=(--address "$addr")
			[ -n "$phone" ] && args+=(--phone "$phone")
			[ -n "$occ" ] && args+=(--occupation "$occ")
			[ -n "$income" ] && args+=(--income "$income")
			sinkron --db "$db" "${args[@]}" >/dev/null 2>>"$TMP/t/errors$i" || rc=$?
		elif [ $op -lt 38 ]; then
			op=import
			n=$(t_rand 2 8)
			{ head -1 "$TMP/t/pool$i.csv"; sed -n "$((next + 1)),$((next + n))p" "$TMP/t/pool$i.csv"; } >"$TMP/t/chunk$i.csv"
			next=$((next + n))
			sinkron --db "$db" import "$TMP/t/chunk$i.csv" >/dev/null 2>>"$TMP/t/errors$i" || rc=$?
		elif [ $op -lt 58 ]; then
			op=edit
			w=$(t_pick "$db" "SELECT id FROM workers WHERE status = 'active'")
			[ -n "$w" ] || continue
			case $((RANDOM % 3)) in
			0) args=(--phone "08$(t_rand 11 13)$(t_rand 1000 9999)$(t_rand 1000 9999)") ;;
			1) args=(--address "Jl. Torture $(t_rand 1 999), RT $(t_rand 1 9)") ;;
			*) args=(--occupation "Nelayan" --income "$(t_rand 10 40)00000") ;;
			esac
			sinkron --db "$db" worker edit "$w" "${args[@]}" >/dev/null 2>>"$TMP/t/errors$i" || rc=$?
		elif [ $op -lt 64 ]; then
			op=end
			w=$(t_pick "$db" "SELECT id FROM workers WHERE status = 'active'")
			[ -n "$w" ] || continue
			sinkron --db "$db" worker end "$w" --reason pindah >/dev/null 2>>"$TMP/t/errors$i" || rc=$?
		elif [ $op -lt 72 ]; then
			op=heir
			w=$(t_pick "$db" "SELECT id FROM workers WHERE status = 'active'")
			[ -n "$w" ] || continue
			sinkron --db "$db" heir add "$w" --name "${T_NAMES[RANDOM % ${#T_NAMES[@]}]} ${T_NAMES[RANDOM % ${#T_NAMES[@]}]}" --relationship anak >/dev/null 2>>"$TMP/t/errors$i" || rc=$?
		elif [ $op -lt 78 ]; then
			op=enrol
			w=$(t_pick "$db" "SELECT id FROM workers WHERE status = 'active' AND id NOT IN (SELECT worker_id FROM enrolments)")
			[ -n "$w" ] || continue
			sinkron --db "$db" enrol "$w" --program JKK+JKM --funder "APBD Kota" >/dev/null 2>>"$TMP/t/errors$i" || rc=$?
		elif [ $op -lt 94 ]; then
			op=sql-update
			w=$(t_pick "$db" "SELECT id FROM workers")
			[ -n "$w" ] || continue
			sqlite3 -cmd ".timeout 10000" "$db" "UPDATE workers SET address = 'Jl. Shell $(t_rand 1 9999)', phone = '0813$(t_rand 1000 9999)$(t_rand 1000 9999)' WHERE id = '$w'" \
				2>>"$TMP/t/errors$i" || rc=$?
		else
			op=sql-delete
			w=$(t_pick "$db" "SELECT id FROM heirs")
			[ -n "$w" ] || continue
			sqlite3 -cmd ".timeout 10000" "$db" "DELETE FROM heirs WHERE id = '$w'" 2>>"$TMP/t/errors$i" || rc=$?
		fi
		echo "$op $rc" >>"$TMP/t/done$i"
	done
}

# t_chaos: keeps an agent running at every office and kills one with kill -9 every
# TORTURE_KILL_EVERY seconds on average, visiting the offices in a shuffled round; until stop exists
t_chaos() {
	local i pid order=() k next_kill now span
	local -a agent
	RANDOM=$((SEED * 7 + 3))
	span=$(awk -v k="$TORTURE_KILL_EVERY" 'BEGIN { printf "%d", k * 2000 }')
	next_kill=$(($(date +%s%3N) + RANDOM % span))
	while [ ! -e "$TMP/t/stop" ]; do
		for i in $(seq 1 "$TORTURE_OFFICES"); do
			if ! t_alive "${agent[$i]:-}"; then
				t_start_agent "$i"
				agent[$i]=$T_LAST_PID
				echo "${agent[$i]}" >"$TMP/t/agent$i.pid"
			fi
		done
		sleep 0.1
		# the next kill comes 0..2 x TORTURE_KILL_EVERY after the last
		now=$(date +%s%3N)
		[ "$now" -ge "$next_kill" ] || continue
		next_kill=$((now + (RANDOM * 32768 + RANDOM) % span))
		if [ ${#order[@]} -eq 0 ]; then
			k=""
			for i in $(seq 1 "$TORTURE_OFFICES"); do k+="$RANDOM $i"$'\n'; done
			order=($(printf "%s" "$k" | sort -n | cut -d" " -f2))
		fi
		i=${order[0]}
		order=("${order[@]:1}")
		pid=${agent[$i]:-}
		if t_alive "$pid"; then
			kill -9 "$pid" 2>/dev/null && echo $(($(cat "$TMP/t/kills$i") + 1)) >"$TMP/t/kills$i"
			wait "$pid" 2>/dev/null
			# the power comes back after a moment
			sleep "$(t_frac 0 60)"
		fi
	done
	for i in $(seq 1 "$TORTURE_OFFICES"); do
		t_alive "${agent[$i]:-}" && kill -9 "${agent[$i]}" 2>/dev/null && echo $(($(cat "$TMP/t/kills$i") + 1)) >"$TMP/t/kills$i"
	done
	wait
}

t_sum_kills() { cat "$TMP"/t/kills* | awk '{ s += $1 } END { print s + 0 }'; }
t_sum_edits() { cat "$TMP"/t/done* 2>/dev/null | awk '$2 == 0 { s++ } END { print s + 0 }'; }
t_central_commits() { git --git-dir="$T_CENTRAL" rev-list --all 2>/dev/null | wc -l; }

torture_run() {
	local seconds=$1 i start last pids=()
	rm -f "$TMP/t/stop"
	start=$SECONDS
	last=$SECONDS
	t_chaos 2>/dev/null &
	T_CHAOS=$!
	at_exit "touch $TMP/t/stop; kill $T_CHAOS 2>/dev/null"
	for i in $(seq 1 "$TORTURE_OFFICES"); do
		t_editor "$i" &
		pids+=($!)
	done
	while [ $((SECONDS - start)) -lt "$seconds" ]; do
		sleep 1
		if [ $((SECONDS - last)) -ge "$TORTURE_PROGRESS" ]; then
			last=$SECONDS
			echo "# $((SECONDS - start))s: $(t_sum_edits) edits committed, $(t_sum_kills) agents killed, $(t_central_commits) change-sets at the central"
		fi
	done
	touch "$TMP/t/stop"
	wait "${pids[@]}" "$T_CHAOS"
	echo "# edits stopped after $((SECONDS - start))s: $(t_sum_edits) committed, $(t_sum_kills) agents killed (kill -9), $(t_central_commits) change-sets at the central"
}

torture_heal() {
	local i start end idle
	start=$SECONDS
	for i in $(seq 1 "$TORTURE_OFFICES"); do
		kill "${T_PROXY[$i]}" 2>/dev/null
		wait "${T_PROXY[$i]}" 2>/dev/null
		t_proxy "$i" 0 || return 1
	done
	# transfer processes of killed agents hold the lock until their deadline: wait for them
	for i in $(seq 1 "$TORTURE_OFFICES"); do
		T_AGENT[$i]=""
		for _ in $(seq 1 100); do
			t_start_agent "$i"
			T_AGENT[$i]=$T_LAST_PID
			sleep 0.2
			t_alive "${T_AGENT[$i]}" && break
			T_AGENT[$i]=""
		done
	done
	check "a fresh agent runs at every office after the chaos" '[ "$(for i in $(seq 1 $TORTURE_OFFICES); do t_alive "${T_AGENT[$i]}" && echo x; done | wc -l)" = "$TORTURE_OFFICES" ]'
	end=$((SECONDS + TORTURE_HEAL_TIMEOUT))
	while :; do
		idle=0
		for i in $(seq 1 "$TORTURE_OFFICES"); do
			t_idle "$i" && [ "$(t_tip "$T_CENTRAL" "$(t_code "$i")")" = "$(t_tip "$(t_db "$i" | sed 's/\.db$/.git/')" "$(t_code "$i")")" ] && idle=$((idle + 1))
		done
		[ "$idle" = "$TORTURE_OFFICES" ] && break
		[ "$SECONDS" -lt "$end" ] || break
		sleep 1
	done
	T_HEAL_SECS=$((SECONDS - start))
	echo "# links healed: $idle of $TORTURE_OFFICES offices have sent everything after ${T_HEAL_SECS}s"
	check "after the links heal every office has sent everything (status --json) within ${TORTURE_HEAL_TIMEOUT}s" '[ "$idle" = "$TORTURE_OFFICES" ]'
	for i in $(seq 1 "$TORTURE_OFFICES"); do
		t_alive "${T_AGENT[$i]}" || continue
		kill -TERM "${T_AGENT[$i]}"
	done
	local bad=0
	for i in $(seq 1 "$TORTURE_OFFICES"); do
		wait "${T_AGENT[$i]}" || bad=$((bad + 1))
		tail -1 "$TMP/t/agent$i.log" | grep -q "agent stopped" || bad=$((bad + 1))
	done
	check "every agent stops on SIGTERM with exit 0 and logs it" '[ $bad = 0 ]'
}

torture_verify() {
	local i code db fresh one sealed n dups kept rec last own total_kills=0 min_kills=999999 k
	local fresh_db="$TMP/fresh.db"
	check_cmd "the central repository is sound (git fsck --strict)" git --git-dir="$T_CENTRAL" fsck --strict
	sinkron --db "$fresh_db" init --city "$CITY" >/dev/null 2>&1
	check_cmd "a fresh city database applies every branch of the central repository" \
		sinkron --db "$fresh_db" apply --from "$T_CENTRAL"
	for i in $(seq 1 "$TORTURE_OFFICES"); do
		code=$(t_code "$i")
		db=$(t_db "$i")
		k=$(cat "$TMP/t/kills$i")
		total_kills=$((total_kills + k))
		[ "$k" -lt "$min_kills" ] && min_kills=$k
		sealed=$(sqlite3 "$db" "SELECT coalesce(max(number), 0) FROM sk_changesets WHERE local = 1")
		n=$(git --git-dir="$T_CENTRAL" rev-list --count "refs/heads/district/$code" 2>/dev/null || echo 0)
		dups=$(git --git-dir="$T_CENTRAL" log --format=%s "refs/heads/district/$code" 2>/dev/null | grep -o "#[0-9]*" | sort | uniq -d | wc -l)
		echo "# $code: $(awk '$2 == 0' "$TMP/t/done$i" | wc -l) edits committed ($(awk '$2 != 0' "$TMP/t/done$i" | wc -l) refused), killed $k times, $sealed change-sets"
		check "$code: the central branch holds each of its $sealed change-sets once" '[ "$n" = "$sealed" ] && [ "$dups" = 0 ] && [ "$sealed" -gt 0 ]'
		check "$code: the central's rows of $code are exactly the office's own (fresh city database)" \
			'[ "$(t_dump "$fresh_db" "$code")" = "$(t_dump "$db" "$code")" ] && [ -n "$(t_dump "$db" "$code")" ]'
		check "$code: rows the office holds belong to it" '[ "$(sqlite3 "$db" "SELECT count(*) FROM workers WHERE owner IS NOT '"'$code'"'")" = 0 ]'
		check_cmd "$code: sinkron verify (the kept digest is the rows')" sinkron --db "$db" verify
		# the digest the office recorded in its last change-set against a database built from its branch alone
		one="$TMP/t/only$i.db"
		sinkron --db "$one" init --city "$CITY" >/dev/null 2>&1
		sinkron --db "$one" apply --from "$T_CENTRAL" "$code" >/dev/null 2>&1
		rec=$(sqlite3 "$db" "SELECT digest FROM sk_changesets WHERE local = 1 ORDER BY number DESC LIMIT 1")
		kept=$(sinkron --db "$one" verify 2>/dev/null | awk '/^digest kept/ { print $3 }')
		own=$(sinkron --db "$db" verify 2>/dev/null | awk '/^digest kept/ { print $3 }')
		check "$code: the digest recorded in its last change-set = the office's digest = a database built from its branch alone" \
			'[ -n "$rec" ] && [ "$rec" = "$own" ] && [ "$rec" = "$kept" ]'
		[ "$rec" = "$kept" ] || echo "#   recorded ${rec:0:16}, office ${own:0:16}, branch alone ${kept:0:16}"
		check "$code: PRAGMA integrity_check" '[ "$(sqlite3 "$db" "PRAGMA integrity_check")" = ok ] && [ "$(sqlite3 "$one" "PRAGMA integrity_check")" = ok ]'
		check "$code: no edit failed on a locked or damaged database" '! grep -qi "locked\|malformed\|corrupt\|disk i/o" "$TMP/t/errors$i" 2>/dev/null'
	done
	check_cmd "the fresh city database verifies" sinkron --db "$fresh_db" verify
	check "PRAGMA integrity_check: the fresh city database" '[ "$(sqlite3 "$fresh_db" "PRAGMA integrity_check")" = ok ]'
	echo "# agents killed with kill -9: $total_kills in all, at least $min_kills per office"
	T_MIN_KILLS=$min_kills
}

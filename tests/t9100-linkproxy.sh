#!/bin/bash
# t9100-linkproxy: the fault-injecting link proxy shapes rate and latency, cuts, resets and black-holes
# connections as configured, replays from a seed, goes down and up on signals and a schedule, and
# counts the bytes it forwards. Drives build/tools/linkproxy with build/tools/netprobe at both ends.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CFLAGS="-std=c11 -O2 -Wall -Wextra -Wstrict-prototypes -Wmissing-prototypes -Wvla -Wwrite-strings -fno-common -D_GNU_SOURCE"

# build_tool NAME: compile tests/tools/NAME.c into $TOOLS when missing or older than its source
build_tool() {
	local src="$TOP/tests/tools/$1.c" bin="$TOOLS/$1"
	[ -x "$bin" ] && [ "$bin" -nt "$src" ] && return 0
	mkdir -p "$TOOLS" || return 1
	cc $CFLAGS -o "$bin.tmp.$$" "$src" -lpthread -lm && mv -f "$bin.tmp.$$" "$bin"
}
build_tool linkproxy || skip_all "cannot build linkproxy"
build_tool netprobe || skip_all "cannot build netprobe"
LP="$TOOLS/linkproxy"
NP="$TOOLS/netprobe"

# start NAME CMD...: run CMD in the background (stdout NAME.out, stderr NAME.err); once it has printed
# its port, sets NAME_PORT and NAME_PID
start() {
	local name=$1 pid i
	shift
	: >"$name.out" # emptied before it starts: never an earlier port
	"$@" >"$name.out" 2>"$name.err" &
	pid=$!
	at_exit "kill $pid"
	for i in $(seq 1 100); do
		if [ -s "$name.out" ]; then
			printf -v "${name}_PORT" '%s' "$(head -1 "$name.out")"
			printf -v "${name}_PID" '%s' "$pid"
			return 0
		fi
		sleep 0.05
	done
	echo "# $name did not start: $(cat "$name.err")"
	return 1
}

# stop NAME: SIGTERM, then wait for it to exit
stop() {
	local pid_var="${1}_PID"
	kill -TERM "${!pid_var}" 2>/dev/null
	wait "${!pid_var}" 2>/dev/null
}

# kv KEY FILE: the value of KEY=VALUE on the first line of FILE that has it
# wait_for SECONDS CONDITION: poll CONDITION (eval) until it holds, at most SECONDS
wait_for() { local end=$((SECONDS + $1)); shift; until eval "$@"; do [ "$SECONDS" -lt "$end" ] || return 1; sleep 0.05; done; }
kv() { tr ' ' '\n' <"$2" | sed -n "s/^$1=//p" | head -1; }

# replayable LOG: a proxy log without what differs between two runs (times, ports, and how the events
# of consecutive connections interleave), each connection's events kept in their order
replayable() {
	sed -e 's/^[0-9.]* //' -e 's/ from=[^ ]*//' -e 's/ secs=[^ ]*//' -e '/^seed /d' "$1" | sort -s -k1,1
}

# ---- usage ----
check_cmd "--help prints the options" sh -c "'$LP' --help | grep -q -- '--blackhole-prob'"
check_exit "no --target is bad usage" 2 "$LP"
check_exit "a bad --rate is bad usage" 2 "$LP" --target 127.0.0.1:1 --rate fast
check_exit "a reversed --cut-after range is bad usage" 2 "$LP" --target 127.0.0.1:1 --cut-after 9000-3000
check_exit "a probability above 1 is bad usage" 2 "$LP" --target 127.0.0.1:1 --reset-prob 1.5
check_exit "a bad --schedule is bad usage" 2 "$LP" --target 127.0.0.1:1 --schedule up=5
check_exit "an unknown option is bad usage" 2 "$LP" --target 127.0.0.1:1 --bogus 1
check_exit "a --target without a port is bad usage" 2 "$LP" --target localhost
"$LP" --target 127.0.0.1:1 --nope 2>usage.err
check "a usage error says what is wrong" "grep -q \"unknown option '--nope'\" usage.err"

# ---- servers behind the proxy ----
SIZE=200000
start src "$NP" serve --source $SIZE || skip_all "netprobe source server does not start"
start echo "$NP" serve --echo || skip_all "netprobe echo server does not start"

# ---- rate ----
start rate "$LP" --target 127.0.0.1:$src_PORT --rate 256k --stats rate.stats --log rate.log
check "the seed is printed on stderr" "grep -Eq '^linkproxy: seed [0-9]+$' rate.err"
"$NP" recv 127.0.0.1:$rate_PORT --expect $SIZE >rate.res
check "all bytes pass a 256k link" "grep -q 'result=ok' rate.res"
bps=$(kv bps rate.res)
echo "# 256k link: $(cat rate.res)"
check "throughput is 256 kbit/s within 25 % (got $bps)" "[ ${bps:-0} -ge 192000 ] && [ ${bps:-0} -le 320000 ]"
stop rate
check "--stats counts the bytes down" "grep -qx 'bytes_down $SIZE' rate.stats && grep -qx 'bytes_up 0' rate.stats"
check "the summary counts the bytes down" "grep -q 'summary .* bytes_down=$SIZE' rate.log"

# ---- latency ----
start slow "$LP" --target 127.0.0.1:$echo_PORT --delay 300
"$NP" ping 127.0.0.1:$slow_PORT --count 3 >slow.res
echo "# 300 ms each way: $(cat slow.res)"
rtt=$(kv rtt_min_ms slow.res)
check "--delay 300 gives a round trip of at least 600 ms (got $rtt)" \
	"grep -q 'result=ok' slow.res && awk 'BEGIN { exit !($rtt >= 600 && $rtt < 1000) }'"
stop slow
start jit "$LP" --target 127.0.0.1:$src_PORT --delay 20 --jitter 40 --rate 2M
check_cmd "jitter keeps byte order" "$NP" recv 127.0.0.1:$jit_PORT --expect $SIZE
stop jit

# ---- cut ----
start cut "$LP" --target 127.0.0.1:$src_PORT --cut-after 20000-60000 --seed 42 --log cut.log
"$NP" recv 127.0.0.1:$cut_PORT --expect $SIZE >cut.res
got=$(kv received cut.res)
echo "# cut: $(cat cut.res)"
check "a cut connection delivers fewer bytes than sent" "[ ${got:-0} -lt $SIZE ] && grep -q result=short cut.res"
check "the cut falls within the range (got $got)" "[ ${got:-0} -ge 20000 ] && [ ${got:-0} -le 60000 ]"
check "the log names the cut offset the client saw" "grep -q '#1 cut at=$got ' cut.log"
stop cut

# ---- replay from a seed ----
for run in a b c; do
	seed=7; [ $run = c ] && seed=8
	start replay_$run "$LP" --target 127.0.0.1:$src_PORT --seed $seed --cut-after 1000-150000 --cut-prob 0.6 \
		--log replay_$run.log
	port_var=replay_${run}_PORT
	for i in 1 2 3 4 5 6; do "$NP" recv 127.0.0.1:${!port_var} >/dev/null; done
	stop replay_$run
	replayable replay_$run.log >replay_$run.events
done
check "a seed plans some cuts" "grep -q ' cut at=' replay_a.events"
check "the same seed replays the same cut offsets" "cmp -s replay_a.events replay_b.events"
check "another seed cuts elsewhere" "! cmp -s replay_a.events replay_c.events"

# ---- reset ----
start rst "$LP" --target 127.0.0.1:$src_PORT --reset-prob 1 --fault-after 1000-5000 --log rst.log
"$NP" recv 127.0.0.1:$rst_PORT >rst.res
echo "# reset: $(cat rst.res)"
check "--reset-prob 1 ends the connection with a reset" "grep -q result=reset rst.res"
check "the reset comes within the fault range" "[ $(kv received rst.res) -le 5000 ] && grep -q '#1 close how=reset' rst.log"
stop rst

# ---- black hole ----
start hole "$LP" --target 127.0.0.1:$src_PORT --blackhole-prob 1 --fault-after 1000-5000 --log hole.log
"$NP" recv 127.0.0.1:$hole_PORT --timeout 2 >hole.res
got=$(kv received hole.res)
echo "# black hole: $(cat hole.res)"
check "a black-holed connection stays open and silent until the client gives up" "grep -q result=timeout hole.res"
check "it went silent within the fault range (got $got)" "[ ${got:-0} -ge 1000 ] && [ ${got:-0} -le 5000 ]"
wait_for 10 "grep -q '#1 close how=blackhole' hole.log"
check "the proxy closes it when the client leaves" "grep -q '#1 blackhole at=$got' hole.log && grep -q '#1 close how=blackhole' hole.log"
stop hole

# ---- down and up on signals ----
start sig "$LP" --target 127.0.0.1:$echo_PORT --rate 64k --log sig.log
"$NP" send 127.0.0.1:$sig_PORT 400000 >long.res &
long_pid=$!
check_cmd "a connection works while the link is up" "$NP" ping 127.0.0.1:$sig_PORT --count 1 --timeout 5
# the long transfer is under way (its connection open at the proxy) before the link goes down
wait_for 10 "grep -q '#2 open' sig.log"
kill -USR1 $sig_PID
wait_for 10 "grep -q 'link down reason=signal' sig.log"
check_exit "SIGUSR1: a new connection fails" 1 "$NP" ping 127.0.0.1:$sig_PORT --count 1 --timeout 5
wait $long_pid
check "SIGUSR1: an open connection is cut" "[ $(kv received long.res) -lt 400000 ] && grep -q 'close how=down' sig.log"
kill -USR2 $sig_PID
wait_for 10 "grep -q 'link up reason=signal' sig.log"
check_cmd "SIGUSR2: connections work again" "$NP" ping 127.0.0.1:$sig_PORT --count 1 --timeout 5
stop sig
check "the log records both switches" "grep -q 'link down reason=signal' sig.log && grep -q 'link up reason=signal' sig.log"
check "the log records the refused connection" "grep -q 'refused .*reason=down' sig.log"

# ---- schedules ----
start sched "$LP" --target 127.0.0.1:$echo_PORT --schedule up=0.4,down=0.4 --log sched.log
start rnd "$LP" --target 127.0.0.1:$echo_PORT --down-fraction 0.5 --period 0.5 --seed 3 --log rnd.log
# until each has gone down (and the schedule up again), however slow the machine
wait_for 30 "grep -q 'link up reason=schedule' sched.log && grep -q 'link down reason=schedule' rnd.log"
stop sched
stop rnd
check "--schedule takes the link down and up again" \
	"[ \$(grep -c 'link down reason=schedule' sched.log) -ge 1 ] && grep -q 'link up reason=schedule' sched.log"
check "--down-fraction takes the link down" "grep -q 'link down reason=schedule' rnd.log"

# ---- byte counts ----
start count "$LP" --target 127.0.0.1:$echo_PORT --stats count.stats --log count.log
"$NP" send 127.0.0.1:$count_PORT 30000 >count1.res
"$NP" send 127.0.0.1:$count_PORT 12345 >count2.res
check "the echo answered both" "grep -q 'received=30000 .*result=ok' count1.res && grep -q 'received=12345 .*result=ok' count2.res"
for i in $(seq 1 20); do grep -q 'connections 2' count.stats && break; sleep 0.05; done
check "--stats is rewritten when a connection closes" "grep -qx 'connections 2' count.stats"
stop count
check "--stats byte counts match the transfers" \
	"[ \"\$(cat count.stats)\" = \"\$(printf 'connections 2\nbytes_up 42345\nbytes_down 42345')\" ]"
check "the close lines carry the bytes each way" "grep -q '#1 close how=eof up=30000 down=30000' count.log"

# ---- many connections at once ----
start many "$LP" --target 127.0.0.1:$src_PORT --delay 200 --log many.log
t0=$(date +%s%N)
pids=()
for i in $(seq 1 64); do
	"$NP" recv 127.0.0.1:$many_PORT --expect $SIZE --timeout 10 >many.$i.res &
	pids+=($!)
done
wait "${pids[@]}"
elapsed=$((($(date +%s%N) - t0) / 1000000))
check "64 connections at once all complete" "[ \$(cat many.*.res | grep -c 'received=$SIZE .*result=ok') -eq 64 ]"
check "they ran side by side (${elapsed} ms)" "[ $elapsed -lt 8000 ]"
stop many

finish

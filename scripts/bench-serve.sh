# scripts/bench-serve.sh, sourced by scripts/bench-web and scripts/bench-city-web:
#   bench_serve DB   starts `sinkron --db DB serve` on a free loopback port in the background and
#                    waits until /login answers; sets port, url and pid, or exits with the log.
# A port chosen at random may be taken by another program before the server binds it: the server
# says so and is started again on another, at most five times.
bench_serve() {
	local db=$1 tries
	for tries in 1 2 3 4 5; do
		port=$((20000 + RANDOM % 30000))
		url=http://127.0.0.1:$port
		"$S" --db "$db" serve --listen "127.0.0.1:$port" 2>serve.log &
		pid=$!
		for _ in $(seq 1 400); do
			kill -0 "$pid" 2>/dev/null || break
			[ "$(curl -s -o /dev/null -w '%{http_code}' "$url/login" || true)" = 200 ] && return 0
			sleep 0.05
		done
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		pid=
		grep -q "Address already in use" serve.log || break
	done
	echo "the server did not start:" >&2
	cat serve.log >&2
	exit 1
}

# tests/web/webhelp.sh: for the web tests, sourced after tests/lib.sh.
#   web_serve NAME ARGS...   starts `sinkron ARGS...` (serve, or an agent with serve =) in the
#                            background, waits until it answers /login, exports WEB_URL; stopped at exit
#   web_login JAR USER PASS  logs in with curl, keeping the cookie in JAR; prints the HTTP status
#   web_csrf JAR             the CSRF token of JAR's session (from the Beranda's forms)
#   web_get JAR PATH         the page's body;  web_status JAR PATH  its HTTP status

# web_serve NAME BASE ARGS...: starts sinkron ARGS in the background and waits until BASE/login
# answers; sets WEB_URL, WEB_PORT and NAME_PID.  free_port only finds a port nobody listens on
# yet, so another program may take it first: when the server says its address is in use, it is
# started again on a fresh port (BASE and ARGS with ":PORT" changed), at most five times.
web_serve() {
	local name=$1 base=$2 pid tries port new a; shift 2
	local args=("$@")
	for tries in 1 2 3 4 5; do
		"$SINKRON" "${args[@]}" >"$name.log" 2>&1 &
		pid=$!
		if _web_wait "$name" "$base" "$pid"; then
			at_exit "kill $pid; wait $pid"
			WEB_URL=$base
			WEB_PORT=${base##*:}
			export WEB_URL WEB_PORT
			eval "${name}_PID=$pid"
			return 0
		fi
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		grep -q "Address already in use" "$name.log" || break
		port=${base##*:}
		new=$(free_port) || break
		echo "# $name: port $port was taken by another program; again on $new"
		base=${base%:*}:$new
		for a in "${!args[@]}"; do args[a]=${args[a]//:$port/:$new}; done
	done
	echo "# $name did not start:"
	sed 's/^/#   /' "$name.log"
	return 1
}

# _web_wait NAME BASE PID: BASE/login answers 200 (0), or PID died or 400 polls (at least 20 s)
# went by (1)
_web_wait() {
	local i
	for ((i = 0; i < 400; i++)); do
		kill -0 "$3" 2>/dev/null || return 1
		[ "$(curl -sk -o /dev/null -w '%{http_code}' --max-time 2 "$2/login")" = 200 ] && return 0
		sleep 0.05
	done
	return 1
}

web_login() {
	curl -sk -c "$1" -b "$1" -o /dev/null -w '%{http_code}' --data-urlencode "name=$2" --data-urlencode "password=$3" "$WEB_URL/login"
}

web_csrf() {
	curl -sk -b "$1" "$WEB_URL/" | grep -o 'name="csrf" value="[0-9a-f]*"' | head -n 1 | sed 's/.*value="//; s/"$//'
}

web_get() { curl -sk -b "$1" "$WEB_URL$2"; }
web_status() { curl -sk -b "$1" -o /dev/null -w '%{http_code}' "$WEB_URL$2"; }

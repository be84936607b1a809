# tests/web/webhelp.sh: for the web tests, sourced after tests/lib.sh.
#   web_serve NAME ARGS...   starts `sinkron ARGS...` (serve, or an agent with serve =) in the
#                            background, waits until it answers /login, exports WEB_URL; stopped at exit
#   web_login JAR USER PASS  logs in with curl, keeping the cookie in JAR; prints the HTTP status
#   web_csrf JAR             the CSRF token of JAR's session (from the Beranda's forms)
#   web_get JAR PATH         the page's body;  web_status JAR PATH  its HTTP status

# web_serve NAME URL-BASE ARGS...: the server answers on URL-BASE (http://127.0.0.1:PORT)
web_serve() {
	local name=$1 base=$2 pid deadline=$((SECONDS + 20)); shift 2
	"$SINKRON" "$@" >"$name.log" 2>&1 &
	pid=$!
	at_exit "kill $pid; wait $pid"
	while [ "$SECONDS" -lt "$deadline" ]; do
		kill -0 "$pid" 2>/dev/null || { echo "# $name died:"; sed 's/^/#   /' "$name.log"; return 1; }
		if [ "$(curl -sk -o /dev/null -w '%{http_code}' --max-time 2 "$base/login")" = 200 ]; then
			WEB_URL=$base
			export WEB_URL
			eval "${name}_PID=$pid"
			return 0
		fi
		sleep 0.05
	done
	echo "# $name did not answer on $base"
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

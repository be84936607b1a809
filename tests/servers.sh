# tests/servers.sh: real git servers on loopback for the end-to-end tests; source it after tests/lib.sh.
#   start_git_daemon BASEDIR   git daemon, anonymous, receive-pack on     exports GIT_DAEMON_PORT
#   start_http BASEDIR         lighttpd + git http-backend at /git/<repo>   exports HTTP_PORT
#   start_https BASEDIR        the same over TLS, self-signed CA            exports HTTPS_PORT, HTTPS_CA
#   http_add_user NAME PASSWORD   a basic-auth login for both (before or after the start)
#   login DB USER PASSWORD     the office database DB's configuration with that login (mode 600)
#   start_sshd                 sshd, key logins only, as the current user   exports SSH_PORT, SSH_USER,
#                              SSH_KEYS (the key directory), SSH_KNOWN_HOSTS_LINE (its host key)
#   ssh_add_key NAME OFFICE    a key pair $SSH_KEYS/NAME(.pub) whose forced command names OFFICE, the
#                              way scripts/README.md sets up districts and the city on a central server
# Every server runs as the current user in $TMP, is stopped at exit (at_exit) and also when the test
# shell dies without running its exit trap. A start function returns non-zero and prints the server's
# log when the server does not come up within SERVER_START_TIMEOUT seconds (default 15).

: "${TMP:?source tests/lib.sh before tests/servers.sh}"
SERVER_START_TIMEOUT=${SERVER_START_TIMEOUT:-15}
_SRV_DIR="$TMP/servers"
_SRV_USERS="$_SRV_DIR/users"
mkdir -p "$_SRV_DIR"
: >>"$_SRV_USERS"

# _srv_listening PORT: something accepts TCP connections on 127.0.0.1:PORT
_srv_listening() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# _srv_wait PID PORT LOG MARKER: wait until PID has written MARKER to LOG (it says it is up, so the
# port is its own and not another process's) and PORT accepts connections; fails when PID dies or
# the deadline passes
_srv_wait() {
	local pid=$1 port=$2 log=$3 marker=$4 deadline=$((SECONDS + SERVER_START_TIMEOUT))
	while [ "$SECONDS" -lt "$deadline" ]; do
		kill -0 "$pid" 2>/dev/null || return 1
		if grep -q "$marker" "$log" 2>/dev/null && _srv_listening "$port"; then
			kill -0 "$pid" 2>/dev/null
			return
		fi
		sleep 0.05
	done
	echo "# no answer on 127.0.0.1:$port within ${SERVER_START_TIMEOUT}s" >>"$log"
	return 1
}

# _srv_stop PID: TERM, then KILL if it lingers
_srv_stop() {
	local pid=$1
	kill "$pid" 2>/dev/null || return 0
	for _ in $(seq 1 40); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.05
	done
	kill -9 "$pid" 2>/dev/null
	return 0
}

# _srv_watchdog PID: stop PID when this test shell is gone, even if its exit trap never ran
_srv_watchdog() {
	local server=$1 shell=$$
	(
		trap '' HUP
		while kill -0 "$shell" 2>/dev/null && kill -0 "$server" 2>/dev/null; do sleep 1; done
		kill "$server" 2>/dev/null
	) </dev/null >/dev/null 2>&1 &
	at_exit "kill $! 2>/dev/null"
}

# _srv_failed WHAT LOG...: say why a server did not start, with the tail of its logs
_srv_failed() {
	local what=$1 f
	shift
	echo "# cannot start $what" >&2
	for f in "$@"; do
		[ -s "$f" ] || continue
		echo "# --- $f" >&2
		tail -n 30 "$f" | sed 's/^/#   /' >&2
	done
	return 1
}

# _srv_need_file FILE PACKAGE: install PACKAGE through apt-get when FILE is missing (a module, not a program)
_srv_need_file() {
	[ -e "$1" ] && return 0
	echo "# installing $2 for $1" >&2
	local sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	$sudo apt-get install -y -q "$2" >/dev/null 2>&1 ||
		{ $sudo apt-get update -q >/dev/null 2>&1 && $sudo apt-get install -y -q "$2" >/dev/null 2>&1; }
	[ -e "$1" ]
}

# start_git_daemon BASEDIR: serve every repository under BASEDIR at git://127.0.0.1:$GIT_DAEMON_PORT/<repo>
start_git_daemon() {
	local base port pid log
	base=$(cd "${1:?start_git_daemon BASEDIR}" && pwd) || return 1
	need_pkg git git || { echo "# cannot install git" >&2; return 1; }
	# the daemon itself, not the `git` wrapper, so that the pid is the one to stop
	local daemon
	daemon=$(git --exec-path)/git-daemon
	[ -x "$daemon" ] || { echo "# $daemon is missing" >&2; return 1; }
	for _ in 1 2 3; do
		port=$(free_port) || return 1
		log="$_SRV_DIR/git-daemon-$port.log"
		"$daemon" --export-all --enable=receive-pack --reuseaddr --informative-errors --verbose \
			--listen=127.0.0.1 --port="$port" --base-path="$base" "$base" </dev/null >"$log" 2>&1 &
		pid=$!
		if _srv_wait "$pid" "$port" "$log" "Ready to rumble"; then
			at_exit "_srv_stop $pid"
			_srv_watchdog "$pid"
			export GIT_DAEMON_PORT=$port
			return 0
		fi
		_srv_stop "$pid"
		grep -qi 'in use' "$log" 2>/dev/null || break # only a lost port race is worth another try
	done
	_srv_failed "git daemon on 127.0.0.1:$port" "$log"
}

# login DB USER PASSWORD: the configuration file of office database DB (DB.conf for DB.db), mode
# 600, with the office's login on those servers
login() {
	printf 'username = %s\npassword = %s\ndeadline = 30\n' "$2" "$3" >"${1%.db}.conf"
	chmod 600 "${1%.db}.conf"
}

# http_add_user NAME PASSWORD: a basic-auth login for start_http and start_https (read per request)
http_add_user() {
	local name=${1:?http_add_user NAME PASSWORD} pass=${2?http_add_user NAME PASSWORD}
	case $name in *:*) echo "# http_add_user: no ':' in a login name" >&2; return 1 ;; esac
	case $name$pass in *$'\n'*) echo "# http_add_user: no newline in a login" >&2; return 1 ;; esac
	# a second call for NAME replaces its password; the file is swapped in one step
	{ awk -F: -v n="$name" '$1 != n' "$_SRV_USERS"; printf '%s:%s\n' "$name" "$pass"; } >"$_SRV_USERS.new" &&
		mv -f "$_SRV_USERS.new" "$_SRV_USERS"
}

# _srv_lighttpd_conf DIR BASE PORT TLS: lighttpd.conf for git http-backend under /git/, auth everywhere
_srv_lighttpd_conf() {
	local dir=$1 base=$2 port=$3 tls=$4 backend
	backend=$(git --exec-path)/git-http-backend
	mkdir -p "$dir/htdocs"
	cat <<EOF
server.modules = ("mod_auth", "mod_authn_file", "mod_alias", "mod_setenv", "mod_cgi"$([ "$tls" = 1 ] && echo ', "mod_openssl"'))
server.document-root = "$dir/htdocs"
server.bind = "127.0.0.1"
server.port = $port
server.errorlog = "$dir/error.log"
auth.backend = "plain"
auth.backend.plain.userfile = "$_SRV_USERS"
auth.require = ("/" => ("method" => "basic", "realm" => "sinkron", "require" => "valid-user"))
alias.url = ("/git/" => "$backend/")
\$HTTP["url"] =~ "^/git/" {
	cgi.assign = ("" => "")
	setenv.set-environment = (
		"GIT_PROJECT_ROOT" => "$base",
		"GIT_HTTP_EXPORT_ALL" => "1",
		"PATH" => "${PATH}",
		"HOME" => "$dir"
	)
}
EOF
	if [ "$tls" = 1 ]; then
		cat <<EOF
ssl.engine = "enable"
ssl.pemfile = "$dir/server.crt"
ssl.privkey = "$dir/server.key"
EOF
	fi
	# as root lighttpd would keep root; an ordinary user cannot switch users, so name none
}

# _srv_make_certs DIR: a fresh CA (DIR/ca.crt) and a server certificate for 127.0.0.1 signed by it
_srv_make_certs() {
	local dir=$1
	need_pkg openssl openssl || { echo "# cannot install openssl" >&2; return 1; }
	(
		cd "$dir" || exit 1
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
			-subj "/CN=sinkron test CA" -keyout ca.key -out ca.crt \
			-addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" &&
			openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
				-subj "/CN=127.0.0.1" -keyout server.key -out server.csr &&
			printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature" \
				"extendedKeyUsage=serverAuth" "subjectAltName=IP:127.0.0.1,DNS:localhost" >server.ext &&
			openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
				-extfile server.ext -out server.crt
	) >"$dir/openssl.log" 2>&1 || { _srv_failed "openssl (test certificates)" "$dir/openssl.log"; return 1; }
}

# _srv_start_lighttpd NAME BASEDIR TLS: prints the port it listens on
_srv_start_lighttpd() {
	local name=$1 base=$2 tls=$3 dir port pid
	local lighttpd=/usr/sbin/lighttpd
	need_pkg "$lighttpd" lighttpd || { echo "# cannot install lighttpd" >&2; return 1; }
	[ -x "$(git --exec-path)/git-http-backend" ] || { echo "# git http-backend is missing" >&2; return 1; }
	dir="$_SRV_DIR/$name"
	mkdir -p "$dir"
	if [ "$tls" = 1 ]; then
		_srv_need_file /usr/lib/lighttpd/mod_openssl.so lighttpd-mod-openssl ||
			{ echo "# cannot install lighttpd-mod-openssl" >&2; return 1; }
		_srv_make_certs "$dir" || return 1
	fi
	for _ in 1 2 3; do
		port=$(free_port) || return 1
		_srv_lighttpd_conf "$dir" "$base" "$port" "$tls" >"$dir/lighttpd.conf"
		: >"$dir/error.log"
		if ! "$lighttpd" -tt -f "$dir/lighttpd.conf" >"$dir/check.log" 2>&1; then
			_srv_failed "$name (bad lighttpd configuration)" "$dir/check.log" "$dir/error.log" "$dir/lighttpd.conf"
			return 1
		fi
		"$lighttpd" -D -f "$dir/lighttpd.conf" </dev/null >"$dir/stderr.log" 2>&1 &
		pid=$!
		if _srv_wait "$pid" "$port" "$dir/error.log" "server started"; then
			at_exit "_srv_stop $pid"
			_srv_watchdog "$pid"
			echo "$port"
			return 0
		fi
		_srv_stop "$pid"
		grep -qi 'in use' "$dir/error.log" "$dir/stderr.log" 2>/dev/null || break
	done
	_srv_failed "$name (lighttpd on 127.0.0.1:$port)" "$dir/stderr.log" "$dir/error.log"
}

# start_http BASEDIR: git http-backend for the repositories under BASEDIR at
# http://127.0.0.1:$HTTP_PORT/git/<repo>, basic auth (http_add_user) required for everything
start_http() {
	local base port
	base=$(cd "${1:?start_http BASEDIR}" && pwd) || return 1
	# not in $(...): the server and its watchdog must stay children of this shell
	_srv_start_lighttpd http "$base" 0 >"$_SRV_DIR/http.port" || return 1
	port=$(cat "$_SRV_DIR/http.port")
	export HTTP_PORT=$port
}

# start_https BASEDIR: as start_http over TLS at https://127.0.0.1:$HTTPS_PORT/git/<repo>;
# HTTPS_CA is the CA certificate a client trusts (GIT_SSL_CAINFO, curl --cacert)
start_https() {
	local base port
	base=$(cd "${1:?start_https BASEDIR}" && pwd) || return 1
	_srv_start_lighttpd https "$base" 1 >"$_SRV_DIR/https.port" || return 1
	port=$(cat "$_SRV_DIR/https.port")
	export HTTPS_PORT=$port
	export HTTPS_CA="$_SRV_DIR/https/ca.crt"
}

# ssh_add_key NAME OFFICE: a key pair $SSH_KEYS/NAME, NAME.pub, accepted by start_sshd with the
# forced command of scripts/README.md: git-shell, with SINKRON_DISTRICT naming OFFICE for the hook
ssh_add_key() {
	local name=$1 office=$2
	SSH_KEYS=$_SRV_DIR/ssh
	export SSH_KEYS
	mkdir -p "$SSH_KEYS" && chmod 700 "$SSH_KEYS" || return 1
	ssh-keygen -q -t ed25519 -N "" -C "$name" -f "$SSH_KEYS/$name" || return 1
	printf 'restrict,command="SINKRON_DISTRICT=%s git-shell -c \\"$SSH_ORIGINAL_COMMAND\\"" %s\n' \
		"$office" "$(cat "$SSH_KEYS/$name.pub")" >>"$SSH_KEYS/authorized_keys"
}

# start_sshd: an OpenSSH server on 127.0.0.1:$SSH_PORT that lets the current user in by the keys
# ssh_add_key made (read at each login) and by nothing else; a new host key for each test
start_sshd() {
	local port pid log cfg sshd=/usr/sbin/sshd
	need_pkg "$sshd" openssh-server || { echo "# cannot install openssh-server" >&2; return 1; }
	need_pkg ssh-keygen openssh-client || { echo "# cannot install openssh-client" >&2; return 1; }
	need_pkg git-shell git || return 1
	SSH_KEYS=$_SRV_DIR/ssh
	export SSH_KEYS
	mkdir -p "$SSH_KEYS" && chmod 700 "$SSH_KEYS" && : >>"$SSH_KEYS/authorized_keys" || return 1
	[ -f "$SSH_KEYS/hostkey" ] || ssh-keygen -q -t ed25519 -N "" -C sinkron-test-host -f "$SSH_KEYS/hostkey" || return 1
	# started as root, sshd wants its privilege separation directory
	[ "$(id -u)" -ne 0 ] || mkdir -p /run/sshd
	for _ in 1 2 3; do
		port=$(free_port) || return 1
		log="$_SRV_DIR/sshd-$port.log"
		cfg="$SSH_KEYS/sshd_config"
		printf '%s\n' "Port $port" "ListenAddress 127.0.0.1" "HostKey $SSH_KEYS/hostkey" "PidFile $SSH_KEYS/sshd.pid" \
			"AuthorizedKeysFile $SSH_KEYS/authorized_keys" "AllowUsers $(id -un)" "PermitRootLogin prohibit-password" \
			"PubkeyAuthentication yes" "PasswordAuthentication no" "KbdInteractiveAuthentication no" "UsePAM no" \
			"StrictModes no" "LogLevel VERBOSE" >"$cfg"
		"$sshd" -f "$cfg" -D -e </dev/null >"$log" 2>&1 &
		pid=$!
		if _srv_wait "$pid" "$port" "$log" "Server listening"; then
			at_exit "_srv_stop $pid"
			_srv_watchdog "$pid"
			SSH_PORT=$port
			SSH_USER=$(id -un)
			SSH_KNOWN_HOSTS_LINE="[127.0.0.1]:$port $(cut -d' ' -f1,2 "$SSH_KEYS/hostkey.pub")"
			export SSH_PORT SSH_USER SSH_KNOWN_HOSTS_LINE
			return 0
		fi
		_srv_stop "$pid"
		grep -qi 'in use' "$log" 2>/dev/null || break
	done
	_srv_failed "sshd on 127.0.0.1:$port" "$log"
}

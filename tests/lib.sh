# tests/lib.sh: shared by the end-to-end scripts tests/tNNNN-*.sh.
# Each script sources this, calls check/check_cmd for its assertions and ends with `finish`.
# Every script runs in its own temporary directory, removed on success and kept (path printed) on failure.
# The last line a script prints is "# N passed, N failed"; tests/run sums those lines.

set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SINKRON="$TOP/build/sinkron"
TOOLS="$TOP/build/tools"
PATH="$TOP/build:$TOP/scripts:$PATH"
export TOP SINKRON TOOLS PATH
export SINKRON_OPERATOR=${SINKRON_OPERATOR:-test}
unset SINKRON_DB
_passed=0
_failed=0
_name=$(basename "$0" .sh)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/sinkron-$_name.XXXXXX")
cd "$TMP" || exit 1
_cleanups=()

# at_exit CMD...: run CMD when the script ends (servers to stop), last registered first
at_exit() { _cleanups+=("$*"); }
_run_cleanups() {
	local i
	for ((i = ${#_cleanups[@]} - 1; i >= 0; i--)); do eval "${_cleanups[$i]}" >/dev/null 2>&1; done
}
trap '_run_cleanups' EXIT
trap 'exit 130' INT TERM

# check DESCRIPTION CONDITION...: the condition is evaluated as a shell test expression by eval
check() {
	local desc=$1; shift
	if eval "$@"; then
		_passed=$((_passed + 1)); echo "ok - $desc"
	else
		_failed=$((_failed + 1)); echo "not ok - $desc"; echo "#   failed: $*"
	fi
}

# check_cmd DESCRIPTION CMD...: passes when CMD exits 0; its output is shown on failure
check_cmd() {
	local desc=$1; shift
	local out
	if out=$("$@" 2>&1); then
		_passed=$((_passed + 1)); echo "ok - $desc"
	else
		_failed=$((_failed + 1)); echo "not ok - $desc"; echo "#   command: $*"; printf '%s\n' "$out" | sed 's/^/#   /' | tail -20
	fi
}

# check_exit DESCRIPTION STATUS CMD...: passes when CMD exits with STATUS
check_exit() {
	local desc=$1 want=$2; shift 2
	local out rc
	out=$("$@" 2>&1); rc=$?
	if [ "$rc" -eq "$want" ]; then
		_passed=$((_passed + 1)); echo "ok - $desc"
	else
		_failed=$((_failed + 1)); echo "not ok - $desc (exit $rc, wanted $want)"; printf '%s\n' "$out" | sed 's/^/#   /' | tail -20
	fi
}

# skip_all REASON: for a script that cannot run here; counts as one failure so nothing passes unseen
skip_all() { echo "not ok - $_name: cannot run: $1"; _failed=$((_failed + 1)); finish; }

# running_here PATTERN: a process whose command line matches PATTERN (pgrep -f) runs in this
# directory; a test suite running beside this one on the same machine has processes of the same
# names, in other directories, which must not count
running_here() {
	local pid
	for pid in $(pgrep -f "$1"); do
		[ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" = "$(pwd -P)" ] && return 0
	done
	return 1
}

# around_guards DB TABLE OP SQL: SQL run in DB as a determined office would go around sinkron's
# guards: the capture trigger of TABLE for OP (insert or update) made again without its guard
# (the CASE that refuses a write), so the write is still recorded for the city, then put back
# exactly as it was; fails when the trigger holds no such guard
around_guards() {
	local trig="sk_capture_$2_$3" body bare
	body=$(sqlite3 -batch "$1" "SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = '$trig'") || return 1
	bare=$(printf '%s' "$body" | perl -0pe 's/CASE WHEN applying IS NOT 0 THEN 0 .*? ELSE 1 END/applying = 0/s')
	[ -n "$body" ] && [ "$bare" != "$body" ] || return 1
	sqlite3 -batch -cmd ".timeout 10000" "$1" "BEGIN; DROP TRIGGER $trig; $bare; $4; DROP TRIGGER $trig; $body; COMMIT;"
}

# free_port: an unused TCP port on loopback
free_port() {
	local p
	for _ in $(seq 1 50); do
		p=$((20000 + RANDOM % 30000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
	done
	return 1
}

# need_pkg PROGRAM PACKAGE: install PACKAGE through apt-get when PROGRAM is missing
need_pkg() {
	command -v "$1" >/dev/null 2>&1 || [ -x "$1" ] && return 0
	echo "# installing $2 for $1" >&2
	local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
	$sudo apt-get install -y -q "$2" >/dev/null 2>&1 || { $sudo apt-get update -q >/dev/null 2>&1 && $sudo apt-get install -y -q "$2" >/dev/null 2>&1; }
	command -v "$1" >/dev/null 2>&1 || [ -x "$1" ]
}

finish() {
	echo "# $_passed passed, $_failed failed"
	if [ "$_failed" -eq 0 ]; then cd / && rm -rf "$TMP"; exit 0; fi
	echo "# kept $TMP"
	exit 1
}

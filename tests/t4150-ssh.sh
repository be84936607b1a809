#!/bin/bash
# t4150-ssh: `sinkron sync` over ssh:// against a real OpenSSH server on loopback, set up as
# scripts/README.md tells a city to: one key per office, each with a forced command (git-shell) that
# names its office for the central's hook (DESIGN.md invariant 4). The server's host key is checked
# against known_hosts: an unknown or changed key is refused with what to do. A key the server does
# not know, another district's key and a district's key on the city's branch are refused. A
# district's change-sets reach the city and the city's receipts come back, all over ssh. A deadline
# holds against an ssh link that goes silent.

. "$(dirname "$0")/lib.sh"
. "$TOP/tests/servers.sh"

export HOME="$TMP/home" GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0 GIT_ASKPASS=/bin/false SSH_ASKPASS=/bin/false
unset GIT_SSL_NO_VERIFY GIT_SSL_CAINFO GIT_SSL_CAPATH REMOTE_USER SINKRON_DISTRICT SINKRON_CONFIG
unset SSH_AUTH_SOCK # an ssh agent's keys must not stand in for the office's own
mkdir -p "$HOME/.ssh"
chmod 700 "$HOME/.ssh"

need_pkg git git || skip_all "git is not installed and cannot be"
need_pkg sqlite3 sqlite3 || skip_all "sqlite3 is not installed and cannot be"

mkdir srv
CENTRAL="$TMP/srv/central.git"
central-setup "$CENTRAL" >/dev/null || skip_all "central-setup failed"
start_sshd || skip_all "cannot start sshd"
ssh_add_key k01 96.71.01 && ssh_add_key k02 96.71.02 && ssh_add_key kcity 96.71 || skip_all "cannot make ssh keys"
ssh-keygen -q -t ed25519 -N "" -C stranger -f stranger || skip_all "cannot make ssh keys"
URL="ssh://$SSH_USER@127.0.0.1:$SSH_PORT$CENTRAL"
K=$SSH_KEYS
KNOWN="$HOME/.ssh/known_hosts"

# office NAME CODE [init options]: NAME.db for office CODE
office() { local n=$1; shift; sinkron --db "$n.db" init "$@" >/dev/null 2>"$TMP/.init" || cat "$TMP/.init" >&2; }
# conf NAME KEY [LINE...]: NAME.conf, mode 600: the central over ssh with key $K/KEY (or a path)
conf() {
	local n=$1 key=$2
	shift 2
	case $key in /*) ;; *) key=$K/$key ;; esac
	printf '%s\n' "central = $URL" "ssh_key = $key" "ssh_pubkey = $key.pub" "deadline = 20" "$@" >"$n.conf"
	chmod 600 "$n.conf"
}
# add NAME CODE COUNT SEED: COUNT generated workers imported into NAME.db
add() { gen-workers --district "$2" --count "$3" --seed "$4" --out "$1-$4.csv" 2>/dev/null &&
	sinkron --db "$1.db" import "$1-$4.csv" >/dev/null 2>&1; }
# run NAME ARGS...: sinkron on NAME.db; sets rc, out, err
run() { local n=$1; shift; sinkron --db "$n.db" "$@" >"$TMP/.out" 2>"$TMP/.err"; rc=$?; out=$(cat "$TMP/.out"); err=$(cat "$TMP/.err"); }
# tip GITDIR CODE: the commit of district/CODE (or of central), "none" when missing
tip() { local r=refs/heads/district/$2; [ "$2" = central ] && r=refs/heads/central; git --git-dir="$1" rev-parse -q --verify "$r" 2>/dev/null || echo none; }
count() { local r=refs/heads/district/$2; [ "$2" = central ] && r=refs/heads/central; git --git-dir="$1" rev-list --count "$r" 2>/dev/null || echo 0; }
ms() { echo $(($(date +%s%N) / 1000000)); }

# ---- the server's host key ------------------------------------------------------------------------
office d1 96.71.01
conf d1 k01
add d1 96.71.01 25 1
run d1 sync
check "with the server's host key unknown here, sync refuses (exit 1) and sends nothing" \
	'[ $rc = 1 ] && [ "$(tip "$CENTRAL" 96.71.01)" = none ]'
check "and says what to do: check the fingerprint, put it in known_hosts" \
	'grep -q "SSH host key is unknown here or has changed" <<<"$err" && grep -qF "$KNOWN" <<<"$err"'
echo "#   $err" | head -1
ssh-keygen -q -t ed25519 -N "" -f impostor
echo "[127.0.0.1]:$SSH_PORT $(cut -d' ' -f1,2 impostor.pub)" >"$KNOWN"
run d1 sync
check "with another key recorded for the server (someone in the middle), sync refuses too" \
	'[ $rc = 1 ] && grep -q "SSH host key is unknown here or has changed" <<<"$err" && [ "$(tip "$CENTRAL" 96.71.01)" = none ]'
echo "$SSH_KNOWN_HOSTS_LINE" >"$KNOWN"
run d1 sync
check "with the server's key known, sync over ssh:// sends the change-set (exit 0)" \
	'[ $rc = 0 ] && grep -q "everything sealed here has reached the central repository" <<<"$out" && [ "$(tip "$CENTRAL" 96.71.01)" = "$(tip d1.git 96.71.01)" ]'
check "the server let the office in by its key, through the forced command" \
	'grep -q "Accepted publickey" "$TMP"/servers/sshd-*.log && grep -q "forced-command" "$TMP"/servers/sshd-*.log'
id=$(sqlite3 d1.db "SELECT id FROM workers ORDER BY id LIMIT 1")
sinkron --db d1.db worker edit "$id" --phone 081200000001 >/dev/null 2>&1
run d1 sync
check "an edit goes as a second change-set" \
	'[ $rc = 0 ] && grep -q "pushed 1 change-set(s)" <<<"$out" && [ "$(count "$CENTRAL" 96.71.01)" = 2 ] && [ "$(tip "$CENTRAL" 96.71.01)" = "$(tip d1.git 96.71.01)" ]'

# ---- keys -----------------------------------------------------------------------------------------
office d2 96.71.02
add d2 96.71.02 10 2
conf d2 "$K/missing"
run d2 sync
check "a key file that is not there: bad configuration (exit 2), named, nothing sent" \
	'[ $rc = 2 ] && grep -qF "$K/missing" <<<"$err" && grep -q "cannot be read" <<<"$err" && [ "$(tip "$CENTRAL" 96.71.02)" = none ]'
echo "#   $err" | head -1
conf d2 "$TMP/stranger"
run d2 sync
check "a key the server does not know: refused (exit 1), says to check ssh_key" \
	'[ $rc = 1 ] && grep -q "refused this office.s SSH key" <<<"$err" && grep -q "ssh_key" <<<"$err" && [ "$(tip "$CENTRAL" 96.71.02)" = none ]'
echo "#   $err" | head -1
conf d2 k01
run d2 sync
check "district 02 with district 01's key: the hook refuses (exit 1) and says why" \
	'[ $rc = 1 ] && grep -q "96\.71\.01 may not update refs/heads/district/96\.71\.02" <<<"$err" && [ "$(tip "$CENTRAL" 96.71.02)" = none ]'
conf d2 k02
run d2 sync
check "with its own key, district 02's change-set goes in" \
	'[ $rc = 0 ] && [ "$(tip "$CENTRAL" 96.71.02)" = "$(tip d2.git 96.71.02)" ]'

# ---- the city over ssh ----------------------------------------------------------------------------
office city --city 96.71
conf city k01
run city sync
check "the city's database with a district's key: the hook keeps refs/heads/central (exit 1)" \
	'[ $rc = 1 ] && grep -q "96\.71\.01 may not update refs/heads/central" <<<"$err" && [ "$(tip "$CENTRAL" central)" = none ]'
conf city kcity
run city sync
check "with the city's key: both districts consolidated, receipts sent on central (exit 0)" \
	'[ $rc = 0 ] && [ "$(tip "$CENTRAL" central)" != none ] && [ "$(sqlite3 city.db "SELECT count(*) FROM workers")" = 35 ]'
run d1 sync
check "district 01 fetches the city's answer over ssh: its status says the city has everything" \
	'[ $rc = 0 ] && sinkron --db d1.db status | grep -q "the city has everything"'

# ---- a silent link --------------------------------------------------------------------------------
"$TOOLS/linkproxy" --target "127.0.0.1:$SSH_PORT" --blackhole-prob 1 --fault-after 200-400 --seed 7 \
	--log "$TMP/hole.log" >"$TMP/hole.port" 2>>"$TMP/hole.err" &
at_exit "kill $! 2>/dev/null"
for _ in $(seq 1 100); do [ "$(wc -l <"$TMP/hole.port" 2>/dev/null)" -ge 1 ] 2>/dev/null && break; sleep 0.1; done
HOLE=$(head -1 "$TMP/hole.port")
echo "[127.0.0.1]:$HOLE $(cut -d' ' -f1,2 "$K/hostkey.pub")" >>"$KNOWN"
sinkron --db d1.db worker edit "$id" --phone 081200000002 >/dev/null 2>&1
sed -i "s|^central = .*|central = ssh://$SSH_USER@127.0.0.1:$HOLE$CENTRAL|; s|^deadline = .*|deadline = 3|" d1.conf
before=$(tip "$CENTRAL" 96.71.01)
t0=$(ms)
run d1 sync
took=$(($(ms) - t0))
check "an ssh link that goes silent mid-handshake: sync gives up after its deadline (${took} ms, exit $rc)" \
	'[ -n "$HOLE" ] && [ $rc = 1 ] && [ $took -ge 2900 ] && [ $took -le 8000 ] && grep -q "no answer from the central repository within 3 s" <<<"$err"'
check "nothing moved on the central" '[ "$(tip "$CENTRAL" 96.71.01)" = "$before" ]'
conf d1 k01
run d1 sync
check "the next sync, straight to the server, sends the edit" '[ $rc = 0 ] && [ "$(tip "$CENTRAL" 96.71.01)" = "$(tip d1.git 96.71.01)" ] && [ "$(count "$CENTRAL" 96.71.01)" = 3 ]'

check "no private key's text is in anything sinkron printed or kept in status" \
	'! grep -qF -- "$(sed -n 2p "$K/k01")" <<<"$out$err$(sinkron --db d1.db status --json)"'
check_cmd "the central repository is sound (git fsck --strict)" git --git-dir="$CENTRAL" fsck --strict
finish

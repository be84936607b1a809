#!/bin/bash
# t4100-central-auth: the central repository's ownership rules (DESIGN.md invariant 4), enforced by
# scripts/hooks/update as installed by scripts/central-setup, with real git clients against real
# servers on loopback: lighttpd + git http-backend (basic auth), git daemon (anonymous), HTTPS.

. "$(dirname "$0")/lib.sh"
. "$TOP/tests/servers.sh"

# a git of our own: no user or system config, no prompts, no credential helpers
export HOME="$TMP/home" GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0 GIT_ASKPASS=/bin/false SSH_ASKPASS=/bin/false
export GIT_AUTHOR_NAME=test GIT_AUTHOR_EMAIL=test@sinkron.invalid
export GIT_COMMITTER_NAME=test GIT_COMMITTER_EMAIL=test@sinkron.invalid
export GIT_AUTHOR_DATE="2024-03-01T08:00:00+09:00" GIT_COMMITTER_DATE="2024-03-01T08:00:00+09:00"
unset GIT_SSL_NO_VERIFY GIT_SSL_CAINFO GIT_SSL_CAPATH REMOTE_USER SINKRON_DISTRICT
mkdir -p "$HOME"

need_pkg git git || skip_all "git is not installed and cannot be"

# ---- central-setup ------------------------------------------------------------------------------
mkdir srv
CENTRAL="$TMP/srv/central.git"
check_exit "central-setup --help" 0 central-setup --help
check_exit "central-setup without PATH is bad usage" 2 central-setup
check_exit "central-setup with an unknown option is bad usage" 2 central-setup "$TMP/x.git" --frobnicate
check_exit "central-setup with a bad city code is bad usage" 2 central-setup "$TMP/x.git" --city 96x71
check "bad usage created nothing" '[ ! -e "$TMP/x.git" ]'

check_exit "central-setup creates the central repository" 0 central-setup "$CENTRAL"
g() { git --git-dir="$CENTRAL" "$@"; }
check "it is bare" '[ "$(g rev-parse --is-bare-repository)" = true ]'
check "receive settings" '[ "$(g config receive.fsckObjects),$(g config receive.denyNonFastForwards),$(g config receive.denyDeletes),$(g config http.receivepack)" = true,true,true,true ]'
check "city defaults to 96.71, anonymous to content" '[ "$(g config sinkron.city),$(g config sinkron.anonymous)" = 96.71,content ]'
check "the hook is installed" 'cmp -s "$CENTRAL/hooks/update" "$TOP/scripts/hooks/update" && [ -x "$CENTRAL/hooks/update" ]'

mkdir notrepo && echo precious >notrepo/file
check_exit "central-setup refuses a non-empty directory that is not a central repository" 1 central-setup notrepo
check "and leaves it alone" '[ "$(ls -A notrepo)" = file ] && [ "$(cat notrepo/file)" = precious ]'
git init -q --bare other.git
check_exit "central-setup refuses a bare repository that is not a sinkron one" 1 central-setup other.git
check "and leaves its config alone" '! git --git-dir=other.git config sinkron.city >/dev/null'
mkdir empty
check_exit "central-setup takes an empty directory" 0 central-setup empty --city 96.72
check "with the city given" '[ "$(git --git-dir=empty config sinkron.city)" = 96.72 ]'
check_exit "central-setup refuses to change an existing repository's city" 1 central-setup empty --city 96.71

# ---- servers --------------------------------------------------------------------------------------
http_add_user 96.71.01 sandi-01
start_http srv || skip_all "cannot start lighttpd"
http_add_user 96.71.02 sandi-02 # after the start: read per request
http_add_user 96.71 sandi-kota
start_git_daemon srv || skip_all "cannot start git daemon"
start_https srv || skip_all "cannot start lighttpd with TLS"

HTTP="http://127.0.0.1:$HTTP_PORT/git/central.git"
url() { echo "http://$1:$2@127.0.0.1:$HTTP_PORT/git/central.git"; }
U01=$(url 96.71.01 sandi-01)
U02=$(url 96.71.02 sandi-02)
UCITY=$(url 96.71 sandi-kota)
GITD="git://127.0.0.1:$GIT_DAEMON_PORT/central.git"

# ---- change-set commits made with plain git -------------------------------------------------------
git init -q local
cd local || exit 1
# changeset ORIGIN [PARENT]: a change-set-like commit (changeset + manifest), prints its id;
# each one is different (a counter kept in a file, as $(...) runs it in a subshell)
echo 0 >"$TMP/seq"
changeset() {
	local origin=$1 parent=${2:-} bin man tree _n
	_n=$(($(cat "$TMP/seq") + 1))
	echo "$_n" >"$TMP/seq"
	bin=$(printf 'SKCS\001 change-set %d of %s\n' "$_n" "$origin" | git hash-object -w --stdin) || return 1
	man=$(printf 'format: sinkron-changeset 1\norigin: %s\nseq: %d-%d\nrows: 1\ndigest: %064d\n' \
		"$origin" "$_n" "$_n" "$_n" | git hash-object -w --stdin) || return 1
	tree=$(printf '100644 blob %s\tchangeset\n100644 blob %s\tmanifest\n' "$bin" "$man" | git mktree) || return 1
	git commit-tree "$tree" ${parent:+-p "$parent"} -m "change-set $_n of $origin"
}
# plain_commit [PARENT]: a commit with no manifest at all
plain_commit() {
	local blob tree
	blob=$(echo "not a change-set $RANDOM" | git hash-object -w --stdin)
	tree=$(printf '100644 blob %s\treadme\n' "$blob" | git mktree)
	git commit-tree "$tree" ${1:+-p "$1"} -m "not a change-set"
}
# server REF: the central repository's value of REF, or "none"
server() { g rev-parse -q --verify "$1^{}" 2>/dev/null || echo none; }

# push_ok DESC EXPECTED-REF-VALUE REF git push ARGS...: accepted, and the server's REF is the value
push_ok() {
	local desc=$1 want=$2 ref=$3 out rc
	shift 3
	out=$("$@" 2>&1); rc=$?
	if [ "$rc" -eq 0 ] && [ "$(server "$ref")" = "$want" ]; then
		_passed=$((_passed + 1)); echo "ok - $desc"
	else
		_failed=$((_failed + 1)); echo "not ok - $desc (exit $rc, $ref is $(server "$ref"), wanted $want)"
		printf '%s\n' "$out" | sed 's/^/#   /' | tail -15
	fi
}
# push_refused DESC PATTERN REF git push ARGS...: refused (non-zero), the output matches PATTERN
# (extended regex) and the server's REF did not change
push_refused() {
	local desc=$1 pattern=$2 ref=$3 before out rc
	shift 3
	before=$(server "$ref")
	out=$("$@" 2>&1); rc=$?
	if [ "$rc" -ne 0 ] && printf '%s\n' "$out" | grep -Eq -- "$pattern" && [ "$(server "$ref")" = "$before" ]; then
		_passed=$((_passed + 1)); echo "ok - $desc"
	else
		_failed=$((_failed + 1))
		echo "not ok - $desc (exit $rc, $ref $before -> $(server "$ref"), wanted the message /$pattern/)"
		printf '%s\n' "$out" | sed 's/^/#   /' | tail -15
	fi
}

D1=refs/heads/district/96.71.01
D2=refs/heads/district/96.71.02
C=refs/heads/central

# ---- HTTP, with logins ----------------------------------------------------------------------------
a1=$(changeset 96.71.01)
a2=$(changeset 96.71.01 "$a1")
push_ok "96.71.01 pushes its own branch over HTTP" "$a2" $D1 git push "$U01" "$a2:$D1"
a3=$(changeset 96.71.01 "$a2")
push_ok "96.71.01 fast-forwards its own branch" "$a3" $D1 git push "$U01" "$a3:$D1"

b0=$(changeset 96.71.02 "$a3")
push_refused "96.71.02 may not update 96.71.01's branch" \
	'remote: sinkron: 96\.71\.02 may not update refs/heads/district/96\.71\.01 *$' $D1 \
	git push "$U02" "$b0:$D1"
a4=$(changeset 96.71.01 "$a3")
push_refused "96.71.02 may not push 96.71.01's own change-sets to 96.71.01's branch either" \
	'remote: sinkron: 96\.71\.02 may not update refs/heads/district/96\.71\.01' $D1 \
	git push "$U02" "$a4:$D1"
b1=$(changeset 96.71.02)
check "every change-set is a new commit" '[ "$a3" != "$a4" ] && [ "$b0" != "$b1" ]'
push_ok "96.71.02 pushes its own branch" "$b1" $D2 git push "$U02" "$b1:$D2"

# history rewritten: a different third change-set on top of a2, forced
a3x=$(changeset 96.71.01 "$a2")
push_refused "a forced non-fast-forward push is refused" \
	'denying non-fast-forward refs/heads/district/96\.71\.01|sinkron: refs/heads/district/96\.71\.01 is not a fast-forward' $D1 \
	git push --force "$U01" "$a3x:$D1"
push_refused "deleting a district branch is refused" \
	'denying ref deletion for refs/heads/district/96\.71\.01|sinkron: refs/heads/district/96\.71\.01 may not be deleted' $D1 \
	git push "$U01" ":$D1"
# the hook alone, for servers that ignore (or admins who drop) the receive.deny* settings
g config receive.denyNonFastForwards false
g config receive.denyDeletes false
push_refused "the hook alone refuses a non-fast-forward" \
	'remote: sinkron: refs/heads/district/96\.71\.01 is not a fast-forward \(history may not be rewritten\)' $D1 \
	git push --force "$U01" "$a3x:$D1"
push_refused "the hook alone refuses a delete" \
	'remote: sinkron: refs/heads/district/96\.71\.01 may not be deleted' $D1 \
	git push "$U01" ":$D1"
g config receive.denyNonFastForwards true
g config receive.denyDeletes true

push_refused "a district may not push refs/heads/central" \
	'remote: sinkron: 96\.71\.01 may not update refs/heads/central' $C \
	git push "$U01" "$a3:$C"
push_refused "a district may not push a tag" \
	'remote: sinkron: 96\.71\.01 may not update refs/tags/snapshot/2024-03' refs/tags/snapshot/2024-03 \
	git push "$U01" "$a3:refs/tags/snapshot/2024-03"
push_refused "a district may not push any other ref" \
	'remote: sinkron: refs/heads/main may not be updated' refs/heads/main \
	git push "$U01" "$a3:refs/heads/main"

k1=$(changeset 96.71)
k2=$(changeset 96.71 "$k1")
push_ok "the city pushes refs/heads/central" "$k1" $C git push "$UCITY" "$k1:$C"
push_ok "the city fast-forwards refs/heads/central" "$k2" $C git push "$UCITY" "$k2:$C"
git tag -a -m "snapshot 2024-03" snapshot/2024-03 "$k2"
push_ok "the city pushes a snapshot tag" "$k2" refs/tags/snapshot/2024-03 \
	git push "$UCITY" refs/tags/snapshot/2024-03
git tag -f -a -m "snapshot 2024-03, again" snapshot/2024-03 "$k1" >/dev/null
push_refused "a snapshot tag may not be moved, even by the city" \
	'remote: sinkron: refs/tags/snapshot/2024-03 already exists' refs/tags/snapshot/2024-03 \
	git push --force "$UCITY" refs/tags/snapshot/2024-03
push_refused "the city may not update a district's branch" \
	'remote: sinkron: 96\.71 may not update refs/heads/district/96\.71\.01' $D1 \
	git push "$UCITY" "$a4:$D1"

out=$(GIT_TRACE_CURL=1 GIT_TRACE_CURL_NO_DATA=1 git push "$(url 96.71.01 wrong)" "$a4:$D1" 2>&1); rc=$?
check "a wrong password is refused with HTTP 401" \
	'[ "$rc" -ne 0 ] && printf "%s\n" "$out" | grep -q "HTTP/1.1 401" && printf "%s\n" "$out" | grep -q "Authentication failed"'
out=$(git push "$HTTP" "$a4:$D1" 2>&1); rc=$?
check "no login at all is refused" '[ "$rc" -ne 0 ] && printf "%s\n" "$out" | grep -Eq "Authentication failed|could not read Username"'
check "and neither changed the branch" '[ "$(server $D1)" = "$a3" ]'

c1=$(changeset 96.71.01 "$b1")
push_refused "96.71.02 may not smuggle a change-set whose manifest says 96.71.01" \
	"remote: sinkron: commit ${c1:0:12} on refs/heads/district/96\.71\.02 has origin 96\.71\.01, not 96\.71\.02" $D2 \
	git push "$U02" "$c1:$D2"
c2=$(changeset 96.71.02 "$c1")
push_refused "nor hide it under one of its own" \
	"remote: sinkron: commit ${c1:0:12} on refs/heads/district/96\.71\.02 has origin 96\.71\.01" $D2 \
	git push "$U02" "$c2:$D2"
p1=$(plain_commit "$b1")
push_refused "a commit without a manifest is refused" \
	"remote: sinkron: commit ${p1:0:12} on refs/heads/district/96\.71\.02 has no manifest" $D2 \
	git push "$U02" "$p1:$D2"

# ---- git daemon: anonymous, checked by content --------------------------------------------------------
D3=refs/heads/district/96.71.03
D4=refs/heads/district/96.71.04
d1=$(changeset 96.71.03)
d2=$(changeset 96.71.03 "$d1")
push_ok "anonymous push over git:// of own-origin change-sets is accepted" "$d2" $D3 \
	git push "$GITD" "$d2:$D3"
e1=$(changeset 96.71.03)
push_refused "anonymous push of another origin's change-set is refused" \
	"remote: sinkron: commit ${e1:0:12} on refs/heads/district/96\.71\.04 has origin 96\.71\.03, not 96\.71\.04" $D4 \
	git push "$GITD" "$e1:$D4"
push_refused "anonymous delete is refused" \
	'denying ref deletion for refs/heads/district/96\.71\.03|sinkron: refs/heads/district/96\.71\.03 may not be deleted' $D3 \
	git push "$GITD" ":$D3"
k3=$(changeset 96.71 "$k2")
push_refused "anonymous push of refs/heads/central is refused" \
	'remote: sinkron: anonymous pushers may not update refs/heads/central' $C \
	git push "$GITD" "$k3:$C"
push_refused "anonymous push of a tag is refused" \
	'remote: sinkron: anonymous pushers may not update refs/tags/snapshot/anon' refs/tags/snapshot/anon \
	git push "$GITD" "$k3:refs/tags/snapshot/anon"
g config sinkron.anonymous refuse
d3=$(changeset 96.71.03 "$d2")
push_refused "with sinkron.anonymous=refuse even own-origin anonymous pushes are refused" \
	'remote: sinkron: anonymous pushes are refused here' $D3 \
	git push "$GITD" "$d3:$D3"
g config sinkron.anonymous content

# ---- HTTPS -------------------------------------------------------------------------------------------
HTTPS01="https://96.71.01:sandi-01@127.0.0.1:$HTTPS_PORT/git/central.git"
push_ok "over HTTPS with the test CA a push is accepted" "$a4" $D1 \
	env GIT_SSL_CAINFO="$HTTPS_CA" git push "$HTTPS01" "$a4:$D1"
a5=$(changeset 96.71.01 "$a4")
push_refused "over HTTPS without the test CA the certificate is not trusted" \
	'certificate' $D1 \
	git push "$HTTPS01" "$a5:$D1"
b2=$(changeset 96.71.01 "$b1")
push_refused "over HTTPS the ownership rules hold too" \
	'remote: sinkron: 96\.71\.01 may not update refs/heads/district/96\.71\.02' $D2 \
	env GIT_SSL_CAINFO="$HTTPS_CA" git push "$HTTPS01" "$b2:$D2"

# ---- central-setup again, on the repository in use ----------------------------------------------------
cd "$TMP" || exit 1
refs_before=$(g for-each-ref --format='%(refname) %(objectname)')
echo "# local change" >>"$CENTRAL/hooks/update"
check_exit "central-setup again on the central repository" 0 central-setup "$CENTRAL"
check "it restores the hook" 'cmp -s "$CENTRAL/hooks/update" "$TOP/scripts/hooks/update"'
check "and keeps every ref" '[ "$(g for-each-ref --format="%(refname) %(objectname)")" = "$refs_before" ] && [ -n "$refs_before" ]'
g config sinkron.anonymous refuse
check_exit "a third time" 0 central-setup "$CENTRAL" --city 96.71
check "keeps the admin's sinkron.anonymous and the settings" \
	'[ "$(g config sinkron.anonymous),$(g config sinkron.city),$(g config receive.denyNonFastForwards)" = refuse,96.71,true ]'

finish

#!/usr/bin/env bash
# t0310-git: the local repository is plain git.  The real git reads it (log, show, fsck --strict),
# a `git clone --mirror` of it applies to the same digest, and a damaged object makes
# `sinkron apply --from` fail loudly, naming the object, with the database unchanged.
. "$(dirname "$0")/lib.sh"

need_pkg sqlite3 sqlite3 || skip_all "no sqlite3 shell"
cp "$SINKRON" ./sinkron && S=$PWD/sinkron
digest() { sqlite3 "$1" "SELECT lower(hex(value)) FROM sk_state WHERE key = 'digest'"; }
G="git --git-dir=d.git"

gen-workers --district 96.71.01 --count 40 --seed 31 --out w.csv 2>/dev/null
check_cmd "init" "$S" -q --db d.db init 96.71.01
check_cmd "import" "$S" -q --db d.db import w.csv --funder "APBD Kota"
check_cmd "seal the import" "$S" -q --db d.db seal
sqlite3 d.db "UPDATE workers SET phone = '081234567890' WHERE rowid <= 3; DELETE FROM heirs; DELETE FROM workers WHERE rowid = 40;"
check_cmd "seal the edits" "$S" -q --db d.db seal
check_cmd "git fsck --strict reads the repository" $G fsck --strict
check "the branch is district/96.71.01" '[ "$($G rev-parse --verify -q refs/heads/district/96.71.01)" = "$(sqlite3 d.db "SELECT value FROM sk_state WHERE key = '"'tip'"'")" ]'
log=$($G log --format='%an|%s' refs/heads/district/96.71.01)
echo "$log" | sed 's/^/#   /'
check "git log shows one commit per change-set, newest first" '[ "$(echo "$log" | wc -l)" -eq "$(sqlite3 d.db "SELECT count(*) FROM sk_changesets")" ]'
check "the messages say what changed in words" 'echo "$log" | head -1 | grep -q "96.71.01 Sorong #2: 3 workers changed, 1 workers deleted"'
check "the first says what was added" 'echo "$log" | tail -1 | grep -q "#1: 40 workers added, 80 enrolments added"'
check "the author names the office" 'echo "$log" | head -1 | grep -q "^sinkron 96.71.01|"'
check "each commit's tree holds the change-set and its manifest" '[ "$($G ls-tree --name-only refs/heads/district/96.71.01)" = "$(printf "changeset\nmanifest")" ]'
man=$($G show refs/heads/district/96.71.01:manifest)
echo "$man" | sed 's/^/#   /'
check "git show prints the manifest as text" 'echo "$man" | grep -q "^format: sinkron-changeset 1$" && echo "$man" | grep -q "^origin: 96.71.01$" && echo "$man" | grep -q "^number: 2$"'
check "the manifest counts what changed per table" 'echo "$man" | grep -q "^table: workers +0 ~3 -1$"'
check "the manifest holds the digest the database recorded" '[ "$(echo "$man" | sed -n "s/^digest: //p")" = "$(digest d.db)" ]'
check "git show of the commit has the message and names the files" '$G show --stat refs/heads/district/96.71.01 | grep -q "changeset" && $G show refs/heads/district/96.71.01 | grep -q "^    By "'
check "the change-set blob id is the one the database recorded" \
	'[ "$($G rev-parse refs/heads/district/96.71.01:changeset)" = "$(sqlite3 d.db "SELECT id FROM sk_changesets WHERE number = 2")" ]'

# a mirror made by git itself applies like the original
check_cmd "git clone --mirror" git clone -q --mirror d.git mirror.git
check_cmd "init a city" "$S" -q --db c.db init --city 96.71
check_cmd "apply --from the mirror" "$S" -q --db c.db apply --from mirror.git
check "the city has the district's digest" '[ "$(digest c.db)" = "$(digest d.db)" ]'
check_cmd "the city verifies" "$S" -q --db c.db verify
check_cmd "a second city from the original" "$S" -q --db c2.db init --city 96.71
check_cmd "apply --from the original" "$S" -q --db c2.db apply --from d.git
check "both cities agree" '[ "$(digest c2.db)" = "$(digest c.db)" ]'

# a damaged object: the change-set blob of #1, overwritten as a loose object
check_cmd "a third city" "$S" -q --db c3.db init --city 96.71
cp -r d.git bad.git
blob=$(git --git-dir=bad.git rev-parse refs/heads/district/96.71.01~1:changeset)
git --git-dir=bad.git cat-file blob "$blob" | git --git-dir=bad.git hash-object -w --stdin >/dev/null
obj="bad.git/objects/${blob:0:2}/${blob:2}"
if [ ! -f "$obj" ]; then
	# packed: unpack everything so the object is loose
	mkdir -p unpack && mv bad.git/objects/pack/*.pack unpack/ 2>/dev/null
	rm -f bad.git/objects/pack/*.idx
	for p in unpack/*.pack; do [ -f "$p" ] && git --git-dir=bad.git unpack-objects -q <"$p"; done
fi
check "the change-set is a loose object" '[ -f "$obj" ]'
chmod u+w "$obj"
printf 'x\234not a zlib stream at all, the disk was damaged' >"$obj"
before=$(sqlite3 c3.db "SELECT count(*) FROM sk_changesets; SELECT lower(hex(value)) FROM sk_state WHERE key = 'digest'; SELECT count(*) FROM workers")
out=$("$S" --db c3.db apply --from bad.git 2>&1); rc=$?
echo "$out" | sed 's/^/#   /'
check "apply --from a damaged repository fails" '[ "$rc" -ne 0 ]'
check "the message names the damaged object" 'echo "$out" | grep -q "$blob"'
after=$(sqlite3 c3.db "SELECT count(*) FROM sk_changesets; SELECT lower(hex(value)) FROM sk_state WHERE key = 'digest'; SELECT count(*) FROM workers")
check "the database is unchanged" '[ "$before" = "$after" ]'
check_cmd "the city still verifies" "$S" -q --db c3.db verify
check "git fsck --strict sees the damage too" '! git --git-dir=bad.git fsck --strict >/dev/null 2>&1'
# a damaged commit object: whole-branch refusal, the database unchanged.  (Found by this test:
# sk_repo_walk in sync/repo.c ends its loop when git_revwalk_next fails and returns 0, so a
# damaged commit in a branch's history made apply skip the branch silently and exit 0.)
check_cmd "a fourth city" "$S" -q --db c4.db init --city 96.71
cp -r d.git bad2.git
commit=$(git --git-dir=bad2.git rev-parse refs/heads/district/96.71.01~1)
mkdir -p unpack2 && mv bad2.git/objects/pack/*.pack unpack2/ 2>/dev/null
rm -f bad2.git/objects/pack/*.idx
for p in unpack2/*.pack; do [ -f "$p" ] && git --git-dir=bad2.git unpack-objects -q <"$p"; done
cobj="bad2.git/objects/${commit:0:2}/${commit:2}"
before=$(sqlite3 c4.db "SELECT count(*) FROM sk_changesets; SELECT lower(hex(value)) FROM sk_state WHERE key = 'digest'; SELECT count(*) FROM workers")
if [ -f "$cobj" ]; then
	chmod u+w "$cobj"
	head -c 20 /dev/zero >"$cobj"
	out=$("$S" --db c4.db apply --from bad2.git 2>&1); rc=$?
	echo "$out" | sed 's/^/#   /'
	check "a damaged first commit: apply fails" '[ "$rc" -ne 0 ]'
	check "and names it" 'echo "$out" | grep -q "$commit"'
	after=$(sqlite3 c4.db "SELECT count(*) FROM sk_changesets; SELECT lower(hex(value)) FROM sk_state WHERE key = 'digest'; SELECT count(*) FROM workers")
	check "and the database is unchanged" '[ "$before" = "$after" ]'
else
	check "the first commit is a loose object" false
fi
finish

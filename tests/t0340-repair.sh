#!/usr/bin/env bash
# t0340-repair: a damaged local repository (the loose objects of change-sets not yet sent deleted;
# a pack corrupted) makes every sync fail; `sinkron repair` rebuilds it from what is left, the
# central repository and the database, and nothing is lost: the next sync succeeds and a city
# built from the central repository holds exactly the district's rows, with its digest.
. "$(dirname "$0")/lib.sh"

export HOME="$TMP/home" GIT_CONFIG_NOSYSTEM=1
mkdir -p "$HOME"
need_pkg sqlite3 sqlite3 || skip_all "no sqlite3 shell"
need_pkg git git || skip_all "no git"
sk() { "$SINKRON" "$@"; }
q() { sqlite3 -batch -noheader "$@"; }
digest() { q "$1" "SELECT lower(hex(value)) FROM sk_state WHERE key = 'digest'"; }
rows() {
	q "$1" "SELECT 'w', id, owner, nik, name, phone, status FROM workers WHERE owner = '$2' ORDER BY id;
		SELECT 'h', id, owner, worker_id, name FROM heirs WHERE owner = '$2' ORDER BY id;
		SELECT 'e', id, owner, worker_id, decree FROM enrolments WHERE owner = '$2' ORDER BY id;"
}
# city_agrees CODE NAME: a city built from the central repository alone holds NAME's rows, its
# digest (the city's digest of CODE's rows) and each of its change-sets once
city_agrees() {
	rm -f c.db*
	sk --db c.db init --city 96.71 >/dev/null 2>&1
	sk --db c.db apply --from srv/central.git >/dev/null 2>&1 &&
		[ "$(rows c.db "$1" | md5sum)" = "$(rows "$2.db" "$1" | md5sum)" ] &&
		[ "$(q c.db "SELECT lower(hex(digest)) FROM sk_digests WHERE owner = '$1'")" = "$(digest "$2.db")" ] &&
		[ "$(q c.db "SELECT count(*) FROM sk_changesets WHERE origin = '$1'")" = "$(q "$2.db" "SELECT count(*) FROM sk_changesets WHERE local = 1")" ]
}

mkdir srv
central-setup "$TMP/srv/central.git" >/dev/null || skip_all "central-setup failed"
gen-workers --city 96.71 --count 1000 --seed 9 --out csv 2>/dev/null

# ---- loose objects of unsent change-sets deleted ------------------------------------------------
sk --db d01.db init 96.71.01 --central "$TMP/srv/central.git" >/dev/null
sk --db d01.db import csv/workers-96.71.01.csv --funder "APBD Kota" >/dev/null 2>&1
check_exit "96.71.01 syncs" 0 sk --db d01.db sync
sent=$(git --git-dir=srv/central.git rev-parse refs/heads/district/96.71.01)
# three change-sets not yet sent: edits, deletes, edits again
q d01.db "UPDATE workers SET phone = '0813' || rowid WHERE rowid % 2 = 0"
sk --db d01.db seal >/dev/null
q d01.db "DELETE FROM heirs WHERE rowid % 3 = 0; UPDATE enrolments SET decree = 'SK-9/' || rowid WHERE rowid % 5 = 0"
sk --db d01.db seal >/dev/null
q d01.db "UPDATE workers SET phone = '0817' || rowid WHERE rowid % 3 = 0"
sk --db d01.db seal >/dev/null
unsent=$(git --git-dir=d01.git rev-list "$sent..refs/heads/district/96.71.01" | wc -l)
check "several change-sets wait to be sent ($unsent)" '[ "$unsent" -ge 2 ]'
# every object of theirs, as loose files
for c in $(git --git-dir=d01.git rev-list "$sent..refs/heads/district/96.71.01"); do
	for o in $c $(git --git-dir=d01.git ls-tree "$c" | awk '{print $3}') $(git --git-dir=d01.git rev-parse "$c^{tree}"); do
		rm -f "d01.git/objects/${o:0:2}/${o:2}"
	done
done
check_exit "with them gone, sync fails" 1 sk --db d01.db sync
check_exit "every time" 1 sk --db d01.db sync
sk --db d01.db repair >repair.out 2>&1
rc=$?
check "repair succeeds (exit $rc)" '[ $rc = 0 ]'
check "and says what was lost and sealed again" 'grep -q "had not reached the city" repair.out && grep -q "sealed again" repair.out'
check "the damaged repository is kept aside" 'ls -d d01.git.damaged-* >/dev/null 2>&1'
check_exit "the next sync succeeds" 0 sk --db d01.db sync
check "verify is ok" 'sk --db d01.db verify >/dev/null 2>&1'
check "a city built from the central repository holds the district's rows and digest, each change-set once" 'city_agrees 96.71.01 d01'
q d01.db "UPDATE workers SET phone = '0814' WHERE rowid = 1"
check_exit "and later edits go out as usual" 0 sk --db d01.db sync
check "still in step" 'city_agrees 96.71.01 d01'

# ---- a corrupted pack ---------------------------------------------------------------------------
sk --db d02.db init 96.71.02 --central "$TMP/srv/central.git" >/dev/null
sk --db d02.db import csv/workers-96.71.02.csv --funder "APBD Kota" >/dev/null 2>&1
sk --db d02.db seal --max-bytes 2048 >/dev/null
check_exit "96.71.02 syncs" 0 sk --db d02.db sync
q d02.db "UPDATE workers SET phone = '0815' || rowid WHERE rowid % 4 = 0"
sk --db d02.db seal >/dev/null
git --git-dir=d02.git repack -a -d -q
pack=$(ls d02.git/objects/pack/*.pack | head -1)
size=$(stat -c %s "$pack")
# every object in it overwritten (its 12-byte header and 20-byte checksum left as they were)
yes $'\xde\xad\xbe\xef' | tr -d '\n' | head -c $((size - 32)) | dd of="$pack" bs=4096 seek=12 oflag=seek_bytes conv=notrunc 2>/dev/null
check_exit "with its pack corrupted, sync fails" 1 sk --db d02.db sync
sk --db d02.db repair >repair2.out 2>&1
rc=$?
check "repair succeeds (exit $rc)" '[ $rc = 0 ]'
check_exit "the next sync succeeds" 0 sk --db d02.db sync
check "verify is ok" 'sk --db d02.db verify >/dev/null 2>&1'
check "a city built from the central repository holds the district's rows and digest, each change-set once" 'city_agrees 96.71.02 d02'
check "git fsck of the new repository" 'git --git-dir=d02.git fsck >/dev/null 2>&1'

# ---- an older copy of the database is refused ----------------------------------------------------
cp d02.db old.db
q d02.db "UPDATE workers SET phone = '0816' WHERE rowid = 2"
sk --db d02.db sync >/dev/null 2>&1
cp -r d02.git old.git
sk --db old.db repair >old.out 2>&1
rc=$?
check "repair of an older copy than the city has refuses (exit $rc) and names restore --replace" '[ $rc = 1 ] && grep -q "restore --replace" old.out'
finish

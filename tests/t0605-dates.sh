#!/bin/bash
# t0605-dates: a date and time is read in ISO 8601 with its zone as well, the form sinkron's own log
# lines use (2026-12-05T23:02:17Z, +09:00, a fraction of a second): `restore --at` takes the office's
# last change-set at or before that instant, whatever the computer's own time zone.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

$SINKRON init 96.71.01 >/dev/null 2>&1 || skip_all "init failed"
$SINKRON worker add --nik 9671013112800001 --name "Yakobus Mambrasar" --birth-date 31/12/1980 --sex L --kelurahan Remu >/dev/null 2>&1
$SINKRON seal >/dev/null 2>&1
now=$(date +%s)
after=$(date -u -d "@$((now + 120))" +%Y-%m-%dT%H:%M:%SZ)
check_cmd "restore --at $after (UTC, Z)" $SINKRON restore --at "$after" --out a.db
check "... holds the worker" '[ "$(sqlite3 a.db "SELECT count(*) FROM workers")" = 1 ]'
check_cmd "with a fraction of a second" $SINKRON restore --at "${after%Z}.250Z" --out b.db
wit=$(TZ=Asia/Jayapura date -d "@$((now + 120))" +%Y-%m-%dT%H:%M:%S+09:00)
check_cmd "the same instant in Papua's zone ($wit)" $SINKRON restore --at "$wit" --out c.db
wit2=$(TZ=Asia/Jayapura date -d "@$((now + 120))" +%Y-%m-%dT%H:%M+0900)
check_cmd "without the colon and seconds ($wit2)" $SINKRON restore --at "$wit2" --out c2.db
# the same wall time read in a zone 14 hours ahead is 14 hours earlier: before the change-set
early=$(date -u -d "@$((now + 120))" +%Y-%m-%dT%H:%M:%S+14:00)
check_exit "the zone counts: $early is before the change-set (exit 1)" 1 $SINKRON restore --at "$early" --out d.db
TZ=Pacific/Kiritimati check_cmd "a computer in another zone reads Z the same" $SINKRON restore --at "$after" --out e.db
check_exit "a zone that is not one: exit 2" 2 $SINKRON restore --at "${after%Z}+25:00" --out f.db
check_exit "garbage after the time: exit 2" 2 $SINKRON restore --at "${after}x" --out g.db
finish

#!/bin/bash
# t7110-web-locked: `sinkron serve` started while another program holds the database's write lock
# (the agent sealing or applying a large change-set, a clerk's SQLite tool in a transaction) waits
# for the lock, as every sinkron connection does, and then serves the pages; it does not exit with
# "database is locked".  The server is seen waiting (asleep in SQLite's busy wait, by the system
# call /proc shows) before the lock is let go, so the case is reached on every run.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$TOP/tests/web/webhelp.sh"

command -v curl >/dev/null || need_pkg curl curl || skip_all "curl is missing"
$SINKRON init 96.71.01 >/dev/null 2>&1 || skip_all "init failed"
# a first serve makes the pages' own tables and indexes; the one after the lock must not need to
# write anything to pass, so this is the harder case: a server after an upgrade writes them again
P=$(free_port) || skip_all "no free port"
web_serve first "http://127.0.0.1:$P" serve --listen "127.0.0.1:$P" || skip_all "serve did not start"
kill "$first_PID"; wait "$first_PID" 2>/dev/null
sqlite3 sinkron.db "DROP INDEX IF EXISTS web_workers_list" || skip_all "could not drop the pages' index"

# another program takes the write lock and keeps it until told
mkfifo lock.in
sqlite3 -batch sinkron.db <lock.in >lock.out 2>&1 &
holder=$!
exec 7>lock.in
at_exit "kill $holder 2>/dev/null"
echo "BEGIN IMMEDIATE; SELECT 'locked';" >&7
for _ in $(seq 1 200); do grep -q locked lock.out && break; sleep 0.05; done
check "another program holds the write lock" 'grep -q locked lock.out'

P=$(free_port) || skip_all "no free port"
"$SINKRON" serve --listen "127.0.0.1:$P" >serve.log 2>&1 7>&- &
pid=$!
at_exit "kill $pid 2>/dev/null; wait $pid 2>/dev/null"
# asleep in SQLite's busy wait: nanosleep (35) or clock_nanosleep (230), while still running;
# at most 400 polls (at least 20 s)
waiting=0
for _ in $(seq 1 400); do
	kill -0 "$pid" 2>/dev/null || break
	case "$(cut -d' ' -f1 "/proc/$pid/syscall" 2>/dev/null)" in 35 | 230) waiting=1; break ;; esac
	sleep 0.05
done
check "serve waits for the lock instead of giving up" '[ "$waiting" = 1 ] && kill -0 "$pid" 2>/dev/null'
echo "COMMIT;" >&7
exec 7>&-
wait "$holder" 2>/dev/null
check "once the lock is let go, it serves the pages" '_web_wait serve "http://127.0.0.1:$P" "$pid"'
check "... and said nothing of a lock" '! grep -qi "locked" serve.log'
check "the pages' index was made" '[ "$(sqlite3 sinkron.db "SELECT count(*) FROM sqlite_schema WHERE name = '"'web_workers_list'"'")" = 1 ]'

finish

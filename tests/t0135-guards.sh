#!/bin/bash
# t0135-guards: nothing a write can store may stop a later seal, and an office writes only its own
# records.  Operator names the change-set format cannot carry (a tab, a line break, more than 255
# bytes) are carried cleaned; keys and texts it cannot carry, and records of another owner (or none),
# are refused at the write, whoever writes (the sqlite3 shell included); every seal goes on.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

q() { sqlite3 sinkron.db "$1"; }
add() { $SINKRON "$@" worker add --nik "96710131128000$((10 + RANDOM % 89))" --name "Yakobus Mambrasar" --birth-date 31/12/1980 --sex L --kelurahan Remu >/dev/null 2>&1; }

$SINKRON init 96.71.01 >/dev/null 2>&1 || skip_all "init failed"

# operator names
add --operator "$(printf 'budi\tsantoso')"
check_exit "an operator name with a tab: the seal goes on" 0 $SINKRON seal
check "... and records it with a space" 'git --git-dir=sinkron.git log -1 --format=%B district/96.71.01 | grep -q "^By budi santoso\.$"'
add --operator "$(printf 'budi\nsantoso')"
check_exit "an operator name with a line break: the seal goes on" 0 $SINKRON seal
long=$(head -c 300 /dev/zero | tr '\0' 'x')
add --operator "$long"
check_exit "an operator name of 300 bytes: the seal goes on" 0 $SINKRON seal
q "UPDATE sk_ctx SET operator = 'kl' || char(9) || 'erk'; UPDATE workers SET phone = '0812' WHERE rowid = 1; UPDATE sk_ctx SET operator = NULL"
check_exit "an operator with a tab set by hand in sk_ctx: the seal goes on" 0 $SINKRON seal
check_cmd "verify: ok after all of them" $SINKRON verify

# keys and texts the format cannot carry: refused at the write
check "an id with a tab is refused" '! q "INSERT INTO workers (id, owner, name) VALUES ('"'a'"' || char(9) || '"'b'"', '"'96.71.01'"', '"'X'"')" 2>/dev/null'
check "an id with a line break is refused" '! q "INSERT INTO workers (id, owner, name) VALUES ('"'a'"' || char(10), '"'96.71.01'"', '"'X'"')" 2>/dev/null'
check "an id of 256 bytes is refused" '! q "INSERT INTO workers (id, owner, name) VALUES (printf('"'%.256c'"', '"'x'"'), '"'96.71.01'"', '"'X'"')" 2>/dev/null'
check "an empty id is refused" '! q "INSERT INTO workers (id, owner, name) VALUES ('"''"', '"'96.71.01'"', '"'X'"')" 2>/dev/null'
check "a blob as id is refused" '! q "INSERT INTO heirs (id, owner, name) VALUES (x'"'"'4142'"'"', '"'"'96.71.01'"'"', '"'"'X'"'"')" 2>/dev/null'
check "an id changed to one with a tab is refused" '! q "UPDATE workers SET id = id || char(9) WHERE rowid = 1" 2>/dev/null'
check "a name of 9000 characters is refused" '! q "UPDATE workers SET name = printf('"'%.9000c'"', '"'x'"') WHERE rowid = 1" 2>/dev/null'
out=$(q "INSERT INTO workers (id, owner, name) VALUES ('a' || char(9), '96.71.01', 'X')" 2>&1)
check "... saying why" 'printf "%s\n" "$out" | grep -q "the id must be text of 1 to 255 bytes"'
check "an id of 255 bytes and a name of 8192 characters are accepted" 'q "INSERT INTO workers (id, owner, name) VALUES (printf('"'%.255c'"', '"'k'"'), '"'96.71.01'"', printf('"'%.8192c'"', '"'n'"'))"'
check_exit "... and sealed" 0 $SINKRON seal

# ownership at the write
check "a record inserted with another district as owner is refused" '! q "INSERT INTO workers (id, owner, name) VALUES ('"'967101-x1'"', '"'96.71.02'"', '"'X'"')" 2>/dev/null'
check "a record inserted with no owner is refused" '! q "INSERT INTO workers (id, name) VALUES ('"'967101-x2'"', '"'X'"')" 2>/dev/null'
check "a record given to another district is refused" '! q "UPDATE workers SET owner = '"'96.71.02'"' WHERE rowid = 1" 2>/dev/null'
check "an enrolment given no owner is refused" '! q "UPDATE enrolments SET owner = NULL" 2>/dev/null || [ "$(q "SELECT count(*) FROM enrolments")" = 0 ]'
out=$(q "UPDATE workers SET owner = '96.71.02' WHERE rowid = 1" 2>&1)
check "... saying why" 'printf "%s\n" "$out" | grep -q "may only change records it owns"'
check "a record of this office, inserted through the shell, is accepted" 'q "INSERT INTO workers (id, owner, name) VALUES ('"'967101-x3'"', '"'96.71.01'"', '"'X'"')"'
# the types, on an insert: a column declared TEXT stores a number as text, so only a blob is wrong there
out=$(q "INSERT INTO workers (id, owner, name) VALUES ('967101-x4', '96.71.01', x'00ff')" 2>&1)
check "a blob inserted where text belongs is refused, saying why" 'printf "%s\n" "$out" | grep -q "a value of the wrong type"'
check "a fraction inserted into a number column is refused" '! q "INSERT INTO workers (id, owner, income) VALUES ('"'967101-x5'"', '"'96.71.01'"', 1.5)" 2>/dev/null'
check "a number inserted into a text column is kept as text, and accepted" 'q "INSERT INTO workers (id, owner, name, income) VALUES ('"'967101-x6'"', '"'96.71.01'"', 42, '"'1500000'"')" &&
	[ "$(q "SELECT typeof(name) || typeof(income) FROM workers WHERE id = '"'967101-x6'"'")" = textinteger ]'
# a database whose guards an earlier version made as triggers of their own: the next open makes
# the capture triggers again with the guards inside and drops the old ones, and all is in step
q "CREATE TRIGGER sk_guard_workers_insert BEFORE INSERT ON workers BEGIN SELECT RAISE(ABORT, 'the earlier guard'); END;
   UPDATE sk_state SET value = 1 WHERE key = 'guards'"
check "a guard trigger of an earlier version is gone at the next open, and status is in step" '$SINKRON status >st.out 2>&1 &&
	! grep -q "NOT IN STEP" st.out && [ "$(q "SELECT count(*) FROM sqlite_schema WHERE name GLOB '"'sk_guard_*'"'")" = 0 ]'
check "... and the guards hold in the capture trigger" '! q "INSERT INTO workers (id, owner) VALUES ('"'967101-x7'"', '"'96.71.02'"')" 2>/dev/null &&
	q "INSERT INTO workers (id, owner) VALUES ('"'967101-x7'"', '"'96.71.01'"')"'
# sinkron's own apply (sk_ctx.applying) writes whatever a change-set carries, another office's
# records and the city's columns included: the guards let it through, and capture records nothing
check "while applying, the guards let any write through and nothing is captured" 'n0=$(q "SELECT count(*) FROM sk_outbox") &&
	q "UPDATE sk_ctx SET applying = 1; INSERT INTO workers (id, owner, kpj, name) VALUES ('"'967102-a1'"', '"'96.71.02'"', '"'24010000001'"', x'"'01'"');
	   UPDATE workers SET kpj = '"'24010000002'"' WHERE id = '"'967102-a1'"'; DELETE FROM workers WHERE id = '"'967102-a1'"'; UPDATE sk_ctx SET applying = 0" &&
	[ "$(q "SELECT count(*) FROM sk_outbox")" = "$n0" ]'
check_exit "every seal went on" 0 $SINKRON seal
check_cmd "verify: ok" $SINKRON verify

# an id that is not UTF-8 passes SQL's checks: the seal sets that change aside, names it, seals the rest
q "INSERT INTO workers (id, owner, name) VALUES (CAST(x'393637313031ff' AS TEXT), '96.71.01', 'Bad Id')"
q "UPDATE workers SET phone = '0813' WHERE rowid = 1"
out=$($SINKRON seal 2>&1); rc=$?
check "seal: exit 0, the good change sealed" '[ $rc -eq 0 ] && printf "%s\n" "$out" | grep -q "sealed 1 change(s)"'
check "... naming the change it could not seal and what to do" 'printf "%s\n" "$out" | grep -q "1 change(s) could not be sealed, the first to workers record .*give the record a proper id or delete it"'
check "the change set aside stays in the outbox, and status counts it" '[ "$(q "SELECT count(*) FROM sk_outbox")" = 1 ] && $SINKRON status | grep -q "1 change(s) to 1 record(s) not yet sealed"'
q "DELETE FROM workers WHERE name = 'Bad Id'"
check_exit "once the record is deleted, the seal is clean" 0 $SINKRON seal
check "the outbox is empty" '[ "$(q "SELECT count(*) FROM sk_outbox")" = 0 ]'
check_cmd "verify: ok" $SINKRON verify

# at the city an owner is where a row is sent: it must read as a region code
$SINKRON --db city.db init --city 96.71 >/dev/null 2>&1
check "the city refuses a receipt whose owner is not a region code" '! sqlite3 city.db "INSERT INTO receipts (id, owner) VALUES ('"'96.71.01'"', '"'96 71 01'"')" 2>/dev/null'
check "... and accepts one that is" 'sqlite3 city.db "INSERT INTO receipts (id, owner) VALUES ('"'96.71.01'"', '"'96.71.01'"')"'
check_exit "the city seals" 0 $SINKRON --db city.db seal

# the office code changed by hand: said, and nothing sealed under it
q "UPDATE settings SET value = '96 71 01' WHERE key = 'code'"
check "status says the office code was changed, and how to set it back" '$SINKRON status | grep -q "NOT IN STEP: the office code in the settings table was changed to .96 71 01."'
check "seal refuses" '! $SINKRON seal >/dev/null 2>&1'
q "UPDATE settings SET value = '96.71.01' WHERE key = 'code'"
check_exit "set back: seal goes on" 0 $SINKRON seal
finish

#!/bin/bash
# t0130-capture: every write to a synced table, made by sinkron or by the plain sqlite3 shell on the
# database file, lands in sk_outbox in the same transaction: insert (op 1), update with the bits of the
# changed columns only (op 2), delete (op 3, with the row's _sk); the shell's writes have a NULL
# operator; a rolled-back write leaves nothing; writes that change no synced column, or tables that
# are not synced, leave nothing; `sinkron seal` then `sinkron verify` says ok, and verify catches a
# write that went around the triggers.  Bad input never changes stored data.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

q() { sqlite3 sinkron.db "$1"; }
last() { q "SELECT tbl, pk, op, coalesce(cols, 'null'), coalesce(operator, 'null') FROM sk_outbox ORDER BY seq DESC LIMIT 1"; }
n() { q "SELECT count(*) FROM sk_outbox"; }
bit() { q "SELECT 1 << (count(*) - 1) FROM pragma_table_info('$1') WHERE cid <= (SELECT cid FROM pragma_table_info('$1') WHERE name = '$2') AND name NOT IN ('id', '_sk')"; }

$SINKRON init 96.71.01 >/dev/null 2>&1 || skip_all "init failed"
ID1=$($SINKRON worker add --nik 9671013112800001 --name "Yakobus Mambrasar" --birth-date 31/12/1980 --sex L --kelurahan Remu --phone 081234567890 2>/dev/null)
check "a worker added by sinkron" '[ -n "$ID1" ] && [ "$(last)" = "1|$ID1|1|null|test" ]'

# the sqlite3 shell, on the database file
q "INSERT INTO workers (id, owner, nik, name, birth_date, sex, kelurahan, status) VALUES ('shell-1', '96.71.01', '9671010101900001', 'Anton Kambu', '1990-01-01', 'L', '96.71.01.1004', 'active')"
check "shell insert: op 1, cols NULL, operator NULL" '[ "$(last)" = "1|shell-1|1|null|null" ]'
q "UPDATE workers SET phone = '081211112222' WHERE id = 'shell-1'"
check "shell update of one column: op 2, the phone bit, operator NULL" '[ "$(last)" = "1|shell-1|2|$(bit workers phone)|null" ]'
q "UPDATE workers SET name = 'Anton K.', address = 'Jl. Pisang' WHERE id = 'shell-1'"
check "shell update of two columns: both bits" '[ "$(last)" = "1|shell-1|2|$(( $(bit workers name) | $(bit workers address) ))|null" ]'
c0=$(n)
q "UPDATE workers SET name = 'Anton K.' WHERE id = 'shell-1'"
check "shell update to the same value: nothing captured" '[ "$(n)" = $c0 ]'
q "UPDATE workers SET phone = '081299990000', phone = '081211112222' WHERE id = 'shell-1'" 2>/dev/null
check "shell update that ends where it began: nothing captured" '[ "$(n)" = $c0 ]'
q "BEGIN; UPDATE workers SET occupation = 'Nelayan' WHERE id = 'shell-1'; ROLLBACK;"
check "shell update rolled back: nothing captured, row unchanged" '[ "$(n)" = $c0 ] && [ "$(q "SELECT typeof(occupation) FROM workers WHERE id = \"shell-1\"")" = null ]'
q "INSERT INTO regions VALUES ('96.71.01.9999', 'Test', 'kelurahan'); UPDATE settings SET value = value WHERE key = 'name'; UPDATE rates SET regulation = regulation || ' (checked)' WHERE program = 'JHT'"
check "writes to tables that are not synced (regions, settings, rates): nothing captured" '[ "$(n)" = $c0 ]'
q "DELETE FROM regions WHERE code = '96.71.01.9999'"
q "INSERT INTO heirs (id, owner, worker_id, name, relationship) VALUES ('shell-h1', '96.71.01', 'shell-1', 'Maria', 'istri'); INSERT INTO enrolments (id, owner, worker_id, program, funder, start_on, income) VALUES ('shell-e1', '96.71.01', 'shell-1', 'JKM', 'APBD Kota', '2026-01-01', 1000000)"
check "shell inserts into heirs and enrolments: tbl 2 and 3, op 1" '[ "$(q "SELECT group_concat(tbl || \"/\" || op || \"/\" || pk) FROM (SELECT * FROM sk_outbox WHERE seq > (SELECT max(seq) - 2 FROM sk_outbox) ORDER BY seq)")" = "2/1/shell-h1,3/1/shell-e1" ]'
q "UPDATE enrolments SET end_on = '2026-06-30' WHERE id = 'shell-e1'"
check "shell update of an enrolment: the end_on bit of enrolments" '[ "$(last)" = "3|shell-e1|2|$(bit enrolments end_on)|null" ]'
q "DELETE FROM heirs WHERE id = 'shell-h1'"
check "shell delete: op 3" '[ "$(last)" = "2|shell-h1|3|null|null" ]'
q "UPDATE workers SET id = 'shell-2' WHERE id = 'shell-1'"
check "shell change of an id: a delete of the old id and an insert of the new" '[ "$(q "SELECT group_concat(op || \"/\" || pk) FROM (SELECT * FROM sk_outbox WHERE seq > (SELECT max(seq) - 2 FROM sk_outbox) ORDER BY seq)")" = "3/shell-1,1/shell-2" ]'
q "UPDATE enrolments SET worker_id = 'shell-2' WHERE worker_id = 'shell-1'"
check "a multi-statement shell transaction is captured whole" '[ "$(last)" = "3|shell-e1|2|$(bit enrolments worker_id)|null" ]'

# seal, then verify
out=$($SINKRON seal 2>&1); rc=$?
check "seal: exit 0" '[ $rc -eq 0 ]'
check "seal empties the outbox" '[ "$(n)" = 0 ]'
check "status: nothing waits to be sealed" '! $SINKRON status | grep -q "not yet sealed"'
out=$($SINKRON verify 2>&1); rc=$?
check "verify after seal: ok, exit 0" '[ $rc -eq 0 ] && printf "%s\n" "$out" | grep -qx ok'
check "every synced row has its _sk after the seal" '[ "$(q "SELECT count(*) FROM workers WHERE _sk IS NULL") $(q "SELECT count(*) FROM enrolments WHERE _sk IS NULL")" = "0 0" ]'

# changes made after a seal are pending: verify takes them as such
q "UPDATE workers SET occupation = 'Petani' WHERE id = 'shell-2'"
check "verify with a shell update pending: still ok" '$SINKRON verify 2>&1 | grep -qx ok'
# a delete after the seal carries the row's _sk
q "DELETE FROM enrolments WHERE id = 'shell-e1'"
check "shell delete of a sealed row: op 3 with its _sk in old" '[ "$(q "SELECT op, length(old) > 0 FROM sk_outbox ORDER BY seq DESC LIMIT 1")" = "3|1" ]'
check "status counts the shell's changes as not yet sealed" '$SINKRON status | grep -q "2 change(s) to 2 record(s) not yet sealed"'
check "verify with a shell delete pending: still ok (the deleted row's hash is in sk_outbox.old)" '$SINKRON verify 2>&1 | grep -qx ok'
check_exit "seal again" 0 $SINKRON seal
out=$($SINKRON verify 2>&1); rc=$?
check "verify after the second seal: ok" '[ $rc -eq 0 ] && printf "%s\n" "$out" | grep -qx ok'
check "a tombstone for the deleted enrolment" '[ "$(q "SELECT count(*) FROM sk_tombstones WHERE pk = \"shell-e1\"")" = 1 ]'

# what the triggers promise not to capture: _sk (sinkron's own), and writes while sinkron applies
c0=$(n)
q "UPDATE workers SET _sk = NULL WHERE id = 'shell-2'"
check "a shell write to _sk only: not captured" '[ "$(n)" = $c0 ]'
out=$($SINKRON verify 2>&1); rc=$?
check "... and verify catches it: exit 1, MISMATCH" '[ $rc -eq 1 ] && printf "%s\n" "$out" | grep -q MISMATCH'
# a fresh database for the applying flag
mkdir b && cd b && $SINKRON init 96.71.01 >/dev/null 2>&1
$SINKRON worker add --nik 9671013112800001 --name "Yakobus Mambrasar" --birth-date 31/12/1980 --sex L --kelurahan Remu >/dev/null 2>&1
$SINKRON seal >/dev/null 2>&1
q "UPDATE sk_ctx SET applying = 1; UPDATE workers SET name = 'Diam-diam'; UPDATE sk_ctx SET applying = 0"
check "a write made while sk_ctx.applying is set: not captured" '[ "$(n)" = 0 ]'
out=$($SINKRON verify 2>&1); rc=$?
check "... verify catches it: exit 1" '[ $rc -eq 1 ] && printf "%s\n" "$out" | grep -q MISMATCH'
cd ..

# bad input never changes stored data
$SINKRON --db good.db init 96.71.01 >/dev/null 2>&1
G() { $SINKRON --db good.db "$@"; }
GID=$(G worker add --nik 9671013112800001 --name "Yakobus Mambrasar" --birth-date 31/12/1980 --sex L --kelurahan Remu --phone 081234567890 --income 1500000 2>/dev/null)
G enrol $GID --program JKK+JKM --funder "APBD Kota" --start 2026-01 --decision "SK 1/2026" >/dev/null 2>&1
G seal >/dev/null 2>&1
snap() { sqlite3 good.db "SELECT * FROM workers; SELECT * FROM enrolments; SELECT * FROM heirs; SELECT * FROM sk_outbox; SELECT * FROM sk_state"; }
s0=$(snap)
G worker edit $GID --nik 12345 >/dev/null 2>&1
G worker edit $GID --birth-date 30/02/1980 >/dev/null 2>&1
G worker edit $GID --kelurahan Klawalu --phone 081200000000 >/dev/null 2>&1
G worker edit $GID --phone "0812-abc" --name "Nama Baru" >/dev/null 2>&1
G worker add --nik 9671013112800001 --name "Dobel" --birth-date 31/12/1980 --sex L --kelurahan Remu >/dev/null 2>&1
G enrol $GID --program JKK --funder "APBD Kota" >/dev/null 2>&1
G enrol $GID --program JKM+JHT --funder "APBD Kota" >/dev/null 2>&1
G heir add $GID --name "X" --relationship teman >/dev/null 2>&1
G worker end $GID >/dev/null 2>&1
G bill --month 2026-00 >/dev/null 2>&1
printf 'NIK,Nama,Jenis Kelamin,Tanggal Lahir,Kelurahan,No HP\n9671013112800001,Nama Lain,L,31/12/1980,Klawalu,081200000000\n9671013112800001,Yakobus Mambrasar,L,31/12/1980,Remu,08-12\n9671013112800001,Yakobus Mambrasar,X,31/12/1980,Remu,081200000000\n' >bad.csv
G import bad.csv >/dev/null 2>&1; rc=$?
check "an import whose every row is bad for a registered NIK: exit 2" '[ $rc -eq 2 ]'
printf 'NIK;Nama\n"unterminated;quote\n' >broken.csv
G import broken.csv >/dev/null 2>&1
printf '\xff\xfeN\x00I\x00K\x00\n\x00' >utf16.csv
G import utf16.csv >/dev/null 2>&1; rc=$?
check "a UTF-16 file is refused with exit 2" '[ $rc -eq 2 ]'
check "after all that bad input: rows, outbox and state are byte for byte the same" '[ "$(snap)" = "$s0" ]'
check "... and verify says ok" '$SINKRON --db good.db verify 2>&1 | grep -qx ok'

# a value of the wrong type written with the sqlite3 shell would make a change-set every receiver
# refuses: the database refuses it at the write, and nothing is captured
check "the sqlite3 shell cannot put text into a number column" '! sqlite3 good.db "UPDATE workers SET income = '"'satu juta'"'" 2>err.txt && grep -q "wrong type" err.txt'
check "nor a blob where text belongs" '! sqlite3 good.db "UPDATE workers SET phone = x'"'00ff'"'" 2>/dev/null'
check "a number into a text column is stored as text and goes through" 'sqlite3 good.db "UPDATE workers SET phone = 81234567 WHERE rowid = (SELECT min(rowid) FROM workers)" && [ "$(sqlite3 good.db "SELECT typeof(phone) FROM workers WHERE rowid = (SELECT min(rowid) FROM workers)")" = text ]'
check "the refused writes changed and captured nothing" '[ "$(sqlite3 good.db "SELECT count(*) FROM sk_outbox WHERE op = 2")" -ge 1 ] && $SINKRON --db good.db seal >/dev/null && $SINKRON --db good.db verify 2>&1 | grep -qx ok'
finish

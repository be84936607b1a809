#!/bin/bash
# t0140-help: `sinkron help` lists the verbs and documents the exit codes; `sinkron help VERB` and
# `sinkron VERB --help` print the same text; an unknown verb or option exits 2 with a message on
# stderr; help needs no database.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

out=$($SINKRON help 2>err); rc=$?
check "help: exit 0, on stdout only" '[ $rc -eq 0 ] && [ -n "$out" ] && [ ! -s err ]'
for verb in init worker heir enrol import export bill status seal verify help; do
	check "help lists '$verb'" 'printf "%s\n" "$out" | grep -Eq "^  $verb +[a-z]"'
done
check "help documents the exit codes 0, 1 and 2" '[[ "$out" == *"Exit status: 0 done; 1 the operation failed"*"2 bad usage or bad input"* ]]'
check "help documents --db, \$SINKRON_DB, -C and the operator" '[[ "$out" == *"--db PATH"* && "$out" == *"\$SINKRON_DB"* && "$out" == *"-C DIR"* && "$out" == *"\$SINKRON_OPERATOR"* ]]'
check "--help is help" '[ "$($SINKRON --help)" = "$out" ]'
for verb in init worker heir enrol import export bill status seal verify; do
	a=$($SINKRON help $verb 2>&1); ra=$?
	b=$($SINKRON $verb --help 2>&1); rb=$?
	check "help $verb == $verb --help, exit 0" '[ $ra -eq 0 ] && [ $rb -eq 0 ] && [ "$a" = "$b" ] && [[ "$a" == "usage: sinkron $verb"* ]]'
done
check "help worker: the actions and the date formats" '$SINKRON help worker | grep -q "worker add" && $SINKRON help worker | grep -q "worker search" && $SINKRON help worker | grep -q "31/12/1980"'
check "help worker documents the exit codes" '$SINKRON help worker | grep -q "^Exit status: 0 done"'
check "worker add --help is worker's help too" '[ "$($SINKRON worker add --help)" = "$($SINKRON help worker)" ]'
check "help import: --template, --dry-run, --funder, the reject file, exit 2 on rejects" 'h=$($SINKRON help import); [[ "$h" == *"--template"* && "$h" == *"--dry-run"* && "$h" == *"--funder"* && "$h" == *".rejected.csv"* && "$h" == *"2 when some were rejected"* ]]'
check "help init names the three cities" 'h=$($SINKRON help init); [[ "$h" == *"96.71"* && "$h" == *"81.71"* && "$h" == *"33.75"* ]]'
check "help init promises no flag init does not have" '! $SINKRON help init | grep -q -- "--list"'
check "help bill gives the rates" '$SINKRON help bill | grep -q "JKK 1%" && $SINKRON help bill | grep -q "Rp6,800"'

$SINKRON frobnicate >out 2>err; rc=$?
check "an unknown verb: exit 2, message on stderr, nothing on stdout" '[ $rc -eq 2 ] && grep -q "no verb .frobnicate." err && [ ! -s out ]'
$SINKRON help frobnicate >out 2>err; rc=$?
check "help of an unknown verb: exit 2" '[ $rc -eq 2 ] && grep -q "frobnicate" err'
$SINKRON --frobnicate status >out 2>err; rc=$?
check "an unknown global option: exit 2" '[ $rc -eq 2 ] && grep -q "unknown option" err'
check_exit "no verb: exit 2" 2 $SINKRON
check_exit "--db without a value: exit 2" 2 $SINKRON --db
check_exit "--operator without a value: exit 2" 2 $SINKRON --operator
$SINKRON bill --month 2026-01 --frob >out 2>err; rc=$?
check "an unknown verb option: exit 2 with the verb's usage" '[ $rc -eq 2 ] && grep -q "unknown option" err && grep -q "usage: sinkron bill" err'
check "help needs no database (none was created)" '[ ! -e sinkron.db ]'
check_exit "--version" 0 $SINKRON --version
finish

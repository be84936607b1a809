#!/bin/bash
# t0050-layout: the rooms of the source tree keep their layers (scripts/check-layout): no include
# and no call from a lower layer up to a higher one, no circle of files calling each other, no
# source file over 1,000 lines.  It reads the objects `make` built.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

out=$("$TOP/scripts/check-layout" "$TOP/build" 2>&1)
check "check-layout ran and reported its five checks" '[ "$(printf "%s\n" "$out" | grep -Ec "^(not )?ok - ")" -eq 5 ]'
while IFS= read -r line; do
	case $line in
	"ok - "*) _passed=$((_passed + 1)); echo "$line" ;;
	"not ok - "*) _failed=$((_failed + 1)); echo "$line" ;;
	*) echo "$line" ;;
	esac
done <<<"$out"
finish

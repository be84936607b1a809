#!/bin/bash
# t4300-torture: 10 district agents against one central repository (git daemon), each through its own
# linkproxy on the bad-link profile (256 kbit/s, 600 ms RTT, cuts at random offsets, the link down a
# third of the time on a compressed time scale), random edits at every office while the agents are
# killed with kill -9 and restarted; then the links heal and every change any office committed must be
# in the central repository exactly once in effect, with the digests each office recorded (DESIGN.md
# invariants 1 and 5).  The scenario is tests/torture.sh, shared with tests/soak.
# SEED=N replays the same choices; TORTURE_SECONDS sets how long the edits last (default 90).

. "$(dirname "$0")/lib.sh"
. "$TOP/tests/servers.sh"
. "$TOP/tests/torture.sh"

TORTURE_SECONDS=${TORTURE_SECONDS:-90}
# about 7 kills per agent over the edits
TORTURE_KILL_EVERY=$(awk -v s="$TORTURE_SECONDS" -v n="$TORTURE_OFFICES" 'BEGIN { printf "%.2f", s / (n * 7) }')
TORTURE_PROGRESS=30
t0=$SECONDS
torture_setup
torture_run "$TORTURE_SECONDS"
torture_heal
torture_verify
check "every agent was killed with kill -9 at least 4 times (fewest: $T_MIN_KILLS)" '[ "$T_MIN_KILLS" -ge 4 ]'
echo "# seed $SEED, $((SECONDS - t0))s in all (links healed in ${T_HEAL_SECS}s)"
finish

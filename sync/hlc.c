/*
 * hlc.c: the hybrid logical clock.  A clock value is milliseconds << 16 | counter; the state
 * (the last value issued, the highest value received from others) lives in sk_state and moves
 * in the same transactions as the changes it stamps, so it is monotonic across restarts.
 */
#include "hlc.h"

#define SKEW_BOUND_MS (24LL * 3600 * 1000)

int64_t sk_hlc_skew_bound_ms(void)
{
	return SKEW_BOUND_MS;
}

uint64_t sk_hlc_start(struct sk_db *db, uint32_t *flags)
{
	int64_t wall = sk_wall_ms();
	uint64_t last = (uint64_t)sk_state_int(db, "hlc_last", 0);
	uint64_t seen = (uint64_t)sk_state_int(db, "hlc_seen", 0);
	uint64_t next, w = SK_HLC_MAKE(wall, 0);

	/* A wall clock far ahead of everything heard from others is flagged in the change-set
	 * (the city quarantines change-sets from the future); a clock far behind our own last
	 * value means it was ahead before and has been corrected: start again from the wall
	 * clock instead of carrying the error forever.  Per-cell stamps stay ordered because
	 * sealing stamps a cell above its previous clock (see seal.c). */
	if (seen && wall > SK_HLC_MS(seen) + SKEW_BOUND_MS)
		*flags |= SK_CSF_CLOCK_AHEAD;
	if (last && SK_HLC_MS(last) > wall + SKEW_BOUND_MS) {
		*flags |= SK_CSF_CLOCK_BEHIND;
		last = 0;
	}
	next = w > last ? w : last + 1;
	return next;
}

int sk_hlc_store(struct sk_db *db, uint64_t last)
{
	return sk_state_set_int(db, "hlc_last", (int64_t)last);
}

void sk_hlc_observe(struct sk_db *db, uint64_t remote)
{
	int64_t wall = sk_wall_ms();
	/* a clock from the future is not adopted, or one fast office would drag everyone along */
	if (SK_HLC_MS(remote) > wall + SKEW_BOUND_MS)
		return;
	if ((int64_t)remote > sk_state_int(db, "hlc_seen", 0))
		sk_state_set_int(db, "hlc_seen", (int64_t)remote);
	if ((int64_t)remote > sk_state_int(db, "hlc_last", 0))
		sk_state_set_int(db, "hlc_last", (int64_t)remote);
}

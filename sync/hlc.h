/* hlc.h: the hybrid logical clock of a database (hlc.c). */
#ifndef SK_HLC_H
#define SK_HLC_H
#include "db.h"
#include "api/changeset.h"
/* The first clock value for changes sealed now (the caller counts up from it and stores the
 * last one it used with sk_hlc_store in the same transaction); sets SK_CSF_CLOCK_* in *flags. */
uint64_t sk_hlc_start(struct sk_db *db, uint32_t *flags);
int sk_hlc_store(struct sk_db *db, uint64_t last);
/* Takes in a clock received from another office (bounded: see hlc.c). */
void sk_hlc_observe(struct sk_db *db, uint64_t remote);
int64_t sk_hlc_skew_bound_ms(void);
#endif

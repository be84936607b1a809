/*
 * sync.h: the one public header of sinkron's engine.  The agent (agent/) includes this and
 * nothing else of sync/.  Conventions: functions return 0 or a negative SK_E* code with the
 * message in sk_error_last(); output parameters come first and are named out; whoever
 * receives an object through **out owns it and frees it with the matching *_free(), which
 * accepts NULL.
 */
#ifndef SK_SYNC_H
#define SK_SYNC_H

#include "api/base.h"
#include "api/store.h"
#include "api/changeset.h"
#include "api/remote.h"
#include "api/history.h"
#include "api/consolidate.h"
#include "api/restore.h"
#include "api/registry.h"
#include "api/money.h"
#include "api/files.h"

#endif

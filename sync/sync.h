/*
 * sync.h: the one public header of sinkron's engine.  The agent (agent/) includes this and
 * nothing else of sync/.  Conventions: functions return 0 or a negative SK_E* code with the
 * message in sk_error_last(); output parameters come first and are named out; whoever
 * receives an object through **out owns it and frees it with the matching *_free(), which
 * accepts NULL.
 *
 * It gathers one header per concern from sync/api/, in the order of the layers that implement
 * them (README.md, "Layout"): base.h (the utilities), store.h (the database), changeset.h,
 * remote.h, history.h, consolidate.h, restore.h (the engine), registry.h, money.h, files.h (the
 * register's domain).  Inside sync/, a file includes the api headers of its own layer and below.
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

#ifndef DECIDE_SANDBOX_CONTROL_H
#define DECIDE_SANDBOX_CONTROL_H

#include "CLuaSandbox.h"

#include <stdatomic.h>

/* The per-state control block: the allocator's user data, also reachable through the state's extra space. */
typedef struct {
    size_t used;
    size_t memory_limit;
    int enforcing;
    long long budget;
    long long spent;
    int exhausted;
    int limit_hit;
    atomic_int interrupt;
    ds_flag *shared_interrupt;
    double timeout;
    double deadline;
    size_t max_string;
    ds_resolver resolver;
    void *host;
} ds_control;

/* The control block of a state (or of any of its threads). */
ds_control *ds_control_of(lua_State *L);

#endif

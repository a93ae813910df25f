#ifndef DECIDE_SANDBOX_CONTROL_H
#define DECIDE_SANDBOX_CONTROL_H

#include "CLuaSandbox.h"

#include <pthread.h>
#include <stdatomic.h>

/* A small block on the allocator's free list of its size class. */
typedef struct ds_free_block {
    struct ds_free_block *next;
} ds_free_block;

/* Size classes of the allocator's small blocks (16 bytes apart, up to 256), index 0 unused. */
#define DS_CLASSES 17

/* The per-state control block: the allocator's user data, also reachable through the state's extra space. */
typedef struct ds_control {
    size_t used;
    size_t memory_limit;
    ds_free_block *free_blocks[DS_CLASSES];
    size_t cached_bytes;
    int enforcing;
    long long budget;
    long long spent;
    int exhausted;
    int limit_hit;
    atomic_int interrupt;
    ds_flag *shared_interrupt;
    long long timeout_ns;
    /* The running call's deadline on the monotonic clock (0: none); the watchdog reads it. */
    atomic_llong deadline_ns;
    /* Whether the allocator refused memory during the call: Lua then ran an emergency collection, after which
       the state is replaced whatever the call's outcome. */
    int memory_refused;
        size_t max_string;
    ds_resolver resolver;
    void *host;
    /* The state's main thread, and the thread running now (the main thread or the coroutine it resumed): the one
       the watchdog's signal arms. */
    lua_State *main;
    _Atomic(lua_State *) running_thread;

    /* What the watchdog reads from its own thread. The owner writes `grace_ns`, `started_ns` and `thread` before
       the increment that makes `call` odd (sequentially consistent, so also a release), so the watchdog sees them
       once it has read an odd `call`. */
    atomic_llong grace_ns;  /* how long a call runs unmetered; 0: metered from its first instruction */
    atomic_ulong call;      /* odd while a protected call runs; each call adds 2 */
    atomic_llong started_ns;
    pthread_t thread;
    atomic_int signalling;  /* set by the watchdog while it signals `thread`, which must not exit meanwhile */

    /* The watchdog's own bookkeeping, under its lock. */
    unsigned long signalled;          /* the `call` value the watchdog last signalled for the grace */
    unsigned long deadline_signalled; /* the `call` value the watchdog last signalled for the deadline */
    struct ds_control *watch_previous;
    struct ds_control *watch_next;
} ds_control;

/* The most steps one library call may take, whatever the budget: far more than a table under the memory cap can
   hold, and little enough that no single call outlives a deadline by much. */
#define DS_MAX_STEPS (1LL << 24)

/* The control block of a state (or of any of its threads). */
ds_control *ds_control_of(lua_State *L);

/* The allocator (allocator.c), with `ud` the state's control block; and the release of the small blocks it keeps
   for reuse, once the state is closed. */
void *ds_alloc(void *ud, void *ptr, size_t osize, size_t nsize);
void ds_release_cache(ds_control *c);

/* Monotonic clock in nanoseconds. */
long long ds_now_ns(void);

/* Arms the count hook on `L` (a coroutine or the main thread) unless it already has one; safe in a signal handler
   on the thread running `L`, as lua_sethook is. */
void ds_arm_hook(lua_State *L);
/* Makes the hook fire at the very next instruction of `L` (a spent deadline or a raised interrupt is then raised
   there); safe in a signal handler like ds_arm_hook. */
void ds_arm_hook_now(lua_State *L);
/* Whether the call's deadline has passed or its interrupt is raised (async-signal-safe). */
int ds_must_stop(ds_control *c);

/* The watchdog (watchdog.c): every state is registered from creation to close; while a call of a state with a
   grace runs past it (or its interrupt is raised), the watchdog sends the calling thread a signal whose handler
   arms the count hook on the state's main thread. */
void ds_watch_register(ds_control *c);
void ds_watch_unregister(ds_control *c);
/* Brackets a protected call on the calling thread; `ds_call_begin` returns the call it nests in (normally NULL),
   which `ds_call_end` restores. After `ds_call_end` no signal of the watchdog's touches the state. */
ds_control *ds_call_begin(ds_control *c, long long now_ns);
void ds_call_end(ds_control *c, ds_control *outer);

#endif

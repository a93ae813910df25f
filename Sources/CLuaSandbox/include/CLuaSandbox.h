#ifndef DECIDE_CLUA_SANDBOX_H
#define DECIDE_CLUA_SANDBOX_H

#include <stddef.h>
#include <stdint.h>

/* The C side of the sandbox: everything that may raise a Lua error (and so longjmp) lives here,
   so that no longjmp ever crosses a Swift frame. Swift only calls these functions and reads statuses. */

typedef struct lua_State lua_State;

/** Which limit stopped the last protected call. */
typedef enum {
    DS_LIMIT_NONE = 0,
    DS_LIMIT_MEMORY = 1,
    DS_LIMIT_INSTRUCTIONS = 2,
    DS_LIMIT_DEADLINE = 3,
    DS_LIMIT_INTERRUPTED = 4,
    DS_LIMIT_STRING = 5,
} ds_limit;

/** Resolves `require(name)` for the host: on success sets `*source`/`*length`/`*chunkname` (owned by the host
    until the next call) and returns 0; on failure sets `*source`/`*length` to a message and returns non-zero.
    It must not touch the Lua state. */
typedef int (*ds_resolver)(void *host, const char *name, size_t name_length,
                           const char **source, size_t *length, const char **chunkname);

/** Creates a state with the capped allocator, the safe standard libraries opened and nothing else.
    Returns NULL when the process is out of memory. */
lua_State *ds_newstate(size_t memory_limit);
/** Closes a state made by `ds_newstate` and frees its control block. */
void ds_close(lua_State *L);

/** Sets the per-call limits used by `ds_pcall`. A budget or deadline of 0 means none. A call runs its first
    `unmetered_seconds` with no count hook (its instructions are not counted); 0 meters it from the first
    instruction. */
void ds_set_limits(lua_State *L, long long instruction_budget, double deadline_seconds, double unmetered_seconds,
                   size_t max_string);
/** Sets the memory cap in bytes. */
void ds_set_memory_limit(lua_State *L, size_t memory_limit);
/** Registers the host's `require` resolver. */
void ds_set_resolver(lua_State *L, ds_resolver resolver, void *host);

/** Calls the function below `nargs` arguments under every limit: memory cap enforced, instruction budget and
    deadline armed (after the unmetered grace, by the watchdog, when the state has one), and disarmed again on
    return. Returns the `lua_pcall` status. */
int ds_pcall(lua_State *L, int nargs, int nresults);
/** The limit that stopped the last `ds_pcall`, or DS_LIMIT_NONE. */
int ds_last_limit(lua_State *L);
/** Whether the last `ds_pcall` left the state in doubt: a limit stopped it, or the allocator refused memory during
    it (Lua then ran an emergency collection), even if the call recovered. The state must then be replaced. */
int ds_needs_replacement(lua_State *L);
/** VM instructions counted during the last `ds_pcall` (to the hook's granularity; not those of its unmetered
    grace). */
long long ds_last_instructions(lua_State *L);
/** Bytes the state has allocated now. */
size_t ds_memory_used(lua_State *L);
/** Asks the running call to stop at its next hook (safe from any thread, e.g. a SIGINT handler); an unmetered call
    is armed by the watchdog within one tick. */
void ds_interrupt(lua_State *L);

/** An interrupt flag several states can share, raised from any thread (or a signal handler) and cleared by the
    host: while it is raised, every protected call of a state watching it stops at its next hook (an unmetered
    call is armed by the watchdog within one tick). */
typedef struct ds_flag ds_flag;
/** A new, lowered flag; NULL when out of memory. */
ds_flag *ds_flag_new(void);
/** Frees a flag no state watches any more. */
void ds_flag_free(ds_flag *flag);
/** Raises the flag (async-signal-safe: one atomic store). */
void ds_flag_raise(ds_flag *flag);
/** Lowers the flag. */
void ds_flag_clear(ds_flag *flag);
/** Whether the flag is raised. */
int ds_flag_is_raised(ds_flag *flag);
/** Makes the state's protected calls stop while `flag` is raised (NULL: watch none). The flag must outlive the
    state or be unset first. */
void ds_watch_flag(lua_State *L, ds_flag *flag);

/** Charges `units` of work done inside C (pattern matching steps) to the call's budget.
    Raises the budget error when the budget or deadline is spent. */
void ds_charge(lua_State *L, long long units);

/** Pushes the `require` trampoline: `require(name)` asks the host's resolver for the module's text and returns
    `source, chunkname`, raising a Lua error with the resolver's message when it fails. */
void ds_push_resolve(lua_State *L);
/** Pushes the guarded `string.rep`: refuses results over the sandbox's string limit and charges its copying. */
void ds_push_guarded_rep(lua_State *L);
/** Pushes a copy of the `table` library whose `move`, `insert`, `remove`, `concat`, `unpack` and `sort` charge the
    range they will walk to the call's budget before walking it, and refuse ranges no table could hold. */
void ds_push_table_library(lua_State *L);
/** Pushes a table with `create`, `wrap` and `resume`: Lua's own, except that each new coroutine is metered from its
    first instruction (a call's main thread may run unmetered; its coroutines never do), and that the running
    coroutine is recorded so a spent deadline stops it. */
void ds_push_coroutine_library(lua_State *L);
/** Pushes a table with `pairs` and `next` that visit a table's keys in an order depending only on the keys. */
void ds_push_order_library(lua_State *L);
/** Pushes a table with `get(v)` and `set(t, mt)`: raw metatable access that ignores `__metatable`, for trusted code
    only. */
void ds_push_metatable_access(lua_State *L);
/** Pushes `check_source(text)`: nil, or the line and a description of a construct Lua 5.4.4 miscompiles. */
void ds_push_source_check(lua_State *L);
/** Pushes `check_bytecode(f)`: nil, or the line and a description of a function Lua 5.4.4 may have miscompiled. */
void ds_push_bytecode_check(lua_State *L);
/** Pushes a table with the guarded pattern functions `find`, `match`, `gmatch` and `gsub`, whose work is charged
    to the call's budget so catastrophic patterns stop. */
void ds_push_pattern_library(lua_State *L);

#endif

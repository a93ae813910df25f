#include "CLuaSandbox.h"
#include "control.h"

#include <lua5.4/lauxlib.h>
#include <lua5.4/lua.h>
#include <lua5.4/lualib.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How many VM instructions pass between two hook calls while the budget lasts. */
#define DS_HOOK_STEP 1000

ds_control *ds_control_of(lua_State *L) {
    return *(ds_control **)lua_getextraspace(L);
}

static int ds_panic(lua_State *L) {
    const char *msg = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "non-string error";
    fprintf(stderr, "decide: unprotected Lua error: %s\n", msg);
    abort();
    return 0;
}

static const char *ds_limit_message(int limit) {
    switch (limit) {
    case DS_LIMIT_INSTRUCTIONS: return "instruction budget exceeded";
    case DS_LIMIT_DEADLINE: return "wall-clock deadline exceeded";
    case DS_LIMIT_INTERRUPTED: return "interrupted";
    default: return "limit exceeded";
    }
}

static void ds_hook(lua_State *L, lua_Debug *ar);

static int ds_interrupted(ds_control *c) {
    return atomic_load(&c->interrupt) || (c->shared_interrupt != NULL && ds_flag_is_raised(c->shared_interrupt));
}

static int ds_past_deadline(ds_control *c) {
    long long deadline = atomic_load_explicit(&c->deadline_ns, memory_order_relaxed);
    return deadline > 0 && ds_now_ns() > deadline;
}

int ds_must_stop(ds_control *c) { return ds_interrupted(c) || ds_past_deadline(c); }

/* Returns the limit that is now spent, or DS_LIMIT_NONE. */
static int ds_spent(ds_control *c) {
    if (ds_interrupted(c)) return DS_LIMIT_INTERRUPTED;
    if (c->budget > 0 && c->spent > c->budget) return DS_LIMIT_INSTRUCTIONS;
    if (ds_past_deadline(c)) return DS_LIMIT_DEADLINE;
    return DS_LIMIT_NONE;
}

/* Records a spent limit and raises it. The hook is re-armed to fire on every instruction of the thread that ran
   into the limit and of the main thread, so a script's own pcall cannot swallow the error: the very next
   instruction raises it again (other coroutines have their own hooks, which see the same spent limit). */
static void ds_exhaust(lua_State *L, ds_control *c, int limit) {
    c->exhausted = limit;
    c->limit_hit = limit;
    if (lua_gethookcount(L) != 1) lua_sethook(L, ds_hook, LUA_MASKCOUNT, 1);
    if (L != c->main) lua_sethook(c->main, ds_hook, LUA_MASKCOUNT, 1);
    /* No position here: in a hook, level 1 is the caller of the running function, not the code that ran into the
       limit; the message handler adds the position of the nearest script frame. */
    lua_pushstring(L, ds_limit_message(limit));
    lua_error(L);
}

static void ds_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    ds_control *c = ds_control_of(L);
    c->spent += lua_gethookcount(L);
    int limit = c->exhausted ? c->exhausted : ds_spent(c);
    if (limit != DS_LIMIT_NONE) ds_exhaust(L, c, limit);
}

void ds_arm_hook_now(lua_State *L) { lua_sethook(L, ds_hook, LUA_MASKCOUNT, 1); }

void ds_arm_hook(lua_State *L) {
    if (lua_gethook(L) == NULL) lua_sethook(L, ds_hook, LUA_MASKCOUNT, DS_HOOK_STEP);
}

void ds_charge(lua_State *L, long long units) {
    ds_control *c = ds_control_of(L);
    if (!c->enforcing) return;
    c->spent += units < 0 ? 0 : units;
    int limit = c->exhausted ? c->exhausted : ds_spent(c);
    if (limit != DS_LIMIT_NONE) ds_exhaust(L, c, limit);
}

lua_State *ds_newstate(size_t memory_limit) {
    ds_control *c = calloc(1, sizeof(ds_control));
    if (c == NULL) return NULL;
    c->memory_limit = memory_limit;
    lua_State *L = lua_newstate(ds_alloc, c);
    if (L == NULL) {
        free(c);
        return NULL;
    }
    *(ds_control **)lua_getextraspace(L) = c;
    c->main = L;
    atomic_init(&c->running_thread, L);
    lua_atpanic(L, ds_panic);
    luaL_requiref(L, LUA_GNAME, luaopen_base, 1);
    luaL_requiref(L, LUA_STRLIBNAME, luaopen_string, 1);
    luaL_requiref(L, LUA_TABLIBNAME, luaopen_table, 1);
    luaL_requiref(L, LUA_MATHLIBNAME, luaopen_math, 1);
    luaL_requiref(L, LUA_UTF8LIBNAME, luaopen_utf8, 1);
    luaL_requiref(L, LUA_COLIBNAME, luaopen_coroutine, 1);
    luaL_requiref(L, LUA_OSLIBNAME, luaopen_os, 1);
    luaL_requiref(L, LUA_DBLIBNAME, luaopen_debug, 1);
    lua_settop(L, 0);
    /* Deciding a customer makes short-lived garbage (candidate lists, reasons): the generational collector keeps
       it young and the state small. */
    lua_gc(L, LUA_GCGEN, 0, 0);
    ds_watch_register(c);
    return L;
}

void ds_close(lua_State *L) {
    ds_control *c = ds_control_of(L);
    ds_watch_unregister(c);
    lua_close(L);
    ds_release_cache(c);
    free(c);
}

void ds_set_limits(lua_State *L, long long instruction_budget, double deadline_seconds, double unmetered_seconds,
                   size_t max_string) {
    ds_control *c = ds_control_of(L);
    c->budget = instruction_budget;
    c->timeout_ns = deadline_seconds > 0 ? (long long)(deadline_seconds * 1e9) : 0;
    /* The deadline is checked by the hook too, so a grace may not outlast it. */
    double grace = deadline_seconds > 0 && unmetered_seconds > deadline_seconds ? deadline_seconds : unmetered_seconds;
    atomic_store(&c->grace_ns, grace > 0 ? (long long)(grace * 1e9) : 0);
    c->max_string = max_string;
}

void ds_set_memory_limit(lua_State *L, size_t memory_limit) { ds_control_of(L)->memory_limit = memory_limit; }

void ds_set_resolver(lua_State *L, ds_resolver resolver, void *host) {
    ds_control *c = ds_control_of(L);
    c->resolver = resolver;
    c->host = host;
}

/* The chunk names of the host's trusted Lua: frames of these are skipped when looking for the script's position.
   Scripts cannot name a chunk like this (the sandbox's `load` prefixes every name it is given). */
static int ds_trusted_chunk(const char *source) {
    return strcmp(source, "=sandbox") == 0 || strcmp(source, "=decide-engine") == 0;
}

/* How many stack levels the message handler looks at for the script's position: enough to get past the engine's
   frames, and a constant, so that handling an error costs the same however deep the stack is. */
#define DS_HANDLER_LEVELS 12

/* Gives a message raised from C (no position of its own) the file and line of the nearest script frame. */
static int ds_message_handler(lua_State *L) {
    if (lua_type(L, 1) != LUA_TSTRING) return 1;
    /* The error may be a stack overflow: add nothing when there is no room. */
    if (!lua_checkstack(L, 2)) return 1;
    size_t length = 0;
    const char *message = lua_tolstring(L, 1, &length);
    lua_Debug ar;
    for (int level = 1; level <= DS_HANDLER_LEVELS && lua_getstack(L, level, &ar); level++) {
        lua_getinfo(L, "Sl", &ar);
        if (ar.currentline <= 0 || ds_trusted_chunk(ar.source)) continue;
        size_t prefix = strlen(ar.short_src);
        if (length > prefix && strncmp(message, ar.short_src, prefix) == 0 && message[prefix] == ':') return 1;
        lua_pushfstring(L, "%s:%d: %s", ar.short_src, ar.currentline, message);
        return 1;
    }
    return 1;
}

int ds_pcall(lua_State *L, int nargs, int nresults) {
    ds_control *c = ds_control_of(L);
    c->spent = 0;
    c->exhausted = DS_LIMIT_NONE;
    c->limit_hit = DS_LIMIT_NONE;
    c->memory_refused = 0;
    atomic_store(&c->interrupt, 0);
    /* Relaxed: ds_call_begin's increment of `call` publishes them to the watchdog. */
    atomic_store_explicit(&c->running_thread, L, memory_order_relaxed);
    long long now = ds_now_ns();
    atomic_store_explicit(&c->deadline_ns, c->timeout_ns > 0 ? now + c->timeout_ns : 0, memory_order_relaxed);
    c->enforcing = 1;
    int base = lua_gettop(L) - nargs;
    lua_pushcfunction(L, ds_message_handler);
    lua_insert(L, base);
    ds_control *outer = ds_call_begin(c, now);
    int status = lua_pcall(L, nargs, nresults, base);
    ds_call_end(c, outer);
    atomic_store_explicit(&c->deadline_ns, 0, memory_order_relaxed);
    lua_remove(L, base);
    c->enforcing = 0;
    lua_sethook(L, NULL, 0, 0);
    if (status == LUA_OK && c->exhausted != DS_LIMIT_NONE) {
        /* The limit was raised in a coroutine and no instruction ran after its resume returned it (as in
           `return coroutine.resume(co)`): the call still fails with it. */
        lua_settop(L, base - 1);
        lua_pushstring(L, ds_limit_message(c->exhausted));
        status = LUA_ERRRUN;
    }
    if (status == LUA_OK) c->limit_hit = DS_LIMIT_NONE;
    return status;
}

int ds_last_limit(lua_State *L) { return ds_control_of(L)->limit_hit; }
int ds_needs_replacement(lua_State *L) {
    ds_control *c = ds_control_of(L);
    return c->limit_hit != DS_LIMIT_NONE || c->memory_refused;
}
long long ds_last_instructions(lua_State *L) { return ds_control_of(L)->spent; }
size_t ds_memory_used(lua_State *L) { return ds_control_of(L)->used; }
void ds_interrupt(lua_State *L) { atomic_store(&ds_control_of(L)->interrupt, 1); }

struct ds_flag {
    atomic_int raised;
};

ds_flag *ds_flag_new(void) {
    ds_flag *flag = malloc(sizeof(ds_flag));
    if (flag != NULL) atomic_init(&flag->raised, 0);
    return flag;
}
void ds_flag_free(ds_flag *flag) { free(flag); }
void ds_flag_raise(ds_flag *flag) { atomic_store(&flag->raised, 1); }
void ds_flag_clear(ds_flag *flag) { atomic_store(&flag->raised, 0); }
int ds_flag_is_raised(ds_flag *flag) { return atomic_load(&flag->raised); }
void ds_watch_flag(lua_State *L, ds_flag *flag) { ds_control_of(L)->shared_interrupt = flag; }

static int ds_resolve(lua_State *L) {
    size_t length = 0;
    const char *name = luaL_checklstring(L, 1, &length);
    ds_control *c = ds_control_of(L);
    if (c->resolver == NULL) return luaL_error(L, "module '%s' not found: require is not available here", name);
    const char *source = NULL, *chunkname = NULL;
    size_t source_length = 0;
    int failed = c->resolver(c->host, name, length, &source, &source_length, &chunkname);
    if (failed) {
        lua_pushlstring(L, source, source_length);
        return lua_error(L);
    }
    lua_pushlstring(L, source, source_length);
    lua_pushstring(L, chunkname);
    return 2;
}

void ds_push_resolve(lua_State *L) { lua_pushcfunction(L, ds_resolve); }

/* Trusted code's access to metatables, bypassing `__metatable`: get(v) returns v's metatable itself (or nil), and
   set(t, mt) sets t's (nil removes it) with no check. Never handed to scripts. */
static int ds_raw_getmetatable(lua_State *L) {
    luaL_checkany(L, 1);
    if (!lua_getmetatable(L, 1)) lua_pushnil(L);
    return 1;
}

static int ds_raw_setmetatable(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    if (lua_isnoneornil(L, 2)) lua_pushnil(L);
    else luaL_checktype(L, 2, LUA_TTABLE);
    lua_settop(L, 2);
    lua_setmetatable(L, 1);
    lua_settop(L, 1);
    return 1;
}

void ds_push_metatable_access(lua_State *L) {
    lua_createtable(L, 0, 2);
    lua_pushcfunction(L, ds_raw_getmetatable);
    lua_setfield(L, -2, "get");
    lua_pushcfunction(L, ds_raw_setmetatable);
    lua_setfield(L, -2, "set");
}

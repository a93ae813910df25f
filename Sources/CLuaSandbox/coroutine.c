/* The sandbox's coroutines: `create`, `wrap` and `resume` as in Lua 5.4, except that
   - each new coroutine gets the instruction budget's count hook before it first runs. A call starts unmetered (see
     watchdog.c), and a Lua thread copies its hook from its creator only when it is created, so a coroutine created
     early in a call would otherwise run unhooked for good. Flows rarely use coroutines, and those that do pay the
     hook's cost only inside them;
   - resuming records which thread runs, so that the watchdog's signal arms the coroutine that is running and not
     only the main thread (a deadline must stop a coroutine whose every instruction is slow).

   `resume` and the function `wrap` returns are Lua 5.4.4's `auxresume`, `luaB_coresume` and `auxwrap` (lcorolib.c)
   with that bookkeeping added; they call lua_resume directly, which never raises into its caller, so the running
   thread is always restored. */

#include "control.h"

#include <lua5.4/lauxlib.h>
#include <lua5.4/lua.h>
#include <lua5.4/lualib.h>

/* Hooks the coroutine at `index`, which must be one. */
static void ds_meter_coroutine(lua_State *L, int index) {
    lua_State *co = lua_tothread(L, index);
    if (co == NULL) luaL_error(L, "coroutine: the sandbox could not meter a new coroutine");
    ds_arm_hook(co);
}

static int ds_create(lua_State *L) {
    luaL_checktype(L, 1, LUA_TFUNCTION);
    lua_State *co = lua_newthread(L);
    lua_pushvalue(L, 1);
    lua_xmove(L, co, 1);
    ds_meter_coroutine(L, -1);
    return 1;
}

/* Resumes `co` with `narg` values from the top of L's stack; returns how many results it moved to L, or -1 with an
   error message on top. */
static int ds_auxresume(lua_State *L, lua_State *co, int narg) {
    if (!lua_checkstack(co, narg)) {
        lua_pushliteral(L, "too many arguments to resume");
        return -1;
    }
    lua_xmove(L, co, narg);
    ds_control *c = ds_control_of(L);
    lua_State *previous = atomic_exchange(&c->running_thread, co);
    int nres = 0;
    int status = lua_resume(co, L, narg, &nres);
    atomic_store(&c->running_thread, previous);
    if (status == LUA_OK || status == LUA_YIELD) {
        if (!lua_checkstack(L, nres + 1)) {
            lua_pop(co, nres);
            lua_pushliteral(L, "too many results to resume");
            return -1;
        }
        lua_xmove(co, L, nres);
        return nres;
    }
    lua_xmove(co, L, 1);
    return -1;
}

static int ds_resume(lua_State *L) {
    lua_State *co = lua_tothread(L, 1);
    luaL_argexpected(L, co != NULL, 1, "coroutine");
    int r = ds_auxresume(L, co, lua_gettop(L) - 1);
    if (r < 0) {
        lua_pushboolean(L, 0);
        lua_insert(L, -2);
        return 2;
    }
    lua_pushboolean(L, 1);
    lua_insert(L, -(r + 1));
    return r + 1;
}

static int ds_auxwrap(lua_State *L) {
    lua_State *co = lua_tothread(L, lua_upvalueindex(1));
    int r = ds_auxresume(L, co, lua_gettop(L));
    if (r < 0) {
        int status = lua_status(co);
        if (status != LUA_OK && status != LUA_YIELD) {
            /* Flows cannot declare to-be-closed values (no __close), so this only marks the coroutine dead. */
            status = lua_resetthread(co);
            lua_xmove(co, L, 1);
        }
        if (status != LUA_ERRMEM && lua_type(L, -1) == LUA_TSTRING) {
            luaL_where(L, 1);
            lua_insert(L, -2);
            lua_concat(L, 2);
        }
        return lua_error(L);
    }
    return r;
}

static int ds_wrap(lua_State *L) {
    ds_create(L);
    lua_pushcclosure(L, ds_auxwrap, 1);
    return 1;
}

void ds_push_coroutine_library(lua_State *L) {
    static const luaL_Reg functions[] = {
        {"create", ds_create}, {"wrap", ds_wrap}, {"resume", ds_resume}, {NULL, NULL},
    };
    luaL_newlib(L, functions);
}

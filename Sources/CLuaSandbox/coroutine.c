/* Metered coroutines: `coroutine.create` and `coroutine.wrap` as in Lua 5.4, except that the new coroutine gets the
   instruction budget's count hook before it first runs.

   A call starts unmetered (see watchdog.c), and a Lua thread copies its hook from its creator only when it is
   created, so a coroutine created early in a call would otherwise run unhooked for good: the watchdog arms the
   main thread only, and a hook set there never reaches a coroutine that is already running. Metering every
   coroutine from its first instruction closes that hole without tracking which thread runs; flows rarely use
   coroutines, and those that do pay the hook's cost only inside them. */

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

/* Calls the real function (upvalue 1) with this call's arguments; leaves its one result on top. */
static void ds_call_real(lua_State *L) {
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
}

static int ds_create(lua_State *L) {
    ds_call_real(L);
    ds_meter_coroutine(L, -1);
    return 1;
}

/* Lua 5.4's wrap returns a C closure whose first upvalue is the coroutine it resumes. */
static int ds_wrap(lua_State *L) {
    ds_call_real(L);
    if (lua_getupvalue(L, -1, 1) == NULL) luaL_error(L, "coroutine.wrap: the sandbox could not meter a new coroutine");
    ds_meter_coroutine(L, -1);
    lua_pop(L, 1);
    return 1;
}

void ds_push_coroutine_library(lua_State *L) {
    lua_createtable(L, 0, 2);
    lua_getglobal(L, LUA_COLIBNAME);
    lua_getfield(L, -1, "create");
    lua_pushcclosure(L, ds_create, 1);
    lua_setfield(L, -3, "create");
    lua_getfield(L, -1, "wrap");
    lua_pushcclosure(L, ds_wrap, 1);
    lua_setfield(L, -3, "wrap");
    lua_pop(L, 1);
}

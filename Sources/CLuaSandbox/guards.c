/* Guards for the library functions whose work is not bounded by the size of their arguments.

   The count hook only runs between VM instructions, so a C function that loops stays unmetered for as long as it
   runs. Most of the standard library works in proportion to strings or tables a script already holds, which the
   memory cap bounds; these do not:
   - `string.rep` can repeat an empty string `math.maxinteger` times, or build a string far past the memory cap;
   - `table.move`, `table.insert`, `table.remove`, `table.concat`, `table.unpack` and `table.sort` loop over a range
     that a script chooses, or that a `__len` metamethod reports, and read and write it through `__index` and
     `__newindex` metamethods, which may themselves be C functions (so no instruction ever runs).
   Each guard works out how many steps the real function will take before calling it, charges them to the call's
   budget, and refuses outright a range longer than DS_MAX_STEPS, whatever the budget, so that no single call runs
   long enough to outlive a deadline by much. */

#include "control.h"

#include <lua5.4/lauxlib.h>
#include <lua5.4/lua.h>
#include <lua5.4/lualib.h>

#include <math.h>
#include <stdio.h>

/* Charges `steps` to the call, or raises when they are more than one call may take. */
static void ds_guard_steps(lua_State *L, const char *name, double steps) {
    if (steps > (double)DS_MAX_STEPS) {
        char message[160];
        snprintf(message, sizeof message, "%s: a range of %.0f elements exceeds the sandbox's limit of %lld per call",
                 name, steps, DS_MAX_STEPS);
        luaL_error(L, "%s", message);
    }
    if (steps > 0) ds_charge(L, (long long)steps);
}

/* Calls the real function (upvalue 1) with this call's arguments and returns all its results. */
static int ds_call_real(lua_State *L) {
    int arguments = lua_gettop(L);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, arguments, LUA_MULTRET);
    return lua_gettop(L);
}

/* The length `#t` of argument `index` as the real functions see it (a `__len` metamethod runs, metered). */
static double ds_length(lua_State *L, int index) {
    return (double)luaL_len(L, index);
}

static int ds_guarded_rep(lua_State *L) {
    size_t length = 0, separator_length = 0;
    luaL_checklstring(L, 1, &length);
    lua_Integer n = luaL_checkinteger(L, 2);
    luaL_optlstring(L, 3, "", &separator_length);
    if (n <= 0 || (length == 0 && separator_length == 0)) {
        lua_pushliteral(L, "");
        return 1;
    }
    ds_control *c = ds_control_of(L);
    double total = (double)length * (double)n + (double)separator_length * (double)(n - 1);
    if (c->max_string > 0 && total > (double)c->max_string) {
        char message[160];
        snprintf(message, sizeof message, "string.rep: a result of %.0f bytes exceeds the sandbox's %zu-byte string limit",
                 total, c->max_string);
        c->limit_hit = DS_LIMIT_STRING;
        return luaL_error(L, "%s", message);
    }
    /* The copy loop runs n times, each copying the string and the separator. */
    ds_charge(L, (long long)(total / 64) + n / 16);
    return ds_call_real(L);
}

static int ds_guarded_move(lua_State *L) {
    lua_Integer f = luaL_checkinteger(L, 2);
    lua_Integer e = luaL_checkinteger(L, 3);
    if (e >= f) ds_guard_steps(L, "table.move", (double)e - (double)f + 1);
    return ds_call_real(L);
}

static int ds_guarded_insert(lua_State *L) {
    if (lua_gettop(L) == 3) {
        luaL_checktype(L, 1, LUA_TTABLE);
        double size = ds_length(L, 1);
        double position = (double)luaL_checkinteger(L, 2);
        if (size + 1 > position) ds_guard_steps(L, "table.insert", size + 1 - position);
    }
    return ds_call_real(L);
}

static int ds_guarded_remove(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    double size = ds_length(L, 1);
    double position = lua_isnoneornil(L, 2) ? size : (double)luaL_checkinteger(L, 2);
    if (size > position) ds_guard_steps(L, "table.remove", size - position);
    return ds_call_real(L);
}

static int ds_guarded_concat(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    double first = (double)luaL_optinteger(L, 3, 1);
    double last = lua_isnoneornil(L, 4) ? ds_length(L, 1) : (double)luaL_checkinteger(L, 4);
    if (last >= first) ds_guard_steps(L, "table.concat", last - first + 1);
    return ds_call_real(L);
}

static int ds_guarded_unpack(lua_State *L) {
    double first = (double)luaL_optinteger(L, 2, 1);
    double last = lua_isnoneornil(L, 3) ? ds_length(L, 1) : (double)luaL_checkinteger(L, 3);
    if (last >= first) ds_guard_steps(L, "table.unpack", last - first + 1);
    return ds_call_real(L);
}

static int ds_guarded_sort(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    double n = ds_length(L, 1);
    if (n > 1) {
        if (n > (double)DS_MAX_STEPS) ds_guard_steps(L, "table.sort", n);
        ds_guard_steps(L, "table.sort", n * log2(n));
    }
    return ds_call_real(L);
}

/* Replaces field `name` of the table on top with `guard` closed over the original. */
static void ds_guard_field(lua_State *L, const char *name, lua_CFunction guard) {
    lua_getfield(L, -1, name);
    lua_pushcclosure(L, guard, 1);
    lua_setfield(L, -2, name);
}

void ds_push_guarded_rep(lua_State *L) {
    lua_getglobal(L, LUA_STRLIBNAME);
    lua_getfield(L, -1, "rep");
    lua_remove(L, -2);
    lua_pushcclosure(L, ds_guarded_rep, 1);
}

void ds_push_table_library(lua_State *L) {
    lua_newtable(L);
    lua_getglobal(L, LUA_TABLIBNAME);
    lua_pushnil(L);
    while (lua_next(L, -2) != 0) {
        lua_pushvalue(L, -2);
        lua_insert(L, -2);
        lua_settable(L, -5);
    }
    lua_pop(L, 1);
    ds_guard_field(L, "move", ds_guarded_move);
    ds_guard_field(L, "insert", ds_guarded_insert);
    ds_guard_field(L, "remove", ds_guarded_remove);
    ds_guard_field(L, "concat", ds_guarded_concat);
    ds_guard_field(L, "unpack", ds_guarded_unpack);
    ds_guard_field(L, "sort", ds_guarded_sort);
}

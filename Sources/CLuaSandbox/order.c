/* `pairs` and `next` in an order that depends only on the keys.

   Lua's own traversal follows the table's hash layout, which depends on the state's string-hash seed (random per
   state) and on object addresses, so the same flow would see its tables in a different order in every worker,
   process and run. The sandbox's versions visit the keys sorted: numbers by value, then strings byte by byte,
   then `false` and `true`, then every other key (tables, functions, coroutines), which have no value to order by,
   in the table's own order.

   `pairs(t)` takes a sorted copy of t's keys once (its work, n log n, is charged to the call's budget) and walks
   it; a key removed meanwhile is skipped, a value changed meanwhile is seen, and a key added meanwhile is not
   visited (Lua leaves that case undefined). `next(t, k)` returns the key after k in the same order. It keeps the
   sorted keys of the last table it walked, so a loop `for k, v in next, t` costs the same as one over `pairs(t)`;
   a `next` for another table, or a key that is not where the walk left it, costs one pass over the table.

   A `__pairs` metamethod is honoured, as in Lua 5.4. */

#include "control.h"

#include <lua5.4/lauxlib.h>
#include <lua5.4/lua.h>

#include <stdlib.h>
#include <string.h>

enum { DS_KEY_NUMBER = 0, DS_KEY_STRING = 1, DS_KEY_BOOLEAN = 2, DS_KEY_OTHER = 3 };

/* A key as the sort sees it. */
typedef struct {
    int kind;
    int is_integer;
    lua_Integer integer;
    lua_Number number;
    const char *bytes;
    size_t length;
    size_t ordinal; /* position in the table's own order */
} ds_key;

static int ds_kind(int type) {
    switch (type) {
    case LUA_TNUMBER: return DS_KEY_NUMBER;
    case LUA_TSTRING: return DS_KEY_STRING;
    case LUA_TBOOLEAN: return DS_KEY_BOOLEAN;
    default: return DS_KEY_OTHER;
    }
}

static void ds_describe_key(lua_State *L, int index, size_t ordinal, ds_key *key) {
    key->kind = ds_kind(lua_type(L, index));
    key->ordinal = ordinal;
    key->is_integer = 0;
    key->bytes = NULL;
    key->length = 0;
    switch (key->kind) {
    case DS_KEY_NUMBER:
        key->is_integer = lua_isinteger(L, index);
        if (key->is_integer) key->integer = lua_tointeger(L, index);
        else key->number = lua_tonumber(L, index);
        break;
    case DS_KEY_STRING: key->bytes = lua_tolstring(L, index, &key->length); break;
    case DS_KEY_BOOLEAN: key->integer = lua_toboolean(L, index); break;
    default: break;
    }
}

/* The total order on keys; other keys keep their table order. */
static int ds_compare_keys(const ds_key *a, const ds_key *b) {
    if (a->kind != b->kind) return a->kind < b->kind ? -1 : 1;
    switch (a->kind) {
    case DS_KEY_NUMBER: {
        if (a->is_integer && b->is_integer) return a->integer < b->integer ? -1 : a->integer > b->integer;
        /* Float keys are never integral within range (Lua normalises them), so no two keys are equal; a long
           double holds every 64-bit integer exactly. */
        long double x = a->is_integer ? (long double)a->integer : (long double)a->number;
        long double y = b->is_integer ? (long double)b->integer : (long double)b->number;
        return x < y ? -1 : x > y;
    }
    case DS_KEY_STRING: {
        size_t shorter = a->length < b->length ? a->length : b->length;
        int order = memcmp(a->bytes, b->bytes, shorter);
        if (order != 0) return order;
        return a->length < b->length ? -1 : a->length > b->length;
    }
    case DS_KEY_BOOLEAN: return (int)(a->integer - b->integer);
    default: return a->ordinal < b->ordinal ? -1 : a->ordinal > b->ordinal;
    }
}

static int ds_sort_compare(const void *a, const void *b) { return ds_compare_keys(a, b); }

/* Pushes a sequence of the keys of the table at `index`, sorted, and returns how many there are. The work is
   charged to the call's budget. */
static lua_Integer ds_push_sorted_keys(lua_State *L, int index) {
    index = lua_absindex(L, index);
    lua_Integer n = 0;
    lua_pushnil(L);
    while (lua_next(L, index) != 0) {
        lua_pop(L, 1);
        n++;
    }
    ds_charge(L, n);
    lua_createtable(L, (int)(n < 0x7fffffff ? n : 0x7fffffff), 0); /* the keys in table order */
    int raw = lua_gettop(L);
    lua_Integer count = 0;
    lua_pushnil(L);
    while (lua_next(L, index) != 0) {
        lua_pop(L, 1);
        lua_pushvalue(L, -1);
        lua_rawseti(L, raw, ++count);
    }
    ds_key *keys = lua_newuserdatauv(L, sizeof(ds_key) * (size_t)(n > 0 ? n : 1), 0);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, raw, i);
        ds_describe_key(L, -1, (size_t)i, &keys[i - 1]);
        lua_pop(L, 1); /* the key stays alive in `raw`, so its bytes stay valid */
    }
    if (n > 1) {
        double log = 0;
        for (lua_Integer m = n; m > 1; m >>= 1) log += 1;
        if ((double)n * log / 4 > (double)DS_MAX_STEPS) {
            luaL_error(L, "pairs: a table of %I keys is too large to visit in order", n);
        }
        ds_charge(L, (long long)((double)n * log / 4));
        qsort(keys, (size_t)n, sizeof(ds_key), ds_sort_compare);
    }
    lua_createtable(L, (int)(n < 0x7fffffff ? n : 0x7fffffff), 0);
    for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, raw, (lua_Integer)keys[i - 1].ordinal);
        lua_rawseti(L, -2, i);
    }
    lua_replace(L, raw);
    lua_pop(L, 1); /* the descriptions */
    return n;
}

/* Pushes key `position` of the sorted keys at `keys` and its value in the table at `table`, skipping keys that
   were removed; returns the position it stopped at, or 0 at the end (nothing pushed). */
static lua_Integer ds_walk(lua_State *L, int table, int keys, lua_Integer position, lua_Integer n) {
    while (position < n) {
        position++;
        lua_rawgeti(L, keys, position);
        lua_pushvalue(L, -1);
        lua_rawget(L, table);
        if (!lua_isnil(L, -1)) return position;
        lua_pop(L, 2);
    }
    return 0;
}

/* The iterator `pairs` returns: upvalues are the table, its sorted keys, their count and the position. */
static int ds_pairs_step(lua_State *L) {
    lua_Integer n = lua_tointeger(L, lua_upvalueindex(3));
    lua_Integer position = lua_tointeger(L, lua_upvalueindex(4));
    position = ds_walk(L, lua_upvalueindex(1), lua_upvalueindex(2), position, n);
    lua_pushinteger(L, position == 0 ? n : position);
    lua_replace(L, lua_upvalueindex(4));
    if (position == 0) {
        lua_pushnil(L);
        return 1;
    }
    return 2;
}

static int ds_pairs(lua_State *L) {
    luaL_checkany(L, 1);
    if (luaL_getmetafield(L, 1, "__pairs") != LUA_TNIL) {
        lua_pushvalue(L, 1);
        lua_call(L, 1, 3);
        return 3;
    }
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_pushvalue(L, 1);
    lua_Integer n = ds_push_sorted_keys(L, 1);
    lua_pushinteger(L, n);
    lua_pushinteger(L, 0);
    lua_pushcclosure(L, ds_pairs_step, 4);
    lua_pushvalue(L, 1);
    lua_pushnil(L);
    return 3;
}

/* `next`: upvalue 1 is the walk it keeps, a table { table, keys, n, position }. */
static int ds_next(lua_State *L) {
    luaL_checktype(L, 1, LUA_TTABLE);
    lua_settop(L, 2);
    int walk = lua_upvalueindex(1);
    if (lua_isnil(L, 2)) {
        lua_pushnil(L);
        if (lua_next(L, 1) == 0) return 1; /* empty: nil, at no cost */
        lua_pop(L, 2);
        lua_pushvalue(L, 1);
        lua_rawseti(L, walk, 1);
        lua_Integer n = ds_push_sorted_keys(L, 1);
        lua_rawseti(L, walk, 2);
        lua_pushinteger(L, n);
        lua_rawseti(L, walk, 3);
        lua_pushinteger(L, 0);
        lua_rawseti(L, walk, 4);
    } else {
        /* Is this the key where the kept walk over this table stopped? */
        int continues = 0;
        if (lua_rawgeti(L, walk, 1) == LUA_TTABLE && lua_rawequal(L, -1, 1)) {
            lua_rawgeti(L, walk, 2);
            lua_rawgeti(L, walk, 4);
            lua_Integer position = lua_tointeger(L, -1);
            lua_pop(L, 1);
            if (position > 0) {
                lua_rawgeti(L, -1, position);
                continues = lua_rawequal(L, -1, 2);
                lua_pop(L, 1);
            }
            lua_pop(L, 1);
        }
        lua_pop(L, 1);
        if (!continues) {
            /* Start a walk over this table and find the key in it. */
            lua_pushvalue(L, 1);
            lua_rawseti(L, walk, 1);
            lua_Integer n = ds_push_sorted_keys(L, 1);
            /* The position of the key, or for a key removed meanwhile, of the last key before it. */
            ds_key key, other;
            ds_describe_key(L, 2, 0, &key);
            lua_Integer found = 0;
            int present = 0;
            for (lua_Integer i = 1; i <= n && !present; i++) {
                lua_rawgeti(L, -1, i);
                present = lua_rawequal(L, -1, 2);
                ds_describe_key(L, -1, (size_t)i, &other);
                if (present || (key.kind != DS_KEY_OTHER && ds_compare_keys(&other, &key) < 0)) found = i;
                lua_pop(L, 1);
            }
            if (!present && key.kind == DS_KEY_OTHER) return luaL_error(L, "invalid key to 'next'");
            lua_rawseti(L, walk, 2);
            lua_pushinteger(L, n);
            lua_rawseti(L, walk, 3);
            lua_pushinteger(L, found);
            lua_rawseti(L, walk, 4);
        }
    }
    lua_rawgeti(L, walk, 2);
    int keys = lua_gettop(L);
    lua_rawgeti(L, walk, 3);
    lua_Integer n = lua_tointeger(L, -1);
    lua_rawgeti(L, walk, 4);
    lua_Integer position = lua_tointeger(L, -1);
    lua_pop(L, 2);
    position = ds_walk(L, 1, keys, position, n);
    if (position == 0) {
        /* The end: forget the walk, so the table can be collected. */
        lua_pushnil(L);
        lua_rawseti(L, walk, 1);
        lua_pushnil(L);
        lua_rawseti(L, walk, 2);
        lua_pushnil(L);
        return 1;
    }
    lua_pushinteger(L, position);
    lua_rawseti(L, walk, 4);
    return 2;
}

void ds_push_order_library(lua_State *L) {
    lua_createtable(L, 0, 2);
    lua_pushcfunction(L, ds_pairs);
    lua_setfield(L, -2, "pairs");
    lua_createtable(L, 4, 0);
    lua_pushcclosure(L, ds_next, 1);
    lua_setfield(L, -2, "next");
}

/* A look at a script's tokens before Lua compiles it, to refuse the constructs Lua 5.4.4 miscompiles.

   Lua 5.4.4 generates wrong code for a `local _ENV <const>` (bug "Lua can generate wrong code when _ENV is
   <const>", fixed in 5.4.5), and a patched Lua is not what Debian ships, so the sandbox refuses the construct
   before it reaches the compiler: the name `_ENV` directly followed by `<` (an attribute; comparing `_ENV` with
   `<` means nothing useful either). The scanner knows Lua's comments, short and long strings and long brackets,
   so text inside them never counts. */

#include <lua5.4/lauxlib.h>
#include <lua5.4/lua.h>

#include <ctype.h>
#include <string.h>

/* The level of a long bracket `[==[` starting at `p` (its number of `=`), or -1 when there is none. */
static int ds_long_bracket(const char *p, const char *end) {
    if (p >= end || *p != '[') return -1;
    int level = 0;
    p++;
    while (p < end && *p == '=') {
        level++;
        p++;
    }
    return p < end && *p == '[' ? level : -1;
}

/* Skips a long string or comment whose opening bracket of `level` starts at `p`; counts newlines. */
static const char *ds_skip_long(const char *p, const char *end, int level, int *line) {
    p += level + 2;
    while (p < end) {
        if (*p == '\n') (*line)++;
        if (*p == ']') {
            const char *q = p + 1;
            int closing = 0;
            while (q < end && *q == '=') {
                closing++;
                q++;
            }
            if (closing == level && q < end && *q == ']') return q + 1;
        }
        p++;
    }
    return end;
}

/* The next token's start, skipping blanks and comments; counts newlines. */
static const char *ds_skip_space(const char *p, const char *end, int *line) {
    while (p < end) {
        if (*p == '\n') {
            (*line)++;
            p++;
        } else if (isspace((unsigned char)*p)) {
            p++;
        } else if (p + 1 < end && p[0] == '-' && p[1] == '-') {
            p += 2;
            int level = ds_long_bracket(p, end);
            if (level >= 0) {
                p = ds_skip_long(p, end, level, line);
            } else {
                while (p < end && *p != '\n') p++;
            }
        } else {
            break;
        }
    }
    return p;
}

static int ds_is_name_start(char c) { return isalpha((unsigned char)c) || c == '_'; }
static int ds_is_name_char(char c) { return isalnum((unsigned char)c) || c == '_'; }

/* check_source(text): nil when the text may be compiled, else the line and a message. */
static int ds_check_source(lua_State *L) {
    size_t length = 0;
    const char *p = luaL_checklstring(L, 1, &length);
    const char *end = p + length;
    int line = 1;
    for (;;) {
        p = ds_skip_space(p, end, &line);
        if (p >= end) break;
        char c = *p;
        if (ds_is_name_start(c)) {
            const char *start = p;
            while (p < end && ds_is_name_char(*p)) p++;
            if (p - start == 4 && memcmp(start, "_ENV", 4) == 0) {
                int at = line;
                const char *next = ds_skip_space(p, end, &line);
                if (next < end && *next == '<') {
                    lua_pushinteger(L, at);
                    lua_pushliteral(L, "an attribute on _ENV (`local _ENV <const>`) is not allowed in flows "
                                       "(Lua 5.4.4 compiles it wrongly)");
                    return 2;
                }
            }
        } else if (c == '"' || c == '\'') {
            p++;
            while (p < end && *p != c) {
                if (*p == '\\' && p + 1 < end) {
                    if (p[1] == '\n') line++;
                    p++;
                } else if (*p == '\n') {
                    line++;
                }
                p++;
            }
            p++;
        } else if (c == '[' && ds_long_bracket(p, end) >= 0) {
            p = ds_skip_long(p, end, ds_long_bracket(p, end), &line);
        } else {
            p++;
        }
    }
    lua_pushnil(L);
    return 1;
}

void ds_push_source_check(lua_State *L) { lua_pushcfunction(L, ds_check_source); }

/* A look at a script's tokens before Lua compiles it, to refuse the constructs Lua 5.4.4 miscompiles.

   Lua 5.4.4 generates wrong code for a `local _ENV <const>` (bug "Lua can generate wrong code when _ENV is
   <const>", fixed in 5.4.5), and a patched Lua is not what Debian ships, so the sandbox refuses the construct
   before it reaches the compiler: the name `_ENV` directly followed by `<` (an attribute; comparing `_ENV` with
   `<` means nothing useful either). The scanner knows Lua's comments, short and long strings and long brackets,
   so text inside them never counts. */

#include <lua5.4/lauxlib.h>
#include <lua5.4/lua.h>

#include <ctype.h>
#include <stdlib.h>
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

/* A look at a compiled chunk, for the miscompilation the source cannot show.

   Lua 5.4.4 generates wrong code for a bitwise operation whose left operand is an integer constant in a function
   that already has more than 255 constants (bug "Wrong code generation for constants in bitwise operations", fixed
   in 5.4.5): the constant can no longer be an instruction operand, and loading it into a register out of order
   leaves the registers the operation uses wrong. Constant folding and `<const>` locals make the left operand hard
   to see in the source, so the sandbox reads the compiled chunk instead (lua_dump, stripped) and refuses any
   function with more than 255 constants that contains a bitwise instruction. Flows that need both split the
   function (a big catalogue table in one, the bitwise arithmetic in another). */

typedef struct {
    unsigned char *bytes;
    size_t length, capacity;
    int failed;
} ds_dump;

static int ds_dump_writer(lua_State *L, const void *p, size_t size, void *ud) {
    (void)L;
    ds_dump *dump = ud;
    if (dump->failed) return 1;
    if (dump->length + size > dump->capacity) {
        size_t capacity = dump->capacity ? dump->capacity : 4096;
        while (capacity < dump->length + size) capacity *= 2;
        unsigned char *grown = realloc(dump->bytes, capacity);
        if (grown == NULL) {
            dump->failed = 1;
            return 1;
        }
        dump->bytes = grown;
        dump->capacity = capacity;
    }
    memcpy(dump->bytes + dump->length, p, size);
    dump->length += size;
    return 0;
}

typedef struct {
    const unsigned char *p, *end;
    int broken;
} ds_reader;

static unsigned char ds_byte(ds_reader *r) {
    if (r->p >= r->end) {
        r->broken = 1;
        return 0;
    }
    return *r->p++;
}

static size_t ds_size(ds_reader *r) {
    size_t x = 0;
    unsigned char b;
    int count = 0;
    do {
        b = ds_byte(r);
        x = (x << 7) | (b & 0x7f);
        if (++count > 10) r->broken = 1;
    } while ((b & 0x80) == 0 && !r->broken);
    return x;
}

static void ds_skip(ds_reader *r, size_t n) {
    if ((size_t)(r->end - r->p) < n) {
        r->broken = 1;
        r->p = r->end;
    } else {
        r->p += n;
    }
}

static void ds_skip_string(ds_reader *r) {
    size_t size = ds_size(r);
    if (size > 0) ds_skip(r, size - 1);
}

#define DS_MAX_RK 255
/* Lua 5.4.4's opcodes (lopcodes.h): the bitwise ones. */
static int ds_is_bitwise(unsigned op) {
    return (op >= 29 && op <= 33) /* BANDK BORK BXORK SHRI SHLI */ || (op >= 41 && op <= 45) /* BAND ... SHR */;
}

/* Checks one function (and its nested ones); returns the line a refused function starts at, or 0. */
static int ds_check_function(ds_reader *r, int depth) {
    if (depth > 250) {
        r->broken = 1;
        return 0;
    }
    ds_skip_string(r); /* source (stripped) */
    int line = (int)ds_size(r);
    ds_size(r); /* lastlinedefined */
    ds_skip(r, 3); /* numparams, is_vararg, maxstacksize */
    size_t code = ds_size(r);
    const unsigned char *instructions = r->p;
    ds_skip(r, code * 4);
    size_t constants = ds_size(r);
    int refused = 0;
    if (!r->broken && constants > DS_MAX_RK) {
        for (size_t i = 0; i < code && !refused; i++) {
            unsigned op = instructions[i * 4] & 0x7f; /* little-endian: the opcode is the low 7 bits */
            if (ds_is_bitwise(op)) refused = line > 0 ? line : 1;
        }
    }
    for (size_t i = 0; i < constants && !r->broken; i++) {
        unsigned char type = ds_byte(r);
        switch (type) {
        case 3: case 0x13: ds_skip(r, 8); break; /* integer, float */
        case 4: case 0x14: ds_skip_string(r); break; /* short, long string */
        default: break; /* nil, false, true */
        }
    }
    size_t upvalues = ds_size(r);
    ds_skip(r, upvalues * 3);
    size_t protos = ds_size(r);
    for (size_t i = 0; i < protos && !r->broken; i++) {
        int nested = ds_check_function(r, depth + 1);
        if (!refused && nested) refused = nested;
    }
    /* debug information (stripped: four empty lists) */
    for (int list = 0; list < 4; list++) ds_size(r);
    return refused;
}

/* check_bytecode(f): nil when the compiled function may run, else the line and a message. */
static int ds_check_bytecode(lua_State *L) {
    luaL_checktype(L, 1, LUA_TFUNCTION);
    lua_settop(L, 1);
    ds_dump dump = {NULL, 0, 0, 0};
    int status = lua_dump(L, ds_dump_writer, &dump, 1);
    if (status != 0 || dump.failed) {
        free(dump.bytes);
        return luaL_error(L, "the sandbox could not inspect a compiled chunk");
    }
    ds_reader r = {dump.bytes, dump.bytes + dump.length, 0};
    /* header: signature 4, version 1, format 1, data 6, three sizes 3, LUAC_INT 8, LUAC_NUM 8; upvalue count 1 */
    ds_skip(&r, 4 + 1 + 1 + 6 + 3 + 8 + 8 + 1);
    int line = ds_check_function(&r, 0);
    int broken = r.broken;
    free(dump.bytes);
    if (broken) return luaL_error(L, "the sandbox could not read a compiled chunk");
    if (line == 0) {
        lua_pushnil(L);
        return 1;
    }
    lua_pushinteger(L, line);
    lua_pushliteral(L, "a function with more than 255 constants uses a bitwise operator, which Lua 5.4.4 can compile "
                       "wrongly: move the bitwise arithmetic into a smaller function");
    return 2;
}

void ds_push_bytecode_check(lua_State *L) { lua_pushcfunction(L, ds_check_bytecode); }

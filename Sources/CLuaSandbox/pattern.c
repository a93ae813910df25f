/* Guarded string patterns: `find`, `match`, `gmatch` and `gsub` with the semantics of Lua 5.4's string library
   (reference manual §6.4 and §6.4.1), written afresh so that every unit of matching work is counted and charged
   to the sandbox's budget through `ds_charge`. Lua's own versions run inside C, where the instruction-count hook
   never fires, so a backtracking pattern such as `('a'):rep(40):match(('a*'):rep(40) .. 'b')` would run unmetered.

   The matcher is a backtracking interpreter over the pattern text. It deliberately mirrors the observable
   behaviour of Lua 5.4.4 in the corners scripts can see:
   - pattern errors are raised lazily, only when the matcher reaches the malformed item (so `('abc'):find('x[')`
     returns nil, while `('xbc'):find('x[')` raises "malformed pattern (missing ']')");
   - "pattern too complex" is raised at the same nesting depth (200), because recursion happens at the same
     places: opening and closing a capture, and trying the rest of the pattern after `?`, `*`, `+` and `-`;
     everything else loops in place;
   - a back-reference to a position capture never matches, a `^` is an anchor only for find, match and gsub
     (gmatch treats it literally), and gsub/gmatch skip an empty match right where the previous match ended.

   Metering: work is accumulated in `pending` and handed to `ds_charge` every PM_CHUNK units and once more when a
   call ends. `ds_charge` may longjmp out (luaL_error); nothing here holds malloc'd memory, only C-stack state, Lua
   stack values and luaL_Buffers, so that is safe. One unit is roughly the cost of one VM instruction: one step of
   the matcher loop, one subject byte tested by a repetition or scanned by `%b`, four bytes of a set (sets are
   rescanned at every test), eight bytes of a gsub replacement string or one of its `%` escapes, 64 bytes skipped
   by memchr and 128 bytes compared by memcmp (back-references, plain find). So the time per unit stays bounded
   by a small constant whatever the pattern and subject; no stretch of uncharged work exceeds one linear pass
   over the subject or the pattern. */

#include <lua5.4/lauxlib.h>
#include <lua5.4/lua.h>

#include "CLuaSandbox.h"

#include <ctype.h>
#include <stddef.h>
#include <string.h>

#define PM_ESC '%'
#define PM_MAX_CAPTURES 32 /* LUA_MAXCAPTURES */
#define PM_MAX_DEPTH 200   /* MAXCCALLS of lstrlib.c: nested matcher calls before "pattern too complex" */
#define PM_CHUNK 1024      /* units of work accumulated between two calls to ds_charge */
#define PM_SPECIALS "^$*+?.([%-"

/* A capture's length while it is still open, and the marker of a position capture `()`. */
#define PM_UNFINISHED (-1)
#define PM_POSITION (-2)

typedef struct {
    const char *start;
    ptrdiff_t len; /* >= 0 once closed, or PM_UNFINISHED / PM_POSITION */
} pm_capture;

typedef struct {
    lua_State *L;
    const char *src;     /* the subject */
    const char *src_end; /* one past its last byte (Lua strings keep a NUL there) */
    const char *pat_end; /* one past the pattern's last byte (also a NUL) */
    int depth_left;      /* nested matcher calls still allowed */
    int level;           /* captures opened so far */
    long long pending;   /* work not yet charged */
    pm_capture cap[PM_MAX_CAPTURES];
} pm_state;

/* ---- metering ---- */

static void pm_flush(pm_state *ms) {
    long long units = ms->pending;
    ms->pending = 0;
    if (units > 0) ds_charge(ms->L, units); /* may raise the budget error */
}

static inline void pm_charge(pm_state *ms, long long units) {
    ms->pending += units;
    if (ms->pending >= PM_CHUNK) pm_flush(ms);
}

static void pm_init(pm_state *ms, lua_State *L, const char *s, size_t ls, const char *p, size_t lp) {
    ms->L = L;
    ms->src = s;
    ms->src_end = s + ls;
    ms->pat_end = p + lp;
    ms->pending = 0;
    ms->level = 0;
    ms->depth_left = PM_MAX_DEPTH;
}

/* Before each match attempt: no captures, full depth (an earlier attempt may have been cut short by an error). */
static inline void pm_reset(pm_state *ms) {
    ms->level = 0;
    ms->depth_left = PM_MAX_DEPTH;
}

/* ---- single items ---- */

/* Does byte `c` belong to the class `%cl`? A letter class in upper case is the complement; any other `cl` is
   an escaped literal. Uses the C library's classification, like Lua (the "C" locale unless the host changes it).
   Both cases are spelled out, rather than going through tolower/isupper, because this is the hottest function. */
static inline int pm_class(int c, int cl) {
    switch (cl) {
    case 'a': return isalpha(c) != 0;
    case 'A': return isalpha(c) == 0;
    case 'c': return iscntrl(c) != 0;
    case 'C': return iscntrl(c) == 0;
    case 'd': return (unsigned)(c - '0') < 10; /* isdigit is locale-independent */
    case 'D': return (unsigned)(c - '0') >= 10;
    case 'g': return isgraph(c) != 0;
    case 'G': return isgraph(c) == 0;
    case 'l': return islower(c) != 0;
    case 'L': return islower(c) == 0;
    case 'p': return ispunct(c) != 0;
    case 'P': return ispunct(c) == 0;
    case 's': return isspace(c) != 0;
    case 'S': return isspace(c) == 0;
    case 'u': return isupper(c) != 0;
    case 'U': return isupper(c) == 0;
    case 'w': return isalnum(c) != 0;
    case 'W': return isalnum(c) == 0;
    case 'x': return isxdigit(c) != 0;
    case 'X': return isxdigit(c) == 0;
    case 'z': return c == 0; /* deprecated since 5.2 but still accepted by Lua 5.4 */
    case 'Z': return c != 0;
    default: return cl == c;
    }
}

/* Does `c` belong to the set that starts at `p` (its '[') and closes at `close` (its ']')?
   Inside a set: `%x` is a class or escaped literal, `a-z` a range (a '-' first or last is literal),
   and a leading '^' complements. A ']' right after '[' or '[^' is a literal member (see pm_item_end_slow). */
static int pm_set(int c, const char *p, const char *close) {
    int member = 1;
    p++;
    if (*p == '^') {
        member = 0;
        p++;
    }
    for (; p < close; p++) {
        if (*p == PM_ESC) {
            p++;
            if (pm_class(c, (unsigned char)*p)) return member;
        } else if (p[1] == '-' && p + 2 < close) {
            if ((unsigned char)p[0] <= c && c <= (unsigned char)p[2]) return member;
            p += 2;
        } else if ((unsigned char)*p == c) {
            return member;
        }
    }
    return !member;
}

/* Does subject byte `c` match the single item `p`..`ep` (a literal, '.', `%x` or a set)? */
static inline int pm_single(int c, const char *p, const char *ep) {
    switch (*p) {
    case '.': return 1;
    case PM_ESC: return pm_class(c, (unsigned char)p[1]);
    case '[': return pm_set(c, p, ep - 1);
    default: return (unsigned char)*p == c;
    }
}

/* The end of the single item at `p` (where an optional quantifier would be). Raises the malformed-pattern
   errors; reading `*p` at `pat_end` is safe because Lua strings are NUL-terminated. */
static const char *pm_item_end_slow(pm_state *ms, const char *p) {
    char c = *p++;
    if (c == PM_ESC) {
        if (p >= ms->pat_end) luaL_error(ms->L, "malformed pattern (ends with '%%')");
        return p + 1;
    }
    if (c == '[') {
        const char *start = p;
        if (*p == '^') p++;
        do { /* do-while: the first member is taken as is, so "[]]" and "[^]]" contain ']' */
            if (p >= ms->pat_end) luaL_error(ms->L, "malformed pattern (missing ']')");
            if (*p++ == PM_ESC && p < ms->pat_end) p++;
        } while (*p != ']');
        pm_charge(ms, (p - start) >> 2); /* a set is rescanned on every visit: charge its length */
        return p + 1;
    }
    return p; /* a literal (the inline wrapper handles these itself) */
}

static inline const char *pm_item_end(pm_state *ms, const char *p) {
    return *p == PM_ESC || *p == '[' ? pm_item_end_slow(ms, p) : p + 1;
}

/* The cost, per subject character tested, of testing item `p`..`ep`: sets cost by their length. */
static inline long long pm_item_cost(const char *p, const char *ep) {
    return *p == '[' ? 1 + ((ep - p) >> 2) : 1;
}

/* ---- the matcher ---- */

static const char *pm_match(pm_state *ms, const char *s, const char *p);

/* Greedy `*` / `+`: take as many items as possible, then give them back one at a time. */
static const char *pm_longest(pm_state *ms, const char *s, const char *p, const char *ep) {
    long long cost = pm_item_cost(p, ep);
    ptrdiff_t n = 0;
    while (s + n < ms->src_end && pm_single((unsigned char)s[n], p, ep)) {
        n++;
        pm_charge(ms, cost);
    }
    for (; n >= 0; n--) {
        const char *r = pm_match(ms, s + n, ep + 1);
        if (r != NULL) return r;
    }
    return NULL;
}

/* Lazy `-`: try the rest of the pattern first, taking one more item only when that fails. */
static const char *pm_shortest(pm_state *ms, const char *s, const char *p, const char *ep) {
    long long cost = pm_item_cost(p, ep);
    for (;;) {
        const char *r = pm_match(ms, s, ep + 1);
        if (r != NULL) return r;
        if (s < ms->src_end && pm_single((unsigned char)*s, p, ep)) {
            s++;
            pm_charge(ms, cost);
        } else {
            return NULL;
        }
    }
}

/* `(` or `()`: open capture `kind` (PM_UNFINISHED or PM_POSITION) at `s`, then match the rest. */
static const char *pm_open(pm_state *ms, const char *s, const char *p, ptrdiff_t kind) {
    int l = ms->level;
    if (l >= PM_MAX_CAPTURES) luaL_error(ms->L, "too many captures");
    ms->cap[l].start = s;
    ms->cap[l].len = kind;
    ms->level = l + 1;
    const char *r = pm_match(ms, s, p);
    if (r == NULL) ms->level--; /* undo on backtrack */
    return r;
}

/* `)`: close the innermost capture still open, then match the rest. */
static const char *pm_close(pm_state *ms, const char *s, const char *p) {
    int l = ms->level - 1;
    while (l >= 0 && ms->cap[l].len != PM_UNFINISHED) l--;
    if (l < 0) luaL_error(ms->L, "invalid pattern capture");
    ms->cap[l].len = s - ms->cap[l].start;
    const char *r = pm_match(ms, s, p);
    if (r == NULL) ms->cap[l].len = PM_UNFINISHED; /* undo on backtrack */
    return r;
}

/* `%bxy` with `p` at x: a balanced run from x to its matching y, or NULL. */
static const char *pm_balance(pm_state *ms, const char *s, const char *p) {
    if (p >= ms->pat_end - 1) luaL_error(ms->L, "malformed pattern (missing arguments to '%%b')");
    if (s >= ms->src_end || *s != p[0]) return NULL;
    char open = p[0], close = p[1];
    int depth = 1;
    const char *t = s;
    const char *r = NULL;
    while (++t < ms->src_end) {
        if (*t == close) { /* tested first, so "%b''" pairs quotes */
            if (--depth == 0) {
                r = t + 1;
                break;
            }
        } else if (*t == open) {
            depth++;
        }
    }
    pm_charge(ms, t - s);
    return r;
}

/* `%1`..`%9`: the text of an earlier, closed capture again. */
static const char *pm_backref(pm_state *ms, const char *s, int digit) {
    int l = digit - '1';
    if (l < 0 || l >= ms->level || ms->cap[l].len == PM_UNFINISHED)
        luaL_error(ms->L, "invalid capture index %%%d", l + 1);
    ptrdiff_t len = ms->cap[l].len;
    if (len < 0) return NULL; /* a position capture has no text: never matches */
    pm_charge(ms, len >> 7);
    if (ms->src_end - s >= len && memcmp(ms->cap[l].start, s, (size_t)len) == 0) return s + len;
    return NULL;
}

/* Matches pattern `p`..pat_end against the subject from `s`; returns the end of the match or NULL.
   Straight-line items loop in place; only captures and quantifiers recurse (depth-limited like Lua). */
static const char *pm_match(pm_state *ms, const char *s, const char *p) {
    if (ms->depth_left-- == 0) luaL_error(ms->L, "pattern too complex");
    for (;;) {
        pm_charge(ms, 1);
        if (p == ms->pat_end) break;
        switch (*p) {
        case '(':
            s = p[1] == ')' ? pm_open(ms, s, p + 2, PM_POSITION) : pm_open(ms, s, p + 1, PM_UNFINISHED);
            goto done;
        case ')':
            s = pm_close(ms, s, p + 1);
            goto done;
        case '$':
            if (p + 1 == ms->pat_end) { /* only a final '$' anchors; elsewhere it is a literal */
                if (s != ms->src_end) s = NULL;
                goto done;
            }
            break;
        case PM_ESC:
            switch (p[1]) {
            case 'b':
                s = pm_balance(ms, s, p + 2);
                if (s == NULL) goto done;
                p += 4;
                continue;
            case 'f': { /* frontier: the previous byte (NUL at the start) is outside the set, this one (NUL at
                           the end) inside */
                p += 2;
                if (*p != '[') luaL_error(ms->L, "missing '[' after '%%f' in pattern");
                const char *ep = pm_item_end(ms, p);
                int before = s == ms->src ? 0 : (unsigned char)s[-1];
                int here = s < ms->src_end ? (unsigned char)*s : 0;
                if (!pm_set(before, p, ep - 1) && pm_set(here, p, ep - 1)) {
                    p = ep;
                    continue;
                }
                s = NULL;
                goto done;
            }
            case '0': case '1': case '2': case '3': case '4':
            case '5': case '6': case '7': case '8': case '9':
                s = pm_backref(ms, s, (unsigned char)p[1]);
                if (s == NULL) goto done;
                p += 2;
                continue;
            default:
                break;
            }
            break;
        default:
            break;
        }
        /* A single item, possibly followed by a quantifier. */
        const char *ep = pm_item_end(ms, p);
        char q = *ep; /* NUL when the item ends the pattern */
        if (s >= ms->src_end || !pm_single((unsigned char)*s, p, ep)) {
            if (q == '*' || q == '?' || q == '-') { /* zero repetitions are fine */
                p = ep + 1;
                continue;
            }
            s = NULL;
            goto done;
        }
        switch (q) {
        case '?': {
            const char *r = pm_match(ms, s + 1, ep + 1);
            if (r != NULL) {
                s = r;
                goto done;
            }
            p = ep + 1; /* try without the optional item */
            continue;
        }
        case '+': s = pm_longest(ms, s + 1, p, ep); goto done;
        case '*': s = pm_longest(ms, s, p, ep); goto done;
        case '-': s = pm_shortest(ms, s, p, ep); goto done;
        default:
            s++;
            p = ep;
            continue;
        }
    }
done:
    ms->depth_left++;
    return s;
}

/* ---- results ---- */

/* Capture `i` as a pointer and length; a position capture is pushed as an integer instead and
   PM_POSITION returned. With no captures at all, capture 0 is the whole match `s`..`e`. */
static ptrdiff_t pm_get_capture(pm_state *ms, int i, const char *s, const char *e, const char **text) {
    if (i >= ms->level) {
        if (i != 0) luaL_error(ms->L, "invalid capture index %%%d", i + 1);
        *text = s;
        return e - s;
    }
    ptrdiff_t len = ms->cap[i].len;
    if (len == PM_UNFINISHED) luaL_error(ms->L, "unfinished capture");
    *text = ms->cap[i].start;
    if (len == PM_POSITION) lua_pushinteger(ms->L, (ms->cap[i].start - ms->src) + 1);
    return len;
}

static void pm_push_capture(pm_state *ms, int i, const char *s, const char *e) {
    const char *text;
    ptrdiff_t len = pm_get_capture(ms, i, s, e, &text);
    if (len != PM_POSITION) lua_pushlstring(ms->L, text, (size_t)len);
}

/* Pushes the captures (or the whole match when there are none and `s` is given); returns how many. */
static int pm_push_captures(pm_state *ms, const char *s, const char *e) {
    int n = (ms->level == 0 && s != NULL) ? 1 : ms->level;
    luaL_checkstack(ms->L, n, "too many captures");
    for (int i = 0; i < n; i++) pm_push_capture(ms, i, s, e);
    return n;
}

/* Lua's posrelatI: a 1-based start position from a possibly negative `init`, clamped below at 1. */
static size_t pm_start_index(lua_Integer pos, size_t len) {
    if (pos > 0) return (size_t)pos;
    if (pos == 0) return 1;
    if (pos < -(lua_Integer)len) return 1;
    return len + (size_t)pos + 1;
}

/* Does the pattern use any magic character? (If not, find does a plain search.) strcspn stops at the first
   special or NUL; a NUL inside the pattern is skipped over. */
static int pm_has_specials(pm_state *ms, const char *p, size_t lp) {
    const char *end = p + lp;
    pm_charge(ms, (long long)(lp >> 6));
    for (;;) {
        p += strcspn(p, PM_SPECIALS);
        if (p >= end) return 0;
        if (*p != '\0') return 1;
        p++;
    }
}

/* Plain substring search, metered: memchr to each candidate for the first byte, then memcmp. */
static const char *pm_plain_find(pm_state *ms, const char *s, size_t ls, const char *p, size_t lp) {
    if (lp == 0) return s;
    if (lp > ls) return NULL;
    const char *cur = s, *last = s + (ls - lp); /* last possible start */
    long long compare = 1 + (long long)(lp >> 7);
    while (cur <= last) {
        const char *hit = memchr(cur, p[0], (size_t)(last - cur) + 1);
        if (hit == NULL) {
            pm_charge(ms, (last - cur) >> 6);
            return NULL;
        }
        pm_charge(ms, compare + ((hit - cur) >> 6));
        if (memcmp(hit + 1, p + 1, lp - 1) == 0) return hit;
        cur = hit + 1;
    }
    return NULL;
}

/* find (find != 0) and match. */
static int pm_find_or_match(lua_State *L, int find) {
    size_t ls, lp;
    const char *s = luaL_checklstring(L, 1, &ls);
    const char *p = luaL_checklstring(L, 2, &lp);
    size_t init = pm_start_index(luaL_optinteger(L, 3, 1), ls) - 1;
    if (init > ls) { /* starts after the end: nothing to find */
        luaL_pushfail(L);
        return 1;
    }
    pm_state ms;
    pm_init(&ms, L, s, ls, p, lp);
    if (find && (lua_toboolean(L, 4) || !pm_has_specials(&ms, p, lp))) {
        const char *hit = pm_plain_find(&ms, s + init, ls - init, p, lp);
        pm_flush(&ms);
        if (hit == NULL) {
            luaL_pushfail(L);
            return 1;
        }
        lua_pushinteger(L, (hit - s) + 1);
        lua_pushinteger(L, (lua_Integer)((size_t)(hit - s) + lp));
        return 2;
    }
    int anchor = *p == '^';
    if (anchor) p++; /* pat_end is unchanged */
    for (const char *start = s + init;; start++) {
        pm_reset(&ms);
        const char *e = pm_match(&ms, start, p);
        if (e != NULL) {
            pm_flush(&ms);
            if (!find) return pm_push_captures(&ms, start, e);
            lua_pushinteger(L, (start - s) + 1);
            lua_pushinteger(L, e - s);
            return pm_push_captures(&ms, NULL, NULL) + 2;
        }
        if (anchor || start >= ms.src_end) break;
    }
    pm_flush(&ms);
    luaL_pushfail(L);
    return 1;
}

static int pm_find(lua_State *L) { return pm_find_or_match(L, 1); }
static int pm_match_fn(lua_State *L) { return pm_find_or_match(L, 0); }

/* ---- gmatch ---- */

/* The iterator's state, a full userdata kept as an upvalue next to the subject and pattern strings (which
   also keeps those alive, so the pointers stay valid). */
typedef struct {
    pm_state ms;
    const char *pat;
    size_t next;          /* offset where the next search starts; may be ls + 1 (nothing left) */
    const char *previous; /* end of the previous match: an empty match there is skipped */
} pm_gmatch_state;

static int pm_gmatch_step(lua_State *L) {
    pm_gmatch_state *g = (pm_gmatch_state *)lua_touserdata(L, lua_upvalueindex(3));
    pm_state *ms = &g->ms;
    ms->L = L; /* the iterator may be called from another coroutine than the one that made it */
    ms->pending = 0;
    size_t ls = (size_t)(ms->src_end - ms->src);
    for (size_t at = g->next; at <= ls; at++) {
        pm_reset(ms);
        const char *e = pm_match(ms, ms->src + at, g->pat);
        if (e != NULL && e != g->previous) {
            g->next = (size_t)(e - ms->src);
            g->previous = e;
            pm_flush(ms);
            return pm_push_captures(ms, ms->src + at, e);
        }
    }
    pm_flush(ms);
    return 0;
}

static int pm_gmatch(lua_State *L) {
    size_t ls, lp;
    const char *s = luaL_checklstring(L, 1, &ls);
    const char *p = luaL_checklstring(L, 2, &lp);
    size_t init = pm_start_index(luaL_optinteger(L, 3, 1), ls) - 1;
    if (init > ls) init = ls + 1;
    lua_settop(L, 2);
    pm_gmatch_state *g = (pm_gmatch_state *)lua_newuserdatauv(L, sizeof(pm_gmatch_state), 0);
    pm_init(&g->ms, L, s, ls, p, lp); /* no anchor: gmatch takes a leading '^' literally, like Lua 5.4 */
    g->pat = p;
    g->next = init;
    g->previous = NULL;
    lua_pushcclosure(L, pm_gmatch_step, 3);
    return 1;
}

/* ---- gsub ---- */

/* Appends the replacement string (argument 3) for the match `s`..`e`: `%0` is the match, `%1`..`%9` the
   captures (`%1` is the match when there are none), `%%` a percent sign. */
static void pm_add_template(pm_state *ms, luaL_Buffer *b, const char *s, const char *e) {
    lua_State *L = ms->L;
    size_t l;
    const char *r = lua_tolstring(L, 3, &l);
    pm_charge(ms, (long long)(l >> 3));
    const char *pct;
    while ((pct = memchr(r, PM_ESC, l)) != NULL) {
        luaL_addlstring(b, r, (size_t)(pct - r));
        pm_charge(ms, 1);
        char c = pct[1]; /* the NUL terminator when '%' is last, which is then an error */
        if (c == PM_ESC) {
            luaL_addchar(b, PM_ESC);
        } else if (c == '0') {
            luaL_addlstring(b, s, (size_t)(e - s));
        } else if (isdigit((unsigned char)c)) {
            const char *text;
            ptrdiff_t len = pm_get_capture(ms, c - '1', s, e, &text);
            if (len == PM_POSITION) luaL_addvalue(b); /* the integer pushed by pm_get_capture */
            else luaL_addlstring(b, text, (size_t)len);
        } else {
            luaL_error(L, "invalid use of '%c' in replacement string", PM_ESC);
        }
        l -= (size_t)(pct + 2 - r);
        r = pct + 2;
    }
    luaL_addlstring(b, r, l);
}

/* Appends the replacement for the match `s`..`e`; returns whether the text changed. A table is indexed with
   the first capture, a function called with all of them; false or nil keeps the original text. */
static int pm_add_replacement(pm_state *ms, luaL_Buffer *b, const char *s, const char *e, int kind) {
    lua_State *L = ms->L;
    if (kind == LUA_TFUNCTION) {
        lua_pushvalue(L, 3);
        int n = pm_push_captures(ms, s, e);
        lua_call(L, n, 1);
    } else if (kind == LUA_TTABLE) {
        pm_push_capture(ms, 0, s, e);
        lua_gettable(L, 3);
    } else {
        pm_add_template(ms, b, s, e);
        return 1;
    }
    if (!lua_toboolean(L, -1)) {
        lua_pop(L, 1);
        luaL_addlstring(b, s, (size_t)(e - s));
        return 0;
    }
    if (!lua_isstring(L, -1)) return luaL_error(L, "invalid replacement value (a %s)", luaL_typename(L, -1));
    luaL_addvalue(b);
    return 1;
}

static int pm_gsub(lua_State *L) {
    size_t ls, lp;
    const char *s = luaL_checklstring(L, 1, &ls);
    const char *p = luaL_checklstring(L, 2, &lp);
    int kind = lua_type(L, 3);
    lua_Integer max_n = luaL_optinteger(L, 4, (lua_Integer)ls + 1);
    luaL_argexpected(L, kind == LUA_TNUMBER || kind == LUA_TSTRING || kind == LUA_TFUNCTION || kind == LUA_TTABLE,
                     3, "string/function/table");
    int anchor = *p == '^';
    if (anchor) {
        p++;
        lp--;
    }
    pm_state ms;
    pm_init(&ms, L, s, ls, p, lp);
    luaL_Buffer b;
    luaL_buffinit(L, &b);
    const char *at = s, *previous = NULL;
    lua_Integer n = 0;
    int changed = 0;
    while (n < max_n) {
        pm_reset(&ms);
        const char *e = pm_match(&ms, at, p);
        if (e != NULL && e != previous) { /* skip an empty match where the previous one ended */
            n++;
            changed |= pm_add_replacement(&ms, &b, at, e, kind);
            at = previous = e;
        } else if (at < ms.src_end) {
            luaL_addchar(&b, *at++);
        } else {
            break;
        }
        if (anchor) break;
    }
    pm_flush(&ms);
    if (!changed) {
        lua_pushvalue(L, 1);
    } else {
        luaL_addlstring(&b, at, (size_t)(ms.src_end - at));
        luaL_pushresult(&b);
    }
    lua_pushinteger(L, n);
    return 2;
}

void ds_push_pattern_library(lua_State *L) {
    static const luaL_Reg functions[] = {
        {"find", pm_find}, {"match", pm_match_fn}, {"gmatch", pm_gmatch}, {"gsub", pm_gsub}, {NULL, NULL},
    };
    luaL_newlib(L, functions);
}

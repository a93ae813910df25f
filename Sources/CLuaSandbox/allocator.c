/* The states' allocator: a byte cap, and a cache of small blocks.

   The cap counts the bytes Lua holds (`used`) and is enforced only while a protected call runs; a shrink is never
   refused, as Lua requires.

   Deciding a customer allocates and frees hundreds of small objects (strings, candidate tables), more of one size
   than malloc's per-thread cache keeps, so most of them would take malloc's slow path. Blocks of up to
   DS_SMALL_MAX bytes are therefore allocated in 16-byte size classes and, when Lua frees them, kept on a free list
   per class (up to DS_CACHE_MAX bytes per state) for the next allocation of that class. The invariant: a block
   Lua holds with a size of at most DS_SMALL_MAX has room for its whole class (it came from its class, or it is a
   larger block Lua shrank), so any block may go onto its class's list. */

#include "control.h"

#include <stdlib.h>
#include <string.h>

#define DS_SMALL_MAX 256
#define DS_CACHE_MAX ((size_t)1 << 20)

/* The class of a small size (1 ... DS_CLASSES - 1), 0 for a large one; and the bytes a class's blocks have. */
static size_t ds_class(size_t size) { return size <= DS_SMALL_MAX ? (size + 15) >> 4 : 0; }
static size_t ds_class_bytes(size_t class) { return class << 4; }

static void *ds_take(ds_control *c, size_t class) {
    ds_free_block *block = c->free_blocks[class];
    if (block == NULL) return malloc(ds_class_bytes(class));
    c->free_blocks[class] = block->next;
    c->cached_bytes -= ds_class_bytes(class);
    return block;
}

static void ds_keep(ds_control *c, void *pointer, size_t class) {
    if (c->cached_bytes + ds_class_bytes(class) > DS_CACHE_MAX) {
        free(pointer);
        return;
    }
    ds_free_block *block = pointer;
    block->next = c->free_blocks[class];
    c->free_blocks[class] = block;
    c->cached_bytes += ds_class_bytes(class);
}

/* Moves a block between a small class and the large sizes (or between two classes). */
static void *ds_move(ds_control *c, void *pointer, size_t old, size_t size) {
    size_t old_class = ds_class(old), class = ds_class(size);
    void *block = class ? ds_take(c, class) : malloc(size);
    if (block == NULL) return size <= old ? pointer : NULL; /* a shrink keeps its larger block */
    memcpy(block, pointer, old < size ? old : size);
    if (old_class) ds_keep(c, pointer, old_class);
    else free(pointer);
    return block;
}

void *ds_alloc(void *ud, void *pointer, size_t osize, size_t nsize) {
    ds_control *c = ud;
    size_t old = pointer ? osize : 0;
    if (nsize == 0) {
        if (pointer != NULL) {
            size_t class = ds_class(old);
            if (class) ds_keep(c, pointer, class);
            else free(pointer);
        }
        c->used -= old;
        return NULL;
    }
    if (c->enforcing && nsize > old && c->used - old + nsize > c->memory_limit) {
        c->limit_hit = DS_LIMIT_MEMORY;
        c->memory_refused = 1;
        return NULL;
    }
    void *block;
    if (pointer == NULL) {
        size_t class = ds_class(nsize);
        block = class ? ds_take(c, class) : malloc(nsize);
    } else if (ds_class(old) == 0 && ds_class(nsize) == 0) {
        block = realloc(pointer, nsize);
    } else if (ds_class(old) == ds_class(nsize)) {
        block = pointer;
    } else {
        block = ds_move(c, pointer, old, nsize);
    }
    if (block == NULL) return NULL;
    c->used = c->used - old + nsize;
    return block;
}

void ds_release_cache(ds_control *c) {
    for (size_t class = 1; class < DS_CLASSES; class++) {
        while (c->free_blocks[class] != NULL) {
            ds_free_block *block = c->free_blocks[class];
            c->free_blocks[class] = block->next;
            free(block);
        }
    }
    c->cached_bytes = 0;
}

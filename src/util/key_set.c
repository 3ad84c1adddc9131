/* key_set.c — the hash set of include/util/gapforge/key_set.h: open addressing, linear probing,
 * doubled when half full. */
#include "gapforge/key_set.h"

#include <stdlib.h>

#define FIRST_CAP 1024

uint64_t gf_hash64(const char *s, size_t n)
{
    uint64_t h = 14695981039346656037ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

/* Puts h into slots[cap]; false when it was there already. */
static bool put(uint64_t *slots, size_t cap, uint64_t h)
{
    size_t i = (size_t)(h ^ (h >> 32)) & (cap - 1);
    while (slots[i]) {
        if (slots[i] == h)
            return false;
        i = (i + 1) & (cap - 1);
    }
    slots[i] = h;
    return true;
}

static bool grow(gf_key_set *set)
{
    size_t cap = set->cap ? set->cap * 2 : FIRST_CAP;
    uint64_t *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return false;
    for (size_t i = 0; i < set->cap; i++)
        if (set->slots[i])
            put(slots, cap, set->slots[i]);
    free(set->slots);
    set->slots = slots;
    set->cap = cap;
    return true;
}

void gf_key_set_add(gf_key_set *set, const char *key, size_t n)
{
    if (set->may_repeat)
        return;
    if ((set->count + 1) * 2 > set->cap && !grow(set)) {
        set->may_repeat = true;
        return;
    }
    uint64_t h = gf_hash64(key, n);
    if (!put(set->slots, set->cap, h ? h : 1))
        set->may_repeat = true;
    else
        set->count++;
}

void gf_key_set_clear(gf_key_set *set)
{
    free(set->slots);
    *set = (gf_key_set){0};
}

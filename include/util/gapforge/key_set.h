/* key_set.h — a set of 64-bit string hashes, to tell cheaply that no two of many keys are equal.
 *
 * A bulk import adds each row's key as it streams in; when no two keys share a hash, no two keys
 * are equal and the database's search for repeated keys (a hash aggregate over every row) can be
 * skipped. When two share a hash (equal keys, or a collision, about 3e-8 for a million distinct
 * keys) or memory runs out, the set says "may repeat" and the exact search runs: the set only
 * ever saves work, never changes an answer. Eight bytes a slot, at most half full: 16 MB for a
 * million keys. Not thread-safe; one set per import. */
#ifndef GAPFORGE_KEY_SET_H
#define GAPFORGE_KEY_SET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct gf_key_set {
    uint64_t *slots; /* 0 = empty; a hash of 0 is stored as 1 */
    size_t cap;      /* a power of two, or 0 before the first key */
    size_t count;
    bool may_repeat; /* two keys shared a hash, or memory ran out */
} gf_key_set;

/* FNV-1a, 64 bits, of s[0..n). */
uint64_t gf_hash64(const char *s, size_t n);

/* Adds key[0..n). Sets may_repeat when an equal hash was added before or the set cannot grow;
 * after that it stops storing (the answer is known). */
void gf_key_set_add(gf_key_set *set, const char *key, size_t n);

/* Frees the slots; the set is empty again. */
void gf_key_set_clear(gf_key_set *set);

#endif

/* ratelimit.h — token buckets keyed by an integer id (an API key's), for request rate limits.
 *
 * Each id has a bucket of at most `burst` tokens that refills at `rate` tokens per second; a
 * request takes one token or is refused with the time until one is there. The table is pure: it
 * reads no clock (the caller passes a monotonic time in milliseconds), so tests drive it with
 * any clock they like. It is thread-safe (one mutex; a take is a hash lookup and a few
 * arithmetic operations) and bounded: at most `capacity` buckets, the least recently used one
 * reused for a new id when the table is full. A bucket idle long enough to be full again is the
 * same as a new one, so evicting it changes nothing; only when more than `capacity` ids are busy
 * at once does an evicted id get a fresh (full) bucket back. */
#ifndef GAPFORGE_RATELIMIT_H
#define GAPFORGE_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gapforge/err.h"

/* A limit as configured: rate tokens per second, bursts of up to burst tokens. */
typedef struct gf_ratelimit_spec {
    double rate;  /* tokens per second, > 0 */
    double burst; /* bucket size, >= 1 */
} gf_ratelimit_spec;

/* Parses "N/s" or "N/m" (N requests per second or per minute, a whole number from 1 to
 * 1000000) with an optional burst ":B" (a whole number from 1 to 1000000000; without it, 2N),
 * e.g. "50/s", "600/m", "5/s:5". Returns 0 with *spec filled, or -1 (spec untouched). "off" is
 * not a limit: the caller decides what turns limiting off. */
int gf_ratelimit_parse(const char *text, gf_ratelimit_spec *spec) GF_MUST_CHECK;

typedef struct gf_ratelimit gf_ratelimit;

/* A table of at most capacity (>= 1) buckets for spec. NULL when memory runs out or the
 * arguments are out of range. The caller frees it with gf_ratelimit_free. */
gf_ratelimit *gf_ratelimit_new(gf_ratelimit_spec spec, size_t capacity) GF_MUST_CHECK;

/* Frees the table; NULL is a harmless no-op. */
void gf_ratelimit_free(gf_ratelimit *rl);

/* Takes one token from id's bucket at now_ms (a monotonic clock in milliseconds; a time before
 * the bucket's last one counts as no time passed). Returns true when the request may go on;
 * false when the bucket is empty, with *retry_ms (may be NULL) the milliseconds until a token
 * will be there (>= 1). An id seen for the first time starts with a full bucket. */
bool gf_ratelimit_take(gf_ratelimit *rl, int64_t id, int64_t now_ms, int64_t *retry_ms);

/* The number of buckets the table holds now (<= capacity): for tests and metrics. */
size_t gf_ratelimit_size(gf_ratelimit *rl);

/* Whole seconds to announce in Retry-After for a wait of retry_ms: rounded up, at least 1. */
int64_t gf_ratelimit_retry_after_s(int64_t retry_ms);

#endif

/* cache_internal.h — the service's bounded, single-flight, reference-counted cache (cache.c),
 * and the caches made of it: histories (history_cache.c), answers (answers.c) and the orgs' data
 * versions (org_state.c). No other layer includes it. */
#ifndef GAPFORGE_SERVICE_CACHE_INTERNAL_H
#define GAPFORGE_SERVICE_CACHE_INTERNAL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "gapforge/err.h"
#include "gapforge/store_history.h"
#include "gapforge/store_versions.h"

#define GF_SVC__CACHE_BUCKETS 1021

typedef struct gf_svc__centry gf_svc__centry;

/* A cache: define one statically with GF_SVC__CACHE_INIT. cap answers the byte bound (read at
 * every get, so an option changed before serving applies); free_value frees a value. */
typedef struct gf_svc__cache {
    pthread_mutex_t mu;
    pthread_cond_t done;
    size_t (*cap)(void);
    void (*free_value)(void *value);
    gf_svc__centry *buckets[GF_SVC__CACHE_BUCKETS];
    gf_svc__centry *newest, *oldest;
    size_t bytes, entries;
    uint64_t hits, misses;
} gf_svc__cache;

#define GF_SVC__CACHE_INIT(cap_fn, free_fn)                                                 \
    {                                                                                       \
        .mu = PTHREAD_MUTEX_INITIALIZER, .done = PTHREAD_COND_INITIALIZER, .cap = (cap_fn), \
        .free_value = (free_fn)                                                             \
    }

/* Computes the value of a key: sets *value (owned by the cache from then on) and *bytes, or
 * returns a negative code with err. */
typedef int (*gf_svc__cache_fill_fn)(void *arg, void **value, size_t *bytes, gf_err *err);

/* The entry of key, computed with fill when absent (single flight: concurrent callers of one key
 * wait for the first). *out is a reference to release with gf_svc__cache_release; *cached is 1
 * when the value was already there. Returns 0, or fill's negative code with err. Thread-safe. */
int gf_svc__cache_get(gf_svc__cache *c, const uint64_t key[4], gf_svc__cache_fill_fn fill,
                      void *arg, gf_svc__centry **out, int *cached, gf_err *err) GF_MUST_CHECK;

/* The value of an entry (borrowed while the reference is held). */
void *gf_svc__centry_value(const gf_svc__centry *e);

/* Releases a reference; NULL-safe. */
void gf_svc__cache_release(gf_svc__cache *c, gf_svc__centry *e);

/* Evicts every ready entry (values still held are freed by their last release). */
void gf_svc__cache_clear(gf_svc__cache *c);

/* Evicts every ready entry whose key[0] is k0 and key[1] is below k1 — an org's entries of data
 * versions older than one just loaded, which no request asks for again — so that under a write
 * load the cache holds what can still be used instead of filling to its cap (values still held
 * are freed by their last release). */
void gf_svc__cache_drop_older(gf_svc__cache *c, uint64_t k0, uint64_t k1);

typedef struct gf_svc__cache_stat {
    size_t entries, bytes;
    uint64_t hits, misses;
} gf_svc__cache_stat;
void gf_svc__cache_stats(gf_svc__cache *c, gf_svc__cache_stat *out);

/* The entries and bytes of the answer cache (answers.c) and the history cache (history_cache.c),
 * for GET /metrics. */
void gf_svc__answer_cache_stats(gf_svc__cache_stat *out);
void gf_svc__history_cache_stats(gf_svc__cache_stat *out);

/* ---- the orgs' data versions (org_state.c) ---- */

/* The org's state (data version, fiscal year, today), read from the database at most once per
 * gf_svc_options.version_check_ms, at once after gf_svc_org_changed and after local midnight.
 * Returns 0, or a negative code with err. */
int gf_svc__org_state(int64_t org_id, gf_store_org_state *out, gf_err *err) GF_MUST_CHECK;

/* The fiscal year start month and today of gf_svc__org_state. */
int gf_svc__org_calendar(int64_t org_id, int *fysm, int *today, gf_err *err) GF_MUST_CHECK;

/* ---- histories (history_cache.c) ---- */

/* The org's history at as_of with its calendar to cal_end, from the cache or loaded, keyed by
 * (org, data version, as_of, cal_end, today). *ref is the reference to release with
 * gf_svc__history_release (the history is shared: read only). NULL with err. */
const gf_store_history *gf_svc__history_get(int64_t org_id, int as_of, int cal_end,
                                            gf_svc__centry **ref, gf_err *err) GF_MUST_CHECK;
void gf_svc__history_release(gf_svc__centry *ref);

#endif

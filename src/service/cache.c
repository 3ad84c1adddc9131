/* cache.c — the bounded, single-flight cache the history and answer caches are made of.
 *
 * Entries are found by a 256-bit key in a chained hash table and kept in least-recently-used
 * order. A value is shared: a caller holds a reference while it reads it, so an entry evicted
 * meanwhile is freed by its last release. While one caller computes a key, callers asking for the
 * same key wait for its result instead of computing it again; a failed computation wakes them and
 * the next one tries. The bytes of the ready values are bounded by the cap the cache's cap
 * function reads (an option); a value larger than the cap alone is answered but not kept. */
#include <stdlib.h>
#include <string.h>

#include "cache_internal.h"

struct gf_svc__centry {
    uint64_t key[4];
    int ready;    /* 0 while computing */
    int in_table; /* 0 once evicted: freed by the last release */
    unsigned refs;
    void *value;
    size_t bytes;
    gf_svc__centry *hnext;         /* hash chain */
    gf_svc__centry *newer, *older; /* LRU list of ready entries */
};

static size_t bucket_of(const uint64_t key[4])
{
    return (size_t)((key[0] ^ (key[1] * 0x9e3779b97f4a7c15ULL) ^ key[2] ^ key[3]) %
                    GF_SVC__CACHE_BUCKETS);
}

static gf_svc__centry *find(gf_svc__cache *c, const uint64_t key[4])
{
    for (gf_svc__centry *e = c->buckets[bucket_of(key)]; e; e = e->hnext)
        if (memcmp(e->key, key, sizeof e->key) == 0)
            return e;
    return NULL;
}

static void unhash(gf_svc__cache *c, gf_svc__centry *e)
{
    gf_svc__centry **p = &c->buckets[bucket_of(e->key)];
    while (*p && *p != e)
        p = &(*p)->hnext;
    if (*p)
        *p = e->hnext;
    e->hnext = NULL;
}

static void lru_unlink(gf_svc__cache *c, gf_svc__centry *e)
{
    if (e->newer)
        e->newer->older = e->older;
    else if (c->newest == e)
        c->newest = e->older;
    if (e->older)
        e->older->newer = e->newer;
    else if (c->oldest == e)
        c->oldest = e->newer;
    e->newer = e->older = NULL;
}

static void lru_push(gf_svc__cache *c, gf_svc__centry *e)
{
    e->older = c->newest;
    e->newer = NULL;
    if (c->newest)
        c->newest->newer = e;
    c->newest = e;
    if (!c->oldest)
        c->oldest = e;
}

static void destroy(gf_svc__cache *c, gf_svc__centry *e)
{
    if (e->value)
        c->free_value(e->value);
    free(e);
}

/* Takes a ready entry out of the table; frees it when nobody holds it. Called with mu held. */
static void evict(gf_svc__cache *c, gf_svc__centry *e)
{
    unhash(c, e);
    lru_unlink(c, e);
    e->in_table = 0;
    c->bytes -= e->bytes;
    c->entries--;
    if (e->refs == 0)
        destroy(c, e);
}

/* Evicts the least recently used ready entries until the bytes fit cap. Called with mu held. */
static void trim(gf_svc__cache *c, size_t cap)
{
    while (c->bytes > cap && c->oldest)
        evict(c, c->oldest);
}

int gf_svc__cache_get(gf_svc__cache *c, const uint64_t key[4], gf_svc__cache_fill_fn fill,
                      void *arg, gf_svc__centry **out, int *cached, gf_err *err)
{
    *out = NULL;
    *cached = 0;
    const size_t cap = c->cap();
    pthread_mutex_lock(&c->mu);
    gf_svc__centry *e = find(c, key);
    while (e && !e->ready) {
        pthread_cond_wait(&c->done, &c->mu);
        e = find(c, key);
    }
    if (e) {
        e->refs++;
        lru_unlink(c, e);
        lru_push(c, e);
        c->hits++;
        pthread_mutex_unlock(&c->mu);
        *out = e;
        *cached = 1;
        return 0;
    }
    c->misses++;
    e = calloc(1, sizeof *e);
    if (!e) {
        pthread_mutex_unlock(&c->mu);
        return gf_err_internal(err);
    }
    memcpy(e->key, key, sizeof e->key);
    e->refs = 1;
    const int keep = cap > 0;
    if (keep) { /* visible while computing, so that others wait for it */
        size_t b = bucket_of(key);
        e->hnext = c->buckets[b];
        c->buckets[b] = e;
        e->in_table = 1;
    }
    pthread_mutex_unlock(&c->mu);

    const int rc = fill(arg, &e->value, &e->bytes, err);

    pthread_mutex_lock(&c->mu);
    if (rc < 0 || !keep || e->bytes > cap) {
        if (e->in_table)
            unhash(c, e);
        e->in_table = 0;
    } else {
        e->ready = 1;
        c->bytes += e->bytes;
        c->entries++;
        lru_push(c, e);
        trim(c, cap);
    }
    e->ready = 1;
    pthread_cond_broadcast(&c->done);
    pthread_mutex_unlock(&c->mu);
    if (rc < 0) {
        destroy(c, e);
        return rc;
    }
    *out = e;
    return 0;
}

void *gf_svc__centry_value(const gf_svc__centry *e)
{
    return e->value;
}

void gf_svc__cache_release(gf_svc__cache *c, gf_svc__centry *e)
{
    if (!e)
        return;
    pthread_mutex_lock(&c->mu);
    const int gone = --e->refs == 0 && !e->in_table;
    pthread_mutex_unlock(&c->mu);
    if (gone)
        destroy(c, e);
}

void gf_svc__cache_clear(gf_svc__cache *c)
{
    pthread_mutex_lock(&c->mu);
    while (c->oldest)
        evict(c, c->oldest);
    pthread_mutex_unlock(&c->mu);
}

void gf_svc__cache_drop_older(gf_svc__cache *c, uint64_t k0, uint64_t k1)
{
    pthread_mutex_lock(&c->mu);
    for (gf_svc__centry *e = c->oldest, *next; e; e = next) {
        next = e->newer;
        if (e->key[0] == k0 && e->key[1] < k1)
            evict(c, e);
    }
    pthread_mutex_unlock(&c->mu);
}

void gf_svc__cache_stats(gf_svc__cache *c, gf_svc__cache_stat *out)
{
    pthread_mutex_lock(&c->mu);
    *out = (gf_svc__cache_stat){c->entries, c->bytes, c->hits, c->misses};
    pthread_mutex_unlock(&c->mu);
}

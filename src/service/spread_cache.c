/* spread_cache.c — the in-process cache of calibrated spreads, with single flight.
 *
 * The spread's self-backtest replays the forecast in earlier quarters (~170-210 ms on 100,000
 * deals), so its result is cached, keyed by everything it depends on: org, scope (its rep set),
 * period, as_of and the digest of the history the model saw. New data changes the digest and so
 * misses the cache; nothing is ever stale. While one request computes a key, requests for the
 * same key wait for it instead of running the same backtest again. Entries are replaced in
 * round-robin order; an entry being computed is never replaced. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "service_internal.h"

#define MAX_ENTRIES 1024

typedef enum entry_state { ENTRY_FREE, ENTRY_COMPUTING, ENTRY_READY } entry_state;

typedef struct entry {
    uint64_t key[4];
    entry_state state;
    gf_svc_spread value; /* value.rates owned by the cache */
} entry;

static entry g_entries[MAX_ENTRIES];
static unsigned g_next;
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_done = PTHREAD_COND_INITIALIZER;

static size_t capacity(void)
{
    const int n = gf_svc_options_get()->spread_cache_entries;
    return n < 1 ? 1 : n > MAX_ENTRIES ? MAX_ENTRIES : (size_t)n;
}

/* The entry holding key (any state but free), or NULL. Called with g_mu held. */
static entry *find(const uint64_t key[4], size_t n_stages)
{
    for (size_t k = 0; k < capacity(); k++) {
        entry *e = &g_entries[k];
        if (e->state != ENTRY_FREE && e->value.n_stages == n_stages &&
            memcmp(e->key, key, sizeof e->key) == 0)
            return e;
    }
    return NULL;
}

/* A slot for a new key: the next one round-robin that is not being computed, or NULL when every
 * slot is busy. Called with g_mu held. */
static entry *claim(void)
{
    const size_t cap = capacity();
    for (size_t tries = 0; tries < cap; tries++) {
        entry *e = &g_entries[g_next++ % cap];
        if (e->state == ENTRY_COMPUTING)
            continue;
        free(e->value.rates);
        memset(e, 0, sizeof *e);
        return e;
    }
    return NULL;
}

static void copy_out(const gf_svc_spread *from, gf_svc_spread *to)
{
    gf_model_stage_rate *rates = to->rates;
    memcpy(rates, from->rates, from->n_stages * sizeof *rates);
    *to = *from;
    to->rates = rates;
}

int gf_svc__spread_get(const uint64_t key[4], gf_svc_spread_fn fn, void *arg, gf_svc_spread *out,
                       int *cached)
{
    *cached = 0;
    pthread_mutex_lock(&g_mu);
    entry *e = find(key, out->n_stages);
    while (e && e->state == ENTRY_COMPUTING) {
        pthread_cond_wait(&g_done, &g_mu);
        e = find(key, out->n_stages);
    }
    if (e) {
        copy_out(&e->value, out);
        *cached = 1;
        pthread_mutex_unlock(&g_mu);
        return 0;
    }
    e = claim();
    gf_model_stage_rate *rates =
        e ? malloc((out->n_stages ? out->n_stages : 1) * sizeof *rates) : NULL;
    if (rates) {
        memcpy(e->key, key, sizeof e->key);
        e->state = ENTRY_COMPUTING;
        e->value.n_stages = out->n_stages;
    }
    pthread_mutex_unlock(&g_mu);

    const int rc = fn(arg, out);

    if (!rates) /* no slot or no memory: the value is simply not cached */
        return rc;
    pthread_mutex_lock(&g_mu);
    if (rc == 0) {
        memcpy(rates, out->rates, out->n_stages * sizeof *rates);
        e->value = *out;
        e->value.rates = rates;
        e->state = ENTRY_READY;
    } else {
        free(rates);
        memset(e, 0, sizeof *e);
    }
    pthread_cond_broadcast(&g_done);
    pthread_mutex_unlock(&g_mu);
    return rc;
}

void gf_svc__spread_reset(void)
{
    pthread_mutex_lock(&g_mu);
    for (size_t k = 0; k < MAX_ENTRIES; k++) {
        if (g_entries[k].state == ENTRY_COMPUTING)
            continue;
        free(g_entries[k].value.rates);
        memset(&g_entries[k], 0, sizeof g_entries[k]);
    }
    pthread_mutex_unlock(&g_mu);
}

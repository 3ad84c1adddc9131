/* ratelimit.c — token buckets keyed by id (see ratelimit.h).
 *
 * The buckets live in one array of capacity slots allocated at creation (calloc: pages the table
 * never reaches are never touched); a hash index of twice as many heads chains them by id, and a
 * doubly linked list orders them from most to least recently used. A new id takes a free slot
 * or, when there is none, the least recently used bucket. Links are slot numbers plus one, so
 * that zero (calloc's) means "none". */
#include "gapforge/ratelimit.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct bucket {
    int64_t id;
    int64_t last_ms; /* when tokens was last brought up to date */
    double tokens;
    uint32_t chain;        /* next slot with the same hash, + 1 */
    uint32_t newer, older; /* neighbours in recency order, + 1 */
} bucket;

struct gf_ratelimit {
    pthread_mutex_t mu;
    gf_ratelimit_spec spec;
    size_t capacity, used;
    bucket *slots;
    uint32_t *heads;         /* nheads chain heads, + 1 */
    size_t nheads;           /* a power of two */
    uint32_t newest, oldest; /* ends of the recency list, + 1 */
};

/* Reads a whole number from 1 to max at *p, advancing *p past it; -1 when there is none. */
static int read_count(const char **p, long max, long *out)
{
    const char *s = *p;
    if (*s < '0' || *s > '9')
        return -1;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || v < 1 || v > max)
        return -1;
    *p = end;
    *out = v;
    return 0;
}

int gf_ratelimit_parse(const char *text, gf_ratelimit_spec *spec)
{
    if (!text)
        return -1;
    const char *p = text;
    long n, burst;
    if (read_count(&p, 1000000L, &n) < 0 || *p++ != '/')
        return -1;
    double per;
    if (*p == 's')
        per = 1.0;
    else if (*p == 'm')
        per = 60.0;
    else
        return -1;
    p++;
    burst = 2 * n;
    if (*p == ':') {
        p++;
        if (read_count(&p, 1000000000L, &burst) < 0)
            return -1;
    }
    if (*p)
        return -1;
    spec->rate = (double)n / per;
    spec->burst = (double)burst;
    return 0;
}

gf_ratelimit *gf_ratelimit_new(gf_ratelimit_spec spec, size_t capacity)
{
    if (!(spec.rate > 0) || !(spec.burst >= 1) || capacity < 1 || capacity > UINT32_MAX / 4)
        return NULL;
    gf_ratelimit *rl = calloc(1, sizeof *rl);
    if (!rl)
        return NULL;
    rl->spec = spec;
    rl->capacity = capacity;
    rl->nheads = 1;
    while (rl->nheads < 2 * capacity)
        rl->nheads *= 2;
    rl->slots = calloc(capacity, sizeof *rl->slots);
    rl->heads = calloc(rl->nheads, sizeof *rl->heads);
    if (!rl->slots || !rl->heads) {
        gf_ratelimit_free(rl);
        return NULL;
    }
    pthread_mutex_init(&rl->mu, NULL);
    return rl;
}

void gf_ratelimit_free(gf_ratelimit *rl)
{
    if (!rl)
        return;
    if (rl->slots && rl->heads)
        pthread_mutex_destroy(&rl->mu);
    free(rl->slots);
    free(rl->heads);
    free(rl);
}

static size_t head_of(const gf_ratelimit *rl, int64_t id)
{
    uint64_t h = (uint64_t)id * 0x9E3779B97F4A7C15ULL; /* Fibonacci hashing */
    return (size_t)(h >> 32) & (rl->nheads - 1);
}

/* Takes slot s (+ 1) out of the recency list. */
static void unlink_recency(gf_ratelimit *rl, uint32_t s)
{
    bucket *b = &rl->slots[s - 1];
    if (b->newer)
        rl->slots[b->newer - 1].older = b->older;
    else
        rl->newest = b->older;
    if (b->older)
        rl->slots[b->older - 1].newer = b->newer;
    else
        rl->oldest = b->newer;
    b->newer = b->older = 0;
}

/* Puts slot s (+ 1), not in the list, at its most recent end. */
static void push_newest(gf_ratelimit *rl, uint32_t s)
{
    bucket *b = &rl->slots[s - 1];
    b->older = rl->newest;
    b->newer = 0;
    if (rl->newest)
        rl->slots[rl->newest - 1].newer = s;
    else
        rl->oldest = s;
    rl->newest = s;
}

/* Takes slot s (+ 1) out of its hash chain. */
static void unlink_chain(gf_ratelimit *rl, uint32_t s)
{
    uint32_t *link = &rl->heads[head_of(rl, rl->slots[s - 1].id)];
    while (*link && *link != s)
        link = &rl->slots[*link - 1].chain;
    if (*link)
        *link = rl->slots[s - 1].chain;
    rl->slots[s - 1].chain = 0;
}

/* The slot (+ 1) of id's bucket, made (full, at now_ms) when it has none. */
static uint32_t find_or_make(gf_ratelimit *rl, int64_t id, int64_t now_ms)
{
    size_t h = head_of(rl, id);
    for (uint32_t s = rl->heads[h]; s; s = rl->slots[s - 1].chain)
        if (rl->slots[s - 1].id == id) {
            unlink_recency(rl, s);
            push_newest(rl, s);
            return s;
        }
    uint32_t s;
    if (rl->used < rl->capacity) {
        s = (uint32_t)++rl->used;
    } else {
        s = rl->oldest;
        unlink_recency(rl, s);
        unlink_chain(rl, s);
    }
    bucket *b = &rl->slots[s - 1];
    b->id = id;
    b->last_ms = now_ms;
    b->tokens = rl->spec.burst;
    b->chain = rl->heads[h];
    rl->heads[h] = s;
    push_newest(rl, s);
    return s;
}

bool gf_ratelimit_take(gf_ratelimit *rl, int64_t id, int64_t now_ms, int64_t *retry_ms)
{
    pthread_mutex_lock(&rl->mu);
    bucket *b = &rl->slots[find_or_make(rl, id, now_ms) - 1];
    if (now_ms > b->last_ms) {
        b->tokens += (double)(now_ms - b->last_ms) * rl->spec.rate / 1000.0;
        if (b->tokens > rl->spec.burst)
            b->tokens = rl->spec.burst;
        b->last_ms = now_ms;
    }
    bool ok = b->tokens >= 1.0;
    if (ok)
        b->tokens -= 1.0;
    else if (retry_ms) {
        double wait = ceil((1.0 - b->tokens) * 1000.0 / rl->spec.rate);
        *retry_ms = wait < 1.0 ? 1 : (int64_t)wait;
    }
    pthread_mutex_unlock(&rl->mu);
    return ok;
}

size_t gf_ratelimit_size(gf_ratelimit *rl)
{
    pthread_mutex_lock(&rl->mu);
    size_t n = rl->used;
    pthread_mutex_unlock(&rl->mu);
    return n;
}

int64_t gf_ratelimit_retry_after_s(int64_t retry_ms)
{
    if (retry_ms <= 1000)
        return 1;
    return (retry_ms + 999) / 1000;
}

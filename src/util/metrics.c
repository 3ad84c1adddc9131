/* metrics.c — the metrics registry and its Prometheus text rendering (see metrics.h).
 *
 * The registry is a fixed array of metrics guarded by one mutex for registration; a metric
 * holds its series in an open-addressed table keyed by the label values joined with a unit
 * separator (FNV-1a hash), guarded by the metric's own mutex, and in creation order for
 * rendering. Series are never removed. */
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gapforge/key_set.h"
#include "gapforge/metrics.h"

#define MAX_METRICS   128
#define TABLE_SLOTS   (2 * GF_METRIC_MAX_SERIES)
#define MAX_KEY       512
#define MAX_REFRESHES 16

const double gf_metric_seconds_buckets[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                            0.5,   1,    2.5,   5,    10};
const size_t gf_metric_seconds_nbuckets =
    sizeof gf_metric_seconds_buckets / sizeof gf_metric_seconds_buckets[0];

typedef struct series {
    char *key; /* label values joined by \x1f */
    char *values[GF_METRIC_MAX_LABELS];
    double value;                                /* counter, gauge */
    uint64_t buckets[GF_METRIC_MAX_BUCKETS + 1]; /* histogram: per bound, then +Inf */
    double sum;
    uint64_t count;
} series;

struct gf_metric {
    char *name, *help;
    gf_metric_kind kind;
    size_t nlabels;
    char *labels[GF_METRIC_MAX_LABELS];
    double bounds[GF_METRIC_MAX_BUCKETS];
    size_t nbounds;
    pthread_mutex_t mu;
    series *table[TABLE_SLOTS];
    series *order[GF_METRIC_MAX_SERIES];
    size_t nseries;
};

static gf_metric *g_metrics[MAX_METRICS];
static size_t g_nmetrics;
static void (*g_refresh[MAX_REFRESHES])(void);
static size_t g_nrefresh;
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;

static void metric_free(gf_metric *m)
{
    if (!m)
        return;
    free(m->name);
    free(m->help);
    for (size_t i = 0; i < m->nlabels; i++)
        free(m->labels[i]);
    pthread_mutex_destroy(&m->mu);
    free(m);
}

/* A new metric, or NULL when memory runs out or the label list is too long. */
static gf_metric *metric_new(const char *name, gf_metric_kind kind, const char *help,
                             const char *labels, const double *bounds, size_t nbounds)
{
    gf_metric *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    pthread_mutex_init(&m->mu, NULL);
    m->kind = kind;
    m->name = strdup(name);
    m->help = strdup(help ? help : "");
    bool ok = m->name && m->help;
    for (const char *p = labels ? labels : ""; ok && *p;) {
        size_t n = strcspn(p, ",");
        ok = m->nlabels < GF_METRIC_MAX_LABELS && (m->labels[m->nlabels] = strndup(p, n)) != NULL;
        m->nlabels += ok;
        p += n + (p[n] == ',');
    }
    m->nbounds = kind == GF_METRIC_HISTOGRAM && nbounds <= GF_METRIC_MAX_BUCKETS ? nbounds : 0;
    for (size_t i = 0; i < m->nbounds; i++)
        m->bounds[i] = bounds[i];
    if (!ok) {
        metric_free(m);
        return NULL;
    }
    return m;
}

gf_metric *gf_metric_get(const char *name, gf_metric_kind kind, const char *help,
                         const char *labels, const double *bounds, size_t nbounds)
{
    pthread_mutex_lock(&g_mu);
    gf_metric *found = NULL;
    for (size_t i = 0; i < g_nmetrics && !found; i++)
        if (strcmp(g_metrics[i]->name, name) == 0)
            found = g_metrics[i];
    if (!found && g_nmetrics < MAX_METRICS) {
        found = metric_new(name, kind, help, labels, bounds, nbounds);
        if (found)
            g_metrics[g_nmetrics++] = found;
    }
    pthread_mutex_unlock(&g_mu);
    return found;
}

/* The series of these values, created when new; NULL when the key is too long, the metric is
 * full or memory runs out. Call with m->mu held. */
static series *series_of(gf_metric *m, const char *const *values)
{
    char key[MAX_KEY];
    size_t len = 0;
    for (size_t i = 0; i < m->nlabels; i++) {
        const char *v = values && values[i] ? values[i] : "";
        size_t n = strlen(v);
        if (len + n + 1 >= sizeof key)
            return NULL;
        memcpy(key + len, v, n);
        len += n;
        key[len++] = '\x1f';
    }
    key[len] = '\0';
    size_t slot = (size_t)(gf_hash64(key, len) % TABLE_SLOTS);
    for (size_t probe = 0; probe < TABLE_SLOTS; probe++, slot = (slot + 1) % TABLE_SLOTS) {
        series *s = m->table[slot];
        if (s && strcmp(s->key, key) == 0)
            return s;
        if (s)
            continue;
        if (m->nseries >= GF_METRIC_MAX_SERIES)
            return NULL;
        s = calloc(1, sizeof *s);
        bool ok = s && (s->key = strdup(key)) != NULL;
        for (size_t i = 0; ok && i < m->nlabels; i++)
            ok = (s->values[i] = strdup(values && values[i] ? values[i] : "")) != NULL;
        if (!ok) {
            if (s) {
                for (size_t i = 0; i < m->nlabels; i++)
                    free(s->values[i]);
                free(s->key);
            }
            free(s);
            return NULL;
        }
        m->table[slot] = s;
        m->order[m->nseries++] = s;
        return s;
    }
    return NULL;
}

static void update(gf_metric *m, const char *const *values, double v, int how)
{
    if (!m || !isfinite(v))
        return;
    pthread_mutex_lock(&m->mu);
    series *s = series_of(m, values);
    if (s && how == 0 && m->kind != GF_METRIC_HISTOGRAM)
        s->value += v;
    else if (s && how == 1 && m->kind == GF_METRIC_GAUGE)
        s->value = v;
    else if (s && how == 2 && m->kind == GF_METRIC_HISTOGRAM) {
        size_t b = 0;
        while (b < m->nbounds && v > m->bounds[b])
            b++;
        s->buckets[b]++;
        s->sum += v;
        s->count++;
    }
    pthread_mutex_unlock(&m->mu);
}

void gf_metric_add(gf_metric *m, const char *const *values, double v)
{
    update(m, values, v, 0);
}

void gf_metric_set(gf_metric *m, const char *const *values, double v)
{
    update(m, values, v, 1);
}

void gf_metric_observe(gf_metric *m, const char *const *values, double v)
{
    update(m, values, v, 2);
}

double gf_metric_value(gf_metric *m, const char *const *values)
{
    if (!m)
        return 0;
    pthread_mutex_lock(&m->mu);
    series *s = series_of(m, values);
    double v = s ? s->value : 0;
    pthread_mutex_unlock(&m->mu);
    return v;
}

void gf_metrics_on_render(void (*refresh)(void))
{
    pthread_mutex_lock(&g_mu);
    bool known = false;
    for (size_t i = 0; i < g_nrefresh; i++)
        known |= g_refresh[i] == refresh;
    if (!known && g_nrefresh < MAX_REFRESHES)
        g_refresh[g_nrefresh++] = refresh;
    pthread_mutex_unlock(&g_mu);
}

/* ---- rendering ---- */

typedef struct out {
    char *p;
    size_t len, cap;
    bool failed;
} out;

static void put(out *o, const char *s, size_t n)
{
    if (o->failed)
        return;
    if (o->len + n + 1 > o->cap) {
        size_t cap = o->cap ? o->cap : 4096;
        while (cap < o->len + n + 1)
            cap *= 2;
        char *p = realloc(o->p, cap);
        if (!p) {
            o->failed = true;
            return;
        }
        o->p = p;
        o->cap = cap;
    }
    memcpy(o->p + o->len, s, n);
    o->len += n;
    o->p[o->len] = '\0';
}

static void putf(out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(out *o, const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n > 0)
        put(o, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

/* text with \, " and newline escaped (label values; help escapes only \ and newline). */
static void escaped(out *o, const char *s, bool quote)
{
    for (; *s; s++) {
        if (*s == '\\')
            put(o, "\\\\", 2);
        else if (*s == '\n')
            put(o, "\\n", 2);
        else if (*s == '"' && quote)
            put(o, "\\\"", 2);
        else
            put(o, s, 1);
    }
}

static void number(out *o, double v)
{
    if (isinf(v))
        put(o, v > 0 ? "+Inf" : "-Inf", 4);
    else if (v == floor(v) && fabs(v) < 1e15)
        putf(o, "%.0f", v);
    else
        putf(o, "%.17g", v);
}

/* {a="x",b="y"[,le="..."]} — nothing when there are no labels and no le. */
static void labels(out *o, const gf_metric *m, const series *s, const char *le)
{
    if (m->nlabels == 0 && !le)
        return;
    put(o, "{", 1);
    for (size_t i = 0; i < m->nlabels; i++) {
        if (i)
            put(o, ",", 1);
        put(o, m->labels[i], strlen(m->labels[i]));
        put(o, "=\"", 2);
        escaped(o, s->values[i], true);
        put(o, "\"", 1);
    }
    if (le) {
        if (m->nlabels)
            put(o, ",", 1);
        putf(o, "le=\"%s\"", le);
    }
    put(o, "}", 1);
}

static void render_metric(out *o, gf_metric *m)
{
    static const char *types[] = {"counter", "gauge", "histogram"};
    put(o, "# HELP ", 7);
    put(o, m->name, strlen(m->name));
    put(o, " ", 1);
    escaped(o, m->help, false);
    putf(o, "\n# TYPE %s %s\n", m->name, types[m->kind]);
    pthread_mutex_lock(&m->mu);
    for (size_t i = 0; i < m->nseries; i++) {
        const series *s = m->order[i];
        if (m->kind != GF_METRIC_HISTOGRAM) {
            put(o, m->name, strlen(m->name));
            labels(o, m, s, NULL);
            put(o, " ", 1);
            number(o, s->value);
            put(o, "\n", 1);
            continue;
        }
        uint64_t cum = 0;
        for (size_t b = 0; b <= m->nbounds; b++) {
            char le[32];
            if (b < m->nbounds)
                snprintf(le, sizeof le, "%g", m->bounds[b]);
            else
                snprintf(le, sizeof le, "+Inf");
            cum += s->buckets[b];
            putf(o, "%s_bucket", m->name);
            labels(o, m, s, le);
            putf(o, " %llu\n", (unsigned long long)cum);
        }
        putf(o, "%s_sum", m->name);
        labels(o, m, s, NULL);
        put(o, " ", 1);
        number(o, s->sum);
        putf(o, "\n%s_count", m->name);
        labels(o, m, s, NULL);
        putf(o, " %llu\n", (unsigned long long)s->count);
    }
    pthread_mutex_unlock(&m->mu);
}

char *gf_metrics_render(size_t *len)
{
    void (*refresh[MAX_REFRESHES])(void);
    pthread_mutex_lock(&g_mu);
    size_t nrefresh = g_nrefresh;
    memcpy(refresh, g_refresh, sizeof refresh);
    pthread_mutex_unlock(&g_mu);
    for (size_t i = 0; i < nrefresh; i++)
        refresh[i]();
    out o = {0};
    put(&o, "", 0);
    pthread_mutex_lock(&g_mu);
    size_t n = g_nmetrics;
    gf_metric *all[MAX_METRICS];
    memcpy(all, g_metrics, n * sizeof all[0]);
    pthread_mutex_unlock(&g_mu);
    for (size_t i = 0; i < n; i++)
        render_metric(&o, all[i]);
    if (o.failed) {
        free(o.p);
        return NULL;
    }
    *len = o.len;
    return o.p;
}

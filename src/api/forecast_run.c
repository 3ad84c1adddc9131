/* forecast_run.c — a forecast request's parameters, one scope's run (mask, model, spread,
 * Monte Carlo) and the in-process cache of calibrated spreads.
 *
 * The spread's self-backtest replays the forecast in 8 earlier quarters (~170-210 ms on 100,000
 * deals), so its result is cached, keyed by everything it depends on: org, scope (its rep set),
 * period, as_of and the digest of the history the model saw. New data changes the digest and so
 * misses the cache; nothing is ever stale. */
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "forecast_internal.h"
#include "gapforge/date.h"
#include "gapforge/store.h"

int gf_api__fc_params(const gf_req *req, fc_get_fn get, const void *src, fc_params *p, gf_err *err)
{
    int fysm, today;
    memset(p, 0, sizeof *p);
    if (gf_store_org_calendar(req->who.org_id, &fysm, &today, err) < 0)
        return -1;
    const char *spec = get(src, "period"), *scope = get(src, "scope"), *as_of = get(src, "as_of");
    const char *trials = get(src, "trials"), *seed = get(src, "seed"), *ex = get(src, "explain");
    if (spec ? gf_period_parse(spec, fysm, &p->period) < 0
             : gf_period_quarter_of(today, fysm, &p->period) < 0)
        return gf_err_invalid(err, "period",
                              "period must be a fiscal quarter like 2026-Q4 or a range "
                              "YYYY-MM-DD..YYYY-MM-DD of at most three years");
    if (scope && strlen(scope) >= sizeof p->scope)
        return gf_err_invalid(err, "scope", "scope must be org, team:KEY or rep:KEY");
    snprintf(p->scope, sizeof p->scope, "%s", scope ? scope : "org");
    p->as_of = today;
    if (as_of && gf_date_parse(as_of, &p->as_of) < 0)
        return gf_err_invalid(err, "as_of", "as_of must be a date YYYY-MM-DD");
    if (p->period.end - p->as_of > GF_MODEL_MAX_HORIZON - 100 ||
        p->as_of - p->period.start > GF_MODEL_MAX_HORIZON - 100)
        return gf_err_invalid(err, "as_of", "as_of must be within about four years of the period");
    p->trials = GF_MODEL_SIM_DEFAULT_TRIALS;
    if (trials) {
        char *end = NULL;
        long v = strtol(trials, &end, 10);
        if (!*trials || *end || v < (long)GF_MODEL_SIM_MIN_TRIALS ||
            v > (long)GF_MODEL_SIM_MAX_TRIALS)
            return gf_err_invalid(err, "trials", "trials must be an integer from %u to %u",
                                  GF_MODEL_SIM_MIN_TRIALS, GF_MODEL_SIM_MAX_TRIALS);
        p->trials = (unsigned)v;
    }
    p->seed = GF_FORECAST_DEFAULT_SEED;
    if (seed) {
        char *end = NULL;
        if (!*seed || strspn(seed, "0123456789") != strlen(seed) || strlen(seed) > 16 ||
            (p->seed = strtoull(seed, &end, 10)) > GF_FORECAST_MAX_SEED)
            return gf_err_invalid(err, "seed", "seed must be an integer from 0 to 2^53 - 1");
    }
    if (ex && strcmp(ex, "true") != 0 && strcmp(ex, "false") != 0)
        return gf_err_invalid(err, "explain", "explain must be true or false");
    p->explain = ex && strcmp(ex, "true") == 0;
    return 0;
}

double gf_api__fc_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* ---- the spread cache ---- */

#define SIGMA_CACHE 64

typedef struct sigma_entry {
    uint64_t key[4];
    gf_model_sigma_est est;
    gf_model_figures fig;
    gf_model_stage_rate *rates; /* n_stages entries, owned by the cache */
    size_t n_stages;
    int used;
} sigma_entry;

static sigma_entry g_sigma[SIGMA_CACHE];
static unsigned g_sigma_next;
static pthread_mutex_t g_sigma_mu = PTHREAD_MUTEX_INITIALIZER;

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    return h * 0xff51afd7ed558ccdULL;
}

/* Copies a cached entry's spread and figures into r (r->rates must hold n_stages entries). */
static int sigma_get(const uint64_t key[4], size_t n_stages, fc_run *r)
{
    int hit = 0;
    pthread_mutex_lock(&g_sigma_mu);
    for (size_t k = 0; k < SIGMA_CACHE && !hit; k++) {
        const sigma_entry *e = &g_sigma[k];
        if (e->used && e->n_stages == n_stages && memcmp(e->key, key, sizeof e->key) == 0) {
            r->sigma = e->est;
            r->fig = e->fig;
            memcpy(r->rates, e->rates, n_stages * sizeof *r->rates);
            hit = 1;
        }
    }
    pthread_mutex_unlock(&g_sigma_mu);
    return hit;
}

/* Caches r's spread and figures (silently skipped when out of memory). */
static void sigma_put(const uint64_t key[4], size_t n_stages, const fc_run *r)
{
    gf_model_stage_rate *rates = malloc(n_stages * sizeof *rates);
    if (!rates)
        return;
    memcpy(rates, r->rates, n_stages * sizeof *rates);
    pthread_mutex_lock(&g_sigma_mu);
    sigma_entry *e = &g_sigma[g_sigma_next++ % SIGMA_CACHE];
    free(e->rates);
    memcpy(e->key, key, sizeof e->key);
    e->est = r->sigma;
    e->fig = r->fig;
    e->rates = rates;
    e->n_stages = n_stages;
    e->used = 1;
    pthread_mutex_unlock(&g_sigma_mu);
}

/* Calibrates the spread by the self-backtest (unless sigma is given) and computes the familiar
 * figures, through the cache. */
static int calibrate(int64_t org_id, const fc_params *p, const gf_store_history *h,
                     const gf_model_forecast_opts *o, uint64_t scope_key,
                     const gf_model_sigma_est *sigma, fc_run *r)
{
    const gf_model_period period = {p->period.start, p->period.end};
    uint64_t key[4] = {(uint64_t)org_id, h->digest, scope_key,
                       mix(mix((uint64_t)(uint32_t)period.start, (uint64_t)(uint32_t)period.end),
                           (uint64_t)(uint32_t)p->as_of)};
    key[2] = mix(key[2], sigma ? 1 : 0);
    if (sigma_get(key, h->h.n_stages, r)) {
        r->sigma_cached = 1;
        if (sigma)
            r->sigma = *sigma;
        return 0;
    }
    gf_model_backtest_point pts[GF_FORECAST_SIGMA_BACK];
    size_t n = 0;
    if (sigma)
        r->sigma = *sigma;
    else if (gf_model_backtest_run(&h->h, &h->cal, period, p->as_of, o, GF_FORECAST_SIGMA_BACK, pts,
                                   &n) != 0 ||
             gf_model_calib_sigma(pts, n, GF_FORECAST_SIGMA_FLOOR, GF_FORECAST_SIGMA_BACK,
                                  &r->sigma) != 0)
        return -1;
    if (gf_model_figures_compute(&h->h, &h->cal, r->f->survival, p->as_of,
                                 r->f->survival->window_start, r->mask, r->rates, &r->fig) != 0)
        return -1;
    sigma_put(key, h->h.n_stages, r);
    return 0;
}

int gf_api__fc_run(int64_t org_id, const fc_params *p, const gf_store_history *h, const char *scope,
                   const gf_model_sigma_est *sigma, fc_run *r, gf_err *err)
{
    int all = 0, rc = -1;
    int64_t *ids = NULL;
    size_t n = 0;
    memset(r, 0, sizeof *r);
    if (gf_store_scope_reps(org_id, scope, "scope", &all, &ids, &n, err) < 0)
        return -1;
    uint64_t scope_key = all ? 1 : mix(2, n);
    for (size_t k = 0; k < n; k++)
        scope_key = mix(scope_key, (uint64_t)ids[k]);
    if (!all) {
        if (!(r->mask = malloc(h->h.n_deals ? h->h.n_deals : 1))) {
            gf_err_internal(err);
            goto done;
        }
        gf_store_history_mask(h, ids, n, r->mask);
    }
    gf_model_forecast_opts o;
    gf_model_forecast_opts_default(p->as_of, &o);
    o.scope = r->mask;
    const gf_model_period period = {p->period.start, p->period.end};
    double t0 = gf_api__fc_now_ms();
    int mrc = gf_model_forecast_build(&h->h, &h->cal, period, p->as_of, &o, &r->f);
    if (mrc == GF_MODEL_EINVAL) {
        gf_err_invalid(err, "as_of", "no forecast can be made for this period at this as_of");
        goto done;
    }
    double t1 = gf_api__fc_now_ms();
    r->ms_model = t1 - t0;
    if (mrc == 0 && !(r->rates = calloc(h->h.n_stages, sizeof *r->rates)))
        mrc = GF_MODEL_ENOMEM;
    if (mrc != 0 || calibrate(org_id, p, h, &o, scope_key, sigma, r)) {
        gf_err_internal(err);
        goto done;
    }
    r->ms_sigma = gf_api__fc_now_ms() - t1;
    if (gf_store_forecast_target(org_id, scope, &p->period, &r->has_target, &r->target_cents, err) <
        0)
        goto done;
    gf_model_sim_input in;
    gf_model_forecast_sim_input(r->f, r->has_target ? (int64_t)(r->target_cents + 0.5) : 0,
                                r->sigma.sigma, p->trials, p->seed, 0, &in);
    t1 = gf_api__fc_now_ms();
    if (gf_model_sim_run(&in, &r->sim, NULL) != 0) {
        gf_err_internal(err);
        goto done;
    }
    r->ms_sim = gf_api__fc_now_ms() - t1;
    rc = 0;
done:
    free(ids);
    if (rc < 0)
        gf_api__fc_run_clear(r);
    return rc;
}

void gf_api__fc_run_clear(fc_run *r)
{
    free(r->mask);
    free(r->rates);
    gf_model_forecast_free(r->f);
    memset(r, 0, sizeof *r);
}

/* Test fixtures for levers, scenarios and plans: a status-quo simulation input built directly
 * (no history needed) and a context with every optional table filled. */
#ifndef GF_TEST_MODEL_LEVER_FIXTURE_H
#define GF_TEST_MODEL_LEVER_FIXTURE_H

#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "gapforge/model_levers.h"
#include "gapforge/model_rng.h"

#define LF_DAYS 91
#define LF_POOL 64
#define LF_NEXT 8

typedef struct lf {
    int64_t *amount;
    double *p;
    double *p_ever;
    int64_t pool[LF_POOL];
    int64_t next[LF_NEXT];
    double p_new[LF_DAYS];
    uint32_t named[4];
    gf_model_sim_input in;
    gf_model_lever_ctx ctx;
} lf;

/* n open deals with p uniform in (0.02, 0.9) and log-normal amounts around $20k, $300k booked,
 * 12 new deals expected, period days 0..90 seen at day 20. */
static inline lf *lf_new(size_t n, uint64_t seed)
{
    lf *f = calloc(1, sizeof(*f));
    ck_assert_ptr_nonnull(f);
    f->amount = malloc(n * sizeof(*f->amount));
    f->p = malloc(n * sizeof(*f->p));
    f->p_ever = malloc(n * sizeof(*f->p_ever));
    ck_assert(f->amount && f->p && f->p_ever);
    gf_model_rng r;
    gf_model_rng_seed(&r, seed, 1);
    for (size_t i = 0; i < n; i++) {
        f->p[i] = 0.02 + 0.88 * gf_model_rng_uniform(&r);
        f->p_ever[i] = fmin(1.0, f->p[i] * 1.6);
        f->amount[i] = llround(exp(log(2e6) + 0.8 * gf_model_rng_normal(&r)));
    }
    for (size_t k = 0; k < LF_POOL; k++)
        f->pool[k] = llround(exp(log(1.5e6) + 0.6 * gf_model_rng_normal(&r)));
    for (size_t k = 0; k < LF_NEXT; k++)
        f->next[k] = 4000000 - 300000 * (int64_t)k;
    for (size_t d = 0; d < LF_DAYS; d++)
        f->p_new[d] = 0.3 * (double)(LF_DAYS - d) / LF_DAYS;
    for (size_t k = 0; k < 4; k++)
        f->named[k] = (uint32_t)(k * 3);
    f->in = (gf_model_sim_input){.amount_cents = f->amount,
                                 .p = f->p,
                                 .n_deals = n,
                                 .booked_cents = 30000000,
                                 .new_lambda = 12.0,
                                 .new_amount_cents = f->pool,
                                 .n_new_amounts = LF_POOL,
                                 .target_cents = 0,
                                 .sigma = 0.2,
                                 .trials = 4000,
                                 .seed = 42,
                                 .threads = 1};
    f->ctx = (gf_model_lever_ctx){.base = &f->in,
                                  .period = {0, LF_DAYS - 1},
                                  .as_of = 20,
                                  .p_ever = f->p_ever,
                                  .p_new_by_day = f->p_new + 20,
                                  .n_p_new = LF_DAYS - 20,
                                  .next_commit_cents = f->next,
                                  .n_next_commit = LF_NEXT,
                                  .rep_bookings_per_day_cents = 150000.0,
                                  .rep_ramp_days = 30};
    return f;
}

static inline void lf_free(lf *f)
{
    free(f->amount);
    free(f->p);
    free(f->p_ever);
    free(f);
}

/* One lever of every kind, effects of a plausible size, costs in cents. */
static inline size_t lf_levers(const lf *f, gf_model_lever *lv)
{
    const gf_model_lever all[GF_MODEL_LEVER_KINDS] = {
        {GF_MODEL_LEVER_WIN_RATE, 0.05, 1500000, 10, 14, GF_MODEL_NO_DAY, 0, NULL, 0},
        {GF_MODEL_LEVER_DEAL_SIZE, 0.02, 1000000, 10, 7, GF_MODEL_NO_DAY, 0, NULL, 0},
        {GF_MODEL_LEVER_PIPELINE, 3.0, 800000, 10, 10, GF_MODEL_NO_DAY, 0, NULL, 0},
        {GF_MODEL_LEVER_SLIPPAGE, 0.05, 1200000, 10, 7, GF_MODEL_NO_DAY, 0, NULL, 0},
        {GF_MODEL_LEVER_PULL_FORWARD, 0.5, 100000, LF_NEXT, 0, GF_MODEL_NO_DAY, 0.1, NULL, 0},
        {GF_MODEL_LEVER_HEADCOUNT, 1.0, 4000000, 5, 21, GF_MODEL_NO_DAY, 0, NULL, 0},
        {GF_MODEL_LEVER_KPI, 2.0, 500000, 10, 5, GF_MODEL_NO_DAY, 0, NULL, 0, 0.1},
        {GF_MODEL_LEVER_CONCESSION, 0.3, 0, 4, 0, GF_MODEL_NO_DAY, 0.05, f->named, 4},
    };
    for (int k = 0; k < GF_MODEL_LEVER_KINDS; k++)
        lv[k] = all[k];
    return GF_MODEL_LEVER_KINDS;
}

#endif

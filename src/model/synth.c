/* The synthetic org generator: simulates deals day by day under a known process. */
#include "gapforge/model_synth.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gapforge/date.h"
#include "gapforge/model_rng.h"

void gf_model_synth_params_default(gf_model_synth_params *p)
{
    *p = (gf_model_synth_params){.seed = 1,
                                 .start_day = gf_date_from_ymd(2022, 1, 1),
                                 .end_day = gf_date_from_ymd(2025, 1, 1),
                                 .n_open = 4,
                                 .won = {0.0, 0.0, 0.004, 0.02},
                                 .lost = {0.012, 0.008, 0.006, 0.008},
                                 .advance = {0.03, 0.025, 0.02, 0.0},
                                 .default_prob = {0.1, 0.25, 0.5, 0.75},
                                 .stale_age = 60,
                                 .stale_factor = 0.25,
                                 .qe_days = 14,
                                 .qe_boost = 2.0,
                                 .shock_sigma = 0.25,
                                 .deals_per_day = 6.0,
                                 .zombie_share = 0.1,
                                 .amount_log_mean = log(2000000.0),
                                 .amount_log_sd = 0.8,
                                 .cycle_days = 45};
}

double gf_model_synth_true_win_prob(const gf_model_synth_params *p, int s)
{
    double next = 0.0;
    for (int k = p->n_open - 1; k >= s; k--) {
        const double adv = k + 1 < p->n_open ? p->advance[k] : 0.0;
        const double tot = p->won[k] + p->lost[k] + adv;
        next = tot > 0 ? (p->won[k] + adv * next) / tot : 0.0;
    }
    return next;
}

static int params_valid(const gf_model_synth_params *p)
{
    if (p->n_open < 1 || p->n_open > GF_MODEL_SYNTH_MAX_OPEN || p->end_day <= p->start_day)
        return 0;
    if (p->end_day - p->start_day > 20 * 366 || !(p->deals_per_day >= 0 && p->deals_per_day < 1e4))
        return 0;
    for (int s = 0; s < p->n_open; s++) {
        const double sum =
            p->won[s] * p->qe_boost * exp(3 * p->shock_sigma) + p->lost[s] + p->advance[s];
        if (p->won[s] < 0 || p->lost[s] < 0 || p->advance[s] < 0 || !(sum < 1.0))
            return 0;
        if (!(p->default_prob[s] >= 0 && p->default_prob[s] <= 1))
            return 0;
    }
    return p->qe_boost > 0 && p->stale_factor >= 0 && p->shock_sigma >= 0 && p->shock_sigma < 2 &&
           p->zombie_share >= 0 && p->zombie_share <= 1 && p->cycle_days > 0;
}

/* Growable pools; deals keep offsets until the end, when pointers are fixed up. */
typedef struct pools {
    gf_model_transition *tr;
    size_t n_tr, cap_tr;
    gf_model_change *cd;
    size_t n_cd, cap_cd;
    gf_model_deal *deals;
    size_t n_deals, cap_deals;
} pools;

static int grow(void **ptr, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t cap2 = *cap ? *cap * 2 : 1024;
    while (cap2 < need)
        cap2 *= 2;
    void *p = realloc(*ptr, cap2 * size);
    if (!p)
        return -1;
    *ptr = p;
    *cap = cap2;
    return 0;
}

static int add_tr(pools *pl, gf_day day, int32_t stage)
{
    if (grow((void **)&pl->tr, &pl->cap_tr, pl->n_tr + 1, sizeof(*pl->tr)))
        return -1;
    pl->tr[pl->n_tr++] = (gf_model_transition){day, stage};
    return 0;
}

static int add_cd(pools *pl, gf_day day, gf_day close)
{
    if (grow((void **)&pl->cd, &pl->cap_cd, pl->n_cd + 1, sizeof(*pl->cd)))
        return -1;
    pl->cd[pl->n_cd++] = (gf_model_change){day, close};
    return 0;
}

static void make_quarters(gf_model_synth *s, gf_day start, gf_day end)
{
    int y, m, d;
    gf_date_to_ymd(start, &y, &m, &d);
    m = ((m - 1) / 3) * 3 + 1;
    size_t n = 0;
    for (;;) {
        const gf_day qs = gf_date_from_ymd(y, m, 1);
        const int ny = m == 10 ? y + 1 : y, nm = m == 10 ? 1 : m + 3;
        const gf_day qe = gf_date_from_ymd(ny, nm, 1) - 1;
        s->quarters[n++] = (gf_model_period){qs, qe};
        y = ny;
        m = nm;
        if (qs > end)
            break;
    }
    s->n_quarters = n;
}

/* Simulates one deal created on day c until it closes or the simulation ends. */
static int sim_deal(const gf_model_synth_params *p, const gf_model_synth *s, gf_model_rng *r,
                    pools *pl, gf_day c)
{
    const int32_t won_stage = p->n_open, lost_stage = p->n_open + 1;
    const int zombie = gf_model_rng_uniform(r) < p->zombie_share;
    if (add_tr(pl, c, 0))
        return -1;
    gf_day close = c + p->cycle_days + (gf_day)gf_model_rng_below(r, 2 * (uint64_t)p->cycle_days);
    if (add_cd(pl, c, close))
        return -1;
    int32_t stage = 0;
    gf_day entered = c;
    for (gf_day d = c; d < p->end_day; d++) {
        if (d > close) {
            close = d + 30 + (gf_day)gf_model_rng_below(r, 30);
            if (add_cd(pl, d, close))
                return -1;
        }
        const long q = gf_model_calendar_find(&(gf_model_calendar){s->quarters, s->n_quarters}, d);
        const double shock = q >= 0 ? s->shock[q] : 1.0;
        const double qe = q >= 0 && s->quarters[q].end - d < p->qe_days ? p->qe_boost : 1.0;
        const double stale = d - entered >= p->stale_age ? p->stale_factor : 1.0;
        double pw = p->won[stage] * stale * qe * shock;
        double pl_ = p->lost[stage];
        double pa = stage + 1 < p->n_open ? p->advance[stage] * stale : 0.0;
        if (zombie) { /* nobody works it and nobody closes it */
            pw = 0.0;
            pa = 0.0;
            pl_ = 0.0;
        }
        const double u = gf_model_rng_uniform(r);
        int32_t to = -1;
        if (u < pw)
            to = won_stage;
        else if (u < pw + pl_)
            to = lost_stage;
        else if (u < pw + pl_ + pa)
            to = stage + 1;
        if (to < 0)
            continue;
        if (add_tr(pl, d, to))
            return -1;
        if (to >= won_stage)
            break;
        stage = to;
        entered = d;
        d--; /* the day a stage is entered is its age 0, at risk like any other */
    }
    return 0;
}

int gf_model_synth_new(const gf_model_synth_params *p, gf_model_synth **out)
{
    if (!out)
        return GF_MODEL_EINVAL;
    *out = NULL;
    if (!p || !params_valid(p))
        return GF_MODEL_EINVAL;
    int rc = GF_MODEL_ENOMEM;
    pools pl = {0};
    gf_model_synth *s = calloc(1, sizeof(*s));
    if (!s)
        goto cleanup;
    const size_t max_q = (size_t)(p->end_day - p->start_day) / 89 + 4;
    s->quarters = calloc(max_q, sizeof(*s->quarters));
    s->shock = calloc(max_q, sizeof(*s->shock));
    if (!s->quarters || !s->shock)
        goto cleanup;
    make_quarters(s, p->start_day, p->end_day);
    s->n_stages = (size_t)p->n_open + 2;
    for (int k = 0; k < p->n_open; k++)
        s->stages[k] = (gf_model_stage){GF_MODEL_STAGE_OPEN, p->default_prob[k]};
    s->stages[p->n_open] = (gf_model_stage){GF_MODEL_STAGE_WON, 1.0};
    s->stages[p->n_open + 1] = (gf_model_stage){GF_MODEL_STAGE_LOST, 0.0};
    gf_model_rng r;
    gf_model_rng_seed(&r, p->seed, 0);
    for (size_t q = 0; q < s->n_quarters; q++)
        s->shock[q] = exp(p->shock_sigma * gf_model_rng_normal(&r));
    const gf_model_calendar cal = {s->quarters, s->n_quarters};
    for (gf_day c = p->start_day; c < p->end_day; c++) {
        const long q = gf_model_calendar_find(&cal, c);
        const uint32_t born =
            gf_model_rng_poisson(&r, p->deals_per_day * (q >= 0 ? s->shock[q] : 1.0));
        for (uint32_t k = 0; k < born; k++) {
            if (grow((void **)&pl.deals, &pl.cap_deals, pl.n_deals + 1, sizeof(*pl.deals)))
                goto cleanup;
            const size_t i = pl.n_deals++;
            const size_t tr0 = pl.n_tr, cd0 = pl.n_cd;
            const double amt = exp(p->amount_log_mean + p->amount_log_sd * gf_model_rng_normal(&r));
            if (sim_deal(p, s, &r, &pl, c))
                goto cleanup;
            /* Pool offsets until the pools stop moving; made pointers below. */
            pl.deals[i] = (gf_model_deal){.id = (int64_t)i + 1,
                                          .amount_cents = llround(amt),
                                          .created_day = c,
                                          .n_timeline = pl.n_tr - tr0,
                                          .n_close_dates = pl.n_cd - cd0};
            pl.deals[i].timeline = (const gf_model_transition *)(uintptr_t)tr0;
            pl.deals[i].close_dates = (const gf_model_change *)(uintptr_t)cd0;
        }
    }
    for (size_t i = 0; i < pl.n_deals; i++) {
        pl.deals[i].timeline = pl.tr + (uintptr_t)pl.deals[i].timeline;
        pl.deals[i].close_dates = pl.cd + (uintptr_t)pl.deals[i].close_dates;
    }
    s->deals = pl.deals;
    s->n_deals = pl.n_deals;
    s->transitions = pl.tr;
    s->close_changes = pl.cd;
    pl = (pools){0};
    *out = s;
    s = NULL;
    rc = GF_MODEL_OK;
cleanup:
    free(pl.tr);
    free(pl.cd);
    free(pl.deals);
    gf_model_synth_free(s);
    return rc;
}

void gf_model_synth_free(gf_model_synth *s)
{
    if (!s)
        return;
    free(s->deals);
    free(s->transitions);
    free(s->close_changes);
    free(s->quarters);
    free(s->shock);
    free(s);
}

void gf_model_synth_history(const gf_model_synth *s, gf_model_history *h, gf_model_calendar *cal)
{
    *h = (gf_model_history){s->deals, s->n_deals, s->stages, s->n_stages};
    *cal = (gf_model_calendar){s->quarters, s->n_quarters};
}

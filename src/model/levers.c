/* Levers: one effect function per kind in a table, each transforming a copy of the status-quo
 * simulation input; costs; the new-deal timing table from the survival model. */
#include "gapforge/model_levers.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The largest probability a lever sets: its sampling threshold is still 2^32 - 1, but the deal
 * stays "uncertain" in the simulation, so the random streams stay aligned with the baseline. */
#define P_MAX (1.0 - 0x1.0p-33)

typedef int (*effect_fn)(const gf_model_lever_ctx *c, const gf_model_lever *lv, uint32_t units,
                         double s, gf_model_lever_work *w);

static double clamp_p(double p)
{
    return p < 0.0 ? 0.0 : p > P_MAX ? P_MAX : p;
}

static gf_day effect_day(const gf_model_lever *lv, const gf_model_lever_ctx *c)
{
    const gf_day start = lv->start_day == GF_MODEL_NO_DAY ? c->as_of : lv->start_day;
    return start + lv->ramp_days;
}

double gf_model_lever_share(const gf_model_lever *lv, const gf_model_lever_ctx *c)
{
    const gf_day from = c->as_of > c->period.start ? c->as_of : c->period.start;
    const gf_day end = c->period.end;
    gf_day e = effect_day(lv, c);
    if (end < from || e > end)
        return 0.0;
    if (e < from)
        e = from;
    return (double)(end - e + 1) / (double)(end - from + 1);
}

/* Sum of p_new_by_day over [max(e, as_of), period.end]. */
static double p_new_sum(const gf_model_lever_ctx *c, gf_day e)
{
    double sum = 0.0;
    for (gf_day d = e > c->as_of ? e : c->as_of; d <= c->period.end; d++) {
        const size_t k = (size_t)(d - c->as_of);
        if (k < c->n_p_new)
            sum += c->p_new_by_day[k];
    }
    return sum;
}

static double pool_mean(const gf_model_lever_work *w)
{
    double s = 0.0;
    for (size_t k = 0; k < w->in.n_new_amounts; k++)
        s += (double)w->in.new_amount_cents[k];
    return w->in.n_new_amounts ? s / (double)w->in.n_new_amounts : 0.0;
}

/* Adds expected won new deals to the rate (their amounts come from the pool). */
static int add_new_deals(gf_model_lever_work *w, double count)
{
    if (!(count > 0.0))
        return GF_MODEL_OK;
    if (!w->in.n_new_amounts)
        return GF_MODEL_EINVAL;
    w->in.new_lambda += count;
    return GF_MODEL_OK;
}

static double odds_shift(double p, double k)
{
    const double o = k * p / (1.0 - p);
    return o / (1.0 + o);
}

static int fx_win_rate(const gf_model_lever_ctx *c, const gf_model_lever *lv, uint32_t units,
                       double s, gf_model_lever_work *w)
{
    const double k = 1.0 + lv->effect * units;
    for (size_t i = 0; i < w->in.n_deals; i++) {
        const double p = w->p[i];
        if (p > 0.0 && p < 1.0)
            w->p[i] = clamp_p(p + s * (odds_shift(p, k) - p));
    }
    double r = k;
    const size_t span = c->period.end >= c->as_of ? (size_t)(c->period.end - c->as_of) + 1 : 0;
    const size_t n = c->n_p_new < span ? c->n_p_new : span;
    if (n) {
        const double mean = p_new_sum(c, c->as_of) / (double)n;
        if (mean > 0.0 && mean < 1.0)
            r = odds_shift(mean, k) / mean;
    }
    w->in.new_lambda *= 1.0 + s * (r - 1.0);
    return GF_MODEL_OK;
}

static int fx_deal_size(const gf_model_lever_ctx *c, const gf_model_lever *lv, uint32_t units,
                        double s, gf_model_lever_work *w)
{
    (void)c;
    const double f = 1.0 + lv->effect * units * s;
    for (size_t i = 0; i < w->in.n_deals; i++)
        w->amount[i] = llround((double)w->amount[i] * f);
    for (size_t k = 0; k < w->in.n_new_amounts; k++)
        w->pool[k] = llround((double)w->pool[k] * f);
    return GF_MODEL_OK;
}

static int fx_pipeline(const gf_model_lever_ctx *c, const gf_model_lever *lv, uint32_t units,
                       double s, gf_model_lever_work *w)
{
    (void)s;
    if (!c->n_p_new)
        return GF_MODEL_EINVAL;
    return add_new_deals(w, lv->effect * units / 7.0 * p_new_sum(c, effect_day(lv, c)));
}

static int fx_slippage(const gf_model_lever_ctx *c, const gf_model_lever *lv, uint32_t units,
                       double s, gf_model_lever_work *w)
{
    const double k = 1.0 + lv->effect * units;
    const gf_day e = effect_day(lv, c);
    if (!c->p_slip && !c->p_ever)
        return GF_MODEL_EINVAL;
    for (size_t i = 0; i < c->base->n_deals; i++) {
        const double p = w->p[i];
        if (!(p > 0.0 && p < 1.0))
            continue;
        double q;
        if (c->p_slip) {
            q = c->p_slip(c->p_slip_arg, i, k, e);
        } else {
            const double ever = c->p_ever[i] > p ? c->p_ever[i] : p;
            const double f = p / ever;
            q = ever * (1.0 - pow(1.0 - f, 1.0 + s * (k - 1.0)));
        }
        w->p[i] = clamp_p(q > p ? q : p);
    }
    return GF_MODEL_OK;
}

static int fx_pull_forward(const gf_model_lever_ctx *c, const gf_model_lever *lv, uint32_t units,
                           double s, gf_model_lever_work *w)
{
    const size_t m = units < c->n_next_commit ? units : c->n_next_commit;
    const double p = clamp_p((lv->effect < 1.0 ? lv->effect : 1.0) * s);
    for (size_t k = 0; k < m; k++) {
        const size_t i = w->in.n_deals++;
        w->amount[i] = llround((double)c->next_commit_cents[k] * (1.0 - lv->cost_share));
        w->p[i] = p;
    }
    return GF_MODEL_OK;
}

static int fx_headcount(const gf_model_lever_ctx *c, const gf_model_lever *lv, uint32_t units,
                        double s, gf_model_lever_work *w)
{
    (void)s;
    const gf_day e = effect_day(lv, c);
    const gf_day from = e > c->as_of ? e : c->as_of;
    double rep_days = 0.0;
    for (gf_day d = from; d <= c->period.end; d++) {
        const double ramp =
            c->rep_ramp_days > 0 ? (double)(d - e + 1) / (double)c->rep_ramp_days : 1.0;
        rep_days += ramp < 1.0 ? ramp : 1.0;
    }
    const double bookings = lv->effect * units * c->rep_bookings_per_day_cents * rep_days;
    const double mean = pool_mean(w);
    if (bookings > 0.0 && !(mean > 0.0))
        return GF_MODEL_EINVAL;
    return add_new_deals(w, bookings > 0.0 ? bookings / mean : 0.0);
}

/* Removes expected won new deals from the rate: the new-deal rate never falls below zero, and
 * the removed deals win nothing. Needs no pool. */
static void remove_new_deals(gf_model_lever_work *w, double count)
{
    w->in.new_lambda = w->in.new_lambda > count ? w->in.new_lambda - count : 0.0;
}

static int fx_kpi(const gf_model_lever_ctx *c, const gf_model_lever *lv, uint32_t units, double s,
                  gf_model_lever_work *w)
{
    w->kpi_delta += lv->effect * units * s;
    if (!(lv->opps_per_kpi_unit_day > 0.0) || lv->effect == 0.0)
        return GF_MODEL_OK;
    if (!c->n_p_new)
        return GF_MODEL_EINVAL;
    /* Opportunities per day, negative when the KPI falls: each, created on a day d >= e, is won
     * in time with p_new_by_day, as a pipeline lever's. */
    const double opps_per_day = lv->effect * units * lv->opps_per_kpi_unit_day;
    const double won = opps_per_day * p_new_sum(c, effect_day(lv, c));
    if (won < 0.0) {
        remove_new_deals(w, -won);
        return GF_MODEL_OK;
    }
    return add_new_deals(w, won);
}

static int fx_concession(const gf_model_lever_ctx *c, const gf_model_lever *lv, uint32_t units,
                         double s, gf_model_lever_work *w)
{
    (void)c;
    const size_t m = units < lv->n_deals ? units : lv->n_deals;
    for (size_t k = 0; k < m; k++) {
        const uint32_t i = lv->deals[k];
        if (w->p[i] < 1.0)
            w->p[i] = clamp_p(w->p[i] + lv->effect * s);
    }
    return GF_MODEL_OK;
}

static const struct lever_kind {
    const char *name;
    effect_fn apply;
} kinds[GF_MODEL_LEVER_KINDS] = {
    [GF_MODEL_LEVER_WIN_RATE] = {"win_rate", fx_win_rate},
    [GF_MODEL_LEVER_DEAL_SIZE] = {"deal_size", fx_deal_size},
    [GF_MODEL_LEVER_PIPELINE] = {"pipeline", fx_pipeline},
    [GF_MODEL_LEVER_SLIPPAGE] = {"slippage", fx_slippage},
    [GF_MODEL_LEVER_PULL_FORWARD] = {"pull_forward", fx_pull_forward},
    [GF_MODEL_LEVER_HEADCOUNT] = {"headcount", fx_headcount},
    [GF_MODEL_LEVER_KPI] = {"kpi", fx_kpi},
    [GF_MODEL_LEVER_CONCESSION] = {"concession", fx_concession},
};

const char *gf_model_lever_kind_name(int kind)
{
    if (kind < 0 || kind >= GF_MODEL_LEVER_KINDS)
        return "unknown";
    return kinds[kind].name;
}

int gf_model_lever_kind_from_name(const char *name)
{
    for (int k = 0; name && k < GF_MODEL_LEVER_KINDS; k++) {
        if (!strcmp(kinds[k].name, name))
            return k;
    }
    return -1;
}

int gf_model_lever_check(const gf_model_lever *lv, const gf_model_lever_ctx *c)
{
    if (!lv || !c || !c->base || lv->kind < 0 || lv->kind >= GF_MODEL_LEVER_KINDS)
        return GF_MODEL_EINVAL;
    if (!isfinite(lv->effect) || (lv->effect < 0.0 && lv->kind != GF_MODEL_LEVER_KPI))
        return GF_MODEL_EINVAL;
    if (lv->ramp_days < 0 || lv->unit_cost_cents < 0 || !(lv->cost_share >= 0.0) ||
        lv->cost_share > 1.0)
        return GF_MODEL_EINVAL;
    if (lv->kind == GF_MODEL_LEVER_KPI &&
        !(lv->opps_per_kpi_unit_day >= 0.0 && isfinite(lv->opps_per_kpi_unit_day)))
        return GF_MODEL_EINVAL;
    if (lv->kind == GF_MODEL_LEVER_CONCESSION) {
        if (lv->n_deals && !lv->deals)
            return GF_MODEL_EINVAL;
        for (size_t k = 0; k < lv->n_deals; k++) {
            if (lv->deals[k] >= c->base->n_deals)
                return GF_MODEL_EINVAL;
        }
    }
    return GF_MODEL_OK;
}

void gf_model_lever_lead_kpi(gf_model_lever *lv, double conversion, int32_t bucket_days)
{
    if (!lv || lv->kind != GF_MODEL_LEVER_KPI)
        return;
    lv->opps_per_kpi_unit_day = isfinite(conversion) && conversion > 0.0 && bucket_days >= 1
                                    ? conversion / (double)bucket_days
                                    : 0.0;
}

int64_t gf_model_lever_cost(const gf_model_lever *lv, const gf_model_lever_ctx *c, uint32_t units)
{
    double cost = (double)lv->unit_cost_cents * units;
    if (lv->kind == GF_MODEL_LEVER_CONCESSION) {
        for (size_t k = 0; k < units && k < lv->n_deals; k++)
            cost += lv->cost_share * (double)c->base->amount_cents[lv->deals[k]];
    } else if (lv->kind == GF_MODEL_LEVER_PULL_FORWARD) {
        for (size_t k = 0; k < units && k < c->n_next_commit; k++)
            cost += lv->cost_share * (double)c->next_commit_cents[k];
    }
    return llround(cost);
}

void gf_model_lever_work_free(gf_model_lever_work *w)
{
    if (!w)
        return;
    free(w->amount);
    free(w->p);
    free(w->pool);
    memset(w, 0, sizeof(*w));
}

/* Copies the base into the work buffers, growing them as needed. */
static int work_reset(gf_model_lever_work *w, const gf_model_lever_ctx *c)
{
    const gf_model_sim_input *b = c->base;
    const size_t need = b->n_deals + c->n_next_commit + 1;
    if (w->cap < need) {
        int64_t *a = realloc(w->amount, need * sizeof(*a));
        if (a)
            w->amount = a;
        double *p = realloc(w->p, need * sizeof(*p));
        if (p)
            w->p = p;
        if (!a || !p)
            return GF_MODEL_ENOMEM;
        w->cap = need;
    }
    const int own_pool = !b->n_new_amounts;
    const int64_t *src = own_pool ? c->amount_pool : b->new_amount_cents;
    const size_t n_pool = own_pool ? c->n_amount_pool : b->n_new_amounts;
    if (w->pool_cap < n_pool + 1) {
        int64_t *q = realloc(w->pool, (n_pool + 1) * sizeof(*q));
        if (!q)
            return GF_MODEL_ENOMEM;
        w->pool = q;
        w->pool_cap = n_pool + 1;
    }
    if (b->n_deals) {
        memcpy(w->amount, b->amount_cents, b->n_deals * sizeof(*w->amount));
        memcpy(w->p, b->p, b->n_deals * sizeof(*w->p));
    }
    if (n_pool)
        memcpy(w->pool, src, n_pool * sizeof(*w->pool));
    w->in = *b;
    w->in.amount_cents = w->amount;
    w->in.p = w->p;
    w->in.new_amount_cents = w->pool;
    w->in.n_new_amounts = n_pool;
    w->cost_cents = 0;
    w->kpi_delta = 0.0;
    return GF_MODEL_OK;
}

int gf_model_levers_apply(const gf_model_lever_ctx *ctx, const gf_model_lever *levers,
                          const uint32_t *units, size_t n, gf_model_lever_work *w)
{
    if (!ctx || !ctx->base || !w || (n && (!levers || !units)))
        return GF_MODEL_EINVAL;
    if (ctx->n_next_commit && !ctx->next_commit_cents)
        return GF_MODEL_EINVAL;
    for (size_t k = 0; k < n; k++) {
        if (gf_model_lever_check(&levers[k], ctx))
            return GF_MODEL_EINVAL;
    }
    int rc = work_reset(w, ctx);
    for (size_t k = 0; !rc && k < n; k++) {
        w->cost_cents += gf_model_lever_cost(&levers[k], ctx, units[k]);
        /* Nothing of the period is left after the ramp: the lever changes nothing (its cost
         * stands). Skipping also keeps the input bit for bit equal to the base. */
        const double s = gf_model_lever_share(&levers[k], ctx);
        if (!units[k] || s <= 0.0)
            continue;
        rc = kinds[levers[k].kind].apply(ctx, &levers[k], units[k], s, w);
    }
    return rc;
}

int gf_model_lever_p_new_table(const gf_model_survival *m, const gf_model_calendar *cal,
                               gf_day as_of, gf_day end, double *out)
{
    if (!m || !out || end < as_of)
        return GF_MODEL_EINVAL;
    int32_t first = -1;
    for (size_t s = 0; s < m->n_stages && first < 0; s++) {
        if (m->stages[s].kind == GF_MODEL_STAGE_OPEN)
            first = (int32_t)s;
    }
    if (first < 0)
        return GF_MODEL_EINVAL;
    for (gf_day d = as_of; d <= end; d++) {
        gf_model_pwin *t = NULL;
        const int rc = gf_model_pwin_new(m, cal, d, end, &t);
        if (rc)
            return rc;
        out[d - as_of] = gf_model_pwin_get(t, first, 0);
        gf_model_pwin_free(t);
    }
    return GF_MODEL_OK;
}

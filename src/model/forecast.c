/* The status-quo forecast: spells and survival fit at as_of, the DP to the period's end (and to
 * the day before its start when as_of precedes it), booked and open deals in scope, new deals. */
#include "gapforge/model_forecast.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gapforge/model_spells.h"

void gf_model_forecast_opts_default(gf_day as_of, gf_model_forecast_opts *o)
{
    memset(o, 0, sizeof(*o));
    gf_model_survival_opts_default(as_of, &o->survival);
    o->new_quarters = 4;
    o->close_quarters = 4;
    o->k_close = 10.0;
    o->k_amount = 10.0;
    o->new_scale = 1.0;
}

double gf_model_forecast_new_scale(const gf_model_forecast_opts *o)
{
    return o->new_scale > 0.0 && isfinite(o->new_scale) ? o->new_scale : 1.0;
}

void gf_model_forecast_free(gf_model_forecast *f)
{
    if (!f)
        return;
    free(f->open);
    free(f->amount);
    free(f->p);
    gf_model_newdeals_free(&f->newdeals);
    gf_model_survival_free(f->survival);
    free(f);
}

/* The DP tables a forecast needs: P(won by the end), by the day before the start, and ever. */
typedef struct tables {
    gf_model_pwin *to_end;
    gf_model_pwin *before;
    gf_model_pwin *ever;
} tables;

static void tables_free(tables *t)
{
    gf_model_pwin_free(t->to_end);
    gf_model_pwin_free(t->before);
    gf_model_pwin_free(t->ever);
}

static int tables_build(const gf_model_survival *m, const gf_model_calendar *cal, gf_day as_of,
                        gf_model_period period, tables *t)
{
    int rc = gf_model_pwin_new(m, cal, as_of, period.end, &t->to_end);
    if (!rc && period.start > as_of)
        rc = gf_model_pwin_new(m, cal, as_of, period.start - 1, &t->before);
    if (!rc)
        rc = gf_model_pwin_new(m, NULL, as_of, as_of + GF_MODEL_MAX_HORIZON - 1, &t->ever);
    return rc;
}

static void describe_open(gf_model_open_deal *od, const gf_model_deal_state *st, const tables *t,
                          gf_day as_of, gf_model_period period)
{
    od->stage = st->stage;
    od->age = as_of - st->entered_day;
    od->amount_cents = st->amount_cents;
    od->close_date = st->close_date;
    od->pushes = st->pushes;
    od->p_win = gf_model_pwin_get(t->ever, st->stage, od->age);
    double p = gf_model_pwin_get(t->to_end, st->stage, od->age);
    if (t->before)
        p -= gf_model_pwin_get(t->before, st->stage, od->age);
    od->p_survival = p < 0.0 ? 0.0 : p > 1.0 ? 1.0 : p;
    od->p_in_period = od->p_survival;
    od->close_pos = gf_model_close_pos_of(st->close_date, as_of, period);
    od->flags = 0;
    if (st->close_date != GF_MODEL_NO_DAY && st->close_date < as_of)
        od->flags |= GF_MODEL_FLAG_OVERDUE;
    if (st->close_date != GF_MODEL_NO_DAY && st->close_date >= period.start &&
        st->close_date <= period.end)
        od->flags |= GF_MODEL_FLAG_IN_PERIOD;
    if (st->pushes > 0)
        od->flags |= GF_MODEL_FLAG_PUSHED;
    if (od->p_win < 0.5 * gf_model_pwin_get(t->ever, st->stage, 0))
        od->flags |= GF_MODEL_FLAG_STALE;
}

/* Booked and open deals in scope at as_of. */
static int collect(gf_model_forecast *f, const gf_model_history *h, const uint8_t *scope,
                   const tables *t)
{
    size_t cap = 0;
    for (size_t i = 0; i < h->n_deals; i++) {
        if (scope && !scope[i])
            continue;
        gf_model_deal_state st;
        gf_model_deal_state_at(h, i, f->as_of, &st);
        if (!st.exists)
            continue;
        if (st.kind == GF_MODEL_STAGE_WON) {
            if (st.closed_day >= f->period.start && st.closed_day <= f->period.end) {
                f->booked_cents += st.amount_cents;
                f->n_booked++;
            }
            continue;
        }
        if (st.kind != GF_MODEL_STAGE_OPEN)
            continue;
        if (f->n_open == cap) {
            cap = cap ? cap * 2 : 256;
            gf_model_open_deal *o = realloc(f->open, cap * sizeof(*o));
            if (!o)
                return GF_MODEL_ENOMEM;
            f->open = o;
        }
        gf_model_open_deal *od = &f->open[f->n_open++];
        od->deal = (uint32_t)i;
        describe_open(od, &st, t, f->as_of, f->period);
    }
    return GF_MODEL_OK;
}

/* Learns the close-date factors (unless disabled) and applies them to every open deal. */
static int apply_close_factors(gf_model_forecast *f, const gf_model_history *h,
                               const gf_model_calendar *cal, const gf_model_forecast_opts *o)
{
    for (int k = 0; k < GF_MODEL_CLOSE_POSITIONS; k++)
        f->close.pos[k].odds_factor = 1.0;
    f->close.n_stages = 0;
    if (!o->close_quarters)
        return GF_MODEL_OK;
    const int rc = gf_model_close_factors_fit(h, cal, f->survival, f->period, f->as_of,
                                              o->close_quarters, o->k_close, o->scope, &f->close);
    if (rc)
        return rc;
    for (size_t k = 0; k < f->n_open; k++) {
        gf_model_open_deal *od = &f->open[k];
        od->p_in_period = gf_model_close_adjust(
            od->p_survival, gf_model_close_factor_of(&f->close, od->close_pos, od->stage));
    }
    return GF_MODEL_OK;
}

/* Learns the won-amount factor from every deal won in [from, as_of): their booked amounts
 * against what each showed the day before it was won, pooled with k pseudo-deals at 1 of the
 * mean such amount. */
static void learn_won_amount(gf_model_forecast *f, const gf_model_history *h, gf_day from, double k)
{
    double booked = 0.0, shown = 0.0;
    size_t n = 0;
    for (size_t i = 0; i < h->n_deals; i++) {
        gf_model_deal_state st;
        gf_model_deal_state_at(h, i, f->as_of, &st);
        if (!st.exists || st.kind != GF_MODEL_STAGE_WON || st.closed_day < from)
            continue;
        booked += (double)st.amount_cents;
        shown += (double)gf_model_deal_amount_at(&h->deals[i], st.closed_day);
        n++;
    }
    f->won_amount_n = n;
    const double prior = n && k > 0.0 ? k * shown / (double)n : 0.0;
    f->won_amount_factor = shown + prior > 0.0 ? (booked + prior) / (shown + prior) : 1.0;
}

static int finish(gf_model_forecast *f)
{
    const size_t n = f->n_open ? f->n_open : 1;
    f->amount = malloc(n * sizeof(*f->amount));
    f->p = malloc(n * sizeof(*f->p));
    if (!f->amount || !f->p)
        return GF_MODEL_ENOMEM;
    double slope = 0.0;
    for (size_t k = 0; k < f->n_open; k++) {
        const gf_model_open_deal *od = &f->open[k];
        f->amount[k] = llround((double)od->amount_cents * f->won_amount_factor);
        f->p[k] = od->p_in_period;
        f->expected_open_cents += (double)f->amount[k] * od->p_in_period;
        slope += (double)f->amount[k] * od->p_in_period * (1.0 - od->p_in_period);
        if (od->flags & GF_MODEL_FLAG_IN_PERIOD)
            f->open_in_period_cents += od->amount_cents;
    }
    f->expected_new_cents = f->newdeals.lambda * f->newdeals.mean_amount;
    const double remaining = f->expected_open_cents + f->expected_new_cents;
    f->elasticity = remaining > 0.0 ? (slope + f->expected_new_cents) / remaining : 0.0;
    return GF_MODEL_OK;
}

int gf_model_forecast_build(const gf_model_history *h, const gf_model_calendar *cal,
                            gf_model_period period, gf_day as_of, const gf_model_forecast_opts *o,
                            gf_model_forecast **out)
{
    if (!out)
        return GF_MODEL_EINVAL;
    *out = NULL;
    if (!h || !cal || !o || period.end < period.start || h->n_deals > UINT32_MAX)
        return GF_MODEL_EINVAL;
    if (period.end - as_of >= GF_MODEL_MAX_HORIZON)
        return GF_MODEL_EINVAL;
    int rc;
    gf_model_spells spells = {0};
    tables t = {0};
    gf_model_forecast *f = calloc(1, sizeof(*f));
    if (!f)
        return GF_MODEL_ENOMEM;
    f->as_of = as_of;
    f->period = period;
    rc = gf_model_spells_build(h, as_of, &spells);
    if (!rc)
        rc =
            gf_model_survival_fit(&spells, h->stages, h->n_stages, cal, &o->survival, &f->survival);
    if (!rc)
        rc = tables_build(f->survival, cal, as_of, period, &t);
    if (!rc)
        rc = collect(f, h, o->scope, &t);
    if (!rc)
        rc = gf_model_newdeals_fit(h, cal, period, as_of, o->new_quarters, o->scope, &f->newdeals);
    if (!rc)
        f->newdeals.lambda *= gf_model_forecast_new_scale(o);
    if (!rc)
        rc = apply_close_factors(f, h, cal, o);
    if (!rc) {
        learn_won_amount(f, h, o->survival.window_start, o->k_amount);
        rc = finish(f);
    }
    if (!rc) {
        *out = f;
        f = NULL;
    }
    gf_model_spells_free(&spells);
    tables_free(&t);
    gf_model_forecast_free(f);
    return rc;
}

void gf_model_forecast_sim_input(const gf_model_forecast *f, int64_t target_cents, double sigma,
                                 uint32_t trials, uint64_t seed, unsigned threads,
                                 gf_model_sim_input *in)
{
    *in = (gf_model_sim_input){.amount_cents = f->amount,
                               .p = f->p,
                               .n_deals = f->n_open,
                               .booked_cents = f->booked_cents,
                               .new_lambda = f->newdeals.n_amounts ? f->newdeals.lambda : 0.0,
                               .new_amount_cents = f->newdeals.amounts,
                               .n_new_amounts = f->newdeals.n_amounts,
                               .target_cents = target_cents,
                               .sigma = sigma,
                               .trials = trials,
                               .seed = seed,
                               .threads = threads};
}

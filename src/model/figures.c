/* The familiar pipeline figures: closed-only stage win rates beside the model's, slip and
 * pull-in rates over completed quarters. */
#include "gapforge/model_figures.h"

#include <math.h>
#include <string.h>

/* The furthest open stage the deal entered before as_of, or -1. */
static int32_t furthest_open(const gf_model_history *h, const gf_model_deal *d, gf_day as_of)
{
    int32_t far = -1;
    for (size_t k = 0; k < d->n_timeline && d->timeline[k].day < as_of; k++) {
        const int32_t s = d->timeline[k].stage;
        if (h->stages[s].kind == GF_MODEL_STAGE_OPEN && s > far)
            far = s;
    }
    return far;
}

static void stage_rates(const gf_model_history *h, gf_day as_of, gf_day ws, const uint8_t *scope,
                        gf_model_stage_rate *rates)
{
    for (size_t i = 0; i < h->n_deals; i++) {
        const gf_model_deal *d = &h->deals[i];
        if ((scope && !scope[i]) || d->created_day < ws || d->created_day >= as_of)
            continue;
        gf_model_deal_state st;
        gf_model_deal_state_at(h, i, as_of, &st);
        if (!st.exists)
            continue;
        const int32_t far = furthest_open(h, d, as_of);
        for (size_t s = 0; s < h->n_stages; s++) {
            const int kind = h->stages[s].kind;
            int reached;
            if (kind == GF_MODEL_STAGE_OPEN)
                reached = (int32_t)s <= far || st.kind == GF_MODEL_STAGE_WON;
            else
                reached = st.stage == (int32_t)s;
            if (!reached)
                continue;
            gf_model_stage_rate *r = &rates[s];
            r->reached++;
            r->won += st.kind == GF_MODEL_STAGE_WON;
            r->lost += st.kind == GF_MODEL_STAGE_LOST;
            r->open += st.kind == GF_MODEL_STAGE_OPEN;
        }
    }
    for (size_t s = 0; s < h->n_stages; s++) {
        gf_model_stage_rate *r = &rates[s];
        r->win_rate = (r->won + r->lost) ? (double)r->won / (double)(r->won + r->lost) : NAN;
    }
}

static void slip_and_pull(const gf_model_history *h, const gf_model_calendar *cal, gf_day as_of,
                          gf_day ws, const uint8_t *scope, gf_model_figures *out)
{
    for (size_t k = 0; cal && k < cal->n; k++) {
        const gf_model_period q = cal->quarters[k];
        if (q.start < ws || q.end >= as_of)
            continue;
        out->quarters++;
        for (size_t i = 0; i < h->n_deals; i++) {
            if (scope && !scope[i])
                continue;
            gf_model_deal_state at_start, after;
            gf_model_deal_state_at(h, i, q.start, &at_start);
            if (!at_start.exists || at_start.kind != GF_MODEL_STAGE_OPEN ||
                at_start.close_date == GF_MODEL_NO_DAY || at_start.close_date < q.start)
                continue;
            gf_model_deal_state_at(h, i, q.end + 1, &after);
            if (at_start.close_date <= q.end) {
                out->slip_base++;
                out->slipped += after.kind == GF_MODEL_STAGE_OPEN;
            } else {
                out->pull_in_base++;
                out->pulled_in += after.kind == GF_MODEL_STAGE_WON && after.closed_day >= q.start;
            }
        }
    }
    out->slip_rate = out->slip_base ? (double)out->slipped / out->slip_base : NAN;
    out->pull_in_rate = out->pull_in_base ? (double)out->pulled_in / out->pull_in_base : NAN;
}

int gf_model_figures_compute(const gf_model_history *h, const gf_model_calendar *cal,
                             const gf_model_survival *m, gf_day as_of, gf_day window_start,
                             const uint8_t *scope, gf_model_stage_rate *rates,
                             gf_model_figures *out)
{
    if (!h || !rates || !out || window_start > as_of || (cal && cal->n && !cal->quarters))
        return GF_MODEL_EINVAL;
    if (gf_model_history_validate(h, NULL))
        return GF_MODEL_EINVAL;
    if (m && m->n_stages != h->n_stages)
        return GF_MODEL_EINVAL;
    memset(out, 0, sizeof(*out));
    memset(rates, 0, h->n_stages * sizeof(*rates));
    stage_rates(h, as_of, window_start, scope, rates);
    slip_and_pull(h, cal, as_of, window_start, scope, out);
    gf_model_pwin *ever = NULL;
    if (m) {
        const int rc = gf_model_pwin_new(m, NULL, as_of, as_of + GF_MODEL_MAX_HORIZON - 1, &ever);
        if (rc)
            return rc;
    }
    for (size_t s = 0; s < h->n_stages; s++) {
        const int open = h->stages[s].kind == GF_MODEL_STAGE_OPEN;
        rates[s].model_win_rate = ever && open ? gf_model_pwin_get(ever, (int32_t)s, 0) : NAN;
    }
    gf_model_pwin_free(ever);
    return GF_MODEL_OK;
}

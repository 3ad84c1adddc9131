/* A roll-up row: the mask's open deals at the parent forecast's probabilities, its own booked
 * amount and new deals, and the simulation of their total. */
#include "gapforge/model_rollup.h"

#include <stdlib.h>
#include <string.h>

#include "gapforge/model_newdeals.h"
#include "gapforge/model_sim.h"

int gf_model_rollup_row(const gf_model_history *h, const gf_model_calendar *cal,
                        const gf_model_forecast *parent, const gf_model_forecast_opts *o,
                        const uint8_t *mask, double sigma, int64_t target_cents, uint32_t trials,
                        uint64_t seed, gf_model_rollup *out)
{
    if (out)
        memset(out, 0, sizeof(*out));
    if (!h || !cal || !parent || !o || !out)
        return GF_MODEL_EINVAL;
    const gf_model_forecast *f = parent;
    const size_t cap = f->n_open ? f->n_open : 1;
    int64_t *amount = malloc(cap * sizeof(*amount));
    double *prob = malloc(cap * sizeof(*prob));
    gf_model_newdeals nd = {0};
    int rc = amount && prob ? GF_MODEL_OK : GF_MODEL_ENOMEM;
    size_t n = 0;
    double open = 0.0, exp_open = 0.0, booked = 0.0;
    for (size_t k = 0; !rc && k < f->n_open; k++) {
        const gf_model_open_deal *od = &f->open[k];
        if (mask && !mask[od->deal])
            continue;
        amount[n] = f->amount[k];
        prob[n++] = f->p[k];
        exp_open += (double)f->amount[k] * f->p[k];
        open += od->flags & GF_MODEL_FLAG_IN_PERIOD ? (double)od->amount_cents : 0.0;
    }
    const gf_day last = f->period.end < f->as_of - 1 ? f->period.end : f->as_of - 1;
    for (size_t i = 0; !rc && i < h->n_deals; i++) {
        if (mask && !mask[i])
            continue;
        gf_model_deal_state st;
        gf_model_deal_state_at(h, i, f->as_of, &st);
        if (st.exists && st.kind == GF_MODEL_STAGE_WON && st.closed_day >= f->period.start &&
            st.closed_day <= last)
            booked += (double)st.amount_cents;
    }
    if (!rc)
        rc = gf_model_newdeals_fit(h, cal, f->period, f->as_of, o->new_quarters, mask, &nd);
    if (!rc)
        nd.lambda *= gf_model_forecast_new_scale(o);
    gf_model_sim_result s;
    if (!rc) {
        const gf_model_sim_input in = {.amount_cents = amount,
                                       .p = prob,
                                       .n_deals = n,
                                       .booked_cents = (int64_t)booked,
                                       .new_lambda = nd.lambda,
                                       .new_amount_cents = nd.amounts,
                                       .n_new_amounts = nd.n_amounts,
                                       .target_cents = target_cents,
                                       .sigma = sigma,
                                       .trials = trials,
                                       .seed = seed};
        rc = gf_model_sim_run(&in, &s, NULL);
    }
    if (!rc)
        *out = (gf_model_rollup){.booked_cents = booked,
                                 .open_cents = open,
                                 .expected_cents = booked + exp_open + nd.lambda * nd.mean_amount,
                                 .p10 = s.p10,
                                 .p50 = s.p50,
                                 .p90 = s.p90,
                                 .prob_hit = s.prob_hit};
    gf_model_newdeals_free(&nd);
    free(amount);
    free(prob);
    return rc;
}

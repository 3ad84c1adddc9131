/* Deals not yet created: replay the window [as_of, period end] at the same offset in earlier
 * quarters, count what was created there and won in time, and keep the amounts to bootstrap. */
#include "gapforge/model_newdeals.h"

#include <stdlib.h>
#include <string.h>

void gf_model_newdeals_free(gf_model_newdeals *nd)
{
    if (!nd)
        return;
    free(nd->amounts);
    memset(nd, 0, sizeof(*nd));
}

static int push_amount(gf_model_newdeals *nd, size_t *cap, int64_t amount)
{
    if (nd->n_amounts == *cap) {
        const size_t c = *cap ? *cap * 2 : 64;
        int64_t *a = realloc(nd->amounts, c * sizeof(*a));
        if (!a)
            return GF_MODEL_ENOMEM;
        nd->amounts = a;
        *cap = c;
    }
    nd->amounts[nd->n_amounts++] = amount;
    return GF_MODEL_OK;
}

/* Counts one earlier quarter's deals created in its replayed window and won inside it. */
static int replay_quarter(const gf_model_history *h, const uint8_t *scope,
                          gf_model_newdeals_quarter *q, gf_model_newdeals *nd, size_t *cap)
{
    const gf_day after = q->quarter.end + 1;
    for (size_t i = 0; i < h->n_deals; i++) {
        const gf_model_deal *d = &h->deals[i];
        if ((scope && !scope[i]) || d->created_day < q->window_start ||
            d->created_day > q->quarter.end)
            continue;
        gf_model_deal_state st;
        gf_model_deal_state_at(h, i, after, &st);
        if (!st.exists || st.kind != GF_MODEL_STAGE_WON || st.closed_day < q->quarter.start)
            continue;
        q->count++;
        q->won_cents += st.amount_cents;
        if (push_amount(nd, cap, st.amount_cents))
            return GF_MODEL_ENOMEM;
    }
    return GF_MODEL_OK;
}

int gf_model_newdeals_fit(const gf_model_history *h, const gf_model_calendar *cal,
                          gf_model_period period, gf_day as_of, size_t max_quarters,
                          const uint8_t *scope, gf_model_newdeals *out)
{
    if (!out)
        return GF_MODEL_EINVAL;
    gf_model_newdeals_free(out);
    if (!h || !cal || (cal->n && !cal->quarters) || period.end < period.start)
        return GF_MODEL_EINVAL;
    if (gf_model_history_validate(h, NULL))
        return GF_MODEL_EINVAL;
    if (max_quarters > GF_MODEL_NEWDEALS_MAX_QUARTERS)
        max_quarters = GF_MODEL_NEWDEALS_MAX_QUARTERS;
    out->fallback = 1;
    if (as_of > period.end)
        return GF_MODEL_OK; /* nothing can be created in time any more */
    const gf_day offset = as_of - period.start;
    const gf_day first = gf_model_history_first_day(h, as_of);
    size_t cap = 0, n_complete = 0;
    for (size_t k = cal->n; k-- > 0 && out->n_quarters < max_quarters;) {
        const gf_model_period qp = cal->quarters[k];
        if (qp.end >= as_of || qp.start >= period.start)
            continue;
        gf_model_newdeals_quarter *q = &out->quarters[out->n_quarters];
        *q = (gf_model_newdeals_quarter){
            .quarter = qp, .window_start = qp.start + offset, .exposure = 1.0};
        if (q->window_start > qp.end)
            continue;
        if (first != GF_MODEL_NO_DAY && first > q->window_start) {
            if (first > qp.end)
                break; /* this and every earlier quarter precede the data */
            q->exposure = (double)(qp.end - first + 1) / (double)(qp.end - q->window_start + 1);
        }
        n_complete += q->exposure >= 1.0;
        out->n_quarters++;
    }
    /* Wholly observed quarters when there are any, else the partly observed ones. */
    size_t used = 0;
    for (size_t k = 0; k < out->n_quarters; k++) {
        if (n_complete && out->quarters[k].exposure < 1.0)
            continue;
        out->quarters[used] = out->quarters[k];
        if (replay_quarter(h, scope, &out->quarters[used], out, &cap)) {
            gf_model_newdeals_free(out);
            return GF_MODEL_ENOMEM;
        }
        used++;
    }
    out->n_quarters = used;
    if (!out->n_quarters)
        return GF_MODEL_OK;
    out->fallback = 0;
    double total = 0.0, exposure = 0.0, sum = 0.0;
    for (size_t k = 0; k < out->n_quarters; k++) {
        total += out->quarters[k].count;
        exposure += out->quarters[k].exposure;
    }
    for (size_t k = 0; k < out->n_amounts; k++)
        sum += (double)out->amounts[k];
    out->lambda = total / exposure;
    out->mean_amount = out->n_amounts ? sum / (double)out->n_amounts : 0.0;
    return GF_MODEL_OK;
}

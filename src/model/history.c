/* The shared model types: error strings, history validation and point-in-time deal
 * state. Everything here reads only data dated strictly before the day asked about. */
#include "gapforge/model.h"

const char *gf_model_strerror(int err)
{
    switch (err) {
    case GF_MODEL_OK:
        return "ok";
    case GF_MODEL_EINVAL:
        return "invalid argument or malformed history";
    case GF_MODEL_ENOMEM:
        return "out of memory";
    default:
        return "unknown model error";
    }
}

static int changes_ordered(const gf_model_change *c, size_t n)
{
    if (n && !c)
        return 0;
    for (size_t k = 1; k < n; k++) {
        if (c[k].day < c[k - 1].day)
            return 0;
    }
    return 1;
}

static int deal_valid(const gf_model_deal *d, size_t n_stages)
{
    if (d->amount_cents < 0 || !d->n_timeline || !d->timeline)
        return 0;
    for (size_t k = 0; k < d->n_timeline; k++) {
        const gf_model_transition *t = &d->timeline[k];
        if (t->stage < 0 || (size_t)t->stage >= n_stages)
            return 0;
        if (k && t->day < d->timeline[k - 1].day)
            return 0;
    }
    for (size_t k = 0; k < d->n_amounts; k++) {
        if (d->amounts && d->amounts[k].value < 0)
            return 0;
    }
    return changes_ordered(d->amounts, d->n_amounts) &&
           changes_ordered(d->close_dates, d->n_close_dates);
}

int gf_model_history_validate(const gf_model_history *h, size_t *bad_deal)
{
    if (bad_deal)
        *bad_deal = SIZE_MAX;
    if (!h || !h->stages || !h->n_stages || (h->n_deals && !h->deals))
        return GF_MODEL_EINVAL;
    size_t open = 0;
    for (size_t s = 0; s < h->n_stages; s++) {
        const gf_model_stage *st = &h->stages[s];
        if (st->kind < GF_MODEL_STAGE_OPEN || st->kind > GF_MODEL_STAGE_LOST)
            return GF_MODEL_EINVAL;
        if (!(st->default_prob >= 0.0 && st->default_prob <= 1.0))
            return GF_MODEL_EINVAL;
        open += st->kind == GF_MODEL_STAGE_OPEN;
    }
    if (!open)
        return GF_MODEL_EINVAL;
    for (size_t i = 0; i < h->n_deals; i++) {
        if (!deal_valid(&h->deals[i], h->n_stages)) {
            if (bad_deal)
                *bad_deal = i;
            return GF_MODEL_EINVAL;
        }
    }
    return GF_MODEL_OK;
}

int64_t gf_model_deal_amount_at(const gf_model_deal *d, gf_day t)
{
    int64_t amount = d->amount_cents;
    for (size_t k = 0; k < d->n_amounts && d->amounts[k].day < t; k++)
        amount = d->amounts[k].value;
    return amount;
}

void gf_model_deal_state_at(const gf_model_history *h, size_t i, gf_day t, gf_model_deal_state *out)
{
    const gf_model_deal *d = &h->deals[i];
    *out = (gf_model_deal_state){.exists = 0,
                                 .stage = -1,
                                 .kind = GF_MODEL_STAGE_OPEN,
                                 .entered_day = GF_MODEL_NO_DAY,
                                 .closed_day = GF_MODEL_NO_DAY,
                                 .amount_cents = 0,
                                 .close_date = GF_MODEL_NO_DAY,
                                 .pushes = 0};
    if (d->created_day >= t || !d->n_timeline || d->timeline[0].day >= t)
        return;
    out->exists = 1;
    for (size_t k = 0; k < d->n_timeline && d->timeline[k].day < t; k++) {
        const gf_model_transition *tr = &d->timeline[k];
        if (tr->stage == out->stage)
            continue;
        out->stage = tr->stage;
        out->entered_day = tr->day;
    }
    out->kind = h->stages[out->stage].kind;
    if (out->kind != GF_MODEL_STAGE_OPEN)
        out->closed_day = out->entered_day;
    out->amount_cents = gf_model_deal_amount_at(d, t);
    for (size_t k = 0; k < d->n_close_dates && d->close_dates[k].day < t; k++) {
        const gf_day cd = (gf_day)d->close_dates[k].value;
        if (out->close_date != GF_MODEL_NO_DAY && cd > out->close_date)
            out->pushes++;
        out->close_date = cd;
    }
}

long gf_model_calendar_find(const gf_model_calendar *cal, gf_day day)
{
    if (!cal || !cal->quarters)
        return -1;
    size_t lo = 0, hi = cal->n;
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if (cal->quarters[mid].end < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < cal->n && cal->quarters[lo].start <= day && day <= cal->quarters[lo].end)
        return (long)lo;
    return -1;
}

gf_day gf_model_history_first_day(const gf_model_history *h, gf_day t)
{
    gf_day first = GF_MODEL_NO_DAY;
    for (size_t i = 0; i < h->n_deals; i++) {
        const gf_model_deal *d = &h->deals[i];
        gf_day day = d->created_day;
        if (d->n_timeline && d->timeline[0].day < day)
            day = d->timeline[0].day;
        if (day < t && (first == GF_MODEL_NO_DAY || day < first))
            first = day;
    }
    return first;
}

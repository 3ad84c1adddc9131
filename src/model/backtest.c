/* Judging forecasts against what happened: actuals, the baselines a team would otherwise use,
 * and the scores of a backtest. */
#include "gapforge/model_backtest.h"

#include <math.h>
#include <string.h>

int64_t gf_model_bt_actual(const gf_model_history *h, const uint8_t *scope, gf_model_period period,
                           gf_day known)
{
    int64_t sum = 0;
    for (size_t i = 0; h && i < h->n_deals; i++) {
        if (scope && !scope[i])
            continue;
        gf_model_deal_state st;
        gf_model_deal_state_at(h, i, known, &st);
        if (st.exists && st.kind == GF_MODEL_STAGE_WON && st.closed_day >= period.start &&
            st.closed_day <= period.end)
            sum += st.amount_cents;
    }
    return sum;
}

/* The first day of the data known before as_of: the earliest creation or first stage of a
 * deal created before as_of; GF_MODEL_NO_DAY when there is none. */
static gf_day first_data_day(const gf_model_history *h, gf_day as_of)
{
    gf_day first = GF_MODEL_NO_DAY;
    for (size_t i = 0; i < h->n_deals; i++) {
        const gf_model_deal *d = &h->deals[i];
        if (d->created_day >= as_of)
            continue;
        gf_day day = d->created_day;
        if (d->n_timeline && d->timeline[0].day < day)
            day = d->timeline[0].day;
        if (first == GF_MODEL_NO_DAY || day < first)
            first = day;
    }
    return first;
}

/* The run rate's window into out: the n quarters of cal ending before period.start, clipped to
 * the data's first day. */
static void rate_window(const gf_model_history *h, const gf_model_calendar *cal,
                        gf_model_period period, gf_day as_of, size_t n, gf_model_bt_baselines *out)
{
    size_t last = cal->n, taken = 0;
    for (size_t k = cal->n; k-- > 0;)
        if (cal->quarters[k].end < period.start) {
            last = k;
            break;
        }
    if (last == cal->n)
        return;
    size_t first = last;
    while (taken + 1 < n && first > 0) {
        first--;
        taken++;
    }
    gf_day from = cal->quarters[first].start;
    const gf_day to = cal->quarters[last].end;
    const gf_day data = first_data_day(h, as_of);
    if (data == GF_MODEL_NO_DAY || data > to)
        return;
    if (data > from)
        from = data;
    out->has_run_rate = 1;
    out->rate_from = from;
    out->rate_to = to;
}

int gf_model_bt_baselines_at(const gf_model_history *h, const gf_model_calendar *cal,
                             gf_model_period period, gf_day as_of, const uint8_t *scope,
                             size_t rate_quarters, gf_model_bt_baselines *out)
{
    if (!out)
        return GF_MODEL_EINVAL;
    memset(out, 0, sizeof(*out));
    if (!h || !cal || (cal->n && !cal->quarters) || period.end < period.start || !rate_quarters)
        return GF_MODEL_EINVAL;
    rate_window(h, cal, period, as_of, rate_quarters, out);
    double weighted = 0.0;
    for (size_t i = 0; i < h->n_deals; i++) {
        if (scope && !scope[i])
            continue;
        gf_model_deal_state st;
        gf_model_deal_state_at(h, i, as_of, &st);
        if (!st.exists)
            continue;
        if (st.kind == GF_MODEL_STAGE_WON) {
            if (st.closed_day >= period.start && st.closed_day <= period.end)
                out->booked_cents += st.amount_cents;
            if (out->has_run_rate && st.closed_day >= out->rate_from &&
                st.closed_day <= out->rate_to)
                out->rate_won_cents += st.amount_cents;
        } else if (st.kind == GF_MODEL_STAGE_OPEN && st.close_date != GF_MODEL_NO_DAY &&
                   st.close_date >= period.start && st.close_date <= period.end) {
            weighted += (double)st.amount_cents * h->stages[st.stage].default_prob;
        }
    }
    const gf_day from = as_of > period.start ? as_of : period.start;
    out->remaining_days = from > period.end ? 0 : period.end - from + 1;
    const double booked = (double)out->booked_cents;
    out->weighted_pipeline_cents = booked + weighted;
    if (out->has_run_rate) {
        const double days = (double)(out->rate_to - out->rate_from + 1);
        out->run_rate_cents =
            booked + (double)out->rate_won_cents / days * (double)out->remaining_days;
    }
    return GF_MODEL_OK;
}

/* rho_q(u) = max(q u, (q - 1) u), u = actual - quantile. */
static double pinball(double q, double actual, double quantile)
{
    const double u = actual - quantile;
    return u >= 0.0 ? q * u : (q - 1.0) * u;
}

int gf_model_bt_score_model(const gf_model_bt_point *pts, size_t n, gf_model_bt_score *out)
{
    if (!out || (n && !pts))
        return GF_MODEL_EINVAL;
    memset(out, 0, sizeof(*out));
    double sum_actual = 0.0, sum_abs = 0.0, sum_err = 0.0, loss = 0.0, brier = 0.0;
    size_t below10 = 0, below50 = 0, above90 = 0;
    for (size_t k = 0; k < n; k++) {
        const gf_model_bt_point *p = &pts[k];
        sum_actual += p->actual;
        sum_abs += fabs(p->p50 - p->actual);
        sum_err += p->p50 - p->actual;
        below10 += p->actual < p->p10;
        below50 += p->actual < p->p50;
        above90 += p->actual > p->p90;
        loss += pinball(0.1, p->actual, p->p10) + pinball(0.5, p->actual, p->p50) +
                pinball(0.9, p->actual, p->p90);
        if (p->has_target) {
            const double d = p->prob_hit - (p->hit ? 1.0 : 0.0);
            brier += d * d;
            out->n_brier++;
        }
    }
    out->n = n;
    const double dn = (double)n;
    out->wape = sum_actual > 0.0 ? sum_abs / sum_actual : NAN;
    out->bias = sum_actual > 0.0 ? sum_err / sum_actual : NAN;
    out->below_p10 = n ? (double)below10 / dn : NAN;
    out->below_p50 = n ? (double)below50 / dn : NAN;
    out->above_p90 = n ? (double)above90 / dn : NAN;
    out->pinball = sum_actual > 0.0 ? (loss / (3.0 * dn)) / (sum_actual / dn) : NAN;
    out->brier = out->n_brier ? brier / (double)out->n_brier : NAN;
    return GF_MODEL_OK;
}

int gf_model_bt_score_point(const double *forecast, const double *actual, size_t n,
                            gf_model_bt_error *out)
{
    if (!out || (n && (!forecast || !actual)))
        return GF_MODEL_EINVAL;
    memset(out, 0, sizeof(*out));
    double sum_actual = 0.0, sum_abs = 0.0, sum_err = 0.0;
    for (size_t k = 0; k < n; k++) {
        if (isnan(forecast[k]))
            continue;
        out->n++;
        sum_actual += actual[k];
        sum_abs += fabs(forecast[k] - actual[k]);
        sum_err += forecast[k] - actual[k];
    }
    out->wape = sum_actual > 0.0 ? sum_abs / sum_actual : NAN;
    out->bias = sum_actual > 0.0 ? sum_err / sum_actual : NAN;
    return GF_MODEL_OK;
}

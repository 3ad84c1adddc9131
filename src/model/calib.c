/* Calibration of the common multiplier's spread: a self-backtest at the same day offset of
 * earlier quarters, and a moment estimator over its log errors. */
#include "gapforge/model_calib.h"

#include <math.h>
#include <string.h>

/* What was won in [from, period.end] among deals in scope, as known the day after the period. */
static double won_between(const gf_model_history *h, const uint8_t *scope, gf_day from,
                          gf_model_period period)
{
    double sum = 0.0;
    for (size_t i = 0; i < h->n_deals; i++) {
        if (scope && !scope[i])
            continue;
        gf_model_deal_state st;
        gf_model_deal_state_at(h, i, period.end + 1, &st);
        if (st.exists && st.kind == GF_MODEL_STAGE_WON && st.closed_day >= from &&
            st.closed_day >= period.start)
            sum += (double)st.amount_cents;
    }
    return sum;
}

/* The variance of the remaining total under independent draws: binomial open deals plus a
 * compound Poisson (lambda * E[a^2]). */
static double remaining_var(const gf_model_forecast *f)
{
    double v = 0.0;
    for (size_t k = 0; k < f->n_open; k++) {
        const double a = (double)f->amount[k], p = f->p[k];
        v += a * a * p * (1.0 - p);
    }
    const gf_model_newdeals *nd = &f->newdeals;
    if (nd->n_amounts) {
        double m2 = 0.0;
        for (size_t k = 0; k < nd->n_amounts; k++)
            m2 += (double)nd->amounts[k] * (double)nd->amounts[k];
        v += nd->lambda * m2 / (double)nd->n_amounts;
    }
    return v;
}

static int replay(const gf_model_history *h, const gf_model_calendar *cal, gf_model_period qp,
                  gf_day past_as_of, const gf_model_forecast_opts *o, gf_day window_len,
                  gf_model_backtest_point *pt)
{
    gf_model_forecast_opts po = *o;
    po.survival.window_start = past_as_of - window_len;
    po.new_scale = 1.0; /* a replay is the plain model: no leading shift of today's */
    gf_model_forecast *f = NULL;
    const int rc = gf_model_forecast_build(h, cal, qp, past_as_of, &po, &f);
    if (rc)
        return rc;
    memset(pt, 0, sizeof(*pt));
    pt->period = qp;
    pt->as_of = past_as_of;
    pt->booked = (double)f->booked_cents;
    pt->expected_remaining = f->expected_open_cents + f->expected_new_cents;
    pt->actual_remaining = won_between(h, o->scope, past_as_of, qp);
    pt->expected_total = pt->booked + pt->expected_remaining;
    pt->actual_total = pt->booked + pt->actual_remaining;
    pt->elasticity = f->elasticity;
    const double e = pt->expected_remaining;
    pt->usable = e > 0.0;
    if (pt->usable) {
        const double a = pt->actual_remaining > 0.05 * e ? pt->actual_remaining : 0.05 * e;
        pt->log_error = log(a / e);
        pt->rel_error = pt->actual_remaining / e - 1.0;
        pt->model_rel_var = remaining_var(f) / (e * e);
    }
    gf_model_forecast_free(f);
    return GF_MODEL_OK;
}

int gf_model_backtest_run(const gf_model_history *h, const gf_model_calendar *cal,
                          gf_model_period period, gf_day as_of, const gf_model_forecast_opts *o,
                          gf_day min_history_days, size_t n_back, gf_model_backtest_point *out,
                          size_t *n_out)
{
    if (!n_out)
        return GF_MODEL_EINVAL;
    *n_out = 0;
    if (!h || !cal || !o || (n_back && !out) || n_back > GF_MODEL_CALIB_MAX_BACK ||
        (cal->n && !cal->quarters) || period.end < period.start)
        return GF_MODEL_EINVAL;
    const gf_day offset = as_of - period.start;
    const gf_day window_len = as_of - o->survival.window_start;
    if (window_len < 0)
        return GF_MODEL_EINVAL;
    const gf_day first = gf_model_history_first_day(h, as_of);
    for (size_t k = cal->n; k-- > 0 && *n_out < n_back;) {
        const gf_model_period qp = cal->quarters[k];
        if (qp.end >= as_of || qp.start >= period.start)
            continue;
        const gf_day past_as_of = qp.start + offset;
        if (past_as_of > qp.end)
            continue;
        /* A replay judges the model on the history the org had then: a window as long as
         * today's, cut at the first data, and none at all with too little data. */
        gf_day len = window_len;
        if (first != GF_MODEL_NO_DAY && past_as_of - len < first)
            len = past_as_of - first;
        if (first == GF_MODEL_NO_DAY || len < min_history_days)
            break;
        /* A shortened replay is a poorer forecast than today's: it stands in for the missing
         * quarters only while the full ones are few. */
        if (len < window_len && *n_out >= (n_back + 1) / 2)
            break;
        const int rc = replay(h, cal, qp, past_as_of, o, len, &out[*n_out]);
        if (rc)
            return rc;
        (*n_out)++;
    }
    return GF_MODEL_OK;
}

/* The spread is estimated from n errors, so the predictive distribution of the next one is a
 * Student t with n degrees of freedom rather than a normal: widen by t_0.9(n) / z_0.9, with t from
 * its Cornish-Fisher expansion (1.09 at n = 8, 1.04 at n = 16). */
static double t_widening(double n)
{
    if (n < 2.0)
        return 1.0;
    const double z = 1.2815515655446004, z3 = z * z * z, z5 = z3 * z * z;
    const double t = z + (z3 + z) / (4.0 * n) + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * n * n);
    return t / z;
}

int gf_model_calib_sigma(const gf_model_backtest_point *pts, size_t n,
                         const gf_model_sigma_prior *prior, gf_model_sigma_est *out)
{
    if (!out || !prior || (n && !pts) || !(prior->floor >= 0.0) || !(prior->sigma >= 0.0) ||
        !(prior->points >= 0.0) || !isfinite(prior->sigma) || !isfinite(prior->points) ||
        !isfinite(prior->elasticity))
        return GF_MODEL_EINVAL;
    memset(out, 0, sizeof(*out));
    double excess = 0.0, el2 = 0.0, bias = 0.0;
    for (size_t k = 0; k < n; k++) {
        const gf_model_backtest_point *p = &pts[k];
        if (!p->usable)
            continue;
        excess += p->rel_error * p->rel_error - p->model_rel_var;
        el2 += p->elasticity * p->elasticity;
        bias += p->log_error;
        out->n++;
    }
    out->bias = out->n ? bias / (double)out->n : 0.0;
    out->raw = el2 > 0.0 && excess > 0.0 ? sqrt(log1p(excess / el2)) : 0.0;
    /* The prior as pseudo-points at today's elasticity (none when nothing remains). */
    const double el_now = prior->elasticity > 0.0 ? prior->elasticity : 0.0;
    const double k_el2 = prior->points * el_now * el_now;
    const double k_err2 = k_el2 * expm1(prior->sigma * prior->sigma);
    out->prior = el_now > 0.0 ? prior->sigma : 0.0;
    out->weight = el2 + k_el2 > 0.0 ? el2 / (el2 + k_el2) : 0.0;
    const double pooled = excess + k_err2;
    const double sigma =
        el2 + k_el2 > 0.0 && pooled > 0.0 ? sqrt(log1p(pooled / (el2 + k_el2))) : 0.0;
    /* The own estimate's share is widened for coming from n errors; the prior is already a
     * predictive spread. */
    out->sigma = sigma * (1.0 + out->weight * (t_widening((double)out->n) - 1.0));
    if ((out->n < prior->n_full || !out->n) && out->sigma < prior->floor) {
        out->sigma = prior->floor;
        out->floored = 1;
    }
    if (out->sigma > 3.0)
        out->sigma = 3.0;
    return GF_MODEL_OK;
}

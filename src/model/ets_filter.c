/* ets_filter.c: the ETS state equations, shared by the fit, the skill and the forecast. Given a
 * kind, its smoothing parameters and a starting state, the filter runs the recursions over a
 * series (gaps move the states without an error) and the point forecast extrapolates them; the
 * table of kinds says what each kind is made of. Pure: no allocation, no failure. */
#include <math.h>
#include <string.h>

#include "ets_internal.h"

const ets_kind_info gf_model__ets_kinds[GF_MODEL_ETS_N_KINDS] = {
    [GF_MODEL_ETS_ANN] = {"ANN", 0, 0, 0, 0, 0, GF_MODEL_ETS_ANN},
    [GF_MODEL_ETS_AAN] = {"AAN", 1, 0, 0, 0, 0, GF_MODEL_ETS_AAN},
    [GF_MODEL_ETS_AADN] = {"AAdN", 1, 1, 0, 0, 0, GF_MODEL_ETS_AADN},
    [GF_MODEL_ETS_ANA] = {"ANA", 0, 0, 1, 0, 0, GF_MODEL_ETS_ANA},
    [GF_MODEL_ETS_AAA] = {"AAA", 1, 0, 1, 0, 0, GF_MODEL_ETS_AAA},
    [GF_MODEL_ETS_AADA] = {"AAdA", 1, 1, 1, 0, 0, GF_MODEL_ETS_AADA},
    [GF_MODEL_ETS_MNN] = {"MNN", 0, 0, 0, 1, 0, GF_MODEL_ETS_ANN},
    [GF_MODEL_ETS_MAN] = {"MAN", 1, 0, 0, 1, 0, GF_MODEL_ETS_AAN},
    [GF_MODEL_ETS_MADN] = {"MAdN", 1, 1, 0, 1, 0, GF_MODEL_ETS_AADN},
    [GF_MODEL_ETS_MNM] = {"MNM", 0, 0, 1, 1, 1, GF_MODEL_ETS_ANA},
    [GF_MODEL_ETS_MAM] = {"MAM", 1, 0, 1, 1, 1, GF_MODEL_ETS_AAA},
    [GF_MODEL_ETS_MADM] = {"MAdM", 1, 1, 1, 1, 1, GF_MODEL_ETS_AADA},
};

const char *gf_model_ets_kind_name(int kind)
{
    if (kind == GF_MODEL_ETS_NAIVE)
        return "naive";
    if (kind < 0 || kind > GF_MODEL_ETS_NAIVE)
        return "unknown";
    return gf_model__ets_kinds[kind].name;
}

/* Runs the recursions of `mod` (its kind, m and smoothing parameters) over y[0..n-1] from *x,
 * y[0] being time t0 and missing[0..n-1] its gaps (NULL: none), leaving the final state in *x.
 * Writes the one-step forecasts into fitted when not NULL and, for multiplicative errors, the
 * sum of log(forecast) over observed values into *logsum. Returns the sum of squared errors over
 * the observed values (relative errors for multiplicative kinds), or HUGE_VAL when a
 * multiplicative kind forecasts a value that is not positive. */
double gf_model__ets_filter(const gf_model_ets_model *mod, const double *y,
                            const unsigned char *missing, size_t t0, size_t n, ets_state *x,
                            double *fitted, double *logsum)
{
    const ets_kind_info *ki = &gf_model__ets_kinds[mod->kind];
    const double phi = mod->phi, alpha = mod->alpha, beta = mod->beta, gamma = mod->gamma;
    const size_t m = mod->m;
    double sse = 0.0, ls = 0.0;
    size_t j = t0 % m;
    for (size_t t = 0; t < n; t++) {
        const double pb = phi * x->b, u = x->l + pb;
        const double mu = ki->msea ? u * x->s[j] : u + x->s[j];
        if (fitted)
            fitted[t] = mu;
        if (ets_gap(missing, t)) {
            x->l = u;
            x->b = pb;
        } else if (!ki->merr) {
            const double e = y[t] - mu;
            x->l = u + alpha * e;
            x->b = pb + beta * e;
            x->s[j] += gamma * e;
            sse += e * e;
        } else {
            if (!(mu > 0.0))
                return HUGE_VAL;
            const double e = (y[t] - mu) / mu;
            x->l = u * (1.0 + alpha * e);
            x->b = pb + beta * u * e;
            if (ki->msea)
                x->s[j] *= 1.0 + gamma * e;
            sse += e * e;
            ls += log(mu);
        }
        if (++j == m)
            j = 0;
    }
    if (logsum)
        *logsum = ls;
    return sse;
}

/* The initial state for the free-state vector c (seasons summing to zero). */
void gf_model__ets_state_of(const gf_model_ets_model *mod, const double *c, ets_state *x)
{
    memset(x, 0, sizeof(*x));
    size_t k = 0;
    x->l = c[k++];
    if (ets_has_trend(mod->kind))
        x->b = c[k++];
    if (ets_is_seasonal(mod->kind)) {
        double sum = 0.0;
        for (size_t j = 0; j + 1 < mod->m; j++) {
            x->s[j] = c[k++];
            sum += x->s[j];
        }
        x->s[mod->m - 1] = -sum;
    }
}

/* The model's point forecasts of the next h values from state *x at absolute time t. */
void gf_model__ets_forecast_from(const gf_model_ets_model *mod, const ets_state *x, size_t t,
                                 size_t h, double *out)
{
    const int msea = gf_model__ets_kinds[mod->kind].msea;
    double damp = 0.0, pw = 1.0;
    for (size_t j = 1; j <= h; j++) {
        pw *= mod->phi;
        damp += pw;
        const double u = x->l + damp * x->b, s = x->s[(t + j - 1) % mod->m];
        out[j - 1] = msea ? u * s : u + s;
    }
}

void gf_model_ets_point(const gf_model_ets_model *mod, size_t h, double *out)
{
    ets_state x = {.l = mod->level, .b = mod->trend};
    memcpy(x.s, mod->season, sizeof(x.s));
    gf_model__ets_forecast_from(mod, &x, mod->n, h, out);
}

/* The last observed value of y[0..n-1]. */
double gf_model__ets_last_observed(const double *y, const unsigned char *missing, size_t n)
{
    size_t t = n;
    while (t > 1 && ets_gap(missing, t - 1))
        t--;
    return y[t - 1];
}

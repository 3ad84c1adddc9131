/* Exponential smoothing for KPI series: the ETS family with additive and multiplicative errors
 * fitted by maximum likelihood (ets_fit.c, ets_init.c), gaps skipped by the filter
 * (ets_filter.c), chosen by AICc, judged against naive on rolling origins (ets_skill.c) and
 * simulated for quantiles (ets_sim.c). This file validates the options and makes the choice. */
#include "gapforge/model_ets.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "ets_internal.h"

#define DEFAULT_PATHS 4000
#define MAX_PATHS     1000000
#define CALIB_PRIOR   20.0               /* origins a sigma ratio of 1 is worth */
#define Z90           1.2815515655446004 /* the standard normal's 0.9 quantile */

/* The one-step predictions of the method into res->fitted (naive: the last observed value). */
static int fitted_values(const double *y, const unsigned char *missing, size_t n,
                         gf_model_ets_result *res)
{
    res->fitted = malloc(n * sizeof(*res->fitted));
    if (!res->fitted)
        return GF_MODEL_ENOMEM;
    if (res->method != GF_MODEL_ETS_NAIVE) {
        const gf_model_ets_model *mod = &res->model;
        ets_state x = {.l = mod->l0, .b = mod->b0};
        memcpy(x.s, mod->s0, sizeof(x.s));
        (void)gf_model__ets_filter(mod, y, missing, 0, n, &x, res->fitted, NULL);
        return GF_MODEL_OK;
    }
    double last = y[0];
    for (size_t t = 0; t < n; t++) {
        res->fitted[t] = last;
        if (!ets_gap(missing, t))
            last = y[t];
    }
    return GF_MODEL_OK;
}

/* Student's t(0.9) quantile over z(0.9) for df = 1, 2: how much wider a band from so few
 * changes must be. */
static double widen(size_t df)
{
    static const double t90[] = {0.0, 3.0776835, 1.8856181};
    return df >= 1 && df <= 2 ? t90[df] / Z90 : 1.0;
}

int gf_model_ets_forecast(const double *y, size_t n, const gf_model_ets_options *opt,
                          gf_model_ets_result *out)
{
    if (!out)
        return GF_MODEL_EINVAL;
    memset(out, 0, sizeof(*out));
    if (!y || !opt || n < 1 || opt->period < 1 || opt->period > GF_MODEL_ETS_MAX_PERIOD ||
        opt->horizon < 1 || opt->agg < GF_MODEL_ETS_SUM || opt->agg > GF_MODEL_ETS_LAST ||
        opt->agg_from >= opt->horizon || !(opt->min_gain >= 0.0) || !(opt->min_gain < 1.0) ||
        !isfinite(opt->prior_sum) || opt->n_paths > MAX_PATHS)
        return GF_MODEL_EINVAL;
    const unsigned char *missing = opt->missing;
    if (ets_gap(missing, 0) || ets_gap(missing, n - 1))
        return GF_MODEL_EINVAL;
    double ss = 0.0, last = NAN;
    size_t n_obs = 0;
    int positive = 1;
    for (size_t t = 0; t < n; t++) {
        if (ets_gap(missing, t))
            continue;
        if (!isfinite(y[t]))
            return GF_MODEL_EINVAL;
        if (n_obs > 0)
            ss += (y[t] - last) * (y[t] - last);
        positive &= y[t] > 0.0;
        last = y[t];
        n_obs++;
    }
    const size_t m = opt->period, paths = opt->n_paths ? opt->n_paths : DEFAULT_PATHS;
    if (opt->horizon > GF_MODEL_ETS_MAX_DRAWS / paths)
        return GF_MODEL_EINVAL;
    gf_model_ets_result res = {.chosen = GF_MODEL_ETS_NAIVE,
                               .method = GF_MODEL_ETS_NAIVE,
                               .horizon = opt->horizon,
                               .sigma_factor = 1.0,
                               .n_obs = n_obs,
                               .positive = positive};
    res.naive_sigma = n_obs > 1 ? sqrt(ss / (double)(n_obs - 1)) : 0.0;
    for (int kind = 0; kind < GF_MODEL_ETS_N_KINDS; kind++)
        res.candidates[kind].kind = kind;
    gf_model_ets_model fits[GF_MODEL_ETS_N_KINDS];
    int ok[GF_MODEL_ETS_N_KINDS] = {0};
    for (int kind = 0; n_obs >= GF_MODEL_ETS_MIN_N && kind < GF_MODEL_ETS_N_KINDS; kind++) {
        gf_model_ets_candidate *c = &res.candidates[kind];
        if ((ets_is_seasonal(kind) && m < 2) || (ets_is_mult(kind) && !positive))
            continue;
        const int sib = gf_model__ets_kinds[kind].sibling;
        if (ets_is_mult(kind) && !ok[sib])
            continue;
        gf_model_ets_model *mod = &fits[kind];
        const int rc =
            gf_model__ets_fit(y, missing, n, kind, m, ets_is_mult(kind) ? &fits[sib] : NULL, mod);
        if (rc == GF_MODEL_ENOMEM)
            return rc;
        if (rc)
            continue;
        ok[kind] = 1;
        *c = (gf_model_ets_candidate){.kind = kind,
                                      .fitted = 1,
                                      .alpha = mod->alpha,
                                      .beta = mod->beta,
                                      .gamma = mod->gamma,
                                      .phi = mod->phi,
                                      .sigma = mod->sigma,
                                      .aicc = mod->aicc,
                                      .n_param = mod->n_param};
        if (res.chosen == GF_MODEL_ETS_NAIVE || mod->aicc < res.model.aicc) {
            res.chosen = kind;
            res.model = *mod;
        }
    }
    double sigma = res.naive_sigma;
    if (n_obs < GF_MODEL_ETS_MIN_N) {
        res.insufficient = 1;
        sigma = fmax(res.naive_sigma * widen(n_obs - 1), 0.1 * fabs(last));
        if (!(sigma > 0.0))
            sigma = 1e-9;
    } else if (res.chosen != GF_MODEL_ETS_NAIVE) {
        const int rc = gf_model__ets_skill(y, missing, n, m, opt->horizon, opt->min_gain,
                                           &res.model, &res.skill);
        if (rc)
            return rc;
        const double r = res.skill.oos_ratio, o = (double)res.skill.n_origins;
        res.sigma_factor = sqrt((r * r * o + CALIB_PRIOR) / (o + CALIB_PRIOR));
        if (res.skill.beats_naive) {
            res.method = res.chosen;
            sigma = res.model.sigma * res.sigma_factor;
        } else {
            res.fell_back = 1;
        }
    }
    res.n_paths = paths;
    int rc = fitted_values(y, missing, n, &res);
    if (!rc)
        rc = gf_model__ets_simulate(y, n, opt, paths, sigma, &res);
    if (rc) {
        gf_model_ets_result_free(&res);
        return rc;
    }
    *out = res;
    return GF_MODEL_OK;
}

/* ets_fit.c: maximum-likelihood fitting of one ETS kind. The smoothing parameters are searched by
 * Nelder-Mead over a bounded (logistic) transform of the profile likelihood, the additive kinds'
 * initial states concentrated out (ets_init.c), the multiplicative kinds' taken from their
 * additive sibling; the fit reports its states, sse, sigma, log-likelihood and AICc. Allocates
 * only its work space, freed before it returns. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ets_internal.h"

#define PHI_LO     0.8
#define PHI_HI     0.98
#define PAR_EPS    1e-4
#define NM_MAX_DIM 4
#define NM_TOL     1e-3 /* -2 log-likelihood units: AICc tells apart whole units */

static double logistic(double u)
{
    return 1.0 / (1.0 + exp(-u));
}

static double logit(double p)
{
    return log(p / (1.0 - p));
}

/* The unconstrained value whose bounded image (PAR_EPS + span * logistic) is p. */
static double unbound(double p)
{
    double q = (p - PAR_EPS) / (1.0 - 2.0 * PAR_EPS);
    q = q < 1e-6 ? 1e-6 : q > 1.0 - 1e-6 ? 1.0 - 1e-6 : q;
    return logit(q);
}

/* Maps the unconstrained vector u onto the smoothing parameters of mod, within their bounds. */
static void set_params(gf_model_ets_model *mod, const double *u)
{
    size_t k = 0;
    const double span = 1.0 - 2.0 * PAR_EPS;
    mod->alpha = PAR_EPS + span * logistic(u[k++]);
    mod->beta = ets_has_trend(mod->kind) ? mod->alpha * (PAR_EPS + span * logistic(u[k++])) : 0.0;
    mod->gamma =
        ets_is_seasonal(mod->kind) ? (1.0 - mod->alpha) * (PAR_EPS + span * logistic(u[k++])) : 0.0;
    mod->phi = ets_is_damped(mod->kind) ? PHI_LO + (PHI_HI - PHI_LO) * logistic(u[k++]) : 1.0;
}

/* The unconstrained vector of a fitted model's smoothing parameters (set_params' inverse). */
static size_t params_of(const gf_model_ets_model *src, int kind, double *u)
{
    size_t k = 0;
    u[k++] = unbound(src->alpha);
    if (ets_has_trend(kind))
        u[k++] = unbound(src->beta / src->alpha);
    if (ets_is_seasonal(kind))
        u[k++] = unbound(src->gamma / (1.0 - src->alpha));
    if (ets_is_damped(kind)) {
        const double q = (src->phi - PHI_LO) / (PHI_HI - PHI_LO);
        u[k++] = logit(q < 1e-6 ? 1e-6 : q > 1.0 - 1e-6 ? 1.0 - 1e-6 : q);
    }
    return k;
}

/* The profile objective -2 log-likelihood less constants at u: n log(sse / n), plus
 * 2 sum log(forecast) for multiplicative errors (additive kinds: initial states concentrated
 * out; multiplicative: w->x0). */
static double objective(gf_model_ets_model *mod, ets_work *w, const double *u)
{
    double sse, ls = 0.0;
    set_params(mod, u);
    if (!ets_is_mult(mod->kind)) {
        double c[ETS_MAX_STATES];
        sse = gf_model__ets_best_initial(mod, w, c);
    } else {
        ets_state x = w->x0;
        sse = gf_model__ets_filter(mod, w->y, w->missing, 0, w->n, &x, NULL, &ls);
    }
    if (!isfinite(sse) || !isfinite(ls))
        return HUGE_VAL;
    if (sse < w->floor)
        sse = w->floor;
    const double n = (double)w->n_obs;
    return n * log(sse / n) + 2.0 * ls;
}
/* Nelder-Mead from u (dimension dim <= NM_MAX_DIM), steps of `step`: reflection 1, expansion 2,
 * contraction 1/2, shrink 1/2, until the simplex's values agree to 1e-6 (in units of -2
 * log-likelihood, far below what AICc can tell apart) or max_eval. Leaves the best point in u and
 * returns its value. */
static double nelder_mead(gf_model_ets_model *mod, ets_work *w, double *u, size_t dim, double step,
                          int max_eval)
{
    double p[NM_MAX_DIM + 1][NM_MAX_DIM], f[NM_MAX_DIM + 1];
    for (size_t i = 0; i <= dim; i++) {
        memcpy(p[i], u, dim * sizeof(double));
        if (i > 0)
            p[i][i - 1] += step;
        f[i] = objective(mod, w, p[i]);
    }
    int evals = (int)dim + 1;
    for (;;) {
        /* Order: best first, worst last (insertion sort on at most 5 points). */
        for (size_t i = 1; i <= dim; i++) {
            for (size_t j = i; j > 0 && f[j] < f[j - 1]; j--) {
                double tf = f[j];
                f[j] = f[j - 1];
                f[j - 1] = tf;
                double tp[NM_MAX_DIM];
                memcpy(tp, p[j], sizeof(tp));
                memcpy(p[j], p[j - 1], sizeof(tp));
                memcpy(p[j - 1], tp, sizeof(tp));
            }
        }
        if (evals >= max_eval || fabs(f[dim] - f[0]) <= NM_TOL)
            break;
        double cen[NM_MAX_DIM] = {0}, xr[NM_MAX_DIM], xt[NM_MAX_DIM];
        for (size_t i = 0; i < dim; i++) {
            for (size_t k = 0; k < dim; k++)
                cen[k] += p[i][k] / (double)dim;
        }
        for (size_t k = 0; k < dim; k++)
            xr[k] = cen[k] + (cen[k] - p[dim][k]);
        const double fr = objective(mod, w, xr);
        evals++;
        if (fr < f[0]) {
            for (size_t k = 0; k < dim; k++)
                xt[k] = cen[k] + 2.0 * (cen[k] - p[dim][k]);
            const double fe = objective(mod, w, xt);
            evals++;
            if (fe < fr) {
                memcpy(p[dim], xt, dim * sizeof(double));
                f[dim] = fe;
            } else {
                memcpy(p[dim], xr, dim * sizeof(double));
                f[dim] = fr;
            }
            continue;
        }
        if (fr < f[dim - 1]) {
            memcpy(p[dim], xr, dim * sizeof(double));
            f[dim] = fr;
            continue;
        }
        /* Contract towards the better of the worst point and its reflection. */
        const int outside = fr < f[dim];
        for (size_t k = 0; k < dim; k++)
            xt[k] = cen[k] + 0.5 * ((outside ? xr[k] : p[dim][k]) - cen[k]);
        const double fc = objective(mod, w, xt);
        evals++;
        if (fc < (outside ? fr : f[dim])) {
            memcpy(p[dim], xt, dim * sizeof(double));
            f[dim] = fc;
            continue;
        }
        for (size_t i = 1; i <= dim; i++) {
            for (size_t k = 0; k < dim; k++)
                p[i][k] = p[0][k] + 0.5 * (p[i][k] - p[0][k]);
            f[i] = objective(mod, w, p[i]);
            evals++;
        }
    }
    memcpy(u, p[0], dim * sizeof(double));
    return f[0];
}

/* gf_model_ets_fit with gaps (missing may be NULL) and a hint (NULL: none): a fit of the same
 * kind on more of the series (the skill's refit) starts the search from its smoothing parameters
 * and, for a multiplicative kind, lends its initial states; for a multiplicative kind, a fit of
 * its additive sibling lends its states and parameters (NULL: the sibling is fitted here). */
int gf_model__ets_fit(const double *y, const unsigned char *missing, size_t n, int kind, size_t m,
                      const gf_model_ets_model *hint, gf_model_ets_model *out)
{
    if (!out)
        return GF_MODEL_EINVAL;
    memset(out, 0, sizeof(*out));
    if (!y || kind < 0 || kind >= GF_MODEL_ETS_N_KINDS || m < 1 || m > GF_MODEL_ETS_MAX_PERIOD)
        return GF_MODEL_EINVAL;
    if (!ets_is_seasonal(kind))
        m = 1;
    else if (m < 2 || n < 2 * m)
        return GF_MODEL_EINVAL;
    const size_t d = ets_n_initial(kind, m), k = ets_n_smoothing(kind) + d + 1;
    double scale = 0.0;
    size_t n_obs = 0;
    int positive = 1;
    for (size_t t = 0; t < n; t++) {
        if (ets_gap(missing, t))
            continue;
        if (!isfinite(y[t]))
            return GF_MODEL_EINVAL;
        scale = fmax(scale, fabs(y[t]));
        positive &= y[t] > 0.0;
        n_obs++;
    }
    if (n_obs < k + 2 || (ets_is_mult(kind) && !positive))
        return GF_MODEL_EINVAL;
    ets_work w = {.y = y,
                  .missing = missing,
                  .n = n,
                  .n_obs = n_obs,
                  .floor = 1e-20 * (1.0 + scale * scale) * (double)n_obs};
    gf_model_ets_model mod = {.kind = kind, .m = m};
    double u[NM_MAX_DIM];
    size_t dim = 0;
    if (!ets_is_mult(kind)) {
        w.cols = malloc((d + 2) * n * sizeof(*w.cols));
        if (!w.cols)
            return GF_MODEL_ENOMEM;
        if (hint && hint->kind == kind) {
            dim = params_of(hint, kind, u);
            (void)nelder_mead(&mod, &w, u, dim, 0.3, 300);
        } else {
            /* Start where exponential smoothing usually lives; restart once from the best
             * point found so a simplex collapsed early gets a fresh shape. */
            u[dim++] = logit(0.3);
            if (ets_has_trend(kind))
                u[dim++] = logit(0.1);
            if (ets_is_seasonal(kind))
                u[dim++] = logit(0.1);
            if (ets_is_damped(kind))
                u[dim++] = 0.0;
            (void)nelder_mead(&mod, &w, u, dim, 1.0, 400);
            (void)nelder_mead(&mod, &w, u, dim, 0.3, 200);
        }
    } else if (hint && hint->kind == kind) {
        /* The same kind fitted on more of the series: its states at t = 0 and parameters. */
        w.x0 = (ets_state){.l = hint->l0, .b = hint->b0};
        memcpy(w.x0.s, hint->s0, sizeof(w.x0.s));
        dim = params_of(hint, kind, u);
        (void)nelder_mead(&mod, &w, u, dim, 0.3, 300);
    } else {
        /* The additive sibling's states, its seasons as ratios to the level; its smoothing
         * parameters as the start. */
        gf_model_ets_model own;
        const gf_model_ets_model *sib = hint;
        if (!sib || sib->kind != gf_model__ets_kinds[kind].sibling) {
            const int rc =
                gf_model__ets_fit(y, missing, n, gf_model__ets_kinds[kind].sibling, m, NULL, &own);
            if (rc)
                return rc;
            sib = &own;
        }
        if (!(sib->l0 > 0.0))
            return GF_MODEL_EINVAL;
        w.x0 = (ets_state){.l = sib->l0, .b = sib->b0};
        if (ets_is_seasonal(kind)) {
            double sum = 0.0;
            for (size_t j = 0; j < m; j++) {
                w.x0.s[j] = 1.0 + sib->s0[j] / sib->l0;
                if (!(w.x0.s[j] > 0.0))
                    return GF_MODEL_EINVAL;
                sum += w.x0.s[j];
            }
            for (size_t j = 0; j < m; j++)
                w.x0.s[j] *= (double)m / sum;
        }
        dim = params_of(sib, kind, u);
        (void)nelder_mead(&mod, &w, u, dim, 0.5, 400);
    }
    set_params(&mod, u);
    ets_state x;
    if (!ets_is_mult(kind)) {
        double c[ETS_MAX_STATES];
        const double s = gf_model__ets_best_initial(&mod, &w, c);
        free(w.cols);
        if (s == HUGE_VAL)
            return GF_MODEL_EINVAL;
        gf_model__ets_state_of(&mod, c, &x);
    } else {
        x = w.x0;
    }
    mod.l0 = x.l;
    mod.b0 = x.b;
    memcpy(mod.s0, x.s, sizeof(mod.s0));
    double ls = 0.0, sse = gf_model__ets_filter(&mod, y, missing, 0, n, &x, NULL, &ls);
    if (!isfinite(sse) || !isfinite(ls))
        return GF_MODEL_EINVAL;
    if (!ets_is_mult(kind))
        ls = 0.0;
    mod.level = x.l;
    mod.trend = x.b;
    memcpy(mod.season, x.s, sizeof(mod.season));
    mod.n = n;
    mod.n_obs = n_obs;
    mod.sse = sse;
    if (sse < w.floor)
        sse = w.floor;
    const double dn = (double)n_obs, dk = (double)k;
    mod.n_param = k;
    mod.sigma = sqrt(mod.sse / (dn - dk));
    mod.loglik = -0.5 * dn * (log(2.0 * M_PI * sse / dn) + 1.0) - ls;
    mod.aicc = -2.0 * mod.loglik + 2.0 * dk + 2.0 * dk * (dk + 1.0) / (dn - dk - 1.0);
    *out = mod;
    return GF_MODEL_OK;
}

int gf_model_ets_fit(const double *y, size_t n, int kind, size_t m, gf_model_ets_model *out)
{
    return gf_model__ets_fit(y, NULL, n, kind, m, NULL, out);
}

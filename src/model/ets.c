/* Exponential smoothing for KPI series: the additive-error ETS family fitted by maximum
 * likelihood (Nelder-Mead over the smoothing parameters, exact least squares for the initial
 * states), chosen by AICc, judged against naive on rolling origins and simulated for quantiles. */
#include "gapforge/model_ets.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gapforge/model_rng.h"

#define DEFAULT_PATHS 4000
#define MAX_PATHS     1000000
#define MAX_STATES    (GF_MODEL_ETS_MAX_PERIOD + 1) /* free initial states: l, b, m - 1 seasons */
#define PHI_LO        0.8
#define PHI_HI        0.98
#define PAR_EPS       1e-4
#define CALIB_PRIOR   20.0 /* origins a sigma ratio of 1 is worth */

const char *gf_model_ets_kind_name(int kind)
{
    static const char *const names[] = {"ANN", "AAN", "AAdN", "ANA", "AAA", "AAdA", "naive"};
    if (kind < 0 || kind > GF_MODEL_ETS_NAIVE)
        return "unknown";
    return names[kind];
}

static int has_trend(int kind)
{
    return kind == GF_MODEL_ETS_AAN || kind == GF_MODEL_ETS_AADN || kind == GF_MODEL_ETS_AAA ||
           kind == GF_MODEL_ETS_AADA;
}

static int is_damped(int kind)
{
    return kind == GF_MODEL_ETS_AADN || kind == GF_MODEL_ETS_AADA;
}

static int is_seasonal(int kind)
{
    return kind >= GF_MODEL_ETS_ANA && kind < GF_MODEL_ETS_N_KINDS;
}

/* Smoothing parameters of a kind: alpha, then beta, gamma, phi when present. */
static size_t n_smoothing(int kind)
{
    return 1 + (size_t)has_trend(kind) + (size_t)is_seasonal(kind) + (size_t)is_damped(kind);
}

/* Free initial states: the level, the trend, and m - 1 seasons (they sum to zero). */
static size_t n_initial(int kind, size_t m)
{
    return 1 + (size_t)has_trend(kind) + (is_seasonal(kind) ? m - 1 : 0);
}

/* The state of the recursions: level, trend, and the seasons indexed by t mod m. */
typedef struct ets_state {
    double l, b, s[GF_MODEL_ETS_MAX_PERIOD];
} ets_state;

/* Runs the recursions of `mod` (its kind, m and smoothing parameters) over y[0..n-1] from *x,
 * y[0] being time t0, leaving the final state in *x; y == NULL stands for zeros. Writes the errors
 * into e when not NULL. Returns the sum of squared errors. */
static double filter(const gf_model_ets_model *mod, const double *y, size_t t0, size_t n,
                     ets_state *x, double *e)
{
    const double phi = mod->phi;
    const size_t m = mod->m;
    double sse = 0.0;
    size_t j = t0 % m;
    for (size_t t = 0; t < n; t++) {
        const double pb = phi * x->b;
        const double err = (y ? y[t] : 0.0) - (x->l + pb + x->s[j]);
        x->l = x->l + pb + mod->alpha * err;
        x->b = pb + mod->beta * err;
        x->s[j] += mod->gamma * err;
        if (e)
            e[t] = err;
        sse += err * err;
        if (++j == m)
            j = 0;
    }
    return sse;
}

/* Runs k <= 4 filters of `mod` from time 0 in one pass (their dependency chains overlap): the
 * first over y, the others over zeros, from the states x[0..k-1], writing the errors of filter i
 * into e[i]. */
static void filter_lockstep(const gf_model_ets_model *mod, const double *y, size_t n, size_t k,
                            ets_state *x, double *const *e)
{
    const double phi = mod->phi, alpha = mod->alpha, beta = mod->beta, gamma = mod->gamma;
    const size_t m = mod->m;
    size_t j = 0;
    for (size_t t = 0; t < n; t++) {
        for (size_t i = 0; i < k; i++) {
            ets_state *xi = &x[i];
            const double pb = phi * xi->b;
            const double err = (i == 0 ? y[t] : 0.0) - (xi->l + pb + xi->s[j]);
            xi->l = xi->l + pb + alpha * err;
            xi->b = pb + beta * err;
            xi->s[j] += gamma * err;
            e[i][t] = err;
        }
        if (++j == m)
            j = 0;
    }
}

/* The initial state for the free-state vector c (sum-to-zero seasons). */
static void state_of(const gf_model_ets_model *mod, const double *c, ets_state *x)
{
    memset(x, 0, sizeof(*x));
    size_t k = 0;
    x->l = c[k++];
    if (has_trend(mod->kind))
        x->b = c[k++];
    if (is_seasonal(mod->kind)) {
        double sum = 0.0;
        for (size_t j = 0; j + 1 < mod->m; j++) {
            x->s[j] = c[k++];
            sum += x->s[j];
        }
        x->s[mod->m - 1] = -sum;
    }
}

/* Solves the d x d symmetric positive definite system a x = r in place (Cholesky, r becomes x).
 * Returns 0, or -1 when a is not positive definite. */
static int cholesky_solve(double *a, double *r, size_t d)
{
    for (size_t i = 0; i < d; i++) {
        for (size_t j = 0; j <= i; j++) {
            double v = a[i * d + j];
            for (size_t k = 0; k < j; k++)
                v -= a[i * d + k] * a[j * d + k];
            if (i == j) {
                if (!(v > 0.0))
                    return -1;
                a[i * d + i] = sqrt(v);
            } else {
                a[i * d + j] = v / a[j * d + j];
            }
        }
    }
    for (size_t i = 0; i < d; i++) {
        for (size_t k = 0; k < i; k++)
            r[i] -= a[i * d + k] * r[k];
        r[i] /= a[i * d + i];
    }
    for (size_t i = d; i-- > 0;) {
        for (size_t k = i + 1; k < d; k++)
            r[i] -= a[k * d + i] * r[k];
        r[i] /= a[i * d + i];
    }
    return 0;
}

/* Work space of one fit: the errors from the zero state and the response to each free state. */
typedef struct ets_work {
    const double *y;
    size_t n;
    double *cols; /* (2 + d) * n: column 0 the errors from x0 = 0, column k+1 state k's response,
                   * the last season 0's response (seasonal kinds) */
    double floor; /* the smallest sse considered, so a perfect fit has a finite likelihood */
} ets_work;

/* For the smoothing parameters in *mod, finds the initial states minimising the sse (the errors
 * are affine in them: e = e0 + M c, so c = -(M'M)^-1 M'e0) and stores them in *mod. Returns the
 * sse, or HUGE_VAL when the system is degenerate. */
static double best_initial(gf_model_ets_model *mod, ets_work *w, double *c)
{
    const size_t d = n_initial(mod->kind, mod->m), n = w->n;
    /* The errors from the zero state, the responses to a unit level, trend and season 0. */
    ets_state xs[4] = {{0}};
    double *e[4] = {w->cols, w->cols + n};
    size_t k = 2;
    xs[1].l = 1.0;
    if (has_trend(mod->kind)) {
        xs[k].b = 1.0;
        e[k++] = w->cols + 2 * n;
    }
    if (is_seasonal(mod->kind)) {
        xs[k].s[0] = 1.0;
        e[k++] = w->cols + (d + 1) * n;
    }
    filter_lockstep(mod, w->y, n, k, xs, e);
    double *col = w->cols + (has_trend(mod->kind) ? 3 : 2) * n;
    if (is_seasonal(mod->kind)) {
        /* Season j's state first acts at t = j and the recursions are periodic in t mod m, so its
         * response is season 0's (in the spare column) delayed by j; the free state j moves
         * season j up and season m - 1 down (they sum to zero). */
        const size_t m = mod->m;
        const double *r0 = w->cols + (d + 1) * n;
        for (size_t j = 0; j + 1 < m; j++, col += n) {
            for (size_t t = 0; t < n; t++)
                col[t] = (t >= j ? r0[t - j] : 0.0) - (t >= m - 1 ? r0[t - (m - 1)] : 0.0);
        }
    }
    double a[MAX_STATES * MAX_STATES], r[MAX_STATES];
    for (size_t i = 0; i < d; i++) {
        const double *ci = w->cols + (i + 1) * n;
        double v = 0.0;
        for (size_t t = 0; t < n; t++)
            v += ci[t] * w->cols[t];
        r[i] = -v;
        for (size_t j = 0; j <= i; j++) {
            const double *cj = w->cols + (j + 1) * n;
            double s = 0.0;
            for (size_t t = 0; t < n; t++)
                s += ci[t] * cj[t];
            a[i * d + j] = s;
            a[j * d + i] = s;
        }
    }
    /* A whisper of ridge keeps near-collinear states (a flat series) solvable. */
    for (size_t i = 0; i < d; i++)
        a[i * d + i] = a[i * d + i] * (1.0 + 1e-10) + 1e-12;
    if (cholesky_solve(a, r, d))
        return HUGE_VAL;
    memcpy(c, r, d * sizeof(*c));
    ets_state x;
    state_of(mod, c, &x);
    const double sse = filter(mod, w->y, 0, n, &x, NULL);
    return isfinite(sse) ? sse : HUGE_VAL;
}

static double logistic(double u)
{
    return 1.0 / (1.0 + exp(-u));
}

static double logit(double p)
{
    return log(p / (1.0 - p));
}

/* Maps the unconstrained vector u onto the smoothing parameters of mod, within their bounds. */
static void set_params(gf_model_ets_model *mod, const double *u)
{
    size_t k = 0;
    const double span = 1.0 - 2.0 * PAR_EPS;
    mod->alpha = PAR_EPS + span * logistic(u[k++]);
    mod->beta = has_trend(mod->kind) ? mod->alpha * (PAR_EPS + span * logistic(u[k++])) : 0.0;
    mod->gamma =
        is_seasonal(mod->kind) ? (1.0 - mod->alpha) * (PAR_EPS + span * logistic(u[k++])) : 0.0;
    mod->phi = is_damped(mod->kind) ? PHI_LO + (PHI_HI - PHI_LO) * logistic(u[k++]) : 1.0;
}

/* The profile objective n log(sse / n) at u (initial states concentrated out). */
static double objective(gf_model_ets_model *mod, ets_work *w, const double *u)
{
    double c[MAX_STATES];
    set_params(mod, u);
    double sse = best_initial(mod, w, c);
    if (sse == HUGE_VAL)
        return HUGE_VAL;
    if (sse < w->floor)
        sse = w->floor;
    const double n = (double)w->n;
    return n * log(sse / n);
}

#define NM_MAX_DIM 4

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
        if (evals >= max_eval || fabs(f[dim] - f[0]) <= 1e-6)
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

int gf_model_ets_fit(const double *y, size_t n, int kind, size_t m, gf_model_ets_model *out)
{
    if (!out)
        return GF_MODEL_EINVAL;
    memset(out, 0, sizeof(*out));
    if (!y || kind < 0 || kind >= GF_MODEL_ETS_N_KINDS || m < 1 || m > GF_MODEL_ETS_MAX_PERIOD)
        return GF_MODEL_EINVAL;
    if (!is_seasonal(kind))
        m = 1;
    else if (m < 2 || n < 2 * m)
        return GF_MODEL_EINVAL;
    const size_t d = n_initial(kind, m), k = n_smoothing(kind) + d + 1;
    if (n < k + 2)
        return GF_MODEL_EINVAL;
    double scale = 0.0;
    for (size_t t = 0; t < n; t++) {
        if (!isfinite(y[t]))
            return GF_MODEL_EINVAL;
        scale = fmax(scale, fabs(y[t]));
    }
    ets_work w = {.y = y, .n = n, .floor = 1e-20 * (1.0 + scale * scale) * (double)n};
    w.cols = malloc((d + 2) * n * sizeof(*w.cols));
    if (!w.cols)
        return GF_MODEL_ENOMEM;
    gf_model_ets_model mod = {.kind = kind, .m = m};
    /* Start where exponential smoothing usually lives; restart once from the best point found so
     * a simplex collapsed early gets a fresh shape. */
    double u[NM_MAX_DIM];
    size_t dim = 0;
    u[dim++] = logit(0.3);
    if (has_trend(kind))
        u[dim++] = logit(0.1);
    if (is_seasonal(kind))
        u[dim++] = logit(0.1);
    if (is_damped(kind))
        u[dim++] = 0.0;
    (void)nelder_mead(&mod, &w, u, dim, 1.0, 400);
    (void)nelder_mead(&mod, &w, u, dim, 0.3, 400);
    set_params(&mod, u);
    double c[MAX_STATES];
    double sse = best_initial(&mod, &w, c);
    free(w.cols);
    if (sse == HUGE_VAL)
        return GF_MODEL_EINVAL;
    ets_state x;
    state_of(&mod, c, &x);
    mod.l0 = x.l;
    mod.b0 = x.b;
    memcpy(mod.s0, x.s, sizeof(mod.s0));
    (void)filter(&mod, y, 0, n, &x, NULL);
    mod.level = x.l;
    mod.trend = x.b;
    memcpy(mod.season, x.s, sizeof(mod.season));
    mod.n = n;
    mod.sse = sse;
    if (sse < w.floor)
        sse = w.floor;
    const double dn = (double)n, dk = (double)k;
    mod.n_param = k;
    mod.sigma = sqrt(mod.sse / (dn - dk));
    mod.loglik = -0.5 * dn * (log(2.0 * M_PI * sse / dn) + 1.0);
    mod.aicc = -2.0 * mod.loglik + 2.0 * dk + 2.0 * dk * (dk + 1.0) / (dn - dk - 1.0);
    *out = mod;
    return GF_MODEL_OK;
}

void gf_model_ets_point(const gf_model_ets_model *mod, size_t h, double *out)
{
    double damp = 0.0, pw = 1.0;
    for (size_t j = 1; j <= h; j++) {
        pw *= mod->phi;
        damp += pw;
        out[j - 1] = mod->level + damp * mod->trend + mod->season[(mod->n + j - 1) % mod->m];
    }
}

/* The model's mean forecasts of the next h values from state *x at absolute time t. */
static void forecast_from(const gf_model_ets_model *mod, const ets_state *x, size_t t, size_t h,
                          double *out)
{
    double damp = 0.0, pw = 1.0;
    for (size_t j = 1; j <= h; j++) {
        pw *= mod->phi;
        damp += pw;
        out[j - 1] = x->l + damp * x->b + x->s[(t + j - 1) % mod->m];
    }
}

/* Measures the skill of `chosen` (see gf_model_ets_skill). */
static int measure_skill(const double *y, size_t n, size_t m, size_t h, double min_gain,
                         const gf_model_ets_model *chosen, gf_model_ets_skill *sk)
{
    memset(sk, 0, sizeof(*sk));
    size_t n_train = (n + 1) / 2;
    gf_model_ets_model train;
    int rc = gf_model_ets_fit(y, n_train, chosen->kind, chosen->m, &train);
    if (rc == GF_MODEL_ENOMEM)
        return rc;
    if (rc) {
        /* Too short for a fit on half: judge the full-series parameters (said so). */
        train = *chosen;
        sk->in_sample = 1;
    }
    sk->n_train = n_train;
    double scale = 0.0;
    for (size_t t = 1; t < n_train; t++)
        scale += fabs(y[t] - y[t - 1]);
    scale /= (double)(n_train - 1);
    ets_state x = {.l = train.l0, .b = train.b0};
    memcpy(x.s, train.s0, sizeof(x.s));
    (void)filter(&train, y, 0, n_train, &x, NULL);
    double *fc = malloc(h * sizeof(*fc));
    if (!fc)
        return GF_MODEL_ENOMEM;
    double mae_model = 0.0, mae_naive = 0.0, mae_snaive = 0.0, sse1 = 0.0;
    for (size_t o = n_train; o < n; o++) {
        const size_t steps = h < n - o ? h : n - o;
        forecast_from(&train, &x, o, steps, fc);
        for (size_t j = 0; j < steps; j++) {
            const double actual = y[o + j];
            mae_model += fabs(actual - fc[j]);
            if (j == 0)
                sse1 += (actual - fc[0]) * (actual - fc[0]);
            mae_naive += fabs(actual - y[o - 1]);
            /* The same season's latest value known at o: whole seasons back from o + j. */
            const size_t back = m * (j / m + 1);
            mae_snaive += fabs(actual - (back <= o + j ? y[o + j - back] : y[o - 1]));
        }
        sk->n_errors += steps;
        sk->n_origins++;
        (void)filter(&train, y + o, o, 1, &x, NULL);
    }
    free(fc);
    if (!sk->n_errors)
        return GF_MODEL_OK;
    if (train.sigma > 0.0)
        sk->oos_ratio = sqrt(sse1 / (double)sk->n_origins) / train.sigma;
    const double ne = (double)sk->n_errors;
    mae_model /= ne;
    mae_naive /= ne;
    mae_snaive /= ne;
    sk->mase_model = scale > 0.0 ? mae_model / scale : (mae_model > 0.0 ? HUGE_VAL : 0.0);
    sk->mase_naive = scale > 0.0 ? mae_naive / scale : (mae_naive > 0.0 ? HUGE_VAL : 0.0);
    sk->mase_snaive = scale > 0.0 ? mae_snaive / scale : (mae_snaive > 0.0 ? HUGE_VAL : 0.0);
    sk->beats_naive =
        (mae_model == 0.0 && mae_naive == 0.0) || mae_model < (1.0 - min_gain) * mae_naive;
    return GF_MODEL_OK;
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The type-7 quantile of the ascending v[0..n-1]. */
static double quantile(const double *v, size_t n, double p)
{
    const double h = p * (double)(n - 1);
    const size_t i = (size_t)h;
    if (i + 1 >= n)
        return v[n - 1];
    return v[i] + (h - (double)i) * (v[i + 1] - v[i]);
}

/* The mean and quantiles of v[0..n-1], which it sorts. */
static gf_model_ets_band band_of(double *v, size_t n)
{
    double sum = 0.0;
    for (size_t i = 0; i < n; i++)
        sum += v[i];
    qsort(v, n, sizeof(*v), cmp_double);
    return (gf_model_ets_band){.mean = sum / (double)n,
                               .p10 = quantile(v, n, 0.1),
                               .p50 = quantile(v, n, 0.5),
                               .p90 = quantile(v, n, 0.9)};
}

/* Simulates the paths of the method in res (draws[step * paths + path]) and fills the bands. */
static int simulate(const double *y, size_t n, const gf_model_ets_options *opt, size_t paths,
                    gf_model_ets_result *res)
{
    const size_t h = opt->horizon;
    double *draws = malloc(h * paths * sizeof(*draws));
    res->steps = malloc(h * sizeof(*res->steps));
    res->agg_draws = malloc(paths * sizeof(*res->agg_draws));
    if (!draws || !res->steps || !res->agg_draws) {
        free(draws);
        return GF_MODEL_ENOMEM;
    }
    gf_model_rng rng;
    gf_model_rng_seed(&rng, opt->seed, 0);
    const gf_model_ets_model *mod = &res->model;
    const int naive = res->method == GF_MODEL_ETS_NAIVE;
    const double sigma = naive ? res->naive_sigma : mod->sigma * res->sigma_factor;
    const size_t m = naive ? 1 : mod->m;
    const double n_agg = (double)(h - opt->agg_from + opt->prior_count);
    for (size_t p = 0; p < paths; p++) {
        ets_state x = {.l = naive ? y[n - 1] : mod->level, .b = naive ? 0.0 : mod->trend};
        if (!naive)
            memcpy(x.s, mod->season, sizeof(x.s));
        double sum = opt->prior_sum, value = 0.0;
        for (size_t j = 0; j < h; j++) {
            const size_t s = (n + j) % m;
            const double phi = naive ? 1.0 : mod->phi;
            const double pb = phi * x.b;
            const double e = sigma * gf_model_rng_normal(&rng);
            value = x.l + pb + x.s[s] + e;
            if (naive) {
                x.l = value;
            } else {
                x.l = x.l + pb + mod->alpha * e;
                x.b = pb + mod->beta * e;
                x.s[s] += mod->gamma * e;
            }
            draws[j * paths + p] = value;
            if (j >= opt->agg_from)
                sum += value;
        }
        res->agg_draws[p] = opt->agg == GF_MODEL_ETS_SUM    ? sum
                            : opt->agg == GF_MODEL_ETS_MEAN ? sum / n_agg
                                                            : value;
    }
    for (size_t j = 0; j < h; j++)
        res->steps[j] = band_of(draws + j * paths, paths);
    free(draws);
    res->aggregate = band_of(res->agg_draws, paths);
    return GF_MODEL_OK;
}

void gf_model_ets_result_free(gf_model_ets_result *res)
{
    if (!res)
        return;
    free(res->steps);
    free(res->agg_draws);
    memset(res, 0, sizeof(*res));
}

double gf_model_ets_prob_at_least(const gf_model_ets_result *res, double x)
{
    if (!res || !res->n_paths || !res->agg_draws)
        return 0.0;
    size_t lo = 0, hi = res->n_paths; /* the first draw >= x */
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if (res->agg_draws[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (double)(res->n_paths - lo) / (double)res->n_paths;
}

int gf_model_ets_forecast(const double *y, size_t n, const gf_model_ets_options *opt,
                          gf_model_ets_result *out)
{
    if (!out)
        return GF_MODEL_EINVAL;
    memset(out, 0, sizeof(*out));
    if (!y || !opt || n < GF_MODEL_ETS_MIN_N || opt->period < 1 ||
        opt->period > GF_MODEL_ETS_MAX_PERIOD || opt->horizon < 1 || opt->agg < GF_MODEL_ETS_SUM ||
        opt->agg > GF_MODEL_ETS_LAST || opt->agg_from >= opt->horizon || !(opt->min_gain >= 0.0) ||
        !(opt->min_gain < 1.0) || !isfinite(opt->prior_sum) || opt->n_paths > MAX_PATHS)
        return GF_MODEL_EINVAL;
    double ss = 0.0;
    for (size_t t = 0; t < n; t++) {
        if (!isfinite(y[t]))
            return GF_MODEL_EINVAL;
        if (t > 0)
            ss += (y[t] - y[t - 1]) * (y[t] - y[t - 1]);
    }
    const size_t m = opt->period, paths = opt->n_paths ? opt->n_paths : DEFAULT_PATHS;
    if (opt->horizon > GF_MODEL_ETS_MAX_DRAWS / paths)
        return GF_MODEL_EINVAL;
    gf_model_ets_result res = {
        .chosen = GF_MODEL_ETS_NAIVE, .horizon = opt->horizon, .sigma_factor = 1.0};
    res.naive_sigma = sqrt(ss / (double)(n - 1));
    for (int kind = 0; kind < GF_MODEL_ETS_N_KINDS; kind++) {
        gf_model_ets_candidate *c = &res.candidates[kind];
        c->kind = kind;
        if (is_seasonal(kind) && m < 2)
            continue;
        gf_model_ets_model mod;
        const int rc = gf_model_ets_fit(y, n, kind, m, &mod);
        if (rc == GF_MODEL_ENOMEM)
            return rc;
        if (rc)
            continue;
        *c = (gf_model_ets_candidate){.kind = kind,
                                      .fitted = 1,
                                      .alpha = mod.alpha,
                                      .beta = mod.beta,
                                      .gamma = mod.gamma,
                                      .phi = mod.phi,
                                      .sigma = mod.sigma,
                                      .aicc = mod.aicc,
                                      .n_param = mod.n_param};
        if (res.chosen == GF_MODEL_ETS_NAIVE || mod.aicc < res.model.aicc) {
            res.chosen = kind;
            res.model = mod;
        }
    }
    res.method = GF_MODEL_ETS_NAIVE;
    if (res.chosen != GF_MODEL_ETS_NAIVE) {
        const int rc = measure_skill(y, n, m, opt->horizon, opt->min_gain, &res.model, &res.skill);
        if (rc)
            return rc;
        const double r = res.skill.oos_ratio, o = (double)res.skill.n_origins;
        res.sigma_factor = sqrt((r * r * o + CALIB_PRIOR) / (o + CALIB_PRIOR));
        if (res.skill.beats_naive)
            res.method = res.chosen;
        else
            res.fell_back = 1;
    }
    res.n_paths = paths;
    const int rc = simulate(y, n, opt, paths, &res);
    if (rc) {
        gf_model_ets_result_free(&res);
        return rc;
    }
    *out = res;
    return GF_MODEL_OK;
}

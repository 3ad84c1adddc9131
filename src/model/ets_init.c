/* ets_init.c: the exact initial states of the additive kinds. For given smoothing parameters the
 * one-step errors are affine in the free initial states, so the states minimising the sse (the
 * maximum-likelihood ones) solve a small least-squares system: the responses to each state come
 * from one lock-step pass of filters, their Gram matrix (a lagged-product shortcut for the seasons
 * when there are no gaps) is solved by Cholesky. No allocation: the work space is the caller's. */
#include <math.h>
#include <string.h>

#include "ets_internal.h"

/* Runs k additive filters of `mod` from time 0 in one pass (their dependency chains overlap):
 * the first over y, the others over zeros, from the states x[0..k-1], writing the errors of
 * filter i into cols[col[i] * n + t] (0 at gaps, where no filter applies an error). */
static void filter_lockstep(const gf_model_ets_model *mod, const double *y,
                            const unsigned char *missing, size_t n, size_t k, ets_state *x,
                            double *cols, const size_t *col)
{
    const double phi = mod->phi, alpha = mod->alpha, beta = mod->beta, gamma = mod->gamma;
    const size_t m = mod->m;
    size_t j = 0;
    for (size_t t = 0; t < n; t++) {
        const int skip = ets_gap(missing, t);
        for (size_t i = 0; i < k; i++) {
            ets_state *xi = &x[i];
            const double pb = phi * xi->b;
            if (skip) {
                xi->l += pb;
                xi->b = pb;
                cols[col[i] * n + t] = 0.0;
                continue;
            }
            const double err = (i == 0 ? y[t] : 0.0) - (xi->l + pb + xi->s[j]);
            xi->l = xi->l + pb + alpha * err;
            xi->b = pb + beta * err;
            xi->s[j] += gamma * err;
            cols[col[i] * n + t] = err;
        }
        if (++j == m)
            j = 0;
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

/* sum a[t] b[t] over t < n, in four independent sums (the loop then pipelines). */
static double dot(const double *a, const double *b, size_t n)
{
    double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
    size_t t = 0;
    for (; t + 4 <= n; t += 4) {
        s0 += a[t] * b[t];
        s1 += a[t + 1] * b[t + 1];
        s2 += a[t + 2] * b[t + 2];
        s3 += a[t + 3] * b[t + 3];
    }
    for (; t < n; t++)
        s0 += a[t] * b[t];
    return (s0 + s1) + (s2 + s3);
}

/* The Gram matrix g ((d + 1) x (d + 1), row-major) of the columns [e0, responses of the d free
 * states] when season j's response is season 0's, r0, delayed by j (no gaps): with R_j that
 * delay, the free state j's column is R_j - R_{m-1}, and every product of delayed columns is a
 * lagged product of r0 or of a base column with r0, so 4m sums of n replace (d + 1)^2. */
static void gram_seasonal(const double *cols, size_t n, size_t nb, size_t m, size_t d, double *g)
{
    const double *r0 = cols + nb * n;
    const size_t dim = d + 1;
    double lag[GF_MODEL_ETS_MAX_PERIOD], cross[3][GF_MODEL_ETS_MAX_PERIOD];
    double rr[GF_MODEL_ETS_MAX_PERIOD][GF_MODEL_ETS_MAX_PERIOD];
    for (size_t l = 0; l < m; l++)
        lag[l] = l < n ? dot(r0, r0 + l, n - l) : 0.0;
    for (size_t c = 0; c < nb; c++)
        for (size_t j = 0; j < m; j++)
            cross[c][j] = j < n ? dot(cols + c * n + j, r0, n - j) : 0.0;
    /* <R_i, R_j> (i <= j) = sum over u <= n - 1 - j of r0[u] r0[u + j - i]. */
    for (size_t j = 0; j < m; j++) {
        for (size_t i = 0; i <= j; i++) {
            const size_t l = j - i;
            double v = lag[l];
            for (size_t u = n > j ? n - j : 0; u + l < n; u++)
                v -= r0[u] * r0[u + l];
            rr[i][j] = rr[j][i] = v;
        }
    }
    for (size_t a = 0; a < nb; a++)
        for (size_t b = 0; b <= a; b++)
            g[a * dim + b] = g[b * dim + a] = dot(cols + a * n, cols + b * n, n);
    const size_t last = m - 1;
    for (size_t j = 0; j < last; j++) {
        const size_t cj = nb + j;
        for (size_t c = 0; c < nb; c++)
            g[cj * dim + c] = g[c * dim + cj] = cross[c][j] - cross[c][last];
        for (size_t i = 0; i <= j; i++) {
            const double v = rr[i][j] - rr[i][last] - rr[j][last] + rr[last][last];
            g[cj * dim + nb + i] = g[(nb + i) * dim + cj] = v;
        }
    }
}

/* For the smoothing parameters in *mod (an additive kind), finds the initial states minimising
 * the sse (the errors are affine in them: e = e0 + M c, so c = -(M'M)^-1 M'e0) into c. Returns
 * the sse, or HUGE_VAL when the system is degenerate. */
double gf_model__ets_best_initial(gf_model_ets_model *mod, ets_work *w, double *c)
{
    const size_t d = ets_n_initial(mod->kind, mod->m), n = w->n, m = mod->m, dim = d + 1;
    const size_t trend = (size_t)ets_has_trend(mod->kind);
    const int season = ets_is_seasonal(mod->kind), shortcut = season && !w->missing;
    ets_state xs[ETS_MAX_COLS];
    size_t col[ETS_MAX_COLS], k = 0;
    if (!w->missing) {
        /* The errors from the zero state and the responses to a unit level, trend and season 0:
         * season j's state first acts at t = j and the recursions are periodic in t mod m, so
         * its response is season 0's delayed by j. */
        memset(xs, 0, 4 * sizeof *xs);
        col[k] = k;
        k++;
        xs[k].l = 1.0;
        col[k] = k;
        k++;
        if (trend) {
            xs[k].b = 1.0;
            col[k] = k;
            k++;
        }
        if (season) {
            xs[k].s[0] = 1.0;
            col[k] = k;
            k++;
        }
    } else {
        /* Gaps break that periodicity: one filter per free state. */
        double unit[ETS_MAX_STATES] = {0};
        memset(xs, 0, sizeof *xs);
        col[k] = k;
        k++;
        for (size_t i = 0; i < d; i++, k++) {
            unit[i] = 1.0;
            gf_model__ets_state_of(mod, unit, &xs[k]);
            unit[i] = 0.0;
            col[k] = k;
        }
    }
    filter_lockstep(mod, w->y, w->missing, n, k, xs, w->cols, col);
    double g[ETS_MAX_COLS * ETS_MAX_COLS];
    if (shortcut) {
        gram_seasonal(w->cols, n, 2 + trend, m, d, g);
    } else {
        for (size_t i = 0; i < dim; i++)
            for (size_t j = 0; j <= i; j++)
                g[i * dim + j] = dot(w->cols + i * n, w->cols + j * n, n);
    }
    double a[ETS_MAX_STATES * ETS_MAX_STATES], r[ETS_MAX_STATES];
    for (size_t i = 0; i < d; i++) {
        r[i] = -g[(i + 1) * dim];
        for (size_t j = 0; j <= i; j++) {
            const double s = g[(i + 1) * dim + j + 1];
            a[i * d + j] = s;
            a[j * d + i] = s;
        }
    }
    /* A whisper of ridge keeps near-collinear states (a flat series) solvable. */
    for (size_t i = 0; i < d; i++)
        a[i * d + i] = a[i * d + i] * (1.0 + 1e-10) + 1e-12;
    double rhs[ETS_MAX_STATES];
    memcpy(rhs, r, d * sizeof(*rhs));
    if (cholesky_solve(a, r, d))
        return HUGE_VAL;
    memcpy(c, r, d * sizeof(*c));
    /* At the solution sse = e0'e0 - c'(-M'e0); when that cancels to a small share of e0'e0 its
     * rounding matters (a near-perfect fit), so the filter says it exactly. */
    double sse = g[0];
    for (size_t i = 0; i < d; i++)
        sse -= c[i] * rhs[i];
    if (!(sse > 1e-6 * g[0])) {
        ets_state x;
        gf_model__ets_state_of(mod, c, &x);
        sse = gf_model__ets_filter(mod, w->y, w->missing, 0, n, &x, NULL, NULL);
    }
    return isfinite(sse) ? sse : HUGE_VAL;
}

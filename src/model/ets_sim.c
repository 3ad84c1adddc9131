/* ets_sim.c: the simulated forecast. Error paths (Gaussian; relative errors for the
 * multiplicative kinds) run through the chosen method's state equations, and the per-step and
 * aggregate quantiles (type 7, by selection) come from the same paths; also the shares of the
 * sorted aggregates and the result's release. Same seed, same paths. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ets_internal.h"

#include "gapforge/model_rng.h"

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Rearranges v[lo..hi) so that v[k] (lo <= k < hi) is the value a sort would put there, with no
 * larger value before it and no smaller one after (Hoare's selection, middle pivot). */
static void select_kth(double *v, size_t lo, size_t hi, size_t k)
{
    while (hi - lo > 1) {
        const double pivot = v[lo + (hi - lo - 1) / 2];
        size_t i = lo, j = hi - 1;
        for (;;) {
            while (v[i] < pivot)
                i++;
            while (v[j] > pivot)
                j--;
            if (i >= j)
                break;
            const double t = v[i];
            v[i++] = v[j];
            v[j--] = t;
        }
        /* v[lo..j] <= pivot <= v[j+1..hi) with lo <= j < hi - 1. */
        if (k <= j)
            hi = j + 1;
        else
            lo = j + 1;
    }
}

/* The type-7 quantile p of v[0..n-1], selecting in v[*lo..n) (quantiles asked in increasing p
 * leave the earlier ones in place); moves *lo past the selected index. */
static double quantile_sel(double *v, size_t n, double p, size_t *lo)
{
    const double h = p * (double)(n - 1);
    const size_t i = (size_t)h;
    if (i >= *lo)
        select_kth(v, *lo, n, i);
    *lo = i + 1;
    if (i + 1 >= n)
        return v[n - 1];
    double next = v[i + 1];
    for (size_t k = i + 2; k < n; k++)
        next = v[k] < next ? v[k] : next;
    return v[i] + (h - (double)i) * (next - v[i]);
}

gf_model_ets_band gf_model_ets_band_of(double *v, size_t n)
{
    if (!v || !n)
        return (gf_model_ets_band){0};
    double sum = 0.0;
    for (size_t i = 0; i < n; i++)
        sum += v[i];
    size_t lo = 0;
    gf_model_ets_band b = {.mean = sum / (double)n};
    b.p10 = quantile_sel(v, n, 0.1, &lo);
    b.p50 = quantile_sel(v, n, 0.5, &lo);
    b.p90 = quantile_sel(v, n, 0.9, &lo);
    return b;
}

/* Standard normal draws two at a time (Marsaglia's polar method: no inverse CDF in the hot
 * loop); *spare holds the second of a pair (NAN: none). */
static double normal_draw(gf_model_rng *rng, double *spare)
{
    if (!isnan(*spare)) {
        const double z = *spare;
        *spare = NAN;
        return z;
    }
    double u, v, q;
    do {
        u = 2.0 * gf_model_rng_uniform(rng) - 1.0;
        v = 2.0 * gf_model_rng_uniform(rng) - 1.0;
        q = u * u + v * v;
    } while (q >= 1.0 || q == 0.0);
    const double f = sqrt(-2.0 * log(q) / q);
    *spare = v * f;
    return u * f;
}

/* Simulates the paths of the method in res (draws[step * paths + path]) and fills the bands. */
int gf_model__ets_simulate(const double *y, size_t n, const gf_model_ets_options *opt, size_t paths,
                           double sigma, gf_model_ets_result *res)
{
    const size_t h = opt->horizon;
    double *draws = malloc(h * paths * sizeof(*draws));
    double *scratch = opt->keep_paths ? malloc(paths * sizeof(*scratch)) : NULL;
    res->steps = malloc(h * sizeof(*res->steps));
    res->agg_draws = malloc(paths * sizeof(*res->agg_draws));
    res->path_agg = opt->keep_paths ? malloc(paths * sizeof(*res->path_agg)) : NULL;
    if (!draws || !res->steps || !res->agg_draws ||
        (opt->keep_paths && (!scratch || !res->path_agg))) {
        free(draws);
        free(scratch);
        return GF_MODEL_ENOMEM;
    }
    gf_model_rng rng;
    gf_model_rng_seed(&rng, opt->seed, 0);
    double spare = NAN;
    const gf_model_ets_model *mod = &res->model;
    const int naive = res->method == GF_MODEL_ETS_NAIVE;
    const ets_kind_info *ki =
        naive ? &gf_model__ets_kinds[GF_MODEL_ETS_ANN] : &gf_model__ets_kinds[mod->kind];
    const size_t m = naive ? 1 : mod->m;
    const double phi = naive ? 1.0 : mod->phi, alpha = naive ? 1.0 : mod->alpha;
    const double beta = naive ? 0.0 : mod->beta, gamma = naive ? 0.0 : mod->gamma;
    const double n_agg = (double)(h - opt->agg_from + opt->prior_count);
    const double start = naive ? gf_model__ets_last_observed(y, opt->missing, n) : mod->level;
    for (size_t p = 0; p < paths; p++) {
        ets_state x = {.l = start, .b = naive ? 0.0 : mod->trend};
        if (!naive)
            memcpy(x.s, mod->season, sizeof(x.s));
        double sum = opt->prior_sum, value = 0.0;
        size_t s = n % m;
        for (size_t j = 0; j < h; j++) {
            const double pb = phi * x.b, u = x.l + pb;
            const double e = sigma * normal_draw(&rng, &spare);
            if (!ki->merr) {
                value = u + x.s[s] + e;
                x.l = u + alpha * e;
                x.b = pb + beta * e;
                x.s[s] += gamma * e;
            } else {
                const double mu = ki->msea ? u * x.s[s] : u;
                value = mu * (1.0 + e);
                x.l = u * (1.0 + alpha * e);
                x.b = pb + beta * u * e;
                if (ki->msea)
                    x.s[s] *= 1.0 + gamma * e;
            }
            draws[j * paths + p] = value;
            if (j >= opt->agg_from)
                sum += value;
            if (++s == m)
                s = 0;
        }
        res->agg_draws[p] = opt->agg == GF_MODEL_ETS_SUM    ? sum
                            : opt->agg == GF_MODEL_ETS_MEAN ? sum / n_agg
                                                            : value;
    }
    for (size_t j = 0; j < h; j++) {
        double *v = draws + j * paths;
        if (scratch) {
            memcpy(scratch, v, paths * sizeof(*v));
            v = scratch;
        }
        res->steps[j] = gf_model_ets_band_of(v, paths);
    }
    free(scratch);
    if (opt->keep_paths) {
        res->paths = draws;
        memcpy(res->path_agg, res->agg_draws, paths * sizeof(*res->path_agg));
    } else {
        free(draws);
    }
    double sum = 0.0;
    for (size_t p = 0; p < paths; p++)
        sum += res->agg_draws[p];
    qsort(res->agg_draws, paths, sizeof(*res->agg_draws), cmp_double);
    res->aggregate = gf_model_ets_band_of(res->agg_draws, paths); /* sorted: stays sorted */
    res->aggregate.mean = sum / (double)paths;
    return GF_MODEL_OK;
}

void gf_model_ets_result_free(gf_model_ets_result *res)
{
    if (!res)
        return;
    free(res->steps);
    free(res->agg_draws);
    free(res->fitted);
    free(res->paths);
    free(res->path_agg);
    memset(res, 0, sizeof(*res));
}

double gf_model_ets_share_at_most(const double *v, size_t n, double x)
{
    if (!v || !n)
        return 0.0;
    size_t lo = 0, hi = n; /* the first value > x */
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if (v[mid] <= x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (double)lo / (double)n;
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

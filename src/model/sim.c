/* The Monte Carlo of a period total: blocks of lanes (sim_kernel.c) spread over worker threads,
 * a stratified common multiplier per block, new deals as a compound Poisson, then quantiles,
 * the probability of reaching the target and a histogram. */
#include "gapforge/model_sim.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gapforge/model_rng.h"
#include "sim_kernel.h"

#define L GF_MODEL_SIM_LANES
/* Below this many draws a run is too small to pay for starting threads. */
#define SIM_PARALLEL_MIN_DRAWS 4000000.0
/* Stream ids at or above this bit belong to blocks (the shock), below it to lanes. */
#define SIM_BLOCK_STREAM (1ull << 62)

/* The prepared, read-only description of a run shared by the workers. */
typedef struct sim_plan {
    const gf_model_sim_input *in;
    uint32_t trials;
    size_t n_blocks;
    size_t n_unc;    /* uncertain deals, padded to an even count */
    double *p;       /* their probabilities */
    float *odds;     /* their odds p / (1 - p) */
    int64_t *amount; /* their amounts */
    uint32_t *thr;   /* their thresholds without a multiplier */
    int64_t certain; /* booked + deals with p == 1 */
    int64_t *totals; /* trials entries */
    atomic_size_t next_block;
} sim_plan;

typedef struct sim_worker {
    sim_plan *plan;
    uint32_t *thr; /* this worker's thresholds under its block's multiplier */
    pthread_t thread;
} sim_worker;

static uint32_t threshold(double p)
{
    const double x = p * 4294967296.0;
    if (x >= 4294967295.0)
        return UINT32_MAX;
    if (x <= 0.0)
        return 0;
    return (uint32_t)(x + 0.5);
}

static int64_t add_sat(int64_t a, int64_t b)
{
    int64_t r;
    if (__builtin_add_overflow(a, b, &r))
        return INT64_MAX;
    return r;
}

static int input_valid(const gf_model_sim_input *in, uint32_t trials)
{
    if (trials < GF_MODEL_SIM_MIN_TRIALS || trials > GF_MODEL_SIM_MAX_TRIALS)
        return 0;
    if (in->n_deals && (!in->p || !in->amount_cents))
        return 0;
    if (!isfinite(in->sigma) || in->sigma < 0.0 || in->sigma > 5.0)
        return 0;
    if (!isfinite(in->new_lambda) || in->new_lambda < 0.0 || in->new_lambda > 1e6)
        return 0;
    if (in->new_lambda > 0.0 && (!in->n_new_amounts || !in->new_amount_cents))
        return 0;
    if (in->booked_cents < 0)
        return 0;
    int64_t sum = in->booked_cents;
    for (size_t i = 0; i < in->n_deals; i++) {
        const double p = in->p[i];
        if (!(p >= 0.0 && p <= 1.0) || in->amount_cents[i] < 0)
            return 0;
        if (__builtin_add_overflow(sum, in->amount_cents[i], &sum) || sum > INT64_MAX / 4)
            return 0;
    }
    for (size_t k = 0; k < in->n_new_amounts; k++) {
        if (in->new_amount_cents[k] < 0)
            return 0;
    }
    return 1;
}

double gf_model_sim_expected(const gf_model_sim_input *in)
{
    double e = (double)in->booked_cents;
    for (size_t i = 0; i < in->n_deals; i++)
        e += (double)in->amount_cents[i] * in->p[i];
    if (in->new_lambda > 0.0 && in->n_new_amounts) {
        double s = 0.0;
        for (size_t k = 0; k < in->n_new_amounts; k++)
            s += (double)in->new_amount_cents[k];
        e += in->new_lambda * s / (double)in->n_new_amounts;
    }
    return e;
}

/* Splits the deals into certain ones (added directly), impossible ones (skipped) and the
 * uncertain rest, which the kernel draws. */
static int plan_init(sim_plan *pl, const gf_model_sim_input *in, uint32_t trials, int64_t *totals)
{
    memset(pl, 0, sizeof(*pl));
    pl->in = in;
    pl->trials = trials;
    pl->n_blocks = (trials + L - 1) / L;
    pl->totals = totals;
    pl->certain = in->booked_cents;
    const size_t cap = in->n_deals + 2;
    pl->p = malloc(cap * sizeof(*pl->p));
    pl->amount = malloc(cap * sizeof(*pl->amount));
    pl->thr = malloc(cap * sizeof(*pl->thr));
    pl->odds = malloc(cap * sizeof(*pl->odds));
    if (!pl->p || !pl->amount || !pl->thr || !pl->odds)
        return GF_MODEL_ENOMEM;
    size_t n = 0;
    for (size_t i = 0; i < in->n_deals; i++) {
        if (in->p[i] >= 1.0) {
            pl->certain += in->amount_cents[i];
        } else if (in->p[i] > 0.0 && in->amount_cents[i] > 0) {
            pl->p[n] = in->p[i];
            pl->amount[n] = in->amount_cents[i];
            pl->thr[n] = threshold(in->p[i]);
            pl->odds[n] = (float)(in->p[i] / (1.0 - in->p[i]));
            n++;
        }
    }
    if (n % 2) {
        pl->p[n] = 0.0;
        pl->amount[n] = 0;
        pl->thr[n] = 0;
        pl->odds[n] = 0.0f;
        n++;
    }
    pl->n_unc = n;
    atomic_init(&pl->next_block, 0);
    return GF_MODEL_OK;
}

static void plan_free(sim_plan *pl)
{
    free(pl->p);
    free(pl->amount);
    free(pl->thr);
    free(pl->odds);
}

/* Block b: its own lane streams and its own stratum of the multiplier, so that the result of a
 * block depends on (inputs, seed, b) only, never on which thread ran it. */
static void run_block(const sim_plan *pl, size_t b, uint32_t *thr_buf)
{
    const gf_model_sim_input *in = pl->in;
    gf_model__lanes st;
    for (unsigned l = 0; l < L; l++) {
        gf_model_rng r;
        gf_model_rng_seed(&r, in->seed, (uint64_t)b * L + l);
        for (int k = 0; k < 4; k++)
            st.s[k][l] = r.s[k];
    }
    double m = 1.0;
    if (in->sigma > 0.0) {
        gf_model_rng blk;
        gf_model_rng_seed(&blk, in->seed, SIM_BLOCK_STREAM | b);
        const double u = ((double)b + gf_model_rng_uniform(&blk)) / (double)pl->n_blocks;
        m = exp(in->sigma * gf_model_norm_inv(u > 0.0 ? u : 0x1.0p-60) -
                0.5 * in->sigma * in->sigma);
    }
    const uint32_t *thr = pl->thr;
    if (m != 1.0) {
        gf_model__sim_thresholds(pl->odds, pl->n_unc, (float)m, thr_buf);
        thr = thr_buf;
    }
    int64_t acc[L];
    gf_model__sim_kernel(&st, thr, pl->amount, pl->n_unc, acc);
    const double lambda = in->new_lambda * m;
    for (unsigned l = 0; l < L; l++) {
        const size_t idx = b * L + l;
        if (idx >= pl->trials)
            break;
        int64_t total = pl->certain + acc[l];
        if (lambda > 0.0) {
            gf_model_rng r = {{st.s[0][l], st.s[1][l], st.s[2][l], st.s[3][l]}};
            const uint32_t count = gf_model_rng_poisson(&r, lambda);
            for (uint32_t k = 0; k < count; k++) {
                const uint64_t j = gf_model_rng_below(&r, in->n_new_amounts);
                total = add_sat(total, in->new_amount_cents[j]);
            }
        }
        pl->totals[idx] = total;
    }
}

static void *worker_main(void *arg)
{
    sim_worker *w = arg;
    sim_plan *pl = w->plan;
    for (;;) {
        const size_t b = atomic_fetch_add(&pl->next_block, 1);
        if (b >= pl->n_blocks)
            break;
        run_block(pl, b, w->thr);
    }
    return NULL;
}

static int cmp_i64(const void *a, const void *b)
{
    const int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The smallest sorted value with at least a share q of the trials at or below it. */
static int64_t quantile(const int64_t *sorted, size_t n, double q)
{
    double pos = ceil(q * (double)n - 1e-9);
    if (pos < 1.0)
        pos = 1.0;
    return sorted[(size_t)pos - 1];
}

static int summarise(const sim_plan *pl, gf_model_sim_result *out)
{
    const size_t n = pl->trials;
    int64_t *sorted = malloc(n * sizeof(*sorted));
    if (!sorted)
        return GF_MODEL_ENOMEM;
    memcpy(sorted, pl->totals, n * sizeof(*sorted));
    qsort(sorted, n, sizeof(*sorted), cmp_i64);
    __int128 sum = 0;
    size_t hit = 0;
    for (size_t t = 0; t < n; t++) {
        sum += sorted[t];
        hit += sorted[t] >= pl->in->target_cents;
    }
    const double mean = (double)sum / (double)n;
    double ss = 0.0;
    for (size_t t = 0; t < n; t++) {
        const double d = (double)sorted[t] - mean;
        ss += d * d;
    }
    out->mean = mean;
    out->stddev = n > 1 ? sqrt(ss / (double)(n - 1)) : 0.0;
    out->std_error = out->stddev / sqrt((double)n);
    out->p10 = quantile(sorted, n, 0.10);
    out->p50 = quantile(sorted, n, 0.50);
    out->p90 = quantile(sorted, n, 0.90);
    out->min = sorted[0];
    out->max = sorted[n - 1];
    out->prob_hit = (double)hit / (double)n;
    const int64_t lo = out->min;
    const int64_t width = out->max > lo ? out->max - lo : 1;
    for (int k = 0; k <= GF_MODEL_SIM_BINS; k++)
        out->hist_edges[k] = lo + (int64_t)((__int128)width * k / GF_MODEL_SIM_BINS);
    memset(out->hist_counts, 0, sizeof(out->hist_counts));
    for (size_t t = 0; t < n; t++) {
        int64_t bin = (int64_t)((__int128)(sorted[t] - lo) * GF_MODEL_SIM_BINS / width);
        if (bin >= GF_MODEL_SIM_BINS)
            bin = GF_MODEL_SIM_BINS - 1;
        out->hist_counts[bin]++;
    }
    free(sorted);
    return GF_MODEL_OK;
}

static unsigned choose_threads(const gf_model_sim_input *in, const sim_plan *pl)
{
    unsigned want = in->threads;
    if (!want) {
        const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        want = cpus > 0 ? (unsigned)cpus : 1;
        if ((double)pl->n_unc * pl->trials < SIM_PARALLEL_MIN_DRAWS)
            want = 1;
    }
    if (want > pl->n_blocks)
        want = (unsigned)pl->n_blocks;
    if (want > 256)
        want = 256;
    return want ? want : 1;
}

int gf_model_sim_run(const gf_model_sim_input *in, gf_model_sim_result *out, int64_t *totals)
{
    if (!in || !out)
        return GF_MODEL_EINVAL;
    const uint32_t trials = in->trials ? in->trials : GF_MODEL_SIM_DEFAULT_TRIALS;
    if (!input_valid(in, trials))
        return GF_MODEL_EINVAL;
    int rc;
    sim_plan pl = {0};
    sim_worker *workers = NULL;
    int64_t *own_totals = NULL;
    unsigned started = 0, n_threads = 0;
    if (!totals) {
        own_totals = malloc((size_t)trials * sizeof(*own_totals));
        if (!own_totals) {
            rc = GF_MODEL_ENOMEM;
            goto cleanup;
        }
        totals = own_totals;
    }
    rc = plan_init(&pl, in, trials, totals);
    if (rc)
        goto cleanup;
    n_threads = choose_threads(in, &pl);
    workers = calloc(n_threads, sizeof(*workers));
    if (!workers) {
        rc = GF_MODEL_ENOMEM;
        goto cleanup;
    }
    for (unsigned k = 0; k < n_threads; k++) {
        workers[k].plan = &pl;
        workers[k].thr = malloc((pl.n_unc + 1) * sizeof(uint32_t));
        if (!workers[k].thr) {
            rc = GF_MODEL_ENOMEM;
            goto cleanup;
        }
    }
    /* Worker 0 is this thread. A thread that fails to start only means fewer hands: blocks are
     * handed out dynamically and their results do not depend on who computes them. */
    started = 1;
    for (unsigned k = 1; k < n_threads; k++) {
        if (pthread_create(&workers[k].thread, NULL, worker_main, &workers[k]))
            break;
        started++;
    }
    worker_main(&workers[0]);
    for (unsigned k = 1; k < started; k++)
        pthread_join(workers[k].thread, NULL);
    rc = summarise(&pl, out);
    if (rc)
        goto cleanup;
    out->expected = gf_model_sim_expected(in);
    out->trials = trials;
    out->threads_used = started;
cleanup:
    if (workers) {
        for (unsigned k = 0; k < n_threads; k++)
            free(workers[k].thr);
    }
    free(workers);
    plan_free(&pl);
    free(own_totals);
    return rc;
}

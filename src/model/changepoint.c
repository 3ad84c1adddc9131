/* The change detector of a leading indicator: a two-sided CUSUM on buckets standardised by a
 * robust baseline, its run lengths by Siegmund's approximation, and the shift it finds. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gapforge/model_indicators.h"
#include "gapforge/model_rng.h"

/* Siegmund's correction of the threshold for the overshoot of a normal random walk. */
#define SIEGMUND_RHO 1.166
/* Baseline values are winsorised at this many normal-consistent MADs around the median. */
#define WINSOR_C 2.5

void gf_model_cusum_opts_default(gf_model_cusum_opts *o)
{
    *o = (gf_model_cusum_opts){.k = 0.75,
                               .arl0 = 52.0,
                               .baseline = 39,
                               .monitor = 8,
                               .min_baseline = 8,
                               .design_shift = 1.5,
                               .clip = 4.0};
}

/* The one-sided ARL of a CUSUM whose increments have mean m (unit variance), threshold b. */
static double one_sided(double m, double b)
{
    if (fabs(m) < 1e-9)
        return b * b;
    const double x = 2.0 * m * b;
    return (exp(-x) + x - 1.0) / (2.0 * m * m);
}

double gf_model_cusum_arl(double k, double h, double shift)
{
    if (!isfinite(k) || !isfinite(h) || !isfinite(shift) || h <= 0.0)
        return NAN;
    const double b = h + SIEGMUND_RHO;
    const double up = one_sided(shift - k, b), down = one_sided(-shift - k, b);
    return 1.0 / (1.0 / up + 1.0 / down);
}

double gf_model_cusum_threshold(double k, double arl0)
{
    if (!isfinite(k) || !isfinite(arl0) || k < 0.0 || arl0 < 2.0)
        return NAN;
    double lo = 1e-6, hi = 1.0;
    while (gf_model_cusum_arl(k, hi, 0.0) < arl0 && hi < 1e6)
        hi *= 2.0;
    for (int it = 0; it < 200 && hi - lo > 1e-12 * hi; it++) {
        const double mid = 0.5 * (lo + hi);
        if (gf_model_cusum_arl(k, mid, 0.0) < arl0)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

const char *gf_model_shift_state_name(int state)
{
    static const char *const names[] = {"insufficient_history", "no_variation", "in_control",
                                        "shifted_up", "shifted_down"};
    return state >= 0 && state <= GF_MODEL_SHIFT_DOWN ? names[state] : "insufficient_history";
}

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median_sorted(const double *v, size_t n)
{
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* E[W^2] of a standard normal winsorised at +-c: makes the winsorised sd consistent. */
static double winsor_var(double c)
{
    const double tail = 1.0 - gf_model_norm_cdf(c);
    const double phi = exp(-0.5 * c * c) / sqrt(2.0 * M_PI);
    return (1.0 - 2.0 * tail) - 2.0 * c * phi + 2.0 * c * c * tail;
}

/* The robust level and spread of v[0..n) (n >= 2; v is sorted in place): the mean and the
 * standard deviation of the values winsorised at WINSOR_C MADs around the median. When the MAD
 * is 0 (most values tied) the plain standard deviation bounds the winsorising instead. */
static void robust(double *v, size_t n, double *level, double *spread)
{
    qsort(v, n, sizeof *v, cmp_double);
    const double med = median_sorted(v, n);
    double *dev = malloc(n * sizeof *dev);
    double mad = 0.0;
    if (dev) {
        for (size_t i = 0; i < n; i++)
            dev[i] = fabs(v[i] - med);
        qsort(dev, n, sizeof *dev, cmp_double);
        mad = 1.4826 * median_sorted(dev, n);
        free(dev);
    }
    if (!(mad > 0.0)) {
        double m = 0.0, s = 0.0;
        for (size_t i = 0; i < n; i++)
            m += v[i];
        m /= (double)n;
        for (size_t i = 0; i < n; i++)
            s += (v[i] - m) * (v[i] - m);
        mad = sqrt(s / (double)(n - 1));
    }
    const double lo = med - WINSOR_C * mad, hi = med + WINSOR_C * mad;
    double m = 0.0, s = 0.0;
    for (size_t i = 0; i < n; i++)
        m += fmin(hi, fmax(lo, v[i]));
    m /= (double)n;
    for (size_t i = 0; i < n; i++) {
        const double w = fmin(hi, fmax(lo, v[i])) - m;
        s += w * w;
    }
    *level = m;
    *spread = sqrt(s / (double)(n - 1) / winsor_var(WINSOR_C));
}

int gf_model_shift_detect(const double *x, size_t n, const gf_model_cusum_opts *o,
                          gf_model_shift *out)
{
    if (!out)
        return GF_MODEL_EINVAL;
    memset(out, 0, sizeof *out);
    if ((!x && n) || !o || !(o->k >= 0.0) || !(o->arl0 >= 2.0) || !o->monitor)
        return GF_MODEL_EINVAL;
    out->k = o->k;
    out->h = gf_model_cusum_threshold(o->k, o->arl0);
    out->arl0 = gf_model_cusum_arl(o->k, out->h, 0.0);
    out->design_shift = o->design_shift;
    out->delay = gf_model_cusum_arl(o->k, out->h, o->design_shift);
    out->baseline = out->spread = out->recent = out->change = NAN;
    out->change_se = out->relative = NAN;
    out->state = GF_MODEL_SHIFT_INSUFFICIENT;
    out->monitor_from = n > o->monitor ? n - o->monitor : 0;
    out->baseline_to = out->monitor_from;
    out->baseline_from = out->baseline_to > o->baseline ? out->baseline_to - o->baseline : 0;
    out->recent_from = out->monitor_from;
    double *v = malloc((out->baseline_to - out->baseline_from + 1) * sizeof *v);
    if (!v)
        return GF_MODEL_ENOMEM;
    size_t nb = 0;
    for (size_t i = out->baseline_from; i < out->baseline_to; i++)
        if (isfinite(x[i]))
            v[nb++] = x[i];
    out->n_baseline = nb;
    size_t nm = 0;
    for (size_t i = out->monitor_from; i < n; i++)
        nm += isfinite(x[i]) != 0;
    if (nb < 2 || nb < o->min_baseline || !nm) {
        free(v);
        return GF_MODEL_OK;
    }
    robust(v, nb, &out->baseline, &out->spread);
    free(v);
    if (!(out->spread > 1e-12 * fmax(1.0, fabs(out->baseline)))) {
        out->state = GF_MODEL_SHIFT_NO_SPREAD;
        out->spread = 0.0;
    }
    /* The two statistics, and where each last stood at 0. */
    size_t reset_up = out->monitor_from, reset_down = out->monitor_from;
    size_t cross_up = SIZE_MAX, cross_down = SIZE_MAX;
    double up = 0.0, down = 0.0;
    for (size_t i = out->monitor_from; i < n && out->state != GF_MODEL_SHIFT_NO_SPREAD; i++) {
        if (!isfinite(x[i]))
            continue;
        double z = (x[i] - out->baseline) / out->spread;
        z = fmin(o->clip, fmax(-o->clip, z));
        up = fmax(0.0, up + z - o->k);
        down = fmax(0.0, down - z - o->k);
        if (up == 0.0) {
            reset_up = i + 1;
            cross_up = SIZE_MAX;
        } else if (up > out->h && cross_up == SIZE_MAX) {
            cross_up = i;
        }
        if (down == 0.0) {
            reset_down = i + 1;
            cross_down = SIZE_MAX;
        } else if (down > out->h && cross_down == SIZE_MAX) {
            cross_down = i;
        }
    }
    out->up = up;
    out->down = down;
    if (out->state != GF_MODEL_SHIFT_NO_SPREAD) {
        out->state = GF_MODEL_SHIFT_IN_CONTROL;
        if (up > out->h && up - out->h >= down - out->h) {
            out->state = GF_MODEL_SHIFT_UP;
            out->recent_from = reset_up;
            out->alarm_at = cross_up;
        } else if (down > out->h) {
            out->state = GF_MODEL_SHIFT_DOWN;
            out->recent_from = reset_down;
            out->alarm_at = cross_down;
        }
    }
    double sum = 0.0;
    size_t nr = 0;
    for (size_t i = out->recent_from; i < n; i++) {
        if (isfinite(x[i])) {
            sum += x[i];
            nr++;
        }
    }
    out->n_recent = nr;
    out->recent = nr ? sum / (double)nr : NAN;
    out->change = out->recent - out->baseline;
    out->change_se = nr ? out->spread * sqrt(1.0 / (double)nr + 1.0 / (double)nb) : NAN;
    out->relative = out->baseline != 0.0 ? out->change / fabs(out->baseline) : NAN;
    return GF_MODEL_OK;
}

/* Driver attribution: the multiplicative bookings form, its LMDI split (Shapley when a factor is
 * zero) and the driver values read from history. */
#include "gapforge/model_attrib.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const driver_names[GF_MODEL_DRIVERS] = {
    "opportunities", "leads", "conversion", "win_rate", "deal_size", "cycle_days", "slip_rate",
};

const char *gf_model_driver_name(int driver)
{
    if (driver < 0 || driver >= GF_MODEL_DRIVERS)
        return "unknown";
    return driver_names[driver];
}

static double clean(double x)
{
    return isfinite(x) && x > 0.0 ? x : 0.0;
}

/* The share of wins landing in a period of D days (see the header). */
static double timing_share(double median_days, int32_t period_days)
{
    const double t = clean(median_days);
    if (t <= 0.0)
        return 1.0;
    const double dk = (double)period_days * M_LN2 / t;
    return 1.0 - (-expm1(-dk)) / dk;
}

double gf_model_attrib_factor(const gf_model_drivers *d, int driver, int32_t period_days)
{
    switch (driver) {
    case GF_MODEL_DRV_OPPORTUNITIES:
        return d->use_leads ? 1.0 : clean(d->v[driver]);
    case GF_MODEL_DRV_LEADS:
    case GF_MODEL_DRV_CONVERSION:
        return d->use_leads ? clean(d->v[driver]) : 1.0;
    case GF_MODEL_DRV_CYCLE:
        return timing_share(d->v[driver], period_days);
    case GF_MODEL_DRV_SLIP: {
        const double s = clean(d->v[driver]);
        return s >= 1.0 ? 0.0 : 1.0 - s;
    }
    case GF_MODEL_DRV_WIN_RATE:
    case GF_MODEL_DRV_DEAL_SIZE:
        return clean(d->v[driver]);
    default:
        return 1.0;
    }
}

double gf_model_attrib_bookings(const gf_model_drivers *d, int32_t period_days)
{
    double b = 1.0;
    for (int k = 0; k < GF_MODEL_DRIVERS; k++)
        b *= gf_model_attrib_factor(d, k, period_days);
    return b;
}

/* The logarithmic mean, with L(x, x) = x. Both arguments positive. When x and y differ in their
 * last bits their logarithms can be equal: the arithmetic mean is then exact to far below a cent
 * (L = (x + y) / 2 to second order in x / y - 1), where the quotient would be 0 / 0. */
static double log_mean(double x, double y)
{
    if (x == y)
        return x;
    const double d = log(x) - log(y);
    if (fabs(d) < 1e-9)
        return 0.5 * (x + y);
    return (x - y) / d;
}

/* Shapley split of prod(f1) - prod(f0) over n factors (n <= GF_MODEL_DRIVERS). */
static void shapley(const double *f0, const double *f1, size_t n, double *out)
{
    double fact[GF_MODEL_DRIVERS + 1] = {1.0};
    for (size_t k = 1; k <= n; k++)
        fact[k] = fact[k - 1] * (double)k;
    for (size_t k = 0; k < n; k++) {
        double phi = 0.0;
        for (unsigned s = 0; s < (1u << n); s++) {
            if (s & (1u << k))
                continue;
            double with = 1.0, without = 1.0;
            size_t size = 0;
            for (size_t j = 0; j < n; j++) {
                const int in = (s >> j) & 1u;
                size += (size_t)in;
                const double v = in ? f1[j] : f0[j];
                with *= j == k ? f1[j] : v;
                without *= j == k ? f0[j] : v;
            }
            phi += fact[size] * fact[n - size - 1] / fact[n] * (with - without);
        }
        out[k] = phi;
    }
}

int gf_model_attrib_split(const gf_model_drivers *baseline, const gf_model_drivers *current,
                          int32_t period_days, gf_model_attrib *out)
{
    if (!baseline || !current || !out || period_days < 1 ||
        !baseline->use_leads != !current->use_leads)
        return GF_MODEL_EINVAL;
    memset(out, 0, sizeof(*out));
    out->scale = 1.0;
    double f0[GF_MODEL_DRIVERS], f1[GF_MODEL_DRIVERS];
    int positive = 1;
    for (int k = 0; k < GF_MODEL_DRIVERS; k++) {
        const int used = baseline->use_leads
                             ? k != GF_MODEL_DRV_OPPORTUNITIES
                             : k != GF_MODEL_DRV_LEADS && k != GF_MODEL_DRV_CONVERSION;
        if (!used)
            continue;
        gf_model_driver_impact *it = &out->items[out->n];
        it->driver = k;
        it->baseline = baseline->v[k];
        it->current = current->v[k];
        it->n = current->n[k];
        f0[out->n] = gf_model_attrib_factor(baseline, k, period_days);
        f1[out->n] = gf_model_attrib_factor(current, k, period_days);
        positive &= f0[out->n] > 0.0 && f1[out->n] > 0.0;
        out->n++;
    }
    out->baseline_bookings = gf_model_attrib_bookings(baseline, period_days);
    out->current_bookings = gf_model_attrib_bookings(current, period_days);
    out->total = out->current_bookings - out->baseline_bookings;
    if (!positive) {
        double phi[GF_MODEL_DRIVERS];
        shapley(f0, f1, out->n, phi);
        for (size_t k = 0; k < out->n; k++)
            out->items[k].impact = f0[k] == f1[k] ? 0.0 : phi[k];
        out->method = GF_MODEL_ATTRIB_SHAPLEY;
        return GF_MODEL_OK;
    }
    const double l = log_mean(out->current_bookings, out->baseline_bookings);
    for (size_t k = 0; k < out->n; k++)
        out->items[k].impact = f0[k] == f1[k] ? 0.0 : l * log(f1[k] / f0[k]);
    out->method = GF_MODEL_ATTRIB_LMDI;
    return GF_MODEL_OK;
}

void gf_model_attrib_scale_to(gf_model_attrib *a, double baseline_actual)
{
    if (!(baseline_actual > 0.0) || !isfinite(baseline_actual) || !(a->baseline_bookings > 0.0) ||
        !isfinite(a->baseline_bookings))
        return;
    const double k = baseline_actual / a->baseline_bookings;
    a->scale *= k;
    a->baseline_bookings = baseline_actual;
    a->current_bookings *= k;
    a->total *= k;
    for (size_t j = 0; j < a->n; j++)
        a->items[j].impact *= k;
}

static int cmp_i32(const void *a, const void *b)
{
    const int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* Slip over the quarters starting in [from, last] (last = the window's last day seen). */
static double slip_rate(const gf_model_history *h, const gf_model_calendar *cal,
                        const uint8_t *scope, gf_day from, gf_day last, double *n)
{
    uint32_t base = 0, slipped = 0;
    for (size_t k = 0; cal && k < cal->n; k++) {
        const gf_model_period q = cal->quarters[k];
        if (q.start < from || q.start > last)
            continue;
        const gf_day c = q.end < last ? q.end : last;
        for (size_t i = 0; i < h->n_deals; i++) {
            if (scope && !scope[i])
                continue;
            gf_model_deal_state st, after;
            gf_model_deal_state_at(h, i, q.start, &st);
            if (!st.exists || st.kind != GF_MODEL_STAGE_OPEN || st.close_date == GF_MODEL_NO_DAY ||
                st.close_date < q.start || st.close_date > c)
                continue;
            gf_model_deal_state_at(h, i, c + 1, &after);
            base++;
            slipped += after.kind == GF_MODEL_STAGE_OPEN;
        }
    }
    *n = base;
    return base ? (double)slipped / (double)base : NAN;
}

int gf_model_drivers_from_history(const gf_model_history *h, const gf_model_calendar *cal,
                                  const uint8_t *scope, gf_day from, gf_day to, gf_day as_of,
                                  int project, gf_model_drivers *out)
{
    if (!h || !out || to < from || from >= as_of || (cal && cal->n && !cal->quarters))
        return GF_MODEL_EINVAL;
    if (gf_model_history_validate(h, NULL))
        return GF_MODEL_EINVAL;
    const gf_day last = to < as_of - 1 ? to : as_of - 1;
    int32_t *cycles = malloc((h->n_deals ? h->n_deals : 1) * sizeof(*cycles));
    if (!cycles)
        return GF_MODEL_ENOMEM;
    size_t created = 0, won = 0, lost = 0;
    double won_sum = 0.0;
    for (size_t i = 0; i < h->n_deals; i++) {
        if (scope && !scope[i])
            continue;
        const gf_model_deal *d = &h->deals[i];
        created += d->created_day >= from && d->created_day <= last;
        gf_model_deal_state st;
        gf_model_deal_state_at(h, i, last + 1, &st);
        if (!st.exists || st.closed_day == GF_MODEL_NO_DAY || st.closed_day < from)
            continue;
        if (st.kind == GF_MODEL_STAGE_WON) {
            cycles[won++] = st.closed_day - d->created_day;
            won_sum += (double)st.amount_cents;
        } else if (st.kind == GF_MODEL_STAGE_LOST) {
            lost++;
        }
    }
    memset(out, 0, sizeof(*out));
    out->v[GF_MODEL_DRV_LEADS] = NAN;
    out->v[GF_MODEL_DRV_CONVERSION] = NAN;
    double opps = (double)created;
    if (project && last < to)
        opps *= (double)(to - from + 1) / (double)(last - from + 1);
    out->v[GF_MODEL_DRV_OPPORTUNITIES] = opps;
    out->v[GF_MODEL_DRV_WIN_RATE] = won + lost ? (double)won / (double)(won + lost) : NAN;
    out->v[GF_MODEL_DRV_DEAL_SIZE] = won ? won_sum / (double)won : NAN;
    out->v[GF_MODEL_DRV_CYCLE] = NAN;
    if (won) {
        qsort(cycles, won, sizeof(*cycles), cmp_i32);
        out->v[GF_MODEL_DRV_CYCLE] =
            won % 2 ? cycles[won / 2] : 0.5 * ((double)cycles[won / 2 - 1] + cycles[won / 2]);
    }
    out->v[GF_MODEL_DRV_SLIP] = slip_rate(h, cal, scope, from, last, &out->n[GF_MODEL_DRV_SLIP]);
    out->won_cents = won_sum;
    out->n[GF_MODEL_DRV_OPPORTUNITIES] = (double)created;
    out->n[GF_MODEL_DRV_WIN_RATE] = (double)(won + lost);
    out->n[GF_MODEL_DRV_DEAL_SIZE] = (double)won;
    out->n[GF_MODEL_DRV_CYCLE] = (double)won;
    free(cycles);
    return GF_MODEL_OK;
}

void gf_model_gap_split_compute(const gf_model_attrib *a, int64_t target_cents, int64_t p50_cents,
                                double expected_cents, gf_model_gap_split *out)
{
    *out = (gf_model_gap_split){0};
    const int64_t baseline = llround(a->baseline_bookings);
    out->gap = target_cents - p50_cents;
    out->target_stretch = target_cents - baseline;
    out->expected_change = llround(expected_cents) - baseline;
    int64_t drivers = 0;
    for (size_t k = 0; k < a->n && k < GF_MODEL_DRIVERS; k++) {
        const int64_t impact = llround(a->items[k].impact);
        out->driver[k] = -impact;
        drivers += impact;
    }
    out->timing = out->gap - out->target_stretch + drivers;
    out->expected_timing = out->expected_change - drivers;
}

void gf_model_drivers_shrink(gf_model_drivers *current, const gf_model_drivers *baseline,
                             double pseudo)
{
    static const int measured[] = {GF_MODEL_DRV_WIN_RATE, GF_MODEL_DRV_DEAL_SIZE,
                                   GF_MODEL_DRV_CYCLE, GF_MODEL_DRV_SLIP};
    if (!(pseudo > 0.0))
        return;
    for (size_t j = 0; j < sizeof measured / sizeof measured[0]; j++) {
        const int k = measured[j];
        const double c = current->v[k], b = baseline->v[k], n = current->n[k];
        /* An unchanged driver stays bit for bit what it was (a last-bit difference would make
         * the LMDI weight 0 / 0). */
        if (isfinite(c) && isfinite(b) && c != b && n >= 0.0)
            current->v[k] = (n * c + pseudo * b) / (n + pseudo);
    }
}

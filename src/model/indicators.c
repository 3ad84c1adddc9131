/* The weekly series of leading indicators (a KPI's observations bucketed, the pipeline's own
 * figures from deals) and the projected effect of a shift through a lag. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gapforge/model_indicators.h"

gf_day gf_model_week_start(gf_day day)
{
    /* Day 0, 1970-01-01, was a Thursday: Monday is weekday 0. */
    const int wd = (int)(((int64_t)day + 3) % 7 + 7) % 7;
    return day - wd;
}

/* The week of day among the n weeks from first, or -1. */
static long week_of(gf_day first, size_t n, gf_day day)
{
    if (day < first)
        return -1;
    const long w = (long)((day - first) / 7);
    return (size_t)w < n ? w : -1;
}

void gf_model_kpi_weeks(const gf_day *days, const double *values, size_t nobs, int aggregation,
                        gf_day first, size_t n, double *out)
{
    gf_day *latest = calloc(n ? n : 1, sizeof *latest);
    size_t *count = calloc(n ? n : 1, sizeof *count);
    for (size_t w = 0; w < n; w++)
        out[w] = 0.0;
    for (size_t i = 0; i < nobs && latest && count; i++) {
        const long w = week_of(first, n, days[i]);
        if (w < 0 || !isfinite(values[i]))
            continue;
        if (aggregation == GF_MODEL_AGG_LAST) {
            if (!count[w] || days[i] >= latest[w]) {
                out[w] = values[i];
                latest[w] = days[i];
            }
        } else {
            out[w] += values[i];
        }
        count[w]++;
    }
    for (size_t w = 0; w < n; w++) {
        if (!count || !count[w])
            out[w] = NAN;
        else if (aggregation == GF_MODEL_AGG_MEAN)
            out[w] /= (double)count[w];
    }
    free(latest);
    free(count);
}

const char *gf_model_pipeline_ind_name(int ind)
{
    static const char *const names[] = {"opportunities_created", "marketing_share", "new_deal_size",
                                        "velocity"};
    return ind >= 0 && ind < GF_MODEL_PIPELINE_INDS ? names[ind] : "";
}

void gf_model_pipeline_free(gf_model_pipeline *p)
{
    if (!p)
        return;
    for (int k = 0; k < GF_MODEL_PIPELINE_INDS; k++)
        free(p->v[k]);
    memset(p, 0, sizeof *p);
}

static int cmp_int32(const void *a, const void *b)
{
    const int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* One week's accumulators. */
typedef struct week_acc {
    double created, created_cents, marketing_cents, sourced_cents;
    double won, lost;
    size_t n_cycles, cap_cycles;
    int32_t *cycles; /* days from creation to win of the week's wins */
} week_acc;

static int push_cycle(week_acc *a, int32_t days)
{
    if (a->n_cycles == a->cap_cycles) {
        const size_t c = a->cap_cycles ? 2 * a->cap_cycles : 8;
        int32_t *p = realloc(a->cycles, c * sizeof *p);
        if (!p)
            return GF_MODEL_ENOMEM;
        a->cycles = p;
        a->cap_cycles = c;
    }
    a->cycles[a->n_cycles++] = days;
    return GF_MODEL_OK;
}

/* The day deal i closed for good before as_of (its last move into a won or lost stage, with no
 * reopening after it) and that stage's kind; NO_DAY when it is open at as_of. */
static gf_day closed_on(const gf_model_history *h, size_t i, gf_day as_of, int *kind)
{
    gf_model_deal_state st;
    gf_model_deal_state_at(h, i, as_of, &st);
    if (!st.exists || st.kind == GF_MODEL_STAGE_OPEN)
        return GF_MODEL_NO_DAY;
    *kind = st.kind;
    return st.closed_day;
}

static void fill(gf_model_pipeline *out, const week_acc *acc)
{
    for (size_t w = 0; w < out->n; w++) {
        const week_acc *a = &acc[w];
        out->v[GF_MODEL_IND_OPPORTUNITIES][w] = a->created;
        out->v[GF_MODEL_IND_MARKETING_SHARE][w] =
            a->sourced_cents > 0.0 ? a->marketing_cents / a->sourced_cents : NAN;
        const double size = a->created > 0.0 ? a->created_cents / a->created : NAN;
        out->v[GF_MODEL_IND_NEW_DEAL_SIZE][w] = size;
        double v = NAN;
        if (a->won + a->lost > 0.0 && a->n_cycles && isfinite(size)) {
            qsort(a->cycles, a->n_cycles, sizeof *a->cycles, cmp_int32);
            const size_t m = a->n_cycles;
            const double cyc =
                m % 2 ? a->cycles[m / 2] : 0.5 * (double)(a->cycles[m / 2 - 1] + a->cycles[m / 2]);
            v = a->created * size * (a->won / (a->won + a->lost)) / fmax(1.0, cyc);
        }
        out->v[GF_MODEL_IND_VELOCITY][w] = v;
    }
}

int gf_model_pipeline_weeks(const gf_model_history *h, const uint8_t *scope,
                            const uint8_t *marketing, gf_day first, size_t n, gf_day as_of,
                            gf_model_pipeline *out)
{
    if (!out)
        return GF_MODEL_EINVAL;
    memset(out, 0, sizeof *out);
    if (!h || (h->n_deals && !h->deals))
        return GF_MODEL_EINVAL;
    out->first = first;
    out->n = n;
    week_acc *acc = calloc(n ? n : 1, sizeof *acc);
    int rc = acc ? GF_MODEL_OK : GF_MODEL_ENOMEM;
    for (int k = 0; k < GF_MODEL_PIPELINE_INDS && !rc; k++) {
        out->v[k] = malloc((n ? n : 1) * sizeof *out->v[k]);
        if (!out->v[k])
            rc = GF_MODEL_ENOMEM;
    }
    for (size_t i = 0; i < h->n_deals && !rc; i++) {
        if (scope && !scope[i])
            continue;
        const gf_model_deal *d = &h->deals[i];
        if (d->created_day >= as_of)
            continue;
        const long w = week_of(first, n, d->created_day);
        if (w >= 0) {
            week_acc *a = &acc[w];
            a->created += 1.0;
            a->created_cents += (double)d->amount_cents;
            const int src = marketing ? marketing[i] : 2;
            if (src != 2) {
                a->sourced_cents += (double)d->amount_cents;
                if (src == 1)
                    a->marketing_cents += (double)d->amount_cents;
            }
        }
        int kind = 0;
        const gf_day closed = closed_on(h, i, as_of, &kind);
        const long cw = closed == GF_MODEL_NO_DAY ? -1 : week_of(first, n, closed);
        if (cw < 0)
            continue;
        if (kind == GF_MODEL_STAGE_WON) {
            acc[cw].won += 1.0;
            rc = push_cycle(&acc[cw], closed - d->created_day);
        } else {
            acc[cw].lost += 1.0;
        }
    }
    if (!rc)
        fill(out, acc);
    for (size_t w = 0; acc && w < n; w++)
        free(acc[w].cycles);
    free(acc);
    if (rc)
        gf_model_pipeline_free(out);
    return rc;
}

void gf_model_lead_effect_of(const gf_model_shift *s, gf_day shift_start, int lag_days,
                             gf_model_period period, gf_day as_of, double floor,
                             gf_model_lead_effect *out)
{
    memset(out, 0, sizeof *out);
    out->multiplier = 1.0;
    out->shift_start = shift_start;
    out->effect_start = shift_start + lag_days;
    out->window_start = as_of > period.start ? as_of : period.start;
    out->window_end = period.end;
    out->relative = s ? s->relative : NAN;
    if (!s || (s->state != GF_MODEL_SHIFT_UP && s->state != GF_MODEL_SHIFT_DOWN) ||
        !isfinite(s->relative) || out->window_end < out->window_start)
        return;
    const gf_day from =
        out->effect_start > out->window_start ? out->effect_start : out->window_start;
    const double days = (double)(out->window_end - out->window_start + 1);
    out->share = from > out->window_end ? 0.0 : (double)(out->window_end - from + 1) / days;
    out->applied = 1;
    out->multiplier = fmax(floor, 1.0 + s->relative * out->share);
}

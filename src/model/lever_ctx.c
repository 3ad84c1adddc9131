/* The parts of a lever context drawn from history and the forecast: the trailing won amounts
 * and bookings per rep-day, next period's commit deals, the default concession order. */
#include "gapforge/model_lever_ctx.h"

#include <stdlib.h>

static int cmp_i64_asc(const void *a, const void *b)
{
    const int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int cmp_i64_desc(const void *a, const void *b)
{
    return cmp_i64_asc(b, a);
}

int gf_model_rep_productivity(const gf_model_history *h, const uint8_t *mask, const int64_t *owner,
                              gf_day as_of, int32_t window_days, int64_t *pool, size_t *n_pool,
                              double *bookings_per_rep_day_cents)
{
    if (n_pool)
        *n_pool = 0;
    if (bookings_per_rep_day_cents)
        *bookings_per_rep_day_cents = 0.0;
    if (!h || !n_pool || !bookings_per_rep_day_cents || window_days < 1 ||
        (h->n_deals && (!h->deals || !pool)))
        return GF_MODEL_EINVAL;
    int64_t *owners = malloc((h->n_deals ? h->n_deals : 1) * sizeof(*owners));
    if (!owners)
        return GF_MODEL_ENOMEM;
    const int64_t first = (int64_t)as_of - window_days;
    size_t n = 0;
    double sum = 0.0;
    for (size_t i = 0; i < h->n_deals; i++) {
        if (mask && !mask[i])
            continue;
        gf_model_deal_state st;
        gf_model_deal_state_at(h, i, as_of, &st);
        if (!st.exists || st.kind != GF_MODEL_STAGE_WON || st.closed_day < first)
            continue;
        pool[n] = st.amount_cents;
        owners[n++] = owner ? owner[i] : 0;
        sum += (double)st.amount_cents;
    }
    /* Distinct non-zero owners: sort, then count the first of each run. */
    qsort(owners, n, sizeof(*owners), cmp_i64_asc);
    size_t reps = 0;
    for (size_t k = 0; k < n; k++)
        reps += owners[k] != 0 && (k == 0 || owners[k] != owners[k - 1]);
    free(owners);
    *n_pool = n;
    *bookings_per_rep_day_cents = n ? sum / ((double)(reps ? reps : 1) * (double)window_days) : 0.0;
    return GF_MODEL_OK;
}

size_t gf_model_next_commits(const gf_model_forecast *f, const uint8_t *is_commit,
                             int32_t window_days, int64_t *out)
{
    if (!f || !is_commit || !out || window_days < 1)
        return 0;
    const int64_t last = (int64_t)f->period.end + window_days;
    size_t n = 0;
    for (size_t k = 0; k < f->n_open; k++) {
        const gf_model_open_deal *od = &f->open[k];
        if (od->close_date != GF_MODEL_NO_DAY && od->close_date > f->period.end &&
            od->close_date <= last && is_commit[od->deal])
            out[n++] = od->amount_cents;
    }
    qsort(out, n, sizeof(*out), cmp_i64_desc);
    return n;
}

/* Whether open deal a comes before b in the concession order. */
static int before(const gf_model_forecast *f, uint32_t a, uint32_t b)
{
    return f->amount[a] != f->amount[b] ? f->amount[a] > f->amount[b] : a < b;
}

/* Sifts x[i] down the heap x[0..n) whose root is the last in order. */
static void sift_down(const gf_model_forecast *f, uint32_t *x, size_t i, size_t n)
{
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            return;
        if (c + 1 < n && before(f, x[c], x[c + 1]))
            c++;
        if (!before(f, x[i], x[c]))
            return;
        const uint32_t t = x[i];
        x[i] = x[c];
        x[c] = t;
        i = c;
    }
}

size_t gf_model_concession_order(const gf_model_forecast *f, uint32_t *out)
{
    if (!f || !out)
        return 0;
    size_t n = 0;
    for (size_t k = 0; k < f->n_open; k++) {
        if (f->open[k].flags & GF_MODEL_FLAG_IN_PERIOD)
            out[n++] = (uint32_t)k;
    }
    /* Heap sort in place: the order is total (ties go by index), so the result is the one any
     * sort gives, with no scratch to allocate. */
    for (size_t i = n / 2; i-- > 0;)
        sift_down(f, out, i, n);
    for (size_t end = n; end > 1; end--) {
        const uint32_t t = out[0];
        out[0] = out[end - 1];
        out[end - 1] = t;
        sift_down(f, out, 0, end - 1);
    }
    return n;
}

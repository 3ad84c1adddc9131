/* The dynamic programme over (stage, age in stage) and days: backward induction from the last
 * day of the horizon gives P(won by then) for every starting stage and age at once. */
#include "gapforge/model_survival.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define A (GF_MODEL_MAX_AGE + 1)

void gf_model_pwin_free(gf_model_pwin *t)
{
    if (!t)
        return;
    free(t->v);
    free(t);
}

double gf_model_pwin_get(const gf_model_pwin *t, int32_t stage, int32_t age)
{
    if (!t || stage < 0 || (size_t)stage >= t->n_stages)
        return 0.0;
    if (age < 0)
        age = 0;
    if (age > GF_MODEL_MAX_AGE)
        age = GF_MODEL_MAX_AGE;
    return t->v[(size_t)stage * A + (size_t)age];
}

/* Daily probabilities of one (stage, age) on a day with won factor g, renormalised so that they
 * never exceed 1 together. */
static void day_probs(const gf_model_hazard *h, double g, double *pw, double *pl, double *pm)
{
    *pw = h->won * g;
    *pl = h->lost;
    *pm = h->moved;
    const double sum = *pw + *pl + *pm;
    if (sum > 1.0) {
        *pw /= sum;
        *pl /= sum;
        *pm /= sum;
    }
}

/* x[s] = V_day(s, age 0) for every open stage: the fixed point of
 * x = pw + pm * sum_u dest[s][u] x[u] + stay * V_{day+1}(s, 1), found by Gauss-Seidel sweeps (a
 * contraction: a day's exit probabilities sum to at most 0.9). */
static void solve_age0(const gf_model_survival *m, double g, const double *next, double *x)
{
    const size_t S = m->n_stages;
    for (size_t s = 0; s < S; s++)
        x[s] = 0.0;
    for (int sweep = 0; sweep < 200; sweep++) {
        double change = 0.0;
        for (size_t s = 0; s < S; s++) {
            if (m->stages[s].kind != GF_MODEL_STAGE_OPEN)
                continue;
            double pw, pl, pm;
            day_probs(&m->cells[s * GF_MODEL_AGE_BUCKETS], g, &pw, &pl, &pm);
            double mv = 0.0;
            for (size_t u = 0; u < S; u++)
                mv += m->dest[s * S + u] * x[u];
            const double val = pw + pm * mv + (1.0 - pw - pl - pm) * next[s * A + 1];
            change += fabs(val - x[s]);
            x[s] = val;
        }
        if (change < 1e-13)
            break;
    }
}

int gf_model_pwin_new(const gf_model_survival *m, const gf_model_calendar *cal, gf_day from,
                      gf_day end, gf_model_pwin **out)
{
    if (!out)
        return GF_MODEL_EINVAL;
    *out = NULL;
    if (!m || (end >= from && end - from >= GF_MODEL_MAX_HORIZON))
        return GF_MODEL_EINVAL;
    const size_t S = m->n_stages;
    int rc = GF_MODEL_ENOMEM;
    double *next = calloc(S * A, sizeof(double));
    double *moved_value = calloc(S, sizeof(double));
    double *entry = calloc(S, sizeof(double));
    gf_model_pwin *t = calloc(1, sizeof(*t));
    if (!next || !moved_value || !entry || !t)
        goto cleanup;
    t->n_stages = S;
    t->from = from;
    t->end = end;
    t->v = calloc(S * A, sizeof(double));
    if (!t->v)
        goto cleanup;
    int8_t bucket_of[A];
    for (int32_t a = 0; a < A; a++)
        bucket_of[a] = (int8_t)gf_model_age_bucket(a);
    /* v holds V_day; next holds V_{day+1}; both start as V_{end+1} = 0. A move on a day puts
     * the deal at age 0 of its new stage on that same day (the spells count the day a stage is
     * entered as its age 0, at risk), so the age-0 values of all stages are solved together. */
    for (gf_day day = end; day >= from; day--) {
        const double g = gf_model_survival_qe_factor(m, cal, day);
        solve_age0(m, g, next, entry);
        for (size_t s = 0; s < S; s++) {
            double mv = 0.0;
            for (size_t u = 0; u < S; u++)
                mv += m->dest[s * S + u] * entry[u];
            moved_value[s] = mv;
        }
        for (size_t s = 0; s < S; s++) {
            if (m->stages[s].kind != GF_MODEL_STAGE_OPEN)
                continue;
            const double *nx = &next[s * A];
            double *v = &t->v[s * A];
            int b_prev = -1;
            double pw = 0, pl = 0, pm = 0;
            for (int32_t a = 0; a < A; a++) {
                const int b = bucket_of[a];
                if (b != b_prev) {
                    day_probs(&m->cells[s * GF_MODEL_AGE_BUCKETS + (size_t)b], g, &pw, &pl, &pm);
                    b_prev = b;
                }
                const double stay = 1.0 - pw - pl - pm;
                const int32_t a1 = a + 1 < A ? a + 1 : A - 1;
                v[a] = pw + pm * moved_value[s] + stay * nx[a1];
            }
        }
        memcpy(next, t->v, S * A * sizeof(double));
        if (day == INT32_MIN)
            break;
    }
    *out = t;
    t = NULL;
    rc = GF_MODEL_OK;
cleanup:
    free(next);
    free(moved_value);
    free(entry);
    gf_model_pwin_free(t);
    return rc;
}

/* Close-date position factors: replay the survival model at the same point of earlier quarters
 * and compare, per close-date position, what it predicted with what was won. */
#include "gapforge/model_closedate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_QUARTERS 16

const char *gf_model_close_pos_name(int pos)
{
    static const char *const names[] = {"inside", "overdue", "before", "after", "none"};
    if (pos < 0 || pos >= GF_MODEL_CLOSE_POSITIONS)
        return "unknown";
    return names[pos];
}

int gf_model_close_pos_of(gf_day close_date, gf_day as_of, gf_model_period period)
{
    if (close_date == GF_MODEL_NO_DAY)
        return GF_MODEL_CLOSE_NONE;
    if (close_date < as_of)
        return GF_MODEL_CLOSE_OVERDUE;
    if (close_date < period.start)
        return GF_MODEL_CLOSE_BEFORE;
    if (close_date > period.end)
        return GF_MODEL_CLOSE_AFTER;
    return GF_MODEL_CLOSE_INSIDE;
}

double gf_model_close_adjust(double p, double factor)
{
    if (p <= 0.0 || p >= 1.0 || factor == 1.0)
        return p;
    const double odds = p / (1.0 - p) * factor;
    return odds / (1.0 + odds);
}

/* Replayed predictions and outcomes, grouped by position. */
typedef struct replay_set {
    double *p;
    uint8_t *pos;
    uint8_t *won;
    int32_t *stage;
    size_t n, cap;
} replay_set;

static int replay_push(replay_set *r, double p, int pos, int32_t stage, int won)
{
    if (r->n == r->cap) {
        const size_t cap = r->cap ? r->cap * 2 : 256;
        double *np = realloc(r->p, cap * sizeof(*np));
        if (np)
            r->p = np;
        uint8_t *npos = realloc(r->pos, cap);
        if (npos)
            r->pos = npos;
        uint8_t *nw = realloc(r->won, cap);
        if (nw)
            r->won = nw;
        int32_t *ns = realloc(r->stage, cap * sizeof(*ns));
        if (ns)
            r->stage = ns;
        if (!np || !npos || !nw || !ns)
            return GF_MODEL_ENOMEM;
        r->cap = cap;
    }
    r->p[r->n] = p;
    r->pos[r->n] = (uint8_t)pos;
    r->won[r->n] = (uint8_t)won;
    r->stage[r->n] = stage;
    r->n++;
    return GF_MODEL_OK;
}

/* One earlier quarter q replayed at past_as_of. */
static int replay_quarter(const gf_model_history *h, const gf_model_calendar *cal,
                          const gf_model_survival *m, gf_model_period q, gf_day past_as_of,
                          const uint8_t *scope, replay_set *r)
{
    gf_model_pwin *to_end = NULL, *before = NULL;
    int rc = gf_model_pwin_new(m, cal, past_as_of, q.end, &to_end);
    if (!rc && q.start > past_as_of)
        rc = gf_model_pwin_new(m, cal, past_as_of, q.start - 1, &before);
    for (size_t i = 0; !rc && i < h->n_deals; i++) {
        if (scope && !scope[i])
            continue;
        gf_model_deal_state st, after;
        gf_model_deal_state_at(h, i, past_as_of, &st);
        if (!st.exists || st.kind != GF_MODEL_STAGE_OPEN)
            continue;
        const int32_t age = past_as_of - st.entered_day;
        double p = gf_model_pwin_get(to_end, st.stage, age);
        if (before)
            p -= gf_model_pwin_get(before, st.stage, age);
        gf_model_deal_state_at(h, i, q.end + 1, &after);
        const int won = after.kind == GF_MODEL_STAGE_WON && after.closed_day >= q.start &&
                        after.closed_day >= past_as_of;
        rc = replay_push(r, p < 0.0 ? 0.0 : p, gf_model_close_pos_of(st.close_date, past_as_of, q),
                         st.stage, won);
    }
    gf_model_pwin_free(to_end);
    gf_model_pwin_free(before);
    return rc;
}

/* Solves the shrunk calibration equation for one position's predictions p[0..n) in ln(theta):
 * safeguarded Newton steps inside a shrinking bisection bracket. */
static double solve_factor(const double *p, size_t n, double won, double k0,
                           gf_model_close_factor *f)
{
    double pred = 0.0;
    for (size_t k = 0; k < n; k++)
        pred += p[k];
    f->n_deals = (uint32_t)n;
    f->won = won;
    f->predicted = pred;
    if (!n || pred <= 0.0)
        return 1.0;
    const double pbar = pred / (double)n;
    const double target = won + k0 * pbar;
    double lo = -8.0, hi = 8.0, x = 0.0;
    for (int it = 0; it < 100; it++) {
        const double theta = exp(x);
        double q = gf_model_close_adjust(pbar, theta);
        double sum = k0 * q, slope = k0 * q * (1.0 - q);
        for (size_t k = 0; k < n; k++) {
            q = gf_model_close_adjust(p[k], theta);
            sum += q;
            slope += q * (1.0 - q);
        }
        const double g = sum - target;
        if (fabs(g) < 1e-9 * (1.0 + target))
            break;
        if (g < 0.0)
            lo = x;
        else
            hi = x;
        double next = slope > 0.0 ? x - g / slope : 0.5 * (lo + hi);
        if (!(next > lo && next < hi))
            next = 0.5 * (lo + hi);
        if (hi - lo < 1e-12)
            break;
        x = next;
    }
    return exp(x);
}

/* Groups the replayed deals by position and solves each position's factor, then by stage over
 * the predictions adjusted by their position's factor. */
static int solve_all(const replay_set *r, double k0, gf_model_close_factors *out)
{
    double *p = malloc((r->n ? r->n : 1) * sizeof(*p));
    if (!p)
        return GF_MODEL_ENOMEM;
    for (int pos = 0; pos < GF_MODEL_CLOSE_POSITIONS; pos++) {
        size_t n = 0;
        double won = 0.0;
        for (size_t k = 0; k < r->n; k++) {
            if (r->pos[k] != pos)
                continue;
            p[n++] = r->p[k];
            won += r->won[k];
        }
        out->pos[pos].odds_factor = solve_factor(p, n, won, k0, &out->pos[pos]);
    }
    for (size_t s = 0; s < out->n_stages; s++) {
        size_t n = 0;
        double won = 0.0;
        for (size_t k = 0; k < r->n; k++) {
            if (r->stage[k] != (int32_t)s)
                continue;
            p[n++] = gf_model_close_adjust(r->p[k], out->pos[r->pos[k]].odds_factor);
            won += r->won[k];
        }
        out->stage[s].odds_factor = solve_factor(p, n, won, k0, &out->stage[s]);
    }
    free(p);
    return GF_MODEL_OK;
}

double gf_model_close_factor_of(const gf_model_close_factors *cf, int pos, int32_t stage)
{
    double f = pos >= 0 && pos < GF_MODEL_CLOSE_POSITIONS ? cf->pos[pos].odds_factor : 1.0;
    if (stage >= 0 && (size_t)stage < cf->n_stages)
        f *= cf->stage[stage].odds_factor;
    return f;
}

int gf_model_close_factors_fit(const gf_model_history *h, const gf_model_calendar *cal,
                               const gf_model_survival *m, gf_model_period period, gf_day as_of,
                               size_t max_quarters, double k0, const uint8_t *scope,
                               gf_model_close_factors *out)
{
    if (!h || !cal || !m || !out || !(k0 > 0.0) || (cal->n && !cal->quarters))
        return GF_MODEL_EINVAL;
    memset(out, 0, sizeof(*out));
    for (int k = 0; k < GF_MODEL_CLOSE_POSITIONS; k++)
        out->pos[k].odds_factor = 1.0;
    out->n_stages =
        m->n_stages < GF_MODEL_CLOSE_MAX_STAGES ? m->n_stages : GF_MODEL_CLOSE_MAX_STAGES;
    for (size_t k = 0; k < out->n_stages; k++)
        out->stage[k].odds_factor = 1.0;
    if (max_quarters > MAX_QUARTERS)
        max_quarters = MAX_QUARTERS;
    int rc = GF_MODEL_OK;
    replay_set r = {0};
    const gf_day offset = as_of - period.start;
    for (size_t k = cal->n; k-- > 0 && out->n_quarters < max_quarters && !rc;) {
        const gf_model_period q = cal->quarters[k];
        const gf_day past_as_of = q.start + offset;
        if (q.end >= as_of || q.start >= period.start || past_as_of > q.end)
            continue;
        if (q.end - past_as_of >= GF_MODEL_MAX_HORIZON)
            continue;
        rc = replay_quarter(h, cal, m, q, past_as_of, scope, &r);
        out->n_quarters++;
    }
    if (!rc)
        rc = solve_all(&r, k0, out);
    free(r.p);
    free(r.pos);
    free(r.won);
    free(r.stage);
    return rc;
}

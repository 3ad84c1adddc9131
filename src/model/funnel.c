/* The funnel over a window of days: one walk over each deal's stage timeline up to the window's
 * end, counting stays and their exits, collecting the durations of the stays that ended in the
 * window and the ages of the deals still in a stage, then the quantiles and the flags. */
#include "gapforge/model_funnel.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void gf_model_funnel_opts_default(gf_model_funnel_opts *o)
{
    *o = (gf_model_funnel_opts){.nearly_all = 0.95, .skip_share = 0.30, .min_flag_n = 20};
}

/* What the walks collect beside the counts: ended stays' durations and open deals' ages, each as
 * (stage << 32 | days) so that one sort groups them by stage in order. */
typedef struct walk {
    const gf_model_history *h;
    gf_day from, to;
    gf_model_funnel_stage *st;
    uint8_t *ever; /* per stage: the deal entered it before to + 1 */
    uint64_t *ended;
    size_t n_ended;
    uint64_t *ages;
    size_t n_ages;
} walk;

static int in_window(const walk *w, gf_day day)
{
    return day >= w->from && day <= w->to;
}

static uint64_t pack(int32_t stage, int32_t days)
{
    return (uint64_t)(uint32_t)stage << 32 | (uint32_t)days;
}

/* A stay in open stage `cur` entered on `entered` ends on `day` by a move to `next`. */
static void stay_ended(walk *w, int32_t cur, gf_day entered, gf_day day, int32_t next)
{
    gf_model_funnel_stage *s = &w->st[cur];
    if (in_window(w, entered)) {
        const int kind = w->h->stages[next].kind;
        if (kind == GF_MODEL_STAGE_WON) {
            s->advanced++;
            s->won++;
        } else if (kind == GF_MODEL_STAGE_LOST) {
            s->lost++;
        } else if (next > cur) {
            s->advanced++;
        } else {
            s->moved_back++;
        }
    }
    if (in_window(w, day))
        w->ended[w->n_ended++] = pack(cur, day - entered);
}

/* Walks deal i's timeline before to + 1. Returns the stage it is in at the end of `to` (-1 when
 * it had none yet). */
static int32_t walk_deal(walk *w, size_t i)
{
    const gf_model_history *h = w->h;
    const gf_model_deal *d = &h->deals[i];
    int32_t cur = -1, hi_open = -1;
    int won_in_window = 0;
    gf_day entered = 0;
    memset(w->ever, 0, h->n_stages);
    for (size_t k = 0; k < d->n_timeline; k++) {
        const gf_model_transition *t = &d->timeline[k];
        if (t->day > w->to)
            break;
        if (t->stage == cur)
            continue;
        if (cur >= 0 && h->stages[cur].kind == GF_MODEL_STAGE_OPEN)
            stay_ended(w, cur, entered, t->day, t->stage);
        cur = t->stage;
        entered = t->day;
        w->ever[cur] = 1;
        if (!in_window(w, t->day))
            continue;
        w->st[cur].entered++;
        if (h->stages[cur].kind == GF_MODEL_STAGE_WON)
            won_in_window = 1;
        else if (h->stages[cur].kind == GF_MODEL_STAGE_OPEN && cur > hi_open)
            hi_open = cur;
    }
    if (cur >= 0 && h->stages[cur].kind == GF_MODEL_STAGE_OPEN) {
        w->st[cur].open_at_to++;
        w->st[cur].still_open += in_window(w, entered) ? 1U : 0U;
        w->ages[w->n_ages++] = pack(cur, w->to - entered);
    }
    for (int32_t s = 0; s < (int32_t)h->n_stages; s++) {
        if (h->stages[s].kind != GF_MODEL_STAGE_OPEN || !(won_in_window || hi_open > s))
            continue;
        w->st[s].reached_later++;
        w->st[s].skipped += w->ever[s] ? 0U : 1U;
    }
    return cur;
}

static int cmp_u64(const void *a, const void *b)
{
    const uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* The p-quantile of n sorted packed durations (linear between order statistics). */
static double quantile(const uint64_t *x, size_t n, double p)
{
    const double pos = p * (double)(n - 1);
    const size_t j = (size_t)pos;
    const double lo = (double)(uint32_t)x[j];
    if (j + 1 >= n)
        return lo;
    return lo + (pos - (double)j) * ((double)(uint32_t)x[j + 1] - lo);
}

static double ratio(uint32_t num, uint32_t den)
{
    return den ? (double)num / (double)den : NAN;
}

/* Quantiles, stalls, shares and flags once the walks are done. */
static void finish(walk *w, const gf_model_funnel_opts *o)
{
    const gf_model_history *h = w->h;
    qsort(w->ended, w->n_ended, sizeof *w->ended, cmp_u64);
    size_t lo = 0;
    for (int32_t s = 0; s < (int32_t)h->n_stages; s++) {
        gf_model_funnel_stage *st = &w->st[s];
        size_t hi = lo;
        while (hi < w->n_ended && (int32_t)(w->ended[hi] >> 32) == s)
            hi++;
        st->n_time = (uint32_t)(hi - lo);
        st->median_days = st->n_time ? quantile(w->ended + lo, hi - lo, 0.5) : NAN;
        st->p90_days = st->n_time ? quantile(w->ended + lo, hi - lo, 0.9) : NAN;
        lo = hi;
        const int open = h->stages[s].kind == GF_MODEL_STAGE_OPEN;
        st->conversion = open ? ratio(st->advanced, st->entered) : NAN;
        st->skipped_share = ratio(st->skipped, st->reached_later);
        const uint32_t left = st->entered - st->still_open;
        st->converts_nearly_all =
            open && left >= o->min_flag_n && (double)st->advanced >= o->nearly_all * (double)left;
        st->often_skipped = st->reached_later >= o->min_flag_n &&
                            (double)st->skipped >= o->skip_share * (double)st->reached_later;
    }
    for (size_t k = 0; k < w->n_ages; k++) {
        gf_model_funnel_stage *st = &w->st[w->ages[k] >> 32];
        st->stalled += (double)(uint32_t)w->ages[k] > st->p90_days ? 1U : 0U;
    }
    for (size_t s = 0; s < h->n_stages; s++) {
        gf_model_funnel_stage *st = &w->st[s];
        st->stalled_share = isnan(st->p90_days) ? NAN : ratio(st->stalled, st->open_at_to);
    }
}

int gf_model_funnel_compute(const gf_model_history *h, const uint8_t *scope, gf_day from, gf_day to,
                            const gf_model_funnel_opts *opts, gf_model_funnel_stage *stages,
                            gf_model_funnel_totals *totals)
{
    if (!opts || !stages || !totals || from > to || to == INT32_MAX ||
        gf_model_history_validate(h, NULL))
        return GF_MODEL_EINVAL;
    memset(stages, 0, h->n_stages * sizeof *stages);
    memset(totals, 0, sizeof *totals);
    size_t n_tr = 0, n_in = 0;
    for (size_t i = 0; i < h->n_deals; i++) {
        if (!scope || scope[i]) {
            n_tr += h->deals[i].n_timeline;
            n_in++;
        }
    }
    walk w = {.h = h, .from = from, .to = to, .st = stages};
    w.ever = malloc(h->n_stages);
    w.ended = malloc((n_tr ? n_tr : 1) * sizeof *w.ended);
    w.ages = malloc((n_in ? n_in : 1) * sizeof *w.ages);
    int rc = w.ever && w.ended && w.ages ? GF_MODEL_OK : GF_MODEL_ENOMEM;
    for (size_t i = 0; rc == GF_MODEL_OK && i < h->n_deals; i++) {
        if (scope && !scope[i])
            continue;
        const int32_t cur = walk_deal(&w, i);
        if (cur < 0 || h->deals[i].created_day < from || h->deals[i].created_day > to)
            continue;
        totals->created++;
        totals->won += h->stages[cur].kind == GF_MODEL_STAGE_WON ? 1U : 0U;
        totals->lost += h->stages[cur].kind == GF_MODEL_STAGE_LOST ? 1U : 0U;
        totals->open += h->stages[cur].kind == GF_MODEL_STAGE_OPEN ? 1U : 0U;
    }
    if (rc == GF_MODEL_OK) {
        finish(&w, opts);
        totals->win_rate = ratio(totals->won, totals->won + totals->lost);
    }
    free(w.ever);
    free(w.ended);
    free(w.ages);
    return rc;
}

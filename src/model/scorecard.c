/* scorecard.c — a rep's period against the team's reps, and commit bias with shrinkage. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gapforge/model_scorecard.h"

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double gf_model_median(double *v, size_t n)
{
    if (n == 0)
        return NAN;
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int in_window(gf_model_period w, gf_day d)
{
    return d >= w.start && d <= w.end;
}

/* One value of one peer under one key (a source or a stage), for medians. */
typedef struct sample {
    uint32_t key, peer;
    double value;
} sample;

typedef struct samples {
    sample *v;
    size_t n, cap;
    int failed;
} samples;

static void push(samples *s, size_t key, uint32_t peer, double value)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 256;
        sample *p = realloc(s->v, cap * sizeof *p);
        if (!p) {
            s->failed = 1;
            return;
        }
        s->v = p;
        s->cap = cap;
    }
    s->v[s->n++] = (sample){(uint32_t)key, peer, value};
}

static int cmp_sample(const void *a, const void *b)
{
    const sample *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    if (x->peer != y->peer)
        return x->peer < y->peer ? -1 : 1;
    return (x->value > y->value) - (x->value < y->value);
}

/* Per key and peer counters. */
typedef struct tally {
    size_t won, lost, pushed_closed, left, moved_on;
    double won_cents;
} tally;

/* The peers' figures f[0..n_peers) (NAN: no data) with their deal counts into st. */
static void stat_of(const double *f, const size_t *cnt, size_t n_peers, size_t rep, double *tmp,
                    gf_model_sc_stat *st)
{
    size_t m = 0, total = 0;
    for (size_t p = 0; p < n_peers; p++) {
        total += cnt[p];
        if (cnt[p] > 0 && isfinite(f[p]))
            tmp[m++] = f[p];
    }
    st->rep_n = cnt[rep];
    st->rep = cnt[rep] > 0 ? f[rep] : NAN;
    st->team_reps = m;
    st->team_n = total;
    st->team_median = gf_model_median(tmp, m);
}

/* Medians per (key, peer) of sorted samples into med[key * n_peers + peer], counts into cnt. */
static void medians(const samples *s, size_t n_peers, double *med, size_t *cnt, double *tmp)
{
    size_t i = 0;
    while (i < s->n) {
        size_t j = i;
        while (j < s->n && s->v[j].key == s->v[i].key && s->v[j].peer == s->v[i].peer)
            j++;
        for (size_t k = i; k < j; k++)
            tmp[k - i] = s->v[k].value;
        const size_t at = (size_t)s->v[i].key * n_peers + s->v[i].peer;
        med[at] = gf_model_median(tmp, j - i);
        cnt[at] = j - i;
        i = j;
    }
}

/* The four "worked" figures of key k from the tallies and the cycle medians. */
static void worked_of(const tally *t, const double *cyc, const size_t *cyc_n, size_t k,
                      size_t n_peers, size_t rep, double *f, size_t *cnt, double *tmp,
                      gf_model_sc_worked *w)
{
    const tally *tk = t + k * n_peers;
    for (size_t p = 0; p < n_peers; p++) {
        cnt[p] = tk[p].won + tk[p].lost;
        f[p] = cnt[p] ? (double)tk[p].won / (double)cnt[p] : NAN;
    }
    stat_of(f, cnt, n_peers, rep, tmp, &w->win_rate);
    for (size_t p = 0; p < n_peers; p++)
        f[p] = cnt[p] ? (double)tk[p].pushed_closed / (double)cnt[p] : NAN;
    stat_of(f, cnt, n_peers, rep, tmp, &w->slip_rate);
    for (size_t p = 0; p < n_peers; p++) {
        cnt[p] = tk[p].won;
        f[p] = cnt[p] ? tk[p].won_cents / (double)cnt[p] : NAN;
    }
    stat_of(f, cnt, n_peers, rep, tmp, &w->avg_won_cents);
    stat_of(cyc + k * n_peers, cyc_n + k * n_peers, n_peers, rep, tmp, &w->cycle_days);
}

/* The did figures of the rep's deal i (state st at as_of). */
static void did_of(const gf_model_scorecard_in *in, size_t i, const gf_model_deal_state *st,
                   gf_model_scorecard *out)
{
    const gf_model_deal *d = &in->h->deals[i];
    const gf_model_period w = in->window;
    if (in_window(w, d->created_day)) {
        out->created.n++;
        out->created.cents += d->amount_cents;
    }
    if (st->kind == GF_MODEL_STAGE_WON && in_window(w, st->closed_day)) {
        out->won.n++;
        out->won.cents += st->amount_cents;
    } else if (st->kind == GF_MODEL_STAGE_LOST && in_window(w, st->closed_day)) {
        out->lost.n++;
        out->lost.cents += st->amount_cents;
        size_t from = d->n_timeline >= 2 ? (size_t)d->timeline[d->n_timeline - 2].stage
                                         : (size_t)d->timeline[0].stage;
        out->lost_from[from].n++;
        out->lost_from[from].cents += st->amount_cents;
    } else if (st->kind == GF_MODEL_STAGE_OPEN && st->close_date != GF_MODEL_NO_DAY &&
               in_window(in->next, st->close_date)) {
        out->next_stage[st->stage].n++;
        out->next_stage[st->stage].cents += st->amount_cents;
        out->next_open.n++;
        out->next_open.cents += st->amount_cents;
    }
    size_t steps = 0;
    for (size_t k = 1; k < d->n_timeline; k++) {
        const int32_t a = d->timeline[k - 1].stage, b = d->timeline[k].stage;
        steps += in_window(w, d->timeline[k].day) && in->h->stages[a].kind == GF_MODEL_STAGE_OPEN &&
                 in->h->stages[b].kind == GF_MODEL_STAGE_OPEN && b > a;
    }
    if (steps) {
        out->advanced.n++;
        out->advanced.cents += st->amount_cents;
        out->advances += steps;
    }
    /* Pushed out: a close date inside the window moved past its end, while the deal was open. */
    for (size_t k = 1; k < d->n_close_dates; k++) {
        const gf_model_change *c = &d->close_dates[k];
        gf_model_deal_state then;
        if (!in_window(w, c->day) || !in_window(w, (gf_day)d->close_dates[k - 1].value) ||
            c->value <= w.end)
            continue;
        gf_model_deal_state_at(in->h, i, c->day, &then);
        if (then.exists && then.kind == GF_MODEL_STAGE_OPEN) {
            out->pushed.n++;
            out->pushed.cents += gf_model_deal_amount_at(d, c->day + 1);
            break;
        }
    }
}

/* Tallies and samples of peer deal i: closed outcomes by key 0 (all) and 1 + source, stage exits
 * by stage. */
static void peer_of(const gf_model_scorecard_in *in, size_t i, const gf_model_deal_state *st,
                    tally *keyed, tally *staged, samples *cycle, samples *dwell)
{
    const gf_model_deal *d = &in->h->deals[i];
    const uint32_t p = in->peer[i];
    const size_t np = in->n_peers;
    const int won = st->kind == GF_MODEL_STAGE_WON, lost = st->kind == GF_MODEL_STAGE_LOST;
    if ((won || lost) && in_window(in->window, st->closed_day)) {
        const size_t keys[2] = {0, in->n_sources ? 1 + (size_t)in->source[i] : 0};
        for (size_t k = 0; k < (in->n_sources ? 2u : 1u); k++) {
            tally *t = &keyed[keys[k] * np + p];
            t->won += (size_t)won;
            t->lost += (size_t)lost;
            t->pushed_closed += st->pushes > 0;
            if (won) {
                t->won_cents += (double)st->amount_cents;
                push(cycle, keys[k], p, (double)(st->closed_day - d->created_day));
            }
        }
    }
    for (size_t k = 1; k < d->n_timeline; k++) {
        const gf_model_transition *a = &d->timeline[k - 1], *b = &d->timeline[k];
        if (!in_window(in->window, b->day) || in->h->stages[a->stage].kind != GF_MODEL_STAGE_OPEN)
            continue;
        const int next_kind = in->h->stages[b->stage].kind;
        tally *t = &staged[(size_t)a->stage * np + p];
        t->left++;
        t->moved_on += next_kind == GF_MODEL_STAGE_WON ||
                       (next_kind == GF_MODEL_STAGE_OPEN && b->stage > a->stage);
        push(dwell, (size_t)a->stage, p, (double)(b->day - a->day));
    }
}

void gf_model_scorecard_free(gf_model_scorecard *s)
{
    if (!s)
        return;
    free(s->lost_from);
    free(s->by_source);
    free(s->by_stage);
    free(s->next_stage);
    memset(s, 0, sizeof *s);
}

int gf_model_scorecard_compute(const gf_model_scorecard_in *in, gf_model_scorecard *out)
{
    if (!out)
        return GF_MODEL_EINVAL;
    memset(out, 0, sizeof *out);
    if (!in || !in->h || !in->peer || in->rep >= in->n_peers || (in->n_sources && !in->source))
        return GF_MODEL_EINVAL;
    const gf_model_history *h = in->h;
    const size_t np = in->n_peers, ns = h->n_stages, nk = 1 + in->n_sources;
    for (size_t i = 0; i < h->n_deals && in->n_sources; i++)
        if (in->peer[i] != GF_MODEL_NO_PEER && in->source[i] >= in->n_sources)
            return GF_MODEL_EINVAL;
    out->n_stages = ns;
    out->n_sources = in->n_sources;
    out->lost_from = calloc(ns ? ns : 1, sizeof *out->lost_from);
    out->next_stage = calloc(ns ? ns : 1, sizeof *out->next_stage);
    out->by_stage = calloc(ns ? ns : 1, sizeof *out->by_stage);
    out->by_source = calloc(nk, sizeof *out->by_source);
    tally *keyed = calloc(nk * np, sizeof *keyed),
          *staged = calloc((ns ? ns : 1) * np, sizeof *staged);
    const size_t cells = (nk > ns ? nk : ns) * np;
    double *med = malloc(cells * sizeof *med), *f = malloc(np * sizeof *f);
    size_t *cnt = calloc(cells, sizeof *cnt), *pc = malloc(np * sizeof *pc);
    samples cycle = {0}, dwell = {0};
    double *tmp = NULL;
    int rc = GF_MODEL_ENOMEM;
    if (!out->lost_from || !out->next_stage || !out->by_stage || !out->by_source || !keyed ||
        !staged || !med || !f || !cnt || !pc)
        goto done;
    for (size_t i = 0; i < h->n_deals; i++) {
        if (in->peer[i] == GF_MODEL_NO_PEER || in->peer[i] >= np)
            continue;
        gf_model_deal_state st;
        gf_model_deal_state_at(h, i, in->as_of, &st);
        if (!st.exists)
            continue;
        if (in->peer[i] == in->rep)
            did_of(in, i, &st, out);
        peer_of(in, i, &st, keyed, staged, &cycle, &dwell);
    }
    if (cycle.failed || dwell.failed)
        goto done;
    const size_t most = cycle.n > dwell.n ? cycle.n : dwell.n;
    tmp = malloc((most > np ? most : np) * sizeof *tmp + 1);
    if (!tmp)
        goto done;
    if (cycle.n)
        qsort(cycle.v, cycle.n, sizeof *cycle.v, cmp_sample);
    if (dwell.n)
        qsort(dwell.v, dwell.n, sizeof *dwell.v, cmp_sample);
    for (size_t c = 0; c < cells; c++)
        med[c] = NAN;
    medians(&cycle, np, med, cnt, tmp);
    worked_of(keyed, med, cnt, 0, np, in->rep, f, pc, tmp, &out->worked);
    for (size_t k = 0; k < in->n_sources; k++)
        worked_of(keyed, med, cnt, 1 + k, np, in->rep, f, pc, tmp, &out->by_source[k]);
    for (size_t c = 0; c < cells; c++) {
        med[c] = NAN;
        cnt[c] = 0;
    }
    medians(&dwell, np, med, cnt, tmp);
    for (size_t s = 0; s < ns; s++) {
        gf_model_sc_stage *g = &out->by_stage[s];
        const tally *t = staged + s * np;
        for (size_t p = 0; p < np; p++) {
            pc[p] = t[p].left;
            f[p] = t[p].left ? (double)t[p].moved_on / (double)t[p].left : NAN;
        }
        stat_of(f, pc, np, in->rep, tmp, &g->advance_rate);
        stat_of(med + s * np, cnt + s * np, np, in->rep, tmp, &g->days_in_stage);
        const gf_model_sc_stat *d = &g->days_in_stage;
        g->stalls = d->rep_n >= in->stall_min_deals && d->rep_n > 0 && d->team_reps >= 2 &&
                    d->team_median > 0 && d->rep >= in->stall_ratio * d->team_median;
    }
    rc = 0;
done:
    free(keyed);
    free(staged);
    free(med);
    free(f);
    free(cnt);
    free(pc);
    free(tmp);
    free(cycle.v);
    free(dwell.v);
    if (rc != 0)
        gf_model_scorecard_free(out);
    return rc;
}

void gf_model_scorecard_bookings(const gf_model_history *h, const uint32_t *peer, size_t n_peers,
                                 const gf_model_period *quarters, size_t nq, gf_day as_of,
                                 int64_t *out)
{
    memset(out, 0, n_peers * nq * sizeof *out);
    for (size_t i = 0; i < h->n_deals; i++) {
        if (peer[i] >= n_peers)
            continue;
        gf_model_deal_state st;
        gf_model_deal_state_at(h, i, as_of, &st);
        if (!st.exists || st.kind != GF_MODEL_STAGE_WON)
            continue;
        for (size_t q = 0; q < nq; q++)
            if (in_window(quarters[q], st.closed_day))
                out[(size_t)peer[i] * nq + q] += st.amount_cents;
    }
}

/* ---- commit bias ---- */

const char *gf_model_bias_label_name(int label)
{
    static const char *const names[] = {"unknown", "accurate", "sandbagging", "optimistic"};
    return label >= 0 && label < 4 ? names[label] : "unknown";
}

void gf_model_bias_opts_default(gf_model_bias_opts *o)
{
    *o = (gf_model_bias_opts){
        .prior_quarters = 2, .z = 1.2816, .sd_default = 0.3, .sd_floor = 0.05, .max_ratio = 10};
}

static double log_ratio(const gf_model_bias_obs *o, double max_ratio)
{
    const double cap = log(max_ratio);
    double x = o->actual > 0 ? log(o->actual / o->commit) : -cap;
    return x > cap ? cap : x < -cap ? -cap : x;
}

int gf_model_bias_estimate(const gf_model_bias_obs *obs, size_t n, size_t rep,
                           const gf_model_bias_opts *opts, gf_model_bias_est *out)
{
    if (!out || !opts || (n && !obs) || !(opts->max_ratio > 1) || !(opts->prior_quarters >= 0) ||
        !isfinite(opts->z) || !(opts->sd_floor >= 0) || !(opts->sd_default > 0))
        return GF_MODEL_EINVAL;
    *out = (gf_model_bias_est){.raw = NAN, .estimate = NAN, .lo = NAN, .hi = NAN, .team = 1};
    for (size_t i = 0; i < n; i++)
        if (!isfinite(obs[i].actual) || !isfinite(obs[i].commit) || obs[i].actual < 0)
            return GF_MODEL_EINVAL;
    /* Sums per peer: the peers are numbered by obs[].peer, at most n distinct; a pass per
     * distinct peer keeps this allocation-free (n is a few quarters times a team). */
    double team_sum = 0, rep_sum = 0, ss = 0;
    size_t team_n = 0, reps = 0;
    for (size_t i = 0; i < n; i++) {
        if (!(obs[i].commit > 0))
            continue;
        int first = 1;
        for (size_t j = 0; j < i && first; j++)
            first = !(obs[j].peer == obs[i].peer && obs[j].commit > 0);
        if (!first)
            continue;
        double sum = 0;
        size_t m = 0;
        for (size_t j = i; j < n; j++)
            if (obs[j].peer == obs[i].peer && obs[j].commit > 0) {
                sum += log_ratio(&obs[j], opts->max_ratio);
                m++;
            }
        const double mean = sum / (double)m;
        for (size_t j = i; j < n; j++)
            if (obs[j].peer == obs[i].peer && obs[j].commit > 0) {
                const double e = log_ratio(&obs[j], opts->max_ratio) - mean;
                ss += e * e;
            }
        team_sum += sum;
        team_n += m;
        reps++;
        if (obs[i].peer == rep) {
            rep_sum = sum;
            out->n = m;
        }
    }
    const double prior = team_n ? team_sum / (double)team_n : 0;
    const size_t dof = team_n - reps;
    double sd = dof >= 2 ? sqrt(ss / (double)dof) : opts->sd_default;
    if (sd < opts->sd_floor)
        sd = opts->sd_floor;
    out->team = exp(prior);
    out->team_n = team_n;
    out->team_reps = reps;
    out->sd = sd;
    if (out->n == 0) {
        out->label = GF_MODEL_BIAS_UNKNOWN;
        return 0;
    }
    const double k = opts->prior_quarters, nn = (double)out->n;
    const double m = (rep_sum + k * prior) / (nn + k), half = opts->z * sd / sqrt(nn + k);
    out->raw = exp(rep_sum / nn);
    out->estimate = exp(m);
    out->lo = exp(m - half);
    out->hi = exp(m + half);
    out->label = out->lo > 1   ? GF_MODEL_BIAS_SANDBAGGING
                 : out->hi < 1 ? GF_MODEL_BIAS_OPTIMISTIC
                               : GF_MODEL_BIAS_ACCURATE;
    return 0;
}

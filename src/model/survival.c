/* Fitting the survival model: exposure and exits by stage x age bucket x weeks to quarter end,
 * then smoothed daily hazards with backoff (cell -> stage -> global -> default) and a won-hazard
 * factor by weeks to quarter end, estimated jointly by alternating (proportional) fits. */
#include "gapforge/model_survival.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NB         GF_MODEL_AGE_BUCKETS
#define NW         (GF_MODEL_QE_WEEKS + 1) /* the last index: outside the calendar, factor 1 */
#define FIT_ROUNDS 6
/* Cap on the sum of daily exit probabilities, so that a thin cell can never empty a stage in a day.
 */
#define MAX_DAILY_EXIT 0.9

static const int32_t bucket_start[NB] = {0, 7, 14, 21, 35, 56, 91, 140, 210, 365};

int32_t gf_model_age_bucket_start(int b)
{
    if (b < 0)
        return 0;
    return bucket_start[b < NB ? b : NB - 1];
}

int gf_model_age_bucket(int32_t age)
{
    int b = 0;
    while (b + 1 < NB && age >= bucket_start[b + 1])
        b++;
    return b;
}

const char *gf_model_level_name(int level)
{
    static const char *const names[] = {"cell", "stage", "global", "default"};
    if (level < 0 || level > GF_MODEL_LEVEL_DEFAULT)
        return "unknown";
    return names[level];
}

void gf_model_survival_opts_default(gf_day as_of, gf_model_survival_opts *o)
{
    *o = (gf_model_survival_opts){.window_start = as_of - 365,
                                  .k_cell = 5.0,
                                  .k_stage = 5.0,
                                  .k_qe = 10.0,
                                  .k_dest = 1.0,
                                  .fallback_daily_exit = 1.0 / 60.0};
}

static int week_index(const gf_model_calendar *cal, gf_day day)
{
    const long q = gf_model_calendar_find(cal, day);
    if (q < 0)
        return GF_MODEL_QE_WEEKS;
    const int w = (cal->quarters[q].end - day) / 7;
    return w >= GF_MODEL_QE_WEEKS ? GF_MODEL_QE_WEEKS - 1 : w;
}

double gf_model_survival_qe_factor(const gf_model_survival *m, const gf_model_calendar *cal,
                                   gf_day day)
{
    const int w = week_index(cal, day);
    return w < GF_MODEL_QE_WEEKS ? m->qe_factor[w] : 1.0;
}

/* Raw tallies from the spells inside the window. */
typedef struct tally {
    size_t S;
    double *E;              /* [(s * NB + b) * NW + w] deal-days at risk */
    double *won;            /* same shape: wins */
    double *lost;           /* [s * NB + b] */
    double *moved;          /* [s * NB + b] */
    uint32_t *spells;       /* [s * NB + b] */
    uint32_t *stage_spells; /* [s] */
    double *dest;           /* [s * S + t] moves from s to t */
    size_t n_spells;
} tally;

static void tally_free(tally *t)
{
    free(t->E);
    free(t->won);
    free(t->lost);
    free(t->moved);
    free(t->spells);
    free(t->stage_spells);
    free(t->dest);
}

static int tally_alloc(tally *t, size_t S)
{
    memset(t, 0, sizeof(*t));
    t->S = S;
    t->E = calloc(S * NB * NW, sizeof(double));
    t->won = calloc(S * NB * NW, sizeof(double));
    t->lost = calloc(S * NB, sizeof(double));
    t->moved = calloc(S * NB, sizeof(double));
    t->spells = calloc(S * NB, sizeof(uint32_t));
    t->stage_spells = calloc(S, sizeof(uint32_t));
    t->dest = calloc(S * S, sizeof(double));
    if (!t->E || !t->won || !t->lost || !t->moved || !t->spells || !t->stage_spells || !t->dest)
        return GF_MODEL_ENOMEM;
    return GF_MODEL_OK;
}

/* Adds one spell's at-risk days (only those in [ws, as_of)) and its exit to the tallies. The
 * days are walked as segments of constant age bucket; within a segment, the days per weeks-to-
 * quarter-end index come from prefix counts (cum[w * (len + 1) + d]: days before ws + d with
 * index w), so a long stay costs a few operations per bucket rather than one per day. */
static void tally_spell(tally *t, const gf_model_spell *sp, gf_day ws, gf_day as_of,
                        const int8_t *week, const uint32_t *cum, size_t len)
{
    const int32_t s = sp->stage;
    const int censored = sp->exit == GF_MODEL_EXIT_CENSORED;
    gf_day last = censored ? sp->entered + sp->duration - 1 : sp->entered + sp->duration;
    if (last >= as_of)
        last = as_of - 1;
    const gf_day first = sp->entered > ws ? sp->entered : ws;
    if (first <= last) {
        t->n_spells++;
        t->stage_spells[s]++;
        for (int b = gf_model_age_bucket(first - sp->entered); b < NB; b++) {
            const gf_day seg_lo =
                sp->entered + bucket_start[b] > first ? sp->entered + bucket_start[b] : first;
            gf_day seg_hi = b + 1 < NB ? sp->entered + bucket_start[b + 1] - 1 : last;
            if (seg_hi > last)
                seg_hi = last;
            if (seg_lo > seg_hi)
                break;
            const size_t a = (size_t)(seg_lo - ws), z = (size_t)(seg_hi - ws) + 1;
            double *E = &t->E[((size_t)s * NB + (size_t)b) * NW];
            for (int w = 0; w < NW; w++)
                E[w] += (double)(cum[(size_t)w * (len + 1) + z] - cum[(size_t)w * (len + 1) + a]);
            t->spells[(size_t)s * NB + (size_t)b]++;
        }
    }
    const gf_day exit_day = sp->entered + sp->duration;
    if (censored || exit_day < ws || exit_day >= as_of)
        return;
    const size_t cell = (size_t)s * NB + (size_t)gf_model_age_bucket(sp->duration);
    switch (sp->exit) {
    case GF_MODEL_EXIT_WON:
        t->won[cell * NW + (size_t)week[exit_day - ws]] += 1.0;
        break;
    case GF_MODEL_EXIT_LOST:
        t->lost[cell] += 1.0;
        break;
    default:
        t->moved[cell] += 1.0;
        t->dest[(size_t)s * t->S + (size_t)sp->to_stage] += 1.0;
        break;
    }
}

static int has_other_open(const gf_model_stage *stages, size_t S, size_t s)
{
    for (size_t t = 0; t < S; t++) {
        if (t != s && stages[t].kind == GF_MODEL_STAGE_OPEN)
            return 1;
    }
    return 0;
}

/* Sums of a cell's tallies; E_g is the exposure weighted by the quarter-end factors. */
typedef struct cell_sum {
    double E, E_g, won, lost, moved;
    double won_w[NW];
    double E_w[NW];
} cell_sum;

static void cell_sum_of(const tally *t, size_t s, int b, cell_sum *c)
{
    memset(c, 0, sizeof(*c));
    const size_t cell = s * NB + (size_t)b;
    for (int w = 0; w < NW; w++) {
        c->E_w[w] = t->E[cell * NW + (size_t)w];
        c->won_w[w] = t->won[cell * NW + (size_t)w];
        c->E += c->E_w[w];
        c->won += c->won_w[w];
    }
    c->lost = t->lost[cell];
    c->moved = t->moved[cell];
}

static double weighted_exposure(const cell_sum *c, const double *g)
{
    double e = 0.0;
    for (int w = 0; w < NW; w++)
        e += c->E_w[w] * (w < GF_MODEL_QE_WEEKS ? g[w] : 1.0);
    return e;
}

/* Shrinks observed counts toward prior rates with a pseudo-exposure m (the exposure in which
 * the prior expects k exits), writing daily probabilities into h. */
static void shrink(gf_model_hazard *h, const double n[3], double E_won, double E,
                   const double prior[3], double m)
{
    h->won = (n[0] + m * prior[0]) / (E_won + m);
    h->lost = (n[1] + m * prior[1]) / (E + m);
    h->moved = (n[2] + m * prior[2]) / (E + m);
}

static void cap_exit(gf_model_hazard *h, double gmax)
{
    const double sum = h->won * gmax + h->lost + h->moved;
    if (sum > MAX_DAILY_EXIT) {
        const double k = MAX_DAILY_EXIT / sum;
        h->won *= k;
        h->lost *= k;
        h->moved *= k;
    }
}

/* One round: hazards of every open stage and cell given the current quarter-end factors. */
static void estimate_hazards(gf_model_survival *m, const tally *t, const gf_model_survival_opts *o)
{
    const size_t S = m->n_stages;
    const double hg = m->global.won + m->global.lost + m->global.moved;
    for (size_t s = 0; s < S; s++) {
        if (m->stages[s].kind != GF_MODEL_STAGE_OPEN)
            continue;
        const double p = m->stages[s].default_prob;
        const double mv = has_other_open(m->stages, S, s) ? m->moved_share : 0.0;
        const double prior[3] = {hg * (1 - mv) * p, hg * (1 - mv) * (1 - p), hg * mv};
        cell_sum cs[NB], st = {0};
        double st_Eg = 0.0;
        for (int b = 0; b < NB; b++) {
            cell_sum_of(t, s, b, &cs[b]);
            cs[b].E_g = weighted_exposure(&cs[b], m->qe_factor);
            st.E += cs[b].E;
            st_Eg += cs[b].E_g;
            st.won += cs[b].won;
            st.lost += cs[b].lost;
            st.moved += cs[b].moved;
        }
        gf_model_hazard *sh = &m->stage[s];
        const double ms = o->k_stage / hg;
        const double sn[3] = {st.won, st.lost, st.moved};
        shrink(sh, sn, st_Eg, st.E, prior, ms);
        sh->exposure_days = st.E;
        sh->n_won = (uint32_t)st.won;
        sh->n_lost = (uint32_t)st.lost;
        sh->n_moved = (uint32_t)st.moved;
        sh->level = st.E >= ms ? GF_MODEL_LEVEL_STAGE : m->global.level;
        sh->n_spells = t->stage_spells[s];
        const double stage_rates[3] = {sh->won, sh->lost, sh->moved};
        const double s_tot = sh->won + sh->lost + sh->moved;
        const double mc = o->k_cell / (s_tot > 0 ? s_tot : hg);
        for (int b = 0; b < NB; b++) {
            gf_model_hazard *h = &m->cells[s * NB + (size_t)b];
            const double cn[3] = {cs[b].won, cs[b].lost, cs[b].moved};
            shrink(h, cn, cs[b].E_g, cs[b].E, stage_rates, mc);
            h->exposure_days = cs[b].E;
            h->n_spells = t->spells[s * NB + (size_t)b];
            h->n_won = (uint32_t)cs[b].won;
            h->n_lost = (uint32_t)cs[b].lost;
            h->n_moved = (uint32_t)cs[b].moved;
            h->level = cs[b].E >= mc ? GF_MODEL_LEVEL_CELL : sh->level;
        }
    }
}

/* One round: quarter-end factors given the hazards, shrunk toward 1 and normalised so that the
 * expected-wins-weighted mean factor is 1 (the hazards carry the level). */
static void estimate_qe(gf_model_survival *m, const tally *t, const gf_model_survival_opts *o)
{
    double won[NW] = {0}, expct[NW] = {0};
    for (size_t s = 0; s < m->n_stages; s++) {
        if (m->stages[s].kind != GF_MODEL_STAGE_OPEN)
            continue;
        for (int b = 0; b < NB; b++) {
            const size_t cell = s * NB + (size_t)b;
            for (int w = 0; w < GF_MODEL_QE_WEEKS; w++) {
                won[w] += t->won[cell * NW + (size_t)w];
                expct[w] += t->E[cell * NW + (size_t)w] * m->cells[cell].won;
            }
        }
    }
    double num = 0.0, den = 0.0;
    for (int w = 0; w < GF_MODEL_QE_WEEKS; w++) {
        m->qe_factor[w] = (won[w] + o->k_qe) / (expct[w] + o->k_qe);
        m->qe_won[w] = won[w];
        m->qe_expected[w] = expct[w];
        num += expct[w] * m->qe_factor[w];
        den += expct[w];
    }
    if (num > 0.0 && den > 0.0) {
        for (int w = 0; w < GF_MODEL_QE_WEEKS; w++)
            m->qe_factor[w] *= den / num;
    }
}

/* Pooled level: the total exit rate of all open stages and the share of moves among exits. */
static void estimate_global(gf_model_survival *m, const tally *t, const gf_model_survival_opts *o)
{
    double E = 0.0, won = 0.0, lost = 0.0, moved = 0.0;
    for (size_t s = 0; s < m->n_stages; s++) {
        for (int b = 0; b < NB; b++) {
            cell_sum c;
            cell_sum_of(t, s, b, &c);
            E += c.E;
            won += c.won;
            lost += c.lost;
            moved += c.moved;
        }
    }
    const double n = won + lost + moved;
    gf_model_hazard *g = &m->global;
    g->exposure_days = E;
    g->n_won = (uint32_t)won;
    g->n_lost = (uint32_t)lost;
    g->n_moved = (uint32_t)moved;
    g->n_spells = (uint32_t)t->n_spells;
    if (n > 0.0 && E > 0.0) {
        g->won = won / E;
        g->lost = lost / E;
        g->moved = moved / E;
        g->level = GF_MODEL_LEVEL_GLOBAL;
        m->moved_share = moved / n;
    } else {
        /* No exit observed: a documented fallback stay length, half the exits being moves. */
        const double h = o->fallback_daily_exit;
        g->won = h / 4;
        g->lost = h / 4;
        g->moved = h / 2;
        g->level = GF_MODEL_LEVEL_DEFAULT;
        m->moved_share = 0.5;
    }
}

/* Where moves go: observed destinations plus k_dest pseudo-moves to the next open stage (or
 * the previous one for the last open stage). */
static void estimate_dest(gf_model_survival *m, const tally *t, const gf_model_survival_opts *o)
{
    const size_t S = m->n_stages;
    for (size_t s = 0; s < S; s++) {
        if (m->stages[s].kind != GF_MODEL_STAGE_OPEN)
            continue;
        long prior = -1;
        for (size_t u = s + 1; u < S && prior < 0; u++) {
            if (m->stages[u].kind == GF_MODEL_STAGE_OPEN)
                prior = (long)u;
        }
        for (size_t u = s; u-- > 0 && prior < 0;) {
            if (m->stages[u].kind == GF_MODEL_STAGE_OPEN)
                prior = (long)u;
        }
        double total = 0.0;
        for (size_t u = 0; u < S; u++)
            total += t->dest[s * S + u];
        if (prior < 0)
            continue; /* the only open stage: moves are impossible and get no hazard */
        const double k = total > 0.0 ? o->k_dest : 1.0;
        for (size_t u = 0; u < S; u++) {
            const double prior_n = (long)u == prior ? k : 0.0;
            m->dest[s * S + u] = (t->dest[s * S + u] + prior_n) / (total + k);
        }
    }
}

static void finish(gf_model_survival *m)
{
    double gmax = 1.0;
    for (int w = 0; w < GF_MODEL_QE_WEEKS; w++)
        gmax = m->qe_factor[w] > gmax ? m->qe_factor[w] : gmax;
    for (size_t s = 0; s < m->n_stages; s++) {
        if (m->stages[s].kind != GF_MODEL_STAGE_OPEN)
            continue;
        if (!has_other_open(m->stages, m->n_stages, s)) {
            m->stage[s].moved = 0.0;
            for (int b = 0; b < NB; b++)
                m->cells[s * NB + (size_t)b].moved = 0.0;
        }
        cap_exit(&m->stage[s], gmax);
        for (int b = 0; b < NB; b++)
            cap_exit(&m->cells[s * NB + (size_t)b], gmax);
    }
}

static int args_valid(const gf_model_spells *sp, const gf_model_stage *stages, size_t S,
                      const gf_model_survival_opts *o)
{
    if (!sp || !stages || !S || !o || (sp->n && !sp->items))
        return 0;
    if (o->window_start > sp->as_of || sp->as_of - o->window_start > 40 * 366)
        return 0;
    if (!(o->k_cell > 0) || !(o->k_stage > 0) || !(o->k_qe > 0) || !(o->k_dest > 0))
        return 0;
    if (!(o->fallback_daily_exit > 0 && o->fallback_daily_exit < 1))
        return 0;
    for (size_t k = 0; k < sp->n; k++) {
        const gf_model_spell *s = &sp->items[k];
        if (s->stage < 0 || (size_t)s->stage >= S || stages[s->stage].kind != GF_MODEL_STAGE_OPEN)
            return 0;
        if (s->duration < 0 || s->exit < 0 || s->exit > GF_MODEL_EXIT_CENSORED)
            return 0;
        if (s->exit != GF_MODEL_EXIT_CENSORED && (s->to_stage < 0 || (size_t)s->to_stage >= S))
            return 0;
        if ((s->exit == GF_MODEL_EXIT_ADVANCED || s->exit == GF_MODEL_EXIT_REGRESSED) &&
            stages[s->to_stage].kind != GF_MODEL_STAGE_OPEN)
            return 0;
    }
    return 1;
}

int gf_model_survival_fit(const gf_model_spells *spells, const gf_model_stage *stages,
                          size_t n_stages, const gf_model_calendar *cal,
                          const gf_model_survival_opts *opts, gf_model_survival **out)
{
    if (!out)
        return GF_MODEL_EINVAL;
    *out = NULL;
    if (!args_valid(spells, stages, n_stages, opts))
        return GF_MODEL_EINVAL;
    int rc = GF_MODEL_ENOMEM;
    const size_t S = n_stages;
    const gf_day ws = opts->window_start, as_of = spells->as_of;
    tally t;
    int8_t *week = NULL;
    uint32_t *cum = NULL;
    gf_model_survival *m = calloc(1, sizeof(*m));
    if (tally_alloc(&t, S) || !m)
        goto cleanup;
    m->n_stages = S;
    m->as_of = as_of;
    m->window_start = ws;
    m->stages = malloc(S * sizeof(*m->stages));
    m->cells = calloc(S * NB, sizeof(*m->cells));
    m->stage = calloc(S, sizeof(*m->stage));
    m->dest = calloc(S * S, sizeof(*m->dest));
    const size_t len = (size_t)(as_of - ws);
    week = malloc(len + 1);
    cum = calloc((size_t)NW * (len + 1), sizeof(*cum));
    if (!m->stages || !m->cells || !m->stage || !m->dest || !week || !cum)
        goto cleanup;
    memcpy(m->stages, stages, S * sizeof(*stages));
    for (size_t d = 0; d < len; d++) {
        week[d] = (int8_t)week_index(cal, ws + (gf_day)d);
        for (int w = 0; w < NW; w++)
            cum[(size_t)w * (len + 1) + d + 1] = cum[(size_t)w * (len + 1) + d] + (week[d] == w);
    }
    for (size_t k = 0; k < spells->n; k++)
        tally_spell(&t, &spells->items[k], ws, as_of, week, cum, len);
    m->n_spells = t.n_spells;
    for (int w = 0; w < GF_MODEL_QE_WEEKS; w++)
        m->qe_factor[w] = 1.0;
    estimate_global(m, &t, opts);
    for (int round = 0; round < FIT_ROUNDS; round++) {
        estimate_hazards(m, &t, opts);
        estimate_qe(m, &t, opts);
    }
    estimate_hazards(m, &t, opts);
    estimate_dest(m, &t, opts);
    finish(m);
    *out = m;
    m = NULL;
    rc = GF_MODEL_OK;
cleanup:
    tally_free(&t);
    free(week);
    free(cum);
    gf_model_survival_free(m);
    return rc;
}

void gf_model_survival_free(gf_model_survival *m)
{
    if (!m)
        return;
    free(m->stages);
    free(m->cells);
    free(m->stage);
    free(m->dest);
    free(m);
}

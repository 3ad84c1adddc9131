/* inputs.c — what a demo org's leaders enter beside its deals (pure): quarterly targets for the
 * org, its teams and reps, the weekly commits reps and managers submit (read from the state of
 * their deals that week), weekly operational KPIs and a lever of every kind. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "draws.h"
#include "gapforge/demo.h"
#include "gapforge/model_rng.h"

static const gf_demo_lever levers[GF_DEMO_LEVERS] = {
    {"sales-coaching", "Deal coaching programme", "win_rate", NULL,
     "An enablement coach per unit for the quarter", 0.02, 15000, 5, 30},
    {"premium-packaging", "Premium tier packaging", "deal_size", NULL,
     "Bundle the premium tier into proposals", 0.05, 20000, 3, 45},
    {"paid-search", "Paid search budget", "pipeline", NULL,
     "Opportunities per week per $10k of monthly spend", 2, 10000, 10, 21},
    {"deal-desk", "Deal desk", "slippage", NULL, "Faster approvals and legal review", 0.1, 25000, 2,
     21},
    {"early-signing", "Early signing incentive", "pull_forward", NULL,
     "Discount for signing next quarter's deals this quarter", 0.25, 5000, 10, 0},
    {"hire-ae", "Hire an account executive", "headcount", NULL,
     "Fully loaded quarterly cost of one AE", 1, 45000, 5, 90},
    {"qa-vendor", "QA vendor", "kpi", "errors_per_page", "Each vendor removes errors per page",
     -0.4, 8000, 4, 14},
    {"sdr-hire", "Hire a sales development rep", "kpi", "qualified_leads",
     "Qualified leads per week per SDR", 12, 18000, 4, 60},
    {"strategic-discount", "Strategic discount", "concession", NULL,
     "Unlock a named deal with a discount of about 10% of its amount", 0.3, 2500, 20, 0},
};

/* Allocation helpers: append one element to a growing array. */
#define PUSH(arr, n, cap, out)                             \
    do {                                                   \
        if ((n) == (cap)) {                                \
            size_t c_ = (cap) ? 2 * (cap) : 256;           \
            void *p_ = realloc((arr), c_ * sizeof *(arr)); \
            if (!p_)                                       \
                return -1;                                 \
            (arr) = p_;                                    \
            (cap) = c_;                                    \
        }                                                  \
        (out) = &(arr)[(n)++];                             \
    } while (0)

bool gf_demo_state_at(const gf_demo_org *org, const gf_demo_deal *d, int day, gf_demo_state *st)
{
    if (d->created_on > day)
        return false;
    const gf_demo_event *e = org->events + d->first_event;
    for (size_t i = 0; i < d->nevents && e[i].day <= day; i++) {
        int64_t v = e[i].new_value;
        switch (e[i].field) {
        case GF_DEMO_F_STAGE:
            st->stage = (int)v;
            break;
        case GF_DEMO_F_AMOUNT:
            st->amount = v;
            break;
        case GF_DEMO_F_CLOSE_DATE:
            st->close_date = (int)v;
            break;
        case GF_DEMO_F_CATEGORY:
            st->category = (int)v;
            break;
        default:
            st->owner = (int)v;
        }
    }
    return true;
}

double gf_demo_win_probability(const gf_demo_org *org, int stage)
{
    double p = 1;
    for (int s = stage; s < GF_DEMO_OPEN_STAGES; s++) {
        const gf_demo_stage *g = &org->stages[s];
        double stuck = 0.5 * erfc(log(org->truth.stuck_multiple) / (g->dwell_sigma * sqrt(2.0)));
        p *= g->advance * (1 - (1 - org->truth.stuck_advance) * stuck);
    }
    return p;
}

double gf_demo_mean_deal_size(const gf_demo_org *org)
{
    const gf_demo_truth *t = &org->truth;
    return t->size_median * exp(t->size_sigma * t->size_sigma / 2) *
           (1 + t->enterprise_share * (t->enterprise_multiplier - 1));
}

/* Mean productivity of a rep over a quarter (0 before the hire, ramping to 1). */
static double quarter_productivity(const gf_demo_org *org, const gf_demo_rep *r, const gf_period *p)
{
    double sum = 0;
    for (int day = p->start; day <= p->end; day++) {
        double ramp = 30.4 * r->ramp_months, t = day - r->hired_on;
        sum += t < 0       ? 0
               : t >= ramp ? 1
                           : org->truth.ramp_start + (1 - org->truth.ramp_start) * t / ramp;
    }
    return sum / (p->end - p->start + 1);
}

static int add_target(gf_demo_org *org, size_t *cap, const char *scope, const char *metric, int q,
                      double value)
{
    gf_demo_target *t;
    if (value <= 0) /* a rep hired in the quarter's last days gets no quota yet */
        return 0;
    PUSH(org->targets, org->ntargets, *cap, t);
    memset(t, 0, sizeof *t);
    snprintf(t->scope, sizeof t->scope, "%s", scope);
    t->metric = metric;
    t->quarter = q;
    t->value = value;
    return 0;
}

/* Targets set before each quarter from the plan (no shock known): org bookings 10% above the
 * expected, split over teams by capacity and over reps by ramped capacity with 5% over-assigned
 * quota; KPI targets for the org. */
static int make_targets(gf_demo_org *org)
{
    size_t cap = 0;
    double per_deal = gf_demo_win_probability(org, 0) * gf_demo_mean_deal_size(org);
    char scope[40];
    for (int q = 0; q < org->nquarters; q++) {
        const gf_period *p = &org->quarters[q].period;
        double deals = org->opt.deals_per_quarter * pow(org->truth.growth, q - org->opt.quarters);
        double target = 10000 * ceil(1.1 * deals * per_deal / 10000);
        double w[GF_DEMO_REPS], team_w[GF_DEMO_TEAMS] = {0}, total = 0;
        for (int i = 0; i < GF_DEMO_REPS; i++) {
            w[i] = quarter_productivity(org, &org->reps[i], p);
            team_w[org->reps[i].team] += w[i];
            total += w[i];
        }
        if (add_target(org, &cap, "org", "bookings", q, target) < 0)
            return -1;
        for (int k = 1; k < GF_DEMO_TEAMS; k++) {
            snprintf(scope, sizeof scope, "team:%s", org->teams[k].key);
            if (add_target(org, &cap, scope, "bookings", q,
                           1000 * round(target * team_w[k] / total / 1000)) < 0)
                return -1;
        }
        for (int i = 0; i < GF_DEMO_REPS; i++) {
            if (w[i] <= 0)
                continue;
            snprintf(scope, sizeof scope, "rep:%s", org->reps[i].key);
            if (add_target(org, &cap, scope, "bookings", q,
                           1000 * round(1.05 * target * w[i] / total / 1000)) < 0)
                return -1;
        }
        double leads = 1.05 * deals / org->truth.lead_conversion;
        if (add_target(org, &cap, "org", "qualified_leads", q, 10 * round(leads / 10)) < 0 ||
            add_target(org, &cap, "org", "errors_per_page", q, 2.0) < 0 ||
            add_target(org, &cap, "org", "publish_lag_hours", q, 24) < 0)
            return -1;
    }
    return 0;
}

static int add_commit(gf_demo_org *org, size_t *cap, const char *scope, int q, int day, int sec,
                      int64_t commit, int64_t best)
{
    gf_demo_commit *c;
    PUSH(org->commits, org->ncommits, *cap, c);
    memset(c, 0, sizeof *c);
    snprintf(c->scope, sizeof c->scope, "%s", scope);
    c->quarter = q;
    c->day = day;
    c->sec = sec;
    c->commit = commit;
    c->best_case = best < commit ? commit : best;
    return 0;
}

/* Every Friday before as_of each rep submits their call for the quarter: won so far plus open
 * commit deals closing in it (scaled by the rep's habit: sandbaggers and optimists), and best
 * case adding the open best-case deals. Managers roll their team up with a small haircut. */
static int make_commits(gf_demo_org *org, gf_model_rng *r)
{
    size_t cap = 0;
    double habit[GF_DEMO_REPS];
    for (int i = 0; i < GF_DEMO_REPS; i++) {
        habit[i] = 0.8 + 0.35 * gf_model_rng_uniform(r);
        org->reps[i].habit = habit[i];
    }
    char scope[40];
    for (int q = 0; q < org->nquarters; q++) {
        const gf_period *p = &org->quarters[q].period;
        int friday = p->start + ((4 - (p->start + 3) % 7) + 7) % 7;
        for (int day = friday; day <= p->end && day < org->opt.as_of; day += 7) {
            double commit[GF_DEMO_REPS] = {0}, best[GF_DEMO_REPS] = {0};
            for (size_t i = 0; i < org->ndeals; i++) {
                const gf_demo_deal *d = &org->deals[i];
                gf_demo_state st = {0};
                if ((d->closed_on >= 0 && d->closed_on < p->start) ||
                    !gf_demo_state_at(org, d, day, &st))
                    continue;
                double a = (double)st.amount;
                if (st.close_date < p->start || st.close_date > p->end || st.stage == GF_DEMO_LOST)
                    continue;
                if (st.stage == GF_DEMO_WON) {
                    commit[st.owner] += a;
                    best[st.owner] += a;
                } else if (st.category == GF_DEMO_COMMIT) {
                    commit[st.owner] += a * habit[st.owner];
                    best[st.owner] += a;
                } else if (st.category == GF_DEMO_BEST_CASE) {
                    best[st.owner] += a;
                }
            }
            double tc[GF_DEMO_TEAMS] = {0}, tb[GF_DEMO_TEAMS] = {0};
            for (int i = 0; i < GF_DEMO_REPS; i++) {
                const gf_demo_rep *rep = &org->reps[i];
                if (rep->hired_on > day)
                    continue;
                int64_t c = 10000 * (int64_t)llround(commit[i] / 10000);
                int64_t b = 10000 * (int64_t)llround(best[i] / 10000);
                snprintf(scope, sizeof scope, "rep:%s", rep->key);
                if (add_commit(org, &cap, scope, q, day, 15 * 3600 + demo_int(r, 0, 7200), c, b) <
                    0)
                    return -1;
                tc[rep->team] += (double)c;
                tb[rep->team] += (double)b;
                tc[0] += (double)c;
                tb[0] += (double)b;
            }
            for (int k = 0; k < GF_DEMO_TEAMS; k++) {
                snprintf(scope, sizeof scope, "team:%s", org->teams[k].key);
                int64_t c = 100 * (int64_t)llround(0.95 * tc[k] / 100);
                if (add_commit(org, &cap, scope, q, day, 17 * 3600 + demo_int(r, 0, 3600), c,
                               (int64_t)tb[k]) < 0)
                    return -1;
            }
        }
    }
    return 0;
}

/* Weekly operational KPIs on the same Mondays as the leads: a slowly improving level with noise
 * and one bad patch (a release that broke pages, a backlog in publishing). */
static int make_kpis(gf_demo_org *org, gf_model_rng *r)
{
    gf_demo_kpi *leads = &org->kpis[0];
    int lag = org->truth.lead_lag_days;
    for (int s = 0; s < GF_DEMO_OPEN_STAGES; s++)
        lag += (int)org->stages[s].dwell_median;
    *leads = (gf_demo_kpi){"qualified_leads",
                           "Qualified leads",
                           "leads",
                           "higher_is_better",
                           "sum",
                           "bookings",
                           lag,
                           leads->nobs,
                           leads->days,
                           leads->values};
    org->kpis[1] = (gf_demo_kpi){"errors_per_page",
                                 "Errors per page",
                                 "errors",
                                 "lower_is_better",
                                 "mean",
                                 NULL,
                                 0,
                                 0,
                                 NULL,
                                 NULL};
    org->kpis[2] = (gf_demo_kpi){"publish_lag_hours",
                                 "Hours to publish an update",
                                 "hours",
                                 "lower_is_better",
                                 "mean",
                                 NULL,
                                 0,
                                 0,
                                 NULL,
                                 NULL};
    size_t n = leads->nobs;
    int bad = n > 8 ? demo_int(r, 0, (int)n - 5) : 0,
        backlog = n > 8 ? demo_int(r, 0, (int)n - 5) : 0;
    for (int k = 1; k < GF_DEMO_KPIS; k++) {
        gf_demo_kpi *kpi = &org->kpis[k];
        kpi->days = malloc((n ? n : 1) * sizeof *kpi->days);
        kpi->values = malloc((n ? n : 1) * sizeof *kpi->values);
        if (!kpi->days || !kpi->values)
            return -1;
        kpi->nobs = n;
        for (size_t w = 0; w < n; w++) {
            kpi->days[w] = leads->days[w];
            double f = n > 1 ? (double)w / (double)(n - 1) : 0, v;
            if (k == 1) {
                v = 3.2 - 1.0 * f + 0.2 * demo_normal(r) +
                    ((int)w - bad < 4 && (int)w >= bad ? 0.8 : 0);
                kpi->values[w] = round(100 * fmax(0.1, v)) / 100;
            } else {
                v = 40 - 10 * f + 4 * demo_normal(r) +
                    ((int)w - backlog < 3 && (int)w >= backlog ? 12 : 0);
                kpi->values[w] = round(10 * fmax(1, v)) / 10;
            }
        }
    }
    return 0;
}

int gf_demo__inputs(gf_demo_org *org, uint64_t seed, gf_err *err)
{
    gf_model_rng r;
    demo_seed(&r, seed, 77);
    org->levers = levers;
    if (make_targets(org) < 0 || make_commits(org, &r) < 0 || make_kpis(org, &r) < 0) {
        gf_err_internal(err);
        return -1;
    }
    return 0;
}

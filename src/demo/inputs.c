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
     -0.4, 18000, 12, 14},
    {"content-contractor", "Content contractor", "kpi", "publish_lag_hours",
     "Each contractor cuts the hours to publish an update", -2, 9000, 10, 21},
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
            add_target(org, &cap, "org", "errors_per_page", q, 0.4) < 0 ||
            add_target(org, &cap, "org", "publish_lag_hours", q, 24) < 0)
            return -1;
    }
    /* The operational goals hold for the next quarter too: it can be forecast months ahead. */
    if (add_target(org, &cap, "org", "errors_per_page", org->nquarters, 0.4) < 0 ||
        add_target(org, &cap, "org", "publish_lag_hours", org->nquarters, 24) < 0)
        return -1;
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

/* The reps' commit habits, by rank of one uniform draw each: the lowest 6 sandbag (commit 0.65-0.78
 * of what they expect), the middle 8 call it straight (0.96-1.04), the top 6 are optimists
 * (1.25-1.40). The truth file labels them from the habit. */
static void draw_habits(gf_demo_org *org, gf_model_rng *r)
{
    double u[GF_DEMO_REPS];
    for (int i = 0; i < GF_DEMO_REPS; i++)
        u[i] = gf_model_rng_uniform(r);
    for (int i = 0; i < GF_DEMO_REPS; i++) {
        int rank = 0;
        for (int j = 0; j < GF_DEMO_REPS; j++)
            rank += u[j] < u[i] || (u[j] == u[i] && j < i);
        double lo = 1.25, hi = 1.40;
        if (rank < 6)
            lo = 0.65, hi = 0.78;
        else if (rank < 14)
            lo = 0.96, hi = 1.04;
        org->reps[i].habit = lo + (hi - lo) * u[i];
    }
}

/* Each rep's bookings (cents) won in quarter q, by the owner at the close. */
static void rep_bookings(const gf_demo_org *org, int q, double *out)
{
    const gf_period *p = &org->quarters[q].period;
    for (int i = 0; i < GF_DEMO_REPS; i++)
        out[i] = 0;
    for (size_t i = 0; i < org->ndeals; i++) {
        const gf_demo_deal *d = &org->deals[i];
        gf_demo_state st = {0};
        if (d->closed_on < p->start || d->closed_on > p->end ||
            !gf_demo_state_at(org, d, d->closed_on, &st) || st.stage != GF_DEMO_WON)
            continue;
        out[st.owner] += (double)st.amount;
    }
}

/* A rep's run rate for quarter q: the mean bookings of the up to four complete quarters before it
 * that the rep was hired for the whole of; -1 when there is none. */
static double run_rate(const gf_demo_org *org, double (*booked)[GF_DEMO_REPS], int q, int rep)
{
    double sum = 0;
    int n = 0;
    for (int k = q - 1; k >= 0 && k >= q - 4; k--) {
        if (org->reps[rep].hired_on > org->quarters[k].period.start)
            break;
        sum += booked[k][rep];
        n++;
    }
    return n ? sum / n : -1;
}

/* Every Friday before as_of each rep submits their call for the quarter: won so far plus what
 * they expect for the rest of it, scaled by their habit (sandbaggers and optimists). In a
 * complete quarter a rep knows their own deals: what they expect is what they will in fact
 * still book, seen through a noise of 15% x sqrt(share of the quarter to go), drawn once per
 * rep and quarter. In the quarter under way at as_of (its end not simulated) it is their run
 * rate (their mean quarter over the last four) times the share to go. A rep with no complete
 * quarter behind them counts their open commit deals. Best case adds the open best-case deals.
 * Managers roll their team up with a small haircut. */
static int make_commits(gf_demo_org *org, gf_model_rng *r)
{
    size_t cap = 0;
    draw_habits(org, r);
    double(*booked)[GF_DEMO_REPS] = calloc((size_t)org->nquarters + 1, sizeof *booked);
    if (!booked)
        return -1;
    for (int q = 0; q < org->nquarters; q++)
        rep_bookings(org, q, booked[q]);
    int rc = 0;
    double z[GF_DEMO_REPS];
    char scope[40];
    for (int q = 0; q < org->nquarters && rc == 0; q++) {
        const gf_period *p = &org->quarters[q].period;
        int friday = p->start + ((4 - (p->start + 3) % 7) + 7) % 7;
        const bool complete = org->quarters[q].complete;
        for (int i = 0; i < GF_DEMO_REPS; i++)
            z[i] = demo_normal(r);
        for (int day = friday; day <= p->end && day < org->opt.as_of && rc == 0; day += 7) {
            double won[GF_DEMO_REPS] = {0}, open_commit[GF_DEMO_REPS] = {0},
                   open_best[GF_DEMO_REPS] = {0};
            for (size_t i = 0; i < org->ndeals; i++) {
                const gf_demo_deal *d = &org->deals[i];
                gf_demo_state st = {0};
                if ((d->closed_on >= 0 && d->closed_on < p->start) ||
                    !gf_demo_state_at(org, d, day, &st))
                    continue;
                double a = (double)st.amount;
                if (st.close_date < p->start || st.close_date > p->end || st.stage == GF_DEMO_LOST)
                    continue;
                if (st.stage == GF_DEMO_WON)
                    won[st.owner] += a;
                else if (st.category == GF_DEMO_COMMIT)
                    open_commit[st.owner] += a;
                else if (st.category == GF_DEMO_BEST_CASE)
                    open_best[st.owner] += a;
            }
            const double to_go = (double)(p->end - day + 1) / (double)(p->end - p->start + 1);
            double tc[GF_DEMO_TEAMS] = {0}, tb[GF_DEMO_TEAMS] = {0};
            for (int i = 0; i < GF_DEMO_REPS && rc == 0; i++) {
                const gf_demo_rep *rep = &org->reps[i];
                if (rep->hired_on > day)
                    continue;
                double rate = run_rate(org, booked, q, i), expect = open_commit[i];
                if (complete)
                    expect = fmax(0, booked[q][i] - won[i]) * exp(0.15 * sqrt(to_go) * z[i]);
                else if (rate >= 0)
                    expect = rate * to_go;
                double call = won[i] + rep->habit * expect;
                double best = won[i] + open_commit[i] + open_best[i];
                int64_t c = 10000 * (int64_t)llround(call / 10000);
                int64_t b = 10000 * (int64_t)llround(fmax(best, call) / 10000);
                snprintf(scope, sizeof scope, "rep:%s", rep->key);
                rc = add_commit(org, &cap, scope, q, day, 15 * 3600 + demo_int(r, 0, 7200), c, b);
                tc[rep->team] += (double)c;
                tb[rep->team] += (double)b;
                tc[0] += (double)c;
                tb[0] += (double)b;
            }
            for (int k = 0; k < GF_DEMO_TEAMS && rc == 0; k++) {
                snprintf(scope, sizeof scope, "team:%s", org->teams[k].key);
                int64_t c = 100 * (int64_t)llround(0.95 * tc[k] / 100);
                rc = add_commit(org, &cap, scope, q, day, 17 * 3600 + demo_int(r, 0, 3600), c,
                                (int64_t)tb[k]);
            }
        }
    }
    free(booked);
    return rc;
}

/* Weekly operational KPIs on the same Mondays as the leads, telling the founding story: as the
 * site grows, errors per page climb from 2.4 toward 4 (ten times the goal of 0.4) and the hours
 * to publish an update from 26 toward 34 (the goal is 24), with noise and one bad patch each (a
 * release that broke pages, a backlog in publishing). The levers that close them are QA vendors
 * and content contractors. */
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
                v = 2.4 + 1.6 * f + 0.2 * demo_normal(r) +
                    ((int)w - bad < 4 && (int)w >= bad ? 0.8 : 0);
                kpi->values[w] = round(100 * fmax(0.1, v)) / 100;
            } else {
                v = 26 + 8 * f + 3 * demo_normal(r) +
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

/* truth.c — the ground truth of a generated demo org as JSON: the parameters the simulation
 * drew from and the figures it realised (bookings per quarter, stage advance rates, pushes, the
 * surge), so that tests can check a model recovers them. No I/O: the caller writes the file. */
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "gapforge/date.h"
#include "gapforge/demo.h"

/* The demo's downturn in qualified leads: from which Monday, by how much. */
static json_t *downturn_json(const gf_demo_org *org)
{
    const int start = gf_demo_downturn_start(org);
    if (start == INT32_MAX)
        return json_null();
    char day[11];
    gf_date_format(start, day);
    return json_pack("{s:s, s:f, s:i}", "start", day, "relative", -org->truth.lead_downturn,
                     "weeks", org->truth.lead_downturn_weeks);
}

typedef struct realised {
    long decisions[GF_DEMO_OPEN_STAGES], advanced[GF_DEMO_OPEN_STAGES];
    double dwell_sum[GF_DEMO_OPEN_STAGES];
    long pushes, pull_ins, closed_past, closed_past_won, closed_past_pushed;
    long zombies, open_at_as_of, open_zombies;
    long wins_complete, wins_window;
    double window_days, other_days;
} realised;

static json_t *day_json(int day)
{
    char d[11];
    gf_date_format(day, d);
    return json_string(d);
}

static bool in_complete_quarter(const gf_demo_org *org, int day)
{
    for (int q = 0; q < org->nquarters; q++)
        if (org->quarters[q].complete && day >= org->quarters[q].period.start &&
            day <= org->quarters[q].period.end)
            return true;
    return false;
}

/* Walks each deal's events: stage decisions and dwell, pushes and pull-ins (close-date moves
 * not made by a stage change), outcomes of deals closed in complete quarters. */
static void walk(const gf_demo_org *org, realised *r)
{
    for (size_t i = 0; i < org->ndeals; i++) {
        const gf_demo_deal *d = &org->deals[i];
        const gf_demo_event *e = org->events + d->first_event;
        int entered = d->created_on;
        bool pushed = false;
        for (size_t k = 0; k < d->nevents; k++) {
            bool stage_write = false;
            for (size_t j = 0; j < d->nevents; j++)
                stage_write |=
                    e[j].field == GF_DEMO_F_STAGE && e[j].day == e[k].day && e[j].sec == e[k].sec;
            if (e[k].field == GF_DEMO_F_STAGE && e[k].old_value != GF_DEMO_NONE) {
                int s = (int)e[k].old_value;
                r->decisions[s]++;
                r->advanced[s] += e[k].new_value != GF_DEMO_LOST;
                r->dwell_sum[s] += e[k].day - entered;
                entered = e[k].day;
            } else if (e[k].field == GF_DEMO_F_CLOSE_DATE && e[k].old_value != GF_DEMO_NONE &&
                       !stage_write) {
                pushed |= e[k].new_value > e[k].old_value;
                r->pushes += e[k].new_value > e[k].old_value;
                r->pull_ins += e[k].new_value < e[k].old_value;
            }
        }
        r->zombies += d->zombie;
        if (d->closed_on < 0) {
            r->open_at_as_of++;
            r->open_zombies += d->zombie;
        } else if (in_complete_quarter(org, d->closed_on)) {
            r->closed_past++;
            r->closed_past_won += d->stage == GF_DEMO_WON;
            r->closed_past_pushed += pushed;
        }
    }
    for (int q = 0; q < org->nquarters; q++) {
        const gf_demo_quarter *qu = &org->quarters[q];
        if (!qu->complete)
            continue;
        r->wins_complete += qu->won;
        r->wins_window += qu->won_last_weeks;
        r->window_days += org->truth.surge_days;
        r->other_days += qu->period.end - qu->period.start + 1 - org->truth.surge_days;
    }
}

static double ratio(double a, double b)
{
    return b > 0 ? a / b : 0;
}

static json_t *stages_json(const gf_demo_org *org, const realised *r)
{
    json_t *a = json_array();
    for (int s = 0; s < GF_DEMO_STAGES; s++) {
        const gf_demo_stage *g = &org->stages[s];
        json_t *o = json_pack("{s:s, s:s, s:i, s:f}", "key", g->key, "kind", g->kind, "position",
                              s + 1, "default_probability", g->probability);
        if (s < GF_DEMO_OPEN_STAGES) {
            double mean = g->dwell_median * exp(g->dwell_sigma * g->dwell_sigma / 2);
            json_object_set_new(o, "advance_probability", json_real(g->advance));
            json_object_set_new(o, "win_probability", json_real(gf_demo_win_probability(org, s)));
            json_object_set_new(o, "dwell_days",
                                json_pack("{s:s, s:f, s:f, s:f}", "distribution", "lognormal",
                                          "median", g->dwell_median, "sigma", g->dwell_sigma,
                                          "mean", mean));
            json_object_set_new(
                o, "realised",
                json_pack("{s:i, s:f, s:f}", "decisions", (json_int_t)r->decisions[s],
                          "advance_rate", ratio((double)r->advanced[s], (double)r->decisions[s]),
                          "mean_dwell_days", ratio(r->dwell_sum[s], (double)r->decisions[s])));
        }
        json_array_append_new(a, o);
    }
    return a;
}

static json_t *quarters_json(const gf_demo_org *org)
{
    json_t *a = json_array();
    for (int q = 0; q < org->nquarters; q++) {
        const gf_demo_quarter *qu = &org->quarters[q];
        double weeks = (qu->period.end - qu->period.start + 1) / 7.0;
        json_t *o = json_pack(
            "{s:s, s:o, s:o, s:b, s:f, s:f, s:f, s:i, s:i, s:i, s:f, s:i}", "name", qu->period.name,
            "start", day_json(qu->period.start), "end", day_json(qu->period.end), "complete",
            qu->complete, "shock", qu->shock, "expected_deals", qu->expected_deals,
            "expected_deals_per_week", qu->expected_deals / weeks, "created", qu->created, "won",
            qu->won, "lost", qu->lost, "bookings", (double)qu->bookings / 100.0,
            "wins_in_surge_window", qu->won_last_weeks);
        json_array_append_new(a, o);
    }
    return a;
}

static json_t *reps_json(const gf_demo_org *org)
{
    json_t *a = json_array();
    for (int i = 0; i < GF_DEMO_REPS; i++) {
        const gf_demo_rep *p = &org->reps[i];
        const char *bias = p->habit < 0.85   ? "sandbagging"
                           : p->habit > 1.15 ? "optimistic"
                                             : "accurate";
        json_array_append_new(a, json_pack("{s:s, s:s, s:o, s:i, s:f, s:f, s:s}", "key", p->key,
                                           "team", org->teams[p->team].key, "hired_on",
                                           day_json(p->hired_on), "ramp_months", p->ramp_months,
                                           "skill", p->skill, "commit_habit", p->habit,
                                           "commit_bias", bias));
    }
    return a;
}

/* P(a deal is eventually closed) and P(won), zombies included: a zombie stalls at an open stage
 * drawn uniformly from the first five and is closed only when lost before reaching it. */
static void outcome_rates(const gf_demo_org *org, double *won, double *closed)
{
    double z = org->truth.zombie_p, reach = 1, lost_before = 0;
    for (int k = 0; k < GF_DEMO_OPEN_STAGES - 1; k++) {
        lost_before += 1 - reach;
        reach *= gf_demo_win_probability(org, k) / gf_demo_win_probability(org, k + 1);
    }
    *won = (1 - z) * gf_demo_win_probability(org, 0);
    *closed = (1 - z) + z * lost_before / (GF_DEMO_OPEN_STAGES - 1);
}

json_t *gf_demo_truth_json(const gf_demo_org *org)
{
    const gf_demo_truth *t = &org->truth;
    realised r = {0};
    walk(org, &r);
    double won, closed;
    outcome_rates(org, &won, &closed);
    json_t *out = json_pack(
        "{s:I, s:o, s:i, s:i, s:i, s:o, s:{s:f, s:f}}", "seed", (json_int_t)org->opt.seed, "as_of",
        day_json(org->opt.as_of), "past_quarters", org->opt.quarters, "deals_per_quarter",
        org->opt.deals_per_quarter, "fiscal_year_start_month", org->opt.fysm, "stages",
        stages_json(org, &r), "age_effect", "stuck_after_median_multiple", t->stuck_multiple,
        "advance_multiplier", t->stuck_advance);
    json_object_set_new(out, "win_rate",
                        json_pack("{s:f, s:f, s:f, s:f}", "from_creation", won, "of_closed",
                                  won / closed, "non_zombie_from_creation",
                                  gf_demo_win_probability(org, 0),
                                  "realised_of_closed_in_past_quarters",
                                  ratio((double)r.closed_past_won, (double)r.closed_past)));
    json_object_set_new(out, "slippage",
                        json_pack("{s:f, s:{s:i, s:i}, s:{s:i, s:i}, s:f, s:{s:i, s:i, s:f}}",
                                  "push_probability", t->push_p, "push_days", "min",
                                  t->push_min_days, "max", t->push_max_days, "review_delay_days",
                                  "min", 1, "max", 5, "pull_in_probability", t->pull_in_p,
                                  "realised", "pushes", (json_int_t)r.pushes, "pull_ins",
                                  (json_int_t)r.pull_ins, "pushed_share_of_closed_in_past_quarters",
                                  ratio((double)r.closed_past_pushed, (double)r.closed_past)));
    double share = ratio((double)r.wins_window, (double)r.wins_complete);
    json_object_set_new(
        out, "surge",
        json_pack("{s:i, s:f, s:f, s:f}", "window_days", t->surge_days, "hold_probability",
                  t->surge_p, "realised_share_of_wins", share, "realised_factor",
                  ratio(ratio((double)r.wins_window, r.window_days),
                        ratio((double)(r.wins_complete - r.wins_window), r.other_days))));
    json_object_set_new(out, "zombies",
                        json_pack("{s:f, s:f, s:i, s:i}", "share", t->zombie_p,
                                  "realised_share_of_created",
                                  ratio((double)r.zombies, (double)org->ndeals), "open_at_as_of",
                                  (json_int_t)r.open_at_as_of, "zombies_open_at_as_of",
                                  (json_int_t)r.open_zombies));
    json_object_set_new(out, "creation",
                        json_pack("{s:i, s:f, s:f, s:f, s:f, s:i}", "deals_per_quarter",
                                  org->opt.deals_per_quarter, "deals_per_week",
                                  org->opt.deals_per_quarter / 13.0, "growth_per_quarter",
                                  t->growth, "shock_sigma", t->shock_sigma, "lead_conversion",
                                  t->lead_conversion, "lead_lag_days", t->lead_lag_days));
    json_object_set_new(
        out, "deal_size",
        json_pack("{s:s, s:f, s:f, s:f, s:f, s:f, s:i, s:{s:f, s:f}}", "distribution", "lognormal",
                  "median", t->size_median, "sigma", t->size_sigma, "enterprise_share",
                  t->enterprise_share, "enterprise_multiplier", t->enterprise_multiplier, "mean",
                  gf_demo_mean_deal_size(org), "rounding", 100, "amount_change", "probability",
                  t->amount_change_p, "sigma", t->amount_change_sigma));
    json_object_set_new(out, "ramp",
                        json_pack("{s:f, s:s}", "start_productivity", t->ramp_start, "shape",
                                  "linear over ramp_months"));
    json_object_set_new(out, "reps", reps_json(org));
    json_object_set_new(out, "quarters", quarters_json(org));
    json_object_set_new(out, "kpis",
                        json_pack("{s:{s:s, s:i, s:f, s:o}}", "qualified_leads", "leads_to",
                                  "bookings", "lag_days", org->kpis[0].lag_days,
                                  "opportunity_conversion", t->lead_conversion, "downturn",
                                  downturn_json(org)));
    json_object_set_new(out, "counts",
                        json_pack("{s:I, s:I, s:I, s:I}", "deals", (json_int_t)org->ndeals,
                                  "events", (json_int_t)org->nevents, "targets",
                                  (json_int_t)org->ntargets, "commits", (json_int_t)org->ncommits));
    return out;
}

/* test_demo.c — the demo generator (pure): the same seed gives the same org, nothing is dated
 * on or after as_of, histories are consistent event by event, and the sample agrees with the
 * ground truth it reports (win rates, stage advance rates, creation rate, bookings). */
#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gapforge/date.h"
#include "gapforge/demo.h"
#include "unit.h"

static gf_demo_org make(uint64_t seed, int quarters, int deals)
{
    gf_demo_options o = {.seed = seed,
                         .quarters = quarters,
                         .deals_per_quarter = deals,
                         .as_of = gf_date_from_ymd(2025, 5, 15),
                         .fysm = 2};
    gf_demo_org org;
    gf_err err = {0};
    ck_assert_int_eq(gf_demo_generate(&o, &org, &err), 0);
    return org;
}

START_TEST(same_seed_gives_the_same_org_and_another_seed_another)
{
    gf_demo_org a = make(42, 4, 120), b = make(42, 4, 120), c = make(43, 4, 120);
    ck_assert_uint_eq(a.ndeals, b.ndeals);
    ck_assert_uint_eq(a.nevents, b.nevents);
    ck_assert_int_eq(memcmp(a.events, b.events, a.nevents * sizeof *a.events), 0);
    for (size_t i = 0; i < a.ndeals; i++) {
        ck_assert_str_eq(a.deals[i].name, b.deals[i].name);
        ck_assert_int_eq(a.deals[i].amount, b.deals[i].amount);
    }
    ck_assert_uint_eq(a.ncommits, b.ncommits);
    ck_assert_int_eq(memcmp(a.commits, b.commits, a.ncommits * sizeof *a.commits), 0);
    ck_assert_int_eq(memcmp(a.kpis[1].values, b.kpis[1].values, a.kpis[1].nobs * sizeof(double)),
                     0);
    json_t *ta = gf_demo_truth_json(&a), *tb = gf_demo_truth_json(&b);
    ck_assert(json_equal(ta, tb));
    json_decref(ta);
    json_decref(tb);
    ck_assert(a.nevents != c.nevents ||
              memcmp(a.events, c.events, a.nevents * sizeof *a.events) != 0);
    gf_demo_free(&a);
    gf_demo_free(&b);
    gf_demo_free(&c);
}
END_TEST

START_TEST(nothing_is_dated_on_or_after_as_of)
{
    gf_demo_org o = make(7, 6, 200);
    int as_of = o.opt.as_of;
    for (size_t i = 0; i < o.nevents; i++)
        ck_assert_int_lt(o.events[i].day, as_of);
    for (size_t i = 0; i < o.ndeals; i++) {
        ck_assert_int_lt(o.deals[i].created_on, as_of);
        ck_assert_int_lt(o.deals[i].closed_on, as_of);
    }
    for (size_t i = 0; i < o.ncommits; i++)
        ck_assert_int_lt(o.commits[i].day, as_of);
    for (int k = 0; k < GF_DEMO_KPIS; k++) {
        ck_assert_uint_gt(o.kpis[k].nobs, 20);
        for (size_t i = 0; i < o.kpis[k].nobs; i++) /* weekly buckets that ended before as_of */
            ck_assert_int_lt(o.kpis[k].days[i] + 6, as_of);
    }
    /* The current quarter is in progress: it has deals and open pipeline. */
    const gf_demo_quarter *cur = &o.quarters[o.nquarters - 1];
    ck_assert(!cur->complete);
    ck_assert_int_gt(cur->created, 0);
    gf_demo_free(&o);
}
END_TEST

START_TEST(events_are_ordered_and_each_old_is_the_previous_new)
{
    gf_demo_org o = make(11, 6, 200);
    size_t pushes = 0, pull_ins = 0, amount_changes = 0;
    for (size_t i = 0; i < o.ndeals; i++) {
        const gf_demo_deal *d = &o.deals[i];
        const gf_demo_event *e = o.events + d->first_event;
        ck_assert_uint_ge(d->nevents, GF_DEMO_NFIELDS);
        /* Creation: one event per tracked field in field order, old NULL, on created_on. */
        for (int f = 0; f < GF_DEMO_NFIELDS; f++) {
            ck_assert_int_eq(e[f].field, f);
            ck_assert(e[f].old_value == GF_DEMO_NONE);
            ck_assert_int_eq(e[f].day, d->created_on);
        }
        int64_t last[GF_DEMO_NFIELDS];
        for (size_t k = 0; k < d->nevents; k++) {
            ck_assert_int_eq(e[k].deal, (int32_t)i);
            if (k > 0) {
                bool later = e[k].day > e[k - 1].day ||
                             (e[k].day == e[k - 1].day && e[k].sec >= e[k - 1].sec);
                ck_assert(later);
                bool same_write = e[k].day == e[k - 1].day && e[k].sec == e[k - 1].sec;
                if (same_write) /* one write: fields in order, each at most once */
                    ck_assert_int_gt(e[k].field, e[k - 1].field);
            }
            if (k >= GF_DEMO_NFIELDS) {
                ck_assert(e[k].old_value == last[e[k].field]);
                ck_assert(e[k].new_value != e[k].old_value);
                pushes += e[k].field == GF_DEMO_F_CLOSE_DATE && e[k].new_value > e[k].old_value;
                pull_ins += e[k].field == GF_DEMO_F_CLOSE_DATE && e[k].new_value < e[k].old_value;
                amount_changes += e[k].field == GF_DEMO_F_AMOUNT;
            }
            last[e[k].field] = e[k].new_value;
        }
        /* The deal's state is its last values; a closed deal closed on its last stage step. */
        ck_assert_int_eq(last[GF_DEMO_F_STAGE], d->stage);
        ck_assert_int_eq(last[GF_DEMO_F_AMOUNT], d->amount);
        ck_assert_int_eq(last[GF_DEMO_F_CLOSE_DATE], d->close_date);
        if (d->stage == GF_DEMO_WON || d->stage == GF_DEMO_LOST) {
            ck_assert_int_eq(d->closed_on, e[d->nevents - 1].day);
            ck_assert_int_eq(d->close_date, d->closed_on);
            ck_assert_int_eq(d->category,
                             d->stage == GF_DEMO_WON ? GF_DEMO_COMMIT : GF_DEMO_OMITTED);
        } else {
            ck_assert_int_eq(d->closed_on, -1);
        }
    }
    ck_assert_uint_gt(pushes, 100);
    ck_assert_uint_gt(pull_ins, 10);
    ck_assert_uint_gt(amount_changes, 50);
    gf_demo_free(&o);
}
END_TEST

/* The realised rate of a truth figure (k of n) is within z standard errors of p. */
static void expect_rate(const char *what, double k, double n, double p, double z)
{
    double se = sqrt(p * (1 - p) / n), got = k / n;
    ck_assert_msg(fabs(got - p) <= z * se + 0.005, "%s: %.4f realised vs %.4f truth (n %.0f)", what,
                  got, p, n);
}

START_TEST(win_rates_and_stage_advance_rates_match_the_truth)
{
    gf_demo_org o = make(5, 8, 1500);
    json_t *truth = gf_demo_truth_json(&o);
    double of_closed =
        json_real_value(json_object_get(json_object_get(truth, "win_rate"), "of_closed"));
    /* Deals created in the first five quarters have (almost all) run their course. */
    double won = 0, closed = 0;
    for (size_t i = 0; i < o.ndeals; i++) {
        const gf_demo_deal *d = &o.deals[i];
        if (d->created_on > o.quarters[4].period.end || d->closed_on < 0)
            continue;
        closed++;
        won += d->stage == GF_DEMO_WON;
    }
    expect_rate("win rate of closed deals", won, closed, of_closed, 4);
    /* Stage by stage: the advance rate among decided deals, age effect included. */
    json_t *stages = json_object_get(truth, "stages");
    for (int s = 0; s < GF_DEMO_OPEN_STAGES - 1; s++) {
        json_t *real = json_object_get(json_array_get(stages, (size_t)s), "realised");
        double n = (double)json_integer_value(json_object_get(real, "decisions"));
        double rate = json_real_value(json_object_get(real, "advance_rate"));
        double p = gf_demo_win_probability(&o, s) / gf_demo_win_probability(&o, s + 1);
        expect_rate(o.stages[s].key, rate * n, n, p, 4);
    }
    json_decref(truth);
    gf_demo_free(&o);
}
END_TEST

START_TEST(creation_rate_and_bookings_match_the_truth)
{
    gf_demo_org o = make(9, 8, 400);
    double expected = 0, created = 0;
    for (int q = 0; q < o.opt.quarters; q++) {
        expected += o.quarters[q].expected_deals;
        created += o.quarters[q].created;
    }
    /* Poisson counts plus weekly lead noise: within 5% over eight quarters. */
    ck_assert_msg(fabs(created / expected - 1) < 0.05, "%.0f created vs %.0f expected", created,
                  expected);
    /* Bookings per quarter are exactly the won amounts closed in it. */
    for (int q = 0; q < o.nquarters; q++) {
        int64_t sum = 0;
        const gf_period *p = &o.quarters[q].period;
        for (size_t i = 0; i < o.ndeals; i++)
            if (o.deals[i].stage == GF_DEMO_WON && o.deals[i].closed_on >= p->start &&
                o.deals[i].closed_on <= p->end)
                sum += o.deals[i].amount;
        ck_assert_int_eq(sum, o.quarters[q].bookings);
        if (q > 0 && o.quarters[q].complete)
            ck_assert_int_gt(o.quarters[q].bookings, 0);
    }
    /* The quarter-end surge: far more than 14/91 of wins land in the last two weeks. */
    int wins = 0, late = 0;
    for (int q = 0; q < o.nquarters; q++)
        if (o.quarters[q].complete) {
            wins += o.quarters[q].won;
            late += o.quarters[q].won_last_weeks;
        }
    ck_assert_int_gt(late * 91, 2 * 14 * wins);
    gf_demo_free(&o);
}
END_TEST

START_TEST(org_has_ramping_reps_zombies_targets_commits_and_every_lever_kind)
{
    gf_demo_org o = make(3, 8, 150);
    int recent = 0, before = 0;
    for (int i = 0; i < GF_DEMO_REPS; i++) {
        const gf_demo_rep *r = &o.reps[i];
        ck_assert_int_gt(r->team, 0); /* reps sit in the regional teams under the root */
        ck_assert_int_eq(o.teams[r->team].parent, 0);
        recent += r->hired_on > o.opt.as_of - 120;
        before += r->hired_on < o.quarters[0].period.start;
    }
    ck_assert_int_ge(recent, 2);
    ck_assert_int_ge(before, 10);
    /* Zombies: old deals still open that nobody touched for months. */
    int stale = 0;
    for (size_t i = 0; i < o.ndeals; i++) {
        const gf_demo_deal *d = &o.deals[i];
        const gf_demo_event *last = &o.events[d->first_event + d->nevents - 1];
        stale += d->zombie && d->closed_on < 0 && last->day < o.opt.as_of - 180;
    }
    ck_assert_int_gt(stale, 20);
    /* Targets for every quarter and every scope level; commits never above best case. */
    int org_targets = 0, team_targets = 0;
    for (size_t i = 0; i < o.ntargets; i++) {
        org_targets +=
            strcmp(o.targets[i].scope, "org") == 0 && strcmp(o.targets[i].metric, "bookings") == 0;
        team_targets += strncmp(o.targets[i].scope, "team:", 5) == 0;
        ck_assert(o.targets[i].value > 0);
    }
    ck_assert_int_eq(org_targets, o.nquarters);
    ck_assert_int_eq(team_targets, 3 * o.nquarters);
    ck_assert_uint_gt(o.ncommits, 13 * 15 * (size_t)o.opt.quarters);
    for (size_t i = 0; i < o.ncommits; i++)
        ck_assert_int_le(o.commits[i].commit, o.commits[i].best_case);
    static const char *const kinds[] = {"win_rate",     "deal_size", "pipeline", "slippage",
                                        "pull_forward", "headcount", "kpi",      "concession"};
    for (size_t k = 0; k < 8; k++) {
        bool found = false;
        for (int i = 0; i < GF_DEMO_LEVERS; i++)
            found |= strcmp(o.levers[i].kind, kinds[k]) == 0 && o.levers[i].unit_cost > 0;
        ck_assert_msg(found, "no %s lever", kinds[k]);
    }
    ck_assert_str_eq(o.kpis[0].leads_to, "bookings");
    ck_assert_str_eq(o.kpis[1].direction, "lower_is_better");
    gf_demo_free(&o);
}
END_TEST

START_TEST(out_of_range_options_are_refused)
{
    gf_demo_org o;
    gf_err err = {0};
    gf_demo_options opt = {
        .seed = 1, .quarters = 0, .deals_per_quarter = 10, .as_of = 20000, .fysm = 1};
    ck_assert_int_eq(gf_demo_generate(&opt, &o, &err), -1);
    ck_assert_str_eq(err.field, "quarters");
    gf_demo_free(&o);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("demo");
    TCase *tc = tcase_create("demo");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, same_seed_gives_the_same_org_and_another_seed_another);
    tcase_add_test(tc, nothing_is_dated_on_or_after_as_of);
    tcase_add_test(tc, events_are_ordered_and_each_old_is_the_previous_new);
    tcase_add_test(tc, win_rates_and_stage_advance_rates_match_the_truth);
    tcase_add_test(tc, creation_rate_and_bookings_match_the_truth);
    tcase_add_test(tc, org_has_ramping_reps_zombies_targets_commits_and_every_lever_kind);
    tcase_add_test(tc, out_of_range_options_are_refused);
    suite_add_tcase(s, tc);
    return unit_main(s);
}

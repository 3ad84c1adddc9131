/* Specification of the scorecard figures and the commit bias (gapforge/model_scorecard.h). */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "gapforge/model_scorecard.h"

#define EPS 1e-9

/* Days of 2025-Q1 and 2025-Q2. */
static gf_day d(int m, int day)
{
    return gf_date_from_ymd(2025, m, day);
}

START_TEST(the_median_of_an_odd_and_an_even_count_and_of_none)
{
    double odd[] = {5, 1, 3}, even[] = {4, 1, 3, 2};
    ck_assert_double_eq_tol(gf_model_median(odd, 3), 3, EPS);
    ck_assert_double_eq_tol(gf_model_median(even, 4), 2.5, EPS);
    ck_assert(isnan(gf_model_median(NULL, 0)));
}
END_TEST

/* Two peers: rep 0 (the rep) and peer 1. */
typedef struct two {
    fx *f;
    uint32_t peer[16];
    uint8_t source[16];
    gf_model_history h;
    gf_model_scorecard_in in;
} two;

static void two_in(two *t)
{
    t->h = fx_history(t->f);
    t->in = (gf_model_scorecard_in){.h = &t->h,
                                    .peer = t->peer,
                                    .n_peers = 2,
                                    .rep = 0,
                                    .source = t->source,
                                    .n_sources = 2,
                                    .window = {d(1, 1), d(3, 31)},
                                    .as_of = d(4, 1),
                                    .next = {d(4, 1), d(6, 30)},
                                    .stall_ratio = 1.5,
                                    .stall_min_deals = 1};
}

/* The rep wins a 1,000 deal (source 0) after 30 days and loses a 500 one from propose, creates
 * an open one closing next quarter, pushes one out of the window; peer 1 wins two deals of
 * 2,000 after 10 and 20 days (source 1). */
static void two_build(two *t)
{
    t->f = fx_new(16);
    size_t i = fx_deal(t->f, 100000, d(1, 1), FX_QUALIFY);
    fx_move(t->f, i, d(1, 21), FX_PROPOSE);
    fx_move(t->f, i, d(1, 31), FX_WON);
    t->peer[i] = 0, t->source[i] = 0;
    i = fx_deal(t->f, 50000, d(1, 5), FX_QUALIFY);
    fx_move(t->f, i, d(1, 10), FX_PROPOSE);
    fx_move(t->f, i, d(2, 10), FX_LOST);
    t->peer[i] = 0, t->source[i] = 1;
    i = fx_deal(t->f, 70000, d(3, 1), FX_PROPOSE);
    fx_close_date(t->f, i, d(3, 1), d(5, 15));
    t->peer[i] = 0, t->source[i] = 0;
    i = fx_deal(t->f, 30000, d(2, 1), FX_QUALIFY);
    fx_close_date(t->f, i, d(2, 1), d(3, 20));
    fx_close_date(t->f, i, d(3, 25), d(4, 20));
    t->peer[i] = 0, t->source[i] = 0;
    for (int k = 0; k < 2; k++) {
        i = fx_deal(t->f, 200000, d(1, 1), FX_PROPOSE);
        fx_move(t->f, i, d(1, 11 + 10 * k), FX_WON);
        t->peer[i] = 1, t->source[i] = 1;
    }
    i = fx_deal(t->f, 999900, d(1, 1), FX_PROPOSE); /* nobody's */
    fx_move(t->f, i, d(1, 2), FX_WON);
    t->peer[i] = GF_MODEL_NO_PEER, t->source[i] = 0;
    two_in(t);
}

START_TEST(did_counts_the_reps_own_deals_of_the_window)
{
    two t;
    two_build(&t);
    gf_model_scorecard s;
    ck_assert_int_eq(gf_model_scorecard_compute(&t.in, &s), 0);
    ck_assert_uint_eq(s.won.n, 1);
    ck_assert_int_eq(s.won.cents, 100000);
    ck_assert_uint_eq(s.lost.n, 1);
    ck_assert_int_eq(s.lost.cents, 50000);
    ck_assert_uint_eq(s.lost_from[FX_PROPOSE].n, 1);
    ck_assert_uint_eq(s.lost_from[FX_QUALIFY].n, 0);
    ck_assert_uint_eq(s.created.n, 4);
    ck_assert_int_eq(s.created.cents, 250000);
    ck_assert_uint_eq(s.advanced.n, 2); /* qualify -> propose twice; into won is not counted */
    ck_assert_uint_eq(s.advances, 2);
    ck_assert_uint_eq(s.pushed.n, 1);
    ck_assert_int_eq(s.pushed.cents, 30000);
    ck_assert_uint_eq(s.next_open.n, 2); /* the pushed deal now closes next quarter too */
    ck_assert_int_eq(s.next_open.cents, 100000);
    ck_assert_int_eq(s.next_stage[FX_PROPOSE].cents, 70000);
    ck_assert_int_eq(s.next_stage[FX_QUALIFY].cents, 30000);
    gf_model_scorecard_free(&s);
    fx_free(t.f);
}
END_TEST

START_TEST(worked_puts_the_rep_beside_the_median_of_the_peers)
{
    two t;
    two_build(&t);
    gf_model_scorecard s;
    ck_assert_int_eq(gf_model_scorecard_compute(&t.in, &s), 0);
    const gf_model_sc_worked *w = &s.worked;
    ck_assert_double_eq_tol(w->win_rate.rep, 0.5, EPS);
    ck_assert_uint_eq(w->win_rate.rep_n, 2);
    ck_assert_double_eq_tol(w->win_rate.team_median, 0.75, EPS); /* median of 0.5 and 1 */
    ck_assert_uint_eq(w->win_rate.team_reps, 2);
    ck_assert_uint_eq(w->win_rate.team_n, 4);
    ck_assert_double_eq_tol(w->cycle_days.rep, 30, EPS);
    ck_assert_double_eq_tol(w->cycle_days.team_median, 22.5, EPS); /* 30 and median(10, 20) */
    ck_assert_double_eq_tol(w->avg_won_cents.rep, 100000, EPS);
    ck_assert_double_eq_tol(w->avg_won_cents.team_median, 150000, EPS);
    ck_assert_double_eq_tol(w->slip_rate.rep, 0, EPS);
    /* By source: the rep has no win of source 1, so its win rate there is 0 of 1. */
    ck_assert_double_eq_tol(s.by_source[1].win_rate.rep, 0, EPS);
    ck_assert_uint_eq(s.by_source[1].win_rate.rep_n, 1);
    ck_assert(isnan(s.by_source[1].cycle_days.rep));
    ck_assert_uint_eq(s.by_source[1].cycle_days.rep_n, 0);
    ck_assert_uint_eq(s.by_source[0].win_rate.team_reps, 1); /* only the rep has source 0 */
    gf_model_scorecard_free(&s);
    fx_free(t.f);
}
END_TEST

START_TEST(a_stage_stalls_when_the_reps_dwell_is_well_above_the_teams)
{
    two t;
    two_build(&t);
    gf_model_scorecard s;
    ck_assert_int_eq(gf_model_scorecard_compute(&t.in, &s), 0);
    /* propose: the rep's deals left it after 10 (won) and 31 days (lost): median 20.5 against
     * the team median of 20.5 and 15 = 17.75: no stall at 1.5x. */
    const gf_model_sc_stage *p = &s.by_stage[FX_PROPOSE];
    ck_assert_uint_eq(p->days_in_stage.rep_n, 2);
    ck_assert_double_eq_tol(p->days_in_stage.rep, 20.5, EPS);
    ck_assert_double_eq_tol(p->days_in_stage.team_median, 17.75, EPS);
    ck_assert_double_eq_tol(p->advance_rate.rep, 0.5, EPS);
    ck_assert_int_eq(p->stalls, 0);
    gf_model_scorecard_free(&s);
    t.in.stall_ratio = 1.1;
    ck_assert_int_eq(gf_model_scorecard_compute(&t.in, &s), 0);
    ck_assert_int_eq(s.by_stage[FX_PROPOSE].stalls, 1);
    /* qualify: only the rep's deals left it: one peer with data is not a team to stall against. */
    ck_assert_int_eq(s.by_stage[FX_QUALIFY].stalls, 0);
    ck_assert_uint_eq(s.by_stage[FX_QUALIFY].days_in_stage.team_reps, 1);
    gf_model_scorecard_free(&s);
    fx_free(t.f);
}
END_TEST

START_TEST(a_rep_with_no_deal_gets_zero_counts_and_no_figures)
{
    two t;
    two_build(&t);
    t.in.n_peers = 3;
    t.in.rep = 2; /* a third peer who owns nothing */
    gf_model_scorecard s;
    ck_assert_int_eq(gf_model_scorecard_compute(&t.in, &s), 0);
    ck_assert_uint_eq(s.won.n + s.lost.n + s.created.n + s.pushed.n + s.next_open.n, 0);
    ck_assert(isnan(s.worked.win_rate.rep));
    ck_assert_uint_eq(s.worked.win_rate.rep_n, 0);
    ck_assert_uint_eq(s.worked.win_rate.team_reps, 2);
    gf_model_scorecard_free(&s);
    fx_free(t.f);
}
END_TEST

START_TEST(an_org_with_no_deal_gives_an_empty_card)
{
    fx *f = fx_new(1);
    const gf_model_history h = fx_history(f);
    const uint32_t peer[1] = {0};
    const gf_model_scorecard_in in = {.h = &h,
                                      .peer = peer,
                                      .n_peers = 1,
                                      .window = {d(1, 1), d(3, 31)},
                                      .as_of = d(4, 1),
                                      .next = {d(4, 1), d(6, 30)},
                                      .stall_ratio = 1.5};
    gf_model_scorecard s;
    ck_assert_int_eq(gf_model_scorecard_compute(&in, &s), 0);
    ck_assert_uint_eq(s.won.n + s.created.n + s.next_open.n, 0);
    ck_assert(isnan(s.worked.cycle_days.rep) && isnan(s.worked.cycle_days.team_median));
    ck_assert_uint_eq(s.by_stage[FX_QUALIFY].days_in_stage.team_reps, 0);
    gf_model_scorecard_free(&s);
    fx_free(f);
}
END_TEST

START_TEST(bookings_per_peer_and_quarter)
{
    two t;
    two_build(&t);
    const gf_model_period q[2] = {{d(1, 1), d(3, 31)}, {d(4, 1), d(6, 30)}};
    int64_t out[4];
    gf_model_scorecard_bookings(&t.h, t.peer, 2, q, 2, d(4, 1), out);
    ck_assert_int_eq(out[0], 100000);
    ck_assert_int_eq(out[1], 0);
    ck_assert_int_eq(out[2], 400000);
    ck_assert_int_eq(out[3], 0);
    fx_free(t.f);
}
END_TEST

START_TEST(bad_scorecard_arguments_are_refused)
{
    two t;
    two_build(&t);
    gf_model_scorecard s;
    t.in.rep = 2;
    ck_assert_int_eq(gf_model_scorecard_compute(&t.in, &s), GF_MODEL_EINVAL);
    ck_assert_ptr_null(s.lost_from);
    t.in.rep = 0;
    t.source[0] = 7;
    ck_assert_int_eq(gf_model_scorecard_compute(&t.in, &s), GF_MODEL_EINVAL);
    ck_assert_int_eq(gf_model_scorecard_compute(NULL, &s), GF_MODEL_EINVAL);
    ck_assert_int_eq(gf_model_scorecard_compute(&t.in, NULL), GF_MODEL_EINVAL);
    fx_free(t.f);
}
END_TEST

/* ---- commit bias ---- */

static gf_model_bias_opts opts(void)
{
    gf_model_bias_opts o;
    gf_model_bias_opts_default(&o);
    return o;
}

START_TEST(the_bias_is_shrunk_toward_the_team_by_the_priors_weight)
{
    /* Rep 0 lands 1.5x its commit in four quarters; peers 1 and 2 land their commit exactly. */
    gf_model_bias_obs obs[12];
    size_t n = 0;
    for (size_t p = 0; p < 3; p++)
        for (int q = 0; q < 4; q++)
            obs[n++] = (gf_model_bias_obs){p, p == 0 ? 150 : 100, 100};
    const gf_model_bias_opts o = opts();
    gf_model_bias_est e;
    ck_assert_int_eq(gf_model_bias_estimate(obs, n, 0, &o, &e), 0);
    ck_assert_uint_eq(e.n, 4);
    ck_assert_double_eq_tol(e.raw, 1.5, 1e-12);
    const double team = log(1.5) * 4 / 12;
    ck_assert_double_eq_tol(e.team, exp(team), 1e-12);
    ck_assert_double_eq_tol(e.estimate, exp((4 * log(1.5) + 2 * team) / 6), 1e-12);
    /* No spread within any peer: the floor, 0.05, sets the interval. */
    ck_assert_double_eq_tol(e.sd, 0.05, 1e-12);
    const double m = log(e.estimate), half = 1.2816 * 0.05 / sqrt(6);
    ck_assert_double_eq_tol(e.lo, exp(m - half), 1e-12);
    ck_assert_double_eq_tol(e.hi, exp(m + half), 1e-12);
    ck_assert_int_eq(e.label, GF_MODEL_BIAS_SANDBAGGING);
    ck_assert_uint_eq(e.team_n, 12);
    ck_assert_uint_eq(e.team_reps, 3);
}
END_TEST

START_TEST(the_interval_spread_is_the_pooled_within_rep_deviation)
{
    /* Peer 0: log ratios +0.1, -0.1; peer 1: +0.3, +0.1. Within-rep residuals +-0.1 each:
     * ss = 0.04 over 4 - 2 = 2 degrees of freedom: sd = sqrt(0.02). */
    const gf_model_bias_obs obs[4] = {{0, 100 * exp(0.1), 100},
                                      {0, 100 * exp(-0.1), 100},
                                      {1, 100 * exp(0.3), 100},
                                      {1, 100 * exp(0.1), 100}};
    const gf_model_bias_opts o = opts();
    gf_model_bias_est e;
    ck_assert_int_eq(gf_model_bias_estimate(obs, 4, 1, &o, &e), 0);
    ck_assert_double_eq_tol(e.sd, sqrt(0.02), 1e-12);
    ck_assert_double_eq_tol(e.team, exp(0.1), 1e-12);
    const double m = (0.4 + 2 * 0.1) / 4;
    ck_assert_double_eq_tol(e.estimate, exp(m), 1e-12);
    ck_assert_double_eq_tol(e.lo, exp(m - 1.2816 * sqrt(0.02) / 2), 1e-12);
    /* lo = exp(0.15 - 0.0906) lies above 1. */
    ck_assert_int_eq(e.label, GF_MODEL_BIAS_SANDBAGGING);
    /* With too few degrees of freedom the default spread applies. */
    ck_assert_int_eq(gf_model_bias_estimate(obs, 2, 0, &o, &e), 0);
    ck_assert_double_eq_tol(e.sd, 0.3, 1e-12);
}
END_TEST

START_TEST(one_quarter_does_not_make_a_sandbagger)
{
    /* The rep beat the commit by 30% once; the team lands on its commits with some spread. */
    gf_model_bias_obs obs[12] = {{0, 130, 100}};
    size_t n = 1;
    const double noise[4] = {0.75, 1.3, 0.8, 1.2};
    for (size_t p = 1; p < 3; p++)
        for (int q = 0; q < 4; q++)
            obs[n++] = (gf_model_bias_obs){p, 100 * noise[q], 100};
    const gf_model_bias_opts o = opts();
    gf_model_bias_est e;
    ck_assert_int_eq(gf_model_bias_estimate(obs, n, 0, &o, &e), 0);
    ck_assert_uint_eq(e.n, 1);
    ck_assert_double_eq_tol(e.raw, 1.3, 1e-12);
    ck_assert_double_lt(e.estimate, 1.15);
    ck_assert_double_lt(e.lo, 1);
    ck_assert_int_eq(e.label, GF_MODEL_BIAS_ACCURATE);
    /* Four such quarters do. */
    for (size_t k = 0; k < 3; k++)
        obs[n++] = (gf_model_bias_obs){0, 128 + 2.0 * (double)k, 100};
    ck_assert_int_eq(gf_model_bias_estimate(obs, n, 0, &o, &e), 0);
    ck_assert_uint_eq(e.n, 4);
    ck_assert_int_eq(e.label, GF_MODEL_BIAS_SANDBAGGING);
}
END_TEST

START_TEST(an_optimist_lands_below_the_commit)
{
    gf_model_bias_obs obs[8];
    for (size_t k = 0; k < 4; k++) {
        obs[k] = (gf_model_bias_obs){0, 70 + (double)k, 100};
        obs[4 + k] = (gf_model_bias_obs){1, 98 + (double)k, 100};
    }
    const gf_model_bias_opts o = opts();
    gf_model_bias_est e;
    ck_assert_int_eq(gf_model_bias_estimate(obs, 8, 0, &o, &e), 0);
    ck_assert_int_eq(e.label, GF_MODEL_BIAS_OPTIMISTIC);
    ck_assert_double_lt(e.hi, 1);
    ck_assert_str_eq(gf_model_bias_label_name(e.label), "optimistic");
}
END_TEST

START_TEST(no_commit_means_unknown_and_nothing_won_counts_as_the_clamp)
{
    /* The rep committed nothing in two quarters: they do not count. */
    gf_model_bias_obs obs[3] = {{0, 100, 0}, {0, 50, 0}, {1, 100, 100}};
    const gf_model_bias_opts o = opts();
    gf_model_bias_est e;
    ck_assert_int_eq(gf_model_bias_estimate(obs, 3, 0, &o, &e), 0);
    ck_assert_uint_eq(e.n, 0);
    ck_assert(isnan(e.estimate) && isnan(e.lo) && isnan(e.hi) && isnan(e.raw));
    ck_assert_int_eq(e.label, GF_MODEL_BIAS_UNKNOWN);
    ck_assert_str_eq(gf_model_bias_label_name(e.label), "unknown");
    ck_assert_double_eq_tol(e.team, 1, 1e-12);
    ck_assert_int_eq(gf_model_bias_estimate(NULL, 0, 0, &o, &e), 0);
    ck_assert_int_eq(e.label, GF_MODEL_BIAS_UNKNOWN);
    /* Nothing won against a commit: a ratio of 1/10. */
    const gf_model_bias_obs none[1] = {{0, 0, 100}};
    ck_assert_int_eq(gf_model_bias_estimate(none, 1, 0, &o, &e), 0);
    ck_assert_double_eq_tol(e.raw, 0.1, 1e-12);
    ck_assert_double_eq_tol(e.estimate, 0.1, 1e-12); /* the team is the rep alone */
    ck_assert_int_eq(e.label, GF_MODEL_BIAS_OPTIMISTIC);
    ck_assert_int_eq(gf_model_bias_estimate(NULL, 1, 0, &o, &e), GF_MODEL_EINVAL);
    const gf_model_bias_obs nan_obs[1] = {{0, NAN, 100}};
    ck_assert_int_eq(gf_model_bias_estimate(nan_obs, 1, 0, &o, &e), GF_MODEL_EINVAL);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("model_scorecard");
    TCase *tc = tcase_create("scorecard");
    tcase_add_test(tc, the_median_of_an_odd_and_an_even_count_and_of_none);
    tcase_add_test(tc, did_counts_the_reps_own_deals_of_the_window);
    tcase_add_test(tc, worked_puts_the_rep_beside_the_median_of_the_peers);
    tcase_add_test(tc, a_stage_stalls_when_the_reps_dwell_is_well_above_the_teams);
    tcase_add_test(tc, a_rep_with_no_deal_gets_zero_counts_and_no_figures);
    tcase_add_test(tc, an_org_with_no_deal_gives_an_empty_card);
    tcase_add_test(tc, bookings_per_peer_and_quarter);
    tcase_add_test(tc, bad_scorecard_arguments_are_refused);
    tcase_add_test(tc, the_bias_is_shrunk_toward_the_team_by_the_priors_weight);
    tcase_add_test(tc, the_interval_spread_is_the_pooled_within_rep_deviation);
    tcase_add_test(tc, one_quarter_does_not_make_a_sandbagger);
    tcase_add_test(tc, an_optimist_lands_below_the_commit);
    tcase_add_test(tc, no_commit_means_unknown_and_nothing_won_counts_as_the_clamp);
    suite_add_tcase(s, tc);
    return fx_run(s);
}

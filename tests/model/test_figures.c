/* Specification of the familiar pipeline figures (gapforge/model_figures.h). */
#include <check.h>
#include <math.h>
#include <stdio.h>

#include "fixture.h"
#include "gapforge/model_figures.h"
#include "gapforge/model_spells.h"
#include "gapforge/model_synth.h"

START_TEST(stage_win_rates_count_deals_that_reached_each_stage)
{
    gf_model_period q[8];
    const gf_model_calendar cal = fx_quarters(2025, 2, q);
    const gf_day d0 = q[1].start, as_of = d0 + 60;
    fx *f = fx_new(8);
    size_t i = fx_deal(f, 1, d0, FX_QUALIFY); /* A: won through propose */
    fx_move(f, i, d0 + 5, FX_PROPOSE);
    fx_move(f, i, d0 + 9, FX_WON);
    i = fx_deal(f, 1, d0, FX_QUALIFY); /* B: lost in qualify */
    fx_move(f, i, d0 + 4, FX_LOST);
    i = fx_deal(f, 1, d0, FX_QUALIFY); /* C: lost in propose */
    fx_move(f, i, d0 + 5, FX_PROPOSE);
    fx_move(f, i, d0 + 7, FX_LOST);
    fx_deal(f, 1, d0, FX_QUALIFY);     /* D: open in qualify */
    i = fx_deal(f, 1, d0, FX_QUALIFY); /* E: open in propose */
    fx_move(f, i, d0 + 5, FX_PROPOSE);
    i = fx_deal(f, 1, d0 - 400, FX_QUALIFY); /* outside the window */
    fx_move(f, i, d0 - 390, FX_WON);
    const gf_model_history h = fx_history(f);
    gf_model_stage_rate r[4];
    gf_model_figures fig;
    ck_assert_int_eq(gf_model_figures_compute(&h, &cal, NULL, as_of, as_of - 365, NULL, r, &fig),
                     0);
    ck_assert_uint_eq(r[FX_QUALIFY].reached, 5);
    ck_assert_uint_eq(r[FX_QUALIFY].open, 2);
    ck_assert_double_eq_tol(r[FX_QUALIFY].win_rate, 1.0 / 3.0, 1e-12);
    ck_assert_uint_eq(r[FX_PROPOSE].reached, 3);
    ck_assert_double_eq_tol(r[FX_PROPOSE].win_rate, 0.5, 1e-12);
    ck_assert_uint_eq(r[FX_WON].reached, 1);
    ck_assert_uint_eq(r[FX_LOST].reached, 2);
    ck_assert(isnan(r[FX_QUALIFY].model_win_rate));
    fx_free(f);
}
END_TEST

START_TEST(slip_and_pull_in_follow_their_definitions)
{
    gf_model_period q[8];
    const gf_model_calendar cal = fx_quarters(2025, 2, q);
    const gf_model_period Q = q[2];
    fx *f = fx_new(8);
    size_t i = fx_deal(f, 1, Q.start - 30, FX_PROPOSE); /* expected in Q, still open: slipped */
    fx_close_date(f, i, Q.start - 30, Q.start + 40);
    i = fx_deal(f, 1, Q.start - 30, FX_PROPOSE); /* expected in Q, won in Q */
    fx_close_date(f, i, Q.start - 30, Q.start + 40);
    fx_move(f, i, Q.start + 35, FX_WON);
    i = fx_deal(f, 1, Q.start - 30, FX_PROPOSE); /* expected later, won in Q: pulled in */
    fx_close_date(f, i, Q.start - 30, Q.end + 40);
    fx_move(f, i, Q.start + 10, FX_WON);
    i = fx_deal(f, 1, Q.start - 30, FX_PROPOSE); /* expected later, still open */
    fx_close_date(f, i, Q.start - 30, Q.end + 40);
    fx_deal(f, 1, Q.start - 30, FX_PROPOSE); /* no close date: left out */
    const gf_model_history h = fx_history(f);
    gf_model_stage_rate r[4];
    gf_model_figures fig;
    const gf_day as_of = Q.end + 10;
    ck_assert_int_eq(gf_model_figures_compute(&h, &cal, NULL, as_of, Q.start, NULL, r, &fig), 0);
    ck_assert_uint_eq(fig.quarters, 1);
    ck_assert_uint_eq(fig.slip_base, 2);
    ck_assert_uint_eq(fig.slipped, 1);
    ck_assert_double_eq_tol(fig.slip_rate, 0.5, 1e-12);
    ck_assert_uint_eq(fig.pull_in_base, 2);
    ck_assert_uint_eq(fig.pulled_in, 1);
    ck_assert_double_eq_tol(fig.pull_in_rate, 0.5, 1e-12);
    fx_free(f);
}
END_TEST

START_TEST(closed_only_win_rate_overstates_what_the_model_sees_with_zombies_open)
{
    gf_model_synth_params p;
    gf_model_synth_params_default(&p);
    p.zombie_share = 0.3;
    gf_model_synth *s = NULL;
    ck_assert_int_eq(gf_model_synth_new(&p, &s), 0);
    gf_model_history h;
    gf_model_calendar cal;
    gf_model_synth_history(s, &h, &cal);
    const gf_day as_of = p.end_day;
    gf_model_spells sp = {0};
    ck_assert_int_eq(gf_model_spells_build(&h, as_of, &sp), 0);
    gf_model_survival_opts o;
    gf_model_survival_opts_default(as_of, &o);
    gf_model_survival *m = NULL;
    ck_assert_int_eq(gf_model_survival_fit(&sp, h.stages, h.n_stages, &cal, &o, &m), 0);
    gf_model_stage_rate r[GF_MODEL_SYNTH_MAX_OPEN + 2];
    gf_model_figures fig;
    ck_assert_int_eq(gf_model_figures_compute(&h, &cal, m, as_of, as_of - 365, NULL, r, &fig), 0);
    printf("stage 0: closed-only win rate %.3f, model %.3f (%u open of %u reached); "
           "slip %.2f, pull-in %.2f\n",
           r[0].win_rate, r[0].model_win_rate, r[0].open, r[0].reached, fig.slip_rate,
           fig.pull_in_rate);
    ck_assert(r[0].model_win_rate < r[0].win_rate);
    ck_assert(fig.slip_rate > 0.0 && fig.slip_rate < 1.0);
    gf_model_survival_free(m);
    gf_model_spells_free(&sp);
    gf_model_synth_free(s);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("model_figures");
    TCase *tc = tcase_create("figures");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, stage_win_rates_count_deals_that_reached_each_stage);
    tcase_add_test(tc, slip_and_pull_in_follow_their_definitions);
    tcase_add_test(tc, closed_only_win_rate_overstates_what_the_model_sees_with_zombies_open);
    suite_add_tcase(s, tc);
    return fx_run(s);
}

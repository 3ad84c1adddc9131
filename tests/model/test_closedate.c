/* Specification of the close-date position factors (gapforge/model_closedate.h). */
#include <check.h>
#include <math.h>
#include <stdio.h>

#include "fixture.h"
#include "gapforge/model_closedate.h"
#include "gapforge/model_spells.h"

START_TEST(positions_follow_their_definitions)
{
    const gf_model_period p = {100, 190};
    ck_assert_int_eq(gf_model_close_pos_of(GF_MODEL_NO_DAY, 120, p), GF_MODEL_CLOSE_NONE);
    ck_assert_int_eq(gf_model_close_pos_of(119, 120, p), GF_MODEL_CLOSE_OVERDUE);
    ck_assert_int_eq(gf_model_close_pos_of(120, 120, p), GF_MODEL_CLOSE_INSIDE);
    ck_assert_int_eq(gf_model_close_pos_of(190, 120, p), GF_MODEL_CLOSE_INSIDE);
    ck_assert_int_eq(gf_model_close_pos_of(191, 120, p), GF_MODEL_CLOSE_AFTER);
    ck_assert_int_eq(gf_model_close_pos_of(95, 90, p), GF_MODEL_CLOSE_BEFORE);
    ck_assert_str_eq(gf_model_close_pos_name(GF_MODEL_CLOSE_AFTER), "after");
    ck_assert_double_eq(gf_model_close_adjust(0.0, 3.0), 0.0);
    ck_assert_double_eq(gf_model_close_adjust(1.0, 3.0), 1.0);
    ck_assert_double_eq_tol(gf_model_close_adjust(0.5, 3.0), 0.75, 1e-12);
}
END_TEST

START_TEST(close_dates_inside_the_quarter_raise_the_odds_and_later_ones_lower_them)
{
    gf_model_period q[12];
    const gf_model_calendar cal = fx_quarters(2023, 3, q);
    fx *f = fx_new(800);
    /* Each quarter, at day 10: deals in propose expecting to close inside the quarter mostly win
     * in it; deals expecting to close after it win only next quarter. */
    for (int k = 0; k < 8; k++) {
        const gf_day at = q[k].start + 10;
        for (int j = 0; j < 20; j++) {
            size_t i = fx_deal(f, 100, at - 5, FX_PROPOSE);
            fx_close_date(f, i, at - 5, q[k].end - 10);
            fx_move(f, i, j < 15 ? q[k].end - 10 + j % 5 : q[k].end + 20,
                    j < 15 ? FX_WON : FX_LOST);
            i = fx_deal(f, 100, at - 5, FX_PROPOSE);
            fx_close_date(f, i, at - 5, q[k].end + 30);
            fx_move(f, i, q[k].end + 30, j < 15 ? FX_WON : FX_LOST);
        }
    }
    const gf_model_history h = fx_history(f);
    const gf_model_period period = q[8];
    const gf_day as_of = period.start + 10;
    gf_model_spells sp = {0};
    ck_assert_int_eq(gf_model_spells_build(&h, as_of, &sp), 0);
    gf_model_survival_opts o;
    gf_model_survival_opts_default(as_of, &o);
    gf_model_survival *m = NULL;
    ck_assert_int_eq(gf_model_survival_fit(&sp, h.stages, h.n_stages, &cal, &o, &m), 0);
    gf_model_close_factors cf;
    ck_assert_int_eq(gf_model_close_factors_fit(&h, &cal, m, period, as_of, 4, 10.0, NULL, &cf), 0);
    const gf_model_close_factor *in = &cf.pos[GF_MODEL_CLOSE_INSIDE],
                                *after = &cf.pos[GF_MODEL_CLOSE_AFTER];
    printf(
        "inside: factor %.2f (%u deals, won %.0f, predicted %.1f); after: factor %.2f (%u deals, "
        "won %.0f, predicted %.1f)\n",
        in->odds_factor, in->n_deals, in->won, in->predicted, after->odds_factor, after->n_deals,
        after->won, after->predicted);
    ck_assert_uint_eq(cf.n_quarters, 4);
    /* Inside: this quarter's 20 + last quarter's 20 "after" deals, now due, per quarter. */
    ck_assert_uint_eq(in->n_deals, 160);
    ck_assert_double_eq(in->won, 120.0);
    ck_assert_double_eq(after->won, 0.0);
    ck_assert(in->odds_factor > 1.5);
    ck_assert(after->odds_factor < 0.5);
    ck_assert_double_eq(cf.pos[GF_MODEL_CLOSE_NONE].odds_factor, 1.0);
    gf_model_survival_free(m);
    gf_model_spells_free(&sp);
    fx_free(f);
}
END_TEST

/* Late in each quarter, deals long in propose are all won in its last days (held for the
 * quarter end) while deals in qualify with the same close dates never are: the position
 * factor cannot tell them apart, the stage factors on top of it do. */
START_TEST(stage_factors_separate_what_the_position_factor_averages)
{
    gf_model_period q[12];
    const gf_model_calendar cal = fx_quarters(2023, 3, q);
    fx *f = fx_new(400);
    for (int k = 0; k < 8; k++) {
        for (int j = 0; j < 20; j++) {
            size_t i = fx_deal(f, 100, q[k].start + 10, FX_PROPOSE);
            fx_close_date(f, i, q[k].start + 10, q[k].end - 3);
            fx_move(f, i, q[k].end - 2, FX_WON);
            i = fx_deal(f, 100, q[k].start + 60, FX_QUALIFY);
            fx_close_date(f, i, q[k].start + 60, q[k].end - 5);
            fx_move(f, i, q[k].end + 10, FX_PROPOSE);
            fx_move(f, i, q[k].end + 20, FX_LOST);
        }
    }
    const gf_model_history h = fx_history(f);
    const gf_model_period period = q[8];
    const gf_day as_of = period.start + 70;
    gf_model_spells sp = {0};
    ck_assert_int_eq(gf_model_spells_build(&h, as_of, &sp), 0);
    gf_model_survival_opts o;
    gf_model_survival_opts_default(as_of, &o);
    gf_model_survival *m = NULL;
    ck_assert_int_eq(gf_model_survival_fit(&sp, h.stages, h.n_stages, &cal, &o, &m), 0);
    gf_model_close_factors cf;
    ck_assert_int_eq(gf_model_close_factors_fit(&h, &cal, m, period, as_of, 4, 10.0, NULL, &cf), 0);
    const gf_model_close_factor *pr = &cf.stage[FX_PROPOSE], *qu = &cf.stage[FX_QUALIFY];
    printf("propose: factor %.2f (%u deals, won %.0f); qualify: factor %.2f (%u deals, won %.0f); "
           "inside %.2f\n",
           pr->odds_factor, pr->n_deals, pr->won, qu->odds_factor, qu->n_deals, qu->won,
           cf.pos[GF_MODEL_CLOSE_INSIDE].odds_factor);
    ck_assert_uint_eq(cf.n_stages, h.n_stages);
    ck_assert_uint_eq(pr->n_deals, 80);
    ck_assert_double_eq(pr->won, 80.0);
    ck_assert_uint_eq(qu->n_deals, 80);
    ck_assert_double_eq(qu->won, 0.0);
    ck_assert(pr->odds_factor > 2.0);
    ck_assert(qu->odds_factor < 0.5);
    ck_assert_double_eq(cf.stage[FX_WON].odds_factor, 1.0);
    ck_assert_double_eq_tol(gf_model_close_factor_of(&cf, GF_MODEL_CLOSE_INSIDE, FX_PROPOSE),
                            cf.pos[GF_MODEL_CLOSE_INSIDE].odds_factor * pr->odds_factor, 1e-12);
    gf_model_survival_free(m);
    gf_model_spells_free(&sp);
    fx_free(f);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("model_closedate");
    TCase *tc = tcase_create("closedate");
    tcase_add_test(tc, positions_follow_their_definitions);
    tcase_add_test(tc, close_dates_inside_the_quarter_raise_the_odds_and_later_ones_lower_them);
    tcase_add_test(tc, stage_factors_separate_what_the_position_factor_averages);
    suite_add_tcase(s, tc);
    return fx_run(s);
}

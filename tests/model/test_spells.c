/* Specification of history -> spells (gapforge/model_spells.h). */
#include <check.h>

#include "fixture.h"
#include "gapforge/model_spells.h"

START_TEST(won_deal_gives_one_spell_per_stage_with_age_at_exit)
{
    fx *f = fx_new(2);
    const size_t i = fx_deal(f, 500, 100, FX_QUALIFY);
    fx_move(f, i, 112, FX_PROPOSE);
    fx_move(f, i, 130, FX_WON);
    const gf_model_history h = fx_history(f);
    gf_model_spells sp = {0};
    ck_assert_int_eq(gf_model_spells_build(&h, 200, &sp), 0);
    ck_assert_uint_eq(sp.n, 2);
    ck_assert_int_eq(sp.items[0].stage, FX_QUALIFY);
    ck_assert_int_eq(sp.items[0].duration, 12);
    ck_assert_int_eq(sp.items[0].exit, GF_MODEL_EXIT_ADVANCED);
    ck_assert_int_eq(sp.items[1].stage, FX_PROPOSE);
    ck_assert_int_eq(sp.items[1].duration, 18);
    ck_assert_int_eq(sp.items[1].exit, GF_MODEL_EXIT_WON);
    gf_model_spells_free(&sp);
    fx_free(f);
}
END_TEST

START_TEST(open_deal_is_censored_at_as_of_never_dropped)
{
    fx *f = fx_new(2);
    const size_t i = fx_deal(f, 500, 100, FX_QUALIFY);
    fx_move(f, i, 150, FX_LOST); /* after as_of: must be ignored */
    const gf_model_history h = fx_history(f);
    gf_model_spells sp = {0};
    ck_assert_int_eq(gf_model_spells_build(&h, 140, &sp), 0);
    ck_assert_uint_eq(sp.n, 1);
    ck_assert_int_eq(sp.items[0].exit, GF_MODEL_EXIT_CENSORED);
    ck_assert_int_eq(sp.items[0].duration, 40);
    ck_assert_int_eq(sp.items[0].to_stage, -1);
    gf_model_spells_free(&sp);
    fx_free(f);
}
END_TEST

START_TEST(advance_regression_and_reopening_are_told_apart)
{
    fx *f = fx_new(2);
    const size_t i = fx_deal(f, 500, 100, FX_QUALIFY);
    fx_move(f, i, 110, FX_PROPOSE);
    fx_move(f, i, 120, FX_QUALIFY);
    fx_move(f, i, 125, FX_LOST);
    fx_move(f, i, 140, FX_PROPOSE); /* reopened */
    const gf_model_history h = fx_history(f);
    gf_model_spells sp = {0};
    ck_assert_int_eq(gf_model_spells_build(&h, 150, &sp), 0);
    ck_assert_uint_eq(sp.n, 4);
    ck_assert_int_eq(sp.items[0].exit, GF_MODEL_EXIT_ADVANCED);
    ck_assert_int_eq(sp.items[1].exit, GF_MODEL_EXIT_REGRESSED);
    ck_assert_int_eq(sp.items[1].to_stage, FX_QUALIFY);
    ck_assert_int_eq(sp.items[2].exit, GF_MODEL_EXIT_LOST);
    ck_assert_int_eq(sp.items[2].duration, 5);
    ck_assert_int_eq(sp.items[3].exit, GF_MODEL_EXIT_CENSORED);
    ck_assert_int_eq(sp.items[3].entered, 140);
    ck_assert_int_eq(sp.items[3].duration, 10);
    gf_model_spells_free(&sp);
    fx_free(f);
}
END_TEST

START_TEST(data_dated_on_or_after_as_of_changes_nothing)
{
    fx *f = fx_new(4);
    const size_t a = fx_deal(f, 500, 100, FX_QUALIFY);
    fx_move(f, a, 120, FX_PROPOSE);
    const size_t b = fx_deal(f, 700, 105, FX_QUALIFY);
    gf_model_history h = fx_history(f);
    gf_model_spells before = {0}, after = {0};
    ck_assert_int_eq(gf_model_spells_build(&h, 130, &before), 0);
    fx_move(f, a, 130, FX_WON); /* on as_of */
    fx_move(f, b, 131, FX_LOST);
    fx_deal(f, 900, 130, FX_QUALIFY); /* created on as_of */
    fx_deal(f, 900, 160, FX_PROPOSE);
    h = fx_history(f);
    ck_assert_int_eq(gf_model_spells_build(&h, 130, &after), 0);
    ck_assert_uint_eq(before.n, after.n);
    ck_assert_mem_eq(before.items, after.items, before.n * sizeof(*before.items));
    gf_model_spells_free(&before);
    gf_model_spells_free(&after);
    fx_free(f);
}
END_TEST

START_TEST(malformed_history_is_refused)
{
    fx *f = fx_new(2);
    const size_t i = fx_deal(f, 500, 100, FX_QUALIFY);
    fx_move(f, i, 90, FX_PROPOSE);
    const gf_model_history h = fx_history(f);
    gf_model_spells sp = {0};
    ck_assert_int_eq(gf_model_spells_build(&h, 150, &sp), GF_MODEL_EINVAL);
    ck_assert_uint_eq(sp.n, 0);
    gf_model_spells_free(&sp);
    fx_free(f);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("model_spells");
    TCase *tc = tcase_create("spells");
    tcase_add_test(tc, won_deal_gives_one_spell_per_stage_with_age_at_exit);
    tcase_add_test(tc, open_deal_is_censored_at_as_of_never_dropped);
    tcase_add_test(tc, advance_regression_and_reopening_are_told_apart);
    tcase_add_test(tc, data_dated_on_or_after_as_of_changes_nothing);
    tcase_add_test(tc, malformed_history_is_refused);
    suite_add_tcase(s, tc);
    return fx_run(s);
}

/* test_summary.c — the board paragraph says the figures a leader needs, in both formats. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "gapforge/model_summary.h"

static const gf_model_summary_driver drivers[] = {
    {"win rate", 0.24, 0.19, 1, -42000000.0},
    {"opportunities created", 120, 102, 0, -18000000.0},
};

static const gf_model_summary_action actions[] = {
    {"SDR agency", 2, 3000000.0, 21000000.0, 0},
    {"Close-plan reviews", 1, 500000.0, 9000000.0, 0},
};

static gf_model_summary_input plan_input(int achieves)
{
    gf_model_summary_input in = {
        .currency = "USD",
        .period = "2026-Q4",
        .target_cents = 500000000.0,
        .baseline_p50_cents = 440000000.0,
        .baseline_prob_hit = 0.21,
        .result_p50_cents = achieves ? 505000000.0 : 470000000.0,
        .result_prob_hit = achieves ? 0.53 : 0.33,
        .drivers = drivers,
        .n_drivers = 2,
        .actions = actions,
        .n_actions = 2,
        .total_cost_cents = 3500000.0,
        .achieves = achieves,
        .residual_gap_cents = achieves ? 0 : 30000000.0,
    };
    in.actions = actions;
    return in;
}

START_TEST(money_is_short_and_signed)
{
    char out[32];
    gf_model_money_short(124000000.0, "USD", out);
    ck_assert_str_eq(out, "$1.24M");
    gf_model_money_short(-1850000.0, "USD", out);
    ck_assert_str_eq(out, "-$18.5k");
    gf_model_money_short(42000000.0, "CHF", out);
    ck_assert_str_eq(out, "CHF 420.0k");
    gf_model_money_short(99900.0, "USD", out);
    ck_assert_str_eq(out, "$999");
}
END_TEST

START_TEST(counts_and_days_are_plain_numbers_not_money)
{
    const gf_model_summary_driver d[] = {
        {"opportunities created", 120, 102, 0, -18000000.0, ""},
        {"cycle time", 40, 52, 0, -9000000.0, "days"},
    };
    gf_model_summary_input in = plan_input(1);
    in.drivers = d;
    char out[2048];
    gf_model_summary_write(&in, 0, out, sizeof out);
    ck_assert_ptr_nonnull(strstr(out, "opportunities created 120 → 102 (-$180.0k)"));
    ck_assert_ptr_nonnull(strstr(out, "cycle time 40 → 52 days (-$90.0k)"));
}
END_TEST

START_TEST(plain_text_names_landing_gap_drivers_plan_ask_and_refusal)
{
    gf_model_summary_input in = plan_input(1);
    char out[2048];
    size_t n = gf_model_summary_write(&in, 0, out, sizeof out);
    ck_assert_uint_eq(n, strlen(out));
    ck_assert_ptr_nonnull(strstr(out, "2026-Q4 lands at $4.40M against a target of $5.00M"));
    ck_assert_ptr_nonnull(strstr(out, "21% chance"));
    ck_assert_ptr_nonnull(strstr(out, "a gap of $600.0k"));
    ck_assert_ptr_nonnull(strstr(out, "win rate 24% → 19% (-$420.0k)"));
    ck_assert_ptr_nonnull(strstr(out, "SDR agency × 2"));
    ck_assert_ptr_nonnull(strstr(out, "The ask is $35.0k"));
    ck_assert_ptr_nonnull(strstr(out, "P50 rises to $5.05M"));
    ck_assert_ptr_nonnull(strstr(out, "If it is refused, expect $4.40M"));
    ck_assert_ptr_null(strstr(out, "**"));
}
END_TEST

START_TEST(markdown_bolds_figures_and_lists_actions)
{
    gf_model_summary_input in = plan_input(1);
    char out[2048];
    gf_model_summary_write(&in, 1, out, sizeof out);
    ck_assert_ptr_nonnull(strstr(out, "**$4.40M**"));
    ck_assert_ptr_nonnull(strstr(out, "\n- SDR agency × 2, start by 1970-01-01"));
    ck_assert_ptr_nonnull(strstr(out, "**$35.0k**"));
}
END_TEST

START_TEST(out_of_reach_says_what_remains)
{
    gf_model_summary_input in = plan_input(0);
    char out[2048];
    gf_model_summary_write(&in, 0, out, sizeof out);
    ck_assert_ptr_nonnull(strstr(out, "out of reach"));
    ck_assert_ptr_nonnull(strstr(out, "$300.0k still remains"));
}
END_TEST

START_TEST(no_actions_and_goal_met_says_so)
{
    gf_model_summary_input in = plan_input(1);
    in.n_actions = 0;
    in.baseline_p50_cents = 520000000.0;
    char out[1024];
    gf_model_summary_write(&in, 0, out, sizeof out);
    ck_assert_ptr_nonnull(strstr(out, "at or above target"));
    ck_assert_ptr_nonnull(strstr(out, "No action is needed"));
}
END_TEST

START_TEST(a_small_buffer_is_cut_cleanly)
{
    gf_model_summary_input in = plan_input(1);
    char out[64];
    size_t n = gf_model_summary_write(&in, 0, out, sizeof out);
    ck_assert_uint_lt(n, sizeof out);
    ck_assert_uint_eq(n, strlen(out));
}
END_TEST

START_TEST(the_gap_split_replaces_the_driver_list_and_adds_up)
{
    gf_model_summary_input in = plan_input(1);
    const gf_model_summary_gap g = {.gap_cents = 60000000.0,
                                    .stretch_cents = 35000000.0,
                                    .has_largest = 1,
                                    .largest = {"win rate", 0.24, 0.19, 1, 42000000.0},
                                    .other_drivers_cents = -8000000.0,
                                    .timing_cents = -9000000.0};
    in.gap = &g;
    char out[2048];
    gf_model_summary_write(&in, 0, out, sizeof out);
    ck_assert_ptr_nonnull(strstr(out, "a gap of $600.0k. Of that gap, $350.0k is target stretch"));
    ck_assert_ptr_nonnull(strstr(out, "$420.0k win rate 24% → 19%, -$80.0k the other drivers"));
    ck_assert_ptr_nonnull(strstr(out, "and -$90.0k timing and uncertainty."));
    ck_assert_ptr_null(strstr(out, "Why:"));
}
END_TEST

START_TEST(a_plan_for_the_most_p50_says_what_the_budget_buys)
{
    gf_model_summary_input in = plan_input(0);
    in.goal = GF_MODEL_SUMMARY_MAX_P50;
    in.budget_cents = 5000000.0;
    in.baseline_expected_cents = 450000000.0;
    in.result_expected_cents = 480000000.0;
    char out[2048];
    gf_model_summary_write(&in, 0, out, sizeof out);
    ck_assert_ptr_nonnull(strstr(out, "With $35.0k of the $50.0k budget, the P50 rises from $4.40M "
                                      "to $4.70M (expected $4.50M to $4.80M) and the chance of "
                                      "hitting the target from 21% to 33%."));
    ck_assert_ptr_nonnull(strstr(out, "If it is refused, expect $4.40M."));
    ck_assert_ptr_null(strstr(out, "out of reach"));
    /* Without a target: no gap, no chance. */
    in.no_target = 1;
    in.goal = GF_MODEL_SUMMARY_MAX_EXPECTED;
    gf_model_summary_write(&in, 0, out, sizeof out);
    ck_assert_ptr_nonnull(strstr(out, "lands at $4.40M (P50; no target is set)."));
    ck_assert_ptr_nonnull(strstr(out, "expected bookings rise from $4.50M to $4.80M (P50 $4.40M to "
                                      "$4.70M)."));
    ck_assert_ptr_null(strstr(out, "chance"));
    in.n_actions = 0;
    gf_model_summary_write(&in, 0, out, sizeof out);
    ck_assert_ptr_nonnull(
        strstr(out, "No action within the budget of $50.0k raises the forecast."));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("model_summary");
    TCase *tc = tcase_create("summary");
    tcase_add_test(tc, money_is_short_and_signed);
    tcase_add_test(tc, plain_text_names_landing_gap_drivers_plan_ask_and_refusal);
    tcase_add_test(tc, markdown_bolds_figures_and_lists_actions);
    tcase_add_test(tc, out_of_reach_says_what_remains);
    tcase_add_test(tc, no_actions_and_goal_met_says_so);
    tcase_add_test(tc, a_small_buffer_is_cut_cleanly);
    tcase_add_test(tc, counts_and_days_are_plain_numbers_not_money);
    tcase_add_test(tc, the_gap_split_replaces_the_driver_list_and_adds_up);
    tcase_add_test(tc, a_plan_for_the_most_p50_says_what_the_budget_buys);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

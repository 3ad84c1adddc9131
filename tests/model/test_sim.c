/* Specification of the Monte Carlo (gapforge/model_sim.h) against hand-computed cases. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gapforge/model_sim.h"

static gf_model_sim_input one_deal(const int64_t *amount, const double *p, size_t n)
{
    return (gf_model_sim_input){
        .amount_cents = amount, .p = p, .n_deals = n, .trials = 10000, .seed = 7, .threads = 1};
}

START_TEST(one_deal_at_030_has_exact_expected_and_quantiles)
{
    const int64_t amount[] = {100};
    const double p[] = {0.3};
    gf_model_sim_input in = one_deal(amount, p, 1);
    in.target_cents = 100;
    gf_model_sim_result r;
    ck_assert_int_eq(gf_model_sim_run(&in, &r, NULL), 0);
    ck_assert_double_eq_tol(r.expected, 30.0, 1e-9);
    /* Totals are 0 (70%) or 100 (30%): the 10% and 50% quantiles are 0, the 90% one is 100. */
    ck_assert_int_eq(r.p10, 0);
    ck_assert_int_eq(r.p50, 0);
    ck_assert_int_eq(r.p90, 100);
    ck_assert_double_eq_tol(r.prob_hit, 0.3, 4 * sqrt(0.3 * 0.7 / 10000));
    ck_assert_int_eq(r.min, 0);
    ck_assert_int_eq(r.max, 100);
    ck_assert_uint_eq(r.hist_counts[0] + r.hist_counts[GF_MODEL_SIM_BINS - 1], 10000);
}
END_TEST

START_TEST(two_deals_at_half_reach_one_deal_target_three_times_in_four)
{
    const int64_t amount[] = {100, 100};
    const double p[] = {0.5, 0.5};
    gf_model_sim_input in = one_deal(amount, p, 2);
    in.target_cents = 100;
    gf_model_sim_result r;
    ck_assert_int_eq(gf_model_sim_run(&in, &r, NULL), 0);
    ck_assert_double_eq_tol(r.expected, 100.0, 1e-9);
    ck_assert_double_eq_tol(r.prob_hit, 0.75, 4 * sqrt(0.75 * 0.25 / 10000));
    ck_assert_int_eq(r.p10, 0);
    ck_assert_int_eq(r.p50, 100);
    ck_assert_int_eq(r.p90, 200);
}
END_TEST

START_TEST(certain_deal_and_booked_are_added_exactly)
{
    const int64_t amount[] = {12345, 999};
    const double p[] = {1.0, 0.0};
    gf_model_sim_input in = one_deal(amount, p, 2);
    in.booked_cents = 500;
    in.target_cents = 12845;
    in.sigma = 0.5;
    gf_model_sim_result r;
    ck_assert_int_eq(gf_model_sim_run(&in, &r, NULL), 0);
    ck_assert_double_eq_tol(r.expected, 12845.0, 1e-9);
    ck_assert_int_eq(r.p10, 12845);
    ck_assert_int_eq(r.p90, 12845);
    ck_assert_double_eq(r.stddev, 0.0);
    ck_assert_double_eq(r.prob_hit, 1.0);
}
END_TEST

static void random_book(size_t n, int64_t *amount, double *p)
{
    uint64_t x = 12345;
    for (size_t i = 0; i < n; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        p[i] = (double)(x >> 40) / (double)(1ull << 24);
        amount[i] = 1000 + (int64_t)((x >> 20) % 500000);
    }
}

START_TEST(mean_is_within_three_standard_errors_of_closed_form)
{
    enum { N = 500 };
    int64_t amount[N], news[] = {1000, 5000, 20000};
    double p[N];
    random_book(N, amount, p);
    gf_model_sim_input in = one_deal(amount, p, N);
    in.new_lambda = 3.5;
    in.new_amount_cents = news;
    in.n_new_amounts = 3;
    in.trials = 20000;
    gf_model_sim_result r;
    ck_assert_int_eq(gf_model_sim_run(&in, &r, NULL), 0);
    ck_assert_msg(fabs(r.mean - r.expected) <= 3 * r.std_error, "mean %.1f expected %.1f se %.1f",
                  r.mean, r.expected, r.std_error);
    ck_assert(r.p10 <= r.p50 && r.p50 <= r.p90);
}
END_TEST

START_TEST(same_seed_gives_same_answer_with_one_or_two_threads)
{
    enum { N = 3001 };
    static int64_t amount[N];
    static double p[N];
    random_book(N, amount, p);
    int64_t news[] = {700, 1300};
    gf_model_sim_input in = one_deal(amount, p, N);
    in.sigma = 0.3;
    in.new_lambda = 2.0;
    in.new_amount_cents = news;
    in.n_new_amounts = 2;
    in.trials = 5003; /* not a multiple of the lane count */
    int64_t *t1 = malloc(in.trials * sizeof(*t1)), *t2 = malloc(in.trials * sizeof(*t2));
    ck_assert_ptr_nonnull(t1);
    ck_assert_ptr_nonnull(t2);
    gf_model_sim_result r1, r2;
    in.threads = 1;
    ck_assert_int_eq(gf_model_sim_run(&in, &r1, t1), 0);
    in.threads = 2;
    ck_assert_int_eq(gf_model_sim_run(&in, &r2, t2), 0);
    ck_assert_uint_eq(r2.threads_used, 2);
    ck_assert_mem_eq(t1, t2, in.trials * sizeof(*t1));
    ck_assert_int_eq(r1.p50, r2.p50);
    ck_assert_double_eq(r1.mean, r2.mean);
    in.seed = 8;
    ck_assert_int_eq(gf_model_sim_run(&in, &r2, t2), 0);
    ck_assert_int_ne(memcmp(t1, t2, in.trials * sizeof(*t1)), 0);
    free(t1);
    free(t2);
}
END_TEST

START_TEST(all_cores_give_the_same_answer_as_one)
{
    enum { N = 2000 };
    static int64_t amount[N];
    static double p[N];
    random_book(N, amount, p);
    gf_model_sim_input in = one_deal(amount, p, N);
    in.sigma = 0.2;
    in.trials = 4096;
    gf_model_sim_result one, all;
    in.threads = 1;
    ck_assert_int_eq(gf_model_sim_run(&in, &one, NULL), 0);
    in.threads = 0;
    ck_assert_int_eq(gf_model_sim_run(&in, &all, NULL), 0);
    ck_assert_int_eq(one.p10, all.p10);
    ck_assert_int_eq(one.p50, all.p50);
    ck_assert_int_eq(one.p90, all.p90);
    ck_assert_double_eq(one.mean, all.mean);
    ck_assert_mem_eq(one.hist_counts, all.hist_counts, sizeof(one.hist_counts));
}
END_TEST

START_TEST(common_multiplier_widens_the_spread)
{
    enum { N = 400 };
    int64_t amount[N];
    double p[N];
    for (size_t i = 0; i < N; i++) {
        amount[i] = 1000;
        p[i] = 0.4;
    }
    gf_model_sim_input in = one_deal(amount, p, N);
    gf_model_sim_result calm, shaken;
    ck_assert_int_eq(gf_model_sim_run(&in, &calm, NULL), 0);
    in.sigma = 0.5;
    ck_assert_int_eq(gf_model_sim_run(&in, &shaken, NULL), 0);
    /* Independent: sd = 1000 * sqrt(400 * 0.24) ~ 9.8k; the shared shock adds far more. */
    ck_assert_double_eq_tol(calm.stddev, 1000 * sqrt(N * 0.24), 1000.0);
    ck_assert(shaken.p90 - shaken.p10 > 3 * (calm.p90 - calm.p10));
}
END_TEST

START_TEST(rejects_bad_inputs)
{
    const int64_t amount[] = {100}, negative[] = {-1};
    const double too_big[] = {1.5}, not_a_number[] = {NAN}, half[] = {0.5};
    gf_model_sim_input in = one_deal(amount, too_big, 1);
    gf_model_sim_result r;
    ck_assert_int_eq(gf_model_sim_run(&in, &r, NULL), GF_MODEL_EINVAL);
    in.p = not_a_number;
    ck_assert_int_eq(gf_model_sim_run(&in, &r, NULL), GF_MODEL_EINVAL);
    in.p = half;
    in.amount_cents = negative;
    ck_assert_int_eq(gf_model_sim_run(&in, &r, NULL), GF_MODEL_EINVAL);
    in.amount_cents = amount;
    in.sigma = -0.1;
    ck_assert_int_eq(gf_model_sim_run(&in, &r, NULL), GF_MODEL_EINVAL);
    in.sigma = 0.0;
    in.trials = 10;
    ck_assert_int_eq(gf_model_sim_run(&in, &r, NULL), GF_MODEL_EINVAL);
    in.trials = 0;       /* the default */
    in.new_lambda = 1.0; /* but no amounts to bootstrap */
    ck_assert_int_eq(gf_model_sim_run(&in, &r, NULL), GF_MODEL_EINVAL);
    in.new_lambda = 0.0;
    ck_assert_int_eq(gf_model_sim_run(&in, &r, NULL), 0);
    ck_assert_uint_eq(r.trials, GF_MODEL_SIM_DEFAULT_TRIALS);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("model_sim");
    TCase *tc = tcase_create("sim");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, one_deal_at_030_has_exact_expected_and_quantiles);
    tcase_add_test(tc, two_deals_at_half_reach_one_deal_target_three_times_in_four);
    tcase_add_test(tc, certain_deal_and_booked_are_added_exactly);
    tcase_add_test(tc, mean_is_within_three_standard_errors_of_closed_form);
    tcase_add_test(tc, same_seed_gives_same_answer_with_one_or_two_threads);
    tcase_add_test(tc, all_cores_give_the_same_answer_as_one);
    tcase_add_test(tc, common_multiplier_widens_the_spread);
    tcase_add_test(tc, rejects_bad_inputs);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    const int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

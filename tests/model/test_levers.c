/* Specification of levers (gapforge/model_levers.h). */
#include <check.h>
#include <string.h>

#include "gapforge/model_forecast.h"
#include "gapforge/model_levers.h"
#include "gapforge/model_synth.h"
#include "lever_fixture.h"

static void assert_same_input(const gf_model_sim_input *a, const gf_model_sim_input *b)
{
    ck_assert_uint_eq(a->n_deals, b->n_deals);
    ck_assert_mem_eq(a->amount_cents, b->amount_cents, a->n_deals * sizeof(int64_t));
    ck_assert_mem_eq(a->p, b->p, a->n_deals * sizeof(double));
    ck_assert_mem_eq(&a->new_lambda, &b->new_lambda, sizeof(double));
    ck_assert_uint_eq(a->n_new_amounts, b->n_new_amounts);
    ck_assert_mem_eq(a->new_amount_cents, b->new_amount_cents, a->n_new_amounts * sizeof(int64_t));
    ck_assert_int_eq(a->booked_cents, b->booked_cents);
}

static void assert_same_result(const gf_model_sim_input *a, const gf_model_sim_input *b)
{
    gf_model_sim_result ra, rb;
    ck_assert_int_eq(gf_model_sim_run(a, &ra, NULL), 0);
    ck_assert_int_eq(gf_model_sim_run(b, &rb, NULL), 0);
    ck_assert_int_eq(ra.p10, rb.p10);
    ck_assert_int_eq(ra.p50, rb.p50);
    ck_assert_int_eq(ra.p90, rb.p90);
    ck_assert_mem_eq(&ra.mean, &rb.mean, sizeof(double));
    ck_assert_mem_eq(&ra.expected, &rb.expected, sizeof(double));
}

START_TEST(zero_units_reproduce_the_baseline_input_bit_for_bit)
{
    lf *f = lf_new(300, 1);
    gf_model_lever lv[GF_MODEL_LEVER_KINDS];
    const size_t n = lf_levers(f, lv);
    const uint32_t units[GF_MODEL_LEVER_KINDS] = {0};
    gf_model_lever_work w = {0};
    ck_assert_int_eq(gf_model_levers_apply(&f->ctx, lv, units, n, &w), 0);
    assert_same_input(&w.in, &f->in);
    assert_same_result(&w.in, &f->in);
    ck_assert_int_eq(w.cost_cents, 0);
    ck_assert_double_eq(w.kpi_delta, 0.0);
    gf_model_lever_work_free(&w);
    lf_free(f);
}
END_TEST

START_TEST(more_units_never_lower_the_expected_value)
{
    lf *f = lf_new(300, 2);
    gf_model_lever lv[GF_MODEL_LEVER_KINDS];
    const size_t n = lf_levers(f, lv);
    gf_model_lever_work w = {0};
    for (size_t k = 0; k < n; k++) {
        double last = gf_model_sim_expected(&f->in);
        for (uint32_t u = 1; u <= lv[k].max_units + 2; u++) {
            ck_assert_int_eq(gf_model_levers_apply(&f->ctx, &lv[k], &u, 1, &w), 0);
            const double e = gf_model_sim_expected(&w.in);
            ck_assert_msg(e >= last, "%s: %u units give %.0f < %.0f",
                          gf_model_lever_kind_name(lv[k].kind), u, e, last);
            if (u == 1)
                ck_assert_msg(e > last, "%s moves nothing", gf_model_lever_kind_name(lv[k].kind));
            last = e;
        }
    }
    gf_model_lever_work_free(&w);
    lf_free(f);
}
END_TEST

START_TEST(a_lever_whose_ramp_ends_after_the_period_changes_nothing)
{
    lf *f = lf_new(300, 3);
    gf_model_lever lv[GF_MODEL_LEVER_KINDS];
    const size_t n = lf_levers(f, lv);
    uint32_t units[GF_MODEL_LEVER_KINDS];
    for (size_t k = 0; k < n; k++) {
        lv[k].ramp_days = f->ctx.period.end - f->ctx.as_of + 1; /* effective the day after */
        units[k] = lv[k].max_units;
        ck_assert_double_eq(gf_model_lever_share(&lv[k], &f->ctx), 0.0);
    }
    gf_model_lever_work w = {0};
    ck_assert_int_eq(gf_model_levers_apply(&f->ctx, lv, units, n, &w), 0);
    assert_same_input(&w.in, &f->in);
    assert_same_result(&w.in, &f->in);
    ck_assert_int_gt(w.cost_cents, 0); /* the money is still spent */
    gf_model_lever_work_free(&w);
    lf_free(f);
}
END_TEST

START_TEST(each_kind_moves_its_driver_as_documented)
{
    lf *f = lf_new(4, 4);
    f->p[0] = 0.5;
    f->p_ever[0] = 0.8;
    f->amount[0] = 1000000;
    f->ctx.as_of = 0; /* the whole period remains */
    f->ctx.p_new_by_day = f->p_new;
    f->ctx.n_p_new = LF_DAYS;
    gf_model_lever lv[GF_MODEL_LEVER_KINDS];
    lf_levers(f, lv);
    gf_model_lever_work w = {0};
    uint32_t u = 2;
    /* win_rate: odds x (1 + 0.05 x 2), from day 14 of 91. */
    const double s = (LF_DAYS - 14) / (double)LF_DAYS;
    ck_assert_double_eq_tol(gf_model_lever_share(&lv[GF_MODEL_LEVER_WIN_RATE], &f->ctx), s, 1e-15);
    ck_assert_int_eq(gf_model_levers_apply(&f->ctx, &lv[GF_MODEL_LEVER_WIN_RATE], &u, 1, &w), 0);
    ck_assert_double_eq_tol(w.p[0], 0.5 + s * (1.1 / 2.1 - 0.5), 1e-12);
    /* deal_size: amounts x (1 + 0.02 x 2 x s') with s' = 84/91. */
    ck_assert_int_eq(gf_model_levers_apply(&f->ctx, &lv[GF_MODEL_LEVER_DEAL_SIZE], &u, 1, &w), 0);
    ck_assert_int_eq(w.amount[0], llround(1000000 * (1.0 + 0.04 * 84.0 / 91.0)));
    /* pipeline: 6 opportunities a week from day 10, each won with p_new[d]. */
    double sum = 0.0;
    for (int d = 10; d < LF_DAYS; d++)
        sum += f->p_new[d];
    ck_assert_int_eq(gf_model_levers_apply(&f->ctx, &lv[GF_MODEL_LEVER_PIPELINE], &u, 1, &w), 0);
    ck_assert_double_eq_tol(w.in.new_lambda, 12.0 + 6.0 / 7.0 * sum, 1e-9);
    /* slippage: the one-exit approximation with k = 1.1 from day 7. */
    const double s7 = 84.0 / 91.0;
    ck_assert_int_eq(gf_model_levers_apply(&f->ctx, &lv[GF_MODEL_LEVER_SLIPPAGE], &u, 1, &w), 0);
    ck_assert_double_eq_tol(w.p[0], 0.8 * (1.0 - pow(1.0 - 0.5 / 0.8, 1.0 + s7 * 0.1)), 1e-12);
    /* pull_forward: two next-period deals, net of the 10% discount, at p = 0.5. */
    ck_assert_int_eq(gf_model_levers_apply(&f->ctx, &lv[GF_MODEL_LEVER_PULL_FORWARD], &u, 1, &w),
                     0);
    ck_assert_uint_eq(w.in.n_deals, 6);
    ck_assert_int_eq(w.amount[4], 3600000);
    ck_assert_int_eq(w.amount[5], 3330000);
    ck_assert_double_eq(w.p[5], 0.5);
    ck_assert_int_eq(w.cost_cents, 2 * 100000 + 400000 + 370000);
    /* kpi: +4 a day from day 5 is +4 x 86/91 on the period mean; 0.1 opportunity per unit-day. */
    ck_assert_int_eq(gf_model_levers_apply(&f->ctx, &lv[GF_MODEL_LEVER_KPI], &u, 1, &w), 0);
    ck_assert_double_eq_tol(w.kpi_delta, 4.0 * 86.0 / 91.0, 1e-12);
    sum = 0.0;
    for (int d = 5; d < LF_DAYS; d++)
        sum += f->p_new[d];
    ck_assert_double_eq_tol(w.in.new_lambda, 12.0 + 0.4 * sum, 1e-9);
    /* concession: the first two named deals (0 and 3) gain 0.3, cost 5% of their amounts. */
    const double p3 = f->p[3];
    lv[GF_MODEL_LEVER_CONCESSION].n_deals = 2; /* deals 6 and 9 do not exist here */
    ck_assert_int_eq(gf_model_levers_apply(&f->ctx, &lv[GF_MODEL_LEVER_CONCESSION], &u, 1, &w), 0);
    ck_assert_double_eq_tol(w.p[0], 0.8, 1e-12);
    ck_assert_double_eq_tol(w.p[3], fmin(p3 + 0.3, 1.0 - 0x1.0p-33), 1e-12);
    ck_assert_int_eq(w.cost_cents, llround(0.05 * (1000000.0 + (double)f->amount[3])));
    gf_model_lever_work_free(&w);
    lf_free(f);
}
END_TEST

START_TEST(headcount_follows_productivity_and_the_rep_ramp)
{
    lf *f = lf_new(4, 5);
    f->ctx.as_of = 0;
    gf_model_lever lv[GF_MODEL_LEVER_KINDS];
    lf_levers(f, lv);
    gf_model_lever_work w = {0};
    uint32_t u = 3;
    ck_assert_int_eq(gf_model_levers_apply(&f->ctx, &lv[GF_MODEL_LEVER_HEADCOUNT], &u, 1, &w), 0);
    /* Hired by day 21, then 30 days of linear ramp: 70 days, 15.5 of them ramping. */
    double rep_days = 0.0;
    for (int d = 21; d < LF_DAYS; d++)
        rep_days += fmin(1.0, (d - 21 + 1) / 30.0);
    double mean = 0.0;
    for (size_t k = 0; k < LF_POOL; k++)
        mean += (double)f->pool[k] / LF_POOL;
    ck_assert_double_eq_tol(w.in.new_lambda, 12.0 + 3.0 * 150000.0 * rep_days / mean, 1e-9);
    ck_assert_int_eq(w.cost_cents, 12000000);
    gf_model_lever_work_free(&w);
    lf_free(f);
}
END_TEST

START_TEST(bad_levers_are_refused)
{
    lf *f = lf_new(4, 6);
    gf_model_lever lv[GF_MODEL_LEVER_KINDS];
    lf_levers(f, lv);
    gf_model_lever_work w = {0};
    uint32_t u = 1;
    gf_model_lever bad = lv[GF_MODEL_LEVER_WIN_RATE];
    bad.effect = -0.1;
    ck_assert_int_eq(gf_model_levers_apply(&f->ctx, &bad, &u, 1, &w), GF_MODEL_EINVAL);
    bad = lv[GF_MODEL_LEVER_CONCESSION];
    bad.deals = (const uint32_t[]){9};
    bad.n_deals = 1;
    ck_assert_int_eq(gf_model_levers_apply(&f->ctx, &bad, &u, 1, &w), GF_MODEL_EINVAL);
    f->ctx.n_p_new = 0; /* pipeline needs the new-deal timing table */
    ck_assert_int_eq(gf_model_levers_apply(&f->ctx, &lv[GF_MODEL_LEVER_PIPELINE], &u, 1, &w),
                     GF_MODEL_EINVAL);
    ck_assert_int_eq(gf_model_lever_kind_from_name("pull_forward"), GF_MODEL_LEVER_PULL_FORWARD);
    ck_assert_int_eq(gf_model_lever_kind_from_name("magic"), -1);
    gf_model_lever_work_free(&w);
    lf_free(f);
}
END_TEST

START_TEST(a_deal_created_later_is_less_likely_to_be_won_in_time)
{
    gf_model_synth_params sp;
    gf_model_synth_params_default(&sp);
    gf_model_synth *syn = NULL;
    ck_assert_int_eq(gf_model_synth_new(&sp, &syn), 0);
    gf_model_history h;
    gf_model_calendar cal;
    gf_model_synth_history(syn, &h, &cal);
    const gf_model_period period = cal.quarters[gf_model_calendar_find(&cal, sp.end_day - 200)];
    const gf_day as_of = period.start + 20;
    gf_model_forecast_opts o;
    gf_model_forecast_opts_default(as_of, &o);
    gf_model_forecast *fc = NULL;
    ck_assert_int_eq(gf_model_forecast_build(&h, &cal, period, as_of, &o, &fc), 0);
    const size_t n = (size_t)(period.end - as_of + 1);
    double *t = malloc(n * sizeof(*t));
    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(gf_model_lever_p_new_table(fc->survival, &cal, as_of, period.end, t), 0);
    ck_assert(t[0] > 0.05 && t[0] < 1.0);
    for (size_t k = 1; k < n; k++)
        ck_assert(t[k] <= t[k - 1] + 1e-12);
    ck_assert(t[n - 1] < 0.2 * t[0]);
    free(t);
    gf_model_forecast_free(fc);
    gf_model_synth_free(syn);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("model_levers");
    TCase *tc = tcase_create("levers");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, zero_units_reproduce_the_baseline_input_bit_for_bit);
    tcase_add_test(tc, more_units_never_lower_the_expected_value);
    tcase_add_test(tc, a_lever_whose_ramp_ends_after_the_period_changes_nothing);
    tcase_add_test(tc, each_kind_moves_its_driver_as_documented);
    tcase_add_test(tc, headcount_follows_productivity_and_the_rep_ramp);
    tcase_add_test(tc, bad_levers_are_refused);
    tcase_add_test(tc, a_deal_created_later_is_less_likely_to_be_won_in_time);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    const int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

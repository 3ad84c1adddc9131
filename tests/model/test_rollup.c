/* Specification of roll-up rows (gapforge/model_rollup.h). */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "gapforge/model_forecast.h"
#include "gapforge/model_rng.h"
#include "gapforge/model_rollup.h"
#include "gapforge/model_synth.h"

#define TRIALS 2000
#define SEED   17
#define SIGMA  0.15

/* A synthetic org's forecast of a quarter seen 30 days in, built with new_quarters earlier
 * quarters for the new deals. */
typedef struct org {
    gf_model_synth *syn;
    gf_model_history h;
    gf_model_calendar cal;
    gf_model_forecast_opts o;
    gf_model_forecast *f;
} org;

static void org_new(org *g, size_t new_quarters)
{
    gf_model_synth_params sp;
    gf_model_synth_params_default(&sp);
    ck_assert_int_eq(gf_model_synth_new(&sp, &g->syn), 0);
    gf_model_synth_history(g->syn, &g->h, &g->cal);
    const gf_model_period period =
        g->cal.quarters[gf_model_calendar_find(&g->cal, sp.end_day - 200)];
    const gf_day as_of = period.start + 30;
    gf_model_forecast_opts_default(as_of, &g->o);
    g->o.new_quarters = new_quarters;
    g->f = NULL;
    ck_assert_int_eq(gf_model_forecast_build(&g->h, &g->cal, period, as_of, &g->o, &g->f), 0);
    ck_assert_int_gt(g->f->booked_cents, 0);
    ck_assert_double_gt(g->f->expected_new_cents, 0.0);
}

static void org_free(org *g)
{
    gf_model_forecast_free(g->f);
    gf_model_synth_free(g->syn);
}

static gf_model_rollup row_of(const org *g, const uint8_t *mask, int64_t target)
{
    gf_model_rollup r;
    ck_assert_int_eq(
        gf_model_rollup_row(&g->h, &g->cal, g->f, &g->o, mask, SIGMA, target, TRIALS, SEED, &r), 0);
    ck_assert(r.p10 <= r.p50 && r.p50 <= r.p90);
    return r;
}

/* The row of every deal is the forecast itself: its booked amount, open pipeline and expected
 * value, and the simulation of its own input, bit for bit. */
START_TEST(the_row_of_the_whole_scope_is_the_parent_forecast)
{
    org g;
    org_new(&g, 4);
    const int64_t target = g.f->booked_cents + (int64_t)g.f->expected_open_cents;
    const gf_model_rollup r = row_of(&g, NULL, target);
    ck_assert_double_eq(r.booked_cents, (double)g.f->booked_cents);
    ck_assert_double_eq(r.open_cents, (double)g.f->open_in_period_cents);
    const double expected =
        (double)g.f->booked_cents + g.f->expected_open_cents + g.f->expected_new_cents;
    ck_assert_double_eq_tol(r.expected_cents, expected, 1e-12 * expected);
    gf_model_sim_input in;
    gf_model_forecast_sim_input(g.f, target, SIGMA, TRIALS, SEED, 0, &in);
    gf_model_sim_result s;
    ck_assert_int_eq(gf_model_sim_run(&in, &s, NULL), 0);
    ck_assert_int_eq(r.p10, s.p10);
    ck_assert_int_eq(r.p50, s.p50);
    ck_assert_int_eq(r.p90, s.p90);
    ck_assert_double_eq(r.prob_hit, s.prob_hit);
    ck_assert(r.prob_hit > 0.0 && r.prob_hit < 1.0);
    org_free(&g);
}
END_TEST

/* The rows of a partition of the deals (three random groups, the last of them "unassigned")
 * add up to the total row: booked, open pipeline and expected value. */
START_TEST(rows_of_a_partition_add_up_to_the_total_row)
{
    org g;
    org_new(&g, 4);
    const size_t n = g.h.n_deals;
    uint8_t *group = malloc(n), *mask = malloc(n);
    ck_assert(group && mask);
    gf_model_rng r;
    gf_model_rng_seed(&r, 3, 0);
    for (size_t i = 0; i < n; i++)
        group[i] = (uint8_t)gf_model_rng_below(&r, 3);
    const gf_model_rollup total = row_of(&g, NULL, 0);
    double booked = 0.0, open = 0.0, expected = 0.0;
    for (uint8_t k = 0; k < 3; k++) {
        for (size_t i = 0; i < n; i++)
            mask[i] = group[i] == k;
        const gf_model_rollup row = row_of(&g, mask, 0);
        ck_assert_double_gt(row.expected_cents, 0.0);
        ck_assert_double_lt(row.expected_cents, total.expected_cents);
        booked += row.booked_cents;
        open += row.open_cents;
        expected += row.expected_cents;
    }
    ck_assert_double_eq(booked, total.booked_cents);
    ck_assert_double_eq_tol(open, total.open_cents, 1e-9 * total.open_cents);
    ck_assert_double_eq_tol(expected, total.expected_cents, 1e-6 * total.expected_cents);
    free(group);
    free(mask);
    org_free(&g);
}
END_TEST

/* The new deals are fitted over the forecast's own new_quarters: with 2 the total row still
 * equals the forecast's expected value, which 4 quarters would not give. */
START_TEST(the_rollup_uses_the_forecasts_new_deal_quarters)
{
    org g;
    org_new(&g, 2);
    const gf_model_rollup r = row_of(&g, NULL, 0);
    const double expected =
        (double)g.f->booked_cents + g.f->expected_open_cents + g.f->expected_new_cents;
    ck_assert_double_eq_tol(r.expected_cents, expected, 1e-12 * expected);
    gf_model_forecast_opts four = g.o;
    four.new_quarters = 4;
    gf_model_rollup r4;
    ck_assert_int_eq(
        gf_model_rollup_row(&g.h, &g.cal, g.f, &four, NULL, SIGMA, 0, TRIALS, SEED, &r4), 0);
    ck_assert_msg(fabs(r4.expected_cents - expected) > 1e-6 * expected,
                  "4 quarters give the same new deals as 2");
    org_free(&g);
}
END_TEST

/* A row of no deal is all zeros, and a target cannot be hit by it. */
START_TEST(a_row_of_no_deal_is_zero)
{
    org g;
    org_new(&g, 4);
    uint8_t *none = calloc(g.h.n_deals, 1);
    ck_assert_ptr_nonnull(none);
    const gf_model_rollup r = row_of(&g, none, 100000);
    ck_assert_double_eq(r.booked_cents, 0.0);
    ck_assert_double_eq(r.open_cents, 0.0);
    ck_assert_double_eq(r.expected_cents, 0.0);
    ck_assert_int_eq(r.p10, 0);
    ck_assert_int_eq(r.p50, 0);
    ck_assert_int_eq(r.p90, 0);
    ck_assert_double_eq(r.prob_hit, 0.0);
    free(none);
    org_free(&g);
}
END_TEST

START_TEST(bad_arguments_are_refused_and_zero_the_row)
{
    org g;
    org_new(&g, 4);
    gf_model_rollup r;
    memset(&r, 0xff, sizeof r);
    ck_assert_int_eq(gf_model_rollup_row(&g.h, &g.cal, g.f, NULL, NULL, SIGMA, 0, TRIALS, SEED, &r),
                     GF_MODEL_EINVAL);
    ck_assert_double_eq(r.expected_cents, 0.0);
    ck_assert_int_eq(r.p90, 0);
    ck_assert_int_eq(
        gf_model_rollup_row(&g.h, &g.cal, NULL, &g.o, NULL, SIGMA, 0, TRIALS, SEED, &r),
        GF_MODEL_EINVAL);
    ck_assert_int_eq(gf_model_rollup_row(&g.h, &g.cal, g.f, &g.o, NULL, -1.0, 0, TRIALS, SEED, &r),
                     GF_MODEL_EINVAL);
    ck_assert_int_eq(gf_model_rollup_row(&g.h, &g.cal, g.f, &g.o, NULL, SIGMA, 0, 10, SEED, &r),
                     GF_MODEL_EINVAL);
    ck_assert_int_eq(
        gf_model_rollup_row(&g.h, &g.cal, g.f, &g.o, NULL, SIGMA, 0, TRIALS, SEED, NULL),
        GF_MODEL_EINVAL);
    org_free(&g);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("model_rollup");
    TCase *tc = tcase_create("rollup");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, the_row_of_the_whole_scope_is_the_parent_forecast);
    tcase_add_test(tc, rows_of_a_partition_add_up_to_the_total_row);
    tcase_add_test(tc, the_rollup_uses_the_forecasts_new_deal_quarters);
    tcase_add_test(tc, a_row_of_no_deal_is_zero);
    tcase_add_test(tc, bad_arguments_are_refused_and_zero_the_row);
    suite_add_tcase(s, tc);
    return fx_run(s);
}

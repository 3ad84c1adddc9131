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

/* Today's API turns a kpi lever on the leading KPI into this pipeline lever (opportunities a
 * week): effect x conversion, x 7 for a daily KPI. */
static double pipeline_equivalent(double effect, double conversion, int32_t bucket_days)
{
    return effect * conversion * (bucket_days == 1 ? 7 : 1);
}

/* A rising leading KPI adds opportunities exactly as the pipeline lever of effect x conversion x
 * 7 / bucket_days a week: the same deals, amounts, pool and (to rounding) new-deal rate, the same
 * expected value, and the KPI's own change beside it. */
START_TEST(a_rising_lead_kpi_adds_what_the_equivalent_pipeline_lever_adds)
{
    lf *f = lf_new(50, 11);
    gf_model_lever lv[GF_MODEL_LEVER_KINDS];
    lf_levers(f, lv);
    const double effects[] = {0.5, 2.0, 3.7, 12.25};
    const double conversions[] = {0.3, 0.137, 1.0 / 3.0};
    const int32_t buckets[] = {1, 7};
    gf_model_lever_work wk = {0}, wp = {0};
    for (size_t e = 0; e < sizeof effects / sizeof *effects; e++) {
        for (size_t c = 0; c < sizeof conversions / sizeof *conversions; c++) {
            for (size_t b = 0; b < 2; b++) {
                gf_model_lever kpi = lv[GF_MODEL_LEVER_KPI];
                kpi.effect = effects[e];
                gf_model_lever_lead_kpi(&kpi, conversions[c], buckets[b]);
                ck_assert_double_eq(kpi.opps_per_kpi_unit_day, conversions[c] / buckets[b]);
                gf_model_lever pipe = kpi;
                pipe.kind = GF_MODEL_LEVER_PIPELINE;
                pipe.effect = pipeline_equivalent(effects[e], conversions[c], buckets[b]);
                pipe.opps_per_kpi_unit_day = 0.0;
                for (uint32_t u = 1; u <= 10; u++) {
                    ck_assert_int_eq(gf_model_levers_apply(&f->ctx, &kpi, &u, 1, &wk), 0);
                    ck_assert_int_eq(gf_model_levers_apply(&f->ctx, &pipe, &u, 1, &wp), 0);
                    ck_assert_double_gt(wk.in.new_lambda, f->in.new_lambda);
                    ck_assert_double_eq_tol(wk.in.new_lambda, wp.in.new_lambda,
                                            1e-12 * wp.in.new_lambda);
                    gf_model_sim_input same = wk.in;
                    same.new_lambda = wp.in.new_lambda;
                    assert_same_input(&same, &wp.in);
                    ck_assert_double_eq_tol(gf_model_sim_expected(&wk.in),
                                            gf_model_sim_expected(&wp.in),
                                            1e-12 * gf_model_sim_expected(&wp.in));
                    ck_assert_int_eq(wk.cost_cents, wp.cost_cents);
                    ck_assert_double_eq_tol(
                        wk.kpi_delta, effects[e] * u * gf_model_lever_share(&kpi, &f->ctx), 1e-12);
                    ck_assert_double_eq(wp.kpi_delta, 0.0);
                }
            }
        }
    }
    gf_model_lever_work_free(&wk);
    gf_model_lever_work_free(&wp);
    lf_free(f);
}
END_TEST

/* A falling leading KPI removes the opportunities a rise would add: the new-deal rate falls by
 * what the same rise adds, expected bookings fall and never rise, more units never raise them,
 * and the rate stops at zero (removed deals win nothing); open deals and the pool are untouched. */
START_TEST(a_falling_lead_kpi_lowers_expected_bookings_and_never_raises_them)
{
    lf *f = lf_new(50, 12);
    gf_model_lever lv[GF_MODEL_LEVER_KINDS];
    lf_levers(f, lv);
    gf_model_lever fall = lv[GF_MODEL_LEVER_KPI], rise;
    fall.effect = -2.0;
    fall.max_units = 40;
    gf_model_lever_lead_kpi(&fall, 0.3, 7);
    rise = fall;
    rise.effect = 2.0;
    gf_model_lever_work w = {0}, wr = {0};
    const double base = gf_model_sim_expected(&f->in);
    double open = (double)f->in.booked_cents;
    for (size_t i = 0; i < f->in.n_deals; i++)
        open += (double)f->amount[i] * f->p[i];
    double last = base;
    int floored = 0;
    for (uint32_t u = 1; u <= fall.max_units; u++) {
        ck_assert_int_eq(gf_model_levers_apply(&f->ctx, &fall, &u, 1, &w), 0);
        ck_assert_int_eq(gf_model_levers_apply(&f->ctx, &rise, &u, 1, &wr), 0);
        const double e = gf_model_sim_expected(&w.in);
        ck_assert_msg(e < base, "%u units of a falling KPI give %.0f >= %.0f", u, e, base);
        ck_assert_msg(e <= last, "%u units give %.0f > %.0f", u, e, last);
        ck_assert_double_ge(w.in.new_lambda, 0.0);
        ck_assert_double_ge(e, open - 1e-6 * open);
        const double added = wr.in.new_lambda - f->in.new_lambda;
        if (added < f->in.new_lambda) {
            ck_assert_double_eq_tol(w.in.new_lambda, f->in.new_lambda - added, 1e-9);
        } else {
            ck_assert_double_eq(w.in.new_lambda, 0.0);
            floored = 1;
        }
        gf_model_sim_input same = w.in;
        same.new_lambda = f->in.new_lambda;
        assert_same_input(&same, &f->in);
        ck_assert_double_eq_tol(w.kpi_delta, -2.0 * u * gf_model_lever_share(&fall, &f->ctx),
                                1e-12);
        last = e;
    }
    ck_assert_msg(floored, "no number of units emptied the new-deal rate");
    /* Removing needs no pool: with none and no new deals, a fall changes only the KPI. */
    f->in.new_lambda = 0.0;
    f->in.n_new_amounts = 0;
    uint32_t u = 3;
    ck_assert_int_eq(gf_model_levers_apply(&f->ctx, &fall, &u, 1, &w), 0);
    ck_assert_double_eq(w.in.new_lambda, 0.0);
    gf_model_lever_work_free(&w);
    gf_model_lever_work_free(&wr);
    lf_free(f);
}
END_TEST

/* A kpi lever on a KPI that does not lead to bookings (opps_per_kpi_unit_day 0, the default)
 * leaves the simulation input bit for bit as it was, up or down, and needs no timing table. */
START_TEST(a_kpi_lever_on_a_kpi_that_leads_nowhere_changes_only_kpi_delta)
{
    lf *f = lf_new(50, 13);
    f->ctx.n_p_new = 0;
    f->ctx.p_new_by_day = NULL;
    gf_model_lever lv[GF_MODEL_LEVER_KINDS];
    lf_levers(f, lv);
    gf_model_lever kpi = lv[GF_MODEL_LEVER_KPI];
    kpi.opps_per_kpi_unit_day = 0.0;
    const double s = gf_model_lever_share(&kpi, &f->ctx);
    gf_model_lever_work w = {0};
    for (int sign = -1; sign <= 1; sign += 2) {
        kpi.effect = 0.4 * sign;
        for (uint32_t u = 1; u <= 5; u++) {
            ck_assert_int_eq(gf_model_levers_apply(&f->ctx, &kpi, &u, 1, &w), 0);
            assert_same_input(&w.in, &f->in);
            ck_assert_double_eq_tol(w.kpi_delta, 0.4 * sign * u * s, 1e-12);
            ck_assert_int_eq(w.cost_cents, (int64_t)u * kpi.unit_cost_cents);
        }
    }
    gf_model_lever_work_free(&w);
    lf_free(f);
}
END_TEST

/* Without a usable conversion (not finite, zero or negative) or bucket length, a kpi lever moves
 * no bookings; the setter leaves levers of other kinds alone; and a kpi lever whose rate is
 * negative or not finite is refused. */
START_TEST(a_lead_kpi_without_a_usable_conversion_moves_no_bookings)
{
    lf *f = lf_new(50, 14);
    gf_model_lever lv[GF_MODEL_LEVER_KINDS];
    lf_levers(f, lv);
    const double bad[] = {NAN, INFINITY, -INFINITY, 0.0, -0.0, -0.3};
    gf_model_lever_work w = {0};
    uint32_t u = 4;
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        for (int32_t bucket = 1; bucket <= 7; bucket += 6) {
            gf_model_lever kpi = lv[GF_MODEL_LEVER_KPI];
            gf_model_lever_lead_kpi(&kpi, bad[k], bucket);
            ck_assert_double_eq(kpi.opps_per_kpi_unit_day, 0.0);
            ck_assert_int_eq(gf_model_levers_apply(&f->ctx, &kpi, &u, 1, &w), 0);
            assert_same_input(&w.in, &f->in);
        }
    }
    gf_model_lever kpi = lv[GF_MODEL_LEVER_KPI];
    gf_model_lever_lead_kpi(&kpi, 0.3, 0);
    ck_assert_double_eq(kpi.opps_per_kpi_unit_day, 0.0);
    gf_model_lever pipe = lv[GF_MODEL_LEVER_PIPELINE];
    gf_model_lever_lead_kpi(&pipe, 0.3, 1);
    ck_assert_mem_eq(&pipe, &lv[GF_MODEL_LEVER_PIPELINE], sizeof pipe);
    gf_model_lever_lead_kpi(NULL, 0.3, 1);
    const double refused[] = {-0.1, NAN, INFINITY};
    for (size_t k = 0; k < sizeof refused / sizeof *refused; k++) {
        kpi.opps_per_kpi_unit_day = refused[k];
        ck_assert_int_eq(gf_model_lever_check(&kpi, &f->ctx), GF_MODEL_EINVAL);
        ck_assert_int_eq(gf_model_levers_apply(&f->ctx, &kpi, &u, 1, &w), GF_MODEL_EINVAL);
    }
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
    tcase_add_test(tc, a_rising_lead_kpi_adds_what_the_equivalent_pipeline_lever_adds);
    tcase_add_test(tc, a_falling_lead_kpi_lowers_expected_bookings_and_never_raises_them);
    tcase_add_test(tc, a_kpi_lever_on_a_kpi_that_leads_nowhere_changes_only_kpi_delta);
    tcase_add_test(tc, a_lead_kpi_without_a_usable_conversion_moves_no_bookings);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    const int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

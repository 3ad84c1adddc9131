/* Specification of driver attribution (gapforge/model_attrib.h). */
#include <check.h>
#include <math.h>

#include "fixture.h"
#include "gapforge/model_attrib.h"

#define DAYS 91

static gf_model_drivers base_drivers(void)
{
    gf_model_drivers d = {{0}};
    d.v[GF_MODEL_DRV_OPPORTUNITIES] = 400.0;
    d.v[GF_MODEL_DRV_LEADS] = 2000.0;
    d.v[GF_MODEL_DRV_CONVERSION] = 0.2;
    d.v[GF_MODEL_DRV_WIN_RATE] = 0.24;
    d.v[GF_MODEL_DRV_DEAL_SIZE] = 5000000.0;
    d.v[GF_MODEL_DRV_CYCLE] = 45.0;
    d.v[GF_MODEL_DRV_SLIP] = 0.3;
    return d;
}

static double impact_of(const gf_model_attrib *a, int driver)
{
    for (size_t k = 0; k < a->n; k++) {
        if (a->items[k].driver == driver)
            return a->items[k].impact;
    }
    ck_abort_msg("driver %d not reported", driver);
    return NAN;
}

static double sum_impacts(const gf_model_attrib *a)
{
    double s = 0.0;
    for (size_t k = 0; k < a->n; k++)
        s += a->items[k].impact;
    return s;
}

START_TEST(only_the_win_rate_changed_so_all_the_impact_is_on_win_rate)
{
    const gf_model_drivers b = base_drivers();
    gf_model_drivers c = b;
    c.v[GF_MODEL_DRV_WIN_RATE] = 0.19;
    gf_model_attrib a;
    ck_assert_int_eq(gf_model_attrib_split(&b, &c, DAYS, &a), 0);
    ck_assert_uint_eq(a.n, 5);
    ck_assert_int_eq(a.method, GF_MODEL_ATTRIB_LMDI);
    ck_assert(a.total < 0.0);
    ck_assert_double_eq_tol(impact_of(&a, GF_MODEL_DRV_WIN_RATE), a.total, 1e-6 * fabs(a.total));
    ck_assert_double_eq(impact_of(&a, GF_MODEL_DRV_OPPORTUNITIES), 0.0);
    ck_assert_double_eq(impact_of(&a, GF_MODEL_DRV_SLIP), 0.0);
}
END_TEST

START_TEST(only_lead_volume_fell_so_the_impact_is_on_volume)
{
    gf_model_drivers b = base_drivers();
    b.use_leads = 1;
    gf_model_drivers c = b;
    c.v[GF_MODEL_DRV_LEADS] = 1700.0;
    gf_model_attrib a;
    ck_assert_int_eq(gf_model_attrib_split(&b, &c, DAYS, &a), 0);
    ck_assert_uint_eq(a.n, 6);
    /* Volume -15% takes 15% of the bookings. */
    ck_assert_double_eq_tol(a.total, -0.15 * a.baseline_bookings, 1e-6 * a.baseline_bookings);
    ck_assert_double_eq_tol(impact_of(&a, GF_MODEL_DRV_LEADS), a.total, 1e-6 * fabs(a.total));
    ck_assert_double_eq(impact_of(&a, GF_MODEL_DRV_CONVERSION), 0.0);
}
END_TEST

START_TEST(impacts_add_up_to_the_total_when_every_driver_moved)
{
    const gf_model_drivers b = base_drivers();
    gf_model_drivers c = b;
    c.v[GF_MODEL_DRV_OPPORTUNITIES] = 340.0;
    c.v[GF_MODEL_DRV_WIN_RATE] = 0.19;
    c.v[GF_MODEL_DRV_DEAL_SIZE] = 5600000.0;
    c.v[GF_MODEL_DRV_CYCLE] = 60.0;
    c.v[GF_MODEL_DRV_SLIP] = 0.22;
    gf_model_attrib a;
    ck_assert_int_eq(gf_model_attrib_split(&b, &c, DAYS, &a), 0);
    ck_assert_double_eq_tol(a.total, a.current_bookings - a.baseline_bookings, 1e-9);
    ck_assert_double_eq_tol(sum_impacts(&a), a.total, 1e-6 * fabs(a.total));
    ck_assert(impact_of(&a, GF_MODEL_DRV_OPPORTUNITIES) < 0.0);
    ck_assert(impact_of(&a, GF_MODEL_DRV_WIN_RATE) < 0.0);
    ck_assert(impact_of(&a, GF_MODEL_DRV_DEAL_SIZE) > 0.0);
    ck_assert(impact_of(&a, GF_MODEL_DRV_CYCLE) < 0.0); /* longer cycles: fewer wins in time */
    ck_assert(impact_of(&a, GF_MODEL_DRV_SLIP) > 0.0);
}
END_TEST

START_TEST(no_change_gives_zero_impacts)
{
    const gf_model_drivers b = base_drivers();
    gf_model_attrib a;
    ck_assert_int_eq(gf_model_attrib_split(&b, &b, DAYS, &a), 0);
    ck_assert_double_eq(a.total, 0.0);
    for (size_t k = 0; k < a.n; k++)
        ck_assert_double_eq(a.items[k].impact, 0.0);
}
END_TEST

START_TEST(a_driver_falling_to_zero_still_splits_exactly)
{
    const gf_model_drivers b = base_drivers();
    gf_model_drivers c = b;
    c.v[GF_MODEL_DRV_WIN_RATE] = 0.0;
    c.v[GF_MODEL_DRV_DEAL_SIZE] = 6000000.0;
    gf_model_attrib a;
    ck_assert_int_eq(gf_model_attrib_split(&b, &c, DAYS, &a), 0);
    ck_assert_int_eq(a.method, GF_MODEL_ATTRIB_SHAPLEY);
    ck_assert_double_eq(a.current_bookings, 0.0);
    ck_assert_double_eq_tol(sum_impacts(&a), -a.baseline_bookings, 1e-6 * a.baseline_bookings);
    ck_assert(impact_of(&a, GF_MODEL_DRV_WIN_RATE) < -a.baseline_bookings);
    ck_assert(impact_of(&a, GF_MODEL_DRV_DEAL_SIZE) > 0.0);
    ck_assert_double_eq(impact_of(&a, GF_MODEL_DRV_CYCLE), 0.0);
}
END_TEST

START_TEST(drivers_from_history_follow_their_definitions)
{
    gf_model_period q[8];
    const gf_model_calendar cal = fx_quarters(2025, 2, q);
    const gf_model_period w = q[2]; /* Jul-Sep 2025 */
    fx *f = fx_new(10);
    size_t i = fx_deal(f, 1000, w.start + 1, FX_QUALIFY);
    fx_move(f, i, w.start + 11, FX_WON); /* cycle 10 */
    i = fx_deal(f, 3000, w.start - 20, FX_PROPOSE);
    fx_move(f, i, w.start + 10, FX_WON); /* cycle 30 */
    fx_close_date(f, i, w.start - 20, w.start + 5);
    i = fx_deal(f, 9000, w.start + 2, FX_QUALIFY);
    fx_move(f, i, w.start + 40, FX_LOST);
    i = fx_deal(f, 5000, w.start - 30, FX_QUALIFY); /* slips: still open */
    fx_close_date(f, i, w.start - 30, w.start + 20);
    i = fx_deal(f, 7000, w.start + 50, FX_QUALIFY);
    fx_move(f, i, w.end + 3, FX_WON); /* after the window */
    const gf_model_history h = fx_history(f);
    gf_model_drivers d;
    ck_assert_int_eq(
        gf_model_drivers_from_history(&h, &cal, NULL, w.start, w.end, w.end + 30, 1, &d), 0);
    ck_assert_double_eq(d.v[GF_MODEL_DRV_OPPORTUNITIES], 3.0);
    ck_assert_double_eq_tol(d.v[GF_MODEL_DRV_WIN_RATE], 2.0 / 3.0, 1e-12);
    ck_assert_double_eq(d.v[GF_MODEL_DRV_DEAL_SIZE], 2000.0);
    ck_assert_double_eq(d.v[GF_MODEL_DRV_CYCLE], 20.0);
    ck_assert_double_eq(d.v[GF_MODEL_DRV_SLIP], 0.5);
    /* To date, 45 days in: two created, projected to the whole quarter. */
    const gf_day as_of = w.start + 45;
    ck_assert_int_eq(gf_model_drivers_from_history(&h, &cal, NULL, w.start, w.end, as_of, 1, &d),
                     0);
    ck_assert_double_eq_tol(d.v[GF_MODEL_DRV_OPPORTUNITIES], 2.0 * (w.end - w.start + 1) / 45.0,
                            1e-12);
    ck_assert_double_eq_tol(d.v[GF_MODEL_DRV_WIN_RATE], 2.0 / 3.0, 1e-12);
    fx_free(f);
}
END_TEST

START_TEST(the_gap_splits_to_the_cent_into_stretch_drivers_and_timing)
{
    /* Baseline pace 588,000.49; the drivers lowered it by 420,000.40 - 150,000.60 + 0.26 (their
     * impacts as shown, rounded to the cent: -42000040, +15000060, +26); target 1,000,000,
     * P50 1,090,000, expected 1,101,234.567. */
    gf_model_attrib a = {.n = 3, .baseline_bookings = 58800049.0};
    a.items[0].impact = -42000040.4;
    a.items[1].impact = 15000060.4;
    a.items[2].impact = 25.6;
    gf_model_gap_split g;
    gf_model_gap_split_compute(&a, 100000000, 109000000, 110123456.7, &g);
    ck_assert_int_eq(g.gap, -9000000);
    ck_assert_int_eq(g.target_stretch, 100000000 - 58800049);
    ck_assert_int_eq(g.driver[0], 42000040);
    ck_assert_int_eq(g.driver[1], -15000060);
    ck_assert_int_eq(g.driver[2], -26);
    /* The rest is current - P50 in shown cents: gap - stretch - drivers. */
    ck_assert_int_eq(g.timing, -9000000 - 41199951 - 42000040 + 15000060 + 26);
    ck_assert_int_eq(g.target_stretch + g.driver[0] + g.driver[1] + g.driver[2] + g.timing, g.gap);
    ck_assert_int_eq(g.expected_change, 110123457 - 58800049);
    ck_assert_int_eq(-g.driver[0] - g.driver[1] - g.driver[2] + g.expected_timing,
                     g.expected_change);
}
END_TEST

START_TEST(few_deals_move_a_driver_only_part_of_the_way_from_the_baseline)
{
    gf_model_drivers b = {0}, c = {0};
    b.v[GF_MODEL_DRV_WIN_RATE] = 0.16;
    c.v[GF_MODEL_DRV_WIN_RATE] = 0.53; /* 3 deals closed so far */
    c.n[GF_MODEL_DRV_WIN_RATE] = 3;
    b.v[GF_MODEL_DRV_DEAL_SIZE] = 5000000;
    c.v[GF_MODEL_DRV_DEAL_SIZE] = 4000000; /* 90 deals won: barely moves */
    c.n[GF_MODEL_DRV_DEAL_SIZE] = 90;
    b.v[GF_MODEL_DRV_OPPORTUNITIES] = 100;
    c.v[GF_MODEL_DRV_OPPORTUNITIES] = 40; /* a volume: left alone */
    c.n[GF_MODEL_DRV_OPPORTUNITIES] = 10;
    b.v[GF_MODEL_DRV_SLIP] = 0.2;
    c.v[GF_MODEL_DRV_SLIP] = NAN; /* not measured: left alone */
    gf_model_drivers_shrink(&c, &b, 10);
    ck_assert_double_eq_tol(c.v[GF_MODEL_DRV_WIN_RATE], (3 * 0.53 + 10 * 0.16) / 13, 1e-15);
    ck_assert_double_eq_tol(c.v[GF_MODEL_DRV_DEAL_SIZE], (90 * 4e6 + 10 * 5e6) / 100, 1e-6);
    ck_assert_double_eq(c.v[GF_MODEL_DRV_OPPORTUNITIES], 40);
    ck_assert(isnan(c.v[GF_MODEL_DRV_SLIP]));
    gf_model_drivers d = c;
    gf_model_drivers_shrink(&d, &b, 0); /* no prior: nothing moves */
    ck_assert_double_eq(d.v[GF_MODEL_DRV_WIN_RATE], c.v[GF_MODEL_DRV_WIN_RATE]);
}
END_TEST

/* Scaling to what the baseline really booked keeps each driver's share and the exact sum. */
START_TEST(a_split_scaled_to_the_booked_baseline_keeps_shares_and_sum)
{
    gf_model_drivers b = {.use_leads = 0}, c;
    b.v[GF_MODEL_DRV_OPPORTUNITIES] = 100;
    b.v[GF_MODEL_DRV_WIN_RATE] = 0.2;
    b.v[GF_MODEL_DRV_DEAL_SIZE] = 1000;
    b.v[GF_MODEL_DRV_CYCLE] = 60;
    b.v[GF_MODEL_DRV_SLIP] = 0.1;
    c = b;
    c.v[GF_MODEL_DRV_WIN_RATE] = 0.15;
    c.v[GF_MODEL_DRV_DEAL_SIZE] = 1100;
    gf_model_attrib a, s;
    ck_assert_int_eq(gf_model_attrib_split(&b, &c, 91, &a), 0);
    s = a;
    gf_model_attrib_scale_to(&s, 3.0 * a.baseline_bookings);
    ck_assert_double_eq_tol(s.scale, 3.0, 1e-12);
    ck_assert_double_eq_tol(s.baseline_bookings, 3.0 * a.baseline_bookings, 1e-6);
    ck_assert_double_eq_tol(s.current_bookings, 3.0 * a.current_bookings, 1e-6);
    double sum = 0.0;
    for (size_t k = 0; k < s.n; k++) {
        ck_assert_double_eq_tol(s.items[k].impact, 3.0 * a.items[k].impact, 1e-6);
        sum += s.items[k].impact;
    }
    ck_assert_double_eq_tol(sum, s.current_bookings - s.baseline_bookings, 1e-6);
    /* Nothing booked, or nothing to scale: unchanged. */
    s = a;
    gf_model_attrib_scale_to(&s, 0.0);
    gf_model_attrib_scale_to(&s, NAN);
    ck_assert_double_eq(s.scale, 1.0);
    ck_assert_double_eq(s.baseline_bookings, a.baseline_bookings);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("model_attrib");
    TCase *tc = tcase_create("attrib");
    tcase_add_test(tc, only_the_win_rate_changed_so_all_the_impact_is_on_win_rate);
    tcase_add_test(tc, only_lead_volume_fell_so_the_impact_is_on_volume);
    tcase_add_test(tc, impacts_add_up_to_the_total_when_every_driver_moved);
    tcase_add_test(tc, no_change_gives_zero_impacts);
    tcase_add_test(tc, a_driver_falling_to_zero_still_splits_exactly);
    tcase_add_test(tc, drivers_from_history_follow_their_definitions);
    tcase_add_test(tc, the_gap_splits_to_the_cent_into_stretch_drivers_and_timing);
    tcase_add_test(tc, few_deals_move_a_driver_only_part_of_the_way_from_the_baseline);
    tcase_add_test(tc, a_split_scaled_to_the_booked_baseline_keeps_shares_and_sum);
    suite_add_tcase(s, tc);
    return fx_run(s);
}

/* Specification of the funnel over a window (gapforge/model_funnel.h). */
#include <check.h>
#include <math.h>

#include "fixture.h"
#include "gapforge/model_funnel.h"

/* The window of every case: days 100..199. */
enum { FROM = 100, TO = 199 };

static int run(const fx *f, const uint8_t *scope, gf_model_funnel_stage st[4],
               gf_model_funnel_totals *t)
{
    const gf_model_history h = fx_history(f);
    gf_model_funnel_opts o;
    gf_model_funnel_opts_default(&o);
    return gf_model_funnel_compute(&h, scope, FROM, TO, &o, st, t);
}

/* Six deals whose every stay is worked out by hand in the comments. */
static fx *six_deals(void)
{
    fx *f = fx_new(8);
    size_t i = fx_deal(f, 1, 100, FX_QUALIFY); /* A: q 10 days, p 20 days, won */
    fx_move(f, i, 110, FX_PROPOSE);
    fx_move(f, i, 130, FX_WON);
    i = fx_deal(f, 1, 105, FX_QUALIFY); /* B: q 20 days, lost */
    fx_move(f, i, 125, FX_LOST);
    i = fx_deal(f, 1, 120, FX_QUALIFY); /* C: q 30, p 10, back to q (open, age 39) */
    fx_move(f, i, 150, FX_PROPOSE);
    fx_move(f, i, 160, FX_QUALIFY);
    fx_deal(f, 1, 140, FX_PROPOSE);    /* D: created in propose (skips q), open, age 59 */
    i = fx_deal(f, 1, 50, FX_QUALIFY); /* E: before the window; q 70 ends in it; p open 79 */
    fx_move(f, i, 120, FX_PROPOSE);
    fx_move(f, i, 300, FX_WON);         /* after the window: never seen */
    i = fx_deal(f, 1, 150, FX_QUALIFY); /* F: open in q (age 49); its move after `to` unseen */
    fx_move(f, i, 250, FX_PROPOSE);
    return f;
}

START_TEST(stays_that_began_in_the_window_reconcile_with_where_they_went)
{
    fx *f = six_deals();
    gf_model_funnel_stage st[4];
    gf_model_funnel_totals t;
    ck_assert_int_eq(run(f, NULL, st, &t), 0);
    const gf_model_funnel_stage *q = &st[FX_QUALIFY], *p = &st[FX_PROPOSE];
    /* qualify: A, B, C (twice), F entered; A and C advanced, B lost, C's return and F open */
    ck_assert_uint_eq(q->entered, 5);
    ck_assert_uint_eq(q->advanced, 2);
    ck_assert_uint_eq(q->won, 0);
    ck_assert_uint_eq(q->lost, 1);
    ck_assert_uint_eq(q->moved_back, 0);
    ck_assert_uint_eq(q->still_open, 2);
    ck_assert_double_eq_tol(q->conversion, 0.4, 1e-12);
    /* propose: A won, C moved back, D and E open */
    ck_assert_uint_eq(p->entered, 4);
    ck_assert_uint_eq(p->advanced, 1);
    ck_assert_uint_eq(p->won, 1);
    ck_assert_uint_eq(p->lost, 0);
    ck_assert_uint_eq(p->moved_back, 1);
    ck_assert_uint_eq(p->still_open, 2);
    ck_assert_double_eq_tol(p->conversion, 0.25, 1e-12);
    for (int s = FX_QUALIFY; s <= FX_PROPOSE; s++)
        ck_assert_uint_eq(st[s].entered,
                          st[s].advanced + st[s].lost + st[s].moved_back + st[s].still_open);
    /* the closes in the window: A won, B lost (E's win comes after `to`) */
    ck_assert_uint_eq(st[FX_WON].entered, 1);
    ck_assert_uint_eq(st[FX_LOST].entered, 1);
    ck_assert(isnan(st[FX_WON].conversion) && isnan(st[FX_WON].median_days));
    fx_free(f);
}
END_TEST

START_TEST(time_in_stage_is_over_stays_that_ended_in_the_window_interpolated)
{
    fx *f = six_deals();
    gf_model_funnel_stage st[4];
    gf_model_funnel_totals t;
    ck_assert_int_eq(run(f, NULL, st, &t), 0);
    /* qualify: 10 (A), 20 (B), 30 (C), 70 (E, entered before the window) */
    ck_assert_uint_eq(st[FX_QUALIFY].n_time, 4);
    ck_assert_double_eq_tol(st[FX_QUALIFY].median_days, 25.0, 1e-12);
    ck_assert_double_eq_tol(st[FX_QUALIFY].p90_days, 30.0 + 0.7 * 40.0, 1e-12);
    /* propose: 20 (A), 10 (C) */
    ck_assert_uint_eq(st[FX_PROPOSE].n_time, 2);
    ck_assert_double_eq_tol(st[FX_PROPOSE].median_days, 15.0, 1e-12);
    ck_assert_double_eq_tol(st[FX_PROPOSE].p90_days, 19.0, 1e-12);
    fx_free(f);
}
END_TEST

START_TEST(deals_stall_when_older_in_stage_than_its_p90)
{
    fx *f = six_deals();
    gf_model_funnel_stage st[4];
    gf_model_funnel_totals t;
    ck_assert_int_eq(run(f, NULL, st, &t), 0);
    /* qualify: C (39) and F (49) against a P90 of 58 */
    ck_assert_uint_eq(st[FX_QUALIFY].open_at_to, 2);
    ck_assert_uint_eq(st[FX_QUALIFY].stalled, 0);
    ck_assert_double_eq(st[FX_QUALIFY].stalled_share, 0.0);
    /* propose: D (59) and E (79, entered before the window) against 19 */
    ck_assert_uint_eq(st[FX_PROPOSE].open_at_to, 2);
    ck_assert_uint_eq(st[FX_PROPOSE].stalled, 2);
    ck_assert_double_eq(st[FX_PROPOSE].stalled_share, 1.0);
    fx_free(f);
}
END_TEST

START_TEST(an_age_equal_to_the_p90_is_not_stalled)
{
    fx *f = fx_new(4);
    size_t i = fx_deal(f, 1, 100, FX_QUALIFY); /* one stay of 30 days: median = P90 = 30 */
    fx_move(f, i, 130, FX_PROPOSE);
    fx_deal(f, 1, TO - 30, FX_QUALIFY); /* age 30 */
    fx_deal(f, 1, TO - 31, FX_QUALIFY); /* age 31 */
    gf_model_funnel_stage st[4];
    gf_model_funnel_totals t;
    ck_assert_int_eq(run(f, NULL, st, &t), 0);
    ck_assert_double_eq(st[FX_QUALIFY].median_days, 30.0);
    ck_assert_double_eq(st[FX_QUALIFY].p90_days, 30.0);
    ck_assert_uint_eq(st[FX_QUALIFY].stalled, 1);
    ck_assert_double_eq_tol(st[FX_QUALIFY].stalled_share, 0.5, 1e-12);
    /* propose has open deals but no ended stay: no P90, no stall share */
    ck_assert_uint_eq(st[FX_PROPOSE].open_at_to, 1);
    ck_assert(isnan(st[FX_PROPOSE].p90_days) && isnan(st[FX_PROPOSE].stalled_share));
    fx_free(f);
}
END_TEST

START_TEST(skips_count_deals_that_reached_a_later_stage_without_this_one)
{
    fx *f = six_deals();
    gf_model_funnel_stage st[4];
    gf_model_funnel_totals t;
    ck_assert_int_eq(run(f, NULL, st, &t), 0);
    /* A, C, D, E entered propose (or won) in the window; D never was in qualify */
    ck_assert_uint_eq(st[FX_QUALIFY].reached_later, 4);
    ck_assert_uint_eq(st[FX_QUALIFY].skipped, 1);
    ck_assert_double_eq_tol(st[FX_QUALIFY].skipped_share, 0.25, 1e-12);
    ck_assert_uint_eq(st[FX_PROPOSE].reached_later, 1); /* A's win */
    ck_assert_uint_eq(st[FX_PROPOSE].skipped, 0);
    ck_assert(!st[FX_QUALIFY].often_skipped && !st[FX_QUALIFY].converts_nearly_all);
    fx_free(f);
}
END_TEST

START_TEST(totals_follow_the_deals_created_in_the_window)
{
    fx *f = six_deals();
    gf_model_funnel_stage st[4];
    gf_model_funnel_totals t;
    ck_assert_int_eq(run(f, NULL, st, &t), 0);
    ck_assert_uint_eq(t.created, 5); /* not E */
    ck_assert_uint_eq(t.won, 1);
    ck_assert_uint_eq(t.lost, 1);
    ck_assert_uint_eq(t.open, 3);
    ck_assert_double_eq_tol(t.win_rate, 0.5, 1e-12);
    fx_free(f);
}
END_TEST

START_TEST(the_scope_keeps_only_its_deals)
{
    fx *f = six_deals();
    const uint8_t scope[6] = {1, 1, 0, 0, 0, 0}; /* A and B */
    gf_model_funnel_stage st[4];
    gf_model_funnel_totals t;
    ck_assert_int_eq(run(f, scope, st, &t), 0);
    ck_assert_uint_eq(st[FX_QUALIFY].entered, 2);
    ck_assert_uint_eq(st[FX_QUALIFY].advanced, 1);
    ck_assert_uint_eq(st[FX_QUALIFY].lost, 1);
    ck_assert_double_eq_tol(st[FX_QUALIFY].median_days, 15.0, 1e-12);
    ck_assert_uint_eq(st[FX_PROPOSE].open_at_to, 0);
    ck_assert_uint_eq(t.created, 2);
    fx_free(f);
}
END_TEST

/* n deals that go qualify -> propose in the window, then k that go qualify -> lost. */
static fx *advancing(size_t n, size_t k)
{
    fx *f = fx_new(n + k + 32); /* room for the deals a case adds */
    for (size_t j = 0; j < n; j++)
        fx_move(f, fx_deal(f, 1, 100, FX_QUALIFY), 110, FX_PROPOSE);
    for (size_t j = 0; j < k; j++)
        fx_move(f, fx_deal(f, 1, 100, FX_QUALIFY), 110, FX_LOST);
    return f;
}

START_TEST(a_stage_that_passes_nearly_every_deal_on_is_flagged_from_20_leaving)
{
    const struct {
        size_t advance, lose;
        int flag;
    } cases[] = {{20, 0, 1}, {19, 0, 0}, {20, 1, 1}, {19, 2, 0}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        fx *f = advancing(cases[c].advance, cases[c].lose);
        gf_model_funnel_stage st[4];
        gf_model_funnel_totals t;
        ck_assert_int_eq(run(f, NULL, st, &t), 0);
        ck_assert_msg(st[FX_QUALIFY].converts_nearly_all == cases[c].flag, "case %zu", c);
        ck_assert(!st[FX_PROPOSE].converts_nearly_all); /* nobody left it */
        fx_free(f);
    }
}
END_TEST

START_TEST(a_stage_that_30_percent_skip_is_flagged)
{
    const struct {
        size_t through, direct;
        int flag;
    } cases[] = {{14, 6, 1}, {15, 5, 0}, {0, 19, 0}, {0, 20, 1}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        fx *f = advancing(cases[c].through, 0);
        for (size_t j = 0; j < cases[c].direct; j++)
            fx_deal(f, 1, 120, FX_PROPOSE);
        gf_model_funnel_stage st[4];
        gf_model_funnel_totals t;
        ck_assert_int_eq(run(f, NULL, st, &t), 0);
        ck_assert_uint_eq(st[FX_QUALIFY].reached_later, cases[c].through + cases[c].direct);
        ck_assert_msg(st[FX_QUALIFY].often_skipped == cases[c].flag, "case %zu", c);
        fx_free(f);
    }
}
END_TEST

START_TEST(an_org_without_deals_has_zeros_and_no_figures)
{
    fx *f = fx_new(1);
    gf_model_funnel_stage st[4];
    gf_model_funnel_totals t;
    ck_assert_int_eq(run(f, NULL, st, &t), 0);
    for (int s = 0; s < 4; s++) {
        ck_assert_uint_eq(st[s].entered + st[s].open_at_to + st[s].reached_later + st[s].n_time, 0);
        ck_assert(isnan(st[s].conversion) && isnan(st[s].median_days) && isnan(st[s].p90_days) &&
                  isnan(st[s].stalled_share) && isnan(st[s].skipped_share));
        ck_assert(!st[s].converts_nearly_all && !st[s].often_skipped);
    }
    ck_assert_uint_eq(t.created, 0);
    ck_assert(isnan(t.win_rate));
    fx_free(f);
}
END_TEST

START_TEST(a_window_that_ends_before_it_starts_is_refused)
{
    fx *f = six_deals();
    const gf_model_history h = fx_history(f);
    gf_model_funnel_opts o;
    gf_model_funnel_opts_default(&o);
    gf_model_funnel_stage st[4];
    gf_model_funnel_totals t;
    ck_assert_int_eq(gf_model_funnel_compute(&h, NULL, TO, FROM, &o, st, &t), GF_MODEL_EINVAL);
    ck_assert_int_eq(gf_model_funnel_compute(&h, NULL, FROM, FROM, &o, st, &t), 0);
    ck_assert_uint_eq(st[FX_QUALIFY].entered, 1); /* A, the window's one day */
    fx_free(f);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("model_funnel");
    TCase *tc = tcase_create("funnel");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, stays_that_began_in_the_window_reconcile_with_where_they_went);
    tcase_add_test(tc, time_in_stage_is_over_stays_that_ended_in_the_window_interpolated);
    tcase_add_test(tc, deals_stall_when_older_in_stage_than_its_p90);
    tcase_add_test(tc, an_age_equal_to_the_p90_is_not_stalled);
    tcase_add_test(tc, skips_count_deals_that_reached_a_later_stage_without_this_one);
    tcase_add_test(tc, totals_follow_the_deals_created_in_the_window);
    tcase_add_test(tc, the_scope_keeps_only_its_deals);
    tcase_add_test(tc, a_stage_that_passes_nearly_every_deal_on_is_flagged_from_20_leaving);
    tcase_add_test(tc, a_stage_that_30_percent_skip_is_flagged);
    tcase_add_test(tc, an_org_without_deals_has_zeros_and_no_figures);
    tcase_add_test(tc, a_window_that_ends_before_it_starts_is_refused);
    suite_add_tcase(s, tc);
    return fx_run(s);
}

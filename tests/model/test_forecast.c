/* Specification of the status-quo forecast assembly (gapforge/model_forecast.h). */
#include <check.h>
#include <stdio.h>

#include "fixture.h"
#include "gapforge/model_forecast.h"
#include "gapforge/model_synth.h"

/* A copy of h keeping only what was known before as_of: deals created before it, and their
 * stage, amount and close-date changes dated before it. Arrays point into h's. */
static gf_model_deal *cut_before(const gf_model_history *h, gf_day as_of, size_t *n_out)
{
    gf_model_deal *d = calloc(h->n_deals, sizeof(*d));
    ck_assert_ptr_nonnull(d);
    size_t n = 0;
    for (size_t i = 0; i < h->n_deals; i++) {
        const gf_model_deal *src = &h->deals[i];
        if (src->created_day >= as_of)
            continue;
        gf_model_deal c = *src;
        while (c.n_timeline && c.timeline[c.n_timeline - 1].day >= as_of)
            c.n_timeline--;
        while (c.n_close_dates && c.close_dates[c.n_close_dates - 1].day >= as_of)
            c.n_close_dates--;
        while (c.n_amounts && c.amounts[c.n_amounts - 1].day >= as_of)
            c.n_amounts--;
        if (!c.n_timeline)
            continue;
        d[n++] = c;
    }
    *n_out = n;
    return d;
}

START_TEST(data_after_as_of_changes_the_forecast_by_not_a_cent)
{
    gf_model_synth_params p;
    gf_model_synth_params_default(&p);
    gf_model_synth *s = NULL;
    ck_assert_int_eq(gf_model_synth_new(&p, &s), 0);
    gf_model_history full;
    gf_model_calendar cal;
    gf_model_synth_history(s, &full, &cal);
    const long qi = gf_model_calendar_find(&cal, p.end_day - 200);
    const gf_model_period period = cal.quarters[qi];
    const gf_day as_of = period.start + 40;
    gf_model_history cut = full;
    gf_model_deal *deals = cut_before(&full, as_of, &cut.n_deals);
    cut.deals = deals;
    ck_assert_uint_lt(cut.n_deals, full.n_deals);
    /* The cut history keeps its deals in the same order, so indices differ; compare the
     * figures and the per-deal answers by deal id. */
    gf_model_forecast_opts o;
    gf_model_forecast_opts_default(as_of, &o);
    gf_model_forecast *a = NULL, *b = NULL;
    ck_assert_int_eq(gf_model_forecast_build(&full, &cal, period, as_of, &o, &a), 0);
    ck_assert_int_eq(gf_model_forecast_build(&cut, &cal, period, as_of, &o, &b), 0);
    ck_assert_int_eq(a->booked_cents, b->booked_cents);
    ck_assert_uint_eq(a->n_open, b->n_open);
    ck_assert_uint_gt(a->n_open, 100);
    for (size_t k = 0; k < a->n_open; k++) {
        ck_assert_int_eq(full.deals[a->open[k].deal].id, cut.deals[b->open[k].deal].id);
        ck_assert_double_eq(a->open[k].p_in_period, b->open[k].p_in_period);
        ck_assert_double_eq(a->open[k].p_win, b->open[k].p_win);
        ck_assert_uint_eq(a->open[k].flags, b->open[k].flags);
    }
    ck_assert_double_eq(a->expected_open_cents, b->expected_open_cents);
    ck_assert_double_eq(a->newdeals.lambda, b->newdeals.lambda);
    ck_assert_uint_eq(a->newdeals.n_amounts, b->newdeals.n_amounts);
    ck_assert_mem_eq(a->newdeals.amounts, b->newdeals.amounts,
                     a->newdeals.n_amounts * sizeof(int64_t));
    gf_model_sim_input ia, ib;
    gf_model_sim_result ra, rb;
    gf_model_forecast_sim_input(a, 0, 0.3, 5000, 11, 2, &ia);
    gf_model_forecast_sim_input(b, 0, 0.3, 5000, 11, 1, &ib);
    ck_assert_int_eq(gf_model_sim_run(&ia, &ra, NULL), 0);
    ck_assert_int_eq(gf_model_sim_run(&ib, &rb, NULL), 0);
    ck_assert_int_eq(ra.p10, rb.p10);
    ck_assert_int_eq(ra.p50, rb.p50);
    ck_assert_int_eq(ra.p90, rb.p90);
    ck_assert_double_eq(ra.expected, rb.expected);
    printf("leakage check at as_of+%d: %zu open deals, expected %.0f cents either way\n", 40,
           a->n_open, ra.expected);
    gf_model_forecast_free(a);
    gf_model_forecast_free(b);
    free(deals);
    gf_model_synth_free(s);
}
END_TEST

START_TEST(booked_counts_wins_in_the_period_before_as_of)
{
    gf_model_period q[8];
    const gf_model_calendar cal = fx_quarters(2025, 2, q);
    fx *f = fx_new(10);
    const gf_model_period period = q[2];
    const gf_day as_of = period.start + 30;
    size_t i = fx_deal(f, 1000, period.start - 50, FX_PROPOSE);
    fx_move(f, i, period.start + 5, FX_WON); /* booked */
    i = fx_deal(f, 2000, period.start - 50, FX_PROPOSE);
    fx_move(f, i, period.start - 5, FX_WON); /* previous quarter */
    i = fx_deal(f, 4000, period.start - 50, FX_PROPOSE);
    fx_move(f, i, as_of, FX_WON); /* on as_of: not known yet, still open */
    i = fx_deal(f, 8000, period.start + 3, FX_QUALIFY);
    fx_close_date(f, i, period.start + 3, period.start + 10);  /* overdue at as_of */
    fx_close_date(f, i, period.start + 11, period.start + 40); /* pushed once */
    const gf_model_history h = fx_history(f);
    gf_model_forecast_opts o;
    gf_model_forecast_opts_default(as_of, &o);
    gf_model_forecast *fc = NULL;
    ck_assert_int_eq(gf_model_forecast_build(&h, &cal, period, as_of, &o, &fc), 0);
    ck_assert_int_eq(fc->booked_cents, 1000);
    ck_assert_uint_eq(fc->n_booked, 1);
    ck_assert_uint_eq(fc->n_open, 2);
    ck_assert_int_eq(fc->open[1].amount_cents, 8000);
    ck_assert_uint_eq(fc->open[1].flags & GF_MODEL_FLAG_PUSHED, GF_MODEL_FLAG_PUSHED);
    ck_assert_uint_eq(fc->open[1].flags & GF_MODEL_FLAG_IN_PERIOD, GF_MODEL_FLAG_IN_PERIOD);
    ck_assert_uint_eq(fc->open[1].flags & GF_MODEL_FLAG_OVERDUE, 0);
    ck_assert_int_eq(fc->open_in_period_cents, 8000);
    for (size_t k = 0; k < fc->n_open; k++) {
        ck_assert(fc->open[k].p_in_period > 0.0 &&
                  fc->open[k].p_in_period <= fc->open[k].p_win + 1e-12);
        ck_assert_double_eq(fc->p[k], fc->open[k].p_in_period);
    }
    gf_model_forecast_free(fc);
    fx_free(f);
}
END_TEST

START_TEST(next_quarter_forecast_counts_only_wins_inside_it)
{
    gf_model_synth_params p;
    gf_model_synth_params_default(&p);
    gf_model_synth *s = NULL;
    ck_assert_int_eq(gf_model_synth_new(&p, &s), 0);
    gf_model_history h;
    gf_model_calendar cal;
    gf_model_synth_history(s, &h, &cal);
    const long qi = gf_model_calendar_find(&cal, p.end_day - 200);
    const gf_model_period this_q = cal.quarters[qi], next_q = cal.quarters[qi + 1];
    const gf_day as_of = this_q.start + 30;
    gf_model_forecast_opts o;
    gf_model_forecast_opts_default(as_of, &o);
    gf_model_forecast *now = NULL, *next = NULL;
    ck_assert_int_eq(gf_model_forecast_build(&h, &cal, this_q, as_of, &o, &now), 0);
    ck_assert_int_eq(gf_model_forecast_build(&h, &cal, next_q, as_of, &o, &next), 0);
    ck_assert_int_eq(next->booked_cents, 0);
    ck_assert_uint_eq(now->n_open, next->n_open);
    for (size_t k = 0; k < now->n_open; k++)
        ck_assert(now->open[k].p_survival + next->open[k].p_survival <= now->open[k].p_win + 1e-9);
    ck_assert(next->expected_new_cents > now->expected_new_cents);
    printf("this quarter: open %.0f new %.0f; next quarter: open %.0f new %.0f (cents)\n",
           now->expected_open_cents, now->expected_new_cents, next->expected_open_cents,
           next->expected_new_cents);
    gf_model_forecast_free(now);
    gf_model_forecast_free(next);
    gf_model_synth_free(s);
}
END_TEST

START_TEST(amount_and_close_date_changes_after_as_of_are_ignored)
{
    gf_model_period q[8];
    const gf_model_calendar cal = fx_quarters(2025, 2, q);
    const gf_model_period period = q[3];
    const gf_day as_of = period.start + 20;
    fx *f = fx_new(4);
    const size_t i = fx_deal(f, 5000, period.start - 10, FX_PROPOSE);
    fx_close_date(f, i, period.start - 10, period.start + 30);
    const size_t j = fx_deal(f, 7000, period.start - 10, FX_PROPOSE);
    fx_move(f, j, period.start + 2, FX_WON);
    gf_model_change amounts_i[] = {{period.start, 6000}, {as_of, 99000}};
    gf_model_change amounts_j[] = {{period.start + 1, 7500}, {as_of + 3, 1}};
    f->deals[i].amounts = amounts_i;
    f->deals[i].n_amounts = 1;
    f->deals[j].amounts = amounts_j;
    f->deals[j].n_amounts = 1;
    gf_model_history h = fx_history(f);
    gf_model_forecast_opts o;
    gf_model_forecast_opts_default(as_of, &o);
    gf_model_forecast *a = NULL, *b = NULL;
    ck_assert_int_eq(gf_model_forecast_build(&h, &cal, period, as_of, &o, &a), 0);
    f->deals[i].n_amounts = 2;
    f->deals[j].n_amounts = 2;
    fx_close_date(f, i, as_of, period.end + 60);
    ck_assert_int_eq(gf_model_forecast_build(&h, &cal, period, as_of, &o, &b), 0);
    ck_assert_int_eq(a->booked_cents, 7500);
    ck_assert_int_eq(b->booked_cents, 7500);
    ck_assert_uint_eq(b->n_open, 1);
    ck_assert_int_eq(a->open[0].amount_cents, 6000);
    ck_assert_int_eq(b->open[0].amount_cents, 6000);
    ck_assert_int_eq(b->open[0].close_date, period.start + 30);
    ck_assert_double_eq(a->open[0].p_in_period, b->open[0].p_in_period);
    gf_model_forecast_free(a);
    gf_model_forecast_free(b);
    fx_free(f);
}
END_TEST

/* Deals that booked less than they showed (a discount at signature) teach the forecast to value
 * open deals the same way, pooled with 10 pseudo-deals at 1; unchanged amounts give exactly 1. */
START_TEST(open_deals_are_valued_as_won_deals_booked_against_what_they_showed)
{
    gf_model_period q[8];
    const gf_model_calendar cal = fx_quarters(2025, 2, q);
    const gf_model_period period = q[3];
    const gf_day as_of = period.start + 20;
    fx *f = fx_new(8);
    gf_model_change discounts[3][1];
    for (int k = 0; k < 3; k++) {
        const gf_day won = q[2].start + 10 + 20 * k;
        const size_t d = fx_deal(f, 10000, q[2].start, FX_PROPOSE);
        fx_move(f, d, won, FX_WON);
        discounts[k][0] = (gf_model_change){won, 8000};
        f->deals[d].amounts = discounts[k];
        f->deals[d].n_amounts = 1;
    }
    const size_t open = fx_deal(f, 10000, period.start, FX_PROPOSE);
    gf_model_history h = fx_history(f);
    gf_model_forecast_opts o;
    gf_model_forecast_opts_default(as_of, &o);
    gf_model_forecast *a = NULL;
    ck_assert_int_eq(gf_model_forecast_build(&h, &cal, period, as_of, &o, &a), 0);
    ck_assert_uint_eq(a->won_amount_n, 3);
    const double factor = (3 * 8000.0 + 10 * 10000.0) / (3 * 10000.0 + 10 * 10000.0);
    ck_assert_double_eq_tol(a->won_amount_factor, factor, 1e-12);
    ck_assert_uint_eq(a->n_open, 1);
    ck_assert_uint_eq(a->open[0].deal, open);
    ck_assert_int_eq(a->open[0].amount_cents, 10000);
    ck_assert_int_eq(a->amount[0], 9538); /* 10,000 x 124 / 130, rounded */
    ck_assert_double_eq_tol(a->expected_open_cents, 9538.0 * a->open[0].p_in_period, 1e-9);
    gf_model_forecast_free(a);
    /* Without the discounts the deals booked what they showed: exactly 1. */
    for (int k = 0; k < 3; k++)
        f->deals[k].n_amounts = 0;
    ck_assert_int_eq(gf_model_forecast_build(&h, &cal, period, as_of, &o, &a), 0);
    ck_assert_double_eq(a->won_amount_factor, 1.0);
    ck_assert_int_eq(a->amount[0], 10000);
    gf_model_forecast_free(a);
    fx_free(f);
}
END_TEST

START_TEST(malformed_requests_are_refused)
{
    gf_model_period q[8];
    const gf_model_calendar cal = fx_quarters(2025, 2, q);
    fx *f = fx_new(2);
    fx_deal(f, 100, q[1].start, FX_QUALIFY);
    const gf_model_history h = fx_history(f);
    gf_model_forecast_opts o;
    gf_model_forecast_opts_default(q[2].start, &o);
    gf_model_forecast *fc = (gf_model_forecast *)1;
    const gf_model_period backwards = {q[2].end, q[2].start};
    ck_assert_int_eq(gf_model_forecast_build(&h, &cal, backwards, q[2].start, &o, &fc),
                     GF_MODEL_EINVAL);
    ck_assert_ptr_null(fc);
    const gf_model_period far = {q[2].start + 5000, q[2].start + 5090};
    ck_assert_int_eq(gf_model_forecast_build(&h, &cal, far, q[2].start, &o, &fc), GF_MODEL_EINVAL);
    o.survival.window_start = q[2].start + 1; /* after as_of */
    ck_assert_int_eq(gf_model_forecast_build(&h, &cal, q[2], q[2].start, &o, &fc), GF_MODEL_EINVAL);
    gf_model_forecast_opts_default(q[2].start, &o);
    ck_assert_int_eq(gf_model_forecast_build(NULL, &cal, q[2], q[2].start, &o, &fc),
                     GF_MODEL_EINVAL);
    ck_assert_int_eq(gf_model_forecast_build(&h, &cal, q[2], q[2].start, &o, &fc), 0);
    gf_model_forecast_free(fc);
    fx_free(f);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("model_forecast");
    TCase *tc = tcase_create("forecast");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, data_after_as_of_changes_the_forecast_by_not_a_cent);
    tcase_add_test(tc, booked_counts_wins_in_the_period_before_as_of);
    tcase_add_test(tc, next_quarter_forecast_counts_only_wins_inside_it);
    tcase_add_test(tc, amount_and_close_date_changes_after_as_of_are_ignored);
    tcase_add_test(tc, open_deals_are_valued_as_won_deals_booked_against_what_they_showed);
    tcase_add_test(tc, malformed_requests_are_refused);
    suite_add_tcase(s, tc);
    return fx_run(s);
}

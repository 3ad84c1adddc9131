/* Specification of the survival model and its DP (gapforge/model_survival.h), on constructed
 * histories and on synthetic orgs whose true process is known. */
#include <check.h>
#include <math.h>
#include <stdio.h>

#include "fixture.h"
#include "gapforge/model_survival.h"
#include "gapforge/model_synth.h"

/* Fits a model on an org at as_of with a window of `days`; caller frees. */
static gf_model_survival *fit(const gf_model_history *h, const gf_model_calendar *cal, gf_day as_of,
                              gf_day days, int drop_censored)
{
    gf_model_spells sp = {0};
    ck_assert_int_eq(gf_model_spells_build(h, as_of, &sp), 0);
    if (drop_censored) {
        size_t w = 0;
        for (size_t k = 0; k < sp.n; k++) {
            if (sp.items[k].exit != GF_MODEL_EXIT_CENSORED)
                sp.items[w++] = sp.items[k];
        }
        sp.n = w;
    }
    gf_model_survival_opts o;
    gf_model_survival_opts_default(as_of, &o);
    o.window_start = as_of - days;
    gf_model_survival *m = NULL;
    ck_assert_int_eq(gf_model_survival_fit(&sp, h->stages, h->n_stages, cal, &o, &m), 0);
    gf_model_spells_free(&sp);
    return m;
}

/* P(eventually won | stage, age): the DP over a long horizon without calendar effects. */
static double p_ever(const gf_model_survival *m, int32_t stage, int32_t age)
{
    gf_model_pwin *t = NULL;
    ck_assert_int_eq(gf_model_pwin_new(m, NULL, 0, GF_MODEL_MAX_HORIZON - 1, &t), 0);
    const double p = gf_model_pwin_get(t, stage, age);
    gf_model_pwin_free(t);
    return p;
}

static gf_model_synth *plain_org(uint64_t seed)
{
    gf_model_synth_params p;
    gf_model_synth_params_default(&p);
    p.seed = seed;
    p.stale_factor = 1.0;
    p.qe_boost = 1.0;
    p.shock_sigma = 0.0;
    p.zombie_share = 0.0;
    gf_model_synth *s = NULL;
    ck_assert_int_eq(gf_model_synth_new(&p, &s), 0);
    return s;
}

START_TEST(recovers_the_true_stage_win_probabilities_of_a_synthetic_org)
{
    /* Tolerance: +-0.04 absolute, about 3 standard errors with two years of ~6 deals a day. */
    for (uint64_t seed = 1; seed <= 3; seed++) {
        gf_model_synth_params p;
        gf_model_synth_params_default(&p);
        gf_model_synth *s = plain_org(seed);
        gf_model_history h;
        gf_model_calendar cal;
        gf_model_synth_history(s, &h, &cal);
        gf_model_survival *m = fit(&h, &cal, p.end_day, 730, 0);
        for (int st = 0; st < p.n_open; st++) {
            const double truth = gf_model_synth_true_win_prob(&p, st);
            const double est = p_ever(m, st, 0);
            printf("seed %llu stage %d: true P(won) %.3f, estimated %.3f\n",
                   (unsigned long long)seed, st, truth, est);
            ck_assert_double_eq_tol(est, truth, 0.04);
        }
        /* Daily hazards of the last open stage, where most exposure is: +-10% relative. */
        ck_assert_double_eq_tol(m->stage[3].won, p.won[3], 0.1 * p.won[3]);
        ck_assert_double_eq_tol(m->stage[3].lost, p.lost[3], 0.1 * p.lost[3]);
        gf_model_survival_free(m);
        gf_model_synth_free(s);
    }
}
END_TEST

START_TEST(censored_deals_lower_the_win_probability_against_dropping_them)
{
    gf_model_synth_params p;
    gf_model_synth_params_default(&p);
    gf_model_synth *s = NULL;
    ck_assert_int_eq(gf_model_synth_new(&p, &s), 0);
    gf_model_history h;
    gf_model_calendar cal;
    gf_model_synth_history(s, &h, &cal);
    gf_model_survival *kept = fit(&h, &cal, p.end_day, 365, 0);
    gf_model_survival *dropped = fit(&h, &cal, p.end_day, 365, 1);
    for (int st = 0; st < p.n_open; st++) {
        const double pk = p_ever(kept, st, 0), pd = p_ever(dropped, st, 0);
        printf("stage %d: P(won) with censored %.3f, dropping them %.3f\n", st, pk, pd);
        ck_assert(pk < pd);
    }
    gf_model_survival_free(kept);
    gf_model_survival_free(dropped);
    gf_model_synth_free(s);
}
END_TEST

START_TEST(age_in_stage_lowers_p_for_stale_deals)
{
    gf_model_synth_params p;
    gf_model_synth_params_default(&p);
    p.stale_factor = 0.1;
    gf_model_synth *s = NULL;
    ck_assert_int_eq(gf_model_synth_new(&p, &s), 0);
    gf_model_history h;
    gf_model_calendar cal;
    gf_model_synth_history(s, &h, &cal);
    gf_model_survival *m = fit(&h, &cal, p.end_day, 730, 0);
    for (int st = 1; st < p.n_open; st++) {
        const double young = p_ever(m, st, 3), old = p_ever(m, st, 120);
        printf("stage %d: P(won) at age 3 %.3f, at age 120 %.3f\n", st, young, old);
        ck_assert(old < 0.6 * young);
    }
    gf_model_survival_free(m);
    gf_model_synth_free(s);
}
END_TEST

START_TEST(backoff_reports_the_level_that_served_each_cell)
{
    gf_model_period q[8];
    const gf_model_calendar cal = fx_quarters(2024, 2, q);
    const gf_day d0 = gf_date_from_ymd(2024, 1, 1), as_of = d0 + 300;
    fx *f = fx_new(400);
    /* Many young deals in qualify, lost within days; one reaches propose, for two days. */
    for (int k = 0; k < 380; k++) {
        const size_t i = fx_deal(f, 1000, d0 + (k % 250), FX_QUALIFY);
        fx_move(f, i, d0 + (k % 250) + 1 + k % 5, FX_LOST);
    }
    const size_t i = fx_deal(f, 1000, d0 + 10, FX_QUALIFY);
    fx_move(f, i, d0 + 13, FX_PROPOSE);
    fx_move(f, i, d0 + 15, FX_WON);
    const gf_model_history h = fx_history(f);
    gf_model_survival *m = fit(&h, &cal, as_of, 365, 0);
    const gf_model_hazard *young = &m->cells[FX_QUALIFY * GF_MODEL_AGE_BUCKETS + 0];
    const gf_model_hazard *old = &m->cells[FX_QUALIFY * GF_MODEL_AGE_BUCKETS + 6];
    ck_assert_int_eq(young->level, GF_MODEL_LEVEL_CELL);
    ck_assert_uint_gt(young->n_lost, 300);
    ck_assert_int_eq(old->level, GF_MODEL_LEVEL_STAGE);
    ck_assert_double_eq(old->exposure_days, 0.0);
    ck_assert_int_eq(m->stage[FX_PROPOSE].level, GF_MODEL_LEVEL_GLOBAL);
    ck_assert_int_eq(m->cells[FX_PROPOSE * GF_MODEL_AGE_BUCKETS].level, GF_MODEL_LEVEL_GLOBAL);
    ck_assert_uint_eq(m->stage[FX_PROPOSE].n_won, 1);
    ck_assert_uint_eq(m->stage[FX_PROPOSE].n_spells, 1);
    ck_assert_uint_eq(m->stage[FX_QUALIFY].n_spells, 381);
    ck_assert_uint_eq(m->global.n_spells, 382);
    ck_assert_int_eq(m->global.level, GF_MODEL_LEVEL_GLOBAL);
    ck_assert_str_eq(gf_model_level_name(old->level), "stage");
    gf_model_survival_free(m);
    fx_free(f);
}
END_TEST

START_TEST(without_history_the_default_probability_is_the_answer)
{
    static const gf_model_stage stages[] = {
        {GF_MODEL_STAGE_OPEN, 0.35}, {GF_MODEL_STAGE_WON, 1.0}, {GF_MODEL_STAGE_LOST, 0.0}};
    const gf_model_history h = {NULL, 0, stages, 3};
    gf_model_survival *m = fit(&h, NULL, 1000, 365, 0);
    ck_assert_int_eq(m->global.level, GF_MODEL_LEVEL_DEFAULT);
    ck_assert_int_eq(m->cells[0].level, GF_MODEL_LEVEL_DEFAULT);
    ck_assert_double_eq_tol(p_ever(m, 0, 0), 0.35, 1e-6);
    gf_model_survival_free(m);
}
END_TEST

START_TEST(dp_matches_the_closed_form_for_constant_hazards)
{
    static const gf_model_stage stages[] = {
        {GF_MODEL_STAGE_OPEN, 0.5}, {GF_MODEL_STAGE_WON, 1.0}, {GF_MODEL_STAGE_LOST, 0.0}};
    const gf_model_history h = {NULL, 0, stages, 3};
    gf_model_survival *m = fit(&h, NULL, 1000, 365, 0);
    for (int b = 0; b < GF_MODEL_AGE_BUCKETS; b++) {
        m->cells[b].won = 0.01;
        m->cells[b].lost = 0.02;
        m->cells[b].moved = 0.0;
    }
    gf_model_pwin *t = NULL;
    ck_assert_int_eq(gf_model_pwin_new(m, NULL, 1000, 1089, &t), 0); /* 90 days */
    const double expect = 0.01 / 0.03 * (1.0 - pow(0.97, 90));
    ck_assert_double_eq_tol(gf_model_pwin_get(t, 0, 0), expect, 1e-12);
    ck_assert_double_eq_tol(gf_model_pwin_get(t, 0, 500), expect, 1e-12);
    ck_assert_double_eq(gf_model_pwin_get(t, 1, 0), 0.0); /* a closed stage */
    gf_model_pwin_free(t);
    gf_model_survival_free(m);
}
END_TEST

START_TEST(wins_bunching_at_quarter_end_are_learnt)
{
    for (int boosted = 0; boosted <= 1; boosted++) {
        gf_model_synth_params p;
        gf_model_synth_params_default(&p);
        p.qe_boost = boosted ? 2.5 : 1.0;
        p.shock_sigma = 0.0;
        gf_model_synth *s = NULL;
        ck_assert_int_eq(gf_model_synth_new(&p, &s), 0);
        gf_model_history h;
        gf_model_calendar cal;
        gf_model_synth_history(s, &h, &cal);
        gf_model_survival *m = fit(&h, &cal, p.end_day, 730, 0);
        const double last = (m->qe_factor[0] + m->qe_factor[1]) / 2;
        double rest = 0.0;
        for (int w = 3; w < 13; w++)
            rest += m->qe_factor[w] / 10;
        printf("quarter-end boost %.1f: learnt last-two-weeks / rest = %.2f\n", p.qe_boost,
               last / rest);
        if (boosted)
            ck_assert(last / rest > 1.9 && last / rest < 3.2);
        else
            ck_assert(last / rest > 0.75 && last / rest < 1.33);
        gf_model_survival_free(m);
        gf_model_synth_free(s);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("model_survival");
    TCase *tc = tcase_create("survival");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, recovers_the_true_stage_win_probabilities_of_a_synthetic_org);
    tcase_add_test(tc, censored_deals_lower_the_win_probability_against_dropping_them);
    tcase_add_test(tc, age_in_stage_lowers_p_for_stale_deals);
    tcase_add_test(tc, backoff_reports_the_level_that_served_each_cell);
    tcase_add_test(tc, without_history_the_default_probability_is_the_answer);
    tcase_add_test(tc, dp_matches_the_closed_form_for_constant_hazards);
    tcase_add_test(tc, wins_bunching_at_quarter_end_are_learnt);
    suite_add_tcase(s, tc);
    return fx_run(s);
}

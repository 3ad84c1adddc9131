/* test_service.c — the service layer without HTTP: a demo org loaded through the service, its
 * forecast run and rendered by direct calls, and the spread cache's single flight (one
 * computation for many concurrent cold requests). Needs PostgreSQL (GAPFORGE_TEST_DATABASE_URL);
 * exits 77 (skipped) without it. */
#include <check.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "gapforge/date.h"
#include "gapforge/demo.h"
#include "gapforge/log.h"
#include "gapforge/migrate.h"
#include "gapforge/service.h"
#include "gapforge/service_demo.h"
#include "gapforge/service_forecast.h"
#include "gapforge/store.h"
#include "service_internal.h"

static int64_t g_org;
static char g_slug[64];

/* Migrates the test database and loads one small demo org, once for the whole suite (an
 * unchecked fixture: it runs in the parent before the cases fork). */
static void load_org(void)
{
    svc_fx_connect();
    g_org = svc_fx_org("svc", "Service suite", g_slug, sizeof g_slug);
    ck_assert_int_gt(svc_fx_demo(g_org, 11, 120).deals, 0);
    gf_store_disconnect(); /* each forked case opens its own connection */
}

static gf_svc_forecast_req request_at(const char *scope, const char *as_of)
{
    gf_svc_forecast_req req;
    gf_err err = {0};
    const gf_svc_forecast_args a = {.period = "2026-Q4", .scope = scope, .as_of = as_of};
    ck_assert_msg(gf_svc_forecast_req_parse(g_org, &a, &req, &err) == 0, "%s", err.message);
    return req;
}

static gf_svc_forecast_req request(const char *scope)
{
    return request_at(scope, "2026-11-15");
}

START_TEST(a_forecast_runs_without_http_and_its_document_shows_the_result)
{
    gf_err err = {0};
    gf_svc_forecast_req req = request(NULL);
    ck_assert_uint_eq(req.trials, gf_svc_options_get()->default_trials);
    ck_assert(req.seed == gf_svc_options_get()->default_seed);
    gf_svc_forecast *f = gf_svc_forecast_run(&req, &err);
    ck_assert_msg(f, "%s", err.message);
    ck_assert_int_gt((long)f->model->n_open, 0);
    ck_assert(f->sim.p10 <= f->sim.p50 && f->sim.p50 <= f->sim.p90);
    ck_assert(f->has_target);
    json_t *doc = gf_svc_forecast_doc(f, &err);
    ck_assert_msg(doc, "%s", err.message);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "period")), "2026-Q4");
    ck_assert_double_eq_tol(json_number_value(json_object_get(doc, "p50")),
                            (double)f->sim.p50 / 100.0, 0.005);
    ck_assert_double_eq_tol(json_number_value(json_object_get(doc, "booked")),
                            (double)f->model->booked_cents / 100.0, 0.005);
    ck_assert_double_eq_tol(json_number_value(json_object_get(doc, "target")),
                            (double)f->target_cents / 100.0, 0.005);
    ck_assert_double_eq_tol(json_number_value(json_object_get(doc, "prob_hit")), f->sim.prob_hit,
                            1e-12);
    ck_assert_double_eq_tol(json_number_value(json_object_get(doc, "gap")),
                            (double)(f->target_cents - f->sim.p50) / 100.0, 0.005);
    json_decref(doc);
    gf_svc_forecast_free(f);
}
END_TEST

START_TEST(the_same_request_gives_the_same_document)
{
    gf_err err = {0};
    gf_svc_forecast_req req = request("org");
    json_t *a = gf_svc_forecast_answer(&req, &err), *b = gf_svc_forecast_answer(&req, &err);
    ck_assert(a && b);
    ck_assert(json_equal(a, b));
    json_decref(a);
    json_decref(b);
}
END_TEST

START_TEST(an_unknown_team_is_invalid_naming_the_scope)
{
    gf_err err = {0};
    gf_svc_forecast_req req = request("team:no-such-team");
    ck_assert_ptr_null(gf_svc_forecast_run(&req, &err));
    ck_assert_int_eq(err.code, GF_EINVALID);
    ck_assert_str_eq(err.field, "scope");
}
END_TEST

START_TEST(a_bad_parameter_is_invalid_naming_it)
{
    gf_err err = {0};
    gf_svc_forecast_req req;
    const gf_svc_forecast_args a = {.period = "2026-Q4", .trials = "12"};
    ck_assert_int_eq(gf_svc_forecast_req_parse(g_org, &a, &req, &err), GF_EINVALID);
    ck_assert_str_eq(err.field, "trials");
    const gf_svc_forecast_args b = {.period = "2026-Q9"};
    ck_assert_int_eq(gf_svc_forecast_req_parse(g_org, &b, &req, &err), GF_EINVALID);
    ck_assert_str_eq(err.field, "period");
}
END_TEST

START_TEST(options_set_the_defaults_of_requests)
{
    gf_svc_options o;
    gf_svc_options_default(&o);
    o.default_trials = 2000;
    o.default_seed = 7;
    gf_svc_configure(&o);
    gf_svc_forecast_req req = request(NULL);
    ck_assert_uint_eq(req.trials, 2000);
    ck_assert(req.seed == 7);
    gf_svc_options_default(&o);
    gf_svc_configure(&o);
}
END_TEST

/* The expected bookings delta of a scenario with units of one lever, seen from 2026-10-08 (so
 * that leads added from then on have time to close in the quarter). */
static double scenario_delta(const char *key, int64_t units)
{
    gf_err err = {0};
    gf_svc_lever_units lu = {.key = key, .units = units};
    const gf_svc_scenario_req sr = {
        .forecast = request_at(NULL, "2026-10-08"), .levers = &lu, .n_levers = 1};
    json_t *doc = gf_svc_scenario_answer(&sr, &err);
    ck_assert_msg(doc, "%s: %s", key, err.message);
    const double d = json_number_value(json_object_get(json_object_get(doc, "delta"), "expected"));
    json_decref(doc);
    return d;
}

START_TEST(a_falling_leading_kpi_removes_pipeline_and_a_rising_one_adds_it)
{
    /* A lever on qualified_leads (the KPI leading to bookings) with a negative effect, as PUT
     * /v1/levers accepts it: fewer leads must mean fewer bookings, never more. */
    gf_err err = {0};
    int created = 0;
    const gf_lever_fields lf = {.key = "sdr-cut",
                                .name = "Fewer SDRs",
                                .kind = "kpi",
                                .effect = "-12",
                                .unit_cost = "0",
                                .max_units = "4",
                                .ramp_days = "0",
                                .kpi = "qualified_leads"};
    json_t *lever = gf_store_lever_put(g_org, &lf, &created, &err);
    ck_assert_msg(lever, "%s", err.message);
    json_decref(lever);
    const double down1 = scenario_delta("sdr-cut", 1), down2 = scenario_delta("sdr-cut", 2);
    const double up = scenario_delta("sdr-hire", 2);
    ck_assert_msg(down1 < 0, "a falling leading KPI added %.2f", down1);
    ck_assert_msg(down2 <= down1, "more units of a falling KPI raised bookings: %.2f > %.2f", down2,
                  down1);
    ck_assert_msg(up > 0, "a rising leading KPI added %.2f", up);
    ck_assert_double_eq(scenario_delta("sdr-cut", 0), 0);
}
END_TEST

START_TEST(a_plan_past_its_work_budget_answers_the_best_plan_found)
{
    /* A goal no affordable plan reaches (a probability of 0.999 against a target far above the
     * pipeline), a budget of 1 ms: the search stops at its first step and says so. */
    gf_err err = {0};
    gf_svc_options o;
    gf_svc_options_default(&o);
    o.plan_budget_ms = 1;
    gf_svc_configure(&o);
    gf_period q4;
    ck_assert_int_eq(gf_period_parse("2026-Q4", 1, &q4), 0);
    const gf_target_fields tf = {"team:emea", "bookings", "900000000", &q4};
    json_t *t = gf_store_target_put(g_org, &tf, &err);
    ck_assert_msg(t, "%s", err.message);
    json_decref(t);
    gf_svc_plan_req pr = {.forecast = request_at("team:emea", "2026-10-08"),
                          .goal = GF_SVC_GOAL_PROBABILITY,
                          .confidence = 0.999,
                          .budget_cents = -1};
    json_t *doc = gf_svc_plan_answer(&pr, &err);
    gf_svc_options_default(&o);
    gf_svc_configure(&o);
    ck_assert_msg(doc, "%s", err.message);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "search")), "budget");
    ck_assert(json_is_false(json_object_get(doc, "achieves")));
    ck_assert(json_is_number(json_object_get(doc, "residual_gap")));
    json_decref(doc);
    /* With budget to spare the same search runs to its end. */
    o.plan_budget_ms = 600000;
    gf_svc_configure(&o);
    doc = gf_svc_plan_answer(&pr, &err);
    gf_svc_options_default(&o);
    gf_svc_configure(&o);
    ck_assert_msg(doc, "%s", err.message);
    ck_assert_str_ne(json_string_value(json_object_get(doc, "search")), "budget");
    json_decref(doc);
}
END_TEST

/* ---- the spread cache's single flight, over the real forecast ---- */

#define THREADS 4

typedef struct flight {
    gf_svc_forecast_req req;
    int cached, ok;
    double sigma;
} flight;

static void *run_one(void *arg)
{
    flight *fl = arg;
    gf_err err = {0};
    gf_svc_forecast *f = gf_svc_forecast_run(&fl->req, &err);
    if (f) {
        fl->ok = 1;
        fl->cached = f->sigma_cached;
        fl->sigma = f->sigma.sigma;
    }
    gf_svc_forecast_free(f);
    gf_store_disconnect();
    return NULL;
}

START_TEST(concurrent_cold_forecasts_calibrate_the_spread_once)
{
    gf_svc__spread_reset();
    flight fl[THREADS];
    pthread_t t[THREADS];
    for (int k = 0; k < THREADS; k++) {
        fl[k] = (flight){.req = request("org")};
        ck_assert_int_eq(pthread_create(&t[k], NULL, run_one, &fl[k]), 0);
    }
    int computed = 0;
    for (int k = 0; k < THREADS; k++) {
        pthread_join(t[k], NULL);
        ck_assert(fl[k].ok);
        computed += !fl[k].cached;
        ck_assert_double_eq(fl[k].sigma, fl[0].sigma);
    }
    ck_assert_int_eq(computed, 1);
}
END_TEST

/* ---- the spread cache alone: a slow computation counted ---- */

typedef struct counted {
    pthread_mutex_t mu;
    int calls, fail_first;
} counted;

static int slow_spread(void *arg, gf_svc_spread *out)
{
    counted *c = arg;
    pthread_mutex_lock(&c->mu);
    const int call = ++c->calls;
    pthread_mutex_unlock(&c->mu);
    usleep(50000);
    if (c->fail_first && call == 1)
        return -1;
    out->sigma.sigma = 0.25;
    for (size_t s = 0; s < out->n_stages; s++)
        out->rates[s].win_rate = (double)s / 10.0;
    return 0;
}

typedef struct asker {
    counted *c;
    uint64_t key[4];
    int rc, cached;
    gf_svc_spread got;
    gf_model_stage_rate rates[3];
} asker;

static void *ask(void *arg)
{
    asker *a = arg;
    a->got = (gf_svc_spread){.rates = a->rates, .n_stages = 3};
    a->rc = gf_svc__spread_get(a->key, slow_spread, a->c, &a->got, &a->cached);
    return NULL;
}

static int ask_all(counted *c, asker *a, int n)
{
    pthread_t t[8];
    for (int k = 0; k < n; k++) {
        a[k] = (asker){.c = c, .key = {42, 1, 2, 3}};
        ck_assert_int_eq(pthread_create(&t[k], NULL, ask, &a[k]), 0);
    }
    int failed = 0;
    for (int k = 0; k < n; k++) {
        pthread_join(t[k], NULL);
        failed += a[k].rc != 0;
    }
    return failed;
}

START_TEST(waiting_callers_share_one_computation_and_its_values)
{
    gf_svc__spread_reset();
    counted c = {.mu = PTHREAD_MUTEX_INITIALIZER};
    asker a[8];
    ck_assert_int_eq(ask_all(&c, a, 8), 0);
    ck_assert_int_eq(c.calls, 1);
    for (int k = 0; k < 8; k++) {
        ck_assert_double_eq(a[k].got.sigma.sigma, 0.25);
        ck_assert_double_eq(a[k].rates[2].win_rate, 0.2);
    }
}
END_TEST

START_TEST(a_failed_computation_is_not_cached_and_the_next_caller_computes_again)
{
    gf_svc__spread_reset();
    counted c = {.mu = PTHREAD_MUTEX_INITIALIZER, .fail_first = 1};
    asker a[4];
    const int failed = ask_all(&c, a, 4);
    ck_assert_int_ge(failed, 1);
    ck_assert_int_lt(failed, 4); /* the waiters did not all inherit the failure */
    ck_assert_int_le(c.calls, 4);
    asker again[1];
    ck_assert_int_eq(ask_all(&c, again, 1), 0);
    ck_assert(again[0].cached); /* a success after the failure was kept */
}
END_TEST

int main(void)
{
    if (svc_fx_no_database())
        return 77;
    Suite *s = suite_create("service");
    TCase *tc = tcase_create("service");
    tcase_add_unchecked_fixture(tc, load_org, NULL);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, a_forecast_runs_without_http_and_its_document_shows_the_result);
    tcase_add_test(tc, the_same_request_gives_the_same_document);
    tcase_add_test(tc, an_unknown_team_is_invalid_naming_the_scope);
    tcase_add_test(tc, a_bad_parameter_is_invalid_naming_it);
    tcase_add_test(tc, options_set_the_defaults_of_requests);
    tcase_add_test(tc, a_falling_leading_kpi_removes_pipeline_and_a_rising_one_adds_it);
    tcase_add_test(tc, a_plan_past_its_work_budget_answers_the_best_plan_found);
    tcase_add_test(tc, concurrent_cold_forecasts_calibrate_the_spread_once);
    tcase_add_test(tc, waiting_callers_share_one_computation_and_its_values);
    tcase_add_test(tc, a_failed_computation_is_not_cached_and_the_next_caller_computes_again);
    suite_add_tcase(s, tc);
    return svc_fx_run(s, CK_ENV);
}

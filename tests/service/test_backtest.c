/* test_backtest.c — backtests through the service, without HTTP, on a demo org: every row is
 * the forecast the service gives for its period and day, the actual is what was booked by the
 * period's end, the scores are the rows', bad requests are refused naming the field before
 * anything is written, and jobs answer in time or run on, within their limit, and end honestly.
 * Needs PostgreSQL (GAPFORGE_TEST_DATABASE_URL); exits 77 (skipped) without it. */
#include <check.h>
#include <math.h>
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
#include "gapforge/service_backtest.h"
#include "gapforge/service_demo.h"
#include "gapforge/store.h"

static int64_t g_org, g_other;

/* Migrates the test database and loads one small demo org (six quarters to 2026-11-15, so
 * 2025-Q4 .. 2026-Q3 have ended) and an empty org, once for the whole suite. */
static void load_org(void)
{
    svc_fx_connect();
    g_org = svc_fx_org("bt", "Backtest suite", NULL, 0);
    g_other = svc_fx_org("bt-other", "Backtest suite", NULL, 0);
    (void)svc_fx_demo(g_org, 13, 120);
    gf_store_disconnect(); /* each forked case opens its own connection */
}

static gf_svc_backtest_req parse(const gf_svc_backtest_args *a)
{
    gf_err err = {0};
    gf_svc_backtest_req req;
    ck_assert_msg(gf_svc_backtest_req_parse(g_org, a, &req, &err) == 0, "%s (%s)", err.message,
                  err.field);
    return req;
}

static json_t *answer(const gf_svc_backtest_args *a)
{
    gf_err err = {0};
    gf_svc_backtest_req req = parse(a);
    json_t *doc = gf_svc_backtest_answer(&req, &err);
    ck_assert_msg(doc, "%s", err.message);
    return doc;
}

/* GET /v1/forecast's document for a row's parameters, through the service. */
static json_t *forecast_of(const char *period, const char *scope, const char *as_of,
                           const char *trials, const char *seed)
{
    gf_err err = {0};
    gf_svc_forecast_req req;
    const gf_svc_forecast_args a = {
        .period = period, .scope = scope, .as_of = as_of, .trials = trials, .seed = seed};
    ck_assert_msg(gf_svc_forecast_req_parse(g_org, &a, &req, &err) == 0, "%s", err.message);
    json_t *doc = gf_svc_forecast_answer(&req, &err);
    ck_assert_msg(doc, "%s", err.message);
    return doc;
}

static void assert_same(const json_t *row, const json_t *fc, const char *key)
{
    const json_t *a = json_object_get(row, key), *b = json_object_get(fc, key);
    ck_assert_msg(a && b && json_equal(a, b), "%s %s: %s: backtest %g, forecast %g",
                  json_string_value(json_object_get(row, "period")),
                  json_string_value(json_object_get(row, "as_of")), key, json_number_value(a),
                  json_number_value(b));
}

static const char *const two_periods[] = {"2026-Q2", "2026-Q3"};
static const int64_t two_offsets[] = {0, 45};

START_TEST(every_row_is_the_forecast_of_its_period_and_day)
{
    const gf_svc_backtest_args a = {.scope = "team:emea",
                                    .periods = two_periods,
                                    .n_periods = 2,
                                    .offsets = two_offsets,
                                    .n_offsets = 2,
                                    .has_trials = true,
                                    .trials = 3000,
                                    .has_seed = true,
                                    .seed = 99};
    json_t *doc = answer(&a);
    const json_t *rows = json_object_get(doc, "rows");
    ck_assert_uint_eq(json_array_size(rows), 4);
    size_t k;
    const json_t *row;
    json_array_foreach(rows, k, row)
    {
        ck_assert_str_eq(json_string_value(json_object_get(row, "period")), two_periods[k / 2]);
        ck_assert_int_eq(json_integer_value(json_object_get(row, "offset")), two_offsets[k % 2]);
        json_t *fc = forecast_of(two_periods[k / 2], "team:emea",
                                 json_string_value(json_object_get(row, "as_of")), "3000", "99");
        static const char *const same[] = {"p10",      "p50",    "p90",   "expected",
                                           "prob_hit", "target", "booked"};
        for (size_t f = 0; f < sizeof same / sizeof same[0]; f++)
            assert_same(row, fc, same[f]);
        json_decref(fc);
    }
    json_decref(doc);
}
END_TEST

START_TEST(the_actual_is_what_the_forecast_after_the_period_shows_booked)
{
    const gf_svc_backtest_args a = {.periods = two_periods, .n_periods = 2};
    json_t *doc = answer(&a);
    const json_t *rows = json_object_get(doc, "rows");
    ck_assert_uint_eq(json_array_size(rows), 6); /* offsets 0, 30, 60 by default */
    json_t *q2 = forecast_of("2026-Q2", NULL, "2026-07-01", NULL, NULL);
    json_t *q3 = forecast_of("2026-Q3", NULL, "2026-10-01", NULL, NULL);
    for (size_t k = 0; k < 6; k++) {
        const json_t *row = json_array_get(rows, k), *fc = k < 3 ? q2 : q3;
        ck_assert_double_eq_tol(json_number_value(json_object_get(row, "actual")),
                                json_number_value(json_object_get(fc, "booked")), 0.001);
        ck_assert_double_eq_tol(json_number_value(json_object_get(row, "error")),
                                json_number_value(json_object_get(row, "p50")) -
                                    json_number_value(json_object_get(row, "actual")),
                                0.011);
    }
    ck_assert_double_gt(json_number_value(json_object_get(json_array_get(rows, 0), "actual")), 0);
    json_decref(q2);
    json_decref(q3);
    json_decref(doc);
}
END_TEST

/* The share of rows (offset < 0: all, else those of the offset) with actual below field. */
static double share(const json_t *rows, int offset, const char *field, int above)
{
    size_t k, n = 0, hits = 0;
    const json_t *row;
    json_array_foreach(rows, k, row)
    {
        if (offset >= 0 && json_integer_value(json_object_get(row, "offset")) != offset)
            continue;
        const double a = json_number_value(json_object_get(row, "actual"));
        const double q = json_number_value(json_object_get(row, field));
        hits += above ? a > q : a < q;
        n++;
    }
    return n ? (double)hits / (double)n : NAN;
}

START_TEST(the_summaries_score_the_rows_overall_and_by_offset)
{
    const gf_svc_backtest_args a = {.has_last = true, .last = 4};
    json_t *doc = answer(&a);
    const json_t *rows = json_object_get(doc, "rows");
    ck_assert_uint_eq(json_array_size(rows), 12);
    ck_assert_str_eq(json_string_value(json_array_get(json_object_get(doc, "periods"), 3)),
                     "2026-Q3");
    const json_t *m = json_object_get(json_object_get(doc, "summary"), "model");
    ck_assert_int_eq(json_integer_value(json_object_get(m, "n")), 12);
    double abs = 0, err = 0, actual = 0;
    size_t k;
    const json_t *row;
    json_array_foreach(rows, k, row)
    {
        abs += fabs(json_number_value(json_object_get(row, "error")));
        err += json_number_value(json_object_get(row, "error"));
        actual += json_number_value(json_object_get(row, "actual"));
    }
    ck_assert_double_eq_tol(json_number_value(json_object_get(m, "wape")), abs / actual, 1e-6);
    ck_assert_double_eq_tol(json_number_value(json_object_get(m, "bias")), err / actual, 1e-6);
    ck_assert_double_eq_tol(json_number_value(json_object_get(m, "below_p10")),
                            share(rows, -1, "p10", 0), 1e-12);
    ck_assert_double_eq_tol(json_number_value(json_object_get(m, "above_p90")),
                            share(rows, -1, "p90", 1), 1e-12);
    ck_assert(json_is_number(json_object_get(m, "pinball")));
    ck_assert_int_eq(json_integer_value(json_object_get(m, "n_brier")), 12); /* demo targets */
    const json_t *by = json_object_get(doc, "by_offset");
    ck_assert_uint_eq(json_array_size(by), 3);
    for (size_t o = 0; o < 3; o++) {
        const json_t *s = json_array_get(by, o);
        const int offset = (int)json_integer_value(json_object_get(s, "offset"));
        ck_assert_int_eq(offset, (int)o * 30);
        const json_t *mo = json_object_get(s, "model");
        ck_assert_int_eq(json_integer_value(json_object_get(mo, "n")), 4);
        ck_assert_double_eq_tol(json_number_value(json_object_get(mo, "below_p50")),
                                share(rows, offset, "p50", 0), 1e-12);
        ck_assert_int_eq(
            json_integer_value(json_object_get(json_object_get(s, "weighted_pipeline"), "n")), 4);
    }
    json_decref(doc);
}
END_TEST

START_TEST(a_rep_is_judged_beside_the_commit_submitted_before_each_day)
{
    /* The demo's reps submit weekly from the quarter's second day: none before day 0. */
    static const int64_t offsets[] = {0, 30};
    const gf_svc_backtest_args a = {.scope = "rep:ada",
                                    .periods = two_periods,
                                    .n_periods = 2,
                                    .offsets = offsets,
                                    .n_offsets = 2};
    json_t *doc = answer(&a);
    const json_t *rows = json_object_get(doc, "rows");
    for (size_t k = 0; k < 4; k++) {
        const json_t *c = json_object_get(json_array_get(rows, k), "commit");
        ck_assert_msg(k % 2 ? json_is_number(c) : json_is_null(c), "row %zu", k);
    }
    const json_t *c = json_object_get(json_object_get(doc, "summary"), "commit");
    ck_assert_int_eq(json_integer_value(json_object_get(c, "n")), 2);
    json_decref(doc);
}
END_TEST

typedef struct bad_case {
    gf_svc_backtest_args args;
    const char *field;
} bad_case;

static const char *const not_ended[] = {"2026-Q4"};
static const char *const malformed[] = {"2026-Q7"};
static const char *const repeated[] = {"2026-Q2", "2026-Q2"};
static const char *const before_history[] = {"2019-Q1"};
static const char *const forty_one[41] = {
    "2016-Q1", "2016-Q2", "2016-Q3", "2016-Q4", "2017-Q1", "2017-Q2", "2017-Q3",
    "2017-Q4", "2018-Q1", "2018-Q2", "2018-Q3", "2018-Q4", "2019-Q1", "2019-Q2",
    "2019-Q3", "2019-Q4", "2020-Q1", "2020-Q2", "2020-Q3", "2020-Q4", "2021-Q1",
    "2021-Q2", "2021-Q3", "2021-Q4", "2022-Q1", "2022-Q2", "2022-Q3", "2022-Q4",
    "2023-Q1", "2023-Q2", "2023-Q3", "2023-Q4", "2024-Q1", "2024-Q2", "2024-Q3",
    "2024-Q4", "2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1"};
static const int64_t negative[] = {-1};
static const int64_t too_late[] = {0, 92}; /* 2026-Q3 has 92 days: 0..91 */
static const int64_t twice[] = {30, 30};
static const int64_t thirteen[13] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
static const char *const q3[] = {"2026-Q3"};

START_TEST(a_bad_request_is_invalid_naming_its_field)
{
    const bad_case cases[] = {
        {{.scope = "team:nowhere"}, "scope"},
        {{.scope = "everyone"}, "scope"},
        {{.periods = not_ended, .n_periods = 1}, "periods"},
        {{.periods = malformed, .n_periods = 1}, "periods"},
        {{.periods = repeated, .n_periods = 2}, "periods"},
        {{.periods = two_periods, .n_periods = 0}, "periods"},
        {{.periods = forty_one, .n_periods = 41}, "periods"},
        {{.periods = before_history, .n_periods = 1}, "periods"},
        {{.has_last = true, .last = 0}, "last"},
        {{.has_last = true, .last = 41}, "last"},
        {{.periods = q3, .n_periods = 1, .has_last = true, .last = 2}, "last"},
        {{.periods = q3, .n_periods = 1, .offsets = negative, .n_offsets = 1}, "offsets"},
        {{.periods = q3, .n_periods = 1, .offsets = too_late, .n_offsets = 2}, "offsets"},
        {{.periods = q3, .n_periods = 1, .offsets = twice, .n_offsets = 2}, "offsets"},
        {{.periods = q3, .n_periods = 1, .offsets = negative, .n_offsets = 0}, "offsets"},
        {{.periods = q3, .n_periods = 1, .offsets = thirteen, .n_offsets = 13}, "offsets"},
        {{.has_trials = true, .trials = 999}, "trials"},
        {{.has_trials = true, .trials = 1000001}, "trials"},
        {{.has_seed = true, .seed = -1}, "seed"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        gf_err err = {0};
        gf_svc_backtest_req req;
        ck_assert_msg(gf_svc_backtest_req_parse(g_org, &cases[k].args, &req, &err) == GF_EINVALID,
                      "case %zu was accepted", k);
        ck_assert_msg(strcmp(err.field, cases[k].field) == 0, "case %zu: field %s, not %s (%s)", k,
                      err.field, cases[k].field, err.message);
    }
    /* An org without deals has no history to backtest. */
    gf_err err = {0};
    gf_svc_backtest_req req;
    const gf_svc_backtest_args none = {0};
    ck_assert_int_eq(gf_svc_backtest_req_parse(g_other, &none, &req, &err), GF_EINVALID);
    ck_assert_str_eq(err.field, "periods");
    /* The last offset of a period is in it. */
    static const int64_t last_day[] = {91};
    const gf_svc_backtest_args ok = {
        .periods = q3, .n_periods = 1, .offsets = last_day, .n_offsets = 1};
    ck_assert_int_eq(gf_svc_backtest_req_parse(g_org, &ok, &req, &err), 0);
}
END_TEST

static void configure(int wait_ms, int jobs, int budget_ms)
{
    gf_svc_options o;
    gf_svc_options_default(&o);
    o.backtest_wait_ms = wait_ms;
    o.backtest_jobs = jobs;
    o.backtest_budget_ms = budget_ms;
    gf_svc_configure(&o);
}

static const char *status_of(const json_t *job)
{
    return json_string_value(json_object_get(job, "status"));
}

START_TEST(a_job_that_finishes_within_the_wait_answers_its_result)
{
    configure(600000, 2, 600000);
    gf_err err = {0};
    const gf_svc_backtest_args a = {.periods = q3, .n_periods = 1};
    gf_svc_backtest_req req = parse(&a);
    int finished = 0;
    json_t *job = gf_svc_backtest_submit(&req, &finished, &err);
    ck_assert_msg(job, "%s", err.message);
    ck_assert(finished);
    ck_assert_str_eq(status_of(job), "done");
    ck_assert(json_is_string(json_object_get(job, "finished_at")));
    json_t *direct = gf_svc_backtest_answer(&req, &err);
    ck_assert(json_equal(json_object_get(job, "result"), direct));
    ck_assert(json_equal(json_object_get(job, "request"), gf_svc_backtest_request_json(&req)));
    json_t *again =
        gf_svc_backtest_get(g_org, json_integer_value(json_object_get(job, "id")), &err);
    ck_assert(again && json_equal(again, job));
    json_decref(again);
    json_decref(direct);
    json_decref(job);
}
END_TEST

START_TEST(a_job_past_the_wait_runs_on_and_stores_its_result)
{
    configure(0, 2, 600000);
    gf_err err = {0};
    const gf_svc_backtest_args a = {.has_last = true, .last = 4};
    gf_svc_backtest_req req = parse(&a);
    int finished = 1;
    json_t *job = gf_svc_backtest_submit(&req, &finished, &err);
    ck_assert_msg(job, "%s", err.message);
    ck_assert(!finished);
    ck_assert_str_eq(status_of(job), "running");
    ck_assert(json_is_null(json_object_get(job, "result")));
    const int64_t id = json_integer_value(json_object_get(job, "id"));
    gf_svc_backtest_drain();
    json_t *done = gf_svc_backtest_get(g_org, id, &err);
    ck_assert_msg(done, "%s", err.message);
    ck_assert_str_eq(status_of(done), "done");
    json_t *direct = gf_svc_backtest_answer(&req, &err);
    ck_assert(json_equal(json_object_get(done, "result"), direct));
    /* Another org never sees it. */
    ck_assert_ptr_null(gf_svc_backtest_get(g_other, id, &err));
    ck_assert_int_eq(err.code, GF_ENOTFOUND);
    json_decref(direct);
    json_decref(done);
    json_decref(job);
}
END_TEST

/* Eight quarters at twelve offsets: long enough to be still running at the next call. */
static gf_svc_backtest_req big_request(void)
{
    static const int64_t offsets[] = {0, 7, 14, 21, 28, 35, 42, 49, 56, 63, 70, 77};
    const gf_svc_backtest_args a = {
        .has_last = true, .last = 4, .offsets = offsets, .n_offsets = 12};
    return parse(&a);
}

START_TEST(jobs_beyond_the_limit_are_refused_and_nothing_is_stored)
{
    configure(0, 1, 600000);
    gf_err err = {0};
    gf_svc_backtest_req req = big_request();
    int finished = 0;
    json_t *first = gf_svc_backtest_submit(&req, &finished, &err);
    ck_assert_msg(first, "%s", err.message);
    const int64_t id = json_integer_value(json_object_get(first, "id"));
    ck_assert_ptr_null(gf_svc_backtest_submit(&req, &finished, &err));
    ck_assert_int_eq(err.code, GF_EUNAVAILABLE);
    ck_assert_str_eq(gf_err_reason(&err), "backtests_busy");
    gf_svc_backtest_drain();
    /* The refused one was never stored: the next id is the next job's. */
    json_t *next = gf_svc_backtest_submit(&req, &finished, &err);
    ck_assert_msg(next, "%s", err.message);
    ck_assert_int_eq(json_integer_value(json_object_get(next, "id")), id + 1);
    gf_svc_backtest_drain();
    json_decref(next);
    json_decref(first);
}
END_TEST

START_TEST(a_backtest_past_its_budget_fails_and_its_job_says_why)
{
    configure(0, 2, 1);
    gf_err err = {0};
    gf_svc_backtest_req req = big_request();
    ck_assert_ptr_null(gf_svc_backtest_answer(&req, &err));
    ck_assert_str_eq(gf_err_reason(&err), "backtest_budget");
    int finished = 0;
    json_t *job = gf_svc_backtest_submit(&req, &finished, &err);
    ck_assert_msg(job, "%s", err.message);
    gf_svc_backtest_drain();
    json_t *failed =
        gf_svc_backtest_get(g_org, json_integer_value(json_object_get(job, "id")), &err);
    ck_assert_str_eq(status_of(failed), "failed");
    ck_assert(json_is_null(json_object_get(failed, "result")));
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(failed, "error"), "code")),
                     "backtest_budget");
    json_decref(failed);
    json_decref(job);
}
END_TEST

START_TEST(a_stopping_server_ends_its_running_jobs_as_failed)
{
    configure(0, 2, 600000);
    gf_err err = {0};
    gf_svc_backtest_req req = big_request();
    int finished = 0;
    json_t *job = gf_svc_backtest_submit(&req, &finished, &err);
    ck_assert_msg(job, "%s", err.message);
    gf_svc_backtest_shutdown();
    json_t *end = gf_svc_backtest_get(g_org, json_integer_value(json_object_get(job, "id")), &err);
    ck_assert_str_eq(status_of(end), "failed");
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(end, "error"), "code")),
                     "stopping");
    /* ... and starts no new one. */
    ck_assert_ptr_null(gf_svc_backtest_submit(&req, &finished, &err));
    ck_assert_int_eq(err.code, GF_EUNAVAILABLE);
    json_decref(end);
    json_decref(job);
}
END_TEST

int main(void)
{
    if (svc_fx_no_database())
        return 77;
    Suite *s = suite_create("service_backtest");
    TCase *tc = tcase_create("backtest");
    tcase_add_unchecked_fixture(tc, load_org, NULL);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, every_row_is_the_forecast_of_its_period_and_day);
    tcase_add_test(tc, the_actual_is_what_the_forecast_after_the_period_shows_booked);
    tcase_add_test(tc, the_summaries_score_the_rows_overall_and_by_offset);
    tcase_add_test(tc, a_rep_is_judged_beside_the_commit_submitted_before_each_day);
    tcase_add_test(tc, a_bad_request_is_invalid_naming_its_field);
    tcase_add_test(tc, a_job_that_finishes_within_the_wait_answers_its_result);
    tcase_add_test(tc, a_job_past_the_wait_runs_on_and_stores_its_result);
    tcase_add_test(tc, jobs_beyond_the_limit_are_refused_and_nothing_is_stored);
    tcase_add_test(tc, a_backtest_past_its_budget_fails_and_its_job_says_why);
    tcase_add_test(tc, a_stopping_server_ends_its_running_jobs_as_failed);
    suite_add_tcase(s, tc);
    return svc_fx_run(s, CK_ENV);
}

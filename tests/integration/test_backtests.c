/* test_backtests.c — POST /v1/backtests and GET /v1/backtests/{id} over HTTP on a demo org
 * (six quarters to 2026-11-15): a row is what GET /v1/forecast answers for its period and day,
 * the actual is the sum of the deals won in the period, bad requests are 422 naming the field
 * and store nothing, the CLI prints the same result, another org's job is 404.
 *
 * The binary runs twice (tests/integration/meson.build): with GAPFORGE_BACKTEST_WAIT_MS high,
 * where every backtest answers 200 with its result, and with it 0, where every backtest answers
 * 202 with a running job whose Location is then read until it is done. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"

static const fx_demo_spec demo = {
    .seed = 21, .quarters = 6, .deals_per_quarter = 150, .as_of = "2026-11-15"};

static int jobs_mode(void)
{
    const char *w = getenv("GAPFORGE_BACKTEST_WAIT_MS");
    return w && strcmp(w, "0") == 0;
}

/* POSTs body and returns the finished job: 200 directly, or 202 followed to its Location until
 * it is done (asserting the Location and the running job on the way). A new reference. */
static json_t *backtest_done(const char *key, const char *body)
{
    t_resp r = t_post(key, "/v1/backtests", body);
    if (!jobs_mode()) {
        ck_assert_msg(r.status == 200, "backtest %s: %ld %s", body, r.status, r.raw);
        ck_assert_str_eq(t_str(r.body, "status"), "done");
        return fx_body(r, 200);
    }
    ck_assert_msg(r.status == 202, "backtest %s: %ld %s", body, r.status, r.raw);
    ck_assert_str_eq(t_str(r.body, "status"), "running");
    ck_assert(json_is_null(json_object_get(r.body, "result")));
    char want[64];
    snprintf(want, sizeof want, "/v1/backtests/%lld", t_int(r.body, "id"));
    ck_assert_str_eq(r.location, want);
    t_resp_free(&r);
    for (int tries = 0; tries < 600; tries++) {
        json_t *job = fx_body(t_get(key, "%s", want), 200);
        const char *status = t_str(job, "status");
        if (strcmp(status, "running") != 0) {
            ck_assert_msg(strcmp(status, "done") == 0, "job %s: %s", want,
                          json_dumps(job, JSON_COMPACT));
            return job;
        }
        json_decref(job);
        usleep(100000);
    }
    ck_abort_msg("job %s still running after 60 s", want);
    return NULL;
}

static const json_t *result_rows(const json_t *job)
{
    return json_object_get(json_object_get(job, "result"), "rows");
}

START_TEST(a_row_is_what_get_forecast_answers_for_its_period_and_day)
{
    const char *key = fx_shared_key();
    json_t *job = backtest_done(key, "{\"periods\": [\"2026-Q2\", \"2026-Q3\"], \"offsets\": "
                                     "[0, 30], \"trials\": 2000, \"seed\": 7}");
    const json_t *rows = result_rows(job);
    ck_assert_uint_eq(json_array_size(rows), 4);
    for (size_t k = 0; k < 4; k++) {
        const json_t *row = json_array_get(rows, k);
        t_resp f = t_get(key, "/v1/forecast?period=%s&as_of=%s&trials=2000&seed=7",
                         t_str(row, "period"), t_str(row, "as_of"));
        ck_assert_int_eq(f.status, 200);
        static const char *const same[] = {"p10",      "p50",    "p90",   "expected",
                                           "prob_hit", "target", "booked"};
        for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
            const json_t *a = json_object_get(row, same[i]), *b = json_object_get(f.body, same[i]);
            ck_assert_msg(a && b && json_equal(a, b), "%s at %s: %s %s vs %s", t_str(row, "period"),
                          t_str(row, "as_of"), same[i], json_dumps(a, JSON_ENCODE_ANY),
                          json_dumps(b, JSON_ENCODE_ANY));
        }
        t_resp_free(&f);
    }
    json_decref(job);
}
END_TEST

START_TEST(the_actual_is_the_sum_of_the_deals_won_in_the_period)
{
    const char *key = fx_shared_key();
    json_t *job = backtest_done(key, "{\"periods\": [\"2026-Q1\", \"2026-Q3\"], \"offsets\": "
                                     "[15]}");
    static const char *const bounds[2][2] = {{"2026-01-01", "2026-03-31"},
                                             {"2026-07-01", "2026-09-30"}};
    for (size_t k = 0; k < 2; k++) {
        char *sum = fx_sqlf("SELECT coalesce(sum(d.amount), 0) FROM deals d JOIN orgs o ON "
                            "o.id = d.org_id JOIN stages s ON s.id = d.stage_id WHERE o.slug = "
                            "'%s' AND d.deleted_at IS NULL AND s.kind = 'won' AND d.closed_on "
                            "BETWEEN '%s' AND '%s'",
                            fx_shared_slug(), bounds[k][0], bounds[k][1]);
        const json_t *row = json_array_get(result_rows(job), k);
        ck_assert_double_gt(atof(sum), 0);
        ck_assert_double_eq_tol(t_num(row, "actual"), atof(sum), 0.001);
        ck_assert_double_eq_tol(t_num(row, "error"), t_num(row, "p50") - t_num(row, "actual"),
                                0.011);
        free(sum);
    }
    const json_t *s = json_object_get(json_object_get(job, "result"), "summary");
    ck_assert_int_eq(t_int(json_object_get(s, "model"), "n"), 2);
    ck_assert_int_eq(t_int(json_object_get(s, "weighted_pipeline"), "n"), 2);
    json_decref(job);
}
END_TEST

START_TEST(a_read_key_runs_a_backtest_and_its_job_is_no_other_orgs)
{
    char reader[128], other[128];
    t_new_key(fx_shared_key(), "[\"read\"]", reader);
    json_t *job = backtest_done(reader, "{\"last\": 2, \"offsets\": [30]}");
    const json_t *periods = json_object_get(json_object_get(job, "request"), "periods");
    ck_assert_str_eq(json_string_value(json_array_get(periods, 0)), "2026-Q2");
    ck_assert_str_eq(json_string_value(json_array_get(periods, 1)), "2026-Q3");
    const long long id = t_int(job, "id");
    json_t *again = fx_body(t_get(reader, "/v1/backtests/%lld", id), 200);
    ck_assert(json_equal(again, job));
    t_new_org(other, NULL);
    fx_expect_error(t_get(other, "/v1/backtests/%lld", id), 404, "not_found", NULL);
    fx_expect_error(t_get(reader, "/v1/backtests/%lld", id + 100000), 404, "not_found", NULL);
    fx_expect_error(t_get(reader, "/v1/backtests/abc"), 404, "not_found", NULL);
    json_decref(again);
    json_decref(job);
}
END_TEST

START_TEST(a_bad_request_is_422_naming_the_field_and_stores_nothing)
{
    const char *key = fx_shared_key();
    static const struct {
        const char *body, *field;
    } cases[] = {
        {"{\"scope\": \"team:nowhere\"}", "scope"},
        {"{\"scope\": 5}", "scope"},
        {"{\"periods\": [\"2026-Q4\"]}", "periods"}, /* not ended */
        {"{\"periods\": []}", "periods"},
        {"{\"periods\": [\"2026-Q5\"]}", "periods"},
        {"{\"periods\": \"2026-Q1\"}", "periods"},
        {"{\"periods\": [\"2026-Q1\", \"2026-Q1\"]}", "periods"},
        {"{\"periods\": [\"2019-Q1\"]}", "periods"}, /* no deal before it */
        {"{\"last\": 0}", "last"},
        {"{\"last\": 2, \"periods\": [\"2026-Q1\"]}", "last"},
        {"{\"offsets\": []}", "offsets"},
        {"{\"offsets\": [-1]}", "offsets"},
        {"{\"offsets\": [1.5]}", "offsets"},
        {"{\"periods\": [\"2026-Q3\"], \"offsets\": [92]}", "offsets"},
        {"{\"trials\": 10}", "trials"},
        {"{\"seed\": \"1\"}", "seed"},
        {"{\"as_of\": \"2026-01-01\"}", "as_of"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
        fx_expect_invalid(t_post(key, "/v1/backtests", cases[k].body), cases[k].field);
    char many[2048] = "{\"periods\": [";
    for (int y = 2016, n = 0; n < 41; y++)
        for (int q = 1; q <= 4 && n < 41; q++, n++)
            snprintf(many + strlen(many), sizeof many - strlen(many), "%s\"%d-Q%d\"", n ? ", " : "",
                     y, q);
    strcat(many, "]}");
    fx_expect_invalid(t_post(key, "/v1/backtests", many), "periods");
    fx_expect_error(t_post(key, "/v1/backtests", "[]"), 400, "invalid_body", NULL);
    /* An org without deals has no history to backtest. */
    char empty[128], slug[64];
    t_new_org(empty, slug);
    fx_expect_invalid(t_post(empty, "/v1/backtests", "{}"), "periods");
    ck_assert_int_eq(fx_org_rows(slug, "backtests"), 0);
}
END_TEST

START_TEST(the_cli_prints_the_same_result)
{
    const char *key = fx_shared_key();
    json_t *job = backtest_done(key, "{\"periods\": [\"2026-Q2\"], \"offsets\": [0, 45], "
                                     "\"scope\": \"team:emea\", \"trials\": 2000, \"seed\": 3}");
    char args[256], out[65536];
    snprintf(args, sizeof args,
             "backtest --org %s --periods 2026-Q2 --offsets 0,45 --scope team:emea "
             "--trials 2000 --seed 3",
             fx_shared_slug());
    ck_assert_int_eq(fx_gapforge(NULL, args, out, sizeof out), 0);
    json_error_t jerr;
    json_t *cli = json_loads(out, 0, &jerr);
    ck_assert_msg(cli, "%s: %s", jerr.text, out);
    ck_assert_msg(json_equal(json_object_get(cli, "rows"), result_rows(job)), "%s", out);
    ck_assert(json_equal(json_object_get(cli, "summary"),
                         json_object_get(json_object_get(job, "result"), "summary")));
    ck_assert_int_ne(fx_gapforge(NULL, "backtest --org nobody-at-all 2>/dev/null", NULL, 0), 0);
    json_decref(cli);
    json_decref(job);
}
END_TEST

int main(void)
{
    Suite *s = suite_create(jobs_mode() ? "backtests_jobs" : "backtests");
    TCase *tc = tcase_create("backtests");
    tcase_set_timeout(tc, 120);
    fx_shared_demo_add(tc, demo);
    tcase_add_test(tc, a_row_is_what_get_forecast_answers_for_its_period_and_day);
    tcase_add_test(tc, the_actual_is_the_sum_of_the_deals_won_in_the_period);
    tcase_add_test(tc, a_read_key_runs_a_backtest_and_its_job_is_no_other_orgs);
    if (!jobs_mode()) {
        tcase_add_test(tc, a_bad_request_is_422_naming_the_field_and_stores_nothing);
        tcase_add_test(tc, the_cli_prints_the_same_result);
    }
    suite_add_tcase(s, tc);
    return t_main(s);
}

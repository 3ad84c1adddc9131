/* test_kpi_forecast.c — GET /v1/kpis/{key}/forecast, and kpi levers in POST /v1/scenarios and
 * POST /v1/plans, for an org that tracks only KPIs (no stage, no deal), over real HTTP against
 * real PostgreSQL. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

/* Writes day (days since 1970-01-01) as YYYY-MM-DD (Howard Hinnant's civil_from_days). */
static void fx_date(int day, char out[16])
{
    const long z = day + 719468L, era = z / 146097, doe = z - era * 146097;
    const long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const long doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    const long d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
    char buf[80]; /* wide enough for any longs, so no truncation to warn of */
    snprintf(buf, sizeof buf, "%04ld-%02ld-%02ld", yoe + era * 400 + (m <= 2), m, d);
    memcpy(out, buf, 10);
    out[10] = '\0';
}

/* Puts the lower-is-better daily KPI errors_per_page with `days` daily observations ending the
 * day before 2026-07-01, around `level` (a fixed wobble, no randomness), every `step` days. */
static void errors_kpi(const char *key, int days, double level, int step)
{
    json_decref(fx_body(t_put(key, "/v1/kpis/errors_per_page",
                              "{\"name\": \"Errors per page\", \"unit\": \"errors\", "
                              "\"direction\": \"lower_is_better\", \"aggregation\": \"mean\", "
                              "\"bucket\": \"day\"}"),
                        201));
    size_t cap = (size_t)days * 64 + 16, len = 0;
    char *body = malloc(cap);
    ck_assert_ptr_nonnull(body);
    len += (size_t)snprintf(body + len, cap - len, "[");
    /* 2026-07-01 is day 20635. */
    int first = 1;
    for (int d = days; d >= 1; d -= step) {
        char date[16];
        const int day = 20635 - d;
        const double v = level + 0.3 * sin(0.9 * d) + 0.2 * cos(2.0 * M_PI * d / 7.0);
        fx_date(day, date);
        len += (size_t)snprintf(body + len, cap - len, "%s{\"date\": \"%s\", \"value\": %.4f}",
                                first ? "" : ",", date, v);
        first = 0;
    }
    snprintf(body + len, cap - len, "]");
    json_decref(fx_body(t_post(key, "/v1/kpis/errors_per_page/observations", body), 200));
    free(body);
}

START_TEST(a_kpi_forecast_three_months_ahead_quantifies_the_miss)
{
    char key[128];
    t_new_org(key, NULL);
    errors_kpi(key, 365, 4.0, 1);
    json_decref(fx_body(t_put(key, "/v1/targets",
                              "{\"scope\": \"org\", \"metric\": \"errors_per_page\", \"period\": "
                              "\"2026-Q4\", \"value\": 0.4}"),
                        200));
    t_resp r = t_get(key, "/v1/kpis/errors_per_page/forecast?period=2026-Q4&as_of=2026-07-01");
    ck_assert_int_eq(r.status, 200);
    const json_t *b = r.body, *v = json_object_get(b, "value");
    printf("kpi forecast: %s, P10 %.2f P50 %.2f P90 %.2f, gap %.2f, prob %.3f, skill MASE %.2f vs "
           "naive %.2f\n",
           t_str(b, "method"), t_num(v, "p10"), t_num(v, "p50"), t_num(v, "p90"), t_num(b, "gap"),
           t_num(b, "prob_meet"), t_num(json_object_get(b, "skill"), "mase_model"),
           t_num(json_object_get(b, "skill"), "mase_naive"));
    ck_assert_str_eq(t_str(b, "bucket"), "day");
    ck_assert_str_eq(t_str(b, "bucket_source"), "definition");
    ck_assert_double_eq_tol(t_num(b, "target"), 0.4, 1e-9);
    /* Nothing of Q4 is known three months ahead: 92 days to forecast, none done. */
    ck_assert_int_eq(t_int(b, "remaining_buckets"), 92);
    ck_assert_int_eq(json_array_size(json_object_get(b, "projection")), 92);
    ck_assert(json_is_null(json_object_get(json_object_get(b, "actual_to_date"), "value")));
    ck_assert(t_num(v, "p10") < t_num(v, "p50") && t_num(v, "p50") < t_num(v, "p90"));
    ck_assert_double_eq_tol(t_num(v, "p50"), 4.0, 1.0);
    /* Above a lower-is-better goal is a miss: gap = P50 - target > 0, little chance. */
    ck_assert_double_eq_tol(t_num(b, "gap"), t_num(v, "p50") - 0.4, 1e-9);
    ck_assert(t_num(b, "prob_meet") < 0.05);
    ck_assert_str_ne(t_str(b, "method"), "insufficient_history");
    ck_assert_uint_ge(json_array_size(json_object_get(b, "candidates")), 6);
    ck_assert(json_is_object(json_object_get(b, "skill")));
    t_resp_free(&r);

    /* The seed's vendors: each removes 0.4 errors per page from its start plus a 14-day ramp. */
    json_decref(fx_body(t_put(key, "/v1/levers/qa_vendor",
                              "{\"name\": \"QA vendor\", \"kind\": \"kpi\", \"kpi\": "
                              "\"errors_per_page\", \"effect\": -0.4, \"unit_cost\": 20000, "
                              "\"max_units\": 20, \"ramp_days\": 14}"),
                        201));
    r = t_post(key, "/v1/scenarios",
               "{\"period\": \"2026-Q4\", \"as_of\": \"2026-07-01\", \"metric\": "
               "\"errors_per_page\", \"levers\": [{\"key\": \"qa_vendor\", \"units\": 5}]}");
    ck_assert_int_eq(r.status, 200);
    /* Five vendors acting before Q4 starts: every day of it 2.0 lower. */
    ck_assert_double_eq_tol(t_num(json_object_get(r.body, "delta"), "p50"), -2.0, 0.05);
    ck_assert_double_eq_tol(t_num(r.body, "total_cost"), 100000.0, 1e-6);
    t_resp_free(&r);

    r = t_post(key, "/v1/plans",
               "{\"period\": \"2026-Q4\", \"as_of\": \"2026-07-01\", \"goal\": {\"metric\": "
               "\"errors_per_page\", \"type\": \"probability\", \"confidence\": 0.8}}");
    ck_assert_int_eq(r.status, 200);
    const json_t *p = r.body;
    printf("kpi plan: %s\n", t_str(p, "summary"));
    ck_assert(json_is_true(json_object_get(p, "achieves")));
    ck_assert_str_eq(t_str(p, "search"), "exact");
    const json_t *a = json_array_get(json_object_get(p, "actions"), 0);
    ck_assert_str_eq(t_str(a, "lever"), "qa_vendor");
    ck_assert(t_num(json_object_get(p, "result"), "prob_meet") >= 0.8);
    /* The cheapest: one vendor fewer would not reach 80%. */
    const long units = (long)t_int(a, "units");
    ck_assert_double_eq_tol(t_num(p, "total_cost"), 20000.0 * (double)units, 1e-6);
    ck_assert_ptr_nonnull(strstr(t_str(p, "summary"), "If nothing changes"));
    ck_assert_ptr_nonnull(strstr(t_str(p, "summary"), "If it is refused"));
    t_resp_free(&r);
    char body[256];
    snprintf(body, sizeof body,
             "{\"period\": \"2026-Q4\", \"as_of\": \"2026-07-01\", \"metric\": "
             "\"errors_per_page\", \"levers\": [{\"key\": \"qa_vendor\", \"units\": %ld}]}",
             units - 1);
    r = t_post(key, "/v1/scenarios", body);
    ck_assert_int_eq(r.status, 200);
    ck_assert(t_num(json_object_get(r.body, "scenario"), "prob_meet") < 0.8);
    t_resp_free(&r);
    /* Bookings need a funnel; the KPI plan did not. */
    r = t_post(key, "/v1/plans", "{\"period\": \"2026-Q4\", \"goal\": {\"type\": \"p50\"}}");
    ck_assert_int_eq(r.status, 422);
    t_resp_free(&r);
}
END_TEST

START_TEST(sparse_series_are_put_on_their_own_buckets_with_gaps)
{
    char key[128];
    t_new_org(key, NULL);
    /* Weekly observations of a daily KPI, with weeks missing. */
    errors_kpi(key, 364, 3.0, 7);
    fx_exec("DELETE FROM kpi_observations o USING kpis k, orgs g WHERE o.kpi_id = k.id AND "
            "k.org_id = g.id AND g.id = (SELECT org_id FROM kpis WHERE key = "
            "'errors_per_page' ORDER BY id DESC LIMIT 1) AND (o.observed_on - date "
            "'2000-01-01') %% 5 = 0 AND o.observed_on < date '2026-06-01'");
    t_resp r = t_get(key, "/v1/kpis/errors_per_page/forecast?period=2026-Q3&as_of=2026-07-01");
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(t_str(r.body, "bucket"), "week");
    ck_assert_str_eq(t_str(r.body, "bucket_source"), "data");
    const json_t *s = json_object_get(r.body, "series");
    ck_assert_int_gt(t_int(s, "gaps"), 0);
    ck_assert_int_eq(t_int(s, "season"), 52);
    ck_assert(json_is_null(json_object_get(r.body, "target")));
    ck_assert(json_is_null(json_object_get(r.body, "prob_meet")));
    ck_assert_double_eq_tol(t_num(json_object_get(r.body, "value"), "p50"), 3.0, 1.0);
    t_resp_free(&r);
}
END_TEST

START_TEST(bad_input_is_refused_and_short_series_are_naive)
{
    char key[128];
    t_new_org(key, NULL);
    fx_expect_error(t_get(key, "/v1/kpis/nothing/forecast?period=2026-Q3"), 404, "not_found", NULL);
    errors_kpi(key, 3, 2.0, 1);
    t_resp r = t_get(key, "/v1/kpis/errors_per_page/forecast?period=2026-Q3&as_of=2026-07-01");
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(t_str(r.body, "method"), "insufficient_history");
    const json_t *v = json_object_get(r.body, "value");
    ck_assert(t_num(v, "p90") - t_num(v, "p10") > 0.3); /* widened, not a point */
    t_resp_free(&r);
    /* A period that ends before the first observation; no observation before as_of. */
    fx_expect_invalid(
        t_get(key, "/v1/kpis/errors_per_page/forecast?period=2025-Q1&as_of=2026-07-01"), "period");
    fx_expect_invalid(
        t_get(key, "/v1/kpis/errors_per_page/forecast?period=2026-Q3&as_of=2026-06-01"), "as_of");
    fx_expect_invalid(
        t_get(key, "/v1/kpis/errors_per_page/forecast?period=2026-Q3&scope=team:none"), "scope");
    /* Values that are not finite are refused on write, naming the row. */
    fx_expect_invalid(t_post(key, "/v1/kpis/errors_per_page/observations",
                             "[{\"date\": \"2026-01-01\", \"value\": 1}, {\"date\": "
                             "\"2026-01-02\", \"value\": \"NaN\"}]"),
                      "[1].value");
    r = fx_post_csv(key, "/v1/imports/kpi-observations",
                    "kpi,date,value\nerrors_per_page,2026-01-01,1\nerrors_per_page,2026-01-02,NaN\n"
                    "errors_per_page,2026-01-03,inf\n");
    ck_assert_int_eq(r.status, 422);
    t_resp_free(&r);
    ck_assert_int_eq(fx_sql_ll("SELECT count(*) FROM kpi_observations WHERE observed_on = "
                               "'2026-01-01' AND value = 1 AND kpi_id IN (SELECT id FROM kpis "
                               "WHERE key = 'errors_per_page')"),
                     0);
    /* A lever of another kind in a KPI scenario names the item. */
    json_decref(fx_body(t_put(key, "/v1/levers/coaching",
                              "{\"name\": \"Coaching\", \"kind\": \"win_rate\", \"effect\": 0.1, "
                              "\"unit_cost\": 1000, \"max_units\": 3, \"ramp_days\": 0}"),
                        201));
    fx_expect_invalid(t_post(key, "/v1/scenarios",
                             "{\"period\": \"2026-Q3\", \"as_of\": \"2026-07-01\", \"metric\": "
                             "\"errors_per_page\", \"levers\": [{\"key\": \"coaching\", "
                             "\"units\": 1}]}"),
                      "levers[0].key");
    fx_expect_invalid(t_post(key, "/v1/plans",
                             "{\"period\": \"2026-Q3\", \"as_of\": \"2026-07-01\", \"goal\": "
                             "{\"metric\": \"errors_per_page\", \"type\": \"p50\"}}"),
                      "period");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("kpi_forecast");
    TCase *tc = tcase_create("kpi_forecast");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, a_kpi_forecast_three_months_ahead_quantifies_the_miss);
    tcase_add_test(tc, sparse_series_are_put_on_their_own_buckets_with_gaps);
    tcase_add_test(tc, bad_input_is_refused_and_short_series_are_naive);
    suite_add_tcase(s, tc);
    return t_main(s);
}

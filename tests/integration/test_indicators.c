/* test_indicators.c — GET /v1/indicators over real HTTP: the demo org's qualified leads turn
 * down when the truth file says, with the sentence, the stated detector and the lag that moves
 * the effect into the right quarter, beside the pipeline's own indicators; the forecast's deals
 * not yet created follow the shift; a KPI-only story with a step written through the API; the
 * 422s and tenancy. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

/* The item of body with key (borrowed; fails the test when absent). */
static const json_t *item(const json_t *body, const char *key)
{
    size_t i;
    const json_t *it;
    json_array_foreach(json_object_get(body, "items"), i, it)
    {
        if (strcmp(json_string_value(json_object_get(it, "key")), key) == 0)
            return it;
    }
    ck_abort_msg("no indicator %s", key);
    return NULL;
}

static int has_item(const json_t *body, const char *key)
{
    size_t i;
    const json_t *it;
    json_array_foreach(json_object_get(body, "items"), i, it)
    {
        if (strcmp(json_string_value(json_object_get(it, "key")), key) == 0)
            return 1;
    }
    return 0;
}

static double num2(const json_t *obj, const char *a, const char *b)
{
    const json_t *v = json_object_get(json_object_get(obj, a), b);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

static const char *str2(const json_t *obj, const char *a, const char *b)
{
    const json_t *v = json_object_get(json_object_get(obj, a), b);
    return json_is_string(v) ? json_string_value(v) : "";
}

/* Days since 1970-01-01 of a proleptic Gregorian date (the civil-calendar day count). */
static int days_of(int y, int m, int d)
{
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400, yoe = y - era * 400;
    const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

static int day_of(const char *text)
{
    int y, m, d;
    ck_assert_int_eq(sscanf(text, "%d-%d-%d", &y, &m, &d), 3);
    return days_of(y, m, d);
}

/* "YYYY-MM-DD" of 7 w days after Monday 2026-01-05 (weeks of 2026 only). */
static void week_text(int w, char out[16])
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int doy = 4 + 7 * w, m = 0;
    while (doy >= mdays[m])
        doy -= mdays[m++];
    snprintf(out, 16, "2026-%02d-%02d", (m + 1) % 100, (doy + 1) % 100);
}

START_TEST(the_demo_s_downturn_in_qualified_leads_is_found_and_dated)
{
    const char *key = fx_shared_key();
    const json_t *truth = fx_shared_truth();
    const json_t *lead = json_object_get(json_object_get(truth, "kpis"), "qualified_leads");
    const json_t *down = json_object_get(lead, "downturn");
    ck_assert(json_is_object(down));
    json_t *body = fx_body(t_get(key, "/v1/indicators?as_of=2026-11-15"), 200);
    ck_assert_str_eq(t_str(body, "as_of"), "2026-11-15");
    ck_assert_str_eq(t_str(body, "scope"), "org");
    const json_t *det = json_object_get(body, "detector");
    ck_assert_str_eq(t_str(det, "method"), "cusum");
    ck_assert(t_num(det, "arl0_weeks") >= 52.0 - 1e-6);
    ck_assert(t_num(det, "detection_delay_weeks") > 1.0 && t_num(det, "detection_delay_weeks") < 6);
    const json_t *ql = item(body, "qualified_leads");
    ck_assert_str_eq(t_str(ql, "kind"), "kpi");
    ck_assert_str_eq(str2(ql, "detector", "state"), "shifted_down");
    ck_assert(json_is_true(json_object_get(json_object_get(ql, "detector"), "alarm")));
    /* Dated within two weeks of the truth's start, by about the truth's size. */
    const int since = day_of(str2(ql, "detector", "since"));
    const int start = day_of(t_str(down, "start"));
    ck_assert_int_le(abs(since - start), 14);
    const double rel = num2(ql, "change", "relative");
    ck_assert_msg(rel < -0.1 && rel > -0.32, "relative %f", rel);
    ck_assert(num2(ql, "change", "high") < 0);
    char want[96];
    snprintf(want, sizeof want, "qualified leads turned down %.0f%% since %s", -100 * rel,
             str2(ql, "detector", "since"));
    ck_assert_str_eq(t_str(ql, "text"), want);
    /* The lag: bookings from since + lag answer to it; Q4 ends before a lag that long. */
    const json_t *eff = json_object_get(ql, "effect");
    const long long lag = t_int(lead, "lag_days");
    ck_assert_int_eq(t_int(eff, "lag_days"), lag);
    ck_assert_int_eq(day_of(t_str(eff, "starts_on")), since + (int)lag);
    const json_t *q = json_object_get(eff, "quarters");
    ck_assert_uint_eq(json_array_size(q), 3);
    ck_assert_str_eq(t_str(json_array_get(q, 0), "period"), "2026-Q4");
    ck_assert_str_eq(t_str(json_array_get(q, 1), "period"), "2027-Q1");
    const int q4_end = day_of("2026-12-31");
    const double s0 = t_num(json_array_get(q, 0), "share");
    if (since + lag > q4_end)
        ck_assert(s0 == 0.0);
    ck_assert(t_num(json_array_get(q, 1), "share") > 0.5);
    ck_assert(t_num(json_array_get(q, 1), "bookings_change") < 0);
    ck_assert(t_num(json_array_get(q, 1), "multiplier") < 1.0);
    /* The pipeline's own indicators. */
    const char *pipe[] = {"opportunities_created", "lead_conversion", "marketing_share",
                          "new_deal_size", "velocity"};
    for (size_t i = 0; i < sizeof pipe / sizeof pipe[0]; i++) {
        const json_t *it = item(body, pipe[i]);
        ck_assert_str_eq(t_str(it, "kind"), "pipeline");
        ck_assert(num2(it, "baseline", "n") >= 8);
        ck_assert_uint_eq(json_array_size(json_object_get(it, "series")), 47);
    }
    /* Opportunities follow the leads two weeks later: down too. */
    ck_assert(num2(item(body, "opportunities_created"), "change", "value") < 0);
    json_decref(body);
}
END_TEST

START_TEST(the_forecast_s_new_deals_follow_the_shift_in_the_quarter_the_lag_reaches)
{
    const char *key = fx_shared_key();
    json_t *f =
        fx_body(t_get(key, "/v1/forecast?period=2027-Q1&as_of=2026-11-15&trials=2000"), 200);
    const json_t *nd =
        json_object_get(json_object_get(json_object_get(f, "model"), "parameters"), "new_deals");
    const json_t *li = json_object_get(nd, "lead_indicator");
    ck_assert(json_is_object(li));
    ck_assert_str_eq(t_str(li, "kpi"), "qualified_leads");
    ck_assert(json_is_true(json_object_get(li, "shifted")));
    ck_assert(t_num(li, "multiplier") < 1.0);
    ck_assert(t_num(li, "relative") < 0);
    /* Before the period starts "why" has nothing of it: opportunities stay its volume driver. */
    ck_assert(json_is_null(json_object_get(json_object_get(f, "why"), "kpi")));
    json_decref(f);
    /* A quarter whose end the lag does not reach keeps its new deals (multiplier 1). */
    f = fx_body(t_get(key, "/v1/forecast?period=2026-Q4&as_of=2026-11-15&trials=2000"), 200);
    li = json_object_get(
        json_object_get(json_object_get(json_object_get(f, "model"), "parameters"), "new_deals"),
        "lead_indicator");
    if (t_num(li, "share") == 0.0)
        ck_assert(t_num(li, "multiplier") == 1.0);
    json_decref(f);
}
END_TEST

/* PUTs a KPI leading to bookings with lag, and 46 weeks of observations from Monday 2026-01-05:
 * 97 and 103 in turn, the last `down` weeks 25% lower. */
static void kpi_story(const char *key, int down)
{
    t_resp r = t_put(
        key, "/v1/kpis/mql",
        "{\"name\": \"Marketing qualified leads\", \"unit\": \"leads\", "
        "\"direction\": \"higher_is_better\", \"aggregation\": \"sum\", \"bucket\": \"week\", "
        "\"leads_to\": {\"metric\": \"bookings\", \"lag_days\": 30}}");
    ck_assert_msg(r.status == 201, "PUT /v1/kpis/mql: %ld %s", r.status, fx_error_message(&r));
    t_resp_free(&r);
    char *body = malloc(46 * 64 + 16);
    size_t len = (size_t)sprintf(body, "[");
    for (int w = 0; w < 46; w++) {
        char d[16];
        week_text(w, d);
        const double v = (w % 2 ? 97.0 : 103.0) * (w >= 46 - down ? 0.75 : 1.0);
        len += (size_t)sprintf(body + len, "%s{\"date\": \"%s\", \"value\": %.1f}", w ? ", " : "",
                               d, v);
    }
    sprintf(body + len, "]");
    r = t_post(key, "/v1/kpis/mql/observations", body);
    ck_assert_int_eq(r.status, 200);
    t_resp_free(&r);
    free(body);
}

START_TEST(a_kpi_step_written_through_the_api_is_found_and_another_org_sees_nothing)
{
    char key[128], slug[64], other[128];
    fx_sales_org(key, slug);
    kpi_story(key, 5);
    /* 2026-11-23: the 46 weeks ended on Sunday 2026-11-22. */
    json_t *body = fx_body(t_get(key, "/v1/indicators?as_of=2026-11-23"), 200);
    const json_t *k = item(body, "mql");
    ck_assert_str_eq(str2(k, "detector", "state"), "shifted_down");
    ck_assert_str_eq(str2(k, "detector", "since"), "2026-10-19");
    ck_assert_double_eq_tol(num2(k, "change", "relative"), -0.25, 0.03);
    ck_assert_str_eq(t_str(k, "text"),
                     "marketing qualified leads turned down 25% since 2026-10-19");
    ck_assert_str_eq(str2(k, "effect", "starts_on"), "2026-11-18");
    ck_assert_str_eq(str2(k, "leads_to", "metric"), "bookings");
    /* No deals: the pipeline's indicators say there is not enough to go on, no conversion
     * error. */
    ck_assert(has_item(body, "opportunities_created"));
    json_decref(body);
    /* Before the step: in control. */
    body = fx_body(t_get(key, "/v1/indicators?as_of=2026-10-19"), 200);
    ck_assert_str_eq(str2(item(body, "mql"), "detector", "state"), "in_control");
    json_decref(body);
    /* Another org has no KPI of this one's. */
    t_new_org(other, NULL);
    body = fx_body(t_get(other, "/v1/indicators?as_of=2026-11-23"), 200);
    ck_assert(!has_item(body, "mql"));
    json_decref(body);
}
END_TEST

START_TEST(invalid_parameters_are_422_naming_the_parameter)
{
    char key[128], slug[64];
    fx_sales_org(key, slug);
    fx_expect_invalid(t_get(key, "/v1/indicators?as_of=2026-13-01"), "as_of");
    fx_expect_invalid(t_get(key, "/v1/indicators?as_of=0001-01-01"), "as_of");
    fx_expect_invalid(t_get(key, "/v1/indicators?scope=team:nope"), "scope");
    fx_expect_invalid(t_get(key, "/v1/indicators?scope=galaxy"), "scope");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("indicators");
    TCase *own = tcase_create("indicators");
    tcase_add_test(own, a_kpi_step_written_through_the_api_is_found_and_another_org_sees_nothing);
    tcase_add_test(own, invalid_parameters_are_422_naming_the_parameter);
    suite_add_tcase(s, own);
    TCase *shared = tcase_create("demo_org");
    fx_shared_demo_add(
        shared,
        (fx_demo_spec){.seed = 3, .quarters = 8, .deals_per_quarter = 200, .as_of = "2026-11-15"});
    tcase_add_test(shared, the_demo_s_downturn_in_qualified_leads_is_found_and_dated);
    tcase_add_test(shared,
                   the_forecast_s_new_deals_follow_the_shift_in_the_quarter_the_lag_reaches);
    suite_add_tcase(s, shared);
    return t_main(s);
}

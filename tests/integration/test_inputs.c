/* test_inputs.c — periods, targets and commits over real HTTP against real PostgreSQL. Teams and
 * reps are made with SQL so the suite stands alone (fx_add_team, fx_add_rep). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

/* ---- periods ---- */

START_TEST(periods_list_quarters_around_a_date_oldest_first)
{
    char key[128];
    t_new_org(key, NULL);
    t_resp r = t_get(key, "/v1/periods?around=2026-11-15&before=2&after=1");
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(fx_n_items(&r), 4);
    static const char *const want[][3] = {{"2026-Q2", "2026-04-01", "2026-06-30"},
                                          {"2026-Q3", "2026-07-01", "2026-09-30"},
                                          {"2026-Q4", "2026-10-01", "2026-12-31"},
                                          {"2027-Q1", "2027-01-01", "2027-03-31"}};
    for (size_t i = 0; i < 4; i++) {
        ck_assert_str_eq(t_str(fx_item(&r, i), "name"), want[i][0]);
        ck_assert_str_eq(t_str(fx_item(&r, i), "start"), want[i][1]);
        ck_assert_str_eq(t_str(fx_item(&r, i), "end"), want[i][2]);
    }
    t_resp_free(&r);
    r = t_get(key, "/v1/periods?around=2001-05-05&before=0&after=0");
    ck_assert_int_eq(fx_n_items(&r), 1);
    ck_assert_str_eq(t_str(fx_item(&r, 0), "name"), "2001-Q2");
    ck_assert(json_is_false(json_object_get(fx_item(&r, 0), "current")));
    t_resp_free(&r);
}
END_TEST

START_TEST(periods_default_to_today_marked_current)
{
    char key[128];
    t_new_org(key, NULL);
    char *today = t_sql("SELECT (now() AT TIME ZONE 'UTC')::date::text");
    t_resp r = t_get(key, "/v1/periods");
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(fx_n_items(&r), 6); /* before=4, after=1 by default */
    json_t *cur = fx_item(&r, 4);
    ck_assert(json_is_true(json_object_get(cur, "current")));
    ck_assert_int_le(strcmp(t_str(cur, "start"), today), 0);
    ck_assert_int_ge(strcmp(t_str(cur, "end"), today), 0);
    for (size_t i = 0; i < 6; i++)
        if (i != 4)
            ck_assert(json_is_false(json_object_get(fx_item(&r, i), "current")));
    free(today);
    t_resp_free(&r);
}
END_TEST

START_TEST(periods_follow_an_april_fiscal_start)
{
    char key[128];
    t_new_org(key, NULL);
    t_resp r = t_patch(key, "/v1/org", "{\"fiscal_year_start_month\": 4}");
    ck_assert_int_eq(r.status, 200);
    t_resp_free(&r);
    r = t_get(key, "/v1/periods?around=2027-02-14&before=1&after=1");
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(fx_n_items(&r), 3);
    ck_assert_str_eq(t_str(fx_item(&r, 0), "name"), "2026-Q3");
    ck_assert_str_eq(t_str(fx_item(&r, 0), "start"), "2026-10-01");
    ck_assert_str_eq(t_str(fx_item(&r, 1), "name"), "2026-Q4");
    ck_assert_str_eq(t_str(fx_item(&r, 1), "start"), "2027-01-01");
    ck_assert_str_eq(t_str(fx_item(&r, 1), "end"), "2027-03-31");
    ck_assert_str_eq(t_str(fx_item(&r, 2), "name"), "2027-Q1");
    ck_assert_str_eq(t_str(fx_item(&r, 2), "start"), "2027-04-01");
    ck_assert_str_eq(t_str(fx_item(&r, 2), "end"), "2027-06-30");
    t_resp_free(&r);
    /* A target's quarter name resolves with the org's start month too. */
    r = t_put(key, "/v1/targets",
              "{\"scope\": \"org\", \"metric\": \"bookings\", \"period\": \"2026-Q1\", "
              "\"value\": 10}");
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(t_str(r.body, "start"), "2026-04-01");
    ck_assert_str_eq(t_str(r.body, "end"), "2026-06-30");
    t_resp_free(&r);
}
END_TEST

START_TEST(periods_parameters_are_checked)
{
    char key[128];
    t_new_org(key, NULL);
    fx_expect_invalid(t_get(key, "/v1/periods?before=21"), "before");
    fx_expect_invalid(t_get(key, "/v1/periods?after=-1"), "after");
    fx_expect_invalid(t_get(key, "/v1/periods?after=x"), "after");
    fx_expect_invalid(t_get(key, "/v1/periods?around=2026-13-01"), "around");
}
END_TEST

/* ---- targets ---- */

START_TEST(target_put_returns_the_stored_target)
{
    char key[128];
    t_new_org(key, NULL);
    t_resp r = t_put(key, "/v1/targets",
                     "{\"scope\": \"org\", \"metric\": \"bookings\", \"period\": \"2026-Q4\", "
                     "\"value\": 1250000}");
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(t_str(r.body, "scope"), "org");
    ck_assert_str_eq(t_str(r.body, "metric"), "bookings");
    ck_assert_str_eq(t_str(r.body, "period"), "2026-Q4");
    ck_assert_str_eq(t_str(r.body, "start"), "2026-10-01");
    ck_assert_str_eq(t_str(r.body, "end"), "2026-12-31");
    ck_assert_double_eq(t_num(r.body, "value"), 1250000);
    ck_assert(json_is_string(json_object_get(r.body, "updated_at")));
    t_resp_free(&r);
}
END_TEST

START_TEST(target_put_upserts_by_scope_metric_and_period_days)
{
    char key[128], slug[64];
    t_new_org(key, slug);
    t_resp r = t_put(key, "/v1/targets",
                     "{\"scope\": \"org\", \"metric\": \"bookings\", \"period\": \"2026-Q4\", "
                     "\"value\": 1000}");
    ck_assert_int_eq(r.status, 200);
    t_resp_free(&r);
    /* The same days written as a range replace the value, not add a row. */
    r = t_put(key, "/v1/targets",
              "{\"scope\": \"org\", \"metric\": \"bookings\", "
              "\"period\": \"2026-10-01..2026-12-31\", \"value\": 900.5}");
    ck_assert_int_eq(r.status, 200);
    ck_assert_double_eq(t_num(r.body, "value"), 900.5);
    t_resp_free(&r);
    ck_assert_int_eq(fx_org_rows(slug, "targets"), 1);
    /* A different range is a different target. */
    r = t_put(key, "/v1/targets",
              "{\"scope\": \"org\", \"metric\": \"bookings\", "
              "\"period\": \"2026-10-01..2026-10-31\", \"value\": 300}");
    ck_assert_str_eq(t_str(r.body, "period"), "2026-10-01..2026-10-31");
    t_resp_free(&r);
    ck_assert_int_eq(fx_org_rows(slug, "targets"), 2);
    r = t_get(key, "/v1/targets?period=2026-Q4");
    ck_assert_int_eq(fx_n_items(&r), 1);
    ck_assert_double_eq(t_num(fx_item(&r, 0), "value"), 900.5);
    t_resp_free(&r);
}
END_TEST

START_TEST(targets_for_teams_reps_and_kpis_filter_by_scope_and_metric)
{
    char key[128], slug[64];
    t_new_org(key, slug);
    fx_add_team(slug, "east");
    fx_add_rep(slug, "alice");
    fx_put_kpi(key, "qualified_leads");
    t_resp r = t_put(key, "/v1/targets",
                     "{\"scope\": \"team:east\", \"metric\": \"bookings\", \"period\": "
                     "\"2026-Q4\", \"value\": 500000}");
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(t_str(r.body, "scope"), "team:east");
    t_resp_free(&r);
    r = t_put(key, "/v1/targets",
              "{\"scope\": \"rep:alice\", \"metric\": \"bookings\", \"period\": \"2026-Q4\", "
              "\"value\": 120000}");
    ck_assert_str_eq(t_str(r.body, "scope"), "rep:alice");
    t_resp_free(&r);
    r = t_put(key, "/v1/targets",
              "{\"scope\": \"org\", \"metric\": \"qualified_leads\", \"period\": \"2026-Q4\", "
              "\"value\": 0.35}");
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(t_str(r.body, "metric"), "qualified_leads");
    ck_assert_double_eq(t_num(r.body, "value"), 0.35);
    t_resp_free(&r);
    r = t_get(key, "/v1/targets?scope=team:east");
    ck_assert_int_eq(fx_n_items(&r), 1);
    ck_assert_double_eq(t_num(fx_item(&r, 0), "value"), 500000);
    t_resp_free(&r);
    r = t_get(key, "/v1/targets?metric=qualified_leads");
    ck_assert_int_eq(fx_n_items(&r), 1);
    ck_assert_str_eq(t_str(fx_item(&r, 0), "scope"), "org");
    t_resp_free(&r);
    r = t_get(key, "/v1/targets?period=2026-Q4&metric=bookings");
    ck_assert_int_eq(fx_n_items(&r), 2);
    t_resp_free(&r);
    r = t_get(key, "/v1/targets?limit=2");
    ck_assert_int_eq(fx_n_items(&r), 2);
    const char *cursor = t_str(r.body, "next_cursor");
    ck_assert_ptr_nonnull(cursor);
    t_resp r2 = t_get(key, "/v1/targets?limit=2&cursor=%s", cursor);
    ck_assert_int_eq(fx_n_items(&r2), 1);
    ck_assert(json_is_null(json_object_get(r2.body, "next_cursor")));
    t_resp_free(&r2);
    t_resp_free(&r);
}
END_TEST

START_TEST(target_unknown_or_invalid_fields_are_422)
{
    char key[128];
    t_new_org(key, NULL);
    const char *fmt = "{\"scope\": \"%s\", \"metric\": \"%s\", \"period\": \"%s\", \"value\": %s}";
    static const char *const cases[][5] = {
        {"team:nope", "bookings", "2026-Q4", "1", "scope"},
        {"rep:nope", "bookings", "2026-Q4", "1", "scope"},
        {"galaxy", "bookings", "2026-Q4", "1", "scope"},
        {"team:", "bookings", "2026-Q4", "1", "scope"},
        {"org", "no_such_kpi", "2026-Q4", "1", "metric"},
        {"org", "bookings", "2026-Q5", "1", "period"},
        {"org", "bookings", "Q4 2026", "1", "period"},
        {"org", "bookings", "2026-12-31..2026-10-01", "1", "period"},
        {"org", "bookings", "2026-Q4", "-1", "value"},
        {"org", "bookings", "2026-Q4", "\"10\"", "value"},
        /* A bookings target is money: whole cents (a sub-cent target made every forecast of
         * its period a 500, coverage being infinite). */
        {"org", "bookings", "2026-Q4", "5e-324", "value"},
        {"org", "bookings", "2026-Q4", "0.004", "value"},
        {"org", "bookings", "2026-Q4", "1250000.125", "value"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char body[512];
        snprintf(body, sizeof body, fmt, cases[i][0], cases[i][1], cases[i][2], cases[i][3]);
        fx_expect_invalid(t_put(key, "/v1/targets", body), cases[i][4]);
    }
    fx_expect_invalid(t_put(key, "/v1/targets",
                            "{\"scope\": \"org\", \"metric\": \"bookings\", "
                            "\"period\": \"2026-Q4\"}"),
                      "value");
}
END_TEST

START_TEST(a_bookings_target_is_whole_cents_a_kpi_target_any_number)
{
    char key[128], slug[64];
    fx_sales_org(key, slug);
    fx_put_kpi(key, "errors_per_page");
    t_resp r = t_put(key, "/v1/targets",
                     "{\"scope\": \"org\", \"metric\": \"bookings\", \"period\": \"2026-Q4\", "
                     "\"value\": 1250000.12}");
    ck_assert_int_eq(r.status, 200);
    ck_assert_double_eq(t_num(r.body, "value"), 1250000.12);
    t_resp_free(&r);
    r = t_put(key, "/v1/targets",
              "{\"scope\": \"org\", \"metric\": \"errors_per_page\", \"period\": \"2026-Q4\", "
              "\"value\": 0.125}");
    ck_assert_int_eq(r.status, 200);
    ck_assert_double_eq(t_num(r.body, "value"), 0.125);
    t_resp_free(&r);
    /* The refused sub-cent value changed nothing: the stored bookings target is the last good one
     * and the forecast of its period answers. */
    fx_expect_invalid(t_put(key, "/v1/targets",
                            "{\"scope\": \"org\", \"metric\": \"bookings\", "
                            "\"period\": \"2026-Q4\", \"value\": 5e-324}"),
                      "value");
    r = t_get(key, "/v1/targets?metric=bookings");
    ck_assert_int_eq(r.status, 200);
    ck_assert_double_eq(t_num(json_array_get(json_object_get(r.body, "items"), 0), "value"),
                        1250000.12);
    t_resp_free(&r);
    r = t_get(key, "/v1/forecast?period=2026-Q4&as_of=2026-11-15");
    ck_assert_msg(r.status == 200, "forecast: %ld %s", r.status, r.raw);
    ck_assert_double_eq(t_num(r.body, "target"), 1250000.12);
    t_resp_free(&r);
}
END_TEST

START_TEST(period_parameters_accept_only_quarters_and_ranges)
{
    char key[128];
    t_new_org(key, NULL);
    fx_expect_invalid(t_get(key, "/v1/targets?period=2026-13"), "period");
    fx_expect_invalid(t_get(key, "/v1/targets?period=2026-01-01..2030-01-01"), "period");
    fx_expect_invalid(t_get(key, "/v1/commits?period=next"), "period");
    t_resp r = t_get(key, "/v1/commits?period=2026-01-01..2026-02-15");
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(fx_n_items(&r), 0);
    t_resp_free(&r);
}
END_TEST

/* ---- commits ---- */

START_TEST(commit_create_returns_201_with_the_call)
{
    char key[128], slug[64];
    t_new_org(key, slug);
    fx_add_rep(slug, "alice");
    t_resp r = t_post(key, "/v1/commits",
                      "{\"scope\": \"rep:alice\", \"period\": \"2026-Q4\", \"commit\": 400000, "
                      "\"best_case\": 550000.5, \"notes\": \"Acme slips if legal stalls\", "
                      "\"submitted_at\": \"2026-11-02T09:00:00Z\"}");
    ck_assert_int_eq(r.status, 201);
    ck_assert_str_eq(t_str(r.body, "scope"), "rep:alice");
    ck_assert_str_eq(t_str(r.body, "period"), "2026-Q4");
    ck_assert_str_eq(t_str(r.body, "start"), "2026-10-01");
    ck_assert_str_eq(t_str(r.body, "end"), "2026-12-31");
    ck_assert_double_eq(t_num(r.body, "commit"), 400000);
    ck_assert_double_eq(t_num(r.body, "best_case"), 550000.5);
    ck_assert_str_eq(t_str(r.body, "notes"), "Acme slips if legal stalls");
    ck_assert_ptr_nonnull(strstr(t_str(r.body, "submitted_at"), "2026-11-02T09:00:00"));
    ck_assert_int_gt(t_int(r.body, "id"), 0);
    t_resp_free(&r);
}
END_TEST

START_TEST(commit_submitted_at_defaults_to_now)
{
    char key[128], slug[64];
    t_new_org(key, slug);
    t_resp r = t_post(key, "/v1/commits",
                      "{\"scope\": \"org\", \"period\": \"2026-Q4\", \"commit\": 1, "
                      "\"best_case\": 1}");
    ck_assert_int_eq(r.status, 201);
    ck_assert(json_is_null(json_object_get(r.body, "notes")));
    t_resp_free(&r);
    ck_assert_int_eq(
        fx_sql_ll("SELECT count(*) FROM commits c JOIN orgs o ON o.id = c.org_id "
                  "WHERE o.slug = '%s' AND c.submitted_at > now() - interval '1 minute' "
                  "AND c.submitted_at <= now()",
                  slug),
        1);
}
END_TEST

START_TEST(commits_list_newest_first_filtered_and_paged)
{
    char key[128], slug[64];
    t_new_org(key, slug);
    fx_add_rep(slug, "bob");
    static const char *const days[] = {"2026-10-05", "2026-10-19", "2026-10-12"};
    for (int i = 0; i < 3; i++) {
        char body[256];
        snprintf(body, sizeof body,
                 "{\"scope\": \"rep:bob\", \"period\": \"2026-Q4\", \"commit\": %d, "
                 "\"best_case\": %d, \"submitted_at\": \"%sT12:00:00Z\"}",
                 100 * (i + 1), 200 * (i + 1), days[i]);
        t_resp r = t_post(key, "/v1/commits", body);
        ck_assert_int_eq(r.status, 201);
        t_resp_free(&r);
    }
    t_resp r = t_post(key, "/v1/commits",
                      "{\"scope\": \"org\", \"period\": \"2027-Q1\", \"commit\": 5, "
                      "\"best_case\": 6}");
    t_resp_free(&r);
    r = t_get(key, "/v1/commits?scope=rep:bob&period=2026-Q4");
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(fx_n_items(&r), 3);
    ck_assert_double_eq(t_num(fx_item(&r, 0), "commit"), 200); /* 2026-10-19 */
    ck_assert_double_eq(t_num(fx_item(&r, 1), "commit"), 300); /* 2026-10-12 */
    ck_assert_double_eq(t_num(fx_item(&r, 2), "commit"), 100); /* 2026-10-05 */
    t_resp_free(&r);
    r = t_get(key, "/v1/commits?scope=rep:bob&limit=2");
    ck_assert_int_eq(fx_n_items(&r), 2);
    ck_assert_double_eq(t_num(fx_item(&r, 1), "commit"), 300);
    const char *cursor = t_str(r.body, "next_cursor");
    ck_assert_ptr_nonnull(cursor);
    t_resp r2 = t_get(key, "/v1/commits?scope=rep:bob&limit=2&cursor=%s", cursor);
    ck_assert_int_eq(fx_n_items(&r2), 1);
    ck_assert_double_eq(t_num(fx_item(&r2, 0), "commit"), 100);
    ck_assert(json_is_null(json_object_get(r2.body, "next_cursor")));
    t_resp_free(&r2);
    t_resp_free(&r);
    r = t_get(key, "/v1/commits");
    ck_assert_int_eq(fx_n_items(&r), 4);
    t_resp_free(&r);
    r = t_get(key, "/v1/commits?period=2027-Q1");
    ck_assert_int_eq(fx_n_items(&r), 1);
    ck_assert_str_eq(t_str(fx_item(&r, 0), "scope"), "org");
    t_resp_free(&r);
    fx_expect_invalid(t_get(key, "/v1/commits?scope=rep:nobody"), "scope");
}
END_TEST

START_TEST(commit_invalid_fields_are_422)
{
    char key[128], slug[64];
    t_new_org(key, slug);
    fx_expect_invalid(t_post(key, "/v1/commits",
                             "{\"scope\": \"org\", \"period\": \"2026-Q4\", \"commit\": 100, "
                             "\"best_case\": 99.99}"),
                      "best_case");
    fx_expect_invalid(t_post(key, "/v1/commits",
                             "{\"scope\": \"org\", \"period\": \"2026-Q4\", \"commit\": -5, "
                             "\"best_case\": 1}"),
                      "commit");
    fx_expect_invalid(t_post(key, "/v1/commits",
                             "{\"scope\": \"org\", \"period\": \"2026-Q4\", \"commit\": 1.234, "
                             "\"best_case\": 2}"),
                      "commit");
    fx_expect_invalid(t_post(key, "/v1/commits",
                             "{\"scope\": \"org\", \"period\": \"soon\", \"commit\": 1, "
                             "\"best_case\": 2}"),
                      "period");
    fx_expect_invalid(t_post(key, "/v1/commits",
                             "{\"scope\": \"rep:ghost\", \"period\": \"2026-Q4\", \"commit\": 1, "
                             "\"best_case\": 2}"),
                      "scope");
    fx_expect_invalid(t_post(key, "/v1/commits",
                             "{\"scope\": \"org\", \"period\": \"2026-Q4\", \"commit\": 1, "
                             "\"best_case\": 2, \"submitted_at\": \"yesterday\"}"),
                      "submitted_at");
    fx_expect_invalid(t_post(key, "/v1/commits",
                             "{\"scope\": \"org\", \"period\": \"2026-Q4\", "
                             "\"commit\": 1}"),
                      "best_case");
    ck_assert_int_eq(fx_org_rows(slug, "commits"), 0);
}
END_TEST

static Suite *inputs_suite(void)
{
    Suite *s = suite_create("inputs");
    TCase *tc = tcase_create("periods_targets_commits");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, periods_list_quarters_around_a_date_oldest_first);
    tcase_add_test(tc, periods_default_to_today_marked_current);
    tcase_add_test(tc, periods_follow_an_april_fiscal_start);
    tcase_add_test(tc, periods_parameters_are_checked);
    tcase_add_test(tc, target_put_returns_the_stored_target);
    tcase_add_test(tc, target_put_upserts_by_scope_metric_and_period_days);
    tcase_add_test(tc, targets_for_teams_reps_and_kpis_filter_by_scope_and_metric);
    tcase_add_test(tc, target_unknown_or_invalid_fields_are_422);
    tcase_add_test(tc, a_bookings_target_is_whole_cents_a_kpi_target_any_number);
    tcase_add_test(tc, period_parameters_accept_only_quarters_and_ranges);
    tcase_add_test(tc, commit_create_returns_201_with_the_call);
    tcase_add_test(tc, commit_submitted_at_defaults_to_now);
    tcase_add_test(tc, commits_list_newest_first_filtered_and_paged);
    tcase_add_test(tc, commit_invalid_fields_are_422);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return t_main(inputs_suite());
}

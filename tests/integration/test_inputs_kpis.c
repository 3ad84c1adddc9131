/* test_inputs_kpis.c — KPIs with their observations, levers, tenancy and key scopes of every
 * input resource, over real HTTP against real PostgreSQL. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

/* ---- KPIs ---- */

START_TEST(kpi_put_creates_201_then_replaces_200)
{
    char key[128];
    t_new_org(key, NULL);
    t_resp r = t_put(key, "/v1/kpis/errors_per_page",
                     "{\"name\": \"Errors per page\", \"unit\": \"errors\", \"direction\": "
                     "\"lower_is_better\", \"aggregation\": \"mean\", \"bucket\": \"week\"}");
    ck_assert_int_eq(r.status, 201);
    ck_assert_str_eq(t_str(r.body, "key"), "errors_per_page");
    ck_assert_str_eq(t_str(r.body, "name"), "Errors per page");
    ck_assert_str_eq(t_str(r.body, "unit"), "errors");
    ck_assert_str_eq(t_str(r.body, "direction"), "lower_is_better");
    ck_assert_str_eq(t_str(r.body, "aggregation"), "mean");
    ck_assert_str_eq(t_str(r.body, "bucket"), "week");
    ck_assert(json_is_null(json_object_get(r.body, "leads_to")));
    t_resp_free(&r);
    r = t_put(key, "/v1/kpis/errors_per_page",
              "{\"name\": \"Errors / page\", \"unit\": \"errors\", \"direction\": "
              "\"lower_is_better\", \"aggregation\": \"last\", \"bucket\": \"day\"}");
    ck_assert_int_eq(r.status, 200);
    t_resp_free(&r);
    r = t_get(key, "/v1/kpis/errors_per_page");
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(t_str(r.body, "name"), "Errors / page");
    ck_assert_str_eq(t_str(r.body, "aggregation"), "last");
    ck_assert_str_eq(t_str(r.body, "bucket"), "day");
    t_resp_free(&r);
    r = t_get(key, "/v1/kpis");
    ck_assert_int_eq(fx_n_items(&r), 1);
    t_resp_free(&r);
    fx_expect_error(t_get(key, "/v1/kpis/nothing_here"), 404, "not_found", NULL);
}
END_TEST

START_TEST(kpi_leads_to_bookings_or_an_existing_kpi)
{
    char key[128];
    t_new_org(key, NULL);
    t_resp r = t_put(key, "/v1/kpis/qualified_leads",
                     "{\"name\": \"Qualified leads\", \"unit\": \"leads\", \"direction\": "
                     "\"higher_is_better\", \"aggregation\": \"sum\", \"bucket\": \"week\", "
                     "\"leads_to\": {\"metric\": \"bookings\", \"lag_days\": 45}}");
    ck_assert_int_eq(r.status, 201);
    json_t *lt = json_object_get(r.body, "leads_to");
    ck_assert_str_eq(t_str(lt, "metric"), "bookings");
    ck_assert_int_eq(t_int(lt, "lag_days"), 45);
    t_resp_free(&r);
    const char *fmt = "{\"name\": \"Demos\", \"unit\": \"demos\", \"direction\": "
                      "\"higher_is_better\", \"aggregation\": \"sum\", \"bucket\": \"week\", "
                      "\"leads_to\": %s}";
    char body[512];
    snprintf(body, sizeof body, fmt, "{\"metric\": \"qualified_leads\", \"lag_days\": 7}");
    r = t_put(key, "/v1/kpis/demos", body);
    ck_assert_int_eq(r.status, 201);
    ck_assert_str_eq(t_str(json_object_get(r.body, "leads_to"), "metric"), "qualified_leads");
    t_resp_free(&r);
    snprintf(body, sizeof body, fmt, "{\"metric\": \"unknown_kpi\", \"lag_days\": 7}");
    fx_expect_invalid(t_put(key, "/v1/kpis/demos", body), "leads_to.metric");
    snprintf(body, sizeof body, fmt, "{\"metric\": \"demos\", \"lag_days\": 7}");
    fx_expect_invalid(t_put(key, "/v1/kpis/demos", body), "leads_to.metric");
    snprintf(body, sizeof body, fmt, "{\"metric\": \"bookings\", \"lag_days\": 366}");
    fx_expect_invalid(t_put(key, "/v1/kpis/demos", body), "leads_to.lag_days");
    snprintf(body, sizeof body, fmt, "{\"metric\": \"bookings\"}");
    fx_expect_invalid(t_put(key, "/v1/kpis/demos", body), "leads_to.lag_days");
    snprintf(body, sizeof body, fmt, "\"bookings\"");
    fx_expect_invalid(t_put(key, "/v1/kpis/demos", body), "leads_to");
    /* Nothing above changed demos. */
    r = t_get(key, "/v1/kpis/demos");
    ck_assert_str_eq(t_str(json_object_get(r.body, "leads_to"), "metric"), "qualified_leads");
    t_resp_free(&r);
}
END_TEST

START_TEST(kpi_invalid_fields_are_422)
{
    char key[128];
    t_new_org(key, NULL);
    const char *fmt = "{\"name\": \"N\", \"unit\": \"u\", \"direction\": \"%s\", "
                      "\"aggregation\": \"%s\", \"bucket\": \"%s\"}";
    static const char *const cases[][4] = {
        {"up", "sum", "week", "direction"},
        {"higher_is_better", "median", "week", "aggregation"},
        {"higher_is_better", "sum", "month", "bucket"},
    };
    for (size_t i = 0; i < 3; i++) {
        char body[256];
        snprintf(body, sizeof body, fmt, cases[i][0], cases[i][1], cases[i][2]);
        fx_expect_invalid(t_put(key, "/v1/kpis/k1", body), cases[i][3]);
    }
    char ok[256];
    snprintf(ok, sizeof ok, fmt, "higher_is_better", "sum", "week");
    fx_expect_invalid(t_put(key, "/v1/kpis/bookings", ok), "key");
    fx_expect_invalid(t_put(key, "/v1/kpis/bad%20key", ok), "key");
    fx_expect_invalid(t_put(key, "/v1/kpis/k1",
                            "{\"unit\": \"u\", \"direction\": \"higher_is_better\", "
                            "\"aggregation\": \"sum\", \"bucket\": \"week\"}"),
                      "name");
    t_resp r = t_get(key, "/v1/kpis");
    ck_assert_int_eq(fx_n_items(&r), 0);
    t_resp_free(&r);
}
END_TEST

START_TEST(observations_upsert_by_date_and_count_changes)
{
    char key[128];
    t_new_org(key, NULL);
    fx_put_kpi(key, "leads");
    t_resp r = t_post(key, "/v1/kpis/leads/observations",
                      "[{\"date\": \"2026-10-05\", \"value\": 40}, "
                      "{\"date\": \"2026-10-12\", \"value\": 42.5}, "
                      "{\"date\": \"2026-10-19\", \"value\": 38}]");
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(t_int(r.body, "inserted"), 3);
    ck_assert_int_eq(t_int(r.body, "updated"), 0);
    ck_assert_int_eq(t_int(r.body, "unchanged"), 0);
    t_resp_free(&r);
    r = t_post(key, "/v1/kpis/leads/observations",
               "[{\"date\": \"2026-10-12\", \"value\": 44}, "
               "{\"date\": \"2026-10-19\", \"value\": 38}, "
               "{\"date\": \"2026-10-26\", \"value\": 51}]");
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(t_int(r.body, "inserted"), 1);
    ck_assert_int_eq(t_int(r.body, "updated"), 1);
    ck_assert_int_eq(t_int(r.body, "unchanged"), 1);
    t_resp_free(&r);
    r = t_get(key, "/v1/kpis/leads/observations");
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(fx_n_items(&r), 4);
    static const char *const dates[] = {"2026-10-05", "2026-10-12", "2026-10-19", "2026-10-26"};
    static const double values[] = {40, 44, 38, 51};
    for (size_t i = 0; i < 4; i++) {
        ck_assert_str_eq(t_str(fx_item(&r, i), "date"), dates[i]);
        ck_assert_double_eq(t_num(fx_item(&r, i), "value"), values[i]);
    }
    t_resp_free(&r);
}
END_TEST

START_TEST(observations_are_atomic_one_bad_item_stores_nothing)
{
    char key[128], slug[64];
    t_new_org(key, slug);
    fx_put_kpi(key, "leads");
    fx_expect_invalid(t_post(key, "/v1/kpis/leads/observations",
                             "[{\"date\": \"2026-10-05\", \"value\": 1}, "
                             "{\"date\": \"2026-10-06\", \"value\": 2}, "
                             "{\"date\": \"2026-10-07\", \"value\": 3}, "
                             "{\"date\": \"2026-10-08\", \"value\": \"four\"}, "
                             "{\"date\": \"2026-10-09\", \"value\": 5}]"),
                      "[3].value");
    ck_assert_int_eq(fx_org_rows(slug, "kpi_observations"), 0);
    fx_expect_invalid(t_post(key, "/v1/kpis/leads/observations",
                             "[{\"date\": \"2026-10-05\", \"value\": 1}, "
                             "{\"date\": \"2026-02-30\", \"value\": 2}]"),
                      "[1].date");
    fx_expect_invalid(t_post(key, "/v1/kpis/leads/observations",
                             "[{\"date\": \"2026-10-05\", \"value\": 1}, "
                             "{\"date\": \"2026-10-06\", \"value\": 2}, "
                             "{\"date\": \"2026-10-05\", \"value\": 3}]"),
                      "[2].date");
    fx_expect_invalid(t_post(key, "/v1/kpis/leads/observations",
                             "[{\"date\": \"2026-10-05\", \"value\": 1, \"note\": \"x\"}]"),
                      "[0].note");
    fx_expect_invalid(t_post(key, "/v1/kpis/leads/observations", "[{\"date\": \"2026-10-05\"}]"),
                      "[0].value");
    fx_expect_invalid(t_post(key, "/v1/kpis/leads/observations", "[1]"), "[0]");
    fx_expect_invalid(t_post(key, "/v1/kpis/leads/observations", "[]"), NULL);
    fx_expect_error(
        t_post(key, "/v1/kpis/leads/observations", "{\"date\": \"2026-10-05\", \"value\": 1}"), 400,
        "invalid_body", NULL);
    ck_assert_int_eq(fx_org_rows(slug, "kpi_observations"), 0);
}
END_TEST

START_TEST(observations_filter_by_dates_and_page)
{
    char key[128];
    t_new_org(key, NULL);
    fx_put_kpi(key, "leads");
    t_resp r = t_post(key, "/v1/kpis/leads/observations",
                      "[{\"date\": \"2026-10-26\", \"value\": 4}, "
                      "{\"date\": \"2026-10-05\", \"value\": 1}, "
                      "{\"date\": \"2026-10-19\", \"value\": 3}, "
                      "{\"date\": \"2026-10-12\", \"value\": 2}]");
    ck_assert_int_eq(r.status, 200);
    t_resp_free(&r);
    r = t_get(key, "/v1/kpis/leads/observations?from=2026-10-12&to=2026-10-19");
    ck_assert_int_eq(fx_n_items(&r), 2);
    ck_assert_str_eq(t_str(fx_item(&r, 0), "date"), "2026-10-12");
    ck_assert_str_eq(t_str(fx_item(&r, 1), "date"), "2026-10-19");
    t_resp_free(&r);
    r = t_get(key, "/v1/kpis/leads/observations?limit=3");
    ck_assert_int_eq(fx_n_items(&r), 3);
    ck_assert_str_eq(t_str(fx_item(&r, 2), "date"), "2026-10-19");
    const char *cursor = t_str(r.body, "next_cursor");
    ck_assert_ptr_nonnull(cursor);
    t_resp r2 = t_get(key, "/v1/kpis/leads/observations?limit=3&cursor=%s", cursor);
    ck_assert_int_eq(fx_n_items(&r2), 1);
    ck_assert_str_eq(t_str(fx_item(&r2, 0), "date"), "2026-10-26");
    ck_assert_double_eq(t_num(fx_item(&r2, 0), "value"), 4);
    t_resp_free(&r2);
    t_resp_free(&r);
    fx_expect_invalid(t_get(key, "/v1/kpis/leads/observations?from=10/12/2026"), "from");
    fx_expect_invalid(t_get(key, "/v1/kpis/leads/observations?from=2026-10-19&to=2026-10-12"),
                      "to");
    fx_expect_error(t_get(key, "/v1/kpis/nope/observations"), 404, "not_found", NULL);
    fx_expect_error(
        t_post(key, "/v1/kpis/nope/observations", "[{\"date\": \"2026-10-05\", \"value\": 1}]"),
        404, "not_found", NULL);
}
END_TEST

/* ---- levers ---- */

static const char *const lever_body =
    "{\"name\": \"Add an SDR\", \"kind\": \"pipeline\", \"effect\": 2.5, \"unit_cost\": "
    "30000, \"max_units\": 4, \"ramp_days\": 45, \"notes\": \"contract hire\"}";

START_TEST(lever_put_get_list_and_delete)
{
    char key[128];
    t_new_org(key, NULL);
    t_resp r = t_put(key, "/v1/levers/sdr", lever_body);
    ck_assert_int_eq(r.status, 201);
    ck_assert_str_eq(t_str(r.body, "key"), "sdr");
    ck_assert_str_eq(t_str(r.body, "name"), "Add an SDR");
    ck_assert_str_eq(t_str(r.body, "kind"), "pipeline");
    ck_assert_double_eq(t_num(r.body, "effect"), 2.5);
    ck_assert_double_eq(t_num(r.body, "unit_cost"), 30000);
    ck_assert_int_eq(t_int(r.body, "max_units"), 4);
    ck_assert_int_eq(t_int(r.body, "ramp_days"), 45);
    ck_assert(json_is_null(json_object_get(r.body, "kpi")));
    ck_assert_str_eq(t_str(r.body, "notes"), "contract hire");
    t_resp_free(&r);
    r = t_put(key, "/v1/levers/sdr",
              "{\"name\": \"Add an SDR\", \"kind\": \"pipeline\", \"effect\": 3, \"unit_cost\": "
              "32000.5, \"max_units\": 4, \"ramp_days\": 30}");
    ck_assert_int_eq(r.status, 200);
    ck_assert(json_is_null(json_object_get(r.body, "notes")));
    t_resp_free(&r);
    r = t_get(key, "/v1/levers/sdr");
    ck_assert_int_eq(r.status, 200);
    ck_assert_double_eq(t_num(r.body, "effect"), 3);
    ck_assert_double_eq(t_num(r.body, "unit_cost"), 32000.5);
    ck_assert_int_eq(t_int(r.body, "ramp_days"), 30);
    t_resp_free(&r);
    r = t_get(key, "/v1/levers");
    ck_assert_int_eq(fx_n_items(&r), 1);
    t_resp_free(&r);
    r = t_delete(key, "/v1/levers/sdr");
    ck_assert_int_eq(r.status, 204);
    t_resp_free(&r);
    fx_expect_error(t_get(key, "/v1/levers/sdr"), 404, "not_found", NULL);
    fx_expect_error(t_delete(key, "/v1/levers/sdr"), 404, "not_found", NULL);
}
END_TEST

START_TEST(lever_effect_is_checked_per_kind)
{
    char key[128];
    t_new_org(key, NULL);
    fx_put_kpi(key, "errors_per_page");
    const char *fmt = "{\"name\": \"L\", \"kind\": \"%s\", \"effect\": %s, \"unit_cost\": 100, "
                      "\"max_units\": 3, \"ramp_days\": 0%s}";
    static const char *const cases[][4] = {
        /* kind, effect, extra, field refused ("" = accepted) */
        {"win_rate", "1", "", "effect"},
        {"win_rate", "-1", "", "effect"},
        {"win_rate", "-0.99", "", ""},
        {"deal_size", "-0.9", "", "effect"},
        {"deal_size", "9.99", "", ""},
        {"deal_size", "10", "", "effect"},
        {"pipeline", "0", "", "effect"},
        {"slippage", "1.5", "", "effect"},
        {"slippage", "0.2", "", ""},
        {"pull_forward", "0", "", "effect"},
        {"pull_forward", "1", "", ""},
        {"headcount", "-1", "", "effect"},
        {"headcount", "1", "", ""},
        {"concession", "1.01", "", "effect"},
        {"concession", "0.1", "", ""},
        {"kpi", "-0.4", "", "kpi"},
        {"kpi", "-0.4", ", \"kpi\": \"nope\"", "kpi"},
        {"kpi", "0", ", \"kpi\": \"errors_per_page\"", "effect"},
        {"kpi", "-0.4", ", \"kpi\": \"errors_per_page\"", ""},
        {"win_rate", "0.05", ", \"kpi\": \"errors_per_page\"", "kpi"},
        {"magic", "0.1", "", "kind"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char body[512];
        snprintf(body, sizeof body, fmt, cases[i][0], cases[i][1], cases[i][2]);
        t_resp r = t_put(key, "/v1/levers/l1", body);
        if (cases[i][3][0]) {
            ck_assert_msg(r.status == 422, "case %zu: %ld %s", i, r.status, r.raw);
            fx_expect_invalid(r, cases[i][3]);
        } else {
            ck_assert_msg(r.status == 200 || r.status == 201, "case %zu: %ld %s", i, r.status,
                          r.raw);
            ck_assert_str_eq(t_str(r.body, "kind"), cases[i][0]);
            t_resp_free(&r);
        }
    }
    t_resp r = t_get(key, "/v1/levers/l1");
    ck_assert_str_eq(t_str(r.body, "kind"), "kpi");
    ck_assert_str_eq(t_str(r.body, "kpi"), "errors_per_page");
    ck_assert_double_eq(t_num(r.body, "effect"), -0.4);
    t_resp_free(&r);
}
END_TEST

START_TEST(lever_limits_are_422)
{
    char key[128];
    t_new_org(key, NULL);
    const char *fmt = "{\"name\": \"L\", \"kind\": \"headcount\", \"effect\": 1, \"unit_cost\": "
                      "%s, \"max_units\": %s, \"ramp_days\": %s}";
    static const char *const cases[][4] = {
        {"-1", "1", "0", "unit_cost"},    {"10", "0", "0", "max_units"},
        {"10", "1001", "0", "max_units"}, {"10", "1", "366", "ramp_days"},
        {"10", "1", "-1", "ramp_days"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char body[256];
        snprintf(body, sizeof body, fmt, cases[i][0], cases[i][1], cases[i][2]);
        fx_expect_invalid(t_put(key, "/v1/levers/hire", body), cases[i][3]);
    }
    fx_expect_invalid(t_put(key, "/v1/levers/hire",
                            "{\"kind\": \"headcount\", \"effect\": 1, "
                            "\"unit_cost\": 1, \"max_units\": 1, "
                            "\"ramp_days\": 0}"),
                      "name");
    t_resp r = t_get(key, "/v1/levers");
    ck_assert_int_eq(fx_n_items(&r), 0);
    t_resp_free(&r);
}
END_TEST

/* ---- tenancy and scopes ---- */

START_TEST(other_org_sees_none_of_an_orgs_inputs)
{
    char a[128], b[128], slug_a[64];
    t_new_org(a, slug_a);
    t_new_org(b, NULL);
    fx_add_team(slug_a, "east");
    fx_put_kpi(a, "leads");
    t_resp r = t_put(a, "/v1/targets",
                     "{\"scope\": \"team:east\", \"metric\": \"leads\", \"period\": \"2026-Q4\", "
                     "\"value\": 100}");
    ck_assert_int_eq(r.status, 200);
    t_resp_free(&r);
    r = t_put(a, "/v1/levers/sdr", lever_body);
    ck_assert_int_eq(r.status, 201);
    t_resp_free(&r);
    r = t_post(a, "/v1/commits",
               "{\"scope\": \"org\", \"period\": \"2026-Q4\", \"commit\": 1, \"best_case\": 2}");
    ck_assert_int_eq(r.status, 201);
    t_resp_free(&r);
    r = t_post(a, "/v1/kpis/leads/observations", "[{\"date\": \"2026-10-05\", \"value\": 1}]");
    ck_assert_int_eq(r.status, 200);
    t_resp_free(&r);

    static const char *const lists[] = {"/v1/targets", "/v1/kpis", "/v1/levers", "/v1/commits"};
    for (size_t i = 0; i < 4; i++) {
        r = t_get(b, "%s", lists[i]);
        ck_assert_int_eq(r.status, 200);
        ck_assert_msg(fx_n_items(&r) == 0, "%s leaks: %s", lists[i], r.raw);
        t_resp_free(&r);
    }
    fx_expect_error(t_get(b, "/v1/kpis/leads"), 404, "not_found", NULL);
    fx_expect_error(t_get(b, "/v1/kpis/leads/observations"), 404, "not_found", NULL);
    fx_expect_error(
        t_post(b, "/v1/kpis/leads/observations", "[{\"date\": \"2026-10-06\", \"value\": 9}]"), 404,
        "not_found", NULL);
    fx_expect_error(t_get(b, "/v1/levers/sdr"), 404, "not_found", NULL);
    fx_expect_error(t_delete(b, "/v1/levers/sdr"), 404, "not_found", NULL);
    fx_expect_invalid(t_put(b, "/v1/targets",
                            "{\"scope\": \"team:east\", \"metric\": \"bookings\", \"period\": "
                            "\"2026-Q4\", \"value\": 1}"),
                      "scope");
    fx_expect_invalid(t_put(b, "/v1/targets",
                            "{\"scope\": \"org\", \"metric\": \"leads\", \"period\": \"2026-Q4\", "
                            "\"value\": 1}"),
                      "metric");
    /* B may use the same keys for its own things. */
    r = t_put(b, "/v1/levers/sdr", lever_body);
    ck_assert_int_eq(r.status, 201);
    t_resp_free(&r);
    r = t_get(a, "/v1/levers/sdr");
    ck_assert_int_eq(r.status, 200);
    t_resp_free(&r);
    r = t_get(a, "/v1/kpis/leads/observations");
    ck_assert_int_eq(fx_n_items(&r), 1);
    t_resp_free(&r);
}
END_TEST

START_TEST(read_only_key_cannot_write_inputs)
{
    char admin[128], reader[128];
    t_new_org(admin, NULL);
    t_new_key(admin, "[\"read\"]", reader);
    fx_put_kpi(admin, "leads");
    t_resp r = t_put(admin, "/v1/levers/sdr", lever_body);
    t_resp_free(&r);
    struct {
        const char *method, *path, *body;
    } writes[] = {
        {"PUT", "/v1/targets",
         "{\"scope\": \"org\", \"metric\": \"bookings\", \"period\": \"2026-Q4\", \"value\": 1}"},
        {"POST", "/v1/commits",
         "{\"scope\": \"org\", \"period\": \"2026-Q4\", \"commit\": 1, \"best_case\": 2}"},
        {"PUT", "/v1/kpis/leads",
         "{\"name\": \"N\", \"unit\": \"u\", \"direction\": \"higher_is_better\", "
         "\"aggregation\": \"sum\", \"bucket\": \"week\"}"},
        {"POST", "/v1/kpis/leads/observations", "[{\"date\": \"2026-10-05\", \"value\": 1}]"},
        {"PUT", "/v1/levers/sdr", lever_body},
        {"DELETE", "/v1/levers/sdr", NULL},
    };
    for (size_t i = 0; i < sizeof writes / sizeof writes[0]; i++) {
        fx_expect_error(
            t_request(writes[i].method, writes[i].path, reader, writes[i].body, NULL, NULL), 403,
            "forbidden", NULL);
    }
    static const char *const reads[] = {"/v1/targets",
                                        "/v1/commits",
                                        "/v1/kpis",
                                        "/v1/kpis/leads",
                                        "/v1/kpis/leads/observations",
                                        "/v1/levers",
                                        "/v1/levers/sdr",
                                        "/v1/periods"};
    for (size_t i = 0; i < sizeof reads / sizeof reads[0]; i++) {
        r = t_get(reader, "%s", reads[i]);
        ck_assert_msg(r.status == 200, "%s: %ld", reads[i], r.status);
        t_resp_free(&r);
    }
}
END_TEST

static Suite *inputs_kpis_suite(void)
{
    Suite *s = suite_create("inputs_kpis");
    TCase *tc = tcase_create("kpis_levers_tenancy");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, kpi_put_creates_201_then_replaces_200);
    tcase_add_test(tc, kpi_leads_to_bookings_or_an_existing_kpi);
    tcase_add_test(tc, kpi_invalid_fields_are_422);
    tcase_add_test(tc, observations_upsert_by_date_and_count_changes);
    tcase_add_test(tc, observations_are_atomic_one_bad_item_stores_nothing);
    tcase_add_test(tc, observations_filter_by_dates_and_page);
    tcase_add_test(tc, lever_put_get_list_and_delete);
    tcase_add_test(tc, lever_effect_is_checked_per_kind);
    tcase_add_test(tc, lever_limits_are_422);
    tcase_add_test(tc, other_org_sees_none_of_an_orgs_inputs);
    tcase_add_test(tc, read_only_key_cannot_write_inputs);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return t_main(inputs_kpis_suite());
}

/* test_imports_history.c — POST /v1/imports/deal-events (CRM history as deal
 * events) and POST /v1/imports/kpi-observations (upsert by KPI and date), over
 * real HTTP. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"

/* Deals d-1 (prospecting, ada, 100) and d-2 (won), created on 2024-01-01. */
static void two_deals(const char *key)
{
    t_resp r = fx_post_csv(key, "/v1/imports/deals?effective_at=2024-01-01T00:00:00Z",
                           "external_id,name,owner,amount,stage,close_date\n"
                           "d-1,One,ada,100,prospecting,2024-03-31\n"
                           "d-2,Two,bob,50,won,2024-02-15\n");
    fx_expect_counts(&r, 200, 2, 0, 0, 0);
    t_resp_free(&r);
}

static const char history[] = "external_id,at,field,old,new\n"
                              "d-1,2024-02-01T09:00:00Z,stage,prospecting,Proposal\n"
                              "d-1,2024-01-15,amount,100,120.5\n"
                              "d-1,2024-02-10T08:00:00.000+0000,close_date,2024-03-31,2024-04-30\n"
                              "d-1,2024-02-11T08:00:00Z,owner,ada,bob\n";

START_TEST(deal_events_load_into_history_in_time_order)
{
    char key[128], slug[64];
    fx_sales_org(key, slug);
    two_deals(key);
    t_resp r = fx_post_csv(key, "/v1/imports/deal-events", history);
    fx_expect_counts(&r, 200, 4, 0, 0, 0);
    t_resp_free(&r);
    r = t_get(key, "/v1/deals/%lld/history", fx_deal_id(slug, "d-1"));
    ck_assert_int_eq(r.status, 200);
    json_t *items = json_object_get(r.body, "items");
    /* 5 creation events at 2024-01-01, then the four loaded ones by time. */
    ck_assert_int_eq(json_array_size(items), 9);
    static const char *const want[][4] = {
        {"amount", "100.00", "120.50", "2024-01-15T00:00:00+00:00"},
        {"stage", "prospecting", "proposal", "2024-02-01T09:00:00+00:00"},
        {"close_date", "2024-03-31", "2024-04-30", "2024-02-10T08:00:00+00:00"},
        {"owner", "ada", "bob", "2024-02-11T08:00:00+00:00"}};
    for (size_t i = 0; i < 4; i++) {
        json_t *e = json_array_get(items, 5 + i);
        ck_assert_str_eq(t_str(e, "field"), want[i][0]);
        ck_assert_str_eq(t_str(e, "old"), want[i][1]);
        ck_assert_str_eq(t_str(e, "new"), want[i][2]);
        ck_assert_str_eq(t_str(e, "at"), want[i][3]);
    }
    t_resp_free(&r);
}
END_TEST

START_TEST(loading_the_same_history_twice_adds_nothing)
{
    char key[128], slug[64];
    fx_sales_org(key, slug);
    two_deals(key);
    t_resp r = fx_post_csv(key, "/v1/imports/deal-events", history);
    fx_expect_counts(&r, 200, 4, 0, 0, 0);
    t_resp_free(&r);
    long long id = fx_deal_id(slug, "d-1");
    long long before = fx_deal_events(id);
    r = fx_post_csv(key, "/v1/imports/deal-events", history);
    fx_expect_counts(&r, 200, 0, 0, 4, 0);
    t_resp_free(&r);
    ck_assert_int_eq(fx_deal_events(id), before);
}
END_TEST

START_TEST(deal_event_problems_name_line_and_column_and_change_nothing)
{
    char key[128], slug[64];
    fx_sales_org(key, slug);
    two_deals(key);
    long long id = fx_deal_id(slug, "d-1");
    long long before = fx_deal_events(id);
    t_resp r = fx_post_csv(key, "/v1/imports/deal-events",
                           "external_id,at,field,old,new\n"
                           "d-1,2024-02-01,stage,prospecting,proposal\n"
                           "nope,2024-02-01,stage,prospecting,proposal\n"
                           "d-1,last tuesday,amount,1,2\n"
                           "d-1,2024-02-30T10:00:00Z,amount,1,2\n"
                           "d-1,2024-02-01,colour,red,blue\n"
                           "d-1,2024-02-01,stage,prospecting,limbo\n"
                           "d-1,2024-02-01,amount,-3,2\n");
    fx_expect_counts(&r, 422, 0, 0, 0, 6);
    fx_expect_problem(&r, 0, 3, "external_id", "no deal has external_id nope");
    fx_expect_problem(&r, 1, 4, "at", "must be a date");
    fx_expect_problem(&r, 2, 5, "at", "must be a date");
    fx_expect_problem(&r, 3, 6, "field", "must be one of");
    fx_expect_problem(&r, 4, 7, "new", "is not a valid stage: limbo");
    fx_expect_problem(&r, 5, 8, "old", "is not a valid amount: -3");
    t_resp_free(&r);
    ck_assert_int_eq(fx_deal_events(id), before);
    r = fx_post_csv(key, "/v1/imports/deal-events?on_error=skip",
                    "external_id,at,field,old,new\nd-1,2024-02-01,stage,prospecting,"
                    "proposal\n"
                    "nope,2024-02-01,stage,prospecting,proposal\n");
    fx_expect_counts(&r, 200, 1, 0, 0, 1);
    t_resp_free(&r);
    ck_assert_int_eq(fx_deal_events(id), before + 1);
}
END_TEST

START_TEST(deal_events_of_another_org_are_unknown_deals)
{
    char key_a[128], slug_a[64], key_b[128], slug_b[64];
    fx_sales_org(key_a, slug_a);
    fx_sales_org(key_b, slug_b);
    two_deals(key_a);
    long long before = fx_deal_events(fx_deal_id(slug_a, "d-1"));
    t_resp r = fx_post_csv(key_b, "/v1/imports/deal-events", history);
    fx_expect_counts(&r, 422, 0, 0, 0, 4);
    fx_expect_problem(&r, 0, 2, "external_id", "no deal has external_id d-1");
    t_resp_free(&r);
    ck_assert_int_eq(fx_deal_events(fx_deal_id(slug_a, "d-1")), before);
}
END_TEST

START_TEST(kpi_observations_upsert_by_kpi_and_date)
{
    char key[128], slug[64];
    fx_sales_org(key, slug);
    fx_put_kpi(key, "qualified_leads");
    fx_put_kpi(key, "errors_per_page");
    t_resp r = fx_post_csv(key, "/v1/imports/kpi-observations",
                           "kpi,date,value\nqualified_leads,2024-01-01,10\n"
                           "qualified_leads,2024-01-08,12.5\nerrors_per_page,2024-01-01,0.4\n");
    fx_expect_counts(&r, 200, 3, 0, 0, 0);
    t_resp_free(&r);
    r = fx_post_ndjson(key, "/v1/imports/kpi-observations",
                       "{\"kpi\": \"qualified_leads\", \"date\": \"2024-01-01\", "
                       "\"value\": 10}\n"
                       "{\"kpi\": \"qualified_leads\", \"date\": \"2024-01-08\", "
                       "\"value\": 14}\n"
                       "{\"kpi\": \"qualified_leads\", \"date\": \"2024-01-15\", "
                       "\"value\": 9}\n");
    fx_expect_counts(&r, 200, 1, 1, 1, 0);
    t_resp_free(&r);
    r = t_get(key, "/v1/kpis/qualified_leads/observations");
    ck_assert_int_eq(r.status, 200);
    json_t *items = json_object_get(r.body, "items");
    ck_assert_int_eq(json_array_size(items), 3);
    ck_assert_double_eq_tol(t_num(json_array_get(items, 1), "value"), 14, 1e-9);
    t_resp_free(&r);
}
END_TEST

START_TEST(kpi_observation_problems_and_atomicity)
{
    char key[128], slug[64];
    fx_sales_org(key, slug);
    fx_put_kpi(key, "qualified_leads");
    t_resp r = fx_post_csv(key, "/v1/imports/kpi-observations",
                           "kpi,date,value\nqualified_leads,2024-01-01,10\n"
                           "unknown_kpi,2024-01-01,1\nqualified_leads,2024-02-30,1\n"
                           "qualified_leads,2024-01-09,1e999\nqualified_leads,2024-01-01,11\n");
    fx_expect_counts(&r, 422, 0, 0, 0, 4);
    fx_expect_problem(&r, 0, 3, "kpi", "unknown kpi unknown_kpi");
    fx_expect_problem(&r, 1, 4, "date", "must be a date");
    fx_expect_problem(&r, 2, 5, "value", "must be a number");
    fx_expect_problem(&r, 3, 6, "date", "repeats line 2");
    t_resp_free(&r);
    ck_assert_int_eq(fx_org_rows(slug, "kpi_observations"), 0);
    fx_expect_invalid(
        fx_post_csv(key, "/v1/imports/kpi-observations", "kpi,date\nqualified_leads,2024-01-01\n"),
        "value");
}
END_TEST

/* ---- creation events carried by the deal row (migration 0018) ---- */

/* 60 deals in every shape an export has: open, won and lost, closed after creation (created in
 * the first open stage, moved at the close), closed on the day of creation, created on or after
 * the effective date, with and without owner, category and close date. */
static void export_file(char *file, size_t cap)
{
    static const char *const stages[] = {"prospecting", "proposal", "won", "lost"};
    static const char *const owners[] = {"ada", "bob", "cy", "dee", ""};
    static const char *const cats[] = {"pipeline", "best_case", "commit", "omitted", ""};
    size_t n = (size_t)snprintf(
        file, cap,
        "external_id,name,owner,amount,stage,category,created_on,close_date,closed_on\n");
    for (int i = 0; i < 60 && n < cap; i++) {
        const char *st = stages[i % 4];
        int cm = 1 + i % 7, cd = 1 + (i * 7) % 27, lm = cm + 1 + i % 3;
        char closed[16] = "", close[16] = "";
        if (i % 4 >= 2)
            snprintf(closed, sizeof closed, "2024-%02d-%02d", i % 11 == 0 ? cm : lm,
                     i % 11 == 0 ? cd : 10);
        if (i % 9)
            snprintf(close, sizeof close, "2024-%02d-%02d", lm, 20);
        n += (size_t)snprintf(
            file + n, cap - n, "e-%02d,Deal %d,%s,%d.%02d,%s,%s,2024-%02d-%02d,%s,%s\n", i, i,
            owners[i % 5], 100 + 37 * i, i % 100, st, cats[i % 5], cm, cd, close, closed);
    }
}

/* The answers that read history: forecasts at several past days (with each open deal), the
 * pipeline waterfall, and every deal's history (event ids left out: the carried ones have
 * none). */
static char *history_answers(const char *key, const char *slug)
{
    static const char *const paths[] = {
        "/v1/forecast?period=2024-Q1&as_of=2024-02-15&trials=1000&seed=7&explain=true",
        "/v1/forecast?period=2024-Q2&as_of=2024-05-01&trials=1000&seed=7&explain=true",
        "/v1/forecast?period=2024-Q3&as_of=2024-07-01&trials=1000&seed=7&explain=true",
        "/v1/forecast?period=2024-Q3&as_of=2024-08-20&trials=1000&seed=7&explain=true",
        "/v1/pipeline/changes?period=2024-Q2&from=2024-03-01&to=2024-06-15&explain=true",
        "/v1/pipeline/changes?period=2024-Q3&from=2024-06-01&to=2024-08-10&explain=true"};
    size_t cap = 1 << 22, n = 0;
    char *out = calloc(1, cap);
    ck_assert_ptr_nonnull(out);
    for (size_t k = 0; k < sizeof paths / sizeof paths[0]; k++) {
        t_resp r = t_get(key, "%s", paths[k]);
        ck_assert_msg(r.status == 200, "%s: %s", paths[k], r.raw);
        char *text = json_dumps(r.body, JSON_SORT_KEYS | JSON_COMPACT);
        n += (size_t)snprintf(out + n, cap - n, "%s\n%s\n", paths[k], text);
        free(text);
        t_resp_free(&r);
    }
    for (int i = 0; i < 60; i++) {
        char ext[16];
        snprintf(ext, sizeof ext, "e-%02d", i);
        t_resp r = t_get(key, "/v1/deals/%lld/history", fx_deal_id(slug, ext));
        ck_assert_int_eq(r.status, 200);
        json_t *items = json_object_get(r.body, "items");
        for (size_t j = 0; j < json_array_size(items); j++)
            json_object_del(json_array_get(items, j), "id");
        char *text = json_dumps(items, JSON_SORT_KEYS | JSON_COMPACT);
        n += (size_t)snprintf(out + n, cap - n, "%s %s\n", ext, text);
        free(text);
        t_resp_free(&r);
    }
    ck_assert_uint_lt(n, cap - 1);
    return out;
}

/* The proof that deriving the creation changes nothing: an org's answers with the creation
 * events its deal rows carry, and after writing the very same events into deal_events in the
 * order the import used to (deal by deal, stage, amount, close date, category, owner, move) and
 * clearing born_at, are identical byte for byte; and the import stored none of them. */
START_TEST(forecast_is_the_same_with_creation_events_stored_or_carried)
{
    char key[128], slug[64];
    fx_sales_org(key, slug);
    static char file[16384];
    export_file(file, sizeof file);
    t_resp r = fx_post_csv(key, "/v1/imports/deals?effective_at=2024-06-01", file);
    fx_expect_counts(&r, 200, 60, 0, 0, 0);
    t_resp_free(&r);
    /* Later changes (stored events, with the carried values as their old ones), and CRM history
     * through the deal-events import. */
    r = fx_post_csv(key, "/v1/imports/deals?effective_at=2024-07-15",
                    "external_id,amount,stage,close_date\n"
                    "e-00,999,proposal,2024-09-30\ne-01,150,won,2024-07-20\n"
                    "e-04,500,lost,2024-08-31\ne-05,42,proposal,\n");
    fx_expect_counts(&r, 200, 0, 4, 0, 0);
    t_resp_free(&r);
    r = fx_post_csv(key, "/v1/imports/deal-events",
                    "external_id,at,field,old,new\n"
                    "e-08,2024-03-02,stage,prospecting,proposal\n"
                    "e-12,2024-04-01,amount,544.12,600\n");
    ck_assert_msg(r.status == 200, "%s", r.raw);
    t_resp_free(&r);
    ck_assert_int_eq(fx_org_rows(slug, "deal_events"),
                     fx_sql_ll("SELECT count(*) FROM deal_history_events e JOIN orgs o ON "
                               "o.id = e.org_id WHERE o.slug = '%s' AND e.id IS NOT NULL",
                               slug));
    /* Stored: the changes and the CRM history, nothing dated by the creations. */
    ck_assert_int_eq(fx_sql_ll("SELECT count(*) FROM deal_events e JOIN orgs o ON o.id = "
                               "e.org_id WHERE o.slug = '%s' AND e.at < '2024-06-01'",
                               slug),
                     2);
    long long carried = fx_sql_ll("SELECT count(*) FROM deal_history_events e JOIN orgs o ON "
                                  "o.id = e.org_id WHERE o.slug = '%s' AND e.id IS NULL",
                                  slug);
    ck_assert_int_ge(carried, 4 * 60);
    char *before = history_answers(key, slug);

    fx_exec("INSERT INTO deal_events (org_id, deal_id, at, field, old_value, new_value) "
            "SELECT e.org_id, e.deal_id, e.at, e.field, e.old_value, e.new_value "
            "FROM deal_history_events e JOIN orgs o ON o.id = e.org_id "
            "WHERE o.slug = '%s' AND e.id IS NULL ORDER BY e.deal_id, e.ord",
            slug);
    fx_exec("UPDATE deals d SET born_at = NULL FROM orgs o WHERE o.id = d.org_id AND o.slug = '%s'",
            slug);
    ck_assert_int_eq(fx_sql_ll("SELECT count(*) FROM deal_history_events e JOIN orgs o ON "
                               "o.id = e.org_id WHERE o.slug = '%s' AND e.id IS NULL",
                               slug),
                     0);
    /* A write straight into SQL reaches the caches within GAPFORGE_VERSION_CHECK_MS (1 s). */
    sleep(2);
    char *after = history_answers(key, slug);
    ck_assert_str_eq(after, before);
    free(before);
    free(after);
}
END_TEST

START_TEST(history_imports_need_a_write_key)
{
    char key[128], slug[64], ro[128];
    fx_sales_org(key, slug);
    t_new_key(key, "[\"read\"]", ro);
    fx_expect_error(fx_post_csv(ro, "/v1/imports/deal-events", history), 403, "forbidden", NULL);
    fx_expect_error(fx_post_csv(ro, "/v1/imports/kpi-observations", "kpi,date,value\n"), 403,
                    "forbidden", NULL);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("imports_history");
    TCase *tc = tcase_create("imports_history");
    tcase_add_test(tc, deal_events_load_into_history_in_time_order);
    tcase_add_test(tc, loading_the_same_history_twice_adds_nothing);
    tcase_add_test(tc, deal_event_problems_name_line_and_column_and_change_nothing);
    tcase_add_test(tc, deal_events_of_another_org_are_unknown_deals);
    tcase_add_test(tc, kpi_observations_upsert_by_kpi_and_date);
    tcase_add_test(tc, kpi_observation_problems_and_atomicity);
    tcase_add_test(tc, history_imports_need_a_write_key);
    tcase_add_test(tc, forecast_is_the_same_with_creation_events_stored_or_carried);
    suite_add_tcase(s, tc);
    return t_main(s);
}

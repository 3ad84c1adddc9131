/* test_deals.c — the deal write path over real HTTP: creation, validation, upsert, patch,
 * soft delete, the history each change writes, closed_on, tenancy and scopes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

static const char full_body[] =
    "{\"external_id\": \"crm-1\", \"name\": \"Acme renewal\", \"account\": \"Acme\", "
    "\"owner\": \"ada\", \"amount\": 1234.5, \"stage\": \"proposal\", "
    "\"category\": \"best_case\", \"source\": \"partner\", \"created_on\": \"2024-01-10\", "
    "\"close_date\": \"2024-03-31\", \"effective_at\": \"2024-01-10T09:30:00Z\"}";

/* The history items of a deal (new reference, asserted 200). */
static json_t *history(const char *key, long long id)
{
    json_t *body = fx_body(t_get(key, "/v1/deals/%lld/history", id), 200);
    json_t *items = json_incref(json_object_get(body, "items"));
    json_decref(body);
    return items;
}

/* A fresh sales org holding the deal of full_body; writes its key, slug and the deal's path
 * (>= 64 bytes) and returns the deal's id. */
static long long org_with_deal(char *key, char *slug, char *path)
{
    fx_sales_org(key, slug);
    long long id = fx_post_deal(key, full_body);
    snprintf(path, 64, "/v1/deals/%lld", id);
    return id;
}

/* The number of deals of the org with this slug, deleted ones included. */
static long long org_deals(const char *slug)
{
    return fx_org_rows(slug, "deals");
}

/* Asserts that the last event of items has the given field, old and new (old may be NULL). */
static void assert_last_event(const json_t *items, const char *field, const char *old,
                              const char *new)
{
    size_t n = json_array_size(items);
    ck_assert_int_gt(n, 0);
    json_t *e = json_array_get(items, n - 1);
    ck_assert_str_eq(t_str(e, "field"), field);
    if (old)
        ck_assert_str_eq(t_str(e, "old"), old);
    else
        ck_assert(json_is_null(json_object_get(e, "old")));
    ck_assert_str_eq(t_str(e, "new"), new);
}

START_TEST(create_with_every_field_returns_deal_and_location)
{
    char key[128], slug[64];
    fx_sales_org(key, slug);
    t_resp r = t_post(key, "/v1/deals", full_body);
    ck_assert_int_eq(r.status, 201);
    long long id = t_int(r.body, "id");
    char want[64];
    snprintf(want, sizeof want, "/v1/deals/%lld", id);
    ck_assert_str_eq(r.location, want);
    ck_assert_str_eq(t_str(r.body, "external_id"), "crm-1");
    ck_assert_str_eq(t_str(r.body, "name"), "Acme renewal");
    ck_assert_str_eq(t_str(r.body, "account"), "Acme");
    ck_assert_str_eq(t_str(r.body, "owner"), "ada");
    ck_assert_double_eq_tol(t_num(r.body, "amount"), 1234.5, 1e-9);
    ck_assert_str_eq(t_str(r.body, "stage"), "proposal");
    ck_assert_str_eq(t_str(r.body, "status"), "open");
    ck_assert_str_eq(t_str(r.body, "category"), "best_case");
    ck_assert_str_eq(t_str(r.body, "source"), "partner");
    ck_assert_str_eq(t_str(r.body, "created_on"), "2024-01-10");
    ck_assert_str_eq(t_str(r.body, "close_date"), "2024-03-31");
    ck_assert(json_is_null(json_object_get(r.body, "closed_on")));
    ck_assert_ptr_nonnull(t_str(r.body, "created_at"));
    ck_assert_ptr_nonnull(t_str(r.body, "updated_at"));
    t_resp_free(&r);

    json_t *got = fx_body(t_get(key, "%s", want), 200);
    ck_assert_str_eq(t_str(got, "external_id"), "crm-1");
    json_decref(got);
    got = fx_body(t_get(key, "/v1/deals/by-external-id/crm-1"), 200);
    ck_assert_int_eq(t_int(got, "id"), id);
    json_decref(got);
}
END_TEST

START_TEST(creation_writes_one_event_per_tracked_field_at_effective_time)
{
    char key[128], slug[64];
    fx_sales_org(key, slug);
    long long id = fx_post_deal(key, full_body);
    json_t *items = history(key, id);
    ck_assert_int_eq(json_array_size(items), 5);
    static const char *const want[][2] = {{"stage", "proposal"},
                                          {"amount", "1234.50"},
                                          {"close_date", "2024-03-31"},
                                          {"category", "best_case"},
                                          {"owner", "ada"}};
    for (size_t i = 0; i < 5; i++) {
        json_t *e = json_array_get(items, i);
        ck_assert_str_eq(t_str(e, "field"), want[i][0]);
        ck_assert(json_is_null(json_object_get(e, "old")));
        ck_assert_str_eq(t_str(e, "new"), want[i][1]);
    }
    json_decref(items);
    ck_assert_int_eq(fx_sql_ll("SELECT count(*) FROM deal_events WHERE deal_id = %lld "
                               "AND at = '2024-01-10T09:30:00Z'",
                               id),
                     5);
}
END_TEST

START_TEST(create_applies_defaults_from_effective_date)
{
    char key[128], slug[64];
    fx_sales_org(key, slug);
    t_resp r = t_post(key, "/v1/deals",
                      "{\"external_id\": \"d\", \"name\": \"n\", \"amount\": 0, "
                      "\"stage\": \"prospecting\", \"effective_at\": \"2023-06-01\"}");
    ck_assert_int_eq(r.status, 201);
    ck_assert_str_eq(t_str(r.body, "category"), "pipeline");
    ck_assert_str_eq(t_str(r.body, "source"), "other");
    ck_assert_str_eq(t_str(r.body, "created_on"), "2023-06-01");
    ck_assert(json_is_null(json_object_get(r.body, "owner")));
    ck_assert(json_is_null(json_object_get(r.body, "account")));
    t_resp_free(&r);
}
END_TEST

START_TEST(create_rejects_each_invalid_field_and_writes_nothing)
{
    char key[128], slug[64];
    fx_sales_org(key, slug);
    char long_id[140];
    memset(long_id, 'x', 129);
    long_id[129] = '\0';
    char too_long[300];
    snprintf(too_long, sizeof too_long,
             "{\"external_id\": \"%s\", \"name\": \"n\", \"amount\": 1, \"stage\": \"proposal\"}",
             long_id);
    static const struct {
        const char *body, *field;
    } cases[] = {
        {"{\"name\": \"n\", \"amount\": 1, \"stage\": \"proposal\"}", "external_id"},
        {"{\"external_id\": \"\", \"name\": \"n\", \"amount\": 1, \"stage\": \"proposal\"}",
         "external_id"},
        {"{\"external_id\": \"e\", \"amount\": 1, \"stage\": \"proposal\"}", "name"},
        {"{\"external_id\": \"e\", \"name\": \"n\", \"stage\": \"proposal\"}", "amount"},
        {"{\"external_id\": \"e\", \"name\": \"n\", \"amount\": -1, \"stage\": \"proposal\"}",
         "amount"},
        {"{\"external_id\": \"e\", \"name\": \"n\", \"amount\": 1.001, \"stage\": \"proposal\"}",
         "amount"},
        {"{\"external_id\": \"e\", \"name\": \"n\", \"amount\": \"7\", \"stage\": \"proposal\"}",
         "amount"},
        {"{\"external_id\": \"e\", \"name\": \"n\", \"amount\": 1}", "stage"},
        {"{\"external_id\": \"e\", \"name\": \"n\", \"amount\": 1, \"stage\": \"nope\"}", "stage"},
        {"{\"external_id\": \"e\", \"name\": \"n\", \"amount\": 1, \"stage\": \"proposal\", "
         "\"owner\": \"zed\"}",
         "owner"},
        {"{\"external_id\": \"e\", \"name\": \"n\", \"amount\": 1, \"stage\": \"proposal\", "
         "\"category\": \"maybe\"}",
         "category"},
        {"{\"external_id\": \"e\", \"name\": \"n\", \"amount\": 1, \"stage\": \"proposal\", "
         "\"source\": \"web\"}",
         "source"},
        {"{\"external_id\": \"e\", \"name\": \"n\", \"amount\": 1, \"stage\": \"proposal\", "
         "\"created_on\": \"2024-02-30\"}",
         "created_on"},
        {"{\"external_id\": \"e\", \"name\": \"n\", \"amount\": 1, \"stage\": \"proposal\", "
         "\"close_date\": \"soon\"}",
         "close_date"},
        {"{\"external_id\": \"e\", \"name\": \"n\", \"amount\": 1, \"stage\": \"proposal\", "
         "\"effective_at\": \"yesterday\"}",
         "effective_at"},
        {"{\"external_id\": \"e\", \"name\": \"n\", \"amount\": 1, \"stage\": \"proposal\", "
         "\"closed_on\": \"2024-01-01\"}",
         "closed_on"},
        {"{\"external_id\": \"e\", \"name\": \"n\", \"amount\": 1, \"stage\": \"proposal\", "
         "\"colour\": \"red\"}",
         "colour"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        fx_expect_invalid(t_post(key, "/v1/deals", cases[i].body), cases[i].field);
    fx_expect_invalid(t_post(key, "/v1/deals", too_long), "external_id");
    ck_assert_int_eq(org_deals(slug), 0);
    ck_assert_int_eq(fx_org_rows(slug, "deal_events"), 0);
}
END_TEST

START_TEST(duplicate_external_id_is_409)
{
    char key[128], slug[64];
    fx_sales_org(key, slug);
    fx_post_deal(key, full_body);
    fx_expect_error(t_post(key, "/v1/deals", full_body), 409, "conflict", "external_id");
    ck_assert_int_eq(org_deals(slug), 1);
}
END_TEST

START_TEST(upsert_creates_then_same_body_changes_nothing)
{
    char key[128], slug[64];
    fx_sales_org(key, slug);
    const char *body = "{\"name\": \"Globex\", \"amount\": 500, \"stage\": \"prospecting\", "
                       "\"owner\": \"bob\", \"close_date\": \"2024-06-30\"}";
    t_resp r = t_put(key, "/v1/deals/by-external-id/gx-1", body);
    ck_assert_int_eq(r.status, 201);
    long long id = t_int(r.body, "id");
    char want[64];
    snprintf(want, sizeof want, "/v1/deals/%lld", id);
    ck_assert_str_eq(r.location, want);
    ck_assert_str_eq(t_str(r.body, "external_id"), "gx-1");
    t_resp_free(&r);
    long long events = fx_deal_events(id);
    char *updated = fx_sqlf("SELECT updated_at FROM deals WHERE id = %lld", id);

    r = t_put(key, "/v1/deals/by-external-id/gx-1", body);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(t_int(r.body, "id"), id);
    ck_assert_str_eq(r.location, "");
    t_resp_free(&r);
    ck_assert_int_eq(fx_deal_events(id), events);
    char *again = fx_sqlf("SELECT updated_at FROM deals WHERE id = %lld", id);
    ck_assert_str_eq(again, updated);
    free(again);

    r = t_put(key, "/v1/deals/by-external-id/gx-1",
              "{\"external_id\": \"gx-1\", \"name\": \"Globex\", \"amount\": 650, "
              "\"stage\": \"prospecting\", \"owner\": \"bob\", \"close_date\": \"2024-06-30\"}");
    ck_assert_int_eq(r.status, 200);
    ck_assert_double_eq_tol(t_num(r.body, "amount"), 650, 1e-9);
    t_resp_free(&r);
    ck_assert_int_eq(fx_deal_events(id), events + 1);
    json_t *items = history(key, id);
    assert_last_event(items, "amount", "500.00", "650.00");
    json_decref(items);
    again = fx_sqlf("SELECT updated_at > '%s' FROM deals WHERE id = %lld", updated, id);
    ck_assert_str_eq(again, "t");
    free(again);
    free(updated);
}
END_TEST

START_TEST(upsert_rejects_body_external_id_that_differs_from_path)
{
    char key[128], slug[64];
    fx_sales_org(key, slug);
    fx_expect_invalid(t_put(key, "/v1/deals/by-external-id/a-1",
                            "{\"external_id\": \"b-2\", \"name\": \"n\", \"amount\": 1, "
                            "\"stage\": \"proposal\"}"),
                      "external_id");
    fx_expect_invalid(
        t_put(key, "/v1/deals/by-external-id/a-1", "{\"name\": \"n\", \"stage\": \"proposal\"}"),
        "amount");
    ck_assert_int_eq(org_deals(slug), 0);
}
END_TEST

START_TEST(each_kind_of_change_writes_its_event)
{
    char key[128], slug[64], path[64];
    long long id = org_with_deal(key, slug, path);
    static const struct {
        const char *body, *field, *old, *new;
    } steps[] = {
        {"{\"stage\": \"prospecting\"}", "stage", "proposal", "prospecting"},
        {"{\"amount\": 99.99}", "amount", "1234.50", "99.99"},
        {"{\"close_date\": \"2024-05-15\"}", "close_date", "2024-03-31", "2024-05-15"},
        {"{\"category\": \"commit\"}", "category", "best_case", "commit"},
        {"{\"owner\": \"cy\"}", "owner", "ada", "cy"},
        {"{\"close_date\": null}", "close_date", "2024-05-15", NULL},
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        long long before = fx_deal_events(id);
        fx_patch_deal(key, id, steps[i].body);
        ck_assert_int_eq(fx_deal_events(id), before + 1);
        json_t *items = history(key, id);
        json_t *e = json_array_get(items, json_array_size(items) - 1);
        ck_assert_str_eq(t_str(e, "field"), steps[i].field);
        ck_assert_str_eq(t_str(e, "old"), steps[i].old);
        if (steps[i].new)
            ck_assert_str_eq(t_str(e, "new"), steps[i].new);
        else
            ck_assert(json_is_null(json_object_get(e, "new")));
        json_decref(items);
    }
    /* Untracked fields change the deal without an event. */
    long long before = fx_deal_events(id);
    t_resp r = t_patch(key, path, "{\"name\": \"Acme renewal 2025\", \"source\": \"sales\"}");
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(t_str(r.body, "name"), "Acme renewal 2025");
    t_resp_free(&r);
    ck_assert_int_eq(fx_deal_events(id), before);
}
END_TEST

START_TEST(patch_with_nothing_to_change_writes_no_event)
{
    char key[128], slug[64], path[64];
    long long id = org_with_deal(key, slug, path);
    char *updated = fx_sqlf("SELECT updated_at FROM deals WHERE id = %lld", id);
    t_resp r = t_patch(key, path, "{}");
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(t_str(r.body, "stage"), "proposal");
    t_resp_free(&r);
    fx_patch_deal(key, id, "{\"amount\": 1234.50, \"owner\": \"ada\", \"stage\": \"proposal\"}");
    ck_assert_int_eq(fx_deal_events(id), 5);
    char *again = fx_sqlf("SELECT updated_at FROM deals WHERE id = %lld", id);
    ck_assert_str_eq(again, updated);
    free(again);
    free(updated);
}
END_TEST

START_TEST(patch_rejects_bad_values_and_changes_nothing)
{
    char key[128], slug[64], path[64];
    long long id = org_with_deal(key, slug, path);
    static const struct {
        const char *body, *field;
    } cases[] = {
        {"{\"stage\": \"nope\"}", "stage"},
        {"{\"owner\": \"zed\"}", "owner"},
        {"{\"amount\": -5}", "amount"},
        {"{\"name\": null}", "name"},
        {"{\"external_id\": \"other\"}", "external_id"},
        {"{\"closed_on\": \"2024-02-01\"}", "closed_on"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        fx_expect_invalid(t_patch(key, path, cases[i].body), cases[i].field);
    ck_assert_int_eq(fx_deal_events(id), 5);
    t_resp r = t_get(key, "%s", path);
    ck_assert_str_eq(t_str(r.body, "stage"), "proposal");
    ck_assert_str_eq(t_str(r.body, "owner"), "ada");
    t_resp_free(&r);
}
END_TEST

START_TEST(winning_sets_closed_on_to_the_effective_date)
{
    char key[128], slug[64], path[64];
    long long id = org_with_deal(key, slug, path);
    t_resp r = t_patch(key, path, "{\"stage\": \"won\", \"effective_at\": \"2024-03-15\"}");
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(t_str(r.body, "status"), "won");
    ck_assert_str_eq(t_str(r.body, "closed_on"), "2024-03-15");
    t_resp_free(&r);
    ck_assert_int_eq(fx_sql_ll("SELECT count(*) FROM deal_events WHERE deal_id = %lld AND "
                               "field = 'stage' AND new_value = 'won' AND at = '2024-03-15Z'",
                               id),
                     1);
    json_t *items = history(key, id);
    assert_last_event(items, "stage", "proposal", "won");
    json_decref(items);

    /* Back to an open stage clears closed_on; losing without effective_at uses today. */
    r = t_patch(key, path, "{\"stage\": \"proposal\"}");
    ck_assert_int_eq(r.status, 200);
    ck_assert(json_is_null(json_object_get(r.body, "closed_on")));
    t_resp_free(&r);
    char *today = t_sql("SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD')");
    r = t_patch(key, path, "{\"stage\": \"lost\"}");
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(t_str(r.body, "status"), "lost");
    ck_assert_str_eq(t_str(r.body, "closed_on"), today);
    t_resp_free(&r);
    free(today);
}
END_TEST

START_TEST(closing_with_a_given_closed_on_keeps_it)
{
    char key[128], slug[64], path[64];
    long long id = org_with_deal(key, slug, path);
    t_resp r = t_patch(key, path,
                       "{\"stage\": \"won\", \"closed_on\": \"2024-03-01\", "
                       "\"effective_at\": \"2024-03-04T12:00:00+02:00\"}");
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(t_str(r.body, "closed_on"), "2024-03-01");
    t_resp_free(&r);
    ck_assert_int_eq(fx_sql_ll("SELECT count(*) FROM deal_events WHERE deal_id = %lld AND "
                               "field = 'stage' AND at = '2024-03-04T10:00:00Z'",
                               id),
                     1);
}
END_TEST

START_TEST(delete_is_soft_then_404_and_history_stays)
{
    char key[128], slug[64], path[64];
    long long id = org_with_deal(key, slug, path);
    json_t *deleted = fx_body(t_delete(key, path), 200);
    ck_assert_int_eq(t_int(deleted, "id"), id);
    json_decref(deleted);
    fx_expect_error(t_get(key, "%s", path), 404, "not_found", NULL);
    fx_expect_error(t_patch(key, path, "{\"amount\": 1}"), 404, "not_found", NULL);
    fx_expect_error(t_delete(key, path), 404, "not_found", NULL);
    fx_expect_error(t_get(key, "/v1/deals/by-external-id/crm-1"), 404, "not_found", NULL);
    ck_assert_int_eq(fx_sql_ll("SELECT count(*) FROM deals WHERE id = %lld AND deleted_at IS NOT "
                               "NULL",
                               id),
                     1);
    json_t *items = history(key, id);
    ck_assert_int_eq(json_array_size(items), 6);
    assert_last_event(items, "deleted", "false", "true");
    json_decref(items);
}
END_TEST

START_TEST(delete_records_its_effective_time)
{
    char key[128], slug[64];
    fx_sales_org(key, slug);
    long long id = fx_post_deal(key, full_body);
    char path[96];
    snprintf(path, sizeof path, "/v1/deals/%lld?effective_at=someday", id);
    fx_expect_invalid(t_delete(key, path), "effective_at");
    ck_assert_int_eq(fx_deal_events(id), 5);
    snprintf(path, sizeof path, "/v1/deals/%lld?effective_at=2024-02-01", id);
    fx_expect_status(t_delete(key, path), 200);
    ck_assert_int_eq(fx_sql_ll("SELECT count(*) FROM deal_events WHERE deal_id = %lld AND "
                               "field = 'deleted' AND at = '2024-02-01Z'",
                               id),
                     1);
}
END_TEST

START_TEST(upsert_restores_a_deleted_deal)
{
    char key[128], slug[64], path[64];
    long long id = org_with_deal(key, slug, path);
    fx_expect_status(t_delete(key, path), 200);
    /* The same fields, effective now (after the deletion). */
    t_resp r = t_put(key, "/v1/deals/by-external-id/crm-1",
                     "{\"name\": \"Acme renewal\", \"account\": \"Acme\", \"owner\": \"ada\", "
                     "\"amount\": 1234.5, \"stage\": \"proposal\", \"category\": \"best_case\", "
                     "\"source\": \"partner\", \"created_on\": \"2024-01-10\", "
                     "\"close_date\": \"2024-03-31\"}");
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(t_int(r.body, "id"), id);
    ck_assert_int_eq(fx_deal_events(id), 7);
    t_resp_free(&r);
    json_t *items = history(key, id);
    assert_last_event(items, "deleted", "true", "false");
    json_decref(items);
    fx_expect_status(t_get(key, "%s", path), 200);
}
END_TEST

START_TEST(another_org_gets_404_for_a_deal_it_does_not_own)
{
    char key_a[128], slug_a[64], key_b[128], slug_b[64];
    fx_sales_org(key_a, slug_a);
    fx_sales_org(key_b, slug_b);
    long long id = fx_post_deal(key_a, full_body);
    char path[64];
    snprintf(path, sizeof path, "/v1/deals/%lld", id);
    fx_expect_error(t_get(key_b, "%s", path), 404, "not_found", NULL);
    fx_expect_error(t_patch(key_b, path, "{\"amount\": 1}"), 404, "not_found", NULL);
    fx_expect_error(t_delete(key_b, path), 404, "not_found", NULL);
    fx_expect_error(t_get(key_b, "/v1/deals/%lld/history", id), 404, "not_found", NULL);
    fx_expect_error(t_get(key_b, "/v1/deals/by-external-id/crm-1"), 404, "not_found", NULL);
    t_resp r = t_get(key_b, "/v1/deals");
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(fx_n_items(&r), 0);
    t_resp_free(&r);
    /* The same external id in org B is a different deal; A's is untouched. */
    r = t_put(key_b, "/v1/deals/by-external-id/crm-1", full_body);
    ck_assert_int_eq(r.status, 201);
    ck_assert_int_ne(t_int(r.body, "id"), id);
    t_resp_free(&r);
    ck_assert_int_eq(fx_deal_events(id), 5);
    r = t_get(key_a, "%s", path);
    ck_assert_int_eq(r.status, 200);
    ck_assert_double_eq_tol(t_num(r.body, "amount"), 1234.5, 1e-9);
    t_resp_free(&r);
}
END_TEST

START_TEST(read_only_key_can_read_but_not_write)
{
    char key[128], slug[64], ro[128];
    fx_sales_org(key, slug);
    t_new_key(key, "[\"read\"]", ro);
    long long id = fx_post_deal(key, full_body);
    char path[64];
    snprintf(path, sizeof path, "/v1/deals/%lld", id);
    fx_expect_error(t_post(ro, "/v1/deals", full_body), 403, "forbidden", NULL);
    fx_expect_error(t_put(ro, "/v1/deals/by-external-id/ro-1", full_body), 403, "forbidden", NULL);
    fx_expect_error(t_patch(ro, path, "{\"amount\": 1}"), 403, "forbidden", NULL);
    fx_expect_error(t_delete(ro, path), 403, "forbidden", NULL);
    fx_expect_status(t_get(ro, "%s", path), 200);
    fx_expect_error(t_get(NULL, "%s", path), 401, "unauthorized", NULL);
    ck_assert_int_eq(fx_deal_events(id), 5);
}
END_TEST

START_TEST(unknown_or_malformed_deal_id_is_404)
{
    char key[128], slug[64];
    fx_sales_org(key, slug);
    fx_expect_error(t_get(key, "/v1/deals/abc"), 404, "not_found", NULL);
    fx_expect_error(t_get(key, "/v1/deals/999999999"), 404, "not_found", NULL);
    fx_expect_error(t_get(key, "/v1/deals/0/history"), 404, "not_found", NULL);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("deals");
    TCase *tc = tcase_create("deals");
    tcase_add_test(tc, create_with_every_field_returns_deal_and_location);
    tcase_add_test(tc, creation_writes_one_event_per_tracked_field_at_effective_time);
    tcase_add_test(tc, create_applies_defaults_from_effective_date);
    tcase_add_test(tc, create_rejects_each_invalid_field_and_writes_nothing);
    tcase_add_test(tc, duplicate_external_id_is_409);
    tcase_add_test(tc, upsert_creates_then_same_body_changes_nothing);
    tcase_add_test(tc, upsert_rejects_body_external_id_that_differs_from_path);
    tcase_add_test(tc, each_kind_of_change_writes_its_event);
    tcase_add_test(tc, patch_with_nothing_to_change_writes_no_event);
    tcase_add_test(tc, patch_rejects_bad_values_and_changes_nothing);
    tcase_add_test(tc, winning_sets_closed_on_to_the_effective_date);
    tcase_add_test(tc, closing_with_a_given_closed_on_keeps_it);
    tcase_add_test(tc, delete_is_soft_then_404_and_history_stays);
    tcase_add_test(tc, delete_records_its_effective_time);
    tcase_add_test(tc, upsert_restores_a_deleted_deal);
    tcase_add_test(tc, another_org_gets_404_for_a_deal_it_does_not_own);
    tcase_add_test(tc, read_only_key_can_read_but_not_write);
    tcase_add_test(tc, unknown_or_malformed_deal_id_is_404);
    suite_add_tcase(s, tc);
    return t_main(s);
}

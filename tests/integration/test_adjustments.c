/* test_adjustments.c — manager adjustments over HTTP: the trail reads back newest first with
 * each adjustment's previous value chained to the one before (the first to the rep's commit),
 * the author is the key's name unless an admin key names one, bad input is 422 naming the field
 * and writes nothing, a read key cannot adjust, another org sees none of it, and the roll-up and
 * the forecast put the latest manager call beside the model's P50 and the rep's commit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

#define PERIOD "2025-Q2"

/* POSTs an adjustment of scope for PERIOD with key; asserts 201 and returns its body (new). */
static json_t *adjust(const char *key, const char *scope, const char *value, const char *reason)
{
    char body[1024];
    snprintf(body, sizeof body,
             "{\"scope\": \"%s\", \"period\": \"" PERIOD "\", \"value\": %s, \"reason\": \"%s\"}",
             scope, value, reason);
    return fx_body(t_post(key, "/v1/adjustments", body), 201);
}

/* POSTs a commit of scope for PERIOD; asserts 201 and returns its id. */
static long long commit(const char *key, const char *scope, double amount)
{
    char body[256];
    snprintf(body, sizeof body,
             "{\"scope\": \"%s\", \"period\": \"" PERIOD "\", \"commit\": %.2f, "
             "\"best_case\": %.2f, \"notes\": \"from the pipeline review\"}",
             scope, amount, amount * 1.2);
    json_t *c = fx_body(t_post(key, "/v1/commits", body), 201);
    long long id = t_int(c, "id");
    json_decref(c);
    return id;
}

/* Creates an API key named name with scopes (JSON array text) and writes its secret into out
 * (>= 128 bytes); returns its id. */
static long long named_key(const char *admin_key, const char *name, const char *scopes, char *out)
{
    char body[256];
    snprintf(body, sizeof body, "{\"name\": \"%s\", \"scopes\": %s}", name, scopes);
    json_t *k = fx_body(t_post(admin_key, "/v1/api-keys", body), 201);
    snprintf(out, 128, "%s", t_str(k, "secret"));
    long long id = t_int(k, "id");
    json_decref(k);
    return id;
}

START_TEST(a_trail_of_three_reads_back_newest_first_with_previous_values_chained)
{
    char key[128], slug[64], mgr[128];
    fx_sales_org(key, slug);
    long long mgr_id = named_key(key, "maria", "[\"write\"]", mgr);
    long long c = commit(key, "team:emea", 900);
    json_t *a1 = adjust(mgr, "team:emea", "1000", "Initech signs in May");
    json_t *a2 = adjust(mgr, "team:emea", "1100.5", "Globex moved up");
    json_t *a3 = adjust(mgr, "team:emea", "950", "Globex slipped after the budget freeze");
    /* Another scope's adjustment, with no commit before it, is not part of the trail. */
    json_t *other = adjust(mgr, "team:uk", "10", "uk only");
    ck_assert(json_is_null(json_object_get(other, "previous_value")));
    ck_assert(json_is_null(json_object_get(other, "previous_source")));
    ck_assert(json_is_null(json_object_get(other, "supersedes")));

    t_resp r = t_get(key, "/v1/adjustments?scope=team:emea&period=" PERIOD);
    ck_assert_int_eq(r.status, 200);
    ck_assert_uint_eq(fx_n_items(&r), 3);
    const json_t *want[] = {a3, a2, a1};
    const double values[] = {950, 1100.5, 1000}, previous[] = {1100.5, 1000, 900};
    for (size_t i = 0; i < 3; i++) {
        json_t *it = fx_item(&r, i);
        ck_assert_int_eq(t_int(it, "id"), t_int(want[i], "id"));
        ck_assert_str_eq(t_str(it, "scope"), "team:emea");
        ck_assert_str_eq(t_str(it, "period"), PERIOD);
        ck_assert_double_eq(t_num(it, "value"), values[i]);
        ck_assert_double_eq(t_num(it, "previous_value"), previous[i]);
        ck_assert_str_eq(t_str(it, "author"), "maria");
        ck_assert_int_eq(t_int(it, "key_id"), mgr_id);
        ck_assert_str_eq(t_str(it, "reason"), t_str(want[i], "reason"));
        ck_assert_ptr_nonnull(t_str(it, "created_at"));
        if (i < 2) {
            ck_assert_str_eq(t_str(it, "previous_source"), "adjustment");
            ck_assert_int_eq(t_int(it, "supersedes"), t_int(want[i + 1], "id"));
            ck_assert(json_is_null(json_object_get(it, "previous_commit_id")));
        } else {
            ck_assert_str_eq(t_str(it, "previous_source"), "commit");
            ck_assert(json_is_null(json_object_get(it, "supersedes")));
            ck_assert_int_eq(t_int(it, "previous_commit_id"), c);
        }
    }
    ck_assert(json_is_null(json_object_get(r.body, "next_cursor")));
    t_resp_free(&r);

    /* Pages of one walk the trail in the same order, each once. */
    char *reasons = fx_list_of(key, "reason", "/v1/adjustments?scope=team:emea&limit=3");
    ck_assert_str_eq(reasons,
                     "Globex slipped after the budget freeze,Globex moved up,Initech signs in May");
    free(reasons);
    r = t_get(key, "/v1/adjustments?limit=2");
    ck_assert_uint_eq(fx_n_items(&r), 2);
    ck_assert_int_eq(t_int(fx_item(&r, 0), "id"), t_int(other, "id"));
    const char *cursor = t_str(r.body, "next_cursor");
    ck_assert_ptr_nonnull(cursor);
    t_resp r2 = t_get(key, "/v1/adjustments?limit=2&cursor=%s", cursor);
    ck_assert_uint_eq(fx_n_items(&r2), 2);
    ck_assert_int_eq(t_int(fx_item(&r2, 1), "id"), t_int(a1, "id"));
    ck_assert(json_is_null(json_object_get(r2.body, "next_cursor")));
    t_resp_free(&r2);
    t_resp_free(&r);
    ck_assert_int_eq(fx_count_all(key, "/v1/adjustments?period=" PERIOD), 4);
    ck_assert_int_eq(fx_count_all(key, "/v1/adjustments?period=2025-Q3"), 0);
    json_decref(a1);
    json_decref(a2);
    json_decref(a3);
    json_decref(other);
}
END_TEST

START_TEST(the_author_is_the_key_name_and_only_an_admin_key_may_name_another)
{
    char key[128], slug[64], writer[128];
    fx_sales_org(key, slug);
    named_key(key, "ops-bot", "[\"write\"]", writer);
    fx_expect_error(t_post(writer, "/v1/adjustments",
                           "{\"scope\": \"org\", \"period\": \"" PERIOD "\", \"value\": 5, "
                           "\"reason\": \"r\", \"author\": \"Maria Lopez\"}"),
                    403, "forbidden", "author");
    ck_assert_int_eq(fx_org_rows(slug, "adjustments"), 0);
    json_t *a = fx_body(t_post(key, "/v1/adjustments",
                               "{\"scope\": \"org\", \"period\": \"" PERIOD "\", \"value\": 5, "
                               "\"reason\": \"board call\", \"author\": \"Maria Lopez\"}"),
                        201);
    ck_assert_str_eq(t_str(a, "author"), "Maria Lopez");
    json_decref(a);
    a = adjust(writer, "org", "6", "own name");
    ck_assert_str_eq(t_str(a, "author"), "ops-bot");
    json_decref(a);
    a = adjust(key, "org", "7", "the admin key's own name");
    ck_assert_str_eq(t_str(a, "author"), "admin");
    json_decref(a);
}
END_TEST

START_TEST(a_read_key_cannot_adjust)
{
    char key[128], slug[64], reader[128];
    fx_sales_org(key, slug);
    t_new_key(key, "[\"read\"]", reader);
    fx_expect_error(t_post(reader, "/v1/adjustments",
                           "{\"scope\": \"org\", \"period\": \"" PERIOD "\", \"value\": 5, "
                           "\"reason\": \"r\"}"),
                    403, "forbidden", NULL);
    ck_assert_int_eq(fx_org_rows(slug, "adjustments"), 0);
    fx_expect_status(t_get(reader, "/v1/adjustments"), 200);
}
END_TEST

START_TEST(bad_input_is_422_naming_the_field_and_writes_nothing)
{
    char key[128], slug[64];
    fx_sales_org(key, slug);
    static const struct {
        const char *body, *field;
    } cases[] = {
        {"{\"scope\": \"org\", \"period\": \"" PERIOD "\", \"value\": 5}", "reason"},
        {"{\"scope\": \"org\", \"period\": \"" PERIOD "\", \"value\": 5, \"reason\": \"\"}",
         "reason"},
        {"{\"scope\": \"org\", \"period\": \"" PERIOD "\", \"value\": 5, \"reason\": \"  \"}",
         "reason"},
        {"{\"scope\": \"org\", \"period\": \"" PERIOD "\", \"value\": 5, \"reason\": null}",
         "reason"},
        {"{\"scope\": \"org\", \"period\": \"" PERIOD "\", \"value\": 10.005, \"reason\": \"r\"}",
         "value"},
        {"{\"scope\": \"org\", \"period\": \"" PERIOD "\", \"value\": -1, \"reason\": \"r\"}",
         "value"},
        {"{\"scope\": \"org\", \"period\": \"" PERIOD "\", \"value\": \"5\", \"reason\": \"r\"}",
         "value"},
        {"{\"scope\": \"org\", \"period\": \"" PERIOD "\", \"reason\": \"r\"}", "value"},
        {"{\"scope\": \"team:nope\", \"period\": \"" PERIOD "\", \"value\": 5, \"reason\": \"r\"}",
         "scope"},
        {"{\"scope\": \"region:x\", \"period\": \"" PERIOD "\", \"value\": 5, \"reason\": \"r\"}",
         "scope"},
        {"{\"period\": \"" PERIOD "\", \"value\": 5, \"reason\": \"r\"}", "scope"},
        {"{\"scope\": \"org\", \"period\": \"2025-Q9\", \"value\": 5, \"reason\": \"r\"}",
         "period"},
        {"{\"scope\": \"org\", \"value\": 5, \"reason\": \"r\"}", "period"},
        {"{\"scope\": \"org\", \"period\": \"" PERIOD "\", \"value\": 5, \"reason\": \"r\", "
         "\"author\": \"\"}",
         "author"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        fx_expect_invalid(t_post(key, "/v1/adjustments", cases[i].body), cases[i].field);
    /* 2,000 characters (multi-byte ones count once) are the most a reason may hold. */
    char body[8192];
    size_t used = (size_t)snprintf(body, sizeof body,
                                   "{\"scope\": \"org\", \"period\": \"" PERIOD
                                   "\", \"value\": 5, \"reason\": \"");
    for (int i = 0; i < 2001; i++)
        used += (size_t)snprintf(body + used, sizeof body - used, "\xc3\xa9");
    snprintf(body + used, sizeof body - used, "\"}");
    fx_expect_invalid(t_post(key, "/v1/adjustments", body), "reason");
    ck_assert_int_eq(fx_org_rows(slug, "adjustments"), 0);
    body[used - 2] = '\0';
    strcat(body, "\"}");
    json_t *a = fx_body(t_post(key, "/v1/adjustments", body), 201);
    json_decref(a);
    ck_assert_int_eq(fx_org_rows(slug, "adjustments"), 1);

    fx_expect_invalid(t_get(key, "/v1/adjustments?scope=team:nope"), "scope");
    fx_expect_invalid(t_get(key, "/v1/adjustments?period=2025-13"), "period");
    fx_expect_invalid(t_get(key, "/v1/adjustments?limit=0"), "limit");
}
END_TEST

START_TEST(another_org_sees_none_of_them)
{
    char key[128], slug[64], other[128], other_slug[64];
    fx_sales_org(key, slug);
    json_t *a = adjust(key, "team:emea", "1000", "mine");
    json_decref(a);
    a = adjust(key, "org", "2000", "mine too");
    json_decref(a);
    t_new_org(other, other_slug);
    t_resp r = t_get(other, "/v1/adjustments");
    ck_assert_int_eq(r.status, 200);
    ck_assert_uint_eq(fx_n_items(&r), 0);
    t_resp_free(&r);
    r = t_get(other, "/v1/adjustments?scope=org&period=" PERIOD);
    ck_assert_uint_eq(fx_n_items(&r), 0);
    t_resp_free(&r);
    /* The first org's team is no team of the other's. */
    fx_expect_invalid(t_get(other, "/v1/adjustments?scope=team:emea"), "scope");
    fx_expect_invalid(t_post(other, "/v1/adjustments",
                             "{\"scope\": \"team:emea\", \"period\": \"" PERIOD
                             "\", \"value\": 5, \"reason\": \"r\"}"),
                      "scope");
    /* Nor does its own first adjustment supersede the first org's. */
    a = adjust(other, "org", "3", "theirs");
    ck_assert(json_is_null(json_object_get(a, "supersedes")));
    json_decref(a);
}
END_TEST

/* A sales org with a little history (deals won and lost by bob in 2024-Q4) and one open deal
 * of ada's in the period, so that a forecast at 2025-05-15 has something to price. */
static void small_org(char *key, char *slug)
{
    fx_sales_org(key, slug);
    char body[512];
    for (int i = 0; i < 4; i++) {
        snprintf(body, sizeof body,
                 "{\"external_id\": \"H%d\", \"name\": \"H\", \"owner\": \"bob\", \"amount\": "
                 "2000, \"stage\": \"proposal\", \"created_on\": \"2024-10-02\", "
                 "\"close_date\": \"2024-12-15\", \"effective_at\": \"2024-10-02\"}",
                 i);
        long long id = fx_post_deal(key, body);
        fx_patch_deal(key, id,
                      i % 2 ? "{\"stage\": \"lost\", \"effective_at\": \"2024-12-01\"}"
                            : "{\"stage\": \"won\", \"effective_at\": \"2024-11-20\"}");
    }
    fx_post_deal(key, "{\"external_id\": \"O1\", \"name\": \"O\", \"owner\": \"ada\", \"amount\": "
                      "5000, \"stage\": \"proposal\", \"created_on\": \"2025-03-01\", "
                      "\"close_date\": \"2025-06-15\", \"effective_at\": \"2025-03-01\"}");
}

START_TEST(the_rollup_and_the_forecast_show_the_latest_manager_call)
{
    char key[128], slug[64];
    small_org(key, slug);
    long long c = commit(key, "team:emea", 4000);
    json_t *a = adjust(key, "team:emea", "4500", "first");
    json_decref(a);
    json_t *latest = adjust(key, "team:emea", "4200.25", "Initech needs legal");
    json_t *top = adjust(key, "team:sales", "6000", "the whole region");

    /* As of today: the calls were made today (a past as_of shows the calls of its day). */
    t_resp r = t_get(key, "/v1/forecast/rollup?period=" PERIOD "&scope=team:sales");
    ck_assert_msg(r.status == 200, "rollup: %ld %s", r.status, r.raw);
    json_t *rows = json_object_get(r.body, "rows");
    const json_t *emea = NULL, *americas = NULL;
    for (size_t i = 0; i < json_array_size(rows); i++) {
        const char *scope = t_str(json_array_get(rows, i), "scope");
        if (scope && strcmp(scope, "team:emea") == 0)
            emea = json_array_get(rows, i);
        if (scope && strcmp(scope, "team:americas") == 0)
            americas = json_array_get(rows, i);
    }
    ck_assert_ptr_nonnull(emea);
    ck_assert_ptr_nonnull(americas);
    ck_assert(json_is_number(json_object_get(emea, "p50")));
    json_t *mc = json_object_get(emea, "manager_call");
    ck_assert_int_eq(t_int(mc, "id"), t_int(latest, "id"));
    ck_assert_double_eq(t_num(mc, "value"), 4200.25);
    ck_assert_str_eq(t_str(mc, "author"), "admin");
    ck_assert_str_eq(t_str(mc, "reason"), "Initech needs legal");
    ck_assert_str_eq(t_str(mc, "at"), t_str(latest, "created_at"));
    json_t *rc = json_object_get(emea, "rep_call");
    ck_assert_int_eq(t_int(rc, "id"), c);
    ck_assert_double_eq(t_num(rc, "value"), 4000);
    ck_assert_double_eq(t_num(rc, "best_case"), 4800);
    ck_assert(json_is_null(json_object_get(americas, "manager_call")));
    ck_assert(json_is_null(json_object_get(americas, "rep_call")));
    /* The parent's three calls, at the top level and on the total. */
    json_t *total = json_object_get(r.body, "total"), *parent = json_object_get(r.body, "parent");
    ck_assert_str_eq(t_str(parent, "scope"), "team:sales");
    ck_assert_double_eq(t_num(parent, "model_p50"), t_num(total, "p50"));
    ck_assert_double_eq(t_num(json_object_get(parent, "manager_call"), "value"), 6000);
    ck_assert_int_eq(t_int(json_object_get(total, "manager_call"), "id"), t_int(top, "id"));
    ck_assert(json_is_null(json_object_get(parent, "rep_call")));
    t_resp_free(&r);

    r = t_get(key, "/v1/forecast?period=" PERIOD "&scope=team:emea");
    ck_assert_msg(r.status == 200, "forecast: %ld %s", r.status, r.raw);
    json_t *call = json_object_get(r.body, "call");
    mc = json_object_get(call, "manager_call");
    ck_assert_int_eq(t_int(mc, "id"), t_int(latest, "id"));
    ck_assert_double_eq(t_num(mc, "value"), 4200.25);
    ck_assert_str_eq(t_str(mc, "reason"), "Initech needs legal");
    ck_assert_int_eq(t_int(json_object_get(call, "latest_commit"), "id"), c);
    t_resp_free(&r);
    /* A scope without adjustments has no manager call. */
    r = t_get(key, "/v1/forecast?period=" PERIOD "&scope=team:americas");
    ck_assert_int_eq(r.status, 200);
    ck_assert(json_is_null(json_object_get(json_object_get(r.body, "call"), "manager_call")));
    t_resp_free(&r);
    json_decref(latest);
    json_decref(top);
}
END_TEST

START_TEST(the_database_refuses_to_edit_or_delete_an_adjustment)
{
    char key[128], slug[64];
    fx_sales_org(key, slug);
    json_t *a = adjust(key, "org", "100", "kept");
    long long id = t_int(a, "id");
    json_decref(a);
    char *refused = fx_sqlf("DO $$ BEGIN UPDATE adjustments SET value = 1 WHERE id = %lld; "
                            "EXCEPTION WHEN check_violation THEN RAISE NOTICE 'refused'; END $$",
                            id);
    free(refused);
    refused = fx_sqlf("DO $$ BEGIN DELETE FROM adjustments WHERE id = %lld; "
                      "EXCEPTION WHEN check_violation THEN RAISE NOTICE 'refused'; END $$",
                      id);
    free(refused);
    ck_assert_int_eq(fx_sql_ll("SELECT value FROM adjustments WHERE id = %lld", id), 100);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("adjustments");
    TCase *tc = tcase_create("adjustments");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, a_trail_of_three_reads_back_newest_first_with_previous_values_chained);
    tcase_add_test(tc, the_author_is_the_key_name_and_only_an_admin_key_may_name_another);
    tcase_add_test(tc, a_read_key_cannot_adjust);
    tcase_add_test(tc, bad_input_is_422_naming_the_field_and_writes_nothing);
    tcase_add_test(tc, another_org_sees_none_of_them);
    tcase_add_test(tc, the_rollup_and_the_forecast_show_the_latest_manager_call);
    tcase_add_test(tc, the_database_refuses_to_edit_or_delete_an_adjustment);
    suite_add_tcase(s, tc);
    return t_main(s);
}

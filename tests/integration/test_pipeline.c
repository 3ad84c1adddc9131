/* test_pipeline.c — GET /v1/pipeline/changes over real HTTP: deals with real histories written
 * through the deals API (effective_at in the past), every bucket's count and sum, the
 * reconciliation to the cent, scope by owner, time zones, explain, a demo org over several
 * windows, 422s and tenancy. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

static const char *const money_buckets[] = {"start",      "new",         "pulled_in", "reopened",
                                            "amount_up",  "amount_down", "won",       "lost",
                                            "pushed_out", "deleted",     "end"};
#define NMONEY (sizeof money_buckets / sizeof money_buckets[0])

/* Amount in cents of a JSON number. */
static long long cents(const json_t *v)
{
    return llround(json_number_value(v) * 100.0);
}

/* GETs /v1/pipeline/changes?query, asserts 200 and returns the body (new reference). */
static json_t *changes(const char *key, const char *query)
{
    return fx_body(t_get(key, "/v1/pipeline/changes?%s", query), 200);
}

/* Asserts that bucket name of a response has count n and sum amount (in cents); a negative
 * n or amount is not checked. */
static void assert_bucket(const json_t *body, const char *name, long long n, long long amount)
{
    const json_t *b = json_object_get(json_object_get(body, "buckets"), name);
    ck_assert_msg(b != NULL, "no bucket %s", name);
    ck_assert_msg(n < 0 || t_int(b, "count") == n, "%s count %lld, want %lld", name,
                  t_int(b, "count"), n);
    if (amount >= 0)
        ck_assert_msg(cents(json_object_get(b, "amount")) == amount, "%s amount %lld, want %lld",
                      name, cents(json_object_get(b, "amount")), amount);
}

/* Asserts start + entries + amount_up − amount_down − exits = end, in cents and in counts. */
static void assert_reconciles(const json_t *body)
{
    const json_t *b = json_object_get(body, "buckets");
    long long sum = 0, n = 0;
    for (size_t i = 0; i + 1 < NMONEY; i++) {
        const json_t *x = json_object_get(b, money_buckets[i]);
        int sign = (i >= 5) ? -1 : 1; /* amount_down, won, lost, pushed_out, deleted */
        sum += sign * cents(json_object_get(x, "amount"));
        if (i != 4 && i != 5) /* amount buckets move no deals */
            n += sign * t_int(x, "count");
    }
    const json_t *end = json_object_get(b, "end");
    ck_assert_msg(sum == cents(json_object_get(end, "amount")), "amounts: %lld != end %lld", sum,
                  cents(json_object_get(end, "amount")));
    ck_assert_msg(n == t_int(end, "count"), "counts: %lld != end %lld", n, t_int(end, "count"));
}

/* Asserts that the explained deals add up to every bucket (explain=true bodies only). */
static void assert_deals_add_up(const json_t *body)
{
    const json_t *deals = json_object_get(body, "deals");
    ck_assert(json_is_array(deals));
    for (size_t i = 0; i < NMONEY; i++) {
        long long n = 0, sum = 0;
        size_t k;
        const json_t *d;
        json_array_foreach(deals, k, d)
        {
            size_t j;
            const json_t *name;
            json_array_foreach(json_object_get(d, "buckets"), j, name)
            {
                if (strcmp(json_string_value(name), money_buckets[i]) != 0)
                    continue;
                n++;
                const json_t *at = json_object_get(d, i == 0 ? "from" : "to");
                long long change = cents(json_object_get(d, "amount_change"));
                sum += i == 4 ? change : i == 5 ? -change : cents(json_object_get(at, "amount"));
            }
        }
        assert_bucket(body, money_buckets[i], n, sum);
    }
}

/* Creates a deal through the API at effective date eff; returns its id. */
static long long deal(const char *key, const char *ext, const char *owner, const char *stage,
                      const char *amount, const char *close, const char *eff)
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"external_id\": \"%s\", \"name\": \"%s\", \"owner\": \"%s\", \"amount\": %s, "
             "\"stage\": \"%s\", \"close_date\": \"%s\", \"effective_at\": \"%s\"}",
             ext, ext, owner, amount, stage, close, eff);
    return fx_post_deal(key, body);
}

/* The story of 2024-Q2 between 2024-04-15 and 2024-05-31, one deal per kind of change (UTC
 * org). Owners: ada (uk, under emea), bob (emea), cy (americas). */
static void build_story(const char *key)
{
    long long id;
    id = deal(key, "keep", "ada", "prospecting", "1000", "2024-06-15", "2024-03-01");
    fx_patch_deal(key, id, "{\"stage\": \"proposal\", \"effective_at\": \"2024-05-01\"}");
    fx_patch_deal(key, id, "{\"amount\": 1234, \"effective_at\": \"2024-06-05\"}"); /* after to */
    id = deal(key, "up", "ada", "prospecting", "2000", "2024-06-20", "2024-03-01");
    fx_patch_deal(key, id, "{\"amount\": 2500, \"effective_at\": \"2024-05-02\"}");
    id = deal(key, "down", "bob", "proposal", "3000", "2024-06-20", "2024-03-01");
    fx_patch_deal(
        key, id,
        "{\"amount\": 2000, \"stage\": \"prospecting\", \"effective_at\": \"2024-05-03\"}");
    id = deal(key, "won", "bob", "proposal", "4000", "2024-06-10", "2024-03-01");
    fx_patch_deal(key, id, "{\"amount\": 4400, \"effective_at\": \"2024-05-04\"}");
    fx_patch_deal(key, id, "{\"stage\": \"won\", \"effective_at\": \"2024-05-10\"}");
    id = deal(key, "lost", "ada", "proposal", "5000", "2024-06-05", "2024-03-01");
    fx_patch_deal(key, id, "{\"stage\": \"lost\", \"effective_at\": \"2024-05-11\"}");
    id = deal(key, "push", "bob", "proposal", "6000", "2024-06-25", "2024-03-01");
    fx_patch_deal(
        key, id,
        "{\"close_date\": \"2024-07-15\", \"owner\": \"cy\", \"effective_at\": \"2024-05-12\"}");
    id = deal(key, "pull", "cy", "proposal", "7000", "2024-08-01", "2024-03-01");
    fx_patch_deal(key, id, "{\"close_date\": \"2024-06-01\", \"effective_at\": \"2024-05-13\"}");
    deal(key, "new", "cy", "prospecting", "8000", "2024-06-30", "2024-05-01");
    id = deal(key, "newwon", "ada", "proposal", "9000", "2024-06-30", "2024-05-02");
    fx_patch_deal(key, id, "{\"stage\": \"won\", \"effective_at\": \"2024-05-20\"}");
    id = deal(key, "del", "ada", "proposal", "10000", "2024-06-01", "2024-03-01");
    char path[96];
    snprintf(path, sizeof path, "/v1/deals/%lld?effective_at=2024-05-14", id);
    fx_expect_status(t_delete(key, path), 200);
    id = deal(key, "reopen", "bob", "proposal", "11000", "2024-06-02", "2024-03-01");
    fx_patch_deal(key, id, "{\"stage\": \"lost\", \"effective_at\": \"2024-04-01\"}");
    fx_patch_deal(key, id, "{\"stage\": \"proposal\", \"effective_at\": \"2024-05-15\"}");
    /* Never counted: created after to, close date outside the period, won before from or on
     * from itself (closed by the end of that day, so neither in start nor won after it). */
    deal(key, "later", "ada", "proposal", "500", "2024-06-20", "2024-06-10");
    deal(key, "outside", "ada", "proposal", "600", "2024-09-01", "2024-03-01");
    id = deal(key, "wonbefore", "ada", "proposal", "700", "2024-04-30", "2024-03-01");
    fx_patch_deal(key, id, "{\"stage\": \"won\", \"effective_at\": \"2024-04-10\"}");
    id = deal(key, "wonatfrom", "ada", "proposal", "800", "2024-06-01", "2024-03-01");
    fx_patch_deal(key, id, "{\"stage\": \"won\", \"effective_at\": \"2024-04-15T18:00:00Z\"}");
}

static const char story_query[] = "period=2024-Q2&from=2024-04-15&to=2024-05-31";

START_TEST(each_bucket_counts_its_deals_and_sums_to_the_cent)
{
    char key[128], slug[64];
    fx_sales_org(key, slug);
    build_story(key);
    json_t *body = changes(key, story_query);
    ck_assert_str_eq(t_str(body, "from"), "2024-04-15");
    ck_assert_str_eq(t_str(body, "to"), "2024-05-31");
    ck_assert_str_eq(t_str(body, "scope"), "org");
    ck_assert_str_eq(t_str(body, "currency"), "USD");
    ck_assert_str_eq(t_str(json_object_get(body, "period"), "name"), "2024-Q2");
    assert_bucket(body, "start", 7, 3100000);
    assert_bucket(body, "new", 2, 1700000);
    assert_bucket(body, "pulled_in", 1, 700000);
    assert_bucket(body, "reopened", 1, 1100000);
    assert_bucket(body, "amount_up", 2, 90000);
    assert_bucket(body, "amount_down", 1, 100000);
    assert_bucket(body, "won", 2, 1340000);
    assert_bucket(body, "lost", 1, 500000);
    assert_bucket(body, "pushed_out", 1, 600000);
    assert_bucket(body, "deleted", 1, 1000000);
    assert_bucket(body, "end", 6, 3150000);
    assert_bucket(body, "stage_advanced", 1, -1);
    assert_bucket(body, "stage_regressed", 1, -1);
    ck_assert_ptr_null(json_object_get(body, "deals"));
    assert_reconciles(body);
    json_decref(body);
}
END_TEST

/* The explained deal of external id ext (borrowed). */
static const json_t *explained(const json_t *body, const char *ext)
{
    size_t i;
    const json_t *d;
    json_array_foreach(json_object_get(body, "deals"), i, d)
    {
        if (strcmp(t_str(d, "external_id"), ext) == 0)
            return d;
    }
    ck_abort_msg("deal %s is not explained", ext);
    return NULL;
}

/* Asserts the explained deal's buckets, as a comma-separated list. */
static void assert_roles(const json_t *body, const char *ext, const char *want)
{
    char got[256] = "";
    size_t i;
    const json_t *b;
    json_array_foreach(json_object_get(explained(body, ext), "buckets"), i, b)
    {
        strcat(got, i ? "," : "");
        strcat(got, json_string_value(b));
    }
    ck_assert_msg(strcmp(got, want) == 0, "%s: %s, want %s", ext, got, want);
}

START_TEST(explain_lists_each_deal_with_its_buckets_and_amounts)
{
    char key[128], slug[64];
    fx_sales_org(key, slug);
    build_story(key);
    char q[128];
    snprintf(q, sizeof q, "%s&explain=true", story_query);
    json_t *body = changes(key, q);
    ck_assert_uint_eq(json_array_size(json_object_get(body, "deals")), 11);
    assert_roles(body, "keep", "start,stage_advanced,end");
    assert_roles(body, "up", "start,amount_up,end");
    assert_roles(body, "down", "start,amount_down,stage_regressed,end");
    assert_roles(body, "won", "start,amount_up,won");
    assert_roles(body, "lost", "start,lost");
    assert_roles(body, "push", "start,pushed_out");
    assert_roles(body, "pull", "pulled_in,end");
    assert_roles(body, "new", "new,end");
    assert_roles(body, "newwon", "new,won");
    assert_roles(body, "del", "start,deleted");
    assert_roles(body, "reopen", "reopened,end");
    const json_t *won = explained(body, "won");
    ck_assert_int_eq(cents(json_object_get(won, "amount_change")), 40000);
    ck_assert_int_eq(cents(json_object_get(json_object_get(won, "from"), "amount")), 400000);
    ck_assert_int_eq(cents(json_object_get(json_object_get(won, "to"), "amount")), 440000);
    ck_assert_str_eq(t_str(json_object_get(won, "to"), "closed_on"), "2024-05-10");
    ck_assert_str_eq(t_str(json_object_get(won, "to"), "stage"), "won");
    const json_t *push = explained(body, "push");
    ck_assert_str_eq(t_str(push, "owner"), "cy");
    ck_assert_str_eq(t_str(json_object_get(push, "from"), "close_date"), "2024-06-25");
    ck_assert_str_eq(t_str(json_object_get(push, "to"), "close_date"), "2024-07-15");
    ck_assert(json_is_null(json_object_get(explained(body, "new"), "from")));
    ck_assert(
        json_is_true(json_object_get(json_object_get(explained(body, "del"), "to"), "deleted")));
    assert_deals_add_up(body);
    json_decref(body);
}
END_TEST

START_TEST(a_field_set_later_had_its_earlier_value_before)
{
    char key[128], slug[64];
    fx_sales_org(key, slug);
    /* No close date until 05-13: unset at from, so the deal was pulled in. */
    long long a = fx_post_deal(key, "{\"external_id\": \"a\", \"name\": \"a\", \"owner\": "
                                    "\"cy\", \"amount\": 100, \"stage\": \"proposal\", "
                                    "\"effective_at\": \"2024-03-01\"}");
    fx_patch_deal(key, a, "{\"close_date\": \"2024-06-01\", \"effective_at\": \"2024-05-13\"}");
    /* No owner until after to: nobody's deal at to, so not cy's. */
    long long b = fx_post_deal(key, "{\"external_id\": \"b\", \"name\": \"b\", \"amount\": 200, "
                                    "\"stage\": \"proposal\", \"close_date\": \"2024-06-01\", "
                                    "\"effective_at\": \"2024-03-01\"}");
    fx_patch_deal(key, b, "{\"owner\": \"cy\", \"effective_at\": \"2024-06-10\"}");
    json_t *body = changes(key, "period=2024-Q2&from=2024-04-15&to=2024-05-31&explain=true");
    assert_bucket(body, "start", 1, 20000);
    assert_bucket(body, "pulled_in", 1, 10000);
    assert_bucket(body, "end", 2, 30000);
    ck_assert(
        json_is_null(json_object_get(json_object_get(explained(body, "a"), "from"), "close_date")));
    ck_assert(json_is_null(json_object_get(explained(body, "b"), "owner")));
    json_decref(body);
    body = changes(key, "period=2024-Q2&from=2024-04-15&to=2024-05-31&scope=rep:cy");
    assert_bucket(body, "start", 0, 0);
    assert_bucket(body, "end", 1, 10000);
    json_decref(body);
}
END_TEST

START_TEST(scope_counts_deals_by_their_owner_at_to_with_sub_teams)
{
    char key[128], slug[64], q[160];
    fx_sales_org(key, slug);
    build_story(key);
    /* push moved from bob to cy: it counts for cy (americas) from start to its exit. */
    static const char *const americas[] = {"team:americas", "rep:cy"};
    for (size_t i = 0; i < 2; i++) {
        snprintf(q, sizeof q, "%s&scope=%s", story_query, americas[i]);
        json_t *body = changes(key, q);
        ck_assert_str_eq(t_str(body, "scope"), americas[i]);
        assert_bucket(body, "start", 1, 600000);
        assert_bucket(body, "new", 1, 800000);
        assert_bucket(body, "pulled_in", 1, 700000);
        assert_bucket(body, "pushed_out", 1, 600000);
        assert_bucket(body, "won", 0, 0);
        assert_bucket(body, "end", 2, 1500000);
        assert_reconciles(body);
        json_decref(body);
    }
    /* emea holds bob and, through uk, ada: everything but cy's deals. */
    snprintf(q, sizeof q, "%s&scope=team:emea", story_query);
    json_t *body = changes(key, q);
    assert_bucket(body, "start", 6, 2500000);
    assert_bucket(body, "new", 1, 900000);
    assert_bucket(body, "won", 2, 1340000);
    assert_bucket(body, "end", 4, 1650000);
    assert_reconciles(body);
    json_decref(body);
    snprintf(q, sizeof q, "%s&scope=rep:ada", story_query);
    body = changes(key, q);
    assert_bucket(body, "start", 4, 1800000); /* keep, up, lost, del */
    assert_bucket(body, "end", 2, 350000);
    assert_reconciles(body);
    json_decref(body);
    /* The root team is the whole org here (dee, without a team, owns nothing). */
    snprintf(q, sizeof q, "%s&scope=team:sales", story_query);
    body = changes(key, q);
    assert_bucket(body, "start", 7, 3100000);
    assert_bucket(body, "end", 6, 3150000);
    json_decref(body);
}
END_TEST

START_TEST(defaults_are_the_period_start_and_its_end_or_today)
{
    char key[128], slug[64];
    fx_sales_org(key, slug);
    build_story(key);
    json_t *body = changes(key, "period=2024-Q2");
    ck_assert_str_eq(t_str(body, "from"), "2024-04-01");
    ck_assert_str_eq(t_str(body, "to"), "2024-06-30");
    ck_assert_str_eq(t_str(json_object_get(body, "period"), "start"), "2024-04-01");
    ck_assert_str_eq(t_str(json_object_get(body, "period"), "end"), "2024-06-30");
    /* At the end of 2024-04-01 reopen was lost and outside and pull were outside the period:
     * start holds the other nine deals created on 03-01, wonbefore and wonatfrom among them. */
    assert_bucket(body, "start", 9, 3250000);
    /* keep's rise on 06-05 is inside this window; wonbefore and wonatfrom are won in it. */
    assert_bucket(body, "amount_up", 3, 113400);
    assert_bucket(body, "amount_down", 1, 100000);
    assert_bucket(body, "won", 4, 1490000);
    assert_bucket(body, "new", 3, 1750000);
    assert_bucket(body, "end", 7, 3223400);
    assert_reconciles(body);
    json_decref(body);
    /* A period that has not started yet: to defaults to today, before from. */
    fx_expect_invalid(t_get(key, "/v1/pipeline/changes?period=9000-Q1"), "from");
    /* A current period ends today by default. */
    char *today = t_sql("SELECT (now() AT TIME ZONE 'UTC')::date::text");
    char *qstart = t_sql("SELECT date_trunc('quarter', now() AT TIME ZONE 'UTC')::date::text");
    if (strcmp(today, qstart) != 0) {
        char q[64];
        snprintf(q, sizeof q, "period=%.4s-Q%d", today, (atoi(today + 5) - 1) / 3 + 1);
        body = changes(key, q);
        ck_assert_str_eq(t_str(body, "to"), today);
        ck_assert_str_eq(t_str(body, "from"), qstart);
        json_decref(body);
    }
    free(today);
    free(qstart);
}
END_TEST

START_TEST(event_days_are_read_in_the_org_time_zone)
{
    char key[128], slug[64];
    fx_sales_org(key, slug);
    fx_expect_status(t_patch(key, "/v1/org", "{\"time_zone\": \"America/New_York\"}"), 200);
    long long a = deal(key, "a", "ada", "proposal", "100", "2024-06-10", "2024-03-01");
    long long b = deal(key, "b", "ada", "proposal", "200", "2024-06-10", "2024-03-01");
    /* 23:30 in New York on 05-31 is already 06-01 in UTC: a is pushed out by the end of 05-31. */
    fx_patch_deal(
        key, a,
        "{\"close_date\": \"2024-07-10\", \"effective_at\": \"2024-05-31T23:30:00-04:00\"}");
    /* 00:30 in New York on 06-01 (04:30 UTC): b is still in on 05-31. */
    fx_patch_deal(
        key, b,
        "{\"close_date\": \"2024-07-10\", \"effective_at\": \"2024-06-01T00:30:00-04:00\"}");
    json_t *body = changes(key, "period=2024-Q2&from=2024-05-01&to=2024-05-31");
    assert_bucket(body, "start", 2, 30000);
    assert_bucket(body, "pushed_out", 1, 10000);
    assert_bucket(body, "end", 1, 20000);
    assert_reconciles(body);
    json_decref(body);
    /* A bare effective date is midnight in the org's zone: on that day, not the day before. */
    long long c = deal(key, "c", "ada", "proposal", "400", "2024-06-10", "2024-05-20");
    (void)c;
    body = changes(key, "period=2024-Q2&from=2024-05-19&to=2024-05-20");
    assert_bucket(body, "new", 1, 40000);
    json_decref(body);
}
END_TEST

START_TEST(invalid_parameters_are_422_naming_the_parameter)
{
    char key[128], slug[64];
    fx_sales_org(key, slug);
    static const char *const cases[][2] = {
        {"", "period"},
        {"period=2024-Q5", "period"},
        {"period=soon", "period"},
        {"period=2024-06-30..2024-04-01", "period"},
        {"period=2024-Q2&from=2024-02-30", "from"},
        {"period=2024-Q2&from=yesterday", "from"},
        {"period=2024-Q2&to=2024-6-01", "to"},
        {"period=2024-Q2&from=2024-05-01&to=2024-05-01", "from"},
        {"period=2024-Q2&from=2024-05-02&to=2024-05-01", "from"},
        {"period=2024-Q2&to=2024-07-01", "to"},
        {"period=2024-Q2&scope=everyone", "scope"},
        {"period=2024-Q2&scope=team:nowhere", "scope"},
        {"period=2024-Q2&scope=rep:nobody", "scope"},
        {"period=2024-Q2&scope=team:", "scope"},
        {"period=2024-Q2&explain=yes", "explain"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        fx_expect_invalid(t_get(key, "/v1/pipeline/changes?%s", cases[i][0]), cases[i][1]);
    /* An explicit range is a period too, and a read-only key may ask. */
    char ro[128];
    t_new_key(key, "[\"read\"]", ro);
    json_t *body = changes(ro, "period=2024-04-01..2024-06-30&from=2024-03-01&to=2024-06-30");
    assert_bucket(body, "start", 0, 0);
    assert_bucket(body, "end", 0, 0);
    json_decref(body);
    fx_expect_error(t_get(NULL, "/v1/pipeline/changes?period=2024-Q2"), 401, "unauthorized", NULL);
}
END_TEST

START_TEST(another_orgs_deals_are_never_counted)
{
    char key[128], slug[64], other[128], other_slug[64];
    fx_sales_org(other, other_slug);
    build_story(other);
    fx_add_rep(other_slug, "zed");
    fx_sales_org(key, slug);
    deal(key, "mine", "ada", "proposal", "1", "2024-06-10", "2024-03-01");
    json_t *body = changes(key, story_query);
    assert_bucket(body, "start", 1, 100);
    assert_bucket(body, "new", 0, 0);
    assert_bucket(body, "won", 0, 0);
    assert_bucket(body, "end", 1, 100);
    json_decref(body);
    fx_expect_invalid(t_get(key, "/v1/pipeline/changes?%s&scope=rep:zed", story_query), "scope");
    /* The other org still sees its own story whole. */
    body = changes(other, story_query);
    assert_bucket(body, "start", 7, 3100000);
    assert_bucket(body, "end", 6, 3150000);
    json_decref(body);
}
END_TEST

START_TEST(demo_org_reconciles_exactly_over_many_windows)
{
    char key[128], slug[64];
    json_decref(fx_demo_org(
        key, slug,
        (fx_demo_spec){
            .seed = 11, .quarters = 4, .deals_per_quarter = 200, .as_of = "2025-05-15"}));
    static const char *const windows[] = {
        "period=2025-Q1",
        "period=2025-Q2&from=2025-04-01&to=2025-05-14",
        "period=2025-Q2&from=2025-03-01&to=2025-05-14",
        "period=2024-Q4&from=2024-10-15&to=2024-12-01",
        "period=2024-Q3&from=2024-05-01&to=2024-09-30",
        "period=2025-01-01..2025-06-30&from=2024-12-01&to=2025-05-10",
        "period=2025-Q1&scope=team:emea",
        "period=2025-Q1&scope=team:americas&from=2025-02-01",
        "period=2025-Q2&scope=team:sales&to=2025-05-14",
    };
    long long busy = 0;
    for (size_t i = 0; i < sizeof windows / sizeof windows[0]; i++) {
        char q[256];
        snprintf(q, sizeof q, "%s&explain=true", windows[i]);
        json_t *body = changes(key, q);
        assert_reconciles(body);
        assert_deals_add_up(body);
        const json_t *b = json_object_get(body, "buckets");
        busy += t_int(json_object_get(b, "won"), "count") > 0 &&
                t_int(json_object_get(b, "new"), "count") > 0 &&
                t_int(json_object_get(b, "start"), "count") > 0;
        json_decref(body);
    }
    ck_assert_int_ge(busy, 6); /* the windows really move deals */

    /* Nothing is dated after as_of, so the pipeline at 2025-05-14 is today's open deals with a
     * close date in the period, and the won bucket of a window from the period's eve is the
     * period's bookings so far, straight from the deals table. */
    json_t *body = changes(key, "period=2025-Q2&from=2025-03-31&to=2025-05-14");
    long long end = fx_sql_ll(
        "SELECT coalesce(sum(d.amount) * 100, 0)::bigint FROM deals d JOIN stages s ON "
        "s.id = d.stage_id JOIN orgs o ON o.id = d.org_id WHERE o.slug = '%s' AND s.kind = "
        "'open' AND d.deleted_at IS NULL AND d.close_date BETWEEN '2025-04-01' AND '2025-06-30'",
        slug);
    long long n_end = fx_sql_ll(
        "SELECT count(*) FROM deals d JOIN stages s ON s.id = d.stage_id JOIN orgs o ON "
        "o.id = d.org_id WHERE o.slug = '%s' AND s.kind = 'open' AND d.deleted_at IS NULL AND "
        "d.close_date BETWEEN '2025-04-01' AND '2025-06-30'",
        slug);
    long long booked = fx_sql_ll(
        "SELECT coalesce(sum(d.amount) * 100, 0)::bigint FROM deals d JOIN stages s ON "
        "s.id = d.stage_id JOIN orgs o ON o.id = d.org_id WHERE o.slug = '%s' AND s.kind = "
        "'won' AND d.closed_on BETWEEN '2025-04-01' AND '2025-05-14'",
        slug);
    ck_assert_int_gt(n_end, 10);
    ck_assert_int_gt(booked, 0);
    assert_bucket(body, "end", n_end, end);
    assert_bucket(body, "won", -1, booked);
    assert_reconciles(body);
    json_decref(body);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("pipeline");
    TCase *tc = tcase_create("pipeline");
    tcase_add_test(tc, each_bucket_counts_its_deals_and_sums_to_the_cent);
    tcase_add_test(tc, explain_lists_each_deal_with_its_buckets_and_amounts);
    tcase_add_test(tc, a_field_set_later_had_its_earlier_value_before);
    tcase_add_test(tc, scope_counts_deals_by_their_owner_at_to_with_sub_teams);
    tcase_add_test(tc, defaults_are_the_period_start_and_its_end_or_today);
    tcase_add_test(tc, event_days_are_read_in_the_org_time_zone);
    tcase_add_test(tc, invalid_parameters_are_422_naming_the_parameter);
    tcase_add_test(tc, another_orgs_deals_are_never_counted);
    tcase_add_test(tc, demo_org_reconciles_exactly_over_many_windows);
    suite_add_tcase(s, tc);
    return t_main(s);
}

/* test_deals_list.c — GET /v1/deals: each filter, bad filter values, the keyset pagination walk
 * while rows are added. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

/* Asserts that GET /v1/deals?query returns exactly the deals with these external ids, in id
 * order, given as "a,b,c" ("" for none). */
static void expect_deals(const char *key, const char *query, const char *want)
{
    char *got = fx_list_of(key, "external_id", "/v1/deals?%s", query);
    int same = strcmp(got, want) == 0;
    ck_assert_msg(same, "?%s: got [%s], want [%s]", query, got, want);
    free(got);
}

/* Five deals across stages, owners, teams and close dates (created in this order):
 * d1 ada/uk proposal 2024-03-31, d2 bob/emea prospecting 2024-04-15, d3 cy/americas won
 * 2024-05-01, d4 dee/no team lost (no close date), d5 ada/uk won 2024-06-30. */
static void five_deals(const char *key)
{
    fx_post_deal(key,
                 "{\"external_id\": \"d1\", \"name\": \"n\", \"amount\": 1, \"owner\": \"ada\", "
                 "\"stage\": \"proposal\", \"close_date\": \"2024-03-31\"}");
    fx_post_deal(key,
                 "{\"external_id\": \"d2\", \"name\": \"n\", \"amount\": 2, \"owner\": \"bob\", "
                 "\"stage\": \"prospecting\", \"close_date\": \"2024-04-15\"}");
    fx_post_deal(key,
                 "{\"external_id\": \"d3\", \"name\": \"n\", \"amount\": 3, \"owner\": \"cy\", "
                 "\"stage\": \"won\", \"close_date\": \"2024-05-01\"}");
    fx_post_deal(key,
                 "{\"external_id\": \"d4\", \"name\": \"n\", \"amount\": 4, \"owner\": \"dee\", "
                 "\"stage\": \"lost\"}");
    fx_post_deal(key,
                 "{\"external_id\": \"d5\", \"name\": \"n\", \"amount\": 5, \"owner\": \"ada\", "
                 "\"stage\": \"won\", \"close_date\": \"2024-06-30\"}");
}

START_TEST(list_filters_by_status_stage_and_owner)
{
    char key[128], slug[64];
    fx_sales_org(key, slug);
    five_deals(key);
    expect_deals(key, "", "d1,d2,d3,d4,d5");
    expect_deals(key, "status=open", "d1,d2");
    expect_deals(key, "status=won", "d3,d5");
    expect_deals(key, "status=lost", "d4");
    expect_deals(key, "stage=proposal", "d1");
    expect_deals(key, "stage=nosuchstage", "");
    expect_deals(key, "owner=ada", "d1,d5");
    expect_deals(key, "owner=ada&status=open", "d1");
}
END_TEST

START_TEST(list_team_filter_includes_sub_teams)
{
    char key[128], slug[64];
    fx_sales_org(key, slug);
    five_deals(key);
    expect_deals(key, "team=uk", "d1,d5");
    expect_deals(key, "team=emea", "d1,d2,d5");
    expect_deals(key, "team=americas", "d3");
    expect_deals(key, "team=sales", "d1,d2,d3,d5");
    expect_deals(key, "team=sales&status=won", "d3,d5");
}
END_TEST

START_TEST(list_close_range_is_inclusive)
{
    char key[128], slug[64];
    fx_sales_org(key, slug);
    five_deals(key);
    expect_deals(key, "close_from=2024-04-01&close_to=2024-05-01", "d2,d3");
    expect_deals(key, "close_to=2024-03-31", "d1");
    expect_deals(key, "close_from=2024-05-01", "d3,d5");
}
END_TEST

START_TEST(list_updated_since_and_excludes_deleted)
{
    char key[128], slug[64];
    fx_sales_org(key, slug);
    five_deals(key);
    fx_exec("UPDATE deals SET updated_at = '2020-01-01Z' FROM orgs o WHERE o.id = deals.org_id "
            "AND o.slug = '%s' AND deals.external_id IN ('d1', 'd2', 'd3')",
            slug);
    expect_deals(key, "updated_since=2021-01-01", "d4,d5");
    expect_deals(key, "updated_since=2020-01-01T00:00:00Z", "d1,d2,d3,d4,d5");
    char path[64];
    snprintf(path, sizeof path, "/v1/deals/%lld", fx_deal_id(slug, "d4"));
    fx_expect_status(t_delete(key, path), 200);
    expect_deals(key, "status=lost", "");
    expect_deals(key, "", "d1,d2,d3,d5");
}
END_TEST

START_TEST(list_rejects_bad_filter_values)
{
    char key[128], slug[64];
    fx_sales_org(key, slug);
    static const struct {
        const char *query, *param;
    } cases[] = {
        {"status=closed", "status"},
        {"stage=bad%20key", "stage"},
        {"owner=a!b", "owner"},
        {"team=%2A", "team"},
        {"close_from=2024-13-01", "close_from"},
        {"close_to=tomorrow", "close_to"},
        {"updated_since=yesterday", "updated_since"},
        {"limit=0", "limit"},
        {"limit=501", "limit"},
        {"cursor=abc", "cursor"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        fx_expect_invalid(t_get(key, "/v1/deals?%s", cases[i].query), cases[i].param);
}
END_TEST

START_TEST(pagination_walk_sees_every_deal_once_while_deals_are_added)
{
    char key[128], slug[64], body[256];
    fx_sales_org(key, slug);
    for (int i = 1; i <= 25; i++) {
        snprintf(body, sizeof body,
                 "{\"external_id\": \"p-%02d\", \"name\": \"n\", \"amount\": %d, "
                 "\"stage\": \"prospecting\"}",
                 i, i);
        fx_post_deal(key, body);
    }
    int seen[26] = {0}, pages = 0, added = 0, total = 0;
    char cursor[32] = "";
    do {
        t_resp r = t_get(key, "/v1/deals?limit=7%s%s", cursor[0] ? "&cursor=" : "", cursor);
        ck_assert_int_eq(r.status, 200);
        json_t *items = json_object_get(r.body, "items");
        ck_assert_int_le(json_array_size(items), 7);
        size_t i;
        json_t *d;
        json_array_foreach(items, i, d)
        {
            const char *ext = t_str(d, "external_id");
            total++;
            if (strncmp(ext, "p-", 2) == 0)
                seen[atoi(ext + 2)]++;
        }
        json_t *next = json_object_get(r.body, "next_cursor");
        snprintf(cursor, sizeof cursor, "%s", json_is_string(next) ? json_string_value(next) : "");
        t_resp_free(&r);
        pages++;
        if (cursor[0] && added < 5) { /* a deal arrives between pages */
            snprintf(body, sizeof body,
                     "{\"external_id\": \"n-%d\", \"name\": \"n\", \"amount\": 1, "
                     "\"stage\": \"proposal\"}",
                     added++);
            fx_post_deal(key, body);
        }
    } while (cursor[0] && pages < 20);
    ck_assert_str_eq(cursor, "");
    for (int i = 1; i <= 25; i++)
        ck_assert_msg(seen[i] == 1, "deal p-%02d seen %d times", i, seen[i]);
    ck_assert_int_eq(added, 3);
    ck_assert_int_eq(total, 25 + added); /* added deals have higher ids: the walk reaches them */
}
END_TEST

int main(void)
{
    Suite *s = suite_create("deals_list");
    TCase *tc = tcase_create("deals_list");
    tcase_add_test(tc, list_filters_by_status_stage_and_owner);
    tcase_add_test(tc, list_team_filter_includes_sub_teams);
    tcase_add_test(tc, list_close_range_is_inclusive);
    tcase_add_test(tc, list_updated_since_and_excludes_deleted);
    tcase_add_test(tc, list_rejects_bad_filter_values);
    tcase_add_test(tc, pagination_walk_sees_every_deal_once_while_deals_are_added);
    suite_add_tcase(s, tc);
    return t_main(s);
}

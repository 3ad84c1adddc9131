/* test_csv.c — Accept: text/csv over HTTP: a list as a spreadsheet-safe CSV attachment, a table
 * inside an answer, and JSON still for errors and for answers with no table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

static t_resp get_csv(const char *key, const char *path)
{
    return t_request("GET", path, key, NULL, NULL, "Accept: text/csv");
}

START_TEST(a_deal_list_is_csv_with_a_header_and_no_formula)
{
    char key[128], slug[64];
    fx_sales_org(key, slug);
    fx_post_deal(key, "{\"external_id\": \"x-1\", \"name\": \"=HYPERLINK(\\\"http://evil\\\")\", "
                      "\"amount\": 1200.5, \"stage\": \"prospecting\", \"owner\": \"ada\"}");
    fx_post_deal(key, "{\"external_id\": \"x-2\", \"name\": \"Beta, pilot\", \"amount\": 300, "
                      "\"stage\": \"proposal\", \"owner\": \"bob\"}");
    t_resp r = get_csv(key, "/v1/deals?limit=10");
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.content_type, "text/csv"));
    ck_assert_uint_eq(fx_csv_lines(r.raw), 3);
    ck_assert(strncmp(r.raw, "id,", 3) == 0);
    ck_assert_ptr_nonnull(strstr(r.raw, ",name,"));
    ck_assert_ptr_nonnull(strstr(r.raw, "\"'=HYPERLINK(\"\"http://evil\"\")\""));
    ck_assert_ptr_nonnull(strstr(r.raw, "\"Beta, pilot\""));
    ck_assert_ptr_nonnull(strstr(r.raw, ",1200.5,"));
    t_resp_free(&r);
    /* The same list as JSON without the header. */
    t_resp j = t_get(key, "/v1/deals?limit=10");
    ck_assert_ptr_nonnull(strstr(j.content_type, "application/json"));
    ck_assert_uint_eq(json_array_size(json_object_get(j.body, "items")), 2);
    t_resp_free(&j);
}
END_TEST

/* A list longer than a page streams whole: every deal from the cursor on, in id order, the
 * header once, whatever the limit of the first page. */
START_TEST(a_long_list_streams_every_row_from_the_cursor_on)
{
    char key[128], slug[64];
    fx_sales_org(key, slug);
    enum { N = 1234 };
    size_t cap = 64 + (size_t)N * 64, used = 0;
    char *file = malloc(cap);
    used += (size_t)snprintf(file, cap, "external_id,name,owner,amount,stage\n");
    for (int i = 0; i < N; i++)
        used += (size_t)snprintf(file + used, cap - used, "s-%04d,Deal %d,ada,%d,prospecting\n", i,
                                 i, 100 + i);
    t_resp imp = fx_post_csv(key, "/v1/imports/deals", file);
    free(file);
    fx_expect_counts(&imp, 200, N, 0, 0, 0);
    t_resp_free(&imp);
    t_resp r = get_csv(key, "/v1/deals?limit=7");
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.content_type, "text/csv"));
    ck_assert_uint_eq(fx_csv_lines(r.raw), N + 1);
    ck_assert(strncmp(r.raw, "id,", 3) == 0);
    /* Ids strictly increase: no row twice, none out of order across the pages. */
    long long prev = 0;
    size_t rows = 0;
    for (const char *p = strstr(r.raw, "\r\n") + 2; *p; p = strstr(p, "\r\n") + 2) {
        long long id = strtoll(p, NULL, 10);
        ck_assert_int_gt(id, prev);
        prev = id;
        rows++;
    }
    ck_assert_uint_eq(rows, N);
    ck_assert_ptr_nonnull(strstr(r.raw, ",s-1233\r\n"));
    t_resp_free(&r);
    /* From the first JSON page's cursor on: the rest, header included. */
    t_resp j = t_get(key, "/v1/deals?limit=500");
    const char *cursor = json_string_value(json_object_get(j.body, "next_cursor"));
    ck_assert_ptr_nonnull(cursor);
    char path[128];
    snprintf(path, sizeof path, "/v1/deals?cursor=%s&status=open", cursor);
    t_resp rest = t_request("GET", path, key, NULL, NULL, "Accept: text/csv");
    ck_assert_int_eq(rest.status, 200);
    ck_assert_uint_eq(fx_csv_lines(rest.raw), N - 500 + 1);
    t_resp_free(&rest);
    t_resp_free(&j);
    /* A filter holds over every page. */
    t_resp none = get_csv(key, "/v1/deals?limit=3&status=won");
    ck_assert_int_eq(none.status, 200);
    ck_assert_uint_eq(fx_csv_lines(none.raw), 1);
    t_resp_free(&none);
}
END_TEST

START_TEST(a_scorecard_answers_its_quarters_as_csv)
{
    char key[128], slug[64];
    fx_sales_org(key, slug);
    t_resp j = t_get(key, "/v1/reps/ada/scorecard?period=2026-Q3");
    ck_assert_msg(j.status == 200, "%s", j.raw);
    const size_t quarters =
        json_array_size(json_object_get(json_object_get(j.body, "bias"), "quarters"));
    t_resp_free(&j);
    t_resp r = get_csv(key, "/v1/reps/ada/scorecard?period=2026-Q3");
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.content_type, "text/csv"));
    ck_assert_uint_eq(fx_csv_lines(r.raw), quarters + 1);
    t_resp_free(&r);
}
END_TEST

START_TEST(errors_and_answers_without_a_table_stay_json)
{
    char key[128], slug[64];
    fx_sales_org(key, slug);
    t_resp r = get_csv(key, "/v1/deals?limit=x");
    ck_assert_int_eq(r.status, 422);
    ck_assert_ptr_nonnull(strstr(r.content_type, "application/json"));
    t_resp_free(&r);
    r = get_csv(key, "/v1/org");
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.content_type, "application/json"));
    t_resp_free(&r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("csv");
    TCase *tc = tcase_create("csv");
    tcase_add_test(tc, a_deal_list_is_csv_with_a_header_and_no_formula);
    tcase_add_test(tc, a_long_list_streams_every_row_from_the_cursor_on);
    tcase_add_test(tc, a_scorecard_answers_its_quarters_as_csv);
    tcase_add_test(tc, errors_and_answers_without_a_table_stay_json);
    suite_add_tcase(s, tc);
    return t_main(s);
}

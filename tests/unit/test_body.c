/* test_body.c — request bodies held up to their cap (the bytes kept exactly, the rest dropped
 * once the cap is passed) and the bound on a JSON body's values (separators and containers
 * outside strings, escapes skipped, counting stopped past the cap). */
#include <string.h>

#include "body.h"
#include "unit.h"

START_TEST(a_body_keeps_its_bytes_up_to_the_cap)
{
    gf_http_body b = {0};
    gf_http__body_append(&b, "{\"a\":", 5, 10);
    gf_http__body_append(&b, "1}", 2, 10);
    ck_assert(!b.too_large);
    ck_assert_uint_eq(b.len, 7);
    ck_assert_str_eq(b.data, "{\"a\":1}");
    gf_http__body_append(&b, "abc", 3, 10); /* exactly the cap */
    ck_assert(!b.too_large);
    ck_assert_uint_eq(b.len, 10);
    /* Past it: what was held goes, and so does everything after. */
    gf_http__body_append(&b, "x", 1, 10);
    ck_assert(b.too_large);
    ck_assert(b.data == NULL);
    ck_assert_uint_eq(b.len, 0);
    gf_http__body_append(&b, "y", 1, 10);
    ck_assert(b.data == NULL);
    gf_http__body_free(&b);
}
END_TEST

START_TEST(a_body_grows_past_its_first_buffer)
{
    gf_http_body b = {0};
    char chunk[1000];
    memset(chunk, 'z', sizeof chunk);
    for (int i = 0; i < 100; i++)
        gf_http__body_append(&b, chunk, sizeof chunk, 1 << 20);
    ck_assert(!b.too_large);
    ck_assert_uint_eq(b.len, 100000);
    ck_assert_uint_ge(b.cap, 100001);
    ck_assert_int_eq(b.data[99999], 'z');
    ck_assert_int_eq(b.data[100000], '\0');
    gf_http__body_free(&b);
    ck_assert(b.data == NULL);
}
END_TEST

static size_t bound(const char *s, size_t cap)
{
    return gf_http__json_values_bound(s, strlen(s), cap);
}

START_TEST(the_values_bound_counts_outside_strings)
{
    ck_assert_uint_eq(bound("1", 100), 1);
    ck_assert_uint_eq(bound("[{},{},{}]", 100), 7);           /* [ + 3 { + 2 , + 1 */
    ck_assert_uint_eq(bound("\"a,b,[c]\"", 100), 1);          /* inside a string */
    ck_assert_uint_eq(bound("[\"a\\\",\", 2]", 100), 3);      /* an escaped quote stays inside */
    ck_assert_uint_eq(bound("[1,2,3,4,5,6,7,8,9,10]", 3), 4); /* stops past the cap */
}
END_TEST

static Suite *body_suite(void)
{
    Suite *s = suite_create("body");
    TCase *tc = tcase_create("body");
    tcase_add_test(tc, a_body_keeps_its_bytes_up_to_the_cap);
    tcase_add_test(tc, a_body_grows_past_its_first_buffer);
    tcase_add_test(tc, the_values_bound_counts_outside_strings);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_main(body_suite());
}

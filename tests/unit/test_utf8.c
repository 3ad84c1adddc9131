/* test_utf8.c — what counts as well-formed UTF-8 (no overlong forms, surrogates, code points past
 * U+10FFFF, truncated sequences or NUL), where the first bad byte is, and the escaped form logs
 * use. */
#include <string.h>

#include "gapforge/utf8.h"
#include "unit.h"

static bool valid(const char *s, size_t *bad)
{
    return gf_utf8_valid(s, strlen(s), bad);
}

START_TEST(ascii_and_well_formed_sequences_are_valid)
{
    ck_assert(valid("plain ascii", NULL));
    ck_assert(valid("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", NULL));
    ck_assert(valid("\xF4\x8F\xBF\xBF", NULL)); /* U+10FFFF */
    ck_assert(valid("", NULL));
}
END_TEST

START_TEST(malformed_sequences_name_their_first_bad_byte)
{
    size_t bad = 99;
    ck_assert(!valid("ab\xFF", &bad));
    ck_assert_uint_eq(bad, 2);
    ck_assert(!valid("x\xC0\xAF", &bad)); /* overlong '/' */
    ck_assert_uint_eq(bad, 1);
    ck_assert(!valid("\xED\xA0\x80", &bad)); /* a surrogate */
    ck_assert_uint_eq(bad, 0);
    ck_assert(!valid("\xF4\x90\x80\x80", &bad)); /* past U+10FFFF */
    ck_assert(!valid("\xE2\x82", &bad));         /* cut short */
    ck_assert(!valid("\x80", &bad));             /* a lone continuation byte */
}
END_TEST

START_TEST(nul_byte_is_not_valid)
{
    size_t bad = 99;
    ck_assert(!gf_utf8_valid("ab\0cd", 5, &bad));
    ck_assert_uint_eq(bad, 2);
}
END_TEST

START_TEST(escape_keeps_valid_text_and_writes_bad_bytes_as_percent_hex)
{
    char out[64];
    ck_assert_str_eq(gf_utf8_escape("/v1/deals/\xFF", 11, out, sizeof out), "/v1/deals/%FF");
    ck_assert_str_eq(gf_utf8_escape("caf\xC3\xA9", 5, out, sizeof out), "caf\xC3\xA9");
    ck_assert_str_eq(gf_utf8_escape("a\0b", 3, out, sizeof out), "a%00b");
    ck_assert(valid(gf_utf8_escape("\xC3(\xE2\x82", 4, out, sizeof out), NULL));
}
END_TEST

START_TEST(escape_stops_short_of_the_buffer_end_on_a_whole_character)
{
    char out[6];
    gf_utf8_escape("ab\xFF\xFF", 4, out, sizeof out);
    ck_assert_str_eq(out, "ab%FF");
    gf_utf8_escape("abcd\xC3\xA9", 6, out, sizeof out);
    ck_assert_str_eq(out, "abcd");
}
END_TEST

static Suite *utf8_suite(void)
{
    Suite *s = suite_create("utf8");
    TCase *tc = tcase_create("utf8");
    tcase_add_test(tc, ascii_and_well_formed_sequences_are_valid);
    tcase_add_test(tc, malformed_sequences_name_their_first_bad_byte);
    tcase_add_test(tc, nul_byte_is_not_valid);
    tcase_add_test(tc, escape_keeps_valid_text_and_writes_bad_bytes_as_percent_hex);
    tcase_add_test(tc, escape_stops_short_of_the_buffer_end_on_a_whole_character);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_main(utf8_suite());
}

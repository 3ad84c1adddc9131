/* test_norm.c — the import's normalisation in C: dates as gf_norm_date reads them (timestamps,
 * leap years, impossible days, the year floor), categories and sources from CRM spellings, keys
 * as gf_key_of makes them, and text that is not ASCII left to SQL.
 * (tests/integration/test_imports.c compares the same functions with their SQL originals.) */
#include <string.h>

#include "gapforge/norm.h"
#include "unit.h"

/* gf_norm_date of s: "" when it is not a date. */
static const char *date_of(const char *s)
{
    static char out[11];
    return gf_norm_date(s, strlen(s), out) ? out : "";
}

START_TEST(dates_and_timestamps_give_their_day)
{
    ck_assert_str_eq(date_of("2024-03-31"), "2024-03-31");
    ck_assert_str_eq(date_of("2026-01-15T10:00:00.000+0000"), "2026-01-15");
    ck_assert_str_eq(date_of("2026-01-15 10:00"), "2026-01-15");
    ck_assert_str_eq(date_of("2026-01-15T"), "2026-01-15");
    ck_assert_str_eq(date_of("1900-01-01"), "1900-01-01");
    ck_assert_str_eq(date_of("9999-12-31"), "9999-12-31");
    ck_assert_str_eq(date_of("2024-02-29"), "2024-02-29"); /* leap */
    ck_assert_str_eq(date_of("2000-02-29"), "2000-02-29"); /* leap, by 400 */
}
END_TEST

START_TEST(anything_else_is_not_a_date)
{
    static const char *const bad[] = {"",
                                      "2024-1-01",
                                      "24-01-01",
                                      "2024/01/01",
                                      "2024-01-01x",
                                      "2024-01-01Z",
                                      "2024-00-10",
                                      "2024-13-01",
                                      "2024-01-00",
                                      "2024-01-32",
                                      "2023-02-29",
                                      "1900-02-29",
                                      "2100-02-29",
                                      "2024-04-31",
                                      "1899-12-31",
                                      "0999-01-01",
                                      "2024-01-1",
                                      "x024-01-01",
                                      "2024-01-01\t10:00",
                                      "tomorrow"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(date_of(bad[i])[0] == '\0', "%s read as %s", bad[i], date_of(bad[i]));
}
END_TEST

static const char *category_of(const char *s, gf_norm_answer want)
{
    const char *out = "-";
    gf_norm_answer a = gf_norm_category(s, strlen(s), &out);
    ck_assert_msg(a == want, "%s: answer %d, want %d", s, a, want);
    return a == GF_NORM_VALUE ? out : "-";
}

START_TEST(categories_from_ours_and_crm_spellings)
{
    ck_assert_str_eq(category_of("pipeline", GF_NORM_VALUE), "pipeline");
    ck_assert_str_eq(category_of("Best Case", GF_NORM_VALUE), "best_case");
    ck_assert_str_eq(category_of("BESTCASE", GF_NORM_VALUE), "best_case");
    ck_assert_str_eq(category_of("best_case", GF_NORM_VALUE), "best_case");
    ck_assert_str_eq(category_of("Closed", GF_NORM_VALUE), "commit");
    ck_assert_str_eq(category_of("Commit", GF_NORM_VALUE), "commit");
    ck_assert_str_eq(category_of("Omitted", GF_NORM_VALUE), "omitted");
    category_of("Best  Case", GF_NORM_NONE); /* two spaces: best__case */
    category_of("upside", GF_NORM_NONE);
    category_of("a category longer than any spelling", GF_NORM_NONE);
    category_of("Pip\xc3\xa9line", GF_NORM_UNDECIDED);
}
END_TEST

static const char *source_of(const char *s)
{
    const char *out = "-";
    gf_norm_answer a = gf_norm_source(s, strlen(s), &out);
    return a == GF_NORM_VALUE ? out : a == GF_NORM_UNDECIDED ? "undecided" : "none";
}

START_TEST(sources_from_lead_sources)
{
    ck_assert_str_eq(source_of("Marketing"), "marketing");
    ck_assert_str_eq(source_of("OTHER"), "other");
    ck_assert_str_eq(source_of("Partner Referral"), "partner"); /* partner before referral */
    ck_assert_str_eq(source_of("Reseller"), "partner");
    ck_assert_str_eq(source_of("Web"), "marketing");
    ck_assert_str_eq(source_of("Trade Show"), "marketing");
    ck_assert_str_eq(source_of("Purchased List"), "marketing");
    ck_assert_str_eq(source_of("Employee Referral"), "sales");
    ck_assert_str_eq(source_of("Cold Call"), "sales");
    ck_assert_str_eq(source_of("SDR"), "sales");
    ck_assert_str_eq(source_of("Walk-in"), "other");
    ck_assert_str_eq(source_of("\xc3\x89v\xc3\xa9nement Web"), "undecided");
}
END_TEST

static const char *key_of(const char *s)
{
    static char out[65];
    gf_norm_answer a = gf_norm_key(s, strlen(s), out, sizeof out);
    return a == GF_NORM_VALUE ? out : "undecided";
}

START_TEST(keys_as_gf_key_of_makes_them)
{
    ck_assert_str_eq(key_of("Ada Lovelace"), "ada_lovelace");
    ck_assert_str_eq(key_of("ada@corp.example"), "ada_corp.example");
    ck_assert_str_eq(key_of("Negotiation/Review"), "negotiation_review");
    ck_assert_str_eq(key_of("__a__"), "a");       /* underscores at the ends go */
    ck_assert_str_eq(key_of("a _b"), "a__b");     /* a run becomes one, a kept _ stays */
    ck_assert_str_eq(key_of("a !_! b"), "a___b"); /* two runs around a kept _ */
    ck_assert_str_eq(key_of("!! x:y.z-1 !!"), "x:y.z-1");
    ck_assert_str_eq(key_of("!!!"), "");
    /* The first 64 characters after the ends are trimmed; an underscore inside stays there. */
    ck_assert_str_eq(key_of("__aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa b"),
                     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa_");
    ck_assert_str_eq(key_of("N\xc3\xa9gociation"), "undecided");
    char lower[8];
    ck_assert_int_eq(gf_norm_lower("Won", 3, lower, sizeof lower), GF_NORM_VALUE);
    ck_assert_str_eq(lower, "won");
    ck_assert_int_eq(gf_norm_lower("Closed Won", 10, lower, sizeof lower), GF_NORM_UNDECIDED);
    ck_assert_int_eq(gf_norm_lower("\xc3\x89", 2, lower, sizeof lower), GF_NORM_UNDECIDED);
}
END_TEST

static Suite *norm_suite(void)
{
    Suite *s = suite_create("norm");
    TCase *tc = tcase_create("norm");
    tcase_add_test(tc, dates_and_timestamps_give_their_day);
    tcase_add_test(tc, anything_else_is_not_a_date);
    tcase_add_test(tc, categories_from_ours_and_crm_spellings);
    tcase_add_test(tc, sources_from_lead_sources);
    tcase_add_test(tc, keys_as_gf_key_of_makes_them);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_main(norm_suite());
}

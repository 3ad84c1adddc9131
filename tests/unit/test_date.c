/* test_date.c — day numbers, the strict date parser and formatter, and timestamp checking. */
#include <stdint.h>
#include <string.h>

#include "gapforge/date.h"
#include "unit.h"

START_TEST(epoch_is_day_zero)
{
    ck_assert_int_eq(gf_date_from_ymd(1970, 1, 1), 0);
    ck_assert_int_eq(gf_date_from_ymd(1969, 12, 31), -1);
    ck_assert_int_eq(gf_date_from_ymd(2000, 3, 1), 11017);
    ck_assert_int_eq(gf_date_from_ymd(1900, 1, 1), -25567);
}
END_TEST

/* Every day from 1900-01-01 to 2100-12-31 splits back into the date it was built from, and
 * consecutive calendar days are consecutive day numbers. */
START_TEST(ymd_round_trips_every_day_1900_to_2100)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int expect = gf_date_from_ymd(1900, 1, 1);
    int days = 0;
    for (int y = 1900; y <= 2100; y++) {
        int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        for (int m = 1; m <= 12; m++) {
            int n = mdays[m - 1] + (m == 2 && leap);
            for (int d = 1; d <= n; d++, expect++, days++) {
                int day = gf_date_from_ymd(y, m, d);
                ck_assert_int_eq(day, expect);
                int yy, mm, dd;
                gf_date_to_ymd(day, &yy, &mm, &dd);
                ck_assert_int_eq(yy, y);
                ck_assert_int_eq(mm, m);
                ck_assert_int_eq(dd, d);
            }
        }
    }
    ck_assert_int_eq(days, 73414); /* 201 years, 48 of them leap (1900 and 2100 are not) */
}
END_TEST

/* Dates far from today, and before year 1 (astronomical years: 0 is 1 BC, a leap year), land on
 * the day numbers of the proleptic Gregorian calendar (checked against Python's datetime). */
START_TEST(ymd_is_proleptic_gregorian_far_from_today)
{
    ck_assert_int_eq(gf_date_from_ymd(1, 1, 1), -719162);
    ck_assert_int_eq(gf_date_from_ymd(1, 3, 1), -719103);
    ck_assert_int_eq(gf_date_from_ymd(1600, 3, 1), -135080);
    ck_assert_int_eq(gf_date_from_ymd(9999, 12, 31), 2932896);
    ck_assert_int_eq(gf_date_from_ymd(0, 3, 1), -719468);
    ck_assert_int_eq(gf_date_from_ymd(0, 2, 29), -719469);
    ck_assert_int_eq(gf_date_from_ymd(-1, 12, 31), -719529);
    int y, m, d;
    gf_date_to_ymd(-719469, &y, &m, &d);
    ck_assert(y == 0 && m == 2 && d == 29);
    gf_date_to_ymd(-719529, &y, &m, &d);
    ck_assert(y == -1 && m == 12 && d == 31);
}
END_TEST

/* The conversions are exact over the whole range of day numbers (the model's gf_day is an
 * int32_t, GF_MODEL_NO_DAY its minimum): the extremes split into their dates and back, and a
 * stride through the range round-trips with consecutive days one calendar day apart. */
START_TEST(ymd_round_trips_the_whole_int_range)
{
    int y, m, d;
    gf_date_to_ymd(INT32_MAX, &y, &m, &d);
    ck_assert(y == 5881580 && m == 7 && d == 11);
    ck_assert_int_eq(gf_date_from_ymd(y, m, d), INT32_MAX);
    gf_date_to_ymd(INT32_MIN, &y, &m, &d);
    ck_assert(y == -5877641 && m == 6 && d == 23);
    ck_assert_int_eq(gf_date_from_ymd(y, m, d), INT32_MIN);
    for (int64_t day = INT32_MIN; day <= INT32_MAX - 1; day += 999983) {
        gf_date_to_ymd((int)day, &y, &m, &d);
        ck_assert(m >= 1 && m <= 12 && d >= 1 && d <= 31);
        ck_assert_int_eq(gf_date_from_ymd(y, m, d), (int)day);
        int y2, m2, d2;
        gf_date_to_ymd((int)day + 1, &y2, &m2, &d2);
        const int next =
            d2 == d + 1 ? m2 == m && y2 == y
                        : d2 == 1 && (m2 == m + 1 ? y2 == y : m2 == 1 && m == 12 && y2 == y + 1);
        ck_assert_msg(next, "day %lld: %d-%d-%d then %d-%d-%d", (long long)day, y, m, d, y2, m2,
                      d2);
    }
}
END_TEST

START_TEST(parse_and_format_round_trip)
{
    const char *dates[] = {"1900-01-01", "1999-12-31", "2000-02-29",
                           "2024-02-29", "2026-10-01", "9999-12-31"};
    for (size_t i = 0; i < sizeof dates / sizeof dates[0]; i++) {
        int day = 0;
        ck_assert_int_eq(gf_date_parse(dates[i], &day), 0);
        char out[11];
        gf_date_format(day, out);
        ck_assert_str_eq(out, dates[i]);
    }
}
END_TEST

START_TEST(parse_gives_the_day_number)
{
    int day = 0;
    ck_assert_int_eq(gf_date_parse("1970-01-02", &day), 0);
    ck_assert_int_eq(day, 1);
    ck_assert_int_eq(gf_date_parse("2026-02-28", &day), 0);
    ck_assert_int_eq(day, gf_date_from_ymd(2026, 2, 28));
}
END_TEST

START_TEST(parse_refuses_days_that_do_not_exist)
{
    int day = 12345;
    ck_assert_int_eq(gf_date_parse("2026-02-29", &day), -1);
    ck_assert_int_eq(gf_date_parse("1900-02-29", &day), -1);
    ck_assert_int_eq(gf_date_parse("2100-02-29", &day), -1);
    ck_assert_int_eq(gf_date_parse("2026-06-31", &day), -1);
    ck_assert_int_eq(gf_date_parse("2026-01-32", &day), -1);
    ck_assert_int_eq(gf_date_parse("2026-01-00", &day), -1);
    ck_assert_int_eq(gf_date_parse("2026-00-01", &day), -1);
    ck_assert_int_eq(gf_date_parse("2026-13-01", &day), -1);
    ck_assert_int_eq(day, 12345); /* untouched on failure */
}
END_TEST

START_TEST(parse_refuses_years_before_1900)
{
    int day;
    ck_assert_int_eq(gf_date_parse("1899-12-31", &day), -1);
    ck_assert_int_eq(gf_date_parse("0000-01-01", &day), -1);
}
END_TEST

START_TEST(parse_refuses_anything_but_exactly_yyyy_mm_dd)
{
    int day;
    const char *bad[] = {"",           "2026-1-01",   "2026-01-1",   "26-01-01",
                         "2026/01/01", "2026-01-01 ", " 2026-01-01", "2026-01-01T00:00:00Z",
                         "+026-01-01", "2026-0a-01",  "20260101",    "2026-01-011"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(gf_date_parse(bad[i], &day) == -1, "accepted \"%s\"", bad[i]);
    ck_assert_int_eq(gf_date_parse(NULL, &day), -1);
}
END_TEST

START_TEST(format_pads_with_zeros)
{
    char out[11];
    gf_date_format(gf_date_from_ymd(2026, 3, 5), out);
    ck_assert_str_eq(out, "2026-03-05");
}
END_TEST

START_TEST(timestamp_accepts_a_plain_date)
{
    ck_assert(gf_timestamp_valid("2026-03-01"));
    ck_assert(!gf_timestamp_valid("2026-02-29"));
}
END_TEST

START_TEST(timestamp_accepts_rfc3339_with_z_or_offset)
{
    const char *good[] = {"2026-03-01T12:30:00Z",      "2026-03-01t12:30:00z",
                          "2026-03-01 12:30:00Z",      "2026-03-01T12:30Z",
                          "2026-03-01T00:00:00+00:00", "2026-03-01T23:59:59-08:00",
                          "2026-03-01T12:30:00+05:30", "2026-03-01T12:30:00+14:00",
                          "2026-03-01T12:30:00.5Z",    "2026-03-01T12:30:00.123456789-03:00",
                          "2016-12-31T23:59:60Z"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        ck_assert_msg(gf_timestamp_valid(good[i]), "refused \"%s\"", good[i]);
}
END_TEST

START_TEST(timestamp_refuses_missing_zone_and_bad_fields)
{
    const char *bad[] = {"2026-03-01T12:30:00",
                         "2026-03-01T",
                         "2026-03-01T12Z",
                         "2026-03-01T24:00:00Z",
                         "2026-03-01T12:60:00Z",
                         "2026-03-01T12:30:61Z",
                         "2026-03-01T12:30:00+15:00",
                         "2026-03-01T12:30:00+05:60",
                         "2026-03-01T12:30:00+0530",
                         "2026-03-01T12:30:00+05",
                         "2026-03-01T12:30:00.Z",
                         "2026-03-01T12:30:00.1234567890Z",
                         "2026-03-01T12:30:00ZZ",
                         "2026-03-01X12:30:00Z",
                         "2026-02-30T12:30:00Z",
                         "",
                         "now"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(!gf_timestamp_valid(bad[i]), "accepted \"%s\"", bad[i]);
    ck_assert(!gf_timestamp_valid(NULL));
}
END_TEST

static Suite *date_suite(void)
{
    Suite *s = suite_create("date");
    TCase *days = tcase_create("day_numbers");
    tcase_add_test(days, epoch_is_day_zero);
    tcase_add_test(days, ymd_round_trips_every_day_1900_to_2100);
    tcase_add_test(days, ymd_is_proleptic_gregorian_far_from_today);
    tcase_add_test(days, ymd_round_trips_the_whole_int_range);
    suite_add_tcase(s, days);

    TCase *text = tcase_create("text");
    tcase_add_test(text, parse_and_format_round_trip);
    tcase_add_test(text, parse_gives_the_day_number);
    tcase_add_test(text, parse_refuses_days_that_do_not_exist);
    tcase_add_test(text, parse_refuses_years_before_1900);
    tcase_add_test(text, parse_refuses_anything_but_exactly_yyyy_mm_dd);
    tcase_add_test(text, format_pads_with_zeros);
    tcase_add_test(text, timestamp_accepts_a_plain_date);
    tcase_add_test(text, timestamp_accepts_rfc3339_with_z_or_offset);
    tcase_add_test(text, timestamp_refuses_missing_zone_and_bad_fields);
    suite_add_tcase(s, text);
    return s;
}

int main(void)
{
    return unit_main(date_suite());
}

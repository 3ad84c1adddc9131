/* test_period.c — fiscal quarters and period specs: every start month, year boundaries, leap
 * years and the specs that must be refused. */
#include <check.h>
#include <stdlib.h>

#include "gapforge/date.h"
#include "gapforge/period.h"

static int day(int y, int m, int d)
{
    return gf_date_from_ymd(y, m, d);
}

static void expect_range(const gf_period *p, int sy, int sm, int sd, int ey, int em, int ed)
{
    char s[11], e[11], ws[11], we[11];
    gf_date_format(p->start, s);
    gf_date_format(p->end, e);
    gf_date_format(day(sy, sm, sd), ws);
    gf_date_format(day(ey, em, ed), we);
    ck_assert_str_eq(s, ws);
    ck_assert_str_eq(e, we);
}

START_TEST(january_start_quarters_are_calendar_quarters)
{
    gf_period p;
    ck_assert_int_eq(gf_period_by_name("2026-Q4", 1, &p), 0);
    expect_range(&p, 2026, 10, 1, 2026, 12, 31);
    ck_assert_str_eq(p.name, "2026-Q4");
    ck_assert_int_eq(gf_period_by_name("2026-Q1", 1, &p), 0);
    expect_range(&p, 2026, 1, 1, 2026, 3, 31);
}
END_TEST

START_TEST(april_start_names_year_by_its_first_day)
{
    gf_period p;
    ck_assert_int_eq(gf_period_by_name("2026-Q1", 4, &p), 0);
    expect_range(&p, 2026, 4, 1, 2026, 6, 30);
    ck_assert_int_eq(gf_period_by_name("2026-Q4", 4, &p), 0);
    expect_range(&p, 2027, 1, 1, 2027, 3, 31);
    ck_assert_int_eq(gf_period_quarter_of(day(2027, 2, 14), 4, &p), 0);
    ck_assert_str_eq(p.name, "2026-Q4");
    ck_assert_int_eq(gf_period_quarter_of(day(2026, 3, 31), 4, &p), 0);
    ck_assert_str_eq(p.name, "2025-Q4");
    ck_assert_int_eq(gf_period_quarter_of(day(2026, 4, 1), 4, &p), 0);
    ck_assert_str_eq(p.name, "2026-Q1");
}
END_TEST

START_TEST(february_start_wraps_leap_day_into_q4)
{
    gf_period p;
    /* Fiscal 2023 with a February start: Q4 is 2023-11-01..2024-01-31. */
    ck_assert_int_eq(gf_period_by_name("2023-Q4", 2, &p), 0);
    expect_range(&p, 2023, 11, 1, 2024, 1, 31);
    /* Fiscal 2024 Q1 holds the leap day: 2024-02-01..2024-04-30 is 90 days. */
    ck_assert_int_eq(gf_period_by_name("2024-Q1", 2, &p), 0);
    expect_range(&p, 2024, 2, 1, 2024, 4, 30);
    ck_assert_int_eq(p.end - p.start + 1, 90);
    ck_assert_int_eq(gf_period_by_name("2025-Q1", 2, &p), 0);
    ck_assert_int_eq(p.end - p.start + 1, 89);
    ck_assert_int_eq(gf_period_quarter_of(day(2024, 2, 29), 2, &p), 0);
    ck_assert_str_eq(p.name, "2024-Q1");
}
END_TEST

START_TEST(december_start_crosses_the_calendar_year)
{
    gf_period p;
    ck_assert_int_eq(gf_period_by_name("2025-Q1", 12, &p), 0);
    expect_range(&p, 2025, 12, 1, 2026, 2, 28);
    ck_assert_int_eq(gf_period_by_name("2025-Q4", 12, &p), 0);
    expect_range(&p, 2026, 9, 1, 2026, 11, 30);
    ck_assert_int_eq(gf_period_quarter_of(day(2026, 11, 30), 12, &p), 0);
    ck_assert_str_eq(p.name, "2025-Q4");
    ck_assert_int_eq(gf_period_quarter_of(day(2026, 12, 1), 12, &p), 0);
    ck_assert_str_eq(p.name, "2026-Q1");
}
END_TEST

/* For every start month and every day of 2019..2031: the quarter containing the day holds it,
 * starts on the first of a month three months before the next quarter's start, its name
 * parses back to the same days, and Q1 starts on the first of the start month. */
START_TEST(every_start_month_tiles_the_calendar)
{
    for (int fysm = 1; fysm <= 12; fysm++) {
        gf_period prev = {0};
        for (int d = day(2019, 1, 1); d <= day(2031, 12, 31); d++) {
            gf_period p, back, next;
            ck_assert_int_eq(gf_period_quarter_of(d, fysm, &p), 0);
            ck_assert_int_le(p.start, d);
            ck_assert_int_ge(p.end, d);
            ck_assert_int_eq(gf_period_by_name(p.name, fysm, &back), 0);
            ck_assert_int_eq(back.start, p.start);
            ck_assert_int_eq(back.end, p.end);
            int y, m, md;
            gf_date_to_ymd(p.start, &y, &m, &md);
            ck_assert_int_eq(md, 1);
            ck_assert_int_eq((m - fysm + 12) % 3, 0);
            if (p.quarter == 1) {
                ck_assert_int_eq(m, fysm);
                ck_assert_int_eq(y, p.fy);
            }
            ck_assert_int_ge(p.end - p.start + 1, 89);
            ck_assert_int_le(p.end - p.start + 1, 92);
            ck_assert_int_eq(gf_period_quarter_add(&p, 1, fysm, &next), 0);
            ck_assert_int_eq(next.start, p.end + 1);
            if (prev.quarter && prev.start != p.start)
                ck_assert_int_eq(prev.end + 1, p.start);
            prev = p;
        }
    }
}
END_TEST

START_TEST(quarter_add_moves_across_fiscal_years)
{
    gf_period q, r;
    ck_assert_int_eq(gf_period_by_name("2026-Q4", 1, &q), 0);
    ck_assert_int_eq(gf_period_quarter_add(&q, 1, 1, &r), 0);
    ck_assert_str_eq(r.name, "2027-Q1");
    ck_assert_int_eq(gf_period_quarter_add(&q, -4, 1, &r), 0);
    ck_assert_str_eq(r.name, "2025-Q4");
    ck_assert_int_eq(gf_period_quarter_add(&q, -7, 1, &r), 0);
    ck_assert_str_eq(r.name, "2025-Q1");
    ck_assert_int_eq(gf_period_quarter_add(&q, 0, 1, &r), 0);
    ck_assert_str_eq(r.name, "2026-Q4");
    gf_period range;
    ck_assert_int_eq(gf_period_parse("2026-01-01..2026-01-31", 1, &range), 0);
    ck_assert_int_eq(gf_period_quarter_add(&range, 1, 1, &r), -1);
}
END_TEST

START_TEST(range_spec_is_inclusive_and_canonical)
{
    gf_period p;
    ck_assert_int_eq(gf_period_parse("2024-02-01..2024-02-29", 1, &p), 0);
    expect_range(&p, 2024, 2, 1, 2024, 2, 29);
    ck_assert_str_eq(p.name, "2024-02-01..2024-02-29");
    ck_assert_int_eq(p.quarter, 0);
    ck_assert_int_eq(gf_period_parse("2026-05-05..2026-05-05", 1, &p), 0);
    ck_assert_int_eq(p.end, p.start);
    ck_assert_int_eq(gf_period_parse("2026-Q3", 7, &p), 0);
    expect_range(&p, 2027, 1, 1, 2027, 3, 31);
    ck_assert_str_eq(p.name, "2026-Q3");
}
END_TEST

START_TEST(range_of_three_years_is_the_limit)
{
    gf_period p;
    /* 2024-01-01..2026-12-31 is 1096 days (2024 is a leap year): accepted. */
    ck_assert_int_eq(gf_period_parse("2024-01-01..2026-12-31", 1, &p), 0);
    ck_assert_int_eq(p.end - p.start + 1, GF_PERIOD_MAX_DAYS);
    ck_assert_int_eq(gf_period_parse("2024-01-01..2027-01-01", 1, &p), -1);
    ck_assert_int_eq(gf_period_parse("2021-01-01..2023-12-31", 1, &p), 0);
}
END_TEST

START_TEST(bad_specs_are_refused)
{
    static const char *const bad[] = {
        "",
        "2026",
        "2026-Q0",
        "2026-Q5",
        "2026-q4",
        "26-Q4",
        "2026Q4",
        "2026-Q4 ",
        " 2026-Q4",
        "2026-Q44",
        "abcd-Q1",
        "1899-Q4",
        "2026-02-30..2026-03-01",
        "2026-03-01..2026-02-01",
        "2026-01-01...2026-02-01",
        "2026-01-01..",
        "..2026-01-01",
        "2026-01-01",
        "2026-1-1..2026-2-1",
        "2026-01-01..2026-02-01x",
        "2026-01-01--2026-02-01",
        "2025-02-29..2025-03-01",
        "2026-01-01..2029-12-31",
        "2026-13-01..2026-13-02",
        "Q4-2026",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        gf_period p = {.start = 42};
        ck_assert_msg(gf_period_parse(bad[i], 1, &p) == -1, "accepted \"%s\"", bad[i]);
        ck_assert_int_eq(p.start, 42);
    }
    gf_period p;
    ck_assert_int_eq(gf_period_parse(NULL, 1, &p), -1);
}
END_TEST

START_TEST(bad_start_month_is_refused)
{
    gf_period p;
    ck_assert_int_eq(gf_period_by_name("2026-Q1", 0, &p), -1);
    ck_assert_int_eq(gf_period_by_name("2026-Q1", 13, &p), -1);
    ck_assert_int_eq(gf_period_quarter_of(day(2026, 1, 1), 0, &p), -1);
    ck_assert_int_eq(gf_period_quarter(2026, 5, 1, &p), -1);
}
END_TEST

START_TEST(century_leap_rules_hold)
{
    gf_period p;
    /* 2000 is a leap year, 2100 is not: Q1 of a January start is 91 and 90 days. */
    ck_assert_int_eq(gf_period_by_name("2000-Q1", 1, &p), 0);
    ck_assert_int_eq(p.end - p.start + 1, 91);
    ck_assert_int_eq(gf_period_by_name("2100-Q1", 1, &p), 0);
    ck_assert_int_eq(p.end - p.start + 1, 90);
    ck_assert_int_eq(gf_period_parse("2100-02-28..2100-02-29", 1, &p), -1);
    ck_assert_int_eq(gf_period_parse("2000-02-28..2000-02-29", 1, &p), 0);
}
END_TEST

static Suite *period_suite(void)
{
    Suite *s = suite_create("period");
    TCase *tc = tcase_create("quarters_and_specs");
    /* Twelve calendars of 13 years, day by day: a second alone, far more under the sanitizers on
     * a loaded machine (Check's default of 4 s timed it out). */
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, january_start_quarters_are_calendar_quarters);
    tcase_add_test(tc, april_start_names_year_by_its_first_day);
    tcase_add_test(tc, february_start_wraps_leap_day_into_q4);
    tcase_add_test(tc, december_start_crosses_the_calendar_year);
    tcase_add_test(tc, every_start_month_tiles_the_calendar);
    tcase_add_test(tc, quarter_add_moves_across_fiscal_years);
    tcase_add_test(tc, range_spec_is_inclusive_and_canonical);
    tcase_add_test(tc, range_of_three_years_is_the_limit);
    tcase_add_test(tc, bad_specs_are_refused);
    tcase_add_test(tc, bad_start_month_is_refused);
    tcase_add_test(tc, century_leap_rules_hold);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(period_suite());
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

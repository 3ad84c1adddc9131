/* Specification of the shared model types (gapforge/model.h): dates and point-in-time state. */
#include <check.h>

#include "fixture.h"

START_TEST(day_numbers_round_trip_and_match_known_dates)
{
    ck_assert_int_eq(gf_date_from_ymd(1970, 1, 1), 0);
    ck_assert_int_eq(gf_date_from_ymd(2000, 3, 1), 11017);
    ck_assert_int_eq(gf_date_from_ymd(2026, 11, 25), 20782);
    for (gf_day d = -800; d < 30000; d += 7) {
        int y, m, dd;
        gf_date_to_ymd(d, &y, &m, &dd);
        ck_assert_int_eq(gf_date_from_ymd(y, m, dd), d);
    }
}
END_TEST

START_TEST(state_at_a_day_reads_only_earlier_data)
{
    fx *f = fx_new(4);
    const size_t i = fx_deal(f, 1000, 100, FX_QUALIFY);
    fx_move(f, i, 110, FX_PROPOSE);
    fx_move(f, i, 120, FX_WON);
    fx_close_date(f, i, 100, 130);
    fx_close_date(f, i, 105, 140);
    const gf_model_history h = fx_history(f);
    ck_assert_int_eq(gf_model_history_validate(&h, NULL), 0);
    gf_model_deal_state st;
    gf_model_deal_state_at(&h, i, 100, &st);
    ck_assert_int_eq(st.exists, 0);
    gf_model_deal_state_at(&h, i, 110, &st);
    ck_assert_int_eq(st.stage, FX_QUALIFY);
    ck_assert_int_eq(st.entered_day, 100);
    ck_assert_int_eq(st.close_date, 140);
    ck_assert_int_eq(st.pushes, 1);
    gf_model_deal_state_at(&h, i, 120, &st);
    ck_assert_int_eq(st.stage, FX_PROPOSE);
    ck_assert_int_eq(st.kind, GF_MODEL_STAGE_OPEN);
    gf_model_deal_state_at(&h, i, 121, &st);
    ck_assert_int_eq(st.kind, GF_MODEL_STAGE_WON);
    ck_assert_int_eq(st.closed_day, 120);
    fx_free(f);
}
END_TEST

START_TEST(malformed_history_is_rejected_with_the_deal_named)
{
    fx *f = fx_new(4);
    fx_deal(f, 1000, 100, FX_QUALIFY);
    const size_t bad = fx_deal(f, 1000, 100, FX_QUALIFY);
    fx_move(f, bad, 90, FX_PROPOSE); /* out of order */
    gf_model_history h = fx_history(f);
    size_t which = 0;
    ck_assert_int_eq(gf_model_history_validate(&h, &which), GF_MODEL_EINVAL);
    ck_assert_uint_eq(which, bad);
    f->tr[bad][1] = (gf_model_transition){110, 9}; /* no such stage */
    ck_assert_int_eq(gf_model_history_validate(&h, &which), GF_MODEL_EINVAL);
    f->tr[bad][1] = (gf_model_transition){110, FX_PROPOSE};
    ck_assert_int_eq(gf_model_history_validate(&h, &which), 0);
    fx_free(f);
}
END_TEST

START_TEST(calendar_finds_the_quarter_of_a_day)
{
    gf_model_period q[8];
    const gf_model_calendar cal = fx_quarters(2025, 2, q);
    ck_assert_int_eq(gf_model_calendar_find(&cal, gf_date_from_ymd(2025, 1, 1)), 0);
    ck_assert_int_eq(gf_model_calendar_find(&cal, gf_date_from_ymd(2025, 6, 30)), 1);
    ck_assert_int_eq(gf_model_calendar_find(&cal, gf_date_from_ymd(2026, 12, 31)), 7);
    ck_assert_int_eq(gf_model_calendar_find(&cal, gf_date_from_ymd(2027, 1, 1)), -1);
}
END_TEST

START_TEST(every_error_code_has_a_description)
{
    ck_assert_str_eq(gf_model_strerror(GF_MODEL_OK), "ok");
    ck_assert_str_eq(gf_model_strerror(GF_MODEL_EINVAL), "invalid argument or malformed history");
    ck_assert_str_eq(gf_model_strerror(GF_MODEL_ENOMEM), "out of memory");
    ck_assert_str_eq(gf_model_strerror(-99), "unknown model error");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("model_history");
    TCase *tc = tcase_create("history");
    tcase_add_test(tc, day_numbers_round_trip_and_match_known_dates);
    tcase_add_test(tc, state_at_a_day_reads_only_earlier_data);
    tcase_add_test(tc, malformed_history_is_rejected_with_the_deal_named);
    tcase_add_test(tc, calendar_finds_the_quarter_of_a_day);
    tcase_add_test(tc, every_error_code_has_a_description);
    suite_add_tcase(s, tc);
    return fx_run(s);
}

/* test_validate.c — what gf_validate accepts, what it refuses (and how it says so), and the
 * normalised text it hands to SQL. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "gapforge/validate.h"
#include "unit.h"

static const char *const categories[] = {"pipeline", "best_case", "commit", "omitted", NULL};

/* The result of validating {"<f.name>": <json>} against the single field f. */
typedef struct one {
    int rc;
    char text[128]; /* the normalised value, "(null)" for JSON null */
    gf_err err;
} one;

static one check1(gf_field f, const char *json)
{
    one r;
    memset(&r, 0, sizeof r);
    char doc[2048];
    snprintf(doc, sizeof doc, "{\"%s\": %s}", f.name, json);
    json_error_t jerr;
    json_t *obj = json_loads(doc, 0, &jerr);
    ck_assert_msg(obj != NULL, "test JSON does not parse: %s", doc);
    gf_values v;
    r.rc = gf_validate(obj, &f, 1, GF_V_CREATE, &v, &r.err);
    if (r.rc == 0) {
        ck_assert(v.present[0]);
        snprintf(r.text, sizeof r.text, "%s", v.text[0] ? v.text[0] : "(null)");
        gf_values_clear(&v);
    }
    json_decref(obj);
    return r;
}

/* Asserts that json is accepted for field f and normalised to want. */
#define ACCEPTS(f, json, want)                                                \
    do {                                                                      \
        one r_ = check1((f), (json));                                         \
        ck_assert_msg(r_.rc == 0, "%s rejected: %s", (json), r_.err.message); \
        ck_assert_str_eq(r_.text, (want));                                    \
    } while (0)

/* Asserts that json is refused for field f with 422 invalid_argument naming the field. */
#define REJECTS(f, json)                                                  \
    do {                                                                  \
        one r_ = check1((f), (json));                                     \
        ck_assert_msg(r_.rc == -1, "%s accepted as %s", (json), r_.text); \
        ck_assert_int_eq(r_.err.code, GF_EINVALID);                       \
        ck_assert_str_eq(gf_err_reason(&r_.err), "invalid_argument");     \
        ck_assert_str_eq(r_.err.field, (f).name);                         \
    } while (0)

static const gf_field f_text = {"name", GF_F_TEXT, 0, NULL, 0, 0, 10};
static const gf_field f_text_default = {"notes", GF_F_TEXT, 0, NULL, 0, 0, 0};
static const gf_field f_key = {"key", GF_F_KEY, 0, NULL, 0, 0, 0};
static const gf_field f_slug = {"slug", GF_F_SLUG, 0, NULL, 0, 0, 0};
static const gf_field f_email = {"email", GF_F_EMAIL, 0, NULL, 0, 0, 0};
static const gf_field f_date = {"close_date", GF_F_DATE, 0, NULL, 0, 0, 0};
static const gf_field f_ts = {"effective_at", GF_F_TIMESTAMP, 0, NULL, 0, 0, 0};
static const gf_field f_money = {"amount", GF_F_MONEY, 0, NULL, 0, 0, 0};
static const gf_field f_number = {"weight", GF_F_NUMBER, 0, NULL, -2.5, 10, 0};
static const gf_field f_int = {"ramp_months", GF_F_INT, 0, NULL, 0, 60, 0};
static const gf_field f_bool = {"active", GF_F_BOOL, 0, NULL, 0, 0, 0};
static const gf_field f_enum = {"category", GF_F_ENUM, 0, categories, 0, 0, 0};
static const gf_field f_prob = {"probability", GF_F_PROB, 0, NULL, 0, 0, 0};
static const gf_field f_currency = {"currency", GF_F_CURRENCY, 0, NULL, 0, 0, 0};

START_TEST(text_accepts_one_to_max_len_characters)
{
    ACCEPTS(f_text, "\"A\"", "A");
    ACCEPTS(f_text, "\"0123456789\"", "0123456789");
    REJECTS(f_text, "\"\"");
    REJECTS(f_text, "\"01234567890\"");
    REJECTS(f_text, "12");
}
END_TEST

/* max_len is a number of characters, as in the database's length() checks, not of bytes. */
START_TEST(text_length_counts_characters_not_bytes)
{
    ACCEPTS(f_text, "\"\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\"",
            "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9");
    REJECTS(f_text, "\"\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\"");
}
END_TEST

START_TEST(text_default_limit_is_500)
{
    char ok[600], bad[600];
    memset(ok, 'x', 502);
    ok[0] = ok[501] = '"';
    ok[502] = '\0';
    memset(bad, 'x', 503);
    bad[0] = bad[502] = '"';
    bad[503] = '\0';
    one r = check1(f_text_default, ok);
    ck_assert_int_eq(r.rc, 0);
    REJECTS(f_text_default, bad);
}
END_TEST

START_TEST(strings_with_nul_characters_are_refused)
{
    json_t *obj = json_pack("{s:s%}", "name", "a\0b", (size_t)3);
    gf_values v;
    gf_err err = {0};
    ck_assert_int_eq(gf_validate(obj, &f_text, 1, GF_V_CREATE, &v, &err), -1);
    ck_assert_int_eq(err.code, GF_EINVALID);
    ck_assert_str_eq(err.field, "name");
    json_decref(obj);
}
END_TEST

START_TEST(key_accepts_letters_digits_and_punctuation_up_to_64)
{
    ACCEPTS(f_key, "\"rep-1\"", "rep-1");
    ACCEPTS(f_key, "\"EMEA.north:team_2\"", "EMEA.north:team_2");
    char k64[80], k65[80];
    snprintf(k64, sizeof k64, "\"%064d\"", 0);
    snprintf(k65, sizeof k65, "\"%065d\"", 0);
    one r = check1(f_key, k64);
    ck_assert_int_eq(r.rc, 0);
    REJECTS(f_key, k65);
    REJECTS(f_key, "\"\"");
    REJECTS(f_key, "\"has space\"");
    REJECTS(f_key, "\"a/b\"");
    REJECTS(f_key, "\"caf\u00e9\"");
    REJECTS(f_key, "7");
}
END_TEST

START_TEST(slug_is_lowercase_digits_and_dashes_not_leading_dash)
{
    ACCEPTS(f_slug, "\"acme\"", "acme");
    ACCEPTS(f_slug, "\"0-acme-2\"", "0-acme-2");
    char s63[80], s64[80];
    snprintf(s63, sizeof s63, "\"a%062d\"", 0);
    snprintf(s64, sizeof s64, "\"a%063d\"", 0);
    one r = check1(f_slug, s63);
    ck_assert_int_eq(r.rc, 0);
    REJECTS(f_slug, s64);
    REJECTS(f_slug, "\"-acme\"");
    REJECTS(f_slug, "\"Acme\"");
    REJECTS(f_slug, "\"a_b\"");
    REJECTS(f_slug, "\"\"");
}
END_TEST

START_TEST(email_needs_one_at_with_text_on_both_sides_and_no_spaces)
{
    ACCEPTS(f_email, "\"ana@example.com\"", "ana@example.com");
    ACCEPTS(f_email, "\"a@b\"", "a@b");
    REJECTS(f_email, "\"ana.example.com\"");
    REJECTS(f_email, "\"@example.com\"");
    REJECTS(f_email, "\"ana@\"");
    REJECTS(f_email, "\"ana@b@c\"");
    REJECTS(f_email, "\"ana maria@example.com\"");
    REJECTS(f_email, "\"ana@example.com\\n\"");
}
END_TEST

START_TEST(date_accepts_real_calendar_days_only)
{
    ACCEPTS(f_date, "\"2024-02-29\"", "2024-02-29");
    ACCEPTS(f_date, "\"2000-02-29\"", "2000-02-29");
    ACCEPTS(f_date, "\"2026-12-31\"", "2026-12-31");
    REJECTS(f_date, "\"2026-02-29\"");
    REJECTS(f_date, "\"1900-02-29\"");
    REJECTS(f_date, "\"2026-04-31\"");
    REJECTS(f_date, "\"2026-13-01\"");
    REJECTS(f_date, "\"2026-00-10\"");
    REJECTS(f_date, "\"2026-1-01\"");
    REJECTS(f_date, "\"2026-01-01T00:00:00Z\"");
    REJECTS(f_date, "\"20260101\"");
    REJECTS(f_date, "20260101");
}
END_TEST

START_TEST(timestamp_accepts_dates_and_rfc3339_with_zone)
{
    ACCEPTS(f_ts, "\"2026-03-01\"", "2026-03-01");
    ACCEPTS(f_ts, "\"2026-03-01T12:30:00Z\"", "2026-03-01T12:30:00Z");
    ACCEPTS(f_ts, "\"2026-03-01T12:30:00.123456+05:30\"", "2026-03-01T12:30:00.123456+05:30");
    ACCEPTS(f_ts, "\"2026-03-01 23:59:59-08:00\"", "2026-03-01 23:59:59-08:00");
    ACCEPTS(f_ts, "\"2026-03-01T12:30Z\"", "2026-03-01T12:30Z");
    REJECTS(f_ts, "\"2026-03-01T12:30:00\"");
    REJECTS(f_ts, "\"2026-03-01T24:00:00Z\"");
    REJECTS(f_ts, "\"2026-03-01T12:60:00Z\"");
    REJECTS(f_ts, "\"2026-03-01T12:30:00+15:00\"");
    REJECTS(f_ts, "\"2026-03-01T12:30:00+0530\"");
    REJECTS(f_ts, "\"2026-02-29T12:30:00Z\"");
    REJECTS(f_ts, "\"2026-03-01T12:30:00.Z\"");
    REJECTS(f_ts, "\"2026-03-01T12:30:00Z junk\"");
}
END_TEST

START_TEST(money_is_normalised_to_two_decimals)
{
    ACCEPTS(f_money, "12.5", "12.50");
    ACCEPTS(f_money, "12", "12.00");
    ACCEPTS(f_money, "0", "0.00");
    ACCEPTS(f_money, "0.29", "0.29");
    ACCEPTS(f_money, "1234567.89", "1234567.89");
    ACCEPTS(f_money, "9999999999999.99", "9999999999999.99");
}
END_TEST

START_TEST(money_with_three_decimals_is_refused)
{
    REJECTS(f_money, "12.345");
    REJECTS(f_money, "0.001");
}
END_TEST

/* Regression: the tolerance used to grow with the amount, so from 5,000 up a third decimal was
 * silently rounded away instead of refused. */
START_TEST(money_with_three_decimals_is_refused_for_large_amounts)
{
    REJECTS(f_money, "5000.001");
    REJECTS(f_money, "12345.678");
    REJECTS(f_money, "1234567.891");
}
END_TEST

START_TEST(money_must_be_a_non_negative_number_below_1e16)
{
    REJECTS(f_money, "-0.01");
    REJECTS(f_money, "-5");
    REJECTS(f_money, "1e16");
    REJECTS(f_money, "1e300");
    REJECTS(f_money, "\"12.50\"");
    REJECTS(f_money, "true");
}
END_TEST

/* Regression: -0.0 used to come out as "-0.00". */
START_TEST(negative_zero_money_is_plain_zero)
{
    ACCEPTS(f_money, "-0.0", "0.00");
}
END_TEST

START_TEST(int_must_be_an_integer_in_range)
{
    ACCEPTS(f_int, "0", "0");
    ACCEPTS(f_int, "60", "60");
    REJECTS(f_int, "-1");
    REJECTS(f_int, "61");
    REJECTS(f_int, "1.5");
    REJECTS(f_int, "3.0");
    REJECTS(f_int, "\"3\"");
}
END_TEST

START_TEST(number_must_be_within_its_bounds)
{
    ACCEPTS(f_number, "-2.5", "-2.5");
    ACCEPTS(f_number, "10", "10");
    ACCEPTS(f_number, "0.1", "0.1");
    ACCEPTS(f_number, "1e-7", "1e-07");
    REJECTS(f_number, "10.000001");
    REJECTS(f_number, "-3");
    REJECTS(f_number, "1e308");
    REJECTS(f_number, "\"1\"");
}
END_TEST

START_TEST(bool_is_true_or_false_only)
{
    ACCEPTS(f_bool, "true", "true");
    ACCEPTS(f_bool, "false", "false");
    REJECTS(f_bool, "1");
    REJECTS(f_bool, "\"true\"");
}
END_TEST

START_TEST(enum_accepts_listed_values)
{
    ACCEPTS(f_enum, "\"best_case\"", "best_case");
    REJECTS(f_enum, "\"Best_Case\"");
    REJECTS(f_enum, "\"\"");
    REJECTS(f_enum, "1");
}
END_TEST

START_TEST(enum_error_lists_the_values)
{
    one r = check1(f_enum, "\"maybe\"");
    ck_assert_int_eq(r.rc, -1);
    ck_assert_str_eq(r.err.field, "category");
    ck_assert_str_eq(r.err.message,
                     "category must be one of: pipeline, best_case, commit, omitted");
}
END_TEST

START_TEST(probability_is_between_zero_and_one)
{
    ACCEPTS(f_prob, "0", "0");
    ACCEPTS(f_prob, "1", "1");
    ACCEPTS(f_prob, "0.35", "0.35");
    REJECTS(f_prob, "1.01");
    REJECTS(f_prob, "-0.1");
    REJECTS(f_prob, "\"0.5\"");
}
END_TEST

START_TEST(currency_is_three_capital_letters)
{
    ACCEPTS(f_currency, "\"EUR\"", "EUR");
    REJECTS(f_currency, "\"eur\"");
    REJECTS(f_currency, "\"EU\"");
    REJECTS(f_currency, "\"EURO\"");
    REJECTS(f_currency, "\"E1R\"");
}
END_TEST

/* A table like a rep's, for the whole-object behaviours. */
enum { R_KEY, R_NAME, R_EMAIL, R_TEAM, R_RAMP, R_ACTIVE, R_COUNT };
static const gf_field rep_fields[] = {
    [R_KEY] = {"key", GF_F_KEY, GF_REQUIRED, NULL, 0, 0, 0},
    [R_NAME] = {"name", GF_F_TEXT, GF_REQUIRED, NULL, 0, 0, 200},
    [R_EMAIL] = {"email", GF_F_EMAIL, GF_NULLABLE, NULL, 0, 0, 0},
    [R_TEAM] = {"team", GF_F_KEY, GF_NULLABLE, NULL, 0, 0, 0},
    [R_RAMP] = {"ramp_months", GF_F_INT, 0, NULL, 0, 60, 0},
    [R_ACTIVE] = {"active", GF_F_BOOL, 0, NULL, 0, 0, 0},
};

static int run(const char *json, gf_vmode mode, gf_values *v, gf_err *err)
{
    json_t *obj = json_loads(json, JSON_DECODE_ANY, NULL);
    ck_assert_ptr_nonnull(obj);
    int rc = gf_validate(obj, rep_fields, R_COUNT, mode, v, err);
    json_decref(obj);
    return rc;
}

START_TEST(create_with_required_fields_fills_present_values)
{
    gf_values v;
    gf_err err = {0};
    ck_assert_int_eq(
        run("{\"key\": \"ana\", \"name\": \"Ana\", \"active\": true}", GF_V_CREATE, &v, &err), 0);
    ck_assert_uint_eq(gf_values_count(&v), 3);
    ck_assert_str_eq(gf_val(&v, R_KEY), "ana");
    ck_assert_str_eq(gf_val(&v, R_ACTIVE), "true");
    ck_assert(!v.present[R_EMAIL]);
    ck_assert_ptr_null(gf_val(&v, R_EMAIL));
    gf_values_clear(&v);
}
END_TEST

START_TEST(create_without_a_required_field_is_422_naming_it)
{
    gf_values v;
    gf_err err = {0};
    ck_assert_int_eq(run("{\"key\": \"ana\"}", GF_V_CREATE, &v, &err), -1);
    ck_assert_int_eq(err.code, GF_EINVALID);
    ck_assert_str_eq(gf_err_reason(&err), "invalid_argument");
    ck_assert_str_eq(err.field, "name");
    ck_assert_str_eq(err.message, "name is required");
}
END_TEST

START_TEST(patch_makes_every_field_optional)
{
    gf_values v;
    gf_err err = {0};
    ck_assert_int_eq(run("{\"ramp_months\": 3}", GF_V_PATCH, &v, &err), 0);
    ck_assert_uint_eq(gf_values_count(&v), 1);
    ck_assert_str_eq(gf_val(&v, R_RAMP), "3");
    gf_values_clear(&v);
    ck_assert_int_eq(run("{}", GF_V_PATCH, &v, &err), 0);
    ck_assert_uint_eq(gf_values_count(&v), 0);
    gf_values_clear(&v);
}
END_TEST

START_TEST(patch_still_checks_the_values_given)
{
    gf_values v;
    gf_err err = {0};
    ck_assert_int_eq(run("{\"ramp_months\": 61}", GF_V_PATCH, &v, &err), -1);
    ck_assert_int_eq(err.code, GF_EINVALID);
    ck_assert_str_eq(err.field, "ramp_months");
}
END_TEST

START_TEST(unknown_field_is_422_naming_it)
{
    gf_values v;
    gf_err err = {0};
    ck_assert_int_eq(
        run("{\"key\": \"ana\", \"name\": \"Ana\", \"nickname\": \"A\"}", GF_V_CREATE, &v, &err),
        -1);
    ck_assert_int_eq(err.code, GF_EINVALID);
    ck_assert_str_eq(gf_err_reason(&err), "invalid_argument");
    ck_assert_str_eq(err.field, "nickname");
}
END_TEST

/* Found by tests/fuzz/fuzz_validate (corpus crash-empty-member-name.bin): a member named "" was
 * refused as "unknown field " naming no field at all. */
START_TEST(empty_member_name_is_422_saying_so)
{
    gf_values v;
    gf_err err = {0};
    ck_assert_int_eq(run("{\"key\": \"ana\", \"name\": \"Ana\", \"\": 1}", GF_V_CREATE, &v, &err),
                     -1);
    ck_assert_int_eq(err.code, GF_EINVALID);
    ck_assert_str_eq(err.field, "");
    ck_assert_str_eq(err.message, "a member with an empty name is not a field");
}
END_TEST

START_TEST(null_is_accepted_only_for_nullable_fields)
{
    gf_values v;
    gf_err err = {0};
    ck_assert_int_eq(run("{\"email\": null, \"team\": null}", GF_V_PATCH, &v, &err), 0);
    ck_assert(v.present[R_EMAIL]);
    ck_assert_ptr_null(v.text[R_EMAIL]);
    ck_assert(v.present[R_TEAM]);
    ck_assert_uint_eq(gf_values_count(&v), 2);
    gf_values_clear(&v);

    ck_assert_int_eq(run("{\"name\": null}", GF_V_PATCH, &v, &err), -1);
    ck_assert_int_eq(err.code, GF_EINVALID);
    ck_assert_str_eq(err.field, "name");
    ck_assert_str_eq(err.message, "name must not be null");
}
END_TEST

START_TEST(null_does_not_satisfy_required_when_not_nullable)
{
    gf_values v;
    gf_err err = {0};
    ck_assert_int_eq(run("{\"key\": null, \"name\": \"Ana\"}", GF_V_CREATE, &v, &err), -1);
    ck_assert_str_eq(err.field, "key");
}
END_TEST

START_TEST(non_object_body_is_400_invalid_body)
{
    const char *bodies[] = {"[]", "\"x\"", "3", "null", "true"};
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        gf_values v;
        gf_err err = {0};
        ck_assert_int_eq(run(bodies[i], GF_V_CREATE, &v, &err), GF_EMALFORMED);
        ck_assert_int_eq(err.code, GF_EMALFORMED);
        ck_assert_str_eq(gf_err_reason(&err), "invalid_body");
        ck_assert_str_eq(err.field, "");
    }
    gf_values v;
    gf_err err = {0};
    ck_assert_int_eq(gf_validate(NULL, rep_fields, R_COUNT, GF_V_PATCH, &v, &err), GF_EMALFORMED);
    ck_assert_int_eq(err.code, GF_EMALFORMED);
}
END_TEST

START_TEST(failure_leaves_no_values_behind)
{
    gf_values v;
    gf_err err = {0};
    ck_assert_int_eq(
        run("{\"key\": \"ana\", \"name\": \"Ana\", \"ramp_months\": -1}", GF_V_CREATE, &v, &err),
        -1);
    for (size_t i = 0; i < R_COUNT; i++) {
        ck_assert(!v.present[i]);
        ck_assert_ptr_null(v.text[i]);
    }
}
END_TEST

START_TEST(query_text_is_checked_with_the_same_rules)
{
    gf_err err = {0};
    ck_assert_int_eq(gf_validate_text("close_from", GF_F_DATE, "2024-02-29", &err), 0);
    ck_assert_int_eq(gf_validate_text("close_from", GF_F_DATE, "2026-02-29", &err), -1);
    ck_assert_int_eq(err.code, GF_EINVALID);
    ck_assert_str_eq(err.field, "close_from");
    ck_assert_int_eq(
        gf_validate_text("updated_since", GF_F_TIMESTAMP, "2026-01-01T00:00:00Z", &err), 0);
    ck_assert_int_eq(gf_validate_text("owner", GF_F_KEY, "no spaces please", &err), -1);
    ck_assert_str_eq(err.field, "owner");
}
END_TEST

/* A table longer than gf_values can hold is a programming error, refused rather than
 * overflowing. */
START_TEST(too_many_fields_is_an_internal_error)
{
    gf_field many[GF_MAX_FIELDS + 1];
    char names[GF_MAX_FIELDS + 1][8];
    for (size_t i = 0; i <= GF_MAX_FIELDS; i++) {
        snprintf(names[i], sizeof names[i], "f%zu", i);
        many[i] = (gf_field){names[i], GF_F_BOOL, 0, NULL, 0, 0, 0};
    }
    json_t *obj = json_pack("{s:b}", "f24", 1);
    gf_values v;
    gf_err err = {0};
    ck_assert_int_eq(gf_validate(obj, many, GF_MAX_FIELDS + 1, GF_V_PATCH, &v, &err), GF_EINTERNAL);
    ck_assert_int_eq(err.code, GF_EINTERNAL);
    json_decref(obj);
}
END_TEST

static Suite *validate_suite(void)
{
    Suite *s = suite_create("validate");
    TCase *types = tcase_create("field_types");
    tcase_add_test(types, text_accepts_one_to_max_len_characters);
    tcase_add_test(types, text_length_counts_characters_not_bytes);
    tcase_add_test(types, text_default_limit_is_500);
    tcase_add_test(types, strings_with_nul_characters_are_refused);
    tcase_add_test(types, key_accepts_letters_digits_and_punctuation_up_to_64);
    tcase_add_test(types, slug_is_lowercase_digits_and_dashes_not_leading_dash);
    tcase_add_test(types, email_needs_one_at_with_text_on_both_sides_and_no_spaces);
    tcase_add_test(types, date_accepts_real_calendar_days_only);
    tcase_add_test(types, timestamp_accepts_dates_and_rfc3339_with_zone);
    tcase_add_test(types, money_is_normalised_to_two_decimals);
    tcase_add_test(types, money_with_three_decimals_is_refused);
    tcase_add_test(types, money_with_three_decimals_is_refused_for_large_amounts);
    tcase_add_test(types, money_must_be_a_non_negative_number_below_1e16);
    tcase_add_test(types, negative_zero_money_is_plain_zero);
    tcase_add_test(types, int_must_be_an_integer_in_range);
    tcase_add_test(types, number_must_be_within_its_bounds);
    tcase_add_test(types, bool_is_true_or_false_only);
    tcase_add_test(types, enum_accepts_listed_values);
    tcase_add_test(types, enum_error_lists_the_values);
    tcase_add_test(types, probability_is_between_zero_and_one);
    tcase_add_test(types, currency_is_three_capital_letters);
    suite_add_tcase(s, types);

    TCase *objects = tcase_create("objects");
    tcase_add_test(objects, create_with_required_fields_fills_present_values);
    tcase_add_test(objects, create_without_a_required_field_is_422_naming_it);
    tcase_add_test(objects, patch_makes_every_field_optional);
    tcase_add_test(objects, patch_still_checks_the_values_given);
    tcase_add_test(objects, unknown_field_is_422_naming_it);
    tcase_add_test(objects, empty_member_name_is_422_saying_so);
    tcase_add_test(objects, null_is_accepted_only_for_nullable_fields);
    tcase_add_test(objects, null_does_not_satisfy_required_when_not_nullable);
    tcase_add_test(objects, non_object_body_is_400_invalid_body);
    tcase_add_test(objects, failure_leaves_no_values_behind);
    tcase_add_test(objects, query_text_is_checked_with_the_same_rules);
    tcase_add_test(objects, too_many_fields_is_an_internal_error);
    suite_add_tcase(s, objects);
    return s;
}

int main(void)
{
    return unit_main(validate_suite());
}

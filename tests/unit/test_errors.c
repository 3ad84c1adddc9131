/* test_errors.c — the error body clients see, SQLSTATE to HTTP mapping, the store's statement
 * parameters and exact money text, and configuration parsing from the environment. */
#include <stdlib.h>
#include <string.h>

#include "db.h" /* the store's private header: tests may look inside */
#include "gapforge/config.h"
#include "gapforge/http.h"
#include "gapforge/log.h"
#include "gapforge/utf8.h"
#include "unit.h"

START_TEST(error_body_has_code_message_and_field)
{
    gf_err err = {0};
    gf_err_invalid(&err, "amount", "amount must be between 0 and 10^16");
    json_t *body = gf_http_error_body(&err);
    json_t *e = json_object_get(body, "error");
    ck_assert(json_is_object(e));
    ck_assert_uint_eq(json_object_size(body), 1);
    ck_assert_uint_eq(json_object_size(e), 3);
    ck_assert_str_eq(json_string_value(json_object_get(e, "code")), "invalid_argument");
    ck_assert_str_eq(json_string_value(json_object_get(e, "message")),
                     "amount must be between 0 and 10^16");
    ck_assert_str_eq(json_string_value(json_object_get(e, "field")), "amount");
    json_decref(body);
}
END_TEST

START_TEST(error_body_omits_field_when_none_is_to_blame)
{
    gf_err err = {0};
    gf_err_not_found(&err, "deal");
    ck_assert_int_eq(err.code, GF_ENOTFOUND);
    json_t *body = gf_http_error_body(&err);
    json_t *e = json_object_get(body, "error");
    ck_assert_str_eq(json_string_value(json_object_get(e, "code")), "not_found");
    ck_assert_str_eq(json_string_value(json_object_get(e, "message")), "deal not found");
    ck_assert_ptr_null(json_object_get(e, "field"));
    json_decref(body);
}
END_TEST

START_TEST(unset_error_renders_as_internal)
{
    gf_err err = {0};
    json_t *body = gf_http_error_body(&err);
    json_t *e = json_object_get(body, "error");
    ck_assert_str_eq(json_string_value(json_object_get(e, "code")), "internal");
    ck_assert_str_eq(json_string_value(json_object_get(e, "message")), "internal error");
    json_decref(body);
}
END_TEST

START_TEST(error_response_uses_the_status_or_500)
{
    gf_err err = {0};
    gf_resp resp = {0};
    gf_err_set(&err, GF_ECONFLICT, NULL, NULL, "taken");
    gf_resp_error(&resp, &err);
    ck_assert_int_eq(resp.status, 409);
    ck_assert_ptr_nonnull(resp.body);
    gf_err_set(&err, GF_OK, "odd", NULL, "not an error code");
    gf_resp_error(&resp, &err);
    ck_assert_int_eq(resp.status, 500);
    json_decref(resp.body);
}
END_TEST

START_TEST(long_messages_are_truncated_not_overflowed)
{
    gf_err err = {0};
    char big[1024];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    ck_assert_int_eq(gf_err_set(&err, GF_EINVALID, NULL, big, "%s", big), GF_EINVALID);
    ck_assert_uint_eq(strlen(err.message), sizeof err.message - 1);
    ck_assert_uint_eq(strlen(err.field), sizeof err.field - 1);
}
END_TEST

/* Found by tests/fuzz (fuzz_validate, fuzz_import): a message quoting a client's bytes that are
 * not UTF-8 (jansson's "invalid escape near '"\\u<half a character>'"), or a long one cut inside
 * a character, could not be written as JSON, and the client got an empty error. */
START_TEST(messages_and_fields_are_always_utf8_and_render)
{
    gf_err err = {0};
    gf_err_invalid(&err, "na\xffme", "invalid escape near '\"\\u\xc3'");
    ck_assert_str_eq(err.message, "invalid escape near '\"\\u%C3'");
    ck_assert_str_eq(err.field, "na%FFme");
    char big[600] = "";
    for (int i = 0; i < 200; i++)
        strcat(big, "\xc3\xa9"); /* é: two bytes, so 255 bytes would cut one in half */
    gf_err_invalid(&err, big, "unknown field %s", big);
    ck_assert(gf_utf8_valid(err.message, strlen(err.message), NULL));
    ck_assert(gf_utf8_valid(err.field, strlen(err.field), NULL));
    ck_assert_uint_ge(strlen(err.message), sizeof err.message - 2);
    json_t *body = gf_http_error_body(&err);
    ck_assert_ptr_nonnull(body);
    json_decref(body);
}
END_TEST

/* The status and code a client sees for a SQLSTATE: the store's domain code through the HTTP
 * side's one table. */
static void expect_map(const char *state, int status, const char *code)
{
    gf_err err = {0};
    const char *reason = NULL;
    gf_db_map_sqlstate(state, &err.code, &reason);
    err.reason = reason;
    int s = gf_http_status_of(err.code);
    ck_assert_msg(s == status, "%s -> %d, want %d", state ? state : "NULL", s, status);
    ck_assert_str_eq(gf_err_reason(&err), code);
}

START_TEST(unique_and_foreign_key_violations_are_409_conflict)
{
    expect_map("23505", 409, "conflict");
    expect_map("23503", 409, "conflict");
    expect_map("23P01", 409, "conflict");
}
END_TEST

START_TEST(check_and_data_errors_are_422_invalid_argument)
{
    expect_map("23514", 422, "invalid_argument");
    expect_map("23502", 422, "invalid_argument");
    expect_map("22P02", 422, "invalid_argument");
    expect_map("22003", 422, "invalid_argument");
}
END_TEST

START_TEST(connection_failures_are_503)
{
    expect_map("08006", 503, "database_unavailable");
    expect_map("08001", 503, "database_unavailable");
    expect_map("57P01", 503, "database_unavailable");
    expect_map("53300", 503, "database_unavailable");
}
END_TEST

START_TEST(cancelled_statement_is_503)
{
    expect_map("57014", 503, "query_cancelled");
}
END_TEST

START_TEST(serialization_failure_is_503_retry)
{
    expect_map("40001", 503, "retry");
    expect_map("40P01", 503, "retry");
}
END_TEST

START_TEST(unknown_or_missing_sqlstate_is_500_internal)
{
    expect_map("42P01", 500, "internal");
    expect_map("XX000", 500, "internal");
    expect_map(NULL, 500, "internal");
}
END_TEST

/* The text of parameter k of a, as gf_db_exec_args would send it (NULL: SQL NULL). */
static const char *arg_value(const gf_db_args *a, int k)
{
    return a->own[k] ? a->buf[k] : a->text[k];
}

START_TEST(args_format_integers_dates_booleans_and_borrow_text)
{
    gf_db_args a = {0};
    char text[] = "team:emea";
    gf_db_arg_i64(&a, INT64_MIN);
    gf_db_arg_i64(&a, 42);
    gf_db_arg_text(&a, text);
    gf_db_arg_text(&a, NULL);
    gf_db_arg_null(&a);
    gf_db_arg_bool(&a, true);
    gf_db_arg_bool(&a, false);
    gf_db_arg_date(&a, 20819); /* 2027-01-01 */
    ck_assert_int_eq(a.n, 8);
    ck_assert(!a.failed);
    ck_assert_str_eq(arg_value(&a, 0), "-9223372036854775808");
    ck_assert_str_eq(arg_value(&a, 1), "42");
    ck_assert_ptr_eq(arg_value(&a, 2), text);
    ck_assert_ptr_null(arg_value(&a, 3));
    ck_assert_ptr_null(arg_value(&a, 4));
    ck_assert_str_eq(arg_value(&a, 5), "true");
    ck_assert_str_eq(arg_value(&a, 6), "false");
    ck_assert_str_eq(arg_value(&a, 7), "2027-01-01");
}
END_TEST

START_TEST(args_copy_keeps_its_own_formatted_values)
{
    gf_db_args a = {0};
    gf_db_arg_i64(&a, 7);
    gf_db_args b = a;
    gf_db_arg_i64(&b, 8);
    gf_db_arg_i64(&a, 9);
    ck_assert_int_eq(a.n, 2);
    ck_assert_int_eq(b.n, 2);
    ck_assert_str_eq(arg_value(&b, 0), "7");
    ck_assert_str_eq(arg_value(&b, 1), "8");
    ck_assert_str_eq(arg_value(&a, 1), "9");
}
END_TEST

START_TEST(args_past_capacity_fail_once_and_exec_refuses_before_the_database)
{
    gf_log_set_quiet(1);
    gf_db_args a = {0};
    for (int k = 0; k < GF_DB_MAX_ARGS; k++)
        gf_db_arg_i64(&a, k);
    ck_assert(!a.failed);
    gf_db_arg_text(&a, "one too many");
    gf_db_arg_i64(&a, 17);
    ck_assert(a.failed);
    ck_assert_int_eq(a.n, GF_DB_MAX_ARGS);
    ck_assert_str_eq(arg_value(&a, GF_DB_MAX_ARGS - 1), "15");
    /* No database is configured here: the builder's failure is reported first. */
    static const gf_stmt wide = {"test_wide", "SELECT 1"};
    gf_err err = {0};
    ck_assert_ptr_null(gf_db_exec_args(&wide, &a, &err));
    ck_assert_int_eq(err.code, GF_EINTERNAL);
    gf_err_clear(&err);
    ck_assert_int_eq(gf_db_run(&wide, &a, &err), -1);
    ck_assert_int_eq(err.code, GF_EINTERNAL);
    gf_err_clear(&err);
    ck_assert_ptr_null(gf_db_exec_on(NULL, "SELECT 1", &a, &err));
    ck_assert_int_eq(err.code, GF_EINTERNAL);
}
END_TEST

/* The cents gf_db_parse_cents reads from text, which must be accepted. */
static void expect_cents(const char *text, int64_t want)
{
    int64_t got = 12345;
    ck_assert_msg(gf_db_parse_cents(text, &got) == 0, "refused \"%s\"", text);
    ck_assert_msg(got == want, "\"%s\" -> %lld, want %lld", text, (long long)got, (long long)want);
}

START_TEST(money_text_is_read_into_exact_cents)
{
    expect_cents("123.45", 12345);
    expect_cents("-0.5", -50);
    expect_cents("12", 1200);
    expect_cents("0", 0);
    expect_cents("-0.00", 0);
    expect_cents("+7.", 700);
    expect_cents(".07", 7);
    expect_cents("0.10", 10);
    expect_cents("19.99", 1999); /* 19.99 * 100 is 1998.9999999999998 in binary floating point */
    expect_cents("1000000000000000.01", 100000000000000001);
    expect_cents("92233720368547758.07", INT64_MAX);
    expect_cents("-92233720368547758.08", INT64_MIN);
}
END_TEST

START_TEST(money_text_beyond_two_decimals_rounds_half_away_from_zero)
{
    expect_cents("1.005", 101);
    expect_cents("1.00499999", 100);
    expect_cents("-1.005", -101);
    expect_cents("-0.004", 0);
    expect_cents("0.995", 100);
    expect_cents("2.12500", 213);
}
END_TEST

START_TEST(money_text_that_is_not_a_plain_decimal_is_refused)
{
    const char *bad[] = {"",
                         "-",
                         "+",
                         ".",
                         "-.",
                         "1e3",
                         "NaN",
                         "Infinity",
                         " 1",
                         "1 ",
                         "1.2.3",
                         "1,5",
                         "--1",
                         "0x10",
                         "92233720368547758.08",
                         "-92233720368547758.09",
                         "99999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t c = 777;
        ck_assert_msg(gf_db_parse_cents(bad[i], &c) == -1, "accepted \"%s\"", bad[i]);
        ck_assert_int_eq(c, 777);
    }
    int64_t c = 777;
    ck_assert_int_eq(gf_db_parse_cents(NULL, &c), -1);
}
END_TEST

START_TEST(cents_are_written_as_exact_money_text_and_read_back)
{
    const struct {
        int64_t cents;
        const char *text;
    } cases[] = {{0, "0.00"},
                 {5, "0.05"},
                 {-50, "-0.50"},
                 {123405, "1234.05"},
                 {-1, "-0.01"},
                 {INT64_MAX, "92233720368547758.07"},
                 {INT64_MIN, "-92233720368547758.08"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[GF_DB_CENTS_TEXT];
        gf_db_format_cents(cases[i].cents, text);
        ck_assert_str_eq(text, cases[i].text);
        expect_cents(text, cases[i].cents);
        gf_db_args a = {0};
        gf_db_arg_cents(&a, cases[i].cents);
        ck_assert_str_eq(arg_value(&a, 0), cases[i].text);
    }
}
END_TEST

/* A result built without a database: one row, a numeric column and a NULL. */
START_TEST(cents_of_a_result_column_and_null_is_refused)
{
    PGresult *res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
    PGresAttDesc cols[2] = {{.name = "amount", .format = 0}, {.name = "nothing", .format = 0}};
    ck_assert(PQsetResultAttrs(res, 2, cols));
    ck_assert(PQsetvalue(res, 0, 0, "-1234.56", 8));
    ck_assert(PQsetvalue(res, 0, 1, NULL, -1));
    int64_t c = 0;
    ck_assert_int_eq(gf_db_cents(res, 0, 0, &c), 0);
    ck_assert_int_eq(c, -123456);
    ck_assert_int_eq(gf_db_cents(res, 0, 1, &c), -1);
    ck_assert_int_eq(c, -123456);
    PQclear(res);
}
END_TEST

/* The host and port gf_config_parse_listen gives for text, which must be accepted. */
static void expect_listen(const char *text, const char *host, int port)
{
    char h[64] = "unset";
    int p = -1;
    ck_assert_msg(gf_config_parse_listen(text, h, sizeof h, &p) == 0, "refused \"%s\"", text);
    ck_assert_str_eq(h, host);
    ck_assert_int_eq(p, port);
}

START_TEST(listen_accepts_host_port_bracketed_v6_and_bare_port)
{
    expect_listen("127.0.0.1:8080", "127.0.0.1", 8080);
    expect_listen("[::1]:9", "::1", 9);
    expect_listen(":8080", "", 8080);
    expect_listen("localhost:65535", "localhost", 65535);
    expect_listen("0.0.0.0:0", "0.0.0.0", 0);
}
END_TEST

START_TEST(listen_refuses_malformed_addresses)
{
    const char *bad[] = {"",          "8080",
                         "127.0.0.1", "127.0.0.1:",
                         "host:http", "host:65536",
                         "host:-1",   "host:80x",
                         "[::1]",     "[::1]8080",
                         "[::1:8080", "host: 80",
                         "host:+80",  "host:99999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char h[64];
        int p;
        ck_assert_msg(gf_config_parse_listen(bad[i], h, sizeof h, &p) == -1, "accepted \"%s\"",
                      bad[i]);
    }
}
END_TEST

START_TEST(listen_refuses_a_host_longer_than_the_buffer)
{
    char h[8];
    int p;
    ck_assert_int_eq(gf_config_parse_listen("example.com:80", h, sizeof h, &p), -1);
    ck_assert_int_eq(gf_config_parse_listen("[fe80::1234:5678]:80", h, sizeof h, &p), -1);
}
END_TEST

/* Check runs each test in its own process, so setenv here does not leak into other tests. */
static void clear_env(void)
{
    const char *vars[] = {"DATABASE_URL",
                          "GAPFORGE_LISTEN",
                          "GAPFORGE_THREADS",
                          "GAPFORGE_ADMIN_TOKEN",
                          "GAPFORGE_MAX_BODY",
                          "GAPFORGE_STATEMENT_TIMEOUT_MS",
                          "GAPFORGE_CONNECTION_LIMIT",
                          "GAPFORGE_CONNECTION_TIMEOUT",
                          "GAPFORGE_MIGRATIONS"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
        unsetenv(vars[i]);
}

START_TEST(config_defaults_when_environment_is_empty)
{
    clear_env();
    gf_config cfg;
    gf_err err = {0};
    ck_assert_int_eq(gf_config_from_env(&cfg, &err), 0);
    ck_assert_str_eq(cfg.listen_host, "127.0.0.1");
    ck_assert_int_eq(cfg.listen_port, 8080);
    ck_assert_int_eq(cfg.threads, 4);
    ck_assert_uint_eq(cfg.max_body, 1048576);
    ck_assert_ptr_null(cfg.admin_token);
    ck_assert_str_eq(cfg.database_url, "");
}
END_TEST

START_TEST(config_reads_the_variables)
{
    clear_env();
    setenv("GAPFORGE_LISTEN", "[::1]:9090", 1);
    setenv("GAPFORGE_THREADS", "16", 1);
    setenv("GAPFORGE_ADMIN_TOKEN", "s3cret", 1);
    setenv("GAPFORGE_MAX_BODY", "2048", 1);
    setenv("GAPFORGE_MIGRATIONS", "/tmp/m", 1);
    gf_config cfg;
    gf_err err = {0};
    ck_assert_int_eq(gf_config_from_env(&cfg, &err), 0);
    ck_assert_str_eq(cfg.listen_host, "::1");
    ck_assert_int_eq(cfg.listen_port, 9090);
    ck_assert_int_eq(cfg.threads, 16);
    ck_assert_str_eq(cfg.admin_token, "s3cret");
    ck_assert_uint_eq(cfg.max_body, 2048);
    ck_assert_str_eq(cfg.migrations_dir, "/tmp/m");
}
END_TEST

START_TEST(config_refuses_bad_thread_counts_naming_the_variable)
{
    const char *bad[] = {"abc", "0", "-3", "257", "4x", "1.5", " 4", "+4"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        clear_env();
        setenv("GAPFORGE_THREADS", bad[i], 1);
        gf_config cfg;
        gf_err err = {0};
        ck_assert_msg(gf_config_from_env(&cfg, &err) == -1, "accepted \"%s\"", bad[i]);
        ck_assert_str_eq(gf_err_reason(&err), "bad_config");
        ck_assert_str_eq(err.field, "GAPFORGE_THREADS");
        ck_assert_str_eq(err.message, "GAPFORGE_THREADS must be an integer in [1, 256]");
    }
}
END_TEST

START_TEST(config_refuses_bad_listen_naming_the_variable)
{
    clear_env();
    setenv("GAPFORGE_LISTEN", "8080", 1);
    gf_config cfg;
    gf_err err = {0};
    ck_assert_int_eq(gf_config_from_env(&cfg, &err), -1);
    ck_assert_str_eq(err.field, "GAPFORGE_LISTEN");
}
END_TEST

START_TEST(config_refuses_a_body_limit_below_1024)
{
    clear_env();
    setenv("GAPFORGE_MAX_BODY", "1023", 1);
    gf_config cfg;
    gf_err err = {0};
    ck_assert_int_eq(gf_config_from_env(&cfg, &err), -1);
    ck_assert_str_eq(err.field, "GAPFORGE_MAX_BODY");
}
END_TEST

static Suite *errors_suite(void)
{
    Suite *s = suite_create("errors");
    TCase *body = tcase_create("error_body");
    tcase_add_test(body, error_body_has_code_message_and_field);
    tcase_add_test(body, error_body_omits_field_when_none_is_to_blame);
    tcase_add_test(body, unset_error_renders_as_internal);
    tcase_add_test(body, error_response_uses_the_status_or_500);
    tcase_add_test(body, long_messages_are_truncated_not_overflowed);
    tcase_add_test(body, messages_and_fields_are_always_utf8_and_render);
    suite_add_tcase(s, body);

    TCase *sql = tcase_create("sqlstate");
    tcase_add_test(sql, unique_and_foreign_key_violations_are_409_conflict);
    tcase_add_test(sql, check_and_data_errors_are_422_invalid_argument);
    tcase_add_test(sql, connection_failures_are_503);
    tcase_add_test(sql, cancelled_statement_is_503);
    tcase_add_test(sql, serialization_failure_is_503_retry);
    tcase_add_test(sql, unknown_or_missing_sqlstate_is_500_internal);
    suite_add_tcase(s, sql);

    TCase *args = tcase_create("db_args");
    tcase_add_test(args, args_format_integers_dates_booleans_and_borrow_text);
    tcase_add_test(args, args_copy_keeps_its_own_formatted_values);
    tcase_add_test(args, args_past_capacity_fail_once_and_exec_refuses_before_the_database);
    suite_add_tcase(s, args);

    TCase *money = tcase_create("money");
    tcase_add_test(money, money_text_is_read_into_exact_cents);
    tcase_add_test(money, money_text_beyond_two_decimals_rounds_half_away_from_zero);
    tcase_add_test(money, money_text_that_is_not_a_plain_decimal_is_refused);
    tcase_add_test(money, cents_are_written_as_exact_money_text_and_read_back);
    tcase_add_test(money, cents_of_a_result_column_and_null_is_refused);
    suite_add_tcase(s, money);

    TCase *cfg = tcase_create("config");
    tcase_add_test(cfg, listen_accepts_host_port_bracketed_v6_and_bare_port);
    tcase_add_test(cfg, listen_refuses_malformed_addresses);
    tcase_add_test(cfg, listen_refuses_a_host_longer_than_the_buffer);
    tcase_add_test(cfg, config_defaults_when_environment_is_empty);
    tcase_add_test(cfg, config_reads_the_variables);
    tcase_add_test(cfg, config_refuses_bad_thread_counts_naming_the_variable);
    tcase_add_test(cfg, config_refuses_bad_listen_naming_the_variable);
    tcase_add_test(cfg, config_refuses_a_body_limit_below_1024);
    suite_add_tcase(s, cfg);
    return s;
}

int main(void)
{
    return unit_main(errors_suite());
}

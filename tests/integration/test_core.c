/* test_core.c — the HTTP core, tenancy and keys, over real HTTP against real PostgreSQL. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "harness.h"

START_TEST(healthz_answers_without_auth)
{
    t_resp r = t_get(NULL, "/healthz");
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(t_str(r.body, "status"), "ok");
    ck_assert_str_eq(r.content_type, "application/json");
    t_resp_free(&r);
}
END_TEST

START_TEST(readyz_reports_current_schema)
{
    t_resp r = t_get(NULL, "/readyz");
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(t_str(r.body, "status"), "ready");
    ck_assert_int_ge(t_int(r.body, "schema_version"), 1);
    t_resp_free(&r);
}
END_TEST

START_TEST(org_create_requires_admin_token)
{
    const char *body = "{\"slug\": \"nope\", \"name\": \"Nope\"}";
    t_resp r = t_post(NULL, "/v1/orgs", body);
    t_expect_error(r, 401, "unauthorized", NULL);
    t_resp_free(&r);
    r = t_post("wrong-token", "/v1/orgs", body);
    t_expect_error(r, 403, "forbidden", NULL);
    t_resp_free(&r);
    char key[128];
    t_new_org(key, NULL);
    r = t_post(key, "/v1/orgs", body); /* an org's admin key is not the service token */
    t_expect_error(r, 403, "forbidden", NULL);
    t_resp_free(&r);
}
END_TEST

START_TEST(org_create_returns_org_and_working_admin_key)
{
    char key[128], slug[64];
    t_new_org(key, slug);
    t_resp r = t_get(key, "/v1/org");
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(t_str(r.body, "slug"), slug);
    ck_assert_str_eq(t_str(r.body, "currency"), "USD");
    ck_assert_int_eq(t_int(r.body, "fiscal_year_start_month"), 1);
    ck_assert_str_eq(t_str(r.body, "time_zone"), "UTC");
    t_resp_free(&r);
}
END_TEST

START_TEST(org_slug_taken_is_409)
{
    char key[128], slug[64], body[256];
    t_new_org(key, slug);
    snprintf(body, sizeof body, "{\"slug\": \"%s\", \"name\": \"Again\"}", slug);
    t_resp r = t_post(t_admin_token(), "/v1/orgs", body);
    t_expect_error(r, 409, "conflict", "slug");
    t_resp_free(&r);
}
END_TEST

START_TEST(org_create_validates_fields)
{
    const char *tok = t_admin_token();
    t_resp r = t_post(tok, "/v1/orgs", "{\"slug\": \"Bad Slug\", \"name\": \"x\"}");
    t_expect_error(r, 422, "invalid_argument", "slug");
    t_resp_free(&r);
    r = t_post(tok, "/v1/orgs", "{\"slug\": \"okslug-1\"}");
    t_expect_error(r, 422, "invalid_argument", "name");
    t_resp_free(&r);
    r = t_post(tok, "/v1/orgs",
               "{\"slug\": \"okslug-2\", \"name\": \"x\", \"fiscal_year_start_month\": 13}");
    t_expect_error(r, 422, "invalid_argument", "fiscal_year_start_month");
    t_resp_free(&r);
    r = t_post(tok, "/v1/orgs", "{\"slug\": \"okslug-3\", \"name\": \"x\", \"currency\": \"usd\"}");
    t_expect_error(r, 422, "invalid_argument", "currency");
    t_resp_free(&r);
    r = t_post(tok, "/v1/orgs", "{\"slug\": \"okslug-4\", \"name\": \"x\", \"color\": \"red\"}");
    t_expect_error(r, 422, "invalid_argument", "color");
    t_resp_free(&r);
    r = t_post(tok, "/v1/orgs", "[1, 2]");
    t_expect_error(r, 400, "invalid_body", NULL);
    t_resp_free(&r);
    char *n = t_sql("SELECT count(*) FROM orgs WHERE slug LIKE 'okslug-%'");
    ck_assert_str_eq(n, "0");
    free(n);
}
END_TEST

START_TEST(org_patch_changes_settings_and_checks_time_zone)
{
    char key[128];
    t_new_org(key, NULL);
    t_resp r = t_patch(key, "/v1/org",
                       "{\"currency\": \"EUR\", \"fiscal_year_start_month\": 2, "
                       "\"time_zone\": \"Europe/Berlin\"}");
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(t_str(r.body, "currency"), "EUR");
    ck_assert_int_eq(t_int(r.body, "fiscal_year_start_month"), 2);
    ck_assert_str_eq(t_str(r.body, "time_zone"), "Europe/Berlin");
    t_resp_free(&r);
    r = t_patch(key, "/v1/org", "{\"time_zone\": \"Mars/Olympus\"}");
    t_expect_error(r, 422, "invalid_argument", "time_zone");
    t_resp_free(&r);
    r = t_patch(key, "/v1/org", "{\"slug\": \"renamed\"}");
    t_expect_error(r, 422, "invalid_argument", "slug");
    t_resp_free(&r);
    r = t_get(key, "/v1/org");
    ck_assert_str_eq(t_str(r.body, "time_zone"), "Europe/Berlin");
    t_resp_free(&r);
}
END_TEST

START_TEST(missing_or_bad_key_is_401)
{
    t_resp r = t_get(NULL, "/v1/org");
    t_expect_error(r, 401, "unauthorized", NULL);
    t_resp_free(&r);
    r = t_get("gf_000000000000_0000000000000000000000000000000000000000", "/v1/org");
    t_expect_error(r, 401, "unauthorized", NULL);
    t_resp_free(&r);
    r = t_get("garbage", "/v1/org");
    t_expect_error(r, 401, "unauthorized", NULL);
    t_resp_free(&r);
    char key[128];
    t_new_org(key, NULL);
    key[strlen(key) - 1] = key[strlen(key) - 1] == '0' ? '1' : '0'; /* right prefix, bad secret */
    r = t_get(key, "/v1/org");
    t_expect_error(r, 401, "unauthorized", NULL);
    t_resp_free(&r);
}
END_TEST

START_TEST(key_without_scope_is_403)
{
    char admin[128], reader[128], writer[128];
    t_new_org(admin, NULL);
    t_new_key(admin, "[\"read\"]", reader);
    t_new_key(admin, "[\"write\"]", writer);
    t_resp r = t_get(reader, "/v1/org");
    ck_assert_int_eq(r.status, 200);
    t_resp_free(&r);
    r = t_patch(reader, "/v1/org", "{\"currency\": \"GBP\"}");
    t_expect_error(r, 403, "forbidden", NULL);
    t_resp_free(&r);
    r = t_get(writer, "/v1/api-keys");
    t_expect_error(r, 403, "forbidden", NULL);
    t_resp_free(&r);
    r = t_get(writer, "/v1/org"); /* write implies read */
    ck_assert_int_eq(r.status, 200);
    t_resp_free(&r);
}
END_TEST

START_TEST(keys_list_never_shows_secrets_and_pages)
{
    char admin[128], other[128];
    t_new_org(admin, NULL);
    t_new_key(admin, "[\"read\"]", other);
    t_new_key(admin, "[\"read\", \"write\"]", other);
    t_resp r = t_get(admin, "/v1/api-keys?limit=2");
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(json_array_size(json_object_get(r.body, "items")), 2);
    ck_assert_ptr_null(strstr(r.raw, "secret"));
    ck_assert_ptr_null(strstr(r.raw, "gf_"));
    const char *cursor = t_str(r.body, "next_cursor");
    ck_assert_ptr_nonnull(cursor);
    t_resp r2 = t_get(admin, "/v1/api-keys?limit=2&cursor=%s", cursor);
    ck_assert_int_eq(r2.status, 200);
    ck_assert_int_eq(json_array_size(json_object_get(r2.body, "items")), 1);
    ck_assert(json_is_null(json_object_get(r2.body, "next_cursor")));
    t_resp_free(&r);
    t_resp_free(&r2);
    r = t_get(admin, "/v1/api-keys?limit=501");
    t_expect_error(r, 422, "invalid_argument", "limit");
    t_resp_free(&r);
    r = t_get(admin, "/v1/api-keys?cursor=abc");
    t_expect_error(r, 422, "invalid_argument", "cursor");
    t_resp_free(&r);
}
END_TEST

START_TEST(revoked_key_stops_working)
{
    char admin[128];
    t_new_org(admin, NULL);
    t_resp r = t_post(admin, "/v1/api-keys", "{\"name\": \"temp\", \"scopes\": [\"read\"]}");
    ck_assert_int_eq(r.status, 201);
    char key[128], path[64];
    snprintf(key, sizeof key, "%s", t_str(r.body, "secret"));
    snprintf(path, sizeof path, "/v1/api-keys/%lld", t_int(r.body, "id"));
    t_resp_free(&r);
    r = t_get(key, "/v1/org");
    ck_assert_int_eq(r.status, 200);
    t_resp_free(&r);
    r = t_delete(admin, path);
    ck_assert_int_eq(r.status, 200);
    ck_assert(json_is_string(json_object_get(r.body, "revoked_at")));
    t_resp_free(&r);
    r = t_get(key, "/v1/org");
    t_expect_error(r, 401, "unauthorized", NULL);
    t_resp_free(&r);
}
END_TEST

START_TEST(key_create_validates_scopes)
{
    char admin[128];
    t_new_org(admin, NULL);
    t_resp r = t_post(admin, "/v1/api-keys", "{\"name\": \"k\", \"scopes\": [\"root\"]}");
    t_expect_error(r, 422, "invalid_argument", "scopes");
    t_resp_free(&r);
    r = t_post(admin, "/v1/api-keys", "{\"name\": \"k\", \"scopes\": []}");
    t_expect_error(r, 422, "invalid_argument", "scopes");
    t_resp_free(&r);
    r = t_post(admin, "/v1/api-keys", "{\"name\": \"k\"}");
    t_expect_error(r, 422, "invalid_argument", "scopes");
    t_resp_free(&r);
    r = t_post(admin, "/v1/api-keys", "{\"scopes\": [\"read\"]}");
    t_expect_error(r, 422, "invalid_argument", "name");
    t_resp_free(&r);
}
END_TEST

START_TEST(other_orgs_key_is_404_not_its_data)
{
    char a[128], b[128];
    t_new_org(a, NULL);
    t_new_org(b, NULL);
    t_resp r = t_post(a, "/v1/api-keys", "{\"name\": \"mine\", \"scopes\": [\"read\"]}");
    char path[64];
    snprintf(path, sizeof path, "/v1/api-keys/%lld", t_int(r.body, "id"));
    t_resp_free(&r);
    r = t_delete(b, path);
    t_expect_error(r, 404, "not_found", NULL);
    t_resp_free(&r);
    r = t_get(b, "/v1/api-keys");
    ck_assert_int_eq(json_array_size(json_object_get(r.body, "items")), 1); /* only its own */
    t_resp_free(&r);
}
END_TEST

START_TEST(malformed_json_names_line_and_column)
{
    char admin[128];
    t_new_org(admin, NULL);
    t_resp r = t_post(admin, "/v1/api-keys", "{\n  \"name\": \"x\",\n  \"scopes\": [\"read\"\n}");
    t_expect_error(r, 400, "invalid_json", NULL);
    const char *msg = json_string_value(json_object_get(json_object_get(r.body, "error"), "message"));
    ck_assert_ptr_nonnull(strstr(msg, "line 4"));
    ck_assert_ptr_nonnull(strstr(msg, "column"));
    t_resp_free(&r);
    r = t_request("POST", "/v1/api-keys", admin, "", "application/json", NULL);
    t_expect_error(r, 400, "invalid_json", NULL);
    t_resp_free(&r);
}
END_TEST

START_TEST(oversized_body_is_413)
{
    char admin[128];
    t_new_org(admin, NULL);
    size_t n = 200000; /* the harness runs the server with GAPFORGE_MAX_BODY=65536 */
    char *body = malloc(n + 64);
    strcpy(body, "{\"name\": \"");
    memset(body + 10, 'x', n);
    strcpy(body + 10 + n, "\", \"scopes\": [\"read\"]}");
    t_resp r = t_post(admin, "/v1/api-keys", body);
    t_expect_error(r, 413, "payload_too_large", NULL);
    t_resp_free(&r);
    free(body);
    r = t_get(admin, "/v1/api-keys");
    ck_assert_int_eq(json_array_size(json_object_get(r.body, "items")), 1);
    t_resp_free(&r);
}
END_TEST

START_TEST(non_json_content_type_is_415)
{
    char admin[128];
    t_new_org(admin, NULL);
    t_resp r = t_request("POST", "/v1/api-keys", admin, "name=x", "application/x-www-form-urlencoded",
                         NULL);
    t_expect_error(r, 415, "unsupported_media_type", NULL);
    t_resp_free(&r);
    r = t_request("POST", "/v1/api-keys", admin, "{\"name\": \"k\", \"scopes\": [\"read\"]}",
                  "application/json; charset=utf-8", NULL);
    ck_assert_int_eq(r.status, 201);
    t_resp_free(&r);
}
END_TEST

START_TEST(unknown_path_404_and_wrong_method_405_with_allow)
{
    t_resp r = t_get(NULL, "/v1/nothing-here");
    t_expect_error(r, 404, "not_found", NULL);
    t_resp_free(&r);
    r = t_request("DELETE", "/v1/org", NULL, NULL, NULL, NULL);
    t_expect_error(r, 405, "method_not_allowed", NULL);
    ck_assert_str_eq(r.allow, "GET, PATCH");
    t_resp_free(&r);
}
END_TEST

START_TEST(request_id_is_echoed_or_generated)
{
    t_resp r = t_request("GET", "/healthz", NULL, NULL, NULL, "X-Request-Id: trace-abc-123");
    ck_assert_str_eq(r.request_id, "trace-abc-123");
    t_resp_free(&r);
    r = t_get(NULL, "/healthz");
    ck_assert_int_eq(strlen(r.request_id), 32);
    t_resp_free(&r);
    r = t_request("GET", "/healthz", NULL, NULL, NULL, "X-Request-Id: bad id with spaces");
    ck_assert_str_ne(r.request_id, "bad id with spaces");
    t_resp_free(&r);
}
END_TEST

START_TEST(database_down_gives_503_then_recovers)
{
    char admin[128];
    t_new_org(admin, NULL);
    ck_assert_msg(t_db_stop() == 0, "GAPFORGE_TEST_DB_STOP must be configured");
    t_resp r = t_get(admin, "/v1/org");
    t_expect_error(r, 503, NULL, NULL);
    ck_assert_ptr_null(strstr(r.raw, "connection"));
    t_resp_free(&r);
    r = t_get(NULL, "/readyz");
    ck_assert_int_eq(r.status, 503);
    t_resp_free(&r);
    r = t_get(NULL, "/healthz");
    ck_assert_int_eq(r.status, 200);
    t_resp_free(&r);
    ck_assert_int_eq(t_db_start(), 0);
    r = t_get(admin, "/v1/org");
    ck_assert_int_eq(r.status, 200);
    t_resp_free(&r);
    r = t_get(NULL, "/readyz");
    ck_assert_int_eq(r.status, 200);
    t_resp_free(&r);
}
END_TEST

/* Runs `gapforge ARGS` with DATABASE_URL (as the harness set it, plus extra conninfo words);
 * returns the exit status and its merged output in out. */
static int run_gapforge(const char *args, const char *extra_conninfo, char *out, size_t cap)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "DATABASE_URL=\"$DATABASE_URL %s\" \"$GAPFORGE_BIN\" %s 2>&1",
             extra_conninfo ? extra_conninfo : "", args);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    size_t n = fread(out, 1, cap - 1, p);
    out[n] = '\0';
    int status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

START_TEST(migrate_again_is_a_no_op)
{
    char out[4096];
    ck_assert_int_eq(run_gapforge("migrate", NULL, out, sizeof out), 0);
    ck_assert_msg(strstr(out, "0 migrations applied"), "%s", out);
}
END_TEST

START_TEST(unknown_newer_migration_is_refused)
{
    free(t_sql("INSERT INTO schema_migrations (version, name) VALUES (9999, '9999_future.sql')"));
    char out[4096];
    int migrate_rc = run_gapforge("migrate", NULL, out, sizeof out);
    char migrate_out[4096];
    snprintf(migrate_out, sizeof migrate_out, "%s", out);
    int serve_rc = run_gapforge("serve", NULL, out, sizeof out);
    t_resp r = t_get(NULL, "/readyz");
    long ready = r.status;
    t_resp_free(&r);
    free(t_sql("DELETE FROM schema_migrations WHERE version = 9999"));
    ck_assert_int_ne(migrate_rc, 0);
    ck_assert_msg(strstr(migrate_out, "9999") && strstr(migrate_out, "newer gapforge"), "%s",
                  migrate_out);
    ck_assert_int_ne(serve_rc, 0);
    ck_assert_msg(strstr(out, "9999"), "%s", out);
    ck_assert_int_eq(ready, 503);
}
END_TEST

START_TEST(serve_refuses_pending_migrations_and_names_them)
{
    free(t_sql("DROP DATABASE IF EXISTS gapforge_pending_test"));
    free(t_sql("CREATE DATABASE gapforge_pending_test"));
    char out[4096];
    int rc = run_gapforge("serve", "dbname=gapforge_pending_test", out, sizeof out);
    free(t_sql("DROP DATABASE gapforge_pending_test"));
    ck_assert_int_ne(rc, 0);
    ck_assert_msg(strstr(out, "pending") && strstr(out, "0001_init.sql"), "%s", out);
}
END_TEST

static Suite *core_suite(void)
{
    Suite *s = suite_create("core");
    TCase *tc = tcase_create("http_and_tenancy");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, healthz_answers_without_auth);
    tcase_add_test(tc, readyz_reports_current_schema);
    tcase_add_test(tc, org_create_requires_admin_token);
    tcase_add_test(tc, org_create_returns_org_and_working_admin_key);
    tcase_add_test(tc, org_slug_taken_is_409);
    tcase_add_test(tc, org_create_validates_fields);
    tcase_add_test(tc, org_patch_changes_settings_and_checks_time_zone);
    tcase_add_test(tc, missing_or_bad_key_is_401);
    tcase_add_test(tc, key_without_scope_is_403);
    tcase_add_test(tc, keys_list_never_shows_secrets_and_pages);
    tcase_add_test(tc, revoked_key_stops_working);
    tcase_add_test(tc, key_create_validates_scopes);
    tcase_add_test(tc, other_orgs_key_is_404_not_its_data);
    tcase_add_test(tc, malformed_json_names_line_and_column);
    tcase_add_test(tc, oversized_body_is_413);
    tcase_add_test(tc, non_json_content_type_is_415);
    tcase_add_test(tc, unknown_path_404_and_wrong_method_405_with_allow);
    tcase_add_test(tc, request_id_is_echoed_or_generated);
    tcase_add_test(tc, database_down_gives_503_then_recovers);
    tcase_add_test(tc, migrate_again_is_a_no_op);
    tcase_add_test(tc, unknown_newer_migration_is_refused);
    tcase_add_test(tc, serve_refuses_pending_migrations_and_names_them);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return t_main(core_suite());
}

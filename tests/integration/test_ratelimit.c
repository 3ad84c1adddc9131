/* test_ratelimit.c — the per-API-key rate limit over real HTTP (issue 13): a key past its burst
 * gets 429 rate_limited with Retry-After and the JSON error, and nothing is done; other keys,
 * the service admin token and the operations endpoints are not limited; the key is allowed
 * again after the wait; refusals are counted in /metrics; a bad GAPFORGE_RATE_LIMIT stops the
 * server from starting; without the variable nothing is limited.
 *
 * meson runs this suite with GAPFORGE_RATE_LIMIT=5/s:5: five requests at once, then one every
 * 200 ms. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* A fresh org and two read keys of it (made with the org's admin key, which they do not share
 * a bucket with). */
static void two_keys(char *a, char *b)
{
    char admin[128];
    t_new_org(admin, NULL);
    t_new_key(admin, "[\"read\"]", a);
    t_new_key(admin, "[\"read\"]", b);
}

/* Sends GET /v1/org with key until the first 429 (at most max requests): returns how many were
 * answered 200 before it, the 429 in *limited (status 0 when none came) and the seconds the
 * requests took. Any other status fails the test. */
static int until_limited(const char *key, int max, t_resp *limited, double *took)
{
    int ok = 0;
    double t0 = now_s();
    memset(limited, 0, sizeof *limited);
    for (int i = 0; i < max; i++) {
        t_resp r = t_get(key, "/v1/org");
        if (r.status == 429) {
            *limited = r;
            break;
        }
        ck_assert_msg(r.status == 200, "request %d: %ld %s", i + 1, r.status, r.raw);
        t_resp_free(&r);
        ok++;
    }
    *took = now_s() - t0;
    return ok;
}

/* The value of an unlabelled metric in /metrics (-1 when it is not listed). */
static double metric(const char *name)
{
    t_resp r = t_get(NULL, "/metrics");
    ck_assert_int_eq(r.status, 200);
    double v = -1;
    size_t n = strlen(name);
    for (const char *p = r.raw; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        if (strncmp(p, name, n) == 0 && p[n] == ' ')
            v = strtod(p + n + 1, NULL);
    t_resp_free(&r);
    return v;
}

START_TEST(the_sixth_rapid_request_of_a_key_is_429_with_retry_after_and_the_json_error)
{
    char a[128], b[128];
    two_keys(a, b);
    t_resp r;
    double took;
    int ok = until_limited(a, 40, &r, &took);
    ck_assert_msg(r.status == 429, "no 429 in 40 requests (%.2f s)", took);
    /* Five at once, and one more for every 200 ms the requests took. */
    ck_assert_int_ge(ok, 5);
    ck_assert_msg(ok <= 5 + (int)(took * 5.0), "%d allowed in %.3f s", ok, took);
    if (took < 0.2)
        ck_assert_int_eq(ok, 5); /* the sixth */
    t_expect_error(r, 429, "rate_limited", NULL);
    ck_assert_ptr_nonnull(strstr(t_str(json_object_get(r.body, "error"), "message"), "retry"));
    ck_assert_msg(r.retry_after[0], "no Retry-After");
    char *end;
    long retry = strtol(r.retry_after, &end, 10);
    ck_assert_msg(*end == '\0' && retry >= 1 && retry <= 1, "Retry-After: %s", r.retry_after);
    ck_assert(r.request_id[0]);
    t_resp_free(&r);
}
END_TEST

START_TEST(another_key_is_not_limited_and_the_limited_one_is_allowed_again_after_the_wait)
{
    char a[128], b[128], other[128];
    two_keys(a, b);
    t_new_org(other, NULL);
    t_resp r;
    double took;
    until_limited(a, 40, &r, &took);
    ck_assert_int_eq(r.status, 429);
    long retry = strtol(r.retry_after, NULL, 10);
    t_resp_free(&r);
    fx_expect_status(t_get(b, "/v1/org"), 200);     /* the same org's other key */
    fx_expect_status(t_get(other, "/v1/org"), 200); /* another org's */
    sleep((unsigned)retry);
    fx_expect_status(t_get(a, "/v1/org"), 200);
    /* A second of waiting gives the whole burst back. */
    sleep(1);
    int ok = until_limited(a, 40, &r, &took);
    ck_assert_int_ge(ok, 5);
    ck_assert_int_eq(r.status, 429);
    t_resp_free(&r);
}
END_TEST

START_TEST(a_limited_write_changes_nothing)
{
    char admin[128], slug[64];
    t_new_org(admin, slug);
    int created = 0;
    t_resp r = {0};
    for (int i = 0; i < 40; i++) {
        char body[96];
        snprintf(body, sizeof body, "{\"key\": \"t%d\", \"name\": \"Team %d\"}", i, i);
        r = t_post(admin, "/v1/teams", body);
        if (r.status != 201)
            break;
        created++;
        t_resp_free(&r);
    }
    t_expect_error(r, 429, "rate_limited", NULL);
    t_resp_free(&r);
    ck_assert_int_ge(created, 5);
    ck_assert_int_eq(fx_org_rows(slug, "teams"), created);
}
END_TEST

START_TEST(the_admin_token_and_the_operations_endpoints_are_not_limited)
{
    for (int i = 0; i < 12; i++) {
        fx_expect_status(t_get(NULL, "/healthz"), 200);
        fx_expect_status(t_get(NULL, "/readyz"), 200);
        fx_expect_status(t_get(NULL, "/metrics"), 200);
    }
    char key[128];
    for (int i = 0; i < 8; i++)
        t_new_org(key, NULL); /* POST /v1/orgs with the admin token; asserts 201 */
}
END_TEST

START_TEST(limited_requests_are_counted_in_metrics)
{
    double before = metric("gapforge_http_rate_limited_total");
    ck_assert_double_ge(before, 0); /* listed from the start */
    char a[128], b[128];
    two_keys(a, b);
    t_resp r;
    double took;
    until_limited(a, 40, &r, &took);
    t_resp_free(&r);
    int limited = 1;
    for (int i = 0; i < 3; i++) {
        r = t_get(a, "/v1/org");
        limited += r.status == 429;
        t_resp_free(&r);
    }
    ck_assert_double_eq(metric("gapforge_http_rate_limited_total"), before + limited);
}
END_TEST

START_TEST(a_bad_limit_refuses_to_start_with_a_clear_message)
{
    static const char *bad[] = {"50/h", "50", "0/s", "5/s:0", "fast"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        char env[128], out[1024];
        snprintf(env, sizeof env, "GAPFORGE_RATE_LIMIT='%s' GAPFORGE_LISTEN=127.0.0.1:1", bad[k]);
        int rc = fx_gapforge(env, "serve 2>&1", out, sizeof out);
        ck_assert_msg(rc == 1, "%s: exit %d: %s", bad[k], rc, out);
        ck_assert_msg(strstr(out, "GAPFORGE_RATE_LIMIT must be off or N/s or N/m"), "%s: %s",
                      bad[k], out);
    }
}
END_TEST

/* Last: it restarts the server without the variable, then with it again. */
START_TEST(nothing_is_limited_by_default)
{
    const char *was = getenv("GAPFORGE_RATE_LIMIT");
    char saved[64];
    snprintf(saved, sizeof saved, "%s", was ? was : "");
    unsetenv("GAPFORGE_RATE_LIMIT");
    t_server_restart();
    char a[128], b[128];
    two_keys(a, b);
    for (int i = 0; i < 60; i++)
        fx_expect_status(t_get(a, "/v1/org"), 200);
    ck_assert_double_eq(metric("gapforge_http_rate_limited_total"), 0);
    setenv("GAPFORGE_RATE_LIMIT", saved, 1);
    t_server_restart();
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("ratelimit");
    TCase *tc = tcase_create("limit");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, the_sixth_rapid_request_of_a_key_is_429_with_retry_after_and_the_json_error);
    tcase_add_test(tc,
                   another_key_is_not_limited_and_the_limited_one_is_allowed_again_after_the_wait);
    tcase_add_test(tc, a_limited_write_changes_nothing);
    tcase_add_test(tc, the_admin_token_and_the_operations_endpoints_are_not_limited);
    tcase_add_test(tc, limited_requests_are_counted_in_metrics);
    tcase_add_test(tc, a_bad_limit_refuses_to_start_with_a_clear_message);
    tcase_add_test(tc, nothing_is_limited_by_default);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return t_main(suite());
}

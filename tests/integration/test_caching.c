/* test_caching.c — exact caching, projections, the API-key cache and CORS over HTTP (issue 12).
 *
 * The server runs with the default version check (GAPFORGE_VERSION_CHECK_MS=1000) and
 * GAPFORGE_CORS_ORIGINS=https://dash.example.com. Forecasts, roll-ups and projections carry a
 * strong ETag and Cache-Control: private, max-age=60; If-None-Match answers 304 with no body; a
 * write through the API changes the ETag and the answer at once, a write behind the server's back
 * (another replica) within the check interval. Projection rows are the per-scope forecasts. A
 * revoked key is refused at once (revoked here) or within a second (revoked elsewhere). CORS
 * headers go to allowed origins only. */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"

/* A small demo org: 5 quarters of 300 deals as of 2025-11-15 (4 teams, 20 reps). */
static const fx_demo_spec demo = {
    .seed = 11, .quarters = 5, .deals_per_quarter = 300, .as_of = "2025-11-15"};

#define Q "period=2025-Q4&as_of=2025-11-15&trials=2000"

static const char *const origin = "https://dash.example.com";

static void expect_strong_etag(const t_resp *r)
{
    regex_t re;
    ck_assert_int_eq(regcomp(&re, "^\"[0-9a-f]{32}\"$", REG_EXTENDED | REG_NOSUB), 0);
    const int bad = regexec(&re, r->etag, 0, NULL, 0);
    regfree(&re);
    ck_assert_msg(!bad, "%s: ETag '%s' is not strong", r->request, r->etag);
    ck_assert_str_eq(r->cache_control, "private, max-age=60");
}

static t_resp get_inm(const char *key, const char *path, const char *etag)
{
    char h[320];
    snprintf(h, sizeof h, "If-None-Match: %s", etag);
    return t_request("GET", path, key, NULL, NULL, h);
}

START_TEST(a_repeated_forecast_has_one_strong_etag_and_if_none_match_answers_304)
{
    const char *key = fx_shared_key();
    for (int k = 0; k < 3; k++) {
        const char *path = k == 0   ? "/v1/forecast?" Q
                           : k == 1 ? "/v1/forecast/rollup?" Q
                                    : "/v1/projections?" Q "&by=team";
        t_resp a = t_get(key, "%s", path);
        ck_assert_int_eq(a.status, 200);
        expect_strong_etag(&a);
        t_resp b = t_get(key, "%s", path);
        ck_assert_int_eq(b.status, 200);
        ck_assert_str_eq(b.etag, a.etag);
        ck_assert_str_eq(b.raw, a.raw);
        t_resp c = get_inm(key, path, a.etag);
        ck_assert_int_eq(c.status, 304);
        ck_assert_str_eq(c.raw, "");
        ck_assert_str_eq(c.etag, a.etag);
        ck_assert_str_eq(c.cache_control, "private, max-age=60");
        /* A list, a weak form and "*" name it too; another tag does not. */
        char list[200];
        snprintf(list, sizeof list, "\"0123\", W/%s", a.etag);
        t_resp d = get_inm(key, path, list);
        ck_assert_int_eq(d.status, 304);
        t_resp e = get_inm(key, path, "*");
        ck_assert_int_eq(e.status, 304);
        t_resp f = get_inm(key, path, "\"00000000000000000000000000000000\"");
        ck_assert_int_eq(f.status, 200);
        ck_assert_str_eq(f.raw, a.raw);
        t_resp *all[] = {&a, &b, &c, &d, &e, &f};
        for (size_t i = 0; i < 6; i++)
            t_resp_free(all[i]);
    }
}
END_TEST

START_TEST(the_etag_names_the_parameters)
{
    const char *key = fx_shared_key();
    t_resp a = t_get(key, "/v1/forecast?" Q);
    t_resp b = t_get(key, "/v1/forecast?" Q "&seed=7");
    t_resp c = t_get(key, "/v1/forecast?" Q "&scope=team:emea");
    t_resp d = get_inm(key, "/v1/forecast?" Q "&seed=7", a.etag);
    ck_assert_int_eq(b.status, 200);
    ck_assert_int_eq(d.status, 200);
    ck_assert_str_ne(a.etag, b.etag);
    ck_assert_str_ne(a.etag, c.etag);
    ck_assert_str_eq(d.etag, b.etag);
    /* CSV is another representation of the roll-up: another ETag. */
    t_resp j = t_get(key, "/v1/forecast/rollup?" Q);
    t_resp v = t_request("GET", "/v1/forecast/rollup?" Q, key, NULL, NULL, "Accept: text/csv");
    ck_assert_int_eq(v.status, 200);
    ck_assert(strncmp(v.content_type, "text/csv", 8) == 0);
    ck_assert_str_ne(j.etag, v.etag);
    t_resp *all[] = {&a, &b, &c, &d, &j, &v};
    for (size_t i = 0; i < 6; i++)
        t_resp_free(all[i]);
}
END_TEST

START_TEST(a_write_changes_the_etag_and_the_answer)
{
    char key[128], slug[64];
    json_decref(fx_demo_org(key, slug, demo));
    t_resp a = t_get(key, "/v1/forecast?" Q);
    ck_assert_int_eq(a.status, 200);
    /* A target through the API: the very next request sees it. */
    fx_put_target(key, "org", "2025-Q4", 123456789.0);
    t_resp b = get_inm(key, "/v1/forecast?" Q, a.etag);
    ck_assert_int_eq(b.status, 200);
    ck_assert_str_ne(b.etag, a.etag);
    ck_assert_double_eq_tol(t_num(b.body, "target"), 123456789.0, 0.001);
    /* A new won deal through the API changes what is booked. */
    const double booked = t_num(b.body, "booked");
    fx_post_deal(key,
                 "{\"external_id\": \"cache-won-1\", \"name\": \"Cache\", \"amount\": 5000, "
                 "\"stage\": \"closed_won\", \"created_on\": \"2025-10-02\", "
                 "\"close_date\": \"2025-10-20\", \"effective_at\": \"2025-10-20T12:00:00Z\"}");
    t_resp c = get_inm(key, "/v1/forecast?" Q, b.etag);
    ck_assert_int_eq(c.status, 200);
    ck_assert_str_ne(c.etag, b.etag);
    ck_assert_double_eq_tol(t_num(c.body, "booked"), booked + 5000.0, 0.001);
    /* Behind the server's back (another replica's write): seen within the one-second check. */
    fx_exec("UPDATE targets t SET value = 99 FROM orgs o WHERE o.id = t.org_id AND o.slug = '%s' "
            "AND t.scope = 'org' AND t.period = '2025-Q4'",
            slug);
    usleep(1200 * 1000);
    t_resp d = get_inm(key, "/v1/forecast?" Q, c.etag);
    ck_assert_int_eq(d.status, 200);
    ck_assert_double_eq_tol(t_num(d.body, "target"), 99.0, 0.001);
    /* The data version moved with each write. */
    ck_assert(fx_sql_ll("SELECT v.version FROM org_data_versions v JOIN orgs o ON o.id = v.org_id "
                        "WHERE o.slug = '%s'",
                        slug) > 3);
    t_resp *all[] = {&a, &b, &c, &d};
    for (size_t i = 0; i < 4; i++)
        t_resp_free(all[i]);
}
END_TEST

/* The value of the sample line of /metrics that starts with prefix ("name{labels} "). */
static double metric(const char *prefix)
{
    t_resp r = t_request("GET", "/metrics", NULL, NULL, NULL, NULL);
    ck_assert_int_eq(r.status, 200);
    double v = -1;
    for (const char *p = r.raw; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        if (strncmp(p, prefix, strlen(prefix)) == 0)
            v = strtod(p + strlen(prefix), NULL);
    t_resp_free(&r);
    ck_assert_msg(v >= 0, "no %s in /metrics", prefix);
    return v;
}

/* Under a write load every read is of a new data version: the answers and histories of the
 * org's older versions, which nothing can ask for again, leave the caches as the new ones come
 * in, so that the caches (and the server's memory) stay the size of what is still current. */
START_TEST(an_orgs_older_answers_and_histories_leave_the_caches)
{
    char key[128], slug[64];
    json_decref(fx_demo_org(key, slug, demo));
    t_resp first = t_get(key, "/v1/forecast?" Q);
    ck_assert_int_eq(first.status, 200);
    t_resp_free(&first);
    const double answers = metric("gapforge_cache_entries{cache=\"answers\"} ");
    const double histories = metric("gapforge_cache_entries{cache=\"history\"} ");
    ck_assert_double_ge(answers, 1);
    ck_assert_double_ge(histories, 1);
    for (int i = 0; i < 4; i++) {
        fx_put_target(key, "org", "2025-Q4", 1000000.0 + i);
        t_resp r = t_get(key, "/v1/forecast?" Q);
        ck_assert_int_eq(r.status, 200);
        ck_assert_double_eq_tol(t_num(r.body, "target"), 1000000.0 + i, 0.001);
        t_resp_free(&r);
        ck_assert_double_eq(metric("gapforge_cache_entries{cache=\"answers\"} "), answers);
        ck_assert_double_eq(metric("gapforge_cache_entries{cache=\"history\"} "), histories);
    }
    ck_assert_double_gt(metric("gapforge_cache_bytes{cache=\"answers\"} "), 0);
}
END_TEST

/* The figures of a projection row and of the forecast of its scope agree exactly. */
static void expect_row_is_forecast(const char *key, const json_t *row)
{
    const char *scope = t_str(row, "scope");
    t_resp f = t_get(key, "/v1/forecast?" Q "&scope=%s", scope);
    ck_assert_int_eq(f.status, 200);
    static const char *const fields[] = {"target", "booked", "expected", "p10",
                                         "p50",    "p90",    "prob_hit", "gap"};
    for (size_t k = 0; k < sizeof fields / sizeof fields[0]; k++) {
        const json_t *a = json_object_get(row, fields[k]), *b = json_object_get(f.body, fields[k]);
        ck_assert_msg(a && b, "%s: no %s", scope, fields[k]);
        ck_assert_msg(json_equal(a, b) || (json_is_number(a) && json_is_number(b) &&
                                           json_number_value(a) == json_number_value(b)),
                      "%s: %s %s vs forecast %s", scope, fields[k], json_dumps(a, JSON_ENCODE_ANY),
                      json_dumps(b, JSON_ENCODE_ANY));
    }
    ck_assert_str_eq(t_str(row, "as_of"), "2025-11-15");
    ck_assert_str_eq(t_str(row, "model_version"),
                     t_str(json_object_get(f.body, "model"), "version"));
    t_resp_free(&f);
}

START_TEST(projection_rows_are_the_forecasts_of_their_scopes)
{
    const char *key = fx_shared_key();
    const char *slug = fx_shared_slug();
    static const char *const by[] = {"team", "rep", "source"};
    for (size_t b = 0; b < 3; b++) {
        json_t *p = fx_body(t_get(key, "/v1/projections?" Q "&by=%s", by[b]), 200);
        ck_assert_str_eq(t_str(p, "by"), by[b]);
        ck_assert_str_eq(t_str(p, "period"), "2025-Q4");
        const json_t *rows = json_object_get(p, "rows");
        const long long want = b == 2   ? 4
                               : b == 0 ? fx_sql_ll("SELECT count(*) FROM teams t JOIN orgs o ON "
                                                    "o.id = t.org_id WHERE o.slug = '%s'",
                                                    slug)
                                        : fx_sql_ll("SELECT count(*) FROM reps r JOIN orgs o ON "
                                                    "o.id = r.org_id WHERE o.slug = '%s'",
                                                    slug);
        ck_assert_int_eq((long long)json_array_size(rows), want);
        /* Every team and source; the first five reps (each is a full forecast). */
        const size_t n = b == 1 && json_array_size(rows) > 5 ? 5 : json_array_size(rows);
        for (size_t k = 0; k < n; k++)
            expect_row_is_forecast(key, json_array_get(rows, k));
        json_decref(p);
    }
    fx_expect_invalid(t_get(key, "/v1/projections?" Q "&by=region"), "by");
    fx_expect_invalid(t_get(key, "/v1/projections?" Q "&scope=org"), "scope");
    fx_expect_invalid(t_get(key, "/v1/projections?period=2025-Q9"), "period");
    fx_expect_invalid(t_get(key, "/v1/forecast?" Q "&scope=source:web"), "scope");
}
END_TEST

START_TEST(a_revoked_key_is_refused_at_once)
{
    char admin[128], reader[128];
    t_new_org(admin, NULL);
    t_new_key(admin, "[\"read\"]", reader);
    for (int k = 0; k < 3; k++) /* verified once, then from the cache */
        fx_expect_status(t_get(reader, "/v1/stages"), 200);
    json_t *keys = fx_body(t_get(admin, "/v1/api-keys"), 200);
    long long id = 0;
    const json_t *items = json_object_get(keys, "items");
    for (size_t i = 0; i < json_array_size(items); i++)
        if (strncmp(reader + 3, t_str(json_array_get(items, i), "prefix"), 12) == 0)
            id = t_int(json_array_get(items, i), "id");
    json_decref(keys);
    ck_assert(id > 0);
    char path[64];
    snprintf(path, sizeof path, "/v1/api-keys/%lld", id);
    fx_expect_status(t_delete(admin, path), 200);
    fx_expect_error(t_get(reader, "/v1/stages"), 401, "unauthorized", NULL);
    fx_expect_status(t_get(admin, "/v1/stages"), 200);
}
END_TEST

START_TEST(a_key_revoked_by_another_replica_is_refused_within_a_second)
{
    char admin[128], reader[128];
    t_new_org(admin, NULL);
    t_new_key(admin, "[\"read\"]", reader);
    fx_expect_status(t_get(reader, "/v1/stages"), 200);
    fx_expect_status(t_get(reader, "/v1/stages"), 200);
    char prefix[13];
    memcpy(prefix, reader + 3, 12);
    prefix[12] = '\0';
    fx_exec("UPDATE api_keys SET revoked_at = now() WHERE prefix = '%s'", prefix);
    usleep(1100 * 1000);
    fx_expect_error(t_get(reader, "/v1/stages"), 401, "unauthorized", NULL);
}
END_TEST

START_TEST(cors_headers_go_to_allowed_origins_only)
{
    const char *key = fx_shared_key();
    t_resp a =
        t_request("GET", "/v1/forecast?" Q, key, NULL, NULL, "Origin: https://dash.example.com");
    ck_assert_int_eq(a.status, 200);
    ck_assert_str_eq(a.cors_origin, origin);
    ck_assert(strstr(a.vary, "Origin"));
    ck_assert(strstr(a.cors_expose, "ETag") && strstr(a.cors_expose, "X-Request-Id"));
    /* An error answer carries them too (the browser lets the page read it). */
    t_resp e = t_request("GET", "/v1/forecast?period=bad", key, NULL, NULL,
                         "Origin: https://dash.example.com");
    ck_assert_int_eq(e.status, 422);
    ck_assert_str_eq(e.cors_origin, origin);
    /* Another origin, a prefix of the allowed one, or none: no CORS headers. */
    static const char *const others[] = {"Origin: https://evil.example.com",
                                         "Origin: https://dash.example.co",
                                         "Origin: https://dash.example.com.evil", NULL};
    for (size_t k = 0; k < 4; k++) {
        t_resp b = t_request("GET", "/v1/stages", key, NULL, NULL, others[k]);
        ck_assert_int_eq(b.status, 200);
        ck_assert_str_eq(b.cors_origin, "");
        ck_assert_str_eq(b.cors_expose, "");
        ck_assert(strstr(b.vary, "Origin"));
        t_resp_free(&b);
    }
    t_resp_free(&a);
    t_resp_free(&e);
}
END_TEST

START_TEST(a_preflight_names_methods_and_headers_for_allowed_origins)
{
    t_resp p = t_request("OPTIONS", "/v1/deals", NULL, NULL, NULL,
                         "Origin: https://dash.example.com\n"
                         "Access-Control-Request-Method: POST\n"
                         "Access-Control-Request-Headers: authorization, content-type");
    ck_assert_int_eq(p.status, 204);
    ck_assert_str_eq(p.cors_origin, origin);
    ck_assert(strstr(p.cors_methods, "GET") && strstr(p.cors_methods, "POST"));
    static const char *const need[] = {"Authorization", "Content-Type", "If-None-Match",
                                       "Idempotency-Key"};
    for (size_t k = 0; k < 4; k++)
        ck_assert_msg(strstr(p.cors_headers, need[k]), "no %s in %s", need[k], p.cors_headers);
    ck_assert(strstr(p.vary, "Origin"));
    t_resp q = t_request("OPTIONS", "/v1/deals", NULL, NULL, NULL,
                         "Origin: https://evil.example.com\n"
                         "Access-Control-Request-Method: POST");
    ck_assert_int_eq(q.status, 204);
    ck_assert_str_eq(q.cors_origin, "");
    ck_assert_str_eq(q.cors_methods, "");
    ck_assert_str_eq(q.cors_headers, "");
    /* An unknown path is still 404. */
    t_resp u = t_request("OPTIONS", "/v1/nope", NULL, NULL, NULL,
                         "Origin: https://dash.example.com\nAccess-Control-Request-Method: GET");
    ck_assert_int_eq(u.status, 404);
    t_resp_free(&p);
    t_resp_free(&q);
    t_resp_free(&u);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("caching");
    TCase *shared = tcase_create("shared_demo_org");
    tcase_set_timeout(shared, 300);
    fx_shared_demo_add(shared, demo);
    tcase_add_test(shared, a_repeated_forecast_has_one_strong_etag_and_if_none_match_answers_304);
    tcase_add_test(shared, the_etag_names_the_parameters);
    tcase_add_test(shared, projection_rows_are_the_forecasts_of_their_scopes);
    tcase_add_test(shared, cors_headers_go_to_allowed_origins_only);
    tcase_add_test(shared, a_preflight_names_methods_and_headers_for_allowed_origins);
    suite_add_tcase(s, shared);
    TCase *own = tcase_create("own_org");
    tcase_set_timeout(own, 120);
    tcase_add_test(own, a_write_changes_the_etag_and_the_answer);
    tcase_add_test(own, an_orgs_older_answers_and_histories_leave_the_caches);
    tcase_add_test(own, a_revoked_key_is_refused_at_once);
    tcase_add_test(own, a_key_revoked_by_another_replica_is_refused_within_a_second);
    suite_add_tcase(s, own);
    return t_main(s);
}

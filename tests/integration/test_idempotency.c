/* test_idempotency.c — Idempotency-Key on POST over HTTP (Stripe's semantics): the same key and
 * request answers the stored answer without doing the work again, another request with the key
 * is 422, concurrent duplicates wait for the first and do the work once, keys are per org and
 * expire after 24 hours, and a malformed key is 422. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"

static t_resp post_key(const char *key, const char *path, const char *body, const char *idem)
{
    char h[400];
    snprintf(h, sizeof h, "Idempotency-Key: %s", idem);
    return t_request("POST", path, key, body, NULL, h);
}

START_TEST(the_same_key_and_request_is_answered_once)
{
    char key[128], slug[64];
    fx_sales_org(key, slug);
    const char *body = "{\"external_id\": \"i-1\", \"name\": \"Once\", \"amount\": 100, "
                       "\"stage\": \"prospecting\", \"owner\": \"ada\"}";
    t_resp a = post_key(key, "/v1/deals", body, "key-1");
    ck_assert_msg(a.status == 201, "%s", a.raw);
    ck_assert_str_eq(a.replayed, "");
    /* The same request, its members in another order and spacing: the stored answer. */
    t_resp b = post_key(key, "/v1/deals",
                        "{ \"owner\": \"ada\", \"stage\": \"prospecting\", \"amount\": 100, "
                        "\"name\": \"Once\", \"external_id\": \"i-1\" }",
                        "key-1");
    ck_assert_int_eq(b.status, 201);
    ck_assert_str_eq(b.replayed, "true");
    ck_assert_str_eq(b.location, a.location);
    ck_assert(json_equal(a.body, b.body));
    ck_assert_int_eq(fx_org_rows(slug, "deals"), 1);
    /* Another request under the key: refused, nothing done. */
    t_resp c = post_key(key, "/v1/deals",
                        "{\"external_id\": \"i-2\", \"name\": \"Other\", \"amount\": 5, "
                        "\"stage\": \"prospecting\", \"owner\": \"ada\"}",
                        "key-1");
    t_expect_error(c, 422, "idempotency_key_reused", "Idempotency-Key");
    ck_assert_int_eq(fx_org_rows(slug, "deals"), 1);
    /* An error answer is kept too: the same bad request replays its 422. */
    t_resp d = post_key(key, "/v1/deals", "{\"name\": \"no id\"}", "key-2");
    ck_assert_int_eq(d.status, 422);
    t_resp e = post_key(key, "/v1/deals", "{\"name\": \"no id\"}", "key-2");
    ck_assert_int_eq(e.status, 422);
    ck_assert_str_eq(e.replayed, "true");
    /* Without a key nothing changes: a second create of the same external id conflicts. */
    t_resp f = t_post(key, "/v1/deals", body);
    ck_assert_int_eq(f.status, 409);
    t_resp *all[] = {&a, &b, &c, &d, &e, &f};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        t_resp_free(all[i]);
}
END_TEST

START_TEST(keys_belong_to_an_org_and_expire_after_a_day)
{
    char k1[128], s1[64], k2[128], s2[64];
    fx_sales_org(k1, s1);
    fx_sales_org(k2, s2);
    const char *body = "{\"external_id\": \"e-1\", \"name\": \"Mine\", \"amount\": 1, "
                       "\"stage\": \"prospecting\", \"owner\": \"ada\"}";
    t_resp a = post_key(k1, "/v1/deals", body, "shared-key");
    t_resp b = post_key(k2, "/v1/deals", body, "shared-key");
    ck_assert_int_eq(a.status, 201);
    ck_assert_int_eq(b.status, 201);
    ck_assert_str_eq(b.replayed, "");
    ck_assert_int_eq(fx_org_rows(s2, "deals"), 1);
    /* 25 hours later the key is free again: another request under it runs. */
    free(t_sql("UPDATE idempotency_keys SET created_at = now() - interval '25 hours' "
               "WHERE key = 'shared-key'"));
    t_resp c = post_key(k1, "/v1/deals",
                        "{\"external_id\": \"e-2\", \"name\": \"Later\", \"amount\": 2, "
                        "\"stage\": \"prospecting\", \"owner\": \"ada\"}",
                        "shared-key");
    ck_assert_msg(c.status == 201, "%s", c.raw);
    ck_assert_str_eq(c.replayed, "");
    ck_assert_int_eq(fx_org_rows(s1, "deals"), 2);
    t_resp bad = post_key(k1, "/v1/deals", body, "has space");
    t_expect_error(bad, 422, NULL, "Idempotency-Key");
    char longkey[300];
    memset(longkey, 'k', 256);
    longkey[256] = '\0';
    t_resp lng = post_key(k1, "/v1/deals", body, longkey);
    t_expect_error(lng, 422, NULL, "Idempotency-Key");
    ck_assert_int_eq(fx_org_rows(s1, "deals"), 2);
    t_resp *all[] = {&a, &b, &c, &bad, &lng};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        t_resp_free(all[i]);
}
END_TEST

/* Eight concurrent duplicates (curl processes started together): one plan is computed, every
 * answer is the same, all but one replayed. */
START_TEST(concurrent_duplicates_wait_for_the_first)
{
    char key[128], slug[64];
    fx_sales_org(key, slug);
    enum { N = 8 };
    FILE *p[N];
    for (int i = 0; i < N; i++) {
        char cmd[1024];
        snprintf(cmd, sizeof cmd,
                 "curl -s -D - -o /dev/null -X POST -H 'Authorization: Bearer %s' "
                 "-H 'Content-Type: application/json' -H 'Idempotency-Key: dup-1' "
                 "--data '{\"external_id\": \"c-1\", \"name\": \"Dup\", \"amount\": 9, "
                 "\"stage\": \"prospecting\", \"owner\": \"ada\"}' "
                 "http://127.0.0.1:%d/v1/deals",
                 key, t_port());
        p[i] = popen(cmd, "r");
        ck_assert_ptr_nonnull(p[i]);
    }
    int created = 0, replayed = 0;
    for (int i = 0; i < N; i++) {
        char line[512];
        while (fgets(line, sizeof line, p[i])) {
            created += strncmp(line, "HTTP/1.1 201", 12) == 0;
            replayed += strncasecmp(line, "Idempotent-Replayed: true", 25) == 0;
        }
        pclose(p[i]);
    }
    ck_assert_int_eq(created, N);
    ck_assert_int_eq(replayed, N - 1);
    ck_assert_int_eq(fx_org_rows(slug, "deals"), 1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("idempotency");
    TCase *tc = tcase_create("idempotency");
    tcase_add_test(tc, the_same_key_and_request_is_answered_once);
    tcase_add_test(tc, keys_belong_to_an_org_and_expire_after_a_day);
    tcase_add_test(tc, concurrent_duplicates_wait_for_the_first);
    suite_add_tcase(s, tc);
    return t_main(s);
}

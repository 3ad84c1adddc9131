/* test_ratelimit.c — the token buckets of the per-key rate limit, on a clock the tests drive:
 * the configured formats, bursts, refill, Retry-After, independent keys, the bound on memory
 * and many threads taking from one bucket. */
#include <check.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "gapforge/config.h"
#include "gapforge/ratelimit.h"
#include "unit.h"

static gf_ratelimit_spec spec_of(const char *text)
{
    gf_ratelimit_spec s = {0};
    ck_assert_msg(gf_ratelimit_parse(text, &s) == 0, "%s refused", text);
    return s;
}

static gf_ratelimit *table(const char *text, size_t capacity)
{
    gf_ratelimit *rl = gf_ratelimit_new(spec_of(text), capacity);
    ck_assert_ptr_nonnull(rl);
    return rl;
}

/* How many of n requests of id at now_ms are allowed. */
static int allowed(gf_ratelimit *rl, int64_t id, int64_t now_ms, int n)
{
    int ok = 0;
    for (int i = 0; i < n; i++)
        ok += gf_ratelimit_take(rl, id, now_ms, NULL);
    return ok;
}

START_TEST(per_second_and_per_minute_with_a_default_burst_of_twice_the_rate)
{
    gf_ratelimit_spec s = spec_of("50/s");
    ck_assert_double_eq(s.rate, 50.0);
    ck_assert_double_eq(s.burst, 100.0);
    s = spec_of("600/m");
    ck_assert_double_eq(s.rate, 10.0);
    ck_assert_double_eq(s.burst, 1200.0);
    s = spec_of("5/s:5");
    ck_assert_double_eq(s.rate, 5.0);
    ck_assert_double_eq(s.burst, 5.0);
    s = spec_of("1/m:1");
    ck_assert_double_eq(s.rate, 1.0 / 60.0);
    ck_assert_double_eq(s.burst, 1.0);
}
END_TEST

START_TEST(anything_else_is_refused)
{
    static const char *bad[] = {
        "",
        "off",
        "5",
        "5/",
        "5/h",
        "5/sec",
        "0/s",
        "-5/s",
        "+5/s",
        " 5/s",
        "5/s ",
        "5/s:",
        "5/s:0",
        "5/s:x",
        "5/s:5x",
        "5/s:-1",
        "5.5/s",
        "1e3/s",
        "/s",
        "s",
        "5/s:5:5",
        "5 /s",
        "1000001/s",
        "5/s:1000000001",
        "5/S",
        "5/s,10",
        "0x5/s",
        "5//s",
        "5/m:",
        "5/ms",
        "99999999999999999999/s",
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        gf_ratelimit_spec s = {.rate = 7, .burst = 7};
        ck_assert_msg(gf_ratelimit_parse(bad[k], &s) == -1, "\"%s\" accepted", bad[k]);
        ck_assert_double_eq(s.rate, 7); /* untouched */
    }
    gf_ratelimit_spec s;
    ck_assert_int_eq(gf_ratelimit_parse(NULL, &s), -1);
    ck_assert_ptr_null(gf_ratelimit_new((gf_ratelimit_spec){.rate = 0, .burst = 1}, 8));
    ck_assert_ptr_null(gf_ratelimit_new((gf_ratelimit_spec){.rate = 1, .burst = 0.5}, 8));
    ck_assert_ptr_null(gf_ratelimit_new((gf_ratelimit_spec){.rate = 1, .burst = 1}, 0));
}
END_TEST

START_TEST(a_new_key_may_burst_its_whole_bucket_at_once_and_no_more)
{
    gf_ratelimit *rl = table("5/s:5", 16);
    ck_assert_int_eq(allowed(rl, 1, 1000, 5), 5);
    ck_assert(!gf_ratelimit_take(rl, 1, 1000, NULL));
    gf_ratelimit_free(rl);
    rl = table("50/s", 16); /* the default burst: twice the rate */
    ck_assert_int_eq(allowed(rl, 1, 0, 1000), 100);
    gf_ratelimit_free(rl);
}
END_TEST

START_TEST(tokens_come_back_at_the_rate)
{
    gf_ratelimit *rl = table("5/s:5", 16);
    ck_assert_int_eq(allowed(rl, 1, 1000, 6), 5);
    ck_assert(!gf_ratelimit_take(rl, 1, 1199, NULL)); /* 0.995 of a token */
    ck_assert(gf_ratelimit_take(rl, 1, 1200, NULL));  /* one token after 200 ms */
    ck_assert(!gf_ratelimit_take(rl, 1, 1200, NULL));
    ck_assert_int_eq(allowed(rl, 1, 1600, 5), 2); /* 400 ms: two */
    /* A steady 5 a second goes through for as long as it lasts. */
    for (int64_t t = 1800; t < 11800; t += 200)
        ck_assert(gf_ratelimit_take(rl, 1, t, NULL));
    gf_ratelimit_free(rl);
}
END_TEST

START_TEST(an_idle_bucket_fills_up_to_its_burst_only)
{
    gf_ratelimit *rl = table("5/s:5", 16);
    ck_assert_int_eq(allowed(rl, 1, 0, 5), 5);
    ck_assert_int_eq(allowed(rl, 1, 3600000, 100), 5); /* an hour later: 5, not 18,000 */
    gf_ratelimit_free(rl);
}
END_TEST

START_TEST(retry_after_is_the_wait_for_the_next_token_in_whole_seconds_rounded_up)
{
    gf_ratelimit *rl = table("5/s:5", 16);
    int64_t retry = -1;
    ck_assert_int_eq(allowed(rl, 1, 0, 5), 5);
    ck_assert(!gf_ratelimit_take(rl, 1, 0, &retry));
    ck_assert_int_eq(retry, 200);
    ck_assert_int_eq(gf_ratelimit_retry_after_s(retry), 1);
    ck_assert(!gf_ratelimit_take(rl, 1, 150, &retry));
    ck_assert_int_eq(retry, 50);
    gf_ratelimit_free(rl);

    rl = table("1/m:1", 16);
    ck_assert(gf_ratelimit_take(rl, 7, 0, &retry));
    ck_assert(!gf_ratelimit_take(rl, 7, 0, &retry));
    ck_assert_int_eq(retry, 60000);
    ck_assert_int_eq(gf_ratelimit_retry_after_s(retry), 60);
    ck_assert(!gf_ratelimit_take(rl, 7, 29500, &retry));
    ck_assert_int_eq(retry, 30500);
    ck_assert_int_eq(gf_ratelimit_retry_after_s(retry), 31);
    ck_assert(gf_ratelimit_take(rl, 7, 60000, &retry));
    gf_ratelimit_free(rl);

    ck_assert_int_eq(gf_ratelimit_retry_after_s(0), 1);
    ck_assert_int_eq(gf_ratelimit_retry_after_s(1), 1);
    ck_assert_int_eq(gf_ratelimit_retry_after_s(1000), 1);
    ck_assert_int_eq(gf_ratelimit_retry_after_s(1001), 2);
}
END_TEST

START_TEST(each_key_has_its_own_bucket)
{
    gf_ratelimit *rl = table("5/s:5", 16);
    ck_assert_int_eq(allowed(rl, 1, 0, 10), 5);
    ck_assert_int_eq(allowed(rl, 2, 0, 10), 5);
    ck_assert_int_eq(allowed(rl, -3, 0, 10), 5);
    ck_assert_int_eq(allowed(rl, 1, 0, 1), 0);
    ck_assert_uint_eq(gf_ratelimit_size(rl), 3);
    gf_ratelimit_free(rl);
}
END_TEST

START_TEST(a_clock_that_goes_back_gives_no_tokens)
{
    gf_ratelimit *rl = table("5/s:5", 16);
    ck_assert_int_eq(allowed(rl, 1, 10000, 5), 5);
    ck_assert_int_eq(allowed(rl, 1, 5000, 5), 0);
    ck_assert(gf_ratelimit_take(rl, 1, 10200, NULL));
    gf_ratelimit_free(rl);
}
END_TEST

START_TEST(the_table_holds_at_most_its_capacity_and_reuses_the_least_recently_used)
{
    gf_ratelimit *rl = table("1/m:1", 4);
    for (int64_t id = 1; id <= 4; id++)
        ck_assert(gf_ratelimit_take(rl, id, 0, NULL));
    ck_assert(!gf_ratelimit_take(rl, 1, 1, NULL)); /* 1 is now the most recent */
    ck_assert(gf_ratelimit_take(rl, 5, 2, NULL));  /* takes the place of 2, the oldest */
    ck_assert_uint_eq(gf_ratelimit_size(rl), 4);
    ck_assert(!gf_ratelimit_take(rl, 1, 3, NULL)); /* kept: still empty */
    ck_assert(!gf_ratelimit_take(rl, 5, 3, NULL));
    ck_assert(gf_ratelimit_take(rl, 2, 4, NULL)); /* evicted: back with a full bucket */
    for (int64_t id = 100; id < 100000; id++)
        gf_ratelimit_take(rl, id, 5, NULL);
    ck_assert_uint_eq(gf_ratelimit_size(rl), 4);
    /* The last four are there and empty; an older one is gone. */
    ck_assert(!gf_ratelimit_take(rl, 99999, 6, NULL));
    ck_assert(!gf_ratelimit_take(rl, 99996, 6, NULL));
    ck_assert(gf_ratelimit_take(rl, 99990, 6, NULL));
    gf_ratelimit_free(rl);
    gf_ratelimit_free(NULL);
}
END_TEST

typedef struct taker {
    gf_ratelimit *rl;
    int ok;
} taker;

static void *take_many(void *arg)
{
    taker *t = arg;
    for (int i = 0; i < 2000; i++)
        t->ok +=
            gf_ratelimit_take(t->rl, 42, 0, NULL) + gf_ratelimit_take(t->rl, 1000 + i, 0, NULL);
    return NULL;
}

START_TEST(threads_taking_from_one_bucket_get_exactly_its_tokens)
{
    gf_ratelimit *rl = table("1/m:1000", 64);
    taker t[4];
    pthread_t th[4];
    for (int k = 0; k < 4; k++) {
        t[k] = (taker){rl, 0};
        ck_assert_int_eq(pthread_create(&th[k], NULL, take_many, &t[k]), 0);
    }
    int ok = 0;
    for (int k = 0; k < 4; k++) {
        pthread_join(th[k], NULL);
        ok += t[k].ok;
    }
    /* Key 42, touched every other take, is never evicted and gives exactly its 1000 tokens;
     * the 2000 other ids, taken once by each thread, never run out (new or not). */
    ck_assert_int_eq(ok, 1000 + 4 * 2000);
    ck_assert_uint_le(gf_ratelimit_size(rl), 64);
    gf_ratelimit_free(rl);
}
END_TEST

START_TEST(the_configuration_reads_GAPFORGE_RATE_LIMIT_and_refuses_a_bad_one)
{
    gf_config cfg;
    gf_err err = {0};
    unsetenv("GAPFORGE_RATE_LIMIT");
    ck_assert_int_eq(gf_config_from_env(&cfg, &err), 0);
    ck_assert_double_eq(cfg.rate_limit.rate, 0); /* off by default */
    setenv("GAPFORGE_RATE_LIMIT", "off", 1);
    ck_assert_int_eq(gf_config_from_env(&cfg, &err), 0);
    ck_assert_double_eq(cfg.rate_limit.rate, 0);
    setenv("GAPFORGE_RATE_LIMIT", "50/s", 1);
    ck_assert_int_eq(gf_config_from_env(&cfg, &err), 0);
    ck_assert_double_eq(cfg.rate_limit.rate, 50);
    ck_assert_double_eq(cfg.rate_limit.burst, 100);
    ck_assert_uint_gt(cfg.rate_limit_keys, 0);
    setenv("GAPFORGE_RATE_LIMIT", "50/hour", 1);
    ck_assert_int_eq(gf_config_from_env(&cfg, &err), -1);
    ck_assert_int_eq(err.code, GF_EINVALID);
    ck_assert_str_eq(err.field, "GAPFORGE_RATE_LIMIT");
    ck_assert_ptr_nonnull(strstr(err.message, "50/s"));
    unsetenv("GAPFORGE_RATE_LIMIT");
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("ratelimit");
    TCase *tc = tcase_create("buckets");
    tcase_add_test(tc, per_second_and_per_minute_with_a_default_burst_of_twice_the_rate);
    tcase_add_test(tc, anything_else_is_refused);
    tcase_add_test(tc, a_new_key_may_burst_its_whole_bucket_at_once_and_no_more);
    tcase_add_test(tc, tokens_come_back_at_the_rate);
    tcase_add_test(tc, an_idle_bucket_fills_up_to_its_burst_only);
    tcase_add_test(tc, retry_after_is_the_wait_for_the_next_token_in_whole_seconds_rounded_up);
    tcase_add_test(tc, each_key_has_its_own_bucket);
    tcase_add_test(tc, a_clock_that_goes_back_gives_no_tokens);
    tcase_add_test(tc, the_table_holds_at_most_its_capacity_and_reuses_the_least_recently_used);
    tcase_add_test(tc, threads_taking_from_one_bucket_get_exactly_its_tokens);
    tcase_add_test(tc, the_configuration_reads_GAPFORGE_RATE_LIMIT_and_refuses_a_bad_one);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_main(suite());
}

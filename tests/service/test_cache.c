/* test_cache.c — the service's bounded, single-flight cache (src/service/cache.c) that the
 * history and answer caches are made of: a value is computed once per key, concurrent callers of
 * one key wait for the first, the bytes kept stay within the cap (least recently used out first),
 * a value evicted while held lives until released, and a failure is never cached. No database. */
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "cache_internal.h"

static size_t g_cap = 1000;
static atomic_int g_fills, g_frees;

static size_t cap(void)
{
    return g_cap;
}

static void free_value(void *v)
{
    atomic_fetch_add(&g_frees, 1);
    free(v);
}

static gf_svc__cache g_cache = GF_SVC__CACHE_INIT(cap, free_value);

typedef struct fill_arg {
    size_t bytes;
    int fail;
    int sleep_ms;
} fill_arg;

static int fill(void *arg, void **value, size_t *bytes, gf_err *err)
{
    const fill_arg *a = arg;
    atomic_fetch_add(&g_fills, 1);
    if (a->sleep_ms)
        usleep((useconds_t)a->sleep_ms * 1000);
    if (a->fail)
        return gf_err_invalid(err, "x", "failed on purpose");
    *value = malloc(8);
    *bytes = a->bytes;
    return 0;
}

static void reset(void)
{
    gf_svc__cache_clear(&g_cache);
    g_cap = 1000;
    atomic_store(&g_fills, 0);
    atomic_store(&g_frees, 0);
}

static gf_svc__centry *get(uint64_t k, fill_arg a, int *cached)
{
    const uint64_t key[4] = {k, 1, 2, 3};
    gf_svc__centry *e = NULL;
    gf_err err = {0};
    const int rc = gf_svc__cache_get(&g_cache, key, fill, &a, &e, cached, &err);
    return rc == 0 ? e : NULL;
}

/* The entry of key {org, version, 0, 0}, computed (100 bytes) when absent; *cached as get's. */
static gf_svc__centry *get_version(uint64_t org, uint64_t version, int *cached)
{
    const uint64_t key[4] = {org, version, 0, 0};
    gf_svc__centry *e = NULL;
    gf_err err = {0};
    fill_arg a = {.bytes = 100};
    const int rc = gf_svc__cache_get(&g_cache, key, fill, &a, &e, cached, &err);
    return rc == 0 ? e : NULL;
}

START_TEST(a_value_is_computed_once_per_key)
{
    reset();
    int cached = -1;
    gf_svc__centry *a = get(1, (fill_arg){.bytes = 100}, &cached);
    ck_assert_ptr_nonnull(a);
    ck_assert_int_eq(cached, 0);
    gf_svc__centry *b = get(1, (fill_arg){.bytes = 100}, &cached);
    ck_assert_int_eq(cached, 1);
    ck_assert_ptr_eq(gf_svc__centry_value(a), gf_svc__centry_value(b));
    gf_svc__cache_release(&g_cache, a);
    gf_svc__cache_release(&g_cache, b);
    get(2, (fill_arg){.bytes = 100}, &cached);
    ck_assert_int_eq(atomic_load(&g_fills), 2);
}
END_TEST

static void *racer(void *arg)
{
    (void)arg;
    int cached;
    gf_svc__centry *e = get(7, (fill_arg){.bytes = 10, .sleep_ms = 150}, &cached);
    gf_svc__cache_release(&g_cache, e);
    return e;
}

START_TEST(concurrent_callers_of_one_key_wait_for_the_first)
{
    reset();
    pthread_t t[8];
    for (int k = 0; k < 8; k++)
        ck_assert_int_eq(pthread_create(&t[k], NULL, racer, NULL), 0);
    for (int k = 0; k < 8; k++) {
        void *r = NULL;
        pthread_join(t[k], &r);
        ck_assert_ptr_nonnull(r);
    }
    ck_assert_int_eq(atomic_load(&g_fills), 1);
}
END_TEST

START_TEST(the_bytes_kept_stay_within_the_cap_oldest_out_first)
{
    reset();
    int cached;
    for (uint64_t k = 1; k <= 4; k++) /* 4 x 300 > 1000: key 1 goes */
        gf_svc__cache_release(&g_cache, get(k, (fill_arg){.bytes = 300}, &cached));
    gf_svc__cache_stat st;
    gf_svc__cache_stats(&g_cache, &st);
    ck_assert_uint_le(st.bytes, 1000);
    ck_assert_uint_eq(st.entries, 3);
    gf_svc__cache_release(&g_cache, get(2, (fill_arg){.bytes = 300}, &cached));
    ck_assert_int_eq(cached, 1);
    gf_svc__cache_release(&g_cache, get(1, (fill_arg){.bytes = 300}, &cached));
    ck_assert_int_eq(cached, 0); /* evicted; now key 3 (the least recently used) went */
    gf_svc__cache_release(&g_cache, get(3, (fill_arg){.bytes = 300}, &cached));
    ck_assert_int_eq(cached, 0);
    /* A value larger than the cap is answered but not kept. */
    gf_svc__centry *big = get(9, (fill_arg){.bytes = 5000}, &cached);
    ck_assert_ptr_nonnull(big);
    gf_svc__cache_release(&g_cache, big);
    gf_svc__cache_release(&g_cache, get(9, (fill_arg){.bytes = 5000}, &cached));
    ck_assert_int_eq(cached, 0);
}
END_TEST

START_TEST(a_value_evicted_while_held_lives_until_released)
{
    reset();
    int cached;
    gf_svc__centry *held = get(1, (fill_arg){.bytes = 600}, &cached);
    gf_svc__cache_release(&g_cache, get(2, (fill_arg){.bytes = 600}, &cached)); /* evicts 1 */
    ck_assert_int_eq(atomic_load(&g_frees), 0);
    ck_assert_ptr_nonnull(gf_svc__centry_value(held));
    gf_svc__cache_release(&g_cache, held);
    ck_assert_int_eq(atomic_load(&g_frees), 1);
}
END_TEST

START_TEST(an_orgs_older_versions_are_dropped_and_nothing_else)
{
    reset();
    int cached;
    gf_svc__centry *held = get_version(5, 1, &cached);
    gf_svc__cache_release(&g_cache, get_version(5, 2, &cached));
    gf_svc__cache_release(&g_cache, get_version(5, 3, &cached));
    gf_svc__cache_release(&g_cache, get_version(6, 1, &cached));
    gf_svc__cache_drop_older(&g_cache, 5, 3);
    ck_assert_int_eq(atomic_load(&g_frees), 1); /* version 2; version 1 is held */
    gf_svc__cache_release(&g_cache, held);
    ck_assert_int_eq(atomic_load(&g_frees), 2);
    gf_svc__cache_release(&g_cache, get_version(5, 3, &cached));
    ck_assert_int_eq(cached, 1);
    gf_svc__cache_release(&g_cache, get_version(6, 1, &cached));
    ck_assert_int_eq(cached, 1);
    gf_svc__cache_release(&g_cache, get_version(5, 2, &cached));
    ck_assert_int_eq(cached, 0);
    gf_svc__cache_stat st;
    gf_svc__cache_stats(&g_cache, &st);
    ck_assert_uint_eq(st.entries, 3);
}
END_TEST

START_TEST(a_failure_is_not_cached)
{
    reset();
    int cached;
    ck_assert_ptr_null(get(5, (fill_arg){.bytes = 10, .fail = 1}, &cached));
    gf_svc__centry *e = get(5, (fill_arg){.bytes = 10}, &cached);
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(cached, 0);
    gf_svc__cache_release(&g_cache, e);
    ck_assert_int_eq(atomic_load(&g_fills), 2);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("service_cache");
    TCase *tc = tcase_create("cache");
    tcase_add_test(tc, a_value_is_computed_once_per_key);
    tcase_add_test(tc, concurrent_callers_of_one_key_wait_for_the_first);
    tcase_add_test(tc, the_bytes_kept_stay_within_the_cap_oldest_out_first);
    tcase_add_test(tc, a_value_evicted_while_held_lives_until_released);
    tcase_add_test(tc, a_failure_is_not_cached);
    tcase_add_test(tc, an_orgs_older_versions_are_dropped_and_nothing_else);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    const int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}

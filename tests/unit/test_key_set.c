/* test_key_set.c — the import's set of key hashes: distinct keys never report a repeat, an equal
 * key always does, through the set's growth, and clearing empties it. */
#include <stdio.h>
#include <string.h>

#include "gapforge/key_set.h"
#include "unit.h"

static void add(gf_key_set *set, const char *key)
{
    gf_key_set_add(set, key, strlen(key));
}

START_TEST(a_million_distinct_keys_never_may_repeat)
{
    gf_key_set set = {0};
    char key[32];
    for (int i = 0; i < 1000000; i++) {
        snprintf(key, sizeof key, "deal-%07d", i);
        add(&set, key);
    }
    ck_assert(!set.may_repeat);
    ck_assert_uint_eq(set.count, 1000000);
    ck_assert_uint_ge(set.cap, 2 * set.count); /* at most half full */
    gf_key_set_clear(&set);
    ck_assert_uint_eq(set.cap, 0);
    ck_assert(set.slots == NULL);
}
END_TEST

START_TEST(an_equal_key_may_repeat_wherever_it_comes)
{
    gf_key_set set = {0};
    char key[32];
    for (int i = 0; i < 5000; i++) { /* past several doublings */
        snprintf(key, sizeof key, "k%d", i);
        add(&set, key);
    }
    ck_assert(!set.may_repeat);
    add(&set, "k0");
    ck_assert(set.may_repeat);
    gf_key_set_clear(&set);
    add(&set, "a");
    add(&set, "b");
    ck_assert(!set.may_repeat);
    /* Keys are bytes: a prefix or another case is another key. */
    add(&set, "A");
    gf_key_set_add(&set, "ab", 1);
    ck_assert(set.may_repeat);
    gf_key_set_clear(&set);
}
END_TEST

START_TEST(the_hash_is_fnv1a_64)
{
    /* The published FNV-1a 64 values of "" and "a". */
    ck_assert_uint_eq(gf_hash64("", 0), 0xcbf29ce484222325ULL);
    ck_assert_uint_eq(gf_hash64("a", 1), 0xaf63dc4c8601ec8cULL);
}
END_TEST

static Suite *key_set_suite(void)
{
    Suite *s = suite_create("key_set");
    TCase *tc = tcase_create("key_set");
    tcase_add_test(tc, a_million_distinct_keys_never_may_repeat);
    tcase_add_test(tc, an_equal_key_may_repeat_wherever_it_comes);
    tcase_add_test(tc, the_hash_is_fnv1a_64);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_main(key_set_suite());
}

/* test_scope.c — scope strings: org, team:KEY and rep:KEY, and everything else refused. */
#include <string.h>

#include "gapforge/scope.h"
#include "unit.h"

START_TEST(org_names_the_whole_org)
{
    gf_scope_of of = GF_SCOPE_OF_REP;
    const char *key = "x";
    ck_assert_int_eq(gf_scope_parse("org", &of, &key), 0);
    ck_assert_int_eq(of, GF_SCOPE_OF_ORG);
    ck_assert_ptr_null(key);
}
END_TEST

START_TEST(team_and_rep_carry_the_key_after_the_colon)
{
    const char *text = "team:emea-west", *key = NULL;
    gf_scope_of of;
    ck_assert_int_eq(gf_scope_parse(text, &of, &key), 0);
    ck_assert_int_eq(of, GF_SCOPE_OF_TEAM);
    ck_assert_ptr_eq(key, text + 5);
    ck_assert_int_eq(gf_scope_parse("rep:ana", &of, &key), 0);
    ck_assert_int_eq(of, GF_SCOPE_OF_REP);
    ck_assert_str_eq(key, "ana");
}
END_TEST

START_TEST(a_key_is_one_to_sixty_four_bytes)
{
    char text[80] = "rep:";
    gf_scope_of of;
    const char *key;
    memset(text + 4, 'k', 64);
    ck_assert_int_eq(gf_scope_parse(text, &of, &key), 0);
    text[4 + 64] = 'k';
    ck_assert_int_eq(gf_scope_parse(text, &of, &key), -1);
    ck_assert_int_eq(gf_scope_parse("rep:", &of, &key), -1);
    ck_assert_int_eq(gf_scope_parse("team:", &of, &key), -1);
}
END_TEST

START_TEST(anything_else_is_refused_and_leaves_the_outputs)
{
    static const char *const bad[] = {"",        "Org", "org ", "orgs",   "team",
                                      "teams:a", "rep", ":a",   "user:a", " rep:a"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        gf_scope_of of = GF_SCOPE_OF_TEAM;
        const char *key = "unchanged";
        ck_assert_msg(gf_scope_parse(bad[i], &of, &key) == -1, "%s accepted", bad[i]);
        ck_assert_int_eq(of, GF_SCOPE_OF_TEAM);
        ck_assert_str_eq(key, "unchanged");
    }
    gf_scope_of of;
    const char *key;
    ck_assert_int_eq(gf_scope_parse(NULL, &of, &key), -1);
}
END_TEST

static Suite *scope_suite(void)
{
    Suite *s = suite_create("scope");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, org_names_the_whole_org);
    tcase_add_test(tc, team_and_rep_carry_the_key_after_the_colon);
    tcase_add_test(tc, a_key_is_one_to_sixty_four_bytes);
    tcase_add_test(tc, anything_else_is_refused_and_leaves_the_outputs);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_main(scope_suite());
}

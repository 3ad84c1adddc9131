/* test_router.c — how gf_http_route_match maps a method and a path onto the routing table. */
#include <string.h>

#include "gapforge/http.h"
#include "unit.h"

static void h_any(gf_req *req, gf_resp *resp)
{
    (void)req;
    (void)resp;
}

/* A table shaped like the service's: literals, one-parameter routes, a nested parameter route
 * and one with the maximum number of parameters. */
static const gf_route routes[] = {
    {"GET", "/healthz", h_any, GF_SCOPE_NONE, false},
    {"POST", "/v1/orgs", h_any, GF_SCOPE_SERVICE, true},
    {"GET", "/v1/org", h_any, GF_SCOPE_READ, false},
    {"PATCH", "/v1/org", h_any, GF_SCOPE_ADMIN, true},
    {"GET", "/v1/api-keys", h_any, GF_SCOPE_ADMIN, false},
    {"POST", "/v1/api-keys", h_any, GF_SCOPE_ADMIN, true},
    {"DELETE", "/v1/api-keys/{id}", h_any, GF_SCOPE_ADMIN, false},
    {"PUT", "/v1/deals/by-external-id/{external_id}", h_any, GF_SCOPE_WRITE, true},
    {"GET", "/v1/deals/{id}", h_any, GF_SCOPE_READ, false},
    {"GET", "/v1/deals/{id}/history", h_any, GF_SCOPE_READ, false},
    {"GET", "/v1/x/{a}/{b}/y/{c}/{d}", h_any, GF_SCOPE_READ, false},
};
static const size_t nroutes = sizeof routes / sizeof routes[0];

/* One match attempt with its outputs, so each test reads as one call and its assertions. */
typedef struct attempt {
    gf_match m;
    const gf_route *route;
    const char *params[GF_MAX_PATH_PARAMS];
    size_t nparams;
    char buf[512];
    char allow[64];
} attempt;

static attempt *try_match(const char *method, const char *path)
{
    static attempt a;
    memset(&a, 0, sizeof a);
    ck_assert_uint_lt(strlen(path), sizeof a.buf);
    a.m = gf_http_route_match(routes, nroutes, method, path, &a.route, a.params, &a.nparams, a.buf,
                              a.allow, sizeof a.allow);
    return &a;
}

START_TEST(literal_path_matches_its_route)
{
    attempt *a = try_match("GET", "/healthz");
    ck_assert_int_eq(a->m, GF_MATCH_FOUND);
    ck_assert_ptr_eq(a->route, &routes[0]);
    ck_assert_uint_eq(a->nparams, 0);
}
END_TEST

START_TEST(same_path_picks_the_route_of_the_method)
{
    attempt *a = try_match("PATCH", "/v1/org");
    ck_assert_int_eq(a->m, GF_MATCH_FOUND);
    ck_assert_ptr_eq(a->route, &routes[3]);
    a = try_match("GET", "/v1/org");
    ck_assert_int_eq(a->m, GF_MATCH_FOUND);
    ck_assert_ptr_eq(a->route, &routes[2]);
}
END_TEST

START_TEST(parameter_is_captured_into_the_copy_buffer)
{
    attempt *a = try_match("DELETE", "/v1/api-keys/42");
    ck_assert_int_eq(a->m, GF_MATCH_FOUND);
    ck_assert_ptr_eq(a->route, &routes[6]);
    ck_assert_uint_eq(a->nparams, 1);
    ck_assert_str_eq(a->params[0], "42");
    /* The parameter points into the caller's buffer, not into the path. */
    ck_assert(a->params[0] >= a->buf && a->params[0] < a->buf + sizeof a->buf);
}
END_TEST

START_TEST(parameters_are_captured_in_pattern_order)
{
    attempt *a = try_match("GET", "/v1/x/one/two/y/three/four");
    ck_assert_int_eq(a->m, GF_MATCH_FOUND);
    ck_assert_uint_eq(a->nparams, 4);
    ck_assert_str_eq(a->params[0], "one");
    ck_assert_str_eq(a->params[1], "two");
    ck_assert_str_eq(a->params[2], "three");
    ck_assert_str_eq(a->params[3], "four");
}
END_TEST

START_TEST(literal_segment_wins_over_a_longer_parameter_route)
{
    attempt *a = try_match("PUT", "/v1/deals/by-external-id/crm-7");
    ck_assert_int_eq(a->m, GF_MATCH_FOUND);
    ck_assert_ptr_eq(a->route, &routes[7]);
    ck_assert_str_eq(a->params[0], "crm-7");
    a = try_match("GET", "/v1/deals/7/history");
    ck_assert_int_eq(a->m, GF_MATCH_FOUND);
    ck_assert_ptr_eq(a->route, &routes[9]);
    ck_assert_str_eq(a->params[0], "7");
}
END_TEST

/* Pinned behaviour: one trailing slash is ignored, so "/v1/org/" is "/v1/org". */
START_TEST(trailing_slash_matches_the_same_route)
{
    attempt *a = try_match("GET", "/v1/org/");
    ck_assert_int_eq(a->m, GF_MATCH_FOUND);
    ck_assert_ptr_eq(a->route, &routes[2]);
    a = try_match("DELETE", "/v1/api-keys/9/");
    ck_assert_int_eq(a->m, GF_MATCH_FOUND);
    ck_assert_str_eq(a->params[0], "9");
}
END_TEST

START_TEST(unknown_path_is_not_found)
{
    ck_assert_int_eq(try_match("GET", "/v1/nope")->m, GF_MATCH_NO_PATH);
    ck_assert_int_eq(try_match("GET", "/")->m, GF_MATCH_NO_PATH);
    ck_assert_int_eq(try_match("GET", "")->m, GF_MATCH_NO_PATH);
}
END_TEST

START_TEST(literal_segments_match_whole_and_case_sensitive)
{
    ck_assert_int_eq(try_match("GET", "/v1/or")->m, GF_MATCH_NO_PATH);
    ck_assert_int_eq(try_match("GET", "/v1/orgx")->m, GF_MATCH_NO_PATH);
    ck_assert_int_eq(try_match("GET", "/V1/org")->m, GF_MATCH_NO_PATH);
    ck_assert_int_eq(try_match("GET", "/healthz/x")->m, GF_MATCH_NO_PATH);
}
END_TEST

START_TEST(prefix_or_extension_of_a_pattern_is_not_found)
{
    ck_assert_int_eq(try_match("GET", "/v1")->m, GF_MATCH_NO_PATH);
    ck_assert_int_eq(try_match("GET", "/v1/org/extra")->m, GF_MATCH_NO_PATH);
    ck_assert_int_eq(try_match("GET", "/v1/deals/7/history/more")->m, GF_MATCH_NO_PATH);
}
END_TEST

START_TEST(wrong_method_lists_the_allowed_methods)
{
    attempt *a = try_match("DELETE", "/v1/org");
    ck_assert_int_eq(a->m, GF_MATCH_NO_METHOD);
    ck_assert_str_eq(a->allow, "GET, PATCH");
    a = try_match("PUT", "/v1/api-keys");
    ck_assert_int_eq(a->m, GF_MATCH_NO_METHOD);
    ck_assert_str_eq(a->allow, "GET, POST");
    a = try_match("GET", "/v1/api-keys/3");
    ck_assert_int_eq(a->m, GF_MATCH_NO_METHOD);
    ck_assert_str_eq(a->allow, "DELETE");
}
END_TEST

/* Methods are case-sensitive (RFC 9110): "get" is a different, unsupported method. */
START_TEST(method_comparison_is_case_sensitive)
{
    attempt *a = try_match("get", "/healthz");
    ck_assert_int_eq(a->m, GF_MATCH_NO_METHOD);
    ck_assert_str_eq(a->allow, "GET");
}
END_TEST

START_TEST(too_many_segments_is_not_found)
{
    char path[256] = "";
    for (int i = 0; i < 40; i++)
        strcat(path, "/s");
    ck_assert_int_eq(try_match("GET", path)->m, GF_MATCH_NO_PATH);
}
END_TEST

START_TEST(empty_parameter_segment_does_not_match)
{
    ck_assert_int_eq(try_match("GET", "/v1/deals//history")->m, GF_MATCH_NO_PATH);
    ck_assert_int_eq(try_match("DELETE", "/v1/api-keys//")->m, GF_MATCH_NO_PATH);
    ck_assert_int_eq(try_match("GET", "/v1/x/a//y/c/d")->m, GF_MATCH_NO_PATH);
}
END_TEST

/* With the parameter left out, the path is the collection: DELETE there is a 405, not a
 * delete of an empty id. */
START_TEST(missing_parameter_falls_back_to_the_collection)
{
    attempt *a = try_match("DELETE", "/v1/api-keys/");
    ck_assert_int_eq(a->m, GF_MATCH_NO_METHOD);
    ck_assert_str_eq(a->allow, "GET, POST");
}
END_TEST

START_TEST(empty_segment_between_literals_is_not_found)
{
    ck_assert_int_eq(try_match("GET", "/v1//org")->m, GF_MATCH_NO_PATH);
}
END_TEST

/* Issue 13: the path is matched as sent and only then decoded, so an encoded slash stays in its
 * parameter and does not split the path. */
START_TEST(encoded_slash_stays_inside_its_parameter)
{
    attempt *a = try_match("PUT", "/v1/deals/by-external-id/a%2Fb");
    ck_assert_int_eq(a->m, GF_MATCH_FOUND);
    ck_assert_ptr_eq(a->route, &routes[7]);
    ck_assert_uint_eq(a->nparams, 1);
    ck_assert_str_eq(a->params[0], "a/b");
}
END_TEST

START_TEST(parameters_are_percent_decoded_after_matching)
{
    attempt *a = try_match("GET", "/v1/x/caf%C3%A9/a%20b/y/%25/plain");
    ck_assert_int_eq(a->m, GF_MATCH_FOUND);
    ck_assert_str_eq(a->params[0], "caf\xC3\xA9");
    ck_assert_str_eq(a->params[1], "a b");
    ck_assert_str_eq(a->params[2], "%");
    ck_assert_str_eq(a->params[3], "plain");
}
END_TEST

START_TEST(encoded_literal_segment_is_not_its_literal)
{
    ck_assert_int_eq(try_match("GET", "/v1/%64eals/7")->m, GF_MATCH_NO_PATH);
}
END_TEST

START_TEST(parameter_that_decodes_to_no_utf8_or_nul_is_a_bad_parameter)
{
    ck_assert_int_eq(try_match("GET", "/v1/deals/%ff")->m, GF_MATCH_BAD_PARAM);
    ck_assert_int_eq(try_match("GET", "/v1/deals/a%00b")->m, GF_MATCH_BAD_PARAM);
    ck_assert_int_eq(try_match("GET", "/v1/deals/%C3")->m, GF_MATCH_BAD_PARAM);
}
END_TEST

START_TEST(malformed_escape_is_a_bad_parameter)
{
    ck_assert_int_eq(try_match("GET", "/v1/deals/%zz")->m, GF_MATCH_BAD_PARAM);
    ck_assert_int_eq(try_match("GET", "/v1/deals/12%4")->m, GF_MATCH_BAD_PARAM);
    ck_assert_int_eq(try_match("GET", "/v1/deals/%")->m, GF_MATCH_BAD_PARAM);
}
END_TEST

static Suite *router_suite(void)
{
    Suite *s = suite_create("router");
    TCase *tc = tcase_create("match");
    tcase_add_test(tc, literal_path_matches_its_route);
    tcase_add_test(tc, same_path_picks_the_route_of_the_method);
    tcase_add_test(tc, parameter_is_captured_into_the_copy_buffer);
    tcase_add_test(tc, parameters_are_captured_in_pattern_order);
    tcase_add_test(tc, literal_segment_wins_over_a_longer_parameter_route);
    tcase_add_test(tc, trailing_slash_matches_the_same_route);
    tcase_add_test(tc, unknown_path_is_not_found);
    tcase_add_test(tc, literal_segments_match_whole_and_case_sensitive);
    tcase_add_test(tc, prefix_or_extension_of_a_pattern_is_not_found);
    tcase_add_test(tc, wrong_method_lists_the_allowed_methods);
    tcase_add_test(tc, method_comparison_is_case_sensitive);
    tcase_add_test(tc, too_many_segments_is_not_found);
    tcase_add_test(tc, empty_parameter_segment_does_not_match);
    tcase_add_test(tc, missing_parameter_falls_back_to_the_collection);
    tcase_add_test(tc, empty_segment_between_literals_is_not_found);
    tcase_add_test(tc, encoded_slash_stays_inside_its_parameter);
    tcase_add_test(tc, parameters_are_percent_decoded_after_matching);
    tcase_add_test(tc, encoded_literal_segment_is_not_its_literal);
    tcase_add_test(tc, parameter_that_decodes_to_no_utf8_or_nul_is_a_bad_parameter);
    tcase_add_test(tc, malformed_escape_is_a_bad_parameter);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_main(router_suite());
}

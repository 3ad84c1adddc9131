/* test_schema.c — the contract checker itself: YAML to JSON, the schema validator and the
 * operation lookup, on small specs and on openapi.yaml. No database, no server. */
#include <check.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "contract.h"
#include "gapforge/api.h"

static char g_msg[2048];

/* The schema (YAML text) parsed, with the document itself as the $ref root. */
static json_t *yaml(const char *text)
{
    char err[512];
    json_t *v = contract_yaml_parse(text, strlen(text), err, sizeof err);
    ck_assert_msg(v != NULL, "yaml: %s", err);
    return v;
}

/* Validates JSON text against the YAML schema; returns 0 or -1 (message in g_msg). */
static int check(const char *schema_yaml, const char *instance_json)
{
    json_t *s = yaml(schema_yaml);
    json_error_t jerr;
    json_t *inst = json_loads(instance_json, JSON_DECODE_ANY, &jerr);
    ck_assert_msg(inst != NULL, "json: %s", jerr.text);
    int rc = contract_validate(s, s, inst, g_msg, sizeof g_msg);
    json_decref(inst);
    json_decref(s);
    return rc;
}

/* Asserts that the instance fails and the message names pointer and contains reason. */
#define expect_fail(schema, inst, pointer, reason)                                       \
    do {                                                                                 \
        ck_assert_int_eq(check(schema, inst), -1);                                       \
        ck_assert_msg(strncmp(g_msg, pointer ": ", strlen(pointer) + 2) == 0,            \
                      "want pointer %s in: %s", pointer, g_msg);                         \
        ck_assert_msg(strstr(g_msg, reason) != NULL, "want '%s' in: %s", reason, g_msg); \
    } while (0)

static const char deal_schema[] = "type: object\n"
                                  "required: [id, stage, close_date]\n"
                                  "additionalProperties: false\n"
                                  "properties:\n"
                                  "  id: {type: integer, minimum: 1}\n"
                                  "  stage: {type: string, enum: [open, won, lost]}\n"
                                  "  close_date: {type: [string, 'null'], format: date}\n"
                                  "  tags: {type: array, items: {type: string, maxLength: 3}}\n";

START_TEST(yaml_plain_scalars_resolve_like_the_core_schema)
{
    json_t *v = yaml("a: 12\nb: 1.5\nc: true\nd: null\ne: ~\nf: '12'\ng: 0.1.0\nh: 2026-01-05\n"
                     "i: [x, 'null', -3]\nj: |\n  two\n  lines\nk: {x: 1}\nl:\n");
    ck_assert(json_is_integer(json_object_get(v, "a")));
    ck_assert(json_is_real(json_object_get(v, "b")));
    ck_assert(json_is_true(json_object_get(v, "c")));
    ck_assert(json_is_null(json_object_get(v, "d")));
    ck_assert(json_is_null(json_object_get(v, "e")));
    ck_assert_str_eq(json_string_value(json_object_get(v, "f")), "12");
    ck_assert_str_eq(json_string_value(json_object_get(v, "g")), "0.1.0");
    ck_assert_str_eq(json_string_value(json_object_get(v, "h")), "2026-01-05");
    json_t *i = json_object_get(v, "i");
    ck_assert_str_eq(json_string_value(json_array_get(i, 1)), "null");
    ck_assert_int_eq(json_integer_value(json_array_get(i, 2)), -3);
    ck_assert_str_eq(json_string_value(json_object_get(v, "j")), "two\nlines\n");
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(v, "k"), "x")), 1);
    ck_assert(json_is_null(json_object_get(v, "l")));
    json_decref(v);
}
END_TEST

START_TEST(yaml_duplicate_keys_and_syntax_errors_are_refused)
{
    char err[512];
    ck_assert_ptr_null(contract_yaml_parse("a: 1\na: 2\n", 10, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "duplicate key a"));
    const char *bad = "a: [1, 2\n";
    ck_assert_ptr_null(contract_yaml_parse(bad, strlen(bad), err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "line"));
}
END_TEST

START_TEST(a_valid_object_passes)
{
    ck_assert_msg(check(deal_schema, "{\"id\": 4, \"stage\": \"won\", \"close_date\": null, "
                                     "\"tags\": [\"a\", \"bc\"]}") == 0,
                  "%s", g_msg);
    ck_assert_msg(check(deal_schema, "{\"id\": 4, \"stage\": \"won\", "
                                     "\"close_date\": \"2024-02-29\"}") == 0,
                  "%s", g_msg);
}
END_TEST

START_TEST(a_wrong_type_is_caught_at_its_pointer)
{
    expect_fail(deal_schema, "{\"id\": \"4\", \"stage\": \"won\", \"close_date\": null}", "/id",
                "expected integer, got string");
    expect_fail(deal_schema, "{\"id\": 4, \"stage\": \"won\", \"close_date\": 3}", "/close_date",
                "expected one of [\"string\",\"null\"], got integer");
    expect_fail(deal_schema, "{\"id\": 4.5, \"stage\": \"won\", \"close_date\": null}", "/id",
                "expected integer, got number");
    expect_fail(deal_schema, "[]", "(root)", "expected object, got array");
}
END_TEST

START_TEST(an_integral_real_is_an_integer)
{
    ck_assert_int_eq(check("type: integer", "3.0"), 0);
    ck_assert_int_eq(check("type: number", "3"), 0);
}
END_TEST

START_TEST(a_missing_required_property_is_caught)
{
    expect_fail(deal_schema, "{\"id\": 4, \"close_date\": null}", "(root)",
                "required property \"stage\" is missing");
}
END_TEST

START_TEST(an_unknown_enum_value_is_caught)
{
    expect_fail(deal_schema, "{\"id\": 4, \"stage\": \"maybe\", \"close_date\": null}", "/stage",
                "\"maybe\" is not one of the enum's values");
}
END_TEST

START_TEST(an_unexpected_property_is_caught_when_additional_properties_is_false)
{
    expect_fail(deal_schema, "{\"id\": 4, \"stage\": \"won\", \"close_date\": null, \"x\": 1}",
                "/x", "property \"x\" is not allowed");
    ck_assert_int_eq(check("type: object\nproperties: {a: {type: string}}", "{\"x\": 1}"), 0);
    expect_fail("type: object\nadditionalProperties: {type: string}", "{\"x\": 1}", "/x",
                "expected string");
}
END_TEST

START_TEST(array_items_are_checked_with_their_index_in_the_pointer)
{
    expect_fail(
        deal_schema,
        "{\"id\": 4, \"stage\": \"won\", \"close_date\": null, \"tags\": [\"a\", \"long\"]}",
        "/tags/1", "is longer than 3");
    expect_fail("{type: array, minItems: 2}", "[1]", "(root)", "fewer than 2");
    expect_fail("{type: array, uniqueItems: true}", "[1, 2, 1]", "(root)", "are equal");
}
END_TEST

START_TEST(refs_resolve_through_components_with_sibling_keywords)
{
    const char *spec = "components:\n"
                       "  schemas:\n"
                       "    Base:\n"
                       "      type: object\n"
                       "      required: [items, next_cursor]\n"
                       "      properties:\n"
                       "        next_cursor: {type: [string, 'null']}\n"
                       "    Page:\n"
                       "      $ref: '#/components/schemas/Base'\n"
                       "      properties:\n"
                       "        items: {type: array, items: {$ref: '#/components/schemas/Item'}}\n"
                       "    Item: {type: object, required: [key], properties: {key: {const: k}}}\n"
                       "$ref: '#/components/schemas/Page'\n";
    ck_assert_msg(check(spec, "{\"items\": [{\"key\": \"k\"}], \"next_cursor\": null}") == 0, "%s",
                  g_msg);
    expect_fail(spec, "{\"items\": [{\"key\": \"j\"}], \"next_cursor\": null}", "/items/0/key",
                "constant");
    expect_fail(spec, "{\"items\": []}", "(root)", "\"next_cursor\" is missing");
    expect_fail("$ref: '#/nowhere'", "1", "(root)", "names nothing");
}
END_TEST

START_TEST(one_of_any_of_and_all_of_combine)
{
    const char *one = "oneOf: [{type: integer}, {type: number, minimum: 10}]";
    ck_assert_int_eq(check(one, "3"), 0);
    ck_assert_int_eq(check(one, "10.5"), 0);
    expect_fail(one, "12", "(root)", "matches 2 branches of oneOf");
    expect_fail(one, "\"x\"", "(root)", "matches 0 branches of oneOf");
    const char *any = "anyOf: [{type: string, format: date}, {type: string, format: date-time}]";
    ck_assert_int_eq(check(any, "\"2026-01-31\""), 0);
    ck_assert_int_eq(check(any, "\"2026-01-31T10:00:00.5+01:00\""), 0);
    expect_fail(any, "\"2026-02-30\"", "(root)", "matches no branch of anyOf");
    const char *all = "allOf: [{type: object, properties: {a: {type: integer}}}, "
                      "{required: [b]}]\nunevaluatedProperties: false\n"
                      "properties: {b: {type: boolean}}";
    ck_assert_msg(check(all, "{\"a\": 1, \"b\": true}") == 0, "%s", g_msg);
    expect_fail(all, "{\"a\": 1}", "(root)", "\"b\" is missing");
    expect_fail(all, "{\"a\": 1, \"b\": true, \"c\": 0}", "/c", "not allowed");
}
END_TEST

START_TEST(bounds_lengths_patterns_and_formats_are_checked)
{
    expect_fail("{type: number, minimum: 0}", "-0.5", "(root)", "less than the minimum");
    expect_fail("{type: number, maximum: 1}", "1.5", "(root)", "more than the maximum");
    expect_fail("{type: number, exclusiveMaximum: 1}", "1", "(root)", "not less than");
    expect_fail("{type: string, minLength: 2}", "\"\xc3\xa9\"", "(root)", "shorter than 2");
    ck_assert_int_eq(check("{type: string, maxLength: 1}", "\"\xc3\xa9\""), 0);
    expect_fail("{type: string, pattern: '^[a-z]{2}$'}", "\"abc\"", "(root)", "does not match");
    expect_fail("{type: string, format: date}", "\"2026-1-05\"", "(root)", "not a date");
    expect_fail("{type: string, format: date-time}", "\"2026-01-05 10:00:00\"", "(root)",
                "not an RFC 3339 date-time");
    expect_fail("{type: string, format: date-time}", "\"2026-01-05T10:00:00\"", "(root)",
                "not an RFC 3339 date-time");
    ck_assert_int_eq(check("{type: string, format: date-time}", "\"2026-01-05T10:00:00Z\""), 0);
}
END_TEST

/* openapi.yaml, loaded once per test (Check forks). */
static json_t *spec(void)
{
    char path[4096], err[512];
    const char *src = getenv("GAPFORGE_SOURCE_ROOT");
    snprintf(path, sizeof path, "%s/openapi.yaml", src ? src : ".");
    json_t *s = contract_yaml_load(path, err, sizeof err);
    ck_assert_msg(s != NULL, "%s", err);
    return s;
}

static int check_resp(const json_t *s, const char *method, const char *path, long status,
                      const char *body)
{
    json_t *b = body ? json_loads(body, 0, NULL) : NULL;
    ck_assert(!body || b);
    int rc = contract_check_response(s, method, path, status, NULL, b, body ? strlen(body) : 0,
                                     g_msg, sizeof g_msg);
    json_decref(b);
    return rc;
}

/* Asserts that every "$ref" under v names something in the spec, and every pattern compiles. */
static void check_refs(const json_t *s, const json_t *v, int *nrefs)
{
    const char *key;
    json_t *sub;
    size_t i;
    if (json_is_array(v))
        json_array_foreach(v, i, sub) check_refs(s, sub, nrefs);
    if (!json_is_object(v))
        return;
    json_object_foreach((json_t *)v, key, sub)
    {
        if (strcmp(key, "$ref") == 0 && json_is_string(sub)) {
            json_t *probe = json_pack("{s:O}", "$ref", sub);
            contract_validate(s, probe, json_null(), g_msg, sizeof g_msg);
            json_decref(probe);
            ck_assert_msg(!strstr(g_msg, "names nothing"), "%s", g_msg);
            (*nrefs)++;
        } else if (strcmp(key, "pattern") == 0 && json_is_string(sub)) {
            json_t *probe = json_pack("{s:O}", "pattern", sub), *empty = json_string("");
            contract_validate(s, probe, empty, g_msg, sizeof g_msg);
            json_decref(probe);
            json_decref(empty);
            ck_assert_msg(!strstr(g_msg, "not a POSIX"), "%s", g_msg);
        } else {
            check_refs(s, sub, nrefs);
        }
    }
}

START_TEST(openapi_yaml_loads_and_every_ref_in_it_resolves)
{
    json_t *s = spec();
    ck_assert_str_eq(json_string_value(json_object_get(s, "openapi")), "3.1.0");
    int nrefs = 0;
    check_refs(s, s, &nrefs);
    ck_assert_int_gt(nrefs, 100);
    json_decref(s);
}
END_TEST

static const char deal_json[] =
    "{\"id\": 42, \"external_id\": \"CRM-1\", \"name\": \"n\", \"account\": null, "
    "\"owner\": null, \"amount\": 10.5, \"stage\": \"won\", \"status\": \"won\", "
    "\"category\": \"commit\", \"source\": \"sales\", \"created_on\": \"2026-01-02\", "
    "\"close_date\": null, \"closed_on\": \"2026-01-03\", "
    "\"created_at\": \"2026-01-02T10:00:00.123+00:00\", "
    "\"updated_at\": \"2026-01-02T10:00:00.123+00:00\"}";

START_TEST(a_response_is_checked_against_its_operation_and_status)
{
    json_t *s = spec();
    ck_assert_msg(check_resp(s, "GET", "/v1/deals/42?x=1", 200, deal_json) == 0, "%s", g_msg);
    ck_assert_int_eq(check_resp(s, "GET", "/v1/deals/42", 200, "{\"id\": 42}"), -1);
    ck_assert_ptr_nonnull(strstr(g_msg, "GET /v1/deals/{id} (getDeal) 200"));
    ck_assert_ptr_nonnull(strstr(g_msg, "\"external_id\" is missing"));
    ck_assert_int_eq(
        check_resp(s, "GET", "/v1/deals/42", 404,
                   "{\"error\": {\"code\": \"not_found\", \"message\": \"deal not found\"}}"),
        0);
    json_decref(s);
}
END_TEST

START_TEST(an_undocumented_status_fails)
{
    json_t *s = spec();
    ck_assert_int_eq(check_resp(s, "GET", "/healthz", 418, "{\"status\": \"ok\"}"), -1);
    ck_assert_ptr_nonnull(strstr(g_msg, "undocumented status 418"));
    json_decref(s);
}
END_TEST

START_TEST(an_unknown_path_may_only_answer_an_error)
{
    json_t *s = spec();
    const char *err = "{\"error\": {\"code\": \"not_found\", \"message\": \"no such path\"}}";
    ck_assert_int_eq(check_resp(s, "GET", "/v1/nothing-here", 404, err), 0);
    ck_assert_int_eq(check_resp(s, "GET", "/v1/nothing-here", 404, "{\"oops\": 1}"), -1);
    ck_assert_int_eq(check_resp(s, "GET", "/v1/nothing-here", 200, "{}"), -1);
    ck_assert_ptr_nonnull(strstr(g_msg, "no such operation"));
    json_decref(s);
}
END_TEST

START_TEST(the_literal_path_wins_over_a_template_as_in_the_router)
{
    json_t *s = spec();
    /* by-external-id/history is the deal with external id "history", not a deal's history. */
    ck_assert_msg(check_resp(s, "GET", "/v1/deals/by-external-id/history", 200, deal_json) == 0,
                  "%s", g_msg);
    json_decref(s);
}
END_TEST

/* The operation of spec for method and route pattern (same templates as the router). */
static const json_t *spec_operation(const json_t *s, const char *method, const char *pattern)
{
    char m[16];
    size_t i = 0;
    for (; method[i] && i < sizeof m - 1; i++)
        m[i] = (char)(method[i] - 'A' + 'a');
    m[i] = '\0';
    return json_object_get(json_object_get(json_object_get(s, "paths"), pattern), m);
}

START_TEST(every_route_has_an_operation_and_every_operation_a_route)
{
    json_t *s = spec();
    for (size_t r = 0; r < gf_api_nroutes; r++)
        ck_assert_msg(spec_operation(s, gf_api_routes[r].method, gf_api_routes[r].pattern),
                      "openapi.yaml does not describe %s %s", gf_api_routes[r].method,
                      gf_api_routes[r].pattern);
    const char *path;
    json_t *item;
    json_object_foreach(json_object_get(s, "paths"), path, item)
    {
        const char *m;
        json_t *op;
        json_object_foreach(item, m, op)
        {
            if (strcmp(m, "parameters") == 0)
                continue;
            bool routed = false;
            for (size_t r = 0; r < gf_api_nroutes && !routed; r++)
                routed = strcmp(gf_api_routes[r].pattern, path) == 0 &&
                         strcasecmp(gf_api_routes[r].method, m) == 0;
            ck_assert_msg(routed, "openapi.yaml describes %s %s, which no route serves", m, path);
        }
    }
    json_decref(s);
}
END_TEST

static Suite *schema_suite(void)
{
    Suite *s = suite_create("schema");
    TCase *tc = tcase_create("validator");
    tcase_add_test(tc, yaml_plain_scalars_resolve_like_the_core_schema);
    tcase_add_test(tc, yaml_duplicate_keys_and_syntax_errors_are_refused);
    tcase_add_test(tc, a_valid_object_passes);
    tcase_add_test(tc, a_wrong_type_is_caught_at_its_pointer);
    tcase_add_test(tc, an_integral_real_is_an_integer);
    tcase_add_test(tc, a_missing_required_property_is_caught);
    tcase_add_test(tc, an_unknown_enum_value_is_caught);
    tcase_add_test(tc, an_unexpected_property_is_caught_when_additional_properties_is_false);
    tcase_add_test(tc, array_items_are_checked_with_their_index_in_the_pointer);
    tcase_add_test(tc, refs_resolve_through_components_with_sibling_keywords);
    tcase_add_test(tc, one_of_any_of_and_all_of_combine);
    tcase_add_test(tc, bounds_lengths_patterns_and_formats_are_checked);
    suite_add_tcase(s, tc);
    TCase *ops = tcase_create("operations");
    tcase_add_test(ops, openapi_yaml_loads_and_every_ref_in_it_resolves);
    tcase_add_test(ops, every_route_has_an_operation_and_every_operation_a_route);
    tcase_add_test(ops, a_response_is_checked_against_its_operation_and_status);
    tcase_add_test(ops, an_undocumented_status_fails);
    tcase_add_test(ops, an_unknown_path_may_only_answer_an_error);
    tcase_add_test(ops, the_literal_path_wins_over_a_template_as_in_the_router);
    suite_add_tcase(s, ops);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(schema_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

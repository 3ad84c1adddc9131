/* test_people.c — stages, teams and reps over real HTTP against real PostgreSQL. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

/* A valid four-stage list: two open stages, won and lost. */
static const char *const four_stages =
    "{\"items\": ["
    "{\"key\": \"qualify\", \"name\": \"Qualify\", \"kind\": \"open\", \"probability\": 0.1},"
    "{\"key\": \"propose\", \"name\": \"Propose\", \"kind\": \"open\", \"probability\": 0.5},"
    "{\"key\": \"won\", \"name\": \"Won\", \"kind\": \"won\", \"probability\": 1},"
    "{\"key\": \"lost\", \"name\": \"Lost\", \"kind\": \"lost\", \"probability\": 0}]}";

/* The shorthands below are macros so that a failure names the caller's line. */

/* Puts body as the stage list and asserts 200. */
#define put_stages(key, body) fx_expect_status(t_put((key), "/v1/stages", (body)), 200)

/* The comma-joined keys of the org's stages, in order (caller frees). */
static char *stage_keys(const char *key)
{
    return fx_list_of(key, "key", "/v1/stages");
}

/* Creates a resource with POST and asserts 201. */
#define create(key, path, body) fx_expect_status(t_post((key), (path), (body)), 201)

/* Asserts that PUT /v1/stages with body is 422 naming field. */
#define expect_stages_422(key, body, field) \
    fx_expect_invalid(t_put((key), "/v1/stages", (body)), field)

START_TEST(stages_of_a_new_org_are_an_empty_list)
{
    char key[128];
    t_new_org(key, NULL);
    t_resp r = t_get(key, "/v1/stages");
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(fx_n_items(&r), 0);
    ck_assert(json_is_null(json_object_get(r.body, "next_cursor")));
    t_resp_free(&r);
}
END_TEST

START_TEST(stages_put_returns_the_list_in_order_with_positions)
{
    char key[128];
    t_new_org(key, NULL);
    t_resp r = t_put(key, "/v1/stages", four_stages);
    ck_assert_int_eq(r.status, 200);
    json_t *items = json_object_get(r.body, "items");
    ck_assert_int_eq(json_array_size(items), 4);
    json_t *second = json_array_get(items, 1);
    ck_assert_str_eq(t_str(second, "key"), "propose");
    ck_assert_str_eq(t_str(second, "name"), "Propose");
    ck_assert_str_eq(t_str(second, "kind"), "open");
    ck_assert_int_eq(t_int(second, "position"), 1);
    ck_assert_double_eq_tol(t_num(second, "probability"), 0.5, 1e-9);
    ck_assert_int_eq(t_int(json_array_get(items, 3), "position"), 3);
    ck_assert_double_eq_tol(t_num(json_array_get(items, 2), "probability"), 1.0, 1e-9);
    t_resp_free(&r);
    char *keys = stage_keys(key);
    ck_assert_str_eq(keys, "qualify,propose,won,lost");
    free(keys);
}
END_TEST

START_TEST(stages_put_keeps_ids_of_kept_keys_and_drops_unlisted)
{
    char key[128], slug[64];
    t_new_org(key, slug);
    put_stages(key, four_stages);
    char *before = fx_sqlf("SELECT s.id FROM stages s JOIN orgs o ON o.id = s.org_id "
                           "WHERE o.slug = '%s' AND s.key = 'propose'",
                           slug);
    put_stages(key, "{\"items\": ["
                    "{\"key\": \"propose\", \"name\": \"Proposal sent\", \"kind\": \"open\", "
                    "\"probability\": 0.6},"
                    "{\"key\": \"discover\", \"name\": \"Discover\", \"kind\": \"open\", "
                    "\"probability\": 0.2},"
                    "{\"key\": \"won\", \"name\": \"Won\", \"kind\": \"won\", \"probability\": 1},"
                    "{\"key\": \"lost\", \"name\": \"Lost\", \"kind\": \"lost\", "
                    "\"probability\": 0}]}");
    char *after =
        fx_sqlf("SELECT s.id || ' ' || s.name || ' ' || s.position FROM stages s "
                "JOIN orgs o ON o.id = s.org_id WHERE o.slug = '%s' AND s.key = 'propose'",
                slug);
    char want[128];
    snprintf(want, sizeof want, "%s Proposal sent 0", before);
    ck_assert_str_eq(after, want);
    char *keys = stage_keys(key);
    ck_assert_str_eq(keys, "propose,discover,won,lost");
    free(keys);
    free(before);
    free(after);
}
END_TEST

/* Inserts a deal of the org (by slug) on the stage with stage_key; deleted marks it deleted. */
static void insert_deal(const char *slug, const char *stage_key, int deleted)
{
    char *r = fx_sqlf("INSERT INTO deals (org_id, external_id, name, stage_id, created_on, "
                      "deleted_at) SELECT o.id, 'crm-%s', 'Deal', s.id, '2026-01-05', %s "
                      "FROM orgs o JOIN stages s ON s.org_id = o.id "
                      "WHERE o.slug = '%s' AND s.key = '%s' RETURNING id",
                      stage_key, deleted ? "now()" : "NULL", slug, stage_key);
    ck_assert_str_ne(r, "");
    free(r);
}

/* PUT a list without "qualify" (and renaming "propose"): 409 naming items and qualify. */
static void expect_removal_refused(const char *key)
{
    t_resp r = t_put(key, "/v1/stages",
                     "{\"items\": ["
                     "{\"key\": \"propose\", \"name\": \"Renamed\", \"kind\": \"open\", "
                     "\"probability\": 0.5},"
                     "{\"key\": \"won\", \"name\": \"Won\", \"kind\": \"won\", \"probability\": 1},"
                     "{\"key\": \"lost\", \"name\": \"Lost\", \"kind\": \"lost\", "
                     "\"probability\": 0}]}");
    t_expect_error(r, 409, "conflict", "items");
    ck_assert_ptr_nonnull(strstr(fx_error_message(&r), "qualify"));
    t_resp_free(&r);
    char *keys = stage_keys(key);
    ck_assert_str_eq(keys, "qualify,propose,won,lost");
    free(keys);
    r = t_get(key, "/v1/stages");
    ck_assert_str_eq(t_str(json_array_get(json_object_get(r.body, "items"), 1), "name"), "Propose");
    t_resp_free(&r);
}

START_TEST(stages_removing_a_stage_in_use_is_409_and_changes_nothing)
{
    char key[128], slug[64];
    t_new_org(key, slug);
    put_stages(key, four_stages);
    insert_deal(slug, "qualify", 0);
    expect_removal_refused(key);
}
END_TEST

START_TEST(stages_removing_a_stage_of_a_deleted_deal_is_409)
{
    char key[128], slug[64];
    t_new_org(key, slug);
    put_stages(key, four_stages);
    insert_deal(slug, "qualify", 1);
    expect_removal_refused(key);
}
END_TEST

START_TEST(stages_put_rejects_empty_and_malformed_lists)
{
    char key[128];
    t_new_org(key, NULL);
    put_stages(key, four_stages);
    expect_stages_422(key, "{\"items\": []}", "items");
    expect_stages_422(key, "{\"items\": {}}", "items");
    expect_stages_422(key, "{}", "items");
    expect_stages_422(key, "{\"items\": [1]}", "items[0]");
    expect_stages_422(key, "{\"items\": [], \"extra\": 1}", "extra");
    expect_stages_422(key,
                      "{\"items\": [{\"key\": \"won\", \"kind\": \"won\", \"probability\": 1}]}",
                      "items[0].name");
    expect_stages_422(key,
                      "{\"items\": [{\"key\": \"bad key\", \"name\": \"W\", \"kind\": \"won\", "
                      "\"probability\": 1}]}",
                      "items[0].key");
    char *keys = stage_keys(key);
    ck_assert_str_eq(keys, "qualify,propose,won,lost");
    free(keys);
}
END_TEST

START_TEST(stages_put_rejects_duplicate_keys_naming_the_index)
{
    char key[128];
    t_new_org(key, NULL);
    expect_stages_422(key,
                      "{\"items\": ["
                      "{\"key\": \"a\", \"name\": \"A\", \"kind\": \"open\", \"probability\": 0.1},"
                      "{\"key\": \"won\", \"name\": \"W\", \"kind\": \"won\", \"probability\": 1},"
                      "{\"key\": \"lost\", \"name\": \"L\", \"kind\": \"lost\", "
                      "\"probability\": 0},"
                      "{\"key\": \"a\", \"name\": \"A2\", \"kind\": \"open\", \"probability\": 0.2}"
                      "]}",
                      "items[3].key");
}
END_TEST

START_TEST(stages_put_rejects_bad_kind_and_probability)
{
    char key[128];
    t_new_org(key, NULL);
    expect_stages_422(key,
                      "{\"items\": ["
                      "{\"key\": \"won\", \"name\": \"W\", \"kind\": \"won\", \"probability\": 1},"
                      "{\"key\": \"x\", \"name\": \"X\", \"kind\": \"maybe\", \"probability\": 0}"
                      "]}",
                      "items[1].kind");
    expect_stages_422(key,
                      "{\"items\": ["
                      "{\"key\": \"won\", \"name\": \"W\", \"kind\": \"won\", \"probability\": 1.5}"
                      "]}",
                      "items[0].probability");
    expect_stages_422(key,
                      "{\"items\": ["
                      "{\"key\": \"won\", \"name\": \"W\", \"kind\": \"won\", \"probability\": 1},"
                      "{\"key\": \"l\", \"name\": \"L\", \"kind\": \"lost\", \"probability\": -0.1}"
                      "]}",
                      "items[1].probability");
    expect_stages_422(key,
                      "{\"items\": ["
                      "{\"key\": \"won\", \"name\": \"W\", \"kind\": \"won\", "
                      "\"probability\": \"1\"}"
                      "]}",
                      "items[0].probability");
}
END_TEST

START_TEST(stages_put_requires_a_won_and_a_lost_stage)
{
    char key[128];
    t_new_org(key, NULL);
    expect_stages_422(key,
                      "{\"items\": ["
                      "{\"key\": \"o\", \"name\": \"O\", \"kind\": \"open\", \"probability\": 0.3},"
                      "{\"key\": \"l\", \"name\": \"L\", \"kind\": \"lost\", \"probability\": 0}]}",
                      "items");
    expect_stages_422(key,
                      "{\"items\": ["
                      "{\"key\": \"o\", \"name\": \"O\", \"kind\": \"open\", \"probability\": 0.3},"
                      "{\"key\": \"w\", \"name\": \"W\", \"kind\": \"won\", \"probability\": 1}]}",
                      "items");
    char *keys = stage_keys(key);
    ck_assert_str_eq(keys, "");
    free(keys);
}
END_TEST

/* A list of n stages: n-2 open ones, then won and lost (caller frees). */
static char *n_stages(int n)
{
    size_t len = 128 + (size_t)n * 96;
    char *body = malloc(len);
    strcpy(body, "{\"items\": [");
    for (int i = 0; i < n; i++) {
        const char *kind = i == n - 2 ? "won" : i == n - 1 ? "lost" : "open";
        size_t used = strlen(body);
        snprintf(body + used, len - used,
                 "%s{\"key\": \"s%d\", \"name\": \"S%d\", \"kind\": \"%s\", \"probability\": 0}",
                 i ? "," : "", i, i, kind);
    }
    strcat(body, "]}");
    return body;
}

START_TEST(stages_put_allows_50_stages_and_rejects_51)
{
    char key[128];
    t_new_org(key, NULL);
    char *body = n_stages(51);
    expect_stages_422(key, body, "items");
    free(body);
    body = n_stages(50);
    t_resp r = t_put(key, "/v1/stages", body);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(json_array_size(json_object_get(r.body, "items")), 50);
    t_resp_free(&r);
    free(body);
}
END_TEST

START_TEST(read_only_key_cannot_change_stages_teams_or_reps)
{
    char admin[128], reader[128];
    t_new_org(admin, NULL);
    t_new_key(admin, "[\"read\"]", reader);
    fx_expect_error(t_put(reader, "/v1/stages", four_stages), 403, "forbidden", NULL);
    fx_expect_error(t_post(reader, "/v1/teams", "{\"key\": \"t\", \"name\": \"T\"}"), 403,
                    "forbidden", NULL);
    fx_expect_error(t_post(reader, "/v1/reps", "{\"key\": \"r\", \"name\": \"R\"}"), 403,
                    "forbidden", NULL);
    create(admin, "/v1/teams", "{\"key\": \"t\", \"name\": \"T\"}");
    fx_expect_error(t_patch(reader, "/v1/teams/t", "{\"name\": \"U\"}"), 403, "forbidden", NULL);
    fx_expect_status(t_get(reader, "/v1/teams/t"), 200);
}
END_TEST

START_TEST(teams_form_a_tree)
{
    char key[128];
    t_new_org(key, NULL);
    t_resp r = t_post(key, "/v1/teams", "{\"key\": \"sales\", \"name\": \"Sales\"}");
    ck_assert_int_eq(r.status, 201);
    ck_assert(json_is_null(json_object_get(r.body, "parent")));
    t_resp_free(&r);
    create(key, "/v1/teams", "{\"key\": \"emea\", \"name\": \"EMEA\", \"parent\": \"sales\"}");
    create(key, "/v1/teams", "{\"key\": \"dach\", \"name\": \"DACH\", \"parent\": \"emea\"}");
    r = t_get(key, "/v1/teams/dach");
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(t_str(r.body, "key"), "dach");
    ck_assert_str_eq(t_str(r.body, "name"), "DACH");
    ck_assert_str_eq(t_str(r.body, "parent"), "emea");
    t_resp_free(&r);
    char *keys = fx_list_of(key, "key", "/v1/teams");
    ck_assert_str_eq(keys, "sales,emea,dach");
    free(keys);
}
END_TEST

START_TEST(team_create_rejects_taken_key_unknown_parent_and_bad_key)
{
    char a[128], b[128];
    t_new_org(a, NULL);
    t_new_org(b, NULL);
    create(a, "/v1/teams", "{\"key\": \"sales\", \"name\": \"Sales\"}");
    fx_expect_error(t_post(a, "/v1/teams", "{\"key\": \"sales\", \"name\": \"Again\"}"), 409,
                    "conflict", "key");
    fx_expect_invalid(
        t_post(a, "/v1/teams", "{\"key\": \"x\", \"name\": \"X\", \"parent\": \"nobody\"}"),
        "parent");
    /* another org's team is unknown here */
    fx_expect_invalid(
        t_post(b, "/v1/teams", "{\"key\": \"x\", \"name\": \"X\", \"parent\": \"sales\"}"),
        "parent");
    fx_expect_invalid(t_post(a, "/v1/teams", "{\"key\": \"no spaces\", \"name\": \"X\"}"), "key");
    fx_expect_invalid(t_post(a, "/v1/teams", "{\"key\": \"y\"}"), "name");
    /* the same key in another org is fine */
    create(b, "/v1/teams", "{\"key\": \"sales\", \"name\": \"Sales B\"}");
}
END_TEST

START_TEST(team_patch_renames_and_moves_but_never_makes_a_cycle)
{
    char key[128];
    t_new_org(key, NULL);
    create(key, "/v1/teams", "{\"key\": \"a\", \"name\": \"A\"}");
    create(key, "/v1/teams", "{\"key\": \"b\", \"name\": \"B\", \"parent\": \"a\"}");
    create(key, "/v1/teams", "{\"key\": \"c\", \"name\": \"C\", \"parent\": \"b\"}");
    create(key, "/v1/teams", "{\"key\": \"d\", \"name\": \"D\"}");
    fx_expect_invalid(t_patch(key, "/v1/teams/a", "{\"parent\": \"a\"}"), "parent");
    /* c is a's grandchild */
    fx_expect_invalid(t_patch(key, "/v1/teams/a", "{\"parent\": \"c\"}"), "parent");
    fx_expect_invalid(t_patch(key, "/v1/teams/a", "{\"parent\": \"nobody\"}"), "parent");
    t_resp r = t_get(key, "/v1/teams/a");
    ck_assert(json_is_null(json_object_get(r.body, "parent")));
    t_resp_free(&r);
    r = t_patch(key, "/v1/teams/c", "{\"parent\": \"d\", \"name\": \"C moved\"}");
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(t_str(r.body, "parent"), "d");
    ck_assert_str_eq(t_str(r.body, "name"), "C moved");
    t_resp_free(&r);
    r = t_patch(key, "/v1/teams/a", "{\"parent\": \"c\"}"); /* c is no longer below a */
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(t_str(r.body, "parent"), "c");
    t_resp_free(&r);
    r = t_patch(key, "/v1/teams/a", "{\"parent\": null}");
    ck_assert_int_eq(r.status, 200);
    ck_assert(json_is_null(json_object_get(r.body, "parent")));
    t_resp_free(&r);
}
END_TEST

START_TEST(team_patch_rejects_key_change_empty_body_and_unknown_team)
{
    char key[128];
    t_new_org(key, NULL);
    create(key, "/v1/teams", "{\"key\": \"a\", \"name\": \"A\"}");
    fx_expect_invalid(t_patch(key, "/v1/teams/a", "{\"key\": \"z\"}"), "key");
    fx_expect_invalid(t_patch(key, "/v1/teams/a", "{}"), NULL);
    fx_expect_error(t_patch(key, "/v1/teams/zz", "{\"name\": \"Z\"}"), 404, "not_found", NULL);
    fx_expect_error(t_get(key, "/v1/teams/zz"), 404, "not_found", NULL);
}
END_TEST

START_TEST(rep_create_applies_defaults_and_returns_all_fields)
{
    char key[128];
    t_new_org(key, NULL);
    create(key, "/v1/teams", "{\"key\": \"emea\", \"name\": \"EMEA\"}");
    t_resp r = t_post(key, "/v1/reps", "{\"key\": \"ann\", \"name\": \"Ann\"}");
    ck_assert_int_eq(r.status, 201);
    ck_assert(json_is_true(json_object_get(r.body, "active")));
    ck_assert_int_eq(t_int(r.body, "ramp_months"), 0);
    ck_assert(json_is_null(json_object_get(r.body, "email")));
    ck_assert(json_is_null(json_object_get(r.body, "team")));
    ck_assert(json_is_null(json_object_get(r.body, "hired_on")));
    t_resp_free(&r);
    r = t_post(key, "/v1/reps",
               "{\"key\": \"bob\", \"name\": \"Bob\", \"email\": \"bob@example.com\", "
               "\"team\": \"emea\", \"hired_on\": \"2026-02-01\", \"ramp_months\": 6, "
               "\"active\": false}");
    ck_assert_int_eq(r.status, 201);
    t_resp_free(&r);
    r = t_get(key, "/v1/reps/bob");
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(t_str(r.body, "name"), "Bob");
    ck_assert_str_eq(t_str(r.body, "email"), "bob@example.com");
    ck_assert_str_eq(t_str(r.body, "team"), "emea");
    ck_assert_str_eq(t_str(r.body, "hired_on"), "2026-02-01");
    ck_assert_int_eq(t_int(r.body, "ramp_months"), 6);
    ck_assert(json_is_false(json_object_get(r.body, "active")));
    t_resp_free(&r);
}
END_TEST

/* Asserts that POST /v1/reps with body is status naming field. */
#define expect_rep_error(key, body, status, field)               \
    fx_expect_error(t_post((key), "/v1/reps", (body)), (status), \
                    (status) == 409 ? "conflict" : "invalid_argument", (field))

START_TEST(rep_create_rejects_bad_fields_unknown_team_and_taken_key)
{
    char a[128], b[128];
    t_new_org(a, NULL);
    t_new_org(b, NULL);
    create(a, "/v1/teams", "{\"key\": \"emea\", \"name\": \"EMEA\"}");
    create(a, "/v1/reps", "{\"key\": \"ann\", \"name\": \"Ann\"}");
    expect_rep_error(a, "{\"key\": \"ann\", \"name\": \"Ann again\"}", 409, "key");
    expect_rep_error(a, "{\"key\": \"x\", \"name\": \"X\", \"team\": \"nope\"}", 422, "team");
    expect_rep_error(b, "{\"key\": \"x\", \"name\": \"X\", \"team\": \"emea\"}", 422, "team");
    expect_rep_error(a, "{\"key\": \"x\", \"name\": \"X\", \"ramp_months\": 61}", 422,
                     "ramp_months");
    expect_rep_error(a, "{\"key\": \"x\", \"name\": \"X\", \"ramp_months\": -1}", 422,
                     "ramp_months");
    expect_rep_error(a, "{\"key\": \"x\", \"name\": \"X\", \"email\": \"not-an-email\"}", 422,
                     "email");
    expect_rep_error(a, "{\"key\": \"x\", \"name\": \"X\", \"hired_on\": \"2026-13-01\"}", 422,
                     "hired_on");
    expect_rep_error(a, "{\"key\": \"x\", \"name\": \"X\", \"active\": \"yes\"}", 422, "active");
    expect_rep_error(a, "{\"key\": \"x y\", \"name\": \"X\"}", 422, "key");
    expect_rep_error(a, "{\"name\": \"X\"}", 422, "key");
    ck_assert_int_eq(fx_sql_ll("SELECT count(*) FROM reps WHERE key = 'x'"), 0);
}
END_TEST

/* The sorted, comma-joined rep keys of GET path (caller frees). */
static char *rep_keys(const char *key, const char *path)
{
    return fx_list_of(key, "key", "%s", path);
}

START_TEST(reps_filter_by_team_includes_sub_teams_and_by_active)
{
    char key[128];
    t_new_org(key, NULL);
    create(key, "/v1/teams", "{\"key\": \"sales\", \"name\": \"Sales\"}");
    create(key, "/v1/teams", "{\"key\": \"emea\", \"name\": \"EMEA\", \"parent\": \"sales\"}");
    create(key, "/v1/teams", "{\"key\": \"dach\", \"name\": \"DACH\", \"parent\": \"emea\"}");
    create(key, "/v1/teams", "{\"key\": \"apac\", \"name\": \"APAC\", \"parent\": \"sales\"}");
    create(key, "/v1/reps", "{\"key\": \"r1\", \"name\": \"R1\", \"team\": \"sales\"}");
    create(key, "/v1/reps", "{\"key\": \"r2\", \"name\": \"R2\", \"team\": \"emea\"}");
    create(key, "/v1/reps",
           "{\"key\": \"r3\", \"name\": \"R3\", \"team\": \"dach\", \"active\": false}");
    create(key, "/v1/reps", "{\"key\": \"r4\", \"name\": \"R4\", \"team\": \"apac\"}");
    create(key, "/v1/reps", "{\"key\": \"r5\", \"name\": \"R5\"}");
    char *k = rep_keys(key, "/v1/reps?team=emea");
    ck_assert_str_eq(k, "r2,r3");
    free(k);
    k = rep_keys(key, "/v1/reps?team=sales");
    ck_assert_str_eq(k, "r1,r2,r3,r4");
    free(k);
    k = rep_keys(key, "/v1/reps?team=dach");
    ck_assert_str_eq(k, "r3");
    free(k);
    k = rep_keys(key, "/v1/reps?team=emea&active=true");
    ck_assert_str_eq(k, "r2");
    free(k);
    k = rep_keys(key, "/v1/reps?active=false");
    ck_assert_str_eq(k, "r3");
    free(k);
    k = rep_keys(key, "/v1/reps");
    ck_assert_str_eq(k, "r1,r2,r3,r4,r5");
    free(k);
}
END_TEST

START_TEST(reps_list_rejects_bad_active_and_unknown_team)
{
    char a[128], b[128];
    t_new_org(a, NULL);
    t_new_org(b, NULL);
    create(a, "/v1/teams", "{\"key\": \"emea\", \"name\": \"EMEA\"}");
    fx_expect_invalid(t_get(a, "/v1/reps?active=maybe"), "active");
    fx_expect_invalid(t_get(a, "/v1/reps?active="), "active");
    fx_expect_invalid(t_get(a, "/v1/reps?team=nope"), "team");
    fx_expect_invalid(t_get(b, "/v1/reps?team=emea"), "team");
}
END_TEST

START_TEST(reps_pagination_walk_yields_every_rep_once)
{
    char key[128];
    t_new_org(key, NULL);
    char body[128];
    for (int i = 1; i <= 7; i++) {
        snprintf(body, sizeof body, "{\"key\": \"rep%d\", \"name\": \"Rep %d\"}", i, i);
        create(key, "/v1/reps", body);
    }
    int seen[8] = {0}, pages = 0, total = 0;
    char cursor[64] = "";
    do {
        t_resp r = cursor[0] ? t_get(key, "/v1/reps?limit=3&cursor=%s", cursor)
                             : t_get(key, "/v1/reps?limit=3");
        ck_assert_int_eq(r.status, 200);
        json_t *items = json_object_get(r.body, "items");
        ck_assert_int_le(json_array_size(items), 3);
        size_t i;
        json_t *rep;
        json_array_foreach(items, i, rep)
        {
            int n = atoi(t_str(rep, "key") + 3);
            ck_assert(n >= 1 && n <= 7);
            seen[n]++;
            total++;
        }
        const char *next = t_str(r.body, "next_cursor");
        snprintf(cursor, sizeof cursor, "%s", next ? next : "");
        pages++;
        t_resp_free(&r);
    } while (cursor[0] && pages < 10);
    ck_assert_int_eq(pages, 3);
    ck_assert_int_eq(total, 7);
    for (int n = 1; n <= 7; n++)
        ck_assert_int_eq(seen[n], 1);
}
END_TEST

START_TEST(teams_pagination_walk_yields_every_team_once)
{
    char key[128];
    t_new_org(key, NULL);
    create(key, "/v1/teams", "{\"key\": \"t1\", \"name\": \"T1\"}");
    create(key, "/v1/teams", "{\"key\": \"t2\", \"name\": \"T2\"}");
    create(key, "/v1/teams", "{\"key\": \"t3\", \"name\": \"T3\"}");
    t_resp r = t_get(key, "/v1/teams?limit=2");
    ck_assert_int_eq(fx_n_items(&r), 2);
    const char *cursor = t_str(r.body, "next_cursor");
    ck_assert_ptr_nonnull(cursor);
    t_resp r2 = t_get(key, "/v1/teams?limit=2&cursor=%s", cursor);
    ck_assert_int_eq(fx_n_items(&r2), 1);
    ck_assert_str_eq(t_str(fx_item(&r2, 0), "key"), "t3");
    ck_assert(json_is_null(json_object_get(r2.body, "next_cursor")));
    t_resp_free(&r);
    t_resp_free(&r2);
    fx_expect_invalid(t_get(key, "/v1/teams?limit=0"), "limit");
}
END_TEST

START_TEST(rep_patch_sets_and_clears_fields)
{
    char key[128];
    t_new_org(key, NULL);
    create(key, "/v1/teams", "{\"key\": \"emea\", \"name\": \"EMEA\"}");
    create(key, "/v1/reps",
           "{\"key\": \"ann\", \"name\": \"Ann\", \"email\": \"ann@example.com\", "
           "\"team\": \"emea\", \"hired_on\": \"2025-06-01\", \"ramp_months\": 3}");
    t_resp r = t_patch(key, "/v1/reps/ann", "{\"team\": null, \"email\": null}");
    ck_assert_int_eq(r.status, 200);
    ck_assert(json_is_null(json_object_get(r.body, "team")));
    ck_assert(json_is_null(json_object_get(r.body, "email")));
    ck_assert_str_eq(t_str(r.body, "hired_on"), "2025-06-01"); /* untouched */
    ck_assert_int_eq(t_int(r.body, "ramp_months"), 3);
    t_resp_free(&r);
    r = t_patch(key, "/v1/reps/ann",
                "{\"team\": \"emea\", \"name\": \"Ann B\", \"active\": false, "
                "\"ramp_months\": 0}");
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(t_str(r.body, "team"), "emea");
    ck_assert_str_eq(t_str(r.body, "name"), "Ann B");
    ck_assert(json_is_false(json_object_get(r.body, "active")));
    ck_assert_int_eq(t_int(r.body, "ramp_months"), 0);
    t_resp_free(&r);
    r = t_get(key, "/v1/reps/ann");
    ck_assert_str_eq(t_str(r.body, "name"), "Ann B");
    t_resp_free(&r);
}
END_TEST

START_TEST(rep_patch_rejects_unknown_team_key_change_and_unknown_rep)
{
    char key[128];
    t_new_org(key, NULL);
    create(key, "/v1/reps", "{\"key\": \"ann\", \"name\": \"Ann\"}");
    fx_expect_invalid(t_patch(key, "/v1/reps/ann", "{\"team\": \"nope\"}"), "team");
    fx_expect_invalid(t_patch(key, "/v1/reps/ann", "{\"key\": \"bob\"}"), "key");
    fx_expect_invalid(t_patch(key, "/v1/reps/ann", "{\"ramp_months\": 99}"), "ramp_months");
    fx_expect_invalid(t_patch(key, "/v1/reps/ann", "{\"name\": null}"), "name");
    fx_expect_error(t_patch(key, "/v1/reps/nobody", "{\"name\": \"N\"}"), 404, "not_found", NULL);
    fx_expect_error(t_patch(key, "/v1/reps/nobody", "{\"team\": \"nope\"}"), 404, "not_found",
                    NULL);
    fx_expect_error(t_get(key, "/v1/reps/nobody"), 404, "not_found", NULL);
}
END_TEST

START_TEST(other_org_cannot_see_or_change_teams_and_reps)
{
    char a[128], b[128];
    t_new_org(a, NULL);
    t_new_org(b, NULL);
    create(a, "/v1/teams", "{\"key\": \"emea\", \"name\": \"EMEA\"}");
    create(a, "/v1/reps", "{\"key\": \"ann\", \"name\": \"Ann\", \"team\": \"emea\"}");
    create(b, "/v1/teams", "{\"key\": \"own\", \"name\": \"Own\"}");
    create(b, "/v1/reps", "{\"key\": \"own-rep\", \"name\": \"Own rep\"}");
    fx_expect_error(t_get(b, "/v1/teams/emea"), 404, "not_found", NULL);
    fx_expect_error(t_patch(b, "/v1/teams/emea", "{\"name\": \"Stolen\"}"), 404, "not_found", NULL);
    fx_expect_error(t_get(b, "/v1/reps/ann"), 404, "not_found", NULL);
    fx_expect_error(t_patch(b, "/v1/reps/ann", "{\"name\": \"Stolen\"}"), 404, "not_found", NULL);
    char *k = fx_list_of(b, "key", "/v1/teams");
    ck_assert_str_eq(k, "own");
    free(k);
    k = rep_keys(b, "/v1/reps");
    ck_assert_str_eq(k, "own-rep");
    free(k);
    t_resp r = t_get(a, "/v1/reps/ann"); /* untouched */
    ck_assert_str_eq(t_str(r.body, "name"), "Ann");
    t_resp_free(&r);
    r = t_get(a, "/v1/teams/emea");
    ck_assert_str_eq(t_str(r.body, "name"), "EMEA");
    t_resp_free(&r);
}
END_TEST

START_TEST(other_orgs_stages_are_separate)
{
    char a[128], b[128];
    t_new_org(a, NULL);
    t_new_org(b, NULL);
    put_stages(a, four_stages);
    char *keys = stage_keys(b);
    ck_assert_str_eq(keys, "");
    free(keys);
    put_stages(b, four_stages); /* the same keys in another org */
    keys = stage_keys(a);
    ck_assert_str_eq(keys, "qualify,propose,won,lost");
    free(keys);
}
END_TEST

static Suite *people_suite(void)
{
    Suite *s = suite_create("people");
    TCase *st = tcase_create("stages");
    tcase_set_timeout(st, 60);
    tcase_add_test(st, stages_of_a_new_org_are_an_empty_list);
    tcase_add_test(st, stages_put_returns_the_list_in_order_with_positions);
    tcase_add_test(st, stages_put_keeps_ids_of_kept_keys_and_drops_unlisted);
    tcase_add_test(st, stages_removing_a_stage_in_use_is_409_and_changes_nothing);
    tcase_add_test(st, stages_removing_a_stage_of_a_deleted_deal_is_409);
    tcase_add_test(st, stages_put_rejects_empty_and_malformed_lists);
    tcase_add_test(st, stages_put_rejects_duplicate_keys_naming_the_index);
    tcase_add_test(st, stages_put_rejects_bad_kind_and_probability);
    tcase_add_test(st, stages_put_requires_a_won_and_a_lost_stage);
    tcase_add_test(st, stages_put_allows_50_stages_and_rejects_51);
    tcase_add_test(st, other_orgs_stages_are_separate);
    suite_add_tcase(s, st);
    TCase *tt = tcase_create("teams");
    tcase_set_timeout(tt, 60);
    tcase_add_test(tt, teams_form_a_tree);
    tcase_add_test(tt, team_create_rejects_taken_key_unknown_parent_and_bad_key);
    tcase_add_test(tt, team_patch_renames_and_moves_but_never_makes_a_cycle);
    tcase_add_test(tt, team_patch_rejects_key_change_empty_body_and_unknown_team);
    tcase_add_test(tt, teams_pagination_walk_yields_every_team_once);
    suite_add_tcase(s, tt);
    TCase *rt = tcase_create("reps");
    tcase_set_timeout(rt, 60);
    tcase_add_test(rt, rep_create_applies_defaults_and_returns_all_fields);
    tcase_add_test(rt, rep_create_rejects_bad_fields_unknown_team_and_taken_key);
    tcase_add_test(rt, reps_filter_by_team_includes_sub_teams_and_by_active);
    tcase_add_test(rt, reps_list_rejects_bad_active_and_unknown_team);
    tcase_add_test(rt, reps_pagination_walk_yields_every_rep_once);
    tcase_add_test(rt, rep_patch_sets_and_clears_fields);
    tcase_add_test(rt, rep_patch_rejects_unknown_team_key_change_and_unknown_rep);
    suite_add_tcase(s, rt);
    TCase *xt = tcase_create("access");
    tcase_set_timeout(xt, 60);
    tcase_add_test(xt, read_only_key_cannot_change_stages_teams_or_reps);
    tcase_add_test(xt, other_org_cannot_see_or_change_teams_and_reps);
    suite_add_tcase(s, xt);
    return s;
}

int main(void)
{
    return t_main(people_suite());
}

/* test_funnel.c — GET /v1/funnel over real HTTP: a story of four deals written through the deals
 * API with every figure worked out by hand (counts, conversion, time in stage, stalls, skips,
 * totals, the cut at `to`), scope by owner, the defaults, an org without deals, the 422s and
 * tenancy; and a demo org on which every stage reconciles, scopes partition the org and the
 * totals match the deals table. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

/* GETs /v1/funnel?query, asserts 200 and returns the body (new reference). */
static json_t *funnel(const char *key, const char *query)
{
    return fx_body(t_get(key, "/v1/funnel?%s", query), 200);
}

/* The stage row named key (borrowed; fails the test when absent). */
static const json_t *stage(const json_t *body, const char *key)
{
    size_t i;
    const json_t *s;
    json_array_foreach(json_object_get(body, "stages"), i, s)
    {
        if (strcmp(json_string_value(json_object_get(s, "key")), key) == 0)
            return s;
    }
    ck_abort_msg("no stage %s", key);
    return NULL;
}

/* obj.a.b as a number (NAN when null or absent). */
static double num2(const json_t *obj, const char *a, const char *b)
{
    const json_t *v = json_object_get(json_object_get(obj, a), b);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

/* obj.a.b as an integer. */
static long long int2(const json_t *obj, const char *a, const char *b)
{
    return t_int(json_object_get(obj, a), b);
}

static int flag(const json_t *s, const char *name)
{
    return json_is_true(json_object_get(json_object_get(s, "flags"), name));
}

/* Creates a deal through the API at effective date eff; returns its id. */
static long long deal(const char *key, const char *ext, const char *owner, const char *stage_key,
                      const char *eff)
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"external_id\": \"%s\", \"name\": \"%s\", \"owner\": \"%s\", \"amount\": 1000, "
             "\"stage\": \"%s\", \"close_date\": \"2024-06-30\", \"effective_at\": \"%s\"}",
             ext, ext, owner, stage_key, eff);
    return fx_post_deal(key, body);
}

static void move(const char *key, long long id, const char *stage_key, const char *eff)
{
    char body[256];
    snprintf(body, sizeof body, "{\"stage\": \"%s\", \"effective_at\": \"%s\"}", stage_key, eff);
    fx_patch_deal(key, id, body);
}

/* April 2024 (UTC org; stages prospecting, proposal, won, lost). Owners: ada (uk, under emea),
 * bob (emea), cy (americas). */
static void build_story(const char *key)
{
    long long id = deal(key, "d1", "ada", "prospecting", "2024-04-01"); /* p 10, q 10, won */
    move(key, id, "proposal", "2024-04-11");
    move(key, id, "won", "2024-04-21");
    id = deal(key, "d2", "bob", "prospecting", "2024-04-05"); /* p 20, lost */
    move(key, id, "lost", "2024-04-25");
    deal(key, "d3", "cy", "proposal", "2024-04-10");          /* skips prospecting; open, age 20 */
    id = deal(key, "d4", "ada", "prospecting", "2024-03-01"); /* p 32; q open, age 28 */
    move(key, id, "proposal", "2024-04-02");
    move(key, id, "won", "2024-05-10"); /* after `to`: never seen */
}

static const char *const story_query = "from=2024-04-01&to=2024-04-30";

START_TEST(every_figure_of_a_small_story_is_exact)
{
    char key[128], slug[64];
    fx_sales_org(key, slug);
    build_story(key);
    json_t *body = funnel(key, story_query);
    ck_assert_str_eq(json_string_value(json_object_get(body, "from")), "2024-04-01");
    ck_assert_str_eq(json_string_value(json_object_get(body, "to")), "2024-04-30");
    ck_assert_str_eq(json_string_value(json_object_get(body, "scope")), "org");
    /* funnel order, then won and lost */
    char *keys = fx_joined(json_object_get(body, "stages"), "key");
    ck_assert_str_eq(keys, "prospecting,proposal,won,lost");
    free(keys);

    const json_t *p = stage(body, "prospecting");
    ck_assert_int_eq(t_int(p, "entered"), 2); /* d1, d2 (d4 entered in March) */
    ck_assert_int_eq(t_int(p, "advanced"), 1);
    ck_assert_int_eq(t_int(p, "lost"), 1);
    ck_assert_int_eq(t_int(p, "still_open"), 0);
    ck_assert_double_eq_tol(num2(p, "conversion", "value"), 0.5, 1e-12);
    ck_assert_int_eq(int2(p, "conversion", "n"), 2);
    /* stays that ended in April: 10 (d1), 20 (d2), 32 (d4) */
    ck_assert_int_eq(int2(p, "time_in_stage_days", "n"), 3);
    ck_assert_double_eq_tol(num2(p, "time_in_stage_days", "median"), 20.0, 1e-9);
    ck_assert_double_eq_tol(num2(p, "time_in_stage_days", "p90"), 29.6, 1e-9);
    ck_assert_int_eq(int2(p, "stall", "open"), 0);
    ck_assert(json_is_null(json_object_get(json_object_get(p, "stall"), "share")));
    /* d1, d3, d4 reached proposal in April; d3 never was in prospecting */
    ck_assert_int_eq(int2(p, "skips", "reached_later"), 3);
    ck_assert_int_eq(int2(p, "skips", "skipped"), 1);
    ck_assert_double_eq_tol(num2(p, "skips", "share"), 1.0 / 3.0, 1e-12);
    ck_assert(!flag(p, "often_skipped") && !flag(p, "converts_nearly_all")); /* too few deals */

    const json_t *q = stage(body, "proposal");
    ck_assert_int_eq(t_int(q, "entered"), 3); /* d1, d3, d4 */
    ck_assert_int_eq(t_int(q, "advanced"), 1);
    ck_assert_int_eq(t_int(q, "won"), 1);
    ck_assert_int_eq(t_int(q, "still_open"), 2); /* d4's win in May is after `to` */
    ck_assert_int_eq(t_int(q, "moved_back"), 0);
    ck_assert_double_eq_tol(num2(q, "time_in_stage_days", "median"), 10.0, 1e-9);
    ck_assert_double_eq_tol(num2(q, "time_in_stage_days", "p90"), 10.0, 1e-9);
    ck_assert_int_eq(int2(q, "stall", "open"), 2);
    ck_assert_int_eq(int2(q, "stall", "stalled"), 2); /* ages 20 and 28 > 10 */
    ck_assert_double_eq_tol(num2(q, "stall", "share"), 1.0, 1e-12);

    ck_assert_int_eq(t_int(stage(body, "won"), "entered"), 1);
    ck_assert_int_eq(t_int(stage(body, "lost"), "entered"), 1);
    const json_t *t = json_object_get(body, "totals");
    ck_assert_int_eq(t_int(t, "created"), 3); /* d1, d2, d3 */
    ck_assert_int_eq(t_int(t, "won"), 1);
    ck_assert_int_eq(t_int(t, "lost"), 1);
    ck_assert_int_eq(t_int(t, "open"), 1);
    ck_assert_double_eq_tol(num2(t, "win_rate", "value"), 0.5, 1e-12);
    ck_assert_int_eq(int2(t, "win_rate", "n"), 2);
    json_decref(body);

    /* A window to May sees d4's win. */
    body = funnel(key, "from=2024-04-01&to=2024-05-31");
    ck_assert_int_eq(t_int(stage(body, "proposal"), "won"), 2);
    ck_assert_int_eq(t_int(stage(body, "won"), "entered"), 2);
    json_decref(body);
}
END_TEST

START_TEST(the_stages_come_as_csv_for_spreadsheets)
{
    char key[128], slug[64];
    fx_sales_org(key, slug);
    build_story(key);
    t_resp r = t_request("GET", "/v1/funnel?from=2024-04-01&to=2024-04-30", key, NULL, NULL,
                         "Accept: text/csv");
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(r.content_type, "text/csv"));
    /* a header of dotted columns, then one row per stage in the JSON's order */
    const char *eol = strstr(r.raw, "\r\n");
    ck_assert_ptr_nonnull(eol);
    const char *want = "key,kind,entered,advanced,won,lost,moved_back,still_open,"
                       "conversion.value,conversion.n,time_in_stage_days.median,"
                       "time_in_stage_days.p90,time_in_stage_days.n,stall.open,stall.stalled,"
                       "stall.share,skips.reached_later,skips.skipped,skips.share,"
                       "flags.converts_nearly_all,flags.often_skipped";
    ck_assert_int_eq((int)(eol - r.raw), (int)strlen(want));
    ck_assert(strncmp(r.raw, want, strlen(want)) == 0);
    ck_assert_ptr_nonnull(strstr(r.raw, "\r\nproposal,open,3,1,1,0,0,2,"));
    ck_assert_ptr_nonnull(strstr(r.raw, "\r\nwon,won,1,"));
    size_t lines = 0;
    for (const char *p = strstr(r.raw, "\r\n"); p; p = strstr(p + 2, "\r\n"))
        lines++;
    ck_assert_uint_eq(lines, 5); /* header + 4 stages */
    t_resp_free(&r);
}
END_TEST

START_TEST(a_team_scope_counts_only_its_reps_deals_with_sub_teams)
{
    char key[128], slug[64];
    fx_sales_org(key, slug);
    build_story(key);
    char q[256];
    snprintf(q, sizeof q, "%s&scope=team:emea", story_query); /* ada (uk) and bob: d1, d2, d4 */
    json_t *body = funnel(key, q);
    ck_assert_str_eq(json_string_value(json_object_get(body, "scope")), "team:emea");
    ck_assert_int_eq(t_int(stage(body, "prospecting"), "entered"), 2);
    ck_assert_int_eq(int2(stage(body, "prospecting"), "skips", "skipped"), 0);
    ck_assert_int_eq(t_int(stage(body, "proposal"), "entered"), 2);
    ck_assert_int_eq(t_int(json_object_get(body, "totals"), "created"), 2);
    json_decref(body);
    snprintf(q, sizeof q, "%s&scope=rep:cy", story_query);
    body = funnel(key, q);
    ck_assert_int_eq(t_int(stage(body, "prospecting"), "entered"), 0);
    ck_assert_int_eq(t_int(stage(body, "proposal"), "entered"), 1);
    ck_assert_int_eq(t_int(json_object_get(body, "totals"), "created"), 1);
    json_decref(body);
    snprintf(q, sizeof q, "%s&scope=rep:dee", story_query); /* no deals */
    body = funnel(key, q);
    ck_assert_int_eq(t_int(json_object_get(body, "totals"), "created"), 0);
    json_decref(body);
}
END_TEST

START_TEST(an_org_without_deals_answers_zeros_and_nulls)
{
    char key[128], slug[64];
    fx_sales_org(key, slug);
    json_t *body = funnel(key, story_query);
    size_t i;
    const json_t *s;
    json_array_foreach(json_object_get(body, "stages"), i, s)
    {
        ck_assert_int_eq(t_int(s, "entered"), 0);
        if (strcmp(json_string_value(json_object_get(s, "kind")), "open") != 0)
            continue;
        ck_assert(json_is_null(json_object_get(json_object_get(s, "conversion"), "value")));
        ck_assert_int_eq(int2(s, "conversion", "n"), 0);
        ck_assert(json_is_null(json_object_get(json_object_get(s, "time_in_stage_days"), "p90")));
        ck_assert_int_eq(int2(s, "time_in_stage_days", "n"), 0);
        ck_assert(json_is_null(json_object_get(json_object_get(s, "stall"), "share")));
        ck_assert(json_is_null(json_object_get(json_object_get(s, "skips"), "share")));
    }
    ck_assert_int_eq(i, 4);
    const json_t *t = json_object_get(body, "totals");
    ck_assert_int_eq(t_int(t, "created"), 0);
    ck_assert(json_is_null(json_object_get(json_object_get(t, "win_rate"), "value")));
    json_decref(body);
    /* the defaults: to is today, from 364 days before */
    body = funnel(key, "scope=org");
    char *today =
        fx_sqlf("SELECT (now() AT TIME ZONE time_zone)::date FROM orgs WHERE slug = '%s'", slug);
    char *from = fx_sqlf("SELECT ((now() AT TIME ZONE time_zone)::date - 364) FROM orgs WHERE "
                         "slug = '%s'",
                         slug);
    ck_assert_str_eq(json_string_value(json_object_get(body, "to")), today);
    ck_assert_str_eq(json_string_value(json_object_get(body, "from")), from);
    free(today);
    free(from);
    json_decref(body);
    body = funnel(key, "to=2024-04-30");
    ck_assert_str_eq(json_string_value(json_object_get(body, "from")), "2023-05-02");
    json_decref(body);
}
END_TEST

START_TEST(invalid_parameters_are_422_naming_the_parameter)
{
    char key[128], slug[64];
    fx_sales_org(key, slug);
    static const char *const cases[][2] = {
        {"from=2024-02-30", "from"},
        {"from=yesterday", "from"},
        {"to=2024-6-01", "to"},
        {"to=", "to"},
        {"to=9999-12-31", "to"},
        {"from=1800-01-01&to=2024-01-01", "from"},
        {"from=2024-05-02&to=2024-05-01", "from"},
        {"from=2024-05-02&to=2024-05-01&scope=team:nowhere", "from"},
        {"scope=everyone", "scope"},
        {"scope=team:nowhere", "scope"},
        {"scope=rep:nobody", "scope"},
        {"scope=team:", "scope"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        fx_expect_invalid(t_get(key, "/v1/funnel?%s", cases[i][0]), cases[i][1]);
    /* One day is a window, and a read-only key may ask. */
    char ro[128];
    t_new_key(key, "[\"read\"]", ro);
    json_decref(funnel(ro, "from=2024-05-01&to=2024-05-01"));
    fx_expect_error(t_get(NULL, "/v1/funnel"), 401, "unauthorized", NULL);
    /* An org without an open stage has no funnel yet (as it has no forecast). */
    char bare[128], bare_slug[64];
    t_new_org(bare, bare_slug);
    fx_expect_invalid(t_get(bare, "/v1/funnel"), "stages");
}
END_TEST

START_TEST(another_orgs_deals_are_never_counted)
{
    char key[128], slug[64], other[128], other_slug[64];
    fx_sales_org(other, other_slug);
    build_story(other);
    fx_add_rep(other_slug, "zed");
    fx_sales_org(key, slug);
    deal(key, "mine", "ada", "proposal", "2024-04-03");
    json_t *body = funnel(key, story_query);
    ck_assert_int_eq(t_int(stage(body, "prospecting"), "entered"), 0);
    ck_assert_int_eq(t_int(stage(body, "proposal"), "entered"), 1);
    ck_assert_int_eq(t_int(json_object_get(body, "totals"), "created"), 1);
    json_decref(body);
    fx_expect_invalid(t_get(key, "/v1/funnel?scope=rep:zed"), "scope");
}
END_TEST

START_TEST(flags_mark_a_stage_that_passes_everything_on_and_one_that_is_skipped)
{
    char key[128], slug[64];
    fx_sales_org(key, slug);
    char ext[32];
    for (int i = 0; i < 20; i++) { /* 20 through prospecting, every one advanced */
        snprintf(ext, sizeof ext, "through-%d", i);
        move(key, deal(key, ext, "bob", "prospecting", "2024-04-02"), "proposal", "2024-04-09");
    }
    for (int i = 0; i < 9; i++) { /* 9 straight into proposal: 9 / 29 = 31% skipped */
        snprintf(ext, sizeof ext, "direct-%d", i);
        deal(key, ext, "cy", "proposal", "2024-04-03");
    }
    json_t *body = funnel(key, story_query);
    const json_t *p = stage(body, "prospecting");
    ck_assert_int_eq(t_int(p, "advanced"), 20);
    ck_assert_int_eq(int2(p, "skips", "reached_later"), 29);
    ck_assert_int_eq(int2(p, "skips", "skipped"), 9);
    ck_assert(flag(p, "converts_nearly_all") && flag(p, "often_skipped"));
    ck_assert(!flag(stage(body, "proposal"), "converts_nearly_all")); /* nobody left it */
    json_decref(body);
    /* bob's side alone: nothing skipped, still nearly all converted */
    body = funnel(key, "from=2024-04-01&to=2024-04-30&scope=rep:bob");
    p = stage(body, "prospecting");
    ck_assert(flag(p, "converts_nearly_all") && !flag(p, "often_skipped"));
    json_decref(body);
}
END_TEST

/* Asserts every open stage of a body reconciles, and its shares are what their counts say. */
static void assert_reconciles(const json_t *body)
{
    size_t i;
    const json_t *s;
    json_array_foreach(json_object_get(body, "stages"), i, s)
    {
        if (strcmp(json_string_value(json_object_get(s, "kind")), "open") != 0)
            continue;
        const long long entered = t_int(s, "entered"), advanced = t_int(s, "advanced");
        ck_assert_int_eq(entered, advanced + t_int(s, "lost") + t_int(s, "moved_back") +
                                      t_int(s, "still_open"));
        ck_assert_int_le(t_int(s, "won"), advanced);
        ck_assert_int_eq(int2(s, "conversion", "n"), entered);
        if (entered)
            ck_assert_double_eq_tol(num2(s, "conversion", "value"),
                                    (double)advanced / (double)entered, 1e-12);
        const long long n_time = int2(s, "time_in_stage_days", "n");
        if (n_time)
            ck_assert(num2(s, "time_in_stage_days", "median") <=
                      num2(s, "time_in_stage_days", "p90"));
        ck_assert_int_le(int2(s, "stall", "stalled"), int2(s, "stall", "open"));
        ck_assert_int_le(int2(s, "skips", "skipped"), int2(s, "skips", "reached_later"));
    }
    const json_t *t = json_object_get(body, "totals");
    ck_assert_int_eq(t_int(t, "created"), t_int(t, "won") + t_int(t, "lost") + t_int(t, "open"));
}

/* Every count of a body (stage by stage, then the totals), comma-joined, for comparing scopes. */
static const char *const counts[] = {"entered", "advanced",   "won",
                                     "lost",    "moved_back", "still_open"};
#define NCOUNTS (sizeof counts / sizeof counts[0])

START_TEST(the_demo_org_reconciles_and_its_teams_partition_it)
{
    const char *key = fx_shared_key(), *slug = fx_shared_slug();
    static const char *const windows[] = {"", "from=2025-01-01&to=2025-03-31",
                                          "from=2024-06-01&to=2025-05-14",
                                          "from=2025-05-01&to=2025-05-01", "to=2024-12-31"};
    static const char *const teams[] = {"americas", "emea", "apac"};
    for (size_t w = 0; w < sizeof windows / sizeof windows[0]; w++) {
        char q[256];
        snprintf(q, sizeof q, "%s%sscope=team:sales", windows[w], *windows[w] ? "&" : "");
        json_t *all = funnel(key, q);
        assert_reconciles(all);
        const json_t *t = json_object_get(all, "totals");
        /* the totals are the deals table's */
        const char *from = json_string_value(json_object_get(all, "from"));
        const char *to = json_string_value(json_object_get(all, "to"));
        ck_assert_int_eq(t_int(t, "created"),
                         fx_sql_ll("SELECT count(*) FROM deals d JOIN orgs o ON o.id = d.org_id "
                                   "WHERE o.slug = '%s' AND d.deleted_at IS NULL AND "
                                   "d.created_on BETWEEN '%s' AND '%s'",
                                   slug, from, to));
        /* the three regions partition sales: every count adds up */
        long long sum[8][NCOUNTS] = {{0}}, created = 0, won = 0, open = 0;
        for (size_t k = 0; k < sizeof teams / sizeof teams[0]; k++) {
            snprintf(q, sizeof q, "%s%sscope=team:%s", windows[w], *windows[w] ? "&" : "",
                     teams[k]);
            json_t *part = funnel(key, q);
            assert_reconciles(part);
            size_t i;
            const json_t *s;
            json_array_foreach(json_object_get(part, "stages"), i, s)
            {
                for (size_t c = 0; c < NCOUNTS && i < 8; c++)
                    sum[i][c] += json_integer_value(json_object_get(s, counts[c]));
            }
            created += t_int(json_object_get(part, "totals"), "created");
            won += t_int(json_object_get(part, "totals"), "won");
            open += int2(stage(part, "proposal"), "stall", "open");
            json_decref(part);
        }
        size_t i;
        const json_t *s;
        json_array_foreach(json_object_get(all, "stages"), i, s)
        {
            for (size_t c = 0; c < NCOUNTS && i < 8; c++)
                ck_assert_msg(sum[i][c] == json_integer_value(json_object_get(s, counts[c])),
                              "window %zu stage %zu %s", w, i, counts[c]);
        }
        ck_assert_int_eq(created, t_int(t, "created"));
        ck_assert_int_eq(won, t_int(t, "won"));
        ck_assert_int_eq(open, int2(stage(all, "proposal"), "stall", "open"));
        json_decref(all);
    }
    /* A year of the demo fills every open stage with stays, times and open deals. */
    json_t *body = funnel(key, "from=2024-05-15&to=2025-05-14");
    size_t i;
    const json_t *s;
    json_array_foreach(json_object_get(body, "stages"), i, s)
    {
        if (strcmp(json_string_value(json_object_get(s, "kind")), "open") != 0)
            continue;
        ck_assert_int_gt(t_int(s, "entered"), 50);
        ck_assert_int_gt(int2(s, "time_in_stage_days", "n"), 20);
        ck_assert(num2(s, "time_in_stage_days", "p90") > 0);
    }
    /* deals open at `to` are the deals table's open deals (nothing is dated after as_of) */
    long long open = 0;
    json_array_foreach(json_object_get(body, "stages"), i, s) open +=
        int2(s, "stall", "open") * !strcmp(json_string_value(json_object_get(s, "kind")), "open");
    ck_assert_int_eq(open, fx_sql_ll("SELECT count(*) FROM deals d JOIN stages st ON st.id = "
                                     "d.stage_id JOIN orgs o ON o.id = d.org_id WHERE o.slug = "
                                     "'%s' AND st.kind = 'open' AND d.deleted_at IS NULL",
                                     slug));
    /* the won row counts the wins closed in the window */
    ck_assert_int_eq(t_int(stage(body, "closed_won"), "entered"),
                     fx_sql_ll("SELECT count(*) FROM deals d JOIN stages st ON st.id = "
                               "d.stage_id JOIN orgs o ON o.id = d.org_id WHERE o.slug = '%s' "
                               "AND st.kind = 'won' AND d.deleted_at IS NULL AND d.closed_on "
                               "BETWEEN '2024-05-15' AND '2025-05-14'",
                               slug));
    json_decref(body);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("funnel");
    TCase *own = tcase_create("funnel");
    tcase_add_test(own, every_figure_of_a_small_story_is_exact);
    tcase_add_test(own, the_stages_come_as_csv_for_spreadsheets);
    tcase_add_test(own, a_team_scope_counts_only_its_reps_deals_with_sub_teams);
    tcase_add_test(own, flags_mark_a_stage_that_passes_everything_on_and_one_that_is_skipped);
    tcase_add_test(own, an_org_without_deals_answers_zeros_and_nulls);
    tcase_add_test(own, invalid_parameters_are_422_naming_the_parameter);
    tcase_add_test(own, another_orgs_deals_are_never_counted);
    suite_add_tcase(s, own);
    TCase *shared = tcase_create("demo_org");
    fx_shared_demo_add(
        shared,
        (fx_demo_spec){.seed = 11, .quarters = 4, .deals_per_quarter = 200, .as_of = "2025-05-15"});
    tcase_add_test(shared, the_demo_org_reconciles_and_its_teams_partition_it);
    suite_add_tcase(s, shared);
    return t_main(s);
}

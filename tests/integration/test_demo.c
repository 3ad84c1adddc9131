/* test_demo.c — `gapforge demo` against the test database: what it loads is visible through the
 * API, its truth file parses and agrees with the data, nothing is dated after --as-of, demo
 * histories continue like API-written ones, the same seed gives the same org, and a second run
 * is a no-op. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"

/* A small demo: 3 quarters of 60 deals as of 2025-05-15, with the given seed. */
static fx_demo_spec small_demo(int seed)
{
    return (fx_demo_spec){
        .seed = seed, .quarters = 3, .deals_per_quarter = 60, .as_of = "2025-05-15"};
}

/* Runs `gapforge demo ARGS`; returns its exit status and its stdout in out. */
static int run_demo(const char *args, char *out, size_t cap)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "demo %s", args);
    return fx_gapforge(NULL, cmd, out, cap);
}

/* The number of items of a list endpoint of the shared demo org over all its pages. */
static long count_items(const char *path)
{
    return fx_count_all(fx_shared_key(), path);
}

/* The number of rows of table that belong to the shared demo org. */
static long long shared_rows(const char *table)
{
    return fx_org_rows(fx_shared_slug(), table);
}

/* Reads the shared demo org (seed 42) only. */
START_TEST(demo_org_is_visible_through_the_api_and_matches_its_truth_file)
{
    const char *slug = fx_shared_slug();
    const json_t *truth = fx_shared_truth();
    json_t *counts = json_object_get(truth, "counts");

    ck_assert_int_eq(count_items("/v1/stages"), 8);
    ck_assert_int_eq(count_items("/v1/teams"), 4);
    ck_assert_int_eq(count_items("/v1/reps"), 20);
    ck_assert_int_eq(count_items("/v1/deals"), t_int(counts, "deals"));
    ck_assert_int_gt(count_items("/v1/deals?status=won"), 5);
    ck_assert_int_gt(count_items("/v1/deals?status=open"), 10);
    ck_assert_int_eq(count_items("/v1/targets"), t_int(counts, "targets"));
    ck_assert_int_eq(count_items("/v1/targets?scope=org&metric=bookings"), 4);
    ck_assert_int_eq(count_items("/v1/commits"), t_int(counts, "commits"));
    ck_assert_int_eq(count_items("/v1/kpis"), 3);
    ck_assert_int_eq(count_items("/v1/levers"), 10);
    ck_assert_int_gt(count_items("/v1/kpis/qualified_leads/observations"), 40);
    ck_assert_int_eq(shared_rows("deal_events"), t_int(counts, "events"));

    /* The truth's bookings per quarter are the won amounts the API shows. */
    json_t *quarters = json_object_get(truth, "quarters");
    ck_assert_uint_eq(json_array_size(quarters), 4);
    for (size_t q = 0; q < json_array_size(quarters); q++) {
        json_t *qu = json_array_get(quarters, q);
        char *sum = fx_sqlf("SELECT coalesce(sum(d.amount), 0)::float8 FROM deals d "
                            "JOIN stages s ON s.id = d.stage_id JOIN orgs o ON o.id = d.org_id "
                            "WHERE o.slug = '%s' AND s.kind = 'won' AND d.closed_on BETWEEN '%s' "
                            "AND '%s'",
                            slug, t_str(qu, "start"), t_str(qu, "end"));
        ck_assert_double_eq_tol(atof(sum), t_num(qu, "bookings"), 0.001);
        free(sum);
    }
    json_t *stages = json_object_get(truth, "stages");
    ck_assert_uint_eq(json_array_size(stages), 8);
    ck_assert(t_num(json_array_get(stages, 0), "win_probability") > 0.05);
    ck_assert(json_is_object(json_object_get(truth, "slippage")));
    ck_assert(json_is_object(json_object_get(truth, "deal_size")));
}
END_TEST

/* Reads the shared demo org (seed 42) only. */
START_TEST(nothing_is_dated_on_or_after_as_of)
{
    static const char *const checks[] = {
        "SELECT count(*) FROM deal_events e JOIN orgs o ON o.id = e.org_id "
        "WHERE o.slug = '%s' AND e.at >= '2025-05-15Z'",
        "SELECT count(*) FROM deals d JOIN orgs o ON o.id = d.org_id WHERE o.slug = '%s' "
        "AND (d.created_on >= '2025-05-15' OR d.closed_on >= '2025-05-15')",
        "SELECT count(*) FROM commits c JOIN orgs o ON o.id = c.org_id WHERE o.slug = '%s' "
        "AND c.submitted_at >= '2025-05-15Z'",
        "SELECT count(*) FROM kpi_observations k JOIN orgs o ON o.id = k.org_id "
        "WHERE o.slug = '%s' AND k.observed_on >= '2025-05-15'",
    };
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++)
        ck_assert_int_eq(fx_sql_ll(checks[i], fx_shared_slug()), 0);
}
END_TEST

START_TEST(demo_history_continues_like_an_api_written_one)
{
    char key[128], slug[64];
    json_decref(fx_demo_org(key, slug, small_demo(5)));
    long long id = fx_sql_ll("SELECT d.id FROM deals d JOIN stages s ON s.id = d.stage_id "
                             "JOIN orgs o ON o.id = d.org_id WHERE o.slug = '%s' "
                             "AND s.kind = 'open' ORDER BY d.id LIMIT 1",
                             slug);
    json_t *deal = fx_body(t_get(key, "/v1/deals/%lld", id), 200);
    char before[32];
    snprintf(before, sizeof before, "%.2f", t_num(deal, "amount"));
    json_decref(deal);
    fx_patch_deal(key, id, "{\"amount\": 123456.5}");
    json_t *history = fx_body(t_get(key, "/v1/deals/%lld/history", id), 200);
    json_t *items = json_object_get(history, "items");
    size_t n = json_array_size(items);
    ck_assert_uint_ge(n, 6);
    /* Creation wrote one event per tracked field, old null; the API's change follows on. */
    for (size_t i = 0; i < 5; i++)
        ck_assert(json_is_null(json_object_get(json_array_get(items, i), "old")));
    json_t *last = json_array_get(items, n - 1);
    ck_assert_str_eq(t_str(last, "field"), "amount");
    ck_assert_str_eq(t_str(last, "old"), before);
    ck_assert_str_eq(t_str(last, "new"), "123456.50");
    json_decref(history);
}
END_TEST

START_TEST(same_seed_gives_the_same_org_and_a_second_run_is_a_no_op)
{
    char key[128], a[64], b[64], path[256], out[1024], args[512];
    json_decref(fx_demo_org(key, a, small_demo(9)));
    json_decref(fx_demo_org(key, b, small_demo(9)));
    static const char digest[] =
        "SELECT md5(string_agg(concat_ws('|', d.external_id, e.field, e.old_value, e.new_value, "
        "e.at), ',' ORDER BY d.external_id, e.at, e.id)) FROM deal_events e "
        "JOIN deals d ON d.id = e.deal_id WHERE e.org_id = (SELECT id FROM orgs WHERE slug = '%s')";
    char *da = fx_sqlf(digest, a), *db = fx_sqlf(digest, b);
    ck_assert_str_ne(da, "");
    ck_assert_str_eq(da, db);
    free(da);
    free(db);

    long long events = fx_org_rows(a, "deal_events");
    snprintf(path, sizeof path, "/tmp/gapforge-test-%s-again.json", a);
    snprintf(args, sizeof args, "--org %s --seed 10 --truth %s", a, path);
    ck_assert_int_eq(run_demo(args, out, sizeof out), 0);
    ck_assert_str_eq(out, "demo org already loaded\n");
    ck_assert_int_eq(fx_org_rows(a, "deal_events"), events);
    unlink(path);
}
END_TEST

START_TEST(demo_creates_a_missing_org_and_rejects_bad_arguments)
{
    char slug[64], args[512], out[2048], path[256];
    snprintf(slug, sizeof slug, "demo-new-%d", (int)getpid());
    snprintf(path, sizeof path, "/tmp/%s-truth.json", slug);
    snprintf(args, sizeof args, "--org %s --quarters 1 --deals-per-quarter 20 --truth %s", slug,
             path);
    ck_assert_int_eq(run_demo(args, out, sizeof out), 0);
    char *name = fx_sqlf("SELECT name FROM orgs WHERE slug = '%s'", slug);
    ck_assert_str_eq(name, "Demo Co");
    free(name);
    ck_assert_int_eq(access(path, R_OK), 0);
    unlink(path);

    ck_assert_int_eq(run_demo("--seed 1", out, sizeof out), 2);
    ck_assert_int_eq(run_demo("--org demo-x --seed abc", out, sizeof out), 2);
    ck_assert_int_eq(run_demo("--org demo-x --seed -1", out, sizeof out), 2);
    ck_assert_int_eq(run_demo("--org demo-x --as-of 2025-02-30", out, sizeof out), 2);
    ck_assert_int_eq(run_demo("--org demo-x --quarters 0", out, sizeof out), 2);
    ck_assert_int_eq(run_demo("--org demo-x --quarters 41", out, sizeof out), 2);
    ck_assert_int_eq(run_demo("--org demo-x --deals-per-quarter x", out, sizeof out), 2);
    ck_assert_int_eq(run_demo("--help", out, sizeof out), 0);
    ck_assert_msg(strstr(out, "usage: gapforge demo") != NULL, "%s", out);
    ck_assert_int_eq(fx_sql_ll("SELECT count(*) FROM orgs WHERE slug = 'demo-x'"), 0);
}
END_TEST

/* The founding story (README "KPIs and leading indicators"): three months before Q4 the demo's
 * errors per page head for ten times the goal and the hours to publish for half as much again;
 * the plans' asks are ten QA vendors and seven content contractors. */
START_TEST(the_demo_tells_the_founding_story_three_months_ahead)
{
    char key[128], slug[64];
    json_decref(fx_demo_org(
        key, slug,
        (fx_demo_spec){
            .seed = 42, .quarters = 8, .deals_per_quarter = 150, .as_of = "2026-09-20"}));
    const struct {
        const char *kpi, *lever;
        double p50, target;
        int units;
        double cost;
    } story[] = {{"errors_per_page", "qa-vendor", 4.18, 0.4, 10, 180000},
                 {"publish_lag_hours", "content-contractor", 35.2, 24, 7, 63000}};
    for (size_t i = 0; i < 2; i++) {
        t_resp f = t_get(key, "/v1/kpis/%s/forecast?period=2026-Q4&as_of=2026-09-20", story[i].kpi);
        ck_assert_msg(f.status == 200, "%s", f.raw);
        const json_t *v = json_object_get(f.body, "value");
        ck_assert_double_eq_tol(t_num(v, "p50"), story[i].p50, 0.05);
        ck_assert_double_eq_tol(t_num(f.body, "target"), story[i].target, 1e-9);
        ck_assert_double_lt(t_num(f.body, "prob_meet"), 0.01);
        t_resp_free(&f);
        char body[512];
        snprintf(body, sizeof body,
                 "{\"period\": \"2026-Q4\", \"as_of\": \"2026-09-20\", \"goal\": {\"metric\": "
                 "\"%s\", \"type\": \"probability\", \"confidence\": 0.8}, \"budget\": 300000}",
                 story[i].kpi);
        t_resp p = t_post(key, "/v1/plans", body);
        ck_assert_msg(p.status == 200, "%s", p.raw);
        ck_assert(json_is_true(json_object_get(p.body, "achieves")));
        ck_assert_double_eq_tol(t_num(p.body, "total_cost"), story[i].cost, 0.01);
        const json_t *a = json_array_get(json_object_get(p.body, "actions"), 0);
        ck_assert_uint_eq(json_array_size(json_object_get(p.body, "actions")), 1);
        ck_assert_str_eq(t_str(a, "lever"), story[i].lever);
        ck_assert_int_eq(t_int(a, "units"), story[i].units);
        ck_assert_ptr_nonnull(strstr(t_str(p.body, "summary"), "The ask is $"));
        t_resp_free(&p);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("demo");
    /* One demo org, loaded once, read by these. */
    TCase *shared = tcase_create("shared_demo_org");
    fx_shared_demo_add(shared, small_demo(42));
    tcase_add_test(shared, demo_org_is_visible_through_the_api_and_matches_its_truth_file);
    tcase_add_test(shared, nothing_is_dated_on_or_after_as_of);
    suite_add_tcase(s, shared);
    /* These write, or load their own. */
    TCase *own = tcase_create("own_demo_orgs");
    tcase_add_test(own, demo_history_continues_like_an_api_written_one);
    tcase_add_test(own, same_seed_gives_the_same_org_and_a_second_run_is_a_no_op);
    tcase_add_test(own, demo_creates_a_missing_org_and_rejects_bad_arguments);
    tcase_add_test(own, the_demo_tells_the_founding_story_three_months_ahead);
    suite_add_tcase(s, own);
    return t_main(s);
}

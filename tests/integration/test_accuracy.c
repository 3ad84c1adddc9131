/* test_accuracy.c — GET /v1/accuracy over HTTP on demo orgs: the model's call from snapshots
 * where they exist and from backtests where a period has none, the scope's commit, each scored
 * against what was won, and the 422s. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

static const fx_demo_spec demo = {
    .seed = 23, .quarters = 6, .deals_per_quarter = 150, .as_of = "2026-11-15"};

static double won_in(const char *slug, const char *from, const char *to)
{
    char *sum = fx_sqlf("SELECT coalesce(sum(d.amount), 0) FROM deals d JOIN orgs o ON o.id = "
                        "d.org_id JOIN stages s ON s.id = d.stage_id WHERE o.slug = '%s' AND "
                        "d.deleted_at IS NULL AND s.kind = 'won' AND d.closed_on BETWEEN '%s' "
                        "AND '%s'",
                        slug, from, to);
    const double v = atof(sum);
    free(sum);
    return v;
}

/* A call's scores are what its value and the actual give. */
static void check_score(const json_t *c, double actual)
{
    const double v = t_num(c, "value");
    ck_assert_double_eq_tol(t_num(c, "error"), v - actual, 0.011);
    ck_assert_double_eq_tol(t_num(c, "abs_error"), fabs(v - actual), 0.011);
    ck_assert_double_eq_tol(t_num(c, "ratio"), v / actual, 1e-9);
    ck_assert_double_eq_tol(t_num(c, "accuracy"), fmax(0.0, 1.0 - fabs(actual - v) / actual), 1e-9);
}

START_TEST(without_snapshots_the_model_s_weeks_are_backtests_scored_against_the_actual)
{
    const char *key = fx_shared_key();
    t_resp r = t_get(key, "/v1/accuracy?periods=2026-Q2");
    ck_assert_msg(r.status == 200, "%s", r.raw);
    const json_t *p = json_array_get(json_object_get(r.body, "periods"), 0);
    const double actual = won_in(fx_shared_slug(), "2026-04-01", "2026-06-30");
    ck_assert_double_gt(actual, 0);
    ck_assert_double_eq_tol(t_num(p, "actual"), actual, 0.001);
    const json_t *weeks = json_object_get(p, "weeks");
    ck_assert_uint_eq(json_array_size(weeks), 13);
    /* Week 4 is the backtest at day 28: what POST /v1/backtests answers for it. */
    t_resp b = t_post(key, "/v1/backtests", "{\"periods\": [\"2026-Q2\"], \"offsets\": [28]}");
    ck_assert_msg(b.status == 200, "%s", b.raw);
    const json_t *row =
        json_array_get(json_object_get(json_object_get(b.body, "result"), "rows"), 0);
    const json_t *m = json_object_get(json_array_get(weeks, 4), "model");
    ck_assert_str_eq(t_str(m, "source"), "backtest");
    ck_assert_str_eq(t_str(m, "as_of"), "2026-04-29");
    ck_assert_double_eq_tol(t_num(m, "value"), t_num(row, "p50"), 0.001);
    ck_assert_double_eq_tol(t_num(m, "p10"), t_num(row, "p10"), 0.001);
    check_score(m, actual);
    ck_assert(json_is_boolean(json_object_get(m, "inside_p10_p90")));
    /* The backtest covers weeks 0 to 11. */
    ck_assert(json_is_null(json_object_get(json_array_get(weeks, 12), "model")));
    /* The org's call is its reps' latest commits, summed, when the org has none of its own. */
    int commits = 0;
    for (size_t w = 0; w < json_array_size(weeks); w++) {
        const json_t *c = json_object_get(json_array_get(weeks, w), "commit");
        if (json_is_null(c))
            continue;
        commits++;
        ck_assert_str_eq(t_str(c, "source"), "reps");
        check_score(c, actual);
    }
    ck_assert_int_gt(commits, 0);
    const json_t *s = json_object_get(r.body, "summary");
    ck_assert_int_eq(t_int(json_object_get(s, "model"), "n"), 12);
    ck_assert_int_eq(t_int(json_object_get(s, "commit"), "n"), commits);
    const json_t *diff = json_object_get(s, "accuracy_difference");
    if (json_is_number(diff))
        ck_assert_str_eq(t_str(s, "more_accurate"), json_number_value(diff) > 0   ? "model"
                                                    : json_number_value(diff) < 0 ? "commit"
                                                                                  : "tie");
    t_resp_free(&b);
    t_resp_free(&r);
}
END_TEST

START_TEST(a_period_with_snapshots_is_judged_by_the_snapshot_of_each_week)
{
    char key[128], slug[64];
    json_decref(fx_demo_org(key, slug, demo));
    t_resp s = t_post(key, "/v1/forecast/snapshots",
                      "{\"period\": \"2026-Q2\", \"as_of\": \"2026-04-10\", \"trials\": 2000}");
    ck_assert_msg(s.status == 201 || s.status == 200, "%s", s.raw);
    t_resp r = t_get(key, "/v1/accuracy?periods=2026-Q2&scope=org");
    ck_assert_msg(r.status == 200, "%s", r.raw);
    const json_t *weeks =
        json_object_get(json_array_get(json_object_get(r.body, "periods"), 0), "weeks");
    /* Before the snapshot the model had made no call; from it on, the snapshot stands. */
    ck_assert(json_is_null(json_object_get(json_array_get(weeks, 1), "model")));
    for (size_t w = 2; w < json_array_size(weeks); w++) {
        const json_t *m = json_object_get(json_array_get(weeks, w), "model");
        ck_assert_str_eq(t_str(m, "source"), "snapshot");
        ck_assert_str_eq(t_str(m, "as_of"), "2026-04-10");
        ck_assert_double_eq_tol(t_num(m, "value"), t_num(s.body, "p50"), 0.001);
    }
    ck_assert_int_eq(t_int(json_object_get(json_object_get(r.body, "summary"), "model"), "n"), 11);
    t_resp_free(&s);
    t_resp_free(&r);
}
END_TEST

/* A manager's adjustment counts from the day it was made, and is scored by what it added to the
 * commit it adjusted. */
START_TEST(a_manager_s_call_stands_from_when_it_was_made_and_its_value_added_is_scored)
{
    char key[128], slug[64];
    json_decref(fx_demo_org(key, slug, demo));
    /* Made on 2026-05-01 (adjustments are append-only: written here as they would have been). */
    char *id = fx_sqlf("INSERT INTO adjustments (org_id, scope, period, period_start, period_end, "
                       "value, reason, author, created_at) SELECT id, 'org', '2026-Q2', "
                       "'2026-04-01', '2026-06-30', 250000, 'pipeline review', 'maria', "
                       "'2026-05-01T12:00:00Z' FROM orgs WHERE slug = '%s' RETURNING id",
                       slug);
    free(id);
    t_resp r = t_get(key, "/v1/accuracy?periods=2026-Q2");
    ck_assert_msg(r.status == 200, "%s", r.raw);
    const json_t *p = json_array_get(json_object_get(r.body, "periods"), 0);
    const double actual = t_num(p, "actual");
    const json_t *weeks = json_object_get(p, "weeks");
    ck_assert(json_is_null(json_object_get(json_array_get(weeks, 4), "manager"))); /* 04-29 */
    double added = 0.0;
    int n = 0;
    for (size_t w = 5; w < json_array_size(weeks); w++) { /* 05-06 on */
        const json_t *wk = json_array_get(weeks, w);
        const json_t *m = json_object_get(wk, "manager");
        ck_assert_str_eq(t_str(m, "author"), "maria");
        check_score(m, actual);
        const json_t *c = json_object_get(wk, "commit");
        if (json_is_null(c))
            continue;
        added += fabs(t_num(c, "value") - actual) - fabs(250000.0 - actual);
        n++;
    }
    ck_assert_int_gt(n, 0);
    const json_t *s = json_object_get(r.body, "summary");
    ck_assert_int_eq(t_int(json_object_get(s, "manager"), "n"), 8);
    const json_t *mg = json_array_get(json_object_get(s, "managers"), 0);
    ck_assert_str_eq(t_str(mg, "author"), "maria");
    ck_assert_int_eq(t_int(mg, "n"), n);
    ck_assert_double_eq_tol(t_num(mg, "value_added"), added, 0.011 * n);
    t_resp_free(&r);
}
END_TEST

START_TEST(bad_requests_are_422_naming_the_field)
{
    const char *key = fx_shared_key();
    static const struct {
        const char *query, *field;
    } bad[] = {
        {"last=0", "last"},           {"last=x", "last"},
        {"last=41", "last"},          {"periods=2099-Q1", "periods"},
        {"periods=nope", "periods"},  {"periods=,", "periods"},
        {"scope=team:nope", "scope"}, {"periods=2026-Q1&last=2", "last"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        t_resp r = t_get(key, "/v1/accuracy?%s", bad[k].query);
        ck_assert_msg(r.status == 422, "%s: %s", bad[k].query, r.raw);
        t_expect_error(r, 422, NULL, bad[k].field);
        t_resp_free(&r);
    }
}
END_TEST

static void expect_csv(const t_resp *r, const char *filename, size_t rows)
{
    ck_assert_msg(r->status == 200, "%s: %s", r->request, r->raw);
    ck_assert_ptr_nonnull(strstr(r->content_type, "text/csv"));
    char want[96];
    snprintf(want, sizeof want, "attachment; filename=\"%s\"", filename);
    ck_assert_str_eq(r->disposition, want);
    ck_assert_uint_eq(fx_csv_lines(r->raw), rows + 1); /* the header, then a line a row */
}

/* The accuracy ledger, the pipeline's changes and a backtest as spreadsheets: a row per week, per
 * bucket and per backtest row, each an attachment named for its resource. */
START_TEST(accuracy_pipeline_changes_and_backtests_answer_csv_attachments)
{
    const char *key = fx_shared_key();
    t_resp r =
        t_request("GET", "/v1/accuracy?periods=2026-Q2", key, NULL, NULL, "Accept: text/csv");
    expect_csv(&r, "accuracy.csv", 13);
    ck_assert(strncmp(r.raw, "period,", 7) == 0 || strstr(r.raw, ",week") != NULL);
    t_resp_free(&r);
    const char *changes = "/v1/pipeline/changes?period=2026-Q2&from=2026-04-01&to=2026-06-30";
    t_resp j = t_get(key, "%s", changes);
    ck_assert_msg(j.status == 200, "%s", j.raw);
    const size_t buckets = json_object_size(json_object_get(j.body, "buckets"));
    ck_assert_uint_gt(buckets, 0);
    t_resp_free(&j);
    r = t_request("GET", changes, key, NULL, NULL, "Accept: text/csv");
    expect_csv(&r, "changes.csv", buckets);
    t_resp_free(&r);
    const char *body = "{\"periods\": [\"2026-Q2\"], \"offsets\": [0, 28]}";
    t_resp b = t_post(key, "/v1/backtests", body);
    ck_assert_msg(b.status == 200, "%s", b.raw);
    const json_t *row =
        json_array_get(json_object_get(json_object_get(b.body, "result"), "rows"), 1);
    const double p50 = t_num(row, "p50");
    t_resp_free(&b);
    r = t_request("POST", "/v1/backtests", key, body, NULL, "Accept: text/csv");
    expect_csv(&r, "backtests.csv", 2);
    /* The second row's p50 cell (the cells here are numbers and dates: no quoted commas). */
    int col = 0;
    const char *h = r.raw;
    for (; (h != r.raw && h[-1] != ',') ||
           (strncmp(h, "p50,", 4) != 0 && strncmp(h, "p50\r", 4) != 0);
         h++) {
        ck_assert_msg(*h && *h != '\r', "no p50 column in %s", r.raw);
        col += *h == ',';
    }
    const char *cell = strstr(strstr(r.raw, "\r\n") + 2, "\r\n") + 2;
    for (int c = 0; c < col; c++)
        cell = strchr(cell, ',') + 1;
    ck_assert_double_eq_tol(strtod(cell, NULL), p50, 0.001);
    t_resp_free(&r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("accuracy");
    TCase *tc = tcase_create("accuracy");
    tcase_set_timeout(tc, 120);
    fx_shared_demo_add(tc, demo);
    tcase_add_test(tc, without_snapshots_the_model_s_weeks_are_backtests_scored_against_the_actual);
    tcase_add_test(tc, a_period_with_snapshots_is_judged_by_the_snapshot_of_each_week);
    tcase_add_test(tc, a_manager_s_call_stands_from_when_it_was_made_and_its_value_added_is_scored);
    tcase_add_test(tc, bad_requests_are_422_naming_the_field);
    tcase_add_test(tc, accuracy_pipeline_changes_and_backtests_answer_csv_attachments);
    suite_add_tcase(s, tc);
    return t_main(s);
}

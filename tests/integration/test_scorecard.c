/* test_scorecard.c — GET /v1/reps/{key}/scorecard over HTTP. On an org built for the case, reps
 * with a clear commit habit (landing 1.5x or 0.7x what they commit, quarter after quarter) are
 * labelled sandbagging and optimistic, a steady one accurate, and one good quarter does not make
 * a sandbagger; the next quarter's forecast is GET /v1/forecast's and the bias-corrected commit
 * is the latest commit times the bias. On a demo org: said and did reconcile with
 * GET /v1/commits and GET /v1/deals, the bias quarters with the deals won in them, and each
 * rep's bias direction in the truth file (sandbagging / accurate / optimistic) is recovered. A rep
 * with nothing gets the same shape with nulls and n = 0; an unknown rep is 404, a bad period or
 * as_of 422. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

/* The demo of the bias check: 6 quarters of 2,000 deals as of 2025-05-15 (12,498 deals). */
static const fx_demo_spec demo = {
    .seed = 42, .quarters = 6, .deals_per_quarter = 2000, .as_of = "2025-05-15"};

static json_t *card(const char *key, const char *rep, const char *query)
{
    return fx_body(t_get(key, "/v1/reps/%s/scorecard?%s", rep, query), 200);
}

static const json_t *at(const json_t *o, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    const json_t *v = o;
    for (char *save = NULL, *tok = strtok_r(buf, ".", &save); tok && v;
         tok = strtok_r(NULL, ".", &save))
        v = json_object_get(v, tok);
    ck_assert_msg(v != NULL, "no %s", path);
    return v;
}

static double num_at(const json_t *o, const char *path)
{
    return json_number_value(at(o, path));
}

static const char *str_at(const json_t *o, const char *path)
{
    return json_string_value(at(o, path));
}

/* ---- an org built for the case ---- */

/* Calendar quarters of 2024 and the noise of each quarter's actual against the habit. */
static const char *const quarter[4] = {"2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"};
static const int month[4] = {1, 4, 7, 10};
static const double noise[4] = {0.8, 1.2, 0.9, 1.1};

/* One won deal of amount in quarter q for rep, and the rep's two commits (first and last) of
 * actual / (habit x noise). */
static void quarter_of(const char *key, const char *rep, int q, double amount, double habit)
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"external_id\": \"%s-%d\", \"name\": \"deal\", \"owner\": \"%s\", "
             "\"amount\": %.2f, \"stage\": \"won\", \"created_on\": \"2024-%02d-02\", "
             "\"close_date\": \"2024-%02d-20\", \"closed_on\": \"2024-%02d-20\", "
             "\"effective_at\": \"2024-%02d-20\"}",
             rep, q, rep, amount, month[q], month[q] + 1, month[q] + 1, month[q] + 1);
    fx_post_deal(key, body);
    const double commit = round(amount / (habit * noise[q]));
    for (int k = 0; k < 2; k++) {
        snprintf(body, sizeof body,
                 "{\"scope\": \"rep:%s\", \"period\": \"%s\", \"commit\": %.0f, "
                 "\"best_case\": %.0f, \"notes\": \"week %d: \\\"steady\\\" — ünïcode\", "
                 "\"submitted_at\": \"2024-%02d-%02d\"}",
                 rep, quarter[q], commit, commit, k, month[q] + 2 * k, k ? 25 : 3);
        fx_expect_status(t_post(key, "/v1/commits", body), 201);
    }
}

/* Reps without a team (their peers: every rep of the org): sandy lands 1.5x its commit, olga
 * 0.7x, ava 1x (each with the quarter noise), quin beat its only commit by 30%. */
static void habits_org(char *key, char *slug)
{
    fx_sales_org(key, slug);
    static const char *const reps[] = {"sandy", "olga", "ava", "quin", "nobody"};
    for (size_t i = 0; i < 5; i++)
        fx_add_rep(slug, reps[i]);
    for (int q = 0; q < 4; q++) {
        quarter_of(key, "sandy", q, 100000 + 10000 * q, 1.5);
        quarter_of(key, "olga", q, 80000 + 5000 * q, 0.7);
        quarter_of(key, "ava", q, 90000, 1.0);
    }
    char body[512];
    snprintf(body, sizeof body,
             "{\"external_id\": \"quin-1\", \"name\": \"deal\", \"owner\": \"quin\", "
             "\"amount\": 130000, \"stage\": \"won\", \"created_on\": \"2024-10-02\", "
             "\"close_date\": \"2024-11-20\", \"closed_on\": \"2024-11-20\", "
             "\"effective_at\": \"2024-11-20\"}");
    fx_post_deal(key, body);
    fx_expect_status(t_post(key, "/v1/commits",
                            "{\"scope\": \"rep:quin\", \"period\": \"2024-Q4\", "
                            "\"commit\": 100000, \"best_case\": 100000, "
                            "\"submitted_at\": \"2024-10-03\"}"),
                     201);
}

START_TEST(clear_habits_are_labelled_and_one_quarter_does_not_make_a_sandbagger)
{
    char key[128], slug[64];
    habits_org(key, slug);
    static const struct {
        const char *rep, *label;
        size_t n;
    } want[] = {{"sandy", "sandbagging", 4},
                {"olga", "optimistic", 4},
                {"ava", "accurate", 4},
                {"quin", "accurate", 1},
                {"nobody", "unknown", 0}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        json_t *c = card(key, want[i].rep, "period=2025-Q1&as_of=2025-03-01");
        for (int k = 0; k < 2; k++) {
            const json_t *b = at(c, k ? "bias.last" : "bias.first");
            ck_assert_msg(strcmp(str_at(b, "label"), want[i].label) == 0, "%s: %s", want[i].rep,
                          json_dumps(b, JSON_COMPACT));
            ck_assert_int_eq(t_int(b, "n"), (long long)want[i].n);
            ck_assert_int_eq(t_int(b, "team_reps"), 4);
            ck_assert_int_eq(t_int(b, "team_n"), 13);
        }
        ck_assert_int_eq(json_array_size(at(c, "bias.quarters")), 4);
        json_decref(c);
    }
    /* quin's one quarter reads 1.3 raw, shrunk toward the team's bias by the prior's 2 quarters. */
    json_t *c = card(key, "quin", "period=2025-Q1&as_of=2025-03-01");
    ck_assert_double_eq_tol(num_at(c, "bias.first.raw"), 1.3, 1e-9);
    ck_assert_double_lt(num_at(c, "bias.first.estimate"), 1.3);
    ck_assert_double_gt(num_at(c, "bias.first.estimate"), num_at(c, "bias.first.team"));
    ck_assert_double_eq(num_at(c, "bias.prior_quarters"), 2);
    const json_t *q4 = json_array_get(at(c, "bias.quarters"), 3);
    ck_assert_str_eq(t_str(q4, "name"), "2024-Q4");
    ck_assert_double_eq_tol(t_num(q4, "actual"), 130000, 1e-6);
    ck_assert_double_eq_tol(t_num(q4, "actual_over_first"), 1.3, 1e-9);
    ck_assert(
        json_is_null(json_object_get(json_array_get(at(c, "bias.quarters"), 0), "first_commit")));
    json_decref(c);
    /* sandy's quarters: actual over the commits is the habit times the noise. */
    c = card(key, "sandy", "period=2025-Q1&as_of=2025-03-01");
    for (size_t q = 0; q < 4; q++) {
        const json_t *row = json_array_get(at(c, "bias.quarters"), q);
        ck_assert_double_eq_tol(t_num(row, "actual_over_last"), 1.5 * noise[q], 1e-4);
        ck_assert_int_eq(t_int(row, "commits"), 2);
    }
    ck_assert_double_gt(json_number_value(json_array_get(at(c, "bias.first.interval"), 0)), 1);
    json_decref(c);
}
END_TEST

START_TEST(next_is_the_forecast_and_the_commit_corrected_by_the_bias)
{
    char key[128], slug[64];
    habits_org(key, slug);
    fx_put_target(key, "rep:sandy", "2025-Q2", 200000);
    fx_post_deal(key, "{\"external_id\": \"sandy-open\", \"name\": \"open\", \"owner\": "
                      "\"sandy\", \"amount\": 50000, \"stage\": \"proposal\", \"created_on\": "
                      "\"2025-02-01\", \"close_date\": \"2025-05-20\", \"effective_at\": "
                      "\"2025-02-01\"}");
    fx_expect_status(t_post(key, "/v1/commits",
                            "{\"scope\": \"rep:sandy\", \"period\": \"2025-Q2\", "
                            "\"commit\": 60000, \"best_case\": 90000, "
                            "\"submitted_at\": \"2025-02-20\"}"),
                     201);
    json_t *c = card(key, "sandy", "period=2025-Q1&as_of=2025-03-01");
    ck_assert_str_eq(str_at(c, "next.period.name"), "2025-Q2");
    ck_assert_str_eq(str_at(c, "next.as_of"), "2025-03-01");
    ck_assert_double_eq_tol(num_at(c, "next.target"), 200000, 1e-6);
    ck_assert_int_eq(t_int(at(c, "next.open_pipeline"), "count"), 1);
    ck_assert_double_eq_tol(num_at(c, "next.open_pipeline.value"), 50000, 1e-6);
    ck_assert_double_eq_tol(num_at(c, "next.coverage"), 0.25, 1e-9);
    const json_t *stages = at(c, "next.pipeline_by_stage");
    ck_assert_int_eq(json_array_size(stages), 2);
    ck_assert_str_eq(t_str(json_array_get(stages, 1), "stage"), "proposal");
    ck_assert_int_eq(t_int(json_array_get(stages, 1), "count"), 1);
    ck_assert_double_eq_tol(num_at(c, "next.latest_commit"), 60000, 1e-6);
    const double bias = num_at(c, "bias.first.estimate");
    ck_assert_double_eq_tol(num_at(c, "next.bias_corrected_commit.value"),
                            round(6000000 * bias) / 100, 0.011);
    json_t *f =
        fx_body(t_get(key, "/v1/forecast?scope=rep:sandy&period=2025-Q2&as_of=2025-03-01"), 200);
    static const char *const figures[] = {"p10", "p50", "p90", "expected"};
    for (size_t k = 0; k < 4; k++) {
        char path[64];
        snprintf(path, sizeof path, "next.forecast.%s", figures[k]);
        ck_assert_double_eq_tol(num_at(c, path), t_num(f, figures[k]), 1e-6);
    }
    ck_assert_double_eq_tol(num_at(c, "next.forecast.prob_hit"), t_num(f, "prob_hit"), 1e-12);
    json_decref(f);
    /* said: the commits of the period as written; none for 2025-Q1. */
    ck_assert_int_eq(t_int(at(c, "said"), "n"), 0);
    ck_assert(json_is_null(at(c, "said.first")));
    json_decref(c);
    c = card(key, "sandy", "period=2024-Q3&as_of=2025-03-01");
    ck_assert_int_eq(t_int(at(c, "said"), "n"), 2);
    ck_assert_str_eq(str_at(c, "said.first.notes"), "week 0: \"steady\" — ünïcode");
    ck_assert_str_eq(str_at(c, "said.last.notes"), "week 1: \"steady\" — ünïcode");
    ck_assert_int_eq(t_int(at(c, "did.won"), "count"), 1);
    ck_assert_double_eq_tol(num_at(c, "did.booked"), 120000, 1e-6);
    /* The next quarter (2024-Q4) ended by as_of: the card is read as of its first day. */
    ck_assert_str_eq(str_at(c, "next.as_of"), "2024-10-01");
    json_decref(c);
}
END_TEST

START_TEST(a_rep_with_nothing_gets_the_same_shape_with_nulls)
{
    char key[128], slug[64];
    fx_sales_org(key, slug);
    json_t *c = card(key, "dee", "period=2025-Q1&as_of=2025-03-01");
    ck_assert_int_eq(t_int(at(c, "said"), "n"), 0);
    ck_assert(json_is_null(at(c, "said.first")) && json_is_null(at(c, "said.last")));
    ck_assert_int_eq(t_int(at(c, "did.won"), "count"), 0);
    ck_assert_double_eq(num_at(c, "did.booked"), 0);
    ck_assert(json_is_null(at(c, "worked.overall.win_rate.rep")));
    ck_assert_int_eq(t_int(at(c, "worked.overall.win_rate"), "rep_n"), 0);
    ck_assert(json_is_null(at(c, "worked.overall.win_rate.team_median")));
    ck_assert_int_eq(t_int(at(c, "worked.peers"), "reps"), 4); /* dee has no team: the org */
    ck_assert(json_is_null(at(c, "worked.peers.team")));
    for (int k = 0; k < 2; k++) {
        const json_t *b = at(c, k ? "bias.last" : "bias.first");
        ck_assert_int_eq(t_int(b, "n"), 0);
        ck_assert_str_eq(t_str(b, "label"), "unknown");
        ck_assert(json_is_null(json_object_get(b, "estimate")));
        ck_assert(json_is_null(json_object_get(b, "interval")));
    }
    ck_assert(json_is_null(at(c, "next.target")) && json_is_null(at(c, "next.coverage")));
    ck_assert(json_is_null(at(c, "next.latest_commit")));
    ck_assert(json_is_null(at(c, "next.bias_corrected_commit")));
    ck_assert_str_eq(str_at(c, "rep.key"), "dee");
    json_decref(c);
    /* The default period is the current quarter; ada's peers are her team uk's reps. */
    c = card(key, "ada", "");
    ck_assert_str_eq(str_at(c, "worked.peers.team"), "uk");
    ck_assert_int_eq(t_int(at(c, "worked.peers"), "reps"), 1);
    json_decref(c);
}
END_TEST

START_TEST(unknown_rep_is_404_and_bad_parameters_are_422)
{
    char key[128], slug[64];
    fx_sales_org(key, slug);
    fx_expect_error(t_get(key, "/v1/reps/nobody/scorecard?period=2025-Q1"), 404, "not_found", NULL);
    fx_expect_invalid(t_get(key, "/v1/reps/ada/scorecard?period=2025-Q5"), "period");
    fx_expect_invalid(t_get(key, "/v1/reps/ada/scorecard?period=2025-01-01..2025-02-01"), "period");
    fx_expect_invalid(t_get(key, "/v1/reps/ada/scorecard?period=2025-Q1&as_of=2025-02-30"),
                      "as_of");
    /* The range of a quarter is the quarter. */
    json_t *c = card(key, "ada", "period=2025-01-01..2025-03-31&as_of=2025-03-01");
    ck_assert_str_eq(str_at(c, "period.name"), "2025-Q1");
    json_decref(c);
    /* Another org's rep is not found. */
    char other[128], other_slug[64];
    t_new_org(other, other_slug);
    fx_expect_error(t_get(other, "/v1/reps/ada/scorecard"), 404, "not_found", NULL);
}
END_TEST

/* ---- the demo org ---- */

/* Every item of a list path (all pages of 500). New reference. */
static json_t *all_items(const char *key, const char *path)
{
    json_t *all = json_array();
    char cursor[64] = "";
    do {
        json_t *page =
            fx_body(t_get(key, "%s&limit=500%s%s", path, cursor[0] ? "&cursor=" : "", cursor), 200);
        json_array_extend(all, json_object_get(page, "items"));
        const char *next = json_string_value(json_object_get(page, "next_cursor"));
        snprintf(cursor, sizeof cursor, "%s", next ? next : "");
        json_decref(page);
    } while (cursor[0]);
    return all;
}

/* Count and value of the rep's deals of a status closed in [from, to]. */
static void closed_in(const char *key, const char *rep, const char *status, const char *from,
                      const char *to, long *n, double *value)
{
    char path[160];
    snprintf(path, sizeof path, "/v1/deals?owner=%s&status=%s", rep, status);
    json_t *deals = all_items(key, path);
    *n = 0;
    *value = 0;
    size_t i;
    json_t *d;
    json_array_foreach(deals, i, d)
    {
        const char *on = t_str(d, "closed_on");
        if (on && strcmp(on, from) >= 0 && strcmp(on, to) <= 0) {
            (*n)++;
            *value += t_num(d, "amount");
        }
    }
    json_decref(deals);
}

START_TEST(said_and_did_reconcile_with_the_commits_and_the_deals)
{
    const char *key = fx_shared_key();
    static const char *const reps[] = {"donald", "ada", "niels"};
    for (size_t r = 0; r < 3; r++) {
        json_t *c = card(key, reps[r], "period=2025-Q1&as_of=2025-05-15");
        char path[160];
        snprintf(path, sizeof path, "/v1/commits?scope=rep:%s&period=2025-Q1", reps[r]);
        json_t *commits = all_items(key, path); /* newest first */
        const json_t *said = at(c, "said.commits");
        const size_t n = json_array_size(commits);
        ck_assert_uint_gt(n, 0);
        ck_assert_uint_eq(json_array_size(said), n);
        ck_assert_int_eq(t_int(at(c, "said"), "n"), (long long)n);
        for (size_t k = 0; k < n; k++)
            ck_assert(json_equal(json_array_get(said, k), json_array_get(commits, n - 1 - k)));
        ck_assert(json_equal(at(c, "said.first"), json_array_get(commits, n - 1)));
        ck_assert(json_equal(at(c, "said.last"), json_array_get(commits, 0)));
        json_decref(commits);
        long won, lost;
        double won_v, lost_v;
        closed_in(key, reps[r], "won", "2025-01-01", "2025-03-31", &won, &won_v);
        closed_in(key, reps[r], "lost", "2025-01-01", "2025-03-31", &lost, &lost_v);
        ck_assert_int_eq(t_int(at(c, "did.won"), "count"), won);
        ck_assert_double_eq_tol(num_at(c, "did.won.value"), won_v, 0.005);
        ck_assert_double_eq_tol(num_at(c, "did.booked"), won_v, 0.005);
        ck_assert_int_eq(t_int(at(c, "did.lost"), "count"), lost);
        ck_assert_double_eq_tol(num_at(c, "did.lost.value"), lost_v, 0.005);
        long by_stage = 0;
        size_t i;
        json_t *s;
        json_array_foreach(at(c, "did.lost_by_stage"), i, s) by_stage += (long)t_int(s, "count");
        ck_assert_int_eq(by_stage, lost);
        ck_assert_int_eq(t_int(at(c, "worked.overall.win_rate"), "rep_n"), won + lost);
        ck_assert_double_eq_tol(num_at(c, "worked.overall.win_rate.rep"),
                                (double)won / (double)(won + lost), 1e-12);
        /* The bias quarters' actuals are the deals won in them. */
        const json_t *q = json_array_get(at(c, "bias.quarters"), 3);
        ck_assert_str_eq(t_str(q, "name"), "2024-Q4");
        closed_in(key, reps[r], "won", "2024-10-01", "2024-12-31", &won, &won_v);
        ck_assert_double_eq_tol(t_num(q, "actual"), won_v, 0.005);
        json_decref(c);
    }
}
END_TEST

START_TEST(the_scorecard_recovers_each_demo_reps_bias_direction)
{
    const char *key = fx_shared_key();
    const json_t *reps = json_object_get(fx_shared_truth(), "reps");
    int n_clear = 0, n_straight = 0, straight_right = 0;
    size_t i;
    json_t *r;
    json_array_foreach(reps, i, r)
    {
        const char *truth = t_str(r, "commit_bias");
        const double habit = t_num(r, "commit_habit");
        json_t *c = card(key, t_str(r, "key"), "period=2025-Q2&as_of=2025-05-15");
        const json_t *first = at(c, "bias.first");
        if (t_int(first, "n") >= 3) {
            const double est = t_num(first, "estimate");
            const char *label = t_str(first, "label");
            if (strcmp(truth, "sandbagging") == 0 || strcmp(truth, "optimistic") == 0) {
                /* A clear habit: the direction and the label are the truth's. */
                ck_assert_msg(strcmp(label, truth) == 0 && (habit < 1) == (est > 1),
                              "%s: truth %s (habit %.2f), read %s %.3f", t_str(r, "key"), truth,
                              habit, label, est);
                n_clear++;
            } else {
                /* Calling it straight reads close to 1, and mostly as accurate. */
                ck_assert_msg(est > 0.8 && est < 1.25, "%s: straight caller read %.3f",
                              t_str(r, "key"), est);
                n_straight++;
                straight_right += strcmp(label, "accurate") == 0;
            }
        }
        json_decref(c);
    }
    ck_assert_int_ge(n_clear, 8);
    ck_assert_int_ge(n_straight, 6);
    ck_assert_msg(4 * straight_right >= 3 * n_straight, "%d of %d straight callers read accurate",
                  straight_right, n_straight);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("scorecard");
    TCase *own = tcase_create("own_orgs");
    tcase_set_timeout(own, 120);
    tcase_add_test(own, clear_habits_are_labelled_and_one_quarter_does_not_make_a_sandbagger);
    tcase_add_test(own, next_is_the_forecast_and_the_commit_corrected_by_the_bias);
    tcase_add_test(own, a_rep_with_nothing_gets_the_same_shape_with_nulls);
    tcase_add_test(own, unknown_rep_is_404_and_bad_parameters_are_422);
    suite_add_tcase(s, own);
    TCase *shared = tcase_create("demo_org");
    tcase_set_timeout(shared, 300);
    fx_shared_demo_add(shared, demo);
    tcase_add_test(shared, said_and_did_reconcile_with_the_commits_and_the_deals);
    tcase_add_test(shared, the_scorecard_recovers_each_demo_reps_bias_direction);
    suite_add_tcase(s, shared);
    return t_main(s);
}

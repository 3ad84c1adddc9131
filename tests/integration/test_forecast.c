/* test_forecast.c — GET /v1/forecast, the roll-up and snapshots against hand-built orgs and a
 * demo org: the figures add up to the cent, nothing after as_of leaks in, the same seed gives
 * the same answer, scopes and roll-ups partition deals, bad parameters are 422, and on a demo
 * org the P10-P90 band holds the true bookings of most past quarters. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

#define Q "period=2025-Q2&as_of=2025-05-15"

/* Creates a deal through the API: created on `created` in `stage`, owned by owner (NULL: none);
 * then each of moves ("stage@YYYY-MM-DD") is a PATCH effective that day. Returns the id. */
static long long deal(const char *key, const char *ext, const char *owner, double amount,
                      const char *created, const char *stage, const char *close,
                      const char *category, const char *const *moves, size_t n_moves)
{
    char body[1024], owner_json[64] = "null";
    if (owner)
        snprintf(owner_json, sizeof owner_json, "\"%s\"", owner);
    snprintf(body, sizeof body,
             "{\"external_id\": \"%s\", \"name\": \"Deal %s\", \"owner\": %s, \"amount\": %.2f, "
             "\"stage\": \"%s\", \"created_on\": \"%s\", \"close_date\": \"%s\", "
             "\"category\": \"%s\", \"effective_at\": \"%s\"}",
             ext, ext, owner_json, amount, stage, created, close, category, created);
    long long id = fx_post_deal(key, body);
    for (size_t k = 0; k < n_moves; k++) {
        char stage_to[64];
        const char *at = strchr(moves[k], '@');
        snprintf(stage_to, sizeof stage_to, "%.*s", (int)(at - moves[k]), moves[k]);
        snprintf(body, sizeof body, "{\"stage\": \"%s\", \"effective_at\": \"%s\"}", stage_to,
                 at + 1);
        fx_patch_deal(key, id, body);
    }
    return id;
}

/* History in 2024-Q4 (deals created on the quarter's first days, so the new-deal window of a
 * mid-quarter forecast replays none of them), one deal won in 2025-Q2 before as_of (1,000 by
 * ada) and one open deal in proposal (5,000 by ada, closing 2025-06-15). */
static void small_org(char *key, char *slug)
{
    fx_sales_org(key, slug);
    const char *won[] = {"proposal@2024-10-20", "won@2024-11-20"};
    const char *lost[] = {"proposal@2024-10-25", "lost@2024-12-01"};
    char ext[16];
    for (int i = 0; i < 4; i++) {
        snprintf(ext, sizeof ext, "H%d", i);
        deal(key, ext, "bob", 2000, "2024-10-02", "prospecting", "2024-12-15", "pipeline",
             i % 2 ? lost : won, 2);
    }
    const char *booked[] = {"won@2025-04-20"};
    deal(key, "W1", "ada", 1000, "2025-04-02", "proposal", "2025-04-30", "commit", booked, 1);
    deal(key, "O1", "ada", 5000, "2025-03-01", "proposal", "2025-06-15", "commit", NULL, 0);
}

/* GETs /v1/forecast?query and asserts 200. */
static t_resp forecast(const char *key, const char *query)
{
    t_resp r = t_get(key, "/v1/forecast?%s", query);
    ck_assert_msg(r.status == 200, "forecast %s: %ld %s", query, r.status, r.raw);
    return r;
}

START_TEST(expected_is_booked_plus_each_open_deal_amount_times_p)
{
    char key[128], slug[64];
    small_org(key, slug);
    t_resp r = forecast(key, Q "&explain=true");
    ck_assert_double_eq_tol(t_num(r.body, "booked"), 1000.0, 1e-9);
    ck_assert_double_eq_tol(t_num(r.body, "open_pipeline"), 5000.0, 1e-9);
    json_t *deals = json_object_get(r.body, "deals");
    ck_assert_uint_eq(json_array_size(deals), 1);
    json_t *d = json_array_get(deals, 0);
    ck_assert_str_eq(t_str(d, "external_id"), "O1");
    ck_assert_str_eq(t_str(d, "stage"), "proposal");
    ck_assert_int_eq(t_int(d, "age_in_stage_days"), 75);
    double p = t_num(d, "p_in_period");
    ck_assert(p > 0 && p < 1);
    ck_assert_double_eq_tol(t_num(d, "expected"), round(5000.0 * p * 100) / 100, 1e-9);
    json_t *c = json_object_get(r.body, "components");
    ck_assert_double_eq_tol(t_num(c, "expected_new"), 0.0, 1e-9);
    ck_assert_double_eq_tol(t_num(r.body, "expected"), 1000.0 + t_num(d, "expected"), 0.0051);
    /* The call: closed 1,000; O1 is a commit in the period. */
    json_t *call = json_object_get(r.body, "call");
    ck_assert_double_eq_tol(t_num(call, "closed"), 1000.0, 1e-9);
    ck_assert_double_eq_tol(t_num(call, "commit"), 6000.0, 1e-9);
    ck_assert_double_eq_tol(t_num(call, "best_case"), 6000.0, 1e-9);
    ck_assert(json_is_null(json_object_get(call, "latest_commit")));
    ck_assert(json_is_null(json_object_get(r.body, "target")));
    ck_assert(json_is_null(json_object_get(r.body, "prob_hit")));
    ck_assert(json_is_null(json_object_get(r.body, "coverage")));
    t_resp_free(&r);
}
END_TEST

/* A forecast as of a day shows the calls as they stood by its end: a commit or an adjustment
 * made later does not change a past answer. */
START_TEST(the_calls_beside_a_past_forecast_are_those_made_by_its_day)
{
    char key[128], slug[64];
    small_org(key, slug);
    t_resp c = t_post(key, "/v1/commits",
                      "{\"scope\": \"org\", \"period\": \"2025-Q2\", \"commit\": 4000, "
                      "\"best_case\": 5000, \"submitted_at\": \"2025-05-15T18:00:00Z\"}");
    ck_assert_msg(c.status == 201, "%s", c.raw);
    const long long early = t_int(c.body, "id");
    t_resp_free(&c);
    c = t_post(key, "/v1/commits",
               "{\"scope\": \"org\", \"period\": \"2025-Q2\", \"commit\": 4500, "
               "\"best_case\": 5000, \"submitted_at\": \"2025-05-20T09:00:00Z\"}");
    ck_assert_msg(c.status == 201, "%s", c.raw);
    const long long late = t_int(c.body, "id");
    t_resp_free(&c);
    t_resp a = t_post(key, "/v1/adjustments",
                      "{\"scope\": \"org\", \"period\": \"2025-Q2\", \"value\": 4200, "
                      "\"reason\": \"made today, long after 2025-05-15\"}");
    ck_assert_msg(a.status == 201, "%s", a.raw);
    t_resp_free(&a);
    t_resp r = forecast(key, Q);
    json_t *call = json_object_get(r.body, "call");
    ck_assert_int_eq(t_int(json_object_get(call, "latest_commit"), "id"), early);
    ck_assert(json_is_null(json_object_get(call, "manager_call")));
    t_resp_free(&r);
    r = forecast(key, "period=2025-Q2&as_of=2025-05-21");
    call = json_object_get(r.body, "call");
    ck_assert_int_eq(t_int(json_object_get(call, "latest_commit"), "id"), late);
    t_resp_free(&r);
    /* Today's answer has today's adjustment. */
    r = forecast(key, "period=2025-Q2");
    ck_assert(json_is_object(json_object_get(json_object_get(r.body, "call"), "manager_call")));
    t_resp_free(&r);
}
END_TEST

/* The chance that a deal of in-period probability p is won in one trial of the simulation: each
 * trial multiplies every deal's odds o = p / (1 - p) by one common m = exp(sigma z - sigma^2 / 2),
 * z standard normal (mean one), so the share is E[m o / (1 + m o)], not p. Computed by the
 * trapezoid rule over z in [-8, 8] (error far below 1e-9). */
static double won_share(double p, double sigma)
{
    const double o = p / (1.0 - p);
    double sum = 0, weights = 0;
    for (int k = -8000; k <= 8000; k++) {
        const double z = k / 1000.0, w = exp(-z * z / 2);
        const double mo = exp(sigma * z - sigma * sigma / 2) * o;
        sum += w * mo / (1 + mo);
        weights += w;
    }
    return sum / weights;
}

/* Asserts that body's forecast can add nothing but its open deals to booked: no deal not yet
 * created is simulated (no new-deal rate, or no amounts to draw). */
static void assert_no_new_deals(const json_t *body)
{
    const json_t *nd =
        json_object_get(json_object_get(json_object_get(body, "model"), "parameters"), "new_deals");
    ck_assert_msg(t_num(nd, "lambda") == 0 || t_int(nd, "n") == 0, "new deals: %.6f from %lld",
                  t_num(nd, "lambda"), t_int(nd, "n"));
    ck_assert_double_eq(t_num(json_object_get(body, "components"), "expected_new"), 0.0);
}

START_TEST(target_gives_gap_coverage_and_prob_hit)
{
    char key[128], slug[64];
    small_org(key, slug);
    fx_put_target(key, "org", "2025-Q2", 3500);
    t_resp r = forecast(key, Q "&explain=true");
    ck_assert_double_eq_tol(t_num(r.body, "target"), 3500.0, 1e-9);
    ck_assert_double_eq_tol(t_num(r.body, "coverage"), 5000.0 / 2500.0, 1e-9);
    ck_assert_double_eq_tol(t_num(r.body, "gap"), 3500.0 - t_num(r.body, "p50"), 1e-6);
    /* Reaching 3,500 needs O1 won: prob_hit is its chance, within four standard errors of the
     * Monte Carlo's 10,000 trials. */
    json_t *m = json_object_get(r.body, "model");
    ck_assert_int_eq(t_int(m, "trials"), 10000);
    assert_no_new_deals(r.body);
    const double p = t_num(json_array_get(json_object_get(r.body, "deals"), 0), "p_in_period");
    const double want = won_share(p, t_num(json_object_get(m, "sigma"), "value"));
    const double tol = 4 * sqrt(want * (1 - want) / 10000);
    ck_assert_msg(fabs(t_num(r.body, "prob_hit") - want) <= tol, "prob_hit %.4f, want %.4f +- %.4f",
                  t_num(r.body, "prob_hit"), want, tol);
    /* "why" splits the very gap on the screen, to the cent: target stretch + the drivers'
     * amounts + timing and uncertainty; and expected - baseline the same way. */
    json_t *why = json_object_get(r.body, "why"), *g = json_object_get(why, "gap");
    ck_assert(json_is_object(g));
    const long long gap = llround(t_num(r.body, "gap") * 100);
    ck_assert_int_eq(llround(t_num(g, "gap") * 100), gap);
    ck_assert_int_eq(llround(t_num(g, "target_stretch") * 100),
                     350000 - llround(t_num(why, "baseline_bookings") * 100));
    long long sum = llround(t_num(g, "target_stretch") * 100) +
                    llround(t_num(g, "timing_and_uncertainty") * 100);
    json_t *drivers = json_object_get(g, "drivers"), *impacts = json_object_get(why, "drivers");
    ck_assert_uint_eq(json_array_size(drivers), json_array_size(impacts));
    for (size_t k = 0; k < json_array_size(drivers); k++) {
        const long long amount = llround(t_num(json_array_get(drivers, k), "amount") * 100);
        ck_assert_int_eq(amount, -llround(t_num(json_array_get(impacts, k), "impact") * 100));
        sum += amount;
    }
    ck_assert_int_eq(sum, gap);
    json_t *e = json_object_get(why, "expected_change");
    ck_assert_int_eq(llround(t_num(e, "change") * 100),
                     llround(t_num(r.body, "expected") * 100) -
                         llround(t_num(why, "baseline_bookings") * 100));
    ck_assert_int_eq(llround(t_num(e, "drivers") * 100) +
                         llround(t_num(e, "timing_and_uncertainty") * 100),
                     llround(t_num(e, "change") * 100));
    t_resp_free(&r);
}
END_TEST

START_TEST(target_at_or_below_booked_is_certain_with_no_gap)
{
    char key[128], slug[64];
    small_org(key, slug);
    /* Every trial totals at least the 1,000 booked: prob_hit is exactly 1 and P50 >= target. */
    static const double targets[] = {1000.0, 999.99, 0.0};
    for (size_t k = 0; k < sizeof targets / sizeof targets[0]; k++) {
        fx_put_target(key, "org", "2025-Q2", targets[k]);
        t_resp r = forecast(key, Q);
        ck_assert_double_eq_tol(t_num(r.body, "booked"), 1000.0, 1e-9);
        ck_assert_double_eq(t_num(r.body, "prob_hit"), 1.0);
        ck_assert_msg(t_num(r.body, "gap") <= 0, "target %.2f: gap %.2f", targets[k],
                      t_num(r.body, "gap"));
        ck_assert_double_eq_tol(t_num(r.body, "gap"), targets[k] - t_num(r.body, "p50"), 1e-6);
        /* Nothing is left to cover. */
        ck_assert(json_is_null(json_object_get(r.body, "coverage")));
        t_resp_free(&r);
    }
}
END_TEST

START_TEST(target_above_every_possible_total_is_out_of_reach)
{
    char key[128], slug[64];
    small_org(key, slug);
    /* No trial can exceed the 1,000 booked + O1's 5,000 (and no new deals are simulated). */
    fx_put_target(key, "org", "2025-Q2", 6000.01);
    t_resp r = forecast(key, Q);
    assert_no_new_deals(r.body);
    ck_assert_int_eq(t_int(r.body, "open_deals"), 1);
    ck_assert_double_eq_tol(t_num(r.body, "open_pipeline"), 5000.0, 1e-9);
    ck_assert_double_eq(t_num(r.body, "prob_hit"), 0.0);
    ck_assert(t_num(r.body, "p90") <= 6000.0);
    ck_assert_double_eq_tol(t_num(r.body, "gap"), 6000.01 - t_num(r.body, "p50"), 1e-6);
    ck_assert(t_num(r.body, "gap") > 0);
    json_t *hist = json_object_get(r.body, "histogram");
    ck_assert(t_num(json_array_get(hist, json_array_size(hist) - 1), "upper") <= 6000.0);
    t_resp_free(&r);
}
END_TEST

/* The only uncertainty is O1 (5,000, probability p in the period) and nothing new can arrive, so
 * every trial totals 1,000 or 6,000: two atoms. Any target in (1,000, 6,000] is hit exactly when
 * O1 is won, whose share of trials under the common multiplier is won_share(p, sigma). Ten seeds
 * of a million trials put the standard error of their mean near 0.00015: four of them (0.0006)
 * are less than the multiplier's own effect here (won_share is p - 0.0009 at sigma 0.10), so a
 * simulation that ignored the multiplier would fail too. */
START_TEST(one_open_deal_gives_two_atoms_and_prob_hit_its_chance_under_the_multiplier)
{
    char key[128], slug[64];
    small_org(key, slug);
    fx_put_target(key, "org", "2025-Q2", 6000);
    enum { SEEDS = 10, TRIALS = 1000000 };
    double p = 0, sigma = 0, sum = 0;
    for (int seed = 1; seed <= SEEDS; seed++) {
        char q[128];
        snprintf(q, sizeof q, Q "&explain=true&trials=%d&seed=%d", TRIALS, seed);
        t_resp r = forecast(key, q);
        assert_no_new_deals(r.body);
        ck_assert_int_eq(t_int(r.body, "open_deals"), 1);
        const json_t *d = json_array_get(json_object_get(r.body, "deals"), 0);
        ck_assert_double_eq_tol(t_num(d, "amount"), 5000.0, 1e-9);
        p = t_num(d, "p_in_period");
        sigma = t_num(json_object_get(json_object_get(r.body, "model"), "sigma"), "value");
        const double got = t_num(r.body, "prob_hit");
        sum += got;
        /* Two atoms: the histogram holds trials in its first bin (1,000) and last (6,000) only,
         * the last one's share is prob_hit itself, and each quantile is one of the two totals. */
        json_t *hist = json_object_get(r.body, "histogram");
        const size_t bins = json_array_size(hist);
        ck_assert_double_eq_tol(t_num(json_array_get(hist, 0), "lower"), 1000.0, 1e-9);
        ck_assert_double_eq_tol(t_num(json_array_get(hist, bins - 1), "upper"), 6000.0, 1e-9);
        for (size_t k = 1; k + 1 < bins; k++)
            ck_assert_int_eq(t_int(json_array_get(hist, k), "count"), 0);
        const long long last = t_int(json_array_get(hist, bins - 1), "count");
        ck_assert_int_eq(t_int(json_array_get(hist, 0), "count") + last, TRIALS);
        ck_assert_double_eq_tol(got, (double)last / TRIALS, 1e-12);
        static const char *const quantiles[] = {"p10", "p50", "p90"};
        for (size_t k = 0; k < 3; k++) {
            const double v = t_num(r.body, quantiles[k]);
            ck_assert_msg(v == 1000.0 || v == 6000.0, "%s %.2f", quantiles[k], v);
        }
        /* P50 is 6,000 exactly when more than half of the trials win O1. */
        ck_assert_double_eq(t_num(r.body, "p50"), got > 0.5 ? 6000.0 : 1000.0);
        t_resp_free(&r);
    }
    const double want = won_share(p, sigma), got = sum / SEEDS;
    const double tol = 4 * sqrt(want * (1 - want) / ((double)SEEDS * TRIALS));
    fprintf(stderr, "one open deal: p %.6f, sigma %.3f: prob_hit %.5f, computed %.5f (+- %.5f)\n",
            p, sigma, got, want, tol);
    ck_assert_msg(fabs(got - want) <= tol, "prob_hit %.5f, want %.5f +- %.5f (p %.5f)", got, want,
                  tol, p);
}
END_TEST

START_TEST(booked_only_scope_has_all_quantiles_at_booked)
{
    char key[128], slug[64];
    fx_sales_org(key, slug);
    const char *booked[] = {"won@2025-04-20"};
    deal(key, "W1", "ada", 1234.56, "2025-04-02", "proposal", "2025-04-30", "commit", booked, 1);
    t_resp r = forecast(key, Q);
    ck_assert_double_eq_tol(t_num(r.body, "booked"), 1234.56, 1e-9);
    ck_assert_double_eq_tol(t_num(r.body, "expected"), 1234.56, 1e-9);
    ck_assert_double_eq_tol(t_num(r.body, "p10"), 1234.56, 1e-9);
    ck_assert_double_eq_tol(t_num(r.body, "p50"), 1234.56, 1e-9);
    ck_assert_double_eq_tol(t_num(r.body, "p90"), 1234.56, 1e-9);
    ck_assert_int_eq(t_int(r.body, "open_deals"), 0);
    t_resp_free(&r);
}
END_TEST

START_TEST(data_dated_after_as_of_changes_nothing)
{
    char key[128], slug[64];
    small_org(key, slug);
    t_resp before = forecast(key, Q "&explain=true");
    /* A deal created after as_of through the API, and in SQL: O1 won and resized after as_of. */
    deal(key, "LATE", "ada", 9000, "2025-05-16", "proposal", "2025-06-01", "commit", NULL, 0);
    long long o1 = fx_deal_id(slug, "O1");
    fx_exec("INSERT INTO deal_events (org_id, deal_id, at, field, old_value, new_value) "
            "SELECT org_id, id, '2025-05-15T00:00:00Z'::timestamptz, 'stage', 'proposal', 'won' "
            "FROM deals "
            "WHERE id = %lld UNION ALL SELECT org_id, id, '2025-05-20T10:00:00Z'::timestamptz, "
            "'amount', "
            "'5000.00', '7000.00' FROM deals WHERE id = %lld",
            o1, o1);
    fx_exec("UPDATE deals SET stage_id = (SELECT s.id FROM stages s WHERE s.org_id = "
            "deals.org_id AND s.key = 'won'), amount = 7000, closed_on = '2025-05-15' "
            "WHERE id = %lld",
            o1);
    t_resp after = forecast(key, Q "&explain=true");
    ck_assert_str_eq(after.raw, before.raw);
    t_resp_free(&before);
    t_resp_free(&after);
}
END_TEST

START_TEST(same_seed_gives_the_same_quantiles_and_is_echoed)
{
    char key[128], slug[64];
    small_org(key, slug);
    t_resp a = forecast(key, Q "&seed=7&trials=5000");
    t_resp b = forecast(key, Q "&seed=7&trials=5000");
    ck_assert_str_eq(a.raw, b.raw);
    json_t *m = json_object_get(a.body, "model");
    ck_assert_int_eq(t_int(m, "seed"), 7);
    ck_assert_int_eq(t_int(m, "trials"), 5000);
    t_resp_free(&a);
    t_resp_free(&b);
}
END_TEST

/* Deals for every rep of the fixture and one without owner, all open in 2025-Q2. */
static void spread_org(char *key, char *slug)
{
    small_org(key, slug);
    deal(key, "B1", "bob", 3000, "2025-04-03", "prospecting", "2025-06-20", "best_case", NULL, 0);
    deal(key, "C1", "cy", 4000, "2025-04-04", "proposal", "2025-06-10", "pipeline", NULL, 0);
    deal(key, "D1", "dee", 2500, "2025-04-05", "proposal", "2025-06-12", "pipeline", NULL, 0);
    deal(key, "N1", NULL, 1500, "2025-04-06", "prospecting", "2025-06-25", "pipeline", NULL, 0);
}

static double rows_expected(const json_t *body)
{
    double sum = 0;
    json_t *rows = json_object_get(body, "rows");
    for (size_t k = 0; k < json_array_size(rows); k++)
        sum += t_num(json_array_get(rows, k), "expected");
    return sum;
}

START_TEST(rollup_children_expected_add_up_to_the_parent)
{
    char key[128], slug[64];
    spread_org(key, slug);
    t_resp r = t_get(key, "/v1/forecast/rollup?" Q "&scope=team:sales");
    ck_assert_int_eq(r.status, 200);
    json_t *rows = json_object_get(r.body, "rows");
    ck_assert_uint_eq(json_array_size(rows), 2);
    ck_assert_str_eq(t_str(json_array_get(rows, 0), "scope"), "team:americas");
    ck_assert_str_eq(t_str(json_array_get(rows, 1), "scope"), "team:emea");
    double total = t_num(json_object_get(r.body, "total"), "expected");
    ck_assert_double_eq_tol(rows_expected(r.body), total, 0.011);
    t_resp f = forecast(key, Q "&scope=team:sales");
    ck_assert_double_eq_tol(t_num(f.body, "expected"), total, 0.011);
    t_resp_free(&f);
    t_resp_free(&r);

    /* The org level: the root team, the rep in no team, and the deal without an owner. */
    r = t_get(key, "/v1/forecast/rollup?" Q);
    ck_assert_int_eq(r.status, 200);
    rows = json_object_get(r.body, "rows");
    ck_assert_uint_eq(json_array_size(rows), 3);
    ck_assert_str_eq(t_str(json_array_get(rows, 0), "scope"), "team:sales");
    ck_assert_str_eq(t_str(json_array_get(rows, 1), "scope"), "rep:dee");
    ck_assert(json_is_null(json_object_get(json_array_get(rows, 2), "scope")));
    total = t_num(json_object_get(r.body, "total"), "expected");
    ck_assert_double_eq_tol(rows_expected(r.body), total, 0.011);
    f = forecast(key, Q);
    ck_assert_double_eq_tol(t_num(f.body, "expected"), total, 0.011);
    t_resp_free(&f);
    t_resp_free(&r);
}
END_TEST

START_TEST(team_scope_includes_its_sub_teams)
{
    char key[128], slug[64];
    spread_org(key, slug);
    /* emea holds bob directly and ada through uk. */
    t_resp r = forecast(key, Q "&scope=team:emea&explain=true");
    ck_assert_double_eq_tol(t_num(r.body, "booked"), 1000.0, 1e-9);
    ck_assert_int_eq(t_int(r.body, "open_deals"), 2);
    ck_assert_double_eq_tol(t_num(r.body, "open_pipeline"), 8000.0, 1e-9);
    t_resp_free(&r);
    r = forecast(key, Q "&scope=rep:bob");
    ck_assert_double_eq_tol(t_num(r.body, "booked"), 0.0, 1e-9);
    ck_assert_int_eq(t_int(r.body, "open_deals"), 1);
    t_resp_free(&r);
}
END_TEST

START_TEST(bad_parameters_are_422_naming_them)
{
    char key[128], slug[64];
    fx_sales_org(key, slug);
    static const char *const cases[][2] = {
        {"period=2025-Q5", "period"},
        {"period=yesterday", "period"},
        {"trials=999", "trials"},
        {"trials=1000001", "trials"},
        {"trials=abc", "trials"},
        {"scope=team:nope", "scope"},
        {"scope=everyone", "scope"},
        {"scope=rep:nobody", "scope"},
        {"as_of=2025-13-01", "as_of"},
        {"seed=-1", "seed"},
        {"seed=99999999999999999", "seed"},
        {"explain=yes", "explain"},
        {"as_of=2000-01-01&period=2025-Q2", "as_of"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
        fx_expect_invalid(t_get(key, "/v1/forecast?%s", cases[k][0]), cases[k][1]);
    fx_expect_invalid(t_get(key, "/v1/forecast/rollup?scope=rep:ada"), "scope");
}
END_TEST

START_TEST(another_orgs_scopes_and_snapshots_are_not_visible)
{
    char key[128], slug[64], other[128], other_slug[64];
    spread_org(key, slug);
    t_new_org(other, other_slug);
    fx_exec("INSERT INTO stages (org_id, key, name, position, kind, probability) "
            "SELECT id, 'open', 'Open', 1, 'open', 0.3 FROM orgs WHERE slug = '%s'",
            other_slug);
    fx_expect_invalid(t_get(other, "/v1/forecast?" Q "&scope=team:sales"), "scope");
    t_resp r = forecast(other, Q);
    ck_assert_int_eq(t_int(r.body, "open_deals"), 0);
    ck_assert_double_eq_tol(t_num(r.body, "booked"), 0.0, 1e-9);
    t_resp_free(&r);
    fx_expect_status(t_post(key, "/v1/forecast/snapshots",
                            "{\"period\": \"2025-Q2\", \"as_of\": \"2025-05-15\"}"),
                     201);
    r = t_get(other, "/v1/forecast/snapshots");
    ck_assert_int_eq(r.status, 200);
    ck_assert_uint_eq(fx_n_items(&r), 0);
    t_resp_free(&r);
    char ro[128];
    t_new_key(key, "[\"read\"]", ro);
    fx_expect_error(t_post(ro, "/v1/forecast/snapshots", "{\"period\": \"2025-Q2\"}"), 403,
                    "forbidden", NULL);
}
END_TEST

START_TEST(snapshot_stores_the_forecast_and_lists_newest_first)
{
    char key[128], slug[64];
    small_org(key, slug);
    t_resp f = forecast(key, Q "&scope=team:emea&seed=11");
    t_resp a = t_post(key, "/v1/forecast/snapshots",
                      "{\"period\": \"2025-Q2\", \"scope\": \"team:emea\", \"as_of\": "
                      "\"2025-05-15\", \"seed\": 11}");
    ck_assert_msg(a.status == 201, "%ld %s", a.status, a.raw);
    ck_assert_str_eq(t_str(a.body, "scope"), "team:emea");
    ck_assert_str_eq(t_str(a.body, "as_of"), "2025-05-15");
    ck_assert_double_eq_tol(t_num(a.body, "p50"), t_num(f.body, "p50"), 1e-9);
    ck_assert_double_eq_tol(t_num(a.body, "expected"), t_num(f.body, "expected"), 1e-9);
    ck_assert(json_equal(json_object_get(a.body, "forecast"), f.body));
    t_resp b = t_post(key, "/v1/forecast/snapshots",
                      "{\"period\": \"2025-Q2\", \"as_of\": \"2025-05-15\", \"trials\": 2000}");
    ck_assert_int_eq(b.status, 201);
    t_resp l = t_get(key, "/v1/forecast/snapshots?limit=1");
    ck_assert_int_eq(l.status, 200);
    json_t *items = json_object_get(l.body, "items");
    ck_assert_int_eq(t_int(json_array_get(items, 0), "id"), t_int(b.body, "id"));
    const char *cursor = json_string_value(json_object_get(l.body, "next_cursor"));
    ck_assert_ptr_nonnull(cursor);
    t_resp l2 = t_get(key, "/v1/forecast/snapshots?limit=1&cursor=%s", cursor);
    ck_assert_int_eq(t_int(json_array_get(json_object_get(l2.body, "items"), 0), "id"),
                     t_int(a.body, "id"));
    t_resp s = t_get(key, "/v1/forecast/snapshots?scope=team:emea&period=2025-Q2");
    ck_assert_uint_eq(json_array_size(json_object_get(s.body, "items")), 1);
    fx_expect_invalid(t_post(key, "/v1/forecast/snapshots", "{\"period\": \"2025-Q2\", \"x\": 1}"),
                      "x");
    fx_expect_invalid(t_post(key, "/v1/forecast/snapshots", "{\"scope\": \"org\"}"), "period");
    fx_expect_invalid(
        t_post(key, "/v1/forecast/snapshots", "{\"period\": \"2025-Q2\", \"trials\": 5}"),
        "trials");
    t_resp *all[] = {&f, &a, &b, &l, &l2, &s};
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
        t_resp_free(all[k]);
}
END_TEST

START_TEST(demo_org_band_holds_the_true_bookings_of_most_past_quarters)
{
    char key[128], slug[64];
    json_t *truth = fx_demo_org(
        key, slug,
        (fx_demo_spec){.seed = 5, .quarters = 8, .deals_per_quarter = 300, .as_of = "2025-12-20"});
    json_t *quarters = json_object_get(truth, "quarters");
    int n = 0, inside = 0, below_p50 = 0;
    /* Past quarters with at least three quarters of history before them, at their mid-point. */
    for (size_t q = 3; q < json_array_size(quarters); q++) {
        json_t *qu = json_array_get(quarters, q);
        if (!json_is_true(json_object_get(qu, "complete")))
            continue;
        char mid[11];
        char *m = fx_sqlf("SELECT ('%s'::date + ('%s'::date - '%s'::date) / 2)::text",
                          t_str(qu, "start"), t_str(qu, "end"), t_str(qu, "start"));
        snprintf(mid, sizeof mid, "%s", m);
        free(m);
        t_resp r = t_get(key, "/v1/forecast?period=%s&as_of=%s", t_str(qu, "name"), mid);
        ck_assert_int_eq(r.status, 200);
        double actual = t_num(qu, "bookings"), p10 = t_num(r.body, "p10"),
               p50 = t_num(r.body, "p50"), p90 = t_num(r.body, "p90");
        fprintf(stderr, "demo %s as_of %s: P10 %.0f P50 %.0f P90 %.0f actual %.0f%s\n",
                t_str(qu, "name"), mid, p10, p50, p90, actual,
                p10 <= actual && actual <= p90 ? "" : "  (outside)");
        n++;
        inside += p10 <= actual && actual <= p90;
        below_p50 += actual < p50;
        /* Never wildly off, even when outside the band. */
        ck_assert_msg(actual >= 0.5 * p10 && actual <= 2 * p90, "%s: P10 %.0f P90 %.0f actual %.0f",
                      t_str(qu, "name"), p10, p90, actual);
        t_resp_free(&r);
    }
    fprintf(stderr, "demo: %d of %d quarters inside P10-P90, %d below P50\n", inside, n, below_p50);
    ck_assert_int_ge(n, 4);
    ck_assert_msg(inside * 2 >= n, "only %d of %d quarters inside P10-P90", inside, n);
    json_decref(truth);
}
END_TEST

static Suite *forecast_suite(void)
{
    Suite *s = suite_create("forecast");
    TCase *tc = tcase_create("forecast");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, expected_is_booked_plus_each_open_deal_amount_times_p);
    tcase_add_test(tc, the_calls_beside_a_past_forecast_are_those_made_by_its_day);
    tcase_add_test(tc, target_gives_gap_coverage_and_prob_hit);
    tcase_add_test(tc, target_at_or_below_booked_is_certain_with_no_gap);
    tcase_add_test(tc, target_above_every_possible_total_is_out_of_reach);
    tcase_add_test(tc, one_open_deal_gives_two_atoms_and_prob_hit_its_chance_under_the_multiplier);
    tcase_add_test(tc, booked_only_scope_has_all_quantiles_at_booked);
    tcase_add_test(tc, data_dated_after_as_of_changes_nothing);
    tcase_add_test(tc, same_seed_gives_the_same_quantiles_and_is_echoed);
    tcase_add_test(tc, rollup_children_expected_add_up_to_the_parent);
    tcase_add_test(tc, team_scope_includes_its_sub_teams);
    tcase_add_test(tc, bad_parameters_are_422_naming_them);
    tcase_add_test(tc, another_orgs_scopes_and_snapshots_are_not_visible);
    tcase_add_test(tc, snapshot_stores_the_forecast_and_lists_newest_first);
    tcase_add_test(tc, demo_org_band_holds_the_true_bookings_of_most_past_quarters);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return t_main(forecast_suite());
}

/* forecast.c — what a forecast reads besides the history (its target, the latest commit) and
 * the stored snapshots of forecasts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "gapforge/log.h"
#include "gapforge/store.h"
#include "inputs_internal.h"

/* The target's value as exact numeric text. */
static const gf_stmt fc_target = {
    "fc_target", "SELECT value::text FROM targets WHERE org_id = $1 AND scope = $2 "
                 "AND metric = 'bookings' AND period_start = $3::date AND period_end = $4::date"};

static const gf_stmt fc_latest_commit = {
    "fc_latest_commit",
    "SELECT c.id, gf_commit_json(c) FROM commits c JOIN orgs o ON o.id = c.org_id "
    "WHERE c.org_id = $1 AND c.scope = $2 AND c.period_start = $3::date "
    "AND c.period_end = $4::date AND c.submitted_at < (($5::date + 1)::timestamp AT TIME ZONE "
    "o.time_zone) ORDER BY c.submitted_at DESC, c.id DESC LIMIT 1"};

static const gf_stmt fc_snapshot_insert = {
    "fc_snapshot_insert",
    "INSERT INTO forecast_snapshots (org_id, scope, period, period_start, period_end, as_of, "
    "p10, p50, p90, expected, target, prob_hit, model_version, forecast) VALUES ($1, $2, $3, "
    "$4::date, $5::date, $6::date, $7::numeric, $8::numeric, $9::numeric, $10::numeric, "
    "$11::numeric, $12::float8, $13, $14::jsonb) RETURNING id, gf_forecast_snapshot_json("
    "forecast_snapshots)"};

static const gf_stmt fc_snapshot_page = {
    "fc_snapshot_page",
    "SELECT gf_forecast_snapshot_json(s), s.id FROM forecast_snapshots s WHERE s.org_id = $1 "
    "AND ($2::text IS NULL OR s.scope = $2) "
    "AND ($3::date IS NULL OR (s.period_start = $3 AND s.period_end = $4::date)) "
    "AND ($5::bigint = 0 OR s.id < $5) ORDER BY s.id DESC LIMIT $6"};

/* Appends $1 .. $4 of the statements above: the org, the scope and the period's first and last
 * day (SQL NULLs when period is NULL). */
static void scope_period_args(gf_db_args *a, int64_t org_id, const char *scope,
                              const gf_period *period)
{
    gf_db_arg_i64(a, org_id);
    gf_db_arg_text(a, scope);
    gf_store__arg_period(a, period);
}

/* The target row of scope for period (no row when there is none); NULL with err. */
static PGresult *target_row(int64_t org_id, const char *scope, const gf_period *period, gf_err *err)
{
    gf_db_args a = {0};
    scope_period_args(&a, org_id, scope, period);
    return gf_db_exec_args(&fc_target, &a, err);
}

int gf_store_forecast_target_cents(int64_t org_id, const char *scope, const gf_period *period,
                                   int *found, int64_t *cents, gf_err *err)
{
    *found = 0;
    *cents = 0;
    PGresult *res = target_row(org_id, scope, period, err);
    if (!res)
        return -1;
    int rc = 0;
    if (PQntuples(res) == 1) {
        if (gf_db_cents(res, 0, 0, cents) < 0) {
            gf_logf("error", "target of %s: value %s is beyond the range of cents", scope,
                    PQgetvalue(res, 0, 0));
            rc = gf_err_internal(err);
        } else {
            *found = 1;
        }
    }
    PQclear(res);
    return rc < 0 ? -1 : 0;
}

json_t *gf_store_forecast_latest_commit(int64_t org_id, const char *scope, const gf_period *period,
                                        int through, gf_err *err)
{
    gf_db_args a = {0};
    scope_period_args(&a, org_id, scope, period);
    gf_db_arg_date(&a, through);
    PGresult *res = gf_db_exec_args(&fc_latest_commit, &a, err);
    if (!res)
        return NULL;
    json_t *c = PQntuples(res) == 1 ? gf_db_json(res, 0, 1) : json_null();
    PQclear(res);
    return c ? c : json_null();
}

/* Appends $1 .. $5 of fc_snapshot_insert: org, scope, period name, first and last day. */
static void snapshot_head(gf_db_args *a, int64_t org_id, const char *scope, const gf_period *period)
{
    gf_db_arg_i64(a, org_id);
    gf_db_arg_text(a, scope);
    gf_db_arg_text(a, period->name);
    gf_store__arg_period(a, period);
}

json_t *gf_store_snapshot_insert(int64_t org_id, const gf_store_snapshot *s, gf_err *err)
{
    char prob[32];
    gf_db_args a = {0};
    snapshot_head(&a, org_id, s->scope, s->period);
    gf_db_arg_date(&a, s->as_of);
    gf_db_arg_cents(&a, s->p10_cents);
    gf_db_arg_cents(&a, s->p50_cents);
    gf_db_arg_cents(&a, s->p90_cents);
    gf_db_arg_cents(&a, s->expected_cents);
    if (s->has_target) {
        snprintf(prob, sizeof prob, "%.17g", s->prob_hit);
        gf_db_arg_cents(&a, s->target_cents);
        gf_db_arg_text(&a, prob);
    } else {
        gf_db_arg_null(&a);
        gf_db_arg_null(&a);
    }
    gf_db_arg_text(&a, s->model_version);
    gf_db_arg_text(&a, s->forecast_json);
    return gf_db_one_json(&fc_snapshot_insert, &a, 1, "snapshot", NULL, err);
}

json_t *gf_store_forecast_snapshot_list(int64_t org_id, const char *scope, const gf_period *period,
                                        int limit, int64_t after, gf_err *err)
{
    gf_db_args a = {0};
    scope_period_args(&a, org_id, scope, period);
    gf_db_arg_i64(&a, after);
    return gf_db_list(&fc_snapshot_page, &a, 0, 1, limit, err);
}

static const gf_stmt fc_deal_names = {
    "fc_deal_names",
    "SELECT coalesce(jsonb_object_agg(d.id::text, jsonb_build_array(d.external_id, d.name)), "
    "'{}') FROM deals d WHERE d.org_id = $1 AND d.id = ANY ($2::bigint[])"};

json_t *gf_store_forecast_deal_names(int64_t org_id, const int64_t *ids, size_t n, gf_err *err)
{
    char *list = gf_store__id_array(ids, n);
    if (!list) {
        gf_err_internal(err);
        return NULL;
    }
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_text(&a, list);
    json_t *names = gf_db_one_json(&fc_deal_names, &a, 0, "deals", NULL, err);
    free(list);
    return names;
}

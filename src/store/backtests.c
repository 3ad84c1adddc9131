/* backtests.c — what a backtest reads besides the history (whether the org has any history, the
 * commit submitted before a day) and its jobs (migrations/0008_backtests.sql). */
#include <stdio.h>

#include "db.h"
#include "gapforge/log.h"
#include "gapforge/store.h"
#include "inputs_internal.h"

static const gf_stmt bt_has_deals = {
    "bt_has_deals", "SELECT EXISTS (SELECT 1 FROM deals WHERE org_id = $1 AND deleted_at IS NULL "
                    "AND created_on < $2::date)"};

/* The latest commit of scope for exactly the period submitted before local midnight of $5. */
static const gf_stmt bt_commit_before = {
    "bt_commit_before",
    "SELECT c.commit_amount::text FROM commits c JOIN orgs o ON o.id = c.org_id "
    "WHERE c.org_id = $1 AND c.scope = $2 AND c.period_start = $3::date "
    "AND c.period_end = $4::date AND c.submitted_at < ($5::date::timestamp AT TIME ZONE "
    "o.time_zone) ORDER BY c.submitted_at DESC, c.id DESC LIMIT 1"};

static const gf_stmt bt_insert = {
    "bt_insert", "INSERT INTO backtests (org_id, request) VALUES ($1, $2::jsonb) RETURNING id, "
                 "gf_backtest_json(backtests, make_interval(secs => $3::float8 / 1000))"};

/* Finishes a running job: done with $3 as its result, or failed with $4 as its error. */
static const gf_stmt bt_finish = {
    "bt_finish", "UPDATE backtests SET status = CASE WHEN $3::json IS NULL THEN 'failed' "
                 "ELSE 'done' END, result = $3::json, error = $4::jsonb, finished_at = now() "
                 "WHERE org_id = $1 AND id = $2 AND status = 'running' RETURNING id, "
                 "gf_backtest_json(backtests, make_interval(secs => $5::float8 / 1000))"};

static const gf_stmt bt_get = {
    "bt_get", "SELECT b.id, gf_backtest_json(b, make_interval(secs => $3::float8 / 1000)) "
              "FROM backtests b WHERE b.org_id = $1 AND b.id = $2"};

int gf_store_backtest_has_deals(int64_t org_id, int before, int *yes, gf_err *err)
{
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_date(&a, before);
    PGresult *res = gf_db_exec_args(&bt_has_deals, &a, err);
    if (!res)
        return -1;
    *yes = PQntuples(res) == 1 && PQgetvalue(res, 0, 0)[0] == 't';
    PQclear(res);
    return 0;
}

int gf_store_backtest_commit_cents(int64_t org_id, const char *scope, const gf_period *period,
                                   int before, int *found, int64_t *cents, gf_err *err)
{
    *found = 0;
    *cents = 0;
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_text(&a, scope);
    gf_store__arg_period(&a, period);
    gf_db_arg_date(&a, before);
    PGresult *res = gf_db_exec_args(&bt_commit_before, &a, err);
    if (!res)
        return -1;
    int rc = 0;
    if (PQntuples(res) == 1) {
        if (gf_db_cents(res, 0, 0, cents) < 0) {
            gf_logf("error", "commit of %s: value %s is beyond the range of cents", scope,
                    PQgetvalue(res, 0, 0));
            rc = gf_err_internal(err);
        } else {
            *found = 1;
        }
    }
    PQclear(res);
    return rc;
}

json_t *gf_store_backtest_insert(int64_t org_id, const char *request_json, int stale_ms,
                                 int64_t *id, gf_err *err)
{
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_text(&a, request_json);
    gf_db_arg_i64(&a, stale_ms);
    return gf_db_one_json(&bt_insert, &a, 1, "backtest", id, err);
}

json_t *gf_store_backtest_finish(int64_t org_id, int64_t id, const char *result_json,
                                 const char *error_json, int stale_ms, gf_err *err)
{
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_i64(&a, id);
    gf_db_arg_text(&a, result_json);
    gf_db_arg_text(&a, result_json ? NULL : error_json);
    gf_db_arg_i64(&a, stale_ms);
    return gf_db_one_json(&bt_finish, &a, 1, "backtest", NULL, err);
}

json_t *gf_store_backtest_get(int64_t org_id, int64_t id, int stale_ms, gf_err *err)
{
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_i64(&a, id);
    gf_db_arg_i64(&a, stale_ms);
    return gf_db_one_json(&bt_get, &a, 1, "backtest", NULL, err);
}

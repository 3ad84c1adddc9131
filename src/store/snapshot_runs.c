/* snapshot_runs.c — what the daily snapshots need from the database: the orgs and their teams,
 * a per org and day advisory lock taken by the transaction that stores the day, and the record of
 * a finished day (migrations/0012_snapshot_runs.sql). */
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "gapforge/store.h"

static const gf_stmt sr_orgs = {"sr_orgs", "SELECT gf_org_ids()"};

static const gf_stmt sr_teams = {"sr_teams",
                                 "SELECT key FROM teams WHERE org_id = $1 ORDER BY key"};

/* Transaction-level: taken in the transaction that stores the day's snapshots, so that it holds
 * through PgBouncer in transaction pooling (a session lock there could be taken on one server
 * connection and released on another). */
static const gf_stmt sr_lock = {
    "sr_lock",
    "SELECT pg_try_advisory_xact_lock(hashtextextended('gapforge.snapshot:' || $1 || ':' || $2, "
    "0))"};

static const gf_stmt sr_done = {
    "sr_done", "SELECT EXISTS (SELECT 1 FROM snapshot_runs WHERE org_id = $1 AND day = $2::date)"};

static const gf_stmt sr_record = {
    "sr_record", "INSERT INTO snapshot_runs (org_id, day, snapshots, failed) "
                 "VALUES ($1, $2::date, $3, $4) ON CONFLICT (org_id, day) DO NOTHING"};

int gf_store_snapshot_orgs(int64_t **ids, size_t *n, gf_err *err)
{
    *ids = NULL;
    *n = 0;
    PGresult *res = gf_db_exec_args(&sr_orgs, NULL, err);
    if (!res)
        return -1;
    const int rows = PQntuples(res);
    *ids = malloc((rows ? (size_t)rows : 1) * sizeof **ids);
    if (!*ids) {
        PQclear(res);
        return gf_err_internal(err);
    }
    for (int r = 0; r < rows; r++)
        (*ids)[r] = strtoll(PQgetvalue(res, r, 0), NULL, 10);
    *n = (size_t)rows;
    PQclear(res);
    return 0;
}

int gf_store_snapshot_team_keys(int64_t org_id, char ***keys, size_t *n, gf_err *err)
{
    *keys = NULL;
    *n = 0;
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    PGresult *res = gf_db_exec_args(&sr_teams, &a, err);
    if (!res)
        return -1;
    const int rows = PQntuples(res);
    *keys = calloc(rows ? (size_t)rows : 1, sizeof **keys);
    int ok = *keys != NULL;
    for (int r = 0; ok && r < rows; r++)
        ok = ((*keys)[r] = strdup(PQgetvalue(res, r, 0))) != NULL;
    PQclear(res);
    if (!ok) {
        gf_store_snapshot_team_keys_free(*keys, (size_t)rows);
        *keys = NULL;
        return gf_err_internal(err);
    }
    *n = (size_t)rows;
    return 0;
}

void gf_store_snapshot_team_keys_free(char **keys, size_t n)
{
    for (size_t k = 0; keys && k < n; k++)
        free(keys[k]);
    free(keys);
}

static int run_bool(const gf_stmt *stmt, int64_t org_id, int day, int *yes, gf_err *err)
{
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_date(&a, day);
    PGresult *res = gf_db_exec_args(stmt, &a, err);
    if (!res)
        return -1;
    *yes = PQntuples(res) == 1 && PQgetvalue(res, 0, 0)[0] == 't';
    PQclear(res);
    return 0;
}

int gf_store_snapshot_day_lock(int64_t org_id, int day, int *got, gf_err *err)
{
    return run_bool(&sr_lock, org_id, day, got, err);
}

int gf_store_snapshot_day_done(int64_t org_id, int day, int *done, gf_err *err)
{
    return run_bool(&sr_done, org_id, day, done, err);
}

int gf_store_snapshot_day_record(int64_t org_id, int day, int snapshots, int failed, gf_err *err)
{
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_date(&a, day);
    gf_db_arg_i64(&a, snapshots);
    gf_db_arg_i64(&a, failed);
    return gf_db_run(&sr_record, &a, err);
}

/* accuracy.c — what the accuracy ledger reads: a scope's snapshots of a period and what the
 * scope won in it, as the deals stand now. */
#include <stdio.h>
#include <stdlib.h>

#include "db.h"
#include "gapforge/date.h"
#include "gapforge/store.h"
#include "gapforge/store_history.h"
#include "inputs_internal.h"

static const gf_stmt acc_snapshots = {
    "acc_snapshots",
    "SELECT as_of, (p10 * 100)::int8, (p50 * 100)::int8, (p90 * 100)::int8 FROM "
    "forecast_snapshots WHERE org_id = $1 AND scope = $2 AND period_start = $3::date AND "
    "period_end = $4::date AND as_of <= $4::date ORDER BY as_of, id"};

/* Won in the period by the scope's reps ($5 true: every deal). */
static const gf_stmt acc_actual = {
    "acc_actual",
    "SELECT coalesce(sum(d.amount), 0)::text FROM deals d JOIN stages s ON s.id = d.stage_id "
    "WHERE d.org_id = $1 AND d.deleted_at IS NULL AND s.kind = 'won' AND d.closed_on BETWEEN "
    "$2::date AND $3::date AND ($4::bool OR d.owner_id = ANY ($5::bigint[]))"};

/* The scope's own latest commit before local midnight of $5, else the sum of the latest commits
 * of its reps ($6 true: every rep; else those in $7). */
static const gf_stmt acc_commit = {
    "acc_commit",
    "WITH cut AS (SELECT $5::date::timestamp AT TIME ZONE o.time_zone AS t FROM orgs o WHERE "
    "o.id = $1), own AS (SELECT c.commit_amount FROM commits c, cut WHERE c.org_id = $1 AND "
    "c.scope = $2 AND c.period_start = $3::date AND c.period_end = $4::date AND c.submitted_at < "
    "cut.t ORDER BY c.submitted_at DESC, c.id DESC LIMIT 1), reps AS (SELECT DISTINCT ON "
    "(c.rep_id) c.commit_amount FROM commits c, cut WHERE c.org_id = $1 AND c.rep_id IS NOT NULL "
    "AND c.scope LIKE 'rep:%' AND ($6::bool OR c.rep_id = ANY ($7::bigint[])) AND "
    "c.period_start = $3::date AND c.period_end = $4::date AND c.submitted_at < cut.t ORDER BY "
    "c.rep_id, c.submitted_at DESC, c.id DESC) SELECT coalesce((SELECT commit_amount FROM own), "
    "(SELECT sum(commit_amount) FROM reps))::text, EXISTS (SELECT 1 FROM own)"};

/* The manager's call as it stood before local midnight of $5: the latest adjustment then. */
static const gf_stmt acc_manager = {
    "acc_manager",
    "SELECT a.value::text, a.author FROM adjustments a JOIN orgs o ON o.id = a.org_id WHERE "
    "a.org_id = $1 AND a.scope = $2 AND a.period_start = $3::date AND a.period_end = $4::date "
    "AND a.created_at < ($5::date::timestamp AT TIME ZONE o.time_zone) ORDER BY a.created_at "
    "DESC, a.id DESC LIMIT 1"};

int gf_store_accuracy_manager(int64_t org_id, const char *scope, const gf_period *period,
                              int before, int *found, int64_t *cents, char *author,
                              size_t author_cap, gf_err *err)
{
    *found = 0;
    *cents = 0;
    author[0] = '\0';
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_text(&a, scope);
    gf_store__arg_period(&a, period);
    gf_db_arg_date(&a, before);
    PGresult *res = gf_db_exec_args(&acc_manager, &a, err);
    if (!res)
        return -1;
    int rc = 0;
    if (PQntuples(res) == 1) {
        *found = 1;
        snprintf(author, author_cap, "%s", PQgetvalue(res, 0, 1));
        rc = gf_db_parse_cents(PQgetvalue(res, 0, 0), cents) < 0 ? gf_err_internal(err) : 0;
    }
    PQclear(res);
    return rc;
}

int gf_store_accuracy_snapshots(int64_t org_id, const char *scope, const gf_period *period,
                                gf_store_snapshot_point **pts, size_t *n, gf_err *err)
{
    *pts = NULL;
    *n = 0;
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_text(&a, scope);
    gf_store__arg_period(&a, period);
    PGresult *res = gf_db_exec_args(&acc_snapshots, &a, err);
    if (!res)
        return -1;
    const int rows = PQntuples(res);
    *pts = malloc((rows ? (size_t)rows : 1) * sizeof **pts);
    if (!*pts) {
        PQclear(res);
        return gf_err_internal(err);
    }
    for (int r = 0; r < rows; r++) {
        gf_store_snapshot_point *p = &(*pts)[r];
        if (gf_date_parse(PQgetvalue(res, r, 0), &p->as_of) < 0)
            p->as_of = period->end;
        p->p10_cents = strtoll(PQgetvalue(res, r, 1), NULL, 10);
        p->p50_cents = strtoll(PQgetvalue(res, r, 2), NULL, 10);
        p->p90_cents = strtoll(PQgetvalue(res, r, 3), NULL, 10);
    }
    *n = (size_t)rows;
    PQclear(res);
    return 0;
}

/* The scope's reps as a PostgreSQL array literal (malloc'd) and whether it is every rep. */
static char *scope_rep_list(int64_t org_id, const char *scope, int *all, gf_err *err)
{
    int64_t *ids = NULL;
    size_t n = 0;
    if (gf_store_scope_reps(org_id, scope, "scope", all, &ids, &n, err) < 0)
        return NULL;
    char *list = gf_store__id_array(ids, n);
    free(ids);
    if (!list)
        gf_err_internal(err);
    return list;
}

int gf_store_accuracy_commit(int64_t org_id, const char *scope, const gf_period *period, int before,
                             int *found, int *own, int64_t *cents, gf_err *err)
{
    *found = *own = 0;
    *cents = 0;
    int all = 0;
    char *list = scope_rep_list(org_id, scope, &all, err);
    if (!list)
        return -1;
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_text(&a, scope);
    gf_store__arg_period(&a, period);
    gf_db_arg_date(&a, before);
    gf_db_arg_bool(&a, all != 0);
    gf_db_arg_text(&a, list);
    PGresult *res = gf_db_exec_args(&acc_commit, &a, err);
    free(list);
    if (!res)
        return -1;
    int rc = 0;
    if (!PQgetisnull(res, 0, 0)) {
        *found = 1;
        *own = PQgetvalue(res, 0, 1)[0] == 't';
        rc = gf_db_parse_cents(PQgetvalue(res, 0, 0), cents) < 0 ? gf_err_internal(err) : 0;
    }
    PQclear(res);
    return rc;
}

int gf_store_accuracy_actual(int64_t org_id, const char *scope, const gf_period *period,
                             int64_t *cents, gf_err *err)
{
    int all = 0;
    char *list = scope_rep_list(org_id, scope, &all, err);
    if (!list)
        return -1;
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_date(&a, period->start);
    gf_db_arg_date(&a, period->end);
    gf_db_arg_bool(&a, all != 0);
    gf_db_arg_text(&a, list);
    PGresult *res = gf_db_exec_args(&acc_actual, &a, err);
    free(list);
    if (!res)
        return -1;
    const int rc = gf_db_parse_cents(PQgetvalue(res, 0, 0), cents) < 0 ? gf_err_internal(err) : 0;
    PQclear(res);
    return rc;
}

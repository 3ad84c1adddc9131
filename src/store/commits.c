/* commits.c — what reps and managers said they would land: append and list newest first. */
#include <stdlib.h>

#include "db.h"
#include "gapforge/store.h"
#include "inputs_internal.h"

static const gf_stmt commit_insert = {
    "commit_insert",
    "INSERT INTO commits (org_id, scope, team_id, rep_id, period, period_start, period_end, "
    "commit_amount, best_case, notes, submitted_at) VALUES ($1, $2, $3::bigint, $4::bigint, $5, "
    "$6::date, $7::date, $8::numeric, $9::numeric, $10, coalesce($11::timestamptz, now())) "
    "RETURNING gf_commit_json(commits)"};

/* Keyset pagination on (submitted_at, id) descending; the cursor is the last item's id. */
static const gf_stmt commit_page = {
    "commit_page",
    "SELECT gf_commit_json(c), c.id FROM commits c WHERE c.org_id = $1 "
    "AND ($2::text IS NULL OR c.scope = $2) "
    "AND ($3::date IS NULL OR (c.period_start = $3 AND c.period_end = $4::date)) "
    "AND ($5::bigint = 0 OR (c.submitted_at, c.id) < "
    "     (SELECT x.submitted_at, x.id FROM commits x WHERE x.org_id = $1 AND x.id = $5)) "
    "ORDER BY c.submitted_at DESC, c.id DESC LIMIT $6"};

json_t *gf_store_commit_create(int64_t org_id, const gf_commit_fields *f, gf_err *err)
{
    gf_scope_ids ids;
    if (gf_store_scope_resolve(org_id, f->scope, "scope", &ids, err) < 0)
        return NULL;
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_text(&a, f->scope);
    gf_store__arg_scope_ids(&a, &ids);
    gf_db_arg_text(&a, f->period->name);
    gf_store__arg_period(&a, f->period);
    gf_db_arg_text(&a, f->commit);
    gf_db_arg_text(&a, f->best_case);
    gf_db_arg_text(&a, f->notes);
    gf_db_arg_text(&a, f->submitted_at);
    json_t *c = gf_db_one_json(&commit_insert, &a, 0, "commit", NULL, err);
    if (!c && err->code == GF_EINVALID)
        gf_err_invalid(err, "submitted_at", "submitted_at is not a valid time");
    return c;
}

json_t *gf_store_commit_list(int64_t org_id, const char *scope, const gf_period *period, int limit,
                             int64_t after, gf_err *err)
{
    return gf_store__scoped_page(&commit_page, org_id, scope, period, limit, after, err);
}

/* Every commit of scope for exactly the period submitted before local midnight of $5, oldest
 * first. */
static const gf_stmt commit_said = {
    "commit_said",
    "SELECT coalesce(jsonb_agg(gf_commit_json(c) ORDER BY c.submitted_at, c.id), '[]') "
    "FROM commits c JOIN orgs o ON o.id = c.org_id WHERE c.org_id = $1 AND c.scope = $2 "
    "AND c.period_start = $3::date AND c.period_end = $4::date "
    "AND c.submitted_at < ($5::date::timestamp AT TIME ZONE o.time_zone)"};

/* Per rep of $2 and quarter $3[i]..$4[i]: the first and the last commit submitted before the
 * quarter's end (local midnight after its last day) and before local midnight of $5. */
static const gf_stmt commit_bounds = {
    "commit_bounds",
    "SELECT c.rep_id, q.i, (array_agg(c.commit_amount::text ORDER BY c.submitted_at, c.id))[1], "
    "(array_agg(c.commit_amount::text ORDER BY c.submitted_at DESC, c.id DESC))[1], count(*) "
    "FROM unnest($3::date[], $4::date[]) WITH ORDINALITY AS q(s, e, i) "
    "JOIN commits c ON c.org_id = $1 AND c.rep_id = ANY ($2::bigint[]) "
    "AND c.period_start = q.s AND c.period_end = q.e JOIN orgs o ON o.id = c.org_id "
    "WHERE c.submitted_at < ((q.e + 1)::timestamp AT TIME ZONE o.time_zone) "
    "AND c.submitted_at < ($5::date::timestamp AT TIME ZONE o.time_zone) GROUP BY 1, 2"};

json_t *gf_store_commit_said(int64_t org_id, const char *scope, const gf_period *period, int before,
                             gf_err *err)
{
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_text(&a, scope);
    gf_store__arg_period(&a, period);
    gf_db_arg_date(&a, before);
    PGresult *res = gf_db_exec_args(&commit_said, &a, err);
    if (!res)
        return NULL;
    json_t *items = gf_db_json(res, 0, 0);
    PQclear(res);
    if (!items)
        gf_err_internal(err);
    return items;
}

int gf_store_commit_bounds(int64_t org_id, const int64_t *rep_ids, size_t n_reps,
                           const gf_period *quarters, size_t nq, int before,
                           gf_store_commit_bound **rows, size_t *n, gf_err *err)
{
    *rows = NULL;
    *n = 0;
    char *ids = gf_store__id_array(rep_ids, n_reps);
    size_t cap = 2 + nq * 11 + 1;
    char *starts = malloc(cap), *ends = malloc(cap);
    PGresult *res = NULL;
    int rc = -1;
    if (!ids || !starts || !ends) {
        gf_err_internal(err);
        goto done;
    }
    gf_store__date_array(quarters, nq, 0, starts, cap);
    gf_store__date_array(quarters, nq, 1, ends, cap);
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_text(&a, ids);
    gf_db_arg_text(&a, starts);
    gf_db_arg_text(&a, ends);
    gf_db_arg_date(&a, before);
    res = gf_db_exec_args(&commit_bounds, &a, err);
    if (!res)
        goto done;
    const size_t m = (size_t)PQntuples(res);
    *rows = calloc(m ? m : 1, sizeof **rows);
    if (!*rows) {
        gf_err_internal(err);
        goto done;
    }
    for (size_t r = 0; r < m; r++) {
        gf_store_commit_bound *b = &(*rows)[r];
        b->rep_id = gf_db_int64(res, (int)r, 0);
        b->quarter = (size_t)(gf_db_int64(res, (int)r, 1) - 1);
        b->count = gf_db_int64(res, (int)r, 4);
        if (gf_db_cents(res, (int)r, 2, &b->first_cents) < 0 ||
            gf_db_cents(res, (int)r, 3, &b->last_cents) < 0 || b->quarter >= nq) {
            free(*rows);
            *rows = NULL;
            gf_err_internal(err);
            goto done;
        }
    }
    *n = m;
    rc = 0;
done:
    PQclear(res);
    free(ids);
    free(starts);
    free(ends);
    return rc;
}

/* commits.c — what reps and managers said they would land: append and list newest first. */
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
    gf_scope_ids ids;
    if (scope && gf_store_scope_resolve(org_id, scope, "scope", &ids, err) < 0)
        return NULL;
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_text(&a, scope);
    gf_store__arg_period(&a, period);
    gf_db_arg_i64(&a, after);
    return gf_db_list(&commit_page, &a, 0, 1, limit, err);
}

/* adjustments.c — manager adjustments: append one to its scope's trail, list the trail, read the
 * latest (the manager's call). */
#include "gapforge/store_adjustments.h"

#include "db.h"
#include "gapforge/store.h"
#include "inputs_internal.h"

/* Serialises the writers of one scope and period (of one org) until the transaction ends, so
 * that each new adjustment sees the one it supersedes. Unrelated scopes may share a lock when
 * their hashes collide; they then only wait for each other. */
static const gf_stmt adjustment_lock = {
    "adjustment_lock", "SELECT pg_advisory_xact_lock(hashtextextended("
                       "$1::text || '|' || $2::text || '|' || $3::text || '|' || $4::text, "
                       "727275))"};

/* $1 org, $2 scope, $3 team id, $4 rep id, $5 period name, $6 and $7 its days, $8 value,
 * $9 reason, $10 author (NULL: the key's name), $11 the key. */
static const gf_stmt adjustment_insert = {
    "adjustment_insert",
    "WITH prev AS (SELECT a.id, a.value FROM adjustments a WHERE a.org_id = $1 AND a.scope = $2 "
    "  AND a.period_start = $6::date AND a.period_end = $7::date ORDER BY a.id DESC LIMIT 1), "
    "com AS (SELECT c.id, c.commit_amount FROM commits c WHERE c.org_id = $1 AND c.scope = $2 "
    "  AND c.period_start = $6::date AND c.period_end = $7::date "
    "  ORDER BY c.submitted_at DESC, c.id DESC LIMIT 1) "
    "INSERT INTO adjustments (org_id, scope, team_id, rep_id, period, period_start, period_end, "
    "value, reason, author, key_id, supersedes, previous_value, previous_source, "
    "previous_commit_id) "
    "SELECT $1, $2, $3::bigint, $4::bigint, $5, $6::date, $7::date, $8::numeric, $9, "
    "coalesce($10, (SELECT k.name FROM api_keys k WHERE k.id = $11 AND k.org_id = $1)), "
    "$11::bigint, p.id, coalesce(p.value, c.commit_amount), "
    "CASE WHEN p.id IS NOT NULL THEN 'adjustment' WHEN c.id IS NOT NULL THEN 'commit' END, "
    "CASE WHEN p.id IS NULL THEN c.id END "
    "FROM (SELECT 1) one LEFT JOIN prev p ON true LEFT JOIN com c ON true "
    "RETURNING gf_adjustment_json(adjustments)"};

/* Keyset pagination on id descending (ids grow with time, and within one scope and period in
 * the order of the trail); the cursor is the last item's id. */
static const gf_stmt adjustment_page = {
    "adjustment_page",
    "SELECT gf_adjustment_json(a), a.id FROM adjustments a WHERE a.org_id = $1 "
    "AND ($2::text IS NULL OR a.scope = $2) "
    "AND ($3::date IS NULL OR (a.period_start = $3 AND a.period_end = $4::date)) "
    "AND ($5::bigint = 0 OR a.id < $5) ORDER BY a.id DESC LIMIT $6"};

static const gf_stmt adjustment_latest = {
    "adjustment_latest",
    "SELECT a.id, gf_adjustment_call_json(a) FROM adjustments a JOIN orgs o ON o.id = a.org_id "
    "WHERE a.org_id = $1 AND a.scope = $2 AND a.period_start = $3::date "
    "AND a.period_end = $4::date AND a.created_at < (($5::date + 1)::timestamp AT TIME ZONE "
    "o.time_zone) ORDER BY a.id DESC LIMIT 1"};

json_t *gf_store_adjustment_create(int64_t org_id, const gf_adjustment_fields *f, gf_err *err)
{
    gf_scope_ids ids;
    if (gf_store_scope_resolve(org_id, f->scope, "scope", &ids, err) < 0)
        return NULL;
    gf_db_args lock = {0};
    gf_db_arg_i64(&lock, org_id);
    gf_db_arg_text(&lock, f->scope);
    gf_store__arg_period(&lock, f->period);
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_text(&a, f->scope);
    gf_store__arg_scope_ids(&a, &ids);
    gf_db_arg_text(&a, f->period->name);
    gf_store__arg_period(&a, f->period);
    gf_db_arg_text(&a, f->value);
    gf_db_arg_text(&a, f->reason);
    gf_db_arg_text(&a, f->author);
    gf_db_arg_i64(&a, f->key_id);
    if (gf_db_begin(err) < 0)
        return NULL;
    json_t *adj = NULL;
    if (gf_db_run(&adjustment_lock, &lock, err) < 0)
        goto fail;
    adj = gf_db_one_json(&adjustment_insert, &a, 0, "adjustment", NULL, err);
    if (!adj)
        goto fail;
    if (gf_db_commit(err) < 0) {
        json_decref(adj);
        return NULL;
    }
    return adj;
fail:
    gf_db_rollback();
    return NULL;
}

json_t *gf_store_adjustment_list(int64_t org_id, const char *scope, const gf_period *period,
                                 int limit, int64_t after, gf_err *err)
{
    return gf_store__scoped_page(&adjustment_page, org_id, scope, period, limit, after, err);
}

json_t *gf_store_adjustment_latest(int64_t org_id, const char *scope, const gf_period *period,
                                   int through, gf_err *err)
{
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_text(&a, scope);
    gf_store__arg_period(&a, period);
    gf_db_arg_date(&a, through);
    PGresult *res = gf_db_exec_args(&adjustment_latest, &a, err);
    if (!res)
        return NULL;
    json_t *call = PQntuples(res) == 1 ? gf_db_json(res, 0, 1) : json_null();
    PQclear(res);
    return call ? call : json_null();
}

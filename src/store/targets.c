/* targets.c — targets by scope, metric and period: upsert and filtered list. */
#include <string.h>

#include "db.h"
#include "gapforge/store.h"
#include "inputs_internal.h"

/* value goes through float8 so that 0.35 is stored as 0.35, not as its 17-digit expansion. */
static const gf_stmt target_upsert = {
    "target_upsert",
    "INSERT INTO targets (org_id, scope, team_id, rep_id, metric, kpi_id, period, period_start, "
    "period_end, value) VALUES ($1, $2, $3::bigint, $4::bigint, $5, $6::bigint, $7, $8::date, "
    "$9::date, $10::float8::numeric) "
    "ON CONFLICT (org_id, scope, metric, period_start, period_end) DO UPDATE SET "
    "period = excluded.period, value = excluded.value, updated_at = now() "
    "RETURNING gf_target_json(targets)"};

static const gf_stmt target_page = {
    "target_page", "SELECT gf_target_json(t), t.id FROM targets t WHERE t.org_id = $1 "
                   "AND ($2::text IS NULL OR t.scope = $2) AND ($3::text IS NULL OR t.metric = $3) "
                   "AND ($4::date IS NULL OR (t.period_start = $4 AND t.period_end = $5::date)) "
                   "AND t.id > $6 ORDER BY t.id LIMIT $7"};

/* Appends the KPI id of metric to a (SQL NULL for bookings). Returns 0, or -1 with an invalid
 * error naming field when the org has no such KPI. */
static int arg_metric_kpi(gf_db_args *a, int64_t org_id, const char *metric, const char *field,
                          gf_err *err)
{
    if (strcmp(metric, "bookings") == 0) {
        gf_db_arg_null(a);
        return 0;
    }
    int64_t id = 0;
    if (gf_store_kpi_id(org_id, metric, &id, err) < 0) {
        if (err->code == GF_ENOTFOUND)
            gf_err_invalid(err, field, "%s must be bookings or a KPI key; no KPI %s", field,
                           metric);
        return -1;
    }
    gf_db_arg_i64(a, id);
    return 0;
}

json_t *gf_store_target_put(int64_t org_id, const gf_target_fields *f, gf_err *err)
{
    gf_scope_ids ids;
    if (gf_store_scope_resolve(org_id, f->scope, "scope", &ids, err) < 0)
        return NULL;
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_text(&a, f->scope);
    gf_store__arg_scope_ids(&a, &ids);
    gf_db_arg_text(&a, f->metric);
    if (arg_metric_kpi(&a, org_id, f->metric, "metric", err) < 0)
        return NULL;
    gf_db_arg_text(&a, f->period->name);
    gf_store__arg_period(&a, f->period);
    gf_db_arg_text(&a, f->value);
    return gf_db_one_json(&target_upsert, &a, 0, "target", NULL, err);
}

json_t *gf_store_target_list(int64_t org_id, const char *scope, const char *metric,
                             const gf_period *period, int limit, int64_t after, gf_err *err)
{
    gf_scope_ids ids;
    if (scope && gf_store_scope_resolve(org_id, scope, "scope", &ids, err) < 0)
        return NULL;
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_text(&a, scope);
    gf_db_arg_text(&a, metric);
    gf_store__arg_period(&a, period);
    gf_db_arg_i64(&a, after);
    return gf_db_list(&target_page, &a, 0, 1, limit, err);
}

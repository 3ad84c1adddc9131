/* targets.c — targets by scope, metric and period: upsert and filtered list. */
#include <stdio.h>
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

/* NULL for an empty id text (SQL NULL). */
static const char *id_or_null(const char *id)
{
    return id[0] ? id : NULL;
}

/* The KPI id of metric into out ("" for bookings); 422 naming field when unknown. */
static int metric_kpi(int64_t org_id, const char *metric, const char *field, char out[24],
                      gf_err *err)
{
    out[0] = '\0';
    if (strcmp(metric, "bookings") == 0)
        return 0;
    int64_t id = 0;
    if (gf_store_kpi_id(org_id, metric, &id, err) < 0) {
        if (err->code == GF_ENOTFOUND)
            gf_err_invalid(err, field, "%s must be bookings or a KPI key; no KPI %s", field,
                           metric);
        return -1;
    }
    snprintf(out, 24, "%lld", (long long)id);
    return 0;
}

json_t *gf_store_target_put(int64_t org_id, const gf_target_fields *f, gf_err *err)
{
    gf_scope_ids ids;
    char kpi[24], org[24];
    if (gf_store_scope_resolve(org_id, f->scope, "scope", &ids, err) < 0 ||
        metric_kpi(org_id, f->metric, "metric", kpi, err) < 0)
        return NULL;
    gf_period_text pt;
    gf_store__inputs_period_text(f->period, &pt);
    snprintf(org, sizeof org, "%lld", (long long)org_id);
    const char *p[] = {org,       f->scope,        id_or_null(ids.team_id), id_or_null(ids.rep_id),
                       f->metric, id_or_null(kpi), f->period->name,         pt.start,
                       pt.end,    f->value};
    return gf_db_one_json(&target_upsert, 10, p, 0, "target", NULL, err);
}

json_t *gf_store_target_list(int64_t org_id, const char *scope, const char *metric,
                             const gf_period *period, int limit, int64_t after, gf_err *err)
{
    gf_scope_ids ids;
    if (scope && gf_store_scope_resolve(org_id, scope, "scope", &ids, err) < 0)
        return NULL;
    char org[24], aft[24], lim[16];
    snprintf(org, sizeof org, "%lld", (long long)org_id);
    snprintf(aft, sizeof aft, "%lld", (long long)after);
    snprintf(lim, sizeof lim, "%d", limit + 1);
    gf_period_text pt;
    gf_store__inputs_period_text(period, &pt);
    const char *p[] = {org, scope, metric, period ? pt.start : NULL, period ? pt.end : NULL,
                       aft, lim};
    PGresult *res = gf_db_exec(&target_page, 7, p, err);
    if (!res)
        return NULL;
    json_t *page = gf_db_page(res, 0, 1, limit);
    PQclear(res);
    return page;
}

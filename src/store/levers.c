/* levers.c — levers: what can be pulled to close a gap, at what cost and how fast. */
#include "db.h"
#include "gapforge/store.h"
#include "inputs_internal.h"
#include "keyed.h"

static const gf_stmt lever_upsert = {
    "lever_upsert",
    "INSERT INTO levers (org_id, key, name, kind, effect, unit_cost, max_units, ramp_days, "
    "kpi_id, notes) VALUES ($1, $2, $3, $4, $5::float8, $6::numeric, $7::int, $8::int, "
    "$9::bigint, $10) "
    "ON CONFLICT (org_id, key) DO UPDATE SET name = excluded.name, kind = excluded.kind, "
    "effect = excluded.effect, unit_cost = excluded.unit_cost, max_units = excluded.max_units, "
    "ramp_days = excluded.ramp_days, kpi_id = excluded.kpi_id, notes = excluded.notes, "
    "updated_at = now() RETURNING (xmax = 0), gf_lever_json(levers)"};

static const gf_stmt lever_select = {
    "lever_select", "SELECT gf_lever_json(l) FROM levers l WHERE l.org_id = $1 AND l.key = $2"};

static const gf_stmt lever_page = {
    "lever_page", "SELECT gf_lever_json(l), l.id FROM levers l WHERE l.org_id = $1 AND l.id > $2 "
                  "ORDER BY l.id LIMIT $3"};

static const gf_stmt lever_delete = {
    "lever_delete", "DELETE FROM levers WHERE org_id = $1 AND key = $2 RETURNING id"};

json_t *gf_store_lever_put(int64_t org_id, const gf_lever_fields *f, int *created, gf_err *err)
{
    int64_t kpi_id = 0;
    if (f->kpi && gf_store_kpi_id(org_id, f->kpi, &kpi_id, err) < 0) {
        if (err->code == GF_ENOTFOUND)
            gf_err_invalid(err, "kpi", "kpi: no KPI with key %s", f->kpi);
        return NULL;
    }
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_text(&a, f->key);
    gf_db_arg_text(&a, f->name);
    gf_db_arg_text(&a, f->kind);
    gf_db_arg_text(&a, f->effect);
    gf_db_arg_text(&a, f->unit_cost);
    gf_db_arg_text(&a, f->max_units);
    gf_db_arg_text(&a, f->ramp_days);
    if (f->kpi)
        gf_db_arg_i64(&a, kpi_id);
    else
        gf_db_arg_null(&a);
    gf_db_arg_text(&a, f->notes);
    return gf_store__upsert(&lever_upsert, &a, "lever", created, err);
}

json_t *gf_store_lever_get(int64_t org_id, const char *key, gf_err *err)
{
    return gf_store__by_key(&lever_select, org_id, key, "lever", err);
}

json_t *gf_store_lever_list(int64_t org_id, int limit, int64_t after, gf_err *err)
{
    return gf_store__page(&lever_page, org_id, limit, after, err);
}

int gf_store_lever_delete(int64_t org_id, const char *key, gf_err *err)
{
    return gf_store__delete_by_key(&lever_delete, org_id, key, "lever", err);
}

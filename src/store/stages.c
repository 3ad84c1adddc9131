/* stages.c — the org's ordered sales stages: read the list, replace it atomically.
 *
 * Deals reference stages by id, so a replacement upserts by key (existing keys keep their ids)
 * and deletes only the keys no longer listed — never one that a deal still uses. */
#include <stdlib.h>

#include "db.h"
#include "gapforge/store.h"

/* Serialises concurrent replacements of one org's list (class id of the advisory lock). */
#define STAGE_LOCK_CLASS "71001"

static const gf_stmt stage_lock = {"stage_lock", "SELECT pg_advisory_xact_lock(" STAGE_LOCK_CLASS
                                                 ", ($1::bigint % 2147483647)::int)"};

static const gf_stmt stage_select = {
    "stage_select",
    "SELECT gf_stage_json(s) FROM stages s WHERE s.org_id = $1 ORDER BY s.position, s.id"};

/* $2 is the new list as a JSON array of {key, name, kind, probability}. */
static const gf_stmt stage_in_use = {
    "stage_in_use",
    "SELECT s.key FROM stages s WHERE s.org_id = $1 "
    "AND s.key NOT IN (SELECT e->>'key' FROM jsonb_array_elements($2::jsonb) e) "
    "AND EXISTS (SELECT 1 FROM deals d WHERE d.org_id = s.org_id AND d.stage_id = s.id) "
    "ORDER BY s.position, s.id LIMIT 1"};

static const gf_stmt stage_delete = {
    "stage_delete", "DELETE FROM stages s WHERE s.org_id = $1 "
                    "AND s.key NOT IN (SELECT e->>'key' FROM jsonb_array_elements($2::jsonb) e)"};

static const gf_stmt stage_upsert = {
    "stage_upsert",
    "INSERT INTO stages (org_id, key, name, position, kind, probability) "
    "SELECT $1, e.v->>'key', e.v->>'name', (e.ord - 1)::int, e.v->>'kind', "
    "(e.v->>'probability')::numeric "
    "FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS e(v, ord) "
    "ON CONFLICT (org_id, key) DO UPDATE SET name = EXCLUDED.name, "
    "position = EXCLUDED.position, kind = EXCLUDED.kind, probability = EXCLUDED.probability"};

/* The list of stages from a result of stage_select. */
static json_t *list_of(const PGresult *res, gf_err *err)
{
    json_t *items = json_array();
    for (int r = 0; items && r < PQntuples(res); r++) {
        json_t *s = gf_db_json(res, r, 0);
        if (!s || json_array_append_new(items, s) < 0) {
            json_decref(items);
            items = NULL;
        }
    }
    if (!items)
        gf_err_internal(err);
    return items;
}

json_t *gf_store_stage_list(int64_t org_id, gf_err *err)
{
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    PGresult *res = gf_db_exec_args(&stage_select, &a, err);
    if (!res)
        return NULL;
    json_t *items = list_of(res, err);
    PQclear(res);
    return items;
}

/* The new list as JSON text for the statements above; NULL when out of memory. */
static char *items_json(const gf_stage_fields *items, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++) {
        json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "key", items[i].key, "name", items[i].name,
                              "kind", items[i].kind, "probability", items[i].probability);
        if (!o || json_array_append_new(arr, o) < 0) {
            json_decref(arr);
            arr = NULL;
        }
    }
    char *text = arr ? json_dumps(arr, JSON_COMPACT) : NULL;
    json_decref(arr);
    return text;
}

json_t *gf_store_stage_replace(int64_t org_id, const gf_stage_fields *items, size_t n, gf_err *err)
{
    char *list = items_json(items, n);
    json_t *out = NULL;
    PGresult *res = NULL;
    if (!list) {
        gf_err_internal(err);
        return NULL;
    }
    gf_db_args org = {0};
    gf_db_arg_i64(&org, org_id);
    gf_db_args p = org;
    gf_db_arg_text(&p, list);
    if (gf_db_begin(err) < 0)
        goto cleanup;
    if (gf_db_run(&stage_lock, &org, err) < 0)
        goto cleanup;
    res = gf_db_exec_args(&stage_in_use, &p, err);
    if (!res)
        goto cleanup;
    if (PQntuples(res) > 0) {
        gf_err_set(err, GF_ECONFLICT, NULL, "items",
                   "stage %s is used by deals and cannot be removed", PQgetvalue(res, 0, 0));
        goto cleanup;
    }
    PQclear(res);
    res = NULL;
    if (gf_db_run(&stage_delete, &p, err) < 0) {
        /* A deal created on a removed stage after the check above: same answer. */
        if (err->code == GF_ECONFLICT)
            gf_err_set(err, GF_ECONFLICT, NULL, "items",
                       "a stage to remove is used by deals and cannot be removed");
        goto cleanup;
    }
    if (gf_db_run(&stage_upsert, &p, err) < 0)
        goto cleanup;
    res = gf_db_exec_args(&stage_select, &org, err);
    if (!res)
        goto cleanup;
    out = list_of(res, err);
    if (!out)
        goto cleanup;
    if (gf_db_commit(err) < 0) {
        json_decref(out);
        out = NULL;
    }
cleanup:
    if (!out)
        gf_db_rollback();
    PQclear(res);
    free(list);
    return out;
}

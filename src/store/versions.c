/* versions.c — what the service's exact caches read: an org's data version and calendar, the API
 * keys' epoch, every scope of a kind, and the deals of a source. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "gapforge/store_versions.h"

/* The version, the fiscal year, today and the milliseconds left of today, all in the org's time
 * zone, in one round trip. */
static const gf_stmt org_state = {
    "org_state",
    "SELECT coalesce(v.version, 0), o.fiscal_year_start_month, "
    "(now() AT TIME ZONE o.time_zone)::date - DATE '1970-01-01', "
    "ceil(1000 * extract(epoch FROM ((date_trunc('day', now() AT TIME ZONE o.time_zone) + "
    "interval '1 day') AT TIME ZONE o.time_zone) - now()))::int8 "
    "FROM orgs o LEFT JOIN org_data_versions v ON v.org_id = o.id WHERE o.id = $1"};

static const gf_stmt key_epoch = {"key_epoch", "SELECT epoch FROM api_key_epoch"};

static const gf_stmt scope_all_teams = {
    "scope_all_teams", "SELECT 'team:' || key FROM teams WHERE org_id = $1 ORDER BY key"};
static const gf_stmt scope_all_reps = {
    "scope_all_reps", "SELECT 'rep:' || key FROM reps WHERE org_id = $1 ORDER BY key"};

static const gf_stmt source_deals = {
    "source_deals", "SELECT id FROM deals WHERE org_id = $1 AND source = $2 AND deleted_at IS NULL "
                    "ORDER BY id"};

int gf_store_org_state_read(int64_t org_id, gf_store_org_state *out, gf_err *err)
{
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    PGresult *res = gf_db_exec_args(&org_state, &a, err);
    if (!res)
        return -1;
    int rc = 0;
    if (PQntuples(res) != 1)
        rc = gf_err_not_found(err, "org");
    else {
        out->data_version = gf_db_int64(res, 0, 0);
        out->fysm = (int)gf_db_int64(res, 0, 1);
        out->today = (int)gf_db_int64(res, 0, 2);
        out->ms_to_midnight = gf_db_int64(res, 0, 3);
    }
    PQclear(res);
    return rc;
}

int gf_store_key_epoch(int64_t *epoch, gf_err *err)
{
    PGresult *res = gf_db_exec_args(&key_epoch, NULL, err);
    if (!res)
        return -1;
    *epoch = PQntuples(res) == 1 ? gf_db_int64(res, 0, 0) : 0;
    PQclear(res);
    return 0;
}

int gf_store_scope_all(int64_t org_id, const char *kind, gf_store_scopes *out, gf_err *err)
{
    memset(out, 0, sizeof *out);
    const gf_stmt *stmt = strcmp(kind, "team") == 0 ? &scope_all_teams : &scope_all_reps;
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    PGresult *res = gf_db_exec_args(stmt, &a, err);
    if (!res)
        return -1;
    const size_t n = (size_t)PQntuples(res);
    out->scope = calloc(n ? n : 1, sizeof *out->scope);
    if (!out->scope) {
        PQclear(res);
        return gf_err_internal(err);
    }
    for (size_t k = 0; k < n; k++)
        snprintf(out->scope[k], sizeof out->scope[k], "%s", PQgetvalue(res, (int)k, 0));
    out->n = n;
    PQclear(res);
    return 0;
}

int gf_store_history_mask_source(int64_t org_id, const gf_store_history *h, const char *source,
                                 uint8_t *mask, gf_err *err)
{
    memset(mask, 0, h->h.n_deals);
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_text(&a, source);
    PGresult *res = gf_db_exec_args(&source_deals, &a, err);
    if (!res)
        return -1;
    /* Both lists are ordered by id: one merge. */
    const size_t m = (size_t)PQntuples(res);
    for (size_t r = 0, i = 0; r < m && i < h->h.n_deals; r++) {
        const int64_t id = gf_db_int64(res, (int)r, 0);
        while (i < h->h.n_deals && h->deals[i].id < id)
            i++;
        if (i < h->h.n_deals && h->deals[i].id == id)
            mask[i] = 1;
    }
    PQclear(res);
    return 0;
}

size_t gf_store_history_bytes(const gf_store_history *h)
{
    return h ? h->bytes : 0;
}

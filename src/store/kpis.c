/* kpis.c — KPI definitions and their observation series. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "gapforge/date.h"
#include "gapforge/store.h"
#include "inputs_internal.h"

static const gf_stmt kpi_upsert = {
    "kpi_upsert",
    "INSERT INTO kpis (org_id, key, name, unit, direction, aggregation, bucket, leads_to, "
    "lag_days) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::int) "
    "ON CONFLICT (org_id, key) DO UPDATE SET name = excluded.name, unit = excluded.unit, "
    "direction = excluded.direction, aggregation = excluded.aggregation, "
    "bucket = excluded.bucket, leads_to = excluded.leads_to, lag_days = excluded.lag_days, "
    "updated_at = now() RETURNING (xmax = 0), gf_kpi_json(kpis)"};

static const gf_stmt kpi_select = {
    "kpi_select", "SELECT gf_kpi_json(k) FROM kpis k WHERE k.org_id = $1 AND k.key = $2"};

static const gf_stmt kpi_id_select = {"kpi_id",
                                      "SELECT id FROM kpis WHERE org_id = $1 AND key = $2"};

static const gf_stmt kpi_page = {
    "kpi_page", "SELECT gf_kpi_json(k), k.id FROM kpis k WHERE k.org_id = $1 AND k.id > $2 "
                "ORDER BY k.id LIMIT $3"};

/* One statement, so a batch is stored whole or not at all. Rows whose value is unchanged are
 * left alone and counted as unchanged. */
static const gf_stmt kpi_observe = {
    "kpi_observe",
    "WITH k AS (SELECT id FROM kpis WHERE org_id = $1 AND key = $2), "
    "up AS (INSERT INTO kpi_observations (org_id, kpi_id, observed_on, value) "
    "  SELECT $1, k.id, u.d, u.v FROM k, unnest($3::date[], $4::float8[]) AS u(d, v) "
    "  ON CONFLICT (kpi_id, observed_on) DO UPDATE SET value = excluded.value, "
    "  updated_at = now() WHERE kpi_observations.value IS DISTINCT FROM excluded.value "
    "  RETURNING (xmax = 0) AS inserted) "
    "SELECT (SELECT count(*) FROM k), count(*) FILTER (WHERE inserted), "
    "count(*) FILTER (WHERE NOT inserted) FROM up"};

/* Keyset pagination on observed_on; the cursor is the last item's id. */
static const gf_stmt kpi_obs_page = {
    "kpi_obs_page",
    "SELECT gf_kpi_observation_json(o), o.id FROM kpi_observations o "
    "WHERE o.kpi_id = $2 AND o.org_id = $1 "
    "AND ($3::date IS NULL OR o.observed_on >= $3) AND ($4::date IS NULL OR o.observed_on <= $4) "
    "AND ($5::bigint = 0 OR o.observed_on > "
    "     (SELECT x.observed_on FROM kpi_observations x WHERE x.kpi_id = $2 AND x.id = $5)) "
    "ORDER BY o.observed_on LIMIT $6"};

int gf_store_kpi_id(int64_t org_id, const char *key, int64_t *id, gf_err *err)
{
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_text(&a, key);
    PGresult *res = gf_db_exec_args(&kpi_id_select, &a, err);
    if (!res)
        return -1;
    int rc = 0;
    if (PQntuples(res) != 1)
        rc = gf_err_not_found(err, "kpi");
    else
        *id = gf_db_int64(res, 0, 0);
    PQclear(res);
    return rc;
}

json_t *gf_store_kpi_put(int64_t org_id, const gf_kpi_fields *f, int *created, gf_err *err)
{
    if (f->leads_to && strcmp(f->leads_to, "bookings") != 0) {
        int64_t id;
        if (strcmp(f->leads_to, f->key) == 0) {
            gf_err_invalid(err, "leads_to.metric", "a KPI cannot lead to itself");
            return NULL;
        }
        if (gf_store_kpi_id(org_id, f->leads_to, &id, err) < 0) {
            if (err->code == GF_ENOTFOUND)
                gf_err_invalid(err, "leads_to.metric",
                               "leads_to.metric must be bookings or a KPI key; no KPI %s",
                               f->leads_to);
            return NULL;
        }
    }
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_text(&a, f->key);
    gf_db_arg_text(&a, f->name);
    gf_db_arg_text(&a, f->unit);
    gf_db_arg_text(&a, f->direction);
    gf_db_arg_text(&a, f->aggregation);
    gf_db_arg_text(&a, f->bucket);
    gf_db_arg_text(&a, f->leads_to);
    gf_db_arg_text(&a, f->lag_days);
    int64_t was_created = 0;
    json_t *out = gf_db_one_json(&kpi_upsert, &a, 1, "kpi", &was_created, err);
    if (out && created)
        *created = (int)was_created;
    return out;
}

json_t *gf_store_kpi_get(int64_t org_id, const char *key, gf_err *err)
{
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_text(&a, key);
    return gf_db_one_json(&kpi_select, &a, 0, "kpi", NULL, err);
}

json_t *gf_store_kpi_list(int64_t org_id, int limit, int64_t after, gf_err *err)
{
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_i64(&a, after);
    return gf_db_list(&kpi_page, &a, 0, 1, limit, err);
}

/* Builds the array literals "{d1,d2,...}" and "{v1,v2,...}"; returns 0 or -1 (out of memory). */
static int array_literals(size_t n, const int *days, const double *values, char **dlit, char **vlit)
{
    *dlit = malloc(n * 11 + 3);
    *vlit = malloc(n * 32 + 3);
    if (!*dlit || !*vlit)
        return -1;
    char *d = *dlit, *v = *vlit;
    *d++ = '{';
    *v++ = '{';
    for (size_t i = 0; i < n; i++) {
        if (i) {
            *d++ = ',';
            *v++ = ',';
        }
        gf_date_format(days[i], d);
        d += 10;
        v += snprintf(v, 32, "%.17g", values[i]);
    }
    strcpy(d, "}");
    strcpy(v, "}");
    return 0;
}

json_t *gf_store_kpi_observe(int64_t org_id, const char *key, size_t n, const int *days,
                             const double *values, gf_err *err)
{
    char *dlit = NULL, *vlit = NULL;
    json_t *out = NULL;
    PGresult *res = NULL;
    if (array_literals(n, days, values, &dlit, &vlit) < 0) {
        gf_err_internal(err);
        goto cleanup;
    }
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_text(&a, key);
    gf_db_arg_text(&a, dlit);
    gf_db_arg_text(&a, vlit);
    res = gf_db_exec_args(&kpi_observe, &a, err);
    if (!res)
        goto cleanup;
    if (gf_db_int64(res, 0, 0) == 0) {
        gf_err_not_found(err, "kpi");
        goto cleanup;
    }
    long long ins = gf_db_int64(res, 0, 1), upd = gf_db_int64(res, 0, 2);
    out = json_pack("{s:I, s:I, s:I}", "inserted", (json_int_t)ins, "updated", (json_int_t)upd,
                    "unchanged", (json_int_t)((long long)n - ins - upd));
cleanup:
    PQclear(res);
    free(dlit);
    free(vlit);
    return out;
}

json_t *gf_store_kpi_observations(int64_t org_id, const char *key, const char *from, const char *to,
                                  int limit, int64_t after, gf_err *err)
{
    int64_t kpi_id;
    if (gf_store_kpi_id(org_id, key, &kpi_id, err) < 0)
        return NULL;
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_i64(&a, kpi_id);
    gf_db_arg_text(&a, from);
    gf_db_arg_text(&a, to);
    gf_db_arg_i64(&a, after);
    return gf_db_list(&kpi_obs_page, &a, 0, 1, limit, err);
}

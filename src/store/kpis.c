/* kpis.c — KPI definitions and their observation series. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "gapforge/date.h"
#include "gapforge/store.h"
#include "inputs_internal.h"
#include "keyed.h"

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
    "  ON CONFLICT (org_id, kpi_id, observed_on) DO UPDATE SET value = excluded.value, "
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
    return gf_store__upsert(&kpi_upsert, &a, "kpi", created, err);
}

json_t *gf_store_kpi_get(int64_t org_id, const char *key, gf_err *err)
{
    return gf_store__by_key(&kpi_select, org_id, key, "kpi", err);
}

json_t *gf_store_kpi_list(int64_t org_id, int limit, int64_t after, gf_err *err)
{
    return gf_store__page(&kpi_page, org_id, limit, after, err);
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

/* ---- a KPI's series for its forecast ---- */

static const gf_stmt kpi_def = {
    "kpi_def", "SELECT k.id, k.key, k.name, k.unit, k.direction, k.aggregation, k.bucket, "
               "(SELECT min(o.observed_on) - date '1970-01-01' FROM kpi_observations o "
               " WHERE o.kpi_id = k.id AND o.org_id = $1) "
               "FROM kpis k WHERE k.org_id = $1 AND k.key = $2"};

static const gf_stmt kpi_series = {
    "kpi_series", "SELECT observed_on - date '1970-01-01', value FROM kpi_observations "
                  "WHERE org_id = $1 AND kpi_id = $2 AND observed_on < $3::date "
                  "ORDER BY observed_on"};

static const gf_stmt kpi_target = {
    "kpi_target", "SELECT value::float8 FROM targets WHERE org_id = $1 AND scope = $2 "
                  "AND metric = $3 AND period_start = $4::date AND period_end = $5::date"};

/* Copies a column into a fixed buffer, cut to fit. */
static void copy_text(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

int gf_store_kpi_series_load(int64_t org_id, const char *key, int before, gf_store_kpi_series *out,
                             gf_err *err)
{
    memset(out, 0, sizeof *out);
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_text(&a, key);
    PGresult *res = gf_db_exec_args(&kpi_def, &a, err);
    if (!res)
        return -1;
    if (PQntuples(res) != 1) {
        PQclear(res);
        return gf_err_not_found(err, "kpi");
    }
    out->id = gf_db_int64(res, 0, 0);
    copy_text(out->key, sizeof out->key, gf_db_text(res, 0, 1));
    copy_text(out->name, sizeof out->name, gf_db_text(res, 0, 2));
    copy_text(out->unit, sizeof out->unit, gf_db_text(res, 0, 3));
    copy_text(out->direction, sizeof out->direction, gf_db_text(res, 0, 4));
    copy_text(out->aggregation, sizeof out->aggregation, gf_db_text(res, 0, 5));
    copy_text(out->bucket, sizeof out->bucket, gf_db_text(res, 0, 6));
    out->has_any = !PQgetisnull(res, 0, 7);
    out->first_day = out->has_any ? (int)gf_db_int64(res, 0, 7) : 0;
    PQclear(res);
    gf_db_args b = {0};
    gf_db_arg_i64(&b, org_id);
    gf_db_arg_i64(&b, out->id);
    gf_db_arg_date(&b, before);
    res = gf_db_exec_args(&kpi_series, &b, err);
    if (!res)
        return -1;
    const size_t n = (size_t)PQntuples(res);
    out->days = malloc((n ? n : 1) * sizeof *out->days);
    out->values = malloc((n ? n : 1) * sizeof *out->values);
    if (!out->days || !out->values) {
        PQclear(res);
        gf_store_kpi_series_free(out);
        return gf_err_internal(err);
    }
    for (size_t i = 0; i < n; i++) {
        out->days[i] = (int)gf_db_int64(res, (int)i, 0);
        out->values[i] = strtod(gf_db_text(res, (int)i, 1), NULL);
    }
    out->n = n;
    PQclear(res);
    return 0;
}

void gf_store_kpi_series_free(gf_store_kpi_series *s)
{
    if (!s)
        return;
    free(s->days);
    free(s->values);
    s->days = NULL;
    s->values = NULL;
    s->n = 0;
}

int gf_store_kpi_target(int64_t org_id, const char *scope, const char *metric,
                        const gf_period *period, int *found, double *value, gf_err *err)
{
    *found = 0;
    *value = 0.0;
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_text(&a, scope);
    gf_db_arg_text(&a, metric);
    gf_store__arg_period(&a, period);
    PGresult *res = gf_db_exec_args(&kpi_target, &a, err);
    if (!res)
        return -1;
    if (PQntuples(res) == 1) {
        *found = 1;
        *value = strtod(gf_db_text(res, 0, 0), NULL);
    }
    PQclear(res);
    return 0;
}

/* indicators.c — the leading indicators' reads: KPIs with a leads_to link and their series, and
 * the deals' sources. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "gapforge/store_indicators.h"

static const gf_stmt ind_kpis = {
    "ind_kpis",
    "SELECT k.key, k.name, k.unit, k.direction, "
    "CASE k.aggregation WHEN 'sum' THEN 0 WHEN 'mean' THEN 1 ELSE 2 END, k.leads_to, k.lag_days, "
    "o.observed_on - DATE '1970-01-01', o.value "
    "FROM kpis k LEFT JOIN kpi_observations o ON o.kpi_id = k.id AND o.org_id = k.org_id "
    "AND o.observed_on >= $2::date AND o.observed_on < $3::date "
    "WHERE k.org_id = $1 AND k.leads_to IS NOT NULL ORDER BY k.key, o.observed_on"};

static const gf_stmt ind_marketing = {
    "ind_marketing", "SELECT id, (source = 'marketing')::int FROM deals WHERE org_id = $1 "
                     "AND deleted_at IS NULL AND created_on < $2::date ORDER BY id"};

void gf_store_lead_kpis_free(gf_store_lead_kpis *out)
{
    if (!out)
        return;
    for (size_t k = 0; k < out->n; k++) {
        free(out->k[k].days);
        free(out->k[k].values);
    }
    free(out->k);
    memset(out, 0, sizeof *out);
}

static void copy(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

/* Starts a KPI from row r (its definition columns). */
static void kpi_head(const PGresult *res, int r, gf_store_lead_kpi *k)
{
    memset(k, 0, sizeof *k);
    copy(k->key, sizeof k->key, gf_db_text(res, r, 0));
    copy(k->name, sizeof k->name, gf_db_text(res, r, 1));
    copy(k->unit, sizeof k->unit, gf_db_text(res, r, 2));
    copy(k->direction, sizeof k->direction, gf_db_text(res, r, 3));
    k->aggregation = (int)gf_db_int64(res, r, 4);
    copy(k->leads_to, sizeof k->leads_to, gf_db_text(res, r, 5));
    k->lag_days = (int)gf_db_int64(res, r, 6);
}

int gf_store_lead_kpis_load(int64_t org_id, int from, int before, gf_store_lead_kpis *out,
                            gf_err *err)
{
    memset(out, 0, sizeof *out);
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_date(&a, from);
    gf_db_arg_date(&a, before);
    PGresult *res = gf_db_exec_args(&ind_kpis, &a, err);
    if (!res)
        return -1;
    const int rows = PQntuples(res);
    int rc = 0;
    /* Rows come grouped by key: count the KPIs, then fill each one's series. */
    size_t nk = 0;
    for (int r = 0; r < rows; r++)
        nk += r == 0 || strcmp(PQgetvalue(res, r, 0), PQgetvalue(res, r - 1, 0)) != 0;
    out->k = calloc(nk ? nk : 1, sizeof *out->k);
    if (!out->k)
        rc = -1;
    for (int r = 0; r < rows && rc == 0;) {
        int end = r + 1;
        while (end < rows && strcmp(PQgetvalue(res, end, 0), PQgetvalue(res, r, 0)) == 0)
            end++;
        gf_store_lead_kpi *k = &out->k[out->n++];
        kpi_head(res, r, k);
        const size_t m = (size_t)(end - r);
        k->days = malloc(m * sizeof *k->days);
        k->values = malloc(m * sizeof *k->values);
        if (!k->days || !k->values) {
            rc = -1;
            break;
        }
        for (int i = r; i < end; i++) {
            if (PQgetisnull(res, i, 7))
                continue;
            k->days[k->n] = (int)gf_db_int64(res, i, 7);
            k->values[k->n++] = strtod(PQgetvalue(res, i, 8), NULL);
        }
        r = end;
    }
    PQclear(res);
    if (rc < 0) {
        gf_store_lead_kpis_free(out);
        return gf_err_internal(err);
    }
    return 0;
}

int gf_store_deal_marketing(int64_t org_id, int before, int64_t **ids, uint8_t **marketing,
                            size_t *n, gf_err *err)
{
    *ids = NULL;
    *marketing = NULL;
    *n = 0;
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_date(&a, before);
    PGresult *res = gf_db_exec_args(&ind_marketing, &a, err);
    if (!res)
        return -1;
    const size_t m = (size_t)PQntuples(res);
    *ids = malloc((m ? m : 1) * sizeof **ids);
    *marketing = malloc(m ? m : 1);
    if (!*ids || !*marketing) {
        free(*ids);
        free(*marketing);
        *ids = NULL;
        *marketing = NULL;
        PQclear(res);
        return gf_err_internal(err);
    }
    for (size_t r = 0; r < m; r++) {
        (*ids)[r] = gf_db_int64(res, (int)r, 0);
        (*marketing)[r] = (uint8_t)gf_db_int64(res, (int)r, 1);
    }
    *n = m;
    PQclear(res);
    return 0;
}

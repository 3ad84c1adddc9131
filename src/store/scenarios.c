/* scenarios.c — what scenarios, plans and the forecast's "why" read besides the history: the
 * org's currency, its levers and the volume of a KPI leading to bookings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "gapforge/log.h"
#include "gapforge/store.h"

static const gf_stmt scen_currency = {"scen_currency",
                                      "SELECT o.currency FROM orgs o WHERE o.id = $1"};

int gf_store_org_currency(int64_t org_id, char currency[8], gf_err *err)
{
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    PGresult *res = gf_db_exec_args(&scen_currency, &a, err);
    if (!res)
        return -1;
    int rc = 0;
    if (PQntuples(res) != 1) {
        rc = gf_err_not_found(err, "org");
    } else {
        snprintf(currency, 8, "%s", PQgetvalue(res, 0, 0));
    }
    PQclear(res);
    return rc;
}

/* The org's levers ordered by key, as columns: key, name, kind, effect, unit_cost, max_units,
 * ramp_days, then the KPI's key, leads_to and bucket (NULL without a KPI). */
static const gf_stmt scen_lever_rows = {
    "scen_lever_rows",
    "SELECT l.key, l.name, l.kind, l.effect, l.unit_cost, l.max_units, l.ramp_days, k.key, "
    "k.leads_to, k.bucket FROM levers l LEFT JOIN kpis k ON k.id = l.kpi_id AND k.org_id = "
    "l.org_id "
    "WHERE l.org_id = $1 ORDER BY l.key"};

/* Copies src (NULL: "") into dst of cap bytes; a text too long is cut at a UTF-8 character
 * boundary, never inside a character. */
static void copy_text(char *dst, size_t cap, const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (n >= cap) {
        n = cap - 1;
        while (n > 0 && ((unsigned char)src[n] & 0xc0) == 0x80)
            n--;
    }
    memcpy(dst, src ? src : "", n);
    dst[n] = '\0';
}

/* Fills lv from row r of a scen_lever_rows result. Returns 0, or -1 when the unit cost is not
 * exact money text. */
static int lever_row(const PGresult *res, int r, gf_store_lever *lv)
{
    copy_text(lv->key, sizeof lv->key, gf_db_text(res, r, 0));
    copy_text(lv->name, sizeof lv->name, gf_db_text(res, r, 1));
    copy_text(lv->kind, sizeof lv->kind, gf_db_text(res, r, 2));
    lv->effect = strtod(PQgetvalue(res, r, 3), NULL);
    lv->max_units = (uint32_t)gf_db_int64(res, r, 5);
    lv->ramp_days = (int32_t)gf_db_int64(res, r, 6);
    copy_text(lv->kpi, sizeof lv->kpi, gf_db_text(res, r, 7));
    copy_text(lv->kpi_leads_to, sizeof lv->kpi_leads_to, gf_db_text(res, r, 8));
    const char *bucket = gf_db_text(res, r, 9);
    lv->kpi_bucket_days = !bucket ? 0 : strcmp(bucket, "day") == 0 ? 1 : 7;
    return gf_db_cents(res, r, 4, &lv->unit_cost_cents);
}

int gf_store_lever_rows(int64_t org_id, gf_store_lever **rows, size_t *n, gf_err *err)
{
    *rows = NULL;
    *n = 0;
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    PGresult *res = gf_db_exec_args(&scen_lever_rows, &a, err);
    if (!res)
        return -1;
    int rc = -1;
    size_t count = (size_t)PQntuples(res);
    gf_store_lever *out = calloc(count ? count : 1, sizeof *out);
    if (!out) {
        gf_err_internal(err);
        goto done;
    }
    for (size_t k = 0; k < count; k++) {
        if (lever_row(res, (int)k, &out[k]) < 0) {
            gf_logf("error", "lever %s: unit_cost %s is not exact money text", out[k].key,
                    PQgetvalue(res, (int)k, 4));
            gf_err_internal(err);
            goto done;
        }
    }
    *rows = out;
    *n = count;
    out = NULL;
    rc = 0;
done:
    free(out);
    PQclear(res);
    return rc;
}

static const gf_stmt scen_leading_kpi = {
    "scen_leading_kpi",
    "SELECT k.key, sum(o.value) FILTER (WHERE o.observed_on BETWEEN $2::date AND $3::date), "
    "sum(o.value) FILTER (WHERE o.observed_on BETWEEN $4::date AND $5::date) "
    "FROM kpis k JOIN kpi_observations o ON o.kpi_id = k.id AND o.org_id = k.org_id "
    "WHERE k.org_id = $1 AND k.leads_to = 'bookings' AND k.aggregation = 'sum' "
    "GROUP BY k.key "
    "HAVING count(*) FILTER (WHERE o.observed_on BETWEEN $2::date AND $3::date) > 0 "
    "AND count(*) FILTER (WHERE o.observed_on BETWEEN $4::date AND $5::date) > 0 "
    "ORDER BY k.key LIMIT 1"};

int gf_store_leading_kpi(int64_t org_id, const int days[4], char key[72], double sums[2],
                         int *found, gf_err *err)
{
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    for (int k = 0; k < 4; k++)
        gf_db_arg_date(&a, days[k]);
    PGresult *res = gf_db_exec_args(&scen_leading_kpi, &a, err);
    if (!res)
        return -1;
    *found = PQntuples(res) == 1;
    if (*found) {
        snprintf(key, 72, "%s", PQgetvalue(res, 0, 0));
        sums[0] = strtod(PQgetvalue(res, 0, 1), NULL);
        sums[1] = strtod(PQgetvalue(res, 0, 2), NULL);
    }
    PQclear(res);
    return 0;
}

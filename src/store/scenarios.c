/* scenarios.c — what scenarios, plans and the forecast's "why" read besides the history: the
 * org's currency, its levers and the volume of a KPI leading to bookings. */
#include <stdio.h>
#include <stdlib.h>

#include "db.h"
#include "gapforge/store.h"

static const gf_stmt scen_currency = {"scen_currency",
                                      "SELECT o.currency FROM orgs o WHERE o.id = $1"};

static const gf_stmt scen_levers = {
    "scen_levers",
    "SELECT coalesce(jsonb_agg(gf_lever_json(l) || jsonb_build_object('kpi_leads_to', k.leads_to, "
    "'kpi_bucket', k.bucket) ORDER BY l.key), '[]'::jsonb) "
    "FROM levers l LEFT JOIN kpis k ON k.id = l.kpi_id AND k.org_id = l.org_id "
    "WHERE l.org_id = $1"};

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

json_t *gf_store_levers_all(int64_t org_id, gf_err *err)
{
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    PGresult *res = gf_db_exec_args(&scen_levers, &a, err);
    if (!res)
        return NULL;
    json_t *out = gf_db_json(res, 0, 0);
    if (!out)
        gf_err_internal(err);
    PQclear(res);
    return out;
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

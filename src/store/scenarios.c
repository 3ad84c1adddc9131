/* scenarios.c — what scenarios and plans read besides the history: the org's currency and its
 * levers (with the KPI each kpi lever moves). */
#include <stdio.h>

#include "gapforge/db.h"
#include "gapforge/store.h"

static const gf_stmt scen_currency = {"scen_currency",
                                      "SELECT o.currency FROM orgs o WHERE o.id = $1"};

static const gf_stmt scen_levers = {
    "scen_levers", "SELECT coalesce(jsonb_agg(gf_lever_json(l) ORDER BY l.key), '[]'::jsonb) "
                   "FROM levers l WHERE l.org_id = $1"};

int gf_store_org_currency(int64_t org_id, char currency[8], gf_err *err)
{
    char org[24];
    snprintf(org, sizeof org, "%lld", (long long)org_id);
    const char *p[] = {org};
    PGresult *res = gf_db_exec(&scen_currency, 1, p, err);
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
    char org[24];
    snprintf(org, sizeof org, "%lld", (long long)org_id);
    const char *p[] = {org};
    PGresult *res = gf_db_exec(&scen_levers, 1, p, err);
    if (!res)
        return NULL;
    json_t *out = gf_db_json(res, 0, 0);
    if (!out)
        gf_err_internal(err);
    PQclear(res);
    return out;
}

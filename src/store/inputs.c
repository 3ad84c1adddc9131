/* inputs.c — what the input stores share: the org's calendar, scope resolution, pages. */
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "gapforge/date.h"
#include "gapforge/scope.h"
#include "gapforge/store.h"
#include "inputs_internal.h"

static const gf_stmt calendar_select = {
    "inputs_calendar", "SELECT fiscal_year_start_month, (now() AT TIME ZONE time_zone)::date::text "
                       "FROM orgs WHERE id = $1"};

static const gf_stmt team_lookup = {"inputs_team_id",
                                    "SELECT id FROM teams WHERE org_id = $1 AND key = $2"};
static const gf_stmt rep_lookup = {"inputs_rep_id",
                                   "SELECT id FROM reps WHERE org_id = $1 AND key = $2"};

int gf_store_org_calendar(int64_t org_id, int *fysm, int *today, gf_err *err)
{
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    PGresult *res = gf_db_exec_args(&calendar_select, &a, err);
    if (!res)
        return -1;
    int rc = 0;
    if (PQntuples(res) != 1)
        rc = gf_err_not_found(err, "org");
    else if (gf_date_parse(PQgetvalue(res, 0, 1), today) < 0)
        rc = gf_err_internal(err);
    else
        *fysm = (int)gf_db_int64(res, 0, 0);
    PQclear(res);
    return rc;
}

/* Looks up the id of key with stmt into out; an invalid error naming field when there is none. */
static int lookup_id(const gf_stmt *stmt, int64_t org_id, const char *key, const char *what,
                     const char *field, char out[24], gf_err *err)
{
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_text(&a, key);
    PGresult *res = gf_db_exec_args(stmt, &a, err);
    if (!res)
        return -1;
    int rc = 0;
    if (PQntuples(res) != 1)
        rc = gf_err_invalid(err, field, "%s: no %s with key %s", field, what, key);
    else
        snprintf(out, 24, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
    return rc;
}

int gf_store_scope_resolve(int64_t org_id, const char *scope, const char *field, gf_scope_ids *ids,
                           gf_err *err)
{
    memset(ids, 0, sizeof *ids);
    gf_scope_of of;
    const char *key;
    if (gf_scope_parse(scope, &of, &key) < 0)
        return gf_err_invalid(err, field, "%s must be org, team:KEY or rep:KEY", field);
    if (of == GF_SCOPE_OF_TEAM)
        return lookup_id(&team_lookup, org_id, key, "team", field, ids->team_id, err);
    if (of == GF_SCOPE_OF_REP)
        return lookup_id(&rep_lookup, org_id, key, "rep", field, ids->rep_id, err);
    return 0;
}

void gf_store__arg_scope_ids(gf_db_args *a, const gf_scope_ids *ids)
{
    gf_db_arg_text(a, ids->team_id[0] ? ids->team_id : NULL);
    gf_db_arg_text(a, ids->rep_id[0] ? ids->rep_id : NULL);
}

void gf_store__arg_period(gf_db_args *a, const gf_period *p)
{
    if (!p) {
        gf_db_arg_null(a);
        gf_db_arg_null(a);
        return;
    }
    gf_db_arg_date(a, p->start);
    gf_db_arg_date(a, p->end);
}

json_t *gf_store__scoped_page(const gf_stmt *stmt, int64_t org_id, const char *scope,
                              const gf_period *period, int limit, int64_t after, gf_err *err)
{
    gf_scope_ids ids;
    if (scope && gf_store_scope_resolve(org_id, scope, "scope", &ids, err) < 0)
        return NULL;
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_text(&a, scope);
    gf_store__arg_period(&a, period);
    gf_db_arg_i64(&a, after);
    return gf_db_list(stmt, &a, 0, 1, limit, err);
}

/* orgs.c — tenants: create, read, update. */
#include <string.h>

#include "db.h"
#include "gapforge/store.h"

static const gf_stmt tz_known = {"org_tz_known",
                                 "SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = $1)"};

static const gf_stmt org_insert = {
    "org_insert", /* the org does not exist yet, so no org is set: migration 0017's function */
    "SELECT id, org FROM gf_org_create($1, $2, $3, $4::int, $5)"};

static const gf_stmt org_select = {"org_select",
                                   "SELECT id, gf_org_json(o) FROM orgs o WHERE o.id = $1"};

static const gf_stmt org_update = {
    "org_update", "UPDATE orgs SET name = coalesce($2, name), currency = coalesce($3, currency), "
                  "fiscal_year_start_month = coalesce($4::int, fiscal_year_start_month), "
                  "time_zone = coalesce($5, time_zone), updated_at = now() "
                  "WHERE id = $1 RETURNING id, gf_org_json(orgs)"};

static const gf_stmt org_by_slug = {"org_by_slug", "SELECT id FROM orgs WHERE slug = $1"};

/* Invalid unless tz is one of PostgreSQL's time zone names. */
static int check_time_zone(const char *tz, gf_err *err)
{
    if (!tz)
        return 0;
    gf_db_args a = {0};
    gf_db_arg_text(&a, tz);
    PGresult *res = gf_db_exec_args(&tz_known, &a, err);
    if (!res)
        return -1;
    int ok = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    PQclear(res);
    return ok ? 0
              : gf_err_invalid(err, "time_zone",
                               "time_zone must be an IANA time zone such as Europe/Berlin");
}

/* Appends $2 .. $5 of org_insert and org_update: name, currency, fiscal year start month, time
 * zone (NULL: default or unchanged). */
static void org_args(gf_db_args *a, const gf_org_fields *f)
{
    gf_db_arg_text(a, f->name);
    gf_db_arg_text(a, f->currency);
    gf_db_arg_text(a, f->fiscal_year_start_month);
    gf_db_arg_text(a, f->time_zone);
}

json_t *gf_store_org_create(const gf_org_fields *f, int64_t *org_id, gf_err *err)
{
    if (check_time_zone(f->time_zone, err) < 0)
        return NULL;
    gf_db_args a = {0};
    gf_db_arg_text(&a, f->slug);
    org_args(&a, f);
    json_t *org = gf_db_one_json(&org_insert, &a, 1, "org", org_id, err);
    if (!org && err->code == GF_ECONFLICT)
        gf_err_set(err, GF_ECONFLICT, NULL, "slug", "an org with slug %s already exists", f->slug);
    return org;
}

json_t *gf_store_org_get(int64_t org_id, gf_err *err)
{
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    return gf_db_one_json(&org_select, &a, 1, "org", NULL, err);
}

json_t *gf_store_org_patch(int64_t org_id, const gf_org_fields *f, gf_err *err)
{
    if (check_time_zone(f->time_zone, err) < 0)
        return NULL;
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    org_args(&a, f);
    return gf_db_one_json(&org_update, &a, 1, "org", NULL, err);
}

int gf_store_org_id(const char *slug, int64_t *org_id, gf_err *err)
{
    gf_db_args a = {0};
    gf_db_arg_text(&a, slug);
    PGresult *res = gf_db_exec_args(&org_by_slug, &a, err);
    if (!res)
        return -1;
    int rc = 0;
    if (PQntuples(res) == 0)
        rc = gf_err_not_found(err, "org");
    else
        *org_id = gf_db_int64(res, 0, 0);
    PQclear(res);
    return rc;
}

static const gf_stmt role_bypass = {
    "role_bypass", "SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user"};

int gf_store_role_bypasses_rls(bool *bypasses, gf_err *err)
{
    PGresult *res = gf_db_exec_args(&role_bypass, NULL, err);
    if (!res)
        return -1;
    *bypasses = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    PQclear(res);
    return 0;
}

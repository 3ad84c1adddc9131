/* reps.c — the org's sales reps: create, read, list (by team subtree, by activity), update. */
#include <stdio.h>

#include "db.h"
#include "gapforge/store.h"

static const gf_stmt rep_team_id = {"rep_team_id",
                                    "SELECT id FROM teams WHERE org_id = $1 AND key = $2"};

static const gf_stmt rep_insert = {
    "rep_insert",
    "INSERT INTO reps (org_id, key, name, email, team_id, hired_on, ramp_months, active) "
    "VALUES ($1, $2, $3, $4, $5::bigint, $6::date, coalesce($7::int, 0), "
    "coalesce($8::boolean, true)) RETURNING id, gf_rep_json(reps)"};

static const gf_stmt rep_select = {
    "rep_select", "SELECT r.id, gf_rep_json(r) FROM reps r WHERE r.org_id = $1 AND r.key = $2"};

/* $4: team id whose subtree to keep (NULL: any team); $5: active flag (NULL: any). UNION stops
 * the walk even on a damaged hierarchy. */
static const gf_stmt rep_page = {
    "rep_page",
    "WITH RECURSIVE sub(id) AS (SELECT $4::bigint WHERE $4::bigint IS NOT NULL "
    "UNION SELECT t.id FROM teams t JOIN sub ON t.parent_id = sub.id WHERE t.org_id = $1) "
    "SELECT gf_rep_json(r), r.id FROM reps r WHERE r.org_id = $1 AND r.id > $2 "
    "AND ($4::bigint IS NULL OR r.team_id IN (SELECT id FROM sub)) "
    "AND ($5::boolean IS NULL OR r.active = $5::boolean) "
    "ORDER BY r.id LIMIT $3"};

/* Nullable columns change only when their flag ($4, $6, $8) is true. */
static const gf_stmt rep_update = {
    "rep_update",
    "UPDATE reps SET name = coalesce($3, name), "
    "email = CASE WHEN $4::boolean THEN $5 ELSE email END, "
    "team_id = CASE WHEN $6::boolean THEN $7::bigint ELSE team_id END, "
    "hired_on = CASE WHEN $8::boolean THEN $9::date ELSE hired_on END, "
    "ramp_months = coalesce($10::int, ramp_months), active = coalesce($11::boolean, active), "
    "updated_at = now() WHERE org_id = $1 AND key = $2 RETURNING id, gf_rep_json(reps)"};

/* Formats v into buf for a SQL parameter; returns buf. */
static const char *i64(int64_t v, char buf[24])
{
    snprintf(buf, 24, "%lld", (long long)v);
    return buf;
}

/* Resolves a team key of the org into its id as text in buf; *id_text is NULL when team is
 * NULL. Returns 0, or -1 with a 422 (field team) when the org has no such team. */
static int team_id(const char *org, const char *team, char buf[24], const char **id_text,
                   gf_err *err)
{
    *id_text = NULL;
    if (!team)
        return 0;
    const char *p[] = {org, team};
    PGresult *res = gf_db_exec(&rep_team_id, 2, p, err);
    if (!res)
        return -1;
    int rc = 0;
    if (PQntuples(res) == 0)
        rc = gf_err_invalid(err, "team", "team %s is not a team of this org", team);
    else
        *id_text = i64(gf_db_int64(res, 0, 0), buf);
    PQclear(res);
    return rc;
}

json_t *gf_store_rep_create(int64_t org_id, const gf_rep_fields *f, gf_err *err)
{
    char org[24], tid[24];
    const char *team = NULL;
    if (team_id(i64(org_id, org), f->team, tid, &team, err) < 0)
        return NULL;
    const char *p[] = {org,  f->key,      f->name,        f->email,
                       team, f->hired_on, f->ramp_months, f->active};
    json_t *rep = gf_db_one_json(&rep_insert, 8, p, 1, "rep", NULL, err);
    if (!rep && err->code == GF_ECONFLICT)
        gf_err_set(err, GF_ECONFLICT, NULL, "key", "a rep with key %s already exists", f->key);
    return rep;
}

json_t *gf_store_rep_get(int64_t org_id, const char *key, gf_err *err)
{
    char org[24];
    const char *p[] = {i64(org_id, org), key};
    return gf_db_one_json(&rep_select, 2, p, 1, "rep", NULL, err);
}

json_t *gf_store_rep_list(int64_t org_id, int limit, int64_t after, const char *team,
                          const char *active, gf_err *err)
{
    char org[24], aft[24], lim[24], tid[24];
    const char *team_text = NULL;
    if (team_id(i64(org_id, org), team, tid, &team_text, err) < 0)
        return NULL;
    const char *p[] = {org, i64(after, aft), i64(limit + 1, lim), team_text, active};
    PGresult *res = gf_db_exec(&rep_page, 5, p, err);
    if (!res)
        return NULL;
    json_t *page = gf_db_page(res, 0, 1, limit);
    PQclear(res);
    return page;
}

json_t *gf_store_rep_patch(int64_t org_id, const char *key, const gf_rep_fields *f, gf_err *err)
{
    char org[24], tid[24];
    const char *team = NULL;
    if (team_id(i64(org_id, org), f->has_team ? f->team : NULL, tid, &team, err) < 0) {
        /* An unknown rep is a 404 whatever else is wrong with the request. */
        json_t *rep = err->code == GF_EINVALID ? gf_store_rep_get(org_id, key, err) : NULL;
        if (rep) {
            json_decref(rep);
            gf_err_invalid(err, "team", "team %s is not a team of this org", f->team);
        }
        return NULL;
    }
    const char *p[] = {org,         key,
                       f->name,     f->has_email ? "true" : "false",
                       f->email,    f->has_team ? "true" : "false",
                       team,        f->has_hired_on ? "true" : "false",
                       f->hired_on, f->ramp_months,
                       f->active};
    return gf_db_one_json(&rep_update, 11, p, 1, "rep", NULL, err);
}

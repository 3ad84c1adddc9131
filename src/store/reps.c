/* reps.c — the org's sales reps: create, read, list (by team subtree, by activity), update. */
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

/* $3: team id whose subtree to keep (NULL: any team); $4: active flag (NULL: any); $5: the page
 * size. UNION stops the walk even on a damaged hierarchy. */
static const gf_stmt rep_page = {
    "rep_page",
    "WITH RECURSIVE sub(id) AS (SELECT $3::bigint WHERE $3::bigint IS NOT NULL "
    "UNION SELECT t.id FROM teams t JOIN sub ON t.parent_id = sub.id WHERE t.org_id = $1) "
    "SELECT gf_rep_json(r), r.id FROM reps r WHERE r.org_id = $1 AND r.id > $2 "
    "AND ($3::bigint IS NULL OR r.team_id IN (SELECT id FROM sub)) "
    "AND ($4::boolean IS NULL OR r.active = $4::boolean) "
    "ORDER BY r.id LIMIT $5"};

/* Nullable columns change only when their flag ($4, $6, $8) is true. */
static const gf_stmt rep_update = {
    "rep_update",
    "UPDATE reps SET name = coalesce($3, name), "
    "email = CASE WHEN $4::boolean THEN $5 ELSE email END, "
    "team_id = CASE WHEN $6::boolean THEN $7::bigint ELSE team_id END, "
    "hired_on = CASE WHEN $8::boolean THEN $9::date ELSE hired_on END, "
    "ramp_months = coalesce($10::int, ramp_months), active = coalesce($11::boolean, active), "
    "updated_at = now() WHERE org_id = $1 AND key = $2 RETURNING id, gf_rep_json(reps)"};

/* Resolves a team key of the org into *id (0 when team is NULL). Returns 0, or -1 with an
 * invalid error on field team when the org has no such team. */
static int team_id(int64_t org_id, const char *team, int64_t *id, gf_err *err)
{
    *id = 0;
    if (!team)
        return 0;
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_text(&a, team);
    PGresult *res = gf_db_exec_args(&rep_team_id, &a, err);
    if (!res)
        return -1;
    int rc = 0;
    if (PQntuples(res) == 0)
        rc = gf_err_invalid(err, "team", "team %s is not a team of this org", team);
    else
        *id = gf_db_int64(res, 0, 0);
    PQclear(res);
    return rc;
}

/* Appends the team id that team_id found for team, or SQL NULL when there is no team. */
static void arg_team(gf_db_args *a, const char *team, int64_t id)
{
    if (team)
        gf_db_arg_i64(a, id);
    else
        gf_db_arg_null(a);
}

json_t *gf_store_rep_create(int64_t org_id, const gf_rep_fields *f, gf_err *err)
{
    int64_t tid;
    if (team_id(org_id, f->team, &tid, err) < 0)
        return NULL;
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_text(&a, f->key);
    gf_db_arg_text(&a, f->name);
    gf_db_arg_text(&a, f->email);
    arg_team(&a, f->team, tid);
    gf_db_arg_text(&a, f->hired_on);
    gf_db_arg_text(&a, f->ramp_months);
    gf_db_arg_text(&a, f->active);
    json_t *rep = gf_db_one_json(&rep_insert, &a, 1, "rep", NULL, err);
    if (!rep && err->code == GF_ECONFLICT)
        gf_err_set(err, GF_ECONFLICT, NULL, "key", "a rep with key %s already exists", f->key);
    return rep;
}

json_t *gf_store_rep_get(int64_t org_id, const char *key, gf_err *err)
{
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_text(&a, key);
    return gf_db_one_json(&rep_select, &a, 1, "rep", NULL, err);
}

json_t *gf_store_rep_list(int64_t org_id, int limit, int64_t after, const char *team,
                          const char *active, gf_err *err)
{
    int64_t tid;
    if (team_id(org_id, team, &tid, err) < 0)
        return NULL;
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_i64(&a, after);
    arg_team(&a, team, tid);
    gf_db_arg_text(&a, active);
    return gf_db_list(&rep_page, &a, 0, 1, limit, err);
}

json_t *gf_store_rep_patch(int64_t org_id, const char *key, const gf_rep_fields *f, gf_err *err)
{
    const char *team = f->has_team ? f->team : NULL;
    int64_t tid;
    if (team_id(org_id, team, &tid, err) < 0) {
        /* An unknown rep is a not-found whatever else is wrong with the request. */
        json_t *rep = err->code == GF_EINVALID ? gf_store_rep_get(org_id, key, err) : NULL;
        if (rep) {
            json_decref(rep);
            gf_err_invalid(err, "team", "team %s is not a team of this org", f->team);
        }
        return NULL;
    }
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_text(&a, key);
    gf_db_arg_text(&a, f->name);
    gf_db_arg_bool(&a, f->has_email);
    gf_db_arg_text(&a, f->email);
    gf_db_arg_bool(&a, f->has_team);
    arg_team(&a, team, tid);
    gf_db_arg_bool(&a, f->has_hired_on);
    gf_db_arg_text(&a, f->hired_on);
    gf_db_arg_text(&a, f->ramp_months);
    gf_db_arg_text(&a, f->active);
    return gf_db_one_json(&rep_update, &a, 1, "rep", NULL, err);
}

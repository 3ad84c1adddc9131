/* teams.c — the org's team hierarchy: create, read, list, rename and move.
 *
 * A move that would put a team under itself or one of its descendants is refused, so the
 * hierarchy stays a forest. Moves of one org are serialised by an advisory lock, so two
 * concurrent moves cannot build a cycle that neither saw. */
#include "db.h"
#include "gapforge/store.h"
#include "keyed.h"

#define TEAM_LOCK_CLASS "71002"

static const gf_stmt team_lock = {"team_lock", "SELECT pg_advisory_xact_lock(" TEAM_LOCK_CLASS
                                               ", ($1::bigint % 2147483647)::int)"};

/* Inserts nothing (no row) when $4 names no team of the org. */
static const gf_stmt team_insert = {
    "team_insert",
    "WITH p AS (SELECT id FROM teams WHERE org_id = $1 AND key = $4) "
    "INSERT INTO teams (org_id, key, name, parent_id) "
    "SELECT $1, $2, $3, (SELECT id FROM p) WHERE $4::text IS NULL OR EXISTS (SELECT 1 FROM p) "
    "RETURNING id, gf_team_json(teams)"};

static const gf_stmt team_select = {
    "team_select", "SELECT t.id, gf_team_json(t) FROM teams t WHERE t.org_id = $1 AND t.key = $2"};

static const gf_stmt team_page = {
    "team_page", "SELECT gf_team_json(t), t.id FROM teams t WHERE t.org_id = $1 AND t.id > $2 "
                 "ORDER BY t.id LIMIT $3"};

/* True when team $2 is $3 or one of its ancestors, i.e. making $2 the parent of $3 would close
 * a cycle. UNION (not UNION ALL) stops the walk even on a damaged hierarchy. */
static const gf_stmt team_would_cycle = {
    "team_would_cycle", "WITH RECURSIVE up(id) AS (SELECT $2::bigint "
                        "UNION SELECT t.parent_id FROM teams t JOIN up ON t.id = up.id "
                        "WHERE t.org_id = $1 AND t.parent_id IS NOT NULL) "
                        "SELECT EXISTS (SELECT 1 FROM up WHERE id = $3::bigint)"};

static const gf_stmt team_update = {
    "team_update",
    "UPDATE teams SET name = coalesce($3, name), "
    "parent_id = CASE WHEN $4::boolean THEN $5::bigint ELSE parent_id END, updated_at = now() "
    "WHERE org_id = $1 AND id = $2 RETURNING id, gf_team_json(teams)"};

json_t *gf_store_team_create(int64_t org_id, const char *key, const char *name, const char *parent,
                             gf_err *err)
{
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_text(&a, key);
    gf_db_arg_text(&a, name);
    gf_db_arg_text(&a, parent);
    json_t *team = gf_db_one_json(&team_insert, &a, 1, "team", NULL, err);
    if (!team && err->code == GF_ENOTFOUND)
        gf_err_invalid(err, "parent", "parent %s is not a team of this org", parent);
    else if (!team && err->code == GF_ECONFLICT)
        gf_err_set(err, GF_ECONFLICT, NULL, "key", "a team with key %s already exists", key);
    return team;
}

/* The team with key in the org, with its id in *id (when id is non-NULL); NULL with err. */
static json_t *team_by_key(int64_t org_id, const char *key, int64_t *id, gf_err *err)
{
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_text(&a, key);
    return gf_db_one_json(&team_select, &a, 1, "team", id, err);
}

json_t *gf_store_team_get(int64_t org_id, const char *key, gf_err *err)
{
    return team_by_key(org_id, key, NULL, err);
}

json_t *gf_store_team_list(int64_t org_id, int limit, int64_t after, gf_err *err)
{
    return gf_store__page(&team_page, org_id, limit, after, err);
}

/* Checks that parent_id may become the parent of team_id; 0, or -1 with an invalid error on
 * field parent or a database error. */
static int check_no_cycle(int64_t org_id, int64_t parent_id, int64_t team_id, const char *parent,
                          gf_err *err)
{
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_i64(&a, parent_id);
    gf_db_arg_i64(&a, team_id);
    PGresult *res = gf_db_exec_args(&team_would_cycle, &a, err);
    if (!res)
        return -1;
    int cycle = PQgetvalue(res, 0, 0)[0] == 't';
    PQclear(res);
    if (cycle)
        return gf_err_invalid(err, "parent", "parent %s is the team itself or one of its sub-teams",
                              parent);
    return 0;
}

json_t *gf_store_team_patch(int64_t org_id, const char *key, const char *name, bool set_parent,
                            const char *parent, gf_err *err)
{
    int64_t team_id = 0, parent_id = 0;
    json_t *found = NULL, *out = NULL;
    if (gf_db_begin(err) < 0)
        return NULL;
    gf_db_args lock = {0};
    gf_db_arg_i64(&lock, org_id);
    if (gf_db_run(&team_lock, &lock, err) < 0)
        goto cleanup;
    found = team_by_key(org_id, key, &team_id, err);
    if (!found)
        goto cleanup;
    if (set_parent && parent) {
        json_decref(found);
        found = team_by_key(org_id, parent, &parent_id, err);
        if (!found) {
            if (err->code == GF_ENOTFOUND)
                gf_err_invalid(err, "parent", "parent %s is not a team of this org", parent);
            goto cleanup;
        }
        if (check_no_cycle(org_id, parent_id, team_id, parent, err) < 0)
            goto cleanup;
    }
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_i64(&a, team_id);
    gf_db_arg_text(&a, name);
    gf_db_arg_bool(&a, set_parent);
    if (set_parent && parent)
        gf_db_arg_i64(&a, parent_id);
    else
        gf_db_arg_null(&a);
    out = gf_db_one_json(&team_update, &a, 1, "team", NULL, err);
    if (!out)
        goto cleanup;
    if (gf_db_commit(err) < 0) {
        json_decref(out);
        out = NULL;
    }
cleanup:
    if (!out)
        gf_db_rollback();
    json_decref(found);
    return out;
}

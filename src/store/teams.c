/* teams.c — the org's team hierarchy: create, read, list, rename and move.
 *
 * A move that would put a team under itself or one of its descendants is refused, so the
 * hierarchy stays a forest. Moves of one org are serialised by an advisory lock, so two
 * concurrent moves cannot build a cycle that neither saw. */
#include <stdio.h>

#include "db.h"
#include "gapforge/store.h"

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

/* Formats v into buf for a SQL parameter; returns buf. */
static const char *i64(int64_t v, char buf[24])
{
    snprintf(buf, 24, "%lld", (long long)v);
    return buf;
}

json_t *gf_store_team_create(int64_t org_id, const char *key, const char *name, const char *parent,
                             gf_err *err)
{
    char org[24];
    const char *p[] = {i64(org_id, org), key, name, parent};
    json_t *team = gf_db_one_json(&team_insert, 4, p, 1, "team", NULL, err);
    if (!team && err->code == GF_ENOTFOUND)
        gf_err_invalid(err, "parent", "parent %s is not a team of this org", parent);
    else if (!team && err->code == GF_ECONFLICT)
        gf_err_set(err, GF_ECONFLICT, NULL, "key", "a team with key %s already exists", key);
    return team;
}

json_t *gf_store_team_get(int64_t org_id, const char *key, gf_err *err)
{
    char org[24];
    const char *p[] = {i64(org_id, org), key};
    return gf_db_one_json(&team_select, 2, p, 1, "team", NULL, err);
}

json_t *gf_store_team_list(int64_t org_id, int limit, int64_t after, gf_err *err)
{
    char org[24], aft[24], lim[24];
    const char *p[] = {i64(org_id, org), i64(after, aft), i64(limit + 1, lim)};
    PGresult *res = gf_db_exec(&team_page, 3, p, err);
    if (!res)
        return NULL;
    json_t *page = gf_db_page(res, 0, 1, limit);
    PQclear(res);
    return page;
}

/* Checks that parent_id may become the parent of team_id; 0, or -1 with a 422 or db error. */
static int check_no_cycle(const char *org, int64_t parent_id, int64_t team_id, const char *parent,
                          gf_err *err)
{
    char pid[24], tid[24];
    const char *p[] = {org, i64(parent_id, pid), i64(team_id, tid)};
    PGresult *res = gf_db_exec(&team_would_cycle, 3, p, err);
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
    char org[24], tid[24], pid[24];
    int64_t team_id = 0, parent_id = 0;
    json_t *found = NULL, *out = NULL;
    i64(org_id, org);
    if (gf_db_begin(err) < 0)
        return NULL;
    const char *lock[] = {org};
    PGresult *res = gf_db_exec(&team_lock, 1, lock, err);
    if (!res)
        goto cleanup;
    PQclear(res);
    const char *me[] = {org, key};
    if (!(found = gf_db_one_json(&team_select, 2, me, 1, "team", &team_id, err)))
        goto cleanup;
    if (set_parent && parent) {
        const char *par[] = {org, parent};
        json_decref(found);
        if (!(found = gf_db_one_json(&team_select, 2, par, 1, "team", &parent_id, err))) {
            if (err->code == GF_ENOTFOUND)
                gf_err_invalid(err, "parent", "parent %s is not a team of this org", parent);
            goto cleanup;
        }
        if (check_no_cycle(org, parent_id, team_id, parent, err) < 0)
            goto cleanup;
    }
    const char *p[] = {org, i64(team_id, tid), name, set_parent ? "true" : "false",
                       set_parent && parent ? i64(parent_id, pid) : NULL};
    if (!(out = gf_db_one_json(&team_update, 5, p, 1, "team", NULL, err)))
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

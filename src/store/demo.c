/* demo.c — the few inserts the demo loader needs beyond the deal write path: stages, teams
 * and reps of a fresh demo org. Existing keys are kept, so loading never clobbers an org. */
#include <stdio.h>

#include "gapforge/db.h"
#include "gapforge/store.h"

static const gf_stmt demo_stage = {
    "demo_stage",
    "INSERT INTO stages (org_id, key, name, position, kind, probability) "
    "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (org_id, key) DO NOTHING"};

static const gf_stmt demo_team = {
    "demo_team",
    "INSERT INTO teams (org_id, key, name, parent_id) "
    "VALUES ($1, $2, $3, (SELECT p.id FROM teams p WHERE p.org_id = $1 AND p.key = $4::text)) "
    "ON CONFLICT (org_id, key) DO NOTHING"};

static const gf_stmt demo_rep = {
    "demo_rep",
    "INSERT INTO reps (org_id, key, name, email, team_id, hired_on, ramp_months) "
    "VALUES ($1, $2, $3, $4, (SELECT t.id FROM teams t WHERE t.org_id = $1 AND t.key = $5::text), "
    "$6, $7) ON CONFLICT (org_id, key) DO NOTHING"};

/* Runs a statement that returns no rows; 0 or -1. */
static int run(const gf_stmt *st, int n, const char *const *p, gf_err *err)
{
    PGresult *res = gf_db_exec(st, n, p, err);
    if (!res)
        return -1;
    PQclear(res);
    return 0;
}

int gf_store_demo_stage(int64_t org_id, const char *key, const char *name, int position,
                        const char *kind, const char *probability, gf_err *err)
{
    char org[24], pos[16];
    snprintf(org, sizeof org, "%lld", (long long)org_id);
    snprintf(pos, sizeof pos, "%d", position);
    const char *p[] = {org, key, name, pos, kind, probability};
    return run(&demo_stage, 6, p, err);
}

int gf_store_demo_team(int64_t org_id, const char *key, const char *name,
                       const char *parent_key, gf_err *err)
{
    char org[24];
    snprintf(org, sizeof org, "%lld", (long long)org_id);
    const char *p[] = {org, key, name, parent_key};
    return run(&demo_team, 4, p, err);
}

int gf_store_demo_rep(int64_t org_id, const char *key, const char *name, const char *email,
                      const char *team_key, const char *hired_on, int ramp_months, gf_err *err)
{
    char org[24], ramp[16];
    snprintf(org, sizeof org, "%lld", (long long)org_id);
    snprintf(ramp, sizeof ramp, "%d", ramp_months);
    const char *p[] = {org, key, name, email, team_key, hired_on, ramp};
    return run(&demo_rep, 7, p, err);
}

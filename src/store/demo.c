/* demo.c — the few inserts the demo loader needs beyond the deal write path: stages, teams
 * and reps of a fresh demo org. Existing keys are kept, so loading never clobbers an org. */
#include <stdlib.h>

#include "db.h"
#include "gapforge/store.h"

static const gf_stmt demo_stage = {
    "demo_stage", "INSERT INTO stages (org_id, key, name, position, kind, probability) "
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

int gf_store_demo_stage(int64_t org_id, const char *key, const char *name, int position,
                        const char *kind, const char *probability, gf_err *err)
{
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_text(&a, key);
    gf_db_arg_text(&a, name);
    gf_db_arg_i64(&a, position);
    gf_db_arg_text(&a, kind);
    gf_db_arg_text(&a, probability);
    return gf_db_run(&demo_stage, &a, err);
}

int gf_store_demo_team(int64_t org_id, const char *key, const char *name, const char *parent_key,
                       gf_err *err)
{
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_text(&a, key);
    gf_db_arg_text(&a, name);
    gf_db_arg_text(&a, parent_key);
    return gf_db_run(&demo_team, &a, err);
}

int gf_store_demo_rep(int64_t org_id, const char *key, const char *name, const char *email,
                      const char *team_key, const char *hired_on, int ramp_months, gf_err *err)
{
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_text(&a, key);
    gf_db_arg_text(&a, name);
    gf_db_arg_text(&a, email);
    gf_db_arg_text(&a, team_key);
    gf_db_arg_text(&a, hired_on);
    gf_db_arg_i64(&a, ramp_months);
    return gf_db_run(&demo_rep, &a, err);
}

/* ---- bulk rows: COPY into a staging table, then one set-based insert ---- */

/* A staging table, the COPY into it and the insert that moves its rows into the org. The
 * staging table is dropped afterwards, so each kind may be copied more than once. */
typedef struct bulk_kind {
    gf_stmt create, copy, merge, drop;
} bulk_kind;

static const bulk_kind bulk[] = {
    [GF_DEMO_T_DEALS] =
        {{"demo_deals_create",
          "CREATE TEMP TABLE demo_deals_stage (seq bigint, external_id text, name text, "
          "account text, owner text, amount text, stage text, category text, source text, "
          "created_on text, close_date text, closed_on text) ON COMMIT DROP"},
         {"demo_deals_copy", "COPY demo_deals_stage FROM STDIN"},
         {"demo_deals_merge",
          "INSERT INTO deals (org_id, external_id, name, account, owner_id, amount, stage_id, "
          "category, source, created_on, close_date, closed_on) "
          "SELECT $1, s.external_id, s.name, s.account, r.id, s.amount::numeric(18,2), st.id, "
          "s.category, s.source, s.created_on::date, s.close_date::date, s.closed_on::date "
          "FROM demo_deals_stage s JOIN stages st ON st.org_id = $1 AND st.key = s.stage "
          "LEFT JOIN reps r ON r.org_id = $1 AND r.key = s.owner ORDER BY s.seq"},
         {"demo_deals_drop", "DROP TABLE demo_deals_stage"}},
    [GF_DEMO_T_EVENTS] =
        {{"demo_events_create",
          "CREATE TEMP TABLE demo_events_stage (seq bigint, external_id text, at_local text, "
          "field text, old_value text, new_value text) ON COMMIT DROP"},
         {"demo_events_copy", "COPY demo_events_stage FROM STDIN"},
         {"demo_events_merge",
          "INSERT INTO deal_events (org_id, deal_id, at, field, old_value, new_value) "
          "SELECT $1, d.id, s.at_local::timestamp AT TIME ZONE o.time_zone, s.field, "
          "s.old_value, s.new_value FROM demo_events_stage s "
          "JOIN deals d ON d.org_id = $1 AND d.external_id = s.external_id "
          "JOIN orgs o ON o.id = $1 ORDER BY s.seq"},
         {"demo_events_drop", "DROP TABLE demo_events_stage"}},
    [GF_DEMO_T_TARGETS] =
        {{"demo_targets_create",
          "CREATE TEMP TABLE demo_targets_stage (seq bigint, scope text, metric text, "
          "period text, period_start text, period_end text, value text) ON COMMIT DROP"},
         {"demo_targets_copy", "COPY demo_targets_stage FROM STDIN"},
         {"demo_targets_merge",
          "INSERT INTO targets (org_id, scope, team_id, rep_id, metric, kpi_id, period, "
          "period_start, period_end, value) "
          "SELECT $1, s.scope, t.id, r.id, s.metric, k.id, s.period, s.period_start::date, "
          "s.period_end::date, s.value::float8::numeric FROM demo_targets_stage s "
          "LEFT JOIN teams t ON t.org_id = $1 AND s.scope = 'team:' || t.key "
          "LEFT JOIN reps r ON r.org_id = $1 AND s.scope = 'rep:' || r.key "
          "LEFT JOIN kpis k ON k.org_id = $1 AND k.key = s.metric ORDER BY s.seq "
          "ON CONFLICT (org_id, scope, metric, period_start, period_end) DO NOTHING"},
         {"demo_targets_drop", "DROP TABLE demo_targets_stage"}},
    [GF_DEMO_T_COMMITS] =
        {{"demo_commits_create",
          "CREATE TEMP TABLE demo_commits_stage (seq bigint, scope text, period text, "
          "period_start text, period_end text, commit_amount text, best_case text, "
          "submitted_local text) ON COMMIT DROP"},
         {"demo_commits_copy", "COPY demo_commits_stage FROM STDIN"},
         {"demo_commits_merge",
          "INSERT INTO commits (org_id, scope, team_id, rep_id, period, period_start, "
          "period_end, commit_amount, best_case, submitted_at) "
          "SELECT $1, s.scope, t.id, r.id, s.period, s.period_start::date, s.period_end::date, "
          "s.commit_amount::numeric(18,2), s.best_case::numeric(18,2), "
          "s.submitted_local::timestamp AT TIME ZONE o.time_zone FROM demo_commits_stage s "
          "JOIN orgs o ON o.id = $1 "
          "LEFT JOIN teams t ON t.org_id = $1 AND s.scope = 'team:' || t.key "
          "LEFT JOIN reps r ON r.org_id = $1 AND s.scope = 'rep:' || r.key ORDER BY s.seq"},
         {"demo_commits_drop", "DROP TABLE demo_commits_stage"}},
};

/* Sends rows through the COPY the caller started and finishes it; 0 or -1 with err. */
static int send_copy(const char *rows, size_t len, gf_err *err)
{
    PGconn *pg = gf_db_conn(err);
    if (!pg)
        return -1;
    int rc = 0;
    for (size_t off = 0; off < len && rc == 0;) {
        size_t n = len - off < (1u << 20) ? len - off : (1u << 20);
        if (PQputCopyData(pg, rows + off, (int)n) != 1)
            rc = -1;
        off += n;
    }
    if (PQputCopyEnd(pg, rc == 0 ? NULL : "demo load aborted") != 1)
        rc = -1;
    /* A failure to send is what err reports; else the first failing result. */
    int drained = gf_db_drain(pg, rc == 0 ? err : NULL);
    if (rc < 0)
        gf_db_fail(NULL, pg, err);
    return rc < 0 || drained < 0 ? -1 : 0;
}

int gf_store_demo_copy(int64_t org_id, gf_demo_table table, const char *rows, size_t len,
                       long *inserted, gf_err *err)
{
    const bulk_kind *k = &bulk[table];
    if (gf_db_run(&k->create, NULL, err) < 0 || gf_db_run(&k->copy, NULL, err) < 0 ||
        send_copy(rows, len, err) < 0)
        return -1;
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    PGresult *res = gf_db_exec_args(&k->merge, &a, err);
    if (!res)
        return -1;
    *inserted = strtol(PQcmdTuples(res), NULL, 10);
    PQclear(res);
    return gf_db_run(&k->drop, NULL, err);
}

/* store.h — all SQL of gapforge, one function per question or change, each scoped to an org.
 *
 * Functions return JSON documents built by PostgreSQL (new references owned by the caller) or
 * 0/-1 with err filled. No SQL is ever built from user input: every value is a parameter. */
#ifndef GAPFORGE_STORE_H
#define GAPFORGE_STORE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gapforge/err.h"
#include "gapforge/period.h"

/* ---- the database connection (src/store/db.c) ---- */
/* Sets the conninfo and statement timeout of every thread's connection. Call once, before any
 * other store function. */
void gf_store_configure(const char *conninfo, int statement_timeout_ms);
/* The org this thread works for from now on (0: none): its transactions see and write that
 * org's rows only (row-level security, migration 0017). The API sets it after authentication, a
 * scheduler for each org it visits. */
void gf_store_set_org(int64_t org_id);
int64_t gf_store_org(void);
/* Whether the role this process connects as is a superuser or has BYPASSRLS (row-level
 * security would then not hold for it). Returns 0, or -1 with err. */
int gf_store_role_bypasses_rls(bool *bypasses, gf_err *err) GF_MUST_CHECK;
/* GAPFORGE_PGBOUNCER: on, every connection works through PgBouncer in transaction pooling, even
 * one older than 1.21 — no startup options (the statement timeout and the import's settings are
 * set per transaction, TimeZone and DateStyle sent as the startup parameters PgBouncer tracks,
 * through libpq's PGTZ and PGDATESTYLE, which this sets), and unnamed statements instead of
 * prepared ones. Call once at start, before any thread connects. */
void gf_store_configure_pgbouncer(bool on);
/* Closes this thread's connection (also done when the thread exits); NULL-safe to repeat. */
void gf_store_disconnect(void);
/* A transaction on this thread's connection around several store calls. begin and commit return
 * 0 or a negative code with err (a failed commit has rolled back); rollback is a harmless no-op
 * when no transaction is open. */
int gf_store_begin(gf_err *err) GF_MUST_CHECK;
int gf_store_commit(gf_err *err) GF_MUST_CHECK;
void gf_store_rollback(void);
/* True when the database answers a trivial query now, on this thread's connection (for
 * readiness checks). */
bool gf_store_ping(void) GF_MUST_CHECK;

/* ---- orgs ---- */
typedef struct gf_org_fields {
    const char *slug, *name, *currency, *fiscal_year_start_month, *time_zone; /* NULL: default */
} gf_org_fields;

/* Creates an org; conflict when the slug is taken, invalid for an unknown time zone. */
json_t *gf_store_org_create(const gf_org_fields *f, int64_t *org_id, gf_err *err) GF_MUST_CHECK;
json_t *gf_store_org_get(int64_t org_id, gf_err *err) GF_MUST_CHECK;
/* Updates the non-NULL fields of f (slug is ignored). */
json_t *gf_store_org_patch(int64_t org_id, const gf_org_fields *f, gf_err *err) GF_MUST_CHECK;
/* Looks up an org id by slug; not found when absent. */
int gf_store_org_id(const char *slug, int64_t *org_id, gf_err *err) GF_MUST_CHECK;

/* ---- api keys ---- */
/* Creates a key with scopes given as a comma-separated list of read/write/admin. Returns the key
 * JSON including "secret" (the only time it is ever shown). */
json_t *gf_store_key_create(int64_t org_id, const char *name, const char *scopes_csv, gf_err *err)
    GF_MUST_CHECK;
/* A page of the org's keys (never secrets), ids greater than after. */
json_t *gf_store_key_list(int64_t org_id, int limit, int64_t after, gf_err *err) GF_MUST_CHECK;
/* Revokes a key of the org; not found when it is not the org's. Returns the key JSON. */
json_t *gf_store_key_revoke(int64_t org_id, int64_t key_id, gf_err *err) GF_MUST_CHECK;

/* Scope bits of a key as stored (the API maps them to what each route requires). */
#define GF_KEY_READ  1u
#define GF_KEY_WRITE 2u
#define GF_KEY_ADMIN 4u

/* Verifies a presented token. On success fills org id, slug, key id and GF_KEY_* bits;
 * returns -1 with an unauthenticated error for an unknown, malformed or revoked key (unavailable if
 * the database is down). */
int gf_store_key_verify(const char *token, int64_t *org_id, char slug[64], int64_t *key_id,
                        unsigned *scopes, gf_err *err) GF_MUST_CHECK;

/* ---- people: stages, teams, reps (src/store/stages.c, teams.c, reps.c) ---- */

/* One stage of a PUT /v1/stages list, as validated text (probability normalised). */
typedef struct gf_stage_fields {
    const char *key, *name, *kind, *probability;
} gf_stage_fields;

/* The org's stages ordered by position, as a JSON array of gf_stage_json objects. */
json_t *gf_store_stage_list(int64_t org_id, gf_err *err) GF_MUST_CHECK;

/* Replaces the org's stage list with items[0..n) (position = index) in one transaction: keys
 * already present keep their ids, missing keys are deleted. When a stage to delete is used by
 * any deal (soft-deleted ones included) nothing changes and err is a conflict naming field "items"
 * and the stage key. Returns the new list like gf_store_stage_list. */
json_t *gf_store_stage_replace(int64_t org_id, const gf_stage_fields *items, size_t n, gf_err *err)
    GF_MUST_CHECK;

/* Creates a team under parent (a team key of the org, or NULL for a root team). A conflict (field
 * key) when the key exists, invalid (field parent) for an unknown parent. Returns gf_team_json. */
json_t *gf_store_team_create(int64_t org_id, const char *key, const char *name, const char *parent,
                             gf_err *err) GF_MUST_CHECK;
/* The team with key in the org (gf_team_json); not found when absent. */
json_t *gf_store_team_get(int64_t org_id, const char *key, gf_err *err) GF_MUST_CHECK;
/* A page of the org's teams ordered by id, ids greater than after ({items, next_cursor}). */
json_t *gf_store_team_list(int64_t org_id, int limit, int64_t after, gf_err *err) GF_MUST_CHECK;
/* Updates name (when non-NULL) and, when set_parent, the parent (NULL: make it a root). Not found
 * for an unknown team; invalid (field parent) for an unknown parent or one making a cycle. */
json_t *gf_store_team_patch(int64_t org_id, const char *key, const char *name, bool set_parent,
                            const char *parent, gf_err *err) GF_MUST_CHECK;

/* A rep's fields as validated text. On create NULL means "default". On patch name, ramp_months
 * and active are unchanged when NULL; email, team and hired_on change only when their has_ flag
 * is set (a NULL value then clears them). */
typedef struct gf_rep_fields {
    const char *key, *name, *email, *team, *hired_on, *ramp_months, *active;
    bool has_email, has_team, has_hired_on;
} gf_rep_fields;

/* Creates a rep; conflict (field key) when the key exists, invalid (field team) for an unknown
 * team. Returns gf_rep_json. */
json_t *gf_store_rep_create(int64_t org_id, const gf_rep_fields *f, gf_err *err) GF_MUST_CHECK;
/* The rep with key in the org (gf_rep_json); not found when absent. */
json_t *gf_store_rep_get(int64_t org_id, const char *key, gf_err *err) GF_MUST_CHECK;
/* A page of the org's reps ordered by id. team (NULL: any) keeps reps of that team and its
 * sub-teams (invalid on field team when unknown); active ("true"/"false"/NULL) filters on it. */
json_t *gf_store_rep_list(int64_t org_id, int limit, int64_t after, const char *team,
                          const char *active, gf_err *err) GF_MUST_CHECK;
/* Applies the patch f to the rep with key; not found when absent, invalid (field team) for an
 * unknown team. */
json_t *gf_store_rep_patch(int64_t org_id, const char *key, const gf_rep_fields *f, gf_err *err)
    GF_MUST_CHECK;

/* ---- deals ---- */
/* The fields of a deal as a client gives them, in one order shared by the API's validation
 * table and the bulk importer. */
typedef enum gf_deal_field {
    GF_DEAL_EXTERNAL_ID,
    GF_DEAL_NAME,
    GF_DEAL_ACCOUNT,
    GF_DEAL_OWNER,      /* rep key */
    GF_DEAL_AMOUNT,     /* "123.45" */
    GF_DEAL_STAGE,      /* stage key */
    GF_DEAL_CATEGORY,   /* pipeline / best_case / commit / omitted */
    GF_DEAL_SOURCE,     /* marketing / sales / partner / other */
    GF_DEAL_CREATED_ON, /* dates are "YYYY-MM-DD" */
    GF_DEAL_CLOSE_DATE,
    GF_DEAL_CLOSED_ON,
    GF_DEAL_EFFECTIVE_AT, /* when the change happened: a date or RFC 3339; default now */
    GF_DEAL_NFIELDS
} gf_deal_field;

/* A write to one deal as plain text values, normalised as gf_validate produces them. A field
 * that is not given keeps its current value (or its default on creation); a given field whose
 * value is NULL is cleared. */
typedef struct gf_deal_input {
    const char *value[GF_DEAL_NFIELDS];
    bool given[GF_DEAL_NFIELDS];
} gf_deal_input;

typedef enum gf_deal_mode {
    GF_DEAL_CREATE, /* a new deal; a conflict on field external_id when the external id is taken */
    GF_DEAL_UPSERT, /* by external_id: create, update, or restore a soft-deleted deal */
    GF_DEAL_PATCH,  /* the live deal with the given id; not found otherwise */
} gf_deal_mode;

typedef enum gf_deal_outcome {
    GF_DEAL_CREATED,
    GF_DEAL_UPDATED,
    GF_DEAL_UNCHANGED, /* nothing differed: no row, no event and no updated_at was written */
} gf_deal_outcome;

/* Applies one write inside the caller's open transaction (gf_db_begin): locks the current row,
 * merges the input into it, keeps closed_on in step with the stage (entering a won or lost stage
 * sets it to the given closed_on or the effective date; an open stage clears it) and appends one
 * deal_events row per changed tracked field (stage, amount, close_date, category, owner,
 * deleted) at the effective time. deal_id is used by GF_DEAL_PATCH only. Sets *id and *outcome.
 * Returns 0, or -1 with err: invalid, naming the field (unknown owner or stage, closed_on on an
 * open deal, missing required field), not found, conflict; the caller then rolls back. */
int gf_store_deal_write_tx(int64_t org_id, int64_t deal_id, gf_deal_mode mode,
                           const gf_deal_input *in, int64_t *id, gf_deal_outcome *outcome,
                           gf_err *err) GF_MUST_CHECK;

/* gf_store_deal_write_tx in its own transaction. Returns the deal JSON (caller owns it) and
 * sets *outcome, or NULL with err (nothing was written). */
json_t *gf_store_deal_write(int64_t org_id, int64_t deal_id, gf_deal_mode mode,
                            const gf_deal_input *in, gf_deal_outcome *outcome, gf_err *err)
    GF_MUST_CHECK;

/* Soft-deletes a live deal of the org at effective_at (NULL: now) and records a "deleted"
 * event. Returns the deal JSON as it was deleted, or NULL with err (not found when there is no live
 * deal). */
json_t *gf_store_deal_delete(int64_t org_id, int64_t deal_id, const char *effective_at, gf_err *err)
    GF_MUST_CHECK;

/* A live deal of the org by id or by external id; not found otherwise. */
json_t *gf_store_deal_get(int64_t org_id, int64_t deal_id, gf_err *err) GF_MUST_CHECK;
json_t *gf_store_deal_get_external(int64_t org_id, const char *external_id, gf_err *err)
    GF_MUST_CHECK;

/* {"items": [{id, at, field, old, new}, ...]} ordered by (at, id) for a deal of the org, also
 * once it is soft-deleted; not found when the org has no such deal. */
json_t *gf_store_deal_history(int64_t org_id, int64_t deal_id, gf_err *err) GF_MUST_CHECK;

/* Filters of the deal list; NULL means "any". Values are already validated. team includes
 * its sub-teams; close_from/close_to are inclusive dates; updated_since is inclusive. */
typedef struct gf_deal_filter {
    const char *status, *stage, *owner, *team, *close_from, *close_to, *updated_since;
} gf_deal_filter;

/* A page of the org's live deals with ids greater than after, ordered by id:
 * {"items": [...], "next_cursor": "id" | null}. */
json_t *gf_store_deal_list(int64_t org_id, const gf_deal_filter *f, int limit, int64_t after,
                           gf_err *err) GF_MUST_CHECK;

/* Number of deals of the org, deleted ones included (for the demo loader). */
int gf_store_deal_count(int64_t org_id, int64_t *count, gf_err *err) GF_MUST_CHECK;

/* ---- demo org set-up (src/store/demo.c) ---- */
/* Insert one stage, team or rep of the org for the demo loader, in the caller's transaction;
 * a key the org already has is left as it is. parent_key and team_key may be NULL; team and
 * parent keys must already exist. Return 0 or -1 with err. */
int gf_store_demo_stage(int64_t org_id, const char *key, const char *name, int position,
                        const char *kind, const char *probability, gf_err *err) GF_MUST_CHECK;
int gf_store_demo_team(int64_t org_id, const char *key, const char *name, const char *parent_key,
                       gf_err *err) GF_MUST_CHECK;
int gf_store_demo_rep(int64_t org_id, const char *key, const char *name, const char *email,
                      const char *team_key, const char *hired_on, int ramp_months, gf_err *err)
    GF_MUST_CHECK;
/* Bulk rows of a demo org, in COPY text format (tab-separated columns, \N for NULL, one row a
 * line, the first column a sequence number that orders the insert). Columns per table:
 *   DEALS:   seq, external_id, name, account, owner key, amount, stage key, category, source,
 *            created_on, close_date, closed_on
 *   EVENTS:  seq, external_id, at (local "YYYY-MM-DD HH:MM:SS" in the org's time zone), field,
 *            old, new — rows are inserted in seq order, so ids follow it
 *   TARGETS: seq, scope, metric (bookings or a KPI key), period name, start, end, value
 *   COMMITS: seq, scope, period name, start, end, commit, best_case, submitted_at (local)
 * Teams, reps, stages and KPIs named must exist. Runs in the caller's transaction; sets
 * *inserted. Returns 0 or -1 with err (the caller rolls back). */
typedef enum gf_demo_table {
    GF_DEMO_T_DEALS,
    GF_DEMO_T_EVENTS,
    GF_DEMO_T_TARGETS,
    GF_DEMO_T_COMMITS
} gf_demo_table;
int gf_store_demo_copy(int64_t org_id, gf_demo_table table, const char *rows, size_t len,
                       long *inserted, gf_err *err) GF_MUST_CHECK;

/* ---- inputs: calendar, scopes, targets, commits, KPIs, levers (src/store/inputs.c, ...) ---- */

/* The org's fiscal year start month and today's date (a day number) in the org's time zone. */
int gf_store_org_calendar(int64_t org_id, int *fysm, int *today, gf_err *err) GF_MUST_CHECK;

/* The team or rep a scope text names: "org" (both empty), "team:KEY" or "rep:KEY". Ids are
 * decimal text, "" when not applicable. Returns 0, or -1 with an invalid error naming field when
 * the text is malformed or the team or rep is not the org's. */
typedef struct gf_scope_ids {
    char team_id[24], rep_id[24];
} gf_scope_ids;
int gf_store_scope_resolve(int64_t org_id, const char *scope, const char *field, gf_scope_ids *ids,
                           gf_err *err) GF_MUST_CHECK;

/* Targets. value is a non-negative number as text. metric is "bookings" or a KPI key of the org
 * (invalid metric otherwise); an unknown team or rep is an invalid error on scope. Upserts by
 * (scope, metric, period days) and returns the target JSON. */
typedef struct gf_target_fields {
    const char *scope, *metric, *value;
    const gf_period *period;
} gf_target_fields;
json_t *gf_store_target_put(int64_t org_id, const gf_target_fields *f, gf_err *err) GF_MUST_CHECK;
/* A page of the org's targets by id; each filter may be NULL. */
json_t *gf_store_target_list(int64_t org_id, const char *scope, const char *metric,
                             const gf_period *period, int limit, int64_t after, gf_err *err)
    GF_MUST_CHECK;

/* Commits. Money as text; best_case >= commit (invalid best_case); notes and submitted_at (date or
 * RFC 3339, default now) may be NULL. Returns the new commit JSON. */
typedef struct gf_commit_fields {
    const char *scope, *commit, *best_case, *notes, *submitted_at;
    const gf_period *period;
} gf_commit_fields;
json_t *gf_store_commit_create(int64_t org_id, const gf_commit_fields *f, gf_err *err)
    GF_MUST_CHECK;
/* A page of commits, newest submitted_at first; after is the id of the previous page's last
 * item. Filters may be NULL. */
json_t *gf_store_commit_list(int64_t org_id, const char *scope, const gf_period *period, int limit,
                             int64_t after, gf_err *err) GF_MUST_CHECK;

/* KPIs. leads_to and lag_days are both NULL or both set; leads_to is "bookings" or another KPI
 * of the org (invalid leads_to.metric otherwise). Upserts by key; *created tells which. */
typedef struct gf_kpi_fields {
    const char *key, *name, *unit, *direction, *aggregation, *bucket, *leads_to, *lag_days;
} gf_kpi_fields;
json_t *gf_store_kpi_put(int64_t org_id, const gf_kpi_fields *f, int *created, gf_err *err)
    GF_MUST_CHECK;
json_t *gf_store_kpi_get(int64_t org_id, const char *key, gf_err *err) GF_MUST_CHECK;
json_t *gf_store_kpi_list(int64_t org_id, int limit, int64_t after, gf_err *err) GF_MUST_CHECK;
/* The id of the org's KPI key; -1 with a not-found error when there is none. */
int gf_store_kpi_id(int64_t org_id, const char *key, int64_t *id, gf_err *err) GF_MUST_CHECK;
/* Upserts n observations (days as day numbers, finite values, no day twice) in one statement:
 * all or nothing. Returns {"inserted", "updated", "unchanged"}; not found for an unknown KPI. */
json_t *gf_store_kpi_observe(int64_t org_id, const char *key, size_t n, const int *days,
                             const double *values, gf_err *err) GF_MUST_CHECK;
/* A page of observations by date ascending within [from, to] (either may be NULL); after is
 * the id of the previous page's last item. Not found for an unknown KPI. */
json_t *gf_store_kpi_observations(int64_t org_id, const char *key, const char *from, const char *to,
                                  int limit, int64_t after, gf_err *err) GF_MUST_CHECK;

/* A KPI's definition and its observations dated before `before` (ascending), as a KPI forecast
 * reads them. Free with gf_store_kpi_series_free. */
typedef struct gf_store_kpi_series {
    int64_t id;
    char key[72], name[208], unit[40];
    char direction[24];  /* higher_is_better or lower_is_better */
    char aggregation[8]; /* sum, mean or last */
    char bucket[8];      /* day or week */
    int has_any;         /* 1 when the KPI has any observation at all ... */
    int first_day;       /* ... and the day of its first one (before or not) */
    size_t n;
    int *days;
    double *values;
} gf_store_kpi_series;
/* Loads the org's KPI key into *out. Returns 0, or -1 with err (not found for an unknown KPI,
 * unavailable when the database is down); *out then holds nothing to free. */
int gf_store_kpi_series_load(int64_t org_id, const char *key, int before, gf_store_kpi_series *out,
                             gf_err *err) GF_MUST_CHECK;
/* Frees the series' arrays; NULL-safe. */
void gf_store_kpi_series_free(gf_store_kpi_series *s);
/* The target of scope for the KPI metric and exactly period: *found 0 (and *value 0) when there
 * is none. Returns 0 or -1 with err. */
int gf_store_kpi_target(int64_t org_id, const char *scope, const char *metric,
                        const gf_period *period, int *found, double *value, gf_err *err)
    GF_MUST_CHECK;

/* Levers. Values as normalised text; kpi is the key of the org's KPI for kind kpi (invalid kpi when
 * unknown), NULL otherwise. Upserts by key; *created tells which. */
typedef struct gf_lever_fields {
    const char *key, *name, *kind, *effect, *unit_cost, *max_units, *ramp_days, *kpi, *notes;
} gf_lever_fields;
json_t *gf_store_lever_put(int64_t org_id, const gf_lever_fields *f, int *created, gf_err *err)
    GF_MUST_CHECK;
json_t *gf_store_lever_get(int64_t org_id, const char *key, gf_err *err) GF_MUST_CHECK;
json_t *gf_store_lever_list(int64_t org_id, int limit, int64_t after, gf_err *err) GF_MUST_CHECK;
/* Deletes the org's lever; -1 with a not-found error when there is none. */
int gf_store_lever_delete(int64_t org_id, const char *key, gf_err *err) GF_MUST_CHECK;

/* ---- scenarios and plans (src/store/scenarios.c) ---- */
/* The org's currency (ISO code) into currency. Returns 0 or -1 with err (not found for an unknown
 * org). */
int gf_store_org_currency(int64_t org_id, char currency[8], gf_err *err) GF_MUST_CHECK;
/* One lever of the org as C values, with the KPI it moves (for kind kpi). */
typedef struct gf_store_lever {
    char key[72];
    char name[208]; /* cut at a character boundary when longer (names hold up to 200 characters) */
    char kind[24];  /* win_rate, deal_size, pipeline, slippage, pull_forward, headcount, kpi, ... */
    double effect;
    int64_t unit_cost_cents; /* exact: read from the numeric text, never through a double */
    uint32_t max_units;
    int32_t ramp_days;
    char kpi[72];          /* the KPI's key, "" when none */
    char kpi_leads_to[72]; /* the KPI's leads_to metric, "" when none */
    int kpi_bucket_days;   /* the KPI's bucket: 1 day, 7 week, 0 when there is no KPI */
} gf_store_lever;
/* Every lever of the org, ordered by key, into *rows (n of them; malloc'd, never NULL on
 * success: the caller frees it with free()). Returns 0, or -1 with err (*rows NULL, *n 0); a unit
 * cost that is not exact money text is an internal error. */
int gf_store_lever_rows(int64_t org_id, gf_store_lever **rows, size_t *n, gf_err *err)
    GF_MUST_CHECK;
/* The first (by key) KPI of the org leading to bookings (leads_to bookings, aggregation sum)
 * with observations in both windows [days[0], days[1]] and [days[2], days[3]]: its key and the
 * sums of its values over each window. *found 0 when there is none. Returns 0 or -1 with err. */
int gf_store_leading_kpi(int64_t org_id, const int days[4], char key[72], double sums[2],
                         int *found, gf_err *err) GF_MUST_CHECK;

/* ---- pipeline waterfall (src/store/pipeline.c) ---- */
/* What GET /v1/pipeline/changes asks: the period, the two days (day numbers, from < to), the
 * scope (ids as gf_store_scope_resolve gives them) and whether to list each deal. */
typedef struct gf_pipeline_query {
    const gf_period *period;
    int from, to;
    gf_scope_ids scope;
    bool explain;
} gf_pipeline_query;

/* The waterfall from the in-period open pipeline at the end of day `from` to the one at the end
 * of day `to`, rebuilt from deal_events: {"currency", "buckets": {...}, "deals": [...] (only when
 * explain)} — openapi.yaml defines every bucket. New reference, or NULL with err (unavailable when
 * the database is down). */
json_t *gf_store_pipeline_changes(int64_t org_id, const gf_pipeline_query *q, gf_err *err)
    GF_MUST_CHECK;

/* ---- forecasts (src/store/forecast.c) ---- */

/* The newest commit of scope for exactly period submitted by the end of day `through` in the org's
 * time zone (a forecast as of a day shows the call as it stood then: that day's commits count)
 * (gf_commit_json), JSON null when none; NULL with err on failure. New reference. */
json_t *gf_store_forecast_latest_commit(int64_t org_id, const char *scope, const gf_period *period,
                                        int through, gf_err *err) GF_MUST_CHECK;
/* The bookings target of scope for exactly period, in exact cents (a value with more than two
 * decimals rounds half away from zero): *found 0 (and *cents 0) when there is none. Returns 0,
 * or -1 with err (internal for a stored value beyond the int64 range of cents). */
int gf_store_forecast_target_cents(int64_t org_id, const char *scope, const gf_period *period,
                                   int *found, int64_t *cents, gf_err *err) GF_MUST_CHECK;
/* A forecast snapshot from C values (borrowed for the call). */
typedef struct gf_store_snapshot {
    const char *scope;
    const gf_period *period;
    int as_of; /* day number */
    int64_t p10_cents, p50_cents, p90_cents, expected_cents;
    int has_target; /* 0: no target, and then no prob_hit either */
    int64_t target_cents;
    double prob_hit;
    const char *model_version;
    const char *forecast_json; /* the full answer, JSON text */
} gf_store_snapshot;
/* Stores a snapshot: money as exact "units.cents" text, prob_hit with %.17g, target and prob_hit
 * SQL NULL without a target. Returns its JSON (gf_forecast_snapshot_json; new reference) or NULL
 * with err. */
json_t *gf_store_snapshot_insert(int64_t org_id, const gf_store_snapshot *s, gf_err *err)
    GF_MUST_CHECK;
/* ---- the accuracy ledger (src/store/accuracy.c) ---- */

/* One stored forecast of a period: its day and quantiles in cents. */
typedef struct gf_store_snapshot_point {
    int as_of;
    int64_t p10_cents, p50_cents, p90_cents;
} gf_store_snapshot_point;
/* The scope's snapshots of exactly period made on or before its last day, oldest first (*pts
 * malloc'd). */
int gf_store_accuracy_snapshots(int64_t org_id, const char *scope, const gf_period *period,
                                gf_store_snapshot_point **pts, size_t *n, gf_err *err)
    GF_MUST_CHECK;
/* The scope's call for the period before local midnight of day `before`: its own latest commit
 * (*own 1), else the sum of the latest commits of its reps (*own 0); *found 0 when neither. */
int gf_store_accuracy_commit(int64_t org_id, const char *scope, const gf_period *period, int before,
                             int *found, int *own, int64_t *cents, gf_err *err) GF_MUST_CHECK;
/* The manager's call for the period as it stood before local midnight of day `before`: the
 * latest adjustment made then, its value and author (*found 0 when none). */
int gf_store_accuracy_manager(int64_t org_id, const char *scope, const gf_period *period,
                              int before, int *found, int64_t *cents, char *author,
                              size_t author_cap, gf_err *err) GF_MUST_CHECK;
/* What the scope won in the period, as the deals stand now (won, closed inside it), in cents.
 * Invalid naming `scope` for a scope that is not the org's. */
int gf_store_accuracy_actual(int64_t org_id, const char *scope, const gf_period *period,
                             int64_t *cents, gf_err *err) GF_MUST_CHECK;

/* ---- the daily snapshots (src/store/snapshot_runs.c) ---- */

/* Every org's id, ascending (the scheduler's own walk; no tenant sees it). *ids is malloc'd. */
int gf_store_snapshot_orgs(int64_t **ids, size_t *n, gf_err *err) GF_MUST_CHECK;
/* The org's team keys, ascending; free with gf_store_snapshot_team_keys_free. */
int gf_store_snapshot_team_keys(int64_t org_id, char ***keys, size_t *n, gf_err *err) GF_MUST_CHECK;
void gf_store_snapshot_team_keys_free(char **keys, size_t n);
/* Tries the transaction-level advisory lock of (org, day) inside the transaction open on this
 * thread's connection (gf_store_begin), held until it ends: *got 1 when this replica holds it. */
int gf_store_snapshot_day_lock(int64_t org_id, int day, int *got, gf_err *err) GF_MUST_CHECK;
/* Whether (org, day) has its snapshots; and recording that it has (a second record is ignored). */
int gf_store_snapshot_day_done(int64_t org_id, int day, int *done, gf_err *err) GF_MUST_CHECK;
int gf_store_snapshot_day_record(int64_t org_id, int day, int snapshots, int failed, gf_err *err)
    GF_MUST_CHECK;

/* A page of snapshots, newest first (cursor: the last item's id); filters may be NULL. */
json_t *gf_store_forecast_snapshot_list(int64_t org_id, const char *scope, const gf_period *period,
                                        int limit, int64_t after, gf_err *err) GF_MUST_CHECK;

/* The external id and name of each deal id of the org, as {"<id>": [external_id, name]}. New
 * reference, or NULL with err. */
json_t *gf_store_forecast_deal_names(int64_t org_id, const int64_t *ids, size_t n, gf_err *err)
    GF_MUST_CHECK;

/* ---- backtests (src/store/backtests.c) ---- */

/* *yes = 1 when the org has a (not deleted) deal created before day `before`. Returns 0 or -1
 * with err. */
int gf_store_backtest_has_deals(int64_t org_id, int before, int *yes, gf_err *err) GF_MUST_CHECK;
/* The commit amount of the latest commit of scope for exactly period submitted before the start
 * of day `before` in the org's time zone, in exact cents: *found 0 (and *cents 0) when none.
 * Returns 0 or -1 with err. */
int gf_store_backtest_commit_cents(int64_t org_id, const char *scope, const gf_period *period,
                                   int before, int *found, int64_t *cents, gf_err *err)
    GF_MUST_CHECK;
/* Creates a running backtest job with request (JSON text) and returns its document
 * (gf_backtest_json: id, status, request, result, error, created_at, finished_at; a job running
 * for more than stale_ms reads as failed, "abandoned"), *id its id. New reference, or NULL with
 * err. */
json_t *gf_store_backtest_insert(int64_t org_id, const char *request_json, int stale_ms,
                                 int64_t *id, gf_err *err) GF_MUST_CHECK;
/* Finishes the running job id: done with result_json (JSON text), or, when result_json is NULL,
 * failed with error_json (a JSON error object as text). Returns its document (new reference), or
 * NULL with err (not found when the job is not the org's or no longer running). */
json_t *gf_store_backtest_finish(int64_t org_id, int64_t id, const char *result_json,
                                 const char *error_json, int stale_ms, gf_err *err) GF_MUST_CHECK;
/* The document of job id (as gf_store_backtest_insert); not found when it is not the org's. New
 * reference, or NULL with err. */
json_t *gf_store_backtest_get(int64_t org_id, int64_t id, int stale_ms, gf_err *err) GF_MUST_CHECK;

/* ---- rep scorecards (src/store/scorecard.c, commits.c) ---- */

/* A rep and the peers it is compared with: the reps of its team and the team's sub-teams (the
 * rep included), or every rep of the org when it has no team. Owned: gf_store_peers_free. */
typedef struct gf_store_peers {
    int64_t rep_id;
    char team[72]; /* the rep's team key, "" when none */
    int64_t *ids;  /* sorted */
    size_t n;
} gf_store_peers;
/* The rep with key and its peers into out. Returns 0, or -1 with err (not found for a rep that is
 * not the org's). */
int gf_store_scorecard_rep(int64_t org_id, const char *key, gf_store_peers *out, gf_err *err)
    GF_MUST_CHECK;
/* Frees p's ids and zeroes it; NULL-safe. */
void gf_store_peers_free(gf_store_peers *p);

/* Deal sources, by index: marketing, sales, partner, other. */
#define GF_STORE_SOURCES 4
extern const char *const gf_store_sources[GF_STORE_SOURCES];
/* The live deals of the reps rep_ids[0..n_reps) created before day `before`, ordered by id:
 * their ids and source indexes into two malloc'd arrays of *n entries (free both). Returns 0 or
 * -1 with err. */
int gf_store_scorecard_sources(int64_t org_id, const int64_t *rep_ids, size_t n_reps, int before,
                               int64_t **deal_ids, uint8_t **sources, size_t *n, gf_err *err)
    GF_MUST_CHECK;

/* Every commit of scope for exactly period submitted before local midnight of day `before`, oldest
 * first, as a JSON array of gf_commit_json objects (notes as written). New reference, or NULL with
 * err. */
json_t *gf_store_commit_said(int64_t org_id, const char *scope, const gf_period *period, int before,
                             gf_err *err) GF_MUST_CHECK;

/* One rep's commits for one quarter: the first and the last submitted before the quarter ended
 * (and before the day the caller names), in cents, and how many. */
typedef struct gf_store_commit_bound {
    int64_t rep_id;
    size_t quarter; /* index into the quarters asked for */
    int64_t first_cents, last_cents, count;
} gf_store_commit_bound;
/* The bounds of each (rep of rep_ids, quarter of quarters) pair that has a commit for exactly that
 * quarter submitted before the end of the quarter and before local midnight of day `before`, into
 * *rows (malloc'd, *n entries, in no order; free it). Returns 0 or -1 with err. */
int gf_store_commit_bounds(int64_t org_id, const int64_t *rep_ids, size_t n_reps,
                           const gf_period *quarters, size_t nq, int before,
                           gf_store_commit_bound **rows, size_t *n, gf_err *err) GF_MUST_CHECK;

#endif

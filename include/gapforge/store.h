/* store.h — all SQL of gapforge, one function per question or change, each scoped to an org.
 *
 * Functions return JSON documents built by PostgreSQL (new references owned by the caller) or
 * 0/-1 with err filled. No SQL is ever built from user input: every value is a parameter. */
#ifndef GAPFORGE_STORE_H
#define GAPFORGE_STORE_H

#include <jansson.h>
#include <stdint.h>

#include "gapforge/err.h"
#include "gapforge/period.h"

/* ---- orgs ---- */
typedef struct gf_org_fields {
    const char *slug, *name, *currency, *fiscal_year_start_month, *time_zone; /* NULL: default */
} gf_org_fields;

/* Creates an org; 409 when the slug is taken, 422 for an unknown time zone. */
json_t *gf_store_org_create(const gf_org_fields *f, int64_t *org_id, gf_err *err) GF_MUST_CHECK;
json_t *gf_store_org_get(int64_t org_id, gf_err *err) GF_MUST_CHECK;
/* Updates the non-NULL fields of f (slug is ignored). */
json_t *gf_store_org_patch(int64_t org_id, const gf_org_fields *f, gf_err *err) GF_MUST_CHECK;
/* Looks up an org id by slug; 404 when absent. */
int gf_store_org_id(const char *slug, int64_t *org_id, gf_err *err) GF_MUST_CHECK;

/* ---- api keys ---- */
/* Creates a key with scopes given as a comma-separated list of read/write/admin. Returns the key
 * JSON including "secret" (the only time it is ever shown). */
json_t *gf_store_key_create(int64_t org_id, const char *name, const char *scopes_csv,
                            gf_err *err) GF_MUST_CHECK;
/* A page of the org's keys (never secrets), ids greater than after. */
json_t *gf_store_key_list(int64_t org_id, int limit, int64_t after, gf_err *err) GF_MUST_CHECK;
/* Revokes a key of the org; 404 when it is not the org's. Returns the key JSON. */
json_t *gf_store_key_revoke(int64_t org_id, int64_t key_id, gf_err *err) GF_MUST_CHECK;

/* Scope bits of a key as stored (the API maps them to what each route requires). */
#define GF_KEY_READ 1u
#define GF_KEY_WRITE 2u
#define GF_KEY_ADMIN 4u

/* Verifies a presented token. On success fills org id, slug, key id and GF_KEY_* bits;
 * returns -1 with a 401 for an unknown, malformed or revoked key (503 if the database is down). */
int gf_store_key_verify(const char *token, int64_t *org_id, char slug[64], int64_t *key_id,
                        unsigned *scopes, gf_err *err) GF_MUST_CHECK;

/* ---- inputs: calendar, scopes, targets, commits, KPIs, levers (src/store/inputs.c, ...) ---- */

/* The org's fiscal year start month and today's date (a day number) in the org's time zone. */
int gf_store_org_calendar(int64_t org_id, int *fysm, int *today, gf_err *err) GF_MUST_CHECK;

/* The team or rep a scope text names: "org" (both empty), "team:KEY" or "rep:KEY". Ids are
 * decimal text, "" when not applicable. Returns 0, or -1 with a 422 naming field when the text
 * is malformed or the team or rep is not the org's. */
typedef struct gf_scope_ids {
    char team_id[24], rep_id[24];
} gf_scope_ids;
int gf_store_scope_resolve(int64_t org_id, const char *scope, const char *field,
                           gf_scope_ids *ids, gf_err *err) GF_MUST_CHECK;

/* Targets. value is a non-negative number as text. metric is "bookings" or a KPI key of the org
 * (422 metric otherwise); an unknown team or rep is a 422 on scope. Upserts by (scope, metric,
 * period days) and returns the target JSON. */
typedef struct gf_target_fields {
    const char *scope, *metric, *value;
    const gf_period *period;
} gf_target_fields;
json_t *gf_store_target_put(int64_t org_id, const gf_target_fields *f, gf_err *err) GF_MUST_CHECK;
/* A page of the org's targets by id; each filter may be NULL. */
json_t *gf_store_target_list(int64_t org_id, const char *scope, const char *metric,
                             const gf_period *period, int limit, int64_t after,
                             gf_err *err) GF_MUST_CHECK;

/* Commits. Money as text; best_case >= commit (422 best_case); notes and submitted_at (date or
 * RFC 3339, default now) may be NULL. Returns the new commit JSON. */
typedef struct gf_commit_fields {
    const char *scope, *commit, *best_case, *notes, *submitted_at;
    const gf_period *period;
} gf_commit_fields;
json_t *gf_store_commit_create(int64_t org_id, const gf_commit_fields *f,
                               gf_err *err) GF_MUST_CHECK;
/* A page of commits, newest submitted_at first; after is the id of the previous page's last
 * item. Filters may be NULL. */
json_t *gf_store_commit_list(int64_t org_id, const char *scope, const gf_period *period,
                             int limit, int64_t after, gf_err *err) GF_MUST_CHECK;

/* KPIs. leads_to and lag_days are both NULL or both set; leads_to is "bookings" or another KPI
 * of the org (422 leads_to.metric otherwise). Upserts by key; *created tells which. */
typedef struct gf_kpi_fields {
    const char *key, *name, *unit, *direction, *aggregation, *bucket, *leads_to, *lag_days;
} gf_kpi_fields;
json_t *gf_store_kpi_put(int64_t org_id, const gf_kpi_fields *f, int *created,
                         gf_err *err) GF_MUST_CHECK;
json_t *gf_store_kpi_get(int64_t org_id, const char *key, gf_err *err) GF_MUST_CHECK;
json_t *gf_store_kpi_list(int64_t org_id, int limit, int64_t after, gf_err *err) GF_MUST_CHECK;
/* The id of the org's KPI key; -1 with a 404 when there is none. */
int gf_store_kpi_id(int64_t org_id, const char *key, int64_t *id, gf_err *err) GF_MUST_CHECK;
/* Upserts n observations (days as day numbers, finite values, no day twice) in one statement:
 * all or nothing. Returns {"inserted", "updated", "unchanged"}; 404 for an unknown KPI. */
json_t *gf_store_kpi_observe(int64_t org_id, const char *key, size_t n, const int *days,
                             const double *values, gf_err *err) GF_MUST_CHECK;
/* A page of observations by date ascending within [from, to] (either may be NULL); after is
 * the id of the previous page's last item. 404 for an unknown KPI. */
json_t *gf_store_kpi_observations(int64_t org_id, const char *key, const char *from,
                                  const char *to, int limit, int64_t after,
                                  gf_err *err) GF_MUST_CHECK;

/* Levers. Values as normalised text; kpi is the key of the org's KPI for kind kpi (422 kpi when
 * unknown), NULL otherwise. Upserts by key; *created tells which. */
typedef struct gf_lever_fields {
    const char *key, *name, *kind, *effect, *unit_cost, *max_units, *ramp_days, *kpi, *notes;
} gf_lever_fields;
json_t *gf_store_lever_put(int64_t org_id, const gf_lever_fields *f, int *created,
                           gf_err *err) GF_MUST_CHECK;
json_t *gf_store_lever_get(int64_t org_id, const char *key, gf_err *err) GF_MUST_CHECK;
json_t *gf_store_lever_list(int64_t org_id, int limit, int64_t after, gf_err *err) GF_MUST_CHECK;
/* Deletes the org's lever; -1 with a 404 when there is none. */
int gf_store_lever_delete(int64_t org_id, const char *key, gf_err *err) GF_MUST_CHECK;

#endif

/* service_internal.h — what the service's files share; no other layer includes it. */
#ifndef GAPFORGE_SERVICE_INTERNAL_H
#define GAPFORGE_SERVICE_INTERNAL_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdint.h>

#include "gapforge/model_levers.h"
#include "gapforge/model_plan.h"
#include "gapforge/model_scenario.h"
#include "gapforge/service_backtest.h"
#include "gapforge/service_forecast.h"

/* Milliseconds on a monotonic clock. */
double gf_svc__now_ms(void);

/* Cents as a JSON number in currency units, rounded to the cent; null if not finite (no figure
 * the service reports is ever infinite or NaN). */
json_t *gf_svc__money(double cents);

/* A day number as a "YYYY-MM-DD" JSON string. */
json_t *gf_svc__day(int day);

/* A new, zeroed forecast result for req with its history loaded (req->as_of, calendar to the
 * period's end). NULL with err. */
gf_svc_forecast *gf_svc__forecast_load(const gf_svc_forecast_req *req, gf_err *err) GF_MUST_CHECK;

/* Runs the model, the spread and the Monte Carlo of f->req's scope on f->history, and reads the
 * scope's target: gf_svc__forecast_scope, gf_svc__forecast_target, gf_svc__forecast_compute.
 * Returns 0 or a negative code with err. */
int gf_svc__forecast_fit(gf_svc_forecast *f, gf_err *err) GF_MUST_CHECK;

/* The scope's deal mask (f->mask, NULL for the whole org) and the hash of its rep set
 * (f->scope_key), read from the database. GF_EINVALID on scope for an unknown team or rep. */
int gf_svc__forecast_scope(gf_svc_forecast *f, gf_err *err) GF_MUST_CHECK;

/* The scope's bookings target of the period (f->has_target, f->target_cents), read from the
 * database. */
int gf_svc__forecast_target(gf_svc_forecast *f, gf_err *err) GF_MUST_CHECK;

/* The model, the spread (through the cache) and the Monte Carlo of f on f->history, f->mask,
 * f->scope_key and f->target_cents, which it only reads: it touches no database, so several
 * threads may compute forecasts that share one history and mask. Returns 0 or a negative code
 * with err. */
int gf_svc__forecast_compute(gf_svc_forecast *f, gf_err *err) GF_MUST_CHECK;

/* Computes f->why and f->lead_kpi (drivers over the baseline window and the period). Returns 0
 * or a negative code with err. */
int gf_svc__why(gf_svc_forecast *f, gf_err *err) GF_MUST_CHECK;

/* The "why" object of a forecast document. New reference. */
json_t *gf_svc__why_json(const gf_svc_forecast *f);

/* The split of f's gap (target - P50) that its "why" reports (why.gap): target stretch, each
 * driver, timing and uncertainty. Meaningful with a target. */
void gf_svc__gap_split(const gf_svc_forecast *f, gf_model_gap_split *out);

/* The label of a driver in plain words ("win rate"); *percent 1 for rates. */
const char *gf_svc__driver_label(int driver, int *percent);

/* ---- the human calls (calls.c) ---- */

/* The rep call of a commit document (gf_commit_json, or JSON null): {id, value, best_case,
 * notes, at}, or JSON null. New reference. */
json_t *gf_svc__rep_call(const json_t *latest_commit);

/* The rep call (gf_svc__rep_call of the latest commit) and the manager call (the latest
 * adjustment: {id, value, author, reason, at}) of exactly scope and period as they stood at the
 * end of day as_of (that day's calls count), each JSON null when
 * there is none; new references the caller owns. Returns 0, or a negative code with err (both
 * NULL then). */
int gf_svc__calls(int64_t org_id, const char *scope, const gf_period *period, int as_of,
                  json_t **rep_call, json_t **manager_call, gf_err *err) GF_MUST_CHECK;

/* ---- the spread cache (spread_cache.c) ---- */

/* What the spread cache keeps per key: the spread, the familiar figures and the stage rates. */
typedef struct gf_svc_spread {
    gf_model_sigma_est sigma;
    gf_model_figures figures;
    gf_model_stage_rate *rates; /* n_stages entries */
    size_t n_stages;
} gf_svc_spread;

/* Computes a spread for a key, filling out (out->rates holds out->n_stages entries). */
typedef int (*gf_svc_spread_fn)(void *arg, gf_svc_spread *out);

/* Fills out (whose rates array holds out->n_stages entries) with the cached value of key, or
 * computes it with fn and caches it. Single flight: while one caller computes a key, others
 * asking for the same key wait for its result instead of computing it again (a failed
 * computation wakes them and the next caller tries again). *cached is 1 when the value came from
 * the cache. Returns 0, or fn's non-zero result. Thread-safe. */
int gf_svc__spread_get(const uint64_t key[4], gf_svc_spread_fn fn, void *arg, gf_svc_spread *out,
                       int *cached) GF_MUST_CHECK;

/* Empties the cache (tests). */
void gf_svc__spread_reset(void);

/* ---- the lever context of scenarios and plans (levers.c) ---- */

/* One of the org's levers as the model sees it, with its key and name. */
typedef struct gf_svc_lever {
    char key[72];
    char name[208];
    gf_model_lever lv;
    uint32_t *deals; /* concession: open-deal indices (owned) */
    int usable;      /* 0: the model cannot apply it (e.g. a negative win_rate effect) */
} gf_svc_lever;

/* A forecast and the lever context built on it. */
typedef struct gf_svc_levers {
    gf_svc_forecast *f;
    gf_model_sim_input base;
    gf_model_lever_ctx ctx;
    double *p_ever, *p_new;
    int64_t *pool, *next;
    gf_svc_lever *levers; /* every lever of the org, by key */
    size_t n_levers;
} gf_svc_levers;

/* Runs req's forecast and its "why" and builds the lever context with every lever of the org.
 * Returns 0 or a negative code with err; lc is to be cleared with gf_svc__levers_clear either
 * way. */
int gf_svc__levers_open(const gf_svc_forecast_req *req, gf_svc_levers *lc, gf_err *err)
    GF_MUST_CHECK;

/* The index of the org's lever named key, or -1. */
long gf_svc__levers_find(const gf_svc_levers *lc, const char *key);

/* Sets the deals a concession lever concedes (ids of open deals in scope; GF_EINVALID on field
 * otherwise). Returns 0 or a negative code. */
int gf_svc__levers_deals(gf_svc_levers *lc, size_t lever, const int64_t *ids, size_t n,
                         const char *field, gf_err *err) GF_MUST_CHECK;

/* Fills the table of P(won by period end | created on day d) when a lever needs it. */
int gf_svc__levers_prepare(gf_svc_levers *lc, const gf_model_lever *levers, size_t n, gf_err *err)
    GF_MUST_CHECK;

void gf_svc__levers_clear(gf_svc_levers *lc);

/* A model failure of a scenario or plan (GF_MODEL_E*) as a domain error; returns its code. */
int gf_svc__model_error(int rc, gf_err *err);

/* A run's figures (expected, p10, p50, p90, prob_hit; null prob_hit without a target) and the
 * difference of two runs, in currency units. New references. */
json_t *gf_svc__dist_json(const gf_model_sim_result *s, int has_target);
json_t *gf_svc__delta_json(const gf_model_delta *d, int has_target);

/* What every scenario and plan answer starts with. New reference. */
json_t *gf_svc__levers_head(const gf_svc_levers *lc);

/* ---- backtests (backtest.c) ---- */

/* gf_svc_backtest_answer that gives up (GF_EUNAVAILABLE, reason "stopping") before its next row
 * once *cancel (may be NULL) is non-zero. */
json_t *gf_svc__backtest_run(const gf_svc_backtest_req *req, const atomic_int *cancel, gf_err *err)
    GF_MUST_CHECK;

#endif

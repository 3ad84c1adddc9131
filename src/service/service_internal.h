/* service_internal.h — what the service's files share; no other layer includes it. */
#ifndef GAPFORGE_SERVICE_INTERNAL_H
#define GAPFORGE_SERVICE_INTERNAL_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdint.h>

#include "gapforge/model_indicators.h"
#include "gapforge/model_kpi.h"
#include "gapforge/model_levers.h"
#include "gapforge/model_plan.h"
#include "gapforge/model_scenario.h"
#include "gapforge/service_backtest.h"
#include "gapforge/service_forecast.h"
#include "gapforge/store.h"
#include "gapforge/store_indicators.h"

/* A number that changes whenever gf_svc_configure replaces the options (caches of values derived
 * from them compare it). */
unsigned gf_svc__options_generation(void);

/* Milliseconds on a monotonic clock. */
double gf_svc__now_ms(void);

/* GET /metrics (metrics_svc.c): counts a cache lookup; registers the outbox gauges' refresh. */
void gf_svc__count_cache(const char *cache, int hit);
void gf_svc__count_run(const char *job, int ok); /* a scheduled run: "snapshots", "alerts" */
void gf_svc__metrics_register(void);

/* Cents as a JSON number in currency units, rounded to the cent; null if not finite (no figure
 * the service reports is ever infinite or NaN). */
json_t *gf_svc__money(double cents);

/* A day number as a "YYYY-MM-DD" JSON string. */
json_t *gf_svc__day(int day);

/* A snapshot made but not stored yet (snapshot.c): its request, and its row, whose scope and
 * period point into req and whose forecast_json is owned (gf_svc__snapshot_made_free); so it
 * must not move once made. */
typedef struct gf_svc__snapshot_made {
    gf_svc_forecast_req req;
    gf_store_snapshot row;
} gf_svc__snapshot_made;

/* Runs req's forecast into m, without writing. Returns 0, or a negative code with err (m holds
 * nothing then). */
int gf_svc__snapshot_make(const gf_svc_forecast_req *req, gf_svc__snapshot_made *m, gf_err *err)
    GF_MUST_CHECK;
void gf_svc__snapshot_made_free(gf_svc__snapshot_made *m); /* NULL-safe; m may be zeroed */

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

/* ---- KPI forecasts (kpi.c, kpi_plan.c) ---- */

/* A KPI's forecast as the service holds it: the request, the series (it owns), the model's
 * input (pointing into the series) and forecast, the org's currency. */
typedef struct gf_svc_kpi {
    gf_svc_forecast_req req;
    gf_store_kpi_series series;
    gf_model_kpi_input in;
    gf_model_kpi model;
    char currency[8];
} gf_svc_kpi;

/* Loads the KPI key's series before req->as_of and its target for req's scope and period, and
 * forecasts it (gf_svc_kpi_forecast_answer has the errors). Returns 0 or a negative code with
 * err; gf_svc__kpi_close frees *k either way. */
int gf_svc__kpi_open(const gf_svc_forecast_req *req, const char *key, bool paths_named,
                     gf_svc_kpi *k, gf_err *err) GF_MUST_CHECK;
void gf_svc__kpi_close(gf_svc_kpi *k);

/* "insufficient_history" or the ETS method's name. */
const char *gf_svc__kpi_method(const gf_svc_kpi *k);

/* {mean, p10, p50, p90}. New reference. */
json_t *gf_svc__kpi_band(const gf_model_ets_band *b);

/* {kpi: {key, name, unit, direction, aggregation}, period, scope, start, end, as_of, target}.
 * New reference. */
json_t *gf_svc__kpi_head(const gf_svc_kpi *k);

/* A KPI scenario's and plan's documents (kpi_plan.c): their requests name a KPI metric. */
json_t *gf_svc__kpi_scenario_answer(const gf_svc_scenario_req *req, gf_err *err) GF_MUST_CHECK;
json_t *gf_svc__kpi_plan_answer(const gf_svc_plan_req *req, gf_err *err) GF_MUST_CHECK;
/* ---- leading indicators (leads.c) ---- */

/* Days of KPI observations before as_of that a forecast reads (a backtest's rows reach back
 * two years, each needing the detector's weeks before it). */
#define GF_SVC_LEAD_DAYS 1500

/* The detector's design from the options (gf_svc_options.indicator_*). */
void gf_svc__cusum_opts(gf_model_cusum_opts *o);

/* The org's KPIs with a leads_to link observed in [as_of - GF_SVC_LEAD_DAYS, as_of), into a new
 * set (free with gf_svc__leads_free). NULL with err. */
gf_store_lead_kpis *gf_svc__leads_load(int64_t org_id, int as_of, gf_err *err) GF_MUST_CHECK;

/* Frees a set from gf_svc__leads_load; NULL-safe. */
void gf_svc__leads_free(gf_store_lead_kpis *k);

/* The KPI the new-deal rate and "why" answer to: the first by key that leads to bookings and
 * aggregates by sum; -1 when there is none (or k is NULL). */
long gf_svc__leads_primary(const gf_store_lead_kpis *k);

/* Detects a shift in k's weekly series at as_of: the detector's baseline + monitor weeks ending
 * with the last week (Monday to Sunday) that ended before as_of; *first is its first Monday and
 * values (if not NULL) gets the n = baseline + monitor weekly values. Returns 0 or a model
 * error. */
int gf_svc__lead_shift(const gf_store_lead_kpi *k, int as_of, gf_model_shift *s, int *first,
                       double *values) GF_MUST_CHECK;

/* The projected effect of k's shift at as_of on the deals not yet created of period, with k's
 * lag (gf_model_lead_effect_of, floor gf_svc_options.indicator_floor); no effect (multiplier 1)
 * without an alarm. Returns 0 or a model error. */
int gf_svc__lead_effect(const gf_store_lead_kpi *k, int as_of, gf_model_period period,
                        gf_model_lead_effect *e) GF_MUST_CHECK;

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

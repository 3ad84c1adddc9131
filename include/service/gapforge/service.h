/* service.h — the application layer: forecasts, roll-ups, snapshots, scenarios and plans for
 * any caller (the API, the CLI, timers, benchmarks, tests), with no HTTP in sight.
 *
 * Each operation takes a plain C request and answers a plain C result (service_forecast.h, for
 * callers that read the figures) and/or the JSON document clients receive (the same document the
 * API serves and a snapshot stores). Requests are validated here: a bad value is GF_EINVALID
 * naming the request field; an unknown org, team or rep is never another tenant's. Every tunable
 * is a named option in gf_svc_options, defaults in one place (src/service/options.c). This
 * header needs no model header, so the API cannot call the model. */
#ifndef GAPFORGE_SERVICE_H
#define GAPFORGE_SERVICE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gapforge/err.h"
#include "gapforge/period.h"

/* ---- options ---- */

/* The longest webhook retry schedule. */
#define GF_SVC_WEBHOOK_MAX_ATTEMPTS 16

/* Every tunable of the forecast, roll-up, "why" and lever context. */
typedef struct gf_svc_options {
    unsigned default_trials;      /* Monte Carlo trials when a request names none */
    uint64_t default_seed;        /* seed when a request names none */
    double sigma_floor;           /* the spread's floor while the org's own errors are few */
    int sigma_backtest_quarters;  /* earlier quarters the spread's self-backtest replays */
    double sigma_prior;           /* the prior spread of the common multiplier (README) */
    double sigma_prior_points;    /* its weight in self-backtest points */
    int sigma_min_history_days;   /* a replay needs this much data before its as_of */
    int horizon_margin_days;      /* as_of must lie within the model's horizon less this */
    int baseline_quarters;        /* quarters before the period that "why" compares with */
    int baseline_days;            /* ... or these many days when the calendar lacks them */
    int productivity_window_days; /* days before as_of whose wins price added reps and deals */
    int new_rep_ramp_days;        /* a new rep's ramp to full productivity (headcount levers) */
    int next_period_window_days;  /* commit deals closing this soon after the period can be
                                     pulled forward */
    int max_concession_deals;     /* deals a concession lever may name */
    int spread_cache_entries;     /* calibrated spreads kept in process (<= 1024) */
    double driver_prior_deals;    /* "why": pseudo-deals at the baseline's value that a current win
                                     rate, deal size, cycle or slip rate is shrunk with */
    int plan_budget_ms;     /* a plan search stops after this long and answers the best plan it
                               found ("search": "budget") */
    int backtest_wait_ms;   /* POST /v1/backtests answers 202 (a running job) after this long */
    int backtest_jobs;      /* backtests running at once in one process; more are refused (503) */
    int backtest_threads;   /* threads that share one backtest's rows; 0: every online CPU */
    int backtest_budget_ms; /* a backtest running longer fails; a job still running after twice
                               this long (its process stopped) reads as failed */
    double max_sim_draws;   /* the work of one Monte Carlo, trials x (open deals + expected new
                               deals + 1): past it a forecast, scenario or plan is refused with
                               503 work_limit before it runs (GAPFORGE_MAX_SIM_DRAWS) */

    /* The funnel's flags (GET /v1/funnel). */
    double funnel_nearly_all;    /* "converts nearly all": this share of the deals that left a
                                    stage advanced */
    double funnel_skip_share;    /* "often skipped": this share of the deals that reached a later
                                    stage never entered it */
    int funnel_min_flag_deals;   /* neither flag is raised on fewer deals than this */
    int scorecard_bias_quarters; /* closed quarters a rep's commit bias reads (<= 8) */
    double scorecard_bias_prior_quarters; /* the team's bias counts as this many quarters */
    double scorecard_stall_ratio;  /* a stage stalls when the rep's median days in it are at least
                                      this many times the team's median */
    int scorecard_stall_min_deals; /* ... over at least this many of the rep's deals */
    int kpi_paths;       /* simulated paths of a KPI forecast when a request names no trials */
    double kpi_min_gain; /* a KPI model must cut naive's MASE by this share to be kept */

    /* Leading indicators (GET /v1/indicators, and the forecast's new deals). */
    double indicator_arl0;         /* in-control average run length asked of the change detector,
                                      weeks (GAPFORGE_INDICATOR_ARL0): its false-alarm rate */
    double indicator_k;            /* the CUSUM's reference value, spreads */
    int indicator_baseline_weeks;  /* weeks of the baseline before the monitored ones */
    int indicator_monitor_weeks;   /* weeks monitored (the last ones before as_of) */
    double indicator_design_shift; /* the shift, in spreads, whose detection delay is stated */
    double indicator_floor;        /* a shift never scales the new-deal rate below this */
    int indicator_quarters;        /* quarters from as_of's whose projected effect is shown */

    /* Exact caching (src/service/org_state.c, history_cache.c, answers.c). */
    int history_cache_mb;  /* histories kept in process, in MiB (0: none) */
    int answer_cache_mb;   /* serialised forecast, roll-up and projection answers, in MiB */
    int version_check_ms;  /* an org's data version is read again after this long, so a write
                              on another replica is seen within it (and keys' revocations) */
    int key_cache_entries; /* verified API keys kept in process (0: none) */
    /* Alerts and webhooks (service_alerts.h). */
    int webhook_schedule_ms[GF_SVC_WEBHOOK_MAX_ATTEMPTS]; /* delay before each attempt: the
                                                             first is 0 (immediately) */
    int webhook_attempts;           /* attempts in the schedule; after the last, dead-lettered */
    double webhook_jitter;          /* each retry delay is stretched by up to this share */
    int webhook_retry_after_max_ms; /* a Retry-After longer than this is capped */
    int webhook_connect_timeout_ms; /* connect timeout of one attempt */
    int webhook_timeout_ms;         /* total timeout of one attempt */
    int webhook_response_cap;       /* bytes of a response read; a longer one is cut off */
    int webhook_poll_ms;            /* the delivery threads look for due attempts this often */
    int webhook_threads;            /* delivery threads per process */
    const char *webhook_allow;      /* comma-separated hosts allowed over http and on private
                                       addresses (GAPFORGE_WEBHOOK_ALLOW); NULL: none */
    bool has_webhook_key;           /* secrets are sealed under webhook_key (AES-256-GCM) */
    unsigned char webhook_key[32];
    int alert_top_drivers; /* "why" drivers an alert shows */
} gf_svc_options;

/* The defaults. */
void gf_svc_options_default(gf_svc_options *o);

/* Replaces the process's options (call before serving; the defaults apply until then). */
void gf_svc_configure(const gf_svc_options *o);

/* The options in force (borrowed). */
const gf_svc_options *gf_svc_options_get(void);

/* ---- forecast requests ---- */

/* A forecast's parameters as text, from a query string or a JSON body; NULL means "default". */
typedef struct gf_svc_forecast_args {
    const char *period;  /* "2026-Q4" or "YYYY-MM-DD..YYYY-MM-DD"; default the current quarter */
    const char *scope;   /* "org", "team:KEY", "rep:KEY"; default org */
    const char *as_of;   /* YYYY-MM-DD; default today in the org's time zone */
    const char *trials;  /* integer; default gf_svc_options.default_trials */
    const char *seed;    /* integer 0..2^53-1; default gf_svc_options.default_seed */
    const char *explain; /* "true" / "false" */
} gf_svc_forecast_args;

/* A validated forecast request. */
typedef struct gf_svc_forecast_req {
    int64_t org_id;
    gf_period period;
    char scope[80];
    int as_of; /* a day number: only data dated before it is used */
    unsigned trials;
    uint64_t seed;
    bool explain;           /* list every open deal */
    const char *request_id; /* for the log line; may be NULL */
} gf_svc_forecast_req;

/* Validates args for org_id into req (period against the org's fiscal calendar, as_of within
 * the model's horizon of the period, trials and seed in range). Returns 0, or a negative code
 * with err: GF_EINVALID naming the parameter, GF_EUNAVAILABLE when the database is down. */
int gf_svc_forecast_req_parse(int64_t org_id, const gf_svc_forecast_args *args,
                              gf_svc_forecast_req *req, gf_err *err) GF_MUST_CHECK;

/* ---- forecasts, roll-ups, snapshots ---- */

/* One scope's status-quo forecast with everything its document shows (service_forecast.h has
 * the fields). */
typedef struct gf_svc_forecast gf_svc_forecast;

/* Runs the forecast: loads the history before as_of, fits the model, calibrates the spread
 * (cached in process, computed once for concurrent cold requests), simulates, and gathers the
 * target, the team's call, "why" and (explain) the deals' names. Returns a new result to free
 * with gf_svc_forecast_free, or NULL with err (GF_EINVALID on scope for an unknown team or rep,
 * GF_EUNAVAILABLE when the database is down). */
gf_svc_forecast *gf_svc_forecast_run(const gf_svc_forecast_req *req, gf_err *err) GF_MUST_CHECK;

/* The GET /v1/forecast document of a result. New reference, or NULL with err. Reads nothing. */
json_t *gf_svc_forecast_doc(const gf_svc_forecast *f, gf_err *err) GF_MUST_CHECK;

/* Frees a result; NULL-safe. */
void gf_svc_forecast_free(gf_svc_forecast *f);

/* gf_svc_forecast_run, then its document. */
json_t *gf_svc_forecast_answer(const gf_svc_forecast_req *req, gf_err *err) GF_MUST_CHECK;

/* The roll-up of an org or team scope: one row per child team and rep (and "unassigned"), each
 * priced with the parent's per-deal probabilities so expected values add up, and the total.
 * Every row and the total carry the human calls beside the model's P50 (rep_call: the latest
 * commit, manager_call: the latest adjustment, for the row's scope and the period), and
 * "parent" repeats the three calls of the scope itself. GF_EINVALID on scope for a rep scope.
 * New reference, or NULL with err. */
json_t *gf_svc_rollup_answer(const gf_svc_forecast_req *req, gf_err *err) GF_MUST_CHECK;

/* Runs the forecast and stores it as a snapshot (figures and the whole document). Returns the
 * stored snapshot's JSON, or NULL with err. */
json_t *gf_svc_snapshot_create(const gf_svc_forecast_req *req, gf_err *err) GF_MUST_CHECK;

/* ---- scenarios and plans ---- */

/* One lever of a scenario as the caller names it. */
typedef struct gf_svc_lever_units {
    const char *key;         /* one of the org's levers */
    int64_t units;           /* 0 .. the lever's max_units */
    bool has_start_on;       /* else the lever starts at as_of */
    int start_on;            /* a day number */
    const int64_t *deal_ids; /* concession only: the deals to concede, in order; NULL: default */
    size_t n_deal_ids;
} gf_svc_lever_units;

/* What-if: the forecast, and again with the levers' units, with common random numbers. */
typedef struct gf_svc_scenario_req {
    gf_svc_forecast_req forecast;
    const char *metric; /* NULL or "bookings": bookings; else a KPI key (kpi levers on it) */
    const gf_svc_lever_units *levers;
    size_t n_levers;
} gf_svc_scenario_req;

/* The POST /v1/scenarios document: baseline, scenario, delta, each lever's cost and uplift and
 * the total cost. GF_EINVALID naming "levers[i]..." for an unknown, repeated or unusable lever,
 * units out of range or deals that are not open in the scope. New reference, or NULL with err. */
json_t *gf_svc_scenario_answer(const gf_svc_scenario_req *req, gf_err *err) GF_MUST_CHECK;

typedef enum gf_svc_goal {
    GF_SVC_GOAL_P50,          /* P50 at or above the target */
    GF_SVC_GOAL_PROBABILITY,  /* probability of reaching the target at or above confidence */
    GF_SVC_GOAL_MAX_P50,      /* the largest P50 within the budget (required; no target needed) */
    GF_SVC_GOAL_MAX_EXPECTED, /* the largest expected bookings within the budget (same) */
} gf_svc_goal;

/* The cheapest lever units that reach a goal against the period's bookings target, or the ones
 * that buy the most within a budget. */
typedef struct gf_svc_plan_req {
    gf_svc_forecast_req forecast;
    const char *metric; /* NULL or "bookings": bookings; else a KPI key: its target, its levers */
    gf_svc_goal goal;
    double confidence;         /* GF_SVC_GOAL_PROBABILITY: in (0, 1) */
    int64_t budget_cents;      /* < 0: no budget */
    const char *const *levers; /* lever keys the plan may use; NULL: every usable lever */
    size_t n_levers;
} gf_svc_plan_req;

/* The POST /v1/plans document: achieves, baseline, result, actions, the ask, the gap left, the
 * efficiency frontier and the board summary. GF_EINVALID on budget for a maximising goal without
 * one, on period without a bookings target (for a goal against it), on levers[i] for an unknown,
 * repeated or unusable lever. New reference, or NULL with err. */
json_t *gf_svc_plan_answer(const gf_svc_plan_req *req, gf_err *err) GF_MUST_CHECK;

/* ---- KPI forecasts (src/service/kpi.c) ---- */

/* The GET /v1/kpis/{key}/forecast document for req (its period, scope, as_of, seed; trials as
 * the simulated paths when the request named them, else gf_svc_options.kpi_paths): the KPI, the
 * bucket, the actual to date, the projection of the remaining buckets, the period's value
 * (P10/P50/P90), the target of the scope for the KPI and period, the gap in the KPI's direction,
 * the probability of meeting it, the method, its candidates and skill (openapi.yaml,
 * KpiForecast). paths_named: req->trials came from the request. GF_ENOTFOUND for an unknown KPI;
 * GF_EINVALID on period for a period that ends before the first observation, on as_of when no
 * observation precedes it, on scope for an unknown team or rep. New reference, or NULL with
 * err. */
json_t *gf_svc_kpi_forecast_answer(const gf_svc_forecast_req *req, const char *key,
                                   bool paths_named, gf_err *err) GF_MUST_CHECK;

/* ---- rep scorecards (src/service/scorecard.c) ---- */

/* The quarters a scorecard may look back (gf_svc_options.scorecard_bias_quarters at most). */
#define GF_SVC_SCORECARD_MAX_QUARTERS 8

/* A validated scorecard request. */
typedef struct gf_svc_scorecard_req {
    int64_t org_id;
    char rep[72];
    gf_period period; /* a fiscal quarter */
    gf_period next;   /* the quarter after it */
    int as_of;        /* a day number: deal data dated before it, commits submitted through it */
    int fysm;
    const char *request_id; /* for the log line; may be NULL */
} gf_svc_scorecard_req;

/* Validates a scorecard's parameters (period: a fiscal quarter name or the range of one, default
 * the current quarter; as_of: a date, default today) into req. Returns 0, or a negative code
 * with err: GF_EINVALID naming period or as_of, GF_ENOTFOUND for an over-long rep key,
 * GF_EUNAVAILABLE when the database is down. Reads nothing but the org's calendar. */
int gf_svc_scorecard_req_parse(int64_t org_id, const char *rep, const char *period,
                               const char *as_of, gf_svc_scorecard_req *req, gf_err *err)
    GF_MUST_CHECK;

/* The GET /v1/reps/{key}/scorecard document: rep, period, as_of, currency, said, did, worked,
 * bias, next (openapi.yaml, Scorecard). A rep with no deal or commit gets the same shape with
 * nulls and n = 0. GF_ENOTFOUND for a rep that is not the org's. New reference, or NULL with
 * err. */
json_t *gf_svc_scorecard_answer(const gf_svc_scorecard_req *req, gf_err *err) GF_MUST_CHECK;

/* ---- exact caching and projections (src/service/answers.c, org_state.c) ---- */

/* Tells the caches that a write of org_id just committed through this process: its next request
 * reads the data version again (writes elsewhere are seen within version_check_ms). */
void gf_svc_org_changed(int64_t org_id);

/* Empties the history and answer caches (tests, benchmarks). */
void gf_svc_history_cache_clear(void);
void gf_svc_answer_cache_clear(void);

typedef enum gf_svc_answer_kind {
    GF_SVC_ANSWER_FORECAST,    /* GET /v1/forecast */
    GF_SVC_ANSWER_ROLLUP,      /* GET /v1/forecast/rollup */
    GF_SVC_ANSWER_PROJECTIONS, /* GET /v1/projections */
} gf_svc_answer_kind;

/* A cached answer: its strong ETag and, unless the client already holds it, its JSON text. */
typedef struct gf_svc_answer {
    char etag[48];     /* "\"<32 hex digits>\"": data version, parameters, model version */
    bool not_modified; /* if_none_match names etag: text is NULL, nothing was computed */
    char *text;        /* the JSON document (malloc'd, the caller frees it) */
    size_t len;
} gf_svc_answer;

/* Answers kind for req (and by, for projections: "team", "rep" or "source"; variant tells
 * representations apart, e.g. CSV) from the answer cache, computing it once per key (single
 * flight) when absent. The key and the ETag are (org, data version, kind, period, scope, as_of,
 * trials, seed, explain, by, variant, build and model version, the model's options). When
 * if_none_match (an If-None-Match value: "*", or a list of ETags, weak or strong) names the
 * ETag, answers not_modified without reading or computing anything. Returns 0, or a negative code
 * with err (the answer's own errors: invalid scope, by...). */
int gf_svc_answer_get(gf_svc_answer_kind kind, const gf_svc_forecast_req *req, const char *by,
                      int variant, const char *if_none_match, gf_svc_answer *out, gf_err *err)
    GF_MUST_CHECK;

/* The GET /v1/projections document: {period, as_of, by, currency, model_version, rows: [{scope,
 * target, booked, expected, p10, p50, p90, prob_hit, gap, as_of, model_version}]}, one row per
 * team, rep or source (scope "source:KEY": marketing, sales, partner, other) of the org, each the
 * figures GET /v1/forecast gives for that scope. GF_EINVALID on by. New reference, or NULL with
 * err. */
json_t *gf_svc_projections_answer(const gf_svc_forecast_req *req, const char *by, gf_err *err)
    GF_MUST_CHECK;

#endif

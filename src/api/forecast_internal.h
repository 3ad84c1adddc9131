/* forecast_internal.h — what the forecast handlers (forecast.c) share with the run
 * (forecast_run.c) and the answer's JSON (forecast_json.c). */
#ifndef GAPFORGE_API_FORECAST_INTERNAL_H
#define GAPFORGE_API_FORECAST_INTERNAL_H

#include <jansson.h>
#include <stdint.h>

#include "gapforge/http.h"
#include "gapforge/model_calib.h"
#include "gapforge/model_figures.h"
#include "gapforge/model_forecast.h"
#include "gapforge/period.h"
#include "gapforge/store_history.h"

#define GF_FORECAST_MODEL_VERSION "gapforge-status-quo-1"
#define GF_FORECAST_DEFAULT_SEED  20260101ULL
#define GF_FORECAST_MAX_SEED      9007199254740991ULL /* 2^53 - 1: exact in every JSON reader */
#define GF_FORECAST_SIGMA_FLOOR   0.10
#define GF_FORECAST_SIGMA_BACK    8

/* The parameters of a forecast request, validated. */
typedef struct fc_params {
    gf_period period;
    char scope[80];
    int as_of;
    unsigned trials;
    uint64_t seed;
    int explain;
} fc_params;

/* A source of parameter texts: the query string (GET) or a JSON body (POST). */
typedef const char *(*fc_get_fn)(const void *src, const char *name);

/* Validates period (default: the current quarter in the org's time zone), scope (default org),
 * as_of (default today), trials (1,000..1,000,000, default 10,000), seed (default
 * GF_FORECAST_DEFAULT_SEED) and explain (true|false). Returns 0 or -1 with a 422 naming the
 * parameter. */
int gf_api__fc_params(const gf_req *req, fc_get_fn get, const void *src, fc_params *p, gf_err *err);

/* One scope's forecast: its deal mask, the model's deterministic part, the spread and the
 * Monte Carlo. Owned by the caller (gf_api__fc_run_clear). */
typedef struct fc_run {
    uint8_t *mask; /* NULL: the whole org */
    gf_model_forecast *f;
    gf_model_sigma_est sigma;
    int sigma_cached;
    gf_model_figures fig;       /* slip and pull-in rates */
    gf_model_stage_rate *rates; /* stage win rates, one per stage (owned) */
    gf_model_sim_result sim;
    int has_target;
    double target_cents;
    double ms_model, ms_sigma, ms_sim; /* wall time of each step, for the log */
} fc_run;

/* Milliseconds on a monotonic clock. */
double gf_api__fc_now_ms(void);

/* Runs the forecast of scope on history h. With sigma NULL the spread is calibrated by the
 * self-backtest; otherwise it is used as given. The spread and the familiar figures are cached
 * per org, scope, period, as_of and data digest. Returns 0, or -1 with err (422 on scope for an
 * unknown team or rep). */
int gf_api__fc_run(int64_t org_id, const fc_params *p, const gf_store_history *h, const char *scope,
                   const gf_model_sigma_est *sigma, fc_run *r, gf_err *err);
void gf_api__fc_run_clear(fc_run *r);

/* The full answer of GET /v1/forecast for a run. NULL with err on failure. */
json_t *gf_api__fc_json(int64_t org_id, const fc_params *p, const gf_store_history *h,
                        const fc_run *r, gf_err *err);

/* Cents as a JSON number in currency units. */
json_t *gf_api__fc_money(double cents);

#endif

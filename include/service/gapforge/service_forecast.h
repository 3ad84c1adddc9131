/* service_forecast.h — the whole result of a forecast run, for C callers that read the figures
 * (benchmarks, tests, timers). It needs the model's and the store's headers, which the API does
 * not see: the API works with the documents of service.h. */
#ifndef GAPFORGE_SERVICE_FORECAST_H
#define GAPFORGE_SERVICE_FORECAST_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "gapforge/model_attrib.h"
#include "gapforge/model_calib.h"
#include "gapforge/model_figures.h"
#include "gapforge/model_forecast.h"
#include "gapforge/model_indicators.h"
#include "gapforge/service.h"
#include "gapforge/store_history.h"
#include "gapforge/store_indicators.h"

#define GF_SVC_MODEL_VERSION "gapforge-status-quo-1"

/* Everything gf_svc_forecast_run computed. Owned by the result: free with gf_svc_forecast_free. */
struct gf_svc_forecast {
    gf_svc_forecast_req req;
    gf_store_history *history;   /* the org's history before as_of */
    uint8_t *mask;               /* the scope's deals (NULL: the whole org) */
    bool borrowed;               /* history and leads belong to the caller (a backtest's rows,
                                    projection rows share one): gf_svc_forecast_free leaves them */
    bool mask_borrowed;          /* mask belongs to the caller too (a backtest's rows) */
    void *history_ref;           /* non-NULL: history is the history cache's, shared and read
                                    only; gf_svc_forecast_free releases this reference */
    uint64_t scope_key;          /* a hash of the scope's rep set (cache key) */
    gf_model_forecast_opts opts; /* the options the model was fitted with */
    gf_model_forecast *model;    /* the deterministic part: per-deal probabilities, rates */
    gf_model_sigma_est sigma;    /* the calibrated spread */
    bool sigma_cached;
    gf_model_figures figures;   /* slip and pull-in rates */
    gf_model_stage_rate *rates; /* stage win rates, one per stage */
    gf_model_sim_result sim;    /* the Monte Carlo */
    bool has_target;
    int64_t target_cents; /* the scope's bookings target for the period */
    char currency[8];
    json_t *latest_commit;                 /* the newest submitted commit, JSON null when none */
    json_t *manager_call;                  /* the newest adjustment's call, JSON null when none */
    gf_model_attrib why;                   /* drivers and their split (LMDI) */
    char lead_kpi[72];                     /* the KPI leading to bookings that "why" used, or "" */
    double why_measured[GF_MODEL_DRIVERS]; /* each current driver before its shrinkage */
    json_t *deal_names;                    /* explain: {"<id>": [external_id, name]}, else NULL */
    double ms_load, ms_model, ms_sigma, ms_sim; /* wall time of each step, for the log */
    gf_store_lead_kpis *leads;        /* KPIs leading to another metric (borrowed with history) */
    long lead_index;                  /* the KPI the new-deal rate answers to, -1 when none */
    gf_model_lead_effect lead_effect; /* its shift's effect on the deals not yet created */
};

#endif

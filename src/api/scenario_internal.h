/* scenario_internal.h — what POST /v1/scenarios and POST /v1/plans (scenarios.c) share with the
 * lever context they build (scenario_ctx.c) and with the forecast's "why" (forecast_why.c). */
#ifndef GAPFORGE_API_SCENARIO_INTERNAL_H
#define GAPFORGE_API_SCENARIO_INTERNAL_H

#include "forecast_internal.h"
#include "gapforge/model_attrib.h"
#include "gapforge/model_plan.h"

/* One of the org's levers as the model sees it, with its key and name. */
typedef struct sc_lever {
    char key[72];
    char name[208];
    gf_model_lever lv;
    uint32_t *deals; /* concession: open-deal indices (owned) */
    int usable;      /* 0: the model cannot apply it (e.g. a negative win_rate effect) */
} sc_lever;

/* A forecast run and the lever context built on it. Owned by the caller (gf_api__sc_clear). */
typedef struct sc_ctx {
    fc_params p;
    gf_store_history *h;
    fc_run r;
    char currency[8];
    gf_model_sim_input base;
    gf_model_lever_ctx ctx;
    double *p_ever, *p_new;
    int64_t *pool, *next;
    sc_lever *levers; /* every lever of the org, by key */
    size_t n_levers;
    gf_model_attrib why; /* the forecast's drivers and their split */
    char lead_kpi[72];   /* the KPI leading to bookings that why used, or "" */
} sc_ctx;

/* Reads period, scope, as_of, trials and seed from the JSON body (period required), loads the
 * history, runs the forecast and its "why" and builds the lever context with every lever of the
 * org. Fields
 * other than `allowed` (NULL-terminated) are refused. Returns 0 or -1 with err (422 naming the
 * field). */
int gf_api__sc_open(const gf_req *req, const char *const *allowed, sc_ctx *sc, gf_err *err);

/* The index of the org's lever named key, or -1. */
long gf_api__sc_find(const sc_ctx *sc, const char *key);

/* Sets the deals a concession lever concedes from a JSON array of deal ids (open deals in scope;
 * 422 on field otherwise). Returns 0 or -1. */
int gf_api__sc_deals(sc_ctx *sc, size_t lever, const json_t *ids, const char *field, gf_err *err);

/* Fills the model's table of P(won by period end | created on day d) when a lever needs it.
 * Returns 0 or -1 with err. */
int gf_api__sc_prepare(sc_ctx *sc, const gf_model_lever *levers, size_t n, gf_err *err);

void gf_api__sc_clear(sc_ctx *sc);

/* The drivers of projected bookings (baseline: the four quarters before the period; current: the
 * period to date and projected) and their split. When a KPI leads to bookings (aggregation sum)
 * with observations in both windows, lead volume x conversion replaces opportunities and kpi
 * receives its key (else ""). Returns 0 or -1 with err. */
int gf_api__fc_why(int64_t org_id, const fc_params *p, const gf_store_history *h, const fc_run *r,
                   gf_model_attrib *out, char kpi[72], gf_err *err);

/* The "why" object of the forecast answer (kpi: the leading KPI's key or ""). New reference. */
json_t *gf_api__fc_why_json(const gf_model_attrib *a, const char *kpi, const char *currency);

/* The label of a driver in plain words ("win rate"); *percent 1 for rates. */
const char *gf_api__fc_driver_label(int driver, int *percent);

#endif

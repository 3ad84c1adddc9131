/* alerts_internal.h — what the alert evaluation (alerts.c), the kinds and their evaluators
 * (alert_kinds.c) and the payload builders (alert_payload.c) share (private to src/service). */
#ifndef GAPFORGE_SERVICE_ALERTS_INTERNAL_H
#define GAPFORGE_SERVICE_ALERTS_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "gapforge/err.h"
#include "gapforge/period.h"
#include "gapforge/service.h"
#include "gapforge/store_alerts.h"

/* What one rule's evaluation works from and what it found. The evaluation fills the inputs;
 * the kind's evaluator fills state, figures and message, or reason when it cannot say. */
typedef struct gf_svc__alert_eval {
    int64_t org_id;
    const gf_store_alert_rule *rule;
    gf_period period; /* the rule's period resolved against today */
    int today;
    char currency[8];
    const json_t *forecast; /* borrowed: the scope's forecast document, when the kind reads it */
    json_t *indicators;     /* borrowed: the evaluation's GET /v1/indicators documents by scope */
    char state[600];        /* "ok" or a firing state ("firing", "shifted_down", "slipped:1,2") */
    json_t *figures;        /* owned */
    char message[800];
    char reason[300]; /* non-empty: not evaluated, and why */
    /* Set by an evaluator whose firing state has a plan to ask for (kpi_miss): the plan is
     * made when the state changes to it, as for the forecast kinds with a gap. */
    char plan_metric[72];
    gf_svc_forecast_req plan_req;
} gf_svc__alert_eval;

/* One kind's evaluator: 0 (state and message set, or reason), or a negative code with err when
 * the database is unavailable. */
typedef int (*gf_svc__alert_fn)(gf_svc__alert_eval *ev, gf_err *err);

/* A kind of rule as the evaluation dispatches it. */
typedef struct gf_svc__alert_kind {
    const char *kind;
    bool needs_forecast; /* the evaluation reads the scope's forecast into ev->forecast first */
    gf_svc__alert_fn fn;
} gf_svc__alert_kind;

/* The row of kind in the kinds' table (alert_kinds.c), or NULL. */
const gf_svc__alert_kind *gf_svc__alert_kind_find(const char *kind);

/* The payload of one delivery of alert (gf_alert_json, figures included) to a webhook of kind
 * (slack: text and Block Kit blocks within Slack's limits; teams: an Adaptive Card in the
 * Workflows message envelope under 28 KB; json: {type, timestamp, data}) with event_type
 * alert.fired or alert.resolved, as compact JSON text (malloc'd), or NULL when memory runs out. */
char *gf_svc__alert_body(const char *kind, const json_t *alert, const char *event_type);

#endif

/* api.h — the REST resources: the routing table, authentication and shared handler helpers.
 *
 * One file per resource under src/api/ (orgs.c, keys.c, stages.c, teams.c, reps.c, deals.c,
 * health.c, ...); each exports its handlers here and the table in routes.c wires them up. */
#ifndef GAPFORGE_API_H
#define GAPFORGE_API_H

#include <stdint.h>

#include "gapforge/config.h"
#include "gapforge/http.h"
#include "gapforge/period.h"
#include "gapforge/service.h"

/* The routing table and its size. */
extern const gf_route gf_api_routes[];
extern const size_t gf_api_nroutes;

/* Makes the configuration visible to handlers (admin token, migrations folder). Call once
 * before the server starts; cfg must outlive the server. */
void gf_api_init(const gf_config *cfg);
const gf_config *gf_api_config(void);

/* Sets up the per-API-key rate limit of the configuration (GAPFORGE_RATE_LIMIT) and registers
 * its metric; gf_api_init calls it, later calls do nothing. */
void gf_api_rate_limit_init(void);

/* The gf_auth_fn of the server: API keys (Bearer gf_...) and the service admin token. */
int gf_api_authenticate(const char *authorization, gf_scope scope, gf_principal *who, gf_err *err)
    GF_MUST_CHECK;

/* ---- shared helpers for handlers ---- */

/* Pagination parameters: ?limit= (1..500, default 100) and ?cursor= (opaque, from a previous
 * page). Returns 0, or -1 with a 422 naming the parameter. */
int gf_api_page_params(const gf_req *req, int *limit, int64_t *after, gf_err *err) GF_MUST_CHECK;

/* Reads the page of a list after cursor `after` with the strings a handler kept (args[i] may be
 * NULL): the store call behind a paginated list. */
#define GF_API_PAGE_ARGS 8
typedef json_t *(*gf_api_page_fn)(int64_t org_id, char *const *args, int limit, int64_t after,
                                  gf_err *err);

/* Makes a CSV answer of a paginated list hold every row from the requested cursor on, streamed:
 * after the handler's first page (page, not taken), the server reads the next pages with fn,
 * 500 rows a read, as the client takes them. args (nargs <= GF_API_PAGE_ARGS) are copied. Does
 * nothing when page is NULL or the last page; a JSON answer ignores it (clients page with
 * cursor). */
void gf_api_stream_pages(gf_resp *resp, const json_t *page, gf_api_page_fn fn, int64_t org_id,
                         const char *const *args, size_t nargs);

/* Formats an int64 into buf (for SQL parameters); returns buf. */
const char *gf_api_i64(int64_t v, char buf[24]);

/* Parses a path parameter as a positive id; returns 0 or -1 (404 with what). */
int gf_api_path_id(const char *text, const char *what, int64_t *id, gf_err *err) GF_MUST_CHECK;

/* ---- handlers ---- */
void gf_api_healthz(gf_req *req, gf_resp *resp);
void gf_api_readyz(gf_req *req, gf_resp *resp);
void gf_api_metrics(gf_req *req, gf_resp *resp);

/* Idempotency-Key on POST (src/api/idempotency.c): the server's gf_handler_hooks. */
int gf_api_idempotency_before(gf_req *req, gf_resp *resp, void **state);
void gf_api_idempotency_after(gf_req *req, gf_resp *resp, void *state);
/* The server's before hook (src/api/auth.c): makes the caller's org the org of this thread's
 * transactions (gf_store_set_org: row-level security), then gf_api_idempotency_before. */
int gf_api_org_before(gf_req *req, gf_resp *resp, void **state);

void gf_api_orgs_create(gf_req *req, gf_resp *resp);
void gf_api_org_get(gf_req *req, gf_resp *resp);
void gf_api_org_patch(gf_req *req, gf_resp *resp);

void gf_api_keys_list(gf_req *req, gf_resp *resp);
void gf_api_keys_create(gf_req *req, gf_resp *resp);
void gf_api_keys_revoke(gf_req *req, gf_resp *resp);

/* Streamed bulk imports (src/api/imports.c). */
extern const gf_stream_ops gf_api_import_deals_ops;
extern const gf_stream_ops gf_api_import_deal_events_ops;
extern const gf_stream_ops gf_api_import_kpi_observations_ops;
/* ---- people: stages, teams, reps ---- */
void gf_api_stages_list(gf_req *req, gf_resp *resp);
void gf_api_stages_replace(gf_req *req, gf_resp *resp);

void gf_api_teams_list(gf_req *req, gf_resp *resp);
void gf_api_teams_create(gf_req *req, gf_resp *resp);
void gf_api_team_get(gf_req *req, gf_resp *resp);
void gf_api_team_patch(gf_req *req, gf_resp *resp);

void gf_api_reps_list(gf_req *req, gf_resp *resp);
void gf_api_reps_create(gf_req *req, gf_resp *resp);
void gf_api_rep_get(gf_req *req, gf_resp *resp);
void gf_api_rep_patch(gf_req *req, gf_resp *resp);
/* GET /v1/reps/{key}/scorecard (src/api/scorecard.c). */
void gf_api_rep_scorecard(gf_req *req, gf_resp *resp);
/* ---- deals (src/api/deals.c) ---- */
void gf_api_deals_list(gf_req *req, gf_resp *resp);
void gf_api_deals_create(gf_req *req, gf_resp *resp);
void gf_api_deal_put(gf_req *req, gf_resp *resp);
void gf_api_deal_get_external(gf_req *req, gf_resp *resp);
void gf_api_deal_get(gf_req *req, gf_resp *resp);
void gf_api_deal_patch(gf_req *req, gf_resp *resp);
void gf_api_deal_delete(gf_req *req, gf_resp *resp);
void gf_api_deal_history(gf_req *req, gf_resp *resp);
/* ---- inputs: periods, targets, commits, KPIs, levers ---- */

/* Parses spec (a quarter name or "YYYY-MM-DD..YYYY-MM-DD") with the caller's org fiscal year
 * start month into *p. Returns 0, or -1 with a 422 naming field (503 if the database is down). */
int gf_api_period(const gf_req *req, const char *spec, const char *field, gf_period *p, gf_err *err)
    GF_MUST_CHECK;

/* A query parameter as an integer within [min, max], def when absent; -1 with a 422 naming it. */
int gf_api_query_int(const gf_req *req, const char *name, int min, int max, int def, int *out,
                     gf_err *err) GF_MUST_CHECK;

/* A store list of an org's rows, narrowed to a scope and a period when they are not NULL. */
typedef json_t *(*gf_api_scoped_list_fn)(int64_t org_id, const char *scope, const gf_period *period,
                                         int limit, int64_t after, gf_err *err);

/* Answers GET of such a list (commits, adjustments): ?scope= and ?period= (each optional),
 * ?limit= and ?cursor=; 200 with fn's page, or the error (422 naming the parameter). */
void gf_api_scoped_list(gf_req *req, gf_resp *resp, gf_api_scoped_list_fn fn);

void gf_api_periods_list(gf_req *req, gf_resp *resp);

void gf_api_targets_put(gf_req *req, gf_resp *resp);
void gf_api_targets_list(gf_req *req, gf_resp *resp);

void gf_api_commits_create(gf_req *req, gf_resp *resp);
void gf_api_commits_list(gf_req *req, gf_resp *resp);

/* Manager adjustments (src/api/adjustments.c). */
void gf_api_adjustments_create(gf_req *req, gf_resp *resp);
void gf_api_adjustments_list(gf_req *req, gf_resp *resp);

void gf_api_kpis_list(gf_req *req, gf_resp *resp);
void gf_api_kpi_get(gf_req *req, gf_resp *resp);
void gf_api_kpi_put(gf_req *req, gf_resp *resp);
void gf_api_kpi_observations_add(gf_req *req, gf_resp *resp);
void gf_api_kpi_observations_list(gf_req *req, gf_resp *resp);
/* GET /v1/kpis/{key}/forecast?period=&scope=&as_of=&trials=&seed= */
void gf_api_kpi_forecast(gf_req *req, gf_resp *resp);

void gf_api_levers_list(gf_req *req, gf_resp *resp);
void gf_api_lever_get(gf_req *req, gf_resp *resp);
void gf_api_lever_put(gf_req *req, gf_resp *resp);
void gf_api_lever_delete(gf_req *req, gf_resp *resp);

/* ---- pipeline waterfall (src/api/pipeline.c) ---- */
void gf_api_pipeline_changes(gf_req *req, gf_resp *resp);
/* ---- forecasts (src/api/forecast*.c) ---- */

/* The forecast request of a JSON body (snapshots, scenarios, plans). */
typedef struct gf_api_forecast_body {
    gf_svc_forecast_req req;
    char num[2][24]; /* trials and seed as text */
} gf_api_forecast_body;

/* Reads period (required), scope, as_of (strings) and trials, seed (integers) of the request's
 * JSON body into fb->req, refusing any field not in allowed (NULL-terminated). A body that is
 * not a JSON object is GF_EMALFORMED; a field that is unknown, of the wrong type or invalid is
 * GF_EINVALID naming it. Returns 0 or a negative code with err. */
int gf_api_forecast_body_read(const gf_req *req, const char *const *allowed,
                              gf_api_forecast_body *fb, gf_err *err) GF_MUST_CHECK;

void gf_api_forecast_get(gf_req *req, gf_resp *resp);
void gf_api_forecast_rollup(gf_req *req, gf_resp *resp);
void gf_api_projections_get(gf_req *req, gf_resp *resp);
void gf_api_forecast_snapshot_create(gf_req *req, gf_resp *resp);
void gf_api_forecast_snapshot_list(gf_req *req, gf_resp *resp);
/* POST /v1/scenarios and POST /v1/plans (src/api/scenarios.c). */
void gf_api_scenario_create(gf_req *req, gf_resp *resp);
void gf_api_plan_create(gf_req *req, gf_resp *resp);
/* POST /v1/backtests and GET /v1/backtests/{id} (src/api/backtests.c). */
void gf_api_backtest_create(gf_req *req, gf_resp *resp);
void gf_api_backtest_get(gf_req *req, gf_resp *resp);
/* GET /v1/accuracy (src/api/accuracy.c). */
void gf_api_accuracy_get(gf_req *req, gf_resp *resp);
/* GET /v1/funnel (src/api/funnel.c). */
void gf_api_funnel_get(gf_req *req, gf_resp *resp);
/* Alert rules and alerts (src/api/alerts.c), webhooks and deliveries (src/api/webhooks.c). */
void gf_api_alert_rules_list(gf_req *req, gf_resp *resp);
void gf_api_alert_rule_get(gf_req *req, gf_resp *resp);
void gf_api_alert_rule_put(gf_req *req, gf_resp *resp);
void gf_api_alert_rule_delete(gf_req *req, gf_resp *resp);
void gf_api_alerts_evaluate(gf_req *req, gf_resp *resp);
void gf_api_alerts_list(gf_req *req, gf_resp *resp);
void gf_api_webhooks_list(gf_req *req, gf_resp *resp);
void gf_api_webhooks_create(gf_req *req, gf_resp *resp);
void gf_api_webhook_delete(gf_req *req, gf_resp *resp);
void gf_api_deliveries_list(gf_req *req, gf_resp *resp);
void gf_api_delivery_retry(gf_req *req, gf_resp *resp);

/* The dashboard (src/api/web.c): GET / and GET /assets/{hash}/{name}, no key needed. */
void gf_api_web_index(gf_req *req, gf_resp *resp);
void gf_api_web_asset(gf_req *req, gf_resp *resp);

/* GET /v1/indicators (src/api/indicators.c). */
void gf_api_indicators_get(gf_req *req, gf_resp *resp);

#endif

/* routes.c — the routing table: (method, path pattern, handler, required scope,
 * JSON body). */
#include "gapforge/api.h"

const gf_route gf_api_routes[] = {
    {"GET", "/healthz", gf_api_healthz, GF_SCOPE_NONE, false},
    {"GET", "/readyz", gf_api_readyz, GF_SCOPE_NONE, false},

    {"POST", "/v1/orgs", gf_api_orgs_create, GF_SCOPE_SERVICE, true},
    {"GET", "/v1/org", gf_api_org_get, GF_SCOPE_READ, false},
    {"PATCH", "/v1/org", gf_api_org_patch, GF_SCOPE_ADMIN, true},

    {"GET", "/v1/api-keys", gf_api_keys_list, GF_SCOPE_ADMIN, false},
    {"POST", "/v1/api-keys", gf_api_keys_create, GF_SCOPE_ADMIN, true},
    {"DELETE", "/v1/api-keys/{id}", gf_api_keys_revoke, GF_SCOPE_ADMIN, false},

    {"POST", "/v1/imports/deals", NULL, GF_SCOPE_WRITE, false, &gf_api_import_deals_ops},
    {"POST", "/v1/imports/deal-events", NULL, GF_SCOPE_WRITE, false,
     &gf_api_import_deal_events_ops},
    {"POST", "/v1/imports/kpi-observations", NULL, GF_SCOPE_WRITE, false,
     &gf_api_import_kpi_observations_ops},
    /* people: stages, teams, reps */
    {"GET", "/v1/stages", gf_api_stages_list, GF_SCOPE_READ, false},
    {"PUT", "/v1/stages", gf_api_stages_replace, GF_SCOPE_WRITE, true},
    {"GET", "/v1/teams", gf_api_teams_list, GF_SCOPE_READ, false},
    {"POST", "/v1/teams", gf_api_teams_create, GF_SCOPE_WRITE, true},
    {"GET", "/v1/teams/{key}", gf_api_team_get, GF_SCOPE_READ, false},
    {"PATCH", "/v1/teams/{key}", gf_api_team_patch, GF_SCOPE_WRITE, true},
    {"GET", "/v1/reps", gf_api_reps_list, GF_SCOPE_READ, false},
    {"POST", "/v1/reps", gf_api_reps_create, GF_SCOPE_WRITE, true},
    {"GET", "/v1/reps/{key}", gf_api_rep_get, GF_SCOPE_READ, false},
    {"PATCH", "/v1/reps/{key}", gf_api_rep_patch, GF_SCOPE_WRITE, true},
    {"GET", "/v1/reps/{key}/scorecard", gf_api_rep_scorecard, GF_SCOPE_READ, false},
    {"GET", "/v1/deals", gf_api_deals_list, GF_SCOPE_READ, false},
    {"POST", "/v1/deals", gf_api_deals_create, GF_SCOPE_WRITE, true},
    {"GET", "/v1/deals/by-external-id/{external_id}", gf_api_deal_get_external, GF_SCOPE_READ,
     false},
    {"PUT", "/v1/deals/by-external-id/{external_id}", gf_api_deal_put, GF_SCOPE_WRITE, true},
    {"GET", "/v1/deals/{id}", gf_api_deal_get, GF_SCOPE_READ, false},
    {"PATCH", "/v1/deals/{id}", gf_api_deal_patch, GF_SCOPE_WRITE, true},
    {"DELETE", "/v1/deals/{id}", gf_api_deal_delete, GF_SCOPE_WRITE, false},
    {"GET", "/v1/deals/{id}/history", gf_api_deal_history, GF_SCOPE_READ, false},
    /* inputs: periods, targets, commits, KPIs, levers */
    {"GET", "/v1/periods", gf_api_periods_list, GF_SCOPE_READ, false},
    {"GET", "/v1/targets", gf_api_targets_list, GF_SCOPE_READ, false},
    {"PUT", "/v1/targets", gf_api_targets_put, GF_SCOPE_WRITE, true},
    {"GET", "/v1/commits", gf_api_commits_list, GF_SCOPE_READ, false},
    {"POST", "/v1/commits", gf_api_commits_create, GF_SCOPE_WRITE, true},
    {"GET", "/v1/kpis", gf_api_kpis_list, GF_SCOPE_READ, false},
    {"GET", "/v1/kpis/{key}", gf_api_kpi_get, GF_SCOPE_READ, false},
    {"PUT", "/v1/kpis/{key}", gf_api_kpi_put, GF_SCOPE_WRITE, true},
    {"GET", "/v1/kpis/{key}/observations", gf_api_kpi_observations_list, GF_SCOPE_READ, false},
    {"POST", "/v1/kpis/{key}/observations", gf_api_kpi_observations_add, GF_SCOPE_WRITE, true},
    {"GET", "/v1/levers", gf_api_levers_list, GF_SCOPE_READ, false},
    {"GET", "/v1/levers/{key}", gf_api_lever_get, GF_SCOPE_READ, false},
    {"PUT", "/v1/levers/{key}", gf_api_lever_put, GF_SCOPE_WRITE, true},
    {"DELETE", "/v1/levers/{key}", gf_api_lever_delete, GF_SCOPE_WRITE, false},
    /* pipeline waterfall */
    {"GET", "/v1/pipeline/changes", gf_api_pipeline_changes, GF_SCOPE_READ, false},
    /* forecasts */
    {"GET", "/v1/forecast", gf_api_forecast_get, GF_SCOPE_READ, false},
    {"GET", "/v1/forecast/rollup", gf_api_forecast_rollup, GF_SCOPE_READ, false},
    {"GET", "/v1/forecast/snapshots", gf_api_forecast_snapshot_list, GF_SCOPE_READ, false},
    {"POST", "/v1/forecast/snapshots", gf_api_forecast_snapshot_create, GF_SCOPE_WRITE, true},
    {"POST", "/v1/scenarios", gf_api_scenario_create, GF_SCOPE_READ, true},
    {"POST", "/v1/plans", gf_api_plan_create, GF_SCOPE_READ, true},
    {"POST", "/v1/backtests", gf_api_backtest_create, GF_SCOPE_READ, true},
    {"GET", "/v1/backtests/{id}", gf_api_backtest_get, GF_SCOPE_READ, false},
};

const size_t gf_api_nroutes = sizeof gf_api_routes / sizeof gf_api_routes[0];

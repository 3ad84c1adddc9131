/* forecast.c — GET /v1/forecast, GET /v1/forecast/rollup and the forecast snapshots
 * (POST/GET /v1/forecast/snapshots): parameters in, one service call, the document out. */
#include <stdio.h>
#include <string.h>

#include "gapforge/api.h"
#include "gapforge/service.h"
#include "gapforge/store.h"

/* The forecast parameters of a query string. */
static void query_args(const gf_req *req, gf_svc_forecast_args *a)
{
    *a = (gf_svc_forecast_args){
        .period = gf_req_query(req, "period"),
        .scope = gf_req_query(req, "scope"),
        .as_of = gf_req_query(req, "as_of"),
        .trials = gf_req_query(req, "trials"),
        .seed = gf_req_query(req, "seed"),
        .explain = gf_req_query(req, "explain"),
    };
}

/* A validated forecast request from the query string. */
static int query_request(const gf_req *req, gf_svc_forecast_req *fr, gf_err *err)
{
    gf_svc_forecast_args a;
    query_args(req, &a);
    if (gf_svc_forecast_req_parse(req->who.org_id, &a, fr, err) < 0)
        return err->code;
    fr->request_id = req->request_id;
    return 0;
}

void gf_api_forecast_get(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    gf_svc_forecast_req fr;
    json_t *body = NULL;
    if (query_request(req, &fr, &err) == 0)
        body = gf_svc_forecast_answer(&fr, &err);
    gf_resp_result(resp, 200, body, &err);
}

void gf_api_forecast_rollup(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    gf_svc_forecast_req fr;
    json_t *body = NULL;
    if (query_request(req, &fr, &err) == 0)
        body = gf_svc_rollup_answer(&fr, &err);
    gf_resp_result(resp, 200, body, &err);
}

static const char *const snapshot_fields[] = {"period", "scope", "as_of", "trials", "seed", NULL};

void gf_api_forecast_snapshot_create(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    gf_api_forecast_body fb;
    json_t *snap = NULL;
    if (gf_api_forecast_body_read(req, snapshot_fields, &fb, &err) == 0)
        snap = gf_svc_snapshot_create(&fb.req, &err);
    gf_resp_result(resp, 201, snap, &err);
}

void gf_api_forecast_snapshot_list(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    int limit;
    int64_t after;
    gf_period period;
    gf_scope_ids ids;
    json_t *page = NULL;
    const char *spec = gf_req_query(req, "period"), *scope = gf_req_query(req, "scope");
    if (gf_api_page_params(req, &limit, &after, &err) == 0 &&
        (!spec || gf_api_period(req, spec, "period", &period, &err) == 0) &&
        (!scope || gf_store_scope_resolve(req->who.org_id, scope, "scope", &ids, &err) == 0))
        page = gf_store_forecast_snapshot_list(req->who.org_id, scope, spec ? &period : NULL, limit,
                                               after, &err);
    gf_resp_result(resp, 200, page, &err);
}

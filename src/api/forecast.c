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

/* A cached answer of kind (service.h, gf_svc_answer_get): 304 when the client's If-None-Match
 * names its ETag, else the document with its ETag. CSV (Accept: text/csv, on routes with a CSV
 * table) is another representation, so another ETag. */
static void cached_answer(gf_req *req, gf_resp *resp, gf_svc_answer_kind kind, const char *by)
{
    gf_err err = {0};
    gf_svc_forecast_req fr;
    gf_svc_answer a;
    const char *accept = gf_req_header(req, "Accept");
    const int csv = kind != GF_SVC_ANSWER_FORECAST && accept && strstr(accept, "text/csv");
    if (query_request(req, &fr, &err) < 0 ||
        gf_svc_answer_get(kind, &fr, by, csv, gf_req_header(req, "If-None-Match"), &a, &err) < 0) {
        gf_resp_error(resp, &err);
        return;
    }
    gf_resp_cached(resp, a.etag, a.not_modified, a.text, a.len);
}

void gf_api_forecast_get(gf_req *req, gf_resp *resp)
{
    cached_answer(req, resp, GF_SVC_ANSWER_FORECAST, NULL);
}

void gf_api_forecast_rollup(gf_req *req, gf_resp *resp)
{
    cached_answer(req, resp, GF_SVC_ANSWER_ROLLUP, NULL);
}

void gf_api_projections_get(gf_req *req, gf_resp *resp)
{
    if (gf_req_query(req, "scope")) {
        gf_err err;
        gf_err_invalid(&err, "scope", "projections cover every scope of by; scope is not taken");
        gf_resp_error(resp, &err);
        return;
    }
    cached_answer(req, resp, GF_SVC_ANSWER_PROJECTIONS, gf_req_query(req, "by"));
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

/* The snapshots' page function for a streamed CSV: args are the scope and the period as
 * "start end fy quarter" (day numbers) and its name. */
static json_t *snapshot_page(int64_t org_id, char *const *args, int limit, int64_t after,
                             gf_err *err)
{
    gf_period period = {0};
    if (args[1] && sscanf(args[1], "%d %d %d %d", &period.start, &period.end, &period.fy,
                          &period.quarter) == 4)
        snprintf(period.name, sizeof period.name, "%s", args[2]);
    return gf_store_forecast_snapshot_list(org_id, args[0], args[1] ? &period : NULL, limit, after,
                                           err);
}

void gf_api_forecast_snapshot_list(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    int limit;
    int64_t after;
    gf_period period = {0};
    gf_scope_ids ids;
    json_t *page = NULL;
    const char *spec = gf_req_query(req, "period"), *scope = gf_req_query(req, "scope");
    if (gf_api_page_params(req, &limit, &after, &err) == 0 &&
        (!spec || gf_api_period(req, spec, "period", &period, &err) == 0) &&
        (!scope || gf_store_scope_resolve(req->who.org_id, scope, "scope", &ids, &err) == 0))
        page = gf_store_forecast_snapshot_list(req->who.org_id, scope, spec ? &period : NULL, limit,
                                               after, &err);
    char days[64];
    snprintf(days, sizeof days, "%d %d %d %d", period.start, period.end, period.fy, period.quarter);
    const char *args[] = {scope, spec ? days : NULL, spec ? period.name : NULL};
    if (page)
        gf_api_stream_pages(resp, page, snapshot_page, req->who.org_id, args, 3);
    gf_resp_result(resp, 200, page, &err);
}

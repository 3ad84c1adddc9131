/* indicators.c — GET /v1/indicators: the query in, one service call, the document out. */
#include "gapforge/api.h"
#include "gapforge/service_indicators.h"

void gf_api_indicators_get(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    gf_svc_indicators_req ir;
    json_t *body = NULL;
    const gf_svc_indicators_args a = {.scope = gf_req_query(req, "scope"),
                                      .as_of = gf_req_query(req, "as_of")};
    if (gf_svc_indicators_req_parse(req->who.org_id, &a, &ir, &err) == 0) {
        ir.request_id = req->request_id;
        body = gf_svc_indicators_answer(&ir, &err);
    }
    gf_resp_result(resp, 200, body, &err);
}

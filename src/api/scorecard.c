/* scorecard.c — GET /v1/reps/{key}/scorecard: parameters in, one service call, the document
 * out. */
#include "gapforge/api.h"
#include "gapforge/service.h"

void gf_api_rep_scorecard(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    gf_svc_scorecard_req sr;
    json_t *body = NULL;
    if (gf_svc_scorecard_req_parse(req->who.org_id, req->params[0], gf_req_query(req, "period"),
                                   gf_req_query(req, "as_of"), &sr, &err) == 0) {
        sr.request_id = req->request_id;
        body = gf_svc_scorecard_answer(&sr, &err);
    }
    gf_resp_result(resp, 200, body, &err);
}

/* funnel.c — GET /v1/funnel: the query in, one service call, the document out. */
#include "gapforge/api.h"
#include "gapforge/service_funnel.h"

void gf_api_funnel_get(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    gf_svc_funnel_req fr;
    json_t *body = NULL;
    const gf_svc_funnel_args a = {.scope = gf_req_query(req, "scope"),
                                  .from = gf_req_query(req, "from"),
                                  .to = gf_req_query(req, "to")};
    if (gf_svc_funnel_req_parse(req->who.org_id, &a, &fr, &err) == 0) {
        fr.request_id = req->request_id;
        body = gf_svc_funnel_answer(&fr, &err);
    }
    gf_resp_result(resp, 200, body, &err);
}

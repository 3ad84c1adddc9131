/* response.c — JSON responses and errors, and request accessors. */
#include <microhttpd.h>

#include "gapforge/http.h"

void gf_resp_json(gf_resp *resp, int status, json_t *body)
{
    json_decref(resp->body);
    resp->status = status;
    resp->body = body;
}

json_t *gf_http_error_body(const gf_err *err)
{
    json_t *e = json_pack("{s:s, s:s}", "code", err->code ? err->code : "internal", "message",
                          err->message[0] ? err->message : "internal error");
    if (err->field[0])
        json_object_set_new(e, "field", json_string(err->field));
    return json_pack("{s:o}", "error", e);
}

void gf_resp_error(gf_resp *resp, const gf_err *err)
{
    int status = err->status >= 400 && err->status <= 599 ? err->status : 500;
    gf_resp_json(resp, status, gf_http_error_body(err));
}

void gf_resp_result(gf_resp *resp, int status, json_t *body, const gf_err *err)
{
    if (body)
        gf_resp_json(resp, status, body);
    else
        gf_resp_error(resp, err);
}

const char *gf_req_query(const gf_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *gf_req_header(const gf_req *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

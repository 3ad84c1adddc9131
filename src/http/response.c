/* response.c — JSON responses and errors, and request accessors. */
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>

#include "gapforge/http.h"

void gf_resp_cached(gf_resp *resp, const char *etag, bool not_modified, char *text, size_t len)
{
    json_decref(resp->body);
    resp->body = NULL;
    free(resp->text);
    resp->text = NULL;
    snprintf(resp->etag, sizeof resp->etag, "%s", etag);
    resp->cache_control = "private, max-age=60";
    if (not_modified) {
        free(text);
        resp->status = 304;
        return;
    }
    if (!text) {
        gf_err err;
        gf_err_internal(&err);
        resp->etag[0] = '\0';
        resp->cache_control = NULL;
        gf_resp_error(resp, &err);
        return;
    }
    resp->status = 200;
    resp->text = text;
    resp->text_len = len;
    resp->content_type = "application/json";
}

void gf_resp_json(gf_resp *resp, int status, json_t *body)
{
    json_decref(resp->body);
    free(resp->text);
    resp->text = NULL;
    resp->status = status;
    resp->body = body;
}

/* The one table from domain error codes to HTTP statuses. */
static const struct {
    gf_errcode code;
    int status;
} status_of[] = {
    {GF_EMALFORMED, 400},   {GF_EUNAUTHENTICATED, 401}, {GF_EFORBIDDEN, 403},
    {GF_ENOTFOUND, 404},    {GF_ECONFLICT, 409},        {GF_ETOOLARGE, 413},
    {GF_EUNSUPPORTED, 415}, {GF_EINVALID, 422},         {GF_EINTERNAL, 500},
    {GF_EUNAVAILABLE, 503}, {GF_ENOTIMPLEMENTED, 501},  {GF_ETIMEOUT, 408},
    {GF_ERATELIMITED, 429},
};

int gf_http_status_of(gf_errcode code)
{
    for (size_t k = 0; k < sizeof status_of / sizeof status_of[0]; k++)
        if (status_of[k].code == code)
            return status_of[k].status;
    return 500;
}

json_t *gf_http_error_body(const gf_err *err)
{
    json_t *e = json_pack("{s:s, s:s}", "code", err->code ? gf_err_reason(err) : "internal",
                          "message", err->message[0] ? err->message : "internal error");
    if (err->field[0])
        json_object_set_new(e, "field", json_string(err->field));
    return json_pack("{s:o}", "error", e);
}

void gf_resp_error(gf_resp *resp, const gf_err *err)
{
    gf_resp_json(resp, gf_http_status_of(err->code), gf_http_error_body(err));
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

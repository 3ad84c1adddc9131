/* webhooks.c — GET/POST /v1/webhooks, DELETE /v1/webhooks/{id} (the secret is shown once, on
 * creation), GET /v1/deliveries and POST /v1/deliveries/{id}/retry. */
#include <string.h>

#include "gapforge/api.h"
#include "gapforge/service_alerts.h"
#include "gapforge/store_alerts.h"
#include "gapforge/validate.h"

static const char *const webhook_kinds[] = {"slack", "teams", "json", NULL};

enum { F_NAME, F_KIND, F_URL, F_COUNT };

static const gf_field webhook_fields[] = {
    [F_NAME] = {"name", GF_F_TEXT, GF_REQUIRED, NULL, 0, 0, 200},
    [F_KIND] = {"kind", GF_F_ENUM, GF_REQUIRED, webhook_kinds, 0, 0, 0},
    [F_URL] = {"url", GF_F_TEXT, GF_REQUIRED, NULL, 0, 0, 2000},
};

void gf_api_webhooks_create(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    gf_values v = {0};
    json_t *w = NULL;
    if (gf_validate(req->body, webhook_fields, F_COUNT, GF_V_CREATE, &v, &err) == 0)
        w = gf_svc_webhook_create(req->who.org_id, gf_val(&v, F_NAME), gf_val(&v, F_KIND),
                                  gf_val(&v, F_URL), &err);
    gf_values_clear(&v);
    gf_resp_result(resp, 201, w, &err);
}

void gf_api_webhooks_list(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    int limit;
    int64_t after;
    json_t *page = NULL;
    if (gf_api_page_params(req, &limit, &after, &err) == 0)
        page = gf_store_webhook_list(req->who.org_id, limit, after, &err);
    gf_resp_result(resp, 200, page, &err);
}

void gf_api_webhook_delete(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    int64_t id;
    if (gf_api_path_id(req->params[0], "webhook", &id, &err) < 0 ||
        gf_store_webhook_delete(req->who.org_id, id, &err) < 0) {
        gf_resp_error(resp, &err);
        return;
    }
    gf_resp_json(resp, 204, NULL);
}

/* An optional positive id query parameter (0 when absent); 422 naming it. */
static int query_id(const gf_req *req, const char *name, int64_t *id, gf_err *err)
{
    const char *s = gf_req_query(req, name);
    *id = 0;
    if (!s)
        return 0;
    if (gf_api_path_id(s, name, id, err) < 0)
        return gf_err_invalid(err, name, "%s must be a positive id", name);
    return 0;
}

void gf_api_deliveries_list(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    int limit;
    int64_t after, webhook, alert;
    json_t *page = NULL;
    const char *status = gf_req_query(req, "status");
    if (status && strcmp(status, "pending") != 0 && strcmp(status, "delivered") != 0 &&
        strcmp(status, "dead") != 0)
        gf_err_invalid(&err, "status", "status must be pending, delivered or dead");
    else if (query_id(req, "webhook", &webhook, &err) == 0 &&
             query_id(req, "alert", &alert, &err) == 0 &&
             gf_api_page_params(req, &limit, &after, &err) == 0)
        page = gf_store_delivery_list(req->who.org_id, status, webhook, alert, limit, after, &err);
    gf_resp_result(resp, 200, page, &err);
}

void gf_api_delivery_retry(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    int64_t id;
    json_t *d = NULL;
    if (gf_api_path_id(req->params[0], "delivery", &id, &err) == 0)
        d = gf_store_delivery_retry(req->who.org_id, id, &err);
    if (d)
        gf_svc_outbox_kick();
    gf_resp_result(resp, 200, d, &err);
}

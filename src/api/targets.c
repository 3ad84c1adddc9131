/* targets.c — PUT /v1/targets (upsert by scope, metric and period) and GET /v1/targets. */
#include <stdlib.h>
#include <string.h>

#include "gapforge/api.h"
#include "gapforge/store.h"
#include "gapforge/validate.h"

enum { F_SCOPE, F_METRIC, F_PERIOD, F_VALUE, F_COUNT };

static const gf_field target_fields[] = {
    [F_SCOPE] = {"scope", GF_F_TEXT, GF_REQUIRED, NULL, 0, 0, 80},
    [F_METRIC] = {"metric", GF_F_KEY, GF_REQUIRED, NULL, 0, 0, 0},
    [F_PERIOD] = {"period", GF_F_TEXT, GF_REQUIRED, NULL, 0, 0, 32},
    [F_VALUE] = {"value", GF_F_NUMBER, GF_REQUIRED, NULL, 0, 1e15, 0},
};

void gf_api_targets_put(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    gf_values v;
    char *money = NULL;
    gf_period period;
    json_t *target = NULL;
    if (gf_validate(req->body, target_fields, F_COUNT, GF_V_CREATE, &v, &err) < 0)
        goto done;
    const char *value = gf_val(&v, F_VALUE);
    /* A bookings target is money: whole cents (so that no figure derived from it, such as
     * coverage, can be infinite); a KPI target is any number. */
    if (strcmp(gf_val(&v, F_METRIC), "bookings") == 0) {
        money = gf_validate_value("value", GF_F_MONEY, json_object_get(req->body, "value"), &err);
        if (!money)
            goto clear;
        value = money;
    }
    if (gf_api_period(req, gf_val(&v, F_PERIOD), "period", &period, &err) == 0) {
        gf_target_fields f = {gf_val(&v, F_SCOPE), gf_val(&v, F_METRIC), value, &period};
        target = gf_store_target_put(req->who.org_id, &f, &err);
    }
clear:
    free(money);
    gf_values_clear(&v);
done:
    gf_resp_result(resp, 200, target, &err);
}

void gf_api_targets_list(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    int limit;
    int64_t after;
    gf_period period;
    json_t *page = NULL;
    const char *spec = gf_req_query(req, "period");
    const char *metric = gf_req_query(req, "metric");
    if (gf_api_page_params(req, &limit, &after, &err) == 0 &&
        (!spec || gf_api_period(req, spec, "period", &period, &err) == 0) &&
        (!metric || gf_validate_text("metric", GF_F_KEY, metric, &err) == 0))
        page = gf_store_target_list(req->who.org_id, gf_req_query(req, "scope"), metric,
                                    spec ? &period : NULL, limit, after, &err);
    gf_resp_result(resp, 200, page, &err);
}

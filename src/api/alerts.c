/* alerts.c — GET/PUT/DELETE /v1/alert-rules/{key}, GET /v1/alert-rules, POST /v1/alerts/evaluate
 * and GET /v1/alerts. A rule's params are checked against its kind's table in the service
 * (gf_svc_alert_params); its webhooks must be the org's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gapforge/api.h"
#include "gapforge/service_alerts.h"
#include "gapforge/store_alerts.h"
#include "gapforge/validate.h"

#define MAX_RULE_WEBHOOKS 16

enum { F_NAME, F_KIND, F_SCOPE, F_PERIOD, F_ENABLED, F_COUNT };

static const gf_field rule_fields[] = {
    [F_NAME] = {"name", GF_F_TEXT, GF_NULLABLE, NULL, 0, 0, 200},
    [F_KIND] = {"kind", GF_F_ENUM, GF_REQUIRED, gf_svc_alert_kinds, 0, 0, 0},
    [F_SCOPE] = {"scope", GF_F_TEXT, 0, NULL, 0, 0, 80},
    [F_PERIOD] = {"period", GF_F_TEXT, 0, NULL, 0, 0, 32},
    [F_ENABLED] = {"enabled", GF_F_BOOL, 0, NULL, 0, 0, 0},
};

/* The webhook ids of a rule as a bigint[] literal into out; 422 naming webhooks. */
static int rule_webhooks(const json_t *arr, char *out, size_t cap, gf_err *err)
{
    snprintf(out, cap, "{}");
    if (!arr)
        return 0;
    if (!json_is_array(arr) || json_array_size(arr) > MAX_RULE_WEBHOOKS)
        return gf_err_invalid(err, "webhooks",
                              "webhooks must be an array of at most %d webhook ids",
                              MAX_RULE_WEBHOOKS);
    size_t i, used = 0;
    json_t *v;
    out[used++] = '{';
    json_array_foreach(arr, i, v)
    {
        const json_int_t id = json_integer_value(v);
        if (!json_is_integer(v) || id < 1)
            return gf_err_invalid(err, "webhooks", "webhooks[%zu] must be a webhook id", i);
        for (size_t j = 0; j < i; j++)
            if (json_integer_value(json_array_get(arr, j)) == id)
                return gf_err_invalid(err, "webhooks", "webhooks[%zu] repeats webhook %lld", i,
                                      (long long)id);
        used += (size_t)snprintf(out + used, cap - used, "%s%lld", i ? "," : "", (long long)id);
    }
    snprintf(out + used, cap - used, "}");
    return 0;
}

/* True when s is a time HH:MM (HH 00..23, MM 00..59). */
static bool hhmm(const char *s)
{
    return s && strlen(s) == 5 && s[2] == ':' && s[0] >= '0' && s[0] <= '2' && s[1] >= '0' &&
           s[1] <= '9' && (s[0] < '2' || s[1] <= '3') && s[3] >= '0' && s[3] <= '5' &&
           s[4] >= '0' && s[4] <= '9';
}

/* quiet_hours: absent or null (none), or {"start": "HH:MM", "end": "HH:MM"} that differ. */
static int rule_quiet(const json_t *q, const char **start, const char **end, gf_err *err)
{
    *start = *end = NULL;
    if (!q || json_is_null(q))
        return 0;
    const char *s = json_string_value(json_object_get(q, "start"));
    const char *e = json_string_value(json_object_get(q, "end"));
    if (!json_is_object(q) || json_object_size(q) != 2 || !hhmm(s) || !hhmm(e) || strcmp(s, e) == 0)
        return gf_err_invalid(err, "quiet_hours",
                              "quiet_hours must be {\"start\": \"HH:MM\", \"end\": \"HH:MM\"} "
                              "(local time of the org, different times) or null");
    *start = s;
    *end = e;
    return 0;
}

void gf_api_alert_rule_put(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    gf_values v = {0};
    json_t *rule = NULL, *params = NULL;
    json_t *body = json_is_object(req->body) ? json_deep_copy(req->body) : json_incref(req->body);
    json_t *raw_params = NULL, *hooks = NULL, *quiet = NULL;
    if (json_is_object(body)) {
        raw_params = json_incref(json_object_get(body, "params"));
        hooks = json_incref(json_object_get(body, "webhooks"));
        quiet = json_incref(json_object_get(body, "quiet_hours"));
        json_object_del(body, "params");
        json_object_del(body, "webhooks");
        json_object_del(body, "quiet_hours");
    }
    char ids[16 * 21 + 4];
    const char *qs = NULL, *qe = NULL;
    gf_period period;
    if (gf_validate_text("key", GF_F_KEY, req->params[0], &err) < 0 ||
        gf_validate(body, rule_fields, F_COUNT, GF_V_CREATE, &v, &err) < 0)
        goto done;
    const char *given_scope = gf_val(&v, F_SCOPE), *given_period = gf_val(&v, F_PERIOD);
    const char *scope = given_scope ? given_scope : "org";
    const char *pspec = given_period ? given_period : "current";
    char pname[32];
    const size_t plen = strlen(pspec) < sizeof pname ? strlen(pspec) : sizeof pname - 1;
    memcpy(pname, pspec, plen);
    pname[plen] = '\0';
    if (strcmp(pspec, "current") != 0 && strcmp(pspec, "next") != 0) {
        if (gf_api_period(req, pspec, "period", &period, &err) < 0)
            goto done;
        snprintf(pname, sizeof pname, "%s", period.name);
    }
    params = gf_svc_alert_params(gf_val(&v, F_KIND), raw_params, &err);
    if (!params || rule_webhooks(hooks, ids, sizeof ids, &err) < 0 ||
        rule_quiet(quiet, &qs, &qe, &err) < 0)
        goto done;
    int64_t found = 0;
    if (gf_store_webhook_count(req->who.org_id, ids, &found, &err) < 0)
        goto done;
    if ((size_t)found != json_array_size(hooks)) {
        gf_err_invalid(&err, "webhooks", "webhooks must name webhooks of this org");
        goto done;
    }
    char *ptext = json_dumps(params, JSON_COMPACT);
    gf_alert_rule_fields f = {req->params[0],
                              gf_val(&v, F_NAME),
                              gf_val(&v, F_KIND),
                              scope,
                              pname,
                              ptext,
                              ids,
                              qs,
                              qe,
                              gf_val(&v, F_ENABLED)};
    int created = 0;
    rule = ptext ? gf_store_alert_rule_put(req->who.org_id, &f, &created, &err) : NULL;
    if (!ptext)
        gf_err_internal(&err);
    free(ptext);
    if (rule) {
        gf_resp_json(resp, created ? 201 : 200, rule);
        rule = NULL;
    }
done:
    if (err.code)
        gf_resp_error(resp, &err);
    gf_values_clear(&v);
    json_decref(params);
    json_decref(raw_params);
    json_decref(hooks);
    json_decref(quiet);
    json_decref(body);
}

void gf_api_alert_rule_get(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    json_t *rule = gf_store_alert_rule_get(req->who.org_id, req->params[0], &err);
    gf_resp_result(resp, 200, rule, &err);
}

void gf_api_alert_rules_list(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    int limit;
    int64_t after;
    json_t *page = NULL;
    if (gf_api_page_params(req, &limit, &after, &err) == 0)
        page = gf_store_alert_rule_list(req->who.org_id, limit, after, &err);
    gf_resp_result(resp, 200, page, &err);
}

void gf_api_alert_rule_delete(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    if (gf_store_alert_rule_delete(req->who.org_id, req->params[0], &err) < 0) {
        gf_resp_error(resp, &err);
        return;
    }
    gf_resp_json(resp, 204, NULL);
}

void gf_api_alerts_evaluate(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    const char *rule = gf_req_query(req, "rule");
    json_t *out = NULL;
    if (!rule || gf_validate_text("rule", GF_F_KEY, rule, &err) == 0)
        out = gf_svc_alerts_evaluate(req->who.org_id, rule, &err);
    gf_resp_result(resp, 200, out, &err);
}

void gf_api_alerts_list(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    int limit;
    int64_t after;
    json_t *page = NULL;
    const char *status = gf_req_query(req, "status");
    if (status && strcmp(status, "firing") != 0 && strcmp(status, "resolved") != 0)
        gf_err_invalid(&err, "status", "status must be firing or resolved");
    else if (gf_api_page_params(req, &limit, &after, &err) == 0)
        page = gf_store_alert_list(req->who.org_id, gf_req_query(req, "rule"), status, limit, after,
                                   &err);
    gf_resp_result(resp, 200, page, &err);
}

/* forecast_body.c — the forecast parameters of a JSON body (snapshots, scenarios, plans). */
#include <stdio.h>
#include <string.h>

#include "gapforge/api.h"

static int allowed_field(const char *const *allowed, const char *key)
{
    for (size_t k = 0; allowed[k]; k++)
        if (strcmp(allowed[k], key) == 0)
            return 1;
    return 0;
}

/* The body's integer field name as text in buf (NULL when absent or null). */
static int integer_text(const json_t *body, const char *name, char buf[24], const char **out,
                        gf_err *err)
{
    const json_t *v = json_object_get(body, name);
    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_integer(v))
        return gf_err_invalid(err, name, "%s must be an integer", name);
    snprintf(buf, 24, "%lld", (long long)json_integer_value(v));
    *out = buf;
    return 0;
}

int gf_api_forecast_body_read(const gf_req *req, const char *const *allowed,
                              gf_api_forecast_body *fb, gf_err *err)
{
    const json_t *body = req->body;
    memset(fb, 0, sizeof *fb);
    if (!json_is_object(body))
        return gf_err_set(err, GF_EMALFORMED, NULL, NULL, "the request body must be a JSON object");
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)body, key, v)
    {
        if (!allowed_field(allowed, key))
            return gf_err_invalid(err, key, "%s is not a field of this request", key);
        const int text =
            strcmp(key, "period") == 0 || strcmp(key, "scope") == 0 || strcmp(key, "as_of") == 0;
        if (text && !json_is_string(v))
            return gf_err_invalid(err, key, "%s must be a string", key);
    }
    gf_svc_forecast_args a = {
        .period = json_string_value(json_object_get(body, "period")),
        .scope = json_string_value(json_object_get(body, "scope")),
        .as_of = json_string_value(json_object_get(body, "as_of")),
    };
    if (!a.period)
        return gf_err_invalid(err, "period", "period is required");
    if (integer_text(body, "trials", fb->num[0], &a.trials, err) < 0 ||
        integer_text(body, "seed", fb->num[1], &a.seed, err) < 0 ||
        gf_svc_forecast_req_parse(req->who.org_id, &a, &fb->req, err) < 0)
        return err->code;
    fb->req.request_id = req->request_id;
    return 0;
}

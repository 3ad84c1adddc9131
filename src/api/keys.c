/* keys.c — GET/POST /v1/api-keys and DELETE /v1/api-keys/{id} (admin scope). */
#include <string.h>

#include "gapforge/api.h"
#include "gapforge/store.h"
#include "gapforge/validate.h"

void gf_api_keys_list(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    int limit;
    int64_t after;
    json_t *page = NULL;
    if (gf_api_page_params(req, &limit, &after, &err) == 0)
        page = gf_store_key_list(req->who.org_id, limit, after, &err);
    gf_resp_result(resp, 200, page, &err);
}

/* Joins a JSON array of scope strings into "a,b"; returns 0 or -1 (422). */
static int scopes_csv(const json_t *arr, char *out, size_t len, gf_err *err)
{
    if (!json_is_array(arr) || json_array_size(arr) == 0 || json_array_size(arr) > 3)
        return gf_err_invalid(err, "scopes",
                              "scopes must be a non-empty array of read, write, admin");
    out[0] = '\0';
    size_t i;
    json_t *s;
    json_array_foreach(arr, i, s)
    {
        if (!json_is_string(s))
            return gf_err_invalid(err, "scopes", "scopes must be strings");
        size_t used = strlen(out);
        snprintf(out + used, len - used, "%s%s", i ? "," : "", json_string_value(s));
    }
    return 0;
}

void gf_api_keys_create(gf_req *req, gf_resp *resp)
{
    static const gf_field fields[] = {
        {"name", GF_F_TEXT, GF_REQUIRED, NULL, 0, 0, 200},
    };
    gf_err err = {0};
    json_t *body = json_deep_copy(req->body);
    json_t *scopes = json_is_object(body) ? json_incref(json_object_get(body, "scopes")) : NULL;
    if (scopes)
        json_object_del(body, "scopes");
    gf_values v = {0};
    char csv[64];
    json_t *key = NULL;
    if (gf_validate(body, fields, 1, GF_V_CREATE, &v, &err) == 0 &&
        (scopes ? scopes_csv(scopes, csv, sizeof csv, &err)
                : gf_err_invalid(&err, "scopes", "scopes is required")) == 0)
        key = gf_store_key_create(req->who.org_id, gf_val(&v, 0), csv, &err);
    gf_values_clear(&v);
    json_decref(scopes);
    json_decref(body);
    gf_resp_result(resp, 201, key, &err);
}

void gf_api_keys_revoke(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    int64_t id;
    json_t *key = NULL;
    if (gf_api_path_id(req->params[0], "api key", &id, &err) == 0)
        key = gf_store_key_revoke(req->who.org_id, id, &err);
    gf_resp_result(resp, 200, key, &err);
}

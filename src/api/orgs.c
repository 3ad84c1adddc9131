/* orgs.c — POST /v1/orgs (service admin) and GET/PATCH /v1/org (the caller's own org). */
#include "gapforge/api.h"
#include "gapforge/store.h"
#include "gapforge/validate.h"

enum { F_SLUG, F_NAME, F_CURRENCY, F_FYSM, F_TZ, F_COUNT };

static const gf_field org_fields[] = {
    [F_SLUG] = {"slug", GF_F_SLUG, GF_REQUIRED, NULL, 0, 0, 0},
    [F_NAME] = {"name", GF_F_TEXT, GF_REQUIRED, NULL, 0, 0, 200},
    [F_CURRENCY] = {"currency", GF_F_CURRENCY, 0, NULL, 0, 0, 0},
    [F_FYSM] = {"fiscal_year_start_month", GF_F_INT, 0, NULL, 1, 12, 0},
    [F_TZ] = {"time_zone", GF_F_TEXT, 0, NULL, 0, 0, 64},
};

static gf_org_fields fields_of(const gf_values *v)
{
    return (gf_org_fields){gf_val(v, F_SLUG), gf_val(v, F_NAME), gf_val(v, F_CURRENCY),
                           gf_val(v, F_FYSM), gf_val(v, F_TZ)};
}

void gf_api_orgs_create(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    gf_values v;
    json_t *org = NULL, *key = NULL;
    if (gf_validate(req->body, org_fields, F_COUNT, GF_V_CREATE, &v, &err) < 0)
        goto fail;
    gf_org_fields f = fields_of(&v);
    int64_t org_id = 0;
    org = gf_store_org_create(&f, &org_id, &err);
    if (!org)
        goto fail;
    gf_store_set_org(org_id); /* the key is the new org's row */
    key = gf_store_key_create(org_id, "admin", "read,write,admin", &err);
    if (!key)
        goto fail;
    gf_values_clear(&v);
    gf_resp_json(resp, 201, json_pack("{s:o, s:o}", "org", org, "api_key", key));
    return;
fail:
    gf_values_clear(&v);
    json_decref(org);
    gf_resp_error(resp, &err);
}

void gf_api_org_get(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    json_t *org = gf_store_org_get(req->who.org_id, &err);
    gf_resp_result(resp, 200, org, &err);
}

void gf_api_org_patch(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    gf_values v;
    if (gf_validate(req->body, org_fields, F_COUNT, GF_V_PATCH, &v, &err) < 0) {
        gf_resp_error(resp, &err);
        return;
    }
    json_t *org = NULL;
    if (v.present[F_SLUG])
        gf_err_invalid(&err, "slug", "an org's slug cannot change");
    else if (gf_values_count(&v) == 0)
        gf_err_invalid(&err, NULL, "nothing to change");
    else {
        gf_org_fields f = fields_of(&v);
        org = gf_store_org_patch(req->who.org_id, &f, &err);
    }
    gf_values_clear(&v);
    gf_resp_result(resp, 200, org, &err);
}

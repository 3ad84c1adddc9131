/* reps.c — /v1/reps and /v1/reps/{key}: the org's sales reps. */
#include <stdio.h>
#include <string.h>

#include "gapforge/api.h"
#include "gapforge/store.h"
#include "gapforge/validate.h"

enum { F_KEY, F_NAME, F_EMAIL, F_TEAM, F_HIRED_ON, F_RAMP, F_ACTIVE, F_COUNT };

static const gf_field rep_fields[] = {
    [F_KEY] = {"key", GF_F_KEY, GF_REQUIRED, NULL, 0, 0, 0},
    [F_NAME] = {"name", GF_F_TEXT, GF_REQUIRED, NULL, 0, 0, 200},
    [F_EMAIL] = {"email", GF_F_EMAIL, GF_NULLABLE, NULL, 0, 0, 0},
    [F_TEAM] = {"team", GF_F_KEY, GF_NULLABLE, NULL, 0, 0, 0},
    [F_HIRED_ON] = {"hired_on", GF_F_DATE, GF_NULLABLE, NULL, 0, 0, 0},
    [F_RAMP] = {"ramp_months", GF_F_INT, 0, NULL, 0, 60, 0},
    [F_ACTIVE] = {"active", GF_F_BOOL, 0, NULL, 0, 0, 0},
};

static gf_rep_fields fields_of(const gf_values *v)
{
    return (gf_rep_fields){
        .key = gf_val(v, F_KEY),
        .name = gf_val(v, F_NAME),
        .email = gf_val(v, F_EMAIL),
        .team = gf_val(v, F_TEAM),
        .hired_on = gf_val(v, F_HIRED_ON),
        .ramp_months = gf_val(v, F_RAMP),
        .active = gf_val(v, F_ACTIVE),
        .has_email = v->present[F_EMAIL],
        .has_team = v->present[F_TEAM],
        .has_hired_on = v->present[F_HIRED_ON],
    };
}

/* Answers status with json, or the error. */
static void answer(gf_resp *resp, int status, json_t *json, const gf_err *err)
{
    if (json)
        gf_resp_json(resp, status, json);
    else
        gf_resp_error(resp, err);
}

/* Reads ?team= (a key) and ?active= (true/false); returns 0 or -1 (422 naming the parameter). */
static int list_filters(const gf_req *req, const char **team, const char **active, gf_err *err)
{
    *team = gf_req_query(req, "team");
    *active = gf_req_query(req, "active");
    if (*team && gf_validate_text("team", GF_F_KEY, *team, err) < 0)
        return -1;
    if (*active && strcmp(*active, "true") != 0 && strcmp(*active, "false") != 0)
        return gf_err_invalid(err, "active", "active must be true or false");
    return 0;
}

void gf_api_reps_list(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    int limit;
    int64_t after;
    const char *team, *active;
    json_t *page = NULL;
    if (gf_api_page_params(req, &limit, &after, &err) == 0 &&
        list_filters(req, &team, &active, &err) == 0)
        page = gf_store_rep_list(req->who.org_id, limit, after, team, active, &err);
    answer(resp, 200, page, &err);
}

void gf_api_reps_create(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    gf_values v;
    json_t *rep = NULL;
    if (gf_validate(req->body, rep_fields, F_COUNT, GF_V_CREATE, &v, &err) == 0) {
        gf_rep_fields f = fields_of(&v);
        rep = gf_store_rep_create(req->who.org_id, &f, &err);
    }
    if (rep)
        snprintf(resp->location, sizeof resp->location, "/v1/reps/%s", gf_val(&v, F_KEY));
    gf_values_clear(&v);
    answer(resp, 201, rep, &err);
}

void gf_api_rep_get(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    json_t *rep = gf_store_rep_get(req->who.org_id, req->params[0], &err);
    answer(resp, 200, rep, &err);
}

void gf_api_rep_patch(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    gf_values v;
    json_t *rep = NULL;
    if (gf_validate(req->body, rep_fields, F_COUNT, GF_V_PATCH, &v, &err) < 0) {
        gf_resp_error(resp, &err);
        return;
    }
    if (v.present[F_KEY])
        gf_err_invalid(&err, "key", "a rep's key cannot change");
    else if (gf_values_count(&v) == 0)
        gf_err_invalid(&err, NULL, "nothing to change");
    else {
        gf_rep_fields f = fields_of(&v);
        rep = gf_store_rep_patch(req->who.org_id, req->params[0], &f, &err);
    }
    gf_values_clear(&v);
    answer(resp, 200, rep, &err);
}

/* teams.c — /v1/teams and /v1/teams/{key}: the org's team hierarchy. */
#include <stdio.h>

#include "gapforge/api.h"
#include "gapforge/store.h"
#include "gapforge/validate.h"

enum { F_KEY, F_NAME, F_PARENT, F_COUNT };

static const gf_field team_fields[] = {
    [F_KEY] = {"key", GF_F_KEY, GF_REQUIRED, NULL, 0, 0, 0},
    [F_NAME] = {"name", GF_F_TEXT, GF_REQUIRED, NULL, 0, 0, 200},
    [F_PARENT] = {"parent", GF_F_KEY, GF_NULLABLE, NULL, 0, 0, 0},
};

/* Answers 200 (or status) with json, or the error. */
static void answer(gf_resp *resp, int status, json_t *json, const gf_err *err)
{
    if (json)
        gf_resp_json(resp, status, json);
    else
        gf_resp_error(resp, err);
}

void gf_api_teams_list(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    int limit;
    int64_t after;
    json_t *page = NULL;
    if (gf_api_page_params(req, &limit, &after, &err) == 0)
        page = gf_store_team_list(req->who.org_id, limit, after, &err);
    answer(resp, 200, page, &err);
}

void gf_api_teams_create(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    gf_values v;
    json_t *team = NULL;
    if (gf_validate(req->body, team_fields, F_COUNT, GF_V_CREATE, &v, &err) == 0)
        team = gf_store_team_create(req->who.org_id, gf_val(&v, F_KEY), gf_val(&v, F_NAME),
                                    gf_val(&v, F_PARENT), &err);
    if (team)
        snprintf(resp->location, sizeof resp->location, "/v1/teams/%s", gf_val(&v, F_KEY));
    gf_values_clear(&v);
    answer(resp, 201, team, &err);
}

void gf_api_team_get(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    json_t *team = gf_store_team_get(req->who.org_id, req->params[0], &err);
    answer(resp, 200, team, &err);
}

void gf_api_team_patch(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    gf_values v;
    json_t *team = NULL;
    if (gf_validate(req->body, team_fields, F_COUNT, GF_V_PATCH, &v, &err) < 0) {
        gf_resp_error(resp, &err);
        return;
    }
    if (v.present[F_KEY])
        gf_err_invalid(&err, "key", "a team's key cannot change");
    else if (gf_values_count(&v) == 0)
        gf_err_invalid(&err, NULL, "nothing to change");
    else
        team = gf_store_team_patch(req->who.org_id, req->params[0], gf_val(&v, F_NAME),
                                   v.present[F_PARENT], gf_val(&v, F_PARENT), &err);
    gf_values_clear(&v);
    answer(resp, 200, team, &err);
}

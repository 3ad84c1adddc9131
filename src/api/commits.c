/* commits.c — POST /v1/commits (a rep's or manager's call) and GET /v1/commits (history). */
#include <stdlib.h>

#include "gapforge/api.h"
#include "gapforge/store.h"
#include "gapforge/validate.h"

enum { F_SCOPE, F_PERIOD, F_COMMIT, F_BEST, F_NOTES, F_SUBMITTED, F_COUNT };

static const gf_field commit_fields[] = {
    [F_SCOPE] = {"scope", GF_F_TEXT, GF_REQUIRED, NULL, 0, 0, 80},
    [F_PERIOD] = {"period", GF_F_TEXT, GF_REQUIRED, NULL, 0, 0, 32},
    [F_COMMIT] = {"commit", GF_F_MONEY, GF_REQUIRED, NULL, 0, 0, 0},
    [F_BEST] = {"best_case", GF_F_MONEY, GF_REQUIRED, NULL, 0, 0, 0},
    [F_NOTES] = {"notes", GF_F_TEXT, GF_NULLABLE, NULL, 0, 0, 2000},
    [F_SUBMITTED] = {"submitted_at", GF_F_TIMESTAMP, GF_NULLABLE, NULL, 0, 0, 0},
};

void gf_api_commits_create(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    gf_values v;
    gf_period period;
    json_t *commit = NULL;
    if (gf_validate(req->body, commit_fields, F_COUNT, GF_V_CREATE, &v, &err) < 0)
        goto done;
    if (strtod(gf_val(&v, F_BEST), NULL) < strtod(gf_val(&v, F_COMMIT), NULL))
        gf_err_invalid(&err, "best_case", "best_case must be at least commit");
    else if (gf_api_period(req, gf_val(&v, F_PERIOD), "period", &period, &err) == 0) {
        gf_commit_fields f = {gf_val(&v, F_SCOPE), gf_val(&v, F_COMMIT),    gf_val(&v, F_BEST),
                              gf_val(&v, F_NOTES), gf_val(&v, F_SUBMITTED), &period};
        commit = gf_store_commit_create(req->who.org_id, &f, &err);
    }
    gf_values_clear(&v);
done:
    gf_resp_result(resp, 201, commit, &err);
}

void gf_api_commits_list(gf_req *req, gf_resp *resp)
{
    gf_api_scoped_list(req, resp, gf_store_commit_list);
}

/* adjustments.c — POST /v1/adjustments (a manager's call for a scope and period, with its reason)
 * and GET /v1/adjustments (the trail, newest first). */
#include <ctype.h>

#include "gapforge/api.h"
#include "gapforge/store_adjustments.h"
#include "gapforge/validate.h"

enum { F_SCOPE, F_PERIOD, F_VALUE, F_REASON, F_AUTHOR, F_COUNT };

static const gf_field adjustment_fields[] = {
    [F_SCOPE] = {"scope", GF_F_TEXT, GF_REQUIRED, NULL, 0, 0, 80},
    [F_PERIOD] = {"period", GF_F_TEXT, GF_REQUIRED, NULL, 0, 0, 32},
    [F_VALUE] = {"value", GF_F_MONEY, GF_REQUIRED, NULL, 0, 0, 0},
    [F_REASON] = {"reason", GF_F_TEXT, GF_REQUIRED, NULL, 0, 0, 2000},
    [F_AUTHOR] = {"author", GF_F_TEXT, 0, NULL, 0, 0, 200},
};

/* True when s holds something besides white space. */
static bool has_text(const char *s)
{
    for (; *s; s++)
        if (!isspace((unsigned char)*s))
            return true;
    return false;
}

void gf_api_adjustments_create(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    gf_values v;
    gf_period period;
    json_t *adj = NULL;
    if (gf_validate(req->body, adjustment_fields, F_COUNT, GF_V_CREATE, &v, &err) < 0)
        goto done;
    /* Naming someone else as the author is for admin keys (a service posting for a manager);
     * any other key writes under its own name. */
    if (gf_val(&v, F_AUTHOR) && !(req->who.scopes & (1u << GF_SCOPE_ADMIN)))
        gf_err_set(&err, GF_EFORBIDDEN, NULL, "author",
                   "only an API key with the admin scope may name the author");
    else if (!has_text(gf_val(&v, F_REASON)))
        gf_err_invalid(&err, "reason", "reason must say why, not only white space");
    else if (gf_val(&v, F_AUTHOR) && !has_text(gf_val(&v, F_AUTHOR)))
        gf_err_invalid(&err, "author", "author must name someone, not only white space");
    else if (gf_api_period(req, gf_val(&v, F_PERIOD), "period", &period, &err) == 0) {
        gf_adjustment_fields f = {gf_val(&v, F_SCOPE),
                                  gf_val(&v, F_VALUE),
                                  gf_val(&v, F_REASON),
                                  gf_val(&v, F_AUTHOR),
                                  &period,
                                  req->who.key_id};
        adj = gf_store_adjustment_create(req->who.org_id, &f, &err);
    }
    gf_values_clear(&v);
done:
    gf_resp_result(resp, 201, adj, &err);
}

void gf_api_adjustments_list(gf_req *req, gf_resp *resp)
{
    gf_api_scoped_list(req, resp, gf_store_adjustment_list);
}

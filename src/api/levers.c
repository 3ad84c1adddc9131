/* levers.c — GET/PUT/DELETE /v1/levers/{key} and GET /v1/levers, with the effect each kind
 * accepts given by a table. */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "gapforge/api.h"
#include "gapforge/store.h"
#include "gapforge/validate.h"

/* What one unit of a lever of each kind may do. Bounds are open or closed as flagged. */
typedef struct lever_kind {
    const char *kind;
    double lo, hi;
    bool lo_open, hi_open;
    bool nonzero;   /* effect 0 is refused */
    bool needs_kpi; /* the lever moves a KPI, named by "kpi" */
    const char *range;
} lever_kind;

static const lever_kind kinds[] = {
    /* shift of the odds from losing to winning, per unit */
    {"win_rate", -1, 1, true, true, false, false, "(-1, 1)"},
    /* relative change of amounts not yet won, per unit */
    {"deal_size", -0.9, 10, true, true, false, false, "(-0.9, 10)"},
    /* opportunities added per week, per unit */
    {"pipeline", 0, 1e6, true, false, false, false, "(0, 1000000]"},
    /* relative speed-up of stage and win hazards, per unit */
    {"slippage", 0, 1, true, false, false, false, "(0, 1]"},
    /* probability that a next-period committed deal is pulled in */
    {"pull_forward", 0, 1, true, false, false, false, "(0, 1]"},
    /* reps added, per unit */
    {"headcount", 0, 1000, true, false, false, false, "(0, 1000]"},
    /* change of the KPI's level, per unit, in the KPI's unit (any sign, not 0) */
    {"kpi", -1e9, 1e9, false, false, true, true, "[-1e9, 1e9] except 0"},
    /* share of a named deal's amount conceded to unlock it */
    {"concession", 0, 1, true, false, false, false, "(0, 1]"},
};

#define NKINDS (sizeof kinds / sizeof kinds[0])

static const char *const kind_names[NKINDS + 1] = {"win_rate", "deal_size",    "pipeline",
                                                   "slippage", "pull_forward", "headcount",
                                                   "kpi",      "concession",   NULL};

enum { F_NAME, F_KIND, F_EFFECT, F_COST, F_MAX, F_RAMP, F_KPI, F_NOTES, F_COUNT };

static const gf_field lever_fields[] = {
    [F_NAME] = {"name", GF_F_TEXT, GF_REQUIRED, NULL, 0, 0, 200},
    [F_KIND] = {"kind", GF_F_ENUM, GF_REQUIRED, kind_names, 0, 0, 0},
    [F_EFFECT] = {"effect", GF_F_NUMBER, GF_REQUIRED, NULL, -1e9, 1e9, 0},
    [F_COST] = {"unit_cost", GF_F_MONEY, GF_REQUIRED, NULL, 0, 0, 0},
    [F_MAX] = {"max_units", GF_F_INT, GF_REQUIRED, NULL, 1, 1000, 0},
    [F_RAMP] = {"ramp_days", GF_F_INT, GF_REQUIRED, NULL, 0, 365, 0},
    [F_KPI] = {"kpi", GF_F_KEY, GF_NULLABLE, NULL, 0, 0, 0},
    [F_NOTES] = {"notes", GF_F_TEXT, GF_NULLABLE, NULL, 0, 0, 2000},
};

static const lever_kind *find_kind(const char *kind)
{
    for (size_t i = 0; i < NKINDS; i++)
        if (strcmp(kinds[i].kind, kind) == 0)
            return &kinds[i];
    return NULL;
}

/* Checks effect and kpi against the kind's row; 422 naming the field. */
static int check_kind(const gf_values *v, gf_err *err)
{
    const lever_kind *k = find_kind(gf_val(v, F_KIND));
    if (!k)
        return gf_err_invalid(err, "kind", "unknown kind");
    double e = strtod(gf_val(v, F_EFFECT), NULL);
    bool low_ok = k->lo_open ? e > k->lo : e >= k->lo;
    bool high_ok = k->hi_open ? e < k->hi : e <= k->hi;
    if (!low_ok || !high_ok || (k->nonzero && e == 0))
        return gf_err_invalid(err, "effect", "effect of a %s lever must be in %s", k->kind,
                              k->range);
    bool has_kpi = gf_val(v, F_KPI) != NULL;
    if (k->needs_kpi && !has_kpi)
        return gf_err_invalid(err, "kpi", "kpi is required for a lever of kind %s", k->kind);
    if (!k->needs_kpi && has_kpi)
        return gf_err_invalid(err, "kpi", "kpi is only for levers of kind kpi");
    return 0;
}

void gf_api_lever_put(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    gf_values v = {0};
    json_t *lever = NULL;
    int created = 0;
    if (gf_validate_text("key", GF_F_KEY, req->params[0], &err) < 0 ||
        gf_validate(req->body, lever_fields, F_COUNT, GF_V_CREATE, &v, &err) < 0)
        goto done;
    if (check_kind(&v, &err) == 0) {
        gf_lever_fields f = {req->params[0],       gf_val(&v, F_NAME), gf_val(&v, F_KIND),
                             gf_val(&v, F_EFFECT), gf_val(&v, F_COST), gf_val(&v, F_MAX),
                             gf_val(&v, F_RAMP),   gf_val(&v, F_KPI),  gf_val(&v, F_NOTES)};
        lever = gf_store_lever_put(req->who.org_id, &f, &created, &err);
    }
    gf_values_clear(&v);
done:
    if (lever)
        gf_resp_json(resp, created ? 201 : 200, lever);
    else
        gf_resp_error(resp, &err);
}

void gf_api_lever_get(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    json_t *lever = gf_store_lever_get(req->who.org_id, req->params[0], &err);
    gf_resp_result(resp, 200, lever, &err);
}

void gf_api_levers_list(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    int limit;
    int64_t after;
    json_t *page = NULL;
    if (gf_api_page_params(req, &limit, &after, &err) == 0)
        page = gf_store_lever_list(req->who.org_id, limit, after, &err);
    gf_resp_result(resp, 200, page, &err);
}

/* Answers 204 with no body. */
void gf_api_lever_delete(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    if (gf_store_lever_delete(req->who.org_id, req->params[0], &err) < 0) {
        gf_resp_error(resp, &err);
        return;
    }
    gf_resp_json(resp, 204, NULL);
}

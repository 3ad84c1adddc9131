/* scenario.c — what-if: the forecast against the same forecast with lever units applied, with
 * common random numbers so that the difference is the levers' and not noise. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gapforge/model_scenario.h"
#include "service_internal.h"

/* Checks item i of the scenario's levers against the org's levers and fills lv[i], units[i]
 * and idx[i] (the lever's index). */
static int scenario_item(gf_svc_levers *sc, const gf_svc_lever_units *item, size_t i, size_t *idx,
                         gf_model_lever *lv, uint32_t *units, gf_err *err)
{
    char f[64];
    snprintf(f, sizeof f, "levers[%zu].key", i);
    const long k = gf_svc__levers_find(sc, item->key);
    if (k < 0)
        return gf_err_invalid(err, f, "%s: no lever with this key", f);
    for (size_t j = 0; j < i; j++)
        if (idx[j] == (size_t)k)
            return gf_err_invalid(err, f, "%s: the lever appears twice", f);
    idx[i] = (size_t)k;
    const gf_svc_lever *l = &sc->levers[k];
    if (!l->usable)
        return gf_err_invalid(err, f,
                              "%s: this %s lever cannot be simulated here (a negative effect, or "
                              "deals added after the period's end or with no amounts to draw)",
                              f, gf_model_lever_kind_name(l->lv.kind));
    snprintf(f, sizeof f, "levers[%zu].deals", i);
    if (item->deal_ids &&
        gf_svc__levers_deals(sc, (size_t)k, item->deal_ids, item->n_deal_ids, f, err) < 0)
        return err->code;
    lv[i] = l->lv;
    snprintf(f, sizeof f, "levers[%zu].units", i);
    if (item->units < 0 || item->units > (int64_t)l->lv.max_units)
        return gf_err_invalid(err, f, "%s must be an integer from 0 to the lever's max_units (%u)",
                              f, l->lv.max_units);
    units[i] = (uint32_t)item->units;
    if (l->lv.kind == GF_MODEL_LEVER_CONCESSION && units[i] > l->lv.n_deals)
        return gf_err_invalid(err, f, "%s: only %zu deals can be conceded", f, l->lv.n_deals);
    if (item->has_start_on)
        lv[i].start_day = item->start_on;
    return 0;
}

static json_t *scenario_answer(const gf_svc_levers *sc, const gf_model_scenario *s,
                               const size_t *idx, const uint32_t *units, size_t n)
{
    const int t = sc->f->has_target;
    json_t *o = gf_svc__levers_head(sc), *levers = json_array();
    for (size_t k = 0; k < n; k++)
        json_array_append_new(levers,
                              json_pack("{s:s, s:I, s:o, s:o}", "key", sc->levers[idx[k]].key,
                                        "units", (json_int_t)units[k], "cost",
                                        gf_svc__money((double)s->uplift[k].cost_cents), "uplift",
                                        gf_svc__delta_json(&s->uplift[k].delta, t)));
    json_object_set_new(o, "baseline", gf_svc__dist_json(&s->baseline, t));
    json_object_set_new(o, "scenario", gf_svc__dist_json(&s->result, t));
    json_object_set_new(o, "delta", gf_svc__delta_json(&s->delta, t));
    json_object_set_new(o, "levers", levers);
    json_object_set_new(o, "total_cost", gf_svc__money((double)s->cost_cents));
    return o;
}

json_t *gf_svc_scenario_answer(const gf_svc_scenario_req *req, gf_err *err)
{
    if (req->metric && strcmp(req->metric, "bookings") != 0)
        return gf_svc__kpi_scenario_answer(req, err);
    gf_svc_levers sc;
    gf_model_scenario s = {0};
    json_t *body = NULL;
    const size_t n = req->n_levers;
    gf_model_lever *lv = calloc(n + 1, sizeof *lv);
    uint32_t *units = calloc(n + 1, sizeof *units);
    size_t *idx = calloc(n + 1, sizeof *idx);
    if (gf_svc__levers_open(&req->forecast, &sc, err) < 0)
        goto done;
    if (!lv || !units || !idx) {
        gf_err_internal(err);
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        if (scenario_item(&sc, &req->levers[i], i, idx, lv, units, err) < 0)
            goto done;
    if (gf_svc__levers_prepare(&sc, lv, n, err) < 0)
        goto done;
    const int rc = gf_model_scenario_run(&sc.ctx, lv, units, n, &s);
    if (rc != 0) {
        gf_svc__model_error(rc, err);
        goto done;
    }
    body = scenario_answer(&sc, &s, idx, units, n);
done:
    gf_model_scenario_free(&s);
    free(lv);
    free(units);
    free(idx);
    gf_svc__levers_clear(&sc);
    return body;
}

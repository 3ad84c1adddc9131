/* rollup.c — the roll-up of an org or team forecast: one row per child team and rep (and the
 * deals no child holds), each priced with the parent's per-deal probabilities, with its own
 * booked amount and new-deal estimate, so that expected values add up across the rows. */
#include <stdlib.h>
#include <string.h>

#include "gapforge/date.h"
#include "gapforge/model_rollup.h"
#include "gapforge/store.h"
#include "service_internal.h"

/* One row of a roll-up: the deals of mask (NULL: all) priced with the parent's per-deal
 * probabilities, the scope's own booked amount and new-deal estimate (fitted as the forecast
 * fits it), so that expected values add up exactly across a partition of the parent
 * (gf_model_rollup_row). */
static json_t *rollup_row(const gf_svc_forecast *parent, const uint8_t *mask, json_t *scope,
                          int has_target, int64_t target, gf_err *err)
{
    const gf_store_history *h = parent->history;
    gf_model_rollup r;
    if (gf_model_rollup_row(&h->h, &h->cal, parent->model, &parent->opts, mask, parent->sigma.sigma,
                            has_target ? target : 0, parent->req.trials, parent->req.seed,
                            &r) != 0) {
        json_decref(scope);
        gf_err_internal(err);
        return NULL;
    }
    const double t = (double)target;
    return json_pack(
        "{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "scope", scope, "target",
        has_target ? gf_svc__money(t) : json_null(), "booked", gf_svc__money(r.booked_cents),
        "open_pipeline", gf_svc__money(r.open_cents), "expected", gf_svc__money(r.expected_cents),
        "p10", gf_svc__money((double)r.p10), "p50", gf_svc__money((double)r.p50), "p90",
        gf_svc__money((double)r.p90), "prob_hit", has_target ? json_real(r.prob_hit) : json_null(),
        "gap", has_target ? gf_svc__money(t - (double)r.p50) : json_null());
}

/* Adds the human calls of scope (NULL: the unassigned row, which has none) for the period to
 * row: rep_call and manager_call, each JSON null when there is none. Returns 0 or a negative
 * code with err. */
static int add_calls(json_t *row, int64_t org_id, const char *scope, const gf_period *period,
                     int as_of, gf_err *err)
{
    json_t *rep = json_null(), *manager = json_null();
    if (scope && gf_svc__calls(org_id, scope, period, as_of, &rep, &manager, err) < 0)
        return err->code;
    json_object_set_new(row, "rep_call", rep);
    json_object_set_new(row, "manager_call", manager);
    return 0;
}

/* The rows of every child of the parent's scope, plus an "unassigned" row for deals of the
 * parent that no child holds (deals without an owner, or owned by reps in no team at the org
 * level). */
static json_t *rollup_children(const gf_svc_forecast *parent, gf_err *err)
{
    const gf_svc_forecast_req *p = &parent->req;
    const gf_store_history *h = parent->history;
    gf_store_scopes kids = {0};
    if (gf_store_scope_children_list(p->org_id, p->scope, "scope", &kids, err) < 0)
        return NULL;
    json_t *rows = json_array();
    uint8_t *mask = malloc(h->h.n_deals ? h->h.n_deals : 1);
    uint8_t *held = calloc(h->h.n_deals ? h->h.n_deals : 1, 1);
    if (!mask || !held) {
        gf_err_internal(err);
        goto fail;
    }
    for (size_t k = 0; k < kids.n; k++) {
        const char *scope = kids.scope[k];
        int all, has_target;
        int64_t *ids = NULL;
        size_t n;
        int64_t target;
        if (gf_store_scope_reps(p->org_id, scope, "scope", &all, &ids, &n, err) < 0)
            goto fail;
        gf_store_history_mask(h, ids, n, mask);
        free(ids);
        for (size_t i = 0; i < h->h.n_deals; i++)
            held[i] |= mask[i];
        if (gf_store_forecast_target_cents(p->org_id, scope, &p->period, &has_target, &target,
                                           err) < 0)
            goto fail;
        json_t *row = rollup_row(parent, mask, json_string(scope), has_target, target, err);
        if (!row)
            goto fail;
        json_array_append_new(rows, row);
        if (add_calls(row, p->org_id, scope, &p->period, p->as_of, err) < 0)
            goto fail;
    }
    size_t rest = 0;
    for (size_t i = 0; i < h->h.n_deals; i++) {
        mask[i] = (!parent->mask || parent->mask[i]) && !held[i];
        rest += mask[i];
    }
    if (rest) {
        json_t *row = rollup_row(parent, mask, json_null(), 0, 0, err);
        if (!row)
            goto fail;
        json_object_set_new(row, "unassigned", json_true());
        json_array_append_new(rows, row);
        if (add_calls(row, p->org_id, NULL, &p->period, p->as_of, err) < 0)
            goto fail;
    }
    free(mask);
    free(held);
    gf_store_scopes_free(&kids);
    return rows;
fail:
    free(mask);
    free(held);
    gf_store_scopes_free(&kids);
    json_decref(rows);
    return NULL;
}

json_t *gf_svc_rollup_answer(const gf_svc_forecast_req *req, gf_err *err)
{
    if (strncmp(req->scope, "rep:", 4) == 0) {
        gf_err_invalid(err, "scope", "scope: a roll-up needs org or team:KEY");
        return NULL;
    }
    json_t *body = NULL, *rows = NULL, *total = NULL;
    gf_svc_forecast *f = gf_svc__forecast_load(req, err);
    if (!f || gf_svc__forecast_fit(f, err) < 0)
        goto done;
    rows = rollup_children(f, err);
    if (!rows)
        goto done;
    total = rollup_row(f, f->mask, json_string(req->scope), f->has_target, (double)f->target_cents,
                       err);
    if (!total || add_calls(total, req->org_id, req->scope, &req->period, req->as_of, err) < 0)
        goto done;
    char as_of[11];
    gf_date_format(req->as_of, as_of);
    json_t *parent =
        json_pack("{s:s, s:O, s:O, s:O}", "scope", req->scope, "model_p50",
                  json_object_get(total, "p50"), "rep_call", json_object_get(total, "rep_call"),
                  "manager_call", json_object_get(total, "manager_call"));
    body = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:{s:f}}", "period", req->period.name, "scope",
                     req->scope, "as_of", as_of, "parent", parent, "rows", rows, "total", total,
                     "model", "sigma", f->sigma.sigma);
    rows = total = NULL;
done:
    json_decref(rows);
    json_decref(total);
    gf_svc_forecast_free(f);
    return body;
}

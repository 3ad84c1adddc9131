/* forecast.c — GET /v1/forecast, GET /v1/forecast/rollup and the forecast snapshots
 * (POST/GET /v1/forecast/snapshots). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "forecast_internal.h"
#include "gapforge/api.h"
#include "gapforge/date.h"
#include "gapforge/log.h"
#include "gapforge/store.h"

static const char *query_get(const void *src, const char *name)
{
    return gf_req_query(src, name);
}

/* Loads the history the request needs and runs scope on it; the caller frees *h and r. */
static int load_and_run(const gf_req *req, const fc_params *p, gf_store_history **h, fc_run *r,
                        gf_err *err)
{
    double t0 = gf_api__fc_now_ms();
    *h = gf_store_history_load(req->who.org_id, p->as_of, p->period.end, err);
    if (!*h)
        return -1;
    double t1 = gf_api__fc_now_ms();
    if (gf_api__fc_run(req->who.org_id, p, *h, p->scope, NULL, r, err) < 0)
        return -1;
    gf_log("info", "forecast",
           json_pack("{s:s, s:I, s:I, s:f, s:f, s:f, s:b, s:f}", "request_id",
                     req->request_id ? req->request_id : "", "deals", (json_int_t)(*h)->h.n_deals,
                     "open", (json_int_t)r->f->n_open, "load_ms", t1 - t0, "model_ms", r->ms_model,
                     "sigma_ms", r->ms_sigma, "sigma_cached", r->sigma_cached, "sim_ms",
                     r->ms_sim));
    return 0;
}

void gf_api_forecast_get(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    fc_params p;
    gf_store_history *h = NULL;
    fc_run r = {0};
    json_t *body = NULL;
    if (gf_api__fc_params(req, query_get, req, &p, &err) == 0 &&
        load_and_run(req, &p, &h, &r, &err) == 0)
        body = gf_api__fc_json(req->who.org_id, &p, h, &r, &err);
    gf_api__fc_run_clear(&r);
    gf_store_history_free(h);
    gf_resp_result(resp, 200, body, &err);
}

/* ---- roll-up ---- */

/* One row of a roll-up: the deals of mask (NULL: all) priced with the parent's per-deal
 * probabilities, the scope's own booked amount and new-deal estimate, so that expected values
 * add up exactly across a partition of the parent. */
static json_t *rollup_row(const fc_params *p, const gf_store_history *h, const fc_run *parent,
                          const uint8_t *mask, json_t *scope, int has_target, double target,
                          gf_err *err)
{
    const gf_model_forecast *f = parent->f;
    int64_t *amount = malloc((f->n_open ? f->n_open : 1) * sizeof *amount);
    double *prob = malloc((f->n_open ? f->n_open : 1) * sizeof *prob);
    gf_model_newdeals nd = {0};
    json_t *row = NULL;
    if (!amount || !prob)
        goto fail;
    size_t n = 0;
    double open = 0, exp_open = 0, booked = 0;
    for (size_t k = 0; k < f->n_open; k++) {
        const gf_model_open_deal *od = &f->open[k];
        if (mask && !mask[od->deal])
            continue;
        amount[n] = f->amount[k];
        prob[n++] = f->p[k];
        exp_open += (double)f->amount[k] * f->p[k];
        open += od->flags & GF_MODEL_FLAG_IN_PERIOD ? (double)od->amount_cents : 0;
    }
    const gf_day last = p->period.end < p->as_of - 1 ? p->period.end : p->as_of - 1;
    for (size_t i = 0; i < h->h.n_deals; i++) {
        if (mask && !mask[i])
            continue;
        gf_model_deal_state st;
        gf_model_deal_state_at(&h->h, i, p->as_of, &st);
        if (st.exists && st.kind == GF_MODEL_STAGE_WON && st.closed_day >= p->period.start &&
            st.closed_day <= last)
            booked += (double)st.amount_cents;
    }
    const gf_model_period period = {p->period.start, p->period.end};
    if (gf_model_newdeals_fit(&h->h, &h->cal, period, p->as_of, 4, mask, &nd) != 0)
        goto fail;
    gf_model_sim_input in = {.amount_cents = amount,
                             .p = prob,
                             .n_deals = n,
                             .booked_cents = (int64_t)booked,
                             .new_lambda = nd.lambda,
                             .new_amount_cents = nd.amounts,
                             .n_new_amounts = nd.n_amounts,
                             .target_cents = has_target ? (int64_t)(target + 0.5) : 0,
                             .sigma = parent->sigma.sigma,
                             .trials = p->trials,
                             .seed = p->seed};
    gf_model_sim_result s;
    if (gf_model_sim_run(&in, &s, NULL) != 0)
        goto fail;
    row = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "scope", scope, "target",
                    has_target ? gf_api__fc_money(target) : json_null(), "booked",
                    gf_api__fc_money(booked), "open_pipeline", gf_api__fc_money(open), "expected",
                    gf_api__fc_money(booked + exp_open + nd.lambda * nd.mean_amount), "p10",
                    gf_api__fc_money((double)s.p10), "p50", gf_api__fc_money((double)s.p50), "p90",
                    gf_api__fc_money((double)s.p90), "prob_hit",
                    has_target ? json_real(s.prob_hit) : json_null(), "gap",
                    has_target ? gf_api__fc_money(target - (double)s.p50) : json_null());
    scope = NULL;
fail:
    json_decref(scope);
    if (!row)
        gf_err_internal(err);
    gf_model_newdeals_free(&nd);
    free(amount);
    free(prob);
    return row;
}

/* The rows of every child of p->scope, plus an "unassigned" row for deals of the parent that no
 * child holds (deals without an owner, or owned by reps in no team at the org level). */
static json_t *rollup_children(int64_t org_id, const fc_params *p, const gf_store_history *h,
                               const fc_run *parent, gf_err *err)
{
    json_t *kids = gf_store_scope_children(org_id, p->scope, "scope", err);
    if (!kids)
        return NULL;
    json_t *rows = json_array();
    uint8_t *mask = malloc(h->h.n_deals ? h->h.n_deals : 1);
    uint8_t *held = calloc(h->h.n_deals ? h->h.n_deals : 1, 1);
    if (!mask || !held) {
        gf_err_internal(err);
        goto fail;
    }
    for (size_t k = 0; k < json_array_size(kids); k++) {
        const char *scope = json_string_value(json_array_get(kids, k));
        int all, has_target;
        int64_t *ids = NULL;
        size_t n;
        double target;
        if (gf_store_scope_reps(org_id, scope, "scope", &all, &ids, &n, err) < 0)
            goto fail;
        gf_store_history_mask(h, ids, n, mask);
        free(ids);
        for (size_t i = 0; i < h->h.n_deals; i++)
            held[i] |= mask[i];
        if (gf_store_forecast_target(org_id, scope, &p->period, &has_target, &target, err) < 0)
            goto fail;
        json_t *row = rollup_row(p, h, parent, mask, json_string(scope), has_target, target, err);
        if (!row)
            goto fail;
        json_array_append_new(rows, row);
    }
    size_t rest = 0;
    for (size_t i = 0; i < h->h.n_deals; i++) {
        mask[i] = (!parent->mask || parent->mask[i]) && !held[i];
        rest += mask[i];
    }
    if (rest) {
        json_t *row = rollup_row(p, h, parent, mask, json_null(), 0, 0, err);
        if (!row)
            goto fail;
        json_object_set_new(row, "unassigned", json_true());
        json_array_append_new(rows, row);
    }
    free(mask);
    free(held);
    json_decref(kids);
    return rows;
fail:
    free(mask);
    free(held);
    json_decref(kids);
    json_decref(rows);
    return NULL;
}

void gf_api_forecast_rollup(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    fc_params p;
    gf_store_history *h = NULL;
    fc_run r = {0};
    json_t *body = NULL, *rows = NULL, *total = NULL;
    if (gf_api__fc_params(req, query_get, req, &p, &err) < 0)
        goto done;
    if (strncmp(p.scope, "rep:", 4) == 0) {
        gf_err_invalid(&err, "scope", "scope: a roll-up needs org or team:KEY");
        goto done;
    }
    if (load_and_run(req, &p, &h, &r, &err) < 0 ||
        !(rows = rollup_children(req->who.org_id, &p, h, &r, &err)) ||
        !(total = rollup_row(&p, h, &r, r.mask, json_string(p.scope), r.has_target, r.target_cents,
                             &err)))
        goto done;
    char as_of[11];
    gf_date_format(p.as_of, as_of);
    body =
        json_pack("{s:s, s:s, s:s, s:o, s:o, s:{s:f}}", "period", p.period.name, "scope", p.scope,
                  "as_of", as_of, "rows", rows, "total", total, "model", "sigma", r.sigma.sigma);
    rows = total = NULL;
done:
    json_decref(rows);
    json_decref(total);
    gf_api__fc_run_clear(&r);
    gf_store_history_free(h);
    gf_resp_result(resp, 200, body, &err);
}

/* ---- snapshots ---- */

static const char *const snapshot_fields[] = {"period", "scope", "as_of", "trials", "seed"};

/* The body's value of name as text (integers formatted into a per-field buffer). */
typedef struct body_src {
    const json_t *body;
    char num[5][24];
} body_src;

static const char *body_get(const void *vsrc, const char *name)
{
    body_src *src = (body_src *)vsrc;
    const json_t *v = json_object_get(src->body, name);
    if (!v || json_is_null(v))
        return NULL;
    if (json_is_string(v))
        return json_string_value(v);
    for (size_t k = 0; k < 5; k++)
        if (strcmp(snapshot_fields[k], name) == 0 && json_is_integer(v)) {
            snprintf(src->num[k], sizeof src->num[k], "%lld", (long long)json_integer_value(v));
            return src->num[k];
        }
    return "?"; /* any other type: the parameter's own check refuses it */
}

static int body_check(const json_t *body, gf_err *err)
{
    if (!json_is_object(body))
        return gf_err_invalid(err, NULL, "the body must be a JSON object");
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)body, key, v)
    {
        size_t k = 0;
        while (k < 5 && strcmp(snapshot_fields[k], key) != 0)
            k++;
        if (k == 5)
            return gf_err_invalid(err, key, "%s is not a field of a snapshot request", key);
        if (k < 3 && !json_is_string(v))
            return gf_err_invalid(err, key, "%s must be a string", key);
    }
    if (!json_object_get(body, "period"))
        return gf_err_invalid(err, "period", "period is required");
    return 0;
}

static void money_text(const json_t *o, const char *name, char buf[40])
{
    const json_t *v = json_object_get(o, name);
    if (json_is_number(v))
        snprintf(buf, 40, "%.2f", json_number_value(v));
    else
        buf[0] = '\0';
}

void gf_api_forecast_snapshot_create(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    fc_params p;
    gf_store_history *h = NULL;
    fc_run r = {0};
    json_t *fc = NULL, *snap = NULL;
    char *text = NULL;
    body_src src = {.body = req->body};
    if (body_check(req->body, &err) < 0 || gf_api__fc_params(req, body_get, &src, &p, &err) < 0 ||
        load_and_run(req, &p, &h, &r, &err) < 0 ||
        !(fc = gf_api__fc_json(req->who.org_id, &p, h, &r, &err)))
        goto done;
    if (!(text = json_dumps(fc, JSON_COMPACT | JSON_REAL_PRECISION(15)))) {
        gf_err_internal(&err);
        goto done;
    }
    char as_of[11], p10[40], p50[40], p90[40], expected[40], target[40], prob[40];
    gf_date_format(p.as_of, as_of);
    money_text(fc, "p10", p10);
    money_text(fc, "p50", p50);
    money_text(fc, "p90", p90);
    money_text(fc, "expected", expected);
    money_text(fc, "target", target);
    if (r.has_target)
        snprintf(prob, sizeof prob, "%.17g", r.sim.prob_hit);
    gf_snapshot_fields f = {p.scope,
                            as_of,
                            p10,
                            p50,
                            p90,
                            expected,
                            target[0] ? target : NULL,
                            r.has_target ? prob : NULL,
                            GF_FORECAST_MODEL_VERSION,
                            text,
                            &p.period};
    snap = gf_store_forecast_snapshot_insert(req->who.org_id, &f, &err);
done:
    free(text);
    json_decref(fc);
    gf_api__fc_run_clear(&r);
    gf_store_history_free(h);
    gf_resp_result(resp, 201, snap, &err);
}

void gf_api_forecast_snapshot_list(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    int limit;
    int64_t after;
    gf_period period;
    gf_scope_ids ids;
    json_t *page = NULL;
    const char *spec = gf_req_query(req, "period"), *scope = gf_req_query(req, "scope");
    if (gf_api_page_params(req, &limit, &after, &err) == 0 &&
        (!spec || gf_api_period(req, spec, "period", &period, &err) == 0) &&
        (!scope || gf_store_scope_resolve(req->who.org_id, scope, "scope", &ids, &err) == 0))
        page = gf_store_forecast_snapshot_list(req->who.org_id, scope, spec ? &period : NULL, limit,
                                               after, &err);
    gf_resp_result(resp, 200, page, &err);
}

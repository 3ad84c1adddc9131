/* kpi_plan.c — kpi levers on a KPI's forecast: a scenario (POST /v1/scenarios with a KPI
 * metric) and the cheapest plan that meets the KPI's target (POST /v1/plans with goal.metric a
 * KPI key), with the paragraph for the board. Needs no stage and no deal. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gapforge/date.h"
#include "gapforge/model_summary.h"
#include "service_internal.h"

#define MAX_KPI_LEVERS 64

/* The org's kpi levers on the KPI. */
typedef struct kpi_levers {
    gf_store_lever *rows; /* every lever of the org */
    size_t n_rows;
    size_t idx[MAX_KPI_LEVERS]; /* rows moving this KPI */
    gf_model_kpi_lever lv[MAX_KPI_LEVERS];
    size_t n;
} kpi_levers;

static int levers_load(const gf_svc_kpi *k, kpi_levers *l, gf_err *err)
{
    memset(l, 0, sizeof *l);
    if (gf_store_lever_rows(k->req.org_id, &l->rows, &l->n_rows, err) < 0)
        return err->code;
    for (size_t i = 0; i < l->n_rows && l->n < MAX_KPI_LEVERS; i++) {
        const gf_store_lever *r = &l->rows[i];
        if (strcmp(r->kind, "kpi") != 0 || strcmp(r->kpi, k->series.key) != 0)
            continue;
        l->idx[l->n] = i;
        l->lv[l->n++] = (gf_model_kpi_lever){.effect = r->effect,
                                             .unit_cost_cents = r->unit_cost_cents,
                                             .max_units = r->max_units,
                                             .ramp_days = r->ramp_days,
                                             .start_day = GF_MODEL_NO_DAY};
    }
    return 0;
}

/* The lever of this KPI named key: its index among l->lv, or -1. */
static long lever_find(const kpi_levers *l, const char *key)
{
    for (size_t j = 0; key && j < l->n; j++)
        if (strcmp(l->rows[l->idx[j]].key, key) == 0)
            return (long)j;
    return -1;
}

/* Why a lever key cannot act on the KPI: unknown, or another kind or KPI. */
static int lever_refuse(const kpi_levers *l, const char *key, const char *field, const char *kpi,
                        gf_err *err)
{
    for (size_t i = 0; key && i < l->n_rows; i++)
        if (strcmp(l->rows[i].key, key) == 0)
            return gf_err_invalid(err, field, "%s: lever %s does not move the KPI %s", field, key,
                                  kpi);
    return gf_err_invalid(err, field, "%s: no lever with this key", field);
}

static json_t *num(double x)
{
    return isfinite(x) ? json_real(x) : json_null();
}

/* {mean, p10, p50, p90, prob_meet, gap} of an outcome. */
static json_t *outcome_json(const gf_model_kpi_outcome *o, int has_target)
{
    json_t *b = gf_svc__kpi_band(&o->value);
    json_object_set_new(b, "prob_meet", has_target ? num(o->prob_meet) : json_null());
    json_object_set_new(b, "gap", has_target ? num(o->gap) : json_null());
    return b;
}

/* b - a, figure by figure. */
static json_t *delta_json(const gf_model_kpi_outcome *a, const gf_model_kpi_outcome *b,
                          int has_target)
{
    return json_pack("{s:o, s:o, s:o, s:o, s:o}", "mean", num(b->value.mean - a->value.mean), "p10",
                     num(b->value.p10 - a->value.p10), "p50", num(b->value.p50 - a->value.p50),
                     "p90", num(b->value.p90 - a->value.p90), "prob_meet",
                     has_target ? num(b->prob_meet - a->prob_meet) : json_null());
}

json_t *gf_svc__kpi_scenario_answer(const gf_svc_scenario_req *req, gf_err *err)
{
    gf_svc_kpi k;
    kpi_levers l;
    json_t *body = NULL;
    memset(&l, 0, sizeof l);
    const size_t n = req->n_levers;
    uint32_t *units = calloc(n + 1, sizeof *units), *alone = calloc(n + 1, sizeof *alone);
    gf_model_kpi_lever *lv = calloc(n + 1, sizeof *lv);
    long *which = calloc(n + 1, sizeof *which);
    if (gf_svc__kpi_open(&req->forecast, req->metric, false, &k, err) < 0 ||
        levers_load(&k, &l, err) < 0)
        goto done;
    if (!units || !alone || !lv || !which) {
        gf_err_internal(err);
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        const gf_svc_lever_units *it = &req->levers[i];
        char f[64];
        snprintf(f, sizeof f, "levers[%zu].key", i);
        which[i] = lever_find(&l, it->key);
        if (which[i] < 0) {
            lever_refuse(&l, it->key, f, k.series.key, err);
            goto done;
        }
        for (size_t j = 0; j < i; j++)
            if (which[j] == which[i]) {
                gf_err_invalid(err, f, "%s: the lever appears twice", f);
                goto done;
            }
        if (it->deal_ids) {
            snprintf(f, sizeof f, "levers[%zu].deals", i);
            gf_err_invalid(err, f, "%s: only a concession lever names deals", f);
            goto done;
        }
        lv[i] = l.lv[which[i]];
        snprintf(f, sizeof f, "levers[%zu].units", i);
        if (it->units < 0 || it->units > (int64_t)lv[i].max_units) {
            gf_err_invalid(err, f, "%s must be an integer from 0 to the lever's max_units (%u)", f,
                           lv[i].max_units);
            goto done;
        }
        units[i] = (uint32_t)it->units;
        if (it->has_start_on)
            lv[i].start_day = it->start_on;
    }
    gf_model_kpi_outcome base, scen;
    int rc = gf_model_kpi_apply(&k.model, &k.in, lv, alone, n, &base);
    if (!rc)
        rc = gf_model_kpi_apply(&k.model, &k.in, lv, units, n, &scen);
    json_t *items = json_array();
    for (size_t i = 0; !rc && i < n; i++) {
        gf_model_kpi_outcome one;
        alone[i] = units[i];
        rc = gf_model_kpi_apply(&k.model, &k.in, lv, alone, n, &one);
        alone[i] = 0;
        if (!rc)
            json_array_append_new(items, json_pack("{s:s, s:I, s:o, s:o}", "key",
                                                   l.rows[l.idx[which[i]]].key, "units",
                                                   (json_int_t)units[i], "cost",
                                                   gf_svc__money((double)one.cost_cents), "uplift",
                                                   delta_json(&base, &one, k.in.has_target)));
    }
    if (rc) {
        json_decref(items);
        gf_svc__model_error(rc, err);
        goto done;
    }
    const int t = k.in.has_target;
    body = gf_svc__kpi_head(&k);
    json_object_set_new(body, "metric", json_string(k.series.key));
    json_object_set_new(body, "currency", json_string(k.currency));
    json_object_set_new(body, "method", json_string(gf_svc__kpi_method(&k)));
    json_object_set_new(body, "baseline", outcome_json(&base, t));
    json_object_set_new(body, "scenario", outcome_json(&scen, t));
    json_object_set_new(body, "delta", delta_json(&base, &scen, t));
    json_object_set_new(body, "levers", items);
    json_object_set_new(body, "total_cost", gf_svc__money((double)scen.cost_cents));
done:
    free(units);
    free(alone);
    free(lv);
    free(which);
    free(l.rows);
    gf_svc__kpi_close(&k);
    return body;
}

/* A KPI figure for the paragraph: at most three significant decimals. */
static void fig(double x, char out[32])
{
    const double a = fabs(x);
    snprintf(out, 32, "%.*f", a >= 100 ? 0 : a >= 10 ? 1 : 2, x);
}

/* The board paragraph (plain text or Markdown) of a KPI plan. */
static json_t *plan_summary(const gf_svc_kpi *k, const kpi_levers *l, const gf_model_kpi_plan *pl,
                            int markdown)
{
    const char *b = markdown ? "**" : "";
    const gf_store_kpi_series *s = &k->series;
    char base[32], goal[32], res[32], ask[32], text[4096];
    fig(pl->baseline.value.p50, base);
    fig(k->in.target, goal);
    fig(pl->result.value.p50, res);
    gf_model_money_short((double)pl->total_cost_cents, k->currency, ask);
    size_t len = 0;
    len += (size_t)snprintf(text + len, sizeof text - len,
                            "If nothing changes, %s lands at %s%s%s %s for %s against a goal of "
                            "%s%s%s (a %.0f%% chance of meeting it).",
                            s->name, b, base, b, s->unit, k->req.period.name, b, goal, b,
                            100.0 * pl->baseline.prob_meet);
    if (pl->total_cost_cents == 0 && pl->achieves) {
        len += (size_t)snprintf(text + len, sizeof text - len, " No action is needed.");
    } else {
        len += (size_t)snprintf(text + len, sizeof text - len, "%s", markdown ? "\n\n" : " ");
        len += (size_t)snprintf(text + len, sizeof text - len, "The plan:");
        int first = 1;
        for (size_t j = 0; j < l->n && len < sizeof text - 256; j++) {
            if (!pl->units[j])
                continue;
            const gf_store_lever *r = &l->rows[l->idx[j]];
            char cost[32], from[11];
            gf_model_money_short((double)r->unit_cost_cents * pl->units[j], k->currency, cost);
            gf_date_format(k->req.as_of + r->ramp_days, from);
            if (markdown)
                len += (size_t)snprintf(text + len, sizeof text - len,
                                        "\n- %u x %s (%s, acting from %s)", pl->units[j], r->name,
                                        cost, from);
            else
                len += (size_t)snprintf(text + len, sizeof text - len,
                                        "%s %u x %s (%s, acting from %s)", first ? "" : ";",
                                        pl->units[j], r->name, cost, from);
            first = 0;
        }
        len += (size_t)snprintf(text + len, sizeof text - len,
                                "%sIt brings %s to %s%s%s (P50), a %.0f%% chance of meeting the "
                                "goal. The ask is %s%s%s.",
                                markdown ? "\n\n" : ". ", s->name, b, res, b,
                                100.0 * pl->result.prob_meet, b, ask, b);
        if (!pl->achieves)
            len +=
                (size_t)snprintf(text + len, sizeof text - len,
                                 " No plan within reach meets the goal: this one leaves %s%.3g%s "
                                 "%s to go.",
                                 b, fabs(pl->result.gap), b, s->unit);
        len += (size_t)snprintf(text + len, sizeof text - len, " If it is refused, expect %s%s%s.",
                                b, base, b);
    }
    (void)len;
    return json_string(text);
}

json_t *gf_svc__kpi_plan_answer(const gf_svc_plan_req *req, gf_err *err)
{
    gf_svc_kpi k;
    kpi_levers l;
    gf_model_kpi_plan pl = {0};
    json_t *body = NULL;
    memset(&l, 0, sizeof l);
    if (req->goal != GF_SVC_GOAL_P50 && req->goal != GF_SVC_GOAL_PROBABILITY) {
        gf_err_invalid(err, "goal.type", "goal.type: a KPI goal is p50 or probability");
        return NULL;
    }
    if (gf_svc__kpi_open(&req->forecast, req->metric, false, &k, err) < 0 ||
        levers_load(&k, &l, err) < 0)
        goto done;
    if (!k.in.has_target) {
        gf_err_invalid(err, "period",
                       "period: a plan needs a target of the KPI %s for the period and scope (PUT "
                       "/v1/targets)",
                       k.series.key);
        goto done;
    }
    /* The levers the plan may use: the request's (each must move this KPI), else all. */
    uint8_t use[MAX_KPI_LEVERS] = {0};
    for (size_t i = 0; req->levers && i < req->n_levers; i++) {
        char f[32];
        snprintf(f, sizeof f, "levers[%zu]", i);
        const long j = lever_find(&l, req->levers[i]);
        if (j < 0) {
            lever_refuse(&l, req->levers[i], f, k.series.key, err);
            goto done;
        }
        if (use[j]) {
            gf_err_invalid(err, f, "%s: the lever appears twice", f);
            goto done;
        }
        use[j] = 1;
    }
    for (size_t j = 0; j < l.n; j++)
        if (req->levers && !use[j])
            l.lv[j].max_units = 0;
    const int rc = gf_model_kpi_plan_search(&k.model, &k.in, l.lv, l.n,
                                            req->goal == GF_SVC_GOAL_P50 ? GF_MODEL_KPI_GOAL_P50
                                                                         : GF_MODEL_KPI_GOAL_PROB,
                                            req->confidence, req->budget_cents, &pl);
    if (rc) {
        gf_svc__model_error(rc, err);
        goto done;
    }
    const int t = 1;
    json_t *actions = json_array();
    for (size_t j = 0; j < l.n; j++) {
        if (!pl.units[j])
            continue;
        const gf_store_lever *r = &l.rows[l.idx[j]];
        gf_model_kpi_outcome one, none;
        uint32_t alone[MAX_KPI_LEVERS] = {0};
        alone[j] = pl.units[j];
        if (gf_model_kpi_apply(&k.model, &k.in, l.lv, alone, l.n, &one) ||
            gf_model_kpi_apply(&k.model, &k.in, l.lv, (uint32_t[MAX_KPI_LEVERS]){0}, l.n, &none)) {
            json_decref(actions);
            gf_err_internal(err);
            goto done;
        }
        json_array_append_new(
            actions, json_pack("{s:s, s:s, s:s, s:I, s:o, s:o, s:o, s:o}", "lever", r->key, "name",
                               r->name, "kind", "kpi", "units", (json_int_t)pl.units[j], "cost",
                               gf_svc__money((double)one.cost_cents), "uplift",
                               delta_json(&none, &one, t), "start_on", gf_svc__day(k.req.as_of),
                               "acts_from", gf_svc__day(k.req.as_of + r->ramp_days)));
    }
    body = gf_svc__kpi_head(&k);
    json_object_set_new(body, "metric", json_string(k.series.key));
    json_object_set_new(body, "currency", json_string(k.currency));
    json_object_set_new(body, "method", json_string(gf_svc__kpi_method(&k)));
    json_object_set_new(body, "goal",
                        req->goal == GF_SVC_GOAL_P50
                            ? json_pack("{s:s, s:s}", "metric", k.series.key, "type", "p50")
                            : json_pack("{s:s, s:s, s:f}", "metric", k.series.key, "type",
                                        "probability", "confidence", req->confidence));
    json_object_set_new(body, "budget",
                        req->budget_cents < 0 ? json_null()
                                              : gf_svc__money((double)req->budget_cents));
    json_object_set_new(body, "achieves", json_boolean(pl.achieves));
    json_object_set_new(body, "search", json_string(pl.exact ? "exact" : "greedy"));
    json_object_set_new(body, "baseline", outcome_json(&pl.baseline, t));
    json_object_set_new(body, "result", outcome_json(&pl.result, t));
    json_object_set_new(body, "delta", delta_json(&pl.baseline, &pl.result, t));
    json_object_set_new(body, "actions", actions);
    json_object_set_new(body, "total_cost", gf_svc__money((double)pl.total_cost_cents));
    json_object_set_new(body, "residual_gap", pl.achieves ? json_null() : num(pl.result.gap));
    json_object_set_new(body, "summary", plan_summary(&k, &l, &pl, 0));
    json_object_set_new(body, "summary_markdown", plan_summary(&k, &l, &pl, 1));
done:
    gf_model_kpi_plan_free(&pl);
    free(l.rows);
    gf_svc__kpi_close(&k);
    return body;
}

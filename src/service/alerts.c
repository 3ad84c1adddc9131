/* alerts.c — one evaluation of an org's alert rules (each rule's kind evaluated through the
 * table of alert_kinds.c; a change of state written with its deliveries in one transaction) and
 * the scheduler (GAPFORGE_ALERTS_EVERY: a periodic job, one replica per org at a time). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts_internal.h"
#include "gapforge/crypto.h"
#include "gapforge/log.h"
#include "gapforge/period.h"
#include "gapforge/service.h"
#include "gapforge/service_alerts.h"
#include "gapforge/store.h"
#include "gapforge/store_alerts.h"
#include "periodic.h"
#include "service_internal.h"

typedef gf_svc__alert_eval eval_ctx;

/* ---- one evaluation ---- */

#define MAX_FORECASTS 16

/* The forecasts read during one evaluation, by scope and period. */
typedef struct forecast_cache {
    struct {
        char scope[80], period[32];
        json_t *doc;
        gf_svc_forecast_req req;
        char reason[256];
    } e[MAX_FORECASTS];
    size_t n;
    json_t *spare_doc; /* past MAX_FORECASTS: the last one read, kept until the next */
    gf_svc_forecast_req spare_req;
} forecast_cache;

/* The scope's forecast of period (borrowed from the cache), or NULL with reason when it cannot
 * be made (a negative return: the database is down). */
static int forecast_get(forecast_cache *c, int64_t org_id, const char *scope,
                        const gf_period *period, const json_t **doc,
                        const gf_svc_forecast_req **req, char *reason, size_t cap, gf_err *err)
{
    for (size_t k = 0; k < c->n; k++)
        if (strcmp(c->e[k].scope, scope) == 0 && strcmp(c->e[k].period, period->name) == 0) {
            *doc = c->e[k].doc;
            *req = &c->e[k].req;
            snprintf(reason, cap, "%s", c->e[k].reason);
            return 0;
        }
    gf_err e = {0};
    gf_svc_forecast_req fr;
    const gf_svc_forecast_args args = {.period = period->name, .scope = scope};
    json_t *d = NULL;
    if (gf_svc_forecast_req_parse(org_id, &args, &fr, &e) == 0)
        d = gf_svc_forecast_answer(&fr, &e);
    if (!d && e.code == GF_EUNAVAILABLE) {
        *err = e;
        return e.code;
    }
    if (c->n < MAX_FORECASTS) {
        size_t k = c->n++;
        snprintf(c->e[k].scope, sizeof c->e[k].scope, "%s", scope);
        snprintf(c->e[k].period, sizeof c->e[k].period, "%s", period->name);
        c->e[k].doc = d;
        c->e[k].req = fr;
        snprintf(c->e[k].reason, sizeof c->e[k].reason, "%s", d ? "" : e.message);
        *req = &c->e[k].req;
    } else {
        json_decref(c->spare_doc);
        c->spare_doc = d;
        c->spare_req = fr;
        *req = &c->spare_req;
    }
    *doc = d;
    snprintf(reason, cap, "%s", d ? "" : e.message);
    return 0;
}

static void forecast_cache_clear(forecast_cache *c)
{
    for (size_t k = 0; k < c->n; k++)
        json_decref(c->e[k].doc);
    json_decref(c->spare_doc);
    c->spare_doc = NULL;
    c->n = 0;
}

/* The rule's period: the quarter containing today, the next one, or the named one. */
static int rule_period(const gf_store_alert_rule *r, int fysm, int today, gf_period *out)
{
    gf_period cur;
    if (gf_period_quarter_of(today, fysm, &cur) < 0)
        return -1;
    if (strcmp(r->period, "current") == 0) {
        *out = cur;
        return 0;
    }
    if (strcmp(r->period, "next") == 0)
        return gf_period_quarter_add(&cur, 1, fysm, out);
    return gf_period_parse(r->period, fysm, out);
}

/* Whether the forecast has a positive gap (target above P50). */
static bool forecast_short(const json_t *forecast)
{
    const json_t *gap = json_object_get(forecast, "gap");
    return json_is_number(gap) && json_number_value(gap) > 0;
}

/* The plan's ask for a firing alert with a gap: the cheapest plan to bring the P50 of metric
 * (NULL: bookings; else a KPI key) to its target ({achieves, total_cost, summary, actions}), or
 * nothing when none can be made. */
static void plan_figures(eval_ctx *ev, const gf_svc_forecast_req *req, const char *metric)
{
    gf_err e = {0};
    const gf_svc_plan_req pr = {
        .forecast = *req, .metric = metric, .goal = GF_SVC_GOAL_P50, .budget_cents = -1};
    json_t *plan = gf_svc_plan_answer(&pr, &e);
    if (!plan)
        return;
    json_t *actions = json_array();
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(plan, "actions"), i, a)
    {
        if (i < 5)
            json_array_append_new(actions, json_pack("{s:O, s:O, s:O, s:O}", "lever",
                                                     json_object_get(a, "lever"), "name",
                                                     json_object_get(a, "name"), "units",
                                                     json_object_get(a, "units"), "cost",
                                                     json_object_get(a, "cost")));
    }
    json_object_set_new(ev->figures, "plan",
                        json_pack("{s:O, s:O, s:O, s:o}", "achieves",
                                  json_object_get(plan, "achieves"), "total_cost",
                                  json_object_get(plan, "total_cost"), "summary",
                                  json_object_get(plan, "summary"), "actions", actions));
    json_decref(plan);
}

/* Writes the change of ev's rule to ev->state: the alert and its deliveries, in one transaction
 * (another evaluator that got there first leaves nothing to do: *alert stays NULL). */
static int record_change(eval_ctx *ev, const char *previous, json_t **alert, gf_err *err)
{
    const gf_store_alert_rule *r = ev->rule;
    char state[600];
    int episode = 0;
    *alert = NULL;
    if (gf_store_begin(err) < 0)
        return err->code;
    if (gf_store_alert_state_lock(ev->org_id, r->id, r->scope, ev->period.name, state, sizeof state,
                                  &episode, err) < 0)
        goto fail;
    if (strcmp(state, ev->state) == 0 || strcmp(state, previous) != 0) {
        gf_store_rollback(); /* changed meanwhile: the other evaluator reported it */
        return 0;
    }
    const bool resolved = strcmp(ev->state, "ok") == 0;
    char fp_in[800], fingerprint[65];
    snprintf(fp_in, sizeof fp_in, "%lld|%s|%s|%s", (long long)r->id, r->scope, ev->period.name,
             ev->state);
    gf_sha256_hex(fp_in, strlen(fp_in), fingerprint);
    char message[900];
    snprintf(message, sizeof message, "%s%s", resolved ? "Resolved: " : "", ev->message);
    json_object_set_new(ev->figures, "currency", json_string(ev->currency));
    char *figures = json_dumps(ev->figures, JSON_COMPACT);
    const gf_store_alert_new an = {.rule_id = r->id,
                                   .rule_key = r->key,
                                   .kind = r->kind,
                                   .status = resolved ? "resolved" : "firing",
                                   .fingerprint = fingerprint,
                                   .scope = r->scope,
                                   .period = ev->period.name,
                                   .episode = episode + 1,
                                   .as_of = ev->today,
                                   .figures = figures ? figures : "{}",
                                   .message = message};
    int64_t alert_id = 0;
    json_t *a = gf_store_alert_insert(ev->org_id, &an, &alert_id, err);
    free(figures);
    if (!a || gf_store_alert_state_set(r->id, r->scope, ev->period.name, ev->state, episode + 1,
                                       err) < 0) {
        json_decref(a);
        goto fail;
    }
    gf_store_webhook_target targets[16];
    size_t nt = 0;
    if (gf_store_webhook_targets(ev->org_id, r->webhooks, r->n_webhooks, targets, &nt, err) < 0) {
        json_decref(a);
        goto fail;
    }
    const char *event = resolved ? "alert.resolved" : "alert.fired";
    for (size_t k = 0; k < nt; k++) {
        char *body = gf_svc__alert_body(targets[k].kind, a, event);
        int rc = body ? gf_store_delivery_insert(ev->org_id, alert_id, targets[k].id, r->id, event,
                                                 body, err)
                      : gf_err_internal(err);
        free(body);
        if (rc < 0) {
            json_decref(a);
            goto fail;
        }
    }
    if (gf_store_commit(err) < 0) {
        json_decref(a);
        return err->code;
    }
    if (nt)
        gf_svc_outbox_kick();
    *alert = a;
    return 0;
fail:
    gf_store_rollback();
    return err->code;
}

/* Evaluates one rule into ev and, when its state changed, records the change. */
static int evaluate_rule(eval_ctx *ev, forecast_cache *fc, int fysm, json_t *evaluated,
                         json_t *fired, gf_err *err)
{
    const gf_store_alert_rule *r = ev->rule;
    const gf_svc__alert_kind *k = gf_svc__alert_kind_find(r->kind);
    const gf_svc_forecast_req *req = NULL;
    int rc = 0;
    snprintf(ev->state, sizeof ev->state, "ok");
    ev->figures = json_object();
    if (rule_period(r, fysm, ev->today, &ev->period) < 0)
        snprintf(ev->reason, sizeof ev->reason, "period %s cannot be resolved", r->period);
    else if (!k)
        snprintf(ev->reason, sizeof ev->reason, "unknown kind %s", r->kind);
    else if (k->needs_forecast)
        rc = forecast_get(fc, ev->org_id, r->scope, &ev->period, &ev->forecast, &req, ev->reason,
                          sizeof ev->reason, err);
    if (rc == 0 && !ev->reason[0])
        rc = k->fn(ev, err);
    if (rc < 0)
        return rc;

    json_t *item = json_pack("{s:s, s:s, s:s, s:s}", "rule", r->key, "kind", r->kind, "scope",
                             r->scope, "period", ev->period.name[0] ? ev->period.name : r->period);
    json_t *alert = NULL;
    if (ev->reason[0]) {
        json_object_set_new(item, "state", json_string("not_evaluated"));
        json_object_set_new(item, "reason", json_string(ev->reason));
        json_object_set_new(item, "changed", json_false());
        json_object_set_new(item, "figures", json_object());
    } else {
        char previous[600];
        int episode = 0;
        /* The state as stored (outside a transaction: a cheap look before any writing). */
        rc = gf_store_begin(err);
        if (rc == 0)
            rc = gf_store_alert_state_lock(ev->org_id, r->id, r->scope, ev->period.name, previous,
                                           sizeof previous, &episode, err);
        if (rc == 0)
            rc = gf_store_commit(err);
        else
            gf_store_rollback();
        const bool changed = rc == 0 && strcmp(previous, ev->state) != 0;
        const bool firing = strcmp(ev->state, "ok") != 0;
        if (changed && firing && k->needs_forecast && req && forecast_short(ev->forecast))
            plan_figures(ev, req, NULL);
        else if (changed && firing && ev->plan_metric[0])
            plan_figures(ev, &ev->plan_req, ev->plan_metric);
        if (changed)
            rc = record_change(ev, previous, &alert, err);
        if (rc < 0) {
            json_decref(item);
            return rc;
        }
        /* A kind's own firing states (a set of deals, a direction) are "firing" here. */
        json_object_set_new(item, "state", json_string(firing ? "firing" : "ok"));
        json_object_set_new(item, "previous_state",
                            json_string(strcmp(previous, "ok") != 0 ? "firing" : "ok"));
        json_object_set_new(item, "changed", json_boolean(alert != NULL));
        json_object_set(item, "figures", ev->figures);
        json_object_set_new(item, "message", json_string(ev->message));
    }
    json_array_append_new(evaluated, item);
    if (alert)
        json_array_append_new(fired, alert);
    return 0;
}

json_t *gf_svc_alerts_evaluate(int64_t org_id, const char *rule_key, gf_err *err)
{
    gf_store_alert_rule *rules = NULL;
    size_t n = 0;
    int fysm = 1, today = 0;
    if (gf_store_org_calendar(org_id, &fysm, &today, err) < 0 ||
        gf_store_alert_rules_load(org_id, rule_key, &rules, &n, err) < 0)
        return NULL;
    eval_ctx base = {.org_id = org_id, .today = today};
    if (gf_store_org_currency(org_id, base.currency, err) < 0) {
        gf_store_alert_rules_free(rules, n);
        return NULL;
    }
    forecast_cache *fc = calloc(1, sizeof *fc);
    json_t *evaluated = json_array(), *fired = json_array();
    base.indicators = json_object(); /* the indicators read, by scope */
    int rc = fc && base.indicators ? 0 : gf_err_internal(err);
    for (size_t k = 0; k < n && rc == 0; k++) {
        eval_ctx ev = base;
        ev.rule = &rules[k];
        rc = evaluate_rule(&ev, fc, fysm, evaluated, fired, err);
        json_decref(ev.figures);
    }
    if (fc)
        forecast_cache_clear(fc);
    free(fc);
    json_decref(base.indicators);
    gf_store_alert_rules_free(rules, n);
    if (rc < 0) {
        json_decref(evaluated);
        json_decref(fired);
        return NULL;
    }
    return json_pack("{s:o, s:o}", "evaluated", evaluated, "fired", fired);
}

/* ---- the scheduler ---- */

/* What one tick counted. */
typedef struct tick_count {
    int fired, done, failed;
} tick_count;

/* Evaluates one org; a failed evaluation is logged and the walk goes on. */
static int evaluate_org(int64_t org_id, void *arg, gf_err *err)
{
    tick_count *c = arg;
    json_t *out = gf_svc_alerts_evaluate(org_id, NULL, err);
    if (out) {
        c->fired += (int)json_array_size(json_object_get(out, "fired"));
        c->done++;
    } else {
        gf_log("warn", "alert evaluation failed",
               json_pack("{s:I, s:s}", "org", (json_int_t)org_id, "message", err->message));
        gf_err_clear(err);
        c->failed++;
    }
    json_decref(out);
    return 0;
}

/* One tick: every org that has rules. No lock spans an org's evaluation (a session lock would not
 * hold through PgBouncer's transaction pooling): several replicas may evaluate an org at once,
 * and each change of state is recorded once all the same, by the first evaluator to lock the
 * state's row (record_change). */
static void alerts_tick(gf_svc__job *job, bool first)
{
    (void)first; /* the first tick is the catch-up: evaluating now is all it takes */
    int64_t *orgs = NULL;
    size_t n = 0;
    gf_err err = {0};
    if (gf_store_alert_orgs(&orgs, &n, &err) < 0) {
        gf_svc__count_run("alerts", 0);
        gf_log("warn", "alert evaluation skipped", json_pack("{s:s}", "message", err.message));
        return;
    }
    tick_count c = {0};
    for (size_t k = 0; k < n && !gf_svc__job_stopping(job); k++)
        if (gf_svc__job_for_org(NULL, orgs[k], 0, evaluate_org, &c, &err) < 0)
            break;
    free(orgs);
    gf_svc__count_run("alerts", err.code == GF_OK && !c.failed);
    if (c.done)
        gf_log("info", "alerts evaluated",
               json_pack("{s:i, s:i}", "orgs", c.done, "fired", c.fired));
}

static gf_svc__job g_job = GF_SVC__JOB("alerts", alerts_tick);

int gf_svc_alert_scheduler_start(int every_ms)
{
    return gf_svc__job_start(&g_job, every_ms > 0 ? every_ms : 900000);
}

void gf_svc_alert_scheduler_stop(void)
{
    gf_svc__job_stop(&g_job);
}

/* alert_kinds.c — the kinds of alert rule: one table of their parameters (type, range,
 * default) and evaluators, the check of a rule's params against it, and each kind's evaluator,
 * which reads what the kind watches (the scope's forecast, its snapshots, slipped deals, the
 * leading indicators of GET /v1/indicators, a KPI's forecast) through the service and store and
 * says the rule's state, figures and message. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts_internal.h"
#include "gapforge/crypto.h"
#include "gapforge/date.h"
#include "gapforge/model_summary.h"
#include "gapforge/service.h"
#include "gapforge/service_alerts.h"
#include "gapforge/service_indicators.h"
#include "gapforge/store.h"
#include "service_internal.h"

/* ---- the kinds ---- */

typedef enum { P_NUM, P_INT, P_MONEY, P_KEY, P_ENUM } param_type;

/* One parameter of a kind: its type, range (lo, hi; open ends flagged) and default, or for
 * P_ENUM its choices ("a|b|c", the first the default). */
typedef struct param_spec {
    const char *name;
    param_type type;
    bool required;
    double lo, hi;
    bool lo_open, hi_open;
    double def;          /* used when not required and absent (P_NUM, P_INT) */
    const char *choices; /* P_ENUM */
} param_spec;

typedef gf_svc__alert_eval eval_ctx;

typedef struct kind_row {
    gf_svc__alert_kind k;
    param_spec params[3];
} kind_row;

static int eval_prob_hit(eval_ctx *ev, gf_err *err);
static int eval_p50_drop(eval_ctx *ev, gf_err *err);
static int eval_coverage(eval_ctx *ev, gf_err *err);
static int eval_slipped(eval_ctx *ev, gf_err *err);
static int eval_indicator(eval_ctx *ev, gf_err *err);
static int eval_kpi_miss(eval_ctx *ev, gf_err *err);

static const kind_row kinds[] = {
    {{"prob_hit_below", true, eval_prob_hit}, {{"threshold", P_NUM, true, 0, 1, true, true}}},
    {{"p50_drop", true, eval_p50_drop},
     {{"fraction", P_NUM, true, 0, 1, true, false}, {"days", P_INT, false, 1, 365, 0, 0, 1}}},
    {{"coverage_below", true, eval_coverage}, {{"ratio", P_NUM, true, 0, 100, true, false}}},
    /* A KPI or pipeline indicator of GET /v1/indicators whose change detector alarms in the
     * direction watched (adverse: against the indicator's own direction), by at least
     * min_change of its baseline. */
    {{"indicator_shift", false, eval_indicator},
     {{"indicator", P_KEY, true},
      {"direction", P_ENUM, false, .choices = "any|up|down|adverse"},
      {"min_change", P_NUM, false, 0, 100, false, false, 0}}},
    {{"deal_slipped", false, eval_slipped},
     {{"min_amount", P_MONEY, true}, {"days", P_INT, false, 1, 365, 0, 0, 7}}},
    /* A KPI's probability of meeting its target in the period below a threshold. */
    {{"kpi_miss", false, eval_kpi_miss},
     {{"kpi", P_KEY, true}, {"threshold", P_NUM, true, 0, 1, true, true}}},
};

#define NKINDS (sizeof kinds / sizeof kinds[0])

const char *const gf_svc_alert_kinds[NKINDS + 1] = {
    "prob_hit_below", "p50_drop", "coverage_below", "indicator_shift", "deal_slipped",
    "kpi_miss",       NULL};

static const kind_row *find_kind(const char *kind)
{
    for (size_t k = 0; k < NKINDS; k++)
        if (strcmp(kinds[k].k.kind, kind) == 0)
            return &kinds[k];
    return NULL;
}

const gf_svc__alert_kind *gf_svc__alert_kind_find(const char *kind)
{
    const kind_row *r = kind ? find_kind(kind) : NULL;
    return r ? &r->k : NULL;
}

/* Whether text is one of choices ("a|b|c"). */
static bool one_of(const char *text, const char *choices)
{
    const size_t n = strlen(text);
    for (const char *c = choices; n && *c;) {
        const char *bar = strchr(c, '|');
        const size_t len = bar ? (size_t)(bar - c) : strlen(c);
        if (len == n && strncmp(c, text, n) == 0)
            return true;
        c += len + (bar != NULL);
    }
    return false;
}

static bool key_text(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z') ||
              (s[n] >= '0' && s[n] <= '9') || strchr("_.:-", s[n])))
            return false;
    return n >= 1 && n <= 64;
}

/* Checks one parameter value; 0 or GF_EINVALID naming params.NAME. */
static int param_check(const param_spec *p, const json_t *v, gf_err *err)
{
    char field[64];
    snprintf(field, sizeof field, "params.%s", p->name);
    if (p->type == P_KEY)
        return json_is_string(v) && key_text(json_string_value(v))
                   ? 0
                   : gf_err_invalid(err, field, "%s must be a key ([A-Za-z0-9_.:-]{1,64})", field);
    if (p->type == P_ENUM)
        return json_is_string(v) && one_of(json_string_value(v), p->choices)
                   ? 0
                   : gf_err_invalid(err, field, "%s must be one of %s", field, p->choices);
    if (!json_is_number(v))
        return gf_err_invalid(err, field, "%s must be a number", field);
    const double x = json_number_value(v);
    if (p->type == P_INT && (!json_is_integer(v) || x < p->lo || x > p->hi))
        return gf_err_invalid(err, field, "%s must be an integer in [%g, %g]", field, p->lo, p->hi);
    if (p->type == P_MONEY)
        return isfinite(x) && x >= 0 && x < 1e16 && fabs(x * 100 - round(x * 100)) < 1e-6
                   ? 0
                   : gf_err_invalid(err, field, "%s must be an amount >= 0 with at most 2 decimals",
                                    field);
    const bool lo_ok = p->lo_open ? x > p->lo : x >= p->lo;
    const bool hi_ok = p->hi_open ? x < p->hi : x <= p->hi;
    if (p->type == P_NUM && (!isfinite(x) || !lo_ok || !hi_ok))
        return gf_err_invalid(err, field, "%s must be in %s%g, %g%s", field, p->lo_open ? "(" : "[",
                              p->lo, p->hi, p->hi_open ? ")" : "]");
    return 0;
}

json_t *gf_svc_alert_params(const char *kind, const json_t *params, gf_err *err)
{
    const kind_row *k = kind ? find_kind(kind) : NULL;
    if (!k) {
        gf_err_invalid(err, "kind", "kind is not one of the alert rule kinds");
        return NULL;
    }
    if (params && !json_is_object(params)) {
        gf_err_invalid(err, "params", "params must be an object");
        return NULL;
    }
    const char *name;
    const json_t *v;
    json_object_foreach((json_t *)params, name, v)
    {
        bool known = false;
        for (size_t i = 0; i < 3 && k->params[i].name; i++)
            known = known || strcmp(k->params[i].name, name) == 0;
        if (!known) {
            char field[96];
            snprintf(field, sizeof field, "params.%.80s", name);
            gf_err_invalid(err, field, "%s is not a parameter of a %s rule", field, k->k.kind);
            return NULL;
        }
    }
    json_t *out = json_object();
    for (size_t i = 0; i < 3 && k->params[i].name; i++) {
        const param_spec *p = &k->params[i];
        v = params ? json_object_get(params, p->name) : NULL;
        if (!v && p->required) {
            gf_err_invalid(err, "params", "params.%s is required for a %s rule", p->name,
                           k->k.kind);
            json_decref(out);
            return NULL;
        }
        if (!v && p->type == P_INT)
            json_object_set_new(out, p->name, json_integer((json_int_t)p->def));
        else if (!v && p->type == P_NUM)
            json_object_set_new(out, p->name, json_real(p->def));
        else if (!v && p->type == P_ENUM)
            json_object_set_new(out, p->name, json_stringn(p->choices, strcspn(p->choices, "|")));
        else if (param_check(p, v, err) < 0) {
            json_decref(out);
            return NULL;
        } else {
            json_object_set(out, p->name, (json_t *)v);
        }
    }
    return out;
}

/* ---- evaluators ---- */

static double param(const eval_ctx *ev, const char *name)
{
    return json_number_value(json_object_get(ev->rule->params, name));
}

static double fnum(const json_t *doc, const char *name, bool *ok)
{
    const json_t *v = json_object_get(doc, name);
    if (!json_is_number(v))
        *ok = false;
    return json_number_value(v);
}

/* Money in currency units as short text ("$1.2M"). */
static void money(const eval_ctx *ev, double units, char out[32])
{
    gf_model_money_short(units * 100.0, ev->currency, out);
}

/* The forecast's figures every forecast alert shows, and its top "why" drivers. */
static void forecast_figures(eval_ctx *ev)
{
    const json_t *f = ev->forecast;
    static const char *const keep[] = {"target", "booked",   "expected", "p10",     "p50",
                                       "p90",    "prob_hit", "gap",      "coverage"};
    for (size_t k = 0; k < sizeof keep / sizeof keep[0]; k++) {
        const json_t *v = json_object_get(f, keep[k]);
        json_object_set_new(ev->figures, keep[k], v ? json_deep_copy(v) : json_null());
    }
    json_t *why = json_array();
    const json_t *drivers = json_object_get(json_object_get(f, "why"), "drivers");
    const int top = gf_svc_options_get()->alert_top_drivers;
    /* The drivers by their impact's size, largest first. */
    const size_t n = json_array_size(drivers);
    bool used[32] = {0};
    for (int t = 0; t < top && (size_t)t < n && n <= 32; t++) {
        size_t best = n;
        for (size_t i = 0; i < n; i++) {
            const double imp =
                fabs(json_number_value(json_object_get(json_array_get(drivers, i), "impact")));
            if (!used[i] && (best == n || imp > fabs(json_number_value(json_object_get(
                                                    json_array_get(drivers, best), "impact")))))
                best = i;
        }
        used[best] = true;
        const json_t *d = json_array_get(drivers, best);
        json_array_append_new(
            why, json_pack("{s:O, s:O, s:O}", "driver", json_object_get(d, "driver"), "impact",
                           json_object_get(d, "impact"), "text", json_object_get(d, "text")));
    }
    json_object_set_new(ev->figures, "why", why);
}

static int eval_prob_hit(eval_ctx *ev, gf_err *err)
{
    (void)err;
    bool ok = true;
    const double p = fnum(ev->forecast, "prob_hit", &ok), th = param(ev, "threshold");
    if (!ok) {
        snprintf(ev->reason, sizeof ev->reason, "no bookings target for %s in %s", ev->rule->scope,
                 ev->period.name);
        return 0;
    }
    forecast_figures(ev);
    json_object_set_new(ev->figures, "threshold", json_real(th));
    char p50[32], target[32];
    money(ev, fnum(ev->forecast, "p50", &ok), p50);
    money(ev, fnum(ev->forecast, "target", &ok), target);
    const bool firing = p < th;
    snprintf(ev->state, sizeof ev->state, "%s", firing ? "firing" : "ok");
    snprintf(ev->message, sizeof ev->message,
             "%s %s: probability of hitting the target %s %.0f%% (threshold %.0f%%); P50 %s "
             "against a target of %s",
             ev->rule->scope, ev->period.name, firing ? "is" : "is back to", 100 * p, 100 * th, p50,
             target);
    return 0;
}

static int eval_coverage(eval_ctx *ev, gf_err *err)
{
    (void)err;
    bool ok = true, has_cov = true;
    fnum(ev->forecast, "target", &ok);
    const double cov = fnum(ev->forecast, "coverage", &has_cov), ratio = param(ev, "ratio");
    if (!ok) {
        snprintf(ev->reason, sizeof ev->reason, "no bookings target for %s in %s", ev->rule->scope,
                 ev->period.name);
        return 0;
    }
    forecast_figures(ev);
    json_object_set_new(ev->figures, "ratio", json_real(ratio));
    /* No coverage with a target: booked has reached it, nothing left to cover. */
    const bool firing = has_cov && cov < ratio;
    snprintf(ev->state, sizeof ev->state, "%s", firing ? "firing" : "ok");
    if (has_cov)
        snprintf(ev->message, sizeof ev->message,
                 "%s %s: pipeline coverage of the remaining target %s %.2fx (threshold %.2fx)",
                 ev->rule->scope, ev->period.name, firing ? "is" : "is back to", cov, ratio);
    else
        snprintf(ev->message, sizeof ev->message, "%s %s: the target is already booked",
                 ev->rule->scope, ev->period.name);
    return 0;
}

static int eval_p50_drop(eval_ctx *ev, gf_err *err)
{
    gf_store_snapshot_point *pts = NULL;
    size_t n = 0;
    if (gf_store_accuracy_snapshots(ev->org_id, ev->rule->scope, &ev->period, &pts, &n, err) < 0)
        return err->code;
    const int days = (int)param(ev, "days");
    const gf_store_snapshot_point *base = NULL;
    for (size_t k = 0; k < n; k++)
        if (pts[k].as_of <= ev->today - days)
            base = &pts[k];
    if (!base) {
        free(pts);
        snprintf(ev->reason, sizeof ev->reason,
                 "no snapshot of %s in %s made %d day(s) or more before today to compare with",
                 ev->rule->scope, ev->period.name, days);
        return 0;
    }
    bool ok = true;
    const double now = fnum(ev->forecast, "p50", &ok), before = (double)base->p50_cents / 100.0;
    const double fraction = param(ev, "fraction");
    const double drop = before > 0 ? (before - now) / before : 0;
    forecast_figures(ev);
    json_object_set_new(ev->figures, "previous_p50", json_real(before));
    char d[11];
    gf_date_format(base->as_of, d);
    json_object_set_new(ev->figures, "previous_as_of", json_string(d));
    json_object_set_new(ev->figures, "drop", json_real(drop));
    json_object_set_new(ev->figures, "fraction", json_real(fraction));
    free(pts);
    const bool firing = before > 0 && drop >= fraction;
    char a[32], b[32];
    money(ev, before, a);
    money(ev, now, b);
    snprintf(ev->state, sizeof ev->state, "%s", firing ? "firing" : "ok");
    snprintf(ev->message, sizeof ev->message,
             "%s %s: P50 %s \u2192 %s since %s (%s %.0f%%; alert at a drop of %.0f%%)",
             ev->rule->scope, ev->period.name, a, b, d, drop >= 0 ? "down" : "up", 100 * fabs(drop),
             100 * fraction);
    return 0;
}

static int eval_slipped(eval_ctx *ev, gf_err *err)
{
    const json_t *min = json_object_get(ev->rule->params, "min_amount");
    char amount[32];
    snprintf(amount, sizeof amount, "%.2f", json_number_value(min));
    const int days = (int)param(ev, "days");
    json_t *deals = gf_store_alert_slipped(ev->org_id, ev->rule->scope, ev->period.start,
                                           ev->period.end, days, amount, err);
    if (!deals) {
        if (err->code != GF_EINVALID)
            return err->code;
        snprintf(ev->reason, sizeof ev->reason, "%s", err->message);
        gf_err_clear(err);
        return 0;
    }
    const size_t n = json_array_size(deals);
    double total = 0;
    size_t used = 0;
    snprintf(ev->state, sizeof ev->state, "%s", n ? "slipped:" : "ok");
    for (size_t k = 0; k < n; k++) {
        const json_t *d = json_array_get(deals, k);
        total += json_number_value(json_object_get(d, "amount"));
        used = strlen(ev->state);
        snprintf(ev->state + used, sizeof ev->state - used, "%s%lld", k ? "," : "",
                 (long long)json_integer_value(json_object_get(d, "id")));
    }
    if (strlen(ev->state) >= sizeof ev->state - 1) { /* many deals: their set's hash */
        char hex[65];
        gf_sha256_hex(ev->state, strlen(ev->state), hex);
        snprintf(ev->state, sizeof ev->state, "slipped:#%s", hex);
    }
    json_object_set_new(ev->figures, "deals", deals);
    json_object_set_new(ev->figures, "count", json_integer((json_int_t)n));
    json_object_set_new(ev->figures, "amount", json_real(total));
    json_object_set_new(ev->figures, "min_amount", json_deep_copy(min));
    json_object_set_new(ev->figures, "days", json_integer(days));
    char t[32], m[32];
    money(ev, total, t);
    money(ev, json_number_value(min), m);
    if (n)
        snprintf(ev->message, sizeof ev->message,
                 "%s %s: %zu deal(s) of at least %s (%s in all) slipped out of the period in the "
                 "last %d days: %s%s",
                 ev->rule->scope, ev->period.name, n, m, t, days,
                 json_string_value(json_object_get(json_array_get(deals, 0), "name")),
                 n > 1 ? " and more" : "");
    else
        snprintf(ev->message, sizeof ev->message,
                 "%s %s: no deal of at least %s slipped out of the period in the last %d days",
                 ev->rule->scope, ev->period.name, m, days);
    return 0;
}

/* ---- indicator_shift ---- */

static const char *jstr(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static json_t *copy_or_null(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    return v ? json_deep_copy(v) : json_null();
}

/* The scope's GET /v1/indicators document as of today, read once per evaluation (borrowed from
 * ev->indicators), or NULL with reason when it cannot be made (a negative return: the database
 * is down). */
static int indicators_get(eval_ctx *ev, const json_t **doc, gf_err *err)
{
    const json_t *cached = json_object_get(ev->indicators, ev->rule->scope);
    if (!cached) {
        gf_err e = {0};
        gf_svc_indicators_req req;
        const gf_svc_indicators_args args = {.scope = ev->rule->scope};
        json_t *d = NULL;
        if (gf_svc_indicators_req_parse(ev->org_id, &args, &req, &e) == 0)
            d = gf_svc_indicators_answer(&req, &e);
        if (!d && e.code == GF_EUNAVAILABLE) {
            *err = e;
            return e.code;
        }
        if (!d)
            d = json_pack("{s:s}", "error", e.message);
        json_object_set_new(ev->indicators, ev->rule->scope, d);
        cached = d;
    }
    *doc = NULL;
    if (json_object_get(cached, "error"))
        snprintf(ev->reason, sizeof ev->reason, "%s", jstr(cached, "error"));
    else
        *doc = cached;
    return 0;
}

/* The item of the indicators document with key, or NULL. */
static const json_t *indicator_item(const json_t *doc, const char *key)
{
    size_t i;
    const json_t *it;
    json_array_foreach(json_object_get(doc, "items"), i, it)
    {
        if (strcmp(jstr(it, "key"), key) == 0)
            return it;
    }
    return NULL;
}

/* An indicator's level as text: money for a currency unit, else the number and its unit. */
static void level_text(const eval_ctx *ev, const json_t *item, const json_t *v, char out[48])
{
    const char *unit = jstr(item, "unit");
    if (!json_is_number(v))
        snprintf(out, 48, "n/a");
    else if (strcmp(unit, ev->currency) == 0)
        gf_model_money_short(json_number_value(v) * 100.0, ev->currency, out);
    else if (strcmp(unit, "share") == 0)
        snprintf(out, 48, "%.1f%%", 100.0 * json_number_value(v));
    else
        snprintf(out, 48, "%.4g %.30s", json_number_value(v), unit);
}

static int eval_indicator(eval_ctx *ev, gf_err *err)
{
    const json_t *doc = NULL;
    if (indicators_get(ev, &doc, err) < 0)
        return err->code;
    if (!doc)
        return 0;
    const char *key = json_string_value(json_object_get(ev->rule->params, "indicator"));
    const json_t *it = indicator_item(doc, key);
    if (!it) {
        snprintf(ev->reason, sizeof ev->reason,
                 "%s is not an indicator of %s (GET /v1/indicators: the KPIs with leads_to and "
                 "the pipeline's own)",
                 key, ev->rule->scope);
        return 0;
    }
    const json_t *det = json_object_get(it, "detector"), *base = json_object_get(it, "baseline"),
                 *recent = json_object_get(it, "recent"), *change = json_object_get(it, "change");
    const char *dstate = jstr(det, "state");
    if (strcmp(dstate, "insufficient_history") == 0 || strcmp(dstate, "no_variation") == 0) {
        snprintf(ev->reason, sizeof ev->reason, "%s", jstr(it, "text"));
        return 0;
    }
    /* The detector's own verdict, filtered by the rule's direction and size. */
    const char *watch = jstr(ev->rule->params, "direction");
    const char *dir = jstr(det, "direction");
    const bool lower_better = strcmp(jstr(it, "direction"), "lower_is_better") == 0;
    const double min_change = param(ev, "min_change");
    const json_t *rel = json_object_get(change, "relative");
    bool firing = json_is_true(json_object_get(det, "alarm"));
    if (strcmp(watch, "up") == 0 || strcmp(watch, "down") == 0)
        firing = firing && strcmp(dir, watch) == 0;
    else if (strcmp(watch, "adverse") == 0)
        firing = firing && strcmp(dir, lower_better ? "up" : "down") == 0;
    if (min_change > 0)
        firing = firing && json_is_number(rel) && fabs(json_number_value(rel)) >= min_change;

    json_t *f = ev->figures;
    json_object_set_new(f, "indicator", json_string(key));
    json_object_set_new(f, "indicator_name", copy_or_null(it, "name"));
    json_object_set_new(f, "indicator_kind", copy_or_null(it, "kind"));
    json_object_set_new(f, "unit", copy_or_null(it, "unit"));
    json_object_set_new(f, "value", copy_or_null(recent, "level"));
    json_object_set_new(f, "recent_from", copy_or_null(recent, "from"));
    json_object_set_new(f, "baseline", copy_or_null(base, "level"));
    json_object_set_new(f, "change", change ? json_deep_copy(change) : json_object());
    json_object_set_new(f, "detector_state", json_string(dstate));
    json_object_set_new(f, "direction", copy_or_null(det, "direction"));
    json_object_set_new(f, "since", copy_or_null(det, "since"));
    json_object_set_new(f, "alarmed_on", copy_or_null(det, "alarmed_on"));
    json_object_set_new(f, "text", copy_or_null(it, "text"));
    json_object_set_new(f, "watch", json_string(watch));
    json_object_set_new(f, "min_change", json_real(min_change));
    json_object_set_new(f, "as_of", copy_or_null(doc, "as_of"));
    /* The shift's projected effect on the rule's period, when it leads to bookings. */
    const json_t *q = NULL, *cand;
    size_t i;
    json_array_foreach(json_object_get(json_object_get(it, "effect"), "quarters"), i, cand)
    {
        if (strcmp(jstr(cand, "period"), ev->period.name) == 0)
            q = cand;
    }
    json_object_set_new(f, "bookings_change", q ? copy_or_null(q, "bookings_change") : json_null());

    snprintf(ev->state, sizeof ev->state, "%s", firing ? dstate : "ok");
    char now[48], was[48];
    level_text(ev, it, json_object_get(recent, "level"), now);
    level_text(ev, it, json_object_get(base, "level"), was);
    int w = snprintf(ev->message, sizeof ev->message, "%s: %s (%s a week against a baseline of %s)",
                     ev->rule->scope, jstr(it, "text"), now, was);
    const double effect = json_number_value(json_object_get(q, "bookings_change"));
    if (firing && q && fabs(effect) >= 0.5 && w > 0 && (size_t)w < sizeof ev->message) {
        char amount[32];
        money(ev, fabs(effect), amount);
        snprintf(ev->message + w, sizeof ev->message - (size_t)w,
                 "; %s bookings %s%s from deals not yet created", ev->period.name,
                 effect < 0 ? "-" : "+", amount);
    } else if (!firing && json_is_true(json_object_get(det, "alarm")) && w > 0 &&
               (size_t)w < sizeof ev->message) {
        snprintf(ev->message + w, sizeof ev->message - (size_t)w,
                 "; the rule watches for shifts %s of at least %.0f%%", watch, 100 * min_change);
    }
    return 0;
}

/* ---- kpi_miss ---- */

/* A KPI's value as text with two to three significant figures ("4.00", "0.40", "36.5"). */
static void kpi_number(const json_t *v, char out[24])
{
    const double x = json_number_value(v);
    const double a = fabs(x);
    if (!json_is_number(v))
        snprintf(out, 24, "n/a");
    else
        snprintf(out, 24, "%.*f", a >= 100 ? 0 : a >= 10 ? 1 : a >= 0.1 || a == 0 ? 2 : 4, x);
}

static int eval_kpi_miss(eval_ctx *ev, gf_err *err)
{
    const char *kpi = json_string_value(json_object_get(ev->rule->params, "kpi"));
    const double th = param(ev, "threshold");
    gf_err e = {0};
    gf_svc_forecast_req req;
    const gf_svc_forecast_args args = {.period = ev->period.name, .scope = ev->rule->scope};
    json_t *kf = NULL;
    if (gf_svc_forecast_req_parse(ev->org_id, &args, &req, &e) == 0)
        kf = gf_svc_kpi_forecast_answer(&req, kpi, false, &e);
    if (!kf) {
        if (e.code == GF_EUNAVAILABLE) {
            *err = e;
            return e.code;
        }
        if (e.code == GF_ENOTFOUND)
            snprintf(ev->reason, sizeof ev->reason, "no KPI %s (PUT /v1/kpis/%s)", kpi, kpi);
        else
            snprintf(ev->reason, sizeof ev->reason, "%s", e.message);
        return 0;
    }
    const json_t *k = json_object_get(kf, "kpi"), *value = json_object_get(kf, "value");
    const json_t *prob = json_object_get(kf, "prob_meet");
    if (!json_is_number(prob)) {
        snprintf(ev->reason, sizeof ev->reason, "no target of %s for %s in %s (PUT /v1/targets)",
                 kpi, ev->rule->scope, ev->period.name);
        json_decref(kf);
        return 0;
    }
    const double p = json_number_value(prob);
    const bool firing = p < th;
    json_t *f = ev->figures;
    json_object_set_new(f, "kpi", json_string(kpi));
    json_object_set_new(f, "kpi_name", copy_or_null(k, "name"));
    json_object_set_new(f, "unit", copy_or_null(k, "unit"));
    json_object_set_new(f, "direction", copy_or_null(k, "direction"));
    json_object_set_new(f, "aggregation", copy_or_null(k, "aggregation"));
    static const char *const band[] = {"p10", "p50", "p90"};
    for (size_t b = 0; b < 3; b++)
        json_object_set_new(f, band[b], copy_or_null(value, band[b]));
    json_object_set_new(f, "target", copy_or_null(kf, "target"));
    json_object_set_new(f, "gap", copy_or_null(kf, "gap"));
    json_object_set_new(f, "prob_meet", json_real(p));
    json_object_set_new(f, "threshold", json_real(th));
    json_object_set_new(f, "period",
                        json_pack("{s:s, s:O, s:O}", "name", ev->period.name, "start",
                                  json_object_get(kf, "start"), "end", json_object_get(kf, "end")));
    json_object_set_new(f, "method", copy_or_null(kf, "method"));
    snprintf(ev->state, sizeof ev->state, "%s", firing ? "firing" : "ok");
    char label[208];
    snprintf(label, sizeof label, "%s", jstr(k, "name"));
    if (label[0] >= 'A' && label[0] <= 'Z' && !(label[1] >= 'A' && label[1] <= 'Z'))
        label[0] = (char)(label[0] - 'A' + 'a');
    char p10[24], p50[24], p90[24], target[24];
    kpi_number(json_object_get(value, "p10"), p10);
    kpi_number(json_object_get(value, "p50"), p50);
    kpi_number(json_object_get(value, "p90"), p90);
    kpi_number(json_object_get(kf, "target"), target);
    snprintf(ev->message, sizeof ev->message,
             "%s %s: %s heads for %s %s (P10\u2013P90 %s\u2013%s) against a target of %s; the "
             "probability of meeting it %s %.0f%% (threshold %.0f%%)",
             ev->rule->scope, ev->period.name, label, p50, jstr(k, "unit"), p10, p90, target,
             firing ? "is" : "is back to", 100 * p, 100 * th);
    const json_t *gap = json_object_get(kf, "gap");
    if (firing && json_is_number(gap) && json_number_value(gap) > 0) {
        snprintf(ev->plan_metric, sizeof ev->plan_metric, "%s", kpi);
        ev->plan_req = req;
    }
    json_decref(kf);
    return 0;
}

/* indicators.c — GET /v1/indicators: the org's leading KPIs and the pipeline's own weekly
 * figures, each through the change detector, with a sentence and, for a KPI leading to
 * bookings, the effect of its shift on the quarters its lag reaches. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gapforge/date.h"
#include "gapforge/log.h"
#include "gapforge/model_newdeals.h"
#include "gapforge/period.h"
#include "gapforge/service_indicators.h"
#include "gapforge/store.h"
#include "gapforge/store_history.h"
#include "service_internal.h"

#define FIRST_YEAR 1910
#define LAST_YEAR  9998

int gf_svc_indicators_req_parse(int64_t org_id, const gf_svc_indicators_args *a,
                                gf_svc_indicators_req *req, gf_err *err)
{
    int today, y, m, d;
    memset(req, 0, sizeof *req);
    req->org_id = org_id;
    if (a->scope && strlen(a->scope) >= sizeof req->scope)
        return gf_err_invalid(err, "scope", "scope must be org, team:KEY or rep:KEY");
    snprintf(req->scope, sizeof req->scope, "%s", a->scope ? a->scope : "org");
    if (gf_store_org_calendar(org_id, &req->fysm, &today, err) < 0)
        return err->code;
    req->as_of = today;
    if (a->as_of) {
        if (gf_date_parse(a->as_of, &req->as_of) < 0)
            return gf_err_invalid(err, "as_of", "as_of must be a date YYYY-MM-DD");
        gf_date_to_ymd(req->as_of, &y, &m, &d);
        if (y < FIRST_YEAR || y > LAST_YEAR)
            return gf_err_invalid(err, "as_of", "as_of must be a date from %d to %d", FIRST_YEAR,
                                  LAST_YEAR);
    }
    return 0;
}

/* What one answer works from. */
typedef struct ind_ctx {
    const gf_svc_indicators_req *req;
    gf_store_lead_kpis *leads;
    gf_store_history *history; /* NULL for an org with no stages */
    uint8_t *mask;             /* the scope's deals, NULL for the whole org */
    uint8_t *marketing;        /* per deal of history */
    gf_model_pipeline pipe;
    gf_model_cusum_opts opts;
    size_t n;  /* weeks */
    int first; /* Monday of week 0 */
    gf_period quarters[8];
    int n_quarters;
    double nd_expected[8]; /* each quarter's expected bookings of deals not yet created */
} ind_ctx;

static json_t *num(double v, double scale)
{
    return isfinite(v) ? json_real(v / scale) : json_null();
}

static json_t *day_or_null(int day, int ok)
{
    return ok ? gf_svc__day(day) : json_null();
}

/* "Qualified leads" -> "qualified leads" for the middle of a sentence. */
static void lower_first(const char *name, char *out, size_t cap)
{
    snprintf(out, cap, "%s", name);
    if (out[0] && isupper((unsigned char)out[0]) && !isupper((unsigned char)out[1]))
        out[0] = (char)tolower((unsigned char)out[0]);
}

static void sentence(const char *name, const gf_model_shift *s, int first, double scale,
                     const gf_model_cusum_opts *o, char *buf, size_t cap)
{
    char label[208], since[11];
    lower_first(name, label, sizeof label);
    gf_date_format(first + 7 * (int)s->recent_from, since);
    const int up = s->state == GF_MODEL_SHIFT_UP;
    switch (s->state) {
    case GF_MODEL_SHIFT_UP:
    case GF_MODEL_SHIFT_DOWN:
        if (isfinite(s->relative))
            snprintf(buf, cap, "%s turned %s %.0f%% since %s", label, up ? "up" : "down",
                     100.0 * fabs(s->relative), since);
        else
            snprintf(buf, cap, "%s turned %s since %s", label, up ? "up" : "down", since);
        break;
    case GF_MODEL_SHIFT_IN_CONTROL:
        snprintf(buf, cap,
                 "%s steady: %.4g a week over the last %zu weeks against a baseline of "
                 "%.4g",
                 label, s->recent / scale, s->n_recent, s->baseline / scale);
        break;
    case GF_MODEL_SHIFT_NO_SPREAD:
        snprintf(buf, cap, "%s: the baseline never varied, so no shift can be measured", label);
        break;
    default:
        snprintf(buf, cap, "%s: not enough history (%zu baseline weeks with a value, %zu needed)",
                 label, s->n_baseline, o->min_baseline);
    }
}

/* The expected bookings of the deals not yet created of quarter q at as_of (cents), NAN without
 * a history. */
static double new_deals_expected(const ind_ctx *c, const gf_period *q)
{
    if (!c->history)
        return NAN;
    gf_model_newdeals nd = {0};
    const gf_model_period p = {q->start, q->end};
    double v = NAN;
    if (gf_model_newdeals_fit(&c->history->h, &c->history->cal, p, c->req->as_of, 4, c->mask,
                              &nd) == 0)
        v = nd.lambda * nd.mean_amount;
    gf_model_newdeals_free(&nd);
    return v;
}

/* The effect of a KPI's shift through its leads_to link. */
static json_t *effect_json(const ind_ctx *c, const gf_store_lead_kpi *k, const gf_model_shift *s)
{
    const int shifted = s->state == GF_MODEL_SHIFT_UP || s->state == GF_MODEL_SHIFT_DOWN;
    const int start = c->first + 7 * (int)s->recent_from;
    json_t *quarters = json_array();
    const int bookings = strcmp(k->leads_to, "bookings") == 0;
    double total = 0.0;
    for (int i = 0; bookings && i < c->n_quarters; i++) {
        const gf_period *q = &c->quarters[i];
        gf_model_lead_effect e;
        gf_model_lead_effect_of(s, start, k->lag_days, (gf_model_period){q->start, q->end},
                                c->req->as_of, gf_svc_options_get()->indicator_floor, &e);
        const double nd = c->nd_expected[i];
        const double change = (e.multiplier - 1.0) * nd;
        if (isfinite(change))
            total += change;
        json_array_append_new(quarters, json_pack("{s:s, s:f, s:f, s:o, s:o}", "period", q->name,
                                                  "share", e.share, "multiplier", e.multiplier,
                                                  "new_deals_expected", gf_svc__money(nd),
                                                  "bookings_change", gf_svc__money(change)));
    }
    char text[256] = "";
    if (bookings && shifted) {
        char from[11], amount[32];
        gf_date_format(start + k->lag_days, from);
        snprintf(amount, sizeof amount, "%.0f", fabs(total) / 100.0);
        snprintf(text, sizeof text,
                 "bookings from %s answer to this shift (lag %d days): %s%s of deals not yet "
                 "created over the next %d quarters",
                 from, k->lag_days, total < 0 ? "-" : "+", amount, c->n_quarters);
    }
    return json_pack("{s:s, s:i, s:o, s:o, s:o, s:s}", "metric", k->leads_to, "lag_days",
                     k->lag_days, "shift_start", day_or_null(start, shifted), "starts_on",
                     day_or_null(start + k->lag_days, shifted), "quarters", quarters, "text", text);
}

/* One indicator's item. scale divides values shown (100 for money in cents). */
static json_t *item_json(const ind_ctx *c, const char *key, const char *kind, const char *name,
                         const char *unit, const char *direction, const double *v, double scale,
                         gf_model_shift *s, json_t *leads_to, json_t *effect)
{
    const gf_model_cusum_opts *o = &c->opts;
    const int shifted = s->state == GF_MODEL_SHIFT_UP || s->state == GF_MODEL_SHIFT_DOWN;
    json_t *series = json_array();
    for (size_t w = 0; w < c->n; w++)
        json_array_append_new(series,
                              json_pack("{s:o, s:o}", "week", gf_svc__day(c->first + 7 * (int)w),
                                        "value", num(v[w], scale)));
    char text[320];
    sentence(name, s, c->first, scale, o, text, sizeof text);
    const int wk = c->first, last = c->first + 7 * (int)c->n - 1;
    const double z = 1.6448536269514722; /* the 90% interval */
    json_t *item = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:o, s:{s:o, s:o, s:o, s:o, s:I},"
        " s:{s:o, s:o, s:o, s:I}, s:{s:o, s:o, s:o, s:o, s:o},"
        " s:{s:s, s:b, s:o, s:f, s:f, s:o, s:o}, s:s, s:o}",
        "key", key, "kind", kind, "name", name, "unit", unit, "direction", direction, "leads_to",
        leads_to ? leads_to : json_null(), "baseline", "from",
        gf_svc__day(wk + 7 * (int)s->baseline_from), "to",
        gf_svc__day(wk + 7 * (int)s->baseline_to - 1), "level", num(s->baseline, scale), "spread",
        num(s->spread, scale), "n", (json_int_t)s->n_baseline, "recent", "from",
        gf_svc__day(wk + 7 * (int)s->recent_from), "to", gf_svc__day(last), "level",
        num(s->recent, scale), "n", (json_int_t)s->n_recent, "change", "value",
        num(s->change, scale), "relative", num(s->relative, 1.0), "se", num(s->change_se, scale),
        "low", num(s->change - z * s->change_se, scale), "high",
        num(s->change + z * s->change_se, scale), "detector", "state",
        gf_model_shift_state_name(s->state), "alarm", shifted, "direction",
        shifted ? json_string(s->state == GF_MODEL_SHIFT_UP ? "up" : "down") : json_null(), "up",
        s->up, "down", s->down, "since", day_or_null(wk + 7 * (int)s->recent_from, shifted),
        "alarmed_on", day_or_null(wk + 7 * (int)s->alarm_at + 6, shifted), "text", text, "series",
        series);
    json_object_set_new(item, "effect", effect ? effect : json_null());
    return item;
}

static void kpi_agg_name(int agg, const char **name)
{
    *name = agg == GF_MODEL_AGG_SUM ? "sum" : agg == GF_MODEL_AGG_MEAN ? "mean" : "last";
}

static int add_kpis(ind_ctx *c, json_t *items, double *leads_weekly, int *have_leads)
{
    double *v = malloc(c->n * sizeof *v);
    if (!v)
        return -1;
    const long primary = gf_svc__leads_primary(c->leads);
    for (size_t i = 0; i < c->leads->n; i++) {
        const gf_store_lead_kpi *k = &c->leads->k[i];
        gf_model_shift s;
        int first;
        if (gf_svc__lead_shift(k, c->req->as_of, &s, &first, v) != 0) {
            free(v);
            return -1;
        }
        if ((long)i == primary) {
            memcpy(leads_weekly, v, c->n * sizeof *v);
            *have_leads = 1;
        }
        const char *agg;
        kpi_agg_name(k->aggregation, &agg);
        json_t *lt = json_pack("{s:s, s:i, s:s}", "metric", k->leads_to, "lag_days", k->lag_days,
                               "aggregation", agg);
        json_array_append_new(items, item_json(c, k->key, "kpi", k->name, k->unit, k->direction, v,
                                               1.0, &s, lt, effect_json(c, k, &s)));
    }
    free(v);
    return 0;
}

/* One pipeline indicator's item from its weekly values. */
static int add_pipe(ind_ctx *c, json_t *items, const char *key, const char *name, const char *unit,
                    const double *v, double scale)
{
    gf_model_shift s;
    if (gf_model_shift_detect(v, c->n, &c->opts, &s) != 0)
        return -1;
    json_array_append_new(items, item_json(c, key, "pipeline", name, unit, "higher_is_better", v,
                                           scale, &s, NULL, NULL));
    return 0;
}

static int add_pipeline(ind_ctx *c, json_t *items, const double *leads, int have_leads,
                        const char *currency)
{
    const gf_model_pipeline *p = &c->pipe;
    if (add_pipe(c, items, "opportunities_created", "Opportunities created", "deals",
                 p->v[GF_MODEL_IND_OPPORTUNITIES], 1.0) < 0)
        return -1;
    if (have_leads) {
        double *conv = malloc(c->n * sizeof *conv);
        if (!conv)
            return -1;
        for (size_t w = 0; w < c->n; w++)
            conv[w] = leads[w] > 0.0 ? p->v[GF_MODEL_IND_OPPORTUNITIES][w] / leads[w] : NAN;
        const int rc = add_pipe(c, items, "lead_conversion", "Lead to opportunity conversion",
                                "share", conv, 1.0);
        free(conv);
        if (rc < 0)
            return -1;
    }
    if (add_pipe(c, items, "marketing_share", "Marketing share of new pipeline", "share",
                 p->v[GF_MODEL_IND_MARKETING_SHARE], 1.0) < 0 ||
        add_pipe(c, items, "new_deal_size", "Average size of new opportunities", currency,
                 p->v[GF_MODEL_IND_NEW_DEAL_SIZE], 100.0) < 0 ||
        add_pipe(c, items, "velocity", "Pipeline velocity", currency, p->v[GF_MODEL_IND_VELOCITY],
                 100.0) < 0)
        return -1;
    return 0;
}

/* Loads the history when the org has stages (else leaves c->history NULL), the scope's mask
 * and each deal's source. */
static int load_deals(ind_ctx *c, gf_err *err)
{
    const gf_svc_indicators_req *r = c->req;
    int all = 0;
    int64_t *ids = NULL;
    size_t n = 0;
    if (gf_store_scope_reps(r->org_id, r->scope, "scope", &all, &ids, &n, err) < 0)
        return -1;
    const int cal_end = c->quarters[c->n_quarters - 1].end;
    c->history = gf_store_history_load(r->org_id, r->as_of, cal_end, err);
    if (!c->history) {
        free(ids);
        if (err->code == GF_EINVALID && strcmp(err->field, "stages") == 0) {
            gf_err_clear(err);
            return 0; /* no funnel: the KPIs alone */
        }
        return -1;
    }
    const gf_store_history *h = c->history;
    const size_t nd = h->h.n_deals;
    if (!all) {
        c->mask = malloc(nd ? nd : 1);
        if (c->mask)
            gf_store_history_mask(h, ids, n, c->mask);
    }
    free(ids);
    c->marketing = malloc(nd ? nd : 1);
    if ((!all && !c->mask) || !c->marketing)
        return gf_err_internal(err);
    int64_t *dids = NULL;
    uint8_t *mk = NULL;
    size_t m = 0;
    if (gf_store_deal_marketing(r->org_id, r->as_of, &dids, &mk, &m, err) < 0)
        return -1;
    /* Both lists are ordered by id. */
    size_t j = 0;
    for (size_t i = 0; i < nd; i++) {
        while (j < m && dids[j] < h->deals[i].id)
            j++;
        c->marketing[i] = j < m && dids[j] == h->deals[i].id ? mk[j] : 2;
    }
    free(dids);
    free(mk);
    if (gf_model_pipeline_weeks(&h->h, c->mask, c->marketing, c->first, c->n, r->as_of, &c->pipe) !=
        0)
        return gf_err_internal(err);
    return 0;
}

static int quarters(ind_ctx *c, gf_err *err)
{
    const gf_svc_options *o = gf_svc_options_get();
    const int nq = o->indicator_quarters < 1   ? 1
                   : o->indicator_quarters > 8 ? 8
                                               : o->indicator_quarters;
    if (gf_period_quarter_of(c->req->as_of, c->req->fysm, &c->quarters[0]) < 0)
        return gf_err_invalid(err, "as_of", "as_of lies outside the calendar");
    for (int i = 1; i < nq; i++)
        if (gf_period_quarter_add(&c->quarters[0], i, c->req->fysm, &c->quarters[i]) < 0)
            return gf_err_invalid(err, "as_of", "as_of lies outside the calendar");
    c->n_quarters = nq;
    return 0;
}

static json_t *design_json(const ind_ctx *c)
{
    const gf_model_cusum_opts *o = &c->opts;
    const double h = gf_model_cusum_threshold(o->k, o->arl0);
    const double arl0 = gf_model_cusum_arl(o->k, h, 0.0);
    const double delay = gf_model_cusum_arl(o->k, h, o->design_shift);
    char text[256];
    snprintf(text, sizeof text,
             "two-sided CUSUM on weeks standardised by the %zu weeks before the last %zu: a false "
             "alarm once in %.0f weeks on average; a shift of %.1f spreads is found in %.1f "
             "weeks on average",
             o->baseline, o->monitor, arl0, o->design_shift, delay);
    return json_pack("{s:s, s:s, s:f, s:f, s:I, s:I, s:f, s:f, s:f, s:f, s:s}", "method", "cusum",
                     "bucket", "week", "k", o->k, "h", h, "baseline_weeks", (json_int_t)o->baseline,
                     "monitor_weeks", (json_int_t)o->monitor, "arl0_weeks", arl0,
                     "false_alarm_rate", 1.0 / arl0, "design_shift", o->design_shift,
                     "detection_delay_weeks", delay, "text", text);
}

static void ctx_free(ind_ctx *c)
{
    gf_svc__leads_free(c->leads);
    gf_store_history_free(c->history);
    free(c->mask);
    free(c->marketing);
    gf_model_pipeline_free(&c->pipe);
}

json_t *gf_svc_indicators_answer(const gf_svc_indicators_req *req, gf_err *err)
{
    const double t0 = gf_svc__now_ms();
    ind_ctx c = {.req = req};
    gf_svc__cusum_opts(&c.opts);
    c.n = c.opts.baseline + c.opts.monitor;
    c.first = gf_model_week_start(req->as_of - 7) - 7 * (int)(c.n - 1);
    json_t *items = json_array(), *doc = NULL;
    double *leads = malloc(c.n * sizeof *leads);
    int have_leads = 0;
    char currency[8] = "USD";
    if (!items || !leads) {
        gf_err_internal(err);
        goto done;
    }
    if (quarters(&c, err) < 0 || gf_store_org_currency(req->org_id, currency, err) < 0)
        goto done;
    c.leads = gf_svc__leads_load(req->org_id, req->as_of, err);
    if (!c.leads || load_deals(&c, err) < 0)
        goto done;
    for (int i = 0; i < c.n_quarters; i++)
        c.nd_expected[i] = new_deals_expected(&c, &c.quarters[i]);
    if (add_kpis(&c, items, leads, &have_leads) < 0 ||
        (c.history && add_pipeline(&c, items, leads, have_leads, currency) < 0)) {
        gf_err_internal(err);
        goto done;
    }
    char as_of[11];
    gf_date_format(req->as_of, as_of);
    doc = json_pack("{s:s, s:s, s:o, s:o, s:O}", "as_of", as_of, "scope", req->scope, "weeks",
                    json_pack("{s:o, s:o, s:I}", "first", gf_svc__day(c.first), "last",
                              gf_svc__day(c.first + 7 * (int)c.n - 1), "n", (json_int_t)c.n),
                    "detector", design_json(&c), "items", items);
    gf_log("info", "indicators",
           json_pack("{s:s, s:I, s:f}", "request_id", req->request_id ? req->request_id : "",
                     "items", (json_int_t)json_array_size(items), "ms", gf_svc__now_ms() - t0));
done:
    json_decref(items);
    free(leads);
    ctx_free(&c);
    return doc;
}

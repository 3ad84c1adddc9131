/* scenario_ctx.c — the lever context of a scenario or a plan: the request's forecast (run as GET
 * /v1/forecast runs it), each open deal's P(eventually won), the org's levers, the amounts and
 * next-period commit deals levers add, and the historical bookings per rep-day. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gapforge/store.h"
#include "scenario_internal.h"

#define SC_NUM_FIELDS 2

/* The body's value of name as text; integers are formatted into num. */
typedef struct sc_src {
    const json_t *body;
    char num[SC_NUM_FIELDS][24];
} sc_src;

static const char *sc_get(const void *vsrc, const char *name)
{
    sc_src *src = (sc_src *)vsrc;
    const json_t *v = json_object_get(src->body, name);
    if (!v || json_is_null(v))
        return NULL;
    if (json_is_string(v))
        return json_string_value(v);
    const int k = strcmp(name, "trials") == 0 ? 0 : strcmp(name, "seed") == 0 ? 1 : -1;
    if (k >= 0 && json_is_integer(v) && json_integer_value(v) >= 0) {
        snprintf(src->num[k], sizeof src->num[k], "%lld", (long long)json_integer_value(v));
        return src->num[k];
    }
    return "?"; /* any other type: the parameter's own check refuses it */
}

static int body_check(const json_t *body, const char *const *allowed, gf_err *err)
{
    if (!json_is_object(body))
        return gf_err_invalid(err, NULL, "the body must be a JSON object");
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)body, key, v)
    {
        size_t k = 0;
        while (allowed[k] && strcmp(allowed[k], key) != 0)
            k++;
        if (!allowed[k])
            return gf_err_invalid(err, key, "%s is not a field of this request", key);
        if ((strcmp(key, "period") == 0 || strcmp(key, "scope") == 0 ||
             strcmp(key, "as_of") == 0) &&
            !json_is_string(v))
            return gf_err_invalid(err, key, "%s must be a string", key);
        if ((strcmp(key, "trials") == 0 || strcmp(key, "seed") == 0) && !json_is_integer(v))
            return gf_err_invalid(err, key, "%s must be an integer", key);
    }
    if (!json_is_string(json_object_get(body, "period")))
        return gf_err_invalid(err, "period", "period is required");
    return 0;
}

static int cmp_amount_desc(const void *a, const void *b)
{
    const int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x < y) - (x > y);
}

/* An open deal's amount and index, to order them largest first (ties by index). */
typedef struct sc_pair {
    int64_t amount;
    uint32_t k;
} sc_pair;

static int cmp_pair_desc(const void *a, const void *b)
{
    const sc_pair *x = a, *y = b;
    return x->amount != y->amount ? (x->amount < y->amount) - (x->amount > y->amount)
                                  : (x->k > y->k) - (x->k < y->k);
}

/* Converts one lever's JSON into the model's lever; concession levers default to the open deals
 * closing in the period, largest first. A kpi lever on the KPI that leads to bookings (the one
 * "why" measures, with its baseline conversion) adds opportunities as a pipeline lever does:
 * effect x conversion per week (x 7 for a daily KPI); other kpi levers move only their KPI. */
static int lever_of(sc_ctx *sc, const json_t *j, const char *lead_kpi, double conversion,
                    sc_lever *out)
{
    snprintf(out->key, sizeof out->key, "%s", json_string_value(json_object_get(j, "key")));
    snprintf(out->name, sizeof out->name, "%s", json_string_value(json_object_get(j, "name")));
    gf_model_lever *lv = &out->lv;
    lv->kind = gf_model_lever_kind_from_name(json_string_value(json_object_get(j, "kind")));
    lv->effect = json_number_value(json_object_get(j, "effect"));
    lv->unit_cost_cents = llround(json_number_value(json_object_get(j, "unit_cost")) * 100.0);
    lv->max_units = (uint32_t)json_integer_value(json_object_get(j, "max_units"));
    lv->ramp_days = (int32_t)json_integer_value(json_object_get(j, "ramp_days"));
    lv->start_day = GF_MODEL_NO_DAY;
    lv->cost_share = 0;
    if (lv->kind < 0)
        return -1;
    /* A concession's stored effect is the share of the deal's amount conceded to unlock it: the
     * deal is then won (its p rises by 1, over the part of the period after the ramp). */
    if (lv->kind == GF_MODEL_LEVER_CONCESSION) {
        lv->cost_share = lv->effect;
        lv->effect = 1.0;
    }
    const char *kpi = json_string_value(json_object_get(j, "kpi"));
    const char *bucket = json_string_value(json_object_get(j, "kpi_bucket"));
    if (lv->kind == GF_MODEL_LEVER_KPI && kpi && lead_kpi[0] && strcmp(kpi, lead_kpi) == 0 &&
        isfinite(conversion) && conversion > 0) {
        lv->kind = GF_MODEL_LEVER_PIPELINE;
        lv->effect = fabs(lv->effect) * conversion * (bucket && strcmp(bucket, "day") == 0 ? 7 : 1);
    }
    if (lv->kind == GF_MODEL_LEVER_CONCESSION) {
        const gf_model_forecast *f = sc->r.f;
        if (!(out->deals = malloc((f->n_open ? f->n_open : 1) * sizeof *out->deals)))
            return -1;
        sc_pair *pairs = malloc((f->n_open ? f->n_open : 1) * sizeof *pairs);
        if (!pairs)
            return -1;
        size_t n = 0;
        for (size_t k = 0; k < f->n_open; k++)
            if (f->open[k].flags & GF_MODEL_FLAG_IN_PERIOD)
                pairs[n++] = (sc_pair){f->amount[k], (uint32_t)k};
        qsort(pairs, n, sizeof *pairs, cmp_pair_desc);
        for (size_t k = 0; k < n; k++)
            out->deals[k] = pairs[k].k;
        free(pairs);
        lv->deals = out->deals;
        lv->n_deals = n;
    }
    /* Added opportunities need the period still ahead and amounts to draw from. */
    const int adds = lv->kind == GF_MODEL_LEVER_PIPELINE || lv->kind == GF_MODEL_LEVER_HEADCOUNT;
    out->usable = gf_model_lever_check(lv, &sc->ctx) == 0 &&
                  !(adds && (sc->p.as_of > sc->p.period.end ||
                             (sc->base.n_new_amounts == 0 && sc->ctx.n_amount_pool == 0)));
    return 0;
}

/* Won amounts of the 365 days before as_of in scope (the pool of added deals' amounts) and the
 * bookings per rep-day of the reps who won them. */
static int rep_productivity(sc_ctx *sc)
{
    const gf_store_history *h = sc->h;
    const uint8_t *mask = sc->r.mask;
    int64_t *owners = malloc((h->h.n_deals ? h->h.n_deals : 1) * sizeof *owners);
    if (!(sc->pool = malloc((h->h.n_deals ? h->h.n_deals : 1) * sizeof *sc->pool)) || !owners) {
        free(owners);
        return -1;
    }
    size_t n = 0, n_own = 0;
    double sum = 0;
    for (size_t i = 0; i < h->h.n_deals; i++) {
        if (mask && !mask[i])
            continue;
        gf_model_deal_state st;
        gf_model_deal_state_at(&h->h, i, sc->p.as_of, &st);
        if (!st.exists || st.kind != GF_MODEL_STAGE_WON || st.closed_day < sc->p.as_of - 365)
            continue;
        sc->pool[n++] = st.amount_cents;
        sum += (double)st.amount_cents;
        owners[n_own++] = h->owner[i];
    }
    qsort(owners, n_own, sizeof *owners, cmp_amount_desc);
    size_t reps = 0;
    for (size_t k = 0; k < n_own; k++)
        reps += owners[k] != 0 && (k == 0 || owners[k] != owners[k - 1]);
    free(owners);
    sc->ctx.amount_pool = sc->pool;
    sc->ctx.n_amount_pool = n;
    sc->ctx.rep_bookings_per_day_cents = n ? sum / ((double)(reps ? reps : 1) * 365.0) : 0;
    sc->ctx.rep_ramp_days = 30;
    return 0;
}

/* Next period's commit deals (closing within 92 days after the period), largest first. */
static int next_commits(sc_ctx *sc)
{
    const gf_model_forecast *f = sc->r.f;
    if (!(sc->next = malloc((f->n_open ? f->n_open : 1) * sizeof *sc->next)))
        return -1;
    size_t n = 0;
    for (size_t k = 0; k < f->n_open; k++) {
        const gf_model_open_deal *od = &f->open[k];
        if (od->close_date != GF_MODEL_NO_DAY && od->close_date > sc->p.period.end &&
            od->close_date <= sc->p.period.end + 92 && sc->h->category[od->deal] == GF_CAT_COMMIT)
            sc->next[n++] = od->amount_cents;
    }
    qsort(sc->next, n, sizeof *sc->next, cmp_amount_desc);
    sc->ctx.next_commit_cents = sc->next;
    sc->ctx.n_next_commit = n;
    return 0;
}

int gf_api__sc_open(const gf_req *req, const char *const *allowed, sc_ctx *sc, gf_err *err)
{
    memset(sc, 0, sizeof *sc);
    sc_src src = {.body = req->body};
    if (body_check(req->body, allowed, err) < 0 ||
        gf_api__fc_params(req, sc_get, &src, &sc->p, err) < 0 ||
        gf_store_org_currency(req->who.org_id, sc->currency, err) < 0)
        return -1;
    if (!(sc->h = gf_store_history_load(req->who.org_id, sc->p.as_of, sc->p.period.end, err)) ||
        gf_api__fc_run(req->who.org_id, &sc->p, sc->h, sc->p.scope, NULL, &sc->r, err) < 0)
        return -1;
    const gf_model_forecast *f = sc->r.f;
    gf_model_forecast_sim_input(f, sc->r.has_target ? (int64_t)(sc->r.target_cents + 0.5) : 0,
                                sc->r.sigma.sigma, sc->p.trials, sc->p.seed, 0, &sc->base);
    sc->ctx.base = &sc->base;
    sc->ctx.period = (gf_model_period){sc->p.period.start, sc->p.period.end};
    sc->ctx.as_of = sc->p.as_of;
    if (!(sc->p_ever = malloc((f->n_open ? f->n_open : 1) * sizeof *sc->p_ever)))
        return gf_err_internal(err);
    for (size_t k = 0; k < f->n_open; k++)
        sc->p_ever[k] = f->open[k].p_win;
    sc->ctx.p_ever = sc->p_ever;
    if (rep_productivity(sc) < 0 || next_commits(sc) < 0)
        return gf_err_internal(err);
    if (gf_api__fc_why(req->who.org_id, &sc->p, sc->h, &sc->r, &sc->why, sc->lead_kpi, err) < 0)
        return -1;
    double conversion = NAN;
    for (size_t k = 0; k < sc->why.n; k++)
        if (sc->why.items[k].driver == GF_MODEL_DRV_CONVERSION)
            conversion = sc->why.items[k].baseline;
    json_t *all = gf_store_levers_all(req->who.org_id, err);
    if (!all)
        return -1;
    sc->levers = calloc(json_array_size(all) + 1, sizeof *sc->levers);
    int rc = sc->levers ? 0 : -1;
    for (size_t k = 0; rc == 0 && k < json_array_size(all); k++, sc->n_levers++)
        rc = lever_of(sc, json_array_get(all, k), sc->lead_kpi, conversion, &sc->levers[k]);
    json_decref(all);
    return rc < 0 ? gf_err_internal(err) : 0;
}

long gf_api__sc_find(const sc_ctx *sc, const char *key)
{
    for (size_t k = 0; key && k < sc->n_levers; k++)
        if (strcmp(sc->levers[k].key, key) == 0)
            return (long)k;
    return -1;
}

int gf_api__sc_deals(sc_ctx *sc, size_t lever, const json_t *ids, const char *field, gf_err *err)
{
    sc_lever *l = &sc->levers[lever];
    const gf_model_forecast *f = sc->r.f;
    if (!json_is_array(ids) || json_array_size(ids) == 0)
        return gf_err_invalid(err, field, "%s must be a non-empty array of deal ids", field);
    if (l->lv.kind != GF_MODEL_LEVER_CONCESSION)
        return gf_err_invalid(err, field, "%s: only a concession lever names deals", field);
    if (json_array_size(ids) > f->n_open || json_array_size(ids) > 1000)
        return gf_err_invalid(err, field, "%s names more deals than are open (at most 1000)",
                              field);
    size_t n = 0;
    for (size_t k = 0; k < json_array_size(ids); k++) {
        const json_t *v = json_array_get(ids, k);
        for (size_t j = 0; j < k; j++)
            if (json_equal(json_array_get(ids, j), v))
                return gf_err_invalid(err, field, "%s: deal %zu appears twice", field, k);
        size_t j = 0;
        while (j < f->n_open && !(json_is_integer(v) && sc->h->deals[f->open[j].deal].id ==
                                                            (int64_t)json_integer_value(v)))
            j++;
        if (j == f->n_open)
            return gf_err_invalid(err, field, "%s: deal %zu is not an open deal of the scope",
                                  field, k);
        l->deals[n++] = (uint32_t)j;
    }
    l->lv.n_deals = n;
    return 0;
}

int gf_api__sc_prepare(sc_ctx *sc, const gf_model_lever *levers, size_t n, gf_err *err)
{
    int need = 0;
    for (size_t k = 0; k < n; k++)
        need |= levers[k].kind == GF_MODEL_LEVER_PIPELINE || levers[k].kind == GF_MODEL_LEVER_KPI;
    if (!need || sc->p_new || sc->p.as_of > sc->p.period.end)
        return 0;
    const size_t days = (size_t)(sc->p.period.end - sc->p.as_of + 1);
    if (!(sc->p_new = malloc(days * sizeof *sc->p_new)) ||
        gf_model_lever_p_new_table(sc->r.f->survival, &sc->h->cal, sc->p.as_of, sc->p.period.end,
                                   sc->p_new) != 0)
        return gf_err_internal(err);
    sc->ctx.p_new_by_day = sc->p_new;
    sc->ctx.n_p_new = days;
    return 0;
}

void gf_api__sc_clear(sc_ctx *sc)
{
    for (size_t k = 0; k < sc->n_levers; k++)
        free(sc->levers[k].deals);
    free(sc->levers);
    free(sc->p_ever);
    free(sc->p_new);
    free(sc->pool);
    free(sc->next);
    gf_api__fc_run_clear(&sc->r);
    gf_store_history_free(sc->h);
    memset(sc, 0, sizeof *sc);
}

/* levers.c — the lever context of a scenario or a plan: the request's forecast (run as GET
 * /v1/forecast runs it), each open deal's P(eventually won), the org's levers, the amounts and
 * next-period commit deals levers add, and the historical bookings per rep-day. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gapforge/model_lever_ctx.h"
#include "gapforge/store.h"
#include "service_internal.h"

/* Converts one lever row into the model's lever; concession levers default to the open deals
 * closing in the period, largest first. A kpi lever on the KPI that leads to bookings (the one
 * "why" measures, with its baseline conversion) adds or removes opportunities as its KPI rises or
 * falls (gf_model_lever_lead_kpi); other kpi levers move only their KPI. */
static int lever_of(gf_svc_levers *sc, const gf_store_lever *row, const char *lead_kpi,
                    double conversion, gf_svc_lever *out)
{
    snprintf(out->key, sizeof out->key, "%s", row->key);
    snprintf(out->name, sizeof out->name, "%s", row->name);
    gf_model_lever *lv = &out->lv;
    lv->kind = gf_model_lever_kind_from_name(row->kind);
    lv->effect = row->effect;
    lv->unit_cost_cents = row->unit_cost_cents;
    lv->max_units = row->max_units;
    lv->ramp_days = row->ramp_days;
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
    if (lv->kind == GF_MODEL_LEVER_KPI && lead_kpi[0] && strcmp(row->kpi, lead_kpi) == 0)
        gf_model_lever_lead_kpi(lv, conversion, row->kpi_bucket_days);
    if (lv->kind == GF_MODEL_LEVER_CONCESSION) {
        const gf_model_forecast *f = sc->f->model;
        out->deals = malloc((f->n_open ? f->n_open : 1) * sizeof *out->deals);
        if (!out->deals)
            return -1;
        lv->deals = out->deals;
        lv->n_deals = gf_model_concession_order(f, out->deals);
    }
    /* Added opportunities need the period still ahead and amounts to draw from. */
    const int adds =
        lv->kind == GF_MODEL_LEVER_PIPELINE || lv->kind == GF_MODEL_LEVER_HEADCOUNT ||
        (lv->kind == GF_MODEL_LEVER_KPI && lv->opps_per_kpi_unit_day > 0 && lv->effect > 0);
    out->usable = gf_model_lever_check(lv, &sc->ctx) == 0 &&
                  !(adds && (sc->f->req.as_of > sc->f->req.period.end ||
                             (sc->base.n_new_amounts == 0 && sc->ctx.n_amount_pool == 0)));
    return 0;
}

/* Won amounts of the productivity window before as_of in scope (the pool of added deals' amounts)
 * and the bookings per rep-day of the reps who won them. */
static int rep_productivity(gf_svc_levers *sc)
{
    const gf_svc_options *opt = gf_svc_options_get();
    const gf_store_history *h = sc->f->history;
    sc->pool = malloc((h->h.n_deals ? h->h.n_deals : 1) * sizeof *sc->pool);
    if (!sc->pool ||
        gf_model_rep_productivity(&h->h, sc->f->mask, h->owner, sc->f->req.as_of,
                                  opt->productivity_window_days, sc->pool, &sc->ctx.n_amount_pool,
                                  &sc->ctx.rep_bookings_per_day_cents) != 0)
        return -1;
    sc->ctx.amount_pool = sc->pool;
    sc->ctx.rep_ramp_days = opt->new_rep_ramp_days;
    return 0;
}

/* Next period's commit deals (closing within next_period_window_days after the period), largest
 * first. */
static int next_commits(gf_svc_levers *sc)
{
    const gf_store_history *h = sc->f->history;
    const gf_model_forecast *f = sc->f->model;
    uint8_t *is_commit = malloc(h->h.n_deals ? h->h.n_deals : 1);
    sc->next = malloc((f->n_open ? f->n_open : 1) * sizeof *sc->next);
    if (!is_commit || !sc->next) {
        free(is_commit);
        return -1;
    }
    for (size_t i = 0; i < h->h.n_deals; i++)
        is_commit[i] = h->category[i] == GF_CAT_COMMIT;
    sc->ctx.next_commit_cents = sc->next;
    sc->ctx.n_next_commit = gf_model_next_commits(
        f, is_commit, gf_svc_options_get()->next_period_window_days, sc->next);
    free(is_commit);
    return 0;
}

int gf_svc__levers_open(const gf_svc_forecast_req *req, gf_svc_levers *sc, gf_err *err)
{
    memset(sc, 0, sizeof *sc);
    sc->f = gf_svc__forecast_load(req, err);
    if (!sc->f || gf_svc__forecast_fit(sc->f, err) < 0 ||
        gf_store_org_currency(req->org_id, sc->f->currency, err) < 0)
        return err->code;
    const gf_model_forecast *f = sc->f->model;
    gf_model_forecast_sim_input(f, sc->f->target_cents, sc->f->sigma.sigma, req->trials, req->seed,
                                0, &sc->base);
    sc->ctx.base = &sc->base;
    sc->ctx.period = (gf_model_period){req->period.start, req->period.end};
    sc->ctx.as_of = req->as_of;
    sc->p_ever = malloc((f->n_open ? f->n_open : 1) * sizeof *sc->p_ever);
    if (!sc->p_ever)
        return gf_err_internal(err);
    for (size_t k = 0; k < f->n_open; k++)
        sc->p_ever[k] = f->open[k].p_win;
    sc->ctx.p_ever = sc->p_ever;
    if (rep_productivity(sc) < 0 || next_commits(sc) < 0)
        return gf_err_internal(err);
    if (gf_svc__why(sc->f, err) < 0)
        return err->code;
    double conversion = NAN;
    for (size_t k = 0; k < sc->f->why.n; k++)
        if (sc->f->why.items[k].driver == GF_MODEL_DRV_CONVERSION)
            conversion = sc->f->why.items[k].baseline;
    gf_store_lever *rows = NULL;
    size_t n = 0;
    if (gf_store_lever_rows(req->org_id, &rows, &n, err) < 0)
        return err->code;
    sc->levers = calloc(n + 1, sizeof *sc->levers);
    int rc = sc->levers ? 0 : -1;
    for (size_t k = 0; rc == 0 && k < n; k++, sc->n_levers++)
        rc = lever_of(sc, &rows[k], sc->f->lead_kpi, conversion, &sc->levers[k]);
    free(rows);
    return rc < 0 ? gf_err_internal(err) : 0;
}

long gf_svc__levers_find(const gf_svc_levers *sc, const char *key)
{
    for (size_t k = 0; key && k < sc->n_levers; k++)
        if (strcmp(sc->levers[k].key, key) == 0)
            return (long)k;
    return -1;
}

int gf_svc__levers_deals(gf_svc_levers *sc, size_t lever, const int64_t *ids, size_t n,
                         const char *field, gf_err *err)
{
    gf_svc_lever *l = &sc->levers[lever];
    const gf_model_forecast *f = sc->f->model;
    const gf_store_history *h = sc->f->history;
    if (n == 0)
        return gf_err_invalid(err, field, "%s must be a non-empty array of deal ids", field);
    if (l->lv.kind != GF_MODEL_LEVER_CONCESSION)
        return gf_err_invalid(err, field, "%s: only a concession lever names deals", field);
    const size_t max = (size_t)gf_svc_options_get()->max_concession_deals;
    if (n > f->n_open || n > max)
        return gf_err_invalid(err, field, "%s names more deals than are open (at most %zu)", field,
                              max);
    for (size_t k = 0; k < n; k++) {
        for (size_t j = 0; j < k; j++)
            if (ids[j] == ids[k])
                return gf_err_invalid(err, field, "%s: deal %zu appears twice", field, k);
        size_t j = 0;
        while (j < f->n_open && h->deals[f->open[j].deal].id != ids[k])
            j++;
        if (j == f->n_open)
            return gf_err_invalid(err, field, "%s: deal %zu is not an open deal of the scope",
                                  field, k);
        l->deals[k] = (uint32_t)j;
    }
    l->lv.n_deals = n;
    return 0;
}

int gf_svc__levers_prepare(gf_svc_levers *sc, const gf_model_lever *levers, size_t n, gf_err *err)
{
    const gf_svc_forecast_req *p = &sc->f->req;
    int need = 0;
    for (size_t k = 0; k < n; k++)
        need |= levers[k].kind == GF_MODEL_LEVER_PIPELINE || levers[k].kind == GF_MODEL_LEVER_KPI;
    if (!need || sc->p_new || p->as_of > p->period.end)
        return 0;
    const size_t days = (size_t)(p->period.end - p->as_of + 1);
    sc->p_new = malloc(days * sizeof *sc->p_new);
    if (!sc->p_new || gf_model_lever_p_new_table(sc->f->model->survival, &sc->f->history->cal,
                                                 p->as_of, p->period.end, sc->p_new) != 0)
        return gf_err_internal(err);
    sc->ctx.p_new_by_day = sc->p_new;
    sc->ctx.n_p_new = days;
    return 0;
}

void gf_svc__levers_clear(gf_svc_levers *sc)
{
    for (size_t k = 0; k < sc->n_levers; k++)
        free(sc->levers[k].deals);
    free(sc->levers);
    free(sc->p_ever);
    free(sc->p_new);
    free(sc->pool);
    free(sc->next);
    gf_svc_forecast_free(sc->f);
    memset(sc, 0, sizeof *sc);
}

/* A run's figures: expected, p10, p50, p90, prob_hit (null without a target). */
json_t *gf_svc__dist_json(const gf_model_sim_result *s, int has_target)
{
    return json_pack("{s:o, s:o, s:o, s:o, s:o}", "expected", gf_svc__money(s->expected), "p10",
                     gf_svc__money((double)s->p10), "p50", gf_svc__money((double)s->p50), "p90",
                     gf_svc__money((double)s->p90), "prob_hit",
                     has_target ? json_real(s->prob_hit) : json_null());
}

json_t *gf_svc__delta_json(const gf_model_delta *d, int has_target)
{
    return json_pack("{s:o, s:o, s:o, s:o, s:o}", "expected", gf_svc__money(d->expected), "p10",
                     gf_svc__money((double)d->p10), "p50", gf_svc__money((double)d->p50), "p90",
                     gf_svc__money((double)d->p90), "prob_hit",
                     has_target ? json_real(d->prob_hit) : json_null());
}

/* A model failure of a scenario or plan as a domain error. */
int gf_svc__model_error(int rc, gf_err *err)
{
    if (rc == GF_MODEL_EINVAL)
        return gf_err_invalid(err, "levers",
                              "levers: these levers cannot act on this period at this as_of");
    return gf_err_internal(err);
}

json_t *gf_svc__levers_head(const gf_svc_levers *sc)
{
    const gf_svc_forecast *f = sc->f;
    const gf_svc_forecast_req *p = &f->req;
    return json_pack("{s:s, s:s, s:o, s:o, s:o, s:s, s:o, s:i, s:I}", "period", p->period.name,
                     "scope", p->scope, "start", gf_svc__day(p->period.start), "end",
                     gf_svc__day(p->period.end), "as_of", gf_svc__day(p->as_of), "currency",
                     f->currency, "target",
                     f->has_target ? gf_svc__money((double)f->target_cents) : json_null(), "trials",
                     (int)p->trials, "seed", (json_int_t)p->seed);
}

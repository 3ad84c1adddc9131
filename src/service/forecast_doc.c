/* forecast_doc.c — the document of a forecast (GET /v1/forecast, and what a snapshot stores):
 * figures, histogram, components, the human call beside the model, every estimated parameter
 * with its evidence, "why" and (explain) each open deal. Money is in currency units (cents /
 * 100), rounded to the cent. Rendering reads nothing: the run gathered it all. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gapforge/date.h"
#include "service_internal.h"

json_t *gf_svc__money(double cents)
{
    return isfinite(cents) ? json_real(round(cents) / 100.0) : json_null();
}

json_t *gf_svc__day(int day)
{
    char d[11];
    gf_date_format(day, d);
    return json_string(d);
}

static json_t *num_or_null(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static json_t *histogram_json(const gf_model_sim_result *s)
{
    json_t *a = json_array();
    for (int k = 0; k < GF_MODEL_SIM_BINS; k++)
        json_array_append_new(a, json_pack("{s:o, s:o, s:I}", "lower",
                                           gf_svc__money((double)s->hist_edges[k]), "upper",
                                           gf_svc__money((double)s->hist_edges[k + 1]), "count",
                                           (json_int_t)s->hist_counts[k]));
    return a;
}

/* The call: closed (booked), + commit deals, + best-case deals, from open deals in the period
 * (in scope) by their category at as_of; the latest commit submitted and the manager's call (the
 * latest adjustment) for the scope and period. */
static json_t *call_json(const gf_svc_forecast *r)
{
    const gf_store_history *h = r->history;
    double commit = 0, best = 0;
    for (size_t k = 0; k < r->model->n_open; k++) {
        const gf_model_open_deal *od = &r->model->open[k];
        if (!(od->flags & GF_MODEL_FLAG_IN_PERIOD))
            continue;
        uint8_t c = h->category[od->deal];
        commit += c == GF_CAT_COMMIT ? (double)od->amount_cents : 0;
        best += c == GF_CAT_BEST_CASE ? (double)od->amount_cents : 0;
    }
    const double booked = (double)r->model->booked_cents;
    return json_pack("{s:o, s:o, s:o, s:O, s:O}", "closed", gf_svc__money(booked), "commit",
                     gf_svc__money(booked + commit), "best_case",
                     gf_svc__money(booked + commit + best), "latest_commit", r->latest_commit,
                     "manager_call", r->manager_call ? r->manager_call : json_null());
}

static json_t *stage_rates_json(const gf_svc_forecast *r)
{
    const gf_store_history *h = r->history;
    const gf_model_stage_rate *rates = r->rates;
    json_t *a = json_array();
    const gf_model_survival *m = r->model->survival;
    for (size_t s = 0; s < h->h.n_stages; s++) {
        const gf_model_stage_rate *x = &rates[s];
        const int open = h->stages[s].kind == GF_MODEL_STAGE_OPEN;
        const int level = open ? m->stage[s].level : GF_MODEL_LEVEL_DEFAULT;
        json_t *o = json_pack(
            "{s:s, s:s, s:f, s:I, s:I, s:I, s:I, s:o, s:o}", "stage", h->stage_keys[s], "kind",
            open                                      ? "open"
            : h->stages[s].kind == GF_MODEL_STAGE_WON ? "won"
                                                      : "lost",
            "default_probability", h->stages[s].default_prob, "n", (json_int_t)x->reached, "won",
            (json_int_t)x->won, "lost", (json_int_t)x->lost, "open", (json_int_t)x->open,
            "win_rate", num_or_null(x->win_rate), "model_win_rate", num_or_null(x->model_win_rate));
        json_object_set_new(o, "level",
                            open ? json_string(gf_model_level_name(level)) : json_null());
        json_object_set_new(o, "exposure_days", json_real(open ? m->stage[s].exposure_days : 0));
        json_object_set_new(
            o, "fallback",
            json_boolean(!open || level == GF_MODEL_LEVEL_DEFAULT || x->won + x->lost == 0));
        json_array_append_new(a, o);
    }
    return a;
}

/* The leading KPI's shift as it scaled the deals not yet created, JSON null without one. */
static json_t *lead_json(const gf_svc_forecast *r)
{
    if (r->lead_index < 0)
        return json_null();
    const gf_model_lead_effect *e = &r->lead_effect;
    const gf_store_lead_kpi *k = &r->leads->k[r->lead_index];
    return json_pack("{s:s, s:i, s:b, s:o, s:o, s:o, s:f, s:f}", "kpi", k->key, "lag_days",
                     k->lag_days, "shifted", e->applied != 0, "relative",
                     e->applied ? json_real(e->relative) : json_null(), "shift_start",
                     e->applied ? gf_svc__day(e->shift_start) : json_null(), "effect_start",
                     e->applied ? gf_svc__day(e->effect_start) : json_null(), "share", e->share,
                     "multiplier", e->multiplier);
}

static json_t *parameters_json(const gf_svc_forecast *r)
{
    const gf_store_history *h = r->history;
    const gf_model_forecast *f = r->model;
    const gf_model_figures fig = r->figures;
    json_t *qe = json_array(), *cf = json_array();
    for (int w = 0; w < GF_MODEL_QE_WEEKS; w++)
        json_array_append_new(qe, json_pack("{s:i, s:f, s:I, s:f, s:b}", "weeks_to_quarter_end", w,
                                            "factor", f->survival->qe_factor[w], "n",
                                            (json_int_t)f->survival->qe_won[w], "expected_wins",
                                            f->survival->qe_expected[w], "fallback",
                                            f->survival->qe_won[w] == 0));
    for (int k = 0; k < GF_MODEL_CLOSE_POSITIONS; k++)
        json_array_append_new(cf, json_pack("{s:s, s:f, s:I, s:b}", "position",
                                            gf_model_close_pos_name(k), "odds_factor",
                                            f->close.pos[k].odds_factor, "n",
                                            (json_int_t)f->close.pos[k].n_deals, "fallback",
                                            f->close.pos[k].n_deals == 0));
    json_t *sf = json_array();
    for (size_t s = 0; s < h->h.n_stages && s < f->close.n_stages; s++) {
        if (h->stages[s].kind != GF_MODEL_STAGE_OPEN)
            continue;
        const gf_model_close_factor *x = &f->close.stage[s];
        json_array_append_new(sf, json_pack("{s:s, s:f, s:I, s:b}", "stage", h->stage_keys[s],
                                            "odds_factor", x->odds_factor, "n",
                                            (json_int_t)x->n_deals, "fallback", x->n_deals == 0));
    }
    json_t *o = json_pack(
        "{s:o, s:{s:o, s:I, s:I, s:b}, s:{s:o, s:I, s:I, s:b}, "
        "s:{s:f, s:I, s:I, s:o, s:b}, s:o, s:o}",
        "stage_win_rates", stage_rates_json(r), "slip_rate", "value", num_or_null(fig.slip_rate),
        "n", (json_int_t)fig.slip_base, "quarters", (json_int_t)fig.quarters, "fallback",
        fig.slip_base == 0, "pull_in_rate", "value", num_or_null(fig.pull_in_rate), "n",
        (json_int_t)fig.pull_in_base, "quarters", (json_int_t)fig.quarters, "fallback",
        fig.pull_in_base == 0, "new_deals", "lambda", f->newdeals.lambda, "n",
        (json_int_t)f->newdeals.n_amounts, "quarters", (json_int_t)f->newdeals.n_quarters,
        "mean_amount", gf_svc__money(f->newdeals.mean_amount), "fallback",
        f->newdeals.fallback != 0, "quarter_end_factor", qe, "close_date_factors", cf);
    json_object_set_new(o, "stage_timing_factors", sf);
    json_object_set_new(json_object_get(o, "new_deals"), "lead_indicator", lead_json(r));
    json_object_set_new(o, "won_amount_factor",
                        json_pack("{s:f, s:I, s:b}", "value", f->won_amount_factor, "n",
                                  (json_int_t)f->won_amount_n, "fallback", f->won_amount_n == 0));
    return o;
}

static json_t *flags_json(unsigned flags)
{
    json_t *a = json_array();
    if (flags & GF_MODEL_FLAG_OVERDUE)
        json_array_append_new(a, json_string("overdue"));
    if (flags & GF_MODEL_FLAG_STALE)
        json_array_append_new(a, json_string("stale"));
    if (flags & GF_MODEL_FLAG_PUSHED)
        json_array_append_new(a, json_string("pushed"));
    return a;
}

static json_t *deals_json(const gf_svc_forecast *r)
{
    const gf_store_history *h = r->history;
    const gf_model_forecast *f = r->model;
    json_t *a = json_array();
    for (size_t k = 0; k < f->n_open; k++) {
        const gf_model_open_deal *od = &f->open[k];
        char id[24];
        snprintf(id, sizeof id, "%lld", (long long)h->deals[od->deal].id);
        const json_t *nm = json_object_get(r->deal_names, id);
        json_array_append_new(
            a,
            json_pack("{s:I, s:O, s:O, s:o, s:s, s:i, s:o, s:f, s:f, s:o, s:o, s:i}", "id",
                      (json_int_t)h->deals[od->deal].id, "external_id",
                      nm ? json_array_get(nm, 0) : json_null(), "name",
                      nm ? json_array_get(nm, 1) : json_null(), "amount",
                      gf_svc__money((double)od->amount_cents), "stage", h->stage_keys[od->stage],
                      "age_in_stage_days", (int)od->age, "close_date",
                      od->close_date == GF_MODEL_NO_DAY ? json_null() : gf_svc__day(od->close_date),
                      "p_win", od->p_win, "p_in_period", od->p_in_period, "expected",
                      gf_svc__money((double)f->amount[k] * od->p_in_period), "flags",
                      flags_json(od->flags), "pushes", (int)od->pushes));
    }
    return a;
}

json_t *gf_svc_forecast_doc(const gf_svc_forecast *r, gf_err *err)
{
    const gf_svc_forecast_req *p = &r->req;
    const gf_model_forecast *f = r->model;
    const gf_model_sim_result *s = &r->sim;
    const double booked = (double)f->booked_cents, open = (double)f->open_in_period_cents;
    const double target = (double)r->target_cents;
    json_t *call = call_json(r);
    json_t *params = parameters_json(r);
    json_t *o = json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "period",
                          p->period.name, "scope", p->scope, "start", gf_svc__day(p->period.start),
                          "end", gf_svc__day(p->period.end), "as_of", gf_svc__day(p->as_of),
                          "target", r->has_target ? gf_svc__money(target) : json_null(), "booked",
                          gf_svc__money(booked), "open_pipeline", gf_svc__money(open), "coverage",
                          r->has_target && target > booked ? num_or_null(open / (target - booked))
                                                           : json_null(),
                          "expected", gf_svc__money(s->expected), "p10",
                          gf_svc__money((double)s->p10), "p50", gf_svc__money((double)s->p50));
    json_object_set_new(o, "p90", gf_svc__money((double)s->p90));
    json_object_set_new(o, "prob_hit", r->has_target ? json_real(s->prob_hit) : json_null());
    json_object_set_new(o, "gap",
                        r->has_target ? gf_svc__money(target - (double)s->p50) : json_null());
    json_object_set_new(o, "histogram", histogram_json(s));
    json_object_set_new(o, "components",
                        json_pack("{s:o, s:o, s:o}", "booked", gf_svc__money(booked),
                                  "expected_open", gf_svc__money(f->expected_open_cents),
                                  "expected_new", gf_svc__money(f->expected_new_cents)));
    json_object_set_new(o, "call", call);
    json_object_set_new(
        o, "model",
        json_pack("{s:s, s:{s:o, s:o}, s:i, s:I, s:{s:f, s:f, s:f, s:f, s:f, s:b, s:I}, s:o}",
                  "version", GF_SVC_MODEL_VERSION, "history_window", "start",
                  gf_svc__day(f->survival->window_start), "end", gf_svc__day(p->as_of - 1),
                  "trials", (int)s->trials, "seed", (json_int_t)p->seed, "sigma", "value",
                  r->sigma.sigma, "raw", r->sigma.raw, "prior", r->sigma.prior, "prior_points",
                  gf_svc_options_get()->sigma_prior_points, "weight", r->sigma.weight, "floored",
                  r->sigma.floored != 0, "quarters", (json_int_t)r->sigma.n, "parameters", params));
    json_object_set_new(o, "open_deals", json_integer((json_int_t)f->n_open));
    json_object_set_new(o, "why", gf_svc__why_json(r));
    if (p->explain)
        json_object_set_new(o, "deals", deals_json(r));
    if (!o)
        gf_err_internal(err);
    return o;
}

/* forecast.c — one scope's status-quo forecast: history, model, spread, Monte Carlo, and the
 * figures its document shows (target, the team's call, "why", the deals' names). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache_internal.h"
#include "gapforge/log.h"
#include "gapforge/metrics.h"
#include "gapforge/store.h"
#include "gapforge/store_adjustments.h"
#include "gapforge/store_versions.h"
#include "service_internal.h"

double gf_svc__now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    return h * 0xff51afd7ed558ccdULL;
}

gf_svc_forecast *gf_svc__forecast_load(const gf_svc_forecast_req *req, gf_err *err)
{
    gf_svc_forecast *f = calloc(1, sizeof *f);
    if (!f) {
        gf_err_internal(err);
        return NULL;
    }
    f->req = *req;
    const double t0 = gf_svc__now_ms();
    gf_svc__centry *ref = NULL;
    f->history = (gf_store_history *)gf_svc__history_get(req->org_id, req->as_of, req->period.end,
                                                         &ref, err);
    f->history_ref = ref;
    if (!f->history) {
        gf_svc_forecast_free(f);
        return NULL;
    }
    f->leads = gf_svc__leads_load(req->org_id, req->as_of, err);
    if (!f->leads) {
        gf_svc_forecast_free(f);
        return NULL;
    }
    f->ms_load = gf_svc__now_ms() - t0;
    gf_metric_observe(gf_metric_get("gapforge_forecast_stage_seconds", GF_METRIC_HISTOGRAM,
                                    "Time of each stage of a forecast: the history read, the "
                                    "model build, the spread (its self-backtest, or a cache "
                                    "hit) and the simulation.",
                                    "stage", gf_metric_seconds_buckets, gf_metric_seconds_nbuckets),
                      (const char *[]){"history"}, f->ms_load / 1000);
    return f;
}

/* The deals of a "source:KEY" scope (marketing, sales, partner or other): a mask by the deals'
 * source, and a scope key of its own. */
static int source_scope(gf_svc_forecast *f, const char *source, gf_err *err)
{
    if (strcmp(source, "marketing") != 0 && strcmp(source, "sales") != 0 &&
        strcmp(source, "partner") != 0 && strcmp(source, "other") != 0)
        return gf_err_invalid(err, "scope",
                              "a source scope is source:marketing, source:sales, "
                              "source:partner or source:other");
    const gf_store_history *h = f->history;
    f->mask = malloc(h->h.n_deals ? h->h.n_deals : 1);
    if (!f->mask)
        return gf_err_internal(err);
    if (gf_store_history_mask_source(f->req.org_id, h, source, f->mask, err) < 0)
        return err->code;
    f->scope_key = mix(3, (uint64_t)(unsigned char)source[0]);
    return 0;
}

int gf_svc__forecast_scope(gf_svc_forecast *f, gf_err *err)
{
    if (strncmp(f->req.scope, "source:", 7) == 0)
        return source_scope(f, f->req.scope + 7, err);
    int all = 0;
    int64_t *ids = NULL;
    size_t n = 0;
    const gf_store_history *h = f->history;
    if (gf_store_scope_reps(f->req.org_id, f->req.scope, "scope", &all, &ids, &n, err) < 0)
        return err->code;
    f->scope_key = all ? 1 : mix(2, n);
    for (size_t k = 0; k < n; k++)
        f->scope_key = mix(f->scope_key, (uint64_t)ids[k]);
    if (!all) {
        f->mask = malloc(h->h.n_deals ? h->h.n_deals : 1);
        if (f->mask)
            gf_store_history_mask(h, ids, n, f->mask);
    }
    free(ids);
    return !all && !f->mask ? gf_err_internal(err) : 0;
}

/* The spread by the self-backtest and the familiar figures: what the cache computes. */
static int compute_spread(void *arg, gf_svc_spread *out)
{
    gf_svc_forecast *f = arg;
    const gf_svc_options *opt = gf_svc_options_get();
    const gf_store_history *h = f->history;
    const gf_model_period period = {f->req.period.start, f->req.period.end};
    const size_t back = (size_t)opt->sigma_backtest_quarters;
    gf_model_backtest_point *pts = calloc(back ? back : 1, sizeof *pts);
    size_t n = 0;
    int rc = pts ? 0 : -1;
    if (rc == 0)
        rc = gf_model_backtest_run(&h->h, &h->cal, period, f->req.as_of, &f->opts,
                                   opt->sigma_min_history_days, back, pts, &n);
    const gf_model_sigma_prior prior = {.sigma = opt->sigma_prior,
                                        .points = opt->sigma_prior_points,
                                        .elasticity = f->model->elasticity,
                                        .floor = opt->sigma_floor,
                                        .n_full = back};
    if (rc == 0)
        rc = gf_model_calib_sigma(pts, n, &prior, &out->sigma);
    if (rc == 0)
        rc = gf_model_figures_compute(&h->h, &h->cal, f->model->survival, f->req.as_of,
                                      f->model->survival->window_start, f->mask, out->rates,
                                      &out->figures);
    free(pts);
    return rc;
}

static void log_run(const gf_svc_forecast *f)
{
    gf_log("info", "forecast",
           json_pack("{s:s, s:I, s:I, s:I, s:f, s:f, s:f, s:b, s:f}", "request_id",
                     f->req.request_id ? f->req.request_id : "", "deals",
                     (json_int_t)f->history->h.n_deals, "history_bytes",
                     (json_int_t)f->history->bytes, "open", (json_int_t)f->model->n_open, "load_ms",
                     f->ms_load, "model_ms", f->ms_model, "sigma_ms", f->ms_sigma, "sigma_cached",
                     f->sigma_cached, "sim_ms", f->ms_sim));
}

int gf_svc__forecast_target(gf_svc_forecast *f, gf_err *err)
{
    int found = 0;
    if (gf_store_forecast_target_cents(f->req.org_id, f->req.scope, &f->req.period, &found,
                                       &f->target_cents, err) < 0)
        return err->code;
    f->has_target = found;
    return 0;
}

int gf_svc__forecast_compute(gf_svc_forecast *f, gf_err *err)
{
    const gf_store_history *h = f->history;
    gf_model_forecast_opts_default(f->req.as_of, &f->opts);
    f->opts.scope = f->mask;
    const gf_model_period period = {f->req.period.start, f->req.period.end};
    /* A leading KPI's detected shift scales the deals not yet created that its lag reaches. */
    f->lead_index = gf_svc__leads_primary(f->leads);
    f->lead_effect = (gf_model_lead_effect){.multiplier = 1.0};
    if (f->lead_index >= 0 && gf_svc__lead_effect(&f->leads->k[f->lead_index], f->req.as_of, period,
                                                  &f->lead_effect) != 0)
        return gf_err_internal(err);
    f->opts.new_scale = f->lead_effect.multiplier;
    double t0 = gf_svc__now_ms();
    const int mrc =
        gf_model_forecast_build(&h->h, &h->cal, period, f->req.as_of, &f->opts, &f->model);
    if (mrc == GF_MODEL_EINVAL)
        return gf_err_invalid(err, "as_of",
                              "no forecast can be made for this period at this as_of");
    if (mrc != 0)
        return gf_err_internal(err);
    double t1 = gf_svc__now_ms();
    f->ms_model = t1 - t0;
    f->rates = calloc(h->h.n_stages ? h->h.n_stages : 1, sizeof *f->rates);
    if (!f->rates)
        return gf_err_internal(err);
    const uint64_t key[4] = {
        (uint64_t)f->req.org_id, h->digest, mix(f->scope_key, 0),
        mix(mix((uint64_t)(uint32_t)period.start, (uint64_t)(uint32_t)period.end),
            (uint64_t)(uint32_t)f->req.as_of)};
    gf_svc_spread spread = {.rates = f->rates, .n_stages = h->h.n_stages};
    int cached = 0;
    if (gf_svc__spread_get(key, compute_spread, f, &spread, &cached) != 0)
        return gf_err_internal(err);
    f->sigma = spread.sigma;
    f->figures = spread.figures;
    f->sigma_cached = cached;
    f->ms_sigma = gf_svc__now_ms() - t1;
    gf_model_sim_input in;
    gf_model_forecast_sim_input(f->model, f->target_cents, f->sigma.sigma, f->req.trials,
                                f->req.seed, 0, &in);
    const double draws = (double)in.trials * ((double)in.n_deals + in.new_lambda + 1.0);
    const double max_draws = gf_svc_options_get()->max_sim_draws;
    if (max_draws > 0 && draws > max_draws)
        return gf_err_set(err, GF_EUNAVAILABLE, "work_limit", "trials",
                          "trials: %u trials over %zu open deals is %.3g draws, past this "
                          "server's work limit of %.3g (GAPFORGE_MAX_SIM_DRAWS); ask for fewer "
                          "trials",
                          (unsigned)in.trials, in.n_deals, draws, max_draws);
    t1 = gf_svc__now_ms();
    if (gf_model_sim_run(&in, &f->sim, NULL) != 0)
        return gf_err_internal(err);
    f->ms_sim = gf_svc__now_ms() - t1;
    gf_metric *stage = gf_metric_get(
        "gapforge_forecast_stage_seconds", GF_METRIC_HISTOGRAM,
        "Time of each stage of a forecast: the history read, the model build, the spread "
        "(its self-backtest, or a cache hit) and the simulation.",
        "stage", gf_metric_seconds_buckets, gf_metric_seconds_nbuckets);
    gf_metric_observe(stage, (const char *[]){"model"}, f->ms_model / 1000);
    gf_metric_observe(stage, (const char *[]){"spread"}, f->ms_sigma / 1000);
    gf_metric_observe(stage, (const char *[]){"simulate"}, f->ms_sim / 1000);
    gf_svc__count_cache("spread", cached);
    return 0;
}

int gf_svc__forecast_fit(gf_svc_forecast *f, gf_err *err)
{
    if (gf_svc__forecast_scope(f, err) < 0 || gf_svc__forecast_target(f, err) < 0 ||
        gf_svc__forecast_compute(f, err) < 0)
        return err->code;
    log_run(f);
    return 0;
}

/* The names of the open deals, for explain. */
static int deal_names(gf_svc_forecast *f, gf_err *err)
{
    const gf_model_forecast *m = f->model;
    int64_t *ids = malloc((m->n_open ? m->n_open : 1) * sizeof *ids);
    if (!ids)
        return gf_err_internal(err);
    for (size_t k = 0; k < m->n_open; k++)
        ids[k] = f->history->deals[m->open[k].deal].id;
    f->deal_names = gf_store_forecast_deal_names(f->req.org_id, ids, m->n_open, err);
    free(ids);
    return f->deal_names ? 0 : err->code;
}

gf_svc_forecast *gf_svc_forecast_run(const gf_svc_forecast_req *req, gf_err *err)
{
    gf_svc_forecast *f = gf_svc__forecast_load(req, err);
    if (!f)
        return NULL;
    if (gf_svc__forecast_fit(f, err) < 0 ||
        gf_store_org_currency(req->org_id, f->currency, err) < 0 || gf_svc__why(f, err) < 0)
        goto fail;
    f->latest_commit =
        gf_store_forecast_latest_commit(req->org_id, req->scope, &req->period, req->as_of, err);
    if (!f->latest_commit)
        goto fail;
    f->manager_call =
        gf_store_adjustment_latest(req->org_id, req->scope, &req->period, req->as_of, err);
    if (!f->manager_call || (req->explain && deal_names(f, err) < 0))
        goto fail;
    return f;
fail:
    gf_svc_forecast_free(f);
    return NULL;
}

void gf_svc_forecast_free(gf_svc_forecast *f)
{
    if (!f)
        return;
    if (!f->mask_borrowed)
        free(f->mask);
    if (f->history_ref)
        gf_svc__history_release(f->history_ref);
    else if (!f->borrowed)
        gf_store_history_free(f->history);
    if (!f->borrowed)
        gf_svc__leads_free(f->leads);
    free(f->rates);
    gf_model_forecast_free(f->model);
    json_decref(f->latest_commit);
    json_decref(f->manager_call);
    json_decref(f->deal_names);
    free(f);
}

json_t *gf_svc_forecast_answer(const gf_svc_forecast_req *req, gf_err *err)
{
    gf_svc_forecast *f = gf_svc_forecast_run(req, err);
    json_t *doc = f ? gf_svc_forecast_doc(f, err) : NULL;
    gf_svc_forecast_free(f);
    return doc;
}

/* kpi.c — a KPI's forecast for a period and scope: its series and target read from the store,
 * the model's forecast (src/model/kpi.c) and the GET /v1/kpis/{key}/forecast document. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gapforge/store.h"
#include "service_internal.h"

/* A number, or null when it is not finite. */
static json_t *num(double x)
{
    return isfinite(x) ? json_real(x) : json_null();
}

int gf_svc__kpi_open(const gf_svc_forecast_req *req, const char *key, bool paths_named,
                     gf_svc_kpi *k, gf_err *err)
{
    memset(k, 0, sizeof *k);
    k->req = *req;
    gf_scope_ids ids;
    if (gf_store_kpi_series_load(req->org_id, key, req->as_of, &k->series, err) < 0)
        return err->code;
    const gf_store_kpi_series *s = &k->series;
    if (gf_store_scope_resolve(req->org_id, req->scope, "scope", &ids, err) < 0 ||
        gf_store_kpi_target(req->org_id, req->scope, s->key, &req->period, &k->in.has_target,
                            &k->in.target, err) < 0 ||
        gf_store_org_currency(req->org_id, k->currency, err) < 0)
        return err->code;
    if (s->has_any && req->period.end < s->first_day)
        return gf_err_invalid(err, "period",
                              "period: it ends before the KPI's first observation (%s)",
                              s->n ? "" : "none before as_of");
    if (s->n == 0)
        return gf_err_invalid(err, "as_of",
                              "as_of: the KPI has no observation before it (POST "
                              "/v1/kpis/%s/observations)",
                              s->key);
    const gf_svc_options *opt = gf_svc_options_get();
    static const char *const aggs[] = {"sum", "mean", "last"};
    int agg = 0;
    while (agg < 2 && strcmp(s->aggregation, aggs[agg]) != 0)
        agg++;
    k->in = (gf_model_kpi_input){
        .days = s->days,
        .values = s->values,
        .n = s->n,
        .defined_bucket = strcmp(s->bucket, "day") == 0 ? GF_MODEL_KPI_DAY : GF_MODEL_KPI_WEEK,
        .agg = agg,
        .lower_is_better = strcmp(s->direction, "lower_is_better") == 0,
        .period = {req->period.start, req->period.end},
        .as_of = req->as_of,
        .has_target = k->in.has_target,
        .target = k->in.target,
        .n_paths = paths_named ? req->trials : (size_t)opt->kpi_paths,
        .seed = req->seed,
        .min_gain = opt->kpi_min_gain};
    const int rc = gf_model_kpi_forecast(&k->in, &k->model);
    if (rc == GF_MODEL_ENOMEM)
        return gf_err_internal(err);
    if (rc)
        return gf_err_invalid(err, "as_of", "as_of: the KPI's series cannot be forecast here");
    return 0;
}

void gf_svc__kpi_close(gf_svc_kpi *k)
{
    gf_model_kpi_free(&k->model);
    gf_store_kpi_series_free(&k->series);
    memset(k, 0, sizeof *k);
}

const char *gf_svc__kpi_method(const gf_svc_kpi *k)
{
    return k->model.ets.insufficient ? "insufficient_history"
                                     : gf_model_ets_kind_name(k->model.ets.method);
}

json_t *gf_svc__kpi_band(const gf_model_ets_band *b)
{
    return json_pack("{s:o, s:o, s:o, s:o}", "mean", num(b->mean), "p10", num(b->p10), "p50",
                     num(b->p50), "p90", num(b->p90));
}

json_t *gf_svc__kpi_head(const gf_svc_kpi *k)
{
    const gf_store_kpi_series *s = &k->series;
    const gf_svc_forecast_req *r = &k->req;
    return json_pack("{s:{s:s, s:s, s:s, s:s, s:s}, s:s, s:s, s:o, s:o, s:o, s:o}", "kpi", "key",
                     s->key, "name", s->name, "unit", s->unit, "direction", s->direction,
                     "aggregation", s->aggregation, "period", r->period.name, "scope", r->scope,
                     "start", gf_svc__day(r->period.start), "end", gf_svc__day(r->period.end),
                     "as_of", gf_svc__day(r->as_of), "target",
                     k->in.has_target ? json_real(k->in.target) : json_null());
}

/* The ETS candidates that were fitted. */
static json_t *candidates_json(const gf_model_ets_result *e)
{
    json_t *a = json_array();
    for (int kind = 0; kind < GF_MODEL_ETS_N_KINDS; kind++) {
        const gf_model_ets_candidate *c = &e->candidates[kind];
        if (!c->fitted)
            continue;
        json_array_append_new(a, json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:b}",
                                           "method", gf_model_ets_kind_name(kind), "alpha",
                                           num(c->alpha), "beta", num(c->beta), "gamma",
                                           num(c->gamma), "phi", num(c->phi), "sigma",
                                           num(c->sigma), "aicc", num(c->aicc), "n_param",
                                           (json_int_t)c->n_param, "chosen", kind == e->chosen));
    }
    return a;
}

static json_t *skill_json(const gf_model_ets_result *e)
{
    const gf_model_ets_skill *sk = &e->skill;
    if (!sk->n_origins)
        return json_null();
    return json_pack("{s:o, s:o, s:o, s:b, s:I, s:I, s:b}", "mase_model", num(sk->mase_model),
                     "mase_naive", num(sk->mase_naive), "mase_seasonal_naive", num(sk->mase_snaive),
                     "beats_naive", sk->beats_naive, "origins", (json_int_t)sk->n_origins, "train",
                     (json_int_t)sk->n_train, "in_sample", sk->in_sample);
}

/* The remaining buckets of the period, each with its band. */
static json_t *projection_json(const gf_svc_kpi *k)
{
    json_t *a = json_array();
    const gf_model_kpi *m = &k->model;
    if (m->closed)
        return a;
    for (size_t j = m->agg_from; j < m->ets.horizon; j++) {
        json_t *b = gf_svc__kpi_band(&m->ets.steps[j]);
        json_object_set_new(
            b, "start", gf_svc__day(gf_model_kpi_bucket_start(&m->grid, (long)(m->grid.n + j))));
        json_array_append_new(a, b);
    }
    return a;
}

json_t *gf_svc_kpi_forecast_answer(const gf_svc_forecast_req *req, const char *key,
                                   bool paths_named, gf_err *err)
{
    gf_svc_kpi k;
    if (gf_svc__kpi_open(req, key, paths_named, &k, err) < 0) {
        gf_svc__kpi_close(&k);
        return NULL;
    }
    const gf_model_kpi *m = &k.model;
    const gf_model_ets_result *e = &m->ets;
    const int t = k.in.has_target;
    json_t *o = gf_svc__kpi_head(&k);
    const int inferred = m->grid.bucket != k.in.defined_bucket;
    json_object_set_new(o, "bucket", json_string(gf_model_kpi_bucket_name(m->grid.bucket)));
    json_object_set_new(o, "bucket_source", json_string(inferred ? "data" : "definition"));
    json_object_set_new(o, "closed", json_boolean(m->closed));
    json_object_set_new(o, "actual_to_date",
                        json_pack("{s:o, s:I, s:I}", "value",
                                  m->done ? num(m->actual) : json_null(), "buckets",
                                  (json_int_t)m->done, "filled", (json_int_t)m->filled));
    json_object_set_new(o, "remaining_buckets",
                        json_integer(m->closed ? 0 : (json_int_t)(e->horizon - m->agg_from)));
    json_object_set_new(o, "projection", projection_json(&k));
    json_object_set_new(o, "value", gf_svc__kpi_band(&m->value));
    json_object_set_new(o, "gap", t ? num(m->gap) : json_null());
    json_object_set_new(o, "prob_meet", t ? num(m->prob_meet) : json_null());
    json_object_set_new(o, "method", json_string(gf_svc__kpi_method(&k)));
    json_object_set_new(o, "chosen", json_string(gf_model_ets_kind_name(e->chosen)));
    json_object_set_new(o, "fell_back", json_boolean(e->fell_back));
    json_object_set_new(o, "candidates", candidates_json(e));
    json_object_set_new(o, "skill", skill_json(e));
    json_object_set_new(
        o, "series",
        json_pack("{s:I, s:I, s:I, s:I, s:b, s:o}", "observations", (json_int_t)k.series.n,
                  "buckets", (json_int_t)m->grid.n, "gaps", (json_int_t)m->grid.n_missing, "season",
                  (json_int_t)m->season, "positive", e->positive, "sigma",
                  num(e->method == GF_MODEL_ETS_NAIVE ? e->naive_sigma
                                                      : e->model.sigma * e->sigma_factor)));
    json_object_set_new(o, "paths", json_integer((json_int_t)e->n_paths));
    json_object_set_new(o, "seed", json_integer((json_int_t)req->seed));
    gf_svc__kpi_close(&k);
    return o;
}

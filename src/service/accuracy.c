/* accuracy.c — the accuracy ledger (service_accuracy.h): each closed period's weeks, the model's
 * call from its snapshots (or a backtest where the period has none) and the scope's commit,
 * scored against what was won. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gapforge/model_accuracy.h"
#include "gapforge/service_accuracy.h"
#include "gapforge/service_backtest.h"
#include "gapforge/store.h"
#include "service_internal.h"

/* The backtest's weeks: offsets 0, 7, ..., 77 (GF_SVC_BACKTEST_MAX_OFFSETS of them). */
#define BT_WEEKS GF_SVC_BACKTEST_MAX_OFFSETS

/* The model's call in one week. */
typedef struct model_call {
    int has;
    int from_backtest;
    int as_of; /* the snapshot's or backtest row's day */
    double p10, p50, p90;
} model_call;

typedef struct period_calls {
    model_call model[GF_SVC_ACCURACY_WEEKS];
    int has_commit[GF_SVC_ACCURACY_WEEKS];
    int own_commit[GF_SVC_ACCURACY_WEEKS]; /* 0: the sum of its reps' commits */
    int64_t commit[GF_SVC_ACCURACY_WEEKS];
    int64_t actual;
} period_calls;

static json_t *num_or_null(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static json_t *score_json(double forecast, double actual)
{
    gf_model_call_score s;
    gf_model_call_score_of(forecast, actual, &s);
    return json_pack("{s:o, s:o, s:o, s:o, s:o}", "value", gf_svc__money(forecast), "ratio",
                     num_or_null(s.ratio), "accuracy", num_or_null(s.accuracy), "abs_error",
                     gf_svc__money(s.abs_error), "error", gf_svc__money(s.error));
}

/* The latest snapshot on or before each week's day carries the model's call that week. */
static void calls_from_snapshots(const gf_period *p, const gf_store_snapshot_point *pts, size_t n,
                                 period_calls *c)
{
    for (int w = 0; w < GF_SVC_ACCURACY_WEEKS; w++) {
        const int day = p->start + 7 * w;
        for (size_t k = 0; k < n && pts[k].as_of <= day; k++)
            c->model[w] = (model_call){1,
                                       0,
                                       pts[k].as_of,
                                       (double)pts[k].p10_cents,
                                       (double)pts[k].p50_cents,
                                       (double)pts[k].p90_cents};
    }
}

static double cents_of(const json_t *row, const char *key)
{
    return round(json_number_value(json_object_get(row, key)) * 100.0);
}

/* The model's calls of the periods without snapshots, from one backtest over them. */
static int calls_from_backtest(const gf_svc_backtest_req *all, const int *need, period_calls *calls,
                               gf_err *err)
{
    gf_svc_backtest_req sub = *all;
    sub.n_periods = 0;
    size_t index[GF_SVC_BACKTEST_MAX_PERIODS];
    for (size_t k = 0; k < all->n_periods; k++) {
        if (need[k]) {
            index[sub.n_periods] = k;
            sub.periods[sub.n_periods++] = all->periods[k];
        }
    }
    if (!sub.n_periods)
        return 0;
    json_t *doc = gf_svc_backtest_answer(&sub, err);
    if (!doc)
        return err->code;
    const json_t *rows = json_object_get(doc, "rows");
    for (size_t r = 0; r < json_array_size(rows); r++) {
        const json_t *row = json_array_get(rows, r);
        const char *name = json_string_value(json_object_get(row, "period"));
        const int w = (int)json_integer_value(json_object_get(row, "offset")) / 7;
        for (size_t j = 0; name && j < sub.n_periods; j++) {
            if (strcmp(sub.periods[j].name, name) != 0 || w < 0 || w >= GF_SVC_ACCURACY_WEEKS)
                continue;
            calls[index[j]].model[w] = (model_call){1,
                                                    1,
                                                    sub.periods[j].start + 7 * w,
                                                    cents_of(row, "p10"),
                                                    cents_of(row, "p50"),
                                                    cents_of(row, "p90")};
        }
    }
    json_decref(doc);
    return 0;
}

static json_t *model_json(const model_call *m, double actual)
{
    if (!m->has)
        return json_null();
    json_t *o = score_json(m->p50, actual);
    json_object_set_new(o, "source", json_string(m->from_backtest ? "backtest" : "snapshot"));
    json_object_set_new(o, "as_of", gf_svc__day(m->as_of));
    json_object_set_new(o, "p10", gf_svc__money(m->p10));
    json_object_set_new(o, "p90", gf_svc__money(m->p90));
    json_object_set_new(o, "inside_p10_p90", json_boolean(m->p10 <= actual && actual <= m->p90));
    return o;
}

static json_t *tally_json(const gf_model_call_tally *t)
{
    return json_pack("{s:I, s:o, s:o, s:o}", "n", (json_int_t)t->n, "accuracy",
                     num_or_null(gf_model_call_tally_accuracy(t)), "bias",
                     num_or_null(gf_model_call_tally_bias(t)), "wape",
                     num_or_null(gf_model_call_tally_wape(t)));
}

/* Who was the more accurate over the weeks both called, by how much, and from which week on
 * the model was at least as accurate in every later week (mean accuracy per week). */
static json_t *summary_json(const gf_svc_backtest_req *req, const period_calls *calls)
{
    gf_model_call_tally model = {0}, commit = {0}, both_m = {0}, both_c = {0};
    gf_model_call_tally wm[GF_SVC_ACCURACY_WEEKS] = {{0}}, wc[GF_SVC_ACCURACY_WEEKS] = {{0}};
    size_t inside = 0;
    for (size_t k = 0; k < req->n_periods; k++) {
        const period_calls *c = &calls[k];
        const double a = (double)c->actual;
        for (int w = 0; w < GF_SVC_ACCURACY_WEEKS; w++) {
            const model_call *m = &c->model[w];
            if (m->has) {
                gf_model_call_tally_add(&model, m->p50, a);
                inside += m->p10 <= a && a <= m->p90;
            }
            if (c->has_commit[w])
                gf_model_call_tally_add(&commit, (double)c->commit[w], a);
            if (m->has && c->has_commit[w]) {
                gf_model_call_tally_add(&both_m, m->p50, a);
                gf_model_call_tally_add(&both_c, (double)c->commit[w], a);
                gf_model_call_tally_add(&wm[w], m->p50, a);
                gf_model_call_tally_add(&wc[w], (double)c->commit[w], a);
            }
        }
    }
    double am[GF_SVC_ACCURACY_WEEKS], ac[GF_SVC_ACCURACY_WEEKS];
    for (int w = 0; w < GF_SVC_ACCURACY_WEEKS; w++) {
        am[w] = gf_model_call_tally_accuracy(&wm[w]);
        ac[w] = gf_model_call_tally_accuracy(&wc[w]);
    }
    const double xm = gf_model_call_tally_accuracy(&both_m);
    const double xc = gf_model_call_tally_accuracy(&both_c);
    const int from = gf_model_better_from_week(am, ac, GF_SVC_ACCURACY_WEEKS);
    json_t *m = tally_json(&model);
    json_object_set_new(m, "inside_p10_p90",
                        model.n ? json_real((double)inside / (double)model.n) : json_null());
    const int comparable = isfinite(xm) && isfinite(xc);
    json_t *by_week = json_array();
    for (int w = 0; w < GF_SVC_ACCURACY_WEEKS; w++)
        json_array_append_new(by_week,
                              json_pack("{s:i, s:I, s:o, s:o}", "week", w, "n", (json_int_t)wm[w].n,
                                        "model", num_or_null(am[w]), "commit", num_or_null(ac[w])));
    return json_pack("{s:o, s:o, s:o, s:I, s:o, s:o, s:o}", "model", m, "commit",
                     tally_json(&commit), "more_accurate",
                     !comparable ? json_null()
                     : xm == xc  ? json_string("tie")
                     : xm > xc   ? json_string("model")
                                 : json_string("commit"),
                     "compared_weeks", (json_int_t)both_m.n, "accuracy_difference",
                     comparable ? json_real(xm - xc) : json_null(), "model_better_from_week",
                     from >= 0 ? json_integer(from) : json_null(), "by_week", by_week);
}

static json_t *commit_json(const period_calls *c, int w)
{
    if (!c->has_commit[w])
        return json_null();
    json_t *o = score_json((double)c->commit[w], (double)c->actual);
    json_object_set_new(o, "source", json_string(c->own_commit[w] ? "scope" : "reps"));
    return o;
}

static json_t *period_json(const gf_period *p, const period_calls *c)
{
    json_t *weeks = json_array();
    const double a = (double)c->actual;
    for (int w = 0; w < GF_SVC_ACCURACY_WEEKS && p->start + 7 * w <= p->end; w++)
        json_array_append_new(weeks,
                              json_pack("{s:i, s:o, s:o, s:o}", "week", w, "as_of",
                                        gf_svc__day(p->start + 7 * w), "model",
                                        model_json(&c->model[w], a), "commit", commit_json(c, w)));
    return json_pack("{s:s, s:o, s:o, s:o, s:o}", "period", p->name, "start", gf_svc__day(p->start),
                     "end", gf_svc__day(p->end), "actual", gf_svc__money(a), "weeks", weeks);
}

json_t *gf_svc_accuracy(int64_t org_id, const gf_svc_accuracy_args *args, gf_err *err)
{
    int64_t offsets[BT_WEEKS];
    for (int w = 0; w < BT_WEEKS; w++)
        offsets[w] = 7 * w;
    const gf_svc_backtest_args bt = {.scope = args->scope,
                                     .periods = args->periods,
                                     .n_periods = args->n_periods,
                                     .has_last = args->has_last,
                                     .last = args->last,
                                     .offsets = offsets,
                                     .n_offsets = BT_WEEKS};
    gf_svc_backtest_req req;
    if (gf_svc_backtest_req_parse(org_id, &bt, &req, err) < 0) {
        if (strcmp(err->field, "offsets") == 0)
            gf_err_invalid(err, "periods", "accuracy needs whole quarters");
        return NULL;
    }
    period_calls *calls = calloc(req.n_periods, sizeof *calls);
    int need[GF_SVC_BACKTEST_MAX_PERIODS] = {0};
    if (!calls) {
        gf_err_internal(err);
        return NULL;
    }
    int rc = 0;
    for (size_t k = 0; k < req.n_periods && rc == 0; k++) {
        const gf_period *p = &req.periods[k];
        gf_store_snapshot_point *pts = NULL;
        size_t n = 0;
        rc = gf_store_accuracy_snapshots(org_id, req.scope, p, &pts, &n, err);
        if (rc == 0)
            calls_from_snapshots(p, pts, n, &calls[k]);
        free(pts);
        need[k] = rc == 0 && n == 0;
        if (rc == 0)
            rc = gf_store_accuracy_actual(org_id, req.scope, p, &calls[k].actual, err);
        for (int w = 0; rc == 0 && w < GF_SVC_ACCURACY_WEEKS; w++)
            rc = gf_store_accuracy_commit(org_id, req.scope, p, p->start + 7 * w,
                                          &calls[k].has_commit[w], &calls[k].own_commit[w],
                                          &calls[k].commit[w], err);
    }
    if (rc == 0)
        rc = calls_from_backtest(&req, need, calls, err);
    json_t *out = NULL;
    if (rc == 0) {
        json_t *periods = json_array();
        for (size_t k = 0; k < req.n_periods; k++)
            json_array_append_new(periods, period_json(&req.periods[k], &calls[k]));
        out = json_pack("{s:s, s:o, s:o}", "scope", req.scope, "periods", periods, "summary",
                        summary_json(&req, calls));
        if (!out)
            gf_err_internal(err);
    }
    free(calls);
    return out;
}

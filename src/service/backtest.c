/* backtest.c — running a backtest: the org's history read once, every (period, offset) row
 * forecast from it as GET /v1/forecast would have on that day (the same model, spread and
 * Monte Carlo: gf_svc__forecast_compute), the rows shared out over the CPUs, then the actuals,
 * the baselines and the scores in one document.
 *
 * Why one history serves every row: the model reads only data dated before the as_of it is
 * given (model_forecast.h), so the history as known today holds each row's history exactly. The
 * database is read only by the calling thread (targets, commits, the scope); the row threads
 * run the model on the shared history and mask, which they only read, and meet only in the
 * spread cache (single flight, thread-safe). */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gapforge/log.h"
#include "gapforge/model_backtest.h"
#include "gapforge/service_backtest.h"
#include "gapforge/store.h"
#include "service_internal.h"

#define MAX_THREADS 64

/* One backtested forecast and what it is judged against. */
typedef struct bt_row {
    const gf_period *period;
    int offset, as_of;
    int has_target, has_commit;
    int64_t target_cents, commit_cents, actual_cents;
    gf_model_sim_result sim;
    gf_model_bt_baselines base;
} bt_row;

/* A backtest under way: the history every row reads and the rows the threads share out. */
typedef struct bt_run {
    const gf_svc_backtest_req *req;
    gf_svc_forecast *base; /* owns the history and the scope's mask */
    bt_row *rows;
    size_t n_rows;
    atomic_size_t next;
    atomic_int failed;
    const atomic_int *cancel;
    double deadline_ms;
    pthread_mutex_t mu;
    gf_err err; /* the first failure */
} bt_run;

static void run_fail(bt_run *r, const gf_err *e)
{
    pthread_mutex_lock(&r->mu);
    if (!atomic_load(&r->failed))
        r->err = *e;
    atomic_store(&r->failed, 1);
    pthread_mutex_unlock(&r->mu);
}

/* The forecast of one row on the shared history, and its baselines. */
static int row_compute(bt_run *r, bt_row *row, gf_err *err)
{
    const gf_svc_forecast *base = r->base;
    gf_svc_forecast *f = calloc(1, sizeof *f);
    if (!f)
        return gf_err_internal(err);
    f->req = (gf_svc_forecast_req){.org_id = r->req->org_id,
                                   .period = *row->period,
                                   .as_of = row->as_of,
                                   .trials = r->req->trials,
                                   .seed = r->req->seed,
                                   .request_id = r->req->request_id};
    memcpy(f->req.scope, r->req->scope, sizeof f->req.scope);
    f->history = base->history;
    f->leads = base->leads;
    f->mask = base->mask;
    f->scope_key = base->scope_key;
    f->borrowed = f->mask_borrowed = true;
    f->has_target = row->has_target;
    f->target_cents = row->target_cents;
    int rc = gf_svc__forecast_compute(f, err);
    if (rc == 0)
        row->sim = f->sim;
    gf_svc_forecast_free(f);
    if (rc < 0)
        return rc;
    const gf_store_history *h = base->history;
    const gf_model_period p = {row->period->start, row->period->end};
    if (gf_model_bt_baselines_at(&h->h, &h->cal, p, row->as_of, base->mask,
                                 GF_SVC_BACKTEST_RATE_QUARTERS, &row->base) != 0)
        return gf_err_internal(err);
    return 0;
}

/* A row thread: takes the next row until none is left, one failed, the budget is spent or the
 * process stops. */
static void *row_worker(void *arg)
{
    bt_run *r = arg;
    gf_store_set_org(r->req->org_id); /* a thread of its own: its connection needs the org too */
    for (;;) {
        const size_t k = atomic_fetch_add(&r->next, 1);
        if (k >= r->n_rows || atomic_load(&r->failed))
            break;
        gf_err e = {0};
        if (r->cancel && atomic_load(r->cancel)) {
            gf_err_set(&e, GF_EUNAVAILABLE, "stopping", NULL,
                       "the server stopped before the backtest finished");
            run_fail(r, &e);
            break;
        }
        if (gf_svc__now_ms() > r->deadline_ms) {
            gf_err_set(&e, GF_EINTERNAL, "backtest_budget", NULL,
                       "the backtest ran longer than its budget of %d ms "
                       "(GAPFORGE_BACKTEST_BUDGET_MS); ask for fewer periods or offsets",
                       gf_svc_options_get()->backtest_budget_ms);
            run_fail(r, &e);
            break;
        }
        if (row_compute(r, &r->rows[k], &e) < 0)
            run_fail(r, &e);
    }
    return NULL;
}

static unsigned thread_count(size_t n_rows)
{
    long n = gf_svc_options_get()->backtest_threads;
    if (n <= 0)
        n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        n = 1;
    if (n > MAX_THREADS)
        n = MAX_THREADS;
    return (unsigned)((size_t)n < n_rows ? (size_t)n : n_rows ? n_rows : 1);
}

/* Runs every row on `threads` threads, this one included. */
static void run_rows(bt_run *r, unsigned threads)
{
    pthread_t tid[MAX_THREADS];
    unsigned started = 0;
    for (unsigned t = 1; t < threads; t++)
        if (pthread_create(&tid[started], NULL, row_worker, r) == 0)
            started++; /* a thread that cannot start only means fewer hands */
    row_worker(r);
    for (unsigned t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
}

/* What the calling thread reads for the rows: each period's target and actual, each row's
 * latest commit before its as_of. */
static int rows_prepare(bt_run *r, int known, gf_err *err)
{
    const gf_svc_backtest_req *req = r->req;
    const gf_store_history *h = r->base->history;
    size_t k = 0;
    for (size_t i = 0; i < req->n_periods; i++) {
        const gf_period *p = &req->periods[i];
        int found = 0;
        int64_t target = 0;
        if (gf_store_forecast_target_cents(req->org_id, req->scope, p, &found, &target, err) < 0)
            return err->code;
        const gf_model_period mp = {p->start, p->end};
        const int64_t actual = gf_model_bt_actual(&h->h, r->base->mask, mp, known);
        for (size_t o = 0; o < req->n_offsets; o++, k++) {
            bt_row *row = &r->rows[k];
            row->period = p;
            row->offset = req->offsets[o];
            row->as_of = p->start + req->offsets[o];
            row->has_target = found;
            row->target_cents = target;
            row->actual_cents = actual;
            if (gf_store_backtest_commit_cents(req->org_id, req->scope, p, row->as_of,
                                               &row->has_commit, &row->commit_cents, err) < 0)
                return err->code;
        }
    }
    return 0;
}

/* ---- the document ---- */

static json_t *ratio(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static json_t *row_json(const bt_row *row)
{
    const gf_model_sim_result *s = &row->sim;
    const double t = (double)row->target_cents;
    json_t *o = json_pack("{s:s, s:o, s:o, s:i, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "period",
                          row->period->name, "start", gf_svc__day(row->period->start), "end",
                          gf_svc__day(row->period->end), "offset", row->offset, "as_of",
                          gf_svc__day(row->as_of), "p10", gf_svc__money((double)s->p10), "p50",
                          gf_svc__money((double)s->p50), "p90", gf_svc__money((double)s->p90),
                          "expected", gf_svc__money(s->expected), "prob_hit",
                          row->has_target ? json_real(s->prob_hit) : json_null(), "target",
                          row->has_target ? gf_svc__money(t) : json_null());
    json_object_set_new(o, "actual", gf_svc__money((double)row->actual_cents));
    json_object_set_new(o, "error", gf_svc__money((double)(s->p50 - row->actual_cents)));
    json_object_set_new(o, "booked", gf_svc__money((double)row->base.booked_cents));
    json_object_set_new(o, "weighted_pipeline", gf_svc__money(row->base.weighted_pipeline_cents));
    json_object_set_new(o, "run_rate",
                        row->base.has_run_rate ? gf_svc__money(row->base.run_rate_cents)
                                               : json_null());
    json_object_set_new(o, "commit",
                        row->has_commit ? gf_svc__money((double)row->commit_cents) : json_null());
    return o;
}

static json_t *error_json(const double *forecast, const double *actual, size_t n)
{
    gf_model_bt_error e;
    if (gf_model_bt_score_point(forecast, actual, n, &e) != 0)
        return NULL;
    return json_pack("{s:I, s:o, s:o}", "n", (json_int_t)e.n, "wape", ratio(e.wape), "bias",
                     ratio(e.bias));
}

/* The scores of the rows whose offset is `offset` (every row when offset < 0). */
static json_t *summary_json(const bt_row *rows, size_t n_rows, int offset)
{
    gf_model_bt_point *pts = calloc(n_rows ? n_rows : 1, sizeof *pts);
    double *actual = calloc(n_rows ? n_rows : 1, sizeof *actual);
    double *fc[3];
    for (int b = 0; b < 3; b++)
        fc[b] = calloc(n_rows ? n_rows : 1, sizeof *fc[b]);
    json_t *o = NULL;
    size_t n = 0;
    if (!pts || !actual || !fc[0] || !fc[1] || !fc[2])
        goto done;
    for (size_t k = 0; k < n_rows; k++) {
        const bt_row *row = &rows[k];
        if (offset >= 0 && row->offset != offset)
            continue;
        const double a = (double)row->actual_cents;
        pts[n] =
            (gf_model_bt_point){.p10 = (double)row->sim.p10,
                                .p50 = (double)row->sim.p50,
                                .p90 = (double)row->sim.p90,
                                .actual = a,
                                .has_target = row->has_target,
                                .prob_hit = row->sim.prob_hit,
                                .hit = row->has_target && row->actual_cents >= row->target_cents};
        actual[n] = a;
        fc[0][n] = row->base.weighted_pipeline_cents;
        fc[1][n] = row->base.has_run_rate ? row->base.run_rate_cents : NAN;
        fc[2][n] = row->has_commit ? (double)row->commit_cents : NAN;
        n++;
    }
    gf_model_bt_score s;
    if (gf_model_bt_score_model(pts, n, &s) != 0)
        goto done;
    json_t *model =
        json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:o}", "n", (json_int_t)s.n, "wape",
                  ratio(s.wape), "bias", ratio(s.bias), "below_p10", ratio(s.below_p10),
                  "below_p50", ratio(s.below_p50), "above_p90", ratio(s.above_p90), "pinball",
                  ratio(s.pinball), "n_brier", (json_int_t)s.n_brier, "brier", ratio(s.brier));
    o = json_pack("{s:o, s:o, s:o, s:o}", "model", model, "weighted_pipeline",
                  error_json(fc[0], actual, n), "run_rate", error_json(fc[1], actual, n), "commit",
                  error_json(fc[2], actual, n));
done:
    free(pts);
    free(actual);
    for (int b = 0; b < 3; b++)
        free(fc[b]);
    return o;
}

static json_t *document(const bt_run *r, gf_err *err)
{
    const gf_svc_backtest_req *req = r->req;
    json_t *rows = json_array(), *by_offset = json_array();
    for (size_t k = 0; k < r->n_rows; k++)
        json_array_append_new(rows, row_json(&r->rows[k]));
    for (size_t o = 0; o < req->n_offsets; o++) {
        json_t *s = summary_json(r->rows, r->n_rows, req->offsets[o]);
        if (s)
            json_object_set_new(s, "offset", json_integer(req->offsets[o]));
        json_array_append_new(by_offset, s);
    }
    json_t *doc = gf_svc_backtest_request_json(req);
    if (doc) {
        json_object_set_new(doc, "model_version", json_string(GF_SVC_MODEL_VERSION));
        json_object_set_new(doc, "rows", rows);
        json_object_set_new(doc, "summary", summary_json(r->rows, r->n_rows, -1));
        json_object_set_new(doc, "by_offset", by_offset);
    } else {
        json_decref(rows);
        json_decref(by_offset);
    }
    if (!doc || !json_object_get(doc, "summary") || json_array_size(by_offset) != req->n_offsets)
        gf_err_internal(err);
    return doc;
}

json_t *gf_svc__backtest_run(const gf_svc_backtest_req *req, const atomic_int *cancel, gf_err *err)
{
    const double t0 = gf_svc__now_ms();
    bt_run r = {.req = req, .cancel = cancel};
    pthread_mutex_init(&r.mu, NULL);
    json_t *doc = NULL;
    int last_end = req->periods[0].end;
    for (size_t i = 1; i < req->n_periods; i++)
        last_end = req->periods[i].end > last_end ? req->periods[i].end : last_end;
    /* Everything known up to now (today included): each row reads only its own past of it. */
    const int known = req->today + 1;
    gf_svc_forecast_req lreq = {.org_id = req->org_id, .as_of = known};
    lreq.period.end = last_end;
    memcpy(lreq.scope, req->scope, sizeof lreq.scope);
    r.n_rows = req->n_periods * req->n_offsets;
    r.rows = calloc(r.n_rows, sizeof *r.rows);
    if (!r.rows) {
        gf_err_internal(err);
        goto done;
    }
    r.base = gf_svc__forecast_load(&lreq, err);
    if (!r.base || gf_svc__forecast_scope(r.base, err) < 0 || rows_prepare(&r, known, err) < 0)
        goto done;
    const double t1 = gf_svc__now_ms();
    const double history_ms = r.base->ms_load;
    r.deadline_ms = t0 + gf_svc_options_get()->backtest_budget_ms;
    const unsigned threads = thread_count(r.n_rows);
    run_rows(&r, threads);
    if (atomic_load(&r.failed)) {
        *err = r.err;
        goto done;
    }
    doc = document(&r, err);
    gf_log("info", "backtest",
           json_pack("{s:s, s:I, s:I, s:i, s:I, s:f, s:f, s:f}", "request_id",
                     req->request_id ? req->request_id : "", "org", (json_int_t)req->org_id, "rows",
                     (json_int_t)r.n_rows, "threads", (int)threads, "deals",
                     (json_int_t)r.base->history->h.n_deals, "history_ms", history_ms, "load_ms",
                     t1 - t0, "total_ms", gf_svc__now_ms() - t0));
done:
    gf_svc_forecast_free(r.base);
    free(r.rows);
    pthread_mutex_destroy(&r.mu);
    return doc;
}

json_t *gf_svc_backtest_answer(const gf_svc_backtest_req *req, gf_err *err)
{
    return gf_svc__backtest_run(req, NULL, err);
}

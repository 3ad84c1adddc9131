/* backtest_job.c — backtests as jobs: stored as running, run on a thread of their own, answered
 * by the request when they finish within the wait, otherwise finished in the background and
 * read back by id (from PostgreSQL, so any replica can answer).
 *
 * At most gf_svc_options.backtest_jobs backtests run at once in a process (a slot is taken
 * before anything is stored and given back when the result is stored), so a burst of requests
 * cannot hold every CPU and database connection: beyond it a request is refused (503, reason
 * "backtests_busy"). A job whose process stops before it finishes stays "running" in the table
 * and reads as failed ("abandoned") once it has run for twice the backtest budget, longer than
 * any backtest may run; a server that stops cleanly first cancels its running backtests, which
 * then store their failure (gf_svc_backtest_shutdown). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gapforge/log.h"
#include "gapforge/service_backtest.h"
#include "gapforge/store.h"
#include "service_internal.h"

/* A job shared by the request that started it and the thread that runs it. */
typedef struct bt_job {
    pthread_mutex_t mu;
    pthread_cond_t cv; /* on CLOCK_MONOTONIC */
    int refs;
    int finished; /* the thread is done: doc or err says how it went */
    int ok;       /* the backtest succeeded */
    json_t *doc;  /* the finished job's document, NULL when it could not be stored */
    gf_err err;   /* the backtest's failure, or the failure to store its end */
    gf_svc_backtest_req req;
    char request_id[128];
    int64_t id;
} bt_job;

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_idle = PTHREAD_COND_INITIALIZER;
static int g_running;
static atomic_int g_cancel;

static int stale_ms(void)
{
    return 2 * gf_svc_options_get()->backtest_budget_ms;
}

static int slot_take(gf_err *err)
{
    const int max = gf_svc_options_get()->backtest_jobs;
    pthread_mutex_lock(&g_mu);
    const int ok = g_running < max && !atomic_load(&g_cancel);
    g_running += ok;
    pthread_mutex_unlock(&g_mu);
    if (!ok)
        return gf_err_set(err, GF_EUNAVAILABLE, "backtests_busy", NULL,
                          "%d backtests are already running on this server, the most it runs at "
                          "once (GAPFORGE_BACKTEST_JOBS); try again when one has finished",
                          max);
    return 0;
}

static void slot_give(void)
{
    pthread_mutex_lock(&g_mu);
    g_running--;
    pthread_cond_broadcast(&g_idle);
    pthread_mutex_unlock(&g_mu);
}

static void job_unref(bt_job *j)
{
    pthread_mutex_lock(&j->mu);
    const int last = --j->refs == 0;
    pthread_mutex_unlock(&j->mu);
    if (!last)
        return;
    json_decref(j->doc);
    pthread_cond_destroy(&j->cv);
    pthread_mutex_destroy(&j->mu);
    free(j);
}

/* The error object a failed job stores, as JSON text (the caller frees it). */
static char *error_text(const gf_err *e)
{
    json_t *o = json_pack("{s:s, s:s}", "code", gf_err_reason(e), "message",
                          e->message[0] ? e->message : "the backtest failed");
    if (o && e->field[0])
        json_object_set_new(o, "field", json_string(e->field));
    char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    return text;
}

/* Stores the job's end, trying again for a while when the database is away (the result took
 * long to compute; losing it to a short outage would be a pity). */
static json_t *store_end(bt_job *j, const char *result, const char *error, gf_err *err)
{
    for (int attempt = 0;; attempt++) {
        gf_err_clear(err);
        json_t *doc =
            gf_store_backtest_finish(j->req.org_id, j->id, result, error, stale_ms(), err);
        if (doc || err->code != GF_EUNAVAILABLE || attempt == 9)
            return doc;
        sleep(1);
    }
}

static void *job_thread(void *arg)
{
    bt_job *j = arg;
    gf_err e = {0}, se = {0};
    gf_store_set_org(j->req.org_id); /* this thread works for the job's org only */
    json_t *result = gf_svc__backtest_run(&j->req, &g_cancel, &e);
    /* 17 digits: the stored result reads back bit for bit (the answer rounds to 15). */
    char *text = result ? json_dumps(result, JSON_COMPACT | JSON_REAL_PRECISION(17)) : NULL;
    if (result && !text)
        gf_err_internal(&e);
    const int ok = text != NULL;
    char *etext = ok ? NULL : error_text(&e);
    json_decref(result);
    json_t *doc = store_end(j, text, etext, &se);
    if (!doc)
        gf_log("error", "backtest not stored",
               json_pack("{s:I, s:s}", "id", (json_int_t)j->id, "detail", se.message));
    free(text);
    free(etext);
    gf_store_disconnect();
    pthread_mutex_lock(&j->mu);
    j->finished = 1;
    j->ok = ok;
    j->doc = doc;
    j->err = j->ok ? se : e;
    pthread_cond_broadcast(&j->cv);
    pthread_mutex_unlock(&j->mu);
    job_unref(j);
    slot_give();
    return NULL;
}

static bt_job *job_new(const gf_svc_backtest_req *req)
{
    bt_job *j = calloc(1, sizeof *j);
    if (!j)
        return NULL;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&j->cv, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&j->mu, NULL);
    j->refs = 2;
    j->req = *req;
    if (req->request_id) {
        strncpy(j->request_id, req->request_id, sizeof j->request_id - 1);
        j->req.request_id = j->request_id;
    }
    return j;
}

/* Waits until the job finished or wait_ms passed; returns 1 when it finished. */
static int job_wait(bt_job *j, int wait_ms)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += wait_ms / 1000;
    until.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&j->mu);
    while (!j->finished)
        if (pthread_cond_timedwait(&j->cv, &j->mu, &until) != 0)
            break;
    const int finished = j->finished;
    pthread_mutex_unlock(&j->mu);
    return finished;
}

json_t *gf_svc_backtest_submit(const gf_svc_backtest_req *req, int *finished, gf_err *err)
{
    *finished = 0;
    if (slot_take(err) < 0)
        return NULL;
    json_t *request = gf_svc_backtest_request_json(req);
    char *text = request ? json_dumps(request, JSON_COMPACT) : NULL;
    json_decref(request);
    int64_t id = 0;
    json_t *running =
        text ? gf_store_backtest_insert(req->org_id, text, stale_ms(), &id, err) : NULL;
    if (!text)
        gf_err_internal(err);
    free(text);
    bt_job *j = running ? job_new(req) : NULL;
    if (running && !j)
        gf_err_internal(err);
    pthread_t tid;
    pthread_attr_t attr;
    int started = 0;
    if (j) {
        j->id = id;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        started = pthread_create(&tid, &attr, job_thread, j) == 0;
        pthread_attr_destroy(&attr);
    }
    if (!started) {
        if (j) {
            /* No thread: the job ends here, failed, and the caller gets the reason. */
            gf_err_set(err, GF_EUNAVAILABLE, "backtests_busy", NULL,
                       "the server could not start the backtest; try again");
            char *etext = error_text(err);
            gf_err se = {0};
            json_decref(gf_store_backtest_finish(req->org_id, id, NULL, etext, stale_ms(), &se));
            free(etext);
            j->refs = 1;
            job_unref(j);
        }
        json_decref(running);
        slot_give();
        return NULL;
    }
    json_t *doc = running;
    if (job_wait(j, gf_svc_options_get()->backtest_wait_ms)) {
        pthread_mutex_lock(&j->mu);
        if (j->ok && j->doc) {
            json_decref(running);
            doc = json_incref(j->doc);
            *finished = 1;
        } else {
            /* It failed within the wait: the request answers why (the job says so too). */
            json_decref(running);
            doc = NULL;
            *err = j->err;
        }
        pthread_mutex_unlock(&j->mu);
    }
    job_unref(j);
    return doc;
}

json_t *gf_svc_backtest_get(int64_t org_id, int64_t id, gf_err *err)
{
    return gf_store_backtest_get(org_id, id, stale_ms(), err);
}

void gf_svc_backtest_drain(void)
{
    pthread_mutex_lock(&g_mu);
    while (g_running > 0)
        pthread_cond_wait(&g_idle, &g_mu);
    pthread_mutex_unlock(&g_mu);
}

void gf_svc_backtest_shutdown(void)
{
    atomic_store(&g_cancel, 1);
    gf_svc_backtest_drain();
}

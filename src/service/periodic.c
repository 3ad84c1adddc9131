/* periodic.c — the thread of a periodic job (periodic.h): a tick at start, then one each
 * interval, stopped by a flag and a condition variable so that a stop need not wait for the
 * interval; and the run of one org's work under its advisory lock. */
#include <time.h>

#include "gapforge/store.h"
#include "periodic.h"

static void *job_main(void *arg)
{
    gf_svc__job *j = arg;
    bool first = true;
    pthread_mutex_lock(&j->mu);
    while (!j->stop) {
        pthread_mutex_unlock(&j->mu);
        j->tick(j, first);
        first = false;
        pthread_mutex_lock(&j->mu);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += j->every_ms / 1000;
        until.tv_nsec += (long)(j->every_ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        while (!j->stop && pthread_cond_timedwait(&j->cv, &j->mu, &until) == 0)
            ;
    }
    pthread_mutex_unlock(&j->mu);
    gf_store_disconnect();
    return NULL;
}

int gf_svc__job_start(gf_svc__job *job, int every_ms)
{
    pthread_mutex_lock(&job->mu);
    int rc = 0;
    if (!job->running) {
        job->every_ms = every_ms > 0 ? every_ms : 60000;
        job->stop = false;
        rc = pthread_create(&job->thread, NULL, job_main, job) == 0 ? 0 : -1;
        job->running = rc == 0;
    }
    pthread_mutex_unlock(&job->mu);
    return rc;
}

void gf_svc__job_stop(gf_svc__job *job)
{
    pthread_mutex_lock(&job->mu);
    const bool running = job->running;
    job->stop = true;
    pthread_cond_broadcast(&job->cv);
    pthread_mutex_unlock(&job->mu);
    if (running)
        pthread_join(job->thread, NULL);
    pthread_mutex_lock(&job->mu);
    job->running = false;
    pthread_mutex_unlock(&job->mu);
}

bool gf_svc__job_stopping(gf_svc__job *job)
{
    if (!job)
        return false;
    pthread_mutex_lock(&job->mu);
    const bool stop = job->stop;
    pthread_mutex_unlock(&job->mu);
    return stop;
}

int gf_svc__job_for_org(const gf_svc__job_lock *lock, int64_t org_id, int key,
                        int (*work)(int64_t org_id, void *arg, gf_err *err), void *arg, gf_err *err)
{
    int got = 1;
    if (lock && lock->take(org_id, key, &got, err) < 0)
        return err->code;
    if (!got)
        return 1;
    const int64_t was = gf_store_org();
    gf_store_set_org(org_id); /* the org's work sees the org's rows (row-level security) */
    int rc = work(org_id, arg, err);
    gf_store_set_org(was);
    gf_err ue = {0};
    if (lock && lock->release(org_id, key, &ue) < 0 && rc >= 0) {
        *err = ue;
        rc = ue.code;
    }
    return rc;
}

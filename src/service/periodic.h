/* periodic.h — a job that a thread of its own runs at start and then every interval until it is
 * stopped, and the per-org advisory lock under which such a job does one org's work so that one
 * replica at a time does it (the daily snapshots, the alert evaluation). Private to src/service. */
#ifndef GAPFORGE_SERVICE_PERIODIC_H
#define GAPFORGE_SERVICE_PERIODIC_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "gapforge/err.h"

typedef struct gf_svc__job gf_svc__job;

/* One run of a job. first: the run at start, which may catch up with what a stopped server
 * missed (the snapshots do yesterday's). A long run checks gf_svc__job_stopping between orgs. */
typedef void (*gf_svc__job_tick)(gf_svc__job *job, bool first);

/* A job: its name and tick set by GF_SVC__JOB; the rest is the thread's. */
struct gf_svc__job {
    const char *name;
    gf_svc__job_tick tick;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t thread;
    bool running, stop;
    int every_ms;
};

#define GF_SVC__JOB(name_, tick_)                                          \
    {                                                                      \
        .name = (name_), .tick = (tick_), .mu = PTHREAD_MUTEX_INITIALIZER, \
        .cv = PTHREAD_COND_INITIALIZER                                     \
    }

/* Starts job's thread: a tick now (first), then one every every_ms (> 0) after the previous one
 * ended, until gf_svc__job_stop. A job already running is left as it is. Returns 0 or -1 (no
 * thread). */
int gf_svc__job_start(gf_svc__job *job, int every_ms) GF_MUST_CHECK;

/* Stops job's thread and joins it (a tick in progress finishes first, or at its next check of
 * gf_svc__job_stopping); the thread closes its database connection. No-op when not running. */
void gf_svc__job_stop(gf_svc__job *job);

/* Whether job has been told to stop (false for NULL: a run called without a thread). */
bool gf_svc__job_stopping(gf_svc__job *job);

/* A per-org session advisory lock of the store: take sets *got 1 when this replica holds it
 * now (0: another does); key distinguishes locks of one org (the snapshots' day, else 0). */
typedef struct gf_svc__job_lock {
    int (*take)(int64_t org_id, int key, int *got, gf_err *err);
    int (*release)(int64_t org_id, int key, gf_err *err);
} gf_svc__job_lock;

/* Runs work(org_id, arg) for one org: with the store's org set to org_id and, when lock is not
 * NULL, under lock (org_id, key), released afterwards. Returns 1 when another replica holds the
 * lock (work not run), else work's return (0, or negative with err), or the negative code of
 * taking or releasing the lock with err. */
int gf_svc__job_for_org(const gf_svc__job_lock *lock, int64_t org_id, int key,
                        int (*work)(int64_t org_id, void *arg, gf_err *err), void *arg, gf_err *err)
    GF_MUST_CHECK;

#endif

/* snapshot_daily.c — the daily snapshots of every org and team (service_schedule.h) and the
 * thread that runs them at the configured hour. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "gapforge/date.h"
#include "gapforge/log.h"
#include "gapforge/service.h"
#include "gapforge/service_schedule.h"
#include "gapforge/store.h"

/* One scope's snapshot of the quarter containing day, as of day; 0 stored, 1 not possible
 * (logged), or a negative code when the database is unavailable. */
static int snapshot_scope(int64_t org_id, const char *scope, const char *period, const char *as_of,
                          gf_err *err)
{
    gf_err e = {0};
    const gf_svc_forecast_args args = {.period = period, .scope = scope, .as_of = as_of};
    gf_svc_forecast_req req;
    json_t *snap = NULL;
    if (gf_svc_forecast_req_parse(org_id, &args, &req, &e) == 0)
        snap = gf_svc_snapshot_create(&req, &e);
    if (snap) {
        json_decref(snap);
        return 0;
    }
    if (e.code == GF_EUNAVAILABLE) {
        *err = e;
        return e.code;
    }
    gf_log("warn", "daily snapshot not made",
           json_pack("{s:I, s:s, s:s, s:s, s:s}", "org", (json_int_t)org_id, "scope", scope,
                     "as_of", as_of, "reason", e.reason ? e.reason : "", "message", e.message));
    return 1;
}

/* The org's snapshots of day, under its lock, unless another replica or an earlier call made
 * them; counted into out. */
int gf_svc_snapshot_daily_org(int64_t org_id, int day, gf_svc_daily_result *out, gf_err *err)
{
    int got = 0, done = 0, fysm = 1, today = 0;
    if (gf_store_snapshot_day_lock(org_id, day, &got, err) < 0)
        return err->code;
    if (!got) {
        out->skipped++;
        return 0;
    }
    char **teams = NULL;
    size_t n_teams = 0;
    int rc = gf_store_snapshot_day_done(org_id, day, &done, err);
    if (rc == 0 && done)
        out->skipped++;
    if (rc == 0 && !done)
        rc = gf_store_org_calendar(org_id, &fysm, &today, err);
    gf_period q;
    if (rc == 0 && !done && gf_period_quarter_of(day, fysm, &q) < 0)
        rc = gf_err_internal(err);
    if (rc == 0 && !done)
        rc = gf_store_snapshot_team_keys(org_id, &teams, &n_teams, err);
    int stored = 0, failed = 0;
    char as_of[11], scope[80];
    gf_date_format(day, as_of);
    for (size_t k = 0; rc == 0 && !done && k <= n_teams; k++) {
        if (k)
            snprintf(scope, sizeof scope, "team:%s", teams[k - 1]);
        else
            snprintf(scope, sizeof scope, "org");
        const int s = snapshot_scope(org_id, scope, q.name, as_of, err);
        if (s < 0)
            rc = s;
        stored += s == 0;
        failed += s == 1;
    }
    if (rc == 0 && !done)
        rc = gf_store_snapshot_day_record(org_id, day, stored, failed, err);
    if (rc == 0 && !done) {
        out->orgs++;
        out->snapshots += stored;
        out->failed += failed;
    }
    gf_store_snapshot_team_keys_free(teams, n_teams);
    gf_err ue = {0};
    if (gf_store_snapshot_day_unlock(org_id, day, &ue) < 0 && rc == 0) {
        *err = ue;
        rc = ue.code;
    }
    return rc;
}

int gf_svc_snapshot_daily(int day, gf_svc_daily_result *out, gf_err *err)
{
    *out = (gf_svc_daily_result){0};
    int64_t *orgs = NULL;
    size_t n = 0;
    if (gf_store_snapshot_orgs(&orgs, &n, err) < 0)
        return err->code;
    int rc = 0;
    for (size_t k = 0; k < n && rc == 0; k++)
        rc = gf_svc_snapshot_daily_org(orgs[k], day, out, err);
    free(orgs);
    return rc;
}

/* ---- the scheduler ---- */

static pthread_t g_thread;
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cv = PTHREAD_COND_INITIALIZER;
static int g_running, g_stop, g_hour, g_tick_ms;

static int utc_today(int *hour)
{
    const time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    *hour = tm.tm_hour;
    return gf_date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

static void run_day(int day)
{
    gf_err err = {0};
    gf_svc_daily_result r;
    char d[11];
    gf_date_format(day, d);
    if (gf_svc_snapshot_daily(day, &r, &err) < 0)
        gf_log("warn", "daily snapshots interrupted",
               json_pack("{s:s, s:s}", "day", d, "message", err.message));
    else if (r.orgs)
        gf_log("info", "daily snapshots",
               json_pack("{s:s, s:i, s:i, s:i, s:i}", "day", d, "orgs", r.orgs, "snapshots",
                         r.snapshots, "failed", r.failed, "skipped", r.skipped));
}

int gf_svc_snapshot_days_due(int first_tick, int hour_now, int at_hour, int today, int days[2])
{
    int n = 0;
    if (first_tick)
        days[n++] = today - 1;
    if (hour_now >= at_hour)
        days[n++] = today;
    return n;
}

static void *scheduler_main(void *arg)
{
    (void)arg;
    int first = 1;
    pthread_mutex_lock(&g_mu);
    while (!g_stop) {
        pthread_mutex_unlock(&g_mu);
        int hour = 0, days[2];
        const int today = utc_today(&hour);
        const int n = gf_svc_snapshot_days_due(first, hour, g_hour, today, days);
        for (int k = 0; k < n; k++)
            run_day(days[k]);
        first = 0;
        pthread_mutex_lock(&g_mu);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += g_tick_ms / 1000;
        until.tv_nsec += (long)(g_tick_ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        while (!g_stop && pthread_cond_timedwait(&g_cv, &g_mu, &until) == 0)
            ;
    }
    pthread_mutex_unlock(&g_mu);
    gf_store_disconnect();
    return NULL;
}

int gf_svc_snapshot_scheduler_start(int hour, int tick_ms)
{
    pthread_mutex_lock(&g_mu);
    int rc = 0;
    if (!g_running) {
        g_hour = hour;
        g_tick_ms = tick_ms > 0 ? tick_ms : 60000;
        g_stop = 0;
        rc = pthread_create(&g_thread, NULL, scheduler_main, NULL) == 0 ? 0 : -1;
        g_running = rc == 0;
    }
    pthread_mutex_unlock(&g_mu);
    return rc;
}

void gf_svc_snapshot_scheduler_stop(void)
{
    pthread_mutex_lock(&g_mu);
    const int running = g_running;
    g_stop = 1;
    pthread_cond_broadcast(&g_cv);
    pthread_mutex_unlock(&g_mu);
    if (running)
        pthread_join(g_thread, NULL);
    pthread_mutex_lock(&g_mu);
    g_running = 0;
    pthread_mutex_unlock(&g_mu);
}

/* snapshot_daily.c — the daily snapshots of every org and team (service_schedule.h) and the
 * periodic job (periodic.h) that runs them at the configured hour. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "gapforge/date.h"
#include "gapforge/log.h"
#include "gapforge/service.h"
#include "gapforge/service_schedule.h"
#include "gapforge/store.h"
#include "periodic.h"
#include "service_internal.h"

/* One scope's snapshot of the quarter containing day, as of day, made into m (not stored): 0
 * made, 1 not possible (logged), or a negative code when the database is unavailable. */
static int snapshot_scope(int64_t org_id, const char *scope, const char *period, const char *as_of,
                          gf_svc__snapshot_made *m, gf_err *err)
{
    gf_err e = {0};
    const gf_svc_forecast_args args = {.period = period, .scope = scope, .as_of = as_of};
    gf_svc_forecast_req req;
    if (gf_svc_forecast_req_parse(org_id, &args, &req, &e) == 0 &&
        gf_svc__snapshot_make(&req, m, &e) == 0)
        return 0;
    if (e.code == GF_EUNAVAILABLE) {
        *err = e;
        return e.code;
    }
    gf_log("warn", "daily snapshot not made",
           json_pack("{s:I, s:s, s:s, s:s, s:s}", "org", (json_int_t)org_id, "scope", scope,
                     "as_of", as_of, "reason", e.reason ? e.reason : "", "message", e.message));
    return 1;
}

/* Stores the n made snapshots of (org, day) and the day's record in one transaction, under the
 * day's transaction-level lock: *stored 1 when this call stored the day, 0 when another replica
 * holds the lock or has stored the day already (then nothing is written). */
static int store_day(int64_t org_id, int day, const gf_svc__snapshot_made *made, size_t n,
                     int failed, int *stored, gf_err *err)
{
    int got = 0, done = 0, count = 0;
    *stored = 0;
    if (gf_store_begin(err) < 0)
        return err->code;
    int rc = gf_store_snapshot_day_lock(org_id, day, &got, err);
    /* After the lock, in a statement of its own: READ COMMITTED sees what a replica that held
     * the lock before committed. */
    if (rc == 0 && got)
        rc = gf_store_snapshot_day_done(org_id, day, &done, err);
    for (size_t k = 0; rc == 0 && got && !done && k < n; k++) {
        if (!made[k].row.forecast_json)
            continue;
        json_t *snap = gf_store_snapshot_insert(org_id, &made[k].row, err);
        rc = snap ? 0 : err->code;
        json_decref(snap);
        count++;
    }
    if (rc == 0 && got && !done)
        rc = gf_store_snapshot_day_record(org_id, day, count, failed, err);
    if (rc == 0 && got && !done) {
        if (gf_store_commit(err) < 0)
            return err->code;
        *stored = 1;
        return 0;
    }
    gf_store_rollback();
    return rc;
}

/* The org's snapshots of day, unless another replica or an earlier call made them; counted into
 * out. The forecasts run first, outside any transaction (each loads its history in its own); the
 * writes then go in one transaction that takes the day's lock, so that no session state (a lock
 * held across transactions) is needed and PgBouncer's transaction pooling keeps the run once per
 * org and day. Two replicas may both compute a day's forecasts; only one stores them. */
int gf_svc_snapshot_daily_org(int64_t org_id, int day, gf_svc_daily_result *out, gf_err *err)
{
    int done = 0, fysm = 1, today = 0;
    if (gf_store_snapshot_day_done(org_id, day, &done, err) < 0)
        return err->code;
    if (done) {
        out->skipped++;
        return 0;
    }
    char **teams = NULL;
    size_t n_teams = 0;
    int rc = gf_store_org_calendar(org_id, &fysm, &today, err);
    gf_period q;
    if (rc == 0 && gf_period_quarter_of(day, fysm, &q) < 0)
        rc = gf_err_internal(err);
    if (rc == 0)
        rc = gf_store_snapshot_team_keys(org_id, &teams, &n_teams, err);
    gf_svc__snapshot_made *made = rc == 0 ? calloc(n_teams + 1, sizeof *made) : NULL;
    if (rc == 0 && !made)
        rc = gf_err_internal(err);
    int made_n = 0, failed = 0;
    char as_of[11], scope[80];
    gf_date_format(day, as_of);
    for (size_t k = 0; rc == 0 && k <= n_teams; k++) {
        if (k)
            snprintf(scope, sizeof scope, "team:%s", teams[k - 1]);
        else
            snprintf(scope, sizeof scope, "org");
        const int s = snapshot_scope(org_id, scope, q.name, as_of, &made[k], err);
        if (s < 0)
            rc = s;
        made_n += s == 0;
        failed += s == 1;
    }
    int stored = 0;
    if (rc == 0)
        rc = store_day(org_id, day, made, n_teams + 1, failed, &stored, err);
    if (rc == 0 && stored) {
        out->orgs++;
        out->snapshots += made_n;
        out->failed += failed;
    } else if (rc == 0) {
        out->skipped++;
    }
    for (size_t k = 0; made && k <= n_teams; k++)
        gf_svc__snapshot_made_free(&made[k]);
    free(made);
    gf_store_snapshot_team_keys_free(teams, n_teams);
    return rc;
}

/* Every org's snapshots of day; a job being stopped stops between orgs. */
static int daily_walk(gf_svc__job *job, int day, gf_svc_daily_result *out, gf_err *err)
{
    *out = (gf_svc_daily_result){0};
    int64_t *orgs = NULL;
    size_t n = 0;
    if (gf_store_snapshot_orgs(&orgs, &n, err) < 0)
        return err->code;
    int rc = 0;
    const int64_t was = gf_store_org();
    for (size_t k = 0; k < n && rc == 0 && !gf_svc__job_stopping(job); k++) {
        gf_store_set_org(orgs[k]); /* each org's snapshots in its own org */
        rc = gf_svc_snapshot_daily_org(orgs[k], day, out, err);
    }
    gf_store_set_org(was);
    free(orgs);
    return rc;
}

int gf_svc_snapshot_daily(int day, gf_svc_daily_result *out, gf_err *err)
{
    return daily_walk(NULL, day, out, err);
}

/* ---- the scheduler ---- */

static int g_hour;

static int utc_today(int *hour)
{
    const time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    *hour = tm.tm_hour;
    return gf_date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

static void run_day(gf_svc__job *job, int day)
{
    gf_err err = {0};
    gf_svc_daily_result r;
    char d[11];
    gf_date_format(day, d);
    const int rc = daily_walk(job, day, &r, &err);
    gf_svc__count_run("snapshots", rc >= 0);
    if (rc < 0)
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

/* One tick: on the first, yesterday (a day a stopped server missed), then today once the UTC
 * hour has come. */
static void snapshot_tick(gf_svc__job *job, bool first)
{
    int hour = 0, days[2];
    const int today = utc_today(&hour);
    const int n = gf_svc_snapshot_days_due(first, hour, g_hour, today, days);
    for (int k = 0; k < n && !gf_svc__job_stopping(job); k++)
        run_day(job, days[k]);
}

static gf_svc__job g_job = GF_SVC__JOB("snapshots", snapshot_tick);

int gf_svc_snapshot_scheduler_start(int hour, int tick_ms)
{
    g_hour = hour;
    return gf_svc__job_start(&g_job, tick_ms > 0 ? tick_ms : 60000);
}

void gf_svc_snapshot_scheduler_stop(void)
{
    gf_svc__job_stop(&g_job);
}

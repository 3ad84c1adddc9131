/* gapforge service: the daily snapshots. Once a day (GAPFORGE_SNAPSHOT_AT, a UTC hour) the
 * forecast of every org and of each of its teams for the quarter containing the day is stored
 * as a snapshot, as of that day, so that the accuracy of the model's calls (and the calls beside
 * it in the snapshot's document) can be judged later. Exactly once per org and day with several
 * replicas: a PostgreSQL advisory lock per org and day, and a record of each finished day. */
#ifndef GAPFORGE_SERVICE_SCHEDULE_H
#define GAPFORGE_SERVICE_SCHEDULE_H

#include <stdint.h>

#include "gapforge/err.h"

/* What one day's run did. */
typedef struct gf_svc_daily_result {
    int orgs;      /* orgs whose snapshots this call stored */
    int skipped;   /* orgs done already, or being done by another replica */
    int snapshots; /* snapshots stored */
    int failed;    /* scopes whose forecast could not be made (logged; the day still counts) */
} gf_svc_daily_result;

/* Stores the day's snapshots of every org that has not had them (day: a day number, the
 * snapshots' as_of). Returns 0, or a negative code with err when the database is unavailable
 * (the orgs not reached are left for the next call). */
int gf_svc_snapshot_daily(int day, gf_svc_daily_result *out, gf_err *err) GF_MUST_CHECK;

/* The same for one org (the walk above calls it for each): stored, skipped (done, or locked by
 * another replica) or failed scopes are counted into out. */
int gf_svc_snapshot_daily_org(int64_t org_id, int day, gf_svc_daily_result *out, gf_err *err)
    GF_MUST_CHECK;

/* The days a scheduler tick runs, in order, written to days (at most 2): on the first tick the
 * day before today (the day a stopped server missed; done days are skipped cheaply), then today
 * once the UTC hour has reached at_hour. Returns their count. */
int gf_svc_snapshot_days_due(int first_tick, int hour_now, int at_hour, int today, int days[2]);

/* Starts the scheduler thread: every tick_ms it runs gf_svc_snapshot_daily for today (UTC) once
 * the UTC hour is at least `hour` (0..23), and on its first tick also for yesterday (a day the
 * server was down for). Returns 0 or -1 (no thread). */
int gf_svc_snapshot_scheduler_start(int hour, int tick_ms);

/* Stops and joins the scheduler (a run in progress finishes its current org); no-op if none. */
void gf_svc_snapshot_scheduler_stop(void);

#endif

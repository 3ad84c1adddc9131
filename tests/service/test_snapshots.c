/* test_snapshots.c — the daily snapshots through the service (PostgreSQL, no server): one run
 * per org and day even when two replicas race for it, the org and each team snapshotted as of
 * the day, and the days a scheduler tick runs. Needs GAPFORGE_TEST_DATABASE_URL (exit 77 without
 * it). */
#include <check.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "gapforge/date.h"
#include "gapforge/demo.h"
#include "gapforge/log.h"
#include "gapforge/migrate.h"
#include "gapforge/service_demo.h"
#include "gapforge/service_schedule.h"
#include "gapforge/store.h"

static int64_t g_org;
static PGconn *g_pg;

static void load_org(void)
{
    svc_fx_connect();
    g_org = svc_fx_org("snap", "Snapshot suite", NULL, 0);
    (void)svc_fx_demo(g_org, 17, 100);
    gf_store_disconnect();
}

static long long count(const char *sql)
{
    if (!g_pg)
        g_pg = PQconnectdb(getenv("GAPFORGE_TEST_DATABASE_URL"));
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)g_org);
    const char *params[] = {id};
    PGresult *res = PQexecParams(g_pg, sql, 1, NULL, params, NULL, NULL, 0);
    ck_assert_msg(PQresultStatus(res) == PGRES_TUPLES_OK, "%s", PQerrorMessage(g_pg));
    const long long v = atoll(PQgetvalue(res, 0, 0));
    PQclear(res);
    return v;
}

typedef struct replica {
    int day;
    gf_svc_daily_result r;
    int rc;
} replica;

static void *run_replica(void *arg)
{
    replica *x = arg;
    gf_err err = {0};
    x->rc = gf_svc_snapshot_daily_org(g_org, x->day, &x->r, &err);
    gf_store_disconnect();
    return NULL;
}

START_TEST(two_replicas_make_one_set_of_snapshots_per_org_and_day)
{
    int day;
    ck_assert_int_eq(gf_date_parse("2026-11-10", &day), 0);
    replica a = {.day = day}, b = {.day = day};
    pthread_t ta, tb;
    ck_assert_int_eq(pthread_create(&ta, NULL, run_replica, &a), 0);
    ck_assert_int_eq(pthread_create(&tb, NULL, run_replica, &b), 0);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    ck_assert_int_eq(a.rc, 0);
    ck_assert_int_eq(b.rc, 0);
    /* One of them made them, the other found them locked or done. */
    ck_assert_int_eq(a.r.orgs + b.r.orgs, 1);
    ck_assert_int_eq(a.r.skipped + b.r.skipped, 1);
    const long long teams = count("SELECT count(*) FROM teams WHERE org_id = $1");
    ck_assert(teams > 0);
    ck_assert_int_eq(a.r.snapshots + b.r.snapshots, teams + 1);
    ck_assert_int_eq(a.r.failed + b.r.failed, 0);
    /* The org and every team, as of the day, for the quarter containing it. */
    ck_assert_int_eq(count("SELECT count(*) FROM forecast_snapshots WHERE org_id = $1 AND "
                           "as_of = '2026-11-10' AND period = '2026-Q4'"),
                     teams + 1);
    ck_assert_int_eq(count("SELECT count(DISTINCT scope) FROM forecast_snapshots WHERE org_id = "
                           "$1 AND as_of = '2026-11-10' AND (scope = 'org' OR scope IN (SELECT "
                           "'team:' || key FROM teams WHERE org_id = $1))"),
                     teams + 1);
    ck_assert_int_eq(count("SELECT snapshots FROM snapshot_runs WHERE org_id = $1 AND day = "
                           "'2026-11-10'"),
                     teams + 1);
    /* A third run that day changes nothing; the next day is a new run. */
    replica c = {.day = day};
    run_replica(&c);
    ck_assert_int_eq(c.rc, 0);
    ck_assert_int_eq(c.r.orgs, 0);
    ck_assert_int_eq(c.r.skipped, 1);
    ck_assert_int_eq(count("SELECT count(*) FROM forecast_snapshots WHERE org_id = $1"), teams + 1);
    replica d = {.day = day + 1};
    run_replica(&d);
    ck_assert_int_eq(d.r.orgs, 1);
    ck_assert_int_eq(count("SELECT count(*) FROM forecast_snapshots WHERE org_id = $1"),
                     2 * (teams + 1));
}
END_TEST

START_TEST(a_tick_runs_yesterday_at_start_and_today_from_the_hour)
{
    int days[2];
    ck_assert_int_eq(gf_svc_snapshot_days_due(1, 3, 6, 100, days), 1);
    ck_assert_int_eq(days[0], 99);
    ck_assert_int_eq(gf_svc_snapshot_days_due(1, 6, 6, 100, days), 2);
    ck_assert_int_eq(days[0], 99);
    ck_assert_int_eq(days[1], 100);
    ck_assert_int_eq(gf_svc_snapshot_days_due(0, 5, 6, 100, days), 0);
    ck_assert_int_eq(gf_svc_snapshot_days_due(0, 23, 6, 100, days), 1);
    ck_assert_int_eq(days[0], 100);
}
END_TEST

int main(void)
{
    if (svc_fx_no_database())
        return 77;
    Suite *s = suite_create("service_snapshots");
    TCase *tc = tcase_create("snapshots");
    tcase_add_unchecked_fixture(tc, load_org, NULL);
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, two_replicas_make_one_set_of_snapshots_per_org_and_day);
    tcase_add_test(tc, a_tick_runs_yesterday_at_start_and_today_from_the_hour);
    suite_add_tcase(s, tc);
    return svc_fx_run(s, CK_NORMAL);
}

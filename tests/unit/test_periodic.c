/* test_periodic.c — the periodic job that runs the alert and snapshot schedulers
 * (src/service/periodic.h): a first tick at start flagged as the catch-up, then one per
 * interval; a stop that does not wait for the interval and leaves no tick behind; and one org's
 * work under an advisory lock (here a fake one) that is skipped when another replica holds it
 * and always released. */
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#include "periodic.h"
#include "unit.h"

static atomic_int g_ticks, g_firsts;

static void count_tick(gf_svc__job *job, bool first)
{
    (void)job;
    atomic_fetch_add(&g_ticks, 1);
    if (first)
        atomic_fetch_add(&g_firsts, 1);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

START_TEST(a_job_ticks_at_start_then_every_interval_until_stopped)
{
    static gf_svc__job job = GF_SVC__JOB("test", count_tick);
    atomic_store(&g_ticks, 0);
    atomic_store(&g_firsts, 0);
    ck_assert(!gf_svc__job_stopping(&job));
    ck_assert_int_eq(gf_svc__job_start(&job, 20), 0);
    ck_assert_int_eq(gf_svc__job_start(&job, 20), 0); /* already running: left as it is */
    usleep(300 * 1000);
    gf_svc__job_stop(&job);
    const int ticks = atomic_load(&g_ticks);
    ck_assert_msg(ticks >= 4 && ticks <= 16, "%d ticks in 300 ms at 20 ms", ticks);
    ck_assert_int_eq(atomic_load(&g_firsts), 1);
    ck_assert(gf_svc__job_stopping(&job));
    usleep(60 * 1000);
    ck_assert_int_eq(atomic_load(&g_ticks), ticks); /* nothing after the stop */
    gf_svc__job_stop(&job);                         /* a second stop is a no-op */
    /* Started again: a new first tick. */
    ck_assert_int_eq(gf_svc__job_start(&job, 20), 0);
    usleep(50 * 1000);
    gf_svc__job_stop(&job);
    ck_assert_int_eq(atomic_load(&g_firsts), 2);
}
END_TEST

START_TEST(a_stop_does_not_wait_for_the_interval)
{
    static gf_svc__job job = GF_SVC__JOB("slow", count_tick);
    atomic_store(&g_ticks, 0);
    ck_assert_int_eq(gf_svc__job_start(&job, 3600 * 1000), 0);
    usleep(50 * 1000);
    const double t0 = now_s();
    gf_svc__job_stop(&job);
    ck_assert_msg(now_s() - t0 < 1.0, "stop took %.2f s", now_s() - t0);
    ck_assert_int_eq(atomic_load(&g_ticks), 1);
    ck_assert(!gf_svc__job_stopping(NULL));
}
END_TEST

/* A fake lock: held by another replica when g_held, failing when g_fail_take/g_fail_release. */
static int g_held, g_fail_take, g_fail_release, g_taken, g_released, g_worked;

static int fake_take(int64_t org_id, int key, int *got, gf_err *err)
{
    (void)org_id, (void)key;
    if (g_fail_take)
        return gf_err_set(err, GF_EUNAVAILABLE, NULL, NULL, "down");
    *got = !g_held;
    g_taken += *got;
    return 0;
}

static int fake_release(int64_t org_id, int key, gf_err *err)
{
    (void)org_id, (void)key;
    g_released++;
    return g_fail_release ? gf_err_set(err, GF_EUNAVAILABLE, NULL, NULL, "gone") : 0;
}

static int work(int64_t org_id, void *arg, gf_err *err)
{
    (void)err;
    g_worked++;
    ck_assert_int_eq(org_id, 42);
    return *(int *)arg;
}

START_TEST(one_org_s_work_runs_under_its_lock_and_the_lock_is_always_released)
{
    const gf_svc__job_lock lock = {fake_take, fake_release};
    gf_err err = {0};
    int ret = 0;
    ck_assert_int_eq(gf_svc__job_for_org(&lock, 42, 7, work, &ret, &err), 0);
    ck_assert(g_taken == 1 && g_worked == 1 && g_released == 1);
    g_held = 1; /* another replica holds it: not run, not released */
    ck_assert_int_eq(gf_svc__job_for_org(&lock, 42, 7, work, &ret, &err), 1);
    ck_assert(g_worked == 1 && g_released == 1);
    g_held = 0;
    ret = GF_EINVALID; /* the work's failure is returned, the lock released */
    ck_assert_int_eq(gf_svc__job_for_org(&lock, 42, 7, work, &ret, &err), GF_EINVALID);
    ck_assert_int_eq(g_released, 2);
    ret = 0;
    g_fail_release = 1; /* a release that fails after good work is the answer */
    ck_assert_int_eq(gf_svc__job_for_org(&lock, 42, 7, work, &ret, &err), GF_EUNAVAILABLE);
    ck_assert_str_eq(err.message, "gone");
    g_fail_release = 0;
    g_fail_take = 1;
    gf_err_clear(&err);
    ck_assert_int_eq(gf_svc__job_for_org(&lock, 42, 7, work, &ret, &err), GF_EUNAVAILABLE);
    ck_assert_int_eq(g_worked, 3);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("periodic");
    TCase *tc = tcase_create("periodic");
    tcase_add_test(tc, a_job_ticks_at_start_then_every_interval_until_stopped);
    tcase_add_test(tc, a_stop_does_not_wait_for_the_interval);
    tcase_add_test(tc, one_org_s_work_runs_under_its_lock_and_the_lock_is_always_released);
    suite_add_tcase(s, tc);
    return unit_main(s);
}

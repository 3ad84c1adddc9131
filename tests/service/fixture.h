/* Fixtures of the service suites (PostgreSQL, no server): the migrated test database, an org of
 * their own, a demo history loaded into it, and the suite's run. A helper that fails fails the
 * fixture (ck_assert). */
#ifndef GF_TEST_SERVICE_FIXTURE_H
#define GF_TEST_SERVICE_FIXTURE_H

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gapforge/date.h"
#include "gapforge/demo.h"
#include "gapforge/log.h"
#include "gapforge/migrate.h"
#include "gapforge/service_demo.h"
#include "gapforge/store.h"

/* Whether the suite has no database to run on (GAPFORGE_TEST_DATABASE_URL unset): it then says
 * so, and main returns 77 (meson: skipped). */
static inline int svc_fx_no_database(void)
{
    const char *url = getenv("GAPFORGE_TEST_DATABASE_URL");
    if (url && *url)
        return 0;
    fprintf(stderr, "GAPFORGE_TEST_DATABASE_URL is not set: skipping\n");
    return 1;
}

/* Quietens the log, points the store at the test database and applies the migrations
 * (GAPFORGE_MIGRATIONS, else ./migrations). */
static inline void svc_fx_connect(void)
{
    gf_err err = {0};
    gf_log_set_quiet(1);
    gf_store_configure(getenv("GAPFORGE_TEST_DATABASE_URL"), 30000);
    /* tests/deploy/test_pgbouncer.sh runs the snapshots' race through transaction pooling. */
    const char *pooled = getenv("GAPFORGE_PGBOUNCER");
    gf_store_configure_pgbouncer(pooled && strcmp(pooled, "1") == 0);
    const char *dir = getenv("GAPFORGE_MIGRATIONS");
    ck_assert_msg(gf_migrate_apply(dir ? dir : "migrations", NULL, &err) >= 0, "%s", err.message);
}

/* Creates the org "<prefix>-<pid>" named name and returns its id; its slug goes to slug (cap
 * bytes) unless slug is NULL. */
static inline int64_t svc_fx_org(const char *prefix, const char *name, char *slug, size_t cap)
{
    gf_err err = {0};
    char own[64];
    if (!slug) {
        slug = own;
        cap = sizeof own;
    }
    snprintf(slug, cap, "%s-%ld", prefix, (long)getpid());
    int64_t id = 0;
    gf_org_fields f = {.slug = slug, .name = name};
    json_t *org = gf_store_org_create(&f, &id, &err);
    ck_assert_msg(org, "%s", err.message);
    json_decref(org);
    return id;
}

/* Loads into org a demo history of six quarters to 2026-11-15 (so 2025-Q4 .. 2026-Q3 have
 * ended) of deals_per_quarter deals a quarter from seed; returns what was loaded. */
static inline gf_demo_counts svc_fx_demo(int64_t org, uint64_t seed, int deals_per_quarter)
{
    gf_err err = {0};
    gf_demo_options opt = {
        .seed = seed, .quarters = 6, .deals_per_quarter = deals_per_quarter, .fysm = 1};
    ck_assert_int_eq(gf_date_parse("2026-11-15", &opt.as_of), 0);
    gf_demo_org demo = {0};
    ck_assert_msg(gf_demo_generate(&opt, &demo, &err) == 0, "%s", err.message);
    gf_demo_counts n;
    ck_assert_msg(gf_svc_demo_load(org, &demo, &n, &err) == 0, "%s", err.message);
    gf_demo_free(&demo);
    return n;
}

/* Runs suite s (printing as mode says) and returns main's exit status. */
static inline int svc_fx_run(Suite *s, enum print_output mode)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, mode);
    const int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif

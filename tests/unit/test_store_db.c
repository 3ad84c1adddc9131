/* test_store_db.c — the store's connection layer and its C-struct reads against a real
 * PostgreSQL: the statement timeout of side connections, the prepared-statement registry's
 * limit, and the functions that hand internal consumers C values instead of JSON.
 *
 * It needs GAPFORGE_TEST_DATABASE_URL (exits 77, "skipped", when it is unset) and applies the
 * migrations of $GAPFORGE_SOURCE_ROOT/migrations. Every test builds its data in an org of its
 * own; Check forks a process per test, so each opens its own connection. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h" /* the store's private header: tests may look inside */
#include "gapforge/log.h"
#include "gapforge/migrate.h"
#include "gapforge/store.h"
#include "unit.h"

/* The statement timeout the suite configures, as PostgreSQL shows it. */
#define TIMEOUT_MS   4321
#define TIMEOUT_TEXT "4321ms"

/* The value of setting on pg. */
static void setting_on(PGconn *pg, const char *setting, char out[64])
{
    const char *p[] = {setting};
    PGresult *res = PQexecParams(pg, "SELECT current_setting($1)", 1, NULL, p, NULL, NULL, 0);
    ck_assert_int_eq(PQresultStatus(res), PGRES_TUPLES_OK);
    snprintf(out, 64, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
}

START_TEST(side_connections_run_under_the_configured_statement_timeout)
{
    gf_err err = {0};
    char own[64], side[64], dedicated[64];
    PGconn *pg = gf_db_conn(&err);
    ck_assert_ptr_nonnull(pg);
    setting_on(pg, "statement_timeout", own);
    PGconn *s = gf_db_connect_side(&err);
    ck_assert_ptr_nonnull(s);
    setting_on(s, "statement_timeout", side);
    PGconn *d = gf_db_connect_dedicated(&err);
    ck_assert_ptr_nonnull(d);
    setting_on(d, "statement_timeout", dedicated);
    ck_assert_str_eq(own, TIMEOUT_TEXT);
    ck_assert_str_eq(side, TIMEOUT_TEXT);
    ck_assert_str_eq(dedicated, "0"); /* the bulk import's connection: no timeout, on purpose */
    setting_on(s, "TimeZone", side);
    ck_assert_str_eq(side, "UTC");
    PQfinish(s);
    PQfinish(d);
}
END_TEST

#define REGISTRY 512 /* db.c's MAX_PREPARED */

START_TEST(prepared_statement_past_the_registry_is_an_internal_error)
{
    gf_log_set_quiet(1);
    static gf_stmt stmts[REGISTRY + 2];
    static char names[REGISTRY + 2][32];
    for (int k = 0; k < REGISTRY + 2; k++) {
        snprintf(names[k], sizeof names[k], "test_registry_%d", k);
        stmts[k] = (gf_stmt){names[k], "SELECT 1"};
    }
    gf_err err = {0};
    /* This process's connection starts empty (Check forks a process per test). */
    for (int k = 0; k < REGISTRY; k++)
        ck_assert_msg(gf_db_run(&stmts[k], NULL, &err) == 0, "statement %d: %s", k, err.message);
    ck_assert_int_eq(gf_db_run(&stmts[REGISTRY], NULL, &err), -1);
    ck_assert_int_eq(err.code, GF_EINTERNAL);
    gf_err_clear(&err);
    ck_assert_int_eq(gf_db_run(&stmts[REGISTRY + 1], NULL, &err), -1);
    ck_assert_int_eq(err.code, GF_EINTERNAL);
    /* Statements already registered keep working. */
    gf_err_clear(&err);
    ck_assert_int_eq(gf_db_run(&stmts[0], NULL, &err), 0);
    ck_assert_int_eq(gf_db_run(&stmts[REGISTRY - 1], NULL, &err), 0);
}
END_TEST

static Suite *store_db_suite(void)
{
    Suite *s = suite_create("store_db");
    TCase *conn = tcase_create("connections");
    tcase_add_test(conn, side_connections_run_under_the_configured_statement_timeout);
    tcase_add_test(conn, prepared_statement_past_the_registry_is_an_internal_error);
    suite_add_tcase(s, conn);
    return s;
}

int main(void)
{
    const char *url = getenv("GAPFORGE_TEST_DATABASE_URL");
    if (!url || !*url) {
        fprintf(stderr, "GAPFORGE_TEST_DATABASE_URL is not set: skipped\n");
        return 77;
    }
    const char *src = getenv("GAPFORGE_SOURCE_ROOT");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/migrations", src ? src : ".");
    gf_log_set_quiet(1);
    gf_db_configure(url, TIMEOUT_MS);
    gf_err err = {0};
    if (gf_migrate_apply(dir, NULL, &err) < 0) {
        fprintf(stderr, "migrations in %s: %s\n", dir, err.message);
        return EXIT_FAILURE;
    }
    /* The children Check forks open connections of their own. */
    gf_db_disconnect();
    return unit_main(store_db_suite());
}

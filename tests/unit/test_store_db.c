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
#include "gapforge/date.h"
#include "gapforge/log.h"
#include "gapforge/migrate.h"
#include "gapforge/period.h"
#include "gapforge/store.h"
#include "gapforge/store_history.h"
#include "unit.h"

/* The statement timeout the suite configures, as PostgreSQL shows it. */
#define TIMEOUT_MS   4321
#define TIMEOUT_TEXT "4321ms"

/* A new org of its own for one test; its id. */
static int64_t new_org(void)
{
    static int seq;
    char slug[64];
    snprintf(slug, sizeof slug, "store-db-%ld-%d", (long)getpid(), seq++);
    gf_org_fields f = {.slug = slug, .name = "Store DB test"};
    gf_err err = {0};
    int64_t id = 0;
    json_t *org = gf_store_org_create(&f, &id, &err);
    ck_assert_msg(org, "org create: %s", err.message);
    json_decref(org);
    return id;
}

static void put_kpi(int64_t org, const char *key, const char *bucket, const char *leads_to)
{
    gf_kpi_fields f = {key,   key,    "count",  "higher_is_better",
                       "sum", bucket, leads_to, leads_to ? "14" : NULL};
    gf_err err = {0};
    int created = 0;
    json_t *k = gf_store_kpi_put(org, &f, &created, &err);
    ck_assert_msg(k, "kpi %s: %s", key, err.message);
    json_decref(k);
}

static void put_lever(int64_t org, const char *key, const char *name, const char *kind,
                      const char *effect, const char *unit_cost, const char *kpi)
{
    gf_lever_fields f = {key, name, kind, effect, unit_cost, "12", "30", kpi, NULL};
    gf_err err = {0};
    int created = 0;
    json_t *l = gf_store_lever_put(org, &f, &created, &err);
    ck_assert_msg(l, "lever %s: %s", key, err.message);
    json_decref(l);
}

static const char *str_or_empty(const json_t *o, const char *name)
{
    const char *s = json_string_value(json_object_get(o, name));
    return s ? s : "";
}

START_TEST(lever_rows_are_the_levers_of_levers_all_with_exact_unit_costs)
{
    int64_t org = new_org();
    put_kpi(org, "demos", "day", "bookings");
    put_kpi(org, "nps", "week", NULL);
    put_lever(org, "sdr", "Hire an SDR – Zürich", "kpi", "3.5", "19.99", "demos");
    put_lever(org, "ads", "Ads", "pipeline", "0.1", "1234567.89", NULL);
    put_lever(org, "care", "Customer care", "kpi", "-2", "0.07", "nps");
    gf_err err = {0};
    gf_store_lever *rows = NULL;
    size_t n = 0;
    ck_assert_int_eq(gf_store_lever_rows(org, &rows, &n, &err), 0);
    json_t *all = gf_store_levers_all(org, &err);
    ck_assert_ptr_nonnull(all);
    ck_assert_uint_eq(n, 3);
    ck_assert_uint_eq(json_array_size(all), n);
    for (size_t k = 0; k < n; k++) {
        const json_t *j = json_array_get(all, k);
        ck_assert_str_eq(rows[k].key, str_or_empty(j, "key"));
        ck_assert_str_eq(rows[k].name, str_or_empty(j, "name"));
        ck_assert_str_eq(rows[k].kind, str_or_empty(j, "kind"));
        ck_assert(rows[k].effect == json_number_value(json_object_get(j, "effect")));
        ck_assert_int_eq(rows[k].max_units, json_integer_value(json_object_get(j, "max_units")));
        ck_assert_int_eq(rows[k].ramp_days, json_integer_value(json_object_get(j, "ramp_days")));
        ck_assert_str_eq(rows[k].kpi, str_or_empty(j, "kpi"));
        ck_assert_str_eq(rows[k].kpi_leads_to, str_or_empty(j, "kpi_leads_to"));
    }
    /* Ordered by key: ads, care, sdr. */
    ck_assert_str_eq(rows[0].key, "ads");
    ck_assert_int_eq(rows[0].unit_cost_cents, 123456789);
    ck_assert_int_eq(rows[0].kpi_bucket_days, 0);
    ck_assert_int_eq(rows[1].unit_cost_cents, 7);
    ck_assert_int_eq(rows[1].kpi_bucket_days, 7);
    ck_assert(rows[1].effect == -2.0);
    ck_assert_str_eq(rows[2].name, "Hire an SDR – Zürich");
    ck_assert_int_eq(rows[2].unit_cost_cents, 1999);
    ck_assert_int_eq(rows[2].kpi_bucket_days, 1);
    ck_assert_str_eq(rows[2].kpi_leads_to, "bookings");
    ck_assert_int_eq(rows[2].max_units, 12);
    ck_assert_int_eq(rows[2].ramp_days, 30);
    json_decref(all);
    free(rows);
}
END_TEST

START_TEST(lever_rows_of_an_org_without_levers_are_empty_but_allocated)
{
    int64_t org = new_org();
    gf_err err = {0};
    gf_store_lever *rows = NULL;
    size_t n = 7;
    ck_assert_int_eq(gf_store_lever_rows(org, &rows, &n, &err), 0);
    ck_assert_uint_eq(n, 0);
    ck_assert_ptr_nonnull(rows);
    free(rows);
}
END_TEST

static void make_team(int64_t org, const char *key, const char *parent)
{
    gf_err err = {0};
    json_t *t = gf_store_team_create(org, key, key, parent, &err);
    ck_assert_msg(t, "team %s: %s", key, err.message);
    json_decref(t);
}

static void make_rep(int64_t org, const char *key, const char *team)
{
    gf_rep_fields f = {.key = key, .name = key, .team = team};
    gf_err err = {0};
    json_t *r = gf_store_rep_create(org, &f, &err);
    ck_assert_msg(r, "rep %s: %s", key, err.message);
    json_decref(r);
}

/* The list and the JSON array of gf_store_scope_children agree for scope. */
static void expect_children(int64_t org, const char *scope, size_t n, const char *const *want)
{
    gf_err err = {0};
    gf_store_scopes got = {0};
    ck_assert_int_eq(gf_store_scope_children_list(org, scope, "scope", &got, &err), 0);
    json_t *json = gf_store_scope_children(org, scope, "scope", &err);
    ck_assert_ptr_nonnull(json);
    ck_assert_uint_eq(got.n, n);
    ck_assert_uint_eq(json_array_size(json), n);
    for (size_t k = 0; k < n; k++) {
        ck_assert_str_eq(got.scope[k], want[k]);
        ck_assert_str_eq(got.scope[k], json_string_value(json_array_get(json, k)));
    }
    json_decref(json);
    gf_store_scopes_free(&got);
    ck_assert_ptr_null(got.scope);
    ck_assert_uint_eq(got.n, 0);
    gf_store_scopes_free(&got); /* harmless to repeat */
}

START_TEST(scope_children_list_has_the_rows_and_order_of_scope_children)
{
    int64_t org = new_org();
    make_team(org, "emea", NULL);
    make_team(org, "amer", NULL);
    make_team(org, "nordics", "emea");
    make_team(org, "dach", "emea");
    make_rep(org, "zoe", "emea");
    make_rep(org, "adam", "emea");
    make_rep(org, "solo", NULL);
    make_rep(org, "deep", "dach");
    const char *org_kids[] = {"team:amer", "team:emea", "rep:solo"};
    expect_children(org, "org", 3, org_kids);
    const char *emea_kids[] = {"team:dach", "team:nordics", "rep:adam", "rep:zoe"};
    expect_children(org, "team:emea", 4, emea_kids);
    expect_children(org, "team:amer", 0, NULL);
}
END_TEST

START_TEST(scope_children_list_of_a_rep_or_unknown_team_is_invalid_and_empty)
{
    int64_t org = new_org();
    make_rep(org, "solo", NULL);
    const char *bad[] = {"rep:solo", "team:nope", "region:x"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        gf_err err = {0};
        gf_store_scopes got = {.n = 9};
        ck_assert_int_eq(gf_store_scope_children_list(org, bad[i], "scope", &got, &err), -1);
        ck_assert_int_eq(err.code, GF_EINVALID);
        ck_assert_str_eq(err.field, "scope");
        ck_assert_uint_eq(got.n, 0);
        ck_assert_ptr_null(got.scope);
    }
}
END_TEST

static gf_period quarter(const char *name)
{
    gf_period p;
    ck_assert_int_eq(gf_period_parse(name, 1, &p), 0);
    return p;
}

static void put_target(int64_t org, const char *scope, const gf_period *p, const char *value)
{
    gf_target_fields f = {scope, "bookings", value, p};
    gf_err err = {0};
    json_t *t = gf_store_target_put(org, &f, &err);
    ck_assert_msg(t, "target: %s", err.message);
    json_decref(t);
}

START_TEST(forecast_target_cents_are_exact_and_agree_with_the_double_reading)
{
    int64_t org = new_org();
    gf_period q4 = quarter("2026-Q4"), q3 = quarter("2026-Q3"), q2 = quarter("2026-Q2");
    put_target(org, "org", &q4, "1234567.89");
    put_target(org, "org", &q3, "1000.005");
    gf_err err = {0};
    int found = -1;
    int64_t cents = -1;
    double approx = 0;
    ck_assert_int_eq(gf_store_forecast_target_cents(org, "org", &q4, &found, &cents, &err), 0);
    ck_assert_int_eq(found, 1);
    ck_assert_int_eq(cents, 123456789);
    ck_assert_int_eq(gf_store_forecast_target(org, "org", &q4, &found, &approx, &err), 0);
    ck_assert_int_eq((int64_t)(approx + 0.5), cents);
    /* Half a cent rounds away from zero, as the API rounded the double. */
    ck_assert_int_eq(gf_store_forecast_target_cents(org, "org", &q3, &found, &cents, &err), 0);
    ck_assert_int_eq(cents, 100001);
    ck_assert_int_eq(gf_store_forecast_target(org, "org", &q3, &found, &approx, &err), 0);
    ck_assert_int_eq((int64_t)(approx + 0.5), cents);
    ck_assert_int_eq(gf_store_forecast_target_cents(org, "org", &q2, &found, &cents, &err), 0);
    ck_assert_int_eq(found, 0);
    ck_assert_int_eq(cents, 0);
    ck_assert_int_eq(gf_store_forecast_target_cents(org, "team:none", &q4, &found, &cents, &err),
                     0);
    ck_assert_int_eq(found, 0);
}
END_TEST

/* The snapshot JSON without what differs between two inserts (id, created_at). */
static json_t *snapshot_figures(json_t *snap)
{
    ck_assert_ptr_nonnull(snap);
    json_object_del(snap, "id");
    json_object_del(snap, "created_at");
    return snap;
}

/* "%.2f" of cents / 100: the money text the API gives gf_store_forecast_snapshot_insert. */
static void money(int64_t cents, char out[40])
{
    snprintf(out, 40, "%.2f", (double)cents / 100.0);
}

static void expect_same_snapshot(int64_t org, const gf_store_snapshot *s)
{
    char as_of[11], p10[40], p50[40], p90[40], expected[40], target[40], prob[40];
    gf_date_format(s->as_of, as_of);
    money(s->p10_cents, p10);
    money(s->p50_cents, p50);
    money(s->p90_cents, p90);
    money(s->expected_cents, expected);
    money(s->target_cents, target);
    snprintf(prob, sizeof prob, "%.17g", s->prob_hit);
    gf_snapshot_fields f = {s->scope,
                            as_of,
                            p10,
                            p50,
                            p90,
                            expected,
                            s->has_target ? target : NULL,
                            s->has_target ? prob : NULL,
                            s->model_version,
                            s->forecast_json,
                            s->period};
    gf_err err = {0};
    json_t *old = snapshot_figures(gf_store_forecast_snapshot_insert(org, &f, &err));
    json_t *new = snapshot_figures(gf_store_snapshot_insert(org, s, &err));
    char *a = json_dumps(old, JSON_SORT_KEYS), *b = json_dumps(new, JSON_SORT_KEYS);
    ck_assert_str_eq(a, b);
    free(a);
    free(b);
    json_decref(old);
    json_decref(new);
}

START_TEST(snapshot_insert_from_c_values_stores_what_the_text_insert_stores)
{
    int64_t org = new_org();
    gf_period q4 = quarter("2026-Q4");
    int day = 0;
    ck_assert_int_eq(gf_date_parse("2026-11-15", &day), 0);
    gf_store_snapshot with = {.scope = "org",
                              .period = &q4,
                              .as_of = day,
                              .p10_cents = -50,
                              .p50_cents = 123405,
                              .p90_cents = 99999999,
                              .expected_cents = 5000001,
                              .has_target = 1,
                              .target_cents = 20000000,
                              .prob_hit = 1.0 / 3.0,
                              .model_version = "test-1",
                              .forecast_json = "{\"p50\": 1234.05}"};
    expect_same_snapshot(org, &with);
    /* Without a target, target and prob_hit are NULL whatever the fields hold. */
    gf_store_snapshot without = with;
    without.has_target = 0;
    without.prob_hit = 0.9;
    expect_same_snapshot(org, &without);
    gf_err err = {0};
    json_t *snap = gf_store_snapshot_insert(org, &with, &err);
    ck_assert_ptr_nonnull(snap);
    ck_assert_str_eq(json_string_value(json_object_get(snap, "as_of")), "2026-11-15");
    ck_assert(json_number_value(json_object_get(snap, "p10")) == -0.5);
    ck_assert(json_number_value(json_object_get(snap, "target")) == 200000.0);
    ck_assert(json_number_value(json_object_get(snap, "prob_hit")) == 1.0 / 3.0);
    json_decref(snap);
    snap = gf_store_snapshot_insert(org, &without, &err);
    ck_assert(json_is_null(json_object_get(snap, "target")));
    ck_assert(json_is_null(json_object_get(snap, "prob_hit")));
    json_decref(snap);
}
END_TEST

START_TEST(ping_answers_while_the_database_is_up)
{
    ck_assert(gf_store_ping());
}
END_TEST

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
    tcase_add_test(conn, ping_answers_while_the_database_is_up);
    suite_add_tcase(s, conn);

    TCase *structs = tcase_create("c_values");
    tcase_add_test(structs, lever_rows_are_the_levers_of_levers_all_with_exact_unit_costs);
    tcase_add_test(structs, lever_rows_of_an_org_without_levers_are_empty_but_allocated);
    tcase_add_test(structs, scope_children_list_has_the_rows_and_order_of_scope_children);
    tcase_add_test(structs, scope_children_list_of_a_rep_or_unknown_team_is_invalid_and_empty);
    tcase_add_test(structs, forecast_target_cents_are_exact_and_agree_with_the_double_reading);
    tcase_add_test(structs, snapshot_insert_from_c_values_stores_what_the_text_insert_stores);
    suite_add_tcase(s, structs);
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

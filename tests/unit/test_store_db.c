/* test_store_db.c — the store's connection layer and its C-struct reads against a real
 * PostgreSQL: the statement timeout of side connections, the prepared-statement registry's
 * limit, GAPFORGE_PGBOUNCER's unnamed statements and per-transaction settings, and the functions
 * that hand internal consumers C values instead of JSON.
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

/* Each field of lever lv against what the test put (max_units 12 and ramp_days 30 for all). */
static void expect_lever(const gf_store_lever *lv, const char *key, const char *name,
                         const char *kind, double effect, int64_t unit_cost_cents, const char *kpi,
                         const char *kpi_leads_to, int kpi_bucket_days)
{
    ck_assert_str_eq(lv->key, key);
    ck_assert_str_eq(lv->name, name);
    ck_assert_str_eq(lv->kind, kind);
    ck_assert_msg(lv->effect == effect, "%s: effect %.17g, not %.17g", key, lv->effect, effect);
    ck_assert_int_eq(lv->unit_cost_cents, unit_cost_cents);
    ck_assert_uint_eq(lv->max_units, 12);
    ck_assert_int_eq(lv->ramp_days, 30);
    ck_assert_str_eq(lv->kpi, kpi);
    ck_assert_str_eq(lv->kpi_leads_to, kpi_leads_to);
    ck_assert_int_eq(lv->kpi_bucket_days, kpi_bucket_days);
}

START_TEST(lever_rows_are_the_levers_ordered_by_key_with_exact_unit_costs)
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
    ck_assert_uint_eq(n, 3);
    /* Ordered by key: ads, care, sdr; a lever without a KPI has "" and bucket 0, a KPI without
     * leads_to an empty kpi_leads_to. */
    expect_lever(&rows[0], "ads", "Ads", "pipeline", 0.1, 123456789, "", "", 0);
    expect_lever(&rows[1], "care", "Customer care", "kpi", -2.0, 7, "nps", "", 7);
    expect_lever(&rows[2], "sdr", "Hire an SDR – Zürich", "kpi", 3.5, 1999, "demos", "bookings", 1);
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

/* The children of scope are exactly want (n of them), in that order. */
static void expect_children(int64_t org, const char *scope, size_t n, const char *const *want)
{
    gf_err err = {0};
    gf_store_scopes got = {0};
    ck_assert_int_eq(gf_store_scope_children_list(org, scope, "scope", &got, &err), 0);
    ck_assert_ptr_nonnull(got.scope); /* allocated even when there are none */
    ck_assert_uint_eq(got.n, n);
    for (size_t k = 0; k < n; k++)
        ck_assert_str_eq(got.scope[k], want[k]);
    gf_store_scopes_free(&got);
    ck_assert_ptr_null(got.scope);
    ck_assert_uint_eq(got.n, 0);
    gf_store_scopes_free(&got); /* harmless to repeat */
}

START_TEST(scope_children_list_has_the_sub_teams_then_the_reps_each_by_key)
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
    /* Only direct children: not nordics, dach (sub-teams) nor the reps in teams. */
    const char *org_kids[] = {"team:amer", "team:emea", "rep:solo"};
    expect_children(org, "org", 3, org_kids);
    const char *emea_kids[] = {"team:dach", "team:nordics", "rep:adam", "rep:zoe"};
    expect_children(org, "team:emea", 4, emea_kids);
    const char *dach_kids[] = {"rep:deep"};
    expect_children(org, "team:dach", 1, dach_kids);
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

/* Sets the stored value of the org's target of scope for period (by name) to value, exactly as
 * numeric text: gf_store_target_put goes through float8, which keeps no more than 17 digits. */
static void set_target_value(int64_t org, const char *scope, const char *period, const char *value)
{
    gf_err err = {0};
    PGconn *pg = gf_db_conn(&err);
    ck_assert_msg(pg, "connection: %s", err.message);
    char orgtext[24];
    snprintf(orgtext, sizeof orgtext, "%lld", (long long)org);
    const char *p[] = {value, orgtext, scope, period};
    PGresult *res = PQexecParams(pg,
                                 "UPDATE targets SET value = $1::numeric WHERE org_id = $2::bigint "
                                 "AND scope = $3 AND metric = 'bookings' AND period = $4",
                                 4, NULL, p, NULL, NULL, 0);
    ck_assert_int_eq(PQresultStatus(res), PGRES_COMMAND_OK);
    ck_assert_str_eq(PQcmdTuples(res), "1");
    PQclear(res);
}

/* The target cents of scope for p: want, or none when found_want is 0. */
static void expect_target(int64_t org, const char *scope, const gf_period *p, int found_want,
                          int64_t want)
{
    gf_err err = {0};
    int found = -1;
    int64_t cents = -1;
    ck_assert_int_eq(gf_store_forecast_target_cents(org, scope, p, &found, &cents, &err), 0);
    ck_assert_int_eq(found, found_want);
    ck_assert_int_eq(cents, want);
}

START_TEST(forecast_target_cents_are_exact)
{
    int64_t org = new_org();
    make_team(org, "emea", NULL);
    gf_period q4 = quarter("2026-Q4"), q3 = quarter("2026-Q3"), q2 = quarter("2026-Q2"),
              q1 = quarter("2026-Q1");
    put_target(org, "org", &q4, "1234567.89");
    put_target(org, "org", &q3, "1000.005");
    put_target(org, "team:emea", &q4, "0.07");
    /* More digits than a double holds: read from the text, never through a double. */
    put_target(org, "org", &q1, "1");
    set_target_value(org, "org", "2026-Q1", "12345678901234567.89");
    expect_target(org, "org", &q4, 1, 123456789);
    /* Half a cent rounds away from zero. */
    expect_target(org, "org", &q3, 1, 100001);
    expect_target(org, "team:emea", &q4, 1, 7);
    expect_target(org, "org", &q1, 1, INT64_C(1234567890123456789));
    /* None for another period, or a scope without a target. */
    expect_target(org, "org", &q2, 0, 0);
    expect_target(org, "team:emea", &q3, 0, 0);
    expect_target(org, "team:none", &q4, 0, 0);
}
END_TEST

START_TEST(forecast_target_beyond_the_range_of_cents_is_an_internal_error)
{
    gf_log_set_quiet(1);
    int64_t org = new_org();
    gf_period q4 = quarter("2026-Q4");
    put_target(org, "org", &q4, "1");
    set_target_value(org, "org", "2026-Q4", "92233720368547758.08"); /* INT64_MAX cents + 1 */
    gf_err err = {0};
    int found = -1;
    int64_t cents = -1;
    ck_assert_int_eq(gf_store_forecast_target_cents(org, "org", &q4, &found, &cents, &err), -1);
    ck_assert_int_eq(err.code, GF_EINTERNAL);
    ck_assert_int_eq(found, 0);
    ck_assert_int_eq(cents, 0);
}
END_TEST

/* The columns of snapshot id as text (SQL NULL as "NULL"), in the order of COLUMNS, one per
 * entry of out. */
#define SNAPSHOT_COLUMNS                                                               \
    "org_id::text, scope, period, period_start::text, period_end::text, as_of::text, " \
    "p10::text, p50::text, p90::text, expected::text, target::text, prob_hit::text, "  \
    "model_version, forecast::text"
#define SNAPSHOT_NCOLS 14

static void snapshot_columns(int64_t id, char out[SNAPSHOT_NCOLS][128])
{
    gf_err err = {0};
    PGconn *pg = gf_db_conn(&err);
    ck_assert_msg(pg, "connection: %s", err.message);
    char idtext[24];
    snprintf(idtext, sizeof idtext, "%lld", (long long)id);
    const char *p[] = {idtext};
    PGresult *res = PQexecParams(
        pg, "SELECT " SNAPSHOT_COLUMNS " FROM forecast_snapshots WHERE id = $1::bigint", 1, NULL, p,
        NULL, NULL, 0);
    ck_assert_int_eq(PQresultStatus(res), PGRES_TUPLES_OK);
    ck_assert_int_eq(PQntuples(res), 1);
    ck_assert_int_eq(PQnfields(res), SNAPSHOT_NCOLS);
    for (int c = 0; c < SNAPSHOT_NCOLS; c++)
        snprintf(out[c], 128, "%s", PQgetisnull(res, 0, c) ? "NULL" : PQgetvalue(res, 0, c));
    PQclear(res);
}

/* Inserts s and checks the stored row against want (SNAPSHOT_COLUMNS without org_id, "NULL"
 * for SQL NULL) and the returned JSON against want_json (new reference, taken; without id and
 * created_at, which the JSON must have). */
static void expect_snapshot(int64_t org, const gf_store_snapshot *s,
                            const char *const want[SNAPSHOT_NCOLS - 1], json_t *want_json)
{
    ck_assert_ptr_nonnull(want_json);
    gf_err err = {0};
    json_t *snap = gf_store_snapshot_insert(org, s, &err);
    ck_assert_msg(snap, "snapshot insert: %s", err.message);
    ck_assert(json_is_integer(json_object_get(snap, "id")));
    ck_assert(json_is_string(json_object_get(snap, "created_at")));
    int64_t id = json_integer_value(json_object_get(snap, "id"));
    char cols[SNAPSHOT_NCOLS][128], orgtext[24];
    snapshot_columns(id, cols);
    snprintf(orgtext, sizeof orgtext, "%lld", (long long)org);
    ck_assert_str_eq(cols[0], orgtext);
    for (int c = 1; c < SNAPSHOT_NCOLS; c++)
        ck_assert_str_eq(cols[c], want[c - 1]);
    json_object_del(snap, "id");
    json_object_del(snap, "created_at");
    /* json_equal: same keys, same types (a real is not an integer) and bit-equal numbers. */
    char *got = json_dumps(snap, JSON_SORT_KEYS | JSON_REAL_PRECISION(17));
    char *exp = json_dumps(want_json, JSON_SORT_KEYS | JSON_REAL_PRECISION(17));
    ck_assert_msg(json_equal(snap, want_json), "snapshot JSON %s, not %s", got, exp);
    free(got);
    free(exp);
    json_decref(snap);
    json_decref(want_json);
}

/* The JSON of the snapshots below (target and prob_hit: new references, JSON null without). */
static json_t *snapshot_json(json_t *target, json_t *prob_hit)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:f, s:f, s:f, s:f, s:o, s:o, s:s, s:{s:f}}",
                     "scope", "org", "period", "2026-Q4", "start", "2026-10-01", "end",
                     "2026-12-31", "as_of", "2026-11-15", "p10", -0.5, "p50", 1234.05, "p90",
                     999999.99, "expected", 50000.01, "target", target, "prob_hit", prob_hit,
                     "model_version", "test-1", "forecast", "p50", 1234.05);
}

START_TEST(snapshot_insert_stores_exact_money_and_null_without_a_target)
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
    const char *with_cols[] = {"org",
                               "2026-Q4",
                               "2026-10-01",
                               "2026-12-31",
                               "2026-11-15",
                               "-0.50",
                               "1234.05",
                               "999999.99",
                               "50000.01",
                               "200000.00",
                               "0.3333333333333333",
                               "test-1",
                               "{\"p50\": 1234.05}"};
    expect_snapshot(org, &with, with_cols,
                    snapshot_json(json_real(200000.0), json_real(1.0 / 3.0)));
    /* Without a target, target and prob_hit are NULL whatever the fields hold. */
    gf_store_snapshot without = with;
    without.has_target = 0;
    without.prob_hit = 0.9;
    const char *without_cols[] = {
        "org",   "2026-Q4", "2026-10-01",        "2026-12-31", "2026-11-15",
        "-0.50", "1234.05", "999999.99",         "50000.01",   "NULL",
        "NULL",  "test-1",  "{\"p50\": 1234.05}"};
    expect_snapshot(org, &without, without_cols, snapshot_json(json_null(), json_null()));
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
    char own[64], side[64], dedicated[64], work_mem[64];
    PGconn *pg = gf_db_conn(&err);
    ck_assert_ptr_nonnull(pg);
    setting_on(pg, "statement_timeout", own);
    PGconn *s = gf_db_connect_side(&err);
    ck_assert_ptr_nonnull(s);
    setting_on(s, "statement_timeout", side);
    PGconn *d = gf_db_connect_dedicated(600000, &err);
    ck_assert_ptr_nonnull(d);
    setting_on(d, "statement_timeout", dedicated);
    setting_on(d, "work_mem", work_mem);
    ck_assert_str_eq(own, TIMEOUT_TEXT);
    ck_assert_str_eq(side, TIMEOUT_TEXT);
    /* The bulk import's connection: its own, longer timeout (issue 13: never none) and a
     * modest work_mem. */
    ck_assert_str_eq(dedicated, "10min");
    ck_assert_str_eq(work_mem, "32MB");
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

/* The value of setting on this thread's connection, through the store's statement path. */
static void setting_here(const char *setting, char out[64])
{
    static const gf_stmt show = {"test_show_setting", "SELECT current_setting($1)"};
    gf_db_args a = {0};
    gf_db_arg_text(&a, setting);
    gf_err err = {0};
    PGresult *res = gf_db_exec_args(&show, &a, &err);
    ck_assert_msg(res, "%s", err.message);
    snprintf(out, 64, "%s", PQgetvalue(res, 0, 0));
    PQclear(res);
}

/* A new transaction's setting on pg (a side or dedicated connection) after its local settings. */
static void setting_in_tx(PGconn *pg, const char *setting, char out[64])
{
    gf_err err = {0};
    PQclear(PQexec(pg, "BEGIN"));
    ck_assert_msg(gf_db_local_settings(pg, &err) == 0, "%s", err.message);
    setting_on(pg, setting, out);
    PQclear(PQexec(pg, "ROLLBACK"));
}

START_TEST(pgbouncer_mode_names_no_statement_and_sets_the_timeouts_per_transaction)
{
    gf_store_configure_pgbouncer(true);
    gf_err err = {0};
    char v[64], server_default[64];
    PGconn *direct = PQconnectdb(getenv("GAPFORGE_TEST_DATABASE_URL"));
    setting_on(direct, "statement_timeout", server_default);
    PQfinish(direct);
    /* No startup options: outside a transaction, the server's own default. */
    setting_here("statement_timeout", v);
    ck_assert_str_eq(v, server_default);
    /* TimeZone and DateStyle as startup parameters (PGTZ, PGDATESTYLE). */
    setting_here("TimeZone", v);
    ck_assert_str_eq(v, "UTC");
    setting_here("DateStyle", v);
    ck_assert_str_eq(v, "ISO, MDY");
    /* In a transaction, the configured timeout. */
    ck_assert_int_eq(gf_db_begin(&err), 0);
    setting_here("statement_timeout", v);
    ck_assert_str_eq(v, TIMEOUT_TEXT);
    gf_db_rollback();
    /* Side and import connections: their settings in each transaction. */
    PGconn *s = gf_db_connect_side(&err);
    ck_assert_ptr_nonnull(s);
    setting_in_tx(s, "statement_timeout", v);
    ck_assert_str_eq(v, TIMEOUT_TEXT);
    setting_in_tx(s, "jit", v);
    ck_assert_str_eq(v, "off");
    PGconn *d = gf_db_connect_dedicated(600000, &err);
    ck_assert_ptr_nonnull(d);
    setting_in_tx(d, "statement_timeout", v);
    ck_assert_str_eq(v, "10min");
    setting_in_tx(d, "work_mem", v);
    ck_assert_str_eq(v, "32MB");
    PQfinish(s);
    PQfinish(d);
    /* Every statement unnamed: none prepared on the connection, however many ran. */
    static gf_stmt stmts[REGISTRY + 2];
    static char names[REGISTRY + 2][32];
    for (int k = 0; k < REGISTRY + 2; k++) {
        snprintf(names[k], sizeof names[k], "test_unnamed_%d", k);
        stmts[k] = (gf_stmt){names[k], "SELECT 1"};
        ck_assert_msg(gf_db_run(&stmts[k], NULL, &err) == 0, "statement %d: %s", k, err.message);
    }
    static const gf_stmt prepared = {"test_prepared",
                                     "SELECT count(*) FROM pg_prepared_statements"};
    PGresult *res = gf_db_exec_args(&prepared, NULL, &err);
    ck_assert_ptr_nonnull(res);
    ck_assert_str_eq(PQgetvalue(res, 0, 0), "0");
    PQclear(res);
}
END_TEST

static Suite *store_db_suite(void)
{
    Suite *s = suite_create("store_db");
    TCase *conn = tcase_create("connections");
    tcase_add_test(conn, side_connections_run_under_the_configured_statement_timeout);
    tcase_add_test(conn, prepared_statement_past_the_registry_is_an_internal_error);
    tcase_add_test(conn, ping_answers_while_the_database_is_up);
    tcase_add_test(conn, pgbouncer_mode_names_no_statement_and_sets_the_timeouts_per_transaction);
    suite_add_tcase(s, conn);

    TCase *structs = tcase_create("c_values");
    tcase_add_test(structs, lever_rows_are_the_levers_ordered_by_key_with_exact_unit_costs);
    tcase_add_test(structs, lever_rows_of_an_org_without_levers_are_empty_but_allocated);
    tcase_add_test(structs, scope_children_list_has_the_sub_teams_then_the_reps_each_by_key);
    tcase_add_test(structs, scope_children_list_of_a_rep_or_unknown_team_is_invalid_and_empty);
    tcase_add_test(structs, forecast_target_cents_are_exact);
    tcase_add_test(structs, forecast_target_beyond_the_range_of_cents_is_an_internal_error);
    tcase_add_test(structs, snapshot_insert_stores_exact_money_and_null_without_a_target);
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

/* test_tenancy.c — tenant isolation in the database itself (migration 0017): references between
 * tenant tables carry org_id, so the database refuses a row of one org naming another org's row,
 * whatever the code above it does. */
#include <check.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"

/* Runs sql on the test database as its owner and returns the SQLSTATE it failed with (a new
 * string), or "" when it succeeded. */
static char *sqlstate_of(const char *sql)
{
    PGconn *c = PQconnectdb(getenv("GAPFORGE_TEST_DATABASE_URL"));
    ck_assert_msg(PQstatus(c) == CONNECTION_OK, "test db: %s", PQerrorMessage(c));
    PGresult *res = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(res);
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    char *out = strdup(st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK ? "" : state ? state : "?");
    PQclear(res);
    PQfinish(c);
    return out;
}

/* Expects sql to fail with a foreign key violation (23503). */
static void expect_fk_refused(const char *sql)
{
    char *state = sqlstate_of(sql);
    ck_assert_msg(strcmp(state, "23503") == 0, "want 23503 (foreign key violation), got '%s': %s",
                  state, sql);
    free(state);
}

START_TEST(a_deal_owned_by_another_orgs_rep_is_refused_by_the_database)
{
    char ka[128], sa[64], kb[128], sb[64];
    fx_sales_org(ka, sa);
    fx_sales_org(kb, sb);
    char sql[2048];
    /* Org A's deal, at A's stage, owned by B's rep ada. */
    snprintf(
        sql, sizeof sql,
        "INSERT INTO deals (org_id, external_id, name, owner_id, stage_id, created_on) "
        "SELECT a.id, 'x-org', 'x', (SELECT r.id FROM reps r JOIN orgs b ON b.id = r.org_id "
        "WHERE b.slug = '%s' AND r.key = 'ada'), (SELECT s.id FROM stages s WHERE "
        "s.org_id = a.id AND s.key = 'proposal'), current_date FROM orgs a WHERE a.slug = '%s'",
        sb, sa);
    expect_fk_refused(sql);
    /* At B's stage, owned by A's rep. */
    snprintf(sql, sizeof sql,
             "INSERT INTO deals (org_id, external_id, name, owner_id, stage_id, created_on) "
             "SELECT a.id, 'x-org', 'x', (SELECT r.id FROM reps r WHERE r.org_id = a.id AND "
             "r.key = 'ada'), (SELECT s.id FROM stages s JOIN orgs b ON b.id = s.org_id WHERE "
             "b.slug = '%s' AND s.key = 'proposal'), current_date FROM orgs a WHERE a.slug = '%s'",
             sb, sa);
    expect_fk_refused(sql);
    /* A rep of A moved into B's team. */
    snprintf(sql, sizeof sql,
             "UPDATE reps r SET team_id = (SELECT t.id FROM teams t JOIN orgs b ON b.id = t.org_id "
             "WHERE b.slug = '%s' AND t.key = 'uk') FROM orgs a WHERE a.id = r.org_id AND "
             "a.slug = '%s' AND r.key = 'bob'",
             sb, sa);
    expect_fk_refused(sql);
    /* The same deal with A's own rep and stage is accepted. */
    snprintf(sql, sizeof sql,
             "INSERT INTO deals (org_id, external_id, name, owner_id, stage_id, created_on) "
             "SELECT a.id, 'own', 'own', (SELECT r.id FROM reps r WHERE r.org_id = a.id AND "
             "r.key = 'ada'), (SELECT s.id FROM stages s WHERE s.org_id = a.id AND "
             "s.key = 'proposal'), current_date FROM orgs a WHERE a.slug = '%s'",
             sa);
    char *state = sqlstate_of(sql);
    ck_assert_str_eq(state, "");
    free(state);
}
END_TEST

/* The deal references are checked once per statement (migration 0020), not by per-row foreign
 * keys: an update, a statement with many rows of which one is bad, and a reference to no row at
 * all are refused as a foreign key would refuse them, and nothing of the statement is kept. */
START_TEST(a_deal_moved_to_another_orgs_stage_or_a_missing_rep_is_refused_by_the_database)
{
    char ka[128], sa[64], kb[128], sb[64];
    fx_sales_org(ka, sa);
    fx_sales_org(kb, sb);
    fx_post_deal(ka, "{\"external_id\": \"a-1\", \"name\": \"A\", \"amount\": 100, "
                     "\"stage\": \"proposal\", \"owner\": \"ada\", \"close_date\": "
                     "\"2030-01-31\"}");
    long long a = fx_sql_ll("SELECT id FROM orgs WHERE slug = '%s'", sa);
    long long b = fx_sql_ll("SELECT id FROM orgs WHERE slug = '%s'", sb);
    char sql[1024];
    snprintf(sql, sizeof sql,
             "UPDATE deals SET stage_id = (SELECT id FROM stages WHERE org_id = %lld AND "
             "key = 'won') WHERE org_id = %lld AND external_id = 'a-1'",
             b, a);
    expect_fk_refused(sql);
    snprintf(sql, sizeof sql,
             "UPDATE deals SET owner_id = (SELECT max(id) + 1 FROM reps) WHERE org_id = %lld", a);
    expect_fk_refused(sql);
    /* 1,000 good rows and one at B's stage: all refused. */
    snprintf(sql, sizeof sql,
             "INSERT INTO deals (org_id, external_id, name, owner_id, stage_id, created_on) "
             "SELECT %lld, 'many-' || g, 'x', (SELECT id FROM reps WHERE org_id = %lld AND "
             "key = 'bob'), CASE WHEN g = 777 THEN (SELECT id FROM stages WHERE org_id = %lld AND "
             "key = 'proposal') ELSE (SELECT id FROM stages WHERE org_id = %lld AND "
             "key = 'proposal') END, current_date FROM generate_series(1, 1000) g",
             a, a, b, a);
    expect_fk_refused(sql);
    ck_assert_int_eq(fx_sql_ll("SELECT count(*) FROM deals WHERE org_id = %lld", a), 1);
    ck_assert_str_eq(fx_sqlf("SELECT s.key || '/' || r.key FROM deals d JOIN stages s ON "
                             "s.org_id = d.org_id AND s.id = d.stage_id JOIN reps r ON r.org_id = "
                             "d.org_id AND r.id = d.owner_id WHERE d.org_id = %lld",
                             a),
                     "proposal/ada");
    /* Without an owner, at A's stage: accepted. */
    snprintf(sql, sizeof sql,
             "INSERT INTO deals (org_id, external_id, name, stage_id, created_on) SELECT %lld, "
             "'no-owner', 'x', id, current_date FROM stages WHERE org_id = %lld AND "
             "key = 'prospecting'",
             a, a);
    char *state = sqlstate_of(sql);
    ck_assert_str_eq(state, "");
    free(state);
}
END_TEST

START_TEST(a_rep_or_stage_that_a_deal_names_cannot_be_deleted_or_moved)
{
    char ka[128], sa[64];
    fx_sales_org(ka, sa);
    fx_post_deal(ka, "{\"external_id\": \"a-1\", \"name\": \"A\", \"amount\": 100, "
                     "\"stage\": \"proposal\", \"owner\": \"ada\", \"close_date\": "
                     "\"2030-01-31\"}");
    long long a = fx_sql_ll("SELECT id FROM orgs WHERE slug = '%s'", sa);
    char sql[512];
    snprintf(sql, sizeof sql, "DELETE FROM stages WHERE org_id = %lld AND key = 'proposal'", a);
    expect_fk_refused(sql);
    snprintf(sql, sizeof sql, "DELETE FROM reps WHERE org_id = %lld AND key = 'ada'", a);
    expect_fk_refused(sql);
    /* Ids are identities (never updated); a row moved to another org leaves its deals behind. */
    char kb[128], sb[64];
    t_new_org(kb, sb);
    long long b = fx_sql_ll("SELECT id FROM orgs WHERE slug = '%s'", sb);
    snprintf(sql, sizeof sql,
             "UPDATE stages SET org_id = %lld WHERE org_id = %lld AND key = 'proposal'", b, a);
    expect_fk_refused(sql);
    snprintf(sql, sizeof sql,
             "UPDATE reps SET org_id = %lld, team_id = NULL WHERE org_id = %lld "
             "AND key = 'ada'",
             b, a);
    expect_fk_refused(sql);
    ck_assert_int_eq(fx_sql_ll("SELECT count(*) FROM stages WHERE org_id = %lld", a), 4);
    /* What no deal names goes. */
    snprintf(sql, sizeof sql, "DELETE FROM stages WHERE org_id = %lld AND key = 'lost'", a);
    char *state = sqlstate_of(sql);
    ck_assert_str_eq(state, "");
    free(state);
    snprintf(sql, sizeof sql, "DELETE FROM reps WHERE org_id = %lld AND key = 'dee'", a);
    state = sqlstate_of(sql);
    ck_assert_str_eq(state, "");
    free(state);
    ck_assert_int_eq(fx_sql_ll("SELECT count(*) FROM stages WHERE org_id = %lld", a), 3);
}
END_TEST

/* Runs sql on c and expects success. */
static void exec_ok(PGconn *c, const char *sql)
{
    PGresult *res = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(res);
    ck_assert_msg(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK, "%s: %s", sql,
                  PQresultErrorMessage(res));
    PQclear(res);
}

/* As a foreign key locks the row it names: a stage deleted while a deal at it is being written
 * waits for that transaction, then sees the deal and is refused. */
START_TEST(a_stage_deleted_while_a_new_deal_at_it_is_uncommitted_waits_and_is_refused)
{
    char ka[128], sa[64];
    fx_sales_org(ka, sa);
    long long a = fx_sql_ll("SELECT id FROM orgs WHERE slug = '%s'", sa);
    PGconn *writer = PQconnectdb(getenv("GAPFORGE_TEST_DATABASE_URL"));
    PGconn *deleter = PQconnectdb(getenv("GAPFORGE_TEST_DATABASE_URL"));
    ck_assert(PQstatus(writer) == CONNECTION_OK && PQstatus(deleter) == CONNECTION_OK);
    char sql[512];
    exec_ok(writer, "BEGIN");
    snprintf(sql, sizeof sql,
             "INSERT INTO deals (org_id, external_id, name, stage_id, created_on) SELECT %lld, "
             "'racing', 'x', id, current_date FROM stages WHERE org_id = %lld AND key = 'lost'",
             a, a);
    exec_ok(writer, sql);
    snprintf(sql, sizeof sql, "DELETE FROM stages WHERE org_id = %lld AND key = 'lost'", a);
    ck_assert_int_eq(PQsendQuery(deleter, sql), 1);
    /* The delete waits on the writer's lock. Its backend is found by its query, not by
     * PQbackendPID: through PgBouncer that is the pooler's number. */
    long long waiting = 0;
    for (int i = 0; i < 200 && !waiting; i++) {
        waiting = fx_sql_ll("SELECT count(*) FROM pg_stat_activity WHERE query = $q$%s$q$ AND "
                            "wait_event_type = 'Lock'",
                            sql);
        if (!waiting)
            usleep(50 * 1000);
    }
    ck_assert_msg(waiting, "the delete did not wait for the writer");
    exec_ok(writer, "COMMIT");
    PGresult *res = PQgetResult(deleter);
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    ck_assert_msg(state && strcmp(state, "23503") == 0, "delete after the commit: %s",
                  PQresultErrorMessage(res));
    PQclear(res);
    for (res = PQgetResult(deleter); res; res = PQgetResult(deleter))
        PQclear(res);
    PQfinish(writer);
    PQfinish(deleter);
    ck_assert_int_eq(fx_sql_ll("SELECT count(*) FROM deals d JOIN stages s ON s.org_id = "
                               "d.org_id AND s.id = d.stage_id WHERE d.org_id = %lld AND "
                               "s.key = 'lost'",
                               a),
                     1);
}
END_TEST

START_TEST(every_key_of_a_tenant_table_contains_org_id)
{
    /* Every primary key, unique constraint and unique index of a table with an org_id column
     * contains org_id, except api_keys' prefix (looked up before the org is known). */
    char *bad = fx_sqlf(
        "SELECT coalesce(string_agg(i.indexrelid::regclass::text, ', '), '') FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND i.indisunique AND EXISTS (SELECT 1 FROM "
        "pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'org_id') AND NOT EXISTS "
        "(SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'org_id' AND "
        "a.attnum = ANY (i.indkey)) AND i.indexrelid::regclass::text <> 'api_keys_prefix_key'");
    ck_assert_msg(bad[0] == '\0', "unique keys without org_id: %s", bad);
    free(bad);
    /* Every foreign key between two tables with org_id includes it on both sides. */
    bad = fx_sqlf("SELECT coalesce(string_agg(f.conname, ', '), '') FROM pg_constraint f "
                  "WHERE f.contype = 'f' AND f.connamespace = current_schema()::regnamespace AND "
                  "f.confrelid <> 'orgs'::regclass AND NOT EXISTS (SELECT 1 FROM "
                  "pg_attribute a WHERE a.attrelid = f.conrelid AND a.attname = 'org_id' AND "
                  "a.attnum = ANY (f.conkey))");
    ck_assert_msg(bad[0] == '\0', "foreign keys without org_id: %s", bad);
    free(bad);
}
END_TEST

/* A connection as the role the server uses (the test database's URL with its user). */
static PGconn *as_service_role(void)
{
    char url[2048];
    snprintf(url, sizeof url, "%s user=gapforge_app", getenv("GAPFORGE_TEST_DATABASE_URL"));
    PGconn *c = PQconnectdb(url);
    ck_assert_msg(PQstatus(c) == CONNECTION_OK, "as gapforge_app: %s", PQerrorMessage(c));
    return c;
}

/* The first value of sql on c (a new string), or the SQLSTATE it failed with after "!". */
static char *value_on(PGconn *c, const char *sql)
{
    PGresult *res = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(res);
    char buf[64];
    if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
        snprintf(buf, sizeof buf, "%s",
                 st == PGRES_TUPLES_OK && PQntuples(res) ? PQgetvalue(res, 0, 0) : "");
    else
        snprintf(buf, sizeof buf, "!%s", PQresultErrorField(res, PG_DIAG_SQLSTATE));
    PQclear(res);
    return strdup(buf);
}

static void expect_on(PGconn *c, const char *sql, const char *want)
{
    char *got = value_on(c, sql);
    ck_assert_msg(strcmp(got, want) == 0, "%s: want '%s', got '%s'", sql, want, got);
    free(got);
}

START_TEST(the_server_runs_as_a_role_that_neither_is_superuser_nor_bypasses_rls)
{
    char key[128], slug[64];
    t_new_org(key, slug);
    fx_expect_status(t_get(key, "/v1/org"), 200);
    /* The server's own connections (application_name gapforge) to this database. */
    char *roles = fx_sqlf("SELECT coalesce(string_agg(DISTINCT usename::text, ','), '') FROM "
                          "pg_stat_activity WHERE datname = current_database() AND "
                          "application_name LIKE 'gapforge%%' AND pid <> pg_backend_pid()");
    ck_assert_msg(roles[0] != '\0', "no server connection seen");
    ck_assert_str_eq(roles, "gapforge_app");
    free(roles);
    char *flags = fx_sqlf("SELECT rolsuper::text || ',' || rolbypassrls::text FROM pg_roles "
                          "WHERE rolname = 'gapforge_app'");
    ck_assert_str_eq(flags, "false,false");
    free(flags);
    /* Every tenant table has row-level security enabled and forced. */
    char *open_tables = fx_sqlf(
        "SELECT coalesce(string_agg(c.relname::text, ', '), '') FROM pg_class c JOIN "
        "pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND "
        "c.relkind = 'r' AND (EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND "
        "a.attname = 'org_id') OR c.relname = 'orgs') AND NOT (c.relrowsecurity AND "
        "c.relforcerowsecurity)");
    ck_assert_msg(open_tables[0] == '\0', "tenant tables without forced RLS: %s", open_tables);
    free(open_tables);
}
END_TEST

START_TEST(with_the_org_set_to_a_a_raw_select_of_bs_deals_returns_nothing)
{
    char ka[128], sa[64], kb[128], sb[64];
    fx_sales_org(ka, sa);
    fx_sales_org(kb, sb);
    fx_post_deal(ka, "{\"external_id\": \"a-1\", \"name\": \"A\", \"amount\": 100, "
                     "\"stage\": \"proposal\", \"owner\": \"ada\", \"close_date\": "
                     "\"2030-01-31\"}");
    fx_post_deal(kb, "{\"external_id\": \"b-1\", \"name\": \"B\", \"amount\": 100, "
                     "\"stage\": \"proposal\", \"owner\": \"ada\", \"close_date\": "
                     "\"2030-01-31\"}");
    long long a = fx_sql_ll("SELECT id FROM orgs WHERE slug = '%s'", sa);
    long long b = fx_sql_ll("SELECT id FROM orgs WHERE slug = '%s'", sb);
    PGconn *c = as_service_role();
    char sql[512];
    /* No org set: no tenant's rows at all. */
    expect_on(c, "SELECT count(*) FROM deals", "0");
    expect_on(c, "SELECT count(*) FROM orgs", "0");
    expect_on(c, "BEGIN", "");
    snprintf(sql, sizeof sql, "SELECT set_config('gapforge.org_id', '%lld', true)", a);
    char *set = value_on(c, sql);
    free(set);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM deals WHERE org_id = %lld", b);
    expect_on(c, sql, "0");
    expect_on(c, "SELECT count(*) FROM deals WHERE external_id = 'b-1'", "0");
    expect_on(c, "SELECT count(*) FROM api_keys WHERE org_id <> gf_current_org()", "0");
    snprintf(sql, sizeof sql, "SELECT count(*) FROM deals WHERE org_id = %lld", a);
    expect_on(c, sql, "1");
    /* B's deal can be neither changed nor written in A's transaction. */
    snprintf(sql, sizeof sql, "UPDATE deals SET amount = 1 WHERE org_id = %lld", b);
    expect_on(c, sql, "");
    snprintf(sql, sizeof sql,
             "INSERT INTO deals (org_id, external_id, name, stage_id, created_on) SELECT "
             "%lld, 'b-2', 'x', (SELECT id FROM stages WHERE org_id = %lld LIMIT 1), current_date",
             b, a);
    expect_on(c, sql, "!42501");
    expect_on(c, "ROLLBACK", "");
    /* The org lasts for its transaction only (set_config(..., true)). */
    expect_on(c, "SELECT count(*) FROM deals", "0");
    PQfinish(c);
    ck_assert_int_eq(fx_sql_ll("SELECT amount::int FROM deals WHERE org_id = %lld", b), 100);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("tenancy");
    TCase *tc = tcase_create("schema");
    tcase_add_test(tc, a_deal_owned_by_another_orgs_rep_is_refused_by_the_database);
    tcase_add_test(tc, every_key_of_a_tenant_table_contains_org_id);
    tcase_add_test(tc, the_server_runs_as_a_role_that_neither_is_superuser_nor_bypasses_rls);
    tcase_add_test(tc, with_the_org_set_to_a_a_raw_select_of_bs_deals_returns_nothing);
    /* Last: their own connections (through PgBouncer, pooled server connections of the test's
     * role) must not be among those the role check above reads. */
    tcase_add_test(tc,
                   a_deal_moved_to_another_orgs_stage_or_a_missing_rep_is_refused_by_the_database);
    tcase_add_test(tc, a_rep_or_stage_that_a_deal_names_cannot_be_deleted_or_moved);
    tcase_add_test(tc, a_stage_deleted_while_a_new_deal_at_it_is_uncommitted_waits_and_is_refused);
    suite_add_tcase(s, tc);
    return t_main(s);
}

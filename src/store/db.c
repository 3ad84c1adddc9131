/* db.c — per-thread PostgreSQL connections with lazily prepared statements: connecting and
 * reconnecting, the org of each transaction, transactions, PgBouncer's settings and the store's
 * public face. Parameters and result values are db_values.c's. */
#include "db.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gapforge/log.h"
#include "gapforge/metrics.h"
#include "gapforge/store.h"

/* The most statements one connection prepares. The store has about a hundred; reaching this is
 * a bug (statements made at run time), reported as an internal error, never worked around. */
#define MAX_PREPARED 512

typedef struct thread_conn {
    PGconn *pg;
    bool in_tx;
    size_t nprepared;
    const gf_stmt *prepared[MAX_PREPARED];
} thread_conn;

static char *g_conninfo;
static int g_timeout_ms;
/* GAPFORGE_PGBOUNCER: no startup options, unnamed statements, settings per transaction. */
static bool g_pgbouncer;
/* The statement timeout of the latest dedicated connection (the import's, one setting). */
static atomic_int g_dedicated_timeout_ms;
static pthread_key_t g_key;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static atomic_flag g_registry_full_logged = ATOMIC_FLAG_INIT;

/* The org this thread works for (0: none), which every transaction of its connection carries as
 * gapforge.org_id (migration 0017's row-level security reads it); set by the API after
 * authentication and by the schedulers for each org they visit. */
static _Thread_local int64_t t_org;

/* The connections' metrics: open ones by kind (the application name), failures to connect,
 * and statements that failed by SQLSTATE class ("none" when the connection was lost). */
enum { M_OPEN, M_CONNECT_FAILED, M_ERRORS };
static gf_metric *db_metric(int which)
{
    switch (which) {
    case M_OPEN:
        return gf_metric_get("gapforge_db_connections", GF_METRIC_GAUGE,
                             "Open PostgreSQL connections, by kind (request, side, import).",
                             "kind", NULL, 0);
    case M_CONNECT_FAILED:
        return gf_metric_get("gapforge_db_connection_failures_total", GF_METRIC_COUNTER,
                             "Attempts to connect to PostgreSQL that failed.", "", NULL, 0);
    default:
        return gf_metric_get("gapforge_db_errors_total", GF_METRIC_COUNTER,
                             "Statements PostgreSQL failed, by SQLSTATE class.", "class", NULL, 0);
    }
}

static const char *conn_kind(const char *app)
{
    return strcmp(app, "gapforge-side") == 0     ? "side"
           : strcmp(app, "gapforge-import") == 0 ? "import"
                                                 : "request";
}

void gf_db_close(PGconn *pg)
{
    if (!pg)
        return;
    const char *app = PQparameterStatus(pg, "application_name");
    gf_metric_add(db_metric(M_OPEN), (const char *[]){conn_kind(app ? app : "")}, -1);
    PQfinish(pg);
}

static void free_thread_conn(void *p)
{
    thread_conn *tc = p;
    gf_db_close(tc->pg);
    free(tc);
}

static void make_key(void)
{
    pthread_key_create(&g_key, free_thread_conn);
}

void gf_db_configure(const char *conninfo, int statement_timeout_ms)
{
    free(g_conninfo);
    g_conninfo = strdup(conninfo ? conninfo : "");
    g_timeout_ms = statement_timeout_ms;
    pthread_once(&g_once, make_key);
}

static void log_pg(const char *what, const char *detail)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", detail ? detail : "");
    size_t n = strlen(buf);
    while (n && buf[n - 1] == '\n')
        buf[--n] = '\0';
    gf_log("error", what, json_pack("{s:s}", "detail", buf));
}

static void notice_quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* Opens a connection with the configured conninfo, server options and application name.
 * Returns it, or NULL (logged) when the database is unreachable. */
static PGconn *open_conn(const char *options, const char *app)
{
    const char *keys[] = {"dbname", "options", "application_name", "connect_timeout", NULL};
    /* PgBouncer passes no startup options on (1.18 refuses the connection unless told to ignore
     * them): behind it they are set per transaction instead (gf_db_local_settings). */
    const char *vals[] = {g_conninfo ? g_conninfo : "", g_pgbouncer ? "" : options, app, "5", NULL};
    PGconn *pg = PQconnectdbParams(keys, vals, 1);
    if (!pg || PQstatus(pg) != CONNECTION_OK) {
        log_pg("database connection failed", pg ? PQerrorMessage(pg) : "out of memory");
        PQfinish(pg);
        gf_metric_add(db_metric(M_CONNECT_FAILED), NULL, 1);
        return NULL;
    }
    gf_metric_add(db_metric(M_OPEN), (const char *[]){conn_kind(app)}, 1);
    PQsetNoticeProcessor(pg, notice_quiet, NULL);
    return pg;
}

/* The server options of the request connections: the configured statement timeout, UTC, ISO
 * dates, then extra (may be empty). */
static void request_options(char *buf, size_t cap, const char *extra)
{
    snprintf(buf, cap, "-c statement_timeout=%d -c TimeZone=UTC -c DateStyle=ISO%s", g_timeout_ms,
             extra);
}

static bool connect_now(thread_conn *tc)
{
    char options[128];
    request_options(options, sizeof options, "");
    gf_db_close(tc->pg);
    tc->pg = open_conn(options, "gapforge");
    tc->nprepared = 0;
    tc->in_tx = false;
    return tc->pg != NULL;
}

/* This thread's connection, connected (or reconnected) when needed; NULL when unreachable. */
static thread_conn *get_conn(gf_err *err)
{
    pthread_once(&g_once, make_key);
    thread_conn *tc = pthread_getspecific(g_key);
    if (!tc) {
        tc = calloc(1, sizeof *tc);
        if (!tc) {
            gf_err_internal(err);
            return NULL;
        }
        pthread_setspecific(g_key, tc);
    }
    if ((!tc->pg || PQstatus(tc->pg) != CONNECTION_OK) && !connect_now(tc)) {
        gf_err_set(err, GF_EUNAVAILABLE, NULL, NULL, "the database is unavailable");
        return NULL;
    }
    return tc;
}

PGconn *gf_db_conn(gf_err *err)
{
    thread_conn *tc = get_conn(err);
    return tc ? tc->pg : NULL;
}

void gf_db_disconnect(void)
{
    pthread_once(&g_once, make_key);
    thread_conn *tc = pthread_getspecific(g_key);
    if (tc) {
        free_thread_conn(tc);
        pthread_setspecific(g_key, NULL);
    }
}

/* SQLSTATE classes to domain codes, first match wins (PostgREST's mapping, in domain terms). */
static const struct {
    const char *prefix; /* a whole SQLSTATE, or a two-character class */
    gf_errcode code;
    const char *reason;
} sqlstates[] = {
    {"23505", GF_ECONFLICT, NULL},
    {"23P01", GF_ECONFLICT, NULL},
    {"23503", GF_ECONFLICT, NULL},
    {"23", GF_EINVALID, NULL},
    {"22", GF_EINVALID, NULL},
    {"08", GF_EUNAVAILABLE, NULL},
    {"57P01", GF_EUNAVAILABLE, NULL},
    {"57P02", GF_EUNAVAILABLE, NULL},
    {"57P03", GF_EUNAVAILABLE, NULL},
    {"53300", GF_EUNAVAILABLE, NULL},
    {"57014", GF_EUNAVAILABLE, "query_cancelled"},
    {"40001", GF_EUNAVAILABLE, "retry"},
    {"40P01", GF_EUNAVAILABLE, "retry"},
};

void gf_db_map_sqlstate(const char *s, gf_errcode *code, const char **reason)
{
    *code = GF_EINTERNAL;
    *reason = NULL;
    for (size_t k = 0; s && k < sizeof sqlstates / sizeof sqlstates[0]; k++) {
        if (strncmp(s, sqlstates[k].prefix, strlen(sqlstates[k].prefix)) == 0) {
            *code = sqlstates[k].code;
            *reason = sqlstates[k].reason;
            return;
        }
    }
}

static void fail_from_result(const PGresult *res, PGconn *pg, gf_err *err)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    gf_errcode code;
    const char *reason;
    gf_db_map_sqlstate(state, &code, &reason);
    if (!state && PQstatus(pg) != CONNECTION_OK) {
        code = GF_EUNAVAILABLE;
        reason = NULL;
    }
    log_pg("database error", res ? PQresultErrorMessage(res) : PQerrorMessage(pg));
    char cls[3] = "";
    if (state && strlen(state) >= 2)
        memcpy(cls, state, 2);
    gf_metric_add(db_metric(M_ERRORS), (const char *[]){cls[0] ? cls : "none"}, 1);
    const char *msg = code == GF_ECONFLICT      ? "the request conflicts with existing data"
                      : code == GF_EINVALID     ? "a value was rejected by the database"
                      : code == GF_EUNAVAILABLE ? "the database is unavailable; try again"
                                                : "internal error";
    gf_err_set(err, code, reason, NULL, "%s", msg);
}

void gf_db_fail(const PGresult *res, PGconn *conn, gf_err *err)
{
    fail_from_result(res, conn, err);
}

int gf_db_drain(PGconn *pg, gf_err *err)
{
    int rc = 0;
    PGresult *res = PQgetResult(pg);
    while (res) {
        if (PQresultStatus(res) != PGRES_COMMAND_OK && rc == 0) {
            fail_from_result(res, pg, err);
            rc = -1;
        }
        PQclear(res);
        res = PQgetResult(pg);
    }
    return rc;
}

PGconn *gf_db_connect_dedicated(int statement_timeout_ms, gf_err *err)
{
    char options[192];
    snprintf(options, sizeof options,
             "-c statement_timeout=%d -c TimeZone=UTC -c DateStyle=ISO -c jit=off "
             "-c temp_buffers=256MB -c work_mem=32MB",
             statement_timeout_ms);
    atomic_store(&g_dedicated_timeout_ms, statement_timeout_ms);
    PGconn *pg = open_conn(options, "gapforge-import");
    if (!pg)
        gf_err_set(err, GF_EUNAVAILABLE, NULL, NULL, "the database is unavailable");
    return pg;
}

PGconn *gf_db_connect_side(gf_err *err)
{
    char options[128];
    request_options(options, sizeof options, " -c jit=off");
    PGconn *pg = open_conn(options, "gapforge-side");
    if (!pg)
        gf_err_set(err, GF_EUNAVAILABLE, NULL, NULL, "the database is unavailable");
    return pg;
}

static bool is_prepared(const thread_conn *tc, const gf_stmt *stmt)
{
    for (size_t i = 0; i < tc->nprepared; i++)
        if (tc->prepared[i] == stmt)
            return true;
    return false;
}

/* ---- statements ---- */

/* 0 when stmt is prepared on tc or there is room to register it; otherwise -1 with an internal
 * error (the first time in the process, logged with the statement's name). */
static int check_room(const thread_conn *tc, const gf_stmt *stmt, gf_err *err)
{
    if (tc->nprepared < MAX_PREPARED || is_prepared(tc, stmt))
        return 0;
    if (!atomic_flag_test_and_set(&g_registry_full_logged))
        gf_log("error", "too many prepared statements on one connection",
               json_pack("{s:s, s:i}", "statement", stmt->name, "max", MAX_PREPARED));
    gf_err_internal(err);
    return -1;
}

/* One attempt: prepare if needed (check_room has made sure it can be registered), execute.
 * Returns the result (maybe an error result). */
static PGresult *try_exec(thread_conn *tc, const gf_stmt *stmt, int n, const char *const *params)
{
    /* Behind PgBouncer < 1.21 a named statement prepared in one transaction is gone in the next
     * (another server connection runs it): the unnamed statement lives within one message. */
    if (g_pgbouncer)
        return PQexecParams(tc->pg, stmt->sql, n, NULL, params, NULL, NULL, 0);
    if (!is_prepared(tc, stmt)) {
        PGresult *prep = PQprepare(tc->pg, stmt->name, stmt->sql, 0, NULL);
        if (PQresultStatus(prep) != PGRES_COMMAND_OK)
            return prep;
        PQclear(prep);
        tc->prepared[tc->nprepared++] = stmt;
    }
    return PQexecPrepared(tc->pg, stmt->name, n, params, NULL, NULL, 0);
}

static bool result_ok(const PGresult *res)
{
    ExecStatusType st = PQresultStatus(res);
    return st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK || st == PGRES_COPY_IN;
}

/* ---- the org of the transaction ---- */

void gf_db_set_org(int64_t org_id)
{
    t_org = org_id > 0 ? org_id : 0;
}

int64_t gf_db_org(void)
{
    return t_org;
}

static const char set_org_sql[] = "SELECT set_config('gapforge.org_id', $1, true)";

/* Sends, as one pipeline and one round trip: the BEGIN statement begin when it is not NULL, the org
 * of this thread as the transaction's gapforge.org_id, then stmt (when not NULL; prepared first
 * when it is not yet) and a sync. Without BEGIN the whole pipeline is one implicit transaction, so
 * the org holds for stmt alone and nothing outlives it (PgBouncer's transaction pooling sees no
 * session state). Returns stmt's result, or the first failure's (NULL when nothing came back: the
 * connection broke); a failed explicit transaction is rolled back. */
static PGresult *org_pipeline(thread_conn *tc, const char *begin, const gf_stmt *stmt, int n,
                              const char *const *params)
{
    PGconn *pg = tc->pg;
    char org[24];
    snprintf(org, sizeof org, "%lld", (long long)t_org);
    const char *org_param[1] = {org};
    bool prepare = stmt && !g_pgbouncer && !is_prepared(tc, stmt); /* unnamed behind PgBouncer */
    if (!PQenterPipelineMode(pg))
        return NULL;
    bool sent = !begin || PQsendQueryParams(pg, begin, 0, NULL, NULL, NULL, NULL, 0);
    sent = sent && PQsendQueryParams(pg, set_org_sql, 1, NULL, org_param, NULL, NULL, 0);
    if (prepare)
        sent = sent && PQsendPrepare(pg, stmt->name, stmt->sql, 0, NULL);
    if (stmt && g_pgbouncer)
        sent = sent && PQsendQueryParams(pg, stmt->sql, n, NULL, params, NULL, NULL, 0);
    else if (stmt)
        sent = sent && PQsendQueryPrepared(pg, stmt->name, n, params, NULL, NULL, 0);
    sent = sent && PQpipelineSync(pg);
    int queries = (begin ? 1 : 0) + 1 + (prepare ? 1 : 0) + (stmt ? 1 : 0);
    PGresult *out = NULL, *failed = NULL;
    const int prepare_at = prepare ? queries - 2 : -1;
    for (int q = 0; sent && q < queries; q++) {
        PGresult *res = PQgetResult(pg);
        if (!res) {
            sent = false;
            break;
        }
        ExecStatusType st = PQresultStatus(res);
        if (q == prepare_at && st == PGRES_COMMAND_OK)
            tc->prepared[tc->nprepared++] = stmt; /* prepared, whatever its execution does */
        bool last = q == queries - 1 && stmt;
        if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK && st != PGRES_PIPELINE_ABORTED &&
            !failed)
            failed = res;
        else if (last && !failed)
            out = res;
        else
            PQclear(res);
        for (PGresult *rest = PQgetResult(pg); rest; rest = PQgetResult(pg))
            PQclear(rest);
    }
    if (sent) {
        PGresult *sync = PQgetResult(pg);
        PQclear(sync);
    }
    PQexitPipelineMode(pg);
    if (failed) {
        PQclear(out);
        out = failed;
        if (begin && PQtransactionStatus(pg) == PQTRANS_INERROR)
            PQclear(PQexec(pg, "ROLLBACK"));
    } else if (!stmt && sent) {
        out = PQmakeEmptyPGresult(pg, PGRES_COMMAND_OK);
    }
    return out;
}

/* Runs stmt on tc: alone inside a transaction (which carries the org since its BEGIN), else in a
 * pipeline with the org when this thread has one. */
static PGresult *exec_scoped(thread_conn *tc, const gf_stmt *stmt, int n, const char *const *params)
{
    if (t_org && !tc->in_tx)
        return org_pipeline(tc, NULL, stmt, n, params);
    return try_exec(tc, stmt, n, params);
}

int gf_db_set_org_on(PGconn *pg, int64_t org_id, gf_err *err)
{
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    PGresult *res = gf_db_exec_on(pg, set_org_sql, &a, err);
    PQclear(res);
    return res ? 0 : -1;
}

PGresult *gf_db_exec_args(const gf_stmt *stmt, const gf_db_args *args, gf_err *err)
{
    const char *params[GF_DB_MAX_ARGS];
    int n = gf_db_arg_values(stmt->name, args, params, err);
    if (n < 0)
        return NULL;
    thread_conn *tc = get_conn(err);
    if (!tc || (!g_pgbouncer && check_room(tc, stmt, err) < 0))
        return NULL;
    PGresult *res = exec_scoped(tc, stmt, n, params);
    if (!result_ok(res) && PQstatus(tc->pg) != CONNECTION_OK && !tc->in_tx) {
        PQclear(res);
        if (!connect_now(tc)) {
            gf_err_set(err, GF_EUNAVAILABLE, NULL, NULL, "the database is unavailable");
            return NULL;
        }
        res = exec_scoped(tc, stmt, n, params);
    }
    if (!result_ok(res)) {
        fail_from_result(res, tc->pg, err);
        PQclear(res);
        return NULL;
    }
    return res;
}

int gf_db_run(const gf_stmt *stmt, const gf_db_args *args, gf_err *err)
{
    PGresult *res = gf_db_exec_args(stmt, args, err);
    if (!res)
        return -1;
    PQclear(res);
    return 0;
}

PGresult *gf_db_exec_on(PGconn *pg, const char *sql, const gf_db_args *args, gf_err *err)
{
    const char *params[GF_DB_MAX_ARGS];
    int n = gf_db_arg_values("(unprepared)", args, params, err);
    if (n < 0)
        return NULL;
    PGresult *res = PQexecParams(pg, sql, n, NULL, params, NULL, NULL, 0);
    if (!result_ok(res)) {
        fail_from_result(res, pg, err);
        PQclear(res);
        return NULL;
    }
    return res;
}

static int simple(thread_conn *tc, const char *sql, gf_err *err)
{
    PGresult *res = PQexec(tc->pg, sql);
    if (!result_ok(res)) {
        fail_from_result(res, tc->pg, err);
        PQclear(res);
        return -1;
    }
    PQclear(res);
    return 0;
}

int gf_db_exec_script(const char *sql, gf_err *err)
{
    thread_conn *tc = get_conn(err);
    if (!tc)
        return -1;
    return simple(tc, sql, err);
}

/* The SET LOCAL commands that stand for the startup options of a connection of kind (the
 * application name's) behind PgBouncer, into buf; empty otherwise. SET takes no snapshot, so a
 * SET TRANSACTION ISOLATION LEVEL or SNAPSHOT may still follow. temp_buffers cannot change once
 * the server session has used a temporary table (another client's import may have), hence the
 * guard around it. */
static void local_settings(char *buf, size_t cap, const char *kind)
{
    buf[0] = '\0';
    if (!g_pgbouncer)
        return;
    if (strcmp(kind, "import") == 0)
        snprintf(buf, cap,
                 "SET LOCAL statement_timeout = %d; SET LOCAL jit = off; "
                 "SET LOCAL work_mem = '32MB'; DO $$BEGIN SET LOCAL temp_buffers = '256MB'; "
                 "EXCEPTION WHEN OTHERS THEN NULL; END$$",
                 atomic_load(&g_dedicated_timeout_ms));
    else
        snprintf(buf, cap, "SET LOCAL statement_timeout = %d%s", g_timeout_ms,
                 strcmp(kind, "side") == 0 ? "; SET LOCAL jit = off" : "");
}

int gf_db_local_settings(PGconn *pg, gf_err *err)
{
    char sql[256];
    const char *app = PQparameterStatus(pg, "application_name");
    local_settings(sql, sizeof sql, conn_kind(app ? app : ""));
    if (!sql[0])
        return 0;
    PGresult *res = PQexec(pg, sql);
    if (!result_ok(res)) {
        fail_from_result(res, pg, err);
        PQclear(res);
        return -1;
    }
    PQclear(res);
    return 0;
}

/* sql (a BEGIN), with this thread's org when it has one. Directly connected, the org goes in the
 * BEGIN's round trip (a pipeline); behind PgBouncer the BEGIN carries the statement timeout
 * (SET LOCAL, in one simple query) and the org follows in a second round trip. */
static int begin_scoped(thread_conn *tc, const char *sql, gf_err *err)
{
    char settings[96];
    local_settings(settings, sizeof settings, "request");
    if (settings[0]) {
        char full[224];
        snprintf(full, sizeof full, "%s; %s", sql, settings);
        if (simple(tc, full, err) < 0)
            return -1;
        if (t_org && gf_db_set_org_on(tc->pg, t_org, err) < 0) {
            PQclear(PQexec(tc->pg, "ROLLBACK"));
            return -1;
        }
        return 0;
    }
    if (!t_org)
        return simple(tc, sql, err);
    PGresult *res = org_pipeline(tc, sql, NULL, 0, NULL);
    if (!result_ok(res)) {
        fail_from_result(res, tc->pg, err);
        PQclear(res);
        return -1;
    }
    PQclear(res);
    return 0;
}

static int begin_with(const char *sql, gf_err *err)
{
    thread_conn *tc = get_conn(err);
    if (!tc)
        return -1;
    if (begin_scoped(tc, sql, err) < 0) {
        /* A connection that broke while idle is reset once and the BEGIN retried. */
        if (PQstatus(tc->pg) == CONNECTION_OK || !connect_now(tc))
            return -1;
        if (begin_scoped(tc, sql, err) < 0)
            return -1;
    }
    tc->in_tx = true;
    return 0;
}

int gf_db_begin(gf_err *err)
{
    return begin_with("BEGIN", err);
}

int gf_db_begin_snapshot(gf_err *err)
{
    return begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", err);
}

int gf_db_commit(gf_err *err)
{
    thread_conn *tc = get_conn(err);
    if (!tc)
        return -1;
    tc->in_tx = false;
    if (simple(tc, "COMMIT", err) < 0) {
        gf_db_rollback();
        return -1;
    }
    return 0;
}

void gf_db_rollback(void)
{
    pthread_once(&g_once, make_key);
    thread_conn *tc = pthread_getspecific(g_key);
    if (!tc || !tc->pg)
        return;
    tc->in_tx = false;
    if (PQstatus(tc->pg) == CONNECTION_OK && PQtransactionStatus(tc->pg) != PQTRANS_IDLE)
        PQclear(PQexec(tc->pg, "ROLLBACK"));
}

/* ---- the public face of the connection (store.h) ---- */

void gf_store_configure(const char *conninfo, int statement_timeout_ms)
{
    gf_db_configure(conninfo, statement_timeout_ms);
}

void gf_store_set_org(int64_t org_id)
{
    gf_db_set_org(org_id);
}

int64_t gf_store_org(void)
{
    return gf_db_org();
}

void gf_store_configure_pgbouncer(bool on)
{
    g_pgbouncer = on;
    if (on) {
        /* TimeZone and DateStyle are the settings PgBouncer tracks per client and sets on every
         * server connection it lends: libpq sends them in the startup packet from these. */
        setenv("PGTZ", "UTC", 1);
        setenv("PGDATESTYLE", "ISO", 1);
    }
}

void gf_store_disconnect(void)
{
    gf_db_disconnect();
}

int gf_store_begin(gf_err *err)
{
    return gf_db_begin(err);
}

int gf_store_commit(gf_err *err)
{
    return gf_db_commit(err);
}

void gf_store_rollback(void)
{
    gf_db_rollback();
}

bool gf_store_ping(void)
{
    static const gf_stmt ping = {"db_ping", "SELECT 1"};
    gf_err err;
    PGresult *res = gf_db_exec_args(&ping, NULL, &err);
    PQclear(res);
    return res != NULL;
}

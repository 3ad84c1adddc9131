/* db.c — per-thread PostgreSQL connections with lazily prepared statements. */
#include "gapforge/db.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gapforge/log.h"

#define MAX_PREPARED 512

typedef struct thread_conn {
    PGconn *pg;
    bool in_tx;
    size_t nprepared;
    const gf_stmt *prepared[MAX_PREPARED];
} thread_conn;

static char *g_conninfo;
static int g_timeout_ms;
static pthread_key_t g_key;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

static void free_thread_conn(void *p)
{
    thread_conn *tc = p;
    if (tc->pg)
        PQfinish(tc->pg);
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

static bool connect_now(thread_conn *tc)
{
    char options[64];
    snprintf(options, sizeof options, "-c statement_timeout=%d -c TimeZone=UTC -c DateStyle=ISO",
             g_timeout_ms);
    const char *keys[] = {"dbname", "options", "application_name", "connect_timeout", NULL};
    const char *vals[] = {g_conninfo, options, "gapforge", "5", NULL};
    if (tc->pg)
        PQfinish(tc->pg);
    tc->pg = PQconnectdbParams(keys, vals, 1);
    tc->nprepared = 0;
    tc->in_tx = false;
    if (!tc->pg || PQstatus(tc->pg) != CONNECTION_OK) {
        log_pg("database connection failed", tc->pg ? PQerrorMessage(tc->pg) : "out of memory");
        return false;
    }
    PQsetNoticeProcessor(tc->pg, notice_quiet, NULL);
    return true;
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
        gf_err_set(err, 503, "database_unavailable", NULL, "the database is unavailable");
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

void gf_db_map_sqlstate(const char *s, int *status, const char **code)
{
    *status = 500;
    *code = "internal";
    if (!s)
        return;
    if (strcmp(s, "23505") == 0 || strcmp(s, "23P01") == 0) {
        *status = 409;
        *code = "conflict";
    } else if (strcmp(s, "23503") == 0) {
        *status = 409;
        *code = "conflict";
    } else if (strncmp(s, "23", 2) == 0 || strncmp(s, "22", 2) == 0) {
        *status = 422;
        *code = "invalid_argument";
    } else if (strncmp(s, "08", 2) == 0 || strcmp(s, "57P01") == 0 ||
               strcmp(s, "57P02") == 0 || strcmp(s, "57P03") == 0 || strcmp(s, "53300") == 0) {
        *status = 503;
        *code = "database_unavailable";
    } else if (strcmp(s, "57014") == 0) {
        *status = 503;
        *code = "query_cancelled";
    } else if (strcmp(s, "40001") == 0 || strcmp(s, "40P01") == 0) {
        *status = 503;
        *code = "retry";
    }
}

static void fail_from_result(const PGresult *res, PGconn *pg, gf_err *err)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    int status;
    const char *code;
    gf_db_map_sqlstate(state, &status, &code);
    if (!state && PQstatus(pg) != CONNECTION_OK) {
        status = 503;
        code = "database_unavailable";
    }
    log_pg("database error", res ? PQresultErrorMessage(res) : PQerrorMessage(pg));
    const char *msg = status == 409   ? "the request conflicts with existing data"
                      : status == 422 ? "a value was rejected by the database"
                      : status == 503 ? "the database is unavailable; try again"
                                      : "internal error";
    gf_err_set(err, status, code, NULL, "%s", msg);
}

void gf_db_fail(const PGresult *res, PGconn *conn, gf_err *err)
{
    fail_from_result(res, conn, err);
}

PGconn *gf_db_connect_dedicated(gf_err *err)
{
    const char *keys[] = {"dbname", "options", "application_name", "connect_timeout", NULL};
    const char *vals[] = {g_conninfo ? g_conninfo : "",
                          "-c statement_timeout=0 -c TimeZone=UTC -c DateStyle=ISO -c jit=off "
                          "-c temp_buffers=256MB -c work_mem=256MB",
                          "gapforge-import", "5", NULL};
    PGconn *pg = PQconnectdbParams(keys, vals, 1);
    if (!pg || PQstatus(pg) != CONNECTION_OK) {
        log_pg("database connection failed", pg ? PQerrorMessage(pg) : "out of memory");
        PQfinish(pg);
        gf_err_set(err, 503, "database_unavailable", NULL, "the database is unavailable");
        return NULL;
    }
    PQsetNoticeProcessor(pg, notice_quiet, NULL);
    return pg;
}

static bool is_prepared(const thread_conn *tc, const gf_stmt *stmt)
{
    for (size_t i = 0; i < tc->nprepared; i++)
        if (tc->prepared[i] == stmt)
            return true;
    return false;
}

/* One attempt: prepare if needed, execute. Returns the result (maybe an error result). */
static PGresult *try_exec(thread_conn *tc, const gf_stmt *stmt, int n, const char *const *params)
{
    if (!is_prepared(tc, stmt)) {
        PGresult *prep = PQprepare(tc->pg, stmt->name, stmt->sql, 0, NULL);
        if (PQresultStatus(prep) != PGRES_COMMAND_OK)
            return prep;
        PQclear(prep);
        if (tc->nprepared < MAX_PREPARED)
            tc->prepared[tc->nprepared++] = stmt;
    }
    return PQexecPrepared(tc->pg, stmt->name, n, params, NULL, NULL, 0);
}

static bool result_ok(const PGresult *res)
{
    ExecStatusType st = PQresultStatus(res);
    return st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK || st == PGRES_COPY_IN;
}

PGresult *gf_db_exec(const gf_stmt *stmt, int n, const char *const *params, gf_err *err)
{
    thread_conn *tc = get_conn(err);
    if (!tc)
        return NULL;
    PGresult *res = try_exec(tc, stmt, n, params);
    if (!result_ok(res) && PQstatus(tc->pg) != CONNECTION_OK && !tc->in_tx) {
        PQclear(res);
        if (!connect_now(tc)) {
            gf_err_set(err, 503, "database_unavailable", NULL, "the database is unavailable");
            return NULL;
        }
        res = try_exec(tc, stmt, n, params);
    }
    if (!result_ok(res)) {
        fail_from_result(res, tc->pg, err);
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

int gf_db_begin(gf_err *err)
{
    thread_conn *tc = get_conn(err);
    if (!tc)
        return -1;
    if (simple(tc, "BEGIN", err) < 0) {
        /* A connection that broke while idle is reset once and the BEGIN retried. */
        if (PQstatus(tc->pg) == CONNECTION_OK || !connect_now(tc))
            return -1;
        if (simple(tc, "BEGIN", err) < 0)
            return -1;
    }
    tc->in_tx = true;
    return 0;
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

bool gf_db_ping(void)
{
    static const gf_stmt ping = {"db_ping", "SELECT 1"};
    gf_err err;
    PGresult *res = gf_db_exec(&ping, 0, NULL, &err);
    PQclear(res);
    return res != NULL;
}

int64_t gf_db_int64(const PGresult *res, int r, int c)
{
    if (PQgetisnull(res, r, c))
        return 0;
    return strtoll(PQgetvalue(res, r, c), NULL, 10);
}

const char *gf_db_text(const PGresult *res, int r, int c)
{
    return PQgetisnull(res, r, c) ? NULL : PQgetvalue(res, r, c);
}

json_t *gf_db_json(const PGresult *res, int r, int c)
{
    if (PQgetisnull(res, r, c))
        return NULL;
    return json_loads(PQgetvalue(res, r, c), JSON_DECODE_ANY, NULL);
}

json_t *gf_db_page(const PGresult *res, int json_col, int id_col, int limit)
{
    json_t *items = json_array();
    int n = PQntuples(res);
    for (int r = 0; r < n && r < limit; r++) {
        json_t *item = gf_db_json(res, r, json_col);
        json_array_append_new(items, item ? item : json_null());
    }
    json_t *next = n > limit ? json_string(PQgetvalue(res, limit - 1, id_col)) : json_null();
    return json_pack("{s:o, s:o}", "items", items, "next_cursor", next);
}

json_t *gf_db_one_json(const gf_stmt *stmt, int n, const char *const *params, int json_col,
                       const char *what, int64_t *col0, gf_err *err)
{
    PGresult *res = gf_db_exec(stmt, n, params, err);
    if (!res)
        return NULL;
    json_t *out = NULL;
    if (PQntuples(res) == 0) {
        gf_err_not_found(err, what);
    } else {
        if (col0) {
            const char *v = PQgetvalue(res, 0, 0);
            *col0 = strcmp(v, "t") == 0 ? 1 : strcmp(v, "f") == 0 ? 0 : gf_db_int64(res, 0, 0);
        }
        if (!(out = gf_db_json(res, 0, json_col)))
            gf_err_internal(err);
    }
    PQclear(res);
    return out;
}

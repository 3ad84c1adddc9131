/* db.h — PostgreSQL access: one connection per thread, prepared statements, transactions,
 * reconnection and SQLSTATE → HTTP mapping.
 *
 * Every statement is a static gf_stmt with $n placeholders; parameters are passed as text. A
 * statement is prepared on a connection the first time that connection runs it, and prepared
 * again after the connection is reset. SQL is never built from user input. */
#ifndef GAPFORGE_DB_H
#define GAPFORGE_DB_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "gapforge/err.h"

typedef struct gf_stmt {
    const char *name; /* unique, used as the prepared statement's name */
    const char *sql;
} gf_stmt;

/* Sets the conninfo and statement timeout used by every thread's connection. Call once,
 * before any other gf_db function. */
void gf_db_configure(const char *conninfo, int statement_timeout_ms);

/* Runs stmt with n text parameters (NULL entries are SQL NULL) on this thread's connection.
 * Returns a result with status TUPLES_OK or COMMAND_OK that the caller frees with PQclear, or
 * NULL with err set: 409 conflict (unique/foreign key/exclusion), 422 (check/invalid text),
 * 503 (database unavailable or query cancelled), 500 otherwise. The database's own message is
 * logged, never put in err. Outside a transaction a broken connection is reset and the
 * statement retried once. */
PGresult *gf_db_exec(const gf_stmt *stmt, int n, const char *const *params,
                     gf_err *err) GF_MUST_CHECK;

/* Runs a parameterless SQL script (migrations only; may hold several statements). */
int gf_db_exec_script(const char *sql, gf_err *err) GF_MUST_CHECK;

/* Transactions on this thread's connection. begin returns 0 or -1 (err set). commit returns 0 or
 * -1 (err set, transaction rolled back). rollback is safe to call when no transaction is open. */
int gf_db_begin(gf_err *err) GF_MUST_CHECK;
int gf_db_commit(gf_err *err) GF_MUST_CHECK;
void gf_db_rollback(void);

/* Sends one row of COPY data during a COPY FROM STDIN started with gf_db_exec (for bulk loads).
 * The raw connection of this thread, or NULL (err set) when the database is unreachable. */
PGconn *gf_db_conn(gf_err *err);

/* Opens a new connection of its own (same settings, but no statement timeout) for long work
 * that spans several requests' worth of time, such as a streamed bulk import. The caller owns
 * it and closes it with PQfinish. Returns NULL with a 503 when the database is unreachable. */
PGconn *gf_db_connect_dedicated(gf_err *err) GF_MUST_CHECK;

/* Fills err from a failed result on conn (mapped status, generic message) and logs the
 * database's own message. */
void gf_db_fail(const PGresult *res, PGconn *conn, gf_err *err);

/* Closes this thread's connection (also done automatically when the thread exits). */
void gf_db_disconnect(void);

/* True when the database answers a trivial query now. */
bool gf_db_ping(void);

/* Helpers over results. gf_db_int64 parses column c of row r (0 when NULL). gf_db_text returns
 * the value or NULL for SQL NULL (borrowed from res). gf_db_json parses a json/jsonb column into
 * a new reference (NULL for SQL NULL). */
int64_t gf_db_int64(const PGresult *res, int r, int c);
const char *gf_db_text(const PGresult *res, int r, int c);
#include <jansson.h>
json_t *gf_db_json(const PGresult *res, int r, int c);

/* Runs stmt and returns the JSON of column json_col of its single row (new reference); 404 naming
 * what when there is no row. When col0 is non-NULL it receives column 0 as an integer (a boolean
 * counts as 1 or 0): an id, or "created?" of an upsert. NULL with err on failure. */
json_t *gf_db_one_json(const gf_stmt *stmt, int n, const char *const *params, int json_col,
                       const char *what, int64_t *col0, gf_err *err) GF_MUST_CHECK;

/* Builds {"items": [...], "next_cursor": ...} from res, whose column json_col holds each item's
 * JSON and column id_col its id, in keyset order; res holds up to limit+1 rows (one extra row
 * means there is a next page, whose cursor is the last returned item's id). New reference. */
json_t *gf_db_page(const PGresult *res, int json_col, int id_col, int limit);

/* Maps a SQLSTATE to a domain code and a more specific reason (NULL when the code says it all);
 * exposed for tests. */
void gf_db_map_sqlstate(const char *sqlstate, gf_errcode *code, const char **reason);

#endif

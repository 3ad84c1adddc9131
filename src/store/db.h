/* db.h — PostgreSQL access: one connection per thread, prepared statements, parameters,
 * transactions, reconnection and the mapping of SQLSTATEs to domain codes.
 *
 * Every statement is a static gf_stmt with $n placeholders; parameters are passed as text, built
 * with a gf_db_args. A statement is prepared on a connection the first time that connection runs
 * it, and prepared again after the connection is reset. SQL is never built from user input. */
#ifndef GAPFORGE_DB_H
#define GAPFORGE_DB_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "gapforge/err.h"

typedef struct gf_stmt {
    const char *name; /* unique, used as the prepared statement's name */
    const char *sql;
} gf_stmt;

/* ---- parameters ---- */

/* The most parameters one statement may take (the widest, deal_events_insert, takes 15). */
#define GF_DB_MAX_ARGS 16

/* The parameters of one statement, appended in $n order and checked once. Start from
 * `gf_db_args a = {0};`. An argument past GF_DB_MAX_ARGS is dropped and sets the sticky `failed`
 * flag, which every exec function below turns into GF_EINTERNAL (logged with the statement's
 * name) before it touches the database, so a caller appends without checking (pgbouncer's
 * pktbuf). Numbers, dates, booleans and money are formatted into the builder itself; text is
 * borrowed and must outlive the exec. A builder may be copied and extended (the copy owns its
 * own formatted values). */
typedef struct gf_db_args {
    int n;
    bool failed;
    const char *text[GF_DB_MAX_ARGS]; /* borrowed text; NULL is SQL NULL */
    bool own[GF_DB_MAX_ARGS];         /* the value is buf[i], not text[i] */
    char buf[GF_DB_MAX_ARGS][24];
} gf_db_args;

/* Appends one parameter: an integer in decimal; text (NULL: SQL NULL); SQL NULL; "true" or
 * "false"; a day number as "YYYY-MM-DD"; cents as exact money text "units.cents". */
void gf_db_arg_i64(gf_db_args *a, int64_t v);
void gf_db_arg_text(gf_db_args *a, const char *s);
void gf_db_arg_null(gf_db_args *a);
void gf_db_arg_bool(gf_db_args *a, bool v);
void gf_db_arg_date(gf_db_args *a, int day);
void gf_db_arg_cents(gf_db_args *a, int64_t cents);

/* Fills p with the values of args (none when args is NULL), for libpq. Returns their count, or
 * -1 with an internal error (logged with the statement's name, what) when the builder failed. */
int gf_db_arg_values(const char *what, const gf_db_args *args, const char **p, gf_err *err)
    GF_MUST_CHECK;

/* ---- the connection ---- */

/* Sets the conninfo and statement timeout used by every thread's connection and by side
 * connections. Call once, before any other gf_db function. */
void gf_db_configure(const char *conninfo, int statement_timeout_ms);

/* Runs stmt with args (NULL: none) on this thread's connection. Returns a result with status
 * TUPLES_OK, COMMAND_OK or COPY_IN that the caller frees with PQclear, or NULL with err set:
 * conflict (unique/foreign key/exclusion), invalid (check/invalid text), unavailable (database
 * down, query cancelled, serialization failure), internal otherwise — a builder that failed
 * included, and a statement this connection cannot register because it already holds the most
 * prepared statements it may (logged once, with the statement's name). The database's own message
 * is logged, never put in err. Outside a transaction a broken connection is reset and the statement
 * retried once. */
PGresult *gf_db_exec_args(const gf_stmt *stmt, const gf_db_args *args, gf_err *err) GF_MUST_CHECK;

/* gf_db_exec_args for a statement whose result is not needed. Returns 0, or -1 with err. */
int gf_db_run(const gf_stmt *stmt, const gf_db_args *args, gf_err *err) GF_MUST_CHECK;

/* Runs sql unprepared with args (NULL: none) on connection pg, which the caller owns (a
 * dedicated or side connection). No reset, no retry. Result and errors as gf_db_exec_args. */
PGresult *gf_db_exec_on(PGconn *pg, const char *sql, const gf_db_args *args, gf_err *err)
    GF_MUST_CHECK;

/* Runs a parameterless SQL script (migrations only; may hold several statements). */
int gf_db_exec_script(const char *sql, gf_err *err) GF_MUST_CHECK;

/* The org this thread works for (0: none; a non-positive id clears it). While it is set, every
 * transaction of this thread's connection sets gapforge.org_id to it, transaction-locally
 * (set_config(..., true)), in the round trip of its BEGIN, and a statement run outside a
 * transaction runs in a one-round-trip pipeline with it; row-level security (migration 0017)
 * shows and accepts that org's rows only. */
void gf_db_set_org(int64_t org_id);
int64_t gf_db_org(void);

/* Sets gapforge.org_id to org_id for the transaction open on pg (a dedicated or side
 * connection). Returns 0, or -1 with err. */
int gf_db_set_org_on(PGconn *pg, int64_t org_id, gf_err *err) GF_MUST_CHECK;
/* Behind PgBouncer (gf_store_configure_pgbouncer), sets for the transaction open on pg, a
 * dedicated or side connection of this module, what its startup options set otherwise (the
 * statement timeout, and jit, work_mem and temp_buffers by its kind); a no-op otherwise. Call it
 * right after the BEGIN (after a SET TRANSACTION SNAPSHOT is fine too). Returns 0, or -1 with
 * err as gf_db_exec_on. (gf_db_begin does the same for this thread's connection.) */
int gf_db_local_settings(PGconn *pg, gf_err *err) GF_MUST_CHECK;

/* Transactions on this thread's connection. begin returns 0 or -1 (err set). commit returns 0 or
 * -1 (err set, transaction rolled back). rollback is safe to call when no transaction is open. */
int gf_db_begin(gf_err *err) GF_MUST_CHECK;
/* gf_db_begin of a REPEATABLE READ READ ONLY transaction (one snapshot for several reads). */
int gf_db_begin_snapshot(gf_err *err) GF_MUST_CHECK;
int gf_db_commit(gf_err *err) GF_MUST_CHECK;
void gf_db_rollback(void);

/* The raw connection of this thread (to stream COPY data after a COPY started with
 * gf_db_exec_args), or NULL with err when the database is unreachable. */
PGconn *gf_db_conn(gf_err *err) GF_MUST_CHECK;

/* Opens a new connection of its own for long work that spans several requests' worth of time,
 * such as a streamed bulk import: the same settings but statement_timeout_ms (0: none) and a
 * modest work_mem (32 MB). The caller owns it and closes it with PQfinish. Returns NULL with
 * GF_EUNAVAILABLE when the database is unreachable. */
PGconn *gf_db_connect_dedicated(int statement_timeout_ms, gf_err *err) GF_MUST_CHECK;

/* Opens a new connection with the settings of the per-thread connections, configured statement
 * timeout included (and JIT off), for a query that runs beside this thread's own, such as the
 * history load's parallel event reads. The caller owns it (PQfinish). Returns NULL with
 * GF_EUNAVAILABLE when the database is unreachable. */
PGconn *gf_db_connect_side(gf_err *err) GF_MUST_CHECK;

/* Reads every result left on pg once a COPY has ended (or a statement sent with PQsendQuery has
 * run). Returns 0 when all were COMMAND_OK; otherwise -1 with err filled from the first failing
 * one (err may be NULL: nothing is filled, the failure is still logged). */
int gf_db_drain(PGconn *pg, gf_err *err) GF_MUST_CHECK;

/* Fills err from a failed result on conn (mapped code, generic message) and logs the
 * database's own message. res may be NULL (the connection's message is logged then). */
void gf_db_fail(const PGresult *res, PGconn *conn, gf_err *err);

/* Closes this thread's connection (also done automatically when the thread exits). */
void gf_db_disconnect(void);

/* Closes a connection this module opened (a dedicated or side one), keeping the connection
 * metrics true. NULL is a no-op. */
void gf_db_close(PGconn *pg);

/* ---- results ---- */

/* gf_db_int64 parses column c of row r (0 when NULL). gf_db_text returns the value or NULL for
 * SQL NULL (borrowed from res). gf_db_json parses a json/jsonb column into a new reference (NULL
 * for SQL NULL or text that is not JSON). */
int64_t gf_db_int64(const PGresult *res, int r, int c);
const char *gf_db_text(const PGresult *res, int r, int c);
json_t *gf_db_json(const PGresult *res, int r, int c) GF_MUST_CHECK;

/* Parses decimal money text ("123.45", "-0.5", "12", "+7.") into exact cents, with no floating
 * point: digits beyond the second decimal round to the nearest cent, half away from zero, as
 * PostgreSQL's round(x, 2) does. Returns 0, or -1 (*cents untouched) when text is NULL, not a
 * plain decimal (no digit, an exponent, NaN, spaces) or beyond the int64 range of cents. */
int gf_db_parse_cents(const char *text, int64_t *cents) GF_MUST_CHECK;
/* gf_db_parse_cents of column c of row r of res; -1 for SQL NULL too. */
int gf_db_cents(const PGresult *res, int r, int c, int64_t *cents) GF_MUST_CHECK;
/* Writes cents as exact money text, "units.cents" with two decimals ("-0.50", "1234.05"). */
#define GF_DB_CENTS_TEXT 24
void gf_db_format_cents(int64_t cents, char out[GF_DB_CENTS_TEXT]);

/* Runs stmt and returns the JSON of column json_col of its single row (new reference); not found
 * naming what when there is no row. When col0 is non-NULL it receives column 0 as an integer (a
 * boolean counts as 1 or 0): an id, or "created?" of an upsert. NULL with err on failure. */
json_t *gf_db_one_json(const gf_stmt *stmt, const gf_db_args *args, int json_col, const char *what,
                       int64_t *col0, gf_err *err) GF_MUST_CHECK;

/* Runs one keyset-paginated list: appends limit + 1 to args as the statement's last parameter
 * (its LIMIT), runs stmt and builds {"items": [...], "next_cursor": "id" | null} from its
 * columns json_col (each item's JSON) and id_col (its id; the cursor is the last item's id when
 * there is a next page). limit must be at least 1 (invalid on field "limit" otherwise). Returns a
 * new reference, or NULL with err. */
json_t *gf_db_list(const gf_stmt *stmt, gf_db_args *args, int json_col, int id_col, int limit,
                   gf_err *err) GF_MUST_CHECK;

/* Maps a SQLSTATE to a domain code and a more specific reason (NULL when the code says it all);
 * exposed for tests. */
void gf_db_map_sqlstate(const char *sqlstate, gf_errcode *code, const char **reason);

#endif

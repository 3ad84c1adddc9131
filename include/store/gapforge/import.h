/* import.h — bulk imports: rows stream into COPY ... FROM STDIN on a staging table, then
 * set-based SQL validates and merges them, all in one transaction on a connection of the
 * import's own.
 *
 * An import kind (deals, ...) is a table: its columns, how to stage them and how to merge them.
 * The caller (the API layer) parses CSV or NDJSON and hands over rows as text values in the
 * kind's column order; nothing but one row and a small send buffer is held in memory. */
#ifndef GAPFORGE_IMPORT_H
#define GAPFORGE_IMPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gapforge/err.h"

#define GF_IMPORT_MAX_COLUMNS  16
#define GF_IMPORT_MAX_PROBLEMS 100

typedef struct gf_import gf_import;

/* One cell of a row as the import hands it to a kind's stager: trimmed of spaces, as btrim
 * trims; n == 0 is an empty cell (s may then be NULL). */
typedef struct gf_import_cell {
    const char *s;
    size_t n;
} gf_import_cell;

/* A kind that resolves its cells in C as rows arrive and stages them typed, instead of staging
 * text for SQL to resolve in a second pass over every row. Internal to the store. */
typedef struct gf_import_stager {
    /* With the connection in the import's transaction and the org set, before the COPY: takes
     * the locks, reads what resolving needs, creates the staging table and returns its state
     * (NULL with err on failure). */
    void *(*open)(gf_import *imp, gf_err *err);
    /* The COPY ... FROM STDIN statement of the table open created. */
    const char *copy_sql;
    /* Writes one staged row with gf_import_put_field and gf_import_end_row. invalid has bit i
     * set when column i is the kind's money column and its cell is not money. */
    int (*row)(gf_import *imp, void *state, long line, unsigned present, unsigned invalid,
               const gf_import_cell *cells, gf_err *err);
    void (*close)(void *state);
} gf_import_stager;

/* What an import kind looks like from outside: its name and its columns. */
typedef struct gf_import_kind {
    const char *name;            /* "deals" */
    const char *const *columns;  /* NULL-terminated, in staging order */
    const char *const *required; /* columns a file must have */
    /* Validates and merges the staged rows; fills counts and problems. Internal. */
    int (*merge)(gf_import *imp, gf_err *err);
    /* The column whose values (trimmed of spaces, as btrim) must not repeat, or NULL: the
     * import hashes them as rows arrive (gf_import_keys_may_repeat). */
    const char *unique_key;
    /* The column whose values must be money (1 to 16 digits, then at most a point and 1 or 2
     * digits), or NULL: the import checks them as rows arrive and sets bit i of the staged
     * `invalid` for a value that is not, so the merge casts the others without a regular
     * expression per row. */
    const char *money;
    /* NULL: the cells are staged as text, in column order, in import_staging. */
    const gf_import_stager *stager;
} gf_import_kind;

extern const gf_import_kind gf_import_deals;
extern const gf_import_kind gf_import_deal_events;
extern const gf_import_kind gf_import_kpi_observations;

typedef struct gf_import_options {
    int64_t org_id;
    bool skip_errors;         /* on_error=skip: import the good rows, report the rest */
    bool create_missing;      /* create unknown reps and stages instead of rejecting rows */
    const char *effective_at; /* timestamp of the changes (NULL: now) */
    /* backdate=false: a new deal's creation events are all at effective_at, even when its
     * created_on (or closed_on) is earlier. Default (false here): they are dated by them. */
    bool effective_only;
} gf_import_options;

/* Sets how many imports may run at once in this process (GAPFORGE_MAX_IMPORTS) and the
 * statement timeout of their connections (0: none). Before serving. */
void gf_import_configure(int max_running, int statement_timeout_ms);

/* Starts an import: takes one of the running slots, and with the first row (or at the end) a
 * dedicated connection, BEGIN, the staging table and COPY FROM STDIN, so an import whose body
 * has not begun to arrive holds no database connection. Returns NULL with err: unavailable
 * (reason too_many_imports) when every slot is taken. The row and finish calls answer
 * unavailable when the database is unreachable. */
gf_import *gf_import_begin(const gf_import_kind *kind, const gf_import_options *opt, gf_err *err)
    GF_MUST_CHECK;

/* Sends one row: values[i] for column i (NULL: empty), trimmed of spaces at both ends as SQL's
 * btrim trims (nothing but spaces: NULL in staging). line is the row's line in the file;
 * bit i of present says the row carries column i at all (absent columns keep the stored
 * value, present but empty ones clear it). */
int gf_import_row(gf_import *imp, long line, unsigned present, const char *const *values,
                  gf_err *err) GF_MUST_CHECK;

/* Records a problem the parser found in a row it could not send (bad JSON, wrong column count).
 * column may be NULL. The row counts as rejected. */
void gf_import_problem(gf_import *imp, long line, const char *column, const char *reason);

/* How a finished import ended. */
typedef enum gf_import_outcome {
    GF_IMPORT_COMMITTED, /* the good rows are in (all of them, or those kept by skip_errors) */
    GF_IMPORT_REFUSED,   /* atomic and some rows had problems: rolled back, nothing changed */
} gf_import_outcome;

/* Ends the stream, validates, merges and commits (or rolls back). Returns the answer
 * {kind, committed, inserted, updated, unchanged, rejected, problem_count,
 * problems: [{line, column, reason}], duration_ms} and sets *outcome (refused when an atomic
 * import had problems; the answer then lists them). NULL with err on a database failure
 * (*outcome untouched). Frees imp in every case. */
json_t *gf_import_finish(gf_import *imp, gf_import_outcome *outcome, gf_err *err) GF_MUST_CHECK;

/* Rolls back and frees an import that will not finish (client gone, parse failure). */
void gf_import_abort(gf_import *imp);

/* ---- for kinds' merge functions (store internals) ---- */
struct pg_conn;
/* Runs sql with the import's org id as $1 (and further text params); returns the result or
 * NULL with err. */
struct pg_result *gf_import_exec(gf_import *imp, const char *sql, int nparams,
                                 const char *const *params, gf_err *err) GF_MUST_CHECK;
/* Runs parameterless sql; returns the result or NULL with err. */
struct pg_result *gf_import_run(gf_import *imp, const char *sql, gf_err *err) GF_MUST_CHECK;
const gf_import_options *gf_import_opts(const gf_import *imp);
/* Records the outcome of the merge; bad_rows counts staged rows that had problems. */
void gf_import_set_counts(gf_import *imp, long inserted, long updated, long unchanged,
                          long bad_rows);
/* Keeps the problems of page (columns line, column, reason; the first ones by line) and adds
 * total to the count of problems found. */
void gf_import_add_problems(gf_import *imp, struct pg_result *page, long total);
/* Reads the problems the merge put in import_problems (line, col, reason): keeps the first 100
 * by line and column, counts them all, sets *bad_rows to the lines they name (recorded with
 * gf_import_set_counts). Returns 0 when the import is atomic and has problems (the caller rolls
 * back), 1 when it goes on, the rows with problems gone from import_rows, and -1 with err. */
int gf_import_take_problems(gf_import *imp, long *bad_rows, gf_err *err) GF_MUST_CHECK;
/* The bad_rows last recorded with gf_import_set_counts. */
void gf_import_get_bad_rows(const gf_import *imp, long *bad_rows);
/* Number of problems recorded so far (all, not just the first 100 kept). */
long gf_import_problem_count(const gf_import *imp);
/* False when no two staged rows can share the kind's unique_key (their hashes all differ), so
 * the merge need not search for repeats; true when they may, or the kind has no unique_key. */
bool gf_import_keys_may_repeat(const gf_import *imp);
/* The state the kind's stager opened, or NULL (no stager, or no row was staged yet). */
void *gf_import_stager_state(gf_import *imp);
/* For a stager's row: appends one field (s NULL: SQL NULL) to the staged row, in COPY text
 * format, and ends the row. */
int gf_import_put_field(gf_import *imp, const char *s, size_t n, gf_err *err) GF_MUST_CHECK;
int gf_import_end_row(gf_import *imp, gf_err *err) GF_MUST_CHECK;

#endif

/* service_backtest.h — backtests anyone can run: the org's forecast rebuilt at past days of past
 * periods, as GET /v1/forecast would have answered on each day, beside what was actually won and
 * beside the simple forecasts a team would otherwise use (weighted pipeline, run rate, the
 * latest commit), with their scores. For the API, the CLI and the tests; no model header.
 *
 * A backtest reads the org's history once and forecasts every (period, offset) row from it,
 * on every CPU: the model reads only data dated before each row's as_of, so each row equals
 * GET /v1/forecast?period=&scope=&as_of=&trials=&seed= to the cent. A job (POST /v1/backtests)
 * answers within gf_svc_options.backtest_wait_ms or leaves the backtest to finish in the
 * background and be read back from PostgreSQL by id, from any replica. */
#ifndef GAPFORGE_SERVICE_BACKTEST_H
#define GAPFORGE_SERVICE_BACKTEST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gapforge/err.h"
#include "gapforge/period.h"

#define GF_SVC_BACKTEST_MAX_PERIODS   40 /* periods one backtest may name */
#define GF_SVC_BACKTEST_MAX_OFFSETS   12 /* offsets one backtest may name */
#define GF_SVC_BACKTEST_LAST          4  /* periods when the request names none */
#define GF_SVC_BACKTEST_TRIALS        2000u
#define GF_SVC_BACKTEST_RATE_QUARTERS 4 /* the run rate's trailing quarters */

/* A backtest's parameters as the caller gave them (already of the right JSON types). */
typedef struct gf_svc_backtest_args {
    const char *scope;          /* "org", "team:KEY", "rep:KEY"; NULL: org */
    const char *const *periods; /* period specs; NULL: the `last` most recent ended quarters */
    size_t n_periods;           /* with periods: 1..GF_SVC_BACKTEST_MAX_PERIODS */
    bool has_last;              /* `last` was given (not with periods) */
    int64_t last;               /* 1..GF_SVC_BACKTEST_MAX_PERIODS; default 4 */
    const int64_t *offsets;     /* days from each period's start; NULL: 0, 30, 60 */
    size_t n_offsets;           /* with offsets: 1..GF_SVC_BACKTEST_MAX_OFFSETS */
    bool has_trials, has_seed;
    int64_t trials; /* 1000..the forecast's maximum; default 2000 */
    int64_t seed;   /* 0..2^53-1; default the forecast's */
} gf_svc_backtest_args;

/* A validated backtest. */
typedef struct gf_svc_backtest_req {
    int64_t org_id;
    char scope[80];
    gf_period periods[GF_SVC_BACKTEST_MAX_PERIODS];
    size_t n_periods;
    int offsets[GF_SVC_BACKTEST_MAX_OFFSETS];
    size_t n_offsets;
    unsigned trials;
    uint64_t seed;
    int today;              /* the org's today when it was validated (every period ended before) */
    const char *request_id; /* for the log line; may be NULL */
} gf_svc_backtest_req;

/* Validates args for org_id into req, reading the org's calendar, the scope and whether any deal
 * precedes the first as_of. GF_EINVALID naming the field: scope (unknown team or rep, as
 * GET /v1/forecast), periods (malformed, repeated, more than 40, empty, not yet ended, or no deal
 * created before the first as_of), last (with periods, or out of range), offsets (empty, more
 * than 12, repeated, negative or not inside every period), trials, seed. GF_EUNAVAILABLE when the
 * database is down. Writes nothing. */
int gf_svc_backtest_req_parse(int64_t org_id, const gf_svc_backtest_args *args,
                              gf_svc_backtest_req *req, gf_err *err) GF_MUST_CHECK;

/* The request as the job stores it: {scope, periods: [names], offsets, trials, seed}. New
 * reference. */
json_t *gf_svc_backtest_request_json(const gf_svc_backtest_req *req);

/* Runs the backtest now, in the caller's thread (and helper threads over the CPUs), and returns
 * its document: {scope, trials, seed, offsets, periods, model_version, rows: [...], summary,
 * by_offset: [...]} (openapi.yaml, BacktestResult). Writes nothing. New reference, or NULL with
 * err (GF_EUNAVAILABLE when the database is down, GF_EINTERNAL past
 * gf_svc_options.backtest_budget_ms). */
json_t *gf_svc_backtest_answer(const gf_svc_backtest_req *req, gf_err *err) GF_MUST_CHECK;

/* Starts the backtest as a job: stores it as running, runs it on a thread of its own and waits
 * up to gf_svc_options.backtest_wait_ms for it. Returns the job's document (id, status, request,
 * result, error, created_at, finished_at): done (*finished 1) when it finished in time, else
 * running (*finished 0) while it goes on in the background and stores its result (or its error)
 * when it ends. GF_EUNAVAILABLE (reason "backtests_busy") when gf_svc_options.backtest_jobs
 * backtests are already running in this process, and nothing is stored. New reference, or NULL
 * with err. */
json_t *gf_svc_backtest_submit(const gf_svc_backtest_req *req, int *finished, gf_err *err)
    GF_MUST_CHECK;

/* The document of the org's job id (another org's is not found). New reference, or NULL with
 * err. */
json_t *gf_svc_backtest_get(int64_t org_id, int64_t id, gf_err *err) GF_MUST_CHECK;

/* Waits until no job of this process is running (tests). */
void gf_svc_backtest_drain(void);

/* Cancels the jobs of this process (each stops before its next row and stores its failure,
 * reason "stopping"), refuses new ones and waits for them: for a clean stop. */
void gf_svc_backtest_shutdown(void);

#endif

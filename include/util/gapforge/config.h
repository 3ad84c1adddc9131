/* config.h — service configuration, read once from the environment.
 *
 * Variables (documented in the README): DATABASE_URL, GAPFORGE_LISTEN, GAPFORGE_THREADS,
 * GAPFORGE_ADMIN_TOKEN, GAPFORGE_MAX_BODY, GAPFORGE_STATEMENT_TIMEOUT_MS, GAPFORGE_MIGRATIONS,
 * GAPFORGE_CONNECTION_LIMIT, GAPFORGE_CONNECTION_TIMEOUT, GAPFORGE_MAX_IMPORT,
 * GAPFORGE_PLAN_BUDGET_MS, GAPFORGE_BACKTEST_WAIT_MS, GAPFORGE_BACKTEST_JOBS,
 * GAPFORGE_BACKTEST_BUDGET_MS, GAPFORGE_SNAPSHOT_AT. */
#ifndef GAPFORGE_CONFIG_H
#define GAPFORGE_CONFIG_H

#include <stddef.h>

#include "gapforge/err.h"

typedef struct gf_config {
    const char *database_url; /* libpq conninfo or URI; "" means libpq's defaults (PG*) */
    char listen_host[256];
    int listen_port;
    int threads;             /* HTTP worker threads, each with its own database connection */
    const char *admin_token; /* NULL when unset: POST /v1/orgs is then refused */
    size_t max_body;         /* bytes of a JSON request body */
    size_t max_import;       /* bytes of a streamed import body (GAPFORGE_MAX_IMPORT) */
    int statement_timeout_ms;
    const char *migrations_dir;
    unsigned connection_limit;
    unsigned connection_timeout_s;
    int plan_budget_ms;     /* work budget of one plan search (GAPFORGE_PLAN_BUDGET_MS) */
    int backtest_wait_ms;   /* how long POST /v1/backtests waits (GAPFORGE_BACKTEST_WAIT_MS) */
    int backtest_jobs;      /* backtests running at once (GAPFORGE_BACKTEST_JOBS) */
    int backtest_budget_ms; /* longest run of one backtest (GAPFORGE_BACKTEST_BUDGET_MS) */
    int snapshot_at;        /* UTC hour of the daily snapshots, -1 for off (GAPFORGE_SNAPSHOT_AT) */
} gf_config;

/* Reads the environment into cfg. Returns 0, or -1 with err naming the bad variable. */
int gf_config_from_env(gf_config *cfg, gf_err *err) GF_MUST_CHECK;

/* Splits "host:port", "[v6]:port" or ":port" into host and port. Returns 0 or -1. */
int gf_config_parse_listen(const char *text, char *host, size_t host_len, int *port) GF_MUST_CHECK;

#endif

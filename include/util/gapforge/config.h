/* config.h — service configuration, read once from the environment.
 *
 * Variables (documented in the README): DATABASE_URL, GAPFORGE_LISTEN, GAPFORGE_THREADS,
 * GAPFORGE_ADMIN_TOKEN, GAPFORGE_MAX_BODY, GAPFORGE_STATEMENT_TIMEOUT_MS, GAPFORGE_MIGRATIONS,
 * GAPFORGE_CONNECTION_LIMIT, GAPFORGE_CONNECTION_TIMEOUT, GAPFORGE_MAX_IMPORT,
 * GAPFORGE_PLAN_BUDGET_MS, GAPFORGE_BACKTEST_WAIT_MS, GAPFORGE_BACKTEST_JOBS,
 * GAPFORGE_BACKTEST_BUDGET_MS, GAPFORGE_SNAPSHOT_AT, GAPFORGE_PER_IP_CONNECTIONS,
 * GAPFORGE_HEADER_TIMEOUT, GAPFORGE_BODY_TIMEOUT, GAPFORGE_MIN_BODY_RATE,
 * GAPFORGE_MAX_JSON_VALUES, GAPFORGE_DRAIN_SECONDS, GAPFORGE_MAX_IMPORTS,
 * GAPFORGE_IMPORT_STATEMENT_TIMEOUT_MS, GAPFORGE_MAX_SIM_DRAWS, GAPFORGE_HISTORY_CACHE_MB,
 * GAPFORGE_ANSWER_CACHE_MB, GAPFORGE_VERSION_CHECK_MS, GAPFORGE_KEY_CACHE_ENTRIES,
 * GAPFORGE_CORS_ORIGINS, GAPFORGE_ALERTS_EVERY, GAPFORGE_WEBHOOK_ALLOW,
 * GAPFORGE_WEBHOOK_SCHEDULE, GAPFORGE_WEBHOOK_TIMEOUT_MS, GAPFORGE_WEBHOOK_CONNECT_TIMEOUT_MS,
 * GAPFORGE_WEBHOOK_THREADS, GAPFORGE_WEBHOOK_POLL_MS, GAPFORGE_WEBHOOK_KEY,
 * GAPFORGE_RATE_LIMIT. */
#ifndef GAPFORGE_CONFIG_H
#define GAPFORGE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "gapforge/err.h"
#include "gapforge/ratelimit.h"

typedef struct gf_config {
    const char *database_url; /* libpq conninfo or URI; "" means libpq's defaults (PG*) */
    char listen_host[256];
    int listen_port;
    int threads;             /* HTTP worker threads, each with its own database connection */
    const char *admin_token; /* NULL when unset: POST /v1/orgs is then refused */
    size_t max_body;         /* bytes of a JSON request body */
    size_t max_import;       /* bytes of a streamed import body (GAPFORGE_MAX_IMPORT) */
    int statement_timeout_ms;
    int pgbouncer; /* GAPFORGE_PGBOUNCER=1: unnamed statements, settings per transaction */
    const char *migrations_dir;
    unsigned connection_limit;
    unsigned connection_timeout_s;
    int plan_budget_ms;     /* work budget of one plan search (GAPFORGE_PLAN_BUDGET_MS) */
    int backtest_wait_ms;   /* how long POST /v1/backtests waits (GAPFORGE_BACKTEST_WAIT_MS) */
    int indicator_arl0;     /* the change detector's in-control run length, weeks
                               (GAPFORGE_INDICATOR_ARL0) */
    int backtest_jobs;      /* backtests running at once (GAPFORGE_BACKTEST_JOBS) */
    int backtest_budget_ms; /* longest run of one backtest (GAPFORGE_BACKTEST_BUDGET_MS) */
    int snapshot_at;        /* UTC hour of the daily snapshots, -1 for off (GAPFORGE_SNAPSHOT_AT) */
    unsigned per_ip_connections; /* connections at once per client address, 0: no limit */
    unsigned header_timeout_s; /* a complete request header within this (GAPFORGE_HEADER_TIMEOUT) */
    unsigned body_timeout_s;   /* grace for a body (GAPFORGE_BODY_TIMEOUT) ... */
    size_t min_body_rate;      /* ... plus a second per this many bytes (GAPFORGE_MIN_BODY_RATE) */
    size_t max_json_values;    /* values of a JSON body (GAPFORGE_MAX_JSON_VALUES), 0: no cap */
    int drain_seconds;         /* SIGTERM: the longest wait for requests in flight */
    int max_imports;           /* bulk imports running at once (GAPFORGE_MAX_IMPORTS) */
    int import_statement_timeout_ms; /* statement_timeout of import connections, 0: none */
    double max_sim_draws;     /* trials x (open deals + new deals) of one simulation, else 503 */
    int history_cache_mb;     /* GAPFORGE_HISTORY_CACHE_MB (gf_svc_options.history_cache_mb) */
    int answer_cache_mb;      /* GAPFORGE_ANSWER_CACHE_MB */
    int version_check_ms;     /* GAPFORGE_VERSION_CHECK_MS */
    int key_cache_entries;    /* GAPFORGE_KEY_CACHE_ENTRIES */
    const char *cors_origins; /* GAPFORGE_CORS_ORIGINS: exact origins, "" for none */
    /* Alerts and webhooks. */
    int alerts_every_ms;         /* rule evaluation period, -1 for off (GAPFORGE_ALERTS_EVERY) */
    const char *webhook_allow;   /* hosts allowed over http and on private addresses, or NULL */
    int webhook_schedule_ms[16]; /* GAPFORGE_WEBHOOK_SCHEDULE; webhook_attempts 0: the default */
    int webhook_attempts;
    int webhook_timeout_ms;         /* GAPFORGE_WEBHOOK_TIMEOUT_MS */
    int webhook_connect_timeout_ms; /* GAPFORGE_WEBHOOK_CONNECT_TIMEOUT_MS */
    int webhook_threads;            /* GAPFORGE_WEBHOOK_THREADS */
    int webhook_poll_ms;            /* GAPFORGE_WEBHOOK_POLL_MS */
    bool has_webhook_key;           /* GAPFORGE_WEBHOOK_KEY: 64 hex digits */
    unsigned char webhook_key[32];
    /* Requests per API key (GAPFORGE_RATE_LIMIT, per replica): rate 0 when off (the default). */
    gf_ratelimit_spec rate_limit;
    size_t rate_limit_keys; /* buckets kept at most: the least recently used one goes first */
} gf_config;

/* Reads the environment into cfg. Returns 0, or -1 with err naming the bad variable. */
int gf_config_from_env(gf_config *cfg, gf_err *err) GF_MUST_CHECK;

/* Parses a duration "0", "250ms", "5s", "15m" or "2h" into *ms (at most 10 days). Returns 0 or
 * -1. */
int gf_config_parse_duration(const char *text, int *ms) GF_MUST_CHECK;

/* Splits "host:port", "[v6]:port" or ":port" into host and port. Returns 0 or -1. */
int gf_config_parse_listen(const char *text, char *host, size_t host_len, int *port) GF_MUST_CHECK;

#endif

/* config.c — environment variables into gf_config. */
#include "gapforge/config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef GF_DATADIR
#define GF_DATADIR "/usr/share/gapforge"
#endif

/* True when text is an optional '-' followed by one or more decimal digits and nothing else;
 * strtol alone would also take leading spaces and a '+'. */
static bool plain_integer(const char *text)
{
    if (*text == '-')
        text++;
    if (!*text)
        return false;
    for (; *text; text++)
        if (*text < '0' || *text > '9')
            return false;
    return true;
}

static int parse_long(const char *name, const char *text, long min, long max, long *out,
                      gf_err *err)
{
    long v = 0;
    if (plain_integer(text)) {
        errno = 0;
        v = strtol(text, NULL, 10);
    }
    if (!plain_integer(text) || errno || v < min || v > max)
        return gf_err_set(err, GF_EINVALID, "bad_config", name,
                          "%s must be an integer in [%ld, %ld]", name, min, max);
    *out = v;
    return 0;
}

int gf_config_parse_listen(const char *text, char *host, size_t host_len, int *port)
{
    const char *colon;
    if (text[0] == '[') {
        const char *close = strchr(text, ']');
        if (!close || close[1] != ':')
            return -1;
        size_t n = (size_t)(close - text - 1);
        if (n + 1 > host_len)
            return -1;
        memcpy(host, text + 1, n);
        host[n] = '\0';
        colon = close + 1;
    } else {
        colon = strrchr(text, ':');
        if (!colon)
            return -1;
        size_t n = (size_t)(colon - text);
        if (n + 1 > host_len)
            return -1;
        memcpy(host, text, n);
        host[n] = '\0';
    }
    if (colon[1] == '-' || !plain_integer(colon + 1))
        return -1;
    errno = 0;
    long p = strtol(colon + 1, NULL, 10);
    if (errno || p > 65535)
        return -1;
    *port = (int)p;
    return 0;
}

int gf_config_parse_duration(const char *text, int *ms)
{
    static const struct {
        const char *unit;
        long scale;
    } units[] = {{"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}};
    char *end;
    if (!text || text[0] < '0' || text[0] > '9')
        return -1;
    errno = 0;
    const long v = strtol(text, &end, 10);
    if (errno || v < 0)
        return -1;
    if (!*end && v == 0) {
        *ms = 0;
        return 0;
    }
    for (size_t k = 0; k < sizeof units / sizeof units[0]; k++)
        if (strcmp(end, units[k].unit) == 0 && v <= 864000000L / units[k].scale) {
            *ms = (int)(v * units[k].scale);
            return 0;
        }
    return -1;
}

/* GAPFORGE_WEBHOOK_SCHEDULE: comma-separated durations, the first attempt's delay first. */
static int parse_schedule(const char *text, gf_config *cfg, gf_err *err)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", text);
    int n = 0;
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ')
            tok++;
        if (n == 16 || gf_config_parse_duration(tok, &cfg->webhook_schedule_ms[n]) < 0)
            return gf_err_set(err, GF_EINVALID, "bad_config", "GAPFORGE_WEBHOOK_SCHEDULE",
                              "GAPFORGE_WEBHOOK_SCHEDULE must be 1 to 16 comma-separated "
                              "durations such as 0,5s,5m,30m,2h");
        n++;
    }
    if (n == 0)
        return gf_err_set(err, GF_EINVALID, "bad_config", "GAPFORGE_WEBHOOK_SCHEDULE",
                          "GAPFORGE_WEBHOOK_SCHEDULE is empty");
    cfg->webhook_attempts = n;
    return 0;
}

/* GAPFORGE_WEBHOOK_KEY: 64 hex digits (32 bytes). */
static int parse_key(const char *text, gf_config *cfg, gf_err *err)
{
    if (strlen(text) != 64)
        goto bad;
    for (int k = 0; k < 32; k++) {
        unsigned v;
        if (sscanf(text + 2 * k, "%2x", &v) != 1 ||
            !strchr("0123456789abcdefABCDEF", text[2 * k]) ||
            !strchr("0123456789abcdefABCDEF", text[2 * k + 1]))
            goto bad;
        cfg->webhook_key[k] = (unsigned char)v;
    }
    cfg->has_webhook_key = true;
    return 0;
bad:
    return gf_err_set(err, GF_EINVALID, "bad_config", "GAPFORGE_WEBHOOK_KEY",
                      "GAPFORGE_WEBHOOK_KEY must be 64 hex digits (32 bytes)");
}

static const char *env_or(const char *name, const char *fallback)
{
    const char *v = getenv(name);
    return (v && *v) ? v : fallback;
}

int gf_config_from_env(gf_config *cfg, gf_err *err)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->database_url = env_or("DATABASE_URL", "");
    cfg->admin_token = env_or("GAPFORGE_ADMIN_TOKEN", NULL);

    const char *listen = env_or("GAPFORGE_LISTEN", "127.0.0.1:8080");
    if (gf_config_parse_listen(listen, cfg->listen_host, sizeof cfg->listen_host,
                               &cfg->listen_port) < 0)
        return gf_err_set(err, GF_EINVALID, "bad_config", "GAPFORGE_LISTEN",
                          "GAPFORGE_LISTEN must look like 127.0.0.1:8080 or [::1]:8080");

    long v;
    if (parse_long("GAPFORGE_THREADS", env_or("GAPFORGE_THREADS", "4"), 1, 256, &v, err) < 0)
        return -1;
    cfg->threads = (int)v;
    if (parse_long("GAPFORGE_MAX_BODY", env_or("GAPFORGE_MAX_BODY", "1048576"), 1024, 1L << 30, &v,
                   err) < 0)
        return -1;
    cfg->max_body = (size_t)v;
    if (parse_long("GAPFORGE_MAX_IMPORT", env_or("GAPFORGE_MAX_IMPORT", "1073741824"), 1024,
                   1L << 40, &v, err) < 0)
        return -1;
    cfg->max_import = (size_t)v;
    if (parse_long("GAPFORGE_STATEMENT_TIMEOUT_MS",
                   env_or("GAPFORGE_STATEMENT_TIMEOUT_MS", "15000"), 0, 3600000, &v, err) < 0)
        return -1;
    cfg->statement_timeout_ms = (int)v;
    if (parse_long("GAPFORGE_PGBOUNCER", env_or("GAPFORGE_PGBOUNCER", "0"), 0, 1, &v, err) < 0)
        return -1;
    cfg->pgbouncer = (int)v;
    if (parse_long("GAPFORGE_PLAN_BUDGET_MS", env_or("GAPFORGE_PLAN_BUDGET_MS", "2000"), 1, 600000,
                   &v, err) < 0)
        return -1;
    cfg->plan_budget_ms = (int)v;
    if (parse_long("GAPFORGE_BACKTEST_WAIT_MS", env_or("GAPFORGE_BACKTEST_WAIT_MS", "2000"), 0,
                   600000, &v, err) < 0)
        return -1;
    cfg->backtest_wait_ms = (int)v;
    if (parse_long("GAPFORGE_INDICATOR_ARL0", env_or("GAPFORGE_INDICATOR_ARL0", "52"), 2, 100000,
                   &v, err) < 0)
        return -1;
    cfg->indicator_arl0 = (int)v;
    if (parse_long("GAPFORGE_BACKTEST_JOBS", env_or("GAPFORGE_BACKTEST_JOBS", "2"), 1, 64, &v,
                   err) < 0)
        return -1;
    cfg->backtest_jobs = (int)v;
    if (parse_long("GAPFORGE_BACKTEST_BUDGET_MS", env_or("GAPFORGE_BACKTEST_BUDGET_MS", "600000"),
                   1000, 3600000, &v, err) < 0)
        return -1;
    cfg->backtest_budget_ms = (int)v;
    const char *snap = env_or("GAPFORGE_SNAPSHOT_AT", "06");
    if (strcmp(snap, "off") == 0)
        cfg->snapshot_at = -1;
    else if (parse_long("GAPFORGE_SNAPSHOT_AT", snap, 0, 23, &v, err) < 0)
        return -1;
    else
        cfg->snapshot_at = (int)v;
    if (parse_long("GAPFORGE_CONNECTION_LIMIT", env_or("GAPFORGE_CONNECTION_LIMIT", "512"), 1,
                   65535, &v, err) < 0)
        return -1;
    cfg->connection_limit = (unsigned)v;
    if (parse_long("GAPFORGE_CONNECTION_TIMEOUT", env_or("GAPFORGE_CONNECTION_TIMEOUT", "30"), 1,
                   3600, &v, err) < 0)
        return -1;
    cfg->connection_timeout_s = (unsigned)v;
    if (parse_long("GAPFORGE_PER_IP_CONNECTIONS", env_or("GAPFORGE_PER_IP_CONNECTIONS", "64"), 0,
                   65535, &v, err) < 0)
        return -1;
    cfg->per_ip_connections = (unsigned)v;
    if (parse_long("GAPFORGE_HEADER_TIMEOUT", env_or("GAPFORGE_HEADER_TIMEOUT", "10"), 0, 3600, &v,
                   err) < 0)
        return -1;
    cfg->header_timeout_s = (unsigned)v;
    if (parse_long("GAPFORGE_BODY_TIMEOUT", env_or("GAPFORGE_BODY_TIMEOUT", "30"), 0, 3600, &v,
                   err) < 0)
        return -1;
    cfg->body_timeout_s = (unsigned)v;
    if (parse_long("GAPFORGE_MIN_BODY_RATE", env_or("GAPFORGE_MIN_BODY_RATE", "16384"), 0, 1L << 30,
                   &v, err) < 0)
        return -1;
    cfg->min_body_rate = (size_t)v;
    if (parse_long("GAPFORGE_MAX_JSON_VALUES", env_or("GAPFORGE_MAX_JSON_VALUES", "20000"), 0,
                   1L << 30, &v, err) < 0)
        return -1;
    cfg->max_json_values = (size_t)v;
    if (parse_long("GAPFORGE_DRAIN_SECONDS", env_or("GAPFORGE_DRAIN_SECONDS", "20"), 0, 3600, &v,
                   err) < 0)
        return -1;
    cfg->drain_seconds = (int)v;
    if (parse_long("GAPFORGE_MAX_IMPORTS", env_or("GAPFORGE_MAX_IMPORTS", "4"), 1, 256, &v, err) <
        0)
        return -1;
    cfg->max_imports = (int)v;
    if (parse_long("GAPFORGE_IMPORT_STATEMENT_TIMEOUT_MS",
                   env_or("GAPFORGE_IMPORT_STATEMENT_TIMEOUT_MS", "600000"), 0, 86400000, &v,
                   err) < 0)
        return -1;
    cfg->import_statement_timeout_ms = (int)v;
    if (parse_long("GAPFORGE_MAX_SIM_DRAWS", env_or("GAPFORGE_MAX_SIM_DRAWS", "10000000000"),
                   1000000, 1L << 50, &v, err) < 0)
        return -1;
    cfg->max_sim_draws = (double)v;
    /* Exact caching and CORS (README "Caching", "CORS"). */
    if (parse_long("GAPFORGE_HISTORY_CACHE_MB", env_or("GAPFORGE_HISTORY_CACHE_MB", "512"), 0,
                   1L << 20, &v, err) < 0)
        return -1;
    cfg->history_cache_mb = (int)v;
    if (parse_long("GAPFORGE_ANSWER_CACHE_MB", env_or("GAPFORGE_ANSWER_CACHE_MB", "64"), 0,
                   1L << 20, &v, err) < 0)
        return -1;
    cfg->answer_cache_mb = (int)v;
    if (parse_long("GAPFORGE_VERSION_CHECK_MS", env_or("GAPFORGE_VERSION_CHECK_MS", "1000"), 0,
                   60000, &v, err) < 0)
        return -1;
    cfg->version_check_ms = (int)v;
    if (parse_long("GAPFORGE_KEY_CACHE_ENTRIES", env_or("GAPFORGE_KEY_CACHE_ENTRIES", "4096"), 0,
                   65536, &v, err) < 0)
        return -1;
    cfg->key_cache_entries = (int)v;
    cfg->cors_origins = env_or("GAPFORGE_CORS_ORIGINS", "");

    const char *every = env_or("GAPFORGE_ALERTS_EVERY", "15m");
    if (strcmp(every, "off") == 0)
        cfg->alerts_every_ms = -1;
    else if (gf_config_parse_duration(every, &cfg->alerts_every_ms) < 0 ||
             cfg->alerts_every_ms < 1000)
        return gf_err_set(err, GF_EINVALID, "bad_config", "GAPFORGE_ALERTS_EVERY",
                          "GAPFORGE_ALERTS_EVERY must be off or a duration of at least 1s "
                          "such as 15m");
    cfg->webhook_allow = env_or("GAPFORGE_WEBHOOK_ALLOW", NULL);
    const char *sched = env_or("GAPFORGE_WEBHOOK_SCHEDULE", NULL);
    if (sched && parse_schedule(sched, cfg, err) < 0)
        return -1;
    if (parse_long("GAPFORGE_WEBHOOK_TIMEOUT_MS", env_or("GAPFORGE_WEBHOOK_TIMEOUT_MS", "15000"),
                   100, 300000, &v, err) < 0)
        return -1;
    cfg->webhook_timeout_ms = (int)v;
    if (parse_long("GAPFORGE_WEBHOOK_CONNECT_TIMEOUT_MS",
                   env_or("GAPFORGE_WEBHOOK_CONNECT_TIMEOUT_MS", "5000"), 100, 300000, &v, err) < 0)
        return -1;
    cfg->webhook_connect_timeout_ms = (int)v;
    if (parse_long("GAPFORGE_WEBHOOK_THREADS", env_or("GAPFORGE_WEBHOOK_THREADS", "2"), 1, 16, &v,
                   err) < 0)
        return -1;
    cfg->webhook_threads = (int)v;
    if (parse_long("GAPFORGE_WEBHOOK_POLL_MS", env_or("GAPFORGE_WEBHOOK_POLL_MS", "1000"), 10,
                   600000, &v, err) < 0)
        return -1;
    cfg->webhook_poll_ms = (int)v;
    const char *key = env_or("GAPFORGE_WEBHOOK_KEY", NULL);
    if (key && parse_key(key, cfg, err) < 0)
        return -1;

    const char *limit = env_or("GAPFORGE_RATE_LIMIT", "off");
    if (strcmp(limit, "off") != 0 && gf_ratelimit_parse(limit, &cfg->rate_limit) < 0)
        return gf_err_set(err, GF_EINVALID, "bad_config", "GAPFORGE_RATE_LIMIT",
                          "GAPFORGE_RATE_LIMIT must be off or N/s or N/m (1 to 1000000 requests "
                          "per API key and second or minute) with an optional burst :B, such as "
                          "50/s (a burst of 100) or 600/m:50");
    cfg->rate_limit_keys = 65536;

    const char *mig = getenv("GAPFORGE_MIGRATIONS");
    if (mig && *mig)
        cfg->migrations_dir = mig;
    else if (access("migrations", R_OK | X_OK) == 0)
        cfg->migrations_dir = "migrations";
    else
        cfg->migrations_dir = GF_DATADIR "/migrations";
    return 0;
}

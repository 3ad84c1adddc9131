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
    if (parse_long("GAPFORGE_PLAN_BUDGET_MS", env_or("GAPFORGE_PLAN_BUDGET_MS", "2000"), 1, 600000,
                   &v, err) < 0)
        return -1;
    cfg->plan_budget_ms = (int)v;
    if (parse_long("GAPFORGE_BACKTEST_WAIT_MS", env_or("GAPFORGE_BACKTEST_WAIT_MS", "2000"), 0,
                   600000, &v, err) < 0)
        return -1;
    cfg->backtest_wait_ms = (int)v;
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

    const char *mig = getenv("GAPFORGE_MIGRATIONS");
    if (mig && *mig)
        cfg->migrations_dir = mig;
    else if (access("migrations", R_OK | X_OK) == 0)
        cfg->migrations_dir = "migrations";
    else
        cfg->migrations_dir = GF_DATADIR "/migrations";
    return 0;
}

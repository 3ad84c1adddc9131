/* auth.c — who is calling: API keys for org routes, the admin token for service routes. */
#include <pthread.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "gapforge/api.h"
#include "gapforge/crypto.h"
#include "gapforge/log.h"
#include "gapforge/metrics.h"
#include "gapforge/ratelimit.h"
#include "gapforge/store.h"

/* The per-key request limit (GAPFORGE_RATE_LIMIT): made once from the configuration, NULL while
 * limiting is off. It lives as long as the process. */
static gf_ratelimit *g_limit;
static pthread_once_t g_limit_once = PTHREAD_ONCE_INIT;

static gf_metric *limited_metric(void)
{
    return gf_metric_get("gapforge_http_rate_limited_total", GF_METRIC_COUNTER,
                         "Requests refused with 429 by the per-API-key rate limit "
                         "(GAPFORGE_RATE_LIMIT)",
                         "", NULL, 0);
}

static void make_limit(void)
{
    const gf_config *cfg = gf_api_config();
    gf_metric_add(limited_metric(), NULL, 0); /* listed in /metrics from the start, at 0 */
    if (!(cfg->rate_limit.rate > 0))
        return;
    g_limit = gf_ratelimit_new(cfg->rate_limit, cfg->rate_limit_keys);
    if (!g_limit)
        gf_log("error", "the rate limit could not be set up (out of memory): not limiting", NULL);
    else
        gf_log("info", "rate limit per API key",
               json_pack("{s:f, s:f}", "per_second", cfg->rate_limit.rate, "burst",
                         cfg->rate_limit.burst));
}

void gf_api_rate_limit_init(void)
{
    pthread_once(&g_limit_once, make_limit);
}

/* Takes one request of key_id's allowance; on refusal fills err (429) and who->retry_after_s. */
static int rate_limit(int64_t key_id, gf_principal *who, gf_err *err)
{
    gf_api_rate_limit_init();
    if (!g_limit)
        return 0;
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    const int64_t now_ms = (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
    int64_t retry_ms = 0;
    if (gf_ratelimit_take(g_limit, key_id, now_ms, &retry_ms))
        return 0;
    gf_metric_add(limited_metric(), NULL, 1);
    who->retry_after_s = (long)gf_ratelimit_retry_after_s(retry_ms);
    return gf_err_set(err, GF_ERATELIMITED, NULL, NULL,
                      "this API key is over its rate limit; retry after %ld s", who->retry_after_s);
}

/* The token after "Bearer ", or NULL. */
static const char *bearer(const char *authorization)
{
    if (!authorization || strncasecmp(authorization, "Bearer ", 7) != 0)
        return NULL;
    const char *t = authorization + 7;
    while (*t == ' ')
        t++;
    return *t ? t : NULL;
}

/* Compares the presented token with the configured admin token by their hashes, so the time
 * taken reveals neither content nor length. */
static bool admin_token_ok(const char *token)
{
    const char *want = gf_api_config()->admin_token;
    if (!want || !token)
        return false;
    char a[65], b[65];
    gf_sha256_hex(token, strlen(token), a);
    gf_sha256_hex(want, strlen(want), b);
    return gf_const_time_eq(a, b, 64);
}

/* Scope bits a key's stored scopes grant: admin implies write, write implies read. */
static unsigned granted(unsigned key_bits)
{
    unsigned s = 0;
    if (key_bits & GF_KEY_ADMIN)
        s |= (1u << GF_SCOPE_ADMIN) | (1u << GF_SCOPE_WRITE) | (1u << GF_SCOPE_READ);
    if (key_bits & GF_KEY_WRITE)
        s |= (1u << GF_SCOPE_WRITE) | (1u << GF_SCOPE_READ);
    if (key_bits & GF_KEY_READ)
        s |= 1u << GF_SCOPE_READ;
    return s;
}

static const char *scope_name(gf_scope s)
{
    return s == GF_SCOPE_ADMIN ? "admin" : s == GF_SCOPE_WRITE ? "write" : "read";
}

int gf_api_org_before(gf_req *req, gf_resp *resp, void **state)
{
    gf_store_set_org(req->who.org_id); /* 0 for the service's own routes: no org's rows */
    return gf_api_idempotency_before(req, resp, state);
}

int gf_api_authenticate(const char *authorization, gf_scope scope, gf_principal *who, gf_err *err)
{
    memset(who, 0, sizeof *who);
    gf_store_set_org(0); /* this thread may have served another org's request last */
    const char *token = bearer(authorization);
    if (scope == GF_SCOPE_SERVICE) {
        if (!gf_api_config()->admin_token)
            return gf_err_set(err, GF_EFORBIDDEN, NULL, NULL,
                              "org creation is disabled: GAPFORGE_ADMIN_TOKEN is not set");
        if (!token)
            return gf_err_set(err, GF_EUNAUTHENTICATED, NULL, NULL,
                              "the service admin token is required");
        if (!admin_token_ok(token))
            return gf_err_set(err, GF_EFORBIDDEN, NULL, NULL,
                              "this is not the service admin token");
        who->scopes = 1u << GF_SCOPE_SERVICE;
        return 0;
    }
    if (!token)
        return gf_err_set(err, GF_EUNAUTHENTICATED, NULL, NULL,
                          "an API key is required: Authorization: Bearer <key>");
    unsigned bits = 0;
    if (gf_store_key_verify(token, &who->org_id, who->org_slug, &who->key_id, &bits, err) < 0)
        return -1;
    if (rate_limit(who->key_id, who, err) < 0)
        return -1;
    who->scopes = granted(bits);
    if (!(who->scopes & (1u << scope)))
        return gf_err_set(err, GF_EFORBIDDEN, NULL, NULL, "this API key lacks the %s scope",
                          scope_name(scope));
    return 0;
}

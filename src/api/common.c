/* common.c — helpers every resource handler shares: configuration, pagination, ids. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "gapforge/api.h"

static const gf_config *g_cfg;

void gf_api_init(const gf_config *cfg)
{
    g_cfg = cfg;
    gf_api_rate_limit_init();
}

const gf_config *gf_api_config(void)
{
    static const gf_config empty;
    return g_cfg ? g_cfg : &empty;
}

const char *gf_api_i64(int64_t v, char buf[24])
{
    snprintf(buf, 24, "%lld", (long long)v);
    return buf;
}

/* Parses a strictly positive decimal int64; returns 0 or -1. */
static int parse_positive(const char *text, int64_t *out)
{
    if (!text || !*text)
        return -1;
    for (const char *p = text; *p; p++)
        if (*p < '0' || *p > '9')
            return -1;
    errno = 0;
    char *end = NULL;
    long long v = strtoll(text, &end, 10);
    if (errno || *end || v <= 0)
        return -1;
    *out = v;
    return 0;
}

int gf_api_page_params(const gf_req *req, int *limit, int64_t *after, gf_err *err)
{
    *limit = 100;
    *after = 0;
    const char *l = gf_req_query(req, "limit");
    if (l) {
        int64_t v = 0;
        if (parse_positive(l, &v) < 0 || v > 500)
            return gf_err_invalid(err, "limit", "limit must be an integer from 1 to 500");
        *limit = (int)v;
    }
    const char *c = gf_req_query(req, "cursor");
    if (c && *c && parse_positive(c, after) < 0)
        return gf_err_invalid(err, "cursor", "cursor is not one this API returned");
    return 0;
}

int gf_api_path_id(const char *text, const char *what, int64_t *id, gf_err *err)
{
    if (parse_positive(text, id) < 0)
        return gf_err_not_found(err, what);
    return 0;
}

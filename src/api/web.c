/* web.c — the dashboard: index.html at / and its files at /assets/<hash>/<name>.
 *
 * Public like the health checks: the files carry no tenant's data. The page asks for an API key
 * and calls the public API with it. Every answer here carries a Content-Security-Policy that
 * allows scripts, styles and connections to this origin only (no inline script or style). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gapforge/api.h"
#include "gapforge/web.h"

/* The page's policy: everything from this origin, nothing inline, no plugin, no framing. */
static const char web_csp[] = "default-src 'self'; script-src 'self'; style-src 'self'; "
                              "img-src 'self' data:; connect-src 'self'; object-src 'none'; "
                              "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const gf_web_asset *gf_web_find(const char *name)
{
    for (size_t i = 0; i < gf_web_nassets; i++)
        if (strcmp(gf_web_assets[i].name, name) == 0)
            return &gf_web_assets[i];
    return NULL;
}

/* Whether an If-None-Match header names etag (a list, or "*"). */
static bool etag_matches(const char *header, const char *etag)
{
    if (!header)
        return false;
    if (strcmp(header, "*") == 0)
        return true;
    return strstr(header, etag) != NULL;
}

/* Answers asset a (copied: the response owns its text) with cache_control, or 304 when the
 * client already holds it. */
static void answer(gf_req *req, gf_resp *resp, const gf_web_asset *a, const char *cache_control)
{
    snprintf(resp->etag, sizeof resp->etag, "\"%s\"", a->hash);
    resp->cache_control = cache_control;
    resp->csp = web_csp;
    if (etag_matches(gf_req_header(req, "If-None-Match"), resp->etag)) {
        resp->status = 304;
        return;
    }
    char *copy = malloc(a->len ? a->len : 1);
    if (!copy) {
        gf_err err;
        gf_err_set(&err, GF_EINTERNAL, "out_of_memory", NULL, "out of memory");
        gf_resp_error(resp, &err);
        return;
    }
    memcpy(copy, a->data, a->len);
    resp->status = 200;
    resp->text = copy;
    resp->text_len = a->len;
    resp->content_type = a->content_type;
}

void gf_api_web_index(gf_req *req, gf_resp *resp)
{
    const gf_web_asset *a = gf_web_find("index.html");
    if (!a) {
        gf_err err;
        gf_err_set(&err, GF_ENOTFOUND, "not_found", NULL, "this build has no dashboard");
        gf_resp_error(resp, &err);
        return;
    }
    /* The page names its assets by hash, so it must be revalidated on every load. */
    answer(req, resp, a, "no-cache");
}

void gf_api_web_asset(gf_req *req, gf_resp *resp)
{
    const char *hash = req->params[0], *name = req->params[1];
    const gf_web_asset *a = gf_web_find(name);
    /* An old hash is another content: a client holding it must reload the page. */
    if (!a || strcmp(a->name, "index.html") == 0 || strcmp(a->hash, hash) != 0) {
        gf_err err;
        gf_err_set(&err, GF_ENOTFOUND, "not_found", NULL, "no asset %.64s/%.64s", hash, name);
        gf_resp_error(resp, &err);
        return;
    }
    answer(req, resp, a, "public, max-age=31536000, immutable");
}

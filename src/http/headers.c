/* headers.c — response headers: caching (ETag, Cache-Control), CORS, the CSV attachment and the
 * transport's own (see headers.h). */
#include "headers.h"

#include <stdio.h>
#include <string.h>

/* The request's Origin when it is one of the allowed origins (exact match), else NULL. */
static const char *allowed_origin(const char *list, struct MHD_Connection *c)
{
    const char *origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
    if (!list || !*list || !origin || !*origin)
        return NULL;
    const size_t n = strlen(origin);
    for (const char *p = list; *p;) {
        p += strspn(p, ", ");
        const size_t len = strcspn(p, ", ");
        if (len == n && memcmp(p, origin, n) == 0)
            return origin;
        p += len;
    }
    return NULL;
}

/* Vary: Origin whenever CORS is configured; the CORS headers only for an allowed origin. */
static void add_cors(const char *list, struct MHD_Connection *c, struct MHD_Response *r)
{
    if (!list || !*list)
        return;
    MHD_add_response_header(r, "Vary", "Origin");
    const char *origin = allowed_origin(list, c);
    if (!origin)
        return;
    MHD_add_response_header(r, "Access-Control-Allow-Origin", origin);
    MHD_add_response_header(r, "Access-Control-Expose-Headers", "ETag, X-Request-Id, Retry-After");
}

/* The attachment's file name: the route's last literal segment ("deals.csv"). */
static void csv_filename(const gf_route *route, char *out, size_t cap)
{
    const char *p = route->pattern, *last = p;
    for (const char *s = p; *s; s++)
        if (*s == '/' && s[1] && s[1] != '{')
            last = s + 1;
    size_t n = strcspn(last, "/");
    snprintf(out, cap, "attachment; filename=\"%.*s.csv\"", (int)n, last);
}

void gf_http__add_answer_headers(struct MHD_Response *r, struct MHD_Connection *c,
                                 const gf_http_answer *a, const gf_resp *resp)
{
    if (a->csv_route) {
        char disposition[128];
        csv_filename(a->csv_route, disposition, sizeof disposition);
        MHD_add_response_header(r, "Content-Type", "text/csv; charset=utf-8; header=present");
        MHD_add_response_header(r, "Content-Disposition", disposition);
    } else if (a->json)
        MHD_add_response_header(r, "Content-Type", "application/json");
    MHD_add_response_header(r, "X-Request-Id", a->request_id);
    if (a->close)
        MHD_add_response_header(r, "Connection", "close");
    if (a->allow && *a->allow)
        MHD_add_response_header(r, "Allow", a->allow);
    if (resp->location[0])
        MHD_add_response_header(r, "Location", resp->location);
    if (resp->header[0][0])
        MHD_add_response_header(r, resp->header[0], resp->header[1]);
    if (resp->etag[0])
        MHD_add_response_header(r, "ETag", resp->etag);
    if (resp->cache_control)
        MHD_add_response_header(r, "Cache-Control", resp->cache_control);
    if (resp->csp) { /* the dashboard's files */
        MHD_add_response_header(r, "Content-Security-Policy", resp->csp);
        MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
        MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    }
    add_cors(a->cors_origins, c, r);
}

void gf_http__add_preflight_headers(struct MHD_Response *r, struct MHD_Connection *c,
                                    const char *cors_origins, const char *request_id,
                                    const char *allow)
{
    MHD_add_response_header(r, "X-Request-Id", request_id);
    MHD_add_response_header(r, "Allow", allow);
    add_cors(cors_origins, c, r);
    if (allowed_origin(cors_origins, c)) {
        MHD_add_response_header(r, "Access-Control-Allow-Methods", allow);
        MHD_add_response_header(r, "Access-Control-Allow-Headers",
                                "Authorization, Content-Type, If-None-Match, Idempotency-Key");
        MHD_add_response_header(r, "Access-Control-Max-Age", "600");
    }
}

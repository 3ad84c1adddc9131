/* http.h — the HTTP core: requests, responses, the routing table and the daemon.
 *
 * This layer knows nothing of the domain. A route names a handler and the scope it needs; the
 * server asks a caller-supplied authenticate hook whether the request may proceed. Handlers run
 * on the worker thread that owns the connection and may block (e.g. on PostgreSQL). */
#ifndef GAPFORGE_HTTP_H
#define GAPFORGE_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gapforge/err.h"

struct MHD_Connection;

#define GF_MAX_PATH_PARAMS 4

/* What a route requires of its caller. */
typedef enum gf_scope {
    GF_SCOPE_NONE = 0, /* public: health checks, the contract */
    GF_SCOPE_READ,     /* an API key with read (or write, or admin) */
    GF_SCOPE_WRITE,    /* an API key with write (or admin) */
    GF_SCOPE_ADMIN,    /* an API key with admin */
    GF_SCOPE_SERVICE,  /* the service admin token (GAPFORGE_ADMIN_TOKEN) */
} gf_scope;

/* Who is calling, filled by the authenticate hook. */
typedef struct gf_principal {
    int64_t org_id; /* 0 for the service admin and for public routes */
    int64_t key_id;
    char org_slug[64];
    unsigned scopes;    /* bit set of (1u << gf_scope) */
    long retry_after_s; /* with a refusal (429): the Retry-After to answer, in seconds; else 0 */
} gf_principal;

/* A request as the handler sees it. All pointers are borrowed and valid during the call. */
typedef struct gf_req {
    struct MHD_Connection *conn;
    const char *method;
    const char *path;
    const char *params[GF_MAX_PATH_PARAMS]; /* path parameters in pattern order, decoded: valid
                                               UTF-8 without NUL */
    size_t nparams;
    json_t *body; /* parsed JSON body, NULL when the request had none */
    const char *request_id;
    gf_principal who;
} gf_req;

/* The pages after the first of a list answered as CSV (streamed, never buffered whole): when the
 * client asks for CSV on a route with a table, the server writes the table of resp->body and
 * then of each page next yields, until next gives no page (0 with *page NULL). next returns 0
 * with *page a new JSON answer of the route's shape, or -1 with err: the body then ends cut short
 * with a transport error, the status having been sent. free (may be NULL) releases state once
 * the response is done — also when the answer is JSON, where the client pages with cursor. */
typedef struct gf_resp_pages {
    int (*next)(void *state, json_t **page, gf_err *err);
    void (*free)(void *state);
    void *state;
} gf_resp_pages;

/* A response under construction. */
typedef struct gf_resp {
    int status;
    json_t *body;        /* owned; NULL means an empty body */
    char location[256];  /* Location header when non-empty */
    gf_resp_pages pages; /* a list's later pages for CSV (next NULL: none) */
    char header[2][80];  /* one more response header when header[0] is non-empty: name, value */
    char *text;          /* owned; non-NULL: the body is this text of content_type, not JSON */
    size_t text_len;
    const char *content_type;  /* static */
    char etag[48];             /* ETag header when non-empty */
    const char *cache_control; /* Cache-Control header when non-NULL (static text) */
    const char *csp;           /* non-NULL (static text): Content-Security-Policy header, with
                                  X-Content-Type-Options: nosniff and Referrer-Policy: no-referrer */
} gf_resp;

typedef void (*gf_handler_fn)(gf_req *req, gf_resp *resp);

/* A route that consumes its body as a stream (bulk imports) instead of a buffered JSON value.
 * begin runs once the request is authenticated, before any body byte is read, and may refuse
 * (415, 422...) by returning -1 with err. chunk receives the body piece by piece; after it fails,
 * the rest of the body is discarded and finish is not called: the error is the answer. finish
 * answers the request. abort releases the state when the client went away (or after an error);
 * it is never called after finish. max_body caps the body (0: GAPFORGE_MAX_IMPORT). */
typedef struct gf_stream_ops {
    int (*begin)(gf_req *req, void **state, gf_err *err);
    int (*chunk)(void *state, const char *data, size_t len, gf_err *err);
    void (*finish)(void *state, gf_req *req, gf_resp *resp);
    void (*abort)(void *state);
} gf_stream_ops;

/* One row of the routing table. Patterns are literal segments and {name} parameters. */
typedef struct gf_route {
    const char *method;
    const char *pattern;
    gf_handler_fn handler;
    gf_scope scope;
    bool json_body;              /* the route reads a JSON body (POST/PUT/PATCH) */
    const gf_stream_ops *stream; /* non-NULL: the body is streamed to these callbacks */
    const char *csv; /* non-NULL: with Accept: text/csv a 200 answers this table of the JSON
                        answer as CSV (gapforge/csv_table.h path) */
} gf_route;

/* Decides whether the request may run a route needing `scope`, using the Authorization header
 * value (NULL when absent). Fills who on success and returns 0; returns -1 with err
 * (401/403/429/503) otherwise, with who->retry_after_s > 0 when the answer is to carry
 * Retry-After. */
typedef int (*gf_auth_fn)(const char *authorization, gf_scope scope, gf_principal *who,
                          gf_err *err);

/* Result of matching a method and path against the table. */
typedef enum gf_match {
    GF_MATCH_FOUND,
    GF_MATCH_NO_PATH,   /* 404 */
    GF_MATCH_NO_METHOD, /* 405: allow lists the methods the path accepts */
    GF_MATCH_BAD_PARAM, /* 400: a parameter's percent escapes do not decode to UTF-8 */
} gf_match;

/* Matches method+path, path as sent (percent-encoded, without the query). On GF_MATCH_FOUND sets
 * *route and fills params with the decoded parameters (pointers into buf, a caller-provided copy
 * area of at least strlen(path)+1 bytes); literal segments are compared undecoded. On
 * GF_MATCH_NO_METHOD writes a comma-separated list of allowed methods into allow. */
gf_match gf_http_route_match(const gf_route *routes, size_t nroutes, const char *method,
                             const char *path, const gf_route **route, const char **params,
                             size_t *nparams, char *buf, char *allow, size_t allow_len);

/* The HTTP status that answers a domain error code (500 for GF_OK or an unknown code): the one
 * place where codes become statuses. */
int gf_http_status_of(gf_errcode code);

/* Answers 200 with an already serialised JSON text (stolen; NULL answers 500), with a strong
 * ETag and Cache-Control: private, max-age=60; or, when not_modified, 304 with the ETag and no
 * body. */
void gf_resp_cached(gf_resp *resp, const char *etag, bool not_modified, char *text, size_t len);

/* Response helpers. gf_resp_json steals the reference to body. */
void gf_resp_json(gf_resp *resp, int status, json_t *body);
void gf_resp_error(gf_resp *resp, const gf_err *err);
/* Answers status with body when body is non-NULL (stealing it), else the error err: the tail of
 * nearly every handler. */
void gf_resp_result(gf_resp *resp, int status, json_t *body, const gf_err *err);
/* The error body {"error": {"code", "message", "field"?}} as a new JSON object. */
json_t *gf_http_error_body(const gf_err *err);

/* Request helpers: a query parameter or header value (NULL when absent). */
const char *gf_req_query(const gf_req *req, const char *name);
const char *gf_req_header(const gf_req *req, const char *name);

/* Optional hooks around every handler call of a buffered route (not streams, not answers the
 * transport gives itself). before runs after authentication and body parsing: it returns 0 to
 * call the handler, or 1 with resp filled (a stored answer, an error) to answer without it; state
 * is passed to after. after sees the handler's answer before it is sent (and may add a header);
 * it is not called when before answered. */
typedef struct gf_handler_hooks {
    int (*before)(gf_req *req, gf_resp *resp, void **state);
    void (*after)(gf_req *req, gf_resp *resp, void *state);
} gf_handler_hooks;

typedef struct gf_server gf_server;

typedef struct gf_server_options {
    const char *host;
    int port;
    int threads;
    size_t max_body;
    size_t max_stream_body; /* cap for streamed bodies (imports) */
    unsigned connection_limit;
    unsigned connection_timeout_s; /* idle: no byte at all for this long closes a connection */
    unsigned per_ip_limit;         /* connections at once from one address (0: no limit) */
    unsigned header_timeout_s;     /* a complete header within this of the connection's opening or
                                      its last answer, else 408 and closed (idle ones: closed);
                                      0: none */
    unsigned body_timeout_s;       /* a body within this plus one second per min_body_rate bytes
                                      received, else 408 and closed; 0: none */
    size_t min_body_rate;          /* bytes per second (0: only body_timeout_s counts) */
    size_t max_json_values;        /* values (containers, elements, members) of a JSON body, else
                                      413 too_many_values; 0: no cap */
    const gf_route *routes;
    size_t nroutes;
    gf_auth_fn authenticate;
    gf_handler_hooks hooks; /* both may be NULL */
    /* Called after every request other than GET, HEAD and OPTIONS of an org's key has been
     * handled, before its answer is sent (the caches learn of the write); may be NULL. */
    void (*after_write)(int64_t org_id);
    /* Browser origins allowed to call the API (CORS), exact "scheme://host[:port]" texts
     * separated by commas or spaces; NULL or "" allows none. Borrowed for the server's life. */
    const char *cors_origins;
} gf_server_options;

/* Starts the daemon. Returns a server to stop with gf_server_stop, or NULL with err. */
gf_server *gf_server_start(const gf_server_options *opt, gf_err *err) GF_MUST_CHECK;

/* Stops accepting, closes idle connections at once (answers from then on carry
 * "Connection: close"), waits up to drain_ms for the requests in flight to be answered, then
 * stops the daemon (closing whatever is still open) and frees the server. */
void gf_server_stop(gf_server *srv, int drain_ms);

#endif

/* server.c — the libmicrohttpd daemon: request life cycle, bodies, auth, logging, shutdown.
 *
 * Life of a request (see STYLE.md): the URI log callback keeps the path as sent (routing uses
 * it, so %2F stays inside a segment) and opens the request's context, so that every request is
 * logged, even one libmicrohttpd refuses itself; the first call routes, authenticates and checks
 * the body's declared size, type and transfer coding, and may answer at once (400, 404, 405,
 * 401, 403, 413, 415, 501); middle calls append body data up to the cap; the final call parses
 * the JSON and runs the handler.
 *
 * Connection deadlines and the drain are watchdog.c's; the headers an answer carries,
 * headers.c's; holding a JSON body and bounding its parse, body.c's. */
#include <arpa/inet.h>
#include <ctype.h>
#include <malloc.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "body.h"
#include "csv_stream.h"
#include "gapforge/crypto.h"
#include "gapforge/csv_table.h"
#include "gapforge/http.h"
#include "gapforge/log.h"
#include "gapforge/metrics.h"
#include "gapforge/utf8.h"
#include "headers.h"
#include "watchdog.h"

struct gf_server {
    struct MHD_Daemon *daemon;
    gf_server_options opt;
    gf_http_watch watch; /* the connections' deadlines; its opt is &opt */
};

/* Per-request state, from the first call of the access handler to the completion callback. */
typedef struct conn_ctx {
    struct timespec started;
    bool counted;        /* in the metrics */
    gf_http_conn *track; /* the connection's entry (NULL when it could not be made) */
    bool routed;         /* the access handler's first call has run */
    char request_id[65];
    char method[16];
    char *path;     /* the path as sent (percent-encoded, without the query): routing and log */
    char *path_buf; /* segments for the route parameters */
    const gf_route *route;
    const char *params[GF_MAX_PATH_PARAMS];
    size_t nparams;
    gf_principal who;
    gf_http_body body; /* a JSON body, up to max_body */
    bool answered;
    int status;
    void *stream_state; /* state of a streaming route between begin and finish/abort */
    size_t stream_bytes;
    gf_err stream_err; /* set when a streamed chunk failed: the answer once the body ends */
    const gf_server *srv;
} conn_ctx;

/* Moves the connection of ctx to phase (see gf_http__watch_phase). */
static void set_phase(gf_server *srv, conn_ctx *ctx, gf_http_phase phase)
{
    gf_http__watch_phase(&srv->watch, ctx->track, phase);
}

static double ms_since(const struct timespec *t0)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t0->tv_sec) * 1e3 + (double)(now.tv_nsec - t0->tv_nsec) / 1e6;
}

/* The server's own metrics: requests by route pattern (never the raw path), their durations
 * and those in flight. */
enum { M_REQUESTS, M_DURATION, M_INFLIGHT };
static gf_metric *http_metric(int which)
{
    switch (which) {
    case M_REQUESTS:
        return gf_metric_get("gapforge_http_requests_total", GF_METRIC_COUNTER,
                             "HTTP requests answered, by route pattern, method and status.",
                             "route,method,status", NULL, 0);
    case M_DURATION:
        return gf_metric_get("gapforge_http_request_duration_seconds", GF_METRIC_HISTOGRAM,
                             "Time from the request's first byte to its answer, by route pattern.",
                             "route", gf_metric_seconds_buckets, gf_metric_seconds_nbuckets);
    default:
        return gf_metric_get("gapforge_http_requests_in_flight", GF_METRIC_GAUGE,
                             "HTTP requests received and not yet answered.", "", NULL, 0);
    }
}

/* Counts the request once: when its answer is queued (so that a client that has the answer sees
 * it counted), or when it ends without one (status 0). */
static void count_request(conn_ctx *ctx)
{
    if (ctx->counted)
        return;
    ctx->counted = true;
    char status[8];
    snprintf(status, sizeof status, "%d", ctx->status);
    const char *route = ctx->route ? ctx->route->pattern : "unmatched";
    const char *method = ctx->route ? ctx->route->method : "other";
    gf_metric_add(http_metric(M_REQUESTS), (const char *[]){route, method, status}, 1);
    gf_metric_observe(http_metric(M_DURATION), (const char *[]){route},
                      ms_since(&ctx->started) / 1000.0);
    gf_metric_add(http_metric(M_INFLIGHT), NULL, -1);
}

/* Accepts a client's X-Request-Id when it is short and plain; otherwise makes one. */
static void set_request_id(conn_ctx *ctx, struct MHD_Connection *c)
{
    const char *given = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Request-Id");
    if (given) {
        size_t n = strlen(given);
        bool ok = n > 0 && n < sizeof ctx->request_id;
        for (size_t i = 0; ok && i < n; i++)
            ok = isalnum((unsigned char)given[i]) || strchr("-_.:", given[i]);
        if (ok) {
            memcpy(ctx->request_id, given, n + 1);
            return;
        }
    }
    if (gf_random_hex(ctx->request_id, 16) < 0)
        snprintf(ctx->request_id, sizeof ctx->request_id, "req-%ld", (long)time(NULL));
}

/* Whether the client asked for CSV (Accept names text/csv) on a route with a CSV table. */
static bool wants_csv(struct MHD_Connection *c, const conn_ctx *ctx)
{
    if (!ctx->route || !ctx->route->csv)
        return false;
    const char *accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept");
    return accept && strcasestr(accept, "text/csv") != NULL;
}

static enum MHD_Result queue(struct MHD_Connection *c, conn_ctx *ctx, gf_resp *resp,
                             const char *allow)
{
    char *text = NULL;
    size_t len = 0;
    if (resp->text && resp->status == 200 && wants_csv(c, ctx)) { /* a cached JSON answer */
        resp->body = json_loadb(resp->text, resp->text_len, 0, NULL);
        free(resp->text);
        resp->text = NULL;
    }
    bool csv = resp->body && resp->status == 200 && wants_csv(c, ctx);
    struct MHD_Response *r = NULL;
    gf_resp_pages pages = resp->pages;
    resp->pages = (gf_resp_pages){0};
    if (csv && pages.next) {
        r = gf_http_csv_stream(ctx->route->csv, resp->body, pages); /* takes body and pages */
        resp->body = NULL;
        if (!r)
            return MHD_NO;
    } else if (resp->text) {
        json_decref(resp->body);
        resp->body = NULL;
        r = MHD_create_response_from_buffer(resp->text_len, resp->text, MHD_RESPMEM_MUST_FREE);
        if (!r) {
            free(resp->text);
            resp->text = NULL;
            return MHD_NO;
        }
        MHD_add_response_header(r, "Content-Type", resp->content_type);
        resp->text = NULL;
    } else {
        if (pages.free)
            pages.free(pages.state);
        if (csv)
            csv = gf_csv_table(resp->body, ctx->route->csv, &text, &len) == 0;
        if (resp->body && !csv) {
            text = json_dumps(resp->body, JSON_COMPACT | JSON_REAL_PRECISION(15));
            len = text ? strlen(text) : 0;
        }
        r = MHD_create_response_from_buffer(len, text ? text : (void *)"",
                                            text ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
        if (!r) {
            free(text);
            return MHD_NO;
        }
    }
    const gf_http_answer a = {.request_id = ctx->request_id,
                              .csv_route = csv ? ctx->route : NULL,
                              .json = !csv && text,
                              .close = gf_http__draining(),
                              .allow = allow,
                              .cors_origins = ctx->srv->opt.cors_origins};
    gf_http__add_answer_headers(r, c, &a, resp);
    ctx->status = resp->status;
    ctx->answered = true;
    count_request(ctx);
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)resp->status, r);
    MHD_destroy_response(r);
    json_decref(resp->body);
    resp->body = NULL;
    return ret;
}

/* Answers one of the transport's own errors: code (its status from the one table) or, for
 * 405, which has no domain code, the status given. */
static enum MHD_Result queue_error(struct MHD_Connection *c, conn_ctx *ctx, gf_errcode code,
                                   const char *reason, const char *message, const char *allow)
{
    gf_err err;
    gf_err_set(&err, code, reason, NULL, "%s", message);
    gf_resp resp = {0};
    gf_resp_error(&resp, &err);
    if (allow)
        resp.status = 405;
    return queue(c, ctx, &resp, allow);
}

static enum MHD_Result queue_gf_error(struct MHD_Connection *c, conn_ctx *ctx, const gf_err *err)
{
    gf_resp resp = {0};
    gf_resp_error(&resp, err);
    return queue(c, ctx, &resp, NULL);
}

static bool is_json_type(const char *ct)
{
    if (!ct)
        return false;
    while (*ct == ' ')
        ct++;
    size_t n = strlen("application/json");
    return strncasecmp(ct, "application/json", n) == 0 &&
           (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* The request as handlers see it; body is the parsed JSON body or NULL. */
static gf_req make_req(struct MHD_Connection *c, conn_ctx *ctx, json_t *body)
{
    gf_req req = {
        .conn = c,
        .method = ctx->method,
        .path = ctx->path,
        .nparams = ctx->nparams,
        .body = body,
        .request_id = ctx->request_id,
        .who = ctx->who,
    };
    memcpy(req.params, ctx->params, sizeof req.params);
    return req;
}

static size_t stream_cap(const gf_server *srv)
{
    return srv->opt.max_stream_body ? srv->opt.max_stream_body : (size_t)1 << 30;
}

/* Streaming routes: let the route begin (it may refuse) once the declared size is checked. */
static enum MHD_Result begin_stream(gf_server *srv, struct MHD_Connection *c, conn_ctx *ctx)
{
    (void)srv;
    gf_req req = make_req(c, ctx, NULL);
    gf_err err = {0};
    if (ctx->route->stream->begin(&req, &ctx->stream_state, &err) < 0) {
        ctx->stream_state = NULL;
        return queue_gf_error(c, ctx, &err);
    }
    return MHD_YES;
}

/* Passes one piece of a streamed body on; after a failure the rest is dropped. */
static void stream_chunk(gf_server *srv, conn_ctx *ctx, const char *data, size_t n)
{
    if (!ctx->stream_state || ctx->stream_err.code)
        return;
    const gf_stream_ops *ops = ctx->route->stream;
    ctx->stream_bytes += n;
    if (ctx->stream_bytes > stream_cap(srv))
        gf_err_set(&ctx->stream_err, GF_ETOOLARGE, NULL, NULL,
                   "request body exceeds the import limit of %zu bytes", stream_cap(srv));
    else if (ops->chunk(ctx->stream_state, data, n, &ctx->stream_err) == 0)
        return;
    if (!ctx->stream_err.code)
        gf_err_internal(&ctx->stream_err);
    ops->abort(ctx->stream_state);
    ctx->stream_state = NULL;
}

/* Whether the declared body fits: unless cap is SIZE_MAX, a Content-Length within cap (what
 * names the limit in the message: "import " or NULL). Queues the answer and returns false when
 * not. */
static bool body_declared_ok(struct MHD_Connection *c, conn_ctx *ctx, size_t cap, const char *what,
                             enum MHD_Result *ret)
{
    char msg[160];
    const char *len = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
    if (len && cap != SIZE_MAX) {
        char *end = NULL;
        unsigned long long n = strtoull(len, &end, 10);
        if (end == len || n > cap) {
            snprintf(msg, sizeof msg, "request body exceeds the %slimit of %zu bytes",
                     what ? what : "", cap);
            *ret = queue_error(c, ctx, GF_ETOOLARGE, NULL, msg, NULL);
            return false;
        }
    }
    return true;
}

/* OPTIONS on a known path: a CORS preflight. An allowed origin learns the path's methods and the
 * request headers it may send; any other caller gets 204 with Allow and no CORS headers. */
static enum MHD_Result preflight(gf_server *srv, struct MHD_Connection *c, conn_ctx *ctx,
                                 const char *allow)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (!r)
        return MHD_NO;
    gf_http__add_preflight_headers(r, c, srv->opt.cors_origins, ctx->request_id, allow);
    ctx->status = 204;
    ctx->answered = true;
    count_request(ctx);
    enum MHD_Result ret = MHD_queue_response(c, 204, r);
    MHD_destroy_response(r);
    return ret;
}

/* Tells the caches that a request of an org's key may have written (any method but GET, HEAD
 * and OPTIONS), before its answer goes out. */
static void after_write(const gf_server *srv, const conn_ctx *ctx)
{
    if (srv->opt.after_write && ctx->who.org_id && strcmp(ctx->method, "GET") != 0 &&
        strcmp(ctx->method, "HEAD") != 0 && strcmp(ctx->method, "OPTIONS") != 0)
        srv->opt.after_write(ctx->who.org_id);
}

/* First call: route, authenticate, check the declared body. Returns MHD_YES to go on reading. */
static enum MHD_Result first_call(gf_server *srv, struct MHD_Connection *c, conn_ctx *ctx,
                                  const char *url, const char *method)
{
    snprintf(ctx->method, sizeof ctx->method, "%s", method);
    if (!ctx->path)
        ctx->path = strdup(url); /* no URI callback ran: the decoded path is all there is */
    if (!ctx->path)
        return MHD_NO;
    ctx->path_buf = malloc(strlen(ctx->path) + 1);
    if (!ctx->path_buf)
        return MHD_NO;
    set_request_id(ctx, c);
    set_phase(srv, ctx, GF_HTTP_PHASE_BODY);

    /* A transfer coding other than chunked: libmicrohttpd would read the body until the client
     * closes, so refuse it before anything else. */
    const char *te = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Transfer-Encoding");
    if (te && strcasecmp(te, "chunked") != 0) {
        char msg[192], name[128];
        gf_utf8_escape(te, strnlen(te, 40), name, sizeof name);
        snprintf(msg, sizeof msg, "Transfer-Encoding %s is not supported (only chunked)", name);
        return queue_error(c, ctx, GF_ENOTIMPLEMENTED, "unsupported_transfer_encoding", msg, NULL);
    }

    enum MHD_Result ret = MHD_YES;
    char allow[64];
    gf_match m =
        gf_http_route_match(srv->opt.routes, srv->opt.nroutes, method, ctx->path, &ctx->route,
                            ctx->params, &ctx->nparams, ctx->path_buf, allow, sizeof allow);
    if (strcmp(method, "OPTIONS") == 0 && m == GF_MATCH_NO_METHOD)
        return preflight(srv, c, ctx, allow);
    if (m == GF_MATCH_NO_PATH)
        return queue_error(c, ctx, GF_ENOTFOUND, NULL, "no such endpoint", NULL);
    if (m == GF_MATCH_NO_METHOD)
        return queue_error(c, ctx, GF_EINVALID, "method_not_allowed",
                           "method not allowed for this path", allow);
    if (m == GF_MATCH_BAD_PARAM)
        return queue_error(c, ctx, GF_EMALFORMED, "invalid_path",
                           "a path segment is not valid percent-encoded UTF-8", NULL);

    if (ctx->route->scope != GF_SCOPE_NONE) {
        gf_err err = {0};
        const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
        if (srv->opt.authenticate(auth, ctx->route->scope, &ctx->who, &err) < 0) {
            gf_resp resp = {0};
            gf_resp_error(&resp, &err);
            if (ctx->who.retry_after_s > 0) {
                snprintf(resp.header[0], sizeof resp.header[0], "Retry-After");
                snprintf(resp.header[1], sizeof resp.header[1], "%ld", ctx->who.retry_after_s);
            }
            return queue(c, ctx, &resp, NULL);
        }
    }

    if (ctx->route->stream) {
        if (!body_declared_ok(c, ctx, stream_cap(srv), "import ", &ret))
            return ret;
        return begin_stream(srv, c, ctx);
    }
    if (!body_declared_ok(c, ctx, ctx->route->json_body ? srv->opt.max_body : SIZE_MAX, NULL, &ret))
        return ret;
    if (ctx->route->json_body) {
        const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
        if (!is_json_type(ct))
            return queue_error(c, ctx, GF_EUNSUPPORTED, NULL,
                               "Content-Type must be application/json", NULL);
    }
    return MHD_YES;
}

/* Final call: parse the body and run the handler. */
static enum MHD_Result final_call(gf_server *srv, struct MHD_Connection *c, conn_ctx *ctx)
{
    char msg[256];
    set_phase(srv, ctx, GF_HTTP_PHASE_BUSY);
    if (ctx->route->stream) {
        if (ctx->stream_err.code || !ctx->stream_state)
            return queue_gf_error(c, ctx, &ctx->stream_err);
        gf_req req = make_req(c, ctx, NULL);
        gf_resp resp = {.status = 500};
        void *state = ctx->stream_state;
        ctx->stream_state = NULL;
        ctx->route->stream->finish(state, &req, &resp);
        after_write(srv, ctx);
        return queue(c, ctx, &resp, NULL);
    }
    if (ctx->body.too_large) {
        snprintf(msg, sizeof msg, "request body exceeds the limit of %zu bytes", srv->opt.max_body);
        return queue_error(c, ctx, GF_ETOOLARGE, NULL, msg, NULL);
    }
    json_t *body = NULL;
    if (ctx->route->json_body) {
        if (ctx->body.len == 0)
            return queue_error(c, ctx, GF_EMALFORMED, "invalid_json", "request body is empty",
                               NULL);
        const size_t cap = srv->opt.max_json_values;
        if (cap && gf_http__json_values_bound(ctx->body.data, ctx->body.len, cap) > cap) {
            snprintf(msg, sizeof msg,
                     "request body has more than %zu JSON values (elements and members)", cap);
            return queue_error(c, ctx, GF_ETOOLARGE, "too_many_values", msg, NULL);
        }
        json_error_t jerr;
        body = json_loadb(ctx->body.data, ctx->body.len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
                          &jerr);
        if (!body) {
            snprintf(msg, sizeof msg, "malformed JSON at line %d, column %d: %s", jerr.line,
                     jerr.column, jerr.text);
            return queue_error(c, ctx, GF_EMALFORMED, "invalid_json", msg, NULL);
        }
    }
    gf_req req = make_req(c, ctx, body);
    gf_resp resp = {.status = 500};
    void *hook_state = NULL;
    const gf_handler_hooks *hooks = &srv->opt.hooks;
    if (!hooks->before || hooks->before(&req, &resp, &hook_state) == 0) {
        ctx->route->handler(&req, &resp);
        if (hooks->after)
            hooks->after(&req, &resp, hook_state);
    }
    json_decref(body);
    after_write(srv, ctx);
    if (!resp.body && !resp.text && resp.status != 204 && resp.status != 304) {
        gf_err err;
        gf_err_internal(&err);
        gf_resp_error(&resp, &err);
    }
    return queue(c, ctx, &resp, NULL);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)version;
    gf_server *srv = cls;
    conn_ctx *ctx = *con_cls;
    if (!ctx)
        return MHD_NO; /* the URI callback could not make the context: out of memory */
    if (!ctx->routed) {
        ctx->routed = true;
        const enum MHD_Result ret = first_call(srv, c, ctx, url, method);
        if (ctx->answered)
            set_phase(srv, ctx,
                      GF_HTTP_PHASE_BUSY); /* libmicrohttpd now writes: no deadline, no 408 */
        return ret;
    }
    if (ctx->answered) {
        *upload_data_size = 0; /* a response is queued: discard whatever still arrives */
        return MHD_YES;
    }
    if (*upload_data_size) {
        gf_http__watch_body_bytes(&srv->watch, ctx->track, *upload_data_size);
        if (ctx->route->stream)
            stream_chunk(srv, ctx, upload_data, *upload_data_size);
        else
            gf_http__body_append(&ctx->body, upload_data, *upload_data_size, srv->opt.max_body);
        *upload_data_size = 0;
        return MHD_YES;
    }
    return final_call(srv, c, ctx);
}

/* libmicrohttpd's request-line callback, before it decodes anything: keeps the path as sent and
 * makes the request's context, so that requests it refuses itself (a malformed header, an
 * unsupported version) are logged too. The context is the request's *con_cls. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    gf_server *srv = cls;
    conn_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return NULL;
    clock_gettime(CLOCK_MONOTONIC, &ctx->started);
    ctx->srv = srv;
    gf_metric_add(http_metric(M_INFLIGHT), NULL, 1);
    ctx->path = strndup(uri, strcspn(uri, "?"));
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    ctx->track = info ? info->socket_context : NULL;
    set_phase(srv, ctx, GF_HTTP_PHASE_HEADERS);
    return ctx;
}

static const char *termination_name(enum MHD_RequestTerminationCode toe)
{
    switch (toe) {
    case MHD_REQUEST_TERMINATED_COMPLETED_OK:
        return NULL;
    case MHD_REQUEST_TERMINATED_TIMEOUT_REACHED:
        return "timeout";
    case MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN:
        return "shutdown";
    case MHD_REQUEST_TERMINATED_READ_ERROR:
        return "read_error";
    case MHD_REQUEST_TERMINATED_CLIENT_ABORT:
        return "client_abort";
    case MHD_REQUEST_TERMINATED_WITH_ERROR:
    default:
        return "error";
    }
}

/* The log line of every request: method, path, status, duration, request id and org, each
 * present (null when unknown) however the request ended. */
static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    gf_server *srv = cls;
    conn_ctx *ctx = *con_cls;
    if (!ctx)
        return;
    int status = ctx->status;
    const bool cut = gf_http__watch_was_cut(&srv->watch, ctx->track);
    if (!status && !ctx->answered) {
        /* libmicrohttpd answered (a protocol error) or nothing was (timeout, client gone). */
        const union MHD_ConnectionInfo *info =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_HTTP_STATUS);
        status = info ? (int)info->http_status : 0;
        if (!status && cut)
            status = gf_http_status_of(GF_ETIMEOUT);
    }
    char path[512];
    const char *p = ctx->path ? ctx->path : "";
    gf_utf8_escape(p, strlen(p), path, sizeof path);
    json_t *f = json_pack("{s:o, s:s, s:o, s:f, s:o, s:o}", "method",
                          ctx->method[0] ? json_string(ctx->method) : json_null(), "path", path,
                          "status", status ? json_integer(status) : json_null(), "duration_ms",
                          ms_since(&ctx->started), "request_id",
                          ctx->request_id[0] ? json_string(ctx->request_id) : json_null(), "org",
                          ctx->who.org_slug[0] ? json_string(ctx->who.org_slug) : json_null());
    const char *why = cut ? "deadline" : termination_name(toe);
    if (why)
        json_object_set_new(f, "terminated", json_string(why));
    gf_log(toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "info" : "warn", "request", f);
    if (!ctx->answered)
        ctx->status = status; /* the metrics count what libmicrohttpd answered too */
    count_request(ctx);
    if (ctx->stream_state)
        ctx->route->stream->abort(ctx->stream_state);
    const bool big = ctx->body.cap > (size_t)256 * 1024;
    free(ctx->path);
    free(ctx->path_buf);
    gf_http__body_free(&ctx->body);
    set_phase(srv, ctx, GF_HTTP_PHASE_IDLE);
    free(ctx);
    *con_cls = NULL;
    if (big)
        malloc_trim(0); /* give a large body's pages back at once */
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    gf_log("warn", msg, json_pack("{s:s}", "source", "libmicrohttpd"));
}

gf_server *gf_server_start(const gf_server_options *opt, gf_err *err)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_NUMERICHOST | AI_PASSIVE};
    struct addrinfo *ai = NULL;
    char port[16];
    snprintf(port, sizeof port, "%d", opt->port);
    const char *host = opt->host[0] ? opt->host : NULL;
    if (getaddrinfo(host, port, &hints, &ai) != 0 || !ai) {
        gf_err_set(err, GF_EINVALID, "bad_config", "GAPFORGE_LISTEN",
                   "cannot use listen address %s (numeric IPv4 or IPv6 expected)", opt->host);
        return NULL;
    }
    gf_server *srv = calloc(1, sizeof *srv);
    if (!srv) {
        freeaddrinfo(ai);
        gf_err_internal(err);
        return NULL;
    }
    srv->opt = *opt;
    gf_http__watch_init(&srv->watch, &srv->opt);
    unsigned flags =
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    if (ai->ai_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    srv->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, srv,
        MHD_OPTION_SOCK_ADDR, ai->ai_addr, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)opt->threads,
        MHD_OPTION_CONNECTION_TIMEOUT, opt->connection_timeout_s, MHD_OPTION_CONNECTION_LIMIT,
        opt->connection_limit, MHD_OPTION_PER_IP_CONNECTION_LIMIT, opt->per_ip_limit,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(128 * 1024), MHD_OPTION_URI_LOG_CALLBACK,
        on_uri, srv, MHD_OPTION_NOTIFY_CONNECTION, gf_http__watch_notify, &srv->watch,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv, MHD_OPTION_END);
    freeaddrinfo(ai);
    if (!srv->daemon) {
        gf_http__watch_destroy(&srv->watch);
        free(srv);
        gf_err_set(err, GF_EUNAVAILABLE, "listen_failed", "GAPFORGE_LISTEN",
                   "cannot listen on %s:%d (address in use or not permitted)", opt->host,
                   opt->port);
        return NULL;
    }
    if (!gf_http__watch_start(&srv->watch))
        gf_log("warn", "no connection watchdog (no thread): header and body deadlines are off",
               NULL);
    return srv;
}

void gf_server_stop(gf_server *srv, int drain_ms)
{
    if (!srv)
        return;
    gf_http__drain(srv->daemon, drain_ms);
    gf_http__watch_stop(&srv->watch);
    MHD_stop_daemon(srv->daemon);
    gf_http__watch_destroy(&srv->watch);
    free(srv);
}

/* server.c — the libmicrohttpd daemon: request life cycle, bodies, auth, logging, shutdown.
 *
 * Life of a request (see STYLE.md): the first call routes, authenticates and checks the body's
 * declared size and type, and may answer at once (404, 405, 401, 403, 413, 415); middle calls
 * append body data up to the cap; the final call parses the JSON and runs the handler. */
#include <arpa/inet.h>
#include <ctype.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "gapforge/crypto.h"
#include "gapforge/csv_table.h"
#include "gapforge/http.h"
#include "gapforge/log.h"

struct gf_server {
    struct MHD_Daemon *daemon;
    gf_server_options opt;
};

/* Per-request state, from the first call of the access handler to the completion callback. */
typedef struct conn_ctx {
    struct timespec started;
    char request_id[65];
    char method[16];
    char *path;     /* copy of the URL path, for the log */
    char *path_buf; /* segments for the route parameters */
    const gf_route *route;
    const char *params[GF_MAX_PATH_PARAMS];
    size_t nparams;
    gf_principal who;
    char *body;
    size_t body_len, body_cap;
    bool body_too_large;
    bool answered;
    int status;
    void *stream_state; /* state of a streaming route between begin and finish/abort */
    size_t stream_bytes;
    gf_err stream_err; /* set when a streamed chunk failed: the answer once the body ends */
} conn_ctx;

static double ms_since(const struct timespec *t0)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t0->tv_sec) * 1e3 + (double)(now.tv_nsec - t0->tv_nsec) / 1e6;
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

static enum MHD_Result queue(struct MHD_Connection *c, conn_ctx *ctx, gf_resp *resp,
                             const char *allow)
{
    char *text = NULL;
    size_t len = 0;
    bool csv = false;
    if (resp->body && resp->status == 200 && wants_csv(c, ctx))
        csv = gf_csv_table(resp->body, ctx->route->csv, &text, &len) == 0;
    if (resp->body && !csv) {
        text = json_dumps(resp->body, JSON_COMPACT | JSON_REAL_PRECISION(15));
        len = text ? strlen(text) : 0;
    }
    struct MHD_Response *r = MHD_create_response_from_buffer(
        len, text ? text : (void *)"", text ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!r) {
        free(text);
        return MHD_NO;
    }
    if (csv) {
        char disposition[128];
        csv_filename(ctx->route, disposition, sizeof disposition);
        MHD_add_response_header(r, "Content-Type", "text/csv; charset=utf-8; header=present");
        MHD_add_response_header(r, "Content-Disposition", disposition);
    } else if (text)
        MHD_add_response_header(r, "Content-Type", "application/json");
    MHD_add_response_header(r, "X-Request-Id", ctx->request_id);
    if (allow && *allow)
        MHD_add_response_header(r, "Allow", allow);
    if (resp->location[0])
        MHD_add_response_header(r, "Location", resp->location);
    ctx->status = resp->status;
    ctx->answered = true;
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

/* Streaming routes: check the declared size, then let the route begin (it may refuse). */
static enum MHD_Result begin_stream(gf_server *srv, struct MHD_Connection *c, conn_ctx *ctx)
{
    const char *len = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
    if (len) {
        char *end = NULL;
        unsigned long long n = strtoull(len, &end, 10);
        if (end == len || n > stream_cap(srv)) {
            char msg[128];
            snprintf(msg, sizeof msg, "request body exceeds the import limit of %zu bytes",
                     stream_cap(srv));
            return queue_error(c, ctx, GF_ETOOLARGE, NULL, msg, NULL);
        }
    }
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

/* First call: route, authenticate, check the declared body. Returns MHD_YES to go on reading. */
static enum MHD_Result first_call(gf_server *srv, struct MHD_Connection *c, conn_ctx *ctx,
                                  const char *url, const char *method)
{
    snprintf(ctx->method, sizeof ctx->method, "%s", method);
    ctx->path = strdup(url);
    ctx->path_buf = malloc(strlen(url) + 1);
    if (!ctx->path || !ctx->path_buf)
        return MHD_NO;
    set_request_id(ctx, c);

    char allow[64];
    gf_match m =
        gf_http_route_match(srv->opt.routes, srv->opt.nroutes, method, url, &ctx->route,
                            ctx->params, &ctx->nparams, ctx->path_buf, allow, sizeof allow);
    if (m == GF_MATCH_NO_PATH)
        return queue_error(c, ctx, GF_ENOTFOUND, NULL, "no such endpoint", NULL);
    if (m == GF_MATCH_NO_METHOD)
        return queue_error(c, ctx, GF_EINVALID, "method_not_allowed",
                           "method not allowed for this path", allow);

    if (ctx->route->scope != GF_SCOPE_NONE) {
        gf_err err = {0};
        const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
        if (srv->opt.authenticate(auth, ctx->route->scope, &ctx->who, &err) < 0)
            return queue_gf_error(c, ctx, &err);
    }

    if (ctx->route->stream)
        return begin_stream(srv, c, ctx);
    if (ctx->route->json_body) {
        const char *len = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        if (len) {
            char *end = NULL;
            unsigned long long n = strtoull(len, &end, 10);
            if (end == len || n > srv->opt.max_body) {
                char msg[128];
                snprintf(msg, sizeof msg, "request body exceeds the limit of %zu bytes",
                         srv->opt.max_body);
                return queue_error(c, ctx, GF_ETOOLARGE, NULL, msg, NULL);
            }
        }
        const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
        if (!is_json_type(ct))
            return queue_error(c, ctx, GF_EUNSUPPORTED, NULL,
                               "Content-Type must be application/json", NULL);
    }
    return MHD_YES;
}

/* Appends a chunk of body, or notes that the cap was passed (and drops the rest). */
static void append_body(gf_server *srv, conn_ctx *ctx, const char *data, size_t n)
{
    if (ctx->body_too_large)
        return;
    if (ctx->body_len + n > srv->opt.max_body) {
        ctx->body_too_large = true;
        free(ctx->body);
        ctx->body = NULL;
        ctx->body_len = ctx->body_cap = 0;
        return;
    }
    if (ctx->body_len + n + 1 > ctx->body_cap) {
        size_t cap = ctx->body_cap ? ctx->body_cap : 4096;
        while (cap < ctx->body_len + n + 1)
            cap *= 2;
        char *grown = realloc(ctx->body, cap);
        if (!grown) {
            ctx->body_too_large = true;
            return;
        }
        ctx->body = grown;
        ctx->body_cap = cap;
    }
    memcpy(ctx->body + ctx->body_len, data, n);
    ctx->body_len += n;
    ctx->body[ctx->body_len] = '\0';
}

/* Final call: parse the body and run the handler. */
static enum MHD_Result final_call(gf_server *srv, struct MHD_Connection *c, conn_ctx *ctx)
{
    char msg[256];
    if (ctx->route->stream) {
        if (ctx->stream_err.code || !ctx->stream_state)
            return queue_gf_error(c, ctx, &ctx->stream_err);
        gf_req req = make_req(c, ctx, NULL);
        gf_resp resp = {.status = 500};
        void *state = ctx->stream_state;
        ctx->stream_state = NULL;
        ctx->route->stream->finish(state, &req, &resp);
        return queue(c, ctx, &resp, NULL);
    }
    if (ctx->body_too_large) {
        snprintf(msg, sizeof msg, "request body exceeds the limit of %zu bytes", srv->opt.max_body);
        return queue_error(c, ctx, GF_ETOOLARGE, NULL, msg, NULL);
    }
    json_t *body = NULL;
    if (ctx->route->json_body) {
        if (ctx->body_len == 0)
            return queue_error(c, ctx, GF_EMALFORMED, "invalid_json", "request body is empty",
                               NULL);
        json_error_t jerr;
        body =
            json_loadb(ctx->body, ctx->body_len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
        if (!body) {
            snprintf(msg, sizeof msg, "malformed JSON at line %d, column %d: %s", jerr.line,
                     jerr.column, jerr.text);
            return queue_error(c, ctx, GF_EMALFORMED, "invalid_json", msg, NULL);
        }
    }
    gf_req req = make_req(c, ctx, body);
    gf_resp resp = {.status = 500};
    ctx->route->handler(&req, &resp);
    json_decref(body);
    if (!resp.body && resp.status != 204) {
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
    if (!ctx) {
        ctx = calloc(1, sizeof *ctx);
        if (!ctx)
            return MHD_NO;
        clock_gettime(CLOCK_MONOTONIC, &ctx->started);
        *con_cls = ctx;
        return first_call(srv, c, ctx, url, method);
    }
    if (ctx->answered) {
        *upload_data_size = 0; /* a response is queued: discard whatever still arrives */
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (ctx->route->stream)
            stream_chunk(srv, ctx, upload_data, *upload_data_size);
        else
            append_body(srv, ctx, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    return final_call(srv, c, ctx);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    conn_ctx *ctx = *con_cls;
    if (!ctx)
        return;
    json_t *f = json_pack("{s:s, s:s, s:i, s:f, s:s}", "method", ctx->method, "path",
                          ctx->path ? ctx->path : "", "status", ctx->status, "duration_ms",
                          ms_since(&ctx->started), "request_id", ctx->request_id);
    if (ctx->who.org_slug[0])
        json_object_set_new(f, "org", json_string(ctx->who.org_slug));
    if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK)
        json_object_set_new(f, "terminated", json_integer(toe));
    gf_log("info", "request", f);
    if (ctx->stream_state)
        ctx->route->stream->abort(ctx->stream_state);
    free(ctx->path);
    free(ctx->path_buf);
    free(ctx->body);
    free(ctx);
    *con_cls = NULL;
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
    unsigned flags =
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    if (ai->ai_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    srv->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, srv, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, srv,
        MHD_OPTION_SOCK_ADDR, ai->ai_addr, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)opt->threads,
        MHD_OPTION_CONNECTION_TIMEOUT, opt->connection_timeout_s, MHD_OPTION_CONNECTION_LIMIT,
        opt->connection_limit, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(128 * 1024),
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv, MHD_OPTION_END);
    freeaddrinfo(ai);
    if (!srv->daemon) {
        free(srv);
        gf_err_set(err, GF_EUNAVAILABLE, "listen_failed", "GAPFORGE_LISTEN",
                   "cannot listen on %s:%d (address in use or not permitted)", opt->host,
                   opt->port);
        return NULL;
    }
    return srv;
}

void gf_server_stop(gf_server *srv, int drain_ms)
{
    if (!srv)
        return;
    MHD_socket sock = MHD_quiesce_daemon(srv->daemon);
    for (int waited = 0; waited < drain_ms; waited += 20) {
        const union MHD_DaemonInfo *info =
            MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
        if (!info || info->num_connections == 0)
            break;
        usleep(20 * 1000);
    }
    MHD_stop_daemon(srv->daemon);
    if (sock != MHD_INVALID_SOCKET)
        close(sock);
    free(srv);
}

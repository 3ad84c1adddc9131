/* watchdog.c — connection tracking, the deadlines' watchdog thread and the drain (see
 * watchdog.h for the contract). */
#include "watchdog.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "gapforge/log.h"

/* Set while the (one) server drains, so that answers tell clients not to reuse the
 * connection. */
static atomic_bool g_draining;

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

void gf_http__watch_init(gf_http_watch *w, const gf_server_options *opt)
{
    w->opt = opt;
    w->conns = NULL;
    w->running = false;
    atomic_store(&w->stopping, false);
    pthread_mutex_init(&w->lock, NULL);
    atomic_store(&g_draining, false);
}

void gf_http__watch_phase(gf_http_watch *w, gf_http_conn *t, gf_http_phase phase)
{
    if (!t)
        return;
    pthread_mutex_lock(&w->lock);
    if (phase == GF_HTTP_PHASE_BODY) {
        t->body_ms = now_ms();
        t->body_bytes = 0;
    } else if (phase == GF_HTTP_PHASE_IDLE) {
        t->since_ms = now_ms();
        t->served = true;
    }
    t->phase = phase;
    pthread_mutex_unlock(&w->lock);
}

void gf_http__watch_body_bytes(gf_http_watch *w, gf_http_conn *t, size_t n)
{
    if (!t)
        return;
    pthread_mutex_lock(&w->lock);
    t->body_bytes += n;
    pthread_mutex_unlock(&w->lock);
}

bool gf_http__watch_was_cut(gf_http_watch *w, gf_http_conn *t)
{
    if (!t)
        return false;
    pthread_mutex_lock(&w->lock);
    const bool cut = t->cut;
    pthread_mutex_unlock(&w->lock);
    return cut;
}

void gf_http__watch_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                           enum MHD_ConnectionNotificationCode toe)
{
    gf_http_watch *w = cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        gf_http_conn *t = calloc(1, sizeof *t);
        const union MHD_ConnectionInfo *info =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (!t || !info) {
            free(t);
            *socket_context = NULL;
            return;
        }
        t->fd = info->connect_fd;
        t->phase = GF_HTTP_PHASE_IDLE;
        t->since_ms = now_ms();
        pthread_mutex_lock(&w->lock);
        t->next = w->conns;
        if (w->conns)
            w->conns->prev = t;
        w->conns = t;
        pthread_mutex_unlock(&w->lock);
        *socket_context = t;
        return;
    }
    gf_http_conn *t = *socket_context;
    if (!t)
        return;
    pthread_mutex_lock(&w->lock);
    if (t->prev)
        t->prev->next = t->next;
    else
        w->conns = t->next;
    if (t->next)
        t->next->prev = t->prev;
    pthread_mutex_unlock(&w->lock);
    free(t);
    *socket_context = NULL;
}

/* Ends a connection past its deadline: a JSON 408 when it was in the middle of a request
 * (libmicrohttpd writes nothing before the handler answers), then shutdown(2). Under the lock. */
static void cut_connection(gf_http_conn *t, bool answer)
{
    static const char resp408[] =
        "HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json\r\n"
        "Connection: close\r\nContent-Length: 89\r\n\r\n"
        "{\"error\":{\"code\":\"request_timeout\",\"message\":\"the request did not arrive in "
        "time\"}}";
    if (answer) {
        ssize_t n = send(t->fd, resp408, sizeof resp408 - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
        (void)n;
    }
    shutdown(t->fd, SHUT_RDWR);
    t->cut = true;
}

/* Whether an idle connection may be closed for the drain: nothing of a next request is waiting
 * in its socket (its worker may be busy with another connection), and it has been answered once
 * or has sent nothing for a second since it was opened. */
static bool idle_for_drain(const gf_http_conn *t, double now)
{
    int pending = 0;
    if (ioctl(t->fd, FIONREAD, &pending) == 0 && pending > 0)
        return false;
    return t->served || now - t->since_ms > 1e3;
}

/* The watchdog: four times a second, cuts the connections past their deadlines. */
static void *watchdog(void *arg)
{
    gf_http_watch *w = arg;
    const gf_server_options *o = w->opt;
    while (!atomic_load(&w->stopping)) {
        usleep(250 * 1000);
        const double now = now_ms();
        const bool draining = atomic_load(&g_draining);
        pthread_mutex_lock(&w->lock);
        for (gf_http_conn *t = w->conns; t; t = t->next) {
            if (t->cut)
                continue;
            if (t->phase == GF_HTTP_PHASE_IDLE &&
                ((draining && idle_for_drain(t, now)) ||
                 (o->header_timeout_s && now - t->since_ms > 1e3 * (double)o->header_timeout_s)))
                cut_connection(t, false);
            else if (t->phase == GF_HTTP_PHASE_HEADERS && o->header_timeout_s &&
                     now - t->since_ms > 1e3 * (double)o->header_timeout_s)
                cut_connection(t, true);
            else if (t->phase == GF_HTTP_PHASE_BODY && o->body_timeout_s &&
                     now - t->body_ms >
                         1e3 * ((double)o->body_timeout_s +
                                (o->min_body_rate ? (double)t->body_bytes / (double)o->min_body_rate
                                                  : 0.0)))
                cut_connection(t, true);
        }
        pthread_mutex_unlock(&w->lock);
    }
    return NULL;
}

bool gf_http__watch_start(gf_http_watch *w)
{
    w->running = pthread_create(&w->thread, NULL, watchdog, w) == 0;
    return w->running;
}

void gf_http__watch_stop(gf_http_watch *w)
{
    atomic_store(&w->stopping, true);
    if (w->running)
        pthread_join(w->thread, NULL);
    w->running = false;
}

void gf_http__watch_destroy(gf_http_watch *w)
{
    pthread_mutex_destroy(&w->lock);
}

bool gf_http__draining(void)
{
    return atomic_load(&g_draining);
}

/* Hands the connections already waiting in the listening socket's backlog to the daemon (which
 * accepts no more once quiesced), so that a client that connected just before the stop is
 * answered rather than reset; then closes the socket: from now on connections are refused. */
static void adopt_backlog(struct MHD_Daemon *daemon, MHD_socket sock)
{
    if (sock == MHD_INVALID_SOCKET)
        return;
    int flags = fcntl(sock, F_GETFL, 0);
    if (flags >= 0 && fcntl(sock, F_SETFL, flags | O_NONBLOCK) == 0) {
        for (int k = 0; k < 4096; k++) {
            struct sockaddr_storage addr;
            socklen_t len = sizeof addr;
            int fd = accept4(sock, (struct sockaddr *)&addr, &len, SOCK_CLOEXEC | SOCK_NONBLOCK);
            if (fd < 0)
                break;
            if (MHD_add_connection(daemon, fd, (struct sockaddr *)&addr, len) != MHD_YES)
                gf_log("warn", "a waiting connection could not be taken over during the drain",
                       NULL); /* libmicrohttpd has closed it */
        }
    }
    close(sock);
}

void gf_http__drain(struct MHD_Daemon *daemon, int drain_ms)
{
    atomic_store(&g_draining, true);
    adopt_backlog(daemon, MHD_quiesce_daemon(daemon));
    const double deadline = now_ms() + drain_ms;
    unsigned left = 0;
    for (;;) {
        const union MHD_DaemonInfo *info =
            MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
        left = info ? info->num_connections : 0;
        if (left == 0 || now_ms() >= deadline)
            break;
        usleep(20 * 1000);
    }
    if (left)
        gf_log("warn", "drain deadline passed; closing the connections still open",
               json_pack("{s:i, s:i}", "connections", (int)left, "drain_ms", drain_ms));
}

/* watchdog.h — (private to the http layer) connection tracking, deadlines and the drain.
 *
 * libmicrohttpd's own timeout is an idle timeout that every byte resets. Here each connection is
 * tracked from its opening to its closing, and a watchdog thread shuts down the socket of one
 * that has not sent a complete header within header_timeout_s of its opening or its last answer
 * (idle keep-alive connections included), or whose body is slower than body_timeout_s plus one
 * second per min_body_rate bytes. shutdown(2) leaves the descriptor to libmicrohttpd, which sees
 * the end of the stream and closes the connection itself; the tracking entry is removed (under
 * the lock) before libmicrohttpd closes the descriptor, so the watchdog never touches a
 * descriptor that was reused. On drain the watchdog closes idle connections at once. */
#ifndef GAPFORGE_HTTP_WATCHDOG_H
#define GAPFORGE_HTTP_WATCHDOG_H

#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "gapforge/http.h"

/* Where a connection stands, for its deadlines. */
typedef enum gf_http_phase {
    GF_HTTP_PHASE_IDLE,    /* open, no request line yet: waiting for a request (keep-alive too) */
    GF_HTTP_PHASE_HEADERS, /* request line read, header not complete */
    GF_HTTP_PHASE_BODY,    /* header read, body arriving */
    GF_HTTP_PHASE_BUSY,    /* body complete or answer queued: the handler and the answer, no
                            * deadline */
} gf_http_phase;

/* One open connection, from libmicrohttpd's "started" notice to its "closed" one. */
typedef struct gf_http_conn {
    struct gf_http_conn *prev, *next;
    int fd;
    gf_http_phase phase;
    double since_ms;   /* monotonic start of the wait for a complete request (phase IDLE) */
    double body_ms;    /* monotonic start of the body (phase BODY) */
    size_t body_bytes; /* bytes of body received so far */
    bool served;       /* it has had an answer: an idle one is a keep-alive connection */
    bool cut;          /* the watchdog shut it down */
} gf_http_conn;

/* The tracked connections of one server and its watchdog thread. */
typedef struct gf_http_watch {
    const gf_server_options *opt; /* the deadlines; borrowed for the watch's life */
    pthread_mutex_t lock;         /* guards the connection list and every gf_http_conn */
    gf_http_conn *conns;
    pthread_t thread;
    bool running;
    atomic_bool stopping; /* the watchdog's end */
} gf_http_watch;

/* Readies w (no thread yet) for the deadlines of opt, and clears the drain flag. */
void gf_http__watch_init(gf_http_watch *w, const gf_server_options *opt);

/* Starts the watchdog thread. Returns false when no thread could be made: connections are still
 * tracked, but no deadline is enforced. */
bool gf_http__watch_start(gf_http_watch *w);

/* Stops and joins the watchdog thread (a no-op when it never ran). The lock stays usable, for the
 * connections' "closed" notices while the daemon stops. */
void gf_http__watch_stop(gf_http_watch *w);

/* Releases the lock; after the daemon has stopped (no connection is tracked any more). */
void gf_http__watch_destroy(gf_http_watch *w);

/* libmicrohttpd's MHD_OPTION_NOTIFY_CONNECTION callback (cls: the gf_http_watch): makes the
 * connection's entry on "started" (*socket_context; NULL when memory ran out: untracked) and
 * removes and frees it on "closed". */
void gf_http__watch_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                           enum MHD_ConnectionNotificationCode toe);

/* Moves connection t to phase under the lock: BODY restarts the body's clock and count, IDLE the
 * wait for the next request (and marks t served). A no-op when t is NULL. */
void gf_http__watch_phase(gf_http_watch *w, gf_http_conn *t, gf_http_phase phase);

/* Counts n more body bytes received on t (NULL: a no-op). */
void gf_http__watch_body_bytes(gf_http_watch *w, gf_http_conn *t, size_t n);

/* Whether the watchdog cut t (false for NULL). */
bool gf_http__watch_was_cut(gf_http_watch *w, gf_http_conn *t);

/* Whether a drain has begun (gf_http__drain): answers then carry "Connection: close". */
bool gf_http__draining(void);

/* The drain of gf_server_stop: sets the drain flag (the watchdog closes idle connections), stops
 * the daemon accepting, hands it the connections already waiting in the listening socket's
 * backlog and closes that socket, then waits up to drain_ms for the open connections to end
 * (logging how many were left when the deadline passes). */
void gf_http__drain(struct MHD_Daemon *daemon, int drain_ms);

#endif

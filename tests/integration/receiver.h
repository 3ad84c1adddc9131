/* receiver.h — what the alert suites share: a webhook receiver inside the test (libmicrohttpd
 * on loopback, allowed by GAPFORGE_WEBHOOK_ALLOW) that checks the Standard Webhooks signature of
 * every request, fails the first N attempts as told and records what it saw; and the requests
 * and assertions the suites make of rules, evaluations and deliveries. */
#ifndef GF_TEST_RECEIVER_H
#define GF_TEST_RECEIVER_H

#include <jansson.h>
#include <pthread.h>

#include "fixture.h"

#define RX_MAX 96

typedef struct rx_hit {
    char path[64];
    char id[80];
    long long ts;
    double at; /* seconds, monotonic */
    int status;
    int sig_ok;
    char *body;
} rx_hit;

typedef struct rx {
    struct MHD_Daemon *d;
    int port;
    pthread_mutex_t mu;
    int fail_first; /* answer fail_status to this many requests, then 200 */
    int fail_status;
    const char *retry_after; /* sent with the failures when non-NULL */
    char secrets[4][2][128]; /* (path, secret) */
    int n_secrets;
    rx_hit hits[RX_MAX];
    int n;
} rx;

/* Starts a receiver that answers fail_status (with Retry-After when non-NULL) to its first
 * fail_first requests and 200 to the rest; rx_stop stops and frees it. */
rx *rx_start(int fail_first, int fail_status, const char *retry_after);
void rx_stop(rx *r);
/* How many requests it has recorded. */
int rx_count(rx *r);

/* Creates a webhook of kind to the receiver's path, remembering its secret there; its id. */
long long webhook(const char *key, rx *r, const char *kind, const char *path);

/* PUTs rule `rule` with the body's fields (the text inside its braces); asserts 200 or 201. */
void put_rule(const char *key, const char *rule, const char *fields);

/* POST /v1/alerts/evaluate?rule=: asserts 200 (a 503 is retried once) and returns the body. */
json_t *evaluate(const char *key, const char *rule);

/* The single delivery of alert_id (a new reference), waiting up to secs for its status. */
json_t *wait_delivery(const char *key, long long alert_id, const char *want, int secs);

/* The id of the one alert an evaluation fired (asserting exactly one). */
long long fired_one(const json_t *ev);

/* Code points of a UTF-8 string. */
size_t chars(const char *s);

#endif

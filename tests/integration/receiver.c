/* receiver.c — the alert suites' webhook receiver and request helpers (receiver.h). */
#include <microhttpd.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "receiver.h"

typedef struct upload {
    char *data;
    size_t len;
} upload;

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Standard Webhooks: base64(HMAC-SHA256(base64-decoded secret, id.ts.body)) == v1,<sig>. */
static int verify(const char *secret, const char *id, const char *ts, const char *body,
                  const char *header)
{
    unsigned char key[128], mac[32];
    char b64[64], *content;
    if (!secret || !id || !ts || !header || strncmp(secret, "whsec_", 6) != 0)
        return 0;
    int klen = EVP_DecodeBlock(key, (const unsigned char *)secret + 6, (int)strlen(secret + 6));
    if (klen <= 0)
        return 0;
    klen -= (secret[strlen(secret) - 1] == '=') + (secret[strlen(secret) - 2] == '=');
    if (asprintf(&content, "%s.%s.%s", id, ts, body) < 0)
        return 0;
    unsigned int mlen = sizeof mac;
    HMAC(EVP_sha256(), key, klen, (unsigned char *)content, strlen(content), mac, &mlen);
    free(content);
    EVP_EncodeBlock((unsigned char *)b64, mac, (int)mlen);
    char want[80];
    snprintf(want, sizeof want, "v1,%s", b64);
    return strstr(header, want) != NULL;
}

static enum MHD_Result rx_answer(void *cls, struct MHD_Connection *c, const char *url,
                                 const char *method, const char *version, const char *data,
                                 size_t *size, void **con_cls)
{
    rx *r = cls;
    (void)method, (void)version;
    upload *u = *con_cls;
    if (!u) {
        *con_cls = calloc(1, sizeof *u);
        return MHD_YES;
    }
    if (*size) {
        u->data = realloc(u->data, u->len + *size + 1);
        memcpy(u->data + u->len, data, *size);
        u->len += *size;
        u->data[u->len] = '\0';
        *size = 0;
        return MHD_YES;
    }
    const char *id = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "webhook-id");
    const char *ts = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "webhook-timestamp");
    const char *sig = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "webhook-signature");
    pthread_mutex_lock(&r->mu);
    const char *secret = NULL;
    for (int k = 0; k < r->n_secrets; k++)
        if (strcmp(r->secrets[k][0], url) == 0)
            secret = r->secrets[k][1];
    int status = r->n < r->fail_first ? r->fail_status : 200;
    if (r->n < RX_MAX) {
        rx_hit *h = &r->hits[r->n++];
        snprintf(h->path, sizeof h->path, "%s", url);
        snprintf(h->id, sizeof h->id, "%s", id ? id : "");
        h->ts = ts ? atoll(ts) : 0;
        h->at = mono();
        h->status = status;
        h->body = strdup(u->data ? u->data : "");
        h->sig_ok = verify(secret, id, ts, h->body, sig);
    }
    pthread_mutex_unlock(&r->mu);
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(2, (void *)"ok", MHD_RESPMEM_PERSISTENT);
    if (status != 200 && r->retry_after)
        MHD_add_response_header(resp, "Retry-After", r->retry_after);
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static void rx_done(void *cls, struct MHD_Connection *c, void **con_cls,
                    enum MHD_RequestTerminationCode toe)
{
    (void)cls, (void)c, (void)toe;
    upload *u = *con_cls;
    if (u)
        free(u->data);
    free(u);
    *con_cls = NULL;
}

rx *rx_start(int fail_first, int fail_status, const char *retry_after)
{
    rx *r = calloc(1, sizeof *r);
    ck_assert_ptr_nonnull(r);
    pthread_mutex_init(&r->mu, NULL);
    r->fail_first = fail_first;
    r->fail_status = fail_status;
    r->retry_after = retry_after;
    r->d =
        MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL,
                         rx_answer, r, MHD_OPTION_NOTIFY_COMPLETED, rx_done, NULL, MHD_OPTION_END);
    ck_assert_ptr_nonnull(r->d);
    r->port = MHD_get_daemon_info(r->d, MHD_DAEMON_INFO_BIND_PORT)->port;
    return r;
}

void rx_stop(rx *r)
{
    MHD_stop_daemon(r->d);
    for (int k = 0; k < r->n; k++)
        free(r->hits[k].body);
    free(r);
}

int rx_count(rx *r)
{
    pthread_mutex_lock(&r->mu);
    int n = r->n;
    pthread_mutex_unlock(&r->mu);
    return n;
}

/* Creates a webhook of kind to the receiver's path and remembers its secret there; returns its
 * id. */
long long webhook(const char *key, rx *r, const char *kind, const char *path)
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"name\": \"rx %s\", \"kind\": \"%s\", \"url\": \"http://127.0.0.1:%d%s\"}", kind,
             kind, r->port, path);
    json_t *w = fx_body(t_post(key, "/v1/webhooks", body), 201);
    ck_assert_str_eq(t_str(w, "kind"), kind);
    ck_assert(strncmp(t_str(w, "secret"), "whsec_", 6) == 0);
    ck_assert(strncmp(t_str(w, "secret"), t_str(w, "secret_prefix"), 10) == 0);
    pthread_mutex_lock(&r->mu);
    snprintf(r->secrets[r->n_secrets][0], 128, "%s", path);
    snprintf(r->secrets[r->n_secrets][1], 128, "%s", t_str(w, "secret"));
    r->n_secrets++;
    pthread_mutex_unlock(&r->mu);
    long long id = t_int(w, "id");
    json_decref(w);
    return id;
}

/* PUTs rule `rule` (the body's fields after the braces' opening) and asserts 200 or 201. */
void put_rule(const char *key, const char *rule, const char *fields)
{
    char path[128], body[2048];
    snprintf(path, sizeof path, "/v1/alert-rules/%s", rule);
    snprintf(body, sizeof body, "{%s}", fields);
    t_resp r = t_put(key, path, body);
    ck_assert_msg(r.status == 200 || r.status == 201, "%s: %ld %s", body, r.status, r.raw);
    t_resp_free(&r);
}

/* POST /v1/alerts/evaluate?rule=: asserts 200 and returns the body (new reference). */
json_t *evaluate(const char *key, const char *rule)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/alerts/evaluate?rule=%s", rule);
    t_resp r = t_request("POST", path, key, NULL, NULL, NULL);
    if (r.status == 503) { /* once: a worker's first forecast after a database restart */
        t_resp_free(&r);
        r = t_request("POST", path, key, NULL, NULL, NULL);
    }
    return fx_body(r, 200);
}

/* The single delivery of alert_id (borrowed members in a new reference), waiting up to secs
 * for its status to become want. */
json_t *wait_delivery(const char *key, long long alert_id, const char *want, int secs)
{
    json_t *d = NULL;
    for (int i = 0; i < secs * 10; i++) {
        json_t *page = fx_body(t_get(key, "/v1/deliveries?alert=%lld", alert_id), 200);
        ck_assert_uint_ge(json_array_size(json_object_get(page, "items")), 1);
        json_decref(d);
        d = json_incref(json_array_get(json_object_get(page, "items"), 0));
        json_decref(page);
        if (strcmp(t_str(d, "status"), want) == 0)
            return d;
        usleep(100 * 1000);
    }
    ck_abort_msg("delivery of alert %lld still %s after %d s, want %s (last_error %s)", alert_id,
                 t_str(d, "status"), secs, want, t_str(d, "last_error"));
    return NULL;
}

/* The alert that an evaluation fired (its id), asserting exactly one. */
long long fired_one(const json_t *ev)
{
    const json_t *fired = json_object_get(ev, "fired");
    ck_assert_msg(json_array_size(fired) == 1, "fired: %s",
                  json_dumps(ev, JSON_COMPACT | JSON_INDENT(0)));
    return t_int(json_array_get(fired, 0), "id");
}

/* Code points of a UTF-8 string. */
size_t chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

/* webhooks.c — webhook endpoints (URL rules, signing secrets) and the delivery threads that send
 * the outbox with libcurl: Standard Webhooks signatures, connect and total timeouts, no
 * redirects, no proxy, the connected address checked against private ranges, a capped response,
 * retries on the configured schedule with jitter and Retry-After, 410 disabling the endpoint. */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "gapforge/crypto.h"
#include "gapforge/log.h"
#include "gapforge/service.h"
#include "gapforge/service_alerts.h"
#include "gapforge/store.h"
#include "gapforge/store_alerts.h"

#define SECRET_BYTES 32

/* ---- addresses and hosts ---- */

/* True for an IPv4 address (host order) that is not a public unicast one. */
static bool v4_private(uint32_t a)
{
    return (a >> 24) == 0 || (a >> 24) == 10 || (a >> 24) == 127 ||
           (a & 0xffc00000u) == 0x64400000u || /* 100.64/10, shared address space */
           (a & 0xffff0000u) == 0xa9fe0000u || /* 169.254/16, link-local */
           (a & 0xfff00000u) == 0xac100000u || /* 172.16/12 */
           (a & 0xffff0000u) == 0xc0a80000u || /* 192.168/16 */
           (a & 0xffffff00u) == 0xc0000000u || /* 192.0.0/24 */
           (a & 0xfffe0000u) == 0xc6120000u || /* 198.18/15, benchmarking */
           (a >> 28) >= 0xe;                   /* multicast, reserved, broadcast */
}

/* True for an IPv6 address that is not a public unicast one (IPv4-mapped ones as IPv4). */
static bool v6_private(const unsigned char *b)
{
    static const unsigned char zero[16] = {0};
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (memcmp(b, mapped, 12) == 0)
        return v4_private((uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 | (uint32_t)b[14] << 8 |
                          b[15]);
    if (memcmp(b, zero, 15) == 0) /* :: and ::1 */
        return true;
    return (b[0] & 0xfe) == 0xfc ||                   /* fc00::/7, unique local */
           (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) || /* fe80::/10, link-local */
           b[0] == 0xff;                              /* multicast */
}

static bool sockaddr_private(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET)
        return v4_private(ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr));
    if (sa->sa_family == AF_INET6)
        return v6_private(((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr);
    return true;
}

/* True when host is a literal address that is not public. */
static bool literal_private(const char *host)
{
    char h[64];
    size_t n = strlen(host);
    if (n >= sizeof h)
        return false;
    if (host[0] == '[' && n > 2 && host[n - 1] == ']') {
        memcpy(h, host + 1, n - 2);
        h[n - 2] = '\0';
    } else {
        memcpy(h, host, n + 1);
    }
    struct in_addr a4;
    struct in6_addr a6;
    if (inet_pton(AF_INET, h, &a4) == 1)
        return v4_private(ntohl(a4.s_addr));
    if (inet_pton(AF_INET6, h, &a6) == 1)
        return v6_private(a6.s6_addr);
    return strcasecmp(h, "localhost") == 0;
}

/* True when host is one of the comma-separated names of GAPFORGE_WEBHOOK_ALLOW. */
static bool host_allowed(const char *host)
{
    const char *list = gf_svc_options_get()->webhook_allow;
    const size_t n = strlen(host);
    while (list && *list) {
        while (*list == ',' || *list == ' ')
            list++;
        size_t len = strcspn(list, ", ");
        if (len && len == n && strncasecmp(list, host, n) == 0)
            return true;
        list += len;
    }
    return false;
}

/* The scheme and host of url (lower-case scheme) and whether it carries credentials. Returns 0,
 * or -1 when curl cannot parse it. */
static int url_parts(const char *url, char *scheme, size_t scap, char *host, size_t hcap,
                     bool *has_user)
{
    CURLU *u = curl_url();
    char *s = NULL, *h = NULL, *user = NULL;
    int rc = -1;
    if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_SCHEME, &s, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &h, 0) == CURLUE_OK) {
        *has_user = curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK;
        snprintf(scheme, scap, "%s", s);
        snprintf(host, hcap, "%s", h);
        rc = 0;
    }
    curl_free(s);
    curl_free(h);
    curl_free(user);
    curl_url_cleanup(u);
    return rc;
}

int gf_svc_webhook_url_check(const char *url, gf_err *err)
{
    char scheme[16], host[256];
    bool has_user = false;
    if (strncasecmp(url, "http://", 7) != 0 && strncasecmp(url, "https://", 8) != 0)
        return gf_err_invalid(err, "url", "url must be an https:// URL");
    if (url_parts(url, scheme, sizeof scheme, host, sizeof host, &has_user) < 0)
        return gf_err_invalid(err, "url", "url is not a valid URL");
    if (has_user)
        return gf_err_invalid(err, "url", "url must not carry credentials");
    const bool allowed = host_allowed(host);
    if (strcasecmp(scheme, "https") != 0 && !allowed)
        return gf_err_invalid(err, "url",
                              "url must be https (http only for hosts in GAPFORGE_WEBHOOK_ALLOW)");
    if (literal_private(host) && !allowed)
        return gf_err_invalid(err, "url", "url names a private, loopback or link-local address");
    return 0;
}

/* ---- secrets and signatures ---- */

/* The secret of a stored webhook into out (whsec_...). Returns 0 or -1. */
static int secret_open(const char *sealed, char *out, size_t cap)
{
    const gf_svc_options *o = gf_svc_options_get();
    if (strncmp(sealed, "plain:", 6) == 0) {
        snprintf(out, cap, "%s", sealed + 6);
        return 0;
    }
    return o->has_webhook_key ? gf_unseal(o->webhook_key, sealed, out, cap) : -1;
}

int gf_svc_webhook_sign(const char *secret, const char *msg_id, long long ts, const char *body,
                        char *out, size_t cap)
{
    unsigned char key[128], mac[32];
    if (strncmp(secret, "whsec_", 6) != 0 || cap < 64)
        return -1;
    const int klen = gf_base64_decode(secret + 6, key, sizeof key);
    if (klen <= 0)
        return -1;
    char head[128];
    const int hl = snprintf(head, sizeof head, "%s.%lld.", msg_id, ts);
    const size_t bl = strlen(body);
    char *content = malloc((size_t)hl + bl + 1);
    if (!content)
        return -1;
    memcpy(content, head, (size_t)hl);
    memcpy(content + hl, body, bl + 1);
    gf_hmac_sha256(key, (size_t)klen, content, (size_t)hl + bl, mac);
    free(content);
    memcpy(out, "v1,", 3);
    return gf_base64_encode(mac, sizeof mac, out + 3, cap - 3) < 0 ? -1 : 0;
}

json_t *gf_svc_webhook_create(int64_t org_id, const char *name, const char *kind, const char *url,
                              gf_err *err)
{
    if (strcmp(kind, "slack") != 0 && strcmp(kind, "teams") != 0 && strcmp(kind, "json") != 0) {
        gf_err_invalid(err, "kind", "kind must be slack, teams or json");
        return NULL;
    }
    if (gf_svc_webhook_url_check(url, err) < 0)
        return NULL;
    unsigned char raw[SECRET_BYTES];
    char secret[80], sealed[256], prefix[16];
    memcpy(secret, "whsec_", 6);
    if (gf_random_bytes(raw, sizeof raw) < 0 ||
        gf_base64_encode(raw, sizeof raw, secret + 6, sizeof secret - 6) < 0) {
        gf_err_internal(err);
        return NULL;
    }
    const gf_svc_options *o = gf_svc_options_get();
    if (o->has_webhook_key) {
        if (gf_seal(o->webhook_key, secret, sealed, sizeof sealed) < 0) {
            gf_err_internal(err);
            return NULL;
        }
    } else {
        snprintf(sealed, sizeof sealed, "plain:%s", secret);
    }
    snprintf(prefix, sizeof prefix, "%.10s", secret);
    json_t *w = gf_store_webhook_create(org_id, name, kind, url, sealed, prefix, err);
    if (w)
        json_object_set_new(w, "secret", json_string(secret));
    return w;
}

/* ---- one attempt ---- */

static atomic_int g_stop_flag;

typedef struct attempt {
    bool host_allowed;
    bool blocked;   /* the connection went to a private address */
    char body[512]; /* the start of the response, for last_error */
    size_t got, cap_total;
    long retry_after_ms; /* -1: none */
} attempt;

static curl_socket_t open_socket(void *ud, curlsocktype purpose, struct curl_sockaddr *a)
{
    attempt *at = ud;
    (void)purpose;
    if (!at->host_allowed && sockaddr_private(&a->addr)) {
        at->blocked = true;
        return CURL_SOCKET_BAD;
    }
    return socket(a->family, a->socktype, a->protocol);
}

static size_t on_write(char *p, size_t size, size_t n, void *ud)
{
    attempt *at = ud;
    const size_t len = size * n;
    if (at->got < sizeof at->body - 1) {
        const size_t room = sizeof at->body - 1 - at->got;
        const size_t take = len < room ? len : room;
        memcpy(at->body + at->got, p, take);
        at->body[at->got + take] = '\0';
    }
    at->got += len;
    return at->got > at->cap_total ? 0 : len; /* past the cap: stop reading */
}

/* Retry-After as seconds or an HTTP date, in milliseconds from now. */
static long parse_retry_after(const char *v)
{
    while (*v == ' ')
        v++;
    char *end;
    long s = strtol(v, &end, 10);
    if (end != v && (*end == '\0' || *end == '\r' || *end == '\n' || *end == ' '))
        return s < 0 ? 0 : (s > 10000000 ? 10000000000L : s * 1000);
    const time_t when = curl_getdate(v, NULL);
    if (when < 0)
        return -1;
    const time_t now = time(NULL);
    return when > now ? (long)(when - now) * 1000 : 0;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    attempt *at = ud;
    const size_t len = size * n;
    if (len > 12 && strncasecmp(p, "Retry-After:", 12) == 0) {
        char v[128];
        snprintf(v, sizeof v, "%.*s", (int)(len - 12 < sizeof v - 1 ? len - 12 : sizeof v - 1),
                 p + 12);
        at->retry_after_ms = parse_retry_after(v);
    }
    return len;
}

static int on_progress(void *ud, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
    (void)ud, (void)a, (void)b, (void)c, (void)d;
    return atomic_load(&g_stop_flag) ? 1 : 0;
}

/* The delay before attempt `next` (2 for the second), stretched by jitter. */
static long schedule_delay(int next)
{
    const gf_svc_options *o = gf_svc_options_get();
    const int k = next - 1 < o->webhook_attempts ? next - 1 : o->webhook_attempts - 1;
    const double base = (double)o->webhook_schedule_ms[k < 0 ? 0 : k];
    const double u = (double)random() / (double)RAND_MAX;
    return (long)(base * (1.0 + o->webhook_jitter * u));
}

/* Sends one claimed attempt and records its outcome. */
static void deliver(const gf_store_delivery *d)
{
    const gf_svc_options *o = gf_svc_options_get();
    attempt at = {.retry_after_ms = -1, .cap_total = (size_t)o->webhook_response_cap};
    char secret[128], sig[96], scheme[16], host[256], line[256];
    gf_store_outcome outcome = GF_STORE_RETRY;
    char error[600] = "";
    long status = 0;
    bool has_user = false, gone = false;
    if (secret_open(d->secret_sealed, secret, sizeof secret) < 0) {
        snprintf(error, sizeof error,
                 "the webhook's secret cannot be opened (GAPFORGE_WEBHOOK_KEY)");
        goto record;
    }
    const long long ts = (long long)time(NULL);
    if (gf_svc_webhook_sign(secret, d->msg_id, ts, d->body, sig, sizeof sig) < 0 ||
        url_parts(d->url, scheme, sizeof scheme, host, sizeof host, &has_user) < 0) {
        outcome = GF_STORE_DEAD;
        snprintf(error, sizeof error, "the webhook's url or secret is unusable");
        goto record;
    }
    at.host_allowed = host_allowed(host);
    CURL *c = curl_easy_init();
    if (!c) {
        snprintf(error, sizeof error, "out of memory");
        goto record;
    }
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    snprintf(line, sizeof line, "webhook-id: %s", d->msg_id);
    h = curl_slist_append(h, line);
    snprintf(line, sizeof line, "webhook-timestamp: %lld", ts);
    h = curl_slist_append(h, line);
    snprintf(line, sizeof line, "webhook-signature: %s", sig);
    h = curl_slist_append(h, line);
    h = curl_slist_append(h, "User-Agent: gapforge/" GF_VERSION);
    h = curl_slist_append(h, "Expect:");
    curl_easy_setopt(c, CURLOPT_URL, d->url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, d->body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(d->body));
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, at.host_allowed ? "http,https" : "https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)o->webhook_connect_timeout_ms);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)o->webhook_timeout_ms);
    curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_socket);
    curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, &at);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &at);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &at);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    const CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);

    if (rc == CURLE_ABORTED_BY_CALLBACK && atomic_load(&g_stop_flag)) {
        outcome = GF_STORE_RELEASE;
    } else if (at.blocked) {
        outcome = GF_STORE_DEAD;
        snprintf(error, sizeof error,
                 "the host resolved to a private, loopback or link-local "
                 "address, which is not allowed");
    } else if (status >= 200 && status < 300) {
        outcome = GF_STORE_DELIVERED;
    } else if (status == 410) {
        outcome = GF_STORE_DEAD;
        snprintf(error, sizeof error, "410 Gone: the endpoint is disabled");
        gone = true;
    } else if (status == 429 || status >= 500) {
        snprintf(error, sizeof error, "HTTP %ld: %.400s", status, at.body);
    } else if (status > 0) {
        outcome = GF_STORE_DEAD;
        snprintf(error, sizeof error, "HTTP %ld (not retried%s): %.400s", status,
                 status >= 300 && status < 400 ? "; redirects are not followed" : "", at.body);
    } else {
        snprintf(error, sizeof error, "%s", curl_easy_strerror(rc));
    }
record:;
    long retry_ms = 0;
    if (outcome == GF_STORE_RETRY) {
        if (d->attempt >= o->webhook_attempts) {
            outcome = GF_STORE_DEAD;
            char last[600];
            snprintf(last, sizeof last, "%s", error);
            snprintf(error, sizeof error, "gave up after %d attempts; last: %.500s", d->attempt,
                     last);
        } else {
            retry_ms = schedule_delay(d->attempt + 1);
            if (at.retry_after_ms >= 0) {
                const long ra = at.retry_after_ms < o->webhook_retry_after_max_ms
                                    ? at.retry_after_ms
                                    : o->webhook_retry_after_max_ms;
                retry_ms = ra > retry_ms ? ra : retry_ms;
            }
        }
    }
    gf_err err = {0};
    if (gf_store_delivery_result(d->id, d->attempt, outcome, (int)status, error[0] ? error : NULL,
                                 retry_ms, &err) < 0)
        gf_log("warn", "delivery result not recorded; the attempt will be retried",
               json_pack("{s:I, s:s}", "delivery", (json_int_t)d->id, "message", err.message));
    /* After the result, which would otherwise find the row already dead-lettered. */
    if (gone && gf_store_webhook_disable(d->webhook_id, "410 Gone", &err) < 0)
        gf_log(
            "warn", "webhook not disabled after 410",
            json_pack("{s:I, s:s}", "webhook", (json_int_t)d->webhook_id, "message", err.message));
    static const char *const names[] = {"delivered", "retry", "dead", "released"};
    gf_log(outcome == GF_STORE_DELIVERED ? "info" : "warn", "webhook delivery",
           json_pack("{s:I, s:I, s:i, s:s, s:i, s:s}", "delivery", (json_int_t)d->id, "org",
                     (json_int_t)d->org_id, "attempt", d->attempt, "outcome", names[outcome],
                     "status", (int)status, "error", error));
}

/* ---- the delivery threads ---- */

#define MAX_THREADS 16

static pthread_t g_threads[MAX_THREADS];
static int g_n_threads;
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cv = PTHREAD_COND_INITIALIZER;
static unsigned g_kicks;

static void wait_ms(int ms, unsigned seen)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&g_mu);
    while (!atomic_load(&g_stop_flag) && g_kicks == seen &&
           pthread_cond_timedwait(&g_cv, &g_mu, &until) == 0)
        ;
    pthread_mutex_unlock(&g_mu);
}

static void *sender_main(void *arg)
{
    (void)arg;
    const gf_svc_options *o = gf_svc_options_get();
    const int lease = o->webhook_connect_timeout_ms + o->webhook_timeout_ms + 30000;
    while (!atomic_load(&g_stop_flag)) {
        pthread_mutex_lock(&g_mu);
        const unsigned seen = g_kicks;
        pthread_mutex_unlock(&g_mu);
        gf_store_delivery d;
        int got = 0;
        gf_err err = {0};
        if (gf_store_delivery_claim(lease, &d, &got, &err) < 0) {
            wait_ms(o->webhook_poll_ms, seen);
            continue;
        }
        if (!got) {
            wait_ms(o->webhook_poll_ms, seen);
            continue;
        }
        gf_store_set_org(d.org_id); /* the delivery's own org, for its result */
        deliver(&d);
        gf_store_set_org(0);
        gf_store_delivery_clear(&d);
    }
    gf_store_disconnect();
    return NULL;
}

int gf_svc_outbox_start(void)
{
    const gf_svc_options *o = gf_svc_options_get();
    if (g_n_threads)
        return 0;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    srandom((unsigned)time(NULL) ^ (unsigned)getpid());
    atomic_store(&g_stop_flag, 0);
    const int n = o->webhook_threads < 1
                      ? 1
                      : (o->webhook_threads > MAX_THREADS ? MAX_THREADS : o->webhook_threads);
    for (int k = 0; k < n; k++) {
        if (pthread_create(&g_threads[k], NULL, sender_main, NULL) != 0)
            return g_n_threads ? 0 : -1;
        g_n_threads++;
    }
    return 0;
}

void gf_svc_outbox_kick(void)
{
    pthread_mutex_lock(&g_mu);
    g_kicks++;
    pthread_cond_broadcast(&g_cv);
    pthread_mutex_unlock(&g_mu);
}

void gf_svc_outbox_stop(void)
{
    atomic_store(&g_stop_flag, 1);
    gf_svc_outbox_kick();
    for (int k = 0; k < g_n_threads; k++)
        pthread_join(g_threads[k], NULL);
    g_n_threads = 0;
}

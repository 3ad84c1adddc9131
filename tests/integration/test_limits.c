/* test_limits.c — what an adversarial probe of the server found (issue 13), each over real HTTP
 * with the request that found it: raw sockets where the bytes on the wire are the point
 * (trickled headers and bodies, transfer codings, a bad Content-Length, the per-address limit),
 * the server's log where the point is what it says, and a server of the test's own where the
 * point is how it stops (SIGTERM with requests in flight and an idle keep-alive connection).
 *
 * meson runs this suite with short deadlines (GAPFORGE_HEADER_TIMEOUT=2, GAPFORGE_BODY_TIMEOUT=2),
 * GAPFORGE_PER_IP_CONNECTIONS=8, GAPFORGE_MAX_JSON_VALUES=1000, GAPFORGE_PLAN_BUDGET_MS=1,
 * GAPFORGE_MAX_SIM_DRAWS=100000000 and the server's log in GAPFORGE_TEST_SERVER_LOG. */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"

/* 8 quarters of 150 deals: enough for forecasts that take a moment, loaded once. */
static const fx_demo_spec demo = {
    .seed = 11, .quarters = 8, .deals_per_quarter = 150, .as_of = "2025-11-15"};

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Opens a TCP connection from source (an address on loopback, e.g. "127.0.0.2"; NULL for the
 * default) to port on 127.0.0.1; fails the test when it cannot. */
static int connect_from(const char *source, int port)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    ck_assert_int_ge(s, 0);
    if (source) {
        struct sockaddr_in from = {.sin_family = AF_INET};
        inet_pton(AF_INET, source, &from.sin_addr);
        ck_assert_int_eq(bind(s, (struct sockaddr *)&from, sizeof from), 0);
    }
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    ck_assert_int_eq(connect(s, (struct sockaddr *)&a, sizeof a), 0);
    return s;
}

static int raw_connect(void)
{
    return connect_from(NULL, t_port());
}

/* Sends text; false when the peer has gone (the connection was cut). */
static bool raw_send(int s, const char *text)
{
    size_t len = strlen(text);
    while (len) {
        ssize_t n = send(s, text, len, MSG_NOSIGNAL);
        if (n <= 0)
            return false;
        text += n;
        len -= (size_t)n;
    }
    return true;
}

/* Reads what arrives within timeout_ms (until the peer closes); returns the bytes read, -1 when
 * the timeout passed with the connection still open. */
static ssize_t raw_read(int s, char *out, size_t cap, int timeout_ms)
{
    size_t len = 0;
    const double end = now_s() + timeout_ms / 1e3;
    for (;;) {
        struct pollfd p = {.fd = s, .events = POLLIN};
        int left = (int)((end - now_s()) * 1e3);
        if (left <= 0 || poll(&p, 1, left) <= 0) {
            out[len] = '\0';
            return -1;
        }
        ssize_t n = recv(s, out + len, cap - 1 - len, 0);
        if (n <= 0 || len + (size_t)n + 1 >= cap) {
            if (n > 0)
                len += (size_t)n;
            out[len] = '\0';
            return (ssize_t)len;
        }
        len += (size_t)n;
    }
}

/* The status of an HTTP answer text (0: none) and its JSON body (a new reference or NULL). */
static int answer_status(const char *text, json_t **body)
{
    int status = 0;
    if (sscanf(text, "HTTP/1.%*d %d", &status) != 1)
        status = 0;
    const char *json = strstr(text, "\r\n\r\n");
    if (body)
        *body = json ? json_loads(json + 4, JSON_DISABLE_EOF_CHECK, NULL) : NULL;
    return status;
}

/* Sends request on a new connection and reads the answer until the server closes. */
static int raw_request(const char *request, char *out, size_t cap, json_t **body)
{
    int s = raw_connect();
    ck_assert(raw_send(s, request));
    ssize_t n = raw_read(s, out, cap, 10000);
    close(s);
    ck_assert_msg(n >= 0, "no answer to %.60s", request);
    return answer_status(out, body);
}

/* ---- the log ---- */

/* The server's log line (parsed, a new reference) whose `key` is the string want; waits up to
 * 3 s for it (the line is written when the connection is done with the request). */
static json_t *log_line(const char *key, const char *want)
{
    const char *path = getenv("GAPFORGE_TEST_SERVER_LOG");
    ck_assert_msg(path && *path, "GAPFORGE_TEST_SERVER_LOG is not set");
    for (int tries = 0; tries < 60; tries++) {
        FILE *f = fopen(path, "r");
        char line[8192];
        while (f && fgets(line, sizeof line, f)) {
            json_t *j = json_loads(line, 0, NULL);
            const char *v = json_string_value(json_object_get(j, key));
            if (v && strcmp(v, want) == 0 &&
                strcmp(json_string_value(json_object_get(j, "msg")), "request") == 0) {
                fclose(f);
                return j;
            }
            json_decref(j);
        }
        if (f)
            fclose(f);
        usleep(50 * 1000);
    }
    ck_abort_msg("no request log line with %s = %s", key, want);
    return NULL;
}

/* Asserts that a request's log line has every field: method (or null when the request never
 * reached the handler), path, status, duration, request id and org (null when none). */
static void expect_full_line(const json_t *line, const char *method, int status)
{
    static const char *const keys[] = {"method",      "path",       "status",
                                       "duration_ms", "request_id", "org"};
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
        ck_assert_msg(json_object_get(line, keys[k]), "the log line lacks %s", keys[k]);
    if (method)
        ck_assert_str_eq(t_str(line, "method"), method);
    ck_assert_int_eq(t_int(line, "status"), status);
    ck_assert(json_is_number(json_object_get(line, "duration_ms")));
}

/* ---- routing on the raw path ---- */

/* An external_id with a slash was accepted on create but unreachable: the path was decoded
 * before routing. */
START_TEST(external_id_with_a_slash_is_reachable_encoded)
{
    char key[128], slug[64];
    fx_sales_org(key, slug);
    long long id = fx_post_deal(key, "{\"external_id\": \"a/b\", \"name\": \"Slash\", \"amount\": "
                                     "10, \"stage\": \"prospecting\", \"owner\": \"ada\"}");
    json_t *d = fx_body(t_get(key, "/v1/deals/by-external-id/a%%2Fb"), 200);
    ck_assert_int_eq(t_int(d, "id"), id);
    ck_assert_str_eq(t_str(d, "external_id"), "a/b");
    json_decref(d);
    fx_expect_status(t_put(key, "/v1/deals/by-external-id/a%2Fb",
                           "{\"name\": \"Slash 2\", \"amount\": 11, \"stage\": \"prospecting\", "
                           "\"owner\": \"ada\"}"),
                     200);
    d = fx_body(t_get(key, "/v1/deals/%lld", id), 200);
    ck_assert_str_eq(t_str(d, "name"), "Slash 2");
    json_decref(d);
}
END_TEST

/* /v1/deals/%ff with a failed key logged only {"ts","level","msg"}: now 400 invalid_path and a
 * full log line. */
START_TEST(undecodable_path_is_400_and_logged_in_full)
{
    char req[256], text[4096], rid[64];
    snprintf(rid, sizeof rid, "probe-ff-%d", (int)getpid());
    snprintf(req, sizeof req,
             "GET /v1/deals/%%ff HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer nope\r\n"
             "X-Request-Id: %s\r\nConnection: close\r\n\r\n",
             rid);
    json_t *body = NULL;
    ck_assert_int_eq(raw_request(req, text, sizeof text, &body), 400);
    ck_assert_str_eq(t_str(json_object_get(body, "error"), "code"), "invalid_path");
    json_decref(body);
    json_t *line = log_line("request_id", rid);
    expect_full_line(line, "GET", 400);
    ck_assert_str_eq(t_str(line, "path"), "/v1/deals/%ff");
    ck_assert(json_is_null(json_object_get(line, "org")));
    json_decref(line);
}
END_TEST

/* A request libmicrohttpd refuses itself (a Content-Length that is not a number) still gets its
 * log line, with the status it was given. */
START_TEST(request_refused_by_libmicrohttpd_is_logged_with_its_status)
{
    char req[256], text[4096], path[64];
    snprintf(path, sizeof path, "/v1/probe-bad-length-%d", (int)getpid());
    snprintf(req, sizeof req,
             "POST %s HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
             "Content-Length: 12abc\r\n\r\n{}",
             path);
    ck_assert_int_eq(raw_request(req, text, sizeof text, NULL), 400);
    json_t *line = log_line("path", path);
    expect_full_line(line, NULL, 400);
    json_decref(line);
}
END_TEST

/* ---- protocol ---- */

/* Transfer-Encoding: gzip left the request hanging until the idle timeout: now 501 in JSON at
 * once, before authentication, and the connection closed. */
START_TEST(unsupported_transfer_coding_is_501_json_at_once)
{
    char text[4096];
    json_t *body = NULL;
    const double t0 = now_s();
    int status = raw_request("POST /v1/scenarios HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n"
                             "Content-Type: application/json\r\n\r\nxyz",
                             text, sizeof text, &body);
    ck_assert_int_eq(status, 501);
    ck_assert_double_lt(now_s() - t0, 1.5);
    ck_assert_ptr_nonnull(strcasestr(text, "Content-Type: application/json"));
    ck_assert_str_eq(t_str(json_object_get(body, "error"), "code"),
                     "unsupported_transfer_encoding");
    json_decref(body);
}
END_TEST

/* Chunked bodies still work (the one coding libmicrohttpd decodes). */
START_TEST(chunked_body_is_still_read)
{
    char text[4096];
    json_t *body = NULL;
    int status =
        raw_request("POST /v1/scenarios HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n"
                    "Content-Type: application/json\r\nConnection: close\r\n\r\n"
                    "2\r\n{}\r\n0\r\n\r\n",
                    text, sizeof text, &body);
    ck_assert_int_eq(status, 401); /* read, parsed as far as authentication: no key given */
    ck_assert_str_eq(t_str(json_object_get(body, "error"), "code"), "unauthorized");
    json_decref(body);
}
END_TEST

/* ---- connection deadlines and limits ---- */

/* 600 connections trickling a header line every 10 s locked everyone out (each line reset the
 * idle timeout): now a header must be complete within GAPFORGE_HEADER_TIMEOUT (2 s here),
 * however it trickles; the answer is 408 in JSON. */
START_TEST(trickled_header_is_cut_at_the_header_deadline_with_408)
{
    int s = raw_connect();
    const double t0 = now_s();
    ck_assert(raw_send(s, "GET /healthz HTTP/1.1\r\nHost: t\r\n"));
    bool cut = false;
    while (!cut && now_s() - t0 < 8) {
        usleep(300 * 1000);
        cut = !raw_send(s, "X-Trickle: a\r\n");
        struct pollfd p = {.fd = s, .events = POLLIN};
        cut = cut || poll(&p, 1, 0) > 0;
    }
    char text[2048];
    raw_read(s, text, sizeof text, 2000);
    const double took = now_s() - t0;
    close(s);
    ck_assert_msg(took >= 1.9 && took < 4.5, "cut after %.2f s", took);
    json_t *body = NULL;
    ck_assert_int_eq(answer_status(text, &body), 408);
    ck_assert_str_eq(t_str(json_object_get(body, "error"), "code"), "request_timeout");
    json_decref(body);
}
END_TEST

/* A body that trickles is cut once it falls behind GAPFORGE_BODY_TIMEOUT plus one second per
 * GAPFORGE_MIN_BODY_RATE bytes, and the server goes on serving. */
START_TEST(trickled_body_is_cut_at_the_body_deadline_with_408)
{
    char head[512];
    snprintf(head, sizeof head,
             "POST /v1/orgs HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer %s\r\n"
             "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{",
             t_admin_token());
    int s = raw_connect();
    const double t0 = now_s();
    ck_assert(raw_send(s, head));
    bool cut = false;
    while (!cut && now_s() - t0 < 8) {
        usleep(200 * 1000);
        cut = !raw_send(s, " ");
        struct pollfd p = {.fd = s, .events = POLLIN};
        cut = cut || poll(&p, 1, 0) > 0;
    }
    char text[2048];
    raw_read(s, text, sizeof text, 2000);
    const double took = now_s() - t0;
    close(s);
    ck_assert_msg(took >= 1.9 && took < 4.5, "cut after %.2f s", took);
    ck_assert_int_eq(answer_status(text, NULL), 408);
    fx_expect_status(t_get(NULL, "/healthz"), 200);
}
END_TEST

/* An idle keep-alive connection is closed at the header deadline too: it holds no slot for
 * long. */
START_TEST(idle_keep_alive_connection_is_closed_at_the_header_deadline)
{
    int s = raw_connect();
    char text[4096];
    ck_assert(raw_send(s, "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"));
    usleep(200 * 1000);
    ssize_t n = recv(s, text, sizeof text - 1, 0);
    ck_assert_int_gt(n, 0);
    text[n] = '\0';
    ck_assert_int_eq(answer_status(text, NULL), 200);
    const double t0 = now_s();
    n = raw_read(s, text, sizeof text, 5000);
    const double took = now_s() - t0;
    close(s);
    ck_assert_msg(n == 0, "the idle connection is still open after %.2f s", took);
    ck_assert_double_lt(took, 3.5);
}
END_TEST

/* No address may hold more than GAPFORGE_PER_IP_CONNECTIONS (8 here): the ninth from 127.0.0.2
 * is closed unanswered while 127.0.0.1 is served. */
START_TEST(one_address_cannot_take_more_than_its_connections)
{
    int hog[8];
    for (int i = 0; i < 8; i++)
        hog[i] = connect_from("127.0.0.2", t_port());
    usleep(200 * 1000);
    int extra = connect_from("127.0.0.2", t_port());
    raw_send(extra, "GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    char text[1024];
    ck_assert_int_le(raw_read(extra, text, sizeof text, 2000), 0);
    close(extra);
    fx_expect_status(t_get(NULL, "/healthz"), 200);
    for (int i = 0; i < 8; i++)
        close(hog[i]);
}
END_TEST

/* ---- bodies and work ---- */

/* A 1 MiB body like [{},{},...] cost ~40 MB to parse: now GAPFORGE_MAX_JSON_VALUES (1000 here)
 * bounds what a body may hold before it is parsed. */
START_TEST(body_with_too_many_json_values_is_413_before_parsing)
{
    char key[128];
    t_new_org(key, NULL);
    size_t n = 2000, len = 3 * n + 2;
    char *body = malloc(len + 1);
    body[0] = '[';
    for (size_t i = 0; i < n; i++)
        memcpy(body + 1 + 3 * i, "{},", 3);
    body[len - 2] = '{';
    body[len - 1] = ']';
    body[len] = '\0';
    t_resp r = t_post(key, "/v1/scenarios", body);
    t_expect_error(r, 413, "too_many_values", NULL);
    ck_assert_ptr_nonnull(strstr(fx_error_message(&r), "1000 JSON values"));
    t_resp_free(&r);
    free(body);
    /* Commas and brackets inside a string are not values. */
    char text[4096];
    char filler[3001];
    for (size_t i = 0; i < 3000; i++)
        filler[i] = ",[{"[i % 3];
    filler[3000] = '\0';
    snprintf(text, sizeof text, "{\"period\": \"%s\"}", filler);
    r = t_post(key, "/v1/scenarios", text);
    ck_assert_int_ne(r.status, 413);
    t_resp_free(&r);
}
END_TEST

/* A read-scope plan could run for 82 s: with the work budget (1 ms here) it answers the best plan
 * found, "complete": false. */
START_TEST(plan_past_its_work_budget_answers_complete_false)
{
    char read_key[128];
    t_new_key(fx_shared_key(), "[\"read\"]", read_key);
    json_t *p = fx_body(t_post(read_key, "/v1/plans",
                               "{\"period\": \"2025-Q4\", \"as_of\": \"2025-11-15\", \"trials\": "
                               "2000, \"goal\": {\"type\": \"probability\", \"confidence\": 0.99}, "
                               "\"budget\": 100000000}"),
                        200);
    ck_assert_str_eq(t_str(p, "search"), "budget");
    ck_assert(json_is_false(json_object_get(p, "complete")));
    json_decref(p);
}
END_TEST

/* A forecast with a million trials is refused before it runs once trials x deals passes
 * GAPFORGE_MAX_SIM_DRAWS (10^8 here), with a 503 that names the limit and the field. */
START_TEST(simulation_past_the_work_limit_is_503_naming_it)
{
    t_resp r =
        t_get(fx_shared_key(), "/v1/forecast?period=2025-Q4&as_of=2025-10-01&trials=1000000");
    t_expect_error(r, 503, "work_limit", "trials");
    ck_assert_ptr_nonnull(strstr(fx_error_message(&r), "GAPFORGE_MAX_SIM_DRAWS"));
    t_resp_free(&r);
    fx_expect_status(t_get(fx_shared_key(), "/v1/forecast?period=2025-Q4&as_of=2025-10-01"), 200);
}
END_TEST

/* ---- drain ---- */

typedef struct timed_get {
    int port;
    int seed; /* each its own forecast: the answer cache would run one for all (single flight) */
    const char *key;
    long status;
    double done_at;
} timed_get;

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return size * n;
}

static void *run_forecast(void *arg)
{
    timed_get *g = arg;
    char url[256], auth[256];
    snprintf(url, sizeof url,
             "http://127.0.0.1:%d/v1/forecast?period=2025-Q4&as_of=2025-10-01&trials=200000"
             "&seed=%d",
             g->port, g->seed);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", g->key);
    CURL *c = curl_easy_init();
    struct curl_slist *h = curl_slist_append(NULL, auth);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &g->status);
    g->done_at = now_s();
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return NULL;
}

static int free_port(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    ck_assert_int_eq(bind(s, (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(getsockname(s, (struct sockaddr *)&a, &len), 0);
    close(s);
    return ntohs(a.sin_port);
}

/* SIGTERM with an idle keep-alive connection open reset in-flight forecasts after 10 s: now the
 * idle connection is closed at once, the eight forecasts in flight all answer 200, and the
 * server exits 0 well within GAPFORGE_DRAIN_SECONDS. */
START_TEST(sigterm_lets_requests_in_flight_finish_and_closes_idle_connections)
{
    const int port = free_port();
    char listen[64];
    snprintf(listen, sizeof listen, "127.0.0.1:%d", port);
    pid_t pid = fork();
    if (pid == 0) {
        const char *log = getenv("GAPFORGE_TEST_SERVER_LOG");
        if (log && *log && !freopen(log, "a", stderr))
            _exit(127);
        setenv("GAPFORGE_LISTEN", listen, 1);
        setenv("GAPFORGE_DRAIN_SECONDS", "20", 1);
        setenv("GAPFORGE_HEADER_TIMEOUT", "60", 1);
        setenv("GAPFORGE_PER_IP_CONNECTIONS", "0", 1); /* nine connections from here */
        setenv("GAPFORGE_MAX_SIM_DRAWS", "100000000000", 1);
        execl(getenv("GAPFORGE_BIN"), "gapforge", "serve", (char *)NULL);
        _exit(127);
    }
    ck_assert_int_gt(pid, 0);
    int idle = -1;
    for (int i = 0; i < 100 && idle < 0; i++) {
        usleep(100 * 1000);
        int s = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = {.sin_family = AF_INET,
                                .sin_port = htons((uint16_t)port),
                                .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        if (connect(s, (struct sockaddr *)&a, sizeof a) == 0)
            idle = s;
        else
            close(s);
    }
    ck_assert_int_ge(idle, 0);
    char text[4096];
    ck_assert(raw_send(idle, "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"));
    usleep(300 * 1000);
    ck_assert_int_gt(recv(idle, text, sizeof text, 0), 0); /* answered, kept alive */

    timed_get gets[8];
    pthread_t threads[8];
    for (int i = 0; i < 8; i++) {
        gets[i] = (timed_get){.port = port, .seed = i + 1, .key = fx_shared_key()};
        ck_assert_int_eq(pthread_create(&threads[i], NULL, run_forecast, &gets[i]), 0);
    }
    usleep(150 * 1000);
    const double term_at = now_s();
    kill(pid, SIGTERM);
    ck_assert_int_eq(raw_read(idle, text, sizeof text, 2000), 0); /* closed at once */
    const double idle_closed = now_s() - term_at;
    close(idle);
    double last = 0;
    for (int i = 0; i < 8; i++) {
        pthread_join(threads[i], NULL);
        ck_assert_int_eq(gets[i].status, 200);
        if (gets[i].done_at > last)
            last = gets[i].done_at;
    }
    int status = 0;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    const double exited = now_s() - term_at;
    ck_assert(WIFEXITED(status));
    ck_assert_int_eq(WEXITSTATUS(status), 0);
    ck_assert_msg(last > term_at, "no forecast was in flight at SIGTERM");
    ck_assert_double_lt(idle_closed, 1.0);
    ck_assert_double_lt(exited, 15.0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("limits");
    TCase *tc = tcase_create("limits");
    tcase_set_timeout(tc, 120);
    fx_shared_demo_add(tc, demo);
    tcase_add_test(tc, external_id_with_a_slash_is_reachable_encoded);
    tcase_add_test(tc, undecodable_path_is_400_and_logged_in_full);
    tcase_add_test(tc, request_refused_by_libmicrohttpd_is_logged_with_its_status);
    tcase_add_test(tc, unsupported_transfer_coding_is_501_json_at_once);
    tcase_add_test(tc, chunked_body_is_still_read);
    tcase_add_test(tc, trickled_header_is_cut_at_the_header_deadline_with_408);
    tcase_add_test(tc, trickled_body_is_cut_at_the_body_deadline_with_408);
    tcase_add_test(tc, idle_keep_alive_connection_is_closed_at_the_header_deadline);
    tcase_add_test(tc, one_address_cannot_take_more_than_its_connections);
    tcase_add_test(tc, body_with_too_many_json_values_is_413_before_parsing);
    tcase_add_test(tc, plan_past_its_work_budget_answers_complete_false);
    tcase_add_test(tc, simulation_past_the_work_limit_is_503_naming_it);
    tcase_add_test(tc, sigterm_lets_requests_in_flight_finish_and_closes_idle_connections);
    suite_add_tcase(s, tc);
    return t_main(s);
}

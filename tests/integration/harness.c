/* harness.c — server life cycle, HTTP client (libcurl) and fixtures for integration tests. */
#include "harness.h"

#include "contract.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int g_port;
static pid_t g_server;
static const char *g_db_url;
static const char g_admin[] = "test-admin-token-0123456789";
static json_t *g_spec; /* openapi.yaml: every JSON response is checked against it */

typedef struct buf {
    char *data;
    size_t len;
} buf;

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    buf *b = ud;
    size_t add = size * n;
    char *grown = realloc(b->data, b->len + add + 1);
    if (!grown)
        return 0;
    b->data = grown;
    memcpy(b->data + b->len, p, add);
    b->len += add;
    b->data[b->len] = '\0';
    return add;
}

static void copy_header(const char *line, size_t len, const char *name, char *out, size_t cap)
{
    size_t n = strlen(name);
    if (len <= n + 1 || strncasecmp(line, name, n) != 0 || line[n] != ':')
        return;
    const char *v = line + n + 1;
    while (*v == ' ')
        v++;
    size_t vl = (size_t)(line + len - v);
    while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n'))
        vl--;
    if (vl >= cap)
        vl = cap - 1;
    memcpy(out, v, vl);
    out[vl] = '\0';
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    t_resp *r = ud;
    size_t len = size * n;
    copy_header(p, len, "X-Request-Id", r->request_id, sizeof r->request_id);
    copy_header(p, len, "Allow", r->allow, sizeof r->allow);
    copy_header(p, len, "Content-Type", r->content_type, sizeof r->content_type);
    copy_header(p, len, "Location", r->location, sizeof r->location);
    copy_header(p, len, "Idempotent-Replayed", r->replayed, sizeof r->replayed);
    copy_header(p, len, "ETag", r->etag, sizeof r->etag);
    copy_header(p, len, "Cache-Control", r->cache_control, sizeof r->cache_control);
    copy_header(p, len, "Content-Security-Policy", r->csp, sizeof r->csp);
    copy_header(p, len, "Vary", r->vary, sizeof r->vary);
    copy_header(p, len, "Access-Control-Allow-Origin", r->cors_origin, sizeof r->cors_origin);
    copy_header(p, len, "Access-Control-Expose-Headers", r->cors_expose, sizeof r->cors_expose);
    copy_header(p, len, "Access-Control-Allow-Methods", r->cors_methods, sizeof r->cors_methods);
    copy_header(p, len, "Access-Control-Allow-Headers", r->cors_headers, sizeof r->cors_headers);
    copy_header(p, len, "Retry-After", r->retry_after, sizeof r->retry_after);
    copy_header(p, len, "Content-Disposition", r->disposition, sizeof r->disposition);
    return len;
}

t_resp t_request(const char *method, const char *path, const char *key, const char *body,
                 const char *content_type, const char *extra_header)
{
    t_resp r = {0};
    buf b = {0};
    snprintf(r.request, sizeof r.request, "%s %s", method, path);
    CURL *c = curl_easy_init();
    ck_assert_ptr_nonnull(c);
    char url[4096];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", g_port, path);
    struct curl_slist *h = NULL;
    char line[512];
    if (key) {
        snprintf(line, sizeof line, "Authorization: Bearer %s", key);
        h = curl_slist_append(h, line);
    }
    if (body) {
        snprintf(line, sizeof line, "Content-Type: %s",
                 content_type ? content_type : "application/json");
        h = curl_slist_append(h, line);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    h = curl_slist_append(h, "Expect:");
    for (const char *x = extra_header; x && *x;) { /* one header a line */
        const size_t n = strcspn(x, "\n");
        snprintf(line, sizeof line, "%.*s", (int)n, x);
        h = curl_slist_append(h, line);
        x += n + (x[n] == '\n');
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
    CURLcode rc = curl_easy_perform(c);
    ck_assert_msg(rc == CURLE_OK, "%s %s failed: %s", method, path, curl_easy_strerror(rc));
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    r.raw = b.data ? b.data : strdup("");
    r.body = b.len ? json_loads(r.raw, 0, NULL) : NULL;
    char why[2048];
    if (g_spec && contract_check_response(g_spec, method, path, r.status, r.content_type, r.body,
                                          b.len, why, sizeof why) < 0)
        ck_abort_msg("%s\nbody: %.600s", why, r.raw);
    return r;
}

t_resp t_get(const char *key, const char *fmt, ...)
{
    char path[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(path, sizeof path, fmt, ap);
    va_end(ap);
    return t_request("GET", path, key, NULL, NULL, NULL);
}

t_resp t_post(const char *key, const char *path, const char *body)
{
    return t_request("POST", path, key, body, NULL, NULL);
}

t_resp t_put(const char *key, const char *path, const char *body)
{
    return t_request("PUT", path, key, body, NULL, NULL);
}

t_resp t_patch(const char *key, const char *path, const char *body)
{
    return t_request("PATCH", path, key, body, NULL, NULL);
}

t_resp t_delete(const char *key, const char *path)
{
    return t_request("DELETE", path, key, NULL, NULL, NULL);
}

void t_resp_free(t_resp *r)
{
    json_decref(r->body);
    free(r->raw);
    memset(r, 0, sizeof *r);
}

int t_port(void)
{
    return g_port;
}

const char *t_admin_token(void)
{
    return g_admin;
}

const json_t *t_contract(void)
{
    return g_spec;
}

void t_new_org(char *key, char *slug)
{
    char s[64], body[256];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    snprintf(s, sizeof s, "t-%d-%ld-%ld", (int)getpid(), (long)ts.tv_sec % 100000, ts.tv_nsec);
    snprintf(body, sizeof body, "{\"slug\": \"%s\", \"name\": \"Test org %s\"}", s, s);
    t_resp r = t_request("POST", "/v1/orgs", g_admin, body, NULL, NULL);
    ck_assert_msg(r.status == 201, "org create: %ld %s", r.status, r.raw);
    json_t *k = json_object_get(r.body, "api_key");
    snprintf(key, 128, "%s", json_string_value(json_object_get(k, "secret")));
    if (slug)
        snprintf(slug, 64, "%s", s);
    t_resp_free(&r);
}

void t_new_key(const char *admin_key, const char *scopes_json, char *key_out)
{
    char body[256];
    snprintf(body, sizeof body, "{\"name\": \"test\", \"scopes\": %s}", scopes_json);
    t_resp r = t_post(admin_key, "/v1/api-keys", body);
    ck_assert_msg(r.status == 201, "key create: %ld %s", r.status, r.raw);
    snprintf(key_out, 128, "%s", json_string_value(json_object_get(r.body, "secret")));
    t_resp_free(&r);
}

const char *t_str(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

long long t_int(const json_t *obj, const char *key)
{
    return json_integer_value(json_object_get(obj, key));
}

double t_num(const json_t *obj, const char *key)
{
    return json_number_value(json_object_get(obj, key));
}

char *t_sql(const char *sql)
{
    PGconn *c = PQconnectdb(g_db_url);
    ck_assert_msg(PQstatus(c) == CONNECTION_OK, "test db: %s", PQerrorMessage(c));
    PGresult *res = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(res);
    ck_assert_msg(st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK, "sql: %s",
                  PQresultErrorMessage(res));
    char *out = strdup(st == PGRES_TUPLES_OK && PQntuples(res) ? PQgetvalue(res, 0, 0) : "");
    PQclear(res);
    PQfinish(c);
    return out;
}

static int run_env_command(const char *var)
{
    const char *cmd = getenv(var);
    if (!cmd || !*cmd)
        return -1;
    return system(cmd) == 0 ? 0 : -1;
}

int t_db_stop(void)
{
    return run_env_command("GAPFORGE_TEST_DB_STOP");
}

int t_db_start(void)
{
    return run_env_command("GAPFORGE_TEST_DB_START");
}

static int free_port(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) < 0 ||
        getsockname(s, (struct sockaddr *)&a, &len) < 0) {
        perror("free_port");
        exit(1);
    }
    int port = ntohs(a.sin_port);
    close(s);
    return port;
}

static void set_server_env(void)
{
    char listen[64];
    snprintf(listen, sizeof listen, "127.0.0.1:%d", g_port);
    setenv("DATABASE_URL", g_db_url, 1);
    setenv("GAPFORGE_LISTEN", listen, 1);
    setenv("GAPFORGE_ADMIN_TOKEN", g_admin, 1);
    setenv("GAPFORGE_THREADS", "4", 1);
    if (!getenv("GAPFORGE_MAX_BODY"))
        setenv("GAPFORGE_MAX_BODY", "65536", 1);
    /* 10 MiB, so the import suite can pass the cap without sending a gigabyte. */
    if (!getenv("GAPFORGE_MAX_IMPORT"))
        setenv("GAPFORGE_MAX_IMPORT", "10485760", 1);
    const char *src = getenv("GAPFORGE_SOURCE_ROOT");
    if (src) {
        char mig[4096];
        snprintf(mig, sizeof mig, "%s/migrations", src);
        setenv("GAPFORGE_MIGRATIONS", mig, 1);
    }
}

static int run_migrate(const char *bin)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "'%s' migrate >/dev/null", bin);
    return system(cmd) == 0 ? 0 : -1;
}

/* Forks and execs `gapforge serve`. detach: in a session of its own, so that Check, which kills
 * a finished test's process group, leaves a server that a test restarted running. */
static pid_t start_server(const char *bin, int detach)
{
    pid_t pid = fork();
    if (pid == 0) {
        if (detach)
            setsid();
        const char *log = getenv("GAPFORGE_TEST_SERVER_LOG");
        if (log && *log && !freopen(log, "a", stderr))
            _exit(127);
        /* The server runs as the service's role (migration 0017: no superuser, no BYPASSRLS, so
         * row-level security holds); migrations, the CLI and the suites' own SQL as the owner. */
        static char url[4096];
        snprintf(url, sizeof url, "%s user=gapforge_app", g_db_url);
        setenv("DATABASE_URL", url, 1);
        execl(bin, bin, "serve", (char *)NULL);
        _exit(127);
    }
    return pid;
}

static int wait_healthy(void)
{
    for (int i = 0; i < 200; i++) {
        CURL *c = curl_easy_init();
        char url[128];
        snprintf(url, sizeof url, "http://127.0.0.1:%d/healthz", g_port);
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
        curl_easy_setopt(c, CURLOPT_TIMEOUT, 2L);
        CURLcode rc = curl_easy_perform(c);
        curl_easy_cleanup(c);
        if (rc == CURLE_OK)
            return 0;
        usleep(50 * 1000);
    }
    return -1;
}

/* Loads $GAPFORGE_SOURCE_ROOT/openapi.yaml into g_spec; -1 (with a message) when it cannot. */
static int load_contract(void)
{
    const char *src = getenv("GAPFORGE_SOURCE_ROOT");
    if (!src || !*src) {
        fprintf(stderr, "GAPFORGE_SOURCE_ROOT is not set: cannot find openapi.yaml\n");
        return -1;
    }
    char path[4096], err[512];
    snprintf(path, sizeof path, "%s/openapi.yaml", src);
    g_spec = contract_yaml_load(path, err, sizeof err);
    if (!g_spec || !json_is_object(json_object_get(g_spec, "paths"))) {
        fprintf(stderr, "cannot load the contract %s: %s\n", path, g_spec ? "no paths" : err);
        return -1;
    }
    return 0;
}

/* Where a restarted server's pid is left for the runner (Check runs each test in a child). */
static char g_pidfile[128];

/* Waits until pid has exited: reaped here when it is this process's child (0 when it exited
 * 0), else seen as a zombie or gone (the runner reaps it). -1 on timeout or a bad exit. */
static int wait_gone(pid_t pid)
{
    for (int i = 0; i < 600; i++) {
        int st = 0;
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid)
            return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
        if (r < 0) {
            char path[64], line[512] = "";
            snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
            FILE *f = fopen(path, "r");
            if (!f)
                return 0;
            size_t n = fread(line, 1, sizeof line - 1, f);
            fclose(f);
            line[n] = '\0';
            const char *p = strrchr(line, ')');
            if (p && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X'))
                return 0;
        }
        usleep(50 * 1000);
    }
    return -1;
}

void t_server_restart(void)
{
    const char *bin = getenv("GAPFORGE_BIN");
    FILE *f = fopen(g_pidfile, "r");
    int current = 0;
    if (f) { /* an earlier test restarted it */
        if (fscanf(f, "%d", &current) == 1 && current > 0)
            g_server = current;
        fclose(f);
    }
    ck_assert_msg(bin && g_server > 0, "no server to restart");
    kill(g_server, SIGTERM);
    ck_assert_msg(wait_gone(g_server) == 0, "the server did not stop cleanly");
    g_server = start_server(bin, 1);
    ck_assert_msg(g_server > 0 && wait_healthy() == 0, "the server did not come back");
    f = fopen(g_pidfile, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "%d\n", (int)g_server);
    fclose(f);
}

int t_main(Suite *suite)
{
    g_db_url = getenv("GAPFORGE_TEST_DATABASE_URL");
    const char *bin = getenv("GAPFORGE_BIN");
    if (!g_db_url || !*g_db_url) {
        fprintf(stderr, "GAPFORGE_TEST_DATABASE_URL is not set: skipping integration tests\n");
        return 77;
    }
    if (!bin) {
        fprintf(stderr, "GAPFORGE_BIN is not set\n");
        return 1;
    }
    if (load_contract() < 0)
        return 1;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    g_port = free_port();
    set_server_env();
    if (run_migrate(bin) < 0) {
        fprintf(stderr, "gapforge migrate failed\n");
        return 1;
    }
    g_server = start_server(bin, 0);
    if (g_server < 0 || wait_healthy() < 0) {
        fprintf(stderr, "the server did not become healthy on port %d\n", g_port);
        if (g_server > 0)
            kill(g_server, SIGKILL);
        return 1;
    }
    /* A server restarted inside a test (t_server_restart) is reparented here when that test's
     * process ends, so that it can be stopped and reaped like the first. */
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    snprintf(g_pidfile, sizeof g_pidfile, "/tmp/gapforge-test-server-%d.pid", (int)getpid());
    SRunner *sr = srunner_create(suite);
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);

    int status = 0;
    FILE *pf = fopen(g_pidfile, "r");
    int restarted = 0;
    if (pf) {
        if (fscanf(pf, "%d", &restarted) != 1)
            restarted = 0;
        fclose(pf);
        unlink(g_pidfile);
    }
    if (restarted > 0 && restarted != g_server) {
        waitpid(g_server, NULL, WNOHANG); /* the first server, stopped by the test */
        g_server = restarted;
    }
    kill(g_server, SIGTERM);
    waitpid(g_server, &status, 0);
    curl_global_cleanup();
    json_decref(g_spec);
    g_spec = NULL;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "the server did not stop cleanly (status %d)\n", status);
        return 1;
    }
    return failed ? 1 : 0;
}

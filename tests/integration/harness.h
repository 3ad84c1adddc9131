/* harness.h — integration tests: the real gapforge binary over real HTTP against a throwaway
 * PostgreSQL.
 *
 * t_main() migrates the database named by GAPFORGE_TEST_DATABASE_URL, starts `gapforge serve`
 * on a free loopback port, runs the Check suite and stops the server (asserting it exits 0).
 * Without GAPFORGE_TEST_DATABASE_URL the binary exits 77 (meson: skipped); scripts/test always
 * sets it, and in CI a skip counts as a failure. Each test makes its own org(s), so tests never
 * see each other's data; the one exception is a demo org shared by tests that only read it
 * (fixture.h). */
#ifndef GF_TEST_HARNESS_H
#define GF_TEST_HARNESS_H

#include <check.h>
#include <jansson.h>
#include <stddef.h>

typedef struct t_resp {
    long status;
    json_t *body;           /* parsed body, NULL when empty or not JSON */
    char *raw;              /* raw body text */
    char request_id[128];   /* X-Request-Id response header */
    char allow[128];        /* Allow response header */
    char content_type[128]; /* Content-Type response header */
    char location[256];     /* Location response header */
    char replayed[16];      /* Idempotent-Replayed response header */
    char etag[80];          /* ETag response header */
    char cache_control[80]; /* Cache-Control response header */
    char csp[256];          /* Content-Security-Policy response header */
    char vary[128];         /* Vary response header */
    char cors_origin[256];  /* Access-Control-Allow-Origin response header */
    char cors_expose[128];  /* Access-Control-Expose-Headers response header */
    char cors_methods[128]; /* Access-Control-Allow-Methods response header */
    char cors_headers[256]; /* Access-Control-Allow-Headers response header */
    char retry_after[16];   /* Retry-After response header */
    char disposition[160];  /* Content-Disposition response header */
    char request[256];      /* "METHOD /path" of the request, for failure messages */
} t_resp;

/* Sends a request. key may be NULL (no Authorization); body may be NULL. content_type defaults
 * to application/json when a body is given. extra_header (e.g. "X-Request-Id: abc"; several
 * headers separated by newlines) may be NULL.
 * Free with t_resp_free. Fails the test when the server cannot be reached. */
t_resp t_request(const char *method, const char *path, const char *key, const char *body,
                 const char *content_type, const char *extra_header);

/* Shorthands with application/json. The path may be a printf format. */
t_resp t_get(const char *key, const char *path_fmt, ...) __attribute__((format(printf, 2, 3)));
t_resp t_post(const char *key, const char *path, const char *body);
t_resp t_put(const char *key, const char *path, const char *body);
t_resp t_patch(const char *key, const char *path, const char *body);
t_resp t_delete(const char *key, const char *path);

void t_resp_free(t_resp *r);

/* Creates a fresh org with a unique slug; writes its admin key into key (>= 128 bytes) and
 * its slug into slug (>= 64 bytes, may be NULL). */
void t_new_org(char *key, char *slug);

/* Creates an extra key with the given scopes JSON array text, e.g. "[\"read\"]". */
void t_new_key(const char *admin_key, const char *scopes_json, char *key_out);

/* The loopback port the server under test listens on (for raw-socket tests). */
int t_port(void);

/* The service admin token the harness started the server with. */
const char *t_admin_token(void);

/* The contract every response is checked against: openapi.yaml as JSON (borrowed; loaded by
 * t_main before the suite runs). */
const json_t *t_contract(void);

/* Runs a SQL statement directly on the test database (for checks the API cannot make);
 * returns the first column of the first row as a new string ("" when none). */
char *t_sql(const char *sql);

/* Stops / starts the database with GAPFORGE_TEST_DB_STOP / _START; returns 0 when the commands
 * are configured and succeeded, -1 otherwise. */
int t_db_stop(void);
int t_db_start(void);

/* Asserts status and (when code is non-NULL) the error code and field (field may be NULL). */
#define t_expect_error(resp, want_status, want_code, want_field)                             \
    do {                                                                                     \
        ck_assert_int_eq((resp).status, (want_status));                                      \
        json_t *e_ = json_object_get((resp).body, "error");                                  \
        ck_assert_msg(e_ != NULL, "no error object in %s", (resp).raw);                      \
        if (want_code)                                                                       \
            ck_assert_str_eq(json_string_value(json_object_get(e_, "code")), (want_code));   \
        if (want_field)                                                                      \
            ck_assert_str_eq(json_string_value(json_object_get(e_, "field")), (want_field)); \
    } while (0)

/* JSON accessors for assertions. */
const char *t_str(const json_t *obj, const char *key);
long long t_int(const json_t *obj, const char *key);
double t_num(const json_t *obj, const char *key);

/* Stops the server under test (SIGTERM, asserting a clean exit) and starts it again on the same
 * port with the current environment, waiting until it is healthy: a restart between two steps of
 * a test. Fails the test when it does not come back. */
void t_server_restart(void);

/* Starts the server, runs the suite, stops the server; returns the process exit code. */
int t_main(Suite *suite);

#endif

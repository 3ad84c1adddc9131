/* imports_fixture.h — helpers of the import suites: POST a file, read the
 * answer's counts and problems, and send raw HTTP over a socket (chunked or
 * cut-off bodies). */
#ifndef GF_TEST_IMPORTS_FIXTURE_H
#define GF_TEST_IMPORTS_FIXTURE_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "deals_fixture.h"

/* POSTs body as a CSV file to path (which carries the query). */
static inline t_resp post_csv(const char *key, const char *path, const char *body)
{
    return t_request("POST", path, key, body, "text/csv", NULL);
}

static inline t_resp post_ndjson(const char *key, const char *path, const char *body)
{
    return t_request("POST", path, key, body, "application/x-ndjson", NULL);
}

/* Asserts an import answer's status and counts (inserted, updated, unchanged,
 * rejected). */
static inline void expect_counts(const t_resp *r, long status, long long ins, long long upd,
                                 long long same, long long rej)
{
    ck_assert_msg(r->status == status, "status %ld: %s", r->status, r->raw);
    ck_assert_int_eq(t_int(r->body, "inserted"), ins);
    ck_assert_int_eq(t_int(r->body, "updated"), upd);
    ck_assert_int_eq(t_int(r->body, "unchanged"), same);
    ck_assert_int_eq(t_int(r->body, "rejected"), rej);
}

/* Asserts problem i of an answer: its line, column (NULL: none) and a reason
 * containing reason_part. */
static inline void expect_problem(const t_resp *r, size_t i, long long line, const char *column,
                                  const char *reason_part)
{
    json_t *p = json_array_get(json_object_get(r->body, "problems"), i);
    ck_assert_msg(p != NULL, "no problem %zu in %s", i, r->raw);
    ck_assert_int_eq(t_int(p, "line"), line);
    if (column)
        ck_assert_str_eq(t_str(p, "column"), column);
    else
        ck_assert(json_is_null(json_object_get(p, "column")));
    ck_assert_msg(strstr(t_str(p, "reason"), reason_part), "reason %s lacks %s", t_str(p, "reason"),
                  reason_part);
}

/* Opens a TCP connection to the server; fails the test when it cannot. */
static inline int raw_connect(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)t_port()),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    ck_assert_int_ge(s, 0);
    ck_assert_int_eq(connect(s, (struct sockaddr *)&a, sizeof a), 0);
    return s;
}

static inline void raw_send(int s, const char *data, size_t len)
{
    while (len) {
        ssize_t n = send(s, data, len, MSG_NOSIGNAL);
        ck_assert_int_gt(n, 0);
        data += n;
        len -= (size_t)n;
    }
}

/* Reads until the peer closes or out is full; returns the HTTP status of the
 * reply (0: none). */
static inline int raw_status(int s, char *out, size_t cap)
{
    size_t len = 0;
    ssize_t n;
    while (len + 1 < cap && (n = recv(s, out + len, cap - 1 - len, 0)) > 0)
        len += (size_t)n;
    out[len] = '\0';
    int status = 0;
    if (sscanf(out, "HTTP/1.%*d %d", &status) != 1)
        return 0;
    return status;
}

#endif

/* fixture.h — what the integration suites share beside the harness: SQL shorthands,
 * request-and-assert helpers, the data builders (a sales org, teams, reps, KPIs, targets, deals),
 * `gapforge` subcommands, demo orgs (one per test, or one per test case shared by read-only
 * tests) and the answers of the import endpoints.
 *
 * Every fx_expect_* is a macro that asserts at the caller's line; the fx_* functions fail the
 * running test themselves (their messages name the request). Strings returned as `char *` are
 * the caller's to free; `json_t *` results say whether they are new or borrowed references. */
#ifndef GF_TEST_FIXTURE_H
#define GF_TEST_FIXTURE_H

#include <check.h>
#include <jansson.h>
#include <stddef.h>

#include "harness.h"

/* ---- SQL on the test database ---- */

/* The first value of printf-formatted SQL ("" when there is no row); the caller frees it. */
char *fx_sqlf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Runs printf-formatted SQL and drops its result. */
void fx_exec(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The first value of printf-formatted SQL as an integer (0 when there is no row). */
long long fx_sql_ll(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* How many rows of table (which has an org_id column) belong to the org with this slug. */
long long fx_org_rows(const char *slug, const char *table);

/* ---- assertions on responses; each takes ownership of resp and frees it ---- */

/* Asserts the status of resp. */
#define fx_expect_status(resp, want_status)                                               \
    do {                                                                                  \
        t_resp r_ = (resp);                                                               \
        char why_[1024];                                                                  \
        int bad_ = fx__check_error(&r_, (want_status), NULL, NULL, 0, why_, sizeof why_); \
        t_resp_free(&r_);                                                                 \
        ck_assert_msg(!bad_, "%s", why_);                                                 \
    } while (0)

/* Asserts an error answer: its status, error.code (NULL: any) and error.field (NULL: any). */
#define fx_expect_error(resp, want_status, want_code, want_field)                                 \
    do {                                                                                          \
        t_resp r_ = (resp);                                                                       \
        char why_[1024];                                                                          \
        int bad_ =                                                                                \
            fx__check_error(&r_, (want_status), (want_code), (want_field), 1, why_, sizeof why_); \
        t_resp_free(&r_);                                                                         \
        ck_assert_msg(!bad_, "%s", why_);                                                         \
    } while (0)

/* Asserts a 422 invalid_argument that names field (NULL: any field). */
#define fx_expect_invalid(resp, want_field) \
    fx_expect_error(resp, 422, "invalid_argument", want_field)

/* 0 when r has the status (and, when is_error, an error object with the code and field, each
 * unchecked when NULL); otherwise -1 with the reason in why. Used by the macros above. */
int fx__check_error(const t_resp *r, long status, const char *code, const char *field, int is_error,
                    char *why, size_t cap);

/* ---- reading responses ---- */

/* Asserts the status of resp and returns its parsed body (a new reference; NULL when it had
 * none); frees the rest of resp. */
json_t *fx_body(t_resp resp, long status);

/* The CRLF-ended lines of s: a CSV answer's rows, its header included. */
size_t fx_csv_lines(const char *s);

/* The error.message of an error answer (borrowed; NULL when there is none). */
const char *fx_error_message(const t_resp *r);

/* The number of elements of r's "items", and element i (borrowed, NULL past the end). */
size_t fx_n_items(const t_resp *r);
json_t *fx_item(const t_resp *r, size_t i);

/* The string values of `field` of every element of list, comma-joined in order ("" for none);
 * the caller frees it. */
char *fx_joined(const json_t *list, const char *field);

/* GETs the printf-formatted path, asserts 200 and returns fx_joined of its items' field. */
char *fx_list_of(const char *key, const char *field, const char *path_fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The number of items of a list endpoint over all its pages (500 a page). */
long fx_count_all(const char *key, const char *path);

/* ---- data ---- */

/* A fresh org with stages prospecting, proposal (open), won, lost; teams sales > emea > uk and
 * sales > americas; reps ada (uk), bob (emea), cy (americas) and dee (no team); made in SQL so
 * the suites that use it do not depend on the people endpoints. key >= 128, slug >= 64 bytes. */
void fx_sales_org(char *key, char *slug);

/* A team or rep (without team) of the org with this slug, made in SQL. */
void fx_add_team(const char *slug, const char *team);
void fx_add_rep(const char *slug, const char *rep);

/* PUTs a new weekly, summed, higher-is-better KPI; asserts 201. */
void fx_put_kpi(const char *key, const char *kpi);

/* PUTs the bookings target of scope in period; asserts 200. */
void fx_put_target(const char *key, const char *scope, const char *period, double value);

/* POSTs a deal body, asserts 201 and returns the new id. */
long long fx_post_deal(const char *key, const char *body);

/* PATCHes deal id with body; asserts 200. */
void fx_patch_deal(const char *key, long long id, const char *body);

/* The id of the org's deal with this external id (0 when none), from the table. */
long long fx_deal_id(const char *slug, const char *external_id);

/* The number of history events of a deal, from the table. */
long long fx_deal_events(long long deal_id);

/* ---- gapforge subcommands and demo orgs ---- */

/* Runs `env "$GAPFORGE_BIN" args` through /bin/sh (env: shell assignments such as
 * DATABASE_URL="...", or NULL; args may redirect, e.g. 2>&1). The harness has already set
 * DATABASE_URL to the test database. Writes its stdout into out (cap bytes, NUL-terminated;
 * out may be NULL to drop it) and returns its exit status (-1 when it did not exit). */
int fx_gapforge(const char *env, const char *args, char *out, size_t cap);

/* What `gapforge demo` generates: --seed, --quarters, --deals-per-quarter, --as-of. */
typedef struct fx_demo_spec {
    int seed;
    int quarters;
    int deals_per_quarter;
    const char *as_of;
} fx_demo_spec;

/* Makes a fresh org and loads the demo into it (asserting exit 0 and the report naming the org
 * and the truth file); writes its admin key and slug and returns the parsed truth file (a new
 * reference; the file itself is removed). */
json_t *fx_demo_org(char *key, char *slug, fx_demo_spec spec);

/* Adds to tc an unchecked fixture that loads one demo org with spec before tc's first test (in
 * the runner's process, so every forked test sees it). Its tests must only read that org; a
 * test that writes makes its own with fx_demo_org. One shared org per test binary. */
void fx_shared_demo_add(TCase *tc, fx_demo_spec spec);

/* The shared demo org's admin key, slug and truth (borrowed). */
const char *fx_shared_key(void);
const char *fx_shared_slug(void);
const json_t *fx_shared_truth(void);

/* ---- imports ---- */

/* POSTs body to path (which carries the query) as text/csv or application/x-ndjson. */
t_resp fx_post_csv(const char *key, const char *path, const char *body);
t_resp fx_post_ndjson(const char *key, const char *path, const char *body);

/* Asserts an import answer's status and counts inserted, updated, unchanged, rejected. */
#define fx_expect_counts(r, status, ins, upd, same, rej)                                      \
    do {                                                                                      \
        char why_[1024];                                                                      \
        ck_assert_msg(                                                                        \
            !fx__check_counts((r), (status), (ins), (upd), (same), (rej), why_, sizeof why_), \
            "%s", why_);                                                                      \
    } while (0)

/* Asserts problem i of an import answer: its line, column (NULL: none) and a reason
 * containing reason_part. */
#define fx_expect_problem(r, i, line, column, reason_part)                                    \
    do {                                                                                      \
        char why_[1024];                                                                      \
        ck_assert_msg(                                                                        \
            !fx__check_problem((r), (i), (line), (column), (reason_part), why_, sizeof why_), \
            "%s", why_);                                                                      \
    } while (0)

/* 0 when they hold, otherwise -1 with the reason in why. Used by the macros above. */
int fx__check_counts(const t_resp *r, long status, long long ins, long long upd, long long same,
                     long long rej, char *why, size_t cap);
int fx__check_problem(const t_resp *r, size_t i, long long line, const char *column,
                      const char *reason_part, char *why, size_t cap);

#endif

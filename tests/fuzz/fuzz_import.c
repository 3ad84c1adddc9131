/* fuzz_import.c — the bulk imports' body parser (src/api/imports.c: CSV through
 * src/util/csv.c, NDJSON line by line, the header mapping and the query options), run through
 * its stream callbacks as the server runs them, with no database and no server: the link
 * replaces (--wrap, see meson.build) the store's gf_import_begin/row/problem/finish/abort and
 * libmicrohttpd's MHD_lookup_connection_value with the stand-ins below.
 *
 * Input: one byte (the kind, CSV or NDJSON, the Content-Type's spelling), a query string up to
 * the first newline, then the body. Invariants:
 *  - the rows and problems handed to the store, and the answer, are the same whether the body
 *    arrives whole or cut into pieces of 1..16 bytes;
 *  - an import is begun at most once and then finished or aborted exactly once, and nothing
 *    reaches it outside that;
 *  - rows and problems come in strictly increasing line order, lines from 1 (a CSV's rows from
 *    2, its header being line 1);
 *  - a row's present bits name columns of its kind, a value is given only for a present column
 *    and is UTF-8 without NUL (anything else is the row's problem), and every CSV row carries
 *    the header's columns;
 *  - a problem names a column of the kind (or none) and says why;
 *  - a refusal before any row (bad option, bad mapping, bad Content-Type) is a 4xx error naming
 *    what is wrong; every error's message is UTF-8 and its body can be written; a finished
 *    import always answers. */
#include <jansson.h>
#include <microhttpd.h>
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "gapforge/api.h"
#include "gapforge/date.h"
#include "gapforge/import.h"

/* ---- the stand-ins (prototypes first: they have no header) ---- */
const char *__wrap_MHD_lookup_connection_value(struct MHD_Connection *c, enum MHD_ValueKind kind,
                                               const char *key);
gf_import *__wrap_gf_import_begin(const gf_import_kind *kind, const gf_import_options *opt,
                                  gf_err *err);
int __wrap_gf_import_row(gf_import *imp, long line, unsigned present, const char *const *values,
                         gf_err *err);
void __wrap_gf_import_problem(gf_import *imp, long line, const char *column, const char *reason);
json_t *__wrap_gf_import_finish(gf_import *imp, gf_import_outcome *outcome, gf_err *err);
void __wrap_gf_import_abort(gf_import *imp);

#define MAX_PARAMS 16

/* What one run saw. */
static struct run {
    const char *keys[MAX_PARAMS], *values[MAX_PARAMS]; /* the query string, decoded */
    int nparams;
    const char *content_type;
    const gf_import_kind *kind; /* of the import begun, NULL before */
    int begun, ended;
    bool csv;
    long last_line;
    unsigned header_present; /* CSV: the columns of the first row */
    char *trace;
    size_t len, cap;
} run;

/* A stand-in for the store's import: only its identity matters. */
struct gf_import {
    const gf_import_kind *kind;
};

static void note(const char *s, size_t n)
{
    if (run.len + n + 1 > run.cap) {
        size_t cap = run.cap ? run.cap : 1024;
        while (cap < run.len + n + 1)
            cap *= 2;
        run.trace = realloc(run.trace, cap);
        FUZZ_CHECK(run.trace != NULL, "out of memory");
        run.cap = cap;
    }
    memcpy(run.trace + run.len, s, n);
    run.len += n;
    run.trace[run.len] = '\0';
}

static void notes(const char *s)
{
    note(s, strlen(s));
}

static int ncolumns(const gf_import_kind *kind)
{
    int n = 0;
    while (kind->columns[n])
        n++;
    return n;
}

const char *__wrap_MHD_lookup_connection_value(struct MHD_Connection *c, enum MHD_ValueKind kind,
                                               const char *key)
{
    (void)c;
    if (kind == MHD_HEADER_KIND)
        return strcasecmp(key, "Content-Type") == 0 ? run.content_type : NULL;
    for (int i = 0; kind == MHD_GET_ARGUMENT_KIND && i < run.nparams; i++)
        if (strcmp(run.keys[i], key) == 0)
            return run.values[i];
    return NULL;
}

gf_import *__wrap_gf_import_begin(const gf_import_kind *kind, const gf_import_options *opt,
                                  gf_err *err)
{
    (void)err;
    FUZZ_CHECK(run.begun == 0, "a second import begun");
    FUZZ_CHECK(opt->org_id == 1, "org %lld", (long long)opt->org_id);
    FUZZ_CHECK(!opt->effective_at || gf_timestamp_valid(opt->effective_at),
               "effective_at %s passed on", opt->effective_at);
    run.begun++;
    run.kind = kind;
    gf_import *imp = malloc(sizeof *imp);
    FUZZ_CHECK(imp != NULL, "out of memory");
    imp->kind = kind;
    char head[160];
    snprintf(head, sizeof head, "begin %s skip=%d create=%d effective_only=%d at=%s\n", kind->name,
             opt->skip_errors, opt->create_missing, opt->effective_only,
             opt->effective_at ? opt->effective_at : "-");
    notes(head);
    return imp;
}

/* Checks that imp is the live import and line follows the last one. */
static void check_event(const gf_import *imp, long line)
{
    FUZZ_CHECK(imp && imp->kind == run.kind && run.begun == 1 && run.ended == 0,
               "an event outside a live import");
    FUZZ_CHECK(line >= (run.csv ? 2 : 1), "line %ld", line);
    FUZZ_CHECK(line > run.last_line, "line %ld after line %ld", line, run.last_line);
    run.last_line = line;
}

int __wrap_gf_import_row(gf_import *imp, long line, unsigned present, const char *const *values,
                         gf_err *err)
{
    (void)err;
    check_event(imp, line);
    const int n = ncolumns(imp->kind);
    FUZZ_CHECK((present >> n) == 0, "present bits 0x%x for %d columns", present, n);
    if (run.csv) {
        if (!run.header_present)
            run.header_present = present;
        FUZZ_CHECK(present == run.header_present, "a CSV row with columns 0x%x, the header 0x%x",
                   present, run.header_present);
    }
    char head[64];
    snprintf(head, sizeof head, "row %ld 0x%x", line, present);
    notes(head);
    for (int i = 0; i < n; i++) {
        FUZZ_CHECK(!values[i] || (present & (1u << i)), "a value for absent column %s",
                   imp->kind->columns[i]);
        FUZZ_CHECK(!values[i] || gf_utf8_valid(values[i], strlen(values[i]), NULL),
                   "a value of column %s is not UTF-8", imp->kind->columns[i]);
        note("\x1f", 1);
        notes(values[i] ? values[i] : "\x01");
    }
    note("\n", 1);
    return 0;
}

void __wrap_gf_import_problem(gf_import *imp, long line, const char *column, const char *reason)
{
    check_event(imp, line);
    bool known = !column;
    for (int i = 0; column && imp->kind->columns[i]; i++)
        known |= strcmp(imp->kind->columns[i], column) == 0;
    FUZZ_CHECK(known, "a problem in column %s, not one of %s", column, imp->kind->name);
    FUZZ_CHECK(reason && reason[0], "a problem without a reason");
    char head[64];
    snprintf(head, sizeof head, "problem %ld %s: ", line, column ? column : "-");
    notes(head);
    notes(reason);
    note("\n", 1);
}

json_t *__wrap_gf_import_finish(gf_import *imp, gf_import_outcome *outcome, gf_err *err)
{
    (void)err;
    FUZZ_CHECK(imp && imp->kind == run.kind && run.ended == 0, "finish of no live import");
    run.ended++;
    free(imp);
    *outcome = GF_IMPORT_COMMITTED;
    notes("finish\n");
    return json_pack("{s:s, s:b}", "kind", run.kind->name, "committed", 1);
}

void __wrap_gf_import_abort(gf_import *imp)
{
    if (!imp)
        return;
    FUZZ_CHECK(imp->kind == run.kind && run.ended == 0, "abort of no live import");
    run.ended++;
    free(imp);
    notes("abort\n");
}

/* ---- the harness ---- */

static int hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes a query component in place as libmicrohttpd does (+ is a space, %XX a byte; a NUL
 * byte ends the C string it hands out). */
static void unescape(char *s)
{
    char *o = s;
    for (char *p = s; *p; p++) {
        if (*p == '+') {
            *o++ = ' ';
        } else if (*p == '%' && hex(p[1]) >= 0 && hex(p[2]) >= 0) {
            *o++ = (char)(hex(p[1]) * 16 + hex(p[2]));
            p += 2;
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
}

/* Splits query (modified) into run's parameters. */
static void parse_query(char *query)
{
    run.nparams = 0;
    char *save = NULL;
    for (char *kv = strtok_r(query, "&", &save); kv && run.nparams < MAX_PARAMS;
         kv = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(kv, '=');
        if (eq)
            *eq = '\0';
        unescape(kv);
        if (eq)
            unescape(eq + 1);
        run.keys[run.nparams] = kv;
        run.values[run.nparams++] = eq ? eq + 1 : "";
    }
}

static const char *const content_types[] = {
    "text/csv",
    "text/csv; charset=utf-8",
    "application/x-ndjson",
    "application/ndjson",
    "TEXT/CSV",
    "application/json",
    "text/csv2",
    NULL,
};

/* One import of body, whole or in pieces; returns the trace (the caller frees it). */
static char *import(const gf_stream_ops *ops, const char *query, const char *ct, const char *body,
                    size_t size, uint32_t seed, bool pieces)
{
    char *q = strdup(query);
    FUZZ_CHECK(q != NULL, "out of memory");
    memset(&run, 0, sizeof run);
    parse_query(q);
    run.content_type = ct;
    run.csv = ct && strncasecmp(ct, "text/csv", 8) == 0;
    notes("");
    gf_req req = {.conn = (struct MHD_Connection *)&run, .method = "POST", .path = "/v1/imports"};
    req.who.org_id = 1;
    void *state = NULL;
    gf_err err = {0};
    if (ops->begin(&req, &state, &err) < 0) {
        FUZZ_CHECK(err.code != GF_OK && err.message[0], "a refusal without an error");
        fuzz_check_error(&err);
        const int status = gf_http_status_of(err.code);
        FUZZ_CHECK(status == 415 || status == 422, "refused with %d: %s", status, err.message);
        FUZZ_CHECK(run.begun == run.ended, "a refused import left open");
        char line[400];
        snprintf(line, sizeof line, "refused %d %s: %s\n", status, err.field, err.message);
        notes(line);
        free(q);
        return run.trace;
    }
    FUZZ_CHECK(run.begun == 1 && run.ended == 0, "begun %d ended %d", run.begun, run.ended);
    int rc = 0;
    for (size_t at = 0; at < size && rc == 0;) {
        const size_t n = pieces ? fuzz_piece(&seed, size - at) : size;
        rc = ops->chunk(state, body + at, n, &err);
        at += n;
    }
    if (rc < 0) {
        FUZZ_CHECK(err.code != GF_OK && err.message[0], "a chunk failed without an error");
        fuzz_check_error(&err);
        char line[400];
        snprintf(line, sizeof line, "failed %s: %s\n", err.field, err.message);
        notes(line);
        ops->abort(state);
    } else {
        gf_resp resp = {0};
        ops->finish(state, &req, &resp);
        FUZZ_CHECK(resp.status && resp.body, "no answer (status %d)", resp.status);
        char *text = resp.body ? json_dumps(resp.body, JSON_SORT_KEYS | JSON_COMPACT) : NULL;
        char line[64];
        snprintf(line, sizeof line, "answer %d ", resp.status);
        notes(line);
        notes(text ? text : "(none)");
        note("\n", 1);
        free(text);
        json_decref(resp.body);
    }
    FUZZ_CHECK(run.ended == 1, "the import was ended %d times", run.ended);
    free(q);
    return run.trace;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static const gf_stream_ops *const kinds[] = {
        &gf_api_import_deals_ops, &gf_api_import_deal_events_ops,
        &gf_api_import_kpi_observations_ops, &gf_api_import_deals_ops};
    const gf_stream_ops *ops = kinds[data[0] & 3];
    const char *ct = content_types[(data[0] >> 2) & 7];
    const char *rest = (const char *)data + 1;
    const char *nl = memchr(rest, '\n', size - 1);
    const size_t qlen = nl ? (size_t)(nl - rest) : 0;
    char *query = malloc(qlen + 1);
    FUZZ_CHECK(query != NULL, "out of memory");
    memcpy(query, rest, qlen);
    query[qlen] = '\0';
    const char *body = nl ? nl + 1 : rest;
    const size_t blen = size - 1 - (size_t)(body - rest);
    char *whole = import(ops, query, ct, body, blen, 0, false);
    char *cut = import(ops, query, ct, body, blen, fuzz_seed(data, size), true);
    FUZZ_CHECK(strcmp(whole, cut) == 0, "whole and in pieces differ:\n%s---\n%s", whole, cut);
    free(whole);
    free(cut);
    free(query);
    return 0;
}

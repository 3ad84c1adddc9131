/* import.c — the generic part of bulk imports: connection, staging table, COPY stream,
 * problems, and the transaction around the kind's merge. */
#include "gapforge/import.h"
#include "gapforge/metrics.h"

#include <libpq-fe.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "gapforge/key_set.h"
#include "gapforge/utf8.h"

#define SEND_BUFFER (256 * 1024)

typedef struct problem {
    long line;
    char column[32];
    char reason[160];
} problem;

struct gf_import {
    const gf_import_kind *kind;
    gf_import_options opt;
    char effective_at[64];
    PGconn *pg; /* opened with the first row (or at the end): no data, no connection */
    bool has_slot;
    bool copying;
    char *buf;
    size_t len;
    long rows;
    problem problems[GF_IMPORT_MAX_PROBLEMS];
    int nproblems;
    long problem_total;
    long rejected_lines; /* rows the parser could not send */
    long inserted, updated, unchanged, bad_rows;
    int key_index;   /* the kind's unique_key among its columns, or -1 */
    int money_index; /* the kind's money column, or -1 */
    gf_key_set keys; /* the hashes of the rows' keys so far */
    void *stager;    /* the kind's stager's state, once open */
    bool field_sent; /* a field of the current staged row was put */
    struct timespec started;
};

/* The imports that may run at once, their statement timeout, and how many hold a slot. */
static atomic_int g_max_running = 4;
static atomic_int g_timeout_ms = 600000;
static atomic_int g_running;

void gf_import_configure(int max_running, int statement_timeout_ms)
{
    atomic_store(&g_max_running, max_running > 0 ? max_running : 1);
    atomic_store(&g_timeout_ms, statement_timeout_ms);
}

/* Takes one of the running slots; false when all are taken. */
static bool take_slot(void)
{
    int n = atomic_load(&g_running);
    while (n < atomic_load(&g_max_running))
        if (atomic_compare_exchange_weak(&g_running, &n, n + 1))
            return true;
    return false;
}

static int run(gf_import *imp, const char *sql, gf_err *err)
{
    PGresult *res = PQexec(imp->pg, sql);
    ExecStatusType st = PQresultStatus(res);
    int rc = 0;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_COPY_IN) {
        gf_db_fail(res, imp->pg, err);
        rc = -1;
    }
    PQclear(res);
    return rc;
}

/* CREATE TEMP TABLE staging (line bigint, <columns> text) and COPY into it. Column names come
 * from the kind's static table, never from the request. */
static int open_staging(gf_import *imp, gf_err *err)
{
    const gf_import_stager *st = imp->kind->stager;
    if (st) {
        imp->stager = st->open(imp, err);
        if (!imp->stager || run(imp, st->copy_sql, err) < 0)
            return -1;
        imp->copying = true;
        return 0;
    }
    char create[1024] = "CREATE TEMP TABLE import_staging (line bigint, present int, invalid int";
    char copy[1024] = "COPY import_staging (line, present, invalid";
    for (const char *const *c = imp->kind->columns; *c; c++) {
        size_t a = strlen(create), b = strlen(copy);
        snprintf(create + a, sizeof create - a, ", %s text", *c);
        snprintf(copy + b, sizeof copy - b, ", %s", *c);
    }
    strncat(create, ") ON COMMIT DROP", sizeof create - strlen(create) - 1);
    strncat(copy, ") FROM STDIN", sizeof copy - strlen(copy) - 1);
    if (run(imp, create, err) < 0 || run(imp, copy, err) < 0)
        return -1;
    imp->copying = true;
    return 0;
}

gf_import *gf_import_begin(const gf_import_kind *kind, const gf_import_options *opt, gf_err *err)
{
    gf_import *imp = calloc(1, sizeof *imp);
    if (!imp) {
        gf_err_internal(err);
        return NULL;
    }
    clock_gettime(CLOCK_MONOTONIC, &imp->started);
    imp->kind = kind;
    imp->opt = *opt;
    imp->key_index = imp->money_index = -1;
    for (int i = 0; kind->columns[i]; i++) {
        if (kind->unique_key && strcmp(kind->columns[i], kind->unique_key) == 0)
            imp->key_index = i;
        if (kind->money && strcmp(kind->columns[i], kind->money) == 0)
            imp->money_index = i;
    }
    snprintf(imp->effective_at, sizeof imp->effective_at, "%s",
             opt->effective_at ? opt->effective_at : "");
    imp->opt.effective_at = imp->effective_at[0] ? imp->effective_at : NULL;
    imp->buf = malloc(SEND_BUFFER);
    if (!imp->buf) {
        free(imp);
        gf_err_internal(err);
        return NULL;
    }
    if (!take_slot()) {
        gf_import_abort(imp);
        gf_err_set(err, GF_EUNAVAILABLE, "too_many_imports", NULL,
                   "%d imports are already running (GAPFORGE_MAX_IMPORTS); try again later",
                   atomic_load(&g_max_running));
        return NULL;
    }
    imp->has_slot = true;
    return imp;
}

/* Opens the import's connection, transaction and COPY when the first data arrives. */
static int ensure_open(gf_import *imp, gf_err *err)
{
    if (imp->pg)
        return 0;
    imp->pg = gf_db_connect_dedicated(atomic_load(&g_timeout_ms), err);
    if (!imp->pg || run(imp, "BEGIN", err) < 0 || gf_db_local_settings(imp->pg, err) < 0 ||
        gf_db_set_org_on(imp->pg, imp->opt.org_id, err) < 0 || open_staging(imp, err) < 0)
        return -1;
    return 0;
}

static int flush(gf_import *imp, gf_err *err)
{
    if (imp->len && PQputCopyData(imp->pg, imp->buf, (int)imp->len) != 1) {
        gf_db_fail(NULL, imp->pg, err);
        return -1;
    }
    imp->len = 0;
    return 0;
}

/* Appends s[0..n) to the send buffer in COPY text format: backslash, tab, newline, CR escaped. */
static int put_escaped(gf_import *imp, const char *s, size_t n, gf_err *err)
{
    for (const char *end = s + n; s < end; s++) {
        if (imp->len + 2 > SEND_BUFFER && flush(imp, err) < 0)
            return -1;
        char c = *s;
        char esc = c == '\\' ? '\\' : c == '\t' ? 't' : c == '\n' ? 'n' : c == '\r' ? 'r' : 0;
        if (esc) {
            imp->buf[imp->len++] = '\\';
            imp->buf[imp->len++] = esc;
        } else {
            imp->buf[imp->len++] = c;
        }
    }
    return 0;
}

static int put_raw(gf_import *imp, const char *s, gf_err *err)
{
    size_t n = strlen(s);
    if (imp->len + n > SEND_BUFFER && flush(imp, err) < 0)
        return -1;
    memcpy(imp->buf + imp->len, s, n);
    imp->len += n;
    return 0;
}

/* The part of s between its leading and trailing spaces, as SQL's btrim keeps it; *n its length. */
static const char *trimmed(const char *s, size_t *n)
{
    size_t len = strlen(s);
    while (len && s[len - 1] == ' ')
        len--;
    while (len && *s == ' ') {
        s++;
        len--;
    }
    *n = len;
    return s;
}

/* True when s[0..n) is money as gf_import_kind.money says: the regular expression
 * ^[0-9]{1,16}(\.[0-9]{1,2})?$ of the SQL it replaces. */
static bool is_money(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++;
    if (i < 1 || i > 16)
        return false;
    if (i == n)
        return true;
    if (s[i] != '.')
        return false;
    size_t frac = n - i - 1;
    for (size_t k = i + 1; k < n; k++)
        if (s[k] < '0' || s[k] > '9')
            return false;
    return frac >= 1 && frac <= 2;
}

bool gf_import_keys_may_repeat(const gf_import *imp)
{
    return imp->key_index < 0 || imp->keys.may_repeat;
}

/* The generic staged row: line, present, invalid and the cells as text. */
static int stage_text(gf_import *imp, long line, unsigned present, unsigned invalid,
                      const gf_import_cell *cells, int ncells, gf_err *err)
{
    char num[64];
    snprintf(num, sizeof num, "%ld\t%u\t%u", line, present, invalid);
    if (put_raw(imp, num, err) < 0)
        return -1;
    for (int i = 0; i < ncells; i++)
        if (put_raw(imp, "\t", err) < 0 ||
            (cells[i].n ? put_escaped(imp, cells[i].s, cells[i].n, err)
                        : put_raw(imp, "\\N", err)) < 0)
            return -1;
    return put_raw(imp, "\n", err);
}

int gf_import_row(gf_import *imp, long line, unsigned present, const char *const *values,
                  gf_err *err)
{
    gf_import_cell cells[GF_IMPORT_MAX_COLUMNS];
    int ncells = 0;
    for (; imp->kind->columns[ncells]; ncells++) {
        gf_import_cell *c = &cells[ncells];
        c->n = 0;
        c->s = values[ncells] ? trimmed(values[ncells], &c->n) : NULL;
    }
    unsigned invalid = 0;
    if (imp->money_index >= 0 && cells[imp->money_index].n &&
        !is_money(cells[imp->money_index].s, cells[imp->money_index].n))
        invalid |= 1u << imp->money_index;
    /* An empty key is a problem of its own, not a repeat. */
    if (imp->key_index >= 0 && cells[imp->key_index].n)
        gf_key_set_add(&imp->keys, cells[imp->key_index].s, cells[imp->key_index].n);
    if (ensure_open(imp, err) < 0)
        return -1;
    int rc = imp->kind->stager
                 ? imp->kind->stager->row(imp, imp->stager, line, present, invalid, cells, err)
                 : stage_text(imp, line, present, invalid, cells, ncells, err);
    if (rc < 0)
        return -1;
    imp->rows++;
    return 0;
}

void *gf_import_stager_state(gf_import *imp)
{
    return imp->stager;
}

int gf_import_put_field(gf_import *imp, const char *s, size_t n, gf_err *err)
{
    if (imp->field_sent && put_raw(imp, "\t", err) < 0)
        return -1;
    imp->field_sent = true;
    return s ? put_escaped(imp, s, n, err) : put_raw(imp, "\\N", err);
}

int gf_import_end_row(gf_import *imp, gf_err *err)
{
    imp->field_sent = false;
    return put_raw(imp, "\n", err);
}

static void add_problem(gf_import *imp, long line, const char *column, const char *reason)
{
    imp->problem_total++;
    if (imp->nproblems == GF_IMPORT_MAX_PROBLEMS)
        return;
    problem *p = &imp->problems[imp->nproblems++];
    p->line = line;
    snprintf(p->column, sizeof p->column, "%s", column ? column : "");
    /* The answer is JSON: a reason quoting the file (a JSON parser's error) is made UTF-8 and
     * cut between characters, or it could not be written and the problem would vanish. */
    gf_utf8_escape(reason, strlen(reason), p->reason, sizeof p->reason);
}

void gf_import_problem(gf_import *imp, long line, const char *column, const char *reason)
{
    imp->rejected_lines++;
    add_problem(imp, line, column, reason);
}

void gf_import_get_bad_rows(const gf_import *imp, long *bad_rows)
{
    *bad_rows = imp->bad_rows;
}

long gf_import_problem_count(const gf_import *imp)
{
    return imp->problem_total;
}

PGresult *gf_import_exec(gf_import *imp, const char *sql, int nparams, const char *const *params,
                         gf_err *err)
{
    gf_db_args a = {0};
    gf_db_arg_i64(&a, imp->opt.org_id);
    for (int i = 0; i < nparams; i++)
        gf_db_arg_text(&a, params[i]);
    return gf_db_exec_on(imp->pg, sql, &a, err);
}

PGresult *gf_import_run(gf_import *imp, const char *sql, gf_err *err)
{
    return gf_db_exec_on(imp->pg, sql, NULL, err);
}

const gf_import_options *gf_import_opts(const gf_import *imp)
{
    return &imp->opt;
}

void gf_import_set_counts(gf_import *imp, long inserted, long updated, long unchanged,
                          long bad_rows)
{
    imp->inserted = inserted;
    imp->updated = updated;
    imp->unchanged = unchanged;
    imp->bad_rows = bad_rows;
}

void gf_import_add_problems(gf_import *imp, PGresult *page, long total)
{
    for (int r = 0; r < PQntuples(page); r++)
        add_problem(imp, atol(PQgetvalue(page, r, 0)), PQgetvalue(page, r, 1),
                    PQgetvalue(page, r, 2));
    imp->problem_total += total - PQntuples(page);
}

int gf_import_take_problems(gf_import *imp, long *bad_rows, gf_err *err)
{
    PGresult *res =
        gf_import_run(imp, "SELECT count(*), count(DISTINCT line) FROM import_problems", err);
    if (!res)
        return -1;
    long nproblems = atol(PQgetvalue(res, 0, 0));
    *bad_rows = atol(PQgetvalue(res, 0, 1));
    PQclear(res);
    gf_import_set_counts(imp, 0, 0, 0, *bad_rows);
    if (nproblems) {
        res = gf_import_run(
            imp, "SELECT line, col, reason FROM import_problems ORDER BY line, col LIMIT 100", err);
        if (!res)
            return -1;
        gf_import_add_problems(imp, res, nproblems);
        PQclear(res);
    }
    if (imp->problem_total && !imp->opt.skip_errors)
        return 0;
    if (nproblems) {
        res = gf_import_run(
            imp, "DELETE FROM import_rows WHERE line IN (SELECT line FROM import_problems)", err);
        if (!res)
            return -1;
        PQclear(res);
    }
    return 1;
}

static int end_copy(gf_import *imp, gf_err *err)
{
    if (flush(imp, err) < 0)
        return -1;
    imp->copying = false;
    if (PQputCopyEnd(imp->pg, NULL) != 1) {
        gf_db_fail(NULL, imp->pg, err);
        return -1;
    }
    return gf_db_drain(imp->pg, err);
}

static double elapsed_ms(const struct timespec *t0)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t0->tv_sec) * 1e3 + (double)(now.tv_nsec - t0->tv_nsec) / 1e6;
}

static int cmp_problem(const void *a, const void *b)
{
    long x = ((const problem *)a)->line, y = ((const problem *)b)->line;
    return (x > y) - (x < y);
}

static json_t *answer(gf_import *imp, bool committed)
{
    qsort(imp->problems, (size_t)imp->nproblems, sizeof *imp->problems, cmp_problem);
    json_t *problems = json_array();
    for (int i = 0; i < imp->nproblems; i++) {
        problem *p = &imp->problems[i];
        json_t *o = json_pack("{s:I, s:s}", "line", (json_int_t)p->line, "reason", p->reason);
        json_object_set_new(o, "column", p->column[0] ? json_string(p->column) : json_null());
        json_array_append_new(problems, o);
    }
    long rejected = imp->bad_rows + imp->rejected_lines;
    gf_metric *rows = gf_metric_get("gapforge_import_rows_total", GF_METRIC_COUNTER,
                                    "Rows of bulk imports, by kind and outcome (rows of an "
                                    "import that was not committed count as rolled_back).",
                                    "kind,outcome", NULL, 0);
    const char *kind = imp->kind->name;
    gf_metric_add(rows, (const char *[]){kind, committed ? "inserted" : "rolled_back"},
                  (double)imp->inserted);
    gf_metric_add(rows, (const char *[]){kind, committed ? "updated" : "rolled_back"},
                  (double)imp->updated);
    gf_metric_add(rows, (const char *[]){kind, "unchanged"}, (double)imp->unchanged);
    gf_metric_add(rows, (const char *[]){kind, "rejected"}, (double)rejected);
    return json_pack("{s:s, s:b, s:I, s:I, s:I, s:I, s:I, s:o, s:f}", "kind", imp->kind->name,
                     "committed", committed, "inserted", (json_int_t)imp->inserted, "updated",
                     (json_int_t)imp->updated, "unchanged", (json_int_t)imp->unchanged, "rejected",
                     (json_int_t)rejected, "problem_count", (json_int_t)imp->problem_total,
                     "problems", problems, "duration_ms", elapsed_ms(&imp->started));
}

json_t *gf_import_finish(gf_import *imp, gf_import_outcome *outcome, gf_err *err)
{
    json_t *out = NULL;
    if (ensure_open(imp, err) < 0 || end_copy(imp, err) < 0 || imp->kind->merge(imp, err) < 0)
        goto done;
    if (imp->problem_total && !imp->opt.skip_errors) {
        /* Atomic: one bad row and nothing changes. */
        imp->inserted = imp->updated = imp->unchanged = 0;
        run(imp, "ROLLBACK", err);
        *outcome = GF_IMPORT_REFUSED;
        out = answer(imp, false);
        goto done;
    }
    if (run(imp, "COMMIT", err) < 0)
        goto done;
    *outcome = GF_IMPORT_COMMITTED;
    out = answer(imp, true);
done:
    gf_import_abort(imp);
    return out;
}

void gf_import_abort(gf_import *imp)
{
    if (!imp)
        return;
    if (imp->pg) {
        if (imp->copying)
            PQputCopyEnd(imp->pg, "import aborted");
        gf_db_close(imp->pg); /* closing the connection rolls back whatever is open */
    }
    if (imp->has_slot)
        atomic_fetch_sub(&g_running, 1);
    if (imp->stager)
        imp->kind->stager->close(imp->stager);
    gf_key_set_clear(&imp->keys);
    free(imp->buf);
    free(imp);
}

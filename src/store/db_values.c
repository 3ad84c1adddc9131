/* db_values.c — a statement's parameters in and a result's values out: the gf_db_arg_* builders,
 * the column readers, cents as text, and the page and one-row JSON readers of db.h. No
 * connection state: the statements themselves run in db.c. */
#include "db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gapforge/date.h"
#include "gapforge/log.h"

/* ---- parameters ---- */

/* The index of the next parameter's slot, or -1 (and the builder has failed) when it is full. */
static int next_slot(gf_db_args *a)
{
    if (a->failed || a->n < 0 || a->n >= GF_DB_MAX_ARGS) {
        a->failed = true;
        return -1;
    }
    return a->n++;
}

void gf_db_arg_text(gf_db_args *a, const char *s)
{
    int k = next_slot(a);
    if (k < 0)
        return;
    a->text[k] = s;
    a->own[k] = false;
}

void gf_db_arg_null(gf_db_args *a)
{
    gf_db_arg_text(a, NULL);
}

void gf_db_arg_bool(gf_db_args *a, bool v)
{
    gf_db_arg_text(a, v ? "true" : "false");
}

void gf_db_arg_i64(gf_db_args *a, int64_t v)
{
    int k = next_slot(a);
    if (k < 0)
        return;
    snprintf(a->buf[k], sizeof a->buf[k], "%lld", (long long)v);
    a->own[k] = true;
}

void gf_db_arg_date(gf_db_args *a, int day)
{
    int k = next_slot(a);
    if (k < 0)
        return;
    gf_date_format(day, a->buf[k]);
    a->own[k] = true;
}

void gf_db_arg_cents(gf_db_args *a, int64_t cents)
{
    int k = next_slot(a);
    if (k < 0)
        return;
    gf_db_format_cents(cents, a->buf[k]);
    a->own[k] = true;
}

int gf_db_arg_values(const char *what, const gf_db_args *args, const char **p, gf_err *err)
{
    if (!args)
        return 0;
    if (args->failed) {
        gf_log("error", "too many statement parameters",
               json_pack("{s:s, s:i}", "statement", what, "max", GF_DB_MAX_ARGS));
        gf_err_internal(err);
        return -1;
    }
    for (int k = 0; k < args->n; k++)
        p[k] = args->own[k] ? args->buf[k] : args->text[k];
    return args->n;
}

/* ---- values ---- */

int64_t gf_db_int64(const PGresult *res, int r, int c)
{
    if (PQgetisnull(res, r, c))
        return 0;
    return strtoll(PQgetvalue(res, r, c), NULL, 10);
}

const char *gf_db_text(const PGresult *res, int r, int c)
{
    return PQgetisnull(res, r, c) ? NULL : PQgetvalue(res, r, c);
}

json_t *gf_db_json(const PGresult *res, int r, int c)
{
    if (PQgetisnull(res, r, c))
        return NULL;
    return json_loads(PQgetvalue(res, r, c), JSON_DECODE_ANY, NULL);
}

int gf_db_parse_cents(const char *text, int64_t *cents)
{
    if (!text)
        return -1;
    const char *p = text;
    bool negative = *p == '-';
    if (*p == '-' || *p == '+')
        p++;
    /* The largest magnitude that fits: INT64_MIN's for a negative amount. */
    const uint64_t limit = negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    uint64_t units = 0, frac = 0;
    int digits = 0, decimals = 0;
    bool round_up = false;
    for (; *p >= '0' && *p <= '9'; p++, digits++) {
        units = units * 10 + (uint64_t)(*p - '0');
        if (units > limit / 100)
            return -1;
    }
    if (*p == '.') {
        for (p++; *p >= '0' && *p <= '9'; p++, digits++, decimals++) {
            if (decimals < 2)
                frac = frac * 10 + (uint64_t)(*p - '0');
            else if (decimals == 2)
                round_up = *p >= '5';
        }
    }
    if (*p || !digits)
        return -1;
    for (; decimals < 2; decimals++)
        frac *= 10;
    uint64_t magnitude = units * 100 + frac + (round_up ? 1 : 0);
    if (magnitude > limit)
        return -1;
    /* -(magnitude - 1) - 1 reaches INT64_MIN without overflowing. */
    *cents = negative && magnitude ? -(int64_t)(magnitude - 1) - 1 : (int64_t)magnitude;
    return 0;
}

int gf_db_cents(const PGresult *res, int r, int c, int64_t *cents)
{
    return gf_db_parse_cents(gf_db_text(res, r, c), cents);
}

void gf_db_format_cents(int64_t cents, char out[GF_DB_CENTS_TEXT])
{
    uint64_t magnitude = cents < 0 ? 0 - (uint64_t)cents : (uint64_t)cents;
    snprintf(out, GF_DB_CENTS_TEXT, "%s%llu.%02llu", cents < 0 ? "-" : "",
             (unsigned long long)(magnitude / 100), (unsigned long long)(magnitude % 100));
}

/* Builds {"items": [...], "next_cursor": ...} from res, whose column json_col holds each item's
 * JSON and column id_col its id, in keyset order; res holds up to limit+1 rows (one extra row
 * means there is a next page, whose cursor is the last returned item's id). New reference, or
 * NULL when out of memory. */
static json_t *page_of(const PGresult *res, int json_col, int id_col, int limit)
{
    json_t *items = json_array();
    int n = PQntuples(res);
    for (int r = 0; items && r < n && r < limit; r++) {
        json_t *item = gf_db_json(res, r, json_col);
        if (json_array_append_new(items, item ? item : json_null()) < 0) {
            json_decref(items);
            items = NULL;
        }
    }
    if (!items)
        return NULL;
    json_t *next = n > limit ? json_string(PQgetvalue(res, limit - 1, id_col)) : json_null();
    return json_pack("{s:o, s:o}", "items", items, "next_cursor", next);
}

json_t *gf_db_list(const gf_stmt *stmt, gf_db_args *args, int json_col, int id_col, int limit,
                   gf_err *err)
{
    if (limit < 1) {
        gf_err_invalid(err, "limit", "limit must be at least 1");
        return NULL;
    }
    gf_db_arg_i64(args, (int64_t)limit + 1);
    PGresult *res = gf_db_exec_args(stmt, args, err);
    if (!res)
        return NULL;
    json_t *page = page_of(res, json_col, id_col, limit);
    PQclear(res);
    if (!page)
        gf_err_internal(err);
    return page;
}

json_t *gf_db_one_json(const gf_stmt *stmt, const gf_db_args *args, int json_col, const char *what,
                       int64_t *col0, gf_err *err)
{
    PGresult *res = gf_db_exec_args(stmt, args, err);
    if (!res)
        return NULL;
    json_t *out = NULL;
    if (PQntuples(res) == 0) {
        gf_err_not_found(err, what);
    } else {
        if (col0) {
            const char *v = PQgetvalue(res, 0, 0);
            *col0 = strcmp(v, "t") == 0 ? 1 : strcmp(v, "f") == 0 ? 0 : gf_db_int64(res, 0, 0);
        }
        out = gf_db_json(res, 0, json_col);
        if (!out)
            gf_err_internal(err);
    }
    PQclear(res);
    return out;
}

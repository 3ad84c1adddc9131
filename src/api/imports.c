/* imports.c — POST /v1/imports/{kind}: a CSV (header row) or NDJSON body
 * streamed, row by row, into the store's COPY-based import. Nothing but the
 * current record is held in memory.
 *
 * Query parameters: on_error=atomic|skip, create_missing=true|false,
 * effective_at=timestamp, backdate=true|false (deals: creation events dated
 * by created_on and closed_on when earlier, the default), mapping=<JSON object
 * of source column → our column> or mapping=salesforce. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gapforge/api.h"
#include "gapforge/csv.h"
#include "gapforge/date.h"
#include "gapforge/import.h"
#include "gapforge/store.h"
#include "gapforge/utf8.h"

#define MAX_LINE (1u << 20)

typedef enum { FMT_CSV, FMT_NDJSON } body_format;

typedef struct import_state {
    const gf_import_kind *kind;
    gf_import *imp;
    body_format format;
    json_t *mapping; /* object: source column name → our column name; may be NULL */
    int ncolumns;
    /* CSV */
    gf_csv csv;
    bool have_header;
    int header_fields;
    int field_column[GF_CSV_MAX_FIELDS]; /* header field → column index, or -1 */
    unsigned present;
    json_t *ignored; /* array of header names that map to nothing */
    char *scratch;   /* unquoted field texts of the current record */
    size_t scratch_cap;
    /* NDJSON */
    char *line;
    size_t line_len, line_cap;
    long line_no;
} import_state;

static const char *const salesforce_mapping =
    "{\"Id\": \"external_id\", \"Name\": \"name\", \"AccountId\": \"account\", "
    "\"OwnerId\": \"owner\", \"Amount\": \"amount\", \"StageName\": \"stage\", "
    "\"ForecastCategoryName\": \"category\", \"LeadSource\": \"source\", "
    "\"CreatedDate\": \"created_on\", \"CloseDate\": \"close_date\"}";

static int column_index(const import_state *st, const char *name)
{
    for (int i = 0; st->kind->columns[i]; i++)
        if (strcasecmp(st->kind->columns[i], name) == 0)
            return i;
    return -1;
}

/* Our column for a source column name: the mapping first, then our own names.
 */
static int map_column(const import_state *st, const char *source)
{
    if (st->mapping) {
        const char *key;
        json_t *v;
        json_object_foreach(st->mapping, key, v)
        {
            if (strcasecmp(key, source) == 0)
                return column_index(st, json_string_value(v));
        }
    }
    return column_index(st, source);
}

static int parse_mapping(import_state *st, const char *text, gf_err *err)
{
    if (!text)
        return 0;
    if (strcmp(text, "salesforce") == 0)
        text = salesforce_mapping;
    json_error_t jerr;
    st->mapping = json_loads(text, 0, &jerr);
    if (!json_is_object(st->mapping))
        return gf_err_invalid(err, "mapping",
                              "mapping must be a JSON object of column names, or salesforce");
    const char *key;
    json_t *v;
    json_object_foreach(st->mapping, key, v)
    {
        if (!json_is_string(v) || column_index(st, json_string_value(v)) < 0)
            return gf_err_invalid(err, "mapping", "mapping of %s names no column of a %s import",
                                  key, st->kind->name);
    }
    return 0;
}

static int check_required(import_state *st, gf_err *err)
{
    for (const char *const *r = st->kind->required; *r; r++) {
        int c = column_index(st, *r);
        if (c < 0 || !(st->present & (1u << c)))
            return gf_err_invalid(err, *r, "the file has no %s column", *r);
    }
    return 0;
}

/* Describes what is wrong with field i (0-based) of a record when it is not UTF-8 or holds a
 * NUL byte, which PostgreSQL refuses or a C string cuts short; returns false when it is fine. */
static bool bad_text(const char *rec, const gf_csv_field *f, int i, char *why, size_t cap)
{
    size_t at = 0;
    if (gf_utf8_valid(rec + f[i].start, f[i].len, &at))
        return false;
    const bool nul = rec[f[i].start + at] == '\0';
    snprintf(why, cap, "%s at byte %zu of field %d", nul ? "a NUL byte" : "not valid UTF-8", at + 1,
             i + 1);
    return true;
}

static int on_header(import_state *st, const char *rec, const gf_csv_field *f, int n, gf_err *err)
{
    char name[256], why[96];
    st->header_fields = n;
    for (int i = 0; i < n; i++) {
        if (bad_text(rec, f, i, why, sizeof why))
            return gf_err_invalid(err, NULL, "line 1: the header has %s", why);
        gf_csv_field_text(rec, &f[i], name, sizeof name);
        int c = map_column(st, name);
        st->field_column[i] = c;
        if (c < 0) {
            json_array_append_new(st->ignored, json_string(name));
            continue;
        }
        if (st->present & (1u << c))
            return gf_err_invalid(err, st->kind->columns[c], "two header columns map to %s",
                                  st->kind->columns[c]);
        st->present |= 1u << c;
    }
    st->have_header = true;
    return check_required(st, err);
}

static int on_csv_record(void *ud, const char *rec, const gf_csv_field *f, int n, long line,
                         gf_err *err)
{
    import_state *st = ud;
    if (!st->have_header)
        return on_header(st, rec, f, n, err);
    if (n != st->header_fields) {
        char reason[96];
        snprintf(reason, sizeof reason, "expected %d columns, found %d", st->header_fields, n);
        gf_import_problem(st->imp, line, NULL, reason);
        return 0;
    }
    size_t total = 0;
    for (int i = 0; i < n; i++)
        total += f[i].len + 1;
    if (total > st->scratch_cap) {
        char *grown = realloc(st->scratch, total);
        if (!grown)
            return gf_err_internal(err);
        st->scratch = grown;
        st->scratch_cap = total;
    }
    const char *values[GF_IMPORT_MAX_COLUMNS] = {0};
    size_t used = 0;
    char why[96];
    for (int i = 0; i < n; i++) {
        int c = st->field_column[i];
        if (c >= 0 && bad_text(rec, f, i, why, sizeof why)) {
            gf_import_problem(st->imp, line, st->kind->columns[c], why);
            return 0;
        }
    }
    for (int i = 0; i < n; i++) {
        int c = st->field_column[i];
        if (c < 0)
            continue;
        gf_csv_field_text(rec, &f[i], st->scratch + used, f[i].len + 1);
        values[c] = st->scratch + used;
        used += strlen(st->scratch + used) + 1;
    }
    return gf_import_row(st->imp, line, st->present, values, err);
}

/* Text of a scalar JSON value for staging; NULL for null. Returns -1 for
 * objects/arrays. */
static int json_scalar_text(const json_t *v, char *buf, size_t cap, const char **out)
{
    if (json_is_null(v)) {
        *out = NULL;
    } else if (json_is_string(v)) {
        *out = json_string_value(v);
    } else if (json_is_integer(v)) {
        snprintf(buf, cap, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        *out = buf;
    } else if (json_is_real(v)) {
        snprintf(buf, cap, "%.15g", json_real_value(v));
        *out = buf;
    } else if (json_is_boolean(v)) {
        *out = json_is_true(v) ? "true" : "false";
    } else {
        return -1;
    }
    return 0;
}

static int on_ndjson_line(import_state *st, const char *text, size_t len, gf_err *err)
{
    long line = ++st->line_no;
    size_t i = 0;
    while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r'))
        i++;
    if (i == len)
        return 0;
    if (line == 1 && len - i >= 3 && memcmp(text + i, "\xEF\xBB\xBF", 3) == 0)
        i += 3; /* a byte-order mark */
    json_error_t jerr;
    json_t *obj = json_loadb(text + i, len - i, 0, &jerr);
    if (!json_is_object(obj)) {
        char reason[200];
        if (obj)
            snprintf(reason, sizeof reason, "not a JSON object");
        else
            snprintf(reason, sizeof reason, "not a JSON object: %s (column %d)", jerr.text,
                     jerr.column + (int)i);
        gf_import_problem(st->imp, line, NULL, reason);
        json_decref(obj);
        return 0;
    }
    const char *values[GF_IMPORT_MAX_COLUMNS] = {0};
    char bufs[GF_IMPORT_MAX_COLUMNS][64];
    unsigned present = 0;
    const char *key;
    json_t *v;
    int rc = 0;
    json_object_foreach(obj, key, v)
    {
        int c = map_column(st, key);
        if (c < 0)
            continue;
        present |= 1u << c;
        if (json_scalar_text(v, bufs[c], sizeof bufs[c], &values[c]) < 0) {
            gf_import_problem(st->imp, line, st->kind->columns[c], "must be a scalar value");
            goto done;
        }
    }
    st->present |= present;
    rc = gf_import_row(st->imp, line, present, values, err);
done:
    json_decref(obj);
    return rc;
}

static int feed_ndjson(import_state *st, const char *data, size_t len, gf_err *err)
{
    for (size_t i = 0; i < len; i++) {
        if (data[i] == '\n') {
            if (on_ndjson_line(st, st->line, st->line_len, err) < 0)
                return -1;
            st->line_len = 0;
            continue;
        }
        if (st->line_len + 1 > st->line_cap) {
            if (st->line_cap >= MAX_LINE)
                return gf_err_invalid(err, NULL, "line %ld is longer than %u bytes",
                                      st->line_no + 1, MAX_LINE);
            size_t cap = st->line_cap ? st->line_cap * 2 : 4096;
            char *grown = realloc(st->line, cap);
            if (!grown)
                return gf_err_internal(err);
            st->line = grown;
            st->line_cap = cap;
        }
        st->line[st->line_len++] = data[i];
    }
    return 0;
}

static void free_state(import_state *st)
{
    if (!st)
        return;
    gf_import_abort(st->imp);
    gf_csv_free(&st->csv);
    json_decref(st->mapping);
    json_decref(st->ignored);
    free(st->scratch);
    free(st->line);
    free(st);
}

static bool type_is(const char *ct, const char *want)
{
    size_t n = strlen(want);
    return ct && strncasecmp(ct, want, n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

static int read_options(const gf_req *req, gf_import_options *opt, gf_err *err)
{
    opt->org_id = req->who.org_id;
    const char *on_error = gf_req_query(req, "on_error");
    if (on_error && strcmp(on_error, "skip") != 0 && strcmp(on_error, "atomic") != 0)
        return gf_err_invalid(err, "on_error", "on_error must be atomic or skip");
    opt->skip_errors = on_error && strcmp(on_error, "skip") == 0;
    const char *create = gf_req_query(req, "create_missing");
    if (create && strcmp(create, "true") != 0 && strcmp(create, "false") != 0)
        return gf_err_invalid(err, "create_missing", "create_missing must be true or false");
    opt->create_missing = create && strcmp(create, "true") == 0;
    const char *backdate = gf_req_query(req, "backdate");
    if (backdate && strcmp(backdate, "true") != 0 && strcmp(backdate, "false") != 0)
        return gf_err_invalid(err, "backdate", "backdate must be true or false");
    opt->effective_only = backdate && strcmp(backdate, "false") == 0;
    opt->effective_at = gf_req_query(req, "effective_at");
    if (opt->effective_at && !gf_timestamp_valid(opt->effective_at))
        return gf_err_invalid(err, "effective_at",
                              "effective_at must be a date or an RFC 3339 timestamp");
    return 0;
}

static int begin_import(const gf_import_kind *kind, gf_req *req, void **state, gf_err *err)
{
    gf_store_set_org(req->who.org_id); /* a stream route runs no before hook */
    const char *ct = gf_req_header(req, "Content-Type");
    body_format format;
    if (type_is(ct, "text/csv"))
        format = FMT_CSV;
    else if (type_is(ct, "application/x-ndjson") || type_is(ct, "application/ndjson"))
        format = FMT_NDJSON;
    else
        return gf_err_set(err, GF_EUNSUPPORTED, NULL, NULL,
                          "Content-Type must be text/csv or application/x-ndjson");
    import_state *st = calloc(1, sizeof *st);
    if (!st)
        return gf_err_internal(err);
    st->kind = kind;
    st->format = format;
    st->ignored = json_array();
    gf_csv_init(&st->csv, on_csv_record, st);
    gf_import_options opt = {0};
    if (read_options(req, &opt, err) == 0 &&
        parse_mapping(st, gf_req_query(req, "mapping"), err) == 0)
        st->imp = gf_import_begin(kind, &opt, err);
    if (!st->imp) {
        free_state(st);
        return -1;
    }
    *state = st;
    return 0;
}

static int import_chunk(void *state, const char *data, size_t len, gf_err *err)
{
    import_state *st = state;
    if (st->format == FMT_CSV)
        return gf_csv_feed(&st->csv, data, len, err);
    return feed_ndjson(st, data, len, err);
}

static void import_finish(void *state, gf_req *req, gf_resp *resp)
{
    gf_store_set_org(req->who.org_id);
    (void)req;
    import_state *st = state;
    gf_err err = {0};
    gf_import_outcome outcome = GF_IMPORT_REFUSED;
    json_t *out = NULL;
    int rc = st->format == FMT_CSV
                 ? gf_csv_finish(&st->csv, &err)
                 : (st->line_len ? on_ndjson_line(st, st->line, st->line_len, &err) : 0);
    if (rc == 0 && st->format == FMT_CSV && !st->have_header)
        rc = gf_err_invalid(&err, NULL, "the file is empty: a header row is required");
    if (rc == 0 && st->format == FMT_NDJSON)
        rc = check_required(st, &err);
    if (rc == 0) {
        out = gf_import_finish(st->imp, &outcome, &err);
        st->imp = NULL; /* finish freed it */
    }
    if (out) {
        json_object_set(out, "ignored_columns", st->ignored);
        /* A refused import is the invalid outcome, its answer listing the problems. */
        gf_resp_json(resp, outcome == GF_IMPORT_COMMITTED ? 200 : gf_http_status_of(GF_EINVALID),
                     out);
    } else {
        gf_resp_error(resp, &err);
    }
    free_state(st);
}

static void import_abort(void *state)
{
    free_state(state);
}

static int begin_deals(gf_req *req, void **state, gf_err *err)
{
    return begin_import(&gf_import_deals, req, state, err);
}

static int begin_deal_events(gf_req *req, void **state, gf_err *err)
{
    return begin_import(&gf_import_deal_events, req, state, err);
}

static int begin_kpi_observations(gf_req *req, void **state, gf_err *err)
{
    return begin_import(&gf_import_kpi_observations, req, state, err);
}

const gf_stream_ops gf_api_import_deals_ops = {begin_deals, import_chunk, import_finish,
                                               import_abort};
const gf_stream_ops gf_api_import_deal_events_ops = {begin_deal_events, import_chunk, import_finish,
                                                     import_abort};
const gf_stream_ops gf_api_import_kpi_observations_ops = {begin_kpi_observations, import_chunk,
                                                          import_finish, import_abort};

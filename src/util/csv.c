/* csv.c — the streaming CSV splitter. */
#include "gapforge/csv.h"

#include <stdlib.h>
#include <string.h>

enum { S_FIELD_START, S_UNQUOTED, S_QUOTED, S_QUOTE_IN_QUOTED, S_AFTER_CR };

void gf_csv_init(gf_csv *csv, gf_csv_record_fn on_record, void *ud)
{
    memset(csv, 0, sizeof *csv);
    csv->on_record = on_record;
    csv->ud = ud;
    csv->line = 1;
    csv->rec_line = 1;
}

void gf_csv_free(gf_csv *csv)
{
    free(csv->rec);
    csv->rec = NULL;
}

static int push_byte(gf_csv *csv, char c, gf_err *err)
{
    if (csv->len + 1 > csv->cap) {
        if (csv->cap >= GF_CSV_MAX_RECORD)
            return gf_err_invalid(err, NULL, "line %ld: a record is longer than %u bytes",
                                  csv->rec_line, GF_CSV_MAX_RECORD);
        size_t cap = csv->cap ? csv->cap * 2 : 1024;
        char *grown = realloc(csv->rec, cap);
        if (!grown)
            return gf_err_internal(err);
        csv->rec = grown;
        csv->cap = cap;
    }
    csv->rec[csv->len++] = c;
    return 0;
}

static int open_field(gf_csv *csv, bool quoted)
{
    if (csv->nfields == GF_CSV_MAX_FIELDS) {
        csv->too_many_fields = true;
        return 0;
    }
    csv->fields[csv->nfields++] = (gf_csv_field){csv->len, 0, quoted};
    return 0;
}

static void close_field(gf_csv *csv)
{
    if (csv->too_many_fields || csv->nfields == 0)
        return;
    gf_csv_field *f = &csv->fields[csv->nfields - 1];
    f->len = csv->len - f->start;
}

/* Emits the record assembled so far and resets for the next one. */
static int emit(gf_csv *csv, gf_err *err)
{
    close_field(csv);
    int rc = 0;
    if (csv->too_many_fields)
        rc = gf_err_invalid(err, NULL, "line %ld: more than %d columns", csv->rec_line,
                            GF_CSV_MAX_FIELDS);
    else if (!(csv->nfields == 1 && csv->len == 0)) /* skip blank lines */
        rc = csv->on_record(csv->ud, csv->rec, csv->fields, csv->nfields, csv->rec_line, err);
    csv->len = 0;
    csv->nfields = 0;
    csv->too_many_fields = false;
    csv->state = S_FIELD_START;
    csv->rec_line = csv->line;
    return rc;
}

static int feed_bytes(gf_csv *csv, const char *data, size_t len, gf_err *err)
{
    for (size_t i = 0; i < len; i++) {
        char c = data[i];
        if (csv->state == S_AFTER_CR) {
            csv->state = S_FIELD_START;
            if (c == '\n')
                continue; /* CRLF: the record was emitted at the CR */
        }
        if (csv->state == S_FIELD_START && csv->nfields == 0 && csv->len == 0)
            open_field(csv, c == '"');
        switch (csv->state) {
        case S_FIELD_START:
        case S_UNQUOTED:
            if (c == ',') {
                close_field(csv);
                if (push_byte(csv, c, err) < 0)
                    return -1;
                open_field(csv, i + 1 < len && data[i + 1] == '"');
                csv->state = S_FIELD_START;
                continue;
            }
            if (c == '\n' || c == '\r') {
                csv->line++;
                if (emit(csv, err) < 0)
                    return -1;
                csv->state = c == '\r' ? S_AFTER_CR : S_FIELD_START;
                continue;
            }
            if (c == '"') {
                if (csv->state == S_UNQUOTED)
                    return gf_err_invalid(err, NULL, "line %ld: a quote inside an unquoted field",
                                          csv->line);
                if (csv->nfields)
                    csv->fields[csv->nfields - 1].quoted = true;
                csv->state = S_QUOTED;
            } else {
                csv->state = S_UNQUOTED;
            }
            break;
        case S_QUOTED:
            if (c == '"')
                csv->state = S_QUOTE_IN_QUOTED;
            else if (c == '\n')
                csv->line++;
            break;
        case S_QUOTE_IN_QUOTED:
            if (c == '"') {
                csv->state = S_QUOTED;
            } else if (c == ',' || c == '\n' || c == '\r') {
                csv->state = S_UNQUOTED;
                i--; /* handle the delimiter in the unquoted state */
                continue;
            } else {
                return gf_err_invalid(err, NULL, "line %ld: text after a closing quote", csv->line);
            }
            break;
        }
        if (push_byte(csv, c, err) < 0)
            return -1;
    }
    return 0;
}

static const char bom[] = "\xEF\xBB\xBF";

int gf_csv_feed(gf_csv *csv, const char *data, size_t len, gf_err *err)
{
    /* A byte-order mark at the very start is dropped, even when it arrives split. */
    size_t i = 0;
    while (csv->bom_seen >= 0 && i < len) {
        if (data[i] == bom[csv->bom_seen]) {
            i++;
            if (++csv->bom_seen == 3)
                csv->bom_seen = -1;
            continue;
        }
        const int matched = csv->bom_seen;
        csv->bom_seen = -1; /* no mark: what matched of it was text */
        if (matched && feed_bytes(csv, bom, (size_t)matched, err) < 0)
            return -1;
    }
    return feed_bytes(csv, data + i, len - i, err);
}

int gf_csv_finish(gf_csv *csv, gf_err *err)
{
    if (csv->bom_seen > 0) {
        const int matched = csv->bom_seen;
        csv->bom_seen = -1;
        if (feed_bytes(csv, bom, (size_t)matched, err) < 0)
            return -1;
    }
    if (csv->state == S_QUOTED)
        return gf_err_invalid(err, NULL, "line %ld: a quoted field is never closed", csv->rec_line);
    if (csv->len > 0 || csv->nfields > 1)
        return emit(csv, err);
    return 0;
}

void gf_csv_field_text(const char *rec, const gf_csv_field *f, char *out, size_t cap)
{
    size_t o = 0;
    const char *p = rec + f->start, *end = p + f->len;
    if (f->quoted) {
        while (p < end && *p != '"')
            p++;
        p++;
        while (p < end && o + 1 < cap) {
            if (*p == '"') {
                if (p + 1 < end && p[1] == '"') {
                    out[o++] = '"';
                    p += 2;
                    continue;
                }
                break;
            }
            out[o++] = *p++;
        }
    } else {
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        while (p < end && o + 1 < cap)
            out[o++] = *p++;
    }
    out[o] = '\0';
}

/* fuzz_csv.c — the streaming CSV splitter (src/util/csv.c), as the CSV imports use it.
 *
 * Invariants, for any bytes:
 *  - the records, their fields, line numbers and the final error are the same whether the input
 *    arrives whole or cut into pieces of 1..16 bytes;
 *  - every record has 1..GF_CSV_MAX_FIELDS fields that tile it: the first starts at 0, each
 *    next one right after a comma that ends the one before; a blank line is never a record;
 *  - an unquoted field holds no quote, comma or line break; a quoted one starts and ends with a
 *    quote; a field's text is never longer than its raw bytes;
 *  - record lines increase strictly;
 *  - writing the records back with every field quoted and splitting that again gives the same
 *    texts (records without a NUL byte, whose text a C string cannot hold). */
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "gapforge/csv.h"

/* A growing text that records what the splitter produced. */
typedef struct trace {
    char *p;
    size_t len, cap;
    long last_line;
    size_t records;  /* length of the records' part (the status follows) */
    bool has_nul;    /* a field holds a NUL byte */
    bool has_marker; /* a field text holds one of the trace's separators */
} trace;

static void add(trace *t, const char *s, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 1024;
        while (cap < t->len + n + 1)
            cap *= 2;
        t->p = realloc(t->p, cap);
        FUZZ_CHECK(t->p != NULL, "out of memory");
        t->cap = cap;
    }
    memcpy(t->p + t->len, s, n);
    t->len += n;
    t->p[t->len] = '\0';
}

static int on_record(void *ud, const char *rec, const gf_csv_field *f, int n, long line,
                     gf_err *err)
{
    (void)err;
    trace *t = ud;
    FUZZ_CHECK(n >= 1 && n <= GF_CSV_MAX_FIELDS, "%d fields", n);
    FUZZ_CHECK(line > t->last_line, "line %ld after line %ld", line, t->last_line);
    t->last_line = line;
    FUZZ_CHECK(!(n == 1 && f[0].len == 0), "a blank line became a record (line %ld)", line);
    FUZZ_CHECK(f[0].start == 0, "the first field starts at %zu", f[0].start);
    char head[32];
    add(t, head, (size_t)snprintf(head, sizeof head, "%ld:%d:", line, n));
    for (int i = 0; i < n; i++) {
        const char *raw = rec + f[i].start;
        if (i + 1 < n) {
            FUZZ_CHECK(raw[f[i].len] == ',', "field %d is not ended by a comma", i);
            FUZZ_CHECK(f[i + 1].start == f[i].start + f[i].len + 1, "field %d does not follow", i);
        }
        if (f[i].quoted) {
            FUZZ_CHECK(f[i].len >= 2 && raw[0] == '"' && raw[f[i].len - 1] == '"',
                       "quoted field %d is not in quotes", i);
        } else {
            for (size_t k = 0; k < f[i].len; k++)
                FUZZ_CHECK(raw[k] != '"' && raw[k] != ',' && raw[k] != '\n' && raw[k] != '\r',
                           "unquoted field %d holds byte %d", i, raw[k]);
        }
        if (memchr(raw, '\0', f[i].len))
            t->has_nul = true;
        char *text = malloc(f[i].len + 1);
        FUZZ_CHECK(text != NULL, "out of memory");
        gf_csv_field_text(rec, &f[i], text, f[i].len + 1);
        const size_t tl = strlen(text);
        if (strpbrk(text, "\x1e\x1f"))
            t->has_marker = true;
        FUZZ_CHECK(tl <= f[i].len, "text of %zu bytes from %zu raw", tl, f[i].len);
        add(t, "\x1f", 1);
        add(t, text, tl);
        free(text);
    }
    add(t, "\x1e", 1);
    return 0;
}

/* Splits data fed whole (piece 0) or in pieces; fills t and returns the final status, with the
 * error's message appended to the trace. */
static int split(const char *data, size_t size, uint32_t seed, bool pieces, trace *t)
{
    gf_csv csv;
    gf_err err = {0};
    memset(t, 0, sizeof *t);
    gf_csv_init(&csv, on_record, t);
    int rc = 0;
    for (size_t at = 0; at < size && rc == 0;) {
        const size_t n = pieces ? fuzz_piece(&seed, size - at) : size;
        rc = gf_csv_feed(&csv, data + at, n, &err);
        at += n;
    }
    if (rc == 0)
        rc = gf_csv_finish(&csv, &err);
    gf_csv_free(&csv);
    t->records = t->len;
    add(t, "=", 1);
    if (rc < 0) {
        FUZZ_CHECK(err.code == GF_EINVALID && err.message[0], "a failure without a message");
        add(t, err.message, strlen(err.message));
    }
    return rc;
}

/* The records of a trace written back as CSV with every field quoted. */
static void requote(const trace *t, trace *out)
{
    memset(out, 0, sizeof *out);
    const char *p = t->p, *end = t->p + t->records;
    while (p < end) {
        p = strchr(p, ':') + 1;
        p = strchr(p, ':') + 1; /* past "line:n:" */
        bool first = true;
        while (*p == '\x1f') {
            p++;
            add(out, first ? "\"" : ",\"", first ? 1 : 2);
            first = false;
            for (; *p != '\x1f' && *p != '\x1e'; p++)
                add(out, *p == '"' ? "\"\"" : p, *p == '"' ? 2 : 1);
            add(out, "\"", 1);
        }
        p++; /* the record's end */
        add(out, "\n", 1);
    }
}

/* The field texts of a trace without the line numbers (a quoted line break moves them). */
static char *texts(const trace *t)
{
    trace o = {0};
    add(&o, "", 0);
    for (const char *p = t->p; p < t->p + t->records; p++) {
        if (*p >= '0' && *p <= '9' && (p == t->p || p[-1] == '\x1e')) {
            p = strchr(p, ':');
            continue;
        }
        add(&o, p, 1);
    }
    return o.p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    trace whole, cut;
    const int rc = split(text, size, 0, false, &whole);
    split(text, size, fuzz_seed(data, size), true, &cut);
    FUZZ_CHECK(whole.len == cut.len && memcmp(whole.p, cut.p, whole.len) == 0,
               "whole and in pieces differ:\n%s\n---\n%s", whole.p, cut.p);
    if (rc == 0 && !whole.has_nul && !whole.has_marker) {
        trace again, back;
        requote(&whole, &again);
        if (again.len) {
            FUZZ_CHECK(split(again.p, again.len, 0, false, &back) == 0, "requoted CSV refused: %s",
                       back.p + back.records + 1);
            char *a = texts(&whole), *b = texts(&back);
            FUZZ_CHECK(strcmp(a, b) == 0, "requoted CSV reads differently");
            free(a);
            free(b);
            free(back.p);
        }
        free(again.p);
    }
    free(whole.p);
    free(cut.p);
    return 0;
}

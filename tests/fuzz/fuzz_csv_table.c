/* fuzz_csv_table.c — a JSON answer's table as CSV (src/util/csv_table.c).
 *
 * Input: a table path (the first line, as a route's csv member names it) and a JSON document
 * (the rest). Invariants of the CSV written, read back with a strict RFC 4180 reader here:
 *  - it is well formed: every record ends with CRLF, a field is either bare (no comma, quote,
 *    CR or LF) or quoted with its quotes doubled, and nothing follows a closing quote but a
 *    comma or the line end;
 *  - the header names distinct columns and every row has exactly as many fields;
 *  - no cell can run as a formula: none starts with =, +, @, a tab or a carriage return, and
 *    one starting with - is a JSON number;
 *  - writing is deterministic (the same document gives the same bytes twice);
 *  - the paged writer (a streamed list: gf_csv_table_begin, then gf_csv_table_rows per page)
 *    writes the first page as gf_csv_table does, a page's rows as they stand in the first
 *    page, and a second page (a second document in the input) keeps the header's field count
 *    and the formula rule. */
#include <jansson.h>
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "gapforge/csv_table.h"

/* True when s is a JSON number as jansson writes one. */
static bool json_number_text(const char *s)
{
    json_error_t jerr;
    json_t *v = json_loads(s, JSON_DECODE_ANY, &jerr);
    const bool ok = json_is_number(v);
    json_decref(v);
    return ok;
}

/* The formula rule on one cell's text. */
static void check_cell(const char *cell, long row, int col)
{
    if (!cell[0])
        return;
    FUZZ_CHECK(!strchr("=+@\t\r", cell[0]), "row %ld column %d starts with a formula character: %s",
               row, col, cell);
    if (cell[0] == '-')
        FUZZ_CHECK(json_number_text(cell), "row %ld column %d starts with - and is no number: %s",
                   row, col, cell);
}

/* Reads the CSV strictly; checks every record's field count against the header's. */
static void check_csv(const char *csv, size_t len)
{
    FUZZ_CHECK(strlen(csv) == len, "the CSV holds a NUL byte");
    char *cell = malloc(len + 1);
    FUZZ_CHECK(cell != NULL, "out of memory");
    long row = 0;
    int header_fields = -1;
    const char *p = csv, *end = csv + len;
    FUZZ_CHECK(len >= 2, "no header line");
    while (p < end) {
        int fields = 0;
        for (;;) {
            size_t n = 0;
            if (*p == '"') {
                for (p++;; p++) {
                    FUZZ_CHECK(p < end, "row %ld: a quoted field is never closed", row);
                    if (*p == '"') {
                        if (p + 1 < end && p[1] == '"') {
                            cell[n++] = '"';
                            p++;
                            continue;
                        }
                        p++;
                        break;
                    }
                    cell[n++] = *p;
                }
            } else {
                while (p < end && !strchr(",\"\r\n", *p))
                    cell[n++] = *p++;
                FUZZ_CHECK(p < end && *p != '"' && *p != '\n', "row %ld: a bare field is cut by %s",
                           row, p < end ? "a quote or LF" : "the end");
            }
            cell[n] = '\0';
            check_cell(cell, row, fields);
            fields++;
            FUZZ_CHECK(p < end, "row %ld: the last line has no CRLF", row);
            if (*p == ',') {
                p++;
                continue;
            }
            FUZZ_CHECK(p + 1 < end && p[0] == '\r' && p[1] == '\n',
                       "row %ld: a field is followed by byte %d", row, *p);
            p += 2;
            break;
        }
        if (header_fields < 0)
            header_fields = fields;
        FUZZ_CHECK(fields == header_fields, "row %ld has %d fields, the header %d", row, fields,
                   header_fields);
        row++;
    }
    free(cell);
}

/* A buffer holding a then b. */
static char *concat(const char *a, size_t alen, const char *b, size_t blen)
{
    char *out = malloc(alen + blen + 1);
    FUZZ_CHECK(out != NULL, "out of memory");
    if (alen)
        memcpy(out, a, alen);
    if (blen) /* a page with no rows is (NULL, 0) */
        memcpy(out + alen, b, blen);
    out[alen + blen] = '\0';
    return out;
}

/* The paged writer on doc (and a second page doc2, may be NULL) against the one-shot table. */
static void check_pages(const json_t *doc, const json_t *doc2, const char *path, int rc,
                        const char *out, size_t len)
{
    json_t *cols = NULL;
    char *first = NULL, *again = NULL, *next = NULL;
    size_t flen = 0, alen = 0, nlen = 0;
    FUZZ_CHECK(gf_csv_table_begin(doc, path, &cols, &first, &flen) == rc, "begin differs");
    if (rc != 0) {
        FUZZ_CHECK(!cols && !first, "begin without a table gave output");
        return;
    }
    FUZZ_CHECK(cols && flen == len && memcmp(first, out, len) == 0, "begin writes otherwise");
    /* The same rows as a later page: the first page without its header line. */
    FUZZ_CHECK(gf_csv_table_rows(doc, path, cols, &again, &alen) == 0, "rows of the first page");
    FUZZ_CHECK(alen < flen && (!alen || memcmp(first + (flen - alen), again, alen) == 0) &&
                   first[flen - alen - 1] == '\n',
               "a page's rows differ from the first page's");
    if (doc2 && gf_csv_table_rows(doc2, path, cols, &next, &nlen) == 0) {
        char *all = concat(first, flen, next, nlen);
        check_csv(all, flen + nlen);
        free(all);
    }
    free(first);
    free(again);
    free(next);
    json_decref(cols);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *nl = memchr(data, '\n', size);
    if (!nl)
        return 0;
    const size_t plen = (size_t)(nl - (const char *)data);
    char *path = malloc(plen + 1);
    FUZZ_CHECK(path != NULL, "out of memory");
    memcpy(path, data, plen);
    path[plen] = '\0';
    /* One document, then perhaps a second: the next page of a streamed list. */
    const char *text = nl + 1;
    const size_t tlen = size - plen - 1;
    json_error_t jerr;
    json_t *doc = json_loadb(text, tlen, JSON_DECODE_ANY | JSON_DISABLE_EOF_CHECK, &jerr);
    json_t *doc2 =
        doc && (size_t)jerr.position < tlen
            ? json_loadb(text + jerr.position, tlen - (size_t)jerr.position, JSON_DECODE_ANY, &jerr)
            : NULL;
    if (doc) {
        char *out = NULL, *again = NULL;
        size_t len = 0, len2 = 0;
        const int rc = gf_csv_table(doc, path, &out, &len);
        FUZZ_CHECK(rc == 0 || rc == 1, "gf_csv_table returned %d", rc);
        if (rc == 0) {
            check_csv(out, len);
            FUZZ_CHECK(gf_csv_table(doc, path, &again, &len2) == 0, "the second run failed");
            FUZZ_CHECK(len == len2 && memcmp(out, again, len) == 0, "two runs differ");
        } else {
            FUZZ_CHECK(out == NULL && len == 0, "no table but output");
        }
        check_pages(doc, doc2, path, rc, out, len);
        free(out);
        free(again);
    }
    json_decref(doc);
    json_decref(doc2);
    free(path);
    return 0;
}

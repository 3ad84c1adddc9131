/* csv.h — a streaming CSV record splitter (RFC 4180: quotes, doubled quotes, CRLF).
 *
 * Bytes go in as they arrive from the network, in pieces of any size; complete records come
 * out through a callback with the offsets of their fields and the line they started on. Nothing
 * but the record being assembled is held in memory, so files of any size stream through. */
#ifndef GAPFORGE_CSV_H
#define GAPFORGE_CSV_H

#include <stdbool.h>
#include <stddef.h>

#include "gapforge/err.h"

#define GF_CSV_MAX_FIELDS 256
#define GF_CSV_MAX_RECORD (1u << 20)

/* One field of a record: raw text as it stood in the file (quotes included). */
typedef struct gf_csv_field {
    size_t start, len;
    bool quoted;
} gf_csv_field;

/* Called once per complete record; rec is not NUL-terminated and excludes the line end.
 * Returns 0 to go on, or -1 (with err set) to stop the stream. */
typedef int (*gf_csv_record_fn)(void *ud, const char *rec, const gf_csv_field *fields, int nfields,
                                long line, gf_err *err);

typedef struct gf_csv {
    gf_csv_record_fn on_record;
    void *ud;
    char *rec;
    size_t len, cap;
    gf_csv_field fields[GF_CSV_MAX_FIELDS];
    int nfields;
    int state;
    long line;     /* current physical line (1-based) */
    long rec_line; /* line on which the current record started */
    bool too_many_fields;
    int bom_seen; /* bytes of a leading UTF-8 byte-order mark seen so far; -1 once past it */
} gf_csv;

/* Prepares a splitter; free its buffer with gf_csv_free. */
void gf_csv_init(gf_csv *csv, gf_csv_record_fn on_record, void *ud);

/* Feeds bytes; a UTF-8 byte-order mark at the start of the input is dropped. Returns 0, or -1 when
 * the callback stopped or a record broke the limits (422: a record over GF_CSV_MAX_RECORD bytes or
 * GF_CSV_MAX_FIELDS fields, a stray quote). */
int gf_csv_feed(gf_csv *csv, const char *data, size_t len, gf_err *err) GF_MUST_CHECK;

/* Ends the input: emits a last record without a final newline. Returns 0 or -1 (an unclosed
 * quote is a 422). */
int gf_csv_finish(gf_csv *csv, gf_err *err) GF_MUST_CHECK;

void gf_csv_free(gf_csv *csv);

/* Copies field f of rec into out (cap bytes incl. NUL), removing quotes and doubled quotes, and
 * trimming surrounding spaces of unquoted fields. */
void gf_csv_field_text(const char *rec, const gf_csv_field *f, char *out, size_t cap);

#endif

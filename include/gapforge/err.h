/* err.h — an error that travels from any layer to the client as JSON.
 *
 * Every fallible function in gapforge takes a `gf_err *` and, on failure, fills it with the
 * HTTP status to answer with, a stable machine code ("invalid_argument", "not_found", ...), a
 * human message that never contains SQL or internals, and optionally the offending field. */
#ifndef GAPFORGE_ERR_H
#define GAPFORGE_ERR_H

#include <stddef.h>

#define GF_MUST_CHECK __attribute__((warn_unused_result))

typedef struct gf_err {
    int status;       /* HTTP status, 0 while no error is set */
    const char *code; /* static string: a stable error code */
    char message[256];
    char field[96];   /* empty when no single field is to blame */
} gf_err;

/* Fills err (when non-NULL) with status, code, field (may be NULL) and a printf-style
 * message. Always returns -1, so callers can write `return gf_err_set(...)`. */
int gf_err_set(gf_err *err, int status, const char *code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Resets err to "no error". */
void gf_err_clear(gf_err *err);

/* Shorthands for the common client errors; each returns -1. */
int gf_err_invalid(gf_err *err, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int gf_err_not_found(gf_err *err, const char *what);
int gf_err_internal(gf_err *err);

#endif

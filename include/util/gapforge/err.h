/* err.h — an error that means the same in every layer.
 *
 * Every fallible function in gapforge takes a `gf_err *` and, on failure, fills it with a domain
 * code (a negative gf_errcode, as libuv's UV_E* codes are), optionally a more specific stable
 * reason ("schema_too_new"), a human message that never contains SQL or internals, and the
 * offending field. No layer below the HTTP side knows HTTP statuses: src/http maps codes to
 * statuses in one table (gf_http_status_of). */
#ifndef GAPFORGE_ERR_H
#define GAPFORGE_ERR_H

#include <stddef.h>

/* Marks a function whose result must be checked: the compiler complains when it is ignored. */
#define GF_MUST_CHECK __attribute__((warn_unused_result))

/* What went wrong, independent of how it is reported. */
typedef enum gf_errcode {
    GF_OK = 0,
    GF_EINVALID = -1,         /* a value given is not acceptable (names the field) */
    GF_EMALFORMED = -2,       /* the input cannot be read at all (not JSON, not an object) */
    GF_ENOTFOUND = -3,        /* the thing named does not exist (or is another tenant's) */
    GF_ECONFLICT = -4,        /* the change conflicts with data already stored */
    GF_EUNAVAILABLE = -5,     /* a dependency (the database) cannot answer now; try again */
    GF_ETOOLARGE = -6,        /* the input is larger than allowed */
    GF_EUNSUPPORTED = -7,     /* a media type or format that is not supported */
    GF_EUNAUTHENTICATED = -8, /* no or bad credentials */
    GF_EFORBIDDEN = -9,       /* the credentials do not allow this */
    GF_EINTERNAL = -10,       /* a bug or an exhausted resource; details are only logged */
    GF_ENOTIMPLEMENTED = -11, /* a protocol feature the service does not implement */
    GF_ETIMEOUT = -12,        /* the client did not send its request in time */
    GF_ERATELIMITED = -13,    /* the caller made more requests than its rate limit allows */
} gf_errcode;

typedef struct gf_err {
    gf_errcode code;    /* GF_OK while no error is set */
    const char *reason; /* static string: a stable machine code more specific than the code's
                           own name (gf_err_reason falls back to that); may be NULL */
    char message[256];  /* like field, always valid UTF-8 (it goes into JSON answers): a byte
                           that is not is written %XX, and a long text is cut between characters */
    char field[96];     /* empty when no single field is to blame */
} gf_err;

/* Fills err (when non-NULL) with code, reason (NULL: the code's own name), field (may be NULL)
 * and a printf-style message. Returns code, so callers can write `return gf_err_set(...)`. */
int gf_err_set(gf_err *err, gf_errcode code, const char *reason, const char *field, const char *fmt,
               ...) __attribute__((format(printf, 5, 6)));

/* Resets err to "no error"; NULL is a harmless no-op. */
void gf_err_clear(gf_err *err);

/* The stable machine name of a code ("invalid_argument", "not_found", ...); "internal" for a
 * value outside the enum. */
const char *gf_err_code_name(gf_errcode code);

/* The machine code to show a client: err's reason, else its code's name. */
const char *gf_err_reason(const gf_err *err);

/* Shorthands for the common errors; each returns its code. */
int gf_err_invalid(gf_err *err, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int gf_err_not_found(gf_err *err, const char *what);
int gf_err_internal(gf_err *err);

#endif

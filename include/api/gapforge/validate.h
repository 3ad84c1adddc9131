/* validate.h — checking a JSON object against a table of field specifications.
 *
 * Each endpoint describes its body as a static array of gf_field. gf_validate checks types,
 * ranges and formats, rejects unknown fields, and produces each value as normalised text ready
 * to pass as a SQL parameter (dates "YYYY-MM-DD", money "123.45", booleans "true"/"false"). */
#ifndef GAPFORGE_VALIDATE_H
#define GAPFORGE_VALIDATE_H

#include <jansson.h>
#include <stdbool.h>

#include "gapforge/err.h"

#define GF_MAX_FIELDS 24

typedef enum gf_ftype {
    GF_F_TEXT,      /* any non-empty string up to max_len (default 500) */
    GF_F_KEY,       /* [A-Za-z0-9_.:-]{1,64} */
    GF_F_SLUG,      /* [a-z0-9][a-z0-9-]{0,62} */
    GF_F_EMAIL,     /* something@something, no spaces, <= 254 */
    GF_F_DATE,      /* YYYY-MM-DD */
    GF_F_TIMESTAMP, /* YYYY-MM-DD or RFC 3339 */
    GF_F_MONEY,     /* number >= 0 with at most 2 decimals, < 1e16 */
    GF_F_NUMBER,    /* any finite number within [min, max] */
    GF_F_INT,       /* integer within [min, max] */
    GF_F_BOOL,
    GF_F_ENUM,     /* one of enum_values */
    GF_F_PROB,     /* number in [0, 1] */
    GF_F_CURRENCY, /* ISO 4217 style: three capital letters */
} gf_ftype;

#define GF_REQUIRED 1u /* must be present on create */
#define GF_NULLABLE 2u /* JSON null is accepted (stored as SQL NULL) */

typedef struct gf_field {
    const char *name;
    gf_ftype type;
    unsigned flags;
    const char *const *enum_values; /* NULL-terminated, for GF_F_ENUM */
    double min, max;                /* for GF_F_INT and GF_F_NUMBER */
    size_t max_len;                 /* for GF_F_TEXT; 0 means 500 */
} gf_field;

typedef struct gf_values {
    size_t n;
    bool present[GF_MAX_FIELDS];
    char *text[GF_MAX_FIELDS]; /* owned; NULL when present and JSON null */
} gf_values;

typedef enum gf_vmode {
    GF_V_CREATE, /* required fields must be present */
    GF_V_PATCH,  /* every field optional */
} gf_vmode;

/* Validates obj against fields. On success returns 0 with out filled (free with
 * gf_values_clear). On failure returns err's code, and out holds nothing: GF_EINVALID (-1, a
 * 422) naming the field, or GF_EMALFORMED (a 400) when obj is not an object. */
int gf_validate(const json_t *obj, const gf_field *fields, size_t nfields, gf_vmode mode,
                gf_values *out, gf_err *err) GF_MUST_CHECK;

/* Frees the texts held by v. */
void gf_values_clear(gf_values *v);

/* The text of field i (NULL when absent or null). */
static inline const char *gf_val(const gf_values *v, size_t i)
{
    return v->present[i] ? v->text[i] : NULL;
}

/* Number of fields present in v. */
size_t gf_values_count(const gf_values *v);

/* Validates a single value (used for query parameters given as strings). Returns 0 or -1. */
int gf_validate_text(const char *name, gf_ftype type, const char *text, gf_err *err) GF_MUST_CHECK;

/* Checks one JSON value as a field named name of the given type (absent or null: required) and
 * returns its normalised text (the caller frees it), or NULL with GF_EINVALID naming the field. */
char *gf_validate_value(const char *name, gf_ftype type, const json_t *value, gf_err *err)
    GF_MUST_CHECK;

#endif

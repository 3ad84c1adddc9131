/* validate.c — table-driven validation of JSON request bodies. */
#include "gapforge/validate.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gapforge/date.h"

static bool all_chars(const char *s, const char *extra)
{
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && !strchr(extra, *s))
            return false;
    return true;
}

static bool valid_key(const char *s)
{
    size_t n = strlen(s);
    return n >= 1 && n <= 64 && all_chars(s, "_.:-");
}

static bool valid_slug(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 63 || !(islower((unsigned char)s[0]) || isdigit((unsigned char)s[0])))
        return false;
    for (; *s; s++)
        if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '-')
            return false;
    return true;
}

static bool valid_email(const char *s)
{
    size_t n = strlen(s);
    const char *at = strchr(s, '@');
    if (n < 3 || n > 254 || !at || at == s || !at[1] || strchr(at + 1, '@'))
        return false;
    for (; *s; s++)
        if (isspace((unsigned char)*s) || iscntrl((unsigned char)*s))
            return false;
    return true;
}

static bool valid_currency(const char *s)
{
    return strlen(s) == 3 && isupper((unsigned char)s[0]) && isupper((unsigned char)s[1]) &&
           isupper((unsigned char)s[2]);
}

static bool in_enum(const char *s, const char *const *values)
{
    for (; values && *values; values++)
        if (strcmp(s, *values) == 0)
            return true;
    return false;
}

static int enum_error(const gf_field *f, gf_err *err)
{
    char list[256] = "";
    for (const char *const *v = f->enum_values; v && *v; v++) {
        size_t used = strlen(list);
        snprintf(list + used, sizeof list - used, "%s%s", used ? ", " : "", *v);
    }
    return gf_err_invalid(err, f->name, "%s must be one of: %s", f->name, list);
}

/* Number of characters (UTF-8 code points) in s, which jansson guarantees to be valid UTF-8;
 * the limits are the database's length() checks, which count characters, not bytes. */
static size_t utf8_length(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* Checks a string value for the string-typed kinds. */
static int check_string(const gf_field *f, const char *s, gf_err *err)
{
    size_t max = f->max_len ? f->max_len : 500;
    switch (f->type) {
    case GF_F_TEXT:
        if (!*s || utf8_length(s) > max)
            return gf_err_invalid(err, f->name, "%s must be 1 to %zu characters", f->name, max);
        return 0;
    case GF_F_KEY:
        return valid_key(s) ? 0
                            : gf_err_invalid(err, f->name,
                                             "%s must be 1-64 letters, digits or _.:-", f->name);
    case GF_F_SLUG:
        return valid_slug(s)
                   ? 0
                   : gf_err_invalid(err, f->name, "%s must be lowercase letters, digits and dashes",
                                    f->name);
    case GF_F_EMAIL:
        return valid_email(s) ? 0 : gf_err_invalid(err, f->name, "%s is not an email", f->name);
    case GF_F_DATE: {
        int day;
        return gf_date_parse(s, &day) == 0
                   ? 0
                   : gf_err_invalid(err, f->name, "%s must be a date YYYY-MM-DD", f->name);
    }
    case GF_F_TIMESTAMP:
        return gf_timestamp_valid(s)
                   ? 0
                   : gf_err_invalid(err, f->name, "%s must be a date or an RFC 3339 timestamp",
                                    f->name);
    case GF_F_ENUM:
        return in_enum(s, f->enum_values) ? 0 : enum_error(f, err);
    case GF_F_CURRENCY:
        return valid_currency(s)
                   ? 0
                   : gf_err_invalid(err, f->name, "%s must be three capital letters (ISO 4217)",
                                    f->name);
    default:
        return gf_err_invalid(err, f->name, "%s has the wrong type", f->name);
    }
}

static bool is_string_type(gf_ftype t)
{
    return t == GF_F_TEXT || t == GF_F_KEY || t == GF_F_SLUG || t == GF_F_EMAIL || t == GF_F_DATE ||
           t == GF_F_TIMESTAMP || t == GF_F_ENUM || t == GF_F_CURRENCY;
}

/* Writes d in the fewest significant digits that read back as the same double, so 0.35 is
 * "0.35" and not "0.34999999999999998". */
static void shortest_number(double d, char *buf, size_t len)
{
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(buf, len, "%.*g", digits, d);
        if (strtod(buf, NULL) == d)
            return;
    }
}

/* Converts one JSON value into normalised text; returns 0 or -1. */
static int convert(const gf_field *f, const json_t *v, char **out, gf_err *err)
{
    char buf[64];
    if (is_string_type(f->type)) {
        if (!json_is_string(v))
            return gf_err_invalid(err, f->name, "%s must be a string", f->name);
        const char *s = json_string_value(v);
        if (strlen(s) != json_string_length(v))
            return gf_err_invalid(err, f->name, "%s must not contain NUL characters", f->name);
        if (check_string(f, s, err) < 0)
            return -1;
        *out = strdup(s);
        return *out ? 0 : gf_err_internal(err);
    }
    switch (f->type) {
    case GF_F_BOOL:
        if (!json_is_boolean(v))
            return gf_err_invalid(err, f->name, "%s must be true or false", f->name);
        snprintf(buf, sizeof buf, "%s", json_is_true(v) ? "true" : "false");
        break;
    case GF_F_INT: {
        if (!json_is_integer(v))
            return gf_err_invalid(err, f->name, "%s must be an integer", f->name);
        json_int_t i = json_integer_value(v);
        if ((double)i < f->min || (double)i > f->max)
            return gf_err_invalid(err, f->name, "%s must be between %g and %g", f->name, f->min,
                                  f->max);
        snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, i);
        break;
    }
    case GF_F_MONEY: {
        if (!json_is_number(v))
            return gf_err_invalid(err, f->name, "%s must be a number", f->name);
        double d = json_number_value(v);
        if (!isfinite(d) || d < 0 || d >= 1e16)
            return gf_err_invalid(err, f->name, "%s must be between 0 and 10^16", f->name);
        /* The value has at most two decimals when its two-decimal text reads back as the very
         * same double; a tolerance relative to the amount would let a third decimal through
         * on large amounts and round it silently. */
        if (d == 0)
            d = 0.0; /* -0.0 would be written "-0.00" */
        snprintf(buf, sizeof buf, "%.2f", d);
        if (strtod(buf, NULL) != d)
            return gf_err_invalid(err, f->name, "%s must have at most two decimals", f->name);
        break;
    }
    case GF_F_PROB:
    case GF_F_NUMBER: {
        if (!json_is_number(v))
            return gf_err_invalid(err, f->name, "%s must be a number", f->name);
        double d = json_number_value(v);
        double lo = f->type == GF_F_PROB ? 0.0 : f->min, hi = f->type == GF_F_PROB ? 1.0 : f->max;
        if (!isfinite(d) || d < lo || d > hi)
            return gf_err_invalid(err, f->name, "%s must be between %g and %g", f->name, lo, hi);
        shortest_number(d, buf, sizeof buf);
        break;
    }
    default:
        return gf_err_invalid(err, f->name, "%s has the wrong type", f->name);
    }
    *out = strdup(buf);
    return *out ? 0 : gf_err_internal(err);
}

static const gf_field *find_field(const gf_field *fields, size_t n, const char *name, size_t *index)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(fields[i].name, name) == 0) {
            *index = i;
            return &fields[i];
        }
    return NULL;
}

int gf_validate(const json_t *obj, const gf_field *fields, size_t nfields, gf_vmode mode,
                gf_values *out, gf_err *err)
{
    memset(out, 0, sizeof *out);
    if (nfields > GF_MAX_FIELDS)
        return gf_err_internal(err); /* a table larger than gf_values can hold is a bug */
    out->n = nfields;
    if (!json_is_object(obj))
        return gf_err_set(err, GF_EMALFORMED, NULL, NULL, "the request body must be a JSON object");
    const char *name;
    json_t *v;
    json_object_foreach((json_t *)obj, name, v)
    {
        size_t i = 0;
        const gf_field *f = find_field(fields, nfields, name, &i);
        if (!f) {
            /* An empty name cannot be the error's field (empty means none): the message says it. */
            if (!name[0])
                gf_err_invalid(err, NULL, "a member with an empty name is not a field");
            else
                gf_err_invalid(err, name, "unknown field %s", name);
            goto fail;
        }
        out->present[i] = true;
        if (json_is_null(v)) {
            if (!(f->flags & GF_NULLABLE)) {
                gf_err_invalid(err, name, "%s must not be null", name);
                goto fail;
            }
            continue;
        }
        if (convert(f, v, &out->text[i], err) < 0)
            goto fail;
    }
    if (mode == GF_V_CREATE)
        for (size_t i = 0; i < nfields; i++)
            if ((fields[i].flags & GF_REQUIRED) && !out->present[i]) {
                gf_err_invalid(err, fields[i].name, "%s is required", fields[i].name);
                goto fail;
            }
    return 0;
fail:
    gf_values_clear(out);
    return -1;
}

void gf_values_clear(gf_values *v)
{
    for (size_t i = 0; i < GF_MAX_FIELDS; i++) {
        free(v->text[i]);
        v->text[i] = NULL;
        v->present[i] = false;
    }
}

size_t gf_values_count(const gf_values *v)
{
    size_t n = 0;
    for (size_t i = 0; i < v->n; i++)
        n += v->present[i];
    return n;
}

char *gf_validate_value(const char *name, gf_ftype type, const json_t *value, gf_err *err)
{
    const gf_field f = {.name = name, .type = type};
    char *out = NULL;
    if (!value || json_is_null(value)) {
        gf_err_invalid(err, name, "%s is required", name);
        return NULL;
    }
    if (convert(&f, value, &out, err) < 0)
        return NULL;
    return out;
}

int gf_validate_text(const char *name, gf_ftype type, const char *text, gf_err *err)
{
    gf_field f = {.name = name, .type = type};
    return check_string(&f, text, err);
}

/* err.c — filling gf_err values. */
#include "gapforge/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "gapforge/utf8.h"

static void fill(gf_err *err, gf_errcode code, const char *reason, const char *field,
                 const char *fmt, va_list ap)
{
    /* Messages quote what clients sent (names, JSON parser errors) and go into JSON answers,
     * which hold UTF-8 only: a byte that is not UTF-8 is escaped, and a cut falls between
     * characters (a text cut inside one could not be written at all). */
    char text[2 * sizeof err->message];
    err->code = code;
    err->reason = reason;
    vsnprintf(text, sizeof text, fmt, ap);
    gf_utf8_escape(text, strlen(text), err->message, sizeof err->message);
    char name[2 * sizeof err->field]; /* field may point into err */
    snprintf(name, sizeof name, "%s", field ? field : "");
    gf_utf8_escape(name, strlen(name), err->field, sizeof err->field);
}

int gf_err_set(gf_err *err, gf_errcode code, const char *reason, const char *field, const char *fmt,
               ...)
{
    if (!err)
        return code;
    va_list ap;
    va_start(ap, fmt);
    fill(err, code, reason, field, fmt, ap);
    va_end(ap);
    return code;
}

void gf_err_clear(gf_err *err)
{
    if (err)
        memset(err, 0, sizeof *err);
}

const char *gf_err_code_name(gf_errcode code)
{
    switch (code) {
    case GF_EINVALID:
        return "invalid_argument";
    case GF_EMALFORMED:
        return "invalid_body";
    case GF_ENOTFOUND:
        return "not_found";
    case GF_ECONFLICT:
        return "conflict";
    case GF_EUNAVAILABLE:
        return "database_unavailable";
    case GF_ETOOLARGE:
        return "payload_too_large";
    case GF_EUNSUPPORTED:
        return "unsupported_media_type";
    case GF_EUNAUTHENTICATED:
        return "unauthorized";
    case GF_EFORBIDDEN:
        return "forbidden";
    case GF_ENOTIMPLEMENTED:
        return "not_implemented";
    case GF_ETIMEOUT:
        return "request_timeout";
    case GF_ERATELIMITED:
        return "rate_limited";
    case GF_OK:
    case GF_EINTERNAL:
    default:
        return "internal";
    }
}

const char *gf_err_reason(const gf_err *err)
{
    return err->reason ? err->reason : gf_err_code_name(err->code);
}

int gf_err_invalid(gf_err *err, const char *field, const char *fmt, ...)
{
    if (!err)
        return GF_EINVALID;
    va_list ap;
    va_start(ap, fmt);
    fill(err, GF_EINVALID, NULL, field, fmt, ap);
    va_end(ap);
    return GF_EINVALID;
}

int gf_err_not_found(gf_err *err, const char *what)
{
    return gf_err_set(err, GF_ENOTFOUND, NULL, NULL, "%s not found", what);
}

int gf_err_internal(gf_err *err)
{
    return gf_err_set(err, GF_EINTERNAL, NULL, NULL, "internal error");
}

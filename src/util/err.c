/* err.c — filling gf_err values. */
#include "gapforge/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void fill(gf_err *err, int status, const char *code, const char *field, const char *fmt,
                 va_list ap)
{
    err->status = status;
    err->code = code;
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    snprintf(err->field, sizeof err->field, "%s", field ? field : "");
}

int gf_err_set(gf_err *err, int status, const char *code, const char *field, const char *fmt, ...)
{
    if (!err)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    fill(err, status, code, field, fmt, ap);
    va_end(ap);
    return -1;
}

void gf_err_clear(gf_err *err)
{
    if (err)
        memset(err, 0, sizeof *err);
}

int gf_err_invalid(gf_err *err, const char *field, const char *fmt, ...)
{
    if (!err)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    fill(err, 422, "invalid_argument", field, fmt, ap);
    va_end(ap);
    return -1;
}

int gf_err_not_found(gf_err *err, const char *what)
{
    return gf_err_set(err, 404, "not_found", NULL, "%s not found", what);
}

int gf_err_internal(gf_err *err)
{
    return gf_err_set(err, 500, "internal", NULL, "internal error");
}

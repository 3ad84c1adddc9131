/* body.h — (private to the http layer) a request body held in memory up to a cap, and a bound on
 * what its JSON costs to parse before jansson spends anything on it. Pure functions over a plain
 * struct; the server owns one per request. */
#ifndef GAPFORGE_HTTP_BODY_H
#define GAPFORGE_HTTP_BODY_H

#include <stdbool.h>
#include <stddef.h>

typedef struct gf_http_body {
    char *data; /* NUL-terminated after the len bytes; NULL before the first byte */
    size_t len, cap;
    bool too_large; /* the cap was passed (or memory ran out): data is gone, the rest dropped */
} gf_http_body;

/* Appends data[0..n) while the body stays within max bytes; past it, frees what was held and
 * sets too_large, after which every append is ignored. */
void gf_http__body_append(gf_http_body *body, const char *data, size_t n, size_t max);

/* Frees what the body holds; it is empty again. */
void gf_http__body_free(gf_http_body *body);

/* An upper bound of the values in the JSON text s[0..n): its containers and separators outside
 * strings, plus one. Stops counting past cap. jansson spends some 100 bytes on each value, so a
 * body whose bound passes the cap is refused before it is parsed. */
size_t gf_http__json_values_bound(const char *s, size_t n, size_t cap);

#endif

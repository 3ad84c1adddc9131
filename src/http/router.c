/* router.c — matching a method and a path against the routing table.
 *
 * The path is matched as it was sent (percent-encoded), and only the parameters are decoded
 * once their route is known, so an encoded slash (%2F) stays inside its segment:
 * /v1/deals/by-external-id/a%2Fb is the deal "a/b". */
#include "gapforge/http.h"

#include <stdio.h>
#include <string.h>

#include "gapforge/utf8.h"

/* Splits path into segments in buf; returns the count, or -1 if there are too many. */
static int split(const char *path, char *buf, char **segs, int max)
{
    strcpy(buf, path);
    int n = 0;
    char *p = buf;
    while (*p == '/')
        p++;
    while (*p) {
        if (n == max)
            return -1;
        segs[n++] = p;
        char *slash = strchr(p, '/');
        if (!slash)
            break;
        *slash = '\0';
        p = slash + 1;
    }
    return n;
}

/* True when path segments match pattern; captures parameters. */
static bool match_pattern(const char *pattern, char **segs, int nsegs, const char **params,
                          size_t *nparams)
{
    size_t np = 0;
    int i = 0;
    const char *p = pattern;
    while (*p == '/')
        p++;
    while (*p) {
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (i >= nsegs)
            return false;
        if (p[0] == '{') {
            if (segs[i][0] == '\0' || np == GF_MAX_PATH_PARAMS)
                return false;
            params[np++] = segs[i];
        } else if (strlen(segs[i]) != len || strncmp(segs[i], p, len) != 0) {
            return false;
        }
        i++;
        p += len;
        while (*p == '/')
            p++;
    }
    if (i != nsegs)
        return false;
    *nparams = np;
    return true;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes the percent escapes of a segment in place. Returns 0, or -1 when an escape is
 * malformed or the result is not UTF-8 without NUL. */
static int decode_segment(char *seg)
{
    char *out = seg;
    for (const char *p = seg; *p; p++) {
        if (*p != '%') {
            *out++ = *p;
            continue;
        }
        const int hi = hex_value(p[1]), lo = hi < 0 ? -1 : hex_value(p[2]);
        if (lo < 0)
            return -1;
        *out++ = (char)(hi * 16 + lo);
        p += 2;
    }
    const size_t n = (size_t)(out - seg);
    *out = '\0';
    return gf_utf8_valid(seg, n, NULL) ? 0 : -1;
}

gf_match gf_http_route_match(const gf_route *routes, size_t nroutes, const char *method,
                             const char *path, const gf_route **route, const char **params,
                             size_t *nparams, char *buf, char *allow, size_t allow_len)
{
    char *segs[16];
    int nsegs = split(path, buf, segs, 16);
    if (nsegs < 0)
        return GF_MATCH_NO_PATH;
    bool path_known = false;
    if (allow_len)
        allow[0] = '\0';
    for (size_t r = 0; r < nroutes; r++) {
        const char *tmp[GF_MAX_PATH_PARAMS];
        size_t ntmp = 0;
        if (!match_pattern(routes[r].pattern, segs, nsegs, tmp, &ntmp))
            continue;
        if (strcmp(routes[r].method, method) == 0) {
            *route = &routes[r];
            for (size_t k = 0; k < ntmp; k++)
                if (decode_segment((char *)tmp[k]) < 0)
                    return GF_MATCH_BAD_PARAM;
            memcpy(params, tmp, ntmp * sizeof *tmp);
            *nparams = ntmp;
            return GF_MATCH_FOUND;
        }
        if (allow_len && !strstr(allow, routes[r].method)) {
            size_t used = strlen(allow);
            snprintf(allow + used, allow_len - used, "%s%s", used ? ", " : "", routes[r].method);
        }
        path_known = true;
    }
    return path_known ? GF_MATCH_NO_METHOD : GF_MATCH_NO_PATH;
}

/* router.c — matching a method and a path against the routing table. */
#include "gapforge/http.h"

#include <stdio.h>
#include <string.h>

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

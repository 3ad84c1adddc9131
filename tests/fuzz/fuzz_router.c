/* fuzz_router.c — gf_http_route_match (src/http/router.c) against the real routing table
 * (src/api/routes.c), linked as the server links it.
 *
 * Input: a method (the first line) and a path (the rest). Invariants:
 *  - the path is not written to, and nothing is written past the copy area (exactly
 *    strlen(path) + 1 bytes) or the Allow buffer, even a tiny one;
 *  - a match is the first route of the table whose method is the request's and whose pattern
 *    matches the path's segments, literal segments equal and each {param} a non-empty segment;
 *  - its parameters are as many as the pattern's, lie inside the copy area, are non-empty, and
 *    equal their segment when it holds no percent escape (and are no longer when it does);
 *  - 405 lists in Allow exactly methods of routes whose pattern matches, never the request's;
 *  - 404 means no pattern matches (or the path has more segments than any route can take). */
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "gapforge/api.h"

#define MAX_SEGS 16

/* The path's segments as the router defines them: leading slashes skipped, split at each
 * slash, one trailing slash ignored. Returns the count, or -1 past MAX_SEGS. */
static int segments(const char *path, const char **seg, size_t *len)
{
    const char *p = path;
    int n = 0;
    while (*p == '/')
        p++;
    while (*p) {
        if (n == MAX_SEGS)
            return -1;
        const char *slash = strchr(p, '/');
        seg[n] = p;
        len[n] = slash ? (size_t)(slash - p) : strlen(p);
        n++;
        if (!slash)
            break;
        p = slash + 1;
    }
    return n;
}

/* True when pattern matches the segments (the reference semantics); counts its parameters. */
static bool matches(const char *pattern, const char **seg, const size_t *len, int n, size_t *np)
{
    const char *ps[MAX_SEGS];
    size_t pl[MAX_SEGS];
    const int m = segments(pattern, ps, pl);
    FUZZ_CHECK(m >= 0, "pattern %s has too many segments", pattern);
    *np = 0;
    if (m != n)
        return false;
    for (int i = 0; i < n; i++) {
        if (ps[i][0] == '{') {
            if (len[i] == 0)
                return false;
            (*np)++;
        } else if (pl[i] != len[i] || memcmp(ps[i], seg[i], len[i]) != 0) {
            return false;
        }
    }
    return true;
}

static void check(const char *method, const char *path, size_t allow_len)
{
    const size_t plen = strlen(path);
    char *copy = strdup(path), *buf = malloc(plen + 1), *allow = malloc(allow_len ? allow_len : 1);
    FUZZ_CHECK(copy && buf && allow, "out of memory");
    const gf_route *route = NULL;
    const char *params[GF_MAX_PATH_PARAMS] = {0};
    size_t nparams = 99;
    const gf_match m = gf_http_route_match(gf_api_routes, gf_api_nroutes, method, path, &route,
                                           params, &nparams, buf, allow, allow_len);
    FUZZ_CHECK(strcmp(copy, path) == 0, "the path was changed");

    const char *seg[MAX_SEGS];
    size_t len[MAX_SEGS];
    const int n = segments(path, seg, len);
    const gf_route *first = NULL;
    size_t first_np = 0;
    bool any = false;
    for (size_t r = 0; n >= 0 && r < gf_api_nroutes; r++) {
        size_t np = 0;
        if (!matches(gf_api_routes[r].pattern, seg, len, n, &np))
            continue;
        any = true;
        if (!first && strcmp(gf_api_routes[r].method, method) == 0) {
            first = &gf_api_routes[r];
            first_np = np;
        }
    }

    if (m == GF_MATCH_FOUND) {
        FUZZ_CHECK(route == first, "matched %s %s, the first match is %s",
                   route ? route->method : "-", route ? route->pattern : "-",
                   first ? first->pattern : "none");
        FUZZ_CHECK(nparams == first_np, "%zu parameters for %s", nparams, route->pattern);
        size_t k = 0;
        const char *ps[MAX_SEGS];
        size_t pl[MAX_SEGS];
        segments(route->pattern, ps, pl);
        for (int i = 0; i < n; i++) {
            if (ps[i][0] != '{')
                continue;
            const char *v = params[k++];
            FUZZ_CHECK(v >= buf && v < buf + plen + 1, "parameter %zu is outside the path", k);
            const size_t vl = strlen(v);
            FUZZ_CHECK(v + vl <= buf + plen && vl > 0, "parameter %zu runs past the path", k);
            if (!memchr(seg[i], '%', len[i]))
                FUZZ_CHECK(vl == len[i] && memcmp(v, seg[i], vl) == 0,
                           "parameter %zu is not its segment", k);
            else
                FUZZ_CHECK(vl <= len[i], "parameter %zu grew when decoded", k);
        }
    } else if (m == GF_MATCH_NO_METHOD) {
        FUZZ_CHECK(any && !first, "405 for %s %s", method, path);
        if (allow_len) {
            FUZZ_CHECK(memchr(allow, '\0', allow_len), "Allow is not terminated");
            char *save = NULL;
            for (char *a = strtok_r(allow, ", ", &save); a; a = strtok_r(NULL, ", ", &save)) {
                bool listed = false;
                for (size_t r = 0; r < gf_api_nroutes && !listed; r++) {
                    size_t np = 0;
                    listed = strcmp(gf_api_routes[r].method, a) == 0 &&
                             matches(gf_api_routes[r].pattern, seg, len, n, &np);
                }
                /* A cut-short Allow may end in a partial name: only whole ones must match. */
                FUZZ_CHECK(listed || !save || !*save, "Allow names %s", a);
            }
        }
    } else if (m == GF_MATCH_NO_PATH) {
        FUZZ_CHECK(!any, "404 for %s %s, a route matches", method, path);
    } else {
        /* A refusal of the parameters (their escapes): only once a route was found. */
        FUZZ_CHECK(first != NULL, "result %d without a route", (int)m);
    }
    free(copy);
    free(buf);
    free(allow);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *nl = memchr(data, '\n', size);
    if (!nl || memchr(data, '\0', size))
        return 0;
    char *text = malloc(size + 1);
    FUZZ_CHECK(text != NULL, "out of memory");
    memcpy(text, data, size);
    text[size] = '\0';
    text[nl - (const char *)data] = '\0';
    const char *method = text, *path = text + (nl - (const char *)data) + 1;
    check(method, path, 128);
    check(method, path, 1 + size % 7);
    check(method, path, 0);
    free(text);
    return 0;
}

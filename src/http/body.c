/* body.c — request bodies in memory and the bound on their JSON values (body.h). */
#include "body.h"

#include <stdlib.h>
#include <string.h>

void gf_http__body_free(gf_http_body *body)
{
    free(body->data);
    body->data = NULL;
    body->len = body->cap = 0;
}

void gf_http__body_append(gf_http_body *body, const char *data, size_t n, size_t max)
{
    if (body->too_large)
        return;
    if (body->len + n > max) {
        body->too_large = true;
        gf_http__body_free(body);
        return;
    }
    if (body->len + n + 1 > body->cap) {
        size_t cap = body->cap ? body->cap : 4096;
        while (cap < body->len + n + 1)
            cap *= 2;
        char *grown = realloc(body->data, cap);
        if (!grown) {
            body->too_large = true;
            gf_http__body_free(body);
            return;
        }
        body->data = grown;
        body->cap = cap;
    }
    memcpy(body->data + body->len, data, n);
    body->len += n;
    body->data[body->len] = '\0';
}

size_t gf_http__json_values_bound(const char *s, size_t n, size_t cap)
{
    size_t count = 1;
    bool in_string = false;
    for (size_t i = 0; i < n && count <= cap; i++) {
        const char c = s[i];
        if (in_string) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == ',' || c == '[' || c == '{') {
            count++;
        }
    }
    return count;
}

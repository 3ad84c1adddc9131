/* utf8.c — UTF-8 well-formedness (RFC 3629, table 3-7 of the Unicode standard). */
#include "gapforge/utf8.h"

#include <stdio.h>

/* The length of the well-formed sequence at s[0..n), or 0 when it is not one (NUL included). */
static size_t sequence_len(const unsigned char *s, size_t n)
{
    const unsigned c = s[0];
    if (c == 0)
        return 0;
    if (c < 0x80)
        return 1;
    size_t len;
    unsigned lo = 0x80, hi = 0xBF; /* the range of the second byte */
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0)
            lo = 0xA0; /* no overlong forms */
        else if (c == 0xED)
            hi = 0x9F; /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F; /* nothing above U+10FFFF */
    } else {
        return 0;
    }
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t k = 2; k < len; k++)
        if (s[k] < 0x80 || s[k] > 0xBF)
            return 0;
    return len;
}

bool gf_utf8_valid(const char *s, size_t n, size_t *bad)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        if (p[i] && p[i] < 0x80) { /* the common case: ASCII */
            i++;
            continue;
        }
        const size_t len = sequence_len(p + i, n - i);
        if (!len) {
            if (bad)
                *bad = i;
            return false;
        }
        i += len;
    }
    return true;
}

char *gf_utf8_escape(const char *s, size_t n, char *out, size_t cap)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, o = 0;
    if (!cap)
        return out;
    while (i < n) {
        size_t len = sequence_len(p + i, n - i);
        if (len) {
            if (o + len + 1 > cap)
                break;
            for (size_t k = 0; k < len; k++)
                out[o++] = (char)p[i + k];
            i += len;
            continue;
        }
        if (o + 4 > cap)
            break;
        snprintf(out + o, 4, "%%%02X", p[i]);
        o += 3;
        i++;
    }
    out[o] = '\0';
    return out;
}

/* utf8.h — checking bytes from the network for well-formed UTF-8 before they reach JSON, logs
 * or PostgreSQL (which refuse or mangle anything else). */
#ifndef GAPFORGE_UTF8_H
#define GAPFORGE_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* True when s[0..n) is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing
 * above U+10FFFF) with no NUL byte. Otherwise false, and *bad (when non-NULL) is the offset of
 * the first byte that breaks it. */
bool gf_utf8_valid(const char *s, size_t n, size_t *bad);

/* Writes s[0..n) into out (cap bytes, NUL-terminated, cut short when full) with every byte that
 * breaks the rule above written as %XX, so the result is always valid UTF-8 and still says what
 * was sent. Returns out. */
char *gf_utf8_escape(const char *s, size_t n, char *out, size_t cap);

#endif

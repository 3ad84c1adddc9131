/* crypto.h — the few cryptographic primitives gapforge needs, all from OpenSSL's libcrypto. */
#ifndef GAPFORGE_CRYPTO_H
#define GAPFORGE_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>

#include "gapforge/err.h"

/* Writes the SHA-256 of data as 64 lowercase hex digits plus NUL into hex[65]. */
void gf_sha256_hex(const void *data, size_t len, char hex[65]);

/* Fills out with 2*nbytes random lowercase hex digits plus NUL (out must hold 2*nbytes+1).
 * Returns 0, or -1 when the system's random source fails. */
int gf_random_hex(char *out, size_t nbytes) GF_MUST_CHECK;

/* Compares two equal-length byte strings in time independent of their contents. */
bool gf_const_time_eq(const void *a, const void *b, size_t len);

#endif

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

/* Fills out with n random bytes from the system's source. Returns 0, or -1 when it fails. */
int gf_random_bytes(void *out, size_t n) GF_MUST_CHECK;

/* Writes the standard base64 (RFC 4648, padded) of data plus NUL into out, whose cap must be at
 * least 4 * ceil(len / 3) + 1. Returns the length written, or -1 when out is too small. */
int gf_base64_encode(const void *data, size_t len, char *out, size_t cap) GF_MUST_CHECK;

/* Decodes standard padded base64 text into out (cap bytes). Returns the number of bytes, or -1
 * for text that is not base64 or does not fit. */
int gf_base64_decode(const char *text, unsigned char *out, size_t cap) GF_MUST_CHECK;

/* The HMAC-SHA256 of data under key into mac[32]. */
void gf_hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
                    unsigned char mac[32]);

/* Seals plain (a NUL-terminated secret) with AES-256-GCM under key[32] (a fresh random nonce
 * each time) into out as "v1:" + base64(nonce | tag | ciphertext). Returns 0, or -1 when out is
 * too small or the cipher fails. */
int gf_seal(const unsigned char key[32], const char *plain, char *out, size_t cap) GF_MUST_CHECK;

/* Opens text sealed by gf_seal under key into out (NUL-terminated). Returns 0, or -1 when the
 * text is malformed, was sealed under another key or was altered, or does not fit. */
int gf_unseal(const unsigned char key[32], const char *sealed, char *out, size_t cap) GF_MUST_CHECK;

/* Compares two equal-length byte strings in time independent of their contents. */
bool gf_const_time_eq(const void *a, const void *b, size_t len);

#endif

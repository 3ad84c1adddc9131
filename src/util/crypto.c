/* crypto.c — SHA-256, random tokens and constant-time comparison via libcrypto. */
#include "gapforge/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <string.h>

static const char HEX[] = "0123456789abcdef";

static void to_hex(const unsigned char *bytes, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = HEX[bytes[i] >> 4];
        out[2 * i + 1] = HEX[bytes[i] & 15];
    }
    out[2 * n] = '\0';
}

void gf_sha256_hex(const void *data, size_t len, char hex[65])
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0;
    EVP_Digest(data, len, digest, &dlen, EVP_sha256(), NULL);
    to_hex(digest, dlen, hex);
}

int gf_random_hex(char *out, size_t nbytes)
{
    unsigned char buf[64];
    if (nbytes > sizeof buf || RAND_bytes(buf, (int)nbytes) != 1)
        return -1;
    to_hex(buf, nbytes, out);
    return 0;
}

bool gf_const_time_eq(const void *a, const void *b, size_t len)
{
    return CRYPTO_memcmp(a, b, len) == 0;
}

int gf_random_bytes(void *out, size_t n)
{
    if (n > 1024 || RAND_bytes(out, (int)n) != 1)
        return -1;
    return 0;
}

int gf_base64_encode(const void *data, size_t len, char *out, size_t cap)
{
    const size_t need = 4 * ((len + 2) / 3) + 1;
    if (len > 65536 || cap < need)
        return -1;
    return EVP_EncodeBlock((unsigned char *)out, data, (int)len);
}

int gf_base64_decode(const char *text, unsigned char *out, size_t cap)
{
    const size_t n = strlen(text);
    if (n == 0 || n % 4 != 0 || n > 65536 || cap < 3 * (n / 4))
        return -1;
    const int got = EVP_DecodeBlock(out, (const unsigned char *)text, (int)n);
    if (got < 0)
        return -1;
    /* EVP_DecodeBlock counts the padding as zero bytes. */
    int pad = (text[n - 1] == '=') + (text[n - 2] == '=');
    return got - pad;
}

void gf_hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
                    unsigned char mac[32])
{
    unsigned int out_len = 32;
    HMAC(EVP_sha256(), key, (int)key_len, data, len, mac, &out_len);
}

enum { SEAL_NONCE = 12, SEAL_TAG = 16, SEAL_MAX = 512 };

int gf_seal(const unsigned char key[32], const char *plain, char *out, size_t cap)
{
    const size_t n = strlen(plain);
    unsigned char buf[SEAL_NONCE + SEAL_TAG + SEAL_MAX];
    if (n > SEAL_MAX || cap < 4 || RAND_bytes(buf, SEAL_NONCE) != 1)
        return -1;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int len = 0, fin = 0, ok = ctx != NULL;
    ok = ok && EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, buf) == 1;
    ok = ok && EVP_EncryptUpdate(ctx, buf + SEAL_NONCE + SEAL_TAG, &len,
                                 (const unsigned char *)plain, (int)n) == 1;
    ok = ok && EVP_EncryptFinal_ex(ctx, buf + SEAL_NONCE + SEAL_TAG + len, &fin) == 1;
    ok = ok && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, SEAL_TAG, buf + SEAL_NONCE) == 1;
    EVP_CIPHER_CTX_free(ctx);
    if (!ok)
        return -1;
    memcpy(out, "v1:", 3);
    return gf_base64_encode(buf, SEAL_NONCE + SEAL_TAG + (size_t)(len + fin), out + 3, cap - 3) < 0
               ? -1
               : 0;
}

int gf_unseal(const unsigned char key[32], const char *sealed, char *out, size_t cap)
{
    unsigned char buf[SEAL_NONCE + SEAL_TAG + SEAL_MAX + 3];
    if (strncmp(sealed, "v1:", 3) != 0)
        return -1;
    const int n = gf_base64_decode(sealed + 3, buf, sizeof buf);
    if (n < SEAL_NONCE + SEAL_TAG || (size_t)(n - SEAL_NONCE - SEAL_TAG) + 1 > cap)
        return -1;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int len = 0, fin = 0, ok = ctx != NULL;
    ok = ok && EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, buf) == 1;
    ok = ok && EVP_DecryptUpdate(ctx, (unsigned char *)out, &len, buf + SEAL_NONCE + SEAL_TAG,
                                 n - SEAL_NONCE - SEAL_TAG) == 1;
    ok = ok && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, SEAL_TAG, buf + SEAL_NONCE) == 1;
    ok = ok && EVP_DecryptFinal_ex(ctx, (unsigned char *)out + len, &fin) == 1;
    EVP_CIPHER_CTX_free(ctx);
    if (!ok)
        return -1;
    out[len + fin] = '\0';
    return 0;
}

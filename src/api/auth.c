/* auth.c — who is calling: API keys for org routes, the admin token for service routes. */
#include <string.h>
#include <strings.h>

#include "gapforge/api.h"
#include "gapforge/crypto.h"
#include "gapforge/store.h"

/* The token after "Bearer ", or NULL. */
static const char *bearer(const char *authorization)
{
    if (!authorization || strncasecmp(authorization, "Bearer ", 7) != 0)
        return NULL;
    const char *t = authorization + 7;
    while (*t == ' ')
        t++;
    return *t ? t : NULL;
}

/* Compares the presented token with the configured admin token by their hashes, so the time
 * taken reveals neither content nor length. */
static bool admin_token_ok(const char *token)
{
    const char *want = gf_api_config()->admin_token;
    if (!want || !token)
        return false;
    char a[65], b[65];
    gf_sha256_hex(token, strlen(token), a);
    gf_sha256_hex(want, strlen(want), b);
    return gf_const_time_eq(a, b, 64);
}

/* Scope bits a key's stored scopes grant: admin implies write, write implies read. */
static unsigned granted(unsigned key_bits)
{
    unsigned s = 0;
    if (key_bits & GF_KEY_ADMIN)
        s |= (1u << GF_SCOPE_ADMIN) | (1u << GF_SCOPE_WRITE) | (1u << GF_SCOPE_READ);
    if (key_bits & GF_KEY_WRITE)
        s |= (1u << GF_SCOPE_WRITE) | (1u << GF_SCOPE_READ);
    if (key_bits & GF_KEY_READ)
        s |= 1u << GF_SCOPE_READ;
    return s;
}

static const char *scope_name(gf_scope s)
{
    return s == GF_SCOPE_ADMIN ? "admin" : s == GF_SCOPE_WRITE ? "write" : "read";
}

int gf_api_authenticate(const char *authorization, gf_scope scope, gf_principal *who, gf_err *err)
{
    memset(who, 0, sizeof *who);
    const char *token = bearer(authorization);
    if (scope == GF_SCOPE_SERVICE) {
        if (!gf_api_config()->admin_token)
            return gf_err_set(err, GF_EFORBIDDEN, NULL, NULL,
                              "org creation is disabled: GAPFORGE_ADMIN_TOKEN is not set");
        if (!token)
            return gf_err_set(err, GF_EUNAUTHENTICATED, NULL, NULL,
                              "the service admin token is required");
        if (!admin_token_ok(token))
            return gf_err_set(err, GF_EFORBIDDEN, NULL, NULL,
                              "this is not the service admin token");
        who->scopes = 1u << GF_SCOPE_SERVICE;
        return 0;
    }
    if (!token)
        return gf_err_set(err, GF_EUNAUTHENTICATED, NULL, NULL,
                          "an API key is required: Authorization: Bearer <key>");
    unsigned bits = 0;
    if (gf_store_key_verify(token, &who->org_id, who->org_slug, &who->key_id, &bits, err) < 0)
        return -1;
    who->scopes = granted(bits);
    if (!(who->scopes & (1u << scope)))
        return gf_err_set(err, GF_EFORBIDDEN, NULL, NULL, "this API key lacks the %s scope",
                          scope_name(scope));
    return 0;
}

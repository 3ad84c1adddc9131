/* keys.c — API keys: shown once, stored as SHA-256, looked up by a public prefix.
 *
 * A token reads gf_<prefix>_<secret>: 12 hex digits of prefix (unique, stored in clear for
 * lookup) and 40 hex digits of secret. The database holds the SHA-256 of the whole token. */
#include <stdio.h>
#include <string.h>

#include "db.h"
#include "gapforge/crypto.h"
#include "gapforge/store.h"

#define PREFIX_BYTES 6
#define SECRET_BYTES 20

static const gf_stmt key_insert = {
    "key_insert",
    "INSERT INTO api_keys (org_id, name, prefix, secret_sha256, scopes) "
    "VALUES ($1, $2, $3, $4, string_to_array($5, ',')) RETURNING gf_api_key_json(api_keys)"};

static const gf_stmt key_page = {
    "key_page", "SELECT gf_api_key_json(k), k.id FROM api_keys k WHERE k.org_id = $1 AND k.id > $2 "
                "ORDER BY k.id LIMIT $3"};

static const gf_stmt key_revoke = {
    "key_revoke",
    "UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE org_id = $1 AND id = $2 "
    "RETURNING gf_api_key_json(api_keys)"};

static const gf_stmt key_lookup = {
    "key_lookup", "SELECT k.id, k.org_id, o.slug, k.secret_sha256, array_to_string(k.scopes, ','), "
                  "k.revoked_at IS NOT NULL FROM api_keys k JOIN orgs o ON o.id = k.org_id "
                  "WHERE k.prefix = $1"};

/* Invalid unless csv is a non-empty comma list of read, write, admin without repeats. */
static int check_scopes(const char *csv, gf_err *err)
{
    char buf[64];
    if (!csv || !*csv || strlen(csv) >= sizeof buf)
        return gf_err_invalid(err, "scopes",
                              "scopes must be a non-empty list of read, write, admin");
    snprintf(buf, sizeof buf, "%s", csv);
    unsigned seen = 0;
    char *save = NULL;
    for (char *s = strtok_r(buf, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
        unsigned bit = strcmp(s, "read") == 0    ? 1u
                       : strcmp(s, "write") == 0 ? 2u
                       : strcmp(s, "admin") == 0 ? 4u
                                                 : 0u;
        if (!bit || (seen & bit))
            return gf_err_invalid(err, "scopes",
                                  "scopes must be a list of read, write, admin without repeats");
        seen |= bit;
    }
    return 0;
}

json_t *gf_store_key_create(int64_t org_id, const char *name, const char *scopes_csv, gf_err *err)
{
    if (check_scopes(scopes_csv, err) < 0)
        return NULL;
    char prefix[2 * PREFIX_BYTES + 1], secret[2 * SECRET_BYTES + 1];
    if (gf_random_hex(prefix, PREFIX_BYTES) < 0 || gf_random_hex(secret, SECRET_BYTES) < 0) {
        gf_err_internal(err);
        return NULL;
    }
    char token[128], hash[65];
    snprintf(token, sizeof token, "gf_%s_%s", prefix, secret);
    gf_sha256_hex(token, strlen(token), hash);
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_text(&a, name);
    gf_db_arg_text(&a, prefix);
    gf_db_arg_text(&a, hash);
    gf_db_arg_text(&a, scopes_csv);
    PGresult *res = gf_db_exec_args(&key_insert, &a, err);
    if (!res)
        return NULL;
    json_t *key = gf_db_json(res, 0, 0);
    PQclear(res);
    if (!key) {
        gf_err_internal(err);
        return NULL;
    }
    json_object_set_new(key, "secret", json_string(token));
    return key;
}

json_t *gf_store_key_list(int64_t org_id, int limit, int64_t after, gf_err *err)
{
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_i64(&a, after);
    return gf_db_list(&key_page, &a, 0, 1, limit, err);
}

json_t *gf_store_key_revoke(int64_t org_id, int64_t key_id, gf_err *err)
{
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_i64(&a, key_id);
    PGresult *res = gf_db_exec_args(&key_revoke, &a, err);
    if (!res)
        return NULL;
    json_t *key = PQntuples(res) ? gf_db_json(res, 0, 0) : NULL;
    PQclear(res);
    if (!key)
        gf_err_not_found(err, "api key");
    return key;
}

static int unauthorized(gf_err *err)
{
    return gf_err_set(err, GF_EUNAUTHENTICATED, NULL, NULL, "missing, unknown or revoked API key");
}

int gf_store_key_verify(const char *token, int64_t *org_id, char slug[64], int64_t *key_id,
                        unsigned *scopes, gf_err *err)
{
    size_t len = strlen(token);
    if (len != 3 + 2 * PREFIX_BYTES + 1 + 2 * SECRET_BYTES || strncmp(token, "gf_", 3) != 0 ||
        token[3 + 2 * PREFIX_BYTES] != '_')
        return unauthorized(err);
    char prefix[2 * PREFIX_BYTES + 1];
    memcpy(prefix, token + 3, 2 * PREFIX_BYTES);
    prefix[2 * PREFIX_BYTES] = '\0';
    gf_db_args a = {0};
    gf_db_arg_text(&a, prefix);
    PGresult *res = gf_db_exec_args(&key_lookup, &a, err);
    if (!res)
        return -1;
    int rc = -1;
    char hash[65];
    gf_sha256_hex(token, len, hash);
    if (PQntuples(res) != 1 || strlen(PQgetvalue(res, 0, 3)) != 64 ||
        !gf_const_time_eq(hash, PQgetvalue(res, 0, 3), 64) ||
        strcmp(PQgetvalue(res, 0, 5), "t") == 0) {
        unauthorized(err);
        goto cleanup;
    }
    *key_id = gf_db_int64(res, 0, 0);
    *org_id = gf_db_int64(res, 0, 1);
    snprintf(slug, 64, "%s", PQgetvalue(res, 0, 2));
    const char *sc = PQgetvalue(res, 0, 4);
    unsigned bits = 0;
    if (strstr(sc, "read"))
        bits |= GF_KEY_READ;
    if (strstr(sc, "write"))
        bits |= GF_KEY_WRITE;
    if (strstr(sc, "admin"))
        bits |= GF_KEY_ADMIN;
    *scopes = bits;
    rc = 0;
cleanup:
    PQclear(res);
    return rc;
}

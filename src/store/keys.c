/* keys.c — API keys: shown once, stored as SHA-256, looked up by a public prefix.
 *
 * A token reads gf_<prefix>_<secret>: 12 hex digits of prefix (unique, stored in clear for
 * lookup) and 40 hex digits of secret. The database holds the SHA-256 of the whole token.
 *
 * Verified keys are cached in process by that SHA-256, so a request with a known key costs no
 * database round trip. A revocation here drops the key at once; one on another replica bumps the
 * keys' epoch (migration 0014), which every replica reads at most once per check interval and,
 * when it moved, drops every key it holds. A lookup that raced with a drop does not cache what it
 * read (a generation counter), so a revoked key is never cached again. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "gapforge/crypto.h"
#include "gapforge/store.h"
#include "gapforge/store_versions.h"
#include "keyed.h"

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
    "key_lookup", "SELECT id, org_id, slug, secret_sha256, scopes, revoked "
                  "FROM gf_api_key_lookup($1)"}; /* across orgs: before the org is known */

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
    return gf_store__page(&key_page, org_id, limit, after, err);
}

static void drop_key(int64_t key_id);

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
    drop_key(key_id); /* at once on this replica; others see the epoch move */
    return key;
}

/* ---- the cache of verified keys ---- */

#define KEY_CACHE_MAX 65536

typedef struct key_entry {
    char hash[65]; /* "" when free */
    int64_t key_id, org_id;
    char slug[64];
    unsigned scopes;
} key_entry;

static pthread_mutex_t g_keys_mu = PTHREAD_MUTEX_INITIALIZER;
static key_entry *g_keys;      /* g_keys_n direct-mapped slots */
static size_t g_keys_n = 4096; /* 0: no cache */
static int g_check_ms = 1000;  /* the epoch is read at most this often */
static uint64_t g_gen;         /* bumped by every drop */
static int64_t g_epoch = -1;   /* the epoch the cached keys were verified under */
static double g_epoch_checked = -1e18;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void gf_store_key_cache_configure(int entries, int check_ms)
{
    pthread_mutex_lock(&g_keys_mu);
    free(g_keys);
    g_keys = NULL;
    g_keys_n = entries < 0 ? 0 : entries > KEY_CACHE_MAX ? KEY_CACHE_MAX : (size_t)entries;
    g_check_ms = check_ms < 0 ? 0 : check_ms;
    g_gen++;
    pthread_mutex_unlock(&g_keys_mu);
}

/* Drops every key. Called with g_keys_mu held. */
static void flush_locked(void)
{
    if (g_keys)
        memset(g_keys, 0, g_keys_n * sizeof *g_keys);
    g_gen++;
}

void gf_store_key_cache_flush(void)
{
    pthread_mutex_lock(&g_keys_mu);
    flush_locked();
    pthread_mutex_unlock(&g_keys_mu);
}

/* Drops the key with this id (its revocation on this replica). */
static void drop_key(int64_t key_id)
{
    pthread_mutex_lock(&g_keys_mu);
    for (size_t k = 0; g_keys && k < g_keys_n; k++)
        if (g_keys[k].hash[0] && g_keys[k].key_id == key_id)
            memset(&g_keys[k], 0, sizeof g_keys[k]);
    g_gen++;
    pthread_mutex_unlock(&g_keys_mu);
}

static size_t slot_of(const char hash[65])
{
    uint64_t v = 0;
    for (int k = 0; k < 15; k++)
        v = v << 4 | (uint64_t)(hash[k] <= '9' ? hash[k] - '0' : hash[k] - 'a' + 10);
    return (size_t)(v % g_keys_n);
}

/* Reads the epoch when the last read is older than the check interval; a moved epoch drops
 * every key. Returns 0 when the cache may be used, -1 when the epoch could not be read (the
 * caller then asks the database, which answers or fails on its own). */
static int check_epoch(void)
{
    pthread_mutex_lock(&g_keys_mu);
    const double now = now_ms();
    const int due = now - g_epoch_checked >= g_check_ms;
    if (due)
        g_epoch_checked = now; /* one reader per interval; the others use the cache meanwhile */
    pthread_mutex_unlock(&g_keys_mu);
    if (!due)
        return 0;
    gf_err err = {0};
    int64_t epoch = 0;
    const int rc = gf_store_key_epoch(&epoch, &err);
    pthread_mutex_lock(&g_keys_mu);
    if (rc < 0 || epoch != g_epoch) {
        flush_locked();
        g_epoch = rc < 0 ? -1 : epoch;
        if (rc < 0)
            g_epoch_checked = -1e18; /* read again on the next request */
    }
    pthread_mutex_unlock(&g_keys_mu);
    return rc;
}

/* Copies the cached key of hash out; 1 when found. */
static int cache_find(const char hash[65], int64_t *org_id, char slug[64], int64_t *key_id,
                      unsigned *scopes, uint64_t *gen)
{
    int found = 0;
    pthread_mutex_lock(&g_keys_mu);
    *gen = g_gen;
    if (g_keys_n && g_keys) {
        const key_entry *e = &g_keys[slot_of(hash)];
        if (e->hash[0] && gf_const_time_eq(e->hash, hash, 64)) {
            *org_id = e->org_id;
            *key_id = e->key_id;
            *scopes = e->scopes;
            memcpy(slug, e->slug, 64);
            found = 1;
        }
    }
    pthread_mutex_unlock(&g_keys_mu);
    return found;
}

/* Caches a key verified by the database, unless a drop happened since gen was read. */
static void cache_put(const char hash[65], int64_t org_id, const char *slug, int64_t key_id,
                      unsigned scopes, uint64_t gen)
{
    pthread_mutex_lock(&g_keys_mu);
    if (g_keys_n && !g_keys)
        g_keys = calloc(g_keys_n, sizeof *g_keys);
    if (g_keys && g_gen == gen && g_epoch >= 0) {
        key_entry *e = &g_keys[slot_of(hash)];
        memcpy(e->hash, hash, 65);
        e->org_id = org_id;
        e->key_id = key_id;
        e->scopes = scopes;
        snprintf(e->slug, sizeof e->slug, "%s", slug);
    }
    pthread_mutex_unlock(&g_keys_mu);
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
    char hash[65];
    gf_sha256_hex(token, len, hash);
    uint64_t gen = 0;
    if (check_epoch() == 0 && cache_find(hash, org_id, slug, key_id, scopes, &gen))
        return 0;
    char prefix[2 * PREFIX_BYTES + 1];
    memcpy(prefix, token + 3, 2 * PREFIX_BYTES);
    prefix[2 * PREFIX_BYTES] = '\0';
    gf_db_args a = {0};
    gf_db_arg_text(&a, prefix);
    PGresult *res = gf_db_exec_args(&key_lookup, &a, err);
    if (!res)
        return -1;
    int rc = -1;
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
    cache_put(hash, *org_id, slug, *key_id, bits, gen);
    rc = 0;
cleanup:
    PQclear(res);
    return rc;
}

/* store.h — all SQL of gapforge, one function per question or change, each scoped to an org.
 *
 * Functions return JSON documents built by PostgreSQL (new references owned by the caller) or
 * 0/-1 with err filled. No SQL is ever built from user input: every value is a parameter. */
#ifndef GAPFORGE_STORE_H
#define GAPFORGE_STORE_H

#include <jansson.h>
#include <stdint.h>

#include "gapforge/err.h"

/* ---- orgs ---- */
typedef struct gf_org_fields {
    const char *slug, *name, *currency, *fiscal_year_start_month, *time_zone; /* NULL: default */
} gf_org_fields;

/* Creates an org; 409 when the slug is taken, 422 for an unknown time zone. */
json_t *gf_store_org_create(const gf_org_fields *f, int64_t *org_id, gf_err *err) GF_MUST_CHECK;
json_t *gf_store_org_get(int64_t org_id, gf_err *err) GF_MUST_CHECK;
/* Updates the non-NULL fields of f (slug is ignored). */
json_t *gf_store_org_patch(int64_t org_id, const gf_org_fields *f, gf_err *err) GF_MUST_CHECK;
/* Looks up an org id by slug; 404 when absent. */
int gf_store_org_id(const char *slug, int64_t *org_id, gf_err *err) GF_MUST_CHECK;

/* ---- api keys ---- */
/* Creates a key with scopes given as a comma-separated list of read/write/admin. Returns the key
 * JSON including "secret" (the only time it is ever shown). */
json_t *gf_store_key_create(int64_t org_id, const char *name, const char *scopes_csv,
                            gf_err *err) GF_MUST_CHECK;
/* A page of the org's keys (never secrets), ids greater than after. */
json_t *gf_store_key_list(int64_t org_id, int limit, int64_t after, gf_err *err) GF_MUST_CHECK;
/* Revokes a key of the org; 404 when it is not the org's. Returns the key JSON. */
json_t *gf_store_key_revoke(int64_t org_id, int64_t key_id, gf_err *err) GF_MUST_CHECK;

/* Scope bits of a key as stored (the API maps them to what each route requires). */
#define GF_KEY_READ 1u
#define GF_KEY_WRITE 2u
#define GF_KEY_ADMIN 4u

/* Verifies a presented token. On success fills org id, slug, key id and GF_KEY_* bits;
 * returns -1 with a 401 for an unknown, malformed or revoked key (503 if the database is down). */
int gf_store_key_verify(const char *token, int64_t *org_id, char slug[64], int64_t *key_id,
                        unsigned *scopes, gf_err *err) GF_MUST_CHECK;

#endif

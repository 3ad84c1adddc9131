/* store_versions.h — what the service's exact caches read: an org's data version (bumped by
 * migration 0014's triggers in the same transaction as any write a forecast can see) with its
 * calendar, the API keys' epoch, and the scope lists of GET /v1/projections. */
#ifndef GAPFORGE_STORE_VERSIONS_H
#define GAPFORGE_STORE_VERSIONS_H

#include <stddef.h>
#include <stdint.h>

#include "gapforge/err.h"
#include "gapforge/store_history.h"

/* An org's data version and the calendar facts a request is validated with. */
typedef struct gf_store_org_state {
    int64_t data_version;   /* bumped by every committed write that can change a forecast */
    int fysm;               /* fiscal year start month */
    int today;              /* today in the org's time zone (day number) */
    int64_t ms_to_midnight; /* milliseconds until that day ends in the org's time zone */
} gf_store_org_state;

/* Reads the org's state in one statement. Returns 0, or -1 with err (not found for an unknown
 * org, unavailable when the database is down). */
int gf_store_org_state_read(int64_t org_id, gf_store_org_state *out, gf_err *err) GF_MUST_CHECK;

/* The API keys' epoch, bumped whenever any key is revoked, changed or deleted. Returns 0, or -1
 * with err. */
int gf_store_key_epoch(int64_t *epoch, gf_err *err) GF_MUST_CHECK;

/* Sizes the in-process cache of verified API keys (src/store/keys.c): at most entries keys (0
 * turns it off), and the epoch read at most once per check_ms. Call before serving. */
void gf_store_key_cache_configure(int entries, int check_ms);

/* Drops every key the cache holds (tests, and a changed epoch). */
void gf_store_key_cache_flush(void);

/* Every scope of a kind of the org into out (free with gf_store_scopes_free): kind "team" gives
 * "team:KEY" of every team, "rep" "rep:KEY" of every rep, each ordered by key. Returns 0, or -1
 * with err. */
int gf_store_scope_all(int64_t org_id, const char *kind, gf_store_scopes *out, gf_err *err)
    GF_MUST_CHECK;

/* Fills mask[i] (h->h.n_deals entries) with 1 for the deals of h whose source (marketing, sales,
 * partner) is source, else 0. Returns 0, or -1 with err. */
int gf_store_history_mask_source(int64_t org_id, const gf_store_history *h, const char *source,
                                 uint8_t *mask, gf_err *err) GF_MUST_CHECK;

/* An estimate of the bytes h holds (its arrays), for the history cache's bound. */
size_t gf_store_history_bytes(const gf_store_history *h);

#endif

/* store_history.h — the adapter between PostgreSQL and the pure model: an org's deals, their
 * stage, amount and close-date histories and its fiscal calendar, as a gf_model_history.
 *
 * Only data dated strictly before as_of is loaded (deals created before as_of, events whose
 * time falls on a day before as_of in the org's time zone); soft-deleted deals are left out. The
 * rows are streamed with COPY and parsed in place, so the load costs little more than PostgreSQL
 * takes to produce them. */
#ifndef GAPFORGE_STORE_HISTORY_H
#define GAPFORGE_STORE_HISTORY_H

#include <stdint.h>

#include "gapforge/err.h"
#include "gapforge/model.h"

/* Deal categories, as in deals.category. */
enum gf_store_category {
    GF_CAT_PIPELINE = 0,
    GF_CAT_BEST_CASE = 1,
    GF_CAT_COMMIT = 2,
    GF_CAT_OMITTED = 3,
};

/* An org's history at as_of. Every array is owned; free with gf_store_history_free. */
typedef struct gf_store_history {
    gf_model_history h;    /* views into the arrays below */
    gf_model_calendar cal; /* fiscal quarters covering the history and up to cal_end */
    int fysm;              /* fiscal year start month */
    int today;             /* today in the org's time zone (day number) */
    int as_of;             /* the day the history was cut at */
    char time_zone[64];
    gf_model_deal *deals;             /* n = h.n_deals, ordered by deal id */
    int64_t *owner;                   /* rep id of each deal's current owner, 0 when none */
    uint8_t *category;                /* enum gf_store_category in force at as_of, per deal */
    gf_model_stage *stages;           /* ordered by position */
    char (*stage_keys)[72];           /* key of each stage */
    gf_model_transition *transitions; /* pooled timelines */
    gf_model_change *changes;         /* pooled amount and close-date changes */
    gf_model_period *quarters;
    uint64_t digest;      /* a hash of everything above that the model reads (a data version) */
    int64_t data_version; /* the org's data version in the load's snapshot (0 before 0014) */
    size_t bytes;         /* what the arrays above hold, for the history cache's bound */
} gf_store_history;

/* The org's fiscal year start month, today and time zone, without loading history. Returns 0 or
 * -1 with err (not found for an unknown org, unavailable when the database is down). */
int gf_store_history_org(int64_t org_id, int *fysm, int *today, char tz[64], gf_err *err)
    GF_MUST_CHECK;

/* Loads the org's history at as_of (a day number) in one read-only transaction: the stage table,
 * every deal created before as_of and its stage, amount, close-date and category events dated
 * before as_of. The calendar covers the history and every quarter up to cal_end. Returns a new
 * history, or NULL with err (unavailable when the database is down, invalid on field "stages" when
 * the org has no open stage). */
gf_store_history *gf_store_history_load(int64_t org_id, int as_of, int cal_end, gf_err *err)
    GF_MUST_CHECK;

/* Frees a history; NULL-safe. */
void gf_store_history_free(gf_store_history *h);

/* The rep ids a scope covers, sorted: "org" gives *all = 1 and no ids; "team:KEY" every rep of
 * the team and of its sub-teams; "rep:KEY" that rep. *ids is malloc'd (free it; may be NULL
 * when there are none). Returns 0, or -1 with an invalid error naming field for a malformed scope
 * or a team or rep that is not the org's. */
int gf_store_scope_reps(int64_t org_id, const char *scope, const char *field, int *all,
                        int64_t **ids, size_t *n, gf_err *err) GF_MUST_CHECK;

/* Fills mask[i] (h->h.n_deals entries) with 1 for the deals whose owner is one of ids (sorted,
 * n entries), else 0. */
void gf_store_history_mask(const gf_store_history *h, const int64_t *ids, size_t n, uint8_t *mask);

/* The children of a scope as C strings: n scope texts. */
typedef struct gf_store_scopes {
    size_t n;
    char (*scope)[80];
} gf_store_scopes;
/* The children of a scope for a roll-up into out (owned: free it with gf_store_scopes_free):
 * "org" has the root teams and the reps in no team; "team:KEY" its direct sub-teams and the reps
 * directly in it; "team:KEY" texts first, then "rep:KEY", each ordered by key. Returns 0, or -1
 * with err (invalid on field for a scope that is not org or a team of the org; out is then
 * empty). */
int gf_store_scope_children_list(int64_t org_id, const char *scope, const char *field,
                                 gf_store_scopes *out, gf_err *err) GF_MUST_CHECK;
/* Frees the texts of s and empties it; NULL-safe, and safe to repeat. */
void gf_store_scopes_free(gf_store_scopes *s);

#endif

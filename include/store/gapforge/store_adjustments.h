/* store_adjustments.h — manager adjustments: the manager's call for a scope and period, appended
 * to a trail that is never edited (migrations/0009_adjustments.sql).
 *
 * A new adjustment for a scope and period supersedes the previous one; each row keeps what it
 * replaced (the superseded adjustment's value, else the scope's latest commit for the period).
 * Every function is scoped to an org; JSON results are new references owned by the caller. */
#ifndef GAPFORGE_STORE_ADJUSTMENTS_H
#define GAPFORGE_STORE_ADJUSTMENTS_H

#include <jansson.h>
#include <stdint.h>

#include "gapforge/err.h"
#include "gapforge/period.h"

/* A new adjustment as validated text: scope ("org", "team:KEY", "rep:KEY"), value (money text,
 * whole cents, >= 0) and reason (1..2,000 characters) are required; author NULL means the name
 * of the API key key_id (the key that writes it, recorded either way). */
typedef struct gf_adjustment_fields {
    const char *scope, *value, *reason, *author;
    const gf_period *period;
    int64_t key_id;
} gf_adjustment_fields;

/* Appends an adjustment in its own transaction, serialised with any other write to the same
 * scope and period so the trail stays one chain: supersedes is the newest adjustment of the scope
 * and period before it (previous_value its value, previous_source "adjustment"), else
 * previous_value is the scope's latest commit for the period (previous_source "commit"), else
 * both are null. Returns the adjustment's JSON (gf_adjustment_json), or NULL with err: invalid on
 * field scope for a malformed scope or a team or rep that is not the org's, unavailable when the
 * database is down. Nothing is written on failure. */
json_t *gf_store_adjustment_create(int64_t org_id, const gf_adjustment_fields *f, gf_err *err)
    GF_MUST_CHECK;

/* A page of the org's adjustments, newest first ({items, next_cursor}; after is the id of the
 * previous page's last item, 0 for the first page). scope and period filter when non-NULL
 * (invalid on field scope for an unknown scope). NULL with err on failure. */
json_t *gf_store_adjustment_list(int64_t org_id, const char *scope, const gf_period *period,
                                 int limit, int64_t after, gf_err *err) GF_MUST_CHECK;

/* The manager's call for exactly scope and period as it stood at the end of day `through` (in
 * the org's time zone): the newest adjustment made by then as {id, value, author, reason, at},
 * JSON null when there is none; NULL with err on failure. */
json_t *gf_store_adjustment_latest(int64_t org_id, const char *scope, const gf_period *period,
                                   int through, gf_err *err) GF_MUST_CHECK;

#endif

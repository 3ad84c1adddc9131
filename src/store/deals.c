/* deals.c — deals and their append-only history: the one write path every change goes through
 * (API, demo loader, later the bulk importer), soft delete, reads and the filtered list.
 *
 * A write locks the current row, merges the input into it in C, and when anything differs
 * updates the row and appends one deal_events row per changed tracked field, all in the
 * caller's transaction. Comparing normalised text makes an identical write a true no-op. */
#include <string.h>

#include "db.h"
#include "gapforge/store.h"

/* Stored fields of a deal: every gf_deal_field before GF_DEAL_EFFECTIVE_AT. */
#define NSTORED GF_DEAL_EFFECTIVE_AT

/* The current row with its columns in gf_deal_field order, then id and the deleted flag. */
#define DEAL_ROW_SELECT                                                                    \
    "SELECT d.external_id, d.name, d.account, r.key, d.amount::text, s.key, d.category, "  \
    "d.source, to_char(d.created_on, 'YYYY-MM-DD'), to_char(d.close_date, 'YYYY-MM-DD'), " \
    "to_char(d.closed_on, 'YYYY-MM-DD'), d.id, d.deleted_at IS NOT NULL "                  \
    "FROM deals d JOIN stages s ON s.id = d.stage_id LEFT JOIN reps r ON r.id = d.owner_id "

static const gf_stmt deal_lock_id = {"deal_lock_id", DEAL_ROW_SELECT
                                     "WHERE d.org_id = $1 AND d.id = $2 FOR UPDATE OF d"};

static const gf_stmt deal_lock_ext = {"deal_lock_ext", DEAL_ROW_SELECT
                                      "WHERE d.org_id = $1 AND d.external_id = $2 FOR UPDATE OF d"};

/* Taken before resolving a stage: the stage list cannot be replaced (stage_lock in stages.c takes
 * it exclusively) until this transaction ends, so the stage id written stays valid (0006). */
static const gf_stmt deal_stage_lock = {
    "deal_stage_lock",
    "SELECT pg_advisory_xact_lock_shared(71001, ($1::bigint % 2147483647)::int)"};

/* Resolves the stage and owner keys and the effective time: a bare date means midnight in the
 * org's time zone, and the effective date is the date there. */
static const gf_stmt deal_context = {
    "deal_context",
    "SELECT (SELECT s.id FROM stages s WHERE s.org_id = o.id AND s.key = $2::text), "
    "(SELECT s.kind FROM stages s WHERE s.org_id = o.id AND s.key = $2::text), "
    "(SELECT r.id FROM reps r WHERE r.org_id = o.id AND r.key = $3::text), "
    "w.at, to_char(w.at AT TIME ZONE o.time_zone, 'YYYY-MM-DD') "
    "FROM orgs o CROSS JOIN LATERAL (SELECT CASE WHEN $4::text IS NULL THEN now() "
    "WHEN length($4::text) = 10 THEN $4::text::date::timestamp AT TIME ZONE o.time_zone "
    "ELSE $4::text::timestamptz END AS at) w WHERE o.id = $1"};

static const gf_stmt deal_insert = {
    "deal_insert",
    "INSERT INTO deals (org_id, external_id, name, account, owner_id, amount, stage_id, "
    "category, source, created_on, close_date, closed_on) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) "
    "ON CONFLICT (org_id, external_id) DO NOTHING RETURNING id"};

static const gf_stmt deal_update = {
    "deal_update",
    "UPDATE deals SET name = $3, account = $4, owner_id = $5, amount = $6, stage_id = $7, "
    "category = $8, source = $9, created_on = $10, close_date = $11, closed_on = $12, "
    "deleted_at = NULL, updated_at = now() WHERE org_id = $1 AND id = $2"};

static const gf_stmt deal_mark_deleted = {
    "deal_mark_deleted", "UPDATE deals SET deleted_at = $3::timestamptz, updated_at = now() "
                         "WHERE org_id = $1 AND id = $2"};

/* One event per tracked field whose text changed, in a fixed order. */
static const gf_stmt deal_events_insert = {
    "deal_events_insert",
    "INSERT INTO deal_events (org_id, deal_id, at, field, old_value, new_value) "
    "SELECT $1::bigint, $2::bigint, $3::timestamptz, v.field, v.old, v.new "
    "FROM (VALUES (1, 'stage', $4::text, $5::text), (2, 'amount', $6, $7), "
    "(3, 'close_date', $8, $9), (4, 'category', $10, $11), (5, 'owner', $12, $13), "
    "(6, 'deleted', $14, $15)) AS v(n, field, old, new) "
    "WHERE v.old IS DISTINCT FROM v.new ORDER BY v.n"};

static const gf_stmt deal_json_any = {
    "deal_json_any", "SELECT gf_deal_json(d) FROM deals d WHERE d.org_id = $1 AND d.id = $2"};

static const gf_stmt deal_json_live = {
    "deal_json_live", "SELECT gf_deal_json(d) FROM deals d "
                      "WHERE d.org_id = $1 AND d.id = $2 AND d.deleted_at IS NULL"};

static const gf_stmt deal_json_ext = {
    "deal_json_ext", "SELECT gf_deal_json(d) FROM deals d "
                     "WHERE d.org_id = $1 AND d.external_id = $2 AND d.deleted_at IS NULL"};

/* The stored events and, for a bulk-imported deal, the creation events its row carries (id
 * null: migration 0018), creation first at equal times. */
static const gf_stmt deal_history = {
    "deal_history",
    "SELECT jsonb_build_object('items', coalesce((SELECT jsonb_agg(jsonb_build_object("
    "'id', e.id, 'at', e.at, 'field', e.field, 'old', e.old_value, 'new', e.new_value) "
    "ORDER BY e.at, e.id NULLS FIRST, e.ord) FROM deal_history_events e "
    "WHERE e.org_id = $1 AND e.deal_id = $2), '[]'::jsonb)) "
    "FROM deals d WHERE d.org_id = $1 AND d.id = $2"};

/* The team filter walks teams.parent_id down from the named team (UNION stops on cycles). */
static const gf_stmt deal_page = {
    "deal_page", "WITH RECURSIVE sub AS ("
                 "  SELECT t.id FROM teams t WHERE t.org_id = $1 AND t.key = $6::text"
                 "  UNION SELECT c.id FROM teams c JOIN sub ON c.parent_id = sub.id) "
                 "SELECT gf_deal_json(d), d.id FROM deals d JOIN stages s ON s.id = d.stage_id "
                 "LEFT JOIN reps r ON r.id = d.owner_id "
                 "WHERE d.org_id = $1 AND d.deleted_at IS NULL AND d.id > $2 "
                 "AND ($3::text IS NULL OR s.kind = $3::text) "
                 "AND ($4::text IS NULL OR s.key = $4::text) "
                 "AND ($5::text IS NULL OR r.key = $5::text) "
                 "AND ($6::text IS NULL OR r.team_id IN (SELECT id FROM sub)) "
                 "AND ($7::date IS NULL OR d.close_date >= $7::date) "
                 "AND ($8::date IS NULL OR d.close_date <= $8::date) "
                 "AND ($9::timestamptz IS NULL OR d.updated_at >= $9::timestamptz) "
                 "ORDER BY d.id LIMIT $10"};

static const gf_stmt deal_count = {"deal_count", "SELECT count(*) FROM deals WHERE org_id = $1"};

static const char *const field_names[GF_DEAL_NFIELDS] = {
    "external_id", "name",   "account",    "owner",      "amount",    "stage",
    "category",    "source", "created_on", "close_date", "closed_on", "effective_at"};

/* Fields a stored deal always has. */
static const gf_deal_field required[] = {GF_DEAL_EXTERNAL_ID, GF_DEAL_NAME,     GF_DEAL_AMOUNT,
                                         GF_DEAL_STAGE,       GF_DEAL_CATEGORY, GF_DEAL_SOURCE};

static bool same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Locks the deal row by id (mode PATCH) or external id; *row is NULL when there is none. */
static int lock_row(int64_t org_id, int64_t deal_id, gf_deal_mode mode, const char *external_id,
                    PGresult **row, gf_err *err)
{
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    if (mode == GF_DEAL_PATCH)
        gf_db_arg_i64(&a, deal_id);
    else
        gf_db_arg_text(&a, external_id);
    PGresult *res =
        gf_db_exec_args(mode == GF_DEAL_PATCH ? &deal_lock_id : &deal_lock_ext, &a, err);
    if (!res)
        return -1;
    if (PQntuples(res) == 0) {
        PQclear(res);
        res = NULL;
    }
    *row = res;
    return 0;
}

/* Appends the changed-field events of one write. old/new are in gf_deal_field order. */
static int write_events(int64_t org_id, int64_t id, const char *at, const char *const *old,
                        const char *const *new, const char *del_old, const char *del_new,
                        gf_err *err)
{
    static const gf_deal_field tracked[] = {GF_DEAL_STAGE, GF_DEAL_AMOUNT, GF_DEAL_CLOSE_DATE,
                                            GF_DEAL_CATEGORY, GF_DEAL_OWNER};
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_i64(&a, id);
    gf_db_arg_text(&a, at);
    for (size_t k = 0; k < sizeof tracked / sizeof tracked[0]; k++) {
        gf_db_arg_text(&a, old[tracked[k]]);
        gf_db_arg_text(&a, new[tracked[k]]);
    }
    gf_db_arg_text(&a, del_old);
    gf_db_arg_text(&a, del_new);
    return gf_db_run(&deal_events_insert, &a, err);
}

/* Fills new[] from the input over old[] (all NULL for a new deal) and applies the defaults of
 * creation that need no database. Returns 0 or -1 (an invalid error). */
static int merge(const gf_deal_input *in, const char *const *old, bool exists, const char **new,
                 gf_err *err)
{
    for (int i = 0; i < NSTORED; i++)
        new[i] = in->given[i] ? in->value[i] : old[i];
    if (!exists) {
        if (!new[GF_DEAL_CATEGORY])
            new[GF_DEAL_CATEGORY] = "pipeline";
        if (!new[GF_DEAL_SOURCE])
            new[GF_DEAL_SOURCE] = "other";
    }
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        if (!new[required[i]])
            return gf_err_invalid(err, field_names[required[i]], "%s is required",
                                  field_names[required[i]]);
    if (exists && in->given[GF_DEAL_CREATED_ON] && !new[GF_DEAL_CREATED_ON])
        return gf_err_invalid(err, "created_on", "created_on must not be null");
    if (exists && !same(new[GF_DEAL_EXTERNAL_ID], old[GF_DEAL_EXTERNAL_ID]))
        return gf_err_invalid(err, "external_id", "a deal's external_id cannot change");
    return 0;
}

/* Keeps closed_on in step with the stage kind: open deals have none; entering a won or lost
 * stage sets it to the given date or the effective date. Returns 0 or -1 (an invalid error). */
static int settle_closed_on(const gf_deal_input *in, const char *const *old, const char *kind,
                            const char *effective_date, const char **new, gf_err *err)
{
    bool given = in->given[GF_DEAL_CLOSED_ON] && in->value[GF_DEAL_CLOSED_ON];
    if (strcmp(kind, "open") == 0) {
        if (given)
            return gf_err_invalid(err, "closed_on", "closed_on applies only to won or lost deals");
        new[GF_DEAL_CLOSED_ON] = NULL;
        return 0;
    }
    bool entered = !same(old[GF_DEAL_STAGE], new[GF_DEAL_STAGE]);
    if (!given && (entered || !new[GF_DEAL_CLOSED_ON]))
        new[GF_DEAL_CLOSED_ON] = effective_date;
    return 0;
}

int gf_store_deal_write_tx(int64_t org_id, int64_t deal_id, gf_deal_mode mode,
                           const gf_deal_input *in, int64_t *id, gf_deal_outcome *outcome,
                           gf_err *err)
{
    PGresult *row = NULL, *ctx = NULL, *res = NULL;
    int rc = -1;
    for (int attempt = 0; attempt < 2; attempt++) {
        const char *old[NSTORED] = {0}, *new[NSTORED] = {0};
        if (mode != GF_DEAL_PATCH && !in->value[GF_DEAL_EXTERNAL_ID]) {
            gf_err_invalid(err, "external_id", "external_id is required");
            goto cleanup;
        }
        if (mode != GF_DEAL_CREATE &&
            lock_row(org_id, deal_id, mode, in->value[GF_DEAL_EXTERNAL_ID], &row, err) < 0)
            goto cleanup;
        bool exists = row != NULL;
        bool deleted = exists && strcmp(PQgetvalue(row, 0, NSTORED + 1), "t") == 0;
        if (mode == GF_DEAL_PATCH && (!exists || deleted)) {
            gf_err_not_found(err, "deal");
            goto cleanup;
        }
        for (int i = 0; exists && i < NSTORED; i++)
            old[i] = gf_db_text(row, 0, i);
        if (merge(in, old, exists, new, err) < 0)
            goto cleanup;

        const char *eff = in->given[GF_DEAL_EFFECTIVE_AT] ? in->value[GF_DEAL_EFFECTIVE_AT] : NULL;
        gf_db_args ca = {0};
        gf_db_arg_i64(&ca, org_id);
        if (gf_db_run(&deal_stage_lock, &ca, err) < 0)
            goto cleanup;
        gf_db_arg_text(&ca, new[GF_DEAL_STAGE]);
        gf_db_arg_text(&ca, new[GF_DEAL_OWNER]);
        gf_db_arg_text(&ca, eff);
        ctx = gf_db_exec_args(&deal_context, &ca, err);
        if (!ctx)
            goto cleanup;
        if (PQntuples(ctx) == 0) {
            gf_err_not_found(err, "org");
            goto cleanup;
        }
        const char *stage_id = gf_db_text(ctx, 0, 0), *kind = gf_db_text(ctx, 0, 1);
        const char *owner_id = gf_db_text(ctx, 0, 2), *at = gf_db_text(ctx, 0, 3);
        const char *effective_date = gf_db_text(ctx, 0, 4);
        if (!stage_id) {
            gf_err_invalid(err, "stage", "stage %s is not one of the org's stages",
                           new[GF_DEAL_STAGE]);
            goto cleanup;
        }
        if (new[GF_DEAL_OWNER] && !owner_id) {
            gf_err_invalid(err, "owner", "owner %s is not one of the org's reps",
                           new[GF_DEAL_OWNER]);
            goto cleanup;
        }
        if (!new[GF_DEAL_CREATED_ON])
            new[GF_DEAL_CREATED_ON] = effective_date;
        if (settle_closed_on(in, old, kind, effective_date, new, err) < 0)
            goto cleanup;

        bool changed = !exists || deleted;
        for (int i = 0; i < NSTORED && !changed; i++)
            changed = !same(old[i], new[i]);
        if (!changed) {
            *id = gf_db_int64(row, 0, NSTORED);
            *outcome = GF_DEAL_UNCHANGED;
            rc = 0;
            goto cleanup;
        }

        /* $2 is the deal's id for an update, its external id for an insert. */
        gf_db_args wa = {0};
        gf_db_arg_i64(&wa, org_id);
        if (exists)
            gf_db_arg_i64(&wa, gf_db_int64(row, 0, NSTORED));
        else
            gf_db_arg_text(&wa, new[GF_DEAL_EXTERNAL_ID]);
        gf_db_arg_text(&wa, new[GF_DEAL_NAME]);
        gf_db_arg_text(&wa, new[GF_DEAL_ACCOUNT]);
        gf_db_arg_text(&wa, owner_id);
        gf_db_arg_text(&wa, new[GF_DEAL_AMOUNT]);
        gf_db_arg_text(&wa, stage_id);
        gf_db_arg_text(&wa, new[GF_DEAL_CATEGORY]);
        gf_db_arg_text(&wa, new[GF_DEAL_SOURCE]);
        gf_db_arg_text(&wa, new[GF_DEAL_CREATED_ON]);
        gf_db_arg_text(&wa, new[GF_DEAL_CLOSE_DATE]);
        gf_db_arg_text(&wa, new[GF_DEAL_CLOSED_ON]);
        res = gf_db_exec_args(exists ? &deal_update : &deal_insert, &wa, err);
        if (!res)
            goto cleanup;
        if (!exists && PQntuples(res) == 0) {
            /* The external id is taken: a conflict for POST; for PUT another writer created
             * the deal since we looked (ON CONFLICT waited for it), so update it instead. */
            if (mode == GF_DEAL_CREATE || attempt == 1) {
                gf_err_set(err, GF_ECONFLICT, NULL, "external_id",
                           "a deal with external_id %s already exists", new[GF_DEAL_EXTERNAL_ID]);
                goto cleanup;
            }
            PQclear(row);
            PQclear(ctx);
            PQclear(res);
            row = ctx = res = NULL;
            continue;
        }
        int64_t deal = exists ? gf_db_int64(row, 0, NSTORED) : gf_db_int64(res, 0, 0);
        if (write_events(org_id, deal, at, old, new, deleted ? "true" : NULL,
                         deleted ? "false" : NULL, err) < 0)
            goto cleanup;
        *id = deal;
        *outcome = exists ? GF_DEAL_UPDATED : GF_DEAL_CREATED;
        rc = 0;
        goto cleanup;
    }
cleanup:
    PQclear(row);
    PQclear(ctx);
    PQclear(res);
    return rc;
}

/* Ends the transaction of a write: reads the deal's JSON (soft-deleted or not), then commits.
 * Returns the JSON, or NULL with err after rolling back. */
static json_t *commit_with_deal(int64_t org_id, int64_t id, gf_err *err)
{
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_i64(&a, id);
    json_t *deal = gf_db_one_json(&deal_json_any, &a, 0, "deal", NULL, err);
    if (!deal) {
        gf_db_rollback();
        return NULL;
    }
    if (gf_db_commit(err) < 0) {
        json_decref(deal);
        return NULL;
    }
    return deal;
}

json_t *gf_store_deal_write(int64_t org_id, int64_t deal_id, gf_deal_mode mode,
                            const gf_deal_input *in, gf_deal_outcome *outcome, gf_err *err)
{
    int64_t id = 0;
    if (gf_db_begin(err) < 0)
        return NULL;
    if (gf_store_deal_write_tx(org_id, deal_id, mode, in, &id, outcome, err) < 0) {
        gf_db_rollback();
        return NULL;
    }
    return commit_with_deal(org_id, id, err);
}

json_t *gf_store_deal_delete(int64_t org_id, int64_t deal_id, const char *effective_at, gf_err *err)
{
    PGresult *row = NULL, *ctx = NULL;
    if (gf_db_begin(err) < 0)
        return NULL;
    if (lock_row(org_id, deal_id, GF_DEAL_PATCH, NULL, &row, err) < 0)
        goto fail;
    if (!row || strcmp(PQgetvalue(row, 0, NSTORED + 1), "t") == 0) {
        gf_err_not_found(err, "deal");
        goto fail;
    }
    gf_db_args ca = {0};
    gf_db_arg_i64(&ca, org_id);
    gf_db_arg_null(&ca);
    gf_db_arg_null(&ca);
    gf_db_arg_text(&ca, effective_at);
    ctx = gf_db_exec_args(&deal_context, &ca, err);
    if (!ctx)
        goto fail;
    const char *at = gf_db_text(ctx, 0, 3);
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_i64(&a, deal_id);
    gf_db_arg_text(&a, at);
    if (gf_db_run(&deal_mark_deleted, &a, err) < 0)
        goto fail;
    const char *none[NSTORED] = {0};
    if (write_events(org_id, deal_id, at, none, none, "false", "true", err) < 0)
        goto fail;
    PQclear(row);
    PQclear(ctx);
    return commit_with_deal(org_id, deal_id, err);
fail:
    gf_db_rollback();
    PQclear(row);
    PQclear(ctx);
    return NULL;
}

json_t *gf_store_deal_get(int64_t org_id, int64_t deal_id, gf_err *err)
{
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_i64(&a, deal_id);
    return gf_db_one_json(&deal_json_live, &a, 0, "deal", NULL, err);
}

json_t *gf_store_deal_get_external(int64_t org_id, const char *external_id, gf_err *err)
{
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_text(&a, external_id);
    return gf_db_one_json(&deal_json_ext, &a, 0, "deal", NULL, err);
}

json_t *gf_store_deal_history(int64_t org_id, int64_t deal_id, gf_err *err)
{
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_i64(&a, deal_id);
    return gf_db_one_json(&deal_history, &a, 0, "deal", NULL, err);
}

json_t *gf_store_deal_list(int64_t org_id, const gf_deal_filter *f, int limit, int64_t after,
                           gf_err *err)
{
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_i64(&a, after);
    gf_db_arg_text(&a, f->status);
    gf_db_arg_text(&a, f->stage);
    gf_db_arg_text(&a, f->owner);
    gf_db_arg_text(&a, f->team);
    gf_db_arg_text(&a, f->close_from);
    gf_db_arg_text(&a, f->close_to);
    gf_db_arg_text(&a, f->updated_since);
    return gf_db_list(&deal_page, &a, 0, 1, limit, err);
}

int gf_store_deal_count(int64_t org_id, int64_t *count, gf_err *err)
{
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    PGresult *res = gf_db_exec_args(&deal_count, &a, err);
    if (!res)
        return -1;
    *count = gf_db_int64(res, 0, 0);
    PQclear(res);
    return 0;
}

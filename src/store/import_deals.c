/* import_deals.c — the deals import kind: resolve what the stager (import_deals_stage.c) left,
 * validate the typed rows of import_rows and merge them into deals, writing deal_events for
 * every tracked change, with set-based SQL.
 *
 * Rules: a row is keyed by external_id; columns absent from the file keep the
 * deal's values, present but empty cells clear optional fields; name, amount
 * and stage are required for new deals; a deal entering a won/lost stage gets
 * closed_on = the file's closed_on, else its close_date, else the import's
 * effective date. A new deal's creation is stored in its row (born_*), not as
 * events: deal_history_events derives the events the API would have written,
 * dated by the row's created_on (and a closed row's closed_on) when they are
 * earlier than the effective date (see insert_sql). */
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "import_deals.h"

static const char *const columns[] = {"external_id", "name",       "account",   "owner",
                                      "amount",      "stage",      "category",  "source",
                                      "created_on",  "close_date", "closed_on", NULL};
static const char *const required[] = {"external_id", NULL};

/* The owners and stages the stager left unresolved (a cell that is not exactly a key), each
 * distinct value looked up once: by key, then by name (stages) or gf_key_of, a key first. Then
 * the rows take what was found, and a row still holding X_raw has an unknown rep or stage. $1
 * org. */
static const char *const owner_lookup_sql[] = {
    "CREATE TEMP TABLE import_owner ON COMMIT DROP AS "
    "SELECT raw, r.id, r.key FROM (SELECT DISTINCT owner_raw AS raw FROM import_rows "
    " WHERE owner_raw IS NOT NULL) d LEFT JOIN LATERAL (SELECT id, key FROM reps "
    " WHERE org_id = $1 AND (key = raw OR key = gf_key_of(raw)) "
    " ORDER BY key = raw DESC LIMIT 1) r ON true",
    NULL};
static const char owner_resolve_sql[] =
    "UPDATE import_rows r SET owner_raw = NULL, owner_id = o.id, owner_key = o.key "
    "FROM import_owner o WHERE r.owner_raw = o.raw AND o.id IS NOT NULL";
static const char *const stage_lookup_sql[] = {
    "CREATE TEMP TABLE import_stage ON COMMIT DROP AS "
    "SELECT raw, st.id, st.kind, st.key FROM (SELECT DISTINCT stage_raw AS raw FROM import_rows "
    " WHERE stage_raw IS NOT NULL) d LEFT JOIN LATERAL (SELECT id, kind, key FROM stages "
    " WHERE org_id = $1 AND (key = raw OR lower(name) = lower(raw) OR key = gf_key_of(raw)) "
    " ORDER BY key = raw DESC LIMIT 1) st ON true",
    NULL};
static const char stage_resolve_sql[] =
    "UPDATE import_rows r SET stage_raw = NULL, stage_id = s.id, stage_kind = s.kind, "
    " stage_key = s.key FROM import_stage s WHERE r.stage_raw = s.raw AND s.id IS NOT NULL";

/* Categories and sources the stager could not decide in C (not ASCII), by SQL's functions. */
static const char category_resolve_sql[] =
    "UPDATE import_rows r SET category_raw = NULL, category = c.c FROM (SELECT raw, "
    " gf_norm_category(raw) AS c FROM (SELECT DISTINCT category_raw FROM import_rows "
    " WHERE category_raw IS NOT NULL) v(raw)) c WHERE r.category_raw = c.raw AND c.c IS NOT NULL";
static const char source_resolve_sql[] =
    "UPDATE import_rows SET source_raw = NULL, source = gf_norm_source(source_raw) "
    "WHERE source_raw IS NOT NULL";

/* create_missing: creates the reps and stages the lookups did not find, then
 * resolves them. */
static const char *const create_missing_reps_sql[] = {
    "INSERT INTO reps (org_id, key, name) "
    "SELECT DISTINCT ON (gf_key_of(raw)) $1::bigint, gf_key_of(raw), "
    "btrim(raw) "
    "FROM import_owner WHERE id IS NULL AND gf_key_of(raw) <> '' ORDER BY "
    "gf_key_of(raw), raw "
    "ON CONFLICT (org_id, key) DO NOTHING",
    "UPDATE import_owner o SET id = r.id, key = r.key FROM reps r "
    "WHERE o.id IS NULL AND r.org_id = $1 AND r.key = gf_key_of(o.raw)",
    NULL};
static const char *const create_missing_stages_sql[] = {
    "INSERT INTO stages (org_id, key, name, position, kind, probability) "
    "SELECT $1::bigint, k, raw, (SELECT coalesce(max(position), -1) FROM "
    "stages WHERE org_id = $1) "
    "  + row_number() OVER (ORDER BY k), kind, "
    "  CASE kind WHEN 'won' THEN 1 WHEN 'lost' THEN 0 ELSE 0.1 END "
    "FROM (SELECT DISTINCT ON (gf_key_of(raw)) gf_key_of(raw) AS k, btrim(raw) "
    "AS raw, "
    "  CASE WHEN raw ~* 'won' THEN 'won' WHEN raw ~* 'lost' THEN 'lost' ELSE "
    "'open' END AS kind "
    "  FROM import_stage WHERE id IS NULL AND gf_key_of(raw) <> '' ORDER BY "
    "gf_key_of(raw), raw) m "
    "ON CONFLICT (org_id, key) DO NOTHING",
    "UPDATE import_stage s SET id = st.id, kind = st.kind, key = st.key FROM stages st "
    "WHERE s.id IS NULL AND st.org_id = $1 AND st.key = gf_key_of(s.raw)",
    NULL};

/* Every problem of a row on its own: (line, column, reason). */
static const char problems_sql[] =
    "CREATE TEMP TABLE import_problems ON COMMIT DROP AS "
    "SELECT r.line, v.col, v.reason FROM (SELECT * FROM import_rows WHERE "
    "external_id IS NULL "
    " OR length(external_id) > 128 OR name IS NULL OR amount IS NULL OR "
    "stage_id IS NULL "
    " OR (owner_raw IS NOT NULL AND owner_id IS NULL) "
    " OR (category_raw IS NOT NULL AND category IS NULL) "
    " OR (created_on_raw IS NOT NULL AND created_on IS NULL) "
    " OR (close_date_raw IS NOT NULL AND close_date IS NULL) "
    " OR (closed_on_raw IS NOT NULL AND closed_on IS NULL)) r "
    "LEFT JOIN deals d ON d.org_id = $1 AND d.external_id = r.external_id, "
    "LATERAL (VALUES "
    " ('external_id', CASE WHEN r.external_id IS NULL THEN 'is required' "
    "   WHEN length(r.external_id) > 128 THEN 'is longer than 128 characters' "
    "END), "
    " ('name', CASE WHEN r.name IS NULL AND (d.id IS NULL OR (r.present & 2) "
    "<> 0) THEN 'is required' END), "
    " ('amount', CASE WHEN r.amount_raw IS NOT NULL "
    "   THEN 'must be a number >= 0 with at most two decimals' "
    "   WHEN r.amount IS NULL AND (d.id IS NULL OR (r.present & 16) <> 0) "
    "   THEN 'is required' END), "
    " ('stage', CASE WHEN r.stage_raw IS NULL AND r.stage_id IS NULL AND (d.id IS NULL OR "
    "(r.present "
    "& 32) <> 0) THEN 'is required' "
    "   WHEN r.stage_raw IS NOT NULL AND r.stage_id IS NULL THEN 'unknown "
    "stage ' || r.stage_raw END), "
    " ('owner', CASE WHEN r.owner_raw IS NOT NULL AND r.owner_id IS NULL "
    "   THEN 'unknown rep ' || r.owner_raw END), "
    " ('category', CASE WHEN r.category_raw IS NOT NULL AND r.category IS NULL "
    "   THEN 'must be one of pipeline, best_case, commit, omitted' END), "
    " ('created_on', CASE WHEN r.created_on_raw IS NOT NULL AND r.created_on "
    "IS NULL "
    "   THEN 'must be a date YYYY-MM-DD' END), "
    " ('close_date', CASE WHEN r.close_date_raw IS NOT NULL AND r.close_date "
    "IS NULL "
    "   THEN 'must be a date YYYY-MM-DD' END), "
    " ('closed_on', CASE WHEN r.closed_on_raw IS NOT NULL AND r.closed_on IS "
    "NULL "
    "   THEN 'must be a date YYYY-MM-DD' END)"
    ") v(col, reason) WHERE v.reason IS NOT NULL";

/* Every row whose external_id an earlier row has, when some may (gf_import_keys_may_repeat: the
 * rows' hashes are searched as they arrive, so a file without repeats skips this aggregate over
 * every row). */
static const char repeats_sql[] =
    "INSERT INTO import_problems "
    "SELECT r.line, 'external_id', 'repeats line ' || dup.first FROM ("
    " SELECT external_id, min(line) AS first FROM import_rows WHERE "
    "external_id IS NOT NULL "
    " GROUP BY external_id HAVING count(*) > 1) dup "
    "JOIN import_rows r ON r.external_id = dup.external_id AND r.line <> "
    "dup.first";

/* New deals, with their creation in the row (born_*, migration 0018) instead of creation events
 * (old NULL, new value) for every tracked field that has a value: deal_history_events gives
 * readers the same events the import used to store. With backdating (the default) a deal
 * created before the effective date is created at local midnight of its created_on, so a
 * backtest at a past date sees it; a deal imported in a won or lost stage with created_on <
 * closed_on is created in the funnel's first open stage and moves to its final stage at
 * closed_on (or at the effective time when that comes first), so the model sees it open in
 * between. The close date is not backdated: a file gives only its latest value, and a closed
 * deal's is its close, so dated at creation it would tell a backtest the outcome in advance; it
 * is known from the close (closed rows) or the effective time. Otherwise (backdate=false, or
 * created on the effective date) every creation event is at the effective time. $2 effective
 * timestamp, $3 its date, $4 backdate, $5 the org's time zone. Ids follow import_rows' order,
 * which is the file's as the fresh table is scanned (no sort of a million rows). The rows of
 * existing deals are gone from import_rows by then (drop_existing_sql): the insert streams, so a
 * test against deals in the same statement would probe the table it is filling, and with the
 * planner believing deals empty (a fresh, vacuumed install) that was a rescan of it per row. */
static const char insert_sql[] =
    "WITH fo AS (SELECT (SELECT f.key FROM stages f WHERE f.org_id = $1 AND f.kind = 'open' "
    " ORDER BY f.position LIMIT 1) AS first_open), "
    "n AS (SELECT r.*, coalesce(r.created_on, $3::date) AS born_on, "
    " CASE WHEN r.stage_kind IN ('won', 'lost') "
    "  THEN coalesce(r.closed_on, r.close_date, $3::date) END AS closed "
    " FROM import_rows r), "
    "w AS (SELECT n.*, CASE WHEN $4::bool AND n.closed IS NOT NULL AND n.born_on < $3::date "
    " AND n.closed > n.born_on THEN fo.first_open END AS open_stage FROM n CROSS JOIN fo), "
    "ins AS (INSERT INTO deals (org_id, external_id, name, account, owner_id, amount, "
    " stage_id, category, source, created_on, close_date, closed_on, born_at, born_close_at, "
    " born_open_stage, born_stage, born_amount, born_close_date, born_category, born_owner) "
    "SELECT $1, w.external_id, w.name, w.account, w.owner_id, w.amount, w.stage_id, "
    " coalesce(w.category, 'pipeline'), coalesce(w.source, 'other'), w.born_on, "
    " w.close_date, w.closed, "
    " CASE WHEN $4::bool AND w.born_on < $3::date "
    "  THEN w.born_on::timestamp AT TIME ZONE $5::text ELSE $2::timestamptz END, "
    " CASE WHEN w.open_stage IS NOT NULL AND w.closed < $3::date "
    "  THEN w.closed::timestamp AT TIME ZONE $5::text ELSE $2::timestamptz END, "
    " w.open_stage, w.stage_key, w.amount, w.close_date, coalesce(w.category, 'pipeline'), "
    " w.owner_key FROM w RETURNING 1) "
    "SELECT count(*) FROM ins";

/* Changed deals: the new state per row (absent columns keep old values), the
 * update, and one event per changed tracked field, all at the effective time.
 * $2 effective, $3 its date. */
static const char update_sql[] =
    "WITH cur AS ("
    " SELECT d.id, d.deleted_at, d.name AS o_name, d.account AS o_account, "
    "d.owner_id AS o_owner, "
    "  d.amount AS o_amount, d.stage_id AS o_stage, d.category AS o_category, "
    "d.source AS o_source, "
    "  d.created_on AS o_created_on, d.close_date AS o_close_date, d.closed_on "
    "AS o_closed_on, "
    "  CASE WHEN r.present & 2 <> 0 THEN r.name ELSE d.name END AS name, "
    "  CASE WHEN r.present & 4 <> 0 THEN r.account ELSE d.account END AS "
    "account, "
    "  CASE WHEN r.present & 8 <> 0 THEN r.owner_id ELSE d.owner_id END AS "
    "owner_id, "
    "  CASE WHEN r.present & 16 <> 0 THEN r.amount ELSE d.amount END AS "
    "amount, "
    "  CASE WHEN r.present & 32 <> 0 THEN r.stage_id ELSE d.stage_id END AS "
    "stage_id, "
    "  CASE WHEN r.present & 64 <> 0 THEN coalesce(r.category, 'pipeline') "
    "ELSE d.category END AS category, "
    "  CASE WHEN r.present & 128 <> 0 THEN coalesce(r.source, 'other') ELSE "
    "d.source END AS source, "
    "  CASE WHEN r.present & 256 <> 0 THEN coalesce(r.created_on, "
    "d.created_on) ELSE d.created_on END AS created_on, "
    "  CASE WHEN r.present & 512 <> 0 THEN r.close_date ELSE d.close_date END "
    "AS close_date, "
    "  r.closed_on AS given_closed_on, (r.present & 1024 <> 0) AS "
    "has_closed_on "
    " FROM import_rows r JOIN deals d ON d.org_id = $1 AND d.external_id = "
    "r.external_id "
    " FOR UPDATE OF d), "
    "nxt AS ("
    " SELECT c.*, sk.kind AS kind, ok.kind AS o_kind, "
    "  CASE WHEN sk.kind = 'open' THEN NULL "
    "   WHEN c.has_closed_on AND c.given_closed_on IS NOT NULL THEN "
    "c.given_closed_on "
    "   WHEN ok.kind <> 'open' AND c.o_closed_on IS NOT NULL THEN "
    "c.o_closed_on "
    "   ELSE coalesce(c.close_date, $3::date) END AS closed_on "
    " FROM cur c JOIN stages sk ON sk.id = c.stage_id JOIN stages ok ON ok.id "
    "= c.o_stage), "
    "chg AS ("
    " SELECT * FROM nxt WHERE deleted_at IS NOT NULL OR "
    "  (name, account, owner_id, amount, stage_id, category, source, "
    "created_on, close_date, closed_on) "
    "  IS DISTINCT FROM (o_name, o_account, o_owner, o_amount, o_stage, "
    "o_category, o_source, "
    "  o_created_on, o_close_date, o_closed_on)), "
    "upd AS ("
    " UPDATE deals d SET name = chg.name, account = chg.account, owner_id = "
    "chg.owner_id, "
    "  amount = chg.amount, stage_id = chg.stage_id, category = chg.category, "
    "source = chg.source, "
    "  created_on = chg.created_on, close_date = chg.close_date, closed_on = "
    "chg.closed_on, "
    "  deleted_at = NULL, updated_at = now() "
    " FROM chg WHERE d.id = chg.id RETURNING d.id), "
    "ev AS ("
    " INSERT INTO deal_events (org_id, deal_id, at, field, old_value, "
    "new_value) "
    " SELECT $1, chg.id, $2::timestamptz, v.field, v.o, v.n FROM chg, LATERAL "
    "(VALUES "
    "  ('stage', (SELECT key FROM stages WHERE id = chg.o_stage), (SELECT key "
    "FROM stages WHERE id = chg.stage_id)), "
    "  ('amount', chg.o_amount::text, chg.amount::text), "
    "  ('close_date', chg.o_close_date::text, chg.close_date::text), "
    "  ('category', chg.o_category, chg.category), "
    "  ('owner', (SELECT key FROM reps WHERE id = chg.o_owner), (SELECT key "
    "FROM reps WHERE id = chg.owner_id)), "
    "  ('deleted', CASE WHEN chg.deleted_at IS NOT NULL THEN 'true' END, "
    "              CASE WHEN chg.deleted_at IS NOT NULL THEN 'false' END)"
    " ) v(field, o, n) WHERE v.o IS DISTINCT FROM v.n RETURNING 1) "
    "SELECT (SELECT count(*) FROM upd), (SELECT count(*) FROM cur), (SELECT "
    "count(*) FROM ev)";

/* After the update: what is left of import_rows are the new deals. */
static const char drop_existing_sql[] =
    "DELETE FROM import_rows r USING deals d WHERE d.org_id = $1 AND d.external_id = r.external_id";

/* The effective time and its date in the org's time zone, as the deal API
 * computes them: a bare date is midnight there. $2 effective_at or NULL (now).
 */
static const char effective_sql[] =
    "SELECT w.at, to_char(w.at AT TIME ZONE o.time_zone, 'YYYY-MM-DD'), o.time_zone "
    "FROM orgs o CROSS JOIN LATERAL (SELECT CASE WHEN $2::text IS NULL THEN "
    "now() "
    "WHEN length($2::text) = 10 THEN $2::text::date::timestamp AT TIME ZONE "
    "o.time_zone "
    "ELSE $2::text::timestamptz END AS at) w WHERE o.id = $1";

static long count_of(PGresult *res, int col)
{
    return atol(PQgetvalue(res, 0, col));
}

/* Runs each statement of list (NULL-terminated) with the org as $1 when
 * with_org. */
static int run_all(gf_import *imp, const char *const *list, bool with_org, gf_err *err)
{
    for (; *list; list++) {
        PGresult *res =
            with_org ? gf_import_exec(imp, *list, 0, NULL, err) : gf_import_run(imp, *list, err);
        if (!res)
            return -1;
        PQclear(res);
    }
    return 0;
}

/* Runs one parameterless statement. */
static int run_one(gf_import *imp, const char *sql, gf_err *err)
{
    const char *const single[] = {sql, NULL};
    return run_all(imp, single, false, err);
}

/* Resolves in SQL what the stager left: the owners and stages by lookup (creating the missing
 * ones with create_missing), the categories and sources by gf_norm_*. Each only when some are
 * left, so a file of keys and ASCII runs none of it. */
static int resolve_left(gf_import *imp, gf_err *err)
{
    gf_deals_unresolved left = gf_deals_stage_unresolved(gf_import_stager_state(imp));
    bool create = gf_import_opts(imp)->create_missing;
    if (left.owners && (run_all(imp, owner_lookup_sql, true, err) < 0 ||
                        (create && run_all(imp, create_missing_reps_sql, true, err) < 0) ||
                        run_one(imp, owner_resolve_sql, err) < 0))
        return -1;
    if (left.stages && (run_all(imp, stage_lookup_sql, true, err) < 0 ||
                        (create && run_all(imp, create_missing_stages_sql, true, err) < 0) ||
                        run_one(imp, stage_resolve_sql, err) < 0))
        return -1;
    if (left.categories && run_one(imp, category_resolve_sql, err) < 0)
        return -1;
    if (left.sources && run_one(imp, source_resolve_sql, err) < 0)
        return -1;
    return 0;
}

static int merge_deals(gf_import *imp, gf_err *err)
{
    const gf_import_options *opt = gf_import_opts(imp);
    const char *p_eff[] = {opt->effective_at};
    PGresult *res = NULL, *eff = NULL;
    int rc = -1;
    long inserted = 0, updated = 0, matched = 0, bad_rows = 0;

    eff = gf_import_exec(imp, effective_sql, 1, p_eff, err);
    if (!eff)
        goto cleanup;
    if (PQntuples(eff) != 1) {
        gf_err_not_found(err, "org");
        goto cleanup;
    }
    const char *p_at[] = {PQgetvalue(eff, 0, 0), PQgetvalue(eff, 0, 1)};
    if (resolve_left(imp, err) < 0)
        goto cleanup;
    res = gf_import_exec(imp, problems_sql, 0, NULL, err);
    if (!res)
        goto cleanup;
    PQclear(res);
    res = NULL;
    if (gf_import_keys_may_repeat(imp)) {
        res = gf_import_run(imp, repeats_sql, err);
        if (!res)
            goto cleanup;
        PQclear(res);
        res = NULL;
    }
    int go = gf_import_take_problems(imp, &bad_rows, err);
    if (go <= 0) {
        rc = go; /* 0: atomic with problems, the caller rolls back */
        goto cleanup;
    }
    res = gf_import_exec(imp, update_sql, 2, p_at, err);
    if (!res)
        goto cleanup;
    updated = count_of(res, 0);
    matched = count_of(res, 1);
    PQclear(res);
    res = gf_import_exec(imp, drop_existing_sql, 0, NULL, err);
    if (!res)
        goto cleanup;
    PQclear(res);
    const char *p_ins[] = {p_at[0], p_at[1], opt->effective_only ? "false" : "true",
                           PQgetvalue(eff, 0, 2)};
    res = gf_import_exec(imp, insert_sql, 4, p_ins, err);
    if (!res)
        goto cleanup;
    inserted = count_of(res, 0);
    PQclear(res);
    res = NULL;
    gf_import_set_counts(imp, inserted, updated, matched - updated, bad_rows);
    rc = 0;
cleanup:
    PQclear(res);
    PQclear(eff);
    return rc;
}

const gf_import_kind gf_import_deals = {"deals",       columns,  required,        merge_deals,
                                        "external_id", "amount", &gf_deals_stager};

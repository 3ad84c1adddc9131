/* import_deals.c — the deals import kind: validate staged rows and merge them into deals,
 * writing deal_events for every tracked change, with set-based SQL.
 *
 * Rules: a row is keyed by external_id; columns absent from the file keep the deal's values,
 * present but empty cells clear optional fields; name, amount and stage are required for new
 * deals; a deal entering a won/lost stage gets closed_on = the file's closed_on, else its
 * close_date, else the import's effective date. Creation writes one event per tracked field
 * with a value, as the API does. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>

#include "gapforge/import.h"

static const char *const columns[] = {"external_id", "name",     "account",    "owner",
                                      "amount",      "stage",    "category",   "source",
                                      "created_on",  "close_date", "closed_on", NULL};
static const char *const required[] = {"external_id", NULL};

enum { C_EXTERNAL_ID, C_NAME, C_ACCOUNT, C_OWNER, C_AMOUNT, C_STAGE, C_CATEGORY, C_SOURCE,
       C_CREATED_ON, C_CLOSE_DATE, C_CLOSED_ON };

/* Typed rows, resolved against the org's stages, reps and existing deals. $1 org. */
static const char resolve_sql[] =
    "CREATE TEMP TABLE import_rows ON COMMIT DROP AS "
    "SELECT s.line, s.present, nullif(btrim(s.external_id), '') AS external_id, "
    " nullif(btrim(s.name), '') AS name, nullif(btrim(s.account), '') AS account, "
    " nullif(btrim(s.owner), '') AS owner_raw, "
    " (SELECT r.id FROM reps r WHERE r.org_id = $1 AND (r.key = btrim(s.owner) "
    "   OR r.key = gf_key_of(s.owner)) ORDER BY r.key = btrim(s.owner) DESC LIMIT 1) AS owner_id, "
    " nullif(btrim(s.amount), '') AS amount_raw, "
    " CASE WHEN btrim(s.amount) ~ '^[0-9]{1,16}(\\.[0-9]{1,2})?$' "
    "      THEN btrim(s.amount)::numeric(18,2) END AS amount, "
    " nullif(btrim(s.stage), '') AS stage_raw, st.id AS stage_id, st.kind AS stage_kind, "
    " nullif(btrim(s.category), '') AS category_raw, gf_norm_category(s.category) AS category, "
    " gf_norm_source(s.source) AS source, "
    " nullif(btrim(s.created_on), '') AS created_on_raw, gf_norm_date(s.created_on) AS created_on, "
    " nullif(btrim(s.close_date), '') AS close_date_raw, gf_norm_date(s.close_date) AS close_date, "
    " nullif(btrim(s.closed_on), '') AS closed_on_raw, gf_norm_date(s.closed_on) AS closed_on "
    "FROM import_staging s "
    "LEFT JOIN LATERAL (SELECT id, kind FROM stages WHERE org_id = $1 AND (key = btrim(s.stage) "
    "   OR lower(name) = lower(btrim(s.stage)) OR key = gf_key_of(s.stage)) "
    "   ORDER BY key = btrim(s.stage) DESC LIMIT 1) st ON true";

/* Creates the reps and stages rows name that do not exist yet ($1 org). */
static const char create_missing_sql[] =
    "WITH new_reps AS ("
    " INSERT INTO reps (org_id, key, name) "
    " SELECT DISTINCT ON (gf_key_of(owner_raw)) $1::bigint, gf_key_of(owner_raw), owner_raw "
    " FROM import_rows WHERE owner_id IS NULL AND owner_raw IS NOT NULL AND gf_key_of(owner_raw) <> '' "
    " ON CONFLICT (org_id, key) DO NOTHING RETURNING id), "
    "new_stages AS ("
    " INSERT INTO stages (org_id, key, name, position, kind, probability) "
    " SELECT $1::bigint, k, raw, (SELECT coalesce(max(position), -1) FROM stages WHERE org_id = $1) "
    "   + row_number() OVER (ORDER BY k), kind, CASE kind WHEN 'won' THEN 1 WHEN 'lost' THEN 0 ELSE 0.1 END "
    " FROM (SELECT DISTINCT ON (gf_key_of(stage_raw)) gf_key_of(stage_raw) AS k, stage_raw AS raw, "
    "   CASE WHEN stage_raw ~* 'won' THEN 'won' WHEN stage_raw ~* 'lost' THEN 'lost' ELSE 'open' END AS kind "
    "   FROM import_rows WHERE stage_id IS NULL AND stage_raw IS NOT NULL AND gf_key_of(stage_raw) <> '') m "
    " ON CONFLICT (org_id, key) DO NOTHING RETURNING id) "
    "SELECT (SELECT count(*) FROM new_reps), (SELECT count(*) FROM new_stages)";

static const char reresolve_sql[] =
    "UPDATE import_rows r SET "
    " owner_id = coalesce(r.owner_id, (SELECT id FROM reps WHERE org_id = $1 AND key = gf_key_of(r.owner_raw))), "
    " stage_id = coalesce(r.stage_id, (SELECT id FROM stages WHERE org_id = $1 AND key = gf_key_of(r.stage_raw))), "
    " stage_kind = coalesce(r.stage_kind, (SELECT kind FROM stages WHERE org_id = $1 AND key = gf_key_of(r.stage_raw))) "
    "WHERE (r.owner_id IS NULL AND r.owner_raw IS NOT NULL) OR (r.stage_id IS NULL AND r.stage_raw IS NOT NULL)";

/* Every problem: (line, column, reason). */
static const char problems_sql[] =
    "CREATE TEMP TABLE import_problems ON COMMIT DROP AS "
    "SELECT r.line, v.col, v.reason FROM import_rows r "
    "LEFT JOIN deals d ON d.org_id = $1 AND d.external_id = r.external_id, "
    "LATERAL (VALUES "
    " ('external_id', CASE WHEN r.external_id IS NULL THEN 'is required' "
    "   WHEN length(r.external_id) > 128 THEN 'is longer than 128 characters' END), "
    " ('name', CASE WHEN r.name IS NULL AND (d.id IS NULL OR (r.present & 2) <> 0) THEN 'is required' END), "
    " ('amount', CASE WHEN r.amount_raw IS NULL AND (d.id IS NULL OR (r.present & 16) <> 0) THEN 'is required' "
    "   WHEN r.amount_raw IS NOT NULL AND r.amount IS NULL "
    "   THEN 'must be a number >= 0 with at most two decimals' END), "
    " ('stage', CASE WHEN r.stage_raw IS NULL AND (d.id IS NULL OR (r.present & 32) <> 0) THEN 'is required' "
    "   WHEN r.stage_raw IS NOT NULL AND r.stage_id IS NULL THEN 'unknown stage ' || r.stage_raw END), "
    " ('owner', CASE WHEN r.owner_raw IS NOT NULL AND r.owner_id IS NULL "
    "   THEN 'unknown rep ' || r.owner_raw END), "
    " ('category', CASE WHEN r.category_raw IS NOT NULL AND r.category IS NULL "
    "   THEN 'must be one of pipeline, best_case, commit, omitted' END), "
    " ('created_on', CASE WHEN r.created_on_raw IS NOT NULL AND r.created_on IS NULL "
    "   THEN 'must be a date YYYY-MM-DD' END), "
    " ('close_date', CASE WHEN r.close_date_raw IS NOT NULL AND r.close_date IS NULL "
    "   THEN 'must be a date YYYY-MM-DD' END), "
    " ('closed_on', CASE WHEN r.closed_on_raw IS NOT NULL AND r.closed_on IS NULL "
    "   THEN 'must be a date YYYY-MM-DD' END)"
    ") v(col, reason) WHERE v.reason IS NOT NULL "
    "UNION ALL "
    "SELECT line, 'external_id', 'repeats line ' || first FROM ("
    " SELECT line, min(line) OVER (PARTITION BY external_id) AS first FROM import_rows "
    " WHERE external_id IS NOT NULL) dup WHERE line <> first";

static const char problems_page_sql[] =
    "SELECT line, col, reason FROM import_problems ORDER BY line, col LIMIT 100";
static const char problems_count_sql[] =
    "SELECT count(*), count(DISTINCT line) FROM import_problems";
static const char drop_bad_sql[] =
    "DELETE FROM import_rows WHERE line IN (SELECT line FROM import_problems)";

/* New deals, and their creation events (old NULL, new value) for every tracked field that has a
 * value, at the effective time, as the API writes them. $2 effective timestamp (or NULL = now). */
static const char insert_sql[] =
    "WITH ins AS (INSERT INTO deals (org_id, external_id, name, account, owner_id, amount, "
    " stage_id, category, source, created_on, close_date, closed_on) "
    "SELECT $1, r.external_id, r.name, r.account, r.owner_id, r.amount, r.stage_id, "
    " coalesce(r.category, 'pipeline'), coalesce(r.source, 'other'), "
    " coalesce(r.created_on, coalesce($2::timestamptz, now())::date), r.close_date, "
    " CASE WHEN r.stage_kind IN ('won', 'lost') "
    "  THEN coalesce(r.closed_on, r.close_date, coalesce($2::timestamptz, now())::date) END "
    "FROM import_rows r WHERE NOT EXISTS (SELECT 1 FROM deals d WHERE d.org_id = $1 "
    " AND d.external_id = r.external_id) ORDER BY r.line "
    "RETURNING id, stage_id, amount, close_date, category, owner_id), "
    "ev AS (INSERT INTO deal_events (org_id, deal_id, at, field, old_value, new_value) "
    " SELECT $1, ins.id, coalesce($2::timestamptz, now()), v.field, NULL, v.val "
    " FROM ins JOIN stages s ON s.id = ins.stage_id LEFT JOIN reps o ON o.id = ins.owner_id, "
    " LATERAL (VALUES (1, 'stage', s.key), (2, 'amount', ins.amount::text), "
    "  (3, 'close_date', ins.close_date::text), (4, 'category', ins.category), (5, 'owner', o.key)) "
    "  v(ord, field, val) WHERE v.val IS NOT NULL ORDER BY ins.id, v.ord RETURNING 1) "
    "SELECT count(*) FROM ins";

/* Changed deals: the new state per row (absent columns keep old values), the update, and one
 * event per changed tracked field, all at the effective time. $2 effective. */
static const char update_sql[] =
    "WITH cur AS ("
    " SELECT d.id, d.deleted_at, d.name AS o_name, d.account AS o_account, d.owner_id AS o_owner, "
    "  d.amount AS o_amount, d.stage_id AS o_stage, d.category AS o_category, d.source AS o_source, "
    "  d.created_on AS o_created_on, d.close_date AS o_close_date, d.closed_on AS o_closed_on, "
    "  CASE WHEN r.present & 2 <> 0 THEN r.name ELSE d.name END AS name, "
    "  CASE WHEN r.present & 4 <> 0 THEN r.account ELSE d.account END AS account, "
    "  CASE WHEN r.present & 8 <> 0 THEN r.owner_id ELSE d.owner_id END AS owner_id, "
    "  CASE WHEN r.present & 16 <> 0 THEN r.amount ELSE d.amount END AS amount, "
    "  CASE WHEN r.present & 32 <> 0 THEN r.stage_id ELSE d.stage_id END AS stage_id, "
    "  CASE WHEN r.present & 64 <> 0 THEN coalesce(r.category, 'pipeline') ELSE d.category END AS category, "
    "  CASE WHEN r.present & 128 <> 0 THEN coalesce(r.source, 'other') ELSE d.source END AS source, "
    "  CASE WHEN r.present & 256 <> 0 THEN coalesce(r.created_on, d.created_on) ELSE d.created_on END AS created_on, "
    "  CASE WHEN r.present & 512 <> 0 THEN r.close_date ELSE d.close_date END AS close_date, "
    "  r.closed_on AS given_closed_on, (r.present & 1024 <> 0) AS has_closed_on "
    " FROM import_rows r JOIN deals d ON d.org_id = $1 AND d.external_id = r.external_id "
    " FOR UPDATE OF d), "
    "nxt AS ("
    " SELECT c.*, sk.kind AS kind, ok.kind AS o_kind, "
    "  CASE WHEN sk.kind = 'open' THEN NULL "
    "   WHEN c.has_closed_on AND c.given_closed_on IS NOT NULL THEN c.given_closed_on "
    "   WHEN ok.kind <> 'open' AND c.o_closed_on IS NOT NULL THEN c.o_closed_on "
    "   ELSE coalesce(c.close_date, coalesce($2::timestamptz, now())::date) END AS closed_on "
    " FROM cur c JOIN stages sk ON sk.id = c.stage_id JOIN stages ok ON ok.id = c.o_stage), "
    "chg AS ("
    " SELECT * FROM nxt WHERE deleted_at IS NOT NULL OR "
    "  (name, account, owner_id, amount, stage_id, category, source, created_on, close_date, closed_on) "
    "  IS DISTINCT FROM (o_name, o_account, o_owner, o_amount, o_stage, o_category, o_source, "
    "  o_created_on, o_close_date, o_closed_on)), "
    "upd AS ("
    " UPDATE deals d SET name = chg.name, account = chg.account, owner_id = chg.owner_id, "
    "  amount = chg.amount, stage_id = chg.stage_id, category = chg.category, source = chg.source, "
    "  created_on = chg.created_on, close_date = chg.close_date, closed_on = chg.closed_on, "
    "  deleted_at = NULL, updated_at = now() "
    " FROM chg WHERE d.id = chg.id RETURNING d.id), "
    "ev AS ("
    " INSERT INTO deal_events (org_id, deal_id, at, field, old_value, new_value) "
    " SELECT $1, chg.id, coalesce($2::timestamptz, now()), v.field, v.o, v.n FROM chg, LATERAL (VALUES "
    "  ('stage', (SELECT key FROM stages WHERE id = chg.o_stage), (SELECT key FROM stages WHERE id = chg.stage_id)), "
    "  ('amount', chg.o_amount::text, chg.amount::text), "
    "  ('close_date', chg.o_close_date::text, chg.close_date::text), "
    "  ('category', chg.o_category, chg.category), "
    "  ('owner', (SELECT key FROM reps WHERE id = chg.o_owner), (SELECT key FROM reps WHERE id = chg.owner_id)), "
    "  ('deleted', CASE WHEN chg.deleted_at IS NOT NULL THEN 'true' END, "
    "              CASE WHEN chg.deleted_at IS NOT NULL THEN 'false' END)"
    " ) v(field, o, n) WHERE v.o IS DISTINCT FROM v.n RETURNING 1) "
    "SELECT (SELECT count(*) FROM upd), (SELECT count(*) FROM cur), (SELECT count(*) FROM ev)";

static long count_of(PGresult *res, int col)
{
    return atol(PQgetvalue(res, 0, col));
}

static int merge_deals(gf_import *imp, gf_err *err)
{
    const gf_import_options *opt = gf_import_opts(imp);
    const char *p_eff[] = {opt->effective_at};
    PGresult *res = NULL;
    int rc = -1;
    long inserted = 0, updated = 0, matched = 0, bad_rows = 0;

    if (!(res = gf_import_exec(imp, resolve_sql, 0, NULL, err)))
        goto cleanup;
    PQclear(res);
    if (opt->create_missing) {
        if (!(res = gf_import_exec(imp, create_missing_sql, 0, NULL, err)))
            goto cleanup;
        PQclear(res);
        if (!(res = gf_import_exec(imp, reresolve_sql, 0, NULL, err)))
            goto cleanup;
        PQclear(res);
    }
    if (!(res = gf_import_exec(imp, problems_sql, 0, NULL, err)))
        goto cleanup;
    PQclear(res);
    if (!(res = gf_import_run(imp, problems_count_sql, err)))
        goto cleanup;
    long nproblems = count_of(res, 0);
    bad_rows = count_of(res, 1);
    PQclear(res);
    res = NULL;
    if (nproblems) {
        if (!(res = gf_import_run(imp, problems_page_sql, err)))
            goto cleanup;
        gf_import_add_problems(imp, res, nproblems);
        PQclear(res);
        res = NULL;
    }
    if (gf_import_problem_count(imp) && !opt->skip_errors) {
        gf_import_set_counts(imp, 0, 0, 0, bad_rows);
        rc = 0; /* the caller rolls back */
        goto cleanup;
    }
    if (nproblems) {
        if (!(res = gf_import_run(imp, drop_bad_sql, err)))
            goto cleanup;
        PQclear(res);
    }
    if (!(res = gf_import_exec(imp, update_sql, 1, p_eff, err)))
        goto cleanup;
    updated = count_of(res, 0);
    matched = count_of(res, 1);
    PQclear(res);
    if (!(res = gf_import_exec(imp, insert_sql, 1, p_eff, err)))
        goto cleanup;
    inserted = count_of(res, 0);
    PQclear(res);
    res = NULL;
    gf_import_set_counts(imp, inserted, updated, matched - updated, bad_rows);
    rc = 0;
cleanup:
    PQclear(res);
    return rc;
}

const gf_import_kind gf_import_deals = {"deals", columns, required, merge_deals};

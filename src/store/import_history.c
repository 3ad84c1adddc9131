/* import_history.c — two more import kinds, each a table of columns and
 * set-based merge SQL:
 *
 * deal-events (external_id, at, field, old, new): a CRM's field history loaded
 * as deal events. Events of unknown deals, `at` that is not a date or
 * timestamp, fields other than stage / amount / close_date / category / owner,
 * and values that name nothing (an unknown stage) are problems. Values are
 * stored as the deal API writes them (stage and rep keys, amounts with two
 *   decimals), so the model replays imported and live history alike. An event
 * identical to one the deal already has is unchanged, so loading the same
 * history twice adds nothing. kpi-observations (kpi, date, value): upsert by
 * (kpi, date); unknown KPI keys, bad dates and values that are not finite
 * numbers are problems. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>

#include "gapforge/import.h"

static const char *const event_columns[] = {"external_id", "at", "field", "old", "new", NULL};
static const char *const event_required[] = {"external_id", "at", "field", NULL};
static const char *const kpi_columns[] = {"kpi", "date", "value", NULL};
static const char *const kpi_required[] = {"kpi", "date", "value", NULL};

/* $1 org. Typed event rows; old and new are normalised only for a known field.
 */
static const char event_rows_sql[] =
    "CREATE TEMP TABLE import_rows ON COMMIT DROP AS "
    "SELECT s.line, nullif(btrim(s.external_id), '') AS external_id, d.id AS "
    "deal_id, "
    " nullif(btrim(s.at), '') AS at_raw, gf_norm_timestamp(s.at, o.time_zone) "
    "AS at, "
    " nullif(btrim(s.field), '') AS field_raw, f.field, "
    " nullif(btrim(s.old), '') AS old_raw, gf_event_value($1, f.field, "
    "nullif(btrim(s.old), '')) AS old, "
    " nullif(btrim(s.new), '') AS new_raw, gf_event_value($1, f.field, "
    "nullif(btrim(s.new), '')) AS new "
    "FROM import_staging s JOIN orgs o ON o.id = $1 "
    "LEFT JOIN deals d ON d.org_id = $1 AND d.external_id = "
    "btrim(s.external_id) "
    "LEFT JOIN (VALUES ('stage'), ('amount'), ('close_date'), ('category'), "
    "('owner')) f(field) "
    " ON f.field = lower(btrim(s.field))";

static const char event_problems_sql[] =
    "CREATE TEMP TABLE import_problems ON COMMIT DROP AS "
    "SELECT r.line, v.col, v.reason FROM import_rows r, LATERAL (VALUES "
    " ('external_id', CASE WHEN r.external_id IS NULL THEN 'is required' "
    "   WHEN r.deal_id IS NULL THEN 'no deal has external_id ' || "
    "r.external_id END), "
    " ('at', CASE WHEN r.at_raw IS NULL THEN 'is required' WHEN r.at IS NULL "
    "   THEN 'must be a date YYYY-MM-DD or an RFC 3339 timestamp' END), "
    " ('field', CASE WHEN r.field IS NULL "
    "   THEN 'must be one of stage, amount, close_date, category, owner' END), "
    " ('old', CASE WHEN r.field IS NOT NULL AND r.old_raw IS NOT NULL AND "
    "r.old IS NULL "
    "   THEN 'is not a valid ' || r.field || ': ' || r.old_raw END), "
    " ('new', CASE WHEN r.field IS NOT NULL AND r.new_raw IS NOT NULL AND "
    "r.new IS NULL "
    "   THEN 'is not a valid ' || r.field || ': ' || r.new_raw END)"
    ") v(col, reason) WHERE v.reason IS NOT NULL";

/* New events, in time order; the same event twice (in the file, already
 * stored, or a creation event a bulk-imported deal row carries) once. $1 org. */
static const char event_insert_sql[] =
    "WITH fresh AS (SELECT DISTINCT ON (deal_id, at, field, old, new) * FROM "
    "import_rows r "
    " WHERE NOT EXISTS (SELECT 1 FROM deal_history_events e WHERE e.org_id = $1 "
    "  AND e.deal_id = r.deal_id AND e.at = r.at "
    "  AND e.field = r.field AND e.old_value IS NOT DISTINCT FROM r.old "
    "  AND e.new_value IS NOT DISTINCT FROM r.new) "
    " ORDER BY deal_id, at, field, old, new, line), "
    "ins AS (INSERT INTO deal_events (org_id, deal_id, at, field, old_value, "
    "new_value) "
    " SELECT $1, deal_id, at, field, old, new FROM fresh ORDER BY at, line "
    "RETURNING 1) "
    "SELECT (SELECT count(*) FROM ins), (SELECT count(*) FROM import_rows)";

/* $1 org. Typed observations. */
static const char kpi_rows_sql[] =
    "CREATE TEMP TABLE import_rows ON COMMIT DROP AS "
    "SELECT s.line, nullif(btrim(s.kpi), '') AS kpi_raw, k.id AS kpi_id, "
    " nullif(btrim(s.date), '') AS date_raw, gf_norm_date(s.date) AS "
    "observed_on, "
    " nullif(btrim(s.value), '') AS value_raw, "
    " CASE WHEN btrim(s.value) ~ "
    "  "
    "'^[+-]?([0-9]{1,30}(\\.[0-9]{0,30})?|\\.[0-9]{1,30})([eE][+-]?[0-9]{1,2})?"
    "$' "
    "  THEN btrim(s.value)::float8 END AS value "
    "FROM import_staging s LEFT JOIN kpis k ON k.org_id = $1 AND k.key = "
    "btrim(s.kpi)";

static const char kpi_problems_sql[] =
    "CREATE TEMP TABLE import_problems ON COMMIT DROP AS "
    "SELECT r.line, v.col, v.reason FROM import_rows r, LATERAL (VALUES "
    " ('kpi', CASE WHEN r.kpi_raw IS NULL THEN 'is required' "
    "   WHEN r.kpi_id IS NULL THEN 'unknown kpi ' || r.kpi_raw END), "
    " ('date', CASE WHEN r.observed_on IS NULL THEN 'must be a date "
    "YYYY-MM-DD' END), "
    " ('value', CASE WHEN r.value IS NULL THEN 'must be a number' END)"
    ") v(col, reason) WHERE v.reason IS NOT NULL "
    "UNION ALL "
    "SELECT r.line, 'date', 'repeats line ' || dup.first FROM ("
    " SELECT kpi_id, observed_on, min(line) AS first FROM import_rows "
    " WHERE kpi_id IS NOT NULL AND observed_on IS NOT NULL "
    " GROUP BY kpi_id, observed_on HAVING count(*) > 1) dup "
    "JOIN import_rows r ON r.kpi_id = dup.kpi_id AND r.observed_on = "
    "dup.observed_on "
    " AND r.line <> dup.first";

static const char kpi_upsert_sql[] =
    "WITH up AS (INSERT INTO kpi_observations (org_id, kpi_id, observed_on, "
    "value) "
    " SELECT $1, kpi_id, observed_on, value FROM import_rows ORDER BY kpi_id, "
    "observed_on "
    " ON CONFLICT (org_id, kpi_id, observed_on) DO UPDATE SET value = excluded.value, "
    "updated_at = now() "
    " WHERE kpi_observations.value IS DISTINCT FROM excluded.value "
    " RETURNING (xmax = 0) AS inserted) "
    "SELECT (SELECT count(*) FROM up WHERE inserted), (SELECT count(*) FROM up "
    "WHERE NOT inserted), "
    " (SELECT count(*) FROM import_rows)";

static long count_of(PGresult *res, int col)
{
    return atol(PQgetvalue(res, 0, col));
}

/* Builds import_rows and import_problems, records the problems, and drops the
 * bad rows when the import skips errors. Returns 1 when the merge may go on, 0
 * when an atomic import must stop (counts set), -1 with err on a database
 * failure. */
static int stage_rows(gf_import *imp, const char *rows_sql, const char *problems_sql, gf_err *err)
{
    PGresult *res = gf_import_exec(imp, rows_sql, 0, NULL, err);
    if (!res)
        return -1;
    PQclear(res);
    res = gf_import_run(imp, problems_sql, err);
    if (!res)
        return -1;
    PQclear(res);
    long bad_rows = 0;
    return gf_import_take_problems(imp, &bad_rows, err);
}

static int merge_events(gf_import *imp, gf_err *err)
{
    int go = stage_rows(imp, event_rows_sql, event_problems_sql, err);
    if (go <= 0)
        return go;
    PGresult *res = gf_import_exec(imp, event_insert_sql, 0, NULL, err);
    if (!res)
        return -1;
    long inserted = count_of(res, 0), rows = count_of(res, 1);
    PQclear(res);
    long bad_rows = 0;
    gf_import_get_bad_rows(imp, &bad_rows);
    gf_import_set_counts(imp, inserted, 0, rows - inserted, bad_rows);
    return 0;
}

static int merge_kpis(gf_import *imp, gf_err *err)
{
    int go = stage_rows(imp, kpi_rows_sql, kpi_problems_sql, err);
    if (go <= 0)
        return go;
    PGresult *res = gf_import_exec(imp, kpi_upsert_sql, 0, NULL, err);
    if (!res)
        return -1;
    long inserted = count_of(res, 0), updated = count_of(res, 1), rows = count_of(res, 2);
    PQclear(res);
    long bad_rows = 0;
    gf_import_get_bad_rows(imp, &bad_rows);
    gf_import_set_counts(imp, inserted, updated, rows - inserted - updated, bad_rows);
    return 0;
}

const gf_import_kind gf_import_deal_events = {"deal-events", event_columns, event_required,
                                              merge_events};
const gf_import_kind gf_import_kpi_observations = {"kpi-observations", kpi_columns, kpi_required,
                                                   merge_kpis};

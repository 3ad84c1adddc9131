/* history.c — an org's history at as_of as the model sees it, read with two binary COPYs.
 *
 * One read-only REPEATABLE READ transaction: the org (time zone, fiscal year), the stages, the
 * local midnights of the days the events can fall on, then COPY of the deals (ordered by id)
 * and COPY of their stage, amount, close-date and category events (unordered: a sort costs
 * PostgreSQL more than it costs us). COPY takes no parameters, so the org, as_of and time zone
 * reach it through transaction-local settings (set_config(..., true)): still no SQL is built
 * from input. Binary rows are parsed in place (integers, dates and timestamps need no text
 * conversion on either side); the only allocations are the arrays, never one per row. Events
 * are grouped by deal with a counting sort and ordered by time within each deal. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "gapforge/period.h"
#include "gapforge/store_history.h"
#include "history_internal.h"

static const gf_stmt hist_org = {
    "hist_org", "SELECT fiscal_year_start_month, (now() AT TIME ZONE time_zone)::date - "
                "DATE '1970-01-01', time_zone FROM orgs WHERE id = $1"};

static const gf_stmt hist_stages = {
    "hist_stages", "SELECT id, key, kind, probability::float8 FROM stages WHERE org_id = $1 "
                   "ORDER BY position, id"};

/* The org's data version (migration 0014), read in the history's snapshot so that a cached
 * history is never filed under a version older than its rows. */
static const gf_stmt hist_version = {
    "hist_version",
    "SELECT coalesce((SELECT version FROM org_data_versions WHERE org_id = $1), 0)"};

/* $1 org, $2 as_of, $3 time zone: what the COPYs below read with current_setting. */
static const gf_stmt hist_settings = {"hist_settings",
                                      "SELECT set_config('gapforge.hist_org', $1, true), "
                                      "set_config('gapforge.hist_as_of', $2, true), "
                                      "set_config('gapforge.hist_tz', $3, true)"};

/* Seconds since 1970 of local midnight of every day in [$2, $3] in time zone $1. */
static const gf_stmt hist_midnights = {
    "hist_midnights", "SELECT extract(epoch FROM (g::date::timestamp AT TIME ZONE $1))::bigint "
                      "FROM generate_series($2::date, $3::date, interval '1 day') g ORDER BY g"};

/* The two COPYs (exposed for the benchmark's floor: bench/forecast/run.sh runs the same text). */
const char gf_store_history_deals_copy[] =
    "COPY (SELECT d.id, d.created_on, d.owner_id, (d.amount * 100)::int8, d.stage_id, "
    "d.category FROM deals d "
    "WHERE d.org_id = (SELECT current_setting('gapforge.hist_org')::int8) "
    "AND d.deleted_at IS NULL "
    "AND d.created_on < (SELECT current_setting('gapforge.hist_as_of')::date) ORDER BY d.id) "
    "TO STDOUT (FORMAT binary)";

/* The events, all at once (the floor's query, and the fallback when no second connection can be
 * had) ... */
const char gf_store_history_events_copy[] =
    "COPY (SELECT e.deal_id, e.field, e.at, e.new_value, "
    "CASE WHEN e.field = 'stage' THEN e.old_value END FROM deal_history_events e "
    "WHERE e.org_id = (SELECT current_setting('gapforge.hist_org')::int8) "
    "AND e.at < (SELECT current_setting('gapforge.hist_as_of')::date::timestamp AT TIME ZONE "
    "current_setting('gapforge.hist_tz')) "
    "AND e.field IN ('stage', 'amount', 'close_date', 'category')) TO STDOUT (FORMAT binary)";

/* ... or those with at in [hist_from, hist_to), one part per connection (by the index on
 * (org_id, at), so each part reads only its own rows). */
const char gf_store_history_events_part_copy[] =
    "COPY (SELECT e.deal_id, e.field, e.at, e.new_value, "
    "CASE WHEN e.field = 'stage' THEN e.old_value END FROM deal_history_events e "
    "WHERE e.org_id = (SELECT current_setting('gapforge.hist_org')::int8) "
    "AND e.at < (SELECT current_setting('gapforge.hist_as_of')::date::timestamp AT TIME ZONE "
    "current_setting('gapforge.hist_tz')) "
    "AND e.at >= (SELECT current_setting('gapforge.hist_from')::timestamptz) "
    "AND e.at < (SELECT current_setting('gapforge.hist_to')::timestamptz) "
    "AND e.field IN ('stage', 'amount', 'close_date', 'category')) TO STDOUT (FORMAT binary)";

/* Days from 1970-01-01 to 2000-01-01 (PostgreSQL's binary epoch). */
#define PG_EPOCH_DAYS 10957
#define PG_EPOCH_SECS 946684800LL

static int org_row(int64_t org_id, gf_store_history *h, gf_err *err)
{
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    PGresult *res = gf_db_exec_args(&hist_org, &a, err);
    if (!res)
        return -1;
    int rc = 0;
    if (PQntuples(res) != 1)
        rc = gf_err_not_found(err, "org");
    else {
        h->fysm = (int)gf_db_int64(res, 0, 0);
        h->today = (int)gf_db_int64(res, 0, 1);
        snprintf(h->time_zone, sizeof h->time_zone, "%s", PQgetvalue(res, 0, 2));
    }
    PQclear(res);
    return rc;
}

int gf_store_history_org(int64_t org_id, int *fysm, int *today, char tz[64], gf_err *err)
{
    gf_store_history h = {0};
    if (org_row(org_id, &h, err) < 0)
        return -1;
    *fysm = h.fysm;
    *today = h.today;
    memcpy(tz, h.time_zone, sizeof h.time_zone);
    return 0;
}

static int read_version(int64_t org_id, gf_store_history *h, gf_err *err)
{
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    PGresult *res = gf_db_exec_args(&hist_version, &a, err);
    if (!res)
        return -1;
    h->data_version = PQntuples(res) == 1 ? gf_db_int64(res, 0, 0) : 0;
    PQclear(res);
    return 0;
}

/* Loads the stages; stage_ids receives their ids (malloc'd, n_stages entries). */
static int load_stages(int64_t org_id, gf_store_history *h, int64_t **stage_ids, gf_err *err)
{
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    PGresult *res = gf_db_exec_args(&hist_stages, &a, err);
    if (!res)
        return -1;
    int rc = -1;
    size_t n = (size_t)PQntuples(res), open = 0;
    h->stages = calloc(n ? n : 1, sizeof *h->stages);
    h->stage_keys = calloc(n ? n : 1, sizeof *h->stage_keys);
    *stage_ids = calloc(n ? n : 1, sizeof **stage_ids);
    if (!h->stages || !h->stage_keys || !*stage_ids) {
        gf_err_internal(err);
        goto done;
    }
    for (size_t s = 0; s < n; s++) {
        const char *kind = PQgetvalue(res, (int)s, 2);
        (*stage_ids)[s] = gf_db_int64(res, (int)s, 0);
        snprintf(h->stage_keys[s], sizeof h->stage_keys[s], "%s", PQgetvalue(res, (int)s, 1));
        h->stages[s].kind = kind[0] == 'w'   ? GF_MODEL_STAGE_WON
                            : kind[0] == 'l' ? GF_MODEL_STAGE_LOST
                                             : GF_MODEL_STAGE_OPEN;
        h->stages[s].default_prob = strtod(PQgetvalue(res, (int)s, 3), NULL);
        open += h->stages[s].kind == GF_MODEL_STAGE_OPEN;
    }
    h->h.stages = h->stages;
    h->h.n_stages = n;
    if (!open) {
        gf_err_invalid(err, "stages", "the org has no open stage: PUT /v1/stages first");
        goto done;
    }
    rc = 0;
done:
    PQclear(res);
    return rc;
}

/* The fiscal quarters from about six years before as_of up to max(as_of, cal_end). */
static int build_calendar(gf_store_history *h, int as_of, int cal_end, gf_err *err)
{
    gf_period q, last;
    int end = cal_end > as_of ? cal_end : as_of;
    if (gf_period_quarter_of(as_of - 6 * 366, h->fysm, &q) < 0 ||
        gf_period_quarter_of(end, h->fysm, &last) < 0)
        return gf_err_invalid(err, "as_of", "as_of is out of range");
    size_t cap = (size_t)((last.end - q.start) / 89 + 2), n = 0;
    h->quarters = calloc(cap, sizeof *h->quarters);
    if (!h->quarters)
        return gf_err_internal(err);
    while (n < cap) {
        h->quarters[n++] = (gf_model_period){q.start, q.end};
        if (q.start >= last.start || gf_period_quarter_add(&q, 1, h->fysm, &q) < 0)
            break;
    }
    h->cal.quarters = h->quarters;
    h->cal.n = n;
    return 0;
}

void gf_store_history_free(gf_store_history *h)
{
    if (!h)
        return;
    free(h->deals);
    free(h->owner);
    free(h->category);
    free(h->stages);
    free(h->stage_keys);
    free(h->transitions);
    free(h->changes);
    free(h->quarters);
    free(h);
}

/* Local midnights of [d0, d0 + n) as seconds since 1970, for event days in the org's zone. */
static int load_midnights(const gf_store_history *h, int d0, int d1, hist_days *days, gf_err *err)
{
    gf_db_args a = {0};
    gf_db_arg_text(&a, h->time_zone);
    gf_db_arg_date(&a, d0);
    gf_db_arg_date(&a, d1);
    PGresult *res = gf_db_exec_args(&hist_midnights, &a, err);
    if (!res)
        return -1;
    days->d0 = d0;
    days->n = (size_t)PQntuples(res);
    days->mid = malloc((days->n ? days->n : 1) * sizeof *days->mid);
    if (!days->mid) {
        PQclear(res);
        return gf_err_internal(err);
    }
    for (size_t k = 0; k < days->n; k++)
        days->mid[k] = gf_db_int64(res, (int)k, 0);
    PQclear(res);
    return 0;
}

gf_store_history *gf_store_history_load(int64_t org_id, int as_of, int cal_end, gf_err *err)
{
    gf_store_history *h = calloc(1, sizeof *h);
    int64_t *stage_ids = NULL;
    hist_days days = {0};
    hist_deals raw = {0};
    int in_tx = 0;
    if (!h) {
        gf_err_internal(err);
        goto fail;
    }
    h->as_of = as_of;
    if (org_row(org_id, h, err) < 0 || build_calendar(h, as_of, cal_end, err) < 0)
        goto fail;
    /* The isolation level in the BEGIN itself: the org's set_config (db.c) runs before any
     * statement after it. */
    if (gf_db_begin_snapshot(err) < 0)
        goto fail;
    in_tx = 1;
    if (load_stages(org_id, h, &stage_ids, err) < 0 || read_version(org_id, h, err) < 0)
        goto fail;
    /* org, as_of, time zone: the history settings, also of the side connections' parts. */
    gf_db_args p = {0};
    gf_db_arg_i64(&p, org_id);
    gf_db_arg_date(&p, as_of);
    gf_db_arg_text(&p, h->time_zone);
    if (gf_db_run(&hist_settings, &p, err) < 0)
        goto fail;
    /* Event days are looked up among the local midnights of the last 20 years (earlier ones
     * are extrapolated from the first). */
    if (load_midnights(h, as_of - 7305, as_of, &days, err) < 0)
        goto fail;
    hist_side side;
    int parts = gf_store__history_side_start(&side, &p, h, &days, err);
    int rc = gf_store__history_read_deals(h, stage_ids, &raw, err);
    if (parts > 0) {
        if (gf_store__history_side_join(&side, &raw, rc == 0 ? err : NULL) < 0)
            rc = -1;
    } else if (rc == 0) {
        PGconn *pg = gf_db_conn(err);
        rc = pg ? gf_store__history_read_events(pg, gf_store_history_events_copy, h, &raw, &days,
                                                err)
                : -1;
    }
    if (rc < 0)
        goto fail;
    if (gf_store__history_map_events(&raw) < 0) {
        gf_err_internal(err);
        goto fail;
    }
    in_tx = 0;
    if (gf_db_commit(err) < 0)
        goto fail;
    if (gf_store__history_assemble(h, &raw, err) < 0)
        goto fail;
    gf_store__history_raw_free(&raw);
    free(days.mid);
    free(stage_ids);
    return h;
fail:
    if (in_tx)
        gf_db_rollback();
    gf_store__history_raw_free(&raw);
    free(days.mid);
    free(stage_ids);
    gf_store_history_free(h);
    return NULL;
}

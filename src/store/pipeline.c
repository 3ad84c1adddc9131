/* pipeline.c — the pipeline waterfall: how the in-period open pipeline at one day became the
 * one at a later day, rebuilt from the deals' history (deal_history_events: the stored events
 * and the creation events a bulk-imported deal row carries) in one statement.
 *
 * Each tracked field's value at the end of day d is the new value of its last event whose time,
 * read in the org's time zone, falls on or before d; a field with events but none by d had the
 * old value of its first event; a field with no events at all has the deal's current column. A
 * deal exists at d once it has a stage event by d. One window pass over the org's events up to
 * `to` finds, per deal and field, the event that holds at each day (day <= d and the next event
 * later than d). Every bucket and each deal's role are computed by PostgreSQL in exact numeric
 * arithmetic, so the buckets reconcile to the cent. */
#include "db.h"
#include "gapforge/store.h"
#include "inputs_internal.h"

/* The new_value of the event of field that holds at the end of `from` (at0) or `to` (at1). */
#define HELD(field, at) "max(new_value) FILTER (WHERE field = '" field "' AND " at ")"
/* True when field has an event by `from` (at0: one of them holds then) or by `to` (true). */
#define ANY(field, at) "bool_or(field = '" field "' AND " at ")"
/* The old_value of the field's first event by `to`. */
#define FIRST_OLD(field) "max(old_value) FILTER (WHERE field = '" field "' AND n = 1)"
/* For a deal with no event of field by `to`: the old value of its first later event, else the
 * deal's current column (rare: a field whose history starts after the deal's). */
#define LATER_OR_CURRENT(field, column)                                            \
    "(SELECT CASE WHEN count(*) = 0 THEN " column "::text "                        \
    "ELSE (array_agg(x.old_value ORDER BY x.at, x.id NULLS FIRST, x.ord))[1] END " \
    "FROM deal_history_events x WHERE x.deal_id = d.id AND x.field = '" field "')"

/* A bucket {count, amount} over the rows where cond holds, summing expr. */
#define BUCKET(name, cond, expr)                                                           \
    "'" name "', jsonb_build_object('count', count(*) FILTER (WHERE " cond "), 'amount', " \
    "coalesce(sum(" expr ") FILTER (WHERE " cond "), 0)), "

/* $1 org, $2 from, $3 to, $4 period start, $5 period end, $6 team id (with sub-teams) or NULL,
 * $7 rep id or NULL, $8 explain. Scope is decided by the owner as of `to` and that rep's current
 * team. h: each deal's field values at the end of `from` (…0) and of `to` (…1); m: membership of
 * the pipelines (in0, in1) and "closed inside the window and the period" (closed1); f: each
 * deal's entry reason, exit reason, amount change and stage move (openapi.yaml has the rules). */
// clang-format off
static const gf_stmt pipeline_changes = {
    "pipeline_changes",
    "WITH RECURSIVE sub AS ("
    "  SELECT t.id FROM teams t WHERE t.org_id = $1 AND t.id = $6::bigint"
    "  UNION SELECT c.id FROM teams c JOIN sub ON c.parent_id = sub.id), "
    "ev AS (SELECT e.deal_id, e.field, e.old_value, e.new_value, "
    "  (e.at AT TIME ZONE o.time_zone)::date AS day, "
    "  lead((e.at AT TIME ZONE o.time_zone)::date) OVER w AS next_day, "
    "  row_number() OVER w AS n "
    "  FROM deal_history_events e JOIN orgs o ON o.id = e.org_id "
    "  WHERE e.org_id = $1 AND e.at < ($3::date + 1)::timestamp AT TIME ZONE o.time_zone "
    "  AND e.field IN ('stage', 'amount', 'close_date', 'owner', 'deleted') "
    "  WINDOW w AS (PARTITION BY e.deal_id, e.field ORDER BY e.at, e.id NULLS FIRST, e.ord)), "
    "k AS (SELECT ev.*, day <= $2::date AND coalesce(next_day > $2::date, true) AS at0, "
    "  next_day IS NULL AS at1 FROM ev), "
    "h AS (SELECT deal_id, "
    "  " ANY("stage", "at0") " AS exists0, " ANY("stage", "true") " AS exists1, "
    "  " HELD("stage", "at0") " AS stage0, " HELD("stage", "at1") " AS stage1, "
    "  max(day) FILTER (WHERE field = 'stage' AND at1) AS stage_day1, "
    "  coalesce(" HELD("deleted", "at0") " = 'true', false) AS del0, "
    "  coalesce(" HELD("deleted", "at1") " = 'true', false) AS del1, "
    "  " ANY("amount", "at0") " AS a0_ev, " ANY("amount", "true") " AS a1_ev, "
    "  " HELD("amount", "at0") " AS a0, " HELD("amount", "at1") " AS a1, "
    "  " FIRST_OLD("amount") " AS a_first, "
    "  " ANY("close_date", "at0") " AS c0_ev, " ANY("close_date", "true") " AS c1_ev, "
    "  " HELD("close_date", "at0") " AS c0, " HELD("close_date", "at1") " AS c1, "
    "  " FIRST_OLD("close_date") " AS c_first, "
    "  " ANY("owner", "true") " AS o1_ev, " HELD("owner", "at1") " AS o1 "
    "  FROM k GROUP BY deal_id), "
    "st AS MATERIALIZED (SELECT d.id, d.external_id, d.name, h.exists0, h.exists1, h.del0, h.del1, "
    "  h.stage0, h.stage1, h.stage_day1, "
    "  (CASE WHEN h.a0_ev THEN h.a0 WHEN h.a1_ev THEN h.a_first "
    "    ELSE " LATER_OR_CURRENT("amount", "d.amount") " END)::numeric AS amount0, "
    "  (CASE WHEN h.a1_ev THEN h.a1 "
    "    ELSE " LATER_OR_CURRENT("amount", "d.amount") " END)::numeric AS amount1, "
    "  (CASE WHEN h.c0_ev THEN h.c0 WHEN h.c1_ev THEN h.c_first "
    "    ELSE " LATER_OR_CURRENT("close_date", "d.close_date") " END)::date AS close0, "
    "  (CASE WHEN h.c1_ev THEN h.c1 "
    "    ELSE " LATER_OR_CURRENT("close_date", "d.close_date") " END)::date AS close1, "
    "  r.key AS owner1, r.id AS owner_id, r.team_id, "
    "  s0.kind AS kind0, s0.position AS pos0, s1.kind AS kind1, s1.position AS pos1 "
    "  FROM h JOIN deals d ON d.id = h.deal_id AND d.org_id = $1 "
    "  LEFT JOIN stages s0 ON s0.org_id = $1 AND s0.key = h.stage0 "
    "  LEFT JOIN stages s1 ON s1.org_id = $1 AND s1.key = h.stage1 "
    "  LEFT JOIN reps r ON r.org_id = $1 AND r.key = CASE WHEN h.o1_ev THEN h.o1 "
    "    ELSE " LATER_OR_CURRENT("owner", "(SELECT y.key FROM reps y WHERE y.id = d.owner_id)")
    "    END), "
    "m AS (SELECT st.*, "
    "  coalesce(exists0 AND NOT del0 AND kind0 = 'open' "
    "           AND close0 BETWEEN $4::date AND $5::date, false) AS in0, "
    "  coalesce(exists1 AND NOT del1 AND kind1 = 'open' "
    "           AND close1 BETWEEN $4::date AND $5::date, false) AS in1, "
    "  coalesce(exists1 AND NOT del1 AND kind1 IN ('won', 'lost') AND stage_day1 > $2::date "
    "           AND stage_day1 BETWEEN $4::date AND $5::date, false) AS closed1 "
    "  FROM st WHERE ($6::bigint IS NULL OR st.team_id IN (SELECT id FROM sub)) "
    "  AND ($7::bigint IS NULL OR st.owner_id = $7::bigint)), "
    "f AS MATERIALIZED (SELECT m.*, "
    "  CASE WHEN in0 THEN NULL WHEN NOT exists0 OR del0 THEN 'new' "
    "       WHEN kind0 IS DISTINCT FROM 'open' THEN 'reopened' ELSE 'pulled_in' END AS entry, "
    "  CASE WHEN in1 THEN NULL WHEN del1 THEN 'deleted' WHEN kind1 = 'won' THEN 'won' "
    "       WHEN kind1 = 'lost' THEN 'lost' ELSE 'pushed_out' END AS exit, "
    "  CASE WHEN in0 THEN amount1 - amount0 ELSE 0 END AS delta, "
    "  CASE WHEN in0 AND in1 THEN sign(pos1 - pos0) ELSE 0 END AS move "
    "  FROM m WHERE in0 OR in1 OR closed1) "
    "SELECT jsonb_build_object("
    "  'currency', (SELECT o.currency FROM orgs o WHERE o.id = $1), "
    "  'buckets', jsonb_build_object("
    "    " BUCKET("start", "in0", "amount0")
    "    " BUCKET("new", "entry = 'new'", "amount1")
    "    " BUCKET("pulled_in", "entry = 'pulled_in'", "amount1")
    "    " BUCKET("reopened", "entry = 'reopened'", "amount1")
    "    " BUCKET("amount_up", "delta > 0", "delta")
    "    " BUCKET("amount_down", "delta < 0", "-delta")
    "    " BUCKET("won", "exit = 'won'", "amount1")
    "    " BUCKET("lost", "exit = 'lost'", "amount1")
    "    " BUCKET("pushed_out", "exit = 'pushed_out'", "amount1")
    "    " BUCKET("deleted", "exit = 'deleted'", "amount1")
    "    " BUCKET("end", "in1", "amount1")
    "    'stage_advanced', jsonb_build_object('count', count(*) FILTER (WHERE move > 0)), "
    "    'stage_regressed', jsonb_build_object('count', count(*) FILTER (WHERE move < 0)))) "
    "  || CASE WHEN $8::boolean THEN jsonb_build_object('deals', coalesce(jsonb_agg("
    "    jsonb_build_object('id', id, 'external_id', external_id, 'name', name, "
    "      'owner', owner1, "
    "      'buckets', to_jsonb(array_remove(ARRAY[CASE WHEN in0 THEN 'start' END, entry, "
    "        CASE WHEN delta > 0 THEN 'amount_up' WHEN delta < 0 THEN 'amount_down' END, "
    "        CASE WHEN move > 0 THEN 'stage_advanced' WHEN move < 0 THEN 'stage_regressed' END, "
    "        exit, CASE WHEN in1 THEN 'end' END], NULL)), "
    "      'amount_change', delta, "
    "      'from', CASE WHEN exists0 AND NOT del0 THEN jsonb_build_object('stage', stage0, "
    "        'amount', amount0, 'close_date', close0) END, "
    "      'to', jsonb_build_object('stage', stage1, 'amount', amount1, 'close_date', close1, "
    "        'closed_on', CASE WHEN kind1 IN ('won', 'lost') THEN stage_day1 END, "
    "        'deleted', del1)) ORDER BY id), '[]'::jsonb)) ELSE '{}'::jsonb END "
    "FROM f"};
// clang-format on

/* JIT compilation of this wide statement costs more than running it (measured: 1.2 s of JIT
 * for 1.9 s of execution over a million events), so it is switched off for its transaction. */
static const gf_stmt pipeline_no_jit = {"pipeline_no_jit", "SELECT set_config('jit', 'off', true)"};

json_t *gf_store_pipeline_changes(int64_t org_id, const gf_pipeline_query *q, gf_err *err)
{
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_date(&a, q->from);
    gf_db_arg_date(&a, q->to);
    gf_db_arg_date(&a, q->period->start);
    gf_db_arg_date(&a, q->period->end);
    gf_store__arg_scope_ids(&a, &q->scope);
    gf_db_arg_bool(&a, q->explain);
    json_t *out = NULL;
    if (gf_db_begin(err) < 0)
        return NULL;
    if (gf_db_run(&pipeline_no_jit, NULL, err) < 0)
        goto fail;
    out = gf_db_one_json(&pipeline_changes, &a, 0, "org", NULL, err);
    if (!out)
        goto fail;
    if (gf_db_commit(err) < 0) {
        json_decref(out);
        return NULL;
    }
    return out;
fail:
    gf_db_rollback();
    return NULL;
}

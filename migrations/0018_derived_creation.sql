-- 0018_derived_creation.sql — a bulk import no longer writes a new deal's creation events: the
-- deal row carries them, and every reader of history sees them through deal_history_events.
--
-- A deal created by POST /v1/imports/deals used to cost one deals row and five or six
-- deal_events rows (stage, amount, close date, category, owner, and the move to a won or lost
-- stage of a backdated closed row), each with three index entries: 85% of a million-row import.
-- What those rows said is fixed at creation, so the deal stores it in place (born_*; born_at
-- NULL: the deal's creation events are stored, as for every deal before this migration and for
-- the single-deal API, which writes one deal at a time). The values are the text the events
-- held, so readers see exactly the rows they used to.
--
--   born_at          the creation events' time (local midnight of created_on when backdated)
--   born_close_at    the time of the close-date creation event; for a backdated closed row (one
--                    born_open_stage is set for) also that of its move to born_stage
--   born_open_stage  the funnel's first open stage a backdated closed row was created in, or NULL
--   born_stage       the stage key at creation (after the move, for a backdated closed row)
--   born_amount, born_close_date, born_category, born_owner  the other values at creation
ALTER TABLE deals ADD COLUMN born_at timestamptz,
                  ADD COLUMN born_close_at timestamptz,
                  ADD COLUMN born_open_stage text,
                  ADD COLUMN born_stage text,
                  ADD COLUMN born_amount numeric(18, 2),
                  ADD COLUMN born_close_date date,
                  ADD COLUMN born_category text,
                  ADD COLUMN born_owner text;

-- Every deal's history: the creation events a deal row carries (id NULL: they are not stored;
-- ord keeps their order, before any stored event at the same time), then the stored events.
-- Readers filter on org_id (and deal_id, at, field), which both branches take.
-- security_invoker: the view reads deals and deal_events with the querying role's rights, so
-- their row-level security (0017) holds through it (a view otherwise runs as its owner).
CREATE VIEW deal_history_events WITH (security_invoker = true) AS
SELECT d.org_id, d.id AS deal_id, NULL::bigint AS id, v.ord, v.at, v.field, v.old_value,
       v.new_value
FROM deals d CROSS JOIN LATERAL (VALUES
    (1, d.born_at, 'stage', NULL::text, coalesce(d.born_open_stage, d.born_stage)),
    (2, d.born_at, 'amount', NULL, d.born_amount::text),
    (3, d.born_close_at, 'close_date', NULL, to_char(d.born_close_date, 'YYYY-MM-DD')),
    (4, d.born_at, 'category', NULL, d.born_category),
    (5, d.born_at, 'owner', NULL, d.born_owner),
    (6, d.born_close_at, 'stage', d.born_open_stage,
     CASE WHEN d.born_open_stage IS NOT NULL THEN d.born_stage END))
    v(ord, at, field, old_value, new_value)
WHERE d.born_at IS NOT NULL AND v.new_value IS NOT NULL
UNION ALL
SELECT e.org_id, e.deal_id, e.id, 0, e.at, e.field, e.old_value, e.new_value
FROM deal_events e;

-- Index review (README, Import): every index of deals and deal_events against the queries that
-- use it. deals_org_close served only GET /v1/deals with a close-date range of a few days: for a
-- month or a quarter the planner already walks the deals in id order (the list's cursor) and
-- filters on the way, and forecasts, waterfalls and alerts never use it. It cost a write per
-- imported row. deals_org_updated stays: updated_since is a sync client's poll, narrow by nature.
DROP INDEX deals_org_close;

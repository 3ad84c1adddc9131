-- 0006_import_speed.sql — what a bulk import of a million deals costs, and what it no longer has
-- to pay for.
--
-- Measured on 1,000,000 rows (bench/import/run.sh): the per-row foreign key checks cost 11 s on
-- deals (3 keys) and 36 s on deal_events (2 keys, 5 events per new deal) — more than everything
-- else together. They are replaced by guarantees the code paths that write these tables give:
--
-- * deals.stage_id: every writer (the deal API in src/store/deals.c and the imports) resolves the
--   stage by (org_id, key) after taking the org's stage lock in shared mode (advisory lock class
--   71001); replacing the stage list takes it exclusively, checks that no deal uses a stage it
--   removes and deletes it. So a stage in use is never deleted, and no writer stores the id of a
--   stage being removed. deals_stage stays: that in-use check needs it.
-- * deals.owner_id: reps are resolved by (org_id, key) and are never deleted (no endpoint deletes
--   a rep; they are deactivated). deals_owner served only the foreign key (lists filter owners by
--   key through a join), so it goes too.
-- * deals.org_id, deal_events.org_id: every row is written with the caller's org id, which the
--   API key resolved; orgs are never deleted by the service. The cascade that deleting an org by
--   hand relied on is kept by the trigger below.
-- * deal_events.deal_id: events are written only in the transaction that inserted or locked
--   (FOR UPDATE) their deal, with its id; deals are never deleted (soft delete), so an event's
--   deal always exists.

ALTER TABLE deals DROP CONSTRAINT deals_owner_id_fkey,
                  DROP CONSTRAINT deals_stage_id_fkey,
                  DROP CONSTRAINT deals_org_id_fkey;
ALTER TABLE deal_events DROP CONSTRAINT deal_events_deal_id_fkey,
                        DROP CONSTRAINT deal_events_org_id_fkey;
DROP INDEX deals_owner;

-- Deleting an org (by hand: the service never does) still removes its deals and their history,
-- before the cascades of reps and stages run.
CREATE FUNCTION gf_org_delete_deals() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM deal_events WHERE org_id = OLD.id;
    DELETE FROM deals WHERE org_id = OLD.id;
    RETURN OLD;
END
$$;
CREATE TRIGGER orgs_delete_deals BEFORE DELETE ON orgs
    FOR EACH ROW EXECUTE FUNCTION gf_org_delete_deals();

-- Imports of history and KPI series (src/store/import_history.c).

-- A timestamp from "YYYY-MM-DD" (midnight in tz) or an RFC 3339 / CRM timestamp
-- ("2026-01-15T10:00:00.000+0000"); NULL for anything else, so no cast can fail mid-import.
CREATE FUNCTION gf_norm_timestamp(x text, tz text) RETURNS timestamptz LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN gf_norm_date(x) IS NULL THEN NULL
        WHEN length(btrim(x)) = 10 THEN btrim(x)::date::timestamp AT TIME ZONE tz
        WHEN btrim(x) ~ ('^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ]([01][0-9]|2[0-3]):[0-5][0-9]'
                         '(:[0-5][0-9](\.[0-9]{1,9})?)?([Zz]|[+-]([01][0-9]|2[0-3])(:?[0-5][0-9])?)?$')
            THEN btrim(x)::timestamptz END
$$;

-- An event value in the form the deal API writes it (stage and owner keys, amounts with two
-- decimals, ISO dates, our categories); NULL when raw names nothing valid for the field.
CREATE FUNCTION gf_event_value(org bigint, f text, raw text) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT CASE f
        WHEN 'stage' THEN (SELECT s.key FROM stages s WHERE s.org_id = org
            AND (s.key = btrim(raw) OR lower(s.name) = lower(btrim(raw)) OR s.key = gf_key_of(raw))
            ORDER BY s.key = btrim(raw) DESC LIMIT 1)
        WHEN 'owner' THEN (SELECT r.key FROM reps r WHERE r.org_id = org
            AND (r.key = btrim(raw) OR r.key = gf_key_of(raw)) ORDER BY r.key = btrim(raw) DESC LIMIT 1)
        WHEN 'amount' THEN CASE WHEN btrim(raw) ~ '^[0-9]{1,16}(\.[0-9]{1,2})?$'
            THEN btrim(raw)::numeric(18, 2)::text END
        WHEN 'close_date' THEN gf_norm_date(raw)::text
        WHEN 'category' THEN gf_norm_category(raw) END
$$;

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

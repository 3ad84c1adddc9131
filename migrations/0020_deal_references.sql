-- 0020_deal_references.sql — deals → reps and deals → stages checked once per statement.
--
-- 0017 made both references composite foreign keys, (org_id, owner_id) → reps and (org_id,
-- stage_id) → stages. PostgreSQL checks a foreign key row by row (one index probe through SPI per
-- written deal, two per deal here): on a bulk import of a million deals that was 8.8 s of the
-- insert's 17 s, and the import could not reach half of `psql \copy` (issue 13). The same rule is
-- now checked per statement over its transition table, which the data-version triggers (0014)
-- already keep: the distinct (org, owner, stage) triples a statement wrote (a few hundred for a
-- million rows) are locked and looked up at once. The database still refuses a deal that names
-- another org's rep or stage, or a rep or stage that does not exist, with the foreign key
-- violation's SQLSTATE 23503, whatever the code above it does; and it still refuses to delete a
-- rep or stage that a deal names, or to change its (org_id, id).
--
-- As a foreign key does: the checks see every org's rows (the functions run as their owner, who
-- runs these migrations and is superuser or BYPASSRLS, see 0017), and the referenced rows are
-- locked FOR KEY SHARE until the writing transaction ends, so a concurrent delete of a rep or
-- stage waits for it and then sees its deals (in READ COMMITTED, the service's level).
ALTER TABLE deals DROP CONSTRAINT deals_org_id_owner_id_fkey,
                  DROP CONSTRAINT deals_org_id_stage_id_fkey;

-- After an INSERT or UPDATE of deals: every (org_id, owner_id) with an owner is a rep and every
-- (org_id, stage_id) a stage.
CREATE FUNCTION gf_deal_references_check() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
    orgs bigint[];
    owners bigint[];
    stage_ids bigint[];
    missing text;
BEGIN
    SELECT array_agg(r.org_id), array_agg(r.owner_id), array_agg(r.stage_id)
      INTO orgs, owners, stage_ids
      FROM (SELECT DISTINCT n.org_id, n.owner_id, n.stage_id FROM gf_new n) r;
    IF orgs IS NULL THEN
        RETURN NULL;
    END IF;
    PERFORM 1 FROM reps p JOIN (SELECT DISTINCT u.o, u.w FROM unnest(orgs, owners) u(o, w)) k
        ON p.org_id = k.o AND p.id = k.w FOR KEY SHARE OF p;
    PERFORM 1 FROM stages s JOIN (SELECT DISTINCT u.o, u.s FROM unnest(orgs, stage_ids) u(o, s)) k
        ON s.org_id = k.o AND s.id = k.s FOR KEY SHARE OF s;
    SELECT format('(org_id, owner_id)=(%s, %s) is not present in table "reps"', u.o, u.w)
      INTO missing FROM unnest(orgs, owners) u(o, w)
     WHERE u.w IS NOT NULL AND NOT EXISTS (SELECT 1 FROM reps p WHERE p.org_id = u.o AND p.id = u.w)
     LIMIT 1;
    IF missing IS NULL THEN
        SELECT format('(org_id, stage_id)=(%s, %s) is not present in table "stages"', u.o, u.s)
          INTO missing FROM unnest(orgs, stage_ids) u(o, s)
         WHERE NOT EXISTS (SELECT 1 FROM stages s WHERE s.org_id = u.o AND s.id = u.s)
         LIMIT 1;
    END IF;
    IF missing IS NOT NULL THEN
        RAISE foreign_key_violation USING
            MESSAGE = 'insert or update on table "deals" names a rep or stage of no such org',
            DETAIL = 'Key ' || missing || '.', TABLE = 'deals';
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER deals_references_ins AFTER INSERT ON deals REFERENCING NEW TABLE AS gf_new
    FOR EACH STATEMENT EXECUTE FUNCTION gf_deal_references_check();
CREATE TRIGGER deals_references_upd AFTER UPDATE ON deals REFERENCING NEW TABLE AS gf_new
    FOR EACH STATEMENT EXECUTE FUNCTION gf_deal_references_check();

-- After a DELETE of a rep or stage, or an UPDATE of its (org_id, id): no deal names the old row.
-- TG_ARGV[0] is the deals column that names it (owner_id or stage_id).
CREATE FUNCTION gf_deal_referenced_check() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
    used boolean;
BEGIN
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM deals d WHERE d.org_id = $1 AND d.%I = $2)',
                   TG_ARGV[0]) INTO used USING OLD.org_id, OLD.id;
    IF used THEN
        RAISE foreign_key_violation USING
            MESSAGE = format('%s on table "%s" leaves deals naming a row that is gone',
                             lower(TG_OP), TG_TABLE_NAME),
            DETAIL = format('Key (org_id, id)=(%s, %s) is still named by table "deals".',
                            OLD.org_id, OLD.id),
            TABLE = TG_TABLE_NAME;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER reps_deal_references_del AFTER DELETE ON reps
    FOR EACH ROW EXECUTE FUNCTION gf_deal_referenced_check('owner_id');
CREATE TRIGGER reps_deal_references_upd AFTER UPDATE OF org_id, id ON reps
    FOR EACH ROW WHEN (OLD.org_id IS DISTINCT FROM NEW.org_id OR OLD.id IS DISTINCT FROM NEW.id)
    EXECUTE FUNCTION gf_deal_referenced_check('owner_id');
CREATE TRIGGER stages_deal_references_del AFTER DELETE ON stages
    FOR EACH ROW EXECUTE FUNCTION gf_deal_referenced_check('stage_id');
CREATE TRIGGER stages_deal_references_upd AFTER UPDATE OF org_id, id ON stages
    FOR EACH ROW WHEN (OLD.org_id IS DISTINCT FROM NEW.org_id OR OLD.id IS DISTINCT FROM NEW.id)
    EXECUTE FUNCTION gf_deal_referenced_check('stage_id');

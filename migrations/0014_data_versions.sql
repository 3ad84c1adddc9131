-- 0014_data_versions.sql — exact caching: a data version per org, bumped in the same
-- transaction as any write that can change a forecast, and an epoch of the API keys, bumped by
-- any change to a key (a revocation above all).
--
-- The service keys its history and response caches, and the ETags of forecasts, roll-ups and
-- projections, by (org, data version, parameters, model version): a write changes the version, so
-- a cached answer is never stale. The bump is one statement-level trigger per table and kind of
-- write: it reads the statement's transition table (the rows it wrote) for the orgs concerned and
-- updates their version row once per statement, however many rows the statement wrote (a bulk
-- import costs one UPDATE). The version row is locked from the first write of a transaction to
-- its commit, so writes of one org serialise on it at the end of their transactions.
CREATE TABLE org_data_versions (
    org_id  bigint PRIMARY KEY REFERENCES orgs (id) ON DELETE CASCADE,
    version bigint NOT NULL DEFAULT 1 CHECK (version >= 1)
);
INSERT INTO org_data_versions (org_id) SELECT id FROM orgs;

-- One row: bumped whenever a key is revoked, changed or deleted, so that every replica drops the
-- keys it verified (it reads the epoch at most once a second).
CREATE TABLE api_key_epoch (
    one   boolean PRIMARY KEY DEFAULT true CHECK (one),
    epoch bigint NOT NULL DEFAULT 1
);
INSERT INTO api_key_epoch DEFAULT VALUES;

CREATE FUNCTION gf_data_version_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE org_data_versions v SET version = v.version + 1
     WHERE v.org_id IN (SELECT DISTINCT n.org_id FROM gf_new n);
    RETURN NULL;
END $$;

CREATE FUNCTION gf_data_version_old() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE org_data_versions v SET version = v.version + 1
     WHERE v.org_id IN (SELECT DISTINCT o.org_id FROM gf_old o);
    RETURN NULL;
END $$;

-- Tracks a table with an org_id column: its inserts, updates and deletes bump the version of the
-- orgs whose rows they wrote. A table added later whose rows a forecast reads calls it too.
CREATE FUNCTION gf_data_version_track(tbl regclass) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    t text := (SELECT relname FROM pg_class WHERE oid = tbl);
BEGIN
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %s REFERENCING NEW TABLE AS gf_new '
                   'FOR EACH STATEMENT EXECUTE FUNCTION gf_data_version_new()', t || '_dv_ins', tbl);
    EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %s REFERENCING NEW TABLE AS gf_new '
                   'FOR EACH STATEMENT EXECUTE FUNCTION gf_data_version_new()', t || '_dv_upd', tbl);
    EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %s REFERENCING OLD TABLE AS gf_old '
                   'FOR EACH STATEMENT EXECUTE FUNCTION gf_data_version_old()', t || '_dv_del', tbl);
END $$;

-- Everything a forecast, roll-up, projection, "why", scenario, plan or scorecard reads.
SELECT gf_data_version_track('teams');
SELECT gf_data_version_track('reps');
SELECT gf_data_version_track('stages');
SELECT gf_data_version_track('deals');
SELECT gf_data_version_track('deal_events');
SELECT gf_data_version_track('targets');
SELECT gf_data_version_track('commits');
SELECT gf_data_version_track('adjustments');
SELECT gf_data_version_track('kpis');
SELECT gf_data_version_track('kpi_observations');
SELECT gf_data_version_track('levers');

-- The org's own settings (fiscal year, time zone, currency) change every answer; a new org starts
-- at version 1.
CREATE FUNCTION gf_data_version_org() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO org_data_versions (org_id) VALUES (NEW.id);
    ELSE
        UPDATE org_data_versions SET version = version + 1 WHERE org_id = NEW.id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER orgs_dv AFTER INSERT OR UPDATE ON orgs
    FOR EACH ROW EXECUTE FUNCTION gf_data_version_org();

CREATE FUNCTION gf_api_key_epoch_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE api_key_epoch SET epoch = epoch + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER api_keys_epoch AFTER UPDATE OR DELETE ON api_keys
    FOR EACH STATEMENT EXECUTE FUNCTION gf_api_key_epoch_bump();

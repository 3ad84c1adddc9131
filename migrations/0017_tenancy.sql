-- 0017_tenancy.sql — tenant isolation in the schema itself (issue 13).
--
-- 1. Every key of a tenant table contains org_id, and every reference between tenant tables
--    includes it: the primary keys become (org_id, id) and the foreign keys (org_id, x_id) ->
--    (org_id, id), so the database refuses a row of one org that names another org's row (a deal
--    owned by another org's rep, a target of another org's team). This is also the shape a
--    tenant-sharded PostgreSQL (Citus, deploy/citus.md) needs: distributed by org_id, every
--    primary and unique key and every foreign key between distributed tables contains it.
--
--    The one unique key without org_id is api_keys.prefix: a key is looked up by its prefix
--    before its org is known, so the prefix must be unique across orgs (on Citus, api_keys is a
--    reference table, with orgs). orgs is the tenants' own table (its id is the org).
--
-- Existing data is kept: every row already names rows of its own org (the service resolves every
-- id by (org_id, key)), which the new foreign keys check as they are added.

-- Every foreign key between tenant tables goes first (they depend on the primary keys).
ALTER TABLE teams DROP CONSTRAINT teams_parent_id_fkey;
ALTER TABLE reps DROP CONSTRAINT reps_team_id_fkey;
ALTER TABLE kpi_observations DROP CONSTRAINT kpi_observations_kpi_id_fkey;
ALTER TABLE targets DROP CONSTRAINT targets_team_id_fkey,
                    DROP CONSTRAINT targets_rep_id_fkey,
                    DROP CONSTRAINT targets_kpi_id_fkey;
ALTER TABLE commits DROP CONSTRAINT commits_team_id_fkey,
                    DROP CONSTRAINT commits_rep_id_fkey;
ALTER TABLE levers DROP CONSTRAINT levers_kpi_id_fkey;
ALTER TABLE adjustments DROP CONSTRAINT adjustments_team_id_fkey,
                        DROP CONSTRAINT adjustments_rep_id_fkey,
                        DROP CONSTRAINT adjustments_key_id_fkey,
                        DROP CONSTRAINT adjustments_supersedes_fkey,
                        DROP CONSTRAINT adjustments_previous_commit_id_fkey;
ALTER TABLE alert_states DROP CONSTRAINT alert_states_rule_id_fkey;
ALTER TABLE alerts DROP CONSTRAINT alerts_rule_id_fkey;
ALTER TABLE deliveries DROP CONSTRAINT deliveries_alert_id_fkey,
                       DROP CONSTRAINT deliveries_webhook_id_fkey;

-- Primary keys (org_id, id). The index on (org_id, id) or (org_id, id DESC) each table had for
-- its org's pages is the primary key's now; a plain index on id keeps the lookups and joins by id
-- alone as fast as before (deal_events and kpi_observations have none: nothing reads them by id).
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['api_keys', 'teams', 'reps', 'stages', 'deals', 'deal_events', 'kpis',
                             'kpi_observations', 'targets', 'commits', 'levers',
                             'forecast_snapshots', 'backtests', 'adjustments', 'webhooks',
                             'alert_rules', 'alerts', 'deliveries'] LOOP
        EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I, ADD PRIMARY KEY (org_id, id)',
                       t, t || '_pkey');
        IF t NOT IN ('deal_events', 'kpi_observations') THEN
            EXECUTE format('CREATE INDEX %I ON %I (id)', t || '_id', t);
        END IF;
    END LOOP;
END $$;
DROP INDEX api_keys_org, deals_org_id, webhooks_org, forecast_snapshots_org, backtests_org,
           adjustments_org, alerts_org, deliveries_org;

-- The other unique keys, with org_id.
ALTER TABLE kpi_observations DROP CONSTRAINT kpi_observations_kpi_id_observed_on_key,
    ADD CONSTRAINT kpi_observations_org_kpi_day UNIQUE (org_id, kpi_id, observed_on);
DROP INDEX kpi_observations_org;
DROP INDEX adjustments_supersedes;
CREATE UNIQUE INDEX adjustments_supersedes ON adjustments (org_id, supersedes);
ALTER TABLE alert_states DROP CONSTRAINT alert_states_pkey,
    ADD PRIMARY KEY (org_id, rule_id, scope, period);
ALTER TABLE deliveries DROP CONSTRAINT deliveries_msg_id_key,
    ADD CONSTRAINT deliveries_org_msg UNIQUE (org_id, msg_id);

-- The references, each with its org. A nullable reference (owner_id, team_id, ...) is checked
-- when it is set (MATCH SIMPLE); deleting an alert rule keeps its alerts and clears only rule_id.
ALTER TABLE teams ADD FOREIGN KEY (org_id, parent_id) REFERENCES teams (org_id, id);
ALTER TABLE reps ADD FOREIGN KEY (org_id, team_id) REFERENCES teams (org_id, id);
ALTER TABLE kpi_observations ADD FOREIGN KEY (org_id, kpi_id) REFERENCES kpis (org_id, id)
    ON DELETE CASCADE;
ALTER TABLE targets ADD FOREIGN KEY (org_id, team_id) REFERENCES teams (org_id, id),
                    ADD FOREIGN KEY (org_id, rep_id) REFERENCES reps (org_id, id),
                    ADD FOREIGN KEY (org_id, kpi_id) REFERENCES kpis (org_id, id);
ALTER TABLE commits ADD FOREIGN KEY (org_id, team_id) REFERENCES teams (org_id, id),
                    ADD FOREIGN KEY (org_id, rep_id) REFERENCES reps (org_id, id);
ALTER TABLE levers ADD FOREIGN KEY (org_id, kpi_id) REFERENCES kpis (org_id, id);
ALTER TABLE adjustments
    ADD FOREIGN KEY (org_id, team_id) REFERENCES teams (org_id, id),
    ADD FOREIGN KEY (org_id, rep_id) REFERENCES reps (org_id, id),
    ADD FOREIGN KEY (org_id, key_id) REFERENCES api_keys (org_id, id),
    ADD FOREIGN KEY (org_id, supersedes) REFERENCES adjustments (org_id, id),
    ADD FOREIGN KEY (org_id, previous_commit_id) REFERENCES commits (org_id, id);
ALTER TABLE alert_states ADD FOREIGN KEY (org_id, rule_id) REFERENCES alert_rules (org_id, id)
    ON DELETE CASCADE;
ALTER TABLE alerts ADD FOREIGN KEY (org_id, rule_id) REFERENCES alert_rules (org_id, id)
    ON DELETE SET NULL (rule_id);
ALTER TABLE deliveries
    ADD FOREIGN KEY (org_id, alert_id) REFERENCES alerts (org_id, id) ON DELETE CASCADE,
    ADD FOREIGN KEY (org_id, webhook_id) REFERENCES webhooks (org_id, id) ON DELETE CASCADE;

-- The deal tables' references, which 0006 dropped for the import's speed, come back with their
-- org where it matters most: they are what refuses a deal owned by another org's rep or at
-- another org's stage. Each costs one index probe of a small table per written deal.
ALTER TABLE deals ADD FOREIGN KEY (org_id, owner_id) REFERENCES reps (org_id, id),
                  ADD FOREIGN KEY (org_id, stage_id) REFERENCES stages (org_id, id);
-- deal_events.(org_id, deal_id) stays unchecked by a foreign key, as 0006 decided: an event is
-- written only in the transaction that inserted or locked its deal, by the deal's (org_id, id),
-- and row-level security (below) holds its org_id to the transaction's org. A bulk load writes
-- events right after their deals in one transaction, where PostgreSQL's cached plan of the
-- per-row check scans the freshly filled deals table instead of probing its key: a demo org's
-- history ran past the statement timeout (integration-scorecard). Re-adding it is one statement
-- (ALTER TABLE deal_events ADD FOREIGN KEY (org_id, deal_id) REFERENCES deals (org_id, id)),
-- for an operator who wants the check and loads history in smaller transactions.

-- The JSON shapes follow each reference with its org, so that they use the primary keys.
CREATE OR REPLACE FUNCTION gf_team_json(t teams) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'key', t.key, 'name', t.name,
        'parent', (SELECT p.key FROM teams p WHERE p.org_id = t.org_id AND p.id = t.parent_id),
        'created_at', t.created_at, 'updated_at', t.updated_at)
$$;

CREATE OR REPLACE FUNCTION gf_rep_json(r reps) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'key', r.key, 'name', r.name, 'email', r.email,
        'team', (SELECT t.key FROM teams t WHERE t.org_id = r.org_id AND t.id = r.team_id),
        'hired_on', r.hired_on, 'ramp_months', r.ramp_months, 'active', r.active,
        'created_at', r.created_at, 'updated_at', r.updated_at)
$$;

CREATE OR REPLACE FUNCTION gf_deal_json(d deals) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', d.id, 'external_id', d.external_id, 'name', d.name, 'account', d.account,
        'owner', (SELECT r.key FROM reps r WHERE r.org_id = d.org_id AND r.id = d.owner_id),
        'amount', d.amount,
        'stage', s.key, 'status', s.kind,
        'category', d.category, 'source', d.source,
        'created_on', d.created_on, 'close_date', d.close_date, 'closed_on', d.closed_on,
        'created_at', d.created_at, 'updated_at', d.updated_at)
    FROM stages s WHERE s.org_id = d.org_id AND s.id = d.stage_id
$$;

-- 2. Row-level security: every tenant table shows and accepts only the rows of the org that the
--    transaction names in gapforge.org_id (the service sets it with set_config(..., true) in
--    each transaction: src/store/db.c). No org set: no rows. Forced, so the tables' owner is held
--    to it too unless it is a superuser or has BYPASSRLS (the owner that runs these migrations
--    must: they rewrite data across orgs). Foreign key checks are not filtered (PostgreSQL runs
--    them without row security), so the references above still see every org's rows.
CREATE FUNCTION gf_current_org() RETURNS bigint LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT nullif(current_setting('gapforge.org_id', true), '')::bigint
$$;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['api_keys', 'teams', 'reps', 'stages', 'deals', 'deal_events', 'kpis',
                             'kpi_observations', 'targets', 'commits', 'levers',
                             'forecast_snapshots', 'backtests', 'adjustments', 'snapshot_runs',
                             'webhooks', 'alert_rules', 'alert_states', 'alerts', 'deliveries',
                             'org_data_versions', 'idempotency_keys'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant ON %I USING (org_id = gf_current_org()) '
                       'WITH CHECK (org_id = gf_current_org())', t);
    END LOOP;
END $$;
ALTER TABLE orgs ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant ON orgs USING (id = gf_current_org()) WITH CHECK (id = gf_current_org());

-- The few questions that must look across orgs, each answered by a function that runs as the
-- owner (SECURITY DEFINER) and returns no more than the question needs.

-- A key by its public prefix, before its org is known (the caller checks the secret's hash).
CREATE FUNCTION gf_api_key_lookup(key_prefix text)
RETURNS TABLE (id bigint, org_id bigint, slug text, secret_sha256 text, scopes text,
               revoked boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$
    SELECT k.id, k.org_id, o.slug, k.secret_sha256, array_to_string(k.scopes, ','),
           k.revoked_at IS NOT NULL
    FROM api_keys k JOIN orgs o ON o.id = k.org_id WHERE k.prefix = key_prefix
$$;

-- A new org (POST /v1/orgs, with the service admin token): its id and JSON.
CREATE FUNCTION gf_org_create(o_slug text, o_name text, o_currency text, o_fy int, o_tz text)
RETURNS TABLE (id bigint, org jsonb)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path FROM CURRENT AS $$
    INSERT INTO orgs (slug, name, currency, fiscal_year_start_month, time_zone)
    VALUES (o_slug, o_name, coalesce(o_currency, 'USD'), coalesce(o_fy, 1), coalesce(o_tz, 'UTC'))
    RETURNING id, gf_org_json(orgs)
$$;

-- The orgs' ids, for the daily snapshots; the orgs with enabled alert rules, for their scheduler.
CREATE FUNCTION gf_org_ids() RETURNS SETOF bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$
    SELECT id FROM orgs ORDER BY id
$$;
CREATE FUNCTION gf_alert_org_ids() RETURNS SETOF bigint
LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$
    SELECT DISTINCT org_id FROM alert_rules WHERE enabled ORDER BY org_id
$$;

-- The outbox across orgs: its depth (a metric), and the claim of the next due delivery by a
-- sender, which then works in that delivery's org.
CREATE FUNCTION gf_outbox_depth(OUT pending bigint, OUT oldest_age_s double precision)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path FROM CURRENT AS $$
    SELECT count(*), coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8
    FROM deliveries WHERE status = 'pending'
$$;
CREATE FUNCTION gf_delivery_claim(lease_ms int)
RETURNS TABLE (id bigint, org_id bigint, webhook_id bigint, attempts int, msg_id text, kind text,
               body text, url text, secret_sealed text)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path FROM CURRENT AS $$
    WITH c AS (SELECT d.org_id, d.id FROM deliveries d WHERE d.status = 'pending'
                 AND d.next_attempt_at <= now() ORDER BY d.next_attempt_at, d.id
                 FOR UPDATE SKIP LOCKED LIMIT 1)
    UPDATE deliveries d SET attempts = d.attempts + 1, last_attempt_at = now(),
           next_attempt_at = now() + lease_ms * interval '1 millisecond'
    FROM c, webhooks w
    WHERE d.org_id = c.org_id AND d.id = c.id AND w.org_id = d.org_id AND w.id = d.webhook_id
    RETURNING d.id, d.org_id, d.webhook_id, d.attempts, d.msg_id, w.kind, d.body, w.url,
              w.secret_sealed
$$;

-- The service's role: no superuser, no BYPASSRLS, no ownership, so row-level security holds for
-- it. Made here when it does not exist (the migrating role then needs CREATEROLE; an operator may
-- create it beforehand, with a password, and these statements only grant). It logs in without a
-- password only where pg_hba.conf trusts it (the development and test clusters' local socket).
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'gapforge_app') THEN
        CREATE ROLE gapforge_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    END IF;
    EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO gapforge_app', current_database());
END $$;
GRANT USAGE ON SCHEMA public TO gapforge_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO gapforge_app;
REVOKE INSERT, UPDATE, DELETE ON schema_migrations FROM gapforge_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO gapforge_app;
-- Tables and sequences that later migrations create are the service's too.
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES
    TO gapforge_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO gapforge_app;

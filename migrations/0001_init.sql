-- 0001_init.sql — tenants, keys, the sales organisation and deals with their full history.
-- Every row belongs to an org; every query filters by it.

CREATE TABLE orgs (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    currency    text NOT NULL DEFAULT 'USD' CHECK (currency ~ '^[A-Z]{3}$'),
    fiscal_year_start_month int NOT NULL DEFAULT 1 CHECK (fiscal_year_start_month BETWEEN 1 AND 12),
    time_zone   text NOT NULL DEFAULT 'UTC',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_keys (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id        bigint NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    prefix        text NOT NULL UNIQUE,
    secret_sha256 text NOT NULL,
    scopes        text[] NOT NULL CHECK (scopes <@ ARRAY['read', 'write', 'admin']),
    created_at    timestamptz NOT NULL DEFAULT now(),
    revoked_at    timestamptz
);
CREATE INDEX api_keys_org ON api_keys (org_id, id);

CREATE TABLE teams (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id      bigint NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    key         text NOT NULL,
    name        text NOT NULL,
    parent_id   bigint REFERENCES teams (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, key)
);

CREATE TABLE reps (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id      bigint NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    key         text NOT NULL,
    name        text NOT NULL,
    email       text,
    team_id     bigint REFERENCES teams (id),
    hired_on    date,
    ramp_months int NOT NULL DEFAULT 0 CHECK (ramp_months BETWEEN 0 AND 60),
    active      boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, key)
);
CREATE INDEX reps_team ON reps (team_id);

CREATE TABLE stages (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id      bigint NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    key         text NOT NULL,
    name        text NOT NULL,
    position    int NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('open', 'won', 'lost')),
    probability numeric(5, 4) NOT NULL CHECK (probability BETWEEN 0 AND 1),
    UNIQUE (org_id, key)
);

CREATE TABLE deals (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id      bigint NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    external_id text NOT NULL,
    name        text NOT NULL,
    account     text,
    owner_id    bigint REFERENCES reps (id),
    amount      numeric(18, 2) NOT NULL DEFAULT 0 CHECK (amount >= 0),
    stage_id    bigint NOT NULL REFERENCES stages (id),
    category    text NOT NULL DEFAULT 'pipeline'
                CHECK (category IN ('pipeline', 'best_case', 'commit', 'omitted')),
    source      text NOT NULL DEFAULT 'other'
                CHECK (source IN ('marketing', 'sales', 'partner', 'other')),
    created_on  date NOT NULL,
    close_date  date,
    closed_on   date,
    deleted_at  timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, external_id)
);
CREATE INDEX deals_org_id ON deals (org_id, id);
CREATE INDEX deals_org_close ON deals (org_id, close_date);
CREATE INDEX deals_org_updated ON deals (org_id, updated_at);
CREATE INDEX deals_owner ON deals (owner_id);
CREATE INDEX deals_stage ON deals (stage_id);

-- Append-only history: one row per changed field, written in the same transaction as the change.
-- A deal's creation writes one row per tracked field with old_value NULL.
CREATE TABLE deal_events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id      bigint NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    deal_id     bigint NOT NULL REFERENCES deals (id),
    at          timestamptz NOT NULL,
    field       text NOT NULL
                CHECK (field IN ('stage', 'amount', 'close_date', 'category', 'owner', 'deleted')),
    old_value   text,
    new_value   text,
    recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX deal_events_deal ON deal_events (deal_id, at, id);
CREATE INDEX deal_events_org_at ON deal_events (org_id, at);

-- JSON shapes of the API, built by PostgreSQL so that handlers pass rows through.
CREATE FUNCTION gf_team_json(t teams) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'key', t.key, 'name', t.name,
        'parent', (SELECT p.key FROM teams p WHERE p.id = t.parent_id),
        'created_at', t.created_at, 'updated_at', t.updated_at)
$$;

CREATE FUNCTION gf_rep_json(r reps) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'key', r.key, 'name', r.name, 'email', r.email,
        'team', (SELECT t.key FROM teams t WHERE t.id = r.team_id),
        'hired_on', r.hired_on, 'ramp_months', r.ramp_months, 'active', r.active,
        'created_at', r.created_at, 'updated_at', r.updated_at)
$$;

CREATE FUNCTION gf_stage_json(s stages) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('key', s.key, 'name', s.name, 'position', s.position,
                              'kind', s.kind, 'probability', s.probability)
$$;

CREATE FUNCTION gf_deal_json(d deals) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', d.id, 'external_id', d.external_id, 'name', d.name, 'account', d.account,
        'owner', (SELECT r.key FROM reps r WHERE r.id = d.owner_id),
        'amount', d.amount,
        'stage', s.key, 'status', s.kind,
        'category', d.category, 'source', d.source,
        'created_on', d.created_on, 'close_date', d.close_date, 'closed_on', d.closed_on,
        'created_at', d.created_at, 'updated_at', d.updated_at)
    FROM stages s WHERE s.id = d.stage_id
$$;

CREATE FUNCTION gf_org_json(o orgs) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', o.id, 'slug', o.slug, 'name', o.name, 'currency', o.currency,
        'fiscal_year_start_month', o.fiscal_year_start_month, 'time_zone', o.time_zone,
        'created_at', o.created_at, 'updated_at', o.updated_at)
$$;

CREATE FUNCTION gf_api_key_json(k api_keys) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', k.id, 'name', k.name, 'prefix', k.prefix, 'scopes', to_jsonb(k.scopes),
        'created_at', k.created_at, 'revoked_at', k.revoked_at)
$$;

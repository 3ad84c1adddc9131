-- 0004_inputs.sql — what a forecast is measured against and can act on: KPIs and their series,
-- targets, commits and levers. Every row belongs to an org; every query filters by it.

-- A KPI: a named series with a direction and an aggregation; leads_to names the metric it leads
-- ('bookings' or another KPI's key) with a lag in days.
CREATE TABLE kpis (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id      bigint NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    key         text NOT NULL CHECK (key ~ '^[A-Za-z0-9_.:-]{1,64}$' AND key <> 'bookings'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    unit        text NOT NULL CHECK (length(unit) BETWEEN 1 AND 32),
    direction   text NOT NULL CHECK (direction IN ('higher_is_better', 'lower_is_better')),
    aggregation text NOT NULL CHECK (aggregation IN ('sum', 'mean', 'last')),
    bucket      text NOT NULL DEFAULT 'week' CHECK (bucket IN ('day', 'week')),
    leads_to    text,
    lag_days    int CHECK (lag_days BETWEEN 0 AND 365),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, key),
    CHECK ((leads_to IS NULL) = (lag_days IS NULL))
);

CREATE TABLE kpi_observations (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id      bigint NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    kpi_id      bigint NOT NULL REFERENCES kpis (id) ON DELETE CASCADE,
    observed_on date NOT NULL,
    value       double precision NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (kpi_id, observed_on)
);
CREATE INDEX kpi_observations_org ON kpi_observations (org_id, kpi_id, observed_on);

-- Scopes are stored as text ('org', 'team:KEY', 'rep:KEY') with the team or rep they name, so
-- a row cannot outlive what it is about.
CREATE TABLE targets (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id       bigint NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    scope        text NOT NULL,
    team_id      bigint REFERENCES teams (id),
    rep_id       bigint REFERENCES reps (id),
    metric       text NOT NULL,
    kpi_id       bigint REFERENCES kpis (id),
    period       text NOT NULL,
    period_start date NOT NULL,
    period_end   date NOT NULL,
    value        numeric NOT NULL CHECK (value >= 0),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, scope, metric, period_start, period_end),
    CHECK (period_end >= period_start),
    CHECK ((scope = 'org' AND team_id IS NULL AND rep_id IS NULL)
        OR (scope LIKE 'team:%' AND team_id IS NOT NULL AND rep_id IS NULL)
        OR (scope LIKE 'rep:%' AND rep_id IS NOT NULL AND team_id IS NULL)),
    CHECK ((metric = 'bookings') = (kpi_id IS NULL))
);
CREATE INDEX targets_org_period ON targets (org_id, period_start, period_end);

-- commit_amount is "commit" in the API (COMMIT is an SQL keyword).
CREATE TABLE commits (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id        bigint NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    scope         text NOT NULL,
    team_id       bigint REFERENCES teams (id),
    rep_id        bigint REFERENCES reps (id),
    period        text NOT NULL,
    period_start  date NOT NULL,
    period_end    date NOT NULL,
    commit_amount numeric(18, 2) NOT NULL CHECK (commit_amount >= 0),
    best_case     numeric(18, 2) NOT NULL,
    notes         text CHECK (length(notes) <= 2000),
    submitted_at  timestamptz NOT NULL DEFAULT now(),
    created_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (best_case >= commit_amount),
    CHECK (period_end >= period_start),
    CHECK ((scope = 'org' AND team_id IS NULL AND rep_id IS NULL)
        OR (scope LIKE 'team:%' AND team_id IS NOT NULL AND rep_id IS NULL)
        OR (scope LIKE 'rep:%' AND rep_id IS NOT NULL AND team_id IS NULL))
);
CREATE INDEX commits_org_submitted ON commits (org_id, submitted_at DESC, id DESC);
CREATE INDEX commits_org_scope_period ON commits (org_id, scope, period_start, period_end);

CREATE TABLE levers (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id      bigint NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    key         text NOT NULL CHECK (key ~ '^[A-Za-z0-9_.:-]{1,64}$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    kind        text NOT NULL CHECK (kind IN ('win_rate', 'deal_size', 'pipeline', 'slippage',
                                              'pull_forward', 'headcount', 'kpi', 'concession')),
    effect      double precision NOT NULL,
    unit_cost   numeric(18, 2) NOT NULL CHECK (unit_cost >= 0),
    max_units   int NOT NULL CHECK (max_units BETWEEN 1 AND 1000),
    ramp_days   int NOT NULL CHECK (ramp_days BETWEEN 0 AND 365),
    kpi_id      bigint REFERENCES kpis (id),
    notes       text CHECK (length(notes) <= 2000),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, key),
    CHECK ((kind = 'kpi') = (kpi_id IS NOT NULL))
);

-- JSON shapes of the API, built by PostgreSQL so that handlers pass rows through.
CREATE FUNCTION gf_kpi_json(k kpis) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'key', k.key, 'name', k.name, 'unit', k.unit, 'direction', k.direction,
        'aggregation', k.aggregation, 'bucket', k.bucket,
        'leads_to', CASE WHEN k.leads_to IS NULL THEN NULL
                         ELSE jsonb_build_object('metric', k.leads_to, 'lag_days', k.lag_days) END,
        'created_at', k.created_at, 'updated_at', k.updated_at)
$$;

CREATE FUNCTION gf_kpi_observation_json(o kpi_observations) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('date', o.observed_on, 'value', o.value)
$$;

CREATE FUNCTION gf_target_json(t targets) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'scope', t.scope, 'metric', t.metric, 'period', t.period,
        'start', t.period_start, 'end', t.period_end, 'value', t.value,
        'created_at', t.created_at, 'updated_at', t.updated_at)
$$;

CREATE FUNCTION gf_commit_json(c commits) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', c.id, 'scope', c.scope, 'period', c.period,
        'start', c.period_start, 'end', c.period_end,
        'commit', c.commit_amount, 'best_case', c.best_case, 'notes', c.notes,
        'submitted_at', c.submitted_at, 'created_at', c.created_at)
$$;

CREATE FUNCTION gf_lever_json(l levers) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'key', l.key, 'name', l.name, 'kind', l.kind, 'effect', l.effect,
        'unit_cost', l.unit_cost, 'max_units', l.max_units, 'ramp_days', l.ramp_days,
        'kpi', (SELECT k.key FROM kpis k WHERE k.id = l.kpi_id),
        'notes', l.notes, 'created_at', l.created_at, 'updated_at', l.updated_at)
$$;

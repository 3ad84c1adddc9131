-- 0007_forecast.sql — stored forecasts (POST /v1/forecast/snapshots): the figures a later
-- accuracy check compares with the actual, and the full answer as it was given.
CREATE TABLE forecast_snapshots (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id        bigint NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    scope         text NOT NULL,
    period        text NOT NULL,
    period_start  date NOT NULL,
    period_end    date NOT NULL,
    as_of         date NOT NULL,
    p10           numeric(18, 2) NOT NULL,
    p50           numeric(18, 2) NOT NULL,
    p90           numeric(18, 2) NOT NULL,
    expected      numeric(18, 2) NOT NULL,
    target        numeric(18, 2),
    prob_hit      double precision CHECK (prob_hit BETWEEN 0 AND 1),
    model_version text NOT NULL,
    forecast      jsonb NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (period_end >= period_start),
    CHECK (p10 <= p50 AND p50 <= p90)
);
CREATE INDEX forecast_snapshots_org ON forecast_snapshots (org_id, id DESC);
CREATE INDEX forecast_snapshots_org_scope ON forecast_snapshots (org_id, scope, period_start, id DESC);

CREATE FUNCTION gf_forecast_snapshot_json(s forecast_snapshots) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', s.id, 'scope', s.scope, 'period', s.period, 'start', s.period_start,
        'end', s.period_end, 'as_of', s.as_of, 'p10', s.p10, 'p50', s.p50, 'p90', s.p90,
        'expected', s.expected, 'target', s.target, 'prob_hit', s.prob_hit,
        'model_version', s.model_version, 'created_at', s.created_at, 'forecast', s.forecast)
$$;

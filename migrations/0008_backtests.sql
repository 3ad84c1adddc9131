-- 0008_backtests.sql — backtest jobs (POST /v1/backtests, GET /v1/backtests/{id}): a backtest
-- that takes longer than the request may wait finishes in the background and is read back here,
-- from any replica. Only a finished backtest has a result (no partial results are written).
-- The result is json, not jsonb: it is stored as the service rendered it (key order kept) and
-- only ever handed back whole.
CREATE TABLE backtests (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id      bigint NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    status      text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'failed')),
    request     jsonb NOT NULL,
    result      json,
    error       jsonb,
    created_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    CHECK ((status = 'running') = (finished_at IS NULL)),
    CHECK ((status = 'done') = (result IS NOT NULL)),
    CHECK ((status = 'failed') = (error IS NOT NULL))
);
CREATE INDEX backtests_org ON backtests (org_id, id DESC);

-- A job as clients see it. A job still running after `stale` (far longer than any backtest may
-- run: its process stopped before finishing it) is reported failed, with code "abandoned".
CREATE FUNCTION gf_backtest_json(b backtests, stale interval) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', b.id,
        'status', CASE WHEN b.status = 'running' AND b.created_at < now() - stale THEN 'failed'
                       ELSE b.status END,
        'request', b.request,
        'result', b.result,
        'error', CASE WHEN b.status = 'running' AND b.created_at < now() - stale
                      THEN jsonb_build_object('code', 'abandoned', 'message',
                          'the backtest did not finish: the process running it stopped')
                      ELSE b.error END,
        'created_at', b.created_at,
        'finished_at', b.finished_at)
$$;

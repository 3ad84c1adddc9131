-- 0012_snapshot_runs.sql — the daily snapshots (GAPFORGE_SNAPSHOT_AT): one row per org and day
-- once that day's snapshots of the org and of every team are stored, so that several replicas
-- and restarts run each day exactly once (the run itself holds a PostgreSQL advisory lock).
CREATE TABLE snapshot_runs (
    org_id      bigint NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    day         date NOT NULL,
    snapshots   integer NOT NULL CHECK (snapshots >= 0),
    failed      integer NOT NULL DEFAULT 0 CHECK (failed >= 0),
    finished_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, day)
);

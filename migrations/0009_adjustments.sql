-- 0009_adjustments.sql — manager adjustments (POST/GET /v1/adjustments): the manager's call for a
-- scope and period, with who made it and why. Append-only: a new adjustment for the same scope
-- and period supersedes the one before it (supersedes, previous_value), so the rows of one scope
-- and period form a single chain, the audit trail. previous_value is what the adjustment
-- replaced when it was made: the superseded adjustment's value, else the scope's latest commit
-- for the period (previous_commit_id), else nothing.
CREATE TABLE adjustments (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id             bigint NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    scope              text NOT NULL,
    team_id            bigint REFERENCES teams (id),
    rep_id             bigint REFERENCES reps (id),
    period             text NOT NULL,
    period_start       date NOT NULL,
    period_end         date NOT NULL,
    value              numeric(18, 2) NOT NULL CHECK (value >= 0),
    reason             text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
    author             text NOT NULL CHECK (length(author) BETWEEN 1 AND 200),
    key_id             bigint REFERENCES api_keys (id),
    supersedes         bigint REFERENCES adjustments (id),
    previous_value     numeric(18, 2),
    previous_source    text CHECK (previous_source IN ('adjustment', 'commit')),
    previous_commit_id bigint REFERENCES commits (id),
    created_at         timestamptz NOT NULL DEFAULT now(),
    CHECK (period_end >= period_start),
    CHECK ((scope = 'org' AND team_id IS NULL AND rep_id IS NULL)
        OR (scope LIKE 'team:%' AND team_id IS NOT NULL AND rep_id IS NULL)
        OR (scope LIKE 'rep:%' AND rep_id IS NOT NULL AND team_id IS NULL)),
    CHECK ((previous_source IS NULL) = (previous_value IS NULL)),
    CHECK ((coalesce(previous_source, '') = 'adjustment') = (supersedes IS NOT NULL)),
    CHECK ((coalesce(previous_source, '') = 'commit') = (previous_commit_id IS NOT NULL))
);
-- One chain per scope and period: one first adjustment, and each one superseded at most once.
CREATE UNIQUE INDEX adjustments_first ON adjustments (org_id, scope, period_start, period_end)
    WHERE supersedes IS NULL;
CREATE UNIQUE INDEX adjustments_supersedes ON adjustments (supersedes);
CREATE INDEX adjustments_org ON adjustments (org_id, id DESC);
CREATE INDEX adjustments_org_scope_period ON adjustments (org_id, scope, period_start, period_end,
    id DESC);

-- Never edited, never deleted: only the cascade of deleting its org (by hand: the service never
-- does), which runs from a trigger of its own, may remove a row.
CREATE FUNCTION gf_adjustments_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND pg_trigger_depth() > 1 THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'adjustments are append-only: % refused', TG_OP
        USING ERRCODE = 'check_violation';
END
$$;
CREATE TRIGGER adjustments_append_only BEFORE UPDATE OR DELETE ON adjustments
    FOR EACH ROW EXECUTE FUNCTION gf_adjustments_append_only();

-- An adjustment as the trail lists it (json, not jsonb: its members keep this order, which is also
-- the order of the CSV columns).
CREATE FUNCTION gf_adjustment_json(a adjustments) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object(
        'id', a.id, 'scope', a.scope, 'period', a.period,
        'start', a.period_start, 'end', a.period_end, 'value', a.value,
        'previous_value', a.previous_value, 'previous_source', a.previous_source,
        'supersedes', a.supersedes, 'previous_commit_id', a.previous_commit_id,
        'author', a.author, 'key_id', a.key_id, 'reason', a.reason, 'created_at', a.created_at)
$$;

-- The manager's call an adjustment makes, as forecasts and roll-ups show it.
CREATE FUNCTION gf_adjustment_call_json(a adjustments) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object('id', a.id, 'value', a.value, 'author', a.author,
        'reason', a.reason, 'at', a.created_at)
$$;

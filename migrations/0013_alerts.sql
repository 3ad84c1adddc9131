-- 0013_alerts.sql — early warning (issue 12): outbound webhooks, alert rules, the state each
-- rule's condition was last seen in (so that an alert fires once per change), the fired alerts,
-- and the outbox of deliveries with their attempts. An alert and its deliveries are written in
-- one transaction; a delivery thread claims due rows with FOR UPDATE SKIP LOCKED, so a restart
-- of the server or of PostgreSQL loses none and two replicas never send the same attempt.

-- An endpoint to notify. The secret signs every delivery (Standard Webhooks: webhook-id,
-- webhook-timestamp, webhook-signature); it is shown once, on creation, and kept here sealed
-- (secret_sealed: AES-256-GCM under GAPFORGE_WEBHOOK_KEY, or "plain:" when no key is set).
CREATE TABLE webhooks (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id          bigint NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    kind            text NOT NULL CHECK (kind IN ('slack', 'teams', 'json')),
    url             text NOT NULL CHECK (length(url) BETWEEN 8 AND 2000),
    secret_sealed   text NOT NULL,
    secret_prefix   text NOT NULL,
    enabled         boolean NOT NULL DEFAULT true,
    disabled_reason text,
    disabled_at     timestamptz,
    deleted_at      timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhooks_org ON webhooks (org_id, id);

CREATE FUNCTION gf_webhook_json(w webhooks) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object('id', w.id, 'name', w.name, 'kind', w.kind, 'url', w.url,
        'secret_prefix', w.secret_prefix, 'enabled', w.enabled,
        'disabled_reason', w.disabled_reason, 'disabled_at', w.disabled_at,
        'created_at', w.created_at)
$$;

-- A rule: what to watch (kind and params), where (scope, period: current, next or a name),
-- whom to tell (webhook ids) and when not to (quiet hours, HH:MM..HH:MM in the org's time zone).
CREATE TABLE alert_rules (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id      bigint NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    key         text NOT NULL,
    name        text,
    kind        text NOT NULL CHECK (kind IN ('prob_hit_below', 'p50_drop', 'coverage_below',
                                              'indicator_shift', 'deal_slipped', 'kpi_miss')),
    scope       text NOT NULL,
    period      text NOT NULL,
    params      jsonb NOT NULL DEFAULT '{}',
    webhooks    bigint[] NOT NULL DEFAULT '{}',
    quiet_start time,
    quiet_end   time,
    enabled     boolean NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, key),
    CHECK ((quiet_start IS NULL) = (quiet_end IS NULL))
);

CREATE FUNCTION gf_alert_rule_json(r alert_rules) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object('key', r.key, 'name', r.name, 'kind', r.kind, 'scope', r.scope,
        'period', r.period, 'params', r.params, 'webhooks', to_json(r.webhooks),
        'quiet_hours', CASE WHEN r.quiet_start IS NOT NULL THEN json_build_object(
            'start', to_char(r.quiet_start, 'HH24:MI'), 'end', to_char(r.quiet_end, 'HH24:MI'))
            END,
        'enabled', r.enabled, 'created_at', r.created_at, 'updated_at', r.updated_at)
$$;

-- The state a rule's condition was last seen in for one scope and period ('ok', 'firing' or, for
-- deal_slipped, the slipped deals), and how many times it changed: the episode of the alerts
-- it fired. A rule that is deleted takes its states with it.
CREATE TABLE alert_states (
    rule_id    bigint NOT NULL REFERENCES alert_rules (id) ON DELETE CASCADE,
    org_id     bigint NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    scope      text NOT NULL,
    period     text NOT NULL,
    state      text NOT NULL,
    episode    integer NOT NULL DEFAULT 0,
    changed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (rule_id, scope, period)
);

-- A fired alert (status firing) or the message that its condition cleared (resolved), with the
-- figures that fired it and the forecast it read (period, scope, as_of). fingerprint is the hash
-- of (rule, scope, period, state); with the episode it is unique, so one change fires once.
CREATE TABLE alerts (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id      bigint NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    rule_id     bigint REFERENCES alert_rules (id) ON DELETE SET NULL,
    rule_key    text NOT NULL,
    kind        text NOT NULL,
    status      text NOT NULL CHECK (status IN ('firing', 'resolved')),
    fingerprint text NOT NULL,
    episode     integer NOT NULL,
    scope       text NOT NULL,
    period      text NOT NULL,
    as_of       date NOT NULL,
    figures     jsonb NOT NULL DEFAULT '{}',
    message     text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (org_id, fingerprint, episode)
);
CREATE INDEX alerts_org ON alerts (org_id, id DESC);

CREATE FUNCTION gf_alert_json(a alerts) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object('id', a.id, 'rule', a.rule_key, 'kind', a.kind, 'status', a.status,
        'fingerprint', a.fingerprint, 'scope', a.scope, 'period', a.period, 'as_of', a.as_of,
        'figures', a.figures, 'message', a.message,
        'reference', json_build_object('period', a.period, 'scope', a.scope, 'as_of', a.as_of,
            'href', '/v1/forecast?period=' || a.period || '&scope=' || a.scope || '&as_of='
                || a.as_of),
        'created_at', a.created_at)
$$;

-- The outbox: one row per alert and webhook. body is the exact payload (the same bytes on every
-- attempt, signed afresh with each attempt's timestamp); msg_id is the webhook-id, constant
-- across retries. status pending (next_attempt_at says when; a claimed attempt pushes it past
-- its lease, so a sender that dies is retried), delivered, or dead (attempts exhausted, a
-- permanent refusal, or the endpoint disabled or deleted).
CREATE TABLE deliveries (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id          bigint NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    alert_id        bigint NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    webhook_id      bigint NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    msg_id          text NOT NULL UNIQUE,
    event_type      text NOT NULL,
    body            text NOT NULL,
    status          text NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'delivered', 'dead')),
    attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_attempt_at timestamptz,
    last_status     integer,
    last_error      text,
    delivered_at    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_org ON deliveries (org_id, id DESC);

CREATE FUNCTION gf_delivery_json(d deliveries) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object('id', d.id, 'alert_id', d.alert_id, 'webhook_id', d.webhook_id,
        'webhook_message_id', d.msg_id, 'event_type', d.event_type, 'status', d.status,
        'attempts', d.attempts,
        'next_attempt_at', CASE WHEN d.status = 'pending' THEN d.next_attempt_at END,
        'last_attempt_at', d.last_attempt_at, 'last_status', d.last_status,
        'last_error', d.last_error, 'delivered_at', d.delivered_at, 'created_at', d.created_at)
$$;

-- The end of the quiet hours [qs, qe) (local times in zone tz, wrapping past midnight when
-- qs > qe) that contain the instant at, or at itself when it is outside them (or none are set).
CREATE FUNCTION gf_quiet_until(at timestamptz, tz text, qs time, qe time) RETURNS timestamptz
LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN qs IS NULL OR qs = qe THEN at
        WHEN qs < qe AND l::time >= qs AND l::time < qe THEN (l::date + qe) AT TIME ZONE tz
        WHEN qs > qe AND l::time >= qs THEN (l::date + 1 + qe) AT TIME ZONE tz
        WHEN qs > qe AND l::time < qe THEN (l::date + qe) AT TIME ZONE tz
        ELSE at END
    FROM (SELECT at AT TIME ZONE tz AS l) x
$$;

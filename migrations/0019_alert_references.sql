-- An alert's reference links to what the alert read: the KPI forecast for kpi_miss (the KPI's
-- key is in its figures), the leading indicators of the scope for indicator_shift, the
-- bookings forecast for every other kind (as before).
CREATE OR REPLACE FUNCTION gf_alert_json(a alerts) RETURNS json LANGUAGE sql STABLE AS $$
    SELECT json_build_object('id', a.id, 'rule', a.rule_key, 'kind', a.kind, 'status', a.status,
        'fingerprint', a.fingerprint, 'scope', a.scope, 'period', a.period, 'as_of', a.as_of,
        'figures', a.figures, 'message', a.message,
        'reference', json_build_object('period', a.period, 'scope', a.scope, 'as_of', a.as_of,
            'href', CASE
                WHEN a.kind = 'kpi_miss' AND a.figures ? 'kpi' THEN
                    '/v1/kpis/' || (a.figures ->> 'kpi') || '/forecast?period=' || a.period
                    || '&scope=' || a.scope || '&as_of=' || a.as_of
                WHEN a.kind = 'indicator_shift' THEN
                    '/v1/indicators?scope=' || a.scope || '&as_of=' || a.as_of
                ELSE
                    '/v1/forecast?period=' || a.period || '&scope=' || a.scope || '&as_of='
                    || a.as_of
                END),
        'created_at', a.created_at)
$$;

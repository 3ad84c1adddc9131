-- 0005_import.sql — normalisation helpers for bulk imports (CSV / NDJSON from CRM exports).

-- A date from "YYYY-MM-DD" or a timestamp that starts with one ("2026-01-15T10:00:00.000+0000",
-- as Salesforce exports CreatedDate); NULL for anything else, including impossible dates.
CREATE FUNCTION gf_norm_date(x text) RETURNS date LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN d ~ '^(19|[2-9][0-9])[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$'
                 AND substr(d, 9, 2)::int <= extract(day FROM
                     make_date(substr(d, 1, 4)::int, substr(d, 6, 2)::int, 1)
                     + interval '1 month' - interval '1 day')
                THEN d::date END
    FROM (SELECT CASE WHEN btrim(x) ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ].*)?$'
                      THEN left(btrim(x), 10) END AS d) v
$$;

-- A forecast category from ours or a CRM's spelling ("Best Case", "Closed" counts as commit).
CREATE FUNCTION gf_norm_category(x text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE replace(lower(btrim(x)), ' ', '_')
               WHEN 'pipeline' THEN 'pipeline' WHEN 'best_case' THEN 'best_case'
               WHEN 'bestcase' THEN 'best_case' WHEN 'commit' THEN 'commit'
               WHEN 'closed' THEN 'commit' WHEN 'omitted' THEN 'omitted' END
$$;

-- A deal source from ours or a CRM's lead source ("Web", "Partner Referral", ...). Unknown
-- lead sources are 'other' rather than errors: CRMs let admins invent them freely.
CREATE FUNCTION gf_norm_source(x text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN x IS NULL OR btrim(x) = '' THEN NULL
        WHEN lower(btrim(x)) IN ('marketing', 'sales', 'partner', 'other') THEN lower(btrim(x))
        WHEN lower(x) LIKE '%partner%' OR lower(x) LIKE '%reseller%' THEN 'partner'
        WHEN lower(x) ~ '(web|advert|seminar|trade show|webinar|purchased list|email|social|event|content|inbound|marketing)'
            THEN 'marketing'
        WHEN lower(x) ~ '(outbound|phone|cold|employee|referral|sales|sdr|bdr)' THEN 'sales'
        ELSE 'other' END
$$;

-- A key (letters, digits, _ . : -) made from a free-text name, for records created on import.
CREATE FUNCTION gf_key_of(x text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT left(btrim(regexp_replace(lower(btrim(x)), '[^a-z0-9_.:-]+', '_', 'g'), '_'), 64)
$$;

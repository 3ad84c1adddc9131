/* alerts.c — webhooks, alert rules, rule states, alerts and the outbox of deliveries
 * (store_alerts.h, migrations/0013_alerts.sql). */
#include "gapforge/store_alerts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "gapforge/store.h"
#include "inputs_internal.h"
#include "keyed.h"

/* ---- webhooks ---- */

static const gf_stmt wh_insert = {
    "wh_insert", "INSERT INTO webhooks (org_id, name, kind, url, secret_sealed, secret_prefix) "
                 "VALUES ($1, $2, $3, $4, $5, $6) RETURNING gf_webhook_json(webhooks)"};

static const gf_stmt wh_page = {
    "wh_page", "SELECT gf_webhook_json(w), w.id FROM webhooks w WHERE w.org_id = $1 "
               "AND w.deleted_at IS NULL AND w.id > $2 ORDER BY w.id LIMIT $3"};

/* Dead-letters the pending deliveries of a webhook that goes away, then marks it. */
static const gf_stmt wh_delete = {
    "wh_delete", "WITH w AS (UPDATE webhooks SET deleted_at = now(), enabled = false "
                 "  WHERE org_id = $1 AND id = $2 AND deleted_at IS NULL RETURNING id), "
                 "d AS (UPDATE deliveries SET status = 'dead', last_error = 'webhook deleted' "
                 "  WHERE webhook_id IN (SELECT id FROM w) AND status = 'pending') "
                 "SELECT id FROM w"};

static const gf_stmt wh_count = {
    "wh_count", "SELECT count(*) FROM webhooks WHERE org_id = $1 AND deleted_at IS NULL "
                "AND id = ANY ($2::bigint[])"};

static const gf_stmt wh_disable = {
    "wh_disable", "WITH w AS (UPDATE webhooks SET enabled = false, disabled_reason = $2, "
                  "  disabled_at = now() WHERE id = $1 RETURNING id), "
                  "d AS (UPDATE deliveries SET status = 'dead', "
                  "  last_error = coalesce(last_error || '; ', '') || 'endpoint disabled: ' || $2 "
                  "  WHERE webhook_id IN (SELECT id FROM w) AND status = 'pending') "
                  "SELECT count(*) FROM w"};

static const gf_stmt wh_targets = {
    "wh_targets", "SELECT w.id, w.kind FROM unnest($2::bigint[]) WITH ORDINALITY u(id, n) "
                  "JOIN webhooks w ON w.id = u.id AND w.org_id = $1 AND w.enabled "
                  "AND w.deleted_at IS NULL ORDER BY u.n"};

json_t *gf_store_webhook_create(int64_t org_id, const char *name, const char *kind, const char *url,
                                const char *secret_sealed, const char *secret_prefix, gf_err *err)
{
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_text(&a, name);
    gf_db_arg_text(&a, kind);
    gf_db_arg_text(&a, url);
    gf_db_arg_text(&a, secret_sealed);
    gf_db_arg_text(&a, secret_prefix);
    return gf_db_one_json(&wh_insert, &a, 0, "webhook", NULL, err);
}

json_t *gf_store_webhook_list(int64_t org_id, int limit, int64_t after, gf_err *err)
{
    return gf_store__page(&wh_page, org_id, limit, after, err);
}

/* Runs stmt (org, id) and answers not found (what) when it returns no row. */
static int run_found(const gf_stmt *stmt, const gf_db_args *a, const char *what, gf_err *err)
{
    PGresult *res = gf_db_exec_args(stmt, a, err);
    if (!res)
        return err->code;
    const int rows = PQntuples(res);
    PQclear(res);
    return rows ? 0 : gf_err_not_found(err, what);
}

int gf_store_webhook_delete(int64_t org_id, int64_t id, gf_err *err)
{
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_i64(&a, id);
    return run_found(&wh_delete, &a, "webhook", err);
}

/* The integer in the first column of stmt's first row. */
static int run_count(const gf_stmt *stmt, const gf_db_args *a, int64_t *count, gf_err *err)
{
    PGresult *res = gf_db_exec_args(stmt, a, err);
    if (!res)
        return err->code;
    *count = PQntuples(res) ? gf_db_int64(res, 0, 0) : 0;
    PQclear(res);
    return 0;
}

int gf_store_webhook_count(int64_t org_id, const char *ids_array, int64_t *count, gf_err *err)
{
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_text(&a, ids_array);
    return run_count(&wh_count, &a, count, err);
}

int gf_store_webhook_disable(int64_t webhook_id, const char *reason, gf_err *err)
{
    gf_db_args a = {0};
    gf_db_arg_i64(&a, webhook_id);
    gf_db_arg_text(&a, reason);
    int64_t n = 0;
    return run_count(&wh_disable, &a, &n, err);
}

int gf_store_webhook_targets(int64_t org_id, const int64_t *ids, size_t n,
                             gf_store_webhook_target *out, size_t *n_out, gf_err *err)
{
    *n_out = 0;
    if (n == 0)
        return 0;
    char *arr = gf_store__id_array(ids, n);
    if (!arr)
        return gf_err_internal(err);
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_text(&a, arr);
    PGresult *res = gf_db_exec_args(&wh_targets, &a, err);
    free(arr);
    if (!res)
        return err->code;
    for (int r = 0; r < PQntuples(res) && (size_t)r < n; r++) {
        out[r].id = gf_db_int64(res, r, 0);
        snprintf(out[r].kind, sizeof out[r].kind, "%s", PQgetvalue(res, r, 1));
        (*n_out)++;
    }
    PQclear(res);
    return 0;
}

/* ---- alert rules ---- */

static const gf_stmt rule_upsert = {
    "rule_upsert",
    "INSERT INTO alert_rules (org_id, key, name, kind, scope, period, params, webhooks, "
    "quiet_start, quiet_end, enabled) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::bigint[], "
    "$9::time, $10::time, coalesce($11::boolean, true)) "
    "ON CONFLICT (org_id, key) DO UPDATE SET name = excluded.name, kind = excluded.kind, "
    "scope = excluded.scope, period = excluded.period, params = excluded.params, "
    "webhooks = excluded.webhooks, quiet_start = excluded.quiet_start, "
    "quiet_end = excluded.quiet_end, enabled = excluded.enabled, updated_at = now() "
    "RETURNING (xmax = 0), gf_alert_rule_json(alert_rules)"};

static const gf_stmt rule_select = {
    "rule_select",
    "SELECT gf_alert_rule_json(r) FROM alert_rules r WHERE r.org_id = $1 AND r.key = $2"};

static const gf_stmt rule_page = {
    "rule_page", "SELECT gf_alert_rule_json(r), r.id FROM alert_rules r WHERE r.org_id = $1 "
                 "AND r.id > $2 ORDER BY r.id LIMIT $3"};

static const gf_stmt rule_delete = {
    "rule_delete", "DELETE FROM alert_rules WHERE org_id = $1 AND key = $2 RETURNING id"};

static const gf_stmt rule_load = {
    "rule_load",
    "SELECT id, key, kind, scope, period, params::text, array_to_string(webhooks, ',') "
    "FROM alert_rules WHERE org_id = $1 AND (($2::text IS NULL AND enabled) "
    "OR key = $2) ORDER BY key"};

static const gf_stmt rule_orgs = {"rule_orgs", "SELECT gf_alert_org_ids()"};

json_t *gf_store_alert_rule_put(int64_t org_id, const gf_alert_rule_fields *f, int *created,
                                gf_err *err)
{
    gf_scope_ids ids;
    if (gf_store_scope_resolve(org_id, f->scope, "scope", &ids, err) < 0)
        return NULL;
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_text(&a, f->key);
    gf_db_arg_text(&a, f->name);
    gf_db_arg_text(&a, f->kind);
    gf_db_arg_text(&a, f->scope);
    gf_db_arg_text(&a, f->period);
    gf_db_arg_text(&a, f->params);
    gf_db_arg_text(&a, f->webhooks);
    gf_db_arg_text(&a, f->quiet_start);
    gf_db_arg_text(&a, f->quiet_end);
    gf_db_arg_text(&a, f->enabled);
    return gf_store__upsert(&rule_upsert, &a, "alert rule", created, err);
}

json_t *gf_store_alert_rule_get(int64_t org_id, const char *key, gf_err *err)
{
    return gf_store__by_key(&rule_select, org_id, key, "alert rule", err);
}

json_t *gf_store_alert_rule_list(int64_t org_id, int limit, int64_t after, gf_err *err)
{
    return gf_store__page(&rule_page, org_id, limit, after, err);
}

int gf_store_alert_rule_delete(int64_t org_id, const char *key, gf_err *err)
{
    return gf_store__delete_by_key(&rule_delete, org_id, key, "alert rule", err);
}

void gf_store_alert_rules_free(gf_store_alert_rule *rows, size_t n)
{
    for (size_t k = 0; rows && k < n; k++)
        json_decref(rows[k].params);
    free(rows);
}

int gf_store_alert_rules_load(int64_t org_id, const char *key, gf_store_alert_rule **rows,
                              size_t *n, gf_err *err)
{
    *rows = NULL;
    *n = 0;
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_text(&a, key);
    PGresult *res = gf_db_exec_args(&rule_load, &a, err);
    if (!res)
        return err->code;
    const int nr = PQntuples(res);
    if (key && nr == 0) {
        PQclear(res);
        return gf_err_not_found(err, "alert rule");
    }
    gf_store_alert_rule *out = calloc(nr ? (size_t)nr : 1, sizeof *out);
    if (!out) {
        PQclear(res);
        return gf_err_internal(err);
    }
    for (int r = 0; r < nr; r++) {
        gf_store_alert_rule *x = &out[r];
        x->id = gf_db_int64(res, r, 0);
        snprintf(x->key, sizeof x->key, "%s", PQgetvalue(res, r, 1));
        snprintf(x->kind, sizeof x->kind, "%s", PQgetvalue(res, r, 2));
        snprintf(x->scope, sizeof x->scope, "%s", PQgetvalue(res, r, 3));
        snprintf(x->period, sizeof x->period, "%s", PQgetvalue(res, r, 4));
        x->params = json_loads(PQgetvalue(res, r, 5), 0, NULL);
        if (!x->params)
            x->params = json_object();
        const char *p = PQgetvalue(res, r, 6);
        while (*p && x->n_webhooks < sizeof x->webhooks / sizeof x->webhooks[0]) {
            char *end;
            x->webhooks[x->n_webhooks++] = strtoll(p, &end, 10);
            p = *end == ',' ? end + 1 : end;
        }
    }
    PQclear(res);
    *rows = out;
    *n = (size_t)nr;
    return 0;
}

int gf_store_alert_orgs(int64_t **ids, size_t *n, gf_err *err)
{
    *ids = NULL;
    *n = 0;
    PGresult *res = gf_db_exec_args(&rule_orgs, NULL, err);
    if (!res)
        return err->code;
    const int rows = PQntuples(res);
    *ids = malloc((rows ? (size_t)rows : 1) * sizeof **ids);
    if (!*ids) {
        PQclear(res);
        return gf_err_internal(err);
    }
    for (int r = 0; r < rows; r++)
        (*ids)[r] = gf_db_int64(res, r, 0);
    *n = (size_t)rows;
    PQclear(res);
    return 0;
}

/* ---- evaluation ---- */

static const gf_stmt state_init = {
    "state_init", "INSERT INTO alert_states (rule_id, org_id, scope, period, state) "
                  "VALUES ($2, $1, $3, $4, 'ok') ON CONFLICT DO NOTHING"};

static const gf_stmt state_lock = {
    "state_lock", "SELECT state, episode FROM alert_states WHERE org_id = $1 AND rule_id = $2 "
                  "AND scope = $3 AND period = $4 FOR UPDATE"};

static const gf_stmt state_set = {
    "state_set", "UPDATE alert_states SET state = $4, episode = $5, changed_at = now() "
                 "WHERE rule_id = $1 AND scope = $2 AND period = $3"};

static const gf_stmt alert_insert = {
    "alert_insert",
    "INSERT INTO alerts (org_id, rule_id, rule_key, kind, status, fingerprint, episode, scope, "
    "period, as_of, figures, message) VALUES ($1, $2, $3, $4, $5, $6, $7::int, $8, $9, "
    "$10::date, $11::jsonb, $12) RETURNING id, gf_alert_json(alerts)"};

static const gf_stmt delivery_insert = {
    "delivery_insert",
    "INSERT INTO deliveries (org_id, alert_id, webhook_id, msg_id, event_type, body, "
    "next_attempt_at) SELECT $1, $2, $3, 'msg_' || replace(gen_random_uuid()::text, '-', ''), "
    "$5, $6, gf_quiet_until(now(), o.time_zone, r.quiet_start, r.quiet_end) "
    "FROM orgs o LEFT JOIN alert_rules r ON r.id = $4 AND r.org_id = o.id WHERE o.id = $1"};

int gf_store_alert_state_lock(int64_t org_id, int64_t rule_id, const char *scope,
                              const char *period, char *state, size_t cap, int *episode,
                              gf_err *err)
{
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_i64(&a, rule_id);
    gf_db_arg_text(&a, scope);
    gf_db_arg_text(&a, period);
    if (gf_db_run(&state_init, &a, err) < 0)
        return err->code;
    PGresult *res = gf_db_exec_args(&state_lock, &a, err);
    if (!res)
        return err->code;
    if (PQntuples(res) != 1) {
        PQclear(res);
        return gf_err_not_found(err, "alert rule");
    }
    snprintf(state, cap, "%s", PQgetvalue(res, 0, 0));
    *episode = (int)gf_db_int64(res, 0, 1);
    PQclear(res);
    return 0;
}

int gf_store_alert_state_set(int64_t rule_id, const char *scope, const char *period,
                             const char *state, int episode, gf_err *err)
{
    gf_db_args a = {0};
    gf_db_arg_i64(&a, rule_id);
    gf_db_arg_text(&a, scope);
    gf_db_arg_text(&a, period);
    gf_db_arg_text(&a, state);
    gf_db_arg_i64(&a, episode);
    return gf_db_run(&state_set, &a, err);
}

json_t *gf_store_alert_insert(int64_t org_id, const gf_store_alert_new *x, int64_t *id, gf_err *err)
{
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_i64(&a, x->rule_id);
    gf_db_arg_text(&a, x->rule_key);
    gf_db_arg_text(&a, x->kind);
    gf_db_arg_text(&a, x->status);
    gf_db_arg_text(&a, x->fingerprint);
    gf_db_arg_i64(&a, x->episode);
    gf_db_arg_text(&a, x->scope);
    gf_db_arg_text(&a, x->period);
    gf_db_arg_date(&a, x->as_of);
    gf_db_arg_text(&a, x->figures);
    gf_db_arg_text(&a, x->message);
    return gf_db_one_json(&alert_insert, &a, 1, "alert", id, err);
}

int gf_store_delivery_insert(int64_t org_id, int64_t alert_id, int64_t webhook_id, int64_t rule_id,
                             const char *event_type, const char *body, gf_err *err)
{
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_i64(&a, alert_id);
    gf_db_arg_i64(&a, webhook_id);
    gf_db_arg_i64(&a, rule_id);
    gf_db_arg_text(&a, event_type);
    gf_db_arg_text(&a, body);
    return gf_db_run(&delivery_insert, &a, err);
}

/* ---- lists ---- */

static const gf_stmt alert_page = {
    "alert_page", "SELECT gf_alert_json(a), a.id FROM alerts a WHERE a.org_id = $1 "
                  "AND ($2::text IS NULL OR a.rule_key = $2) "
                  "AND ($3::text IS NULL OR a.status = $3) "
                  "AND ($4::bigint = 0 OR a.id < $4) ORDER BY a.id DESC LIMIT $5"};

static const gf_stmt delivery_page = {
    "delivery_page", "SELECT gf_delivery_json(d), d.id FROM deliveries d WHERE d.org_id = $1 "
                     "AND ($2::text IS NULL OR d.status = $2) "
                     "AND ($3::bigint = 0 OR d.webhook_id = $3) "
                     "AND ($4::bigint = 0 OR d.alert_id = $4) "
                     "AND ($5::bigint = 0 OR d.id < $5) ORDER BY d.id DESC LIMIT $6"};

/* Column 0: whether the webhook can still receive (enabled, not deleted); 1: the document. */
static const gf_stmt delivery_retry = {
    "delivery_retry",
    "WITH t AS (SELECT d.id, w.enabled AND w.deleted_at IS NULL AS usable FROM deliveries d "
    "  JOIN webhooks w ON w.id = d.webhook_id WHERE d.org_id = $1 AND d.id = $2 FOR UPDATE), "
    "u AS (UPDATE deliveries d SET status = 'pending', attempts = 0, next_attempt_at = now(), "
    "  delivered_at = NULL FROM t WHERE d.id = t.id AND t.usable RETURNING d.*) "
    "SELECT t.usable, (SELECT gf_delivery_json(u) FROM u) FROM t"};

json_t *gf_store_alert_list(int64_t org_id, const char *rule, const char *status, int limit,
                            int64_t after, gf_err *err)
{
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_text(&a, rule);
    gf_db_arg_text(&a, status);
    gf_db_arg_i64(&a, after);
    return gf_db_list(&alert_page, &a, 0, 1, limit, err);
}

json_t *gf_store_delivery_list(int64_t org_id, const char *status, int64_t webhook_id,
                               int64_t alert_id, int limit, int64_t after, gf_err *err)
{
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_text(&a, status);
    gf_db_arg_i64(&a, webhook_id);
    gf_db_arg_i64(&a, alert_id);
    gf_db_arg_i64(&a, after);
    return gf_db_list(&delivery_page, &a, 0, 1, limit, err);
}

json_t *gf_store_delivery_retry(int64_t org_id, int64_t id, gf_err *err)
{
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_db_arg_i64(&a, id);
    PGresult *res = gf_db_exec_args(&delivery_retry, &a, err);
    if (!res)
        return NULL;
    json_t *out = NULL;
    if (PQntuples(res) != 1)
        gf_err_not_found(err, "delivery");
    else if (PQgetvalue(res, 0, 0)[0] != 't')
        gf_err_set(err, GF_ECONFLICT, "webhook_disabled", "id",
                   "the delivery's webhook is disabled or deleted; create a new webhook");
    else
        out = gf_db_json(res, 0, 1);
    if (PQntuples(res) == 1 && PQgetvalue(res, 0, 0)[0] == 't' && !out)
        gf_err_internal(err);
    PQclear(res);
    return out;
}

/* ---- the outbox ---- */

static const gf_stmt delivery_claim = {
    "delivery_claim",
    /* the next due delivery of any org (migration 0017's function) */
    "SELECT id, org_id, webhook_id, attempts, msg_id, kind, body, url, secret_sealed "
    "FROM gf_delivery_claim($1::int)"};

/* $3 outcome: delivered, retry, dead or release. */
static const gf_stmt delivery_result = {
    "delivery_result",
    "UPDATE deliveries SET "
    "status = CASE $3 WHEN 'delivered' THEN 'delivered' WHEN 'dead' THEN 'dead' "
    "  ELSE 'pending' END, "
    "attempts = CASE $3 WHEN 'release' THEN attempts - 1 ELSE attempts END, "
    "next_attempt_at = CASE $3 WHEN 'retry' THEN now() + $6::bigint * interval '1 millisecond' "
    "  WHEN 'release' THEN now() ELSE next_attempt_at END, "
    "last_status = CASE $3 WHEN 'release' THEN last_status ELSE $4::int END, "
    "last_error = CASE $3 WHEN 'release' THEN last_error WHEN 'delivered' THEN NULL ELSE $5 END, "
    "delivered_at = CASE $3 WHEN 'delivered' THEN now() ELSE delivered_at END "
    "WHERE id = $1 AND attempts = $2::int AND status = 'pending'"};

void gf_store_delivery_clear(gf_store_delivery *d)
{
    free(d->body);
    free(d->url);
    free(d->secret_sealed);
    memset(d, 0, sizeof *d);
}

int gf_store_delivery_claim(int lease_ms, gf_store_delivery *out, int *got, gf_err *err)
{
    memset(out, 0, sizeof *out);
    *got = 0;
    gf_db_args a = {0};
    gf_db_arg_i64(&a, lease_ms);
    PGresult *res = gf_db_exec_args(&delivery_claim, &a, err);
    if (!res)
        return err->code;
    if (PQntuples(res) == 1) {
        out->id = gf_db_int64(res, 0, 0);
        out->org_id = gf_db_int64(res, 0, 1);
        out->webhook_id = gf_db_int64(res, 0, 2);
        out->attempt = (int)gf_db_int64(res, 0, 3);
        snprintf(out->msg_id, sizeof out->msg_id, "%s", PQgetvalue(res, 0, 4));
        snprintf(out->kind, sizeof out->kind, "%s", PQgetvalue(res, 0, 5));
        out->body = strdup(PQgetvalue(res, 0, 6));
        out->url = strdup(PQgetvalue(res, 0, 7));
        out->secret_sealed = strdup(PQgetvalue(res, 0, 8));
        *got = 1;
    }
    PQclear(res);
    if (*got && (!out->body || !out->url || !out->secret_sealed)) {
        gf_store_delivery_clear(out);
        *got = 0;
        return gf_err_internal(err);
    }
    return 0;
}

int gf_store_delivery_result(int64_t id, int attempt, gf_store_outcome outcome, int http_status,
                             const char *error, long retry_ms, gf_err *err)
{
    static const char *const names[] = {"delivered", "retry", "dead", "release"};
    gf_db_args a = {0};
    gf_db_arg_i64(&a, id);
    gf_db_arg_i64(&a, attempt);
    gf_db_arg_text(&a, names[outcome]);
    if (http_status > 0)
        gf_db_arg_i64(&a, http_status);
    else
        gf_db_arg_null(&a);
    gf_db_arg_text(&a, error);
    gf_db_arg_i64(&a, retry_ms);
    return gf_db_run(&delivery_result, &a, err);
}

/* ---- deal_slipped ---- */

// clang-format off
static const gf_stmt alert_slipped = {
    "alert_slipped",
    "WITH RECURSIVE sub AS ("
    "  SELECT t.id FROM teams t WHERE t.org_id = $1 AND t.id = $2::bigint"
    "  UNION SELECT c.id FROM teams c JOIN sub ON c.parent_id = sub.id), "
    "ev AS (SELECT e.deal_id, e.at, "
    "  CASE WHEN e.field = 'close_date' THEN e.old_value::date END AS old_day, "
    "  CASE WHEN e.field = 'close_date' THEN e.new_value::date END AS new_day "
    "  FROM deal_events e WHERE e.org_id = $1 AND e.field = 'close_date' "
    "  AND e.at >= now() - $6::int * interval '1 day'), "
    "moves AS (SELECT DISTINCT ON (deal_id) deal_id, old_day AS old_value, at FROM ev "
    "  WHERE old_day BETWEEN $4::date AND $5::date AND new_day > $5::date "
    "  ORDER BY deal_id, at DESC) "
    "SELECT coalesce(json_agg(json_build_object('id', d.id, 'external_id', d.external_id, "
    "  'name', d.name, 'amount', d.amount, 'from', m.old_value, 'to', d.close_date, "
    "  'at', m.at) ORDER BY d.id), '[]') "
    "FROM moves m JOIN deals d ON d.id = m.deal_id AND d.org_id = $1 "
    "LEFT JOIN reps r ON r.id = d.owner_id "
    "WHERE d.deleted_at IS NULL AND d.amount >= $7::numeric AND d.close_date > $5::date "
    "AND d.closed_on IS NULL "
    "AND ($2::bigint IS NULL OR r.team_id IN (SELECT id FROM sub)) "
    "AND ($3::bigint IS NULL OR d.owner_id = $3::bigint)"};
// clang-format on

json_t *gf_store_alert_slipped(int64_t org_id, const char *scope, int start, int end, int days,
                               const char *min_amount, gf_err *err)
{
    gf_scope_ids ids;
    if (gf_store_scope_resolve(org_id, scope, "scope", &ids, err) < 0)
        return NULL;
    gf_db_args a = {0};
    gf_db_arg_i64(&a, org_id);
    gf_store__arg_scope_ids(&a, &ids);
    gf_db_arg_date(&a, start);
    gf_db_arg_date(&a, end);
    gf_db_arg_i64(&a, days);
    gf_db_arg_text(&a, min_amount);
    PGresult *res = gf_db_exec_args(&alert_slipped, &a, err);
    if (!res)
        return NULL;
    json_t *out = PQntuples(res) == 1 ? gf_db_json(res, 0, 0) : json_array();
    PQclear(res);
    if (!out)
        gf_err_internal(err);
    return out;
}

static const gf_stmt outbox_depth = {
    "outbox_depth", "SELECT pending, oldest_age_s FROM gf_outbox_depth()"}; /* every org's */

int gf_store_outbox_depth(long long *pending, double *oldest_age_s, gf_err *err)
{
    PGresult *res = gf_db_exec_args(&outbox_depth, NULL, err);
    if (!res)
        return -1;
    *pending = atoll(PQgetvalue(res, 0, 0));
    *oldest_age_s = atof(PQgetvalue(res, 0, 1));
    PQclear(res);
    return 0;
}

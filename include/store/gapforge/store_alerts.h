/* store_alerts.h — the SQL of early warning (migrations/0013_alerts.sql): webhooks, alert rules,
 * the state each rule was last seen in, fired alerts, and the outbox of deliveries.
 *
 * Every function is scoped to an org except the outbox's claim and result, which serve the
 * delivery threads of every org. JSON results are new references owned by the caller; failures
 * return NULL or a negative code with err filled. Functions marked "in the caller's transaction"
 * run on this thread's connection between gf_store_begin and gf_store_commit. */
#ifndef GAPFORGE_STORE_ALERTS_H
#define GAPFORGE_STORE_ALERTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gapforge/err.h"

/* ---- webhooks ---- */

/* Creates a webhook (kind slack, teams or json; the URL already checked; the secret sealed and
 * its public prefix). Returns gf_webhook_json. */
json_t *gf_store_webhook_create(int64_t org_id, const char *name, const char *kind, const char *url,
                                const char *secret_sealed, const char *secret_prefix, gf_err *err)
    GF_MUST_CHECK;
/* A page of the org's webhooks that are not deleted, by id. */
json_t *gf_store_webhook_list(int64_t org_id, int limit, int64_t after, gf_err *err) GF_MUST_CHECK;
/* Deletes the org's webhook (it stays referenced by its deliveries' history) and dead-letters
 * its pending deliveries. Not found when it is not the org's (or is deleted already). */
int gf_store_webhook_delete(int64_t org_id, int64_t id, gf_err *err) GF_MUST_CHECK;
/* How many of ids (a bigint[] literal) are webhooks of the org that are not deleted. */
int gf_store_webhook_count(int64_t org_id, const char *ids_array, int64_t *count, gf_err *err)
    GF_MUST_CHECK;
/* Disables a webhook (e.g. it answered 410 Gone) with a reason and dead-letters its pending
 * deliveries. */
int gf_store_webhook_disable(int64_t webhook_id, const char *reason, gf_err *err) GF_MUST_CHECK;

/* ---- alert rules ---- */

/* A rule as validated text; params is JSON text; webhooks a bigint[] literal; quiet_start and
 * quiet_end "HH:MM" or both NULL; enabled "true"/"false". */
typedef struct gf_alert_rule_fields {
    const char *key, *name, *kind, *scope, *period, *params, *webhooks, *quiet_start, *quiet_end,
        *enabled;
} gf_alert_rule_fields;

/* Upserts the rule by key; *created tells which. Returns gf_alert_rule_json. */
json_t *gf_store_alert_rule_put(int64_t org_id, const gf_alert_rule_fields *f, int *created,
                                gf_err *err) GF_MUST_CHECK;
json_t *gf_store_alert_rule_get(int64_t org_id, const char *key, gf_err *err) GF_MUST_CHECK;
json_t *gf_store_alert_rule_list(int64_t org_id, int limit, int64_t after, gf_err *err)
    GF_MUST_CHECK;
/* Deletes the rule (its states go with it; its alerts stay). Not found when it is not the org's. */
int gf_store_alert_rule_delete(int64_t org_id, const char *key, gf_err *err) GF_MUST_CHECK;

/* A rule as the evaluator reads it. */
typedef struct gf_store_alert_rule {
    int64_t id;
    char key[72];
    char kind[32];
    char scope[80];
    char period[32];
    json_t *params;       /* owned */
    int64_t webhooks[16]; /* ids, at most 16 */
    size_t n_webhooks;
} gf_store_alert_rule;

/* The org's enabled rules (only the one with key when key is non-NULL: not found when there is
 * none, enabled or not), ordered by key, into *rows (malloc'd; free with
 * gf_store_alert_rules_free). */
int gf_store_alert_rules_load(int64_t org_id, const char *key, gf_store_alert_rule **rows,
                              size_t *n, gf_err *err) GF_MUST_CHECK;
void gf_store_alert_rules_free(gf_store_alert_rule *rows, size_t n);

/* The orgs with at least one enabled rule, ascending (the scheduler's walk). *ids malloc'd. */
int gf_store_alert_orgs(int64_t **ids, size_t *n, gf_err *err) GF_MUST_CHECK;

/* ---- evaluation: state changes, alerts, deliveries (in the caller's transaction) ---- */

/* Locks the state of (rule, scope, period), creating it as "ok" when new, and reads it into
 * state (cap bytes) and *episode. */
int gf_store_alert_state_lock(int64_t org_id, int64_t rule_id, const char *scope,
                              const char *period, char *state, size_t cap, int *episode,
                              gf_err *err) GF_MUST_CHECK;
/* Sets the locked state to state and its episode to episode. */
int gf_store_alert_state_set(int64_t rule_id, const char *scope, const char *period,
                             const char *state, int episode, gf_err *err) GF_MUST_CHECK;

/* An alert to record. */
typedef struct gf_store_alert_new {
    int64_t rule_id;
    const char *rule_key, *kind, *status, *fingerprint, *scope, *period;
    int episode;
    int as_of;           /* day number */
    const char *figures; /* JSON text */
    const char *message;
} gf_store_alert_new;
/* Inserts the alert; *id its id. Returns gf_alert_json. */
json_t *gf_store_alert_insert(int64_t org_id, const gf_store_alert_new *a, int64_t *id, gf_err *err)
    GF_MUST_CHECK;

/* A webhook a delivery may go to. */
typedef struct gf_store_webhook_target {
    int64_t id;
    char kind[16];
} gf_store_webhook_target;
/* Which of ids[0..n) are the org's enabled, not deleted webhooks (in the order given). */
int gf_store_webhook_targets(int64_t org_id, const int64_t *ids, size_t n,
                             gf_store_webhook_target *out, size_t *n_out, gf_err *err)
    GF_MUST_CHECK;
/* Queues one delivery of alert_id to webhook_id with body (exact bytes), due now or at the end
 * of the rule's quiet hours in the org's time zone. */
int gf_store_delivery_insert(int64_t org_id, int64_t alert_id, int64_t webhook_id, int64_t rule_id,
                             const char *event_type, const char *body, gf_err *err) GF_MUST_CHECK;

/* ---- lists ---- */

/* A page of the org's alerts, newest first; rule and status may be NULL. */
json_t *gf_store_alert_list(int64_t org_id, const char *rule, const char *status, int limit,
                            int64_t after, gf_err *err) GF_MUST_CHECK;
/* A page of the org's deliveries, newest first; status may be NULL, webhook and alert 0. */
json_t *gf_store_delivery_list(int64_t org_id, const char *status, int64_t webhook_id,
                               int64_t alert_id, int limit, int64_t after, gf_err *err)
    GF_MUST_CHECK;
/* Makes the org's delivery due now with a fresh schedule (attempts 0; the webhook-id is kept).
 * Not found when it is not the org's; conflict when its webhook is disabled or deleted. */
json_t *gf_store_delivery_retry(int64_t org_id, int64_t id, gf_err *err) GF_MUST_CHECK;

/* ---- the outbox (the delivery threads; every org) ---- */

/* One claimed attempt. body, url and secret are owned (free with gf_store_delivery_clear). */
typedef struct gf_store_delivery {
    int64_t id, org_id, webhook_id;
    int attempt; /* 1 for the first */
    char msg_id[64];
    char kind[16];
    char *body, *url, *secret_sealed;
} gf_store_delivery;
void gf_store_delivery_clear(gf_store_delivery *d);

/* Deliveries pending over every org, and the age in seconds of the oldest (0 when none): the
 * outbox gauges of GET /metrics. Returns 0 or -1 with err. */
int gf_store_outbox_depth(long long *pending, double *oldest_age_s, gf_err *err) GF_MUST_CHECK;

/* Claims the most overdue pending attempt of an enabled webhook (FOR UPDATE SKIP LOCKED): counts
 * the attempt and pushes its next_attempt_at lease_ms ahead, so that it is retried if this
 * sender dies. *got 0 when nothing is due. */
int gf_store_delivery_claim(int lease_ms, gf_store_delivery *out, int *got, gf_err *err)
    GF_MUST_CHECK;

typedef enum gf_store_outcome {
    GF_STORE_DELIVERED,
    GF_STORE_RETRY, /* due again in retry_ms */
    GF_STORE_DEAD,
    GF_STORE_RELEASE, /* not attempted after all (stopping): due now, the attempt uncounted */
} gf_store_outcome;
/* Records the claimed attempt's outcome (http_status 0 when none, error NULL when none). Does
 * nothing when the row was claimed again since (its lease ran out). */
int gf_store_delivery_result(int64_t id, int attempt, gf_store_outcome outcome, int http_status,
                             const char *error, long retry_ms, gf_err *err) GF_MUST_CHECK;

/* ---- deal_slipped ---- */

/* The live deals of scope of at least min_amount whose close date moved from inside period
 * [start, end] (day numbers) to after it in the last `days` days and is still after it: a JSON
 * array of {id, external_id, name, amount, from, to, at}, by id. Invalid naming "scope" for a
 * scope that is not the org's. */
json_t *gf_store_alert_slipped(int64_t org_id, const char *scope, int start, int end, int days,
                               const char *min_amount, gf_err *err) GF_MUST_CHECK;

#endif

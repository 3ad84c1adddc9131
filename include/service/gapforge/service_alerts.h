/* service_alerts.h — early warning: alert rules evaluated against forecasts (on demand and on a
 * schedule), alerts fired once per change of state, and their delivery to webhooks (Slack,
 * Teams, signed JSON) from the PostgreSQL outbox with retries.
 *
 * Evaluation dispatches on the rule's kind through one table (src/service/alert_kinds.c): the
 * forecast kinds read the scope's forecast, indicator_shift the change detector of GET
 * /v1/indicators, kpi_miss the KPI's forecast. A change of a rule's state (ok, firing, or a
 * kind's own firing state: for deal_slipped the set of deals, for indicator_shift the shift's
 * direction) writes the alert and one delivery per enabled webhook of the rule in one
 * transaction; the delivery threads send them, at least once, with the same webhook-id on every
 * attempt. */
#ifndef GAPFORGE_SERVICE_ALERTS_H
#define GAPFORGE_SERVICE_ALERTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "gapforge/err.h"

/* The kinds of rule, NULL-terminated (for validation tables). */
extern const char *const gf_svc_alert_kinds[];

/* Checks a rule's params object against its kind's table (each parameter's type and range;
 * unknown ones refused) and returns a new object with the defaults filled in, or NULL with
 * GF_EINVALID naming "params.NAME" (or "kind"). */
json_t *gf_svc_alert_params(const char *kind, const json_t *params, gf_err *err) GF_MUST_CHECK;

/* Evaluates the org's enabled rules (only rule_key, enabled or not, when non-NULL: not found
 * when there is none) now: {"evaluated": [{rule, kind, scope, period, state, previous_state?,
 * changed, figures, reason?}], "fired": [alert, ...]}. A rule whose forecast cannot be made is
 * reported with state "not_evaluated" and a reason; other rules still run. New reference, or NULL
 * with err (GF_EUNAVAILABLE when the database is down). */
json_t *gf_svc_alerts_evaluate(int64_t org_id, const char *rule_key, gf_err *err) GF_MUST_CHECK;

/* Starts the thread that evaluates every org's rules each every_ms (one replica per org at a
 * time: a PostgreSQL advisory lock). Returns 0 or -1 (no thread). */
int gf_svc_alert_scheduler_start(int every_ms);
/* Stops and joins it (an org being evaluated finishes first); no-op if none. */
void gf_svc_alert_scheduler_stop(void);

/* ---- webhooks ---- */

/* Checks url for a webhook (https; http only for a host in gf_svc_options.webhook_allow; no
 * credentials; no literal private, loopback or link-local address unless its host is allowed).
 * Returns 0, or GF_EINVALID naming "url". */
int gf_svc_webhook_url_check(const char *url, gf_err *err) GF_MUST_CHECK;

/* Creates a webhook of kind slack, teams or json with a new signing secret: its document with
 * "secret" ("whsec_" + base64 of 32 random bytes), the only time it is shown. GF_EINVALID naming
 * url or kind. New reference, or NULL with err. */
json_t *gf_svc_webhook_create(int64_t org_id, const char *name, const char *kind, const char *url,
                              gf_err *err) GF_MUST_CHECK;

/* The Standard Webhooks signature of one attempt: "v1," + base64(HMAC-SHA256(key, id "." ts "."
 * body)) with key the secret's bytes after "whsec_". Writes it into out (>= 64 bytes). Returns 0,
 * or -1 for a secret that is not whsec_ + base64. */
int gf_svc_webhook_sign(const char *secret, const char *msg_id, long long ts, const char *body,
                        char *out, size_t cap) GF_MUST_CHECK;

/* Starts the delivery threads (gf_svc_options.webhook_threads), which claim due attempts from the
 * outbox every webhook_poll_ms (sooner when an alert is written in this process). Returns 0 or
 * -1 (no thread). */
int gf_svc_outbox_start(void);
/* Wakes the delivery threads (a delivery was queued). */
void gf_svc_outbox_kick(void);
/* Stops and joins them; an attempt in flight is abandoned and left due (not counted). */
void gf_svc_outbox_stop(void);

#endif

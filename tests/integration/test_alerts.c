/* test_alerts.c — alert rules, alerts and webhook deliveries over real HTTP. A receiver inside the
 * test (libmicrohttpd on loopback, allowed by GAPFORGE_WEBHOOK_ALLOW) checks the Standard Webhooks
 * signature of every request, fails the first N attempts as told and counts what it saw, so the
 * tests prove: an alert fires once per change of state and resolves with a message; its
 * deliveries retry 5xx and 429 (Retry-After honoured) with the same webhook-id until delivered,
 * across a server restart; 410 disables the endpoint; the last attempt dead-letters and a manual
 * retry resends; Slack and Teams payloads keep to their published limits; bad input is 422
 * naming the field and writes nothing; another org sees none of it. The server runs with a
 * retry schedule scaled down to 0,300ms,... (GAPFORGE_WEBHOOK_SCHEDULE). The receiver is
 * receiver.c's; the KPI and indicator kinds are test_alert_kinds.c's. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"
#include "receiver.h"

/* ---- helpers ---- */

static char g_today[11];

/* A rule on the shared demo org's current quarter that fires (threshold 0.99: its P(hit) is
 * low) to the webhooks given as a JSON array text. */
static void firing_rule(const char *key, const char *rule, const char *hooks)
{
    char fields[512];
    snprintf(fields, sizeof fields,
             "\"kind\": \"prob_hit_below\", \"params\": {\"threshold\": 0.99}, \"webhooks\": %s",
             hooks);
    put_rule(key, rule, fields);
}

/* ---- tests ---- */

START_TEST(an_alert_fires_once_per_change_and_resolves_with_a_message)
{
    const char *key = fx_shared_key();
    firing_rule(key, "once", "[]");
    json_t *ev = evaluate(key, "once");
    const json_t *item = json_array_get(json_object_get(ev, "evaluated"), 0);
    ck_assert_str_eq(t_str(item, "state"), "firing");
    ck_assert_str_eq(t_str(item, "previous_state"), "ok");
    ck_assert(json_is_true(json_object_get(item, "changed")));
    fired_one(ev);
    const json_t *a = json_array_get(json_object_get(ev, "fired"), 0);
    ck_assert_str_eq(t_str(a, "status"), "firing");
    ck_assert_str_eq(t_str(a, "rule"), "once");
    ck_assert_str_eq(t_str(a, "as_of"), g_today);
    const json_t *fig = json_object_get(a, "figures");
    ck_assert(t_num(fig, "prob_hit") < 0.99);
    ck_assert(json_is_number(json_object_get(fig, "p50")));
    ck_assert_uint_ge(json_array_size(json_object_get(fig, "why")), 1);
    const json_t *ref = json_object_get(a, "reference");
    ck_assert_str_eq(t_str(ref, "scope"), "org");
    ck_assert_str_eq(t_str(ref, "period"), t_str(a, "period"));
    /* The forecast the reference names gives the figures the alert showed. */
    json_t *f = fx_body(t_get(key, "%s", t_str(ref, "href")), 200);
    ck_assert_double_eq_tol(t_num(f, "p50"), t_num(fig, "p50"), 0.01);
    json_decref(f);
    json_decref(ev);

    /* Unchanged: nothing fires. */
    ev = evaluate(key, "once");
    ck_assert_uint_eq(json_array_size(json_object_get(ev, "fired")), 0);
    item = json_array_get(json_object_get(ev, "evaluated"), 0);
    ck_assert_str_eq(t_str(item, "state"), "firing");
    ck_assert(json_is_false(json_object_get(item, "changed")));
    json_decref(ev);

    /* Cleared: one resolved alert; then firing again is a new alert. */
    put_rule(key, "once", "\"kind\": \"prob_hit_below\", \"params\": {\"threshold\": 0.0001}");
    ev = evaluate(key, "once");
    fired_one(ev);
    a = json_array_get(json_object_get(ev, "fired"), 0);
    ck_assert_str_eq(t_str(a, "status"), "resolved");
    ck_assert(strncmp(t_str(a, "message"), "Resolved: ", 10) == 0);
    json_decref(ev);
    ev = evaluate(key, "once");
    ck_assert_uint_eq(json_array_size(json_object_get(ev, "fired")), 0);
    json_decref(ev);
    firing_rule(key, "once", "[]");
    ev = evaluate(key, "once");
    fired_one(ev);
    json_decref(ev);

    t_resp r = t_get(key, "/v1/alerts?rule=once");
    ck_assert_int_eq(r.status, 200);
    ck_assert_uint_eq(fx_n_items(&r), 3);
    ck_assert_str_eq(t_str(fx_item(&r, 0), "status"), "firing");
    ck_assert_str_eq(t_str(fx_item(&r, 1), "status"), "resolved");
    ck_assert_str_eq(t_str(fx_item(&r, 2), "status"), "firing");
    /* The same state has the same fingerprint; the resolved one its own. */
    ck_assert_str_eq(t_str(fx_item(&r, 0), "fingerprint"), t_str(fx_item(&r, 2), "fingerprint"));
    ck_assert_str_ne(t_str(fx_item(&r, 0), "fingerprint"), t_str(fx_item(&r, 1), "fingerprint"));
    t_resp_free(&r);
    fx_expect_status(t_get(key, "/v1/alerts?status=resolved&rule=once"), 200);
    fx_expect_invalid(t_get(key, "/v1/alerts?status=open"), "status");
}
END_TEST

START_TEST(a_json_delivery_retries_5xx_with_one_webhook_id_and_valid_signatures)
{
    const char *key = fx_shared_key();
    rx *r = rx_start(2, 503, NULL);
    char hooks[32];
    snprintf(hooks, sizeof hooks, "[%lld]", webhook(key, r, "json", "/json"));
    firing_rule(key, "retry5xx", hooks);
    json_t *ev = evaluate(key, "retry5xx");
    long long alert = fired_one(ev);
    json_decref(ev);
    json_t *d = wait_delivery(key, alert, "delivered", 30);
    ck_assert_int_eq(t_int(d, "attempts"), 3);
    ck_assert_int_eq(t_int(d, "last_status"), 200);
    ck_assert(json_is_null(json_object_get(d, "last_error")));
    ck_assert_str_eq(t_str(d, "event_type"), "alert.fired");
    ck_assert_int_eq(rx_count(r), 3);
    for (int k = 0; k < 3; k++) {
        ck_assert_msg(r->hits[k].sig_ok, "attempt %d: bad signature", k + 1);
        ck_assert_str_eq(r->hits[k].id, t_str(d, "webhook_message_id"));
        ck_assert_str_eq(r->hits[k].body, r->hits[0].body); /* the same bytes every time */
    }
    ck_assert_int_eq(r->hits[2].status, 200);
    /* The json payload is the alert in the Standard Webhooks shape. */
    json_t *body = json_loads(r->hits[2].body, 0, NULL);
    ck_assert_str_eq(t_str(body, "type"), "alert.fired");
    ck_assert_int_eq(t_int(json_object_get(body, "data"), "id"), alert);
    json_decref(body);
    json_decref(d);
    usleep(800 * 1000);
    ck_assert_int_eq(rx_count(r), 3); /* delivered once: no duplicate after the 200 */
    rx_stop(r);
}
END_TEST

START_TEST(a_429_waits_its_retry_after_and_a_server_restart_between_attempts_loses_nothing)
{
    const char *key = fx_shared_key();
    rx *r = rx_start(1, 429, "3");
    char hooks[32];
    snprintf(hooks, sizeof hooks, "[%lld]", webhook(key, r, "json", "/restart"));
    firing_rule(key, "restart", hooks);
    json_t *ev = evaluate(key, "restart");
    long long alert = fired_one(ev);
    json_decref(ev);
    for (int i = 0; i < 100 && rx_count(r) < 1; i++)
        usleep(100 * 1000);
    ck_assert_int_eq(rx_count(r), 1);
    t_server_restart(); /* the second attempt is due in 3 s: the new server sends it */
    json_t *d = wait_delivery(key, alert, "delivered", 30);
    ck_assert_int_eq(t_int(d, "attempts"), 2);
    ck_assert_int_eq(rx_count(r), 2);
    ck_assert(r->hits[0].sig_ok && r->hits[1].sig_ok);
    ck_assert_str_eq(r->hits[0].id, r->hits[1].id);
    ck_assert_msg(r->hits[1].at - r->hits[0].at >= 2.9, "retried after %.2f s, Retry-After 3",
                  r->hits[1].at - r->hits[0].at);
    json_decref(d);
    rx_stop(r);
}
END_TEST

START_TEST(a_database_restart_between_attempts_loses_nothing)
{
    const char *key = fx_shared_key();
    rx *r = rx_start(1, 503, "3");
    char hooks[32];
    snprintf(hooks, sizeof hooks, "[%lld]", webhook(key, r, "json", "/dbrestart"));
    firing_rule(key, "dbrestart", hooks);
    json_t *ev = evaluate(key, "dbrestart");
    long long alert = fired_one(ev);
    json_decref(ev);
    for (int i = 0; i < 100 && rx_count(r) < 1; i++)
        usleep(100 * 1000);
    ck_assert_int_eq(rx_count(r), 1);
    /* PostgreSQL is down while the second attempt falls due. */
    ck_assert_msg(t_db_stop() == 0, "GAPFORGE_TEST_DB_STOP is not set or failed");
    usleep(4000 * 1000);
    ck_assert_int_eq(t_db_start(), 0);
    json_t *d = NULL;
    for (int i = 0; i < 300 && !d; i++) { /* the first requests after the restart may be 503 */
        t_resp x = t_get(key, "/v1/deliveries?alert=%lld", alert);
        if (x.status == 200 &&
            strcmp(t_str(json_array_get(json_object_get(x.body, "items"), 0), "status"),
                   "delivered") == 0)
            d = json_incref(json_array_get(json_object_get(x.body, "items"), 0));
        t_resp_free(&x);
        if (!d)
            usleep(100 * 1000);
    }
    ck_assert_msg(d != NULL, "not delivered after the database came back");
    ck_assert_int_eq(t_int(d, "attempts"), 2);
    ck_assert_int_eq(rx_count(r), 2);
    ck_assert(r->hits[0].sig_ok && r->hits[1].sig_ok);
    ck_assert_str_eq(r->hits[0].id, r->hits[1].id);
    json_decref(d);
    rx_stop(r);
}
END_TEST

/* Starts a second `gapforge serve` on port against the same database (a replica), returning
 * its pid; it is in this test's process group, which Check kills when the test ends. */
static pid_t start_replica(int port)
{
    pid_t pid = fork();
    if (pid == 0) {
        char listen[64];
        snprintf(listen, sizeof listen, "127.0.0.1:%d", port);
        setenv("GAPFORGE_LISTEN", listen, 1);
        setenv("GAPFORGE_WEBHOOK_THREADS", "4", 1);
        if (!freopen("/dev/null", "w", stderr))
            _exit(127);
        execl(getenv("GAPFORGE_BIN"), getenv("GAPFORGE_BIN"), "serve", (char *)NULL);
        _exit(127);
    }
    return pid;
}

START_TEST(two_replicas_send_each_delivery_once)
{
    const char *key = fx_shared_key();
    rx *r = rx_start(0, 200, NULL);
    char hooks[32];
    long long hook = webhook(key, r, "json", "/replicas");
    snprintf(hooks, sizeof hooks, "[%lld]", hook);
    firing_rule(key, "replicas", hooks);
    json_t *ev = evaluate(key, "replicas");
    long long alert = fired_one(ev);
    json_decref(ev);
    pid_t replica = start_replica(t_port() + 1 > 65535 ? t_port() - 1 : t_port() + 1);
    ck_assert_int_gt(replica, 0);
    /* 59 more deliveries of the same alert, due at once, for both servers to compete over. */
    fx_exec("INSERT INTO deliveries (org_id, alert_id, webhook_id, msg_id, event_type, body) "
            "SELECT d.org_id, d.alert_id, d.webhook_id, 'msg_replica_' || g || '_' || d.id, "
            "d.event_type, d.body FROM deliveries d, generate_series(1, 59) g "
            "WHERE d.alert_id = %lld",
            alert);
    long long delivered = 0;
    for (int i = 0; i < 300 && delivered < 60; i++) {
        usleep(100 * 1000);
        delivered = fx_sql_ll("SELECT count(*) FROM deliveries WHERE alert_id = %lld "
                              "AND status = 'delivered'",
                              alert);
    }
    ck_assert_int_eq(delivered, 60);
    usleep(500 * 1000);
    ck_assert_int_eq(rx_count(r), 60);
    for (int k = 0; k < 60; k++) {
        ck_assert(r->hits[k].sig_ok);
        for (int j = 0; j < k; j++)
            ck_assert_msg(strcmp(r->hits[k].id, r->hits[j].id) != 0, "%s sent twice",
                          r->hits[k].id);
    }
    ck_assert_int_eq(fx_sql_ll("SELECT max(attempts) FROM deliveries WHERE alert_id = %lld", alert),
                     1);
    kill(replica, SIGTERM);
    rx_stop(r);
}
END_TEST

START_TEST(a_410_disables_the_endpoint_and_its_delivery_cannot_be_retried)
{
    const char *key = fx_shared_key();
    rx *r = rx_start(100, 410, NULL);
    long long id = webhook(key, r, "json", "/gone");
    char hooks[32];
    snprintf(hooks, sizeof hooks, "[%lld]", id);
    firing_rule(key, "gone", hooks);
    json_t *ev = evaluate(key, "gone");
    long long alert = fired_one(ev);
    json_decref(ev);
    json_t *d = wait_delivery(key, alert, "dead", 30);
    ck_assert_int_eq(t_int(d, "attempts"), 1);
    ck_assert_int_eq(t_int(d, "last_status"), 410);
    ck_assert_ptr_nonnull(strstr(t_str(d, "last_error"), "410"));
    char path[64];
    snprintf(path, sizeof path, "/v1/deliveries/%lld/retry", (long long)t_int(d, "id"));
    fx_expect_error(t_request("POST", path, key, NULL, NULL, NULL), 409, NULL, NULL);
    json_decref(d);
    json_t *hooks_page = fx_body(t_get(key, "/v1/webhooks?limit=500"), 200);
    size_t i;
    json_t *w;
    int seen = 0;
    json_array_foreach(json_object_get(hooks_page, "items"), i, w)
    {
        if (t_int(w, "id") == id) {
            seen = 1;
            ck_assert(json_is_false(json_object_get(w, "enabled")));
            ck_assert_str_eq(t_str(w, "disabled_reason"), "410 Gone");
            ck_assert_ptr_null(json_object_get(w, "secret"));
        }
    }
    ck_assert(seen);
    json_decref(hooks_page);
    ck_assert_int_eq(rx_count(r), 1);
    rx_stop(r);
}
END_TEST

START_TEST(the_last_attempt_dead_letters_and_a_manual_retry_resends_with_the_same_id)
{
    const char *key = fx_shared_key();
    rx *r = rx_start(5, 500, NULL); /* the schedule has 5 attempts */
    char hooks[32];
    snprintf(hooks, sizeof hooks, "[%lld]", webhook(key, r, "json", "/dead"));
    firing_rule(key, "dead", hooks);
    json_t *ev = evaluate(key, "dead");
    long long alert = fired_one(ev);
    json_decref(ev);
    json_t *d = wait_delivery(key, alert, "dead", 30);
    ck_assert_int_eq(t_int(d, "attempts"), 5);
    ck_assert_int_eq(t_int(d, "last_status"), 500);
    ck_assert_ptr_nonnull(strstr(t_str(d, "last_error"), "gave up after 5 attempts"));
    ck_assert(json_is_null(json_object_get(d, "next_attempt_at")));
    char path[64];
    snprintf(path, sizeof path, "/v1/deliveries/%lld/retry", (long long)t_int(d, "id"));
    json_t *again = fx_body(t_request("POST", path, key, NULL, NULL, NULL), 200);
    ck_assert_str_eq(t_str(again, "status"), "pending");
    ck_assert_int_eq(t_int(again, "attempts"), 0);
    json_decref(again);
    json_t *done = wait_delivery(key, alert, "delivered", 30);
    ck_assert_int_eq(rx_count(r), 6);
    for (int k = 0; k < 6; k++) {
        ck_assert(r->hits[k].sig_ok);
        ck_assert_str_eq(r->hits[k].id, t_str(d, "webhook_message_id"));
    }
    json_decref(done);
    json_decref(d);
    fx_expect_status(t_get(key, "/v1/deliveries?status=dead"), 200);
    fx_expect_invalid(t_get(key, "/v1/deliveries?status=lost"), "status");
    fx_expect_error(t_request("POST", "/v1/deliveries/999999999/retry", key, NULL, NULL, NULL), 404,
                    NULL, NULL);
    rx_stop(r);
}
END_TEST

START_TEST(slack_and_teams_payloads_keep_to_their_limits_and_show_the_forecast_and_why)
{
    const char *key = fx_shared_key();
    rx *r = rx_start(0, 200, NULL);
    char hooks[64];
    snprintf(hooks, sizeof hooks, "[%lld, %lld]", webhook(key, r, "slack", "/slack"),
             webhook(key, r, "teams", "/teams"));
    firing_rule(key, "chat", hooks);
    json_t *ev = evaluate(key, "chat");
    fired_one(ev);
    json_decref(ev);
    for (int i = 0; i < 200 && rx_count(r) < 2; i++)
        usleep(100 * 1000);
    ck_assert_int_eq(rx_count(r), 2);
    for (int k = 0; k < 2; k++) {
        const rx_hit *h = &r->hits[k];
        ck_assert(h->sig_ok);
        json_t *b = json_loads(h->body, 0, NULL);
        ck_assert_ptr_nonnull(b);
        if (strcmp(h->path, "/slack") == 0) {
            ck_assert(json_is_string(json_object_get(b, "text")));
            const json_t *blocks = json_object_get(b, "blocks");
            ck_assert_uint_ge(json_array_size(blocks), 3);
            ck_assert_uint_le(json_array_size(blocks), 50);
            size_t i;
            json_t *bl;
            int header = 0, why = 0, p50 = 0;
            json_array_foreach(blocks, i, bl)
            {
                const char *type = t_str(bl, "type");
                const json_t *text = json_object_get(bl, "text");
                if (strcmp(type, "header") == 0) {
                    header = 1;
                    ck_assert_str_eq(t_str(text, "type"), "plain_text");
                    ck_assert_uint_le(chars(t_str(text, "text")), 150);
                }
                if (strcmp(type, "section") == 0 && text) {
                    ck_assert_uint_le(chars(t_str(text, "text")), 3000);
                    why = why || strstr(t_str(text, "text"), "*Why*") != NULL;
                }
                const json_t *fields = json_object_get(bl, "fields");
                ck_assert_uint_le(json_array_size(fields), 10);
                size_t j;
                json_t *fl;
                json_array_foreach(fields, j, fl)
                {
                    ck_assert_uint_le(chars(t_str(fl, "text")), 2000);
                    p50 = p50 || strstr(t_str(fl, "text"), "P50") != NULL;
                }
            }
            ck_assert(header && why && p50);
        } else {
            ck_assert_str_eq(h->path, "/teams");
            ck_assert_uint_lt(strlen(h->body), 28 * 1024);
            ck_assert_str_eq(t_str(b, "type"), "message");
            const json_t *att = json_array_get(json_object_get(b, "attachments"), 0);
            ck_assert_str_eq(t_str(att, "contentType"), "application/vnd.microsoft.card.adaptive");
            const json_t *card = json_object_get(att, "content");
            ck_assert_str_eq(t_str(card, "type"), "AdaptiveCard");
            ck_assert_uint_ge(json_array_size(json_object_get(card, "body")), 3);
            ck_assert_ptr_nonnull(strstr(h->body, "FactSet"));
        }
        json_decref(b);
    }
    rx_stop(r);
}
END_TEST

START_TEST(quiet_hours_hold_a_delivery_until_they_end)
{
    const char *key = fx_shared_key();
    rx *r = rx_start(0, 200, NULL);
    time_t now = time(NULL);
    struct tm a, b;
    time_t from = now - 3600, to = now + 7200;
    gmtime_r(&from, &a);
    gmtime_r(&to, &b);
    char fields[512];
    snprintf(fields, sizeof fields,
             "\"kind\": \"prob_hit_below\", \"params\": {\"threshold\": 0.99}, \"webhooks\": "
             "[%lld], \"quiet_hours\": {\"start\": \"%02d:%02d\", \"end\": \"%02d:%02d\"}",
             webhook(key, r, "json", "/quiet"), a.tm_hour, a.tm_min, b.tm_hour, b.tm_min);
    put_rule(key, "quiet", fields);
    json_t *ev = evaluate(key, "quiet");
    long long alert = fired_one(ev);
    json_decref(ev);
    usleep(1000 * 1000);
    json_t *d = wait_delivery(key, alert, "pending", 1);
    ck_assert_int_eq(t_int(d, "attempts"), 0);
    ck_assert(json_is_string(json_object_get(d, "next_attempt_at")));
    ck_assert_int_eq(rx_count(r), 0);
    json_decref(d);
    rx_stop(r);
}
END_TEST

START_TEST(a_large_deal_pushed_out_of_the_period_fires_deal_slipped)
{
    char key[128], slug[64];
    fx_sales_org(key, slug);
    /* The quarter containing today (a January fiscal year) and a day after it. */
    json_t *periods = fx_body(t_get(key, "/v1/periods"), 200);
    const json_t *cur = NULL;
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(periods, "items"), i, p)
    {
        if (json_is_true(json_object_get(p, "current")))
            cur = p;
    }
    ck_assert_ptr_nonnull(cur);
    char body[512];
    snprintf(body, sizeof body,
             "{\"external_id\": \"big\", \"name\": \"Initech renewal\", \"owner\": \"ada\", "
             "\"amount\": 50000, \"stage\": \"proposal\", \"created_on\": \"%s\", "
             "\"close_date\": \"%s\"}",
             t_str(cur, "start"), t_str(cur, "end"));
    long long deal = fx_post_deal(key, body);
    fx_post_deal(key, "{\"external_id\": \"small\", \"name\": \"Small\", \"owner\": \"ada\", "
                      "\"amount\": 500, \"stage\": \"proposal\", \"created_on\": \"2020-01-01\", "
                      "\"close_date\": \"2020-02-01\"}");
    put_rule(key, "slip",
             "\"kind\": \"deal_slipped\", \"scope\": \"team:emea\", \"params\": {\"min_amount\": "
             "10000}");
    json_t *ev = evaluate(key, "slip");
    ck_assert_str_eq(t_str(json_array_get(json_object_get(ev, "evaluated"), 0), "state"), "ok");
    json_decref(ev);
    fx_patch_deal(key, deal, "{\"close_date\": \"2099-01-15\"}");
    ev = evaluate(key, "slip");
    fired_one(ev);
    const json_t *fig = json_object_get(json_array_get(json_object_get(ev, "fired"), 0), "figures");
    ck_assert_int_eq(t_int(fig, "count"), 1);
    const json_t *dl = json_array_get(json_object_get(fig, "deals"), 0);
    ck_assert_int_eq(t_int(dl, "id"), deal);
    ck_assert_str_eq(t_str(dl, "name"), "Initech renewal");
    ck_assert_str_eq(t_str(dl, "to"), "2099-01-15");
    json_decref(ev);
    json_decref(periods);
    /* Another scope does not see it. */
    put_rule(key, "slip-us",
             "\"kind\": \"deal_slipped\", \"scope\": \"team:americas\", \"params\": "
             "{\"min_amount\": 10000}");
    ev = evaluate(key, "slip-us");
    ck_assert_str_eq(t_str(json_array_get(json_object_get(ev, "evaluated"), 0), "state"), "ok");
    json_decref(ev);
}
END_TEST

START_TEST(bad_rules_and_webhooks_are_422_naming_the_field_and_write_nothing)
{
    char key[128], slug[64], other[128], write_key[128];
    fx_sales_org(key, slug);
    t_new_org(other, NULL);
    json_t *w = fx_body(t_post(other, "/v1/webhooks",
                               "{\"name\": \"x\", \"kind\": \"json\", \"url\": "
                               "\"https://hooks.example.com/a\"}"),
                        201);
    char foreign[160];
    snprintf(foreign, sizeof foreign,
             "\"kind\": \"prob_hit_below\", \"params\": {\"threshold\": "
             "0.5}, \"webhooks\": [%lld]",
             (long long)t_int(w, "id"));
    json_decref(w);
    static const struct {
        const char *body, *field;
    } bad_hooks[] = {
        {"{\"name\": \"a\", \"kind\": \"json\", \"url\": \"ftp://x.example.com/\"}", "url"},
        {"{\"name\": \"a\", \"kind\": \"json\", \"url\": \"http://hooks.example.com/\"}", "url"},
        {"{\"name\": \"a\", \"kind\": \"json\", \"url\": \"https://10.1.2.3/h\"}", "url"},
        {"{\"name\": \"a\", \"kind\": \"json\", \"url\": \"https://[::1]/h\"}", "url"},
        {"{\"name\": \"a\", \"kind\": \"json\", \"url\": \"https://169.254.169.254/h\"}", "url"},
        {"{\"name\": \"a\", \"kind\": \"json\", \"url\": \"https://u:p@hooks.example.com/\"}",
         "url"},
        {"{\"name\": \"a\", \"kind\": \"discord\", \"url\": \"https://hooks.example.com/\"}",
         "kind"},
        {"{\"kind\": \"json\", \"url\": \"https://hooks.example.com/\"}", "name"},
    };
    for (size_t k = 0; k < sizeof bad_hooks / sizeof bad_hooks[0]; k++)
        fx_expect_invalid(t_post(key, "/v1/webhooks", bad_hooks[k].body), bad_hooks[k].field);
    ck_assert_int_eq(fx_org_rows(slug, "webhooks"), 0);

    const struct {
        const char *fields, *field;
    } bad_rules[] = {
        {"\"kind\": \"prob_hit_below\", \"params\": {\"threshold\": 1.5}", "params.threshold"},
        {"\"kind\": \"prob_hit_below\", \"params\": {}", "params"},
        {"\"kind\": \"prob_hit_below\", \"params\": {\"threshold\": 0.5, \"x\": 1}", "params.x"},
        {"\"kind\": \"p50_drop\", \"params\": {\"fraction\": 0.2, \"days\": 0}", "params.days"},
        {"\"kind\": \"deal_slipped\", \"params\": {\"min_amount\": -1}", "params.min_amount"},
        {"\"kind\": \"kpi_miss\", \"params\": {\"kpi\": \"a b\", \"threshold\": 0.5}",
         "params.kpi"},
        {"\"kind\": \"sky_falling\", \"params\": {}", "kind"},
        {"\"kind\": \"prob_hit_below\", \"params\": {\"threshold\": 0.5}, \"scope\": \"team:nope\"",
         "scope"},
        {"\"kind\": \"prob_hit_below\", \"params\": {\"threshold\": 0.5}, \"period\": \"soon\"",
         "period"},
        {"\"kind\": \"prob_hit_below\", \"params\": {\"threshold\": 0.5}, \"webhooks\": [1, 1]",
         "webhooks"},
        {foreign, "webhooks"},
        {"\"kind\": \"prob_hit_below\", \"params\": {\"threshold\": 0.5}, \"quiet_hours\": "
         "{\"start\": \"25:00\", \"end\": \"07:00\"}",
         "quiet_hours"},
    };
    for (size_t k = 0; k < sizeof bad_rules / sizeof bad_rules[0]; k++) {
        char body[1024];
        snprintf(body, sizeof body, "{%s}", bad_rules[k].fields);
        fx_expect_invalid(t_put(key, "/v1/alert-rules/r1", body), bad_rules[k].field);
    }
    ck_assert_int_eq(fx_org_rows(slug, "alert_rules"), 0);
    fx_expect_error(t_get(key, "/v1/alert-rules/r1"), 404, NULL, NULL);
    fx_expect_error(t_request("POST", "/v1/alerts/evaluate?rule=r1", key, NULL, NULL, NULL), 404,
                    NULL, NULL);

    /* Scopes: a read key lists but cannot write; webhooks need admin. */
    t_new_key(key, "[\"write\"]", write_key);
    fx_expect_error(t_post(write_key, "/v1/webhooks",
                           "{\"name\": \"a\", \"kind\": \"json\", \"url\": "
                           "\"https://hooks.example.com/\"}"),
                    403, NULL, NULL);
    /* Another org's webhook cannot be deleted and is not listed. */
    fx_expect_error(t_delete(key, "/v1/webhooks/1"), 404, NULL, NULL);
    t_resp r = t_get(key, "/v1/webhooks");
    ck_assert_uint_eq(fx_n_items(&r), 0);
    t_resp_free(&r);
    r = t_get(key, "/v1/deliveries");
    ck_assert_uint_eq(fx_n_items(&r), 0);
    t_resp_free(&r);
}
END_TEST

START_TEST(a_rule_reads_back_and_deletes)
{
    char key[128], slug[64];
    fx_sales_org(key, slug);
    t_resp c = t_put(key, "/v1/alert-rules/emea-prob",
                     "{\"name\": \"EMEA at risk\", \"kind\": \"prob_hit_below\", \"scope\": "
                     "\"team:emea\", \"period\": \"next\", \"params\": {\"threshold\": 0.6}, "
                     "\"quiet_hours\": {\"start\": \"22:00\", \"end\": \"07:00\"}}");
    ck_assert_int_eq(c.status, 201);
    t_resp_free(&c);
    json_t *rule = fx_body(t_get(key, "/v1/alert-rules/emea-prob"), 200);
    ck_assert_str_eq(t_str(rule, "scope"), "team:emea");
    ck_assert_str_eq(t_str(rule, "period"), "next");
    ck_assert_str_eq(t_str(json_object_get(rule, "quiet_hours"), "start"), "22:00");
    ck_assert(json_is_true(json_object_get(rule, "enabled")));
    json_decref(rule);
    fx_expect_status(t_put(key, "/v1/alert-rules/emea-prob",
                           "{\"kind\": \"coverage_below\", \"params\": {\"ratio\": 3}, "
                           "\"enabled\": false}"),
                     200);
    t_resp l = t_get(key, "/v1/alert-rules");
    ck_assert_uint_eq(fx_n_items(&l), 1);
    ck_assert_str_eq(t_str(fx_item(&l, 0), "kind"), "coverage_below");
    t_resp_free(&l);
    fx_expect_status(t_delete(key, "/v1/alert-rules/emea-prob"), 204);
    fx_expect_error(t_delete(key, "/v1/alert-rules/emea-prob"), 404, NULL, NULL);
}
END_TEST

/* The current quarter of the org of key: its name, start and end into the buffers. */
static void current_quarter(const char *key, char name[32], char start[11], char end[11])
{
    json_t *periods = fx_body(t_get(key, "/v1/periods"), 200);
    size_t i;
    json_t *p;
    name[0] = '\0';
    json_array_foreach(json_object_get(periods, "items"), i, p)
    {
        if (json_is_true(json_object_get(p, "current"))) {
            snprintf(name, 32, "%s", t_str(p, "name"));
            snprintf(start, 11, "%s", t_str(p, "start"));
            snprintf(end, 11, "%s", t_str(p, "end"));
        }
    }
    json_decref(periods);
    ck_assert(name[0]);
}

START_TEST(a_p50_drop_compares_with_the_latest_snapshot_before_today)
{
    const char *key = fx_shared_key();
    put_rule(key, "drop",
             "\"kind\": \"p50_drop\", \"scope\": \"team:emea\", \"params\": "
             "{\"fraction\": 0.5}");
    json_t *ev = evaluate(key, "drop");
    const json_t *item = json_array_get(json_object_get(ev, "evaluated"), 0);
    ck_assert_str_eq(t_str(item, "state"), "not_evaluated");
    ck_assert_ptr_nonnull(strstr(t_str(item, "reason"), "no snapshot"));
    json_decref(ev);
    char name[32], start[11], end[11];
    current_quarter(key, name, start, end);
    fx_exec("INSERT INTO forecast_snapshots (org_id, scope, period, period_start, period_end, "
            "as_of, p10, p50, p90, expected, model_version, forecast) SELECT id, 'team:emea', "
            "'%s', '%s', '%s', current_date - 1, 1e9, 1e9, 1e9, 1e9, 'test', '{}' FROM orgs "
            "WHERE slug = '%s'",
            name, start, end, fx_shared_slug());
    ev = evaluate(key, "drop");
    fired_one(ev);
    const json_t *fig = json_object_get(json_array_get(json_object_get(ev, "fired"), 0), "figures");
    ck_assert_double_eq(t_num(fig, "previous_p50"), 1e9);
    ck_assert(t_num(fig, "drop") > 0.99);
    ck_assert_str_eq(t_str(fig, "currency"), "USD");
    json_decref(ev);
}
END_TEST

/* Coverage below a ratio fires with the forecast's own coverage (open pipeline over what is
 * left of the target), and a ratio under it resolves. */
START_TEST(pipeline_coverage_below_its_ratio_fires_and_resolves)
{
    const char *key = fx_shared_key();
    put_rule(key, "cover", "\"kind\": \"coverage_below\", \"params\": {\"ratio\": 100}");
    json_t *ev = evaluate(key, "cover");
    fired_one(ev);
    const json_t *a = json_array_get(json_object_get(ev, "fired"), 0);
    ck_assert_str_eq(t_str(a, "status"), "firing");
    const json_t *fig = json_object_get(a, "figures");
    const double cov = t_num(fig, "coverage");
    ck_assert(cov > 0 && cov < 100);
    ck_assert_double_eq(t_num(fig, "ratio"), 100);
    ck_assert_ptr_nonnull(strstr(t_str(a, "message"), "pipeline coverage of the remaining target"));
    /* The forecast the alert names has that coverage. */
    json_t *f = fx_body(t_get(key, "%s", t_str(json_object_get(a, "reference"), "href")), 200);
    ck_assert_double_eq_tol(t_num(f, "coverage"), cov, 1e-9);
    json_decref(f);
    json_decref(ev);
    char below[128];
    snprintf(below, sizeof below, "\"kind\": \"coverage_below\", \"params\": {\"ratio\": %.6f}",
             cov / 2);
    put_rule(key, "cover", below);
    ev = evaluate(key, "cover");
    fired_one(ev);
    a = json_array_get(json_object_get(ev, "fired"), 0);
    ck_assert_str_eq(t_str(a, "status"), "resolved");
    ck_assert_ptr_nonnull(strstr(t_str(a, "message"), "is back to"));
    json_decref(ev);
}
END_TEST

START_TEST(the_schedule_evaluates_rules_without_a_request)
{
    char key[128], slug[64];
    fx_sales_org(key, slug);
    char name[32], start[11], end[11], body[512];
    current_quarter(key, name, start, end);
    snprintf(body, sizeof body,
             "{\"external_id\": \"late\", \"name\": \"Late\", \"owner\": \"bob\", "
             "\"amount\": 90000, \"stage\": \"proposal\", \"created_on\": \"%s\", "
             "\"close_date\": \"%s\"}",
             start, end);
    long long deal = fx_post_deal(key, body);
    fx_patch_deal(key, deal, "{\"close_date\": \"2099-03-01\"}");
    /* Only this org's rule runs on the schedule (the other suites' rules are switched off). */
    fx_exec("UPDATE alert_rules SET enabled = false");
    put_rule(key, "sched", "\"kind\": \"deal_slipped\", \"params\": {\"min_amount\": 1000}");
    setenv("GAPFORGE_ALERTS_EVERY", "1s", 1);
    t_server_restart();
    long n = 0;
    for (int i = 0; i < 100 && n == 0; i++) {
        usleep(100 * 1000);
        n = fx_count_all(key, "/v1/alerts?rule=sched");
    }
    ck_assert_int_eq(n, 1);
    usleep(2500 * 1000); /* two more ticks: the state has not changed, nothing more fires */
    ck_assert_int_eq(fx_count_all(key, "/v1/alerts?rule=sched"), 1);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("alerts");
    TCase *shared = tcase_create("shared demo org");
    tcase_set_timeout(shared, 120);
    fx_shared_demo_add(
        shared,
        (fx_demo_spec){.seed = 3, .quarters = 8, .deals_per_quarter = 150, .as_of = g_today});
    tcase_add_test(shared, an_alert_fires_once_per_change_and_resolves_with_a_message);
    tcase_add_test(shared, a_json_delivery_retries_5xx_with_one_webhook_id_and_valid_signatures);
    tcase_add_test(shared,
                   a_429_waits_its_retry_after_and_a_server_restart_between_attempts_loses_nothing);
    tcase_add_test(shared, two_replicas_send_each_delivery_once);
    tcase_add_test(shared, a_410_disables_the_endpoint_and_its_delivery_cannot_be_retried);
    tcase_add_test(shared,
                   the_last_attempt_dead_letters_and_a_manual_retry_resends_with_the_same_id);
    tcase_add_test(shared,
                   slack_and_teams_payloads_keep_to_their_limits_and_show_the_forecast_and_why);
    tcase_add_test(shared, quiet_hours_hold_a_delivery_until_they_end);
    tcase_add_test(shared, a_p50_drop_compares_with_the_latest_snapshot_before_today);
    tcase_add_test(shared, pipeline_coverage_below_its_ratio_fires_and_resolves);
    /* Last of the demo org's: it restarts PostgreSQL. */
    tcase_add_test(shared, a_database_restart_between_attempts_loses_nothing);
    suite_add_tcase(s, shared);
    TCase *own = tcase_create("own orgs");
    tcase_set_timeout(own, 60);
    tcase_add_test(own, a_large_deal_pushed_out_of_the_period_fires_deal_slipped);
    tcase_add_test(own, bad_rules_and_webhooks_are_422_naming_the_field_and_write_nothing);
    tcase_add_test(own, a_rule_reads_back_and_deletes);
    /* Last: it restarts the server with the schedule on. */
    tcase_add_test(own, the_schedule_evaluates_rules_without_a_request);
    suite_add_tcase(s, own);
    return s;
}

int main(void)
{
    const time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(g_today, sizeof g_today, "%Y-%m-%d", &tm);
    return t_main(suite());
}

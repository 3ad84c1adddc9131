/* test_alerts.c — the pure parts of alerts and webhooks: Standard Webhooks signatures (the
 * specification's published example), sealed secrets, the URL rules, the rule kinds' parameter
 * table, the retry schedule's configuration, and chat payloads that stay within Slack's and
 * Teams' limits however long the alert's texts are. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts_internal.h"
#include "gapforge/config.h"
#include "gapforge/crypto.h"
#include "gapforge/service.h"
#include "gapforge/service_alerts.h"
#include "unit.h"

START_TEST(a_signature_matches_the_standard_webhooks_example)
{
    char sig[96];
    ck_assert_int_eq(gf_svc_webhook_sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                                         "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
                                         "{\"test\": 2432232314}", sig, sizeof sig),
                     0);
    ck_assert_str_eq(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    ck_assert_int_eq(gf_svc_webhook_sign("nope", "m", 1, "{}", sig, sizeof sig), -1);
    ck_assert_int_eq(gf_svc_webhook_sign("whsec_***", "m", 1, "{}", sig, sizeof sig), -1);
}
END_TEST

START_TEST(a_sealed_secret_opens_only_under_its_key_and_unaltered)
{
    unsigned char key[32], other[32];
    memset(key, 7, sizeof key);
    memset(other, 8, sizeof other);
    char sealed[256], out[128], again[256];
    ck_assert_int_eq(gf_seal(key, "whsec_abc", sealed, sizeof sealed), 0);
    ck_assert(strncmp(sealed, "v1:", 3) == 0);
    ck_assert_ptr_null(strstr(sealed, "whsec"));
    ck_assert_int_eq(gf_seal(key, "whsec_abc", again, sizeof again), 0);
    ck_assert_str_ne(sealed, again); /* a fresh nonce each time */
    ck_assert_int_eq(gf_unseal(key, sealed, out, sizeof out), 0);
    ck_assert_str_eq(out, "whsec_abc");
    ck_assert_int_eq(gf_unseal(other, sealed, out, sizeof out), -1);
    sealed[10] = sealed[10] == 'A' ? 'B' : 'A';
    ck_assert_int_eq(gf_unseal(key, sealed, out, sizeof out), -1);
    ck_assert_int_eq(gf_unseal(key, "plain:x", out, sizeof out), -1);
}
END_TEST

START_TEST(webhook_urls_must_be_https_public_and_without_credentials)
{
    gf_svc_options o;
    gf_svc_options_default(&o);
    o.webhook_allow = "127.0.0.1, receiver.local";
    gf_svc_configure(&o);
    static const char *const good[] = {
        "https://hooks.slack.com/services/T0/B0/x",
        "https://example.com:8443/a?b=c",
        "http://127.0.0.1:9999/hook",
        "http://receiver.local/hook",
    };
    static const char *const bad[] = {
        "ftp://example.com/",
        "http://example.com/",
        "https://10.0.0.1/",
        "https://192.168.1.2/",
        "https://172.16.0.1/",
        "https://169.254.169.254/latest",
        "https://[::1]/",
        "https://[fe80::1]/",
        "https://[fd00::1]/",
        "https://[::ffff:10.0.0.1]/",
        "https://localhost/",
        "https://0.0.0.0/",
        "https://100.64.0.1/",
        "https://u:p@example.com/",
        "https://",
        "not a url",
    };
    gf_err err = {0};
    for (size_t k = 0; k < sizeof good / sizeof good[0]; k++)
        ck_assert_msg(gf_svc_webhook_url_check(good[k], &err) == 0, "%s: %s", good[k], err.message);
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        gf_err_clear(&err);
        ck_assert_msg(gf_svc_webhook_url_check(bad[k], &err) == GF_EINVALID, "%s accepted", bad[k]);
        ck_assert_str_eq(err.field, "url");
    }
    gf_svc_options_default(&o);
    gf_svc_configure(&o);
}
END_TEST

START_TEST(rule_params_are_checked_against_the_kinds_table_with_defaults)
{
    gf_err err = {0};
    json_t *in = json_pack("{s:f}", "fraction", 0.2);
    json_t *out = gf_svc_alert_params("p50_drop", in, &err);
    ck_assert_ptr_nonnull(out);
    ck_assert_int_eq(json_integer_value(json_object_get(out, "days")), 1);
    json_decref(out);
    json_decref(in);
    in = json_pack("{s:s}", "indicator", "qualified_leads");
    out = gf_svc_alert_params("indicator_shift", in, &err);
    ck_assert_ptr_nonnull(out);
    ck_assert_str_eq(json_string_value(json_object_get(out, "direction")), "any");
    ck_assert(json_number_value(json_object_get(out, "min_change")) == 0);
    json_decref(out);
    json_decref(in);
    in = json_pack("{s:s, s:s}", "indicator", "velocity", "direction", "adverse");
    out = gf_svc_alert_params("indicator_shift", in, &err);
    ck_assert_str_eq(json_string_value(json_object_get(out, "direction")), "adverse");
    json_decref(out);
    json_decref(in);
    static const struct {
        const char *kind, *params, *field;
    } bad[] = {
        {"prob_hit_below", "{\"threshold\": 0}", "params.threshold"},
        {"prob_hit_below", "{\"threshold\": 1}", "params.threshold"},
        {"prob_hit_below", "{\"threshold\": \"x\"}", "params.threshold"},
        {"coverage_below", "{}", "params"},
        {"coverage_below", "{\"ratio\": 2, \"threshold\": 1}", "params.threshold"},
        {"deal_slipped", "{\"min_amount\": 1.234}", "params.min_amount"},
        {"deal_slipped", "{\"min_amount\": 10, \"days\": 1.5}", "params.days"},
        {"indicator_shift", "{\"indicator\": \"\"}", "params.indicator"},
        {"indicator_shift", "{\"indicator\": \"a\", \"direction\": \"left\"}", "params.direction"},
        {"indicator_shift", "{\"indicator\": \"a\", \"direction\": 1}", "params.direction"},
        {"indicator_shift", "{\"indicator\": \"a\", \"min_change\": 101}", "params.min_change"},
        {"kpi_miss", "{\"kpi\": \"leads\"}", "params"},
        {"weather", "{}", "kind"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        gf_err_clear(&err);
        json_t *p = json_loads(bad[k].params, 0, NULL);
        out = gf_svc_alert_params(bad[k].kind, p, &err);
        ck_assert_msg(out == NULL, "%s %s accepted", bad[k].kind, bad[k].params);
        ck_assert_str_eq(err.field, bad[k].field);
        json_decref(p);
    }
}
END_TEST

START_TEST(durations_and_the_retry_schedule_parse_from_the_environment)
{
    int ms = -1;
    ck_assert_int_eq(gf_config_parse_duration("0", &ms), 0);
    ck_assert_int_eq(ms, 0);
    ck_assert_int_eq(gf_config_parse_duration("250ms", &ms), 0);
    ck_assert_int_eq(ms, 250);
    ck_assert_int_eq(gf_config_parse_duration("15m", &ms), 0);
    ck_assert_int_eq(ms, 900000);
    ck_assert_int_eq(gf_config_parse_duration("10h", &ms), 0);
    ck_assert_int_eq(ms, 36000000);
    ck_assert_int_eq(gf_config_parse_duration("5", &ms), -1);
    ck_assert_int_eq(gf_config_parse_duration("-5s", &ms), -1);
    ck_assert_int_eq(gf_config_parse_duration("5d", &ms), -1);
    ck_assert_int_eq(gf_config_parse_duration("", &ms), -1);
    gf_config cfg;
    gf_err err = {0};
    setenv("GAPFORGE_WEBHOOK_SCHEDULE", "0, 5s,5m,30m,2h,5h,10h,10h", 1);
    ck_assert_int_eq(gf_config_from_env(&cfg, &err), 0);
    ck_assert_int_eq(cfg.webhook_attempts, 8);
    ck_assert_int_eq(cfg.webhook_schedule_ms[1], 5000);
    ck_assert_int_eq(cfg.webhook_schedule_ms[7], 36000000);
    ck_assert_int_eq(cfg.alerts_every_ms, 900000); /* the default, 15 min */
    setenv("GAPFORGE_WEBHOOK_SCHEDULE", "0,soon", 1);
    ck_assert_int_eq(gf_config_from_env(&cfg, &err), GF_EINVALID);
    ck_assert_str_eq(err.field, "GAPFORGE_WEBHOOK_SCHEDULE");
    unsetenv("GAPFORGE_WEBHOOK_SCHEDULE");
    setenv("GAPFORGE_WEBHOOK_KEY", "abc", 1);
    ck_assert_int_eq(gf_config_from_env(&cfg, &err), GF_EINVALID);
    ck_assert_str_eq(err.field, "GAPFORGE_WEBHOOK_KEY");
    setenv("GAPFORGE_WEBHOOK_KEY",
           "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", 1);
    ck_assert_int_eq(gf_config_from_env(&cfg, &err), 0);
    ck_assert(cfg.has_webhook_key);
    ck_assert_int_eq(cfg.webhook_key[31], 0x1f);
    unsetenv("GAPFORGE_WEBHOOK_KEY");
    setenv("GAPFORGE_ALERTS_EVERY", "off", 1);
    ck_assert_int_eq(gf_config_from_env(&cfg, &err), 0);
    ck_assert_int_eq(cfg.alerts_every_ms, -1);
    unsetenv("GAPFORGE_ALERTS_EVERY");
}
END_TEST

/* Code points of a UTF-8 string. */
static size_t chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

/* An alert whose every text is far longer than any chat limit. */
static json_t *huge_alert(void)
{
    /* 20,000 bytes of words with a two-byte character (é) in each, so cuts meet them. */
    char *longtext = malloc(20001);
    ck_assert_ptr_nonnull(longtext);
    for (int k = 0; k < 20000;) {
        if (k % 7 == 5 && k + 2 <= 20000) {
            memcpy(longtext + k, "\xc3\xa9", 2);
            k += 2;
        } else {
            longtext[k] = k % 7 == 6 ? ' ' : (char)('a' + k % 26);
            k++;
        }
    }
    longtext[20000] = '\0';
    json_t *why = json_array(), *deals = json_array(), *actions = json_array();
    for (int k = 0; k < 200; k++) {
        json_array_append_new(why, json_pack("{s:s, s:f, s:s}", "driver", "win_rate", "impact",
                                             -1.0 * k, "text", longtext + 19000));
        json_array_append_new(deals, json_pack("{s:i, s:s, s:s, s:f, s:s, s:s, s:s}", "id", k,
                                               "external_id", "x", "name", longtext + 19500,
                                               "amount", 1000.0, "from", "2026-10-01", "to",
                                               "2027-01-15", "at", "2026-12-01T00:00:00Z"));
        json_array_append_new(actions, json_pack("{s:s, s:s, s:i, s:f}", "lever", "l", "name",
                                                 longtext + 19800, "units", 3, "cost", 10.0));
    }
    json_t *fig = json_pack("{s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:s, s:o, s:o, s:i}",
                            "p50", 1.0, "p10", 0.5, "p90", 2.0, "target", 3.0, "gap", 2.0, "booked",
                            0.1, "prob_hit", 0.1, "coverage", 0.5, "amount", 1.0, "currency", "EUR",
                            "why", why, "deals", deals, "count", 200);
    json_object_set_new(fig, "plan",
                        json_pack("{s:b, s:f, s:s, s:o}", "achieves", 0, "total_cost", 5.0,
                                  "summary", longtext, "actions", actions));
    json_t *a =
        json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s, s:{s:s, s:s, s:s, s:s}, "
                  "s:s}",
                  "id", 1, "rule", longtext + 19000, "kind", "prob_hit_below", "status", "firing",
                  "scope", "org", "period", "2026-Q4", "as_of", "2026-12-01", "figures", fig,
                  "message", longtext, "reference", "period", "2026-Q4", "scope", "org", "as_of",
                  "2026-12-01", "href", "/v1/forecast", "created_at", "2026-12-01T00:00:00Z");
    free(longtext);
    return a;
}

/* The kinds whose chat facts differ. */
static const char *const payload_kinds[] = {"prob_hit_below", "kpi_miss", "indicator_shift"};

/* huge_alert of the kind payload_kinds[i], with its kind's figures as long texts. */
static json_t *huge_alert_of(int i)
{
    json_t *a = huge_alert();
    json_object_set_new(a, "kind", json_string(payload_kinds[i]));
    json_t *fig = json_object_get(a, "figures");
    const char *long_text = json_string_value(json_object_get(a, "message"));
    static const char *const names[] = {"kpi_name", "indicator_name", "unit", "direction", "since"};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        json_object_set_new(fig, names[k], json_string(long_text));
    json_object_set_new(fig, "period", json_pack("{s:s}", "name", long_text));
    json_object_set_new(fig, "change", json_pack("{s:f}", "relative", -0.25));
    json_object_set_new(fig, "prob_meet", json_real(0.01));
    json_object_set_new(fig, "bookings_change", json_real(-1e6));
    return a;
}

START_TEST(slack_payloads_stay_within_block_kit_limits_for_any_alert)
{
    json_t *a = huge_alert_of(_i);
    char *text = gf_svc__alert_body("slack", a, "alert.fired");
    ck_assert_ptr_nonnull(text);
    json_t *b = json_loads(text, 0, NULL);
    ck_assert_ptr_nonnull(b);
    ck_assert_uint_le(chars(json_string_value(json_object_get(b, "text"))), 3000);
    const json_t *blocks = json_object_get(b, "blocks");
    ck_assert_uint_le(json_array_size(blocks), 50);
    size_t i;
    json_t *bl;
    json_array_foreach(blocks, i, bl)
    {
        const char *type = json_string_value(json_object_get(bl, "type"));
        const json_t *t = json_object_get(bl, "text");
        const char *s = json_string_value(json_object_get(t, "text"));
        if (strcmp(type, "header") == 0)
            ck_assert_uint_le(chars(s), 150);
        else if (s)
            ck_assert_uint_le(chars(s), 3000);
        ck_assert_uint_le(json_array_size(json_object_get(bl, "fields")), 10);
        ck_assert_uint_le(json_array_size(json_object_get(bl, "elements")), 10);
    }
    json_decref(b);
    free(text);
    json_decref(a);
}
END_TEST

START_TEST(teams_payloads_stay_under_28_kb_for_any_alert)
{
    json_t *a = huge_alert_of(_i);
    char *text = gf_svc__alert_body("teams", a, "alert.fired");
    ck_assert_ptr_nonnull(text);
    ck_assert_uint_lt(strlen(text), 28 * 1024);
    json_t *b = json_loads(text, 0, NULL);
    ck_assert_str_eq(json_string_value(json_object_get(b, "type")), "message");
    json_decref(b);
    free(text);
    text = gf_svc__alert_body("json", a, "alert.fired");
    b = json_loads(text, 0, NULL);
    ck_assert_str_eq(json_string_value(json_object_get(b, "type")), "alert.fired");
    ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(b, "data"), "id")), 1);
    json_decref(b);
    free(text);
    json_decref(a);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("alerts");
    TCase *tc = tcase_create("alerts");
    tcase_add_test(tc, a_signature_matches_the_standard_webhooks_example);
    tcase_add_test(tc, a_sealed_secret_opens_only_under_its_key_and_unaltered);
    tcase_add_test(tc, webhook_urls_must_be_https_public_and_without_credentials);
    tcase_add_test(tc, rule_params_are_checked_against_the_kinds_table_with_defaults);
    tcase_add_test(tc, durations_and_the_retry_schedule_parse_from_the_environment);
    tcase_add_loop_test(tc, slack_payloads_stay_within_block_kit_limits_for_any_alert, 0, 3);
    tcase_add_loop_test(tc, teams_payloads_stay_under_28_kb_for_any_alert, 0, 3);
    suite_add_tcase(s, tc);
    return unit_main(s);
}

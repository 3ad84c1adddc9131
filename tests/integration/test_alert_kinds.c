/* test_alert_kinds.c — the alert kinds that watch KPIs and leading indicators, over real HTTP on
 * a demo org loaded as of today: kpi_miss (errors per page heads far above its goal of 0.4, so
 * its probability of meeting it is below any sensible threshold) and indicator_shift (the demo's
 * qualified leads turn down in its last weeks, which GET /v1/indicators's detector finds). Each
 * fires once with the figures that fired it, stays quiet while nothing changes, resolves when
 * the condition clears (the target is raised; the rule watches the other direction), and is
 * delivered, signed, to a receiver inside the test as JSON, Slack and Teams payloads that show
 * those figures. Scope, period and quiet hours work as for the other kinds. Unknown KPIs and
 * indicators are answered not_evaluated with a reason; bad parameters are 422 naming the
 * parameter. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"
#include "receiver.h"

static char g_today[11];

/* The current quarter's name of the org of key. */
static void current_quarter(const char *key, char name[32])
{
    json_t *periods = fx_body(t_get(key, "/v1/periods"), 200);
    size_t i;
    json_t *p;
    name[0] = '\0';
    json_array_foreach(json_object_get(periods, "items"), i, p)
    {
        if (json_is_true(json_object_get(p, "current")))
            snprintf(name, 32, "%s", t_str(p, "name"));
    }
    json_decref(periods);
    ck_assert(name[0]);
}

/* The one item of an evaluation of one rule (borrowed). */
static const json_t *only_item(const json_t *ev)
{
    ck_assert_uint_eq(json_array_size(json_object_get(ev, "evaluated")), 1);
    return json_array_get(json_object_get(ev, "evaluated"), 0);
}

/* Waits for n requests at the receiver. */
static void wait_hits(rx *r, int n)
{
    for (int i = 0; i < 200 && rx_count(r) < n; i++)
        usleep(100 * 1000);
    ck_assert_int_eq(rx_count(r), n);
}

/* The body of the receiver's request to path (a new reference; fails when there is none). */
static json_t *hit_body(rx *r, const char *path)
{
    for (int k = 0; k < rx_count(r); k++)
        if (strcmp(r->hits[k].path, path) == 0) {
            ck_assert_msg(r->hits[k].sig_ok, "%s: bad signature", path);
            json_t *b = json_loads(r->hits[k].body, 0, NULL);
            ck_assert_ptr_nonnull(b);
            return b;
        }
    ck_abort_msg("no request to %s", path);
    return NULL;
}

/* Asserts that a Slack body keeps to its limits and has a field naming title. */
static void slack_shows(const json_t *b, const char *title)
{
    const json_t *blocks = json_object_get(b, "blocks");
    ck_assert(json_is_string(json_object_get(b, "text")));
    ck_assert_uint_ge(json_array_size(blocks), 3);
    ck_assert_uint_le(json_array_size(blocks), 50);
    int seen = 0;
    size_t i, j;
    json_t *bl, *fl;
    json_array_foreach(blocks, i, bl)
    {
        const json_t *text = json_object_get(bl, "text");
        if (strcmp(t_str(bl, "type"), "header") == 0)
            ck_assert_uint_le(chars(t_str(text, "text")), 150);
        if (strcmp(t_str(bl, "type"), "section") == 0 && text)
            ck_assert_uint_le(chars(t_str(text, "text")), 3000);
        ck_assert_uint_le(json_array_size(json_object_get(bl, "fields")), 10);
        json_array_foreach(json_object_get(bl, "fields"), j, fl)
        {
            ck_assert_uint_le(chars(t_str(fl, "text")), 2000);
            seen = seen || strstr(t_str(fl, "text"), title) != NULL;
        }
    }
    ck_assert_msg(seen, "no Slack field %s", title);
}

START_TEST(kpi_miss_fires_once_for_errors_per_page_and_resolves_when_the_target_is_met)
{
    const char *key = fx_shared_key();
    char quarter[32];
    current_quarter(key, quarter);
    rx *r = rx_start(0, 200, NULL);
    char fields[512];
    snprintf(fields, sizeof fields,
             "\"kind\": \"kpi_miss\", \"params\": {\"kpi\": \"errors_per_page\", \"threshold\": "
             "0.5}, \"webhooks\": [%lld, %lld, %lld]",
             webhook(key, r, "json", "/kpi-json"), webhook(key, r, "slack", "/kpi-slack"),
             webhook(key, r, "teams", "/kpi-teams"));
    put_rule(key, "epp", fields);

    json_t *ev = evaluate(key, "epp");
    const json_t *item = only_item(ev);
    ck_assert_str_eq(t_str(item, "state"), "firing");
    ck_assert_str_eq(t_str(item, "previous_state"), "ok");
    ck_assert_str_eq(t_str(item, "period"), quarter);
    fired_one(ev);
    const json_t *a = json_array_get(json_object_get(ev, "fired"), 0);
    ck_assert_str_eq(t_str(a, "status"), "firing");
    ck_assert_str_eq(t_str(a, "kind"), "kpi_miss");
    ck_assert_str_eq(t_str(a, "as_of"), g_today);
    const json_t *fig = json_object_get(a, "figures");
    ck_assert_str_eq(t_str(fig, "kpi"), "errors_per_page");
    ck_assert_str_eq(t_str(fig, "direction"), "lower_is_better");
    ck_assert_double_eq_tol(t_num(fig, "target"), 0.4, 1e-9);
    /* Far above the goal: the gap (in the KPI's direction) is positive, the probability low. */
    ck_assert_msg(t_num(fig, "p50") > 2 * t_num(fig, "target"), "p50 %f", t_num(fig, "p50"));
    ck_assert_double_eq_tol(t_num(fig, "gap"), t_num(fig, "p50") - t_num(fig, "target"), 1e-9);
    ck_assert(t_num(fig, "prob_meet") < 0.5);
    ck_assert(t_num(fig, "p10") <= t_num(fig, "p50") && t_num(fig, "p50") <= t_num(fig, "p90"));
    ck_assert_double_eq(t_num(fig, "threshold"), 0.5);
    ck_assert_str_eq(t_str(json_object_get(fig, "period"), "name"), quarter);
    ck_assert_ptr_nonnull(strstr(t_str(a, "message"), "errors per page"));
    /* The reference is the KPI's forecast, which gives the same figures. */
    const json_t *ref = json_object_get(a, "reference");
    char want[160];
    snprintf(want, sizeof want, "/v1/kpis/errors_per_page/forecast?period=%s&scope=org&as_of=%s",
             quarter, g_today);
    ck_assert_str_eq(t_str(ref, "href"), want);
    json_t *kf = fx_body(t_get(key, "%s", want), 200);
    ck_assert_double_eq_tol(t_num(json_object_get(kf, "value"), "p50"), t_num(fig, "p50"), 1e-9);
    ck_assert_double_eq_tol(t_num(kf, "prob_meet"), t_num(fig, "prob_meet"), 1e-9);
    json_decref(kf);
    json_decref(ev);

    /* Delivered to the three, signed, showing the KPI's figures. */
    wait_hits(r, 3);
    json_t *b = hit_body(r, "/kpi-json");
    ck_assert_str_eq(t_str(b, "type"), "alert.fired");
    ck_assert_str_eq(t_str(json_object_get(b, "data"), "kind"), "kpi_miss");
    ck_assert(json_is_number(
        json_object_get(json_object_get(json_object_get(b, "data"), "figures"), "prob_meet")));
    json_decref(b);
    b = hit_body(r, "/kpi-slack");
    slack_shows(b, "Probability of meeting");
    json_decref(b);
    b = hit_body(r, "/kpi-teams");
    char *text = json_dumps(b, JSON_COMPACT);
    ck_assert_uint_lt(strlen(text), 28 * 1024);
    ck_assert_ptr_nonnull(strstr(text, "FactSet"));
    ck_assert_ptr_nonnull(strstr(text, "Probability of meeting"));
    free(text);
    json_decref(b);

    /* Unchanged: nothing fires, nothing is sent. */
    ev = evaluate(key, "epp");
    ck_assert_uint_eq(json_array_size(json_object_get(ev, "fired")), 0);
    ck_assert_str_eq(t_str(only_item(ev), "state"), "firing");
    ck_assert(json_is_false(json_object_get(only_item(ev), "changed")));
    json_decref(ev);

    /* A goal the forecast meets: resolved, once. */
    char body[256];
    snprintf(body, sizeof body,
             "{\"scope\": \"org\", \"metric\": \"errors_per_page\", \"period\": \"%s\", "
             "\"value\": 1000}",
             quarter);
    json_decref(fx_body(t_put(key, "/v1/targets", body), 200));
    ev = evaluate(key, "epp");
    fired_one(ev);
    a = json_array_get(json_object_get(ev, "fired"), 0);
    ck_assert_str_eq(t_str(a, "status"), "resolved");
    ck_assert(strncmp(t_str(a, "message"), "Resolved: ", 10) == 0);
    ck_assert(t_num(json_object_get(a, "figures"), "prob_meet") >= 0.5);
    json_decref(ev);
    ev = evaluate(key, "epp");
    ck_assert_uint_eq(json_array_size(json_object_get(ev, "fired")), 0);
    ck_assert_str_eq(t_str(only_item(ev), "state"), "ok");
    json_decref(ev);
    wait_hits(r, 6);
    ck_assert_int_eq(fx_count_all(key, "/v1/alerts?rule=epp"), 2);
    rx_stop(r);
}
END_TEST

START_TEST(indicator_shift_fires_once_for_the_downturn_in_qualified_leads_and_resolves)
{
    const char *key = fx_shared_key();
    rx *r = rx_start(0, 200, NULL);
    char fields[512];
    snprintf(fields, sizeof fields,
             "\"kind\": \"indicator_shift\", \"params\": {\"indicator\": \"qualified_leads\"}, "
             "\"webhooks\": [%lld, %lld]",
             webhook(key, r, "json", "/ind-json"), webhook(key, r, "slack", "/ind-slack"));
    put_rule(key, "leads", fields);
    json_t *rule = fx_body(t_get(key, "/v1/alert-rules/leads"), 200);
    ck_assert_str_eq(t_str(json_object_get(rule, "params"), "direction"), "any"); /* defaults */
    ck_assert_double_eq(t_num(json_object_get(rule, "params"), "min_change"), 0);
    json_decref(rule);

    json_t *ev = evaluate(key, "leads");
    ck_assert_str_eq(t_str(only_item(ev), "state"), "firing");
    const long long first = fired_one(ev);
    const json_t *a = json_array_get(json_object_get(ev, "fired"), 0);
    ck_assert_str_eq(t_str(a, "kind"), "indicator_shift");
    const json_t *fig = json_object_get(a, "figures");
    ck_assert_str_eq(t_str(fig, "indicator"), "qualified_leads");
    ck_assert_str_eq(t_str(fig, "direction"), "down");
    ck_assert_str_eq(t_str(fig, "detector_state"), "shifted_down");
    ck_assert(t_num(fig, "value") < t_num(fig, "baseline"));
    ck_assert(t_num(json_object_get(fig, "change"), "relative") < 0);
    ck_assert_ptr_nonnull(strstr(t_str(a, "message"), "turned down"));
    /* The endpoint's own detector: the same date and level as GET /v1/indicators today. */
    const json_t *ref = json_object_get(a, "reference");
    char want[128];
    snprintf(want, sizeof want, "/v1/indicators?scope=org&as_of=%s", g_today);
    ck_assert_str_eq(t_str(ref, "href"), want);
    json_t *ind = fx_body(t_get(key, "%s", want), 200);
    size_t i;
    json_t *it;
    int seen = 0;
    json_array_foreach(json_object_get(ind, "items"), i, it)
    {
        if (strcmp(t_str(it, "key"), "qualified_leads") == 0) {
            seen = 1;
            ck_assert_str_eq(t_str(json_object_get(it, "detector"), "since"), t_str(fig, "since"));
            ck_assert_double_eq_tol(t_num(json_object_get(it, "recent"), "level"),
                                    t_num(fig, "value"), 1e-9);
        }
    }
    ck_assert(seen);
    json_decref(ind);
    json_decref(ev);

    wait_hits(r, 2);
    json_t *b = hit_body(r, "/ind-json");
    ck_assert_int_eq(t_int(json_object_get(b, "data"), "id"), first);
    json_decref(b);
    b = hit_body(r, "/ind-slack");
    slack_shows(b, "Baseline");
    json_decref(b);

    ev = evaluate(key, "leads");
    ck_assert_uint_eq(json_array_size(json_object_get(ev, "fired")), 0);
    ck_assert(json_is_false(json_object_get(only_item(ev), "changed")));
    json_decref(ev);

    /* Watching for a rise only: the downturn no longer counts, resolved once. */
    put_rule(key, "leads",
             "\"kind\": \"indicator_shift\", \"params\": {\"indicator\": \"qualified_leads\", "
             "\"direction\": \"up\"}");
    ev = evaluate(key, "leads");
    fired_one(ev);
    a = json_array_get(json_object_get(ev, "fired"), 0);
    ck_assert_str_eq(t_str(a, "status"), "resolved");
    ck_assert(strncmp(t_str(a, "message"), "Resolved: ", 10) == 0);
    json_decref(ev);
    ev = evaluate(key, "leads");
    ck_assert_uint_eq(json_array_size(json_object_get(ev, "fired")), 0);
    json_decref(ev);
    /* Adverse (down, for leads) fires again, with the first alert's fingerprint. */
    put_rule(key, "leads",
             "\"kind\": \"indicator_shift\", \"params\": {\"indicator\": \"qualified_leads\", "
             "\"direction\": \"adverse\", \"min_change\": 0.05}");
    ev = evaluate(key, "leads");
    fired_one(ev);
    json_decref(ev);
    t_resp l = t_get(key, "/v1/alerts?rule=leads");
    ck_assert_uint_eq(fx_n_items(&l), 3);
    ck_assert_str_eq(t_str(fx_item(&l, 0), "fingerprint"), t_str(fx_item(&l, 2), "fingerprint"));
    t_resp_free(&l);
    /* A shift smaller than asked for is no alert. */
    put_rule(key, "leads",
             "\"kind\": \"indicator_shift\", \"params\": {\"indicator\": \"qualified_leads\", "
             "\"min_change\": 0.95}");
    ev = evaluate(key, "leads");
    ck_assert_str_eq(t_str(only_item(ev), "state"), "ok");
    json_decref(ev);
    rx_stop(r);
}
END_TEST

START_TEST(scope_period_and_quiet_hours_apply_as_to_the_other_kinds)
{
    const char *key = fx_shared_key();
    rx *r = rx_start(0, 200, NULL);
    /* The next quarter, with quiet hours around now: recorded at once, delivered later. */
    const time_t now = time(NULL), from = now - 3600, to = now + 7200;
    struct tm a, b;
    gmtime_r(&from, &a);
    gmtime_r(&to, &b);
    char fields[512];
    snprintf(fields, sizeof fields,
             "\"kind\": \"kpi_miss\", \"period\": \"next\", \"params\": {\"kpi\": "
             "\"errors_per_page\", \"threshold\": 0.5}, \"webhooks\": [%lld], \"quiet_hours\": "
             "{\"start\": \"%02d:%02d\", \"end\": \"%02d:%02d\"}",
             webhook(key, r, "json", "/quiet-kpi"), a.tm_hour, a.tm_min, b.tm_hour, b.tm_min);
    put_rule(key, "epp-next", fields);
    json_t *periods = fx_body(t_get(key, "/v1/periods"), 200);
    char next[32] = "";
    size_t i;
    json_t *p;
    int after = 0;
    json_array_foreach(json_object_get(periods, "items"), i, p)
    {
        if (after == 1 && !next[0])
            snprintf(next, sizeof next, "%s", t_str(p, "name"));
        after += after || json_is_true(json_object_get(p, "current"));
    }
    json_decref(periods);
    ck_assert(next[0]);
    json_t *ev = evaluate(key, "epp-next");
    const long long alert = fired_one(ev);
    const json_t *fired = json_array_get(json_object_get(ev, "fired"), 0);
    ck_assert_str_eq(t_str(fired, "period"), next);
    ck_assert_str_eq(t_str(json_object_get(json_object_get(fired, "figures"), "period"), "name"),
                     next);
    json_decref(ev);
    usleep(1000 * 1000);
    json_t *d = wait_delivery(key, alert, "pending", 1);
    ck_assert_int_eq(t_int(d, "attempts"), 0);
    ck_assert_int_eq(rx_count(r), 0);
    json_decref(d);
    /* A team's scope: its own indicators; no team target for the KPI, so no kpi_miss. */
    put_rule(key, "emea-opps",
             "\"kind\": \"indicator_shift\", \"scope\": \"team:emea\", \"params\": "
             "{\"indicator\": \"opportunities_created\"}");
    ev = evaluate(key, "emea-opps");
    const json_t *item = only_item(ev);
    ck_assert_str_eq(t_str(item, "scope"), "team:emea");
    ck_assert_msg(strcmp(t_str(item, "state"), "ok") == 0 ||
                      strcmp(t_str(item, "state"), "firing") == 0,
                  "%s %s", t_str(item, "state"), t_str(item, "reason"));
    ck_assert_str_eq(t_str(json_object_get(item, "figures"), "indicator"), "opportunities_created");
    json_decref(ev);
    put_rule(key, "emea-epp",
             "\"kind\": \"kpi_miss\", \"scope\": \"team:emea\", \"params\": {\"kpi\": "
             "\"errors_per_page\", \"threshold\": 0.5}");
    ev = evaluate(key, "emea-epp");
    ck_assert_str_eq(t_str(only_item(ev), "state"), "not_evaluated");
    ck_assert_ptr_nonnull(strstr(t_str(only_item(ev), "reason"), "no target"));
    json_decref(ev);
    rx_stop(r);
}
END_TEST

START_TEST(an_unknown_kpi_or_indicator_is_not_evaluated_with_a_reason)
{
    const char *key = fx_shared_key();
    put_rule(key, "no-kpi",
             "\"kind\": \"kpi_miss\", \"params\": {\"kpi\": \"nope\", \"threshold\": 0.5}");
    put_rule(key, "no-ind", "\"kind\": \"indicator_shift\", \"params\": {\"indicator\": \"nope\"}");
    static const struct {
        const char *rule, *reason;
    } cases[] = {{"no-kpi", "no KPI nope"}, {"no-ind", "nope is not an indicator"}};
    for (size_t k = 0; k < 2; k++) {
        json_t *ev = evaluate(key, cases[k].rule);
        const json_t *item = only_item(ev);
        ck_assert_str_eq(t_str(item, "state"), "not_evaluated");
        ck_assert_msg(strstr(t_str(item, "reason"), cases[k].reason), "%s: %s", cases[k].rule,
                      t_str(item, "reason"));
        ck_assert_uint_eq(json_array_size(json_object_get(ev, "fired")), 0);
        json_decref(ev);
    }
}
END_TEST

START_TEST(bad_parameters_are_422_naming_the_parameter)
{
    const char *key = fx_shared_key();
    static const struct {
        const char *fields, *field;
    } bad[] = {
        {"\"kind\": \"indicator_shift\", \"params\": {}", "params"},
        {"\"kind\": \"indicator_shift\", \"params\": {\"indicator\": 5}", "params.indicator"},
        {"\"kind\": \"indicator_shift\", \"params\": {\"indicator\": \"a\", \"direction\": "
         "\"sideways\"}",
         "params.direction"},
        {"\"kind\": \"indicator_shift\", \"params\": {\"indicator\": \"a\", \"min_change\": -1}",
         "params.min_change"},
        {"\"kind\": \"indicator_shift\", \"params\": {\"indicator\": \"a\", \"z\": 2}", "params.z"},
        {"\"kind\": \"kpi_miss\", \"params\": {\"threshold\": 0.5}", "params"},
        {"\"kind\": \"kpi_miss\", \"params\": {\"kpi\": \"a\", \"threshold\": 1}",
         "params.threshold"},
        {"\"kind\": \"kpi_miss\", \"params\": {\"kpi\": \"a\", \"threshold\": \"high\"}",
         "params.threshold"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        char body[512];
        snprintf(body, sizeof body, "{%s}", bad[k].fields);
        fx_expect_invalid(t_put(key, "/v1/alert-rules/bad", body), bad[k].field);
    }
    fx_expect_error(t_get(key, "/v1/alert-rules/bad"), 404, NULL, NULL);
}
END_TEST

int main(void)
{
    const time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(g_today, sizeof g_today, "%Y-%m-%d", &tm);
    Suite *s = suite_create("alert_kinds");
    TCase *tc = tcase_create("demo org as of today");
    tcase_set_timeout(tc, 120);
    fx_shared_demo_add(
        tc, (fx_demo_spec){.seed = 3, .quarters = 8, .deals_per_quarter = 150, .as_of = g_today});
    tcase_add_test(tc, kpi_miss_fires_once_for_errors_per_page_and_resolves_when_the_target_is_met);
    tcase_add_test(tc, indicator_shift_fires_once_for_the_downturn_in_qualified_leads_and_resolves);
    tcase_add_test(tc, scope_period_and_quiet_hours_apply_as_to_the_other_kinds);
    tcase_add_test(tc, an_unknown_kpi_or_indicator_is_not_evaluated_with_a_reason);
    tcase_add_test(tc, bad_parameters_are_422_naming_the_parameter);
    suite_add_tcase(s, tc);
    return t_main(s);
}

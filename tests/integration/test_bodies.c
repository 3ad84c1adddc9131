/* test_bodies.c — bad input is answered alike on every route that reads a JSON body (the routes
 * of src/api/routes.c that parse JSON, which are the operations of openapi.yaml with an
 * application/json request body): a body that is valid JSON but not what the route takes is 400
 * invalid_body, and an otherwise valid body with an unknown or a wrongly typed field is 422
 * invalid_argument naming that field.
 *
 * Each test runs its whole table and lists every case answered otherwise, on stderr and in its
 * failure message. A case can be marked as answered otherwise by the server of the day (the
 * message then calls it "known") while the server is being fixed; none is marked now. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fixture.h"

/* The bodies that are valid JSON but no object (for the one route that takes an array: no
 * array). The first differs by route; bit k of a route's `today` marks bad body k. */
enum { WRONG_CONTAINER = 1 << 0, STRING = 1 << 1, NUMBER = 1 << 2, NUL = 1 << 3 };
static const char *const bad_bodies[] = {NULL, "\"x\"", "3", "null"};
#define N_BAD (sizeof bad_bodies / sizeof bad_bodies[0])

/* The routes of routes.c that read a JSON body, in its order. */
enum {
    ORGS,
    ORG,
    API_KEYS,
    STAGES,
    TEAMS,
    TEAM,
    REPS,
    REP,
    DEALS,
    DEAL_BY_EXTERNAL_ID,
    DEAL,
    TARGETS,
    COMMITS,
    ADJUSTMENTS,
    KPI,
    KPI_OBSERVATIONS,
    LEVER,
    FORECAST_SNAPSHOTS,
    SCENARIOS,
    PLANS,
    BACKTESTS,
    ALERT_RULE,
    WEBHOOKS,
    N_ROUTES
};

/* A route that reads a JSON body: its method and pattern (as in routes.c and openapi.yaml), the
 * path the tests call ({deal}: the fixture's deal id), whether it takes an array of objects
 * rather than an object, and the bad bodies it answers otherwise today (none). */
typedef struct json_route {
    const char *method, *pattern, *path;
    bool array;
    unsigned today;
} json_route;

static const json_route routes[N_ROUTES] = {
    [ORGS] = {"POST", "/v1/orgs", "/v1/orgs", false},
    [ORG] = {"PATCH", "/v1/org", "/v1/org", false},
    [API_KEYS] = {"POST", "/v1/api-keys", "/v1/api-keys", false},
    [STAGES] = {"PUT", "/v1/stages", "/v1/stages", false},
    [TEAMS] = {"POST", "/v1/teams", "/v1/teams", false},
    [TEAM] = {"PATCH", "/v1/teams/{key}", "/v1/teams/emea", false},
    [REPS] = {"POST", "/v1/reps", "/v1/reps", false},
    [REP] = {"PATCH", "/v1/reps/{key}", "/v1/reps/ada", false},
    [DEALS] = {"POST", "/v1/deals", "/v1/deals", false},
    [DEAL_BY_EXTERNAL_ID] = {"PUT", "/v1/deals/by-external-id/{external_id}",
                             "/v1/deals/by-external-id/b-2", false},
    [DEAL] = {"PATCH", "/v1/deals/{id}", "/v1/deals/{deal}", false},
    [TARGETS] = {"PUT", "/v1/targets", "/v1/targets", false},
    [COMMITS] = {"POST", "/v1/commits", "/v1/commits", false},
    [ADJUSTMENTS] = {"POST", "/v1/adjustments", "/v1/adjustments", false},
    [KPI] = {"PUT", "/v1/kpis/{key}", "/v1/kpis/leads", false},
    [KPI_OBSERVATIONS] = {"POST", "/v1/kpis/{key}/observations", "/v1/kpis/leads/observations",
                          true},
    [LEVER] = {"PUT", "/v1/levers/{key}", "/v1/levers/hire", false},
    [FORECAST_SNAPSHOTS] = {"POST", "/v1/forecast/snapshots", "/v1/forecast/snapshots", false},
    [SCENARIOS] = {"POST", "/v1/scenarios", "/v1/scenarios", false},
    [PLANS] = {"POST", "/v1/plans", "/v1/plans", false},
    [BACKTESTS] = {"POST", "/v1/backtests", "/v1/backtests", false},
    [ALERT_RULE] = {"PUT", "/v1/alert-rules/{key}", "/v1/alert-rules/r1", false},
    [WEBHOOKS] = {"POST", "/v1/webhooks", "/v1/webhooks", false},
};

/* A body for a route, otherwise valid for the fixture org, with one field that is unknown or of
 * the wrong type, and that field's name in error.field ({slug}: the fixture org's slug). */
typedef struct field_case {
    int route;
    const char *body, *field;
    bool today; /* answered otherwise by the server of the day */
} field_case;

static const field_case unknown_fields[] = {
    {ORGS, "{\"slug\": \"{slug}-u\", \"name\": \"B\", \"zz_unknown\": 1}", "zz_unknown"},
    {ORG, "{\"currency\": \"EUR\", \"zz_unknown\": 1}", "zz_unknown"},
    {API_KEYS, "{\"name\": \"k\", \"scopes\": [\"read\"], \"zz_unknown\": 1}", "zz_unknown"},
    {STAGES,
     "{\"items\": ["
     "{\"key\": \"prospecting\", \"name\": \"P\", \"kind\": \"open\", \"probability\": 0.1}, "
     "{\"key\": \"proposal\", \"name\": \"Q\", \"kind\": \"open\", \"probability\": 0.5}, "
     "{\"key\": \"won\", \"name\": \"W\", \"kind\": \"won\", \"probability\": 1}, "
     "{\"key\": \"lost\", \"name\": \"L\", \"kind\": \"lost\", \"probability\": 0}], "
     "\"zz_unknown\": 1}",
     "zz_unknown"},
    {TEAMS, "{\"key\": \"t9\", \"name\": \"T\", \"zz_unknown\": 1}", "zz_unknown"},
    {TEAM, "{\"name\": \"E\", \"zz_unknown\": 1}", "zz_unknown"},
    {REPS, "{\"key\": \"r9\", \"name\": \"R\", \"zz_unknown\": 1}", "zz_unknown"},
    {REP, "{\"name\": \"A\", \"zz_unknown\": 1}", "zz_unknown"},
    {DEALS,
     "{\"external_id\": \"b-1\", \"name\": \"n\", \"amount\": 1, \"stage\": \"proposal\", "
     "\"zz_unknown\": 1}",
     "zz_unknown"},
    {DEAL_BY_EXTERNAL_ID,
     "{\"name\": \"n\", \"amount\": 1, \"stage\": \"proposal\", \"zz_unknown\": 1}", "zz_unknown"},
    {DEAL, "{\"amount\": 2, \"zz_unknown\": 1}", "zz_unknown"},
    {TARGETS,
     "{\"scope\": \"org\", \"metric\": \"bookings\", \"period\": \"2026-Q4\", \"value\": 1, "
     "\"zz_unknown\": 1}",
     "zz_unknown"},
    {COMMITS,
     "{\"scope\": \"org\", \"period\": \"2026-Q4\", \"commit\": 1, \"best_case\": 2, "
     "\"zz_unknown\": 1}",
     "zz_unknown"},
    {ADJUSTMENTS,
     "{\"scope\": \"team:emea\", \"period\": \"2026-Q4\", \"value\": 1, \"reason\": \"r\", "
     "\"zz_unknown\": 1}",
     "zz_unknown"},
    {KPI,
     "{\"name\": \"N\", \"unit\": \"u\", \"direction\": \"higher_is_better\", \"aggregation\": "
     "\"sum\", \"bucket\": \"week\", \"zz_unknown\": 1}",
     "zz_unknown"},
    {KPI_OBSERVATIONS, "[{\"date\": \"2026-10-05\", \"value\": 1, \"zz_unknown\": 1}]",
     "[0].zz_unknown"},
    {LEVER,
     "{\"name\": \"L\", \"kind\": \"headcount\", \"effect\": 1, \"unit_cost\": 1, \"max_units\": "
     "1, "
     "\"ramp_days\": 0, \"zz_unknown\": 1}",
     "zz_unknown"},
    {FORECAST_SNAPSHOTS, "{\"period\": \"2025-Q2\", \"zz_unknown\": 1}", "zz_unknown"},
    {SCENARIOS, "{\"period\": \"2025-Q2\", \"levers\": [], \"zz_unknown\": 1}", "zz_unknown"},
    {PLANS, "{\"period\": \"2025-Q2\", \"goal\": {\"type\": \"p50\"}, \"zz_unknown\": 1}",
     "zz_unknown"},
    {BACKTESTS, "{\"periods\": [\"2025-Q2\"], \"zz_unknown\": 1}", "zz_unknown"},
    {ALERT_RULE,
     "{\"kind\": \"prob_hit_below\", \"params\": {\"threshold\": 0.5}, \"zz_unknown\": 1}",
     "zz_unknown"},
    {WEBHOOKS,
     "{\"name\": \"w\", \"kind\": \"json\", \"url\": \"https://hooks.example.com/\", "
     "\"zz_unknown\": 1}",
     "zz_unknown"},
};

static const field_case wrong_types[] = {
    {ORGS, "{\"slug\": \"{slug}-w\", \"name\": 5}", "name"},
    {ORG, "{\"currency\": 5}", "currency"},
    {API_KEYS, "{\"name\": 5, \"scopes\": [\"read\"]}", "name"},
    {STAGES, "{\"items\": \"prospecting,proposal,won,lost\"}", "items"},
    {TEAMS, "{\"key\": \"t9\", \"name\": 5}", "name"},
    {TEAM, "{\"name\": 5}", "name"},
    {REPS, "{\"key\": \"r9\", \"name\": 5}", "name"},
    {REP, "{\"ramp_months\": \"3\"}", "ramp_months"},
    {DEALS,
     "{\"external_id\": \"b-1\", \"name\": \"n\", \"amount\": \"7\", \"stage\": \"proposal\"}",
     "amount"},
    {DEAL_BY_EXTERNAL_ID, "{\"name\": \"n\", \"amount\": \"7\", \"stage\": \"proposal\"}",
     "amount"},
    {DEAL, "{\"amount\": \"7\"}", "amount"},
    {TARGETS,
     "{\"scope\": \"org\", \"metric\": \"bookings\", \"period\": \"2026-Q4\", \"value\": \"10\"}",
     "value"},
    {COMMITS, "{\"scope\": \"org\", \"period\": \"2026-Q4\", \"commit\": \"1\", \"best_case\": 2}",
     "commit"},
    {ADJUSTMENTS,
     "{\"scope\": \"team:emea\", \"period\": \"2026-Q4\", \"value\": \"1\", \"reason\": \"r\"}",
     "value"},
    {ADJUSTMENTS, "{\"scope\": \"org\", \"period\": \"2026-Q4\", \"value\": 1, \"reason\": 5}",
     "reason"},
    /* Money enters in whole cents only. */
    {ADJUSTMENTS,
     "{\"scope\": \"org\", \"period\": \"2026-Q4\", \"value\": 0.001, \"reason\": \"r\"}", "value"},
    {KPI,
     "{\"name\": 5, \"unit\": \"u\", \"direction\": \"higher_is_better\", \"aggregation\": "
     "\"sum\", \"bucket\": \"week\"}",
     "name"},
    {KPI_OBSERVATIONS, "[{\"date\": \"2026-10-05\", \"value\": \"1\"}]", "[0].value"},
    {LEVER,
     "{\"name\": \"L\", \"kind\": \"headcount\", \"effect\": \"1\", \"unit_cost\": 1, "
     "\"max_units\": 1, \"ramp_days\": 0}",
     "effect"},
    {FORECAST_SNAPSHOTS, "{\"period\": 5}", "period"},
    {FORECAST_SNAPSHOTS, "{\"period\": \"2025-Q2\", \"trials\": \"5000\"}", "trials"},
    {FORECAST_SNAPSHOTS, "{\"period\": \"2025-Q2\", \"seed\": \"7\"}", "seed"},
    {SCENARIOS, "{\"period\": \"2025-Q2\", \"levers\": [], \"trials\": \"1000\"}", "trials"},
    {PLANS, "{\"period\": \"2025-Q2\", \"goal\": {\"type\": \"p50\"}, \"trials\": \"1000\"}",
     "trials"},
    /* Money enters in whole cents only. */
    {PLANS, "{\"period\": \"2025-Q2\", \"goal\": {\"type\": \"p50\"}, \"budget\": 0.001}",
     "budget"},
    {TARGETS,
     "{\"scope\": \"org\", \"metric\": \"bookings\", \"period\": \"2026-Q4\", "
     "\"value\": 5e-324}",
     "value"},
    {BACKTESTS, "{\"periods\": \"2025-Q2\"}", "periods"},
    {BACKTESTS, "{\"periods\": [\"2025-Q2\"], \"offsets\": [\"30\"]}", "offsets"},
    {BACKTESTS, "{\"last\": \"4\"}", "last"},
    {ALERT_RULE, "{\"kind\": 5, \"params\": {\"threshold\": 0.5}}", "kind"},
    {ALERT_RULE, "{\"kind\": \"prob_hit_below\", \"params\": {\"threshold\": \"0.5\"}}",
     "params.threshold"},
    {ALERT_RULE,
     "{\"kind\": \"prob_hit_below\", \"params\": {\"threshold\": 0.5}, "
     "\"webhooks\": \"1\"}",
     "webhooks"},
    {WEBHOOKS, "{\"name\": 5, \"kind\": \"json\", \"url\": \"https://hooks.example.com/\"}",
     "name"},
};

/* The org every case is sent as: the sales org with one deal in proposal, the KPI leads and a
 * bookings target for 2025-Q2 (a plan needs one), so that each body above is valid but for its
 * one field. */
typedef struct org_fixture {
    char key[128], slug[64];
    long long deal;
} org_fixture;

static void org_fixture_make(org_fixture *o)
{
    fx_sales_org(o->key, o->slug);
    o->deal = fx_post_deal(o->key, "{\"external_id\": \"b-0\", \"name\": \"n\", \"amount\": 1, "
                                   "\"stage\": \"proposal\"}");
    fx_put_kpi(o->key, "leads");
    fx_put_target(o->key, "org", "2025-Q2", 1000);
}

/* Copies text into out (cap bytes) with each `name` replaced by value. */
static void replace(const char *text, const char *name, const char *value, char *out, size_t cap)
{
    size_t used = 0, nl = strlen(name), vl = strlen(value);
    for (const char *p = text; *p && used + 1 < cap;) {
        if (strncmp(p, name, nl) == 0 && used + vl + 1 < cap) {
            memcpy(out + used, value, vl);
            used += vl;
            p += nl;
        } else {
            out[used++] = *p++;
        }
    }
    out[used] = '\0';
}

/* Sends body to route r as the fixture org (the service token for POST /v1/orgs). */
static t_resp send(const org_fixture *o, const json_route *r, const char *body)
{
    char path[256], id[32], text[2048];
    snprintf(id, sizeof id, "%lld", o->deal);
    replace(r->path, "{deal}", id, path, sizeof path);
    replace(body, "{slug}", o->slug, text, sizeof text);
    const char *key = strcmp(r->pattern, "/v1/orgs") == 0 ? t_admin_token() : o->key;
    return t_request(r->method, path, key, text, NULL, NULL);
}

/* The cases a test answered otherwise: one line each on stderr as they come, and for the
 * failure message a line per route with what each of its cases got ("*": known today). */
typedef struct misses {
    int cases, missed, known;
    const json_route *last; /* the route of the summary's last line */
    char summary[3500];
} misses;

/* Checks the answer resp to body on route r; a miss is logged and summarised under label (the
 * body, or the field it names), marked known when the case says so. */
static void check_case(misses *m, const json_route *r, const char *body, const char *label,
                       t_resp resp, long status, const char *code, const char *field, bool today)
{
    char why[1024];
    m->cases++;
    if (fx__check_error(&resp, status, code, field, 1, why, sizeof why) < 0) {
        const json_t *e = json_object_get(resp.body, "error");
        const char *got = json_string_value(json_object_get(e, "code"));
        const char *got_field = json_string_value(json_object_get(e, "field"));
        fprintf(stderr, "%s %s with %s: %s%s\n", r->method, r->path, body, why,
                today ? " (known today)" : "");
        m->missed++;
        m->known += today;
        size_t used = strlen(m->summary);
        if (m->last != r)
            used += (size_t)snprintf(m->summary + used, sizeof m->summary - used,
                                     "\n  %s %s:", r->method, r->pattern);
        else
            used += (size_t)snprintf(m->summary + used, sizeof m->summary - used, ",");
        if (used < sizeof m->summary)
            snprintf(m->summary + used, sizeof m->summary - used, " %s -> %ld%s%s%s%s%s", label,
                     resp.status, got ? " " : "", got ? got : "", got_field ? " " : "",
                     got_field ? got_field : "", today ? " *" : "");
        m->last = r;
    }
    t_resp_free(&resp);
}

#define assert_no_misses(m)                                                                    \
    ck_assert_msg((m).missed == 0, "%d of %d cases answered otherwise (%d known today, *):%s", \
                  (m).missed, (m).cases, (m).known, (m).summary)

START_TEST(every_json_route_of_the_contract_has_its_cases_here)
{
    const json_t *paths = json_object_get(t_contract(), "paths");
    const char *pattern, *method;
    const json_t *item, *op;
    size_t n = 0;
    json_object_foreach((json_t *)paths, pattern, item)
    {
        json_object_foreach((json_t *)item, method, op)
        {
            const json_t *content = json_object_get(json_object_get(op, "requestBody"), "content");
            if (!json_object_get(content, "application/json"))
                continue;
            n++;
            int found = -1;
            for (int r = 0; r < N_ROUTES; r++)
                if (strcmp(routes[r].pattern, pattern) == 0 &&
                    strcasecmp(routes[r].method, method) == 0)
                    found = r;
            ck_assert_msg(found >= 0, "%s %s reads JSON but has no row in routes[]", method,
                          pattern);
            bool unknown = false, wrong = false;
            for (size_t k = 0; k < sizeof unknown_fields / sizeof unknown_fields[0]; k++)
                unknown = unknown || unknown_fields[k].route == found;
            for (size_t k = 0; k < sizeof wrong_types / sizeof wrong_types[0]; k++)
                wrong = wrong || wrong_types[k].route == found;
            ck_assert_msg(unknown && wrong, "%s %s lacks an unknown-field or a wrong-type case",
                          method, pattern);
        }
    }
    ck_assert_int_eq(n, N_ROUTES);
}
END_TEST

START_TEST(a_body_of_valid_json_but_no_object_is_400_invalid_body_on_every_route)
{
    org_fixture o;
    org_fixture_make(&o);
    misses m = {0};
    for (int r = 0; r < N_ROUTES; r++)
        for (size_t b = 0; b < N_BAD; b++) {
            const char *body = b ? bad_bodies[b] : routes[r].array ? "{}" : "[]";
            check_case(&m, &routes[r], body, body, send(&o, &routes[r], body), 400, "invalid_body",
                       NULL, routes[r].today & (1u << b));
        }
    assert_no_misses(m);
}
END_TEST

START_TEST(an_unknown_field_is_422_naming_it_on_every_route)
{
    org_fixture o;
    org_fixture_make(&o);
    misses m = {0};
    for (size_t k = 0; k < sizeof unknown_fields / sizeof unknown_fields[0]; k++) {
        const field_case *c = &unknown_fields[k];
        check_case(&m, &routes[c->route], c->body, c->field, send(&o, &routes[c->route], c->body),
                   422, "invalid_argument", c->field, c->today);
    }
    assert_no_misses(m);
}
END_TEST

START_TEST(a_wrongly_typed_field_is_422_naming_it_on_every_route)
{
    org_fixture o;
    org_fixture_make(&o);
    misses m = {0};
    for (size_t k = 0; k < sizeof wrong_types / sizeof wrong_types[0]; k++) {
        const field_case *c = &wrong_types[k];
        check_case(&m, &routes[c->route], c->body, c->field, send(&o, &routes[c->route], c->body),
                   422, "invalid_argument", c->field, c->today);
    }
    assert_no_misses(m);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("bodies");
    TCase *tc = tcase_create("bodies");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, every_json_route_of_the_contract_has_its_cases_here);
    tcase_add_test(tc, a_body_of_valid_json_but_no_object_is_400_invalid_body_on_every_route);
    tcase_add_test(tc, an_unknown_field_is_422_naming_it_on_every_route);
    tcase_add_test(tc, a_wrongly_typed_field_is_422_naming_it_on_every_route);
    suite_add_tcase(s, tc);
    return t_main(s);
}

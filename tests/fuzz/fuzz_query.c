/* fuzz_query.c — query-string parameters and the forecast parameters of a body, as the
 * handlers read them: pagination (src/api/common.c), integer and period parameters
 * (src/api/periods.c), forecast requests from a query string and from a JSON body
 * (src/service/forecast_req.c, src/api/forecast_body.c) and funnel windows
 * (src/service/funnel.c). The link replaces (--wrap, see meson.build) libmicrohttpd's value
 * lookup with the input's query string and the store's gf_store_org_calendar and
 * gf_store_org_state_read (the service's cached calendar) with the input's fiscal calendar, so no
 * server or database is involved.
 *
 * Input: a fiscal year start month (byte 0), today (bytes 1..4, a day of 1900..9999), a query
 * string up to the first newline, then a JSON body. Invariants:
 *  - each reader accepts exactly what its contract says and hands out values in range: a page
 *    of 1..500 rows after a positive cursor; an integer in its bounds (its default when
 *    absent); the period gf_period_parse reads; a forecast request whose period is a period,
 *    whose as_of is within the model's reach of it, trials, seed and scope in their bounds; a
 *    funnel window from <= to;
 *  - every refusal is a 422 naming the parameter at fault (a body that is no object: a 400),
 *    with a UTF-8 message and an error body that can be written. */
#include <jansson.h>
#include <microhttpd.h>
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "gapforge/api.h"
#include "gapforge/date.h"
#include "gapforge/model_sim.h"
#include "gapforge/model_survival.h"
#include "gapforge/service_funnel.h"
#include "gapforge/store_versions.h"

const char *__wrap_MHD_lookup_connection_value(struct MHD_Connection *c, enum MHD_ValueKind kind,
                                               const char *key);
int __wrap_gf_store_org_calendar(int64_t org_id, int *fysm, int *today, gf_err *err);
int __wrap_gf_store_org_state_read(int64_t org_id, gf_store_org_state *out, gf_err *err);

#define MAX_PARAMS 16

static struct {
    const char *keys[MAX_PARAMS], *values[MAX_PARAMS];
    int nparams;
    int fysm, today;
} in;

const char *__wrap_MHD_lookup_connection_value(struct MHD_Connection *c, enum MHD_ValueKind kind,
                                               const char *key)
{
    (void)c;
    for (int i = 0; kind == MHD_GET_ARGUMENT_KIND && i < in.nparams; i++)
        if (strcmp(in.keys[i], key) == 0)
            return in.values[i];
    return NULL;
}

int __wrap_gf_store_org_calendar(int64_t org_id, int *fysm, int *today, gf_err *err)
{
    (void)err;
    FUZZ_CHECK(org_id == 1, "the calendar of org %lld", (long long)org_id);
    *fysm = in.fysm;
    *today = in.today;
    return 0;
}

/* The service's cached calendar: the input's, valid for no time (ms_to_midnight 0), so that the
 * next input's calendar is read again. */
int __wrap_gf_store_org_state_read(int64_t org_id, gf_store_org_state *out, gf_err *err)
{
    (void)err;
    FUZZ_CHECK(org_id == 1, "the state of org %lld", (long long)org_id);
    *out = (gf_store_org_state){.data_version = 1, .fysm = in.fysm, .today = in.today};
    return 0;
}

static int hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes a query component in place as libmicrohttpd does (+ is a space, %XX a byte). */
static void unescape(char *s)
{
    char *o = s;
    for (char *p = s; *p; p++) {
        if (*p == '+') {
            *o++ = ' ';
        } else if (*p == '%' && hex(p[1]) >= 0 && hex(p[2]) >= 0) {
            *o++ = (char)(hex(p[1]) * 16 + hex(p[2]));
            p += 2;
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
}

static const char *query(const char *name)
{
    return __wrap_MHD_lookup_connection_value(NULL, MHD_GET_ARGUMENT_KIND, name);
}

/* A refusal must be invalid_argument naming one of the names given. */
static void check_refusal(const gf_err *err, const char *const *names)
{
    fuzz_check_error(err);
    FUZZ_CHECK(err->code == GF_EINVALID && err->message[0], "refused with %d: %s", err->code,
               err->message);
    bool known = false;
    for (; *names && !known; names++)
        known = strcmp(*names, err->field) == 0;
    FUZZ_CHECK(known, "the refusal names '%s': %s", err->field, err->message);
}

static void check_pages(const gf_req *req)
{
    int limit = -1;
    int64_t after = -1;
    gf_err err = {0};
    if (gf_api_page_params(req, &limit, &after, &err) == 0) {
        FUZZ_CHECK(limit >= 1 && limit <= 500, "limit %d", limit);
        FUZZ_CHECK(query("limit") || limit == 100, "default limit %d", limit);
        const char *c = query("cursor");
        FUZZ_CHECK(after >= 0 && ((c && *c) == (after > 0)), "cursor %s read as %lld", c ? c : "-",
                   (long long)after);
    } else {
        check_refusal(&err, (const char *const[]){"limit", "cursor", NULL});
    }
}

static void check_int(const gf_req *req)
{
    int v = -99;
    gf_err err = {0};
    if (gf_api_query_int(req, "before", 0, 20, 4, &v, &err) == 0) {
        FUZZ_CHECK(v >= 0 && v <= 20, "before %d", v);
        FUZZ_CHECK(query("before") || v == 4, "default before %d", v);
    } else {
        check_refusal(&err, (const char *const[]){"before", NULL});
    }
}

static void check_period(const gf_req *req)
{
    const char *spec = query("period");
    if (!spec)
        return;
    gf_period p, q;
    gf_err err = {0};
    const int a = gf_api_period(req, spec, "period", &p, &err);
    const int b = gf_period_parse(spec, in.fysm, &q);
    FUZZ_CHECK((a == 0) == (b == 0), "gf_api_period %d, gf_period_parse %d for %s", a, b, spec);
    if (a == 0)
        FUZZ_CHECK(p.start == q.start && p.end == q.end && strcmp(p.name, q.name) == 0,
                   "%s read two ways", spec);
    else
        check_refusal(&err, (const char *const[]){"period", NULL});
}

/* A forecast request that was accepted. */
static void check_forecast_req(const gf_svc_forecast_req *r, const char *scope, const char *as_of)
{
    const int reach = GF_MODEL_MAX_HORIZON - gf_svc_options_get()->horizon_margin_days;
    FUZZ_CHECK(r->org_id == 1, "org %lld", (long long)r->org_id);
    FUZZ_CHECK(r->period.start <= r->period.end, "period %s", r->period.name);
    gf_period again;
    FUZZ_CHECK(gf_period_parse(r->period.name, in.fysm, &again) == 0 &&
                   again.start == r->period.start && again.end == r->period.end,
               "period %s does not read back", r->period.name);
    FUZZ_CHECK(r->period.end - r->as_of <= reach && r->as_of - r->period.start <= reach,
               "as_of %d too far from %s", r->as_of, r->period.name);
    int day;
    if (as_of)
        FUZZ_CHECK(gf_date_parse(as_of, &day) == 0 && day == r->as_of, "as_of %s", as_of);
    else
        FUZZ_CHECK(r->as_of == in.today, "as_of %d, not today", r->as_of);
    FUZZ_CHECK(strcmp(r->scope, scope ? scope : "org") == 0, "scope %s", r->scope);
    FUZZ_CHECK(r->trials >= GF_MODEL_SIM_MIN_TRIALS && r->trials <= GF_MODEL_SIM_MAX_TRIALS,
               "trials %u", r->trials);
    FUZZ_CHECK(r->seed <= 9007199254740991ULL, "seed %llu", (unsigned long long)r->seed);
}

static const char *const forecast_params[] = {"period", "scope",   "as_of", "trials",
                                              "seed",   "explain", NULL};

static void check_forecast_query(void)
{
    const gf_svc_forecast_args a = {
        .period = query("period"),
        .scope = query("scope"),
        .as_of = query("as_of"),
        .trials = query("trials"),
        .seed = query("seed"),
        .explain = query("explain"),
    };
    gf_svc_forecast_req r;
    gf_err err = {0};
    if (gf_svc_forecast_req_parse(1, &a, &r, &err) == 0) {
        check_forecast_req(&r, a.scope, a.as_of);
        FUZZ_CHECK(r.explain == (a.explain && strcmp(a.explain, "true") == 0), "explain");
    } else {
        check_refusal(&err, forecast_params);
    }
}

static void check_funnel(void)
{
    const gf_svc_funnel_args a = {
        .scope = query("scope"), .from = query("from"), .to = query("to")};
    gf_svc_funnel_req r;
    gf_err err = {0};
    if (gf_svc_funnel_req_parse(1, &a, &r, &err) == 0) {
        FUZZ_CHECK(r.from <= r.to, "funnel %d..%d", r.from, r.to);
        FUZZ_CHECK(strcmp(r.scope, a.scope ? a.scope : "org") == 0, "scope %s", r.scope);
    } else {
        check_refusal(&err, (const char *const[]){"scope", "from", "to", NULL});
    }
}

static void check_body(gf_req *req, const char *text, size_t len)
{
    json_error_t jerr;
    req->body = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
    if (!req->body)
        return;
    static const char *const allowed[] = {"period", "scope", "as_of", "trials", "seed", NULL};
    gf_api_forecast_body fb;
    gf_err err = {0};
    const int rc = gf_api_forecast_body_read(req, allowed, &fb, &err);
    if (rc == 0) {
        const json_t *scope = json_object_get(req->body, "scope");
        const json_t *as_of = json_object_get(req->body, "as_of");
        check_forecast_req(&fb.req, json_string_value(scope), json_string_value(as_of));
    } else if ((fuzz_check_error(&err), !json_is_object(req->body))) {
        FUZZ_CHECK(rc == GF_EMALFORMED && err.code == GF_EMALFORMED, "a non-object: %d", rc);
    } else {
        FUZZ_CHECK(rc == (int)err.code, "returned %d, error %d", rc, err.code);
        /* Any member of the body may be the one refused, or a missing period, or as_of (its
         * default, today, too far from the period); a long name is cut (between characters) to the
         * error's field. */
        FUZZ_CHECK(err.code == GF_EINVALID &&
                       (json_object_get(req->body, err.field) || strcmp(err.field, "period") == 0 ||
                        strcmp(err.field, "as_of") == 0 ||
                        strlen(err.field) + 4 >= sizeof err.field),
                   "the refusal names '%s': %s", err.field, err.message);
    }
    json_decref(req->body);
    req->body = NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 5)
        return 0;
    static const int first = -25567, last = 2932896; /* 1900-01-01, 9999-12-31 */
    uint32_t t;
    memcpy(&t, data + 1, sizeof t);
    in.fysm = 1 + data[0] % 12;
    in.today = first + (int)(t % (uint32_t)(last - first + 1));
    const char *rest = (const char *)data + 5;
    const size_t rlen = size - 5;
    const char *nl = memchr(rest, '\n', rlen);
    const size_t qlen = nl ? (size_t)(nl - rest) : rlen;
    char *q = malloc(qlen + 1);
    FUZZ_CHECK(q != NULL, "out of memory");
    memcpy(q, rest, qlen);
    q[qlen] = '\0';
    in.nparams = 0;
    char *save = NULL;
    for (char *kv = strtok_r(q, "&", &save); kv && in.nparams < MAX_PARAMS;
         kv = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(kv, '=');
        if (eq)
            *eq = '\0';
        unescape(kv);
        if (eq)
            unescape(eq + 1);
        in.keys[in.nparams] = kv;
        in.values[in.nparams++] = eq ? eq + 1 : "";
    }
    gf_req req = {.conn = (struct MHD_Connection *)&in, .method = "GET", .path = "/v1/forecast"};
    req.who.org_id = 1;
    check_pages(&req);
    check_int(&req);
    check_period(&req);
    check_forecast_query();
    check_funnel();
    if (nl)
        check_body(&req, nl + 1, rlen - qlen - 1);
    free(q);
    return 0;
}

/* answers.c — exact caching of forecasts, roll-ups and projections, and the projections.
 *
 * An answer is a function of the org's data (its data version, bumped by every write), the
 * request's resolved parameters, and the build: the model version and the options the model runs
 * with. Its strong ETag is a digest of all of them, so a client that holds it gets 304 without
 * anything being read or computed, and the serialised document is kept in process under the same
 * key, so a repeated request is one copy. Nothing is ever stale: new data means a new version,
 * a new key and a new ETag. The bytes kept are bounded by gf_svc_options.answer_cache_mb, and the
 * first answer computed on an org's new data version drops the org's answers of older versions,
 * which no request can ask for again. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache_internal.h"
#include "gapforge/crypto.h"
#include "gapforge/date.h"
#include "gapforge/store.h"
#include "service_internal.h"

/* ---- the answer cache ---- */

typedef struct answer_text {
    size_t len;
    char text[];
} answer_text;

static size_t cap_bytes(void)
{
    const int mb = gf_svc_options_get()->answer_cache_mb;
    return mb > 0 ? (size_t)mb << 20 : 0;
}

static gf_svc__cache g_answers = GF_SVC__CACHE_INIT(cap_bytes, free);

void gf_svc_answer_cache_clear(void)
{
    gf_svc__cache_clear(&g_answers);
}

void gf_svc__answer_cache_stats(gf_svc__cache_stat *out)
{
    gf_svc__cache_stats(&g_answers, out);
}

static const char *const kind_names[] = {"forecast", "rollup", "projections"};

/* The options the model's answers depend on, as text: answers of processes configured
 * differently never share an ETag. Formatted once per configuration. */
static pthread_mutex_t g_opts_mu = PTHREAD_MUTEX_INITIALIZER;
static char g_opts[512];
static unsigned g_opts_gen = ~0u;

static void options_text(char *out, size_t cap)
{
    pthread_mutex_lock(&g_opts_mu);
    const unsigned gen = gf_svc__options_generation();
    if (g_opts_gen != gen) {
        const gf_svc_options *o = gf_svc_options_get();
        snprintf(g_opts, sizeof g_opts, "%.17g|%d|%.17g|%.17g|%d|%d|%d|%d|%d|%d|%d|%d|%.17g",
                 o->sigma_floor, o->sigma_backtest_quarters, o->sigma_prior, o->sigma_prior_points,
                 o->sigma_min_history_days, o->horizon_margin_days, o->baseline_quarters,
                 o->baseline_days, o->productivity_window_days, o->new_rep_ramp_days,
                 o->next_period_window_days, o->max_concession_deals, o->driver_prior_deals);
        g_opts_gen = gen;
    }
    snprintf(out, cap, "%s", g_opts);
    pthread_mutex_unlock(&g_opts_mu);
}

/* Whether an If-None-Match value names etag ("*", or a comma list of entity tags; W/ prefixes
 * are ignored: If-None-Match compares weakly). */
static bool names_etag(const char *inm, const char *etag)
{
    if (!inm)
        return false;
    const size_t n = strlen(etag);
    const char *p = inm;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (*p == '*')
            return true;
        if (strncmp(p, "W/", 2) == 0)
            p += 2;
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        if (len == n && memcmp(p, etag, n) == 0)
            return true;
        if (!end)
            break;
        p = end + 1;
    }
    return false;
}

typedef struct fill_arg {
    gf_svc_answer_kind kind;
    const gf_svc_forecast_req *req;
    const char *by;
} fill_arg;

static int fill(void *arg, void **value, size_t *bytes, gf_err *err)
{
    const fill_arg *a = arg;
    json_t *doc = a->kind == GF_SVC_ANSWER_FORECAST ? gf_svc_forecast_answer(a->req, err)
                  : a->kind == GF_SVC_ANSWER_ROLLUP ? gf_svc_rollup_answer(a->req, err)
                                                    : gf_svc_projections_answer(a->req, a->by, err);
    if (!doc)
        return err->code ? err->code : gf_err_internal(err);
    char *text = json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(15));
    json_decref(doc);
    const size_t len = text ? strlen(text) : 0;
    answer_text *t = text ? malloc(sizeof *t + len + 1) : NULL;
    if (!t) {
        free(text);
        return gf_err_internal(err);
    }
    t->len = len;
    memcpy(t->text, text, len + 1);
    free(text);
    *value = t;
    *bytes = sizeof *t + len + 1 + 128; /* and the entry's own bookkeeping */
    return 0;
}

int gf_svc_answer_get(gf_svc_answer_kind kind, const gf_svc_forecast_req *req, const char *by,
                      int variant, const char *if_none_match, gf_svc_answer *out, gf_err *err)
{
    memset(out, 0, sizeof *out);
    if (kind == GF_SVC_ANSWER_PROJECTIONS) {
        if (!by)
            by = "team";
        if (strcmp(by, "team") != 0 && strcmp(by, "rep") != 0 && strcmp(by, "source") != 0)
            return gf_err_invalid(err, "by", "by must be team, rep or source");
    }
    gf_store_org_state st;
    if (gf_svc__org_state(req->org_id, &st, err) < 0)
        return err->code;
    char opts[512], canon[1024], hex[65];
    options_text(opts, sizeof opts);
    const int n =
        snprintf(canon, sizeof canon, "%s|%lld|%lld|%s|%d|%d|%s|%d|%u|%llu|%d|%s|%d|%s|%s|%s",
                 kind_names[kind], (long long)req->org_id, (long long)st.data_version,
                 req->period.name, req->period.start, req->period.end, req->scope, req->as_of,
                 req->trials, (unsigned long long)req->seed, req->explain, by ? by : "", variant,
                 GF_VERSION, GF_SVC_MODEL_VERSION, opts);
    if (n < 0 || (size_t)n >= sizeof canon)
        return gf_err_internal(err);
    gf_sha256_hex(canon, (size_t)n, hex);
    snprintf(out->etag, sizeof out->etag, "\"%.32s\"", hex);
    if (names_etag(if_none_match, out->etag)) {
        out->not_modified = true;
        return 0;
    }
    /* The org and its data version, then 128 bits of the digest (which covers both as well):
     * so that the answers of an org's older versions can be dropped when a new one is asked. */
    uint64_t key[4] = {(uint64_t)req->org_id, (uint64_t)st.data_version, 0, 0};
    for (int k = 2; k < 4; k++) {
        char part[17];
        memcpy(part, hex + 16 * (k - 2), 16);
        part[16] = '\0';
        key[k] = strtoull(part, NULL, 16);
    }
    fill_arg a = {kind, req, by};
    gf_svc__centry *e = NULL;
    int cached = 0;
    if (gf_svc__cache_get(&g_answers, key, fill, &a, &e, &cached, err) < 0)
        return err->code;
    gf_svc__count_cache("answers", cached);
    if (!cached) /* a new version's answer: the org's older answers will not be asked again */
        gf_svc__cache_drop_older(&g_answers, key[0], key[1]);
    const answer_text *t = gf_svc__centry_value(e);
    out->text = malloc(t->len + 1);
    if (out->text) {
        memcpy(out->text, t->text, t->len + 1);
        out->len = t->len;
    }
    gf_svc__cache_release(&g_answers, e);
    return out->text ? 0 : gf_err_internal(err);
}

/* ---- projections ---- */

static const char *const source_scopes[] = {"source:marketing", "source:sales", "source:partner",
                                            "source:other"};

/* One row: the figures GET /v1/forecast gives for scope, on the history the caller loaded. */
static json_t *projection_row(const gf_svc_forecast *base, const char *scope, gf_err *err)
{
    gf_svc_forecast *f = calloc(1, sizeof *f);
    if (!f) {
        gf_err_internal(err);
        return NULL;
    }
    f->req = base->req;
    f->req.explain = false;
    snprintf(f->req.scope, sizeof f->req.scope, "%s", scope);
    f->history = base->history;
    f->leads = base->leads; /* the scope's figures are its forecast's, leading KPIs included */
    f->borrowed = true;
    json_t *row = NULL;
    if (gf_svc__forecast_fit(f, err) == 0) {
        const double target = (double)f->target_cents;
        const gf_model_sim_result *s = &f->sim;
        const int t = f->has_target;
        row = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:s}", "scope", scope,
                        "target", t ? gf_svc__money(target) : json_null(), "booked",
                        gf_svc__money((double)f->model->booked_cents), "expected",
                        gf_svc__money(s->expected), "p10", gf_svc__money((double)s->p10), "p50",
                        gf_svc__money((double)s->p50), "p90", gf_svc__money((double)s->p90),
                        "prob_hit", t ? json_real(s->prob_hit) : json_null(), "gap",
                        t ? gf_svc__money(target - (double)s->p50) : json_null(), "as_of",
                        gf_svc__day(f->req.as_of), "model_version", GF_SVC_MODEL_VERSION);
        if (!row)
            gf_err_internal(err);
    }
    gf_svc_forecast_free(f);
    return row;
}

json_t *gf_svc_projections_answer(const gf_svc_forecast_req *req, const char *by, gf_err *err)
{
    if (!by)
        by = "team";
    const int sources = strcmp(by, "source") == 0;
    if (!sources && strcmp(by, "team") != 0 && strcmp(by, "rep") != 0) {
        gf_err_invalid(err, "by", "by must be team, rep or source");
        return NULL;
    }
    gf_store_scopes scopes = {0};
    json_t *rows = NULL, *body = NULL;
    gf_svc_forecast *base = gf_svc__forecast_load(req, err);
    char currency[8];
    if (!base || gf_store_org_currency(req->org_id, currency, err) < 0)
        goto done;
    if (!sources && gf_store_scope_all(req->org_id, by, &scopes, err) < 0)
        goto done;
    const size_t n = sources ? sizeof source_scopes / sizeof source_scopes[0] : scopes.n;
    rows = json_array();
    for (size_t k = 0; k < n; k++) {
        json_t *row = projection_row(base, sources ? source_scopes[k] : scopes.scope[k], err);
        if (!row)
            goto done;
        json_array_append_new(rows, row);
    }
    body = json_pack("{s:s, s:o, s:o, s:o, s:s, s:s, s:s, s:O}", "period", req->period.name,
                     "start", gf_svc__day(req->period.start), "end", gf_svc__day(req->period.end),
                     "as_of", gf_svc__day(req->as_of), "by", by, "currency", currency,
                     "model_version", GF_SVC_MODEL_VERSION, "rows", rows);
    if (!body)
        gf_err_internal(err);
done:
    json_decref(rows);
    gf_store_scopes_free(&scopes);
    gf_svc_forecast_free(base);
    return body;
}

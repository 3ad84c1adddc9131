/* funnel.c — GET /v1/funnel's service: the request checked against the org's today, the history
 * read once before to + 1 as the forecast reads it, the scope's deals, the model's funnel and its
 * document. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache_internal.h"
#include "gapforge/date.h"
#include "gapforge/log.h"
#include "gapforge/model_funnel.h"
#include "gapforge/service.h"
#include "gapforge/service_funnel.h"
#include "gapforge/store.h"
#include "gapforge/store_history.h"
#include "service_internal.h"

/* The years a window may reach: the history's calendar reaches six years before `to`. */
#define FIRST_YEAR 1910
#define LAST_YEAR  9998

static int parse_day(const char *text, const char *name, int *day, gf_err *err)
{
    int y, m, d;
    if (gf_date_parse(text, day) < 0)
        return gf_err_invalid(err, name, "%s must be a date YYYY-MM-DD", name);
    gf_date_to_ymd(*day, &y, &m, &d);
    if (y < FIRST_YEAR || y > LAST_YEAR)
        return gf_err_invalid(err, name, "%s must be a date from %d to %d", name, FIRST_YEAR,
                              LAST_YEAR);
    return 0;
}

int gf_svc_funnel_req_parse(int64_t org_id, const gf_svc_funnel_args *a, gf_svc_funnel_req *req,
                            gf_err *err)
{
    int fysm, today;
    memset(req, 0, sizeof *req);
    req->org_id = org_id;
    if (a->scope && strlen(a->scope) >= sizeof req->scope)
        return gf_err_invalid(err, "scope", "scope must be org, team:KEY or rep:KEY");
    snprintf(req->scope, sizeof req->scope, "%s", a->scope ? a->scope : "org");
    if (gf_store_org_calendar(org_id, &fysm, &today, err) < 0)
        return err->code;
    req->to = today;
    if (a->to && parse_day(a->to, "to", &req->to, err) < 0)
        return err->code;
    req->from = req->to - (GF_SVC_FUNNEL_DEFAULT_DAYS - 1);
    if (a->from && parse_day(a->from, "from", &req->from, err) < 0)
        return err->code;
    if (req->from > req->to)
        return gf_err_invalid(err, "from", "from must not be after to (default: today)");
    return 0;
}

static json_t *ratio_json(double v, uint32_t n)
{
    return json_pack("{s:o, s:I}", "value", isfinite(v) ? json_real(v) : json_null(), "n",
                     (json_int_t)n);
}

static json_t *days_json(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static const char *kind_name(int kind)
{
    return kind == GF_MODEL_STAGE_WON ? "won" : kind == GF_MODEL_STAGE_LOST ? "lost" : "open";
}

/* One open stage's row. */
static json_t *open_stage_json(const char *key, const gf_model_funnel_stage *s)
{
    return json_pack(
        "{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:{s:o, s:o, s:I}, s:{s:I, s:I, s:o},"
        " s:{s:I, s:I, s:o}, s:{s:b, s:b}}",
        "key", key, "kind", "open", "entered", (json_int_t)s->entered, "advanced",
        (json_int_t)s->advanced, "won", (json_int_t)s->won, "lost", (json_int_t)s->lost,
        "moved_back", (json_int_t)s->moved_back, "still_open", (json_int_t)s->still_open,
        "conversion", ratio_json(s->conversion, s->entered), "time_in_stage_days", "median",
        days_json(s->median_days), "p90", days_json(s->p90_days), "n", (json_int_t)s->n_time,
        "stall", "open", (json_int_t)s->open_at_to, "stalled", (json_int_t)s->stalled, "share",
        days_json(s->stalled_share), "skips", "reached_later", (json_int_t)s->reached_later,
        "skipped", (json_int_t)s->skipped, "share", days_json(s->skipped_share), "flags",
        "converts_nearly_all", s->converts_nearly_all, "often_skipped", s->often_skipped);
}

/* The stages: the open ones in funnel order, then won, then lost. NULL when out of memory. */
static json_t *stages_json(const gf_store_history *h, const gf_model_funnel_stage *st)
{
    json_t *a = json_array();
    static const int order[] = {GF_MODEL_STAGE_OPEN, GF_MODEL_STAGE_WON, GF_MODEL_STAGE_LOST};
    for (size_t k = 0; a && k < sizeof order / sizeof order[0]; k++) {
        for (size_t s = 0; s < h->h.n_stages; s++) {
            const int kind = h->h.stages[s].kind;
            if (kind != order[k])
                continue;
            json_t *row = kind == GF_MODEL_STAGE_OPEN
                              ? open_stage_json(h->stage_keys[s], &st[s])
                              : json_pack("{s:s, s:s, s:I}", "key", h->stage_keys[s], "kind",
                                          kind_name(kind), "entered", (json_int_t)st[s].entered);
            if (json_array_append_new(a, row) < 0) {
                json_decref(a);
                a = NULL;
            }
        }
    }
    return a;
}

static json_t *document(const gf_svc_funnel_req *req, const gf_store_history *h,
                        const gf_model_funnel_opts *o, const gf_model_funnel_stage *st,
                        const gf_model_funnel_totals *t)
{
    json_t *stages = stages_json(h, st);
    if (!stages)
        return NULL;
    return json_pack("{s:s, s:o, s:o, s:{s:f, s:f, s:I}, s:o, s:{s:I, s:I, s:I, s:I, s:o}}",
                     "scope", req->scope, "from", gf_svc__day(req->from), "to",
                     gf_svc__day(req->to), "thresholds", "converts_nearly_all", o->nearly_all,
                     "often_skipped", o->skip_share, "min_deals", (json_int_t)o->min_flag_n,
                     "stages", stages, "totals", "created", (json_int_t)t->created, "won",
                     (json_int_t)t->won, "lost", (json_int_t)t->lost, "open", (json_int_t)t->open,
                     "win_rate", ratio_json(t->win_rate, t->won + t->lost));
}

/* The scope's deal mask (*mask NULL for the whole org). */
static int scope_mask(const gf_store_history *h, int all, const int64_t *ids, size_t n,
                      uint8_t **mask, gf_err *err)
{
    *mask = NULL;
    if (all)
        return 0;
    *mask = malloc(h->h.n_deals ? h->h.n_deals : 1);
    if (!*mask)
        return gf_err_internal(err);
    gf_store_history_mask(h, ids, n, *mask);
    return 0;
}

json_t *gf_svc_funnel_answer(const gf_svc_funnel_req *req, gf_err *err)
{
    const gf_svc_options *opt = gf_svc_options_get();
    const gf_model_funnel_opts o = {.nearly_all = opt->funnel_nearly_all,
                                    .skip_share = opt->funnel_skip_share,
                                    .min_flag_n = (uint32_t)opt->funnel_min_flag_deals};
    gf_model_funnel_totals totals;
    const gf_store_history *h = NULL; /* the history cache's (read only) */
    gf_svc__centry *h_ref = NULL;
    gf_model_funnel_stage *st = NULL;
    uint8_t *mask = NULL;
    int64_t *ids = NULL;
    size_t n_ids = 0;
    int all = 0;
    json_t *doc = NULL;
    const double t0 = gf_svc__now_ms();
    double t1 = t0;
    if (gf_store_scope_reps(req->org_id, req->scope, "scope", &all, &ids, &n_ids, err) < 0)
        goto done;
    h = gf_svc__history_get(req->org_id, req->to + 1, req->to, &h_ref, err);
    if (!h || scope_mask(h, all, ids, n_ids, &mask, err) < 0)
        goto done;
    t1 = gf_svc__now_ms();
    st = calloc(h->h.n_stages ? h->h.n_stages : 1, sizeof *st);
    if (!st ||
        gf_model_funnel_compute(&h->h, mask, req->from, req->to, &o, st, &totals) != GF_MODEL_OK) {
        gf_err_internal(err);
        goto done;
    }
    doc = document(req, h, &o, st, &totals);
    if (!doc) {
        gf_err_internal(err);
        goto done;
    }
    gf_log("info", "funnel",
           json_pack("{s:s, s:I, s:f, s:f}", "request_id", req->request_id ? req->request_id : "",
                     "deals", (json_int_t)h->h.n_deals, "load_ms", t1 - t0, "funnel_ms",
                     gf_svc__now_ms() - t1));
done:
    free(ids);
    free(mask);
    free(st);
    gf_svc__history_release(h_ref);
    return doc;
}

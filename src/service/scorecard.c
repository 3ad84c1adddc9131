/* scorecard.c — GET /v1/reps/{key}/scorecard: the five questions per rep. What the rep said
 * (commits), did (the period's deals), what worked against the team's reps, the commit bias of
 * the last four closed quarters, and what comes next (coverage, pipeline, the model's forecast,
 * the bias-corrected commit). One history read serves the figures and the forecast. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache_internal.h"
#include "gapforge/log.h"
#include "gapforge/model_scorecard.h"
#include "gapforge/model_survival.h"
#include "gapforge/store.h"
#include "service_internal.h"

/* What one scorecard computes, and what it must free. */
typedef struct card {
    const gf_svc_scorecard_req *req;
    gf_period next;
    int hist_as_of; /* the history's cut: as_of, or next's start when next has ended by then */
    int commit_cut; /* commits submitted before local midnight of this day count */
    gf_model_period window;
    gf_store_peers peers;
    const gf_store_history *h; /* the history cache's (read only) */
    gf_svc__centry *h_ref;
    uint32_t *peer; /* per history deal */
    uint8_t *source;
    gf_model_scorecard sc;
    gf_period quarters[8]; /* the bias quarters, oldest first */
    size_t nq;
    int64_t *booked; /* per peer and bias quarter */
    gf_store_commit_bound *bounds;
    size_t n_bounds;
    gf_model_bias_est bias[2]; /* first, last */
    char currency[8];
} card;

static json_t *num(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static json_t *amount_json(const gf_model_sc_amount *a)
{
    return json_pack("{s:I, s:o}", "count", (json_int_t)a->n, "value",
                     gf_svc__money((double)a->cents));
}

static json_t *period_json(const gf_period *p)
{
    return json_pack("{s:s, s:o, s:o}", "name", p->name, "start", gf_svc__day(p->start), "end",
                     gf_svc__day(p->end));
}

/* ---- parsing ---- */

int gf_svc_scorecard_req_parse(int64_t org_id, const char *rep, const char *period,
                               const char *as_of, gf_svc_scorecard_req *req, gf_err *err)
{
    int fysm, today;
    memset(req, 0, sizeof *req);
    req->org_id = org_id;
    if (!rep || strlen(rep) >= sizeof req->rep)
        return gf_err_not_found(err, "rep");
    snprintf(req->rep, sizeof req->rep, "%s", rep);
    if (gf_svc__org_calendar(org_id, &fysm, &today, err) < 0)
        return err->code;
    req->fysm = fysm;
    gf_period p;
    const int bad =
        period ? gf_period_parse(period, fysm, &p) : gf_period_quarter_of(today, fysm, &p);
    gf_period q;
    if (bad < 0 || gf_period_quarter_of(p.start, fysm, &q) < 0 || q.end != p.end ||
        gf_period_quarter_add(&q, 1, fysm, &req->next) < 0 ||
        gf_period_quarter_add(&q, -GF_SVC_SCORECARD_MAX_QUARTERS, fysm, &p) < 0)
        return gf_err_invalid(err, "period", "period must be a fiscal quarter like 2026-Q4");
    req->period = q;
    req->as_of = today;
    if (as_of && gf_date_parse(as_of, &req->as_of) < 0)
        return gf_err_invalid(err, "as_of", "as_of must be a date YYYY-MM-DD");
    const int reach = GF_MODEL_MAX_HORIZON - gf_svc_options_get()->horizon_margin_days;
    if (abs(req->period.start - req->as_of) > reach)
        return gf_err_invalid(err, "as_of", "as_of must be within about four years of the period");
    return 0;
}

/* ---- loading ---- */

static int peer_of_owner(const gf_store_peers *p, int64_t owner)
{
    size_t lo = 0, hi = p->n;
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if (p->ids[mid] < owner)
            lo = mid + 1;
        else
            hi = mid;
    }
    return owner != 0 && lo < p->n && p->ids[lo] == owner ? (int)lo : -1;
}

/* The history, each deal's peer and source. */
static int load(card *c, gf_err *err)
{
    const gf_svc_scorecard_req *r = c->req;
    if (gf_store_scorecard_rep(r->org_id, r->rep, &c->peers, err) < 0 ||
        gf_store_org_currency(r->org_id, c->currency, err) < 0)
        return -1;
    c->h = gf_svc__history_get(r->org_id, c->hist_as_of, c->next.end, &c->h_ref, err);
    if (!c->h)
        return -1;
    int64_t *ids = NULL;
    uint8_t *src = NULL;
    size_t n = 0;
    if (gf_store_scorecard_sources(r->org_id, c->peers.ids, c->peers.n, c->hist_as_of, &ids, &src,
                                   &n, err) < 0)
        return -1;
    const size_t nd = c->h->h.n_deals;
    c->peer = malloc((nd ? nd : 1) * sizeof *c->peer);
    c->source = calloc(nd ? nd : 1, 1);
    if (!c->peer || !c->source) {
        free(ids);
        free(src);
        return gf_err_internal(err);
    }
    size_t k = 0;
    for (size_t i = 0; i < nd; i++) {
        const int p = peer_of_owner(&c->peers, c->h->owner[i]);
        c->peer[i] = p < 0 ? GF_MODEL_NO_PEER : (uint32_t)p;
        const int64_t id = c->h->deals[i].id;
        while (k < n && ids[k] < id)
            k++;
        c->source[i] = k < n && ids[k] == id ? src[k] : (uint8_t)(GF_STORE_SOURCES - 1);
    }
    free(ids);
    free(src);
    return 0;
}

static size_t rep_index(const card *c)
{
    return (size_t)peer_of_owner(&c->peers, c->peers.rep_id);
}

/* The figures of the period and the bias of the quarters before it. */
static int compute(card *c, gf_err *err)
{
    const gf_svc_options *o = gf_svc_options_get();
    const size_t rep = rep_index(c);
    const gf_model_history *mh = &c->h->h;
    const gf_model_scorecard_in in = {.h = mh,
                                      .peer = c->peer,
                                      .n_peers = c->peers.n,
                                      .rep = rep,
                                      .source = c->source,
                                      .n_sources = GF_STORE_SOURCES,
                                      .window = c->window,
                                      .as_of = c->hist_as_of,
                                      .next = {c->next.start, c->next.end},
                                      .stall_ratio = o->scorecard_stall_ratio,
                                      .stall_min_deals = (size_t)o->scorecard_stall_min_deals};
    if (gf_model_scorecard_compute(&in, &c->sc) != 0)
        return gf_err_internal(err);
    /* The closed quarters before the period, at most scorecard_bias_quarters of them. */
    gf_period q = c->req->period;
    size_t want = (size_t)o->scorecard_bias_quarters, got = 0;
    gf_period back[GF_SVC_SCORECARD_MAX_QUARTERS];
    for (int k = 1; k <= GF_SVC_SCORECARD_MAX_QUARTERS && got < want; k++) {
        gf_period p;
        if (gf_period_quarter_add(&q, -k, c->req->fysm, &p) < 0)
            break;
        if (p.end < c->hist_as_of)
            back[got++] = p;
    }
    for (size_t k = 0; k < got; k++)
        c->quarters[k] = back[got - 1 - k];
    c->nq = got;
    gf_model_period mq[GF_SVC_SCORECARD_MAX_QUARTERS];
    for (size_t k = 0; k < got; k++)
        mq[k] = (gf_model_period){c->quarters[k].start, c->quarters[k].end};
    c->booked = calloc(c->peers.n * (got ? got : 1) + 1, sizeof *c->booked);
    if (!c->booked)
        return gf_err_internal(err);
    gf_model_scorecard_bookings(mh, c->peer, c->peers.n, mq, got, c->hist_as_of, c->booked);
    if (got && gf_store_commit_bounds(c->req->org_id, c->peers.ids, c->peers.n, c->quarters, got,
                                      c->commit_cut, &c->bounds, &c->n_bounds, err) < 0)
        return -1;
    gf_model_bias_obs *obs = calloc(c->n_bounds + 1, sizeof *obs);
    if (!obs)
        return gf_err_internal(err);
    gf_model_bias_opts bo;
    gf_model_bias_opts_default(&bo);
    bo.prior_quarters = o->scorecard_bias_prior_quarters;
    for (int which = 0; which < 2; which++) {
        size_t n = 0;
        for (size_t b = 0; b < c->n_bounds; b++) {
            const gf_store_commit_bound *cb = &c->bounds[b];
            const int p = peer_of_owner(&c->peers, cb->rep_id);
            if (p < 0)
                continue;
            obs[n++] =
                (gf_model_bias_obs){(size_t)p, (double)c->booked[(size_t)p * got + cb->quarter],
                                    (double)(which ? cb->last_cents : cb->first_cents)};
        }
        if (gf_model_bias_estimate(obs, n, rep, &bo, &c->bias[which]) != 0) {
            free(obs);
            return gf_err_internal(err);
        }
    }
    free(obs);
    return 0;
}

/* ---- the document ---- */

static json_t *stat_json(const gf_model_sc_stat *s, double scale)
{
    return json_pack("{s:o, s:I, s:o, s:I, s:I}", "rep", num(s->rep * scale), "rep_n",
                     (json_int_t)s->rep_n, "team_median", num(s->team_median * scale), "team_reps",
                     (json_int_t)s->team_reps, "team_n", (json_int_t)s->team_n);
}

static json_t *worked_set_json(const gf_model_sc_worked *w)
{
    return json_pack("{s:o, s:o, s:o, s:o}", "win_rate", stat_json(&w->win_rate, 1), "cycle_days",
                     stat_json(&w->cycle_days, 1), "avg_won_size",
                     stat_json(&w->avg_won_cents, 0.01), "slip_rate", stat_json(&w->slip_rate, 1));
}

static json_t *by_stage_amounts(const card *c, const gf_model_sc_amount *a, int open_only)
{
    json_t *arr = json_array();
    for (size_t s = 0; s < c->h->h.n_stages; s++) {
        if (open_only && c->h->stages[s].kind != GF_MODEL_STAGE_OPEN)
            continue;
        if (!open_only && a[s].n == 0)
            continue;
        json_t *o = amount_json(&a[s]);
        json_object_set_new(o, "stage", json_string(c->h->stage_keys[s]));
        json_array_append_new(arr, o);
    }
    return arr;
}

static json_t *did_json(const card *c)
{
    const gf_model_scorecard *s = &c->sc;
    json_t *adv = amount_json(&s->advanced);
    json_object_set_new(adv, "moves", json_integer((json_int_t)s->advances));
    return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "booked",
                     gf_svc__money((double)s->won.cents), "won", amount_json(&s->won), "lost",
                     amount_json(&s->lost), "pipeline_created", amount_json(&s->created),
                     "advanced", adv, "pushed_out", amount_json(&s->pushed), "lost_by_stage",
                     by_stage_amounts(c, s->lost_from, 0));
}

static json_t *worked_json(const card *c)
{
    const gf_model_scorecard *s = &c->sc;
    json_t *src = json_array(), *stages = json_array(), *stalls = json_array();
    for (size_t k = 0; k < GF_STORE_SOURCES; k++) {
        json_t *o = worked_set_json(&s->by_source[k]);
        json_object_set_new(o, "source", json_string(gf_store_sources[k]));
        json_array_append_new(src, o);
    }
    for (size_t k = 0; k < c->h->h.n_stages; k++) {
        if (c->h->stages[k].kind != GF_MODEL_STAGE_OPEN)
            continue;
        const gf_model_sc_stage *g = &s->by_stage[k];
        json_array_append_new(
            stages, json_pack("{s:s, s:o, s:o, s:b}", "stage", c->h->stage_keys[k], "advance_rate",
                              stat_json(&g->advance_rate, 1), "days_in_stage",
                              stat_json(&g->days_in_stage, 1), "stalls", g->stalls));
        if (g->stalls)
            json_array_append_new(stalls, json_string(c->h->stage_keys[k]));
    }
    const gf_svc_options *o = gf_svc_options_get();
    json_t *w = worked_set_json(&s->worked);
    json_t *out =
        json_pack("{s:{s:o, s:o}, s:{s:o, s:I}, s:o, s:o, s:o, s:o, s:{s:f, s:i}}", "window",
                  "from", gf_svc__day(c->window.start), "to",
                  c->window.end >= c->window.start ? gf_svc__day(c->window.end) : json_null(),
                  "peers", "team", c->peers.team[0] ? json_string(c->peers.team) : json_null(),
                  "reps", (json_int_t)c->peers.n, "overall", w, "by_source", src, "by_stage",
                  stages, "stalls", stalls, "stall_rule", "ratio", o->scorecard_stall_ratio,
                  "min_deals", o->scorecard_stall_min_deals);
    return out;
}

static json_t *est_json(const gf_model_bias_est *e)
{
    json_t *interval = e->n ? json_pack("[o, o]", num(e->lo), num(e->hi)) : json_null();
    return json_pack("{s:I, s:o, s:o, s:o, s:o, s:I, s:I, s:o, s:f, s:s}", "n", (json_int_t)e->n,
                     "raw", num(e->raw), "estimate", num(e->estimate), "interval", interval, "team",
                     num(e->team), "team_n", (json_int_t)e->team_n, "team_reps",
                     (json_int_t)e->team_reps, "vs_team", num(e->n ? e->estimate / e->team : NAN),
                     "sd_log", e->sd, "label", gf_model_bias_label_name(e->label));
}

static json_t *ratio(int64_t a, int has, int64_t commit)
{
    return has && commit > 0 ? json_real((double)a / (double)commit) : json_null();
}

static json_t *bias_json(const card *c)
{
    const size_t rep = rep_index(c);
    json_t *qs = json_array();
    for (size_t q = 0; q < c->nq; q++) {
        const gf_store_commit_bound *b = NULL;
        for (size_t k = 0; k < c->n_bounds && !b; k++)
            if (c->bounds[k].rep_id == c->peers.rep_id && c->bounds[k].quarter == q)
                b = &c->bounds[k];
        const int64_t a = c->booked[rep * c->nq + q];
        json_t *o = period_json(&c->quarters[q]);
        json_object_set_new(o, "actual", gf_svc__money((double)a));
        json_object_set_new(o, "commits", json_integer(b ? (json_int_t)b->count : 0));
        json_object_set_new(o, "first_commit",
                            b ? gf_svc__money((double)b->first_cents) : json_null());
        json_object_set_new(o, "last_commit",
                            b ? gf_svc__money((double)b->last_cents) : json_null());
        json_object_set_new(o, "actual_over_first", ratio(a, b != NULL, b ? b->first_cents : 0));
        json_object_set_new(o, "actual_over_last", ratio(a, b != NULL, b ? b->last_cents : 0));
        json_array_append_new(qs, o);
    }
    return json_pack("{s:o, s:o, s:o, s:f, s:f}", "quarters", qs, "first", est_json(&c->bias[0]),
                     "last", est_json(&c->bias[1]), "prior_quarters",
                     gf_svc_options_get()->scorecard_bias_prior_quarters, "interval_level", 0.8);
}

/* The model's forecast of the rep for the next quarter at the history's as_of, on the history
 * already read (and the leading KPIs as GET /v1/forecast reads them); JSON null (and a note)
 * when the model cannot forecast it. */
static json_t *forecast_json(const card *c, json_t **note, gf_err *err)
{
    const gf_svc_options *o = gf_svc_options_get();
    gf_svc_forecast *f = calloc(1, sizeof *f);
    if (!f) {
        gf_err_internal(err);
        return NULL;
    }
    gf_store_lead_kpis *leads = gf_svc__leads_load(c->req->org_id, c->hist_as_of, err);
    if (!leads) {
        free(f);
        return NULL;
    }
    f->req = (gf_svc_forecast_req){.org_id = c->req->org_id,
                                   .period = c->next,
                                   .as_of = c->hist_as_of,
                                   .trials = o->default_trials,
                                   .seed = o->default_seed,
                                   .request_id = c->req->request_id};
    snprintf(f->req.scope, sizeof f->req.scope, "rep:%s", c->req->rep);
    f->history = (gf_store_history *)c->h; /* only read */
    f->leads = leads;
    f->borrowed = true;
    json_t *out = NULL;
    const int reach = GF_MODEL_MAX_HORIZON - o->horizon_margin_days;
    if (c->next.end - c->hist_as_of > reach) {
        *note = json_string("the next quarter is beyond the model's horizon from as_of");
        out = json_null();
    } else if (gf_svc__forecast_fit(f, err) == 0) {
        out = gf_svc__dist_json(&f->sim, f->has_target);
        json_object_set_new(out, "trials", json_integer(f->req.trials));
        json_object_set_new(out, "seed", json_integer((json_int_t)f->req.seed));
    } else if (err->code == GF_EINVALID) {
        *note = json_string(err->message);
        gf_err_clear(err);
        out = json_null();
    }
    gf_svc_forecast_free(f);
    gf_svc__leads_free(leads);
    return out;
}

static json_t *next_json(const card *c, gf_err *err)
{
    const gf_svc_scorecard_req *r = c->req;
    char scope[80];
    snprintf(scope, sizeof scope, "rep:%s", r->rep);
    int has_target = 0, has_commit = 0;
    int64_t target = 0, commit = 0;
    if (gf_store_forecast_target_cents(r->org_id, scope, &c->next, &has_target, &target, err) < 0 ||
        gf_store_backtest_commit_cents(r->org_id, scope, &c->next, c->commit_cut, &has_commit,
                                       &commit, err) < 0)
        return NULL;
    json_t *note = NULL;
    json_t *fc = forecast_json(c, &note, err);
    if (!fc)
        return NULL;
    const gf_model_bias_est *b = &c->bias[0];
    json_t *corrected = json_null();
    if (has_commit && b->n > 0)
        corrected = json_pack("{s:o, s:o, s:[o, o], s:s}", "value",
                              gf_svc__money((double)commit * b->estimate), "bias", num(b->estimate),
                              "interval", gf_svc__money((double)commit * b->lo),
                              gf_svc__money((double)commit * b->hi), "uses", "first");
    const gf_model_sc_amount *open = &c->sc.next_open;
    json_t *out = json_pack(
        "{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "period", period_json(&c->next), "as_of",
        gf_svc__day(c->hist_as_of), "target",
        has_target ? gf_svc__money((double)target) : json_null(), "open_pipeline",
        amount_json(open), "coverage",
        has_target && target > 0 ? json_real((double)open->cents / (double)target) : json_null(),
        "pipeline_by_stage", by_stage_amounts(c, c->sc.next_stage, 1), "forecast", fc,
        "latest_commit", has_commit ? gf_svc__money((double)commit) : json_null(),
        "bias_corrected_commit", corrected);
    if (note)
        json_object_set_new(out, "forecast_note", note);
    return out;
}

static json_t *said_json(const card *c, gf_err *err)
{
    char scope[80];
    snprintf(scope, sizeof scope, "rep:%s", c->req->rep);
    json_t *items =
        gf_store_commit_said(c->req->org_id, scope, &c->req->period, c->commit_cut, err);
    if (!items)
        return NULL;
    const size_t n = json_array_size(items);
    json_t *first = n ? json_incref(json_array_get(items, 0)) : json_null();
    json_t *last = n ? json_incref(json_array_get(items, n - 1)) : json_null();
    return json_pack("{s:I, s:o, s:o, s:o}", "n", (json_int_t)n, "first", first, "last", last,
                     "commits", items);
}

static void card_clear(card *c)
{
    gf_store_peers_free(&c->peers);
    gf_svc__history_release(c->h_ref);
    free(c->peer);
    free(c->source);
    gf_model_scorecard_free(&c->sc);
    free(c->booked);
    free(c->bounds);
}

json_t *gf_svc_scorecard_answer(const gf_svc_scorecard_req *req, gf_err *err)
{
    const double t0 = gf_svc__now_ms();
    card c = {.req = req, .next = req->next};
    c.hist_as_of = req->as_of <= req->next.end ? req->as_of : req->next.start;
    c.commit_cut = c.hist_as_of == req->as_of ? req->as_of + 1 : c.hist_as_of;
    const int to = req->period.end < c.hist_as_of - 1 ? req->period.end : c.hist_as_of - 1;
    c.window = (gf_model_period){req->period.start, to};
    json_t *doc = NULL, *said = NULL, *next = NULL;
    if (load(&c, err) < 0)
        goto done;
    const double t1 = gf_svc__now_ms();
    if (compute(&c, err) < 0)
        goto done;
    said = said_json(&c, err);
    if (!said)
        goto done;
    const double t2 = gf_svc__now_ms();
    next = next_json(&c, err);
    if (!next)
        goto done;
    doc = json_pack("{s:{s:s, s:o}, s:o, s:o, s:s, s:o, s:o, s:o, s:o, s:o}", "rep", "key",
                    req->rep, "team", c.peers.team[0] ? json_string(c.peers.team) : json_null(),
                    "period", period_json(&req->period), "as_of", gf_svc__day(req->as_of),
                    "currency", c.currency, "said", said, "did", did_json(&c), "worked",
                    worked_json(&c), "bias", bias_json(&c), "next", next);
    said = next = NULL;
    if (!doc)
        gf_err_internal(err);
    gf_log("info", "scorecard",
           json_pack("{s:s, s:I, s:f, s:f, s:f}", "request_id",
                     req->request_id ? req->request_id : "", "deals", (json_int_t)c.h->h.n_deals,
                     "load_ms", t1 - t0, "figures_ms", t2 - t1, "next_ms", gf_svc__now_ms() - t2));
done:
    json_decref(said);
    json_decref(next);
    card_clear(&c);
    return doc;
}

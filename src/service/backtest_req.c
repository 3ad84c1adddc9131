/* backtest_req.c — validating a backtest's parameters against the org's calendar and data, and
 * the request as its job stores it. Everything a backtest can refuse is refused here, before
 * anything is written or computed. */
#include <stdio.h>
#include <string.h>

#include "gapforge/date.h"
#include "gapforge/model_sim.h"
#include "gapforge/service.h"
#include "gapforge/service_backtest.h"
#include "gapforge/store.h"

/* 2^53 - 1: the largest seed every JSON reader holds exactly. */
#define MAX_SEED 9007199254740991LL

static const int default_offsets[] = {0, 30, 60};

/* The `last` most recent fiscal quarters that ended before today, oldest first. */
static int last_quarters(gf_svc_backtest_req *req, int fysm, int64_t last, gf_err *err)
{
    gf_period now, q;
    if (gf_period_quarter_of(req->today, fysm, &now) < 0 ||
        gf_period_quarter_add(&now, -1, fysm, &q) < 0)
        return gf_err_invalid(err, "last", "no quarter before today to backtest");
    for (int64_t k = last - 1; k >= 0; k--)
        if (gf_period_quarter_add(&q, -(int)k, fysm, &req->periods[req->n_periods++]) < 0)
            return gf_err_invalid(err, "last", "last reaches before the calendar's first year");
    return 0;
}

static int named_periods(gf_svc_backtest_req *req, const gf_svc_backtest_args *a, int fysm,
                         gf_err *err)
{
    if (a->n_periods == 0 || a->n_periods > GF_SVC_BACKTEST_MAX_PERIODS)
        return gf_err_invalid(err, "periods", "periods must name 1 to %d periods",
                              GF_SVC_BACKTEST_MAX_PERIODS);
    for (size_t i = 0; i < a->n_periods; i++) {
        gf_period *p = &req->periods[i];
        if (!a->periods[i] || gf_period_parse(a->periods[i], fysm, p) < 0)
            return gf_err_invalid(err, "periods",
                                  "periods[%zu] must be a fiscal quarter like 2026-Q1 or a range "
                                  "YYYY-MM-DD..YYYY-MM-DD",
                                  i);
        for (size_t j = 0; j < i; j++)
            if (req->periods[j].start == p->start && req->periods[j].end == p->end)
                return gf_err_invalid(err, "periods", "periods[%zu] repeats %s", i, p->name);
        req->n_periods++;
    }
    return 0;
}

static int parse_offsets(gf_svc_backtest_req *req, const gf_svc_backtest_args *a, gf_err *err)
{
    if (!a->offsets) {
        for (size_t k = 0; k < sizeof default_offsets / sizeof default_offsets[0]; k++)
            req->offsets[req->n_offsets++] = default_offsets[k];
    } else if (a->n_offsets == 0 || a->n_offsets > GF_SVC_BACKTEST_MAX_OFFSETS) {
        return gf_err_invalid(err, "offsets", "offsets must list 1 to %d days",
                              GF_SVC_BACKTEST_MAX_OFFSETS);
    }
    for (size_t k = 0; a->offsets && k < a->n_offsets; k++) {
        if (a->offsets[k] < 0 || a->offsets[k] >= GF_PERIOD_MAX_DAYS)
            return gf_err_invalid(err, "offsets", "offsets[%zu] must be a day of the period from 0",
                                  k);
        for (size_t j = 0; j < k; j++)
            if (a->offsets[j] == a->offsets[k])
                return gf_err_invalid(err, "offsets", "offsets[%zu] repeats %lld", k,
                                      (long long)a->offsets[k]);
        req->offsets[req->n_offsets++] = (int)a->offsets[k];
    }
    for (size_t i = 0; i < req->n_periods; i++) {
        const gf_period *p = &req->periods[i];
        for (size_t k = 0; k < req->n_offsets; k++)
            if (req->offsets[k] > p->end - p->start)
                return gf_err_invalid(err, "offsets",
                                      "offset %d is past the end of %s (%d days long)",
                                      req->offsets[k], p->name, p->end - p->start + 1);
    }
    return 0;
}

/* Every period must have ended (its actual is known), and some deal must precede the first
 * as_of (there is history to forecast from). */
static int check_history(gf_svc_backtest_req *req, gf_err *err)
{
    int first = 0, have = 0, min_offset = req->offsets[0];
    for (size_t k = 1; k < req->n_offsets; k++)
        min_offset = req->offsets[k] < min_offset ? req->offsets[k] : min_offset;
    for (size_t i = 0; i < req->n_periods; i++) {
        const gf_period *p = &req->periods[i];
        if (p->end >= req->today)
            return gf_err_invalid(err, "periods", "%s has not ended yet: its actual is not known",
                                  p->name);
        if (i == 0 || p->start < first)
            first = p->start;
    }
    first += min_offset;
    if (gf_store_backtest_has_deals(req->org_id, first, &have, err) < 0)
        return err->code;
    if (!have) {
        char day[11];
        gf_date_format(first, day);
        return gf_err_invalid(err, "periods",
                              "no deal was created before %s, the first as_of: no history to "
                              "forecast from",
                              day);
    }
    return 0;
}

int gf_svc_backtest_req_parse(int64_t org_id, const gf_svc_backtest_args *a,
                              gf_svc_backtest_req *req, gf_err *err)
{
    const gf_svc_options *opt = gf_svc_options_get();
    int fysm;
    gf_scope_ids ids;
    memset(req, 0, sizeof *req);
    req->org_id = org_id;
    if (gf_store_org_calendar(org_id, &fysm, &req->today, err) < 0)
        return err->code;
    if (a->scope && strlen(a->scope) >= sizeof req->scope)
        return gf_err_invalid(err, "scope", "scope must be org, team:KEY or rep:KEY");
    snprintf(req->scope, sizeof req->scope, "%s", a->scope ? a->scope : "org");
    if (gf_store_scope_resolve(org_id, req->scope, "scope", &ids, err) < 0)
        return err->code;
    if (a->periods && a->has_last)
        return gf_err_invalid(err, "last", "give periods or last, not both");
    if (a->has_last && (a->last < 1 || a->last > GF_SVC_BACKTEST_MAX_PERIODS))
        return gf_err_invalid(err, "last", "last must be an integer from 1 to %d",
                              GF_SVC_BACKTEST_MAX_PERIODS);
    const int bad =
        a->periods ? named_periods(req, a, fysm, err)
                   : last_quarters(req, fysm, a->has_last ? a->last : GF_SVC_BACKTEST_LAST, err);
    if (bad < 0 || parse_offsets(req, a, err) < 0)
        return err->code;
    req->trials = GF_SVC_BACKTEST_TRIALS;
    if (a->has_trials) {
        if (a->trials < (int64_t)GF_MODEL_SIM_MIN_TRIALS ||
            a->trials > (int64_t)GF_MODEL_SIM_MAX_TRIALS)
            return gf_err_invalid(err, "trials", "trials must be an integer from %u to %u",
                                  GF_MODEL_SIM_MIN_TRIALS, GF_MODEL_SIM_MAX_TRIALS);
        req->trials = (unsigned)a->trials;
    }
    req->seed = opt->default_seed;
    if (a->has_seed) {
        if (a->seed < 0 || a->seed > MAX_SEED)
            return gf_err_invalid(err, "seed", "seed must be an integer from 0 to 2^53 - 1");
        req->seed = (uint64_t)a->seed;
    }
    return check_history(req, err);
}

json_t *gf_svc_backtest_request_json(const gf_svc_backtest_req *req)
{
    json_t *periods = json_array(), *offsets = json_array();
    for (size_t i = 0; i < req->n_periods; i++)
        json_array_append_new(periods, json_string(req->periods[i].name));
    for (size_t k = 0; k < req->n_offsets; k++)
        json_array_append_new(offsets, json_integer(req->offsets[k]));
    return json_pack("{s:s, s:o, s:o, s:I, s:I}", "scope", req->scope, "periods", periods,
                     "offsets", offsets, "trials", (json_int_t)req->trials, "seed",
                     (json_int_t)req->seed);
}

/* forecast_req.c — validating a forecast request's parameters against the org's calendar. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache_internal.h"
#include "gapforge/date.h"
#include "gapforge/model_sim.h"
#include "gapforge/model_survival.h"
#include "gapforge/service.h"
#include "gapforge/store.h"

/* 2^53 - 1: the largest seed every JSON reader holds exactly. */
#define MAX_SEED 9007199254740991ULL

static int parse_trials(const char *text, unsigned *out, gf_err *err)
{
    char *end = NULL;
    long v = strtol(text, &end, 10);
    if (!*text || *end || v < (long)GF_MODEL_SIM_MIN_TRIALS || v > (long)GF_MODEL_SIM_MAX_TRIALS)
        return gf_err_invalid(err, "trials", "trials must be an integer from %u to %u",
                              GF_MODEL_SIM_MIN_TRIALS, GF_MODEL_SIM_MAX_TRIALS);
    *out = (unsigned)v;
    return 0;
}

static int parse_seed(const char *text, uint64_t *out, gf_err *err)
{
    const size_t len = strlen(text);
    if (len == 0 || len > 16 || strspn(text, "0123456789") != len)
        return gf_err_invalid(err, "seed", "seed must be an integer from 0 to 2^53 - 1");
    const uint64_t v = strtoull(text, NULL, 10);
    if (v > MAX_SEED)
        return gf_err_invalid(err, "seed", "seed must be an integer from 0 to 2^53 - 1");
    *out = v;
    return 0;
}

int gf_svc_forecast_req_parse(int64_t org_id, const gf_svc_forecast_args *a,
                              gf_svc_forecast_req *req, gf_err *err)
{
    const gf_svc_options *opt = gf_svc_options_get();
    int fysm, today;
    memset(req, 0, sizeof *req);
    req->org_id = org_id;
    if (gf_svc__org_calendar(org_id, &fysm, &today, err) < 0)
        return err->code;
    const int bad_period = a->period ? gf_period_parse(a->period, fysm, &req->period)
                                     : gf_period_quarter_of(today, fysm, &req->period);
    if (bad_period < 0)
        return gf_err_invalid(err, "period",
                              "period must be a fiscal quarter like 2026-Q4 or a range "
                              "YYYY-MM-DD..YYYY-MM-DD of at most three years");
    if (a->scope && strlen(a->scope) >= sizeof req->scope)
        return gf_err_invalid(err, "scope", "scope must be org, team:KEY or rep:KEY");
    snprintf(req->scope, sizeof req->scope, "%s", a->scope ? a->scope : "org");
    req->as_of = today;
    if (a->as_of && gf_date_parse(a->as_of, &req->as_of) < 0)
        return gf_err_invalid(err, "as_of", "as_of must be a date YYYY-MM-DD");
    const int reach = GF_MODEL_MAX_HORIZON - opt->horizon_margin_days;
    if (req->period.end - req->as_of > reach || req->as_of - req->period.start > reach)
        return gf_err_invalid(err, "as_of", "as_of must be within about four years of the period");
    req->trials = opt->default_trials;
    if (a->trials && parse_trials(a->trials, &req->trials, err) < 0)
        return err->code;
    req->seed = opt->default_seed;
    if (a->seed && parse_seed(a->seed, &req->seed, err) < 0)
        return err->code;
    if (a->explain && strcmp(a->explain, "true") != 0 && strcmp(a->explain, "false") != 0)
        return gf_err_invalid(err, "explain", "explain must be true or false");
    req->explain = a->explain && strcmp(a->explain, "true") == 0;
    return 0;
}

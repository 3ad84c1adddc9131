/* Scenarios: the baseline and the lever-transformed input simulated with the same seed (common
 * random numbers), their paired difference, and each lever's own uplift. */
#include "gapforge/model_scenario.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int gf_model_scenario_eval(const gf_model_lever_ctx *ctx, const gf_model_lever *levers,
                           const uint32_t *units, size_t n, uint32_t trials, gf_model_lever_work *w,
                           gf_model_sim_result *out, int64_t *totals)
{
    if (!w || !out)
        return GF_MODEL_EINVAL;
    int rc = gf_model_levers_apply(ctx, levers, units, n, w);
    if (rc)
        return rc;
    if (trials)
        w->in.trials = trials;
    return gf_model_sim_run(&w->in, out, totals);
}

void gf_model_delta_of(const gf_model_sim_result *base, const int64_t *base_totals,
                       const gf_model_sim_result *scen, const int64_t *scen_totals,
                       gf_model_delta *out)
{
    out->expected = scen->expected - base->expected;
    out->p10 = scen->p10 - base->p10;
    out->p50 = scen->p50 - base->p50;
    out->p90 = scen->p90 - base->p90;
    out->prob_hit = scen->prob_hit - base->prob_hit;
    out->mean = scen->mean - base->mean;
    const size_t t = base->trials;
    if (!base_totals || !scen_totals || t < 2 || scen->trials != t) {
        out->mean_se = sqrt(base->std_error * base->std_error + scen->std_error * scen->std_error);
        return;
    }
    double sum = 0.0, ss = 0.0;
    for (size_t k = 0; k < t; k++)
        sum += (double)(scen_totals[k] - base_totals[k]);
    const double mean = sum / (double)t;
    for (size_t k = 0; k < t; k++) {
        const double d = (double)(scen_totals[k] - base_totals[k]) - mean;
        ss += d * d;
    }
    out->mean = mean;
    out->mean_se = sqrt(ss / (double)(t - 1) / (double)t);
}

void gf_model_scenario_free(gf_model_scenario *s)
{
    if (!s)
        return;
    free(s->uplift);
    s->uplift = NULL;
    s->n = 0;
}

int gf_model_scenario_run(const gf_model_lever_ctx *ctx, const gf_model_lever *levers,
                          const uint32_t *units, size_t n, gf_model_scenario *out)
{
    if (!ctx || !ctx->base || !out || (n && (!levers || !units)))
        return GF_MODEL_EINVAL;
    memset(out, 0, sizeof(*out));
    const uint32_t trials = ctx->base->trials ? ctx->base->trials : GF_MODEL_SIM_DEFAULT_TRIALS;
    int rc = GF_MODEL_ENOMEM;
    gf_model_lever_work w = {0};
    int64_t *base_totals = malloc((size_t)trials * sizeof(int64_t));
    int64_t *totals = malloc((size_t)trials * sizeof(int64_t));
    uint32_t *alone = calloc(n ? n : 1, sizeof(*alone));
    gf_model_uplift *uplift = calloc(n ? n : 1, sizeof(*uplift));
    if (!base_totals || !totals || !alone || !uplift)
        goto cleanup;
    rc = gf_model_scenario_eval(ctx, levers, alone, n, trials, &w, &out->baseline, base_totals);
    if (rc)
        goto cleanup;
    rc = gf_model_scenario_eval(ctx, levers, units, n, trials, &w, &out->result, totals);
    if (rc)
        goto cleanup;
    out->cost_cents = w.cost_cents;
    out->kpi_delta = w.kpi_delta;
    gf_model_delta_of(&out->baseline, base_totals, &out->result, totals, &out->delta);
    for (size_t k = 0; k < n; k++) {
        gf_model_uplift *u = &uplift[k];
        u->units = units[k];
        u->cost_cents = gf_model_lever_cost(&levers[k], ctx, units[k]);
        if (!units[k])
            continue;
        gf_model_sim_result r;
        alone[k] = units[k];
        rc = gf_model_scenario_eval(ctx, levers, alone, n, trials, &w, &r, totals);
        alone[k] = 0;
        if (rc)
            goto cleanup;
        u->kpi_delta = w.kpi_delta;
        gf_model_delta_of(&out->baseline, base_totals, &r, totals, &u->delta);
    }
    out->uplift = uplift;
    out->n = n;
    uplift = NULL;
cleanup:
    gf_model_lever_work_free(&w);
    free(base_totals);
    free(totals);
    free(alone);
    free(uplift);
    return rc;
}

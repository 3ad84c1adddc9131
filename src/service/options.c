/* options.c — every tunable of the service, with its default, in one place. */
#include <pthread.h>

#include "gapforge/model_sim.h"
#include "gapforge/service.h"

void gf_svc_options_default(gf_svc_options *o)
{
    *o = (gf_svc_options){
        .default_trials = GF_MODEL_SIM_DEFAULT_TRIALS,
        .default_seed = 20260101ULL,
        .sigma_floor = 0.10,
        .sigma_backtest_quarters = 8,
        .sigma_prior = 0.20,
        .sigma_prior_points = 4.0,
        .sigma_min_history_days = 91,
        .horizon_margin_days = 100,
        .baseline_quarters = 4,
        .baseline_days = 364,
        .productivity_window_days = 365,
        .new_rep_ramp_days = 30,
        .next_period_window_days = 92,
        .max_concession_deals = 1000,
        .spread_cache_entries = 64,
        .driver_prior_deals = 10.0,
        .plan_budget_ms = 2000,
        .backtest_wait_ms = 2000,
        .backtest_jobs = 2,
        .backtest_threads = 0,
        .backtest_budget_ms = 600000,
        .funnel_nearly_all = 0.95,
        .funnel_skip_share = 0.30,
        .funnel_min_flag_deals = 20,
        .scorecard_bias_quarters = 4,
        .scorecard_bias_prior_quarters = 2.0,
        .scorecard_stall_ratio = 1.5,
        .scorecard_stall_min_deals = 3,
    };
}

static gf_svc_options g_options;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

static void init_defaults(void)
{
    gf_svc_options_default(&g_options);
}

void gf_svc_configure(const gf_svc_options *o)
{
    pthread_once(&g_once, init_defaults);
    g_options = *o; /* before serving: readers take no lock */
}

const gf_svc_options *gf_svc_options_get(void)
{
    pthread_once(&g_once, init_defaults);
    return &g_options;
}

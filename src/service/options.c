/* options.c — every tunable of the service, with its default, in one place. */
#include <pthread.h>

#include "gapforge/model_sim.h"
#include "gapforge/service.h"
#include "gapforge/store_versions.h"
#include "service_internal.h"

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
        .max_sim_draws = 1e10,
        .funnel_nearly_all = 0.95,
        .funnel_skip_share = 0.30,
        .funnel_min_flag_deals = 20,
        .scorecard_bias_quarters = 4,
        .scorecard_bias_prior_quarters = 2.0,
        .scorecard_stall_ratio = 1.5,
        .scorecard_stall_min_deals = 3,
        .kpi_paths = 4000,
        .kpi_min_gain = 0.05,
        .indicator_arl0 = 52.0,
        .indicator_k = 0.75,
        .indicator_baseline_weeks = 39,
        .indicator_monitor_weeks = 8,
        .indicator_design_shift = 1.5,
        .indicator_floor = 0.05,
        .indicator_quarters = 3,
        .history_cache_mb = 512,
        .answer_cache_mb = 64,
        .version_check_ms = 1000,
        .key_cache_entries = 4096,
        /* Standard Webhooks' schedule: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h. */
        .webhook_schedule_ms = {0, 5000, 300000, 1800000, 7200000, 18000000, 36000000, 36000000},
        .webhook_attempts = 8,
        .webhook_jitter = 0.1,
        .webhook_retry_after_max_ms = 86400000,
        .webhook_connect_timeout_ms = 5000,
        .webhook_timeout_ms = 15000,
        .webhook_response_cap = 65536,
        .webhook_poll_ms = 1000,
        .webhook_threads = 2,
        .webhook_allow = NULL,
        .alert_top_drivers = 3,
    };
}

static gf_svc_options g_options;
static unsigned g_generation; /* bumped by every gf_svc_configure */
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

static void init_defaults(void)
{
    gf_svc_options_default(&g_options);
}

void gf_svc_configure(const gf_svc_options *o)
{
    pthread_once(&g_once, init_defaults);
    g_options = *o; /* before serving: readers take no lock */
    g_generation++;
    gf_store_key_cache_configure(o->key_cache_entries, o->version_check_ms);
    gf_svc__metrics_register();
}

const gf_svc_options *gf_svc_options_get(void)
{
    pthread_once(&g_once, init_defaults);
    return &g_options;
}

unsigned gf_svc__options_generation(void)
{
    return g_generation;
}

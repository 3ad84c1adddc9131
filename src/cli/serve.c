/* serve.c — `gapforge serve`: check the schema, start the daemon, stop cleanly on a signal. */
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "gapforge/api.h"
#include "gapforge/cli.h"
#include "gapforge/import.h"
#include "gapforge/log.h"
#include "gapforge/migrate.h"
#include "gapforge/service.h"
#include "gapforge/service_alerts.h"
#include "gapforge/service_backtest.h"
#include "gapforge/service_schedule.h"
#include "gapforge/store.h"

/* Refuses to serve a schema that is behind (or ahead of) this build. A database that cannot be
 * reached at start is not fatal: the service answers 503 until it comes back. */
static int schema_ok(const gf_config *cfg)
{
    gf_err err = {0};
    gf_migration_status st;
    if (gf_migrate_status(cfg->migrations_dir, &st, &err) < 0) {
        if (err.code == GF_EUNAVAILABLE) {
            gf_log("warn", "database unreachable at start; serving 503 until it answers", NULL);
            return 0;
        }
        fprintf(stderr, "gapforge: %s\n", err.message);
        return -1;
    }
    if (st.pending) {
        fprintf(stderr, "gapforge: %d migration%s pending (first: %s); run `gapforge migrate`\n",
                st.pending, st.pending == 1 ? "" : "s", st.first_pending);
        return -1;
    }
    if (st.unknown) {
        fprintf(stderr,
                "gapforge: the database has migration %s, which this build does not "
                "know; run a newer gapforge\n",
                st.first_unknown);
        return -1;
    }
    bool bypasses = false;
    if (gf_store_role_bypasses_rls(&bypasses, &err) == 0 && bypasses)
        gf_log("warn",
               "the database role bypasses row-level security (superuser or BYPASSRLS): tenant "
               "isolation rests on the queries alone; serve as gapforge_app (README: Tenant "
               "isolation)",
               NULL);
    return 0;
}

int gf_cli_serve(int argc, char **argv)
{
    if (gf_cli_wants_help(argc, argv)) {
        printf("usage: gapforge serve\n\nServes the HTTP/JSON API on GAPFORGE_LISTEN (default "
               "127.0.0.1:8080) with\nGAPFORGE_THREADS workers, each with its own connection to "
               "DATABASE_URL.\nRefuses to start while migrations are pending. SIGINT/SIGTERM stop "
               "it gracefully:\nno new connections, idle ones closed at once, requests in "
               "flight answered within\nGAPFORGE_DRAIN_SECONDS (default 20), exit 0.\n");
        return 0;
    }
    static gf_config cfg;
    if (gf_cli_setup(&cfg) < 0)
        return 1;
    /* Large arrays (a forecast's events, deals and model tables) are mapped and unmapped by
     * malloc, so memory freed after a request goes back to the system instead of staying in the
     * arena of whichever worker served it. Without a fixed 256 KiB threshold glibc raises it
     * after the first large free and every worker keeps ~50 MB (measured: peak RSS 187 MB after
     * ten forecasts on 100,000 deals, against 60 MB for one). */
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);
    if (schema_ok(&cfg) < 0)
        return 1;
    gf_store_disconnect(); /* workers open their own connections */
    gf_api_init(&cfg);
    gf_svc_options svc;
    gf_svc_options_default(&svc);
    svc.plan_budget_ms = cfg.plan_budget_ms;
    svc.backtest_wait_ms = cfg.backtest_wait_ms;
    svc.indicator_arl0 = cfg.indicator_arl0;
    svc.backtest_jobs = cfg.backtest_jobs;
    svc.backtest_budget_ms = cfg.backtest_budget_ms;
    svc.max_sim_draws = cfg.max_sim_draws;
    svc.history_cache_mb = cfg.history_cache_mb;
    svc.answer_cache_mb = cfg.answer_cache_mb;
    svc.version_check_ms = cfg.version_check_ms;
    svc.key_cache_entries = cfg.key_cache_entries;
    svc.webhook_allow = cfg.webhook_allow;
    if (cfg.webhook_attempts > 0) {
        memcpy(svc.webhook_schedule_ms, cfg.webhook_schedule_ms, sizeof svc.webhook_schedule_ms);
        svc.webhook_attempts = cfg.webhook_attempts;
    }
    svc.webhook_timeout_ms = cfg.webhook_timeout_ms;
    svc.webhook_connect_timeout_ms = cfg.webhook_connect_timeout_ms;
    svc.webhook_threads = cfg.webhook_threads;
    svc.webhook_poll_ms = cfg.webhook_poll_ms;
    svc.has_webhook_key = cfg.has_webhook_key;
    memcpy(svc.webhook_key, cfg.webhook_key, sizeof svc.webhook_key);
    gf_svc_configure(&svc);
    gf_import_configure(cfg.max_imports, cfg.import_statement_timeout_ms);

    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL); /* worker threads inherit the mask */
    signal(SIGPIPE, SIG_IGN);

    gf_server_options opt = {
        .host = cfg.listen_host,
        .port = cfg.listen_port,
        .threads = cfg.threads,
        .max_body = cfg.max_body,
        .max_stream_body = cfg.max_import,
        .connection_limit = cfg.connection_limit,
        .connection_timeout_s = cfg.connection_timeout_s,
        .per_ip_limit = cfg.per_ip_connections,
        .header_timeout_s = cfg.header_timeout_s,
        .body_timeout_s = cfg.body_timeout_s,
        .min_body_rate = cfg.min_body_rate,
        .max_json_values = cfg.max_json_values,
        .routes = gf_api_routes,
        .nroutes = gf_api_nroutes,
        .authenticate = gf_api_authenticate,
        .hooks = {gf_api_org_before, gf_api_idempotency_after},
        .after_write = gf_svc_org_changed,
        .cors_origins = cfg.cors_origins,
    };
    gf_err err = {0};
    gf_server *srv = gf_server_start(&opt, &err);
    if (!srv) {
        fprintf(stderr, "gapforge: %s\n", err.message);
        return 1;
    }
    gf_log("info", "listening",
           json_pack("{s:s, s:i, s:i, s:s}", "host", cfg.listen_host, "port", cfg.listen_port,
                     "threads", cfg.threads, "version", GF_VERSION));
    if (cfg.snapshot_at >= 0 && gf_svc_snapshot_scheduler_start(cfg.snapshot_at, 60000) < 0)
        gf_log("warn", "daily snapshots not scheduled (no thread)", NULL);
    if (gf_svc_outbox_start() < 0)
        gf_log("warn", "webhook deliveries not started (no thread)", NULL);
    if (cfg.alerts_every_ms > 0 && gf_svc_alert_scheduler_start(cfg.alerts_every_ms) < 0)
        gf_log("warn", "alert evaluation not scheduled (no thread)", NULL);
    if (!cfg.has_webhook_key)
        gf_log("warn", "GAPFORGE_WEBHOOK_KEY is not set: webhook secrets are stored unsealed",
               NULL);
    int sig = 0;
    sigwait(&stop_signals, &sig);
    gf_log("info", "stopping", json_pack("{s:i}", "signal", sig));
    gf_svc_snapshot_scheduler_stop();
    gf_svc_alert_scheduler_stop();
    gf_server_stop(srv, cfg.drain_seconds * 1000); /* in-flight requests finish first */
    gf_svc_outbox_stop();                          /* an attempt in flight is left due, uncounted */
    gf_svc_backtest_shutdown(); /* running backtests store their failure before the exit */
    gf_log("info", "stopped", NULL);
    return 0;
}

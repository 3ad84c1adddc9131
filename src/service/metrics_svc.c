/* metrics_svc.c — the service's share of GET /metrics: cache lookups by cache and result, the
 * entries and bytes the answer and history caches hold, and the webhook outbox's depth and the age
 * of its oldest pending delivery, read from the database when the metrics are rendered. */
#include "cache_internal.h"
#include "gapforge/metrics.h"
#include "gapforge/store.h"
#include "gapforge/store_alerts.h"
#include "service_internal.h"

void gf_svc__count_cache(const char *cache, int hit)
{
    gf_metric_add(gf_metric_get("gapforge_cache_requests_total", GF_METRIC_COUNTER,
                                "Lookups of the in-process caches, by cache and result.",
                                "cache,result", NULL, 0),
                  (const char *[]){cache, hit ? "hit" : "miss"}, 1);
}

void gf_svc__count_run(const char *job, int ok)
{
    gf_metric_add(gf_metric_get("gapforge_scheduler_runs_total", GF_METRIC_COUNTER,
                                "Runs of the scheduled jobs, by job and result.", "job,result",
                                NULL, 0),
                  (const char *[]){job, ok ? "ok" : "failed"}, 1);
}

static void refresh_outbox(void)
{
    long long pending = 0;
    double oldest = 0;
    gf_err err = {0};
    if (gf_store_outbox_depth(&pending, &oldest, &err) < 0)
        return; /* the gauges keep their last values; the failure is logged and counted */
    gf_metric_set(gf_metric_get("gapforge_outbox_pending", GF_METRIC_GAUGE,
                                "Webhook deliveries waiting to be sent (every org).", "", NULL, 0),
                  NULL, (double)pending);
    gf_metric_set(gf_metric_get("gapforge_outbox_oldest_age_seconds", GF_METRIC_GAUGE,
                                "Age of the oldest pending webhook delivery, 0 when none.", "",
                                NULL, 0),
                  NULL, oldest);
}

static void refresh_caches(void)
{
    gf_metric *entries =
        gf_metric_get("gapforge_cache_entries", GF_METRIC_GAUGE,
                      "Values the in-process caches hold, by cache.", "cache", NULL, 0);
    gf_metric *bytes = gf_metric_get("gapforge_cache_bytes", GF_METRIC_GAUGE,
                                     "Bytes the in-process caches hold (their own estimate), by "
                                     "cache.",
                                     "cache", NULL, 0);
    gf_svc__cache_stat st;
    gf_svc__answer_cache_stats(&st);
    gf_metric_set(entries, (const char *[]){"answers"}, (double)st.entries);
    gf_metric_set(bytes, (const char *[]){"answers"}, (double)st.bytes);
    gf_svc__history_cache_stats(&st);
    gf_metric_set(entries, (const char *[]){"history"}, (double)st.entries);
    gf_metric_set(bytes, (const char *[]){"history"}, (double)st.bytes);
}

static void refresh(void)
{
    refresh_caches();
    refresh_outbox();
}

void gf_svc__metrics_register(void)
{
    gf_metrics_on_render(refresh);
}

/* health.c — liveness, readiness and the metrics. */
#include <stdlib.h>

#include "gapforge/api.h"
#include "gapforge/metrics.h"
#include "gapforge/migrate.h"

void gf_api_healthz(gf_req *req, gf_resp *resp)
{
    (void)req;
    gf_resp_json(resp, 200, json_pack("{s:s, s:s}", "status", "ok", "version", GF_VERSION));
}

/* 200 only when the database answers and every migration on disk is applied. */
void gf_api_readyz(gf_req *req, gf_resp *resp)
{
    (void)req;
    gf_err err = {0};
    gf_migration_status st;
    if (gf_migrate_status(gf_api_config()->migrations_dir, &st, &err) < 0) {
        gf_resp_json(resp, 503,
                     json_pack("{s:s, s:s}", "status", "unavailable", "reason",
                               err.code == GF_EUNAVAILABLE ? "database unavailable"
                                                           : "migrations unreadable"));
        return;
    }
    if (st.pending || st.unknown) {
        gf_resp_json(resp, 503,
                     json_pack("{s:s, s:s, s:i, s:i}", "status", "unavailable", "reason",
                               st.pending ? "migrations pending" : "schema newer than this build",
                               "schema_version", st.latest_applied, "expected_version",
                               st.latest_on_disk));
        return;
    }
    gf_resp_json(resp, 200,
                 json_pack("{s:s, s:i}", "status", "ready", "schema_version", st.latest_applied));
}

/* The Prometheus text exposition (format 0.0.4) of every metric the process keeps. Public like
 * the health checks: the metrics carry no tenant's data (no org label, route patterns only). */
void gf_api_metrics(gf_req *req, gf_resp *resp)
{
    (void)req;
    gf_metric_set(gf_metric_get("gapforge_build_info", GF_METRIC_GAUGE,
                                "The running build: always 1, its version as a label.", "version",
                                NULL, 0),
                  (const char *[]){GF_VERSION}, 1);
    size_t len = 0;
    char *text = gf_metrics_render(&len);
    if (!text) {
        gf_err err;
        gf_err_internal(&err);
        gf_resp_error(resp, &err);
        return;
    }
    resp->status = 200;
    resp->text = text;
    resp->text_len = len;
    resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
}

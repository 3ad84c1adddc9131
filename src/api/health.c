/* health.c — liveness and readiness. */
#include "gapforge/api.h"
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

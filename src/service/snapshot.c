/* snapshot.c — storing a forecast as a snapshot: its headline figures as columns and its whole
 * document, for accuracy tracking. */
#include <math.h>
#include <stdlib.h>

#include "gapforge/store.h"
#include "service_internal.h"

json_t *gf_svc_snapshot_create(const gf_svc_forecast_req *req, gf_err *err)
{
    json_t *snap = NULL, *doc = NULL;
    char *text = NULL;
    gf_svc_forecast *f = gf_svc_forecast_run(req, err);
    if (!f)
        return NULL;
    doc = gf_svc_forecast_doc(f, err);
    if (!doc)
        goto done;
    text = json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(15));
    if (!text) {
        gf_err_internal(err);
        goto done;
    }
    const gf_model_sim_result *s = &f->sim;
    const gf_store_snapshot row = {.scope = req->scope,
                                   .period = &req->period,
                                   .as_of = req->as_of,
                                   .p10_cents = s->p10,
                                   .p50_cents = s->p50,
                                   .p90_cents = s->p90,
                                   .expected_cents = llround(s->expected),
                                   .has_target = f->has_target,
                                   .target_cents = f->target_cents,
                                   .prob_hit = s->prob_hit,
                                   .model_version = GF_SVC_MODEL_VERSION,
                                   .forecast_json = text};
    snap = gf_store_snapshot_insert(req->org_id, &row, err);
done:
    free(text);
    json_decref(doc);
    gf_svc_forecast_free(f);
    return snap;
}

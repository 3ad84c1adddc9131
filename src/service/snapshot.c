/* snapshot.c — storing a forecast as a snapshot: its headline figures as columns and its whole
 * document, for accuracy tracking. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gapforge/store.h"
#include "service_internal.h"

int gf_svc__snapshot_make(const gf_svc_forecast_req *req, gf_svc__snapshot_made *m, gf_err *err)
{
    memset(m, 0, sizeof *m);
    m->req = *req;
    json_t *doc = NULL;
    char *text = NULL;
    gf_svc_forecast *f = gf_svc_forecast_run(req, err);
    if (!f)
        return err->code;
    doc = gf_svc_forecast_doc(f, err);
    if (doc)
        text = json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(15));
    if (doc && !text)
        gf_err_internal(err);
    if (text) {
        const gf_model_sim_result *s = &f->sim;
        m->row = (gf_store_snapshot){.scope = m->req.scope,
                                     .period = &m->req.period,
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
    }
    json_decref(doc);
    gf_svc_forecast_free(f);
    return text ? 0 : err->code;
}

void gf_svc__snapshot_made_free(gf_svc__snapshot_made *m)
{
    if (m) {
        free((char *)m->row.forecast_json);
        m->row.forecast_json = NULL;
    }
}

json_t *gf_svc_snapshot_create(const gf_svc_forecast_req *req, gf_err *err)
{
    gf_svc__snapshot_made m;
    if (gf_svc__snapshot_make(req, &m, err) < 0)
        return NULL;
    json_t *snap = gf_store_snapshot_insert(req->org_id, &m.row, err);
    gf_svc__snapshot_made_free(&m);
    return snap;
}

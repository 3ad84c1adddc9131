/* snapshot.c — storing a forecast as a snapshot: its headline figures as columns and its whole
 * document, for accuracy tracking. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "gapforge/date.h"
#include "gapforge/store.h"
#include "service_internal.h"

/* Cents as currency-unit text with two decimals, as the document shows them. */
static void money_text(double cents, char buf[40])
{
    snprintf(buf, 40, "%.2f", round(cents) / 100.0);
}

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
    char as_of[11], p10[40], p50[40], p90[40], expected[40], target[40], prob[40];
    gf_date_format(req->as_of, as_of);
    money_text((double)s->p10, p10);
    money_text((double)s->p50, p50);
    money_text((double)s->p90, p90);
    money_text(s->expected, expected);
    money_text((double)f->target_cents, target);
    snprintf(prob, sizeof prob, "%.17g", s->prob_hit);
    gf_snapshot_fields fields = {req->scope,
                                 as_of,
                                 p10,
                                 p50,
                                 p90,
                                 expected,
                                 f->has_target ? target : NULL,
                                 f->has_target ? prob : NULL,
                                 GF_SVC_MODEL_VERSION,
                                 text,
                                 &req->period};
    snap = gf_store_forecast_snapshot_insert(req->org_id, &fields, err);
done:
    free(text);
    json_decref(doc);
    gf_svc_forecast_free(f);
    return snap;
}

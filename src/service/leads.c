/* leads.c — a leading KPI's weekly series, its detected shift and that shift's effect on the
 * deals not yet created, as the forecast, "why" and GET /v1/indicators use them. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "service_internal.h"

void gf_svc__cusum_opts(gf_model_cusum_opts *o)
{
    const gf_svc_options *opt = gf_svc_options_get();
    gf_model_cusum_opts_default(o);
    o->k = opt->indicator_k;
    o->arl0 = opt->indicator_arl0;
    o->baseline = (size_t)opt->indicator_baseline_weeks;
    o->monitor = (size_t)opt->indicator_monitor_weeks;
    o->design_shift = opt->indicator_design_shift;
}

gf_store_lead_kpis *gf_svc__leads_load(int64_t org_id, int as_of, gf_err *err)
{
    gf_store_lead_kpis *k = calloc(1, sizeof *k);
    if (!k) {
        gf_err_internal(err);
        return NULL;
    }
    if (gf_store_lead_kpis_load(org_id, as_of - GF_SVC_LEAD_DAYS, as_of, k, err) < 0) {
        free(k);
        return NULL;
    }
    return k;
}

void gf_svc__leads_free(gf_store_lead_kpis *k)
{
    gf_store_lead_kpis_free(k);
    free(k);
}

long gf_svc__leads_primary(const gf_store_lead_kpis *k)
{
    for (size_t i = 0; k && i < k->n; i++)
        if (k->k[i].aggregation == GF_MODEL_AGG_SUM && strcmp(k->k[i].leads_to, "bookings") == 0)
            return (long)i;
    return -1;
}

int gf_svc__lead_shift(const gf_store_lead_kpi *k, int as_of, gf_model_shift *s, int *first,
                       double *values)
{
    gf_model_cusum_opts o;
    gf_svc__cusum_opts(&o);
    const size_t n = o.baseline + o.monitor;
    double *v = values ? values : malloc(n * sizeof *v);
    if (!v)
        return GF_MODEL_ENOMEM;
    *first = gf_model_week_start(as_of - 7) - 7 * (int)(n - 1);
    gf_model_kpi_weeks(k->days, k->values, k->n, k->aggregation, *first, n, v);
    const int rc = gf_model_shift_detect(v, n, &o, s);
    if (v != values)
        free(v);
    return rc;
}

int gf_svc__lead_effect(const gf_store_lead_kpi *k, int as_of, gf_model_period period,
                        gf_model_lead_effect *e)
{
    gf_model_shift s;
    int first;
    const int rc = gf_svc__lead_shift(k, as_of, &s, &first, NULL);
    if (rc)
        return rc;
    gf_model_lead_effect_of(&s, first + 7 * (int)s.recent_from, k->lag_days, period, as_of,
                            gf_svc_options_get()->indicator_floor, e);
    return 0;
}

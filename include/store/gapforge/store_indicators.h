/* store_indicators.h — what the leading indicators read: the org's KPIs that lead to another
 * metric with their observations, and which deals marketing sourced. */
#ifndef GAPFORGE_STORE_INDICATORS_H
#define GAPFORGE_STORE_INDICATORS_H

#include <stddef.h>
#include <stdint.h>

#include "gapforge/err.h"

/* One KPI with a leads_to link and its observations in a window. */
typedef struct gf_store_lead_kpi {
    char key[72];
    char name[208];
    char unit[40];
    char direction[24]; /* higher_is_better, lower_is_better */
    int aggregation;    /* enum gf_model_kpi_agg: sum 0, mean 1, last 2 */
    char leads_to[72];  /* "bookings" or another KPI's key */
    int lag_days;
    size_t n;  /* observations, oldest first */
    int *days; /* day numbers */
    double *values;
} gf_store_lead_kpi;

/* Every KPI of an org that leads to another metric, by key. */
typedef struct gf_store_lead_kpis {
    size_t n;
    gf_store_lead_kpi *k;
} gf_store_lead_kpis;

/* Reads every KPI of org_id with a leads_to link, ordered by key, with its observations dated in
 * [from, before) into out (owned: gf_store_lead_kpis_free). Returns 0 or -1 with err
 * (unavailable when the database is down); out is empty on failure. */
int gf_store_lead_kpis_load(int64_t org_id, int from, int before, gf_store_lead_kpis *out,
                            gf_err *err) GF_MUST_CHECK;

/* Frees the KPIs and empties out; NULL-safe. */
void gf_store_lead_kpis_free(gf_store_lead_kpis *out);

/* The live deals of org_id created before day `before`, ordered by id: their ids and 1 for a
 * marketing-sourced deal, else 0, into two malloc'd arrays of *n entries (free both). Returns 0
 * or -1 with err. */
int gf_store_deal_marketing(int64_t org_id, int before, int64_t **ids, uint8_t **marketing,
                            size_t *n, gf_err *err) GF_MUST_CHECK;

#endif

/* service_demo.h — loading a generated demo org into the database (src/service/demo_load.c).
 *
 * The generator (gapforge/demo.h) is pure; this is the step that writes its result through the
 * store, in one transaction. */
#ifndef GAPFORGE_SERVICE_DEMO_H
#define GAPFORGE_SERVICE_DEMO_H

#include <stdint.h>

#include "gapforge/demo.h"
#include "gapforge/err.h"

/* Rows written by gf_svc_demo_load. */
typedef struct gf_demo_counts {
    long deals, events, targets, commits, observations, levers;
} gf_demo_counts;

/* Writes the org's stages, teams, reps, KPIs with observations, levers, deals, events, targets
 * and commits into org_id through the store, all in one transaction: on failure nothing is
 * written. Fills counts; returns 0, or a negative code with err. */
int gf_svc_demo_load(int64_t org_id, const gf_demo_org *org, gf_demo_counts *counts, gf_err *err)
    GF_MUST_CHECK;

#endif

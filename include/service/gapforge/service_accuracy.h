/* gapforge service: the accuracy ledger — for closed periods, week by week, how close each call
 * was to what was won: the model's P50 (from the snapshots stored that week, or where a period
 * has none, from a backtest, marked so) and the scope's latest commit (the rep's or team's
 * call), each scored (forecast / actual, accuracy max(0, 1 - |actual - forecast| / actual),
 * absolute and signed error), with the model's P10-P90 coverage, and a summary of who was the
 * more accurate, by how much and from which week on. No model header. */
#ifndef GAPFORGE_SERVICE_ACCURACY_H
#define GAPFORGE_SERVICE_ACCURACY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gapforge/err.h"

#define GF_SVC_ACCURACY_WEEKS 13 /* weeks 0..12: as_of = period start + 7 x week */

/* The request as the caller gave it. */
typedef struct gf_svc_accuracy_args {
    const char *scope;          /* "org", "team:KEY", "rep:KEY"; NULL: org */
    const char *const *periods; /* period names; NULL: the `last` most recent ended quarters */
    size_t n_periods;
    bool has_last;
    int64_t last; /* 1..40; default 4 */
} gf_svc_accuracy_args;

/* The ledger: {scope, periods: [{period, start, end, actual, weeks: [{week, as_of, model,
 * commit}]}], summary} (openapi.yaml, Accuracy). Invalid naming scope, periods or last as
 * POST /v1/backtests does; GF_EUNAVAILABLE when the database is down. Writes nothing. New
 * reference, or NULL with err. */
json_t *gf_svc_accuracy(int64_t org_id, const gf_svc_accuracy_args *args, gf_err *err)
    GF_MUST_CHECK;

#endif

/* service_indicators.h — the leading indicators of a scope at as_of (GET /v1/indicators): every
 * KPI with a leads_to link and the pipeline's own weekly figures from deals (opportunities
 * created, lead -> opportunity conversion where a leads KPI exists, marketing's share of new
 * pipeline, the size of new deals, velocity), each with its baseline and recent level, the
 * change and its uncertainty, the change detector's state and stated false-alarm rate and
 * delay, a sentence, and for a KPI leading to bookings the projected effect of its shift on the
 * quarters its lag reaches. No model header: for the API, the CLI, the benches and the tests.
 *
 * Only data dated strictly before as_of is read: weeks are Monday to Sunday, and only weeks that
 * ended before as_of count. */
#ifndef GAPFORGE_SERVICE_INDICATORS_H
#define GAPFORGE_SERVICE_INDICATORS_H

#include <jansson.h>
#include <stdint.h>

#include "gapforge/err.h"

/* The parameters as text, from a query string; NULL means "default". */
typedef struct gf_svc_indicators_args {
    const char *scope; /* "org", "team:KEY", "rep:KEY"; default org */
    const char *as_of; /* YYYY-MM-DD; default today in the org's time zone */
} gf_svc_indicators_args;

/* A validated request. */
typedef struct gf_svc_indicators_req {
    int64_t org_id;
    char scope[80];
    int as_of;              /* day number */
    int fysm;               /* the org's fiscal year start month */
    const char *request_id; /* for the log line; may be NULL */
} gf_svc_indicators_req;

/* Validates args for org_id into req. GF_EINVALID naming the field: as_of (not a date
 * YYYY-MM-DD, or a year outside 1910..9998), scope (too long; an unknown team or rep is refused
 * by gf_svc_indicators_answer). GF_EUNAVAILABLE when the database is down, GF_ENOTFOUND for an
 * unknown org. */
int gf_svc_indicators_req_parse(int64_t org_id, const gf_svc_indicators_args *args,
                                gf_svc_indicators_req *req, gf_err *err) GF_MUST_CHECK;

/* The GET /v1/indicators document of req (openapi.yaml: Indicators): as_of, scope, the
 * detector's design and stated rates, and items (KPIs by key, then the pipeline's). An org with
 * no stages answers its KPIs alone. New reference, or NULL with err (GF_EINVALID on scope for a
 * malformed scope or a team or rep that is not the org's, GF_EUNAVAILABLE when the database is
 * down). */
json_t *gf_svc_indicators_answer(const gf_svc_indicators_req *req, gf_err *err) GF_MUST_CHECK;

#endif

/* service_funnel.h — the funnel of a scope over a window of days (GET /v1/funnel): per open
 * stage the stays that began in the window and where they went, conversion, time in stage,
 * where deals stall and which stages look superfluous or skipped; the closes into won and lost;
 * the window's new deals. For the API, the CLI and the tests; no model header.
 *
 * Only data dated strictly before to + 1 is read (the history contract), so a funnel to a past
 * day answers what the same request would have answered that evening. The figures are defined
 * in gapforge/model_funnel.h and openapi.yaml (FunnelStage). */
#ifndef GAPFORGE_SERVICE_FUNNEL_H
#define GAPFORGE_SERVICE_FUNNEL_H

#include <jansson.h>
#include <stdint.h>

#include "gapforge/err.h"

/* The window's length when the request names no `from`: from = to - 364 (365 days). */
#define GF_SVC_FUNNEL_DEFAULT_DAYS 365

/* A funnel's parameters as text, from a query string; NULL means "default". */
typedef struct gf_svc_funnel_args {
    const char *scope; /* "org", "team:KEY", "rep:KEY"; default org */
    const char *from;  /* YYYY-MM-DD; default to - 364 */
    const char *to;    /* YYYY-MM-DD; default today in the org's time zone */
} gf_svc_funnel_args;

/* A validated funnel request. */
typedef struct gf_svc_funnel_req {
    int64_t org_id;
    char scope[80];
    int from, to;           /* day numbers, from <= to */
    const char *request_id; /* for the log line; may be NULL */
} gf_svc_funnel_req;

/* Validates args for org_id into req (reading the org's today). GF_EINVALID naming the field:
 * from or to (not a date YYYY-MM-DD, or a year outside 1910..9998), from (after to), scope (too
 * long; an unknown team or rep is refused by gf_svc_funnel_answer). GF_EUNAVAILABLE when the
 * database is down, GF_ENOTFOUND for an unknown org. */
int gf_svc_funnel_req_parse(int64_t org_id, const gf_svc_funnel_args *args, gf_svc_funnel_req *req,
                            gf_err *err) GF_MUST_CHECK;

/* The GET /v1/funnel document of req: scope, from, to, the thresholds, stages (open stages in
 * funnel order, then won and lost) and totals. An org without deals answers zeros and nulls.
 * New reference, or NULL with err (GF_EINVALID on scope for a malformed scope or a team or rep
 * that is not the org's, GF_EUNAVAILABLE when the database is down). */
json_t *gf_svc_funnel_answer(const gf_svc_funnel_req *req, gf_err *err) GF_MUST_CHECK;

#endif

/* pipeline.c — GET /v1/pipeline/changes: the waterfall from the in-period open pipeline at one
 * day to the one at a later day. The handler checks and defaults the parameters; the buckets
 * are computed by the store (src/store/pipeline.c) and defined in openapi.yaml. */
#include <string.h>

#include "gapforge/api.h"
#include "gapforge/date.h"
#include "gapforge/store.h"

/* Parses the optional date parameter name into *day (def when absent); -1 with a 422. */
static int query_date(const gf_req *req, const char *name, int def, int *day, gf_err *err)
{
    const char *text = gf_req_query(req, name);
    *day = def;
    if (text && gf_date_parse(text, day) < 0)
        return gf_err_invalid(err, name, "%s must be a date YYYY-MM-DD", name);
    return 0;
}

/* Parses ?explain= (true/false, default false); -1 with a 422. */
static int query_explain(const gf_req *req, bool *explain, gf_err *err)
{
    const char *text = gf_req_query(req, "explain");
    *explain = text && strcmp(text, "true") == 0;
    if (text && !*explain && strcmp(text, "false") != 0)
        return gf_err_invalid(err, "explain", "explain must be true or false");
    return 0;
}

/* Checks every parameter and fills q (period is stored in *period). Returns 0 or -1 with err. */
static int parse_query(const gf_req *req, gf_period *period, gf_pipeline_query *q, gf_err *err)
{
    int fysm, today;
    const char *spec = gf_req_query(req, "period");
    const char *scope = gf_req_query(req, "scope");
    if (!spec)
        return gf_err_invalid(err, "period", "period is required");
    if (gf_api_period(req, spec, "period", period, err) < 0 ||
        gf_store_org_calendar(req->who.org_id, &fysm, &today, err) < 0 ||
        gf_store_scope_resolve(req->who.org_id, scope ? scope : "org", "scope", &q->scope, err) <
            0 ||
        query_date(req, "from", period->start, &q->from, err) < 0 ||
        query_date(req, "to", today < period->end ? today : period->end, &q->to, err) < 0 ||
        query_explain(req, &q->explain, err) < 0)
        return -1;
    if (q->to > period->end)
        return gf_err_invalid(err, "to", "to must not be after the period's end");
    if (q->from >= q->to)
        return gf_err_invalid(err, "from",
                              "from (default: the period's start) must be before to (default: "
                              "today or the period's end, whichever is earlier)");
    q->period = period;
    return 0;
}

void gf_api_pipeline_changes(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    gf_period period;
    gf_pipeline_query q = {0};
    json_t *out = NULL;
    if (parse_query(req, &period, &q, &err) == 0) {
        json_t *changes = gf_store_pipeline_changes(req->who.org_id, &q, &err);
        if (changes) {
            char start[11], end[11], from[11], to[11];
            const char *scope = gf_req_query(req, "scope");
            gf_date_format(period.start, start);
            gf_date_format(period.end, end);
            gf_date_format(q.from, from);
            gf_date_format(q.to, to);
            out = json_pack("{s:{s:s, s:s, s:s}, s:s, s:s, s:s}", "period", "name", period.name,
                            "start", start, "end", end, "scope", scope ? scope : "org", "from",
                            from, "to", to);
            if (!out || json_object_update(out, changes) < 0) {
                json_decref(out);
                out = NULL;
                gf_err_internal(&err);
            }
            json_decref(changes);
        }
    }
    gf_resp_result(resp, 200, out, &err);
}

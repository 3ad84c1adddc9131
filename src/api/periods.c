/* periods.c — GET /v1/periods and the period parameter every input endpoint shares. */
#include <stdlib.h>
#include <string.h>

#include "gapforge/api.h"
#include "gapforge/date.h"
#include "gapforge/store.h"

int gf_api_period(const gf_req *req, const char *spec, const char *field, gf_period *p, gf_err *err)
{
    int fysm, today;
    if (gf_store_org_calendar(req->who.org_id, &fysm, &today, err) < 0)
        return -1;
    if (gf_period_parse(spec, fysm, p) < 0)
        return gf_err_invalid(err, field,
                              "%s must be a fiscal quarter like 2026-Q4 or a range "
                              "YYYY-MM-DD..YYYY-MM-DD of at most three years",
                              field);
    return 0;
}

void gf_api_scoped_list(gf_req *req, gf_resp *resp, gf_api_scoped_list_fn fn)
{
    gf_err err = {0};
    int limit;
    int64_t after;
    gf_period period;
    json_t *page = NULL;
    const char *spec = gf_req_query(req, "period");
    if (gf_api_page_params(req, &limit, &after, &err) == 0 &&
        (!spec || gf_api_period(req, spec, "period", &period, &err) == 0))
        page = fn(req->who.org_id, gf_req_query(req, "scope"), spec ? &period : NULL, limit, after,
                  &err);
    gf_resp_result(resp, 200, page, &err);
}

int gf_api_query_int(const gf_req *req, const char *name, int min, int max, int def, int *out,
                     gf_err *err)
{
    const char *text = gf_req_query(req, name);
    *out = def;
    if (!text)
        return 0;
    char *end = NULL;
    long v = strtol(text, &end, 10);
    if (!*text || *end || v < min || v > max || strspn(text, "-0123456789") != strlen(text))
        return gf_err_invalid(err, name, "%s must be an integer from %d to %d", name, min, max);
    *out = (int)v;
    return 0;
}

/* {name, start, end, current} of quarter q. */
static json_t *period_json(const gf_period *q, int today)
{
    char s[11], e[11];
    gf_date_format(q->start, s);
    gf_date_format(q->end, e);
    return json_pack("{s:s, s:s, s:s, s:b}", "name", q->name, "start", s, "end", e, "current",
                     q->start <= today && today <= q->end);
}

/* "around" defaults to today in the org's time zone; "current" marks the quarter holding
 * today, whatever around is. */
void gf_api_periods_list(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    int fysm, today, around, before, after;
    gf_period mid;
    if (gf_store_org_calendar(req->who.org_id, &fysm, &today, &err) < 0 ||
        gf_api_query_int(req, "before", 0, 20, 4, &before, &err) < 0 ||
        gf_api_query_int(req, "after", 0, 20, 1, &after, &err) < 0)
        goto fail;
    const char *at = gf_req_query(req, "around");
    around = today;
    if (at && gf_date_parse(at, &around) < 0) {
        gf_err_invalid(&err, "around", "around must be a date YYYY-MM-DD");
        goto fail;
    }
    if (gf_period_quarter_of(around, fysm, &mid) < 0) {
        gf_err_invalid(&err, "around", "around is outside the supported years");
        goto fail;
    }
    json_t *items = json_array();
    for (int i = -before; i <= after; i++) {
        gf_period q;
        if (gf_period_quarter_add(&mid, i, fysm, &q) == 0)
            json_array_append_new(items, period_json(&q, today));
    }
    gf_resp_json(resp, 200, json_pack("{s:o}", "items", items));
    return;
fail:
    gf_resp_error(resp, &err);
}

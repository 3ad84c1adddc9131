/* accuracy.c — GET /v1/accuracy?scope=&periods=2026-Q1,2026-Q2 | &last=4: the query into the
 * service's arguments (the service checks the values), one service call, the ledger out. */
#include <stdlib.h>
#include <string.h>

#include "gapforge/api.h"
#include "gapforge/service_accuracy.h"
#include "gapforge/service_backtest.h"

void gf_api_accuracy_get(gf_req *req, gf_resp *resp)
{
    gf_err err = {0};
    gf_svc_accuracy_args args = {.scope = gf_req_query(req, "scope")};
    const char *periods = gf_req_query(req, "periods"), *last = gf_req_query(req, "last");
    char buf[GF_SVC_BACKTEST_MAX_PERIODS * 40];
    const char *names[GF_SVC_BACKTEST_MAX_PERIODS + 1];
    json_t *out = NULL;
    int bad = 0;
    if (periods) {
        if (strlen(periods) >= sizeof buf)
            bad = gf_err_invalid(&err, "periods", "at most %d periods, comma-separated",
                                 GF_SVC_BACKTEST_MAX_PERIODS);
        else {
            strcpy(buf, periods);
            for (char *save = NULL, *t = strtok_r(buf, ",", &save); t && !bad;
                 t = strtok_r(NULL, ",", &save)) {
                if (args.n_periods == GF_SVC_BACKTEST_MAX_PERIODS)
                    bad = gf_err_invalid(&err, "periods", "at most %d periods",
                                         GF_SVC_BACKTEST_MAX_PERIODS);
                else
                    names[args.n_periods++] = t;
            }
            if (!bad && !args.n_periods)
                bad = gf_err_invalid(&err, "periods", "name at least one period, like 2026-Q1");
            args.periods = names;
        }
    }
    if (!bad && last) {
        char *end = NULL;
        const long v = strtol(last, &end, 10);
        if (!*last || *end || v < 1 || v > GF_SVC_BACKTEST_MAX_PERIODS)
            bad = gf_err_invalid(&err, "last", "must be an integer from 1 to %d",
                                 GF_SVC_BACKTEST_MAX_PERIODS);
        args.has_last = true;
        args.last = v;
    }
    if (!bad)
        out = gf_svc_accuracy(req->who.org_id, &args, &err);
    gf_resp_result(resp, 200, out, &err);
}

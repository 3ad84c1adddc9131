/* forecast.c — `gapforge forecast`: the status-quo forecast of an org from the command line,
 * through the same service the API calls, printed as the GET /v1/forecast document. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gapforge/cli.h"
#include "gapforge/log.h"
#include "gapforge/service.h"
#include "gapforge/store.h"

static int usage(int code)
{
    printf("usage: gapforge forecast --org SLUG [--period 2026-Q4] [--scope org|team:KEY|rep:KEY]\n"
           "                         [--as-of YYYY-MM-DD] [--trials N] [--seed N] [--explain]\n\n"
           "Prints the status-quo forecast of the org as JSON (the document GET /v1/forecast\n"
           "answers), computed by the service directly against DATABASE_URL: no server needed.\n");
    return code;
}

int gf_cli_forecast(int argc, char **argv)
{
    if (gf_cli_wants_help(argc, argv))
        return usage(0);
    const char *slug = gf_cli_opt(argc, argv, "--org");
    if (!slug) {
        fprintf(stderr, "gapforge: --org is required\n");
        return usage(2);
    }
    int explain = 0;
    for (int i = 0; i < argc; i++)
        explain |= strcmp(argv[i], "--explain") == 0;
    gf_config cfg;
    if (gf_cli_setup(&cfg) < 0)
        return 1;
    gf_log_set_quiet(1);
    gf_err err = {0};
    int64_t org_id = 0;
    gf_svc_forecast_req req;
    json_t *doc = NULL;
    const gf_svc_forecast_args args = {
        .period = gf_cli_opt(argc, argv, "--period"),
        .scope = gf_cli_opt(argc, argv, "--scope"),
        .as_of = gf_cli_opt(argc, argv, "--as-of"),
        .trials = gf_cli_opt(argc, argv, "--trials"),
        .seed = gf_cli_opt(argc, argv, "--seed"),
        .explain = explain ? "true" : NULL,
    };
    if (gf_store_org_id(slug, &org_id, &err) == 0 &&
        gf_svc_forecast_req_parse(org_id, &args, &req, &err) == 0)
        doc = gf_svc_forecast_answer(&req, &err);
    gf_store_disconnect();
    if (!doc)
        return gf_cli_fail(&err);
    char *text = json_dumps(doc, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
    json_decref(doc);
    if (!text)
        return 1;
    puts(text);
    free(text);
    return 0;
}

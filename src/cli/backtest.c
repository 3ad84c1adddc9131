/* backtest.c — `gapforge backtest`: an org's backtest from the command line, through the same
 * service the API calls, printed as the result document of POST /v1/backtests. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gapforge/cli.h"
#include "gapforge/log.h"
#include "gapforge/service.h"
#include "gapforge/service_backtest.h"
#include "gapforge/store.h"

#define MAX_ITEMS 64

static int usage(int code)
{
    printf("usage: gapforge backtest --org SLUG [--scope org|team:KEY|rep:KEY]\n"
           "                         [--last N | --periods 2026-Q1,2026-Q2] [--offsets 0,30,60]\n"
           "                         [--trials N] [--seed N]\n\n"
           "Forecasts each period at each offset (days from its start) as GET /v1/forecast would\n"
           "have on that day, beside what was actually won, the weighted pipeline, the run rate\n"
           "and the latest commit, and prints the rows and their scores as JSON (the result of\n"
           "POST /v1/backtests), computed against DATABASE_URL: no server needed. Defaults: the\n"
           "4 most recent quarters that ended, offsets 0,30,60, 2000 trials.\n");
    return code;
}

/* A decimal integer option; 0, or -1 after printing the problem. */
static int int_opt(const char *name, const char *text, int64_t *out)
{
    char *end = NULL;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (!*text || *end || errno) {
        fprintf(stderr, "gapforge: %s must be an integer\n", name);
        return -1;
    }
    *out = (int64_t)v;
    return 0;
}

/* Splits a comma-separated list in place into items (at most MAX_ITEMS + 1, so that too many
 * reach the service, which names the limit). */
static size_t split(char *text, char **items)
{
    size_t n = 0;
    for (char *save = NULL, *t = strtok_r(text, ",", &save); t && n <= MAX_ITEMS;
         t = strtok_r(NULL, ",", &save))
        items[n++] = t;
    return n;
}

/* The service's arguments from the options; 0, or -1 after printing the problem. */
static int read_args(int argc, char **argv, gf_svc_backtest_args *a, char *periods[],
                     int64_t offsets[], char **copies)
{
    memset(a, 0, sizeof *a);
    a->scope = gf_cli_opt(argc, argv, "--scope");
    const char *p = gf_cli_opt(argc, argv, "--periods"), *o = gf_cli_opt(argc, argv, "--offsets");
    const char *last = gf_cli_opt(argc, argv, "--last"), *t = gf_cli_opt(argc, argv, "--trials");
    const char *s = gf_cli_opt(argc, argv, "--seed");
    if (p) {
        copies[0] = strdup(p);
        if (!copies[0])
            return -1;
        a->n_periods = split(copies[0], periods);
        a->periods = (const char *const *)periods;
    }
    if (o) {
        char *items[MAX_ITEMS + 1];
        copies[1] = strdup(o);
        if (!copies[1])
            return -1;
        a->n_offsets = split(copies[1], items);
        for (size_t k = 0; k < a->n_offsets; k++)
            if (int_opt("--offsets", items[k], &offsets[k]) < 0)
                return -1;
        a->offsets = offsets;
    }
    a->has_last = last != NULL;
    a->has_trials = t != NULL;
    a->has_seed = s != NULL;
    if ((last && int_opt("--last", last, &a->last) < 0) ||
        (t && int_opt("--trials", t, &a->trials) < 0) || (s && int_opt("--seed", s, &a->seed) < 0))
        return -1;
    return 0;
}

int gf_cli_backtest(int argc, char **argv)
{
    if (gf_cli_wants_help(argc, argv))
        return usage(0);
    const char *slug = gf_cli_opt(argc, argv, "--org");
    if (!slug) {
        fprintf(stderr, "gapforge: --org is required\n");
        return usage(2);
    }
    gf_svc_backtest_args args;
    char *periods[MAX_ITEMS + 1], *copies[2] = {NULL, NULL};
    int64_t offsets[MAX_ITEMS + 1];
    if (read_args(argc, argv, &args, periods, offsets, copies) < 0) {
        free(copies[0]);
        free(copies[1]);
        return 2;
    }
    gf_config cfg;
    if (gf_cli_setup(&cfg) < 0)
        return 1;
    gf_svc_options svc;
    gf_svc_options_default(&svc);
    svc.backtest_budget_ms = cfg.backtest_budget_ms;
    gf_svc_configure(&svc);
    gf_log_set_quiet(1);
    gf_err err = {0};
    int64_t org_id = 0;
    gf_svc_backtest_req req;
    json_t *doc = NULL;
    if (gf_store_org_id(slug, &org_id, &err) == 0 &&
        gf_svc_backtest_req_parse(org_id, &args, &req, &err) == 0)
        doc = gf_svc_backtest_answer(&req, &err);
    gf_store_disconnect();
    free(copies[0]);
    free(copies[1]);
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

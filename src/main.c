/* main.c — the gapforge binary: one executable, a table of subcommands. */
#include <stdio.h>
#include <string.h>

#include "gapforge/cli.h"

typedef struct subcommand {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} subcommand;

static const subcommand commands[] = {
    {"serve", gf_cli_serve, "run the HTTP/JSON service"},
    {"migrate", gf_cli_migrate, "apply pending database migrations"},
    {"orgs", gf_cli_orgs, "manage orgs: orgs create --slug S --name N"},
    {"keys", gf_cli_keys, "manage API keys: keys create --org SLUG --name N --scopes read,write"},
    {"demo", gf_cli_demo, "load a demo org: demo --org SLUG --seed N"},
    {"forecast", gf_cli_forecast, "print an org's forecast: forecast --org SLUG [--period P]"},
    {"backtest", gf_cli_backtest, "backtest an org's forecasts: backtest --org SLUG [--last N]"},
};

static void usage(FILE *out)
{
    fprintf(out,
            "gapforge %s — forecast the miss, forge the fix\n\n"
            "usage: gapforge <command> [options]   (gapforge <command> --help)\n\n"
            "commands:\n",
            GF_VERSION);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nconfiguration comes from the environment: DATABASE_URL, GAPFORGE_LISTEN, "
                 "GAPFORGE_THREADS,\nGAPFORGE_ADMIN_TOKEN, GAPFORGE_MAX_BODY (see README.md).\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("gapforge %s\n", GF_VERSION);
        return 0;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 2, argv + 2);
    fprintf(stderr, "gapforge: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return 2;
}

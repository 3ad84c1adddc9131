/* common.c — option parsing and set-up shared by the subcommands. */
#include <stdio.h>
#include <string.h>

#include "gapforge/cli.h"
#include "gapforge/store.h"

const char *gf_cli_opt(int argc, char **argv, const char *name)
{
    size_t n = strlen(name);
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], name) == 0 && i + 1 < argc)
            return argv[i + 1];
        if (strncmp(argv[i], name, n) == 0 && argv[i][n] == '=')
            return argv[i] + n + 1;
    }
    return NULL;
}

int gf_cli_wants_help(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return 1;
    return 0;
}

int gf_cli_setup(gf_config *cfg)
{
    gf_err err = {0};
    if (gf_config_from_env(cfg, &err) < 0) {
        fprintf(stderr, "gapforge: %s\n", err.message);
        return -1;
    }
    gf_store_configure(cfg->database_url, cfg->statement_timeout_ms);
    gf_store_configure_pgbouncer(cfg->pgbouncer != 0);
    return 0;
}

int gf_cli_fail(const gf_err *err)
{
    fprintf(stderr, "gapforge: %s%s%s\n", err->message, err->field[0] ? " — field " : "",
            err->field);
    return 1;
}

/* cli.h — the subcommands of the gapforge binary. Each takes argc/argv after the subcommand
 * name and returns a process exit code (0 success, 1 failure, 2 usage error). */
#ifndef GAPFORGE_CLI_H
#define GAPFORGE_CLI_H

#include "gapforge/config.h"

int gf_cli_serve(int argc, char **argv);
int gf_cli_migrate(int argc, char **argv);
int gf_cli_orgs(int argc, char **argv);
int gf_cli_keys(int argc, char **argv);
int gf_cli_demo(int argc, char **argv);
int gf_cli_forecast(int argc, char **argv);
int gf_cli_backtest(int argc, char **argv);

/* Reads --name VALUE pairs: returns the value of --name in argv, or NULL. */
const char *gf_cli_opt(int argc, char **argv, const char *name);
/* True when argv holds -h or --help. */
int gf_cli_wants_help(int argc, char **argv);
/* Prints err as "gapforge: message — field F" on stderr; returns 1 (the exit code). */
int gf_cli_fail(const gf_err *err);
/* Reads the configuration and connects the database layer; prints the problem and returns -1
 * on failure. */
int gf_cli_setup(gf_config *cfg);

#endif

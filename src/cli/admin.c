/* admin.c — the administrative subcommands: migrate, orgs create, keys create. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gapforge/cli.h"
#include "gapforge/log.h"
#include "gapforge/migrate.h"
#include "gapforge/store.h"
#include "gapforge/validate.h"

int gf_cli_migrate(int argc, char **argv)
{
    if (gf_cli_wants_help(argc, argv)) {
        printf(
            "usage: gapforge migrate\n\nApplies every pending migration from GAPFORGE_MIGRATIONS "
            "(default ./migrations,\nthen /usr/share/gapforge/migrations) to DATABASE_URL, each "
            "in its own transaction.\nRe-running is a no-op; a database holding a migration "
            "this build does not know is refused.\n");
        return 0;
    }
    gf_config cfg;
    if (gf_cli_setup(&cfg) < 0)
        return 1;
    gf_log_set_quiet(1);
    gf_err err = {0};
    int n = gf_migrate_apply(cfg.migrations_dir, stdout, &err);
    gf_store_disconnect();
    if (n < 0)
        return gf_cli_fail(&err);
    printf("%d migration%s applied; schema is current\n", n, n == 1 ? "" : "s");
    return 0;
}

int gf_cli_orgs(int argc, char **argv)
{
    if (argc < 1 || strcmp(argv[0], "create") != 0 || gf_cli_wants_help(argc, argv)) {
        printf("usage: gapforge orgs create --slug SLUG --name NAME [--currency EUR]\n"
               "                            [--fiscal-year-start-month 1..12] [--time-zone TZ]\n\n"
               "Creates an org and prints it as JSON.\n");
        return gf_cli_wants_help(argc, argv) ? 0 : 2;
    }
    gf_org_fields f = {gf_cli_opt(argc, argv, "--slug"), gf_cli_opt(argc, argv, "--name"),
                       gf_cli_opt(argc, argv, "--currency"),
                       gf_cli_opt(argc, argv, "--fiscal-year-start-month"),
                       gf_cli_opt(argc, argv, "--time-zone")};
    gf_err err = {0};
    if (!f.slug || !f.name) {
        fprintf(stderr, "gapforge: --slug and --name are required\n");
        return 2;
    }
    if (gf_validate_text("slug", GF_F_SLUG, f.slug, &err) < 0 ||
        gf_validate_text("name", GF_F_TEXT, f.name, &err) < 0 ||
        (f.currency && gf_validate_text("currency", GF_F_CURRENCY, f.currency, &err) < 0))
        return gf_cli_fail(&err);
    gf_config cfg;
    if (gf_cli_setup(&cfg) < 0)
        return 1;
    gf_log_set_quiet(1);
    int64_t id = 0;
    json_t *org = gf_store_org_create(&f, &id, &err);
    gf_store_disconnect();
    if (!org)
        return gf_cli_fail(&err);
    char *text = json_dumps(org, JSON_INDENT(2));
    printf("%s\n", text);
    free(text);
    json_decref(org);
    return 0;
}

int gf_cli_keys(int argc, char **argv)
{
    if (argc < 1 || strcmp(argv[0], "create") != 0 || gf_cli_wants_help(argc, argv)) {
        printf("usage: gapforge keys create --org SLUG --name NAME --scopes read,write,admin\n\n"
               "Creates an API key for the org. The secret is printed once, alone on the last "
               "line.\n");
        return gf_cli_wants_help(argc, argv) ? 0 : 2;
    }
    const char *slug = gf_cli_opt(argc, argv, "--org");
    const char *name = gf_cli_opt(argc, argv, "--name");
    const char *scopes = gf_cli_opt(argc, argv, "--scopes");
    if (!slug || !name || !scopes) {
        fprintf(stderr, "gapforge: --org, --name and --scopes are required\n");
        return 2;
    }
    gf_config cfg;
    if (gf_cli_setup(&cfg) < 0)
        return 1;
    gf_log_set_quiet(1);
    gf_err err = {0};
    int64_t org_id = 0;
    json_t *key = NULL;
    if (gf_store_org_id(slug, &org_id, &err) == 0)
        key = gf_store_key_create(org_id, name, scopes, &err);
    gf_store_disconnect();
    if (!key)
        return gf_cli_fail(&err);
    fprintf(stderr,
            "created key %s (id %lld, scopes %s) for org %s; the secret follows, "
            "shown only now:\n",
            json_string_value(json_object_get(key, "prefix")),
            (long long)json_integer_value(json_object_get(key, "id")), scopes, slug);
    printf("%s\n", json_string_value(json_object_get(key, "secret")));
    json_decref(key);
    return 0;
}

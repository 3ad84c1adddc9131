/* migrate.h — numbered SQL migrations (`NNNN_name.sql`), applied in order, each in its own
 * transaction, recorded in schema_migrations. */
#ifndef GAPFORGE_MIGRATE_H
#define GAPFORGE_MIGRATE_H

#include <stdio.h>

#include "gapforge/err.h"

typedef struct gf_migration_status {
    int latest_on_disk; /* highest version found in the folder */
    int latest_applied; /* highest version recorded in the database (0: none) */
    int pending;        /* versions on disk not yet applied */
    int unknown;        /* versions applied that are not on disk (a newer binary ran) */
    char first_pending[128];
    char first_unknown[32];
} gf_migration_status;

/* Compares the folder with the database. Returns 0, or -1 with err (unreadable folder,
 * database unavailable). */
int gf_migrate_status(const char *dir, gf_migration_status *st, gf_err *err) GF_MUST_CHECK;

/* Applies every pending migration in order, writing one line per migration to out (may be
 * NULL). Refuses (conflict) when the database holds a migration unknown to this folder. Safe to run
 * concurrently: an advisory lock serialises migrators. Returns the number applied, or -1. */
int gf_migrate_apply(const char *dir, FILE *out, gf_err *err) GF_MUST_CHECK;

#endif

/* import_deals.h — inside the deals import: its columns, and what the merge (import_deals.c)
 * needs of the stager that resolves rows in C as they arrive (import_deals_stage.c). */
#ifndef GAPFORGE_IMPORT_DEALS_H
#define GAPFORGE_IMPORT_DEALS_H

#include "gapforge/import.h"

/* The file's columns, in the order of gf_import_deals.columns. */
enum {
    C_EXTERNAL_ID,
    C_NAME,
    C_ACCOUNT,
    C_OWNER,
    C_AMOUNT,
    C_STAGE,
    C_CATEGORY,
    C_SOURCE,
    C_CREATED_ON,
    C_CLOSE_DATE,
    C_CLOSED_ON
};

/* Stages the rows in import_rows, typed: see import_deals_stage.c. */
extern const gf_import_stager gf_deals_stager;

/* How many staged cells of each column the stager left for SQL to resolve. */
typedef struct gf_deals_unresolved {
    long owners, stages, categories, sources;
} gf_deals_unresolved;

/* The counts of the stager's state (zeros when nothing was staged). */
gf_deals_unresolved gf_deals_stage_unresolved(const void *state);

#endif

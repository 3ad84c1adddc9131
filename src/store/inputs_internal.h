/* inputs_internal.h — helpers shared by the input stores (targets, commits, KPIs, levers). */
#ifndef GAPFORGE_STORE_INPUTS_INTERNAL_H
#define GAPFORGE_STORE_INPUTS_INTERNAL_H

#include "db.h"
#include "gapforge/period.h"
#include "gapforge/store.h"

/* Appends two parameters to a: the period's first and last day as "YYYY-MM-DD", or two SQL
 * NULLs when p is NULL (the statement then ignores the period). */
void gf_store__arg_period(gf_db_args *a, const gf_period *p);

/* Appends two parameters to a: the team id and the rep id of a resolved scope, each SQL NULL
 * when the scope names none. */
void gf_store__arg_scope_ids(gf_db_args *a, const gf_scope_ids *ids);

#endif

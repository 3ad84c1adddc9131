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

/* The page after cursor `after` of stmt's rows (json, id) for $1 org_id, $2 scope (NULL: any),
 * $3 $4 the period's days (NULL: any) and $5 after, the scope first resolved (not found or
 * invalid naming "scope"). Returns the page as gf_db_list does, or NULL with err. */
json_t *gf_store__scoped_page(const gf_stmt *stmt, int64_t org_id, const char *scope,
                              const gf_period *period, int limit, int64_t after, gf_err *err)
    GF_MUST_CHECK;

/* Ids as a PostgreSQL bigint[] literal "{1,2,3}": a new string (free it), NULL when memory runs
 * out. */
char *gf_store__id_array(const int64_t *ids, size_t n);

/* The first (which 0) or last (which 1) days of periods as a date[] literal
 * "{2025-01-01,...}" into out (cap at least 3 + 11 per period). */
void gf_store__date_array(const gf_period *periods, size_t n, int which, char *out, size_t cap);

#endif

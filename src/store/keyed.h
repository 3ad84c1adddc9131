/* keyed.h — (private to the store) the shapes that every table of keyed, org-owned rows shares
 * (alert rules, levers, KPIs, keys, teams): an upsert that says whether it created the row, one
 * row by its key, a page of rows after a cursor, and a delete by key. Each statement takes the
 * parameters named below, in that order, and answers as gf_db_one_json and gf_db_list describe. */
#ifndef GAPFORGE_STORE_KEYED_H
#define GAPFORGE_STORE_KEYED_H

#include <jansson.h>
#include <stdint.h>

#include "db.h"

/* Runs the upsert stmt with args; its row is (created?, json). Returns the row's JSON (a new
 * reference) and, when created is not NULL, sets *created to 1 for a new row and 0 for an
 * updated one; NULL with err (not found naming what when there is no row). */
json_t *gf_store__upsert(const gf_stmt *stmt, const gf_db_args *args, const char *what,
                         int *created, gf_err *err) GF_MUST_CHECK;

/* Runs stmt ($1 org_id, $2 key; its row is (json)) and returns the row's JSON (a new reference),
 * or NULL with err: not found naming what when the org has no row of that key. */
json_t *gf_store__by_key(const gf_stmt *stmt, int64_t org_id, const char *key, const char *what,
                         gf_err *err) GF_MUST_CHECK;

/* Runs the page stmt ($1 org_id, $2 the cursor `after`; its rows are (json, id)) and returns
 * the page {items, next_cursor} as gf_db_list does, or NULL with err. */
json_t *gf_store__page(const gf_stmt *stmt, int64_t org_id, int limit, int64_t after, gf_err *err)
    GF_MUST_CHECK;

/* Runs the delete stmt ($1 org_id, $2 key; a row for each row deleted). Returns 0, or a negative
 * gf_errcode with err: not found naming what when the org has no row of that key. */
int gf_store__delete_by_key(const gf_stmt *stmt, int64_t org_id, const char *key, const char *what,
                            gf_err *err) GF_MUST_CHECK;

#endif

/* csv_table.h — one table of a JSON answer as CSV for spreadsheets (RFC 4180: a header row,
 * CRLF line ends, fields quoted when they hold a comma, a quote or a line break).
 *
 * The table is found by a path of member names separated by dots; a `*` segment walks each
 * element of an array and puts its scalar members in front of every row found below it
 * ("periods.*.weeks": one row per week, led by its period's name, dates and actual).
 * Alternatives are separated by `|` (the first that exists: "deals|buckets"). A table is an
 * array of objects, or an object of objects (one row per member, its name in column `key`).
 * Nested objects are flattened into dotted columns ("model.value"), arrays are written as
 * JSON text, null as an empty field. The header is every column in the order first seen.
 * No cell can run as a formula: a text cell starting with =, +, -, @, a tab or a carriage
 * return is prefixed with ' and quoted (numbers stay numbers). */
#ifndef GAPFORGE_CSV_TABLE_H
#define GAPFORGE_CSV_TABLE_H

#include <jansson.h>
#include <stddef.h>

/* Writes the table of doc at path as CSV into *out (malloc'd, NUL-terminated, *len bytes).
 * Returns 0, 1 when the path finds no table (nothing written), or -1 on allocation failure. */
int gf_csv_table(const json_t *doc, const char *path, char **out, size_t *len);

/* A table written in pages (a streamed list): begin writes the header and the first page's rows
 * and gives the columns (*cols, a new array of names) that every later page is written with —
 * a column first seen on a later page is left out, one missing there is an empty field.
 * gf_csv_table_rows writes a later page's rows. Both return as gf_csv_table does (*cols is set
 * only on 0). */
int gf_csv_table_begin(const json_t *doc, const char *path, json_t **cols, char **out, size_t *len);
int gf_csv_table_rows(const json_t *doc, const char *path, const json_t *cols, char **out,
                      size_t *len);

#endif

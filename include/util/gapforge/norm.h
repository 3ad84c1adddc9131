/* norm.h — the bulk import's normalisation of a date, a forecast category and a deal source, in
 * C, as rows stream in: the same answers as the SQL functions gf_norm_date, gf_norm_category and
 * gf_norm_source (migrations/0005_import.sql), which stay the reference.
 *
 * Also gf_key_of and lower(), for matching reps and stages. Each function takes a cell already
 * trimmed of spaces (as btrim trims) and not empty. A date is decided for every input; the rest
 * only for ASCII text, where lower()
 * is the same in every locale but a Turkish one (the caller checks the database's lower('I'));
 * for other text the answer is GF_NORM_UNDECIDED and the caller asks SQL. Pure functions. */
#ifndef GAPFORGE_NORM_H
#define GAPFORGE_NORM_H

#include <stdbool.h>
#include <stddef.h>

/* True and out = "YYYY-MM-DD" when s[0..n) is a date as gf_norm_date reads one: "YYYY-MM-DD"
 * (a year from 1900 to 9999, a day that exists) alone or followed by 'T' or ' ' and anything
 * (a timestamp, as Salesforce exports CreatedDate). False for anything else. */
bool gf_norm_date(const char *s, size_t n, char out[11]);

typedef enum gf_norm_answer {
    GF_NORM_NONE = 0,      /* decided: no value (an unknown category) */
    GF_NORM_VALUE = 1,     /* decided: *out is the value, a static string */
    GF_NORM_UNDECIDED = 2, /* not ASCII: ask SQL */
} gf_norm_answer;

/* pipeline, best_case, commit or omitted from ours or a CRM's spelling ("Best Case", "Closed"). */
gf_norm_answer gf_norm_category(const char *s, size_t n, const char **out);

/* marketing, sales, partner or other from ours or a CRM's lead source ("Web", "Partner
 * Referral"); never GF_NORM_NONE. */
gf_norm_answer gf_norm_source(const char *s, size_t n, const char **out);

/* gf_key_of: lower(s), each run of characters other than a-z 0-9 _ . : - made one '_', the '_'
 * at both ends dropped, the first 64 characters kept ("Ada Lovelace" -> ada_lovelace), into
 * buf (cap >= 65). GF_NORM_UNDECIDED for text that is not ASCII. */
gf_norm_answer gf_norm_key(const char *s, size_t n, char *buf, size_t cap);

/* lower(s) of ASCII s into buf (cap > n); GF_NORM_UNDECIDED for text that is not ASCII or does
 * not fit. */
gf_norm_answer gf_norm_lower(const char *s, size_t n, char *buf, size_t cap);

#endif

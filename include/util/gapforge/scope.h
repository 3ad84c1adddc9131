/* scope.h — the scope strings that forecasts, roll-ups, funnels and backtests take: "org",
 * "team:KEY" or "rep:KEY", KEY 1 to GF_SCOPE_MAX_KEY bytes (pure: no I/O, no allocation). */
#ifndef GAPFORGE_SCOPE_H
#define GAPFORGE_SCOPE_H

#include "gapforge/err.h"

#define GF_SCOPE_MAX_KEY 64

/* What a scope names. */
typedef enum gf_scope_of {
    GF_SCOPE_OF_ORG,
    GF_SCOPE_OF_TEAM,
    GF_SCOPE_OF_REP,
} gf_scope_of;

/* Reads text into *of and *key (a pointer into text after the colon; NULL for the org).
 * Returns 0, or -1 for anything else, NULL included (outputs untouched). */
int gf_scope_parse(const char *text, gf_scope_of *of, const char **key) GF_MUST_CHECK;

#endif

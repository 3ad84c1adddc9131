/* inputs_internal.h — helpers shared by the input stores (targets, commits, KPIs, levers). */
#ifndef GAPFORGE_STORE_INPUTS_INTERNAL_H
#define GAPFORGE_STORE_INPUTS_INTERNAL_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdint.h>

#include "gapforge/period.h"

/* Period dates as "YYYY-MM-DD" for SQL parameters (both empty when p is NULL). */
typedef struct gf_period_text {
    char start[11], end[11];
} gf_period_text;
void gf_store__inputs_period_text(const gf_period *p, gf_period_text *out);

#endif

/* period.h — fiscal quarters and explicit date ranges (pure: no I/O, no allocation).
 *
 * A fiscal year starts on the first day of the org's fiscal year start month (1..12) and is
 * named by the calendar year in which it starts: with an April start, 2026-Q1 is 2026-04-01..
 * 2026-06-30 and 2026-Q4 is 2027-01-01..2027-03-31. Days are day numbers from date.h. A period
 * spec is either a quarter name "YYYY-Qn" or an explicit inclusive range
 * "YYYY-MM-DD..YYYY-MM-DD" (start <= end, at most GF_PERIOD_MAX_DAYS days long). */
#ifndef GAPFORGE_PERIOD_H
#define GAPFORGE_PERIOD_H

#include "gapforge/err.h"

/* The longest explicit range accepted: three years of 365 days plus one leap day. */
#define GF_PERIOD_MAX_DAYS 1096

/* Fiscal years accepted in quarter names (dates outside 1900..9999 cannot be written). */
#define GF_PERIOD_MIN_YEAR 1900
#define GF_PERIOD_MAX_YEAR 9998

typedef struct gf_period {
    int start;     /* first day (inclusive) */
    int end;       /* last day (inclusive) */
    int fy;        /* fiscal year for a quarter, 0 for an explicit range */
    int quarter;   /* 1..4 for a quarter, 0 for an explicit range */
    char name[32]; /* canonical name: "2026-Q4" or "2026-10-01..2026-12-31" */
} gf_period;

/* Fills out with fiscal quarter q (1..4) of fiscal year fy for an org whose fiscal year starts
 * in month fysm. Returns 0, or -1 when fysm, q or fy is out of range (out untouched). */
int gf_period_quarter(int fy, int q, int fysm, gf_period *out) GF_MUST_CHECK;

/* Fills out with the fiscal quarter that contains day. Returns 0, or -1 when fysm is not 1..12
 * or the quarter's fiscal year is outside GF_PERIOD_MIN_YEAR..GF_PERIOD_MAX_YEAR. */
int gf_period_quarter_of(int day, int fysm, gf_period *out) GF_MUST_CHECK;

/* Fills out with the quarter n quarters after q (n may be negative); q must be a quarter.
 * Returns 0, or -1 when the result is out of range or q is not a quarter. */
int gf_period_quarter_add(const gf_period *q, int n, int fysm, gf_period *out) GF_MUST_CHECK;

/* Parses exactly "YYYY-Qn" (n 1..4) into the fiscal quarter. Returns 0, or -1 for anything
 * else (out untouched). */
int gf_period_by_name(const char *name, int fysm, gf_period *out) GF_MUST_CHECK;

/* Parses a period spec: a quarter name or "YYYY-MM-DD..YYYY-MM-DD" with real dates, start <=
 * end and at most GF_PERIOD_MAX_DAYS days. A range's canonical name is the range itself (two
 * ranges name the same period exactly when their days agree). Returns 0, or -1 for anything
 * else (out untouched). */
int gf_period_parse(const char *spec, int fysm, gf_period *out) GF_MUST_CHECK;

#endif

/* gapforge model: the plain types shared by the pure forecasting library (no I/O, no globals). */
#ifndef GAPFORGE_MODEL_H
#define GAPFORGE_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "gapforge/date.h"
#include "gapforge/err.h" /* GF_MUST_CHECK, the one warn-unused macro */

/* Every fallible model function returns 0 or one of these negative codes. */
enum gf_model_err {
    GF_MODEL_OK = 0,
    GF_MODEL_EINVAL = -1, /* an argument or the history it describes is malformed */
    GF_MODEL_ENOMEM = -2, /* an allocation failed; nothing was leaked */
};

/* A static English description of a gf_model_err code; never NULL. */
const char *gf_model_strerror(int err);

/* Dates are day numbers: days since 1970-01-01 (proleptic Gregorian calendar), converted to and
 * from calendar dates by util's gf_date_from_ymd and gf_date_to_ymd (gapforge/date.h). */
typedef int32_t gf_day;
#define GF_MODEL_NO_DAY INT32_MIN

/* Stage kinds, as in the stages table. */
enum gf_model_stage_kind {
    GF_MODEL_STAGE_OPEN = 0,
    GF_MODEL_STAGE_WON = 1,
    GF_MODEL_STAGE_LOST = 2,
};

/* One sales stage. Its index in the stage array is its position: a move to a higher index among
 * open stages is an advance, to a lower one a regression. */
typedef struct gf_model_stage {
    int kind;            /* enum gf_model_stage_kind */
    double default_prob; /* the org's stated P(eventually won | in this stage), in [0, 1] */
} gf_model_stage;

/* A stage change: from `day` on, the deal is in stage `stage` (an index into the stage array). */
typedef struct gf_model_transition {
    gf_day day;
    int32_t stage;
} gf_model_transition;

/* A dated value change: from `day` on, the field holds `value` (cents, or a day number). */
typedef struct gf_model_change {
    gf_day day;
    int64_t value;
} gf_model_change;

/* One deal and its full history, borrowed from the caller. Arrays are ordered by day (ties keep
 * their order). The first transition is the stage the deal was created in; a transition into a
 * won or lost stage closes the deal (a later move back to an open stage reopens it). */
typedef struct gf_model_deal {
    int64_t id;
    int64_t amount_cents; /* the amount when created (or the only amount known) */
    gf_day created_day;
    const gf_model_transition *timeline;
    size_t n_timeline;
    const gf_model_change *amounts; /* later amount changes, value in cents; may be NULL */
    size_t n_amounts;
    /* Expected close date as set on day (value: a day number); may be NULL. */
    const gf_model_change *close_dates;
    size_t n_close_dates;
} gf_model_deal;

/* The org's history as the model sees it: deals plus the ordered stage table, both borrowed. */
typedef struct gf_model_history {
    const gf_model_deal *deals;
    size_t n_deals;
    const gf_model_stage *stages;
    size_t n_stages;
} gf_model_history;

/* An inclusive day range, e.g. a fiscal quarter [start, end]. */
typedef struct gf_model_period {
    gf_day start;
    gf_day end;
} gf_model_period;

/* The fiscal quarters, ordered and non-overlapping, computed by the caller (fiscal-year logic
 * stays outside the model). Borrowed. */
typedef struct gf_model_calendar {
    const gf_model_period *quarters;
    size_t n;
} gf_model_calendar;

/* What was known about a deal at the start of a day t: only data dated before t counts. */
typedef struct gf_model_deal_state {
    int exists;           /* 0 when the deal was created on/after t or had no stage before t */
    int32_t stage;        /* current stage index */
    int kind;             /* kind of that stage */
    gf_day entered_day;   /* day the current stage was entered (age in stage = t - entered_day) */
    gf_day closed_day;    /* for won/lost: the day it closed; else GF_MODEL_NO_DAY */
    int64_t amount_cents; /* amount in force */
    gf_day close_date;    /* expected close date in force, or GF_MODEL_NO_DAY */
    int32_t pushes;       /* how many times the close date was moved later before t */
} gf_model_deal_state;

/* Checks the stage table (kinds, probabilities in [0, 1], at least one open stage) and every
 * deal (stage indices in range, arrays ordered by day, non-negative amounts). Returns 0 or
 * GF_MODEL_EINVAL; on failure *bad_deal (if not NULL) is the offending deal index or SIZE_MAX
 * for the stage table. */
int gf_model_history_validate(const gf_model_history *h, size_t *bad_deal) GF_MUST_CHECK;

/* The state of deal `i` at the start of day t, from its data dated strictly before t. Assumes a
 * validated history; never fails. */
void gf_model_deal_state_at(const gf_model_history *h, size_t i, gf_day t,
                            gf_model_deal_state *out);

/* The first day of the org's data known before day t: the earliest creation or stage change of
 * any deal dated before t, or GF_MODEL_NO_DAY. A young org's earlier quarters are not quarters
 * with no deals: replays that reach back before this day see a truncated history. */
gf_day gf_model_history_first_day(const gf_model_history *h, gf_day t);

/* The amount of a deal in force at the start of day t (its creation amount if no change before t).
 */
int64_t gf_model_deal_amount_at(const gf_model_deal *d, gf_day t);

/* The index of the calendar quarter containing day, or -1. O(log n). */
long gf_model_calendar_find(const gf_model_calendar *cal, gf_day day) GF_MUST_CHECK;

#endif

/* gapforge model: the funnel over a window of days -- per open stage, the stays that began in the
 * window and where they went, time in stage, where deals stall and which stages look superfluous
 * or skipped; per terminal stage, the closes; and the window's cohort of new deals. */
#ifndef GAPFORGE_MODEL_FUNNEL_H
#define GAPFORGE_MODEL_FUNNEL_H

#include "gapforge/model.h"

/* The thresholds of the two flags. */
typedef struct gf_model_funnel_opts {
    double nearly_all;   /* converts_nearly_all: advanced / left at or above this (0.95) */
    double skip_share;   /* often_skipped: skipped / reached_later at or above this (0.30) */
    uint32_t min_flag_n; /* neither flag is raised on fewer deals than this (20) */
} gf_model_funnel_opts;

/* The defaults above. */
void gf_model_funnel_opts_default(gf_model_funnel_opts *o);

/* One stage of the funnel over [from, to], from data dated strictly before to + 1.
 *
 * Open stages. A stay is one uninterrupted spell of a deal in the stage (a deal that moves back
 * and returns has two). The cohort is the stays that began in [from, to]; each ends in exactly
 * one way by the end of `to`, so
 *     entered = advanced + lost + moved_back + still_open
 * where advanced counts moves to a later open stage or straight to won (won counts the latter
 * alone, so won <= advanced), lost moves straight to lost and moved_back moves to an earlier open
 * stage. Conversion is advanced / entered (NAN when entered is 0).
 * Time in stage: the days from entry to exit of the stays that ended (any way) in [from, to],
 * wherever they began; median and P90 interpolate linearly between order statistics (for sorted
 * x[0..n-1], q(p) = x[j] + f (x[j+1] - x[j]) with j + f = p (n - 1)); NAN when n_time is 0.
 * Stall: of the deals in the stage at the end of `to` (open_at_to, wherever they entered), those
 * whose age in stage (to - entry day) exceeds the P90 (stalled); share NAN without a P90 or open
 * deals.
 * Skips: reached_later counts the deals that entered a later open stage or won in [from, to];
 * skipped those of them that never entered this stage before to + 1.
 * Flags: converts_nearly_all when left = entered - still_open >= min_flag_n and advanced / left
 * >= nearly_all; often_skipped when reached_later >= min_flag_n and skipped / reached_later >=
 * skip_share.
 *
 * Won and lost stages: entered counts the moves into them dated in [from, to] (closes); every
 * other field is 0 or NAN. */
typedef struct gf_model_funnel_stage {
    uint32_t entered, advanced, won, lost, moved_back, still_open;
    double conversion; /* advanced / entered */
    uint32_t n_time;   /* stays that ended in the window */
    double median_days, p90_days;
    uint32_t open_at_to, stalled;
    double stalled_share;
    uint32_t reached_later, skipped;
    double skipped_share; /* skipped / reached_later; NAN when reached_later is 0 */
    int converts_nearly_all, often_skipped;
} gf_model_funnel_stage;

/* The whole funnel: the deals created in [from, to] and their state at the end of `to`
 * (created = won + lost + open); win_rate = won / (won + lost), NAN when none closed. */
typedef struct gf_model_funnel_totals {
    uint32_t created, won, lost, open;
    double win_rate;
} gf_model_funnel_totals;

/* Computes the funnel of the deals in scope (scope[i] non-zero; NULL: every deal) over [from, to]
 * from data dated strictly before to + 1, into stages (h->n_stages entries, indexed like the
 * stage table) and totals. Every figure is zero or NAN for a history without deals. Returns 0,
 * GF_MODEL_EINVAL (from > to, a malformed history) or GF_MODEL_ENOMEM; the outputs are then
 * unspecified. */
int gf_model_funnel_compute(const gf_model_history *h, const uint8_t *scope, gf_day from, gf_day to,
                            const gf_model_funnel_opts *opts, gf_model_funnel_stage *stages,
                            gf_model_funnel_totals *totals) GF_MUST_CHECK;

#endif

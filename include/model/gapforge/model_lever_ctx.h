/* gapforge model: what a lever context takes from history and the forecast -- the amount pool and
 * bookings per rep-day that headcount and added deals use, next period's commit deals that
 * pull_forward pulls in, and the order in which a concession lever takes open deals. */
#ifndef GAPFORGE_MODEL_LEVER_CTX_H
#define GAPFORGE_MODEL_LEVER_CTX_H

#include "gapforge/model.h"
#include "gapforge/model_forecast.h"

/* The won deals of the trailing window and what a rep sells a day. A deal counts when mask is
 * NULL or mask[i] != 0 and, in its state at the start of as_of (data dated before as_of), it is
 * won with a close day in [as_of - window_days, as_of - 1]. Their amounts are written to pool in
 * history order (the amounts of deals levers add, ctx.amount_pool), their count to *n_pool, and
 * *bookings_per_rep_day_cents = their sum / (R x window_days), R being the number of distinct
 * non-zero owner[i] among them (at least 1; owner NULL: every deal has none), or 0 when none
 * counts. Requires a validated history (gf_model_history_validate), pool with room for
 * h->n_deals amounts (NULL only when h->n_deals is 0), owner (if not NULL) and mask with
 * h->n_deals entries, and window_days >= 1. Returns 0, GF_MODEL_EINVAL (a NULL or bad argument)
 * or GF_MODEL_ENOMEM (scratch for the owners); on failure *n_pool and
 * *bookings_per_rep_day_cents are 0 when those pointers are not NULL. */
int gf_model_rep_productivity(const gf_model_history *h, const uint8_t *mask, const int64_t *owner,
                              gf_day as_of, int32_t window_days, int64_t *pool, size_t *n_pool,
                              double *bookings_per_rep_day_cents) GF_MUST_CHECK;

/* Next period's commit deals, in the order pull_forward takes them (ctx.next_commit_cents):
 * writes to out the amounts of f's open deals whose history deal is a commit (is_commit[deal]
 * != 0, indexed like the history f was built from) and whose expected close date falls in
 * [f->period.end + 1, f->period.end + window_days], largest first, and returns their count
 * (at most f->n_open, the room out needs). Returns 0 and writes nothing when f, is_commit or out
 * is NULL or window_days < 1. */
size_t gf_model_next_commits(const gf_model_forecast *f, const uint8_t *is_commit,
                             int32_t window_days, int64_t *out);

/* The default deals of a concession lever (gf_model_lever.deals): writes to out the indices
 * into f->open of the open deals whose expected close date falls in the period
 * (GF_MODEL_FLAG_IN_PERIOD), largest amount first and, among equal amounts, lower index first,
 * and returns their count (at most f->n_open, the room out needs). Allocates nothing. Returns 0
 * and writes nothing when f or out is NULL. */
size_t gf_model_concession_order(const gf_model_forecast *f, uint32_t *out);

#endif

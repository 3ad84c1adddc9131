/* gapforge model: the familiar pipeline figures reported beside the survival model -- stage win
 * rates, slip rate and pull-in rate -- each defined exactly below. */
#ifndef GAPFORGE_MODEL_FIGURES_H
#define GAPFORGE_MODEL_FIGURES_H

#include "gapforge/model.h"
#include "gapforge/model_survival.h"

/* Stage win rate for one stage, over the deals created in [window_start, as_of) (the cohort).
 * A deal reached open stage s if before as_of it entered s or a later open stage, or was won; it
 * reached the won (lost) stage if it was won (lost). Its outcome is its state at as_of. */
typedef struct gf_model_stage_rate {
    uint32_t reached; /* cohort deals that reached the stage */
    uint32_t won;     /* ... of which won at as_of */
    uint32_t lost;    /* ... lost at as_of */
    uint32_t open;    /* ... still open at as_of (censored) */
    double win_rate;  /* P(won | reached stage) as usually quoted: won / (won + lost), closed deals
                         only, blind to the open ones; NAN when none closed */
    double model_win_rate; /* the survival model's P(eventually won | just entered the stage),
                              counting censored deals; NAN if no model was given or not open */
} gf_model_stage_rate;

/* Slip and pull-in over the completed quarters q with q.start >= window_start, q.end < as_of. */
typedef struct gf_model_figures {
    uint32_t quarters;
    /* Slip rate: of deals open at the start of q whose expected close date (as known then) fell
     * in q, the share still open after q's end (neither won nor lost in it). */
    uint32_t slip_base, slipped;
    double slip_rate; /* NAN when slip_base is 0 */
    /* Pull-in rate: of deals open at the start of q whose expected close date (as known then) was
     * after q's end, the share won inside q. */
    uint32_t pull_in_base, pulled_in;
    double pull_in_rate; /* NAN when pull_in_base is 0 */
} gf_model_figures;

/* Computes the figures from data dated before as_of for the deals in scope (NULL: all). `rates`
 * has h->n_stages entries; `m` (may be NULL) supplies the model win rates. Deals without an
 * expected close date are left out of slip and pull-in. Returns 0, GF_MODEL_EINVAL or
 * GF_MODEL_ENOMEM. */
int gf_model_figures_compute(const gf_model_history *h, const gf_model_calendar *cal,
                             const gf_model_survival *m, gf_day as_of, gf_day window_start,
                             const uint8_t *scope, gf_model_stage_rate *rates,
                             gf_model_figures *out) GF_MUST_CHECK;

#endif

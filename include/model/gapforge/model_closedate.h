/* gapforge model: how much a deal's expected close date says beyond its stage and age --
 * an odds factor per close-date position (inside the period, overdue, after it...), learnt by
 * replaying the survival model at the same point of earlier quarters. */
#ifndef GAPFORGE_MODEL_CLOSEDATE_H
#define GAPFORGE_MODEL_CLOSEDATE_H

#include "gapforge/model.h"
#include "gapforge/model_survival.h"

/* Where an open deal's expected close date falls, seen at as_of for period P. */
enum gf_model_close_pos {
    GF_MODEL_CLOSE_INSIDE = 0,  /* in [max(as_of, P.start), P.end] */
    GF_MODEL_CLOSE_OVERDUE = 1, /* before as_of */
    GF_MODEL_CLOSE_BEFORE = 2,  /* in [as_of, P.start): only when as_of precedes the period */
    GF_MODEL_CLOSE_AFTER = 3,   /* after P.end */
    GF_MODEL_CLOSE_NONE = 4,    /* no expected close date */
    GF_MODEL_CLOSE_POSITIONS = 5
};

/* "inside", "overdue", "before", "after" or "none". */
const char *gf_model_close_pos_name(int pos);

/* The position of close_date (or GF_MODEL_NO_DAY) at as_of for period. */
int gf_model_close_pos_of(gf_day close_date, gf_day as_of, gf_model_period period);

/* One position's factor and its evidence from the replayed quarters. */
typedef struct gf_model_close_factor {
    double odds_factor; /* multiplies the odds of P(won in period) from the survival model */
    uint32_t n_deals;   /* replayed open deals in this position */
    double won;         /* of which won inside their quarter */
    double predicted;   /* what the survival model predicted for them */
} gf_model_close_factor;

/* Stages beyond this index get no stage factor (1). */
#define GF_MODEL_CLOSE_MAX_STAGES 64
typedef struct gf_model_close_factors {
    gf_model_close_factor pos[GF_MODEL_CLOSE_POSITIONS];
    /* By the deal's stage at the replayed as_of, on top of its position's factor: what the
     * survival model's timing misses at this point of the quarter (e.g. wins held back to the
     * quarter's last weeks sit in the last stage at a long age, where the age cells expect few
     * wins). Index = stage index; 1 with no evidence. */
    gf_model_close_factor stage[GF_MODEL_CLOSE_MAX_STAGES];
    size_t n_stages;   /* stages with an entry in stage[] */
    size_t n_quarters; /* earlier quarters replayed */
} gf_model_close_factors;

/* Learns the factors: in each of the (up to max_quarters <= 16) most recent calendar quarters q
 * starting before period.start and ending before as_of, at q.start + (as_of - period.start), the
 * deals then open (in scope, NULL: all) get the model m's P(won in q) from their stage and age;
 * per position, the odds factor theta solves
 *   sum_i expit(logit p_i + ln theta) + k0 * expit(logit pbar + ln theta) = won + k0 * pbar
 * (k0 pseudo-deals at the mean prediction pull theta toward 1). Then, per stage (the deal's stage
 * at the replayed as_of), the same equation over the predictions already multiplied by their
 * position's factor gives the stage factor. Reads only data before as_of.
 * With no usable quarter every factor is 1. Returns 0, GF_MODEL_EINVAL or GF_MODEL_ENOMEM. */
int gf_model_close_factors_fit(const gf_model_history *h, const gf_model_calendar *cal,
                               const gf_model_survival *m, gf_model_period period, gf_day as_of,
                               size_t max_quarters, double k0, const uint8_t *scope,
                               gf_model_close_factors *out) GF_MUST_CHECK;

/* The combined odds factor of an open deal in position pos and stage (index into m's stages). */
double gf_model_close_factor_of(const gf_model_close_factors *cf, int pos, int32_t stage);
/* p with its odds multiplied by factor (0 and 1 stay put). */
double gf_model_close_adjust(double p, double factor);

#endif

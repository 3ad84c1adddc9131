/* Internal: the vectorised inner loop of the Monte Carlo (one block of generator lanes). */
#ifndef GAPFORGE_MODEL_SIM_KERNEL_H
#define GAPFORGE_MODEL_SIM_KERNEL_H

#include <stddef.h>
#include <stdint.h>

#include "gapforge/model_sim.h"

/* xoshiro256** state of GF_MODEL_SIM_LANES independent streams, one per lane, word-major so that
 * each word is a contiguous vector. */
typedef struct gf_model__lanes {
    uint64_t s[4][GF_MODEL_SIM_LANES];
} gf_model__lanes;

/* For each lane, adds amount[i] to acc[lane] when the lane's next 32-bit uniform is below thr[i],
 * for i in [0, n); n must be even (each 64-bit draw serves two deals). Advances the lanes. */
void gf_model__sim_kernel(gf_model__lanes *st, const uint32_t *thr, const int64_t *amount, size_t n,
                          int64_t acc[GF_MODEL_SIM_LANES]);

/* thr[i] = the 32-bit threshold of the probability whose odds are m * odds[i], i.e. round(2^32 *
 * m o / (1 + m o)) kept below 2^32, for i in [0, n). Single precision: used only under a
 * multiplier, where a relative error of 1e-7 in p is far below the Monte Carlo noise. */
void gf_model__sim_thresholds(const float *odds, size_t n, float m, uint32_t *thr);

#endif

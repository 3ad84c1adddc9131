/* gapforge model: seeded random numbers (splitmix64 seeding, xoshiro256**) and the normal
 * quantile function. Deterministic, no global state: every stream is a value the caller owns. */
#ifndef GAPFORGE_MODEL_RNG_H
#define GAPFORGE_MODEL_RNG_H

#include <stdint.h>

/* One xoshiro256** stream (Blackman & Vigna). Plain value; copy it to fork a stream. */
typedef struct gf_model_rng {
    uint64_t s[4];
} gf_model_rng;

/* One step of splitmix64: advances *x and returns the next output. Used to derive seeds. */
uint64_t gf_model_splitmix64(uint64_t *x);

/* Seeds a stream from (seed, stream id): different ids give independent streams, and the same
 * pair always gives the same stream. Never fails. */
void gf_model_rng_seed(gf_model_rng *r, uint64_t seed, uint64_t stream);

/* The next 64 random bits. */
uint64_t gf_model_rng_next(gf_model_rng *r);

/* A uniform double in [0, 1) with 53 random bits. */
double gf_model_rng_uniform(gf_model_rng *r);

/* A uniform integer in [0, n) for n >= 1 (Lemire's multiply-shift, negligible bias). */
uint64_t gf_model_rng_below(gf_model_rng *r, uint64_t n);

/* A standard normal draw (inverse-CDF method, one uniform per draw). */
double gf_model_rng_normal(gf_model_rng *r);

/* A Poisson(lambda) draw for lambda >= 0; exact (sequential inversion in chunks of <= 16). */
uint32_t gf_model_rng_poisson(gf_model_rng *r, double lambda);

/* The standard normal quantile Phi^-1(p) for p in (0, 1), to near double precision (Acklam's
 * rational approximation with one Halley refinement). Returns -/+INFINITY at 0 and 1. */
double gf_model_norm_inv(double p);

/* The standard normal CDF Phi(x). */
double gf_model_norm_cdf(double x);

#endif

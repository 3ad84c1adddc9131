/* draws.h — how the demo generator derives its random streams and the distributions it draws,
 * over the model's generator (gf_model_rng: xoshiro256** seeded by splitmix64). Internal to
 * src/demo; the demo's own Box-Muller normal, modulo integers and small-rate Poisson differ from
 * the model's draws on purpose, so that a seed keeps giving the same demo org. */
#ifndef GAPFORGE_DEMO_DRAWS_H
#define GAPFORGE_DEMO_DRAWS_H

#include <math.h>
#include <stdint.h>

#include "gapforge/model_rng.h"

/* A generator for one purpose (stream) of one seed: streams do not disturb each other, so
 * adding draws to one part of the simulation leaves the others as they were. The state is four
 * successive splitmix64 outputs (never all zero) from the seed mixed with the stream id; this is
 * not gf_model_rng_seed's derivation, which would change every demo org. */
static inline void demo_seed(gf_model_rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed ^ (stream * 0xd1b54a32d192ed03ull);
    for (int i = 0; i < 4; i++)
        r->s[i] = gf_model_splitmix64(&x);
}

/* Uniform integer in [lo, hi] (modulo reduction: a negligible bias for these small ranges). */
static inline int demo_int(gf_model_rng *r, int lo, int hi)
{
    return lo + (int)(gf_model_rng_next(r) % (uint64_t)(hi - lo + 1));
}

static inline int demo_chance(gf_model_rng *r, double p)
{
    return gf_model_rng_uniform(r) < p;
}

/* Standard normal (Box-Muller; one draw of the pair is dropped to keep streams simple). */
static inline double demo_normal(gf_model_rng *r)
{
    double u = gf_model_rng_uniform(r), v = gf_model_rng_uniform(r);
    return sqrt(-2.0 * log(1.0 - u)) * cos(2.0 * M_PI * v);
}

/* Lognormal with the given median and log-scale sigma. */
static inline double demo_lognormal(gf_model_rng *r, double median, double sigma)
{
    return median * exp(sigma * demo_normal(r));
}

/* Poisson(lambda) by inversion; fine for the small daily rates drawn here. */
static inline int demo_poisson(gf_model_rng *r, double lambda)
{
    if (lambda <= 0)
        return 0;
    if (lambda > 60) /* normal approximation for the rare large rate */
        return (int)fmax(0.0, floor(lambda + sqrt(lambda) * demo_normal(r) + 0.5));
    double p = exp(-lambda), cdf = p, u = gf_model_rng_uniform(r);
    int k = 0;
    while (u > cdf && k < 1000) {
        k++;
        p *= lambda / k;
        cdf += p;
    }
    return k;
}

#endif

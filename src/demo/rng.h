/* rng.h — the demo generator's seeded random numbers (xoshiro256**, seeded by splitmix64) and
 * the few distributions it draws from. Internal to src/demo. */
#ifndef GAPFORGE_DEMO_RNG_H
#define GAPFORGE_DEMO_RNG_H

#include <math.h>
#include <stdint.h>

typedef struct demo_rng {
    uint64_t s[4];
} demo_rng;

static inline uint64_t demo_splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* A generator for one purpose (stream) of one seed: streams do not disturb each other, so
 * adding draws to one part of the simulation leaves the others as they were. */
static inline void demo_rng_seed(demo_rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed ^ (stream * 0xd1b54a32d192ed03ull);
    for (int i = 0; i < 4; i++)
        r->s[i] = demo_splitmix(&x);
}

static inline uint64_t demo_rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t demo_next(demo_rng *r)
{
    uint64_t *s = r->s;
    uint64_t out = demo_rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = demo_rotl(s[3], 45);
    return out;
}

/* Uniform in [0, 1). */
static inline double demo_unit(demo_rng *r)
{
    return (double)(demo_next(r) >> 11) * 0x1.0p-53;
}

/* Uniform integer in [lo, hi]. */
static inline int demo_int(demo_rng *r, int lo, int hi)
{
    return lo + (int)(demo_next(r) % (uint64_t)(hi - lo + 1));
}

static inline int demo_chance(demo_rng *r, double p)
{
    return demo_unit(r) < p;
}

/* Standard normal (Box-Muller; one draw of the pair is dropped to keep streams simple). */
static inline double demo_normal(demo_rng *r)
{
    double u = demo_unit(r), v = demo_unit(r);
    return sqrt(-2.0 * log(1.0 - u)) * cos(2.0 * M_PI * v);
}

/* Lognormal with the given median and log-scale sigma. */
static inline double demo_lognormal(demo_rng *r, double median, double sigma)
{
    return median * exp(sigma * demo_normal(r));
}

/* Poisson(lambda) by inversion; fine for the small daily rates drawn here. */
static inline int demo_poisson(demo_rng *r, double lambda)
{
    if (lambda <= 0)
        return 0;
    if (lambda > 60) /* normal approximation for the rare large rate */
        return (int)fmax(0.0, floor(lambda + sqrt(lambda) * demo_normal(r) + 0.5));
    double p = exp(-lambda), cdf = p, u = demo_unit(r);
    int k = 0;
    while (u > cdf && k < 1000) {
        k++;
        p *= lambda / k;
        cdf += p;
    }
    return k;
}

#endif

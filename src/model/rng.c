/* Seeded random streams for the model: splitmix64 for seeding, xoshiro256** for draws. */
#include "gapforge/model_rng.h"

#include <math.h>

uint64_t gf_model_splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void gf_model_rng_seed(gf_model_rng *r, uint64_t seed, uint64_t stream)
{
    /* Mix the stream id through its own splitmix step so that nearby (seed, stream) pairs do
     * not produce overlapping splitmix sequences. */
    uint64_t x = stream;
    uint64_t mix = seed ^ gf_model_splitmix64(&x);
    for (int k = 0; k < 4; k++)
        r->s[k] = gf_model_splitmix64(&mix);
    if (!(r->s[0] | r->s[1] | r->s[2] | r->s[3]))
        r->s[0] = 1; /* the all-zero state is the one xoshiro cannot leave */
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t gf_model_rng_next(gf_model_rng *r)
{
    uint64_t *s = r->s;
    const uint64_t result = rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double gf_model_rng_uniform(gf_model_rng *r)
{
    return (double)(gf_model_rng_next(r) >> 11) * 0x1.0p-53;
}

uint64_t gf_model_rng_below(gf_model_rng *r, uint64_t n)
{
    return (uint64_t)(((unsigned __int128)gf_model_rng_next(r) * n) >> 64);
}

double gf_model_rng_normal(gf_model_rng *r)
{
    double u;
    do {
        u = gf_model_rng_uniform(r);
    } while (u <= 0.0);
    return gf_model_norm_inv(u);
}

uint32_t gf_model_rng_poisson(gf_model_rng *r, double lambda)
{
    uint32_t count = 0;
    while (lambda > 0.0) {
        /* Poisson variables add up, so draw in chunks small enough that exp(-chunk) is far
         * from underflow and the inversion search stays short. */
        const double chunk = lambda > 16.0 ? 16.0 : lambda;
        lambda -= chunk;
        const double u = gf_model_rng_uniform(r);
        double p = exp(-chunk), cdf = p;
        uint32_t k = 0;
        while (u >= cdf && k < 1000) {
            k++;
            p *= chunk / k;
            cdf += p;
        }
        count += k;
    }
    return count;
}

double gf_model_norm_inv(double p)
{
    static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                               -2.759285104469687e+02, 1.383577518672690e+02,
                               -3.066479806614716e+01, 2.506628277459239e+00};
    static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                               -1.556989798598866e+02, 6.680131188771972e+01,
                               -1.328068155288572e+01};
    static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                               -2.400758277161838e+00, -2.549732539343734e+00,
                               4.374664141464968e+00,  2.938163982698783e+00};
    static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                               3.754408661907416e+00};
    if (p <= 0.0)
        return -INFINITY;
    if (p >= 1.0)
        return INFINITY;
    double x;
    if (p < 0.02425) {
        const double q = sqrt(-2 * log(p));
        x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    } else if (p > 1 - 0.02425) {
        const double q = sqrt(-2 * log(1 - p));
        x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    } else {
        const double q = p - 0.5, rr = q * q;
        x = (((((a[0] * rr + a[1]) * rr + a[2]) * rr + a[3]) * rr + a[4]) * rr + a[5]) * q /
            (((((b[0] * rr + b[1]) * rr + b[2]) * rr + b[3]) * rr + b[4]) * rr + 1);
    }
    /* One Halley step against the exact CDF brings the error to ~1e-15 relative. */
    const double e = 0.5 * erfc(-x / sqrt(2)) - p;
    const double u = e * sqrt(2 * M_PI) * exp(x * x / 2);
    return x - u / (1 + x * u / 2);
}

double gf_model_norm_cdf(double x)
{
    return 0.5 * erfc(-x / sqrt(2));
}

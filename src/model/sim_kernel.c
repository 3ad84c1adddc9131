/* The Monte Carlo hot loop: GF_MODEL_SIM_LANES xoshiro256** streams advanced in lock step, so the
 * compiler turns the lane loop into vector code; each 64-bit output gives two 32-bit uniforms
 * compared branch-free with the deals' integer thresholds, accumulating exact cents. Compiled at
 * -O3, and where the compiler supports it cloned for AVX-512 and AVX2 with a portable default
 * chosen at load time. */
#include "sim_kernel.h"

#if defined(GF_SIM_TARGET_CLONES)
#define GF_SIM_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define GF_SIM_CLONES
#endif

#define L GF_MODEL_SIM_LANES

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

GF_SIM_CLONES
void gf_model__sim_kernel(gf_model__lanes *st, const uint32_t *thr, const int64_t *amount, size_t n,
                          int64_t acc[GF_MODEL_SIM_LANES])
{
    uint64_t s0[L], s1[L], s2[L], s3[L];
    int64_t sum[L];
    for (unsigned l = 0; l < L; l++) {
        s0[l] = st->s[0][l];
        s1[l] = st->s[1][l];
        s2[l] = st->s[2][l];
        s3[l] = st->s[3][l];
        sum[l] = 0;
    }
    for (size_t i = 0; i + 1 < n; i += 2) {
        const uint64_t t0 = thr[i], t1 = thr[i + 1];
        const uint64_t a0 = (uint64_t)amount[i], a1 = (uint64_t)amount[i + 1];
        for (unsigned l = 0; l < L; l++) {
            const uint64_t r = rotl(s1[l] * 5, 7) * 9;
            const uint64_t t = s1[l] << 17;
            s2[l] ^= s0[l];
            s3[l] ^= s1[l];
            s1[l] ^= s2[l];
            s0[l] ^= s3[l];
            s2[l] ^= t;
            s3[l] = rotl(s3[l], 45);
            const uint64_t m0 = -(uint64_t)((r & 0xffffffffu) < t0);
            const uint64_t m1 = -(uint64_t)((r >> 32) < t1);
            sum[l] += (int64_t)((m0 & a0) + (m1 & a1));
        }
    }
    for (unsigned l = 0; l < L; l++) {
        st->s[0][l] = s0[l];
        st->s[1][l] = s1[l];
        st->s[2][l] = s2[l];
        st->s[3][l] = s3[l];
        acc[l] = sum[l];
    }
}

GF_SIM_CLONES
void gf_model__sim_thresholds(const float *odds, size_t n, float m, uint32_t *thr)
{
    for (size_t i = 0; i < n; i++) {
        const float mo = m * odds[i];
        float x = mo / (1.0f + mo) * 4294967296.0f + 0.5f;
        x = x < 4294967040.0f ? x : 4294967040.0f; /* the largest float below 2^32 */
        thr[i] = (uint32_t)x;
    }
}

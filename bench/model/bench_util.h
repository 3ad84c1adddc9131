/* bench_util.h — what every model benchmark needs: a monotonic clock and an order for medians. */
#ifndef GAPFORGE_BENCH_UTIL_H
#define GAPFORGE_BENCH_UTIL_H

#include <time.h>

/* Milliseconds on a monotonic clock. */
static inline double bench_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* qsort order of doubles, ascending. */
static inline int bench_cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

#endif

/* ets_skill.c: how well a fitted kind forecasts the series' own history. The parameters are
 * re-fitted on the first half, the states run on through the rest, and from every rolling origin
 * the model, naive and seasonal naive forecast the next steps; their mean absolute errors over
 * the training half's mean absolute change are the MASEs (gf_model_ets_skill). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ets_internal.h"

/* Measures the skill of `chosen` (see gf_model_ets_skill). */
int gf_model__ets_skill(const double *y, const unsigned char *missing, size_t n, size_t m, size_t h,
                        double min_gain, const gf_model_ets_model *chosen, gf_model_ets_skill *sk)
{
    memset(sk, 0, sizeof(*sk));
    size_t n_train = (n + 1) / 2;
    gf_model_ets_model train;
    int rc = gf_model__ets_fit(y, missing, n_train, chosen->kind, chosen->m, chosen, &train);
    if (rc == GF_MODEL_ENOMEM)
        return rc;
    if (rc) {
        /* Too short for a fit on half: judge the full-series parameters (said so). */
        train = *chosen;
        sk->in_sample = 1;
    }
    sk->n_train = n_train;
    const int rel = ets_is_mult(chosen->kind);
    double scale = 0.0, last = NAN;
    size_t n_steps = 0;
    for (size_t t = 0; t < n_train; t++) {
        if (ets_gap(missing, t))
            continue;
        if (!isnan(last)) {
            scale += fabs(y[t] - last);
            n_steps++;
        }
        last = y[t];
    }
    scale = n_steps ? scale / (double)n_steps : 0.0;
    ets_state x = {.l = train.l0, .b = train.b0};
    memcpy(x.s, train.s0, sizeof(x.s));
    (void)gf_model__ets_filter(&train, y, missing, 0, n_train, &x, NULL, NULL);
    double *fc = malloc(h * sizeof(*fc));
    if (!fc)
        return GF_MODEL_ENOMEM;
    double mae_model = 0.0, mae_naive = 0.0, mae_snaive = 0.0, sse1 = 0.0;
    size_t n1 = 0;
    for (size_t o = n_train; o < n; o++) {
        const size_t steps = h < n - o ? h : n - o;
        gf_model__ets_forecast_from(&train, &x, o, steps, fc);
        for (size_t j = 0; j < steps; j++) {
            if (ets_gap(missing, o + j))
                continue;
            const double actual = y[o + j];
            mae_model += fabs(actual - fc[j]);
            if (j == 0) {
                const double e = rel ? (actual - fc[0]) / fc[0] : actual - fc[0];
                sse1 += e * e;
                n1++;
            }
            mae_naive += fabs(actual - last);
            /* The same season's latest value known at o: whole seasons back from o + j. */
            const size_t back = m * (j / m + 1);
            const int known = back <= o + j && !ets_gap(missing, o + j - back);
            mae_snaive += fabs(actual - (known ? y[o + j - back] : last));
            sk->n_errors++;
        }
        sk->n_origins++;
        (void)gf_model__ets_filter(&train, y + o, missing ? missing + o : NULL, o, 1, &x, NULL,
                                   NULL);
        if (!ets_gap(missing, o))
            last = y[o];
    }
    free(fc);
    if (!sk->n_errors)
        return GF_MODEL_OK;
    if (train.sigma > 0.0 && n1 > 0 && isfinite(sse1))
        sk->oos_ratio = sqrt(sse1 / (double)n1) / train.sigma;
    const double ne = (double)sk->n_errors;
    mae_model /= ne;
    mae_naive /= ne;
    mae_snaive /= ne;
    sk->mase_model = scale > 0.0 ? mae_model / scale : (mae_model > 0.0 ? HUGE_VAL : 0.0);
    sk->mase_naive = scale > 0.0 ? mae_naive / scale : (mae_naive > 0.0 ? HUGE_VAL : 0.0);
    sk->mase_snaive = scale > 0.0 ? mae_snaive / scale : (mae_snaive > 0.0 ? HUGE_VAL : 0.0);
    sk->beats_naive =
        (mae_model == 0.0 && mae_naive == 0.0) || mae_model < (1.0 - min_gain) * mae_naive;
    return GF_MODEL_OK;
}

/* accuracy.c — scoring calls against actuals (model_accuracy.h). */
#include "gapforge/model_accuracy.h"

#include <math.h>

void gf_model_call_score_of(double forecast, double actual, gf_model_call_score *out)
{
    out->error = forecast - actual;
    out->abs_error = fabs(out->error);
    out->ratio = actual > 0.0 ? forecast / actual : NAN;
    out->accuracy = actual > 0.0 ? fmax(0.0, 1.0 - out->abs_error / actual) : NAN;
}

void gf_model_call_tally_add(gf_model_call_tally *t, double forecast, double actual)
{
    gf_model_call_score s;
    gf_model_call_score_of(forecast, actual, &s);
    t->n++;
    if (actual > 0.0) {
        t->accuracy_sum += s.accuracy;
        t->n_acc++;
    }
    t->error_sum += s.error;
    t->abs_error_sum += s.abs_error;
    t->actual_sum += actual;
}

double gf_model_call_tally_accuracy(const gf_model_call_tally *t)
{
    return t->n_acc ? t->accuracy_sum / (double)t->n_acc : NAN;
}

double gf_model_call_tally_bias(const gf_model_call_tally *t)
{
    return t->actual_sum > 0.0 ? t->error_sum / t->actual_sum : NAN;
}

double gf_model_call_tally_wape(const gf_model_call_tally *t)
{
    return t->actual_sum > 0.0 ? t->abs_error_sum / t->actual_sum : NAN;
}

int gf_model_better_from_week(const double *a, const double *b, size_t weeks)
{
    int from = -1;
    for (size_t w = weeks; w-- > 0;) {
        if (isnan(a[w]) || isnan(b[w]))
            continue;
        if (a[w] < b[w])
            break;
        from = (int)w;
    }
    return from;
}

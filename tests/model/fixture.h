/* Test fixtures: a small builder of deal histories with exactly the data a case needs. */
#ifndef GF_TEST_MODEL_FIXTURE_H
#define GF_TEST_MODEL_FIXTURE_H

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "gapforge/date.h"
#include "gapforge/model.h"

#define FX_MAX_EVENTS 12

/* Stages of every fixture: 0 "qualify" (open, 0.2), 1 "propose" (open, 0.6), 2 won, 3 lost. */
enum { FX_QUALIFY = 0, FX_PROPOSE = 1, FX_WON = 2, FX_LOST = 3 };

typedef struct fx {
    gf_model_stage stages[4];
    gf_model_deal *deals;
    gf_model_transition (*tr)[FX_MAX_EVENTS];
    gf_model_change (*cd)[FX_MAX_EVENTS];
    size_t n, cap;
} fx;

static inline fx *fx_new(size_t cap)
{
    fx *f = calloc(1, sizeof(*f));
    ck_assert_ptr_nonnull(f);
    f->stages[0] = (gf_model_stage){GF_MODEL_STAGE_OPEN, 0.2};
    f->stages[1] = (gf_model_stage){GF_MODEL_STAGE_OPEN, 0.6};
    f->stages[2] = (gf_model_stage){GF_MODEL_STAGE_WON, 1.0};
    f->stages[3] = (gf_model_stage){GF_MODEL_STAGE_LOST, 0.0};
    f->deals = calloc(cap, sizeof(*f->deals));
    f->tr = calloc(cap, sizeof(*f->tr));
    f->cd = calloc(cap, sizeof(*f->cd));
    ck_assert(f->deals && f->tr && f->cd);
    f->cap = cap;
    return f;
}

static inline void fx_free(fx *f)
{
    free(f->deals);
    free(f->tr);
    free(f->cd);
    free(f);
}

/* A deal created on `day` in stage `stage`; returns its index. */
static inline size_t fx_deal(fx *f, int64_t amount, gf_day day, int32_t stage)
{
    ck_assert_uint_lt(f->n, f->cap);
    const size_t i = f->n++;
    f->tr[i][0] = (gf_model_transition){day, stage};
    f->deals[i] = (gf_model_deal){.id = (int64_t)i + 1,
                                  .amount_cents = amount,
                                  .created_day = day,
                                  .timeline = f->tr[i],
                                  .n_timeline = 1,
                                  .close_dates = f->cd[i]};
    return i;
}

static inline void fx_move(fx *f, size_t i, gf_day day, int32_t stage)
{
    ck_assert_uint_lt(f->deals[i].n_timeline, FX_MAX_EVENTS);
    f->tr[i][f->deals[i].n_timeline++] = (gf_model_transition){day, stage};
}

static inline void fx_close_date(fx *f, size_t i, gf_day day, gf_day close)
{
    ck_assert_uint_lt(f->deals[i].n_close_dates, FX_MAX_EVENTS);
    f->cd[i][f->deals[i].n_close_dates++] = (gf_model_change){day, close};
}

static inline gf_model_history fx_history(const fx *f)
{
    return (gf_model_history){f->deals, f->n, f->stages, 4};
}

/* Calendar quarters of the given years, written to q (4 per year). */
static inline gf_model_calendar fx_quarters(int first_year, int years, gf_model_period *q)
{
    size_t n = 0;
    for (int y = first_year; y < first_year + years; y++) {
        for (int m = 1; m <= 10; m += 3) {
            const gf_day s = gf_date_from_ymd(y, m, 1);
            const gf_day e =
                m == 10 ? gf_date_from_ymd(y + 1, 1, 1) - 1 : gf_date_from_ymd(y, m + 3, 1) - 1;
            q[n++] = (gf_model_period){s, e};
        }
    }
    return (gf_model_calendar){q, n};
}

/* Runs a suite made of one test case and returns the process exit status. */
static inline int fx_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    const int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
